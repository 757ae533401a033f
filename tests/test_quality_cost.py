"""Tests of xl_roi.quality_cost: the expected monthly cost of the student's worse answers."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xl_roi.errors import InputError
from xl_roi.quality_cost import SliceTraffic, quality_cost

scores = st.floats(min_value=0.0, max_value=1.0)


def test_hand_worked_three_slices() -> None:
    """Three slices, one with its own cost per error, one improving, worked by hand."""
    slices = [
        # 0.20 × (0.90 − 0.85) × 1,000,000 × 3.00 = 30,000
        SliceTraffic("Termination clauses", 0.90, 0.85, traffic_share=0.20),
        # 0.30 × (0.80 − 0.78) × 1,000,000 × 10.00 (own cost) = 60,000
        SliceTraffic("Refunds", 0.80, 0.78, traffic_share=0.30, cost_per_error=10.0),
        # student better: 0
        SliceTraffic("Small talk", 0.70, 0.75, traffic_share=0.50),
    ]
    total, rows = quality_cost(slices, monthly_calls=1_000_000, cost_per_error=3.0)
    assert [row.monthly_cost for row in rows] == pytest.approx([30_000, 60_000, 0.0])
    assert total == pytest.approx(90_000)
    assert [row.extra_error_share for row in rows] == pytest.approx([0.05, 0.02, 0.0])


def test_zero_when_no_slice_drops() -> None:
    """A student as good or better everywhere costs nothing in errors."""
    slices = [SliceTraffic("a", 0.9, 0.9, 0.5), SliceTraffic("b", 0.8, 0.95, 0.5)]
    total, _ = quality_cost(slices, 5_000_000, 100.0)
    assert total == 0.0


def test_unknown_share_is_not_guessed() -> None:
    """A dropping slice with no traffic share leaves the total uncomputed, with the reason."""
    slices = [SliceTraffic("a", 0.9, 0.8, 0.5), SliceTraffic("b", 0.9, 0.8)]
    total, rows = quality_cost(slices, 1_000, 1.0)
    assert math.isnan(total)
    assert rows[0].monthly_cost == pytest.approx(0.5 * 0.1 * 1_000)
    assert math.isnan(rows[1].monthly_cost)
    assert "traffic share unknown" in rows[1].reason


def test_unknown_cost_per_error_is_not_guessed() -> None:
    """Without a cost per error (case or slice), a dropping slice is not costed."""
    total, rows = quality_cost([SliceTraffic("a", 0.9, 0.8, 0.5)], 1_000, None)
    assert math.isnan(total)
    assert "cost per error unknown" in rows[0].reason


def test_an_unknown_share_on_a_slice_that_holds_quality_is_harmless() -> None:
    """A slice with no drop costs nothing, whatever its share."""
    total, _ = quality_cost([SliceTraffic("a", 0.8, 0.9)], 1_000, 1.0)
    assert total == 0.0


@pytest.mark.parametrize(
    ("slices", "calls", "cost", "field"),
    [
        ([SliceTraffic("a", 0.9, 0.8, 1.5)], 1, 1.0, "traffic_share of slice 'a'"),
        ([SliceTraffic("a", 0.9, 0.8, -0.1)], 1, 1.0, "traffic_share of slice 'a'"),
        (
            [SliceTraffic("a", 0.9, 0.8, 0.6), SliceTraffic("b", 0.9, 0.8, 0.5)],
            1,
            1.0,
            "add up to at most 1",
        ),
        ([SliceTraffic("a", 0.9, 0.8, 0.5)], 1, -1.0, "cost_per_error"),
        ([SliceTraffic("a", 0.9, 0.8, 0.5, cost_per_error=-2)], 1, 1.0, "cost_per_error of"),
        ([SliceTraffic("a", 90, 80, 0.5)], 1, 1.0, "teacher_score of slice 'a'"),
        ([SliceTraffic("a", 0.9, 0.8, 0.5)], -5, 1.0, "monthly_calls"),
    ],
)
def test_bad_input_names_the_field(
    slices: list[SliceTraffic], calls: float, cost: float, field: str
) -> None:
    """Shares outside [0, 1] or above 1 in sum, negative costs, scores as percentages: refused."""
    with pytest.raises(InputError, match=field):
        quality_cost(slices, calls, cost)


@given(scores, scores, st.floats(0, 1), st.floats(0, 1e9), st.floats(0, 1e4))
def test_cost_is_never_negative_and_scales_with_volume(
    teacher: float, student: float, share: float, calls: float, cost: float
) -> None:
    """The cost is ≥ 0 and doubles when the volume doubles."""
    slices = [SliceTraffic("s", teacher, student, share)]
    once, _ = quality_cost(slices, calls, cost)
    twice, _ = quality_cost(slices, 2 * calls, cost)
    assert once >= 0
    assert twice == pytest.approx(2 * once, rel=1e-12, abs=1e-300)
