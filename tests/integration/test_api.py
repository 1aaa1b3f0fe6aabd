"""The HTTP API through the real app (ASGI transport), on both stores."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from puhui.api.app import create_app
from puhui.api.auth import new_token
from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.config import Settings
from puhui.kernel import merkle, signing
from puhui.kernel.note import CosignatureSigner, NoteVerifier, open_checkpoint
from puhui.kernel.store import make_engine
from puhui.kernel.witness import Witness, WitnessRefusal
from tests.conftest import START, free_port, platform_on, register


@pytest.fixture
def api(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform), raise_server_exceptions=False) as client:
        yield client


def test_a_store_without_its_schema_is_a_503_problem(backend: str, tmp_path: Path) -> None:
    with (
        platform_on(backend, tmp_path, migrate=False) as p,
        TestClient(create_app(p), raise_server_exceptions=False) as client,
    ):
        got = client.get("/api/v1/clock")
    assert got.status_code == 503 and got.headers["content-type"] == "application/problem+json"
    problem = got.json()
    assert problem["type"].endswith("/store-unavailable") and problem["instance"] == "/api/v1/clock"
    assert "run `puhui db upgrade`" in problem["detail"]


def test_an_unreachable_database_server_is_a_503_problem(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test"
    keys = {"log_key_file": tmp_path / "log.key", "custody_master_key_file": tmp_path / "c.key"}
    p = Platform.from_settings(Settings(database_url=url, **keys), engine=make_engine(url))
    with TestClient(create_app(p), raise_server_exceptions=False) as client:
        got = client.get("/api/v1/clock")
    assert got.status_code == 503 and got.json()["type"].endswith("/store-unavailable")
    assert "connection" in got.json()["detail"] and "Traceback" not in got.text


def _token(platform: Platform, ident: Identity) -> dict[str, str]:
    token = new_token()
    platform.kernel.submit(ident.sign("party.issue_token", token.payload, START))
    return {"Authorization": f"Bearer {token.token}"}


def test_submit_repeat_and_problem_json(
    api: TestClient, platform: Platform, operator: Identity
) -> None:
    ident = Identity("farmer-a", signing.generate())
    signed = operator.sign(
        "party.register",
        {
            "party_id": "farmer-a",
            "name": "A",
            "kind": "person",
            "roles": ["farmer"],
            "public_key": ident.public_key_b64,
        },
        START,
        "reg-a",
    )
    first = api.post("/api/v1/commands", json=signed.to_json())
    assert first.status_code == 201 and first.json()["seq"] == 1
    again = api.post("/api/v1/commands", json=signed.to_json())
    assert again.status_code == 200 and again.json()["repeat"] is True
    bad = operator.sign(
        "party.register",
        {
            "party_id": "coop",
            "name": "C",
            "kind": "organisation",
            "roles": ["bank"],
            "uscc": "91350100M000100Y44",
            "public_key": ident.public_key_b64,
        },
        START,
    )
    response = api.post("/api/v1/commands", json=bad.to_json())
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/invalid-uscc") and "check digit" in problem["detail"]
    garbage = api.post("/api/v1/commands", json={"command": {}, "signature": "x"})
    assert garbage.status_code == 422 and garbage.json()["title"]


def test_reads_need_a_token_and_respect_visibility(
    api: TestClient, platform: Platform, operator: Identity
) -> None:
    farmer = register(platform, operator, "farmer-li", ["farmer"])
    register(platform, operator, "other", ["sme"])
    regulator = register(platform, operator, "regulator", ["regulator"])
    assert api.get("/api/v1/parties").status_code == 401
    as_farmer = _token(platform, farmer)
    listing = api.get("/api/v1/parties", headers=as_farmer).json()
    assert [p["party_id"] for p in listing["parties"]] == [
        "farmer-li",
        "operator",
        "other",
        "regulator",
    ]
    assert api.get("/api/v1/entries/1", headers=as_farmer).status_code == 200
    hidden = api.get("/api/v1/entries/2", headers=as_farmer)
    assert hidden.status_code == 404
    as_regulator = _token(platform, regulator)
    assert api.get("/api/v1/entries/2", headers=as_regulator).status_code == 200
    mine = api.get("/api/v1/entries", headers=as_farmer).json()["entries"]
    assert mine == [1, 4]  # registered at 1, issued its token at 4


def test_inclusion_and_consistency_proofs_verify(
    api: TestClient, platform: Platform, operator: Identity
) -> None:
    farmer = register(platform, operator, "farmer-li", ["farmer"])
    first = api.get("/api/v1/log/checkpoint").json()
    for i in range(5):
        register(platform, operator, f"f-{i}", ["farmer"])
    latest = api.get("/api/v1/log/checkpoint").json()
    verifier = NoteVerifier.parse(api.get("/api/v1/log/key").text.strip())
    cp1, _ = open_checkpoint(first["note"], verifier)
    cp2, _ = open_checkpoint(latest["note"], verifier)
    proof = api.get(
        "/api/v1/log/proofs/consistency", params={"first": cp1.size, "second": cp2.size}
    ).json()["proof"]
    assert merkle.verify_consistency(
        cp1.size, cp2.size, cp1.root, cp2.root, [signing.b64decode(h) for h in proof]
    )
    entry = api.get("/api/v1/entries/1", headers=_token(platform, farmer)).json()
    assert entry["tree_size"] == cp2.size
    assert merkle.verify_inclusion(
        bytes.fromhex(entry["leaf_hash"]),
        1,
        cp2.size,
        [signing.b64decode(h) for h in entry["inclusion_proof"]],
        cp2.root,
    )
    public = api.get("/api/v1/log/proofs/inclusion", params={"index": 1, "tree_size": cp2.size})
    assert public.json()["proof"] == entry["inclusion_proof"]
    beyond = api.get("/api/v1/log/proofs/inclusion", params={"index": 1, "tree_size": 999})
    assert beyond.status_code == 404


def test_witness_cosigns_only_consistent_checkpoints(
    api: TestClient, platform: Platform, operator: Identity, tmp_path: Path
) -> None:
    witness_id = register(platform, operator, "bank-witness", ["witness"])
    vkey = api.get("/api/v1/log/key").text.strip()
    wit = Witness(
        "bank-witness", CosignatureSigner("bank-witness", witness_id.key), vkey, tmp_path / "w.json"
    )
    cp = api.get("/api/v1/log/checkpoint").json()
    line = wit.cosign(cp["note"], [], int(time.time())).line()
    stored = api.post(f"/api/v1/log/checkpoints/{cp['size']}/cosignatures", json={"line": line})
    assert stored.status_code == 200 and stored.json()["cosigners"] == ["bank-witness"]
    register(platform, operator, "f-1", ["farmer"])
    cp2 = api.get("/api/v1/log/checkpoint").json()
    good = [
        signing.b64decode(h)
        for h in api.get(
            "/api/v1/log/proofs/consistency", params={"first": cp["size"], "second": cp2["size"]}
        ).json()["proof"]
    ]
    with pytest.raises(WitnessRefusal, match="not consistent"):
        wit.cosign(cp2["note"], [bytes(32)] * len(good), int(time.time()))
    assert wit.state() is not None and wit.state().size == cp["size"]  # type: ignore[union-attr]
    wit.cosign(cp2["note"], good, int(time.time()))
    stranger = CosignatureSigner("bank-witness", signing.generate())
    forged = stranger.cosign(open_checkpoint(cp2["note"], NoteVerifier.parse(vkey))[0].body(), 1)
    refused = api.post(
        f"/api/v1/log/checkpoints/{cp2['size']}/cosignatures", json={"line": forged.line()}
    )
    assert refused.status_code == 401


def test_custodial_signing(api: TestClient, platform: Platform, operator: Identity) -> None:
    from puhui.kernel.service import utc_now
    from puhui.parties import custody

    master = custody.load_master_key("", platform.settings.custody_master_key_file, create=True)
    with platform.engine.begin() as conn:
        key = custody.create_key(conn, master, "farmer-c", utc_now())
    held = Identity("farmer-c", key)
    platform.kernel.submit(
        operator.sign(
            "party.register",
            {
                "party_id": "farmer-c",
                "name": "C",
                "kind": "person",
                "roles": ["farmer"],
                "public_key": held.public_key_b64,
            },
            START,
        )
    )
    headers = _token(platform, held)
    token = new_token()
    response = api.post(
        "/api/v1/commands/custodial",
        headers=headers,
        json={"type": "party.issue_token", "payload": token.payload, "idempotency_key": "c-1"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["actor"] == "farmer-c"
