"""Split and transfer (拆分/流转): a holder passes parts of a piece, down to one fen, to its own
suppliers — each with a confirmed contract in which the supplier sells to the holder. The piece
closes; its children (the parts, and the remainder the holder keeps) sum to it exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, insert, select, update

from puhui.documents import views as documents
from puhui.documents.model import DocumentKind
from puhui.finance.cash import cash_account
from puhui.finance.receivables import commands as c
from puhui.finance.receivables import holdings, views
from puhui.finance.receivables.common import live_piece
from puhui.finance.receivables.errors import (
    ExceedsHeld,
    LimitReached,
    NoSupplyContract,
    PieceExists,
    WrongState,
)
from puhui.finance.receivables.model import (
    HOLDERS_PER_RECEIVABLE_MAX,
    PATH_SEPARATOR,
    PIECE_DEPTH_MAX,
    PIECES_PER_RECEIVABLE_MAX,
    PieceStatus,
)
from puhui.finance.receivables.tables import receivable_pieces, receivables
from puhui.kernel.commands import Event
from puhui.kernel.registry import ApplyContext, HandlerContext


def _check_contract(ctx: HandlerContext, part: c.Part) -> None:
    holder = ctx.command.actor
    doc = documents.find_document(ctx.conn, part.contract_id)
    if (
        doc is None
        or doc.kind != DocumentKind.CONTRACT
        or doc.owner != part.to
        or doc.counterparty != holder
        or doc.confirmed_seq is None
    ):
        raise NoSupplyContract(
            f"{part.to} is not a supplier of {holder}: {part.contract_id} must be a contract "
            f"registered by {part.to} as seller naming {holder} as buyer, confirmed by {holder}"
        )


def _check_ids(ctx: HandlerContext, p: c.Split) -> list[str]:
    new_ids = [part.piece_id for part in p.parts]
    if p.remainder_piece_id is not None:
        new_ids.append(p.remainder_piece_id)
    if len(set(new_ids)) != len(new_ids):
        raise PieceExists("a new piece id is named twice")
    taken = views.existing_piece_ids(ctx.conn, new_ids)
    taken |= {i for i in new_ids if views.find_receivable(ctx.conn, i) is not None}
    if taken:
        raise PieceExists(f"piece ids already used: {', '.join(sorted(taken))}")
    return new_ids


def split(ctx: HandlerContext, p: c.Split) -> Sequence[Event]:
    holder = ctx.command.actor
    receivable, piece = live_piece(ctx.conn, p.piece_id, holder, ctx.business_date)
    if views.open_request(ctx.conn, piece.piece_id) is not None:
        raise WrongState(f"piece {piece.piece_id} is offered to a bank for financing")
    passed = sum(part.amount for part in p.parts)
    if passed > piece.amount:
        raise ExceedsHeld(
            f"the parts add up to {passed} fen but piece {piece.piece_id} holds {piece.amount}"
        )
    keep = piece.amount - passed
    if (keep > 0) != (p.remainder_piece_id is not None):
        need = "needs" if keep > 0 else "takes no"
        raise ExceedsHeld(f"a split that keeps {keep} fen {need} remainder_piece_id")
    new_ids = _check_ids(ctx, p)
    if piece.depth + 1 > PIECE_DEPTH_MAX:
        raise LimitReached(f"pieces may be split at most {PIECE_DEPTH_MAX} levels deep")
    if receivable.pieces_count + len(new_ids) > PIECES_PER_RECEIVABLE_MAX:
        raise LimitReached(f"a receivable has at most {PIECES_PER_RECEIVABLE_MAX} pieces")
    holders = views.holders_of(ctx.conn, receivable.receivable_id) | {x.to for x in p.parts}
    if len(holders) > HOLDERS_PER_RECEIVABLE_MAX:
        raise LimitReached(f"a receivable has at most {HOLDERS_PER_RECEIVABLE_MAX} holders")
    for part in p.parts:
        if part.to == holder:
            raise NoSupplyContract("a part must go to another party (keep it as the remainder)")
        _check_contract(ctx, part)
        cash_account(ctx.conn, part.to)
    children = [
        {
            "piece_id": part.piece_id,
            "holder": part.to,
            "amount": part.amount,
            "contract_id": part.contract_id,
        }
        for part in p.parts
    ]
    if p.remainder_piece_id is not None:
        children.append(
            {
                "piece_id": p.remainder_piece_id,
                "holder": holder,
                "amount": keep,
                "contract_id": None,
            }
        )
    data = {
        "receivable_id": receivable.receivable_id,
        "piece_id": piece.piece_id,
        "children": children,
    }
    named = tuple(dict.fromkeys([holder, *(part.to for part in p.parts)]))
    return [Event("receivable.split", data, named)]


_PARENT = select(receivable_pieces.c.path, receivable_pieces.c.depth)


def _apply_split(conn: Connection, e: Event, ctx: ApplyContext) -> None:
    d = e.data
    parent = conn.execute(_PARENT.where(receivable_pieces.c.piece_id == d["piece_id"])).one()
    conn.execute(
        update(receivable_pieces)
        .where(receivable_pieces.c.piece_id == d["piece_id"])
        .values(status=PieceStatus.SPLIT.value, closed_seq=ctx.seq)
    )
    conn.execute(
        insert(receivable_pieces),
        [
            {
                "piece_id": child["piece_id"],
                "receivable_id": d["receivable_id"],
                "parent_id": d["piece_id"],
                "depth": parent.depth + 1,
                "path": parent.path + PATH_SEPARATOR + child["piece_id"],
                "amount": child["amount"],
                "holder": child["holder"],
                "status": PieceStatus.HELD.value,
                "contract_id": child["contract_id"],
                "created_seq": ctx.seq,
                "created_on": ctx.business_date,
                "closed_seq": None,
            }
            for child in d["children"]
        ],
    )
    holdings.end(conn, [d["piece_id"]], ctx)
    children = [c | {"receivable_id": d["receivable_id"]} for c in d["children"]]
    holdings.begin(conn, children, ctx)
    conn.execute(
        update(receivables)
        .where(receivables.c.receivable_id == d["receivable_id"])
        .values(pieces_count=receivables.c.pieces_count + len(d["children"]))
    )


APPLIERS = {"receivable.split": _apply_split}
