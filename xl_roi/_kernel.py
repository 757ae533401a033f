"""The arithmetic, written once, for one case and for a million alike.

Each formula here takes an ``ops`` namespace: :data:`SCALAR` (pure arithmetic and :mod:`math`,
so that a single case loads no numpy) or :func:`array_ops` (numpy, imported on first use). Both
run the same formula in the same order: one case alone (``evaluate``), the same case among a
million (the array engine, ``screen``) and the workbook's stored values agree to rounding (the
tests hold them to 1e-12 relative; ``math`` and numpy may differ in the last bit of a logarithm).
The public functions (:mod:`xl_roi.roi`, :mod:`xl_roi.batch`) check their inputs, then call
these.

``ops.where(condition, then, otherwise)`` takes the two branches as functions: a scalar runs
only the one chosen (so ``1 / 0`` is never worked out), an array runs both with numpy's
warnings silenced and picks element by element.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

__all__ = [
    "FARTHEST_MONTH",
    "HOURS_PER_MONTH",
    "MONTHS_PER_YEAR",
    "NEVER_SAVINGS",
    "NEVER_SHRINKING",
    "NO_VOLUME_HOSTED",
    "NO_VOLUME_PER_CALL",
    "SCALAR",
    "SECONDS_PER_MONTH",
    "Named",
    "annual_net_benefit",
    "array_ops",
    "breakeven",
    "breakeven_from_needed",
    "crossing_at_no_discount",
    "cumulative_gap",
    "cumulative_slope",
    "data_generation",
    "discounted_month",
    "first_year_net",
    "gap_savings",
    "gpu_cost_per_1k",
    "growing_savings",
    "monthly_savings",
    "names_read",
    "newton_step",
    "npv_month",
    "payback",
    "peak_calls_per_second",
    "savings_needed",
    "savings_per_1k",
    "savings_share",
    "target_savings_factor",
    "token_cost_per_1k",
    "unit_gap_savings",
    "upfront_total",
    "whole_gpu_threshold",
    "whole_gpus",
]

MONTHS_PER_YEAR = 12.0
CALLS_PER_1K = 1000.0
HOURS_PER_MONTH = 730.0
"""Hours in an average month: 8,760 hours a year ÷ 12."""
SECONDS_PER_HOUR = 3600.0
SECONDS_PER_MONTH = HOURS_PER_MONTH * SECONDS_PER_HOUR
"""Seconds in an average month."""

FARTHEST_MONTH = 1e300
"""How far a search for a month looks at most (a shrink of 1e-300 a month peaks beyond any
float: its cumulative net is flat as far as floats can tell)."""

EXP_OVERFLOW = 709.782712893384
"""Above this, e^x is beyond the largest float (``math.exp`` raises; the ops give inf)."""


NEVER_SAVINGS = "monthly savings are not positive (the student costs as much or more)"
"""Why a case never pays back when the student saves nothing."""
NEVER_SHRINKING = "volume shrinks faster than the savings can recover the upfront cost"
"""Why a case never pays back when its savings shrink too fast."""
NO_VOLUME_PER_CALL = "the student costs as much or more per call"
"""Why no volume reaches a payback target (when the break-even volume is infinite)."""
NO_VOLUME_HOSTED = (
    "a fully loaded GPU costs more than the calls it takes from the teacher, or volume "
    "shrinks too fast"
)
"""Why no volume reaches a payback target for a self-hosted student."""


class _NumberOps:
    """What floats and arrays share: the fixed numbers, and infinity for a result that never
    comes (the formula backend writes the reason there instead)."""

    calls_per_1k = CALLS_PER_1K
    months_per_year = MONTHS_PER_YEAR
    seconds_per_month = SECONDS_PER_MONTH
    hours_per_month = HOURS_PER_MONTH

    @staticmethod
    def never(reason: str) -> float:
        """A payback that never comes (``reason`` says why, where a backend shows it): inf."""
        return math.inf

    @staticmethod
    def no_volume(reason: str) -> float:
        """A break-even volume that no volume reaches (``reason``: why): inf."""
        return math.inf


class _ScalarOps(_NumberOps):
    """Operations on Python floats (:mod:`math`; never raising: inf and nan as numpy gives)."""

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
    def ceil(x: float) -> float:
        """The smallest whole number ≥ x (x finite)."""
        return float(math.ceil(x))

    @staticmethod
    def maximum(a: float, b: float) -> float:
        return max(a, b)

    @staticmethod
    def log1p(x: float) -> float:
        """ln(1 + x): inf at inf, nan below −1 or at nan."""
        if math.isnan(x) or x < -1.0:
            return math.nan
        if x == -1.0:
            return -math.inf
        return math.log1p(x)

    @staticmethod
    def expm1(x: float) -> float:
        """e^x − 1: inf past the float range."""
        return math.inf if x > EXP_OVERFLOW else math.expm1(x)

    @staticmethod
    def log(u: float) -> float:
        """ln(u) for u > 0; nan for u ≤ 0 or not finite."""
        return math.log(u) if 0.0 < u < math.inf else math.nan

    @staticmethod
    def exp(x: float) -> float:
        """e^x: inf past the float range."""
        return math.inf if x > EXP_OVERFLOW else math.exp(x)

    @staticmethod
    def log1p_over(x: float) -> float:
        """ln(1 + x) / x, and its limit 1 at x = 0; nan at inf."""
        if x == 0.0:
            return 1.0
        if math.isinf(x):
            return math.nan
        return _ScalarOps.log1p(x) / x


class _ArrayOps(_NumberOps):
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

    def ceil(self, x: Any) -> Any:
        return self.np.ceil(x)

    def maximum(self, a: Any, b: Any) -> Any:
        return self.np.maximum(a, b)

    def log1p(self, x: Any) -> Any:
        np = self.np
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log1p(x)

    def expm1(self, x: Any) -> Any:
        np = self.np
        with np.errstate(over="ignore"):
            return np.expm1(x)

    def log(self, u: Any) -> Any:
        np = self.np
        u = np.asarray(u, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where((u > 0.0) & np.isfinite(u), np.log(u), np.nan)

    def exp(self, x: Any) -> Any:
        np = self.np
        with np.errstate(over="ignore"):
            return np.exp(x)

    def log1p_over(self, x: Any) -> Any:
        np = self.np
        x = np.asarray(x, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.log1p(x) / x
            return np.where(x == 0.0, 1.0, np.where(np.isinf(x), np.nan, ratio))


class Named:
    """Quantities a calculation reads by name: the ``given`` ones, then ``base``'s attributes.

    A calculation that reads its inputs by name (``q.monthly_calls``) picks up an input added to
    the case without a change to any of its callers: each face passes its own ``base`` (the
    case, the arrays of a batch, the workbook's defined names) and names only what it has
    worked out itself (the student's cost at half volume, say).

    Examples
    --------
    >>> q = Named(Named(monthly_calls=1e6, monthly_growth=0.0), monthly_calls=5e5)
    >>> q.monthly_calls, q.monthly_growth
    (500000.0, 0.0)
    """

    __slots__ = ("_base", "_given")

    def __init__(self, base: Any = None, /, **given: Any) -> None:
        self._base = base
        self._given = given

    def __getattr__(self, name: str) -> Any:
        given = object.__getattribute__(self, "_given")
        if name in given:
            return given[name]
        base = object.__getattribute__(self, "_base")
        if base is None:
            raise AttributeError(name)
        return getattr(base, name)


def names_read(calculation: Callable[[Any], Any]) -> frozenset[str]:
    """The names a calculation reads from its record (run once, on ones, in floats: a
    calculation that branches on its inputs reads the names of the branch that ones take).

    Examples
    --------
    >>> {"monthly_calls", "student_cost_per_1k", "teacher_cost_per_1k"} <= names_read(
    ...     monthly_savings)
    True
    """
    read: set[str] = set()

    class Recorder:
        def __getattr__(self, name: str) -> float:
            read.add(name)
            return 1.0

    calculation(Recorder())
    return frozenset(read)


SCALAR = _ScalarOps()
"""Operations on one case's floats."""

_ARRAY: list[_ArrayOps] = []


def array_ops() -> _ArrayOps:
    """Operations on arrays (numpy is imported on the first call, not before)."""
    if not _ARRAY:
        _ARRAY.append(_ArrayOps())
    return _ARRAY[0]


def token_cost_per_1k(
    input_tokens: Any,
    output_tokens: Any,
    input_price_per_million: Any,
    output_price_per_million: Any,
    ops: Any = SCALAR,
) -> Any:
    """Cost of 1,000 calls priced per million tokens: 1,000 × (tokens × price) ÷ 1,000,000."""
    spent = input_tokens * input_price_per_million + output_tokens * output_price_per_million
    return ops.calls_per_1k * spent / (ops.calls_per_1k * ops.calls_per_1k)


def data_generation(
    corpus_examples: Any,
    teacher_cost_per_1k: Any,
    passes: Any,
    batch_discount: Any,
    ops: Any = SCALAR,
) -> Any:
    """The teacher labelling the corpus: examples × teacher cost ÷ 1,000 × passes × (1 −
    batch discount)."""
    per_pass = corpus_examples * teacher_cost_per_1k / ops.calls_per_1k
    return per_pass * passes * (1.0 - batch_discount)


def upfront_total(
    data_generation: Any, training_compute: Any, evaluation_build: Any, engineering_time: Any
) -> Any:
    """The upfront items added up, left to right (as a spreadsheet's ``+`` and ``SUM`` do)."""
    return data_generation + training_compute + evaluation_build + engineering_time


def peak_calls_per_second(monthly_calls: Any, peak_factor: Any, ops: Any = SCALAR) -> Any:
    """The busiest second's calls: peak factor × the month's calls ÷ its seconds."""
    return peak_factor * monthly_calls / ops.seconds_per_month


def whole_gpus(
    peak_calls: Any, calls_per_second_per_gpu: Any, target_utilization: Any, ops: Any = SCALAR
) -> Any:
    """GPUs for the peak, whole and at least one: max(1, ⌈peak ÷ (throughput × load)⌉)."""
    return ops.maximum(1.0, ops.ceil(peak_calls / (calls_per_second_per_gpu * target_utilization)))


def gpu_cost_per_1k(gpus: Any, gpu_hourly_cost: Any, monthly_calls: Any, ops: Any = SCALAR) -> Any:
    """Whole GPUs paid around the clock, per 1,000 calls: GPUs × hourly × 730 ÷ (calls ÷ 1,000)."""
    return gpus * gpu_hourly_cost * ops.hours_per_month / (monthly_calls / ops.calls_per_1k)


def monthly_savings(q: Any, ops: Any = SCALAR) -> Any:
    """(teacher − student) × calls ÷ 1,000, read from ``q`` by name (a :class:`Named`, a case):
    ``q.teacher_cost_per_1k``, ``q.student_cost_per_1k`` (with escalation) and
    ``q.monthly_calls``.

    Examples
    --------
    >>> from xl_roi.case import DEFAULT_INPUTS   # every other input at the case's default
    >>> monthly_savings(Named(DEFAULT_INPUTS, teacher_cost_per_1k=12.0, student_cost_per_1k=1.5,
    ...     monthly_calls=2_000_000.0))
    21000.0
    """
    return savings_per_1k(q, ops) * q.monthly_calls / ops.calls_per_1k


def savings_per_1k(q: Any, ops: Any = SCALAR) -> Any:
    """What the student saves on 1,000 calls: the teacher's cost per 1,000 calls less the
    student's (``q.teacher_cost_per_1k``, ``q.student_cost_per_1k``, read by name).

    Every saving is this gap times a volume, so the break-evens invert it through this one
    definition: a saving of ``needed`` a month takes ``needed`` × 1,000 ÷ ``savings_per_1k``
    calls, and what one GPU-month takes off the savings is what a gap the size of its bill
    saves (:func:`gap_savings`, :func:`breakeven_from_needed`).

    Examples
    --------
    >>> from xl_roi.case import DEFAULT_INPUTS
    >>> savings_per_1k(Named(DEFAULT_INPUTS, teacher_cost_per_1k=12.0, student_cost_per_1k=1.5))
    10.5
    """
    return q.teacher_cost_per_1k - q.student_cost_per_1k


def unit_gap_savings(q: Any, ops: Any = SCALAR) -> Any:
    """What a gap of 1 per 1,000 calls saves on 1,000 calls (1: savings are the gap itself);
    the closed-form break-evens scale the volume by it.

    Examples
    --------
    >>> from xl_roi.case import DEFAULT_INPUTS
    >>> unit_gap_savings(DEFAULT_INPUTS)
    1.0
    """
    return gap_savings(q, 1.0, ops)


def gap_savings(q: Any, gap: Any, ops: Any = SCALAR) -> Any:
    """What a cost gap of ``gap`` per 1,000 calls saves on 1,000 calls: :func:`savings_per_1k`
    with the teacher ``gap`` dearer than the student. The break-evens turn the gaps they work
    with (the margin before GPUs, a GPU's bill a month) into savings through it.

    Examples
    --------
    >>> from xl_roi.case import DEFAULT_INPUTS
    >>> gap_savings(DEFAULT_INPUTS, 1_460.0)
    1460.0
    """
    return savings_per_1k(Named(q, teacher_cost_per_1k=gap, student_cost_per_1k=0.0), ops)


def annual_net_benefit(monthly_savings: Any, annual_maintenance: Any, ops: Any = SCALAR) -> Any:
    """12 × monthly savings − a year of maintenance."""
    return ops.months_per_year * monthly_savings - annual_maintenance


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
                lambda: ops.never(NEVER_SHRINKING),
                lambda: flat * (ops.log1p_over(ratio) / ops.log1p_over(growth)),
            ),
        )

    return ops.where(
        upfront == 0.0,
        lambda: 0.0,
        lambda: ops.where(
            savings <= 0.0, lambda: ops.never(NEVER_SAVINGS), lambda: grown(upfront / savings)
        ),
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
    return growing_savings(savings, ops.months_per_year, growth, ops) - maintenance - upfront


def target_savings_factor(target: Any, growth: Any, ops: Any = SCALAR) -> Any:
    """First-month savings ÷ upfront at which payback equals the target: ``1/T``, or with
    growth ``g``, ``g / ((1+g)^T − 1)`` (so that ``T`` months of growing savings add up to the
    upfront cost); 0 where ``(1+g)^T`` overflows, inf where ``(1+g)^T − 1`` rounds to 0."""

    def grown_factor() -> Any:
        grown = ops.expm1(target * ops.log1p(growth))
        return ops.where(
            grown != 0.0, lambda: growth / grown, lambda: ops.no_volume(NO_VOLUME_PER_CALL)
        )

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


def cumulative_slope(
    n: Any, savings: Any, monthly: Any, growth: Any, ops: Any = SCALAR, rate: Any = None
) -> Any:
    """How fast :func:`cumulative_gap` changes at ``n`` months: the month's growing savings
    less its maintenance, ``s·(1+g)^n·ln(1+g)/g − m`` (``rate``: ``ln(1 + growth)``)."""
    rate = ops.log1p(growth) if rate is None else rate
    return savings * ops.exp(n * rate) * rate / growth - monthly


def newton_step(
    n: Any,
    upfront: Any,
    savings: Any,
    monthly: Any,
    growth: Any,
    ops: Any = SCALAR,
    rate: Any = None,
) -> Any:
    """One Newton step towards the month at which savings less maintenance recover the
    upfront cost (growth not 0): ``n − gap(n) / slope(n)``."""
    rate = ops.log1p(growth) if rate is None else rate
    gap = cumulative_gap(n, upfront, savings, monthly, growth, ops, rate)
    return n - gap / cumulative_slope(n, savings, monthly, growth, ops, rate)


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
    full = capacity * margin / ops.calls_per_1k

    def whole() -> Any:
        quotient = (needed + full) / (full - gpu)

        def finite() -> Any:
            last_partial = ops.whole_at_least_2(quotient) - 1.0
            start = (needed + last_partial * gpu) * ops.calls_per_1k / margin
            step = capacity * last_partial
            return ops.where(start <= step, lambda: start, lambda: step)

        return ops.where(ops.isinf(quotient), lambda: ops.no_volume(NO_VOLUME_HOSTED), finite)

    return ops.where(full > gpu, whole, lambda: ops.no_volume(NO_VOLUME_HOSTED))


def savings_needed(upfront: Any, target: Any, growth: Any, ops: Any = SCALAR) -> Any:
    """The first month's savings at which payback equals the target (growing at ``growth``):
    ``upfront × 1/T``, or with growth ``upfront × g / ((1+g)^T − 1)``.

    Examples
    --------
    >>> savings_needed(52_500.0, 12.0, 0.0)
    4375.0
    """
    return upfront * target_savings_factor(target, growth, ops)


def breakeven_from_needed(
    needed: Any, upfront: Any, q: Any, gpu: Any, capacity: Any, ops: Any = SCALAR
) -> Any:
    """First-month volume whose savings reach ``needed`` (:func:`savings_needed`): priced per
    call (NaN ``gpu``) or on whole GPUs (``gpu``: one GPU's bill a month, ``capacity``: the
    calls a month one GPU carries); 0 when nothing is upfront. ``q`` holds the two costs per
    1,000 calls (for a self-hosted student, what it costs on top of its GPUs) and any other
    input the savings read."""
    margin = savings_per_1k(q, ops)  # saved per 1,000 calls, before any GPU

    def hosted() -> Any:
        return whole_gpu_threshold(needed, margin, gap_savings(q, gpu, ops), capacity, ops)

    def volume() -> Any:
        return ops.where(ops.isnan(gpu), lambda: needed * ops.calls_per_1k / margin, hosted)

    return ops.where(
        upfront == 0.0,
        lambda: 0.0,
        lambda: ops.where(
            ops.isnan(needed) | (needed < 0.0) | (margin <= 0.0),
            lambda: ops.where(
                ops.isnan(gpu),
                lambda: ops.no_volume(NO_VOLUME_PER_CALL),
                lambda: ops.no_volume(NO_VOLUME_HOSTED),
            ),
            volume,
        ),
    )


def breakeven(
    upfront: Any, q: Any, target: Any, growth: Any, gpu: Any, capacity: Any, ops: Any = SCALAR
) -> Any:
    """First-month volume at which payback meets the target (NaN ``gpu``: priced per call;
    else one GPU's bill a month, and ``capacity`` the calls a month one GPU carries); ``q``
    as for :func:`breakeven_from_needed`.

    Examples
    --------
    >>> from xl_roi.case import DEFAULT_INPUTS
    >>> costs = Named(DEFAULT_INPUTS, teacher_cost_per_1k=12.0, student_cost_per_1k=1.5)
    >>> round(breakeven(52_500.0, costs, 12.0, 0.0, math.nan, math.nan), 2)
    416666.67
    """
    needed = savings_needed(upfront, target, growth, ops)
    return breakeven_from_needed(needed, upfront, q, gpu, capacity, ops)


def crossing_at_no_discount(
    upfront: Any,
    savings: Any,
    monthly: Any,
    growth: Any,
    after_maintenance: Any,
    last_month: Any,
    ops: Any = SCALAR,
) -> Any:
    """Discounted payback at a 0 % rate, by the one definition (the cumulative cash after
    maintenance month by month, interpolated within the month it crosses zero), worked from
    its closed form: the crossing month is the whole month at or after ``after_maintenance``
    (where the growing cumulative cash first reaches zero), checked a month either way;
    inf past ``last_month`` or when it never does; NaN where the closed form cannot settle the
    month (the caller then adds the months up one by one).

    Examples
    --------
    >>> crossing_at_no_discount(52_500.0, 21_000.0, 40_000.0 / 12.0, 0.0, 2.9717, 1200.0)
    2.9716981132075473
    """

    def cumulative(month: Any) -> Any:
        return growing_savings(savings, month, growth, ops) - monthly * month - upfront

    def crossing() -> Any:
        month = ops.maximum(1.0, ops.ceil(after_maintenance))
        month = ops.where(
            (month > 1.0) & (cumulative(month - 1.0) >= 0.0),
            lambda: month - 1.0,
            lambda: ops.where(cumulative(month) < 0.0, lambda: month + 1.0, lambda: month),
        )
        before, after = cumulative(month - 1.0), cumulative(month)
        settled = (before < 0.0) & (after >= 0.0)
        return ops.where(
            month > last_month,
            lambda: ops.never(NEVER_SAVINGS),
            lambda: ops.where(
                settled, lambda: (month - 1.0) + (-before) / (after - before), lambda: math.nan
            ),
        )

    return ops.where(
        upfront == 0.0,
        lambda: 0.0,
        lambda: ops.where(ops.isinf(after_maintenance), lambda: ops.never(NEVER_SAVINGS), crossing),
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
