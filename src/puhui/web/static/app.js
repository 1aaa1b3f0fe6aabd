// The puhui console: a small hash-routed app over the public API. Each role's views live in
// views/*.js; this module signs in, draws the role's navigation and renders the current route.
import { Problem, loadMe, state, t } from "./api.js";
import { importSigningKey, keyId } from "./crypto.js";
import { $, el, field, input, resultLine, showErrors } from "./ui.js";
import { alertsView } from "./views/alerts.js";
import * as bank from "./views/bank.js";
import * as common from "./views/common.js";
import * as documents from "./views/documents.js";
import * as farmer from "./views/farmer.js";
import * as financing from "./views/financing.js";
import { loanView } from "./views/loans.js";
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
};

// Each role's pages, its home first. A party with several roles gets the union.
const SUPERVISOR = ["supervision", "trace", "receivables", "checkpoint", "verify", "parties"];
const SUPPLIER = ["wallet", "documents", "received", "accounts"];
const LENDER = ["applications", "loans", "decisions", "portfolio", "alerts", "financings", "accounts", "documents"];
const ROLE_PAGES = {
  bank: LENDER, cooperative: LENDER,
  regulator: SUPERVISOR, operator: SUPERVISOR, auditor: SUPERVISOR,
  farmer: ["my-loan", "flock", "accounts", "documents"],
  supplier: SUPPLIER, sme: SUPPLIER,
  core_enterprise: ["confirm", "issued", "documents", "accounts"],
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
    state.me ? el("a", { href: "#/", id: "signout", on: { click: signOut } }, t("signout")) : "",
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
  return form;
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
