"""NPV and discounted payback of one case in plain arithmetic, for :func:`~xl_roi.evaluate`.

:mod:`xl_roi.finance` works the same figures with numpy and ``numpy-financial``; a single case
works them here, month by month, so that a command such as ``xl-roi pitch`` loads no numpy
(see ``tests/test_startup.py``). The tests hold both to the same schedule:

- month 0: ``−upfront_cost``;
- month m (1 … horizon): ``monthly_savings × (1 + monthly_growth)^(m−1) − annual_maintenance / 12``

discounted at the monthly rate ``(1 + discount_rate)^(1/12) − 1``. The growth and discount
factors are built month by month by multiplication (not powers), and :mod:`xl_roi.batch` runs the
same steps over arrays, so ``screen`` gives these figures to rounding. At a 0 % rate and
flat volume each month's cash is added as it comes, in the order
:meth:`~xl_roi.Result.schedule` adds it, so the NPV is exactly the schedule's cumulative net
after maintenance at the horizon (with growth, to rounding).
"""

from __future__ import annotations

import math

from xl_roi import _kernel, roi
from xl_roi.bounds import BOUNDS
from xl_roi.errors import check_number, check_result

__all__ = [
    "PAYBACK_SEARCH_MONTHS",
    "discounted_payback",
    "monthly_rate",
    "present_value",
    "schedule",
]

PAYBACK_SEARCH_MONTHS = 1200
"""How far discounted payback looks before it answers "never": a hundred years (as
:data:`xl_roi.finance.PAYBACK_SEARCH_MONTHS`)."""


def schedule(
    upfront_cost: float,
    monthly_savings: float,
    annual_maintenance: float,
    monthly_growth: float,
    months: int,
) -> list[dict[str, float]]:
    """Month-by-month cash flow: savings, maintenance, cumulative net before and after it.

    Month 0 is the upfront spend; month m saves ``monthly_savings × (1 + monthly_growth)^(m−1)``
    and pays a twelfth of the maintenance. What :meth:`xl_roi.Result.schedule` returns and
    the workbook's cash-flow table stores (inputs already checked by the caller).

    Examples
    --------
    Upfront 100, savings 60 a month, maintenance 120 a year (10 a month), flat:

    >>> [row["cumulative_net_after_maintenance"] for row in schedule(100, 60, 120, 0.0, 2)]
    [-100.0, -50.0, 0.0]
    """
    maintenance = annual_maintenance / 12.0
    rows = [
        {
            "month": 0.0,
            "savings": 0.0,
            "maintenance": 0.0,
            "cumulative_net": -float(upfront_cost),
            "cumulative_net_after_maintenance": -float(upfront_cost),
        }
    ]
    for month in range(1, months + 1):
        savings = monthly_savings * (1.0 + monthly_growth) ** (month - 1)
        previous = rows[-1]
        rows.append(
            {
                "month": float(month),
                "savings": savings,
                "maintenance": maintenance,
                "cumulative_net": previous["cumulative_net"] + savings,
                "cumulative_net_after_maintenance": (
                    previous["cumulative_net_after_maintenance"] + savings - maintenance
                ),
            }
        )
    return rows


def monthly_rate(discount_rate: float) -> float:
    """The monthly rate that compounds to an annual ``discount_rate`` (checked by the caller).

    Examples
    --------
    >>> round(monthly_rate(0.10), 6), monthly_rate(0.0)
    (0.007974, 0.0)
    """
    ops = _kernel.SCALAR  # the arithmetic log and exp: the array engine gets the same rate
    return float(ops.expm1(ops.log1p(discount_rate) / 12.0))


def present_value(
    upfront_cost: float,
    monthly_savings: float,
    annual_maintenance: float,
    discount_rate: float,
    horizon_months: float,
    monthly_growth: float = 0.0,
) -> float:
    """NPV over ``horizon_months`` at an annual ``discount_rate``: what ``NPV_BENEFIT`` shows.

    Parameters
    ----------
    upfront_cost : float
        Paid in month 0 (≥ 0).
    monthly_savings : float
        Savings in month 1 (may be negative).
    annual_maintenance : float
        A year's maintenance (≥ 0), a twelfth each month.
    discount_rate : float
        Annual rate, > −1 and ≤ 1 (0.10 = 10 % a year).
    horizon_months : int
        Months counted, a whole number from 1 to 600.
    monthly_growth : float, default 0.0
        Month-on-month change of the savings (> −1, ≤ 1).

    Returns
    -------
    float
        ``Σ cash_m / (1 + r)^m``, m = 0 … horizon, r the monthly rate.

    Examples
    --------
    Upfront 52,500; savings 21,000 a month; maintenance 40,000 a year (3,333.33 a month); a
    year at 0 %: −52,500 + 12 × 17,666.67 = 159,500.

    >>> round(present_value(52_500, 21_000, 40_000, 0.0, 12), 6)
    159500.0
    """
    upfront_cost, monthly_savings, annual_maintenance, discount_rate, monthly_growth = _checked(
        upfront_cost, monthly_savings, annual_maintenance, discount_rate, monthly_growth
    )
    months = int(BOUNDS["horizon_months"].check("horizon_months", horizon_months))
    factor = 1.0 + monthly_rate(discount_rate)
    growth = 1.0 + monthly_growth
    maintenance = annual_maintenance / 12.0
    total = 0.0 - upfront_cost
    discount = grown = 1.0
    for _ in range(months):
        total, discount = _kernel.npv_month(
            total, discount, grown, monthly_savings, maintenance, factor
        )
        grown = grown * growth
    return check_result("npv", total)


def discounted_payback(
    upfront_cost: float,
    monthly_savings: float,
    annual_maintenance: float,
    discount_rate: float,
    monthly_growth: float = 0.0,
) -> float:
    """Months until the discounted cumulative cash after maintenance reaches zero: what
    ``DISCOUNTED_PAYBACK`` shows. Arguments as :func:`present_value`'s.

    One definition at every rate, 0 % included, so that it is continuous in the rate: the
    discounted cash is added month by month and interpolated linearly within the month it
    crosses; 0 with nothing to pay back; ``math.inf`` when it never does within
    :data:`PAYBACK_SEARCH_MONTHS`, or when the monthly cash has turned negative and can only
    fall further (savings not growing). At 0 % and flat volume the cumulative cash is a
    straight line, and this is payback after maintenance
    (:func:`xl_roi.roi.payback_after_maintenance_months`); with growth at 0 % the two differ by
    the interpolation within the crossing month (payback after maintenance follows the
    growing savings through the month, this draws a straight line across it).

    Examples
    --------
    >>> round(discounted_payback(52_500, 21_000, 40_000, 0.0), 4)   # 52,500 / 17,666.67
    2.9717
    >>> discounted_payback(52_500, 3_000, 40_000, 0.10)
    inf
    """
    upfront_cost, monthly_savings, annual_maintenance, discount_rate, monthly_growth = _checked(
        upfront_cost, monthly_savings, annual_maintenance, discount_rate, monthly_growth
    )
    if upfront_cost == 0.0:
        return 0.0
    if discount_rate == 0.0:  # the same months, summed in closed form (as screen does)
        after = roi.payback_after_maintenance_months(
            upfront_cost, monthly_savings, annual_maintenance, monthly_growth
        )
        closed = float(
            _kernel.crossing_at_no_discount(
                upfront_cost,
                monthly_savings,
                annual_maintenance / 12.0,
                monthly_growth,
                after,
                float(PAYBACK_SEARCH_MONTHS),
            )
        )
        if not math.isnan(closed):
            return closed
    factor = 1.0 + monthly_rate(discount_rate)
    growth = 1.0 + monthly_growth
    maintenance = annual_maintenance / 12.0
    total = 0.0 - upfront_cost
    discount = grown = 1.0
    for month in range(1, PAYBACK_SEARCH_MONTHS + 1):
        savings = monthly_savings * grown
        grown = grown * growth
        before = total
        total, flow, discount = _kernel.discounted_month(
            total, discount, savings, maintenance, factor
        )
        if total >= 0.0:
            if not math.isfinite(total):
                return float(month)
            crossed: float = (month - 1) + (-before) / (total - before)
            return crossed
        if flow <= 0.0 and (monthly_growth <= 0.0 or savings <= 0.0):
            return math.inf  # the monthly cash only falls from here
        if not math.isfinite(total):
            return math.inf
    return math.inf


def _checked(
    upfront_cost: float,
    monthly_savings: float,
    annual_maintenance: float,
    discount_rate: float,
    monthly_growth: float,
) -> tuple[float, float, float, float, float]:
    """The inputs as floats, or :class:`~xl_roi.errors.InputError` naming the first bad one."""
    return (
        check_number("upfront_cost", upfront_cost),
        check_number("monthly_savings", monthly_savings, minimum=None),
        check_number("annual_maintenance", annual_maintenance),
        BOUNDS["discount_rate"].check("discount_rate", discount_rate),
        BOUNDS["monthly_growth"].check("monthly_growth", monthly_growth),
    )
