"""The two flavours from one spec: same names and rows; the portable one calls none of xl_roi's
functions; check, build FILE.xlsx and freeze read both and say which they read."""

from __future__ import annotations

import re

import openpyxl
import pytest

from tests.cases import WORKBOOK_CASES
from xl_roi import example_case
from xl_roi.cli import main
from xl_roi.workbook.build import build_workbook, save_workbook
from xl_roi.workbook.check import check_workbook
from xl_roi.workbook.read import workbook_flavour

OUR_FUNCTIONS = re.compile(
    r"\b(COST_PER_1K|DATA_GEN_COST|UPFRONT_COST|MONTHLY_SAVINGS|PAYBACK|NET_BENEFIT|"
    r"SAVINGS_SHARE|PAYBACK_AFTER_MAINTENANCE|BREAKEVEN_VOLUME|ROI_VERDICT|RECOMMENDATION|"
    r"SENSITIVITY)\("
)
NOT_EVERYWHERE = re.compile(r"\b(LAMBDA|LET|TEXTJOIN|FILTER|SORT|UNIQUE|SEQUENCE|XLOOKUP)\(")


@pytest.mark.parametrize("name", sorted(WORKBOOK_CASES))
def test_portable_formulas_call_only_built_in_functions(name):
    """No portable formula calls one of xl_roi's functions or a function older spreadsheets lack."""
    _, blueprint = build_workbook(WORKBOOK_CASES[name], portable=True)
    bad = [
        formula
        for formula, _ in blueprint.formulas.values()
        if OUR_FUNCTIONS.search(formula) or NOT_EVERYWHERE.search(formula)
    ]
    assert bad == []


def test_same_names_and_results_in_both_flavours():
    """Both flavours define the same names at the same cells, and store the same results there."""
    _, addin = build_workbook(example_case())
    _, portable = build_workbook(example_case(), portable=True)
    assert addin.names == portable.names
    for target in addin.names.values():
        sheet, reference = target.split("!")
        key = (sheet.strip("'"), reference.replace("$", ""))
        if key in addin.formulas:
            assert portable.formulas[key][1] == addin.formulas[key][1], key


def test_check_build_and_freeze_say_the_flavour(tmp_path, capsys):
    """check is clean on a portable workbook and names its flavour; build FILE.xlsx keeps the
    flavour it read; freeze names the flavour it copied."""
    portable = tmp_path / "portable.xlsx"
    save_workbook(example_case(), portable, portable=True)
    report = check_workbook(portable)
    assert report.clean and report.flavour == "portable"
    assert main(["check", str(portable)]) == 0
    assert "(portable flavour): clean" in capsys.readouterr().out
    rebuilt = tmp_path / "rebuilt.xlsx"
    assert main(["build", str(portable), "-o", str(rebuilt)]) == 0
    captured = capsys.readouterr()
    assert "(portable flavour)" in captured.err and workbook_flavour(rebuilt) == "portable"
    assert main(["freeze", str(portable), "-o", str(tmp_path / "frozen.xlsx")]) == 0
    assert "from the portable flavour" in capsys.readouterr().out
    addin = tmp_path / "addin.xlsx"
    assert main(["build", "--addin", "-o", str(addin)]) == 0
    assert "the add-in flavour" in capsys.readouterr().out
    assert check_workbook(addin).flavour == "add-in"


def test_build_writes_the_portable_flavour_unless_asked(tmp_path, capsys):
    """build writes the portable flavour by default and says it computes anywhere; --addin the
    add-in flavour, saying where it computes; a filled-in workbook keeps its flavour unless a
    flag says otherwise; --portable is still accepted."""
    default, addin = tmp_path / "default.xlsx", tmp_path / "addin.xlsx"
    assert main(["build", "-o", str(default)]) == 0
    out = capsys.readouterr().out
    assert workbook_flavour(default) == "portable"
    assert f"wrote {default}, the portable flavour" in out and "LibreOffice" in out
    assert main(["build", "--addin", "-o", str(addin)]) == 0
    out = capsys.readouterr().out
    assert workbook_flavour(addin) == "add-in"
    assert "the add-in flavour" in out and "xl_roi add-in" in out and "#NAME?" in out
    for source, flags, flavour in (
        (addin, [], "add-in"),
        (addin, ["--portable"], "portable"),
        (default, [], "portable"),
        (default, ["--addin"], "add-in"),
    ):
        target = tmp_path / f"{source.stem}_{'_'.join(flags) or 'kept'}.xlsx"
        assert main(["build", str(source), "-o", str(target), *flags]) == 0
        assert workbook_flavour(target) == flavour, (source, flags)
    capsys.readouterr()
    assert main(["build", "--addin", "--portable"]) == 2
    assert "not allowed with" in capsys.readouterr().err


def test_about_and_checks_name_the_flavour(tmp_path):
    """About and Checks say which flavour; the add-in one points to the portable file."""
    for portable, words in ((True, "portable flavour"), (False, "add-in flavour")):
        path = tmp_path / f"{portable}.xlsx"
        save_workbook(example_case(), path, portable=portable)
        book = openpyxl.load_workbook(path)
        about = " ".join(str(c.value) for row in book["About"].iter_rows() for c in row if c.value)
        assert f"This is the {words}" in about
        assert words in book["Checks"]["A2"].value
        if not portable:
            assert "workbook_portable.xlsx" in about
            assert "workbook_portable.xlsx" in book["Checks"]["C5"].value
        else:
            assert "Import Functions" not in about
