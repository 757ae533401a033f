"""Write a screened portfolio as a workbook: a summary with a chart, and the ranked table.

Written in openpyxl's write-only mode, row by row, so a table of a million endpoints streams to
disk instead of sitting in memory as cell objects. Excel holds 1,048,576 rows a sheet: a longer
table is cut there, and the Summary says how many rows were left out (``--json`` has them all).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.chart import Reference, ScatterChart, Series
from openpyxl.styles import Font, PatternFill

from xl_roi.files import write_atomic
from xl_roi.portfolio import RESULT_COLUMNS, WORTH_DOING, summarise
from xl_roi.text import looks_like_formula
from xl_roi.verdict import VERDICTS

__all__ = ["EXCEL_MAX_ROWS", "write_portfolio"]

EXCEL_MAX_ROWS = 1_048_576
CHART_POINTS = 2_000
"""The chart plots the best-ranked endpoints up to this many (a million points help no one)."""
STYLED_ROWS = 100_000
"""Rows past this are written without number formats, which costs a cell object each."""

_FORMATS = {
    "payback_months": "0.0",
    "payback_after_maintenance_months": "0.0",
    "annual_net_benefit": "#,##0;[Red]-#,##0",
    "monthly_savings": "#,##0;[Red]-#,##0",
    "annual_savings": "#,##0;[Red]-#,##0",
    "savings_share": "0.0%",
    "breakeven_monthly_calls": "#,##0",
    "monthly_calls": "#,##0",
    "teacher_cost_per_1k": "#,##0.0000",
    "student_cost_per_1k": "#,##0.0000",
    "upfront_cost": "#,##0",
    "annual_maintenance": "#,##0",
    "monthly_growth": "0.0%",
}
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F3864")
_TITLE_FONT = Font(bold=True, size=16, color="1F3864")


def _cell_value(sheet: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "never"
    if isinstance(value, str) and looks_like_formula(value):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text, never a formula
        cell.quotePrefix = True
        return cell
    return value


def write_portfolio(
    table: pd.DataFrame,
    path: str | Path,
    *,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
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
    shown = min(len(table), EXCEL_MAX_ROWS - 1)

    def write(temporary: Path) -> None:
        workbook = Workbook(write_only=True)
        overview = workbook.create_sheet("Summary")
        endpoints = workbook.create_sheet("Endpoints")

        def styled(
            sheet: Any, value: Any, font: Font | None = None, number_format: str | None = None
        ) -> WriteOnlyCell:
            cell = WriteOnlyCell(sheet, value=value)
            if font is not None:
                cell.font = font
            if number_format is not None:
                cell.number_format = number_format
            return cell

        overview.page_setup.orientation = "landscape"
        overview.page_setup.fitToWidth = 1
        overview.page_setup.fitToHeight = 1
        overview.sheet_properties.pageSetUpPr.fitToPage = True
        overview.column_dimensions["A"].width = 52
        overview.column_dimensions["B"].width = 18
        overview.append(
            [styled(overview, "Portfolio screen: which endpoints to distill", _TITLE_FONT)]
        )
        overview.append(
            [
                "Figures are ILLUSTRATIVE unless your input file says otherwise; "
                "ranked by verdict, then annual net benefit."
            ]
        )
        overview.append([])
        rows: list[tuple[str, Any, str | None]] = [
            ("Endpoints screened", summary.endpoints, "#,##0"),
            ("Refused (see the error column)", summary.refused, "#,##0"),
        ]
        rows += [(f"Verdict: {label}", summary.by_verdict[label], "#,##0") for label in VERDICTS]
        rows += [
            (f"Worth doing ({' or '.join(WORTH_DOING)})", summary.worth_doing, "#,##0"),
            ("Annual savings of those worth doing", summary.annual_savings_worth_doing, "#,##0"),
            (
                "Annual net benefit of those worth doing",
                summary.annual_net_benefit_worth_doing,
                "#,##0",
            ),
            ("Upfront cost of those worth doing (the ask)", summary.upfront_worth_doing, "#,##0"),
        ]
        if shown < len(table):
            rows.append(
                (
                    "Rows left out of the Endpoints sheet (Excel's row limit)",
                    len(table) - shown,
                    "#,##0",
                )
            )
        for label, value, number_format in rows:
            overview.append([label, styled(overview, value, number_format=number_format)])

        endpoints.freeze_panes = "C2"
        columns = list(RESULT_COLUMNS)
        for index, name in enumerate(columns):
            letter = _letter(index)
            endpoints.column_dimensions[letter].width = 34 if name in ("name", "error") else 15
        endpoints.auto_filter.ref = f"A1:{_letter(len(columns) - 1)}{shown + 1}"
        endpoints.append([styled(endpoints, name, _HEADER_FONT) for name in columns])
        for cell_row, record in enumerate(table.head(shown).itertuples(index=False), start=1):
            values = [_cell_value(endpoints, value) for value in record]
            if cell_row <= STYLED_ROWS:
                endpoints.append(
                    [
                        styled(endpoints, value, number_format=_FORMATS[name])
                        if name in _FORMATS and not isinstance(value, Cell)
                        else value
                        for name, value in zip(columns, values, strict=True)
                    ]
                )
            else:
                endpoints.append(values)
            if progress is not None and cell_row % 100_000 == 0:
                progress(cell_row)

        points = min(shown, CHART_POINTS)
        if points:
            chart = ScatterChart()
            chart.title = f"Payback against monthly volume (best {points:,} endpoints)"
            chart.style = 13
            chart.x_axis.title = "Monthly calls (log scale)"
            chart.y_axis.title = "Payback (months)"
            chart.x_axis.scaling.logBase = 10
            x = Reference(
                endpoints, min_col=columns.index("monthly_calls") + 1, min_row=2, max_row=points + 1
            )
            y = Reference(
                endpoints,
                min_col=columns.index("payback_months") + 1,
                min_row=2,
                max_row=points + 1,
            )
            series = Series(y, x, title="Endpoints")
            series.marker.symbol = "circle"
            series.marker.size = 6
            series.marker.graphicalProperties.solidFill = "1F3864"
            series.marker.graphicalProperties.line.solidFill = "1F3864"
            series.graphicalProperties.line.noFill = True
            chart.series.append(series)
            chart.legend = None
            chart.height, chart.width = 10, 18
            overview.add_chart(chart, "D2")
        workbook.save(temporary)

    return write_atomic(path, write, force=force)


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))
