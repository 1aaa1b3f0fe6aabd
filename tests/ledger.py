"""Helpers for ledger tests: parties with charts of accounts, deposits, transfers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.kernel import clock
from puhui.kernel.digest import state_digest
from puhui.kernel.service import Receipt
from tests.conftest import register


@dataclass
class Ledger:
    platform: Platform
    operator: Identity
    parties: dict[str, Identity]

    def today(self) -> Any:
        with self.platform.engine.connect() as conn:
            return clock.business_date(conn)

    def submit(
        self, who: Identity, ctype: str, payload: dict[str, Any], key: str | None = None
    ) -> Receipt:
        return self.platform.kernel.submit(who.sign(ctype, payload, self.today(), key))

    def transfer(self, who: Identity, *items: dict[str, Any], key: str | None = None) -> Receipt:
        return self.submit(who, "accounts.transfer", {"transfers": list(items)}, key)

    def deposit(self, party_id: str, amount: int, ref: str) -> None:
        """Money arriving by bank transfer: pending on the rail, then confirmed by the operator."""
        self.transfer(
            self.operator,
            {
                "id": f"dep-{ref}",
                "debit": "operator:bank_clearing:cny",
                "credit": f"{party_id}:cash:cny",
                "amount": amount,
                "rail": "bank_transfer",
                "external_ref": f"BANK-{ref}",
            },
        )
        self.transfer(self.operator, {"id": f"dep-{ref}-ok", "post": f"dep-{ref}"})

    def digest(self) -> str:
        with self.platform.engine.connect() as conn:
            return state_digest(conn)

    def conn(self) -> Connection:
        return self.platform.engine.connect()


def make_ledger(
    platform: Platform, operator: Identity, roles: dict[str, str] | None = None
) -> Ledger:
    """Register parties (id → role) and open their charts and the operator's."""
    roles = roles or {"bank": "bank", "farmer": "farmer", "supplier": "supplier"}
    ledger = Ledger(platform, operator, {})
    ledger.submit(operator, "accounts.open_chart", {"party_id": "operator", "role": "operator"})
    for party_id, role in roles.items():
        ident = register(platform, operator, party_id, [role])
        ledger.parties[party_id] = ident
        ledger.submit(ident, "accounts.open_chart", {"party_id": party_id, "role": role})
    return ledger
