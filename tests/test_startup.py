"""Tests of what the commands load at start-up (issue 9, item 14): no numpy for a pitch, no
pandas for build and check, and check loads its workbook once without building a styled one.

These are structural, not timed: the speed itself is measured in benchmarks/startup.py.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from xl_roi import example_case
from xl_roi.workbook import build, check, read
from xl_roi.workbook.build import save_workbook

LOADED = (
    "import sys\n"
    "from xl_roi.cli import main\n"
    "import contextlib, io\n"
    "with contextlib.redirect_stdout(io.StringIO()):\n"
    "    assert main(sys.argv[1:]) in (0, 1)\n"
    "print(sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'pandas', 'openpyxl'}))\n"
)


def loaded_by(*argv: str) -> str:
    """Which heavy libraries a command loads, run in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", LOADED, *argv], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_pitch_loads_no_numpy():
    """`xl-roi pitch` of a growing case (payback takes a logarithm) loads no numpy or pandas."""
    assert example_case().monthly_growth != 0.0
    assert loaded_by("pitch") == "[]"


@pytest.mark.parametrize("command", ["build", "check"])
def test_build_and_check_load_no_pandas(tmp_path, command):
    """`build` and `check` load openpyxl (and, through it, numpy) but never pandas."""
    target = tmp_path / "case.xlsx"
    save_workbook(example_case(), target)
    argv = ["build", "-o", str(tmp_path / "out.xlsx")] if command == "build" else ["check"]
    loaded = loaded_by(*argv, *([] if command == "build" else [str(target)]))
    assert "pandas" not in loaded and "openpyxl" in loaded


def test_check_loads_once_and_builds_no_workbook(tmp_path, monkeypatch):
    """check opens the file with openpyxl once and lays out no styled workbook to compare."""
    target = tmp_path / "case.xlsx"
    save_workbook(example_case(), target)
    loads = []
    real_load = read.openpyxl.load_workbook

    def counting_load(*args, **kwargs):
        loads.append(kwargs.get("data_only"))
        return real_load(*args, **kwargs)

    def no_workbook(*args, **kwargs):
        raise AssertionError("check built a styled workbook")

    monkeypatch.setattr(read.openpyxl, "load_workbook", counting_load)
    monkeypatch.setattr(build, "Workbook", no_workbook)
    report = check.check_workbook(target)
    assert report.clean and report.checked_cells > 0
    assert len(loads) == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["init", "x.toml", "--force"],
        ["pitch", "--json"],
        ["sensitivity", "case.toml", "--swing", "0.3", "--target", "18"],
        ["simulate", "--draws", "10", "--seed", "3"],
        ["build", "-o", "out.xlsx", "--force"],
        ["check", "f.xlsx", "--json"],
        ["deck", "case.toml", "-o", "p.pptx", "--force"],
        ["freeze", "f.xlsx", "-o", "g.xlsx"],
        ["screen", "e.csv", "--json"],
        ["measure", "a.csv", "b.jsonl", "--update", "c.toml", "--teacher", "big", "--approx"],
        ["prices", "gpt-4o", "--provider", "openai", "--json"],
        ["template", "-o", "t.xlsx"],
    ],
)
def test_a_command_parsed_alone_reads_as_with_all_of_them(argv):
    """Building only the named command's parser (for start-up) parses its arguments the same."""
    from xl_roi.cli import COMMANDS, build_parser

    assert argv[0] in COMMANDS
    alone, everything = build_parser(only=argv[0]), build_parser()
    assert vars(alone.parse_args(argv)) == vars(everything.parse_args(argv))
    subcommands = everything._subparsers._group_actions[0].choices
    assert set(subcommands) == set(COMMANDS)  # every command can be built alone


INTERRUPTED_WHILE_LOADING = (
    "import importlib, os, signal, sys, tomllib\n"
    "entry = tomllib.load(open(sys.argv[1], 'rb'))['project']['scripts']['xl-roi']\n"
    "class Interrupt:\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name == sys.argv[2]:\n"
    "            os.kill(os.getpid(), signal.SIGINT)\n"
    "        return None\n"
    "sys.meta_path.insert(0, Interrupt())\n"
    "module, function = entry.split(':')\n"
    "sys.exit(getattr(importlib.import_module(module), function)(['pitch']))\n"
)


@pytest.mark.parametrize("module", ["xl_roi", "xl_roi.case", "xl_roi.cli", "xl_roi.pitch"])
def test_ctrl_c_while_loading_exits_130_without_a_traceback(module):
    """Ctrl-C while the command is still loading (the console script's entry point, as
    pyproject declares it, with SIGINT sent as a given module loads) ends it with one line
    and exit 130, never a KeyboardInterrupt traceback."""
    from pathlib import Path

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    done = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_WHILE_LOADING, str(pyproject), module],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in done.stderr and "KeyboardInterrupt" not in done.stderr
    assert done.returncode == 130, (done.returncode, done.stderr)
    assert done.stderr.strip() == "xl-roi: interrupted (nothing written)"
