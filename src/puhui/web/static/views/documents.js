// Documents: what the party owns or is the counterparty of, who read them (the access log), read
// access granted by consent, and — for the counterparty — confirming a delivery or an invoice.
import { api, state, submit, t } from "../api.js";
import { $, ID_PATTERN, date, el, entryLink, field, input, resultLine, section, serverErrors, showErrors, showReceipt, table } from "../ui.js";

const awaitsMe = (d) => d.counterparty === state.me.party_id && !d.confirmed_on;

function confirmButton(doc) {
  const out = el("span", { class: "form-result" });
  const button = el("button", { class: "confirm", "data-document": doc.document_id }, t("confirm"));
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const receipt = await submit("document.confirm", { document_id: doc.document_id });
      out.className = "ok";
      out.replaceChildren(t("confirmed_as"), " ", entryLink(receipt.seq, { class: "receipt-link" }));
      button.remove();
    } catch (err) {
      button.disabled = false;
      out.className = "bad";
      out.textContent = serverErrors(err).form ?? `${t("err_server")}: ${err.message}`;
    }
  });
  return el("span", {}, button, out);
}

function documentsTable(docs, id) {
  return table(["ID", t("kind"), t("owner"), t("counterparty"), t("confirmed"), t("entry")],
    docs.map((d) => [d.document_id, t("kind_" + d.kind), d.owner, d.counterparty ?? "—",
      awaitsMe(d) ? confirmButton(d) : date(d.confirmed_on), entryLink(d.registered_seq)]), { id });
}

/** The core enterprise's to-do: documents naming it that it has not confirmed yet. */
export async function toConfirmView() {
  const docs = (await api("/documents?limit=500")).documents;
  return section(t("to_confirm"), el("p", { class: "muted" }, t("to_confirm_help")),
    documentsTable(docs.filter(awaitsMe), "to-confirm"),
    el("h3", {}, t("confirmed_documents")),
    documentsTable(docs.filter((d) => d.counterparty === state.me.party_id && d.confirmed_on), "confirmed-documents"));
}

export async function documentsView() {
  const [docs, reads] = await Promise.all([api("/documents?limit=100"), api("/documents/access-log?limit=100")]);
  return section(t("documents"),
    documentsTable(docs.documents, "documents"),
    el("h3", {}, t("access_log")),
    table([t("date"), t("reader"), "ID", t("purpose"), t("status")],
      reads.reads.map((r) => [date(r.read_on), r.reader, r.document_id, t("purpose_" + r.purpose),
        el("span", { class: r.outcome === "granted" ? "ok" : "bad" }, t(r.outcome))]), { id: "access-log" }),
    grantForm());
}

function checkGrant(v) {
  const errors = {};
  for (const name of ["grant_id", "grantee", "valid_until"]) if (!v[name].trim()) errors[name] = t("err_required");
  for (const name of ["grant_id", "grantee", "document_id"]) if (v[name] && !errors[name] && !ID_PATTERN.test(v[name])) errors[name] = t("err_id");
  if (v.valid_until && !errors.valid_until) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v.valid_until) || isNaN(Date.parse(v.valid_until))) errors.valid_until = t("err_date");
    else if (v.valid_until <= state.today) errors.valid_until = t("err_past");
  }
  if (!v.document_id === !v.kind) errors.document_id = t("err_scope");
  return errors;
}

function grantForm() {
  const form = el("form", { id: "grant-form", novalidate: "" },
    el("h3", {}, t("grant_access")),
    field("grant_id", t("grant_id"), input("grant_id")),
    field("grantee", t("grantee"), input("grantee")),
    field("purpose", t("purpose"), el("select", { id: "purpose", name: "purpose" },
      ["credit_assessment", "loan_monitoring", "supervision"].map((p) => el("option", { value: p }, t("purpose_" + p))))),
    field("document_id", t("document_id"), input("document_id")),
    field("kind", t("kind"), input("kind", { placeholder: "tax_filing" })),
    field("valid_until", t("valid_until"), input("valid_until", { placeholder: "YYYY-MM-DD" })),
    el("button", { type: "submit" }, t("submit")), resultLine());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = Object.fromEntries(new FormData(form));
    if (!showErrors(form, checkGrant(v))) return;
    const payload = { grant_id: v.grant_id, grantee: v.grantee, purpose: v.purpose, valid_until: v.valid_until };
    if (v.document_id) payload.document_id = v.document_id; else payload.kind = v.kind;
    try {
      showReceipt(form, await submit("consent.grant", payload));
    } catch (err) {
      showErrors(form, serverErrors(err));
    }
  });
  return form;
}
