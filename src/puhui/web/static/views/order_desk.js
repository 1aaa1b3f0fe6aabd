// The bank's order-financing desk (订单融资): requests naming it, each read against the order's
// trail (both signatures, the purchase order's commitment) and funded as a signed order.finance
// at a rate no higher than the seller accepts, or declined; the orders it financed.
import { api, state, submit, t } from "../api.js";
import { $, compareRates, date, el, entryLink, facts, field, input, money, noteErrors, parsePercent, percent, resultLine, section, serverErrors, showErrors, showReceipt, table } from "../ui.js";
import { declineForm } from "./common.js";
import { ofinStatus, orderLink, orderStatus, trailLink } from "./orders.js";


export async function orderDeskView() {
  const book = await api("/orders/portfolio?limit=500");
  const waiting = book.financings.filter((f) => f.status === "requested");
  const done = book.financings.filter((f) => f.status !== "requested");
  return section(t("order_desk"), el("p", { class: "muted" }, t("order_desk_help")),
    table([t("order"), t("seller_party"), t("order_value"), t("amount"), t("rate_max"), t("delivery_due")],
      waiting.map((f) => [orderLink(f.order_id), f.seller, money(f.order_amount), money(f.amount), percent(f.annual_rate_max),
        date(f.delivery_due)]), { id: "order-requests" }),
    el("h3", {}, t("orders_financed")),
    facts([[t("amount_funded"), el("span", { id: "order-amount-funded" }, money(book.amount_funded))]]),
    table([t("order"), t("amount"), t("rate"), t("status"), t("order_status"), t("order_trail")],
      done.map((f) => [orderLink(f.order_id), money(f.amount), percent(f.annual_rate), ofinStatus(f.status),
        orderStatus(f.order_status), trailLink(f.order_id)]), { id: "orders-financed" }));
}

/** On an order page: the bank's own request, funded or declined here. */
export async function bankActions(order) {
  const mine = order.financings.find((f) => f.bank === state.me.party_id && f.status === "requested");
  if (!mine) return [];
  const trail = await api(`/orders/${encodeURIComponent(order.order_id)}/trail`);
  const po = trail.documents.find((d) => d.role === "purchase_order");
  const check = facts([[t("seller_signed"), entryLink(trail.signatures.seller.seq)],
    [t("buyer_signed"), trail.signatures.buyer.seq ? entryLink(trail.signatures.buyer.seq) : el("span", { class: "bad" }, t("not_countersigned"))],
    [t("po_commitment"), el("span", { class: "ids" }, po.commitment)], [t("po_confirmed"), po.confirmed_seq ? entryLink(po.confirmed_seq) : "—"]],
  { id: "trade-check" });
  const plan = table([t("plan_supplier", { n: "" }), t("plan_amount")], mine.plan.map((l) => [l.supplier, money(l.amount)]), { id: "request-plan" });
  return [el("h3", {}, t("request_from", { seller: order.seller })),
    facts([[t("financing"), mine.financing_id], [t("amount"), money(mine.amount)], [t("product"), mine.product_id], [t("term"), String(mine.term_periods)],
      [t("rate_max"), percent(mine.annual_rate_max)], [t("status"), el("span", { id: "request-status" }, t("ofin_" + mine.status))],
      [t("entry"), entryLink(mine.requested_seq)]]),
    el("h4", {}, t("plan")), plan, el("h4", {}, t("trade_check")), check,
    financeForm(mine), declineForm(mine.financing_id, { formId: "order-decline-form", buttonId: "decline-order",
      command: "order.decline_financing", statusId: "request-status", declinedText: t("ofin_declined"),
      lock: ["#order-finance-form", "#order-decline-form"] })];
}

const FINANCE_CODES = { "rate-above-request": "annual_rate", "order-already-financed": "annual_rate", "order-past-due": "annual_rate",
  "lien-exists": "annual_rate", "insufficient-funds": "annual_rate", "order-wrong-state": "annual_rate", "invalid-order-plan": "annual_rate" };

function financeForm(f) {
  const form = el("form", { id: "order-finance-form", novalidate: "" },
    el("h3", {}, t("finance_order")), el("p", { class: "muted" }, t("finance_order_help")),
    field("annual_rate", t("annual_rate_pct"), input("annual_rate", { inputmode: "decimal" }), t("at_most", { max: percent(f.annual_rate_max) })),
    field("note", t("note"), el("textarea", { id: "note", name: "note", rows: 2 })),
    el("button", { type: "submit", id: "finance-order" }, t("fund_signed")), resultLine());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const errors = {}, text = $("#annual_rate", form).value, note = $("#note", form).value, rate = parsePercent(text);
    if (!text.trim()) errors.annual_rate = t("err_required");
    else if (rate === null) errors.annual_rate = t("err_percent");
    else if (rate === "0" || compareRates(rate, "1") > 0) errors.annual_rate = t("err_rate_positive");
    else if (compareRates(rate, f.annual_rate_max) > 0) errors.annual_rate = t("err_above_rate_max", { max: percent(f.annual_rate_max) });
    Object.assign(errors, noteErrors("note", note));
    if (!showErrors(form, errors)) return;
    try {
      const receipt = await submit("order.finance", { financing_id: f.financing_id, annual_rate: rate, note });
      showReceipt(form, receipt, "finance-receipt");
      $("#request-status").textContent = t("ofin_funded");
      for (const b of document.querySelectorAll("#order-finance-form button, #order-decline-form button")) b.disabled = true;
    } catch (err) { showErrors(form, serverErrors(err, FINANCE_CODES)); }
  });
  return form;
}
