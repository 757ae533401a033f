"""Tests of xl_roi.errors: one error type, subclassing ValueError, naming argument and value."""

from __future__ import annotations

import math

import pytest

from xl_roi import CaseFileError, InputError
from xl_roi.errors import check_number, check_result
from xl_roi.fields import check_fraction


def test_input_error_is_a_value_error():
    """Callers that catch ValueError catch ours too; case-file errors are input errors."""
    assert issubclass(InputError, ValueError)
    assert issubclass(CaseFileError, InputError)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (-1, "-1"),
        (math.nan, "NaN"),
        (math.inf, "inf"),
        (-math.inf, "-inf"),
        ("12", "'12'"),
        (None, "None"),
        (True, "True"),
        ([1], "[1]"),
    ],
)
def test_message_names_argument_and_value(value, shown):
    """Every refusal says which argument and what value."""
    with pytest.raises(InputError) as caught:
        check_number("monthly_calls", value)
    assert str(caught.value) == f"monthly_calls must be a number ≥ 0, got {shown}"


def test_accepts_ints_and_floats():
    """Ints, floats and numpy-like reals come back as floats."""
    assert check_number("x", 3) == 3.0
    assert isinstance(check_number("x", 3), float)


def test_infinity_allowed_only_when_asked():
    """Infinity passes only where it means something (payback: never)."""
    assert check_number("payback_months", math.inf, allow_inf=True) == math.inf


def test_fraction_bounds():
    """A share is in [0, 1); 1 passes only when asked."""
    assert check_fraction("share", 0.0) == 0.0
    assert check_fraction("share", 1.0, allow_one=True) == 1.0
    with pytest.raises(
        InputError, match=r"share must be a share ≥ 0 and < 1 \(0.05 = 5 %\), got 1"
    ):
        check_fraction("share", 1)


def test_fraction_typed_as_a_percentage_states_the_bounds_it_holds():
    """A share of 5 is refused with the bounds it really has (< 1, not ≤ 1) and the fix."""
    with pytest.raises(InputError, match=r"must be a share ≥ 0 and < 1 .*, got 5: 5 means 500 %"):
        check_fraction("batch_discount", 5)


def test_result_overflow_refused():
    """Results outside the float range are refused with the result's name."""
    with pytest.raises(InputError, match=r"^upfront_cost is out of range"):
        check_result("upfront_cost", math.inf)


def test_check_number_can_refuse_its_maximum():
    """With maximum_exclusive, the maximum itself is refused and the message says < (not ≤)."""
    assert check_number("swing", 0.999, maximum=1.0, maximum_exclusive=True) == 0.999
    with pytest.raises(InputError, match="swing must be a number ≥ 0 and < 1, got 1"):
        check_number("swing", 1.0, maximum=1.0, maximum_exclusive=True)
