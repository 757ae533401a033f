"""Tests of xl_roi.uncertainty: the (low, likely, high) ranges a simulation draws from."""

from __future__ import annotations

import pytest

from xl_roi.bounds import BOUNDS
from xl_roi.errors import InputError
from xl_roi.uncertainty import check_range, uncertain_inputs


@pytest.mark.parametrize(
    ("name", "given", "message"),
    [
        # growth is > -1 and ≤ 1 a month in a case: a range may not reach 500 % a month
        ("monthly_growth", [0.0, 0.02, 5.0], "monthly_growth high must be a share > -1 and ≤ 1"),
        # a free teacher is refused by Case ("a free teacher leaves nothing to save")
        ("teacher_cost_per_1k", [0.0, 12.0, 20.0], "teacher_cost_per_1k low must be a number > 0"),
    ],
)
def test_a_range_keeps_to_the_inputs_own_bounds(name, given, message):
    """A range end the case itself would refuse is refused, with the case's bounds."""
    with pytest.raises(InputError, match=message):
        check_range(name, given, self_hosted=False)


@pytest.mark.parametrize("self_hosted", [False, True])
def test_every_range_end_inside_the_bounds_is_accepted(self_hosted):
    """Each drawable input's own bounds, met at both ends, are accepted as a range."""
    for name in uncertain_inputs(self_hosted):
        bound = BOUNDS[name]
        low = bound.minimum if not bound.strictly_above else bound.minimum + 0.5  # type: ignore[operator]
        high = bound.maximum if bound.maximum is not None else 1e6
        assert check_range(name, [low, low, high], self_hosted=self_hosted)[2] == high
