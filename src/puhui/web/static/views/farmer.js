// The farmer's phone: his loan — stages drawn (paid to his feed supplier) and to come, interest
// so far, what is due next. His flock against the growth curve comes with issue 8 (agri).
import { api, t } from "../api.js";
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

// Reserved for issue 8 (agri production loans): flocks against the template's growth curve,
// alerts, repayment at sale. Until then the page says so rather than showing made-up figures.
export function flockView() {
  return section(t("my_flock"), el("p", { id: "flock-later", class: "placeholder" }, t("flock_later")));
}
