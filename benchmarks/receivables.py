"""Benchmark of receivables: a receivable split across 10 tiers of suppliers into 10,000 pieces.

Built through real signed commands (untimed): a core enterprise, 10 suppliers in each of 10
tiers with valid USCCs, a confirmed supply contract between every supplier and each supplier
of the next tier, the core enterprise's contract, delivery and invoice, the receivable issued
to a tier-1 supplier and accepted, then split: each piece down to tier 9 in two (to two
suppliers of the next tier), and each tier-9 piece into ~39 parts for tier-10 suppliers, so
that 10,000 pieces are held at depth 9 (a path of 10 holders) — 10,511 pieces in all.

Measured, each beside a reference taken in the same run on the same store:

* ``trace_ms``: ``views.trace`` of random held pieces to the root (the piece with its
  receivable, then its ten ancestors by primary key) — median and p99 per trace; reference: a
  primary-key fetch of one piece row (``pk_fetch_ms``). Target: under 5 ms.
* ``settle_s``: the ``clock.close_day`` of the maturity date, which pays every holder of the
  10,000 pieces (one ledger transfer per holder, all in one ``transfer_events`` call) and marks
  every piece paid — the whole signed command, log append and commit; reference: the close of
  the day before, which has nothing to settle (``close_day_empty_s``). Target: under 5 s on
  SQLite.

Run from the repository root:

    .venv/bin/python benchmarks/receivables.py --quick    # ~1,000 pieces, a few seconds
    .venv/bin/python benchmarks/receivables.py            # 10,000 pieces

The LAST stdout line is one JSON object of every figure with its unit in its key name.
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
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from stdnum.cn import uscc

from puhui.accounts import reports
from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.client_documents import sign_registration
from puhui.config import Settings
from puhui.finance.receivables import views
from puhui.finance.receivables.tables import receivable_pieces
from puhui.kernel import signing
from puhui.kernel.commands import SignedCommand
from puhui.kernel.errors import PuhuiError
from puhui.kernel.service import Receipt
from puhui.kernel.store.migrate import upgrade

sys.path.insert(0, str(Path(__file__).parent))
from log_append import PG_URL, pg_schema

START = date(2026, 3, 2)
MATURITY = START + timedelta(days=3)
SEED = 20260302
TIERS = 10
PER_TIER = 10
BINARY_LEVELS = 8
"""Pieces are split in two down to depth 8 (256 pieces); each then splits for tier 10."""
FACE = 10**11
TRACES = 2000
PK_FETCHES = 2000
COMMANDS_PER_BATCH = 500


@dataclass(frozen=True)
class Sizes:
    pieces_held: int


FULL = Sizes(pieces_held=10_000)
QUICK = Sizes(pieces_held=1_024)
Figures = dict[str, float]


def say(line: str) -> None:
    print(line, flush=True)


def progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def party_uscc(n: int) -> str:
    base = f"915101{n:04d}MA6B0{n:03d}"[:17]
    return base + uscc.calc_check_digit(base)


def supplier(tier: int, j: int) -> str:
    return f"t{tier}-{j}"


@dataclass
class Chain:
    platform: Platform
    ids: dict[str, Identity] = field(default_factory=dict)
    usccs: dict[str, str] = field(default_factory=dict)

    def sign(
        self, who: str, ctype: str, payload: dict[str, Any], day: date = START
    ) -> SignedCommand:
        return self.ids[who].sign(ctype, payload, day)

    def run(self, commands: Sequence[SignedCommand]) -> None:
        for start in range(0, len(commands), COMMANDS_PER_BATCH):
            results, _head = self.platform.kernel.submit_many(
                commands[start : start + COMMANDS_PER_BATCH]
            )
            refused = [r for r in results if isinstance(r, PuhuiError)]
            if refused:
                raise RuntimeError(f"{len(refused)} commands refused, first: {refused[0]!r}")

    def submit(self, who: str, ctype: str, payload: dict[str, Any], day: date) -> Receipt:
        return self.platform.kernel.submit(self.sign(who, ctype, payload, day))

    def document(
        self, owner: str, other: str, doc_id: str, kind: str, body: dict[str, Any]
    ) -> list[SignedCommand]:
        signed, _package = sign_registration(
            self.ids[owner], doc_id, kind, body, START, counterparty=other
        )
        return [signed, self.sign(other, "document.confirm", {"document_id": doc_id})]

    def contract(self, seller: str, buyer: str) -> list[SignedCommand]:
        body = {
            "contract_no": f"CT-{seller}-{buyer}",
            "seller_uscc": self.usccs[seller],
            "buyer_uscc": self.usccs[buyer],
            "goods": "parts",
            "amount": FACE,
            "payment_terms": "digital receivable",
            "payment_due_days": 90,
            "signed_on": "2026-01-05",
            "effective_until": "2026-12-31",
        }
        return self.document(seller, buyer, f"ct-{seller}-{buyer}", "contract", body)


def build(url: str, key_file: Path, engine: Engine | None) -> Chain:
    platform = Platform.from_settings(
        Settings(database_url=url, log_key_file=key_file), engine=engine
    )
    upgrade(platform.engine)
    chain = Chain(platform)
    chain.ids["operator"] = op = Identity("operator", signing.generate())
    genesis = {"party_id": "operator", "name": "Operator", "public_key": op.public_key_b64}
    platform.kernel.submit(op.sign("party.genesis", genesis, START))
    roles = {"core": "core_enterprise"} | {
        supplier(t, j): "supplier" for t in range(1, TIERS + 1) for j in range(PER_TIER)
    }
    setup = [
        chain.sign("operator", "accounts.open_chart", {"party_id": "operator", "role": "operator"})
    ]
    for n, (pid, role) in enumerate(roles.items()):
        chain.ids[pid] = ident = Identity(pid, signing.generate())
        chain.usccs[pid] = party_uscc(n)
        setup.append(
            chain.sign(
                "operator",
                "party.register",
                {
                    "party_id": pid,
                    "name": pid,
                    "kind": "organisation",
                    "roles": [role],
                    "public_key": ident.public_key_b64,
                    "uscc": chain.usccs[pid],
                },
            )
        )
    chain.run(setup)
    charts = [
        chain.sign(p, "accounts.open_chart", {"party_id": p, "role": r}) for p, r in roles.items()
    ]
    deposit = {
        "id": "dep",
        "debit": "operator:bank_clearing:cny",
        "credit": "core:cash:cny",
        "amount": FACE * 2,
        "rail": "bank_transfer",
        "external_ref": "CNAPS-0001",
    }
    charts.append(chain.sign("operator", "accounts.transfer", {"transfers": [deposit]}))
    charts.append(
        chain.sign(
            "operator", "accounts.transfer", {"transfers": [{"id": "dep-ok", "post": "dep"}]}
        )
    )
    docs = chain.contract(supplier(1, 0), "core")
    docs += chain.document(
        supplier(1, 0),
        "core",
        "dn-1",
        "delivery_note",
        {
            "note_no": "DN-1",
            "supplier_uscc": chain.usccs[supplier(1, 0)],
            "buyer_uscc": chain.usccs["core"],
            "goods": "equipment",
            "quantity": 1,
            "unit": "set",
            "shipped_on": "2026-02-20",
        },
    )
    docs += chain.document(
        supplier(1, 0),
        "core",
        "inv-1",
        "e_invoice",
        {
            "number": "00000001",
            "seller_uscc": chain.usccs[supplier(1, 0)],
            "buyer_uscc": chain.usccs["core"],
            "amount_before_tax": FACE - 10**10,
            "tax": 10**10,
            "issued_on": "2026-02-26",
            "check_code": "00000000000000000001",
        },
    )
    for tier in range(1, TIERS):
        for j in range(PER_TIER):
            for m in range(PER_TIER):
                docs += chain.contract(supplier(tier + 1, m), supplier(tier, j))
    chain.run([*charts, *docs])
    return chain


def split_down(chain: Chain, sizes: Sizes) -> list[str]:
    """Issue, accept and split; return the ids of the pieces held at the end."""
    issue = {
        "receivable_id": "rc",
        "supplier": supplier(1, 0),
        "amount": FACE,
        "maturity_date": MATURITY.isoformat(),
        "contract_id": f"ct-{supplier(1, 0)}-core",
        "delivery_ids": ["dn-1"],
        "invoices": [{"document_id": "inv-1", "amount": FACE}],
    }
    chain.run(
        [
            chain.sign("core", "receivable.issue", issue),
            chain.sign(supplier(1, 0), "receivable.accept", {"receivable_id": "rc"}),
        ]
    )
    level = [("rc", supplier(1, 0), FACE)]
    for depth in range(1, BINARY_LEVELS + 1):
        level = _split_level(chain, level, depth, [2] * len(level))
    width, extra = divmod(sizes.pieces_held, len(level))
    counts = [width + (1 if i < extra else 0) for i in range(len(level))]
    level = _split_level(chain, level, BINARY_LEVELS + 1, counts)
    return [piece for piece, _holder, _amount in level]


def _split_level(
    chain: Chain, level: list[tuple[str, str, int]], depth: int, counts: list[int]
) -> list[tuple[str, str, int]]:
    commands, following = [], []
    tier = depth + 1
    for (piece, holder, amount), count in zip(level, counts, strict=True):
        j = int(holder.split("-")[1])
        share, rest = divmod(amount, count)
        parts = []
        for i in range(count):
            to = supplier(tier, (j * 2 + i) % PER_TIER)
            new = f"{piece}.{i}" if depth < BINARY_LEVELS + 1 else f"{piece}.l{i}"
            part_amount = share + (rest if i == count - 1 else 0)
            parts.append(
                {
                    "piece_id": new,
                    "to": to,
                    "amount": part_amount,
                    "contract_id": f"ct-{to}-{holder}",
                }
            )
            following.append((new, to, part_amount))
        commands.append(
            chain.sign(holder, "receivable.transfer", {"piece_id": piece, "parts": parts})
        )
    chain.run(commands)
    return following


def timed(fn: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def p99(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.99) - 1]


def measure(figures: Figures, chain: Chain, held: list[str], store: str) -> None:
    rng = random.Random(SEED)
    engine = chain.platform.engine
    traces, fetches = [], []
    with engine.connect() as conn:
        for _ in range(TRACES):
            piece = rng.choice(held)
            found, seconds = timed(lambda piece=piece: views.trace(conn, piece))
            if len(found.path) != TIERS:
                raise RuntimeError(f"trace of {piece} has {len(found.path)} holders")
            traces.append(seconds * 1000)
        for _ in range(PK_FETCHES):
            piece = rng.choice(held)
            stmt = select(receivable_pieces).where(receivable_pieces.c.piece_id == piece)
            _row, seconds = timed(lambda stmt=stmt: conn.execute(stmt).one())
            fetches.append(seconds * 1000)
    pk = statistics.median(fetches)
    for name, value in (("median", statistics.median(traces)), ("p99", p99(traces))):
        key = f"trace_ms_{name}_{store}"
        figures[key] = round(value, 3)
        say(f"{key:<32} {value:>9.3f} ms   pk fetch {pk:.3f} ms   ratio {value / pk:.1f}")
    figures[f"pk_fetch_ms_median_{store}"] = round(pk, 3)

    day = START
    while day < MATURITY - timedelta(days=1):
        chain.submit("operator", "clock.close_day", {"date": day.isoformat()}, day)
        day += timedelta(days=1)
    _r, empty = timed(
        lambda: chain.submit("operator", "clock.close_day", {"date": day.isoformat()}, day)
    )
    day += timedelta(days=1)
    receipt, settle = timed(
        lambda: chain.submit("operator", "clock.close_day", {"date": day.isoformat()}, day)
    )
    settled = next(e for e in receipt.events if e.type == "receivable.settled")
    with engine.connect() as conn:
        if views.get_receivable(conn, "rc").status != "settled" or views.held_pieces(conn, "rc"):
            raise RuntimeError("the receivable did not settle")
        if not all(c.balanced for c in reports.trial_balance(conn)):
            raise RuntimeError("the trial balance is not zero")
    figures[f"settle_s_{store}"] = round(settle, 3)
    figures[f"close_day_empty_s_{store}"] = round(empty, 4)
    say(
        f"{'settle_s_' + store:<32} {settle:>9.3f} s    empty close {empty:.4f} s   ratio "
        f"{settle / empty:.0f}  [{settled.data['pieces_count']:,} pieces, "
        f"{len(settled.data['payments'])} holders paid]"
    )


def run_store(
    figures: Figures, store: str, url: str, tmp: Path, sizes: Sizes, engine: Engine | None = None
) -> None:
    progress(f"{store}: building {TIERS} tiers of {PER_TIER} suppliers and their contracts")
    (chain, seconds) = timed(lambda: build(url, tmp / f"{store}.key", engine))
    progress(f"{store}: built in {seconds:.1f} s; splitting into {sizes.pieces_held:,} pieces")
    held, seconds = timed(lambda: split_down(chain, sizes))
    progress(f"{store}: split in {seconds:.1f} s")
    figures[f"pieces_held_{store}"] = len(held)
    measure(figures, chain, held, store)
    chain.platform.engine.dispose()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="~1,000 pieces: a few seconds")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    started = time.perf_counter()
    figures: Figures = {}
    with tempfile.TemporaryDirectory(prefix="puhui-bench-") as name:
        tmp = Path(name)
        run_store(figures, "sqlite", f"sqlite:///{tmp / 'receivables.db'}", tmp, sizes)
        with pg_schema(f"bench_receivables_{os.getpid()}") as engine:
            if engine is not None:
                run_store(figures, "postgres", PG_URL, tmp, sizes, engine)
    figures["benchmark_wall_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(figures, sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
