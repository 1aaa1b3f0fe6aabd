// Trade orders (订单融资): the seller's and the buyer's orders, one order with what its signer
// may do next — the seller opens it on a purchase order, asks a bank to finance it with a plan
// naming its input suppliers and draws tranches to them; the buyer countersigns, confirms the
// delivery and pays, seeing first how much goes to the lender and how much to the seller. Each
// action is one signed command. The bank's desk is in order_desk.js, the trail in order_trail.js.
import { api, shortId, state, submit, supervises, t } from "../api.js";
import { $, compareRates, date, el, entryLink, facts, field, input, money, parseMoney, parsePercent, percent, resultLine,
  section, serverErrors, showErrors, showReceipt, table } from "../ui.js";

export const PLAN_LINES_MAX = 4;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
export const orderLink = (id) => el("a", { href: `#/order/${encodeURIComponent(id)}`, class: "ids" }, id);
export const trailLink = (id, attrs = {}) => el("a", { href: `#/order-trail/${encodeURIComponent(id)}`, ...attrs }, t("order_trail"));
export const orderStatus = (s) => el("span", { class: `order-${s}` }, t("order_" + s));
export const ofinStatus = (s) => el("span", { class: `fin-${s}` }, t("ofin_" + s));

function ordersTable(orders, id) {
  return table([t("order"), t("seller_party"), t("buyer_party"), t("amount"), t("delivery_due"), t("status")],
    orders.map((o) => [orderLink(o.order_id), o.seller, o.buyer, money(o.amount, o.currency), date(o.delivery_due), orderStatus(o.status)]), { id });
}

/** My orders: those I sell (with the form to open one) and those I buy (to countersign first). */
export async function ordersView() {
  const list = (await api("/orders?limit=500")).orders;
  const me = state.me.party_id;
  if (supervises()) return section(t("page_orders"), el("p", { class: "muted" }, t("orders_supervisor_help")), ordersTable(list, "orders"));
  const selling = list.filter((o) => o.seller === me), buying = list.filter((o) => o.buyer === me);
  const toConfirm = buying.filter((o) => o.status === "open");
  const pos = (await api("/documents?kind=purchase_order&limit=500")).documents;
  const used = new Set(list.map((o) => o.document_id));
  const free = pos.filter((d) => d.owner === me && d.counterparty && !used.has(d.document_id));
  return section(t("page_orders"),
    toConfirm.length || buying.length ? [el("h3", {}, t("orders_to_confirm")), el("p", { class: "muted" }, t("orders_to_confirm_help")),
      ordersTable(toConfirm, "orders-to-confirm"), el("h3", {}, t("orders_buying")), ordersTable(buying, "orders-buying")] : "",
    selling.length || free.length ? [el("h3", {}, t("orders_selling")), ordersTable(selling, "orders-selling"), openForm(free)] : "",
    list.length || free.length ? "" : el("p", { class: "muted", id: "no-orders" }, t("nothing_yet")));
}

function checkDate(text, errors, name) {
  if (!text.trim()) errors[name] = t("err_required");
  else if (!DATE_PATTERN.test(text.trim()) || Number.isNaN(Date.parse(text.trim()))) errors[name] = t("err_date");
  else if (text.trim() < state.today) errors[name] = t("err_before_today", { today: state.today });
}

function checkAmount(text, errors, name) {
  const amount = parseMoney(text);
  if (!text.trim()) errors[name] = t("err_required");
  else if (amount === null || amount <= 0) errors[name] = t("err_money");
  return amount;
}

const OPEN_CODES = { "order-document-not-usable": "document_id", "document-already-used": "document_id", "order-past-due": "delivery_due" };

function openForm(free) {
  const form = el("form", { id: "open-order-form", novalidate: "" },
    el("h3", {}, t("open_order")), el("p", { class: "muted" }, t("open_order_help")),
    field("document_id", t("purchase_order"), el("select", { id: "document_id", name: "document_id" },
      el("option", { value: "" }, "—"), free.map((d) => el("option", { value: d.document_id }, `${d.document_id} · ${d.counterparty}`)))),
    field("amount", t("order_amount_yuan"), input("amount", { inputmode: "decimal" })),
    field("delivery_due", t("delivery_due"), input("delivery_due", { placeholder: "YYYY-MM-DD" })),
    el("button", { type: "submit", id: "open-order" }, t("open_order_signed")), resultLine());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const errors = {}, doc = $("#document_id", form).value;
    if (!doc) errors.document_id = free.length ? t("err_required") : t("err_no_purchase_orders");
    const amount = checkAmount($("#amount", form).value, errors, "amount");
    checkDate($("#delivery_due", form).value, errors, "delivery_due");
    if (!showErrors(form, errors)) return;
    const orderId = shortId("ord");
    try {
      const receipt = await submit("order.open", { order_id: orderId, document_id: doc, amount, delivery_due: $("#delivery_due", form).value.trim() });
      showReceipt(form, receipt);
      $(".form-result", form).append(" · ", orderLink(orderId));
      for (const b of form.querySelectorAll("button")) b.disabled = true;
    } catch (err) { showErrors(form, serverErrors(err, OPEN_CODES)); }
  });
  return form;
}

/** One order: its terms and signatures, its financings, and what the signed-in party may do. */
export async function orderView(params, id) {
  const order = await api(`/orders/${encodeURIComponent(id)}`);
  const me = state.me.party_id;
  const head = facts([[t("order"), order.order_id], [t("seller_party"), order.seller], [t("buyer_party"), order.buyer],
    [t("amount"), el("span", { id: "order-amount" }, money(order.amount, order.currency))], [t("delivery_due"), date(order.delivery_due)],
    [t("status"), el("span", { id: "order-status" }, t("order_" + order.status))],
    [t("purchase_order"), order.document_id],
    [t("seller_signed"), entryLink(order.opened_seq)], [t("buyer_signed"), order.confirmed_seq ? entryLink(order.confirmed_seq) : "—"],
    [t("order_trail"), trailLink(order.order_id, { id: "trail-link" })]]);
  const financings = table([t("financing"), t("bank"), t("amount"), t("rate_max"), t("rate"), t("status"), t("entry")],
    order.financings.map((f) => [f.financing_id, f.bank, money(f.amount), percent(f.annual_rate_max), percent(f.annual_rate), ofinStatus(f.status),
      entryLink(f.decided_seq ?? f.requested_seq)]), { id: "order-financings" });
  let actions = [];
  if (order.seller === me) actions = await sellerActions(order);
  else if (order.buyer === me) actions = await buyerActions(order);
  else {
    const { bankActions } = await import("./order_desk.js");
    actions = await bankActions(order);
  }
  return section(`${t("order")} ${order.order_id}`, head, el("h3", {}, t("financings")), financings, ...[actions].flat());
}

// ---- the seller ----------------------------------------------------------------------------------

async function sellerActions(order) {
  if (order.status === "open") return [el("p", { class: "muted", id: "waiting-buyer" }, t("waiting_buyer", { buyer: order.buyer }))];
  if (order.status !== "confirmed") return [];
  const live = order.financings.find((f) => f.status === "requested" || f.status === "funded");
  if (live?.status === "requested") return [el("p", { class: "muted", id: "waiting-bank" }, t("waiting_bank", { bank: live.bank }))];
  if (live?.status === "funded") {
    const trail = await api(`/orders/${encodeURIComponent(order.order_id)}/trail`);
    return [drawForm(order, trail.financings.find((f) => f.financing_id === live.financing_id))];
  }
  if (order.financing_id) return [];
  const [banks, coops, parties, policy] = await Promise.all([api("/parties?role=bank&limit=100"), api("/parties?role=cooperative&limit=100"),
    api("/parties?limit=500"), api("/orders/policy")]);
  const lenders = [...banks.parties, ...coops.parties];
  const lenderIds = new Set(lenders.map((p) => p.party_id));
  const suppliers = parties.parties.filter((p) => ![order.seller, order.buyer].includes(p.party_id) && !lenderIds.has(p.party_id)
    && !p.roles.some((r) => ["regulator", "operator", "auditor", "witness", "tax_authority"].includes(r)));
  return [requestForm(order, lenders, suppliers, policy.advance_bp_max)];
}

/** The most a loan on an order of `amount` fen may reach at `bp` basis points (floored, as the server does). */
const advanceCap = (amount, bp) => Number((BigInt(amount) * BigInt(bp)) / 10000n);

const REQUEST_CODES = { "exceeds-advance-rate": "plan", "invalid-order-plan": "plan", "not-a-lender": "bank", "order-already-financed": "bank",
  "order-past-due": "bank", "order-wrong-state": "bank", "lien-exists": "bank" };

function requestForm(order, lenders, suppliers, bp) {
  const cap = advanceCap(order.amount, bp);
  const products = el("select", { id: "product_id", name: "product_id" }, el("option", { value: "" }, "—"));
  const bank = el("select", { id: "bank", name: "bank" }, el("option", { value: "" }, "—"),
    lenders.map((p) => el("option", { value: p.party_id }, `${p.party_id} · ${p.name}`)));
  bank.addEventListener("change", async () => {
    const list = bank.value ? (await api(`/lending/products?lender_id=${encodeURIComponent(bank.value)}&limit=100`)).products : [];
    products.replaceChildren(el("option", { value: "" }, "—"),
      ...list.filter((p) => p.currency === undefined || p.currency === "CNY").map((p) => el("option", { value: p.product_id }, `${p.product_id} · ${p.name}`)));
    if (list.length === 1) products.value = list[0].product_id;
  });
  const lines = [];
  for (let n = 0; n < PLAN_LINES_MAX; n++) {
    lines.push(el("div", { class: "plan-line" },
      field(`plan_supplier_${n}`, t("plan_supplier", { n: n + 1 }), el("select", { id: `plan_supplier_${n}`, name: `plan_supplier_${n}` },
        el("option", { value: "" }, "—"), suppliers.map((p) => el("option", { value: p.party_id }, `${p.party_id} · ${p.name}`)))),
      field(`plan_amount_${n}`, t("plan_amount"), input(`plan_amount_${n}`, { inputmode: "decimal" }))));
  }
  const total = el("span", { id: "plan-total" }, money(0));
  const form = el("form", { id: "request-form", novalidate: "" },
    el("h3", {}, t("request_order_financing")), el("p", { class: "muted" }, t("request_order_financing_help", { cap: money(cap), pct: percent(String(bp / 10000)) })),
    field("bank", t("bank"), bank), field("product_id", t("product"), products),
    field("annual_rate_max", t("rate_max_pct"), input("annual_rate_max", { inputmode: "decimal" })),
    field("term_periods", t("term"), input("term_periods", { inputmode: "numeric", value: "1" })),
    el("h4", {}, t("plan")), el("p", { class: "muted" }, t("plan_help")), ...lines,
    field("plan", t("plan_total"), total),
    el("button", { type: "submit", id: "request-financing" }, t("request_signed")), resultLine());
  const readPlan = (errors) => {
    const plan = [], seen = new Set();
    for (let n = 0; n < PLAN_LINES_MAX; n++) {
      const supplier = $(`#plan_supplier_${n}`, form).value, text = $(`#plan_amount_${n}`, form).value;
      if (!supplier && !text.trim()) continue;
      if (!supplier) errors[`plan_supplier_${n}`] = t("err_required");
      else if (seen.has(supplier)) errors[`plan_supplier_${n}`] = t("err_supplier_twice");
      seen.add(supplier);
      const amount = checkAmount(text, errors, `plan_amount_${n}`);
      if (supplier && amount) plan.push({ supplier, amount });
    }
    return plan;
  };
  form.addEventListener("input", () => { total.textContent = money(readPlan({}).reduce((s, l) => s + l.amount, 0)); });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const errors = {};
    if (!bank.value) errors.bank = t("err_required");
    if (!products.value) errors.product_id = bank.value ? t("err_no_product") : t("err_required");
    const rateText = $("#annual_rate_max", form).value, rate = parsePercent(rateText);
    if (!rateText.trim()) errors.annual_rate_max = t("err_required");
    else if (rate === null) errors.annual_rate_max = t("err_percent");
    else if (rate === "0" || compareRates(rate, "1") > 0) errors.annual_rate_max = t("err_rate_positive");
    const termText = $("#term_periods", form).value.trim();
    if (!/^\d{1,3}$/.test(termText) || Number(termText) < 1 || Number(termText) > 120) errors.term_periods = t("err_term");
    const plan = readPlan(errors);
    const sum = plan.reduce((s, l) => s + l.amount, 0);
    if (!plan.length && !Object.keys(errors).some((k) => k.startsWith("plan_"))) errors.plan = t("err_plan_empty");
    else if (sum > cap) errors.plan = t("err_above_advance", { max: money(cap), pct: percent(String(bp / 10000)) });
    if (!showErrors(form, errors)) return;
    const payload = { financing_id: shortId("of"), order_id: order.order_id, bank: bank.value, product_id: products.value,
      amount: sum, term_periods: Number(termText), annual_rate_max: rate, plan };
    try {
      const receipt = await submit("order.request_financing", payload);
      showReceipt(form, receipt, "request-receipt");
      for (const b of form.querySelectorAll("button")) b.disabled = true;
    } catch (err) { showErrors(form, serverErrors(err, REQUEST_CODES)); }
  });
  return form;
}

const DRAW_CODES = { "payee-not-in-plan": "supplier", "exceeds-plan": "draw_amount", "no-cash-account": "supplier", "order-wrong-state": "supplier" };

function drawForm(order, financing) {
  const drawn = new Map();
  for (const d of financing.draws) drawn.set(d.supplier, (drawn.get(d.supplier) ?? 0) + d.amount);
  const left = financing.plan.map((l) => ({ ...l, left: l.amount - (drawn.get(l.supplier) ?? 0) }));
  const form = el("form", { id: "draw-form", novalidate: "" },
    el("h3", {}, t("draw_tranche")), el("p", { class: "muted" }, t("draw_help", { bank: financing.bank, rate: percent(financing.annual_rate) })),
    table([t("plan_supplier", { n: "" }), t("plan_amount"), t("drawn"), t("to_come")],
      left.map((l) => [l.supplier, money(l.amount), money(l.amount - l.left), money(l.left)]), { id: "plan-left" }),
    field("supplier", t("pay_to_supplier"), el("select", { id: "supplier", name: "supplier" }, el("option", { value: "" }, "—"),
      left.filter((l) => l.left > 0).map((l) => el("option", { value: l.supplier }, `${l.supplier} · ${t("at_most", { max: money(l.left) })}`)))),
    field("draw_amount", t("amount_yuan_draw"), input("draw_amount", { inputmode: "decimal" })),
    el("button", { type: "submit", id: "draw" }, t("draw_signed")), resultLine());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const errors = {}, supplier = $("#supplier", form).value;
    if (!supplier) errors.supplier = t("err_required");
    const amount = checkAmount($("#draw_amount", form).value, errors, "draw_amount");
    const line = left.find((l) => l.supplier === supplier);
    if (line && amount && amount > line.left) errors.draw_amount = t("err_above_plan", { max: money(line.left), supplier });
    if (!showErrors(form, errors)) return;
    try {
      const receipt = await submit("order.draw", { order_id: order.order_id, tranche_id: shortId("tr"), supplier, amount });
      showReceipt(form, receipt, "draw-receipt");
      for (const b of form.querySelectorAll("button")) b.disabled = true;
    } catch (err) { showErrors(form, serverErrors(err, DRAW_CODES)); }
  });
  return form;
}

// ---- the buyer -----------------------------------------------------------------------------------

async function buyerActions(order) {
  if (order.status === "open") return [confirmForm(order)];
  if (order.status !== "confirmed") return [];
  const [docs, quote, mine] = await Promise.all([api("/documents?limit=500"), api(`/orders/${encodeURIComponent(order.order_id)}/payment-quote`),
    api("/orders?limit=500")]);
  // a delivery note or invoice pays for one order: leave out those the seller's paid orders used
  const paid = mine.orders.filter((o) => o.seller === order.seller && o.status === "paid");
  const trails = await Promise.all(paid.map((o) => api(`/orders/${encodeURIComponent(o.order_id)}/trail`)));
  const used = new Set(trails.flatMap((tr) => tr.documents.map((d) => d.document_id)));
  const fromSeller = docs.documents.filter((d) => d.owner === order.seller && d.counterparty === state.me.party_id && !used.has(d.document_id));
  const notes = fromSeller.filter((d) => d.kind === "delivery_note"), invoices = fromSeller.filter((d) => d.kind === "e_invoice");
  return [deliveriesTable(notes), payForm(order, quote, notes.filter((d) => d.confirmed_on), invoices)];
}

const CONFIRM_CODES = { "order-terms-mismatch": "confirm_amount", "order-wrong-state": "confirm_amount" };

function confirmForm(order) {
  const form = el("form", { id: "confirm-order-form", novalidate: "" },
    el("h3", {}, t("countersign")), el("p", { class: "muted" }, t("countersign_help")),
    field("confirm_amount", t("order_amount_yuan"), input("confirm_amount", { inputmode: "decimal", value: money(order.amount).replace(/^¥/, "") })),
    field("confirm_due", t("delivery_due"), input("confirm_due", { value: order.delivery_due })),
    el("button", { type: "submit", id: "countersign" }, t("countersign_signed")), resultLine());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const errors = {}, due = $("#confirm_due", form).value.trim();
    const amount = checkAmount($("#confirm_amount", form).value, errors, "confirm_amount");
    if (amount && amount !== order.amount) errors.confirm_amount = t("err_not_order_terms", { value: money(order.amount) });
    if (!due) errors.confirm_due = t("err_required");
    else if (!DATE_PATTERN.test(due)) errors.confirm_due = t("err_date");
    else if (due !== order.delivery_due) errors.confirm_due = t("err_not_order_terms", { value: order.delivery_due });
    if (!showErrors(form, errors)) return;
    try {
      const receipt = await submit("order.confirm", { order_id: order.order_id, amount, delivery_due: due });
      showReceipt(form, receipt, "countersign-receipt");
      $("#order-status").textContent = t("order_confirmed");
      for (const b of form.querySelectorAll("button")) b.disabled = true;
    } catch (err) { showErrors(form, serverErrors(err, CONFIRM_CODES)); }
  });
  return form;
}

function confirmDeliveryButton(doc) {
  const out = el("span", { class: "form-result" });
  const button = el("button", { class: "confirm-delivery", "data-document": doc.document_id }, t("confirm_delivery_signed"));
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const receipt = await submit("document.confirm", { document_id: doc.document_id });
      out.className = "ok";
      out.replaceChildren(t("confirmed_as"), " ", entryLink(receipt.seq, { class: "receipt-link" }), " · ", el("a", { href: location.hash }, t("reload_to_pay")));
      button.remove();
    } catch (err) { button.disabled = false; out.className = "bad"; out.textContent = serverErrors(err).form; }
  });
  return el("span", {}, button, out);
}

function deliveriesTable(notes) {
  return [el("h3", {}, t("deliveries")), el("p", { class: "muted" }, t("deliveries_help")),
    table([t("document_id"), t("registered"), t("confirmed"), ""],
      notes.map((d) => [d.document_id, entryLink(d.registered_seq), d.confirmed_on ? date(d.confirmed_on) : "—", d.confirmed_on ? "" : confirmDeliveryButton(d)]),
      { id: "deliveries" })];
}

/** The payment quote: the lender first (up to its loan's settlement quote), the seller the rest. */
export function quoteFacts(quote) {
  return facts([[t("pay_amount"), money(quote.amount, quote.currency)],
    [t("to_lender", { lender: quote.lender ?? "—" }), el("span", { id: "quote-lender" }, money(quote.to_lender, quote.currency))],
    [t("to_seller"), el("span", { id: "quote-seller" }, money(quote.to_seller, quote.currency))],
    [t("financing_after"), quote.financing_status ? t("ofin_" + quote.financing_status) : t("not_financed")],
    ...(quote.owed ? [[t("loan_owed_today"), money(quote.owed.total)]] : [])], { id: "payment-quote" });
}

const PAY_CODES = { "delivery-not-confirmed": "delivery_ids", "order-document-not-usable": "delivery_ids", "document-already-used": "delivery_ids",
  "payment-not-order-amount": "delivery_ids", "no-cash-account": "delivery_ids", "insufficient-funds": "delivery_ids" };

function checkboxes(name, docs) {
  if (!docs.length) return el("span", { class: "muted", id: name }, t("none"));
  return el("span", { id: name, class: "checks" }, docs.map((d) => el("label", { class: "check" },
    el("input", { type: "checkbox", name, value: d.document_id }), " ", d.document_id)));
}

function payForm(order, quote, confirmedNotes, invoices) {
  const form = el("form", { id: "pay-form", novalidate: "" },
    el("h3", {}, t("pay_order")), el("p", { class: "muted" }, t("pay_order_help")), quoteFacts(quote),
    field("delivery_ids", t("pay_for_deliveries"), checkboxes("delivery_ids", confirmedNotes)),
    field("invoice_ids", t("pay_for_invoices"), checkboxes("invoice_ids", invoices)),
    el("button", { type: "submit", id: "pay" }, t("pay_signed", { amount: money(order.amount, order.currency) })), resultLine());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = (name) => [...form.querySelectorAll(`input[name=${name}]:checked`)].map((i) => i.value);
    const deliveryIds = chosen("delivery_ids"), invoiceIds = chosen("invoice_ids");
    const errors = deliveryIds.length ? {} : { delivery_ids: confirmedNotes.length ? t("err_choose_delivery") : t("err_no_confirmed_delivery") };
    if (!showErrors(form, errors)) return;
    try {
      const receipt = await submit("order.pay", { order_id: order.order_id, payment_id: shortId("pay"), amount: order.amount,
        delivery_ids: deliveryIds, invoice_ids: invoiceIds });
      showReceipt(form, receipt, "pay-receipt");
      const paid = receipt.events?.find((e) => e.type === "order.paid")?.data;
      if (paid) $(".form-result", form).append(" · ", t("paid_split", { lender: money(paid.to_lender), seller: money(paid.to_seller) }));
      $("#order-status").textContent = t("order_paid");
      for (const b of form.querySelectorAll("button")) b.disabled = true;
    } catch (err) { showErrors(form, serverErrors(err, PAY_CODES)); }
  });
  return form;
}
