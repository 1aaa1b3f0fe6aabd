"""Tests for puhui.kernel.merkle against a literal transcription of RFC 6962 section 2.1.

The reference below is deliberately naive (recursive, list slicing, its own hashing) so that
it shares no code or cleverness with the storage-oriented implementation under test.
"""

from __future__ import annotations

import hashlib
import random
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from puhui.kernel.merkle import (
    EMPTY_ROOT,
    NodeId,
    all_ids,
    append_leaf,
    assemble_proof,
    consistency_proof_ids,
    frontier_ids,
    inclusion_proof_ids,
    leaf_hash,
    node_hash,
    root_from_frontier,
    subtree_ids,
    verify_consistency,
    verify_inclusion,
)

# --------------------------------------------------------------------------------------------
# Reference implementation: RFC 6962 section 2.1, transcribed as literally as possible.
# --------------------------------------------------------------------------------------------


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    """Largest power of two strictly smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(d: list[bytes]) -> bytes:
    n = len(d)
    if n == 0:
        return _sha256(b"")
    if n == 1:
        return _sha256(b"\x00" + d[0])
    k = _k(n)
    return _sha256(b"\x01" + ref_mth(d[:k]) + ref_mth(d[k:]))


def ref_path(m: int, d: list[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return [*ref_path(m, d[:k]), ref_mth(d[k:])]
    return [*ref_path(m - k, d[k:]), ref_mth(d[:k])]


def ref_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [ref_mth(d)]
    k = _k(n)
    if m <= k:
        return [*ref_subproof(m, d[:k], b), ref_mth(d[k:])]
    return [*ref_subproof(m - k, d[k:], False), ref_mth(d[:k])]


def ref_proof(m: int, d: list[bytes]) -> list[bytes]:
    return ref_subproof(m, d, True)


# Shapes: which side each proof hash sits on. Two requests with the same shape make a verifier
# perform the same hash operations, so a proof for one is (correctly) accepted for the other.


def ref_path_shape(m: int, n: int) -> list[str]:
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return [*ref_path_shape(m, k), "R"]
    return [*ref_path_shape(m - k, n - k), "L"]


def ref_subproof_shape(m: int, n: int, b: bool) -> list[str]:
    if m == n:
        return ["root1"] if b else ["seed"]
    k = _k(n)
    if m <= k:
        return [*ref_subproof_shape(m, k, b), "R"]
    return [*ref_subproof_shape(m - k, n - k, False), "L"]


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

MAX_EXHAUSTIVE = 300
ALL_PAIRS_UP_TO = 70
MAX_RANDOM = 5000


def data(i: int) -> bytes:
    return b"leaf-%d" % i


@cache
def leaves(n: int) -> tuple[bytes, ...]:
    return tuple(data(i) for i in range(n))


def build(n: int) -> tuple[list[bytes], dict[NodeId, bytes]]:
    frontier: list[bytes] = []
    store: dict[NodeId, bytes] = {}
    for i in range(n):
        frontier, new_nodes = append_leaf(frontier, i, leaf_hash(data(i)))
        for node, h in new_nodes:
            assert node not in store, "a stored node must never be rewritten"
            store[node] = h
    return frontier, store


@cache
def big_store() -> dict[NodeId, bytes]:
    """One store for MAX_RANDOM leaves; nodes never change, so it serves every prefix."""
    return build(MAX_RANDOM)[1]


def perfect_subtrees(n: int) -> set[NodeId]:
    return {(level, index) for level in range(n.bit_length()) for index in range(n >> level)}


def complete_in(node: NodeId, n: int) -> bool:
    level, index = node
    return (index + 1) << level <= n


def flip_bit(h: bytes, bit: int) -> bytes:
    out = bytearray(h)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


def sample_indices(n: int, rng: random.Random, count: int) -> list[int]:
    if n <= ALL_PAIRS_UP_TO:
        return list(range(n))
    return sorted({0, n - 1, *rng.sample(range(n), count)})


# --------------------------------------------------------------------------------------------
# Exhaustive small trees
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", range(MAX_EXHAUSTIVE + 1))
def test_tree_of_size_matches_reference(n: int) -> None:
    rng = random.Random(n)
    d = list(leaves(n))
    frontier, store = build(n)

    root = root_from_frontier(frontier)
    assert root == ref_mth(d)
    assert [store[node] for node in frontier_ids(n)] == frontier
    assert set(store) == perfect_subtrees(n)
    assert len(store) == 2 * n - n.bit_count() < max(2 * n, 1)

    for i in sample_indices(n, rng, 6):
        plan = inclusion_proof_ids(i, n)
        assert all(complete_in(node, n) for node in all_ids(plan))
        proof = assemble_proof(plan, store)
        assert proof == ref_path(i, d)
        assert verify_inclusion(leaf_hash(d[i]), i, n, proof, root)

    for size1 in sample_indices(n + 1, rng, 6):
        plan = consistency_proof_ids(size1, n)
        assert all(complete_in(node, n) for node in all_ids(plan))
        proof = assemble_proof(plan, store)
        expected = [] if size1 in (0, n) else ref_proof(size1, d)
        assert proof == expected
        assert verify_consistency(size1, n, ref_mth(d[:size1]), root, proof)


# --------------------------------------------------------------------------------------------
# Property tests on larger trees
# --------------------------------------------------------------------------------------------

sizes = st.integers(min_value=1, max_value=MAX_RANDOM)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_inclusion_proofs_large(draw: st.DataObject) -> None:
    n = draw.draw(sizes, label="size")
    i = draw.draw(st.integers(0, n - 1), label="index")
    d = list(leaves(n))
    root, leaf = ref_mth(d), leaf_hash(d[i])

    plan = inclusion_proof_ids(i, n)
    ids = all_ids(plan)
    assert all(complete_in(node, n) for node in ids)
    assert len(ids) <= 2 * n.bit_length()
    proof = assemble_proof(plan, big_store())
    assert proof == ref_path(i, d)
    assert verify_inclusion(leaf, i, n, proof, root)

    # Every single-bit corruption of the proof or root is caught.
    if proof:
        k = draw.draw(st.integers(0, len(proof) - 1), label="element")
        bit = draw.draw(st.integers(0, 255), label="bit")
        bad = [*proof[:k], flip_bit(proof[k], bit), *proof[k + 1 :]]
        assert not verify_inclusion(leaf, i, n, bad, root)
        assert not verify_inclusion(leaf, i, n, proof[:-1], root)
        assert not verify_inclusion(leaf, i, n, proof[1:], root)
    bit = draw.draw(st.integers(0, 255), label="root bit")
    assert not verify_inclusion(leaf, i, n, proof, flip_bit(root, bit))
    assert not verify_inclusion(flip_bit(leaf, bit), i, n, proof, root)
    assert not verify_inclusion(leaf, i, n, [*proof, root], root)
    assert not verify_inclusion(leaf, i, n, [root, *proof], root)

    # Wrong index: never accepted.
    j = draw.draw(st.integers(0, n + 1).filter(lambda j: j != i), label="wrong index")
    assert not verify_inclusion(leaf, j, n, proof, root)

    # Wrong size: accepted exactly when the proof has the same shape for that size (an
    # inclusion proof does not bind the size; the signed tree head binds size and root).
    n2 = draw.draw(st.integers(i + 1, 2 * MAX_RANDOM).filter(lambda m: m != n), label="size'")
    same_shape = ref_path_shape(i, n2) == ref_path_shape(i, n)
    assert verify_inclusion(leaf, i, n2, proof, root) == same_shape
    if n2 <= n:
        assert not verify_inclusion(leaf, i, n2, proof, ref_mth(d[:n2]))


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_consistency_proofs_large(draw: st.DataObject) -> None:
    n = draw.draw(sizes, label="size2")
    m = draw.draw(st.integers(1, n - 1) if n > 1 else st.just(1), label="size1")
    d = list(leaves(n))
    root1, root2 = ref_mth(d[:m]), ref_mth(d)

    plan = consistency_proof_ids(m, n)
    ids = all_ids(plan)
    assert all(complete_in(node, n) for node in ids)
    assert len(ids) <= 2 * n.bit_length()
    proof = assemble_proof(plan, big_store())
    assert proof == ([] if m == n else ref_proof(m, d))
    assert verify_consistency(m, n, root1, root2, proof)
    if m == n:
        return

    k = draw.draw(st.integers(0, len(proof) - 1), label="element")
    bit = draw.draw(st.integers(0, 255), label="bit")
    bad = [*proof[:k], flip_bit(proof[k], bit), *proof[k + 1 :]]
    assert not verify_consistency(m, n, root1, root2, bad)
    assert not verify_consistency(m, n, flip_bit(root1, bit), root2, proof)
    assert not verify_consistency(m, n, root1, flip_bit(root2, bit), proof)
    assert not verify_consistency(m, n, root2, root1, proof)
    assert not verify_consistency(m, n, root1, root2, proof[:-1])
    assert not verify_consistency(m, n, root1, root2, proof[1:])
    assert not verify_consistency(m, n, root1, root2, [*proof, root2])
    assert not verify_consistency(m, n, root1, root2, [proof[0], *proof])
    assert not verify_consistency(m, n, root1, root2, [])

    # Wrong sizes: accepted exactly when the verifier would follow the same shape.
    shape = ref_subproof_shape(m, n, True)
    m2 = draw.draw(st.integers(0, n + 2), label="size1'")
    n2 = draw.draw(st.integers(m, 2 * MAX_RANDOM), label="size2'")
    for s1, s2 in ((m2, n), (m, n2)):
        if (s1, s2) == (m, n):
            continue
        ok = 0 < s1 < s2 and ref_subproof_shape(s1, s2, True) == shape
        assert verify_consistency(s1, s2, root1, root2, proof) == ok


# --------------------------------------------------------------------------------------------
# Known answers: the Certificate Transparency test vectors (8 leaves).
# --------------------------------------------------------------------------------------------

CT_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
H_L1 = "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"
H_01 = "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"
H_23 = "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"
H_L4 = "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"
H_45 = "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"
H_67 = "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"
H_0_4 = "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"
H_4_8 = "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"
H_L0 = "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"

CT_INCLUSION = [  # (index, size, path)
    (0, 8, [H_L1, H_23, H_4_8]),
    (5, 8, [H_L4, H_67, H_0_4]),
    (2, 3, [H_01]),
    (1, 5, [H_L0, H_23, H_L4]),
]
CT_CONSISTENCY = [  # (size1, size2, proof)
    (1, 1, []),
    (1, 8, [H_L1, H_23, H_4_8]),
    (6, 8, [H_45, H_67, H_0_4]),
    (2, 5, [H_23, H_L4]),
]


def ct_store() -> tuple[list[bytes], dict[NodeId, bytes]]:
    frontier: list[bytes] = []
    store: dict[NodeId, bytes] = {}
    for i, raw in enumerate(CT_LEAVES):
        frontier, new_nodes = append_leaf(frontier, i, leaf_hash(raw))
        store.update(new_nodes)
    return frontier, store


def test_ct_roots() -> None:
    assert EMPTY_ROOT.hex() == CT_ROOTS[0] == root_from_frontier([]).hex()
    frontier: list[bytes] = []
    for n, raw in enumerate(CT_LEAVES):
        frontier, _ = append_leaf(frontier, n, leaf_hash(raw))
        assert root_from_frontier(frontier).hex() == CT_ROOTS[n + 1]
    for n in range(len(CT_ROOTS)):
        assert ref_mth(CT_LEAVES[:n]).hex() == CT_ROOTS[n]


def test_ct_hashes() -> None:
    assert leaf_hash(b"\x00").hex() == H_L1
    assert node_hash(leaf_hash(b""), leaf_hash(b"\x00")).hex() == H_01


@pytest.mark.parametrize(("index", "size", "path"), CT_INCLUSION)
def test_ct_inclusion(index: int, size: int, path: list[str]) -> None:
    _, store = ct_store()
    proof = assemble_proof(inclusion_proof_ids(index, size), store)
    assert [p.hex() for p in proof] == path
    assert ref_path(index, CT_LEAVES[:size]) == proof
    root = bytes.fromhex(CT_ROOTS[size])
    assert verify_inclusion(leaf_hash(CT_LEAVES[index]), index, size, proof, root)


@pytest.mark.parametrize(("size1", "size2", "path"), CT_CONSISTENCY)
def test_ct_consistency(size1: int, size2: int, path: list[str]) -> None:
    _, store = ct_store()
    proof = assemble_proof(consistency_proof_ids(size1, size2), store)
    assert [p.hex() for p in proof] == path
    root1, root2 = bytes.fromhex(CT_ROOTS[size1]), bytes.fromhex(CT_ROOTS[size2])
    assert verify_consistency(size1, size2, root1, root2, proof)


# --------------------------------------------------------------------------------------------
# API details and edge cases
# --------------------------------------------------------------------------------------------


def test_subtree_ids() -> None:
    assert subtree_ids(0, 0) == []
    assert subtree_ids(0, 13) == [(3, 0), (2, 2), (0, 12)]
    assert subtree_ids(4, 7) == [(1, 2), (0, 6)]
    assert subtree_ids(3, 9) == [(0, 3), (2, 1), (0, 8)]
    assert frontier_ids(0) == []
    assert frontier_ids(6) == [(2, 0), (1, 2)]
    with pytest.raises(ValueError):
        subtree_ids(5, 4)
    with pytest.raises(ValueError):
        frontier_ids(-1)


def test_append_leaf_does_not_mutate_and_checks_frontier() -> None:
    frontier, _ = build(3)
    before = list(frontier)
    new_frontier, new_nodes = append_leaf(frontier, 3, leaf_hash(b"x"))
    assert frontier == before
    assert [node for node, _ in new_nodes] == [(0, 3), (1, 1), (2, 0)]
    assert len(new_frontier) == 1
    with pytest.raises(ValueError, match="frontier"):
        append_leaf(frontier, 4, leaf_hash(b"x"))
    with pytest.raises(ValueError):
        append_leaf([], -1, leaf_hash(b"x"))


def test_planning_rejects_impossible_requests() -> None:
    with pytest.raises(ValueError, match="index"):
        inclusion_proof_ids(5, 5)
    with pytest.raises(ValueError):
        inclusion_proof_ids(0, 0)
    with pytest.raises(ValueError):
        inclusion_proof_ids(-1, 5)
    with pytest.raises(ValueError, match="size"):
        consistency_proof_ids(6, 5)
    with pytest.raises(ValueError):
        consistency_proof_ids(-1, 5)
    assert consistency_proof_ids(0, 5) == []
    assert consistency_proof_ids(5, 5) == []


def test_assemble_proof_reports_missing_nodes() -> None:
    with pytest.raises(KeyError):
        assemble_proof(inclusion_proof_ids(0, 2), {})


def test_verify_inclusion_edge_cases() -> None:
    leaf = leaf_hash(b"a")
    assert verify_inclusion(leaf, 0, 1, [], leaf)
    assert not verify_inclusion(leaf, 1, 1, [], leaf)
    assert not verify_inclusion(leaf, 0, 0, [], leaf)
    assert not verify_inclusion(leaf, -1, 1, [], leaf)
    assert not verify_inclusion(leaf, 0, 1, [leaf], leaf)
    assert not verify_inclusion(leaf[:31], 0, 1, [], leaf[:31])
    assert not verify_inclusion(leaf + b"\x00", 0, 1, [], leaf + b"\x00")
    _, store = build(4)
    proof = assemble_proof(inclusion_proof_ids(1, 4), store)
    root = ref_mth(list(leaves(4)))
    assert verify_inclusion(leaf_hash(data(1)), 1, 4, proof, root)
    assert not verify_inclusion(leaf_hash(data(1)), 1, 4, [proof[0], proof[1][:31]], root)
    assert not verify_inclusion(leaf_hash(data(1)), 1, 4, [proof[0], b""], root)
    assert not verify_inclusion(leaf_hash(data(1)), 1, 4, [proof[0], "x" * 32], root)  # type: ignore[list-item]
    assert not verify_inclusion(leaf_hash(data(1)), 1, 4, None, root)  # type: ignore[arg-type]


def test_verify_consistency_edge_cases() -> None:
    r1, r2 = ref_mth(list(leaves(1))), ref_mth(list(leaves(2)))
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert verify_consistency(0, 2, EMPTY_ROOT, r2, [])
    assert not verify_consistency(0, 2, EMPTY_ROOT, r2, [r1])
    assert not verify_consistency(0, 2, r1, r2, [])  # a size-0 head must have the empty root
    assert verify_consistency(1, 1, r1, r1, [])
    assert not verify_consistency(1, 1, r1, r2, [])
    assert not verify_consistency(1, 1, r1, r1, [r1])
    assert not verify_consistency(2, 1, r2, r1, [])
    assert not verify_consistency(-1, 1, r1, r1, [])
    assert not verify_consistency(1, 2, r1, r2, [])
    proof = [leaf_hash(data(1))]
    assert verify_consistency(1, 2, r1, r2, proof)
    assert not verify_consistency(1, 2, r1[:31], r2, proof)
    assert not verify_consistency(1, 2, r1, r2, [proof[0][:31]])
    assert not verify_consistency(1, 2, r1, r2, None)  # type: ignore[arg-type]
