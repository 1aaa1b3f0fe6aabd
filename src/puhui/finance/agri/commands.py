"""Command payloads of the agri context (types only; the handlers apply the rules)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, StrictBool, StrictInt, StringConstraints

from puhui.kernel.payloads import Id, Payload

Rate = Annotated[str, StringConstraints(min_length=1, max_length=24)]
Count = Annotated[StrictInt, Field(ge=0, le=10**9)]
READING_ROWS_MAX = 1_000
DEVICES_PER_FLOCK_MAX = 50
SUPPLIERS_MAX = 10
NOTE_CHARS_MAX = 300


class RegisterTemplate(Payload):
    """A production template as data (see ``model.Template``); operator, bank or cooperative."""

    template: dict[str, Any]


class FitTemplate(Payload):
    """A farm's own template: ``base_template_id`` fitted to the farm's completed batches."""

    template_id: Id
    base_template_id: Id
    farm_id: Id


class RecordBatch(Payload):
    """A past batch the farm declares (optionally backed by a registered document it owns)."""

    batch_id: Id
    template_id: Id
    placed_on: date
    days: Annotated[StrictInt, Field(ge=1, le=800)]
    animals_placed: Annotated[StrictInt, Field(ge=1, le=10**7)]
    animals_sold: Count
    feed_kg: Count
    weight_g_avg: Count
    completed: StrictBool
    evidence_document_id: Id | None = None


class OpenLine(Payload):
    """The lender's approval: a line for cycles of up to ``animals`` animals, sized by the model."""

    line_id: Id
    farm_id: Id
    template_id: Id
    product_id: Id
    animals: Annotated[StrictInt, Field(ge=1, le=10**7)]
    annual_rate: Rate
    suppliers: list[Id] = Field(min_length=1, max_length=SUPPLIERS_MAX)
    completion_bp_min: Annotated[StrictInt, Field(ge=0, le=10_000)] = 8_000


class LineRef(Payload):
    line_id: Id


class StartCycle(Payload):
    """The farm places a flock: monitored always, financed when a line is named."""

    flock_id: Id
    animals: Annotated[StrictInt, Field(ge=1, le=10**7)]
    devices: list[Id] = Field(min_length=1, max_length=DEVICES_PER_FLOCK_MAX)
    line_id: Id | None = None
    template_id: Id | None = None
    """Without a line: the template to monitor against (with a line: the line's)."""
    supplier_id: Id | None = None
    """With a line: the feed supplier of this cycle (one the line names)."""


class OrderFeed(Payload):
    """The farm orders a stage's feed from the supplier (paid by the loan when confirmed)."""

    order_id: Id
    flock_id: Id
    stage: Annotated[StrictInt, Field(ge=1, le=40)]
    supplier_id: Id
    amount: Annotated[StrictInt, Field(ge=1)]
    feed_kg: Annotated[StrictInt, Field(ge=1)]


class ConfirmOrder(Payload):
    order_id: Id


class ReadingRow(Payload):
    """One device's readings of one flock for the day, summarised (see docs/agri.md)."""

    flock_id: Id
    device_id: Id
    readings: Annotated[StrictInt, Field(ge=1, le=10**6)]
    weight_g_avg: Annotated[StrictInt, Field(ge=1, le=10**6)] | None = None
    weight_samples: Count = 0
    deaths: Count = 0
    feed_g: Count = 0
    temp_mc_min: Annotated[StrictInt, Field(ge=-50_000, le=80_000)] | None = None
    temp_mc_max: Annotated[StrictInt, Field(ge=-50_000, le=80_000)] | None = None
    batch_document_id: Id | None = None


class RecordReadings(Payload):
    day: date
    rows: list[ReadingRow] = Field(min_length=1, max_length=READING_ROWS_MAX)


class Decision(StrEnum):
    RELEASE = "release"
    KEEP_FROZEN = "keep_frozen"


class ReviewAlert(Payload):
    alert_id: Annotated[str, StringConstraints(min_length=3, max_length=120)]
    decision: Decision
    note: str = Field(min_length=1, max_length=NOTE_CHARS_MAX)


class RecordSale(Payload):
    """The buyer pays for (part of) the flock's output through the platform."""

    sale_id: Id
    flock_id: Id
    animals: Count
    units_milli: Count
    """Sold quantity in thousandths of the template's sale unit (grams of live weight)."""
    amount: Annotated[StrictInt, Field(ge=1)]
    final: StrictBool = True
