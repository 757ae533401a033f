"""The case's quantities by the workbook's defined names, for formulas written from the kernel.

A calculation of :mod:`xl_roi._kernel` reads its quantities by name (``q.monthly_calls``), and an
Excel function of ``xl_roi_udfs`` names its arguments alike (``MONTHLY_SAVINGS(
teacher_cost_per_1k, student_cost_per_1k, monthly_calls)``). In the workbook each quantity is a
defined name: an input's cell (from the registry of fields, :data:`xl_roi.fields.FIELDS`) or a
Calculations row (:data:`ROW_OF`). :func:`workbook_quantities` gives the kernel those names;
:func:`udf_call` writes an Excel function's call over them, its arguments read from the
function's own signature. An input added to the case and read by a calculation or an Excel
function reaches the workbook's formulas through these two, with no formula text to edit.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
from typing import Any

from xl_roi import _kernel
from xl_roi.fields import FIELDS

__all__ = [
    "ROW_OF",
    "WorkbookNames",
    "udf_call",
    "udf_parameters",
    "workbook_quantities",
]

ROW_OF = {
    "teacher_cost_per_1k": "teacher_cost",
    "student_cost_per_1k": "student_cost",
    "upfront_cost": "upfront",
    "teacher_labelling_cost": "teacher_labelling",
    "monthly_savings": "savings_monthly",
    "annual_maintenance": "maintenance",
    "payback_months": "payback_months",
    "annual_net_benefit": "net_benefit_annual",
}
"""The Calculations row that holds each worked-out quantity (the rest are Inputs cells)."""

UDF_MODULE = "xl_roi_udfs"
"""The module of the Excel functions (read for their signatures, never imported here: importing
it loads xlwings)."""


def defined_name(quantity: str, rows: dict[str, str] | None = None) -> str:
    """The defined name holding a quantity: ``rows``' own, else its Calculations row, else its
    Inputs cell.

    Examples
    --------
    >>> defined_name("monthly_savings"), defined_name("monthly_growth")
    ('savings_monthly', 'monthly_growth')
    >>> defined_name("monthly_calls", {"monthly_calls": "half_calls"})
    'half_calls'
    """
    if rows and quantity in rows:
        return rows[quantity]
    if quantity in ROW_OF:
        return ROW_OF[quantity]
    entry = FIELDS.get(quantity)
    if entry is None or entry.cell is None:
        raise KeyError(f"{quantity} has no defined name in the workbook")
    return entry.cell


class WorkbookNames:
    """The case's quantities as the workbook's defined names, over a formula backend's ``ops``.

    Examples
    --------
    >>> from xl_roi.formula import FormulaOps
    >>> WorkbookNames(FormulaOps()).monthly_calls.text
    'monthly_calls'
    """

    def __init__(self, ops: Any, rows: dict[str, str] | None = None) -> None:
        self._ops = ops
        self._rows = rows

    def __getattr__(self, quantity: str) -> Any:
        if quantity.startswith("_"):
            raise AttributeError(quantity)
        try:
            return self._ops.name(defined_name(quantity, self._rows))
        except KeyError as error:
            raise AttributeError(quantity) from error


def workbook_quantities(ops: Any, **rows: str) -> _kernel.Named:
    """The quantities a kernel calculation reads, as defined names (``rows``: names standing in
    for some, such as the half-volume rows).

    Examples
    --------
    >>> from xl_roi.formula import FormulaOps
    >>> quantities = workbook_quantities(FormulaOps(), monthly_calls="half_calls")
    >>> quantities.monthly_calls.text, quantities.teacher_cost_per_1k.text
    ('half_calls', 'teacher_cost')
    """
    return _kernel.Named(WorkbookNames(ops, rows))


@functools.cache
def _signatures() -> dict[str, tuple[tuple[str, ...], int]]:
    spec = importlib.util.find_spec(UDF_MODULE)
    if spec is None or spec.origin is None:
        raise ImportError(f"the Excel functions' module {UDF_MODULE} is not installed")
    with open(spec.origin, encoding="utf-8") as source:
        tree = ast.parse(source.read())
    return {
        node.name: (tuple(item.arg for item in node.args.args), len(node.args.defaults))
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.isupper()
    }


def udf_parameters(function: str) -> tuple[tuple[str, ...], int]:
    """An Excel function's parameter names and how many of the last are optional.

    Examples
    --------
    >>> udf_parameters("PAYBACK")
    (('upfront_cost', 'monthly_savings', 'monthly_growth'), 1)
    """
    return _signatures()[function]


def udf_call(function: str, **rows: str) -> str:
    """The call of an Excel function over the workbook's defined names, one argument per
    parameter (``rows``: names, or formulas, standing in for some). An optional parameter with no
    defined name is left out, with those after it.

    Examples
    --------
    >>> udf_call("NET_BENEFIT")
    'NET_BENEFIT(savings_monthly, maintenance)'
    >>> udf_call("PAYBACK", monthly_savings="half_savings")
    'PAYBACK(upfront, half_savings, monthly_growth)'
    """
    parameters, optional = udf_parameters(function)
    arguments: list[str] = []
    for position, parameter in enumerate(parameters):
        try:
            arguments.append(defined_name(parameter, rows))
        except KeyError:
            if position < len(parameters) - optional:
                raise
            break
    return f"{function}({', '.join(arguments)})"
