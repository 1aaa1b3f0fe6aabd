"""Maturity (到期兑付): the close-of-day hook that pays every current holder of every piece.

At the close of a receivable's maturity date the core enterprise's one payment is split to the
holders — one ledger transfer per holder — and every transfer of the close goes to the ledger in
one ``transfer_events`` call, so the close is all or nothing. If the core enterprise's account
cannot cover what is outstanding, the receivable goes overdue and, in the same close: each
active guarantee is called (the guarantor pays the holders of the pieces it covers and takes
them over), then every financed piece still unpaid falls back on its seller if it was sold with
recourse (the seller pays the bank and takes the piece back). An overdue receivable is paid to
its holders of the day at a later close, as soon as the core enterprise's account covers it.
Offered receivables never accepted lapse at maturity and their invoices are released. The
invoices of a paid receivable stay encumbered: a paid invoice must never be financed again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, insert, select, update

from puhui.accounts import TransferRequest, transfer_events
from puhui.accounts import views as accounts
from puhui.finance.cash import CASH_PURPOSE, CURRENCY, NoCashAccount, cash_account
from puhui.finance.receivables import holdings, views
from puhui.finance.receivables.common import chunks, reference, transfer_id
from puhui.finance.receivables.issue import release_invoices
from puhui.finance.receivables.model import (
    SETTLEMENT_TRANSFERS_PER_CLOSE_MAX,
    SETTLEMENTS_PER_CLOSE_MAX,
    FinancingStatus,
    GuaranteeStatus,
    PieceStatus,
    ReceivableStatus,
    SettlementKind,
    path_ids,
)
from puhui.finance.receivables.tables import (
    receivable_financings,
    receivable_guarantees,
    receivable_pieces,
    receivable_settlements,
    receivables,
)
from puhui.kernel.commands import Event
from puhui.kernel.registry import ApplyContext, HandlerContext


@dataclass
class Book:
    """The transfers planned so far in this close and the cash they leave each party."""

    conn: Connection
    seq: int
    requests: list[TransferRequest] = field(default_factory=list)
    cash: dict[str, str] = field(default_factory=dict)
    available: dict[str, int] = field(default_factory=dict)
    lines: int = 0

    def account(self, party_id: str) -> str:
        if party_id not in self.cash:
            self.cash[party_id] = cash_account(self.conn, party_id)
        return self.cash[party_id]

    def can_pay(self, party_id: str, amount: int) -> bool:
        if party_id not in self.available:
            found = accounts.account_for(self.conn, party_id, CASH_PURPOSE, CURRENCY)
            self.available[party_id] = 0 if found is None else (found.available or 0)
        return self.available[party_id] >= amount

    def pay(self, payer: str, payee: str, amount: int, receivable_id: str) -> dict[str, object]:
        """Plan one transfer; the caller checked ``can_pay``."""
        request = TransferRequest(
            transfer_id(self.seq, len(self.requests)),
            debit=self.account(payer),
            credit=self.account(payee),
            amount=amount,
            reference=reference(receivable_id),
        )
        self.requests.append(request)
        self.available[payer] -= amount
        if payee in self.available:
            self.available[payee] += amount
        return {"holder": payee, "amount": amount, "transfer_id": request.id}

    def pay_holders(
        self, payer: str, pieces: Iterable[views.Piece], receivable_id: str
    ) -> list[dict[str, object]]:
        by_holder: dict[str, int] = {}
        for piece in pieces:
            by_holder[piece.holder] = by_holder.get(piece.holder, 0) + piece.amount
        return [self.pay(payer, h, a, receivable_id) for h, a in sorted(by_holder.items())]

    def line(self) -> int:
        self.lines += 1
        return self.lines

    def mark(self) -> tuple[int, dict[str, int], int]:
        return len(self.requests), dict(self.available), self.lines

    def rollback(self, mark: tuple[int, dict[str, int], int]) -> None:
        del self.requests[mark[0] :]
        self.available, self.lines = mark[1], mark[2]


def _due(conn: Connection, day: date, statuses: Sequence[str]) -> list[views.Receivable]:
    rows = conn.execute(
        select(receivables)
        .where(receivables.c.status.in_(statuses), receivables.c.maturity_date <= day)
        .order_by(receivables.c.maturity_date, receivables.c.receivable_id)
        .limit(SETTLEMENTS_PER_CLOSE_MAX)
    )
    return [views.Receivable(**r._mapping) for r in rows]


def _parties(r: views.Receivable, payments: list[dict[str, object]], *more: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys([r.issuer, *more, *(str(p["holder"]) for p in payments)]))


def _settled(book: Book, r: views.Receivable, held: list[views.Piece], payer: str) -> list[Event]:
    kind = SettlementKind.MATURITY if r.status == ReceivableStatus.ACTIVE else SettlementKind.LATE
    payments = book.pay_holders(payer, held, r.receivable_id)
    data = {
        "receivable_id": r.receivable_id,
        "kind": kind.value,
        "payer": payer,
        "amount": sum(p.amount for p in held),
        "pieces_count": len(held),
        "payments": payments,
        "line": book.line(),
    }
    return [Event("receivable.settled", data, _parties(r, payments))]


def _call_guarantees(
    book: Book, r: views.Receivable, remaining: dict[str, views.Piece]
) -> list[Event]:
    events = []
    for g in views.guarantees_of(book.conn, r.receivable_id, statuses=(GuaranteeStatus.ACTIVE,)):
        covered = [
            p
            for p in remaining.values()
            if g.piece_id in path_ids(p.path) and p.holder != g.guarantor
        ]
        amount = sum(p.amount for p in covered)
        paid = bool(covered) and book.can_pay(g.guarantor, amount)
        payments = book.pay_holders(g.guarantor, covered, r.receivable_id) if paid else []
        data = {
            "guarantee_id": g.guarantee_id,
            "receivable_id": r.receivable_id,
            "guarantor": g.guarantor,
            "paid": paid,
            "amount": amount,
            "piece_ids": [p.piece_id for p in covered],
            "payments": payments,
            "line": book.line() if paid else None,
        }
        events.append(
            Event("receivable.guarantee_called", data, _parties(r, payments, g.guarantor))
        )
        if paid:
            for p in covered:
                del remaining[p.piece_id]
    return events


def _recourse(book: Book, r: views.Receivable, remaining: dict[str, views.Piece]) -> list[Event]:
    events = []
    for piece_id, f in sorted(views.funded_financings(book.conn, r.receivable_id).items()):
        piece = remaining.get(piece_id)
        if piece is None or piece.holder != f.bank:
            continue
        paid = f.recourse and book.can_pay(f.seller, piece.amount)
        data = {
            "financing_id": f.financing_id,
            "receivable_id": r.receivable_id,
            "piece_id": piece_id,
            "seller": f.seller,
            "bank": f.bank,
            "amount": piece.amount,
            "paid": paid,
            "payment": book.pay(f.seller, f.bank, piece.amount, r.receivable_id) if paid else None,
            "line": book.line() if paid else None,
        }
        events.append(Event("receivable.recourse", data, (f.bank, f.seller, r.issuer)))
    return events


def _default(book: Book, r: views.Receivable, held: list[views.Piece]) -> list[Event]:
    outstanding = sum(p.amount for p in held)
    data = {"receivable_id": r.receivable_id, "outstanding": outstanding}
    events = [Event("receivable.overdue", data, (r.issuer, *sorted({p.holder for p in held})))]
    remaining = {p.piece_id: p for p in held}
    events.extend(_call_guarantees(book, r, remaining))
    events.extend(_recourse(book, r, remaining))
    return events


def _settle_one(ctx: HandlerContext, book: Book, r: views.Receivable) -> list[Event]:
    held = views.held_pieces(ctx.conn, r.receivable_id)
    if book.can_pay(r.issuer, sum(p.amount for p in held)):
        return _settled(book, r, held, r.issuer)
    if r.status == ReceivableStatus.OVERDUE:
        return []  # still unpaid: the holders wait, and the next close tries again
    return _default(book, r, held)


def _deferred(r: views.Receivable, reason: str) -> Event:
    data = {"receivable_id": r.receivable_id, "reason": reason}
    return Event("receivable.settlement_deferred", data, (r.issuer,))


def close_day(ctx: HandlerContext, day: date) -> Sequence[Event]:
    """The close-of-day hook: lapse unaccepted receivables, settle or default the due ones."""
    events: list[Event] = []
    for r in _due(ctx.conn, day, [ReceivableStatus.OFFERED.value]):
        data = {"receivable_id": r.receivable_id, "status": ReceivableStatus.LAPSED.value}
        events.append(Event("receivable.closed", data, (r.issuer, r.supplier)))
        events.extend(release_invoices(ctx, r.receivable_id))
    book = Book(ctx.conn, ctx.seq)
    for r in _due(ctx.conn, day, [ReceivableStatus.ACTIVE.value, ReceivableStatus.OVERDUE.value]):
        mark = book.mark()
        try:
            planned = _settle_one(ctx, book, r)
        except NoCashAccount as exc:
            book.rollback(mark)
            events.append(_deferred(r, exc.detail))
            continue
        if len(book.requests) > SETTLEMENT_TRANSFERS_PER_CLOSE_MAX:
            book.rollback(mark)
            events.append(_deferred(r, "this close's transfers are used up; next close"))
            continue
        events.extend(planned)
    events.extend(transfer_events(ctx.conn, book.requests, business_date=day))
    return events


# ---- appliers ---------------------------------------------------------------------------------


def _record(
    conn: Connection, ctx: ApplyContext, d: Mapping[str, Any], kind: str, payer: str, pieces: int
) -> None:
    conn.execute(
        insert(receivable_settlements).values(
            seq=ctx.seq,
            line=d["line"],
            receivable_id=d["receivable_id"],
            kind=kind,
            payer=payer,
            amount=d["amount"],
            pieces_count=pieces,
            settled_on=ctx.business_date,
        )
    )


def _move_pieces(conn: Connection, piece_ids: list[str], holder: str, ctx: ApplyContext) -> None:
    for chunk in chunks(piece_ids):
        conn.execute(
            update(receivable_pieces)
            .where(receivable_pieces.c.piece_id.in_(chunk))
            .values(holder=holder)
        )
    holdings.move(conn, piece_ids, holder, ctx)


def _financings(conn: Connection, rid: str, statuses: list[str], status: str, seq: int) -> None:
    conn.execute(
        update(receivable_financings)
        .where(
            receivable_financings.c.receivable_id == rid,
            receivable_financings.c.status.in_(statuses),
        )
        .values(status=status, closed_seq=seq)
    )


def _apply_settled(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    d, rid = e.data, e.data["receivable_id"]
    conn.execute(
        update(receivable_pieces)
        .where(
            receivable_pieces.c.receivable_id == rid,
            receivable_pieces.c.status == PieceStatus.HELD.value,
        )
        .values(status=PieceStatus.PAID.value, closed_seq=ctx.seq)
    )
    holdings.end_receivable(conn, rid, ctx)
    conn.execute(
        update(receivables)
        .where(receivables.c.receivable_id == rid)
        .values(
            status=ReceivableStatus.SETTLED.value,
            outstanding=0,
            closed_seq=ctx.seq,
            closed_on=ctx.business_date,
        )
    )
    conn.execute(
        update(receivable_guarantees)
        .where(
            receivable_guarantees.c.receivable_id == rid,
            receivable_guarantees.c.status.in_(
                [GuaranteeStatus.OFFERED.value, GuaranteeStatus.ACTIVE.value]
            ),
        )
        .values(status=GuaranteeStatus.RELEASED.value, closed_seq=ctx.seq)
    )
    paid = [FinancingStatus.FUNDED.value, FinancingStatus.DEFAULTED.value]
    _financings(conn, rid, paid, FinancingStatus.SETTLED.value, ctx.seq)
    waiting = [FinancingStatus.REQUESTED.value]
    _financings(conn, rid, waiting, FinancingStatus.EXPIRED.value, ctx.seq)
    _record(conn, ctx, d, d["kind"], d["payer"], d["pieces_count"])


def _apply_overdue(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    rid = e.data["receivable_id"]
    conn.execute(
        update(receivables)
        .where(receivables.c.receivable_id == rid)
        .values(status=ReceivableStatus.OVERDUE.value)
    )
    waiting = [FinancingStatus.REQUESTED.value]
    _financings(conn, rid, waiting, FinancingStatus.EXPIRED.value, ctx.seq)


def _apply_guarantee_called(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    d = e.data
    status = GuaranteeStatus.CALLED if d["paid"] else GuaranteeStatus.FAILED
    conn.execute(
        update(receivable_guarantees)
        .where(receivable_guarantees.c.guarantee_id == d["guarantee_id"])
        .values(status=status.value, paid=d["amount"] if d["paid"] else 0, closed_seq=ctx.seq)
    )
    if not d["paid"]:
        return
    for chunk in chunks(d["piece_ids"]):
        conn.execute(
            update(receivable_financings)
            .where(
                receivable_financings.c.piece_id.in_(chunk),
                receivable_financings.c.status == FinancingStatus.FUNDED.value,
            )
            .values(status=FinancingStatus.SETTLED.value, closed_seq=ctx.seq)
        )
    _move_pieces(conn, d["piece_ids"], d["guarantor"], ctx)
    _record(conn, ctx, d, SettlementKind.GUARANTEE.value, d["guarantor"], len(d["piece_ids"]))


def _apply_recourse(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    d = e.data
    status = FinancingStatus.RECOURSE if d["paid"] else FinancingStatus.DEFAULTED
    conn.execute(
        update(receivable_financings)
        .where(receivable_financings.c.financing_id == d["financing_id"])
        .values(status=status.value, closed_seq=ctx.seq if d["paid"] else None)
    )
    if d["paid"]:
        _move_pieces(conn, [d["piece_id"]], d["seller"], ctx)
        _record(conn, ctx, d, SettlementKind.RECOURSE.value, d["seller"], 1)


def _apply_deferred(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    """Nothing to project: the receivable stays due and the next close tries again."""


APPLIERS = {
    "receivable.settled": _apply_settled,
    "receivable.overdue": _apply_overdue,
    "receivable.guarantee_called": _apply_guarantee_called,
    "receivable.recourse": _apply_recourse,
    "receivable.settlement_deferred": _apply_deferred,
}
