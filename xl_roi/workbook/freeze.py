"""Freeze a workbook: a values-only copy for readers without the Excel functions.

Every formula is removed and its stored result kept, at the level of the file's XML, so that
everything else — styles, names, validation, charts, print settings — stays as it was. The
source is read through the guarded reader (:mod:`xl_roi.workbook.guard`): each part is unpacked
in chunks under the same limits as ``check``, and each worksheet passes once through a
streaming XML parser that writes the copy as it reads (linear time, flat memory, any DTD or
entity refused). A workbook saved by a program that does not calculate (openpyxl, many
scripts) holds formulas without results: its copy would be blank, so it is refused.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Any

from xl_roi.files import same_file, write_atomic
from xl_roi.text import looks_like_formula
from xl_roi.workbook.build import FROZEN_WORDING
from xl_roi.workbook.guard import (
    WORKBOOK_LIMITS,
    Budget,
    Limits,
    PartKinds,
    UncalculatedWorkbookError,
    WorkbookError,
    check_file,
    feed_xml,
    open_archive,
    part_kinds,
    stream_part,
    xml_parser,
)

__all__ = ["UncalculatedWorkbookError", "freeze_workbook"]

_CALC_CHAIN = "xl/calcChain.xml"
_MAX_CELL_FORMATS = 64_000
"""Cell formats a workbook may hold (Excel's limit is about 64,000)."""
_MAX_CELL_CHARS = 1_000_000
"""A cell's XML longer than this is no spreadsheet cell (Excel holds at most 32,767 characters)."""


def _escape_text(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _escape_attribute(text: str) -> str:
    return _escape_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _tag(name: str, attributes: list[str]) -> str:
    pairs = "".join(
        f' {attributes[i]}="{_escape_attribute(attributes[i + 1])}"'
        for i in range(0, len(attributes), 2)
    )
    return f"<{name}{pairs}"


class _Copier:
    """Re-serialise a part from expat's events, optionally dropping elements.

    ``drop(name, attributes)`` decides whether an element (and everything in it) is left out.
    Empty elements are written ``<x/>``; the XML declaration is kept; comments and processing
    instructions are kept.
    """

    def __init__(self, parser: Any) -> None:
        self.out: list[str] = []
        self._open: str | None = None  # a start tag not yet closed: maybe an empty element
        self._skip_depth = 0
        parser.ordered_attributes = True
        parser.buffer_text = True  # a text node arrives whole, so its wording can be swapped
        parser.XmlDeclHandler = self.declaration
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.text
        parser.CommentHandler = self.comment
        parser.ProcessingInstructionHandler = self.instruction

    def drop(self, name: str, attributes: list[str]) -> bool:
        return False

    def _close_open(self) -> None:
        if self._open is not None:
            self.out.append(self._open + ">")
            self._open = None

    def declaration(self, version: str | None, encoding: str | None, standalone: int) -> None:
        standalone_text = {1: ' standalone="yes"', 0: ' standalone="no"'}.get(standalone, "")
        self.out.append(f'<?xml version="{version or "1.0"}" encoding="UTF-8"{standalone_text}?>')

    def start(self, name: str, attributes: list[str]) -> None:
        if self._skip_depth or self.drop(name, attributes):
            self._skip_depth += 1
            return
        self._close_open()
        self._open = _tag(name, attributes)

    def end(self, name: str) -> None:
        if self._skip_depth:
            self._skip_depth -= 1
            return
        if self._open is not None:
            self.out.append(self._open + "/>")
            self._open = None
        else:
            self.out.append(f"</{name}>")

    def text(self, data: str) -> None:
        data = FROZEN_WORDING.get(data, data)  # a frozen copy never asks to fill anything in
        if self._skip_depth:
            return
        self._close_open()
        self.out.append(_escape_text(data))

    def comment(self, data: str) -> None:
        if not self._skip_depth:
            self._close_open()
            self.out.append(f"<!--{data}-->")

    def instruction(self, target: str, data: str) -> None:
        if not self._skip_depth:
            self._close_open()
            self.out.append(f"<?{target} {data}?>")

    def take(self) -> bytes:
        data = "".join(self.out).encode("utf-8")
        self.out.clear()
        return data


class _CalcChainDropper(_Copier):
    """Drop the content type and relationship that point at the calculation chain."""

    def drop(self, name: str, attributes: list[str]) -> bool:
        return _local(name) in ("Override", "Relationship") and any(
            "calcChain" in value for value in attributes[1::2]
        )


class _StylesCopier(_Copier):
    """Copy the styles, adding after the cell formats a copy of each with a quote prefix.

    A formula whose result is text that looks like a formula (Pitch!A1 is ``<case name>:
    <verdict>``, and a case may be named ``=HYPERLINK(…)``) becomes, in the frozen copy, a
    text cell in format ``s + count``: the same format with a quote prefix, so that editing
    the cell in Excel (F2, Enter) keeps it text.
    """

    def __init__(self, parser: Any, count: int) -> None:
        super().__init__(parser)
        self.count = count
        self._depth = 0  # inside <cellXfs>: 1; inside one of its <xf>: 2 and deeper
        self._events: list[str] = []
        self._clones: list[str] = []

    def start(self, name: str, attributes: list[str]) -> None:
        local = _local(name)
        if self._depth == 0 and local == "cellXfs":
            self._depth = 1
            pairs = list(zip(attributes[::2], attributes[1::2], strict=True))
            pairs = [(k, str(2 * self.count) if k == "count" else v) for k, v in pairs]
            attributes = [item for pair in pairs for item in pair]
        elif self._depth >= 1:
            if self._depth == 1:
                pairs = [
                    (k, v)
                    for k, v in zip(attributes[::2], attributes[1::2], strict=True)
                    if k != "quotePrefix"
                ]
                clone = [item for pair in [*pairs, ("quotePrefix", "1")] for item in pair]
                self._events = [_tag(name, clone) + ">"]
            else:
                self._events.append(_tag(name, attributes) + ">")
            self._depth += 1
        super().start(name, attributes)

    def end(self, name: str) -> None:
        if self._depth == 1:  # </cellXfs>: the copies go last
            self._depth = 0
            self._close_open()
            self.out.extend(self._clones)
        elif self._depth >= 2:
            self._events.append(f"</{name}>")
            self._depth -= 1
            if self._depth == 1:
                self._clones.append("".join(self._events))
        super().end(name)

    def text(self, data: str) -> None:
        if self._depth >= 2:
            self._events.append(_escape_text(data))
        super().text(data)


def _cell_formats(archive: zipfile.ZipFile, part: str, budget: Budget, path: Path) -> int:
    """How many cell formats (``<xf>`` in ``<cellXfs>``) the styles part holds."""
    count = 0
    depth = 0

    def start(name: str, _attributes: Any) -> None:
        nonlocal count, depth
        local = _local(name)
        if depth == 0 and local == "cellXfs":
            depth = 1
        elif depth >= 1:
            count += depth == 1 and local == "xf"
            depth += 1

    def end(name: str) -> None:
        nonlocal depth
        if depth >= 1:
            depth -= 1

    parser = xml_parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    feed_xml(parser, stream_part(archive, archive.getinfo(part), budget), path, part)
    return count


class _SheetFreezer(_Copier):
    """Drop every formula, keep its stored result; a text result becomes an inline string.

    A cell is buffered until it closes (a cell is small: Excel holds at most 32,767
    characters), then written without its ``<f>``. Formula cells without a stored result are
    counted.
    """

    def __init__(self, parser: Any, path: Path, part: str, quoted: int | None = None) -> None:
        super().__init__(parser)
        self.path, self.part = path, part
        self.quoted = quoted  # cell format s + quoted: format s with a quote prefix
        self.uncalculated = 0
        self.first_uncalculated: list[str] = []
        self._cell: list[str] | None = None  # the cell's start name and attributes
        self._cell_chars = 0
        self._cell_parts: list[tuple[str, Any]] = []
        self._has_formula = False
        self._value: list[str] | None = None  # text of <v>, while inside it
        self._value_text: str | None = None
        self._depth_in_cell = 0
        self._in_formula = 0

    def start(self, name: str, attributes: list[str]) -> None:
        if self._cell is None:
            if _local(name) == "c" and not self._skip_depth:
                self._close_open()
                self._cell = [name, *attributes]
                self._cell_parts, self._has_formula, self._value_text = [], False, None
                self._cell_chars, self._depth_in_cell, self._in_formula = 0, 0, 0
                return
            super().start(name, attributes)
            return
        self._depth_in_cell += 1
        if self._in_formula:
            self._in_formula += 1
            return
        local = _local(name)
        if local == "f" and self._depth_in_cell == 1:
            self._has_formula, self._in_formula = True, 1
            return
        if local == "v" and self._depth_in_cell == 1:
            self._value = []
        self._cell_parts.append(("start", (name, attributes)))

    def end(self, name: str) -> None:
        if self._cell is None:
            super().end(name)
            return
        if self._depth_in_cell == 0:
            self._finish_cell(name)
            return
        self._depth_in_cell -= 1
        if self._in_formula:
            self._in_formula -= 1
            return
        if self._value is not None and self._depth_in_cell == 0:
            self._value_text = "".join(self._value)
            self._value = None
        self._cell_parts.append(("end", name))

    def text(self, data: str) -> None:
        data = FROZEN_WORDING.get(data, data)  # a frozen copy never asks to fill anything in
        if self._cell is None:
            super().text(data)
            return
        self._cell_chars += len(data)
        if self._cell_chars > _MAX_CELL_CHARS:
            raise WorkbookError(
                f"{self.path}: corrupt workbook: a cell in part {self.part} holds more than "
                f"{_MAX_CELL_CHARS:,} characters"
            )
        if self._in_formula:
            return
        if self._value is not None:
            self._value.append(data)
        self._cell_parts.append(("text", data))

    def _finish_cell(self, name: str) -> None:
        assert self._cell is not None
        attributes = self._cell[1:]
        values = dict(zip(attributes[::2], attributes[1::2], strict=True))
        kind = values.get("t", "n")
        blank = self._value_text is None or (self._value_text == "" and kind != "str")
        if self._has_formula and blank:  # openpyxl writes <v/>; a text result may be empty
            self.uncalculated += 1
            if len(self.first_uncalculated) < 3:
                self.first_uncalculated.append(values.get("r", "?"))
        if values.get("t") == "str" and self._value_text is not None:
            pairs = [
                (key, "inlineStr" if key == "t" else value)
                for key, value in zip(attributes[::2], attributes[1::2], strict=True)
            ]
            if self.quoted is not None and looks_like_formula(self._value_text):
                style = str(int(values.get("s", "0") or 0) + self.quoted)
                pairs = [(k, v) for k, v in pairs if k != "s"] + [("s", style)]
            flat = [item for pair in pairs for item in pair]
            text = _escape_text(self._value_text)
            self.out.append(
                f'{_tag(name, flat)}><is><t xml:space="preserve">{text}</t></is></{name}>'
            )
        else:
            self.out.append(_tag(name, attributes))
            if not self._cell_parts:
                self.out.append("/>")
            else:
                self.out.append(">")
                open_tag: str | None = None
                for kind, item in self._cell_parts:
                    if open_tag is not None:
                        self.out.append(open_tag + ("/>" if kind == "end" else ">"))
                        if kind == "end":
                            open_tag = None
                            continue
                        open_tag = None
                    if kind == "start":
                        open_tag = _tag(*item)
                    elif kind == "end":
                        self.out.append(f"</{item}>")
                    else:
                        self.out.append(_escape_text(item))
                if open_tag is not None:  # pragma: no cover - expat always closes elements
                    self.out.append(open_tag + ">")
                self.out.append(f"</{name}>")
        self._cell = None
        self._cell_parts = []


def _freeze_sheet_xml(data: bytes) -> tuple[bytes, int]:
    """One worksheet's XML without formulas, and how many formula cells had no result."""
    parser = xml_parser()
    freezer = _SheetFreezer(parser, Path("sheet"), "sheet.xml")
    feed_xml(parser, [data], "sheet", "sheet.xml")
    return freezer.take(), freezer.uncalculated


def _copy_part(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    out: zipfile.ZipFile,
    budget: Budget,
    path: Path,
    kinds: PartKinds,
    formats: int | None = None,
) -> _SheetFreezer | None:
    """Copy one part through the guard into ``out``; a worksheet loses its formulas.

    What a part is comes from the package (content types, relationships), not its name."""
    name = info.filename
    target = zipfile.ZipInfo(name, date_time=info.date_time)
    target.compress_type = zipfile.ZIP_DEFLATED
    target.external_attr = info.external_attr
    with out.open(target, "w") as stream:
        if not kinds.is_xml(name):
            for chunk in stream_part(archive, info, budget):
                stream.write(chunk)
            return None
        parser = xml_parser()
        copier: _Copier
        if kinds.is_sheet(name):
            copier = _SheetFreezer(parser, path, name, formats)

            def start_cell(name_: str, attributes: list[str], copier: Any = copier) -> None:
                if copier._cell is None and _local(name_) == "c":
                    budget.spend_cells(1)
                copier.start(name_, attributes)

            parser.StartElementHandler = start_cell
        elif name in ("[Content_Types].xml", "xl/_rels/workbook.xml.rels"):
            copier = _CalcChainDropper(parser)
        elif name == kinds.styles and formats is not None:
            copier = _StylesCopier(parser, formats)
        else:
            copier = _Copier(parser)
            if name == "xl/sharedStrings.xml":

                def start_string(name_: str, attributes: list[str], copier: Any = copier) -> None:
                    if _local(name_) == "si":
                        budget.spend_strings(1)
                    copier.start(name_, attributes)

                parser.StartElementHandler = start_string

        def flush() -> None:
            stream.write(copier.take())

        feed_xml(parser, stream_part(archive, info, budget), path, name, after_chunk=flush)
        flush()
        return copier if isinstance(copier, _SheetFreezer) else None


def _sheet_titles(source: Path, limits: Limits) -> dict[str, str]:
    """Each worksheet part's title (``xl/worksheets/sheet3.xml`` → ``Calculations``)."""
    budget = Budget(source, limits)
    ids: dict[str, str] = {}
    targets: dict[str, str] = {}

    def sheet(name: str, attributes: dict[str, str]) -> None:
        if _local(name) == "sheet":
            relation = next((v for k, v in attributes.items() if _local(k) == "id"), None)
            if relation is not None:
                ids[relation] = attributes.get("name", "")

    def relationship(name: str, attributes: dict[str, str]) -> None:
        if _local(name) == "Relationship" and "Id" in attributes:
            target = attributes.get("Target", "").lstrip("/")
            targets[attributes["Id"]] = target if target.startswith("xl/") else f"xl/{target}"

    with open(source, "rb") as stream, zipfile.ZipFile(stream) as archive:
        for part, handler in (
            ("xl/workbook.xml", sheet),
            ("xl/_rels/workbook.xml.rels", relationship),
        ):
            try:
                info = archive.getinfo(part)
            except KeyError:
                return {}
            parser = xml_parser()
            parser.StartElementHandler = handler
            feed_xml(parser, stream_part(archive, info, budget), source, part)
    return {targets[relation]: title for relation, title in ids.items() if relation in targets}


def freeze_workbook(
    source: str | Path,
    target: str | Path,
    *,
    force: bool = False,
    limits: Limits = WORKBOOK_LIMITS,
) -> Path:
    """Write a values-only copy of ``source`` to ``target`` (the source is never touched).

    Raises
    ------
    WorkbookError
        When the source cannot be read as a workbook, or is hostile or too large.
    UncalculatedWorkbookError
        When formula cells hold no stored result (saved by a program that does not
        calculate): the copy would show them blank, so nothing is written.
    OverwriteRefusedError
        When the target exists and ``force`` is false.

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> from xl_roi import example_case
    >>> from xl_roi.workbook.build import save_workbook
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = save_workbook(example_case(), folder / "case.xlsx")
    >>> frozen = freeze_workbook(folder / "case.xlsx", folder / "frozen.xlsx")
    >>> sheet = openpyxl.load_workbook(frozen)["Calculations"]
    >>> sheet["B35"].value
    10560.0
    """
    source = Path(source)
    if same_file(source, target):
        raise WorkbookError(f"{target}: the frozen copy must not replace its source")
    check_file(source, limits)
    budget = Budget(source, limits)

    def write(temporary: Path) -> None:
        uncalculated: list[tuple[str, _SheetFreezer]] = []
        with open(source, "rb") as stream:
            infos = open_archive(source, limits, stream)
            with (
                zipfile.ZipFile(stream) as archive,
                zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as out,
            ):
                kinds = part_kinds(archive, infos, Budget(source, limits), source)
                formats = None
                if kinds.styles is not None:
                    styles_budget = Budget(source, limits)
                    formats = _cell_formats(archive, kinds.styles, styles_budget, source) or None
                    if formats is not None and 2 * formats > _MAX_CELL_FORMATS:
                        formats = None  # no room for quoted copies: leave the formats as they are
                for info in infos:
                    if info.filename == _CALC_CHAIN:
                        continue
                    sheet = _copy_part(archive, info, out, budget, source, kinds, formats)
                    if sheet is not None and sheet.uncalculated:
                        uncalculated.append((info.filename, sheet))
        if uncalculated:
            count = sum(sheet.uncalculated for _, sheet in uncalculated)
            part, first = uncalculated[0]
            title = _sheet_titles(source, limits).get(part, os.path.basename(part))
            cells = ", ".join(f"{title}!{cell}" for cell in first.first_uncalculated)
            raise UncalculatedWorkbookError(
                f"{source}: {count:,} formula cells hold no stored result (first: {cells}): it "
                "was saved by a program that does not "
                "calculate, so a frozen copy would be blank. Nothing written. Recompute it "
                f"first: `xl-roi build {source}` rebuilds it from its inputs with every result "
                "stored (or open and save it in Excel or LibreOffice), then freeze that copy"
            )

    return write_atomic(target, write, force=force)
