"""What the case is worth today: the monthly cash flows, NPV, IRR and discounted payback.

The headline (payback, annual net benefit) counts months and money as they come. A finance
reviewer also asks what the case is worth today at the company's discount rate. These functions
answer from one schedule of monthly cash flows:

- month 0: ``−upfront_cost``;
- month m (1 … horizon): ``monthly_savings × (1 + monthly_growth)^(m−1) − annual_maintenance / 12``,

the same month-by-month savings as payback with growth. An annual discount rate ``R`` is applied
monthly at ``(1 + R)^(1/12) − 1``, so twelve monthly steps compound to exactly one year at ``R``.

Signs follow the spreadsheet convention: money spent is negative, money saved positive.
"""

from __future__ import annotations

import math

import numpy as np
import numpy_financial as npf

from xl_roi.errors import InputError, check_number, check_result, describe_value

__all__ = [
    "DEFAULT_HORIZON_MONTHS",
    "MAX_HORIZON_MONTHS",
    "PAYBACK_SEARCH_MONTHS",
    "check_discount_rate",
    "check_horizon",
    "discounted_payback_months",
    "irr_annual",
    "monthly_cash_flows",
    "monthly_discount_rate",
    "npv",
]

DEFAULT_HORIZON_MONTHS = 36
"""Months of savings an NPV counts unless told otherwise: three years."""

MAX_HORIZON_MONTHS = 600
"""The longest horizon accepted: fifty years. Longer is a typing slip, not a plan."""

PAYBACK_SEARCH_MONTHS = 1200
"""How far discounted payback looks before it answers "never": a hundred years."""

_MAX_DISCOUNT_RATE = 1.0  # 100 % a year; above it is almost surely a percentage typed as a number


def monthly_discount_rate(discount_rate: float) -> float:
    """The monthly rate that compounds to ``discount_rate`` over twelve months.

    Parameters
    ----------
    discount_rate : float
        Annual rate (0.10 is 10 % a year); > −1 and ≤ 1.

    Returns
    -------
    float
        ``(1 + discount_rate)^(1/12) − 1``.

    Examples
    --------
    >>> round(monthly_discount_rate(0.10), 6)
    0.007974
    >>> monthly_discount_rate(0.0)
    0.0
    """
    rate = check_discount_rate(discount_rate)
    return float(np.expm1(np.log1p(rate) / 12.0))


def monthly_cash_flows(
    upfront_cost: float,
    monthly_savings: float,
    annual_maintenance: float,
    monthly_growth: float = 0.0,
    horizon_months: int = DEFAULT_HORIZON_MONTHS,
) -> np.ndarray:
    """The case's cash, month by month: month 0 pays the upfront, each month after saves.

    Parameters
    ----------
    upfront_cost : float
        The whole upfront bill (≥ 0), paid in month 0.
    monthly_savings : float
        Savings in month 1 (may be negative).
    annual_maintenance : float
        Maintenance a year (≥ 0), charged a twelfth each month.
    monthly_growth : float, default 0.0
        Month-on-month change of volume, and so of savings (> −1).
    horizon_months : int, default 36
        How many months after month 0 (1 … 600).

    Returns
    -------
    numpy.ndarray
        ``horizon_months + 1`` values; element ``m`` is month ``m``.

    Examples
    --------
    >>> monthly_cash_flows(1000, 300, 1200, horizon_months=3).tolist()
    [-1000.0, 200.0, 200.0, 200.0]
    >>> monthly_cash_flows(0, 100, 0, monthly_growth=0.5, horizon_months=3).tolist()
    [0.0, 100.0, 150.0, 225.0]
    """
    upfront, savings, maintenance, growth = _checked_flows(
        upfront_cost, monthly_savings, annual_maintenance, monthly_growth
    )
    months = check_horizon(horizon_months)
    return _cash_flows(upfront, savings, maintenance, growth, months)


def npv(
    upfront_cost: float,
    monthly_savings: float,
    annual_maintenance: float,
    discount_rate: float,
    horizon_months: int = DEFAULT_HORIZON_MONTHS,
    monthly_growth: float = 0.0,
) -> float:
    """Net present value of the case over the horizon, at an annual discount rate.

    Parameters
    ----------
    upfront_cost, monthly_savings, annual_maintenance, monthly_growth
        As in :func:`monthly_cash_flows`.
    discount_rate : float
        Annual rate (0.10 is 10 % a year); > −1 and ≤ 1. At 0, the NPV is the plain cumulative
        net cash at the end of the horizon.
    horizon_months : int, default 36
        Months of savings counted (1 … 600).

    Returns
    -------
    float
        ``Σ cash_m / (1 + r)^m`` for m = 0 … horizon, r the monthly rate.

    Notes
    -----
    Computed with ``numpy_financial.npv`` (Excel's ``NPV`` counts its first value as one period
    out; ``numpy_financial.npv`` counts it as today, which is what month 0 is).

    Examples
    --------
    Upfront 52,500; savings 21,000 a month; maintenance 40,000 a year; one year at 0 %:
    −52,500 + 12 × (21,000 − 40,000 / 12) = 159,500.

    >>> round(npv(52_500, 21_000, 40_000, 0.0, horizon_months=12), 6)
    159500.0

    Three years at 10 % a year:

    >>> round(npv(52_500, 21_000, 40_000, 0.10), 2)
    498460.77
    """
    flows = monthly_cash_flows(
        upfront_cost, monthly_savings, annual_maintenance, monthly_growth, horizon_months
    )
    rate = monthly_discount_rate(discount_rate)
    with np.errstate(over="ignore", invalid="ignore"):
        value = float(npf.npv(rate, flows))
    return check_result("npv", value)


def irr_annual(
    upfront_cost: float,
    monthly_savings: float,
    annual_maintenance: float,
    horizon_months: int = DEFAULT_HORIZON_MONTHS,
    monthly_growth: float = 0.0,
) -> float:
    """Internal rate of return of the case over the horizon, as an annual rate.

    Parameters
    ----------
    upfront_cost, monthly_savings, annual_maintenance, monthly_growth, horizon_months
        As in :func:`monthly_cash_flows`.

    Returns
    -------
    float
        ``(1 + monthly IRR)^12 − 1``; ``nan`` when no rate exists: the cash never changes sign
        (nothing upfront, or the case never earns), or the rate is beyond the float range.

    Notes
    -----
    The monthly rate is ``numpy_financial.irr`` of the schedule (the real root nearest zero when
    shrinking volume makes the cash change sign more than once).

    Examples
    --------
    Pay 1,000 today, get 1,100 back in month 1: 10 % a month, 213.8 % a year.

    >>> round(irr_annual(1000, 1100, 0, horizon_months=1), 4)
    2.1384
    >>> irr_annual(0, 100, 0)
    nan
    """
    flows = monthly_cash_flows(
        upfront_cost, monthly_savings, annual_maintenance, monthly_growth, horizon_months
    )
    if not (np.any(flows < 0) and np.any(flows > 0)):
        return math.nan
    with np.errstate(all="ignore"):
        monthly = float(npf.irr(flows))
    if math.isnan(monthly) or monthly <= -1.0:
        return math.nan
    with np.errstate(over="ignore"):
        annual = float(np.expm1(12.0 * np.log1p(monthly)))
    return annual if math.isfinite(annual) else math.nan


def discounted_payback_months(
    upfront_cost: float,
    monthly_savings: float,
    annual_maintenance: float,
    discount_rate: float,
    monthly_growth: float = 0.0,
) -> float:
    """Months until the discounted cumulative cash, maintenance included, reaches zero.

    Parameters
    ----------
    upfront_cost, monthly_savings, annual_maintenance, monthly_growth
        As in :func:`monthly_cash_flows`.
    discount_rate : float
        Annual rate (0.10 is 10 % a year); > −1 and ≤ 1.

    Returns
    -------
    float
        Months, interpolated linearly within the month where the cumulative crosses zero; 0 when
        there is nothing to pay back; ``math.inf`` when it does not pay back within a hundred
        years (:data:`PAYBACK_SEARCH_MONTHS`).

    Notes
    -----
    At a 0 % rate and flat volume this is ``upfront / (savings − maintenance / 12)``: payback
    after maintenance. A positive rate can only lengthen it.

    Examples
    --------
    At 0 %: 52,500 / (21,000 − 40,000 / 12) = 2.9717 months; at 10 % a year a little longer.

    >>> round(discounted_payback_months(52_500, 21_000, 40_000, 0.0), 4)
    2.9717
    >>> round(discounted_payback_months(52_500, 21_000, 40_000, 0.10), 4)
    3.0195
    >>> discounted_payback_months(52_500, 3_000, 40_000, 0.10)
    inf
    """
    upfront, savings, maintenance, growth = _checked_flows(
        upfront_cost, monthly_savings, annual_maintenance, monthly_growth
    )
    rate = monthly_discount_rate(discount_rate)
    if upfront == 0.0:
        return 0.0
    flows = _cash_flows(upfront, savings, maintenance, growth, PAYBACK_SEARCH_MONTHS)
    with np.errstate(over="ignore", invalid="ignore"):
        discounted = flows / np.exp(np.arange(flows.size) * np.log1p(rate))
        cumulative = np.cumsum(discounted)
    crossed = np.flatnonzero(cumulative >= 0.0)
    if crossed.size == 0:
        return math.inf
    month = int(crossed[0])  # ≥ 1, since month 0 holds −upfront < 0
    before, after = float(cumulative[month - 1]), float(cumulative[month])
    if not math.isfinite(after):
        return float(month)
    return (month - 1) + (-before) / (after - before)


def _checked_flows(
    upfront_cost: object, monthly_savings: object, annual_maintenance: object, growth: object
) -> tuple[float, float, float, float]:
    """The schedule's four figures checked, each refusal naming its field."""
    return (
        check_number("upfront_cost", upfront_cost),
        check_number("monthly_savings", monthly_savings, minimum=None),
        check_number("annual_maintenance", annual_maintenance),
        check_number("monthly_growth", growth, minimum=-1.0, strictly_above=True),
    )


def _cash_flows(
    upfront: float, savings: float, maintenance: float, growth: float, months: int
) -> np.ndarray:
    """The schedule from checked inputs (see :func:`monthly_cash_flows`)."""
    month = np.arange(months, dtype=float)  # month index − 1 for months 1 … horizon
    with np.errstate(over="ignore"):
        savings_by_month = (
            savings * np.exp(month * np.log1p(growth)) if growth else np.full(months, savings)
        )
    flows = np.empty(months + 1)
    flows[0] = 0.0 - upfront  # not -upfront: no −0.0 when nothing is spent
    flows[1:] = savings_by_month - maintenance / 12.0
    return flows


def check_discount_rate(value: object) -> float:
    """Return an annual discount rate in (−1, 1], or raise :class:`InputError` with the fix.

    Examples
    --------
    >>> check_discount_rate(0.08)
    0.08
    """
    rate = check_number("discount_rate", value, minimum=-1.0, strictly_above=True)
    if rate > _MAX_DISCOUNT_RATE:
        raise InputError(
            f"discount_rate must be a number > -1 and ≤ 1, got {describe_value(value)}: "
            f"{describe_value(value)} means {rate:.0%} a year; write {rate / 100:g} "
            f"for {rate:g} %"
        )
    return rate


def check_horizon(value: object) -> int:
    """Return a horizon as a whole number of months from 1 to 600, or raise :class:`InputError`.

    Examples
    --------
    >>> check_horizon(36.0)
    36
    """
    months = check_number("horizon_months", value, minimum=1.0, maximum=MAX_HORIZON_MONTHS)
    if not months.is_integer():
        raise InputError(
            f"horizon_months must be a whole number of months from 1 to {MAX_HORIZON_MONTHS}, "
            f"got {describe_value(value)}"
        )
    return int(months)
