"""Read a workbook back: open it safely, and turn its inputs into a :class:`~xl_roi.case.Case`.

Workbooks come from users: they may be corrupt, not workbooks at all, zip bombs or XML with
entity tricks. :func:`open_workbook` refuses each with a clear :class:`WorkbookError` before
openpyxl (which parses through defusedxml) reads a byte it should not.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl import Workbook

from xl_roi.bounds import unusual_inputs
from xl_roi.case import UPFRONT_ITEM_FIELDS, Case, QualitySlice, evaluate
from xl_roi.errors import InputError
from xl_roi.workbook.layout import (
    INPUT_ROWS,
    MODE_PER_1K,
    MODE_SELF_HOSTED,
    MODE_TOKENS,
    STUDENT_MODES,
    InputRow,
)

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_UNCOMPRESSED_BYTES",
    "UNUSUAL",
    "Finding",
    "WorkbookError",
    "check_archive",
    "open_workbook",
    "read_case",
]

MAX_FILE_BYTES = 50_000_000
"""A workbook larger than this is refused: the template is tens of kilobytes."""

MAX_UNCOMPRESSED_BYTES = 250_000_000
"""All parts together may not unpack to more than this (a zip bomb unpacks to gigabytes)."""

MAX_RATIO = 200
"""A part that unpacks to more than this many times its packed size, past a megabyte, is refused."""

MAX_PARTS = 10_000


UNUSUAL = "unusual input"
"""The kind of a finding that warns (an input within its bounds but unusual) without failing."""


class WorkbookError(InputError):
    """A file that cannot be read as a workbook: missing, not xlsx, corrupt, or hostile."""


@dataclass(frozen=True)
class Finding:
    """Something wrong with a workbook: what kind, where, and the details."""

    kind: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.kind}: {self.message}"


def check_archive(path: Path) -> None:
    """Refuse a file that is missing, too large, not a zip, or a zip bomb, before parsing it."""
    if not path.exists():
        raise WorkbookError(f"{path}: no such file")
    if not path.is_file():
        raise WorkbookError(f"{path}: is not a file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise WorkbookError(f"{path}: {size:,} bytes is too large (at most {MAX_FILE_BYTES:,})")
    if not zipfile.is_zipfile(path):
        raise WorkbookError(f"{path}: not an .xlsx workbook (not a zip archive)")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise WorkbookError(f"{path}: corrupt workbook ({error})") from None
    if len(infos) > MAX_PARTS:
        raise WorkbookError(f"{path}: {len(infos):,} parts is not a workbook this tool wrote")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise WorkbookError(
            f"{path}: unpacks to {total:,} bytes (at most {MAX_UNCOMPRESSED_BYTES:,}): "
            "refused as a possible zip bomb"
        )
    for info in infos:
        if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise WorkbookError(
                f"{path}: part {info.filename} unpacks {ratio:,} times its size: refused as a "
                "possible zip bomb"
            )
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise WorkbookError(f"{path}: a zip archive, but not an .xlsx workbook")


def open_workbook(path: str | Path, *, data_only: bool) -> Workbook:
    """Open a workbook safely (see :func:`check_archive`), or raise :class:`WorkbookError`.

    ``data_only=True`` gives each formula cell's stored result; ``False`` its formula.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> bad = pathlib.Path(tempfile.mkdtemp()) / "notes.xlsx"
    >>> _ = bad.write_text("not a workbook")
    >>> open_workbook(bad, data_only=True)
    Traceback (most recent call last):
    ...
    xl_roi.workbook.read.WorkbookError: ...notes.xlsx: not an .xlsx workbook (not a zip archive)
    """
    path = Path(path)
    check_archive(path)
    try:
        return openpyxl.load_workbook(path, data_only=data_only, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds on bad files
        cause: BaseException | None = error
        while cause is not None:  # openpyxl wraps defusedxml's refusal in a ValueError
            if type(cause).__name__ in _HOSTILE_XML:
                raise WorkbookError(
                    f"{path}: refused: its XML declares entities or a DTD ({type(cause).__name__})"
                ) from None
            cause = cause.__cause__ or cause.__context__
        kind = type(error).__name__
        first_line = str(error).splitlines()[0] if str(error) else ""
        message = f"{path}: cannot be read as a workbook ({kind}: {first_line})"
        raise WorkbookError(message) from None


_HOSTILE_XML = ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden")


def _named_cell(workbook: Workbook, name: str) -> tuple[str, str] | None:
    defined = workbook.defined_names.get(name)
    if defined is None:
        return None
    destinations = list(defined.destinations)
    if len(destinations) != 1:
        return None
    sheet, reference = destinations[0]
    if sheet not in workbook.sheetnames or ":" in reference:
        return None
    return sheet, reference.replace("$", "")


_REQUIRED = {"monthly_calls": "enter the calls a month the endpoint serves"}
"""Inputs the case cannot do without, and what to enter."""


def _input_value(row: InputRow, value: Any, where: str, findings: list[Finding]) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        if row.name in _REQUIRED:
            message = f"{row.name} is blank: {_REQUIRED[row.name]}"
            findings.append(Finding("bad input", where, message))
        return None
    if row.kind in ("text", "choice"):
        return str(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        findings.append(
            Finding("bad input", where, f"{row.name} must be a number, holds {value!r}")
        )
        return None
    bound = row.bound
    assert bound is not None, row.name
    try:
        return bound.check(row.name, value, verb="holds")
    except InputError as error:
        findings.append(Finding("bad input", where, str(error)))
        return None


def _where_named(workbook: Workbook, message: str, given: dict[str, Any]) -> str:
    """The filled-in input cell a refusal names first (``Inputs!B9 (monthly_calls)``), or
    ``Inputs`` when it names none (a result the inputs together push out of range)."""
    for name, row in sorted(INPUT_ROWS.items(), key=lambda item: -len(item[1].field or "")):
        if row.field in given and message.startswith(row.field):
            located = _named_cell(workbook, name)
            if located is not None:
                return f"{located[0]}!{located[1]} ({name})"
    return "Inputs"


def _drop(fields: dict[str, Any], *names: str) -> None:
    for name in names:
        fields.pop(name, None)


def read_case(workbook: Workbook) -> tuple[Case | None, float, list[Finding]]:
    """The case a workbook's inputs describe, its sensitivity swing, and what is wrong.

    The precedence the formulas apply is applied here too: a direct teacher cost wins over its
    token prices, the upfront total over its items, an amount over its days, an annual
    maintenance over its redistillations, and the student is read as ``student_pricing`` says.

    Returns
    -------
    (Case or None, swing, findings)
        ``None`` when the inputs do not make a case (the findings say why).

    Examples
    --------
    >>> from xl_roi import example_case
    >>> from xl_roi.workbook.build import build_workbook
    >>> workbook, _ = build_workbook(example_case())
    >>> case, swing, findings = read_case(workbook)
    >>> case == example_case(), swing, findings
    (True, 0.5, [])
    """
    findings: list[Finding] = []
    values: dict[str, Any] = {}
    for name, row in INPUT_ROWS.items():
        located = _named_cell(workbook, name)
        if located is None:
            findings.append(
                Finding(
                    "missing name", "workbook", f"no defined name {name} for a single input cell"
                )
            )
            continue
        sheet, reference = located
        raw = workbook[sheet][reference].value
        values[name] = _input_value(row, raw, f"{sheet}!{reference} ({name})", findings)

    fields: dict[str, Any] = {
        row.field: values.get(name)
        for name, row in INPUT_ROWS.items()
        if row.field is not None and values.get(name) is not None
    }
    mode = values.get("student_pricing")
    if mode not in STUDENT_MODES:
        findings.append(
            Finding(
                "bad input",
                "Inputs (student_pricing)",
                f"student_pricing must be one of {', '.join(STUDENT_MODES)}, holds {mode!r}",
            )
        )
    if "teacher_cost_per_1k" in fields:
        _drop(fields, "teacher_input_price_per_million", "teacher_output_price_per_million")
    if mode != MODE_PER_1K:
        _drop(fields, "student_cost_per_1k")
    if mode != MODE_TOKENS:
        _drop(fields, "student_input_price_per_million", "student_output_price_per_million")
    if mode != MODE_SELF_HOSTED:
        _drop(fields, "gpu_hourly_cost", "calls_per_second_per_gpu")
    if "upfront_cost" in fields:
        _drop(fields, *UPFRONT_ITEM_FIELDS)
    if "data_generation_cost" in fields:
        _drop(fields, "corpus_examples")
    if "evaluation_build" in fields:
        _drop(fields, "evaluation_days")
    if "engineering_time" in fields:
        _drop(fields, "engineering_days")
    if "annual_maintenance" in fields:
        _drop(fields, "redistillations_per_year", "redistillation_cost")
    fields["quality_slices"] = _read_slices(workbook, findings)
    swing = values.get("sensitivity_swing")
    if any(finding.kind in ("bad input", "missing name") for finding in findings):
        return None, 0.5 if swing is None else swing, findings
    try:
        case = Case(**fields)
        evaluate(case)  # inputs each in range can still compute past the float range together
    except InputError as error:
        where = _where_named(workbook, str(error), fields)
        findings.append(Finding("bad input", where, str(error)))
        return None, 0.5 if swing is None else swing, findings
    for name, sentence in unusual_inputs(values):
        located = _named_cell(workbook, name)
        where = f"{located[0]}!{located[1]} ({name})" if located else f"Inputs ({name})"
        findings.append(Finding(UNUSUAL, where, sentence))
    return case, 0.5 if swing is None else swing, findings


def _read_slices(workbook: Workbook, findings: list[Finding]) -> tuple[QualitySlice, ...]:
    from xl_roi.workbook.build import QUALITY_ROWS

    if "Quality" not in workbook.sheetnames:
        findings.append(Finding("missing sheet", "workbook", "no Quality sheet"))
        return ()
    sheet = workbook["Quality"]
    slices = []
    for row in range(5, 5 + QUALITY_ROWS):
        name, critical, teacher, student, allowed = (
            sheet.cell(row=row, column=column).value for column in range(1, 6)
        )
        if name in (None, "") and all(
            v in (None, "") for v in (critical, teacher, student, allowed)
        ):
            continue
        where = f"Quality!A{row}:E{row}"
        try:
            slices.append(
                QualitySlice(
                    str(name) if name is not None else "",
                    {"yes": True, "no": False}.get(str(critical).strip().lower(), critical),
                    teacher,
                    student,
                    allowed,
                )
            )
        except InputError as error:
            findings.append(Finding("bad input", where, str(error)))
    return tuple(slices)
