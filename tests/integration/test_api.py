"""The HTTP API through the real app (ASGI transport), on both stores."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from puhui.api.app import create_app
from puhui.api.auth import new_token
from puhui.api.problems import PROBLEM_JSON
from puhui.api.request_guard import REQUEST_BYTES_MAX
from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.config import Settings
from puhui.documents.content import FILE_BYTES_MAX
from puhui.kernel import log, merkle, signing
from puhui.kernel.canonical import compact_json
from puhui.kernel.commands import COMMAND_BYTES_MAX, Command
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


def test_text_no_store_can_keep_is_refused_at_the_door(
    api: TestClient, platform: Platform, operator: Identity
) -> None:
    """U+0000 and lone surrogates: 422 before any route runs (on PostgreSQL a NUL reached
    psycopg and answered 503; a surrogate failed SQLite's driver with a 500)."""
    as_operator = _token(platform, operator)
    offer = '{"product_id":"%s","amount":1000,"term_periods":12,"annual_rate":"0.05"}'
    headers = as_operator | {"content-type": "application/json"}
    for escaped, what in (("a\\ud800b", "a lone surrogate"), ("a\\u0000b", "U+0000")):
        got = api.post("/api/v1/lending/offers", content=offer % escaped, headers=headers)
        assert got.status_code == 422 and got.headers["content-type"] == PROBLEM_JSON
        assert got.json()["detail"] == f"body.product_id: holds {what}, which no store can keep"
    for url, loc in (("/api/v1/parties/a%00b", "path"), ("/api/v1/parties?after=a%00b", "query")):
        got = api.get(url, headers=as_operator)
        assert got.status_code == 422 and got.json()["errors"][0]["loc"] == [loc]
    # a surrogate pair is Unicode, and an escaped backslash is not an escape: both pass
    for fine in ("\\ud83d\\ude00", "x\\\\u0000"):
        got = api.post("/api/v1/lending/offers", content=offer % fine, headers=headers)
        assert got.status_code == 404 and got.json()["type"].endswith("/unknown-product")
    assert api.get("/api/v1/parties?after=a", headers=as_operator).status_code == 200


def test_a_signed_command_holding_nul_is_refused_and_nothing_written(
    api: TestClient, platform: Platform, operator: Identity
) -> None:
    """Signed over its own bytes (a client's canonical form need not check), the command is
    still refused: the server's canonical form holds no U+0000, on either store."""
    ident = Identity("farmer-nul", signing.generate())
    payload = {"party_id": "farmer-nul", "name": "a\x00b", "kind": "person", "roles": ["farmer"]}
    command = Command(
        "party.register",
        "operator",
        operator.key_id,
        "reg-nul",
        START,
        payload | {"public_key": ident.public_key_b64},
    )
    signature = operator.key.sign(compact_json(command.to_json()))
    body = {"command": command.to_json(), "signature": signing.b64encode(signature)}
    got = api.post("/api/v1/commands", json=body)
    assert got.status_code == 422 and "U+0000" in got.json()["detail"]
    with platform.engine.connect() as conn:
        assert log.tree_head(conn).size == 1  # the genesis only


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/api/v1/log/checkpoints/{big}"),
        ("POST", "/api/v1/log/checkpoints/{big}/cosignatures"),
        ("GET", "/api/v1/log/leaves?start={big}&end={big}"),
        ("GET", "/api/v1/log/proofs/inclusion?index=0&tree_size={big}"),
        ("GET", "/api/v1/log/proofs/consistency?first=1&second={big}"),
        ("GET", "/api/v1/entries?after={big}"),
        ("GET", "/api/v1/entries/{big}"),
        ("GET", "/api/v1/entries/1?tree_size={big}"),
        ("GET", "/api/v1/accounts/x?at_seq={big}"),
        ("GET", "/api/v1/trial-balance?at_seq={big}"),
        ("GET", "/api/v1/credit/decisions?before_seq={big}"),
        ("GET", "/api/v1/documents/access-log?after={big}"),
    ],
)
def test_a_log_position_beyond_2_to_53_is_a_422(
    api: TestClient, platform: Platform, operator: Identity, method: str, url: str
) -> None:
    """SQLite cannot bind an integer of 2**63 or more (it was a 500); no log position can
    exceed the JSON-safe 2**53 - 1 anyway."""
    line = {"line": "— witness abcdefghijkl"}
    got = api.request(
        method,
        url.format(big=2**63),
        headers=_token(platform, operator),
        json=line if method == "POST" else None,
    )
    assert got.status_code == 422 and got.json()["type"].endswith("/invalid-request")


@pytest.mark.parametrize(
    ("url", "command_type", "with_file"),
    [
        ("/api/v1/credit/decisions", "credit.decide", False),
        ("/api/v1/credit/models", "credit.register_model", True),
    ],
)
def test_a_credit_route_reads_its_command_payload_like_the_pipeline(
    api: TestClient, operator: Identity, url: str, command_type: str, with_file: bool
) -> None:
    """These routes check the command before they submit it; an invalid payload was a 500."""
    signed = operator.sign(command_type, {"applicant": ""}, START).to_json()
    got = api.post(url, json={"command": signed, "content_b64": "e30="} if with_file else signed)
    assert got.status_code == 422 and got.headers["content-type"] == PROBLEM_JSON
    assert got.json()["detail"].startswith(f"{command_type} payload is not valid: ")


def test_a_body_over_the_limit_is_a_413_before_it_is_read(api: TestClient) -> None:
    # the largest legitimate body, a command with an 8 MiB file as base64, stays under it
    assert COMMAND_BYTES_MAX + 4 * -(-FILE_BYTES_MAX // 3) < REQUEST_BYTES_MAX
    declared = b"{" + b" " * REQUEST_BYTES_MAX + b"}"
    streamed = iter([b" " * (1 << 20)] * (REQUEST_BYTES_MAX // (1 << 20) + 1))  # no length
    for content in (declared, streamed):
        got = api.post("/api/v1/commands", content=content)
        assert got.status_code == 413 and got.headers["content-type"] == PROBLEM_JSON
        assert got.json()["type"].endswith("/request-too-large")
