"""Fixtures: every store test runs on SQLite and on PostgreSQL.

PostgreSQL is at PUHUI_TEST_POSTGRES_URL (default: the local server). Each test gets its own
schema, migrated with Alembic; if the server cannot be reached the tests fail — never skip.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.config import Settings
from puhui.kernel import signing
from puhui.kernel.store import make_engine
from puhui.kernel.store.migrate import upgrade

POSTGRES_URL = os.environ.get(
    "PUHUI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
START = date(2026, 3, 2)
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _postgres_schema() -> Iterator[str]:
    admin = create_engine(POSTGRES_URL)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # the suite must fail, not skip, without PostgreSQL
        pytest.fail(f"PostgreSQL at {POSTGRES_URL} is not reachable: {exc}")
    try:
        yield schema
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def engine_on(backend: str, directory: Path) -> Iterator[tuple[Engine, str]]:
    """An engine on an empty database of ``backend`` (SQLite under ``directory``, or a fresh
    PostgreSQL schema), and the URL it was made from."""
    if backend == "sqlite":
        url = f"sqlite:///{directory / 'puhui.db'}"
        engine = make_engine(url)
    else:
        url = POSTGRES_URL
        schemas = _postgres_schema()
        schema = next(schemas)
        engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine, url
    finally:
        engine.dispose()
        if backend != "sqlite":
            schemas.close()  # drops the schema


@contextmanager
def platform_on(backend: str, directory: Path, *, migrate: bool = True) -> Iterator[Platform]:
    """A migrated (unless ``migrate`` is false), empty platform on ``backend`` (its files under
    ``directory``)."""
    settings_kwargs = {
        "log_key_file": directory / "log.key",
        "custody_master_key_file": directory / "custody.key",
    }
    with engine_on(backend, directory) as (engine, url):
        p = Platform.from_settings(Settings(database_url=url, **settings_kwargs), engine=engine)
        if migrate:
            upgrade(engine)
        yield p


def free_port() -> int:
    """A local TCP port nothing listens on (once the probe socket is closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def platform(backend: str, tmp_path: Path) -> Iterator[Platform]:
    with platform_on(backend, tmp_path) as p:
        yield p


@pytest.fixture
def operator(platform: Platform) -> Identity:
    """An operator that has started the log on START."""
    ident = Identity("operator", signing.generate())
    platform.kernel.submit(
        ident.sign(
            "party.genesis",
            {"party_id": "operator", "name": "Operator", "public_key": ident.public_key_b64},
            START,
            "genesis",
        )
    )
    return ident


def register(
    platform: Platform,
    operator: Identity,
    party_id: str,
    roles: list[str],
    kind: str = "person",
    uscc: str | None = None,
    day: date = START,
) -> Identity:
    ident = Identity(party_id, signing.generate())
    payload = {
        "party_id": party_id,
        "name": party_id.title(),
        "kind": kind,
        "roles": roles,
        "public_key": ident.public_key_b64,
        "uscc": uscc,
    }
    platform.kernel.submit(operator.sign("party.register", payload, day, f"reg-{party_id}"))
    return ident
