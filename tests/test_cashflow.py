"""Tests of xl_roi/cashflow.py: one definition of discounted payback, continuous in the rate."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.strategies import monthly_growth, positive_money
from xl_roi import cashflow, finance
from xl_roi.batch import discounted_payback_array


def _all_three(upfront, savings, maintenance, rate, growth):
    """Discounted payback from the scalar core, numpy-financial's module and the array engine."""
    return (
        cashflow.discounted_payback(upfront, savings, maintenance, rate, growth),
        finance.discounted_payback_months(upfront, savings, maintenance, rate, growth),
        float(discounted_payback_array(upfront, savings, maintenance, rate, growth)),
    )


def test_issue_21_growing_case_is_continuous_at_zero():
    """The issue's growing case: 0 % and 1e-6 a year differ by far less than 1e-3 months
    (before, 0 % took payback after maintenance, another definition, 0.005 months away)."""
    upfront, savings, maintenance, growth = 33_750.0, 10_560.0, 24_000.0, 0.02
    at_zero = _all_three(upfront, savings, maintenance, 0.0, growth)
    near = _all_three(upfront, savings, maintenance, 1e-6, growth)
    for zero, small in zip(at_zero, near, strict=True):
        assert abs(small - zero) < 1e-3
        assert zero <= small  # discounting can only lengthen it
    assert at_zero[0] == at_zero[2]  # the array engine repeats the scalar steps


@given(
    positive_money,
    positive_money,
    positive_money,
    monthly_growth,
)
def test_continuous_in_the_rate_at_zero(upfront, savings, maintenance, growth):
    """For any case that pays back, payback at a rate of 1e-9 a year is within 1e-3 months of
    payback at 0 %, in all three engines (continuity: a case whose savings barely exceed its
    maintenance moves faster with the rate, so the law takes a rate nearer 0 than the issue's
    1e-6, which the test above holds for its case)."""
    at_zero = _all_three(upfront, savings, maintenance, 0.0, growth)
    assume(math.isfinite(at_zero[0]) and at_zero[0] < 600)
    near = _all_three(upfront, savings, maintenance, 1e-9, growth)
    for zero, small in zip(at_zero, near, strict=True):
        assert abs(small - zero) < 1e-3


@given(positive_money, positive_money, st.floats(0.0, 1e9, allow_subnormal=False))
def test_flat_volume_at_zero_is_payback_after_maintenance(upfront, savings, maintenance):
    """At 0 % and flat volume the month-by-month line is straight: it crosses zero where
    upfront / (savings − maintenance / 12) says."""
    net = savings - maintenance / 12.0
    assume(net > 0 and upfront / net < 1000)
    assert cashflow.discounted_payback(upfront, savings, maintenance, 0.0) == pytest.approx(
        upfront / net, rel=1e-9
    )


def test_array_engine_equals_scalar_steps_at_zero():
    """At 0 % the array engine gives the scalar function's figure to the last bit."""
    savings = np.array([10_560.0, 3_000.0, 21_000.0])
    expected = [cashflow.discounted_payback(33_750.0, s, 24_000.0, 0.0, 0.02) for s in savings]
    got = discounted_payback_array(33_750.0, savings, 24_000.0, 0.0, 0.02)
    assert list(got) == expected
