import pytest

from puhui.parties.errors import InvalidUSCC
from puhui.parties.model import check_uscc


def test_valid_uscc_is_normalised() -> None:
    assert check_uscc(" 91350100m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("91350100M000100Y44", "not valid"),  # wrong check digit
        ("91350100M000100Y4", "18 characters"),
        ("91350100M00O100Y43", "not valid"),  # letter O is not in the alphabet
    ],
)
def test_bad_uscc_refused_with_reason(code: str, says: str) -> None:
    with pytest.raises(InvalidUSCC, match=says):
        check_uscc(code)
