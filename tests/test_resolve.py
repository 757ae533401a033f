"""resolve(case): one way a case's derived figures are worked out, the student's pricing an enum."""

from __future__ import annotations

import pytest

from tests.cases import SIMPLE, WORKBOOK_CASES
from xl_roi import Case, StudentPricing, evaluate, example_case, resolve
from xl_roi.resolve import superseded, worked_out_from


def test_student_pricing_each_way():
    """A cost per 1k is per call, a GPU's hourly cost self-hosted, token prices tokens."""
    assert resolve(Case(**SIMPLE)).student_pricing is StudentPricing.PER_CALL
    assert resolve(example_case()).student_pricing is StudentPricing.TOKENS
    hosted = WORKBOOK_CASES["self-hosted"]
    assert resolve(hosted).student_pricing is StudentPricing.SELF_HOSTED


def test_simple_case_by_hand():
    """DESIGN.md's case: (12 − 1.5) × 2,000,000 / 1,000 = 21,000 a month; upfront as given."""
    figures = resolve(Case(**SIMPLE))
    assert figures.teacher_cost_per_1k == 12.0 and figures.student_cost_per_1k == 1.5
    assert figures.monthly_savings == 21_000.0
    assert figures.upfront_cost == 52_500.0 and figures.annual_maintenance == 40_000.0
    assert figures.gpus is None
    assert "monthly_growth" in figures.assumed  # left at 0 by the case


@pytest.mark.parametrize("name", sorted(WORKBOOK_CASES))
def test_resolve_gives_evaluates_figures(name):
    """Every figure resolve works out is the one evaluate reports, to the last bit."""
    case = WORKBOOK_CASES[name]
    figures, result = resolve(case), evaluate(case)
    for field in (
        "student_serving_cost_per_1k",
        "student_cost_per_1k",
        "gpus",
        "monthly_savings",
        "data_generation_cost",
        "training_compute",
        "evaluation_build",
        "engineering_time",
        "upfront_cost",
        "annual_maintenance",
    ):
        assert getattr(figures, field) == getattr(result, field), field


def test_precedence_an_upfront_total_wins_over_every_item():
    """An upfront total wins over its items and what they are worked out from (days, corpus),
    never over the day rate; a direct maintenance over redistillations."""
    given = {"upfront_cost", "corpus_examples", "evaluation_days", "day_rate", "annual_maintenance"}
    given |= {"redistillation_cost", "student_cost_per_1k", "gpu_hourly_cost"}
    assert superseded(given, StudentPricing.PER_CALL) == {
        "corpus_examples",
        "evaluation_days",
        "redistillation_cost",
        "gpu_hourly_cost",
    }


def test_an_unknown_pricing_reads_no_student_inputs():
    """With no valid pricing chosen, none of the student's pricing inputs is read."""
    given = {"student_cost_per_1k", "gpu_hourly_cost", "student_input_price_per_million"}
    assert superseded(given, None) == given


def test_worked_out_from_the_teacher_cost():
    """A direct teacher cost replaces its token prices."""
    assert set(worked_out_from("teacher_cost_per_1k")) == {
        "teacher_input_price_per_million",
        "teacher_output_price_per_million",
    }
