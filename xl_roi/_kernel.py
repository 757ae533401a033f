"""The arithmetic, written once, for one case and for a million alike.

Each formula here takes an ``ops`` namespace: :data:`SCALAR` (pure arithmetic and :mod:`math`,
so that a single case loads no numpy) or :func:`array_ops` (numpy, imported on first use). Both
run the same float operations in the same order, so one case alone (``evaluate``), the same case
among a million (the array engine, ``screen``) and the workbook's stored values agree to the
last bit by construction. The public functions (:mod:`xl_roi.roi`, :mod:`xl_roi.batch`) check
their inputs, then call these.

``ops.where(condition, then, otherwise)`` takes the two branches as functions: a scalar runs
only the one chosen (so ``1 / 0`` is never worked out), an array runs both with numpy's
warnings silenced and picks element by element.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

__all__ = [
    "LN2_HI",
    "LN2_LO",
    "LOG_COEFFICIENTS",
    "MONTHS_PER_YEAR",
    "SCALAR",
    "SQRT_HALF",
    "annual_net_benefit",
    "array_ops",
    "breakeven",
    "cumulative_gap",
    "discounted_month",
    "first_year_net",
    "growing_savings",
    "log_by_arithmetic",
    "monthly_savings",
    "npv_month",
    "payback",
    "savings_share",
    "target_savings_factor",
    "whole_gpu_threshold",
]

MONTHS_PER_YEAR = 12.0
CALLS_PER_1K = 1000.0

# The natural logarithm by plain arithmetic: fdlibm's e_log.c (Sun Microsystems, 1993; the
# algorithm behind most C libraries' log), range-reduced with frexp instead of bit twiddling.
# Within 1 ulp of the true logarithm. Why not math.log1p or numpy.log1p: they disagree with each
# other in the last bit on a few per cent of inputs (numpy uses its own SIMD code on AVX-512
# machines), and importing numpy for one logarithm would double the start-up of every command.
# +, −, × and ÷ are correctly rounded in Python and numpy alike, so this agrees bit for bit.
LN2_HI = 6.93147180369123816490e-01
LN2_LO = 1.90821492927058770002e-10
LOG_COEFFICIENTS = (
    6.666666666666735130e-01,
    3.999999999940941908e-01,
    2.857142874366239149e-01,
    2.222219843214978396e-01,
    1.818357216161805012e-01,
    1.531383769920937332e-01,
    1.479819860511658591e-01,
)
SQRT_HALF = 0.7071067811865476


def _log_reduced(m: Any, k: Any) -> Any:
    """ln(m · 2^k) for m in [√½, √2): fdlibm's polynomial, the same operations for both ops."""
    lg1, lg2, lg3, lg4, lg5, lg6, lg7 = LOG_COEFFICIENTS
    f = m - 1.0
    hfsq = 0.5 * f * f
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    t1 = w * (lg2 + w * (lg4 + w * lg6))
    t2 = z * (lg1 + w * (lg3 + w * (lg5 + w * lg7)))
    r = t2 + t1
    return k * LN2_HI - ((hfsq - (s * (hfsq + r) + k * LN2_LO)) - f)


# e^r − 1 for |r| ≤ ln(2)/2 by its Taylor series to r^15/15! (the next term is below 1e-20 of
# the sum), added by Horner's rule; e^y − 1 then as 2^k · (1 + that) − 1 with y = k·ln 2 + r.
# Within a few ulps of the true value; written in +, −, ×, ÷ and ldexp, so the same for one
# case as for arrays, which math.expm1 and numpy.expm1 are not.
INV_LN2 = 1.4426950408889634
EXPM1_COEFFICIENTS = tuple(1.0 / math.factorial(n) for n in range(15, 1, -1))
"""1/15!, 1/14!, …, 1/2!: Horner's order (the next term, r^16/16!, is below 1e-20 of r)."""
EXP_OVERFLOW = 709.782712893384
"""Above this, e^y is beyond the largest float."""
EXPM1_FLOOR = -40.0
"""Below this, e^y − 1 rounds to −1."""


def _expm1_reduced(r: Any) -> Any:
    """e^r − 1 for |r| ≤ ln(2)/2: the series, the same operations for both ops."""
    total = r * EXPM1_COEFFICIENTS[0] + EXPM1_COEFFICIENTS[1]
    for coefficient in EXPM1_COEFFICIENTS[2:]:  # in place on arrays: the same operations
        total *= r
        total += coefficient
    return r + r * (r * total)


def _log_reduced_in_place(np: Any, m: Any, k: Any) -> Any:
    """:func:`_log_reduced` on arrays, the same operations in the same order, written in place
    (a third faster on a million values; a test holds the two equal)."""
    lg1, lg2, lg3, lg4, lg5, lg6, lg7 = LOG_COEFFICIENTS
    f = m - 1.0
    hfsq = f * 0.5
    hfsq *= f
    s = f + 2.0
    np.divide(f, s, out=s)
    z = s * s
    w = z * z
    t1 = w * lg6
    t1 += lg4
    t1 *= w
    t1 += lg2
    t1 *= w
    t2 = w * lg7
    t2 += lg5
    t2 *= w
    t2 += lg3
    t2 *= w
    t2 += lg1
    t2 *= z
    t2 += t1  # r
    t2 += hfsq  # hfsq + r
    t2 *= s
    t2 += k * LN2_LO
    np.subtract(hfsq, t2, out=t2)
    t2 -= f
    out = k * LN2_HI
    out -= t2
    return out


def _log_of_array(np: Any, u: Any) -> Any:
    """ln(u) element-wise for finite u > 0 (anything else gives a meaningless number)."""
    m, e = np.frexp(u)
    small = m < SQRT_HALF
    np.multiply(m, 2.0, out=m, where=small)
    k = e.astype(np.float64)
    np.subtract(k, 1.0, out=k, where=small)
    return _log_reduced_in_place(np, m, k)


def log_by_arithmetic(u: float) -> float:
    """ln(u) for a finite u > 0, by the same arithmetic for one case as for arrays (see above).

    Examples
    --------
    >>> log_by_arithmetic(1.0), round(log_by_arithmetic(2.0), 15)
    (0.0, 0.693147180559945)
    """
    m, e = math.frexp(u)
    if m < SQRT_HALF:
        m *= 2.0
        e -= 1
    return float(_log_reduced(m, float(e)))


class _ScalarOps:
    """Operations on Python floats."""

    @staticmethod
    def where(condition: Any, then: Callable[[], Any], otherwise: Callable[[], Any]) -> Any:
        return then() if condition else otherwise()

    @staticmethod
    def isinf(x: float) -> bool:
        return math.isinf(x)

    @staticmethod
    def isnan(x: float) -> bool:
        return math.isnan(x)

    @staticmethod
    def whole_at_least_2(x: float) -> float:
        """The smallest whole number ≥ x, and at least 2 (x finite)."""
        return max(2.0, float(math.ceil(x)))

    @staticmethod
    def log1p(x: float) -> float:
        """ln(1 + x), as x · ln(1 + x) / x (exact at 0, inf at inf)."""
        if math.isinf(x):
            return x if x > 0 else math.nan
        return x * _ScalarOps.log1p_over(x) if x != 0.0 else x

    @staticmethod
    def expm1(x: float) -> float:
        """e^x − 1 by arithmetic (see :data:`EXPM1_COEFFICIENTS`)."""
        if math.isnan(x) or x == 0.0:
            return x
        if x > EXP_OVERFLOW:
            return math.inf
        if x < EXPM1_FLOOR:
            return -1.0
        k = math.floor(x * INV_LN2 + 0.5)
        r = (x - k * LN2_HI) - k * LN2_LO
        small = _expm1_reduced(r)
        if k == 0:
            return float(small)
        return math.ldexp(small + 1.0, k) - 1.0

    @staticmethod
    def log(u: float) -> float:
        """ln(u) for u > 0 by arithmetic; nan for u ≤ 0 or not finite."""
        if not (0.0 < u < math.inf):
            return math.nan
        return log_by_arithmetic(u)

    @staticmethod
    def exp(x: float) -> float:
        """e^x, as 1 + (e^x − 1) by arithmetic."""
        return _ScalarOps.expm1(x) + 1.0

    @staticmethod
    def log1p_over(x: float) -> float:
        """ln(1 + x) / x, and its limit 1 at x = 0 (Goldberg's log(u) / (u − 1), u = 1 + x)."""
        u = 1.0 + x
        if u == 1.0:
            return 1.0
        if math.isinf(u):
            return math.nan
        return log_by_arithmetic(u) / (u - 1.0)


class _ArrayOps:
    """Operations on numpy arrays, element for element those of :class:`_ScalarOps`."""

    def __init__(self) -> None:
        import numpy as np

        self.np = np

    def where(self, condition: Any, then: Callable[[], Any], otherwise: Callable[[], Any]) -> Any:
        np = self.np
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return np.where(condition, then(), otherwise())

    def isinf(self, x: Any) -> Any:
        return self.np.isinf(x)

    def isnan(self, x: Any) -> Any:
        return self.np.isnan(x)

    def whole_at_least_2(self, x: Any) -> Any:
        return self.np.maximum(2.0, self.np.ceil(x))

    def log1p(self, x: Any) -> Any:
        np = self.np
        x = np.asarray(x, dtype=float)
        with np.errstate(invalid="ignore"):
            grown = x * self.log1p_over(x)
            return np.where(x == 0.0, x, np.where(np.isposinf(x), x, grown))

    def _flat(self, x: Any) -> tuple[Any, tuple[int, ...]]:
        """``x`` as a one-dimensional float array (written in place below), and its shape."""
        array = self.np.asarray(x, dtype=float)
        return array.reshape(-1), array.shape

    def expm1(self, x: Any) -> Any:
        np = self.np
        x, shape = self._flat(x)
        with np.errstate(over="ignore", invalid="ignore"):
            k = x * INV_LN2
            k += 0.5
            np.floor(k, out=k)
            np.copyto(k, 0.0, where=~np.isfinite(k))
            np.clip(k, -1100.0, 1100.0, out=k)
            r = x - k * LN2_HI
            r -= k * LN2_LO
            small = _expm1_reduced(r)
            result = small + 1.0
            result = np.ldexp(result, k.astype(np.int64))
            result -= 1.0
            np.copyto(result, small, where=k == 0.0)
            np.copyto(result, -1.0, where=x < EXPM1_FLOOR)
            np.copyto(result, np.inf, where=x > EXP_OVERFLOW)
            np.copyto(result, x, where=(x == 0.0) | np.isnan(x))
            return result.reshape(shape)

    def log(self, u: Any) -> Any:
        np = self.np
        u, shape = self._flat(u)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            log = _log_of_array(np, u)
            log[~((u > 0.0) & np.isfinite(u))] = np.nan
            return log.reshape(shape)

    def exp(self, x: Any) -> Any:
        return self.expm1(x) + 1.0

    def log1p_over(self, x: Any) -> Any:
        np = self.np
        x, shape = self._flat(x)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            u = x + 1.0
            result = _log_of_array(np, u)
            u -= 1.0
            result /= u  # ln(u) / (u − 1)
            np.copyto(result, 1.0, where=u == 0.0)
            np.copyto(result, np.nan, where=np.isinf(u))
            return result.reshape(shape)


SCALAR = _ScalarOps()
"""Operations on one case's floats."""

_ARRAY: list[_ArrayOps] = []


def array_ops() -> _ArrayOps:
    """Operations on arrays (numpy is imported on the first call, not before)."""
    if not _ARRAY:
        _ARRAY.append(_ArrayOps())
    return _ARRAY[0]


def monthly_savings(teacher_cost_per_1k: Any, student_cost_per_1k: Any, monthly_calls: Any) -> Any:
    """(teacher − student) × calls ÷ 1,000."""
    return (teacher_cost_per_1k - student_cost_per_1k) * monthly_calls / CALLS_PER_1K


def annual_net_benefit(monthly_savings: Any, annual_maintenance: Any) -> Any:
    """12 × monthly savings − a year of maintenance."""
    return MONTHS_PER_YEAR * monthly_savings - annual_maintenance


def savings_share(teacher_cost_per_1k: Any, student_cost_per_1k: Any) -> Any:
    """(teacher − student) ÷ teacher."""
    return (teacher_cost_per_1k - student_cost_per_1k) / teacher_cost_per_1k


def payback(upfront: Any, savings: Any, growth: Any, ops: Any = SCALAR) -> Any:
    """Months until growing savings add up to the upfront cost (inf: never).

    Without growth ``U / s``; with growth ``g``, ``ln(1 + U·g/s) / ln(1 + g)`` written as
    ``(U/s) · q(r) / q(g)``, ``q(x) = ln(1 + x) / x``, so that a tiny growth whose ``r``
    underflows to 0 still gives about ``U/s``, not 0.

    Examples
    --------
    >>> payback(52_500.0, 21_000.0, 0.0)
    2.5
    """

    def grown(flat: Any) -> Any:
        ratio = flat * growth
        return ops.where(
            (growth == 0.0) | ops.isinf(flat),  # beyond the float range of months: never
            lambda: flat,
            lambda: ops.where(
                ratio <= -1.0,  # shrinking savings whose total never reaches the upfront cost
                lambda: math.inf,
                lambda: flat * (ops.log1p_over(ratio) / ops.log1p_over(growth)),
            ),
        )

    return ops.where(
        upfront == 0.0,
        lambda: 0.0,
        lambda: ops.where(savings <= 0.0, lambda: math.inf, lambda: grown(upfront / savings)),
    )


def growing_savings(savings: Any, months: Any, growth: Any, ops: Any = SCALAR) -> Any:
    """The savings of ``months`` months, the first ``savings``, growing by ``growth`` a month:
    ``months × s`` without growth, ``s · ((1+g)^n − 1) / g`` with (``expm1(n·log1p(g))``)."""
    return ops.where(
        growth == 0.0,
        lambda: months * savings,
        lambda: savings * ops.expm1(months * ops.log1p(growth)) / growth,
    )


def first_year_net(
    upfront: Any, savings: Any, maintenance: Any, growth: Any, ops: Any = SCALAR
) -> Any:
    """Twelve months of (growing) savings, less a year of maintenance and the upfront cost.

    Examples
    --------
    >>> first_year_net(52_500.0, 21_000.0, 40_000.0, 0.0)   # 252,000 − 40,000 − 52,500
    159500.0
    """
    return growing_savings(savings, MONTHS_PER_YEAR, growth, ops) - maintenance - upfront


def target_savings_factor(target: Any, growth: Any, ops: Any = SCALAR) -> Any:
    """First-month savings ÷ upfront at which payback equals the target: ``1/T``, or with
    growth ``g``, ``g / ((1+g)^T − 1)`` (so that ``T`` months of growing savings add up to the
    upfront cost); 0 where ``(1+g)^T`` overflows, inf where ``(1+g)^T − 1`` rounds to 0."""

    def grown_factor() -> Any:
        grown = ops.expm1(target * ops.log1p(growth))
        return ops.where(grown != 0.0, lambda: growth / grown, lambda: math.inf)

    return ops.where(growth == 0.0, lambda: 1.0 / target, grown_factor)


def cumulative_gap(
    n: Any,
    upfront: Any,
    savings: Any,
    monthly: Any,
    growth: Any,
    ops: Any = SCALAR,
    rate: Any = None,
) -> Any:
    """Cumulative (growing) savings less maintenance after ``n`` months, less the upfront
    (``rate``: ``ln(1 + growth)`` where a search has it already — the same value)."""
    rate = ops.log1p(growth) if rate is None else rate
    grown = savings * (ops.expm1(n * rate) / growth)
    return grown - monthly * n - upfront


def whole_gpu_threshold(
    needed: Any, margin: Any, gpu: Any, capacity: Any, ops: Any = SCALAR
) -> Any:
    """The lowest monthly volume above which a student on whole GPUs saves at least ``needed`` a
    month at every volume (``margin``: saved per 1,000 calls before any GPU; ``gpu``: one GPU's
    bill a month; ``capacity``: the calls a month one GPU carries); inf when none does.

    In the volumes served by n GPUs, C·(n−1) < v ≤ C·n, the savings reach ``needed`` from
    v_n = (needed + n·gpu)·1000 / margin. A full GPU saves full = C·margin/1000 a month before
    its bill; every volume served by n ≥ 2 GPUs passes when n·(full − gpu) ≥ needed + full. From
    the first such n every larger volume passes; the threshold lies among the volumes of n − 1
    GPUs, or at their top (a GPU step). Lower bands may pass in part too: the threshold is not
    where the savings first fall short going down from any one volume.

    Examples
    --------
    >>> whole_gpu_threshold(1_000.0, 2.0, 1_460.0, 1_314_000.0)   # (1,000 + 3 × 1,460) × 500
    2690000.0
    """
    full = capacity * margin / CALLS_PER_1K

    def whole() -> Any:
        quotient = (needed + full) / (full - gpu)

        def finite() -> Any:
            last_partial = ops.whole_at_least_2(quotient) - 1.0
            start = (needed + last_partial * gpu) * CALLS_PER_1K / margin
            step = capacity * last_partial
            return ops.where(start <= step, lambda: start, lambda: step)

        return ops.where(ops.isinf(quotient), lambda: math.inf, finite)

    return ops.where(full > gpu, whole, lambda: math.inf)


def breakeven(
    upfront: Any,
    teacher: Any,
    student: Any,
    target: Any,
    growth: Any,
    gpu: Any,
    capacity: Any,
    ops: Any = SCALAR,
) -> Any:
    """First-month volume at which payback meets the target (NaN ``gpu``: priced per call;
    else one GPU's bill a month, and ``capacity`` the calls a month one GPU carries).

    Examples
    --------
    >>> round(breakeven(52_500.0, 12.0, 1.5, 12.0, 0.0, math.nan, math.nan), 2)
    416666.67
    """
    needed = upfront * target_savings_factor(target, growth, ops)  # first-month savings needed
    margin = teacher - student  # saved per 1,000 calls, before any GPU

    def hosted() -> Any:
        return whole_gpu_threshold(needed, margin, gpu, capacity, ops)

    def volume() -> Any:
        return ops.where(ops.isnan(gpu), lambda: needed * CALLS_PER_1K / margin, hosted)

    return ops.where(
        upfront == 0.0,
        lambda: 0.0,
        lambda: ops.where(
            ops.isnan(needed) | (needed < 0.0) | (margin <= 0.0), lambda: math.inf, volume
        ),
    )


def npv_month(
    total: Any, discount: Any, grown: Any, savings: Any, monthly: Any, factor: Any
) -> tuple[Any, Any]:
    """One more month of the net present value: the total with this month's discounted
    savings (``savings × grown``) less its discounted maintenance, and the month's discount
    (``factor`` = 1 + the monthly rate, compounded).

    Examples
    --------
    >>> npv_month(-52_500.0, 1.0, 1.0, 21_000.0, 40_000.0 / 12.0, 1.0)[0]   # a month at 0 %
    -34833.333333333336
    """
    discount = discount * factor
    return total + (savings * grown) / discount - monthly / discount, discount


def discounted_month(
    total: Any, discount: Any, month_savings: Any, monthly: Any, factor: Any
) -> tuple[Any, Any, Any]:
    """One more month of discounted payback's cumulative cash: the new total, the month's
    discounted flow and its discount."""
    discount = discount * factor
    flow = month_savings / discount - monthly / discount
    return total + flow, flow, discount
