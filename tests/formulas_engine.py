"""Recalculate a workbook headless with the ``formulas`` package, an independent Excel engine.

xl_roi's Excel functions are registered with it through the same code Excel goes through: each
call's arguments are turned into what COM hands xlwings (a float, text, a boolean, ``None`` for
a blank, a CVErr code for an error cell, a tuple of tuples for a range), passed to the real
xlwings-decorated function by :func:`tests.xlwings_harness.call_like_excel` (xlwings'
``conversion.read`` and ``write`` around it), and the result handed back to ``formulas``.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import schedula as sh

from tests.xlwings_harness import CELL_ERRORS, call_like_excel, excel_functions, real_xlwings_udfs

_ERROR_CODES = {text: code for code, text in CELL_ERRORS.items()}


def _as_com(value: Any) -> Any:
    """A ``formulas`` value as COM would hand it to xlwings."""
    from formulas.tokens.operand import XlError

    if isinstance(value, np.ndarray):
        if value.shape == (1, 1):
            return _as_com(value[0, 0])
        rows = value if value.ndim == 2 else value.reshape(1, -1)
        return tuple(tuple(_as_com(cell) for cell in row) for row in rows)
    if value is sh.EMPTY or value is None:
        return None
    if isinstance(value, XlError):
        return _ERROR_CODES.get(str(value), -2146826273)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    return str(value)


def _as_formulas(result: list[list[Any]]) -> Any:
    if len(result) == 1 and len(result[0]) == 1:
        return result[0][0]
    return np.asarray(result, dtype=object)


@contextlib.contextmanager
def registered_functions() -> Iterator[None]:
    """xl_roi's functions known to ``formulas`` for the duration (unknown ones give #NAME?)."""
    import formulas
    from formulas.functions import wrap_func

    functions = formulas.get_functions()
    with real_xlwings_udfs() as module:
        added = []
        for name, function in excel_functions(module).items():

            def adapter(*args: Any, _function: Any = function) -> Any:
                return _as_formulas(call_like_excel(_function, *(_as_com(a) for a in args)))

            functions[name] = wrap_func(adapter)
            added.append(name)
        try:
            yield
        finally:
            for name in added:
                functions.pop(name, None)


def _plain(value: Any) -> Any:
    from formulas.tokens.operand import XlError

    if isinstance(value, np.ndarray):
        if value.shape == (1, 1):
            return _plain(value[0, 0])
        return [[_plain(cell) for cell in row] for row in value]
    if isinstance(value, XlError):
        return f"<error {value}>"
    if value is sh.EMPTY:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    return value


def recalculate(path: str | Path, *, register: bool = True) -> dict[tuple[str, str], Any]:
    """Every cell's value after recalculating the workbook: (sheet, "B5") → value.

    Ranges (array formulas) are spread into their cells. Errors read ``"<error #NAME?>"``.
    ``register=False`` (the portable flavour) registers none of xl_roi's functions.
    """
    import contextlib

    import formulas

    path = Path(path)
    with registered_functions() if register else contextlib.nullcontext():
        model = formulas.ExcelModel().loads(str(path)).finish()
        solution = model.calculate()
    values: dict[tuple[str, str], Any] = {}
    from openpyxl.utils.cell import coordinate_from_string, get_column_letter, range_boundaries

    for key, ranges in solution.items():
        text = str(key)
        if "!" not in text:
            continue  # a defined name
        sheet_part, reference = text.rsplit("!", 1)
        if not re.fullmatch(r"[A-Z]+\d+(:[A-Z]+\d+)?", reference):
            continue  # a defined name scoped to the book
        sheet = sheet_part.split("]", 1)[1].strip("'")
        value = ranges.value if hasattr(ranges, "value") else ranges
        if ":" in reference:
            min_col, min_row, max_col, max_row = range_boundaries(reference)
            array = np.asarray(value, dtype=object)
            for r in range(max_row - min_row + 1):
                for c in range(max_col - min_col + 1):
                    cell = f"{get_column_letter(min_col + c)}{min_row + r}"
                    values[(sheet.upper(), cell)] = _plain(array[r, c])
        else:
            column, row = coordinate_from_string(reference)
            values[(sheet.upper(), f"{column}{row}")] = _plain(value)
    return values


def agrees(stored: Any, recalculated: Any, rel: float = 1e-9) -> bool:
    """Whether a stored result and a recalculated one are the same figure."""
    if isinstance(stored, bool) or isinstance(recalculated, bool):
        return bool(stored) == bool(recalculated) and type(stored) is type(recalculated)
    if isinstance(stored, float) and isinstance(recalculated, float):
        return math.isclose(stored, recalculated, rel_tol=rel, abs_tol=1e-9)
    if stored in ("", None) and recalculated in ("", None):
        return True
    return stored == recalculated
