import json

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from puhui.kernel.canonical import CanonicalizationError, canonical_json

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
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
