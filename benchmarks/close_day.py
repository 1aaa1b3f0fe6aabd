"""Benchmark of the loans' close of day: accrual, billing, ageing and classification.

For N active loans (10,000 and 100,000; ``--quick``: 1,000 and 5,000) on SQLite (a file,
WAL, ``synchronous=FULL``) and on PostgreSQL (a fresh schema at ``PG_URL``, dropped
afterwards), the loans are made through the real commands (apply, approve, two signatures,
disburse: five signed commands a loan, submitted in group-commit batches; untimed set-up),
then ``clock.close_day`` runs for ``DAYS`` consecutive days, timed. The product repays every
three days, so the days measured include plain accrual days, the day every loan's first
instalment is billed and the day they all turn overdue and move to special mention (the
worst day: every loan and instalment row changes).

Figures, each beside a reference measured in the same run on the same database:
``loans_per_s_<store>_<N>`` (loans closed per second over the days measured, the kernel's
work included: signature, handler, event canonical JSON, Merkle append, appliers),
``slowest_day_loans_per_s_<store>_<N>``, the reference ``raw_inserts_per_s_<store>``
(executemany of loan-sized rows into a scratch table) with the ratio, and
``growth_<store>_<N_large>_vs_<N_small>`` (seconds per loan at the large count over seconds
per loan at the small: 1.0 is linear), ``peak_rss_mb_<store>_<N>`` (the process's peak
resident memory during the closes, reset before them via ``/proc/self/clear_refs``).

    .venv/bin/python benchmarks/close_day.py --quick
    .venv/bin/python benchmarks/close_day.py

The LAST stdout line is one JSON object of every figure, with its unit in its key name.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    MetaData,
    String,
    Table,
    create_engine,
    insert,
    text,
)

from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.config import Settings
from puhui.kernel import signing
from puhui.kernel.commands import SignedCommand
from puhui.kernel.errors import PuhuiError
from puhui.kernel.service import Receipt
from puhui.kernel.store import make_engine
from puhui.kernel.store.migrate import upgrade
from puhui.lending import views

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
START = date(2026, 3, 2)
BORROWERS = 100
BATCH_COMMANDS = 2000
DAYS = 4
LOAN_AMOUNT = 1_000_000
RAW_ROWS = 50_000
KIB_PER_MB = 1024
COUNTS_FULL = (10_000, 100_000)
COUNTS_QUICK = (1_000, 5_000)
PRODUCT = {
    "product_id": "bench",
    "name": "Three-day instalments",
    "period_months": 0,
    "period_days": 3,
    "term_periods_min": 1,
    "term_periods_max": 40,
    "penalty_rate": "0.0653",
    "late_fee": 100,
    "fee_per_instalment": 10,
}

Figures = dict[str, float]


def say(line: str) -> None:
    print(line, flush=True)


def progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / KIB_PER_MB
    return float("nan")


def reset_peak_rss() -> None:
    Path("/proc/self/clear_refs").write_text("5")


class Bench:
    """A store with a lender, borrowers, a feed supplier, money and the product."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.operator = Identity("operator", signing.generate())
        self.bank = Identity("bank", signing.generate())
        self.farmers = [Identity(f"farmer-{i}", signing.generate()) for i in range(BORROWERS)]
        self.day = START

    def run(self, commands: Sequence[SignedCommand]) -> list[Receipt]:
        receipts: list[Receipt] = []
        for start in range(0, len(commands), BATCH_COMMANDS):
            results, _ = self.platform.kernel.submit_many(commands[start : start + BATCH_COMMANDS])
            refused = [r for r in results if isinstance(r, PuhuiError)]
            if refused:
                raise RuntimeError(f"{len(refused)} refused, first: {refused[0]!r}")
            receipts.extend(r for r in results if isinstance(r, Receipt))
        return receipts

    def sign(self, who: Identity, ctype: str, payload: dict[str, Any]) -> SignedCommand:
        return who.sign(ctype, payload, self.day)

    def set_up(self) -> None:
        op = self.operator
        genesis = {"party_id": "operator", "name": "Op", "public_key": op.public_key_b64}
        self.platform.kernel.submit(op.sign("party.genesis", genesis, START))
        parties = [(self.bank, "bank", "organisation", "91350100M000100Y43")]
        parties += [(f, "farmer", "person", None) for f in self.farmers]
        feed = Identity("feed", signing.generate())
        parties.append((feed, "supplier", "person", None))
        cmds = [self.sign(op, "accounts.open_chart", {"party_id": "operator", "role": "operator"})]
        for ident, role, kind, uscc in parties:
            payload = {
                "party_id": ident.party_id,
                "name": ident.party_id,
                "kind": kind,
                "roles": [role],
                "public_key": ident.public_key_b64,
                "uscc": uscc,
            }
            cmds.append(self.sign(op, "party.register", payload))
            chart = {"party_id": ident.party_id, "role": role}
            cmds.append(self.sign(ident, "accounts.open_chart", chart))
        deposit = {
            "id": "dep-bank",
            "debit": "operator:bank_clearing:cny",
            "credit": "bank:cash:cny",
            "amount": 2**52,
            "rail": "bank_transfer",
            "external_ref": "BANK-1",
        }
        cmds.append(self.sign(op, "accounts.transfer", {"transfers": [deposit]}))
        cmds.append(
            self.sign(
                op, "accounts.transfer", {"transfers": [{"id": "dep-ok", "post": "dep-bank"}]}
            )
        )
        cmds.append(self.sign(self.bank, "lending.define_product", PRODUCT))
        self.run(cmds)

    def make_loans(self, first: int, count: int) -> None:
        ids = [f"loan-{i:07d}" for i in range(first, first + count)]
        approve: list[SignedCommand] = []
        for i, loan_id in enumerate(ids):
            apply = {
                "loan_id": loan_id,
                "product_id": "bench",
                "amount": LOAN_AMOUNT,
                "term_periods": 30,
                "payees": [{"party_id": "feed"}],
            }
            approve.append(self.sign(self.farmers[i % BORROWERS], "lending.apply", apply))
            approve.append(
                self.sign(
                    self.bank, "lending.approve", {"loan_id": loan_id, "annual_rate": "0.0435"}
                )
            )
        receipts = self.run(approve)
        digests = {
            r.events[0].data["loan_id"]: r.events[0].data["contract_digest"]
            for r in receipts
            if r.type == "lending.approve"
        }
        rest: list[SignedCommand] = []
        for i, loan_id in enumerate(ids):
            sign = {"loan_id": loan_id, "contract_digest": digests[loan_id]}
            rest.append(self.sign(self.farmers[i % BORROWERS], "lending.sign_contract", sign))
            rest.append(self.sign(self.bank, "lending.sign_contract", sign))
            tranche = {
                "loan_id": loan_id,
                "tranche_id": "t1",
                "amount": LOAN_AMOUNT,
                "payee_id": "feed",
            }
            rest.append(self.sign(self.bank, "lending.disburse", tranche))
        self.run(rest)

    def close_days(self, days: int) -> list[float]:
        seconds = []
        for _ in range(days):
            cmd = self.operator.sign("clock.close_day", {"date": self.day.isoformat()}, self.day)
            start = time.perf_counter()
            self.platform.kernel.submit(cmd)
            seconds.append(time.perf_counter() - start)
            self.day += timedelta(days=1)
        return seconds


def raw_inserts_per_s(engine: Engine) -> float:
    """Reference: executemany of loan-sized rows (ten columns) into a scratch table."""
    meta = MetaData()
    scratch = Table(
        f"bench_raw_{uuid.uuid4().hex[:8]}",
        meta,
        Column("id", String(64), primary_key=True),
        *(Column(f"c{k}", BigInteger) for k in range(9)),
    )
    meta.create_all(engine)
    rows = [{"id": f"row-{i:07d}", **{f"c{k}": i * k for k in range(9)}} for i in range(RAW_ROWS)]
    try:
        with engine.begin() as conn:
            start = time.perf_counter()
            conn.execute(insert(scratch), rows)
            seconds = time.perf_counter() - start
    finally:
        meta.drop_all(engine)
    return RAW_ROWS / seconds


@contextmanager
def store(kind: str, tmp: Path) -> Iterator[Platform]:
    keys = {"log_key_file": tmp / "log.key", "custody_master_key_file": tmp / "c.key"}
    if kind == "sqlite":
        url = f"sqlite:///{tmp / 'bench.db'}"
        engine = make_engine(url)
        try:
            upgrade(engine)
            yield Platform.from_settings(Settings(database_url=url, **keys), engine=engine)
        finally:
            engine.dispose()
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        upgrade(engine)
        yield Platform.from_settings(Settings(database_url=PG_URL, **keys), engine=engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def measure(figures: Figures, kind: str, count: int) -> float:
    """Close DAYS days for ``count`` loans; record the figures; return seconds per loan-day."""
    with tempfile.TemporaryDirectory() as tmp, store(kind, Path(tmp)) as platform:
        bench = Bench(platform)
        bench.set_up()
        start = time.perf_counter()
        for first in range(0, count, 10_000):
            bench.make_loans(first, min(10_000, count - first))
            progress(f"{kind}: {min(first + 10_000, count):,} loans made")
        setup_s = time.perf_counter() - start
        reference = raw_inserts_per_s(platform.engine)
        reset_peak_rss()
        seconds = bench.close_days(DAYS)
        peak = peak_rss_mb()
        with platform.engine.connect() as conn:
            by_category = {r["category"]: r["loans"] for r in views.portfolio(conn)}
        if by_category.get("special_mention") != count:
            raise RuntimeError(f"expected every loan overdue by the last day: {by_category}")
    rate = count * DAYS / sum(seconds)
    slowest = count / max(seconds)
    figures[f"loans_per_s_{kind}_{count}"] = round(rate, 1)
    figures[f"slowest_day_loans_per_s_{kind}_{count}"] = round(slowest, 1)
    figures[f"peak_rss_mb_{kind}_{count}"] = round(peak, 1)
    figures[f"setup_commands_per_s_{kind}_{count}"] = round(5 * count / setup_s, 1)
    figures.setdefault(f"raw_inserts_per_s_{kind}", round(reference, 1))
    say(
        f"{kind:<10} {count:>7,} loans  {rate:>9,.0f} loans/s  (slowest day {slowest:,.0f}/s; "
        f"days {', '.join(f'{s:.2f}s' for s in seconds)})  raw inserts {reference:,.0f}/s  "
        f"ratio {rate / reference:.3f}  peak RSS {peak:,.0f} MB  "
        f"set-up {5 * count / setup_s:,.0f} commands/s"
    )
    return sum(seconds) / (count * DAYS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 and 5,000 loans")
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--counts", help="two loan counts, small,large (default 10000,100000)")
    args = parser.parse_args()
    small, large = COUNTS_QUICK if args.quick else COUNTS_FULL
    if args.counts:
        small, large = (int(x) for x in args.counts.split(","))
    figures: Figures = {}
    for kind in args.stores.split(","):
        per_loan_small = measure(figures, kind, small)
        per_loan_large = measure(figures, kind, large)
        growth = per_loan_large / per_loan_small
        figures[f"growth_{kind}_{large}_vs_{small}"] = round(growth, 3)
        say(f"{kind:<10} time per loan at {large:,} / at {small:,}: {growth:.2f} (1.0 = linear)")
    print(json.dumps(figures, sort_keys=True))


if __name__ == "__main__":
    main()
