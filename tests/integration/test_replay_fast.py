"""Replay of a log long enough to use every fast path: chunked signature checks in the worker
process, buffered projection rows, the state digest on the cursor. The result must equal the
live store's, and a forged signature must still be named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import update

from puhui.bootstrap import Platform, build_registry
from puhui.client import Identity
from puhui.kernel import signing, sigworker
from puhui.kernel.digest import state_digest
from puhui.kernel.export import export
from puhui.kernel.replay import ReplayDivergence, replay_in_place
from puhui.kernel.service import utc_now
from puhui.kernel.store.tables import log_entries
from puhui.kernel.verify import verify_export
from puhui.parties import views
from tests.conftest import START

ENTRIES = 400
"""More than the first chunks (64 + 128 entries): later chunks go to the worker."""
FORGED_SEQ = 300


def _register_many(platform: Platform, operator: Identity, count: int) -> None:
    commands = [
        operator.sign(
            "party.register",
            {
                "party_id": f"farmer-{i}",
                "name": f"Farmer {i}",
                "kind": "person",
                "roles": ["farmer"],
                "public_key": signing.b64encode(signing.public_bytes(signing.generate())),
            },
            START,
            f"reg-{i}",
        )
        for i in range(count)
    ]
    results, _head = platform.kernel.submit_many(commands)
    assert all(not isinstance(r, Exception) for r in results)


@pytest.fixture
def answered(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Sizes of the batches the worker process answered (the real worker, counted)."""
    sizes: list[int] = []
    receive = sigworker.SigWorker.receive

    def counting(self: sigworker.SigWorker) -> list[bool] | None:
        verdicts = receive(self)
        if verdicts is not None:
            sizes.append(len(verdicts))
        return verdicts

    monkeypatch.setattr(sigworker.SigWorker, "receive", counting)
    return sizes


def test_replay_and_verify_reach_the_live_digest(
    platform: Platform, operator: Identity, tmp_path: Path, answered: list[int]
) -> None:
    _register_many(platform, operator, ENTRIES)
    with platform.engine.connect() as conn:
        live = state_digest(conn)
    assert replay_in_place(platform.engine, platform.registry).state_digest == live
    export(platform.engine, platform.log_signer, tmp_path / "export", utc_now())
    summary = verify_export(
        tmp_path / "export",
        platform.log_signer.verifier_key(),
        build_registry(),
        lambda conn: views.witness_keys(conn, active_only=False),
    )
    assert summary.state_digest == live
    assert summary.size == ENTRIES + 1
    assert sum(answered) >= ENTRIES // 2  # most signatures were checked by the worker


def test_forged_signature_checked_by_the_worker_is_named(
    platform: Platform, operator: Identity, answered: list[int]
) -> None:
    _register_many(platform, operator, ENTRIES)
    with platform.engine.begin() as conn:
        row = conn.execute(log_entries.select().where(log_entries.c.seq == FORGED_SEQ)).first()
        assert row is not None
        entry = json.loads(row.body)
        raw = bytearray(signing.b64decode(entry["signature"]))
        raw[0] ^= 1
        entry["signature"] = signing.b64encode(bytes(raw))
        forged = json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()
        conn.execute(update(log_entries).where(log_entries.c.seq == FORGED_SEQ).values(body=forged))
    with pytest.raises(ReplayDivergence, match=f"entry {FORGED_SEQ}: .*signature does not verify"):
        replay_in_place(platform.engine, platform.registry)
    assert answered  # the chunk holding the forgery went through the worker
