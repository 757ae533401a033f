"""Tests of xl_roi.verdict: the seed's thresholds, labels exactly as DESIGN.md spells them."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xl_roi import VERDICTS, InputError, verdict


@pytest.mark.parametrize(
    ("months", "net", "growth", "expected"),
    [
        (2.5, 212_000, 0.0, "strong"),  # under a quarter, stable
        (3.0, 1, 0.02, "strong"),  # exactly a quarter, growing
        (2.0, 1, -0.01, "defensible"),  # under a quarter while shrinking
        (3.1, 1, 0.02, "defensible"),  # under a year, growing
        (12.0, 1, 0.001, "defensible"),
        (3.1, 1, 0.0, "marginal"),  # under a year, flat
        (11.9, 1, -0.02, "marginal"),  # under a year, shrinking
        (12.01, 1, 0.05, "reconsider"),
        (40, 1, 0.0, "reconsider"),
        (math.inf, 1, 0.0, "do not distill"),
        (2.5, 0, 0.0, "do not distill"),  # no net benefit, however fast
        (2.5, -1_000, 0.0, "do not distill"),
    ],
)
def test_thresholds(months, net, growth, expected):
    """Each label at and around its threshold, from the seed's rules."""
    assert verdict(months, net, growth) == expected


def test_labels_are_the_designs():
    """The labels are exactly the five strings DESIGN.md fixes, best first."""
    assert VERDICTS == ("strong", "defensible", "marginal", "reconsider", "do not distill")


@given(
    st.floats(min_value=0, max_value=1e6),
    st.floats(min_value=0, max_value=1e6),
    st.floats(min_value=-1e9, max_value=1e9),
    st.floats(min_value=-0.5, max_value=0.5),
)
def test_shorter_payback_is_never_a_worse_label(a, b, net, growth):
    """Paying back sooner never earns a worse verdict."""
    sooner, later = sorted((a, b))
    assert VERDICTS.index(verdict(sooner, net, growth)) <= VERDICTS.index(
        verdict(later, net, growth)
    )


def test_nan_payback_refused():
    """NaN is not a payback."""
    with pytest.raises(InputError, match="payback_months"):
        verdict(math.nan, 1.0)
