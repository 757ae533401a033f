"""The portable flavour, recalculated by LibreOffice: a spreadsheet engine we did not write and
into which nothing is registered computes every formula, and lands on the builder's results.

All workbooks go through one LibreOffice start (a session fixture): each start costs seconds.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.cases import SIMPLE, WORKBOOK_CASES
from tests.libreoffice import convert_all, make_profile, need_soffice
from xl_roi import Case, QualitySlice, evaluate, example_case
from xl_roi._sensitivity import headline_table
from xl_roi.workbook import layout
from xl_roi.workbook.build import Blueprint, save_workbook
from xl_roi.workbook.read import open_workbook, read_case

pytestmark = need_soffice()

ERROR_VALUES = {"#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#N/A", "#NULL!"}

PORTABLE_CASES: dict[str, Case] = {
    **WORKBOOK_CASES,
    # shrinking volume that still pays back after maintenance: the Newton steps from month 0
    "shrinking, pays back": Case(**{**SIMPLE, "monthly_growth": -0.01}, name="Slow decline"),
    # a growth so small that (1+g)^n − 1 would lose its digits: the native forms keep them
    "tiny growth": Case(**{**SIMPLE, "monthly_growth": 1e-9}, name="Barely growing"),
    "tiny decline": Case(**{**SIMPLE, "monthly_growth": -1e-9}, name="Barely shrinking"),
    # three failing business-critical slices: the recommendation joins "a, b and c"
    "three failing": example_case().replace(
        quality_slices=(
            QualitySlice("Refunds", True, 0.95, 0.80, 0.02),
            QualitySlice("Small talk", False, 0.80, 0.70, 0.05),
            QualitySlice("Fraud", True, 0.90, 0.70, 0.02),
            QualitySlice("Legal", True, 0.90, 0.70, 0.02),
        )
    ),
}

LIVE_EDITS: dict[str, dict[str, Any]] = {
    # the value today, discounted payback and rate of return move with the rate typed in
    "live discount rate": {"discount_rate": 0.12},
    # 2,000,000 → 5,000,000 calls a month
    "live volume": {"monthly_calls": 5_000_000.0},
    # token prices → a self-hosted student on whole GPUs
    "live self-hosted": {
        "student_pricing": layout.MODE_SELF_HOSTED,
        "gpu_hourly_cost": 2.5,
        "calls_per_second_per_gpu": 25.0,
        "target_utilization": 0.6,
        "peak_factor": 2.0,
    },
    # flat 2 % a month → 6 % a month: the growth row's break-even is a bisection
    "live growth": {"monthly_growth": 0.06},
    # whole GPUs that bands 2 to 6 of volume pay for only in part (see the test below)
    "live GPU bands": {
        "student_pricing": layout.MODE_SELF_HOSTED,
        "gpu_hourly_cost": 10.8,
        "calls_per_second_per_gpu": 1.0,
        "target_utilization": 0.5,
        "peak_factor": 1.0,
        "monthly_calls": 7_000_000.0,
    },
}


def _stem(name: str) -> str:
    return name.replace(" ", "_").replace(",", "")


def _named(workbook: Any, name: str) -> Any:
    sheet, reference = next(iter(workbook.defined_names[name].destinations))
    return workbook[sheet][reference.replace("$", "")].value


def _agrees(expected: Any, got: Any) -> bool:
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected == got
    if isinstance(expected, int | float) and isinstance(got, int | float):
        return math.isclose(expected, got, rel_tol=1e-9, abs_tol=1e-9)
    if expected == "" and got is None:  # LibreOffice stores an empty text result as no value
        return True
    return bool(expected == got)


@pytest.fixture(scope="session")
def recalculated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every case built portable, the live edits saved by openpyxl, all recalculated in one
    LibreOffice run: name → (blueprint or None, LibreOffice's workbook, the case it holds)."""
    folder = tmp_path_factory.mktemp("portable")
    sources: dict[str, tuple[Path, Blueprint | None, Case]] = {}
    for name, case in PORTABLE_CASES.items():
        path = folder / f"{_stem(name)}.xlsx"
        sources[name] = (path, save_workbook(case, path, portable=True), case)
    for name, edits in LIVE_EDITS.items():
        path = folder / f"{_stem(name)}.xlsx"
        save_workbook(example_case(), folder / "base.xlsx", portable=True, force=True)
        workbook = openpyxl.load_workbook(folder / "base.xlsx")
        for input_name, value in edits.items():
            sheet, reference = next(iter(workbook.defined_names[input_name].destinations))
            workbook[sheet][reference.replace("$", "")].value = value
        workbook.save(path)  # openpyxl drops every stored result
        case, _, findings = read_case(open_workbook(path, data_only=False))
        assert case is not None, findings
        sources[name] = (path, None, case)
    started = time.perf_counter()
    outputs = convert_all(
        [path for path, _, _ in sources.values()],
        folder / "out",
        make_profile(folder / "profile"),
    )
    seconds = time.perf_counter() - started
    print(f"LibreOffice recalculated {len(outputs)} workbooks in {seconds:.1f} s")
    return {
        name: (blueprint, openpyxl.load_workbook(output, data_only=True), case)
        for (name, (_, blueprint, case)), output in zip(sources.items(), outputs, strict=True)
    }


@pytest.mark.parametrize("name", list(PORTABLE_CASES))
def test_libreoffice_computes_the_stored_results(recalculated, name):
    """Every formula cell LibreOffice computes equals the builder's stored result."""
    blueprint, workbook, _ = recalculated[name]
    wrong = [
        f"{sheet}!{cell}: stored {expected!r}, LibreOffice {workbook[sheet][cell].value!r}"
        for (sheet, cell), (_, expected) in blueprint.formulas.items()
        if not _agrees(expected, workbook[sheet][cell].value)
    ]
    assert not wrong, wrong[:5]


@pytest.mark.parametrize("name", [*PORTABLE_CASES, *LIVE_EDITS])
def test_no_cell_is_an_error(recalculated, name):
    """No cell of the recalculated workbook is an error value (an unknown function, a bad
    reference, a division by zero)."""
    _, workbook, _ = recalculated[name]
    errors = [
        f"{sheet.title}!{cell.coordinate}: {cell.value}"
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
        and (cell.value in ERROR_VALUES or cell.value.startswith("Err:"))
    ]
    assert not errors, errors[:5]


def _headline_agrees(workbook: Any, case: Case) -> None:
    result = evaluate(case)

    def months(value: float) -> Any:
        return value if math.isfinite(value) else None

    pairs = {
        "savings_monthly": result.monthly_savings,
        "net_benefit_annual": result.annual_net_benefit,
        "upfront": result.upfront_cost,
        "payback_months": months(result.payback_months),
        "payback_net_of_maintenance": months(result.payback_after_maintenance_months),
        "half_payback": months(result.half_volume_payback_months),
        "breakeven_calls": months(result.breakeven_monthly_calls),
        "first_year_net": result.first_year_net,
    }
    for name, expected in pairs.items():
        got = _named(workbook, name)
        if expected is None:  # never: the cell says why, in words
            assert isinstance(got, str) and got.startswith("#NUM! "), (name, got)
        else:
            assert _agrees(expected, got), (name, expected, got)
    assert _named(workbook, "verdict_label") == result.verdict
    _finance_agrees(workbook, result)


def _finance_agrees(workbook: Any, result: Any) -> None:
    """Issue 12's figures: the value today, discounted payback, rate of return and the cost of
    worse answers with the figures it adjusts, as the core has them."""
    assert _agrees(result.npv, _named(workbook, "value_today"))
    for name, expected in (
        ("payback_discounted", result.discounted_payback_months),
        ("rate_of_return", result.irr),
        ("quality_cost_monthly", result.quality_cost_monthly),
        ("quality_adjusted_savings", result.quality_adjusted_monthly_savings),
        ("quality_adjusted_payback", result.quality_adjusted_payback_months),
        ("quality_adjusted_net", result.quality_adjusted_annual_net_benefit),
    ):
        got = _named(workbook, name)
        if math.isfinite(expected):
            assert isinstance(got, int | float) and math.isclose(expected, got, rel_tol=1e-9), (
                name,
                expected,
                got,
            )
        else:  # never, no rate, not computed: the cell says so in words
            assert isinstance(got, str) and ("never" in got or "not" in got), (name, got)
    verdict = result.quality_adjusted_verdict
    assert _named(workbook, "quality_adjusted_verdict") == (
        "not computed" if verdict is None else verdict
    )


@pytest.mark.parametrize("name", list(PORTABLE_CASES))
def test_headline_equals_evaluate(recalculated, name):
    """Savings, payback (with and after maintenance), net benefit, break-even and the verdict,
    as LibreOffice computes them, equal :func:`evaluate`."""
    _, workbook, case = recalculated[name]
    _headline_agrees(workbook, case)


@pytest.mark.parametrize("name", list(LIVE_EDITS))
def test_filling_in_works_live(recalculated, name):
    """An input changed with openpyxl (results dropped) and recalculated by LibreOffice gives
    the core's figures, verdict, flags and recommendation for the new inputs."""
    _, workbook, case = recalculated[name]
    _headline_agrees(workbook, case)
    mirror = layout.mirror_values(case)
    for row in layout.CALC_ROWS.values():
        assert _agrees(mirror[row.name], _named(workbook, row.name)), row.name


def test_live_edits_are_the_new_inputs(recalculated):
    """The edited workbooks hold the new inputs (5,000,000 calls; a self-hosted student)."""
    assert recalculated["live volume"][2].monthly_calls == 5_000_000
    hosted = recalculated["live self-hosted"][2]
    assert hosted.gpu_hourly_cost == 2.5 and hosted.student_cost_per_1k is None
    # The example: teacher 7.50 and student 0.46 per 1k (token prices, escalation included);
    # 5,000,000 calls: (7.50 − 0.46) × 5,000 = 35,200 a month (1,500,000 gives its 10,560)
    assert _named(recalculated["live volume"][1], "savings_monthly") == pytest.approx(35_200.0)


def test_three_failing_slices_are_named_in_the_recommendation(recalculated):
    """The recommendation joins three failing business-critical slices as "a, b and c"."""
    text = _named(recalculated["three failing"][1], "recommendation_text")
    assert text.startswith("Not yet: the student fails Refunds, Fraud and Legal; fix it")


def _headline_table_of(case: Case) -> list[list[Any]]:
    """What `xl-roi sensitivity`'s SENSITIVITY table gives for the case, from its own figures:
    the student per call (self-hosted: only the teacher's share it hands back, on whole GPUs);
    the teacher's labels of the corpus, where data generation is worked out from it, moving
    with the teacher's price."""
    result = evaluate(case)
    from_corpus = case.upfront_cost is None and case.data_generation_cost is None
    hosting: dict[str, Any] = {}
    per_call = result.student_cost_per_1k
    if case.is_self_hosted:
        per_call = case.escalation_share * result.teacher_cost_per_1k
        hosting = dict(
            gpu_hourly_cost=case.gpu_hourly_cost,
            calls_per_second_per_gpu=case.calls_per_second_per_gpu,
            target_utilization=case.target_utilization,
            peak_factor=case.peak_factor,
        )
    return headline_table(
        result.upfront_cost,
        result.teacher_cost_per_1k,
        per_call,
        case.monthly_calls,
        result.annual_maintenance,
        0.5,
        case.target_payback_months,
        case.monthly_growth,
        **hosting,
        teacher_labelling_cost=result.data_generation_cost if from_corpus else 0.0,
    )


@pytest.mark.parametrize("name", list(LIVE_EDITS))
def test_sensitivity_table_recalculates_live(recalculated, name):
    """After a live edit, LibreOffice's Sensitivity table (A5:J14) is the core's table for the
    edited case: same rows in the same order, numbers to 1e-9, "never" and blanks alike."""
    _, workbook, case = recalculated[name]
    sheet = workbook["Sensitivity"]
    got = [[sheet.cell(row=5 + r, column=1 + c).value for c in range(10)] for r in range(10)]
    expected = _headline_table_of(case)
    wrong = [
        (r, c, want, got[r][c])
        for r, row in enumerate(expected)
        for c, want in enumerate(row)
        if not _agrees(want, got[r][c])
    ]
    assert not wrong, wrong[:5]


def test_net_break_even_volume_on_whole_gpus_recalculates_to_the_last_partial_band(recalculated):
    """LibreOffice's volume at which net benefit reaches zero, when several GPU bands are
    partly profitable, is the lowest volume above which every volume has a positive net."""
    _, workbook, _ = recalculated["live GPU bands"]
    sheet = workbook["Sensitivity"]
    rows = {sheet.cell(row=r, column=1).value: r for r in range(6, 15)}
    got = sheet.cell(row=rows["Monthly volume"], column=10).value
    # teacher 1,500 × 3.00 + 200 × 15.00 per million tokens = 7.50 per 1,000 calls; maintenance
    # 4 × 6,000 = 24,000 a year, 2,000 a month; a GPU 10.80 × 730 = 7,884 a month carrying
    # 1 × 0.5 × 730 × 3,600 = 1,314,000 calls. On n GPUs the net is positive from
    # (2,000 + 7,884 n) × 1000 / 7.5 = 266,666.67 + 1,051,200 n: bands 2 to 6 only in part (at
    # 2,628,000 + 1 the 3 GPUs cost more than 3,420,266.67 would need), band 7 from its first
    # volume (266,666.67 + 7,358,400 ≤ 7,884,000), so band 6's 6,573,866.67 is the break-even.
    assert got == pytest.approx(266_666.666_666_7 + 6 * 1_051_200, rel=1e-9)


def test_libreoffice_keeps_the_exclusive_bounds_rules(recalculated):
    """LibreOffice opens and saves the workbook with its custom validation rules intact:
    monthly growth still refuses −1 and accepts 1, by a formula over its own cell."""
    blueprint, workbook, _ = recalculated["example"]
    coordinate = blueprint.inputs["monthly_growth"][1]
    rules = [
        rule
        for rule in workbook["Inputs"].data_validations.dataValidation
        if coordinate in str(rule.sqref).split()
    ]
    assert len(rules) == 1
    formula = rules[0].formula1.replace(" ", "").replace("$", "")
    assert rules[0].type == "custom"
    assert f"{coordinate}>-1" in formula and f"{coordinate}<=1" in formula
