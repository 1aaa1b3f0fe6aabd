"""The composition root: wires every context into one kernel, once, for API, CLI and tests."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine

from puhui.accounts import handlers as accounts
from puhui.config import Settings, load_settings
from puhui.credit import handlers as credit
from puhui.credit.features import Sources
from puhui.credit_sources import sources as credit_sources
from puhui.documents import handlers as documents
from puhui.finance import orders, receivables
from puhui.finance.agri.context import register_context as register_agri
from puhui.kernel import checkpoints, clock
from puhui.kernel.note import NoteSigner
from puhui.kernel.registry import Registry
from puhui.kernel.service import Kernel
from puhui.kernel.store import make_engine
from puhui.lending.context import register_context as register_lending
from puhui.parties import handlers as parties


def build_registry() -> Registry:
    """Every context's commands and appliers; the order of close-of-day hooks is fixed here."""
    registry = Registry()
    clock.register(registry)
    parties.register_context(registry)
    documents.register_context(registry)
    accounts.register_context(registry)
    register_lending(registry)
    register_agri(registry)
    credit.register_context(registry)
    receivables.register_context(registry)
    orders.register_context(registry)
    return registry


@dataclass
class Platform:
    """One configured puhui: settings, store, kernel and log signer."""

    settings: Settings
    engine: Engine
    registry: Registry

    @classmethod
    def from_settings(
        cls, settings: Settings | None = None, *, engine: Engine | None = None
    ) -> Platform:
        settings = settings or load_settings()
        return cls(settings, engine or make_engine(settings.database_url), build_registry())

    @cached_property
    def kernel(self) -> Kernel:
        return Kernel(self.engine, self.registry)

    @cached_property
    def log_signer(self) -> NoteSigner:
        return checkpoints.load_log_signer(
            self.settings.log_key_file, self.settings.log_origin, create=True
        )

    @cached_property
    def credit_sources(self) -> Sources:
        """The loan book, receivables and farm production records the credit features read."""
        return credit_sources(self.engine)
