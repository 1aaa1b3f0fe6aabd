// The puhui console: a small hash-routed app over the public API. Each role's views live in
// views/*.js; this module signs in, draws the role's navigation and renders the current route.
import { Problem, endSession, loadMe, passphraseSignIn, state, t } from "./api.js";
import { importSigningKey, keyId } from "./crypto.js";
import { $, ID_PATTERN, el, field, input, resultLine, showErrors } from "./ui.js";
import { alertsView } from "./views/alerts.js";
import * as bank from "./views/bank.js";
import * as common from "./views/common.js";
import * as documents from "./views/documents.js";
import * as farmer from "./views/farmer.js";
import * as financing from "./views/financing.js";
import { loanView } from "./views/loans.js";
import { orderDeskView } from "./views/order_desk.js";
import { orderTrailView } from "./views/order_trail.js";
import * as orders from "./views/orders.js";
import * as regulator from "./views/regulator.js";
import * as receivables from "./views/receivables.js";
import { receivedView } from "./views/supplier.js";

const ROUTES = {
  "": common.checkpointView, checkpoint: common.checkpointView, log: common.logView, entry: common.entryView,
  verify: common.verifyView, parties: common.partiesView, accounts: common.accountsView, account: common.accountView,
  documents: documents.documentsView, confirm: documents.toConfirmView, received: receivedView,
  applications: bank.applicationsView, application: bank.applicationView, loans: bank.loansView, loan: loanView,
  decisions: bank.decisionsView, decision: bank.decisionView, portfolio: bank.portfolioView,
  supervision: regulator.supervisionView, trace: regulator.traceView, "my-loan": farmer.myLoanView, flock: farmer.flockView,
  wallet: receivables.walletView, piece: receivables.pieceView, issued: receivables.issuedView, graph: receivables.graphView,
  receivables: receivables.allReceivablesView, alerts: alertsView, financings: financing.financingsView, financing: financing.financingView,
  orders: orders.ordersView, order: orders.orderView, "order-trail": orderTrailView, "order-desk": orderDeskView,
};

// Each role's pages, its home first. A party with several roles gets the union.
const SUPERVISOR = ["supervision", "trace", "receivables", "checkpoint", "verify", "parties", "orders"];
const SUPPLIER = ["wallet", "orders", "documents", "received", "accounts"];
const LENDER = ["applications", "loans", "decisions", "portfolio", "alerts", "financings", "order-desk", "accounts", "documents"];
const ROLE_PAGES = {
  bank: LENDER, cooperative: LENDER,
  regulator: SUPERVISOR, operator: SUPERVISOR, auditor: SUPERVISOR,
  farmer: ["my-loan", "flock", "accounts", "documents"],
  supplier: SUPPLIER, sme: SUPPLIER,
  core_enterprise: ["confirm", "issued", "orders", "documents", "accounts"],
};
const COMMON_PAGES = ["checkpoint", "log"];

function pages() {
  const all = (state.me?.roles ?? []).flatMap((r) => ROLE_PAGES[r] ?? ["documents", "accounts"]);
  return [...new Set([...all, ...COMMON_PAGES])];
}

function nav() {
  const current = location.hash.replace(/^#\/?/, "").split(/[/?]/)[0];
  return el("nav", {},
    state.me ? pages().map((p) => el("a", { href: `#/${p}`, class: p === current ? "current" : "", "data-page": p }, t("page_" + p))) : "",
    el("span", { class: "who", id: "who" }, state.me
      ? `${state.me.party_id} · ${state.me.roles.map((r) => t("role_" + r)).join(", ")} · ${t("business_date")} ${state.today}` : ""),
    state.me ? el("a", { href: "#/", id: "signout", on: { click: (e) => { e.preventDefault(); signOut().then(() => { location.hash = "#/"; render(); }); } } }, t("signout")) : "",
    el("button", { id: "lang", on: { click: toggleLanguage } }, t("language")));
}

function signinView() {
  const form = el("form", { id: "signin-form" },
    el("h2", {}, t("signin")), el("p", {}, t("signin_help")),
    field("token", t("token"), input("token")),
    field("keyfile", t("keyfile"), el("input", { id: "keyfile", name: "keyfile", type: "file" })),
    el("button", { type: "submit" }, t("signin")), resultLine());
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
      location.hash = `#/${pages()[0]}`;
      render();
    } catch (err) {
      Object.assign(state, { token: null, me: null, key: null });
      showErrors(form, { token: err instanceof Problem ? t("err_auth") : err.message });
    }
  });
  return el("div", {}, form, passphraseForm());
}

function passphraseForm() {
  const form = el("form", { id: "passphrase-form", novalidate: "" },
    el("h3", {}, t("signin_passphrase")), el("p", { class: "muted" }, t("signin_passphrase_help")),
    field("party_id", t("party_id"), input("party_id", { autocapitalize: "none" })),
    field("passphrase", t("passphrase"), input("passphrase", { type: "password", autocomplete: "current-password" })),
    el("button", { type: "submit" }, t("unlock_signin")), resultLine("passphrase-result"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const party = $("#party_id", form).value.trim(), passphrase = $("#passphrase", form).value;
    const errors = {};
    if (!party) errors.party_id = t("err_required"); else if (!ID_PATTERN.test(party)) errors.party_id = t("err_id");
    if (!passphrase) errors.passphrase = t("err_required");
    if (!showErrors(form, errors)) return;
    $("button", form).disabled = true;
    $(".form-result", form).textContent = t("unlocking");
    try {
      await passphraseSignIn(party, passphrase);
      sessionStorage.setItem("puhui.token", state.token);
      location.hash = `#/${pages()[0]}`;
      render();
    } catch (err) {
      Object.assign(state, { token: null, me: null, key: null, session: null });
      $("button", form).disabled = false;
      const code = err instanceof Problem ? err.code : "";
      showErrors(form, code === "not-found" ? { party_id: t("err_no_passphrase") }
        : code === "authentication-failed" ? { passphrase: t("err_passphrase") }
          : code === "too-many-attempts" ? { passphrase: t("err_too_many") } : { form: `${t("err_server")}: ${err.message}` });
    }
  });
  return form;
}

async function signOut() {
  await endSession();
  sessionStorage.removeItem("puhui.token");
  Object.assign(state, { token: null, me: null, key: null, session: null });
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
  if (!state.me) { $("#main").replaceChildren(signinView()); return; }
  const view = ROUTES[name] ?? ROUTES[pages()[0]];
  $("#main").replaceChildren(el("p", {}, t("loading")));
  let content;
  try {
    content = await view(new URLSearchParams(query || ""), arg && decodeURIComponent(arg));
  } catch (err) {
    content = el("p", { class: "bad", id: "page-error" }, err.message);
  }
  if (current()) $("#main").replaceChildren(content);
}

window.addEventListener("hashchange", render);
render();
