"""Monte Carlo: how likely the case is to pay back, given how uncertain its inputs are.

Each uncertain input gets a triangular distribution (low, likely, high) — by default the base
value ± the swing — and a million draws give the chance of paying back within a quarter and a
year, the chance of a positive annual net benefit, and P10/P50/P90 of both.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from xl_roi import _kernel
from xl_roi._sensitivity import _check_swing, _low_high, assumptions_of
from xl_roi.batch import CaseInputs, FloatArray, evaluate_arrays, payback_array
from xl_roi.case import Case
from xl_roi.errors import InputError
from xl_roi.evaluation import evaluate
from xl_roi.json_value import json_value
from xl_roi.uncertainty import check_range
from xl_roi.verdict import QUARTER_MONTHS, YEAR_MONTHS

__all__ = ["MAX_DRAWS", "SimulationResult", "default_ranges", "simulate"]

MAX_DRAWS = 50_000_000
"""More draws than this are refused: the answer stops changing long before, the memory doesn't."""

_CHUNK = 262_144
"""Draws evaluated at a time, so memory stays flat however many draws are asked for."""


@dataclass(frozen=True)
class SimulationResult:
    """What the draws say. Probabilities are shares of draws; percentiles are of the draws.

    ``payback_p*`` is ``inf`` where that share of draws never pays back. The
    ``quality_adjusted_*`` figures count the cost of worse answers (drawn with the cost of an
    error and the volume); ``nan`` when the case's cost of worse answers is not computed.
    """

    draws: int
    seed: int
    ranges: dict[str, tuple[float, float, float]]
    target_months: float
    p_payback_within_3_months: float
    p_payback_within_12_months: float
    p_payback_within_target: float
    p_net_benefit_positive: float
    payback_p10: float
    payback_p50: float
    payback_p90: float
    net_benefit_p10: float
    net_benefit_p50: float
    net_benefit_p90: float
    p_quality_adjusted_payback_within_target: float = math.nan
    p_quality_adjusted_net_benefit_positive: float = math.nan
    quality_adjusted_payback_p50: float = math.nan
    quality_adjusted_net_benefit_p50: float = math.nan

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: infinite paybacks (never) and ``nan`` (not computed) become
        ``None``."""
        data = asdict(self)
        data["ranges"] = {name: list(value) for name, value in self.ranges.items()}
        converted: dict[str, Any] = json_value(data)
        return converted


def default_ranges(case: Case, swing: float = 0.5) -> dict[str, tuple[float, float, float]]:
    """Triangular (low, likely, high) for each uncertain input: the base value ± the swing.

    Examples
    --------
    >>> from xl_roi import Case
    >>> ranges = default_ranges(Case(monthly_calls=2_000_000, teacher_cost_per_1k=12.0,
    ...     student_cost_per_1k=1.5, upfront_cost=52_500, annual_maintenance=40_000))
    >>> ranges["upfront_cost"]
    (26250.0, 52500.0, 78750.0)
    """
    spread = _check_swing(swing)
    inputs = CaseInputs.from_case(case)
    upfront = float(evaluate_arrays(inputs)["upfront_cost"])
    ranges = {}
    for name in assumptions_of(case):
        likely = upfront if name == "upfront_cost" else float(getattr(inputs, name))
        low, high = _low_high(name, likely, spread)
        ranges[name] = (low, likely, high)
    if _quality_terms(case) is not None:
        likely = float(case.cost_per_error or 0.0)
        low, high = _low_high("cost_per_error", likely, spread)
        ranges["cost_per_error"] = (low, likely, high)
    return ranges


def _quality_terms(case: Case) -> tuple[float, float] | None:
    """The cost of worse answers per call: (the part at slices' own costs, the part per unit of
    the case's cost per error); ``None`` when the case's cost is not computed or the case gives
    no cost per error of its own to draw."""
    if case.cost_per_error is None or case.monthly_calls <= 0:
        return None
    result = evaluate(case)
    if math.isnan(result.quality_cost_monthly):
        return None
    own = unit = 0.0
    for item in case.quality_slices:
        share = (item.traffic_share or 0.0) * max(0.0, item.teacher_score - item.student_score)
        if item.cost_per_error is None:
            unit += share
        else:
            own += share * float(item.cost_per_error)
    return own, unit


def _check_ranges(
    case: Case, ranges: Mapping[str, Any] | None, swing: float
) -> dict[str, tuple[float, float, float]]:
    """The ranges to draw from: base ± swing, then the case's own, then those given here."""
    chosen = default_ranges(case, swing)
    for name, low, likely, high in case.uncertainty:
        chosen[name] = (low, likely, high)
    for name, given in (ranges or {}).items():
        chosen[name] = check_range(name, given, self_hosted=case.is_self_hosted, where="ranges")
    if "cost_per_error" in chosen and _quality_terms(case) is None:
        raise InputError(
            "cost_per_error can be drawn only when the case's cost of worse answers is computed: "
            "give cost_per_error, and a traffic share for every slice whose score drops"
        )
    return chosen


def _draw(
    generator: np.random.Generator, spec: tuple[float, float, float], size: int
) -> FloatArray:
    low, likely, high = spec
    if low == high:
        return np.full(size, likely)
    return generator.triangular(low, likely, high, size)


def simulate(
    case: Case,
    ranges: Mapping[str, Any] | None = None,
    draws: int = 100_000,
    seed: int = 0,
    swing: float = 0.5,
) -> SimulationResult:
    """Draw the uncertain inputs and count how often the case pays back.

    Parameters
    ----------
    case : Case
        The case; its values are the most likely ones.
    ranges : mapping, optional
        Input name → (low, likely, high), for any of the case's uncertain inputs
        (:func:`~xl_roi.uncertainty.uncertain_inputs`); these replace the case's own ranges
        (``case.uncertainty``, a case file's ``[uncertainty]`` table), and the rest default to
        base ± ``swing``.
    draws : int, default 100,000
        How many draws (1 to 50,000,000).
    seed : int, default 0
        The random seed: the same seed gives the same numbers.
    swing : float, default 0.5
        The spread of the default ranges.

    Returns
    -------
    SimulationResult

    Examples
    --------
    >>> from xl_roi import Case
    >>> result = simulate(Case(monthly_calls=2_000_000, teacher_cost_per_1k=12.0,
    ...     student_cost_per_1k=1.5, upfront_cost=52_500, annual_maintenance=40_000), draws=10_000)
    >>> 0.5 < result.p_payback_within_3_months < 1.0, result.p_net_benefit_positive
    (True, 1.0)
    """
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)):
        raise InputError(f"draws must be a whole number from 1 to {MAX_DRAWS:,}, got {draws!r}")
    if not 1 <= draws <= MAX_DRAWS:
        raise InputError(f"draws must be a whole number from 1 to {MAX_DRAWS:,}, got {draws:,}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed must be a whole number ≥ 0, got {seed!r}")
    chosen = _check_ranges(case, ranges, swing)
    inputs = CaseInputs.from_case(case)
    target = float(inputs.target_payback_months)
    generator = np.random.default_rng(int(seed))
    payback = np.empty(draws)
    net = np.empty(draws)
    terms = _quality_terms(case)
    adjusted_payback = np.empty(draws if terms else 0)
    adjusted_net = np.empty(draws if terms else 0)
    for start in range(0, draws, _CHUNK):
        size = min(_CHUNK, draws - start)
        drawn = {name: _draw(generator, spec, size) for name, spec in chosen.items()}
        cost_per_error = drawn.pop("cost_per_error", None)
        out = evaluate_arrays(inputs.replace(**drawn))
        payback[start : start + size] = out["payback_months"]
        net[start : start + size] = out["annual_net_benefit"]
        if terms is not None and cost_per_error is not None:
            own, unit = terms
            calls = np.broadcast_to(drawn.get("monthly_calls", inputs.monthly_calls), (size,))
            quality = (own + unit * cost_per_error) * calls
            savings = out["monthly_savings"] - quality
            growth = drawn.get("monthly_growth", inputs.monthly_growth)
            adjusted_payback[start : start + size] = payback_array(
                out["upfront_cost"], savings, growth
            )
            maintenance = drawn.get("annual_maintenance", inputs.annual_maintenance)
            adjusted_net[start : start + size] = _kernel.annual_net_benefit(savings, maintenance)
    adjusted = {}
    if terms is not None:
        adjusted = {
            "p_quality_adjusted_payback_within_target": float(
                np.count_nonzero(adjusted_payback <= target)
            )
            / draws,
            "p_quality_adjusted_net_benefit_positive": float(np.count_nonzero(adjusted_net > 0.0))
            / draws,
            "quality_adjusted_payback_p50": float(
                np.quantile(adjusted_payback, 0.5, method="inverted_cdf")
            ),
            "quality_adjusted_net_benefit_p50": float(
                np.quantile(adjusted_net, 0.5, method="inverted_cdf")
            ),
        }
    payback_percentiles = np.quantile(payback, [0.1, 0.5, 0.9], method="inverted_cdf")
    net_percentiles = np.quantile(net, [0.1, 0.5, 0.9], method="inverted_cdf")
    return SimulationResult(
        draws=int(draws),
        seed=int(seed),
        ranges=chosen,
        target_months=target,
        p_payback_within_3_months=float(np.count_nonzero(payback <= QUARTER_MONTHS)) / draws,
        p_payback_within_12_months=float(np.count_nonzero(payback <= YEAR_MONTHS)) / draws,
        p_payback_within_target=float(np.count_nonzero(payback <= target)) / draws,
        p_net_benefit_positive=float(np.count_nonzero(net > 0.0)) / draws,
        payback_p10=float(payback_percentiles[0]),
        payback_p50=float(payback_percentiles[1]),
        payback_p90=float(payback_percentiles[2]),
        net_benefit_p10=float(net_percentiles[0]),
        net_benefit_p50=float(net_percentiles[1]),
        net_benefit_p90=float(net_percentiles[2]),
        **adjusted,
    )
