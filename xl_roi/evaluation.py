"""What follows from a case: :func:`evaluate` turns a :class:`~xl_roi.case.Case` into a
:class:`Result` — every derived figure, the verdict and the flags that explain a weak one.

The figures themselves are worked out once, in :func:`xl_roi.resolve.resolve` (the costs, GPUs,
savings, upfront and maintenance) and the core's functions (:mod:`xl_roi.roi`,
:mod:`xl_roi.cashflow`); this module assembles them.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from xl_roi import cashflow, roi
from xl_roi.case import SCHEDULE_MONTHS, Case
from xl_roi.costs import HOURS_PER_MONTH
from xl_roi.errors import check_result
from xl_roi.quality_cost import (
    SliceQualityCost,
    SliceTraffic,
    quality_cost,
)
from xl_roi.recommendation import recommendation_from_figures, worse_answers_sentence
from xl_roi.resolve import Resolved, resolve
from xl_roi.resolve import economics_at as _economics_at
from xl_roi.verdict import LOW_VOLUME_PAYBACK_MONTHS, Verdict, verdict

__all__ = [
    "LOW_VOLUME_PAYBACK_MONTHS",
    "UNSTABLE_TEACHER_SHARE",
    "Flag",
    "Result",
    "SliceResult",
    "breakeven_monthly_calls",
    "evaluate",
]

UNSTABLE_TEACHER_SHARE = 0.5
"""Maintenance above this share of the annual savings flags an unstable teacher."""


@dataclass(frozen=True)
class SliceResult:
    """A quality slice with its verdict."""

    name: str
    business_critical: bool
    teacher_score: float
    student_score: float
    allowed_drop: float
    drop: float
    passed: bool
    traffic_share: float | None = None
    cost_per_error: float | None = None
    quality_cost_monthly: float = math.nan
    """Expected money lost a month to this slice's worse answers; ``nan`` when not computed."""
    quality_cost_note: str = ""
    """Why the slice's cost is not computed (empty when it is)."""


@dataclass(frozen=True)
class Flag:
    """A reason a case is weaker than its headline numbers say.

    ``code`` is one of ``"low_volume"``, ``"unstable_teacher"``, ``"quality_risk"``,
    ``"quality_cost"`` (worse answers cost more than the compute saved); ``reason``
    is a sentence with the numbers behind it.
    """

    code: str
    title: str
    reason: str


@dataclass(frozen=True)
class Result:
    """Every figure derived from a :class:`Case`, its verdict and its flags.

    Money in the case's currency, per-call costs per 1,000 calls, time in months.
    ``payback_months`` is ``math.inf`` when the case never pays back; it counts the savings
    alone (upfront ÷ monthly savings), and ``payback_after_maintenance_months`` is when the
    savings less maintenance have recovered the upfront cost. ``breakeven_monthly_calls`` is
    the monthly volume (growing at the case's own growth; whole GPUs when self-hosted) below
    which payback misses the target (:func:`xl_roi.roi.breakeven_volume`).
    ``annual_serving_cost`` is a self-hosted student's GPU bill for a year (GPUs × 730 hours ×
    12 × hourly cost; 0 when the student is priced per call).

    What the case is worth today (:mod:`xl_roi.finance` defines the monthly cash flows):
    ``npv`` over ``case.horizon_months`` at ``case.discount_rate``; ``discounted_payback_months``
    (month by month, interpolated, at every rate; ``math.inf``: never); ``irr``,
    the annualised internal rate of return (``nan`` when none exists).

    The cost of worse answers (:mod:`xl_roi.quality_cost`): ``quality_cost_monthly`` (``nan``
    when not computed, ``quality_cost_note`` saying why), and the quality-adjusted figures — the
    savings less that cost, and the payback, annual net benefit and verdict that follow — beside
    the headline, which stays as the method defines it (``nan``/``None`` when not computed).
    """

    case: Case
    teacher_cost_per_1k: float
    student_serving_cost_per_1k: float
    student_cost_per_1k: float
    gpus: int | None
    data_generation_cost: float
    training_compute: float
    evaluation_build: float
    engineering_time: float
    upfront_cost: float
    annual_maintenance: float
    monthly_savings: float
    annual_savings: float
    payback_months: float
    payback_after_maintenance_months: float
    annual_net_benefit: float
    savings_share: float
    breakeven_monthly_calls: float
    half_volume_payback_months: float
    first_year_net: float
    monthly_latency_value: float
    annual_new_capability_revenue: float
    quality: tuple[SliceResult, ...]
    verdict: Verdict
    flags: tuple[Flag, ...]
    annual_serving_cost: float = 0.0
    npv: float = 0.0
    discounted_payback_months: float = 0.0
    quality_cost_monthly: float = math.nan
    quality_cost_note: str = ""
    quality_adjusted_monthly_savings: float = math.nan
    quality_adjusted_payback_months: float = math.nan
    quality_adjusted_annual_net_benefit: float = math.nan
    quality_adjusted_verdict: Verdict | None = None
    teacher_p95_ms: float | None = None
    student_p95_ms: float | None = None

    @property
    def irr(self) -> float:
        """Annualised internal rate of return over the horizon; ``nan`` when none exists.

        Worked out with ``numpy-financial`` on first use (so a pitch in words loads no numpy).

        Examples
        --------
        >>> result = evaluate(Case(monthly_calls=2_000_000, teacher_cost_per_1k=12.0,
        ...     student_cost_per_1k=1.5, upfront_cost=52_500, annual_maintenance=40_000))
        >>> round(result.irr, 1)   # about (1 + 17,666.67 / 52,500)^12 − 1: 3,148 % a year
        31.5
        """
        from xl_roi.finance import irr_annual

        return irr_annual(
            self.upfront_cost,
            self.monthly_savings,
            self.annual_maintenance,
            self.case.horizon_months,
            self.case.monthly_growth,
        )

    @property
    def quality_cost_exceeds_savings(self) -> bool:
        """Whether worse answers cost at least what the compute saves, when the compute saves
        something (a student that saves nothing is refused for that reason instead)."""
        return (
            not math.isnan(self.quality_cost_monthly)
            and self.monthly_savings > 0.0
            and self.quality_cost_monthly >= self.monthly_savings
        )

    @property
    def recommendation(self) -> str:
        """The sentence a decision-maker reads first; it never contradicts the flags.

        The verdict's sentence, except that a failing business-critical slice turns it into
        "Not yet", and worse answers that cost more than the compute saves into "Do not
        distill"; then, where they apply: payback after maintenance beyond the target when
        payback itself meets it, a first year that loses money, and a volume whose half no
        longer pays back within a year (:func:`xl_roi.recommendation.recommendation_from_figures`).
        The CLI pitch, the JSON and the workbook's Pitch sheet all show this one.
        """
        failing = [item.name for item in self.quality if item.business_critical and not item.passed]
        if self.quality_cost_exceeds_savings:
            return worse_answers_sentence(
                self.quality_cost_monthly,
                self.monthly_savings,
                self.verdict,
                self.case.currency,
                failing,
            )
        return recommendation_from_figures(
            self.upfront_cost,
            self.monthly_savings,
            self.annual_maintenance,
            self.case.target_payback_months,
            self.teacher_cost_per_1k,
            self.student_cost_per_1k,
            self.half_volume_payback_months,
            self.case.monthly_growth,
            failing,
            self.case.currency,
        )

    @property
    def is_itemised(self) -> bool:
        """Whether the upfront cost was built from its items."""
        return self.case.upfront_cost is None

    def schedule(self, months: int = SCHEDULE_MONTHS) -> list[dict[str, float]]:
        """Month-by-month cash flow: savings, maintenance, cumulative net before and after it.

        Month 0 is the upfront spend. ``cumulative_net`` (savings less upfront) crosses zero at
        payback; ``cumulative_net_after_maintenance`` also takes maintenance, spread evenly.

        Examples
        --------
        >>> from xl_roi import example_case
        >>> rows = evaluate(example_case().replace(monthly_growth=0.0)).schedule(3)
        >>> [round(row["cumulative_net"], 2) for row in rows]
        [-33750.0, -23190.0, -12630.0, -2070.0]
        """
        return cashflow.schedule(
            self.upfront_cost,
            self.monthly_savings,
            self.annual_maintenance,
            self.case.monthly_growth,
            months,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: infinities (never pays back) and ``nan`` (not computed, no IRR)
        become ``None``."""
        from xl_roi.json_value import json_value

        data = dataclasses.asdict(self)
        data["case"] = {key: value for key, value in data["case"].items() if value is not None}
        data["never_pays_back"] = math.isinf(self.payback_months)
        data["breakeven_definition"] = roi.BREAKEVEN_DEFINITION
        data["recommendation"] = self.recommendation
        data["irr"] = self.irr
        data["quality_cost_exceeds_savings"] = self.quality_cost_exceeds_savings
        converted: dict[str, Any] = json_value(data)
        return converted


def _money(value: float, currency: str) -> str:
    return f"{currency} {value:,.0f}"


def _flags(
    case: Case,
    figures: Resolved,
    half_volume_payback: float,
    maintenance: float,
    quality: tuple[SliceResult, ...],
    quality_cost_monthly: float = math.nan,
) -> tuple[Flag, ...]:
    flags: list[Flag] = []
    if half_volume_payback > LOW_VOLUME_PAYBACK_MONTHS:
        at_half = (
            "never pays back"
            if math.isinf(half_volume_payback)
            else f"pays back in {half_volume_payback:.1f} months: beyond a year"
        )
        flags.append(
            Flag(
                "low_volume",
                "Low volume",
                f"At half the volume ({case.monthly_calls / 2:,.0f} calls a month) the case "
                f"{at_half}, so it rests on the volume estimate.",
            )
        )
    annual_savings = 12.0 * figures.monthly_savings
    if annual_savings > 0 and maintenance > UNSTABLE_TEACHER_SHARE * annual_savings:
        flags.append(
            Flag(
                "unstable_teacher",
                "Unstable teacher",
                f"Maintenance ({_money(maintenance, case.currency)} a year) eats "
                f"{maintenance / annual_savings:.0%} of the annual savings of "
                f"{_money(annual_savings, case.currency)}: redistilling this often erodes "
                "the return.",
            )
        )
    failing = [item for item in quality if item.business_critical and not item.passed]
    if failing:
        names = "; ".join(
            f"{item.name} (drop {item.drop:g}, allowed {item.allowed_drop:g})" for item in failing
        )
        flags.append(
            Flag(
                "quality_risk",
                "Quality risk",
                f"Business-critical slices fail their tolerance: {names}. Fix the student on "
                "these slices before relying on the savings.",
            )
        )
    if figures.monthly_savings > 0.0 and quality_cost_monthly >= figures.monthly_savings:
        flags.append(
            Flag(
                "quality_cost",
                "Worse answers cost more than the compute saved",
                f"The student's quality drop costs about "
                f"{_money(quality_cost_monthly, case.currency)} a month in errors, against "
                f"{_money(figures.monthly_savings, case.currency)} a month of compute saved: "
                "counting it, the case does not pay back.",
            )
        )
    return tuple(flags)


def evaluate(case: Case) -> Result:
    """Work out every figure of a case, its verdict and its flags.

    Parameters
    ----------
    case : Case
        The inputs.

    Returns
    -------
    Result
        Monthly and annual savings, payback, annual net benefit, savings share, break-even
        volume, upfront and maintenance breakdowns, quality per slice, verdict and flags.

    Examples
    --------
    >>> result = evaluate(Case(monthly_calls=2_000_000, teacher_cost_per_1k=12.0,
    ...     student_cost_per_1k=1.5, upfront_cost=52_500, annual_maintenance=40_000))
    >>> result.monthly_savings, result.payback_months, result.annual_net_benefit
    (21000.0, 2.5, 212000.0)
    >>> result.savings_share, result.verdict
    (0.875, 'strong')
    """
    figures = resolve(case)  # the costs, GPUs, savings, upfront and maintenance, worked once
    teacher = figures.teacher_cost_per_1k
    items = (
        figures.data_generation_cost,
        figures.training_compute,
        figures.evaluation_build,
        figures.engineering_time,
    )
    upfront = figures.upfront_cost
    maintenance = figures.annual_maintenance
    savings = figures.monthly_savings
    payback = roi.payback_months(upfront, savings, case.monthly_growth)
    after_maintenance = roi.payback_after_maintenance_months(
        upfront, savings, maintenance, case.monthly_growth
    )
    net = roi.annual_net_benefit(savings, maintenance)
    half = _economics_at(case, teacher, case.monthly_calls / 2.0)
    half_payback = roi.payback_months(upfront, half.monthly_savings, case.monthly_growth)
    quality_total, quality_note, slice_costs = _quality_cost(case)
    quality = _slice_results(case, slice_costs)
    adjusted = savings - quality_total  # nan when the quality cost is not computed
    adjusted_payback, adjusted_net, adjusted_verdict = _quality_adjusted(
        upfront, adjusted, maintenance, case.monthly_growth
    )
    return Result(
        case=case,
        teacher_cost_per_1k=teacher,
        student_serving_cost_per_1k=figures.student_serving_cost_per_1k,
        student_cost_per_1k=figures.student_cost_per_1k,
        gpus=figures.gpus,
        data_generation_cost=items[0],
        training_compute=items[1],
        evaluation_build=items[2],
        engineering_time=items[3],
        upfront_cost=upfront,
        annual_maintenance=maintenance,
        monthly_savings=savings,
        annual_savings=12.0 * savings,
        payback_months=payback,
        payback_after_maintenance_months=after_maintenance,
        annual_net_benefit=net,
        savings_share=roi.savings_share(teacher, figures.student_cost_per_1k),
        breakeven_monthly_calls=breakeven_monthly_calls(case, teacher, upfront),
        half_volume_payback_months=half_payback,
        first_year_net=roi.first_year_net(upfront, savings, maintenance, case.monthly_growth),
        monthly_latency_value=float(case.monthly_latency_value),
        annual_new_capability_revenue=float(case.annual_new_capability_revenue),
        quality=quality,
        verdict=verdict(payback, net, case.monthly_growth),
        flags=_flags(case, figures, half_payback, maintenance, quality, quality_total),
        annual_serving_cost=(
            0.0
            if figures.gpus is None
            else figures.gpus * HOURS_PER_MONTH * 12.0 * float(case.gpu_hourly_cost or 0.0)
        ),
        npv=cashflow.present_value(
            upfront,
            savings,
            maintenance,
            case.discount_rate,
            int(case.horizon_months),
            case.monthly_growth,
        ),
        discounted_payback_months=cashflow.discounted_payback(
            upfront, savings, maintenance, case.discount_rate, case.monthly_growth
        ),
        quality_cost_monthly=quality_total,
        quality_cost_note=quality_note,
        quality_adjusted_monthly_savings=adjusted,
        quality_adjusted_payback_months=adjusted_payback,
        quality_adjusted_annual_net_benefit=adjusted_net,
        quality_adjusted_verdict=adjusted_verdict,
        teacher_p95_ms=None if case.teacher_p95_ms is None else float(case.teacher_p95_ms),
        student_p95_ms=None if case.student_p95_ms is None else float(case.student_p95_ms),
    )


def _slice_results(
    case: Case, slice_costs: tuple[SliceQualityCost, ...]
) -> tuple[SliceResult, ...]:
    """Each quality slice with its verdict and its cost of worse answers."""
    return tuple(
        SliceResult(
            item.name,
            item.business_critical,
            item.teacher_score,
            item.student_score,
            item.allowed_drop,
            item.drop,
            item.passed,
            item.traffic_share,
            item.cost_per_error,
            cost.monthly_cost,
            cost.reason,
        )
        for item, cost in zip(case.quality_slices, slice_costs, strict=True)
    )


def _quality_adjusted(
    upfront: float, adjusted: float, maintenance: float, growth: float
) -> tuple[float, float, Verdict | None]:
    """Payback, annual net benefit and verdict on the savings less the cost of worse answers
    (nan and no verdict when that cost is not computed)."""
    if math.isnan(adjusted):
        return math.nan, math.nan, None
    payback = roi.payback_months(upfront, adjusted, growth)
    net = roi.annual_net_benefit(adjusted, maintenance)
    return payback, net, verdict(payback, net, growth)


def _quality_cost(case: Case) -> tuple[float, str, tuple[SliceQualityCost, ...]]:
    """The monthly cost of worse answers, why it is not computed (or ""), and each slice's.

    Computed when the case says what an error costs (the case's ``cost_per_error`` or a
    slice's) and every slice whose score drops has a traffic share; never guessed otherwise.
    """
    slices = case.quality_slices
    costed = case.cost_per_error is not None or any(
        item.cost_per_error is not None for item in slices
    )
    rows: list[SliceQualityCost] = []
    for item in slices:
        drop = max(0.0, item.drop)
        if item.traffic_share is None:  # scores need not be accuracies: nothing is read
            reason = "" if drop == 0.0 else "traffic share unknown: not computed"
            rows.append(SliceQualityCost(item.name, drop, 0.0 if drop == 0.0 else math.nan, reason))
            continue
        _, (row,) = quality_cost(
            [
                SliceTraffic(
                    item.name,
                    item.teacher_score,
                    item.student_score,
                    item.traffic_share,
                    item.cost_per_error,
                )
            ],
            case.monthly_calls,
            case.cost_per_error,
        )
        rows.append(row)
    if not costed:
        note = "not computed: the case gives no cost per error"
        return (
            math.nan,
            note,
            tuple(
                SliceQualityCost(row.name, row.extra_error_share, math.nan, note) for row in rows
            ),
        )
    if not slices:
        return math.nan, "not computed: the case has no quality slices", ()
    unknown = [row.name for row in rows if math.isnan(row.monthly_cost)]
    if unknown:
        reasons = sorted({row.reason.split(":")[0] for row in rows if row.reason})
        return (
            math.nan,
            f"not computed: {' and '.join(reasons)} for {', '.join(repr(n) for n in unknown)}",
            tuple(rows),
        )
    total = check_result("quality_cost_monthly", math.fsum(row.monthly_cost for row in rows))
    return total, "", tuple(rows)


def breakeven_monthly_calls(case: Case, teacher_cost_per_1k: float, upfront: float) -> float:
    """The case's break-even volume: below it, payback misses the case's target.

    With the case's own growth; for a self-hosted student, whole GPUs
    (see :func:`xl_roi.roi.breakeven_volume`).

    Examples
    --------
    >>> case = Case(monthly_calls=2_000_000, teacher_cost_per_1k=12.0,
    ...     student_cost_per_1k=1.5, upfront_cost=52_500, annual_maintenance=40_000)
    >>> round(breakeven_monthly_calls(case, 12.0, 52_500))   # 52,500 / 12 / 0.0105
    416667
    """
    others = {name: getattr(case, name) for name in roi.savings_inputs()}
    if case.gpu_hourly_cost is None:
        student = _economics_at(case, teacher_cost_per_1k, case.monthly_calls).student_cost_per_1k
        return roi.breakeven_volume(
            upfront,
            teacher_cost_per_1k,
            student,
            case.target_payback_months,
            case.monthly_growth,
            **others,
        )
    return roi.breakeven_volume(
        upfront,
        teacher_cost_per_1k,
        case.escalation_share * teacher_cost_per_1k,
        case.target_payback_months,
        case.monthly_growth,
        gpu_hourly_cost=case.gpu_hourly_cost,
        calls_per_second_per_gpu=case.calls_per_second_per_gpu,
        target_utilization=case.target_utilization,
        peak_factor=case.peak_factor,
        **others,
    )
