"""A farm's production cycles as credit facts (see ``features``: ``visible`` applies the as-of cut
to the date a cycle ended and the date it reached the log)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from puhui.credit.units import BP, Value

PRODUCTION_WINDOW_DAYS = 3 * 365


@dataclass(frozen=True)
class Cycle:
    """A finished production cycle of a farm: a flock monitored on the platform, or a past
    batch the farm declared. It happened when it ended (the last sale, or placement + days)."""

    placed_on: date
    ended_on: date
    registered_on: date
    completed: bool
    """Sold as planned; False for a cycle lost or abandoned."""
    animals_placed: int
    animals_sold: int
    mortality_expected_bp: int | None
    """The template's mortality for the cycle; None when the cycle names no template."""
    monitored: bool
    """Recorded by the platform from device readings, not declared by the farm."""

    @property
    def happened_on(self) -> date:
        return self.ended_on


class ProductionHistory(Protocol):
    """The read interface over the agri context: a farm's finished cycles, each with the dates
    it ended and reached the log (``visible`` applies the as-of cut)."""

    def cycles(self, farm_id: str) -> tuple[Cycle, ...]: ...


PRODUCTION_FIELDS = (
    "farm_cycles_completed_36m",
    "farm_cycles_failed_36m",
    "farm_cycles_monitored_36m",
    "farm_mortality_vs_template_bp",
)


def production_features(cycles: list[Cycle] | None, as_of: date) -> dict[str, Value]:
    """Cycles that ended in the last three years: how many completed and how many failed, how
    many of them the platform monitored, and deaths against the templates' expectation over
    the completed ones (10,000 = as the templates expect; None without an expectation).
    Unknown (None) when the record was not shared."""
    if cycles is None:
        return dict.fromkeys(PRODUCTION_FIELDS)
    since = as_of - timedelta(days=PRODUCTION_WINDOW_DAYS)
    recent = [c for c in cycles if since < c.ended_on <= as_of]
    done = [c for c in recent if c.completed]
    rated = [c for c in done if c.mortality_expected_bp]
    deaths = sum(c.animals_placed - c.animals_sold for c in rated)
    expected = sum(c.animals_placed * (c.mortality_expected_bp or 0) for c in rated)
    return {
        "farm_cycles_completed_36m": len(done),
        "farm_cycles_failed_36m": len(recent) - len(done),
        "farm_cycles_monitored_36m": sum(c.monitored for c in recent),
        "farm_mortality_vs_template_bp": None if expected == 0 else deaths * BP * BP // expected,
    }
