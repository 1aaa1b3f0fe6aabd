"""The command envelope, its signature, and the events a handler returns.

A command is ``{type, actor, key_id, idempotency_key, business_date, payload}``; the actor
signs the RFC 8785 canonical JSON of exactly that object with the key named by ``key_id``.
A signed command travels as ``{"command": {...}, "signature": "<base64>"}``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from puhui.kernel import signing
from puhui.kernel.canonical import CanonicalizationError, canonical_json
from puhui.kernel.errors import InvalidCommand

COMMAND_BYTES_MAX = 256 * 1024
IDEMPOTENCY_KEY_CHARS_MAX = 128
TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.:-]{1,63}$")
KEY_ID_PATTERN = re.compile(r"^[0-9a-f]{16}$")
IDEMPOTENCY_PATTERN = re.compile(r"^[\x21-\x7e]{1,128}$")
ENVELOPE_FIELDS = frozenset(
    {"type", "actor", "key_id", "idempotency_key", "business_date", "payload"}
)


def check_id(value: object, what: str) -> str:
    """Validate a client-chosen identifier (party id, document id, ...)."""
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise InvalidCommand(
            f"{what} must be 2-64 characters of a-z, 0-9, '_', '.', ':' or '-' "
            f"starting with a letter or digit, got {value!r}"
        )
    return value


def parse_date(value: object, what: str) -> date:
    if not isinstance(value, str):
        raise InvalidCommand(f"{what} must be an ISO date string (YYYY-MM-DD)")
    try:
        parsed = date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidCommand(f"{what} {value!r} is not an ISO date (YYYY-MM-DD)") from exc
    if parsed.isoformat() != value:
        raise InvalidCommand(f"{what} {value!r} must be written YYYY-MM-DD")
    return parsed


@dataclass(frozen=True)
class Command:
    """What the actor asks the platform to do; the unit that is signed."""

    type: str
    actor: str
    key_id: str
    idempotency_key: str
    business_date: date
    payload: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "actor": self.actor,
            "key_id": self.key_id,
            "idempotency_key": self.idempotency_key,
            "business_date": self.business_date.isoformat(),
            "payload": dict(self.payload),
        }

    def signing_bytes(self) -> bytes:
        try:
            return canonical_json(self.to_json())
        except CanonicalizationError as exc:
            raise InvalidCommand(f"command cannot be canonicalized: {exc}") from exc

    def sign(self, key: Ed25519PrivateKey) -> SignedCommand:
        body = self.signing_bytes()
        return SignedCommand(self, key.sign(body), body)

    @classmethod
    def from_json(cls, data: object) -> Command:
        if not isinstance(data, dict):
            raise InvalidCommand("command must be a JSON object")
        missing = ENVELOPE_FIELDS - data.keys()
        extra = data.keys() - ENVELOPE_FIELDS
        if missing or extra:
            raise InvalidCommand(
                f"command fields wrong: missing {sorted(missing)}, unexpected {sorted(extra)}"
            )
        ctype, key, idem = data["type"], data["key_id"], data["idempotency_key"]
        if not isinstance(ctype, str) or not TYPE_PATTERN.match(ctype):
            raise InvalidCommand(f"command type {ctype!r} is not of the form context.action")
        if not isinstance(key, str) or not KEY_ID_PATTERN.match(key):
            raise InvalidCommand("key_id must be 16 lowercase hex digits")
        if not isinstance(idem, str) or not IDEMPOTENCY_PATTERN.match(idem):
            raise InvalidCommand(
                f"idempotency_key must be 1-{IDEMPOTENCY_KEY_CHARS_MAX} printable ASCII characters"
            )
        if not isinstance(data["payload"], dict):
            raise InvalidCommand("payload must be a JSON object")
        return cls(
            type=ctype,
            actor=check_id(data["actor"], "actor"),
            key_id=key,
            idempotency_key=idem,
            business_date=parse_date(data["business_date"], "business_date"),
            payload=data["payload"],
        )


@dataclass(frozen=True)
class SignedCommand:
    """A command with the actor's Ed25519 signature over its canonical bytes."""

    command: Command
    signature: bytes
    body: bytes = field(repr=False)

    @property
    def command_hash(self) -> bytes:
        """SHA-256 of the canonical command: what idempotency compares."""
        return hashlib.sha256(self.body).digest()

    def to_json(self) -> dict[str, Any]:
        return {"command": self.command.to_json(), "signature": signing.b64encode(self.signature)}

    @classmethod
    def from_json(cls, data: object) -> SignedCommand:
        if not isinstance(data, dict) or set(data) != {"command", "signature"}:
            raise InvalidCommand('a signed command is {"command": {...}, "signature": "..."}')
        command = Command.from_json(data["command"])
        try:
            signature = signing.b64decode(
                data["signature"], length=signing.SIGNATURE_BYTES, what="signature"
            )
        except ValueError as exc:
            raise InvalidCommand(str(exc)) from exc
        body = command.signing_bytes()
        if len(body) > COMMAND_BYTES_MAX:
            raise InvalidCommand(f"command is {len(body)} bytes; the limit is {COMMAND_BYTES_MAX}")
        return cls(command, signature, body)


@dataclass(frozen=True)
class Event:
    """A fact a handler decided; ``parties`` names every party the fact concerns."""

    type: str
    data: Mapping[str, Any]
    parties: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "data": dict(self.data), "parties": list(self.parties)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Event:
        return cls(data["type"], data["data"], tuple(data["parties"]))
