"""Helpers for agri tests: the story's parties with charts of accounts and money."""

from __future__ import annotations

from typing import Any

from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.demo_agri import AgriStory
from puhui.kernel import signing
from tests.conftest import START
from tests.ledger import make_ledger

PARTIES = {
    "coop-minhou": ("cooperative", "350121"),
    "farmer-li": ("farmer", "350121"),
    "farmer-wang": ("farmer", "350121"),
    "farmer-far": ("farmer", "110101"),
    "feed-supplier": ("supplier", "350121"),
    "other-feed": ("supplier", "350121"),
    "core-poultry": ("core_enterprise", "350121"),
}


def make_story(platform: Platform, operator: Identity) -> AgriStory:
    """The parties registered (with regions), charts opened, the lender and buyer funded."""
    ledger = make_ledger(platform, operator, {})
    ids: dict[str, Any] = {"operator": operator}
    for party_id, (role, region) in PARTIES.items():
        ident = Identity(party_id, signing.generate())
        payload = {
            "party_id": party_id,
            "name": party_id.title(),
            "kind": "person",
            "roles": [role],
            "public_key": ident.public_key_b64,
            "region": region,
        }
        platform.kernel.submit(operator.sign("party.register", payload, START, f"reg-{party_id}"))
        ids[party_id] = ident
        ledger.parties[party_id] = ident
        ledger.submit(ident, "accounts.open_chart", {"party_id": party_id, "role": role})
    ledger.deposit("coop-minhou", 100_000_000, "coop")
    ledger.deposit("core-poultry", 100_000_000, "buyer")
    return AgriStory(platform.kernel, ids)
