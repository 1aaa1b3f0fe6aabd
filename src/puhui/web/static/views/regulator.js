// The supervisor's desk: the platform-wide portfolio, its concentration, and tracing where any
// loan's money went (penetrating payment). The checkpoint and inclusion checks are in common.js.
import { api, t } from "../api.js";
import { $, ID_PATTERN, date, el, entryLink, field, ids, input, money, resultLine, section, showErrors, table } from "../ui.js";
import { portfolioChart } from "./bank.js";

function concentrationTable(by, groups, total) {
  const share = (n) => (total ? `${(Math.round((n * 10000) / total) / 100).toFixed(2)}%` : "—");
  return table([t("by_" + by), t("loans"), t("outstanding"), t("share"), t("overdue")],
    groups.map((g) => [g.key ?? t("unknown"), g.loans, money(g.principal_outstanding, g.currency), share(g.principal_outstanding),
      money(g.principal_overdue, g.currency)]), { id: `concentration-${by}` });
}

function receivablesConcentration(by, groups) {
  const cny = groups.filter((g) => g.currency === "CNY");
  const total = cny.reduce((n, g) => n + g.outstanding, 0);
  const share = (n) => (total ? `${(Math.round((n * 10000) / total) / 100).toFixed(2)}%` : "—");
  return table([t("rcv_by_" + by), t("receivables_count"), t("outstanding_rcv"), t("share"), t("financed"), t("overdue_rcv")],
    cny.map((g) => [by === "region" ? g.key ?? t("no_region") : g.key, g.receivables, money(g.outstanding), share(g.outstanding),
      money(g.financed), money(g.overdue)]), { id: `rcv-concentration-${by}` });
}

export async function supervisionView() {
  const [portfolio, byIssuer, byRegion, ...groups] = await Promise.all([api("/lending/portfolio"),
    api("/receivables/concentration?by=issuer"), api("/receivables/concentration?by=region"),
    ...["lender", "region", "borrower"].map((by) => api(`/lending/concentration?by=${by}`))]);
  const cny = (g) => g.groups.filter((x) => x.currency === "CNY");
  const total = portfolio.portfolio.filter((r) => r.currency === "CNY").reduce((n, r) => n + r.principal_outstanding, 0);
  return section(t("supervision"),
    el("h3", {}, t("portfolio_platform")), portfolioChart(portfolio.portfolio),
    el("h3", {}, t("concentration")),
    ...groups.flatMap((g) => [el("h4", {}, t("by_" + g.by)), concentrationTable(g.by, cny(g), total)]),
    el("h3", {}, t("rcv_concentration")), el("p", { class: "muted" }, t("rcv_concentration_help")),
    el("h4", {}, t("rcv_by_issuer")), receivablesConcentration("issuer", byIssuer.groups),
    el("h4", {}, t("rcv_by_region")), receivablesConcentration("region", byRegion.groups));
}

/** Where a loan's money went: every transfer naming it, and what each payee received bound to it. */
export function traceView(params) {
  const out = el("div", { id: "trace" });
  const form = el("form", { id: "trace-form", novalidate: "" },
    field("loan_id", t("loan_id"), input("loan_id", { value: params.get("loan") ?? "" })),
    el("button", { type: "submit" }, t("trace")), resultLine());
  const run = async () => {
    const id = $("#loan_id", form).value.trim();
    const errors = !id ? { loan_id: t("err_required") } : ID_PATTERN.test(id) ? {} : { loan_id: t("err_id") };
    if (!showErrors(form, errors)) return;
    const trace = await api(`/trace?origin=${encodeURIComponent("loan:" + id)}`);
    if (!trace.transfers.length) { showErrors(form, { loan_id: t("err_no_funds") }); out.replaceChildren(); return; }
    out.replaceChildren(
      el("h3", {}, t("reached_payees")),
      table([t("payee"), t("received"), t("reserved")], trace.payees.map((p) => [p.party_id, money(p.received, p.currency), money(p.reserved, p.currency)]), { id: "trace-payees" }),
      el("h3", {}, t("transfers")),
      table([t("date"), t("entry"), `${t("from")} → ${t("to")}`, t("amount"), t("bound_to")],
        trace.transfers.map((x) => [date(x.business_date), entryLink(x.seq), ids(`${x.debit} → ${x.credit}`), money(x.amount, x.currency),
          x.payee ? ids(`${x.payee} ← ${x.origin}`) : t("book_entry")]), { id: "trace-transfers" }),
      trace.truncated ? el("p", { class: "bad" }, t("trace_truncated")) : "");
  };
  form.addEventListener("submit", (event) => { event.preventDefault(); run().catch((err) => showErrors(form, { form: `${t("err_server")}: ${err.message}` })); });
  if (params.get("loan")) queueMicrotask(() => run().catch((err) => showErrors(form, { form: err.message })));
  return section(t("trace_funds"), el("p", {}, t("trace_help")), form, out);
}
