"""Benchmarks for issue 14 (items 2, 3 and 6): the guarded reader's cost on big and hostile files.

- A workbook inside every size limit of old (13 MB packed, about 240 MB unpacked, millions of
  cells) once took ``check`` 382 s and 10.6 GB: it is now refused at the cell limit, in well
  under a second and a few megabytes.
- ``freeze`` is one linear pass: ten times the unclosed ``<f>`` tags takes about ten times as
  long (the regex it replaced was quadratic: a 32 KB file hung it).
- A million-row endpoints workbook (about 50 MB packed, 320 MB unpacked) is screened, not
  refused as a zip bomb; its time and peak resident memory are printed
  (``XL_ROI_BENCH_BIG=1``, a few minutes).

Run: ``.venv/bin/python -m pytest benchmarks/test_bench_guard.py -q -s``.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
import tracemalloc
import zipfile

import pytest

from tests.xlsx_tamper import edit_part, replace_part, sheet_part
from xl_roi import example_case
from xl_roi.workbook.build import save_workbook
from xl_roi.workbook.check import check_workbook
from xl_roi.workbook.freeze import freeze_workbook
from xl_roi.workbook.guard import WORKBOOK_LIMITS, WorkbookError


def _big_sheet(rows: int) -> bytes:
    """Worksheet XML of ``rows`` rows of eight numeric cells (packs about 12 times)."""
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
        b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    )
    body = b"".join(
        b'<row r="%d">' % row
        + b"".join(
            b'<c r="%s%d"><v>%d</v></c>' % (column, row, row % 1000)
            for column in (b"A", b"B", b"C", b"D", b"E", b"F", b"G", b"H")
        )
        + b"</row>"
        for row in range(1, rows + 1)
    )
    return head + body + b"</sheetData></worksheet>"


@pytest.mark.parametrize("rows", [950_000, 350_000])
def test_check_refuses_millions_of_cells_before_the_cost(tmp_path, rows):
    """Workbooks of 240 MB unpacked (inside the old limits) and of 88 MB unpacked (inside the
    new byte limit, but millions of cells) are refused before openpyxl loads a cell."""
    path = tmp_path / "big.xlsx"
    save_workbook(example_case(), path)
    replace_part(path, sheet_part("About"), _big_sheet(rows))
    unpacked = sum(info.file_size for info in zipfile.ZipFile(path).infolist())
    print(
        f"\nworkbook: {path.stat().st_size / 1e6:.1f} MB packed, {unpacked / 1e6:.0f} MB unpacked"
    )
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(WorkbookError, match=r"cells|unpacks to") as refused:
        check_workbook(path)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"check refused it in {seconds:.2f} s, {peak / 1e6:.1f} MB peak (tracemalloc)")
    print(str(refused.value).split(": ", 1)[1])
    assert peak < 100_000_000


@pytest.mark.parametrize("repeats", [4_000, 40_000])
def test_freeze_is_linear_in_unclosed_formula_tags(tmp_path, repeats):
    """Freeze time on unclosed ``<f>`` tags grows with their number, not its square."""
    path = tmp_path / "hostile.xlsx"
    save_workbook(example_case(), path)
    edit_part(
        path,
        sheet_part("Calculations"),
        lambda xml: xml.replace("<sheetData>", "<sheetData><row><c>" + "<f>SUM(A1)" * repeats),
    )
    start = time.perf_counter()
    with pytest.raises(WorkbookError, match="not well-formed"):
        freeze_workbook(path, tmp_path / "out.xlsx")
    print(
        f"\n{repeats:,} unclosed <f> tags ({repeats * 10 / 1e3:.0f} KB): "
        f"{time.perf_counter() - start:.3f} s"
    )


def test_freeze_of_a_built_workbook(benchmark, tmp_path):
    """Freeze the example workbook (one streaming pass over its parts)."""
    path = tmp_path / "case.xlsx"
    save_workbook(example_case(), path)
    benchmark(lambda: freeze_workbook(path, tmp_path / "frozen.xlsx", force=True))


@pytest.mark.skipif(
    not os.environ.get("XL_ROI_BENCH_BIG"), reason="a few minutes: XL_ROI_BENCH_BIG=1"
)
def test_screen_a_million_row_workbook(tmp_path):
    """A million honest endpoint rows in an xlsx are screened, not refused; time and peak RSS."""
    path = tmp_path / "endpoints.xlsx"
    header = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
        b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c>'
        b'<c r="B1" t="inlineStr"><is><t>monthly_calls</t></is></c>'
        b'<c r="C1" t="inlineStr"><is><t>teacher_cost_per_1k</t></is></c>'
        b'<c r="D1" t="inlineStr"><is><t>student_cost_per_1k</t></is></c>'
        b'<c r="E1" t="inlineStr"><is><t>upfront_cost</t></is></c>'
        b'<c r="F1" t="inlineStr"><is><t>annual_maintenance</t></is></c></row>'
    )
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>endpoint-%d</t></is></c>'
        b'<c r="B%d"><v>%d</v></c><c r="C%d"><v>%d.%04d</v></c><c r="D%d"><v>0.%04d</v></c>'
        b'<c r="E%d"><v>%d.5</v></c><c r="F%d"><v>%d</v></c></row>'
        % (
            r,
            r,
            r,
            r,
            1000 + r * 37 % 9_000_000,
            r,
            1 + r % 19,
            r % 9973,
            r,
            r % 9967,
            r,
            5000 + r % 195_000,
            r,
            r % 100_000,
        )
        for r in range(2, 1_000_002)
    )
    save_workbook(example_case(), path)  # a valid package to borrow the parts from
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in ("[Content_Types].xml", "_rels/.rels")}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", parts["[Content_Types].xml"])
        archive.writestr("_rels/.rels", parts["_rels/.rels"])
        archive.writestr(
            "xl/workbook.xml",
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Endpoints" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", header + rows + b"</sheetData></worksheet>")
    del rows
    unpacked = sum(info.file_size for info in zipfile.ZipFile(path).infolist())
    print(
        f"\nendpoints: {path.stat().st_size / 1e6:.0f} MB packed, {unpacked / 1e6:.0f} MB unpacked"
    )
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "xl_roi.cli", "screen", str(path), "--json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(f"screened in {seconds:.0f} s, {peak / 1e9:.2f} GB peak resident memory")
    assert result.returncode == 0, result.stderr
    assert WORKBOOK_LIMITS.unpacked_bytes < unpacked


def test_check_just_inside_the_cell_limit(tmp_path):
    """The most a case workbook may cost: ``check`` of one just under the cell limit."""
    path = tmp_path / "at_limit.xlsx"
    save_workbook(example_case(), path)
    rows = (WORKBOOK_LIMITS.cells - 1_000) // 5  # the template's own cells are under 1,000
    body = "".join(
        "<row>" + "".join(f"<c><v>{row * column}</v></c>" for column in range(5)) + "</row>"
        for row in range(rows)
    )
    edit_part(
        path, sheet_part("About"), lambda xml: xml.replace("</sheetData>", body + "</sheetData>")
    )
    tracemalloc.start()
    start = time.perf_counter()
    report = check_workbook(path)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"\n{rows * 5:,} extra cells: check {seconds:.1f} s, {peak / 1e6:.0f} MB peak (tracemalloc)"
    )
    assert report.clean
