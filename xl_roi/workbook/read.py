"""Read a workbook back: open it safely, and turn its inputs into a :class:`~xl_roi.case.Case`.

Workbooks come from users: they may be corrupt, not workbooks at all, zip bombs or XML with
entity tricks. :func:`open_workbook` refuses each with a clear :class:`WorkbookError` before
openpyxl (which parses through defusedxml) reads a byte it should not.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
from openpyxl import Workbook
from openpyxl.utils.cell import column_index_from_string

from xl_roi.bounds import unusual_inputs
from xl_roi.case import Case, QualitySlice
from xl_roi.errors import InputError
from xl_roi.evaluation import evaluate
from xl_roi.fields import FIELDS
from xl_roi.resolve import StudentPricing, superseded
from xl_roi.workbook.guard import (
    ENDPOINTS_LIMITS,
    WORKBOOK_LIMITS,
    Limits,
    WorkbookError,
    scan_archive,
)
from xl_roi.workbook.layout import (
    ADDED_LATER,
    ADDIN,
    FLAVOUR_LABELS,
    INPUT_ROWS,
    INPUTS,
    PORTABLE,
    PORTFOLIO_TITLE,
    STUDENT_MODES,
    InputRow,
)
from xl_roi.workbook.rows import (
    QUALITY_COST_PER_ERROR_COLUMN,
    QUALITY_FIRST_ROW,
    QUALITY_HEADERS,
    QUALITY_ROWS,
    QUALITY_TRAFFIC_SHARE_COLUMN,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "UNUSUAL",
    "Finding",
    "WorkbookError",
    "check_archive",
    "endpoint_chunks",
    "input_notes",
    "open_workbook",
    "read_case",
    "workbook_flavour",
]

UNUSUAL = "unusual input"
"""The kind of a finding that warns (an input within its bounds but unusual) without failing."""


@dataclass(frozen=True)
class Finding:
    """Something wrong with a workbook: what kind, where, and the details."""

    kind: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.kind}: {self.message}"


def check_archive(path: str | Path, limits: Limits = WORKBOOK_LIMITS) -> None:
    """Refuse a file that is not safe to read (see :func:`~xl_roi.workbook.guard.scan_archive`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> check_archive(folder)
    Traceback (most recent call last):
    ...
    xl_roi.errors.WorkbookError: ...: is not a file (it is a folder)
    """
    scan_archive(path, limits)


def workbook_flavour(path: str | Path, limits: Limits = WORKBOOK_LIMITS) -> str:
    """Which flavour a workbook is: ``"portable"`` or ``"add-in"`` (as its About sheet says;
    a workbook from before the flavours is the add-in one).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from xl_roi import example_case
    >>> from xl_roi.workbook.build import save_workbook
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = save_workbook(example_case(), folder / "p.xlsx", portable=True)
    >>> _ = save_workbook(example_case(), folder / "a.xlsx")
    >>> workbook_flavour(folder / "p.xlsx"), workbook_flavour(folder / "a.xlsx")
    ('portable', 'add-in')
    """
    scan_archive(path, limits)
    marker = (">" + FLAVOUR_LABELS[PORTABLE] + "</t>").encode("utf-8")
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        for part in ("xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"):  # About is first
            if part in names and marker in archive.read(part):
                return PORTABLE
    return ADDIN


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
    xl_roi.errors.WorkbookError: ...notes.xlsx: not an .xlsx workbook (not a zip archive)
    """
    path = Path(path)
    check_archive(path)
    return _load(path, data_only)


def _load(path: Path, data_only: bool) -> Workbook:
    try:
        with warnings.catch_warnings():
            # what openpyxl says of other writers' files ("no default style", an unknown
            # extension) is about looks, not figures: not for the analyst's screen
            warnings.simplefilter("ignore", UserWarning)
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


def _input_value(row: InputRow, value: Any, where: str, findings: list[Finding]) -> Any:
    """An input cell's value, checked against its field in the registry (``None``: blank or
    refused, the refusal added to ``findings``)."""
    entry = FIELDS[row.name if row.field is None else row.field]
    if value is None or (isinstance(value, str) and not value.strip()):
        if entry.required:
            message = f"{row.name} is blank: {entry.required}"
            findings.append(Finding("bad input", where, message))
        return None
    if entry.bound is None:  # text, or a choice
        return str(value)
    try:
        return entry.bound.check(row.name, value, verb="holds")
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
    if workbook.worksheets and workbook.worksheets[0]["A1"].value == PORTFOLIO_TITLE:
        raise WorkbookError(
            "this is a portfolio workbook that xl-roi screen wrote (its ranked endpoints), not "
            "a case workbook: check, build and deck read the workbook xl-roi build writes"
        )
    findings: list[Finding] = []
    values: dict[str, Any] = {}
    for name, row in INPUT_ROWS.items():
        located = _named_cell(workbook, name)
        if located is None and name in ADDED_LATER:
            continue  # a workbook from before the input: its default
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
    pricing = StudentPricing(mode) if mode in STUDENT_MODES else None
    _drop(fields, *superseded(set(fields), pricing))
    fields["quality_slices"] = _read_slices(workbook, findings)
    swing = values.get("sensitivity_swing")
    if any(finding.kind in ("bad input", "missing name", "missing sheet") for finding in findings):
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
    if "Quality" not in workbook.sheetnames:
        findings.append(
            Finding(
                "missing sheet",
                "workbook",
                "no Quality sheet: the evaluation slices and the quality flag cannot be read "
                "(restore the sheet, named Quality, or rebuild from a case file)",
            )
        )
        return ()
    sheet = workbook["Quality"]
    slices = []
    # a workbook from before the traffic columns has other things there (or nothing)
    with_traffic = (
        sheet[f"{QUALITY_TRAFFIC_SHARE_COLUMN}{QUALITY_FIRST_ROW - 1}"].value
        == QUALITY_HEADERS[column_index_from_string(QUALITY_TRAFFIC_SHARE_COLUMN) - 1]
    )
    for row in range(QUALITY_FIRST_ROW, QUALITY_FIRST_ROW + QUALITY_ROWS):
        name, critical, teacher, student, allowed = (
            sheet.cell(row=row, column=column).value for column in range(1, 6)
        )
        if name in (None, "") and all(
            v in (None, "") for v in (critical, teacher, student, allowed)
        ):
            continue
        share, cost = (
            sheet[f"{column}{row}"].value if with_traffic else None
            for column in (QUALITY_TRAFFIC_SHARE_COLUMN, QUALITY_COST_PER_ERROR_COLUMN)
        )
        where = f"Quality!A{row}:E{row}"
        try:
            slices.append(
                QualitySlice(
                    str(name) if name is not None else "",
                    {"yes": True, "no": False}.get(str(critical).strip().lower(), critical),
                    teacher,
                    student,
                    allowed,
                    traffic_share=None if share in (None, "") else share,
                    cost_per_error=None if cost in (None, "") else cost,
                )
            )
        except InputError as error:
            findings.append(Finding("bad input", where, str(error)))
    return tuple(slices)


def endpoint_chunks(path: str | Path, rows_per_chunk: int) -> Iterator[pd.DataFrame]:
    """The first sheet of an endpoints workbook, a few rows at a time, its first row the header.

    Read as a stream (openpyxl's read-only mode), so a million-row sheet never sits in memory
    whole; the file passes the guarded reader under
    :data:`~xl_roi.workbook.guard.ENDPOINTS_LIMITS` first. Blank rows at the end are dropped;
    blank rows between endpoints are kept (and refused by the screen, as in a CSV).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import pandas as pd
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "endpoints.xlsx"
    >>> pd.DataFrame({"name": ["a", "b", "c"], "monthly_calls": [1, 2, 3]}).to_excel(
    ...     path, index=False)
    >>> [chunk["monthly_calls"].tolist() for chunk in endpoint_chunks(path, 2)]
    [[1, 2], [3]]
    """
    path = Path(path)
    check_archive(path, ENDPOINTS_LIMITS)
    try:
        with warnings.catch_warnings():  # other writers' styles: not for the analyst's screen
            warnings.simplefilter("ignore", UserWarning)
            workbook = openpyxl.load_workbook(
                path, read_only=True, data_only=True, keep_links=False
            )
    except Exception as error:  # openpyxl raises many kinds on bad files
        raise WorkbookError(f"{path}: cannot be read as a workbook ({error})") from None
    try:
        if not workbook.worksheets:
            return
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return
        if header and header[0] == PORTFOLIO_TITLE:
            raise WorkbookError(
                "this is a portfolio workbook that xl-roi screen wrote (its ranked "
                "results), not an endpoints table: screen the endpoints file it was made from"
            )
        columns = _column_names(header)
        batch: list[tuple[Any, ...]] = []
        blanks: list[tuple[Any, ...]] = []
        for row in rows:
            if all(value is None for value in row):
                blanks.append(row)
                continue
            batch.extend(blanks)
            blanks.clear()
            batch.append(row)
            if len(batch) >= rows_per_chunk:
                yield _frame(batch, columns)
                batch = []
        if batch:
            yield _frame(batch, columns)
    finally:
        workbook.close()


def _column_names(header: tuple[Any, ...]) -> list[str]:
    """Header cells as column names, as pandas names them: blanks ``Unnamed: i``, repeats ``.1``."""
    names: list[str] = []
    for index, value in enumerate(header):
        name = f"Unnamed: {index}" if value is None else str(value)
        base, count = name, 1
        while name in names:
            name, count = f"{base}.{count}", count + 1
        names.append(name)
    return names


def _frame(batch: list[tuple[Any, ...]], columns: list[str]) -> pd.DataFrame:
    import pandas as pd

    width = max(len(columns), *(len(row) for row in batch))
    while len(columns) < width:  # cells past the header: kept, under their own names
        columns.append(f"Unnamed: {len(columns)}")
    padded = [row + (None,) * (width - len(row)) if len(row) < width else row for row in batch]
    return pd.DataFrame(padded, columns=columns)


def input_notes(workbook: Workbook) -> dict[str, str]:
    """Where a filled-in workbook says each input comes from: its "Source or note" cell, by
    case field, where the user (or ``build``, for a named model's prices) changed it from the
    template's note.

    Examples
    --------
    >>> from xl_roi import example_case
    >>> from xl_roi.workbook.build import build_workbook
    >>> input_notes(build_workbook(example_case())[0])
    {}
    """
    notes: dict[str, str] = {}
    for row in INPUTS:
        if not isinstance(row, InputRow) or row.field is None:
            continue
        where = _named_cell(workbook, row.name)
        if where is None:
            continue
        sheet = workbook[where[0]]
        note = sheet.cell(row=sheet[where[1]].row, column=4).value
        if isinstance(note, str) and note.strip() and note.strip() != row.note.strip():
            notes[row.field] = note.strip()
    return notes
