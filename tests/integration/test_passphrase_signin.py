"""Sign-in with a custodial key unlocked by a passphrase, on both stores: the browser's steps
done here in Python (PBKDF2, the auth proof, AES-GCM), the sealed seed opens to the party's
registered key and signs a command the kernel accepts; a wrong passphrase gets nothing and
five in a row lock the party out for the window; weak passphrases are refused."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi.testclient import TestClient

from puhui.api.app import create_app
from puhui.api.signin import FAILURES_MAX
from puhui.bootstrap import Platform
from puhui.client import Identity
from puhui.kernel import signing
from puhui.kernel.errors import InvalidCommand
from puhui.kernel.service import utc_now
from puhui.kernel.store.engine import begin_write
from puhui.parties import custody
from tests.conftest import START

PASSPHRASE = "wang-flock-2026"
ITERATIONS = custody.PASSPHRASE_ITERATIONS_MIN  # the floor, to keep the test quick


@pytest.fixture
def api(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def farmer(platform: Platform, operator: Identity) -> str:
    """A farmer registered with a custodial key, sealed under his passphrase; its key id."""
    master = custody.load_master_key("", platform.settings.custody_master_key_file, create=True)
    with begin_write(platform.engine) as conn:
        key = custody.create_key(conn, master, "farmer-wang", utc_now())
        kid = signing.key_id(signing.public_bytes(key))
        custody.seal_with_passphrase(
            conn, master, kid, PASSPHRASE, utc_now(), iterations=ITERATIONS
        )
    payload = {
        "party_id": "farmer-wang",
        "name": "Wang",
        "kind": "person",
        "roles": ["farmer"],
        "public_key": signing.b64encode(signing.public_bytes(key)),
    }
    platform.kernel.submit(operator.sign("party.register", payload, START, "reg-wang"))
    return kid


def _derive(passphrase: str, params: dict[str, object]) -> tuple[bytes, bytes]:
    salt = base64.b64decode(str(params["salt"]))
    iterations = int(str(params["iterations"]))
    bits = hashlib.pbkdf2_hmac("sha256", passphrase.encode(), salt, iterations, 64)
    return bits[:32], bits[32:]


def _unlock(api: TestClient, passphrase: str) -> tuple[int, dict[str, object]]:
    params = api.get("/api/v1/sign-in/farmer-wang").json()
    _sealing, auth = _derive(passphrase, params)
    response = api.post(
        "/api/v1/sign-in/farmer-wang", json={"auth_key": base64.b64encode(auth).decode()}
    )
    return response.status_code, response.json()


def test_the_passphrase_opens_the_registered_key(
    api: TestClient, platform: Platform, farmer: str
) -> None:
    params = api.get("/api/v1/sign-in/farmer-wang").json()
    assert (params["key_id"], params["kdf"], params["iterations"]) == (
        farmer,
        "PBKDF2-SHA256",
        ITERATIONS,
    )
    assert "ciphertext" not in params  # nothing to guess offline before proving the passphrase
    status, sealed = _unlock(api, PASSPHRASE)
    assert status == 200
    sealing, _auth = _derive(PASSPHRASE, params)
    seed = AESGCM(sealing).decrypt(
        base64.b64decode(str(sealed["nonce"])),
        base64.b64decode(str(sealed["ciphertext"])),
        farmer.encode(),
    )
    ident = Identity("farmer-wang", signing.from_seed(seed))
    assert signing.key_id(signing.public_bytes(ident.key)) == farmer
    token = "0123456789abcdef"
    payload = {"token_id": token, "secret_sha256": hashlib.sha256(b"s").hexdigest()}
    receipt = platform.kernel.submit(ident.sign("party.issue_token", payload, START, "session"))
    assert receipt.seq > 0
    assert api.get("/api/v1/sign-in/nobody").status_code == 404


def test_wrong_passphrases_get_nothing_and_lock_out(api: TestClient, farmer: str) -> None:
    for _ in range(FAILURES_MAX):
        status, body = _unlock(api, "not his passphrase")
        assert status == 401 and "ciphertext" not in body
    status, body = _unlock(api, PASSPHRASE)  # even the right one, until the window passes
    assert status == 429 and body["type"].endswith("/too-many-attempts")
    bad = api.post("/api/v1/sign-in/farmer-wang", json={"auth_key": "!" * 44})
    assert bad.status_code == 429  # checked before anything else


def test_weak_passphrases_and_iterations_are_refused(platform: Platform, farmer: str) -> None:
    master = custody.load_master_key("", platform.settings.custody_master_key_file)
    with begin_write(platform.engine) as conn:
        with pytest.raises(InvalidCommand):
            custody.seal_with_passphrase(conn, master, farmer, "short", utc_now())
        with pytest.raises(InvalidCommand):
            custody.seal_with_passphrase(conn, master, farmer, PASSPHRASE, utc_now(), iterations=1)
