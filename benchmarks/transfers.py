"""Benchmark of the ledger: transfers per second through signed commands on the log.

Measured, each beside the reference ``raw_inserts_per_s_<store>`` (rows shaped like a transfer
row inserted with one executemany per 1,000 rows and one commit, into a scratch table of the
same database, in the same run):

* transfers per second in commands of 1, 100 and 1,000 transfers (``batch1``, ``batch100``,
  ``batch1000``). Commands go through ``Kernel.submit_many`` (group commit) in transactions of
  about 1,000 transfers: 1,000 one-transfer commands, 10 hundred-transfer commands, or one
  thousand-transfer command. Each transfer moves money from one of ``PAYERS`` flagged bank
  accounts (no overdraft: every transfer is checked against the running balance) to one of
  ``PAYEES`` farmer accounts; every command is signed by the bank, its signature verified,
  appended to the Merkle log, and its postings written with their running balances;
* on SQLite (a file in a temp dir, WAL, ``synchronous=FULL``) and on PostgreSQL (a fresh schema
  at ``PG_URL``, dropped afterwards; skipped with a message if unreachable).

After the runs the trial balance must sum to zero and the transfer count must match, or the
benchmark fails. Commands are built and signed before the clock starts (client work).

    .venv/bin/python benchmarks/transfers.py --quick     # a few seconds
    .venv/bin/python benchmarks/transfers.py             # the figures in the README

The LAST stdout line is one JSON object of every figure, with its unit in its key name.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    MetaData,
    String,
    Table,
    func,
    insert,
    select,
)

from puhui.accounts import reports
from puhui.accounts.tables import transfers
from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.config import Settings
from puhui.kernel import signing
from puhui.kernel.commands import SignedCommand
from puhui.kernel.errors import PuhuiError
from puhui.kernel.store.migrate import upgrade

sys.path.insert(0, str(Path(__file__).parent))
from log_append import PG_URL, pg_schema

BUSINESS_DATE = date(2026, 3, 2)
SEED = 20260302
PAYERS = 100
PAYEES = 1000
FUNDS_PER_PAYER = 10**12
TRANSFERS_PER_TRANSACTION = 1000
BATCHES = (1, 100, 1000)
RAW_ROWS_PER_TRANSACTION = 1000


@dataclass(frozen=True)
class Sizes:
    transfers_per_batch_size: int
    raw_rows: int


FULL = Sizes(transfers_per_batch_size=30_000, raw_rows=100_000)
QUICK = Sizes(transfers_per_batch_size=3_000, raw_rows=10_000)
Figures = dict[str, float]


def say(line: str) -> None:
    print(line, flush=True)


def progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass
class Bench:
    platform: Platform
    bank: Identity
    rng: random.Random
    made: int = 0

    def commands(self, count: int, per_command: int) -> list[SignedCommand]:
        """``count`` transfers in commands of ``per_command``, signed by the bank (untimed)."""
        signed = []
        for _ in range(count // per_command):
            items = []
            for _ in range(per_command):
                self.made += 1
                items.append(
                    {
                        "id": f"t{self.made}",
                        "debit": f"bank:payer-{self.rng.randrange(PAYERS)}",
                        "credit": f"farmer-{self.rng.randrange(PAYEES)}:cash:cny",
                        "amount": self.rng.randrange(1, 1_000_000),
                    }
                )
            signed.append(self.bank.sign("accounts.transfer", {"transfers": items}, BUSINESS_DATE))
        return signed


def _submit_all(platform: Platform, commands: Sequence[SignedCommand]) -> None:
    results, _head = platform.kernel.submit_many(commands)
    refused = [r for r in results if isinstance(r, PuhuiError)]
    if refused:
        raise RuntimeError(f"{len(refused)} commands refused, first: {refused[0]!r}")


def setup(url: str, key_file: Path, engine: Engine | None = None) -> Bench:
    """Operator, bank with ``PAYERS`` funded flagged accounts, ``PAYEES`` farmers with charts."""
    platform = Platform.from_settings(
        Settings(database_url=url, log_key_file=key_file), engine=engine
    )
    upgrade(platform.engine)
    op = Identity("operator", signing.generate())
    bank = Identity("bank", signing.generate())
    genesis = {"party_id": "operator", "name": "Operator", "public_key": op.public_key_b64}
    kernel = platform.kernel
    kernel.submit(op.sign("party.genesis", genesis, BUSINESS_DATE))

    def party(pid: str, role: str, key: str) -> dict[str, object]:
        return {"party_id": pid, "name": pid, "kind": "person", "roles": [role], "public_key": key}

    setup_commands = [
        op.sign("party.register", party("bank", "bank", bank.public_key_b64), BUSINESS_DATE),
        op.sign("accounts.open_chart", {"party_id": "operator", "role": "operator"}, BUSINESS_DATE),
    ]
    for i in range(PAYEES):
        key = signing.b64encode(signing.public_bytes(signing.generate()))
        setup_commands.append(
            op.sign("party.register", party(f"farmer-{i}", "farmer", key), BUSINESS_DATE)
        )
        setup_commands.append(
            op.sign(
                "accounts.open_chart", {"party_id": f"farmer-{i}", "role": "farmer"}, BUSINESS_DATE
            )
        )
    payers = [
        {
            "account_id": f"bank:payer-{i}",
            "party_id": "bank",
            "currency": "CNY",
            "kind": "liability",
            "purpose": "cash",
            "debits_must_not_exceed_credits": True,
        }
        for i in range(PAYERS)
    ]
    setup_commands.append(op.sign("accounts.open", {"accounts": payers}, BUSINESS_DATE))
    funding = [
        {
            "id": f"fund-{i}",
            "debit": "operator:bank_clearing:cny",
            "credit": f"bank:payer-{i}",
            "amount": FUNDS_PER_PAYER,
        }
        for i in range(PAYERS)
    ]
    setup_commands.append(op.sign("accounts.transfer", {"transfers": funding}, BUSINESS_DATE))
    for start in range(0, len(setup_commands), 1000):
        _submit_all(platform, setup_commands[start : start + 1000])
    return Bench(platform, bank, random.Random(SEED))


def measure_transfers(figures: Figures, bench: Bench, store: str, sizes: Sizes) -> None:
    for batch in BATCHES:
        per_transaction = max(1, TRANSFERS_PER_TRANSACTION // batch)
        commands = bench.commands(sizes.transfers_per_batch_size, batch)
        samples = []
        for start in range(0, len(commands), per_transaction):
            group = commands[start : start + per_transaction]
            began = time.perf_counter()
            _submit_all(bench.platform, group)
            samples.append((len(group) * batch, time.perf_counter() - began))
        rate = statistics.median(n / s for n, s in samples)
        overall = sum(n for n, _ in samples) / sum(s for _, s in samples)
        report(
            figures,
            f"transfers_per_s_{store}_batch{batch}",
            rate,
            store,
            f"median of {len(samples)} transactions of {per_transaction} commands x {batch}; "
            f"overall {overall:,.0f} /s",
        )


def check_ledger(bench: Bench) -> None:
    with bench.platform.engine.connect() as conn:
        trials = reports.trial_balance(conn)
        count = conn.execute(select(func.count()).select_from(transfers)).scalar_one()
    if not all(t.balanced for t in trials):
        raise RuntimeError("the trial balance does not sum to zero")
    if count != bench.made + PAYERS:
        raise RuntimeError(f"{count} transfers on the ledger, expected {bench.made + PAYERS}")


def raw_inserts_per_s(engine: Engine, rows: int) -> float:
    """Reference: executemany of transfer-shaped rows, 1,000 per transaction, same database."""
    meta = MetaData()
    scratch = Table(
        "bench_raw_inserts",
        meta,
        Column("transfer_id", String(64), primary_key=True),
        Column("debit_account_id", String(100), nullable=False),
        Column("credit_account_id", String(100), nullable=False),
        Column("amount", BigInteger, nullable=False),
        Column("seq", BigInteger, nullable=False),
    )
    meta.create_all(engine)
    rng = random.Random(SEED)
    samples = []
    try:
        for start in range(0, rows, RAW_ROWS_PER_TRANSACTION):
            batch = [
                {
                    "transfer_id": f"raw{start + i}",
                    "debit_account_id": f"bank:payer-{rng.randrange(PAYERS)}",
                    "credit_account_id": f"farmer-{rng.randrange(PAYEES)}:cash:cny",
                    "amount": rng.randrange(1, 1_000_000),
                    "seq": start + i,
                }
                for i in range(RAW_ROWS_PER_TRANSACTION)
            ]
            began = time.perf_counter()
            with engine.begin() as conn:
                conn.execute(insert(scratch), batch)
            samples.append((len(batch), time.perf_counter() - began))
    finally:
        meta.drop_all(engine)
    return statistics.median(n / s for n, s in samples)


def report(figures: Figures, key: str, rate: float, store: str, detail: str) -> None:
    figures[key] = round(rate, 1)
    reference = figures[f"raw_inserts_per_s_{store}"]
    say(
        f"{key:<36} {rate:>10,.0f} /s   raw inserts {reference:,.0f} /s   "
        f"ratio {rate / reference:.3f}  [{detail}]"
    )


def run_store(
    figures: Figures, store: str, url: str, tmp: Path, sizes: Sizes, engine: Engine | None = None
) -> None:
    progress(f"{store}: setting up {PAYEES} farmers and {PAYERS} funded payer accounts")
    bench = setup(url, tmp / f"{store}.key", engine)
    raw = raw_inserts_per_s(bench.platform.engine, sizes.raw_rows)
    figures[f"raw_inserts_per_s_{store}"] = round(raw, 1)
    say(f"{'raw_inserts_per_s_' + store:<36} {raw:>10,.0f} /s   (reference)")
    measure_transfers(figures, bench, store, sizes)
    check_ledger(bench)
    bench.platform.engine.dispose()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a few seconds")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    started = time.perf_counter()
    figures: Figures = {}
    with tempfile.TemporaryDirectory(prefix="puhui-bench-") as name:
        tmp = Path(name)
        run_store(figures, "sqlite", f"sqlite:///{tmp / 'ledger.db'}", tmp, sizes)
        with pg_schema(f"bench_transfers_{os.getpid()}") as engine:
            if engine is not None:
                run_store(figures, "postgres", PG_URL, tmp, sizes, engine)
    figures["benchmark_wall_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(figures, sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
