"""Routes of the ledger under /api/v1: accounts, balances (now or at a log position),
statements, transfers, the trial balance and the trace of payee-bound funds.

Writes take a command signed on the client (as ``POST /commands``) of the route's command type
and answer with the receipt and the resulting records. A party reads its own accounts and the
transfers touching them; operators, regulators and auditors read everything.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import Connection

from puhui.accounts import reports, views
from puhui.api.auth import Caller, caller
from puhui.api.routes import platform, writer
from puhui.kernel.canonical import SAFE_INTEGER_MAX
from puhui.kernel.errors import InvalidCommand, PermissionDenied
from puhui.kernel.service import Kernel, Receipt
from puhui.parties import views as parties

router = APIRouter(prefix="/api/v1")
Authed = Annotated[Caller, Depends(caller)]
Limit = Annotated[int, Query(ge=1, le=views.PAGE_SIZE_MAX)]
ACCOUNT_COMMANDS = frozenset({"accounts.open", "accounts.open_chart"})


def _submit(
    request: Request, response: Response, body: dict[str, Any], types: frozenset[str]
) -> Receipt:
    signed = Kernel.parse(body)
    if signed.command.type not in types:
        raise InvalidCommand(
            f"this route takes a signed {' or '.join(sorted(types))} command, "
            f"not {signed.command.type}"
        )
    receipt = writer(request).submit(signed)
    if receipt.repeat:
        response.status_code = 200
    return receipt


def _may_read_party(who: Caller, party_id: str) -> None:
    if not who.reads_full_log and who.party_id != party_id:
        raise PermissionDenied(f"{who.party_id} may not read the accounts of {party_id}")


def _readable_account(conn: Connection, who: Caller, account_id: str) -> views.Account:
    account = views.get_account(conn, account_id)
    _may_read_party(who, account.party_id)
    return account


def _full_reader(who: Caller) -> None:
    if not who.reads_full_log:
        raise PermissionDenied("only operators, regulators and auditors read the whole ledger")


@router.get("/currencies", tags=["accounts"])
def list_currencies(request: Request) -> dict[str, Any]:
    with platform(request).engine.connect() as conn:
        return {"currencies": [c.to_json() for c in views.list_currencies(conn)]}


@router.post("/accounts", tags=["accounts"], status_code=201)
def open_accounts(request: Request, response: Response, body: dict[str, Any]) -> dict[str, Any]:
    """Submit a signed ``accounts.open`` or ``accounts.open_chart``; returns the accounts."""
    receipt = _submit(request, response, body, ACCOUNT_COMMANDS)
    payload = Kernel.parse(body).command.payload
    with platform(request).engine.connect() as conn:
        opened: list[views.Account | None]
        if "accounts" in payload:
            ids = [a.get("account_id", "") for a in payload["accounts"]]
            opened = [views.find_account(conn, i) for i in ids]
        else:
            opened = [*views.list_accounts(conn, party_id=str(payload.get("party_id")))]
    return {
        "receipt": receipt.to_json(),
        "accounts": [a.to_json() for a in opened if a is not None],
    }


@router.post("/accounts/{account_id}/close", tags=["accounts"])
def close_account(
    request: Request, response: Response, account_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    """Submit a signed ``accounts.close`` for ``account_id``."""
    if Kernel.parse(body).command.payload.get("account_id") != account_id:
        raise InvalidCommand("the signed command closes another account than the URL names")
    receipt = _submit(request, response, body, frozenset({"accounts.close"}))
    response.status_code = 200
    return {"receipt": receipt.to_json()}


@router.get("/accounts", tags=["accounts"])
def list_accounts(
    request: Request,
    who: Authed,
    party_id: str | None = None,
    currency: str | None = None,
    after: str | None = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    """Accounts by id (yours; everyone's for full readers), keyset-paginated by ``after``."""
    if party_id is None and not who.reads_full_log:
        party_id = who.party_id
    if party_id is not None:
        _may_read_party(who, party_id)
    with platform(request).engine.connect() as conn:
        found = views.list_accounts(
            conn, party_id=party_id, currency=currency, after=after, limit=limit
        )
    return {
        "accounts": [a.to_json() for a in found],
        "next_after": found[-1].account_id if len(found) == limit else None,
    }


@router.get("/accounts/{account_id}", tags=["accounts"])
def get_account(
    request: Request,
    account_id: str,
    who: Authed,
    at_seq: int | None = Query(None, ge=0, le=SAFE_INTEGER_MAX),
) -> dict[str, Any]:
    """The account with its balances now, or as they were after log entry ``at_seq``."""
    with platform(request).engine.connect() as conn:
        account = _readable_account(conn, who, account_id)
        if at_seq is None:
            return account.to_json() | {"at_seq": None}
        totals = views.balance(conn, account_id, at_seq)
    return account.to_json() | {
        **totals.to_json(),
        "balance": totals.balance(account.kind),
        "pending_balance": totals.pending_balance(account.kind),
        "available": None,
        "at_seq": at_seq,
    }


@router.get("/accounts/{account_id}/statement", tags=["accounts"])
def statement(
    request: Request, account_id: str, who: Authed, after: str | None = None, limit: Limit = 100
) -> dict[str, Any]:
    """Postings in log order with the running balance; page on with ``next_after``."""
    with platform(request).engine.connect() as conn:
        _readable_account(conn, who, account_id)
        try:
            lines = views.statement(conn, account_id, after=after, limit=limit)
        except ValueError as exc:
            raise InvalidCommand(str(exc)) from exc
    return {
        "account_id": account_id,
        "lines": [ln.to_json() for ln in lines],
        "next_after": lines[-1].cursor if len(lines) == limit else None,
    }


def _visible(conn: Connection, who: Caller, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The transfers touching the caller's accounts (all of them for full readers)."""
    if who.reads_full_log:
        return found
    owners: dict[str, str] = {}
    for transfer in found:
        for side in ("debit", "credit"):
            if transfer[side] not in owners:
                owners[transfer[side]] = views.get_account(conn, transfer[side]).party_id
    return [t for t in found if who.party_id in (owners[t["debit"]], owners[t["credit"]])]


@router.post("/transfers", tags=["transfers"], status_code=201)
def create_transfers(request: Request, response: Response, body: dict[str, Any]) -> dict[str, Any]:
    """Submit a signed ``accounts.transfer`` (linked: all or none).

    Answers with the receipt and every transfer of the command as recorded — for ids that
    existed already, the first result."""
    receipt = _submit(request, response, body, frozenset({"accounts.transfer"}))
    command = Kernel.parse(body).command
    ids = [str(t.get("id")) for t in command.payload.get("transfers", [])]
    with platform(request).engine.connect() as conn:
        signer = Caller(command.actor, parties.get_party(conn, command.actor).roles)
        found = _visible(conn, signer, views.find_transfers(conn, ids))
    return {"receipt": receipt.to_json(), "transfers": found}


@router.get("/transfers", tags=["transfers"])
def transfers_by_reference(
    request: Request, who: Authed, reference: str, after: str | None = None, limit: Limit = 100
) -> dict[str, Any]:
    """Transfers naming a business object, e.g. ``?reference=loan:l1``."""
    with platform(request).engine.connect() as conn:
        found = views.transfers_by_reference(conn, reference, after=after, limit=limit)
        shown = _visible(conn, who, found)
    return {"transfers": shown, "next_after": found[-1]["id"] if len(found) == limit else None}


@router.get("/transfers/{transfer_id}", tags=["transfers"])
def get_transfer(request: Request, transfer_id: str, who: Authed) -> dict[str, Any]:
    with platform(request).engine.connect() as conn:
        found = views.get_transfer(conn, transfer_id)
        if not _visible(conn, who, [found]):
            raise PermissionDenied(f"transfer {transfer_id} does not touch your accounts")
    return found


@router.get("/trial-balance", tags=["accounts"])
def trial_balance(
    request: Request, who: Authed, at_seq: int | None = Query(None, ge=0, le=SAFE_INTEGER_MAX)
) -> dict[str, Any]:
    """Per currency: debits and credits (posted and pending) must be equal."""
    _full_reader(who)
    with platform(request).engine.connect() as conn:
        trials = reports.trial_balance(conn, at_seq)
    return {
        "at_seq": at_seq,
        "balanced": all(t.balanced for t in trials),
        "currencies": [t.to_json() for t in trials],
    }


@router.get("/trace", tags=["accounts"])
def trace(request: Request, who: Authed, origin: str) -> dict[str, Any]:
    """Where the money of a business object went (penetrating payment), for supervisors."""
    _full_reader(who)
    with platform(request).engine.connect() as conn:
        return reports.trace(conn, origin)
