"""Tests of xl_roi/workbook/guard.py: hostile, corrupt and oversized files are refused the same
way by every command that reads a workbook (``check`` and ``freeze`` alike)."""

from __future__ import annotations

import os
import tracemalloc
import zipfile

import pytest

from tests.xlsx_tamper import declare_size, edit_part, flip_byte, replace_part, sheet_part
from xl_roi import example_case
from xl_roi.cli import main
from xl_roi.workbook.build import save_workbook
from xl_roi.workbook.check import check_workbook
from xl_roi.workbook.freeze import freeze_workbook
from xl_roi.workbook.guard import ENDPOINTS_LIMITS, WORKBOOK_LIMITS, WorkbookError, scan_archive


@pytest.fixture
def built(tmp_path):
    path = tmp_path / "case.xlsx"
    save_workbook(example_case(), path)
    return path


def _check(path):
    return check_workbook(path)


def _freeze(path):
    return freeze_workbook(path, path.with_name("frozen.xlsx"))


READERS = pytest.mark.parametrize("read", [_check, _freeze], ids=["check", "freeze"])


def _left_behind(folder):
    return sorted(p.name for p in folder.iterdir() if p.name not in ("case.xlsx", "loop"))


@READERS
def test_flipped_byte_is_corrupt(built, read):
    """A damaged byte in a part is refused as a corrupt workbook, never a raw zlib error."""
    flip_byte(built, sheet_part("Calculations"))
    with pytest.raises(WorkbookError, match="corrupt workbook"):
        read(built)
    assert _left_behind(built.parent) == []


@READERS
def test_headers_lying_about_size_cost_no_memory(built, read):
    """A part whose headers declare 1 kB but which unpacks to 100 MB is refused in flat memory."""
    replace_part(built, sheet_part("About"), b" " * 100_000_000)
    declare_size(built, sheet_part("About"), 1_000)
    tracemalloc.start()
    try:
        with pytest.raises(WorkbookError, match=r"corrupt workbook|zip bomb"):
            read(built)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 30_000_000  # the part is 100 MB: it was never held whole
    assert _left_behind(built.parent) == []


@READERS
def test_symlink_loop(tmp_path, read):
    """A loop of symbolic links is named as such, not reported as a bug."""
    loop = tmp_path / "loop.xlsx"
    os.symlink(tmp_path / "other.xlsx", loop)
    os.symlink(loop, tmp_path / "other.xlsx")
    with pytest.raises(WorkbookError, match="loop of symbolic links"):
        read(loop)


def test_freeze_to_a_symlink_loop(built, tmp_path, capsys):
    """Freezing onto a looping link is a one-line error, not a bug report."""
    os.symlink(tmp_path / "b.xlsx", tmp_path / "a.xlsx")
    os.symlink(tmp_path / "a.xlsx", tmp_path / "b.xlsx")
    assert main(["freeze", str(built), "-o", str(tmp_path / "a.xlsx")]) == 2
    assert "bug" not in capsys.readouterr().err


DOCTYPES = {
    "bare DTD": "<!DOCTYPE worksheet>",
    "billion laughs": (
        '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    ),
    "external entity": '<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
}


@READERS
@pytest.mark.parametrize("doctype", sorted(DOCTYPES))
def test_dtd_in_a_sheet_is_refused(built, read, doctype):
    """Any DTD in a sheet's XML is refused, as README promises, by check and freeze alike."""
    edit_part(
        built,
        sheet_part("Calculations"),
        lambda xml: xml.replace("<worksheet ", DOCTYPES[doctype] + "<worksheet ", 1),
    )
    with pytest.raises(WorkbookError, match="declares entities or a DTD"):
        read(built)
    assert _left_behind(built.parent) == []


@READERS
def test_unclosed_formula_tags_are_garbage(built, read):
    """Thousands of unclosed ``<f>`` tags are refused as malformed XML (once quadratic)."""
    edit_part(
        built,
        sheet_part("Calculations"),
        lambda xml: xml.replace("<sheetData>", "<sheetData><row><c><f>" + "<f>SUM(A1)" * 5_000),
    )
    with pytest.raises(WorkbookError, match="not well-formed XML"):
        read(built)


def test_freeze_garbage_exits_2(built, tmp_path, capsys):
    """``xl-roi freeze`` on garbage XML exits 2 with a message and writes nothing."""
    replace_part(built, sheet_part("Pitch"), b"\x00garbage<<<")
    assert main(["freeze", str(built), "-o", str(tmp_path / "out.xlsx")]) == 2
    assert "not well-formed XML" in capsys.readouterr().err
    assert not (tmp_path / "out.xlsx").exists()


def _rows(count, columns=5):
    return "".join(
        "<row>" + "".join(f"<c><v>{row * column}</v></c>" for column in range(columns)) + "</row>"
        for row in range(count)
    )


@READERS
def test_too_many_cells_refused_before_loading(built, read):
    """A workbook holding more cells than the limit is refused with the limit in the message."""
    rows = WORKBOOK_LIMITS.cells // 5 + 1  # 5 cells a row: one row past the limit
    edit_part(
        built,
        sheet_part("About"),
        lambda xml: xml.replace("</sheetData>", _rows(rows) + "</sheetData>"),
    )
    with pytest.raises(WorkbookError, match=f"more than {WORKBOOK_LIMITS.cells:,} cells"):
        read(built)


@READERS
def test_too_many_shared_strings(built, read):
    """A shared-strings table past the limit is refused."""
    count = WORKBOOK_LIMITS.shared_strings + 1
    xml = "<sst>" + "".join(f"<si><t>{n}</t></si>" for n in range(count)) + "</sst>"
    replace_part(built, "xl/sharedStrings.xml", xml.encode())
    with pytest.raises(WorkbookError, match="distinct texts"):
        read(built)


def test_endpoints_may_be_larger_than_a_case_workbook(built):
    """A table of endpoints has wider limits than a case workbook: size alone is not a bomb."""
    rows = WORKBOOK_LIMITS.cells // 5 + 1
    edit_part(
        built,
        sheet_part("About"),
        lambda xml: xml.replace("</sheetData>", _rows(rows) + "</sheetData>"),
    )
    with pytest.raises(WorkbookError):
        scan_archive(built)
    assert scan_archive(built, ENDPOINTS_LIMITS).cells > WORKBOOK_LIMITS.cells


def test_actual_ratio_of_a_bomb_is_refused(built):
    """A part that really unpacks a thousand times its size is refused, whatever it declares."""
    replace_part(built, sheet_part("About"), b" " * 50_000_000)
    declare_size(built, sheet_part("About"), 50_000_000 // 10)
    with pytest.raises(WorkbookError, match=r"zip bomb|corrupt"):
        scan_archive(built, ENDPOINTS_LIMITS)


def test_a_pipe_is_refused_without_blocking(tmp_path):
    """A named pipe is refused before it is opened (reading one would wait for ever)."""
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    with pytest.raises(WorkbookError, match="not a file"):
        scan_archive(fifo)


def test_duplicate_part_names(built):
    """An archive with two parts of one name is refused as corrupt."""
    with zipfile.ZipFile(built, "a") as archive, pytest.warns(UserWarning):
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(WorkbookError, match="two parts share a name"):
        scan_archive(built)
