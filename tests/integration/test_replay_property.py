"""Property: whatever mix of commands is submitted (accepted or refused), replaying the log —
in place, or offline from an export — reproduces exactly the live state digest."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from puhui.bootstrap import Platform, build_registry
from puhui.client import Identity
from puhui.config import Settings
from puhui.kernel import signing
from puhui.kernel.digest import state_digest
from puhui.kernel.errors import PuhuiError
from puhui.kernel.export import export
from puhui.kernel.replay import replay_in_place
from puhui.kernel.service import utc_now
from puhui.kernel.store import make_engine
from puhui.kernel.store.migrate import upgrade
from puhui.kernel.verify import verify_export
from puhui.parties import views
from tests.conftest import POSTGRES_URL, START, _postgres_schema

ROLES = ["farmer", "sme", "bank", "supplier"]
operations = st.lists(
    st.one_of(
        st.tuples(st.just("register"), st.integers(0, 5), st.sampled_from(ROLES)),
        st.tuples(st.just("rotate"), st.integers(0, 5), st.booleans()),
        st.tuples(st.just("revoke"), st.integers(0, 5), st.booleans()),
        st.tuples(st.just("roles"), st.integers(0, 5), st.sampled_from(ROLES)),
        st.tuples(st.just("suspend"), st.integers(0, 5), st.booleans()),
        st.tuples(st.just("close"), st.integers(0, 1), st.booleans()),
    ),
    min_size=1,
    max_size=25,
)


@contextmanager
def fresh_platform(backend: str, tmp: Path) -> Iterator[Platform]:
    keys = {"log_key_file": tmp / "log.key", "custody_master_key_file": tmp / "c.key"}
    if backend == "sqlite":
        url = f"sqlite:///{tmp / 'p.db'}"
        engine = make_engine(url)
    else:
        schemas = _postgres_schema()
        schema = next(schemas)
        url = POSTGRES_URL
        engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        upgrade(engine)
        yield Platform.from_settings(Settings(database_url=url, **keys), engine=engine)
    finally:
        engine.dispose()
        if backend != "sqlite":
            next(schemas, None)


def _run(platform: Platform, ops: list[tuple[str, int, object]]) -> None:
    op = Identity("operator", signing.generate())
    kernel, day = platform.kernel, START
    kernel.submit(
        op.sign(
            "party.genesis",
            {"party_id": "operator", "name": "Op", "public_key": op.public_key_b64},
            day,
        )
    )
    keys: dict[int, Identity] = {}
    counter = itertools.count()
    for kind, n, arg in ops:
        pid = f"p-{n}"
        me = keys.get(n, Identity(pid, signing.generate()))
        try:
            if kind == "register":
                fresh = Identity(pid, signing.generate())
                kernel.submit(
                    op.sign(
                        "party.register",
                        {
                            "party_id": pid,
                            "name": pid,
                            "kind": "person",
                            "roles": [arg],
                            "public_key": fresh.public_key_b64,
                        },
                        day,
                    )
                )
                keys[n] = fresh
            elif kind == "rotate":
                new = Identity(pid, signing.generate())
                signer = me if arg else op
                kernel.submit(
                    signer.sign(
                        "party.rotate_key",
                        {
                            "party_id": pid,
                            "new_public_key": new.public_key_b64,
                            "retire_key_id": me.key_id,
                        },
                        day,
                    )
                )
                keys[n] = new
            elif kind == "revoke":
                kernel.submit(
                    (me if arg else op).sign(
                        "party.revoke_key",
                        {"party_id": pid, "key_id": me.key_id, "reason": "test"},
                        day,
                    )
                )
            elif kind == "roles":
                kernel.submit(op.sign("party.change_roles", {"party_id": pid, "add": [arg]}, day))
            elif kind == "suspend":
                status = "suspended" if arg else "active"
                kernel.submit(
                    op.sign(
                        "party.set_status",
                        {"party_id": pid, "status": status, "reason": "test"},
                        day,
                    )
                )
            else:
                kernel.submit(
                    op.sign(
                        "clock.close_day", {"date": day.isoformat()}, day, f"close-{next(counter)}"
                    )
                )
                day += timedelta(days=1)
        except PuhuiError:
            pass  # refused commands leave nothing; the property covers them too


def _check(backend: str, ops: list[tuple[str, int, object]]) -> None:
    with tempfile.TemporaryDirectory() as tmp, fresh_platform(backend, Path(tmp)) as platform:
        _run(platform, ops)
        with platform.engine.connect() as conn:
            live = state_digest(conn)
        export(platform.engine, platform.log_signer, Path(tmp) / "x", utc_now())
        offline = verify_export(
            Path(tmp) / "x",
            platform.log_signer.verifier_key(),
            build_registry(),
            lambda c: views.witness_keys(c, active_only=False),
        )
        assert offline.state_digest == live
        assert replay_in_place(platform.engine, platform.registry).state_digest == live


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
def test_replay_reproduces_state_sqlite(ops: list[tuple[str, int, object]]) -> None:
    _check("sqlite", ops)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
def test_replay_reproduces_state_postgresql(ops: list[tuple[str, int, object]]) -> None:
    _check("postgresql", ops)
