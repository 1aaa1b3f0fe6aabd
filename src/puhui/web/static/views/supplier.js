// The supplier's (SME's) money: what reached its accounts, and for payee-bound money the business
// object it came from (the loan that paid for the feed). Documents and consent are in documents.js.
import { api, state, t } from "../api.js";
import { date, el, entryLink, money, section, table } from "../ui.js";
import { referenceLink } from "./common.js";

const RECEIVED_LINES_MAX = 50;

export async function receivedView() {
  const accounts = (await api(`/accounts?party_id=${encodeURIComponent(state.me.party_id)}&limit=100`)).accounts;
  const pages = await Promise.all(accounts.map((a) => api(`/accounts/${encodeURIComponent(a.account_id)}/statement?limit=100`)));
  const credits = pages.flatMap((p, n) => p.lines.filter((l) => l.side === "C").map((l) => ({ ...l, currency: accounts[n].currency })))
    .sort((a, b) => b.seq - a.seq).slice(0, RECEIVED_LINES_MAX);
  const transfers = await Promise.all(credits.map((l) => api(`/transfers/${encodeURIComponent(l.transfer_id)}`)));
  return section(t("money_received"), el("p", { class: "muted" }, t("money_received_help")),
    table([t("date"), t("entry"), t("from"), t("amount"), t("origin")],
      credits.map((l, n) => [date(l.business_date), entryLink(l.seq), l.counterparty.split(":")[0], money(l.amount, l.currency),
        el("span", {}, referenceLink(transfers[n].origin ?? l.reference), transfers[n].payee ? el("small", { class: "muted" }, ` · ${t("payee_bound")}`) : "")]),
      { id: "received" }));
}
