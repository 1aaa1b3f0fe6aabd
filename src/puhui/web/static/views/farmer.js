// The farmer's phone: his loan — stages drawn (paid to his feed supplier) and to come, interest
// so far, what is due next; his flocks against the template, stages and alerts.
import { api, t } from "../api.js";
import { barChart, lineChart } from "../chart.js";
import { date, el, facts, money, percent, section } from "../ui.js";
import { interestSoFar, stages } from "./loans.js";

async function loanCard(loan) {
  const s = await api(`/lending/loans/${encodeURIComponent(loan.loan_id)}`);
  const c = loan.currency;
  const next = s.schedule.find((i) => i.status !== "paid");
  return el("article", { class: "card", "data-loan": loan.loan_id },
    el("h3", {}, el("a", { href: `#/loan/${encodeURIComponent(loan.loan_id)}` }, loan.loan_id), " · ", t("status_" + loan.status)),
    el("p", {}, loan.contract.purpose),
    facts([[t("amount_approved"), money(loan.amount_approved, c)], [t("drawn"), money(loan.disbursed, c)],
      [t("to_come"), money(Math.max(0, loan.amount_approved - loan.disbursed), c)], [t("rate"), percent(loan.annual_rate)],
      [t("interest_so_far"), el("span", { class: "interest-so-far" }, money(interestSoFar(s), c))],
      [t("next_due"), next ? `${date(next.due_date)} · ${money(next.total, c)}` : "—"]]),
    el("h4", {}, t("stages")), stages(s),
    el("p", { class: "muted" }, t("interest_only_drawn")));
}

export async function myLoanView() {
  const page = await api("/lending/loans?limit=50");
  const mine = page.loans.filter((l) => !["closed", "rejected"].includes(l.status));
  return section(t("my_loan"), ...(mine.length ? await Promise.all(mine.map(loanCard)) : [el("p", { class: "muted" }, t("nothing_yet"))]));
}

// The farm's flocks (issue 8): the plan's feed stages drawn and to come (paid to the feed
// supplier), the latest weight against the template's curve, and the alerts the close of day
// raised, in the farmer's language (built from the alert's figures, not the server's English).
export function alertText(flock, a) {
  const f = a.figures || {};
  if (a.kind === "weight" && f.expected_g) {
    return t("alert_weight", { under: (f.under_bp / 100).toFixed(1), day: dayOf(flock, a.day), got: f.weight_g_avg, expected: f.expected_g });
  }
  if (a.kind === "mortality" && f.mortality_bp !== undefined) {
    return t("alert_mortality", { rate: (f.mortality_bp / 100).toFixed(1), deaths: f.deaths });
  }
  return a.reason;
}

// The flock's age in days on ``isoDay`` (0 on the day it was placed), as the template's curve
// and the close of day count it.
function dayOf(flock, isoDay) {
  return Math.round((Date.parse(isoDay) - Date.parse(flock.placed_on)) / 86_400_000);
}

// The flock's weighed days against the template's curve (the server reads the curve at each age,
// so the step of the template's table is its business, not the page's).
function growthChart(flock, days) {
  const weighed = days.filter((d) => d.weight_g_avg !== null);
  return el("div", {},
    lineChart([
      { name: t("curve"), className: "curve", points: days.map((d) => [d.age, d.expected_g]) },
      { name: t("weighed"), className: "weighed", points: weighed.map((d) => [d.age, d.weight_g_avg]) },
    ], { title: t("growth_chart"), id: `growth-${flock.flock_id}`, xLabel: (day) => t("age_days", { day }) }),
    el("ul", { class: "legend" }, ["curve", "weighed"].map((k) => el("li", { class: k }, el("i"), t(k)))));
}

async function flockCard(summary) {
  const id = encodeURIComponent(summary.flock_id);
  const [flock, history] = await Promise.all([api(`/agri/flocks/${id}`), api(`/agri/flocks/${id}/days`)]);
  const latest = history.days.findLast((d) => d.weight_g_avg !== null);
  const bars = flock.plan.map((s) => ({
    label: `${t("stage")} ${s.stage} · ${t("days")} ${s.first_day}–${s.last_day}`,
    value: s.allowance, className: s.stage <= flock.stages_drawn ? "drawn" : "to-come",
    text: `${money(s.allowance)} · ${s.stage <= flock.stages_drawn ? t("drawn") : t("to_come")}`,
  }));
  return el("article", { class: "card", "data-flock": flock.flock_id },
    el("h3", {}, flock.flock_id, " · ", t("flock_" + flock.status),
      flock.frozen ? el("span", { class: "bad", id: "flock-frozen" }, " · ", t("frozen")) : ""),
    facts([[t("animals"), String(flock.animals)], [t("placed_on"), date(flock.placed_on)],
      [t("lender"), flock.lender_id], [t("feed_supplier"), flock.supplier_id],
      [t("drawn"), el("span", { class: "flock-drawn" }, money(flock.drawn))],
      [t("deaths"), String(flock.deaths)],
      [t("last_weight"), latest
        ? el("span", { class: "flock-weight" }, `${latest.weight_g_avg} g / ${latest.expected_g} g (${t("age_days", { day: latest.age })})`)
        : "—"]]),
    el("h4", {}, t("growth_chart")),
    history.days.length ? growthChart(flock, history.days) : el("p", { class: "muted" }, t("nothing_yet")),
    barChart(bars, { title: t("feed_stages"), id: `stages-${flock.flock_id}` }),
    el("h4", {}, t("alerts")),
    flock.alerts.length
      ? el("ul", { class: "alerts" }, flock.alerts.map((a) => el("li", { class: a.severity === "critical" ? "bad" : "", "data-alert": a.alert_id },
        date(a.day), ` · ${t("severity_" + a.severity)} · ${alertText(flock, a)} · ${t("alert_" + a.status)}`)))
      : el("p", { class: "muted" }, t("nothing_yet")));
}

export async function flockView() {
  const page = await api("/agri/flocks");
  return section(t("my_flock"), ...(page.flocks.length
    ? await Promise.all(page.flocks.map(flockCard))
    : [el("p", { class: "muted" }, t("nothing_yet"))]));
}
