"""The analyst's round trip through real spreadsheets (xl_roi/workbook/check.py and read.py):
build, type three inputs, save in LibreOffice or Gnumeric (each recalculating with its own
engine), then ``check`` and read it back.

Each application runs once per test session for all its workbooks (module fixtures): one
LibreOffice start for every file, one ``ssconvert`` per file.
"""

from __future__ import annotations

import dataclasses
import math
import re
import shlex
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.cases import DISCOUNTED_COSTED, WORKBOOK_CASES
from tests.gnumeric import SSCONVERT, need_ssconvert, recalculate
from tests.libreoffice import SOFFICE, convert_all, make_profile, need_soffice
from xl_roi import Case, evaluate
from xl_roi.cli import main
from xl_roi.workbook.build import blueprint_of, save_workbook
from xl_roi.workbook.check import NOT_COMPUTED, check_workbook
from xl_roi.workbook.layout import INPUT_ROWS
from xl_roi.workbook.read import open_workbook, read_case
from xl_roi.workbook.rows import QUALITY_FIRST_ROW, QUALITY_TRAFFIC_SHARE_COLUMN

README = Path(__file__).resolve().parents[1] / "README.md"

ERROR_VALUES = {"#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#N/A", "#NULL!"}

TRAFFIC_SHARE_OF_FIRST_SLICE = "first slice's traffic share"
"""An edit that is no named input: the Quality sheet's cell for the first slice's share."""

ROUND_TRIPS: dict[str, tuple[Case, dict[str, Any]]] = {
    # a self-hosted student on whole GPUs: more volume, dearer GPUs, growth from nothing
    "self-hosted": (
        WORKBOOK_CASES["self-hosted"],
        {"monthly_calls": 55_000_000, "gpu_hourly_cost": 3.1, "monthly_growth": 0.01},
    ),
    # a student dearer than the teacher: whatever the volume and costs, it never pays back
    "never pays back": (
        WORKBOOK_CASES["never pays back"],
        {"monthly_calls": 3_000_000, "upfront_cost": 60_000, "annual_maintenance": 45_000},
    ),
    # costed quality slices: the cost of a wrong answer, the rate, and a slice's share of calls
    "costed slices": (
        DISCOUNTED_COSTED,
        {"cost_per_error": 6.0, "discount_rate": 0.08, TRAFFIC_SHARE_OF_FIRST_SLICE: 0.15},
    ),
}

APPLICATIONS = {
    "LibreOffice": pytest.param("LibreOffice", marks=need_soffice()),
    "Gnumeric": pytest.param("Gnumeric", marks=need_ssconvert()),
}


def edited_case(case: Case, edits: dict[str, Any]) -> Case:
    """The case the edited workbook should read back as."""
    fields = {name: value for name, value in edits.items() if name != TRAFFIC_SHARE_OF_FIRST_SLICE}
    edited = case.replace(**fields)
    if TRAFFIC_SHARE_OF_FIRST_SLICE in edits:
        first, *rest = edited.quality_slices
        share = edits[TRAFFIC_SHARE_OF_FIRST_SLICE]
        edited = edited.replace(
            quality_slices=(dataclasses.replace(first, traffic_share=share), *rest)
        )
    return edited


def _input_cell(workbook: Any, field: str) -> Any:
    if field == TRAFFIC_SHARE_OF_FIRST_SLICE:
        return workbook["Quality"][f"{QUALITY_TRAFFIC_SHARE_COLUMN}{QUALITY_FIRST_ROW}"]
    name = next(name for name, row in INPUT_ROWS.items() if (row.field or name) == field)
    sheet, reference = next(iter(workbook.defined_names[name].destinations))
    return workbook[sheet][reference.replace("$", "")]


def type_inputs(source: Path, target: Path, edits: dict[str, Any]) -> None:
    """Type ``edits`` into the input cells, as an analyst would, and save (no results stored)."""
    workbook = openpyxl.load_workbook(source)
    for field, value in edits.items():
        _input_cell(workbook, field).value = value
    workbook.save(target)


def readme_build_arguments(output: Path) -> list[str]:
    """README's first command's ``xl-roi build`` arguments, its output replaced by ``output``."""
    text = README.read_text(encoding="utf-8")
    command = re.search(r"xl-roi (build[^\n]*)", text)
    assert command, "README's first command runs no xl-roi build"
    words = shlex.split(command.group(1))
    if "-o" in words:
        words[words.index("-o") + 1] = str(output)
    return [*words, "-o", str(output)] if "-o" not in words else words


@pytest.fixture(scope="module")
def typed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each round trip's portable workbook with its three inputs typed in; the add-in flavour
    of the first case as built; README's first command's workbook."""
    folder = tmp_path_factory.mktemp("typed")
    paths: dict[str, Path] = {}
    for name, (case, edits) in ROUND_TRIPS.items():
        built = folder / f"built_{_stem(name)}.xlsx"
        save_workbook(case, built, portable=True)
        paths[name] = folder / f"{_stem(name)}.xlsx"
        type_inputs(built, paths[name], edits)
    paths["add-in"] = folder / "addin.xlsx"
    save_workbook(next(iter(ROUND_TRIPS.values()))[0], paths["add-in"], portable=False)
    paths["readme"] = folder / "readme.xlsx"
    assert main(readme_build_arguments(paths["readme"])) == 0
    return paths


def _stem(name: str) -> str:
    return name.replace(" ", "_").replace("-", "_")


@pytest.fixture(scope="module")
def saved(typed: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``saved(application)``: name → the file that application recalculated and saved (each
    application runs on first use, once for the module)."""
    folder = tmp_path_factory.mktemp("saved")
    done: dict[str, dict[str, Path]] = {}

    def by(application: str) -> dict[str, Path]:
        if application not in done:
            out = folder / application
            if application == "LibreOffice":
                assert SOFFICE, "LibreOffice (soffice) is not installed"
                outputs = convert_all(list(typed.values()), out, make_profile(folder / "lo"))
            else:
                assert SSCONVERT, "Gnumeric (ssconvert) is not installed"
                outputs = [recalculate(path, out / path.name) for path in typed.values()]
            done[application] = dict(zip(typed, outputs, strict=True))
        return done[application]

    return by


def _agrees(expected: Any, got: Any) -> bool:
    """Equal by meaning: numbers to 1e-9 relative, a truth value stored as 1/0, blank text as
    no value (an independent rule from the one check applies)."""
    if isinstance(expected, bool):
        return got in (expected, int(expected))
    if isinstance(expected, int | float) and isinstance(got, int | float):
        return math.isclose(expected, got, rel_tol=1e-9, abs_tol=1e-9)
    if expected == "":
        return got in ("", None)
    return bool(expected == got)


def _named(workbook: Any, name: str) -> Any:
    sheet, reference = next(iter(workbook.defined_names[name].destinations))
    return workbook[sheet][reference.replace("$", "")].value


@pytest.mark.parametrize("application", APPLICATIONS.values())
@pytest.mark.parametrize("name", ROUND_TRIPS)
def test_saved_workbook_checks_clean(saved, application, name, capsys):
    """The portable workbook, inputs typed in and saved by the application, checks clean:
    exit 0, no finding about how the application writes names, formulas or results."""
    path = saved(application)[name]
    report = check_workbook(path)
    assert report.findings == [], [str(finding) for finding in report.findings][:5]
    assert main(["check", str(path)]) == 0
    assert "clean" in capsys.readouterr().out


@pytest.mark.parametrize("application", APPLICATIONS.values())
@pytest.mark.parametrize("name", ROUND_TRIPS)
def test_saved_workbook_reads_back_the_edited_case(saved, application, name):
    """Reading the saved workbook back gives the case with the three inputs typed in."""
    case, edits = ROUND_TRIPS[name]
    found, _, findings = read_case(open_workbook(saved(application)[name], data_only=True))
    assert findings == [] and found == edited_case(case, edits)
    assert found != case


@pytest.mark.parametrize("application", APPLICATIONS.values())
@pytest.mark.parametrize("name", ROUND_TRIPS)
def test_saved_results_equal_the_core_on_the_edited_case(saved, application, name):
    """Every result the application computed and stored equals the core's on the edited case
    to 1e-9, and no cell of the saved workbook is an error value."""
    case, edits = ROUND_TRIPS[name]
    edited = edited_case(case, edits)
    workbook = open_workbook(saved(application)[name], data_only=True)
    blueprint = blueprint_of(edited, 0.5, portable=True)
    cells = {key: expected for key, (_, expected) in blueprint.formulas.items()}
    cells.update(blueprint.array_members)
    wrong = [
        f"{sheet}!{cell}: core {expected!r}, {application} {workbook[sheet][cell].value!r}"
        for (sheet, cell), expected in cells.items()
        if not _agrees(expected, workbook[sheet][cell].value)
    ]
    assert not wrong and len(cells) > 1000, wrong[:5]
    result = evaluate(edited)
    for name_, figure in (
        ("savings_monthly", result.monthly_savings),
        ("net_benefit_annual", result.annual_net_benefit),
        ("value_today", result.npv),
    ):
        assert _agrees(figure, _named(workbook, name_)), name_
    if math.isinf(result.payback_months):
        assert str(_named(workbook, "payback_months")).startswith("#NUM! ")
    else:
        assert _agrees(result.payback_months, _named(workbook, "payback_months"))
    errors = [
        f"{sheet.title}!{cell.coordinate}: {cell.value}"
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value in ERROR_VALUES
    ]
    assert not errors, errors[:5]


def _sheet_part(path: Path, title: str) -> str:
    """The archive part that holds the sheet called ``title`` (writers number parts freely)."""
    with zipfile.ZipFile(path) as archive:
        book = archive.read("xl/workbook.xml").decode("utf-8")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    relation = re.search(rf'<sheet [^>]*name="{re.escape(title)}"[^>]*r:id="([^"]+)"', book)
    assert relation, title
    target = re.search(rf'<Relationship [^>]*Id="{relation.group(1)}"[^>]*/>', rels)
    assert target, relation.group(1)
    part = re.search(r'Target="/?([^"]+)"', target.group(0))
    assert part
    return part.group(1) if part.group(1).startswith("xl/") else f"xl/{part.group(1)}"


def tamper_formula(path: Path, sheet: str, reference: str) -> None:
    """Add ``+1`` to one cell's formula in the file's XML, its stored result left as it was."""
    part = _sheet_part(path, sheet)
    with zipfile.ZipFile(path) as source:
        infos = source.infolist()
        data = {info.filename: source.read(info.filename) for info in infos}
    xml = data[part].decode("utf-8")
    pattern = rf'(<c r="{reference}"[^>]*>\s*<f[^>]*>)(.*?)(</f>)'
    xml, count = re.subn(pattern, r"\g<1>\g<2>+1\g<3>", xml, count=1, flags=re.DOTALL)
    assert count == 1, (part, reference)
    data[part] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in infos:
            target.writestr(info, data[info.filename])


@pytest.mark.parametrize("application", APPLICATIONS.values())
def test_formula_tampered_after_the_save_is_caught(saved, application, tmp_path, capsys):
    """A formula changed in the application's saved file is still caught: exit 1, the cell
    named."""
    path = tmp_path / "tampered.xlsx"
    shutil.copy(saved(application)["self-hosted"], path)
    workbook = open_workbook(path, data_only=False)
    sheet, reference = next(iter(workbook.defined_names["savings_monthly"].destinations))
    reference = reference.replace("$", "")
    tamper_formula(path, sheet, reference)
    findings = check_workbook(path).findings
    assert ("formula changed", f"{sheet}!{reference}") in [(f.kind, f.where) for f in findings]
    assert main(["check", str(path)]) == 1
    assert f"{sheet}!{reference}: formula changed" in capsys.readouterr().out


@pytest.mark.parametrize("application", APPLICATIONS.values())
def test_addin_flavour_saved_elsewhere_is_one_finding(saved, application, capsys):
    """The add-in flavour recalculated where xl_roi's functions do not exist is one finding
    that says so and what to do; nothing about how the application writes names, formulas or
    truth values."""
    path = saved(application)["add-in"]
    findings = check_workbook(path).findings
    assert [finding.kind for finding in findings] == [NOT_COMPUTED]
    message = findings[0].message
    assert "#NAME?" in message and application in message
    assert "Excel with the xl_roi add-in" in message and "--portable" in message
    assert main(["check", str(path)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and "1 finding(s)" in lines[0], lines


@pytest.mark.parametrize("application", APPLICATIONS.values())
def test_readme_first_workbook_computes_with_no_error_cell(saved, application):
    """README's first command writes a workbook the application, recalculating it itself,
    computes with no error cell (the portable flavour, the default)."""
    workbook = open_workbook(saved(application)["readme"], data_only=True)
    errors = [
        f"{sheet.title}!{cell.coordinate}: {cell.value}"
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
        and (cell.value in ERROR_VALUES or cell.value.startswith("Err:"))
    ]
    assert not errors, errors[:5]
    assert check_workbook(saved(application)["readme"]).findings == []
