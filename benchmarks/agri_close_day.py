"""Benchmark of the flocks' close of day: every active flock compared with its template.

On SQLite (a file, WAL), N flocks (10,000; ``--quick``: 1,000) of 100 farms are placed through
the real commands (device registrations and ``agri.start_cycle``, group-commit batches,
untimed). For the day measured each flock's two devices produce ``READINGS_PER_FLOCK`` raw
readings (1,000,000 for 10,000 flocks): they are summarised per device (timed: ``summarise``),
recorded with ``agri.record_readings`` in commands of 1,000 rows (timed), then
``clock.close_day`` runs (timed: the figure). 5% of the flocks weigh 15% under the curve
(warnings) and 1% lose 6% of their birds (critical alerts, frozen).

Figures: ``flocks_per_s_close_day`` and ``close_day_s`` (the kernel's work included:
signature, handlers of every context, event JSON, Merkle append, appliers), beside the
reference ``raw_inserts_per_s`` (executemany of flock-sized rows into a scratch table of the
same database, same run) and their ratio; ``readings_per_s_summarise`` and
``readings_per_s_record``. Target: the close under 60 s for 10,000 flocks.

    .venv/bin/python benchmarks/agri_close_day.py --quick
    .venv/bin/python benchmarks/agri_close_day.py

The LAST stdout line is one JSON object of every figure, with its unit in its key name.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, insert

from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.config import Settings
from puhui.finance.agri import views
from puhui.finance.agri.model import shipped_templates
from puhui.finance.agri.readings import DEATHS, FEED, TEMP, WEIGHT, summarise
from puhui.kernel import signing
from puhui.kernel.commands import SignedCommand
from puhui.kernel.errors import PuhuiError
from puhui.kernel.store import make_engine
from puhui.kernel.store.migrate import upgrade

START = date(2026, 3, 2)
FARMS = 100
BATCH_COMMANDS = 2_000
READINGS_PER_FLOCK = 100
ROWS_PER_COMMAND = 1_000
ANIMALS = 10_000


def say(line: str) -> None:
    print(line, flush=True)


def progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run(platform: Platform, commands: Sequence[SignedCommand]) -> None:
    for start in range(0, len(commands), BATCH_COMMANDS):
        results, _ = platform.kernel.submit_many(commands[start : start + BATCH_COMMANDS])
        refused = [r for r in results if isinstance(r, PuhuiError)]
        if refused:
            raise RuntimeError(f"{len(refused)} refused, first: {refused[0]!r}")


def set_up(platform: Platform, flocks: int) -> tuple[Identity, list[Identity]]:
    op = Identity("operator", signing.generate())
    genesis = {"party_id": "operator", "name": "Op", "public_key": op.public_key_b64}
    platform.kernel.submit(op.sign("party.genesis", genesis, START))
    farms = [Identity(f"farm-{i:03d}", signing.generate()) for i in range(FARMS)]
    cmds = [
        op.sign(
            "party.register",
            {
                "party_id": f.party_id,
                "name": f.party_id,
                "kind": "person",
                "roles": ["farmer"],
                "public_key": f.public_key_b64,
            },
            START,
        )
        for f in farms
    ]
    template = shipped_templates()[0]
    cmds.append(op.sign("agri.register_template", {"template": template.to_json()}, START))
    run(platform, cmds)
    devices, starts = [], []
    for n in range(flocks):
        farm = farms[n % FARMS]
        ids = [f"dev-{n:06d}-a", f"dev-{n:06d}-b"]
        devices += [
            farm.sign("iot.register_device", {"device_id": d, "name": d}, START) for d in ids
        ]
        payload = {
            "flock_id": f"flock-{n:06d}",
            "animals": ANIMALS,
            "devices": ids,
            "template_id": template.template_id,
        }
        starts.append(farm.sign("agri.start_cycle", payload, START))
    run(platform, devices)
    run(platform, starts)
    platform.kernel.submit(op.sign("clock.close_day", {"date": START.isoformat()}, START))
    return op, farms


def raw_readings(n: int, expected_g: int) -> tuple[list[Any], list[Any]]:
    """A flock's day: 60 weighings and 24 hourly death counts on the scale, 16 climate
    readings (temperature and feed) on the other device."""
    factor = 85 if n % 20 == 0 else 100
    deaths = 600 if n % 100 == 1 else 8
    base = 86_400_000
    scale = [
        [base + i * 60_000, WEIGHT, expected_g * factor // 100 + (i * 37) % 81 - 40]
        for i in range(60)
    ]
    scale += [[base + h * 3_600_000, DEATHS, deaths if h == 7 else 0] for h in range(24)]
    climate = [[base + h * 5_400_000, TEMP, 31_000 + (h % 4) * 300] for h in range(8)]
    climate += [[base + h * 5_400_000, FEED, 20_000] for h in range(8)]
    return scale, climate


def measure(flocks: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = make_engine(url)
        upgrade(engine)
        settings = Settings(
            database_url=url,
            log_key_file=Path(tmp) / "log.key",
            custody_master_key_file=Path(tmp) / "c.key",
        )
        platform = Platform.from_settings(settings, engine=engine)
        t0 = time.perf_counter()
        op, farms = set_up(platform, flocks)
        progress(f"set-up of {flocks:,} flocks: {time.perf_counter() - t0:.1f} s")
        day = START + timedelta(days=1)
        expected = shipped_templates()[0].weight_g_at(1)

        t0 = time.perf_counter()
        rows_by_farm: dict[int, list[dict[str, Any]]] = {}
        readings = 0
        for n in range(flocks):
            scale, climate = raw_readings(n, expected)
            readings += len(scale) + len(climate)
            flock = f"flock-{n:06d}"
            rows_by_farm.setdefault(n % FARMS, []).extend(
                [
                    summarise(flock, f"dev-{n:06d}-a", scale),
                    summarise(flock, f"dev-{n:06d}-b", climate),
                ]
            )
        summarise_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        cmds = []
        for i, rows in rows_by_farm.items():
            for start in range(0, len(rows), ROWS_PER_COMMAND):
                chunk = rows[start : start + ROWS_PER_COMMAND]
                cmds.append(
                    farms[i].sign(
                        "agri.record_readings", {"day": day.isoformat(), "rows": chunk}, day
                    )
                )
        run(platform, cmds)
        record_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        receipt = platform.kernel.submit(op.sign("clock.close_day", {"date": day.isoformat()}, day))
        close_s = time.perf_counter() - t0
        with engine.connect() as conn:
            frozen = sum(1 for f in views.list_flocks(conn, limit=500) if f["frozen"])
        alerts = sum(
            len(e.data["alerts"]) for e in receipt.events if e.type == "agri.flocks_monitored"
        )
        progress(f"alerts raised: {alerts:,}; frozen among the first 500 flocks: {frozen}")

        scratch = Table(
            "bench_scratch",
            MetaData(),
            Column("flock_id", String(64), primary_key=True),
            Column("alert_levels", String(200)),
            Column("deaths", Integer),
            Column("seq", BigInteger),
        )
        scratch.create(engine)
        t0 = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(
                insert(scratch),
                [
                    {"flock_id": f"f{n}", "alert_levels": "{}", "deaths": n, "seq": n}
                    for n in range(flocks)
                ],
            )
        raw_s = time.perf_counter() - t0
        engine.dispose()
    return {
        "flocks": flocks,
        "readings": readings,
        "alerts": alerts,
        "close_day_s": round(close_s, 3),
        "flocks_per_s_close_day": round(flocks / close_s, 1),
        "raw_inserts_per_s": round(flocks / raw_s, 1),
        "close_day_over_raw_inserts_ratio": round((flocks / close_s) / (flocks / raw_s), 4),
        "readings_per_s_summarise": round(readings / summarise_s, 1),
        "readings_per_s_record": round(readings / record_s, 1),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 flocks (a few seconds)")
    args = parser.parse_args(argv)
    flocks = 1_000 if args.quick else 10_000
    f = measure(flocks)
    say(f"flocks: {f['flocks']:,}, readings: {f['readings']:,}, alerts raised: {f['alerts']:,}")
    say(
        f"close of day: {f['close_day_s']} s = {f['flocks_per_s_close_day']:,} flocks/s "
        f"(reference: raw inserts {f['raw_inserts_per_s']:,} rows/s; "
        f"ratio {f['close_day_over_raw_inserts_ratio']})"
    )
    say(
        f"readings: summarised {f['readings_per_s_summarise']:,}/s, "
        f"recorded {f['readings_per_s_record']:,}/s"
    )
    say(json.dumps({k: v for k, v in f.items()}))


if __name__ == "__main__":
    main()
