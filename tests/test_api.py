"""Tests of the public API: what `xl_roi` exports, and the version in one place."""

from __future__ import annotations

import inspect
import re
import tomllib
from pathlib import Path

import xl_roi


def test_all_matches_public_names():
    """__all__ lists exactly the public names of the package (imported or lazy), once each."""
    public = {name for name in vars(xl_roi) if not name.startswith("_")}
    modules = {name for name, value in vars(xl_roi).items() if inspect.ismodule(value)}
    assert set(xl_roi.__all__) - {"__version__"} == (public - modules) | set(xl_roi._LAZY)
    assert len(xl_roi.__all__) == len(set(xl_roi.__all__))


def test_design_function_names_exist():
    """DESIGN.md's table: each core function importable under its name."""
    for name in (
        "cost_per_1k_calls",
        "serving_cost_per_1k_calls",
        "data_generation_cost",
        "upfront_cost",
        "monthly_savings",
        "payback_months",
        "annual_net_benefit",
        "savings_share",
        "breakeven_volume",
        "verdict",
        "evaluate",
        "example_case",
        "load_case",
        "Case",
        "Result",
        "InputError",
    ):
        assert callable(getattr(xl_roi, name)), name


def test_version_in_one_place():
    """The version is written once, in xl_roi/_version.py; pyproject reads it from there."""
    root = Path(__file__).resolve().parents[1]
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    assert "version" in pyproject["project"]["dynamic"]
    assert "version" not in pyproject["project"]
    attr = pyproject["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "xl_roi._version.__version__"
    assert re.fullmatch(r"\d+\.\d+\.\d+", xl_roi.__version__)


def test_core_knows_nothing_of_excel():
    """The core never imports xlwings or the Excel functions."""
    root = Path(xl_roi.__file__).parent
    for path in root.glob("*.py"):
        text = path.read_text()
        assert "import xlwings" not in text and "xl_roi_udfs" not in text, path.name


def test_lazy_functions_load_on_first_use_only():
    """sensitivity, grid, simulate, screen and measure come from `xl_roi` without `import
    xl_roi` loading numpy or pandas, and stay functions after their modules are imported."""
    import subprocess
    import sys

    code = (
        "import sys, xl_roi\n"
        "assert not {'numpy', 'pandas'} & set(sys.modules), 'loaded at import'\n"
        "assert {'grid', 'measure', 'screen', 'sensitivity', 'simulate'} <= set(dir(xl_roi))\n"
        "import xl_roi._sensitivity, xl_roi._measure, xl_roi.simulation, xl_roi.portfolio\n"
        "for name in ('grid', 'measure', 'screen', 'sensitivity', 'simulate'):\n"
        "    assert inspect.isfunction(getattr(xl_roi, name)), name\n"
    )
    subprocess.run([sys.executable, "-c", "import inspect\n" + code], check=True)
