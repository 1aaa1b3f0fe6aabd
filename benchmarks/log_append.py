"""Benchmark of puhui's verifiable log: appends, proofs, offline verification, replay, memory.

Measured, each beside the reference ``ed25519_verifies_per_s`` (raw single-thread
``Ed25519PublicKey.verify`` of a ~400-byte message, measured in the same run):

* signed appends per second, through ``Kernel.submit_many`` in batches of 1000 (group commit)
  and through one ``Kernel.submit`` per command, on SQLite (a file in a temp dir, WAL,
  ``synchronous=FULL``) and on PostgreSQL (a fresh schema at ``PG_URL``, dropped afterwards;
  skipped with a message if the server is unreachable);
* inclusion proofs generated (``log.inclusion_proof``, one connection, random leaves of the
  full tree) and verified (``merkle.verify_inclusion``) per second;
* offline verification of an export (``verify_export``: signatures, Merkle roots and a full
  replay into a fresh store) and in-place replay (``replay_in_place``), entries per second;
* peak RSS of ``verify_export`` and of ``replay_in_place`` on logs of N entries, each run in a
  fresh child process that reports its own peak RSS (``VmHWM``; not ``ru_maxrss``,
  which Linux carries over from the parent across fork and exec).

The workload is ``party.register`` commands signed by the operator, each registering a farmer
with a fresh key. Commands are generated and signed before the clock starts (signing is client
work). Rates are medians over repetitions or over equal-sized chunks of the run.

Run from the repository root:

    .venv/bin/python benchmarks/log_append.py --quick        # a few seconds to ~30 s
    .venv/bin/python benchmarks/log_append.py                # 1M-entry memory run: many minutes
    .venv/bin/python benchmarks/log_append.py --entries-memory 100000

Human-readable lines go to stdout as figures are measured (progress to stderr); the LAST
stdout line is one JSON object of every figure, with its unit in its key name. Temporary files
go under ``$TMPDIR`` (default /tmp), which should be on a real disk for the fsync figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.config import Settings
from puhui.kernel import log, merkle, signing
from puhui.kernel.commands import SignedCommand
from puhui.kernel.errors import PuhuiError
from puhui.kernel.export import export
from puhui.kernel.replay import replay_in_place
from puhui.kernel.store import make_engine
from puhui.kernel.store.migrate import upgrade
from puhui.kernel.verify import verify_export
from puhui.parties.views import witness_keys

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_CONNECT_TIMEOUT_S = 3
BUSINESS_DATE = date(2026, 1, 5)
OPERATOR_ID = "operator"
SEED = 20260105

APPEND_BATCH_COMMANDS = 1000
MEMORY_BUILD_BATCH_COMMANDS = 2000
SINGLE_CHUNK_COMMANDS = 50
ED25519_MESSAGE_BYTES = 400
ED25519_VERIFIES_PER_REP = 2000
REPS = 5
PROGRESS_EVERY_ENTRIES = 50_000
KIB_PER_MB = 1024
MEMORY_PROOFS = 1000
MEMORY_PROOFS_STEP = 50
MEMORY_PROOFS_BUDGET_S = 5.0
ENTRIES_MEMORY_DEFAULT = "100000,1000000"
ENTRIES_MEMORY_QUICK = "2000,20000"


@dataclass(frozen=True)
class Sizes:
    """How much work each measurement does."""

    batched_commands: int
    single_commands: int
    proofs_per_rep: int
    verify_reps: int


FULL = Sizes(batched_commands=20_000, single_commands=1_000, proofs_per_rep=1_000, verify_reps=3)
QUICK = Sizes(batched_commands=2_000, single_commands=100, proofs_per_rep=200, verify_reps=3)

Figures = dict[str, float]


# ---------------------------------------------------------------------------------------------
# Output


def say(line: str) -> None:
    print(line, flush=True)


def progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def report_rate(figures: Figures, key: str, rate: float, detail: str = "") -> None:
    """Record ``rate`` under ``key`` and print it beside the Ed25519 reference and the ratio."""
    figures[key] = round(rate, 1)
    reference = figures["ed25519_verifies_per_s"]
    extra = f"  [{detail}]" if detail else ""
    say(
        f"{key:<44} {rate:>12,.0f} /s   ed25519 {reference:,.0f} /s   "
        f"ratio {rate / reference:.3f}{extra}"
    )


def median_rate(counts_and_seconds: Sequence[tuple[int, float]]) -> float:
    return statistics.median(n / s for n, s in counts_and_seconds)


def overall_rate(counts_and_seconds: Sequence[tuple[int, float]]) -> float:
    return sum(n for n, _ in counts_and_seconds) / sum(s for _, s in counts_and_seconds)


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


# ---------------------------------------------------------------------------------------------
# Reference: raw Ed25519


def ed25519_verifies_per_s() -> float:
    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    message = random.Random(SEED).randbytes(ED25519_MESSAGE_BYTES)
    signature = key.sign(message)
    samples = []
    for _ in range(REPS):
        start = time.perf_counter()
        for _ in range(ED25519_VERIFIES_PER_REP):
            public.verify(signature, message)
        samples.append((ED25519_VERIFIES_PER_REP, time.perf_counter() - start))
    return median_rate(samples)


# ---------------------------------------------------------------------------------------------
# Logs and workload


@dataclass
class Log:
    platform: Platform
    operator: Identity
    registered: int = 0

    @property
    def engine(self) -> Engine:
        return self.platform.engine

    def commands(self, count: int) -> list[SignedCommand]:
        """``count`` new farmer registrations signed by the operator (untimed client work)."""
        start, self.registered = self.registered, self.registered + count
        return [register_command(self.operator, i) for i in range(start, start + count)]


def register_command(operator: Identity, i: int) -> SignedCommand:
    payload = {
        "party_id": f"farmer-{i}",
        "name": f"Farmer {i}",
        "kind": "person",
        "roles": ["farmer"],
        "public_key": signing.b64encode(signing.public_bytes(signing.generate())),
    }
    return operator.sign("party.register", payload, BUSINESS_DATE)


def new_log(url: str, key_file: Path, engine: Engine | None = None) -> Log:
    """A migrated store whose log holds the genesis entry."""
    settings = Settings(database_url=url, log_key_file=key_file)
    platform = Platform.from_settings(settings, engine=engine)
    upgrade(platform.engine)
    operator = Identity(OPERATOR_ID, signing.generate())
    genesis = {
        "party_id": OPERATOR_ID,
        "name": "Bench operator",
        "public_key": operator.public_key_b64,
    }
    platform.kernel.submit(operator.sign("party.genesis", genesis, BUSINESS_DATE))
    return Log(platform, operator)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def chunks(items: Sequence[SignedCommand], size: int) -> Iterator[Sequence[SignedCommand]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def check_accepted(results: Sequence[object]) -> None:
    refused = [r for r in results if isinstance(r, PuhuiError)]
    if refused:
        raise RuntimeError(f"{len(refused)} commands refused, first: {refused[0]!r}")


def append_batched(target: Log, commands: Sequence[SignedCommand]) -> list[tuple[int, float]]:
    samples = []
    for batch in chunks(commands, APPEND_BATCH_COMMANDS):
        (results, _head), seconds = timed(lambda b=batch: target.platform.kernel.submit_many(b))
        check_accepted(results)
        samples.append((len(batch), seconds))
    return samples


def append_single(target: Log, commands: Sequence[SignedCommand]) -> list[tuple[int, float]]:
    kernel = target.platform.kernel
    samples = []
    for chunk in chunks(commands, SINGLE_CHUNK_COMMANDS):
        start = time.perf_counter()
        for command in chunk:
            kernel.submit(command)
        samples.append((len(chunk), time.perf_counter() - start))
    return samples


def measure_appends(figures: Figures, target: Log, store: str, sizes: Sizes) -> None:
    batched = append_batched(target, target.commands(sizes.batched_commands))
    report_rate(
        figures,
        f"signed_appends_per_s_{store}_batched",
        median_rate(batched),
        f"median of {len(batched)} batches of {APPEND_BATCH_COMMANDS}; "
        f"overall {overall_rate(batched):,.0f} /s",
    )
    single = append_single(target, target.commands(sizes.single_commands))
    report_rate(
        figures,
        f"signed_appends_per_s_{store}_single",
        median_rate(single),
        f"median of {len(single)} chunks of {SINGLE_CHUNK_COMMANDS}; "
        f"overall {overall_rate(single):,.0f} /s",
    )


# ---------------------------------------------------------------------------------------------
# PostgreSQL


@contextmanager
def pg_schema(schema: str) -> Iterator[Engine | None]:
    """An engine whose search_path is a fresh ``schema``, dropped on exit; None if unreachable."""
    admin = create_engine(PG_URL, connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S})
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        say(
            f"PostgreSQL unreachable at {PG_URL}: skipping PostgreSQL figures "
            f"({str(exc).splitlines()[0]})"
        )
        yield None
        return
    engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def measure_postgres(figures: Figures, tmp: Path, sizes: Sizes) -> None:
    with pg_schema(f"bench_{os.getpid()}") as engine:
        if engine is None:
            return
        target = new_log(PG_URL, tmp / "pg-log.key", engine=engine)
        measure_appends(figures, target, "postgres", sizes)


# ---------------------------------------------------------------------------------------------
# Proofs, verification, replay


def proof_samples(
    conn: Connection, size: int, count: int, rng: random.Random
) -> tuple[list[tuple[int, list[bytes]]], float]:
    """``count`` inclusion proofs of random leaves of a tree of ``size``, and seconds taken."""
    indices = [rng.randrange(size) for _ in range(count)]
    start = time.perf_counter()
    proofs = [(i, log.inclusion_proof(conn, i, size)) for i in indices]
    return proofs, time.perf_counter() - start


def measure_inclusion(figures: Figures, target: Log, sizes: Sizes) -> None:
    rng = random.Random(SEED)
    with target.engine.connect() as conn:
        head = log.tree_head(conn)
        leaves = log.leaf_hashes(conn, 0, head.size)
        generate = []
        for _ in range(REPS):
            proofs, seconds = proof_samples(conn, head.size, sizes.proofs_per_rep, rng)
            generate.append((len(proofs), seconds))
    report_rate(
        figures,
        "inclusion_proofs_per_s",
        median_rate(generate),
        f"tree of {head.size:,}, median of {REPS} x {sizes.proofs_per_rep}",
    )

    def verify_all() -> bool:
        return all(
            merkle.verify_inclusion(leaves[i], i, head.size, proof, head.root)
            for i, proof in proofs
        )

    checks = []
    for _ in range(REPS):
        ok, seconds = timed(verify_all)
        if not ok:
            raise RuntimeError("an inclusion proof did not verify")
        checks.append((len(proofs), seconds))
    report_rate(
        figures,
        "inclusion_verifies_per_s",
        median_rate(checks),
        f"median of {REPS} x {len(proofs)}",
    )


def export_log(target: Log, directory: Path) -> Path:
    export(target.engine, target.platform.log_signer, directory, datetime.now(UTC))
    return directory


def run_verify(target: Log, directory: Path) -> int:
    summary = verify_export(
        directory,
        target.platform.log_signer.verifier_key(),
        target.platform.registry,
        lambda conn: witness_keys(conn, active_only=False),
    )
    return summary.size


def measure_verify_and_replay(figures: Figures, target: Log, tmp: Path, sizes: Sizes) -> None:
    directory = export_log(target, tmp / "export")
    verifies = []
    for _ in range(sizes.verify_reps):
        size, seconds = timed(lambda: run_verify(target, directory))
        verifies.append((size, seconds))
    rate = median_rate(verifies)
    report_rate(
        figures,
        "verify_replay_entries_per_s",
        rate,
        f"{verifies[0][0]:,} entries, median of {sizes.verify_reps}",
    )
    figures["verify_to_ed25519_ratio"] = round(rate / figures["ed25519_verifies_per_s"], 3)
    verdict = "meets" if figures["verify_to_ed25519_ratio"] >= 0.5 else "BELOW"
    say(
        f"{'verify_to_ed25519_ratio':<44} {figures['verify_to_ed25519_ratio']:>12.3f}"
        f"      ({verdict} the 0.5 target)"
    )
    replays = []
    for _ in range(sizes.verify_reps):
        summary, seconds = timed(lambda: replay_in_place(target.engine, target.platform.registry))
        replays.append((summary.size, seconds))
    report_rate(
        figures,
        "replay_in_place_entries_per_s",
        median_rate(replays),
        f"{replays[0][0]:,} entries, median of {sizes.verify_reps}",
    )


# ---------------------------------------------------------------------------------------------
# Memory: each measurement in a fresh child process that reports its own peak RSS

CHILD_PRELUDE = """
import json, resource, sys, time
from pathlib import Path
from puhui.bootstrap import build_registry
from puhui.kernel.replay import replay_in_place
from puhui.kernel.store import make_engine
from puhui.kernel.verify import verify_export
from puhui.parties.views import witness_keys

def peak_rss_kib():
    # VmHWM is the peak of this process's own address space. ru_maxrss is not: Linux carries
    # it across exec, so it would include the parent's RSS at the time of the fork.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

def report(size, seconds):
    print(json.dumps({"size": size, "seconds": seconds, "maxrss_kib": peak_rss_kib()}))
"""
CHILD_BASELINE = CHILD_PRELUDE + "report(0, 0.0)\n"
CHILD_VERIFY = (
    CHILD_PRELUDE
    + """
start = time.perf_counter()
summary = verify_export(Path(sys.argv[1]), sys.argv[2], build_registry(),
                        lambda conn: witness_keys(conn, active_only=False))
report(summary.size, time.perf_counter() - start)
"""
)
CHILD_REPLAY = (
    CHILD_PRELUDE
    + """
engine = make_engine(sys.argv[1])
start = time.perf_counter()
summary = replay_in_place(engine, build_registry())
report(summary.size, time.perf_counter() - start)
"""
)


def run_child(code: str, *args: str) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter; return the JSON it prints last."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"child failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def grow_log(target: Log, entries: int) -> None:
    """Append commands in group-commit batches until the log holds ``entries`` entries."""
    with target.engine.connect() as conn:
        size = log.tree_head(conn).size
    start = time.perf_counter()
    while size < entries:
        batch = target.commands(min(MEMORY_BUILD_BATCH_COMMANDS, entries - size))
        results, head = target.platform.kernel.submit_many(batch)
        check_accepted(results)
        size = head.size
        if size % PROGRESS_EVERY_ENTRIES < MEMORY_BUILD_BATCH_COMMANDS or size == entries:
            elapsed = time.perf_counter() - start
            progress(f"  built {size:,}/{entries:,} entries in {elapsed:,.0f} s")


def measure_proofs_at(figures: Figures, target: Log, n: int) -> None:
    """Inclusion proofs on the big log: a fixed count, or fewer if they exceed a time budget."""
    rng = random.Random(SEED)
    done, seconds = 0, 0.0
    with target.engine.connect() as conn:
        while done < MEMORY_PROOFS and seconds < MEMORY_PROOFS_BUDGET_S:
            proofs, spent = proof_samples(conn, n, MEMORY_PROOFS_STEP, rng)
            done, seconds = done + len(proofs), seconds + spent
    report_rate(
        figures, f"inclusion_proofs_per_s_{n}", done / seconds, f"tree of {n:,}, {done} proofs"
    )


def measure_children(figures: Figures, n: int, url: str, directory: Path, log_key: str) -> None:
    for name, code, args in (
        ("verify", CHILD_VERIFY, (str(directory), log_key)),
        ("replay", CHILD_REPLAY, (url,)),
    ):
        progress(f"  {name} child on {n:,} entries")
        child = run_child(code, *args)
        if child["size"] != n:
            raise RuntimeError(f"{name} child saw {child['size']} entries, expected {n}")
        rss = round(child["maxrss_kib"] / KIB_PER_MB, 1)
        figures[f"{name}_peak_rss_mb_{n}"] = rss
        say(f"{name + '_peak_rss_mb_' + str(n):<44} {rss:>12.1f} MB   (fresh child process)")
        rate_key = {"verify": "verify_replay", "replay": "replay_in_place"}[name]
        report_rate(figures, f"{rate_key}_entries_per_s_{n}", n / child["seconds"], "in the child")


def measure_memory(figures: Figures, tmp: Path, entry_counts: Sequence[int]) -> None:
    """Grow one SQLite log through each size (smallest first); export and measure at each."""
    baseline = run_child(CHILD_BASELINE)
    figures["import_baseline_rss_mb"] = round(baseline["maxrss_kib"] / KIB_PER_MB, 1)
    say(
        f"{'import_baseline_rss_mb':<44} {figures['import_baseline_rss_mb']:>12.1f} MB"
        "   (child that only imports puhui)"
    )
    url = sqlite_url(tmp / "memory" / "log.db")
    target = new_log(url, tmp / "memory" / "log.key")
    log_key = target.platform.log_signer.verifier_key()
    try:
        for n in entry_counts:
            progress(f"memory run: growing the log to {n:,} entries")
            _, build_s = timed(lambda n=n: grow_log(target, n))
            say(f"log grown to {n:,} entries in {build_s:,.1f} s (signing included)")
            measure_proofs_at(figures, target, n)
            progress(f"  exporting {n:,} entries")
            directory = export_log(target, tmp / "memory" / f"export-{n}")
            target.engine.dispose()
            measure_children(figures, n, url, directory, log_key)
            shutil.rmtree(directory)
    finally:
        target.engine.dispose()


# ---------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a few seconds")
    parser.add_argument(
        "--entries-memory",
        default=None,
        metavar="N1,N2",
        help=f"log sizes for the peak-RSS runs (default {ENTRIES_MEMORY_DEFAULT}, "
        f"with --quick {ENTRIES_MEMORY_QUICK}); measured smallest first",
    )
    args = parser.parse_args(argv)
    spec = args.entries_memory or (ENTRIES_MEMORY_QUICK if args.quick else ENTRIES_MEMORY_DEFAULT)
    args.memory_counts = sorted(int(n) for n in spec.split(",") if n.strip())
    if any(n < 2 for n in args.memory_counts):
        parser.error("--entries-memory sizes must be at least 2 (genesis plus one command)")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    sizes = QUICK if args.quick else FULL
    started = time.perf_counter()
    figures: Figures = {}
    figures["ed25519_verifies_per_s"] = round(ed25519_verifies_per_s(), 1)
    say(
        f"{'ed25519_verifies_per_s':<44} {figures['ed25519_verifies_per_s']:>12,.0f} /s   "
        f"(reference: raw verify of {ED25519_MESSAGE_BYTES} bytes, one thread)"
    )
    with tempfile.TemporaryDirectory(prefix="puhui-bench-") as tmp_name:
        tmp = Path(tmp_name)
        sqlite_log = new_log(sqlite_url(tmp / "sqlite" / "log.db"), tmp / "sqlite" / "log.key")
        try:
            measure_appends(figures, sqlite_log, "sqlite", sizes)
            measure_inclusion(figures, sqlite_log, sizes)
            measure_verify_and_replay(figures, sqlite_log, tmp, sizes)
        finally:
            sqlite_log.engine.dispose()
        measure_postgres(figures, tmp, sizes)
        measure_memory(figures, tmp, args.memory_counts)
    figures["benchmark_wall_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(figures, sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
