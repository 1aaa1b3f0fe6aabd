// Credit decisions' reason codes and policy reasons in the chosen language. The server writes
// them in English from the scorecard's feature labels and bands; in Chinese the feature's name,
// its band (money from fen, percentages from basis points) and the gap are put back together
// here from the reason's own fields. Unknown shapes are shown as the server wrote them.
import { state, t } from "./api.js";
import { money } from "./ui.js";

const NUMBER = String.raw`-?inf|-?\d+(?:\.\d+)?`;
const INTERVAL = new RegExp(`^([\\[(])(${NUMBER}), (${NUMBER})([\\])])$`);
const REASON = /^.*?: (.*) \((\d+) points below the best band\)$/;

/** "989072.00" of a fen feature → ¥9,890.72; of a bp feature → 98.91%; infinities → ∞. */
function bound(feature, text) {
  if (/inf$/.test(text)) return text.startsWith("-") ? "−∞" : "∞";
  const integral = /^(-?\d+)(?:\.0+)?$/.exec(text);
  if (feature.endsWith("_fen") && integral) return money(integral[1]);
  if (feature.endsWith("_bp")) {
    const [i, f = ""] = text.replace(/^-/, "").split(".");
    const digits = i.padStart(3, "0");
    const pct = `${digits.slice(0, -2).replace(/^0+(?=\d)/, "")}.${digits.slice(-2)}${f}`.replace(/\.?0+$/, "");
    return `${text.startsWith("-") ? "-" : ""}${pct}%`;
  }
  return text;
}

function band(feature, text) {
  if (text === "missing or unknown") return t("band_missing");
  const m = INTERVAL.exec(text);
  return m ? `${m[1]}${bound(feature, m[2])}, ${bound(feature, m[3])}${m[4]}` : text;
}

/** A scorecard reason ({feature, points_below_best, text}) in the chosen language. */
export function reasonText(r) {
  if (state.lang === "en") return r.text;
  const m = REASON.exec(r.text);
  const name = t("feature_" + r.feature);
  if (!m || name === "feature_" + r.feature) return r.text;
  return t("reason_line", { feature: name, band: band(r.feature, m[1]), gap: r.points_below_best });
}

const POLICY = [
  [/^tax credit rating (\w+): the product declines it$/, "policy_tax_rating"],
  [/^score (\d+) is below the decline floor (\d+)$/, "policy_decline_floor"],
  [/^(\d+) days past due on a platform loan \(over (\d+)\)$/, "policy_dpd"],
  [/^score (\d+) is below the referral line (\d+)$/, "policy_referral_line"],
  [/^risk price ([\d.]+) is above the product's cap ([\d.]+)$/, "policy_rate_cap"],
  [/^score (\d+) reaches no limit band$/, "policy_no_limit"],
];

/** A policy rule's reason (a sentence from credit/policy.py) in the chosen language. */
export function policyReasonText(text) {
  if (state.lang === "en") return text;
  for (const [pattern, key] of POLICY) {
    const m = pattern.exec(text);
    if (m) return t(key, { a: m[1], b: m[2] });
  }
  return text;
}
