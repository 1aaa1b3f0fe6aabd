// Receivables (应收账款): the holder's wallet of pieces, a piece's trace to the root with the
// holder's actions (split to its own suppliers, offer to a bank), the core enterprise's issued
// receivables and payables by maturity, the penetration graph. Each action is one signed
// command. The bank's desk for financing requests is in financing.js.
import { api, shortId, state, submit, supervises, t } from "../api.js";
import { barChart } from "../chart.js";
import { $, ID_PATTERN, date, el, entryLink, facts, field, ids, input, money, parseMoney, resultLine, section,
  serverErrors, showErrors, showReceipt, table } from "../ui.js";

const pieceLink = (id) => el("a", { href: `#/piece/${encodeURIComponent(id)}`, class: "ids" }, id);
const graphLink = (id) => el("a", { href: `#/graph/${encodeURIComponent(id)}`, class: "ids" }, id);
export const rcvStatus = (s) => el("span", { class: `rcv-${s}` }, t("rcv_" + s));

/** Confirmed contracts in which another party sells to me: my own suppliers, with the contract. */
async function mySuppliers() {
  const docs = (await api("/documents?limit=500")).documents;
  return docs.filter((d) => d.kind === "contract" && d.counterparty === state.me.party_id && d.confirmed_on && d.owner !== state.me.party_id)
    .map((d) => ({ party: d.owner, contract: d.document_id }));
}

function acceptButton(r) {
  const out = el("span", { class: "form-result" });
  const button = el("button", { class: "accept", "data-receivable": r.receivable_id }, t("accept"));
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const receipt = await submit("receivable.accept", { receivable_id: r.receivable_id });
      out.className = "ok";
      out.replaceChildren(t("accepted_as"), " ", entryLink(receipt.seq, { class: "receipt-link" }));
      button.remove();
    } catch (err) {
      button.disabled = false;
      out.className = "bad";
      out.textContent = serverErrors(err).form;
    }
  });
  return el("span", {}, button, out);
}

/** The pieces I hold, what they are worth and who owes them; receivables offered to me. */
export async function walletView() {
  const [w, mine] = await Promise.all([api("/receivables/wallet?limit=500"), api("/receivables?limit=500")]);
  const offered = mine.receivables.filter((r) => r.supplier === state.me.party_id && r.status === "offered");
  return section(t("wallet"), el("p", { class: "muted" }, t("wallet_help")),
    facts([[t("total_held"), el("span", { id: "total-held" }, money(w.total_held))], [t("pieces_held"), String(w.pieces_held)]]),
    table([t("piece"), t("debtor"), t("amount"), t("maturity"), t("status")],
      w.pieces.map((p) => [pieceLink(p.piece_id), p.issuer, money(p.amount), date(p.maturity_date),
        p.offered_to ? el("span", { class: "muted" }, t("offered_to", { bank: p.offered_to })) : rcvStatus(p.receivable_status)]),
      { id: "wallet" }),
    offered.length ? [el("h3", {}, t("offered_to_me")),
      table([t("receivable"), t("debtor"), t("amount"), t("maturity"), ""],
        offered.map((r) => [r.receivable_id, r.issuer, money(r.amount), date(r.maturity_date), acceptButton(r)]), { id: "offered" })] : "");
}

/** A piece: its path from the root (穿透), and — for its holder — split and financing. */
export async function pieceView(params, id) {
  const trace = await api(`/receivables/pieces/${encodeURIComponent(id)}/trace`);
  const r = trace.receivable, piece = trace.piece;
  const live = piece.status === "held" && r.status === "active" && piece.holder === state.me.party_id && r.maturity_date > state.today;
  let actions = "";
  if (live) {
    const wallet = (await api("/receivables/wallet?limit=1000")).pieces.find((p) => p.piece_id === piece.piece_id);
    actions = wallet?.offered_to
      ? el("p", { class: "muted", id: "offered-note" }, t("offered_to", { bank: wallet.offered_to }))
      : await holderForms(piece);
  }
  return section(`${t("piece")} ${piece.piece_id}`,
    facts([[t("receivable"), r.issuer === state.me.party_id || supervises() ? graphLink(r.receivable_id) : r.receivable_id],
      [t("debtor"), r.issuer], [t("face"), money(r.amount)], [t("maturity"), date(r.maturity_date)], [t("status"), rcvStatus(r.status)],
      [t("amount"), el("span", { id: "piece-amount" }, money(piece.amount))], [t("holder"), el("span", { id: "piece-holder" }, piece.holder)],
      [t("piece_status"), t("piece_" + piece.status)]]),
    el("h3", {}, t("trace_path")), el("p", { class: "muted" }, t("trace_path_help")),
    table([t("depth"), t("piece"), t("holder"), t("amount"), t("date"), t("entry")],
      trace.path.map((p) => [String(p.depth), ids(p.piece_id), p.holder, money(p.amount), date(p.created_on), entryLink(p.created_seq)]),
      { id: "trace-path" }),
    actions);
}

async function holderForms(piece) {
  const [suppliers, banks] = await Promise.all([mySuppliers(), api("/parties?role=bank&limit=100")]);
  return el("div", { class: "forms" }, splitForm(piece, suppliers), financingForm(piece, suppliers, banks.parties));
}

const SPLIT_CODES = { "exceeds-held": "amount", "no-supply-contract": "to", "no-cash-account": "to", "piece-exists": "amount" };

function splitForm(piece, suppliers) {
  const form = el("form", { id: "split-form", novalidate: "" },
    el("h3", {}, t("split")), el("p", { class: "muted" }, t("split_help")),
    field("to", t("to_supplier"), el("select", { id: "to", name: "to" },
      el("option", { value: "" }, "—"),
      suppliers.map((s) => el("option", { value: `${s.party}|${s.contract}` }, `${s.party} · ${s.contract}`)))),
    field("amount", t("amount_yuan_split"), input("amount", { inputmode: "decimal" }), t("at_most", { max: money(piece.amount) })),
    el("button", { type: "submit", id: "split" }, t("split_signed")), resultLine());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const errors = {}, text = $("#amount", form).value, choice = $("#to", form).value;
    const amount = parseMoney(text);
    if (!choice) errors.to = suppliers.length ? t("err_required") : t("err_no_suppliers");
    if (!text.trim()) errors.amount = t("err_required");
    else if (amount === null || amount <= 0) errors.amount = t("err_money");
    else if (amount > piece.amount) errors.amount = t("err_exceeds_held", { max: money(piece.amount) });
    if (!showErrors(form, errors)) return;
    const [to, contract] = choice.split("|");
    const partId = shortId("pc"), payload = { piece_id: piece.piece_id, parts: [{ piece_id: partId, to, amount, contract_id: contract }] };
    if (amount < piece.amount) payload.remainder_piece_id = shortId("pc");
    try {
      const receipt = await submit("receivable.transfer", payload);
      showReceipt(form, receipt);
      $(".form-result", form).append(" · ", t("split_done", { to, amount: money(amount) }), " ", pieceLink(partId),
        ...(payload.remainder_piece_id ? [" · ", t("kept"), " ", pieceLink(payload.remainder_piece_id)] : []));
      for (const b of form.querySelectorAll("button")) b.disabled = true;
      $("#piece-holder").textContent = `${piece.holder} · ${t("piece_split")}`;
    } catch (err) { showErrors(form, serverErrors(err, SPLIT_CODES)); }
  });
  return form;
}

const FINANCING_CODES = { "piece-already-financed": "bank", "receivable-matured": "bank", "no-cash-account": "payee", "wrong-state": "bank" };

function financingForm(piece, suppliers, banks) {
  const form = el("form", { id: "financing-form", novalidate: "" },
    el("h3", {}, t("ask_bank")), el("p", { class: "muted" }, t("ask_bank_help")),
    field("bank", t("bank"), el("select", { id: "bank", name: "bank" },
      el("option", { value: "" }, "—"), banks.map((b) => el("option", { value: b.party_id }, `${b.party_id} · ${b.name}`)))),
    field("recourse", t("recourse"), el("select", { id: "recourse", name: "recourse" },
      el("option", { value: "yes" }, t("recourse_yes")), el("option", { value: "no" }, t("recourse_no")))),
    field("payee", t("price_to"), el("select", { id: "payee", name: "payee" },
      el("option", { value: "" }, t("myself")), [...new Set(suppliers.map((s) => s.party))].map((p) => el("option", { value: p }, p)))),
    el("button", { type: "submit", id: "request-financing" }, t("ask_bank_signed")), resultLine("financing-result"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const bank = $("#bank", form).value;
    if (!showErrors(form, bank ? {} : { bank: t("err_required") })) return;
    const payload = { financing_id: shortId("fin"), piece_id: piece.piece_id, bank, recourse: $("#recourse", form).value === "yes" };
    if ($("#payee", form).value) payload.payee = $("#payee", form).value;
    try {
      const receipt = await submit("receivable.request_financing", payload);
      showReceipt(form, receipt, "financing-receipt");
      $(".form-result", form).append(" · ", t("offered_to", { bank }));
      for (const b of form.querySelectorAll("button")) b.disabled = true;
      $("#split", document)?.setAttribute("disabled", "");
    } catch (err) { showErrors(form, serverErrors(err, FINANCING_CODES)); }
  });
  return form;
}

/** The core enterprise's receivables: what it issued, and what it pays on which date. */
export async function issuedView() {
  const [list, payables] = await Promise.all([api("/receivables?limit=500"), api("/receivables/payables?limit=500")]);
  const issued = list.receivables.filter((r) => r.issuer === state.me.party_id);
  return section(t("receivables_issued"),
    el("h3", {}, t("payables_by_maturity")),
    facts([[t("total_payable"), el("span", { id: "total-payable" }, money(payables.total_outstanding))]]),
    payables.by_maturity.length
      ? barChart(payables.by_maturity.map((m) => ({ label: m.maturity_date, value: m.outstanding, text: money(m.outstanding) })),
        { title: t("payables_by_maturity"), id: "payables-chart" })
      : el("p", { class: "muted" }, t("nothing_yet")),
    el("h3", {}, t("receivables_issued")),
    receivablesTable(issued, "issued"));
}

function receivablesTable(rows, id) {
  return table([t("receivable"), t("supplier"), t("face"), t("outstanding_rcv"), t("maturity"), t("status"), t("pieces")],
    rows.map((r) => [graphLink(r.receivable_id), r.supplier, money(r.amount), money(r.outstanding), date(r.maturity_date),
      rcvStatus(r.status), String(r.pieces_count)]), { id });
}

/** Every receivable (supervisors): each opens its penetration graph. */
export async function allReceivablesView() {
  const list = await api("/receivables?limit=500");
  return section(t("page_receivables"), receivablesTable(list.receivables, "receivables"));
}

/** The penetration graph: the tree of pieces from the root, each with its holder (核心企业与监管). */
export async function graphView(params, id) {
  const g = await api(`/receivables/${encodeURIComponent(id)}/graph?limit=1000`);
  const children = new Map();
  for (const n of g.nodes) children.set(n.parent_id ?? "", [...(children.get(n.parent_id ?? "") ?? []), n]);
  const held = g.nodes.filter((n) => n.status === "held" || n.status === "paid");
  const holders = new Map();
  for (const n of held) holders.set(n.holder, (holders.get(n.holder) ?? 0) + n.amount);
  const tree = (parent, depth) => {
    const kids = children.get(parent) ?? [];
    if (!kids.length || depth > 32) return "";
    return el("ul", { class: depth ? "tree" : "tree root" }, kids.map((n) => el("li", { "data-piece": n.piece_id },
      el("span", { class: `node node-${n.status}` }, pieceLink(n.piece_id), " · ", el("b", {}, n.holder), " · ", money(n.amount), " · ",
        t("piece_" + n.status)), tree(n.piece_id, depth + 1))));
  };
  const r = g.receivable;
  return section(`${t("graph")} ${r.receivable_id}`,
    facts([[t("debtor"), r.issuer], [t("supplier"), r.supplier], [t("face"), money(r.amount)], [t("maturity"), date(r.maturity_date)],
      [t("status"), rcvStatus(r.status)], [t("entry"), entryLink(r.issued_seq)]]),
    el("p", { class: "muted" }, t("graph_help")),
    el("div", { id: "graph" }, tree("", 0)),
    el("h3", {}, t("holders_now")),
    barChart([...holders].map(([h, v]) => ({ label: h, value: v, text: money(v) })), { title: t("holders_now"), id: "holders-chart" }),
    g.next_after ? el("p", { class: "muted" }, t("graph_truncated")) : "");
}

export { pieceLink, receivablesTable };
