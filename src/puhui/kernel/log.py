"""The verifiable log in the store: appending entries and serving proofs.

Only perfect subtrees are stored (see `merkle`), so a proof or a past root costs one batched read
of O(log n) rows. A writer holds a ``LogAppender`` for one transaction: it locks the head,
buffers the batch's entries and nodes, and writes them with one executemany each at ``flush``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import Connection, Select, and_, bindparam, insert, or_, select, update

from puhui.kernel import merkle
from puhui.kernel.errors import InvariantViolation, NotFound
from puhui.kernel.store.tables import entry_parties, log_entries, log_head, merkle_nodes

HASH_BYTES = 32
NODES_PER_QUERY_MAX = 200


@dataclass(frozen=True)
class TreeHead:
    size: int
    root: bytes


def _split_frontier(blob: bytes) -> list[bytes]:
    return [blob[i : i + HASH_BYTES] for i in range(0, len(blob), HASH_BYTES)]


def tree_head(conn: Connection) -> TreeHead:
    row = conn.execute(select(log_head.c.size, log_head.c.root).where(log_head.c.id == 1)).first()
    if row is None:
        return TreeHead(0, merkle.root_from_frontier([]))
    return TreeHead(row.size, row.root)


@dataclass
class LogAppender:
    """Appends entries within one write transaction; call ``flush`` before commit."""

    size: int
    frontier: list[bytes]
    _entries: list[dict[str, object]] = field(default_factory=list)
    _nodes: list[dict[str, object]] = field(default_factory=list)
    _start_size: int = 0

    @classmethod
    def open(cls, conn: Connection) -> LogAppender:
        stmt = select(log_head.c.size, log_head.c.frontier).where(log_head.c.id == 1)
        if conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        row = conn.execute(stmt).first()
        if row is None:
            return cls(0, [], _start_size=0)
        frontier = _split_frontier(row.frontier)
        if len(frontier) != bin(row.size).count("1"):
            raise InvariantViolation("log head frontier does not match its size")
        return cls(row.size, frontier, _start_size=row.size)

    def append(self, body: bytes) -> tuple[int, bytes]:
        seq = self.size
        leaf = merkle.leaf_hash(body)
        self.frontier, nodes = merkle.append_leaf(self.frontier, seq, leaf)
        self.size += 1
        self._entries.append({"seq": seq, "leaf_hash": leaf, "body": body})
        self._nodes.extend({"level": lv, "idx": ix, "hash": h} for (lv, ix), h in nodes)
        return seq, leaf

    def pending_body(self, seq: int) -> bytes | None:
        offset = seq - self._start_size
        if 0 <= offset < len(self._entries):
            return cast(bytes, self._entries[offset]["body"])
        return None

    def flush(self, conn: Connection) -> TreeHead:
        root = merkle.root_from_frontier(self.frontier)
        if not self._entries:
            return TreeHead(self.size, root)
        conn.execute(insert(log_entries), self._entries)
        conn.execute(insert(merkle_nodes), self._nodes)
        values = {"size": self.size, "root": root, "frontier": b"".join(self.frontier)}
        if self._start_size == 0:
            conn.execute(insert(log_head).values(id=1, **values))
        else:
            result = conn.execute(
                update(log_head)
                .where(log_head.c.id == 1, log_head.c.size == self._start_size)
                .values(**values)
            )
            if result.rowcount != 1:
                raise InvariantViolation("log head moved under a writer that held its lock")
        self._entries.clear()
        self._nodes.clear()
        self._start_size = self.size
        return TreeHead(self.size, root)


@functools.cache
def _nodes_query(count: int) -> Select[tuple[int, int, bytes]]:
    """A lookup of ``count`` nodes by exact key, built once per count (building the expression
    costs more than running it). An OR of exact keys: SQLite answers it from the primary key,
    where a row-value IN would scan."""
    keys = [
        and_(merkle_nodes.c.level == bindparam(f"l{i}"), merkle_nodes.c.idx == bindparam(f"i{i}"))
        for i in range(count)
    ]
    return select(merkle_nodes.c.level, merkle_nodes.c.idx, merkle_nodes.c.hash).where(or_(*keys))


def _fetch_nodes(conn: Connection, ids: set[merkle.NodeId]) -> dict[merkle.NodeId, bytes]:
    found: dict[merkle.NodeId, bytes] = {}
    wanted = sorted(ids)
    for start in range(0, len(wanted), NODES_PER_QUERY_MAX):
        chunk = wanted[start : start + NODES_PER_QUERY_MAX]
        params = {f"l{i}": level for i, (level, _) in enumerate(chunk)}
        params.update({f"i{i}": idx for i, (_, idx) in enumerate(chunk)})
        rows = conn.execute(_nodes_query(len(chunk)), params)
        found.update({(r.level, r.idx): r.hash for r in rows})
    missing = set(wanted) - found.keys()
    if missing:
        raise InvariantViolation(f"merkle nodes missing from the store: {sorted(missing)[:5]}")
    return found


def _check_size(conn: Connection, *sizes: int) -> TreeHead:
    head = tree_head(conn)
    for size in sizes:
        if size < 0 or size > head.size:
            raise NotFound(f"tree size {size} is beyond the log's size {head.size}")
    return head


def root_at(conn: Connection, size: int) -> bytes:
    """The root of the tree as it was at ``size`` entries."""
    _check_size(conn, size)
    ids = merkle.subtree_ids(0, size)
    nodes = _fetch_nodes(conn, set(ids))
    return merkle.root_from_frontier([nodes[i] for i in ids])


def inclusion_proof(conn: Connection, index: int, size: int) -> list[bytes]:
    _check_size(conn, size)
    if not 0 <= index < size:
        raise NotFound(f"entry {index} is not in a tree of size {size}")
    plan = merkle.inclusion_proof_ids(index, size)
    return merkle.assemble_proof(plan, _fetch_nodes(conn, merkle.all_ids(plan)))


def consistency_proof(conn: Connection, size1: int, size2: int) -> list[bytes]:
    _check_size(conn, size1, size2)
    if size1 > size2:
        raise NotFound(f"first size {size1} is larger than second size {size2}")
    plan = merkle.consistency_proof_ids(size1, size2)
    return merkle.assemble_proof(plan, _fetch_nodes(conn, merkle.all_ids(plan)))


def entry_body(conn: Connection, seq: int) -> tuple[bytes, bytes]:
    row = conn.execute(
        select(log_entries.c.body, log_entries.c.leaf_hash).where(log_entries.c.seq == seq)
    ).first()
    if row is None:
        raise NotFound(f"entry {seq} does not exist")
    return row.body, row.leaf_hash


def leaf_hashes(conn: Connection, start: int, end: int) -> list[bytes]:
    rows = conn.execute(
        select(log_entries.c.leaf_hash)
        .where(log_entries.c.seq >= start, log_entries.c.seq < end)
        .order_by(log_entries.c.seq)
    )
    return [r.leaf_hash for r in rows]


def stream_entries(
    conn: Connection, start: int = 0, batch: int = 2000
) -> Iterator[tuple[int, bytes]]:
    """Entries in order, read in keyset pages so memory stays flat however long the log."""
    position = start
    while True:
        rows = conn.execute(
            select(log_entries.c.seq, log_entries.c.body)
            .where(log_entries.c.seq >= position)
            .order_by(log_entries.c.seq)
            .limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield row.seq, row.body
        position = rows[-1].seq + 1


def entry_visible(conn: Connection, seq: int, party_id: str) -> bool:
    """Whether ``party_id`` signed entry ``seq`` or is named in it."""
    row = conn.execute(
        select(entry_parties.c.seq).where(
            entry_parties.c.party_id == party_id, entry_parties.c.seq == seq
        )
    ).first()
    return row is not None


def entries_of(conn: Connection, party_id: str, *, after: int = -1, limit: int = 100) -> list[int]:
    """Positions of the entries ``party_id`` signed or is named in, keyset-paginated."""
    rows = conn.execute(
        select(entry_parties.c.seq)
        .where(entry_parties.c.party_id == party_id, entry_parties.c.seq > after)
        .order_by(entry_parties.c.seq)
        .limit(max(1, min(limit, 500)))
    )
    return [r.seq for r in rows]
