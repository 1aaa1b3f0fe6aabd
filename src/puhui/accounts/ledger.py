"""Planning transfers: validate a linked batch against current balances and return its event.

This is the ledger's write path, and the public function other contexts call from their own
handlers (a loan disbursement, a receivable settlement, an escrowed pledge) so that money moves
atomically with their own events::

    from puhui.accounts import TransferRequest, transfer_events
    events = transfer_events(ctx.conn, [TransferRequest(...), ...], business_date=ctx.business_date)
    return [*my_events, *events]

It reads — in bulk, a few queries per batch — the accounts, pending transfers and existing ids
the batch touches, replays the batch in memory in order (each transfer sees the ones before it),
and raises the first typed error: the batch is linked, all or none. It writes nothing.
Call it once per command with every transfer of the command, since two calls in one command
would each see the balances from before the command. Authorisation (who may debit which
account) is the caller's business; ``authorize`` is called for each transfer before its
balances are touched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from puhui.accounts import errors as e
from puhui.accounts.model import (
    AMOUNT_MAX,
    BALANCE_MAX,
    BUILTIN_CURRENCIES,
    CODE_MAX,
    REFERENCE_PATTERN,
    TRANSFER_ID_PATTERN,
    TRANSFERS_PER_COMMAND_MAX,
    AccountKind,
    Currency,
    PendingStatus,
    TransferKind,
    TransferRequest,
)
from puhui.accounts.rails import PLATFORM, RAILS
from puhui.accounts.tables import accounts, currencies, pending_transfers, transfers
from puhui.kernel.commands import Event
from puhui.kernel.errors import InvariantViolation, PuhuiError

IDS_PER_QUERY_MAX = 500
TRANSFERS_EVENT = "accounts.transfers"


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


Authorize = Callable[[TransferRequest, AccountState, AccountState, PendingState | None], None]


def _chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), IDS_PER_QUERY_MAX):
        yield wanted[start : start + IDS_PER_QUERY_MAX]


def load_accounts(conn: Connection, ids: Iterable[str]) -> dict[str, AccountState]:
    found: dict[str, AccountState] = {}
    for chunk in _chunks(ids):
        for r in conn.execute(select(accounts).where(accounts.c.account_id.in_(chunk))):
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


def load_pending(conn: Connection, ids: Iterable[str]) -> dict[str, PendingState]:
    found: dict[str, PendingState] = {}
    for chunk in _chunks(ids):
        stmt = (
            select(*_PENDING_COLUMNS)
            .join(pending_transfers, pending_transfers.c.transfer_id == transfers.c.transfer_id)
            .where(transfers.c.transfer_id.in_(chunk))
        )
        for r in conn.execute(stmt):
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


def _fail(error: type[PuhuiError], index: int, req: TransferRequest, detail: str) -> PuhuiError:
    return error(f"transfer {index} ({req.id}): {detail}", transfer_index=index, transfer_id=req.id)


def _check_shape(index: int, req: TransferRequest, today: date) -> None:
    """Checks that need no state: ids, fields present for the transfer's mode, amount range."""
    if not TRANSFER_ID_PATTERN.match(req.id):
        raise _fail(e.InvalidTransfer, index, req, "id must be 1-64 of A-Z a-z 0-9 _ . : -")
    if not 0 <= req.code <= CODE_MAX:
        raise _fail(e.InvalidTransfer, index, req, f"code must be 0..{CODE_MAX}")
    if req.post is not None or req.void is not None:
        extra = [
            name
            for name in ("debit", "credit", "reference", "expires_on", "payee", "external_ref")
            if getattr(req, name) is not None
        ]
        if req.post is not None and req.void is not None:
            extra.append("void")
        if req.pending or req.rail != PLATFORM:
            extra.append("pending" if req.pending else "rail")
        if req.void is not None and req.amount is not None:
            extra.append("amount")
        if extra:
            mode = "post" if req.post is not None else "void"
            raise _fail(e.InvalidTransfer, index, req, f"a {mode} takes no {', '.join(extra)}")
        if req.amount is not None and not 0 < req.amount <= AMOUNT_MAX:
            raise _fail(e.InvalidAmount, index, req, f"amount {req.amount} is not 1..{AMOUNT_MAX}")
        return
    if req.debit is None or req.credit is None or req.amount is None:
        raise _fail(e.InvalidTransfer, index, req, "a transfer needs debit, credit and amount")
    if isinstance(req.amount, bool) or not 0 < req.amount <= AMOUNT_MAX:
        raise _fail(e.InvalidAmount, index, req, f"amount {req.amount} is not 1..{AMOUNT_MAX}")
    if req.debit == req.credit:
        raise _fail(e.InvalidTransfer, index, req, "debit and credit are the same account")
    if req.reference is not None and not REFERENCE_PATTERN.match(req.reference):
        raise _fail(e.InvalidTransfer, index, req, f"reference {req.reference!r} is malformed")
    if req.payee is not None and req.reference is None:
        raise _fail(e.InvalidTransfer, index, req, "payee-bound funds need a reference (origin)")
    rail = RAILS.get(req.rail)
    if rail is None:
        raise _fail(e.InvalidTransfer, index, req, f"unknown rail {req.rail!r}")
    try:
        rail.check_reference(req.external_ref)
    except e.InvalidExternalReference as exc:
        raise _fail(e.InvalidExternalReference, index, req, exc.detail) from exc
    if req.expires_on is not None:
        if not (req.pending or rail.needs_confirmation):
            raise _fail(e.InvalidTransfer, index, req, "only a pending transfer can expire")
        if req.expires_on < today:
            raise _fail(e.InvalidTransfer, index, req, f"expires_on {req.expires_on} is past")


def _new_kind(req: TransferRequest) -> TransferKind:
    pending = req.pending or RAILS[req.rail].needs_confirmation
    return TransferKind.PENDING if pending else TransferKind.SINGLE


def _same_as_stored(req: TransferRequest, row: Any) -> bool:
    """Whether ``req`` asks for exactly the transfer stored as ``row`` (idempotent retry)."""
    if req.code != row.code:
        return False
    if req.post is not None:
        amount = row.released if req.amount is None else req.amount
        return bool(
            row.kind == TransferKind.POST and row.pending_id == req.post and row.amount == amount
        )
    if req.void is not None:
        return bool(row.kind == TransferKind.VOID and row.pending_id == req.void)
    stored = (
        row.kind,
        row.debit_account_id,
        row.credit_account_id,
        row.amount,
        row.reference,
        row.expires_on,
        row.payee,
        row.rail,
        row.external_ref,
    )
    asked = (
        _new_kind(req).value,
        req.debit,
        req.credit,
        req.amount,
        req.reference,
        req.expires_on,
        req.payee,
        req.rail,
        req.external_ref,
    )
    return stored == asked


def _existing(conn: Connection, requests: Sequence[TransferRequest]) -> set[str]:
    """Ids already on the ledger with the same content; raise if one has other content."""
    by_id = {r.id: (i, r) for i, r in enumerate(requests)}
    repeated: set[str] = set()
    for chunk in _chunks(by_id):
        for row in conn.execute(select(transfers).where(transfers.c.transfer_id.in_(chunk))):
            index, req = by_id[row.transfer_id]
            if not _same_as_stored(req, row):
                raise _fail(
                    e.TransferExists,
                    index,
                    req,
                    f"the id was used at entry {row.seq} for a different transfer",
                )
            repeated.add(row.transfer_id)
    return repeated


def _exceeds_limits(account: AccountState) -> bool:
    if account.debits_must_not_exceed_credits and (
        account.debits_posted + account.debits_pending > account.credits_posted
    ):
        return True
    return account.credits_must_not_exceed_debits and (
        account.credits_posted + account.credits_pending > account.debits_posted
    )


def _overflows(account: AccountState) -> bool:
    return (
        max(
            account.debits_posted + account.debits_pending,
            account.credits_posted + account.credits_pending,
        )
        > BALANCE_MAX
    )


def deltas(kind: TransferKind, amount: int, released: int) -> tuple[int, int]:
    """(posted, pending) change on both sides of a transfer of ``kind``.

    ``released`` is the pending amount a post, void or expiry gives back.
    """
    posted = amount if kind in (TransferKind.SINGLE, TransferKind.POST) else 0
    reserved = amount if kind == TransferKind.PENDING else 0
    return posted, reserved - released


_RESOLVED_ERRORS: dict[PendingStatus, type[PuhuiError]] = {
    PendingStatus.POSTED: e.PendingPosted,
    PendingStatus.VOIDED: e.PendingVoided,
    PendingStatus.EXPIRED: e.PendingExpired,
}


class Planner:
    """Replays one linked batch in memory against the loaded state, producing event items."""

    def __init__(
        self,
        conn: Connection,
        today: date,
        accounts_by_id: dict[str, AccountState],
        pending_by_id: dict[str, PendingState],
        authorize: Authorize | None,
    ) -> None:
        self.conn = conn
        self.today = today
        self.accounts = accounts_by_id
        self.pending = pending_by_id
        self.authorize = authorize
        self.items: list[dict[str, Any]] = []
        self._currencies: dict[str, Currency | None] = {}

    def account(self, index: int, req: TransferRequest, account_id: str) -> AccountState:
        found = self.accounts.get(account_id)
        if found is None:
            raise _fail(e.UnknownAccount, index, req, f"no account {account_id!r}")
        return found

    def _currency(self, code: str) -> Currency | None:
        if code not in self._currencies:
            self._currencies[code] = find_currency(self.conn, code)
        return self._currencies[code]

    def _move(
        self,
        index: int,
        req: TransferRequest,
        debit: AccountState,
        credit: AccountState,
        deltas: tuple[int, int],
    ) -> None:
        """Add (posted, pending) deltas to both sides; undo and raise if a limit breaks."""
        posted, pending = deltas
        debit.debits_posted += posted
        debit.debits_pending += pending
        credit.credits_posted += posted
        credit.credits_pending += pending
        for account in (debit, credit):
            broken, overflow = _exceeds_limits(account), _overflows(account)
            if not (broken or overflow):
                continue
            debit.debits_posted -= posted
            debit.debits_pending -= pending
            credit.credits_posted -= posted
            credit.credits_pending -= pending
            if broken:
                raise _fail(
                    e.InsufficientFunds,
                    index,
                    req,
                    f"{account.account_id} would go below zero (pending amounts count as spent)",
                )
            raise _fail(e.BalanceOverflow, index, req, f"{account.account_id} would overflow")

    def add_new(self, index: int, req: TransferRequest) -> None:
        if req.debit is None or req.credit is None or req.amount is None:
            raise InvariantViolation("the shape check let an incomplete transfer through")
        debit = self.account(index, req, req.debit)
        credit = self.account(index, req, req.credit)
        amount = req.amount
        if self.authorize is not None:
            self.authorize(req, debit, credit, None)
        for account in (debit, credit):
            if account.closed:
                raise _fail(e.AccountClosed, index, req, f"{account.account_id} is closed")
        if debit.currency != credit.currency:
            raise _fail(
                e.CurrencyMismatch,
                index,
                req,
                f"{debit.account_id} holds {debit.currency}, "
                f"{credit.account_id} holds {credit.currency}",
            )
        if req.rail != PLATFORM:
            currency = self._currency(debit.currency)
            if currency is None or req.rail not in currency.rails:
                raise _fail(
                    e.RailNotAvailable, index, req, f"{req.rail} does not carry {debit.currency}"
                )
        if req.payee is not None and credit.party_id != req.payee:
            raise _fail(
                e.PayeeMismatch,
                index,
                req,
                f"the funds may only go to {req.payee}; {credit.account_id} belongs to "
                f"{credit.party_id}",
            )
        kind = _new_kind(req)
        self._move(index, req, debit, credit, deltas(kind, amount, 0))
        item: dict[str, Any] = {
            "id": req.id,
            "kind": kind.value,
            "debit": debit.account_id,
            "credit": credit.account_id,
            "amount": amount,
            "currency": debit.currency,
            "code": req.code,
        }
        origin = req.reference if req.payee is not None else None
        optional = {
            "reference": req.reference,
            "payee": req.payee,
            "origin": origin,
            "expires_on": None if req.expires_on is None else req.expires_on.isoformat(),
            "rail": None if req.rail == PLATFORM else req.rail,
            "external_ref": req.external_ref,
        }
        item.update((k, v) for k, v in optional.items() if v is not None)
        self.items.append(item)
        if kind == TransferKind.PENDING:
            self.pending[req.id] = PendingState(
                req.id,
                debit.account_id,
                credit.account_id,
                amount,
                debit.currency,
                req.code,
                req.reference,
                req.payee,
                origin,
                req.rail,
                PendingStatus.PENDING,
                req.expires_on,
            )

    def add_resolution(self, index: int, req: TransferRequest) -> None:
        pending_id = req.pending_id or ""
        pending = self.pending.get(pending_id)
        if pending is None:
            raise _fail(e.PendingNotFound, index, req, f"no pending transfer {pending_id!r}")
        if pending.status != PendingStatus.PENDING:
            raise _fail(
                _RESOLVED_ERRORS[pending.status],
                index,
                req,
                f"{pending_id} is already {pending.status.value}",
            )
        if pending.expires_on is not None and pending.expires_on < self.today:
            raise _fail(e.PendingExpired, index, req, f"{pending_id} expired {pending.expires_on}")
        debit = self.account(index, req, pending.debit)
        credit = self.account(index, req, pending.credit)
        if self.authorize is not None:
            self.authorize(req, debit, credit, pending)
        kind = TransferKind.POST if req.post is not None else TransferKind.VOID
        amount = pending.amount if req.amount is None else req.amount
        if amount > pending.amount:
            raise _fail(
                e.ExceedsPendingAmount,
                index,
                req,
                f"posting {amount} of {pending_id}, which reserved {pending.amount}",
            )
        if kind == TransferKind.POST:
            for account in (debit, credit):
                if account.closed:
                    raise _fail(e.AccountClosed, index, req, f"{account.account_id} is closed")
        self._move(index, req, debit, credit, deltas(kind, amount, pending.amount))
        pending.status = PendingStatus.POSTED if kind == TransferKind.POST else PendingStatus.VOIDED
        item = {
            "id": req.id,
            "kind": kind.value,
            "pending_id": pending_id,
            "debit": debit.account_id,
            "credit": credit.account_id,
            "amount": amount,
            "released": pending.amount,
            "currency": pending.currency,
            "code": req.code,
        }
        optional = {
            "reference": pending.reference,
            "payee": pending.payee,
            "origin": pending.origin,
            "rail": None if pending.rail == PLATFORM else pending.rail,
        }
        item.update((k, v) for k, v in optional.items() if v is not None)
        self.items.append(item)

    def parties(self) -> tuple[str, ...]:
        touched = {i["debit"] for i in self.items} | {i["credit"] for i in self.items}
        return tuple(sorted({self.accounts[a].party_id for a in touched}))


def plan(
    conn: Connection,
    requests: Sequence[TransferRequest],
    *,
    business_date: date,
    authorize: Authorize | None = None,
) -> Planner:
    """Validate ``requests`` as one linked batch; return the planner holding its event items.

    Transfers whose id is already on the ledger with the same content are skipped (an
    idempotent retry); with other content they raise TransferExists.
    """
    if len(requests) > TRANSFERS_PER_COMMAND_MAX:
        raise e.InvalidTransfer(
            f"{len(requests)} transfers in one command; the limit is {TRANSFERS_PER_COMMAND_MAX}"
        )
    seen: set[str] = set()
    for index, req in enumerate(requests):
        _check_shape(index, req, business_date)
        if req.id in seen:
            raise _fail(e.DuplicateTransferId, index, req, "appears twice in the command")
        seen.add(req.id)
    repeated = _existing(conn, requests)
    fresh = [(i, r) for i, r in enumerate(requests) if r.id not in repeated]
    pending = load_pending(conn, (r.pending_id for _, r in fresh if r.pending_id is not None))
    account_ids = {a for _, r in fresh for a in (r.debit, r.credit) if a is not None}
    account_ids.update(a for p in pending.values() for a in (p.debit, p.credit))
    planner = Planner(conn, business_date, load_accounts(conn, account_ids), pending, authorize)
    for index, req in fresh:
        if req.pending_id is None:
            planner.add_new(index, req)
        else:
            planner.add_resolution(index, req)
    return planner


def transfers_event(items: list[dict[str, Any]], parties: tuple[str, ...]) -> Event:
    return Event(TRANSFERS_EVENT, {"transfers": items}, parties)


def transfer_events(
    conn: Connection,
    requests: Sequence[TransferRequest],
    *,
    business_date: date,
    authorize: Authorize | None = None,
) -> list[Event]:
    """The events that make ``requests`` happen, all or none; raise the first error.

    Returns one ``accounts.transfers`` event, or no event if every transfer already exists
    with the same content. Writes nothing: the kernel applies the event with the command.
    """
    planner = plan(conn, requests, business_date=business_date, authorize=authorize)
    if not planner.items:
        return []
    return [transfers_event(planner.items, planner.parties())]
