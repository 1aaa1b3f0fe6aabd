"""A small supply chain for receivable tests: a core enterprise (a bakery chain), its tier-1
bakery-equipment maker, Cai Shirong's shop (tier 2), her parts supplier (tier 3), a guarantor and
a bank; charts of accounts, money, and the documents a receivable stands on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from puhui.accounts import views as accounts
from puhui.accounts.model import CHART_TEMPLATES
from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.kernel.digest import state_digest
from puhui.kernel.log import tree_head
from puhui.kernel.service import Receipt
from puhui.kernel.store.tables import idempotency
from tests.conftest import START, register
from tests.documents_support import register_document
from tests.ledger import Ledger

USCC = {
    "core": "91510100MA6CAK010D",
    "maker": "91510100MA6CAK020E",
    "cai": "91510100MA6CAK030F",
    "parts": "91510100MA6CAK040G",
    "guarantor": "91510100MA6CAK050H",
    "bank": "91510100MA6CAK060J",
}
ROLES = {
    "core": "core_enterprise",
    "maker": "supplier",
    "cai": "sme",
    "parts": "supplier",
    "guarantor": "guarantor",
    "bank": "bank",
    "regulator": "regulator",
}
FACE = 100_000_000
"""RMB 1,000,000.00: the invoice total and the receivable."""
CORE_CASH = 150_000_000
BANK_CASH = 500_000_000


@dataclass
class Chain:
    ledger: Ledger

    @property
    def platform(self) -> Platform:
        return self.ledger.platform

    def who(self, party_id: str) -> Identity:
        return self.ledger.parties.get(party_id) or self.ledger.operator

    def today(self) -> date:
        day: date = self.ledger.today()
        return day

    def submit(self, party_id: str, ctype: str, payload: dict[str, Any]) -> Receipt:
        return self.ledger.submit(self.who(party_id), ctype, payload)

    def close_days(self, until: date) -> None:
        """Close every business day up to and including ``until``."""
        while self.today() <= until:
            self.submit("operator", "clock.close_day", {"date": self.today().isoformat()})

    def drain_core(self) -> None:
        """The core enterprise spends its cash elsewhere: it cannot pay at maturity."""
        self.submit(
            "core",
            "accounts.transfer",
            {
                "transfers": [
                    {
                        "id": "core-spends",
                        "debit": "core:cash:cny",
                        "credit": "operator:escrow:cny",
                        "amount": self.cash("core") - 1,
                    }
                ]
            },
        )

    def pass_to_cai(self, amount: int = 30_000_000) -> None:
        """The maker passes ``amount`` of the root piece to Cai Shirong (``p-cai``) and keeps
        the rest (``p-maker``)."""
        part = {"piece_id": "p-cai", "to": "cai", "amount": amount, "contract_id": "ct-maker-cai"}
        payload = {"piece_id": "rcv-1", "parts": [part], "remainder_piece_id": "p-maker"}
        self.submit("maker", "receivable.transfer", payload)

    def cash(self, party_id: str) -> int:
        with self.platform.engine.connect() as conn:
            found = accounts.account_for(conn, party_id, "cash", "CNY")
            assert found is not None
            return found.balance

    def snapshot(self) -> tuple[int, str, int]:
        """(log size, state digest, idempotency rows): a refused command changes none."""
        with self.platform.engine.connect() as conn:
            rows = conn.execute(select(func.count()).select_from(idempotency)).scalar_one()
            return tree_head(conn).size, state_digest(conn), int(rows)

    def contract(self, seller: str, buyer: str, doc_id: str, *, confirm: bool = True) -> None:
        body = {
            "contract_no": doc_id.upper(),
            "seller_uscc": USCC[seller],
            "buyer_uscc": USCC[buyer],
            "goods": f"goods from {seller} to {buyer}",
            "amount": FACE,
            "payment_terms": "digital receivable",
            "payment_due_days": 90,
            "signed_on": "2026-02-01",
            "effective_until": "2026-12-31",
        }
        self.document(seller, buyer, doc_id, "contract", body, confirm=confirm)

    def document(
        self,
        owner: str,
        counterparty: str,
        doc_id: str,
        kind: str,
        body: dict[str, Any],
        *,
        confirm: bool = True,
    ) -> None:
        register_document(
            self.platform, self.who(owner), doc_id, kind, body, counterparty=counterparty
        )
        if confirm:
            self.submit(counterparty, "document.confirm", {"document_id": doc_id})


def delivery(note_no: str) -> dict[str, Any]:
    return {
        "note_no": note_no,
        "supplier_uscc": USCC["maker"],
        "buyer_uscc": USCC["core"],
        "goods": "deck ovens and spiral mixers",
        "quantity": 12,
        "unit": "set",
        "shipped_on": "2026-02-20",
        "received_on": "2026-02-25",
    }


def invoice(number: str, amount_before_tax: int, tax: int) -> dict[str, Any]:
    return {
        "code": "5100261130",
        "number": number,
        "seller_uscc": USCC["maker"],
        "buyer_uscc": USCC["core"],
        "amount_before_tax": amount_before_tax,
        "tax": tax,
        "issued_on": "2026-02-26",
        "check_code": "51002611300000000001",
    }


def make_chain(platform: Platform, operator: Identity) -> Chain:
    """Parties with accounts and money; the core's contract, delivery and invoice with the
    maker, all confirmed; supply contracts maker ← cai ← parts."""
    ledger = Ledger(platform, operator, {})
    ledger.submit(operator, "accounts.open_chart", {"party_id": "operator", "role": "operator"})
    for party_id, role in ROLES.items():
        uscc = USCC.get(party_id)
        kind = "person" if uscc is None else "organisation"
        ident = register(platform, operator, party_id, [role], kind, uscc)
        ledger.parties[party_id] = ident
        if role in CHART_TEMPLATES:
            ledger.submit(ident, "accounts.open_chart", {"party_id": party_id, "role": role})
    chain = Chain(ledger)
    ledger.deposit("core", CORE_CASH, "core")
    ledger.deposit("bank", BANK_CASH, "bank")
    ledger.deposit("guarantor", 50_000_000, "guarantor")
    chain.contract("maker", "core", "ct-core-maker")
    chain.document("maker", "core", "dn-1", "delivery_note", delivery("DN-1"))
    chain.document(
        "maker", "core", "inv-1", "e_invoice", invoice("00000001", 88_495_575, 11_504_425)
    )
    chain.contract("cai", "maker", "ct-maker-cai")
    chain.contract("parts", "cai", "ct-cai-parts")
    return chain


def issue_payload(**changes: Any) -> dict[str, Any]:
    body = {
        "receivable_id": "rcv-1",
        "supplier": "maker",
        "amount": FACE,
        "maturity_date": (START + timedelta(days=30)).isoformat(),
        "contract_id": "ct-core-maker",
        "delivery_ids": ["dn-1"],
        "invoices": [{"document_id": "inv-1", "amount": FACE}],
    }
    return body | changes
