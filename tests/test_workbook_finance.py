"""Issue 12's figures in both workbook flavours: the value today, discounted payback, rate of
return, the cost of worse answers and the figures it adjusts, and the latency in the upside."""

from __future__ import annotations

import math

import numpy_financial as npf
import openpyxl
import pytest

from tests.cases import DISCOUNTED_COSTED, SIMPLE, WORKBOOK_CASES, WORSE_ANSWERS
from xl_roi import Case, evaluate
from xl_roi.pitch import WORSE_ANSWERS_COST_MORE, pitch
from xl_roi.workbook import layout
from xl_roi.workbook.build import Blueprint, blueprint_of, save_workbook
from xl_roi.workbook.read import open_workbook, read_case


def stored(blueprint: Blueprint, name: str) -> object:
    """The stored result of a named cell."""
    sheet, reference = blueprint.names[name].split("!")
    return blueprint.value_of(sheet.strip("'"), reference.replace("$", ""))


@pytest.mark.parametrize("portable", [False, True])
def test_hand_worked_quality_cost_and_adjusted_figures(portable):
    """Quality cost 16,000 a month; adjusted savings 5,000, payback 10.5 months, net 20,000:
    marginal (worked in tests/cases.py), stored in either flavour."""
    blueprint = blueprint_of(DISCOUNTED_COSTED, portable=portable)
    assert stored(blueprint, "quality_cost_monthly") == pytest.approx(16_000.0, rel=1e-12)
    assert stored(blueprint, "quality_adjusted_savings") == pytest.approx(5_000.0, rel=1e-12)
    assert stored(blueprint, "quality_adjusted_payback") == pytest.approx(10.5, rel=1e-12)
    assert stored(blueprint, "quality_adjusted_net") == pytest.approx(20_000.0, rel=1e-12)
    assert stored(blueprint, "quality_adjusted_verdict") == "marginal"
    assert stored(blueprint, "quality_adjusted_reason") == ""


@pytest.mark.parametrize("portable", [False, True])
def test_worse_answers_turn_a_strong_case_into_do_not_distill(portable):
    """48,000 a month of errors against 21,000 saved: headline strong, adjusted do not distill,
    with the reason, and the recommendation says so as the CLI pitch does."""
    blueprint = blueprint_of(WORSE_ANSWERS, portable=portable)
    assert stored(blueprint, "verdict_label") == "strong"
    assert stored(blueprint, "quality_adjusted_verdict") == "do not distill"
    assert stored(blueprint, "quality_adjusted_reason") == WORSE_ANSWERS_COST_MORE
    assert stored(blueprint, "recommendation_text") == evaluate(WORSE_ANSWERS).recommendation


def test_value_today_and_rate_of_return_against_numpy_financial():
    """NPV over 24 months at 10 % and the IRR equal numpy-financial's on the same cash flows:
    −52,500, then 21,000 − 40,000 / 12 = 17,666.67 a month."""
    blueprint = blueprint_of(DISCOUNTED_COSTED)
    flows = [-52_500.0] + [21_000.0 - 40_000.0 / 12] * 24
    monthly = 1.1 ** (1 / 12) - 1
    # about −52,500 + 17,666.67 × (1 − 1.1^−2) / 0.0079741 = 332,000
    assert stored(blueprint, "value_today") == pytest.approx(npf.npv(monthly, flows), rel=1e-12)
    assert stored(blueprint, "rate_of_return") == pytest.approx(
        (1 + npf.irr(flows)) ** 12 - 1, rel=1e-9
    )
    # discounted: 52,500 recovered a little after 17,666.67 × 3 undiscounted (2.97 months)
    payback = stored(blueprint, "payback_discounted")
    assert isinstance(payback, float) and 2.9717 < payback < 3.1


@pytest.mark.parametrize("name", sorted(WORKBOOK_CASES))
def test_stored_figures_equal_evaluate(name):
    """Every case's stored value today, discounted payback, rate of return and quality figures
    equal `evaluate` (text where the core has none: never, no rate, not computed)."""
    case = WORKBOOK_CASES[name]
    result = evaluate(case)
    blueprint = blueprint_of(case)
    for cell, expected in (
        ("value_today", result.npv),
        ("payback_discounted", result.discounted_payback_months),
        ("rate_of_return", result.irr),
        ("quality_cost_monthly", result.quality_cost_monthly),
        ("quality_adjusted_savings", result.quality_adjusted_monthly_savings),
        ("quality_adjusted_payback", result.quality_adjusted_payback_months),
        ("quality_adjusted_net", result.quality_adjusted_annual_net_benefit),
    ):
        value = stored(blueprint, cell)
        if math.isfinite(expected):
            assert value == pytest.approx(expected, rel=1e-12), cell
        else:
            assert isinstance(value, str), cell
    verdict = result.quality_adjusted_verdict
    assert stored(blueprint, "quality_adjusted_verdict") == (verdict or "not computed")


def test_old_case_without_the_new_fields_says_not_computed():
    """A case with no cost per error: the quality cost and the figures it adjusts say "not
    computed"; the value today at 0 % over 36 months is the plain cumulative net."""
    blueprint = blueprint_of(Case(**SIMPLE))
    assert stored(blueprint, "quality_cost_monthly") == layout.QUALITY_NOT_COSTED_TEXT
    assert stored(blueprint, "quality_adjusted_verdict") == "not computed"
    # −52,500 + 36 × (21,000 − 3,333.33) = 583,500
    assert stored(blueprint, "value_today") == pytest.approx(583_500.0, rel=1e-12)


def test_new_inputs_read_back(tmp_path):
    """Rate, horizon, cost per error, latencies and the slices' shares and own costs read back
    from a built workbook as the case that built it."""
    path = tmp_path / "case.xlsx"
    save_workbook(DISCOUNTED_COSTED, path)
    case, _, findings = read_case(open_workbook(path, data_only=False))
    assert findings == [] and case == DISCOUNTED_COSTED


def test_a_traffic_share_above_one_is_refused_by_name(tmp_path):
    """A slice's traffic share typed as 1.5 on Quality: a finding naming the field and value."""
    path = tmp_path / "case.xlsx"
    save_workbook(DISCOUNTED_COSTED, path)
    workbook = openpyxl.load_workbook(path)
    workbook["Quality"]["I5"] = 1.5
    workbook.save(path)
    case, _, findings = read_case(open_workbook(path, data_only=False))
    assert case is None
    assert any("traffic_share" in f.message and "1.5" in f.message for f in findings), findings


def test_pitch_shows_latency_and_the_value_today():
    """The Pitch carries the value today beside the payback and the P95 latencies, in the CLI
    pitch's words."""
    blueprint = blueprint_of(DISCOUNTED_COSTED)
    pitch = {v for (sheet, _), (_, v) in blueprint.formulas.items() if sheet == "Pitch"}
    assert "teacher 900 ms, student 120 ms (7.5× faster)" in pitch
    assert stored(blueprint, "value_today") in pitch


def test_a_workbook_from_before_the_new_inputs_reads_as_today(tmp_path):
    """A workbook without the new names, and with the old portable helper columns where the
    traffic columns now are, reads back as its case at the defaults (0 %, 36 months)."""
    case = WORKBOOK_CASES["example"]
    path = tmp_path / "old.xlsx"
    save_workbook(case, path, portable=True)
    workbook = openpyxl.load_workbook(path)
    for name in layout.ADDED_LATER:
        del workbook.defined_names[name]
    quality = workbook["Quality"]
    quality["I4"], quality["J4"] = "Failing critical so far", "Their names"
    for row in range(5, 13):  # the old helper: a running count and the names joined
        quality[f"I{row}"], quality[f"J{row}"] = 0, ""
    workbook.save(path)
    read, _, findings = read_case(open_workbook(path, data_only=False))
    assert findings == [] and read == case


def test_check_names_a_discount_rate_out_of_range(tmp_path):
    """A discount rate typed as 5 (500 % a year, above the 100 % bound): `check` reports the
    input, its cell and the bound, and works out no figures from it."""
    from xl_roi.workbook.check import check_workbook

    path = tmp_path / "case.xlsx"
    save_workbook(DISCOUNTED_COSTED, path)
    workbook = openpyxl.load_workbook(path)
    sheet, reference = next(iter(workbook.defined_names["discount_rate"].destinations))
    workbook[sheet][reference.replace("$", "")] = 5
    workbook.save(path)
    findings = check_workbook(path).findings
    bad = [f for f in findings if f.kind == "bad input"]
    assert bad and "discount_rate" in bad[0].message and "5" in bad[0].message, findings


@pytest.mark.parametrize("portable", [False, True])
@pytest.mark.parametrize("name", list(WORKBOOK_CASES))
def test_pitch_sheet_title_is_the_cli_pitch_title(name, portable):
    """The Pitch sheet's title is the CLI pitch's first line, naming the verdict once worse
    answers are counted when it differs from the headline's."""
    case = WORKBOOK_CASES[name]
    title = pitch(evaluate(case)).splitlines()[0].removeprefix("# ")
    assert blueprint_of(case, portable=portable).value_of("Pitch", "A1") == title


@pytest.mark.parametrize("portable", [False, True])
def test_pitch_sheet_title_names_both_verdicts_when_worse_answers_decide(portable):
    """48,000 a month of errors against 21,000 saved: the title reads strong, then do not
    distill once worse answers are counted."""
    blueprint = blueprint_of(WORSE_ANSWERS, portable=portable)
    assert blueprint.value_of("Pitch", "A1") == (
        "Worse answers: strong; do not distill once worse answers are counted"
    )
