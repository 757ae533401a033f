"""The LibreOffice harness recalculates for real: proof that a forced profile is not a no-op.

Skipped where LibreOffice is not installed, except in CI (which installs it), where it fails.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook, load_workbook

from tests.libreoffice import convert, make_profile, need_soffice
from tests.xlsx_tamper import edit_part

pytestmark = need_soffice()


def _workbook_with_a_wrong_stored_result(path: Path) -> None:
    """A1 = 2, A2 = A1 × 3, with 999 stored as A2's result (a stale or forged value)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"] = 2
    sheet["A2"] = "=A1*3"
    workbook.save(path)

    def forge(xml: str) -> str:
        new = xml.replace("<f>A1*3</f><v></v>", "<f>A1*3</f><v>999</v>")
        if new == xml:
            new = xml.replace("<f>A1*3</f>", "<f>A1*3</f><v>999</v>")
        assert "<v>999</v>" in new
        return new

    edit_part(path, "xl/worksheets/sheet1.xml", forge)


def test_forced_profile_recalculates_and_default_does_not(tmp_path: Path) -> None:
    """With the profile LibreOffice replaces a wrong stored result; by default it keeps it."""
    source = tmp_path / "forged.xlsx"
    _workbook_with_a_wrong_stored_result(source)
    assert load_workbook(source, data_only=True).active["A2"].value == 999

    forced = convert(source, tmp_path / "forced", make_profile(tmp_path / "p-forced"))
    default = convert(
        source, tmp_path / "default", make_profile(tmp_path / "p-default", recalc_always=False)
    )

    assert load_workbook(forced, data_only=True).active["A2"].value == 6
    assert load_workbook(default, data_only=True).active["A2"].value == 999
