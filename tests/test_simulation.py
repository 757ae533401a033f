"""Tests of xl_roi.simulation: Monte Carlo probabilities and percentiles."""

from __future__ import annotations

import math

import pytest

from tests.cases import SIMPLE
from xl_roi import Case, InputError, evaluate, example_case
from xl_roi.simulation import MAX_DRAWS, default_ranges, simulate


def degenerate(case):
    return {name: (likely, likely, likely) for name, (_, likely, _) in default_ranges(case).items()}


@pytest.mark.parametrize(
    "case",
    [Case(**SIMPLE), example_case(), Case(**{**SIMPLE, "student_cost_per_1k": 13.0})],
    ids=["strong", "example", "never"],
)
def test_degenerate_ranges_give_the_deterministic_case(case):
    """low = likely = high: every probability is 0 or 1, every percentile the base value."""
    result = simulate(case, ranges=degenerate(case), draws=1_000)
    base = evaluate(case)
    for name in (
        "p_payback_within_3_months",
        "p_payback_within_12_months",
        "p_payback_within_target",
        "p_net_benefit_positive",
    ):
        assert getattr(result, name) in (0.0, 1.0)
    assert result.p_payback_within_3_months == float(base.payback_months <= 3)
    assert result.p_net_benefit_positive == float(base.annual_net_benefit > 0)
    for name in ("payback_p10", "payback_p50", "payback_p90"):
        assert getattr(result, name) == base.payback_months
    for name in ("net_benefit_p10", "net_benefit_p50", "net_benefit_p90"):
        assert getattr(result, name) == base.annual_net_benefit


def test_same_seed_same_numbers():
    """The same seed gives the same result; another seed gives another."""
    first = simulate(example_case(), draws=50_000, seed=7)
    assert simulate(example_case(), draws=50_000, seed=7) == first
    assert simulate(example_case(), draws=50_000, seed=8) != first


def test_chunking_does_not_change_the_answer_size():
    """More draws than a chunk: the counts still cover every draw."""
    result = simulate(Case(**SIMPLE), ranges=degenerate(Case(**SIMPLE)), draws=600_000)
    assert result.draws == 600_000 and result.p_payback_within_3_months == 1.0


def test_probabilities_ordered_and_percentiles_ordered():
    """P(≤ 3) ≤ P(≤ 12); P10 ≤ P50 ≤ P90."""
    result = simulate(example_case(), draws=20_000)
    assert result.p_payback_within_3_months <= result.p_payback_within_12_months
    assert result.payback_p10 <= result.payback_p50 <= result.payback_p90
    assert result.net_benefit_p10 <= result.net_benefit_p50 <= result.net_benefit_p90


def test_median_near_base_for_symmetric_ranges():
    """Volume alone uncertain and symmetric: the median payback is near the base payback."""
    case = Case(**SIMPLE)
    ranges = degenerate(case) | {"monthly_calls": (1_000_000, 2_000_000, 3_000_000)}
    result = simulate(case, ranges=ranges, draws=200_000)
    assert result.payback_p50 == pytest.approx(2.5, rel=0.01)
    # payback ≤ 3 ⇔ savings ≥ 17,500 ⇔ volume ≥ 17,500 / 10.5 × 1000 = 1,666,667. The CDF of
    # triangular(1M, 2M, 3M) there is (2/3)² / ((3 − 1)(2 − 1)) = 2/9, so P = 7/9
    assert result.p_payback_within_3_months == pytest.approx(7 / 9, abs=0.005)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"draws": 0}, "draws must be a whole number from 1"),
        ({"draws": MAX_DRAWS + 1}, "draws must be a whole number from 1"),
        ({"draws": 10.5}, "draws must be a whole number"),
        ({"draws": True}, "draws must be a whole number"),
        ({"seed": -1}, "seed must be a whole number"),
        ({"swing": 1.0}, "swing must be"),
        ({"ranges": {"monthly_calls": (3, 2, 1)}}, "low ≤ likely ≤ high"),
        ({"ranges": {"monthly_calls": (1, 2)}}, "must be \\[low, likely, high\\], three numbers"),
        ({"ranges": {"volume": (1, 2, 3)}}, "unknown input 'volume'"),
        ({"ranges": {"gpu_hourly_cost": (1, 2, 3)}}, "does not apply to this case"),
        ({"ranges": {"monthly_calls": (-1, 2, 3)}}, "monthly_calls low must be a number ≥ 0"),
        ({"ranges": {"monthly_calls": (1, math.nan, 3)}}, "likely must be a number"),
    ],
)
def test_bad_input(kwargs, message):
    """Bad draws, seeds, swings and ranges get a clear InputError."""
    with pytest.raises(InputError, match=message):
        simulate(Case(**SIMPLE), **{"draws": 100, **kwargs})


def test_to_dict_never_is_null():
    """A case that never pays back serialises its percentiles as null."""
    case = Case(**{**SIMPLE, "student_cost_per_1k": 13.0})
    data = simulate(case, ranges=degenerate(case), draws=10).to_dict()
    assert data["payback_p50"] is None and data["p_net_benefit_positive"] == 0.0
