"""The ledger's state as the planner and the appliers read it: accounts with their running
totals and pending transfers, loaded in bulk; the balance rules both sides apply."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, bindparam, select

from puhui.accounts.model import (
    BUILTIN_CURRENCIES,
    AccountKind,
    Currency,
    PendingStatus,
    TransferKind,
)
from puhui.accounts.tables import accounts, currencies, pending_transfers, transfers

IDS_PER_QUERY_MAX = 500


@dataclass(slots=True)
class AccountState:
    """An account as the planner sees it: its details and working totals."""

    account_id: str
    party_id: str
    currency: str
    kind: AccountKind
    purpose: str
    name: str
    debits_must_not_exceed_credits: bool
    credits_must_not_exceed_debits: bool
    closed: bool
    debits_posted: int
    credits_posted: int
    debits_pending: int
    credits_pending: int


@dataclass(slots=True)
class PendingState:
    """A pending transfer (from the store or earlier in this batch) and its status."""

    transfer_id: str
    debit: str
    credit: str
    amount: int
    currency: str
    code: int
    reference: str | None
    payee: str | None
    origin: str | None
    rail: str
    status: PendingStatus
    expires_on: date | None


def chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), IDS_PER_QUERY_MAX):
        yield wanted[start : start + IDS_PER_QUERY_MAX]


_ACCOUNTS_BY_ID = select(accounts).where(
    accounts.c.account_id.in_(bindparam("ids", expanding=True))
)
TRANSFERS_BY_ID = select(transfers).where(
    transfers.c.transfer_id.in_(bindparam("ids", expanding=True))
)


def load_accounts(conn: Connection, ids: Iterable[str]) -> dict[str, AccountState]:
    found: dict[str, AccountState] = {}
    for chunk in chunks(ids):
        for r in conn.execute(_ACCOUNTS_BY_ID, {"ids": chunk}):
            found[r.account_id] = AccountState(
                r.account_id,
                r.party_id,
                r.currency,
                AccountKind(r.kind),
                r.purpose,
                r.name,
                r.debits_must_not_exceed_credits,
                r.credits_must_not_exceed_debits,
                r.closed,
                r.debits_posted,
                r.credits_posted,
                r.debits_pending,
                r.credits_pending,
            )
    return found


_PENDING_COLUMNS = (
    transfers.c.transfer_id,
    transfers.c.debit_account_id,
    transfers.c.credit_account_id,
    transfers.c.amount,
    transfers.c.currency,
    transfers.c.code,
    transfers.c.reference,
    transfers.c.payee,
    transfers.c.origin,
    transfers.c.rail,
    pending_transfers.c.status,
    pending_transfers.c.expires_on,
)


_PENDING_BY_ID = (
    select(*_PENDING_COLUMNS)
    .join(pending_transfers, pending_transfers.c.transfer_id == transfers.c.transfer_id)
    .where(transfers.c.transfer_id.in_(bindparam("ids", expanding=True)))
)


def load_pending(conn: Connection, ids: Iterable[str]) -> dict[str, PendingState]:
    found: dict[str, PendingState] = {}
    for chunk in chunks(ids):
        for r in conn.execute(_PENDING_BY_ID, {"ids": chunk}):
            found[r.transfer_id] = PendingState(*r[:10], PendingStatus(r.status), r.expires_on)
    return found


def find_currency(conn: Connection, code: str) -> Currency | None:
    builtin = BUILTIN_CURRENCIES.get(code)
    if builtin is not None:
        return builtin
    row = conn.execute(select(currencies).where(currencies.c.code == code)).first()
    if row is None:
        return None
    return Currency(row.code, row.scale, row.name, tuple(r for r in row.rails.split(",") if r))


def exceeds_limits(account: AccountState) -> bool:
    if account.debits_must_not_exceed_credits and (
        account.debits_posted + account.debits_pending > account.credits_posted
    ):
        return True
    return account.credits_must_not_exceed_debits and (
        account.credits_posted + account.credits_pending > account.debits_posted
    )


def deltas(kind: TransferKind, amount: int, released: int) -> tuple[int, int]:
    """(posted, pending) change on both sides of a transfer of ``kind``.

    ``released`` is the pending amount a post, void or expiry gives back.
    """
    posted = amount if kind in (TransferKind.SINGLE, TransferKind.POST) else 0
    reserved = amount if kind == TransferKind.PENDING else 0
    return posted, reserved - released
