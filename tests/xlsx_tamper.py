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


def _local_data_offset(raw: bytes, info: zipfile.ZipInfo) -> int:
    """Where a part's packed data starts, after its local header."""
    start = info.header_offset
    name_length = int.from_bytes(raw[start + 26 : start + 28], "little")
    extra_length = int.from_bytes(raw[start + 28 : start + 30], "little")
    return start + 30 + name_length + extra_length


def flip_byte(path: Path, part: str, at: int = 0) -> None:
    """Flip every bit of one byte of a part's packed data (a damaged download).

    The first byte holds the deflate block header: flipped, unpacking fails outright.
    """
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(part)
    offset = _local_data_offset(bytes(raw), info) + at
    raw[offset] ^= 0xFF
    path.write_bytes(bytes(raw))


def declare_size(path: Path, part: str, file_size: int) -> None:
    """Make both headers of a part lie about its unpacked size (the data is unchanged)."""
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(part)
        directory = archive.start_dir
    raw[info.header_offset + 22 : info.header_offset + 26] = file_size.to_bytes(4, "little")
    offset = directory
    while raw[offset : offset + 4] == b"PK\x01\x02":
        name_length = int.from_bytes(raw[offset + 28 : offset + 30], "little")
        extra_length = int.from_bytes(raw[offset + 30 : offset + 32], "little")
        comment_length = int.from_bytes(raw[offset + 32 : offset + 34], "little")
        name = bytes(raw[offset + 46 : offset + 46 + name_length]).decode()
        if name == part:
            raw[offset + 24 : offset + 28] = file_size.to_bytes(4, "little")
        offset += 46 + name_length + extra_length + comment_length
    path.write_bytes(bytes(raw))


def replace_part(path: Path, part: str, data: bytes) -> None:
    """Replace (or add) one part's bytes."""
    with zipfile.ZipFile(path) as source:
        infos = source.infolist()
        parts = {info.filename: source.read(info.filename) for info in infos}
    names = [info.filename for info in infos]
    parts[part] = data
    if part not in names:
        names.append(part)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            target.writestr(name, parts[name])
