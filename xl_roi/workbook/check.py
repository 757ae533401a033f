"""Check a workbook: its inputs, its formulas and its stored results, against the core.

:func:`check_workbook` reads the inputs back into a case, lays out what the template holds for
that case, and reports every stored result that disagrees with the core, every formula
overwritten by a constant or changed, every input out of range, and every missing name. A
values-only copy (``xl-roi freeze``) has no formulas to check: its figures are checked against
its own inputs.
"""

from __future__ import annotations

import math
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from defusedxml import ElementTree
from openpyxl import Workbook
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.worksheet.formula import ArrayFormula

from xl_roi.case import Case
from xl_roi.workbook.build import VALUES_ONLY_NOTE, Blueprint, blueprint_of
from xl_roi.workbook.layout import ADDED_LATER, INPUT_ROWS
from xl_roi.workbook.read import (
    UNUSUAL,
    Finding,
    WorkbookError,
    open_workbook,
    read_case,
    workbook_flavour,
)

__all__ = [
    "CheckReport",
    "FindingGroup",
    "check_workbook",
    "formula_difference",
    "formula_key",
    "group_findings",
    "next_step",
    "same_formula",
    "same_result",
    "shortened",
]

RELATIVE_TOLERANCE = 1e-9
ABSOLUTE_TOLERANCE = 1e-9


@dataclass
class CheckReport:
    """What a check found; ``clean`` when nothing."""

    path: Path
    case: Case | None
    findings: list[Finding] = field(default_factory=list)
    checked_cells: int = 0
    flavour: str = "add-in"
    """``"portable"`` (native functions only) or ``"add-in"`` (xl_roi's functions)."""
    values_only: bool = False
    """A values-only copy made by ``xl-roi freeze`` (its About sheet says so): no formulas to
    check, its figures checked against its inputs."""

    @property
    def clean(self) -> bool:
        """Whether the workbook passed every check (unusual inputs warn, they do not fail)."""
        return all(finding.kind == UNUSUAL for finding in self.findings)

    @property
    def warnings(self) -> list[Finding]:
        """Inputs within their bounds but unusual (growth above 20 % a month, …)."""
        return [finding for finding in self.findings if finding.kind == UNUSUAL]


def same_result(expected: Any, stored: Any) -> bool:
    """Whether a stored cell result is the expected figure, by meaning: numbers within 1e-9
    relative, and a truth value stored as 1 or 0 (as LibreOffice stores it) is that truth value.

    Examples
    --------
    >>> same_result(10_560.0, 10_560.000000001), same_result(2.5, 2.6), same_result("pass", "pass")
    (True, False, True)
    >>> same_result(True, 1), same_result(False, 0), same_result(True, 0), same_result(1.0, True)
    (True, True, False, False)
    """
    if isinstance(expected, bool):
        if isinstance(stored, bool):
            return expected == stored
        return isinstance(stored, int | float) and stored in (0, 1) and bool(stored) == expected
    if isinstance(stored, bool):
        return False
    if isinstance(expected, int | float) and isinstance(stored, int | float):
        return math.isclose(
            float(expected), float(stored), rel_tol=RELATIVE_TOLERANCE, abs_tol=ABSOLUTE_TOLERANCE
        )
    if expected in ("", None) and stored in ("", None):
        return True
    return bool(expected == stored)


def _formula_text(value: Any) -> str | None:
    if isinstance(value, ArrayFormula):
        return str(value.text)
    if isinstance(value, str) and value.startswith("="):
        return value
    return None


_TEXT = re.compile(r'("(?:[^"]|"")*")')
_QUOTED_SHEET = re.compile(r"'((?:[^']|'')+)'!")
_SHEET = re.compile(r"(?<![\w.\]])([^\W\d][\w.]*)!")
_FUNCTION_PREFIX = re.compile(r"_XL(?:FN|WS|UDF)\.")
"""What Excel writes before a function newer than Excel 2007 (``_xlfn.IFNA``,
``_xlfn._xlws.SORT``) or one it does not know (``_xludf.``): the function is the same."""
_LOGICAL_CALL = re.compile(r"(?<![\w.])(TRUE|FALSE)\s*\(\s*\)")
_NUMBER = re.compile(r"(?<![\w.$\]])(?:\d+\.?\d*|\.\d+)(?:E[+-]?\d+)?(?![\w.(])")
_INTERSECTION = re.compile(r"(?<=[\w$)\]])\s+(?=[\w$(\[])")
_SPACE = re.compile(r"\s+")


def _outside_text_key(part: str) -> str:
    part = _QUOTED_SHEET.sub(lambda match: "[" + match.group(1).replace("''", "'") + "]!", part)
    part = _SHEET.sub(r"[\1]!", part).upper()
    part = _FUNCTION_PREFIX.sub("", part)
    part = _LOGICAL_CALL.sub(r"\1", part)
    part = _NUMBER.sub(lambda match: repr(float(match.group(0))), part)
    part = _INTERSECTION.sub("\x00", part)  # a space between two references intersects them
    return _SPACE.sub("", part)


def formula_key(formula: str) -> str:
    """A formula as it computes, the same whichever spreadsheet wrote it.

    Text in quotes is kept as written; outside it, spaces go (except the one between two
    references, Excel's intersection), sheet names lose quotes they do not need, letter case
    goes, numbers are read as numbers, ``_xlfn.``/``_xlws.`` prefixes go, and ``TRUE()`` is the
    constant ``TRUE``.

    Examples
    --------
    >>> formula_key("=if('Inputs'!a1, TRUE(), 2.50)") == formula_key("=IF(Inputs!A1,TRUE,2.5)")
    True
    """
    parts = _TEXT.split(formula)
    return "".join(
        part if index % 2 else _outside_text_key(part) for index, part in enumerate(parts)
    )


def same_formula(expected: str, found: str) -> bool:
    """Whether two formulas mean the same, as written by different spreadsheets.

    Examples
    --------
    >>> same_formula("=IF(x>0, TRUE, 'Quality'!$N$14)", "=if(X>0,TRUE(),Quality!$N$14)")
    True
    >>> same_formula("=_xlfn.IFNA(A1, 0)", "=IFNA(A1,0)"), same_formula("=A1+1", "=A1+2")
    (True, False)
    """
    return expected == found or formula_key(expected) == formula_key(found)


def _display_tokens(formula: str) -> list[tuple[int, str]]:
    """Where each meaningful token of ``formula`` starts, and its key (for showing where two
    formulas differ; rare, so openpyxl's tokenizer, slow but exact, is good enough)."""
    try:
        items = Tokenizer(formula).items
    except Exception:  # openpyxl raises TokenizerError on unbalanced text
        return []
    tokens: list[tuple[int, str]] = []
    position = 1 if formula.startswith("=") else 0
    for token in items:
        found = formula.find(token.value, position)
        if found < 0:
            return []
        position = found + len(token.value)
        if token.type == Token.WSPACE:
            continue
        key = token.value if token.subtype == Token.TEXT else formula_key(token.value)
        if key == ")" and tokens and tokens[-1][1] in ("TRUE(", "FALSE("):
            tokens[-1] = (tokens[-1][0], tokens[-1][1][:-1])  # TRUE() is the constant TRUE
            continue
        tokens.append((found, key))
    return tokens


SHOWN_FORMULA_CHARACTERS = 90
"""A formula longer than this is shown around its first difference, shortened."""


def shortened(formula: str, at: int | None = None) -> str:
    """``formula``, or when long, the part of it around character ``at`` with ``…`` for the rest.

    Examples
    --------
    >>> shortened("=A1+1")
    '=A1+1'
    >>> text = shortened("=" + "+".join(["A1"] * 60), at=100)
    >>> len(text), text[0], text[-1]
    (92, '…', '…')
    """
    if len(formula) <= SHOWN_FORMULA_CHARACTERS:
        return formula
    at = 0 if at is None else max(0, min(at, len(formula)))
    start = max(0, at - SHOWN_FORMULA_CHARACTERS // 3)
    end = min(len(formula), start + SHOWN_FORMULA_CHARACTERS)
    start = max(0, end - SHOWN_FORMULA_CHARACTERS)
    return ("…" if start > 0 else "") + formula[start:end] + ("…" if end < len(formula) else "")


def formula_difference(expected: str, found: str) -> str:
    """Both formulas, each shortened around where they first differ.

    Examples
    --------
    >>> formula_difference("=A1+1", "=A1+2")
    'should be =A1+1, is =A1+2'
    """
    wanted, got = _display_tokens(expected), _display_tokens(found)
    first = next(
        (
            index
            for index, (one, other) in enumerate(zip(wanted, got, strict=False))
            if one[1] != other[1]
        ),
        min(len(wanted), len(got)),
    )

    def around(formula: str, tokens: list[tuple[int, str]]) -> str:
        return shortened(formula, tokens[first][0] if first < len(tokens) else len(formula))

    return f"should be {around(expected, wanted)}, is {around(found, got)}"


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_SHARED_STRINGS = "/sharedStrings"
_PHONETIC = f"{_MAIN}rPh"


def _number(text: str) -> int | float:
    """A stored number as openpyxl reads it: whole when written without a point or exponent."""
    if "." in text or "E" in text or "e" in text:
        return float(text)
    try:
        return int(text)
    except ValueError:
        return float(text)


def _string_item(item: Any) -> str:
    """The text of a shared or inline string: its runs joined, phonetic guides left out."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        for child in node:
            if child.tag == _PHONETIC:
                continue
            if child.tag == f"{_MAIN}t":
                parts.append(child.text or "")
            else:
                walk(child)

    walk(item)
    return "".join(parts)


def _stored_value(cell: Any, shared: list[str]) -> Any:
    """A formula cell's stored result, whichever way its writer stored it.

    ``t="b"`` a truth value (``1``/``0``, or ``true``/``false``), ``t="e"`` an error value,
    ``t="str"`` text in place (Excel, LibreOffice), ``t="s"`` an index into the shared strings
    (Gnumeric, for a formula's text result too), ``t="inlineStr"`` text inline, otherwise a
    number.
    """
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(f"{_MAIN}is")
        return None if inline is None else _string_item(inline)
    value = cell.find(f"{_MAIN}v")
    if value is None or value.text is None:
        return None
    text = value.text
    if kind == "b":
        return text.strip().lower() in ("1", "true")
    if kind == "s":
        try:
            return shared[int(text)]
        except (ValueError, IndexError):
            raise WorkbookError(
                f"corrupt workbook: a cell refers to shared string {text!r}, which does not exist"
            ) from None
    if kind in ("str", "e", "d"):
        return text
    try:
        return _number(text)
    except ValueError:
        return text


def _part_path(target: str) -> str:
    part = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return posixpath.normpath(part)


def _stored_results(path: Path) -> dict[tuple[str, str], Any]:
    """Each formula cell's stored result, by (sheet, cell), read from the file's XML.

    What ``openpyxl.load_workbook(data_only=True)`` gives for those cells, without loading the
    workbook a second time. Called after :func:`open_workbook` has parsed (and vetted) every part.
    """
    results: dict[tuple[str, str], Any] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
            shared: list[str] = []
            for rel in rels:
                part = _part_path(rel.get("Target", ""))
                if rel.get("Type", "").endswith(_SHARED_STRINGS) and part in names:
                    table = ElementTree.fromstring(archive.read(part))
                    shared = [_string_item(item) for item in table.iter(f"{_MAIN}si")]
            for sheet in book.iter(f"{_MAIN}sheet"):
                part = _part_path(targets.get(sheet.get(_RELATIONSHIP), ""))
                if part not in names:
                    continue
                title = sheet.get("name", "")
                with archive.open(part) as xml:
                    for _, cell in ElementTree.iterparse(xml):
                        if cell.tag != f"{_MAIN}c":
                            continue
                        if cell.find(f"{_MAIN}f") is not None:
                            results[(title, cell.get("r", ""))] = _stored_value(cell, shared)
                        cell.clear()
    except WorkbookError as error:
        raise WorkbookError(f"{path}: {error}") from None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, ElementTree.ParseError) as error:
        raise WorkbookError(f"{path}: cannot be read as a workbook ({error})") from None
    return results


def _open_once(path: Path) -> tuple[Workbook, dict[tuple[str, str], Any]]:
    """The workbook as its stored results show it, and each formula cell's formula.

    One load: the formulas as openpyxl reads them, then each formula cell's value replaced by
    its stored result (from the XML), so that the same object serves as the ``data_only`` view.
    """
    workbook = open_workbook(path, data_only=False)
    formulas: dict[tuple[str, str], Any] = {}
    for (title, coordinate), value in _stored_results(path).items():
        if title not in workbook.sheetnames or not coordinate:
            continue
        cell = workbook[title][coordinate]
        formulas[(title, coordinate)] = cell.value
        try:
            cell.value = value
        except AttributeError:  # a merged cell's value cannot be set: keep the formula
            continue
    return workbook, formulas


def check_workbook(path: str | Path) -> CheckReport:
    """Check a workbook against the core; raise :class:`WorkbookError` if it cannot be read.

    A workbook none of whose formula cells holds a formula is checked for its figures only:
    a values-only copy when its About sheet carries the note ``xl-roi freeze`` writes
    (``values_only``), otherwise one finding, :data:`PASTED_AS_VALUES`, as well.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from xl_roi import example_case
    >>> from xl_roi.workbook.build import save_workbook
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "case.xlsx"
    >>> _ = save_workbook(example_case(), target)
    >>> check_workbook(target).clean
    True
    """
    path = Path(path)
    stored, formula_of = _open_once(path)
    flavour = workbook_flavour(path)
    case, swing, findings = read_case(stored)
    report = CheckReport(path, case, findings, flavour=flavour)
    if case is None:
        return report
    blueprint = blueprint_of(case, swing, portable=flavour == "portable")
    report.findings.extend(_name_findings(stored, blueprint.names))
    present = [key for key in blueprint.formulas if key[0] in stored.sheetnames]
    noted = _says_values_only(stored)
    if noted or (present and not any(_computes(formula_of.get(key)) for key in present)):
        _check_figures(report, stored, formula_of, blueprint, noted=noted)
        return report
    uncomputed: list[str] = []  # cells showing #NAME?: a program without xl_roi's functions
    for (sheet, coordinate), (formula, expected) in blueprint.formulas.items():
        where = f"{sheet}!{coordinate}"
        if sheet not in stored.sheetnames:
            report.findings.append(Finding("missing sheet", where, f"no sheet {sheet}"))
            continue
        report.checked_cells += 1
        found = formula_of.get((sheet, coordinate), stored[sheet][coordinate].value)
        text = _formula_text(found)
        if text is None:
            report.findings.append(
                Finding(
                    "formula overwritten",
                    where,
                    f"should be {shortened(formula)}, holds the constant {found!r}",
                )
            )
            continue
        if not same_formula(formula, text):
            report.findings.append(
                Finding("formula changed", where, formula_difference(formula, text))
            )
        value = stored[sheet][coordinate].value
        _compare_result(report, where, expected, value, uncomputed)
    for (sheet, coordinate), expected in blueprint.array_members.items():
        if sheet not in stored.sheetnames:
            continue
        report.checked_cells += 1
        value = stored[sheet][coordinate].value
        _compare_result(report, f"{sheet}!{coordinate}", expected, value, uncomputed)
    if uncomputed and flavour != "portable":
        report.findings = [
            finding
            for finding in report.findings
            if finding.kind not in ("mismatch", "no stored result")
        ]
        report.findings.append(_uncomputed_finding(path, uncomputed))
    return report


PASTED_AS_VALUES = "formulas replaced by values"
"""The kind of the one finding for a workbook holding no formula where the template puts them,
without the note of a copy made by ``xl-roi freeze``."""

FORMULA_IN_COPY = "formula in a values-only copy"
"""The kind of a finding for a formula in a copy whose About sheet says it holds values only."""


_TRUTH_CONSTANTS = (formula_key("=TRUE"), formula_key("=FALSE"))


def _computes(formula: Any) -> bool:
    """Whether a cell's formula computes something: not absent, and not the bare truth value
    that LibreOffice writes as ``=TRUE()`` for the constant TRUE."""
    text = _formula_text(formula)
    return text is not None and formula_key(text) not in _TRUTH_CONSTANTS


def _says_values_only(stored: Workbook) -> bool:
    """Whether the About sheet carries the note ``xl-roi freeze`` writes into a values-only copy."""
    if "About" not in stored.sheetnames:
        return False
    return any(
        isinstance(cell.value, str) and cell.value.strip() == VALUES_ONLY_NOTE
        for row in stored["About"].iter_rows()
        for cell in row
    )


def _cell_names(names: dict[str, str]) -> dict[tuple[str, str], str]:
    """The defined name of each single cell the template names (``Calculations!B35`` →
    ``savings_monthly``), the first when several name it."""
    cells: dict[tuple[str, str], str] = {}
    for name, target in names.items():
        sheet, _, reference = target.rpartition("!")
        key = (sheet.strip("'").replace("''", "'"), reference.replace("$", ""))
        if ":" not in reference:
            cells.setdefault(key, name)
    return cells


def _check_figures(
    report: CheckReport,
    stored: Workbook,
    formula_of: dict[tuple[str, str], Any],
    blueprint: Blueprint,
    *,
    noted: bool,
) -> None:
    """Check a workbook without formulas: each figure against the one its inputs give.

    ``noted``: its About sheet says it is a values-only copy, so a formula in it is a finding;
    otherwise none of its formula cells holds a formula, which is one finding.
    """
    report.values_only = noted
    named = _cell_names(blueprint.names)
    expected_at = {key: expected for key, (_, expected) in blueprint.formulas.items()}
    expected_at.update(blueprint.array_members)
    for (sheet, coordinate), expected in expected_at.items():
        if sheet not in stored.sheetnames:
            where = f"{sheet}!{coordinate}"
            report.findings.append(Finding("missing sheet", where, f"no sheet {sheet}"))
            continue
        report.checked_cells += 1
        name = named.get((sheet, coordinate))
        where = f"{sheet}!{coordinate}" + (f" ({name})" if name else "")
        formula = formula_of.get((sheet, coordinate))
        if _computes(formula) and (sheet, coordinate) in blueprint.formulas:
            text = _formula_text(formula) or "="
            report.findings.append(
                Finding(
                    FORMULA_IN_COPY,
                    where,
                    f"holds the formula {shortened(text)} in a copy whose About sheet says it "
                    "holds values only",
                )
            )
        value = stored[sheet][coordinate].value
        if same_result(expected, value):
            continue
        shown = "is blank" if value in ("", None) else f"holds {value!r}"
        report.findings.append(
            Finding("mismatch", where, f"{shown}; worked out from its inputs it is {expected!r}")
        )
    if not noted:
        report.findings.append(
            Finding(
                PASTED_AS_VALUES,
                "workbook",
                f"none of the {len(blueprint.formulas):,} cells where the workbook's formulas go "
                "holds a formula (pasted over as values?), and its About sheet does not say it is "
                "a values-only copy made by `xl-roi freeze`: its figures were checked against its "
                "inputs, its formulas cannot be",
            )
        )


def _name_findings(stored: Workbook, names: dict[str, str]) -> list[Finding]:
    """Each defined name the template needs that is missing or points elsewhere (compared by
    where it points: ``Inputs!$B$6`` is ``'Inputs'!$B$6``)."""
    findings = []
    for name, target in names.items():
        if name not in stored.defined_names:
            findings.append(Finding("missing name", f"name {name}", f"no defined name {name}"))
            continue
        found = stored.defined_names[name].attr_text or ""
        if not same_formula("=" + target, "=" + found):
            findings.append(
                Finding("moved name", f"name {name}", f"{name} points to {found}, not {target}")
            )
    return findings


def _compare_result(
    report: CheckReport, where: str, expected: Any, value: Any, uncomputed: list[str]
) -> None:
    if value == UNKNOWN_FUNCTION and expected != UNKNOWN_FUNCTION:
        uncomputed.append(where)
    if value is None and expected not in ("", None):
        report.findings.append(
            Finding(
                "no stored result",
                where,
                "the file holds no result for this formula (saved without recalculating?)",
            )
        )
    elif not same_result(expected, value):
        report.findings.append(
            Finding(
                "mismatch",
                where,
                f"stores {value!r}, worked out from the inputs it is {expected!r}",
            )
        )


UNKNOWN_FUNCTION = "#NAME?"
"""The error a spreadsheet shows for a function it does not have."""

NOT_COMPUTED = "functions not computed"
"""The kind of the one finding for an add-in workbook recalculated without xl_roi's functions."""


def _saved_by(path: Path) -> str:
    """The program that last saved the file, as its ``docProps/app.xml`` names it."""
    try:
        with zipfile.ZipFile(path) as archive:
            properties = ElementTree.fromstring(archive.read("docProps/app.xml"))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, ElementTree.ParseError):
        return "the program that last saved it"
    for node in properties.iter():
        if node.tag.endswith("}Application") and node.text:
            name = node.text.split("/")[0].strip()
            return str({"gnumeric": "Gnumeric"}.get(name, name))[:60]
    return "the program that last saved it"


def _uncomputed_finding(path: Path, cells: list[str]) -> Finding:
    shown = ", ".join(cells[:SHOWN_PLACES]) + (
        f" and {len(cells) - SHOWN_PLACES:,} more" if len(cells) > SHOWN_PLACES else ""
    )
    built = path.with_name(f"{path.stem}_built.xlsx")
    return Finding(
        NOT_COMPUTED,
        "workbook",
        f"{len(cells):,} cells show #NAME? ({shown}): this is the add-in flavour, whose "
        f"formulas call xl_roi's functions, and {_saved_by(path)} recalculated it without them, "
        "so its results cannot be checked (its formulas, names and inputs were). Open it in "
        "Excel with the xl_roi add-in loaded and save it again, or use the portable flavour, "
        f"which computes anywhere: `xl-roi build {path} --portable` writes {built} from its "
        "inputs",
    )


@dataclass(frozen=True)
class FindingGroup:
    """Findings of one kind (and, where they repeat, one message), with the cells they are in."""

    kind: str
    message: str
    places: tuple[str, ...]

    def __str__(self) -> str:
        if len(self.places) == 1:
            return f"{self.places[0]}: {self.kind}: {self.message}"
        shown = ", ".join(self.places[:SHOWN_PLACES])
        more = (
            f" and {len(self.places) - SHOWN_PLACES:,} more"
            if len(self.places) > SHOWN_PLACES
            else ""
        )
        noun = "names" if all(place.startswith("name ") for place in self.places) else "cells"
        return f"{self.kind} in {len(self.places):,} {noun} ({shown}{more}): {self.message}"


SHOWN_PLACES = 3
"""A group names this many of its cells; the rest are counted."""

DISTINCT_PER_KIND = 5
"""A kind with more distinct messages than this is shown as one group, its first few named."""


def group_findings(findings: list[Finding]) -> list[FindingGroup]:
    """Repeated findings as one line each, with a count: 292 copies of one finding become one.

    Findings with the same kind and message are grouped; a kind with many different messages
    (a mismatch in each of a hundred cells) becomes one group quoting its first findings.

    Examples
    --------
    >>> findings = [Finding("no stored result", f"Calculations!B{row}", "no result")
    ...             for row in range(5, 9)]
    >>> [str(group) for group in group_findings(findings)]
    ['no stored result in 4 cells (Calculations!B5, Calculations!B6, Calculations!B7
      and 1 more): no result']
    """
    by_message: dict[tuple[str, str], list[str]] = {}
    for finding in findings:
        by_message.setdefault((finding.kind, finding.message), []).append(finding.where)
    kinds: dict[str, list[tuple[str, list[str]]]] = {}
    for (kind, message), places in by_message.items():
        kinds.setdefault(kind, []).append((message, places))
    groups: list[FindingGroup] = []
    for kind, messages in kinds.items():
        if len(messages) <= DISTINCT_PER_KIND:
            groups.extend(
                FindingGroup(kind, message, tuple(places)) for message, places in messages
            )
            continue
        every = tuple(place for _, group in messages for place in group)
        examples = "; ".join(f"{group[0]} {message}" for message, group in messages[:SHOWN_PLACES])
        groups.append(FindingGroup(kind, f"for example {examples}", every))
    return groups


def _laid_out_otherwise(findings: list[Finding]) -> bool:
    """Whether the workbook's calculations sit where another version of the template put them:
    a defined name of a worked-out figure missing or pointing elsewhere, while every input it
    needs is still named (so its case can be read and rebuilt; inputs added since are read at
    their defaults)."""
    named = [finding for finding in findings if finding.kind in ("moved name", "missing name")]
    if any(not finding.where.startswith("name ") for finding in named):
        return False  # an input's name lost: the case cannot be read
    names = {finding.where.removeprefix("name "): finding.kind for finding in named}
    lost_inputs = {
        name
        for name, kind in names.items()
        if kind == "missing name" and name in INPUT_ROWS and name not in ADDED_LATER
    }
    return not lost_inputs and any(name not in INPUT_ROWS for name in names)


def next_step(report: CheckReport) -> str:
    """One line: what to run next, for the most fundamental kind of finding in the report.

    Examples
    --------
    >>> from pathlib import Path
    >>> report = CheckReport(Path("case.xlsx"), None, [Finding("no stored result", "A1", "-")])
    >>> next_step(report)
    'next: `xl-roi build case.xlsx` recomputes every result into case_built.xlsx (...)'
    """
    kinds = {finding.kind for finding in report.findings}
    path = report.path
    built = path.with_name(f"{path.stem}_built.xlsx")
    values = path.with_name(f"{path.stem}_values.xlsx")
    if report.clean and report.values_only:
        return (
            f"next: nothing: {path} is ready to share (to change the case, change the original "
            "workbook and freeze it again)"
        )
    if not kinds:
        return f"next: `xl-roi freeze {path} -o {values}` for readers without the functions"
    if "bad input" not in kinds and _laid_out_otherwise(report.findings):
        return (
            f"next: {path} has its named rows where another xl_roi lays them out (an earlier "
            f"version's template): `xl-roi build {path}` rebuilds it from its own inputs into "
            f"{built}, in this version's layout; then `xl-roi check {built}`"
        )
    if kinds & {"bad input", "missing name", "missing sheet"}:
        return (
            f"next: correct what is named above in {path} (or start again from "
            f"`xl-roi build CASE.toml`), then run `xl-roi check {path}` again"
        )
    if NOT_COMPUTED in kinds:
        return (
            f"next: open {path} in Excel with the xl_roi add-in and save it, or "
            f"`xl-roi build {path} --portable` writes {built}, which computes anywhere"
        )
    if report.values_only:
        return (
            "next: a values-only copy does not recalculate, so a figure typed over or an input "
            f"changed after freezing stays wrong: `xl-roi build {path}` works every figure out "
            f"again from its inputs into {built}; `xl-roi freeze {built} -o {values}` makes a "
            "new copy of that to share"
        )
    if PASTED_AS_VALUES in kinds:
        return (
            f"next: `xl-roi build {path}` rebuilds it from its inputs into {built}, with the "
            f"template's formulas restored; `xl-roi freeze {built} -o {values}` makes a "
            "values-only copy of that to share"
        )
    if "no stored result" in kinds:
        return (
            f"next: `xl-roi build {path}` recomputes every result into {built} (the file was "
            "saved by a program that does not calculate)"
        )
    if kinds & {"formula overwritten", "formula changed", "moved name"}:
        return (
            f"next: `xl-roi build {path}` rebuilds it from its inputs into {built}, with the "
            "template's formulas restored"
        )
    return (
        f"next: recalculate it in Excel with the functions loaded, or `xl-roi build {path}` "
        f"recomputes it from its inputs into {built}"
    )
