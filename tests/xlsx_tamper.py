"""Edit a saved workbook's XML directly, as Excel or a careless user might leave it.

openpyxl cannot do this: saving through it drops every stored result.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path


def edit_part(path: Path, part: str, edit) -> None:
    """Rewrite one part of the archive with ``edit(text) -> text``."""
    with zipfile.ZipFile(path) as source:
        infos = source.infolist()
        data = {info.filename: source.read(info.filename) for info in infos}
    data[part] = edit(data[part].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in infos:
            target.writestr(info, data[info.filename])


def sheet_part(title: str) -> str:
    from xl_roi.workbook.build import SHEETS

    return f"xl/worksheets/sheet{SHEETS.index(title) + 1}.xml"


def set_stored_result(path: Path, sheet: str, reference: str, value: str) -> None:
    """Change the result stored for a formula cell, keeping its formula."""

    def edit(xml: str) -> str:
        pattern = rf'(<c r="{reference}"[^>]*>(?:<f[^>]*>.*?</f>)?<v>)[^<]*(</v>)'
        new, count = re.subn(pattern, rf"\g<1>{value}\g<2>", xml, count=1, flags=re.DOTALL)
        assert count == 1, reference
        return new

    edit_part(path, sheet_part(sheet), edit)


def replace_formula_by_constant(path: Path, sheet: str, reference: str, value: str) -> None:
    """Type a number over a formula cell, as a user pasting values would."""

    def edit(xml: str) -> str:
        pattern = rf'<c r="{reference}"([^>]*)><f[^>]*>.*?</f><v>[^<]*</v></c>'
        new, count = re.subn(
            pattern, rf'<c r="{reference}"\1><v>{value}</v></c>', xml, count=1, flags=re.DOTALL
        )
        assert count == 1, reference
        return new.replace(f'<c r="{reference}" t="str"', f'<c r="{reference}"')

    edit_part(path, sheet_part(sheet), edit)


def set_input(path: Path, reference: str, value: str) -> None:
    """Type a number into an input cell on the Inputs sheet (without recalculating)."""

    def edit(xml: str) -> str:
        pattern = rf'<c r="{reference}"( s="\d+")?[^>]*>(?:<v>[^<]*</v>|<is>.*?</is>)</c>'
        new, count = re.subn(
            pattern, rf'<c r="{reference}"\1><v>{value}</v></c>', xml, count=1, flags=re.DOTALL
        )
        assert count == 1, reference
        return new

    edit_part(path, sheet_part("Inputs"), edit)


def set_input_text(path: Path, reference: str, text: str) -> None:
    """Type text into an input cell on the Inputs sheet."""

    def edit(xml: str) -> str:
        pattern = rf'<c r="{reference}"( s="\d+")?[^>]*>(?:<v>[^<]*</v>|<is>.*?</is>)</c>'
        new, count = re.subn(
            pattern,
            rf'<c r="{reference}"\1 t="inlineStr"><is><t>{text}</t></is></c>',
            xml,
            count=1,
            flags=re.DOTALL,
        )
        assert count == 1, reference
        return new

    edit_part(path, sheet_part("Inputs"), edit)
