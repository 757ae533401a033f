"""The kernel's third backend: spreadsheet formulas, each with the value a spreadsheet gives it.

:mod:`xl_roi._kernel` writes each calculation once over an ``ops`` namespace. Run on
:data:`~xl_roi._kernel.SCALAR` it gives one case's floats, on
:func:`~xl_roi._kernel.array_ops` a million cases' arrays, and on :class:`FormulaOps` an
:class:`Expr`: the calculation as formula text over defined names (what the portable workbook
writes in a cell), carrying the value that formula has for the names' values (what the workbook
stores as the cell's result). Text and value come from the same tree, node by node, so the
stored result is the formula's own, in the same order of operations a spreadsheet follows.

Values follow spreadsheet rules, not Python's: an error (``#DIV/0!``, ``#NUM!``, ``#VALUE!``) is
a value that flows on rather than an exception; text in arithmetic is ``#VALUE!``; both branches
of an ``IF`` are built (for the text) but only the chosen one gives the value. A result that
never comes (the kernel's ``ops.never(reason)``) is the text ``#NUM! never pays back: reason``,
as the add-in's functions return it.

The elementary functions spreadsheets lack are written with the ones they have, accurately:
``LN(1+x)`` loses every digit of a tiny ``x``, so ``log1p`` is Goldberg's
``LN(1+x)·x/((1+x)−1)``; ``EXP(x)−1`` likewise, so ``expm1`` is ``2·SINH(x/2)·EXP(x/2)``.

Examples
--------
>>> from xl_roi import _kernel
>>> ops = FormulaOps({"upfront": 52_500.0, "savings_monthly": 21_000.0, "monthly_growth": 0.0})
>>> payback = _kernel.payback(
...     ops.name("upfront"), ops.name("savings_monthly"), ops.name("monthly_growth"), ops)
>>> payback.value
2.5
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from xl_roi.text import NEVER_PAYS_BACK, NO_VOLUME_PAYS_BACK

__all__ = [
    "ARITHMETIC",
    "DIV0",
    "NUM",
    "VALUE",
    "Expr",
    "FormulaOps",
    "XlError",
    "as_expr",
    "call",
    "is_number",
]


class XlError(str):
    """A spreadsheet error value (``#DIV/0!``, ``#NUM!``, ``#VALUE!``), which flows through
    arithmetic as a value."""


DIV0 = XlError("#DIV/0!")
NUM = XlError("#NUM!")
VALUE = XlError("#VALUE!")

# Operator precedence in spreadsheet formulas, low to high; an atom (a name, a number, a
# function call, text in quotes) binds tightest.
_COMPARE, _ADD, _MULTIPLY, _POWER, _NEGATE, _ATOM = 1, 3, 4, 5, 6, 9
ARITHMETIC = _ADD
"""The precedence to give an :class:`Expr` built from formula text whose value is a sum or
product (a number or an error, never text): adding 0 to it or multiplying it by 1 leaves it."""


def is_number(value: Any) -> bool:
    """Whether a cell value is a number (not text, a truth value or an error), as ``ISNUMBER``.

    Examples
    --------
    >>> is_number(2.5), is_number("2.5"), is_number(True), is_number(NUM)
    (True, False, False, False)
    """
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number_literal(number: float) -> str:
    """A number as formula text that reads back as the same double."""
    if not math.isfinite(number):
        raise ValueError(f"a formula cannot hold {number!r}")
    if number == int(number) and abs(number) < 1e15:
        return str(int(number))
    return repr(number).upper()


def _text_literal(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _arithmetic(function: Callable[..., float], *values: Any) -> Any:
    """``function`` of numeric values with spreadsheet rules: the first error flows on, text or
    a truth value is ``#VALUE!``, a result out of the float range is ``#NUM!``."""
    for value in values:
        if isinstance(value, XlError):
            return value
    values = tuple(0.0 if value is None else value for value in values)  # a blank cell is 0
    if not all(is_number(value) for value in values):
        return VALUE
    try:
        result = function(*(float(value) for value in values))
    except ZeroDivisionError:
        return DIV0
    except (OverflowError, ValueError):
        return NUM
    if isinstance(result, float) and not math.isfinite(result):
        return NUM
    return result


def _divide(a: float, b: float) -> float:
    if b == 0.0:
        raise ZeroDivisionError
    return a / b


def _order(value: Any) -> tuple[int, Any]:
    """How a spreadsheet orders values of different kinds: numbers, then text, then truth
    values (text without regard to case)."""
    if isinstance(value, bool):
        return 2, value
    if isinstance(value, str):
        return 1, value.casefold()
    return 0, value


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _compare(operator: str, a: Any, b: Any) -> Any:
    for value in (a, b):
        if isinstance(value, XlError):
            return value
    return _COMPARISONS[operator](_order(a), _order(b))


def _truth(value: Any) -> Any:
    """A value as a condition: numbers non-zero are true; text is ``#VALUE!``."""
    if isinstance(value, XlError):
        return value
    if isinstance(value, bool):
        return value
    if is_number(value):
        return value != 0
    return VALUE


def _identity(symbol: str, other: Any) -> bool:
    """Whether ``other`` is a literal that leaves the operation's other side as it is."""
    if isinstance(other, bool) or not isinstance(other, int | float):
        return False
    return other == (0.0 if symbol in "+-" else 1.0)


def _operators(
    symbol: str, precedence: int, function: Callable[[float, float], float]
) -> tuple[Callable[[Expr, Any], Expr], Callable[[Expr, Any], Expr]]:
    """An arithmetic operator's two methods for :class:`Expr`: ``expr ∘ other`` and
    ``other ∘ expr``, each writing ``symbol`` and working its value with spreadsheet rules."""

    def worked(a: Any, b: Any) -> Any:
        return _arithmetic(function, a, b)

    def forward(self: Expr, other: Any) -> Expr:
        return self._binary(other, symbol, precedence, worked)

    def reflected(self: Expr, other: Any) -> Expr:
        return self._reflected(other, symbol, precedence, worked)

    return forward, reflected


@dataclass(frozen=True, eq=False)
class Expr:
    """A formula (``text``, without the leading ``=``) and the value it has (``value``).

    Arithmetic and comparison operators build larger formulas, as the kernel's code writes
    them; ``|``, ``&`` and ``~`` are ``OR``, ``AND`` and ``NOT``.
    """

    text: str
    value: Any
    precedence: int = _ATOM

    def _operand(self, minimum: int) -> str:
        return self.text if self.precedence >= minimum else f"({self.text})"

    def _binary(self, other: Any, symbol: str, precedence: int, function: Any) -> Expr:
        if _identity(symbol, other) and self.precedence < _ATOM:
            # an arithmetic result is a number or an error, so x−0, x+0, x×1 and x÷1 are x
            return Expr(self.text, function(self.value, other), self.precedence)
        right = as_expr(other)
        # left-associative: an operand of equal precedence on the right keeps its brackets,
        # so that a spreadsheet adds and multiplies in the kernel's order
        text = self._operand(precedence) + symbol + right._operand(precedence + 1)
        return Expr(text, function(self.value, right.value), precedence)

    def _reflected(self, other: Any, symbol: str, precedence: int, function: Any) -> Expr:
        if symbol in "+*" and _identity(symbol, other) and self.precedence < _ATOM:
            return Expr(self.text, function(other, self.value), self.precedence)
        return as_expr(other)._binary(self, symbol, precedence, function)

    __add__, __radd__ = _operators("+", _ADD, float.__add__)
    __sub__, __rsub__ = _operators("-", _ADD, float.__sub__)
    __mul__, __rmul__ = _operators("*", _MULTIPLY, float.__mul__)
    __truediv__, __rtruediv__ = _operators("/", _MULTIPLY, _divide)

    def __neg__(self) -> Expr:
        return Expr("-" + self._operand(_NEGATE), _arithmetic(float.__neg__, self.value), _NEGATE)

    def _comparison(self, other: Any, symbol: str) -> Expr:
        return self._binary(other, symbol, _COMPARE, lambda a, b: _compare(symbol, a, b))

    def __eq__(self, other: Any) -> Expr:  # type: ignore[override]
        return self._comparison(other, "=")

    def __ne__(self, other: Any) -> Expr:  # type: ignore[override]
        return self._comparison(other, "<>")

    def __lt__(self, other: Any) -> Expr:
        return self._comparison(other, "<")

    def __le__(self, other: Any) -> Expr:
        return self._comparison(other, "<=")

    def __gt__(self, other: Any) -> Expr:
        return self._comparison(other, ">")

    def __ge__(self, other: Any) -> Expr:
        return self._comparison(other, ">=")

    def __or__(self, other: Any) -> Any:
        return _logical("OR", self, other)

    def __ror__(self, other: Any) -> Any:
        return _logical("OR", other, self)

    def __and__(self, other: Any) -> Any:
        return _logical("AND", self, other)

    def __rand__(self, other: Any) -> Any:
        return _logical("AND", other, self)

    def __invert__(self) -> Expr:
        truth = _truth(self.value)
        return Expr(f"NOT({self.text})", truth if isinstance(truth, XlError) else not truth)

    def __bool__(self) -> bool:
        raise TypeError(
            "a formula has no truth value in Python: write the condition with ops.where"
        )


def as_expr(value: Any) -> Expr:
    """A number, text or truth value as a formula constant; an :class:`Expr` as it is."""
    if isinstance(value, Expr):
        return value
    if isinstance(value, bool):
        return Expr("TRUE" if value else "FALSE", value)
    if isinstance(value, int | float):
        number = float(value)
        text = _number_literal(number)
        return Expr(text, number, _NEGATE if number < 0 else _ATOM)
    if isinstance(value, str):
        return Expr(_text_literal(value), value)
    raise TypeError(f"cannot write {value!r} in a formula")


def _logical(function: str, a: Any, b: Any) -> Any:
    """``OR``/``AND`` of two conditions; a Python truth value on either side (a test that cannot
    hold in a spreadsheet, such as ``isinf``) folds away."""
    if isinstance(a, bool) or isinstance(b, bool):
        constant, other = (a, b) if isinstance(a, bool) else (b, a)
        if function == "OR":
            return other if constant is False else True
        return other if constant is True else False
    left, right = as_expr(a), as_expr(b)
    truths = [_truth(left.value), _truth(right.value)]
    errors = [truth for truth in truths if isinstance(truth, XlError)]
    value = errors[0] if errors else (any(truths) if function == "OR" else all(truths))
    return Expr(f"{function}({left.text}, {right.text})", value)


def call(function: str, *arguments: Any, value: Any) -> Expr:
    """A spreadsheet function call with the value it gives."""
    texts = ", ".join(as_expr(argument).text for argument in arguments)
    return Expr(f"{function}({texts})", value)


class _AnyValue(dict[str, Any]):
    """Every name's value 0, for formula text alone."""

    def __missing__(self, name: str) -> float:
        return 0.0


class FormulaOps:
    """The kernel's operations on formulas: each result an :class:`Expr`.

    Parameters
    ----------
    values : mapping, optional
        The value of each defined name a formula may use (inputs, constants and the rows
        above), as the workbook holds them; without it, only the text is meant (every name's
        value is then 0).

    Examples
    --------
    >>> from xl_roi import _kernel
    >>> ops = FormulaOps({"upfront": 52_500.0, "savings_monthly": 21_000.0, "monthly_growth": 0.0,
    ...     "calls_per_1k": 1000.0, "months_per_year": 12.0})
    >>> months = _kernel.payback(ops.name("upfront"), ops.name("savings_monthly"),
    ...     ops.name("monthly_growth"), ops)
    >>> months.value
    2.5
    >>> months.text.startswith('IF(upfront=0, 0, IF(savings_monthly<=0, "#NUM! never pays back')
    True
    """

    def __init__(self, values: Mapping[str, Any] | None = None) -> None:
        self.values: Mapping[str, Any] = _AnyValue() if values is None else values

    # the kernel's fixed numbers, by the names the workbook gives them
    @property
    def calls_per_1k(self) -> Expr:
        """``calls_per_1k``: 1,000."""
        return self.name("calls_per_1k")

    @property
    def months_per_year(self) -> Expr:
        """``months_per_year``: 12."""
        return self.name("months_per_year")

    @property
    def hours_per_month(self) -> Expr:
        """``hours_per_month``: 730."""
        return self.name("hours_per_month")

    @property
    def seconds_per_month(self) -> Expr:
        """``hours_per_month*seconds_per_hour``: 730 × 3,600."""
        return self.hours_per_month * self.name("seconds_per_hour")

    def name(self, name: str) -> Expr:
        """A defined name, with its value."""
        return Expr(name, self.values[name])

    @staticmethod
    def where(condition: Any, then: Callable[[], Any], otherwise: Callable[[], Any]) -> Any:
        """``IF(condition, then, otherwise)``; a Python truth value picks its branch outright."""
        if isinstance(condition, bool):
            return then() if condition else otherwise()
        condition = as_expr(condition)
        chosen, other = as_expr(then()), as_expr(otherwise())
        truth = _truth(condition.value)
        value = truth if isinstance(truth, XlError) else (chosen.value if truth else other.value)
        return Expr(f"IF({condition.text}, {chosen.text}, {other.text})", value)

    @staticmethod
    def never(reason: str) -> Expr:
        """A result that never comes: the text ``#NUM! never pays back: reason``."""
        return as_expr(NEVER_PAYS_BACK + reason)

    @staticmethod
    def no_volume(reason: str) -> Expr:
        """A break-even volume no volume reaches: the text ``#NUM! no volume pays back: …``."""
        return as_expr(NO_VOLUME_PAYS_BACK + reason)

    @staticmethod
    def isinf(x: Any) -> bool:
        """Whether ``x`` is infinite: only a Python constant can be (a spreadsheet gives
        ``#NUM!`` instead)."""
        return isinstance(x, float) and math.isinf(x)

    @staticmethod
    def isnan(x: Any) -> bool:
        """Whether ``x`` is NaN: only a Python constant can be (the kernel's "not given")."""
        return isinstance(x, float) and math.isnan(x)

    @staticmethod
    def all(*conditions: Any) -> Expr:
        """``AND(a, b, …)``."""
        parts = [as_expr(condition) for condition in conditions]
        truths = [_truth(part.value) for part in parts]
        errors = [truth for truth in truths if isinstance(truth, XlError)]
        return call("AND", *parts, value=errors[0] if errors else all(truths))

    @staticmethod
    def n(x: Any) -> Expr:
        """``N(x)``: a number as it is, a truth value as 1 or 0, anything else (a blank, text) 0."""
        x = as_expr(x)
        value = x.value
        if isinstance(value, XlError):
            number: Any = value
        elif isinstance(value, bool):
            number = float(value)
        else:
            number = float(value) if is_number(value) else 0.0
        return call("N", x, value=number)

    @staticmethod
    def abs(x: Any) -> Expr:
        """``ABS(x)``."""
        x = as_expr(x)
        return call("ABS", x, value=_arithmetic(abs, x.value))

    @staticmethod
    def sqrt(x: Any) -> Expr:
        """``SQRT(x)``: ``#NUM!`` below 0."""
        x = as_expr(x)
        return call("SQRT", x, value=_arithmetic(math.sqrt, x.value))

    @staticmethod
    def isnumber(x: Any) -> Expr:
        """``ISNUMBER(x)``."""
        x = as_expr(x)
        return call("ISNUMBER", x, value=is_number(x.value))

    @staticmethod
    def whole_at_least_2(x: Any) -> Expr:
        """``MAX(2, ROUNDUP(x, 0))``: the smallest whole number ≥ x, at least 2 (x > 0)."""
        x = as_expr(x)
        rounded = _arithmetic(lambda a: float(math.ceil(a)) if a >= 0 else -math.ceil(-a), x.value)
        value = _arithmetic(lambda a: max(2.0, a), rounded)
        return Expr(f"MAX(2, ROUNDUP({x.text}, 0))", value)

    @staticmethod
    def ceil(x: Any) -> Expr:
        """``CEILING(x, 1)``: the smallest whole number ≥ x (x ≥ 0)."""
        x = as_expr(x)
        return call("CEILING", x, 1, value=_arithmetic(lambda a: float(math.ceil(a)), x.value))

    @staticmethod
    def maximum(a: Any, b: Any) -> Expr:
        """``MAX(a, b)``."""
        a, b = as_expr(a), as_expr(b)
        return call("MAX", a, b, value=_arithmetic(max, a.value, b.value))

    @staticmethod
    def log(u: Any) -> Expr:
        """``LN(u)``: ``#NUM!`` for u ≤ 0."""
        u = as_expr(u)
        return call("LN", u, value=_arithmetic(math.log, u.value))

    @staticmethod
    def exp(x: Any) -> Expr:
        """``EXP(x)``."""
        x = as_expr(x)
        return call("EXP", x, value=_arithmetic(math.exp, x.value))

    @classmethod
    def log1p(cls, x: Any) -> Any:
        """ln(1 + x) to rounding: ``IF((1+x)-1=0, x, LN(1+x)*x/((1+x)-1))`` (Goldberg)."""
        x = as_expr(x)
        u = 1.0 + x
        shifted = u - 1.0
        return cls.where(shifted == 0.0, lambda: x, lambda: cls.log(u) * x / shifted)

    @classmethod
    def log1p_over(cls, x: Any) -> Any:
        """ln(1 + x) ÷ x, and its limit 1 at x = 0: ``LN(u)/(u−1)`` with u = 1 + x."""
        x = as_expr(x)
        u = 1.0 + x
        shifted = u - 1.0
        return cls.where(shifted == 0.0, lambda: 1.0, lambda: cls.log(u) / shifted)

    @classmethod
    def expm1(cls, x: Any) -> Expr:
        """e^x − 1 to rounding: ``2*SINH(x/2)*EXP(x/2)``."""
        half = as_expr(x) / 2.0
        sinh = call("SINH", half, value=_arithmetic(math.sinh, half.value))
        return 2.0 * sinh * cls.exp(half)
