"""Ledger types and rules: currencies, account kinds and flags, charts of accounts, transfers.

The semantics follow TigerBeetle. An account keeps four running totals — ``debits_posted``,
``credits_posted``, ``debits_pending``, ``credits_pending`` — and every transfer adds the same
amount to one account's debits and another's credits of the same currency, so per currency the
sum of debits equals the sum of credits at every log position. A pending transfer reserves its
amount in the pending totals; posting moves all or part of it to the posted totals and releases
the rest; voiding (or expiry) releases all of it. Flags forbid an account's debits to exceed its
credits (a customer's cash: no overdraft) or the reverse, counting pending debits (credits) as
already spent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

AMOUNT_MAX = 2**53 - 1
"""Largest amount of one transfer (canonical JSON keeps integers within ±(2^53-1))."""
BALANCE_MAX = 2**63 - 1
"""Largest running total of an account (a 64-bit column)."""
TRANSFERS_PER_COMMAND_MAX = 1000
CODE_MAX = 65_535
ACCOUNT_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.:-]{1,99}$")
TRANSFER_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
REFERENCE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,99}$")
CURRENCY_CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{1,15}$")
PURPOSE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
CURRENCY_SCALE_MAX = 18


@dataclass(frozen=True)
class Currency:
    """A currency and the number of decimal places of its minor unit (CNY 2: fen)."""

    code: str
    scale: int
    name: str
    rails: tuple[str, ...] = ()
    """External rails that carry it; the platform rail carries every currency."""

    def format(self, amount: int) -> str:
        """``12345`` CNY → ``"123.45 CNY"`` (display only; never parsed back)."""
        sign = "-" if amount < 0 else ""
        whole, minor = divmod(abs(amount), 10**self.scale)
        fraction = f".{minor:0{self.scale}d}" if self.scale else ""
        return f"{sign}{whole:,}{fraction} {self.code}"

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "scale": self.scale,
            "name": self.name,
            "rails": list(self.rails),
        }


BUILTIN_CURRENCIES: dict[str, Currency] = {
    c.code: c
    for c in (
        Currency("CNY", 2, "Renminbi (bank deposits)", ("bank_transfer",)),
        Currency("ECNY", 2, "Digital renminbi (e-CNY)", ("ecny",)),
        Currency("USDSC", 6, "USD-pegged stablecoin", ("stablecoin",)),
    )
}


class AccountKind(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"

    @property
    def debit_normal(self) -> bool:
        """Assets and expenses grow with debits; the others with credits."""
        return self in (AccountKind.ASSET, AccountKind.EXPENSE)


class TransferKind(StrEnum):
    SINGLE = "single"
    """Posted at once."""
    PENDING = "pending"
    """Reserves funds until posted, voided or expired."""
    POST = "post"
    VOID = "void"
    EXPIRE = "expire"
    """Written by the close of day for a pending transfer past its expiry; no transfer row."""


class PendingStatus(StrEnum):
    PENDING = "pending"
    POSTED = "posted"
    VOIDED = "voided"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Totals:
    """An account's four running totals."""

    debits_posted: int = 0
    credits_posted: int = 0
    debits_pending: int = 0
    credits_pending: int = 0

    def balance(self, kind: AccountKind) -> int:
        """Posted balance on the account's normal side (an asset's debits minus credits)."""
        net = self.debits_posted - self.credits_posted
        return net if kind.debit_normal else -net

    def pending_balance(self, kind: AccountKind) -> int:
        net = self.debits_pending - self.credits_pending
        return net if kind.debit_normal else -net

    def to_json(self) -> dict[str, int]:
        return {
            "debits_posted": self.debits_posted,
            "credits_posted": self.credits_posted,
            "debits_pending": self.debits_pending,
            "credits_pending": self.credits_pending,
        }


@dataclass(frozen=True)
class AccountSpec:
    """An account to open. ``id`` is chosen by the caller (templates derive it)."""

    id: str
    party_id: str
    currency: str
    kind: AccountKind
    purpose: str
    debits_must_not_exceed_credits: bool = False
    credits_must_not_exceed_debits: bool = False
    name: str = ""


@dataclass(frozen=True)
class TemplateLine:
    purpose: str
    kind: AccountKind
    currency: str
    debits_must_not_exceed_credits: bool = False
    credits_must_not_exceed_debits: bool = False


_CASH = TemplateLine("cash", AccountKind.LIABILITY, "CNY", debits_must_not_exceed_credits=True)
_ECNY = TemplateLine("ecny_wallet", AccountKind.LIABILITY, "ECNY", True)
_STABLE = TemplateLine("stablecoin_wallet", AccountKind.LIABILITY, "USDSC", True)
CHART_TEMPLATES: dict[str, tuple[TemplateLine, ...]] = {
    "operator": (
        TemplateLine("bank_clearing", AccountKind.ASSET, "CNY"),
        TemplateLine("ecny_clearing", AccountKind.ASSET, "ECNY"),
        TemplateLine("stablecoin_clearing", AccountKind.ASSET, "USDSC"),
        TemplateLine("escrow", AccountKind.LIABILITY, "CNY", debits_must_not_exceed_credits=True),
        TemplateLine("fee_income", AccountKind.INCOME, "CNY"),
    ),
    "bank": (
        _CASH,
        TemplateLine(
            "loan_principal", AccountKind.ASSET, "CNY", credits_must_not_exceed_debits=True
        ),
        TemplateLine(
            "interest_receivable", AccountKind.ASSET, "CNY", credits_must_not_exceed_debits=True
        ),
        TemplateLine("interest_income", AccountKind.INCOME, "CNY"),
        TemplateLine("fee_expense", AccountKind.EXPENSE, "CNY"),
    ),
    "farmer": (_CASH, _ECNY),
    "sme": (_CASH, _ECNY),
    "supplier": (_CASH, _ECNY),
    "core_enterprise": (_CASH, _ECNY),
    "warehouse": (_CASH,),
    "logistics": (_CASH,),
    "insurer": (_CASH,),
    "guarantor": (
        _CASH,
        TemplateLine("guarantee_deposit", AccountKind.LIABILITY, "CNY", True),
    ),
    "investor": (_CASH, _STABLE),
}
"""Accounts a party gets for a role (``accounts.open_chart``). Customer money is a liability of
the platform that may not be overdrawn; money at an external rail is the operator's asset."""
CHART_TEMPLATES["cooperative"] = CHART_TEMPLATES["bank"]  # a cooperative lends like a bank


def template_account_id(party_id: str, purpose: str, currency: str) -> str:
    return f"{party_id}:{purpose}:{currency.lower()}"


def chart_for(party_id: str, role: str) -> list[AccountSpec]:
    return [
        AccountSpec(
            template_account_id(party_id, line.purpose, line.currency),
            party_id,
            line.currency,
            line.kind,
            line.purpose,
            line.debits_must_not_exceed_credits,
            line.credits_must_not_exceed_debits,
        )
        for line in CHART_TEMPLATES.get(role, ())
    ]


@dataclass(frozen=True)
class TransferRequest:
    """One transfer to make: a new transfer (single-phase or pending) or a post/void of a pending.

    New transfer: ``debit``, ``credit`` and ``amount`` are required. ``pending=True`` reserves
    the amount until a post or void (``expires_on``: voided at the close of that business day
    if still pending). ``payee`` restricts the credit account to that party's accounts and marks
    the money with its origin (``reference``) for tracing. ``rail`` other than ``platform``
    records ``external_ref`` and is always created pending: it settles on confirmation.

    Post: ``post`` names the pending transfer; ``amount`` posts part of it (default all).
    Void: ``void`` names the pending transfer. Both take nothing else but ``id`` and ``code``.
    """

    id: str
    debit: str | None = None
    credit: str | None = None
    amount: int | None = None
    code: int = 0
    reference: str | None = None
    pending: bool = False
    expires_on: date | None = None
    payee: str | None = None
    rail: str = "platform"
    external_ref: str | None = None
    post: str | None = None
    void: str | None = None

    @property
    def pending_id(self) -> str | None:
        return self.post if self.post is not None else self.void
