"""Typed domain errors shared by every context.

Each error carries a stable ``code`` (the last part of the problem ``type`` URI), a short
``title`` and an HTTP ``status``. The API maps them to RFC 9457 problem+json in one handler;
the CLI prints one line and exits non-zero. Contexts subclass these in their own ``errors.py``.

    PuhuiError
    ├── InvalidCommand            422  malformed envelope or payload, failed validation
    │   └── RuleViolation         422  well-formed, but a business rule forbids it
    ├── AuthenticationFailed      401  bad signature, unknown key, missing or bad API token
    │   └── KeyRevoked            401  the signing key was revoked before this entry
    ├── PermissionDenied          403  the actor's roles or consents do not allow it
    ├── NotFound                  404  no such party, entry, checkpoint, ...
    ├── Conflict                  409  clashes with current state (duplicate id, stale date)
    │   └── IdempotencyConflict   409  same idempotency key, different command body
    ├── InvariantViolation        500  an internal invariant broke; the transaction is aborted
    └── StoreUnavailable          503  the database cannot be reached, or has no schema yet
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar


class PuhuiError(Exception):
    """Base of every error puhui reports to a user."""

    code: ClassVar[str] = "error"
    title: ClassVar[str] = "Request failed"
    status: ClassVar[int] = 400

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def to_problem(self) -> dict[str, Any]:
        """RFC 9457 problem details (without ``instance``, which the caller knows)."""
        return {
            "type": f"https://puhui.dev/problems/{self.code}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            **self.extra,
        }


def validation_lines(errors: Sequence[Mapping[str, Any]], whole: str) -> list[str]:
    """pydantic's errors as ``loc: msg`` lines; ``whole`` names the value itself (empty loc)."""
    return [f"{'.'.join(str(p) for p in e['loc']) or whole}: {e['msg']}" for e in errors]


class InvalidCommand(PuhuiError):
    code = "invalid-command"
    title = "The command is not valid"
    status = 422


class RuleViolation(InvalidCommand):
    code = "rule-violation"
    title = "A business rule forbids this command"


class AuthenticationFailed(PuhuiError):
    code = "authentication-failed"
    title = "Authentication failed"
    status = 401


class KeyRevoked(AuthenticationFailed):
    code = "key-revoked"
    title = "The signing key has been revoked"


class PermissionDenied(PuhuiError):
    code = "permission-denied"
    title = "Not permitted"
    status = 403


class NotFound(PuhuiError):
    code = "not-found"
    title = "Not found"
    status = 404


class Conflict(PuhuiError):
    code = "conflict"
    title = "Conflicts with the current state"
    status = 409


class IdempotencyConflict(Conflict):
    code = "idempotency-conflict"
    title = "Idempotency key reused with a different command"


class InvariantViolation(PuhuiError):
    code = "invariant-violation"
    title = "Internal invariant violated"
    status = 500


class StoreUnavailable(PuhuiError):
    code = "store-unavailable"
    title = "The database is not available"
    status = 503
