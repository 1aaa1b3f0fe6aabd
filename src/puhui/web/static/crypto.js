// Verification in the browser: RFC 8785 canonical JSON, RFC 9162 inclusion proofs, C2SP signed
// notes, and Ed25519 signing of commands with a key the user loads (never sent to the server).

const enc = new TextEncoder();

// RFC 8785: JSON.stringify escapes strings as ECMAScript does; keys sort by UTF-16 code units,
// which is JavaScript's default string order. Puhui values hold no floats.
export function canonical(value) {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isSafeInteger(value)) {
      throw new Error("only safe integers are allowed in canonical JSON");
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
  const keys = Object.keys(value).sort();
  return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonical(value[k])).join(",") + "}";
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

export const b64decode = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
export const b64encode = (b) => btoa(String.fromCharCode(...b));
export const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

export async function leafHash(entry) {
  return sha256(concat(new Uint8Array([0]), enc.encode(canonical(entry))));
}

// RFC 9162 §2.1.3.2: the root implied by an inclusion proof, or null if the proof is malformed.
export async function rootFromInclusion(index, size, leaf, proof) {
  if (index >= size) return null;
  let fn = index, sn = size - 1, r = leaf;
  for (const p of proof) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(concat(new Uint8Array([1]), p, r));
      if (fn % 2 === 0) { while (fn % 2 === 0 && fn !== 0) { fn >>= 1; sn >>= 1; } }
    } else {
      r = await sha256(concat(new Uint8Array([1]), r, p));
    }
    fn >>= 1; sn >>= 1;
  }
  return sn === 0 ? r : null;
}

// A C2SP verifier key: "<name>+<hex key id>+<base64(0x01 || 32-byte Ed25519 key)>".
export function parseVerifierKey(vkey) {
  const text = vkey.trim();  // the base64 part may itself hold "+": split at the first two only
  const first = text.indexOf("+"), second = text.indexOf("+", first + 1);
  const [name, id, key] = [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
  const raw = b64decode(key);
  if (raw[0] !== 1 || raw.length !== 33) throw new Error("not an Ed25519 verifier key");
  return { name, id: id.toLowerCase(), publicKey: raw.slice(1) };
}

// Verify a signed note's signature by the verifier key; return {origin, size, root} or null.
export async function openCheckpoint(note, vkey) {
  const key = parseVerifierKey(vkey);
  const split = note.indexOf("\n\n");
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2).split("\n").filter(Boolean);
  const publicKey = await crypto.subtle.importKey("raw", key.publicKey, { name: "Ed25519" }, false, ["verify"]);
  for (const line of lines) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m || m[1] !== key.name) continue;
    const sig = b64decode(m[2]);
    if (hex(sig.slice(0, 4)) !== key.id) continue;
    if (await crypto.subtle.verify({ name: "Ed25519" }, publicKey, sig.slice(4), enc.encode(text))) {
      const [origin, size, root] = text.split("\n");
      return { origin, size: Number(size), root: b64decode(root) };
    }
  }
  return null;
}

// c2sp.org/tlog-cosignature: a witness's line signs "cosignature/v1\ntime T\n" + the note text
// with its Ed25519 key; the key id is SHA-256(name || "\n" || 0x04 || key)[:4]. `keys` are the
// witness party's registered public keys (raw bytes). Returns the cosigning time, or null.
export async function checkCosignature(note, name, keys) {
  const split = note.indexOf("\n\n");
  const text = note.slice(0, split + 1);
  for (const line of note.slice(split + 2).split("\n")) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const sig = b64decode(m[2]);
    if (sig.length !== 4 + 8 + 64) continue;
    const time = new DataView(sig.buffer, sig.byteOffset + 4, 8).getBigUint64(0);
    const message = enc.encode(`cosignature/v1\ntime ${time}\n${text}`);
    for (const raw of keys) {
      const id = (await sha256(concat(enc.encode(name + "\n"), new Uint8Array([4]), raw))).slice(0, 4);
      if (!equal(id, sig.slice(0, 4))) continue;
      const key = await crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]);
      if (await crypto.subtle.verify({ name: "Ed25519" }, key, sig.slice(12), message)) return Number(time);
    }
  }
  return null;
}

// Check an entry from /api/v1/entries/N against the log's signed checkpoint at its tree size.
export async function checkEntry(entryResponse, checkpointNote, vkey) {
  const leaf = await leafHash(entryResponse.entry);
  if (hex(leaf) !== entryResponse.leaf_hash) return { ok: false, reason: "leaf" };
  const proof = entryResponse.inclusion_proof.map(b64decode);
  const root = await rootFromInclusion(entryResponse.seq, entryResponse.tree_size, leaf, proof);
  const checkpoint = await openCheckpoint(checkpointNote, vkey);
  if (!checkpoint) return { ok: false, reason: "signature" };
  if (!root || checkpoint.size !== entryResponse.tree_size || !equal(root, checkpoint.root)) {
    return { ok: false, reason: "root" };
  }
  return { ok: true, size: checkpoint.size, root: b64encode(checkpoint.root) };
}

// Commands signed in the browser with a PKCS#8 PEM Ed25519 key the user chose.
export async function importSigningKey(pem) {
  const body = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  return crypto.subtle.importKey("pkcs8", b64decode(body), { name: "Ed25519" }, true, ["sign"]);
}

export async function keyId(privateKey) {
  const jwk = await crypto.subtle.exportKey("jwk", privateKey);
  const pub = b64decode(jwk.x.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (jwk.x.length % 4)) % 4));
  return { publicKey: pub, keyId: hex(await sha256(pub)).slice(0, 16) };
}

export async function signCommand(privateKey, command) {
  const body = enc.encode(canonical(command));
  const sig = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, privateKey, body));
  return { command, signature: b64encode(sig) };
}

// A custodial key sealed under the party's passphrase (parties/custody.py): PBKDF2-SHA256 gives
// 64 bytes — an AES-256-GCM key that opens the seed here, and an auth key proving the
// passphrase to the server, which only then hands over the sealed seed.
const PKCS8_ED25519_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

export async function derivePassphraseKeys(passphrase, params) {
  const base = await crypto.subtle.importKey("raw", enc.encode(passphrase.normalize("NFC")), "PBKDF2", false, ["deriveBits"]);
  const bits = new Uint8Array(await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: b64decode(params.salt), iterations: params.iterations }, base, 512));
  return { sealing: bits.slice(0, 32), auth: bits.slice(32) };
}

/** Open the sealed seed ({key_id, nonce, ciphertext}) with the sealing key: an Ed25519 signing key. */
export async function openSealedKey(sealing, sealed) {
  const aes = await crypto.subtle.importKey("raw", sealing, "AES-GCM", false, ["decrypt"]);
  const seed = new Uint8Array(await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: b64decode(sealed.nonce), additionalData: enc.encode(sealed.key_id) }, aes, b64decode(sealed.ciphertext)));
  const der = new Uint8Array(PKCS8_ED25519_PREFIX.length + seed.length);
  der.set(PKCS8_ED25519_PREFIX);
  der.set(seed, PKCS8_ED25519_PREFIX.length);
  return crypto.subtle.importKey("pkcs8", der, { name: "Ed25519" }, true, ["sign"]);
}
