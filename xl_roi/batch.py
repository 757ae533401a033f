"""Many cases at once: the arithmetic of :func:`~xl_roi.case.evaluate` over numpy arrays.

Sensitivity tables, grids, Monte Carlo draws and portfolio screens evaluate thousands to millions
of variants of a case. This module does it in a handful of array operations, in the same order
as the scalar core, so that each element equals what :func:`~xl_roi.case.evaluate` gives for the
same inputs, to the last bit (the tests hold it to that).

A case is first flattened into :class:`CaseInputs` — its figures resolved to plain numbers
(tokens and prices to cost per 1k, days to amounts) — whose fields may then be replaced by arrays.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from xl_roi import case as case_module
from xl_roi.case import Case
from xl_roi.costs import HOURS_PER_MONTH, SECONDS_PER_MONTH
from xl_roi.roi import breakeven_array, payback_array

__all__ = ["ASSUMPTIONS", "CaseInputs", "apply_assumption", "evaluate_arrays", "payback_array"]

FloatArray = npt.NDArray[np.float64]
ArrayLike = float | FloatArray

ASSUMPTIONS: dict[str, str] = {
    "monthly_calls": "Monthly volume",
    "teacher_cost_per_1k": "Teacher cost per 1k",
    "student_cost_per_1k": "Student cost per 1k",
    "gpu_hourly_cost": "GPU hourly cost",
    "target_utilization": "Target utilisation",
    "upfront_cost": "Upfront cost",
    "annual_maintenance": "Annual maintenance",
    "monthly_growth": "Monthly growth",
}
"""The assumptions a case can be moved along, by field name, with their labels."""


@dataclass(frozen=True)
class CaseInputs:
    """A case's figures resolved to numbers; any field may be replaced by an array.

    ``student_cost_per_1k`` is the student's serving cost per 1k (before escalation) for a
    student priced per call, NaN for a self-hosted one. ``upfront_cost`` is NaN when the
    upfront cost is itemised, and ``data_generation_cost`` NaN when data generation is worked
    out from the corpus and the teacher's cost (so that it moves with the teacher's cost).
    """

    monthly_calls: ArrayLike
    monthly_growth: ArrayLike
    teacher_cost_per_1k: ArrayLike
    student_cost_per_1k: ArrayLike
    gpu_hourly_cost: ArrayLike
    calls_per_second_per_gpu: ArrayLike
    target_utilization: ArrayLike
    peak_factor: ArrayLike
    escalation_share: ArrayLike
    upfront_cost: ArrayLike
    data_generation_cost: ArrayLike
    corpus_examples: ArrayLike
    data_generation_passes: ArrayLike
    batch_discount: ArrayLike
    training_compute: ArrayLike
    evaluation_build: ArrayLike
    engineering_time: ArrayLike
    annual_maintenance: ArrayLike
    target_payback_months: ArrayLike

    @classmethod
    def from_case(cls, case: Case) -> CaseInputs:
        """Flatten a case.

        Examples
        --------
        >>> from xl_roi import example_case
        >>> inputs = CaseInputs.from_case(example_case())
        >>> inputs.teacher_cost_per_1k, inputs.evaluation_build, math.isnan(inputs.upfront_cost)
        (7.5, 8000.0, True)
        """
        nan = math.nan
        teacher = case_module._teacher_cost_per_1k(case)
        if case.is_self_hosted:
            serving = nan
        else:
            serving = case_module._economics_at(
                case, teacher, case.monthly_calls
            ).student_serving_cost_per_1k
        items = case_module._upfront_items(case, teacher)
        itemised = case.upfront_cost is None
        from_corpus = itemised and case.data_generation_cost is None

        def number(value: float | None) -> float:
            return nan if value is None else float(value)

        return cls(
            monthly_calls=float(case.monthly_calls),
            monthly_growth=float(case.monthly_growth),
            teacher_cost_per_1k=teacher,
            student_cost_per_1k=serving,
            gpu_hourly_cost=number(case.gpu_hourly_cost),
            calls_per_second_per_gpu=number(case.calls_per_second_per_gpu),
            target_utilization=float(case.target_utilization),
            peak_factor=float(case.peak_factor),
            escalation_share=float(case.escalation_share),
            upfront_cost=nan if itemised else float(case.upfront_cost),  # type: ignore[arg-type]
            data_generation_cost=nan if from_corpus else items[0],
            corpus_examples=number(case.corpus_examples),
            data_generation_passes=float(case.data_generation_passes),
            batch_discount=float(case.batch_discount),
            training_compute=items[1],
            evaluation_build=items[2],
            engineering_time=items[3],
            annual_maintenance=case_module._annual_maintenance(case),
            target_payback_months=float(case.target_payback_months),
        )

    def replace(self, **changes: Any) -> CaseInputs:
        """A copy with some figures replaced (by numbers or arrays).

        Replacing ``student_cost_per_1k`` makes the student priced per call; replacing
        ``upfront_cost`` drops the itemisation — as :func:`apply_assumption` does to a Case.
        """
        if "student_cost_per_1k" in changes:
            changes.setdefault("gpu_hourly_cost", math.nan)
        return dataclasses.replace(self, **changes)


def evaluate_arrays(inputs: CaseInputs) -> dict[str, FloatArray]:
    """The headline figures of every variant at once.

    Returns
    -------
    dict of arrays
        ``student_serving_cost_per_1k``, ``student_cost_per_1k`` (with escalation), ``gpus``
        (NaN where not self-hosted), ``upfront_cost``, ``monthly_savings``, ``payback_months``,
        ``annual_net_benefit``,
        ``savings_share`` and ``breakeven_monthly_calls``, broadcast over the inputs.

    Examples
    --------
    >>> from xl_roi import Case
    >>> base = CaseInputs.from_case(Case(monthly_calls=2_000_000, teacher_cost_per_1k=12.0,
    ...     student_cost_per_1k=1.5, upfront_cost=52_500, annual_maintenance=40_000))
    >>> out = evaluate_arrays(base.replace(monthly_calls=np.array([1e6, 2e6, 4e6])))
    >>> out["payback_months"]
    array([5.  , 2.5 , 1.25])
    """
    f = {name: np.asarray(value, dtype=float) for name, value in vars(inputs).items()}
    calls = f["monthly_calls"]
    teacher = f["teacher_cost_per_1k"]
    self_hosted = ~np.isnan(f["gpu_hourly_cost"])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        peak_calls_per_second = f["peak_factor"] * calls / SECONDS_PER_MONTH
        needed = peak_calls_per_second / (f["calls_per_second_per_gpu"] * f["target_utilization"])
        gpus = np.maximum(1.0, np.ceil(needed))
        hosted = gpus * f["gpu_hourly_cost"] * HOURS_PER_MONTH / (calls / 1000.0)
        serving = np.where(self_hosted, hosted, f["student_cost_per_1k"])
        student = serving + f["escalation_share"] * teacher
        savings = (teacher - student) * calls / 1000.0
        from_corpus = (
            f["corpus_examples"]
            * teacher
            / 1000.0
            * f["data_generation_passes"]
            * (1.0 - f["batch_discount"])
        )
        data_generation = np.where(
            np.isnan(f["data_generation_cost"]), from_corpus, f["data_generation_cost"]
        )
        itemised = (
            data_generation + f["training_compute"] + f["evaluation_build"] + f["engineering_time"]
        )
        upfront = np.where(np.isnan(f["upfront_cost"]), itemised, f["upfront_cost"])
        payback = payback_array(upfront, savings, f["monthly_growth"])
        net = 12.0 * savings - f["annual_maintenance"]
        share = (teacher - student) / teacher
        breakeven = breakeven_array(
            upfront,
            teacher,
            np.where(self_hosted, f["escalation_share"] * teacher, student),
            f["target_payback_months"],
            f["monthly_growth"],
            np.where(self_hosted, f["gpu_hourly_cost"] * HOURS_PER_MONTH, np.nan),
            f["calls_per_second_per_gpu"]
            * f["target_utilization"]
            * SECONDS_PER_MONTH
            / f["peak_factor"],
        )
    shape = np.broadcast_shapes(*(value.shape for value in f.values()))
    out = {
        "student_serving_cost_per_1k": serving,
        "student_cost_per_1k": student,
        "gpus": np.where(self_hosted, gpus, np.nan),
        "upfront_cost": upfront,
        "monthly_savings": savings,
        "payback_months": payback,
        "annual_net_benefit": net,
        "savings_share": share,
        "breakeven_monthly_calls": breakeven,
    }
    return {name: np.broadcast_to(value, shape) for name, value in out.items()}


def apply_assumption(case: Case, name: str, value: float) -> Case:
    """The case with one assumption set to a value, as :func:`evaluate_arrays` moves it.

    Setting the teacher's cost replaces its token prices (data generation from the corpus then
    follows the new cost); setting the student's cost makes it priced per call; setting the
    upfront cost or maintenance replaces their items.

    Examples
    --------
    >>> from xl_roi import evaluate, example_case
    >>> evaluate(apply_assumption(example_case(), "upfront_cost", 10_560)).upfront_cost
    10560.0
    """
    if name not in ASSUMPTIONS:
        raise KeyError(name)
    if name == "teacher_cost_per_1k":
        return case.replace(
            teacher_cost_per_1k=value,
            teacher_input_price_per_million=None,
            teacher_output_price_per_million=None,
        )
    if name == "student_cost_per_1k":
        return case.replace(
            student_cost_per_1k=value,
            student_input_price_per_million=None,
            student_output_price_per_million=None,
            gpu_hourly_cost=None,
            calls_per_second_per_gpu=None,
        )
    if name == "upfront_cost":
        cleared = dict.fromkeys(case_module.UPFRONT_ITEM_FIELDS)
        return case.replace(upfront_cost=value, **cleared)
    if name == "annual_maintenance":
        cleared = dict.fromkeys(case_module._MAINTENANCE_ITEM_FIELDS)
        return case.replace(annual_maintenance=value, **cleared)
    return case.replace(**{name: value})
