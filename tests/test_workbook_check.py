"""Tests of xl_roi/workbook/check.py and read.py: findings, and refusing hostile files."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from tests.cases import WORKBOOK_CASES
from tests.xlsx_tamper import (
    edit_part,
    replace_formula_by_constant,
    set_input,
    set_input_text,
    set_stored_result,
)
from xl_roi import example_case
from xl_roi.cli import main
from xl_roi.workbook.build import build_workbook, save_workbook
from xl_roi.workbook.check import (
    DISTINCT_PER_KIND,
    check_workbook,
    group_findings,
    next_step,
    same_result,
)
from xl_roi.workbook.read import WorkbookError, open_workbook, read_case


@pytest.fixture
def built(tmp_path):
    path = tmp_path / "case.xlsx"
    blueprint = save_workbook(example_case(), path)
    return path, blueprint


def where(blueprint, name):
    sheet, reference = blueprint.names[name].split("!")
    return sheet.strip("'"), reference.replace("$", "")


@pytest.mark.parametrize("name", sorted(WORKBOOK_CASES))
def test_built_workbooks_are_clean(tmp_path, name):
    """Every workbook the builder writes passes the check, and reads back as its case."""
    path = tmp_path / "case.xlsx"
    save_workbook(WORKBOOK_CASES[name], path)
    report = check_workbook(path)
    assert report.findings == [] and report.checked_cells > 400
    assert report.case == WORKBOOK_CASES[name]


def test_stale_result_is_a_mismatch(built):
    """A stored result that disagrees with the core is reported with both values."""
    path, blueprint = built
    sheet, reference = where(blueprint, "savings_monthly")
    set_stored_result(path, sheet, reference, "999")
    findings = check_workbook(path).findings
    assert [(f.kind, f.where) for f in findings] == [("mismatch", f"{sheet}!{reference}")]
    assert "stores 999" in findings[0].message and "10560" in findings[0].message


def test_formula_overwritten_by_a_constant(built):
    """A number typed over a formula is reported as an overwritten formula."""
    path, blueprint = built
    sheet, reference = where(blueprint, "payback_months")
    replace_formula_by_constant(path, sheet, reference, "3")
    findings = check_workbook(path).findings
    assert ("formula overwritten", f"{sheet}!{reference}") in [(f.kind, f.where) for f in findings]


def test_changed_formula(built):
    """A formula edited to something else is reported as changed."""
    path, blueprint = built
    sheet, reference = where(blueprint, "savings_monthly")
    edit_part(
        path,
        "xl/worksheets/sheet3.xml",
        lambda xml: xml.replace(
            "MONTHLY_SAVINGS(teacher_cost, student_cost, monthly_calls)",
            "MONTHLY_SAVINGS(teacher_cost, student_cost, half_calls)",
        ),
    )
    kinds = [(f.kind, f.where) for f in check_workbook(path).findings]
    assert ("formula changed", f"{sheet}!{reference}") in kinds


def test_input_changed_without_recalculation(built):
    """A new volume with the old results stored: every dependent result is a mismatch."""
    path, _ = built
    set_input(path, "B9", "3000000")
    findings = check_workbook(path).findings
    assert findings and {f.kind for f in findings} == {"mismatch"}
    assert any("Calculations!" in f.where for f in findings)


@pytest.mark.parametrize(
    ("value", "message"),
    [("-5", "monthly_calls must be a number ≥ 0, holds -5"), ("1e400", "monthly_calls must be")],
)
def test_input_out_of_range(built, value, message):
    """An input out of range is reported by name, cell and value; nothing else is judged."""
    path, _ = built
    set_input(path, "B9", value)
    report = check_workbook(path)
    assert report.case is None
    assert [f.kind for f in report.findings] == ["bad input"]
    assert report.findings[0].where == "Inputs!B9 (monthly_calls)"
    assert message in report.findings[0].message


def test_text_in_a_number_input(built):
    """Text where a number belongs is reported as such."""
    path, _ = built
    set_input_text(path, "B9", "1,500,000")
    findings = check_workbook(path).findings
    assert "monthly_calls must be a number ≥ 0, holds '1,500,000'" in findings[0].message


def test_missing_name(built):
    """A defined name the formulas need, deleted, is reported."""
    path, _ = built
    edit_part(
        path,
        "xl/workbook.xml",
        lambda xml: xml.replace(
            '<definedName name="monthly_calls">', '<definedName name="monthly_calls_old">'
        ),
    )
    findings = check_workbook(path).findings
    assert ("missing name", "workbook") in [(f.kind, f.where) for f in findings]
    assert any("monthly_calls" in f.message for f in findings)


def test_read_case_applies_the_formulas_precedence():
    """A teacher cost typed over token prices wins, as in the formula; the rest is ignored."""
    workbook, blueprint = build_workbook(example_case())
    sheet, reference = blueprint.inputs["teacher_cost_per_1k"]
    workbook[sheet][reference].value = 9.0
    case, swing, findings = read_case(workbook)
    assert findings == [] and swing == 0.5
    assert case.teacher_cost_per_1k == 9.0 and case.teacher_input_price_per_million is None


class TestHostileFiles:
    def test_not_a_zip(self, tmp_path):
        """Random bytes named .xlsx: refused as not a workbook."""
        path = tmp_path / "fake.xlsx"
        path.write_bytes(b"not a workbook at all" * 10)
        with pytest.raises(WorkbookError, match=r"not an \.xlsx workbook"):
            open_workbook(path, data_only=True)

    def test_zip_but_not_xlsx(self, tmp_path):
        """A zip without a workbook part is refused."""
        path = tmp_path / "other.xlsx"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("hello.txt", "hi")
        with pytest.raises(WorkbookError, match=r"a zip archive, but not an \.xlsx workbook"):
            open_workbook(path, data_only=True)

    def test_zip_bomb(self, tmp_path):
        """A part that unpacks to hundreds of times its size is refused before parsing."""
        path = tmp_path / "bomb.xlsx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("xl/workbook.xml", "<workbook/>")
            archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 5_000_000)
        with pytest.raises(WorkbookError, match="possible zip bomb"):
            open_workbook(path, data_only=True)

    def test_entity_expansion(self, built):
        """XML declaring entities (billion laughs, external entities) is refused."""
        path, _ = built
        edit_part(
            path,
            "xl/workbook.xml",
            lambda xml: xml.replace(
                "<workbook ",
                '<!DOCTYPE workbook [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;">]><workbook ',
                1,
            ),
        )
        with pytest.raises(WorkbookError, match="declares entities or a DTD"):
            open_workbook(path, data_only=True)

    def test_truncated(self, built):
        """A file cut short is refused as corrupt, not a traceback."""
        path, _ = built
        path.write_bytes(path.read_bytes()[:5_000])
        with pytest.raises(WorkbookError):
            open_workbook(path, data_only=True)

    def test_missing_and_folder(self, tmp_path):
        """A missing path and a folder get their own messages."""
        with pytest.raises(WorkbookError, match="no such file"):
            open_workbook(tmp_path / "none.xlsx", data_only=True)
        with pytest.raises(WorkbookError, match="is not a file"):
            open_workbook(tmp_path, data_only=True)


def test_same_result_tolerance():
    """Numbers agree within 1e-9 relative; truth values by meaning (LibreOffice stores TRUE as
    1); text exactly; blank matches blank."""
    assert same_result(1.0, 1.0 + 5e-10) and not same_result(1.0, 1.0 + 5e-9)
    assert same_result(True, True) and same_result(True, 1.0) and same_result(False, 0)
    assert not same_result(True, 0) and not same_result(True, 2) and not same_result(False, "")
    assert not same_result(1.0, True)  # a figure is never a truth value
    assert same_result("", None) and not same_result("pass", "FAIL")


def test_repeated_findings_grouped_with_next_step(built, tmp_path, capsys):
    """Hundreds of identical findings print as one line with a count, then what to run next."""
    path, blueprint = built
    resaved = tmp_path / "resaved.xlsx"
    openpyxl.load_workbook(path).save(resaved)  # openpyxl stores no formula results
    assert main(["check", str(resaved)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    # every formula lost its stored result; those whose result is blank text are not missed
    formulas = sum(1 for _, expected in blueprint.formulas.values() if expected not in ("", None))
    assert lines[0] == f"{resaved} (add-in flavour): {formulas} finding(s)"
    assert len(lines) == 3
    assert lines[1].startswith(f"  no stored result in {formulas:,} cells (")
    assert lines[2] == (
        f"next: `xl-roi build {resaved}` recomputes every result into "
        f"{tmp_path / 'resaved_built.xlsx'} (the file was saved by a program that does not "
        "calculate)"
    )


def test_many_different_mismatches_are_one_group(built, capsys):
    """A changed input makes a mismatch in many cells: one line for the kind, with examples."""
    path, _ = built
    set_input(path, "B9", "3000000")
    report = check_workbook(path)
    groups = group_findings(report.findings)
    assert [group.kind for group in groups] == ["mismatch"]
    assert len(groups[0].places) == len(report.findings) > DISTINCT_PER_KIND
    assert next_step(report).startswith("next: recalculate it in Excel")


@pytest.mark.parametrize("how", ["removed", "renamed"])
@pytest.mark.parametrize("command", ["pitch", "build"])
def test_lost_quality_sheet_is_an_error(built, tmp_path, capsys, how, command):
    """A workbook without its Quality sheet is refused by name, never read as no slices."""
    path, _ = built
    workbook = openpyxl.load_workbook(path)
    if how == "removed":
        del workbook["Quality"]
    else:
        workbook["Quality"].title = "Quality (old)"
    edited = tmp_path / "edited.xlsx"
    workbook.save(edited)
    arguments = [command, str(edited)] + (
        ["-o", str(tmp_path / "out.xlsx")] if command == "build" else []
    )
    assert main(arguments) == 2
    assert "no Quality sheet" in capsys.readouterr().err
    assert not (tmp_path / "out.xlsx").exists()
