"""Agri through the HTTP API and the SDK, on both stores: templates with the staged vs lump-sum
interest, a line with its computation, a flock's stage drawn by signed commands, a refusal as
problem+json, readings summarised and recorded, and visibility to the parties concerned."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from puhui.api.app import create_app
from puhui.api.auth import new_token
from puhui.bootstrap import Platform
from puhui.client import ApiError, Client, Identity
from puhui.demo_agri import AgriStory
from tests.agri import make_story


@pytest.fixture
def api(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform), raise_server_exceptions=False) as client:
        yield client


def _client(api: TestClient, story: AgriStory, party: str) -> Client:
    token = new_token()
    story.submit(party, "party.issue_token", token.payload, f"token-{party}")
    ident: Identity = story.ids[party]
    return Client("http://testserver", ident, token=token.token, transport=api._transport)


def test_agri_through_the_api_and_sdk(
    api: TestClient, platform: Platform, operator: Identity
) -> None:
    story = make_story(platform, operator)
    story.set_up()
    farm = _client(api, story, "farmer-li")
    coop = _client(api, story, "coop-minhou")
    feed = _client(api, story, "feed-supplier")
    stranger = _client(api, story, "farmer-far")

    assert {t["template_id"] for t in farm.agri.templates()} >= {"broiler-ross308-42d"}
    shown = farm.agri.template("broiler-ross308-42d", 10_000, "0.087")
    assert shown["interest_per_animal"]["lump_sum_interest_fen_per_animal"] == "12.03"
    assert len(shown["plan"]) == 6
    tiny = farm.agri.template("broiler-ross308-42d", 10_000, "1e-12")["interest_per_animal"]
    assert tiny["lump_sum_interest_fen_per_animal"] == "0.00"
    assert tiny["staged_over_lump_sum"] is None  # not 0 / 0
    for not_a_rate in ("NaN", "Infinity", "0", "x"):
        with pytest.raises(ApiError) as refused:
            farm.agri.template("broiler-ross308-42d", 10_000, not_a_rate)
        assert refused.value.status == 422
    line = coop.agri.line("line-li")
    assert line["computation"]["completion_bp"] == 9306 and line["status"] == "active"
    with pytest.raises(ApiError) as hidden:
        stranger.agri.line("line-li")
    assert hidden.value.status == 404

    farm.agri.start_cycle(
        "f1",
        10_000,
        ["li-house-1-scale", "li-house-1-climate"],
        line_id="line-li",
        supplier_id="feed-supplier",
    )
    stage = farm.agri.flock("f1")["plan"][0]
    with pytest.raises(ApiError) as too_big:
        farm.agri.order_feed("o1", "f1", 1, "feed-supplier", stage["allowance"] + 1, 1)
    assert too_big.value.status == 422
    assert too_big.value.problem["type"].endswith("/stage-exceeds-plan")
    farm.agri.order_feed("o1", "f1", 1, "feed-supplier", stage["allowance"], stage["feed_kg"])
    feed.agri.confirm_order("o1")
    flock = coop.agri.flock("f1")
    assert flock["stages_drawn"] == 1 and flock["orders"][0]["status"] == "confirmed"

    raw = [[1, "weight_g", 42], [2, "deaths", 3], [3, "temp_mc", 33_000]]
    row = farm.post(
        "/agri/readings/summary",
        {"flock_id": "f1", "device_id": "li-house-1-scale", "readings": raw},
    )
    assert row == farm.agri.summarise("f1", "li-house-1-scale", raw)
    farm.agri.record_readings([row])
    assert farm.agri.flock("f1")["deaths"] == 3
    scale_2 = {**row, "device_id": "li-house-1-climate", "weight_g_avg": 48, "weight_samples": 3}
    farm.agri.record_readings([{**scale_2, "deaths": 1}])
    [day] = coop.agri.flock_days("f1")
    template = coop.agri.template("broiler-ross308-42d", 10_000, "0.087")["template"]
    assert day["day"] == farm.business_date().isoformat() and day["age"] >= 0
    assert day["deaths"] == 4 and day["readings"] == 2 * row["readings"]
    assert day["weight_g_avg"] == (42 * 1 + 48 * 3) // 4  # averaged over all samples
    assert day["expected_g"] == template["weight_g"][day["age"] // template["curve_step_days"]]
    with pytest.raises(ApiError) as hidden_days:
        stranger.agri.flock_days("f1")
    assert hidden_days.value.status == 404
    assert [f["flock_id"] for f in coop.agri.flocks()] == ["f1"]
    assert stranger.agri.flocks() == [] and stranger.agri.alerts() == []
    assert len(coop.agri.batches("farmer-li")) == 6
