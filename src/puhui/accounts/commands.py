"""Command payloads of the accounts context.

Types only; the ledger checks the rules (amount range, fields per mode, balances) so that
other contexts calling ``transfer_events`` get the same typed errors.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, StrictBool, StrictInt, StringConstraints

from puhui.accounts.model import (
    ACCOUNT_ID_PATTERN,
    CURRENCY_CODE_PATTERN,
    CURRENCY_SCALE_MAX,
    PURPOSE_PATTERN,
    TRANSFERS_PER_COMMAND_MAX,
    AccountKind,
    AccountSpec,
    TransferRequest,
)
from puhui.kernel.commands import ID_PATTERN
from puhui.kernel.payloads import Payload

AccountId = Annotated[str, StringConstraints(pattern=ACCOUNT_ID_PATTERN.pattern)]
PartyId = Annotated[str, StringConstraints(pattern=ID_PATTERN.pattern)]
CurrencyCode = Annotated[str, StringConstraints(pattern=CURRENCY_CODE_PATTERN.pattern)]
ACCOUNTS_PER_COMMAND_MAX = 100
RAILS_PER_CURRENCY_MAX = 8


class AddCurrency(Payload):
    """Register a currency beyond the built-in CNY, ECNY and USDSC (operator)."""

    code: CurrencyCode
    scale: int = Field(ge=0, le=CURRENCY_SCALE_MAX)
    name: str = Field(min_length=1, max_length=100)
    rails: list[str] = Field(default_factory=list, max_length=RAILS_PER_CURRENCY_MAX)


class AccountItem(Payload):
    account_id: AccountId
    party_id: PartyId
    currency: CurrencyCode
    kind: AccountKind
    purpose: str = Field(pattern=PURPOSE_PATTERN.pattern)
    name: str = Field(default="", max_length=200)
    debits_must_not_exceed_credits: StrictBool = False
    credits_must_not_exceed_debits: StrictBool = False

    def to_spec(self) -> AccountSpec:
        return AccountSpec(
            self.account_id,
            self.party_id,
            self.currency,
            self.kind,
            self.purpose,
            self.debits_must_not_exceed_credits,
            self.credits_must_not_exceed_debits,
            self.name,
        )


class OpenAccounts(Payload):
    """Open accounts (all or none); an account that exists with the same details is skipped."""

    accounts: list[AccountItem] = Field(min_length=1, max_length=ACCOUNTS_PER_COMMAND_MAX)


class OpenChart(Payload):
    """Open the accounts the template of ``role`` gives ``party_id`` (skipping existing ones)."""

    party_id: PartyId
    role: str = Field(min_length=1, max_length=32)


class CloseAccount(Payload):
    account_id: AccountId


class TransferItem(Payload):
    """One transfer of ``accounts.transfer``; see ``TransferRequest`` for the modes."""

    id: str = Field(min_length=1, max_length=64)
    debit: str | None = Field(default=None, max_length=100)
    credit: str | None = Field(default=None, max_length=100)
    amount: StrictInt | None = None
    code: StrictInt = 0
    reference: str | None = Field(default=None, max_length=100)
    pending: StrictBool = False
    expires_on: date | None = None
    payee: str | None = Field(default=None, max_length=64)
    rail: str = Field(default="platform", max_length=16)
    external_ref: str | None = Field(default=None, max_length=128)
    post: str | None = Field(default=None, max_length=64)
    void: str | None = Field(default=None, max_length=64)

    def to_request(self) -> TransferRequest:
        return TransferRequest(
            self.id,
            self.debit,
            self.credit,
            self.amount,
            self.code,
            self.reference,
            self.pending,
            self.expires_on,
            self.payee,
            self.rail,
            self.external_ref,
            self.post,
            self.void,
        )


class Transfer(Payload):
    """Linked transfers: all are made or none."""

    transfers: list[TransferItem] = Field(min_length=1, max_length=TRANSFERS_PER_COMMAND_MAX)
