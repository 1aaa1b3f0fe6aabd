// Building blocks of the views: elements, tables, money and rates as text, and forms that show
// each problem beside its field in the chosen language.
import { Problem, hasString, state, t } from "./api.js";

export const $ = (sel, root = document) => root.querySelector(sel);

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "on") for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === "") continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function table(headers, rows, attrs = {}) {
  if (!rows.length) return el("p", { class: "muted" }, t("nothing_yet"));
  return el("div", { class: "scroll" }, el("table", attrs,
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
    el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c) => el("td", {}, c)))))));
}

/** Label/value pairs as a compact two-column list. */
export function facts(pairs, attrs = {}) {
  return el("dl", { class: "facts", ...attrs }, pairs.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
}

export const section = (title, ...children) => el("section", {}, el("h2", {}, title), ...children);
export const entryLink = (seq, attrs = {}) => el("a", { href: `#/entry/${seq}`, class: "nowrap", ...attrs }, `#${seq}`);
export const date = (iso) => (iso ? el("span", { class: "nowrap" }, iso) : "—");
/** Long identifiers (account ids) that may break anywhere on a narrow screen. */
export const ids = (text) => el("span", { class: "ids" }, text);

// ---- money and rates: integers of minor units and decimal strings, never floats -----------
const SYMBOLS = { CNY: "¥", ECNY: "e¥" };

export function money(minor, currency = "CNY") {
  const scale = state.scales[currency] ?? 2;
  const n = BigInt(minor);
  const digits = (n < 0n ? -n : n).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const symbol = SYMBOLS[currency] ?? currency + " ";
  return `${n < 0n ? "-" : ""}${symbol}${whole}${scale ? "." + digits.slice(-scale) : ""}`;
}

/** "0.0435" → "4.35%": the decimal point moved two places, digits kept exactly. */
export function percent(rate) {
  if (rate === null || rate === undefined) return "—";
  const [i, f = ""] = String(rate).split(".");
  const frac = f.padEnd(2, "0");
  const whole = (i + frac.slice(0, 2)).replace(/^0+(?=\d)/, "");
  const rest = frac.slice(2).replace(/0+$/, "");
  return `${whole}${rest ? "." + rest : ""}%`;
}

/** A typed amount ("300,000.50") as an integer of minor units, or null if it is not money. */
export function parseMoney(text, currency = "CNY") {
  const scale = state.scales[currency] ?? 2;
  const m = new RegExp(`^(\\d{1,15})(?:\\.(\\d{1,${scale}}))?$`).exec(text.trim().replace(/[,\s]/g, ""));
  if (!m) return null;
  const value = BigInt(m[1] + (m[2] ?? "").padEnd(scale, "0"));
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null;
}

/** A typed percentage ("6.8") as a decimal rate string ("0.068"), or null. */
export function parsePercent(text) {
  const m = /^(\d{1,3})(?:\.(\d{1,4}))?$/.exec(text.trim().replace(/%$/, ""));
  if (!m) return null;
  const digits = (m[1] + (m[2] ?? "")).padStart(3 + (m[2] ?? "").length, "0");
  const point = digits.length - (m[2] ?? "").length - 2;
  const rate = `${digits.slice(0, point).replace(/^0+(?=\d)/, "")}.${digits.slice(point)}`.replace(/\.?0+$/, "");
  return rate === "" ? "0" : rate;
}

/** Decimal strings compared exactly (both non-negative). */
export function compareRates(a, b) {
  const [ai, af = ""] = String(a).split("."), [bi, bf = ""] = String(b).split(".");
  const width = Math.max(af.length, bf.length);
  const x = BigInt(ai + af.padEnd(width, "0")), y = BigInt(bi + bf.padEnd(width, "0"));
  return x < y ? -1 : x > y ? 1 : 0;
}

// ---- forms -----------------------------------------------------------------------------------
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function field(name, label, input, hint) {
  return el("label", { for: name }, label, input, hint ? el("small", { class: "muted" }, hint) : "",
    el("span", { class: "field-error", id: `${name}-error`, role: "alert" }));
}

export const input = (name, attrs = {}) => el("input", { id: name, name, autocomplete: "off", ...attrs });

/** Free text the commands take (notes, reasons): at most this many characters. */
export const NOTE_CHARS_MAX = 500;

/** The error for the note `text` in field `name` ({} when it is fine); `required` refuses it empty. */
export function noteErrors(name, text, required = false) {
  if (required && !text) return { [name]: t("err_required") };
  return text.length > NOTE_CHARS_MAX ? { [name]: t("err_too_long", { max: NOTE_CHARS_MAX }) } : {};
}

/** Show `errors` ({field: message}, `form` for the whole form) beside the fields. */
export function showErrors(form, errors) {
  for (const span of form.querySelectorAll(".field-error")) span.textContent = "";
  const result = $(".form-result", form);
  result.textContent = "";
  result.className = "form-result";
  for (const [name, message] of Object.entries(errors)) {
    const span = $(`#${CSS.escape(name)}-error`, form);
    if (span) span.textContent = message;
    else { result.textContent = message; result.classList.add("bad"); }
  }
  return Object.keys(errors).length === 0;
}

/** A refusal from the server as field errors: pydantic's per-field list, or a problem code the
 * form maps to one of its fields (`codes`), else a message for the whole form. */
export function serverErrors(err, codes = {}) {
  if (!(err instanceof Problem)) return { form: `${t("err_server")}: ${err.message}` };
  const errors = {};
  for (const e of err.body?.errors ?? []) errors[e.loc[e.loc.length - 1]] = `${t("err_server")}: ${e.msg}`;
  // In Chinese a known refusal reads in Chinese; in English the server's own detail says more.
  const said = state.lang !== "en" && hasString("problem_" + err.code) ? t("problem_" + err.code) : err.message;
  if (!Object.keys(errors).length) errors[codes[err.code] ?? "form"] = `${t("err_server")}: ${said}`;
  return errors;
}

/** Show a receipt's log entry, one click away. */
export function showReceipt(form, receipt, id = "receipt-link") {
  const result = $(".form-result", form);
  result.className = "form-result ok";
  result.replaceChildren(t("submitted"), " ", entryLink(receipt.seq, { id }));
}

export const resultLine = (id = "form-result") => el("p", { class: "form-result", id, "aria-live": "polite" });
