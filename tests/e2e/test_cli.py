"""The `puhui` command line end to end, in subprocesses, on both stores: the demo, export,
offline verify (and its failure on tampering), replay, one-line errors, and a witness
cosigning through a served API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import POSTGRES_URL, _postgres_schema, free_port

PUHUI = [sys.executable, "-m", "puhui.cli"]
SERVER_START_S_MAX = 30


@pytest.fixture
def env(backend: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    base = os.environ | {
        "PUHUI_LOG_KEY_FILE": str(tmp_path / "log.key"),
        "PUHUI_CUSTODY_MASTER_KEY_FILE": str(tmp_path / "custody.key"),
    }
    if backend == "sqlite":
        yield base | {"PUHUI_DATABASE_URL": f"sqlite:///{tmp_path / 'puhui.db'}"}
        return
    for schema in _postgres_schema():
        yield base | {"PUHUI_DATABASE_URL": f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"}


def run(env: dict[str, str], *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [*PUHUI, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if ok:
        assert result.returncode == 0, result.stderr
    return result


def test_demo_export_verify_replay(env: dict[str, str], tmp_path: Path) -> None:
    run(env, "db", "upgrade")
    demo = run(env, "demo", "--directory", str(tmp_path / "demo"))
    assert "demo loaded: 265 entries" in demo.stdout
    assert "agri: trial balance zero: True" in demo.stdout
    assert "stage 6 refused: flock-frozen" in demo.stdout
    assert "to city-bank first (the settlement quote was 28150164)" in demo.stdout
    assert "explain dec-coop-0001: reproduced bit for bit = True" in demo.stdout
    assert "city-bank refused: feed-supplier has granted city-bank no consent" in demo.stdout
    # six declared batches and the monitored flock sold in the agri story, as of the decision
    assert (
        "farm_cycles_completed_36m 7, farm_cycles_failed_36m 0, farm_cycles_monitored_36m 1"
        in demo.stdout
    )
    assert "already loaded" in run(env, "demo", "--directory", str(tmp_path / "demo")).stdout
    interest = json.loads(run(env, "agri", "interest", "broiler-ross308-42d").stdout)
    assert interest["interest_per_animal"]["staged_interest_fen_per_animal"] == "5.20"
    alerts = run(env, "agri", "alerts", "--flock", "flock-li-1").stdout
    assert "warning" in alerts and "critical" in alerts and "reviewed" in alerts
    missing = run(env, "agri", "flock", "no-such-flock", ok=False)
    assert missing.returncode == 1 and "no flock 'no-such-flock'" in missing.stderr
    log_key = run(env, "log", "key").stdout.strip()
    run(env, "export", str(tmp_path / "export"))
    verified = run(env, "verify", str(tmp_path / "export"), "--log-key", log_key)
    assert verified.stdout.startswith("OK puhui.local/log: 265 entries")
    digest = verified.stdout.split()[-1]
    assert run(env, "replay").stdout.split()[-1] == digest
    explained = run(env, "credit", "explain", "dec-coop-0001")  # after replay: inputs off-log
    assert "REPRODUCED bit for bit" in explained.stdout and "reason: " in explained.stdout
    farm = run(env, "credit", "explain", "dec-coop-li-0001").stdout  # from its production record
    assert "REPRODUCED bit for bit" in farm and "farm_mortality_vs_template_bp" in farm
    missing = run(env, "credit", "explain", "dec-none", ok=False)
    assert missing.returncode == 1 and "No such credit decision" in missing.stderr

    entries = tmp_path / "export" / "entries" / "00000000.jsonl"
    lines = entries.read_text(encoding="utf-8").splitlines()
    lines[7] = lines[7].replace('"accepted_at":"', '"accepted_at":"1')
    entries.write_text("\n".join(lines) + "\n", encoding="utf-8")
    failed = run(env, "verify", str(tmp_path / "export"), "--log-key", log_key, ok=False)
    assert failed.returncode == 1
    assert "entry 7: altered" in failed.stderr and "Traceback" not in failed.stderr


def test_errors_are_one_line(env: dict[str, str], tmp_path: Path) -> None:
    run(env, "db", "upgrade")
    run(env, "demo", "--directory", str(tmp_path / "demo"))
    key = str(tmp_path / "demo" / "keys" / "operator.key")
    bad = run(
        env,
        "party",
        "register",
        "--id",
        "coop2",
        "--name",
        "Coop",
        "--role",
        "bank",
        "--uscc",
        "91350100M000100Y44",
        "--public-key",
        "A" * 43 + "=",
        "--as",
        "operator",
        "--key",
        key,
        ok=False,
    )
    assert bad.returncode == 1
    assert bad.stderr.count("\n") == 1 and "USCC" in bad.stderr and "Traceback" not in bad.stderr
    command = tmp_path / "cmd.json"
    command.write_text(json.dumps({"type": "clock.close_day", "payload": {"date": "1999-01-01"}}))
    refused = run(env, "submit", str(command), "--as", "operator", "--key", key, ok=False)
    assert refused.returncode == 1 and "cannot close 1999-01-01" in refused.stderr
    not_utf8 = run(env, "accounts", "show", os.fsdecode(b"farmer-li:\xff"), ok=False)
    assert not_utf8.returncode == 1
    assert not_utf8.stderr == "error: an argument or a file holds bytes that are not UTF-8 text\n"


def test_a_database_without_schema_or_server_is_one_line(
    env: dict[str, str], backend: str, tmp_path: Path
) -> None:
    def refused(environment: dict[str, str], *args: str) -> str:
        done = run(environment, *args, ok=False)
        assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
        assert done.stderr.startswith("error: The database is not available: ")
        return done.stderr

    assert "run `puhui db upgrade`" in refused(env, "accounts", "show", "farmer-li:cash:cny")
    port = free_port()
    unreachable = {
        "sqlite": f"sqlite:///{tmp_path}",  # a directory: SQLite cannot open it
        "postgresql": f"postgresql+psycopg://postgres@127.0.0.1:{port}/test",
    }[backend]
    gone = env | {"PUHUI_DATABASE_URL": unreachable}
    for args in (("db", "upgrade"), ("accounts", "show", "farmer-li:cash:cny")):
        assert ("unable to open" if backend == "sqlite" else "refused") in refused(gone, *args)


@pytest.fixture
def server(env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    run(env, "db", "upgrade")
    run(env, "demo", "--directory", str(tmp_path / "demo"))
    port = free_port()
    proc = subprocess.Popen(
        [*PUHUI, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_S_MAX
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/v1/clock").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_witness_and_sdk_against_a_served_platform(
    env: dict[str, str], server: str, tmp_path: Path
) -> None:
    from puhui.client import Client, Identity

    keys = tmp_path / "demo" / "keys"
    tokens = json.loads((tmp_path / "demo" / "tokens.json").read_text())
    operator = Identity.from_key_file("operator", keys / "operator.key")
    with Client(server, operator, token=tokens["operator"]) as api:
        receipt = api.submit("clock.close_day", {"date": api.business_date().isoformat()})
        assert receipt["events"][-1]["type"] == "clock.day_closed"
        assert api.entry(receipt["seq"])["entry"]["command"]["type"] == "clock.close_day"
    log_key = run(env, "log", "key").stdout.strip()
    state = tmp_path / "demo" / "keys" / "bank-witness.state.json"
    cosigned = run(
        env,
        "witness",
        "--name",
        "bank-witness",
        "--key",
        str(keys / "bank-witness.key"),
        "--log-key",
        log_key,
        "--state",
        str(state),
        "--url",
        server,
    )
    assert "cosigned size 266 as bank-witness" in cosigned.stdout
    checkpoint = httpx.get(f"{server}/api/v1/log/checkpoint").json()
    assert checkpoint["size"] == 266 and checkpoint["cosigners"] == ["bank-witness"]
    page = httpx.get(server + "/")
    assert page.status_code == 200 and "普惠" in page.text
