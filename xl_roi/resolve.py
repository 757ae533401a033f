"""How a case's figures are derived from its inputs, in one place: :func:`resolve`.

A case can price its teacher directly or by token prices, its student per call, by token
prices or on self-hosted GPUs, its upfront cost as a total or item by item, its maintenance as
an amount or as redistillations. ``evaluate``, the array engine, the workbook and its reader
all take these rules from here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from xl_roi import _kernel, costs, roi

if TYPE_CHECKING:
    from xl_roi.case import Case

__all__ = [
    "SUPERSEDES",
    "Economics",
    "Resolved",
    "StudentPricing",
    "annual_maintenance_of",
    "economics_at",
    "resolve",
    "student_pricing",
    "superseded",
    "teacher_cost_per_1k_of",
    "upfront_items_of",
    "worked_out_from",
]


class StudentPricing(enum.Enum):
    """How a case prices its student; the value is the workbook's ``student_pricing`` choice."""

    PER_CALL = "Per 1,000 calls"
    TOKENS = "Token prices"
    SELF_HOSTED = "Self-hosted GPUs"


_PRICED_BY = {
    StudentPricing.PER_CALL: ("student_cost_per_1k",),
    StudentPricing.TOKENS: ("student_input_price_per_million", "student_output_price_per_million"),
    StudentPricing.SELF_HOSTED: ("gpu_hourly_cost", "calls_per_second_per_gpu"),
}
"""The inputs each way of pricing the student reads."""

SUPERSEDES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "teacher_cost_per_1k",
        ("teacher_input_price_per_million", "teacher_output_price_per_million"),
    ),
    (
        "upfront_cost",
        ("data_generation_cost", "training_compute", "evaluation_build", "engineering_time"),
    ),
    ("data_generation_cost", ("corpus_examples",)),
    ("evaluation_build", ("evaluation_days",)),
    ("engineering_time", ("engineering_days",)),
    ("annual_maintenance", ("redistillations_per_year", "redistillation_cost")),
)
"""Precedence: an input given wins over the inputs it would otherwise be worked out from."""


def worked_out_from(name: str) -> tuple[str, ...]:
    """The inputs ``name`` wins over, directly or through another: those a case given ``name``
    no longer reads.

    Examples
    --------
    >>> worked_out_from("annual_maintenance")
    ('redistillations_per_year', 'redistillation_cost')
    >>> worked_out_from("student_cost_per_1k")[:2]
    ('student_input_price_per_million', 'student_output_price_per_million')
    """
    for pricing, names in _PRICED_BY.items():
        if name in names:
            return tuple(
                other
                for way, others in _PRICED_BY.items()
                if way is not pricing
                for other in others
            )
    found: list[str] = []
    for winner, losers in SUPERSEDES:
        if winner == name:
            for loser in losers:
                found.append(loser)
                found.extend(worked_out_from(loser))
    return tuple(dict.fromkeys(found))


def student_pricing(case: Case) -> StudentPricing:
    """How ``case`` prices its student: per call if it gives a cost per 1k, self-hosted if it
    gives a GPU's hourly cost, else by token prices.

    Examples
    --------
    >>> from xl_roi import example_case
    >>> student_pricing(example_case())
    <StudentPricing.TOKENS: 'Token prices'>
    """
    if case.student_cost_per_1k is not None:
        return StudentPricing.PER_CALL
    if case.gpu_hourly_cost is not None:
        return StudentPricing.SELF_HOSTED
    return StudentPricing.TOKENS


def superseded(given: set[str], pricing: StudentPricing | None) -> set[str]:
    """The inputs among ``given`` that the figures do not read: those another given input wins
    over (:data:`SUPERSEDES`, through another too), and the student inputs of the ways of
    pricing not chosen (all of them when ``pricing`` is ``None``).

    Examples
    --------
    >>> sorted(superseded({"upfront_cost", "training_compute", "student_cost_per_1k"},
    ...     StudentPricing.PER_CALL))
    ['training_compute']
    """
    unread = {
        name
        for other, names in _PRICED_BY.items()
        if other is not pricing
        for name in names
        if name in given
    }
    for winner, _ in SUPERSEDES:
        if winner in given:
            unread.update(name for name in worked_out_from(winner) if name in given)
    return unread


@dataclass(frozen=True)
class Economics:
    """The student's cost and the monthly savings at one volume."""

    student_serving_cost_per_1k: float
    student_cost_per_1k: float
    gpus: int | None
    monthly_savings: float


def teacher_cost_per_1k_of(case: Case) -> float:
    """The teacher's cost per 1,000 calls: given directly, or from its token prices."""
    if case.teacher_cost_per_1k is not None:
        return float(case.teacher_cost_per_1k)
    assert case.input_tokens_per_call is not None and case.output_tokens_per_call is not None
    assert case.teacher_input_price_per_million is not None
    assert case.teacher_output_price_per_million is not None
    return costs.cost_per_1k_calls(
        case.input_tokens_per_call,
        case.output_tokens_per_call,
        case.teacher_input_price_per_million,
        case.teacher_output_price_per_million,
    )


def economics_at(case: Case, teacher_cost_per_1k: float, monthly_calls: float) -> Economics:
    """The student's cost and the monthly savings at a given volume."""
    gpus: int | None = None
    if case.student_cost_per_1k is not None:
        serving = float(case.student_cost_per_1k)
    elif case.gpu_hourly_cost is not None:
        assert case.calls_per_second_per_gpu is not None
        gpus = costs.self_hosted_gpus(
            monthly_calls, case.calls_per_second_per_gpu, case.target_utilization, case.peak_factor
        )
        serving = costs.self_hosted_cost_per_1k_calls(
            monthly_calls,
            case.gpu_hourly_cost,
            case.calls_per_second_per_gpu,
            case.target_utilization,
            case.peak_factor,
        )
    else:
        assert case.input_tokens_per_call is not None and case.output_tokens_per_call is not None
        assert case.student_input_price_per_million is not None
        assert case.student_output_price_per_million is not None
        serving = costs.cost_per_1k_calls(
            case.input_tokens_per_call,
            case.output_tokens_per_call,
            case.student_input_price_per_million,
            case.student_output_price_per_million,
        )
    student = serving + case.escalation_share * teacher_cost_per_1k
    savings = roi.savings_of(
        _kernel.Named(
            case,
            teacher_cost_per_1k=teacher_cost_per_1k,
            student_cost_per_1k=student,
            monthly_calls=monthly_calls,
        )
    )
    return Economics(serving, student, gpus, savings)


def upfront_items_of(case: Case, teacher_cost_per_1k: float) -> tuple[float, float, float, float]:
    """Data generation, training compute, evaluation build and engineering time."""
    if case.upfront_cost is not None:
        return (0.0, 0.0, 0.0, 0.0)
    day_rate = 0.0 if case.day_rate is None else float(case.day_rate)
    if case.data_generation_cost is not None:
        data_generation = float(case.data_generation_cost)
    else:
        assert case.corpus_examples is not None
        data_generation = costs.data_generation_cost(
            case.corpus_examples,
            teacher_cost_per_1k,
            case.data_generation_passes,
            case.batch_discount,
        )
    training = 0.0 if case.training_compute is None else float(case.training_compute)
    if case.evaluation_build is not None:
        evaluation = float(case.evaluation_build)
    else:
        evaluation = (case.evaluation_days or 0.0) * day_rate
    if case.engineering_time is not None:
        engineering = float(case.engineering_time)
    else:
        engineering = (case.engineering_days or 0.0) * day_rate
    return (data_generation, training, evaluation, engineering)


def annual_maintenance_of(case: Case) -> float:
    """A year of maintenance: given directly, or redistillations × their cost."""
    if case.annual_maintenance is not None:
        return float(case.annual_maintenance)
    assert case.redistillations_per_year is not None and case.redistillation_cost is not None
    return float(case.redistillations_per_year) * float(case.redistillation_cost)


@dataclass(frozen=True)
class Resolved:
    """A case's derived figures: what its inputs work out to before any payback or verdict."""

    student_pricing: StudentPricing
    teacher_cost_per_1k: float
    student_serving_cost_per_1k: float
    student_cost_per_1k: float
    gpus: int | None
    monthly_savings: float
    data_generation_cost: float
    training_compute: float
    evaluation_build: float
    engineering_time: float
    upfront_cost: float
    annual_maintenance: float
    assumed: tuple[str, ...]
    """Inputs the case leaves at their default value (the figures assume them)."""


_ASSUMABLE = (
    "monthly_growth",
    "peak_factor",
    "target_utilization",
    "escalation_share",
    "data_generation_passes",
    "batch_discount",
    "target_payback_months",
    "discount_rate",
    "horizon_months",
)


def resolve(case: Case) -> Resolved:
    """Work out a case's derived figures: the teacher's and student's cost per 1,000 calls,
    the GPUs, the monthly savings, the upfront items and total, the annual maintenance, and
    which inputs were assumed.

    Examples
    --------
    >>> from xl_roi import Case
    >>> figures = resolve(Case(monthly_calls=2_000_000, teacher_cost_per_1k=12.0,
    ...     student_cost_per_1k=1.5, upfront_cost=52_500, annual_maintenance=40_000))
    >>> figures.student_pricing, figures.monthly_savings, figures.upfront_cost
    (<StudentPricing.PER_CALL: 'Per 1,000 calls'>, 21000.0, 52500.0)
    """
    teacher = teacher_cost_per_1k_of(case)
    economics = economics_at(case, teacher, case.monthly_calls)
    items = upfront_items_of(case, teacher)
    upfront = (
        float(case.upfront_cost) if case.upfront_cost is not None else costs.upfront_cost(*items)
    )
    defaults = type(case).__dataclass_fields__
    assumed = tuple(name for name in _ASSUMABLE if getattr(case, name) == defaults[name].default)
    return Resolved(
        student_pricing(case),
        teacher,
        economics.student_serving_cost_per_1k,
        economics.student_cost_per_1k,
        economics.gpus,
        economics.monthly_savings,
        *items,
        upfront,
        annual_maintenance_of(case),
        assumed,
    )
