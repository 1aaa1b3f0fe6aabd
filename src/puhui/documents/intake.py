"""The platform's intake of document content: what happens around the signed commands.

The handlers never see bytes. Here, before a ``document.register`` is submitted, its content
is validated against the kind's schema and checked against the command (commitment,
fingerprint, file metadata, the parties the body names); after the log accepts it, the bytes
are stored off-log. A read releases bytes only after the log has recorded a granted
``document.read``. Anyone holding a package can ``verify`` it against the log.

``submit`` is the kernel's (or the API's group-commit writer's) submit function; ``now`` is the
wall-clock time for the off-log row, passed in by the caller.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from puhui.documents import commands as c
from puhui.documents import consent, kinds, views
from puhui.documents.content import Attachment, Package, Prepared
from puhui.documents.errors import (
    AccessDenied,
    ContentMismatch,
    ContentMissing,
    DocumentInvalid,
    PartyMismatch,
    UnknownKind,
)
from puhui.documents.model import DocumentKind
from puhui.kernel import clock
from puhui.kernel.commands import SignedCommand
from puhui.kernel.errors import InvalidCommand, InvariantViolation, PermissionDenied
from puhui.kernel.pipeline import parse_payload
from puhui.kernel.service import Receipt
from puhui.parties import views as parties

Submit = Callable[[SignedCommand], Receipt]
CONTENT_COMMANDS = frozenset({"document.register"})
"""Commands that must travel with their content (the API refuses them without it)."""


def _payload(signed: SignedCommand) -> c.RegisterDocument:
    if signed.command.type != "document.register":
        raise InvalidCommand(f"expected a document.register command, got {signed.command.type}")
    return parse_payload(c.RegisterDocument, "document.register", signed.command.payload)


def _uscc_of(conn: Connection, party_id: str) -> str | None:
    return parties.get_party(conn, party_id).uscc


def _check_parties(
    conn: Connection, actor: str, p: c.RegisterDocument, body: dict[str, Any]
) -> None:
    spec = kinds.spec_of(p.kind)
    if spec.owner_field is not None:
        named = body[spec.owner_field]
        mine = {_uscc_of(conn, actor), actor.upper()} - {None}
        if named not in mine:
            raise PartyMismatch(
                f"{spec.owner_field} {named} is not the registering party {actor}: "
                f"a {p.kind} is registered by the party it names there"
            )
    if spec.counterparty_field is not None and p.counterparty is not None:
        named = body[spec.counterparty_field]
        theirs = _uscc_of(conn, p.counterparty)
        if theirs != named:
            raise PartyMismatch(
                f"{spec.counterparty_field} {named} is not the USCC of the counterparty "
                f"{p.counterparty} ({theirs or 'no USCC'})"
            )
    if p.kind == DocumentKind.IOT_BATCH and body["device_id"] != p.device_id:
        raise PartyMismatch(f"the batch is of device {body['device_id']}, not {p.device_id}")


def check_registration(conn: Connection, signed: SignedCommand, prepared: Prepared) -> None:
    """Refuse a registration whose content does not match its command; writes nothing."""
    p = _payload(signed)
    if p.kind != prepared.kind:
        raise ContentMismatch(f"the command registers a {p.kind}; the content is a {prepared.kind}")
    if p.fingerprint != prepared.fingerprint:
        raise ContentMismatch("the fingerprint in the command is not the content's fingerprint")
    if p.commitment != prepared.commitment:
        raise ContentMismatch("the commitment in the command does not match the content and salt")
    declared = None if p.file is None else p.file.model_dump()
    if declared != prepared.file_metadata:
        raise ContentMismatch("the file metadata in the command does not match the attached file")
    _check_parties(conn, signed.command.actor, p, prepared.body)


def register(
    engine: Engine, submit: Submit, signed: SignedCommand, package: Package, now: datetime
) -> Receipt:
    """Validate, submit and store: bad content is refused before anything is written."""
    prepared = package.prepare()
    with engine.connect() as conn:
        check_registration(conn, signed, prepared)
    receipt = submit(signed)
    document_id = _payload(signed).document_id
    with engine.begin() as conn:
        views.store_content(
            conn,
            document_id,
            prepared.salt,
            prepared.content,
            None if prepared.file is None else prepared.file.data,
            now,
        )
    return receipt


def attach(engine: Engine, owner: str, package: Package, now: datetime) -> bool:
    """Store (again) the bytes of a registered document, e.g. after a crash between the log
    append and the store; they must match the commitment on the log. True if newly stored."""
    if package.document_id is None:
        raise DocumentInvalid("the package must name its document_id")
    prepared = package.prepare()
    with engine.begin() as conn:
        doc = views.get_document(conn, package.document_id)
        if doc.owner != owner:
            raise PermissionDenied(f"only the owner {doc.owner} may store its bytes")
        if doc.commitment != prepared.commitment:
            raise ContentMismatch(f"the content does not match the commitment of {doc.document_id}")
        file = None if prepared.file is None else prepared.file.data
        return views.store_content(
            conn, doc.document_id, prepared.salt, prepared.content, file, now
        )


def package_of(conn: Connection, doc: views.Document) -> Package:
    """The stored bytes of ``doc`` as a package (no access check: callers check)."""
    stored = views.stored_content(conn, doc.document_id)
    if stored is None:
        raise ContentMissing(
            f"{doc.document_id} is on the log but its bytes are not stored here; "
            "its owner can upload them again"
        )
    content = json.loads(stored.content)
    if content.get("kind") != doc.kind:
        raise InvariantViolation(f"stored content of {doc.document_id} is not a {doc.kind}")
    file = None
    if stored.file is not None:
        file = Attachment(
            doc.file_name or "file", doc.file_media_type or "application/octet-stream", stored.file
        )
    return Package(doc.document_id, doc.kind, content["body"], stored.salt.hex(), file)


@dataclass(frozen=True)
class ReadResult:
    receipt: Receipt
    package: Package


def read(engine: Engine, submit: Submit, signed: SignedCommand) -> ReadResult:
    """Submit a ``document.read``; hand over the bytes only if the log recorded it granted.

    A repeated command returns its first receipt; the grant is then checked again, so a retry
    after revocation gets nothing."""
    if signed.command.type != "document.read":
        raise InvalidCommand(f"expected a document.read command, got {signed.command.type}")
    receipt = submit(signed)
    event = next(e for e in receipt.events if e.type == "document.read_recorded")
    if event.data["outcome"] != "granted":
        raise AccessDenied(
            f"read refused and recorded at entry {receipt.seq}: {event.data['reason']}",
            seq=receipt.seq,
        )
    with engine.connect() as conn:
        doc = views.get_document(conn, event.data["document_id"])
        if receipt.repeat:
            reader = parties.get_party(conn, signed.command.actor)
            today = clock.business_date(conn) or signed.command.business_date
            decision = consent.read_decision(
                conn, doc, reader.party_id, frozenset(reader.roles), event.data["purpose"], today
            )
            if decision.basis is None:
                raise AccessDenied(f"a repeated read is no longer allowed: {decision.reason}")
        return ReadResult(receipt, package_of(conn, doc))


@dataclass(frozen=True)
class Verification:
    verified: bool
    verdict: str
    """``authentic``, ``altered``, ``forged`` or ``invalid``."""
    reason: str
    fingerprint: str | None = None
    document: views.Document | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "verdict": self.verdict,
            "reason": self.reason,
            "fingerprint": self.fingerprint,
            "document": None if self.document is None else self.document.to_json(),
        }


def verify(conn: Connection, package: Package) -> Verification:
    """Check a holder's bytes and salt against the log and say why they fail."""
    try:
        prepared = package.prepare()
    except (DocumentInvalid, UnknownKind) as exc:
        return Verification(False, "invalid", exc.detail)
    fp, kind = prepared.fingerprint, prepared.kind
    if package.document_id is not None:
        doc = views.find_document(conn, package.document_id)
        if doc is None:
            return Verification(
                False, "forged", f"no document {package.document_id} is registered on the log", fp
            )
    else:
        doc = views.document_by_fingerprint(conn, fp)
        if doc is None:
            return Verification(
                False, "forged", f"no {kind} with this fingerprint is on the log", fp
            )
    where = f"{doc.document_id} (registered by {doc.owner} at entry {doc.registered_seq})"
    if doc.kind != kind:
        return Verification(False, "forged", f"{where} is a {doc.kind}, not a {kind}", fp, doc)
    if doc.commitment == prepared.commitment:
        confirmed = (
            f"; confirmed by {doc.counterparty} on {doc.confirmed_on}"
            if doc.confirmed_seq is not None
            else ""
        )
        return Verification(
            True,
            "authentic",
            f"matches the commitment of {where} on {doc.registered_on}{confirmed}",
            fp,
            doc,
        )
    if doc.fingerprint != fp:
        fields = ", ".join(kinds.spec_of(kind).key_fields)
        return Verification(
            False, "altered", f"its key fields ({fields}) differ from those of {where}", fp, doc
        )
    return Verification(
        False,
        "altered",
        f"same {kind} as {where}, but its content, file or salt differ from the commitment",
        fp,
        doc,
    )
