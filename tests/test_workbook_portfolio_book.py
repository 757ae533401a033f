"""Tests of xl_roi/workbook/portfolio_book.py: the screened portfolio as a workbook."""

from __future__ import annotations

import math

import openpyxl
import pandas as pd
import pytest

from xl_roi.casefile import sample_endpoints_path
from xl_roi.files import OverwriteRefusedError
from xl_roi.portfolio import RESULT_COLUMNS, screen, summarise
from xl_roi.workbook.portfolio_book import write_portfolio


@pytest.fixture
def written(tmp_path):
    frame = pd.read_csv(sample_endpoints_path())
    frame.loc[0, "name"] = "=cmd|'/c calc'!A1"
    table = screen(frame)
    path = write_portfolio(table, tmp_path / "portfolio.xlsx")
    return table, path


def test_ranked_table_with_header_filter_and_frozen_header(written):
    """The Endpoints sheet is the ranked table: header, filter, frozen header row."""
    table, path = written
    sheet = openpyxl.load_workbook(path)["Endpoints"]
    assert [cell.value for cell in sheet[1]] == list(RESULT_COLUMNS)
    assert sheet.freeze_panes == "C2"
    assert sheet.auto_filter.ref == f"A1:Q{len(table) + 1}"
    for row, record in enumerate(table.itertuples(index=False), start=2):
        assert sheet.cell(row=row, column=2).value == record.name
        payback = sheet.cell(row=row, column=4).value
        if math.isinf(record.payback_months):
            assert payback == "never"
        elif math.isnan(record.payback_months):
            assert payback is None
        else:
            assert payback == pytest.approx(record.payback_months, rel=1e-15)


def test_summary_counts_and_chart(written):
    """The Summary sheet adds the table up and carries the payback-against-volume chart."""
    table, path = written
    workbook = openpyxl.load_workbook(path)
    summary = summarise(table)
    values = {
        row[0].value: row[1].value
        for row in workbook["Summary"].iter_rows(min_row=4)
        if row[0].value
    }
    assert values["Endpoints screened"] == summary.endpoints
    assert values["Verdict: defensible"] == summary.by_verdict["defensible"]
    assert values["Annual savings of those worth doing"] == pytest.approx(
        summary.annual_savings_worth_doing
    )
    assert _has_chart(path)


def _has_chart(path):
    import zipfile

    return any(name.startswith("xl/charts/") for name in zipfile.ZipFile(path).namelist())


def test_hostile_name_is_text(written):
    """An endpoint named like a formula is written as text, never executed."""
    table, path = written
    sheet = openpyxl.load_workbook(path)["Endpoints"]
    names = [sheet.cell(row=r, column=2) for r in range(2, len(table) + 2)]
    hostile = [cell for cell in names if str(cell.value).startswith("=cmd")]
    assert len(hostile) == 1 and hostile[0].data_type == "s"


def test_never_overwrites(written):
    """An existing workbook is not replaced without force."""
    table, path = written
    with pytest.raises(OverwriteRefusedError):
        write_portfolio(table, path)
