"""The document kinds: each a schema (pydantic), the key fields of its fingerprint and the
parties it names.

Schemas normalise as they validate (NFKC, whitespace, case) and check each field and the rules
between fields (tax not above the amount, dates in order, readings inside their window), so a
refusal lists every problem at once. Amounts are integers of minor units (fen); floats and
numeric strings are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    model_validator,
)

from puhui.documents.errors import DocumentInvalid, UnknownKind
from puhui.documents.model import DocumentKind, normalise_identifier, normalise_text
from puhui.kernel.canonical import SAFE_INTEGER_MAX
from puhui.parties.errors import InvalidUSCC
from puhui.parties.model import check_uscc

TEXT_CHARS_MAX = 500
NUMBER_CHARS_MAX = 64
READINGS_PER_BATCH_MAX = 100_000
ERRORS_SHOWN_MAX = 8


def _text(value: Any) -> Any:
    return normalise_text(value) if isinstance(value, str) else value


def _identifier(value: Any) -> Any:
    return normalise_identifier(value) if isinstance(value, str) else value


def _uscc(value: str) -> str:
    try:
        return check_uscc(value)
    except InvalidUSCC as exc:
        raise ValueError(exc.detail) from exc


def _positive(value: int) -> int:
    if value <= 0:
        raise ValueError(f"must be a positive amount in minor units (fen), got {value}")
    return value


def _not_negative(value: int) -> int:
    if value < 0:
        raise ValueError(f"must not be negative, got {value}")
    return value


Text = Annotated[str, BeforeValidator(_text), Field(min_length=1, max_length=TEXT_CHARS_MAX)]
Number = Annotated[
    str, BeforeValidator(_identifier), Field(min_length=1, max_length=NUMBER_CHARS_MAX)
]
USCC = Annotated[str, BeforeValidator(_identifier), AfterValidator(_uscc)]
Int = Annotated[StrictInt, Field(le=SAFE_INTEGER_MAX, ge=-SAFE_INTEGER_MAX)]
Amount = Annotated[Int, AfterValidator(_positive)]
NonNegative = Annotated[Int, AfterValidator(_not_negative)]
Quantity = Annotated[Int, AfterValidator(_positive)]
Currency = Annotated[str, BeforeValidator(_identifier), Field(pattern=r"^[A-Z]{3}$")]
Digits = Annotated[str, BeforeValidator(_identifier), Field(pattern=r"^\d+$")]
Metric = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


def _in_order(body: BaseModel, earlier: str, later: str) -> None:
    first, then = getattr(body, earlier), getattr(body, later)
    if then is not None and then < first:
        raise ValueError(f"dates out of order: {later} {then} is before {earlier} {first}")


class Contract(Body):
    contract_no: Number
    seller_uscc: USCC
    buyer_uscc: USCC
    goods: Text
    amount: Amount
    currency: Currency = "CNY"
    payment_terms: Text
    payment_due_days: NonNegative
    signed_on: date
    effective_until: date

    @model_validator(mode="after")
    def _rules(self) -> Contract:
        _in_order(self, "signed_on", "effective_until")
        if self.seller_uscc == self.buyer_uscc:
            raise ValueError("seller and buyer must be different parties")
        return self


class PurchaseOrder(Body):
    order_no: Number
    buyer_uscc: USCC
    seller_uscc: USCC
    goods: Text
    quantity: Quantity
    unit: Text
    amount: Amount
    currency: Currency = "CNY"
    ordered_on: date
    delivery_due: date

    @model_validator(mode="after")
    def _rules(self) -> PurchaseOrder:
        _in_order(self, "ordered_on", "delivery_due")
        return self


class DeliveryNote(Body):
    note_no: Number
    supplier_uscc: USCC
    buyer_uscc: USCC
    order_no: Number | None = None
    goods: Text
    quantity: Quantity
    unit: Text
    shipped_on: date
    received_on: date | None = None

    @model_validator(mode="after")
    def _rules(self) -> DeliveryNote:
        _in_order(self, "shipped_on", "received_on")
        return self


class EInvoice(Body):
    """A fapiao (增值税电子发票): identified by its code and number."""

    code: Annotated[Digits, Field(min_length=10, max_length=12)] | None = None
    number: Annotated[Digits, Field(min_length=8, max_length=20)]
    seller_uscc: USCC
    buyer_uscc: USCC
    amount_before_tax: Amount
    tax: NonNegative
    currency: Currency = "CNY"
    issued_on: date
    check_code: Annotated[Digits, Field(min_length=20, max_length=20)]

    @model_validator(mode="after")
    def _rules(self) -> EInvoice:
        if self.tax > self.amount_before_tax:
            raise ValueError(
                f"tax {self.tax} is above the amount before tax {self.amount_before_tax}"
            )
        if self.seller_uscc == self.buyer_uscc:
            raise ValueError("seller and buyer must be different parties")
        return self


class WarehouseReceipt(Body):
    receipt_no: Number
    warehouse_uscc: USCC
    depositor_uscc: USCC
    goods: Text
    grade: Text
    quantity: Quantity
    unit: Text
    location: Text
    issued_on: date
    expires_on: date

    @model_validator(mode="after")
    def _rules(self) -> WarehouseReceipt:
        _in_order(self, "issued_on", "expires_on")
        return self


class TaxFiling(Body):
    taxpayer_uscc: USCC
    tax_authority_uscc: USCC
    period_start: date
    period_end: date
    filed_on: date
    revenue: NonNegative
    vat_paid: NonNegative
    income_tax_paid: NonNegative

    @model_validator(mode="after")
    def _rules(self) -> TaxFiling:
        _in_order(self, "period_start", "period_end")
        _in_order(self, "period_end", "filed_on")
        return self


Rating = Literal["A", "B", "M", "C", "D"]
"""纳税信用等级, best first."""


class TaxRating(Body):
    """纳税信用等级, issued (confirmed on the log) by the tax authority named here."""

    taxpayer_uscc: USCC
    tax_authority_uscc: USCC
    year: Annotated[StrictInt, Field(ge=2000, le=2100)]
    rating: Rating
    issued_on: date


class IotBatch(Body):
    """Readings ``[t_ms, metric, value]`` of one device in ``[window_start_ms, window_end_ms]``,
    integer values with the unit in the metric name (``temp_mc``, ``weight_g``)."""

    device_id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.:-]{1,63}$")]
    window_start_ms: NonNegative
    window_end_ms: NonNegative
    readings: Annotated[
        list[tuple[StrictInt, Metric, StrictInt]],
        Field(min_length=1, max_length=READINGS_PER_BATCH_MAX),
    ]

    @model_validator(mode="after")
    def _rules(self) -> IotBatch:
        _in_order(self, "window_start_ms", "window_end_ms")
        low, high = self.window_start_ms, self.window_end_ms
        previous = low
        for i, (t, _metric, value) in enumerate(self.readings):
            if not previous <= t <= high:
                raise ValueError(f"reading {i} at {t} is outside the window or out of time order")
            if abs(value) > SAFE_INTEGER_MAX:
                raise ValueError(f"reading {i} value is outside ±(2**53-1)")
            previous = t
        return self


class SalesRecord(Body):
    record_no: Number
    seller: Annotated[str, BeforeValidator(_identifier), Field(min_length=2, max_length=64)]
    """The seller's USCC or, for a person, its puhui party id (upper-cased)."""
    buyer_name: Text
    product: Text
    quantity: Quantity
    unit: Text
    amount: Amount
    currency: Currency = "CNY"
    sold_on: date


@dataclass(frozen=True)
class KindSpec:
    """What puhui knows of a kind: schema, fingerprint key, and which fields name parties."""

    kind: DocumentKind
    schema: type[Body]
    key_fields: tuple[str, ...]
    owner_field: str | None
    """Field that must name the registering party (its USCC, or party id for ``seller``)."""
    counterparty_field: str | None = None
    """USCC field naming the party who confirms the document."""
    counterparty_role: str | None = None
    counterparty_required: bool = False


SPECS: dict[DocumentKind, KindSpec] = {
    s.kind: s
    for s in (
        KindSpec(
            DocumentKind.CONTRACT,
            Contract,
            ("contract_no", "seller_uscc", "buyer_uscc"),
            "seller_uscc",
            "buyer_uscc",
        ),
        KindSpec(
            DocumentKind.PURCHASE_ORDER,
            PurchaseOrder,
            ("order_no", "buyer_uscc"),
            "seller_uscc",
            "buyer_uscc",
        ),
        KindSpec(
            DocumentKind.DELIVERY_NOTE,
            DeliveryNote,
            ("note_no", "supplier_uscc"),
            "supplier_uscc",
            "buyer_uscc",
        ),
        KindSpec(DocumentKind.E_INVOICE, EInvoice, ("code", "number"), "seller_uscc", "buyer_uscc"),
        KindSpec(
            DocumentKind.WAREHOUSE_RECEIPT,
            WarehouseReceipt,
            ("receipt_no", "warehouse_uscc"),
            "depositor_uscc",
            "warehouse_uscc",
            "warehouse",
        ),
        KindSpec(
            DocumentKind.TAX_FILING,
            TaxFiling,
            ("taxpayer_uscc", "period_start", "period_end"),
            "taxpayer_uscc",
            "tax_authority_uscc",
            "tax_authority",
            counterparty_required=True,
        ),
        KindSpec(
            DocumentKind.TAX_RATING,
            TaxRating,
            ("taxpayer_uscc", "year"),
            "taxpayer_uscc",
            "tax_authority_uscc",
            "tax_authority",
            counterparty_required=True,
        ),
        KindSpec(DocumentKind.IOT_BATCH, IotBatch, ("device_id", "window_start_ms"), None),
        KindSpec(DocumentKind.SALES_RECORD, SalesRecord, ("seller", "record_no"), "seller"),
    )
}


def spec_of(kind: str) -> KindSpec:
    try:
        return SPECS[DocumentKind(kind)]
    except ValueError as exc:
        known = ", ".join(k.value for k in DocumentKind)
        raise UnknownKind(f"unknown document kind {kind!r}; known kinds: {known}") from exc


def validate_body(kind: str, body: object) -> Body:
    """The body parsed and normalised by its kind's schema; DocumentInvalid lists every problem."""
    spec = spec_of(kind)
    if not isinstance(body, dict):
        raise DocumentInvalid(f"a {kind} body must be a JSON object")
    try:
        return spec.schema.model_validate(body)
    except ValidationError as exc:
        errors = [
            {
                "loc": [str(p) for p in e["loc"]],
                "msg": e["msg"].removeprefix("Value error, "),
            }
            for e in exc.errors()[:ERRORS_SHOWN_MAX]
        ]
        shown = "; ".join(f"{'.'.join(e['loc']) or 'body'}: {e['msg']}" for e in errors)
        raise DocumentInvalid(f"{kind} is not valid: {shown}", errors=errors) from exc


def key_of(kind: str, body: Body) -> dict[str, Any]:
    fields = spec_of(kind).key_fields
    dumped = body.model_dump(mode="json", include=set(fields))
    return {f: dumped.get(f) for f in fields}
