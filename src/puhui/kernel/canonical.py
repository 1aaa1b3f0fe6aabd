"""RFC 8785 (JCS) canonical JSON.

Puhui documents hold no floats (money is integer minor units, rates are decimal strings), so
canonical JSON reduces to sorted keys, no whitespace and ECMAScript string escaping, which the
standard library produces. The fast path is used when every key sorts the same by code point as
by UTF-16 code unit (no astral-plane characters in keys); otherwise the reference
implementation (`rfc8785`) is used. Floats and integers outside the IEEE-754 safe range are
refused, since JCS would silently change them. So is U+0000 in any string: PostgreSQL's text
and jsonb cannot hold it, and a command SQLite would keep but PostgreSQL could not would make the
two stores disagree.
"""

from __future__ import annotations

import json
import re
from typing import Any, NoReturn

import rfc8785

SAFE_INTEGER_MAX = 2**53 - 1
DEPTH_MAX = 32
_ASTRAL_LEAD_BYTE = re.compile(rb"[\xf0-\xf4]")
_NUL = "a string holds U+0000, which no store can keep"


class CanonicalizationError(ValueError):
    """The value cannot be represented in canonical JSON without loss."""


def _check(value: Any, depth: int) -> bool:
    """Validate ``value``; return True when a key needs UTF-16 ordering."""
    if depth > DEPTH_MAX:
        raise CanonicalizationError(f"nesting deeper than {DEPTH_MAX}")
    if isinstance(value, str):
        if "\x00" in value:
            raise CanonicalizationError(_NUL)
        return False
    if value is None or isinstance(value, bool):
        return False
    if isinstance(value, int):
        if not -SAFE_INTEGER_MAX <= value <= SAFE_INTEGER_MAX:
            raise CanonicalizationError(f"integer {value} outside ±(2**53-1); use a string")
        return False
    if isinstance(value, float):
        raise CanonicalizationError("floats are not allowed; use integers or decimal strings")
    if isinstance(value, dict):
        astral = False
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalizationError(f"object key {key!r} is not a string")
            if "\x00" in key:
                raise CanonicalizationError(_NUL)
            if not key.isascii() and any(ord(ch) > 0xFFFF for ch in key):
                astral = True
            astral = _check(item, depth + 1) or astral
        return astral
    if isinstance(value, list | tuple):
        astral = False
        for item in value:
            astral = _check(item, depth + 1) or astral
        return astral
    raise CanonicalizationError(f"{type(value).__name__} is not a JSON type")


_COMPACT = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
"""One encoder for every call (``json.dumps`` with options builds a new one each time)."""


def canonical_json(value: Any) -> bytes:
    """Return the RFC 8785 canonical UTF-8 encoding of ``value``."""
    if _check(value, 0):
        return bytes(rfc8785.dumps(value))
    try:
        return _COMPACT.encode(value).encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates
        raise CanonicalizationError("string is not valid Unicode") from exc


def compact_json(value: Any) -> bytes:
    """Sorted keys, no whitespace, unchecked: for comparing or hashing values the program built.

    Equal to ``canonical_json`` for every value that is canonicalizable and has no astral-plane
    character in a key; two values give equal bytes only if they are equal as JSON.
    """
    return _COMPACT.encode(value).encode()


def _refuse_float(text: str) -> NoReturn:
    raise CanonicalizationError(f"number {text} is not an integer")


def _safe_int(text: str) -> int:
    number = int(text)
    if not -SAFE_INTEGER_MAX <= number <= SAFE_INTEGER_MAX:
        raise CanonicalizationError(f"integer {text} outside ±(2**53-1)")
    return number


_DECODER = json.JSONDecoder(
    parse_float=_refuse_float, parse_int=_safe_int, parse_constant=_refuse_float
)


def parse_json(body: bytes) -> Any:
    """Parse UTF-8 JSON refusing floats and unsafe integers; the form is not checked."""
    try:
        return _DECODER.decode(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CanonicalizationError(f"not JSON: {exc}") from exc
    except RecursionError as exc:
        raise CanonicalizationError("nested too deeply") from exc


def needs_utf16_order(body: bytes) -> bool:
    """Whether ``body`` may hold an astral-plane character (then only ``canonical_json``'s
    reference path orders its keys right)."""
    return _ASTRAL_LEAD_BYTE.search(body) is not None


def parse_canonical(body: bytes) -> Any:
    """Parse ``body``, which must be canonical JSON; raise CanonicalizationError if it is not.

    Floats and unsafe integers are refused while parsing, so the check is one parse and one
    serialisation, without walking the value (the replay hot path).
    """
    value = parse_json(body)
    if needs_utf16_order(body):
        expected = canonical_json(value)
    else:
        try:
            expected = compact_json(value)
        except UnicodeEncodeError as exc:  # a lone surrogate escaped in the text
            raise CanonicalizationError("string is not valid Unicode") from exc
    if expected != body:
        raise CanonicalizationError("not in canonical form")
    return value
