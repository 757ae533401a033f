"""Check a workbook: its inputs, its formulas and its stored results, against the core.

:func:`check_workbook` reads the inputs back into a case, lays out what the template holds for
that case, and reports every stored result that disagrees with the core, every formula
overwritten by a constant or changed, every input out of range, and every missing name.
"""

from __future__ import annotations

import math
import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from defusedxml import ElementTree
from openpyxl import Workbook
from openpyxl.worksheet.formula import ArrayFormula

from xl_roi.case import Case
from xl_roi.workbook.build import blueprint_of
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
    "group_findings",
    "next_step",
    "same_result",
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

    @property
    def clean(self) -> bool:
        """Whether the workbook passed every check (unusual inputs warn, they do not fail)."""
        return all(finding.kind == UNUSUAL for finding in self.findings)

    @property
    def warnings(self) -> list[Finding]:
        """Inputs within their bounds but unusual (growth above 20 % a month, …)."""
        return [finding for finding in self.findings if finding.kind == UNUSUAL]


def same_result(expected: Any, stored: Any) -> bool:
    """Whether a stored cell result is the expected figure (numbers within 1e-9 relative).

    Examples
    --------
    >>> same_result(10_560.0, 10_560.000000001), same_result(2.5, 2.6), same_result("pass", "pass")
    (True, False, True)
    """
    if isinstance(expected, bool) or isinstance(stored, bool):
        return isinstance(stored, bool) and isinstance(expected, bool) and expected == stored
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


def _normalised(formula: str) -> str:
    return "".join(formula.split()).upper()


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _number(text: str) -> int | float:
    """A stored number as openpyxl reads it: whole when written without a point or exponent."""
    if "." in text or "E" in text or "e" in text:
        return float(text)
    try:
        return int(text)
    except ValueError:
        return float(text)


def _stored_value(cell: Any) -> Any:
    kind = cell.get("t", "n")
    value = cell.find(f"{_MAIN}v")
    if kind == "inlineStr":
        return "".join(node.text or "" for node in cell.iter(f"{_MAIN}t"))
    if value is None or value.text is None:
        return None
    if kind == "b":
        return value.text.strip() == "1"
    if kind in ("str", "e", "s"):  # a formula's text result is stored in place ("str")
        return value.text
    return _number(value.text)


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
            for sheet in book.iter(f"{_MAIN}sheet"):
                target = targets.get(sheet.get(_RELATIONSHIP), "")
                part = target.lstrip("/") if target.startswith("/") else "xl/" + target
                part = posixpath.normpath(part)
                if part not in names:
                    continue
                title = sheet.get("name", "")
                with archive.open(part) as xml:
                    for _, cell in ElementTree.iterparse(xml):
                        if cell.tag != f"{_MAIN}c":
                            continue
                        if cell.find(f"{_MAIN}f") is not None:
                            results[(title, cell.get("r", ""))] = _stored_value(cell)
                        cell.clear()
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
    for name, target in blueprint.names.items():
        if name not in stored.defined_names:
            report.findings.append(Finding("missing name", "workbook", f"no defined name {name}"))
        elif stored.defined_names[name].attr_text != target:
            report.findings.append(
                Finding(
                    "moved name",
                    "workbook",
                    f"{name} points to {stored.defined_names[name].attr_text}, not {target}",
                )
            )
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
                    f"should be {formula}, holds the constant {found!r}",
                )
            )
            continue
        if _normalised(text) != _normalised(formula):
            report.findings.append(
                Finding("formula changed", where, f"should be {formula}, is {text}")
            )
        value = stored[sheet][coordinate].value
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
    for (sheet, coordinate), expected in blueprint.array_members.items():
        if sheet not in stored.sheetnames:
            continue
        report.checked_cells += 1
        value = stored[sheet][coordinate].value
        if not same_result(expected, value):
            report.findings.append(
                Finding(
                    "mismatch",
                    f"{sheet}!{coordinate}",
                    f"stores {value!r}, worked out from the inputs it is {expected!r}",
                )
            )
    return report


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
        return f"{self.kind} in {len(self.places):,} cells ({shown}{more}): {self.message}"


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
    if not kinds:
        values = path.with_name(f"{path.stem}_values.xlsx")
        return f"next: `xl-roi freeze {path} -o {values}` for readers without the functions"
    if kinds & {"bad input", "missing name", "missing sheet"}:
        return (
            f"next: correct what is named above in {path} (or start again from "
            f"`xl-roi build CASE.toml`), then run `xl-roi check {path}` again"
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
