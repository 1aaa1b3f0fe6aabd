"""`puhui doc|consent|lien|iot`: documents with off-log content, consent, liens, IoT devices.

Document files are JSON: a draft ``{kind, body}`` to register or fingerprint, or a package
(``{format, document_id, kind, body, salt, file}``, written by `doc register` and `doc read`)
to verify.
"""

from __future__ import annotations

import json
import mimetypes
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from puhui.cli_common import (
    As,
    KeyFile,
    _identity,
    _print_receipt,
    _today,
    errors_as_lines,
    fail,
    out,
    platform,
)
from puhui.client_documents import sign_registration
from puhui.documents import evidence, intake, views
from puhui.documents.content import Attachment, Package, fingerprint_of
from puhui.kernel.service import utc_now

doc_app = typer.Typer(help="Documents: register, confirm, verify, read", no_args_is_help=True)
consent_app = typer.Typer(help="Grant and revoke access to documents", no_args_is_help=True)
lien_app = typer.Typer(help="The lien registry (double financing)", no_args_is_help=True)
iot_app = typer.Typer(help="IoT devices", no_args_is_help=True)


def _read_json(path: Path) -> dict[str, Any]:
    with errors_as_lines():
        data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        fail(f"{path} must hold a JSON object")
    return data


def _draft(path: Path) -> tuple[str, dict[str, Any]]:
    data = _read_json(path)
    kind, body = data.get("kind"), data.get("body")
    if not isinstance(kind, str) or not isinstance(body, dict):
        fail(f"{path} must hold {{kind, body}}")
    return kind, body


def _submit(command_type: str, payload: dict[str, Any], signer: str, key: Path) -> None:
    p = platform()
    ident = _identity(signer, key)
    with errors_as_lines():
        receipt = p.kernel.submit(ident.sign(command_type, payload, _today(p)))
    _print_receipt(receipt.to_json())


@doc_app.command("fingerprint")
def doc_fingerprint(file: Path) -> None:
    """Print the normalised fingerprint of a document draft or package."""
    kind, body = _draft(file)
    with errors_as_lines():
        out.print(fingerprint_of(kind, body))


@doc_app.command("register")
def doc_register(
    file: Annotated[Path, typer.Argument(help="JSON draft {kind, body}")],
    document_id: Annotated[str, typer.Option("--id")],
    signer: As,
    key: KeyFile,
    counterparty: Annotated[str | None, typer.Option(help="party who confirms it")] = None,
    attach: Annotated[Path | None, typer.Option(help="file stored with it (PDF, image)")] = None,
    package_out: Annotated[
        Path | None, typer.Option("--out", help="where to keep the package")
    ] = None,
) -> None:
    """Register a document: its commitment goes on the log, its bytes are stored off-log, and
    the package (body + salt) is written to --out: keep it, it proves the document."""
    kind, body = _draft(file)
    p = platform()
    ident = _identity(signer, key)
    with errors_as_lines():
        attachment = None
        if attach is not None:
            media = mimetypes.guess_type(attach.name)[0] or "application/octet-stream"
            attachment = Attachment(attach.name, media, attach.read_bytes())
        signed, package = sign_registration(
            ident, document_id, kind, body, _today(p), counterparty=counterparty, file=attachment
        )
        receipt = intake.register(p.engine, p.kernel.submit, signed, package, utc_now())
        target = package_out or Path(f"{document_id}.document.json")
        target.write_text(json.dumps(package.to_json(), ensure_ascii=False, indent=2) + "\n")
    _print_receipt(receipt.to_json())
    out.print(f"package written to {target}")


@doc_app.command("confirm")
def doc_confirm(document_id: str, signer: As, key: KeyFile) -> None:
    """Confirm a document as its named counterparty (buyer, warehouse, tax authority)."""
    _submit("document.confirm", {"document_id": document_id}, signer, key)


@doc_app.command("verify")
def doc_verify(file: Annotated[Path, typer.Argument(help="a document package")]) -> None:
    """Check a package's bytes and salt against the log; exit 1 (and say why) if they fail."""
    data = _read_json(file)
    with errors_as_lines():
        package = Package.from_json(data)
        with platform().engine.connect() as conn:
            result = intake.verify(conn, package)
    line = f"{result.verdict.upper()}: {result.reason}"
    if not result.verified:
        fail(line)
    out.print(line, highlight=False)


@doc_app.command("read")
def doc_read(
    document_id: str,
    purpose: Annotated[str, typer.Option(help="credit_assessment, supervision, ...")],
    signer: As,
    key: KeyFile,
    package_out: Annotated[Path, typer.Option("--out")],
) -> None:
    """Read another party's document under a grant; the read is recorded on the log."""
    p = platform()
    ident = _identity(signer, key)
    with errors_as_lines():
        signed = ident.sign(
            "document.read", {"document_id": document_id, "purpose": purpose}, _today(p)
        )
        result = intake.read(p.engine, p.kernel.submit, signed)
        package_out.write_text(json.dumps(result.package.to_json(), ensure_ascii=False) + "\n")
    out.print(f"read recorded at entry {result.receipt.seq}; package written to {package_out}")


@doc_app.command("access-log")
def doc_access_log(
    owner: Annotated[str, typer.Option(help="the owner whose documents were read")],
    document_id: Annotated[str | None, typer.Option("--document")] = None,
    limit: int = 100,
) -> None:
    """Who read (or tried to read) an owner's documents, when and for which purpose."""
    with platform().engine.connect() as conn:
        reads = views.access_log(conn, owner, document_id=document_id, limit=limit)
    table = Table("entry", "date", "reader", "document", "purpose", "outcome", "basis / reason")
    for r in reads:
        because = r.basis if r.outcome == "granted" else r.reason
        table.add_row(
            str(r.seq),
            r.read_on.isoformat(),
            r.reader,
            r.document_id,
            r.purpose,
            r.outcome,
            f"{because or ''}{' ' + r.grant_id if r.grant_id else ''}",
        )
    out.print(table)


@consent_app.command("grant")
def consent_grant(
    grant_id: Annotated[str, typer.Option("--id")],
    grantee: Annotated[str, typer.Option("--to")],
    purpose: Annotated[str, typer.Option()],
    until: Annotated[str, typer.Option(help="last day the grant is in force (YYYY-MM-DD)")],
    signer: As,
    key: KeyFile,
    document_id: Annotated[str | None, typer.Option("--document")] = None,
    kind: Annotated[str | None, typer.Option(help="a class: all documents of this kind")] = None,
) -> None:
    """Let a party read one of your documents, or all of a kind, for a purpose until a date."""
    with errors_as_lines():
        valid_until = date.fromisoformat(until).isoformat()
    payload = {
        "grant_id": grant_id,
        "grantee": grantee,
        "purpose": purpose,
        "valid_until": valid_until,
        "document_id": document_id,
        "kind": kind,
    }
    _submit("consent.grant", payload, signer, key)


@consent_app.command("revoke")
def consent_revoke(
    grant_id: str, signer: As, key: KeyFile, reason: str = "revoked by owner"
) -> None:
    """Revoke a grant: later reads under it are refused (and recorded)."""
    _submit("consent.revoke", {"grant_id": grant_id, "reason": reason}, signer, key)


@lien_app.command("register")
def lien_register(
    lien_id: Annotated[str, typer.Option("--id")],
    grantor: Annotated[str, typer.Option(help="the document's owner (the borrower)")],
    signer: As,
    key: KeyFile,
    fingerprint: Annotated[str | None, typer.Option()] = None,
    file: Annotated[Path | None, typer.Option(help="a draft or package to fingerprint")] = None,
    kind: Annotated[str, typer.Option()] = "e_invoice",
    document_id: Annotated[str | None, typer.Option("--document")] = None,
) -> None:
    """Register a financing claim on a document; refused if it is already encumbered."""
    if (fingerprint is None) == (file is None):
        fail("give exactly one of --fingerprint or --file")
    if file is not None:
        kind, body = _draft(file)
        with errors_as_lines():
            fingerprint = fingerprint_of(kind, body)
    payload = {
        "lien_id": lien_id,
        "fingerprint": fingerprint,
        "kind": kind,
        "grantor": grantor,
        "document_id": document_id,
    }
    _submit("lien.register", payload, signer, key)


@lien_app.command("release")
def lien_release(lien_id: str, signer: As, key: KeyFile, reason: str = "holder_release") -> None:
    """Release your lien (``repaid`` or ``holder_release``)."""
    _submit("lien.release", {"lien_id": lien_id, "reason": reason}, signer, key)


@lien_app.command("check")
def lien_check(
    fingerprint: Annotated[str | None, typer.Argument()] = None,
    file: Annotated[Path | None, typer.Option(help="a draft or package to fingerprint")] = None,
) -> None:
    """Is a document encumbered? yes/no, with the log entry that proves it."""
    if (fingerprint is None) == (file is None):
        fail("give a fingerprint or --file")
    if file is not None:
        kind, body = _draft(file)
        with errors_as_lines():
            fingerprint = fingerprint_of(kind, body)
    with platform().engine.connect() as conn:
        answer = evidence.encumbrance_answer(conn, str(fingerprint))
    proof = answer["evidence"]
    if answer["encumbered"]:
        line = f"yes: lien {answer['lien_id']} registered on {answer['registered_on']}"
    elif proof is None:
        line = f"no: {answer['note']}"
    else:
        line = f"no: lien {answer['lien_id']} was released on {answer['released_on']}"
    out.print(line, highlight=False)
    if proof is not None:
        out.print(
            f"  entry {proof['seq']} leaf {proof['leaf_hash']} in tree of size "
            f"{proof['tree_size']} ({len(proof['inclusion_proof'])} proof hashes)"
        )


@iot_app.command("register-device")
def iot_register_device(
    device_id: Annotated[str, typer.Option("--id")],
    name: Annotated[str, typer.Option()],
    signer: As,
    key: KeyFile,
) -> None:
    """Register a device you own; post its batches with `doc register` (kind iot_batch) or
    ``POST /api/v1/documents``."""
    _submit("iot.register_device", {"device_id": device_id, "name": name}, signer, key)
