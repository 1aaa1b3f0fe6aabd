import json

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from puhui.kernel.canonical import (
    CanonicalizationError,
    canonical_json,
    compact_json,
    parse_canonical,
)

storable_text = st.characters(codec="utf-8", exclude_characters="\x00")
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(storable_text),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.text(storable_text, max_size=8), children, max_size=5)
    ),
    max_leaves=20,
)


@given(json_values)
def test_matches_the_rfc8785_reference(value: object) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


def test_astral_keys_sort_by_utf16_code_units() -> None:
    value = {"\U0001f600": 1, "\ufb01": 2}
    assert canonical_json(value) == rfc8785.dumps(value)
    assert list(json.loads(canonical_json(value))) == ["\U0001f600", "\ufb01"]


@pytest.mark.parametrize("bad", [1.5, {"a": [0.1]}, 2**53, {"x": object()}, {1: "a"}])
def test_refuses_what_jcs_would_change(bad: object) -> None:
    with pytest.raises(CanonicalizationError):
        canonical_json(bad)


@pytest.mark.parametrize("bad", ["a\x00b", {"a": ["\x00"]}, {"k\x00": 1}])
def test_refuses_nul_which_postgresql_cannot_store(bad: object) -> None:
    with pytest.raises(CanonicalizationError, match="U\\+0000"):
        canonical_json(bad)


@given(json_values)
def test_parse_canonical_round_trips_every_canonical_text(value: object) -> None:
    body = canonical_json(value)
    assert parse_canonical(body) == value


@given(json_values)
def test_compact_json_is_canonical_json_without_astral_keys(value: object) -> None:
    body = canonical_json(value)
    if not any(ord(ch) > 0xFFFF for ch in body.decode()):
        assert compact_json(value) == body


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"b":1,"a":2}', "not in canonical form"),
        (b'{"a": 1}', "not in canonical form"),
        (b'{"a":1.0}', "not an integer"),
        (b'{"a":NaN}', "not an integer"),
        (b'{"a":9007199254740992}', "outside"),
        (b'{"a":"\\u0041"}', "not in canonical form"),
        (b'{"a":"\\ud800"}', "not valid Unicode"),
        (b'{"\xef\xac\x81":1,"\xf0\x9f\x98\x80":2}', "not in canonical form"),
        (b"{not json", "not JSON"),
    ],
)
def test_parse_canonical_refuses_other_spellings(body: bytes, reason: str) -> None:
    with pytest.raises(CanonicalizationError, match=reason):
        parse_canonical(body)
