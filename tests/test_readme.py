"""README's examples run as doctests, and README's commands are the ones CI runs."""

from __future__ import annotations

import doctest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_examples_run():
    """Every `>>>` example in README gives the output shown, and there is at least one."""
    result = doctest.testfile(
        str(ROOT / "README.md"), module_relative=False, optionflags=doctest.ELLIPSIS
    )
    assert result.attempted > 0
    assert result.failed == 0


def test_ci_runs_readmes_test_command():
    """.ci/run runs, word for word, the test command README gives a newcomer."""
    readme = (ROOT / "README.md").read_text()
    commands = [line for line in readme.splitlines() if line.startswith("python3 -m venv")]
    assert len(commands) == 2, "README's top gives exactly two commands"
    assert commands[1] in (ROOT / ".ci" / "run").read_text()
