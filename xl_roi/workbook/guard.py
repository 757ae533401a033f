"""The guarded reader: open a user's ``.xlsx`` archive under limits, before anything parses it.

A workbook is a zip archive of XML parts, and both layers can be hostile: headers that lie about
sizes, parts that unpack thousands of times over (zip bombs), XML that declares entities
(billion laughs, external entities), XML that is not XML at all, or an honest-looking file with
millions of cells that would take gigabytes to load. Every command that reads a workbook goes
through :func:`scan_archive` (``check``, ``build``, ``pitch``, ``screen``) or streams its parts
through :func:`stream_part` and :func:`xml_parser` (``freeze``), so each refusal is the same
everywhere.

What is trusted is what is actually unpacked, never what the headers declare: each part is
decompressed in chunks, counted against the limits, and parsed by a linear streaming XML
parser (expat) that refuses any document type declaration. A big honest file differs from a
bomb in its ratio (honest XML packs perhaps 5 to 30 times; a bomb hundreds to a thousand
times) and in that its cost is bounded by the limits of the job it is read for
(:data:`WORKBOOK_LIMITS` for a case workbook, :data:`ENDPOINTS_LIMITS` for a table of
endpoints).
"""

from __future__ import annotations

import errno
import os
import stat
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from xml.parsers import expat

from xl_roi.errors import UncalculatedWorkbookError, WorkbookError

__all__ = [
    "ENDPOINTS_LIMITS",
    "WORKBOOK_LIMITS",
    "ArchiveScan",
    "Budget",
    "Limits",
    "PartKinds",
    "UncalculatedWorkbookError",
    "WorkbookError",
    "check_file",
    "feed_xml",
    "open_archive",
    "part_kinds",
    "scan_archive",
    "stream_part",
    "xml_parser",
]

CHUNK_BYTES = 1 << 20
"""Parts are unpacked and parsed this many bytes at a time: memory stays flat."""


@dataclass(frozen=True)
class Limits:
    """What one read of a workbook may cost.

    Attributes
    ----------
    file_bytes : int
        The file's size on disk.
    unpacked_bytes : int
        All parts together, as actually unpacked (not as declared).
    ratio : int
        A part past a megabyte that unpacks to more than this many times its packed size is a
        zip bomb: honest XML packs 5 to 30 times, a sheet of identical rows perhaps 250 times,
        a bomb up to deflate's limit of about 1,030 times. Whatever the ratio, the unpacked
        bytes actually read are bounded by ``unpacked_bytes``.
    parts : int
        Parts in the archive.
    cells : int
        Cells in all worksheets together.
    shared_strings : int
        Entries in the shared-strings table.
    seconds : float
        Wall-clock time for the guarded pass over the file.
    """

    file_bytes: int
    unpacked_bytes: int
    ratio: int
    parts: int
    cells: int
    shared_strings: int
    seconds: float


WORKBOOK_LIMITS = Limits(
    file_bytes=50_000_000,
    unpacked_bytes=100_000_000,
    ratio=500,
    parts=10_000,
    cells=200_000,
    shared_strings=200_000,
    seconds=60.0,
)
"""A case workbook: the template holds a few thousand cells; a hundred times that is refused
before openpyxl loads it (a 13 MB workbook of millions of cells took 10.6 GB and 382 s)."""

ENDPOINTS_LIMITS = Limits(
    file_bytes=200_000_000,
    unpacked_bytes=2_000_000_000,
    ratio=500,
    parts=10_000,
    cells=15_000_000,
    shared_strings=5_000_000,
    seconds=600.0,
)
"""A table of endpoints: read as a stream, so a million-row sheet is allowed."""


class Budget:
    """What a read has spent so far against its :class:`Limits`; refuses past any of them.

    Examples
    --------
    >>> budget = Budget("book.xlsx", WORKBOOK_LIMITS)
    >>> budget.spend_cells(10)
    >>> budget.spend_cells(WORKBOOK_LIMITS.cells)
    Traceback (most recent call last):
    ...
    xl_roi.errors.WorkbookError: book.xlsx: more than 200,000 cells: ...
    """

    def __init__(self, path: str | Path, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self.unpacked_bytes = 0
        self.cells = 0
        self.shared_strings = 0
        self._deadline = time.monotonic() + limits.seconds

    def spend_bytes(self, count: int) -> None:
        """Count unpacked bytes; refuse past the limit or the deadline."""
        self.unpacked_bytes += count
        if self.unpacked_bytes > self.limits.unpacked_bytes:
            raise WorkbookError(
                f"{self.path}: unpacks to more than {self.limits.unpacked_bytes:,} bytes: "
                "refused as too large for this tool (or a zip bomb)"
            )
        if time.monotonic() > self._deadline:
            raise WorkbookError(
                f"{self.path}: reading it took more than {self.limits.seconds:g} seconds: refused"
            )

    def spend_cells(self, count: int) -> None:
        """Count worksheet cells; refuse past the limit."""
        self.cells += count
        if self.cells > self.limits.cells:
            raise WorkbookError(
                f"{self.path}: more than {self.limits.cells:,} cells: refused as too large to "
                "read safely (a case workbook holds a few thousand; delete the extra sheets "
                "or data)"
            )

    def spend_strings(self, count: int) -> None:
        """Count shared strings; refuse past the limit."""
        self.shared_strings += count
        if self.shared_strings > self.limits.shared_strings:
            raise WorkbookError(
                f"{self.path}: more than {self.limits.shared_strings:,} distinct texts: refused "
                "as too large to read safely"
            )


@dataclass(frozen=True)
class ArchiveScan:
    """What :func:`scan_archive` found: the parts and what they hold."""

    parts: tuple[str, ...]
    unpacked_bytes: int
    cells: int
    shared_strings: int


class _HostileXMLError(Exception):
    """Raised from inside the XML parser on a document type or entity declaration."""


def _refuse_dtd(*_: Any) -> None:
    raise _HostileXMLError("a DTD")


def _refuse_entity(*_: Any) -> None:
    raise _HostileXMLError("an entity")


def xml_parser() -> Any:
    """An expat parser that refuses any DTD or entity (billion laughs, external entities).

    Expat is linear in its input, and this parser never fetches anything. Feed it with
    :func:`feed_xml`, which turns its refusals and syntax errors into :class:`WorkbookError`.

    Examples
    --------
    >>> parser = xml_parser()
    >>> feed_xml(parser, [b'<!DOCTYPE x [<!ENTITY a "aa">]><x>&a;</x>'], "book.xlsx", "x.xml")
    Traceback (most recent call last):
    ...
    xl_roi.errors.WorkbookError: book.xlsx: refused: its XML declares entities or a DTD ...
    """
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_entity
    parser.ExternalEntityRefHandler = _refuse_entity  # type: ignore[assignment]
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    return parser


def feed_xml(
    parser: Any,
    chunks: Iterator[bytes] | list[bytes],
    path: str | Path,
    part: str,
    after_chunk: Callable[[], None] | None = None,
) -> None:
    """Parse a part chunk by chunk; refuse hostile or malformed XML with a clear error."""
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
            if after_chunk is not None:
                after_chunk()
        parser.Parse(b"", True)
    except _HostileXMLError as refusal:
        raise WorkbookError(
            f"{path}: refused: its XML declares entities or a DTD ({refusal} in part {part}; "
            "entities can expand to gigabytes or read other files)"
        ) from None
    except expat.ExpatError as error:
        raise WorkbookError(
            f"{path}: corrupt workbook: part {part} is not well-formed XML "
            f"({expat.ErrorString(error.code)}, line {error.lineno})"
        ) from None


def check_file(path: Path, limits: Limits) -> int:
    """The size of a regular file at ``path``; refuse anything else with its own message.

    A pipe or device is refused before it is opened (reading one can block for ever).
    """
    try:
        status = os.stat(path)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise WorkbookError(f"{path}: a loop of symbolic links, not a file") from None
        if error.errno in (errno.ENOENT, errno.ENOTDIR):
            raise WorkbookError(f"{path}: no such file") from None
        raise WorkbookError(f"{path}: cannot be read ({error.strerror})") from None
    if stat.S_ISDIR(status.st_mode):
        raise WorkbookError(f"{path}: is not a file (it is a folder)")
    if not stat.S_ISREG(status.st_mode):
        raise WorkbookError(f"{path}: is not a file (a device, pipe or socket)")
    if status.st_size > limits.file_bytes:
        raise WorkbookError(
            f"{path}: {status.st_size:,} bytes is too large (at most {limits.file_bytes:,})"
        )
    return status.st_size


_CORRUPT = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError)


def open_archive(path: Path, limits: Limits, stream: BinaryIO) -> list[zipfile.ZipInfo]:
    """Read the archive's directory and refuse what its headers already give away."""
    try:
        archive = zipfile.ZipFile(stream)
        infos = archive.infolist()
    except zipfile.BadZipFile:
        raise WorkbookError(f"{path}: not an .xlsx workbook (not a zip archive)") from None
    except _CORRUPT as error:
        raise WorkbookError(f"{path}: corrupt workbook ({error})") from None
    if len(infos) > limits.parts:
        raise WorkbookError(f"{path}: {len(infos):,} parts is not a workbook this tool can read")
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise WorkbookError(f"{path}: corrupt workbook (two parts share a name)")
    declared = sum(info.file_size for info in infos)
    if declared > limits.unpacked_bytes:
        raise WorkbookError(
            f"{path}: unpacks to {declared:,} bytes (at most {limits.unpacked_bytes:,}): "
            "refused as too large for this tool (or a zip bomb)"
        )
    for info in infos:
        _check_ratio(path, info, info.file_size, limits)
        if info.flag_bits & 0x1:
            raise WorkbookError(f"{path}: encrypted workbook: save it without a password")
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise WorkbookError(f"{path}: a zip archive, but not an .xlsx workbook")
    return infos


def _check_ratio(path: Path, info: zipfile.ZipInfo, unpacked: int, limits: Limits) -> None:
    packed = max(info.compress_size, 1)
    if unpacked > 1_000_000 and unpacked > limits.ratio * packed:
        raise WorkbookError(
            f"{path}: part {info.filename} unpacks {unpacked // packed:,} times its size: refused "
            "as a possible zip bomb"
        )


def stream_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget) -> Iterator[bytes]:
    """Unpack one part chunk by chunk, counting what is actually unpacked against the budget.

    Corrupt data (a flipped bit, a bad checksum, headers that lie) becomes a
    :class:`WorkbookError`, never a raw ``zlib`` error.
    """
    unpacked = 0
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(CHUNK_BYTES)
                if not chunk:
                    break
                unpacked += len(chunk)
                budget.spend_bytes(len(chunk))
                _check_ratio(Path(str(budget.path)), info, unpacked, budget.limits)
                yield chunk
    except WorkbookError:
        raise
    except _CORRUPT as error:
        raise WorkbookError(
            f"{budget.path}: corrupt workbook: part {info.filename} cannot be unpacked ({error})"
        ) from None


def is_xml_part(name: str) -> bool:
    """Whether a part's name says it is XML (see :class:`PartKinds` for what the package says)."""
    return name.lower().endswith((".xml", ".rels", ".vml"))


def is_sheet_part(name: str) -> bool:
    """Whether a part's name says it is a worksheet (see :class:`PartKinds`)."""
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


_SHEET_WORDS = ("worksheet", "macrosheet", "dialogsheet")
"""Content and relationship types of parts holding cells (and so formulas)."""


@dataclass(frozen=True)
class PartKinds:
    """What the package says its parts are: by ``[Content_Types].xml`` (by part name, or by
    extension) and by the relationships pointing at them, whatever the parts are named. A part
    named ``sheet2.bin`` that the package calls a worksheet is parsed as one (its DTD refused,
    its formulas removed by ``freeze``); what its name says counts too.
    """

    xml: frozenset[str]
    sheets: frozenset[str]
    styles: str | None = None
    """The part holding the cell styles (``xl/styles.xml`` as a rule), if any."""

    def is_xml(self, name: str) -> bool:
        """Whether the part is XML, by its content type or its name."""
        return name in self.xml or name in self.sheets or is_xml_part(name)

    def is_sheet(self, name: str) -> bool:
        """Whether the part holds cells, by its content type, a relationship, or its name."""
        return name in self.sheets or is_sheet_part(name)


def _is_xml_type(content_type: str) -> bool:
    kind = content_type.strip().lower().split(";")[0]
    return kind.endswith("+xml") or kind in ("application/xml", "text/xml")


def _is_sheet_type(kind: str) -> bool:
    last = kind.strip().lower().split(";")[0].rsplit("/", 1)[-1]
    return any(word in last for word in _SHEET_WORDS)


def _rels_target(rels_part: str, target: str) -> str:
    """The part a relationship in ``rels_part`` points at (``xl/_rels/workbook.xml.rels`` and
    ``worksheets/sheet1.xml`` → ``xl/worksheets/sheet1.xml``)."""
    import posixpath

    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    folder = posixpath.dirname(posixpath.dirname(rels_part))  # xl/_rels/x.rels → xl
    return posixpath.normpath(posixpath.join(folder, target))


def part_kinds(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], budget: Budget, path: str | Path
) -> PartKinds:
    """Read ``[Content_Types].xml`` and every relationships part (guarded): which parts are
    XML and which hold cells, as the package says.

    Examples
    --------
    >>> import tempfile, pathlib, zipfile
    >>> from xl_roi import example_case
    >>> from xl_roi.workbook.build import save_workbook
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "case.xlsx"
    >>> _ = save_workbook(example_case(), target)
    >>> with zipfile.ZipFile(target) as archive:
    ...     kinds = part_kinds(archive, archive.infolist(), Budget(target, WORKBOOK_LIMITS), target)
    >>> "xl/worksheets/sheet1.xml" in kinds.sheets
    True
    """
    names = {info.filename for info in infos}
    by_name = {info.filename: info for info in infos}
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}
    sheets: set[str] = set()

    def content_type(name: str, attributes: dict[str, str]) -> None:
        local = _local(name)
        kind = attributes.get("ContentType", "")
        if local == "Default" and "Extension" in attributes:
            defaults[attributes["Extension"].lower()] = kind
        elif local == "Override" and "PartName" in attributes:
            overrides[attributes["PartName"].lstrip("/")] = kind

    parts: list[tuple[str, Callable[[str, dict[str, str]], None]]] = []
    if "[Content_Types].xml" in names:
        parts.append(("[Content_Types].xml", content_type))
    for name in sorted(names):
        if name.lower().endswith(".rels"):

            def relationship(tag: str, attributes: dict[str, str], rels: str = name) -> None:
                if (
                    _local(tag) == "Relationship"
                    and attributes.get("TargetMode", "Internal") != "External"
                    and _is_sheet_type(attributes.get("Type", ""))
                ):
                    sheets.add(_rels_target(rels, attributes.get("Target", "")))

            parts.append((name, relationship))
    for name, handler in parts:
        parser = xml_parser()
        parser.StartElementHandler = handler
        feed_xml(parser, stream_part(archive, by_name[name], budget), path, name)
    xml: set[str] = set()
    styles = None
    for name in sorted(names):
        kind = overrides.get(name)
        if kind is None:
            kind = defaults.get(name.rpartition(".")[2].lower(), "")
        if _is_xml_type(kind):
            xml.add(name)
        if _is_sheet_type(kind):
            sheets.add(name)
        if kind.strip().lower().endswith("spreadsheetml.styles+xml"):
            styles = name
    return PartKinds(frozenset(xml), frozenset(sheets & names), styles)


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def scan_archive(path: str | Path, limits: Limits = WORKBOOK_LIMITS) -> ArchiveScan:
    """Refuse a file that is not a safe workbook to read under ``limits``; else what it holds.

    Refused: a missing path, a folder, a device or pipe, a symbolic-link loop, a file too large,
    not a zip, an encrypted or corrupt archive, a zip bomb (declared or actual), XML that
    declares a DTD or entities or is not well-formed, and more cells or strings than the limits.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from xl_roi import example_case
    >>> from xl_roi.workbook.build import save_workbook
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "case.xlsx"
    >>> _ = save_workbook(example_case(), target)
    >>> scan = scan_archive(target)
    >>> 100 < scan.cells < WORKBOOK_LIMITS.cells
    True
    """
    path = Path(path)
    check_file(path, limits)
    budget = Budget(path, limits)
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below, after the archive
    except OSError as error:
        raise WorkbookError(f"{path}: cannot be read ({error.strerror})") from None
    with stream:
        infos = open_archive(path, limits, stream)
        with zipfile.ZipFile(stream) as archive:
            kinds = part_kinds(archive, infos, Budget(path, limits), path)
            for info in infos:
                if not kinds.is_xml(info.filename):
                    for _ in stream_part(archive, info, budget):
                        pass
                    continue
                parser = xml_parser()
                if kinds.is_sheet(info.filename):

                    def start(name: str, _attributes: Any) -> None:
                        if _local(name) == "c":
                            budget.spend_cells(1)

                    parser.StartElementHandler = start
                elif info.filename == "xl/sharedStrings.xml":

                    def start(name: str, _attributes: Any) -> None:
                        if _local(name) == "si":
                            budget.spend_strings(1)

                    parser.StartElementHandler = start
                feed_xml(parser, stream_part(archive, info, budget), path, info.filename)
    return ArchiveScan(
        tuple(info.filename for info in infos),
        budget.unpacked_bytes,
        budget.cells,
        budget.shared_strings,
    )
