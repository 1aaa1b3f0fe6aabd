"""Read functions of the accounts context: accounts, balances (now or at any log position),
statements, transfers and currencies. Reports (trial balance, trace) are in ``reports``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, or_, select

from puhui.accounts.errors import UnknownAccount, UnknownTransfer
from puhui.accounts.model import BUILTIN_CURRENCIES, AccountKind, Currency, Totals
from puhui.accounts.tables import accounts, currencies, pending_transfers, postings, transfers
from puhui.kernel.canonical import SAFE_INTEGER_MAX

PAGE_SIZE_MAX = 500


@dataclass(frozen=True)
class Account:
    account_id: str
    party_id: str
    currency: str
    kind: AccountKind
    purpose: str
    name: str
    debits_must_not_exceed_credits: bool
    credits_must_not_exceed_debits: bool
    closed: bool
    opened_seq: int
    totals: Totals

    @property
    def balance(self) -> int:
        return self.totals.balance(self.kind)

    @property
    def available(self) -> int | None:
        """What a flagged account can still pay (pending debits count as spent)."""
        t = self.totals
        if self.debits_must_not_exceed_credits:
            return t.credits_posted - t.debits_posted - t.debits_pending
        if self.credits_must_not_exceed_debits:
            return t.debits_posted - t.credits_posted - t.credits_pending
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "party_id": self.party_id,
            "currency": self.currency,
            "kind": self.kind.value,
            "purpose": self.purpose,
            "name": self.name,
            "flags": {
                "debits_must_not_exceed_credits": self.debits_must_not_exceed_credits,
                "credits_must_not_exceed_debits": self.credits_must_not_exceed_debits,
                "closed": self.closed,
            },
            "opened_seq": self.opened_seq,
            **self.totals.to_json(),
            "balance": self.balance,
            "pending_balance": self.totals.pending_balance(self.kind),
            "available": self.available,
        }


def _account(row: Any) -> Account:
    return Account(
        row.account_id,
        row.party_id,
        row.currency,
        AccountKind(row.kind),
        row.purpose,
        row.name,
        row.debits_must_not_exceed_credits,
        row.credits_must_not_exceed_debits,
        row.closed,
        row.opened_seq,
        Totals(row.debits_posted, row.credits_posted, row.debits_pending, row.credits_pending),
    )


def find_account(conn: Connection, account_id: str) -> Account | None:
    row = conn.execute(select(accounts).where(accounts.c.account_id == account_id)).first()
    return None if row is None else _account(row)


def get_account(conn: Connection, account_id: str) -> Account:
    found = find_account(conn, account_id)
    if found is None:
        raise UnknownAccount(f"no account {account_id!r}")
    return found


def account_for(conn: Connection, party_id: str, purpose: str, currency: str) -> Account | None:
    """A party's (first) open account for ``purpose`` in ``currency``, e.g. its CNY cash."""
    row = conn.execute(
        select(accounts)
        .where(
            accounts.c.party_id == party_id,
            accounts.c.purpose == purpose,
            accounts.c.currency == currency,
            accounts.c.closed.is_(False),
        )
        .order_by(accounts.c.account_id)
        .limit(1)
    ).first()
    return None if row is None else _account(row)


def list_accounts(
    conn: Connection,
    *,
    party_id: str | None = None,
    currency: str | None = None,
    after: str | None = None,
    limit: int = 100,
) -> list[Account]:
    """Accounts ordered by id, keyset-paginated: pass the last id seen as ``after``."""
    stmt = select(accounts).order_by(accounts.c.account_id).limit(_page(limit))
    if party_id is not None:
        stmt = stmt.where(accounts.c.party_id == party_id)
    if currency is not None:
        stmt = stmt.where(accounts.c.currency == currency)
    if after is not None:
        stmt = stmt.where(accounts.c.account_id > after)
    return [_account(r) for r in conn.execute(stmt)]


def _page(limit: int) -> int:
    return max(1, min(limit, PAGE_SIZE_MAX))


_TOTALS_COLUMNS = (
    postings.c.debits_posted,
    postings.c.credits_posted,
    postings.c.debits_pending,
    postings.c.credits_pending,
)


def _last_totals(conn: Connection, account_id: str, *before: ColumnElement[bool]) -> Totals:
    """The totals after the account's last posting meeting ``before`` (zero if none)."""
    row = conn.execute(
        select(*_TOTALS_COLUMNS)
        .where(postings.c.account_id == account_id, *before)
        .order_by(postings.c.seq.desc(), postings.c.line.desc())
        .limit(1)
    ).first()
    return Totals() if row is None else Totals(*row)


def balance(conn: Connection, account_id: str, at_seq: int | None = None) -> Totals:
    """The account's totals now, or as they were after log entry ``at_seq``."""
    account = get_account(conn, account_id)
    if at_seq is None:
        return account.totals
    return _last_totals(conn, account_id, postings.c.seq <= at_seq)


@dataclass(frozen=True)
class StatementLine:
    seq: int
    line: int
    business_date: date
    transfer_id: str
    kind: str
    side: str
    counterparty: str
    amount: int
    posted_change: int
    pending_change: int
    balance: int
    pending_balance: int
    reference: str | None
    code: int

    @property
    def cursor(self) -> str:
        return f"{self.seq}:{self.line}"

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "line": self.line,
            "business_date": self.business_date.isoformat(),
            "transfer_id": self.transfer_id,
            "kind": self.kind,
            "side": self.side,
            "counterparty": self.counterparty,
            "amount": self.amount,
            "posted_change": self.posted_change,
            "pending_change": self.pending_change,
            "balance": self.balance,
            "pending_balance": self.pending_balance,
            "reference": self.reference,
            "code": self.code,
            "cursor": self.cursor,
        }


def parse_cursor(value: str | None) -> tuple[int, int] | None:
    """A statement cursor ``"seq:line"`` (from ``StatementLine.cursor``)."""
    if value is None:
        return None
    seq, _, line = value.partition(":")
    if not (seq.isdecimal() and line.isdecimal()):
        raise ValueError(f"cursor {value!r} is not of the form seq:line")
    position = int(seq), int(line)
    if max(position) > SAFE_INTEGER_MAX:
        raise ValueError(f"cursor {value!r} is past any log position")
    return position


def _totals_before(conn: Connection, account_id: str, cursor: tuple[int, int] | None) -> Totals:
    if cursor is None:
        return Totals()
    seq, line = cursor
    return _last_totals(
        conn,
        account_id,
        or_(postings.c.seq < seq, and_(postings.c.seq == seq, postings.c.line <= line)),
    )


def statement(
    conn: Connection, account_id: str, *, after: str | None = None, limit: int = 100
) -> list[StatementLine]:
    """The account's postings in log order with the running balance after each (a page)."""
    account = get_account(conn, account_id)
    cursor = parse_cursor(after)
    stmt = (
        select(
            postings,
            transfers.c.debit_account_id,
            transfers.c.credit_account_id,
            transfers.c.amount,
            transfers.c.reference,
            transfers.c.code,
        )
        .join(transfers, transfers.c.transfer_id == postings.c.transfer_id)
        .where(postings.c.account_id == account_id)
        .order_by(postings.c.seq, postings.c.line)
        .limit(_page(limit))
    )
    if cursor is not None:
        seq, line = cursor
        stmt = stmt.where(
            or_(postings.c.seq > seq, and_(postings.c.seq == seq, postings.c.line > line))
        )
    previous = _totals_before(conn, account_id, cursor)
    lines: list[StatementLine] = []
    for r in conn.execute(stmt):
        now = Totals(r.debits_posted, r.credits_posted, r.debits_pending, r.credits_pending)
        lines.append(
            StatementLine(
                r.seq,
                r.line,
                r.business_date,
                r.transfer_id,
                r.kind,
                r.side,
                r.credit_account_id if r.side == "D" else r.debit_account_id,
                r.amount,
                now.balance(account.kind) - previous.balance(account.kind),
                now.pending_balance(account.kind) - previous.pending_balance(account.kind),
                now.balance(account.kind),
                now.pending_balance(account.kind),
                r.reference,
                r.code,
            )
        )
        previous = now
    return lines


def transfer_json(row: Any) -> dict[str, Any]:
    data = {
        "id": row.transfer_id,
        "seq": row.seq,
        "business_date": row.business_date.isoformat(),
        "kind": row.kind,
        "debit": row.debit_account_id,
        "credit": row.credit_account_id,
        "amount": row.amount,
        "currency": row.currency,
        "code": row.code,
        "reference": row.reference,
        "pending_id": row.pending_id,
        "released": row.released,
        "expires_on": None if row.expires_on is None else row.expires_on.isoformat(),
        "payee": row.payee,
        "origin": row.origin,
        "rail": row.rail,
        "external_ref": row.external_ref,
        "status": row.status,
        "resolved_by": row.resolved_by,
    }
    return data


TRANSFER_WITH_STATUS = select(
    transfers, pending_transfers.c.status, pending_transfers.c.resolved_by
).outerjoin(pending_transfers, pending_transfers.c.transfer_id == transfers.c.transfer_id)


def find_transfers(conn: Connection, ids: list[str]) -> list[dict[str, Any]]:
    """Transfers by id (those that exist), in the order asked; pending ones with their status."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), PAGE_SIZE_MAX):
        chunk = ids[start : start + PAGE_SIZE_MAX]
        rows = conn.execute(TRANSFER_WITH_STATUS.where(transfers.c.transfer_id.in_(chunk)))
        found.update((r.transfer_id, transfer_json(r)) for r in rows)
    return [found[i] for i in ids if i in found]


def get_transfer(conn: Connection, transfer_id: str) -> dict[str, Any]:
    found = find_transfers(conn, [transfer_id])
    if not found:
        raise UnknownTransfer(f"no transfer {transfer_id!r}")
    return found[0]


def transfers_by_reference(
    conn: Connection, reference: str, *, after: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """Transfers naming a business object (``loan:l1``), by id, keyset-paginated."""
    stmt = (
        TRANSFER_WITH_STATUS.where(transfers.c.reference == reference)
        .order_by(transfers.c.transfer_id)
        .limit(_page(limit))
    )
    if after is not None:
        stmt = stmt.where(transfers.c.transfer_id > after)
    return [transfer_json(r) for r in conn.execute(stmt)]


def list_currencies(conn: Connection) -> list[Currency]:
    added = [
        Currency(r.code, r.scale, r.name, tuple(x for x in r.rails.split(",") if x))
        for r in conn.execute(select(currencies).order_by(currencies.c.code))
    ]
    return [*BUILTIN_CURRENCIES.values(), *added]
