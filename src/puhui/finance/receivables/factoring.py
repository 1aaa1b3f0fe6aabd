"""Factoring (保理): a holder offers a piece to a bank, with or without recourse, naming who
receives the price; the bank buys it at a discount from its rate and the days to maturity. The
bank's decision records what it saw — the core enterprise's record on the platform and the
guarantees on the piece — and the piece changes hands in the same entry as the payment.
A piece is financed once, ever (``financed_pieces``, never deleted).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, insert, update

from puhui.accounts import TransferRequest, transfer_events
from puhui.finance.cash import cash_account
from puhui.finance.rates import parse_rate
from puhui.finance.receivables import commands as c
from puhui.finance.receivables import holdings, views
from puhui.finance.receivables.common import live_piece, reference, transfer_id
from puhui.finance.receivables.errors import (
    FinancingExists,
    NotHolder,
    PieceAlreadyFinanced,
    WrongState,
)
from puhui.finance.receivables.model import FinancingStatus, discount
from puhui.finance.receivables.tables import (
    financed_pieces,
    receivable_financings,
    receivable_pieces,
)
from puhui.kernel.canonical import canonical_json
from puhui.kernel.commands import Event
from puhui.kernel.errors import RuleViolation
from puhui.kernel.registry import ApplyContext, HandlerContext
from puhui.parties import views as parties

BANK_ROLE = "bank"


def _not_financed_before(conn: Connection, piece_id: str) -> None:
    earlier = views.financed_once(conn, piece_id)
    if earlier is not None:
        raise PieceAlreadyFinanced(
            f"piece {piece_id} was financed before ({earlier}): a piece is financed once, ever",
            financing_id=earlier,
        )


def request(ctx: HandlerContext, p: c.RequestFinancing) -> Sequence[Event]:
    seller = ctx.command.actor
    if views.find_financing(ctx.conn, p.financing_id) is not None:
        raise FinancingExists(f"financing id {p.financing_id!r} is already used")
    _not_financed_before(ctx.conn, p.piece_id)
    receivable, piece = live_piece(ctx.conn, p.piece_id, seller, ctx.business_date)
    if views.open_request(ctx.conn, piece.piece_id) is not None:
        raise WrongState(f"piece {piece.piece_id} is already offered to a bank")
    if BANK_ROLE not in parties.get_party(ctx.conn, p.bank).roles:
        raise RuleViolation(f"{p.bank} is not a bank")
    payee = p.payee or seller
    cash_account(ctx.conn, payee)
    data = {
        "financing_id": p.financing_id,
        "receivable_id": receivable.receivable_id,
        "piece_id": piece.piece_id,
        "seller": seller,
        "bank": p.bank,
        "recourse": p.recourse,
        "payee": payee,
        "face": piece.amount,
    }
    named = tuple(dict.fromkeys([seller, p.bank, payee]))
    return [Event("receivable.financing_requested", data, named)]


def _requested(ctx: HandlerContext, financing_id: str) -> views.Financing:
    found = views.get_financing(ctx.conn, financing_id)
    if found.bank != ctx.command.actor:
        raise NotHolder(f"financing {financing_id} was offered to {found.bank}")
    if found.status != FinancingStatus.REQUESTED:
        raise WrongState(f"financing {financing_id} is {found.status}")
    return found


def _decision(
    ctx: HandlerContext, receivable: views.Receivable, piece: views.Piece, note: str
) -> dict[str, object]:
    guarantees = views.guarantees_covering(ctx.conn, piece)
    return {
        "core_enterprise": views.core_credit(ctx.conn, receivable.issuer, ctx.business_date),
        "guarantees": [
            {"guarantee_id": g.guarantee_id, "guarantor": g.guarantor, "piece_id": g.piece_id}
            for g in guarantees
        ],
        "note": note,
    }


def finance(ctx: HandlerContext, p: c.Finance) -> Sequence[Event]:
    found = _requested(ctx, p.financing_id)
    _not_financed_before(ctx.conn, found.piece_id)
    receivable, piece = live_piece(ctx.conn, found.piece_id, found.seller, ctx.business_date)
    today, maturity = ctx.business_date, receivable.maturity_date
    cut = discount(piece.amount, parse_rate(p.annual_rate), today, maturity, p.day_count)
    price = piece.amount - cut
    if price <= 0:
        raise RuleViolation(f"the discount {cut} leaves nothing to pay for {piece.amount} fen")
    payment = TransferRequest(
        transfer_id(ctx.seq, "price"),
        debit=cash_account(ctx.conn, found.bank),
        credit=cash_account(ctx.conn, found.payee),
        amount=price,
        reference=reference(receivable.receivable_id),
        payee=found.payee,
    )
    money = transfer_events(ctx.conn, [payment], business_date=today)
    data = {
        "financing_id": found.financing_id,
        "piece_id": piece.piece_id,
        "bank": found.bank,
        "annual_rate": p.annual_rate,
        "day_count": p.day_count.value,
        "days": (maturity - today).days,
        "discount": cut,
        "price": price,
        "payment_transfer": payment.id,
        "decision": _decision(ctx, receivable, piece, p.note),
    }
    named = tuple(dict.fromkeys([found.bank, found.seller, found.payee]))
    return [Event("receivable.financed", data, named), *money]


def decline(ctx: HandlerContext, p: c.DeclineFinancing) -> Sequence[Event]:
    found = _requested(ctx, p.financing_id)
    data = {"financing_id": found.financing_id, "reason": p.reason}
    return [Event("receivable.financing_declined", data, (found.bank, found.seller))]


# ---- appliers ---------------------------------------------------------------------------------


def _apply_requested(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    d = e.data
    conn.execute(
        insert(receivable_financings).values(
            **{k: d[k] for k in ("financing_id", "receivable_id", "piece_id", "seller", "bank")},
            recourse=d["recourse"],
            payee=d["payee"],
            face=d["face"],
            status=FinancingStatus.REQUESTED.value,
            requested_seq=ctx.seq,
        )
    )


def _apply_financed(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    d = e.data
    conn.execute(
        update(receivable_financings)
        .where(receivable_financings.c.financing_id == d["financing_id"])
        .values(
            status=FinancingStatus.FUNDED.value,
            annual_rate=d["annual_rate"],
            day_count=d["day_count"],
            days=d["days"],
            discount=d["discount"],
            price=d["price"],
            decision=canonical_json(d["decision"]).decode(),
            decided_seq=ctx.seq,
            decided_on=ctx.business_date,
        )
    )
    conn.execute(
        insert(financed_pieces).values(piece_id=d["piece_id"], financing_id=d["financing_id"])
    )
    conn.execute(
        update(receivable_pieces)
        .where(receivable_pieces.c.piece_id == d["piece_id"])
        .values(holder=d["bank"])
    )
    holdings.move(conn, [d["piece_id"]], d["bank"], ctx)


def _apply_declined(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    conn.execute(
        update(receivable_financings)
        .where(receivable_financings.c.financing_id == e.data["financing_id"])
        .values(
            status=FinancingStatus.DECLINED.value,
            decision=canonical_json({"reason": e.data["reason"]}).decode(),
            decided_seq=ctx.seq,
            decided_on=ctx.business_date,
            closed_seq=ctx.seq,
        )
    )


APPLIERS = {
    "receivable.financing_requested": _apply_requested,
    "receivable.financed": _apply_financed,
    "receivable.financing_declined": _apply_declined,
}
