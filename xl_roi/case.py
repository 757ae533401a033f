"""A whole business case: its inputs (:class:`Case`), and what follows from them (:class:`Result`).

A :class:`Case` holds every input of the business case, each either as a direct figure or as the
items it is built from (tokens and prices, GPUs, days × day rate, redistillations × their cost).
:func:`evaluate` turns it into a :class:`Result`: every derived figure, the verdict and the flags
that explain a weak one.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from xl_roi import cashflow, roi
from xl_roi.bounds import BOUNDS
from xl_roi.costs import HOURS_PER_MONTH
from xl_roi.errors import InputError, check_number, check_result
from xl_roi.fields import FIELDS
from xl_roi.quality_cost import (
    SliceQualityCost,
    SliceTraffic,
    check_traffic_shares,
    quality_cost,
)
from xl_roi.text import printable
from xl_roi.uncertainty import check_range
from xl_roi.verdict import Verdict, verdict

# How a case's figures are derived lives in xl_roi.resolve (imported at the end: it needs Case).
if TYPE_CHECKING:
    pass

__all__ = [
    "MAX_QUALITY_SLICES",
    "SCHEDULE_MONTHS",
    "UPFRONT_ITEM_FIELDS",
    "Case",
    "Flag",
    "QualitySlice",
    "Result",
    "SliceResult",
    "breakeven_monthly_calls",
    "check_text",
    "evaluate",
]

SCHEDULE_MONTHS = 36
"""Months in the cumulative cash-flow schedule."""

LOW_VOLUME_PAYBACK_MONTHS = 12.0
"""Half the volume must still pay back within this many months, or the volume is flagged low."""

UNSTABLE_TEACHER_SHARE = 0.5
"""Maintenance above this share of the annual savings flags an unstable teacher."""

MAX_QUALITY_SLICES = 10
"""Quality slices a case may have: the rows of the workbook's Quality sheet. Every command
refuses more, up front, with the same message."""

_SCORE_DECIMALS = 9
"""Quality drops are compared after rounding to this many decimals (0.91 − 0.86 is 0.05)."""


def check_text(where: str, text: str) -> str:
    """Return ``text``, or refuse it when it holds control characters (NUL, BEL, ESC, …).

    Names end up on terminals and in workbook cells: a terminal escape could recolour or clear
    the screen, and an xlsx cell cannot hold them at all. The message never echoes them.

    Examples
    --------
    >>> check_text("name", "chat\x1b[2J")
    Traceback (most recent call last):
    ...
    xl_roi.errors.InputError: name holds a control character (shown as ?): 'chat?[2J'; remove it
    """
    shown = printable(text)
    if shown != text:
        raise InputError(f"{where} holds a control character (shown as ?): {shown!r}; remove it")
    return text


@dataclass(frozen=True)
class QualitySlice:
    """One slice of the frozen evaluation set: how teacher and student score on it.

    Parameters
    ----------
    name : str
        What the slice covers, e.g. ``"billing disputes"``.
    business_critical : bool
        Whether a failure here sinks the case.
    teacher_score, student_score : float
        The two models' scores on the slice (accuracy, F1, … higher is better).
    allowed_drop : float
        How far below the teacher the student may score (≥ 0, same units as the scores).
    traffic_share : float, optional
        The slice's share of all calls, in [0, 1], for the cost of worse answers. With it, the
        scores are read as accuracy (the share of answers right) and must lie in [0, 1].
    cost_per_error : float, optional
        Money lost per wrong answer on this slice (≥ 0), in place of the case's.

    Examples
    --------
    >>> QualitySlice("billing disputes", True, 0.94, 0.92, 0.03).passed
    True
    """

    name: str
    business_critical: bool
    teacher_score: float
    student_score: float
    allowed_drop: float
    traffic_share: float | None = None
    cost_per_error: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InputError(f"a quality slice needs a name, got {self.name!r}")
        check_text("the name of a quality slice", self.name)
        if not isinstance(self.business_critical, bool):
            raise InputError(
                f"business_critical of slice {self.name!r} must be true or false, "
                f"got {self.business_critical!r}"
            )
        for attribute in ("teacher_score", "student_score"):
            where = f"{attribute} of slice {self.name!r}"
            check_number(where, getattr(self, attribute), minimum=None)
        check_number(f"allowed_drop of slice {self.name!r}", self.allowed_drop)
        if self.traffic_share is not None:
            BOUNDS["traffic_share"].check(
                f"traffic_share of slice {self.name!r}", self.traffic_share
            )
            for attribute in ("teacher_score", "student_score"):
                score = float(getattr(self, attribute))
                if not 0.0 <= score <= 1.0:
                    raise InputError(
                        f"{attribute} of slice {self.name!r} must be an accuracy from 0 to 1 "
                        f"when the slice has a traffic_share (the cost of worse answers reads "
                        f"the scores as the share of answers right), got {score:g}"
                    )
        if self.cost_per_error is not None:
            BOUNDS["cost_per_error"].check(
                f"cost_per_error of slice {self.name!r}", self.cost_per_error
            )

    @property
    def drop(self) -> float:
        """Teacher score less student score (negative when the student does better)."""
        return round(self.teacher_score - self.student_score, _SCORE_DECIMALS)

    @property
    def passed(self) -> bool:
        """Whether the student stays within the allowed drop."""
        return self.drop <= self.allowed_drop


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


_TEACHER_TOKEN_FIELDS = (
    "input_tokens_per_call",
    "output_tokens_per_call",
    "teacher_input_price_per_million",
    "teacher_output_price_per_million",
)
_STUDENT_PRICE_FIELDS = ("student_input_price_per_million", "student_output_price_per_million")
_SELF_HOSTED_FIELDS = ("gpu_hourly_cost", "calls_per_second_per_gpu")
UPFRONT_ITEM_FIELDS = (
    "data_generation_cost",
    "corpus_examples",
    "training_compute",
    "evaluation_build",
    "evaluation_days",
    "engineering_time",
    "engineering_days",
)
_MAINTENANCE_ITEM_FIELDS = ("redistillations_per_year", "redistillation_cost")


@dataclass(frozen=True, kw_only=True)
class Case:
    """The inputs of a distillation business case.

    Give each quantity once: directly, or as its items. The simplest case:

    >>> case = Case(monthly_calls=2_000_000, teacher_cost_per_1k=12.0,
    ...             student_cost_per_1k=1.5, upfront_cost=52_500, annual_maintenance=40_000)
    >>> evaluate(case).payback_months
    2.5

    Parameters
    ----------
    monthly_calls : float
        Calls a month the endpoint serves (≥ 0).
    monthly_growth : float, default 0
        Month-on-month volume growth (0.02 = 2 %; negative when shrinking).
    teacher_cost_per_1k : float, optional
        The teacher's cost per 1,000 calls, or else from ``input_tokens_per_call``,
        ``output_tokens_per_call``, ``teacher_input_price_per_million`` and
        ``teacher_output_price_per_million``.
    student_cost_per_1k : float, optional
        The student's cost per 1,000 calls, or else from the same tokens and
        ``student_input_price_per_million``/``student_output_price_per_million`` (an API-served
        student), or self-hosted from ``gpu_hourly_cost`` and ``calls_per_second_per_gpu``
        (with ``target_utilization``, default 0.7, and ``peak_factor``, default 1.5).
    escalation_share : float, default 0
        Share of calls the student hands back to the teacher (its cost is added to the student's).
    upfront_cost : float, optional
        The whole upfront bill, or else its items: ``data_generation_cost`` (or
        ``corpus_examples`` × the teacher's cost, with ``data_generation_passes`` and
        ``batch_discount``), ``training_compute``, ``evaluation_build`` (or ``evaluation_days``)
        and ``engineering_time`` (or ``engineering_days``), days costed at ``day_rate``.
    annual_maintenance : float, optional
        Maintenance a year, or else ``redistillations_per_year`` × ``redistillation_cost``.
    monthly_latency_value, annual_new_capability_revenue : float, default 0
        Upside, reported beside the headline and never in it.
    quality_slices : tuple of QualitySlice
        The slice-based evaluation that bounds the quality risk.
    target_payback_months : float, default 12
        The payback the business asks for.
    discount_rate : float, default 0
        Annual discount rate for the NPV and discounted payback (0.10 = 10 % a year), > −1 and
        ≤ 1. At 0 they count money as it comes (today's headline figures are unchanged).
    horizon_months : int, default 36
        Months of cash the NPV and IRR count: a whole number from 1 to 600.
    cost_per_error : float, optional
        Money lost when an answer is wrong (a refund, an escalation to a person, a churned
        customer), for the cost of worse answers; slices may carry their own.
    teacher_p95_ms, student_p95_ms : float, optional
        The two models' 95th-percentile latency in milliseconds: upside, shown beside the
        headline and never in it.
    uncertainty : tuple of (input, low, likely, high), optional
        How uncertain some inputs are, for the Monte Carlo simulation (a case file's
        ``[uncertainty]`` table; see :mod:`xl_roi.uncertainty`). Not used by ``evaluate``.
    name, currency : str
        For the reports.
    """

    name: str = "Distillation case"
    currency: str = "USD"
    monthly_calls: float
    monthly_growth: float = 0.0
    teacher_cost_per_1k: float | None = None
    input_tokens_per_call: float | None = None
    output_tokens_per_call: float | None = None
    teacher_input_price_per_million: float | None = None
    teacher_output_price_per_million: float | None = None
    student_cost_per_1k: float | None = None
    student_input_price_per_million: float | None = None
    student_output_price_per_million: float | None = None
    gpu_hourly_cost: float | None = None
    calls_per_second_per_gpu: float | None = None
    target_utilization: float = 0.7
    peak_factor: float = 1.5
    escalation_share: float = 0.0
    upfront_cost: float | None = None
    data_generation_cost: float | None = None
    corpus_examples: float | None = None
    data_generation_passes: float = 1.0
    batch_discount: float = 0.0
    training_compute: float | None = None
    evaluation_build: float | None = None
    evaluation_days: float | None = None
    engineering_time: float | None = None
    engineering_days: float | None = None
    day_rate: float | None = None
    annual_maintenance: float | None = None
    redistillations_per_year: float | None = None
    redistillation_cost: float | None = None
    monthly_latency_value: float = 0.0
    annual_new_capability_revenue: float = 0.0
    quality_slices: tuple[QualitySlice, ...] = field(default_factory=tuple)
    target_payback_months: float = 12.0
    discount_rate: float = 0.0
    horizon_months: int = 36
    cost_per_error: float | None = None
    teacher_p95_ms: float | None = None
    student_p95_ms: float | None = None
    uncertainty: tuple[tuple[str, float, float, float], ...] = ()

    def __post_init__(self) -> None:
        for case_field in dataclasses.fields(self):
            entry = FIELDS.get(case_field.name)
            value = getattr(self, case_field.name)
            if entry is not None and entry.kind == "text":
                if not isinstance(value, str):
                    raise InputError(f"{case_field.name} must be text, got {value!r}")
                check_text(case_field.name, value)
            elif (
                entry is not None
                and entry.bound is not None
                and not (value is None and case_field.default is None)
            ):
                entry.bound.check(case_field.name, value)
        if not isinstance(self.quality_slices, tuple) or not all(
            isinstance(item, QualitySlice) for item in self.quality_slices
        ):
            raise InputError("quality_slices must be a tuple of QualitySlice")
        if len(self.quality_slices) > MAX_QUALITY_SLICES:
            raise InputError(
                f"{len(self.quality_slices)} quality slices: at most {MAX_QUALITY_SLICES} (the "
                "rows of the workbook's Quality sheet); merge the least critical slices"
            )
        check_traffic_shares((item.name, item.traffic_share) for item in self.quality_slices)
        self._check_teacher()
        self._check_student()
        self._check_upfront()
        self._check_maintenance()
        self._check_uncertainty()

    def _check_uncertainty(self) -> None:
        if not isinstance(self.uncertainty, tuple):
            raise InputError("uncertainty must be a tuple of (input, low, likely, high)")
        checked, seen = [], set()
        for entry in self.uncertainty:
            if not isinstance(entry, tuple | list) or len(entry) != 4:
                raise InputError(
                    f"uncertainty: each entry is (input, low, likely, high), got {entry!r}"
                )
            name, *given = entry
            if name in seen:
                raise InputError(f"uncertainty: {name} is given twice")
            seen.add(name)
            checked.append((name, *check_range(name, given, self_hosted=self.is_self_hosted)))
            if name == "cost_per_error" and self.cost_per_error is None:
                raise InputError(
                    "uncertainty: cost_per_error needs the case's own cost_per_error (the likely "
                    "cost of a wrong answer) to draw around"
                )
        object.__setattr__(self, "uncertainty", tuple(checked))

    # -- which way each quantity is given -------------------------------------------------

    def _given(self, names: tuple[str, ...]) -> list[str]:
        return [name for name in names if getattr(self, name) is not None]

    def _check_teacher(self) -> None:
        tokens = self._given(_TEACHER_TOKEN_FIELDS)
        if self.teacher_cost_per_1k is not None:
            priced = self._given(_TEACHER_TOKEN_FIELDS[2:])
            if priced:
                raise InputError(
                    "give the teacher's cost once: teacher_cost_per_1k or its token prices "
                    f"({', '.join(priced)}), not both"
                )
            return
        if not tokens:
            raise InputError(
                "the teacher's cost is missing: give teacher_cost_per_1k, or tokens per call "
                "and the teacher's prices per million tokens"
            )
        missing = [name for name in _TEACHER_TOKEN_FIELDS if name not in tokens]
        if missing:
            raise InputError(f"the teacher's cost from tokens also needs {', '.join(missing)}")

    def _check_student(self) -> None:
        ways = {
            "student_cost_per_1k": self._given(("student_cost_per_1k",)),
            "token prices": self._given(_STUDENT_PRICE_FIELDS),
            "self-hosting": self._given(_SELF_HOSTED_FIELDS),
        }
        chosen = [way for way, given in ways.items() if given]
        if not chosen:
            raise InputError(
                "the student's cost is missing: give student_cost_per_1k, the student's prices "
                "per million tokens, or gpu_hourly_cost and calls_per_second_per_gpu"
            )
        if len(chosen) > 1:
            raise InputError(f"give the student's cost one way, not {' and '.join(chosen)}")
        if chosen[0] == "token prices":
            missing = [name for name in _STUDENT_PRICE_FIELDS if name not in ways["token prices"]]
            tokens = ("input_tokens_per_call", "output_tokens_per_call")
            missing += [name for name in tokens if getattr(self, name) is None]
            if missing:
                raise InputError(f"the student's cost from tokens also needs {', '.join(missing)}")
        if chosen[0] == "self-hosting":
            missing = [name for name in _SELF_HOSTED_FIELDS if name not in ways["self-hosting"]]
            if missing:
                raise InputError(f"a self-hosted student also needs {', '.join(missing)}")
            if self.monthly_calls <= 0:
                raise InputError(
                    "monthly_calls must be a number > 0 for a self-hosted student (the GPUs "
                    f"cost money with no calls to spread it over), got {self.monthly_calls}"
                )

    def _check_upfront(self) -> None:
        items = self._given(UPFRONT_ITEM_FIELDS)
        if self.upfront_cost is not None:
            if items:
                raise InputError(
                    "give the upfront cost once: upfront_cost or its items "
                    f"({', '.join(items)}), not both"
                )
            return
        if not items:
            raise InputError(
                "the upfront cost is missing: give upfront_cost, or its items (data generation, "
                "training compute, evaluation build, engineering time)"
            )
        for amount, days in (
            ("data_generation_cost", "corpus_examples"),
            ("evaluation_build", "evaluation_days"),
            ("engineering_time", "engineering_days"),
        ):
            if getattr(self, amount) is not None and getattr(self, days) is not None:
                raise InputError(f"give {amount} or {days}, not both")
        if self.data_generation_cost is None and self.corpus_examples is None:
            raise InputError(
                "data generation is missing from the upfront items (often the biggest line): "
                "give corpus_examples, or data_generation_cost (0 if the labels already exist)"
            )
        needs_rate = self._given(("evaluation_days", "engineering_days"))
        if needs_rate and self.day_rate is None:
            raise InputError(f"{' and '.join(needs_rate)} need a day_rate to cost them")

    def _check_maintenance(self) -> None:
        items = self._given(_MAINTENANCE_ITEM_FIELDS)
        if self.annual_maintenance is not None:
            if items:
                raise InputError(
                    "give maintenance once: annual_maintenance or "
                    f"redistillations_per_year × redistillation_cost, not both ({', '.join(items)})"
                )
            return
        if len(items) < len(_MAINTENANCE_ITEM_FIELDS):
            raise InputError(
                "maintenance is missing: give annual_maintenance, or redistillations_per_year "
                "and redistillation_cost (0 if the teacher and the data never change)"
            )

    # -- derived inputs ------------------------------------------------------------------

    @property
    def is_self_hosted(self) -> bool:
        """Whether the student runs on the team's own (rented) GPUs."""
        return self.gpu_hourly_cost is not None

    def replace(self, **changes: Any) -> Case:
        """A copy with some inputs changed (and checked again).

        Examples
        --------
        >>> from xl_roi import example_case
        >>> example_case().replace(monthly_calls=750_000).monthly_calls
        750000
        """
        return dataclasses.replace(self, **changes)


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
        """The sentence a decision-maker reads first (see :func:`xl_roi.pitch.recommendation`)."""
        from xl_roi.pitch import recommendation

        return recommendation(self)

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
            else f"pays back in {half_volume_payback:.1f} months"
        )
        flags.append(
            Flag(
                "low_volume",
                "Low volume",
                f"At half the volume ({case.monthly_calls / 2:,.0f} calls a month) the case "
                f"{at_half}: beyond a year, so it rests on the volume estimate.",
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
    quality = tuple(
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
    adjusted = savings - quality_total  # nan when the quality cost is not computed
    if math.isnan(adjusted):
        adjusted_payback = adjusted_net = math.nan
        adjusted_verdict: Verdict | None = None
    else:
        adjusted_payback = roi.payback_months(upfront, adjusted, case.monthly_growth)
        adjusted_net = roi.annual_net_benefit(adjusted, maintenance)
        adjusted_verdict = verdict(adjusted_payback, adjusted_net, case.monthly_growth)
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
    if case.gpu_hourly_cost is None:
        student = _economics_at(case, teacher_cost_per_1k, case.monthly_calls).student_cost_per_1k
        return roi.breakeven_volume(
            upfront, teacher_cost_per_1k, student, case.target_payback_months, case.monthly_growth
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
    )


from xl_roi.resolve import Resolved, resolve  # noqa: E402
from xl_roi.resolve import economics_at as _economics_at  # noqa: E402
