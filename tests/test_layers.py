"""The package's layers: every module sits in one, and imports only from its own or lower ones.

The layers, lowest first (README, "How the package is laid out", says the same in words):

support   errors, text, atomic files, JSON writing, reading ahead: nothing about the domain
model     the inputs: the registry of fields, their bounds, uncertainty ranges, quality slices,
          the case
sources   published figures the inputs may come from: model and GPU price tables
calc      the arithmetic: the kernel and its backends, costs, payback, cash flow, NPV/IRR,
          verdict, the recommendation's words, one case evaluated and a million at once
analysis  sensitivity, simulation, the portfolio screen
report    the pitch and the deck
io        case files and endpoint files
measure   figures measured from logs and serving benchmarks
workbook  the workbook: its specification, its rendering, reading it back, checking, freezing
entry     the command line, the Excel functions, the package's front door
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

LAYERS = {
    "support": {"errors", "text", "files", "json_table", "json_value", "read_ahead", "_version"},
    "model": {"fields", "bounds", "uncertainty", "quality_cost", "case"},
    "sources": {"prices", "gpu_prices", "data"},
    "calc": {
        "_kernel",
        "formula",
        "costs",
        "roi",
        "cashflow",
        "finance",
        "verdict",
        "resolve",
        "batch",
        "recommendation",
        "evaluation",
    },
    "analysis": {"_sensitivity", "simulation", "portfolio"},
    "report": {"pitch", "deck"},
    "io": {"casefile", "endpoint_file"},
    "measure": {"_measure", "capacity"},
    "workbook": {"workbook"},
    "entry": {"cli", "__init__", "xl_roi_cli", "xl_roi_udfs"},
}
ORDER = list(LAYERS)


def _modules() -> dict[str, Path]:
    """Every module of the package and of udfs/, by dotted name."""
    found = {}
    for path in [*(ROOT / "xl_roi").rglob("*.py"), *(ROOT / "udfs").glob("*.py")]:
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[0] == "udfs":
            parts = parts[1:]
        found[".".join(parts)] = path
    return found


def _layer(module: str) -> str:
    """The layer of a dotted module name (a subpackage's modules share its layer)."""
    parts = module.split(".")
    key = parts[1] if parts[0] == "xl_roi" and len(parts) > 1 else parts[0]
    if parts == ["xl_roi", "__init__"] or module == "xl_roi":
        key = "__init__"
    for layer, members in LAYERS.items():
        if key in members:
            return layer
    raise KeyError(f"{module} belongs to no layer: add it to LAYERS")


def _imports(path: Path, module: str) -> set[str]:
    """The package modules ``path`` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module.rsplit(".", 1)[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in names if name == "xl_roi" or name.startswith("xl_roi.")}


MODULES = _modules()


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_imports_only_its_own_or_lower_layers(module):
    """A module imports nothing from a layer above its own, so the arithmetic never depends
    on a report, a file format or the workbook."""
    own = ORDER.index(_layer(module))
    for imported in _imports(MODULES[module], module):
        if imported == "xl_roi":
            continue
        above = ORDER.index(_layer(imported)) > own
        assert not above, f"{module} ({ORDER[own]}) imports {imported} ({_layer(imported)})"


def test_the_layers_check_catches_an_upward_import(tmp_path):
    """The check sees an import from a higher layer (the arithmetic importing the workbook)."""
    path = tmp_path / "roi.py"
    path.write_text("from xl_roi.workbook import build\n", encoding="utf-8")
    imported = _imports(path, "xl_roi.roi")
    assert any(ORDER.index(_layer(name)) > ORDER.index("calc") for name in imported)


def test_every_module_has_a_layer():
    """A new module must be placed in a layer (else the check above could not judge it)."""
    for module in MODULES:
        _layer(module)
