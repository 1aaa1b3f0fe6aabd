// The bank's receivables desk (保理): financing requests waiting for a price, each priced with
// a quote (days to maturity, discount, price; the core enterprise's record and the guarantees)
// and funded as a signed receivable.finance or declined; the portfolio of financed pieces.
import { api, submit, t } from "../api.js";
import { $, compareRates, date, el, entryLink, facts, field, input, money, noteErrors, parsePercent, percent, resultLine, section, serverErrors, showErrors, showReceipt, table } from "../ui.js";
import { declineForm } from "./common.js";
import { pieceLink } from "./receivables.js";

const DAY_COUNTS = ["ACT/360", "ACT/365F", "30/360", "ACT/ACT"];
const finLink = (id) => el("a", { href: `#/financing/${encodeURIComponent(id)}`, class: "ids" }, id);
const finStatus = (s) => el("span", { class: `fin-${s}` }, t("fin_" + s));

export async function financingsView() {
  const book = await api("/receivables/portfolio?limit=1000");
  const waiting = book.financings.filter((f) => f.status === "requested");
  const done = book.financings.filter((f) => f.status !== "requested");
  return section(t("financing_requests"), el("p", { class: "muted" }, t("financing_requests_help")),
    table([t("financing"), t("seller"), t("piece"), t("debtor"), t("face"), t("maturity"), t("recourse")],
      waiting.map((f) => [finLink(f.financing_id), f.seller, pieceLink(f.piece_id), f.issuer, money(f.face), date(f.maturity_date),
        f.recourse ? t("recourse_yes") : t("recourse_no")]), { id: "financing-requests" }),
    el("h3", {}, t("financed_pieces")),
    facts([[t("face_funded"), el("span", { id: "face-funded" }, money(book.face_funded))], [t("price_funded"), money(book.price_funded)]]),
    table([t("financing"), t("piece"), t("debtor"), t("face"), t("rate"), t("price"), t("maturity"), t("status")],
      done.map((f) => [finLink(f.financing_id), pieceLink(f.piece_id), f.issuer, money(f.face), percent(f.annual_rate),
        f.price === null ? "—" : money(f.price), date(f.maturity_date), finStatus(f.status)]), { id: "financed" }));
}

/** Check the pricing fields; return {errors, rate, dayCount, note}. */
function checkPricing(form) {
  const errors = {}, text = $("#annual_rate", form).value, note = $("#note", form).value;
  const rate = parsePercent(text);
  if (!text.trim()) errors.annual_rate = t("err_required");
  else if (rate === null) errors.annual_rate = t("err_percent");
  else if (rate === "0" || compareRates(rate, "1") > 0) errors.annual_rate = t("err_rate_positive");
  Object.assign(errors, noteErrors("note", note));
  return { errors, rate, dayCount: $("#day_count", form).value, note };
}

export async function financingView(params, id) {
  const book = await api("/receivables/portfolio?limit=1000");
  const f = book.financings.find((x) => x.financing_id === id);
  if (!f) throw new Error(t("err_no_financing"));
  const head = facts([[t("financing"), f.financing_id], [t("seller"), f.seller], [t("piece"), pieceLink(f.piece_id)],
    [t("debtor"), f.issuer], [t("face"), money(f.face)], [t("maturity"), date(f.maturity_date)],
    [t("recourse"), f.recourse ? t("recourse_yes") : t("recourse_no")], [t("price_to"), f.payee],
    [t("status"), el("span", { id: "financing-status" }, t("fin_" + f.status))], [t("entry"), entryLink(f.requested_seq)]]);
  if (f.status !== "requested") {
    const d = f.decision;
    return section(`${t("financing")} ${f.financing_id}`, head,
      facts([[t("rate"), percent(f.annual_rate)], [t("day_count"), f.day_count], [t("days_to_maturity"), String(f.days)],
        [t("discount"), money(f.discount)], [t("price"), money(f.price)], [t("decided_on"), date(f.decided_on)],
        [t("entry"), f.decided_seq ? entryLink(f.decided_seq) : "—"], [t("note"), d?.note || "—"]]));
  }
  return section(`${t("financing")} ${f.financing_id}`, head, pricingForm(f));
}

const PRICING_CODES = { "piece-already-financed": "annual_rate", "receivable-matured": "annual_rate", "no-cash-account": "annual_rate" };

function pricingForm(f) {
  const out = el("div", { id: "quote" });
  const form = el("form", { id: "finance-form", novalidate: "" },
    el("h3", {}, t("price_and_fund")),
    field("annual_rate", t("annual_rate_pct"), input("annual_rate", { inputmode: "decimal" })),
    field("day_count", t("day_count"), el("select", { id: "day_count", name: "day_count" }, DAY_COUNTS.map((d) => el("option", { value: d }, d)))),
    field("note", t("note"), el("textarea", { id: "note", name: "note", rows: 2 })),
    el("div", { class: "buttons" },
      el("button", { type: "button", id: "quote-button" }, t("calculate")),
      el("button", { type: "submit", id: "fund" }, t("fund_signed"))),
    resultLine(), out);
  const quote = async () => {
    const checked = checkPricing(form);
    if (!showErrors(form, checked.errors)) return null;
    try {
      const q = await api(`/receivables/financings/${encodeURIComponent(f.financing_id)}/quote?annual_rate=${checked.rate}&day_count=${encodeURIComponent(checked.dayCount)}`);
      const core = q.core_enterprise;
      out.replaceChildren(facts([[t("days_to_maturity"), String(q.days)], [t("discount"), el("span", { id: "quote-discount" }, money(q.discount))],
        [t("price"), el("span", { id: "quote-price" }, money(q.price))]]),
      el("h4", {}, t("core_record", { core: core.issuer })),
      facts([[t("payables_open"), `${money(core.outstanding_payables)} · ${core.receivables_open}`],
        [t("rcv_overdue_count"), String(core.receivables_overdue)], [t("settled"), String(core.receivables_settled)],
        [t("guarantees"), q.guarantees.map((g) => `${g.guarantor} (${g.guarantee_id})`).join(", ") || t("none")]]));
      return { ...checked, quote: q };
    } catch (err) { showErrors(form, serverErrors(err, PRICING_CODES)); return null; }
  };
  $("#quote-button", form).addEventListener("click", quote);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const priced = await quote();
    if (!priced) return;
    try {
      const receipt = await submit("receivable.finance",
        { financing_id: f.financing_id, annual_rate: priced.rate, day_count: priced.dayCount, note: priced.note });
      showReceipt(form, receipt);
      $("#financing-status").textContent = t("fin_funded");
      for (const b of form.querySelectorAll("button")) b.disabled = true;
      declined.remove();
    } catch (err) { showErrors(form, serverErrors(err, PRICING_CODES)); }
  });
  const declined = declineForm(f.financing_id, { formId: "decline-form", buttonId: "decline", command: "receivable.decline_financing",
    statusId: "financing-status", declinedText: t("fin_declined"), lock: ["#finance-form", "#decline-form"] });
  return el("div", {}, form, declined);
}
