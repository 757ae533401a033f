"""Rewrite a workbook our builder wrote the way Excel's own writer stores it.

No Excel runs here, so these shapes are learned from files Excel saved, in public test suites
(the ``formulas`` package's ``test/test_files/test.xlsx``, saved by Microsoft Excel for Mac):

- defined names and references quote a sheet name only when it needs quotes
  (``INPUT_A`` → ``DATA!$A$2``);
- a formula copied along a row or column is stored once, as a shared formula
  (``<f t="shared" ref="C3:C17" si="0">D3-B3</f>``), each other cell of the range holding
  only ``<f t="shared" si="0"/>`` and its own result;
- a truth value is ``t="b"`` with ``<v>1</v>``/``<v>0</v>``, an error ``t="e"`` with
  ``<v>#VALUE!</v>``, a text result ``t="str"``; numbers carry 17 significant digits
  (``0.82499999999999996``, ``9.9999999999999998E+23``);
- a calculation chain part (``xl/calcChain.xml``) lists every formula cell;
- ``docProps/app.xml`` names the application ``Microsoft Excel``.
"""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

from openpyxl.formula.translate import Translator

CALC_CHAIN_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"
CALC_CHAIN_RELATION = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain"
)

_CELL = re.compile(r'<c r="([A-Z]+)(\d+)"([^>]*)><f>([^<]*)</f>(<v>[^<]*</v>|<v/>)?</c>')


def _excel_number(text: str) -> str:
    """A stored number as Excel writes it: 17 significant digits, whole numbers bare."""
    value = float(text)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.17G}"


def _share_formulas(xml: str) -> tuple[str, int]:
    """Store each run of cells down a column whose formulas are one formula copied as one
    shared formula, as Excel does. Returns the XML and how many shared formulas it holds."""
    cells = [
        (match, match.group(1), int(match.group(2)), html.unescape(match.group(4)))
        for match in _CELL.finditer(xml)
    ]
    by_column: dict[str, list[tuple[re.Match[str], int, str]]] = {}
    for match, column, row, formula in cells:
        by_column.setdefault(column, []).append((match, row, formula))
    replacements: dict[int, str] = {}
    shared = 0
    for column, column_cells in by_column.items():
        column_cells.sort(key=lambda item: item[1])
        start = 0
        while start < len(column_cells):
            match, row, formula = column_cells[start]
            end = start + 1
            while end < len(column_cells):
                _, next_row, next_formula = column_cells[end]
                if next_row != row + (end - start):
                    break
                translated = Translator("=" + formula, f"{column}{row}").translate_formula(
                    f"{column}{next_row}"
                )
                if translated != "=" + next_formula:
                    break
                end += 1
            if end - start >= 2:
                last_row = column_cells[end - 1][1]
                index = shared
                shared += 1
                for position in range(start, end):
                    cell, _, _ = column_cells[position]
                    attributes, value = cell.group(3), cell.group(5) or ""
                    if position == start:
                        body = (
                            f'<f t="shared" ref="{column}{row}:{column}{last_row}" '
                            f'si="{index}">{cell.group(4)}</f>'
                        )
                    else:
                        body = f'<f t="shared" si="{index}"/>'
                    replacements[cell.start()] = (
                        f'<c r="{cell.group(1)}{cell.group(2)}"{attributes}>{body}{value}</c>'
                    )
            start = end
    out, position = [], 0
    for match, _, _, _ in cells:
        if match.start() in replacements:
            out.append(xml[position : match.start()])
            out.append(replacements[match.start()])
            position = match.end()
    out.append(xml[position:])
    return "".join(out), shared


def save_as_excel(source: Path, target: Path) -> dict[str, int]:
    """Write ``source`` to ``target`` in Excel's shapes; returns what it rewrote (counts)."""
    with zipfile.ZipFile(source) as archive:
        infos = archive.infolist()
        data = {info.filename: archive.read(info.filename) for info in infos}
    counts = {"shared formulas": 0, "unquoted references": 0, "formula cells": 0}
    book = data["xl/workbook.xml"].decode("utf-8")
    sheet_ids = re.findall(r'<sheet [^>]*sheetId="(\d+)"[^>]*r:id="([^"]+)"', book)
    rels = data["xl/_rels/workbook.xml.rels"].decode("utf-8")
    parts = {}
    for element in re.findall(r"<Relationship [^>]*>", rels):
        relation = re.search(r' Id="([^"]+)"', element)
        found = re.search(r' Target="/?(?:xl/)?([^"]+)"', element)
        if relation and found:
            parts[relation.group(1)] = "xl/" + found.group(1)

    def unquote(text: str) -> str:
        new, count = re.subn(r"'([A-Za-z_][A-Za-z0-9_.]*)'!", r"\1!", text)
        counts["unquoted references"] += count
        return new

    data["xl/workbook.xml"] = unquote(book).encode("utf-8")
    chain: list[str] = []
    for sheet_id, relation in sheet_ids:
        part = parts[relation]
        xml = data[part].decode("utf-8")
        xml = re.sub(
            r"<f([^>]*)>([^<]*)</f>", lambda m: f"<f{m.group(1)}>{unquote(m.group(2))}</f>", xml
        )
        xml = re.sub(  # numbers only: a cell without a type
            r'(<c r="[A-Z]+\d+"(?: s="\d+")?><f[^>]*>[^<]*</f>)<v>([^<]+)</v>',
            lambda m: f"{m.group(1)}<v>{_excel_number(m.group(2))}</v>",
            xml,
        )
        xml, shared = _share_formulas(xml)
        counts["shared formulas"] += shared
        for reference in re.findall(r'<c r="([A-Z]+\d+)"[^>]*><f', xml):
            chain.append(f'<c r="{reference}" i="{sheet_id}"/>')
        counts["formula cells"] += len(re.findall(r"<c [^>]*><f", xml))
        data[part] = xml.encode("utf-8")
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    data["xl/calcChain.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain xmlns="{main}">'
        + "".join(chain)
        + "</calcChain>"
    ).encode("utf-8")
    types = data["[Content_Types].xml"].decode("utf-8")
    types = types.replace(
        "</Types>",
        f'<Override PartName="/xl/calcChain.xml" ContentType="{CALC_CHAIN_TYPE}"/></Types>',
    )
    data["[Content_Types].xml"] = types.encode("utf-8")
    data["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rIdCalcChain" Type="{CALC_CHAIN_RELATION}" '
        'Target="calcChain.xml"/></Relationships>',
    ).encode("utf-8")
    app = data.get("docProps/app.xml", b"").decode("utf-8")
    data["docProps/app.xml"] = re.sub(
        r"<Application>[^<]*</Application>", "<Application>Microsoft Excel</Application>", app
    ).encode("utf-8")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in infos:
            out.writestr(info, data[info.filename])
        out.writestr("xl/calcChain.xml", data["xl/calcChain.xml"])
    return counts
