"""xlwings' own UDF machinery on a machine without Excel.

Classic xlwings UDFs run only under Windows desktop Excel: there ``xlwings.func``/``arg``/``ret``
are the real decorators of ``xlwings.udfs``, which imports only with pywin32 present. Here we
stub the three pywin32 modules it imports (``pythoncom``, ``pywintypes``, ``win32com.client``),
import the real ``xlwings.udfs``, re-import ``xl_roi_udfs`` under its real decorators, register
a stand-in for the desktop engine named ``excel`` (its two value-cleaning methods follow
``xlwings._xlwindows.Engine``), and call each function the way ``xlwings.udfs.call_udf`` does:
``xlwings.conversion.read`` on every argument (our functions declare the ``raw`` converter, so
the value reaches them as COM hands it over), the function, ``xlwings.conversion.write`` on the
result. ``generate_vba_wrapper`` writes the VBA module Excel would import.

Run ``python -m tests.xlwings_harness --write-bas`` to regenerate ``udfs/xl_roi_udfs.bas``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import io
import math
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BAS_PATH = ROOT / "udfs" / "xl_roi_udfs.bas"

MISSING = -2147352572
"""What VBA hands over for an Optional argument left out (xlwings.udfs.call_udf tests for it)."""

CELL_ERRORS = {
    -2146826281: "#DIV/0!",
    -2146826246: "#N/A",
    -2146826259: "#NAME?",
    -2146826288: "#NULL!",
    -2146826252: "#NUM!",
    -2146826265: "#REF!",
    -2146826273: "#VALUE!",
}
"""The CVErr codes COM hands over for error cells (as in xlwings._xlwindows.cell_errors)."""


def _install_pywin32_stubs() -> None:
    if "pythoncom" in sys.modules and getattr(sys.modules["pythoncom"], "_xl_roi_stub", False):
        return
    pythoncom = types.ModuleType("pythoncom")
    pythoncom.CoInitialize = lambda: None  # type: ignore[attr-defined]
    pythoncom._xl_roi_stub = True  # type: ignore[attr-defined]
    pywintypes = types.ModuleType("pywintypes")

    class ComError(Exception):
        pass

    pywintypes.com_error = ComError  # type: ignore[attr-defined]
    pywintypes.TimeType = dt.datetime  # type: ignore[attr-defined]
    win32com = types.ModuleType("win32com")
    client = types.ModuleType("win32com.client")
    client.Dispatch = lambda *args, **kwargs: None  # type: ignore[attr-defined]
    win32com.client = client  # type: ignore[attr-defined]
    sys.modules.update(
        {
            "pythoncom": pythoncom,
            "pywintypes": pywintypes,
            "win32com": win32com,
            "win32com.client": client,
        }
    )


class DesktopExcelStandIn:
    """The two value-cleaning steps of ``xlwings._xlwindows.Engine``, without COM."""

    name = "excel"
    type = "desktop"

    @staticmethod
    def prepare_xl_data_element(x: Any, date_format: Any) -> Any:
        if isinstance(x, float) and math.isnan(x):
            return ""
        if x is None:
            return ""
        return x

    @staticmethod
    def clean_value_data(data, datetime_builder, empty_as, number_builder, err_to_str):
        def clean(value: Any) -> Any:
            if value in ("", None):
                return empty_as
            if number_builder is not None and isinstance(value, float):
                return number_builder(value)
            if isinstance(value, int) and not isinstance(value, bool) and value in CELL_ERRORS:
                return CELL_ERRORS[value] if err_to_str else None
            return value

        return [[clean(cell) for cell in row] for row in data]


@contextlib.contextmanager
def real_xlwings_udfs() -> Iterator[types.ModuleType]:
    """``xl_roi_udfs`` decorated by xlwings' real UDF decorators, for the duration."""
    _install_pywin32_stubs()
    import xlwings
    import xlwings.udfs as xlwings_udfs
    from xlwings.main import Engine

    if "excel" not in [engine.name for engine in xlwings.engines]:
        xlwings.engines.add(Engine(impl=DesktopExcelStandIn()))
    saved = {name: getattr(xlwings, name) for name in ("func", "arg", "ret", "sub")}
    xlwings.func, xlwings.arg, xlwings.ret, xlwings.sub = (
        xlwings_udfs.xlfunc,
        xlwings_udfs.xlarg,
        xlwings_udfs.xlret,
        xlwings_udfs.xlsub,
    )
    try:
        import xl_roi_udfs

        yield importlib.reload(xl_roi_udfs)
    finally:
        for name, value in saved.items():
            setattr(xlwings, name, value)
        import xl_roi_udfs

        importlib.reload(xl_roi_udfs)


def excel_functions(module: types.ModuleType) -> dict[str, Any]:
    """The module's functions that xlwings registers, by name."""
    return {name: value for name, value in vars(module).items() if hasattr(value, "__xlfunc__")}


def call_like_excel(function: Any, *values: Any) -> Any:
    """Call a decorated UDF as ``xlwings.udfs.call_udf`` does, from Excel-shaped values.

    Each value is what COM hands xlwings: a float, str, bool or None for one cell (an int CVErr
    code for an error cell), a tuple of tuples for a range, :data:`MISSING` for an optional
    argument left out. Returns what xlwings hands back to Excel.
    """
    from xlwings import conversion

    info = function.__xlfunc__
    args_info = info["args"]
    values = values + (MISSING,) * (len(args_info) - len(values))
    arguments = []
    for position, value in enumerate(values):
        arg_info = args_info[min(position, len(args_info) - 1)]
        if isinstance(value, int) and not isinstance(value, bool) and value == MISSING:
            arguments.append(arg_info.get("optional", None))
        else:
            arguments.append(conversion.read(None, value, arg_info["options"]))
    result = function(*arguments)
    return conversion.write(result, None, info["ret"]["options"])


def vba_module(module: types.ModuleType) -> str:
    """The VBA module xlwings' "Import Functions" would generate, as a file to import."""
    import xlwings.udfs as xlwings_udfs

    class Workbook:
        Name = "workbook_template.xlsm"

    out = io.StringIO()
    out.write('Attribute VB_Name = "xlwings_udfs"\n')
    out.write("'Autogenerated code by xlwings - changes will be lost with next import!\n")
    out.write("""#Const App = "Microsoft Excel" 'Adjust when using outside of Excel\n""")
    xlwings_udfs.generate_vba_wrapper("xl_roi_udfs", module, out, Workbook())
    return out.getvalue().replace("\r\n", "\n").replace("\n", "\r\n")


def main(argv: list[str]) -> int:
    if argv != ["--write-bas"]:
        print("usage: python -m tests.xlwings_harness --write-bas", file=sys.stderr)
        return 2
    with real_xlwings_udfs() as module:
        BAS_PATH.write_bytes(vba_module(module).encode("ascii"))
    print(f"wrote {BAS_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
