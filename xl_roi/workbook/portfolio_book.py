"""Write a screened portfolio as a workbook: a summary with a chart, and the ranked table.

Written in openpyxl's write-only mode, row by row, so a table of a million endpoints streams to
disk instead of sitting in memory as cell objects. Excel holds 1,048,576 rows a sheet: a longer
table is cut there, and the Summary says how many rows were left out (``--json`` has them all).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.chart import Reference, ScatterChart, Series
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.series import SeriesLabel, StrRef
from openpyxl.styles import Alignment, Font, PatternFill

from xl_roi.files import write_atomic
from xl_roi.portfolio import WORTH_DOING, PortfolioSummary, summarise
from xl_roi.text import NEVER, figure_cell, looks_like_formula, printable
from xl_roi.verdict import VERDICTS
from xl_roi.workbook.layout import PORTFOLIO_TITLE

__all__ = ["EXCEL_MAX_ROWS", "HEADERS", "PRINTED", "header_of", "sheet_order", "write_portfolio"]

EXCEL_MAX_ROWS = 1_048_576
CHART_POINTS = 2_000
"""The chart plots the best-ranked endpoints up to this many (a million points help no one)."""
LABELLED_POINTS = 12
"""Up to this many endpoints, each chart point carries its endpoint's name where every name
stands apart (:func:`point_labels`); more names would pile up over each other (the best
endpoints sit together at short payback and high volume), so a larger portfolio's chart, or
one whose names would cover each other, points the reader to the ranked Endpoints sheet."""
RANKED_POINTS = 40
"""Past :data:`LABELLED_POINTS`, up to this many points carry their rank (short labels), so
that a reader finds each on the Endpoints sheet; points closer together than a label's
height share one label listing their ranks ("1, 2, 4")."""
CHART_MAX_PAYBACK_MONTHS = 36
"""The chart's payback axis stops here: a 5,000-month payback would flatten every other point."""
STYLED_ROWS = 100_000
"""Rows past this are written without number formats, which costs a cell object each."""
BLOCK_ROWS = 50_000
"""Rows whose cell values are worked out at a time, column by column."""

HEADERS = {
    "rank": "Rank",
    "name": "Endpoint",
    "verdict": "Verdict",
    "payback_months": "Payback (months)",
    "payback_after_maintenance_months": "Payback after maintenance (months)",
    "annual_net_benefit": "Annual net benefit, after maintenance ({currency})",
    "monthly_savings": "Monthly savings, before maintenance ({currency})",
    "annual_savings": "Annual savings, before maintenance ({currency})",
    "savings_share": "Share of spend saved",
    "breakeven_monthly_calls": "Break-even volume (calls a month)",
    "npv": "NPV over the horizon ({currency})",
    "discounted_payback_months": "Discounted payback (months)",
    "quality_cost_monthly": "Cost of worse answers a month ({currency})",
    "quality_adjusted_annual_net_benefit": "Annual net benefit counting worse answers ({currency})",
    "quality_adjusted_verdict": "Verdict counting worse answers",
    "monthly_calls": "Monthly calls",
    "teacher_cost_per_1k": "Teacher cost per 1,000 calls ({currency})",
    "student_cost_per_1k": "Student cost per 1,000 calls ({currency})",
    "upfront_cost": "Upfront cost ({currency})",
    "annual_maintenance": "Annual maintenance ({currency})",
    "monthly_growth": "Monthly growth",
    "error": "Why refused",
}
"""The Endpoints sheet's header for each result column (``{currency}`` filled in); a column
not listed gets its name in words."""

_WHOLE = "#,##0"
_PERCENT = "0.0%"
_FORMATS = {
    "rank": "0_0",  # a digit's space after the rank, so that it does not touch the name
    "payback_months": "0.0",
    "payback_after_maintenance_months": "0.0",
    "annual_net_benefit": "money",
    "monthly_savings": "money",
    "annual_savings": "money",
    "savings_share": _PERCENT,
    "breakeven_monthly_calls": _WHOLE,
    "npv": "money",
    "discounted_payback_months": "0.0",
    "quality_cost_monthly": "money",
    "quality_adjusted_annual_net_benefit": "money",
    "monthly_calls": _WHOLE,
    "teacher_cost_per_1k": "money per 1k",
    "student_cost_per_1k": "money per 1k",
    "upfront_cost": "money",
    "annual_maintenance": "money",
    "monthly_growth": _PERCENT,
}
_WIDTHS = {
    "rank": 5,
    "name": 22,
    "verdict": 12,
    "quality_adjusted_verdict": 12,
    "payback_months": 9,
    "payback_after_maintenance_months": 12,  # "maintenance" whole on a line of its own
    "discounted_payback_months": 11,
    "breakeven_monthly_calls": 11,
    "error": 20,
}
_MONEY_WIDTH = 12  # "(999,999,999)" and "1,000,000,000" fit
_WIDTH = 12

PRINTED = (
    "rank",
    "name",
    "verdict",
    "quality_adjusted_verdict",
    "payback_months",
    "payback_after_maintenance_months",
    "discounted_payback_months",
    "annual_net_benefit",
    "quality_adjusted_annual_net_benefit",
    "npv",
    "annual_savings",
    "breakeven_monthly_calls",
    "error",
)
"""The Endpoints sheet's first columns, the printed ones: the decision and why. The rest (the
monthly figures, the share saved, the cost of worse answers, each endpoint's inputs and any
column of the input file) follow on the sheet, off the printed page."""
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F3864")
_HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
_TITLE_FONT = Font(bold=True, size=16, color="1F3864")
_RIGHT = Alignment(horizontal="right", vertical="top")
_TOP = Alignment(vertical="top")  # a row as tall as a wrapped name reads from its top
_WRAP = Alignment(wrap_text=True, vertical="top")
_LEFT = Alignment(horizontal="left", vertical="top")
_TEXT_COLUMNS = ("verdict", "quality_adjusted_verdict")
_WRAPPED = ("name", "error")
_NAVY = "1F3864"


def _money_formats(currency: str) -> dict[str, str]:
    """Number formats that show the currency: whole amounts, and costs per 1,000 calls."""
    code = currency.replace('"', "")
    return {
        "money": f'"{code} "#,##0;[Red]("{code} "#,##0)',
        "money per 1k": f'"{code} "#,##0.0000',
    }


_TABLE_MONEY_FORMATS = {"money": "#,##0;[Red](#,##0)", "money per 1k": "#,##0.0000"}
"""The Endpoints table's money: amounts alone, as a finance table has them, the currency in
each column's header (a code in every cell took a fifth of the printed width)."""


def sheet_order(columns: Iterable[str], printed: Iterable[str] = PRINTED) -> list[str]:
    """The Endpoints sheet's column order: the printed decision columns (``printed``, by
    default :data:`PRINTED`) first, then the rest as the table has them.

    Examples
    --------
    >>> sheet_order(["rank", "monthly_calls", "error", "name"])
    ['rank', 'name', 'error', 'monthly_calls']
    """
    given = list(columns)
    first = [name for name in printed if name in given]
    return first + [name for name in given if name not in first]


def printed_columns(table: pd.DataFrame) -> list[str]:
    """The Endpoints sheet's printed columns: :data:`PRINTED` as the table has them, less
    those that would print nothing the page does not show already — discounted payback where
    it equals payback after maintenance on every row (nothing discounted: it repeats it), the
    verdict and net benefit counting worse answers where no endpoint has them, and the reason
    for refusing where none was refused. Each stays on the sheet, after the printed columns.

    Examples
    --------
    >>> table = pd.DataFrame({"rank": [1], "name": ["chat"], "verdict": ["strong"],
    ...     "payback_after_maintenance_months": [2.5], "discounted_payback_months": [2.5],
    ...     "quality_adjusted_annual_net_benefit": [float("nan")],
    ...     "quality_adjusted_verdict": [None], "error": [None]})
    >>> printed_columns(table)      # no discount, no cost of worse answers, none refused
    ['rank', 'name', 'verdict', 'payback_after_maintenance_months']
    """
    given = set(table.columns)
    left_out: set[str] = set()
    pair = ("discounted_payback_months", "payback_after_maintenance_months")
    if set(pair) <= given:
        discounted, after = (table[name].to_numpy(dtype=float) for name in pair)
        with np.errstate(invalid="ignore"):
            same = (discounted == after) | (np.isnan(discounted) & np.isnan(after))
            same |= np.isclose(discounted, after, rtol=1e-12, atol=0.0)
        if same.all():
            left_out.add(pair[0])
    adjusted = "quality_adjusted_annual_net_benefit"
    if adjusted in given and table[adjusted].isna().all():
        left_out |= {adjusted, "quality_adjusted_verdict"}
    if "error" in given and table["error"].isna().all():
        left_out.add("error")  # nothing refused
    return [name for name in PRINTED if name in given and name not in left_out]


def header_of(column: str, currency: str) -> str:
    """The Endpoints sheet's header for a result column.

    Examples
    --------
    >>> header_of("annual_net_benefit", "EUR")
    'Annual net benefit, after maintenance (EUR)'
    >>> header_of("owner_team", "EUR")    # a column not listed: its name in words
    'Owner team'
    """
    label = HEADERS.get(column, column.replace("_", " ").capitalize())
    return label.format(currency=currency)


def _cell_value(sheet: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float):
        return figure_cell(value, blank=None)
    if isinstance(value, str):
        value = printable(value)  # an xlsx cell cannot hold control characters
    if isinstance(value, str) and looks_like_formula(value):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text, never a formula
        cell.quotePrefix = True
        return cell
    return value


def _rows(sheet: Any, table: pd.DataFrame, shown: int) -> Iterator[tuple[Any, ...]]:
    """The first ``shown`` rows' cell values, worked out a block of rows at a time, column by
    column (memory stays that of one block)."""
    for start in range(0, shown, BLOCK_ROWS):
        block = table.iloc[start : min(shown, start + BLOCK_ROWS)]
        columns = (_column_cells(sheet, block.iloc[:, index]) for index in range(block.shape[1]))
        yield from zip(*columns, strict=True)


def _column_cells(sheet: Any, column: pd.Series) -> list[Any]:
    """A column's cell values, worked out for the whole column at once: numbers as they are,
    NaN blank, an infinity "never"; text through :func:`_cell_value` (made printable, never a
    formula)."""
    values = column.to_numpy()
    if values.dtype.kind == "f":
        cells = values.astype(object)
        cells[np.isnan(values)] = None
        cells[np.isinf(values)] = NEVER
        return list(cells)
    if values.dtype.kind in "iub":
        return list(values.tolist())
    return [_cell_value(sheet, value) for value in values]


def write_portfolio(
    table: pd.DataFrame,
    path: str | Path,
    *,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
    currency: str = "USD",
    notes: Sequence[str] = (),
) -> Path:
    """Write a screened, ranked table to ``path`` atomically.

    Parameters
    ----------
    table : pandas.DataFrame
        What :func:`~xl_roi.portfolio.screen` returns.
    path : str or Path
        The workbook to write; an existing one is replaced only with ``force``.
    progress : callable, optional
        Called with the number of rows written, every 100,000.
    currency : str
        The money figures' currency, shown in headers and number formats (a case file's
        default, USD, unless given).
    notes : sequence of str
        Said on the Summary sheet, under the figures (columns the screen did not read, …).

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> from xl_roi.portfolio import screen
    >>> table = screen(pd.DataFrame({"monthly_calls": [2e6], "teacher_cost_per_1k": [12.0],
    ...     "student_cost_per_1k": [1.5], "upfront_cost": [52_500], "annual_maintenance": [0]}))
    >>> path = write_portfolio(table, pathlib.Path(tempfile.mkdtemp()) / "portfolio.xlsx")
    >>> openpyxl.load_workbook(path).sheetnames
    ['Summary', 'Endpoints']
    """
    summary = summarise(table)
    printed_names = printed_columns(table)
    printed = len(printed_names)
    table = table[sheet_order(table.columns, printed_names)]
    shown = min(len(table), EXCEL_MAX_ROWS - 1)
    formats = {
        name: _TABLE_MONEY_FORMATS.get(number_format, number_format)
        for name, number_format in _FORMATS.items()
    }
    currency_text = printable(currency)

    def write(temporary: Path) -> None:
        workbook = Workbook(write_only=True)
        overview = workbook.create_sheet("Summary")
        endpoints = workbook.create_sheet("Endpoints")
        rows = _summary_rows(summary, table, shown, _money_formats(currency)["money"])
        summary_rows = _write_summary(overview, rows, currency_text, notes)
        _set_up_endpoints(endpoints, list(table.columns), printed, shown, currency_text)
        _write_endpoints(endpoints, table, shown, formats, progress)
        points = min(shown, summary.screened, CHART_POINTS)  # refused rows come last
        if points:
            chart = _chart(endpoints, table, list(table.columns), points)
            overview.add_chart(chart, f"A{summary_rows + 2}")
        workbook.save(temporary)

    return write_atomic(path, write, force=force)


def _styled(
    sheet: Any,
    value: Any,
    font: Font | None = None,
    number_format: str | None = None,
    fill: PatternFill | None = None,
    alignment: Alignment | None = None,
) -> WriteOnlyCell:
    """A write-only cell holding ``value``, with whichever of the styles are given."""
    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if number_format is not None:
        cell.number_format = number_format
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    return cell


def _summary_rows(
    summary: PortfolioSummary, table: pd.DataFrame, shown: int, money: str
) -> list[tuple[str, Any, str | None]]:
    """The Summary sheet's figures, each with its label and number format.

    Parameters
    ----------
    summary : PortfolioSummary
        The table added up (:func:`~xl_roi.portfolio.summarise`).
    table : pandas.DataFrame
        The screened table; its verdicts counting worse answers add rows of their own.
    shown : int
        How many of its rows the Endpoints sheet holds (fewer: a row says how many are left out).
    money : str
        The number format of a money figure.
    """
    rows: list[tuple[str, Any, str | None]] = [
        ("Endpoints in the file", summary.endpoints, _WHOLE),
        ("Screened (given a verdict)", summary.screened, _WHOLE),
        ("Refused (the Endpoints sheet says why)", summary.refused, _WHOLE),
    ]
    rows += [(f"Verdict: {label}", summary.by_verdict[label], _WHOLE) for label in VERDICTS]
    worth = " or ".join(WORTH_DOING)
    rows += [
        (f"Worth doing on compute alone ({worth})", summary.worth_doing, _WHOLE),
        (
            "Annual net benefit of those worth doing, after maintenance",
            summary.annual_net_benefit_worth_doing,
            money,
        ),
        (
            "Annual savings of those worth doing, before maintenance",
            summary.annual_savings_worth_doing,
            money,
        ),
        ("Upfront cost of those worth doing (the ask)", summary.upfront_worth_doing, money),
    ]
    if _costs_worse_answers(table):
        rows += [
            (
                "Worth doing counting worse answers too",
                summary.worth_doing_counting_quality,
                _WHOLE,
            ),
            (
                "Of those worth doing on compute, not once worse answers count",
                summary.worth_doing_not_once_counted,
                _WHOLE,
            ),
            (
                "Of those counted, worse answers not costed (kept on compute)",
                summary.worth_doing_not_costed,
                _WHOLE,
            ),
            (
                "Annual net benefit of those, counting worse answers",
                summary.annual_net_benefit_worth_doing_counting_quality,
                money,
            ),
            (
                "Upfront cost of those (the ask, counting worse answers)",
                summary.upfront_worth_doing_counting_quality,
                money,
            ),
        ]
    if shown < len(table):
        rows.append(
            (
                "Rows left out of the Endpoints sheet (Excel's row limit)",
                len(table) - shown,
                _WHOLE,
            )
        )
    return rows


def _write_summary(
    overview: Any,
    rows: list[tuple[str, Any, str | None]],
    currency_text: str,
    notes: Sequence[str],
) -> int:
    """Write the Summary sheet's page set-up, title, figures and notes; return the rows
    written (the chart goes below them)."""
    overview.page_setup.orientation = "landscape"
    overview.page_setup.fitToWidth = 1
    overview.page_setup.fitToHeight = 1
    overview.sheet_properties.pageSetUpPr.fitToPage = True
    overview.column_dimensions["A"].width = 64
    overview.column_dimensions["B"].width = 18
    overview.append([_styled(overview, PORTFOLIO_TITLE, _TITLE_FONT)])
    overview.append(
        [
            "Figures are ILLUSTRATIVE unless your input file says otherwise; "
            "ranked by verdict, then annual net benefit."
        ]
    )
    overview.append([f"Money in {currency_text}."])
    for label, value, number_format in rows:
        overview.append([label, _styled(overview, value, number_format=number_format)])
    summary_rows = 4 + len(rows)
    if notes:
        overview.append([])
        summary_rows += 1
        for note in notes:  # in lines the page holds: a long line would shrink the page
            for line in textwrap.wrap(f"Note: {printable(note)}", 100):
                overview.append([line])
                summary_rows += 1
    return summary_rows


def _set_up_endpoints(
    endpoints: Any, columns: list[str], printed: int, shown: int, currency_text: str
) -> None:
    """The Endpoints sheet's panes, page set-up, column widths, filter, print area (its first
    ``printed`` columns) and header row, before its ``shown`` rows are written."""
    endpoints.freeze_panes = "C2"
    endpoints.print_title_rows = "1:1"  # the header on every printed page
    endpoints.page_setup.orientation = "landscape"
    endpoints.page_setup.fitToWidth = 1
    endpoints.page_setup.fitToHeight = 0  # as many pages down as it takes
    endpoints.sheet_properties.pageSetUpPr.fitToPage = True
    for index, name in enumerate(columns):
        endpoints.column_dimensions[_letter(index)].width = _width_of(name)
    endpoints.auto_filter.ref = f"A1:{_letter(len(columns) - 1)}{shown + 1}"
    endpoints.print_area = f"A1:{_letter(printed - 1)}{shown + 1}"  # the decision
    # as tall as the longest printed header wrapped in its column (bold: a letter less)
    header_lines = max(
        len(textwrap.wrap(header_of(name, currency_text), int(width - 1)))
        for name, width in zip(
            columns[:printed], (_width_of(name) for name in columns[:printed]), strict=True
        )
    )
    endpoints.row_dimensions[1].height = 15 * max(header_lines, 2)
    endpoints.append(
        [
            _styled(
                endpoints,
                header_of(name, currency_text),
                _HEADER_FONT,
                fill=_HEADER_FILL,
                alignment=_HEADER_ALIGNMENT,
            )
            for name in columns
        ]
    )


def _width_of(column: str) -> float:
    """An Endpoints column's width, in characters."""
    default = _MONEY_WIDTH if _FORMATS.get(column) == "money" else _WIDTH
    return _WIDTHS.get(column, default)


def _write_endpoints(
    endpoints: Any,
    table: pd.DataFrame,
    shown: int,
    formats: dict[str, str],
    progress: Callable[[int], None] | None,
) -> None:
    """Append the table's first ``shown`` rows under the header: the first
    :data:`STYLED_ROWS` styled and as tall as their longest name or reason, the rest bare."""
    columns = list(table.columns)
    wrapped = [(columns.index(name), _WIDTHS[name]) for name in _WRAPPED if name in columns]
    for cell_row, values in enumerate(_rows(endpoints, table, shown), start=1):
        if cell_row <= STYLED_ROWS:  # as tall as its longest name or reason
            lines = _wrapped_lines(values, wrapped)
            if lines > 1:
                endpoints.row_dimensions[cell_row + 1].height = 15 * lines
            endpoints.append(_styled_row(endpoints, columns, values, formats))
        else:
            endpoints.append(values)
        if progress is not None and cell_row % 100_000 == 0:
            progress(cell_row)


def _wrapped_lines(values: tuple[Any, ...], wrapped: list[tuple[int, int]]) -> int:
    """How many lines the row's longest wrapped text takes, each ``(index, width)`` of
    ``wrapped`` a wrapped column (1 where none is text)."""
    return max(
        (
            # wrapped at words and hyphens, as a spreadsheet wraps it; a width counts digits,
            # wider than most letters, so a column holds about as many letters as its width
            # (LibreOffice, in a font wider than Calibri, holds 22 in 22): counting a margin
            # of two characters gave many one-line names two lines (gaps under them)
            len(textwrap.wrap(values[index], int(width)))
            for index, width in wrapped
            if isinstance(values[index], str)
        ),
        default=1,
    )


def _styled_row(
    endpoints: Any, columns: list[str], values: tuple[Any, ...], formats: dict[str, str]
) -> list[Any]:
    """A row's cells styled: figures in their number format (a "never" right-aligned), names
    and reasons wrapped, verdicts left-aligned, everything else as it is."""
    return [
        _styled(
            endpoints,
            value,
            number_format=formats[name],
            alignment=_RIGHT if isinstance(value, str) else _TOP,  # "never"
        )
        if name in formats and not isinstance(value, Cell)
        else _styled(endpoints, value, alignment=_WRAP)
        if name in _WRAPPED and isinstance(value, str)
        else _styled(endpoints, value, alignment=_LEFT)
        if name in _TEXT_COLUMNS and isinstance(value, str)
        else value
        for name, value in zip(columns, values, strict=True)
    ]


def _costs_worse_answers(table: pd.DataFrame) -> bool:
    """Whether any endpoint has a verdict counting worse answers."""
    column = table.get("quality_adjusted_verdict")
    return column is not None and bool(column.notna().any())


CHART_CM = (20.0, 11.0)
"""The chart's width and height."""
PLOT_CM = (16.0, 6.0)
"""Its plot area, roughly: the chart less its title, axis titles and tick labels."""
LABEL_CHAR_CM = 0.22
"""A label character's width (10 points, 0.6 em, and a little more)."""
LABEL_LINE_CM = 0.45
"""A label's height."""
MARKER_CM = 0.25
"""A point's marker, and the gap between it and its label."""
SHARE_CM = 2 * LABEL_LINE_CM
"""A point whose own label would cover another joins the label of a point this near."""


@dataclass(frozen=True)
class PointLabel:
    """A chart label: the points it names (their rows on the chart, best first), its text when
    it names more than one point (``""``: the first point's own cell), and where it sits
    beside the first point (``"r"``, ``"l"``, ``"t"``, ``"b"``)."""

    rows: tuple[int, ...]
    text: str
    position: str


def _log_range(calls: Sequence[float]) -> tuple[float, float]:
    """The chart's volume axis: whole powers of ten around the volumes (log10)."""
    logs = [math.log10(value) for value in calls if math.isfinite(value) and value > 0]
    if not logs:
        return 0.0, 1.0
    low, high = math.floor(min(logs)), math.ceil(max(logs))
    return float(low), float(max(high, low + 1))


def _where(calls: float, payback: float, axis: tuple[float, float]) -> tuple[float, float] | None:
    """A point's place on the plot (cm from its bottom left); ``None`` off the chart."""
    if not (math.isfinite(calls) and calls > 0 and math.isfinite(payback)):
        return None
    if not 0 <= payback <= CHART_MAX_PAYBACK_MONTHS:
        return None
    low, high = axis
    return (
        (math.log10(calls) - low) / (high - low) * PLOT_CM[0],
        payback / CHART_MAX_PAYBACK_MONTHS * PLOT_CM[1],
    )


Box = tuple[float, float, float, float]


def _label_box(at: tuple[float, float], text: str, position: str) -> Box:
    """The box (left, bottom, right, top; cm) a label of ``text`` takes at ``position``."""
    x, y = at
    width, height, gap = len(text) * LABEL_CHAR_CM, LABEL_LINE_CM, MARKER_CM / 2 + 0.05
    if position == "r":
        return (x + gap, y - height / 2, x + gap + width, y + height / 2)
    if position == "l":
        return (x - gap - width, y - height / 2, x - gap, y + height / 2)
    if position == "t":
        return (x - width / 2, y + gap, x + width / 2, y + gap + height)
    return (x - width / 2, y - gap - height, x + width / 2, y - gap)


def _overlap(one: Box, other: Box) -> float:
    """The area two boxes share."""
    width = min(one[2], other[2]) - max(one[0], other[0])
    height = min(one[3], other[3]) - max(one[1], other[1])
    return max(width, 0.0) * max(height, 0.0)


def _covered(box: Box, obstacles: Sequence[Box]) -> float:
    """How much of other labels and points a label's box covers (cm²), and how far it
    strays off the plot (cm)."""
    outside = max(0.0, -box[0] - 0.5) + max(0.0, box[2] - PLOT_CM[0] - 1.0)
    outside += max(0.0, -box[1] - 0.3) + max(0.0, box[3] - PLOT_CM[1] - 0.3)
    return sum(_overlap(box, other) for other in obstacles) + outside


def point_labels(
    texts: Sequence[str], calls: Sequence[float], paybacks: Sequence[float]
) -> tuple[list[PointLabel], bool]:
    """Labels for the chart's points (best ranked first) that do not pile up.

    Best first, each point's label goes beside it (right, left, above or below) where it
    covers no label already placed and no other point. Where every side would, the point
    joins the label of the nearest point within :data:`SHARE_CM`, which then lists both
    texts ("1, 2"); with none that near, its label goes where it covers the least. Points off
    the chart (never paying back, or beyond its payback axis) get none.

    Returns
    -------
    labels : list of PointLabel
        The labels, one a group of points close together.
    apart : bool
        Whether each point has a label of its own that covers no other (else long names give
        way to ranks).

    Examples
    --------
    Five endpoints on one spot take its four sides, the fifth joining the first's label:

    >>> texts = ["1", "2", "3", "4", "5", "6"]
    >>> labels, apart = point_labels(texts, [2e6] * 5 + [4e4], [3.0] * 5 + [20.0])
    >>> [(label.rows, label.text or texts[label.rows[0]], label.position) for label in labels]
    [((0, 4), '1, 5', 'r'), ((1,), '2', 'l'), ((2,), '3', 't'), ((3,), '4', 'b'), ((5,), '6', 'r')]
    >>> apart
    False
    """
    axis = _log_range(calls)
    places = {
        row: at
        for row, at in enumerate(_where(c, p, axis) for c, p in zip(calls, paybacks, strict=True))
        if at is not None
    }
    half = MARKER_CM / 2
    markers = {row: (x - half, y - half, x + half, y + half) for row, (x, y) in places.items()}
    placed: list[Box] = []
    labels: list[PointLabel] = []
    covered = False
    for row, at in places.items():
        obstacles = [*placed, *(box for other, box in markers.items() if other != row)]
        costs = {
            side: _covered(_label_box(at, texts[row], side), obstacles)
            for side in ("r", "l", "t", "b")
        }
        position = min(costs, key=costs.__getitem__)
        near = [
            number
            for number, label in enumerate(labels)
            if math.dist(at, places[label.rows[0]]) < SHARE_CM
        ]
        if costs[position] > 0 and near:  # joins the nearest label: "1, 2"
            number = min(near, key=lambda n: math.dist(at, places[labels[n].rows[0]]))
            label = labels[number]
            rows = (*label.rows, row)
            text = ", ".join(texts[member] for member in rows)
            labels[number] = PointLabel(rows, text, label.position)
            placed[number] = _label_box(places[rows[0]], text, label.position)
            continue
        covered |= costs[position] > 0
        placed.append(_label_box(at, texts[row], position))
        labels.append(PointLabel((row,), "", position))
    shared = any(len(label.rows) > 1 for label in labels)
    return labels, not (shared or covered)


def _chart(endpoints: Any, table: pd.DataFrame, columns: list[str], points: int) -> ScatterChart:
    """Payback against volume for the best-ranked endpoints, each point labelled with its
    name (a few, set apart) or its rank, points close together sharing one label."""
    chart = ScatterChart()
    calls_of = [float(value) for value in table["monthly_calls"].iloc[:points]]
    payback_of = [_number(value) for value in table["payback_months"].iloc[:points]]
    labelled = min(points, RANKED_POINTS)
    named = False
    if points <= LABELLED_POINTS:
        names = [str(value) for value in table["name"].iloc[:points]]
        labels, named = point_labels(names, calls_of, payback_of)
    if not named:
        ranks = [f"{int(value)}" for value in table["rank"].iloc[:labelled]]
        labels, _ = point_labels(ranks, calls_of[:labelled], payback_of[:labelled])
    if named:
        chart.title = "Payback against monthly volume"
    else:
        if labelled == points:
            chart.title = "Payback against monthly volume (each point its rank on Endpoints)"
        else:
            chart.title = (
                f"Payback against monthly volume (best {points:,} endpoints; the first "
                f"{labelled:,} labelled with their rank on Endpoints)"
            )
    chart.style = 13
    chart.x_axis.title = "Monthly calls (log scale)"
    chart.y_axis.title = f"Payback (months; beyond {CHART_MAX_PAYBACK_MONTHS} off the chart)"
    chart.x_axis.scaling.logBase = 10
    low, high = _log_range(calls_of)
    chart.x_axis.scaling.min = 10**low
    chart.x_axis.scaling.max = 10**high
    chart.x_axis.number_format = "#,##0"
    chart.y_axis.number_format = "0"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = CHART_MAX_PAYBACK_MONTHS
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    calls = columns.index("monthly_calls") + 1
    payback = columns.index("payback_months") + 1
    label_column = columns.index("name" if named else "rank") + 1

    def series(first: int, last: int) -> Series:
        x = Reference(endpoints, min_col=calls, min_row=first, max_row=last)
        y = Reference(endpoints, min_col=payback, min_row=first, max_row=last)
        item = Series(y, x)
        item.marker.symbol = "circle"
        item.marker.size = 6
        item.marker.graphicalProperties.solidFill = _NAVY
        item.marker.graphicalProperties.line.solidFill = _NAVY
        item.graphicalProperties.line.noFill = True
        return item

    where = {label.rows[0]: label for label in labels}
    for index in range(labelled):
        row = index + 2
        item = series(row, row)  # one point a series, so that its label names the endpoint
        label = where.get(index)
        if label is not None and label.text:  # several points: their ranks, as words
            item.tx = SeriesLabel(v=label.text)
        else:
            item.tx = SeriesLabel(strRef=StrRef(f"'Endpoints'!${_letter(label_column - 1)}${row}"))
        if label is not None:
            item.dLbls = DataLabelList()
            item.dLbls.showSerName = True
            for flag in ("showVal", "showCatName", "showLegendKey", "showPercent"):
                setattr(item.dLbls, flag, False)
            item.dLbls.position = label.position
        chart.series.append(item)
    if points > labelled:
        chart.series.append(series(labelled + 2, points + 1))
    chart.legend = None
    chart.width, chart.height = CHART_CM
    return chart


def _number(value: Any) -> float:
    """A table value as a float (``nan`` where it is none)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))
