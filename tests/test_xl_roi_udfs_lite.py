"""xl_roi_udfs under xlwings Lite (Excel on Mac and the web): the same values and texts as classic.

Each call is made twice: through classic xlwings (tests/xlwings_harness.py, values as COM hands
them over) and through xlwings' Office.js dispatch (tests/lite_harness.py, the same cells as
Office.js hands them over) — in this CPython for every function, and in Pyodide under Node,
offline, for every function that needs no compiled package.
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
import os
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.lite_harness import (
    PyodideUnavailableError,
    build_wheel,
    call_like_lite,
    lite_xlwings_udfs,
    office_js_argument,
    pyodide_dir,
    reaches_office_js,
    run_in_pyodide,
    xlwings_pure_wheel,
)
from tests.test_xl_roi_udfs import GOOD_ARGUMENTS, excel_value
from tests.xlwings_harness import MISSING, call_like_excel, excel_functions, real_xlwings_udfs

NA = -2146826246  # what COM hands over for a #N/A cell
DIV0 = -2146826281  # ... for a #DIV/0! cell

NEEDS_COMPILED = {
    "SCREEN": "numpy",
    "SENSITIVITY": "numpy",
    "PAYBACK_PROBABILITY": "numpy",
    "ANNUAL_IRR": "numpy",
    "MODEL_PRICE": "genai_prices",
}
"""Functions that import a package with compiled parts when called (numpy, pandas; pydantic
under genai-prices): in xlwings Lite they come from Pyodide's own builds, online."""

SCALAR_FUNCTIONS = sorted(set(GOOD_ARGUMENTS) - set(NEEDS_COMPILED))
"""Functions that need nothing but the pure-Python core: proven in Pyodide, offline."""


def variants(good: Any) -> dict[str, Any]:
    """Each kind of cell a finance user can hand one argument, as COM hands it over."""
    return {
        "blank": None,
        "#N/A": NA,
        "#DIV/0!": DIV0,
        "text": "lots",
        "number as text": "1,500",
        "TRUE": True,
        "FALSE": False,
        "row of 2": ((1.0, 2.0),),
        "column of 2": ((1.0,), (2.0,)),
        "2x2 range": ((1.0, 2.0), (3.0, 4.0)),
        "one-cell range": ((good,),) if not isinstance(good, tuple) else good,
        "negative": -1.0,
        "zero": 0.0,
        "fraction": 0.25,
        "huge": 1e300,
        "whole": 7.0,
    }


def parameter_count(name: str) -> int:
    """How many arguments the function takes: Office.js hands over a value (or null) for each."""
    import xl_roi_udfs

    return len(inspect.signature(getattr(xl_roi_udfs, name)).parameters)


def required_count(name: str) -> int:
    """How many of them Excel requires (it refuses a formula with fewer)."""
    import xl_roi_udfs

    parameters = inspect.signature(getattr(xl_roi_udfs, name)).parameters.values()
    return sum(parameter.default is inspect.Parameter.empty for parameter in parameters)


def office_js_arguments(name: str, args: tuple[Any, ...], blank: Any = None) -> list[Any]:
    """All the function's arguments as Office.js hands them over: null for those left out."""
    arguments = [office_js_argument(value, blank) for value in args]
    return arguments + [None] * (parameter_count(name) - len(arguments))


def matrix_cases(names: list[str]) -> list[tuple[str, str, tuple[Any, ...], Any]]:
    """(id, function, COM arguments, blank as Office.js sends it) for every function × argument
    × kind of cell, the good call, each optional argument left out, and blanks sent as ""."""
    cases: list[tuple[str, str, tuple[Any, ...], Any]] = []
    for name in names:
        good = GOOD_ARGUMENTS[name]
        cases.append((f"{name}/good", name, good, None))
        for position, value in enumerate(good):
            for label, replacement in variants(value).items():
                args = list(good)
                args[position] = replacement
                cases.append((f"{name}/{position}/{label}", name, tuple(args), None))
            args = list(good)
            args[position] = None
            cases.append((f"{name}/{position}/blank as empty text", name, tuple(args), ""))
            if position >= required_count(name):
                cases.append(
                    (f"{name}/{position}/left out", name, (*good[:position], MISSING), None)
                )
    return cases


def same(lite: Any, classic: Any) -> bool:
    """Equal cell for cell; floats to 1e-12 relative (Pyodide's libm may differ in the last
    bit of a logarithm), everything else exactly."""
    if isinstance(lite, list) and isinstance(classic, list):
        return len(lite) == len(classic) and all(map(same, lite, classic))
    if isinstance(lite, float) and isinstance(classic, float):
        return lite == classic or math.isclose(lite, classic, rel_tol=1e-12, abs_tol=0.0)
    return type(lite) is type(classic) and lite == classic


@pytest.fixture(scope="session")
def classic():
    """The functions as classic xlwings decorates them (captured; the module is reloaded)."""
    with real_xlwings_udfs() as module:
        functions = excel_functions(module)
    return functions


@pytest.fixture(scope="module")
def lite():
    with lite_xlwings_udfs() as module:
        yield module


def classic_result(classic, name, args):
    return call_like_excel(classic[name], *args)


def lite_result(lite, name, args, blank=None):
    return call_like_lite(lite, name, *office_js_arguments(name, args, blank))


# -- loading ---------------------------------------------------------------------------------

BLOCKED = ("numpy", "pandas", "duckdb", "pyarrow", "numpy_financial", "genai_prices", "openpyxl")


def test_module_loads_with_the_pure_core_only():
    """With numpy, pandas, DuckDB, pyarrow, numpy-financial, genai-prices and openpyxl
    unimportable (as in Pyodide before they are installed), xl_roi_udfs loads and PAYBACK
    works; SCREEN, SENSITIVITY and PAYBACK_PROBABILITY say which package is missing."""
    code = (
        "import sys\n"
        f"for name in {BLOCKED!r}:\n"
        "    sys.modules[name] = None\n"
        "import xl_roi_udfs as u\n"
        "print(u.PAYBACK(52500.0, 21000.0))\n"
        "print(u.SCREEN([['name']])[0][0])\n"
        "table = u.SENSITIVITY(52500.0, 12.0, 1.5, 2e6, 4e4)\n"
        "print(len(table), {len(row) for row in table}, table[1][0])\n"
        "print(u.PAYBACK_PROBABILITY(52500.0, 12.0, 1.5, 2e6, 4e4))\n"
    )
    env = {**os.environ, "XLWINGS_ON_SERVER": ""}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    payback, screen, sensitivity, probability = done.stdout.splitlines()
    missing = "#N/A this function needs the Python package numpy, which is not installed"
    assert payback == "2.5"
    assert screen.startswith(missing)
    assert sensitivity.startswith("10 {10} " + missing)
    assert probability.startswith(missing)


def test_sensitivity_shape_known_without_numpy():
    """The shape a refused SENSITIVITY keeps without numpy is the shape of the real table."""
    import xl_roi_udfs

    from xl_roi._sensitivity import HEADLINE_TABLE_HEADER, HEADLINE_TABLE_ROWS

    assert len(HEADLINE_TABLE_HEADER) == xl_roi_udfs._SENSITIVITY_COLUMNS
    assert xl_roi_udfs._SENSITIVITY_DATA_ROWS == HEADLINE_TABLE_ROWS
    assert xl_roi_udfs.SENSITIVITY_HEADER == HEADLINE_TABLE_HEADER


# -- registration ----------------------------------------------------------------------------


def check_metadata(meta: dict[str, Any], classic: dict[str, Any]) -> None:
    """custom_functions_meta lists every function with its name, wizard text and arguments,
    each with its doc and whether it is optional, as classic xlwings registers them."""
    functions = {function["name"]: function for function in meta["functions"]}
    assert set(functions) == set(classic)
    for name, function in functions.items():
        info = classic[name].__xlfunc__
        assert function["id"] == name
        assert function["description"] == info["ret"]["doc"]
        assert 20 < len(function["description"]) <= 255
        assert function["result"] == {"dimensionality": "matrix", "type": "any"}
        expected = [(a["name"], a["doc"], "optional" in a) for a in info["args"]]
        got = [
            (p["name"], p["description"], p.get("optional", False)) for p in function["parameters"]
        ]
        assert got == expected, name
        assert all(not doc.startswith("Positional argument") for _, doc, _ in got)


def test_registered_through_custom_functions_meta(lite, classic):
    """xlwings' Office.js registration sees every function with its help, as classic does."""
    import xlwings.server

    check_metadata(xlwings.server.custom_functions_meta(lite), classic)


# -- the same results, in this CPython ---------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GOOD_ARGUMENTS))
def test_same_results_as_classic(lite, classic, name):
    """Every kind of cell in every argument (blank, error cells, text, TRUE, ranges of the
    wrong shape, edges) gives the same value or text through Office.js as through COM."""
    mismatches = []
    for case_id, _, args, blank in matrix_cases([name]):
        expected = classic_result(classic, name, args)
        got = lite_result(lite, name, args, blank)
        if not same(got, expected):
            mismatches.append((case_id, got, expected))
    assert not mismatches, mismatches[:5]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from(sorted(GOOD_ARGUMENTS)), st.data())
def test_any_cells_same_results_as_classic(lite, classic, name, data):
    """Whatever cells Excel can hand over, Office.js and COM give the same value or text."""
    good = GOOD_ARGUMENTS[name]
    value = excel_value.filter(reaches_office_js)
    args = tuple(data.draw(st.one_of(st.just(g), value)) for g in good)
    if name == "PAYBACK_PROBABILITY":
        args = (*args[:7], 500.0, *args[8:])  # the draw count sets the run time, not the law
    blank = data.draw(st.sampled_from([None, ""]))
    assert same(lite_result(lite, name, args, blank), classic_result(classic, name, args))


def test_screen_spills_the_same_table(lite, classic):
    """SCREEN over a range with blanks in it gives the same ranked table (one-row ranges arrive
    flattened, blanks in a range as null): the whole-table path through Office.js."""
    rows = (
        (
            "name",
            "monthly_calls",
            "teacher_cost_per_1k",
            "student_cost_per_1k",
            "upfront_cost",
            "annual_maintenance",
        ),
        ("small", 1_000.0, 12.0, 1.5, 52_500.0, 40_000.0),
        (None, None, None, None, None, None),
        ("big", 2_000_000.0, 12.0, 1.5, 52_500.0, 40_000.0),
        ("bad", "lots", 12.0, 1.5, 52_500.0, None),
    )
    header_and_blanks = ((*rows[0], None, None),)
    for table in (rows, rows[:1], rows[:2], header_and_blanks):
        for blank in (None, ""):
            expected = classic_result(classic, "SCREEN", (table,))
            assert same(lite_result(lite, "SCREEN", (table,), blank), expected)
    assert lite_result(lite, "SCREEN", (rows,))[1][1] == "big"


def test_a_date_cell_is_its_serial_number_under_office_js(lite, classic):
    """The one documented difference: COM hands a date cell over as a date, which is refused;
    Office.js hands over its serial number, which reads as a number (45,292 for 2024-01-01)."""
    args = (dt.datetime(2024, 1, 1), 21_000.0)
    assert classic_result(classic, "PAYBACK", args) == [
        ["#VALUE! upfront_cost holds a date or time (2024-01-01T00:00:00): enter a number"]
    ]
    assert lite_result(lite, "PAYBACK", args) == [[45_292.0 / 21_000.0]]


def test_a_number_equal_to_an_error_code_is_a_number_under_office_js(lite, classic):
    """Office.js hands a whole number over as an int, which COM never does (its ints are error
    codes): a cell holding -2146826246, COM's code for #N/A, is that number in both runtimes."""
    args = (52_500.0, -2_146_826_246.0)
    expected = classic_result(classic, "PAYBACK", args)
    assert expected[0][0].startswith("#NUM! never pays back")
    assert office_js_argument(args[1]) == [[-2_146_826_246]]
    assert lite_result(lite, "PAYBACK", args) == expected


def test_classic_functions_are_not_wrapped(classic, lite):
    """Only xlwings' Office.js decorators get the Office.js reading: under classic xlwings the
    function xlwings calls is the function itself, as before."""
    assert all(not hasattr(function, "__wrapped__") for function in classic.values())
    assert all(hasattr(getattr(lite, name), "__wrapped__") for name in classic)


def test_an_error_office_js_has_but_com_has_not_is_refused(lite):
    """A #SPILL! or #CALC! cell (no COM code) is refused as an error cell too."""
    spill = [[{"type": "Error", "basicValue": "#SPILL!", "errorType": "Spill"}]]
    assert call_like_lite(lite, "PAYBACK", [[52_500]], spill) == [
        ["#VALUE! monthly_savings is an error cell (#SPILL!): fix the cell it refers to"]
    ]


# -- the same results, in Pyodide under Node, offline ------------------------------------------


@pytest.fixture(scope="session")
def pyodide_run(tmp_path_factory, classic):
    """One Node process: our wheel and xlwings' pure wheel in Pyodide, every call of
    :func:`matrix_cases` for the functions that need no compiled package, and one good call
    of each function that does. Fails (not skips) when CI=true and Node or Pyodide is missing."""
    try:
        pyodide_dir()
        wheels = tmp_path_factory.mktemp("wheels")
        build_wheel(wheels)
        xlwings_wheel = xlwings_pure_wheel()
        (wheels / xlwings_wheel.name).write_bytes(xlwings_wheel.read_bytes())
        cases = matrix_cases([*SCALAR_FUNCTIONS, "MODEL_PRICE"]) + [
            (f"{name}/good", name, GOOD_ARGUMENTS[name], None)
            for name in sorted(NEEDS_COMPILED)
            if name != "MODEL_PRICE"
        ]
        requests = [
            {
                "id": case_id,
                "func_name": name,
                "args": office_js_arguments(name, args, blank),
            }
            for case_id, name, args, blank in cases
        ]
        run = run_in_pyodide(wheels, requests, tmp_path_factory.mktemp("pyodide"))
    except PyodideUnavailableError as missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must prove xlwings Lite in Pyodide: {missing}")
        pytest.skip(f"Pyodide proof not run: {missing}")
    expected = {case_id: classic_result(classic, name, args) for case_id, name, args, _ in cases}
    return run, expected, {case_id: name for case_id, name, _, _ in cases}


def test_pyodide_environment(pyodide_run):
    """The run is Pyodide (emscripten), xlwings' Office.js decorators, no compiled package
    loaded before or after the calls."""
    environment = pyodide_run[0]["environment"]
    assert environment["platform"] == "emscripten"
    assert environment["decorator_module"] == "xlwings.pro.udfs_officejs"
    assert environment["compiled_modules_loaded"] == []
    assert environment["compiled_modules_after_calls"] == []


def test_pyodide_registration(pyodide_run, classic):
    """In Pyodide, custom_functions_meta lists every function, its help and its arguments."""
    check_metadata(pyodide_run[0]["meta"], classic)


@pytest.mark.parametrize("name", SCALAR_FUNCTIONS)
def test_pyodide_same_results_as_classic(pyodide_run, name):
    """Each function that needs no compiled package gives, in Pyodide through Office.js, the
    value or text classic xlwings gives for the same cells, for every kind of cell."""
    run, expected, names = pyodide_run
    ids = [case_id for case_id, of in names.items() if of == name]
    assert len(ids) > 20
    mismatches = [
        (case_id, run["results"][case_id], expected[case_id])
        for case_id in ids
        if "result" not in run["results"][case_id]
        or not same(run["results"][case_id]["result"], expected[case_id])
    ]
    assert not mismatches, mismatches[:5]


def test_pyodide_functions_needing_compiled_packages_say_so(pyodide_run):
    """Without Pyodide's numpy (or genai-prices' pydantic) the table functions, the Monte Carlo
    and the IRR say which package to install; MODEL_PRICE still refuses bad arguments as
    classic does and names genai_prices for a lookup."""
    run, expected, names = pyodide_run
    results = run["results"]
    for name, package in NEEDS_COMPILED.items():
        missing = f"#N/A this function needs the Python package {package}, which is not installed"
        for case_id in (case_id for case_id, of in names.items() if of == name):
            cells = results[case_id]["result"]
            if name == "SENSITIVITY":
                assert len(cells) == 10 and {len(row) for row in cells} == {10}
                cell = cells[1][0]
            else:
                cell = cells[0][0]
            if name == "MODEL_PRICE" and same(cells, expected[case_id]):
                assert isinstance(cell, str) and cell.startswith("#VALUE! "), (case_id, cell)
                continue
            assert isinstance(cell, str) and cell.startswith(missing), (case_id, cell)


# -- installable where xlwings Lite installs from ---------------------------------------------

PYODIDE_MARKERS = {
    "sys_platform": "emscripten",
    "platform_system": "Emscripten",
    "os_name": "posix",
    "platform_machine": "wasm32",
    "python_version": "3.14",
    "python_full_version": "3.14.2",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "extra": "",
}
"""Pyodide 314.0.8's environment markers: which requirements apply there."""

NOT_CHECKED_HERE = {
    "xlwings": "its py3-none-any wheel on PyPI (installed here: the platform wheel) is what the "
    "Pyodide test loads",
    "httpx2-jsfetch": "genai-prices' HTTP client needs it on emscripten only; not installed here",
}
"""Requirements this machine cannot classify from what is installed, and why each is fine."""


def test_every_dependency_is_pure_or_built_by_pyodide():
    """Each package xl-roi needs in Pyodide, directly or through its dependencies, is pure
    Python (a py3-none-any wheel micropip takes from PyPI) or one Pyodide builds (numpy, pandas,
    DuckDB, pyarrow, pydantic-core in its package list): none blocks installing it in xlwings
    Lite, while the functions of SCALAR_FUNCTIONS need none of the compiled ones."""
    import json
    from importlib.metadata import PackageNotFoundError, distribution

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    try:
        lock_file = pyodide_dir() / "pyodide-lock.json"
    except PyodideUnavailableError as missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must check Pyodide's package list: {missing}")
        pytest.skip(f"no Pyodide package list: {missing}")
    built = {canonicalize_name(name) for name in json.loads(lock_file.read_text())["packages"]}
    compiled, seen, todo = set(), set(), ["xl-roi"]
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen or name in NOT_CHECKED_HERE:
            continue
        seen.add(name)
        try:
            found = distribution(name)
        except PackageNotFoundError:
            pytest.fail(f"{name} (needed in Pyodide) is not installed here to check")
        # xl-roi itself: build_wheel builds it as py3-none-any (and an editable install's
        # metadata found first on sys.path may carry no WHEEL file)
        pure = name == "xl-roi" or "Root-Is-Purelib: true" in (found.read_text("WHEEL") or "")
        if not pure:
            assert name in built, f"{name} is compiled and Pyodide does not build it"
            compiled.add(name)
        for line in found.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate(PYODIDE_MARKERS):
                todo.append(requirement.name)
    assert {"numpy", "pandas"} <= compiled  # the check saw the compiled ones it must see


def test_readme_gives_the_main_py_the_proof_runs():
    """README's main.py for xlwings Lite is the line the Pyodide proof runs as main.py."""
    from tests.lite_harness import MAIN_PY, ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Excel on Mac and the web", 1)[1].split("\n## ", 1)[0]
    assert f"```python\n   {MAIN_PY.strip()}\n   ```" in section
