"""Tests of reading a filled-in workbook back (xl_roi.workbook.read): every bad input a finding
naming its cell and the fix, never a raw Python error."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.gnumeric import need_ssconvert, recalculate
from xl_roi import example_case
from xl_roi.cli import main
from xl_roi.workbook.build import build_workbook
from xl_roi.workbook.layout import INPUT_ROWS
from xl_roi.workbook.read import read_case

ROOT = Path(__file__).resolve().parents[1]


def fill(tmp_path: Path, **values: object) -> Path:
    """The committed template with some inputs typed in by openpyxl (as a script would)."""
    workbook = openpyxl.load_workbook(ROOT / "workbook_template.xlsx")
    for name, value in values.items():
        sheet, reference = next(iter(workbook.defined_names[name].destinations))
        workbook[sheet][reference.replace("$", "")].value = value
    path = tmp_path / "filled.xlsx"
    workbook.save(path)
    return path


def cell_of(name: str) -> str:
    workbook = openpyxl.load_workbook(ROOT / "workbook_template.xlsx")
    sheet, reference = next(iter(workbook.defined_names[name].destinations))
    return f"{sheet}!{reference.replace('$', '')} ({name})"


def finding_line(text: str, name: str) -> str:
    """What the output says about the input's cell, from its name on."""
    start = text.index(f"{cell_of(name)}: bad input: ")
    return text[start:].splitlines()[0]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


BAD_FILLS = [
    # (input, value, what the finding must say after naming the cell)
    ("monthly_calls", None, "monthly_calls is blank: enter the calls a month"),
    ("monthly_growth", 1e308, "monthly_growth must be a share > -1 and ≤ 1 (0.05 = 5 %)"),
    ("monthly_growth", 5.0, "5 means 500 % a month; write 0.05 for 5 %"),
    ("target_payback_months", 1e308, "target_payback_months must be a number > 0 and ≤ 1200"),
    ("teacher_cost_per_1k", 1e-320, "teacher_cost_per_1k is too small to compute with"),
    ("student_cost_per_1k", 1e-320, "student_cost_per_1k is too small to compute with"),
]


@pytest.mark.parametrize(("name", "value", "message"), BAD_FILLS)
def test_build_of_a_badly_filled_workbook_names_the_cell(tmp_path, capsys, name, value, message):
    """`xl-roi build filled.xlsx` exits 2 with the cell and the fix, and writes nothing."""
    filled = fill(tmp_path, **{name: value})
    output = tmp_path / "out.xlsx"
    code, out, err = run(capsys, "build", str(filled), "-o", str(output))
    assert code == 2 and out == ""
    assert message in finding_line(err, name)
    assert "bug" not in err and "Error" not in err
    assert not output.exists()


@pytest.mark.parametrize(("name", "value", "message"), BAD_FILLS)
def test_check_of_a_badly_filled_workbook_names_the_cell(tmp_path, capsys, name, value, message):
    """`xl-roi check filled.xlsx` exits 1 with a finding naming the cell and the fix."""
    filled = fill(tmp_path, **{name: value})
    code, out, err = run(capsys, "check", str(filled))
    assert code == 1 and err == ""
    assert message in finding_line(out, name)


def test_inputs_that_overflow_together_are_a_finding(tmp_path, capsys):
    """1e308 calls a month is within every bound alone, but its savings leave the float range:
    a finding, not a crash or a workbook of infinities."""
    filled = fill(tmp_path, monthly_calls=1e308)
    code, out, _ = run(capsys, "check", str(filled))
    assert code == 1
    assert "Inputs: bad input: monthly_savings is out of range" in out


cell_value = st.one_of(
    st.none(),
    st.floats(),
    st.sampled_from([1e-320, -1e-320, 1e308, -1e308, 0.0, 5.0, 100.0, -5.0, 1e15]),
    st.integers(-(10**30), 10**30),
    st.text(alphabet=st.characters(min_codepoint=32), max_size=5),
    st.booleans(),
    st.datetimes(),
)
NUMERIC_INPUTS = sorted(
    name for name, row in INPUT_ROWS.items() if row.kind not in ("text", "choice")
)


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from(NUMERIC_INPUTS), cell_value, max_size=4))
def test_any_typed_inputs_give_findings_or_a_case_that_builds(changes):
    """Whatever is typed into the input cells, reading back gives findings, or a case whose
    workbook builds (no TypeError, OverflowError or infinite result on the way)."""
    workbook, blueprint = build_workbook(example_case())
    for name, value in changes.items():
        workbook["Inputs"][blueprint.inputs[name][1]].value = value
    case, swing, findings = read_case(workbook)
    if case is None:
        assert any(finding.kind == "bad input" for finding in findings)
    else:
        build_workbook(case, swing)


@need_ssconvert()
def test_endpoints_saved_by_gnumeric_screen_as_the_csv(tmp_path, capsys):
    """A table of endpoints saved as xlsx by Gnumeric (text in shared strings, no default
    style) screens exactly as its CSV, with nothing from openpyxl on the screen."""
    from xl_roi.casefile import sample_endpoints_path

    saved = tmp_path / "endpoints.xlsx"
    recalculate(sample_endpoints_path(), saved)
    assert main(["screen", str(sample_endpoints_path()), "--json"]) == 0
    from_csv = capsys.readouterr().out
    assert main(["screen", str(saved), "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.out == from_csv
    assert "Warning" not in captured.err and "openpyxl" not in captured.err


def test_a_portfolio_workbook_is_not_read_as_endpoints_or_as_a_case(tmp_path, capsys):
    """The portfolio workbook `xl-roi screen` writes, given back to screen, check or deck, is
    refused as what it is (exit 2, one line), never screened as a table of blank endpoints."""
    portfolio = tmp_path / "portfolio.xlsx"
    code, _, _ = run(capsys, "screen", "-o", str(portfolio))
    assert code == 0 and portfolio.exists()
    for argv in (
        ("screen", str(portfolio), "--json"),
        ("check", str(portfolio)),
        ("deck", str(portfolio), "-o", str(tmp_path / "deck.pptx")),
    ):
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == "", argv
        assert "portfolio workbook that xl-roi screen wrote" in err, argv
        assert len(err.strip().splitlines()) == 1, argv
    assert not (tmp_path / "deck.pptx").exists()
