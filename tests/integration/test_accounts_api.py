"""The ledger's HTTP API and SDK against a real server on both stores: accounts, transfers,
statements, trial balance, trace, visibility, problem+json — and many clients racing to spend
the same balance: no overdraft, and every accepted transfer is on the log."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from puhui.api.auth import new_token
from puhui.bootstrap import Platform
from puhui.client import ApiError, Client, Identity
from tests.conftest import START
from tests.ledger import Ledger, make_ledger
from tests.live import serve

RACERS = 8
ATTEMPTS_PER_RACER = 8
FUNDS = 10_000
SPEND = 500


@dataclass
class Served:
    url: str
    ledger: Ledger
    tokens: dict[str, str]

    def client(self, party_id: str) -> Client:
        ident = self.ledger.operator if party_id == "operator" else self.ledger.parties[party_id]
        return Client(self.url, ident, token=self.tokens[party_id])


@pytest.fixture
def served(platform: Platform, operator: Identity) -> Iterator[Served]:
    ledger = make_ledger(
        platform,
        operator,
        {"bank": "bank", "farmer": "farmer", "supplier": "supplier", "regulator": "regulator"},
    )
    ledger.deposit("bank", FUNDS, "b1")
    tokens = {}
    for party_id, ident in {"operator": operator, **ledger.parties}.items():
        token = new_token()
        platform.kernel.submit(ident.sign("party.issue_token", token.payload, START))
        tokens[party_id] = token.token
    with serve(platform) as url:
        yield Served(url, ledger, tokens)


def test_racing_clients_never_overdraw(served: Served) -> None:
    def race(racer: int) -> list[tuple[str, int | str]]:
        outcomes: list[tuple[str, int | str]] = []
        with served.client("bank") as api:
            for attempt in range(ATTEMPTS_PER_RACER):
                tid = f"race-{racer}-{attempt}"
                item = {"id": tid, "debit": "bank:cash:cny", "credit": "farmer:cash:cny"}
                try:
                    done = api.transfer(item | {"amount": SPEND})
                    outcomes.append((tid, done["receipt"]["seq"]))
                except ApiError as exc:
                    outcomes.append((tid, exc.problem["type"].rsplit("/", 1)[-1]))
        return outcomes

    with ThreadPoolExecutor(RACERS) as pool:
        results = [o for batch in pool.map(race, range(RACERS)) for o in batch]
    accepted = [(tid, seq) for tid, seq in results if isinstance(seq, int)]
    refused = {outcome for _, outcome in results if not isinstance(outcome, int)}
    assert len(accepted) == FUNDS // SPEND
    assert refused == {"insufficient-funds"}
    with served.client("operator") as api:
        assert api.account("bank:cash:cny")["balance"] == 0
        assert api.account("farmer:cash:cny")["balance"] == FUNDS
        for tid, seq in accepted:
            events = api.entry(seq)["entry"]["events"]
            assert tid in [t["id"] for ev in events for t in ev["data"]["transfers"]]
        assert api.trial_balance()["balanced"]
    with served.client("operator") as api:
        # the refused ids were never made
        refused_ids = [tid for tid, seq in results if not isinstance(seq, int)]
        with pytest.raises(ApiError) as missing:
            api.get_transfer(refused_ids[0])
        assert missing.value.status == 404


def test_sdk_accounts_transfers_statements_and_trace(served: Served) -> None:
    with served.client("bank") as bank, served.client("farmer") as farmer:
        pay = {"id": "pay-1", "debit": "bank:cash:cny", "credit": "supplier:cash:cny"}
        bound = pay | {"amount": 3_000, "reference": "loan:l9", "payee": "supplier"}
        first = bank.transfer(bound, idempotency_key="pay-1")
        assert first["transfers"][0]["origin"] == "loan:l9"
        retry = bank.transfer(bound)  # same id, new command: the first result
        assert retry["receipt"]["events"] == [] and retry["transfers"] == first["transfers"]
        with pytest.raises(ApiError) as clash:
            bank.transfer(bound | {"amount": 3_001})
        assert clash.value.status == 409 and clash.value.problem["transfer_id"] == "pay-1"
        hold = bank.transfer(
            {
                "id": "hold-1",
                "debit": "bank:cash:cny",
                "credit": "farmer:cash:cny",
                "amount": 1_000,
                "pending": True,
            }
        )
        assert hold["transfers"][0]["status"] == "pending"
        bank.post_pending("hold-1-post", "hold-1", 400)
        assert farmer.account("farmer:cash:cny")["balance"] == 400
        seq_before = first["receipt"]["seq"]
        assert bank.account("bank:cash:cny", at_seq=seq_before - 1)["balance"] == FUNDS
        page = bank.statement("bank:cash:cny", limit=2)
        rest = bank.statement("bank:cash:cny", after=page["next_after"])
        balances = [ln["balance"] for ln in page["lines"] + rest["lines"]]
        assert balances[-1] == FUNDS - 3_000 - 400
        with pytest.raises(ApiError) as hidden:
            farmer.account("bank:cash:cny")
        assert hidden.value.status == 403
        with pytest.raises(ApiError) as not_theirs:
            farmer.transfer(
                {"id": "steal", "debit": "bank:cash:cny", "credit": "farmer:cash:cny", "amount": 1}
            )
        assert not_theirs.value.problem["type"].endswith("/not-account-holder")
        with pytest.raises(ApiError):
            farmer.trial_balance()
        assert {c["code"] for c in farmer.currencies()} >= {"CNY", "ECNY", "USDSC"}
        mine = farmer.accounts()["accounts"]
        assert {a["party_id"] for a in mine} == {"farmer"}
    with served.client("regulator") as regulator:
        traced = regulator.trace("loan:l9")
        assert traced["payees"] == [
            {"party_id": "supplier", "currency": "CNY", "received": 3_000, "reserved": 0}
        ]
        assert regulator.trial_balance(at_seq=seq_before)["balanced"]
        assert regulator.transfers_by_reference("loan:l9")["transfers"][0]["id"] == "pay-1"
