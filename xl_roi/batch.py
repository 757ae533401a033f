"""Many cases at once: the arithmetic of :func:`~xl_roi.evaluate` over numpy arrays.

Sensitivity tables, grids, Monte Carlo draws and portfolio screens evaluate thousands to millions
of variants of a case. This module does it in a handful of array operations, in the same order
as the scalar core, so that each element equals what :func:`~xl_roi.evaluate` gives for the
same inputs, to rounding (the tests hold it to 1e-12).

A case is first flattened into :class:`CaseInputs` — its figures resolved to plain numbers
(tokens and prices to cost per 1k, days to amounts) — whose fields may then be replaced by arrays.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from xl_roi import _kernel, cashflow
from xl_roi.case import DEFAULT_INPUTS, Case
from xl_roi.costs import HOURS_PER_MONTH, gpu_calls_per_month
from xl_roi.fields import FIELDS
from xl_roi.resolve import resolve, worked_out_from
from xl_roi.uncertainty import INPUT_LABELS

__all__ = [
    "ASSUMPTIONS",
    "CaseInputs",
    "apply_assumption",
    "breakeven_array",
    "discounted_payback_array",
    "evaluate_arrays",
    "npv_array",
    "payback_after_maintenance_array",
    "payback_array",
]

FloatArray = npt.NDArray[np.float64]
ArrayLike = float | FloatArray

ASSUMPTIONS: dict[str, str] = INPUT_LABELS
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
    extra: dict[str, ArrayLike] = dataclasses.field(default_factory=dict)
    """Every other number input of the case, by its name (from the registry of fields): a
    calculation reads it by name as it reads the figures above. An input named nowhere here
    reads as the case's default (NaN where the case has none)."""

    def __getattr__(self, name: str) -> Any:
        extra = self.__dict__.get("extra")
        if extra is None or name.startswith("__"):
            raise AttributeError(name)
        if name in extra:
            return extra[name]
        entry = FIELDS.get(name)
        if entry is None or not entry.in_case or entry.bound is None:
            raise AttributeError(name)
        default = getattr(DEFAULT_INPUTS, name, None)
        return math.nan if default is None else float(default)

    @classmethod
    def of(cls, figures: Mapping[str, ArrayLike]) -> CaseInputs:
        """Inputs from figures by name (as :meth:`named` gives them).

        Examples
        --------
        >>> from xl_roi import example_case
        >>> inputs = CaseInputs.from_case(example_case())
        >>> CaseInputs.of(inputs.named()) == inputs
        True
        """
        own = {name: value for name, value in figures.items() if name in _OWN_FIGURES}
        return cls(**own, extra={k: v for k, v in figures.items() if k not in _OWN_FIGURES})

    def named(self) -> dict[str, ArrayLike]:
        """Every figure by name: those above and the other inputs."""
        return {**{name: getattr(self, name) for name in _OWN_FIGURES}, **self.extra}

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
        figures = resolve(case)
        teacher = figures.teacher_cost_per_1k
        serving = nan if case.is_self_hosted else figures.student_serving_cost_per_1k
        items = (
            figures.data_generation_cost,
            figures.training_compute,
            figures.evaluation_build,
            figures.engineering_time,
        )
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
            annual_maintenance=figures.annual_maintenance,
            target_payback_months=float(case.target_payback_months),
            extra={
                name: number(getattr(case, name))
                for name, entry in FIELDS.items()
                if entry.in_case and entry.bound is not None and name not in _OWN_FIGURES
            },
        )

    def replace(self, **changes: Any) -> CaseInputs:
        """A copy with some figures replaced (by numbers or arrays).

        Replacing ``student_cost_per_1k`` makes the student priced per call; replacing
        ``upfront_cost`` drops the itemisation — as :func:`apply_assumption` does to a Case.
        """
        if "student_cost_per_1k" in changes:
            changes.setdefault("gpu_hourly_cost", math.nan)
        return CaseInputs.of({**self.named(), **changes})


_OWN_FIGURES = tuple(item.name for item in dataclasses.fields(CaseInputs) if item.name != "extra")


def payback_array(upfront: ArrayLike, savings: ArrayLike, growth: ArrayLike) -> FloatArray:
    """:func:`~xl_roi.roi.payback_months` over arrays, element for element the same.

    Examples
    --------
    >>> payback_array(np.array([52_500.0, 0.0, 1.0]), np.array([21_000.0, 5.0, -1.0]), 0.0)
    array([2.5, 0. , inf])
    """
    upfront, savings, growth = np.broadcast_arrays(
        np.asarray(upfront, dtype=float),
        np.asarray(savings, dtype=float),
        np.asarray(growth, dtype=float),
    )
    result: FloatArray = np.asarray(_kernel.payback(upfront, savings, growth, _kernel.array_ops()))
    return result


def breakeven_array(
    upfront: Any,
    teacher: Any,
    student: Any,
    target: Any,
    growth: Any,
    gpu_monthly_cost: Any,
    calls_per_gpu_month: Any,
    inputs: Any = DEFAULT_INPUTS,
) -> Any:
    """:func:`breakeven_volume` over numpy arrays (NaN ``gpu_monthly_cost``: priced per call;
    ``inputs``: any other input the savings read, by name).

    ``gpu_monthly_cost`` is one GPU's bill a month (hourly × 730); ``calls_per_gpu_month`` the
    calls a month one GPU carries at the peak within its target load. The scalar function
    (:func:`xl_roi.roi.breakeven_volume`) runs the same steps with :mod:`math`: they agree to
    rounding.

    Examples
    --------
    >>> breakeven_array(52_500.0, 12.0, np.array([1.5, 12.0]), 12.0, 0.0, np.nan, np.nan)
    array([416666.66666667,              inf])
    """
    upfront, teacher, student, target, growth, gpu, capacity = np.broadcast_arrays(
        *(
            np.asarray(value, dtype=float)
            for value in (
                upfront,
                teacher,
                student,
                target,
                growth,
                gpu_monthly_cost,
                calls_per_gpu_month,
            )
        )
    )
    return np.asarray(
        _kernel.breakeven(
            upfront,
            _kernel.Named(inputs, teacher_cost_per_1k=teacher, student_cost_per_1k=student),
            target,
            growth,
            gpu,
            capacity,
            _kernel.array_ops(),
        )
    )


def payback_after_maintenance_array(
    upfront: Any, savings: Any, annual_maintenance: Any, growth: Any, *, payback: Any = None
) -> Any:
    """:func:`~xl_roi.roi.payback_after_maintenance_months` over numpy arrays (the same steps
    and operations: the two agree to rounding). ``payback``: :func:`payback_array` of the
    same figures, where the caller has it already.

    Examples
    --------
    >>> payback_after_maintenance_array(52_500.0, np.array([21_000.0, 3_000.0]), 40_000.0, 0.0)
    array([2.97169811,        inf])
    """
    arrays = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (upfront, savings, annual_maintenance, growth))
    )
    shape = arrays[0].shape
    upfront, savings, maintenance, growth = (np.array(v).reshape(-1) for v in arrays)
    if payback is None:
        before = payback_array(upfront, savings, growth)
    else:
        before = np.broadcast_to(np.asarray(payback, dtype=float), shape).reshape(-1)
    monthly = maintenance / 12.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        net = savings - monthly
        flat = np.where(net > 0.0, upfront / net, np.inf)
        solve = (growth != 0.0) & (monthly > 0.0) & (upfront > 0.0) & (savings > 0.0)
        result = np.where(growth == 0.0, flat, np.inf)
        if np.any(solve):
            index = np.nonzero(solve)
            result[index] = _solve_after_maintenance(
                upfront[index], savings[index], monthly[index], growth[index], before[index]
            )
        result = np.where(monthly == 0.0, before, result)
        result = np.where(upfront == 0.0, 0.0, result)
        # never sooner than payback before maintenance (a rounding guard; true in exact terms)
        result = np.where(result < before, before, result)
    return result.reshape(shape)


def _cumulative_gap(
    n: Any, upfront: Any, savings: Any, monthly: Any, growth: Any, rate: Any
) -> Any:
    """Cumulative (growing) savings less maintenance after ``n`` months, less the upfront."""
    return _kernel.cumulative_gap(n, upfront, savings, monthly, growth, _kernel.array_ops(), rate)


def _solve_after_maintenance(
    upfront: Any, savings: Any, monthly: Any, growth: Any, before: Any
) -> Any:
    """The first month count at which savings less maintenance recover the upfront cost
    (``before``: the payback before maintenance).

    The cumulative net ``f(n) = s·((1+g)^n − 1)/g − m·n − U`` is convex when volume grows
    (it falls, then rises for ever) and concave when it shrinks (it rises to one peak, then
    falls; past a peak below zero it never pays back). A bracket ``[low, high]`` with
    ``f(low) < 0 ≤ f(high)`` closes by Newton steps from the side where the tangent cannot
    overshoot (``high`` when convex, ``low`` when concave), or by halving when a Newton step
    would shrink it by less than half: quadratic near the root, never slower than bisection.
    Each element stops when it no longer moves, so it ends the same alone or among a million.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ops = _kernel.array_ops()  # the operations roi's one-case solver runs
        rate = ops.log1p(growth)
        growing = growth > 0.0
        peak = np.where(
            growing,
            np.inf,
            np.minimum(ops.log(monthly * growth / (savings * rate)) / rate, _kernel.FARTHEST_MONTH),
        )
        # growing volume: from payback (maintenance only delays it), double until f ≥ 0
        high = np.where(growing, np.maximum(1.0, before), peak)
        short = np.nonzero(growing)[0]
        for _ in range(2_100):  # each pass works on the elements still short
            if short.size == 0:
                break
            gap = _cumulative_gap(
                high[short],
                upfront[short],
                savings[short],
                monthly[short],
                growth[short],
                rate[short],
            )
            short = short[gap < 0.0]
            high[short] *= 2.0
        reachable = np.where(
            growing,
            np.isfinite(high),
            (peak > 0.0) & (_cumulative_gap(peak, upfront, savings, monthly, growth, rate) >= 0.0),
        )
        low = np.zeros_like(high)
        last_step = high - low
        index = np.nonzero(reachable)[0]
        for _ in range(400):  # each pass works on the elements still moving
            if index.size == 0:
                break
            lo, hi, previous = low[index], high[index], last_step[index]
            u, s, m, g, r = (
                upfront[index],
                savings[index],
                monthly[index],
                growth[index],
                rate[index],
            )
            x = np.where(g > 0.0, hi, lo)  # the side the tangent cannot overshoot
            newton = _kernel.newton_step(x, u, s, m, g, ops, r)
            step = np.abs(newton - x)
            # Newton while it stays in the bracket and its steps at least halve (or the
            # bracket is already within a hundredth of a month); else halve the bracket
            use = (
                np.isfinite(newton)
                & (newton > lo)
                & (newton < hi)
                & ((step <= previous / 2.0) | (hi - lo < 0.01))
            )
            candidate = np.where(use, newton, (lo + hi) / 2.0)
            # settled: Newton's fixed point, or a step that reaches the bracket's other end
            # (possible only by rounding: the root is then that end, to the last bit)
            up = g > 0.0
            settled = (newton == x) | np.where(up, newton <= lo, newton >= hi)
            moving = ~settled & (candidate != lo) & (candidate != hi)
            below = _cumulative_gap(candidate, u, s, m, g, r) < 0.0
            low[index] = np.where(moving & below, candidate, lo)
            high[index] = np.where(moving & ~below, candidate, hi)
            last_step[index] = np.where(use, step, (hi - lo) / 2.0)
            index = index[moving]
        # the end of the final bracket where the cumulative net is nearer zero (Newton settles
        # on one end; rounding may leave the other end the nearer one)
        at_low = _cumulative_gap(low, upfront, savings, monthly, growth, rate)
        at_high = _cumulative_gap(high, upfront, savings, monthly, growth, rate)
        found = np.where(np.abs(at_high) <= np.abs(at_low), high, low)
    return np.where(reachable, found, np.inf)


def _monthly_rates(discount_rate: FloatArray) -> FloatArray:
    """Each annual rate's monthly rate: :func:`xl_roi.cashflow.monthly_rate`'s operations on
    arrays, so equal to it to rounding."""
    ops = _kernel.array_ops()
    result: FloatArray = np.asarray(ops.expm1(ops.log1p(discount_rate) / 12.0), dtype=float)
    return result


def npv_array(
    upfront: Any,
    savings: Any,
    annual_maintenance: Any,
    discount_rate: Any,
    horizon: Any,
    growth: Any,
) -> FloatArray:
    """:func:`xl_roi.cashflow.present_value` over numpy arrays, step for step (equal to the last
    bit). Inputs as that function checks them; ``horizon`` whole months.

    Examples
    --------
    >>> npv_array(52_500.0, np.array([21_000.0, 3_000.0]), 40_000.0, 0.0, 12, 0.0)
    array([159500., -56500.])
    """
    upfront, savings, maintenance, rate, months, growth = (
        np.array(value, dtype=float)
        for value in np.broadcast_arrays(
            *(
                np.asarray(v, dtype=float)
                for v in (upfront, savings, annual_maintenance, discount_rate, horizon, growth)
            )
        )
    )
    factor = 1.0 + _monthly_rates(rate)
    growth_factor = 1.0 + growth
    monthly = maintenance / 12.0
    total: FloatArray = 0.0 - upfront
    discount = np.ones_like(total)
    grown = np.ones_like(total)
    shortest = int(months.min(initial=0.0))
    undiscounted = bool(np.all(factor == 1.0))  # x / 1 and x × 1 are x exactly: skip them
    with np.errstate(over="ignore", invalid="ignore"):
        for month in range(1, int(months.max(initial=0.0)) + 1):
            if undiscounted:  # the kernel's step with x / 1 and x × 1 left out (both exact)
                step = total + savings * grown - monthly
            else:
                step, discount = _kernel.npv_month(total, discount, grown, savings, monthly, factor)
            total = step if month <= shortest else np.where(month <= months, step, total)
            grown = grown * growth_factor
    return total


def discounted_payback_array(
    upfront: Any,
    savings: Any,
    annual_maintenance: Any,
    discount_rate: Any,
    growth: Any,
    after_maintenance: Any = None,
) -> FloatArray:
    """:func:`xl_roi.cashflow.discounted_payback` over numpy arrays: at a 0 % rate the same
    months summed in closed form (:func:`xl_roi._kernel.crossing_at_no_discount`, from
    ``after_maintenance`` where already worked out, else
    :func:`payback_after_maintenance_array`); at other rates step for step, each element
    stopping the month it crosses zero or can no longer. Equal to it to rounding.

    Examples
    --------
    >>> discounted_payback_array(52_500.0, np.array([21_000.0, 3_000.0]), 40_000.0, 0.1, 0.0)
    array([3.01952517,        inf])
    """
    arrays = np.broadcast_arrays(
        *(
            np.asarray(v, dtype=float)
            for v in (upfront, savings, annual_maintenance, discount_rate, growth)
        )
    )
    shape = arrays[0].shape
    upfront, savings, maintenance, rate, growth = (np.array(v).reshape(-1) for v in arrays)
    factor = 1.0 + _monthly_rates(rate)
    growth_factor = 1.0 + growth
    monthly = maintenance / 12.0
    result = np.full(upfront.shape, np.inf)
    result[upfront == 0.0] = 0.0
    flat = np.flatnonzero((rate == 0.0) & (upfront != 0.0))
    if flat.size:
        if after_maintenance is None:
            after = payback_after_maintenance_array(
                upfront[flat], savings[flat], maintenance[flat], growth[flat]
            )
        else:
            after = np.broadcast_to(np.asarray(after_maintenance, dtype=float), shape)
            after = np.array(after).reshape(-1)[flat]
        result[flat] = _kernel.crossing_at_no_discount(
            upfront[flat],
            savings[flat],
            monthly[flat],
            growth[flat],
            after,
            float(cashflow.PAYBACK_SEARCH_MONTHS),
            _kernel.array_ops(),
        )
    # at other rates, and where the closed form could not settle the month: month by month
    index = np.flatnonzero((upfront != 0.0) & ((rate != 0.0) | np.isnan(result)))
    total = 0.0 - upfront[index]
    discount = np.ones_like(total)
    grown = np.ones_like(total)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for month in range(1, cashflow.PAYBACK_SEARCH_MONTHS + 1):
            if index.size == 0:
                break
            month_savings = savings[index] * grown
            grown = grown * growth_factor[index]
            before = total
            total, flow, discount = _kernel.discounted_month(
                total, discount, month_savings, monthly[index], factor[index]
            )
            crossed = total >= 0.0
            result[index[crossed]] = np.where(
                np.isfinite(total[crossed]),
                (month - 1) + (-before[crossed]) / (total[crossed] - before[crossed]),
                float(month),
            )
            falling = (flow <= 0.0) & ((growth[index] <= 0.0) | (month_savings <= 0.0))
            keep = ~crossed & ~falling & np.isfinite(total)
            index, total, discount, grown = index[keep], total[keep], discount[keep], grown[keep]
    reshaped: FloatArray = result.reshape(shape)
    return reshaped


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
    f = {name: np.asarray(value, dtype=float) for name, value in inputs.named().items()}
    calls = f["monthly_calls"]
    teacher = f["teacher_cost_per_1k"]
    self_hosted = ~np.isnan(f["gpu_hourly_cost"])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ops = _kernel.array_ops()
        gpus = _kernel.whole_gpus(
            _kernel.peak_calls_per_second(calls, f["peak_factor"], ops),
            f["calls_per_second_per_gpu"],
            f["target_utilization"],
            ops,
        )
        hosted = _kernel.gpu_cost_per_1k(gpus, f["gpu_hourly_cost"], calls, ops)
        serving = np.where(self_hosted, hosted, f["student_cost_per_1k"])
        student = serving + f["escalation_share"] * teacher
        figures = _kernel.Named(inputs, **f)  # an input named nowhere: its default
        savings = _kernel.monthly_savings(_kernel.Named(figures, student_cost_per_1k=student), ops)
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
        net = _kernel.annual_net_benefit(savings, f["annual_maintenance"])
        share = _kernel.savings_share(teacher, student)
        breakeven = breakeven_array(
            upfront,
            teacher,
            np.where(self_hosted, f["escalation_share"] * teacher, student),
            f["target_payback_months"],
            f["monthly_growth"],
            np.where(self_hosted, f["gpu_hourly_cost"] * HOURS_PER_MONTH, np.nan),
            gpu_calls_per_month(
                f["calls_per_second_per_gpu"], f["target_utilization"], f["peak_factor"]
            ),
            figures,
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
    return case.replace(**{name: value}, **dict.fromkeys(worked_out_from(name)))
