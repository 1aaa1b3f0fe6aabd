"""The kernel on real stores: acceptance checks, idempotency, atomicity, keys."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.kernel import signing
from puhui.kernel.digest import state_digest
from puhui.kernel.errors import (
    AuthenticationFailed,
    Conflict,
    IdempotencyConflict,
    InvalidCommand,
    KeyRevoked,
    PermissionDenied,
)
from puhui.kernel.log import tree_head
from puhui.parties import handlers as party_handlers
from puhui.parties.errors import InvalidUSCC, LastKey, PartyExists
from puhui.parties.tables import parties
from puhui.parties.views import get_party
from tests.conftest import START, register


def _state(platform: Platform) -> tuple[int, str]:
    with platform.engine.connect() as conn:
        return tree_head(conn).size, state_digest(conn)


def _register_payload(ident: Identity, party_id: str, **extra: object) -> dict[str, object]:
    return {
        "party_id": party_id,
        "name": "Farm",
        "kind": "person",
        "roles": ["farmer"],
        "public_key": ident.public_key_b64,
        **extra,
    }


def test_genesis_then_register(platform: Platform, operator: Identity) -> None:
    farmer = register(platform, operator, "farmer-li", ["farmer"])
    with platform.engine.connect() as conn:
        party = get_party(conn, "farmer-li")
        assert party.roles == ("farmer",)
        assert party.registered_seq == 1
        assert tree_head(conn).size == 2
    assert farmer.key_id


def test_second_genesis_refused(platform: Platform, operator: Identity) -> None:
    other = Identity("op2", signing.generate())
    with pytest.raises(Conflict, match="first entry"):
        platform.kernel.submit(
            other.sign(
                "party.genesis",
                {"party_id": "op2", "name": "x", "public_key": other.public_key_b64},
                START,
            )
        )


def test_idempotent_retry_returns_first_receipt(platform: Platform, operator: Identity) -> None:
    ident = Identity("farmer-a", signing.generate())
    signed = operator.sign("party.register", _register_payload(ident, "farmer-a"), START, "k1")
    first = platform.kernel.submit(signed)
    before = _state(platform)
    again = platform.kernel.submit(signed.to_json())
    assert again.repeat and not first.repeat
    assert (again.seq, again.leaf_hash, again.events) == (first.seq, first.leaf_hash, first.events)
    assert _state(platform) == before


def test_same_key_different_body_conflicts(platform: Platform, operator: Identity) -> None:
    a, b = Identity("farmer-a", signing.generate()), Identity("farmer-b", signing.generate())
    platform.kernel.submit(
        operator.sign("party.register", _register_payload(a, "farmer-a"), START, "same")
    )
    with pytest.raises(IdempotencyConflict):
        platform.kernel.submit(
            operator.sign("party.register", _register_payload(b, "farmer-b"), START, "same")
        )


def test_bad_uscc_refused_and_nothing_written(platform: Platform, operator: Identity) -> None:
    before = _state(platform)
    ident = Identity("coop", signing.generate())
    payload = _register_payload(ident, "coop", kind="organisation", uscc="91350100M000100Y44")
    with pytest.raises(InvalidUSCC, match="check digit"):
        platform.kernel.submit(operator.sign("party.register", payload, START))
    org = _register_payload(ident, "coop", kind="organisation")
    with pytest.raises(InvalidUSCC, match="must give"):
        platform.kernel.submit(operator.sign("party.register", org, START))
    assert _state(platform) == before


def test_duplicate_uscc_refused(platform: Platform, operator: Identity) -> None:
    register(platform, operator, "coop", ["bank"], "organisation", "91350100M000100Y43")
    with pytest.raises(PartyExists, match="USCC"):
        register(platform, operator, "coop2", ["bank"], "organisation", "91350100M000100Y43")


def test_signature_role_and_date_checks(platform: Platform, operator: Identity) -> None:
    farmer = register(platform, operator, "farmer-li", ["farmer"])
    newbie = Identity("x1", signing.generate())
    payload = _register_payload(newbie, "x1")
    with pytest.raises(PermissionDenied, match="operator"):
        platform.kernel.submit(farmer.sign("party.register", payload, START))
    with pytest.raises(Conflict, match="business date"):
        platform.kernel.submit(operator.sign("party.register", payload, START + timedelta(1)))
    forged = operator.sign("party.register", payload, START).to_json()
    forged["command"]["payload"]["name"] = "Forged"
    with pytest.raises(AuthenticationFailed, match="signature"):
        platform.kernel.submit(forged)
    impostor = Identity("operator", signing.generate())
    with pytest.raises(AuthenticationFailed, match="unknown key"):
        platform.kernel.submit(impostor.sign("party.register", payload, START))
    with pytest.raises(InvalidCommand, match="unknown command type"):
        platform.kernel.submit(operator.sign("party.fly", {}, START))
    with pytest.raises(InvalidCommand, match="roles"):
        platform.kernel.submit(
            operator.sign("party.register", {**payload, "roles": ["pilot"]}, START)
        )


def test_rotation_and_revoked_key_refused(platform: Platform, operator: Identity) -> None:
    old = register(platform, operator, "farmer-li", ["farmer"])
    new = Identity("farmer-li", signing.generate())
    platform.kernel.submit(
        old.sign(
            "party.rotate_key",
            {"party_id": "farmer-li", "new_public_key": new.public_key_b64},
            START,
        )
    )
    token = {"token_id": "0123456789abcdef", "secret_sha256": "00" * 32}
    with pytest.raises(KeyRevoked):
        platform.kernel.submit(old.sign("party.issue_token", token, START))
    platform.kernel.submit(new.sign("party.issue_token", token, START))
    with pytest.raises(LastKey):
        platform.kernel.submit(
            new.sign(
                "party.revoke_key",
                {"party_id": "farmer-li", "key_id": new.key_id, "reason": "lost"},
                START,
            )
        )
    platform.kernel.submit(
        operator.sign(
            "party.revoke_key",
            {"party_id": "farmer-li", "key_id": new.key_id, "reason": "phone stolen"},
            START,
        )
    )
    with pytest.raises(KeyRevoked):
        platform.kernel.submit(
            new.sign("party.revoke_token", {"token_id": "0123456789abcdef"}, START)
        )


def test_close_day_moves_the_business_date(platform: Platform, operator: Identity) -> None:
    receipt = platform.kernel.submit(
        operator.sign("clock.close_day", {"date": "2026-03-02"}, START)
    )
    assert receipt.events[-1].data == {"date": "2026-03-02", "next": "2026-03-03"}
    with pytest.raises(Conflict):
        platform.kernel.submit(operator.sign("clock.close_day", {"date": "2026-03-03"}, START))
    nxt = START + timedelta(1)
    platform.kernel.submit(operator.sign("clock.close_day", {"date": "2026-03-03"}, nxt))


def test_crash_mid_command_leaves_nothing(
    platform: Platform, operator: Identity, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _state(platform)

    def explode(*_args: object) -> None:
        raise RuntimeError("disk on fire")

    # the party row is written, then the key applier crashes
    monkeypatch.setitem(platform.registry.appliers, "party.key_added", explode)
    ident = Identity("farmer-z", signing.generate())
    with pytest.raises(RuntimeError):
        platform.kernel.submit(
            operator.sign("party.register", _register_payload(ident, "farmer-z"), START)
        )
    assert _state(platform) == before
    with platform.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(parties)).scalar() == 1


def test_batch_keeps_good_commands_and_refuses_bad(
    platform: Platform, operator: Identity, monkeypatch: pytest.MonkeyPatch
) -> None:
    idents = [Identity(f"f-{i}", signing.generate()) for i in range(4)]
    items = [
        operator.sign("party.register", _register_payload(x, x.party_id), START) for x in idents
    ]
    items[1] = operator.sign("party.register", _register_payload(idents[0], "f-dup"), START)
    original = party_handlers._apply_registered

    def crash_on_f2(conn: object, event: object, ctx: object) -> None:
        original(conn, event, ctx)  # type: ignore[arg-type]
        if event.data["party_id"] == "f-2":  # type: ignore[attr-defined]
            raise RuntimeError("applier bug")

    monkeypatch.setitem(platform.registry.appliers, "party.registered", crash_on_f2)
    results, head = platform.kernel.submit_many(items)
    kinds = [type(r).__name__ for r in results]
    assert kinds == ["Receipt", "KeyExists", "InvariantViolation", "Receipt"]
    assert head.size == 3
    with platform.engine.connect() as conn:
        ids = [r.party_id for r in conn.execute(select(parties.c.party_id).order_by("party_id"))]
    assert ids == ["f-0", "f-3", "operator"]
