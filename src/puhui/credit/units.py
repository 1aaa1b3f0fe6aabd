"""Units and windows the credit features share: values are integers in named units (fen, basis
points, days, counts), category strings, or None when unknown; never floats."""

from __future__ import annotations

WINDOW_DAYS = 365
HALF_WINDOW_DAYS = 182
BP = 10_000

Value = int | str | None
