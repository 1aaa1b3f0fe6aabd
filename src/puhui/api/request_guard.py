"""What no route should see is refused at the door: a body over ``REQUEST_BYTES_MAX`` (413,
before it is read into memory), and text no store can keep (422).

Two kinds of text pass FastAPI's validation and then fail in the store:

* U+0000: PostgreSQL's text and jsonb cannot hold it. psycopg refuses the query, which looked
  like an outage (503) or a broken invariant (500), while SQLite kept the value.
* a lone surrogate (legal in JSON as an escape such as ``\\ud800``): not Unicode, so SQLite's
  driver and every UTF-8 encoder refuse it, even when it is only repeated in an error's detail.

``RequestGuard`` answers 422 problem+json when one is in the path, the query or a JSON body.
Signed commands meet the same rule in their canonical form (``kernel.canonical``).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from puhui.api.problems import invalid_request, problem

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REQUEST_BYTES_MAX = 16 * 1024 * 1024
"""The largest request body: a document registered with an 8 MiB file (as base64) fits."""


class BodyTooLarge(Exception):
    pass


def unstorable(text: str) -> str | None:
    """What in ``text`` no store can keep, or None."""
    if "\x00" in text:
        return "U+0000"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "a lone surrogate"
    return None


def _in_json(value: Any) -> tuple[str, list[str]] | None:
    """The first unstorable string in a parsed JSON value: what it holds and where."""
    stack: list[tuple[Any, list[str]]] = [(value, ["body"])]
    while stack:
        item, loc = stack.pop()
        if isinstance(item, str):
            if reason := unstorable(item):
                return reason, loc
        elif isinstance(item, dict):
            for key, child in item.items():
                if reason := unstorable(key):
                    return reason, [*loc, "(a key)"]
                stack.append((child, [*loc, key]))
        elif isinstance(item, list):
            stack.extend((child, [*loc, str(i)]) for i, child in enumerate(item))
    return None


def _in_body(body: bytes) -> tuple[str, list[str]] | None:
    # Valid JSON can carry U+0000 or a surrogate only as a \u escape: skip the parse without one.
    if b"\\u" not in body:
        return None
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return None  # not JSON: the route's own validation answers
    return _in_json(value)


def _in_url(scope: Scope) -> tuple[str, list[str]] | None:
    if reason := unstorable(scope["path"]):
        return reason, ["path"]
    query = scope.get("query_string", b"").decode("latin-1")
    for key, value in parse_qsl(query, keep_blank_values=True):
        if reason := unstorable(key) or unstorable(value):
            return reason, ["query"]
    return None


class RequestGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        found = _in_url(scope)
        if found is None and scope["method"] in BODY_METHODS:
            try:
                body, receive = await _buffered(scope, receive)
            except BodyTooLarge:
                detail = f"the body is larger than {REQUEST_BYTES_MAX} bytes"
                too_large = problem(
                    413, "The request is too large", detail, "request-too-large", scope["path"]
                )
                await too_large(scope, receive, send)
                return
            found = _in_body(body)
        if found is None:
            await self.app(scope, receive, send)
            return
        reason, loc = found
        refusal = {"loc": loc, "msg": f"holds {reason}, which no store can keep"}
        await invalid_request(scope["path"], [refusal])(scope, receive, send)


async def _buffered(scope: Scope, receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body, and a ``receive`` that hands it to the app again; BodyTooLarge
    as soon as the declared or the received length passes ``REQUEST_BYTES_MAX``."""
    declared = dict(scope["headers"]).get(b"content-length", b"0")
    if declared.isdigit() and int(declared) > REQUEST_BYTES_MAX:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"", _replaying([message], receive)
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > REQUEST_BYTES_MAX:
            raise BodyTooLarge
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    return body, _replaying([{"type": "http.request", "body": body, "more_body": False}], receive)


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return replay
