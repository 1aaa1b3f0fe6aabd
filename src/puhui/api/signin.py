"""Sign-in with a custodial key unlocked by a passphrase (the console's second way in, beside
an API token). The browser reads the key's derivation parameters, derives the sealing and auth
keys from the passphrase (PBKDF2 in WebCrypto), proves the auth key and receives the sealed
seed, which it opens and signs with; the server never sees the passphrase. What the session
then does — including issuing itself an API token — are signed commands like any other.

Wrong passphrases are counted per party: after ``FAILURES_MAX`` within ``FAILURE_WINDOW_S`` the
party is refused (429) until the window passes, so a passphrase cannot be guessed online fast.
"""

from __future__ import annotations

import base64
import binascii
import threading
import time
from collections import deque
from typing import Any, ClassVar

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from puhui.api.routes import platform
from puhui.kernel.errors import AuthenticationFailed, InvalidCommand, PuhuiError
from puhui.parties import custody

router = APIRouter(prefix="/api/v1/sign-in", tags=["parties"])
FAILURES_MAX = 5
FAILURE_WINDOW_S = 300
AUTH_KEY_BYTES = 32


class TooManyAttempts(PuhuiError):
    code: ClassVar[str] = "too-many-attempts"
    title: ClassVar[str] = "Too many failed sign-ins"
    status: ClassVar[int] = 429


class _Failures:
    """Recent failed attempts per party (monotonic seconds), bounded by ``FAILURES_MAX``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, deque[float]] = {}

    def check(self, party_id: str) -> None:
        now = time.monotonic()
        with self._lock:
            recent = self._seen.get(party_id)
            while recent and now - recent[0] > FAILURE_WINDOW_S:
                recent.popleft()
            if recent is not None and len(recent) >= FAILURES_MAX:
                wait = int(FAILURE_WINDOW_S - (now - recent[0])) + 1
                raise TooManyAttempts(f"too many wrong passphrases for {party_id}; wait {wait} s")

    def record(self, party_id: str) -> None:
        with self._lock:
            self._seen.setdefault(party_id, deque(maxlen=FAILURES_MAX)).append(time.monotonic())

    def clear(self, party_id: str) -> None:
        with self._lock:
            self._seen.pop(party_id, None)


def _failures(request: Request) -> _Failures:
    state = request.app.state
    if not hasattr(state, "signin_failures"):
        state.signin_failures = _Failures()
    found: _Failures = state.signin_failures
    return found


@router.get("/{party_id}")
def parameters(request: Request, party_id: str) -> dict[str, Any]:
    """The key id, salt and iterations to derive the keys from the party's passphrase."""
    with platform(request).engine.connect() as conn:
        return custody.sealed_key(conn, party_id).params()


class Proof(BaseModel):
    auth_key: str = Field(min_length=40, max_length=64, description="base64 of 32 bytes")


@router.post("/{party_id}")
def unlock(request: Request, party_id: str, body: Proof) -> dict[str, Any]:
    """The sealed seed for a caller that proves the auth key derived from the passphrase."""
    failures = _failures(request)
    failures.check(party_id)
    try:
        auth_key = base64.b64decode(body.auth_key, validate=True)
    except binascii.Error as exc:
        raise InvalidCommand("auth_key is not base64") from exc
    if len(auth_key) != AUTH_KEY_BYTES:
        raise InvalidCommand(f"auth_key must be {AUTH_KEY_BYTES} bytes")
    with platform(request).engine.connect() as conn:
        try:
            sealed = custody.open_sealed(conn, party_id, auth_key)
        except AuthenticationFailed:
            failures.record(party_id)
            raise
    failures.clear(party_id)
    return sealed
