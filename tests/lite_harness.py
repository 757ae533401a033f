"""xlwings' Office.js dispatch (xlwings Lite, xlwings Server) on a machine without Excel.

xlwings Lite runs Python in Pyodide inside Excel (Windows, Mac, the web). With
``XLWINGS_ON_SERVER=true`` (which Lite sets), ``xlwings.func``/``arg``/``ret`` are the decorators
of ``xlwings.pro.udfs_officejs``; the add-in registers a module's functions with
``xlwings.server.custom_functions_meta`` and calls each one with
``xlwings.server.custom_functions_call(payload, module)``, where ``payload["args"]`` holds every
argument as Office.js hands it over (see :func:`office_js_argument`).

Two ways to run that path here:

- :func:`lite_xlwings_udfs` and :func:`call_like_lite`: in this CPython, with xlwings' own
  dispatch and its ``officejs`` conversion engine, and numpy/pandas installed (so the table
  functions run too).
- :func:`run_in_pyodide`: in Pyodide under Node, offline, from our built wheel and xlwings'
  pure wheel, nothing else installed (tests/pyodide_runner.mjs).

xlwings' Office.js code is xlwings PRO code (PolyForm Noncommercial 1.0.0 or a commercial
licence); it runs only with a licence key in ``XLWINGS_LICENSE_KEY``. When none is set, these
helpers use the key ``noncommercial`` that xlwings accepts for noncommercial use; set your own key
to run them under a commercial licence. xlwings Lite itself needs no key and is free for
personal and commercial use.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import importlib
import json
import math
import os
import shutil
import subprocess
import sys
import types
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.xlwings_harness import CELL_ERRORS, MISSING

ROOT = Path(__file__).resolve().parents[1]

PYODIDE_VERSION = "314.0.8"
"""The npm package ``pyodide`` the proof runs on (Python 3.14); .ci/run installs this one."""

PYODIDE_HOME = Path(os.environ.get("XL_ROI_PYODIDE_HOME", ROOT / ".pyodide"))
"""Where .ci/run installs it (``npm install --prefix .pyodide``) and keeps xlwings' wheel."""

RUNNER = ROOT / "tests" / "pyodide_runner.mjs"

OFFICE_JS_ERROR_TYPES = {
    "#DIV/0!": "Div0",
    "#N/A": "NotAvailable",
    "#NAME?": "Name",
    "#NULL!": "Null",
    "#NUM!": "Num",
    "#REF!": "Ref",
    "#VALUE!": "Value",
}
"""Office.js's ``errorType`` of each error (as in xlwings.pro._xlofficejs)."""


def license_key() -> str:
    """The xlwings licence key the Office.js dispatch runs under (see the module's notes)."""
    return os.environ.get("XLWINGS_LICENSE_KEY") or "noncommercial"


# -- what Office.js hands over ----------------------------------------------------------------


def office_js_cell(value: Any, blank: Any = None) -> Any:
    """One cell as Office.js hands it to xlwings, given the value COM hands over for it.

    A number is a JavaScript number, which reaches Python as an ``int`` when it is whole (as
    Pyodide converts it, and as JSON does); a blank is ``null`` (or ``blank``, e.g. ``""``); an
    error cell is an Office.js error value; a date is its serial number; a currency amount a
    number.
    """
    if value is None:
        return blank
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and value in CELL_ERRORS:
        error = CELL_ERRORS[value]
        return {"type": "Error", "basicValue": error, "errorType": OFFICE_JS_ERROR_TYPES[error]}
    if isinstance(value, dt.datetime):
        return office_js_cell((value - dt.datetime(1899, 12, 30)) / dt.timedelta(days=1))
    if isinstance(value, (float, Decimal, int)):
        number = float(value)
        if number.is_integer() and abs(number) <= 2**53 - 1:
            return int(number)
        return number
    raise TypeError(f"no Office.js form for {value!r}")


def office_js_argument(value: Any, blank: Any = None) -> Any:
    """One argument as Office.js hands it over: every parameter is a ``matrix`` of ``any``
    (custom_functions_meta), so a value arrives as rows of cells; an argument left out as null."""
    if isinstance(value, int) and not isinstance(value, bool) and value == MISSING:
        return None
    if isinstance(value, (list, tuple)):
        return [[office_js_cell(cell, blank) for cell in row] for row in value]
    return [[office_js_cell(value, blank)]]


def reaches_office_js(value: Any) -> bool:
    """Whether Excel can hand this COM value to a function through Office.js at all: no NaN,
    infinity or Decimal surprises, ranges rectangular and two-dimensional, at least one cell."""
    if isinstance(value, (list, tuple)):
        rows = list(value)
        return (
            bool(rows)
            and all(isinstance(row, (list, tuple)) and row for row in rows)
            and len({len(row) for row in rows}) == 1
            and all(
                reaches_office_js(cell) and not isinstance(cell, (list, tuple))
                for row in rows
                for cell in row
            )
        )
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, Decimal):
        return value.is_finite()
    return not (isinstance(value, (dt.date, dt.time)) and not isinstance(value, dt.datetime))


def payload(name: str, arguments: list[Any]) -> dict[str, Any]:
    """What the add-in hands ``custom_functions_call`` for one call."""
    import xlwings

    return {
        "func_name": name,
        "args": arguments,
        "caller_address": "Sheet1!B2",
        "version": xlwings.__version__,
        "client": "Office.js",
        "runtime": "1.4",
        "date_format": "m/d/yyyy",
        "culture_info_name": "en-US",
    }


# -- in this CPython --------------------------------------------------------------------------


@contextlib.contextmanager
def lite_xlwings_udfs() -> Iterator[types.ModuleType]:
    """``xl_roi_udfs`` decorated by xlwings' Office.js decorators (as in xlwings Lite), for the
    duration; yields a module holding its functions for ``custom_functions_call``."""
    saved_key = os.environ.get("XLWINGS_LICENSE_KEY")
    os.environ["XLWINGS_LICENSE_KEY"] = license_key()
    import xlwings
    import xlwings.server
    from xlwings.main import Engine
    from xlwings.pro import _xlofficejs

    if "officejs" not in [engine.name for engine in xlwings.engines]:
        xlwings.engines.add(Engine(impl=_xlofficejs.engine))
    saved = {name: getattr(xlwings, name) for name in ("func", "arg", "ret")}
    xlwings.func, xlwings.arg, xlwings.ret = (
        xlwings.server.func,
        xlwings.server.arg,
        xlwings.server.ret,
    )
    try:
        import xl_roi_udfs

        module = importlib.reload(xl_roi_udfs)
        functions = types.ModuleType("xl_roi_udfs_lite")
        for name, value in vars(module).items():
            if hasattr(value, "__xlfunc__"):
                setattr(functions, name, value)
        yield functions
    finally:
        for name, value in saved.items():
            setattr(xlwings, name, value)
        if saved_key is None:
            os.environ.pop("XLWINGS_LICENSE_KEY", None)
        else:
            os.environ["XLWINGS_LICENSE_KEY"] = saved_key
        import xl_roi_udfs

        importlib.reload(xl_roi_udfs)


def call_like_lite(module: types.ModuleType, name: str, *arguments: Any) -> Any:
    """Call a function as xlwings Lite does, with arguments already in Office.js form."""
    import xlwings.server

    return asyncio.run(xlwings.server.custom_functions_call(payload(name, list(arguments)), module))


# -- in Pyodide, under Node -------------------------------------------------------------------


class PyodideUnavailableError(Exception):
    """Node, the pyodide npm package or xlwings' pure wheel is missing."""


def pyodide_dir() -> Path:
    """The installed npm package ``pyodide`` of :data:`PYODIDE_VERSION`, or say what is missing."""
    if shutil.which("node") is None:
        raise PyodideUnavailableError("node is not installed (apt-get install nodejs npm)")
    package = PYODIDE_HOME / "node_modules" / "pyodide"
    manifest = package / "package.json"
    if not manifest.is_file():
        raise PyodideUnavailableError(
            f"no pyodide npm package in {package}: npm install --prefix {PYODIDE_HOME} "
            f"--no-save pyodide@{PYODIDE_VERSION}"
        )
    version = json.loads(manifest.read_text(encoding="utf-8"))["version"]
    if version != PYODIDE_VERSION:
        raise PyodideUnavailableError(
            f"pyodide {version} in {package}, the test pins {PYODIDE_VERSION}"
        )
    return package


def xlwings_pure_wheel() -> Path:
    """xlwings' pure-Python wheel (py3-none-any, as xlwings Lite installs it from PyPI), of the
    version installed here, kept in .pyodide/wheels (downloaded once with pip)."""
    from importlib.metadata import version

    wanted = version("xlwings")
    folder = PYODIDE_HOME / "wheels"
    wheel = folder / f"xlwings-{wanted}-py3-none-any.whl"
    if wheel.is_file():
        return wheel
    folder.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
        "--only-binary=:all:", "--platform", "any", "--implementation", "py",
        "--python-version", "3.14", "--dest", str(folder), f"xlwings=={wanted}",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0 or not wheel.is_file():
        raise PyodideUnavailableError(f"could not download {wheel.name}: {done.stderr[-500:]}")
    return wheel


def build_wheel(folder: Path) -> Path:
    """Our wheel, built with ``pip wheel --no-deps`` into ``folder`` from a copy of this
    checkout's sources (setuptools keeps a build/ folder beside its input, whose stale files
    could otherwise end up in the wheel)."""
    source = folder / "source"
    for name in ("pyproject.toml", "README.md"):
        source.mkdir(exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    for name in ("xl_roi", "udfs"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir",
               str(folder), str(source)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    wheels = sorted(folder.glob("xl_roi-*-py3-none-any.whl"))
    if done.returncode != 0 or len(wheels) != 1:
        raise RuntimeError(f"pip wheel failed: {done.stderr[-2000:]}")
    return wheels[0]


MAIN_PY = "from xl_roi_udfs import *\n"
"""What README tells a user to paste into xlwings Lite's main.py."""


def run_in_pyodide(
    wheels: Path, requests: list[dict[str, Any]], work: Path, main_py: str = MAIN_PY
) -> dict[str, Any]:
    """Make every call of ``requests`` (``id``, ``func_name``, ``args`` in Office.js form) in one
    Node process running Pyodide with the wheels of ``wheels`` and ``main_py`` as main.py; its
    environment, the metadata and each call's result (``{"result": ...}`` or ``{"raised":
    ...}``) by id."""
    package = pyodide_dir()
    request_file = work / "requests.json"
    request_file.write_text(
        json.dumps({"main_py": main_py, "calls": requests}, allow_nan=False), encoding="utf-8"
    )
    done = subprocess.run(
        ["node", str(RUNNER), str(package), str(wheels), str(request_file)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "XLWINGS_LICENSE_KEY": license_key()},
    )
    if done.returncode != 0:
        # the loader prints its whole minified source before a Python traceback: keep the end
        raise RuntimeError(f"Pyodide run failed ({done.returncode}): {done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result
