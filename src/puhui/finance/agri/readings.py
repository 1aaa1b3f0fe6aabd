"""A device's raw readings summarised into the row ``agri.record_readings`` carries.

Why summaries on the log: handlers must decide from the log alone (replay and offline verify
have no off-log bytes), so the close of day cannot read raw IoT batches. The farm signs a
day's summary per device — readings count, average weight and samples, deaths, feed, house
temperature range — optionally naming the ``iot_batch`` document whose commitment covers the
raw readings, so anyone given the batch can recompute the summary and check it. One command
carries up to 1,000 such rows, so a day of a million readings is a few hundred bytes a flock.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

WEIGHT, DEATHS, FEED, TEMP = "weight_g", "deaths", "feed_g", "temp_mc"
METRICS = (WEIGHT, DEATHS, FEED, TEMP)


def summarise(
    flock_id: str,
    device_id: str,
    readings: Iterable[tuple[int, str, int]] | Iterable[list[Any]],
    batch_document_id: str | None = None,
) -> dict[str, Any]:
    """``[t_ms, metric, value]`` readings (``weight_g`` a bird weighed, ``deaths`` birds found
    dead, ``feed_g`` feed delivered by the line, ``temp_mc`` house temperature) → one row."""
    count = weight_total = weight_samples = deaths = feed = 0
    temp_min: int | None = None
    temp_max: int | None = None
    for _t, metric, value in readings:
        count += 1
        if metric == WEIGHT:
            weight_total += value
            weight_samples += 1
        elif metric == DEATHS:
            deaths += value
        elif metric == FEED:
            feed += value
        elif metric == TEMP:
            temp_min = value if temp_min is None else min(temp_min, value)
            temp_max = value if temp_max is None else max(temp_max, value)
    row: dict[str, Any] = {
        "flock_id": flock_id,
        "device_id": device_id,
        "readings": count,
        "weight_samples": weight_samples,
        "deaths": deaths,
        "feed_g": feed,
    }
    if weight_samples:
        row["weight_g_avg"] = weight_total // weight_samples
    if temp_min is not None:
        row["temp_mc_min"], row["temp_mc_max"] = temp_min, temp_max
    if batch_document_id is not None:
        row["batch_document_id"] = batch_document_id
    return row
