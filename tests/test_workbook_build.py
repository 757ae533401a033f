"""Tests of xl_roi/workbook/build.py: the template's layout, stored results and safety."""

from __future__ import annotations

import hashlib
import math
import os
import re
import textwrap
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.cases import WORKBOOK_CASES
from xl_roi import InputError, evaluate, example_case
from xl_roi.fields import COUNT_FORMAT, MONEY_FORMAT, PRICE_FORMAT, SHARE_FORMAT
from xl_roi.files import OverwriteRefusedError
from xl_roi.text import NEVER_PAYS_BACK
from xl_roi.workbook.build import SHEETS, build_workbook, save_workbook
from xl_roi.workbook.layout import CALC_ROWS, INPUT_ROWS, NEVER_ROWS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def example_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("build") / "example.xlsx"
    blueprint = save_workbook(example_case(), path)
    return path, blueprint


def named(workbook, name):
    sheet, reference = next(iter(workbook.defined_names[name].destinations))
    return workbook[sheet][reference.replace("$", "")]


def test_sheets_in_fast_order(example_file):
    """About, Inputs, Calculations, Sensitivity, Quality, Pitch, Checks, xlwings.conf."""
    path, _ = example_file
    assert openpyxl.load_workbook(path).sheetnames == list(SHEETS)


def test_stored_results_visible_without_recalculation(example_file):
    """openpyxl data_only and pandas see the numbers the core gives, not empty cells."""
    path, _ = example_file
    workbook = openpyxl.load_workbook(path, data_only=True)
    result = evaluate(example_case())
    assert named(workbook, "savings_monthly").value == pytest.approx(result.monthly_savings)
    assert named(workbook, "payback_months").value == pytest.approx(result.payback_months)
    assert named(workbook, "net_benefit_annual").value == pytest.approx(result.annual_net_benefit)
    assert named(workbook, "verdict_label").value == "defensible"
    assert named(workbook, "master_check").value is True
    frame = pd.read_excel(path, sheet_name="Pitch", header=None)
    assert (frame == "Support-ticket classifier: defensible").any().any()


def test_every_formula_cell_has_a_stored_result(example_file):
    """No formula cell in the file lacks its <v> result."""
    path, blueprint = example_file
    with zipfile.ZipFile(path) as archive:
        for index, title in enumerate(SHEETS, start=1):
            xml = archive.read(f"xl/worksheets/sheet{index}.xml").decode()
            assert not re.search(r"</f><v\s*/>", xml), title
            expected = sum(1 for sheet, _ in blueprint.formulas if sheet == title)
            assert len(re.findall(r"<f[ >]", xml)) == expected, title


def test_every_input_has_a_name_and_is_unlocked(example_file):
    """Each input is a defined name pointing at one unlocked, validated cell."""
    path, _ = example_file
    workbook = openpyxl.load_workbook(path)
    inputs = workbook["Inputs"]
    validated = {
        str(cell)
        for dv in inputs.data_validations.dataValidation
        for cell_range in dv.sqref.ranges
        for cell in [cell_range.coord]
    }
    for name in INPUT_ROWS:
        cell = named(workbook, name)
        assert cell.parent.title == "Inputs", name
        assert cell.protection.locked is False, name
        assert cell.coordinate in validated, name
    assert inputs.protection.sheet is True


def test_calculations_are_formulas_over_names(example_file):
    """Every calculation row is a formula with no typed-in number other than 0, 1 or 2."""
    path, _ = example_file
    workbook = openpyxl.load_workbook(path)
    for name, row in CALC_ROWS.items():
        cell = named(workbook, name)
        assert cell.value == "=" + row.formula, name
        literals = re.findall(r"(?<![A-Za-z_\d.])\d+(?:\.\d+)?(?![A-Za-z_\d])", row.formula)
        assert set(literals) <= {"0", "1", "2"}, (name, literals)


def test_sensitivity_is_an_array_formula(example_file):
    """SENSITIVITY is entered as an array formula over its fixed 10 × 10 range."""
    path, _ = example_file
    cell = openpyxl.load_workbook(path)["Sensitivity"]["A5"]
    assert isinstance(cell.value, openpyxl.worksheet.formula.ArrayFormula)
    assert cell.value.ref == "A5:J14"
    assert cell.value.text.startswith("=SENSITIVITY(upfront, teacher_cost, IF(student_pricing")


def test_xlwings_conf_names_the_module(example_file):
    """The xlwings.conf sheet tells the add-in where the functions are."""
    path, _ = example_file
    sheet = openpyxl.load_workbook(path)["xlwings.conf"]
    assert (sheet["A1"].value, sheet["B1"].value) == ("UDF Modules", "xl_roi_udfs")


def test_pitch_prints_one_page_wide_the_risk_on_a_page_of_its_own(example_file):
    """The Pitch prints portrait, one page wide and as many long (two), its columns only,
    the risk and the ask from a page break; the cash chart within the printed columns."""
    path, _ = example_file
    sheet = openpyxl.load_workbook(path)["Pitch"]
    assert sheet.page_setup.orientation == "portrait"
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert re.fullmatch(r"'Pitch'!\$A\$1:\$C\$\d+", sheet.print_area)
    (page_break,) = sheet.row_breaks.brk
    assert sheet.cell(page_break.id + 1, 1).value == "3. The risk and the mitigation"
    (chart,) = sheet._charts
    assert chart.anchor._from.col == 0 and chart.anchor._from.row < page_break.id


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    """A case name or slice name starting with = or + is written as text, never a formula."""
    case = WORKBOOK_CASES["growing"]
    path = tmp_path / "hostile.xlsx"
    save_workbook(case, path)
    workbook = openpyxl.load_workbook(path)
    assert named(workbook, "case_name").value == case.name
    assert named(workbook, "case_name").data_type == "s"
    assert workbook["Quality"]["A5"].value == "+SUM(1,1)"
    assert workbook["Quality"]["A5"].data_type == "s"
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet2.xml").decode()
    assert not re.search(r"<f>[^<]*HYPERLINK", xml)  # never a formula
    assert re.search(r'<c r="B6"[^>]*t="inlineStr"><is><t>=HYPERLINK', xml)  # an inline string


def test_never_overwrites_without_force(tmp_path):
    """An existing file is left as it was unless --force is given."""
    path = tmp_path / "mine.xlsx"
    path.write_bytes(b"precious")
    with pytest.raises(OverwriteRefusedError):
        save_workbook(example_case(), path)
    assert path.read_bytes() == b"precious"
    save_workbook(example_case(), path, force=True)
    assert zipfile.is_zipfile(path)


def test_too_many_slices_refused():
    """A case with more slices than the Quality sheet holds is refused up front, not cut short."""
    from xl_roi import QualitySlice

    slices = tuple(QualitySlice(f"s{i}", False, 1.0, 1.0, 0.0) for i in range(11))
    with pytest.raises(InputError, match=r"11 quality slices: at most 10 \(the rows"):
        build_workbook(example_case().replace(quality_slices=slices))


@pytest.mark.parametrize(
    ("filename", "portable"), [("workbook_template.xlsx", False), ("workbook_portable.xlsx", True)]
)
def test_committed_template_is_what_the_builder_makes(tmp_path, filename, portable):
    """The committed workbooks match the builder: cells, formulas, names and validation
    (regenerate with `xl-roi template [--portable] -o FILE --force`)."""
    fresh = tmp_path / "fresh.xlsx"
    save_workbook(example_case(), fresh, portable=portable)
    committed = openpyxl.load_workbook(ROOT / filename)
    built = openpyxl.load_workbook(fresh)

    def content(workbook):
        cells = {}
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    value = cell.value
                    if isinstance(value, openpyxl.worksheet.formula.ArrayFormula):
                        value = ("array", value.ref, value.text)
                    if value is not None:
                        cells[(sheet.title, cell.coordinate)] = value
        names = {name: d.attr_text for name, d in workbook.defined_names.items()}
        validation = sorted(
            (sheet.title, str(dv.sqref), dv.type, dv.formula1, dv.formula2)
            for sheet in workbook.worksheets
            for dv in sheet.data_validations.dataValidation
        )
        return cells, names, validation

    assert content(committed) == content(built)
    stored = openpyxl.load_workbook(ROOT / filename, data_only=True)
    assert named(stored, "verdict_label").value == "defensible"


def test_build_does_not_touch_the_template(tmp_path):
    """Building workbooks never modifies the committed template."""
    template = ROOT / "workbook_template.xlsx"
    before = hashlib.sha256(template.read_bytes()).hexdigest()
    save_workbook(example_case(), tmp_path / "out.xlsx")
    assert hashlib.sha256(template.read_bytes()).hexdigest() == before


@pytest.fixture
def self_hosted_file(tmp_path):
    path = tmp_path / "hosted.xlsx"
    save_workbook(WORKBOOK_CASES["self-hosted"], path)
    return openpyxl.load_workbook(path)


def test_money_in_whole_units_of_the_case_currency(self_hosted_file):
    """Every amount on Calculations has its currency as unit and no decimals, prices two; every
    amount of the cash flow is whole."""
    sheet = self_hosted_file["Calculations"]
    amounts = prices = 0
    for row in range(5, sheet.max_row + 1):
        unit = sheet[f"C{row}"].value  # a formula: =currency, =currency&" / month", …
        figure = sheet[f"B{row}"]
        if isinstance(unit, str) and unit.startswith("=currency") and "per" not in unit:
            amounts += 1
            assert figure.number_format == MONEY_FORMAT, row
        elif isinstance(unit, str) and unit.startswith("=currency") and "per" in unit:
            prices += 1
            assert figure.number_format == PRICE_FORMAT, row
    assert amounts >= 10 and prices >= 5
    cash = self_hosted_file["Cash flow"]  # the schedule: every amount of every month
    months = [cell.row for cell in cash["A"] if isinstance(cell.value, int | float | str)]
    first = next(cell.row for cell in cash["A"] if cell.value == "Month") + 1
    assert len([r for r in months if r >= first]) == 37
    for r in range(first, first + 37):
        for column in "BCDEFG":
            assert cash[f"{column}{r}"].number_format == MONEY_FORMAT, (column, r)


def test_shares_as_percent_and_checks_as_true_false(self_hosted_file):
    """Shares read as %, a check's result TRUE/FALSE whatever a program stored (1 reads TRUE)."""
    inputs = self_hosted_file["Inputs"]
    shares = [
        inputs[f"B{row}"].number_format
        for row in range(5, inputs.max_row + 1)
        if inputs[f"C{row}"].value in ("share", "share / month", "share of calls")
    ]
    assert shares and all("%" in number_format for number_format in shares)
    checks = self_hosted_file["Checks"]
    holds = [checks[f"B{row}"] for row in range(5, 14)]
    assert all(cell.number_format == '"TRUE";"TRUE";"FALSE"' for cell in holds)


def _sensitivity_format(sheet, label: str) -> str:
    """The format B6:C and I6:J take when column A reads ``label``: the first conditional
    rule naming it, else the cells' own."""
    for ranges in sheet.conditional_formatting:
        if "B6" not in str(ranges.sqref):
            continue
        for rule in ranges.rules:
            if f'$A6="{label}"' in rule.formula[0]:
                return str(rule.dxf.numFmt.formatCode)
    return str(sheet["B6"].number_format)


@pytest.mark.parametrize("portable", [False, True])
def test_sensitivity_values_formatted_by_their_field(tmp_path, portable):
    """Each Sensitivity row's values read in the format of the input it moves (a scenario: the
    input it changes), wherever the ranking puts the row: calls whole, amounts as money,
    prices with cents, growth and utilisation as %."""
    path = tmp_path / "hosted.xlsx"
    save_workbook(WORKBOOK_CASES["self-hosted"], path, portable=portable)
    sheet = openpyxl.load_workbook(path)["Sensitivity"]
    expected = {
        "Monthly volume": COUNT_FORMAT,
        "Half volume": COUNT_FORMAT,
        "Upfront cost": MONEY_FORMAT,
        "Annual maintenance": MONEY_FORMAT,
        "Maintenance twice as often": MONEY_FORMAT,
        "Teacher cost per 1k": PRICE_FORMAT,
        "Teacher price halved": PRICE_FORMAT,
        "GPU hourly cost": PRICE_FORMAT,
        "Student cost per 1k": PRICE_FORMAT,
        "Monthly growth": SHARE_FORMAT,
        "Target utilisation": SHARE_FORMAT,
        "Serving utilisation below plan": SHARE_FORMAT,
    }
    labels = openpyxl.load_workbook(path, data_only=True)["Sensitivity"]
    shown = {labels[f"A{row}"].value for row in range(6, 6 + 12)} - {None}
    assert shown <= set(expected), shown - set(expected)
    for label, number_format in expected.items():
        assert _sensitivity_format(sheet, label) == number_format, label
    assert sheet["L5"].alignment.wrap_text and sheet["M5"].alignment.wrap_text  # not clipped


def test_charts_label_beside_the_bars_and_count_in_whole_units(self_hosted_file):
    """The tornado's names sit left of its bars; no chart axis shows .00: the cash chart's
    amounts are whole, the tornado's months (how far payback moves) have one decimal."""
    tornado = self_hosted_file["Sensitivity"]._charts[0]
    assert tornado.x_axis.tickLblPos == "low"
    assert tornado.y_axis.number_format.formatCode == "0.0"
    chart = self_hosted_file["Pitch"]._charts[0]
    assert chart.y_axis.number_format.formatCode == MONEY_FORMAT


def test_no_defined_name_is_also_a_function_name():
    """A defined name spelt like one of the functions (names ignore case) makes the formula
    `NAME(…)` read as the range followed by a bracket: LibreOffice shows Err:509."""
    import xl_roi_udfs

    from xl_roi import example_case
    from xl_roi.workbook.build import build_workbook

    _, blueprint = build_workbook(example_case())
    functions = {name.upper() for name in xl_roi_udfs.__all__}
    assert {name.upper() for name in blueprint.names} & functions == set()


@pytest.mark.parametrize("portable", [False, True])
def test_cash_schedule_prints_on_a_page_of_its_own(tmp_path, portable):
    """Printed, the cash schedule is a portrait page of its own, its header over its months
    (on the Calculations sheet the work's header once printed above it too)."""
    path = tmp_path / "case.xlsx"
    save_workbook(example_case(), path, portable=portable)
    book = openpyxl.load_workbook(path)
    sheet = book["Cash flow"]
    assert book.sheetnames.index("Cash flow") == book.sheetnames.index("Calculations") + 1
    header = next(cell.row for cell in sheet["A"] if cell.value == "Month")
    assert sheet.print_title_rows == f"${header}:${header}"
    assert sheet.page_setup.orientation == "portrait" and sheet.page_setup.fitToWidth == 1
    assert all(cell.value != "Month" for cell in book["Calculations"]["A"])


def _lines(text: str, width: float | None) -> int:
    """Lines a wrapped text takes in a column ``width`` characters wide, leaving two for the
    cell's margins (bold headers: four)."""
    return len(textwrap.wrap(text, int((width or 8.43) - 2))) or 1


def _room(sheet, row: int) -> int:
    """Lines of the default 15-point height a row holds (one when its height is not set)."""
    height = sheet.row_dimensions[row].height
    return 1 if height is None else int(height // 15)


@pytest.mark.parametrize("portable", [False, True])
@pytest.mark.parametrize("name", ["worse answers", "never pays back", "example"])
def test_pitch_texts_are_readable_on_the_page(tmp_path, name, portable):
    """Every text on the Pitch beside a label (a payback that never comes, why worse answers
    decide it, a figure not computed) wraps within its row instead of running off its cell."""
    path = tmp_path / "case.xlsx"
    save_workbook(WORKBOOK_CASES[name], path, portable=portable)
    styles = openpyxl.load_workbook(path)["Pitch"]
    sheet = openpyxl.load_workbook(path, data_only=True)["Pitch"]
    width = styles.column_dimensions["B"].width
    texts = 0
    for row in range(5, sheet.max_row + 1):
        value = sheet[f"B{row}"].value
        if not isinstance(value, str) or sheet[f"A{row}"].value is None:
            continue
        texts += 1
        cell = styles[f"B{row}"]
        assert cell.alignment.wrap_text, (row, value)
        assert _lines(value, width) <= _room(styles, row), (row, value)
        label = sheet[f"A{row}"].value
        assert _lines(label, styles.column_dimensions["A"].width) <= _room(styles, row), label
    assert texts >= 3


@pytest.mark.parametrize("portable", [False, True])
def test_sensitivity_headers_are_readable(tmp_path, portable):
    """Each header of the Sensitivity table and of the tornado's helper columns wraps into the
    two lines its row holds, with room for bold letters (four characters of margin)."""
    path = tmp_path / "case.xlsx"
    save_workbook(example_case(), path, portable=portable)
    styles = openpyxl.load_workbook(path)["Sensitivity"]
    sheet = openpyxl.load_workbook(path, data_only=True)["Sensitivity"]
    for column in "ABCDEFGHIJLM":
        text = sheet[f"{column}5"].value
        width = styles.column_dimensions[column].width
        assert styles[f"{column}5"].alignment.wrap_text, column
        assert len(textwrap.wrap(text, int(width - 4))) <= _room(styles, 5), (column, text)


@pytest.mark.parametrize("portable", [False, True])
def test_quality_prints_the_slice_table_legibly(tmp_path, portable):
    """The Quality page prints the slice table and its summary, not the helper columns beside
    it, in columns narrow enough for a landscape page at a readable size (at most 180
    characters across: about 80 % of full size fitted to the width)."""
    path = tmp_path / "case.xlsx"
    save_workbook(WORKBOOK_CASES["worse answers"], path, portable=portable)
    sheet = openpyxl.load_workbook(path)["Quality"]
    assert sheet.print_area, "no print area: the helper columns print too"
    area = sheet.print_area.split("!")[-1].replace("$", "")
    first, last = area.split(":")
    assert first == "A1" and re.match(r"K\d+$", last), area
    last_row = int(last[1:])
    assert sheet[f"A{last_row}"].value == "Business-critical slices failing"
    across = sum(sheet.column_dimensions[column].width or 8.43 for column in "ABCDEFGHIJK")
    assert across <= 180, across
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    header_lines = max(
        len(
            textwrap.wrap(
                str(sheet[f"{column}4"].value), int(sheet.column_dimensions[column].width - 4)
            )
        )
        for column in "ABCDEFGHIJK"
    )
    assert header_lines <= _room(sheet, 4)
    for row in range(last_row - 2, last_row + 1):  # the summary's labels, in bold
        assert len(sheet[f"A{row}"].value) + 4 <= sheet.column_dimensions["A"].width, row


@pytest.mark.parametrize("portable", [False, True])
@pytest.mark.parametrize("name", ["worse answers", "never pays back"])
def test_calculations_texts_are_readable_on_the_page(tmp_path, name, portable):
    """Each worked row's text answer (a payback that never comes, the recommendation) and its
    explanation wrap within the row's height instead of running off the cell."""
    path = tmp_path / "case.xlsx"
    save_workbook(WORKBOOK_CASES[name], path, portable=portable)
    styles = openpyxl.load_workbook(path)["Calculations"]
    sheet = openpyxl.load_workbook(path, data_only=True)["Calculations"]
    never_rows = {
        row for row in range(5, sheet.max_row + 1) if sheet[f"E{row}"].value in NEVER_ROWS
    }
    texts = 0
    for row in range(5, sheet.max_row + 1):
        if sheet[f"A{row}"].value == "Cash flow by month":
            break
        for column in "BD":
            value = sheet[f"{column}{row}"].value
            if column == "B" and row in never_rows and str(value).startswith(NEVER_PAYS_BACK):
                value = "never"  # what its conditional format shows
            if not isinstance(value, str) or (column == "B" and len(value) < 12):
                continue
            texts += 1
            assert styles[f"{column}{row}"].alignment.wrap_text, (column, row, value)
            width = styles.column_dimensions[column].width
            assert _lines(value, width) <= _room(styles, row), (column, row, value)
        if _room(styles, row) > 1:  # a tall row reads from its top: label, figure, unit, name
            for column in "ABCDE":
                assert styles[f"{column}{row}"].alignment.vertical == "top", (column, row)
    assert texts > 30


@pytest.mark.parametrize("portable", [False, True], ids=["add-in", "portable"])
def test_built_alike_whichever_xml_writer_openpyxl_uses(tmp_path, portable):
    """openpyxl writes with lxml where it is installed (most data-science environments) and
    with its own writer elsewhere; the two lay out an empty result differently (``<v></v>``
    against ``<v/>``). Either way the build stores every formula's result and the files hold
    the same formulas and the same stored values cell for cell (with lxml, build once failed
    with "no stored result written")."""
    import subprocess
    import sys

    from openpyxl.worksheet.formula import ArrayFormula

    pytest.importorskip("lxml")
    script = (
        "import sys, openpyxl\n"
        "from xl_roi import example_case\n"
        "from xl_roi.workbook.build import save_workbook\n"
        "save_workbook(example_case(), sys.argv[1], portable=sys.argv[2] == 'True')\n"
        "print(openpyxl.LXML)\n"
    )
    books = {}
    for lxml in ("True", "False"):
        path = tmp_path / f"lxml-{lxml}.xlsx"
        done = subprocess.run(
            [sys.executable, "-c", script, str(path), str(portable)],
            env={**os.environ, "OPENPYXL_LXML": lxml},
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == lxml  # the writer asked for was the one used
        books[lxml] = path

    def cells(path: Path, data_only: bool) -> dict:
        workbook = openpyxl.load_workbook(path, data_only=data_only)
        return {
            (sheet.title, cell.coordinate): (
                (cell.value.ref, cell.value.text)  # an array formula: its range and text
                if isinstance(cell.value, ArrayFormula)
                else cell.value
            )
            for sheet in workbook.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.value is not None
        }

    for data_only in (False, True):  # the formulas, then the stored results
        with_lxml, without = cells(books["True"], data_only), cells(books["False"], data_only)
        assert with_lxml == without
    formulas, stored = cells(books["True"], False), cells(books["True"], True)
    results = [
        key
        for key, value in formulas.items()
        if isinstance(value, tuple) or (isinstance(value, str) and value.startswith("="))
    ]
    # most formulas store a number or a text (some store an empty text, read back as None)
    assert sum(stored.get(key) is not None for key in results) > 100


@pytest.mark.parametrize("portable", [False, True])
def test_print_areas_leave_the_helper_columns_off_the_page(tmp_path, portable):
    """Calculations prints the work (A:E), not the payback search's steps or the cash table
    beside it; the Cash flow its months (A:G); Sensitivity its table and chart (A:J), not the
    chart's helper columns (L:N)."""
    path = tmp_path / "x.xlsx"
    save_workbook(example_case(), path, portable=portable)
    workbook = openpyxl.load_workbook(path)
    calculations = workbook["Calculations"].print_area
    sensitivity = workbook["Sensitivity"].print_area
    assert re.fullmatch(r"'Calculations'!\$A\$1:\$E\$\d+", calculations), calculations
    assert re.fullmatch(r"'Cash flow'!\$A\$1:\$G\$\d+", workbook["Cash flow"].print_area)
    assert re.fullmatch(r"'Sensitivity'!\$A\$1:\$J\$\d+", sensitivity), sensitivity
    helpers = [
        cell.coordinate
        for row in workbook["Calculations"].iter_rows(min_col=8)
        for cell in row
        if cell.value is not None
    ]
    assert bool(helpers) == portable  # the portable flavour's helpers exist, off the page


@pytest.mark.parametrize("portable", [False, True])
def test_xlwings_conf_is_neither_shown_nor_printed_in_the_portable_flavour(tmp_path, portable):
    """The portable flavour has no add-in to configure: its xlwings.conf sheet is hidden."""
    path = tmp_path / "x.xlsx"
    save_workbook(example_case(), path, portable=portable)
    state = openpyxl.load_workbook(path)["xlwings.conf"].sheet_state
    assert state == ("hidden" if portable else "visible")


def test_tallies_read_as_typed_and_negative_shares_in_brackets(example_file):
    """Teacher calls per example, engineer-days and redistillations a year show 2, not 2.0;
    a negative share reads in red brackets, as a loss of money does."""
    path, _ = example_file
    workbook = openpyxl.load_workbook(path)
    for name in ("data_generation_passes", "evaluation_days", "engineering_days"):
        assert not named(workbook, name).number_format.endswith(".0"), name
    assert not named(workbook, "redistillations_per_year").number_format.endswith(".0")
    positive, negative = SHARE_FORMAT.split(";")
    assert negative == f"[Red]({positive})"
    assert MONEY_FORMAT.split(";")[1] == f"[Red]({MONEY_FORMAT.split(';')[0]})"


@pytest.mark.parametrize("key", sorted(WORKBOOK_CASES))
def test_pitch_shows_no_error_text(tmp_path, key):
    """Where a reader expects a figure the Pitch says "never", "no volume" or "none", never a
    "#NUM! …" text (the Calculations cells the formulas read keep theirs)."""
    path = tmp_path / "x.xlsx"
    save_workbook(WORKBOOK_CASES[key], path, portable=True)
    sheet = openpyxl.load_workbook(path, data_only=True)["Pitch"]
    texts = [
        cell.value
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith("#")
    ]
    assert texts == []


def test_quality_scores_read_alike_and_results_stand_apart(example_file):
    """Teacher, student, allowed drop and drop share one number format (0.90 beside 0.96, not
    0.9), and pass/FAIL is centred, never run into the drop beside it."""
    path, _ = example_file
    sheet = openpyxl.load_workbook(path)["Quality"]
    formats = {sheet[f"{column}5"].number_format for column in "CDEF"}
    assert len(formats) == 1 and formats != {"General"}
    assert sheet["G5"].alignment.horizontal == "center"


@pytest.mark.parametrize("portable", [False, True])
def test_sensitivity_words_sit_right_like_the_figures(tmp_path, portable):
    """Every Sensitivity value cell is right-aligned, so "never" never runs into the figure
    to its left."""
    path = tmp_path / "x.xlsx"
    save_workbook(WORKBOOK_CASES["shrinking"], path, portable=portable)
    sheet = openpyxl.load_workbook(path)["Sensitivity"]
    for row in sheet.iter_rows(min_row=6, max_row=12, min_col=2, max_col=10):
        for cell in row:
            assert cell.alignment.horizontal == "right", cell.coordinate


def test_a_long_case_name_wraps_in_its_cell(tmp_path):
    """A case name longer than the value column wraps there, its row as tall as its lines,
    instead of spilling over the unit and the note beside it."""
    from xl_roi.workbook.build import INPUTS_VALUE_WIDTH

    name = "Customer-support triage for the EMEA enterprise accounts, phase two"
    path = tmp_path / "x.xlsx"
    save_workbook(example_case().replace(name=name), path)
    workbook = openpyxl.load_workbook(path)
    cell = named(workbook, "case_name")
    assert cell.value == name and cell.alignment.wrap_text
    height = workbook["Inputs"].row_dimensions[cell.row].height
    assert height >= 15 * (len(name) // INPUTS_VALUE_WIDTH)


@pytest.mark.parametrize("portable", [False, True])
def test_pitch_rows_hold_the_texts_a_live_edit_can_bring(tmp_path, portable):
    """Row heights are fixed when the workbook is built, and a spreadsheet keeps them when an
    edit changes a text: so each Pitch row of the example is tall enough for the text any other
    case shows in that row (another verdict's recommendation, a cost of worse answers not
    computed for another reason, another why)."""
    path = tmp_path / "example.xlsx"
    save_workbook(example_case(), path, portable=portable)
    styles = openpyxl.load_workbook(path)["Pitch"]
    merged = sum(
        styles.column_dimensions[letter].width if letter in "BC" else 8.43
        for letter in "BCDEFGHIJKLM"
    )
    cases = {
        **WORKBOOK_CASES,
        "untrafficked slices": example_case().replace(cost_per_error=4.0),
        "long recommendation": example_case().replace(monthly_calls=400_000),
    }
    short = set()
    (tmp_path / "cases").mkdir()
    for key, case in cases.items():
        other = tmp_path / "cases" / f"{key}.xlsx"
        save_workbook(case, other, portable=portable)
        sheet = openpyxl.load_workbook(other, data_only=True)["Pitch"]
        recommendation = sheet["B3"].value
        if _lines(recommendation, merged * 0.9) > _room(styles, 3):
            short.add((key, "recommendation"))
        for row in range(5, sheet.max_row + 1):
            value = sheet[f"B{row}"].value
            if isinstance(value, str) and _lines(
                value, styles.column_dimensions["B"].width
            ) > _room(styles, row):
                short.add((key, sheet[f"A{row}"].value))
    assert short == set()


@pytest.mark.parametrize("portable", [False, True])
def test_quality_headers_sit_over_their_figures(tmp_path, portable):
    """Each printed Quality header sits as its column's figures do (right over numbers,
    centred over pass/FAIL): a left-aligned header in a wide column stands far from its
    right-aligned amounts."""
    path = tmp_path / "case.xlsx"
    save_workbook(WORKBOOK_CASES["worse answers"], path, portable=portable)
    sheet = openpyxl.load_workbook(path)["Quality"]
    values = openpyxl.load_workbook(path, data_only=True)["Quality"]
    printed = re.search(r":\$?([A-Z]+)\$?\d+$", str(sheet.print_area)).group(1)
    checked = 0
    for column in range(1, openpyxl.utils.column_index_from_string(printed) + 1):
        figure, header = sheet.cell(5, column), sheet.cell(4, column)
        value = values.cell(5, column).value
        if header.value is None or value is None or isinstance(value, bool):
            continue
        sits = figure.alignment.horizontal or ("right" if isinstance(value, int | float) else None)
        assert (header.alignment.horizontal or None) == sits, (header.value, value)
        checked += 1
    assert checked >= 9


@pytest.mark.parametrize("portable", [False, True])
def test_pitch_cash_chart_keeps_its_height_for_the_plot(tmp_path, portable):
    """The Pitch's cash chart has a title of one line at its width (up to 24-point bold, as
    LibreOffice draws it; 0.6 em a character) and the legend names its lines, worse answers'
    included: a title of two or three lines left the plot a quarter of the chart."""
    from openpyxl.chart import LineChart

    path = tmp_path / "case.xlsx"
    save_workbook(WORKBOOK_CASES["worse answers"], path, portable=portable)
    sheet = openpyxl.load_workbook(path)["Pitch"]
    (chart,) = [chart for chart in sheet._charts if isinstance(chart, LineChart)]
    title = "".join(run.t for paragraph in chart.title.tx.rich.p for run in (paragraph.r or []))
    size = chart.anchor.ext  # EMU: 360,000 a centimetre, 12,700 a point
    assert len(title) * 24 * 0.6 <= size.width / 12_700, title
    assert len(chart.series) == 4  # before and after maintenance, discounted, worse answers
    assert size.height >= 8 * 360_000  # under the payback, on the first of two portrait pages


@pytest.mark.parametrize("name", ["worse answers", "example", "never pays back"])
def test_pitch_sheet_states_the_figures_the_pitch_states(tmp_path, name):
    """The Pitch sheet shows the figures the command's pitch states: the growth assumed, the
    maintenance a year (also when there is no ask) and the annual net benefit once worse
    answers are counted."""
    case = WORKBOOK_CASES[name]
    result = evaluate(case)
    path = tmp_path / "case.xlsx"
    save_workbook(case, path)
    pitch = openpyxl.load_workbook(path, data_only=True)["Pitch"]
    shown = {
        pitch[f"A{row}"].value: pitch[f"B{row}"].value
        for row in range(5, pitch.max_row + 1)
        if pitch[f"A{row}"].value
    }
    assert shown["Monthly growth in calls, as assumed"] == case.monthly_growth
    assert shown["Maintenance a year (taken off above)"] == pytest.approx(
        result.annual_maintenance, rel=1e-12
    )
    adjusted = shown["Annual net benefit after worse answers"]
    if math.isnan(result.quality_adjusted_annual_net_benefit):
        assert isinstance(adjusted, str)
    else:
        assert adjusted == pytest.approx(result.quality_adjusted_annual_net_benefit, rel=1e-12)


@pytest.mark.parametrize("portable", [False, True], ids=["add-in", "portable"])
def test_headers_sit_over_their_figures_and_checks_apart_from_their_advice(tmp_path, portable):
    """The Sensitivity table's figure headers, and Calculations' "Value", are right-aligned
    over their right-aligned figures; each check's TRUE/FALSE is centred in its column, never
    flush against the "OK" beside it."""
    path = tmp_path / "case.xlsx"
    save_workbook(example_case(), path, portable=portable)
    book = openpyxl.load_workbook(path)
    sensitivity, checks = book["Sensitivity"], book["Checks"]
    assert book["Calculations"]["B4"].alignment.horizontal == "right"
    for column in "BCDEFGHIJ":
        assert sensitivity[f"{column}5"].alignment.horizontal == "right", column
        assert sensitivity[f"{column}6"].alignment.horizontal == "right", column
    shown = openpyxl.load_workbook(path, data_only=True)["Checks"]
    holds = [row for row in range(5, shown.max_row + 1) if shown[f"C{row}"].value == "OK"]
    assert holds and all(checks[f"B{row}"].alignment.horizontal == "center" for row in holds)


@pytest.mark.parametrize("portable", [False, True])
def test_tornado_names_the_side_that_never_pays_back(tmp_path, portable):
    """A side of an assumption at which payback never comes has no bar: the tornado's name for
    it says so, as the deck's does (the teacher's row once showed one bar and no word)."""
    from pathlib import Path

    from xl_roi import load_case

    case = load_case(Path(__file__).parent / "fixtures" / "cases" / "contract_clauses.toml")
    path = tmp_path / "case.xlsx"
    save_workbook(case, path, portable=portable)
    sheet = openpyxl.load_workbook(path, data_only=True)["Sensitivity"]
    rows = [[sheet.cell(r, c).value for c in (1, 4, 5, 14)] for r in range(6, 12)]
    named = {name: label for name, low, high, label in rows}
    assert named["Teacher cost per 1k"] == "Teacher cost per 1k (never pays back at its low)"
    for name, low, high, label in rows:
        assert ("never" in label) == ("never" in (low, high)), (name, low, high, label)
    (tornado,) = openpyxl.load_workbook(path)["Sensitivity"]._charts
    assert "$N$6:$N$11" in tornado.series[0].cat.numRef.f
