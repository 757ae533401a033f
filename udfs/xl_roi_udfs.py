"""xl_roi's Excel functions: the business case for model distillation, cell by cell.

Installed with the package as the top-level module ``xl_roi_udfs``, so a workbook's
``xlwings.conf`` sheet needs only ``UDF Modules: xl_roi_udfs``. Each function is a thin adapter:
it takes what Excel hands it, calls :mod:`xl_roi`, and returns a number, a table, or — on bad
input — a short text that starts with the matching Excel error code and says why, e.g.
``#NUM! monthly_calls must be a number ≥ 0, got -5``. It never raises: xlwings would put the
whole Python traceback in the cell (xlwings issue 776).

What Excel hands a function (unconverted, see :data:`RAW`): numbers as floats, a blank as
``None``, an error cell as its int code (:data:`ERROR_CELLS`), text as ``str``, TRUE/FALSE as
``bool``, a date as a ``datetime``, a currency amount possibly as a ``Decimal``, a range of more
than one cell as a tuple of tuples. A blank required argument is refused, never read as 0; a
blank optional argument takes its default; an error cell is refused in any argument.

Under xlwings Lite (Excel on Windows, Mac and the web, Python in Pyodide) and xlwings Server,
the same decorators hand over what Office.js sends instead: every argument as rows of cells (a
one-cell range already unwrapped to its value, a one-row range to a flat list), a whole number
as an ``int``, a blank as ``None``, ``""`` or Pyodide's ``jsnull``, an error cell as a dict
``{"type": "Error", "basicValue": "#N/A", ...}`` and a date as its serial number (Office.js
sends no dates). :func:`from_office_js` turns each into what COM would have handed over, so both
runtimes give the same numbers and the same texts; only a date cell differs (see its notes).
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import math
from collections.abc import Callable
from decimal import Decimal
from numbers import Real
from typing import Any, TypeVar, cast

import xlwings as xw

import xl_roi
from xl_roi import cashflow, roi
from xl_roi.bounds import BOUNDS
from xl_roi.errors import InputError
from xl_roi.fields import FIELDS
from xl_roi.quality_cost import SliceTraffic, quality_cost
from xl_roi.recommendation import recommendation_from_figures
from xl_roi.text import NEVER, NEVER_PAYS_BACK, NO_VOLUME_PAYS_BACK, printable

# Only the pure-Python core is imported here, so that xlwings Lite (Pyodide) loads this module
# without numpy or pandas. SCREEN, SENSITIVITY, PAYBACK_PROBABILITY and ANNUAL_IRR import what
# needs them when called; tests/test_xl_roi_udfs_lite.py holds this to it.

__all__ = [
    "ANNUAL_IRR",
    "BREAKEVEN_VOLUME",
    "COST_PER_1K",
    "DATA_GEN_COST",
    "DISCOUNTED_PAYBACK",
    "MODEL_PRICE",
    "MONTHLY_SAVINGS",
    "NET_BENEFIT",
    "NPV_BENEFIT",
    "PAYBACK",
    "PAYBACK_AFTER_MAINTENANCE",
    "PAYBACK_PROBABILITY",
    "QUALITY_COST",
    "RECOMMENDATION",
    "ROI_VERDICT",
    "SAVINGS_SHARE",
    "SCREEN",
    "SENSITIVITY",
    "SERVING_COST_PER_1K",
    "UPFRONT_COST",
]
"""The Excel functions, and only those: ``from xl_roi_udfs import *`` (xlwings Lite's main.py)
brings exactly what the add-in registers, and loads no numpy."""

CATEGORY = "Distillation ROI"
"""The function wizard's category for every function here."""

F = TypeVar("F", bound=Callable[..., Any])

Cell = Any
"""A value as Excel hands it over: float, None, str, bool, or a list for a range."""

Returned = Any
"""A number or a ``#CODE! reason`` text. Annotated as ``Any`` on purpose: xlwings reads a UDF's
annotations as converters, and a ``float | str`` union breaks its conversion of the result (the
harness in tests/xlwings_harness.py caught this)."""


class CellError(Exception):
    """A refusal shown in the cell: an Excel error code and the reason."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code} {reason}")
        self.code = code
        self.reason = reason


# -- the Excel boundary: one policy, in one place ----------------------------------------------


ERROR_CELLS = {
    -2146826281: "#DIV/0!",
    -2146826246: "#N/A",
    -2146826259: "#NAME?",
    -2146826288: "#NULL!",
    -2146826252: "#NUM!",
    -2146826265: "#REF!",
    -2146826273: "#VALUE!",
}
"""The codes Excel hands over (through COM) for a cell holding an error: numbers in a cell
always arrive as floats, so an int with one of these values is an error cell."""

RAW = {"convert": "raw"}
"""Every argument is taken as Excel hands it over, unconverted: xlwings' own conversion raises
on some values (a ragged or nested array, an empty one) before a function could refuse them,
and turns error cells into blanks, which an optional argument would silently read as its
default. :func:`number` and :func:`table` do the whole conversion here instead."""


OFFICE_JS_ERRORS = {
    "Div0": "#DIV/0!",
    "NotAvailable": "#N/A",
    "Name": "#NAME?",
    "Null": "#NULL!",
    "Num": "#NUM!",
    "Ref": "#REF!",
    "Value": "#VALUE!",
}
"""The ``errorType`` of an Office.js error value, as the error it shows."""

_ERROR_CODES = {text: code for code, text in ERROR_CELLS.items()}


class OfficeJsError(str):
    """An Office.js error value COM has no code for (#SPILL!, #CALC!, …): refused as one."""


def from_office_js(value: Any) -> Any:
    """One argument as Office.js hands it over, as COM would have: the one policy then applies.

    A whole number (Pyodide turns a JavaScript number that is a whole number into an ``int``)
    becomes a float; a blank (``jsnull``) becomes ``None``; an error value
    (``{"type": "Error", ...}``) becomes the code COM hands over for it; another Office.js value
    (a formatted number, ``{"type": "FormattedNumber", "basicValue": ...}``) becomes its value;
    a range, its rows of cells in turn.

    Notes
    -----
    Office.js sends a date cell as its serial number (days since 1899-12-30), so where classic
    xlwings refuses a date (``#VALUE! … holds a date or time``) xlwings Lite reads the number.

    Examples
    --------
    >>> from_office_js([[2_000_000, 0.5, {"type": "Error", "basicValue": "#N/A"}]])
    [[2000000.0, 0.5, -2146826246]]
    """
    if isinstance(value, (list, tuple)):
        return [from_office_js(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, dict):
        if value.get("type") == "Error":
            shown = value.get("basicValue") or OFFICE_JS_ERRORS.get(str(value.get("errorType")))
            return _ERROR_CODES.get(str(shown), OfficeJsError(str(shown or "an error value")))
        if "basicValue" in value:
            return from_office_js(value["basicValue"])
        return OfficeJsError(f"a {value.get('type', 'data')} value")
    if type(value).__name__ == "JsNull":  # Pyodide ≥ 0.28: JavaScript's null, not None
        return None
    return value


def _office_js_decorators() -> bool:
    """True when ``xw.func`` is xlwings' Office.js decorator (xlwings Lite, xlwings Server)."""
    return str(getattr(xw.func, "__module__", "")).startswith(("xlwings.pro", "xlwings.server"))


def _reading_office_js(function: F) -> F:
    """``function`` taking its arguments through :func:`from_office_js` first."""

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        return function(
            *(from_office_js(value) for value in args),
            **{name: from_office_js(value) for name, value in kwargs.items()},
        )

    return cast(F, call)


def _shape(value: list[Any] | tuple[Any, ...]) -> str:
    rows = len(value)
    if rows and all(isinstance(row, (list, tuple)) for row in value):
        widths = {len(row) for row in value}
        if len(widths) == 1:
            return f"{rows}×{widths.pop()} cells"
        return f"{rows} rows of different lengths"
    return f"{rows} cells"


def _looks_like_number(text: str) -> bool:
    cleaned = text.strip().replace(",", "").replace("_", "").rstrip("%").lstrip("$€£")
    try:
        float(cleaned)
    except ValueError:
        return False
    return True


def _error_cell(value: Any) -> str | None:
    """The Excel error an error cell holds (``"#N/A"``), or ``None`` for any other value."""
    if isinstance(value, OfficeJsError):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return ERROR_CELLS.get(value)
    return None


def single(name: str, value: Cell) -> Cell:
    """The one cell of a one-cell range (a range arrives as rows of cells), or the value itself.

    Examples
    --------
    >>> single("monthly_calls", ((2_000_000.0,),))
    2000000.0
    >>> single("monthly_calls", ((1.0, 2.0),))
    Traceback (most recent call last):
    ...
    xl_roi_udfs.CellError: #VALUE! monthly_calls must be a single cell, got a range of 2 cells
    """
    while isinstance(value, (list, tuple)):
        if len(value) != 1:
            shape = _shape(value) if value else "no cells"
            raise CellError("#VALUE!", f"{name} must be a single cell, got a range of {shape}")
        value = value[0]
    return value


def number(name: str, value: Cell, default: float | None = None) -> float:
    """Coerce one Excel value to a float, or raise :class:`CellError` saying why not.

    ``default`` is ``None`` for a required argument (a blank is refused) and the default of an
    optional one (a blank takes it). An error cell is refused either way.

    Examples
    --------
    >>> number("monthly_calls", 2_000_000.0)
    2000000.0
    >>> number("monthly_growth", None, default=0.0)
    0.0
    >>> number("monthly_calls", None)
    Traceback (most recent call last):
    ...
    xl_roi_udfs.CellError: #VALUE! monthly_calls is blank: enter a number
    >>> number("monthly_growth", -2146826246, default=0.0)
    Traceback (most recent call last):
    ...
    xl_roi_udfs.CellError: #VALUE! monthly_growth is an error cell (#N/A): fix the cell it refers to
    """
    value = single(name, value)
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is None:
            raise CellError("#VALUE!", f"{name} is blank: enter a number")
        return default
    error = _error_cell(value)
    if error is not None:
        raise CellError("#VALUE!", f"{name} is an error cell ({error}): fix the cell it refers to")
    if isinstance(value, bool):
        raise CellError("#VALUE!", f"{name} must be a number, got {str(value).upper()}")
    if isinstance(value, str):
        shown = printable(value if len(value) <= 40 else value[:37] + "...")
        if _looks_like_number(value):
            raise CellError(
                "#VALUE!",
                f'{name} is text that looks like a number ("{shown}"): enter it as a number',
            )
        raise CellError("#VALUE!", f'{name} must be a number, got text "{shown}"')
    if isinstance(value, (dt.date, dt.time)):  # datetime is a date
        raise CellError(
            "#VALUE!", f"{name} holds a date or time ({value.isoformat()[:19]}): enter a number"
        )
    if not isinstance(value, (Real, Decimal)):  # Decimal: a currency-formatted cell
        raise CellError("#VALUE!", f"{name} must be a number, got {type(value).__name__}")
    try:
        result = float(value)
    except (OverflowError, ValueError):
        raise CellError("#NUM!", f"{name} is out of range, got {value}") from None
    if math.isnan(result):
        raise CellError("#NUM!", f"{name} must be a number, got NaN")
    if math.isinf(result):
        raise CellError("#NUM!", f"{name} must be a finite number, got {result}")
    return result


def table(name: str, value: Cell) -> list[list[Any]]:
    """A range as rows of cells: error cells blank, currency amounts as floats; or refuse it.

    Examples
    --------
    >>> table("endpoints", (("name", "monthly_calls"), ("chat", -2146826246)))
    [['name', 'monthly_calls'], ['chat', None]]
    """
    if not isinstance(value, (list, tuple)):
        value = ((value,),)  # one cell arrives as its value
    if not value:
        raise CellError(
            "#VALUE!", f"{name} must be a range: a header row, then one row per endpoint"
        )
    rows = [row if isinstance(row, (list, tuple)) else (row,) for row in value]
    if len({len(row) for row in rows}) != 1 or any(
        isinstance(cell, (list, tuple)) for row in rows for cell in row
    ):
        raise CellError("#VALUE!", f"{name} must be a rectangular range of cells")
    return [[_plain_cell(cell) for cell in row] for row in rows]


def _plain_cell(value: Any) -> Any:
    if _error_cell(value) is not None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


def _excel_result(value: Any) -> Any:
    """What Excel may show: finite numbers and text; infinity and NaN become error texts."""
    if isinstance(value, float) and math.isnan(value):
        return "#NUM! the result is not a number"
    if isinstance(value, float) and math.isinf(value):
        return "#NUM! the result is beyond the largest number a cell holds (about 1.8e308)"
    return value


def error_text(error: Exception) -> str:
    """The text a cell shows for a refusal: the Excel error code, then the reason.

    Wrong kinds of value (blank, text, TRUE, a range) are ``#VALUE!``; numbers outside what the
    calculation allows (negative, out of range, too large) are ``#NUM!``, as Excel's own
    functions do.

    Examples
    --------
    >>> error_text(InputError("monthly_calls must be a number ≥ 0, got -5.0"))
    '#NUM! monthly_calls must be a number ≥ 0, got -5.0'
    """
    if isinstance(error, CellError):
        return str(error)
    if isinstance(error, InputError):
        return f"#NUM! {error}"
    if isinstance(error, ImportError) and error.name:
        package = error.name.split(".")[0]
        return (
            f"#N/A this function needs the Python package {package}, which is not installed "
            "(xlwings Lite: list it in requirements.txt)"
        )
    return f"#VALUE! unexpected error: {type(error).__name__}: {error}"[:250]


def excel_call(compute: Callable[[], Any]) -> Any:
    """Run ``compute``; turn every refusal into a ``#CODE! reason`` text, never a traceback.

    Examples
    --------
    >>> excel_call(lambda: xl_roi.monthly_savings(12.0, 1.5, -5))
    '#NUM! monthly_calls must be a number ≥ 0, got -5'
    """
    try:
        return _excel_result(compute())
    except Exception as error:
        return error_text(error)


def excel_function(
    argument_options: dict[str, dict[str, Any]] | None = None, **argument_docs: str
) -> Callable[[F], F]:
    """Register a function with xlwings: category, a doc for every argument, wizard text.

    The function wizard shows the docstring's first paragraph (≤ 255 characters) and each
    argument's doc; the rest of the docstring (numpydoc, with a doctest) is for Python readers.
    On Linux and macOS the xlwings decorators do nothing; on Windows they record all this in
    ``__xlfunc__``, which xlwings' "Import Functions" turns into VBA and function-wizard text.
    """

    def decorate(function: F) -> F:
        if _office_js_decorators():
            function = _reading_office_js(function)
        documented = {**registry_docs(function), **argument_docs}
        for argument, doc in documented.items():
            options = {**RAW, **(argument_options or {}).get(argument, {})}
            function = xw.arg(argument, doc=doc, **options)(function)
        function = xw.func(category=CATEGORY)(function)
        info = getattr(function, "__xlfunc__", None)
        if info is not None:
            info["ret"]["doc"] = wizard_text(function)
        return function

    return decorate


def registry_docs(function: Callable[..., Any]) -> dict[str, str]:
    """The wizard's doc of each argument named after a case input, from the registry of fields
    (its label, unit and note; "Optional." first where the argument may be left out): an input
    added to the case and to a function is documented without a word more.

    Examples
    --------
    >>> registry_docs(lambda monthly_growth=None, other=None: 0)["monthly_growth"][:38]
    'Optional. Monthly volume growth (share'
    """
    docs = {}
    for name, parameter in inspect.signature(function).parameters.items():
        entry = FIELDS.get(name)
        if entry is None:
            continue
        optional = "Optional. " if parameter.default is not inspect.Parameter.empty else ""
        unit = f" ({entry.unit})" if entry.unit else ""
        docs[name] = f"{optional}{entry.label}{unit}: {entry.help}"[:255]
    return docs


def wizard_text(function: Callable[..., Any]) -> str:
    """The docstring's first paragraph on one line: what the function wizard shows.

    Examples
    --------
    >>> wizard_text(PAYBACK)[:34]
    'Months until the savings have paid'
    """
    doc = function.__doc__ or ""
    paragraph = doc.strip().split("\n\n", 1)[0]
    return " ".join(paragraph.split())


def _never(reason: str) -> str:
    return NEVER_PAYS_BACK + reason


# -- the functions -----------------------------------------------------------------------------

_TEACHER = "Teacher (large model) cost per 1,000 calls, in your currency."
_STUDENT = "Student (distilled model) cost per 1,000 calls, in your currency."
_CALLS = "Calls a month the endpoint serves (a number ≥ 0)."
_UPFRONT = "The whole upfront cost: data generation, training, evaluation build, engineering."
_SAVINGS = "Savings a month, e.g. from MONTHLY_SAVINGS."
_MAINTENANCE = "Maintenance a year: redistilling when the teacher or the data drift."
_GROWTH = (
    "Optional. Month-on-month volume growth as a share: 0.02 for 2 %, above -1, at most 1. "
    "Blank: 0 (flat volume)."
)


@excel_function(teacher_cost_per_1k=_TEACHER, student_cost_per_1k=_STUDENT, monthly_calls=_CALLS)
def MONTHLY_SAVINGS(
    teacher_cost_per_1k: Cell, student_cost_per_1k: Cell, monthly_calls: Cell
) -> Returned:
    """Inference spend saved a month by the student: (teacher − student cost per 1,000 calls) ×
    monthly calls ÷ 1,000. Negative when the student costs more.

    Examples
    --------
    >>> MONTHLY_SAVINGS(12.0, 1.5, 2_000_000.0)
    21000.0
    >>> MONTHLY_SAVINGS(12.0, None, 2_000_000.0)
    '#VALUE! student_cost_per_1k is blank: enter a number'
    """
    return excel_call(
        lambda: roi.monthly_savings(
            number("teacher_cost_per_1k", teacher_cost_per_1k),
            number("student_cost_per_1k", student_cost_per_1k),
            number("monthly_calls", monthly_calls),
        )
    )


def _payback(upfront: float, savings: float, growth: float) -> Returned:
    months = roi.payback_months(upfront, savings, growth)
    if math.isinf(months):
        return _never(roi.never_pays_back_reason(savings))
    return months


@excel_function(upfront_cost=_UPFRONT, monthly_savings=_SAVINGS, monthly_growth=_GROWTH)
def PAYBACK(upfront_cost: Cell, monthly_savings: Cell, monthly_growth: Cell = None) -> Returned:
    """Months until the savings have paid back the upfront cost: upfront ÷ monthly savings, or with
    growth g, LN(1 + upfront × g ÷ savings) ÷ LN(1 + g). Under 3 is strong; over 12, reconsider.

    Examples
    --------
    >>> PAYBACK(52_500.0, 21_000.0)
    2.5
    >>> PAYBACK(52_500.0, -100.0)
    '#NUM! never pays back: monthly savings are not positive (the student costs as much or more)'
    """
    return excel_call(
        lambda: _payback(
            number("upfront_cost", upfront_cost),
            number("monthly_savings", monthly_savings),
            number("monthly_growth", monthly_growth, default=0.0),
        )
    )


@excel_function(monthly_savings=_SAVINGS, annual_maintenance=_MAINTENANCE)
def NET_BENEFIT(monthly_savings: Cell, annual_maintenance: Cell) -> Returned:
    """Annual net benefit: 12 × monthly savings − annual maintenance. The upfront cost is not in it
    (that is what PAYBACK measures).

    Examples
    --------
    >>> NET_BENEFIT(21_000.0, 40_000.0)
    212000.0
    """
    return excel_call(
        lambda: roi.annual_net_benefit(
            number("monthly_savings", monthly_savings),
            number("annual_maintenance", annual_maintenance),
        )
    )


@excel_function(teacher_cost_per_1k=_TEACHER, student_cost_per_1k=_STUDENT)
def SAVINGS_SHARE(teacher_cost_per_1k: Cell, student_cost_per_1k: Cell) -> Returned:
    """Share of the endpoint's inference spend the student saves: (teacher − student) ÷ teacher.
    Format as %: "cuts spend on this endpoint by X %".

    Examples
    --------
    >>> SAVINGS_SHARE(12.0, 1.5)
    0.875
    """
    return excel_call(
        lambda: roi.savings_share(
            number("teacher_cost_per_1k", teacher_cost_per_1k),
            number("student_cost_per_1k", student_cost_per_1k),
        )
    )


@excel_function(
    input_tokens="Tokens sent to the model per call (prompt and input).",
    output_tokens="Tokens the model returns per call.",
    input_price_per_million="The provider's price per million input tokens.",
    output_price_per_million="The provider's price per million output tokens.",
)
def COST_PER_1K(
    input_tokens: Cell,
    output_tokens: Cell,
    input_price_per_million: Cell,
    output_price_per_million: Cell,
) -> Returned:
    """Cost of 1,000 calls to a model priced per million tokens: 1000 × (input tokens × input price
    + output tokens × output price) ÷ 1,000,000.

    Examples
    --------
    >>> COST_PER_1K(1_500.0, 200.0, 3.0, 15.0)
    7.5
    """
    return excel_call(
        lambda: xl_roi.cost_per_1k_calls(
            number("input_tokens", input_tokens),
            number("output_tokens", output_tokens),
            number("input_price_per_million", input_price_per_million),
            number("output_price_per_million", output_price_per_million),
        )
    )


@excel_function(
    gpu_hourly_cost="What one GPU (or serving instance) costs per hour.",
    calls_per_second="Calls one GPU serves per second when fully busy.",
    utilization="Optional. Share of the time the GPU is busy, above 0 and at most 1. Blank: 1.",
)
def SERVING_COST_PER_1K(
    gpu_hourly_cost: Cell, calls_per_second: Cell, utilization: Cell = None
) -> Returned:
    """Cost of 1,000 calls served on your own GPUs: 1000 × hourly cost ÷ (calls per second × 3600 ×
    utilisation). Idle time is paid for, so low utilisation raises it.

    Examples
    --------
    >>> round(SERVING_COST_PER_1K(2.0, 20.0, 0.5), 6)
    0.055556
    """
    return excel_call(
        lambda: xl_roi.serving_cost_per_1k_calls(
            number("gpu_hourly_cost", gpu_hourly_cost),
            number("calls_per_second", calls_per_second),
            number("utilization", utilization, default=1.0),
        )
    )


@excel_function(
    corpus_examples="Examples in the training corpus the teacher labels.",
    teacher_cost_per_1k=_TEACHER,
    passes="Optional. Teacher calls per example (e.g. 2 for a label and a rationale). Blank: 1.",
    batch_discount=(
        "Optional. Discount for batch inference, at least 0 and below 1 (0.5 = half "
        "price). Blank: 0."
    ),
)
def DATA_GEN_COST(
    corpus_examples: Cell,
    teacher_cost_per_1k: Cell,
    passes: Cell = None,
    batch_discount: Cell = None,
) -> Returned:
    """Cost of the teacher labelling the training corpus — often the biggest upfront line: examples
    × teacher cost per 1,000 ÷ 1,000 × passes × (1 − batch discount).

    Examples
    --------
    >>> DATA_GEN_COST(500_000.0, 7.5, 2.0, 0.5)
    3750.0
    """
    return excel_call(
        lambda: xl_roi.data_generation_cost(
            number("corpus_examples", corpus_examples),
            number("teacher_cost_per_1k", teacher_cost_per_1k),
            number("passes", passes, default=1.0),
            number("batch_discount", batch_discount, default=0.0),
        )
    )


@excel_function(
    data_generation="Teacher inference over the corpus to produce labels, e.g. from DATA_GEN_COST.",
    training_compute="The student training run(s).",
    evaluation_build="Building the frozen evaluation set, its slices and harness.",
    engineering_time="People-time to run, debug and validate the pipeline.",
)
def UPFRONT_COST(
    data_generation: Cell, training_compute: Cell, evaluation_build: Cell, engineering_time: Cell
) -> Returned:
    """The whole upfront bill: data generation + training compute + evaluation build + engineering
    time. Enter 0 for an item you truly do not have; a blank is refused.

    Examples
    --------
    >>> UPFRONT_COST(3_750.0, 2_000.0, 8_000.0, 20_000.0)
    33750.0
    """
    return excel_call(
        lambda: xl_roi.upfront_cost(
            number("data_generation", data_generation),
            number("training_compute", training_compute),
            number("evaluation_build", evaluation_build),
            number("engineering_time", engineering_time),
        )
    )


_GPU_HOURLY = (
    "Optional. A self-hosted student's GPU cost per hour (whole GPUs, paid whatever the "
    "volume); then student_cost_per_1k is only its cost per call on top of the GPUs "
    "(escalations; 0 without). Blank or 0: priced per call."
)
_GPU_RATE = "Optional. Calls one GPU serves per second when fully busy (self-hosted only)."
_GPU_LOAD = "Optional. Load a GPU may run at during the peak, above 0 and at most 1. Blank: 0.7."
_GPU_PEAK = "Optional. Peak traffic ÷ average traffic, at least 1. Blank: 1.5."


def _hosting(
    gpu_hourly_cost: Cell,
    calls_per_second_per_gpu: Cell,
    target_utilization: Cell,
    peak_factor: Cell,
) -> dict[str, Any]:
    """The self-hosting keyword arguments of the core, or none when priced per call."""
    hourly = number("gpu_hourly_cost", gpu_hourly_cost, default=0.0)
    rate = number("calls_per_second_per_gpu", calls_per_second_per_gpu, default=math.nan)
    hosting = {
        "gpu_hourly_cost": hourly,
        "calls_per_second_per_gpu": rate,
        "target_utilization": number("target_utilization", target_utilization, default=0.7),
        "peak_factor": number("peak_factor", peak_factor, default=1.5),
    }
    if hourly == 0.0:
        return {}
    if math.isnan(rate):
        raise CellError(
            "#VALUE!",
            "calls_per_second_per_gpu is blank (or an error cell): a self-hosted student needs it",
        )
    return hosting


def _breakeven(
    upfront: float,
    teacher: float,
    student: float,
    target: float,
    growth: float,
    hosting: dict[str, Any],
) -> Returned:
    volume = roi.breakeven_volume(upfront, teacher, student, target, growth, **hosting)
    if math.isinf(volume):
        reason = roi.NO_VOLUME_PAYS_BACK_HOSTED if hosting else roi.NO_VOLUME_PAYS_BACK
        return NO_VOLUME_PAYS_BACK + reason
    return volume


@excel_function(
    upfront_cost=_UPFRONT,
    teacher_cost_per_1k=_TEACHER,
    student_cost_per_1k=_STUDENT,
    target_payback_months="The payback you need, in months (e.g. 3 or 12).",
    monthly_growth=_GROWTH,
    gpu_hourly_cost=_GPU_HOURLY,
    calls_per_second_per_gpu=_GPU_RATE,
    target_utilization=_GPU_LOAD,
    peak_factor=_GPU_PEAK,
)
def BREAKEVEN_VOLUME(
    upfront_cost: Cell,
    teacher_cost_per_1k: Cell,
    student_cost_per_1k: Cell,
    target_payback_months: Cell,
    monthly_growth: Cell = None,
    gpu_hourly_cost: Cell = None,
    calls_per_second_per_gpu: Cell = None,
    target_utilization: Cell = None,
    peak_factor: Cell = None,
) -> Returned:
    """The monthly volume below which payback misses your target: with the growth given, and
    whole GPUs when self-hosted. Flat and priced per call: upfront ÷ (target × (teacher −
    student) ÷ 1,000).

    Examples
    --------
    >>> round(BREAKEVEN_VOLUME(52_500.0, 12.0, 1.5, 12.0))
    416667
    >>> round(BREAKEVEN_VOLUME(38_000.0, 11.5, 0.0, 12.0, 0.05, 2.2, 12.0, 0.6))
    347249
    """
    return excel_call(
        lambda: _breakeven(
            number("upfront_cost", upfront_cost),
            number("teacher_cost_per_1k", teacher_cost_per_1k),
            number("student_cost_per_1k", student_cost_per_1k),
            number("target_payback_months", target_payback_months),
            number("monthly_growth", monthly_growth, default=0.0),
            _hosting(gpu_hourly_cost, calls_per_second_per_gpu, target_utilization, peak_factor),
        )
    )


@excel_function(
    upfront_cost=_UPFRONT,
    monthly_savings=_SAVINGS,
    annual_maintenance=_MAINTENANCE,
    monthly_growth=_GROWTH,
)
def PAYBACK_AFTER_MAINTENANCE(
    upfront_cost: Cell, monthly_savings: Cell, annual_maintenance: Cell, monthly_growth: Cell = None
) -> Returned:
    """Months until the savings less maintenance (a twelfth a month) have paid back the upfront
    cost: where the cumulative cash after maintenance turns positive. Never less than PAYBACK.

    Examples
    --------
    >>> round(PAYBACK_AFTER_MAINTENANCE(52_500.0, 21_000.0, 40_000.0), 4)
    2.9717
    >>> PAYBACK_AFTER_MAINTENANCE(52_500.0, 3_000.0, 40_000.0)
    '#NUM! never pays back: the savings less maintenance never recover the upfront cost'
    """

    def compute() -> Returned:
        upfront = number("upfront_cost", upfront_cost)
        savings = number("monthly_savings", monthly_savings)
        maintenance = number("annual_maintenance", annual_maintenance)
        growth = number("monthly_growth", monthly_growth, default=0.0)
        months = roi.payback_after_maintenance_months(upfront, savings, maintenance, growth)
        if not math.isinf(months):
            return months
        if math.isinf(roi.payback_months(upfront, savings, growth)):
            return _never(roi.never_pays_back_reason(savings))
        return _never(roi.NEVER_AFTER_MAINTENANCE)

    return excel_call(compute)


_RATE = (
    "Annual discount rate as a share: 0.10 for 10 % a year; above -1, at most 1 (0 counts money "
    "as it comes)."
)
_HORIZON = "Optional. Months of cash counted, a whole number from 1 to 600. Blank: 36."


@excel_function(
    upfront_cost=_UPFRONT,
    monthly_savings=_SAVINGS,
    annual_maintenance=_MAINTENANCE,
    discount_rate=_RATE,
    horizon_months=_HORIZON,
    monthly_growth=_GROWTH,
)
def NPV_BENEFIT(
    upfront_cost: Cell,
    monthly_savings: Cell,
    annual_maintenance: Cell,
    discount_rate: Cell,
    horizon_months: Cell = None,
    monthly_growth: Cell = None,
) -> Returned:
    """What the case is worth today: the net present value of −upfront now, then each month's
    savings less a twelfth of maintenance, over the horizon at the annual discount rate
    (applied monthly).

    Examples
    --------
    >>> round(NPV_BENEFIT(52_500.0, 21_000.0, 40_000.0, 0.0, 12.0), 6)
    159500.0
    >>> NPV_BENEFIT(52_500.0, 21_000.0, 40_000.0, 10.0)[:60]
    '#NUM! discount_rate must be a share > -1 and ≤ 1 (0.05 = 5 %'
    """
    return excel_call(
        lambda: cashflow.present_value(
            number("upfront_cost", upfront_cost),
            number("monthly_savings", monthly_savings),
            number("annual_maintenance", annual_maintenance),
            number("discount_rate", discount_rate),
            number("horizon_months", horizon_months, default=36.0),
            number("monthly_growth", monthly_growth, default=0.0),
        )
    )


@excel_function(
    upfront_cost=_UPFRONT,
    monthly_savings=_SAVINGS,
    annual_maintenance=_MAINTENANCE,
    discount_rate=_RATE,
    monthly_growth=_GROWTH,
)
def DISCOUNTED_PAYBACK(
    upfront_cost: Cell,
    monthly_savings: Cell,
    annual_maintenance: Cell,
    discount_rate: Cell,
    monthly_growth: Cell = None,
) -> Returned:
    """Months until the discounted cumulative cash after maintenance turns positive
    (interpolated within the month), at every rate alike. At 0 % with flat volume it equals
    PAYBACK_AFTER_MAINTENANCE.

    Examples
    --------
    >>> round(DISCOUNTED_PAYBACK(52_500.0, 21_000.0, 40_000.0, 0.0), 4)
    2.9717
    >>> DISCOUNTED_PAYBACK(52_500.0, 3_000.0, 40_000.0, 0.1)
    '#NUM! never pays back: the discounted savings less maintenance never recover the upfront cost'
    """

    def compute() -> Returned:
        months = cashflow.discounted_payback(
            number("upfront_cost", upfront_cost),
            number("monthly_savings", monthly_savings),
            number("annual_maintenance", annual_maintenance),
            number("discount_rate", discount_rate),
            number("monthly_growth", monthly_growth, default=0.0),
        )
        if math.isinf(months):
            return _never("the discounted savings less maintenance never recover the upfront cost")
        return months

    return excel_call(compute)


@excel_function(
    upfront_cost=_UPFRONT,
    monthly_savings=_SAVINGS,
    annual_maintenance=_MAINTENANCE,
    horizon_months=_HORIZON,
    monthly_growth=_GROWTH,
)
def ANNUAL_IRR(
    upfront_cost: Cell,
    monthly_savings: Cell,
    annual_maintenance: Cell,
    horizon_months: Cell = None,
    monthly_growth: Cell = None,
) -> Returned:
    """The case's internal rate of return, as an annual rate: the discount rate at which its NPV
    over the horizon is zero (numpy-financial's IRR of the monthly cash, annualised).

    Examples
    --------
    >>> round(ANNUAL_IRR(1_000.0, 1_100.0, 0.0, 1.0), 4)
    2.1384
    >>> ANNUAL_IRR(0.0, 100.0, 0.0)
    '#NUM! no rate of return: the cash never changes sign (nothing upfront, or nothing earned)'
    """

    def compute() -> Returned:
        from xl_roi.finance import irr_annual

        horizon = number("horizon_months", horizon_months, default=36.0)
        rate = irr_annual(
            number("upfront_cost", upfront_cost),
            number("monthly_savings", monthly_savings),
            number("annual_maintenance", annual_maintenance),
            int(BOUNDS["horizon_months"].check("horizon_months", horizon)),
            number("monthly_growth", monthly_growth, default=0.0),
        )
        if math.isnan(rate):
            return (
                "#NUM! no rate of return: the cash never changes sign (nothing upfront, or "
                "nothing earned)"
            )
        return rate

    return excel_call(compute)


def _column(name: str, value: Cell) -> list[Any]:
    """A one-column or one-row range as its cells (a single cell as one), or refuse it."""
    if not isinstance(value, (list, tuple)):
        return [value]
    rows = [row if isinstance(row, (list, tuple)) else (row,) for row in value]
    if any(isinstance(cell, (list, tuple)) for row in rows for cell in row):
        raise CellError("#VALUE!", f"{name} must be one column or one row of cells")
    if len(rows) == 1:
        return list(rows[0])
    if all(len(row) == 1 for row in rows):
        return [row[0] for row in rows]
    raise CellError(
        "#VALUE!", f"{name} must be one column or one row of cells, got {_shape(value)}"
    )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@excel_function(
    traffic_shares=(
        "Each slice's share of all calls (0.10 = 10 %), one cell a slice; blank: unknown (then "
        "a slice that drops is not costed)."
    ),
    teacher_scores="The teacher's accuracy on each slice (0 to 1), in the same order.",
    student_scores="The student's accuracy on each slice (0 to 1), in the same order.",
    monthly_calls=_CALLS,
    cost_per_error="Money lost per wrong answer: a refund, an escalation to a person, a lost sale.",
)
def QUALITY_COST(
    traffic_shares: Cell,
    teacher_scores: Cell,
    student_scores: Cell,
    monthly_calls: Cell,
    cost_per_error: Cell,
) -> Returned:
    """Expected money lost a month to the student's worse answers: the sum over slices of
    traffic share × max(0, teacher − student accuracy) × monthly calls × cost per error.

    Examples
    --------
    >>> round(QUALITY_COST([[0.1], [0.6]], [[0.94], [0.86]], [[0.92], [0.91]], 2e6, 4.0), 6)
    16000.0
    >>> QUALITY_COST([[None]], [[0.94]], [[0.92]], 2_000_000.0, 4.0)
    '#NUM! not computed: traffic share unknown for slice 1 (its score drops)'
    """

    def compute() -> Returned:
        shares = _column("traffic_shares", traffic_shares)
        teachers = _column("teacher_scores", teacher_scores)
        students = _column("student_scores", student_scores)
        if not len(shares) == len(teachers) == len(students):
            raise CellError(
                "#VALUE!",
                "traffic_shares, teacher_scores and student_scores must have one cell per "
                f"slice each, got {len(shares)}, {len(teachers)} and {len(students)}",
            )
        slices = []
        for index, (share, teacher, student) in enumerate(
            zip(shares, teachers, students, strict=True), start=1
        ):
            if _blank(share) and _blank(teacher) and _blank(student):
                continue
            slices.append(
                SliceTraffic(
                    f"slice {index}",
                    number(f"teacher_scores (slice {index})", teacher),
                    number(f"student_scores (slice {index})", student),
                    None if _blank(share) else number(f"traffic_shares (slice {index})", share),
                )
            )
        total, rows = quality_cost(
            slices, number("monthly_calls", monthly_calls), number("cost_per_error", cost_per_error)
        )
        unknown = [row.name for row in rows if math.isnan(row.monthly_cost)]
        if unknown:
            return (
                f"#NUM! not computed: traffic share unknown for {', '.join(unknown)} (its score "
                "drops)"
            )
        return total

    return excel_call(compute)


def _payback_or_never(value: Cell, name: str = "payback_months") -> float:
    """A payback as PAYBACK gives it: months, or its "#NUM! never pays back" text."""
    value = single(name, value)
    if isinstance(value, str) and (
        value.startswith(NEVER_PAYS_BACK.rstrip(": ")) or value.strip().lower() == NEVER
    ):
        return math.inf
    return number(name, value)


@excel_function(
    payback_months=(
        'Months to pay back, e.g. from PAYBACK (its "never pays back" text counts as never).'
    ),
    annual_net_benefit="Annual net benefit, e.g. from NET_BENEFIT.",
    monthly_growth=_GROWTH,
)
def ROI_VERDICT(
    payback_months: Cell, annual_net_benefit: Cell, monthly_growth: Cell = None
) -> Returned:
    """The verdict: "strong" (payback ≤ 3 months, volume holding), "defensible" (≤ 12, growing),
    "marginal" (≤ 12, flat), "reconsider" (longer) or "do not distill".

    Examples
    --------
    >>> ROI_VERDICT(2.5, 212_000.0)
    'strong'
    >>> ROI_VERDICT(PAYBACK(52_500.0, -1.0), -12.0)
    'do not distill'
    """
    return excel_call(
        lambda: xl_roi.verdict(
            _payback_or_never(payback_months),
            number("annual_net_benefit", annual_net_benefit),
            number("monthly_growth", monthly_growth, default=0.0),
        )
    )


SENSITIVITY_HEADER: tuple[str, ...]
"""SENSITIVITY's header row (loaded with the sensitivity module, which needs numpy)."""

SENSITIVITY_ROWS: int
"""SENSITIVITY's data rows, always: six assumptions ranked by swing, then three scenarios."""


def __getattr__(name: str) -> Any:
    """:data:`SENSITIVITY_HEADER` and :data:`SENSITIVITY_ROWS`, imported on first use (PEP 562)."""
    if name in ("SENSITIVITY_HEADER", "SENSITIVITY_ROWS"):
        from xl_roi import _sensitivity

        return getattr(_sensitivity, name.replace("SENSITIVITY", "HEADLINE_TABLE"))
    raise AttributeError(f"module 'xl_roi_udfs' has no attribute {name!r}")


_SENSITIVITY_COLUMNS = 10
_SENSITIVITY_DATA_ROWS = 9
"""SENSITIVITY's shape, known without numpy: a refusal keeps the table's shape even there."""


def _error_table(message: str) -> list[list[Any]]:
    """The same shape as a good table: the header, the reason in the first cell, blanks.

    Without numpy (xlwings Lite before it is installed) the header row is blank too.
    """
    try:
        from xl_roi._sensitivity import HEADLINE_TABLE_HEADER, HEADLINE_TABLE_ROWS
    except ImportError:
        header, data_rows = [""] * _SENSITIVITY_COLUMNS, _SENSITIVITY_DATA_ROWS
    else:
        header, data_rows = list(HEADLINE_TABLE_HEADER), HEADLINE_TABLE_ROWS
    rows: list[list[Any]] = [header]
    for index in range(data_rows):
        rows.append([message if index == 0 else ""] + [""] * (len(header) - 1))
    return rows


@excel_function(
    upfront_cost=_UPFRONT,
    teacher_cost_per_1k=_TEACHER,
    student_cost_per_1k=_STUDENT,
    monthly_calls=_CALLS,
    annual_maintenance=_MAINTENANCE,
    swing=(
        "Optional. How far each assumption moves, as a share: 0.5 = ±50 %. At least 0, "
        "below 1. Blank: 0.5."
    ),
    target_payback_months=(
        "Optional. Payback target for the break-even columns, in months. Blank: 12."
    ),
    monthly_growth=_GROWTH,
    gpu_hourly_cost=_GPU_HOURLY,
    calls_per_second_per_gpu=_GPU_RATE,
    target_utilization=_GPU_LOAD,
    peak_factor=_GPU_PEAK,
    teacher_labelling_cost=(
        "Optional. The part of upfront_cost that is the teacher labelling the corpus at its "
        "price per call: it moves with the teacher's price (as in Teacher price halved); the "
        "rest stays put. Blank or 0: the upfront cost is one total no price moves."
    ),
)
def SENSITIVITY(
    upfront_cost: Cell,
    teacher_cost_per_1k: Cell,
    student_cost_per_1k: Cell,
    monthly_calls: Cell,
    annual_maintenance: Cell,
    swing: Cell = None,
    target_payback_months: Cell = None,
    monthly_growth: Cell = None,
    gpu_hourly_cost: Cell = None,
    calls_per_second_per_gpu: Cell = None,
    target_utilization: Cell = None,
    peak_factor: Cell = None,
    teacher_labelling_cost: Cell = None,
) -> list[list[Any]]:
    """Which assumption breaks the case: a 10-row × 10-column table (enter over a 10 × 10
    range). Each assumption moved ± swing, ranked by payback swing; then Half volume,
    Maintenance twice as often, Teacher price halved. Self-hosted: whole GPUs, as the case.

    Always the same shape: the header row, then 9 rows; on bad input the reason stands in the
    first cell of the first row. "never" marks a payback that never comes; a blank break-even
    means that assumption alone cannot break the case.

    Examples
    --------
    >>> table = SENSITIVITY(52_500.0, 12.0, 1.5, 2_000_000.0, 40_000.0)
    >>> len(table), len(table[0]), table[0][0]
    (10, 10, 'Assumption')
    >>> [row for row in table if row[0] == "Half volume"][0][3]
    5.0
    """
    try:
        from xl_roi._sensitivity import headline_table  # numpy: only when called

        return headline_table(
            number("upfront_cost", upfront_cost),
            number("teacher_cost_per_1k", teacher_cost_per_1k),
            number("student_cost_per_1k", student_cost_per_1k),
            number("monthly_calls", monthly_calls),
            number("annual_maintenance", annual_maintenance),
            number("swing", swing, default=0.5),
            number("target_payback_months", target_payback_months, default=12.0),
            number("monthly_growth", monthly_growth, default=0.0),
            **_hosting(gpu_hourly_cost, calls_per_second_per_gpu, target_utilization, peak_factor),
            teacher_labelling_cost=number(
                "teacher_labelling_cost", teacher_labelling_cost, default=0.0
            ),
        )
    except Exception as error:
        return _error_table(error_text(error))


_MAX_CELL_DRAWS = 1_000_000


def _whole_number(name: str, value: Cell, default: int, minimum: int, maximum: int) -> int:
    result = number(name, value, default=float(default))
    if result != int(result) or not minimum <= result <= maximum:
        raise CellError(
            "#NUM!", f"{name} must be a whole number from {minimum} to {maximum:,}, got {result:g}"
        )
    return int(result)


@excel_function(
    upfront_cost=_UPFRONT,
    teacher_cost_per_1k=_TEACHER,
    student_cost_per_1k=_STUDENT,
    monthly_calls=_CALLS,
    annual_maintenance=_MAINTENANCE,
    target_payback_months="Optional. The payback target, in months. Blank: 12.",
    swing="Optional. Uncertainty of each input, as a share: 0.5 = ±50 % (triangular). Blank: 0.5.",
    draws="Optional. Monte Carlo draws, 1 to 1,000,000. Blank: 10,000.",
    seed="Optional. Random seed: the same seed gives the same answer. Blank: 0.",
)
def PAYBACK_PROBABILITY(
    upfront_cost: Cell,
    teacher_cost_per_1k: Cell,
    student_cost_per_1k: Cell,
    monthly_calls: Cell,
    annual_maintenance: Cell,
    target_payback_months: Cell = None,
    swing: Cell = None,
    draws: Cell = None,
    seed: Cell = None,
) -> Returned:
    """Chance (0 to 1) that payback is within the target when volume, prices, upfront and
    maintenance are each uncertain by ± swing (Monte Carlo, triangular draws; reproducible for a
    seed).

    Examples
    --------
    >>> PAYBACK_PROBABILITY(52_500.0, 12.0, 1.5, 2_000_000.0, 40_000.0, 12.0, 0.0)
    1.0
    """

    def compute() -> float:
        from xl_roi.simulation import simulate  # numpy: only when called

        case = xl_roi.Case(
            monthly_calls=number("monthly_calls", monthly_calls),
            teacher_cost_per_1k=number("teacher_cost_per_1k", teacher_cost_per_1k),
            student_cost_per_1k=number("student_cost_per_1k", student_cost_per_1k),
            upfront_cost=number("upfront_cost", upfront_cost),
            annual_maintenance=number("annual_maintenance", annual_maintenance),
            target_payback_months=number("target_payback_months", target_payback_months, 12.0),
        )
        result = simulate(
            case,
            draws=_whole_number("draws", draws, 10_000, 1, _MAX_CELL_DRAWS),
            seed=_whole_number("seed", seed, 0, 0, 2**31 - 1),
            swing=number("swing", swing, default=0.5),
        )
        return result.p_payback_within_target

    return excel_call(compute)


@excel_function(
    endpoints=(
        "A range with a header row (name, monthly_calls, teacher_cost_per_1k, "
        "student_cost_per_1k, upfront_cost, annual_maintenance, …) and one row per endpoint."
    ),
)
def SCREEN(endpoints: Cell) -> list[list[Any]]:
    """Screen many endpoints at once: which to distill, best first. Returns a table (header +
    one row per endpoint): rank, name, verdict, payback, payback after maintenance, annual net
    benefit, monthly savings, break-even volume, and why a row was refused.

    Give the costs per 1,000 calls, or tokens per call and prices per million tokens, or a
    self-hosted student's gpu_hourly_cost and calls_per_second_per_gpu (as in a case file);
    blank growth, escalation and target take 0, 0 and 12 months. Columns it does not read are
    named in a last row. In Excel 365 the table spills; in older Excel enter it as an array
    formula over (endpoints + 2) rows × 9 columns.

    Examples
    --------
    >>> SCREEN([["name", "monthly_calls", "teacher_cost_per_1k", "student_cost_per_1k",
    ...          "upfront_cost", "annual_maintenance"],
    ...         ["chat", 2_000_000.0, 12.0, 1.5, 52_500.0, 40_000.0],
    ...         ["tagger", 1_000.0, 12.0, 1.5, 52_500.0, 40_000.0]])[1][:3]
    [1, 'chat', 'strong']
    >>> SCREEN(12.0)[0][0][:36]
    '#VALUE! endpoints needs a header row'
    """
    try:
        from xl_roi.portfolio import cut_blank_tail, screen_cells  # numpy, pandas: when called

        if isinstance(endpoints, (list, tuple)) and endpoints:
            if not any(isinstance(cell, (list, tuple)) for cell in endpoints):
                endpoints = [endpoints]  # one row: xlwings' Office.js dispatch flattens it
            endpoints = cut_blank_tail(endpoints)  # a whole column: cut before reading cells
        return screen_cells(table("endpoints", endpoints))
    except InputError as error:  # the table's shape, not a number out of range
        return [[f"#VALUE! {error}"]]
    except Exception as error:
        return [[error_text(error)]]


def text(name: str, value: Cell, default: str | None = None) -> str:
    """Coerce one Excel value to text, or raise :class:`CellError` saying why not.

    Examples
    --------
    >>> text("model", " gpt-4o ")
    'gpt-4o'
    >>> text("model", 3.0)
    Traceback (most recent call last):
    ...
    xl_roi_udfs.CellError: #VALUE! model must be text, got the number 3
    """
    value = single(name, value)
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is None:
            raise CellError("#VALUE!", f"{name} is blank: enter its name")
        return default
    error = _error_cell(value)
    if error is not None:
        raise CellError("#VALUE!", f"{name} is an error cell ({error}): fix the cell it refers to")
    if isinstance(value, bool):
        raise CellError("#VALUE!", f"{name} must be text, got {str(value).upper()}")
    if not isinstance(value, str):
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        raise CellError("#VALUE!", f"{name} must be text, got the number {shown}")
    return value.strip()


@excel_function(
    model="The model as its provider names it, e.g. gpt-4o-mini or claude-3-5-haiku-20241022.",
    kind='Which price: "input", "output" or "cached_input" (per million tokens).',
    provider="Optional. The provider, e.g. openai, anthropic, aws, google. Blank: from the model.",
)
def MODEL_PRICE(model: Cell, kind: Cell, provider: Cell = None) -> Returned:
    """A model's list price per million tokens (USD) from the genai-prices table bundled with
    xl_roi: "input", "output" or "cached_input". Check the date with xl-roi prices MODEL.

    An unknown model gives ``#N/A`` and how to give the cost instead; never 0.

    Examples
    --------
    >>> MODEL_PRICE("gpt-4o-mini", "output")
    0.6
    >>> MODEL_PRICE("my-own-model", "input").startswith("#N/A the price table")
    True
    """
    from xl_roi.prices import PRICE_KINDS, UnknownModelError, model_prices

    try:
        name = text("model", model)
        which = text("kind", kind).lower().replace("-", "_").replace(" ", "_")
        if which not in PRICE_KINDS:
            raise CellError("#VALUE!", f"kind must be input, output or cached_input, got {which!r}")
        found = model_prices(name, text("provider", provider, default="") or None)
        return found.per_million(which)
    except UnknownModelError as error:
        return f"#N/A {error}"
    except Exception as error:
        return error_text(error)


def _names(value: Cell) -> list[str]:
    """Slice names from a cell or a range: every non-blank text, in order."""
    if isinstance(value, (list, tuple)):
        return [name for item in value for name in _names(item)]
    if value is None or isinstance(value, bool):
        return []
    error = _error_cell(value)
    if error is not None:
        raise CellError(
            "#VALUE!",
            f"failing_critical_slices holds an error cell ({error}): fix the cell it refers to",
        )
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    raise CellError("#VALUE!", f"failing_critical_slices must be slice names, got {value!r}")


@excel_function(
    upfront_cost=_UPFRONT,
    monthly_savings=_SAVINGS,
    annual_maintenance=_MAINTENANCE,
    target_payback_months="The payback you need, in months (e.g. 3 or 12).",
    teacher_cost_per_1k=_TEACHER,
    student_cost_per_1k=_STUDENT,
    half_volume_payback_months=(
        'Payback at half the volume, e.g. from PAYBACK (its "never pays back" text counts as '
        "never)."
    ),
    monthly_growth=_GROWTH,
    failing_critical_slices=(
        "Optional. The names of the business-critical quality slices the student fails (a "
        "range; blanks skipped). Blank: none."
    ),
    currency='Optional. The currency the money is in, e.g. "USD". Blank: USD.',
)
def RECOMMENDATION(
    upfront_cost: Cell,
    monthly_savings: Cell,
    annual_maintenance: Cell,
    target_payback_months: Cell,
    teacher_cost_per_1k: Cell,
    student_cost_per_1k: Cell,
    half_volume_payback_months: Cell,
    monthly_growth: Cell = None,
    failing_critical_slices: Cell = None,
    currency: Cell = None,
) -> Returned:
    """The recommendation a decision-maker reads first, as the pitch words it: the verdict's
    sentence, "Not yet" while a business-critical slice fails, and what maintenance, the first
    year and half the volume change.

    Examples
    --------
    >>> RECOMMENDATION(52_500.0, 21_000.0, 40_000.0, 12.0, 12.0, 1.5, 5.0)
    'Distill. The case is strong: payback within a quarter and volume holds.'
    >>> RECOMMENDATION(52_500.0, 21_000.0, 40_000.0, 12.0, 12.0, 1.5, 5.0, 0.0, [["Refunds"]])
    'Not yet: the student fails Refunds; fix it before funding.'
    """

    def compute() -> str:
        cell = currency
        while isinstance(cell, (list, tuple)) and len(cell) == 1:  # a one-cell range: its cell
            cell = cell[0]
        if cell is not None and not isinstance(cell, str):
            raise CellError("#VALUE!", "currency must be text, e.g. USD")
        money = cell.strip() if cell and cell.strip() else "USD"
        return recommendation_from_figures(
            number("upfront_cost", upfront_cost),
            number("monthly_savings", monthly_savings),
            number("annual_maintenance", annual_maintenance),
            number("target_payback_months", target_payback_months),
            number("teacher_cost_per_1k", teacher_cost_per_1k),
            number("student_cost_per_1k", student_cost_per_1k),
            _payback_or_never(half_volume_payback_months, "half_volume_payback_months"),
            number("monthly_growth", monthly_growth, default=0.0),
            _names(failing_critical_slices),
            money,
        )

    return excel_call(compute)
