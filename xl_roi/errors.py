"""Errors raised by xl_roi, and the checks that raise them.

Every check names the argument and the value it refused, in words a finance analyst understands.
The core raises; the adapters (Excel functions, command line) translate.
"""

from __future__ import annotations

import math
import sys
from numbers import Real

__all__ = [
    "SMALLEST_NUMBER",
    "CaseFileError",
    "Digits",
    "InputError",
    "bounds_text",
    "check_number",
    "check_result",
    "describe_value",
    "percent_hint",
    "short_repr",
    "too_small",
]


SMALLEST_NUMBER = sys.float_info.min
"""A case's inputs nearer zero than this (2.2e-308, the smallest full-precision float) but not
zero are refused (:mod:`xl_roi.bounds`): dividing by one leaves the float range (1 ÷ 1e-320 is
infinite), and no cost, volume or share is that small."""


class InputError(ValueError):
    """An input the calculation cannot use: negative, missing, not a number, out of range.

    Examples
    --------
    >>> from xl_roi import monthly_savings
    >>> monthly_savings(12.0, 1.5, -5)
    Traceback (most recent call last):
    ...
    xl_roi.errors.InputError: monthly_calls must be a number ≥ 0, got -5
    """


class CaseFileError(InputError):
    """A case file that cannot be read: missing, not TOML, unknown or missing keys, bad values."""


class Digits:
    """An integer too long to show or to hold as a float, shown by its length in a message.

    Examples
    --------
    >>> str(Digits(10**400))
    'a number of 401 digits'
    """

    def __init__(self, value: int) -> None:
        self.digits = len(str(abs(value)))

    def __str__(self) -> str:
        return f"a number of {self.digits:,} digits"


def short_repr(value: object, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters with ``…``: a message never carries a
    megabyte of what the user typed.

    Examples
    --------
    >>> short_repr("x" * 100, limit=10)
    "'xxxxxxxx…"
    >>> short_repr([1, 2])
    '[1, 2]'
    """
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def describe_value(value: object) -> str:
    """A refused value as a message shows it: text quoted, whole floats without ``.0``, NaN.

    Examples
    --------
    >>> describe_value("2m"), describe_value(-5.0), describe_value(float("nan"))
    ("'2m'", '-5', 'NaN')
    """
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, str):
        return short_repr(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # Excel hands every number over as a float: show -5, not -5.0
    return str(value)


def check_number(
    name: str,
    value: object,
    *,
    minimum: float | None = 0.0,
    strictly_above: bool = False,
    maximum: float | None = None,
    allow_inf: bool = False,
    maximum_exclusive: bool = False,
) -> float:
    """Return ``value`` as a float, or raise :class:`InputError` naming ``name`` and the value.

    Parameters
    ----------
    name : str
        The argument's name, as the user wrote it.
    value : object
        What the user gave.
    minimum : float or None
        The smallest value allowed (``None``: no lower bound).
    strictly_above : bool
        Whether ``minimum`` itself is refused.
    maximum : float or None
        The largest value allowed (``None``: no upper bound).
    allow_inf : bool
        Whether ±infinity is allowed (within the bounds).
    maximum_exclusive : bool
        Whether ``maximum`` itself is refused.

    Examples
    --------
    >>> check_number("monthly_calls", 2_000_000)
    2000000.0
    >>> check_number("utilization", 0, minimum=0, strictly_above=True, maximum=1)
    Traceback (most recent call last):
    ...
    xl_roi.errors.InputError: utilization must be a number > 0 and ≤ 1, got 0
    """
    bounds = (minimum, strictly_above, maximum, maximum_exclusive)
    if isinstance(value, bool) or not isinstance(value, Real):
        raise InputError(_refusal(name, value, *bounds))
    try:
        number = float(value)
    except OverflowError:  # an integer with hundreds of digits
        shown = Digits(value) if isinstance(value, int) else value
        raise InputError(_refusal(name, shown, *bounds)) from None
    if (
        number != number  # NaN
        or (not allow_inf and (number == math.inf or number == -math.inf))
        or (minimum is not None and (number < minimum or (strictly_above and number == minimum)))
        or (maximum is not None and (number > maximum or (maximum_exclusive and number == maximum)))
    ):
        raise InputError(_refusal(name, value, *bounds))
    return number


def too_small(name: str, value: object, verb: str = "got") -> str:
    """The message refusing a number too near zero to compute with (see ``SMALLEST_NUMBER``).

    Examples
    --------
    >>> too_small("student_cost_per_1k", 1e-320, "holds")
    'student_cost_per_1k is too small to compute with (nearer zero than 2.2e-308): enter 0 or a \
larger number, holds 1e-320'
    """
    return (
        f"{name} is too small to compute with (nearer zero than {SMALLEST_NUMBER:.2g}): "
        f"enter 0 or a larger number, {verb} {describe_value(value)}"
    )


def bounds_text(
    minimum: float | None,
    strictly_above: bool = False,
    maximum: float | None = None,
    maximum_exclusive: bool = False,
) -> str:
    """The bounds of a number in words, as every refusal in xl_roi states them.

    Examples
    --------
    >>> bounds_text(0.0, maximum=1.0, maximum_exclusive=True)
    '≥ 0 and < 1'
    >>> bounds_text(-1.0, strictly_above=True)
    '> -1'
    """
    parts = []
    if minimum is not None:
        parts.append(f"{'>' if strictly_above else '≥'} {minimum:g}")
    if maximum is not None:
        parts.append(f"{'<' if maximum_exclusive else '≤'} {maximum:g}")
    return " and ".join(parts)


def _refusal(
    name: str,
    value: object,
    minimum: float | None,
    strictly_above: bool,
    maximum: float | None,
    maximum_exclusive: bool = False,
) -> str:
    """The message for a refused number (built only when refusing: checks are on hot paths)."""
    bounds = bounds_text(minimum, strictly_above, maximum, maximum_exclusive)
    wanted = f"{name} must be a number{' ' + bounds if bounds else ''}"
    hint = percent_hint(value) if maximum == 1.0 else ""  # a share: 5 typed for 5 %?
    return f"{wanted}, got {describe_value(value)}{': ' + hint if hint else ''}"


def percent_hint(value: object, period: str = "") -> str:
    """For a share typed as a whole percentage (above 1, up to 100), what to write instead.

    Examples
    --------
    >>> percent_hint(5, " a month")
    '5 means 500 % a month; write 0.05 for 5 %'
    >>> percent_hint(0.5), percent_hint(250)
    ('', '')
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        return ""
    number = float(value)
    if not 1.0 < abs(number) <= 100.0:
        return ""
    shown = describe_value(number)
    return f"{shown} means {number * 100:,.0f} %{period}; write {number / 100:g} for {shown} %"


def check_result(name: str, value: float) -> float:
    """Return ``value``, or raise :class:`InputError` when the arithmetic left the float range.

    Inputs each within range can still multiply past it (1e200 calls at 1e200 a call).

    Examples
    --------
    >>> check_result("monthly_savings", 1e200 * 1e200)
    Traceback (most recent call last):
    ...
    xl_roi.errors.InputError: monthly_savings is out of range: ...
    """
    if math.isnan(value) or math.isinf(value):
        raise InputError(
            f"{name} is out of range: the inputs are too large to compute it (is a figure "
            "in the wrong units?)"
        )
    return value


class WorkbookError(InputError):
    """A file that cannot be read as a workbook: missing, not xlsx, corrupt, hostile or too big."""


class UncalculatedWorkbookError(WorkbookError):
    """Formula cells hold no stored result: the file was saved without calculating."""
