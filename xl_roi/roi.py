"""What distillation earns: monthly savings, payback, annual net benefit, break-even volume.

Money is in one currency, time in months, per-call costs per 1,000 calls.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from xl_roi.costs import HOURS_PER_MONTH, SECONDS_PER_MONTH
from xl_roi.errors import InputError, check_number, check_result

__all__ = [
    "BREAKEVEN_DEFINITION",
    "NEVER_AFTER_MAINTENANCE",
    "NO_VOLUME_PAYS_BACK",
    "NO_VOLUME_PAYS_BACK_HOSTED",
    "annual_net_benefit",
    "breakeven_array",
    "breakeven_volume",
    "first_year_net",
    "monthly_savings",
    "never_pays_back_reason",
    "payback_after_maintenance_array",
    "payback_after_maintenance_months",
    "payback_array",
    "payback_months",
    "savings_share",
]

BREAKEVEN_DEFINITION = (
    "the monthly volume, growing at the case's own monthly growth and, for a self-hosted "
    "student, served on whole GPUs, below which payback misses the target"
)
"""What the break-even volume means, in words, wherever it is shown."""

NO_VOLUME_PAYS_BACK = "the student costs as much or more per call"
"""Why no volume reaches a payback target (when :func:`breakeven_volume` is infinite)."""

NO_VOLUME_PAYS_BACK_HOSTED = (
    "a fully loaded GPU costs more than the calls it takes from the teacher, or volume "
    "shrinks too fast"
)
"""Why no volume reaches a payback target for a self-hosted student."""

NEVER_AFTER_MAINTENANCE = "the savings less maintenance never recover the upfront cost"
"""Why payback after maintenance never comes when payback itself does."""


def monthly_savings(
    teacher_cost_per_1k: float, student_cost_per_1k: float, monthly_calls: float
) -> float:
    """Inference spend saved a month by answering calls with the student instead of the teacher.

    Parameters
    ----------
    teacher_cost_per_1k, student_cost_per_1k : float
        Cost per 1,000 calls of each model.
    monthly_calls : float
        Calls a month.

    Returns
    -------
    float
        ``(teacher_cost_per_1k − student_cost_per_1k) × monthly_calls / 1000``; negative when the
        student costs more per call.

    Examples
    --------
    Two million calls a month, teacher 12.00 and student 1.50 per 1,000 calls:

    >>> monthly_savings(12.0, 1.5, 2_000_000)
    21000.0
    """
    teacher = check_number("teacher_cost_per_1k", teacher_cost_per_1k)
    student = check_number("student_cost_per_1k", student_cost_per_1k)
    calls = check_number("monthly_calls", monthly_calls)
    return check_result("monthly_savings", (teacher - student) * calls / 1000.0)


def payback_months(
    upfront_cost: float, monthly_savings: float, monthly_growth: float = 0.0
) -> float:
    """Months until the savings have paid back the upfront cost.

    Parameters
    ----------
    upfront_cost : float
        The whole upfront bill (≥ 0).
    monthly_savings : float
        Savings in the first month (may be ≤ 0: then it never pays back).
    monthly_growth : float, default 0.0
        Month-on-month growth of the volume, and so of the savings (0.02 is 2 % a month;
        negative when volume shrinks; > −1).

    Returns
    -------
    float
        Months, fractional; ``math.inf`` when it never pays back; 0 when there is nothing to
        pay back.

    Notes
    -----
    Without growth, ``upfront / monthly_savings``. With growth ``g``, the savings of month
    ``k`` are ``s·(1+g)^(k−1)``, cumulative after ``n`` months ``s·((1+g)^n − 1)/g``, which
    reaches the upfront cost ``U`` at ``n = ln(1 + U·g/s) / ln(1 + g)``. A shrinking volume
    whose savings add up to less than ``U`` never pays back.

    Examples
    --------
    >>> payback_months(52_500, 21_000)
    2.5
    >>> round(payback_months(52_500, 21_000, monthly_growth=0.05), 4)
    2.4141
    >>> payback_months(52_500, -100)
    inf
    """
    upfront = check_number("upfront_cost", upfront_cost)
    savings = check_number("monthly_savings", monthly_savings, minimum=None)
    growth = check_number("monthly_growth", monthly_growth, minimum=-1.0, strictly_above=True)
    if upfront == 0.0:
        return 0.0
    if savings <= 0.0:
        return math.inf
    if growth == 0.0:
        return upfront / savings
    flat = upfront / savings
    ratio = flat * growth
    if ratio <= -1.0:  # shrinking savings whose total never reaches the upfront cost
        return math.inf
    # ln(1 + r) / ln(1 + g) written as (U/s) · q(r) / q(g), q(x) = ln(1 + x) / x, so that a tiny
    # growth whose r underflows to 0 still gives about U/s, not 0. numpy's log1p, not math's:
    # the array engine (xl_roi.batch) uses it too, so one case alone and the same case among a
    # million agree to the last bit.
    return float(flat * (_log1p_over(ratio) / _log1p_over(growth)))


def _log1p_over(x: float) -> float:
    """ln(1 + x) / x, and its limit 1 at x = 0."""
    return 1.0 if x == 0.0 else float(np.log1p(x) / x)


def payback_array(upfront: Any, savings: Any, growth: Any) -> Any:
    """:func:`payback_months` over arrays, element for element the same.

    Examples
    --------
    >>> payback_array(np.array([52_500.0, 0.0, 1.0]), np.array([21_000.0, 5.0, -1.0]), 0.0)
    array([2.5, 0. , inf])
    """
    upfront, savings, growth = np.broadcast_arrays(
        np.asarray(upfront, dtype=float),
        np.asarray(savings, dtype=float),
        np.asarray(growth, dtype=float),
    )
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        flat = upfront / savings
        ratio = flat * growth
        grown = flat * (_log1p_over_array(ratio) / _log1p_over_array(growth))
    months = np.where(growth == 0.0, flat, np.where(ratio <= -1.0, np.inf, grown))
    months = np.where(savings <= 0.0, np.inf, months)
    result: Any = np.where(upfront == 0.0, 0.0, months)
    return result


def _log1p_over_array(x: Any) -> Any:
    """ln(1 + x) / x elementwise, 1 where x = 0 (as :func:`payback_months`)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        quotient: Any = np.where(x == 0.0, 1.0, np.log1p(x) / x)
    return quotient


def annual_net_benefit(monthly_savings: float, annual_maintenance: float) -> float:
    """Twelve months of savings less a year of maintenance (redistilling as teacher or data drift).

    Parameters
    ----------
    monthly_savings : float
        Savings a month.
    annual_maintenance : float
        Maintenance a year (≥ 0).

    Returns
    -------
    float
        ``12 × monthly_savings − annual_maintenance``. The upfront cost is not in it: that is
        what payback measures.

    Examples
    --------
    >>> annual_net_benefit(21_000, 40_000)
    212000.0
    """
    savings = check_number("monthly_savings", monthly_savings, minimum=None)
    maintenance = check_number("annual_maintenance", annual_maintenance)
    return check_result("annual_net_benefit", 12.0 * savings - maintenance)


def first_year_net(
    upfront_cost: float,
    monthly_savings: float,
    annual_maintenance: float,
    monthly_growth: float = 0.0,
) -> float:
    """The first twelve months of (growing) savings, less a year of maintenance and the upfront.

    Examples
    --------
    >>> first_year_net(52_500, 21_000, 40_000)   # 252,000 − 40,000 − 52,500
    159500.0
    """
    upfront = check_number("upfront_cost", upfront_cost)
    savings = check_number("monthly_savings", monthly_savings, minimum=None)
    maintenance = check_number("annual_maintenance", annual_maintenance)
    growth = check_number("monthly_growth", monthly_growth, minimum=-1.0, strictly_above=True)
    if growth == 0.0:
        first_year_savings = 12.0 * savings
    else:
        first_year_savings = savings * math.expm1(12.0 * math.log1p(growth)) / growth
    return check_result("first_year_net", first_year_savings - maintenance - upfront)


def savings_share(teacher_cost_per_1k: float, student_cost_per_1k: float) -> float:
    """Share of the endpoint's inference spend the student saves ("cuts spend by X %").

    Parameters
    ----------
    teacher_cost_per_1k : float
        The teacher's cost per 1,000 calls (> 0).
    student_cost_per_1k : float
        The student's cost per 1,000 calls.

    Returns
    -------
    float
        ``(teacher − student) / teacher``; negative when the student costs more.

    Examples
    --------
    >>> savings_share(12.0, 1.5)
    0.875
    """
    teacher = check_number("teacher_cost_per_1k", teacher_cost_per_1k, strictly_above=True)
    student = check_number("student_cost_per_1k", student_cost_per_1k)
    return (teacher - student) / teacher


def _target_savings_factor(target: Any, growth: Any) -> Any:
    """First-month savings ÷ upfront at which payback equals the target: ``1/T``, or with
    growth ``g``, ``g / ((1+g)^T − 1)`` (so that ``T`` months of growing savings add up to the
    upfront cost)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        grown = growth / np.expm1(target * np.log1p(growth))
        return np.where(growth == 0.0, 1.0 / target, grown)


def breakeven_array(
    upfront: Any,
    teacher: Any,
    student: Any,
    target: Any,
    growth: Any,
    gpu_monthly_cost: Any,
    calls_per_gpu_month: Any,
) -> Any:
    """:func:`breakeven_volume` over numpy arrays (NaN ``gpu_monthly_cost``: priced per call).

    ``gpu_monthly_cost`` is one GPU's bill a month (hourly × 730); ``calls_per_gpu_month`` the
    calls a month one GPU carries at the peak within its target load. The scalar function is
    this one on one element, so a case alone and among a million agree to the last bit.

    Examples
    --------
    >>> breakeven_array(52_500.0, 12.0, np.array([1.5, 12.0]), 12.0, 0.0, np.nan, np.nan)
    array([416666.66666667,              inf])
    """
    upfront, teacher, student, target, growth, gpu, capacity = np.broadcast_arrays(
        *(
            np.asarray(value, dtype=float)
            for value in (
                upfront,
                teacher,
                student,
                target,
                growth,
                gpu_monthly_cost,
                calls_per_gpu_month,
            )
        )
    )
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        needed = upfront * _target_savings_factor(target, growth)  # first-month savings needed
        margin = teacher - student  # saved per 1,000 calls, before any GPU
        per_call = needed * 1000.0 / margin
        hosted = ~np.isnan(gpu)
        # Whole GPUs: in the volumes served by n GPUs, C·(n−1) < v ≤ C·n, payback meets the
        # target from v_n = (needed + n·gpu)·1000 / margin. A full GPU saves full = C·margin/1000
        # a month before its bill; every volume served by n ≥ 2 GPUs passes when
        # n·(full − gpu) ≥ needed + full. From the first such n, every larger volume passes;
        # the threshold lies among the volumes of n − 1 GPUs, or at their top (a GPU step).
        full = capacity * margin / 1000.0
        first_whole = np.maximum(2.0, np.ceil((needed + full) / (full - gpu)))
        last_partial = first_whole - 1.0
        start = (needed + last_partial * gpu) * 1000.0 / margin
        step = capacity * last_partial
        threshold = np.where(start <= step, start, step)
        threshold = np.where(full > gpu, threshold, np.inf)
        volume = np.where(hosted, threshold, per_call)
        volume = np.where(margin <= 0.0, np.inf, volume)
        volume = np.where(np.isnan(needed) | (needed < 0.0), np.inf, volume)
    return np.where(upfront == 0.0, 0.0, volume)


def breakeven_volume(
    upfront_cost: float,
    teacher_cost_per_1k: float,
    student_cost_per_1k: float,
    target_payback_months: float,
    monthly_growth: float = 0.0,
    *,
    gpu_hourly_cost: float | None = None,
    calls_per_second_per_gpu: float | None = None,
    target_utilization: float = 0.7,
    peak_factor: float = 1.5,
) -> float:
    """The monthly volume below which payback misses the target.

    One definition everywhere (pitch, sensitivity, workbook, Excel functions, screening): the
    volume in the first month, growing at the case's own ``monthly_growth``; for a
    self-hosted student on whole GPUs, the volume from which payback meets the target at
    every higher volume (just below it, payback misses the target).

    Parameters
    ----------
    upfront_cost : float
        The whole upfront bill.
    teacher_cost_per_1k : float
        The teacher's cost per 1,000 calls.
    student_cost_per_1k : float
        The student's cost per 1,000 calls; for a self-hosted student, only what it costs per
        call on top of its GPUs (escalations to the teacher; 0 without).
    target_payback_months : float
        The payback the business asks for (> 0), e.g. 3 or 12.
    monthly_growth : float, default 0.0
        Month-on-month volume growth (> −1).
    gpu_hourly_cost : float, optional
        A self-hosted student's GPU cost per hour (its GPUs are paid whatever the volume).
    calls_per_second_per_gpu, target_utilization, peak_factor : float
        The self-hosted student's throughput, target load and peak ÷ average traffic, as in
        :func:`xl_roi.costs.self_hosted_gpus`.

    Returns
    -------
    float
        Calls a month; ``math.inf`` when no volume pays back on target (the student is not
        cheaper per call, a GPU costs more than its calls save, or volume shrinks too fast);
        0 when there is nothing to pay back.

    Notes
    -----
    Priced per call: ``upfront × f / ((teacher − student) / 1000)`` with ``f = 1/T`` at flat
    volume and ``f = g / ((1+g)^T − 1)`` with growth ``g``. Self-hosted on ``n`` GPUs (each
    costing ``G = hourly × 730`` a month and carrying ``C`` calls a month), payback meets the
    target from ``(upfront × f + n·G) × 1000 / (teacher − student)``; the threshold is where
    that run of passing volumes begins (see the code for the step case).

    Examples
    --------
    >>> breakeven_volume(52_500, 12.0, 1.5, 12)
    416666.6666666667
    >>> breakeven_volume(52_500, 1.5, 1.5, 12)
    inf

    One 2.20-an-hour GPU (1,606 a month), teacher 11.50 per 1,000 calls, 38,000 upfront,
    12 months at flat volume: (38,000 / 12 + 1,606) × 1000 / 11.5 = 415,014.5 calls:

    >>> round(breakeven_volume(38_000, 11.5, 0.0, 12, gpu_hourly_cost=2.2,
    ...       calls_per_second_per_gpu=12, target_utilization=0.6), 1)
    415014.5
    """
    upfront = check_number("upfront_cost", upfront_cost)
    teacher = check_number("teacher_cost_per_1k", teacher_cost_per_1k)
    student = check_number("student_cost_per_1k", student_cost_per_1k)
    target = check_number("target_payback_months", target_payback_months, strictly_above=True)
    growth = check_number("monthly_growth", monthly_growth, minimum=-1.0, strictly_above=True)
    gpu_monthly, capacity = math.nan, math.nan
    if gpu_hourly_cost is not None:
        hourly = check_number("gpu_hourly_cost", gpu_hourly_cost)
        if calls_per_second_per_gpu is None:
            raise InputError("a self-hosted student also needs calls_per_second_per_gpu")
        rate = check_number(
            "calls_per_second_per_gpu", calls_per_second_per_gpu, strictly_above=True
        )
        busy = check_number(
            "target_utilization", target_utilization, strictly_above=True, maximum=1.0
        )
        peak = check_number("peak_factor", peak_factor, minimum=1.0)
        gpu_monthly = hourly * HOURS_PER_MONTH
        capacity = rate * busy * SECONDS_PER_MONTH / peak
    return float(breakeven_array(upfront, teacher, student, target, growth, gpu_monthly, capacity))


def payback_after_maintenance_array(
    upfront: Any, savings: Any, annual_maintenance: Any, growth: Any
) -> Any:
    """:func:`payback_after_maintenance_months` over numpy arrays, element for element the same.

    Examples
    --------
    >>> payback_after_maintenance_array(52_500.0, np.array([21_000.0, 3_000.0]), 40_000.0, 0.0)
    array([2.97169811,        inf])
    """
    arrays = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (upfront, savings, annual_maintenance, growth))
    )
    shape = arrays[0].shape
    upfront, savings, maintenance, growth = (np.array(v).reshape(-1) for v in arrays)
    before = payback_array(upfront, savings, growth)
    monthly = maintenance / 12.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        net = savings - monthly
        flat = np.where(net > 0.0, upfront / net, np.inf)
        solve = (growth != 0.0) & (monthly > 0.0) & (upfront > 0.0) & (savings > 0.0)
        result = np.where(growth == 0.0, flat, np.inf)
        if np.any(solve):
            index = np.nonzero(solve)
            result[index] = _solve_after_maintenance(
                upfront[index], savings[index], monthly[index], growth[index]
            )
        result = np.where(monthly == 0.0, before, result)
        result = np.where(upfront == 0.0, 0.0, result)
        # never sooner than payback before maintenance (a rounding guard; true in exact terms)
        result = np.where(result < before, before, result)
    return result.reshape(shape)


def _cumulative_gap(n: Any, upfront: Any, savings: Any, monthly: Any, growth: Any) -> Any:
    """Cumulative (growing) savings less maintenance after ``n`` months, less the upfront."""
    grown = savings * (np.expm1(n * np.log1p(growth)) / growth)
    return grown - monthly * n - upfront


def _solve_after_maintenance(upfront: Any, savings: Any, monthly: Any, growth: Any) -> Any:
    """The first month count at which savings less maintenance recover the upfront cost.

    The cumulative net ``f(n) = s·((1+g)^n − 1)/g − m·n − U`` is convex when volume grows
    (it falls, then rises for ever) and concave when it shrinks (it rises to one peak, then
    falls; past a peak below zero it never pays back). A bracket ``[low, high]`` with
    ``f(low) < 0 ≤ f(high)`` closes by Newton steps from the side where the tangent cannot
    overshoot (``high`` when convex, ``low`` when concave), or by halving when a Newton step
    would shrink it by less than half: quadratic near the root, never slower than bisection.
    Each element stops when it no longer moves, so it ends the same alone or among a million.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rate = np.log1p(growth)
        growing = growth > 0.0
        peak = np.where(growing, np.inf, np.log(monthly * growth / (savings * rate)) / rate)
        # growing volume: from payback (maintenance only delays it), double until f ≥ 0
        high = np.where(growing, np.maximum(1.0, payback_array(upfront, savings, growth)), peak)
        short = np.nonzero(growing)[0]
        for _ in range(2_100):  # each pass works on the elements still short
            if short.size == 0:
                break
            gap = _cumulative_gap(
                high[short], upfront[short], savings[short], monthly[short], growth[short]
            )
            short = short[gap < 0.0]
            high[short] *= 2.0
        reachable = np.where(
            growing,
            np.isfinite(high),
            (peak > 0.0) & (_cumulative_gap(peak, upfront, savings, monthly, growth) >= 0.0),
        )
        low = np.zeros_like(high)
        last_step = high - low
        index = np.nonzero(reachable)[0]
        for _ in range(400):  # each pass works on the elements still moving
            if index.size == 0:
                break
            lo, hi, previous = low[index], high[index], last_step[index]
            u, s, m, g, r = (
                upfront[index],
                savings[index],
                monthly[index],
                growth[index],
                rate[index],
            )
            x = np.where(g > 0.0, hi, lo)  # the side the tangent cannot overshoot
            newton = x - _cumulative_gap(x, u, s, m, g) / (s * np.exp(x * r) * r / g - m)
            step = np.abs(newton - x)
            # Newton while it stays in the bracket and its steps at least halve (or the
            # bracket is already within a hundredth of a month); else halve the bracket
            use = (
                np.isfinite(newton)
                & (newton > lo)
                & (newton < hi)
                & ((step <= previous / 2.0) | (hi - lo < 0.01))
            )
            candidate = np.where(use, newton, (lo + hi) / 2.0)
            # settled: Newton's fixed point, or a step that reaches the bracket's other end
            # (possible only by rounding: the root is then that end, to the last bit)
            up = g > 0.0
            settled = (newton == x) | np.where(up, newton <= lo, newton >= hi)
            moving = ~settled & (candidate != lo) & (candidate != hi)
            below = _cumulative_gap(candidate, u, s, m, g) < 0.0
            low[index] = np.where(moving & below, candidate, lo)
            high[index] = np.where(moving & ~below, candidate, hi)
            last_step[index] = np.where(use, step, (hi - lo) / 2.0)
            index = index[moving]
        # the end of the final bracket where the cumulative net is nearer zero (Newton settles
        # on one end; rounding may leave the other end the nearer one)
        at_low = _cumulative_gap(low, upfront, savings, monthly, growth)
        at_high = _cumulative_gap(high, upfront, savings, monthly, growth)
        found = np.where(np.abs(at_high) <= np.abs(at_low), high, low)
    return np.where(reachable, found, np.inf)


def payback_after_maintenance_months(
    upfront_cost: float,
    monthly_savings: float,
    annual_maintenance: float,
    monthly_growth: float = 0.0,
) -> float:
    """Months until the savings, less maintenance, have paid back the upfront cost.

    Payback (:func:`payback_months`) counts the savings alone, as the method defines it; this
    is when the cumulative cash after maintenance turns positive — the month a cash-flow
    schedule crosses zero.

    Parameters
    ----------
    upfront_cost : float
        The whole upfront bill (≥ 0).
    monthly_savings : float
        Savings in the first month.
    annual_maintenance : float
        Maintenance a year (≥ 0), spread evenly: a twelfth each month.
    monthly_growth : float, default 0.0
        Month-on-month growth of the volume and so of the savings (> −1).

    Returns
    -------
    float
        Months, fractional; ``math.inf`` when it never pays back; 0 when there is nothing to
        pay back. Never less than :func:`payback_months`; equal to it without maintenance.

    Notes
    -----
    Without growth, ``upfront / (monthly_savings − annual_maintenance / 12)``. With growth
    ``g``, the smallest ``n`` with ``s·((1+g)^n − 1)/g − n·M/12 = U``, found by safeguarded
    Newton steps in a shrinking bracket (the cumulative net is convex in ``n`` when volume
    grows; when it shrinks it peaks once, and if the peak is below zero it never pays back).

    Examples
    --------
    >>> payback_after_maintenance_months(52_500, 21_000, 40_000)   # 52,500 / (21,000 − 3,333.33)
    2.971698113207547
    >>> payback_after_maintenance_months(52_500, 21_000, 0) == payback_months(52_500, 21_000)
    True
    >>> payback_after_maintenance_months(52_500, 3_000, 40_000)    # maintenance eats it all
    inf
    """
    upfront = check_number("upfront_cost", upfront_cost)
    savings = check_number("monthly_savings", monthly_savings, minimum=None)
    maintenance = check_number("annual_maintenance", annual_maintenance)
    growth = check_number("monthly_growth", monthly_growth, minimum=-1.0, strictly_above=True)
    before = payback_months(upfront, savings, growth)
    if upfront == 0.0 or maintenance == 0.0:
        return before
    if growth == 0.0:  # the array form's own operations, without its overhead
        net = savings - maintenance / 12.0
        return max(upfront / net, before) if net > 0.0 else math.inf
    return float(payback_after_maintenance_array(upfront, savings, maintenance, growth))


def never_pays_back_reason(monthly_savings: float) -> str:
    """Why a case never pays back, in words, given its first month's savings.

    Examples
    --------
    >>> never_pays_back_reason(-10.0)
    'monthly savings are not positive (the student costs as much or more)'
    >>> never_pays_back_reason(10_000.0)
    'volume shrinks faster than the savings can recover the upfront cost'
    """
    if monthly_savings <= 0:
        return "monthly savings are not positive (the student costs as much or more)"
    return "volume shrinks faster than the savings can recover the upfront cost"
