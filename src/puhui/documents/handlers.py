"""Handlers (command → events) and appliers (event → projection rows) of the documents context,
and its registration with the kernel.

Handlers see only the log's projections, never the off-log bytes: replay and offline verify
must reach the same events without them. Checking a body against its commitment and schema is
done before submission, by `intake`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, insert, update

from puhui.documents import commands as c
from puhui.documents import consent, liens, views
from puhui.documents.errors import AlreadyConfirmed, DeviceExists, DocumentExists, DuplicateDocument
from puhui.documents.kinds import spec_of
from puhui.documents.tables import devices, document_reads, documents
from puhui.kernel.commands import Event
from puhui.kernel.errors import PermissionDenied, RuleViolation
from puhui.kernel.registry import ApplyContext, CommandSpec, HandlerContext, Registry
from puhui.parties import views as parties

LENDER_ROLES = frozenset({"bank", "guarantor", "investor", "insurer"})


def _check_counterparty(ctx: HandlerContext, p: c.RegisterDocument) -> None:
    spec = spec_of(p.kind)
    if p.counterparty is None:
        if spec.counterparty_required:
            raise RuleViolation(
                f"a {p.kind} must name its {spec.counterparty_role} as counterparty"
            )
        return
    if spec.counterparty_field is None:
        raise RuleViolation(f"a {p.kind} has no counterparty")
    if p.counterparty == ctx.command.actor:
        raise RuleViolation("the counterparty must be another party")
    party = parties.get_party(ctx.conn, p.counterparty)
    if spec.counterparty_role is not None and spec.counterparty_role not in party.roles:
        raise RuleViolation(
            f"the counterparty of a {p.kind} must be a {spec.counterparty_role}; "
            f"{party.party_id} is {', '.join(party.roles)}"
        )


def register(ctx: HandlerContext, p: c.RegisterDocument) -> Sequence[Event]:
    owner = ctx.command.actor
    if views.find_document(ctx.conn, p.document_id) is not None:
        raise DocumentExists(f"document id {p.document_id!r} is already used")
    _check_counterparty(ctx, p)
    if p.device_id is not None:
        device = views.get_device(ctx.conn, p.device_id)
        if device.owner != owner:
            raise PermissionDenied(f"device {p.device_id} belongs to {device.owner}")
    same = views.document_by_fingerprint(ctx.conn, p.fingerprint)
    if same is not None:
        named = f" as {same.document_id}" if same.owner == owner else " by another party"
        raise DuplicateDocument(
            f"this {same.kind} is already registered{named} on {same.registered_on}"
        )
    data = {
        "document_id": p.document_id,
        "kind": p.kind.value,
        "owner": owner,
        "counterparty": p.counterparty,
        "device_id": p.device_id,
        "commitment": p.commitment,
        "fingerprint": p.fingerprint,
        "file": None if p.file is None else p.file.model_dump(),
    }
    named_parties = (owner,) if p.counterparty is None else (owner, p.counterparty)
    return [Event("document.registered", data, named_parties)]


def confirm(ctx: HandlerContext, p: c.ConfirmDocument) -> Sequence[Event]:
    return [confirmation(ctx, p.document_id)]


def confirmation(ctx: HandlerContext, document_id: str) -> Event:
    """The ``document.confirmed`` event of the signer, the counterparty named at registration.

    Public for finance handlers whose command is itself the counterparty's confirmation (the
    buyer countersigning a trade order confirms its purchase order in the same entry)."""
    doc = views.get_document(ctx.conn, document_id)
    if doc.counterparty != ctx.command.actor:
        raise PermissionDenied(
            f"only the counterparty named at registration may confirm {doc.document_id}"
        )
    if doc.confirmed_seq is not None:
        raise AlreadyConfirmed(f"{doc.document_id} was confirmed on {doc.confirmed_on}")
    data = {"document_id": doc.document_id, "by": ctx.command.actor}
    return Event("document.confirmed", data, (doc.owner, ctx.command.actor))


def read(ctx: HandlerContext, p: c.ReadDocument) -> Sequence[Event]:
    """Record a read attempt. A refused read is recorded too (the command is accepted, the event
    says ``refused``), so an owner sees every attempt; the platform releases bytes only for a
    ``granted`` event."""
    doc = views.get_document(ctx.conn, p.document_id)
    reader = ctx.command.actor
    decision = consent.read_decision(
        ctx.conn, doc, reader, ctx.actor_roles, p.purpose.value, ctx.business_date
    )
    data = {
        "document_id": doc.document_id,
        "owner": doc.owner,
        "reader": reader,
        "purpose": p.purpose.value,
        "outcome": "refused" if decision.basis is None else "granted",
        "basis": None if decision.basis is None else decision.basis.value,
        "grant_id": decision.grant_id,
        "reason": decision.reason,
    }
    return [Event("document.read_recorded", data, (reader, doc.owner))]


def register_device(ctx: HandlerContext, p: c.RegisterDevice) -> Sequence[Event]:
    if views.find_device(ctx.conn, p.device_id) is not None:
        raise DeviceExists(f"device {p.device_id!r} is already registered")
    owner = ctx.command.actor
    data = {"device_id": p.device_id, "owner": owner, "name": p.name}
    return [Event("iot.device_registered", data, (owner,))]


# ---- appliers -------------------------------------------------------------------------------

_INSERT_DOCUMENT = insert(documents)


def _apply_registered(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    d = e.data
    file = d["file"] or {}
    conn.execute(
        _INSERT_DOCUMENT,
        {
            "document_id": d["document_id"],
            "kind": d["kind"],
            "owner": d["owner"],
            "counterparty": d["counterparty"],
            "device_id": d["device_id"],
            "commitment": d["commitment"],
            "fingerprint": d["fingerprint"],
            "file_name": file.get("name"),
            "file_media_type": file.get("media_type"),
            "file_size_bytes": file.get("size_bytes"),
            "registered_seq": ctx.seq,
            "registered_on": ctx.business_date,
        },
    )


def _apply_confirmed(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    conn.execute(
        update(documents)
        .where(documents.c.document_id == e.data["document_id"])
        .values(confirmed_seq=ctx.seq, confirmed_on=ctx.business_date)
    )


def _apply_read(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    d = e.data
    conn.execute(
        insert(document_reads).values(
            seq=ctx.seq,
            document_id=d["document_id"],
            owner=d["owner"],
            reader=d["reader"],
            purpose=d["purpose"],
            outcome=d["outcome"],
            basis=d["basis"],
            grant_id=d["grant_id"],
            reason=d["reason"],
            read_on=ctx.business_date,
        )
    )


def _apply_device(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    d = e.data
    conn.execute(
        insert(devices).values(
            device_id=d["device_id"],
            owner=d["owner"],
            name=d["name"],
            registered_seq=ctx.seq,
            registered_on=ctx.business_date,
        )
    )


def register_context(registry: Registry) -> None:
    specs = [
        CommandSpec(
            "document.register",
            c.RegisterDocument,
            register,
            summary="Commit to a document held off-log (salted commitment + fingerprint)",
        ),
        CommandSpec(
            "document.confirm",
            c.ConfirmDocument,
            confirm,
            summary="The named counterparty confirms a document",
        ),
        CommandSpec(
            "document.read",
            c.ReadDocument,
            read,
            summary="Ask for a document's bytes for a purpose; the attempt is recorded",
        ),
        CommandSpec(
            "consent.grant",
            c.GrantAccess,
            consent.grant,
            summary="Grant a party access to a document or a kind of documents until a date",
        ),
        CommandSpec("consent.revoke", c.RevokeAccess, consent.revoke, summary="Revoke a grant"),
        CommandSpec(
            "iot.register_device",
            c.RegisterDevice,
            register_device,
            summary="Register an IoT device owned by the signer",
        ),
        CommandSpec(
            "lien.register",
            c.RegisterLien,
            liens.register_lien,
            LENDER_ROLES,
            summary="Register a financing claim on a document's fingerprint",
        ),
        CommandSpec(
            "lien.release",
            c.ReleaseLien,
            liens.release_lien,
            summary="The holder releases its lien",
        ),
    ]
    for spec in specs:
        registry.command(spec)
    registry.appliers_for(
        {
            "document.registered": _apply_registered,
            "document.confirmed": _apply_confirmed,
            "document.read_recorded": _apply_read,
            "iot.device_registered": _apply_device,
            **consent.APPLIERS,
            **liens.APPLIERS,
        }
    )
