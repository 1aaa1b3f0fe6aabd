"""Command payloads of the receivables context (all amounts in fen)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StrictInt

from puhui.finance.rates import AnnualRate
from puhui.finance.receivables.model import (
    DOCUMENTS_PER_ISSUE_MAX,
    MATURITY_MONTHS_HARD_MAX,
    PARTS_PER_SPLIT_MAX,
)
from puhui.kernel.payloads import Amount, Id, Payload
from puhui.lending.daycount import DayCount

NOTE_CHARS_MAX = 500


class InvoiceRef(Payload):
    document_id: Id
    amount: Amount
    """The invoice's total (价税合计) as the core enterprise confirmed it; checked against the
    stored invoice by the API before submission."""


class Issue(Payload):
    """``receivable.issue``: the core enterprise (signer) promises ``amount`` to its supplier."""

    receivable_id: Id
    supplier: Id
    amount: Amount
    currency: Literal["CNY"] = "CNY"
    maturity_date: date | None = None
    """Default: the policy limit (six months unless the operator set another)."""
    contract_id: Id
    delivery_ids: list[Id] = Field(min_length=1, max_length=DOCUMENTS_PER_ISSUE_MAX)
    invoices: list[InvoiceRef] = Field(min_length=1, max_length=DOCUMENTS_PER_ISSUE_MAX)


class ReceivableRef(Payload):
    """``receivable.accept`` / ``receivable.reject`` by the supplier named at issue."""

    receivable_id: Id


class SetPolicy(Payload):
    """``receivable.set_policy`` (operator): the longest maturity allowed at issue."""

    maturity_months_max: Annotated[StrictInt, Field(ge=1, le=MATURITY_MONTHS_HARD_MAX)]


class Part(Payload):
    piece_id: Id
    to: Id
    amount: Amount
    contract_id: Id
    """A confirmed contract in which ``to`` sells to the holder (the signer)."""


class Split(Payload):
    """``receivable.transfer``: the holder passes parts of a piece to its own suppliers."""

    piece_id: Id
    parts: list[Part] = Field(min_length=1, max_length=PARTS_PER_SPLIT_MAX)
    remainder_piece_id: Id | None = None
    """The id of what the holder keeps; required when the parts are less than the piece."""


class OfferGuarantee(Payload):
    """``receivable.offer_guarantee`` (guarantor): liable for ``piece_id`` and all its parts."""

    guarantee_id: Id
    piece_id: Id
    fee: Amount
    fee_payer: Id
    """The holder of the piece or the core enterprise; it accepts and pays the fee."""


class AcceptGuarantee(Payload):
    guarantee_id: Id


class RequestFinancing(Payload):
    """``receivable.request_financing`` (holder): offer a piece to a bank for factoring."""

    financing_id: Id
    piece_id: Id
    bank: Id
    recourse: bool
    payee: Id | None = None
    """Who receives the price (default: the holder), e.g. the holder's own supplier."""


class Finance(Payload):
    """``receivable.finance`` (the bank named in the request): buy the piece at a discount."""

    financing_id: Id
    annual_rate: AnnualRate
    day_count: DayCount = DayCount.ACT_360
    note: str = Field(default="", max_length=NOTE_CHARS_MAX)


class DeclineFinancing(Payload):
    financing_id: Id
    reason: str = Field(min_length=1, max_length=NOTE_CHARS_MAX)
