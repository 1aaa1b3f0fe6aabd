"""Routes of /api/v1: commands, the log (public: checkpoints, leaf hashes, proofs; with a token:
entries), parties and the clock."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from puhui.api.auth import Caller, caller
from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.credit.intake import CHECKED_COMMANDS
from puhui.documents.intake import CONTENT_COMMANDS
from puhui.finance.receivables.intake import ISSUE_COMMAND
from puhui.kernel import checkpoints as cps
from puhui.kernel import clock, log, signing
from puhui.kernel.canonical import SAFE_INTEGER_MAX
from puhui.kernel.errors import InvalidCommand, NotFound, PermissionDenied
from puhui.kernel.service import Kernel, utc_now
from puhui.kernel.store.engine import begin_write
from puhui.kernel.writer import GroupCommitter
from puhui.parties import custody, views

router = APIRouter(prefix="/api/v1")
LEAVES_PER_PAGE_MAX = 1000
Authed = Annotated[Caller, Depends(caller)]
LogPosition = Annotated[int, Path(ge=0, le=SAFE_INTEGER_MAX)]
"""A tree size or an entry's seq in a path: SQLite cannot bind 2**63, and no log grows past
the JSON-safe 2**53 - 1."""


def platform(request: Request) -> Platform:
    value: Platform = request.app.state.platform
    return value


def writer(request: Request) -> GroupCommitter:
    value: GroupCommitter = request.app.state.writer
    return value


@router.get("/clock", tags=["clock"])
def get_clock(request: Request) -> dict[str, Any]:
    with platform(request).engine.connect() as conn:
        today = clock.business_date(conn)
    if today is None:
        raise NotFound("the log has no genesis entry yet; run `puhui demo` or submit party.genesis")
    return {"business_date": today.isoformat()}


@router.post("/commands", tags=["commands"], status_code=201)
def submit_command(request: Request, response: Response, body: dict[str, Any]) -> dict[str, Any]:
    """Submit a command signed on the client. A repeat returns the first receipt with 200.

    Concurrent submissions share transactions (group commit)."""
    signed = Kernel.parse(body)
    _refuse_without_content(signed.command.type)
    receipt = writer(request).submit(signed)
    if receipt.repeat:
        response.status_code = 200
    return receipt.to_json()


def _refuse_without_content(command_type: str) -> None:
    if command_type in CONTENT_COMMANDS:
        raise InvalidCommand(
            f"{command_type} travels with its content: POST it to /api/v1/documents"
        )
    if command_type in CHECKED_COMMANDS:
        raise InvalidCommand(
            f"{command_type} is checked before submission: POST it to "
            f"{CHECKED_COMMANDS[command_type]}"
        )
    if command_type == ISSUE_COMMAND:
        raise InvalidCommand(
            f"{command_type} is checked against its invoices: POST it to /api/v1/receivables"
        )


class CustodialCommand(BaseModel):
    type: str
    payload: dict[str, Any]
    idempotency_key: str = Field(min_length=1, max_length=128)
    key_id: str | None = None


@router.post("/commands/custodial", tags=["commands"], status_code=201)
def submit_custodial(
    request: Request, response: Response, body: CustodialCommand, who: Authed
) -> dict[str, Any]:
    """Sign with the caller's custodial key on the server, then submit like any command."""
    _refuse_without_content(body.type)
    p = platform(request)
    master = custody.load_master_key(
        p.settings.custody_master_key, p.settings.custody_master_key_file
    )
    with p.engine.connect() as conn:
        key_ids = [body.key_id] if body.key_id else custody.custodial_key_ids(conn, who.party_id)
        active = {k.key_id for k in views.keys_of(conn, who.party_id, active_only=True)}
        usable = [k for k in key_ids if k in active]
        if not usable:
            raise PermissionDenied(f"{who.party_id} has no active custodial key")
        owner, key = custody.load_key(conn, master, usable[0])
        today = clock.business_date(conn)
    if owner != who.party_id or today is None:
        raise PermissionDenied("that custodial key belongs to another party")
    signed = Identity(owner, key).sign(body.type, body.payload, today, body.idempotency_key)
    receipt = writer(request).submit(signed)
    if receipt.repeat:
        response.status_code = 200
    return receipt.to_json()


@router.get("/log/key", tags=["log"], response_class=PlainTextResponse)
def log_key(request: Request) -> str:
    return platform(request).log_signer.verifier_key() + "\n"


@router.get("/log/checkpoint", tags=["log"])
def latest_checkpoint(request: Request) -> dict[str, Any]:
    """The latest signed checkpoint (made now if the log has grown) with its cosignatures."""
    p = platform(request)
    with begin_write(p.engine) as conn:
        return cps.publish(conn, p.log_signer, utc_now()).to_json()


@router.get("/log/checkpoints/{size}", tags=["log"])
def checkpoint_at(request: Request, size: LogPosition) -> dict[str, Any]:
    with platform(request).engine.connect() as conn:
        return cps.get_checkpoint(conn, size).to_json()


class Cosignature(BaseModel):
    line: str = Field(min_length=10, max_length=1000)


@router.post("/log/checkpoints/{size}/cosignatures", tags=["log"])
def add_cosignature(request: Request, size: LogPosition, body: Cosignature) -> dict[str, Any]:
    """A witness posts its cosignature line; it is kept only if it verifies."""
    with begin_write(platform(request).engine) as conn:
        return cps.add_cosignature(conn, size, body.line, views.witness_keys(conn)).to_json()


@router.get("/log/leaves", tags=["log"])
def leaves(
    request: Request,
    start: int = Query(ge=0, le=SAFE_INTEGER_MAX),
    end: int = Query(ge=0, le=SAFE_INTEGER_MAX),
) -> dict[str, Any]:
    """Leaf hashes [start, end): enough to check inclusion, revealing no content."""
    end = min(end, start + LEAVES_PER_PAGE_MAX)
    with platform(request).engine.connect() as conn:
        hashes = log.leaf_hashes(conn, start, end)
    return {"start": start, "leaf_hashes": [h.hex() for h in hashes]}


@router.get("/log/proofs/inclusion", tags=["log"])
def inclusion(
    request: Request,
    index: int = Query(ge=0, le=SAFE_INTEGER_MAX),
    tree_size: int = Query(ge=1, le=SAFE_INTEGER_MAX),
) -> dict[str, Any]:
    with platform(request).engine.connect() as conn:
        proof = log.inclusion_proof(conn, index, tree_size)
        leaf = log.leaf_hashes(conn, index, index + 1)[0]
    return {
        "index": index,
        "tree_size": tree_size,
        "leaf_hash": leaf.hex(),
        "proof": [signing.b64encode(h) for h in proof],
    }


@router.get("/log/proofs/consistency", tags=["log"])
def consistency(
    request: Request,
    first: int = Query(ge=0, le=SAFE_INTEGER_MAX),
    second: int = Query(ge=0, le=SAFE_INTEGER_MAX),
) -> dict[str, Any]:
    with platform(request).engine.connect() as conn:
        proof = log.consistency_proof(conn, first, second)
    return {"first": first, "second": second, "proof": [signing.b64encode(h) for h in proof]}


@router.get("/entries", tags=["log"])
def my_entries(
    request: Request,
    who: Authed,
    after: int = Query(-1, ge=-1, le=SAFE_INTEGER_MAX),
    limit: int = Query(100, ge=1, le=500),
) -> dict[str, Any]:
    """Positions of the entries the caller signed or is named in, oldest first."""
    with platform(request).engine.connect() as conn:
        seqs = log.entries_of(conn, who.party_id, after=after, limit=limit)
    return {"entries": seqs, "next_after": seqs[-1] if len(seqs) == limit else None}


@router.get("/entries/{seq}", tags=["log"])
def entry(
    request: Request,
    seq: LogPosition,
    who: Authed,
    tree_size: int | None = Query(None, ge=1, le=SAFE_INTEGER_MAX),
) -> dict[str, Any]:
    """One entry with its inclusion proof in the latest checkpoint (or ``tree_size``)."""
    p = platform(request)
    with p.engine.connect() as conn:
        if not who.reads_full_log and not log.entry_visible(conn, seq, who.party_id):
            raise NotFound(f"entry {seq} does not exist or is not visible to {who.party_id}")
        body, leaf = log.entry_body(conn, seq)
        size = tree_size if tree_size is not None else cps.latest_size(conn)
        if size is None or size <= seq:
            size = log.tree_head(conn).size
        proof = log.inclusion_proof(conn, seq, size)
    return {
        "seq": seq,
        "entry": json.loads(body),
        "leaf_hash": leaf.hex(),
        "tree_size": size,
        "inclusion_proof": [signing.b64encode(h) for h in proof],
    }


@router.get("/me", tags=["parties"])
def me(request: Request, who: Authed) -> dict[str, Any]:
    """The party the API token belongs to."""
    with platform(request).engine.connect() as conn:
        return views.get_party(conn, who.party_id).to_json()


@router.get("/parties", tags=["parties"])
def list_parties(
    request: Request,
    who: Authed,
    role: str | None = None,
    after: str | None = None,
    limit: int = Query(100, ge=1, le=500),
) -> dict[str, Any]:
    with platform(request).engine.connect() as conn:
        found = views.list_parties(conn, role=role, after=after, limit=limit)
    return {
        "parties": [p.to_json() for p in found],
        "next_after": found[-1].party_id if len(found) == limit else None,
    }


@router.get("/parties/{party_id}", tags=["parties"])
def get_party(request: Request, party_id: str, who: Authed) -> dict[str, Any]:
    with platform(request).engine.connect() as conn:
        party = views.get_party(conn, party_id)
        keys = views.keys_of(conn, party_id)
    return party.to_json() | {
        "keys": [
            {
                "key_id": k.key_id,
                "public_key": signing.b64encode(k.public_key),
                "added_seq": k.added_seq,
                "revoked_seq": k.revoked_seq,
            }
            for k in keys
        ]
    }
