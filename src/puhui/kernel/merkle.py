"""RFC 6962 / RFC 9162 Merkle tree arithmetic for an append-only verifiable log.

Everything here is pure (no I/O) so that storage code stays trivial and every
function can be tested exhaustively against the RFC's recursive definitions.

Node addressing
---------------
A node is named by ``NodeId = (level, index)``: the *perfect aligned subtree*
covering leaves ``[index * 2**level, (index + 1) * 2**level)``. Level 0 holds
the leaf hashes themselves. Storage keeps exactly one hash per *complete*
perfect subtree and nothing else, so a node, once written, never changes.

An RFC 6962 tree of ``n`` leaves is not perfect when ``n`` is not a power of
two: the subtrees on its right edge cover ranges ``[a, b)`` that are not
aligned powers of two. Such a range is never stored; its hash is recomputed by
folding its perfect decomposition (``subtree_ids``) right to left, which is
exactly what MTH does. So every proof element is planned as a short list of
NodeIds (``*_proof_ids``), all of them are read in one batch (``all_ids``),
and the proof is assembled from that mapping (``assemble_proof``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence

NodeId = tuple[int, int]
"""(level, index): the perfect subtree over leaves [index << level, (index + 1) << level)."""

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """Hash a leaf; the 0x00 prefix keeps leaves and interior nodes in separate domains."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash an interior node; the 0x01 prefix prevents second-preimage forgeries."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _fold(hashes: Sequence[bytes]) -> bytes:
    """Combine the roots of a perfect decomposition, smallest (rightmost) subtrees first."""
    result = hashes[-1]
    for h in reversed(hashes[:-1]):
        result = node_hash(h, result)
    return result


def _split(n: int) -> int:
    """RFC 6962's k: the largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _check_size(name: str, value: int) -> None:
    if value < 0:
        raise ValueError(f"{name} must be non-negative, got {value}")


def subtree_ids(start: int, end: int) -> list[NodeId]:
    """Perfect aligned decomposition of leaves [start, end), left to right.

    Greedy: at each step take the largest block that is both aligned at ``start``
    and fits in what remains. For the RFC's right-edge ranges the block sizes are
    strictly decreasing, so folding them reproduces MTH of the range.
    """
    _check_size("start", start)
    if end < start:
        raise ValueError(f"empty range needs start <= end, got [{start}, {end})")
    ids: list[NodeId] = []
    while start < end:
        level = (end - start).bit_length() - 1
        if start:
            level = min(level, (start & -start).bit_length() - 1)
        ids.append((level, start >> level))
        start += 1 << level
    return ids


def frontier_ids(size: int) -> list[NodeId]:
    """NodeIds of the frontier of a tree of ``size`` leaves, so a writer reloads it in one read."""
    _check_size("size", size)
    return subtree_ids(0, size)


def append_leaf(
    frontier: list[bytes], size: int, leaf: bytes
) -> tuple[list[bytes], list[tuple[NodeId, bytes]]]:
    """Append a leaf hash to a tree given only its frontier.

    Returns the new frontier and the nodes to store: the leaf at (0, size) plus each
    perfect parent it completes (one per trailing 1-bit of ``size``; 2 per leaf amortised).
    The input list is not modified.
    """
    _check_size("size", size)
    if len(frontier) != size.bit_count():
        raise ValueError(f"a tree of {size} leaves has {size.bit_count()} frontier hashes")
    new_frontier = list(frontier)
    nodes: list[tuple[NodeId, bytes]] = [((0, size), leaf)]
    h, level, index = leaf, 0, size
    while index & 1:
        h = node_hash(new_frontier.pop(), h)
        level, index = level + 1, index >> 1
        nodes.append(((level, index), h))
    new_frontier.append(h)
    return new_frontier, nodes


def root_from_frontier(frontier: list[bytes]) -> bytes:
    """RFC 6962 root of the tree whose frontier is given; SHA-256(b"") when empty."""
    return _fold(frontier) if frontier else EMPTY_ROOT


def inclusion_proof_ids(index: int, size: int) -> list[list[NodeId]]:
    """Plan RFC 6962 PATH(index, D[size]): one NodeId list per proof hash, leaf end first."""
    _check_size("index", index)
    if index >= size:
        raise ValueError(f"leaf index {index} is not in a tree of {size} leaves")
    plan: list[list[NodeId]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        mid = lo + _split(hi - lo)
        if index < mid:
            plan.append(subtree_ids(mid, hi))
            hi = mid
        else:
            plan.append(subtree_ids(lo, mid))
            lo = mid
    plan.reverse()
    return plan


def consistency_proof_ids(size1: int, size2: int) -> list[list[NodeId]]:
    """Plan RFC 6962 PROOF(size1, D[size2]); empty when size1 is 0 or equals size2."""
    _check_size("size1", size1)
    if size1 > size2:
        raise ValueError(f"cannot prove size {size1} is a prefix of smaller size {size2}")
    if size1 == 0 or size1 == size2:
        return []
    # SUBPROOF walked top-down; the old tree always ends inside (lo, hi].
    plan: list[list[NodeId]] = []
    lo, hi, whole_old_tree = 0, size2, True
    while size1 != hi:
        mid = lo + _split(hi - lo)
        if size1 <= mid:
            plan.append(subtree_ids(mid, hi))
            hi = mid
        else:
            plan.append(subtree_ids(lo, mid))
            lo, whole_old_tree = mid, False
    if not whole_old_tree:
        plan.append(subtree_ids(lo, hi))
    plan.reverse()
    return plan


def all_ids(plan: Iterable[Iterable[NodeId]]) -> set[NodeId]:
    """Every NodeId a proof plan needs, for a single batch read."""
    return {node for element in plan for node in element}


def assemble_proof(plan: list[list[NodeId]], nodes: Mapping[NodeId, bytes]) -> list[bytes]:
    """Turn a plan into proof hashes; raises KeyError if storage lacks a planned node."""
    return [_fold([nodes[node] for node in element]) for element in plan]


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE


def _is_path(proof: object) -> bool:
    return isinstance(proof, Sequence) and all(_is_hash(p) for p in proof)


def _valid_sizes(*sizes: object) -> bool:
    return all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in sizes)


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 section 2.1.3.2; returns False (never raises) for any malformed input."""
    if not (_valid_sizes(index, size) and _is_hash(leaf_hash) and _is_hash(root)):
        return False
    if index >= size or not _is_path(proof):
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not (fn & 1 or fn == 0):
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 section 2.1.4.2; returns False (never raises) for any malformed input.

    From the empty tree only an empty proof is accepted, and root1 must be the empty root.
    """
    if not (_valid_sizes(size1, size2) and _is_hash(root1) and _is_hash(root2)):
        return False
    if size1 > size2 or not _is_path(proof):
        return False
    if size1 == 0:
        return not proof and root1 == EMPTY_ROOT
    if size1 == size2:
        return not proof and root1 == root2
    if not proof:
        return False
    path = list(proof)
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not (fn & 1 or fn == 0):
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == root1 and sr == root2 and sn == 0
