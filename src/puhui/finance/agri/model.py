"""Production templates (data, not code) and the pure rules built on them: a flock's feed need by
stage, the interest of staged against lump-sum funding, fitting a template to a farm's batches.

A template is JSON (``templates/*.json`` ships broilers and laying hens). Ages are days since
placement (age 0 = the day the flock is placed). ``feed_g_per_day[i]`` is the feed one animal
eats on the ages ``i*step+1 .. (i+1)*step``; ``weight_g[i]`` the expected body weight at age
``i*step``. A stage ``[first, last]`` is the feed of those ages, drawn the day before ``first``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from importlib import resources
from typing import Annotated, Any, NoReturn

from pydantic import (
    Field,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
)

from puhui.finance.agri.errors import InvalidTemplate
from puhui.kernel.canonical import SAFE_INTEGER_MAX
from puhui.kernel.errors import validation_lines
from puhui.kernel.payloads import Id, Payload

BP = 10_000
DAYS_PER_YEAR = 365
"""ACT/365F, as the shipped loan products count interest."""
CYCLE_DAYS_MAX = 800
STAGES_MAX = 40
SHIPPED = ("broiler-ross308-42d.json", "layer-hyline-brown-18-72w.json")
NonNegative = Annotated[StrictInt, Field(ge=0, le=SAFE_INTEGER_MAX)]
Label = Annotated[StrictStr, StringConstraints(min_length=1, max_length=200)]


class _Alerts(Payload):
    """Thresholds of ``monitoring``; ``temp_bands_mc``: [from age, low, high] in milli-°C."""

    weight_under_warning_bp: NonNegative
    weight_under_critical_bp: NonNegative
    mortality_critical_bp: NonNegative
    mortality_warning_pct_of_expected: NonNegative
    silent_days_warning: NonNegative
    silent_days_critical: NonNegative
    temp_bands_mc: list[tuple[NonNegative, StrictInt, StrictInt]] | None = Field(
        None, max_length=100
    )


class _TemplateData(Payload):
    """A template's JSON form: strict types, so nothing is coerced into a template that
    ``problems`` passes and monitoring then cannot read."""

    template_id: Id
    species: Label
    name: Label
    source: Annotated[StrictStr, StringConstraints(max_length=2000)] = ""
    cycle_days: StrictInt
    curve_step_days: StrictInt
    feed_g_per_day: list[NonNegative] = Field(max_length=CYCLE_DAYS_MAX)
    weight_g: list[NonNegative] = Field(max_length=CYCLE_DAYS_MAX + 1)
    mortality_bp: StrictInt
    feed_price_fen_per_kg: NonNegative
    sale_unit: Label
    sale_price_fen_per_unit: NonNegative
    sale_units_per_animal_milli: NonNegative
    stages: list[tuple[StrictInt, StrictInt]] = Field(max_length=STAGES_MAX + 1)
    order_lead_days: StrictInt = 2
    completion_prior_bp: StrictInt
    alerts: _Alerts
    fitted_from: tuple[Id, ...] = ()


def _refuse(problems: list[str]) -> NoReturn:
    raise InvalidTemplate(
        "template is not valid: " + "; ".join(problems[:5]), problems=problems[:20]
    )


@dataclass(frozen=True)
class Template:
    template_id: str
    species: str
    name: str
    cycle_days: int
    curve_step_days: int
    feed_g_per_day: tuple[int, ...]
    weight_g: tuple[int, ...]
    mortality_bp: int
    feed_price_fen_per_kg: int
    sale_unit: str
    sale_price_fen_per_unit: int
    sale_units_per_animal_milli: int
    stages: tuple[tuple[int, int], ...]
    order_lead_days: int
    completion_prior_bp: int
    alerts: dict[str, Any]
    source: str = ""
    fitted_from: tuple[str, ...] = field(default=())

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Template:
        """Parse and check a template; InvalidTemplate lists every problem."""
        try:
            d = _TemplateData.model_validate(data)
        except ValidationError as exc:
            _refuse(validation_lines(exc.errors(), "template"))
        t = cls(
            **d.model_dump(exclude={"alerts", "stages", "feed_g_per_day", "weight_g"}),
            feed_g_per_day=tuple(d.feed_g_per_day),
            weight_g=tuple(d.weight_g),
            stages=tuple(d.stages),
            alerts=d.alerts.model_dump(exclude_none=True),
        )
        if problems := t.problems():
            _refuse(problems)
        return t

    def problems(self) -> list[str]:
        p: list[str] = []
        step = self.curve_step_days
        if not 1 <= self.cycle_days <= CYCLE_DAYS_MAX:
            p.append(f"cycle_days must be 1..{CYCLE_DAYS_MAX}")
        if step < 1 or self.cycle_days % max(step, 1):
            p.append("curve_step_days must be positive and divide cycle_days")
        else:
            if len(self.feed_g_per_day) != self.cycle_days // step:
                p.append(f"feed_g_per_day needs {self.cycle_days // step} values")
            if len(self.weight_g) != self.cycle_days // step + 1:
                p.append(f"weight_g needs {self.cycle_days // step + 1} values")
        if any(x < 0 for x in (*self.feed_g_per_day, *self.weight_g)):
            p.append("feed and weight curves cannot be negative")
        if not 0 <= self.mortality_bp < BP or not 0 < self.completion_prior_bp <= BP:
            p.append("mortality_bp must be 0..9999 and completion_prior_bp 1..10000")
        if self.feed_price_fen_per_kg <= 0 or self.sale_price_fen_per_unit < 0:
            p.append("feed price must be positive and sale price not negative")
        if not 1 <= len(self.stages) <= STAGES_MAX:
            p.append(f"between 1 and {STAGES_MAX} stages")
        expected = 1
        for first, last in self.stages:
            if first != expected or last < first:
                p.append(f"stage [{first}, {last}] must start on day {expected} and not be empty")
                break
            expected = last + 1
        if expected != self.cycle_days + 1:
            p.append(f"stages must cover days 1..{self.cycle_days} in order")
        bands = self.alerts.get("temp_bands_mc", [])
        starts = [start for start, _, _ in bands]
        if starts != sorted(set(starts)) or any(low > high for _, low, high in bands):
            p.append("alerts.temp_bands_mc: start ages must rise, and each low be <= its high")
        if not 0 <= self.order_lead_days <= 14:
            p.append("order_lead_days must be 0..14")
        return p

    def to_json(self) -> dict[str, Any]:
        data = {
            "template_id": self.template_id,
            "species": self.species,
            "name": self.name,
            "source": self.source,
            "cycle_days": self.cycle_days,
            "curve_step_days": self.curve_step_days,
            "feed_g_per_day": list(self.feed_g_per_day),
            "weight_g": list(self.weight_g),
            "mortality_bp": self.mortality_bp,
            "feed_price_fen_per_kg": self.feed_price_fen_per_kg,
            "sale_unit": self.sale_unit,
            "sale_price_fen_per_unit": self.sale_price_fen_per_unit,
            "sale_units_per_animal_milli": self.sale_units_per_animal_milli,
            "stages": [list(s) for s in self.stages],
            "order_lead_days": self.order_lead_days,
            "completion_prior_bp": self.completion_prior_bp,
            "alerts": self.alerts,
        }
        if self.fitted_from:
            data["fitted_from"] = list(self.fitted_from)
        return data

    # ---- curves -------------------------------------------------------------------------------

    def feed_g_on(self, age: int) -> int:
        """Feed one animal eats on day ``age`` (1..cycle_days)."""
        return self.feed_g_per_day[(age - 1) // self.curve_step_days]

    def weight_g_at(self, age: int) -> int:
        return self.weight_g[min(age, self.cycle_days) // self.curve_step_days]

    def feed_g_total(self, first: int = 1, last: int | None = None) -> int:
        last = self.cycle_days if last is None else last
        return sum(self.feed_g_on(a) for a in range(first, last + 1))

    def expected_mortality_bp(self, age: int) -> int:
        """Expected cumulative mortality by ``age``, spread evenly over the cycle."""
        return self.mortality_bp * min(age, self.cycle_days) // self.cycle_days

    def temp_band_mc(self, age: int) -> tuple[int, int] | None:
        band = None
        for start, low, high in self.alerts.get("temp_bands_mc", []):
            if age >= start:
                band = (int(low), int(high))
        return band


def feed_fen(template: Template, animals: int, grams: int) -> int:
    """Cost in fen of ``grams`` of feed per animal for ``animals`` animals (floored)."""
    return animals * grams * template.feed_price_fen_per_kg // 1000


def feed_cost_per_animal_fen(template: Template) -> int:
    return feed_fen(template, 1, template.feed_g_total())


@dataclass(frozen=True)
class Stage:
    number: int
    first_day: int
    last_day: int
    feed_kg: int
    need: int
    """What the flock's feed for the stage costs (fen)."""
    allowance: int
    """What the loan may pay for it: the need times the financed share."""

    @property
    def draw_age(self) -> int:
        return self.first_day - 1

    def to_json(self) -> dict[str, Any]:
        return {
            "stage": self.number,
            "first_day": self.first_day,
            "last_day": self.last_day,
            "feed_kg": self.feed_kg,
            "need": self.need,
            "allowance": self.allowance,
        }


def stage_plan(template: Template, animals: int, share_bp: int = BP) -> list[Stage]:
    plan = []
    for number, (first, last) in enumerate(template.stages, start=1):
        grams = template.feed_g_total(first, last)
        need = feed_fen(template, animals, grams)
        plan.append(
            Stage(number, first, last, animals * grams // 1000, need, need * share_bp // BP)
        )
    return plan


# ---- interest: staged against lump sum -----------------------------------------------------


@dataclass(frozen=True)
class InterestComparison:
    annual_rate: Decimal
    feed_fen_per_animal: int
    staged_fen_per_animal: Decimal
    lump_sum_fen_per_animal: Decimal

    @property
    def ratio(self) -> Decimal | None:
        """Staged over lump-sum interest; None when the lump sum rounds to 0 fen."""
        if not self.lump_sum_fen_per_animal:
            return None
        return (self.staged_fen_per_animal / self.lump_sum_fen_per_animal).quantize(
            Decimal("0.001"), ROUND_HALF_EVEN
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "annual_rate": str(self.annual_rate),
            "feed_fen_per_animal": self.feed_fen_per_animal,
            "staged_interest_fen_per_animal": str(self.staged_fen_per_animal),
            "lump_sum_interest_fen_per_animal": str(self.lump_sum_fen_per_animal),
            "staged_over_lump_sum": None if self.ratio is None else str(self.ratio),
        }


def interest_comparison(
    template: Template, annual_rate: Decimal, animals: int = 10_000
) -> InterestComparison:
    """Interest per animal (fen, to 0.01) of funding the cycle's feed stage by stage — each
    stage drawn the day before it starts — against the whole amount drawn at placement; both
    repaid from the sale at the end of the cycle, simple interest ACT/365F. ``animals`` only
    sets the flock whose whole-fen stage amounts are used, as a loan would draw them."""
    plan = stage_plan(template, animals)
    days = template.cycle_days
    staged = sum(
        (Decimal(s.need) * annual_rate * (days - s.draw_age) for s in plan), Decimal(0)
    ) / (DAYS_PER_YEAR * animals)
    total = sum(s.need for s in plan)
    lump = Decimal(total) * annual_rate * days / (DAYS_PER_YEAR * animals)
    cent = Decimal("0.01")
    return InterestComparison(
        annual_rate,
        feed_cost_per_animal_fen(template),
        staged.quantize(cent, ROUND_HALF_EVEN),
        lump.quantize(cent, ROUND_HALF_EVEN),
    )


# ---- fitting a template to a farm's own batches ---------------------------------------------


@dataclass(frozen=True)
class BatchFacts:
    """A finished batch as the fit and the credit model need it."""

    batch_id: str
    days: int
    animals_placed: int
    animals_sold: int
    feed_kg: int
    weight_g_avg: int
    completed: bool


@dataclass(frozen=True)
class BatchRecord:
    """A finished batch as the farm's production history: its facts, when it ran and reached
    the log, and the mortality its template expected (None without a template)."""

    facts: BatchFacts
    placed_on: date
    recorded_on: date
    mortality_expected_bp: int | None
    source: str
    """``platform`` (a monitored flock) or ``declared`` by the farm."""

    @property
    def ended_on(self) -> date:
        return self.placed_on + timedelta(days=self.facts.days)


def fit(base: Template, template_id: str, batches: list[BatchFacts]) -> Template:
    """The base template scaled to what the farm's completed batches achieved: feed per animal
    (its whole curve scaled by observed / expected feed), weight (by observed / expected final
    weight) and mortality (observed). Integers, rounded half-even once per value."""
    done = [b for b in batches if b.completed and b.animals_placed and b.days]
    if not done:
        raise InvalidTemplate("no completed batch to fit the template to")
    feed_expected = sum(
        b.animals_placed * base.feed_g_total(1, min(b.days, base.cycle_days)) for b in done
    )
    feed_factor = Decimal(sum(b.feed_kg for b in done) * 1000) / feed_expected
    weight_factor = Decimal(sum(b.weight_g_avg * b.animals_sold for b in done)) / sum(
        base.weight_g_at(b.days) * b.animals_sold for b in done
    )
    placed = sum(b.animals_placed for b in done)
    lost = sum(b.animals_placed - b.animals_sold for b in done)

    def scaled(values: tuple[int, ...], factor: Decimal) -> tuple[int, ...]:
        return tuple(int((v * factor).quantize(Decimal(1), ROUND_HALF_EVEN)) for v in values)

    return replace(
        base,
        template_id=template_id,
        name=f"{base.name} (fitted to {len(done)} batches)",
        feed_g_per_day=scaled(base.feed_g_per_day, feed_factor),
        weight_g=scaled(base.weight_g, weight_factor),
        mortality_bp=min(BP - 1, lost * BP // placed),
        fitted_from=tuple(b.batch_id for b in done),
    )


# ---- credit from the model ---------------------------------------------------------------

PRIOR_STRENGTH_BATCHES = 10
"""How many batches the prior (peers', or the template's) counts for against the farm's own."""


def shrunk_bp(completed: int, total: int, prior_bp: int) -> Decimal:
    """(completed + m·prior) / (total + m), m = PRIOR_STRENGTH_BATCHES (a Beta prior)."""
    m = PRIOR_STRENGTH_BATCHES
    return (Decimal(completed * BP) + m * Decimal(prior_bp)) / (total + m)


def completion_bp(own: tuple[int, int], peers: tuple[int, int], template_prior_bp: int) -> int:
    """Probability (basis points) that the farm completes a cycle: its own (completed, total)
    batches shrunk toward its peers' rate, itself shrunk toward the template's prior."""
    peer = shrunk_bp(peers[0], peers[1], template_prior_bp)
    own_rate = shrunk_bp(own[0], own[1], int(peer.quantize(Decimal(1), ROUND_HALF_EVEN)))
    return int(own_rate.quantize(Decimal(1), ROUND_HALF_EVEN))


def shipped_templates() -> list[Template]:
    base = resources.files("puhui.finance.agri") / "templates"
    return [Template.from_json(json.loads((base / n).read_text("utf-8"))) for n in SHIPPED]
