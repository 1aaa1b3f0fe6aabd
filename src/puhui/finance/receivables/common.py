"""Helpers the receivable handlers share: the piece a signer holds, references, ids."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import Connection

from puhui.finance.receivables import views
from puhui.finance.receivables.errors import NotHolder, ReceivableMatured, WrongState
from puhui.finance.receivables.model import PieceStatus, ReceivableStatus

IDS_PER_STATEMENT_MAX = 500


def chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    """``ids`` in slices small enough for one ``IN (...)``."""
    for start in range(0, len(ids), IDS_PER_STATEMENT_MAX):
        yield ids[start : start + IDS_PER_STATEMENT_MAX]


def reference(receivable_id: str) -> str:
    """The origin every ledger transfer of a receivable carries (for tracing)."""
    return f"rcv:{receivable_id}"


def transfer_id(seq: int, n: int | str) -> str:
    return f"rcv-{seq}-{n}"


def live_piece(
    conn: Connection, piece_id: str, actor: str, today: date
) -> tuple[views.Receivable, views.Piece]:
    """The piece ``actor`` holds now, of an active receivable before its maturity date."""
    piece = views.get_piece(conn, piece_id)
    receivable = views.get_receivable(conn, piece.receivable_id)
    if piece.holder != actor:
        raise NotHolder(f"piece {piece_id} is held by {piece.holder}, not {actor}")
    if piece.status != PieceStatus.HELD:
        raise WrongState(f"piece {piece_id} is {piece.status}: it is no longer held as a whole")
    active_receivable(receivable, today)
    return receivable, piece


def active_receivable(receivable: views.Receivable, today: date) -> None:
    if receivable.status != ReceivableStatus.ACTIVE:
        raise WrongState(f"receivable {receivable.receivable_id} is {receivable.status}")
    if today >= receivable.maturity_date:
        raise ReceivableMatured(
            f"receivable {receivable.receivable_id} matures on {receivable.maturity_date}; "
            f"it is {today}"
        )
