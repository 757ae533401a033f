"""Tests of xl_roi/workbook/portfolio_book.py: the screened portfolio as a workbook."""

from __future__ import annotations

import itertools
import math

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xl_roi.casefile import sample_endpoints_path
from xl_roi.files import OverwriteRefusedError
from xl_roi.portfolio import RESULT_COLUMNS, screen, summarise
from xl_roi.workbook.portfolio_book import (
    _FORMATS,
    HEADERS,
    LABELLED_POINTS,
    PLOT_CM,
    PRINTED,
    RANKED_POINTS,
    SHARE_CM,
    header_of,
    point_labels,
    printed_columns,
    sheet_order,
    write_portfolio,
)


@pytest.fixture
def written(tmp_path):
    frame = pd.read_csv(sample_endpoints_path()).drop(columns="note")
    frame.loc[0, "name"] = "=cmd|'/c calc'!A1"
    table = screen(frame)
    path = write_portfolio(table, tmp_path / "portfolio.xlsx")
    return table, path


def test_ranked_table_with_header_filter_and_frozen_header(written):
    """The Endpoints sheet is the ranked table: header, filter, frozen header row."""
    table, path = written
    sheet = openpyxl.load_workbook(path)["Endpoints"]
    order = sheet_order(RESULT_COLUMNS, printed_columns(table))
    assert [cell.value for cell in sheet[1]] == [header_of(name, "USD") for name in order]
    assert sheet.freeze_panes == "C2"
    last = openpyxl.utils.get_column_letter(len(RESULT_COLUMNS))
    assert sheet.auto_filter.ref == f"A1:{last}{len(table) + 1}"
    for row, record in enumerate(table.itertuples(index=False), start=2):
        assert sheet.cell(row=row, column=2).value == record.name
        payback = sheet.cell(row=row, column=order.index("payback_months") + 1).value
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
    assert values["Endpoints in the file"] == summary.endpoints == len(table)
    assert values["Screened (given a verdict)"] == summary.screened == table.verdict.notna().sum()
    assert values["Screened (given a verdict)"] + values[
        "Refused (the Endpoints sheet says why)"
    ] == len(table)
    assert values["Verdict: defensible"] == summary.by_verdict["defensible"]
    assert values["Annual savings of those worth doing, before maintenance"] == pytest.approx(
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


def _luminance(hex_colour):
    red, green, blue = (int(hex_colour[-6:][i : i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def test_headers_readable_in_words(written):
    """Header cells: white bold text on a dark fill (not white on nothing), wrapped, in words."""
    _, path = written
    sheet = openpyxl.load_workbook(path)["Endpoints"]
    for cell in sheet[1]:
        assert cell.fill.fill_type == "solid", cell.value
        assert _luminance(cell.fill.fgColor.rgb) < 0.3 < _luminance(cell.font.color.rgb)
        assert cell.alignment.wrap_text and "_" not in cell.value
    assert "Annual net benefit, after maintenance (USD)" in [cell.value for cell in sheet[1]]
    assert sheet.row_dimensions[1].height >= 60


def test_table_prints_landscape_fit_to_width_with_header_on_each_page(written):
    """The table prints landscape, one page wide, as many long, the header row on each page."""
    _, path = written
    sheet = openpyxl.load_workbook(path)["Endpoints"]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$1:$1"


def test_money_percent_and_volume_formats(written, tmp_path):
    """Money in the table plain, its currency in the column's header (on the Summary, in
    each amount); shares and growth as %, volumes as whole numbers."""
    table, _ = written
    path = write_portfolio(table, tmp_path / "eur.xlsx", currency="EUR")
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Endpoints"]
    formats = {cell.value: sheet.cell(row=2, column=cell.column).number_format for cell in sheet[1]}
    assert formats["Annual net benefit, after maintenance (EUR)"] == "#,##0;[Red](#,##0)"
    assert formats["Upfront cost (EUR)"] == "#,##0;[Red](#,##0)"
    assert formats["Share of spend saved"] == formats["Monthly growth"] == "0.0%"
    assert formats["Monthly calls"] == formats["Break-even volume (calls a month)"] == "#,##0"
    summary = {row[0].value: row[1] for row in workbook["Summary"].iter_rows() if row[0].value}
    after = summary["Annual net benefit of those worth doing, after maintenance"]
    assert after.number_format.startswith('"EUR "#,##0')
    assert after.value == pytest.approx(summarise(table).annual_net_benefit_worth_doing)
    assert "Money in EUR." in summary


def _endpoints(calls, upfront):
    """Endpoints saving 10.5 per thousand calls, at these volumes and upfront costs."""
    return pd.DataFrame(
        {
            "name": [f"endpoint-{i:02d}-service" for i in range(len(calls))],
            "monthly_calls": calls,
            "teacher_cost_per_1k": 12.0,
            "student_cost_per_1k": 1.5,
            "upfront_cost": upfront,
            "annual_maintenance": 0.0,
        }
    )


def test_chart_points_named(tmp_path):
    """A few endpoints whose names stand apart on the chart are labelled with their names'
    cells, one series a point; where names would cover each other (the packaged sample: two
    sit 2.6 months apart, 0.4 decades of volume), each point carries its rank instead."""
    import zipfile

    # paybacks 2.5, 12.5 and 25 months at 20,000,000, 400,000 and 20,000 calls a month
    frame = _endpoints([2e7, 4e5, 2e4], [525_000.0, 52_500.0, 5_250.0])
    path = write_portfolio(screen(frame), tmp_path / "few.xlsx")
    xml = zipfile.ZipFile(path).read("xl/charts/chart1.xml").decode()
    assert LABELLED_POINTS >= 3
    for row in range(2, 5):
        assert f"'Endpoints'!$B${row}" in xml
    assert xml.count('showSerName val="1"') == 3
    assert "rank on Endpoints" not in xml
    frame = pd.read_csv(sample_endpoints_path()).drop(columns="note")
    path = write_portfolio(screen(frame), tmp_path / "sample.xlsx")
    xml = zipfile.ZipFile(path).read("xl/charts/chart1.xml").decode()
    assert "'Endpoints'!$B$" not in xml and "rank on Endpoints" in xml
    assert "'Endpoints'!$B$11" not in xml and "'Endpoints'!$A$11" not in xml  # refused


def test_control_characters_replaced_in_cells(tmp_path):
    """A name with terminal escapes is written with them replaced (xlsx cannot hold them)."""
    frame = pd.DataFrame(
        [
            {
                "name": "chat\x1b[2J\x07",
                "monthly_calls": 2e6,
                "teacher_cost_per_1k": 12.0,
                "student_cost_per_1k": 1.5,
                "upfront_cost": 52_500.0,
                "annual_maintenance": 0.0,
            }
        ]
    )
    path = write_portfolio(screen(frame), tmp_path / "p.xlsx")
    assert openpyxl.load_workbook(path)["Endpoints"]["B2"].value == "chat?[2J?"


def test_notes_on_the_summary(written, tmp_path):
    """Notes (columns the screen did not read) are said on the Summary sheet."""
    table, _ = written
    path = write_portfolio(table, tmp_path / "n.xlsx", notes=["not used: 1 column ('note')"])
    cells = [row[0].value for row in openpyxl.load_workbook(path)["Summary"].iter_rows()]
    assert "Note: not used: 1 column ('note')" in cells


def test_large_portfolio_chart_unlabelled(tmp_path):
    """Past the labelled few, each chart point carries its rank, not its name (names would
    pile up), and the title says where to find them; past the ranked many, no labels."""
    import zipfile

    # volumes a tenth of a decade apart: each point stands apart with its rank
    count = LABELLED_POINTS + 1
    frame = _endpoints([2e4 * 10 ** (i / 10) for i in range(count)], 5_250.0)
    path = write_portfolio(screen(frame), tmp_path / "p.xlsx")
    xml = zipfile.ZipFile(path).read("xl/charts/chart1.xml").decode()
    assert "'Endpoints'!$B$" not in xml and "rank on Endpoints" in xml
    assert xml.count('showSerName val="1"') == count
    assert f"'Endpoints'!$A${count + 1}" in xml  # the rank column
    many = _endpoints([2e4 * 10 ** (i / 20) for i in range(4 * count)], 5_250.0)
    path = write_portfolio(screen(many), tmp_path / "many.xlsx")
    labels = _chart_labels(zipfile.ZipFile(path).read("xl/charts/chart1.xml").decode())
    ranks = sorted(int(rank) for text, _, _ in labels for rank in text.split(", "))
    assert ranks == list(range(1, RANKED_POINTS + 1)) and len(many) > RANKED_POINTS


def test_cells_equal_the_table_across_blocks_and_new_columns(tmp_path, monkeypatch):
    """Cell values, worked out column by column in blocks, are the table's: a figure as it is,
    NaN blank, an infinite payback "never", text that looks like a formula kept as text; a
    column the writer does not know (a new figure) is written too, under its name in words."""
    import xl_roi.workbook.portfolio_book as book

    monkeypatch.setattr(book, "BLOCK_ROWS", 2)
    monkeypatch.setattr(book, "STYLED_ROWS", 3)
    frame = pd.read_csv(sample_endpoints_path()).drop(columns="note")
    frame.loc[0, "name"] = "=1+1"
    table = screen(frame)
    table["made_up_figure"] = 0.5 * table["monthly_savings"]  # a column no writer knows
    path = write_portfolio(table, tmp_path / "portfolio.xlsx")
    table = table[sheet_order(table.columns, printed_columns(table))]
    sheet = openpyxl.load_workbook(path)["Endpoints"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "Made up figure"
    assert len(rows) == len(table) + 1
    for row, record in zip(rows[1:], table.itertuples(index=False), strict=True):
        for cell, value in zip(row, record, strict=True):
            if isinstance(value, float) and math.isinf(value):
                assert cell == "never"
            elif value is None or (isinstance(value, float) and math.isnan(value)):
                assert cell is None
            elif isinstance(value, float):
                # openpyxl writes 16 significant digits: equal to that rounding
                assert cell == pytest.approx(value, rel=1e-15, abs=0.0)
            else:
                assert cell == value
    assert "=1+1" in [row[1] for row in rows]


def test_every_column_has_a_header_in_words_and_every_figure_a_format(tmp_path):
    """Each result column has its own header (no "Npv") and each numeric one a number format:
    money whole (its currency in the header), months with a decimal, shares as %, volumes
    whole."""
    frame = pd.read_csv(sample_endpoints_path()).drop(columns="note")
    frame["teacher_accuracy"], frame["student_accuracy"], frame["cost_per_error"] = 0.95, 0.9, 2.0
    frame["discount_rate"] = 0.1
    table = screen(frame)
    assert set(RESULT_COLUMNS) <= set(HEADERS)
    numeric = [name for name in RESULT_COLUMNS if table[name].dtype.kind == "f"]
    assert set(numeric) <= set(_FORMATS)
    path = write_portfolio(table, tmp_path / "p.xlsx")
    sheet = openpyxl.load_workbook(path)["Endpoints"]
    formats = {cell.value: sheet.cell(row=2, column=cell.column).number_format for cell in sheet[1]}
    for name in numeric:
        assert formats[header_of(name, "USD")] != "General", name
    assert header_of("npv", "USD").endswith("(USD)")
    assert formats[header_of("npv", "USD")] == "#,##0;[Red](#,##0)"
    assert formats[header_of("discounted_payback_months", "USD")] == "0.0"


def test_prints_the_decision_columns_one_page_wide(written):
    """The print area holds the decision columns, the reason last; the widths add up to what
    a landscape page holds legibly (no more than 170 characters: at 190 LibreOffice printed
    its words 5.6 points tall)."""
    table, path = written
    sheet = openpyxl.load_workbook(path)["Endpoints"]
    printed = printed_columns(table)
    last = openpyxl.utils.get_column_letter(len(printed))
    assert sheet.print_area == f"'Endpoints'!$A$1:${last}${len(table) + 1}"
    assert sheet[f"{last}1"].value == "Why refused"
    widths = [
        sheet.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width
        for i in range(len(printed))
    ]
    assert sum(widths) <= 170
    refused = [row for row in sheet.iter_rows(min_row=2) if row[len(printed) - 1].value]
    assert refused
    for row in refused:
        reason = row[len(printed) - 1]
        assert reason.alignment.wrap_text
        lines = math.ceil(len(reason.value) / widths[-1])
        assert lines == 1 or sheet.row_dimensions[reason.row].height >= 15 * lines


def test_totals_say_both_verdicts_when_worse_answers_are_costed(tmp_path, capsys):
    """Endpoints worth doing on compute but not once worse answers are counted are counted
    apart, and the totals counting them add up only those worth doing both ways; those kept on
    their compute verdict for want of a cost of worse answers are counted apart too (the CLI
    and the Summary once counted them among those worth doing "counting worse answers" without
    a word)."""
    frame = pd.DataFrame(
        {
            "name": ["cheap errors", "dear errors", "no cost given"],
            "monthly_calls": [2e6, 2e6, 2e6],
            "teacher_cost_per_1k": 12.0,
            "student_cost_per_1k": 1.5,
            "upfront_cost": 52_500.0,
            "annual_maintenance": 0.0,
            "teacher_accuracy": [0.95, 0.95, None],
            "student_accuracy": [0.94, 0.90, None],
            "cost_per_error": [0.1, 5.0, None],
        }
    )
    table = screen(frame)
    summary = summarise(table)
    assert summary.worth_doing == 3
    assert summary.worth_doing_counting_quality == 2 and summary.worth_doing_not_once_counted == 1
    kept = table[table.name != "dear errors"]
    adjusted = kept.quality_adjusted_annual_net_benefit.fillna(kept.annual_net_benefit)
    assert summary.annual_net_benefit_worth_doing_counting_quality == pytest.approx(adjusted.sum())
    path = write_portfolio(table, tmp_path / "p.xlsx")
    values = {
        row[0].value: row[1].value
        for row in openpyxl.load_workbook(path)["Summary"].iter_rows()
        if row[0].value
    }
    assert values["Worth doing counting worse answers too"] == 2
    assert values["Of those worth doing on compute, not once worse answers count"] == 1
    # "no cost given" is counted on its compute verdict, and the Summary says so
    assert summary.worth_doing_not_costed == 1
    assert values["Of those counted, worse answers not costed (kept on compute)"] == 1
    csv = tmp_path / "endpoints.csv"
    frame.to_csv(csv, index=False)
    from xl_roi.cli import main

    assert main(["screen", str(csv), "-o", str(tmp_path / "from_the_cli.xlsx")]) == 0
    out = capsys.readouterr().out
    assert "(1 fewer; 1 of them with no cost of worse answers computed, kept on compute)" in out
    width = openpyxl.load_workbook(path)["Summary"].column_dimensions["A"].width
    assert (
        max(
            len(label) for label in values if not label.startswith(("Note", "Portfolio", "Figures"))
        )
        <= width
    )


def test_printed_columns_leave_out_only_what_would_print_nothing_new():
    """Discounted payback prints where it differs from payback after maintenance (a
    discount, or growing volume counted month by month); the figures counting worse answers
    where some endpoint has them; the reason where some endpoint is refused. Each left out
    stays on the sheet, after the printed ones."""
    frame = pd.read_csv(sample_endpoints_path()).drop(columns="note")
    given = frame[["monthly_calls", "upfront_cost"]].apply(pd.to_numeric, errors="coerce")
    frame["monthly_growth"] = (
        0.0  # (month by month, growth parts it from the one after maintenance)
    )
    plain = screen(frame[(given >= 0).all(axis=1)])
    assert plain["error"].isna().all()
    left_out = {
        "discounted_payback_months",
        "quality_adjusted_verdict",
        "quality_adjusted_annual_net_benefit",
        "error",
    }
    assert printed_columns(plain) == [name for name in PRINTED if name not in left_out]
    assert set(sheet_order(plain.columns, printed_columns(plain))) == set(plain.columns)
    frame["discount_rate"] = 0.1
    frame["teacher_accuracy"], frame["student_accuracy"], frame["cost_per_error"] = 0.9, 0.8, 1.0
    assert printed_columns(screen(frame)) == list(PRINTED)


def _chart_labels(xml, sheet=None):
    """Each labelled chart point: its label's text (its own cell's, read from ``sheet``, or
    the text it is given), its row on Endpoints and where the label sits."""
    import re

    labels = []
    for series in re.findall(r"<ser>(.*?)</ser>", xml):
        if 'showSerName val="1"' not in series:
            continue
        row = int(re.search(r"<xVal><numRef><f>'Endpoints'!\$[A-Z]+\$(\d+)</f>", series)[1])
        given = re.search(r"<tx><v>(.*?)</v></tx>", series)
        cell = re.search(r"<tx><strRef><f>'Endpoints'!\$([A-Z]+)\$(\d+)</f>", series)
        if given:
            text = given[1]
        elif sheet is not None:
            text = str(sheet[f"{cell[1]}{cell[2]}"].value)
        else:  # a rank cell: the table is ranked, so its row less the header's is the rank
            text = str(int(cell[2]) - 1)
        labels.append((text, row, re.search(r'<dLblPos val="(\w+)"/>', series)[1]))
    return labels


PLOT_WIDTH_CM, PLOT_HEIGHT_CM = 15.0, 6.0
"""The chart's plot area as LibreOffice draws it (a 20 × 11 cm chart), roughly."""
CHAR_CM, LINE_CM = 0.2, 0.4
"""A 9-point label's character and line."""


def _label_box(point, text, position):
    """Where a label of ``text`` sits beside ``point`` (cm on the plot)."""
    x, y = point
    width, gap = len(text) * CHAR_CM, 0.15
    return {
        "r": (x + gap, y - LINE_CM / 2, x + gap + width, y + LINE_CM / 2),
        "l": (x - gap - width, y - LINE_CM / 2, x - gap, y + LINE_CM / 2),
        "t": (x - width / 2, y + gap, x + width / 2, y + gap + LINE_CM),
        "b": (x - width / 2, y - gap - LINE_CM, x + width / 2, y - gap),
    }[position]


def test_chart_labels_of_points_close_together_do_not_pile_up(tmp_path):
    """Twenty endpoints, several at one volume with paybacks a month apart (as a real
    portfolio has them): no two labels on the chart cover each other (placed in the chart's
    own log-volume, linear-payback space), and every point on the chart is findable: its rank
    is in exactly one label, set beside it or beside a point within two labels' height."""
    import zipfile

    calls = [25e6, 25e6, 25e6, 6e6, 6e6, 6e6, 1.5e6, 1.5e6, 4e4, 6e6, 25e6, 3e5]
    upfront = [400_000, 440_000, 120_000, 300_000, 110_000, 570_000, 75_000, 90_000]
    upfront += [140_000, 60_000, 2_000_000, 20_000]
    frame = _endpoints(calls + [2e4] * 8, upfront + [900_000] * 8)  # 8 never pay back
    table = screen(frame)
    path = write_portfolio(table, tmp_path / "p20.xlsx")
    xml = zipfile.ZipFile(path).read("xl/charts/chart1.xml").decode()
    sheet = openpyxl.load_workbook(path)["Endpoints"]
    header = [cell.value for cell in sheet[1]]
    volume_at = header.index(HEADERS["monthly_calls"]) + 1
    payback_at = header.index(HEADERS["payback_months"]) + 1
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    low = math.floor(math.log10(min(row[volume_at - 1] for row in rows)))
    high = math.ceil(math.log10(max(row[volume_at - 1] for row in rows)))

    def where(row):
        volume, payback = sheet.cell(row, volume_at).value, sheet.cell(row, payback_at).value
        if not isinstance(payback, float) or payback > 36:
            return None
        return (
            (math.log10(volume) - low) / (high - low) * PLOT_WIDTH_CM,
            payback / 36 * PLOT_HEIGHT_CM,
        )

    labels = [label for label in _chart_labels(xml, sheet) if where(label[1]) is not None]
    boxes = [_label_box(where(row), text, position) for text, row, position in labels]
    for one, other in itertools.combinations(boxes, 2):
        apart = one[2] <= other[0] or other[2] <= one[0] or one[3] <= other[1] or other[3] <= one[1]
        assert apart, (labels, one, other)
    on_chart = [row for row in range(2, len(rows) + 2) if where(row) is not None]
    assert len(on_chart) >= 10
    for row in on_chart:
        rank = str(sheet.cell(row, 1).value)
        holding = [label for label in labels if rank in label[0].split(", ")]
        assert len(holding) == 1, (rank, labels)
        assert math.dist(where(row), where(holding[0][1])) < 1.0, (rank, holding)


@given(
    st.lists(
        st.tuples(
            st.floats(1e3, 1e9),
            st.one_of(st.floats(0.0, 60.0), st.just(math.inf), st.just(math.nan)),
        ),
        max_size=40,
    )
)
def test_each_point_on_the_chart_is_in_exactly_one_label(points):
    """Whatever the points, each on the chart (a payback within its axis) is named by exactly
    one label, beside it or beside a point within two labels' height; a label naming several
    lists their texts best first; a point off the chart is in none."""
    texts = [str(rank) for rank in range(1, len(points) + 1)]
    calls = [volume for volume, _ in points]
    paybacks = [payback for _, payback in points]
    labels, apart = point_labels(texts, calls, paybacks)
    on_chart = [row for row, payback in enumerate(paybacks) if 0 <= payback <= 36]
    named = sorted(row for label in labels for row in label.rows)
    assert named == on_chart
    low = math.floor(math.log10(min(calls))) if calls else 0
    high = max(math.ceil(math.log10(max(calls))) if calls else 1, low + 1)

    def where(row):
        x = (math.log10(calls[row]) - low) / (high - low) * PLOT_CM[0]
        return x, paybacks[row] / 36 * PLOT_CM[1]

    for label in labels:
        assert list(label.rows) == sorted(label.rows)
        assert all(math.dist(where(row), where(label.rows[0])) < SHARE_CM for row in label.rows)
        assert label.text == (
            "" if len(label.rows) == 1 else ", ".join(texts[r] for r in label.rows)
        )
        assert label.position in {"r", "l", "t", "b"}
    if apart:
        assert all(len(label.rows) == 1 for label in labels)
