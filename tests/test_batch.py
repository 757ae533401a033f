"""Tests of xl_roi.batch: the array engine equals evaluate, element for element, to the bit."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.figures import agree, same_figure
from xl_roi import Case, evaluate, example_case
from xl_roi.batch import ASSUMPTIONS, CaseInputs, apply_assumption, evaluate_arrays, payback_array
from xl_roi.roi import payback_months

HEADLINE = (
    "student_cost_per_1k",
    "upfront_cost",
    "monthly_savings",
    "payback_months",
    "annual_net_benefit",
    "savings_share",
    "breakeven_monthly_calls",
)

finite = dict(allow_nan=False, allow_infinity=False, allow_subnormal=False)


def amount(maximum: float) -> st.SearchStrategy[float]:
    """Zero, or a figure of at least a cent: sub-cent money (down to 5e-324) is no one's input
    and only measures float underflow."""
    return st.just(0.0) | st.floats(0.01, maximum, **finite)


@st.composite
def cases(draw):
    """Cases of every shape: direct or token prices, API or self-hosted, itemised or not."""
    fields = dict(
        monthly_calls=draw(st.floats(min_value=1.0, max_value=1e9, **finite)),
        monthly_growth=draw(
            st.sampled_from([0.0, 0.02, -0.05]) | st.floats(-0.5, 0.5, allow_subnormal=False)
        ),
        escalation_share=draw(st.sampled_from([0.0, 0.05])),
        target_payback_months=draw(st.sampled_from([3.0, 12.0, 7.5])),
    )
    if draw(st.booleans()):
        fields["teacher_cost_per_1k"] = draw(st.floats(min_value=0.01, max_value=100, **finite))
    else:
        fields |= dict(
            input_tokens_per_call=draw(amount(1e4)),
            output_tokens_per_call=draw(st.floats(1, 1e3, **finite)),
            teacher_input_price_per_million=draw(amount(30)),
            teacher_output_price_per_million=draw(st.floats(0.1, 60, **finite)),
        )
    student = draw(st.sampled_from(["direct", "hosted"]))
    if student == "direct":
        fields["student_cost_per_1k"] = draw(amount(50))
    else:
        fields |= dict(
            gpu_hourly_cost=draw(st.floats(0.1, 20, **finite)),
            calls_per_second_per_gpu=draw(st.floats(0.5, 200, **finite)),
            target_utilization=draw(st.floats(0.05, 1.0, **finite)),
            peak_factor=draw(st.floats(1.0, 4.0, **finite)),
        )
    if draw(st.booleans()):
        # money below a cent is not a figure anyone enters (and break-evens round it away)
        fields["upfront_cost"] = draw(st.just(0.0) | st.floats(0.01, 1e7, **finite))
    else:
        if draw(st.booleans()):
            fields |= dict(
                corpus_examples=draw(amount(1e7)),
                data_generation_passes=draw(st.sampled_from([1.0, 2.0, 3.5])),
                batch_discount=draw(st.sampled_from([0.0, 0.5])),
            )
        else:
            fields["data_generation_cost"] = draw(amount(1e6))
        fields |= dict(
            training_compute=draw(amount(1e5)),
            evaluation_days=draw(amount(50)),
            engineering_days=draw(amount(200)),
            day_rate=draw(amount(2_000)),
        )
    fields["annual_maintenance"] = draw(amount(1e6))
    return Case(**fields)


@given(cases())
def test_arrays_equal_evaluate_to_the_bit(case):
    """Every headline figure of the array engine is exactly evaluate's (solved ones to 1e-12)."""
    result = evaluate(case)
    out = evaluate_arrays(CaseInputs.from_case(case))
    for name in HEADLINE:
        assert same_figure(name, out[name], getattr(result, name)), name


@given(cases(), st.sampled_from(sorted(ASSUMPTIONS)), st.floats(0.1, 3.0))
def test_moving_an_assumption_equals_evaluating_the_moved_case(case, name, factor):
    """Replacing a figure in the inputs gives what evaluate gives for the case so changed."""
    inputs = CaseInputs.from_case(case)
    if name == "upfront_cost":
        base = float(evaluate_arrays(inputs)["upfront_cost"])
    elif name == "gpu_hourly_cost" and not case.is_self_hosted:
        return
    elif name == "student_cost_per_1k" and case.is_self_hosted:
        base = evaluate(case).student_serving_cost_per_1k
    else:
        base = float(getattr(inputs, name))
    value = min(base * factor, 1.0) if name == "target_utilization" else base * factor
    if name == "monthly_growth":
        value = max(value, -0.9)
    moved = evaluate_arrays(inputs.replace(**{name: value}))
    expected = evaluate(apply_assumption(case, name, value))
    for figure in ("monthly_savings", "payback_months", "annual_net_benefit", "upfront_cost"):
        assert agree(float(moved[figure]), getattr(expected, figure)), figure


def test_payback_array_matches_scalar_for_edge_values():
    """Zero upfront, non-positive savings, shrinking volume that never pays: as the scalar."""
    upfront = np.array([0.0, 1.0, 1.0, 120_000.0, 50_000.0, 52_500.0])
    savings = np.array([-1.0, 0.0, -5.0, 10_000.0, 10_000.0, 21_000.0])
    growth = np.array([0.0, 0.0, 0.1, -0.1, -0.1, 0.05])
    expected = [payback_months(u, s, g) for u, s, g in zip(upfront, savings, growth, strict=True)]
    got = payback_array(upfront, savings, growth).tolist()
    assert all(agree(a, b) for a, b in zip(got, expected, strict=True)), (got, expected)


def test_broadcasting_shapes():
    """Inputs broadcast: a column of volumes against a row of costs gives a table."""
    inputs = CaseInputs.from_case(example_case()).replace(
        monthly_calls=np.array([[1e6], [2e6]]), student_cost_per_1k=np.array([[0.1, 0.2, 0.3]])
    )
    assert evaluate_arrays(inputs)["payback_months"].shape == (2, 3)


def test_apply_assumption_unknown_name():
    """Only the listed assumptions can be moved."""
    with pytest.raises(KeyError):
        apply_assumption(example_case(), "name", 1.0)


@pytest.mark.parametrize("growth", [0.0, 0.5, -0.5])
def test_payback_beyond_the_float_range_agrees_with_the_scalar_one(growth):
    """Upfront 1e308 over savings of 1e-300 (1e608 months): never, in both engines, no NaN."""
    assert float(payback_array(1e308, 1e-300, growth)) == payback_months(1e308, 1e-300, growth)
    assert payback_months(1e308, 1e-300, growth) == math.inf
