"""Tests of xl_roi/workbook/freeze.py: a values-only copy, everything else kept."""

from __future__ import annotations

import hashlib
import re
import zipfile

import openpyxl
import pytest

from tests.cases import WORKBOOK_CASES
from xl_roi.files import OverwriteRefusedError
from xl_roi.workbook.build import save_workbook
from xl_roi.workbook.freeze import freeze_workbook
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
