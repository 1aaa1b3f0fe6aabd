"""Export, offline verify and replay: any tampering is caught and named."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from sqlalchemy import update

from puhui.bootstrap import Platform, build_registry
from puhui.client import Identity
from puhui.kernel import checkpoints as cps
from puhui.kernel import signing
from puhui.kernel.export import export
from puhui.kernel.note import CosignatureSigner
from puhui.kernel.replay import ReplayDivergence, replay_in_place
from puhui.kernel.service import utc_now
from puhui.kernel.store.engine import begin_write
from puhui.kernel.store.tables import log_entries
from puhui.kernel.verify import VerifyFailure, verify_export
from puhui.kernel.witness import Witness
from puhui.parties import views
from puhui.parties.tables import parties
from tests.conftest import START, register


def _story(platform: Platform, operator: Identity, tmp: Path) -> None:
    farmer = register(platform, operator, "farmer-li", ["farmer"])
    witness = register(platform, operator, "bank-witness", ["witness"])
    with begin_write(platform.engine) as conn:
        cps.publish(conn, platform.log_signer, utc_now())
    platform.kernel.submit(
        farmer.sign(
            "party.rotate_key",
            {
                "party_id": "farmer-li",
                "new_public_key": signing.b64encode(signing.public_bytes(signing.generate())),
            },
            START,
        )
    )
    platform.kernel.submit(operator.sign("clock.close_day", {"date": START.isoformat()}, START))
    wit = Witness(
        "bank-witness",
        CosignatureSigner("bank-witness", witness.key),
        platform.log_signer.verifier_key(),
        tmp / "witness.json",
    )
    with begin_write(platform.engine) as conn:
        checkpoint = cps.publish(conn, platform.log_signer, utc_now())
        sig = wit.cosign(checkpoint.note, [], int(time.time()))
        cps.add_cosignature(conn, checkpoint.size, sig.line(), views.witness_keys(conn))


def _verify(platform: Platform, directory: Path) -> str:
    summary = verify_export(
        directory,
        platform.log_signer.verifier_key(),
        build_registry(),
        lambda conn: views.witness_keys(conn, active_only=False),
    )
    return summary.line()


@pytest.fixture
def exported(platform: Platform, operator: Identity, tmp_path: Path) -> Path:
    _story(platform, operator, tmp_path)
    out = tmp_path / "export"
    export(platform.engine, platform.log_signer, out, utc_now())
    return out


def test_export_verifies_and_replay_reaches_the_same_digest(
    platform: Platform, exported: Path
) -> None:
    line = _verify(platform, exported)
    assert line.startswith("OK puhui.local/log: 5 entries, 2 checkpoints, 1 witness cosignatures")
    digest = line.rsplit(" ", 1)[1]
    assert replay_in_place(platform.engine, platform.registry).state_digest == digest


def _rewrite_entry(directory: Path, seq: int, change: callable) -> None:  # type: ignore[valid-type]
    path = directory / "entries" / "00000000.jsonl"
    lines = path.read_bytes().splitlines()
    entry = json.loads(lines[seq])
    change(entry)
    from puhui.kernel.canonical import canonical_json

    lines[seq] = canonical_json(entry)
    path.write_bytes(b"\n".join(lines) + b"\n")


def test_altered_entry_is_named(platform: Platform, exported: Path) -> None:
    _rewrite_entry(exported, 3, lambda e: e.__setitem__("accepted_at", "2020-01-01T00:00:00Z"))
    with pytest.raises(VerifyFailure, match=r"^entry 3: altered"):
        _verify(platform, exported)


def test_altered_entry_and_leaf_hashes_break_the_root(platform: Platform, exported: Path) -> None:
    _rewrite_entry(exported, 1, lambda e: e["command"]["payload"].__setitem__("name", "Evil"))
    from puhui.kernel.merkle import leaf_hash

    bodies = (exported / "entries" / "00000000.jsonl").read_bytes().splitlines()
    (exported / "leaves.bin").write_bytes(b"".join(leaf_hash(b) for b in bodies))
    with pytest.raises(VerifyFailure, match="checkpoint at size 3: root does not match"):
        _verify(platform, exported)


def test_forged_signature_is_named(platform: Platform, exported: Path) -> None:
    def flip(entry: dict[str, str]) -> None:
        raw = bytearray(signing.b64decode(entry["signature"]))
        raw[0] ^= 1
        entry["signature"] = signing.b64encode(bytes(raw))

    _rewrite_entry(exported, 2, flip)
    from puhui.kernel.merkle import leaf_hash

    bodies = (exported / "entries" / "00000000.jsonl").read_bytes().splitlines()
    (exported / "leaves.bin").write_bytes(b"".join(leaf_hash(b) for b in bodies))
    with pytest.raises(VerifyFailure, match="checkpoint at size 3"):
        _verify(platform, exported)


@pytest.mark.parametrize("what", ["checkpoint", "cosignature", "state"])
def test_tampered_notes_fail(platform: Platform, exported: Path, what: str) -> None:
    if what == "state":
        path = exported / "state.note"
        text = path.read_text()
        digest = text.split("\n")[3]
        path.write_text(text.replace(digest, "0" * 64))
        expected = "state.note: not signed"
    else:
        path = exported / "checkpoints.jsonl"
        lines = path.read_text().splitlines()
        record = json.loads(lines[-1])
        note_lines = record["note"].split("\n")
        if what == "checkpoint":
            note_lines[1] = str(int(note_lines[1]) + 1)
            expected = "not a checkpoint signed by the log key"
        else:
            sig = note_lines[-2]
            note_lines[-2] = sig[:-6] + ("A" if sig[-6] != "A" else "B") + sig[-5:]
            expected = "cosignature by 'bank-witness' does not verify"
        record["note"] = "\n".join(note_lines)
        lines[-1] = json.dumps(record)
        path.write_text("\n".join(lines) + "\n")
    with pytest.raises(VerifyFailure, match=expected):
        _verify(platform, exported)


def test_replay_restores_a_tampered_projection(
    platform: Platform, operator: Identity, tmp_path: Path
) -> None:
    _story(platform, operator, tmp_path)
    good = replay_in_place(platform.engine, platform.registry).state_digest
    with platform.engine.begin() as conn:
        conn.execute(update(parties).where(parties.c.party_id == "farmer-li").values(name="X"))
    assert replay_in_place(platform.engine, platform.registry).state_digest == good


def test_replay_refuses_a_tampered_log(
    platform: Platform, operator: Identity, tmp_path: Path
) -> None:
    _story(platform, operator, tmp_path)
    with platform.engine.begin() as conn:
        body = conn.execute(log_entries.select().where(log_entries.c.seq == 1)).first().body
        conn.execute(
            update(log_entries)
            .where(log_entries.c.seq == 1)
            .values(body=body.replace(b"Farmer-Li", b"Farmer-Xx"))
        )
    with pytest.raises(ReplayDivergence, match="entry 1"):
        replay_in_place(platform.engine, platform.registry)
