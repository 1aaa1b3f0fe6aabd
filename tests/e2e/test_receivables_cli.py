"""`puhui receivable ...` end to end on the demo, in subprocesses, on both stores: the views
of Cai Shirong's chain after maturity (and of the second receivable the demo leaves open for
the console) and one-line errors that change nothing."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.test_cli import env, run

__all__ = ["env"]


def test_receivables_on_the_command_line(env: dict[str, str], tmp_path: Path) -> None:
    run(env, "db", "upgrade")
    run(env, "demo", "--directory", str(tmp_path / "demo"))
    keys = tmp_path / "demo" / "keys"
    traced = json.loads(run(env, "receivable", "trace", "rcv-bakery-0001.cai.parts").stdout)
    assert traced["holders"] == ["oven-maker", "cai-shirong", "parts-maker"]
    assert traced["receivable"]["status"] == "settled"
    shown = json.loads(run(env, "receivable", "show", "rcv-bakery-0001").stdout)
    assert [g["status"] for g in shown["guarantees"]] == ["released"]
    book = json.loads(run(env, "receivable", "portfolio", "coop-bank").stdout)
    assert [(f["financing_id"], f["status"]) for f in book["financings"]] == [
        ("fin-cai-0001", "settled"),
        ("fin-oven-0002", "requested"),  # the open receivable's piece, left for the console
    ]
    payables = json.loads(run(env, "receivable", "payables", "bakery-core").stdout)
    assert [r["receivable_id"] for r in payables["receivables"]] == ["rcv-bakery-0002"]
    assert payables["total_outstanding"] == 60_000_000
    graph = json.loads(run(env, "receivable", "graph", "rcv-bakery-0001").stdout)
    assert {n["status"] for n in graph["nodes"]} == {"split", "paid"}

    maker = ["--as", "oven-maker", "--key", str(keys / "oven-maker.key")]
    paid = run(
        env,
        "receivable",
        "transfer",
        "rcv-bakery-0001.oven",
        "--part",
        "x-1:cai-shirong:1:ct-ctrl-2026",
        "--keep",
        "x-2",
        *maker,
        ok=False,
    )
    assert paid.returncode == 1 and paid.stderr.count("\n") == 1
    assert "rcv-bakery-0001.oven is paid" in paid.stderr
    core = ["--as", "bakery-core", "--key", str(keys / "bakery-core.key")]
    again = run(
        env,
        "receivable",
        "issue",
        "rcv-bakery-0003",
        "--supplier",
        "oven-maker",
        "--amount",
        "100",
        "--contract",
        "ct-oven-2026",
        "--delivery",
        "dn-oven-0001",
        "--invoice",
        "inv-oven-0001",
        *core,
        ok=False,
    )
    assert again.returncode == 1 and "already encumbered" in again.stderr
    for missing in (("show", "rcv-bakery-0003"), ("trace", "x-1")):
        refused = run(env, "receivable", *missing, ok=False)
        assert refused.returncode == 1 and "No such" in refused.stderr
