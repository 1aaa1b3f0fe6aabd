"""The lien registry: at most one live financing claim per document fingerprint.

Other contexts call ``claim`` from the handler of the financing command that needs the lien
(discounting a receivable, financing an order, pledging a warehouse receipt) and return its
event with their own, so the lien and the financing are one entry — all or nothing. ``claim``
raises ``LienExists`` naming only the existing lien's id and date. ``release`` is for repayment
(called by the finance handler) or the holder's ``lien.release``. Until those contexts exist,
``lien.register`` lets a lender record a claim directly.

The projection ``lien_encumbrances`` has the fingerprint as primary key, so even two claims in
one command cannot both land: the store refuses the second and the command rolls back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from puhui.documents import commands as c
from puhui.documents import views
from puhui.documents.errors import LienExists, NotFinanceable, UnknownLien
from puhui.documents.model import FINANCEABLE_KINDS, DocumentKind, LienRelease
from puhui.documents.tables import lien_encumbrances, liens
from puhui.kernel.commands import Event
from puhui.kernel.errors import Conflict, PermissionDenied, RuleViolation
from puhui.kernel.registry import ApplyContext, HandlerContext
from puhui.parties import views as parties

PAGE_SIZE_MAX = 500


@dataclass(frozen=True)
class Lien:
    lien_id: str
    fingerprint: str
    kind: str
    holder: str
    grantor: str
    document_id: str | None
    terms_sha256: str | None
    registered_seq: int
    registered_on: date
    released_seq: int | None
    released_on: date | None
    release_reason: str | None

    def to_json(self) -> dict[str, Any]:
        return views.as_json(self)


def find_lien(conn: Connection, lien_id: str) -> Lien | None:
    row = conn.execute(select(liens).where(liens.c.lien_id == lien_id)).first()
    return None if row is None else Lien(**row._mapping)


def encumbrance(conn: Connection, fingerprint: str) -> Lien | None:
    """The live lien on ``fingerprint``, if any."""
    row = conn.execute(
        select(liens)
        .join(lien_encumbrances, lien_encumbrances.c.lien_id == liens.c.lien_id)
        .where(lien_encumbrances.c.fingerprint == fingerprint)
    ).first()
    return None if row is None else Lien(**row._mapping)


def last_lien(conn: Connection, fingerprint: str) -> Lien | None:
    """The most recent lien on ``fingerprint``, live or released."""
    row = conn.execute(
        select(liens)
        .where(liens.c.fingerprint == fingerprint)
        .order_by(liens.c.registered_seq.desc())
        .limit(1)
    ).first()
    return None if row is None else Lien(**row._mapping)


def liens_of(conn: Connection, party_id: str, *, limit: int = 100) -> list[Lien]:
    """Liens the party holds or granted, newest first."""
    stmt = (
        select(liens)
        .where((liens.c.holder == party_id) | (liens.c.grantor == party_id))
        .order_by(liens.c.registered_seq.desc())
        .limit(max(1, min(limit, PAGE_SIZE_MAX)))
    )
    return [Lien(**r._mapping) for r in conn.execute(stmt)]


def claim(
    ctx: HandlerContext,
    *,
    lien_id: str,
    fingerprint: str,
    kind: str,
    grantor: str,
    holder: str | None = None,
    document_id: str | None = None,
    terms_sha256: str | None = None,
) -> Event:
    """The ``lien.registered`` event for a financing handler to return; raises if encumbered.

    ``holder`` defaults to the command's signer (the lender).
    """
    if kind not in FINANCEABLE_KINDS:
        allowed = ", ".join(sorted(k.value for k in FINANCEABLE_KINDS))
        raise NotFinanceable(f"a {kind} cannot carry a lien; financeable kinds: {allowed}")
    if find_lien(ctx.conn, lien_id) is not None:
        raise Conflict(f"lien id {lien_id!r} is already used")
    parties.get_party(ctx.conn, grantor)
    if document_id is not None:
        doc = views.get_document(ctx.conn, document_id)
        if doc.fingerprint != fingerprint or doc.kind != kind or doc.owner != grantor:
            raise RuleViolation(
                f"document {document_id} is not a {kind} of {grantor} with this fingerprint"
            )
    existing = encumbrance(ctx.conn, fingerprint)
    if existing is not None:
        raise LienExists(
            f"this {kind} is already encumbered by lien {existing.lien_id} registered on "
            f"{existing.registered_on}",
            lien_id=existing.lien_id,
            registered_on=existing.registered_on.isoformat(),
        )
    lender = holder or ctx.command.actor
    data = {
        "lien_id": lien_id,
        "fingerprint": fingerprint,
        "kind": kind,
        "holder": lender,
        "grantor": grantor,
        "document_id": document_id,
        "terms_sha256": terms_sha256,
    }
    return Event("lien.registered", data, (lender, grantor))


def release(ctx: HandlerContext, lien_id: str, reason: LienRelease) -> Event:
    """The ``lien.released`` event (repayment, or the holder letting go)."""
    found = find_lien(ctx.conn, lien_id)
    if found is None:
        raise UnknownLien(f"no lien {lien_id!r}")
    if found.released_seq is not None:
        raise Conflict(f"lien {lien_id} was already released on {found.released_on}")
    data = {"lien_id": lien_id, "fingerprint": found.fingerprint, "reason": reason.value}
    return Event("lien.released", data, (found.holder, found.grantor))


# ---- the stand-alone commands ----------------------------------------------------------------


def register_lien(ctx: HandlerContext, p: c.RegisterLien) -> Sequence[Event]:
    return [
        claim(
            ctx,
            lien_id=p.lien_id,
            fingerprint=p.fingerprint,
            kind=DocumentKind(p.kind).value,
            grantor=p.grantor,
            document_id=p.document_id,
            terms_sha256=p.terms_sha256,
        )
    ]


def release_lien(ctx: HandlerContext, p: c.ReleaseLien) -> Sequence[Event]:
    found = find_lien(ctx.conn, p.lien_id)
    if found is not None and found.holder != ctx.command.actor:
        raise PermissionDenied(f"only the holder {found.holder} may release lien {p.lien_id}")
    return [release(ctx, p.lien_id, p.reason)]


def _apply_registered(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    d = e.data
    conn.execute(
        insert(liens).values(
            lien_id=d["lien_id"],
            fingerprint=d["fingerprint"],
            kind=d["kind"],
            holder=d["holder"],
            grantor=d["grantor"],
            document_id=d["document_id"],
            terms_sha256=d["terms_sha256"],
            registered_seq=ctx.seq,
            registered_on=ctx.business_date,
        )
    )
    conn.execute(
        insert(lien_encumbrances).values(fingerprint=d["fingerprint"], lien_id=d["lien_id"])
    )


def _apply_released(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    conn.execute(
        update(liens)
        .where(liens.c.lien_id == e.data["lien_id"])
        .values(
            released_seq=ctx.seq, released_on=ctx.business_date, release_reason=e.data["reason"]
        )
    )
    conn.execute(delete(lien_encumbrances).where(lien_encumbrances.c.lien_id == e.data["lien_id"]))


APPLIERS = {"lien.registered": _apply_registered, "lien.released": _apply_released}
