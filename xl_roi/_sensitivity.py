"""Which assumption breaks the case: the tornado, named scenarios, break-evens and a grid.

Every serious case names its load-bearing assumption. :func:`sensitivity` moves each assumption
one at a time to a low and a high value and ranks them by how far payback swings (a tornado);
adds named scenarios (half volume, serving utilisation below plan, maintenance twice
as often, the teacher's price halved); and gives, for each assumption, the value at which the
case breaks. :func:`grid` gives payback over volume × student cost, for a heat map.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from xl_roi import _kernel
from xl_roi.batch import ASSUMPTIONS, CaseInputs, FloatArray, evaluate_arrays
from xl_roi.bounds import BOUNDS
from xl_roi.case import Case
from xl_roi.costs import HOURS_PER_MONTH, gpu_calls_per_month
from xl_roi.errors import InputError, check_number, describe_value
from xl_roi.evaluation import breakeven_monthly_calls, evaluate
from xl_roi.roi import other_inputs
from xl_roi.text import figure_cell

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COST_PER_ERROR_LABEL",
    "HEADLINE_TABLE_HEADER",
    "HEADLINE_TABLE_ROWS",
    "SENSITIVITY_COLUMNS",
    "assumptions_of",
    "breakeven_values",
    "grid",
    "headline_table",
    "sensitivity",
    "volume_holds_below",
]

SENSITIVITY_COLUMNS = (
    "assumption",
    "kind",
    "base",
    "low",
    "high",
    "payback_low",
    "payback_high",
    "net_low",
    "net_high",
    "payback_swing",
    "net_swing",
    "breakeven_payback",
    "breakeven_net",
)
"""The columns of :func:`sensitivity`'s table, in order."""


def assumptions_of(case: Case) -> list[str]:
    """The assumptions a case is moved along: its volume, prices, upfront, maintenance, growth.

    Examples
    --------
    >>> from xl_roi import example_case
    >>> assumptions_of(example_case())
    ['monthly_calls', 'teacher_cost_per_1k', 'student_cost_per_1k', 'upfront_cost', \
'annual_maintenance', 'monthly_growth']
    """
    names = ["monthly_calls", "teacher_cost_per_1k"]
    if case.is_self_hosted:
        names += ["gpu_hourly_cost", "target_utilization"]
    else:
        names.append("student_cost_per_1k")
    names += ["upfront_cost", "annual_maintenance"]
    if case.monthly_growth != 0.0:
        names.append("monthly_growth")
    return names


def _base_value(inputs: CaseInputs, base_upfront: float, name: str) -> float:
    if name == "upfront_cost":
        return base_upfront
    return float(getattr(inputs, name))


def _low_high(name: str, base: float, swing: float) -> tuple[float, float]:
    if name == "monthly_growth":
        return base - swing * abs(base), base + swing * abs(base)
    low, high = base * (1.0 - swing), base * (1.0 + swing)
    maximum = BOUNDS[name].maximum  # a utilisation stops at a full GPU
    return low, high if maximum is None else min(high, maximum)


def _swing(low: float, high: float) -> float:
    """How far payback moves between two values; NaN when it never comes at either (it does
    not move, but a swing of 0 would read as a payback that holds)."""
    if math.isinf(low) and math.isinf(high):
        return math.nan
    return abs(high - low)


def _rank_key(swing: float) -> float:
    """A swing as the tornado ranks it: NaN (never at both ends) as no swing."""
    return 0.0 if math.isnan(swing) else rank_figure(swing)


RANK_DIGITS = 10
"""Significant figures the tornado ranks swings on: swings that agree to these many figures
are ties (listed in the order of the assumptions), so that a difference in the last bit of
rounding, which another spreadsheet engine need not reproduce, never reorders the table."""


def rank_figure(swing: float) -> float:
    """A swing rounded to :data:`RANK_DIGITS` significant figures, as the tornado ranks it.

    Examples
    --------
    >>> rank_figure(20.738015133283394) == rank_figure(20.738015133283398)
    True
    >>> rank_figure(math.inf), rank_figure(0.0)
    (inf, 0.0)
    """
    if swing == 0.0 or not math.isfinite(swing):
        return swing
    return round(swing, RANK_DIGITS - 1 - math.floor(math.log10(abs(swing))))


def _payback_factor(target: float, growth: float) -> float:
    """Savings ÷ upfront at which payback equals the target: 1/n, or g / ((1+g)^n − 1)."""
    return float(_kernel.target_savings_factor(target, growth))


def _solve_growth(upfront: float, savings: float, target: float) -> float:
    """The monthly growth at which payback equals the target (bisection to the last bit)."""
    if savings <= 0.0:
        return math.nan

    def shortfall(growth: float) -> float:  # cumulative savings after `target` months − upfront
        return float(_kernel.growing_savings(savings, target, growth)) - upfront

    low, high = -0.999999, 1.0
    while shortfall(high) < 0.0 and high < 1e6:
        high *= 2.0
    if shortfall(low) > 0.0 or shortfall(high) < 0.0:
        return math.nan
    for _ in range(200):
        middle = (low + high) / 2.0
        if middle in (low, high):
            break
        if shortfall(middle) < 0.0:
            low = middle
        else:
            high = middle
    return high


def _threshold(inputs: CaseInputs, name: str, base: float, metric: str, goal: float) -> float:
    """Where the utilisation of a self-hosted student crosses the goal.

    Bisection on the predicate "meets the goal" between the base and a value far off; GPUs are
    whole, so the metric jumps, and the value returned is where it first fails, not an equality.
    Lower utilisation only ever adds GPUs, so the predicate changes once and bisection finds
    that change. (Volume is not searched so: its savings drop at every GPU step.)
    """

    def meets(value: float) -> bool:
        out = evaluate_arrays(inputs.replace(**{name: value}))
        if metric == "payback":
            return bool(out["payback_months"] <= goal)
        return bool(out["annual_net_benefit"] > goal)

    if not meets(base):
        return math.nan
    far = base * 1e-9 if base > 0 else 0.0
    if meets(far):
        return math.nan
    good, bad = base, far
    for _ in range(200):
        middle = (good + bad) / 2.0
        if middle in (good, bad):
            break
        if meets(middle):
            good = middle
        else:
            bad = middle
    return good


def _nonnegative(value: float, upper: float = math.inf) -> float:
    return value if 0.0 <= value <= upper else math.nan


def breakeven_values(
    case: Case, target_months: float | None = None, assumptions: Sequence[str] | None = None
) -> dict[str, tuple[float, float]]:
    """For each assumption, where payback reaches the target and where net benefit reaches zero.

    Parameters
    ----------
    case : Case
        The case.
    target_months : float, optional
        The payback target (default: the case's ``target_payback_months``).
    assumptions : sequence of str, optional
        Which assumptions (default: :func:`assumptions_of` the case).

    Returns
    -------
    dict
        Assumption → (value at which payback equals the target, value at which annual net benefit
        is zero). NaN where moving that assumption alone never gets there (maintenance does not
        change payback; upfront and growth do not change annual net benefit). The volume at
        which payback reaches the target is the case's break-even volume
        (:func:`xl_roi.roi.breakeven_volume`: with the case's growth, whole GPUs when
        self-hosted — then a threshold: just above it payback meets the target, just below it
        misses). For a self-hosted student the volume at which net benefit reaches zero is
        defined alike: the lowest volume above which net benefit is positive at every volume
        (each GPU added cuts the savings, so some lower volumes may hold too — see
        :func:`volume_holds_below`); the utilisation break-evens are where the case first
        fails going down from the case's utilisation (fewer GPUs never cost more).

    Examples
    --------
    >>> from xl_roi import Case
    >>> values = breakeven_values(Case(monthly_calls=2_000_000, teacher_cost_per_1k=12.0,
    ...     student_cost_per_1k=1.5, upfront_cost=52_500, annual_maintenance=40_000))
    >>> round(values["monthly_calls"][0])   # 52,500 / (12 × 10.50 / 1000)
    416667
    >>> values["annual_maintenance"]        # payback ignores it; 12 × 21,000 zeroes the net
    (nan, 252000.0)
    """
    target = check_number(
        "target_months",
        case.target_payback_months if target_months is None else target_months,
        strictly_above=True,
    )
    inputs = CaseInputs.from_case(case)
    base = evaluate_arrays(inputs)
    upfront = float(base["upfront_cost"])
    savings = float(base["monthly_savings"])
    calls = float(inputs.monthly_calls)
    growth = float(inputs.monthly_growth)
    teacher = float(inputs.teacher_cost_per_1k)
    escalation = float(inputs.escalation_share)
    maintenance = float(inputs.annual_maintenance)
    serving = float(base["student_serving_cost_per_1k"])
    factor = _payback_factor(target, growth)
    needed_for_payback = upfront * factor  # monthly savings that pay back on target
    needed_for_net = maintenance / 12.0  # monthly savings that zero the annual net benefit
    per_teacher, fixed = _upfront_parts(inputs, upfront)
    thousands = calls / 1000.0
    # what a gap of 1 per 1,000 calls saves a month: the savings are the gap times this, so
    # each break-even below solves the savings (kernel.savings_per_1k) for the gap they need
    unit = float(_kernel.unit_gap_savings(inputs))
    saved = thousands * unit
    margin = (teacher * (1.0 - escalation) - serving) * unit

    values: dict[str, tuple[float, float]] = {}
    for name in assumptions_of(case) if assumptions is None else assumptions:
        if name == "monthly_calls":
            pay, net = _volume_breakevens(case, inputs, target, upfront, needed_for_net, margin)
        elif name == "teacher_cost_per_1k":
            denominator = (1.0 - escalation) * saved - per_teacher * factor
            pay = (fixed * factor + serving * saved) / denominator if denominator > 0 else math.nan
            net = (needed_for_net / saved + serving) / (1.0 - escalation) if saved > 0 else math.nan
        elif name == "student_cost_per_1k":
            pay = (
                teacher * (1.0 - escalation) - needed_for_payback / saved if saved > 0 else math.nan
            )
            net = teacher * (1.0 - escalation) - needed_for_net / saved if saved > 0 else math.nan
        elif name == "gpu_hourly_cost":
            gpus = float(base["gpus"])
            if thousands > 0:
                per_hour = gpus * HOURS_PER_MONTH / thousands  # serving per 1k per 1.00 an hour
                pay = (teacher * (1.0 - escalation) - needed_for_payback / saved) / per_hour
                net = (teacher * (1.0 - escalation) - needed_for_net / saved) / per_hour
            else:
                pay = net = math.nan
        elif name == "target_utilization":
            utilisation = float(inputs.target_utilization)
            pay = _threshold(inputs, name, utilisation, "payback", target)
            net = _threshold(inputs, name, utilisation, "net", 0.0)
        elif name == "upfront_cost":
            pay, net = savings / factor if savings > 0 else math.nan, math.nan
        elif name == "annual_maintenance":
            pay, net = math.nan, 12.0 * savings
        else:  # monthly_growth
            pay, net = _solve_growth(upfront, savings, target), math.nan
        values[name] = _within_range(name, pay, net, upfront)
    return values


def _upfront_parts(inputs: CaseInputs, upfront: float) -> tuple[float, float]:
    """The upfront cost as fixed + per_teacher × the teacher's cost per 1,000 calls: per_teacher
    is non-zero when data generation follows the teacher's cost."""
    per_teacher = 0.0
    if math.isnan(float(inputs.upfront_cost)) and math.isnan(float(inputs.data_generation_cost)):
        per_teacher = (
            float(inputs.corpus_examples)
            / 1000.0
            * float(inputs.data_generation_passes)
            * (1.0 - float(inputs.batch_discount))
        )
    # the rest of the upfront cost, added up (not upfront − per_teacher × teacher, which leaves
    # a rounding residue where the rest is zero)
    fixed = (
        float(inputs.training_compute)
        + float(inputs.evaluation_build)
        + float(inputs.engineering_time)
        if per_teacher
        else upfront
    )
    return per_teacher, fixed


def _volume_breakevens(
    case: Case,
    inputs: CaseInputs,
    target: float,
    upfront: float,
    needed_for_net: float,
    margin: float,
) -> tuple[float, float]:
    """The volumes at which payback meets the target (the one break-even volume of the pitch,
    the workbook and the Excel functions) and the net benefit reaches zero (on whole GPUs:
    where every higher volume has a positive net benefit)."""
    teacher = float(inputs.teacher_cost_per_1k)
    pay = breakeven_monthly_calls(case.replace(target_payback_months=target), teacher, upfront)
    pay = math.nan if math.isinf(pay) else pay
    if not case.is_self_hosted:
        return pay, needed_for_net * 1000.0 / margin if margin > 0 else math.nan
    net = float(
        _kernel.whole_gpu_threshold(
            needed_for_net, *_hosted_gaps(inputs), _gpu_calls_per_month(inputs)
        )
    )
    return pay, math.nan if math.isinf(net) else net


def _hosted_gaps(inputs: CaseInputs) -> tuple[float, float]:
    """A self-hosted student's saving per 1,000 calls before any GPU, and what one GPU-month
    takes off the savings: both as the savings count them (:func:`xl_roi._kernel.gap_savings`)."""
    margin = float(inputs.teacher_cost_per_1k) * (1.0 - float(inputs.escalation_share))
    gpu = float(inputs.gpu_hourly_cost) * HOURS_PER_MONTH
    return (
        margin * float(_kernel.unit_gap_savings(inputs)),
        float(_kernel.gap_savings(inputs, gpu)),
    )


def _within_range(name: str, pay: float, net: float, upfront: float) -> tuple[float, float]:
    """A pair of break-evens kept where the assumption can take them (NaN elsewhere)."""
    if upfront == 0.0 and name != "upfront_cost":
        pay = math.nan  # nothing to pay back: payback is 0 whatever this assumption does
    upper = 1.0 if name == "target_utilization" else math.inf
    if name == "teacher_cost_per_1k":  # a teacher that costs nothing is no case
        return (pay if pay > 0 else math.nan, net if net > 0 else math.nan)
    if name == "monthly_growth":
        return (pay if pay > -1.0 else math.nan, net)
    return (_nonnegative(pay, upper), _nonnegative(net, upper))


def _gpu_calls_per_month(inputs: CaseInputs) -> float:
    """The calls a month one of a case's GPUs carries."""
    return float(
        gpu_calls_per_month(
            float(inputs.calls_per_second_per_gpu),
            float(inputs.target_utilization),
            float(inputs.peak_factor),
        )
    )


def volume_holds_below(case: Case, target_months: float | None = None) -> tuple[bool, bool]:
    """Whether a self-hosted case also holds at some volumes below its break-even volumes.

    On whole GPUs each GPU added cuts the savings by a GPU-month, so a band of volume served by
    n GPUs can hold the case in part (from some volume to the band's top) while the next band
    up starts with a loss. The break-even volumes of :func:`breakeven_values` are the lowest
    above which the case holds at every volume; below them the case fails somewhere, but not
    necessarily everywhere.

    Parameters
    ----------
    case : Case
        The case.
    target_months : float, optional
        The payback target (default: the case's ``target_payback_months``).

    Returns
    -------
    tuple of bool
        (some volume below the payback break-even meets the target, some volume below the
        net-benefit break-even has a positive net benefit); both False for a student priced per
        call, or where there is no break-even volume.

    Examples
    --------
    One 1,460-a-month GPU carries 1,314,000 calls and saves 2.00 per 1,000: 1,000 a month of
    savings is reached in band 1 from 1,230,000 and in band 2 from 1,960,000, but the case
    holds at every volume only from 2,690,000 (band 3):

    >>> from xl_roi import Case
    >>> case = Case(monthly_calls=3_000_000, teacher_cost_per_1k=2.0, upfront_cost=12_000,
    ...     annual_maintenance=12_000, gpu_hourly_cost=2.0, calls_per_second_per_gpu=1.0,
    ...     target_utilization=0.5, peak_factor=1.0)
    >>> volume_holds_below(case)
    (True, True)
    """
    if not case.is_self_hosted:
        return False, False
    target = check_number(
        "target_months",
        case.target_payback_months if target_months is None else target_months,
        strictly_above=True,
    )
    inputs = CaseInputs.from_case(case)
    base = evaluate_arrays(inputs)
    margin, gpu = _hosted_gaps(inputs)
    capacity = _gpu_calls_per_month(inputs)
    full = capacity * margin / 1000.0  # a full GPU's savings a month before its bill
    upfront = float(base["upfront_cost"])
    needs = (
        upfront * _payback_factor(target, float(inputs.monthly_growth)),
        float(inputs.annual_maintenance) / 12.0,
    )
    answers = []
    for index, needed in enumerate(needs):
        threshold = float(_kernel.whole_gpu_threshold(needed, margin, gpu, capacity))
        if (index == 0 and upfront == 0.0) or not 0.0 < threshold < math.inf or needed < 0.0:
            answers.append(False)
            continue
        # the band the threshold lies in (its top, when no volume of it holds), and the first
        # band whose top volume holds: n·(full − gpu) ≥ needed
        band = math.ceil(threshold / capacity)
        first_holding = math.floor(needed / (full - gpu)) + 1
        answers.append(first_holding < band)
    return answers[0], answers[1]


def _check_swing(swing: float) -> float:
    """The swing as a share of each assumption's value, in [0, 1); a number outside refused
    with what a swing is (1.5 is not a swing of 1.5 %: below 1, or each value turns negative).

    Examples
    --------
    >>> _check_swing(0.3)
    0.3
    >>> _check_swing(1.5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    xl_roi.errors.InputError: swing must be a share at least 0 and below 1 (0.5 moves each ...
    """
    try:
        return check_number("swing", swing, maximum=1.0, maximum_exclusive=True)
    except InputError:
        if isinstance(swing, bool) or not isinstance(swing, int | float) or swing != swing:
            raise  # not a number at all: said as for any other figure
        raise InputError(
            "swing must be a share at least 0 and below 1 (0.5 moves each assumption ±50 %), "
            f"got {describe_value(swing)}"
        ) from None


def sensitivity(
    case: Case,
    swing: float = 0.5,
    target_months: float | None = None,
    assumptions: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The tornado: each assumption moved alone, ranked by payback swing; scenarios; break-evens.

    Parameters
    ----------
    case : Case
        The case.
    swing : float, default 0.5
        How far each assumption moves, as a share of its value: low = base × (1 − swing),
        high = base × (1 + swing) (utilisation capped at 1; growth moves by swing × |growth|).
        In [0, 1).
    target_months : float, optional
        The payback target for the break-evens (default: the case's).
    assumptions : sequence of str, optional
        Which assumptions to move (default: :func:`assumptions_of` the case); name
        ``monthly_growth`` to include it even when growth is zero.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SENSITIVITY_COLUMNS`. One ``kind == "assumption"`` row per assumption,
        ranked by ``payback_swing`` (then ``net_swing``), largest first, with payback and annual
        net benefit at low and high, and ``breakeven_payback``/``breakeven_net`` from
        :func:`breakeven_values`; then one ``kind == "scenario"`` row per named scenario (its
        value in ``low``, its results in ``payback_low``/``net_low``, swings against the base).
        Payback is ``inf`` where it never pays back. When the case gives a cost per error and
        its cost of worse answers is computed, one ``kind == "quality"`` row
        (:data:`COST_PER_ERROR_LABEL`) after the assumptions: the case's cost per error moved
        by the swing, with the *quality-adjusted* payback and annual net benefit (the headline
        does not depend on it), and the cost per error at which those reach the target and zero.

    Examples
    --------
    >>> from xl_roi import Case
    >>> table = sensitivity(Case(monthly_calls=2_000_000, teacher_cost_per_1k=12.0,
    ...     student_cost_per_1k=1.5, upfront_cost=52_500, annual_maintenance=40_000))
    >>> table.loc[table.assumption == "Half volume", "payback_low"].item()
    5.0
    >>> table.assumption.iloc[0]   # teacher at 6.00 pays back in 5.8 months, at 18.00 in 1.6
    'Teacher cost per 1k'
    """
    import pandas as pd  # only here: the workbook and the Excel functions need no pandas

    rows = _sensitivity_rows(case, swing, target_months, assumptions)
    return pd.DataFrame(rows, columns=list(SENSITIVITY_COLUMNS))


def _sensitivity_rows(
    case: Case,
    swing: float = 0.5,
    target_months: float | None = None,
    assumptions: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """:func:`sensitivity`'s rows, as plain dicts (no pandas)."""
    spread = _check_swing(swing)
    inputs = CaseInputs.from_case(case)
    names = assumptions_of(case) if assumptions is None else list(assumptions)
    allowed = set(assumptions_of(case)) | {"monthly_growth"}
    for name in names:
        if name not in allowed:
            raise InputError(f"assumption {name!r} does not apply to this case")
    base_out = evaluate_arrays(inputs)
    base_upfront = float(base_out["upfront_cost"])
    base_payback = float(base_out["payback_months"])
    base_net = float(base_out["annual_net_benefit"])

    # One array evaluation for every variant: two per assumption, then the scenarios.
    variants: list[tuple[str, float]] = []
    bases = {}
    for name in names:
        bases[name] = _base_value(inputs, base_upfront, name)
        low, high = _low_high(name, bases[name], spread)
        variants += [(name, low), (name, high)]
    scenario_rows = _scenarios(case, inputs, spread)
    variants += [(name, value) for _, name, value in scenario_rows]
    out = _evaluate_variants(inputs, variants)
    payback, net = out["payback_months"], out["annual_net_benefit"]

    breakevens = breakeven_values(case, target_months, names)
    rows: list[dict[str, Any]] = []
    for position, name in enumerate(names):
        low_index, high_index = 2 * position, 2 * position + 1
        payback_low, payback_high = float(payback[low_index]), float(payback[high_index])
        net_low, net_high = float(net[low_index]), float(net[high_index])
        rows.append(
            {
                "assumption": ASSUMPTIONS[name],
                "kind": "assumption",
                "base": bases[name],
                "low": variants[low_index][1],
                "high": variants[high_index][1],
                "payback_low": payback_low,
                "payback_high": payback_high,
                "net_low": net_low,
                "net_high": net_high,
                "payback_swing": _swing(payback_low, payback_high),
                "net_swing": abs(net_high - net_low),
                "breakeven_payback": breakevens[name][0],
                "breakeven_net": breakevens[name][1],
            }
        )
    rows.sort(key=lambda row: (-_rank_key(row["payback_swing"]), -rank_figure(row["net_swing"])))
    rows += _quality_rows(case, spread, target_months)
    first_scenario = 2 * len(names)
    for offset, (label, name, value) in enumerate(scenario_rows):
        index = first_scenario + offset
        rows.append(
            {
                "assumption": label,
                "kind": "scenario",
                "base": _base_value(inputs, base_upfront, name),
                "low": value,
                "high": math.nan,
                "payback_low": float(payback[index]),
                "payback_high": math.nan,
                "net_low": float(net[index]),
                "net_high": math.nan,
                "payback_swing": _swing(float(payback[index]), base_payback),
                "net_swing": abs(float(net[index]) - base_net),
                "breakeven_payback": math.nan,
                "breakeven_net": math.nan,
            }
        )
    return rows


def _scenarios(case: Case, inputs: CaseInputs, spread: float) -> list[tuple[str, str, float]]:
    """The scenarios' (label, assumption, value): half volume, serving utilisation below plan
    (self-hosted), maintenance twice as often, the teacher's price halved."""
    scenario_rows: list[tuple[str, str, float]] = [
        ("Half volume", "monthly_calls", float(inputs.monthly_calls) / 2.0)
    ]
    if case.is_self_hosted:
        scenario_rows.append(
            (
                "Serving utilisation below plan",
                "target_utilization",
                float(inputs.target_utilization) * (1.0 - spread),
            )
        )
    scenario_rows += [
        (
            "Maintenance twice as often",
            "annual_maintenance",
            2.0 * float(inputs.annual_maintenance),
        ),
        ("Teacher price halved", "teacher_cost_per_1k", float(inputs.teacher_cost_per_1k) / 2.0),
    ]
    return scenario_rows


def _evaluate_variants(
    inputs: CaseInputs, variants: list[tuple[str, float]]
) -> dict[str, FloatArray]:
    """Every variant (one assumption set to a value, the rest as the case) in one array
    evaluation."""
    columns: dict[str, FloatArray] = {}
    for field, value in inputs.named().items():
        columns[field] = np.full(len(variants), float(value))
    for index, (name, value) in enumerate(variants):
        columns[name][index] = value
        if name == "student_cost_per_1k":
            columns["gpu_hourly_cost"][index] = math.nan
    return evaluate_arrays(CaseInputs.of(columns))


COST_PER_ERROR_LABEL = "Cost per error (quality-adjusted)"
"""The label of the sensitivity row for the cost of an error: it moves the quality-adjusted
figures (savings less the cost of worse answers), never the headline."""


def _quality_rows(case: Case, spread: float, target_months: float | None) -> list[dict[str, Any]]:
    """The ``kind == "quality"`` row: the case's cost per error at low and high, with the
    quality-adjusted payback and annual net benefit at each (none when that cost is not computed
    or the case gives no cost per error of its own)."""
    if case.cost_per_error is None:
        return []
    base = evaluate(case)
    if math.isnan(base.quality_cost_monthly):
        return []
    cost = float(case.cost_per_error)
    low, high = cost * (1.0 - spread), cost * (1.0 + spread)
    at_low, at_high = (evaluate(case.replace(cost_per_error=value)) for value in (low, high))
    target = check_number(
        "target_months",
        case.target_payback_months if target_months is None else target_months,
        strictly_above=True,
    )
    # quality cost = own + cost_per_error × per_unit: slices with their own cost stay put
    per_unit = math.fsum(
        (item.traffic_share or 0.0)
        * max(0.0, item.teacher_score - item.student_score)
        * case.monthly_calls
        for item in case.quality_slices
        if item.cost_per_error is None
    )
    own = base.quality_cost_monthly - cost * per_unit
    needed_for_payback = base.upfront_cost * _payback_factor(target, case.monthly_growth)
    needed_for_net = base.annual_maintenance / 12.0
    pay = net = math.nan
    if per_unit > 0.0:
        pay = (base.monthly_savings - own - needed_for_payback) / per_unit
        net = (base.monthly_savings - own - needed_for_net) / per_unit
    payback_low = at_low.quality_adjusted_payback_months
    payback_high = at_high.quality_adjusted_payback_months
    return [
        {
            "assumption": COST_PER_ERROR_LABEL,
            "kind": "quality",
            "base": cost,
            "low": low,
            "high": high,
            "payback_low": payback_low,
            "payback_high": payback_high,
            "net_low": at_low.quality_adjusted_annual_net_benefit,
            "net_high": at_high.quality_adjusted_annual_net_benefit,
            "payback_swing": _swing(payback_low, payback_high),
            "net_swing": abs(
                at_high.quality_adjusted_annual_net_benefit
                - at_low.quality_adjusted_annual_net_benefit
            ),
            "breakeven_payback": pay if pay >= 0.0 else math.nan,
            "breakeven_net": net if net >= 0.0 else math.nan,
        }
    ]


def grid(case: Case, volumes: Sequence[float], student_costs: Sequence[float]) -> pd.DataFrame:
    """Payback in months over a grid of monthly volumes × student costs per 1k (a heat map).

    Parameters
    ----------
    case : Case
        The case; everything but volume and the student's cost stays as it is.
    volumes : sequence of float
        Monthly calls, one grid row each (≥ 0).
    student_costs : sequence of float
        Student costs per 1,000 calls (before escalation), one grid column each (≥ 0).

    Returns
    -------
    pandas.DataFrame
        Index ``monthly_calls``, columns ``student_cost_per_1k``, values payback in months
        (``inf``: never).

    Examples
    --------
    >>> from xl_roi import Case
    >>> table = grid(Case(monthly_calls=2_000_000, teacher_cost_per_1k=12.0,
    ...     student_cost_per_1k=1.5, upfront_cost=52_500, annual_maintenance=40_000),
    ...     [1_000_000, 2_000_000], [1.5, 12.0])
    >>> table.to_numpy().tolist()
    [[5.0, inf], [2.5, inf]]
    """
    volume_array = np.asarray([check_number("volumes", value) for value in volumes], dtype=float)
    cost_array = np.asarray(
        [check_number("student_costs", value) for value in student_costs], dtype=float
    )
    inputs = CaseInputs.from_case(case).replace(
        monthly_calls=volume_array[:, None], student_cost_per_1k=cost_array[None, :]
    )
    payback = evaluate_arrays(inputs)["payback_months"]
    import pandas as pd

    return pd.DataFrame(
        np.array(payback),
        index=pd.Index(volume_array, name="monthly_calls"),
        columns=pd.Index(cost_array, name="student_cost_per_1k"),
    )


HEADLINE_TABLE_HEADER = (
    "Assumption",
    "Low",
    "High",
    "Payback at low (months)",
    "Payback at high (months)",
    "Net benefit at low",
    "Net benefit at high",
    "Payback swing (months)",
    "Breaks payback target at",
    "Net benefit zero at",
)
"""The header of :func:`headline_table`."""

HEADLINE_TABLE_ROWS = 9
"""Data rows of :func:`headline_table`, always: six assumptions ranked by swing, three scenarios."""

_HEADLINE_ASSUMPTIONS = (
    "monthly_calls",
    "teacher_cost_per_1k",
    "student_cost_per_1k",
    "upfront_cost",
    "annual_maintenance",
    "monthly_growth",
)
_HEADLINE_COLUMNS = tuple(
    column for column in SENSITIVITY_COLUMNS if column not in ("kind", "base", "net_swing")
)


def _upfront_items(upfront: float, labelling: float, teacher: float) -> dict[str, Any]:
    """A case's upfront cost given as a total with ``labelling`` of it the teacher's labels:
    that part as a corpus labelled at the teacher's price (so that it moves with the price),
    the rest as one fixed item; the total alone where nothing moves.

    Examples
    --------
    >>> items = _upfront_items(33_750.0, 3_750.0, 7.5)   # 500,000 examples at 7.50 per 1k
    >>> items["corpus_examples"], items["training_compute"], items["upfront_cost"]
    (500000.0, 30000.0, None)
    """
    labelling = check_number("teacher_labelling_cost", labelling)
    if labelling == 0.0:
        return {"upfront_cost": upfront}
    total = check_number("upfront_cost", upfront)
    price = check_number("teacher_cost_per_1k", teacher, strictly_above=True)
    if labelling > total:
        raise InputError(
            "teacher_labelling_cost (the part of the upfront cost that is the teacher's "
            f"labels) must be at most upfront_cost ({total:g}), got {labelling:g}"
        )
    return {
        "upfront_cost": None,
        "corpus_examples": labelling / price * 1000.0,
        "data_generation_passes": 1.0,
        "batch_discount": 0.0,
        "training_compute": total - labelling,
        "evaluation_build": 0.0,
        "engineering_time": 0.0,
    }


def _table_cell(value: Any) -> Any:
    return figure_cell(value)


def headline_table(
    upfront_cost: float,
    teacher_cost_per_1k: float,
    student_cost_per_1k: float,
    monthly_calls: float,
    annual_maintenance: float,
    swing: float = 0.5,
    target_payback_months: float = 12.0,
    monthly_growth: float = 0.0,
    gpu_hourly_cost: float | None = None,
    calls_per_second_per_gpu: float | None = None,
    target_utilization: float = 0.7,
    peak_factor: float = 1.5,
    teacher_labelling_cost: float = 0.0,
    **inputs: float,
) -> list[list[Any]]:
    """The sensitivity of a case given by its headline figures, as a fixed-shape table of cells.

    What the ``SENSITIVITY`` worksheet function returns: the header, then six assumptions
    (volume, teacher cost per 1k, the student's cost per 1k — or, self-hosted, the GPU's
    hourly cost —, upfront, maintenance, growth — growth included even at zero, so the shape
    never changes) ranked by payback swing, then the scenarios ``Half volume``, ``Maintenance
    twice as often``, ``Teacher price halved``. A payback that never comes reads ``"never"``; a
    break-even that no value of the assumption reaches is ``""``.

    ``teacher_labelling_cost`` is the part of ``upfront_cost`` that is the teacher labelling
    the corpus at its price per call (data generation worked out from the corpus): it moves
    with the teacher's price, as in :func:`sensitivity` of the case; the rest of the upfront
    cost stays put. 0: the upfront cost is one total that no price moves.

    With ``gpu_hourly_cost`` the student is self-hosted on whole GPUs, as in a :class:`Case`
    (throughput ``calls_per_second_per_gpu``, ``target_utilization``, ``peak_factor``): half
    the volume pays for the same GPUs, exactly as :func:`~xl_roi.evaluate` has it, and
    ``student_cost_per_1k`` is then only what the student costs per call on top of its GPUs
    (escalations to the teacher; 0 without), moving with the teacher's price. Any other input
    the savings read comes by its :class:`Case` name in ``inputs``.

    Examples
    --------
    >>> table = headline_table(52_500, 12.0, 1.5, 2_000_000, 40_000)
    >>> len(table), len(table[0])
    (10, 10)
    >>> [row[3] for row in table if row[0] == "Half volume"]
    [5.0]

    One 2.20-an-hour GPU serving 400,000 calls, 38,000 upfront: at half the volume the GPU
    still costs 1,606 a month, so savings fall to 11.50 × 200 − 1,606 = 694 a month:

    >>> table = headline_table(38_000, 11.5, 0.0, 400_000, 30_000, gpu_hourly_cost=2.2,
    ...     calls_per_second_per_gpu=12, target_utilization=0.6)
    >>> [round(row[3], 2) for row in table if row[0] == "Half volume"]   # 38,000 / 694
    [54.76]
    """
    hosting: dict[str, Any] = {}
    assumptions: tuple[str, ...] = _HEADLINE_ASSUMPTIONS
    if gpu_hourly_cost is None:
        hosting["student_cost_per_1k"] = student_cost_per_1k
    else:
        teacher = check_number("teacher_cost_per_1k", teacher_cost_per_1k, strictly_above=True)
        extra = check_number("student_cost_per_1k", student_cost_per_1k)
        if extra >= teacher:
            raise InputError(
                "student_cost_per_1k (for a self-hosted student, its cost per call on top of "
                f"the GPUs) must be below teacher_cost_per_1k ({teacher:g}), got {extra:g}"
            )
        hosting = dict(
            gpu_hourly_cost=gpu_hourly_cost,
            calls_per_second_per_gpu=calls_per_second_per_gpu,
            target_utilization=target_utilization,
            peak_factor=peak_factor,
            escalation_share=extra / teacher,
        )
        assumptions = tuple(
            "gpu_hourly_cost" if name == "student_cost_per_1k" else name
            for name in _HEADLINE_ASSUMPTIONS
        )
    other_inputs("SENSITIVITY", inputs)  # only inputs the savings read
    figures: dict[str, Any] = dict(
        monthly_calls=monthly_calls,
        monthly_growth=monthly_growth,
        teacher_cost_per_1k=teacher_cost_per_1k,
        annual_maintenance=annual_maintenance,
        target_payback_months=target_payback_months,
        **_upfront_items(upfront_cost, teacher_labelling_cost, teacher_cost_per_1k),
        **hosting,
        **inputs,
    )
    case = Case(**figures)
    records = [
        record
        for record in _sensitivity_rows(case, swing=swing, assumptions=assumptions)
        if record["assumption"] != "Serving utilisation below plan"
    ]
    rows: list[list[Any]] = [list(HEADLINE_TABLE_HEADER)]
    for record in records:
        rows.append([_table_cell(record[column]) for column in _HEADLINE_COLUMNS])
    return rows
