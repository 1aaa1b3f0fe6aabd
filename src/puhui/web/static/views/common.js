// Views every signed-in party has: the log's checkpoint with its witnesses, the party's own log
// entries with in-browser inclusion proofs, parties, and accounts with their statements.
import { api, state, submit, t } from "../api.js";
import { b64decode, checkCosignature, checkEntry, openCheckpoint } from "../crypto.js";
import { $, date, el, entryLink, facts, field, ids, input, money, noteErrors, resultLine, section, serverErrors, showErrors, showReceipt,
  table } from "../ui.js";

const logKey = () => fetch("/api/v1/log/key").then((r) => r.text());

/** Verify entry `seq` against the latest signed checkpoint and the log key, in the browser. */
export async function verifyEntry(seq) {
  const [checkpoint, vkey] = await Promise.all([api("/log/checkpoint"), logKey()]);
  const proven = await api(`/entries/${seq}?tree_size=${checkpoint.size}`);
  return { ...(await checkEntry(proven, checkpoint.note, vkey)), entry: proven.entry };
}

function verdict(outcome) {
  return outcome.ok ? t("verified_at", { size: outcome.size }) : `${t("not_verified")}: ${t("reason_" + outcome.reason)}`;
}

/** The latest checkpoint: the log's signature and each witness's cosignature checked here. */
export async function checkpointView() {
  const [clock, cp, vkey] = await Promise.all([api("/clock"), api("/log/checkpoint"), logKey()]);
  const opened = await openCheckpoint(cp.note, vkey);
  const witnesses = await Promise.all(cp.cosigners.map(async (name) => {
    const party = await api(`/parties/${encodeURIComponent(name)}`);
    const keys = party.keys.filter((k) => k.revoked_seq === null).map((k) => b64decode(k.public_key));
    const time = await checkCosignature(cp.note, name, keys);
    return [name, el("span", { class: time === null ? "bad" : "ok" },
      time === null ? t("cosignature_bad") : t("cosignature_ok", { time: new Date(time * 1000).toISOString().slice(0, 16).replace("T", " ") + " UTC" }))];
  }));
  return section(t("checkpoint"),
    facts([
      [t("business_date"), el("span", { id: "business-date" }, clock.business_date)],
      [t("log_size"), el("span", { id: "log-size" }, cp.size)],
      [t("root"), el("code", {}, cp.root)],
      [t("log_signature"), el("span", { id: "log-signature", class: opened ? "ok" : "bad" }, opened ? t("signature_ok") : t("signature_bad"))],
    ]),
    el("h3", {}, t("witnesses")),
    witnesses.length ? table([t("witness"), t("status")], witnesses, { id: "witnesses" }) : el("p", { id: "witnesses", class: "muted" }, t("not_cosigned_yet")),
    el("pre", { id: "checkpoint-note" }, cp.note));
}

export async function logView(params) {
  const after = Number(params.get("after") ?? -1);
  const page = await api(`/entries?after=${after}&limit=50`);
  const rows = page.entries.map((seq) => [entryLink(seq)]);
  return section(t("my_entries"), table([t("entry")], rows),
    page.next_after !== null ? el("a", { href: `#/log?after=${page.next_after}` }, t("more")) : "");
}

export async function entryView(params, seq) {
  const entry = await api(`/entries/${seq}`);
  const command = entry.entry.command;
  const result = el("p", { id: "verify-result" });
  const verify = async () => {
    const outcome = await verifyEntry(seq);
    result.className = outcome.ok ? "ok" : "bad";
    result.textContent = verdict(outcome);
  };
  return section(`${t("entry")} #${seq}`,
    facts([[t("type"), el("span", { id: "entry-type" }, command.type)], [t("signed_by"), command.actor], [t("date"), date(command.business_date)]]),
    el("button", { id: "verify-entry", on: { click: verify } }, t("verify_entry")), result,
    el("pre", {}, JSON.stringify(entry.entry, null, 2)));
}

/** Check any entry's inclusion proof by its number (supervisors see every entry). */
export function verifyView() {
  const form = el("form", { id: "verify-form", novalidate: "" },
    field("seq", t("entry_number"), input("seq", { inputmode: "numeric" })),
    el("button", { type: "submit" }, t("verify_entry")), resultLine());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("#seq", form).value.trim();
    if (!showErrors(form, /^\d{1,12}$/.test(text) ? {} : { seq: t("err_entry_number") })) return;
    try {
      const outcome = await verifyEntry(Number(text));
      const result = $(".form-result", form);
      result.className = `form-result ${outcome.ok ? "ok" : "bad"}`;
      result.replaceChildren(el("span", { id: "verify-result" }, verdict(outcome)), " ",
        entryLink(text), ` ${outcome.entry.command.type}`);
    } catch (err) {
      showErrors(form, { seq: err.body?.status === 404 ? t("err_no_entry") : `${t("err_server")}: ${err.message}` });
    }
  });
  return section(t("check_inclusion"), el("p", {}, t("check_inclusion_help")), form);
}

export async function partiesView() {
  const page = await api("/parties?limit=200");
  return section(t("parties"),
    table(["ID", t("name"), t("roles"), t("region")], page.parties.map((p) => [p.party_id, p.name, p.roles.map((r) => t("role_" + r)).join(", "), p.region ?? "—"])));
}

export async function accountsView() {
  const page = await api(`/accounts?party_id=${encodeURIComponent(state.me.party_id)}&limit=100`);
  return section(t("accounts"),
    table([t("account"), t("currency"), t("balance"), t("available"), t("pending")],
      page.accounts.map((a) => [el("a", { href: `#/account/${encodeURIComponent(a.account_id)}`, class: "ids" }, a.account_id), a.currency,
        money(a.balance, a.currency), money(a.available ?? a.balance, a.currency), money(a.pending_balance, a.currency)]),
      { id: "accounts" }));
}

export async function accountView(params, accountId) {
  const [account, page] = await Promise.all([
    api(`/accounts/${encodeURIComponent(accountId)}`),
    api(`/accounts/${encodeURIComponent(accountId)}/statement?limit=100${params.get("after") ? "&after=" + params.get("after") : ""}`),
  ]);
  const c = account.currency;
  return section(`${t("account")} ${accountId}`,
    facts([[t("balance"), money(account.balance, c)], [t("available"), money(account.available ?? account.balance, c)]]),
    table([t("date"), t("entry"), t("counterparty"), t("amount"), t("balance"), t("reference")],
      page.lines.map((l) => [date(l.business_date), entryLink(l.seq), ids(l.counterparty),
        el("span", { class: l.side === "C" ? "ok" : "" }, (l.side === "C" ? "+" : "−") + money(l.amount, c)),
        money(l.balance, c), referenceLink(l.reference)])),
    page.next_after ? el("a", { href: `#/account/${encodeURIComponent(accountId)}?after=${page.next_after}` }, t("more")) : "");
}

/** A transfer's business reference, linked when the console has a page for it. */
export function referenceLink(reference) {
  if (!reference) return "—";
  const [kind, ...rest] = reference.split(":");
  return kind === "loan" ? el("a", { href: `#/loan/${encodeURIComponent(rest.join(":"))}` }, reference) : reference;
}

/**
 * A bank's "decline with a reason" form for a financing request: signs `command` with the
 * request's `financing_id`, then says `declinedText` in `#${statusId}` and disables the
 * buttons of the forms in `lock` (selectors), so nothing is submitted twice.
 */
export function declineForm(financingId, { formId, buttonId, command, statusId, declinedText, lock }) {
  const form = el("form", { id: formId, novalidate: "" },
    el("h3", {}, t("decline")),
    field("reason", t("reason"), input("reason")),
    el("button", { type: "submit", id: buttonId }, t("decline_signed")), resultLine("decline-result"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const reason = $("#reason", form).value.trim();
    if (!showErrors(form, noteErrors("reason", reason, true))) return;
    try {
      showReceipt(form, await submit(command, { financing_id: financingId, reason }), "decline-receipt");
      $(`#${statusId}`).textContent = declinedText;
      for (const b of document.querySelectorAll(lock.map((f) => `${f} button`).join(", "))) b.disabled = true;
    } catch (err) { showErrors(form, serverErrors(err)); }
  });
  return form;
}
