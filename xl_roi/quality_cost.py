"""What worse answers cost: the expected monthly cost of the student's quality drop.

A cheaper model that answers worse on some of the traffic costs money somewhere else: a refund,
a ticket escalated to a person, a customer lost. Where the evaluation's slices say what share of
calls each covers, the cost of the drop is

    Σ over slices of traffic_share × max(0, teacher_score − student_score) × monthly_calls
    × cost_per_error

with the scores read as accuracy (the share of answers that are right), so that the drop is the
extra share of calls answered wrongly. A slice may carry its own cost per error (a wrong answer
on billing costs more than one on small talk). A slice whose traffic share is unknown is never
guessed: its cost, and so the total, is not computed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from xl_roi.errors import InputError, check_number, describe_value

__all__ = ["SliceQualityCost", "SliceTraffic", "check_traffic_shares", "quality_cost"]

_SHARE_SUM_TOLERANCE = 1e-9  # shares typed to many decimals may add up to 1 + rounding


@dataclass(frozen=True)
class SliceTraffic:
    """One evaluation slice as the cost of worse answers needs it.

    Parameters
    ----------
    name : str
        The slice, e.g. ``"Billing disputes"``.
    teacher_score, student_score : float
        Accuracy of each model on the slice, in [0, 1].
    traffic_share : float or None
        Share of all calls that fall in this slice, in [0, 1]; ``None`` when unknown.
    cost_per_error : float or None
        Money lost per wrong answer on this slice; ``None`` takes the case's figure.
    """

    name: str
    teacher_score: float
    student_score: float
    traffic_share: float | None = None
    cost_per_error: float | None = None


@dataclass(frozen=True)
class SliceQualityCost:
    """The cost of one slice's quality drop, or why it was not computed."""

    name: str
    extra_error_share: float
    """``max(0, teacher − student)``: the extra share of this slice's calls answered wrongly."""
    monthly_cost: float
    """Expected money lost a month; ``nan`` when not computed (see ``reason``)."""
    reason: str
    """Empty when computed; otherwise why not, in words for the slice table."""


def quality_cost(
    slices: Sequence[SliceTraffic], monthly_calls: float, cost_per_error: float | None
) -> tuple[float, tuple[SliceQualityCost, ...]]:
    """Expected monthly cost of the student's worse answers, in total and by slice.

    Parameters
    ----------
    slices : sequence of SliceTraffic
        The evaluation's slices.
    monthly_calls : float
        Calls a month (≥ 0).
    cost_per_error : float or None
        Money lost per wrong answer (≥ 0), for slices without their own; ``None`` when the case
        does not say.

    Returns
    -------
    (float, tuple of SliceQualityCost)
        The monthly total (``nan`` when any slice that drops cannot be costed, so that no
        partial sum passes for the whole) and each slice's figure.

    Raises
    ------
    InputError
        A score or share outside [0, 1], shares adding up to more than 1, a negative cost.

    Examples
    --------
    Two million calls a month; a wrong answer costs 4.00. Billing disputes are 10 % of calls and
    drop 2 points (0.94 → 0.92): 0.10 × 0.02 × 2,000,000 × 4 = 16,000 a month. General questions
    improve, so they cost nothing.

    >>> total, rows = quality_cost(
    ...     [SliceTraffic("Billing disputes", 0.94, 0.92, traffic_share=0.10),
    ...      SliceTraffic("General questions", 0.86, 0.91, traffic_share=0.60)],
    ...     monthly_calls=2_000_000, cost_per_error=4.0)
    >>> round(total, 6), [round(row.monthly_cost, 6) for row in rows]
    (16000.0, [16000.0, 0.0])
    """
    calls = check_number("monthly_calls", monthly_calls)
    default_cost = (
        None if cost_per_error is None else check_number("cost_per_error", cost_per_error)
    )
    check_traffic_shares((item.name, item.traffic_share) for item in slices)
    rows = []
    for item in slices:
        teacher = check_number(
            f"teacher_score of slice {item.name!r}", item.teacher_score, maximum=1.0
        )
        student = check_number(
            f"student_score of slice {item.name!r}", item.student_score, maximum=1.0
        )
        drop = max(0.0, teacher - student)
        own_cost = (
            None
            if item.cost_per_error is None
            else check_number(f"cost_per_error of slice {item.name!r}", item.cost_per_error)
        )
        unit_cost = own_cost if own_cost is not None else default_cost
        if drop == 0.0:
            rows.append(SliceQualityCost(item.name, 0.0, 0.0, ""))
        elif item.traffic_share is None:
            rows.append(
                SliceQualityCost(item.name, drop, math.nan, "traffic share unknown: not computed")
            )
        elif unit_cost is None:
            rows.append(
                SliceQualityCost(item.name, drop, math.nan, "cost per error unknown: not computed")
            )
        else:
            cost = item.traffic_share * drop * calls * unit_cost
            rows.append(SliceQualityCost(item.name, drop, cost, ""))
    total = math.fsum(row.monthly_cost for row in rows)
    return total, tuple(rows)


def check_traffic_shares(named_shares: Iterable[tuple[str, float | None]]) -> None:
    """Refuse a share outside [0, 1], or known shares adding up to more than all calls.

    Parameters
    ----------
    named_shares : iterable of (str, float or None)
        Each slice's name and traffic share (``None``: unknown).

    Examples
    --------
    >>> check_traffic_shares([("a", 0.6), ("b", None), ("c", 0.4)])
    >>> check_traffic_shares([("a", 0.6), ("b", 0.5)])
    Traceback (most recent call last):
    ...
    xl_roi.errors.InputError: the slices' traffic shares must add up to at most 1 (all calls), ...
    """
    known = [
        check_number(f"traffic_share of slice {name!r}", share, maximum=1.0)
        for name, share in named_shares
        if share is not None
    ]
    total = math.fsum(known)
    if total > 1.0 + _SHARE_SUM_TOLERANCE:
        raise InputError(
            f"the slices' traffic shares must add up to at most 1 (all calls), got "
            f"{describe_value(round(total, 12))}: each share is the part of all calls in that slice"
        )
