"""Read functions of the parties context; the only way other contexts read parties."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, select

from puhui.kernel.registry import Signer
from puhui.kernel.store import writebuffer
from puhui.kernel.store.prepared import Prepared
from puhui.parties.errors import UnknownParty
from puhui.parties.model import PartyStatus
from puhui.parties.tables import api_tokens, parties, party_keys, party_roles

PAGE_SIZE_MAX = 500


@dataclass(frozen=True)
class Party:
    party_id: str
    name: str
    kind: str
    uscc: str | None
    region: str | None
    status: str
    roles: tuple[str, ...]
    registered_seq: int
    registered_on: date

    def to_json(self) -> dict[str, Any]:
        return {
            "party_id": self.party_id,
            "name": self.name,
            "kind": self.kind,
            "uscc": self.uscc,
            "region": self.region,
            "status": self.status,
            "roles": list(self.roles),
            "registered_seq": self.registered_seq,
            "registered_on": self.registered_on.isoformat(),
        }


def _roles_by_party(conn: Connection, ids: list[str]) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {i: [] for i in ids}
    rows = conn.execute(
        select(party_roles.c.party_id, party_roles.c.role)
        .where(party_roles.c.party_id.in_(ids))
        .order_by(party_roles.c.role)
    )
    for row in rows:
        found[row.party_id].append(row.role)
    return {k: tuple(v) for k, v in found.items()}


_PARTY_BY_ID = select(parties).where(parties.c.party_id == bindparam("party_id"))
_KEY_BY_ID = select(party_keys).where(party_keys.c.key_id == bindparam("key_id"))
_PARTY_BY_USCC = select(parties.c.party_id).where(parties.c.uscc == bindparam("uscc"))
_SIGNER = (
    select(
        party_keys.c.party_id,
        party_keys.c.public_key,
        party_keys.c.revoked_seq,
        parties.c.status,
        party_roles.c.role,
    )
    .join(parties, parties.c.party_id == party_keys.c.party_id)
    .outerjoin(party_roles, party_roles.c.party_id == party_keys.c.party_id)
    .where(party_keys.c.key_id == bindparam("key_id"))
)
_TOKEN_OWNER = select(api_tokens.c.party_id).where(api_tokens.c.token_id == bindparam("token_id"))


_PARTY_COLUMNS = tuple(str(c.key) for c in _PARTY_BY_ID.selected_columns)
_KEY_COLUMNS = tuple(str(c.key) for c in _KEY_BY_ID.selected_columns)
_P_PARTY_BY_ID = Prepared(_PARTY_BY_ID)
_P_KEY_BY_ID = Prepared(_KEY_BY_ID)
_P_PARTY_BY_USCC = Prepared(_PARTY_BY_USCC)


def _unique_lookup(
    conn: Connection, prepared: Prepared, table: Table, column: str, value: Any
) -> tuple[Any, ...] | None:
    """A read by a unique column: through the write buffer, then the database (hot path)."""
    checked = writebuffer.find(conn, table, column, value) is None
    return prepared.first(conn, {column: value}, buffered_checked=checked)


def find_party(conn: Connection, party_id: str) -> Party | None:
    row = _unique_lookup(conn, _P_PARTY_BY_ID, parties, "party_id", party_id)
    if row is None:
        return None
    roles = _roles_by_party(conn, [party_id])[party_id]
    return Party(**dict(zip(_PARTY_COLUMNS, row, strict=True)), roles=roles)


def get_party(conn: Connection, party_id: str) -> Party:
    party = find_party(conn, party_id)
    if party is None:
        raise UnknownParty(f"no party {party_id!r}")
    return party


def party_id_for_uscc(conn: Connection, uscc: str) -> str | None:
    row = _unique_lookup(conn, _P_PARTY_BY_USCC, parties, "uscc", uscc)
    return None if row is None else str(row[0])


def list_parties(
    conn: Connection, *, role: str | None = None, after: str | None = None, limit: int = 100
) -> list[Party]:
    """Parties ordered by id, keyset-paginated: pass the last id seen as ``after``."""
    limit = max(1, min(limit, PAGE_SIZE_MAX))
    stmt = select(parties).order_by(parties.c.party_id).limit(limit)
    if after is not None:
        stmt = stmt.where(parties.c.party_id > after)
    if role is not None:
        stmt = stmt.where(
            parties.c.party_id.in_(select(party_roles.c.party_id).where(party_roles.c.role == role))
        )
    rows = conn.execute(stmt).all()
    roles = _roles_by_party(conn, [r.party_id for r in rows])
    return [Party(**r._mapping, roles=roles[r.party_id]) for r in rows]


def count_parties(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(parties)).scalar_one())


@dataclass(frozen=True)
class KeyInfo:
    key_id: str
    party_id: str
    public_key: bytes
    added_seq: int
    revoked_seq: int | None
    revoked_reason: str | None


def keys_of(conn: Connection, party_id: str, *, active_only: bool = False) -> list[KeyInfo]:
    stmt = select(party_keys).where(party_keys.c.party_id == party_id)
    if active_only:
        stmt = stmt.where(party_keys.c.revoked_seq.is_(None))
    rows = conn.execute(stmt.order_by(party_keys.c.added_seq, party_keys.c.key_id))
    return [KeyInfo(**r._mapping) for r in rows]


def find_key(conn: Connection, key_id: str) -> KeyInfo | None:
    row = _unique_lookup(conn, _P_KEY_BY_ID, party_keys, "key_id", key_id)
    return None if row is None else KeyInfo(**dict(zip(_KEY_COLUMNS, row, strict=True)))


def public_keys(conn: Connection, key_ids: Sequence[str]) -> dict[str, bytes]:
    rows = conn.execute(
        select(party_keys.c.key_id, party_keys.c.public_key).where(
            party_keys.c.key_id.in_(list(key_ids))
        )
    )
    return {r.key_id: r.public_key for r in rows}


def signer(conn: Connection, key_id: str) -> Signer | None:
    """The key with its party's roles and status, in one query (the kernel's hot path)."""
    rows = conn.execute(_SIGNER, {"key_id": key_id}).all()
    if not rows:
        return None
    first = rows[0]
    return Signer(
        party_id=first.party_id,
        public_key=first.public_key,
        roles=frozenset(r.role for r in rows if r.role is not None),
        revoked=first.revoked_seq is not None,
        party_active=first.status == PartyStatus.ACTIVE,
    )


def token_party(conn: Connection, token_id: str, secret: str) -> str | None:
    """The party an API token belongs to, or None if unknown, revoked or wrong secret."""
    row = conn.execute(
        select(api_tokens.c.party_id, api_tokens.c.secret_sha256, parties.c.status)
        .join(parties, parties.c.party_id == api_tokens.c.party_id)
        .where(api_tokens.c.token_id == token_id, api_tokens.c.revoked_seq.is_(None))
    ).first()
    if row is None or row.status != PartyStatus.ACTIVE:
        return None
    digest = hashlib.sha256(secret.encode("utf-8")).digest()
    return row.party_id if hmac.compare_digest(digest, row.secret_sha256) else None


def token_owner(conn: Connection, token_id: str) -> str | None:
    value: str | None = conn.execute(_TOKEN_OWNER, {"token_id": token_id}).scalar()
    return value


def witness_keys(conn: Connection, *, active_only: bool = True) -> dict[str, list[bytes]]:
    """Each witness party's keys, by party id (the name it cosigns under)."""
    stmt = (
        select(party_keys.c.party_id, party_keys.c.public_key)
        .join(party_roles, party_roles.c.party_id == party_keys.c.party_id)
        .where(party_roles.c.role == "witness")
        .order_by(party_keys.c.party_id, party_keys.c.added_seq)
    )
    if active_only:
        stmt = stmt.where(party_keys.c.revoked_seq.is_(None))
    found: dict[str, list[bytes]] = {}
    for row in conn.execute(stmt):
        found.setdefault(row.party_id, []).append(row.public_key)
    return found
