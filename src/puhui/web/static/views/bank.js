// The bank's (or cooperative's) desk: applications beside their credit decisions, the offer with
// its APR and total cost, approval as a signed lending.approve, loans, decisions, the portfolio.
import { api, submit, t } from "../api.js";
import { barChart, stackedColumns } from "../chart.js";
import { $, compareRates, date, el, entryLink, facts, field, input, money, parseMoney, parsePercent, percent, resultLine,
  section, serverErrors, showErrors, showReceipt, table } from "../ui.js";
import { loansTable } from "./loans.js";
import { policyReasonText, reasonText } from "../reasons.js";

export const CATEGORIES = ["normal", "special_mention", "substandard", "doubtful", "loss"];
const NON_PERFORMING = ["substandard", "doubtful", "loss"];
const outcome = (o) => el("span", { class: `outcome-${o}` }, t("outcome_" + o));

async function decisionsFor(applicant) {
  return (await api(`/credit/decisions?limit=100${applicant ? "&applicant=" + encodeURIComponent(applicant) : ""}`)).decisions;
}

export async function applicationsView() {
  const [apps, decisions] = await Promise.all([api("/lending/applications"), decisionsFor()]);
  const latest = (a) => decisions.find((d) => d.applicant === a.borrower_id && d.product_id === a.product_id);
  return section(t("applications"),
    table([t("loan"), t("borrower"), t("product"), t("amount"), t("term"), t("score"), t("outcome")],
      apps.applications.map((a) => {
        const d = latest(a);
        return [el("a", { href: `#/application/${encodeURIComponent(a.loan_id)}` }, a.loan_id), a.borrower_id, a.product_id,
          money(a.amount_requested, a.currency), a.term_periods, d ? d.score : "—", d ? outcome(d.outcome) : t("no_decision")];
      }), { id: "applications" }));
}

function decisionCard(d) {
  return el("article", { class: "card", "data-decision": d.decision_id },
    el("h4", {}, el("a", { href: `#/decision/${d.decision_id}` }, d.decision_id), " · ", outcome(d.outcome)),
    facts([[t("score"), d.score], [t("pd"), percent(d.pd)], [t("limit"), money(d.limit_fen)], [t("rate"), percent(d.rate)],
      [t("policy"), `v${d.policy_version}`], [t("date"), date(d.decided_on)], [t("entry"), entryLink(d.decided_seq)]]),
    el("h5", {}, t("reason_codes")),
    el("ol", { class: "reasons" }, d.reasons.map((r) => el("li", { "data-feature": r.feature }, reasonText(r)))));
}

export async function applicationView(params, id) {
  const s = await api(`/lending/loans/${encodeURIComponent(id)}`);
  const loan = s.loan;
  const [product, decisions] = await Promise.all([api(`/lending/products/${encodeURIComponent(loan.product_id)}`), decisionsFor(loan.borrower_id)]);
  const relevant = decisions.filter((d) => d.product_id === loan.product_id);
  return section(`${t("application")} ${loan.loan_id}`,
    facts([[t("borrower"), loan.borrower_id], [t("product"), product.name], [t("amount"), money(loan.amount_requested, loan.currency)],
      [t("term"), loan.term_periods], [t("purpose"), loan.contract.purpose || "—"],
      [t("payees"), loan.contract.payees.map((p) => p.party_id).join(", ") || loan.borrower_id],
      [t("status"), el("span", { id: "loan-status" }, t("status_" + loan.status))], [t("entry"), entryLink(loan.applied_seq)]]),
    el("h3", {}, t("credit_decisions")),
    relevant.length ? relevant.map(decisionCard) : el("p", { class: "muted" }, t("no_decision")),
    loan.status === "applied" ? offerForm(loan, product, relevant) : el("p", {}, el("a", { href: `#/loan/${loan.loan_id}` }, t("open_loan"))));
}

/** Check the offer fields; return {errors, terms} with terms ready for the API. */
function checkOffer(form, loan, product, decisions) {
  const errors = {}, c = loan.currency;
  const amount = parseMoney($("#amount", form).value, c);
  const rate = parsePercent($("#annual_rate", form).value);
  const decision = decisions.find((d) => d.decision_id === $("#credit_decision_id", form).value);
  if (!$("#amount", form).value.trim()) errors.amount = t("err_required");
  else if (amount === null || amount <= 0) errors.amount = t("err_money");
  else if (amount > loan.amount_requested) errors.amount = t("err_above_applied", { max: money(loan.amount_requested, c) });
  else if (amount < product.amount_min || amount > product.amount_max) errors.amount = t("err_product_amount", { min: money(product.amount_min, c), max: money(product.amount_max, c) });
  else if (decision && amount > decision.limit_fen) errors.amount = t("err_above_limit", { max: money(decision.limit_fen, c) });
  if (!$("#annual_rate", form).value.trim()) errors.annual_rate = t("err_required");
  else if (rate === null) errors.annual_rate = t("err_percent");
  else if (compareRates(rate, product.annual_rate_min) < 0 || compareRates(rate, product.annual_rate_max) > 0) {
    errors.annual_rate = t("err_rate_range", { min: percent(product.annual_rate_min), max: percent(product.annual_rate_max) });
  }
  if (decision && decision.outcome === "decline") errors.credit_decision_id = t("err_declined");
  return { errors, terms: { amount, rate, decision } };
}

const OFFER_CODES = { "rate-above-cap": "annual_rate", "exceeds-approved": "amount", "amount-out-of-range": "amount", "unknown-decision": "credit_decision_id" };

function offerForm(loan, product, decisions) {
  const c = loan.currency, best = decisions.find((d) => d.outcome !== "decline");
  const disclosure = el("div", { id: "offer" });
  const form = el("form", { id: "approve-form", novalidate: "" },
    el("h3", {}, t("offer")),
    field("amount", t("amount_yuan"), input("amount", { inputmode: "decimal", value: money(loan.amount_requested, c).replace(/^[^\d]+/, "") })),
    field("annual_rate", t("annual_rate_pct"), input("annual_rate", { inputmode: "decimal", value: best?.rate ? percent(best.rate).replace("%", "") : "" }),
      t("rate_range", { min: percent(product.annual_rate_min), max: percent(product.annual_rate_max), cap: percent(product.rate_cap) })),
    field("credit_decision_id", t("decision"), el("select", { id: "credit_decision_id", name: "credit_decision_id" },
      el("option", { value: "" }, t("no_decision")),
      decisions.map((d) => el("option", { value: d.decision_id, selected: d === best }, `${d.decision_id} · ${d.score} · ${t("outcome_" + d.outcome)}`)))),
    el("div", { class: "buttons" },
      el("button", { type: "button", id: "calculate" }, t("calculate")),
      el("button", { type: "submit", id: "approve" }, t("approve"))),
    resultLine(), disclosure);
  const offer = async () => {
    const { errors, terms } = checkOffer(form, loan, product, decisions);
    if (!showErrors(form, errors)) return null;
    try {
      const o = await api("/lending/offers", { method: "POST", json: { product_id: loan.product_id, amount: terms.amount, term_periods: loan.term_periods, annual_rate: terms.rate } });
      disclosure.replaceChildren(facts([[t("apr"), el("span", { id: "offer-apr" }, percent(o.apr))], [t("total_interest"), money(o.total_interest, c)],
        [t("total_fees"), money(o.total_fees, c)], [t("total_cost"), el("span", { id: "offer-cost" }, money(o.total_cost, c))]]),
      table(["#", t("due"), t("principal"), t("interest"), t("total")], o.schedule.map((i) => [i.number, date(i.due_date), money(i.principal, c), money(i.interest, c), money(i.total, c)])));
      return terms;
    } catch (err) { showErrors(form, serverErrors(err, OFFER_CODES)); return null; }
  };
  $("#calculate", form).addEventListener("click", offer);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const terms = await offer();
    if (!terms) return;
    const payload = { loan_id: loan.loan_id, annual_rate: terms.rate, amount: terms.amount };
    if (terms.decision) payload.credit_decision_id = terms.decision.decision_id;
    try {
      const receipt = await submit("lending.approve", payload);
      showReceipt(form, receipt);
      $("#loan-status").textContent = t("status_approved");
      for (const b of form.querySelectorAll("button")) b.disabled = true;
    } catch (err) { showErrors(form, serverErrors(err, OFFER_CODES)); }
  });
  return form;
}

export async function loansView() {
  const page = await api("/lending/loans?limit=200");
  return section(t("loans"), loansTable(page.loans));
}

export async function decisionsView() {
  const decisions = await decisionsFor();
  return section(t("credit_decisions"),
    table([t("decision"), t("applicant"), t("product"), t("score"), t("outcome"), t("limit"), t("first_reason")],
      decisions.map((d) => [el("a", { href: `#/decision/${d.decision_id}` }, d.decision_id), d.applicant, d.product_id, d.score,
        outcome(d.outcome), money(d.limit_fen), d.reasons[0] ? reasonText(d.reasons[0]) : "—"]), { id: "decisions" }));
}

export async function decisionView(params, id) {
  const [d, why] = await Promise.all([api(`/credit/decisions/${id}`), api(`/credit/decisions/${id}/explain`)]);
  return section(`${t("decision")} ${d.decision_id}`, decisionCard(d),
    facts([[t("applicant"), d.applicant], [t("lender"), d.lender], [t("model"), d.model_id],
      [t("reproduced"), el("span", { id: "reproduced", class: why.reproduced ? "ok" : "bad" }, why.reproduced ? t("yes") : t("no"))]]),
    el("h5", {}, t("policy_reasons")),
    why.policy_reasons?.length ? el("ol", { class: "reasons", id: "policy-reasons" }, why.policy_reasons.map((r) => el("li", {}, policyReasonText(r))))
      : el("p", { class: "muted", id: "policy-reasons" }, t("none")));
}

/** The five categories as bars (zeros kept), with overdue and non-performing ratios. */
export function portfolioChart(rows, currency = "CNY") {
  const by = Object.fromEntries(CATEGORIES.map((c) => [c, { loans: 0, principal_outstanding: 0, principal_overdue: 0 }]));
  for (const r of rows.filter((r) => r.currency === currency)) by[r.category] = r;
  const total = CATEGORIES.reduce((n, c) => n + by[c].principal_outstanding, 0);
  const npl = NON_PERFORMING.reduce((n, c) => n + by[c].principal_outstanding, 0);
  const overdue = CATEGORIES.reduce((n, c) => n + by[c].principal_overdue, 0);
  const ratio = (part) => (total ? `${(Math.round((part * 10000) / total) / 100).toFixed(2)}%` : "—");
  return el("div", {},
    barChart(CATEGORIES.map((c) => ({ label: t("cat_" + c), value: by[c].principal_outstanding, className: `cat-${c}`,
      text: `${money(by[c].principal_outstanding, currency)} · ${by[c].loans}` })), { title: t("portfolio"), id: "portfolio-chart" }),
    facts([[t("outstanding"), el("span", { id: "portfolio-total" }, money(total, currency))],
      [t("overdue_ratio"), el("span", { id: "overdue-ratio" }, ratio(overdue))], [t("npl_ratio"), el("span", { id: "npl-ratio" }, ratio(npl))]]));
}

/** The book at the end of each business day, stacked by class, with the NPL ratio then and now. */
export function historyChart(history, currency = "CNY") {
  const points = history.series.filter((p) => p.currency === currency).map((p) => ({
    label: p.business_date.slice(5), date: p.business_date,
    values: Object.fromEntries(CATEGORIES.map((c) => [c, p.categories[c].principal_outstanding])),
  }));
  if (!points.length) return el("p", { class: "muted" }, t("nothing_yet"));
  const npl = (p) => {
    const total = CATEGORIES.reduce((n, c) => n + p.values[c], 0);
    const bad = NON_PERFORMING.reduce((n, c) => n + p.values[c], 0);
    return total ? `${(Math.round((bad * 10000) / total) / 100).toFixed(2)}%` : "—";
  };
  const first = points[0], last = points[points.length - 1];
  return el("div", {},
    stackedColumns(points, CATEGORIES, { title: t("portfolio_over_time"), id: "history-chart" }),
    el("ul", { class: "legend" }, CATEGORIES.map((c) => el("li", { class: `cat-${c}` }, el("i"), t("cat_" + c)))),
    facts([[t("window"), `${date(first.date).textContent} – ${date(last.date).textContent}`],
      [t("npl_ratio_then_now"), el("span", { id: "npl-history" }, `${npl(first)} → ${npl(last)}`)]]));
}

export async function portfolioView() {
  const [p, history] = await Promise.all([api("/lending/portfolio"), api("/lending/portfolio/history?days=90")]);
  return section(t("portfolio"), el("p", { class: "muted" }, t("portfolio_help")), portfolioChart(p.portfolio),
    el("h3", {}, t("portfolio_over_time")), el("p", { class: "muted" }, t("portfolio_over_time_help")), historyChart(history));
}
