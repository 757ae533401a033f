"""Tests of xl_roi.bounds: one set of plausible bounds for Case, case files, the workbook's
validation and reading a workbook back, with the likely fix in every refusal."""

from __future__ import annotations

import math

import formulas
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xl_roi import InputError, evaluate, example_case, pitch
from xl_roi.bounds import BOUNDS, check_input, unusual_inputs
from xl_roi.cli import main
from xl_roi.errors import SMALLEST_NUMBER
from xl_roi.workbook.build import build_workbook
from xl_roi.workbook.layout import INPUT_ROWS


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("field", "value", "fix"),
    [
        # 5 typed for 5 %: 5 × 100 = 500 %; the fix divides by 100.
        ("monthly_growth", 5, "5 means 500 % a month; write 0.05 for 5 %"),
        ("monthly_growth", -5, "-5 means -500 % a month; write -0.05 for -5 %"),
        ("escalation_share", 5, "5 means 500 %; write 0.05 for 5 %"),
        ("batch_discount", 50, "50 means 5,000 %; write 0.5 for 50 %"),
        ("target_utilization", 70, "70 means 7,000 %; write 0.7 for 70 %"),
    ],
)
def test_share_typed_as_percent_refused_with_the_fix(field, value, fix):
    """A share typed as a whole percentage is refused, and the message says what to write."""
    with pytest.raises(InputError, match=fix):
        example_case().replace(**{field: value})


def test_growth_of_five_in_a_case_file_is_refused(tmp_path, capsys):
    """The issue's case file: monthly_growth = 5 exits 2 with the fix, naming the file's key."""
    text = (
        "[volume]\nmonthly_calls = 400_000\nmonthly_growth = 5\n[teacher]\ncost_per_1k = 12.0\n"
        "[student]\ncost_per_1k = 1.5\n[upfront]\ntotal = 52_500\n[maintenance]\nannual = 0\n"
    )
    path = tmp_path / "case.toml"
    path.write_text(text)
    code, out, err = run(capsys, "pitch", str(path))
    assert code == 2 and out == ""
    assert "[volume] monthly_growth must be a share > -1 and ≤ 1" in err
    assert "write 0.05 for 5 %" in err


@pytest.mark.parametrize(
    ("field", "value", "accepted"),
    [
        ("monthly_growth", 1.0, True),  # doubling every month: the edge, allowed
        ("monthly_growth", 1.0000001, False),
        ("monthly_growth", -0.999, True),
        ("monthly_growth", -1.0, False),
        ("target_payback_months", 1200.0, True),  # a hundred years
        ("target_payback_months", 1e308, False),
        ("escalation_share", 0.0, True),
        ("escalation_share", -0.01, False),
        ("teacher_cost_per_1k", 1e-320, False),  # 12 ÷ 1e-320 is infinite
    ],
)
def test_bounds_edges(field, value, accepted):
    """The documented edges: growth in (−1, 1], target in (0, 1200], shares from 0."""
    if accepted:
        assert getattr(example_case().replace(**{field: value}), field) == value
    else:
        with pytest.raises(InputError, match=field):
            example_case().replace(**{field: value})


@given(
    st.sampled_from(sorted(BOUNDS)),
    st.one_of(st.floats(), st.sampled_from([-1.0, 0.0, 1.0, 1200.0, 1e-320])),
)
def test_check_input_accepts_exactly_what_the_bound_holds(name, value):
    """check_input accepts a value exactly when it is finite, not too near zero, and within."""
    bound = BOUNDS[name]
    expected = (
        math.isfinite(value)
        and (value == 0.0 or abs(value) >= 2.2250738585072014e-308)
        and bound.holds(value)
    )
    try:
        check_input(name, value)
    except InputError as error:
        assert not expected, (name, value, error)
    else:
        assert expected, (name, value)


def _rule_accepts(rule, coordinate: str, value: float) -> bool:
    """Whether a stored data validation rule lets ``value`` into ``coordinate``: a custom
    formula worked by the ``formulas`` package, a built-in rule by its own operator."""
    if rule.type == "custom":
        compiled = formulas.Parser().ast("=" + rule.formula1)[1].compile()
        assert list(compiled.inputs) == [coordinate], rule.formula1  # tests its own cell
        return bool(compiled(value))
    assert rule.type in ("decimal", "whole"), rule.type
    if rule.type == "whole" and not float(value).is_integer():
        return False
    first = float(rule.formula1)
    if rule.operator == "between":
        return first <= value <= float(rule.formula2)
    if rule.operator == "greaterThanOrEqual":
        return value >= first
    assert rule.operator == "lessThanOrEqual", rule.operator
    return value <= first


def _around(edge: float) -> list[float]:
    """The edge, the floats either side of it, a little either side, and half a unit either
    side (whole numbers). Beside zero the nearest floats are ±2.2e-308, the smallest a
    spreadsheet holds (nearer ones are refused by the case as too small to divide by)."""
    if edge == 0:
        near = [-SMALLEST_NUMBER, SMALLEST_NUMBER]
    else:
        near = [math.nextafter(edge, -math.inf), math.nextafter(edge, math.inf)]
    step = 1e-9 * max(1.0, abs(edge))
    return [edge, *near, edge - step, edge + step, edge - 0.5, edge + 0.5]


def _case_accepts(bound, value: float) -> bool:
    try:
        bound.check("x", value)
    except InputError:
        return False
    return True


@pytest.mark.parametrize("portable", [False, True])
def test_workbook_validation_accepts_what_the_case_accepts(portable):
    """Every numeric input cell's rule accepts exactly what Case accepts at and around each of
    its bounds: an exclusive end (growth above −1) refused, an inclusive one (growth up to 1)
    accepted, with no shifted limits."""
    workbook, blueprint = build_workbook(example_case(), portable=portable)
    sheet = workbook["Inputs"]
    rules = {
        str(cell): rule
        for rule in sheet.data_validations.dataValidation
        for cell in str(rule.sqref).split()
    }
    checked = 0
    for name, row in INPUT_ROWS.items():
        if row.kind in ("text", "choice"):
            continue
        bound = BOUNDS[name if row.field is None else row.field]
        coordinate = blueprint.inputs[name][1]
        rule = rules[coordinate]
        edges = [edge for edge in (bound.minimum, bound.maximum) if edge is not None]
        for value in [value for edge in edges for value in _around(edge)]:
            assert _rule_accepts(rule, coordinate, value) == _case_accepts(bound, value), (
                name,
                value,
            )
            checked += 1
    assert checked > 200


def test_unusual_growth_is_named_in_the_pitch():
    """Growth of 25 % a month is accepted, and the pitch asks to check it (1.25^12 ≈ 14.6)."""
    text = pitch(evaluate(example_case().replace(monthly_growth=0.25)))
    assert "**Check this input:** monthly growth of 25% a month is unusual: 15 times" in text


def test_usual_growth_is_not_named():
    """Growth within ±20 % a month draws no warning."""
    assert unusual_inputs({"monthly_growth": 0.2, "monthly_calls": 1e9}) == []
    assert "Check this input" not in pitch(evaluate(example_case()))


def test_unusual_growth_is_named_by_check_without_failing(tmp_path, capsys):
    """`check` on a workbook built with growth of 25 % a month: clean (exit 0) with a warning
    naming the growth cell."""
    from xl_roi.workbook.build import save_workbook

    path = tmp_path / "fast.xlsx"
    save_workbook(example_case().replace(monthly_growth=0.25), path)
    code, out, _ = run(capsys, "check", str(path))
    assert code == 0, out
    assert "(monthly_growth): unusual input: monthly growth of 25% a month is unusual" in out


def test_screen_refuses_the_same_growth_with_the_same_fix():
    """`screen` holds endpoints to the same bounds as a case: growth 5 is refused with the fix,
    growth 1 (doubling monthly) is screened."""
    import pandas as pd

    from xl_roi.portfolio import screen

    row = {
        "monthly_calls": 2e6,
        "teacher_cost_per_1k": 12.0,
        "student_cost_per_1k": 1.5,
        "upfront_cost": 52_500.0,
        "annual_maintenance": 40_000.0,
    }
    table = screen(
        pd.DataFrame(
            [
                row | {"name": "typo", "monthly_growth": 5.0},
                row | {"name": "doubling", "monthly_growth": 1.0},
            ]
        )
    ).set_index("name")
    assert table.loc["typo", "error"].endswith("got 5: 5 means 500 %; write 0.05 for 5 %")
    assert table.loc["doubling", "verdict"] == "strong"
