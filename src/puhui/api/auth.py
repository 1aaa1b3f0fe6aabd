"""API tokens: ``Authorization: Bearer phk_<token id>_<secret>``; only the secret's SHA-256 is
on the log (``party.issue_token``)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from fastapi import Request

from puhui.kernel.errors import AuthenticationFailed
from puhui.parties import views
from puhui.parties.model import FULL_LOG_READERS

TOKEN_PREFIX = "phk_"


@dataclass(frozen=True)
class NewToken:
    token_id: str
    secret: str

    @property
    def token(self) -> str:
        return f"{TOKEN_PREFIX}{self.token_id}_{self.secret}"

    @property
    def payload(self) -> dict[str, str]:
        return {
            "token_id": self.token_id,
            "secret_sha256": hashlib.sha256(self.secret.encode()).hexdigest(),
        }


def new_token() -> NewToken:
    return NewToken(secrets.token_hex(8), secrets.token_urlsafe(32))


@dataclass(frozen=True)
class Caller:
    party_id: str
    roles: tuple[str, ...]

    @property
    def reads_full_log(self) -> bool:
        return any(r in FULL_LOG_READERS for r in self.roles)


def caller(request: Request) -> Caller:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
        raise AuthenticationFailed("this needs an API token: Authorization: Bearer phk_...")
    token_id, _, secret = token[len(TOKEN_PREFIX) :].partition("_")
    platform = request.app.state.platform
    with platform.engine.connect() as conn:
        party_id = views.token_party(conn, token_id, secret)
        if party_id is None:
            raise AuthenticationFailed("the API token is unknown, revoked or wrong")
        party = views.get_party(conn, party_id)
    return Caller(party_id, party.roles)
