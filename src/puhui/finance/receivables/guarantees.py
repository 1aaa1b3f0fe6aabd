"""Credit enhancement (增信): a guarantor offers to be liable for a piece and every part split
from it, for a fee; the fee payer (the piece's holder or the core enterprise) accepts and pays
the fee in the same entry. If the core enterprise fails at maturity, the guarantor is called.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, insert, update

from puhui.accounts import TransferRequest, transfer_events
from puhui.finance.cash import cash_account
from puhui.finance.receivables import commands as c
from puhui.finance.receivables import views
from puhui.finance.receivables.common import active_receivable, reference, transfer_id
from puhui.finance.receivables.errors import GuaranteeExists, NotHolder, WrongState
from puhui.finance.receivables.model import GuaranteeStatus
from puhui.finance.receivables.tables import receivable_guarantees
from puhui.kernel.commands import Event
from puhui.kernel.registry import ApplyContext, HandlerContext


def offer(ctx: HandlerContext, p: c.OfferGuarantee) -> Sequence[Event]:
    guarantor = ctx.command.actor
    if views.find_guarantee(ctx.conn, p.guarantee_id) is not None:
        raise GuaranteeExists(f"guarantee id {p.guarantee_id!r} is already used")
    piece = views.get_piece(ctx.conn, p.piece_id)
    receivable = views.get_receivable(ctx.conn, piece.receivable_id)
    active_receivable(receivable, ctx.business_date)
    if p.fee_payer not in (piece.holder, receivable.issuer):
        raise NotHolder(
            f"the fee is paid by the piece's holder {piece.holder} or the core enterprise "
            f"{receivable.issuer}, not {p.fee_payer}"
        )
    if guarantor in (receivable.issuer, p.fee_payer):
        raise NotHolder("a party cannot guarantee its own debt or its own piece")
    cash_account(ctx.conn, guarantor)
    data = {
        "guarantee_id": p.guarantee_id,
        "receivable_id": receivable.receivable_id,
        "piece_id": piece.piece_id,
        "guarantor": guarantor,
        "fee": p.fee,
        "fee_payer": p.fee_payer,
    }
    return [Event("receivable.guarantee_offered", data, (guarantor, p.fee_payer))]


def accept(ctx: HandlerContext, p: c.AcceptGuarantee) -> Sequence[Event]:
    found = views.get_guarantee(ctx.conn, p.guarantee_id)
    if found.fee_payer != ctx.command.actor:
        raise NotHolder(f"only {found.fee_payer} may accept guarantee {p.guarantee_id}")
    if found.status != GuaranteeStatus.OFFERED:
        raise WrongState(f"guarantee {p.guarantee_id} is {found.status}")
    receivable = views.get_receivable(ctx.conn, found.receivable_id)
    active_receivable(receivable, ctx.business_date)
    fee = TransferRequest(
        transfer_id(ctx.seq, "fee"),
        debit=cash_account(ctx.conn, found.fee_payer),
        credit=cash_account(ctx.conn, found.guarantor),
        amount=found.fee,
        reference=reference(found.receivable_id),
    )
    money = transfer_events(ctx.conn, [fee], business_date=ctx.business_date)
    data = {"guarantee_id": found.guarantee_id, "fee_transfer": fee.id}
    return [
        Event("receivable.guarantee_accepted", data, (found.guarantor, found.fee_payer)),
        *money,
    ]


def _apply_offered(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    d = e.data
    conn.execute(
        insert(receivable_guarantees).values(
            guarantee_id=d["guarantee_id"],
            receivable_id=d["receivable_id"],
            piece_id=d["piece_id"],
            guarantor=d["guarantor"],
            fee=d["fee"],
            fee_payer=d["fee_payer"],
            status=GuaranteeStatus.OFFERED.value,
            paid=0,
            offered_seq=ctx.seq,
        )
    )


def _apply_accepted(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    conn.execute(
        update(receivable_guarantees)
        .where(receivable_guarantees.c.guarantee_id == e.data["guarantee_id"])
        .values(status=GuaranteeStatus.ACTIVE.value, accepted_seq=ctx.seq)
    )


APPLIERS = {
    "receivable.guarantee_offered": _apply_offered,
    "receivable.guarantee_accepted": _apply_accepted,
}
