"""Build the template workbook from a case: every sheet, name, style, check and chart.

:func:`build_workbook` lays the workbook out in openpyxl and returns, beside it, a
:class:`Blueprint`: where each input lives, which cell holds which formula, and the value each
formula gives. :func:`save_workbook` writes it atomically and fills every formula cell's stored
result, so readers that do not recalculate (``openpyxl`` with ``data_only=True``, pandas,
viewers) see the numbers.
"""

from __future__ import annotations

import math
import re
import textwrap
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.formatting.rule import Rule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.styles.numbers import NumberFormat
from openpyxl.utils.cell import (
    column_index_from_string,
    coordinate_from_string,
    get_column_letter,
)
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from xl_roi import roi
from xl_roi._sensitivity import HEADLINE_TABLE_ROWS, headline_table
from xl_roi._version import __version__
from xl_roi.case import Case, QualitySlice
from xl_roi.errors import InputError
from xl_roi.fields import FIELDS, HOURLY_FORMAT, PRICE_FORMAT
from xl_roi.files import write_atomic
from xl_roi.prices import STALE_AFTER_DAYS, ModelPrices
from xl_roi.text import NEVER_PAYS_BACK, looks_like_formula
from xl_roi.verdict import VERDICTS
from xl_roi.workbook import layout, native_sensitivity, rows
from xl_roi.workbook.layout import (
    CALCULATIONS,
    CONSTANTS,
    INPUTS,
    STUDENT_MODE_NAMES,
    STUDENT_MODES,
    CalcRow,
    InputRow,
    Section,
)
from xl_roi.workbook.names import udf_call
from xl_roi.workbook.rows import CHECKS, QUALITY_ROWS, SCHEDULE_MONTHS

__all__ = [
    "QUALITY_ROWS",
    "SCHEDULE_MONTHS",
    "SHEETS",
    "Blueprint",
    "blueprint_of",
    "build_workbook",
    "save_workbook",
    "write_text",
]

SHEETS = (
    "About",
    "Inputs",
    "Calculations",
    "Cash flow",
    "Sensitivity",
    "Quality",
    "Pitch",
    "Checks",
    "xlwings.conf",
)
"""The sheets, in order."""

INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
INPUT_FONT = Font(color="1F3FBF")
HEADER_FILL = PatternFill("solid", fgColor="1F3864")
HEADER_FONT = Font(bold=True, color="FFFFFF")
SECTION_FONT = Font(bold=True, size=12, color="1F3864")
TITLE_FONT = Font(bold=True, size=16, color="1F3864")
UNIT_FONT = Font(italic=True, color="7F7F7F")
CHECK_FILL = PatternFill("solid", fgColor="E2EFDA")
THIN = Side(style="thin", color="BFBFBF")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
UNLOCKED = Protection(locked=False)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
WRAP_RIGHT = Alignment(wrap_text=True, vertical="top", horizontal="right")


@dataclass
class Blueprint:
    """What a built workbook holds, cell by cell, for writing its results and checking it."""

    inputs: dict[str, tuple[str, str]] = field(default_factory=dict)
    formulas: dict[tuple[str, str], tuple[str, Any]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    array_members: dict[tuple[str, str], Any] = field(default_factory=dict)

    def value_of(self, sheet: str, coordinate: str) -> Any:
        """The stored result of a formula cell."""
        return self.formulas[(sheet, coordinate)][1]


def write_text(cell: Cell, text: str) -> None:
    """Write text as text, never as a formula, whatever it starts with (=, +, -, @).

    Examples
    --------
    >>> from openpyxl import Workbook
    >>> cell = Workbook().active["A1"]
    >>> write_text(cell, "=HYPERLINK(\\"http://x\\")")
    >>> cell.data_type, cell.value
    ('s', '=HYPERLINK("http://x")')
    """
    cell.value = text
    cell.data_type = "s"
    if looks_like_formula(text):
        cell.quotePrefix = True


class _Ignored:
    """Takes any style, setting or call and keeps none: what a blueprint-only build writes to."""

    def __getattr__(self, name: str) -> _Ignored:
        return _IGNORED

    def __setattr__(self, name: str, value: Any) -> None:
        pass

    def __getitem__(self, key: Any) -> _Ignored:
        return _IGNORED

    def __setitem__(self, key: Any, value: Any) -> None:
        pass

    def __call__(self, *args: Any, **kwargs: Any) -> _Ignored:
        return _IGNORED


_IGNORED = _Ignored()


class _PlaceCell(_Ignored):
    """A cell that knows only where it is (its value and style go nowhere)."""

    row: int
    column: int
    coordinate: str

    def __init__(self, row: int, column: int) -> None:
        object.__setattr__(self, "row", row)
        object.__setattr__(self, "column", column)
        object.__setattr__(self, "coordinate", f"{get_column_letter(column)}{row}")


class _PlaceSheet(_Ignored):
    """A sheet that hands out :class:`_PlaceCell` and keeps nothing."""

    title: str

    def __init__(self, title: str) -> None:
        object.__setattr__(self, "title", title)

    def cell(self, row: int, column: int, value: Any = None) -> _PlaceCell:
        return _PlaceCell(row, column)

    def __getitem__(self, coordinate: Any) -> _PlaceCell:
        column, row = coordinate_from_string(str(coordinate).split(":")[0])
        return _PlaceCell(row, column_index_from_string(column))


class _PlaceWorkbook(_Ignored):
    """The workbook of a blueprint-only build: its sheets are :class:`_PlaceSheet`."""

    sheets: dict[str, _PlaceSheet]

    def __init__(self, titles: tuple[str, ...]) -> None:
        object.__setattr__(self, "sheets", {title: _PlaceSheet(title) for title in titles})

    def __getitem__(self, title: Any) -> _PlaceSheet:
        return self.sheets[title]


class _Writer:
    """Puts cells in place and records formulas and names in the blueprint."""

    def __init__(self, workbook: Workbook, *, styled: bool = True, portable: bool = False) -> None:
        self.workbook = workbook
        self.styled = styled
        self.portable = portable
        self.blueprint = Blueprint()

    def name(self, name: str, sheet: Worksheet, reference: str) -> None:
        absolute = "$" + reference.replace(":", ":$")
        absolute = re.sub(r"\$([A-Z]+)(\d+)", r"$\1$\2", absolute)
        target = f"'{sheet.title}'!{absolute}"
        if self.styled:
            self.workbook.defined_names[name] = DefinedName(name, attr_text=target)
        self.blueprint.names[name] = target

    def formula(
        self, sheet: Worksheet, coordinate: str, formula: str, value: Any, number_format: str
    ) -> Cell:
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{sheet.title}!{coordinate} would store {value}")
        cell = sheet[coordinate]
        cell.value = "=" + formula
        cell.number_format = number_format
        self.blueprint.formulas[(sheet.title, coordinate)] = ("=" + formula, value)
        return cell

    def array_formula(
        self, sheet: Worksheet, reference: str, formula: str, rows: list[list[Any]]
    ) -> None:
        first = reference.split(":")[0]
        sheet[first] = ArrayFormula(reference, "=" + formula)
        self.blueprint.formulas[(sheet.title, first)] = ("=" + formula, rows[0][0])
        top = sheet[first]
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if r == 0 and c == 0:
                    continue
                cell = sheet.cell(row=top.row + r, column=top.column + c)
                self.blueprint.array_members[(sheet.title, cell.coordinate)] = value
                if isinstance(value, str):
                    write_text(cell, value)
                else:
                    cell.value = value


CONSTANT_FORMATS = {"unstable_share": layout.SHARE, "check_tolerance": layout.TOLERANCE}
"""How the fixed numbers on Calculations are shown (the rest as whole numbers)."""

_MONEY_UNITS = {
    "money": "",
    "money / day": " / day",
    "money / month": " / month",
    "money / year": " / year",
    "per 1k calls": " per 1k calls",
    "per 1M tokens": " per 1M tokens",
    "per GPU-hour": " per GPU-hour",
}
"""Units that are amounts of money: shown in the case's currency (``EUR / month``)."""


def _unit(writer: _Writer, sheet: Worksheet, row: int, unit: str, currency: str) -> None:
    """A row's unit in column C; money in the case's currency, as the Currency input says."""
    if unit in _MONEY_UNITS:
        suffix = _MONEY_UNITS[unit]
        formula = f'currency&"{suffix}"' if suffix else "currency"
        cell = writer.formula(sheet, f"C{row}", formula, currency + suffix, layout.PLAIN)
    else:
        cell = sheet.cell(row=row, column=3, value=unit)
    cell.font = UNIT_FONT
    cell.alignment = WRAP  # beside a figure or note that wraps, from its first line


def _title(sheet: Worksheet, text: str, subtitle: str) -> None:
    sheet["A1"] = text
    sheet["A1"].font = TITLE_FONT
    sheet["A2"] = subtitle
    sheet["A2"].font = UNIT_FONT


CENTERED = Alignment(horizontal="center", vertical="top")
CENTERED_HEADER = Alignment(horizontal="center", vertical="center", wrap_text=True)
RIGHT_HEADER = Alignment(horizontal="right", vertical="center", wrap_text=True)
"""A header over a column of numbers: right-aligned, over its figures."""


def _header(sheet: Worksheet, row: int, labels: tuple[str, ...]) -> None:
    for column, label in enumerate(labels, start=1):
        cell = sheet.cell(row=row, column=column, value=label)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _widths(sheet: Worksheet, widths: dict[str, float]) -> None:
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width


def _bound_number(number: float) -> str:
    """A bound as a spreadsheet reads it: ``1``, ``-1``, ``0.5``, ``1200`` (exactly the float)."""
    return str(int(number)) if number.is_integer() else repr(number)


def _validation(row: InputRow, coordinate: str) -> DataValidation:
    """The input cell's rule: the registry's bounds exactly. An exclusive bound (growth above
    −1, a share below 1) is a custom formula over the cell, as no built-in rule excludes an end."""
    if row.kind == "choice":
        validation = DataValidation(
            type="list", formula1="student_modes", allow_blank=False, showDropDown=False
        )
        validation.error = "Choose one of the listed ways to price the student."
    elif row.kind == "text":
        validation = DataValidation(
            type="textLength", operator="lessThanOrEqual", formula1="120", allow_blank=True
        )
        validation.error = "Keep it under 120 characters."
    else:
        bound = row.bound
        assert bound is not None, row.name
        low, high = bound.minimum, bound.maximum
        exclusive = (low is not None and bound.strictly_above) or (
            high is not None and bound.maximum_exclusive
        )
        kind = "whole" if bound.whole else "decimal"
        if exclusive or (low is None and high is None):
            tests = [f"ISNUMBER({coordinate})"]
            if bound.whole:
                tests.append(f"INT({coordinate})={coordinate}")
            if low is not None:
                above = ">" if bound.strictly_above else ">="
                tests.append(f"{coordinate}{above}{_bound_number(low)}")
            if high is not None:
                below = "<" if bound.maximum_exclusive else "<="
                tests.append(f"{coordinate}{below}{_bound_number(high)}")
            validation = DataValidation(type="custom", formula1=f"AND({','.join(tests)})")
        elif low is not None and high is not None:
            validation = DataValidation(
                type=kind,
                operator="between",
                formula1=_bound_number(low),
                formula2=_bound_number(high),
            )
        elif low is not None:
            validation = DataValidation(
                type=kind, operator="greaterThanOrEqual", formula1=_bound_number(low)
            )
        else:
            assert high is not None, row.name
            validation = DataValidation(
                type=kind, operator="lessThanOrEqual", formula1=_bound_number(high)
            )
        example = " (0.05 = 5 %)" if bound.share else ""
        validation.error = f"{row.label} must be {bound.text()}{example}."
    validation.errorTitle = row.label[:32]
    validation.promptTitle = row.label[:32]
    validation.prompt = row.note[:255]
    validation.showErrorMessage = True
    validation.showInputMessage = True
    return validation


ABOUT_LINES: tuple[tuple[str, str], ...] = (
    (
        "What it is",
        "The business case for distilling a large teacher model into a small student: upfront "
        "cost, monthly savings, payback, annual net benefit, the verdict, what breaks it, and "
        "the pitch.",
    ),
    (
        "How to use it",
        "Fill in the yellow cells on the Inputs sheet (and the slice table on Quality). "
        "Everything else is worked out: Calculations shows the work, Cash flow the months, "
        "Sensitivity what breaks the case, Pitch the decision-maker's page, Checks that the "
        "numbers hold.",
    ),
    (
        "Input style",
        "Yellow cells with blue figures are inputs; every other cell is worked out and "
        "protected (Review › Unprotect Sheet, no password).",
    ),
    (
        "Enable the functions",
        "The formulas use xl_roi's Excel functions (PAYBACK, MONTHLY_SAVINGS, …). On Windows "
        "desktop Excel: pip install xl-roi; xlwings addin install; save this file as .xlsm; on "
        "the xlwings tab click Import Functions (the xlwings.conf sheet already names the "
        "module). Without them the cells show #NAME? — use xl-roi freeze for a values-only "
        "copy to share.",
    ),
    (
        "Check the numbers",
        "Run xl-roi check FILE.xlsx: it works every figure out again from the inputs and "
        "reports any figure that disagrees, any formula typed over and any input out of range.",
    ),
    (
        "Units",
        "Money in the case's currency (Inputs › Currency); costs per call per 1,000 calls; "
        "time in months; growth and shares as %.",
    ),
)
"""The About sheet's lines: what a reader of the live workbook is told."""

PORTABLE_FILE = "workbook_portable.xlsx"
"""The portable flavour's file name, beside the template."""

PORTABLE_ABOUT = (
    layout.FLAVOUR_LABELS[layout.PORTABLE],
    "This is the portable flavour: every calculation uses built-in spreadsheet functions only, "
    "so it works in Excel (Windows, Mac, web), LibreOffice and Gnumeric with nothing to "
    "install (Google Sheets: not tested). (The add-in flavour, workbook_template.xlsx, is for "
    "typing xl_roi's functions into your own sheets.)",
)
ADDIN_ABOUT = (
    layout.FLAVOUR_LABELS[layout.ADDIN],
    "This is the add-in flavour: its formulas call xl_roi's functions, which need the add-in. "
    f"Without it, open the portable flavour ({PORTABLE_FILE}, or xl-roi build --portable): "
    "the same workbook in built-in functions only.",
)
PORTABLE_SENSITIVITY_NOTE = (
    " In this portable flavour every cell of the table is a formula: the working below the "
    "chart moves each assumption, ranks them and finds the break-evens."
)

INPUTS_SUBTITLE = (
    "One row per input: fill in the yellow cells. Each value has a defined name the formulas use."
)
QUALITY_SUBTITLE = (
    "The slice-based evaluation that bounds the quality risk: scores on the frozen evaluation "
    "set, per slice. Fill in the yellow cells."
)

FROZEN_WORDING: dict[str, str] = {
    ABOUT_LINES[1][1]: (
        "This is a values-only copy: every figure is as it was worked out when the copy was "
        "made, and changing a yellow cell changes nothing else. To change the case, edit the "
        "original workbook or case file and make a new copy."
    ),
    ABOUT_LINES[2][1]: "Yellow cells with blue figures are the inputs the figures come from.",
    ABOUT_LINES[3][1]: (
        "Not needed to read this copy: it holds values only, no formulas (made with xl-roi freeze)."
    ),
    ABOUT_LINES[4][1]: (
        "Run xl-roi check on this copy: it works every figure out again from its inputs and "
        "reports any that disagrees (typed over, or an input changed after the copy was made). "
        "On the original, it checks the formulas too."
    ),
    INPUTS_SUBTITLE: "One row per input: the values this copy's figures were worked out from.",
    QUALITY_SUBTITLE: (
        "The slice-based evaluation that bounds the quality risk: scores on the frozen "
        "evaluation set, per slice."
    ),
}
"""Live-workbook text → what a values-only copy (``xl-roi freeze``) says instead: a frozen
copy never asks its reader to fill anything in."""

PORTABLE_WORDING: dict[str, str] = {
    ABOUT_LINES[3][1]: (
        "Nothing to enable: every formula uses built-in spreadsheet functions, so the workbook "
        "recalculates wherever it is opened. (xl_roi's own functions, for your own sheets, need "
        "the add-in flavour: see README, Which workbook?)"
    ),
}
"""Add-in text → what the portable flavour says instead."""
FROZEN_WORDING[PORTABLE_WORDING[ABOUT_LINES[3][1]]] = FROZEN_WORDING[ABOUT_LINES[3][1]]

VALUES_ONLY_NOTE = FROZEN_WORDING[ABOUT_LINES[3][1]]
"""What the About sheet of a copy made by ``xl-roi freeze`` says, in either flavour, in place of
how to enable the functions: how ``xl-roi check`` knows a values-only copy from a workbook whose
formulas were pasted over by hand. Changing it stops check knowing the copies made before."""


def _about(writer: _Writer, sheet: Worksheet, case: Case) -> None:
    _title(
        sheet,
        "Distillation ROI",
        f"xl_roi {__version__} — the business case for model distillation",
    )
    lines = (*ABOUT_LINES, PORTABLE_ABOUT if writer.portable else ADDIN_ABOUT)
    if writer.portable:
        lines = tuple((label, PORTABLE_WORDING.get(text, text)) for label, text in lines)
    label_style = Alignment(vertical="top")
    for offset, (label, text) in enumerate(lines):
        row = 4 + offset
        label_cell = sheet.cell(row=row, column=1, value=label)
        label_cell.font = Font(bold=True)
        label_cell.alignment = label_style
        cell = sheet.cell(row=row, column=2, value=text)
        cell.alignment = WRAP
        sheet.row_dimensions[row].height = 16 * max(1, math.ceil(len(text) / 110))
    legend = sheet.cell(row=4 + len(lines) + 1, column=1, value="Input cell")
    legend.fill = INPUT_FILL
    legend.font = INPUT_FONT
    legend.border = BOX
    sheet.cell(row=4 + len(lines) + 1, column=2, value="looks like this")
    case_row = 4 + len(lines) + 2
    sheet.cell(row=case_row, column=1, value="Built from").font = Font(bold=True)
    write_text(sheet.cell(row=case_row, column=2), case.name)
    _widths(sheet, {"A": 22, "B": 100})


def _inputs(writer: _Writer, sheet: Worksheet, case: Case, values: dict[str, Any]) -> None:
    _title(sheet, "Inputs", INPUTS_SUBTITLE)
    _header(sheet, 4, ("Input", "Value", "Unit", "Source or note", "Name"))
    row = 5
    for item in INPUTS:
        if isinstance(item, Section):
            sheet.cell(row=row, column=1, value=item.title).font = SECTION_FONT
            row += 1
            continue
        sheet.cell(row=row, column=1, value=item.label)
        cell = sheet.cell(row=row, column=2)
        value = values.get(item.name)
        if isinstance(value, str):
            write_text(cell, value)
            # a long case name wraps in its cell, the row as tall as it needs, never spilling
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            lines = math.ceil(len(value) * 1.1 / (INPUTS_VALUE_WIDTH - 2))
            if lines > 1:
                sheet.row_dimensions[row].height = 15 * lines
        else:
            cell.value = value
        cell.fill = INPUT_FILL
        cell.font = INPUT_FONT
        cell.border = BOX
        cell.protection = UNLOCKED
        cell.number_format = "@" if item.kind in ("text", "choice") else item.number_format
        if writer.styled:
            validation = _validation(item, cell.coordinate)
            sheet.add_data_validation(validation)
            validation.add(cell.coordinate)
        _unit(writer, sheet, row, item.unit, case.currency)
        note = sheet.cell(row=row, column=4, value=item.note)
        note.alignment = WRAP
        sheet.cell(row=row, column=5, value=item.name).font = UNIT_FONT
        writer.name(item.name, sheet, cell.coordinate)
        writer.blueprint.inputs[item.name] = (sheet.title, cell.coordinate)
        row += 1
    # Lists the model uses (locked): the student's pricing modes.
    sheet["G4"] = "Lists the model uses"
    sheet["G4"].font = SECTION_FONT
    for offset, (mode, name) in enumerate(zip(STUDENT_MODES, STUDENT_MODE_NAMES, strict=True)):
        cell = sheet.cell(row=5 + offset, column=7, value=mode)
        writer.name(name, sheet, cell.coordinate)
    writer.name("student_modes", sheet, "G5:G7")
    # printed: each input, its value, unit and note; its defined name (for formula writers)
    # stays on the sheet, off the page, so the page prints larger (180 characters were 148)
    sheet.print_area = f"A1:D{row - 1}"
    sheet.print_title_rows = "4:4"  # the header over each page it runs to
    sheet.page_margins = PRINT_MARGINS
    sheet.freeze_panes = "B5"
    _widths(
        sheet, {"A": 42, "B": INPUTS_VALUE_WIDTH, "C": 20, "D": INPUTS_NOTE_WIDTH, "E": 32, "G": 18}
    )


INPUTS_NOTE_WIDTH = 60
"""The Inputs sheet's "Source or note" column, in characters."""

INPUTS_VALUE_WIDTH = 26
"""The Inputs sheet's value column, in characters."""


def price_note(prices: ModelPrices) -> str:
    """The Source cell beside a token price taken from the price table: the table, its
    version and date, the model and the currency, in a finance reviewer's words.

    Examples
    --------
    >>> from xl_roi.prices import model_prices
    >>> note = price_note(model_prices("gpt-4o-mini"))
    >>> note.startswith("Prices from genai-prices "), "openai gpt-4o-mini list price, USD" in note
    (True, True)
    """
    table = prices.table
    note = (
        f"Prices from {table.name} {table.version}, as of {table.date.isoformat()}: "
        f"{prices.provider} {prices.model} list price, USD"
    )
    if prices.note:
        note += f" ({prices.note})"
    if table.stale_warning():
        note += f"; over {STALE_AFTER_DAYS} days old: check the provider's price page"
    return note


def _named_prices(
    writer: _Writer,
    sheet: Worksheet,
    values: dict[str, Any],
    named_prices: dict[str, ModelPrices],
) -> None:
    """Beside the token prices a case named by model, where they came from and their date.

    The prices themselves are the inputs the case holds (resolved from the table when the case
    was read), so the workbook recalculates without the table, in either flavour; only the
    Source cells change, and only for a named model.
    """
    for role, prices in sorted(named_prices.items()):
        if role not in ("teacher", "student"):
            raise InputError(f"named_prices: {role!r} is neither 'teacher' nor 'student'")
        for kind, price in (
            ("input", prices.input_per_million),
            ("output", prices.output_per_million),
        ):
            name = f"{role}_{kind}_price_per_million"
            if values.get(name) != price:
                raise InputError(
                    f"named_prices: the {role}'s {kind} price is {price!r} per million tokens "
                    f"in the price table, {values.get(name)!r} in the case"
                )
            _source_note(writer, sheet, name, price_note(prices))


def _source_note(writer: _Writer, sheet: Worksheet, name: str, note_text: str) -> None:
    """The Source cell beside an input, with the note (wrapped at its words; the row grows
    to show it, one line where it fits: no gap under the input)."""
    _, coordinate = writer.blueprint.inputs[name]
    row = sheet[coordinate].row
    note = sheet.cell(row=row, column=4)
    write_text(note, note_text)
    note.alignment = WRAP
    # a column holds about as many letters as its width (a width counts the wider digits)
    lines = len(textwrap.wrap(str(note.value), INPUTS_NOTE_WIDTH))
    if lines > 1:
        sheet.row_dimensions[row].height = 15 * lines


def _calculations(writer: _Writer, sheet: Worksheet, values: dict[str, Any]) -> None:
    """Write the Calculations sheet: the constants and each calculation row (named), the
    portable flavour's helpers beside them, off the page."""
    _title(
        sheet,
        "Calculations",
        "The work, row by row: each figure a formula over named "
        "inputs and the rows above. No number is typed into a formula.",
    )
    _header(sheet, 4, ("Calculation", "Value", "Unit", "How", "Name"))
    sheet["B4"].alignment = RIGHT_HEADER  # over its figures, as they sit
    row = _constants(writer, sheet, 5)
    for item in CALCULATIONS:
        if isinstance(item, Section):
            sheet.cell(row=row, column=1, value=item.title).font = SECTION_FONT
            row += 1
            continue
        assert isinstance(item, CalcRow)
        _calculation_row(writer, sheet, row, item, values)
        row += 1
    if writer.portable:
        _newton_helpers(writer, sheet, values)
        _cash_table(writer, sheet, values)
    # the work; the portable helpers beside it (the payback search's steps, the cash table)
    # stay on the sheet, off the page
    sheet.print_area = f"A1:E{row - 1}"
    sheet.print_title_rows = "4:4"  # the work's header over each page it runs to
    sheet.page_margins = PRINT_MARGINS
    sheet.freeze_panes = "B5"
    _widths(sheet, CALCULATIONS_WIDTHS)


def _cash_flow(writer: _Writer, sheet: Worksheet, values: dict[str, Any]) -> int:
    """Write the Cash flow sheet, month by month from the Calculations rows, printed on a
    portrait page of its own at full size; return month 0's row."""
    _title(
        sheet,
        "Cash flow by month",
        "From the Calculations rows: the savings, growing as assumed; a twelfth of maintenance "
        "a month; and the cash so far, before and after maintenance, discounted, and after "
        "worse answers where they are costed.",
    )
    sheet.merge_cells("A2:G2")  # the note within the page's width, wrapped
    sheet["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    width = sum(CASH_FLOW_WIDTHS.values())
    sheet.row_dimensions[2].height = _LINE_POINTS * _wrapped_lines(str(sheet["A2"].value), width)
    first = _schedule(writer, sheet, values, 4)
    writer.name("schedule_months", sheet, f"A{first}:A{first + SCHEDULE_MONTHS}")
    writer.name("schedule_net", sheet, f"D{first}:D{first + SCHEDULE_MONTHS}")
    sheet.print_area = f"A1:G{first + SCHEDULE_MONTHS}"
    sheet.print_title_rows = f"{first - 1}:{first - 1}"
    sheet.page_margins = PRINT_MARGINS
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.freeze_panes = f"B{first}"
    _widths(sheet, CASH_FLOW_WIDTHS)
    return first


def _constants(writer: _Writer, sheet: Worksheet, row: int) -> int:
    """The Constants section from ``row``, each constant a named cell; return the next row."""
    sheet.cell(row=row, column=1, value="Constants").font = SECTION_FONT
    row += 1
    for name, label, value, unit in CONSTANTS:
        sheet.cell(row=row, column=1, value=label).alignment = WRAP
        cell = sheet.cell(row=row, column=2, value=value)
        cell.number_format = CONSTANT_FORMATS.get(name, layout.COUNT)
        cell.alignment = TOP
        unit_cell = sheet.cell(row=row, column=3, value=unit)
        unit_cell.font, unit_cell.alignment = UNIT_FONT, WRAP
        sheet.cell(row=row, column=4).alignment = TOP  # no note: the row reads from its top
        name_cell = sheet.cell(row=row, column=5, value=name)
        name_cell.font, name_cell.alignment = UNIT_FONT, TOP
        lines = max(
            _wrapped_lines(label, CALCULATIONS_WIDTHS["A"]),
            _wrapped_lines(unit, CALCULATIONS_WIDTHS["C"]),
        )
        if lines > 1:
            sheet.row_dimensions[row].height = 15 * lines
        writer.name(name, sheet, cell.coordinate)
        row += 1
    return row


def _calculation_row(
    writer: _Writer, sheet: Worksheet, row: int, item: CalcRow, values: dict[str, Any]
) -> None:
    """One calculation on ``row``: its label, its formula (or, with no native formula, its
    stored value) named after it, its unit and how it is worked out; as tall as its longest
    text."""
    sheet.cell(row=row, column=1, value=item.label).alignment = WRAP
    formula = item.formula_in(writer.portable)
    if formula is None:  # a row with no native formula stores its value
        cell = sheet.cell(row=row, column=2)
        if isinstance(values[item.name], str):
            write_text(cell, values[item.name])
        else:
            cell.value = values[item.name]
        cell.number_format = item.number_format
    else:
        cell = writer.formula(sheet, f"B{row}", formula, values[item.name], item.number_format)
    cell.alignment = Alignment(horizontal="right", vertical="top", wrap_text=True)
    _unit(writer, sheet, row, item.unit, values["currency"])
    sheet.cell(row=row, column=4, value=item.how).alignment = WRAP
    stored = values[item.name]
    if item.name in layout.NEVER_ROWS:
        _never_in_words(sheet, cell.coordinate)
        if isinstance(stored, str) and stored.startswith(NEVER_PAYS_BACK):
            stored = "never"  # what the page shows
    unit = (
        item.unit if item.unit not in _MONEY_UNITS else values["currency"] + _MONEY_UNITS[item.unit]
    )
    height = max(  # the row as tall as its longest text: none runs off its cell
        _wrapped_lines(item.label, CALCULATIONS_WIDTHS["A"]),
        _wrapped_lines(unit, CALCULATIONS_WIDTHS["C"]),
        _wrapped_lines(item.how, CALCULATIONS_WIDTHS["D"]),
        _wrapped_lines(stored, CALCULATIONS_WIDTHS["B"]) if isinstance(stored, str) else 1,
    )
    if height > 1:
        sheet.row_dimensions[row].height = 15 * height
    name_cell = sheet.cell(row=row, column=5, value=item.name)
    name_cell.font, name_cell.alignment = UNIT_FONT, TOP
    writer.name(item.name, sheet, cell.coordinate)


NEVER_FORMAT_ID = 400
"""The conditional number format's id, past those openpyxl gives cell formats and the
Sensitivity sheet's."""


def _never_in_words(sheet: Worksheet, coordinate: str) -> None:
    """A payback cell holding the never text (``#NUM! never pays back: …``, which formulas read)
    shows "never" in words; any other text (a bad input's message) shows as it is."""
    style = DifferentialStyle(
        numFmt=NumberFormat(numFmtId=NEVER_FORMAT_ID, formatCode=layout.NEVER_IN_WORDS)
    )
    test = f'LEFT({coordinate}, {len(NEVER_PAYS_BACK)})="{NEVER_PAYS_BACK}"'
    sheet.conditional_formatting.add(coordinate, Rule(type="expression", dxf=style, formula=[test]))


def _schedule(writer: _Writer, sheet: Worksheet, values: dict[str, Any], row: int) -> int:
    """The cash flow by month from ``row`` (its header, then months 0 to
    :data:`SCHEDULE_MONTHS`); return month 0's row."""
    _header(sheet, row, rows.SCHEDULE_HEADERS)
    for index in range(1, len(rows.SCHEDULE_HEADERS) + 1):  # over its figures, right-aligned
        sheet.cell(row=row, column=index).alignment = Alignment(
            horizontal="right", vertical="center", wrap_text=True
        )
    # four lines: "After" "maintenance" "and worse" "answers" in column G
    sheet.row_dimensions[row].height = 60
    schedule = rows.schedule_values(values)
    first = row + 1
    discounted = rows.discounted_schedule_values(values)
    worse = rows.worse_answers_schedule_values(values)
    for month, (savings, maintenance, net, net_after) in enumerate(schedule):
        r = first + month
        if month == 0:
            _schedule_start(writer, sheet, r, (net, net_after, discounted[0], worse[0]))
        else:
            stored = (savings, maintenance, net, net_after, discounted[month], worse[month])
            _schedule_month(writer, sheet, r, month, stored)
        for column in "BC":
            sheet[f"{column}{r}"].number_format = layout.MONEY
        sheet.row_dimensions[r].height = SCHEDULE_ROW_POINTS
    return first


SCHEDULE_ROW_POINTS = 13.5
"""A schedule month's row height: one line of figures (18 pixels; Excel's default is 15
points). With it the work's header, the schedule's title and header and its 37 months fit one
landscape letter page in Excel too (about 87 % of full size: 590 points of the 620 a page
holds; at 15 points they take 646, and the last months would spill onto a page of their
own)."""


def _schedule_start(
    writer: _Writer, sheet: Worksheet, r: int, stored: tuple[float, float, float, Any]
) -> None:
    """Month 0 on row ``r``: no savings, no maintenance, every cumulative figure −upfront
    (after worse answers only where they are costed); ``stored`` the four cumulative values."""
    net, net_after, discounted, worse = stored
    sheet.cell(row=r, column=1, value=0)
    sheet.cell(row=r, column=2, value=0.0)
    sheet.cell(row=r, column=3, value=0.0)
    writer.formula(sheet, f"D{r}", "-upfront", net, layout.MONEY)
    writer.formula(sheet, f"E{r}", "-upfront", net_after, layout.MONEY)
    writer.formula(sheet, f"F{r}", "-upfront", discounted, layout.MONEY)
    writer.formula(
        sheet,
        f"G{r}",
        'IF(ISNUMBER(quality_cost_monthly), -upfront, "")',
        worse,
        layout.MONEY,
    )


def _schedule_month(
    writer: _Writer, sheet: Worksheet, r: int, month: int, stored: tuple[Any, ...]
) -> None:
    """Month ``month`` on row ``r``, each figure a formula over the row above: savings grown,
    a twelfth of maintenance, and the cumulative cash (before and after maintenance,
    discounted, after worse answers); ``stored`` their six values."""
    savings, maintenance, net, net_after, discounted, worse = stored
    writer.formula(sheet, f"A{r}", f"A{r - 1}+1", float(month), layout.WHOLE_NUMBER)
    writer.formula(
        sheet,
        f"B{r}",
        f"savings_monthly*(1+monthly_growth)^(A{r}-1)",
        savings,
        layout.MONEY,
    )
    writer.formula(sheet, f"C{r}", "maintenance/months_per_year", maintenance, layout.MONEY)
    writer.formula(sheet, f"D{r}", f"D{r - 1}+B{r}", net, layout.MONEY)
    writer.formula(sheet, f"E{r}", f"E{r - 1}+B{r}-C{r}", net_after, layout.MONEY)
    writer.formula(
        sheet,
        f"F{r}",
        rows.SCHEDULE_DISCOUNTED.format(r=r, r_before=r - 1),
        discounted,
        layout.MONEY,
    )
    writer.formula(
        sheet,
        f"G{r}",
        rows.SCHEDULE_WORSE_ANSWERS.format(r=r, r_before=r - 1),
        worse,
        layout.MONEY,
    )


CALCULATIONS_WIDTHS: dict[str, float] = {
    "A": 28,
    "B": 18,
    "C": 13,
    "D": 38,
    "E": 30,
}
"""Calculations' columns: label, figure (a text answer wraps in it), unit, how, name. 127
characters across: a landscape page fitted to its width (labels, units, answers and notes
wrap; a name, one word, fits)."""

CASH_FLOW_WIDTHS: dict[str, float] = {"A": 8, **{letter: 14 for letter in "BCDEFG"}}
"""The Cash flow's columns: the month, then six amounts (92 characters: a portrait page)."""

PRINT_MARGINS = PageMargins(left=0.5, right=0.5, top=0.5, bottom=0.5, header=0.3, footer=0.3)
"""Margins (inches) of the pages fitted to their width: room for the text, not white paper."""


def _cash_table(writer: _Writer, sheet: Worksheet, values: dict[str, Any]) -> None:
    """The portable flavour's monthly cash table: what IRR and discounted payback read."""
    top = layout.CASH_TABLE_FIRST_ROW - 1
    title = sheet[f"{layout.CASH_TABLE_COLUMNS[0]}{top - 1}"]
    title.value = "Monthly cash: what the rate of return and discounted payback read"
    title.font = SECTION_FONT
    for column, title in zip(layout.CASH_TABLE_COLUMNS, layout.CASH_TABLE_HEADERS, strict=True):
        header = sheet[f"{column}{top}"]
        header.value = title
        header.font = HEADER_FONT
        header.fill = HEADER_FILL
        header.alignment = Alignment(wrap_text=True, vertical="center")
    month_column, cash, cumulative, crossing = layout.CASH_TABLE_COLUMNS
    for month, (flow, total, crossed) in enumerate(layout.cash_table_values(values)):
        r = layout.CASH_TABLE_FIRST_ROW + month
        sheet[f"{month_column}{r}"] = month
        _, cash_formula, total_formula, crossing_formula = layout.cash_table_formulas(month)
        if cash_formula is not None:
            writer.formula(sheet, f"{cash}{r}", cash_formula, flow, layout.MONEY)
        writer.formula(sheet, f"{cumulative}{r}", total_formula, total, layout.MONEY)
        if crossing_formula is not None:
            writer.formula(sheet, f"{crossing}{r}", crossing_formula, crossed, layout.MONTHS)
    _widths(sheet, {month_column: 8, cash: 16, cumulative: 20, crossing: 14})


def _newton_helpers(writer: _Writer, sheet: Worksheet, values: dict[str, Any]) -> None:
    """The portable flavour's worked steps for payback after maintenance with growth."""
    column = layout.NEWTON_SHEET_COLUMN
    label_column = get_column_letter(column_index_from_string(column) - 1)
    top = layout.NEWTON_FIRST_ROW - 1
    sheet[f"{label_column}{top}"] = "Payback after maintenance with growth: Newton steps"
    sheet[f"{label_column}{top}"].font = SECTION_FONT
    helper_values = layout.newton_values(values)
    for offset, ((label, formula), value) in enumerate(
        zip(layout.newton_helpers(), helper_values, strict=True)
    ):
        r = layout.NEWTON_FIRST_ROW + offset
        sheet[f"{label_column}{r}"] = label
        number_format = layout.TRUE_FALSE if isinstance(value, bool) else layout.NEWTON_STEP
        writer.formula(sheet, f"{column}{r}", formula, value, number_format)
    _widths(sheet, {label_column: 44, column: 16})


def _sensitivity_table(values: dict[str, Any]) -> list[list[Any]]:
    """The Sensitivity table for the workbook's values: what ``SENSITIVITY`` gives for them."""
    hosting: dict[str, Any] = {}
    per_call = values["student_cost"]
    if values["student_pricing"] == layout.MODE_SELF_HOSTED:
        per_call = values["escalation_share"] * values["teacher_cost"]
        if values["gpu_hourly_cost"] != 0:  # SENSITIVITY reads 0 as priced per call
            hosting = {
                name: values[name]
                for name in (
                    "gpu_hourly_cost",
                    "calls_per_second_per_gpu",
                    "target_utilization",
                    "peak_factor",
                )
            }
    others = {name: values[FIELDS[name].cell] for name in roi.savings_inputs()}  # type: ignore[index]
    return headline_table(
        values["upfront"],
        values["teacher_cost"],
        per_call,
        values["monthly_calls"],
        values["maintenance"],
        values["sensitivity_swing"],
        values["target_payback_months"],
        values["monthly_growth"],
        **hosting,
        teacher_labelling_cost=values["teacher_labelling"],
        **others,
    )


def _sensitivity(writer: _Writer, sheet: Worksheet, values: dict[str, Any], case: Case) -> None:
    """Write the Sensitivity sheet: the table (one SENSITIVITY array formula, or in the
    portable flavour one native formula a cell, worked below the chart), its formats, and the
    tornado chart with its helper columns."""
    _title(
        sheet,
        "Sensitivity",
        "Which assumption breaks the case: each moved ± the swing on "
        "Inputs, one at a time, ranked by how far payback swings; then named scenarios.",
    )
    note = _sensitivity_note(values) + (PORTABLE_SENSITIVITY_NOTE if writer.portable else "")
    sheet["A3"] = note
    sheet["A3"].alignment = WRAP
    sheet.merge_cells("A3:J3")
    # a merged cell never grows to its text: as many lines as the note takes across A:J
    across = sum(SENSITIVITY_WIDTHS[letter] for letter in "ABCDEFGHIJ")
    sheet.row_dimensions[3].height = 15 * _wrapped_lines(note, across)
    formula = udf_call("SENSITIVITY", swing="sensitivity_swing", **layout.HOSTING_ARGUMENTS)
    table = _sensitivity_table(values)
    last_row = 5 + HEADLINE_TABLE_ROWS
    if writer.portable:  # one native formula a cell, worked below the chart
        _native_sensitivity_cells(writer, sheet, values, table, last_row)
        sheet.print_area = f"A1:J{last_row + 22}"  # the table and its chart, not the working
    else:
        writer.array_formula(sheet, f"A5:J{last_row}", formula, table)
    _sensitivity_formats(sheet, last_row)
    assumption_rows = HEADLINE_TABLE_ROWS - 3
    _tornado_helper(writer, sheet, values, table, assumption_rows)
    sheet.add_chart(_tornado_chart(sheet, assumption_rows), f"A{last_row + 3}")
    if not writer.portable:  # the table and its chart; the chart's helper columns L:M off it
        sheet.print_area = f"A1:J{last_row + 22}"
    sheet.freeze_panes = "B6"
    sheet.page_margins = PRINT_MARGINS
    _widths(sheet, SENSITIVITY_WIDTHS)


SENSITIVITY_WIDTHS: dict[str, float] = {
    "A": 30,
    **{letter: 13 for letter in "BCDEFGHIJ"},
    "L": 22,
    "M": 22,
    "N": 44,
}
"""Sensitivity's columns: the assumption, nine figures (headers in bold wrap into the three
lines of row 5: "Payback" / "at high" / "(months)"), and the tornado's helpers L:N, off the
page. A:J is 147 characters: a landscape page fitted to its width prints at about 85 %."""


def _sensitivity_note(values: dict[str, Any]) -> str:
    """The Sensitivity sheet's note on the model it runs: the student's cost (on whole GPUs
    when self-hosted), the upfront cost (the teacher's labels moving with its price), and what
    the break-even volume means."""
    hosted = values["student_pricing"] == layout.MODE_SELF_HOSTED
    return (
        "The same model as the Pitch: the student's cost as worked out"
        + (" on whole GPUs (half the volume pays for the same GPUs)" if hosted else "")
        + ", the upfront cost as on Calculations, the teacher's labels of the corpus in it "
        "moving with the teacher's price. Break-even volume: the monthly calls, growing "
        "as assumed, below which payback misses the target"
        + (
            " (on whole GPUs, the lowest above which the case holds at every volume: as each "
            "GPU added cuts the savings, some lower volumes may hold too). The GPUs' target "
            "utilisation is moved too by xl-roi sensitivity and the deck (a row of its own "
            "and a scenario, Serving utilisation below plan), not in this fixed-shape table."
            if hosted
            else "."
        )
    )


def _native_sensitivity_cells(
    writer: _Writer,
    sheet: Worksheet,
    values: dict[str, Any],
    table: list[list[Any]],
    last_row: int,
) -> None:
    """Portable flavour: the table's header, and its cells and their working
    (:func:`~xl_roi.workbook.native_sensitivity.working`, from 26 rows below the table) in
    built-in functions only."""
    for c, value in enumerate(table[0]):
        write_text(sheet.cell(row=5, column=1 + c), value)
    cells = native_sensitivity.working(values, table, last_row + 26)
    for coordinate, plain in cells.plain.items():
        if isinstance(plain, str):
            write_text(sheet[coordinate], plain)
        else:
            sheet[coordinate].value = plain
    for coordinate, (native, stored, cell_format) in cells.formulas.items():
        writer.formula(sheet, coordinate, native, stored, cell_format)
    for coordinate in cells.headers:
        sheet[coordinate].font = SECTION_FONT


def _sensitivity_formats(sheet: Worksheet, last_row: int) -> None:
    """The table's header row styled, and its figures' number formats (right-aligned, words
    too), each row's values in its own unit."""
    sheet.row_dimensions[5].height = 48
    for column in range(1, 11):
        cell = sheet.cell(row=5, column=column)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        # the figures' headers over their figures (right), the assumptions' over theirs
        cell.alignment = (
            RIGHT_HEADER if column > 1 else Alignment(wrap_text=True, vertical="center")
        )
    formats = [
        None,
        layout.PRICE,
        layout.PRICE,
        layout.MONTHS,
        layout.MONTHS,
        layout.MONEY,
        layout.MONEY,
        layout.MONTHS,
        layout.PRICE,
        layout.PRICE,
    ]
    for r in range(6, last_row + 1):
        for column, number_format in enumerate(formats, start=1):
            if number_format:
                cell = sheet.cell(row=r, column=column)
                cell.number_format = number_format
                # "never" and other words right-aligned like the figures: never "3.74never"
                cell.alignment = Alignment(horizontal="right")
    _value_formats_by_row(sheet, last_row)


def _tornado_helper(
    writer: _Writer,
    sheet: Worksheet,
    values: dict[str, Any],
    table: list[list[Any]],
    assumption_rows: int,
) -> None:
    """Columns L:M, the tornado's data: how far payback moves with each assumption at its low
    and at its high, against the case's own payback (from 0 where the case never pays back);
    blank where it never pays back at that value (no bar: the table says "never")."""
    sheet["L5"] = "Payback at low, against the case"
    sheet["M5"] = "Payback at high, against the case"
    for letter in "LM":
        sheet[f"{letter}5"].font = HEADER_FONT
        sheet[f"{letter}5"].fill = HEADER_FILL
        sheet[f"{letter}5"].alignment = Alignment(wrap_text=True, vertical="center")
    base = values["payback_months"]
    base = base if isinstance(base, float | int) and math.isfinite(base) else 0.0
    sheet["N5"] = "Assumption, as the tornado names it"
    sheet["N5"].font, sheet["N5"].fill = HEADER_FONT, HEADER_FILL
    for offset in range(assumption_rows):
        r = 6 + offset
        # a side that never pays back has no bar: its name says so, as the deck's tornado does
        row = table[1 + offset]
        never = [side for side, cell in (("low", row[3]), ("high", row[4])) if cell == "never"]
        writer.formula(
            sheet,
            f"N{r}",
            f'A{r}&IF(AND(D{r}="never", E{r}="never"), " (never pays back at its low and high)", '
            f'IF(D{r}="never", " (never pays back at its low)", '
            f'IF(E{r}="never", " (never pays back at its high)", "")))',
            f"{row[0]} (never pays back at its {' and '.join(never)})" if never else row[0],
            layout.PLAIN,
        )
        for letter, source, column in (("L", "D", 3), ("M", "E", 4)):
            stored = table[1 + offset][column]
            value = stored - base if isinstance(stored, float | int) else ""
            writer.formula(
                sheet,
                f"{letter}{r}",
                f"IF(ISNUMBER({source}{r}), {source}{r}-IF(ISNUMBER(payback_months), "
                f'payback_months, 0), "")',
                value,
                layout.MONTHS,
            )


def _tornado_chart(sheet: Worksheet, assumption_rows: int) -> BarChart:
    """The tornado: how far payback moves with each assumption, ranked as the table ranks
    them (by payback swing, as the deck's), the widest on top."""
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "clustered"
    chart.overlap = 100
    chart.title = "Tornado: how far payback moves"
    chart.y_axis.title = "Months against the case's payback"
    data = Reference(sheet, min_col=12, max_col=13, min_row=5, max_row=5 + assumption_rows)
    categories = Reference(sheet, min_col=14, min_row=6, max_row=5 + assumption_rows)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(categories)
    chart.x_axis.scaling.orientation = "maxMin"  # the widest swing on top, as a tornado
    chart.x_axis.tickLblPos = "low"  # the assumptions' names left of the bars, not over them
    chart.y_axis.number_format = layout.MONTHS
    chart.y_axis.majorGridlines = None
    # the axes' and legend's words in 11 points, as the table's: printed on a page fitted to
    # its width they stay as readable as the table (the default 10 points print under 9)
    for part in (chart.x_axis, chart.y_axis, chart.legend):
        part.txPr = _text_points(TORNADO_TEXT_POINTS)
    for paragraph in chart.y_axis.title.tx.rich.p:  # the axis title, bold, as large
        size = CharacterProperties(sz=TORNADO_TEXT_POINTS * 100, b=True)
        paragraph.pPr = ParagraphProperties(defRPr=size)
        for run in paragraph.r or []:
            run.rPr = size
    chart.height, chart.width = 9, 18
    return chart


TORNADO_TEXT_POINTS = 11
"""The tornado's axis and legend text size, in points."""


def _text_points(points: float) -> RichText:
    """Chart text (an axis's labels, a legend) in ``points``."""
    size = CharacterProperties(sz=int(points * 100))
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=size), endParaRPr=size)])


SENSITIVITY_SCENARIO_FIELDS: dict[str, str] = {
    "Half volume": "monthly_calls",
    "Serving utilisation below plan": "target_utilization",
    "Maintenance twice as often": "annual_maintenance",
    "Teacher price halved": "teacher_cost_per_1k",
}
"""Each Sensitivity scenario → the input it changes (an assumption's row moves its own)."""


def sensitivity_row_formats() -> dict[str, str]:
    """Each Sensitivity row's label → the number format of the input it moves: the one place
    that says how a row's low, high and break-even values read.

    Examples
    --------
    >>> formats = sensitivity_row_formats()
    >>> formats["Monthly growth"], formats["Half volume"]
    ('0.0%;[Red](0.0%)', '#,##0')
    """
    moved = {entry.assumption: entry.name for entry in FIELDS.values() if entry.assumption}
    moved.update(SENSITIVITY_SCENARIO_FIELDS)
    # a moved or break-even GPU price is worked out, not typed: cents, as other prices
    return {
        label: PRICE_FORMAT
        if FIELDS[name].number_format == HOURLY_FORMAT
        else FIELDS[name].number_format
        for label, name in moved.items()
    }


def _value_formats_by_row(sheet: Worksheet, last_row: int) -> None:
    """Low, high and break-even values in each row's own unit: the SENSITIVITY function ranks
    its rows when it recalculates, so the format follows the row's label, not its position.
    The cells' own format is a price's; a rule a format for the rows read otherwise."""
    labels: dict[str, list[str]] = {}
    for label, number_format in sensitivity_row_formats().items():
        if number_format != layout.PRICE:
            labels.setdefault(number_format, []).append(label)
    # ids past those openpyxl gives cell formats
    for format_id, number_format in enumerate(sorted(labels), start=300):
        condition = ", ".join(f'$A6="{label}"' for label in labels[number_format])
        style = DifferentialStyle(numFmt=NumberFormat(numFmtId=format_id, formatCode=number_format))
        rule = Rule(type="expression", dxf=style, formula=[f"OR({condition})"], stopIfTrue=True)
        sheet.conditional_formatting.add(f"B6:C{last_row} I6:J{last_row}", rule)


def _quality(writer: _Writer, sheet: Worksheet, case: Case, values: dict[str, Any]) -> None:
    """Write the Quality sheet: a row a slice (its inputs to fill in, checked, and its
    verdict and cost as formulas), the slice columns named, and the summary below."""
    _title(sheet, "Quality", QUALITY_SUBTITLE)
    _header(sheet, 4, rows.quality_headers(values["currency"]))
    sheet.row_dimensions[4].height = 64  # four lines: "Own cost of a" "wrong answer" "(USD)"
    first, last = rows.QUALITY_FIRST_ROW, rows.QUALITY_FIRST_ROW + QUALITY_ROWS - 1
    rules = _quality_rules(sheet)
    slices = case.quality_slices
    if len(slices) > QUALITY_ROWS:
        raise ValueError(
            f"the template holds {QUALITY_ROWS} quality slices, the case has {len(slices)}"
        )
    slice_costs = layout.slice_quality_costs(case)
    for offset in range(QUALITY_ROWS):
        item = slices[offset] if offset < len(slices) else None
        cost = slice_costs[offset] if item is not None else ""
        _quality_slice_row(writer, sheet, first + offset, item, cost, rules)
    _joined_names(writer, sheet, slices, first, last)  # the recommendation names them
    for name, column in rows.QUALITY_NAMES:
        writer.name(name, sheet, f"{column}{first}:{column}{last}")
    summary_values = rows.quality_summary_values(slices, values)
    summary = last + 2
    for offset, (label, name, formula) in enumerate(rows.QUALITY_SUMMARY):
        r = summary + offset
        sheet.cell(row=r, column=1, value=label).font = Font(bold=True)
        cell = writer.formula(sheet, f"B{r}", formula, summary_values[name], layout.WHOLE_NUMBER)
        writer.name(name, sheet, cell.coordinate)
    sheet.freeze_panes = "A5"
    # printed: the slice table and its summary on a landscape page at a readable size, not
    # the helper columns beside it (the failing critical slices' names, joined)
    sheet.print_area = f"A1:K{summary + len(rows.QUALITY_SUMMARY) - 1}"
    _widths(sheet, QUALITY_WIDTHS)
    for r in range(first, last + 1):  # a slice's name, or "not computed: …", wraps
        for column in "AHK":
            sheet[f"{column}{r}"].alignment = WRAP if column != "K" else WRAP_RIGHT
        # pass / FAIL centred: never run into the drop beside it ("0.01pass")
        sheet[f"G{r}"].alignment = Alignment(horizontal="center", vertical="top")
    # each header over its figures: right above numbers, centred above pass / FAIL
    for column, horizontal in QUALITY_HEADER_ALIGNMENT.items():
        sheet[f"{column}4"].alignment = Alignment(
            horizontal=horizontal, vertical="center", wrap_text=True
        )


QUALITY_HEADER_ALIGNMENT = {column: "right" for column in "CDEFIJK"} | {"G": "center"}
"""How the Quality headers sit: as the figures below them do."""


@dataclass(frozen=True)
class _QualityRules:
    """The checks on a slice's input cells: business-critical (yes or no), the scores and
    allowed drop (numbers), its share of calls (0 to 1), its own cost of a wrong answer."""

    critical: DataValidation
    score: DataValidation
    share: DataValidation
    cost: DataValidation


def _quality_rules(sheet: Worksheet) -> _QualityRules:
    """The slice inputs' checks, added to the sheet (their cells added row by row)."""
    critical_rule = DataValidation(type="list", formula1='"yes,no"', allow_blank=True)
    critical_rule.error = "Answer yes or no."
    sheet.add_data_validation(critical_rule)
    score_rule = DataValidation(
        type="decimal", operator="greaterThanOrEqual", formula1="-1e300", allow_blank=True
    )
    sheet.add_data_validation(score_rule)
    share_rule = DataValidation(
        type="decimal", operator="between", formula1="0", formula2="1", allow_blank=True
    )
    share_rule.error = "A share of calls from 0 to 1 (0.1 = 10 %)."
    sheet.add_data_validation(share_rule)
    cost_rule = DataValidation(
        type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True
    )
    cost_rule.error = "A cost of 0 or more; blank takes the case's cost of a wrong answer."
    sheet.add_data_validation(cost_rule)
    return _QualityRules(critical_rule, score_rule, share_rule, cost_rule)


def _quality_slice_row(
    writer: _Writer,
    sheet: Worksheet,
    r: int,
    item: QualitySlice | None,
    cost: float | str,
    rules: _QualityRules,
) -> None:
    """A slice's row ``r`` (blank inputs without ``item``): its input cells styled, unlocked
    and checked, and its formulas with their stored values (``cost``: its cost of worse
    answers a month)."""
    cells = {column: sheet[f"{column}{r}"] for column in rows.QUALITY_INPUT_COLUMNS}
    if item is not None:
        write_text(cells["A"], item.name)
        write_text(cells["B"], "yes" if item.business_critical else "no")
        cells["C"].value = float(item.teacher_score)
        cells["D"].value = float(item.student_score)
        cells["E"].value = float(item.allowed_drop)
        if item.traffic_share is not None:
            cells["I"].value = float(item.traffic_share)
        if item.cost_per_error is not None:
            cells["J"].value = float(item.cost_per_error)
    for cell in cells.values():
        cell.fill = INPUT_FILL
        cell.font = INPUT_FONT
        cell.border = BOX
        cell.protection = UNLOCKED
    rules.critical.add(cells["B"].coordinate)
    for column in "CDE":
        rules.score.add(cells[column].coordinate)
        cells[column].number_format = layout.SCORE_DROP
    rules.share.add(cells["I"].coordinate)
    cells["I"].number_format = layout.SHARE
    rules.cost.add(cells["J"].coordinate)
    cells["J"].number_format = layout.PRICE
    for (column, formula, number_format), value in zip(
        rows.QUALITY_FORMULAS, rows.slice_values(item, cost), strict=True
    ):
        writer.formula(sheet, f"{column}{r}", rows.slice_formula(formula, r), value, number_format)


QUALITY_WIDTHS: dict[str, float] = {
    "A": 36,
    "B": 14,
    "C": 11,
    "D": 11,
    "E": 11,
    "F": 9,
    "G": 10,
    "H": 16,
    "I": 10,
    "J": 14,
    "K": 36,
}
"""The slice table's columns: 178 characters across, a landscape page at about 80 %; A holds
"Business-critical slices failing" in bold, K "not computed: cost per error unknown"on one line."""


def _joined_names(writer: _Writer, sheet: Worksheet, slices: Any, first: int, last: int) -> None:
    """The failing business-critical slices' names as "a, b and c", built down a helper
    column (no TEXTJOIN, which older spreadsheets lack), for the recommendation's words."""
    count_column = get_column_letter(column_index_from_string(layout.QUALITY_JOIN_COLUMN) - 1)
    join = layout.QUALITY_JOIN_COLUMN
    for column, title in ((count_column, "Failing critical so far"), (join, "Their names")):
        header = sheet[f"{column}4"]
        header.value = title
        header.font = HEADER_FONT
        header.fill = HEADER_FILL
        header.alignment = Alignment(wrap_text=True, vertical="center")
    names = [item.name for item in slices if item.business_critical and not item.passed]
    seen: list[str] = []
    for r in range(first, last + 1):
        offset = r - first
        item = slices[offset] if offset < len(slices) else None
        if item is not None and item.business_critical and not item.passed:
            seen.append(item.name)
        previous_count = f"{count_column}{r - 1}" if r > first else "0"
        previous_text = f"{join}{r - 1}" if r > first else '""'
        writer.formula(
            sheet,
            f"{count_column}{r}",
            f'{previous_count}+IF(H{r}="", 0, 1)',
            float(len(seen)),
            layout.WHOLE_NUMBER,
        )
        text = "".join(
            ("" if k == 1 else " and " if k == len(names) else ", ") + name
            for k, name in enumerate(seen, start=1)
        )
        writer.formula(
            sheet,
            f"{join}{r}",
            f'{previous_text}&IF(H{r}="", "", IF({count_column}{r}=1, "", '
            f'IF({count_column}{r}=critical_failures, " and ", ", "))&H{r})',
            text,
            layout.PLAIN,
        )
    writer.name("critical_failing_names", sheet, f"{join}{last}")
    _widths(sheet, {count_column: 14, join: 40})


def _pitch(
    writer: _Writer, sheet: Worksheet, values: dict[str, Any], case: Case, schedule_first: int
) -> None:
    """Write the Pitch sheet: the title and recommendation, each section's figures, and the
    chart of cumulative net cash (from the Calculations schedule, month 0 on
    ``schedule_first``) under the payback, printed at full size on portrait pages: the
    savings, the payback and the chart on the first; the risk and the ask from the second."""
    currency = values["currency"]
    title = writer.formula(
        sheet,
        "A1",
        rows.PITCH_TITLE,
        rows.pitch_title_value(values),
        layout.PLAIN,
    )
    title.font = TITLE_FONT
    # within the page's width, wrapped: as tall as the longest title the verdicts can give
    title.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells("A1:C1")
    page_width = sum(PITCH_WIDTHS.values()) / _TITLE_WIDTH
    titles = (
        rows.pitch_title_value(
            {
                "case_name": case.name,
                "verdict_label": verdict,
                "quality_adjusted_savings": -1.0,
                "quality_adjusted_verdict": adjusted,
            }
        )
        for verdict in VERDICTS
        for adjusted in VERDICTS
    )
    title_lines = max(_wrapped_lines(text, page_width) for text in titles)
    sheet.row_dimensions[1].height = _TITLE_LINE_POINTS * title_lines
    sheet["A3"] = "Recommendation"
    sheet["A3"].font = Font(bold=True)
    sheet["A3"].alignment = WRAP
    cell = writer.formula(
        sheet, "B3", rows.PITCH_RECOMMENDATION, values["recommendation_text"], layout.PLAIN
    )
    cell.font = Font(bold=True)
    cell.alignment = WRAP
    sheet.merge_cells("B3:C3")
    # a merged cell never grows to its text in Excel or LibreOffice: room for the longest
    # recommendation its formula can give, whatever is typed into the inputs later
    merged = (PITCH_WIDTHS["B"] + PITCH_WIDTHS["C"]) * _BOLD_WIDTH
    longest = _longest_recommendation(case, currency)
    sheet.row_dimensions[3].height = _LINE_POINTS * _wrapped_lines(longest, merged)
    row = 5
    for heading, lines in rows.pitch_sections(values):
        if heading == PITCH_SECOND_PAGE:  # the risk and the ask start the second page
            sheet.row_breaks.append(Break(id=row - 1))
        sheet.cell(row=row, column=1, value=heading).font = SECTION_FONT
        row += 1
        for line in lines:
            _pitch_line(writer, sheet, row, line, currency)
            row += 1
        row += 1
        if heading == PITCH_CHART_AFTER:  # the cash the payback speaks of, under it
            sheet.add_chart(_cash_chart(writer, values, schedule_first), f"A{row}")
            row += PITCH_CHART_ROWS
    sheet.print_area = f"A1:C{row}"
    sheet.page_margins = PageMargins(left=0.6, right=0.6, top=0.5, bottom=0.5)
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    _widths(sheet, PITCH_WIDTHS)


def _pitch_line(
    writer: _Writer,
    sheet: Worksheet,
    row: int,
    line: tuple[str, str, Any, str, bool],
    currency: str,
) -> None:
    """One figure of the Pitch on ``row``: its label, its formula (right-aligned, wrapped; the
    row as tall as its longest text) and, beside an amount, the currency."""
    label, formula, value, number_format, money = line
    label_cell = sheet.cell(row=row, column=1, value=label)
    label_cell.alignment = WRAP
    figure = writer.formula(sheet, f"B{row}", formula, value, number_format)
    # text answers line up with numbers, and wrap within their row, never clipped
    figure.alignment = Alignment(horizontal="right", vertical="top", wrap_text=True)
    # as tall as the longest text the formula can give, not only today's value: a spreadsheet
    # keeps a row's height when a recalculation changes its text
    height = max(
        [_wrapped_lines(label, PITCH_WIDTHS["A"])]
        + [_wrapped_lines(text, PITCH_WIDTHS["B"]) for text in _texts_shown(formula, value)]
    )
    if height > 1:
        sheet.row_dimensions[row].height = _LINE_POINTS * height
    if money:  # beside an amount; none beside "no ask", "not computed", "in the total"
        unit = writer.formula(
            sheet,
            f"C{row}",
            f'IF(ISNUMBER(B{row}), currency, "")',
            currency if isinstance(value, float | int) else "",
            layout.PLAIN,
        )
        unit.font, unit.alignment = UNIT_FONT, TOP


def _cash_chart(writer: _Writer, values: dict[str, Any], schedule_first: int) -> LineChart:
    """Cumulative net cash month by month, before and after maintenance and discounted (and,
    where worse answers are costed, after them), from the Calculations schedule."""
    currency = values["currency"]
    chart = LineChart()
    # one line of title, so the plot keeps the chart's height: the legend names the lines
    chart.title = "Cumulative net cash"
    chart.y_axis.title = currency
    chart.y_axis.number_format = layout.MONEY
    chart.x_axis.title = "Month"
    chart.x_axis.tickLblPos = "low"  # month numbers below the plot, not on the zero line
    calculations = writer.workbook["Cash flow"]
    costed = isinstance(values["quality_cost_monthly"], float | int)
    data = Reference(
        calculations,
        min_col=4,
        max_col=7 if costed else 6,
        min_row=schedule_first - 1,
        max_row=schedule_first + SCHEDULE_MONTHS,
    )
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(
        Reference(
            calculations,
            min_col=1,
            min_row=schedule_first,
            max_row=schedule_first + SCHEDULE_MONTHS,
        )
    )
    chart.height, chart.width = PITCH_CHART_CM
    chart.legend.position = "b"
    return chart


PITCH_CHART_AFTER = rows.PITCH[1][0]
"""The Pitch section the cash chart stands under (on the first printed page)."""

PITCH_SECOND_PAGE = rows.PITCH[2][0]
"""The Pitch section that starts the second printed page."""

PITCH_CHART_CM = (8.5, 16.0)
"""The Pitch's cash chart, height and width in centimetres: the width of columns A to C."""


PITCH_WIDTHS: dict[str, float] = {"A": 44, "B": 34, "C": 8}
"""The Pitch's columns: labels, figures (wide enough for a short reason in two or three lines),
the currency."""


_LINE_POINTS = 15
"""The height of one line of 11-point text in a row, in points."""

PITCH_CHART_ROWS = math.ceil(PITCH_CHART_CM[0] / 2.54 * 72 / _LINE_POINTS)
"""Rows of :data:`_LINE_POINTS` left free for the Pitch's chart: as many as its height takes
(8.5 cm is 241 points: 17 rows)."""

_DEFAULT_WIDTH = 8.43
"""A column's width where none is set, in characters."""

_BOLD_WIDTH = 0.9
"""The share of a column's characters a line of bold text holds."""

_TITLE_WIDTH = 1.7
"""How many default characters' width a character of the 16-point bold title takes."""

_TITLE_LINE_POINTS = 21
"""The height of a line of the 16-point title, in points."""

_LITERAL = re.compile(r'"((?:[^"]|"")*)"')

_CALCULATION_FORMULAS = {
    item.name: f"{item.formula} {item.native or ''}"
    for item in CALCULATIONS
    if isinstance(item, CalcRow)
}
"""Each Calculations row's formulas, both flavours'."""


def _texts_shown(formula: str, value: Any) -> list[str]:
    """The texts a Pitch figure can show: its value, the texts its formula can give and those
    of the Calculations rows it can give (either flavour's formula), and for a formula that
    joins texts with ``&`` all of its texts joined. Texts and names compared (``x="a"``) or
    tested (``ISNUMBER(x)``) are not shown; nor are error texts (``#NUM! …``), which the
    Pitch says in words its formula holds.

    Examples
    --------
    >>> _texts_shown('IF(x="no", "never", IF(ISNUMBER(y), y, "not computed"))', 3.0)
    ['never', 'not computed']
    """
    texts = _given(formula)
    for name in re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", _LITERAL.sub('""', formula)):
        if name in _CALCULATION_FORMULAS and name in _given(formula, names=True):
            texts += _given(_CALCULATION_FORMULAS[name])
    if "&" in _LITERAL.sub("", formula):
        texts.append("".join(_LITERAL.findall(formula)) + "99,999" * formula.count("TEXT("))
    if isinstance(value, str):
        texts.append(value)
    return texts


_TESTED = re.compile(r"(?:[=<>]\s*$)|(?:(?:ISNUMBER|ISTEXT|ISBLANK|LEFT|LEN)\(\s*$)")


def _given(formula: str, *, names: bool = False) -> list[str]:
    """The texts (or, with ``names``, the names) ``formula`` can give as its result: those
    neither compared nor tested, error texts aside."""
    pattern = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*(?!\()") if names else _LITERAL
    found = []
    for match in pattern.finditer(formula):
        before, after = formula[: match.start()], formula[match.end() :].lstrip()
        if names and _LITERAL.sub('""', before).count('"') % 2:
            continue  # inside a text
        if _TESTED.search(before) or after[:1] in ("=", "<", ">"):
            continue
        text = match.group(0) if names else match.group(1).replace('""', '"')
        if not text.startswith("#"):
            found.append(text)
    return found


def _longest_recommendation(case: Case, currency: str) -> str:
    """The longest recommendation the workbook's formula can give for this case's slices,
    whatever figures are typed in: every sentence it can add, with amounts of nine digits, and
    every slice named as failing.

    Examples
    --------
    >>> from xl_roi import example_case
    >>> len(_longest_recommendation(example_case(), "USD")) > 300
    True
    """
    from xl_roi.recommendation import recommendation_from_figures, worse_answers_sentence

    big = 999_999_999.0
    names = [item.name for item in case.quality_slices]
    # payback 9.9 months within 12; after maintenance beyond it; a first year at a loss
    figures = (9.9 * big / 100, big / 100, 2.4 * big / 100, 12.0, 2.0, 1.0, 99_999.9)
    return max(
        (
            recommendation_from_figures(*figures, currency=currency),
            recommendation_from_figures(*figures, failing_critical_slices=names, currency=currency),
            recommendation_from_figures(big, 1.0, big, 12.0, 1.0, 2.0, 0.0, currency=currency),
            recommendation_from_figures(big, big, big * 13, 12.0, 2.0, 1.0, 0.0, currency=currency),
            worse_answers_sentence(big, big, "defensible", currency, names),
        ),
        key=len,
    )


def _wrapped_lines(text: str, width: float) -> int:
    """The lines a wrapped text takes in a column ``width`` characters wide (two of them the
    cell's margins).

    Examples
    --------
    >>> _wrapped_lines("Worse answers cost more than the compute saved", 34)
    2
    """
    return max(1, len(textwrap.wrap(text, int(width - 2))))


def _checks(writer: _Writer, sheet: Worksheet, values: dict[str, Any]) -> None:
    flavour = "portable flavour" if writer.portable else "add-in flavour"
    _title(
        sheet,
        "Checks",
        "Each check is TRUE when it holds; the master check is TRUE when all do. "
        f"This is the {flavour}.",
    )
    _header(sheet, 4, ("Check", "Holds", "If it does not"))
    sheet["B4"].alignment = CENTERED_HEADER
    first = 5
    holds = []
    for offset, (label, check, advice) in enumerate(CHECKS):
        r = first + offset
        if writer.portable and offset == 0:  # nothing to load: the same test, its own words
            label, advice = rows.PORTABLE_FIRST_CHECK
        sheet.cell(row=r, column=1, value=label).alignment = WRAP
        worked = rows.check_cell(check, values)
        holds.append(worked.value is True)
        held = writer.formula(sheet, f"B{r}", worked.text, worked.value, layout.TRUE_FALSE)
        held.fill, held.alignment = CHECK_FILL, CENTERED  # apart from the advice beside it
        writer.formula(
            sheet,
            f"C{r}",
            f'IF(B{r}, "OK", "{advice}")',
            "OK" if worked.value is True else advice,
            layout.PLAIN,
        )
    last = first + len(CHECKS) - 1
    master = last + 2
    sheet.cell(row=master, column=1, value="MASTER CHECK").font = Font(bold=True, size=12)
    passed = all(holds)
    cell = writer.formula(sheet, f"B{master}", f"AND(B{first}:B{last})", passed, layout.TRUE_FALSE)
    cell.font, cell.alignment = Font(bold=True, size=12), CENTERED
    writer.name("master_check", sheet, cell.coordinate)
    writer.formula(
        sheet,
        f"C{master}",
        f'IF(B{master}, "All checks pass", "A check fails: see the rows marked FALSE")',
        "All checks pass" if passed else "A check fails: see the rows marked FALSE",
        layout.PLAIN,
    )
    business = master + 2
    sheet.cell(
        row=business, column=1, value="Business check (not part of the master check)"
    ).font = SECTION_FONT
    label, formula = rows.BUSINESS_CHECK
    sheet.cell(row=business + 1, column=1, value=label)
    writer.formula(
        sheet,
        f"B{business + 1}",
        formula,
        writer.blueprint.value_of("Quality", _quality_cell(writer, "critical_failures")) == 0,
        layout.TRUE_FALSE,
    ).alignment = CENTERED
    _widths(sheet, {"A": 60, "B": 10, "C": 80})


def _quality_cell(writer: _Writer, name: str) -> str:
    return writer.blueprint.names[name].split("!")[1].replace("$", "")


def _conf(sheet: Worksheet) -> None:
    sheet["A1"] = "UDF Modules"
    sheet["B1"] = "xl_roi_udfs"
    _widths(sheet, {"A": 16, "B": 20})


def build_workbook(
    case: Case,
    swing: float = 0.5,
    *,
    portable: bool = False,
    named_prices: dict[str, ModelPrices] | None = None,
    gpu_source: str | None = None,
    notes: Mapping[str, str] | None = None,
) -> tuple[Workbook, Blueprint]:
    """Lay out the template for a case; return it with its blueprint.

    Parameters
    ----------
    case : Case
        The inputs to fill in.
    swing : float, default 0.5
        The Sensitivity sheet's swing.
    portable : bool, default False
        The portable flavour: every calculation in native spreadsheet functions, no add-in.
    named_prices : dict, optional
        ``"teacher"``/``"student"`` → the :class:`~xl_roi.prices.ModelPrices` a case file's
        ``model = "…"`` resolved to (:func:`xl_roi.casefile.named_model_prices`): the Source
        cell beside each of those token prices names the price table, its version and date.
        They must be the case's prices.
    gpu_source : str, optional
        Where the case's ``gpu_hourly_cost`` came from when a case file named its GPU
        (``[student] gpu``): written in the Source cell beside it, with the prices' date.
    notes : mapping, optional
        Case field → where the case says that input comes from (a case file's comment beside
        it, :func:`xl_roi.casefile.input_notes`; a filled-in workbook's own Source cell):
        written in the Source cell beside the input, in place of the template's note.

    Examples
    --------
    >>> from xl_roi import example_case
    >>> workbook, blueprint = build_workbook(example_case())
    >>> workbook.sheetnames[:3], blueprint.inputs["monthly_calls"]
    (['About', 'Inputs', 'Calculations'], ('Inputs', 'B9'))
    >>> blueprint.formulas[("Calculations", "B38")]
    ('=NET_BENEFIT(savings_monthly, maintenance)', 102720.0)
    """
    return _build(
        case,
        swing,
        styled=True,
        portable=portable,
        named_prices=named_prices,
        gpu_source=gpu_source,
        notes=notes,
    )


def blueprint_of(case: Case, swing: float = 0.5, *, portable: bool = False) -> Blueprint:
    """What :func:`build_workbook` would lay out for a case — formulas, their values, names,
    inputs — without building the workbook itself (no cells, styles, validation or charts).

    Examples
    --------
    >>> from xl_roi import example_case
    >>> blueprint_of(example_case()).formulas == build_workbook(example_case())[1].formulas
    True
    """
    return _build(case, swing, styled=False, portable=portable)[1]


def _build(
    case: Case,
    swing: float,
    *,
    styled: bool,
    portable: bool = False,
    named_prices: dict[str, ModelPrices] | None = None,
    gpu_source: str | None = None,
    notes: Mapping[str, str] | None = None,
) -> tuple[Workbook, Blueprint]:
    values = layout.mirror_values(case, swing)  # refuses an impossible case first
    if styled:
        workbook = Workbook()
        workbook.remove(workbook.active)
        sheets = {title: workbook.create_sheet(title) for title in SHEETS}
    else:
        workbook = _PlaceWorkbook(SHEETS)
        sheets = workbook.sheets
    writer = _Writer(workbook, styled=styled, portable=portable)
    _about(writer, sheets["About"], case)
    _inputs(writer, sheets["Inputs"], case, values)
    for row in layout.INPUT_ROWS.values():  # where the case says each input comes from
        if notes and row.field is not None and row.field in notes:
            _source_note(writer, sheets["Inputs"], row.name, notes[row.field])
    if named_prices:
        _named_prices(writer, sheets["Inputs"], values, named_prices)
    if gpu_source:
        _source_note(writer, sheets["Inputs"], "gpu_hourly_cost", gpu_source)
    _calculations(writer, sheets["Calculations"], values)
    schedule_first = _cash_flow(writer, sheets["Cash flow"], values)
    _quality(writer, sheets["Quality"], case, values)
    values["slices_passing"] = writer.blueprint.value_of(
        "Quality", _quality_cell(writer, "slices_passing")
    )
    values["slices_total"] = writer.blueprint.value_of(
        "Quality", _quality_cell(writer, "slices_total")
    )
    _sensitivity(writer, sheets["Sensitivity"], values, case)
    _pitch(writer, sheets["Pitch"], values, case, schedule_first)
    _checks(writer, sheets["Checks"], values)
    _conf(sheets["xlwings.conf"])
    if portable and styled:  # nothing to configure without the add-in: neither shown nor printed
        sheets["xlwings.conf"].sheet_state = "hidden"
    for title in SHEETS[:-1]:  # every sheet but xlwings.conf
        sheet = sheets[title]
        sheet.protection.sheet = True
        sheet.protection.formatColumns = False
        sheet.protection.formatRows = False
        if title not in ("Pitch", "Cash flow"):  # portrait pages of their own
            sheet.page_setup.orientation = "landscape"
            sheet.page_setup.fitToWidth = 1
            sheet.page_setup.fitToHeight = 0
            sheet.sheet_properties.pageSetUpPr.fitToPage = True
    workbook.active = 1
    workbook.properties.creator = f"xl_roi {__version__}"
    workbook.properties.title = case.name
    return workbook, blueprint_checked(writer.blueprint, values)


def blueprint_checked(blueprint: Blueprint, values: dict[str, Any]) -> Blueprint:
    """Every named calculation's stored value is the mirror's: a guard against layout slips."""
    for name, target in blueprint.names.items():
        sheet, reference = target.split("!")
        key = (sheet.strip("'"), reference.replace("$", ""))
        if key in blueprint.formulas and name in values:
            stored = blueprint.formulas[key][1]
            if stored != values[name] and not (
                isinstance(stored, float)
                and isinstance(values[name], float)
                and math.isclose(stored, values[name], rel_tol=1e-12)
            ):
                raise AssertionError(f"{name}: stored {stored!r}, mirror {values[name]!r}")
    return blueprint


_FORMULA_CELL = re.compile(
    r'<c r="(?P<ref>[A-Z]+\d+)"(?P<attrs>[^>]*)>(?P<f><f[^>]*>.*?</f>|<f[^>]*/>)'
    r"(?:<v\s*/>|<v>\s*</v>)",  # openpyxl's own writer gives <v/>; with lxml, <v></v>
    re.DOTALL,
)


def escape_xml(text: str) -> str:
    """Text as XML character data (``xml.sax.saxutils.escape``, without the imports it brings:
    urllib, http and ssl, a tenth of ``xl-roi check``'s start-up).

    Examples
    --------
    >>> escape_xml("R&D <2026>")
    'R&amp;D &lt;2026&gt;'
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cached(value: Any) -> tuple[str, str]:
    """The ``t`` attribute and ``<v>`` text Excel stores for a formula's result."""
    if isinstance(value, bool):
        return ' t="b"', "1" if value else "0"
    if isinstance(value, str):
        return ' t="str"', escape_xml(value)
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"cannot store {number} as a cell result")
    return "", repr(number)


def _fill_results(path: Path, sheets: list[str], blueprint: Blueprint) -> None:
    """Write each formula cell's result into the saved file's sheet XML."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info.filename) for info in source.infolist()}
        infos = source.infolist()
    for index, title in enumerate(sheets, start=1):
        part = f"xl/worksheets/sheet{index}.xml"
        xml = parts[part].decode("utf-8")
        filled: set[str] = set()

        def fill(match: re.Match[str], title: str = title, filled: set[str] = filled) -> str:
            key = (title, match["ref"])
            if key not in blueprint.formulas:
                return match[0]
            kind, text = _cached(blueprint.formulas[key][1])
            filled.add(match["ref"])
            return f'<c r="{match["ref"]}"{match["attrs"]}{kind}>{match["f"]}<v>{text}</v>'

        xml = _FORMULA_CELL.sub(fill, xml)
        expected = {ref for (sheet, ref) in blueprint.formulas if sheet == title}
        if filled != expected:
            missing = sorted(expected - filled)[:5]
            raise AssertionError(f"{title}: no stored result written for {missing}")
        parts[part] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in infos:
            target.writestr(info, parts[info.filename])


def save_workbook(
    case: Case,
    path: str | Path,
    *,
    force: bool = False,
    swing: float = 0.5,
    portable: bool = False,
    named_prices: dict[str, ModelPrices] | None = None,
    gpu_source: str | None = None,
    notes: Mapping[str, str] | None = None,
) -> Blueprint:
    """Build the workbook for a case and write it, with every formula's result stored.

    Written atomically (a temporary file beside the target, then renamed); an existing file is
    replaced only with ``force``. ``named_prices``, ``gpu_source``, ``notes``: as
    :func:`build_workbook`.

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> from xl_roi import example_case
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "case.xlsx"
    >>> _ = save_workbook(example_case(), target)
    >>> stored = openpyxl.load_workbook(target, data_only=True)["Calculations"]
    >>> stored["B35"].value, stored["B38"].value
    (10560.0, 102720.0)
    """
    workbook, blueprint = build_workbook(
        case,
        swing,
        portable=portable,
        named_prices=named_prices,
        gpu_source=gpu_source,
        notes=notes,
    )

    def write(temporary: Path) -> None:
        workbook.save(temporary)
        _fill_results(temporary, workbook.sheetnames, blueprint)

    write_atomic(path, write, force=force)
    return blueprint
