"""Property: random linked batches of transfers, pending/post/void, failures, retries and closes
of day behave exactly like an independent reference model, keep every invariant, and replay
from the log to the same state — on SQLite and PostgreSQL.

Invariants: per currency the debits equal the credits (posted and pending); no flagged account
below zero; a pending transfer is resolved at most once; a repeated command or a retried
transfer id changes nothing; the balance of every account at every log position is the model's
balance after that command; replay in place and offline verification reproduce the state.
"""

from __future__ import annotations

import itertools
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from puhui.accounts import reports, views
from puhui.accounts.tables import accounts, transfers
from puhui.bootstrap import Platform, build_registry
from puhui.client import Identity
from puhui.kernel import signing
from puhui.kernel.commands import SignedCommand
from puhui.kernel.digest import state_digest
from puhui.kernel.errors import PuhuiError
from puhui.kernel.export import export
from puhui.kernel.replay import replay_in_place
from puhui.kernel.service import utc_now
from puhui.kernel.verify import verify_export
from puhui.parties import views as party_views
from tests.conftest import START
from tests.integration.ledger_model import ACCOUNTS, NAMES, Model
from tests.integration.test_replay_property import fresh_platform

AMOUNTS = st.integers(-1, 250)
SAME_CURRENCY = [  # mostly from flagged accounts, so overdrafts get tried
    ("a1", "b1"),
    ("a1", "src"),
    ("a1", "c1"),
    ("b1", "a1"),
    ("b1", "src"),
    ("c1", "src"),
    ("src", "c1"),
    ("e1", "src-e"),
    ("src-e", "e1"),
]
PAIRS = st.one_of(
    st.sampled_from(SAME_CURRENCY),
    st.sampled_from(SAME_CURRENCY),
    st.tuples(st.sampled_from(NAMES), st.sampled_from(NAMES)),
)
new_items = st.tuples(
    st.just("new"),
    PAIRS,
    AMOUNTS,
    st.booleans(),
    st.sampled_from([None, 0, 1]),
)
items = st.one_of(
    new_items,
    new_items,
    st.tuples(st.just("post"), st.integers(0, 20), st.one_of(st.none(), AMOUNTS)),
    st.tuples(st.just("void"), st.integers(0, 20)),
    st.tuples(st.just("reuse"), st.integers(0, 30)),
)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("batch"), st.lists(items, min_size=1, max_size=3)),
        st.tuples(st.just("batch"), st.lists(new_items, min_size=1, max_size=2)),
        st.tuples(st.just("repeat"), st.integers(0, 40)),
        st.tuples(st.just("retry"), st.integers(0, 40)),
        st.tuples(st.just("close"), st.just(0)),
    ),
    min_size=4,
    max_size=20,
)
FUNDING = [
    {"id": "f1", "debit": "src", "credit": "a1", "amount": 300},
    {"id": "f2", "debit": "src", "credit": "b1", "amount": 200},
    {"id": "f3", "debit": "c1", "credit": "src", "amount": 300},
    {"id": "f4", "debit": "src-e", "credit": "e1", "amount": 150},
]


class Run:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.op = Identity("operator", signing.generate())
        self.model = Model()
        self.day = START
        self.keys = itertools.count()
        self.ids = itertools.count()
        self.generated: list[str] = []
        self.pending_ids: list[str] = []
        self.signed: list[SignedCommand] = []
        self.batches: list[list[dict[str, Any]]] = []
        self.history: list[tuple[int, dict[str, list[int]]]] = []

    def submit(self, ctype: str, payload: dict[str, Any], day: date | None = None) -> int:
        signed = self.op.sign(ctype, payload, day or self.day, f"k{next(self.keys)}")
        seq = self.platform.kernel.submit(signed).seq
        self.signed.append(signed)  # accepted: repeating it must return the first receipt
        return seq

    def start(self) -> None:
        public = self.op.public_key_b64
        genesis = {"party_id": "operator", "name": "Op", "public_key": public}
        self.submit("party.genesis", genesis)
        self.signed.clear()  # the kernel refuses a genesis anywhere but first, even repeated
        specs = [
            {
                "account_id": name,
                "party_id": "operator",
                "currency": currency,
                "kind": "asset" if flag != "dmnec" else "liability",
                "purpose": "test",
                "debits_must_not_exceed_credits": flag == "dmnec",
                "credits_must_not_exceed_debits": flag == "cmned",
            }
            for name, (currency, flag) in ACCOUNTS.items()
        ]
        self.submit("accounts.open", {"accounts": specs})
        self.batch(FUNDING)

    def item(self, spec: tuple[Any, ...]) -> dict[str, Any]:
        kind = spec[0]
        new_id = f"t{next(self.ids)}"
        if kind == "new":
            _, (debit, credit), amount, pending, expires = spec
            item = {"id": new_id, "debit": debit, "credit": credit, "amount": amount}
            if pending:
                item["pending"] = True
                self.pending_ids.append(new_id)
                if expires is not None:
                    item["expires_on"] = (self.day + timedelta(days=expires)).isoformat()
        elif kind in ("post", "void"):
            pool = self.pending_ids or ["nope"]
            item = {"id": new_id, kind: pool[spec[1] % len(pool)]}
            if kind == "post" and spec[2] is not None:
                item["amount"] = spec[2]
        else:
            reused = self.generated[spec[1] % len(self.generated)] if self.generated else new_id
            item = {"id": reused, "debit": "src", "credit": "a1", "amount": 12_345}
        return item

    def batch(self, batch: list[dict[str, Any]]) -> None:
        self.batches.append(batch)
        expected = self.model.batch(batch, self.day)
        try:
            seq = self.submit("accounts.transfer", {"transfers": batch})
            got = None
        except PuhuiError as exc:
            got = type(exc).__name__
        assert got == expected, f"{batch}: ledger said {got}, model {expected}"
        if got is None:
            self.snapshot(seq)

    def snapshot(self, seq: int) -> None:
        self.history.append((seq, {a: list(t) for a, t in self.model.totals.items()}))
        with self.platform.engine.connect() as conn:
            live = {r.account_id: list(r[1:]) for r in conn.execute(_TOTALS)}
        assert live == self.model.totals

    def step(self, op: tuple[Any, Any]) -> None:
        kind, arg = op
        if kind == "batch":
            batch = [self.item(spec) for spec in arg]
            self.generated.extend(item["id"] for item in batch)
            self.batch(batch)
        elif kind == "repeat":
            first = self.signed[arg % len(self.signed)]
            assert self.platform.kernel.submit(first).repeat
            self.snapshot(self.history[-1][0])
        elif kind == "retry":
            self.batch(self.batches[arg % len(self.batches)])
        else:
            self.model.close_day(self.day)
            seq = self.submit("clock.close_day", {"date": self.day.isoformat()})
            self.day += timedelta(days=1)
            self.snapshot(seq)


_TOTALS = select(
    accounts.c.account_id,
    accounts.c.debits_posted,
    accounts.c.credits_posted,
    accounts.c.debits_pending,
    accounts.c.credits_pending,
)


def _check_invariants(run: Run) -> None:
    with run.platform.engine.connect() as conn:
        for trial in reports.trial_balance(conn):
            assert trial.balanced, trial.to_json()
        for seq, totals in run.history:
            for name, expected in totals.items():
                assert list(views.balance(conn, name, at_seq=seq).to_json().values()) == expected
            assert all(t.balanced for t in reports.trial_balance(conn, at_seq=seq))
        for account in views.list_accounts(conn):
            assert account.available is None or account.available >= 0
        twice = conn.execute(
            select(transfers.c.pending_id)
            .where(transfers.c.pending_id.is_not(None))
            .group_by(transfers.c.pending_id)
            .having(func.count() > 1)
        ).all()
        assert twice == []
        live = state_digest(conn)
    assert replay_in_place(run.platform.engine, run.platform.registry).state_digest == live


def _check(backend: str, ops: list[tuple[Any, Any]]) -> None:
    with tempfile.TemporaryDirectory() as tmp, fresh_platform(backend, Path(tmp)) as platform:
        run = Run(platform)
        run.start()
        for op in ops:
            run.step(op)
        _check_invariants(run)
        with platform.engine.connect() as conn:
            live = state_digest(conn)
        export(platform.engine, platform.log_signer, Path(tmp) / "x", utc_now())
        offline = verify_export(
            Path(tmp) / "x",
            platform.log_signer.verifier_key(),
            build_registry(),
            lambda c: party_views.witness_keys(c, active_only=False),
        )
        assert offline.state_digest == live


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
def test_ledger_matches_model_and_replays_sqlite(ops: list[tuple[Any, Any]]) -> None:
    _check("sqlite", ops)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
def test_ledger_matches_model_and_replays_postgresql(ops: list[tuple[Any, Any]]) -> None:
    _check("postgresql", ops)
