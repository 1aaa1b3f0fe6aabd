"""Read functions of the receivables context: records, trace to the root, the penetration
graph, holder wallets, core-enterprise payables, bank portfolios. The only way other contexts
(and the API, CLI, SDK) read receivables."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import Connection, and_, bindparam, case, func, select

from puhui.finance.receivables.errors import (
    UnknownFinancing,
    UnknownGuarantee,
    UnknownPiece,
    UnknownReceivable,
)
from puhui.finance.receivables.model import (
    MATURITY_MONTHS_DEFAULT,
    FinancingStatus,
    GuaranteeStatus,
    PieceStatus,
    ReceivableStatus,
    path_ids,
)
from puhui.finance.receivables.tables import (
    financed_pieces,
    receivable_documents,
    receivable_financings,
    receivable_guarantees,
    receivable_pieces,
    receivable_policy,
    receivables,
)
from puhui.parties.tables import parties

PAGE_SIZE_MAX = 1000
OPEN = (ReceivableStatus.ACTIVE.value, ReceivableStatus.OVERDUE.value)


def _json(obj: Any) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(obj).items()}


def _page(limit: int) -> int:
    return max(1, min(limit, PAGE_SIZE_MAX))


@dataclass(frozen=True)
class Receivable:
    receivable_id: str
    issuer: str
    supplier: str
    amount: int
    outstanding: int
    currency: str
    issued_on: date
    maturity_date: date
    status: str
    pieces_count: int
    issued_seq: int
    accepted_seq: int | None
    closed_seq: int | None
    closed_on: date | None

    def to_json(self) -> dict[str, Any]:
        return _json(self)


@dataclass(frozen=True)
class Piece:
    piece_id: str
    receivable_id: str
    parent_id: str | None
    depth: int
    path: str
    amount: int
    holder: str
    status: str
    contract_id: str | None
    created_seq: int
    created_on: date
    closed_seq: int | None

    def to_json(self) -> dict[str, Any]:
        return _json(self)


@dataclass(frozen=True)
class Guarantee:
    guarantee_id: str
    receivable_id: str
    piece_id: str
    guarantor: str
    fee: int
    fee_payer: str
    status: str
    paid: int
    offered_seq: int
    accepted_seq: int | None
    closed_seq: int | None

    def to_json(self) -> dict[str, Any]:
        return _json(self)


@dataclass(frozen=True)
class Financing:
    financing_id: str
    receivable_id: str
    piece_id: str
    seller: str
    bank: str
    recourse: bool
    payee: str
    face: int
    status: str
    annual_rate: str | None
    day_count: str | None
    days: int | None
    discount: int | None
    price: int | None
    decision: str | None
    requested_seq: int
    decided_seq: int | None
    decided_on: date | None
    closed_seq: int | None

    def to_json(self) -> dict[str, Any]:
        data = _json(self)
        data["decision"] = None if self.decision is None else json.loads(self.decision)
        return data


_RECEIVABLE = select(receivables).where(receivables.c.receivable_id == bindparam("id"))
_PIECE = select(receivable_pieces).where(receivable_pieces.c.piece_id == bindparam("id"))


def find_receivable(conn: Connection, receivable_id: str) -> Receivable | None:
    row = conn.execute(_RECEIVABLE, {"id": receivable_id}).first()
    return None if row is None else Receivable(**row._mapping)


def get_receivable(conn: Connection, receivable_id: str) -> Receivable:
    found = find_receivable(conn, receivable_id)
    if found is None:
        raise UnknownReceivable(f"no receivable {receivable_id!r}")
    return found


def find_piece(conn: Connection, piece_id: str) -> Piece | None:
    row = conn.execute(_PIECE, {"id": piece_id}).first()
    return None if row is None else Piece(**row._mapping)


def get_piece(conn: Connection, piece_id: str) -> Piece:
    found = find_piece(conn, piece_id)
    if found is None:
        raise UnknownPiece(f"no piece {piece_id!r}")
    return found


def existing_piece_ids(conn: Connection, ids: list[str]) -> set[str]:
    rows = conn.execute(
        select(receivable_pieces.c.piece_id).where(receivable_pieces.c.piece_id.in_(ids))
    )
    return {r.piece_id for r in rows}


def held_pieces(conn: Connection, receivable_id: str) -> list[Piece]:
    """The pieces of a receivable still held (their amounts sum to what is outstanding)."""
    rows = conn.execute(
        select(receivable_pieces)
        .where(
            receivable_pieces.c.receivable_id == receivable_id,
            receivable_pieces.c.status == PieceStatus.HELD.value,
        )
        .order_by(receivable_pieces.c.piece_id)
    )
    return [Piece(**r._mapping) for r in rows]


def holders_of(conn: Connection, receivable_id: str) -> set[str]:
    rows = conn.execute(
        select(receivable_pieces.c.holder)
        .where(
            receivable_pieces.c.receivable_id == receivable_id,
            receivable_pieces.c.status == PieceStatus.HELD.value,
        )
        .distinct()
    )
    return {r.holder for r in rows}


def documents_of(conn: Connection, receivable_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(receivable_documents)
        .where(receivable_documents.c.receivable_id == receivable_id)
        .order_by(receivable_documents.c.role, receivable_documents.c.document_id)
    )
    return [dict(r._mapping) for r in rows]


def policy_months(conn: Connection) -> int:
    value = conn.execute(select(receivable_policy.c.maturity_months_max)).scalar()
    return MATURITY_MONTHS_DEFAULT if value is None else int(value)


# ---- trace and graph --------------------------------------------------------------------------


@dataclass(frozen=True)
class Trace:
    """A piece and the path of pieces (and so of holders) from the root down to it."""

    receivable: Receivable
    path: list[Piece]

    @property
    def holders(self) -> list[str]:
        return [p.holder for p in self.path]

    def to_json(self) -> dict[str, Any]:
        return {
            "receivable": self.receivable.to_json(),
            "piece": self.path[-1].to_json(),
            "holders": self.holders,
            "path": [p.to_json() for p in self.path],
        }


_TRACE_PIECE = (
    select(receivable_pieces.c.path, receivables)
    .join(receivables, receivables.c.receivable_id == receivable_pieces.c.receivable_id)
    .where(receivable_pieces.c.piece_id == bindparam("id"))
)
_ANCESTORS = select(receivable_pieces).where(
    receivable_pieces.c.piece_id.in_(bindparam("ids", expanding=True))
)


def trace(conn: Connection, piece_id: str) -> Trace:
    """The piece's path to the root in two queries (the piece with its receivable; the path)."""
    row = conn.execute(_TRACE_PIECE, {"id": piece_id}).first()
    if row is None:
        raise UnknownPiece(f"no piece {piece_id!r}")
    mapping = dict(row._mapping)
    ids = path_ids(mapping.pop("path"))
    found = {r.piece_id: Piece(**r._mapping) for r in conn.execute(_ANCESTORS, {"ids": ids})}
    return Trace(Receivable(**mapping), [found[i] for i in ids])


def graph(
    conn: Connection, receivable_id: str, *, after: str | None = None, limit: int = 500
) -> dict[str, Any]:
    """The penetration graph: pieces (nodes) and parent → child edges, a page at a time."""
    receivable = get_receivable(conn, receivable_id)
    limit = _page(limit)
    stmt = (
        select(receivable_pieces)
        .where(receivable_pieces.c.receivable_id == receivable_id)
        .order_by(receivable_pieces.c.piece_id)
        .limit(limit)
    )
    if after is not None:
        stmt = stmt.where(receivable_pieces.c.piece_id > after)
    nodes = [Piece(**r._mapping) for r in conn.execute(stmt)]
    return {
        "receivable": receivable.to_json(),
        "nodes": [n.to_json() for n in nodes],
        "edges": [[n.parent_id, n.piece_id] for n in nodes if n.parent_id is not None],
        "next_after": nodes[-1].piece_id if len(nodes) == limit else None,
    }


def visible_to(conn: Connection, receivable: Receivable, party_id: str) -> bool:
    """Whether a party takes part in the receivable (issuer, any holder, guarantor, bank)."""
    if party_id in (receivable.issuer, receivable.supplier):
        return True
    rid = receivable.receivable_id
    for table, column in (
        (receivable_pieces, receivable_pieces.c.holder),
        (receivable_guarantees, receivable_guarantees.c.guarantor),
        (receivable_financings, receivable_financings.c.bank),
    ):
        hit = conn.execute(
            select(func.count())
            .select_from(table)
            .where(and_(table.c.receivable_id == rid, column == party_id))
        ).scalar_one()
        if hit:
            return True
    return False


# ---- guarantees and financings ----------------------------------------------------------------


def find_guarantee(conn: Connection, guarantee_id: str) -> Guarantee | None:
    row = conn.execute(
        select(receivable_guarantees).where(receivable_guarantees.c.guarantee_id == guarantee_id)
    ).first()
    return None if row is None else Guarantee(**row._mapping)


def get_guarantee(conn: Connection, guarantee_id: str) -> Guarantee:
    found = find_guarantee(conn, guarantee_id)
    if found is None:
        raise UnknownGuarantee(f"no guarantee {guarantee_id!r}")
    return found


def guarantees_of(
    conn: Connection, receivable_id: str, *, statuses: tuple[str, ...] | None = None
) -> list[Guarantee]:
    stmt = select(receivable_guarantees).where(
        receivable_guarantees.c.receivable_id == receivable_id
    )
    if statuses is not None:
        stmt = stmt.where(receivable_guarantees.c.status.in_(statuses))
    rows = conn.execute(stmt.order_by(receivable_guarantees.c.guarantee_id))
    return [Guarantee(**r._mapping) for r in rows]


def guarantees_covering(conn: Connection, piece: Piece) -> list[Guarantee]:
    """Active guarantees on the piece or any piece above it."""
    rows = conn.execute(
        select(receivable_guarantees)
        .where(
            receivable_guarantees.c.piece_id.in_(path_ids(piece.path)),
            receivable_guarantees.c.status == GuaranteeStatus.ACTIVE.value,
        )
        .order_by(receivable_guarantees.c.guarantee_id)
    )
    return [Guarantee(**r._mapping) for r in rows]


def find_financing(conn: Connection, financing_id: str) -> Financing | None:
    row = conn.execute(
        select(receivable_financings).where(receivable_financings.c.financing_id == financing_id)
    ).first()
    return None if row is None else Financing(**row._mapping)


def get_financing(conn: Connection, financing_id: str) -> Financing:
    found = find_financing(conn, financing_id)
    if found is None:
        raise UnknownFinancing(f"no financing {financing_id!r}")
    return found


def open_request(conn: Connection, piece_id: str) -> Financing | None:
    row = conn.execute(
        select(receivable_financings).where(
            receivable_financings.c.piece_id == piece_id,
            receivable_financings.c.status == FinancingStatus.REQUESTED.value,
        )
    ).first()
    return None if row is None else Financing(**row._mapping)


def financed_once(conn: Connection, piece_id: str) -> str | None:
    """The financing that bought this piece, if it was ever financed."""
    value: str | None = conn.execute(
        select(financed_pieces.c.financing_id).where(financed_pieces.c.piece_id == piece_id)
    ).scalar()
    return value


def funded_financings(conn: Connection, receivable_id: str) -> dict[str, Financing]:
    """Funded financings of a receivable by piece id."""
    rows = conn.execute(
        select(receivable_financings).where(
            receivable_financings.c.receivable_id == receivable_id,
            receivable_financings.c.status == FinancingStatus.FUNDED.value,
        )
    )
    return {r.piece_id: Financing(**r._mapping) for r in rows}


def core_credit(conn: Connection, issuer: str, today: date) -> dict[str, Any]:
    """What a bank sees of the core enterprise's record on the platform when it decides."""
    rows = conn.execute(
        select(
            receivables.c.status,
            func.count(),
            func.coalesce(func.sum(receivables.c.outstanding), 0),
        )
        .where(receivables.c.issuer == issuer)
        .group_by(receivables.c.status)
    )
    by_status = {r[0]: (int(r[1]), int(r[2])) for r in rows}
    return {
        "issuer": issuer,
        "as_of": today.isoformat(),
        "outstanding_payables": sum(by_status.get(s, (0, 0))[1] for s in OPEN),
        "receivables_open": sum(by_status.get(s, (0, 0))[0] for s in OPEN),
        "receivables_overdue": by_status.get(ReceivableStatus.OVERDUE.value, (0, 0))[0],
        "receivables_settled": by_status.get(ReceivableStatus.SETTLED.value, (0, 0))[0],
    }


# ---- the views of the issue: wallet, payables, portfolio -------------------------------------


def wallet(
    conn: Connection, holder: str, *, after: str | None = None, limit: int = 100
) -> dict[str, Any]:
    """The pieces a party holds now, with each receivable's debtor and maturity, and the bank a
    piece is offered to while a financing request waits (``offered_to``)."""
    limit = _page(limit)
    offered = receivable_financings.alias("offered")
    stmt = (
        select(
            receivable_pieces,
            receivables.c.issuer,
            receivables.c.maturity_date,
            receivables.c.status.label("receivable_status"),
            offered.c.financing_id.label("offered_financing_id"),
            offered.c.bank.label("offered_to"),
        )
        .join(receivables, receivables.c.receivable_id == receivable_pieces.c.receivable_id)
        .outerjoin(
            offered,
            and_(
                offered.c.piece_id == receivable_pieces.c.piece_id,
                offered.c.status == FinancingStatus.REQUESTED.value,
            ),
        )
        .where(
            receivable_pieces.c.holder == holder,
            receivable_pieces.c.status == PieceStatus.HELD.value,
        )
        .order_by(receivable_pieces.c.piece_id)
        .limit(limit)
    )
    if after is not None:
        stmt = stmt.where(receivable_pieces.c.piece_id > after)
    rows = conn.execute(stmt).all()
    total = conn.execute(
        select(func.coalesce(func.sum(receivable_pieces.c.amount), 0), func.count()).where(
            receivable_pieces.c.holder == holder,
            receivable_pieces.c.status == PieceStatus.HELD.value,
        )
    ).one()
    pieces = [
        {k: v.isoformat() if isinstance(v, date) else v for k, v in r._mapping.items()}
        for r in rows
    ]
    return {
        "holder": holder,
        "total_held": int(total[0]),
        "pieces_held": int(total[1]),
        "pieces": pieces,
        "next_after": rows[-1].piece_id if len(rows) == limit else None,
    }


def payables(conn: Connection, issuer: str, *, limit: int = 100) -> dict[str, Any]:
    """The core enterprise's open receivables by maturity date, with totals per date."""
    rows = conn.execute(
        select(receivables)
        .where(receivables.c.issuer == issuer, receivables.c.status.in_(OPEN))
        .order_by(receivables.c.maturity_date, receivables.c.receivable_id)
        .limit(_page(limit))
    ).all()
    items = [Receivable(**r._mapping) for r in rows]
    by_date: dict[str, int] = {}
    for item in items:
        key = item.maturity_date.isoformat()
        by_date[key] = by_date.get(key, 0) + item.outstanding
    return {
        "issuer": issuer,
        "total_outstanding": sum(by_date.values()),
        "by_maturity": [{"maturity_date": d, "outstanding": v} for d, v in by_date.items()],
        "receivables": [i.to_json() for i in items],
    }


def portfolio(
    conn: Connection, bank: str, *, after: str | None = None, limit: int = 100
) -> dict[str, Any]:
    """The pieces a bank financed (or was asked to), with terms, status and maturity."""
    limit = _page(limit)
    stmt = (
        select(receivable_financings, receivables.c.issuer, receivables.c.maturity_date)
        .join(receivables, receivables.c.receivable_id == receivable_financings.c.receivable_id)
        .where(receivable_financings.c.bank == bank)
        .order_by(receivable_financings.c.financing_id)
        .limit(limit)
    )
    if after is not None:
        stmt = stmt.where(receivable_financings.c.financing_id > after)
    rows = conn.execute(stmt).all()
    items = []
    for r in rows:
        m = dict(r._mapping)
        maturity, issuer = m.pop("maturity_date"), m.pop("issuer")
        item = Financing(**m).to_json() | {"issuer": issuer, "maturity_date": maturity.isoformat()}
        items.append(item)
    funded = [i for i in items if i["status"] == FinancingStatus.FUNDED.value]
    return {
        "bank": bank,
        "face_funded": sum(i["face"] for i in funded),
        "price_funded": sum(i["price"] or 0 for i in funded),
        "financings": items,
        "next_after": items[-1]["financing_id"] if len(items) == limit else None,
    }


def list_receivables(
    conn: Connection, party_id: str | None, *, after: str | None = None, limit: int = 100
) -> list[Receivable]:
    """Receivables the party issued or was issued (all for ``None``), by id."""
    stmt = select(receivables).order_by(receivables.c.receivable_id).limit(_page(limit))
    if party_id is not None:
        stmt = stmt.where((receivables.c.issuer == party_id) | (receivables.c.supplier == party_id))
    if after is not None:
        stmt = stmt.where(receivables.c.receivable_id > after)
    return [Receivable(**r._mapping) for r in conn.execute(stmt)]


ISSUED_TO_MAX = 10_000


def issued_to(conn: Connection, supplier: str) -> list[Receivable]:
    """Receivables issued to ``supplier`` (the tier-1 holder), oldest first: at most
    ``ISSUED_TO_MAX``, the latest."""
    stmt = (
        select(receivables)
        .where(receivables.c.supplier == supplier)
        .order_by(receivables.c.issued_on.desc(), receivables.c.receivable_id.desc())
        .limit(ISSUED_TO_MAX)
    )
    return [Receivable(**r._mapping) for r in reversed(conn.execute(stmt).all())]


# ---- supervision ------------------------------------------------------------------------------

CONCENTRATION_ROWS_MAX = 50
ConcentrationBy = Literal["issuer", "region"]


def concentration(conn: Connection, by: ConcentrationBy) -> list[dict[str, Any]]:
    """Open (active or overdue) receivables grouped by core enterprise or by the core
    enterprise's region (its administrative code), largest outstanding first, at most
    ``CONCENTRATION_ROWS_MAX`` groups per currency; with the part already financed by banks."""
    key = {"issuer": receivables.c.issuer, "region": func.coalesce(parties.c.region, "")}[by]
    open_ = receivables.c.status.in_(OPEN)
    funded = (
        select(
            receivable_financings.c.receivable_id,
            func.sum(receivable_financings.c.face).label("face"),
        )
        .where(receivable_financings.c.status == FinancingStatus.FUNDED.value)
        .group_by(receivable_financings.c.receivable_id)
        .subquery()
    )
    outstanding = func.coalesce(func.sum(receivables.c.outstanding), 0)
    overdue = func.sum(
        case((receivables.c.status == ReceivableStatus.OVERDUE.value, receivables.c.outstanding))
    )
    currencies = conn.execute(select(receivables.c.currency).where(open_).distinct()).scalars()
    rows: list[dict[str, Any]] = []
    for currency in sorted(currencies):
        stmt = (
            select(key, func.count(), outstanding, overdue, func.sum(funded.c.face))
            .select_from(
                receivables.join(parties, parties.c.party_id == receivables.c.issuer).outerjoin(
                    funded, funded.c.receivable_id == receivables.c.receivable_id
                )
            )
            .where(open_, receivables.c.currency == currency)
            .group_by(key)
            .order_by(outstanding.desc(), key)
            .limit(CONCENTRATION_ROWS_MAX)
        )
        rows += [
            {
                "currency": currency,
                "key": group or None,
                "receivables": int(count),
                "outstanding": int(total),
                "overdue": int(late or 0),
                "financed": int(financed or 0),
            }
            for group, count, total, late, financed in conn.execute(stmt)
        ]
    return rows
