"""A whole business case's inputs: :class:`Case` and its :class:`QualitySlice` evidence.

A :class:`Case` holds every input of the business case, each either as a direct figure or as the
items it is built from (tokens and prices, GPUs, days × day rate, redistillations × their cost).
:func:`xl_roi.evaluation.evaluate` turns it into a :class:`~xl_roi.Result`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from xl_roi.bounds import BOUNDS
from xl_roi.errors import InputError, check_number
from xl_roi.fields import FIELDS
from xl_roi.quality_cost import (
    check_traffic_shares,
)
from xl_roi.text import printable
from xl_roi.uncertainty import check_range

__all__ = [
    "DEFAULT_INPUTS",
    "MAX_QUALITY_SLICES",
    "SCHEDULE_MONTHS",
    "UPFRONT_ITEM_FIELDS",
    "Case",
    "QualitySlice",
    "check_text",
]

SCHEDULE_MONTHS = 36
"""Months in the cumulative cash-flow schedule."""

MAX_QUALITY_SLICES = 10
"""Quality slices a case may have: the rows of the workbook's Quality sheet. Every command
refuses more, up front, with the same message."""

_SCORE_DECIMALS = 9
"""Quality drops are compared after rounding to this many decimals (0.91 − 0.86 is 0.05)."""


MAX_NAME_CHARS = 200
"""Characters a name (the case's, its currency's, a quality slice's) may hold: a title, not a
document. Names go into headings and cells (Pitch!A1 holds the case name and the verdict; a
cell holds at most 32,767 characters), and onto the terminal."""


def check_text(where: str, text: str) -> str:
    """Return ``text``, or refuse it when it holds control characters (NUL, BEL, ESC, …) or is
    longer than :data:`MAX_NAME_CHARS`.

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
    if len(text) > MAX_NAME_CHARS:
        raise InputError(
            f"{where} is {len(text):,} characters long: at most {MAX_NAME_CHARS} (a name for "
            f"headings and cells, starting {shown[:40]!r}); shorten it"
        )
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

    >>> from xl_roi import evaluate
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


DEFAULT_INPUTS = SimpleNamespace(
    **{
        item.name: item.default
        for item in dataclasses.fields(Case)
        if item.default is not dataclasses.MISSING
    }
)
"""Every input a case has a default for, at that default: what a calculation reads by name when
a caller gives it only some of its inputs (:func:`xl_roi.roi.monthly_savings` gives the two costs
and the volume)."""
