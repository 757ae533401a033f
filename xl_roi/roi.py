"""What distillation earns: monthly savings, payback, annual net benefit, break-even volume.

Money is in one currency, time in months, per-call costs per 1,000 calls.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from xl_roi import _kernel
from xl_roi.bounds import BOUNDS, check_input
from xl_roi.case import DEFAULT_INPUTS
from xl_roi.costs import HOURS_PER_MONTH, gpu_calls_per_month
from xl_roi.errors import InputError, check_number, check_result, describe_value

__all__ = [
    "BREAKEVEN_DEFINITION",
    "NEVER_AFTER_MAINTENANCE",
    "NO_VOLUME_PAYS_BACK",
    "NO_VOLUME_PAYS_BACK_HOSTED",
    "annual_net_benefit",
    "breakeven_volume",
    "first_year_net",
    "monthly_savings",
    "never_pays_back_reason",
    "payback_after_maintenance_months",
    "payback_months",
    "savings_share",
]

_GROWTH = BOUNDS["monthly_growth"]
"""Monthly growth's plausible range: (−100 %, +100 %] a month."""

BREAKEVEN_DEFINITION = (
    "the monthly volume, growing at the case's own monthly growth, below which payback misses "
    "the target (for a self-hosted student on whole GPUs: the lowest volume from which payback "
    "meets the target at every volume; just below it, payback misses the target)"
)
"""What the break-even volume means, in words, wherever it is shown."""

NO_VOLUME_PAYS_BACK = _kernel.NO_VOLUME_PER_CALL
"""Why no volume reaches a payback target (when :func:`breakeven_volume` is infinite)."""

NO_VOLUME_PAYS_BACK_HOSTED = _kernel.NO_VOLUME_HOSTED
"""Why no volume reaches a payback target for a self-hosted student."""

NEVER_AFTER_MAINTENANCE = "the savings less maintenance never recover the upfront cost"
"""Why payback after maintenance never comes when payback itself does."""


def monthly_savings(
    teacher_cost_per_1k: float, student_cost_per_1k: float, monthly_calls: float, **inputs: float
) -> float:
    """Inference spend saved a month by answering calls with the student instead of the teacher.

    Parameters
    ----------
    teacher_cost_per_1k, student_cost_per_1k : float
        Cost per 1,000 calls of each model.
    monthly_calls : float
        Calls a month.
    **inputs : float
        Any other input of the case the savings read, by its :class:`~xl_roi.case.Case` name
        (checked against its bounds); one not given reads as the case's default. Naming an input
        the savings do not read is refused.

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
    >>> monthly_savings(12.0, 1.5, 2_000_000, monthly_growth=0.1)
    Traceback (most recent call last):
    ...
    xl_roi.errors.InputError: monthly_savings: the savings do not read monthly_growth
    """
    return savings_of(
        _kernel.Named(
            other_inputs("monthly_savings", inputs),
            teacher_cost_per_1k=teacher_cost_per_1k,
            student_cost_per_1k=student_cost_per_1k,
            monthly_calls=monthly_calls,
        )
    )


def other_inputs(function: str, inputs: dict[str, float]) -> _kernel.Named:
    """The case's defaults with ``inputs`` (checked against their bounds) in their place: the
    other inputs a ``function`` taking the costs per 1,000 calls passes on to the savings;
    refused when the savings (:func:`xl_roi._kernel.savings_per_1k`) do not read one of them.

    Examples
    --------
    >>> other_inputs("monthly_savings", {}).monthly_growth
    0.0
    """
    unread = sorted(set(inputs) - set(savings_inputs()))
    if unread:
        raise InputError(f"{function}: the savings do not read {', '.join(unread)}")
    return _kernel.Named(
        DEFAULT_INPUTS, **{name: check_input(name, value) for name, value in inputs.items()}
    )


@functools.cache
def savings_inputs() -> tuple[str, ...]:
    """The inputs the savings read besides the two costs and the volume, by their case names:
    what :func:`monthly_savings`, :func:`breakeven_volume` and the sensitivity's table take by
    name, and what the workbook and one case pass them.

    Examples
    --------
    >>> "monthly_calls" in savings_inputs(), "student_cost_per_1k" in savings_inputs()
    (False, False)
    """
    given = {"teacher_cost_per_1k", "student_cost_per_1k", "monthly_calls"}
    return tuple(sorted(_kernel.names_read(_kernel.monthly_savings) - given))


def savings_of(q: Any) -> float:
    """:func:`monthly_savings` of quantities read by name (a case with its worked-out costs).

    Examples
    --------
    >>> from xl_roi import _kernel
    >>> savings_of(_kernel.Named(DEFAULT_INPUTS, teacher_cost_per_1k=12.0,
    ...     student_cost_per_1k=1.5, monthly_calls=2_000_000))
    21000.0
    """
    checked = _kernel.Named(
        q,
        **{
            name: check_number(name, getattr(q, name))
            for name in ("teacher_cost_per_1k", "student_cost_per_1k", "monthly_calls")
        },
    )
    return check_result("monthly_savings", _kernel.monthly_savings(checked))


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
    growth = check_number(
        "monthly_growth",
        monthly_growth,
        minimum=_GROWTH.minimum,
        strictly_above=_GROWTH.strictly_above,
        maximum=_GROWTH.maximum,
    )
    return float(_kernel.payback(upfront, savings, growth))


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
    return check_result("annual_net_benefit", _kernel.annual_net_benefit(savings, maintenance))


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
    return check_result(
        "first_year_net", _kernel.first_year_net(upfront, savings, maintenance, growth)
    )


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
    >>> savings_share(1e-320, 7e6)
    Traceback (most recent call last):
    ...
    xl_roi.errors.InputError: savings_share is out of range: the teacher's cost (1e-320) is too \
small beside the student's (7000000) to divide by
    """
    teacher = check_number("teacher_cost_per_1k", teacher_cost_per_1k, strictly_above=True)
    student = check_number("student_cost_per_1k", student_cost_per_1k)
    share = float(_kernel.savings_share(teacher, student))
    if not math.isfinite(share):
        raise InputError(
            f"savings_share is out of range: the teacher's cost ({describe_value(teacher)}) is "
            f"too small beside the student's ({describe_value(student)}) to divide by"
        )
    return share


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
    **inputs: float,
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
    **inputs : float
        Any other input of the case the savings read, as for :func:`monthly_savings`.

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
        capacity = gpu_calls_per_month(rate, busy, peak)
    others = other_inputs("breakeven_volume", inputs)
    costs = _kernel.Named(others, teacher_cost_per_1k=teacher, student_cost_per_1k=student)
    return float(_kernel.breakeven(upfront, costs, target, growth, gpu_monthly, capacity))


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
    return max(_solve_after_maintenance(upfront, savings, maintenance / 12.0, growth), before)


def _cumulative_gap(
    n: float, upfront: float, savings: float, monthly: float, growth: float, rate: float
) -> float:
    """Cumulative (growing) savings less maintenance after ``n`` months, less the upfront."""
    return float(_kernel.cumulative_gap(n, upfront, savings, monthly, growth, rate=rate))


def _solve_after_maintenance(
    upfront: float, savings: float, monthly: float, growth: float
) -> float:
    """The first month count at which savings less maintenance recover the upfront cost.

    The cumulative net ``f(n) = s·((1+g)^n − 1)/g − m·n − U`` is convex when volume grows (it
    falls, then rises for ever) and concave when it shrinks (it rises to one peak, then falls;
    past a peak below zero it never pays back). A bracket ``[low, high]`` with ``f(low) < 0 ≤
    f(high)`` closes by Newton steps from the side where the tangent cannot overshoot, or by
    halving when a Newton step would shrink it by less than half. The array engine's
    ``payback_after_maintenance_array`` runs the same steps, with the same operations, on
    arrays: the two agree to rounding.
    """
    if savings <= 0.0:
        return math.inf
    ops = _kernel.SCALAR  # the array engine's solver runs these very operations on arrays
    rate = ops.log1p(growth)
    growing = growth > 0.0
    if growing:
        high = max(1.0, payback_months(upfront, savings, growth))
        for _ in range(2_100):
            if _cumulative_gap(high, upfront, savings, monthly, growth, rate) >= 0.0:
                break
            high *= 2.0
        if not math.isfinite(high):
            return math.inf
    else:
        ratio = monthly * growth / (savings * rate)
        if ratio <= 0.0:
            return math.inf
        # the peak of the cumulative net (a shrink too slight for floats puts it past any
        # float: then as far as the search can look)
        high = min(ops.log(ratio) / rate, _kernel.FARTHEST_MONTH)
        if not (high > 0.0) or _cumulative_gap(high, upfront, savings, monthly, growth, rate) < 0.0:
            return math.inf
    low, previous = 0.0, high
    for _ in range(400):
        x = high if growing else low  # the side the tangent cannot overshoot
        try:
            newton = _kernel.newton_step(x, upfront, savings, monthly, growth, ops, rate)
        except (OverflowError, ZeroDivisionError):
            newton = math.nan
        step = abs(newton - x)
        use = (
            math.isfinite(newton)
            and low < newton < high
            and (step <= previous / 2.0 or high - low < 0.01)
        )
        candidate = newton if use else (low + high) / 2.0
        settled = newton == x or (newton <= low if growing else newton >= high)
        if settled or candidate in (low, high):
            break
        previous = step if use else (high - low) / 2.0
        if _cumulative_gap(candidate, upfront, savings, monthly, growth, rate) < 0.0:
            low = candidate
        else:
            high = candidate
    at_low = _cumulative_gap(low, upfront, savings, monthly, growth, rate)
    at_high = _cumulative_gap(high, upfront, savings, monthly, growth, rate)
    return high if abs(at_high) <= abs(at_low) else low


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
        return _kernel.NEVER_SAVINGS
    return _kernel.NEVER_SHRINKING
