"""A farm's production record (agri batches and monitored flocks) becomes credit features under
the farm's consent, as of the decision date: a batch counts only once it has ended and reached
the log, and a lender without the farm's consent sees none of it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.credit.errors import ConsentMissing
from puhui.credit.production_facts import PRODUCTION_FIELDS
from puhui.credit.units import Value
from puhui.demo_agri import BUYER, COOP, FARM, TEMPLATE, AgriStory
from puhui.finance.agri import views as agri
from tests.agri import make_story
from tests.credit_support import credit_grant, features_as_of

PLACED, SOLD_PAST, DEATHS_PAST, PAST_BATCHES = 8_000, 7_700, 300, 6
"""The six batches ``AgriStory.set_up`` declares for the farm (the template expects 4% deaths)."""
TEMPLATE_MORTALITY_BP = 400


def _features(platform: Platform, lender: str, day: date) -> dict[str, Value]:
    return features_as_of(platform, FARM, lender, day)


def _grant(story: AgriStory, grantee: str, kind: str) -> None:
    grant = credit_grant(
        f"grant-{grantee}-{kind}", grantee, kind, story.today() + timedelta(days=365)
    )
    story.submit(FARM, "consent.grant", grant, f"grant-{grantee}-{kind}")


def _monitored_cycle(story: AgriStory, sold: int) -> None:
    start = {
        "flock_id": "flock-monitored",
        "animals": PLACED,
        "devices": ["li-house-1-scale"],
        "template_id": TEMPLATE,
    }
    story.submit(FARM, "agri.start_cycle", start, "start-monitored")
    for _ in range(3):
        story.close_day()
    sale = {
        "sale_id": "sale-monitored",
        "flock_id": "flock-monitored",
        "animals": sold,
        "units_milli": sold * 2_700,
        "amount": sold * 23,
    }
    story.submit(BUYER, "agri.record_sale", sale, "sale-monitored")


def test_production_features_as_of_the_decision_date(
    platform: Platform, operator: Identity
) -> None:
    story = make_story(platform, operator)
    story.set_up()  # declares the farm's past batches today
    declared_on = story.today()
    with pytest.raises(ConsentMissing):
        _features(platform, COOP, declared_on)
    _grant(story, COOP, "iot_batch")
    _monitored_cycle(story, sold=7_900)
    sold_on = story.today()

    now = _features(platform, COOP, sold_on)
    assert now["farm_cycles_completed_36m"] == PAST_BATCHES + 1
    assert now["farm_cycles_failed_36m"] == 0
    assert now["farm_cycles_monitored_36m"] == 1
    deaths = PAST_BATCHES * DEATHS_PAST + (PLACED - 7_900)
    expected = (PAST_BATCHES + 1) * PLACED * TEMPLATE_MORTALITY_BP
    assert now["farm_mortality_vs_template_bp"] == deaths * 10_000 * 10_000 // expected

    before_sale = _features(platform, COOP, sold_on - timedelta(days=1))
    assert before_sale["farm_cycles_completed_36m"] == PAST_BATCHES
    assert before_sale["farm_cycles_monitored_36m"] == 0
    assert before_sale["farm_mortality_vs_template_bp"] == DEATHS_PAST * 10_000 * 10_000 // (
        PLACED * TEMPLATE_MORTALITY_BP
    )
    # the past batches happened long ago, but were declared only on declared_on
    before_declared = _features(platform, COOP, declared_on - timedelta(days=1))
    assert before_declared["farm_cycles_completed_36m"] == 0
    assert before_declared["farm_mortality_vs_template_bp"] is None


def test_production_history_needs_the_farms_consent(platform: Platform, operator: Identity) -> None:
    story = make_story(platform, operator)
    story.set_up()
    _grant(story, COOP, "sales_record")  # some consent, but not to the production record
    values = _features(platform, COOP, story.today())
    assert all(values[name] is None for name in PRODUCTION_FIELDS)
    _grant(story, COOP, "iot_batch")
    assert _features(platform, COOP, story.today())["farm_cycles_completed_36m"] == PAST_BATCHES


def test_declared_and_monitored_batches_keep_the_date_they_reached_the_log(
    platform: Platform, operator: Identity
) -> None:
    story = make_story(platform, operator)
    story.set_up()
    declared_on = story.today()
    _monitored_cycle(story, sold=7_950)
    with platform.engine.connect() as conn:
        history = agri.farm_history(conn, FARM)
    assert [b.source for b in history] == ["declared"] * PAST_BATCHES + ["platform"]
    assert {b.recorded_on for b in history[:-1]} == {declared_on}
    assert history[-1].recorded_on == history[-1].ended_on == story.today()
    assert {b.mortality_expected_bp for b in history} == {TEMPLATE_MORTALITY_BP}
