"""Consent: owners grant other parties access to one document or a class of their documents,
for a purpose, until a date; grants are revocable. Grants and revocations are signed commands on
the log, and ``read_decision`` is what `document.read` applies.

A grant is in force on business date D if it is not revoked and ``D <= valid_until``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, insert, or_, select, update

from puhui.documents import commands as c
from puhui.documents import views
from puhui.documents.errors import GrantExists, GrantRevoked, UnknownGrant
from puhui.documents.model import Purpose, ReadBasis
from puhui.documents.tables import consent_grants
from puhui.kernel.commands import Event
from puhui.kernel.errors import PermissionDenied, RuleViolation
from puhui.kernel.registry import ApplyContext, HandlerContext
from puhui.parties import views as parties
from puhui.parties.model import Role

PAGE_SIZE_MAX = 500


@dataclass(frozen=True)
class Grant:
    grant_id: str
    grantor: str
    grantee: str
    purpose: str
    document_id: str | None
    kind: str | None
    valid_until: date
    granted_seq: int
    granted_on: date
    revoked_seq: int | None
    revoked_on: date | None
    revoke_reason: str | None

    def to_json(self) -> dict[str, Any]:
        return views.as_json(self)

    def in_force(self, today: date) -> bool:
        return self.revoked_seq is None and today <= self.valid_until


def find_grant(conn: Connection, grant_id: str) -> Grant | None:
    row = conn.execute(select(consent_grants).where(consent_grants.c.grant_id == grant_id)).first()
    return None if row is None else Grant(**row._mapping)


def grants_of(
    conn: Connection, party_id: str, *, as_grantee: bool = False, limit: int = 100
) -> list[Grant]:
    """Grants the party gave (or, with ``as_grantee``, received), newest first."""
    column = consent_grants.c.grantee if as_grantee else consent_grants.c.grantor
    stmt = (
        select(consent_grants)
        .where(column == party_id)
        .order_by(consent_grants.c.granted_seq.desc())
        .limit(max(1, min(limit, PAGE_SIZE_MAX)))
    )
    return [Grant(**r._mapping) for r in conn.execute(stmt)]


@dataclass(frozen=True)
class ReadDecision:
    basis: ReadBasis | None
    grant_id: str | None = None
    reason: str | None = None


def read_decision(
    conn: Connection,
    doc: views.Document,
    reader: str,
    reader_roles: frozenset[str],
    purpose: str,
    today: date,
) -> ReadDecision:
    """May ``reader`` read ``doc`` for ``purpose`` on ``today``? Says which grant, or why not."""
    if reader == doc.owner:
        return ReadDecision(ReadBasis.OWNER)
    if reader == doc.counterparty:
        return ReadDecision(ReadBasis.COUNTERPARTY)
    if purpose == Purpose.SUPERVISION and Role.REGULATOR in reader_roles:
        return ReadDecision(ReadBasis.SUPERVISION)
    stmt = (
        select(consent_grants)
        .where(
            consent_grants.c.grantee == reader,
            consent_grants.c.grantor == doc.owner,
            consent_grants.c.purpose == purpose,
            or_(
                consent_grants.c.document_id == doc.document_id,
                consent_grants.c.kind == doc.kind,
            ),
        )
        .order_by(consent_grants.c.granted_seq)
    )
    candidates = [Grant(**r._mapping) for r in conn.execute(stmt)]
    for grant in candidates:
        if grant.in_force(today):
            return ReadDecision(ReadBasis.GRANT, grant.grant_id)
    if candidates:
        last = candidates[-1]
        why = (
            f"was revoked on {last.revoked_on}"
            if last.revoked_seq is not None
            else f"expired after {last.valid_until}"
        )
        return ReadDecision(None, last.grant_id, f"grant {last.grant_id} {why}")
    return ReadDecision(None, None, f"{doc.owner} has granted {reader} no access for {purpose}")


# ---- handlers --------------------------------------------------------------------------------


def grant(ctx: HandlerContext, p: c.GrantAccess) -> Sequence[Event]:
    owner = ctx.command.actor
    if find_grant(ctx.conn, p.grant_id) is not None:
        raise GrantExists(f"grant id {p.grant_id!r} is already used")
    parties.get_party(ctx.conn, p.grantee)
    if p.grantee == owner:
        raise RuleViolation("a party does not need a grant to read its own documents")
    if p.valid_until < ctx.business_date:
        raise RuleViolation(
            f"valid_until {p.valid_until} is before the business date {ctx.business_date}"
        )
    if p.document_id is not None:
        doc = views.get_document(ctx.conn, p.document_id)
        if doc.owner != owner:
            raise PermissionDenied(
                f"only its owner {doc.owner} may grant access to {doc.document_id}"
            )
    data = {
        "grant_id": p.grant_id,
        "grantor": owner,
        "grantee": p.grantee,
        "purpose": p.purpose.value,
        "document_id": p.document_id,
        "kind": None if p.kind is None else p.kind.value,
        "valid_until": p.valid_until.isoformat(),
    }
    return [Event("consent.granted", data, (owner, p.grantee))]


def revoke(ctx: HandlerContext, p: c.RevokeAccess) -> Sequence[Event]:
    found = find_grant(ctx.conn, p.grant_id)
    if found is None:
        raise UnknownGrant(f"no grant {p.grant_id!r}")
    if found.grantor != ctx.command.actor:
        raise PermissionDenied(f"only the grantor {found.grantor} may revoke {p.grant_id}")
    if found.revoked_seq is not None:
        raise GrantRevoked(f"grant {p.grant_id} was already revoked on {found.revoked_on}")
    data = {"grant_id": p.grant_id, "grantee": found.grantee, "reason": p.reason}
    return [Event("consent.revoked", data, (found.grantor, found.grantee))]


def _apply_granted(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    d = e.data
    conn.execute(
        insert(consent_grants).values(
            grant_id=d["grant_id"],
            grantor=d["grantor"],
            grantee=d["grantee"],
            purpose=d["purpose"],
            document_id=d["document_id"],
            kind=d["kind"],
            valid_until=date.fromisoformat(d["valid_until"]),
            granted_seq=ctx.seq,
            granted_on=ctx.business_date,
        )
    )


def _apply_revoked(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    conn.execute(
        update(consent_grants)
        .where(consent_grants.c.grant_id == e.data["grant_id"])
        .values(revoked_seq=ctx.seq, revoked_on=ctx.business_date, revoke_reason=e.data["reason"])
    )


APPLIERS = {"consent.granted": _apply_granted, "consent.revoked": _apply_revoked}
