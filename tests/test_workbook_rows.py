"""Tests of xl_roi/workbook/rows.py: the Pitch, Quality, Checks and schedule rows live in the
spec, and the builder, the reader and the core take them from there."""

from __future__ import annotations

import subprocess
import sys

import openpyxl
import pytest

from tests.cases import WORKBOOK_CASES
from tests.gnumeric import need_ssconvert, recalculate
from xl_roi import evaluate, example_case
from xl_roi.pitch import RECOMMENDATION
from xl_roi.workbook import layout, rows
from xl_roi.workbook.build import blueprint_of
from xl_roi.workbook.read import open_workbook

READ_ONLY = (
    "import sys, tempfile, pathlib\n"
    "from xl_roi import example_case\n"
    "from xl_roi.workbook import read\n"
    "path = pathlib.Path(sys.argv[1])\n"
    "case, swing, findings = read.read_case(read.open_workbook(path, data_only=False))\n"
    "assert case is not None and case.quality_slices, findings\n"
    "print('xl_roi.workbook.build' in sys.modules)\n"
)


def test_reading_a_workbook_loads_no_builder(tmp_path):
    """Reading a workbook's inputs and slices back never imports the builder for positions."""
    from xl_roi.workbook.build import save_workbook

    target = tmp_path / "case.xlsx"
    save_workbook(example_case(), target)
    done = subprocess.run(
        [sys.executable, "-c", READ_ONLY, str(target)], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


def test_schedule_stored_is_the_core_schedule():
    """Every case's stored cash-flow table equals `Result.schedule()` cell for cell (one source)."""
    for case in WORKBOOK_CASES.values():
        blueprint = blueprint_of(case)
        result = evaluate(case)
        if layout.mirror_values(case)["savings_monthly"] != result.monthly_savings:
            continue  # a whole-GPU student: the workbook's savings are its own figure
        core = result.schedule(rows.SCHEDULE_MONTHS)
        first = min(
            int(ref[1:])
            for (sheet, ref), (formula, _) in blueprint.formulas.items()
            if sheet == "Cash flow" and formula == "=-upfront" and ref.startswith("D")
        )
        for month, row in enumerate(core[1:], start=1):
            r = first + month
            assert blueprint.value_of("Cash flow", f"B{r}") == row["savings"]
            assert blueprint.value_of("Cash flow", f"D{r}") == row["cumulative_net"]
            assert (
                blueprint.value_of("Cash flow", f"E{r}") == row["cumulative_net_after_maintenance"]
            )


def test_recommendation_sentences_are_the_pitch_ones():
    """The workbook's recommendation formula carries `pitch.RECOMMENDATION`'s sentences."""
    formula = layout.native_recommendation("x")
    for sentence in RECOMMENDATION.values():
        assert sentence in formula


# --- the Checks sheet: each check's value worked out, not assumed --------------------------


@pytest.mark.parametrize("label", sorted(WORKBOOK_CASES))
def test_every_check_holds_for_every_workbook_case(label):
    """Each check's stored value is worked out from the workbook's figures, and holds for
    every case the tests build."""
    values = layout.mirror_values(WORKBOOK_CASES[label])
    held = {name: rows.check_cell(check, values).value for name, check, _ in rows.CHECKS}
    assert all(value is True for value in held.values()), held


def test_a_check_fails_when_its_figure_is_off():
    """Monthly savings, payback and the savings share each one part in a million off: their
    checks store FALSE (before, every check stored TRUE whatever the figures)."""
    values = layout.mirror_values(WORKBOOK_CASES["example"])
    off = {
        "savings_monthly": "Monthly savings agree with plain arithmetic",
        "payback_months": "Payback agrees with plain arithmetic",
        "spend_cut": "The savings share agrees with plain arithmetic",
    }
    checks = {name: check for name, check, _ in rows.CHECKS}
    for figure, check_name in off.items():
        wrong = {**values, figure: values[figure] * (1 + 1e-6)}
        assert rows.check_cell(checks[check_name], wrong).value is False, figure
        assert rows.check_cell(checks[check_name], values).value is True, figure


@pytest.mark.parametrize("label", ["example", "self-hosted", "never pays back"])
def test_the_formulas_engine_computes_each_check_to_its_stored_value(label):
    """An engine we did not write computes every check's formula to the value stored."""
    import formulas

    values = layout.mirror_values(WORKBOOK_CASES[label])
    for name, check, _ in rows.CHECKS:
        if "MATCH(" in rows.check_cell(check).text:
            continue  # a lookup over a range: LibreOffice computes it (test_workbook_portable)
        worked = rows.check_cell(check, values)
        compiled = formulas.Parser().ast("=" + worked.text)[1].compile()
        engine = compiled(*(values[input_.lower()] for input_ in compiled.inputs))
        engine = engine.item() if hasattr(engine, "item") else engine
        assert bool(engine) is worked.value, (name, engine, worked.value)


def _pitch_lines(path):
    """The Pitch sheet's stored values by label (column A → column B)."""
    import openpyxl

    sheet = openpyxl.load_workbook(path, data_only=True)["Pitch"]
    return {row[0].value: row[1].value for row in sheet.iter_rows() if row[0].value}


@need_ssconvert()
def test_pitch_latency_is_the_cli_pitch_words_with_one_model_measured(tmp_path):
    """Only the teacher's P95 measured: the Pitch says it (not "not measured"), in the CLI
    pitch's words, stored and recalculated by Gnumeric (portable flavour)."""
    from xl_roi.pitch import pitch
    from xl_roi.workbook.build import save_workbook

    case = example_case().replace(teacher_p95_ms=1_200.0)
    words = "teacher 1,200 ms"
    assert f"Latency at the 95th percentile: {words}." in pitch(evaluate(case))
    path = tmp_path / "p95.xlsx"
    save_workbook(case, path, portable=True)
    assert _pitch_lines(path)["P95 latency"] == words

    saved = recalculate(path, tmp_path / "p95_gnumeric.xlsx")
    sheet = open_workbook(saved, data_only=True)["Pitch"]  # the guarded reader, as check's
    assert next(row[1].value for row in sheet.iter_rows() if row[0].value == "P95 latency") == words


def test_pitch_makes_no_ask_when_the_cli_makes_none(tmp_path):
    """Worse answers cost more than the compute saved: the CLI says "No ask."; the Pitch's
    amounts say "no ask" rather than a budget, and "Why" gives the reason (never "-")."""
    from tests.cases import WORSE_ANSWERS
    from xl_roi.pitch import pitch
    from xl_roi.workbook.build import save_workbook

    assert "No ask." in pitch(evaluate(WORSE_ANSWERS))
    path = tmp_path / "worse.xlsx"
    save_workbook(WORSE_ANSWERS, path)
    lines = _pitch_lines(path)
    assert lines["Upfront budget"] == rows.NO_ASK_TEXT
    assert lines["Recurring: maintenance a year"] == rows.NO_ASK_TEXT
    assert lines["Why"] == "Worse answers cost more than the compute saved"
    example = tmp_path / "example.xlsx"
    save_workbook(example_case(), example)
    lines = _pitch_lines(example)
    assert lines["Upfront budget"] == evaluate(example_case()).upfront_cost
    assert lines["Why"] not in ("-", "")


def test_pitch_says_an_irr_above_100_percent_in_words(tmp_path):
    """The example's IRR (about 1,800 % a year beside a 3-month payback) reads "over 100 %"
    on the Pitch; a modest one reads as the share it is; Calculations keeps the figure."""
    from xl_roi.workbook.build import save_workbook

    label = "Rate of return a year (IRR over the horizon)"
    path = tmp_path / "x.xlsx"
    save_workbook(example_case(), path)
    assert evaluate(example_case()).irr > 1
    assert _pitch_lines(path)[label] == "over 100 %"
    slow = example_case().replace(monthly_calls=500_000, monthly_growth=0.0)
    save_workbook(slow, path, force=True)
    irr = evaluate(slow).irr
    assert 0 < irr < 1
    assert _pitch_lines(path)[label] == irr


def test_worse_answers_column_is_the_schedule_of_the_quality_adjusted_savings():
    """The schedule's last column (what the Pitch chart's quality-adjusted line draws) is the
    core's cumulative net after maintenance on the savings less the cost of worse answers, and
    blank where that cost is not computed."""
    from xl_roi import cashflow

    case = WORKBOOK_CASES["worse answers"]
    result = evaluate(case)
    values = layout.mirror_values(case)
    expected = [
        month["cumulative_net_after_maintenance"]
        for month in cashflow.schedule(
            result.upfront_cost,
            result.quality_adjusted_monthly_savings,
            result.annual_maintenance,
            case.monthly_growth,
            rows.SCHEDULE_MONTHS,
        )
    ]
    got = rows.worse_answers_schedule_values(values)
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-6)
    assert got[-1] < got[0] < 0  # worse answers cost more than the compute saves: it falls
    example = layout.mirror_values(WORKBOOK_CASES["example"])
    assert set(rows.worse_answers_schedule_values(example)) == {""}


@need_ssconvert()
@pytest.mark.parametrize("failing", [["Billing"], ["Billing", "Refunds"]])
def test_worse_answers_recommendation_names_the_critical_slices_failed_too(tmp_path, failing):
    """Where worse answers decide and a business-critical slice fails too, the recommendation
    names the slice (it once said only "Do not distill. Worse answers cost more…"): the core's
    words, stored in both flavours and recalculated by Gnumeric in the portable one."""
    import dataclasses

    from tests.cases import WORSE_ANSWERS
    from xl_roi import QualitySlice
    from xl_roi.workbook.build import save_workbook

    billing = WORSE_ANSWERS.quality_slices[0]  # dropped beyond its tolerance, and critical
    slices = [dataclasses.replace(billing, business_critical=True, student_score=0.90)]
    slices.append(WORSE_ANSWERS.quality_slices[1])
    if "Refunds" in failing:
        slices.append(QualitySlice("Refunds", True, 0.95, 0.90, 0.02, traffic_share=0.1))
    case = WORSE_ANSWERS.replace(quality_slices=tuple(slices))
    words = evaluate(case).recommendation
    named = " and ".join(failing)
    which = "a business-critical slice" if len(failing) == 1 else "business-critical slices"
    assert words.startswith("Do not distill. Worse answers cost more")
    assert words.endswith(f" The student also fails {named}, {which}.")
    for portable in (False, True):
        path = tmp_path / f"case_{portable}.xlsx"
        save_workbook(case, path, portable=portable)
        assert openpyxl.load_workbook(path, data_only=True)["Pitch"]["B3"].value == words
    saved = recalculate(path, tmp_path / "gnumeric.xlsx")
    assert open_workbook(saved, data_only=True)["Pitch"]["B3"].value == words
