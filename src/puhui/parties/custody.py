"""Custodial keys: for parties without a device of their own, the platform keeps an Ed25519 key,
encrypted at rest with AES-256-GCM under the operator's master key (never on the log).

The party's public key is registered on the log like any other; commands signed with a custodial
key are ordinary signed commands, and the log records which key signed them.
"""

from __future__ import annotations

import base64
import binascii
import os
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, insert, select

from puhui.kernel import signing
from puhui.kernel.errors import InvariantViolation, NotFound
from puhui.parties.tables import custodial_keys

MASTER_KEY_BYTES = 32
NONCE_BYTES = 12


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
