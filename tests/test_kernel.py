"""One kernel: every figure the workbook stores, and every figure ``screen`` gives, equals
``evaluate``'s to the last bit, at ordinary and extreme monthly growths."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tests.cases import SIMPLE, WORKBOOK_CASES
from tests.figures import same_figure
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
    """Every figure the workbook stores is evaluate's, to the last bit, whatever the growth."""
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
        assert float(got) == float(expected), (cell, got, expected)


def test_first_year_net_at_tiny_growth():
    """At 1e-9 growth a month the workbook's first-year net is evaluate's, bit for bit.

    Worked by hand: 21,000 a month growing 1e-9 a month for twelve months adds up to
    21,000 × (12 + 66e-9) = 252,000.001386; less 40,000 and 52,500: 159,500.001386.
    """
    case = Case(**{**SIMPLE, "monthly_growth": 1e-9})
    result = evaluate(case)
    assert result.first_year_net == pytest.approx(159_500.001386, rel=1e-12)
    assert layout.mirror_values(case)["first_year_net"] == result.first_year_net


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
