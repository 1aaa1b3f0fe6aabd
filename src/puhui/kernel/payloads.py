"""Building blocks every context's command payloads share.

A payload is a frozen pydantic model that refuses unknown fields; identifiers follow the kernel's
``ID_PATTERN``; amounts are positive integers in minor units (fen) that survive RFC 8785.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from puhui.kernel.canonical import SAFE_INTEGER_MAX
from puhui.kernel.commands import ID_PATTERN

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN.pattern)]
Amount = Annotated[StrictInt, Field(ge=1, le=SAFE_INTEGER_MAX)]


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
