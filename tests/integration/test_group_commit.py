"""Group commit: many concurrent submitters share transactions and each gets its own answer."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.kernel import signing
from puhui.kernel.digest import state_digest
from puhui.kernel.errors import PuhuiError
from puhui.kernel.log import tree_head
from puhui.kernel.replay import replay_in_place
from puhui.kernel.writer import GroupCommitter
from tests.conftest import START

SUBMITTERS = 16
COMMANDS = 300


def test_concurrent_submitters_share_batches(platform: Platform, operator: Identity) -> None:
    signed = []
    for i in range(COMMANDS):
        ident = Identity(f"farmer-{i}", signing.generate())
        payload = {
            "party_id": f"farmer-{i}",
            "name": "F",
            "kind": "person",
            "roles": ["farmer"],
            "public_key": ident.public_key_b64,
        }
        signed.append(operator.sign("party.register", payload, START, f"reg-{i}"))
    duplicate = operator.sign("party.register", {**signed[0].command.payload}, START, "other")
    committer = GroupCommitter(platform.kernel)

    def send(item: object) -> object:
        try:
            return committer.submit(item)  # type: ignore[arg-type]
        except PuhuiError as exc:
            return exc

    try:
        with ThreadPoolExecutor(SUBMITTERS) as pool:
            results = list(pool.map(send, [*signed, signed[5], duplicate]))
    finally:
        committer.close()
    receipts = results[:COMMANDS]
    assert sorted(r.seq for r in receipts) == list(range(1, COMMANDS + 1))  # type: ignore[union-attr]
    assert results[COMMANDS].seq == receipts[5].seq  # type: ignore[union-attr]
    assert type(results[COMMANDS + 1]).__name__ == "PartyExists"
    assert committer.batches < COMMANDS  # transactions were shared
    with platform.engine.connect() as conn:
        assert tree_head(conn).size == COMMANDS + 1
        digest = state_digest(conn)
    assert replay_in_place(platform.engine, platform.registry).state_digest == digest


def test_a_failed_transaction_fails_every_waiting_command(
    platform: Platform, operator: Identity, monkeypatch: pytest.MonkeyPatch
) -> None:
    committer = GroupCommitter(platform.kernel)

    def broken(_items: object) -> object:
        raise RuntimeError("database went away")

    monkeypatch.setattr(platform.kernel, "submit_many", broken)
    try:
        with pytest.raises(RuntimeError, match="went away"):
            committer.submit(operator.sign("clock.close_day", {"date": "2026-03-02"}, START))
    finally:
        committer.close()
