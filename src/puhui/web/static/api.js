// The console's state and its only way out: the public API under /api/v1, with the signed-in
// party's token. Every change is a signed command: signed here with the user's own key when one
// is loaded, else by the platform's custodial key for the signed-in party.
import { STRINGS } from "./i18n.js";
import { derivePassphraseKeys, hex, keyId, openSealedKey, sha256, signCommand } from "./crypto.js";

export const state = {
  lang: localStorage.getItem("puhui.lang") || "zh-CN",
  token: sessionStorage.getItem("puhui.token"),
  me: null,
  key: null,
  session: null,
  today: null,
  scales: { CNY: 2, ECNY: 2 },
};

/** The string `k` in the chosen language; `{name}` placeholders filled from `vars`. */
export function t(k, vars = {}) {
  const text = STRINGS[state.lang][k] ?? k;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

export class Problem extends Error {
  constructor(body) { super(body.detail || body.title); this.body = body; }
  get code() { return (this.body.type || "").split("/").pop(); }
}

export async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (state.token) headers.authorization = `Bearer ${state.token}`;
  if (options.json !== undefined) { headers["content-type"] = "application/json"; options.body = JSON.stringify(options.json); }
  const response = await fetch(`/api/v1${path}`, { ...options, headers });
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Problem(body || { detail: response.statusText });
  return body;
}

export const hasRole = (...roles) => roles.some((r) => state.me?.roles.includes(r));
export const supervises = () => hasRole("operator", "regulator", "auditor");

const randomHex = (bytes) => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
const randomKey = () => "web-" + randomHex(12);

/** A new object id chosen by the client (a piece, a financing): prefix and 12 random hex digits. */
export const shortId = (prefix) => `${prefix}-${randomHex(6)}`;

/** Whether a string exists in the chosen language (a problem code with its own wording). */
export const hasString = (k) => k in STRINGS[state.lang];

async function signAndSend(actor, type, payload) {
  const command = { type, actor, key_id: state.key.keyId, idempotency_key: randomKey(), business_date: state.today, payload };
  return api("/commands", { method: "POST", json: await signCommand(state.key.privateKey, command) });
}

/** Submit a command as the signed-in party; resolves to the receipt. */
export async function submit(type, payload) {
  const idempotency_key = randomKey();
  if (state.key) return signAndSend(state.me.party_id, type, payload);
  return api("/commands/custodial", { method: "POST", json: { type, payload, idempotency_key } });
}

export async function loadMe() {
  const [me, clock, currencies] = await Promise.all([api("/me"), api("/clock"), api("/currencies")]);
  state.me = me;
  state.today = clock.business_date;
  for (const c of currencies.currencies) state.scales[c.code] = c.scale;
}

/**
 * Sign in with the party's passphrase: derive the keys here, prove the auth key, open the sealed
 * custodial key, then issue this session an API token as a signed party.issue_token (only the
 * secret's SHA-256 goes to the log). The passphrase and the key never leave the browser.
 */
export async function passphraseSignIn(partyId, passphrase) {
  const path = `/sign-in/${encodeURIComponent(partyId)}`;
  const params = await api(path);
  const { sealing, auth } = await derivePassphraseKeys(passphrase, params);
  const sealed = await api(path, { method: "POST", json: { auth_key: btoa(String.fromCharCode(...auth)) } });
  const privateKey = await openSealedKey(sealing, sealed);
  state.key = { privateKey, ...(await keyId(privateKey)) };
  state.today = (await api("/clock")).business_date;
  const tokenId = randomHex(8), secret = randomHex(32);
  const secretSha256 = hex(await sha256(new TextEncoder().encode(secret)));
  await signAndSend(partyId, "party.issue_token", { token_id: tokenId, secret_sha256: secretSha256, label: "console passphrase session" });
  state.token = `phk_${tokenId}_${secret}`;
  state.session = tokenId;
  await loadMe();
}

/** End a passphrase session: its token is revoked by a signed party.revoke_token. */
export async function endSession() {
  if (state.session && state.key && state.me) {
    try { await signAndSend(state.me.party_id, "party.revoke_token", { token_id: state.session }); } catch { /* signed out anyway */ }
  }
}
