"""Property: whatever splits are tried — any piece, any amounts (too much, down to 1 fen), any
recipient (with or without a contract) — a split is accepted exactly when a simple model says
so, a refused one changes nothing, the held pieces always sum to the original, and every held
piece traces to the root through its parents."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from puhui.client import Identity
from puhui.finance.receivables import views
from puhui.kernel import signing
from puhui.kernel.errors import PuhuiError
from tests.conftest import START
from tests.integration.test_replay_property import fresh_platform
from tests.receivables_support import FACE, Chain, issue_payload, make_chain

SUPPLIERS = {"maker": "cai", "cai": "parts"}
"""Who has a confirmed supply contract with whom (holder → its supplier)."""
RECIPIENTS = ["cai", "parts", "maker", "guarantor"]

split_attempt = st.tuples(
    st.integers(0, 10_000),  # which held piece
    st.lists(
        st.tuples(st.sampled_from(RECIPIENTS), st.integers(1, 2**40)),
        min_size=1,
        max_size=3,
    ),
    st.booleans(),  # amounts as tiny shares (mostly valid) or raw (often too much)
)


def _expected(chain: Chain, holder: str, amount: int, parts: list[tuple[str, int]]) -> bool:
    total = sum(a for _, a in parts)
    return total <= amount and all(SUPPLIERS.get(holder) == to for to, _ in parts)


def _check(chain: Chain, attempts: list[tuple[int, list[tuple[str, int]], bool]]) -> None:
    chain.submit("core", "receivable.issue", issue_payload())
    chain.submit("maker", "receivable.accept", {"receivable_id": "rcv-1"})
    for n, (pick, raw_parts, small) in enumerate(attempts):
        with chain.platform.engine.connect() as conn:
            held = views.held_pieces(conn, "rcv-1")
        piece = held[pick % len(held)]
        parts = [(to, 1 + a % max(1, piece.amount // 4) if small else a) for to, a in raw_parts]
        keep = piece.amount - sum(a for _, a in parts)
        payload = {
            "piece_id": piece.piece_id,
            "parts": [
                {
                    "piece_id": f"n{n}-{i}",
                    "to": to,
                    "amount": a,
                    "contract_id": f"ct-{piece.holder}-{to}",
                }
                for i, (to, a) in enumerate(parts)
            ],
            "remainder_piece_id": f"n{n}-r" if keep > 0 else None,
        }
        before = chain.snapshot()
        try:
            chain.submit(piece.holder, "receivable.transfer", _contracts(payload))
            accepted = True
        except PuhuiError:
            accepted = False
            assert chain.snapshot() == before
        assert accepted == _expected(chain, piece.holder, piece.amount, parts)
        with chain.platform.engine.connect() as conn:
            now = views.held_pieces(conn, "rcv-1")
            assert sum(p.amount for p in now) == FACE
            for p in now:
                path = views.trace(conn, p.piece_id).path
                assert path[0].piece_id == "rcv-1" and path[-1].piece_id == p.piece_id
                assert all(c.parent_id == a.piece_id for a, c in itertools.pairwise(path))
                assert all(a.status == "split" for a in path[:-1])


CONTRACT_IDS = {("maker", "cai"): "ct-maker-cai", ("cai", "parts"): "ct-cai-parts"}


def _contracts(payload: dict[str, object]) -> dict[str, object]:
    """Name the registered contract where one exists (else an id that matches nothing)."""
    for part in payload["parts"]:  # type: ignore[attr-defined]
        holder, to = part["contract_id"][3:].split("-", 1)
        part["contract_id"] = CONTRACT_IDS.get((holder, to), "ct-none")
    return payload


def _run(backend: str, attempts: list[tuple[int, list[tuple[str, int]], bool]]) -> None:
    with tempfile.TemporaryDirectory() as name, fresh_platform(backend, Path(name)) as platform:
        operator = Identity("operator", signing.generate())
        genesis = {"party_id": "operator", "name": "Op", "public_key": operator.public_key_b64}
        platform.kernel.submit(operator.sign("party.genesis", genesis, START, "genesis"))
        _check(make_chain(platform, operator), attempts)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(split_attempt, min_size=1, max_size=8))
def test_splits_follow_the_model_sqlite(
    attempts: list[tuple[int, list[tuple[str, int]], bool]],
) -> None:
    _run("sqlite", attempts)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(split_attempt, min_size=1, max_size=8))
def test_splits_follow_the_model_postgresql(
    attempts: list[tuple[int, list[tuple[str, int]], bool]],
) -> None:
    _run("postgresql", attempts)
