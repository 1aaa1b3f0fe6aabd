// A loan as its parties and supervisors see it (the lending API's statement): figures, the
// stages drawn to named payees and what is still to come, interest so far, the schedule.
import { api, t } from "../api.js";
import { date, el, entryLink, facts, money, percent, section, table } from "../ui.js";

/** Interest accrued on the record so far: billed instalments plus what accrued since billing. */
export function interestSoFar(statement) {
  const billed = statement.schedule.filter((i) => i.status !== "scheduled").reduce((n, i) => n + i.interest, 0);
  return billed + statement.loan.interest_accrued;
}

export const category = (c) => el("span", { class: `cat cat-${c}` }, t("cat_" + c));

export function loansTable(loans, id = "loans") {
  return table([t("loan"), t("borrower"), t("lender"), t("status"), t("amount"), t("outstanding"), t("category")],
    loans.map((l) => [el("a", { href: `#/loan/${encodeURIComponent(l.loan_id)}` }, l.loan_id), l.borrower_id, l.lender_id,
      t("status_" + l.status), money(l.amount_approved || l.amount_requested, l.currency),
      money(l.principal_outstanding, l.currency), category(l.category)]), { id });
}

/** Drawn stages (disbursements, each to a payee) and the approved amount not yet drawn. */
export function stages(statement) {
  const loan = statement.loan, c = loan.currency;
  const drawn = statement.transactions.filter((x) => x.kind === "disbursement");
  const left = loan.amount_approved - loan.disbursed;
  const rows = drawn.map((x) => [x.object_id, date(x.business_date), x.party_id, money(x.amount, c), entryLink(x.seq), t("stage_drawn")]);
  if (left > 0 && ["contracted", "active"].includes(loan.status)) rows.push([t("stage_to_come"), "—", loan.contract.payees.map((p) => p.party_id).join(", ") || loan.borrower_id, money(left, c), "—", t("stage_pending")]);
  return table([t("stage"), t("date"), t("payee"), t("amount"), t("entry"), t("status")], rows, { id: "stages" });
}

export async function loanView(params, id) {
  const s = await api(`/lending/loans/${encodeURIComponent(id)}`);
  const loan = s.loan, c = loan.currency;
  return section(`${t("loan")} ${loan.loan_id}`,
    facts([
      [t("borrower"), loan.borrower_id], [t("lender"), loan.lender_id], [t("product"), loan.product_id],
      [t("status"), el("span", { id: "loan-status" }, t("status_" + loan.status))], [t("category"), category(loan.category)],
      [t("amount_approved"), money(loan.amount_approved, c)], [t("drawn"), money(loan.disbursed, c)],
      [t("outstanding"), money(loan.principal_outstanding, c)], [t("rate"), percent(loan.annual_rate)], [t("apr"), percent(loan.apr)],
      [t("interest_so_far"), el("span", { id: "interest-so-far" }, money(interestSoFar(s), c))],
      [t("owed_today"), money(s.owed.total, c)], [t("purpose"), loan.contract.purpose || "—"],
      [t("decision"), loan.decision_ref ? el("a", { href: `#/decision/${loan.decision_ref}` }, loan.decision_ref) : "—"],
      [t("entry"), entryLink(loan.approved_seq ?? loan.applied_seq)],
    ]),
    el("h3", {}, t("stages")), stages(s),
    el("h3", {}, t("schedule")),
    table(["#", t("due"), t("status"), t("principal"), t("interest"), t("total")],
      s.schedule.map((i) => [i.number, date(i.due_date), t("inst_" + i.status), money(i.principal, c), money(i.interest, c), money(i.total, c)])),
    el("h3", {}, t("transactions")),
    table([t("date"), t("entry"), t("kind"), t("amount"), t("party")],
      s.transactions.map((x) => [date(x.business_date), entryLink(x.seq), t("txn_" + x.kind), money(x.amount, c), x.party_id ?? "—"])),
    el("p", {}, el("a", { href: `#/trace?loan=${encodeURIComponent(loan.loan_id)}` }, t("trace_funds"))));
}
