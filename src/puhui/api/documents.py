"""Routes of the documents context: documents with their off-log content, recorded reads,
verification, consent grants, IoT devices and the lien registry."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from puhui.api.routes import Authed, platform, writer
from puhui.documents import consent, evidence, intake, liens, views
from puhui.documents.content import Package, fingerprint_of
from puhui.documents.kinds import key_of, validate_body
from puhui.kernel import checkpoints as cps
from puhui.kernel.canonical import SAFE_INTEGER_MAX
from puhui.kernel.errors import InvalidCommand, NotFound, PermissionDenied
from puhui.kernel.service import Kernel, utc_now
from puhui.kernel.store.engine import begin_write

router = APIRouter(prefix="/api/v1")
PAGE = Query(100, ge=1, le=500)


class Registration(BaseModel):
    command: dict[str, Any]
    package: dict[str, Any]


@router.post("/documents", tags=["documents"], status_code=201)
def register_document(request: Request, response: Response, body: Registration) -> dict[str, Any]:
    """Register a document (or an IoT batch): the signed ``document.register`` command and the
    package (body, salt, optional file). The content is checked against the command and the
    kind's schema before anything is written; the bytes are stored off-log."""
    p = platform(request)
    signed = Kernel.parse(body.command)
    receipt = intake.register(
        p.engine, writer(request).submit, signed, Package.from_json(body.package), utc_now()
    )
    if receipt.repeat:
        response.status_code = 200
    return receipt.to_json()


@router.get("/documents", tags=["documents"])
def list_documents(
    request: Request,
    who: Authed,
    kind: str | None = None,
    device_id: str | None = None,
    after: str | None = None,
    limit: int = PAGE,
) -> dict[str, Any]:
    """Documents the caller owns or is the counterparty of."""
    with platform(request).engine.connect() as conn:
        found = views.list_documents(
            conn, who.party_id, kind=kind, device_id=device_id, after=after, limit=limit
        )
    return {
        "documents": [d.to_json() for d in found],
        "next_after": found[-1].document_id if len(found) == limit else None,
    }


@router.get("/documents/access-log", tags=["documents"])
def access_log(
    request: Request,
    who: Authed,
    document_id: str | None = None,
    after: int = Query(-1, ge=-1, le=SAFE_INTEGER_MAX),
    limit: int = PAGE,
) -> dict[str, Any]:
    """Who read (or tried to read) the caller's documents, when and for which purpose."""
    with platform(request).engine.connect() as conn:
        reads = views.access_log(
            conn, who.party_id, document_id=document_id, after=after, limit=limit
        )
    return {
        "reads": [r.to_json() for r in reads],
        "next_after": reads[-1].seq if len(reads) == limit else None,
    }


class Draft(BaseModel):
    kind: str = Field(max_length=32)
    body: dict[str, Any]


@router.post("/documents/fingerprint", tags=["documents"])
def fingerprint(body: Draft) -> dict[str, Any]:
    """The normalised fingerprint of a document body (validated against its kind's schema)."""
    model = validate_body(body.kind, body.body)
    return {"fingerprint": fingerprint_of(body.kind, body.body), "key": key_of(body.kind, model)}


@router.post("/documents/verify", tags=["documents"])
def verify_document(request: Request, who: Authed, body: dict[str, Any]) -> dict[str, Any]:
    """Check a package (bytes + salt) against the log: authentic, altered, forged or invalid."""
    with platform(request).engine.connect() as conn:
        result = intake.verify(conn, Package.from_json(body))
        proof = None
        if result.document is not None:
            proof = evidence.inclusion(conn, result.document.registered_seq)
    return result.to_json() | {"evidence": proof}


@router.get("/documents/{document_id}", tags=["documents"])
def get_document(request: Request, document_id: str, who: Authed) -> dict[str, Any]:
    """Metadata of a document (never its content) for its owner, counterparty, or a full-log
    reader; a lien holder and grantees see it through their own records."""
    with platform(request).engine.connect() as conn:
        doc = views.find_document(conn, document_id)
    if doc is None or not (doc.concerns(who.party_id) or who.reads_full_log):
        raise NotFound(f"document {document_id} does not exist or is not visible to you")
    return doc.to_json()


@router.get("/documents/{document_id}/content", tags=["documents"])
def own_content(request: Request, document_id: str, who: Authed) -> dict[str, Any]:
    """The owner's own package. Anyone else reads through ``POST .../read`` (recorded)."""
    with platform(request).engine.connect() as conn:
        doc = views.get_document(conn, document_id)
        if doc.owner != who.party_id:
            raise PermissionDenied(
                f"only the owner reads {document_id} here; others sign a document.read"
            )
        return intake.package_of(conn, doc).to_json()


@router.put("/documents/{document_id}/content", tags=["documents"])
def store_content(
    request: Request, document_id: str, who: Authed, body: dict[str, Any]
) -> dict[str, Any]:
    """Upload again the bytes of a registered document; they must match its commitment."""
    package = Package.from_json(body)
    if package.document_id != document_id:
        raise InvalidCommand(f"the package is of {package.document_id}, not {document_id}")
    stored = intake.attach(platform(request).engine, who.party_id, package, utc_now())
    return {"document_id": document_id, "stored": stored}


@router.post("/documents/{document_id}/read", tags=["documents"])
def read_document(request: Request, document_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Read another party's document: post a signed ``document.read``. The attempt is recorded
    on the log whatever the outcome; the package comes back only if a grant (or supervision)
    allows it."""
    signed = Kernel.parse(body)
    if signed.command.payload.get("document_id") != document_id:
        raise InvalidCommand("the signed read names another document")
    result = intake.read(platform(request).engine, writer(request).submit, signed)
    return {"receipt": result.receipt.to_json(), "package": result.package.to_json()}


@router.get("/consents", tags=["consent"])
def list_grants(request: Request, who: Authed, received: bool = False) -> dict[str, Any]:
    """Grants the caller gave (or, with ``received=true``, was given)."""
    with platform(request).engine.connect() as conn:
        found = consent.grants_of(conn, who.party_id, as_grantee=received)
    return {"grants": [g.to_json() for g in found]}


@router.get("/iot/devices", tags=["iot"])
def list_devices(request: Request, who: Authed) -> dict[str, Any]:
    with platform(request).engine.connect() as conn:
        found = views.devices_of(conn, who.party_id)
    return {"devices": [d.to_json() for d in found]}


@router.get("/liens", tags=["liens"])
def list_liens(request: Request, who: Authed) -> dict[str, Any]:
    """Liens the caller holds or granted."""
    with platform(request).engine.connect() as conn:
        found = liens.liens_of(conn, who.party_id)
    return {"liens": [lien.to_json() for lien in found]}


@router.get("/liens/encumbrance/{fingerprint}", tags=["liens"])
def encumbrance(request: Request, fingerprint: str, who: Authed) -> dict[str, Any]:
    """Is this fingerprint encumbered? yes/no with an inclusion proof in a signed checkpoint."""
    p = platform(request)
    with begin_write(p.engine) as conn:
        checkpoint = cps.publish(conn, p.log_signer, utc_now())
        answer = evidence.encumbrance_answer(conn, fingerprint.lower())
    return answer | {"checkpoint": checkpoint.to_json()}
