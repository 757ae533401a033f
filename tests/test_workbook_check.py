"""Tests of xl_roi/workbook/check.py and read.py: findings, and refusing hostile files."""

from __future__ import annotations

import json
import re
import zipfile

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.cases import WORKBOOK_CASES
from tests.excel_shapes import save_as_excel
from tests.xlsx_tamper import (
    edit_part,
    replace_formula_by_constant,
    set_input,
    set_input_text,
    set_stored_result,
    sheet_part,
)
from xl_roi import example_case
from xl_roi.cli import main
from xl_roi.workbook import layout
from xl_roi.workbook.build import build_workbook, save_workbook
from xl_roi.workbook.check import (
    DISTINCT_PER_KIND,
    SHOWN_FORMULA_CHARACTERS,
    check_workbook,
    formula_difference,
    group_findings,
    next_step,
    same_formula,
    same_result,
)
from xl_roi.workbook.read import Finding, WorkbookError, open_workbook, read_case


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


SAVINGS_CALL = layout.CALC_ROWS["savings_monthly"].formula


def test_changed_formula(built):
    """A formula edited to something else is reported as changed."""
    path, blueprint = built
    sheet, reference = where(blueprint, "savings_monthly")
    edit_part(
        path,
        "xl/worksheets/sheet3.xml",
        lambda xml: xml.replace(SAVINGS_CALL, SAVINGS_CALL.replace("monthly_calls", "half_calls")),
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


EQUIVALENT_FORMULAS = [
    # LibreOffice: sheet quotes dropped where not needed, TRUE written TRUE()
    ("=IF(x>0, TRUE, 'Quality'!$N$14)", "=IF(x>0, TRUE(), Quality!$N$14)"),
    ("=IF(x, FALSE, 1)", "=IF(x, FALSE(), 1)"),
    # Gnumeric: no spaces after commas
    ('=IF(a, "x, y", b)', '=IF(a,"x, y",b)'),
    # Excel: prefixes before functions newer than 2007
    ("=IFNA(A1, 0)", "=_xlfn.IFNA(A1, 0)"),
    ("=SORT(A1:A3)", "=_xlfn._xlws.SORT(A1:A3)"),
    # letter case of functions, names and references; a sheet name needing its quotes
    ("=sum(a1:b2)+Monthly_Calls", "=SUM(A1:B2)+monthly_calls"),
    ("='My sheet'!A1", "='my SHEET'!a1"),
    ("='It''s'!A1", "='it''s'!A1"),
    # numbers written differently
    ("=1E-9*x", "=0.000000001*x"),
    ("=0.82499999999999996", "=0.825"),
]

DIFFERENT_FORMULAS = [
    ("=A1+1", "=A1+2"),
    ('="Yes"', '="yes"'),  # text keeps its letter case
    ("=$A$1", "=A1"),  # an absolute reference is not a relative one
    ("=TRUE", "=FALSE"),
    ("=IF(a, 1, 0)", "=IF(a, 0, 1)"),
    ("=SUM(A1:B2 C1)", "=SUM(A1:B2, C1)"),  # intersection is not a second argument
    ("=Quality!A1", "=Inputs!A1"),
    ("=x", "=_xlfn.y"),
]


@pytest.mark.parametrize(("expected", "found"), EQUIVALENT_FORMULAS)
def test_formulas_written_differently_are_the_same(expected, found):
    """A formula as LibreOffice, Gnumeric or Excel rewrites it is the same formula."""
    assert same_formula(expected, found) and same_formula(found, expected)


@pytest.mark.parametrize(("expected", "found"), DIFFERENT_FORMULAS)
def test_formulas_that_mean_otherwise_differ(expected, found):
    """A formula that computes something else is not the same, however close its text."""
    assert not same_formula(expected, found) and not same_formula(found, expected)


sheet_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_", min_size=1)


@given(
    sheet=sheet_names,
    number=st.floats(min_value=0, max_value=1e12, allow_nan=False),
    other=st.floats(min_value=0, max_value=1e12, allow_nan=False),
)
def test_writing_never_changes_meaning_and_a_changed_number_always_does(sheet, number, other):
    """Quoting a sheet name, letter case and spaces never change a formula's meaning; a
    different number always does."""
    written = f"=IF({sheet}!$B$6>{number!r}, TRUE, SUM({sheet}!A1:B2, 1))"
    rewritten = f"=if('{sheet.lower()}'!$b$6>{number!r},TRUE(),sum('{sheet}'!a1:b2,1))"
    assert same_formula(written, rewritten)
    changed = written.replace(f">{number!r},", f">{other!r},")
    assert same_formula(written, changed) == (float(repr(number)) == float(repr(other)))


def test_long_formula_difference_is_shortened_around_it():
    """A change deep in a long formula is shown around where it is, not whole, even when the
    writer also rewrote it (LibreOffice: TRUE(), no spaces)."""
    expected = "=IF(a, TRUE, " + ", ".join(f"x{index}" for index in range(200)) + ")"
    found = expected.replace("x150", "y150").replace("TRUE", "TRUE()").replace(", ", ",")
    message = formula_difference(expected, found)
    assert "x150" in message and "y150" in message and "…" in message
    assert len(message) < 2 * SHOWN_FORMULA_CHARACTERS + 40 < len(expected)


def test_moved_names_compared_by_where_they_point(built, capsys):
    """A name written without sheet quotes is where it was; a name that points elsewhere is
    reported by name, with both places."""
    path, _ = built
    edit_part(
        path,
        "xl/workbook.xml",
        lambda xml: (
            xml.replace("'Inputs'!$B$", "Inputs!$B$")
            .replace(">Inputs!$B$9<", ">Inputs!$B$10<")
            .replace(">Inputs!$B$7<", ">Inputs!$C$7<")
        ),
    )
    findings = check_workbook(path).findings
    moved = [f for f in findings if f.kind == "moved name"]
    assert [f.where for f in moved] == ["name currency", "name monthly_calls"], findings[:3]
    assert "monthly_calls points to Inputs!$B$10, not 'Inputs'!$B$9" in moved[1].message
    assert main(["check", str(path)]) == 1
    assert "  name currency: moved name: currency points to" in capsys.readouterr().out


def test_repeated_name_findings_are_counted_as_names():
    """Findings about names print as one line counted in names, not cells."""
    findings = [Finding("moved name", f"name n{index}", "moved") for index in range(4)]
    assert [str(group) for group in group_findings(findings)] == [
        "moved name in 4 names (name n0, name n1, name n2 and 1 more): moved"
    ]


@pytest.mark.parametrize("portable", [True, False], ids=["portable", "add-in"])
def test_excel_shaped_workbook_is_clean(tmp_path, portable):
    """A workbook in the shapes Excel's writer stores (unquoted sheet names, shared formulas,
    17-digit numbers, a calculation chain) checks clean and reads back as its case."""
    built, excel = tmp_path / "built.xlsx", tmp_path / "excel.xlsx"
    case = WORKBOOK_CASES["self-hosted"]
    save_workbook(case, built, portable=portable)
    rewrote = save_as_excel(built, excel)
    assert rewrote["shared formulas"] > 10 and rewrote["unquoted references"] > 100
    with zipfile.ZipFile(excel) as archive:
        assert "xl/calcChain.xml" in archive.namelist()
    report = check_workbook(excel)
    assert report.findings == [] and report.case == case
    assert main(["check", str(excel)]) == 0


def test_tampered_shared_formula_is_caught(tmp_path, capsys):
    """A shared formula changed at its first cell changes every cell that shares it: each is
    caught, and they print as one line."""
    built, excel = tmp_path / "built.xlsx", tmp_path / "excel.xlsx"
    save_workbook(example_case(), built, portable=True)
    save_as_excel(built, excel)
    part = sheet_part("Calculations")
    with zipfile.ZipFile(excel) as archive:
        xml = archive.read(part).decode("utf-8")
    master = re.search(r'<c r="([A-Z]+)(\d+)"[^>]*><f t="shared" ref="[A-Z]+\d+:[A-Z]+(\d+)"', xml)
    assert master
    column, first, last = master.group(1), int(master.group(2)), int(master.group(3))
    edit_part(
        excel,
        part,
        lambda text: re.sub(
            r'(<f t="shared" ref="[^"]+" si="0">)([^<]*)(</f>)', r"\g<1>\g<2>*2\g<3>", text
        ),
    )
    changed = {f.where for f in check_workbook(excel).findings if f.kind == "formula changed"}
    assert changed == {f"Calculations!{column}{row}" for row in range(first, last + 1)}
    assert main(["check", str(excel)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line for line in lines if "formula changed" in line] == [
        line for line in lines if line.startswith(f"  formula changed in {len(changed):,} cells")
    ]


def _text_result_cell(path):
    """A formula cell on Inputs whose stored result is text (t="str"), and its text."""
    with zipfile.ZipFile(path) as archive:
        xml = archive.read(sheet_part("Inputs")).decode("utf-8")
    cell = re.search(r'<c r="([A-Z]+\d+)"[^>]*t="str"[^>]*><f>[^<]*</f><v>([^<]+)</v></c>', xml)
    assert cell
    return cell.group(1), cell.group(2)


def _add_shared_strings(path, strings):
    """Give the workbook a shared-strings table holding ``strings`` (as Gnumeric writes one)."""
    items = "".join(f"<si><t>{text}</t></si>" for text in strings)
    table = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">'
        f"{items}</sst>"
    )
    with zipfile.ZipFile(path) as source:
        infos = source.infolist()
        data = {info.filename: source.read(info.filename) for info in infos}
    assert "xl/sharedStrings.xml" not in data
    data["[Content_Types].xml"] = data["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxml'
        b'formats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    data["xl/_rels/workbook.xml.rels"] = data["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in infos:
            target.writestr(info, data[info.filename])
        target.writestr("xl/sharedStrings.xml", table)


@pytest.mark.parametrize("index", [0, 1], ids=["its text", "another text"])
def test_text_result_stored_as_a_shared_string(built, index):
    """A formula's text result stored as an index into the shared strings (as Gnumeric stores
    it) is read as that string: clean when it is the result, a mismatch naming the string
    when it is another."""
    path, _ = built
    reference, text = _text_result_cell(path)
    _add_shared_strings(path, [text, "something else"])
    edit_part(
        path,
        sheet_part("Inputs"),
        lambda xml: re.sub(
            rf'(<c r="{reference}"[^>]*) t="str"([^>]*><f>[^<]*</f><v>)[^<]*(</v>)',
            rf'\g<1> t="s"\g<2>{index}\g<3>',
            xml,
        ),
    )
    findings = [(f.kind, f.where, f.message) for f in check_workbook(path).findings]
    if index == 0:
        assert findings == []
    else:
        assert [(kind, where) for kind, where, _ in findings] == [
            ("mismatch", f"Inputs!{reference}")
        ]
        assert "stores 'something else'" in findings[0][2]


def test_text_result_stored_inline(built):
    """A formula's text result stored as an inline string is read as that text."""
    path, _ = built
    reference, text = _text_result_cell(path)
    edit_part(
        path,
        sheet_part("Inputs"),
        lambda xml: re.sub(
            rf'(<c r="{reference}"[^>]*) t="str"([^>]*><f>[^<]*</f>)<v>[^<]*</v>',
            lambda match: f'{match.group(1)} t="inlineStr"{match.group(2)}<is><t>{text}</t></is>',
            xml,
        ),
    )
    assert check_workbook(path).findings == []


def test_error_result_is_a_mismatch_by_its_code(built):
    """A formula whose stored result is an error value (t="e") is a mismatch showing the
    error, not a crash or a number."""
    path, blueprint = built
    sheet, reference = where(blueprint, "savings_monthly")
    edit_part(
        path,
        sheet_part(sheet),
        lambda xml: re.sub(
            rf'(<c r="{reference}"[^>]*)(><f>[^<]*</f><v>)[^<]*(</v>)',
            r'\g<1> t="e"\g<2>#DIV/0!\g<3>',
            xml,
        ),
    )
    findings = check_workbook(path).findings
    assert [(f.kind, f.where) for f in findings] == [("mismatch", f"{sheet}!{reference}")]
    assert "stores '#DIV/0!'" in findings[0].message


@pytest.mark.parametrize(
    ("kind", "stored"), [(' t="b"', "true"), ("", "1")], ids=["t=b true", "the number 1"]
)
def test_truth_value_stored_as_a_number_or_word(built, kind, stored):
    """A truth value stored as t="b" with the word true, or as the number 1 (as LibreOffice
    stores it), is TRUE."""
    path, _ = built
    edit_part(
        path,
        sheet_part("Checks"),
        lambda xml: re.sub(
            r'(<c r="B5"[^>]*) t="b"(><f>[^<]*</f><v>)[^<]*(</v>)',
            lambda match: f"{match.group(1)}{kind}{match.group(2)}{stored}{match.group(3)}",
            xml,
        ),
    )
    assert check_workbook(path).findings == []


@pytest.fixture
def frozen(tmp_path):
    """A values-only copy (``xl-roi freeze``) of the example workbook, and its blueprint."""
    from xl_roi.workbook.freeze import freeze_workbook

    source = tmp_path / "case.xlsx"
    blueprint = save_workbook(example_case(), source)
    return freeze_workbook(source, tmp_path / "frozen.xlsx"), blueprint


@pytest.mark.parametrize("portable", [True, False], ids=["portable", "add-in"])
@pytest.mark.parametrize("name", ["example", "self-hosted"])
def test_a_frozen_copy_checks_clean_as_a_values_only_copy(tmp_path, capsys, name, portable):
    """A frozen copy of a built workbook is clean (exit 0): its figures agree with its inputs,
    and check says it is a values-only copy with no formulas to check."""
    from xl_roi.workbook.freeze import freeze_workbook

    source = tmp_path / "case.xlsx"
    blueprint = save_workbook(WORKBOOK_CASES[name], source, portable=portable)
    frozen = freeze_workbook(source, tmp_path / "frozen.xlsx")
    report = check_workbook(frozen)
    assert report.findings == [] and report.values_only
    assert report.case == WORKBOOK_CASES[name]
    assert report.checked_cells == len(blueprint.formulas) + len(blueprint.array_members)
    assert main(["check", str(frozen)]) == 0
    out = capsys.readouterr().out
    assert "values-only copy" in out and "no formulas to check" in out
    assert len(out.strip().splitlines()) == 1
    assert main(["check", str(frozen), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["values_only"] is True
    assert not check_workbook(source).values_only  # the live workbook is not one


def test_a_figure_typed_over_in_a_frozen_copy_is_caught(frozen, capsys):
    """A figure typed over in a frozen copy is a mismatch naming the cell and the figure, with
    the value the copy's inputs give; exit 1."""
    from xl_roi.evaluation import evaluate

    path, blueprint = frozen
    sheet, reference = where(blueprint, "savings_monthly")
    set_stored_result(path, sheet, reference, "999")
    report = check_workbook(path)
    assert [(f.kind, f.where) for f in report.findings] == [
        ("mismatch", f"{sheet}!{reference} (savings_monthly)")
    ]
    assert "holds 999" in report.findings[0].message
    assert repr(evaluate(example_case()).monthly_savings) in report.findings[0].message
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "values-only copy" in out and f"{sheet}!{reference} (savings_monthly)" in out
    assert "formula" not in out.splitlines()[1]  # nothing said of formulas it never had
    assert f"xl-roi build {path}" in out.splitlines()[-1]
    assert "xl-roi freeze" in out.splitlines()[-1]


def test_an_input_changed_after_freezing_is_caught(frozen, capsys):
    """A frozen copy whose volume was changed after freezing: its figures are no longer the
    inputs' and each dependent one is a mismatch; exit 1."""
    path, blueprint = frozen
    sheet, reference = where(blueprint, "monthly_calls")
    assert sheet == "Inputs"  # set_input types into the Inputs sheet
    set_input(path, reference, "3000000")
    report = check_workbook(path)
    assert report.values_only and report.findings
    assert {f.kind for f in report.findings} == {"mismatch"}
    savings = "{}!{} (savings_monthly)".format(*where(blueprint, "savings_monthly"))
    assert savings in [f.where for f in report.findings]
    assert main(["check", str(path)]) == 1
    assert "mismatch in" in capsys.readouterr().out


def _paste_values(path):
    """Every formula of every sheet removed, its stored result kept, the About sheet as it
    was: a workbook pasted over as values by hand, not by ``xl-roi freeze``."""
    from xl_roi.workbook.build import SHEETS

    for title in SHEETS:
        edit_part(
            path,
            sheet_part(title),
            lambda xml: re.sub(r"<f(?: [^>]*)?(?:/>|>[^<]*</f>)", "", xml),
        )


def test_formulas_pasted_over_by_hand_are_not_taken_for_a_frozen_copy(built, capsys):
    """A workbook whose formulas were all pasted over as values, without the note freeze
    writes, is one finding saying so (not thousands), its figures still checked; exit 1."""
    path, blueprint = built
    _paste_values(path)
    with zipfile.ZipFile(path) as archive:
        assert b"<f>" not in archive.read(sheet_part("Calculations"))
    report = check_workbook(path)
    assert not report.values_only and not report.clean
    assert [f.kind for f in report.findings] == ["formulas replaced by values"]
    assert "xl-roi freeze" in report.findings[0].message
    sheet, reference = where(blueprint, "savings_monthly")
    set_stored_result(path, sheet, reference, "999")
    kinds = [(f.kind, f.where) for f in check_workbook(path).findings]
    assert ("mismatch", f"{sheet}!{reference} (savings_monthly)") in kinds
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "formulas replaced by values" in out and "formula overwritten" not in out
    assert f"xl-roi build {path}" in out.splitlines()[-1]


def test_a_formula_typed_into_a_frozen_copy_is_reported(frozen):
    """A formula typed into a frozen copy is reported (the copy says it holds values only);
    its figure is checked like the others."""
    path, blueprint = frozen
    sheet, reference = where(blueprint, "payback_months")
    edit_part(
        path,
        sheet_part(sheet),
        lambda xml: re.sub(
            rf'(<c r="{reference}"[^>]*>)(<v>)', r"\g<1><f>1+1</f>\g<2>", xml, count=1
        ),
    )
    report = check_workbook(path)
    assert report.values_only
    assert [(f.kind, f.where) for f in report.findings] == [
        ("formula in a values-only copy", f"{sheet}!{reference} (payback_months)")
    ]
    assert "=1+1" in report.findings[0].message


def test_next_step_for_a_clean_frozen_copy(frozen):
    """A clean frozen copy is not told to freeze itself again."""
    path, _ = frozen
    step = next_step(check_workbook(path))
    assert "xl-roi freeze" not in step and "ready to share" in step


def test_truth_values_libreoffice_writes_as_formulas_are_constants(frozen, tmp_path):
    """A frozen copy saved by LibreOffice holds each truth value as the formula =TRUE()
    (stored as the number 1): still a values-only copy, clean; and a hand-pasted workbook
    saved so is still told apart from one."""
    path, _ = frozen
    libreoffice = re.compile(r'(<c r="B\d+"[^>]*) t="b"><v>([01])</v>')

    def written_so(match):
        truth = "TRUE" if match.group(2) == "1" else "FALSE"
        return f'{match.group(1)} t="n"><f aca="false">{truth}()</f><v>{match.group(2)}</v>'

    def as_libreoffice(xml):
        written = libreoffice.sub(written_so, xml)
        assert written != xml
        return written

    edit_part(path, sheet_part("Checks"), as_libreoffice)
    report = check_workbook(path)
    assert report.values_only and report.findings == []
    pasted = tmp_path / "pasted.xlsx"
    save_workbook(example_case(), pasted)
    _paste_values(pasted)
    edit_part(pasted, sheet_part("Checks"), as_libreoffice)
    assert [f.kind for f in check_workbook(pasted).findings] == ["formulas replaced by values"]


def test_next_step_for_a_frozen_copy_with_only_a_warning():
    """A clean values-only copy with an unusual input is ready to share, not told it is wrong."""
    from pathlib import Path

    from xl_roi.workbook.check import CheckReport
    from xl_roi.workbook.read import UNUSUAL

    report = CheckReport(
        Path("copy.xlsx"), None, [Finding(UNUSUAL, "Inputs!B10", "unusual")], values_only=True
    )
    assert report.clean and "ready to share" in next_step(report)


def test_a_workbook_laid_out_by_an_earlier_version_is_told_to_rebuild(tmp_path, capsys):
    """A workbook whose worked-out rows sit where an earlier template put them (a row it did
    not have yet, the rows below one place up) is told that, and to rebuild it from its own
    inputs, which then checks clean; a workbook that lost an input is not."""
    path = tmp_path / "earlier.xlsx"
    save_workbook(example_case(), path)
    book = openpyxl.load_workbook(path)
    del book.defined_names["teacher_labelling"]  # the row the earlier template lacked
    book.defined_names["training_cost"].attr_text = "'Calculations'!$B$20"
    book.save(path)
    assert main(["check", str(path)]) == 1
    said = capsys.readouterr().out.strip().splitlines()[-1]
    assert said.startswith(f"next: {path} has its named rows where another xl_roi lays them out")
    assert f"`xl-roi build {path}` rebuilds it from its own inputs" in said
    rebuilt = tmp_path / "earlier_built.xlsx"
    assert main(["build", str(path)]) == 0 and rebuilt.exists()
    capsys.readouterr()
    assert main(["check", str(rebuilt)]) == 0
    lost = openpyxl.load_workbook(path)
    del lost.defined_names["monthly_calls"]  # an input gone: nothing to rebuild from
    lost.save(path)
    main(["check", str(path)])
    assert "another xl_roi" not in capsys.readouterr().out
