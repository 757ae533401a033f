"""Independent proof of the template: recalculate built workbooks with the ``formulas`` engine.

Every formula cell — and every cell of the SENSITIVITY array — recalculated by an Excel formula
engine that is not ours, with xl_roi's functions registered through the same xlwings path Excel
uses, must equal the result the builder stored and the core's figures (1e-9 relative), and no
cell may come out an error (an unregistered function silently gives #NAME?).
"""

from __future__ import annotations

import math

import pytest

from tests.cases import WORKBOOK_CASES
from tests.formulas_engine import agrees, recalculate
from xl_roi import evaluate
from xl_roi.workbook.build import save_workbook


@pytest.fixture(scope="module", params=sorted(WORKBOOK_CASES))
def recalculated(request, tmp_path_factory):
    case = WORKBOOK_CASES[request.param]
    path = tmp_path_factory.mktemp("recalc") / "case.xlsx"
    blueprint = save_workbook(case, path)
    return case, blueprint, recalculate(path)


def test_every_formula_agrees_with_its_stored_result(recalculated):
    """Each formula cell recalculates to the result stored in the file."""
    _, blueprint, values = recalculated
    disagreements = [
        (sheet, reference, formula, stored, values.get((sheet.upper(), reference), "<missing>"))
        for (sheet, reference), (formula, stored) in blueprint.formulas.items()
        if not agrees(stored, values.get((sheet.upper(), reference), "<missing>"))
    ]
    assert disagreements == []


def test_sensitivity_array_agrees(recalculated):
    """Every cell of the SENSITIVITY array recalculates to the stored table."""
    _, blueprint, values = recalculated
    disagreements = [
        (key, stored, values.get((key[0].upper(), key[1])))
        for key, stored in blueprint.array_members.items()
        if not agrees(stored, values.get((key[0].upper(), key[1]), "<missing>"))
    ]
    assert len(blueprint.array_members) == 99 and disagreements == []


def test_no_cell_is_an_error(recalculated):
    """No recalculated cell is #NAME?, #VALUE! or any other Excel error value."""
    _, _, values = recalculated
    errors = {
        key: value
        for key, value in values.items()
        if isinstance(value, str) and value.startswith("<error")
    }
    assert errors == {}


def test_headline_equals_the_core(recalculated):
    """The recalculated headline cells are the core's figures."""
    case, blueprint, values = recalculated
    result = evaluate(case)

    def named(name):
        sheet, reference = blueprint.names[name].split("!")
        return values[(sheet.strip("'").upper(), reference.replace("$", ""))]

    assert named("savings_monthly") == pytest.approx(result.monthly_savings, rel=1e-9)
    assert named("net_benefit_annual") == pytest.approx(result.annual_net_benefit, rel=1e-9)
    assert named("upfront") == pytest.approx(result.upfront_cost, rel=1e-9)
    assert named("verdict_label") == result.verdict
    if result.payback_months == float("inf"):
        assert named("payback_months").startswith("#NUM! never pays back")
    else:
        assert named("payback_months") == pytest.approx(result.payback_months, rel=1e-9)
    assert named("low_volume_flag") == any(f.code == "low_volume" for f in result.flags)
    assert named("quality_risk_flag") == any(f.code == "quality_risk" for f in result.flags)
    assert named("master_check") is True
    assert named("value_today") == pytest.approx(result.npv, rel=1e-9)
    for name, expected in (
        ("payback_discounted", result.discounted_payback_months),
        ("rate_of_return", result.irr),
        ("quality_cost_monthly", result.quality_cost_monthly),
        ("quality_adjusted_payback", result.quality_adjusted_payback_months),
        ("quality_adjusted_net", result.quality_adjusted_annual_net_benefit),
    ):
        if math.isfinite(expected):
            assert named(name) == pytest.approx(expected, rel=1e-9), name
        else:  # never, no rate, not computed: said in words
            assert isinstance(named(name), str), name


def test_pitch_and_sensitivity_sheets_agree_with_the_core(recalculated):
    """Issue 9: recalculated, the Pitch sheet, the Sensitivity sheet and the core give one
    break-even volume, one half-volume payback (whole GPUs when self-hosted), one payback after
    maintenance, one recommendation sentence and one yearly GPU bill."""
    case, blueprint, values = recalculated
    result = evaluate(case)

    def named(name):
        sheet, reference = blueprint.names[name].split("!")
        return values[(sheet.strip("'").upper(), reference.replace("$", ""))]

    def months(value):
        return float("inf") if isinstance(value, str) and "never" in value else value

    rows = {
        values[("SENSITIVITY", f"A{row}")]: row
        for row in range(6, 15)
        if isinstance(values.get(("SENSITIVITY", f"A{row}")), str)
    }
    half_on_sensitivity = values[("SENSITIVITY", f"D{rows['Half volume']}")]
    assert months(half_on_sensitivity) == pytest.approx(result.half_volume_payback_months, rel=1e-9)
    assert months(named("half_payback")) == pytest.approx(
        result.half_volume_payback_months, rel=1e-9
    )
    breakeven_on_sensitivity = values[("SENSITIVITY", f"I{rows['Monthly volume']}")]
    if result.breakeven_monthly_calls == float("inf"):
        assert named("breakeven_calls").startswith("#NUM! no volume pays back")
        assert breakeven_on_sensitivity in ("", None)
    else:
        assert named("breakeven_calls") == pytest.approx(result.breakeven_monthly_calls, rel=1e-9)
        if result.upfront_cost > 0:
            assert breakeven_on_sensitivity == pytest.approx(
                result.breakeven_monthly_calls, rel=1e-9
            )
    assert months(named("payback_net_of_maintenance")) == pytest.approx(
        result.payback_after_maintenance_months, rel=1e-9
    )
    assert named("recommendation_text") == result.recommendation
    assert values[("PITCH", "B3")] == result.recommendation
    assert named("annual_serving_cost") == pytest.approx(result.annual_serving_cost, rel=1e-12)


PORTABLE_BY_FORMULAS = ("self-hosted",)
"""The portable flavour by the ``formulas`` engine: the self-hosted case, through the most
branches (whole GPUs, escalation, growth), about 25 s. LibreOffice recalculates every case
(tests/test_workbook_portable.py) and Gnumeric three after a save
(tests/test_workbook_roundtrip.py); the ``formulas`` engine also computes every kernel-written
row and check for every case (tests/test_formula.py, tests/test_workbook_rows.py)."""


@pytest.fixture(scope="module", params=PORTABLE_BY_FORMULAS)
def portable_recalculated(request, tmp_path_factory):
    case = WORKBOOK_CASES[request.param]
    path = tmp_path_factory.mktemp("portable") / "case.xlsx"
    blueprint = save_workbook(case, path, portable=True)
    return case, blueprint, recalculate(path, register=False)


def test_portable_flavour_recalculates_with_nothing_registered(portable_recalculated):
    """The portable flavour, with none of xl_roi's functions registered, recalculates to its
    stored results with no error cell (an unknown function would give #NAME?)."""
    _, blueprint, values = portable_recalculated
    disagreements = [
        (sheet, reference, stored, values.get((sheet.upper(), reference), "<missing>"))
        for (sheet, reference), (_, stored) in blueprint.formulas.items()
        if not agrees(stored, values.get((sheet.upper(), reference), "<missing>"))
    ]
    errors = {
        key: value
        for key, value in values.items()
        if isinstance(value, str) and value.startswith("<error")
    }
    assert disagreements == [] and errors == {}
