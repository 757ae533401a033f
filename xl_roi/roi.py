"""What distillation earns: monthly savings, payback, annual net benefit, break-even volume.

Money is in one currency, time in months, per-call costs per 1,000 calls.
"""

from __future__ import annotations

import math

from xl_roi.bounds import BOUNDS
from xl_roi.errors import InputError, check_number, check_result, describe_value

__all__ = [
    "NO_VOLUME_PAYS_BACK",
    "annual_net_benefit",
    "breakeven_volume",
    "monthly_savings",
    "never_pays_back_reason",
    "payback_months",
    "savings_share",
]

_GROWTH = BOUNDS["monthly_growth"]
"""Monthly growth's plausible range: (−100 %, +100 %] a month."""

NO_VOLUME_PAYS_BACK = "the student costs as much or more per call"
"""Why no volume reaches a payback target (when :func:`breakeven_volume` is infinite)."""


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
    growth = check_number(
        "monthly_growth",
        monthly_growth,
        minimum=_GROWTH.minimum,
        strictly_above=_GROWTH.strictly_above,
        maximum=_GROWTH.maximum,
    )
    if upfront == 0.0:
        return 0.0
    if savings <= 0.0:
        return math.inf
    flat = upfront / savings
    if growth == 0.0 or math.isinf(flat):  # beyond the float range of months: never
        return flat
    ratio = flat * growth
    if ratio <= -1.0:  # shrinking savings whose total never reaches the upfront cost
        return math.inf
    # ln(1 + r) / ln(1 + g) written as (U/s) · q(r) / q(g), q(x) = ln(1 + x) / x, so that a tiny
    # growth whose r underflows to 0 still gives about U/s, not 0. q is worked out by plain
    # arithmetic (see _log1p_over), which the array engine (xl_roi.batch) repeats operation for
    # operation, so one case alone and the same case among a million agree to the last bit.
    return flat * (_log1p_over(ratio) / _log1p_over(growth))


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


def log_by_arithmetic(u: float) -> float:
    """ln(u) for a finite u > 0, by the same arithmetic as :mod:`xl_roi.batch` (see above).

    Examples
    --------
    >>> log_by_arithmetic(1.0), round(log_by_arithmetic(2.0), 15)
    (0.0, 0.693147180559945)
    """
    lg1, lg2, lg3, lg4, lg5, lg6, lg7 = LOG_COEFFICIENTS
    m, e = math.frexp(u)
    if m < SQRT_HALF:
        m *= 2.0
        e -= 1
    k = float(e)
    f = m - 1.0
    hfsq = 0.5 * f * f
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    t1 = w * (lg2 + w * (lg4 + w * lg6))
    t2 = z * (lg1 + w * (lg3 + w * (lg5 + w * lg7)))
    r = t2 + t1
    return k * LN2_HI - ((hfsq - (s * (hfsq + r) + k * LN2_LO)) - f)


def _log1p_over(x: float) -> float:
    """ln(1 + x) / x, and its limit 1 at x = 0 (Goldberg's log(u) / (u − 1), u = 1 + x)."""
    u = 1.0 + x
    if u == 1.0:
        return 1.0
    if math.isinf(u):
        return math.nan
    return log_by_arithmetic(u) / (u - 1.0)


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
    share = (teacher - student) / teacher
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
) -> float:
    """Monthly calls at which payback equals a target: below it, the case misses the target.

    Parameters
    ----------
    upfront_cost : float
        The whole upfront bill.
    teacher_cost_per_1k, student_cost_per_1k : float
        Cost per 1,000 calls of each model.
    target_payback_months : float
        The payback the business asks for (> 0), e.g. 3 or 12.

    Returns
    -------
    float
        ``upfront / (target × (teacher − student) / 1000)``; ``math.inf`` when the student is not
        cheaper (no volume pays back).

    Examples
    --------
    >>> breakeven_volume(52_500, 12.0, 1.5, 12)
    416666.6666666667
    >>> breakeven_volume(52_500, 1.5, 1.5, 12)
    inf
    """
    upfront = check_number("upfront_cost", upfront_cost)
    teacher = check_number("teacher_cost_per_1k", teacher_cost_per_1k)
    student = check_number("student_cost_per_1k", student_cost_per_1k)
    target = check_number("target_payback_months", target_payback_months, strictly_above=True)
    saving_per_call = (teacher - student) / 1000.0
    if saving_per_call <= 0.0:
        return math.inf
    return upfront / (target * saving_per_call)


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
