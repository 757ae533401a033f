"""Tests of screen's CFO columns (issue 12): NPV, discounted payback and the cost of worse
answers, each equal to evaluate's for the same endpoint as a Case, to the last bit."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.figures import same_figure
from tests.test_portfolio import GOOD, endpoint
from xl_roi import Case, QualitySlice, evaluate
from xl_roi.portfolio import screen

QUALITY_COLUMNS = ("teacher_accuracy", "student_accuracy", "cost_per_error")
accuracy = st.sampled_from([0.0, 0.9, 1.0]) | st.floats(0.0, 1.0, allow_subnormal=False)
rate = st.sampled_from([0.0, 0.1, -0.5, 1.0]) | st.floats(-0.9, 1.0).filter(
    lambda x: x == 0.0 or abs(x) > 1e-300
)


@st.composite
def finance_endpoint(draw):
    """An endpoint with, at random, a discount rate, a horizon and the quality columns."""
    row = draw(endpoint())
    if draw(st.booleans()):
        row["discount_rate"] = draw(rate)
    if draw(st.booleans()):
        row["horizon_months"] = float(draw(st.integers(1, 600)))
    if draw(st.booleans()):
        row["teacher_accuracy"] = draw(accuracy)
        row["student_accuracy"] = draw(accuracy)
        row["cost_per_error"] = draw(st.just(0.0) | st.floats(0.01, 1e4, allow_subnormal=False))
    return row


def case_of(row: dict) -> Case:
    """The endpoint as a Case: its accuracies one quality slice carrying all the traffic."""
    fields = {
        k: v for k, v in row.items() if not pd.isna(v) and k not in ("name", *QUALITY_COLUMNS)
    }
    if "teacher_accuracy" in row:
        fields["quality_slices"] = (
            QualitySlice(
                "all calls",
                False,
                row["teacher_accuracy"],
                row["student_accuracy"],
                1.0,
                traffic_share=1.0,
            ),
        )
        fields["cost_per_error"] = row["cost_per_error"]
    if "horizon_months" in fields:
        fields["horizon_months"] = int(fields["horizon_months"])
    return Case(**fields)


@given(st.lists(finance_endpoint(), min_size=1, max_size=12))
def test_every_new_column_equals_evaluate(rows):
    """npv, discounted payback, quality cost and the quality-adjusted net benefit and verdict of
    each row are exactly evaluate's (null where evaluate has no quality cost)."""
    frame = pd.DataFrame(rows)
    frame["name"] = [f"e{i}" for i in range(len(rows))]
    table = screen(frame).set_index("name")
    for index, row in enumerate(rows):
        result = evaluate(case_of(row))
        got = table.loc[f"e{index}"]
        assert pd.isna(got.error), got.error
        for column, figure in (
            ("npv", result.npv),
            ("discounted_payback_months", result.discounted_payback_months),
            ("quality_cost_monthly", result.quality_cost_monthly),
            ("quality_adjusted_annual_net_benefit", result.quality_adjusted_annual_net_benefit),
        ):
            assert same_figure(column, got[column], figure), (column, got[column], figure)
        if result.quality_adjusted_verdict is None:
            assert pd.isna(got.quality_adjusted_verdict)
        else:
            assert got.quality_adjusted_verdict == result.quality_adjusted_verdict


def test_hand_worked_row():
    """2,000,000 calls; 0.95 → 0.90 accuracy at 1.00 an error: 0.05 × 2e6 = 100,000 a month of
    errors against 21,000 saved, so the adjusted net is 12 × (21,000 − 100,000) − 40,000 =
    −988,000 and the adjusted verdict is do not distill while the headline is strong. NPV at
    10 % over 36 months: −52,500 + 17,666.67 × 31.18654 = 498,460.77."""
    frame = pd.DataFrame(
        [
            {
                **GOOD,
                "discount_rate": 0.1,
                "teacher_accuracy": 0.95,
                "student_accuracy": 0.90,
                "cost_per_error": 1.0,
            }
        ]
    )
    row = screen(frame).iloc[0]
    assert row.verdict == "strong"
    assert row.npv == pytest.approx(498_460.77, abs=0.01)
    assert row.quality_cost_monthly == pytest.approx(100_000.0)
    assert row.quality_adjusted_annual_net_benefit == pytest.approx(-988_000.0)
    assert row.quality_adjusted_verdict == "do not distill"


def test_without_the_columns_today_s_figures_and_no_quality_cost():
    """Without the new columns: rate 0, 36 months (NPV −52,500 + 36 × 17,666.67 = 583,500),
    and no quality cost (null)."""
    row = screen(pd.DataFrame([GOOD])).iloc[0]
    assert row.npv == pytest.approx(583_500.0)
    assert row.discounted_payback_months == pytest.approx(52_500 / (21_000 - 40_000 / 12))
    assert math.isnan(row.quality_cost_monthly) and row.quality_adjusted_verdict is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"discount_rate": -1.0}, "discount_rate must be a number > -1 and ≤ 1, got -1"),
        ({"discount_rate": 10}, "discount_rate must be a number > -1 and ≤ 1, got 10: 10 means"),
        ({"horizon_months": 0}, "horizon_months must be a number ≥ 1 and ≤ 600, got 0"),
        ({"horizon_months": 601}, "horizon_months must be a number ≥ 1 and ≤ 600, got 601"),
        ({"horizon_months": 12.5}, "horizon_months must be a whole number ≥ 1 and ≤ 600, got 12.5"),
        ({"cost_per_error": -1.0}, "cost_per_error must be a number ≥ 0, got -1"),
        ({"teacher_accuracy": 95.0}, "teacher_accuracy must be a number ≥ 0 and ≤ 1, got 95"),
        ({"student_accuracy": -0.1}, "student_accuracy must be a number ≥ 0 and ≤ 1"),
    ],
)
def test_bad_values_refuse_the_row_by_name(changes, message):
    """Each bad rate, horizon, cost or accuracy refuses its row with the field and the value."""
    frame = pd.DataFrame([GOOD, {**GOOD, "name": "bad", **changes}])
    table = screen(frame).set_index("name")
    assert table.loc["bad", "error"].startswith(message), table.loc["bad", "error"]
    assert table.loc["ok", "verdict"] == "strong"
