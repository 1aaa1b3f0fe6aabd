// The puhui console: a small hash-routed app over the public API. Every action is a signed
// command: signed here with the user's own key when one is loaded, else by the platform's
// custodial key for the signed-in party.
import { STRINGS } from "./i18n.js";
import { checkEntry, importSigningKey, keyId, signCommand } from "./crypto.js";

const state = {
  lang: localStorage.getItem("puhui.lang") || "zh-CN",
  token: sessionStorage.getItem("puhui.token"),
  me: null,
  key: null,
  today: null,
};
const t = (k) => STRINGS[state.lang][k] ?? k;
const $ = (sel, root = document) => root.querySelector(sel);
const main = () => $("#main");

// ---- formatting ---------------------------------------------------------------------------
export function money(minor, currency = "CNY", scale = 2) {
  const sign = minor < 0 ? "-" : "";
  const digits = String(Math.abs(minor)).padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const symbol = { CNY: "¥", ECNY: "e¥" }[currency] ?? currency + " ";
  return `${sign}${symbol}${whole}${scale ? "." + digits.slice(-scale) : ""}`;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "on") for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn);
    else if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  for (const c of children.flat()) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function table(headers, rows) {
  return el("table", {}, el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
    el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c) => el("td", {}, c))))));
}

// ---- API ----------------------------------------------------------------------------------
class Problem extends Error {
  constructor(body) { super(body.detail || body.title); this.body = body; }
}

async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (state.token) headers.authorization = `Bearer ${state.token}`;
  if (options.json !== undefined) { headers["content-type"] = "application/json"; options.body = JSON.stringify(options.json); }
  const response = await fetch(`/api/v1${path}`, { ...options, headers });
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Problem(body || { detail: response.statusText });
  return body;
}

function randomKey() {
  return "web-" + Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");
}

// Submit a command as the signed-in party; resolves to the receipt.
async function submit(type, payload) {
  const idempotency_key = randomKey();
  if (state.key) {
    const command = { type, actor: state.me.party_id, key_id: state.key.keyId, idempotency_key,
      business_date: state.today, payload };
    return api("/commands", { method: "POST", json: await signCommand(state.key.privateKey, command) });
  }
  return api("/commands/custodial", { method: "POST", json: { type, payload, idempotency_key } });
}

// ---- views --------------------------------------------------------------------------------
async function overview() {
  const [clock, cp] = await Promise.all([api("/clock"), api("/log/checkpoint")]);
  return el("section", {},
    el("h2", {}, t("overview")),
    table([t("business_date"), t("log_size"), t("witnesses")],
      [[el("span", { id: "business-date" }, clock.business_date), el("span", { id: "log-size" }, cp.size),
        cp.cosigners.length ? cp.cosigners.join(", ") : t("none")]]),
    el("h3", {}, t("checkpoint")), el("pre", { id: "checkpoint-note" }, cp.note));
}

async function logView(params) {
  const after = Number(params.get("after") ?? -1);
  const page = await api(`/entries?after=${after}&limit=50`);
  const rows = page.entries.map((seq) => [el("a", { href: `#/entry/${seq}` }, `#${seq}`)]);
  return el("section", {}, el("h2", {}, t("my_entries")), table([t("entry")], rows),
    page.next_after !== null ? el("a", { href: `#/log?after=${page.next_after}` }, t("more")) : "");
}

async function entryView(params, seq) {
  const entry = await api(`/entries/${seq}`);
  const command = entry.entry.command;
  const result = el("p", { id: "verify-result" });
  // Against the latest signed checkpoint (signed now if the log has grown) and the log's key.
  const verify = async () => {
    const [checkpoint, vkey] = await Promise.all([
      api("/log/checkpoint"), fetch("/api/v1/log/key").then((r) => r.text()),
    ]);
    const proven = await api(`/entries/${seq}?tree_size=${checkpoint.size}`);
    const outcome = await checkEntry(proven, checkpoint.note, vkey);
    result.className = outcome.ok ? "ok" : "bad";
    result.textContent = outcome.ok ? `${t("verified")} (${outcome.size})` : `${t("not_verified")}: ${t("reason_" + outcome.reason)}`;
  };
  return el("section", {},
    el("h2", {}, `${t("entry")} #${seq}`),
    table([t("type"), t("signed_by"), t("date")], [[command.type, command.actor, command.business_date]]),
    el("button", { id: "verify-entry", on: { click: verify } }, t("verify_entry")), result,
    el("pre", {}, JSON.stringify(entry.entry, null, 2)));
}

async function documentsView() {
  const [docs, reads] = await Promise.all([api("/documents?limit=100"), api("/documents/access-log?limit=100")]);
  return el("section", {},
    el("h2", {}, t("documents")),
    table(["ID", t("kind"), t("owner"), t("counterparty"), t("confirmed"), t("entry")],
      docs.documents.map((d) => [d.document_id, d.kind, d.owner, d.counterparty ?? "—", d.confirmed_on ?? "—",
        el("a", { href: `#/entry/${d.registered_seq}` }, `#${d.registered_seq}`)])),
    el("h3", {}, t("access_log")),
    table([t("date"), t("reader"), "ID", t("purpose"), t("status")],
      reads.reads.map((r) => [r.read_on, r.reader, r.document_id, t("purpose_" + r.purpose),
        el("span", { class: r.outcome === "granted" ? "ok" : "bad" }, t(r.outcome))])),
    grantForm());
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function field(name, label, input) {
  return el("label", { for: name }, label, input, el("span", { class: "field-error", id: `${name}-error` }));
}

function grantForm() {
  const form = el("form", { id: "grant-form", novalidate: "" },
    el("h3", {}, t("grant_access")),
    field("grant_id", t("grant_id"), el("input", { id: "grant_id", name: "grant_id" })),
    field("grantee", t("grantee"), el("input", { id: "grantee", name: "grantee" })),
    field("purpose", t("purpose"), el("select", { id: "purpose", name: "purpose" },
      ["credit_assessment", "loan_monitoring", "supervision"].map((p) => el("option", { value: p }, t("purpose_" + p))))),
    field("document_id", t("document_id"), el("input", { id: "document_id", name: "document_id" })),
    field("kind", t("kind"), el("input", { id: "kind", name: "kind", placeholder: "tax_filing" })),
    field("valid_until", t("valid_until"), el("input", { id: "valid_until", name: "valid_until", placeholder: "YYYY-MM-DD" })),
    el("button", { type: "submit" }, t("submit")), el("p", { id: "form-result" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = Object.fromEntries(new FormData(form));
    const errors = {};
    for (const name of ["grant_id", "grantee", "valid_until"]) if (!v[name].trim()) errors[name] = t("err_required");
    for (const name of ["grant_id", "grantee", "document_id"]) if (v[name] && !errors[name] && !ID_PATTERN.test(v[name])) errors[name] = t("err_id");
    if (v.valid_until && !errors.valid_until) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(v.valid_until) || isNaN(Date.parse(v.valid_until))) errors.valid_until = t("err_date");
      else if (v.valid_until <= state.today) errors.valid_until = t("err_past");
    }
    if (!v.document_id === !v.kind) errors.document_id = t("err_scope");
    showErrors(form, errors);
    if (Object.keys(errors).length) return;
    const payload = { grant_id: v.grant_id, grantee: v.grantee, purpose: v.purpose, valid_until: v.valid_until };
    if (v.document_id) payload.document_id = v.document_id; else payload.kind = v.kind;
    try {
      const receipt = await submit("consent.grant", payload);
      $("#form-result", form).replaceChildren(t("submitted"), " ", el("a", { href: `#/entry/${receipt.seq}`, id: "receipt-link" }, `#${receipt.seq}`));
    } catch (err) {
      showErrors(form, serverErrors(err));
    }
  });
  return form;
}

function serverErrors(err) {
  const errors = {};
  for (const e of err.body?.errors ?? []) {
    const name = e.loc[e.loc.length - 1];
    errors[name] = `${t("err_server")}: ${e.msg}`;
  }
  if (!Object.keys(errors).length) errors.form = `${t("err_server")}: ${err.message}`;
  return errors;
}

function showErrors(form, errors) {
  for (const span of form.querySelectorAll(".field-error")) span.textContent = "";
  $("#form-result", form).textContent = errors.form ?? "";
  $("#form-result", form).className = errors.form ? "bad" : "";
  for (const [name, message] of Object.entries(errors)) {
    const span = $(`#${name}-error`, form);
    if (span) span.textContent = message;
    else $("#form-result", form).textContent = message;
  }
}

async function partiesView() {
  const page = await api("/parties?limit=200");
  return el("section", {}, el("h2", {}, t("parties")),
    table(["ID", t("name"), t("roles")], page.parties.map((p) => [p.party_id, p.name, p.roles.join(", ")])));
}

function signinView() {
  const form = el("form", { id: "signin-form" },
    el("h2", {}, t("signin")), el("p", {}, t("signin_help")),
    field("token", t("token"), el("input", { id: "token", name: "token", autocomplete: "off" })),
    field("keyfile", t("keyfile"), el("input", { id: "keyfile", name: "keyfile", type: "file" })),
    el("button", { type: "submit" }, t("signin")), el("p", { id: "form-result" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    state.token = $("#token", form).value.trim();
    try {
      await loadMe();
      const file = $("#keyfile", form).files[0];
      if (file) {
        const privateKey = await importSigningKey(await file.text());
        state.key = { privateKey, ...(await keyId(privateKey)) };
      }
      sessionStorage.setItem("puhui.token", state.token);
      location.hash = "#/";
      render();
    } catch (err) {
      state.token = null;
      showErrors(form, { token: err instanceof Problem ? t("err_auth") : err.message });
    }
  });
  return form;
}

async function loadMe() {
  state.me = await api("/me");
  state.today = (await api("/clock")).business_date;
}

const ROUTES = { "": overview, log: logView, entry: entryView, documents: documentsView, parties: partiesView };

function nav() {
  const links = [["#/", t("overview")], ["#/log", t("log")], ["#/documents", t("documents")], ["#/parties", t("parties")]];
  return el("nav", {},
    links.map(([href, label]) => el("a", { href }, label)),
    el("span", { class: "who", id: "who" }, state.me ? `${state.me.party_id} · ${state.me.roles.join(", ")}` : ""),
    state.me ? el("a", { href: "#/", id: "signout", on: { click: signOut } }, t("signout")) : "",
    el("button", { id: "lang", on: { click: toggleLanguage } }, t("language")));
}

function signOut() {
  sessionStorage.removeItem("puhui.token");
  Object.assign(state, { token: null, me: null, key: null });
}

function toggleLanguage() {
  state.lang = state.lang === "zh-CN" ? "en" : "zh-CN";
  localStorage.setItem("puhui.lang", state.lang);
  render();
}

let renders = 0;

// Render the route in the address bar. Renders overlap (a click while a page still loads); only
// the latest may write to the page, so a slow earlier one cannot replace a newer view.
async function render() {
  const mine = ++renders;
  const current = () => mine === renders;
  document.documentElement.lang = state.lang;
  document.title = t("title");
  $("#nav").replaceChildren(nav());
  const [path, query] = location.hash.replace(/^#\/?/, "").split("?");
  const [name, arg] = path.split("/");
  if (!state.me && state.token) { try { await loadMe(); } catch { signOut(); } }
  if (!current()) return;
  $("#nav").replaceChildren(nav());
  if (!state.me) { main().replaceChildren(signinView()); return; }
  const view = ROUTES[name] ?? overview;
  main().replaceChildren(el("p", {}, t("loading")));
  let content;
  try {
    content = await view(new URLSearchParams(query || ""), arg);
  } catch (err) {
    content = el("p", { class: "bad" }, err.message);
  }
  if (current()) main().replaceChildren(content);
}

window.addEventListener("hashchange", render);
render();
