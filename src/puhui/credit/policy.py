"""Credit policy as data: a product's rules, set on the log by its lender, applied the same way
by the decision handler, by `explain` and by replay.

Order of the rules: decline (tax rating in ``decline_tax_ratings``; score below
``decline_score_below``), then refer (over ``refer_dpd_days_over`` days past due anywhere on the
platform; score below ``refer_score_below``; the risk price above the product's cap), else
approve. Limit: the first band (highest ``score_min`` first) the score reaches. Price: annual
rate = base + PD × LGD + margin, quantized once to 0.0001, half-even, capped at ``rate_cap``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from puhui.credit.units import Value
from puhui.documents.kinds import Rating
from puhui.kernel.canonical import SAFE_INTEGER_MAX, canonical_json
from puhui.kernel.commands import ID_PATTERN

RATE_QUANTUM = Decimal("0.0001")
BANDS_MAX = 20
Rate = Annotated[Decimal, Field(ge=0, le=1, max_digits=8, decimal_places=6)]
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN.pattern)]


class LimitBand(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    score_min: int = Field(ge=0, le=10_000)
    limit_fen: int = Field(gt=0, le=SAFE_INTEGER_MAX)


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    product_id: Id
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    decline_tax_ratings: tuple[Rating | Literal["none"], ...] = Field(default=("D",), max_length=6)
    """Ratings to decline; ``none``: no rating issued or attested."""
    refer_dpd_days_over: int = Field(default=90, ge=0)
    decline_score_below: int = Field(ge=0, le=10_000)
    refer_score_below: int = Field(ge=0, le=10_000)
    limit_bands: tuple[LimitBand, ...] = Field(min_length=1, max_length=BANDS_MAX)
    base_rate: Rate
    loss_given_default: Rate = Decimal("0.45")
    margin: Rate = Decimal("0.01")
    rate_cap: Rate

    @model_validator(mode="after")
    def _rules(self) -> Policy:
        if self.refer_score_below < self.decline_score_below:
            raise ValueError("refer_score_below must not be below decline_score_below")
        mins = [b.score_min for b in self.limit_bands]
        if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
            raise ValueError("limit_bands must be ordered by score_min, highest first")
        if self.base_rate > self.rate_cap:
            raise ValueError("base_rate is above rate_cap")
        return self

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @property
    def sha256(self) -> str:
        return hashlib.sha256(canonical_json(self.to_json())).hexdigest()


@dataclass(frozen=True)
class Outcome:
    outcome: str
    """approve, refer or decline."""
    limit_fen: int
    rate: Decimal | None
    policy_reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "limit_fen": self.limit_fen,
            "rate": None if self.rate is None else str(self.rate),
            "policy_reasons": list(self.policy_reasons),
        }


def apply(policy: Policy, score: int, pd: Decimal, inputs: dict[str, Value]) -> Outcome:
    """The product's rules on (score, PD, policy inputs); pure and deterministic."""
    declines, refers = [], []
    rating = inputs.get("tax_rating")
    if rating in policy.decline_tax_ratings:
        declines.append(f"tax credit rating {rating}: the product declines it")
    if score < policy.decline_score_below:
        declines.append(f"score {score} is below the decline floor {policy.decline_score_below}")
    if declines:
        return Outcome("decline", 0, None, tuple(declines))
    dpd = inputs.get("current_dpd_days_max")
    if isinstance(dpd, int) and dpd > policy.refer_dpd_days_over:
        refers.append(f"{dpd} days past due on a platform loan (over {policy.refer_dpd_days_over})")
    if score < policy.refer_score_below:
        refers.append(f"score {score} is below the referral line {policy.refer_score_below}")
    raw = policy.base_rate + pd * policy.loss_given_default + policy.margin
    rate = raw.quantize(RATE_QUANTUM, rounding=ROUND_HALF_EVEN)
    if rate > policy.rate_cap:
        refers.append(f"risk price {rate} is above the product's cap {policy.rate_cap}")
        rate = policy.rate_cap
    limit = next((b.limit_fen for b in policy.limit_bands if score >= b.score_min), 0)
    if limit == 0:
        refers.append(f"score {score} reaches no limit band")
    return Outcome("refer" if refers else "approve", limit, rate, tuple(refers))


POLICY_INPUTS = ("tax_rating", "current_dpd_days_max")
