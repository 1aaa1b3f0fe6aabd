"""Payment rails: how money reaches or leaves the platform ledger.

A rail is a small ``Protocol``. The built-in ``platform`` rail settles between ledger accounts
at once. External rails (bank transfer, e-CNY, stablecoin) record the payment's external
reference and settle on confirmation: the transfer is created pending and posted (or voided)
when the operator or an oracle confirms (or reports the failure of) the external payment.
Rails only check what they can check deterministically; talking to a bank or a chain happens
outside the ledger, and the confirmation comes back as a signed command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from puhui.accounts.errors import InvalidExternalReference

PLATFORM = "platform"
CONFIRMER_ROLES = frozenset({"operator", "oracle"})
"""Who may post or void a transfer on an external rail (the rail's confirmation)."""


class Rail(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def needs_confirmation(self) -> bool:
        """True: transfers are created pending and settle on confirmation."""
        ...

    def check_reference(self, external_ref: str | None) -> None:
        """Raise InvalidExternalReference unless ``external_ref`` suits this rail."""
        ...


@dataclass(frozen=True)
class PlatformRail:
    name: str = PLATFORM
    needs_confirmation: bool = False

    def check_reference(self, external_ref: str | None) -> None:
        if external_ref is not None:
            raise InvalidExternalReference("the platform rail takes no external reference")


@dataclass(frozen=True)
class ExternalRail:
    name: str
    reference_pattern: re.Pattern[str]
    reference_hint: str
    needs_confirmation: bool = True

    def check_reference(self, external_ref: str | None) -> None:
        if external_ref is None or not self.reference_pattern.match(external_ref):
            raise InvalidExternalReference(
                f"the {self.name} rail needs external_ref: {self.reference_hint}, "
                f"got {external_ref!r}"
            )


RAILS: dict[str, Rail] = {
    r.name: r
    for r in (
        PlatformRail(),
        ExternalRail(
            "bank_transfer",
            re.compile(r"^[A-Za-z0-9-]{6,64}$"),
            "the bank's payment serial number (6-64 letters, digits or '-')",
        ),
        ExternalRail(
            "ecny",
            re.compile(r"^[0-9A-Za-z]{16,64}$"),
            "the e-CNY wallet transaction id (16-64 letters or digits)",
        ),
        ExternalRail(
            "stablecoin",
            re.compile(r"^0x[0-9a-f]{64}$"),
            "the chain transaction hash (0x and 64 lowercase hex digits)",
        ),
    )
}
