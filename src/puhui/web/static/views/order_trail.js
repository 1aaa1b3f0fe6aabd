// An order's trail (订单穿透): the order both parties signed, its documents with their
// commitments, each financing with its plan, lien, tranches and where the loan's money went,
// and the buyer's payment split lender first — each fact with its log entry one click away.
// Shown to the order's parties, a bank asked to finance it (its own financing only) and
// supervisors, as the API restricts it.
import { api, t } from "../api.js";
import { date, el, entryLink, facts, ids, money, percent, section, table } from "../ui.js";
import { ofinStatus, orderLink } from "./orders.js";

const seqLink = (seq) => (seq ? entryLink(seq) : "—");

function financingBlock(f) {
  const money_ = f.money;
  return el("div", { class: "trail-financing", "data-financing": f.financing_id },
    el("h4", {}, `${t("financing")} ${f.financing_id} · ${f.bank}`),
    facts([[t("status"), ofinStatus(f.status)], [t("amount"), money(f.amount)], [t("rate"), percent(f.annual_rate)],
      [t("requested"), seqLink(f.requested_seq)], [t("decided"), seqLink(f.decided_seq)],
      [t("lien"), f.lien ? el("span", {}, f.lien.lien_id, " · ", entryLink(f.lien.registered_seq),
        f.lien.released_seq ? [" → ", t("released"), " ", entryLink(f.lien.released_seq)] : "") : "—"]]),
    table([t("plan_supplier", { n: "" }), t("plan_amount")], f.plan.map((l) => [l.supplier, money(l.amount)])),
    el("h5", {}, t("tranches")),
    table([t("tranche"), t("supplier"), t("amount"), t("date"), t("entry")],
      f.draws.map((d) => [ids(d.tranche_id), d.supplier, money(d.amount), date(d.drawn_on), entryLink(d.drawn_seq)]), { class: "trail-draws" }),
    money_ ? [el("h5", {}, t("reached_payees")),
      table([t("payee"), t("received")], money_.payees.map((p) => [p.party_id, money(p.received, p.currency)]))] : "");
}

export async function orderTrailView(params, id) {
  const trail = await api(`/orders/${encodeURIComponent(id)}/trail`);
  const o = trail.order, p = trail.payment;
  // [step, who signed, what, date, entry]: the entry first, so it stays in view on a phone
  const rows = [
    [t("seller_signed"), o.seller, "order.open", o.opened_on, trail.signatures.seller.seq],
    [t("buyer_signed"), o.buyer, "order.confirm", o.confirmed_on, trail.signatures.buyer.seq],
    ...trail.documents.flatMap((d) => [
      [t("doc_role_" + d.role), d.owner, `${d.document_id} · ${t("registered")}`, d.registered_on, d.registered_seq],
      ...(d.confirmed_seq || d.role === "delivery"
        ? [[t("doc_role_" + d.role), d.counterparty, `${d.document_id} · ${t("confirmed")}`, d.confirmed_on, d.confirmed_seq]] : [])]),
    ...trail.financings.flatMap((f) => [
      [t("financing"), f.seller, `${f.financing_id} · ${t("requested")}`, f.requested_on, f.requested_seq],
      [t("financing"), f.bank, `${f.financing_id} · ${t("ofin_" + f.status)}`, f.decided_on, f.decided_seq],
      ...f.draws.map((d) => [t("tranche"), o.seller, `${d.tranche_id} → ${d.supplier} ${money(d.amount)}`, d.drawn_on, d.drawn_seq])]),
    ...(p ? [[t("payment"), o.buyer, `${p.payment_id} ${money(p.amount)}`, p.paid_on, p.paid_seq]] : []),
  ].map(([step, who, what, on, seq]) => [seqLink(seq), step, el("span", {}, el("b", {}, who), " · ", what), date(on)]);
  return section(`${t("order_trail")} ${o.order_id}`,
    facts([[t("order"), orderLink(o.order_id)], [t("seller_party"), o.seller], [t("buyer_party"), o.buyer],
      [t("amount"), money(o.amount, o.currency)], [t("delivery_due"), date(o.delivery_due)], [t("status"), t("order_" + o.status)]]),
    el("p", { class: "muted" }, t("trail_help")),
    table([t("entry"), t("step"), `${t("signed_by")} · ${t("what")}`, t("date")], rows, { id: "trail" }),
    el("h3", {}, t("documents")),
    table([t("doc_role"), t("document_id"), t("kind"), t("fingerprint")],
      trail.documents.map((d) => [t("doc_role_" + d.role), d.document_id, t("kind_" + d.kind), ids(d.fingerprint.slice(0, 16) + "…")]), { id: "trail-documents" }),
    trail.financings.length ? [el("h3", {}, t("financings")), ...trail.financings.map(financingBlock)] : "",
    p ? [el("h3", {}, t("payment")),
      facts([[t("pay_amount"), money(p.amount)], [t("to_lender", { lender: trail.financings.find((f) => f.financing_id === o.financing_id)?.bank ?? "—" }), el("span", { id: "trail-to-lender" }, money(p.to_lender))],
        [t("to_seller"), el("span", { id: "trail-to-seller" }, money(p.to_seller))], [t("entry"), seqLink(p.paid_seq)]])] : "");
}
