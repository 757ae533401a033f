"""Tests of xl_roi/workbook/freeze.py: a values-only copy, everything else kept."""

from __future__ import annotations

import hashlib
import re
import zipfile
from xml.etree import ElementTree

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.cases import WORKBOOK_CASES
from xl_roi.cli import main
from xl_roi.files import OverwriteRefusedError
from xl_roi.workbook.build import save_workbook
from xl_roi.workbook.freeze import UncalculatedWorkbookError, freeze_workbook
from xl_roi.workbook.read import WorkbookError


@pytest.fixture
def frozen(tmp_path):
    source = tmp_path / "case.xlsx"
    blueprint = save_workbook(WORKBOOK_CASES["self-hosted"], source)
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    target = freeze_workbook(source, tmp_path / "frozen.xlsx")
    return source, before, target, blueprint


def test_no_formula_left(frozen):
    """The copy holds no formula at all."""
    _, _, target, _ = frozen
    with zipfile.ZipFile(target) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(r"<f[ >/]", archive.read(name).decode()), name
    workbook = openpyxl.load_workbook(target)  # formulas mode: still no formula
    assert not any(
        isinstance(c.value, str) and c.value.startswith("=")
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for c in row
    )


def test_values_are_the_stored_results(frozen):
    """Every former formula cell now holds the result the builder stored."""
    _, _, target, blueprint = frozen
    workbook = openpyxl.load_workbook(target)
    for (sheet, reference), (_, value) in blueprint.formulas.items():
        found = workbook[sheet][reference].value
        if value in ("", None):
            assert found in ("", None)
        elif isinstance(value, float):
            assert found == pytest.approx(value, rel=1e-12), (sheet, reference)
        else:
            assert found == value, (sheet, reference)


def test_charts_names_and_validation_kept(frozen):
    """Charts, defined names and data validation survive the freeze."""
    source, _, target, _ = frozen
    with zipfile.ZipFile(source) as a, zipfile.ZipFile(target) as b:
        charts = [n for n in a.namelist() if n.startswith("xl/charts/")]
        assert charts and set(charts) <= set(b.namelist())
    workbook = openpyxl.load_workbook(target)
    assert "monthly_calls" in workbook.defined_names
    assert workbook["Inputs"].data_validations.dataValidation


def test_source_untouched_and_no_overwrite(frozen, tmp_path):
    """The source is never modified; an existing target is not replaced without force."""
    source, before, target, _ = frozen
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before
    with pytest.raises(OverwriteRefusedError):
        freeze_workbook(source, target)
    with pytest.raises(WorkbookError, match="must not replace its source"):
        freeze_workbook(source, source, force=True)


def test_unreadable_source(tmp_path):
    """A file that is not a workbook is refused with a clear error."""
    bad = tmp_path / "bad.xlsx"
    bad.write_text("hello")
    with pytest.raises(WorkbookError, match=r"not an \.xlsx workbook"):
        freeze_workbook(bad, tmp_path / "out.xlsx")
    assert not (tmp_path / "out.xlsx").exists()


@pytest.fixture
def saved_without_results(tmp_path):
    """The example workbook, opened and saved by openpyxl: every formula loses its result."""
    source = tmp_path / "case.xlsx"
    save_workbook(WORKBOOK_CASES["self-hosted"], source)
    resaved = tmp_path / "resaved.xlsx"
    openpyxl.load_workbook(source).save(resaved)
    return resaved


def test_refuses_a_workbook_without_stored_results(saved_without_results, tmp_path):
    """A workbook saved without calculating is refused: its copy would be blank."""
    with pytest.raises(UncalculatedWorkbookError, match=r"xl-roi build .*resaved\.xlsx"):
        freeze_workbook(saved_without_results, tmp_path / "frozen.xlsx")
    assert not (tmp_path / "frozen.xlsx").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_cli_freeze_without_results_exits_1_and_says_what_to_run(
    saved_without_results, tmp_path, capsys
):
    """`xl-roi freeze` on such a file exits 1, says why, and names the command that recomputes."""
    code = main(["freeze", str(saved_without_results), "-o", str(tmp_path / "frozen.xlsx")])
    err = capsys.readouterr().err
    assert code == 1
    assert "no stored result" in err and f"xl-roi build {saved_without_results}" in err
    assert re.search(r"\(first: \w+![A-Z]+\d+", err)
    assert len(err.strip().splitlines()) == 1


def test_rebuilt_copy_freezes(saved_without_results, tmp_path):
    """The command the refusal names gives a workbook that freezes with every value."""
    rebuilt = tmp_path / "resaved_built.xlsx"
    assert main(["build", str(saved_without_results)]) == 0
    frozen = freeze_workbook(rebuilt, tmp_path / "frozen.xlsx")
    book = openpyxl.load_workbook(frozen)
    sheet, cell = next(book.defined_names["savings_monthly"].destinations)
    assert isinstance(book[sheet][cell.replace("$", "")].value, float)


XML_TEXT = st.text(
    st.characters(
        codec="utf-8",
        exclude_categories=("Cs",),
        exclude_characters="\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12"
        "\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\r\ufffe\uffff",
    ),
    max_size=40,
)


@given(text=XML_TEXT, attribute=XML_TEXT)
def test_freezing_keeps_every_text_and_attribute(text, attribute):
    """Law: a frozen sheet holds exactly the texts and attributes it held, and no formula."""
    from xml.sax.saxutils import escape, quoteattr

    from xl_roi.workbook.freeze import _freeze_sheet_xml

    main_ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    source = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main_ns}">'
        f'<sheetPr codeName={quoteattr(attribute)}/><sheetData><row r="1">'
        f'<c r="A1" t="str"><f>UPPER(B1)</f><v>{escape(text)}</v></c>'
        f'<c r="B1" t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'
        f'<c r="C1"><f>1+1</f><v>2</v></c><c r="D1"/></row></sheetData></worksheet>'
    ).encode()
    frozen, uncalculated = _freeze_sheet_xml(source)
    root = ElementTree.fromstring(frozen)
    ns = {"m": main_ns}
    assert uncalculated == 0 and root.find(".//m:f", ns) is None
    assert root.find("m:sheetPr", ns).get("codeName") == attribute
    cells = {c.get("r"): c for c in root.iter(f"{{{main_ns}}}c")}
    assert cells["A1"].get("t") == "inlineStr"
    assert "".join(cells["A1"].itertext()) == text == "".join(cells["B1"].itertext())
    assert cells["C1"].find("m:v", ns).text == "2" and len(cells["D1"]) == 0


def test_frozen_copy_asks_no_one_to_fill_anything_in(frozen):
    """A values-only copy never tells its reader to fill in the yellow cells or load functions."""
    source, _, target, _ = frozen
    live = [
        str(c.value)
        for ws in openpyxl.load_workbook(source).worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]
    assert any("fill in the yellow cells" in text.lower() for text in live)  # the live one does
    texts = [
        str(c.value)
        for ws in openpyxl.load_workbook(target).worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]
    assert not [text for text in texts if "fill in" in text.lower()]
    assert not [text for text in texts if "Import Functions" in text]
    assert any("values-only copy" in text for text in texts)


def _renamed_sheet(tmp_path, dtd: bool):
    """A built workbook whose Calculations part is named sheet3.bin, its content type and
    relationship pointing at it (the package says: a worksheet), optionally with a DTD."""
    from tests.xlsx_tamper import sheet_part

    source = tmp_path / "case.xlsx"
    save_workbook(WORKBOOK_CASES["self-hosted"], source)
    old = sheet_part("Calculations")
    new = old.replace(".xml", ".bin")
    with zipfile.ZipFile(source) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    sheet = parts.pop(old)
    if dtd:
        sheet = b'<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + sheet
    parts[new] = sheet
    short = old.removeprefix("xl/")
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        short.encode(), short.replace(".xml", ".bin").encode()
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(old.encode(), new.encode())
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return source, new


def test_a_worksheet_named_bin_is_refused_with_its_dtd(tmp_path):
    """A worksheet part named .bin that declares a DTD is refused by freeze and check, as
    any worksheet: what a part is comes from the package, not its name."""
    from xl_roi.workbook.guard import scan_archive

    source, _ = _renamed_sheet(tmp_path, dtd=True)
    with pytest.raises(WorkbookError, match="DTD"):
        freeze_workbook(source, tmp_path / "frozen.xlsx")
    assert not (tmp_path / "frozen.xlsx").exists()
    with pytest.raises(WorkbookError, match="DTD"):
        scan_archive(source)


def test_a_worksheet_named_bin_loses_its_formulas(tmp_path):
    """The values-only copy of a workbook whose worksheet part is named .bin holds no
    formula in that part either."""
    source, part = _renamed_sheet(tmp_path, dtd=False)
    with zipfile.ZipFile(source) as archive:
        assert b"<f>" in archive.read(part) or b"<f " in archive.read(part)
    target = freeze_workbook(source, tmp_path / "frozen.xlsx")
    with zipfile.ZipFile(target) as archive:
        frozen = archive.read(part)
    assert b"<f>" not in frozen and b"<f " not in frozen and b"<v>" in frozen


@pytest.mark.parametrize(
    "name",
    [
        '=HYPERLINK("http://example.com","x")',
        "@SUM(1)",
        "+1+1",
        "-1+1",
        "\t=1",
        "\u200b=1",
        " =1",
        "＝1",
        "support tickets",
    ],
)
def test_a_formula_like_name_stays_text_in_the_frozen_pitch(tmp_path, name):
    """Pitch!A1 (<case name>: <verdict>, a formula's result before freezing) keeps a quote
    prefix in the frozen copy when it looks like a formula, so editing it in Excel keeps it
    text; its format (bold, size) is otherwise the source's, and a plain name gets none."""
    import dataclasses

    from xl_roi import example_case
    from xl_roi.text import looks_like_formula

    source = tmp_path / "case.xlsx"
    save_workbook(dataclasses.replace(example_case(), name=name), source)
    target = freeze_workbook(source, tmp_path / "frozen.xlsx")
    before = openpyxl.load_workbook(source)["Pitch"]["A1"]
    after = openpyxl.load_workbook(target)["Pitch"]["A1"]
    assert after.data_type == "s" and after.value.startswith(name)
    assert after.quotePrefix is looks_like_formula(name)
    assert (after.font.b, after.font.sz, after.fill.fgColor.rgb) == (
        before.font.b,
        before.font.sz,
        before.fill.fgColor.rgb,
    )


@pytest.mark.parametrize("portable", [True, False], ids=["portable", "add-in"])
def test_frozen_about_lines_fit_their_rows_and_point_check_at_the_copy(tmp_path, portable):
    """Each About line a frozen copy rewords fits the height the live workbook gave its row
    (16 points a line of 110 characters), and the copy says check works on it."""
    import math

    source = tmp_path / "case.xlsx"
    save_workbook(WORKBOOK_CASES["self-hosted"], source, portable=portable)
    target = freeze_workbook(source, tmp_path / "frozen.xlsx")
    live, about = (openpyxl.load_workbook(path)["About"] for path in (source, target))
    reworded = [
        (cell.row, cell.value)
        for row in about.iter_rows(min_col=2, max_col=2)
        for cell in row
        if isinstance(cell.value, str) and cell.value != live.cell(cell.row, 2).value
    ]
    assert len(reworded) >= 3
    for row, text in reworded:
        assert 16 * math.ceil(len(text) / 110) <= about.row_dimensions[row].height, text
    assert any(text.startswith("Run xl-roi check on this copy") for _, text in reworded)
