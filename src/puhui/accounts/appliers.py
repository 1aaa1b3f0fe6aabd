"""Appliers: write the accounts context's events into its projections.

``apply_transfers`` is the hot path: per event it reads the touched accounts once, computes the
running totals in memory, and writes with one executemany per table (transfers, postings,
pending rows, pending updates, account totals). It checks the invariants again after reading
(no flagged account below zero, pending totals never negative), so a bad event aborts the entry.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from puhui.accounts.ledger import AccountState, deltas, load_accounts
from puhui.accounts.model import PendingStatus, TransferKind
from puhui.accounts.rails import PLATFORM
from puhui.accounts.tables import accounts, currencies, pending_transfers, postings, transfers
from puhui.kernel.commands import Event
from puhui.kernel.errors import InvariantViolation
from puhui.kernel.registry import ApplyContext

_INSERT_TRANSFER = insert(transfers)
_INSERT_POSTING = insert(postings)
_INSERT_PENDING = insert(pending_transfers)
_RESOLVE_PENDING = (
    update(pending_transfers)
    .where(
        pending_transfers.c.transfer_id == bindparam("b_id"),
        pending_transfers.c.status == PendingStatus.PENDING.value,
    )
    .values(
        status=bindparam("b_status"),
        resolved_by=bindparam("b_by"),
        resolved_seq=bindparam("b_seq"),
    )
)
_UPDATE_TOTALS = (
    update(accounts)
    .where(accounts.c.account_id == bindparam("b_id"))
    .values(
        debits_posted=bindparam("b_dp"),
        credits_posted=bindparam("b_cp"),
        debits_pending=bindparam("b_dpend"),
        credits_pending=bindparam("b_cpend"),
    )
)
_RESOLVED_STATUS = {
    TransferKind.POST: PendingStatus.POSTED,
    TransferKind.VOID: PendingStatus.VOIDED,
    TransferKind.EXPIRE: PendingStatus.EXPIRED,
}


def apply_currency_added(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    d = ev.data
    conn.execute(
        insert(currencies).values(
            code=d["code"],
            scale=d["scale"],
            name=d["name"],
            rails=",".join(d["rails"]),
            added_seq=ctx.seq,
        )
    )


def apply_account_opened(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    conn.execute(
        insert(accounts),
        [
            {
                "account_id": a["account_id"],
                "party_id": a["party_id"],
                "currency": a["currency"],
                "kind": a["kind"],
                "purpose": a["purpose"],
                "name": a["name"],
                "debits_must_not_exceed_credits": a["debits_must_not_exceed_credits"],
                "credits_must_not_exceed_debits": a["credits_must_not_exceed_debits"],
                "closed": False,
                "opened_seq": ctx.seq,
                "debits_posted": 0,
                "credits_posted": 0,
                "debits_pending": 0,
                "credits_pending": 0,
            }
            for a in ev.data["accounts"]
        ],
    )


def apply_account_closed(conn: Connection, ev: Event, _ctx: ApplyContext) -> None:
    result = conn.execute(
        update(accounts)
        .where(accounts.c.account_id == ev.data["account_id"], accounts.c.closed.is_(False))
        .values(closed=True)
    )
    if result.rowcount != 1:
        raise InvariantViolation(f"account {ev.data['account_id']} was not open to be closed")


def _first_line(conn: Connection, seq: int) -> int:
    """Postings of one entry are numbered on; an entry may carry several transfer events."""
    last = conn.execute(select(func.max(postings.c.line)).where(postings.c.seq == seq)).scalar()
    return 0 if last is None else int(last) + 1


def _check_after(account: AccountState) -> None:
    if min(account.debits_pending, account.credits_pending) < 0:
        raise InvariantViolation(f"{account.account_id}: pending total below zero")
    if account.debits_must_not_exceed_credits and (
        account.debits_posted + account.debits_pending > account.credits_posted
    ):
        raise InvariantViolation(f"{account.account_id}: debits exceed credits")
    if account.credits_must_not_exceed_debits and (
        account.credits_posted + account.credits_pending > account.debits_posted
    ):
        raise InvariantViolation(f"{account.account_id}: credits exceed debits")


def _posting(
    seq: int, line: int, account: AccountState, item: dict[str, Any], side: str, day: date
) -> dict[str, Any]:
    return {
        "seq": seq,
        "line": line,
        "account_id": account.account_id,
        "transfer_id": item["id"],
        "kind": item["kind"],
        "side": side,
        "business_date": day,
        "debits_posted": account.debits_posted,
        "credits_posted": account.credits_posted,
        "debits_pending": account.debits_pending,
        "credits_pending": account.credits_pending,
    }


def _transfer_row(item: dict[str, Any], ctx: ApplyContext) -> dict[str, Any]:
    expires = item.get("expires_on")
    return {
        "transfer_id": item["id"],
        "seq": ctx.seq,
        "business_date": ctx.business_date,
        "kind": item["kind"],
        "debit_account_id": item["debit"],
        "credit_account_id": item["credit"],
        "amount": item["amount"],
        "currency": item["currency"],
        "code": item["code"],
        "reference": item.get("reference"),
        "pending_id": item.get("pending_id"),
        "released": item.get("released"),
        "expires_on": None if expires is None else date.fromisoformat(expires),
        "payee": item.get("payee"),
        "origin": item.get("origin"),
        "rail": item.get("rail", PLATFORM),
        "external_ref": item.get("external_ref"),
    }


def apply_transfers(conn: Connection, ev: Event, ctx: ApplyContext) -> None:
    items: list[dict[str, Any]] = ev.data["transfers"]
    touched = load_accounts(conn, {a for i in items for a in (i["debit"], i["credit"])})
    line = _first_line(conn, ctx.seq)
    rows: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    opened: list[dict[str, Any]] = []
    resolved: list[dict[str, Any]] = []
    for item in items:
        kind = TransferKind(item["kind"])
        posted, pending = deltas(kind, item.get("amount", 0), item.get("released", 0))
        debit, credit = touched[item["debit"]], touched[item["credit"]]
        debit.debits_posted += posted
        debit.debits_pending += pending
        credit.credits_posted += posted
        credit.credits_pending += pending
        lines.append(_posting(ctx.seq, line, debit, item, "D", ctx.business_date))
        lines.append(_posting(ctx.seq, line + 1, credit, item, "C", ctx.business_date))
        line += 2
        if kind != TransferKind.EXPIRE:
            rows.append(_transfer_row(item, ctx))
        if kind == TransferKind.PENDING:
            expires = item.get("expires_on")
            opened.append(
                {
                    "transfer_id": item["id"],
                    "status": PendingStatus.PENDING.value,
                    "expires_on": None if expires is None else date.fromisoformat(expires),
                    "resolved_by": None,
                    "resolved_seq": None,
                }
            )
        elif kind in _RESOLVED_STATUS:
            resolved.append(
                {
                    "b_id": item.get("pending_id", item["id"]),
                    "b_status": _RESOLVED_STATUS[kind].value,
                    "b_by": None if kind == TransferKind.EXPIRE else item["id"],
                    "b_seq": ctx.seq,
                }
            )
    for account in touched.values():
        _check_after(account)
    if rows:
        conn.execute(_INSERT_TRANSFER, rows)
    conn.execute(_INSERT_POSTING, lines)
    if opened:
        conn.execute(_INSERT_PENDING, opened)
    if resolved:
        result = conn.execute(_RESOLVE_PENDING, resolved)
        if result.rowcount not in (-1, len(resolved)):
            raise InvariantViolation("a pending transfer was resolved twice")
    conn.execute(
        _UPDATE_TOTALS,
        [
            {
                "b_id": a.account_id,
                "b_dp": a.debits_posted,
                "b_cp": a.credits_posted,
                "b_dpend": a.debits_pending,
                "b_cpend": a.credits_pending,
            }
            for a in touched.values()
        ],
    )
