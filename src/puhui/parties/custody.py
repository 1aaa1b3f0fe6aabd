"""Custodial keys: for parties without a device of their own, the platform keeps an Ed25519 key,
encrypted at rest with AES-256-GCM under the operator's master key (never on the log).

The party's public key is registered on the log like any other; commands signed with a custodial
key are ordinary signed commands, and the log records which key signed them.

A custodial key may also be **sealed under the party's passphrase** for signing in the browser:
PBKDF2-HMAC-SHA256 (``PASSPHRASE_ITERATIONS``) derives 64 bytes from the passphrase and a random
salt; the first 32 are an AES-256-GCM key sealing the seed (never sent anywhere), the last 32
an auth key whose SHA-256 is stored. The browser derives both, proves the auth key and gets the
sealed seed, which only its passphrase opens (WebCrypto has PBKDF2 and AES-GCM built in). The
server never sees the passphrase, and the sealed seed is not handed to anyone who cannot prove
it (no offline guessing from a public blob).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, delete, insert, select

from puhui.kernel import signing
from puhui.kernel.errors import AuthenticationFailed, InvalidCommand, InvariantViolation, NotFound
from puhui.parties.tables import custodial_keys, custodial_passphrases

MASTER_KEY_BYTES = 32
NONCE_BYTES = 12
KDF = "PBKDF2-SHA256"
PASSPHRASE_ITERATIONS = 600_000
"""OWASP's 2023 figure for PBKDF2-HMAC-SHA256."""
PASSPHRASE_ITERATIONS_MIN = 100_000
PASSPHRASE_CHARS_MIN = 10
PASSPHRASE_CHARS_MAX = 200
SALT_BYTES = 16


def load_master_key(value: str, key_file: Path, *, create: bool = False) -> bytes:
    """The master key from a base64 setting, else from ``key_file`` (created if asked)."""
    if not value:
        if create and not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(base64.b64encode(os.urandom(MASTER_KEY_BYTES)).decode() + "\n")
        try:
            value = key_file.read_text().strip()
        except FileNotFoundError as exc:
            raise NotFound(f"custody master key file {key_file} does not exist") from exc
    try:
        key = base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise InvariantViolation("custody master key is not base64") from exc
    if len(key) != MASTER_KEY_BYTES:
        raise InvariantViolation(f"custody master key must be {MASTER_KEY_BYTES} bytes")
    return key


def create_key(conn: Connection, master: bytes, party_id: str, now: datetime) -> Ed25519PrivateKey:
    """Generate and store a custodial key for ``party_id``; return it for immediate use."""
    key = signing.generate()
    kid = signing.key_id(signing.public_bytes(key))
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(master).encrypt(nonce, signing.private_seed(key), kid.encode())
    conn.execute(
        insert(custodial_keys).values(
            key_id=kid, party_id=party_id, nonce=nonce, ciphertext=sealed, created_at=now
        )
    )
    return key


def custodial_key_ids(conn: Connection, party_id: str) -> list[str]:
    rows = conn.execute(
        select(custodial_keys.c.key_id).where(custodial_keys.c.party_id == party_id)
    )
    return [r.key_id for r in rows]


def load_key(conn: Connection, master: bytes, key_id: str) -> tuple[str, Ed25519PrivateKey]:
    """(party id, private key) of a custodial key."""
    row = conn.execute(select(custodial_keys).where(custodial_keys.c.key_id == key_id)).first()
    if row is None:
        raise NotFound(f"no custodial key {key_id}")
    try:
        seed = AESGCM(master).decrypt(row.nonce, row.ciphertext, key_id.encode())
    except InvalidTag as exc:
        raise InvariantViolation(
            f"custodial key {key_id} does not open with this master key"
        ) from exc
    return row.party_id, signing.from_seed(seed)


def _derive(passphrase: str, salt: bytes, iterations: int) -> tuple[bytes, bytes]:
    """(sealing key, auth key) from the passphrase, as the browser derives them."""
    text = unicodedata.normalize("NFC", passphrase).encode("utf-8")  # the browser does the same
    derived = hashlib.pbkdf2_hmac("sha256", text, salt, iterations, 64)
    return derived[:32], derived[32:]


def seal_with_passphrase(
    conn: Connection,
    master: bytes,
    key_id: str,
    passphrase: str,
    now: datetime,
    *,
    iterations: int = PASSPHRASE_ITERATIONS,
) -> None:
    """Seal custodial key ``key_id`` under ``passphrase`` (replacing an earlier passphrase)."""
    if not PASSPHRASE_CHARS_MIN <= len(passphrase) <= PASSPHRASE_CHARS_MAX:
        raise InvalidCommand(
            f"a passphrase has {PASSPHRASE_CHARS_MIN} to {PASSPHRASE_CHARS_MAX} characters"
        )
    if iterations < PASSPHRASE_ITERATIONS_MIN:
        raise InvalidCommand(f"at least {PASSPHRASE_ITERATIONS_MIN} PBKDF2 iterations")
    party_id, key = load_key(conn, master, key_id)
    salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
    sealing, auth = _derive(passphrase, salt, iterations)
    sealed = AESGCM(sealing).encrypt(nonce, signing.private_seed(key), key_id.encode())
    conn.execute(delete(custodial_passphrases).where(custodial_passphrases.c.party_id == party_id))
    conn.execute(
        insert(custodial_passphrases).values(
            key_id=key_id,
            party_id=party_id,
            kdf=KDF,
            iterations=iterations,
            salt=salt,
            auth_sha256=hashlib.sha256(auth).digest(),
            nonce=nonce,
            ciphertext=sealed,
            created_at=now,
        )
    )


@dataclass(frozen=True)
class SealedKey:
    party_id: str
    key_id: str
    kdf: str
    iterations: int
    salt: bytes
    auth_sha256: bytes
    nonce: bytes
    ciphertext: bytes

    def params(self) -> dict[str, object]:
        """What the browser needs to derive its keys (public: a salt is not a secret)."""
        return {
            "party_id": self.party_id,
            "key_id": self.key_id,
            "kdf": self.kdf,
            "iterations": self.iterations,
            "salt": base64.b64encode(self.salt).decode(),
        }


def sealed_key(conn: Connection, party_id: str) -> SealedKey:
    row = conn.execute(
        select(custodial_passphrases).where(custodial_passphrases.c.party_id == party_id)
    ).first()
    if row is None:
        raise NotFound(f"{party_id} has no passphrase sign-in")
    return SealedKey(**{k: v for k, v in row._mapping.items() if k != "created_at"})


def open_sealed(conn: Connection, party_id: str, auth_key: bytes) -> dict[str, object]:
    """The sealed seed, for whoever proves the auth key derived from the passphrase."""
    found = sealed_key(conn, party_id)
    if not hmac.compare_digest(hashlib.sha256(auth_key).digest(), found.auth_sha256):
        raise AuthenticationFailed("the passphrase does not open this key")
    return found.params() | {
        "nonce": base64.b64encode(found.nonce).decode(),
        "ciphertext": base64.b64encode(found.ciphertext).decode(),
    }
