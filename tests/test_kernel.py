"""One kernel: every figure the workbook stores, and every figure ``screen`` gives, equals
``evaluate``'s to 1e-12, at ordinary and extreme monthly growths."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tests.cases import SIMPLE, WORKBOOK_CASES
from tests.figures import agree, same_figure
from xl_roi import Case, evaluate
from xl_roi.portfolio import screen
from xl_roi.workbook import layout

# Growth a month: none, tiny (1e-9 lost digits in one copy of the growing sum), tiny negative,
# the steepest allowed fall short of −100 %, the largest allowed rise (+100 %), and ordinary.
GROWTHS = (0.0, 1e-9, -1e-9, 1e-15, -0.99, 1.0, 0.02, -0.05)

# The workbook's stored value of each Result figure (mirror_values' name → Result's name).
STORED = {
    "upfront": "upfront_cost",
    "savings_monthly": "monthly_savings",
    "savings_annual": "annual_savings",
    "payback_months": "payback_months",
    "net_benefit_annual": "annual_net_benefit",
    "spend_cut": "savings_share",
    "payback_net_of_maintenance": "payback_after_maintenance_months",
    "breakeven_calls": "breakeven_monthly_calls",
    "first_year_net": "first_year_net",
    "verdict_label": "verdict",
}


def _cases() -> list[tuple[str, Case]]:
    cases = [("simple", Case(**SIMPLE)), *WORKBOOK_CASES.items()]
    return [
        (f"{name}@{growth!r}", case.__class__(**{**vars_of(case), "monthly_growth": growth}))
        for name, case in cases
        for growth in GROWTHS
    ]


def vars_of(case: Case) -> dict[str, object]:
    """A case's inputs as keywords (a frozen dataclass's fields)."""
    import dataclasses

    return {field.name: getattr(case, field.name) for field in dataclasses.fields(case)}


CASES = _cases()


@pytest.mark.parametrize(("label", "case"), CASES, ids=[label for label, _ in CASES])
def test_workbook_stores_evaluates_figures(label, case):
    """Every figure the workbook stores is evaluate's, to 1e-12, whatever the growth."""
    result = evaluate(case)
    stored = layout.mirror_values(case)
    for cell, figure in STORED.items():
        got, expected = stored[cell], getattr(result, figure)
        if isinstance(got, str) and figure != "verdict":  # "never pays back …" in the cell
            assert math.isinf(expected), (cell, got, expected)
            continue
        if figure == "verdict":
            assert got == expected, (cell, got, expected)
            continue
        assert agree(got, expected), (cell, got, expected)


def test_first_year_net_at_tiny_growth():
    """At 1e-9 growth a month the workbook's first-year net is evaluate's (the digits the
    growth adds are kept: a careless (1+g)^12 − 1 would lose them).

    Worked by hand: 21,000 a month growing 1e-9 a month for twelve months adds up to
    21,000 × (12 + 66e-9) = 252,000.001386; less 40,000 and 52,500: 159,500.001386.
    """
    case = Case(**{**SIMPLE, "monthly_growth": 1e-9})
    result = evaluate(case)
    assert result.first_year_net == pytest.approx(159_500.001386, rel=1e-12)
    stored = layout.mirror_values(case)["first_year_net"]
    assert stored == pytest.approx(159_500.001386, rel=1e-12)
    assert agree(stored, result.first_year_net)


@pytest.mark.parametrize("growth", GROWTHS)
def test_screen_gives_evaluates_figures(growth):
    """screen's figures are evaluate's for the same case, at extreme growths as at ordinary."""
    case = Case(**{**SIMPLE, "monthly_growth": growth})
    result = evaluate(case)
    row = screen(pd.DataFrame([{**SIMPLE, "monthly_growth": growth}])).iloc[0]
    for name in (
        "payback_months",
        "payback_after_maintenance_months",
        "annual_net_benefit",
        "monthly_savings",
        "annual_savings",
        "savings_share",
        "breakeven_monthly_calls",
        "npv",
        "discounted_payback_months",
    ):
        assert same_figure(name, row[name], getattr(result, name)), (name, row[name])
    assert row["verdict"] == result.verdict


# --- the elementary functions: one result for floats and arrays, to rounding ---------------

import numpy as np  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from xl_roi import _kernel, roi  # noqa: E402
from xl_roi.batch import (  # noqa: E402
    breakeven_array,
    discounted_payback_array,
    payback_after_maintenance_array,
)
from xl_roi.cashflow import discounted_payback  # noqa: E402


@settings(max_examples=400)
@given(st.floats(min_value=-745.0, max_value=800.0))
def test_expm1_and_exp_agree_for_floats_and_arrays(x):
    """e^x − 1 and e^x: a float and an array agree to rounding, inf past the float range."""
    scalar, array = _kernel.SCALAR, _kernel.array_ops()
    assert agree(scalar.expm1(x), float(array.expm1(np.array([x]))[0]))
    assert agree(scalar.exp(x), float(array.exp(np.array([x]))[0]))


@settings(max_examples=400)
@given(st.one_of(st.floats(min_value=-1.0, max_value=1e300), st.sampled_from([-2.0, math.inf])))
def test_log1p_and_log1p_over_agree_for_floats_and_arrays(x):
    """ln(1 + x) and ln(1 + x)/x: a float and an array agree to rounding, at the edges too."""
    scalar, array = _kernel.SCALAR, _kernel.array_ops()
    assert agree(scalar.log1p(x), float(array.log1p(np.array([x]))[0]))
    assert agree(scalar.log1p_over(x), float(array.log1p_over(np.array([x]))[0]))
    assert agree(scalar.log(x), float(array.log(np.array([x]))[0]))


def test_elementary_edges():
    """The edges: 0 stays 0, overflow is inf, far below is −1, log1p(inf) is inf, log1p_over(0)
    is its limit 1, and ln of 0, a negative or inf is nan (the formulas test for it)."""
    scalar, array = _kernel.SCALAR, _kernel.array_ops()
    for x, expected in ((0.0, 0.0), (1000.0, math.inf), (-1000.0, -1.0)):
        assert scalar.expm1(x) == expected == float(array.expm1(np.array([x]))[0])
    assert scalar.log1p(math.inf) == math.inf == float(array.log1p(np.array([math.inf]))[0])
    assert scalar.log1p_over(0.0) == 1.0 == float(array.log1p_over(np.array([0.0]))[0])
    for u in (0.0, -1.0, math.inf):
        assert math.isnan(scalar.log(u)) and math.isnan(float(array.log(np.array([u]))[0]))


MONEY = st.floats(min_value=1.0, max_value=1e9)
GROWTH = st.one_of(
    st.just(0.0),
    st.floats(min_value=-0.5, max_value=0.5, allow_subnormal=False),
    st.floats(min_value=-1e-6, max_value=1e-6, allow_subnormal=False),  # inputs refuse them
)


@settings(max_examples=300, deadline=None)
@given(MONEY, MONEY, MONEY, GROWTH)
def test_payback_after_maintenance_one_case_equals_the_array(upfront, savings, maintenance, growth):
    """Payback after maintenance: the one-case solver and the array solver agree to 1e-12."""
    one = roi.payback_after_maintenance_months(upfront, savings, maintenance, growth)
    many = payback_after_maintenance_array(upfront, np.array([savings]), maintenance, growth)
    assert agree(one, float(many[0]))


@settings(max_examples=300, deadline=None)
@given(
    MONEY,
    st.floats(min_value=0.01, max_value=100.0),
    st.floats(min_value=0.0, max_value=100.0),
    st.floats(min_value=0.5, max_value=60.0),
    GROWTH,
)
def test_breakeven_one_case_equals_the_array(upfront, teacher, student, target, growth):
    """Break-even volume: the one-case form and the array form agree to 1e-12."""
    one = roi.breakeven_volume(upfront, teacher, student, target, growth)
    many = breakeven_array(
        upfront, teacher, np.array([student]), target, growth, math.nan, math.nan
    )
    assert agree(one, float(many[0]))


@settings(max_examples=200, deadline=None)
@given(
    MONEY,
    MONEY,
    MONEY,
    st.one_of(st.just(0.0), st.floats(min_value=1e-12, max_value=0.5)),  # a rate near 0 is refused
    GROWTH,
)
def test_discounted_payback_one_case_equals_the_array(upfront, savings, maintenance, rate, growth):
    """Discounted payback: the one-case form and the array form agree to 1e-12."""
    one = discounted_payback(upfront, savings, maintenance, rate, growth)
    many = discounted_payback_array(upfront, np.array([savings]), maintenance, rate, growth)
    assert agree(one, float(many[0]))
