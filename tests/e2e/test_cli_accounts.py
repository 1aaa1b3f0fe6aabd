"""`puhui accounts` and `puhui transfer` end to end on the demo, in subprocesses, on both
stores: transfers, two-phase post, statements, trial balance, trace, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.test_cli import env, run

__all__ = ["env"]


def test_ledger_on_the_command_line(env: dict[str, str], tmp_path: Path) -> None:
    run(env, "db", "upgrade")
    run(env, "demo", "--directory", str(tmp_path / "demo"))
    keys = tmp_path / "demo" / "keys"
    bank = ["--as", "coop-bank", "--key", str(keys / "coop-bank.key")]
    assert "CNY" in run(env, "accounts", "currencies").stdout
    li = json.loads(run(env, "accounts", "show", "farmer-li:cash:cny").stdout)["balance"]
    made = run(
        env,
        "transfer",
        "create",
        "--id",
        "cli-1",
        "--debit",
        "coop-bank:cash:cny",
        "--credit",
        "farmer-li:cash:cny",
        "--amount",
        "12345",
        "--reference",
        "loan:cli",
        *bank,
    )
    assert "accounts.transfers" in made.stdout
    shown = json.loads(run(env, "accounts", "show", "farmer-li:cash:cny").stdout)
    assert shown["balance"] == li + 12345  # li holds his flock's sale proceeds (agri story)
    before = json.loads(run(env, "accounts", "show", "feed-supplier:cash:cny").stdout)["balance"]
    feed = ["--debit", "coop-bank:cash:cny", "--credit", "feed-supplier:cash:cny"]
    bound = ["--reference", "loan:cli-feed", "--payee", "feed-supplier"]
    run(env, "transfer", "create", "--id", "cli-stage", *feed, "--amount", "4000000", *bound,
        "--pending", "--expires-on", "2026-05-20", *bank)  # fmt: skip
    post = run(
        env, "transfer", "post", "cli-stage", "--id", "cli-post", "--amount", "100000", *bank
    )
    assert "post" in post.stdout
    assert json.loads(run(env, "transfer", "show", "cli-stage").stdout)["status"] == "posted"
    lines = json.loads(run(env, "accounts", "statement", "feed-supplier:cash:cny", "--json").stdout)
    assert lines[-1]["transfer_id"] == "cli-post"
    assert lines[-1]["balance"] == before + 100_000
    wide = env | {"COLUMNS": "200"}  # 8-digit balances since the agri story: no wrapping
    table = run(wide, "accounts", "statement", "feed-supplier:cash:cny").stdout
    assert "cursor" in table and str(before + 100_000) in table.replace("\n", "")
    assert "yes" in run(env, "accounts", "trial-balance").stdout
    traced = json.loads(run(env, "accounts", "trace", "loan:cli-feed").stdout)
    assert traced["payees"][0]["received"] == 100_000
    broke = run(
        env,
        "transfer",
        "create",
        "--id",
        "cli-2",
        "--debit",
        "farmer-li:cash:cny",
        "--credit",
        "coop-bank:cash:cny",
        "--amount",
        "999999999",
        "--as",
        "farmer-li",
        "--key",
        str(keys / "farmer-li-2.key"),
        ok=False,
    )
    assert broke.returncode == 1 and broke.stderr.count("\n") == 1
    assert "Insufficient funds" in broke.stderr and "Traceback" not in broke.stderr
    unknown = run(env, "accounts", "show", "nope:cash:cny", ok=False)
    assert unknown.returncode == 1 and "No such account" in unknown.stderr
    log_key = run(env, "log", "key").stdout.strip()
    run(env, "export", str(tmp_path / "export"))
    verified = run(env, "verify", str(tmp_path / "export"), "--log-key", log_key).stdout
    assert verified.split()[-1] == run(env, "replay").stdout.split()[-1]
