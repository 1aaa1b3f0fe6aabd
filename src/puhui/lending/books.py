"""The lender's loan book on the accounts ledger, and the transfers lending posts.

Each lender gets, per currency, the accounts of a loan book (the same ids as its chart of
accounts where the chart has them). Money moves between cash accounts (the platform's
liabilities to the parties); the loan book records the lender's side in its own accounts,
balanced against ``loan_fund_source`` (Fineract's "fund source": what the lending paid out
net of what it got back)::

    disbursement   Dr lender cash          Cr payee cash  (payee-bound, reference loan:ID)
                   Dr loan_principal       Cr loan_fund_source
    repayment      Dr payer cash           Cr lender cash
                   Dr loan_fund_source     Cr loan_principal / interest_ / fee_ / penalty_receivable
    accrual        Dr interest_receivable  Cr interest_income     (one per lender per day)
    penalty        Dr penalty_receivable   Cr penalty_income      (one per lender per day)
    fees billed    Dr fee_receivable       Cr fee_income          (one per lender per day)
    write-off      Dr writeoff_expense     Cr the receivables and loan_principal
    recovery       Dr payer cash           Cr lender cash
                   Dr loan_fund_source     Cr recovery_income
    restructure    Dr loan_principal       Cr the receivables capitalised

Per-loan figures live in the lending projection and sum to these balances (``views``
reconciles them). Transfer ids are ``lend-<entry>-<n>``: unique, and the same on replay.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection

from puhui.accounts import AccountKind, AccountSpec, TransferRequest
from puhui.accounts import views as accounts
from puhui.lending.errors import MissingAccount

PRINCIPAL = "loan_principal"
INTEREST_RECEIVABLE = "interest_receivable"
INTEREST_INCOME = "interest_income"
PENALTY_RECEIVABLE = "penalty_receivable"
PENALTY_INCOME = "penalty_income"
FEE_RECEIVABLE = "fee_receivable"
FEE_INCOME = "fee_income"
FUND_SOURCE = "loan_fund_source"
WRITEOFF_EXPENSE = "writeoff_expense"
RECOVERY_INCOME = "recovery_income"
CASH = "cash"

_BOOK: tuple[tuple[str, AccountKind, bool], ...] = (
    (PRINCIPAL, AccountKind.ASSET, True),
    (INTEREST_RECEIVABLE, AccountKind.ASSET, True),
    (INTEREST_INCOME, AccountKind.INCOME, False),
    (PENALTY_RECEIVABLE, AccountKind.ASSET, True),
    (PENALTY_INCOME, AccountKind.INCOME, False),
    (FEE_RECEIVABLE, AccountKind.ASSET, True),
    (FEE_INCOME, AccountKind.INCOME, False),
    (FUND_SOURCE, AccountKind.ASSET, False),
    (WRITEOFF_EXPENSE, AccountKind.EXPENSE, False),
    (RECOVERY_INCOME, AccountKind.INCOME, False),
)
"""(purpose, kind, receivable): receivables may not go below zero."""


def book_account(lender_id: str, purpose: str, currency: str) -> str:
    return f"{lender_id}:{purpose}:{currency.lower()}"


def book_specs(lender_id: str, currency: str) -> list[AccountSpec]:
    return [
        AccountSpec(
            book_account(lender_id, purpose, currency),
            lender_id,
            currency,
            kind,
            purpose,
            credits_must_not_exceed_debits=receivable,
        )
        for purpose, kind, receivable in _BOOK
    ]


def cash_account(conn: Connection, party_id: str, currency: str) -> str:
    found = accounts.account_for(conn, party_id, CASH, currency)
    if found is None:
        raise MissingAccount(
            f"{party_id} has no {currency} cash account; open its chart of accounts first",
            party_id=party_id,
        )
    return found.account_id


@dataclass
class Postings:
    """Transfers of one command, numbered from the entry's position."""

    seq: int
    reference: str | None = None
    requests: list[TransferRequest] = field(default_factory=list)

    def add(
        self, debit: str, credit: str, amount: int, *, payee: str | None = None, code: int = 0
    ) -> None:
        if amount == 0:
            return
        if amount < 0:
            debit, credit, amount = credit, debit, -amount
        self.requests.append(
            TransferRequest(
                f"lend-{self.seq}-{len(self.requests)}",
                debit,
                credit,
                amount,
                code,
                self.reference,
                payee=payee,
            )
        )

    def book(self, lender: str, currency: str, debit: str, credit: str, amount: int) -> None:
        """A transfer between two accounts of the lender's loan book."""
        self.add(
            book_account(lender, debit, currency), book_account(lender, credit, currency), amount
        )


def receivable_for(component: str) -> str:
    return {
        "principal": PRINCIPAL,
        "interest": INTEREST_RECEIVABLE,
        "fee": FEE_RECEIVABLE,
        "penalty": PENALTY_RECEIVABLE,
    }[component]


def book_parts(
    post: Postings, lender: str, currency: str, debit: str, parts: Sequence[tuple[str, int]]
) -> None:
    """Debit ``debit`` against each receivable of ``parts`` (component, amount)."""
    for component, amount in parts:
        post.book(lender, currency, debit, receivable_for(component), amount)
