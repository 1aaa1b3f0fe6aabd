"""Benchmark of IoT ingestion: readings posted in batches through the API, on SQLite.

Each batch is one ``document.register`` of kind ``iot_batch`` posted to ``POST
/api/v1/documents`` of the real app (in-process ASGI client, group-commit writer): the server
parses the JSON, validates every reading against the schema (window, order, integer values),
recomputes the commitment, checks the signed command, appends it to the log (``synchronous=FULL``
SQLite in a temp dir) and stores the bytes off-log. Client work — generating readings, salting,
signing, encoding the request — is done before the clock starts for each batch.

Measured:

* ``readings_per_s_sqlite``: readings ingested per second over the long stream;
* beside it, the reference ``reference_row_inserts_per_s_sqlite``: the same readings inserted
  as plain rows (``executemany`` into a 3-column table, one transaction per batch, same SQLite
  settings) in the same run — what storing readings "the obvious way" costs, with no
  validation, hashing, signing or log;
* peak RSS (``VmHWM``) of a short and a long stream, each in a fresh child process: memory
  stays flat however long the stream, since each batch is dropped once stored.

Run from the repository root:

    .venv/bin/python benchmarks/iot_ingest.py --quick     # a few seconds
    .venv/bin/python benchmarks/iot_ingest.py             # 20 vs 200 batches of 10,000

The LAST stdout line is one JSON object of every figure, with its unit in its key name.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from puhui.api.app import create_app
from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.client_documents import sign_registration
from puhui.config import Settings
from puhui.kernel import signing
from puhui.kernel.store import make_engine
from puhui.kernel.store.migrate import upgrade

DAY = date(2026, 3, 2)
SEED = 20260302
READINGS_PER_BATCH = 10_000
READING_INTERVAL_MS = 100
METRICS = ("temp_mc", "humidity_pm", "weight_g", "ammonia_ppb")
FULL_STREAMS = (20, 200)
QUICK_STREAMS = (5, 30)
REFERENCE_BATCHES = 10
KIB_PER_MIB = 1024


def say(line: str) -> None:
    print(line, flush=True)


def peak_rss_kib() -> int:
    """VmHWM: this process's own peak (ru_maxrss would include the parent's across exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def readings(batch: int, rng: random.Random) -> tuple[int, int, list[list[Any]]]:
    start = batch * READINGS_PER_BATCH * READING_INTERVAL_MS
    rows = [
        [start + i * READING_INTERVAL_MS, METRICS[i % 4], rng.randrange(-40_000, 2_000_000)]
        for i in range(READINGS_PER_BATCH)
    ]
    return start, start + READINGS_PER_BATCH * READING_INTERVAL_MS - 1, rows


def batches(farmer: Identity, count: int) -> Iterator[dict[str, Any]]:
    """Request bodies, generated lazily one at a time (a long stream never sits in memory)."""
    rng = random.Random(SEED)
    for n in range(count):
        start, end, rows = readings(n, rng)
        body = {
            "device_id": "barn-1",
            "window_start_ms": start,
            "window_end_ms": end,
            "readings": rows,
        }
        signed, package = sign_registration(farmer, f"barn-1:{n}", "iot_batch", body, DAY)
        yield {"command": signed.to_json(), "package": package.to_json()}


def fresh_platform(tmp: Path) -> tuple[Platform, Identity]:
    url = f"sqlite:///{tmp / 'iot.db'}"
    engine = make_engine(url)
    upgrade(engine)
    settings = Settings(
        database_url=url, log_key_file=tmp / "log.key", custody_master_key_file=tmp / "c.key"
    )
    platform = Platform.from_settings(settings, engine=engine)
    op = Identity("operator", signing.generate())
    farmer = Identity("farmer-li", signing.generate())
    kernel = platform.kernel
    kernel.submit(
        op.sign(
            "party.genesis",
            {"party_id": "operator", "name": "Op", "public_key": op.public_key_b64},
            DAY,
        )
    )
    register = {
        "party_id": "farmer-li",
        "name": "Li",
        "kind": "person",
        "roles": ["farmer"],
        "public_key": farmer.public_key_b64,
    }
    kernel.submit(op.sign("party.register", register, DAY))
    kernel.submit(
        farmer.sign("iot.register_device", {"device_id": "barn-1", "name": "Barn 1"}, DAY)
    )
    return platform, farmer


def stream(count: int) -> dict[str, Any]:
    """Post ``count`` batches through the API; time only the posts."""
    with tempfile.TemporaryDirectory(prefix="puhui-iot-") as tmp_name:
        platform, farmer = fresh_platform(Path(tmp_name))
        seconds = 0.0
        per_batch: list[float] = []
        with TestClient(create_app(platform)) as api:
            for request in batches(farmer, count):
                encoded = json.dumps(request).encode()
                start = time.perf_counter()
                response = api.post(
                    "/api/v1/documents",
                    content=encoded,
                    headers={"content-type": "application/json"},
                )
                elapsed = time.perf_counter() - start
                if response.status_code != 201:
                    raise RuntimeError(f"batch refused: {response.text[:300]}")
                seconds += elapsed
                per_batch.append(READINGS_PER_BATCH / elapsed)
        with platform.engine.connect() as conn:
            stored = conn.execute(text("select count(*) from document_contents")).scalar_one()
        platform.engine.dispose()
    if stored != count:
        raise RuntimeError(f"{stored} batches stored, expected {count}")
    return {
        "batches": count,
        "readings_per_s": count * READINGS_PER_BATCH / seconds,
        "readings_per_s_median_batch": statistics.median(per_batch),
        "peak_rss_kib": peak_rss_kib(),
    }


def reference_row_inserts_per_s() -> float:
    """The same readings as plain rows, one transaction per batch, same SQLite settings."""
    with tempfile.TemporaryDirectory(prefix="puhui-iot-ref-") as tmp_name:
        engine = make_engine(f"sqlite:///{Path(tmp_name) / 'ref.db'}")
        with engine.begin() as conn:
            conn.execute(text("create table readings (t_ms integer, metric text, value integer)"))
        rng = random.Random(SEED)
        seconds = 0.0
        for n in range(REFERENCE_BATCHES):
            rows = [{"t": t, "m": m, "v": v} for t, m, v in readings(n, rng)[2]]
            start = time.perf_counter()
            with engine.begin() as conn:
                conn.execute(text("insert into readings values (:t, :m, :v)"), rows)
            seconds += time.perf_counter() - start
        engine.dispose()
    return REFERENCE_BATCHES * READINGS_PER_BATCH / seconds


def child(count: int) -> dict[str, Any]:
    """Run one stream in a fresh process, so its peak RSS is its own."""
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(count)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"stream of {count} batches failed:\n{result.stderr[-2000:]}")
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="short streams: a few seconds")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(stream(args.child)), flush=True)
        return
    started = time.perf_counter()
    short_n, long_n = QUICK_STREAMS if args.quick else FULL_STREAMS
    reference = reference_row_inserts_per_s()
    short, long = child(short_n), child(long_n)
    rate = long["readings_per_s"]
    say(f"reference_row_inserts_per_s_sqlite  {reference:>12,.0f} /s   (plain executemany rows)")
    say(
        f"readings_per_s_sqlite               {rate:>12,.0f} /s   ratio {rate / reference:.2f}  "
        f"[{long_n} batches of {READINGS_PER_BATCH:,} through POST /api/v1/documents]"
    )
    short_mib, long_mib = short["peak_rss_kib"] / KIB_PER_MIB, long["peak_rss_kib"] / KIB_PER_MIB
    say(
        f"peak RSS: {short_n * READINGS_PER_BATCH:,} readings {short_mib:,.1f} MiB, "
        f"{long_n * READINGS_PER_BATCH:,} readings {long_mib:,.1f} MiB "
        f"(ratio {long_mib / short_mib:.2f})"
    )
    figures = {
        "readings_per_s_sqlite": round(rate, 1),
        "readings_per_s_sqlite_short_stream": round(short["readings_per_s"], 1),
        "readings_per_s_sqlite_median_batch": round(long["readings_per_s_median_batch"], 1),
        "reference_row_inserts_per_s_sqlite": round(reference, 1),
        "ratio_to_reference": round(rate / reference, 3),
        "readings_per_batch": READINGS_PER_BATCH,
        "short_stream_readings": short_n * READINGS_PER_BATCH,
        "long_stream_readings": long_n * READINGS_PER_BATCH,
        "peak_rss_mib_short_stream": round(short_mib, 1),
        "peak_rss_mib_long_stream": round(long_mib, 1),
        "peak_rss_growth_ratio": round(long_mib / short_mib, 3),
        "benchmark_wall_s": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(figures, sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
