"""Who held each piece, from when until when (``receivable_holdings``).

A piece's holder changes in place on ``receivable_pieces`` (a bank buys it, a guarantor pays it,
a seller takes it back), so the pieces table answers only "who holds it now". The appliers also
keep this history, one row per piece and holder, so that what a party held on a past date (the
credit features' as-of reads) is read from the record without anything that happened after.
A holding runs from the business date it began up to, not including, the date it ended.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, insert, select, update

from puhui.finance.receivables.common import chunks
from puhui.finance.receivables.tables import receivable_holdings, receivable_pieces
from puhui.kernel.registry import ApplyContext

HOLDINGS_PER_PARTY_MAX = 10_000

h = receivable_holdings.c


def begin(conn: Connection, pieces: Sequence[dict[str, Any]], ctx: ApplyContext) -> None:
    """Holdings of new pieces (each with ``piece_id``, ``holder``, ``receivable_id``,
    ``amount``) from today."""
    if pieces:
        conn.execute(
            insert(receivable_holdings),
            [
                {
                    "piece_id": p["piece_id"],
                    "held_from_seq": ctx.seq,
                    "holder": p["holder"],
                    "receivable_id": p["receivable_id"],
                    "amount": p["amount"],
                    "held_from": ctx.business_date,
                    "held_until": None,
                }
                for p in pieces
            ],
        )


def end(conn: Connection, piece_ids: Sequence[str], ctx: ApplyContext) -> None:
    """The current holdings of ``piece_ids`` end today (split, or passed to another holder)."""
    for chunk in chunks(piece_ids):
        conn.execute(
            update(receivable_holdings)
            .where(h.piece_id.in_(chunk), h.held_until.is_(None))
            .values(held_until=ctx.business_date)
        )


def end_receivable(conn: Connection, receivable_id: str, ctx: ApplyContext) -> None:
    """Every current holding of the receivable's pieces ends today (it was paid)."""
    conn.execute(
        update(receivable_holdings)
        .where(h.receivable_id == receivable_id, h.held_until.is_(None))
        .values(held_until=ctx.business_date)
    )


def move(conn: Connection, piece_ids: Sequence[str], holder: str, ctx: ApplyContext) -> None:
    """``piece_ids`` pass to ``holder`` today."""
    end(conn, piece_ids, ctx)
    p = receivable_pieces.c
    for chunk in chunks(piece_ids):
        rows = conn.execute(
            select(p.piece_id, p.receivable_id, p.amount).where(p.piece_id.in_(chunk))
        )
        begin(conn, [dict(r._mapping) | {"holder": holder} for r in rows], ctx)


def held_by(conn: Connection, holder: str) -> list[tuple[date, date | None, int]]:
    """(held from, held until, amount) of every piece ``holder`` held, latest first (at most
    ``HOLDINGS_PER_PARTY_MAX``)."""
    rows = conn.execute(
        select(h.held_from, h.held_until, h.amount)
        .where(h.holder == holder)
        .order_by(h.held_from.desc(), h.piece_id.desc())
        .limit(HOLDINGS_PER_PARTY_MAX)
    )
    return [(r.held_from, r.held_until, r.amount) for r in rows]
