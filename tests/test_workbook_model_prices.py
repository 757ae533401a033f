"""Tests of a workbook built from a case that names its models: the token prices the core used,
with the price table's version and date beside them, in both flavours; LibreOffice recalculating
the portable one gives the core's figures."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.libreoffice import convert, make_profile, need_soffice
from xl_roi import evaluate
from xl_roi.casefile import load_case
from xl_roi.cli import main
from xl_roi.errors import InputError
from xl_roi.prices import model_prices, price_table
from xl_roi.workbook.build import save_workbook

NAMED_CASE = """\
name = "Tickets on named models"
currency = "USD"

[volume]
monthly_calls = 2_000_000

[teacher]
model = "gpt-4o"
provider = "openai"
input_tokens_per_call = 1_500
output_tokens_per_call = 200

[student]
model = "gpt-4o-mini"

[upfront]
total = 50_000

[maintenance]
annual = 20_000
"""

PRICE_NAMES = {
    "teacher_input_price_per_million": ("gpt-4o", "input"),
    "teacher_output_price_per_million": ("gpt-4o", "output"),
    "student_input_price_per_million": ("gpt-4o-mini", "input"),
    "student_output_price_per_million": ("gpt-4o-mini", "output"),
}


def _cell(workbook: Any, name: str) -> Any:
    sheet, reference = next(iter(workbook.defined_names[name].destinations))
    return workbook[sheet][reference.replace("$", "")]


def _build(tmp_path: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> Path:
    case = tmp_path / "named.toml"
    case.write_text(NAMED_CASE, encoding="utf-8")
    target = tmp_path / f"named{'_portable' if flags else ''}.xlsx"
    code = main(["build", str(case), "-o", str(target), *flags])
    _, err = capsys.readouterr()
    assert code == 0, err
    return target


@pytest.mark.parametrize("flags", [(), ("--portable",)], ids=["add-in", "portable"])
def test_prices_and_their_date_are_in_the_inputs(tmp_path, capsys, flags):
    """Each named model's token prices are the input values (the prices the core used), and
    the cell beside each names the price table, its version and its date."""
    workbook = openpyxl.load_workbook(_build(tmp_path, capsys, *flags))
    case = load_case(tmp_path / "named.toml")
    table = price_table()
    for name, (model, kind) in PRICE_NAMES.items():
        cell = _cell(workbook, name)
        assert cell.value == getattr(case, name) == model_prices(model).per_million(kind)
        note = cell.parent.cell(row=cell.row, column=4).value
        assert note.startswith(
            f"Prices from genai-prices {table.version}, as of {table.date.isoformat()}: "
        )
        assert f"openai {model} list price, USD" in note


def test_a_case_without_named_models_keeps_its_notes(tmp_path):
    """Prices typed in the case keep the plain note: no price table is claimed for them."""
    from xl_roi import example_case

    target = tmp_path / "typed.xlsx"
    save_workbook(example_case(), target)
    note = _cell(openpyxl.load_workbook(target), "teacher_input_price_per_million").offset(column=2)
    assert note.value == "Provider list price"


def test_prices_that_are_not_the_cases_are_refused(tmp_path):
    """The table's prices must be the case's: a note would otherwise date prices it does not
    describe."""
    from xl_roi import example_case

    with pytest.raises(InputError, match=r"teacher's input price is 2\.5 per million"):
        save_workbook(
            example_case(),  # the teacher at 3.00 / 15.00 per million, typed
            tmp_path / "wrong.xlsx",
            named_prices={"teacher": model_prices("gpt-4o")},
        )
    assert not (tmp_path / "wrong.xlsx").exists()


@need_soffice()
def test_libreoffice_recalculates_the_core_figures(tmp_path, capsys):
    """LibreOffice recalculating the portable workbook of a model-named case gives the core's
    savings, payback and net benefit: with $2.50/$10 (gpt-4o) and $0.15/$0.60 (gpt-4o-mini)
    per million tokens, 1,500 in and 200 out per call, the teacher costs 1000 × (1500 × 2.5 +
    200 × 10) / 1e6 = 5.75 per 1k calls, the student 1000 × (1500 × 0.15 + 200 × 0.6) / 1e6 =
    0.345; savings (5.75 − 0.345) × 2,000,000 / 1000 = 10,810 a month; payback 50,000 / 10,810
    = 4.6254 months; net benefit 12 × 10,810 − 20,000 = 109,720 a year."""
    source = _build(tmp_path, capsys, "--portable")
    recalculated = openpyxl.load_workbook(
        convert(source, tmp_path / "out", make_profile(tmp_path / "profile")), data_only=True
    )
    result = evaluate(load_case(tmp_path / "named.toml"))
    expected = {
        "teacher_cost": (5.75, result.teacher_cost_per_1k),
        "student_cost": (0.345, result.student_cost_per_1k),
        "savings_monthly": (10_810.0, result.monthly_savings),
        "payback_months": (50_000 / 10_810, result.payback_months),
        "net_benefit_annual": (109_720.0, result.annual_net_benefit),
    }
    for name, (by_hand, core) in expected.items():
        got = _cell(recalculated, name).value
        assert math.isclose(got, core, rel_tol=1e-9), (name, got, core)
        assert math.isclose(got, by_hand, rel_tol=1e-12), (name, got, by_hand)
    assert _cell(recalculated, "verdict_label").value == result.verdict
    note = _cell(recalculated, "student_output_price_per_million").offset(column=2).value
    assert note.startswith(f"Prices from genai-prices {price_table().version}, as of ")
