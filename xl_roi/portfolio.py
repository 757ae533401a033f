"""Portfolio screening: which of many endpoints are worth distilling, best first.

A team rarely has one candidate. :func:`screen` takes a table of endpoints — one row each — and
returns each one's monthly savings, payback, annual net benefit, verdict and break-even volume,
ranked, in one vectorised pass whose figures equal :func:`~xl_roi.evaluate` on each row to
rounding (1e-12). A row with a missing or impossible value gets its reason in ``error`` and no
figures; the rest are screened.
"""

from __future__ import annotations

import collections
import concurrent.futures
import itertools
import math
import os
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xl_roi import _kernel
from xl_roi.batch import (
    CaseInputs,
    FloatArray,
    discounted_payback_array,
    evaluate_arrays,
    npv_array,
    payback_after_maintenance_array,
    payback_array,
)
from xl_roi.bounds import BOUNDS
from xl_roi.case import DEFAULT_INPUTS
from xl_roi.errors import (
    SMALLEST_NUMBER,
    InputError,
    bounds_text,
    describe_value,
    percent_hint,
    too_small,
)
from xl_roi.fields import FIELDS
from xl_roi.text import figure_cell, printable
from xl_roi.verdict import VERDICTS, verdict_code

__all__ = [
    "DEFAULTS",
    "ENDPOINT_COLUMNS",
    "RESULT_COLUMNS",
    "SCREEN_CELL_COLUMNS",
    "WORTH_DOING",
    "PortfolioSummary",
    "UnusedColumnsWarning",
    "rank",
    "rank_chunks",
    "screen",
    "screen_cells",
    "screen_unranked",
    "summarise",
    "unused_columns",
    "unused_columns_message",
    "verdict_codes",
]

_ACCURACY_COLUMNS = ("teacher_accuracy", "student_accuracy")
ENDPOINT_COLUMNS = (
    *(name for name, entry in FIELDS.items() if entry.screen),
    *_ACCURACY_COLUMNS,
)
"""The columns :func:`screen` reads, named as the fields of :class:`~xl_roi.case.Case`. Any
other column is not used, and :func:`unused_columns` names it so that a caller can say so.
``teacher_accuracy`` and ``student_accuracy`` (in [0, 1], over all the endpoint's calls) with
``cost_per_error`` give the cost of worse answers: a case whose one quality slice carries all
the traffic."""

_CASE_DEFAULTS = vars(DEFAULT_INPUTS)
DEFAULTS = {
    name: float(_CASE_DEFAULTS[name])
    for name, entry in FIELDS.items()
    if entry.screen
    and entry.bound is not None
    and isinstance(_CASE_DEFAULTS.get(name), int | float)
}
"""Values taken where a column is absent or a cell blank: a case file's defaults. Every other
figure is required: volume, the teacher's and the student's cost (per 1k, tokens and prices,
or self-hosted on GPUs), the upfront cost and the annual maintenance — a default there would
flatter the case."""

RESULT_COLUMNS = (
    "rank",
    "name",
    "verdict",
    "payback_months",
    "payback_after_maintenance_months",
    "annual_net_benefit",
    "monthly_savings",
    "annual_savings",
    "savings_share",
    "breakeven_monthly_calls",
    "npv",
    "discounted_payback_months",
    "quality_cost_monthly",
    "quality_adjusted_annual_net_benefit",
    "quality_adjusted_verdict",
    "monthly_calls",
    "teacher_cost_per_1k",
    "student_cost_per_1k",
    "upfront_cost",
    "annual_maintenance",
    "monthly_growth",
    "error",
)
"""The columns of :func:`screen`'s result, in order."""


class UnusedColumnsWarning(UserWarning):
    """:func:`screen` was given columns it does not read."""


def _normalised(column: object) -> str:
    """A column name as matched: without regard to case or surrounding spaces."""
    return str(column).strip().lower()


def unused_columns(columns: Iterable[object]) -> tuple[str, ...]:
    """The columns, of those given, that :func:`screen` does not read (names as given).

    Examples
    --------
    >>> unused_columns(["name", "Monthly_Calls", "note", "gpu_hourly_cost", "gpus"])
    ('note', 'gpus')
    """
    return tuple(str(name) for name in columns if _normalised(name) not in ENDPOINT_COLUMNS)


def unused_columns_message(columns: Iterable[str]) -> str:
    """What to tell the user about columns the screen does not read.

    Examples
    --------
    >>> unused_columns_message(["note", "gpus"])
    "not used: 2 columns the screen does not read ('note', 'gpus'); check the spelling of any \
meant as an input (the inputs are named as in a case file, e.g. gpu_hourly_cost)"
    """
    names = list(columns)
    listed = ", ".join(repr(printable(name)) for name in names)
    count = "1 column" if len(names) == 1 else f"{len(names):,} columns"
    return (
        f"not used: {count} the screen does not read ({listed}); check the spelling of any "
        "meant as an input (the inputs are named as in a case file, e.g. gpu_hourly_cost)"
    )


WORTH_DOING = ("strong", "defensible")
"""Verdicts counted as worth doing in the summary."""


def verdict_codes(payback: FloatArray, net: FloatArray, growth: FloatArray) -> FloatArray:
    """:func:`~xl_roi.verdict.verdict` over arrays, as the index into ``VERDICTS``.

    Examples
    --------
    >>> codes = verdict_codes(np.array([2.5, 7.0, 7.0, 13.0, np.inf]),
    ...                       np.array([1.0, 1.0, 1.0, 1.0, 1.0]),
    ...                       np.array([0.0, 0.03, 0.0, 0.0, 0.0]))
    >>> [VERDICTS[int(code)] for code in codes]
    ['strong', 'defensible', 'marginal', 'reconsider', 'do not distill']
    """
    codes: FloatArray = np.asarray(
        verdict_code(payback, net, growth, _kernel.array_ops()), dtype=float
    )
    return codes


class _Refusals:
    """The first reason each row is refused, built column by column without a Python loop."""

    def __init__(self, rows: int) -> None:
        self.reason = np.full(rows, None, dtype=object)
        self.refused = np.zeros(rows, dtype=bool)

    def refuse(self, mask: np.ndarray[Any, np.dtype[np.bool_]], describe: Any) -> None:
        fresh = mask & ~self.refused
        for index in np.flatnonzero(fresh):
            self.reason[index] = describe(index)
        self.refused |= fresh


@dataclass(frozen=True)
class _Column:
    """A column as floats (NaN where blank or text), its raw values, and where it is blank."""

    numbers: FloatArray
    raw: np.ndarray[Any, Any]
    blank: np.ndarray[Any, np.dtype[np.bool_]]


def _column(frame: pd.DataFrame, name: str) -> _Column:
    if name not in frame.columns:
        numbers = np.full(len(frame), np.nan)
        return _Column(numbers, numbers, np.ones(len(frame), dtype=bool))
    series = frame[name]
    raw = series.to_numpy()
    if raw.dtype.kind in "fiu":
        numbers = raw.astype(float, copy=False)
        return _Column(numbers, numbers, np.isnan(numbers))
    numbers = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    blank = series.isna().to_numpy() | (
        series.astype("string").str.strip().eq("").fillna(False).to_numpy(dtype=bool)
    )
    return _Column(numbers, raw, blank)


def _check(
    refusals: _Refusals,
    name: str,
    column: _Column,
    *,
    required: bool,
    field: str | None = None,
) -> None:
    """Refuse the rows whose ``name`` column is not a number within the bounds of its field
    in the registry (``field``, else ``name`` itself), as :class:`~xl_roi.case.Case` does."""
    bound = BOUNDS[name if field is None else field]
    numbers, raw, blank = column.numbers, column.raw, column.blank
    text = np.isnan(numbers) & ~blank
    if required:
        refusals.refuse(blank, lambda i: f"{name} is missing")
    bounds = bounds_text(
        bound.minimum, bound.strictly_above, bound.maximum, bound.maximum_exclusive
    )
    wanted = f"{name} must be a number{' ' + bounds if bounds else ''}"
    refusals.refuse(text, lambda i: f"{wanted}, got {describe_value(raw[i])}")
    with np.errstate(invalid="ignore"):
        bad = np.isinf(numbers) | bound.outside(numbers)

    def out_of_bounds(i: int) -> str:
        hint = percent_hint(float(numbers[i])) if bound.share else ""  # 5 typed for 5 %
        return f"{wanted}, got {describe_value(numbers[i])}{': ' + hint if hint else ''}"

    refusals.refuse(bad & ~blank & ~text, out_of_bounds)
    with np.errstate(invalid="ignore"):
        tiny = (numbers != 0.0) & (np.abs(numbers) < SMALLEST_NUMBER)
    refusals.refuse(tiny & ~blank & ~text, lambda i: too_small(name, numbers[i]))
    if bound.whole:
        with np.errstate(invalid="ignore"):
            fractional = np.isfinite(numbers) & (numbers != np.floor(numbers))
        refusals.refuse(
            fractional,
            lambda i: f"{name} must be {bound.text()}, got {describe_value(numbers[i])}",
        )


def _cost_per_1k(
    frame: pd.DataFrame,
    refusals: _Refusals,
    direct: str,
    price_in: str,
    price_out: str,
    who: str,
    missing_hint: str = "",
    elsewhere: np.ndarray[Any, np.dtype[np.bool_]] | None = None,
) -> FloatArray:
    """A model's cost per 1k calls: the direct column where given, else from tokens and prices.

    Rows marked ``elsewhere`` give the cost another way (a self-hosted student): they are not
    refused here for a missing cost.
    """
    direct_column = _column(frame, direct)
    _check(refusals, direct, direct_column, required=False)
    given = ~direct_column.blank
    if elsewhere is not None:
        given = given | elsewhere
    parts = {}
    for name in ("input_tokens_per_call", "output_tokens_per_call", price_in, price_out):
        column = _column(frame, name)
        _check(
            refusals,
            name,
            _Column(column.numbers, column.raw, column.blank | given),
            required=False,
        )
        parts[name] = column.numbers
    from_tokens = (
        1000.0
        * (
            parts["input_tokens_per_call"] * parts[price_in]
            + parts["output_tokens_per_call"] * parts[price_out]
        )
        / 1e6
    )
    if who == "teacher":  # as Case: the teacher's cost is given once, never two ways
        priced = [name for name in (price_in, price_out) if not _column(frame, name).blank.all()]
        both = ~direct_column.blank & np.any(
            [~_column(frame, name).blank for name in (price_in, price_out)], axis=0
        )
        refusals.refuse(
            both,
            lambda i: (
                f"give the teacher's cost once: {direct} or its token prices "
                f"({', '.join(priced)}), not both"
            ),
        )
    missing = ~given & np.isnan(from_tokens)
    refusals.refuse(
        missing,
        lambda i: (
            f"the {who}'s cost is missing: give {direct}, or tokens per call and "
            f"{price_in} and {price_out}{missing_hint}"
        ),
    )
    return np.where(given, direct_column.numbers, from_tokens)


@dataclass(frozen=True)
class _Hosting:
    """Which rows run the student on their own GPUs, and the GPU figures (NaN elsewhere)."""

    rows: np.ndarray[Any, np.dtype[np.bool_]]
    gpu_hourly_cost: FloatArray
    calls_per_second_per_gpu: FloatArray
    target_utilization: FloatArray
    peak_factor: FloatArray


def _self_hosting(frame: pd.DataFrame, refusals: _Refusals, calls: FloatArray) -> _Hosting:
    """The self-hosted student's columns, checked as :class:`~xl_roi.case.Case` checks them."""
    gpu = _column(frame, "gpu_hourly_cost")
    speed = _column(frame, "calls_per_second_per_gpu")
    _check(refusals, "gpu_hourly_cost", gpu, required=False)
    _check(refusals, "calls_per_second_per_gpu", speed, required=False)
    rows = ~gpu.blank | ~speed.blank
    other_ways = (
        ("student_cost_per_1k",),
        ("student_input_price_per_million", "student_output_price_per_million"),
    )
    for names in other_ways:
        given = np.zeros(len(frame), dtype=bool)
        for name in names:
            given |= ~_column(frame, name).blank
        way = names[0] if len(names) == 1 else "the student's prices per million tokens"
        refusals.refuse(
            rows & given,
            lambda i, way=way: (
                f"give the student's cost one way, not {way} and self-hosting (gpu_hourly_cost, "
                "calls_per_second_per_gpu)"
            ),
        )
    for name, column in (("gpu_hourly_cost", gpu), ("calls_per_second_per_gpu", speed)):
        refusals.refuse(
            rows & column.blank, lambda i, name=name: f"a self-hosted student also needs {name}"
        )
    with np.errstate(invalid="ignore"):
        refusals.refuse(
            rows & (calls <= 0.0),
            lambda i: (
                "monthly_calls must be a number > 0 for a self-hosted student (the GPUs cost "
                f"money with no calls to spread it over), got {describe_value(calls[i])}"
            ),
        )
    settings = {}
    for name in ("target_utilization", "peak_factor"):
        column = _column(frame, name)
        _check(refusals, name, column, required=False)
        settings[name] = np.where(column.blank, DEFAULTS[name], column.numbers)
    return _Hosting(
        rows,
        gpu.numbers,
        speed.numbers,
        settings["target_utilization"],
        settings["peak_factor"],
    )


def screen(endpoints: pd.DataFrame) -> pd.DataFrame:
    """Screen a table of endpoints: figures, verdict and break-even for each, best first.

    Parameters
    ----------
    endpoints : pandas.DataFrame
        One row per endpoint, columns from :data:`ENDPOINT_COLUMNS` (``name`` optional: rows
        are named ``endpoint 1``, … without it). Each model's cost is ``*_cost_per_1k`` where
        given, else from ``input_tokens_per_call``/``output_tokens_per_call`` and its prices per
        million tokens. :data:`DEFAULTS` fill absent optional columns.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RESULT_COLUMNS`, ranked: screened rows by verdict (strong first), then
        annual net benefit (largest first), then payback; refused rows last, with their reason
        in ``error`` and NaN figures. ``payback_months`` is ``inf`` where it never pays back.

    Examples
    --------
    >>> table = screen(pd.DataFrame({
    ...     "name": ["chat", "tagger", "broken"],
    ...     "monthly_calls": [2_000_000, 50_000, -1],
    ...     "teacher_cost_per_1k": [12.0, 12.0, 12.0], "student_cost_per_1k": [1.5, 1.5, 1.5],
    ...     "upfront_cost": [52_500, 52_500, 52_500], "annual_maintenance": [40_000, 40_000, 0]}))
    >>> print(table[["name", "verdict", "payback_months"]].to_string(index=False))
      name        verdict  payback_months
      chat         strong             2.5
    tagger do not distill           100.0
    broken           None             NaN
    >>> table.error.iloc[2]
    'monthly_calls must be a number ≥ 0, got -1'

    A column it does not read is reported with an :class:`UnusedColumnsWarning`, never
    ignored silently (:func:`unused_columns` names them without screening).
    """
    unused = unused_columns(endpoints.columns)
    if unused:
        warnings.warn(unused_columns_message(unused), UnusedColumnsWarning, stacklevel=2)
    if len(endpoints) <= _SCREEN_CHUNK_ROWS:
        table, codes = _screen(endpoints, 1)
        return _ordered(table, codes)
    chunks = (
        (endpoints.iloc[start : start + _SCREEN_CHUNK_ROWS], start + 1, None)
        for start in range(0, len(endpoints), _SCREEN_CHUNK_ROWS)
    )
    return screen_chunks(chunks, compact=False)  # the same table, on every core


def screen_unranked(
    endpoints: pd.DataFrame,
    first_number: int = 1,
    refusals: Mapping[int, str] | None = None,
) -> pd.DataFrame:
    """:func:`screen` without the ranking, for screening a large file chunk by chunk.

    ``first_number`` numbers unnamed rows (``endpoint N``) across chunks. ``refusals`` refuses
    rows up front, by position, with their reason (a line of a file that could not be read).
    Concatenate the chunks' tables and :func:`rank` them once.
    """
    return _screen(endpoints, first_number, refusals)[0]


def _screen(
    endpoints: pd.DataFrame, first_number: int, refused_up_front: Mapping[int, str] | None = None
) -> tuple[pd.DataFrame, FloatArray]:
    """The screened table, unranked, and each row's verdict code (refused: past the last)."""
    columns = _screen_columns(endpoints, first_number, refused_up_front)
    codes = columns["verdict"]
    table = pd.DataFrame(
        {
            "rank": np.zeros(len(codes), dtype=np.int64),
            **{
                column: (
                    # plain object columns (None where empty), so that chunks with and
                    # without refusals concatenate alike
                    pd.Series(_VERDICT_LABELS[columns[column]], dtype=object)
                    if column in _VERDICT_COLUMNS
                    else (
                        pd.Series(columns[column], dtype=object)
                        if column in ("name", "error")
                        else columns[column]
                    )
                )
                for column in RESULT_COLUMNS[1:]
            },
        },
        columns=list(RESULT_COLUMNS),
    )
    return table, codes.astype(float)


_VERDICT_LABELS = np.array((*VERDICTS, None), dtype=object)
"""A verdict code's label: code ``len(VERDICTS)`` is no verdict (refused, or not costed)."""


def _screen_columns(
    endpoints: pd.DataFrame, first_number: int, refused_up_front: Mapping[int, str] | None = None
) -> dict[str, Any]:
    """The screened columns, unranked, each an array of its own (no ``rank``): names and
    refusal reasons as Python text (None where none), the two verdicts as ``int8`` codes into
    :data:`VERDICTS` (``len(VERDICTS)``: no verdict), every figure a float array."""
    frame = _matched_columns(endpoints)
    refusals = _Refusals(len(frame))
    if refused_up_front:
        positions = np.zeros(len(frame), dtype=bool)
        positions[list(refused_up_front)] = True
        refusals.refuse(positions, lambda i: refused_up_front[i])
    calls, teacher, student, hosting = _calls_and_costs(frame, refusals)
    figures = _figures(frame, refusals)
    inputs = _case_inputs(refusals.refused.copy(), calls, teacher, student, hosting, figures)
    out = evaluate_arrays(inputs)
    overflow = ~refusals.refused & ~(
        np.isfinite(out["monthly_savings"])
        & np.isfinite(out["annual_net_benefit"])
        & np.isfinite(out["student_cost_per_1k"])
    )
    refusals.refuse(overflow, lambda i: "the figures are too large to compute")
    codes = verdict_codes(out["payback_months"], out["annual_net_benefit"], inputs.monthly_growth)  # type: ignore[arg-type]
    npv, after_maintenance, discounted = _cash_flow(out, inputs, figures, refusals.refused)
    quality = _quality_adjusted(out, inputs, figures, calls, npv, refusals)
    refused = refusals.refused

    def figure(values: FloatArray) -> FloatArray:
        return np.where(refused, np.nan, values)

    return {
        "name": _names(frame, first_number),
        "verdict": np.where(refused, len(VERDICTS), codes).astype(np.int8),
        "payback_months": figure(out["payback_months"]),
        "payback_after_maintenance_months": figure(after_maintenance),
        "annual_net_benefit": figure(out["annual_net_benefit"]),
        "monthly_savings": figure(out["monthly_savings"]),
        "annual_savings": figure(_kernel.MONTHS_PER_YEAR * out["monthly_savings"]),
        "savings_share": figure(out["savings_share"]),
        "breakeven_monthly_calls": figure(out["breakeven_monthly_calls"]),
        "npv": figure(npv),
        "discounted_payback_months": figure(discounted),
        "quality_cost_monthly": np.where(quality.costed, quality.cost_monthly, np.nan),
        "quality_adjusted_annual_net_benefit": np.where(
            quality.costed, quality.annual_net_benefit, np.nan
        ),
        "quality_adjusted_verdict": quality.verdicts,
        "monthly_calls": figure(inputs.monthly_calls),  # type: ignore[arg-type]
        "teacher_cost_per_1k": figure(inputs.teacher_cost_per_1k),  # type: ignore[arg-type]
        "student_cost_per_1k": figure(out["student_cost_per_1k"]),
        "upfront_cost": figure(out["upfront_cost"]),
        "annual_maintenance": figure(inputs.annual_maintenance),  # type: ignore[arg-type]
        "monthly_growth": figure(inputs.monthly_growth),  # type: ignore[arg-type]
        "error": refusals.reason,
    }


class TableError(InputError):
    """A table of endpoints the screen cannot take as a whole (a column missing or given
    twice), as opposed to a row it refuses."""


def _matched_columns(endpoints: pd.DataFrame) -> pd.DataFrame:
    """The endpoints with a fresh index and their columns named as matched
    (:func:`_normalised`); an input column given twice is refused, so that no figure is a
    guess."""
    frame = endpoints.reset_index(drop=True)
    names_seen = [_normalised(column) for column in frame.columns]
    twice = sorted(
        {name for name in names_seen if name in ENDPOINT_COLUMNS and names_seen.count(name) > 1}
    )
    if twice:
        raise TableError(
            f"the column {twice[0]} is given twice: keep one, so that no figure is a guess"
        )
    frame.columns = pd.Index(names_seen)
    absent = [name for name in COLUMNS_EVERY_ROW_NEEDS if name not in frame.columns]
    if absent and len(frame):
        found = ", ".join(repr(printable(str(column))) for column in endpoints.columns[:8])
        raise TableError(
            f"no {' or '.join(absent)} column, so no endpoint can be screened: every endpoint "
            f"needs {'it' if len(absent) == 1 else 'them'}, in a column named as in a case file "
            f"(the columns found: {found or 'none'})"
        )
    return frame


COLUMNS_EVERY_ROW_NEEDS = (
    "monthly_calls",
    *(name for name, entry in FIELDS.items() if entry.screen == "required"),
)
"""The columns without which every row would be refused: a table lacking one is refused whole."""


def _calls_and_costs(
    frame: pd.DataFrame, refusals: _Refusals
) -> tuple[FloatArray, FloatArray, FloatArray, _Hosting]:
    """Each row's monthly calls, the teacher's and the student's cost per 1k calls, and its
    self-hosting, refusing the rows where any is missing or impossible.

    Returns
    -------
    tuple
        ``(calls, teacher, student, hosting)``: the student's cost is NaN-free only where it is
        priced per call; a self-hosted row's cost comes from ``hosting``.
    """
    calls_column = _column(frame, "monthly_calls")
    _check(refusals, "monthly_calls", calls_column, required=True)
    calls = calls_column.numbers
    teacher = _cost_per_1k(
        frame,
        refusals,
        "teacher_cost_per_1k",
        "teacher_input_price_per_million",
        "teacher_output_price_per_million",
        "teacher",
    )
    with np.errstate(invalid="ignore"):
        refusals.refuse(
            teacher <= 0.0,
            lambda i: (
                "the teacher's cost from tokens and prices must be > 0, got "
                f"{describe_value(teacher[i])}"
            ),
        )
    hosting = _self_hosting(frame, refusals, calls)
    student = _cost_per_1k(
        frame,
        refusals,
        "student_cost_per_1k",
        "student_input_price_per_million",
        "student_output_price_per_million",
        "student",
        missing_hint=", or gpu_hourly_cost and calls_per_second_per_gpu (self-hosted)",
        elsewhere=hosting.rows,
    )
    return calls, teacher, student, hosting


def _figures(frame: pd.DataFrame, refusals: _Refusals) -> dict[str, FloatArray]:
    """The other inputs the screen reads, each checked against its bounds (a blank cell its
    default, or NaN without one), required ones first, then optional ones, then the two
    accuracies."""
    figures = {}
    figure_columns = [
        *((name, True, None) for name, entry in FIELDS.items() if entry.screen == "required"),
        *((name, False, None) for name, entry in FIELDS.items() if entry.screen == "optional"),
        *((name, False, "traffic_share") for name in _ACCURACY_COLUMNS),  # one slice, all calls
    ]
    for name, required, field in figure_columns:
        column = _column(frame, name)
        _check(refusals, name, column, required=required, field=field)
        figures[name] = np.where(column.blank, DEFAULTS.get(name, np.nan), column.numbers)
    return figures


def _case_inputs(
    refused: np.ndarray[Any, np.dtype[np.bool_]],
    calls: FloatArray,
    teacher: FloatArray,
    student: FloatArray,
    hosting: _Hosting,
    figures: Mapping[str, FloatArray],
) -> CaseInputs:
    """The rows as the array engine's inputs; a refused row gets harmless stand-ins (its
    figures are blanked afterwards)."""
    nan = math.nan
    inputs = CaseInputs(
        monthly_calls=np.where(refused, 1.0, calls),
        monthly_growth=np.where(refused, 0.0, figures["monthly_growth"]),
        teacher_cost_per_1k=np.where(refused, 1.0, teacher),
        student_cost_per_1k=np.where(refused | hosting.rows, np.where(refused, 0.0, nan), student),
        gpu_hourly_cost=np.where(hosting.rows & ~refused, hosting.gpu_hourly_cost, nan),
        calls_per_second_per_gpu=np.where(
            hosting.rows & ~refused, hosting.calls_per_second_per_gpu, nan
        ),
        target_utilization=np.where(refused, 1.0, hosting.target_utilization),
        peak_factor=np.where(refused, 1.0, hosting.peak_factor),
        escalation_share=np.where(refused, 0.0, figures["escalation_share"]),
        upfront_cost=np.where(refused, 0.0, figures["upfront_cost"]),
        data_generation_cost=nan,
        corpus_examples=nan,
        data_generation_passes=1.0,
        batch_discount=0.0,
        training_compute=0.0,
        evaluation_build=0.0,
        engineering_time=0.0,
        annual_maintenance=np.where(refused, 0.0, figures["annual_maintenance"]),
        target_payback_months=np.where(refused, 12.0, figures["target_payback_months"]),
    )
    return inputs.replace(  # every other input a column gives, by name, as the case reads it
        **{
            name: values
            for name, values in figures.items()
            if name in FIELDS and name not in inputs.named()
        }
    )


def _cash_flow(
    out: Mapping[str, FloatArray],
    inputs: CaseInputs,
    figures: Mapping[str, FloatArray],
    refused: np.ndarray[Any, np.dtype[np.bool_]],
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Each row's NPV over its horizon, payback after maintenance and discounted payback."""
    growth = inputs.monthly_growth
    upfront, savings = out["upfront_cost"], out["monthly_savings"]
    maintenance = inputs.annual_maintenance
    rate = np.where(refused, 0.0, figures["discount_rate"])
    npv = npv_array(
        upfront,
        savings,
        maintenance,
        rate,
        np.where(refused, 1.0, figures["horizon_months"]),
        growth,
    )
    after_maintenance = payback_after_maintenance_array(
        upfront, savings, maintenance, growth, payback=out["payback_months"]
    )
    discounted = discounted_payback_array(
        upfront, savings, maintenance, rate, growth, after_maintenance
    )
    return npv, after_maintenance, discounted


@dataclass(frozen=True)
class _QualityAdjusted:
    """The cost of worse answers and the figures counting it, where the quality columns are
    given (``costed``)."""

    costed: np.ndarray[Any, np.dtype[np.bool_]]
    cost_monthly: FloatArray
    annual_net_benefit: FloatArray
    verdicts: np.ndarray[Any, Any]


def _quality_adjusted(
    out: Mapping[str, FloatArray],
    inputs: CaseInputs,
    figures: Mapping[str, FloatArray],
    calls: FloatArray,
    npv: FloatArray,
    refusals: _Refusals,
) -> _QualityAdjusted:
    """The cost of worse answers (one slice carrying all the traffic) and the annual net
    benefit and verdict counting it; rows whose NPV or adjusted savings are too large to
    compute are refused here."""
    growth = inputs.monthly_growth
    upfront, savings = out["upfront_cost"], out["monthly_savings"]
    refused = refusals.refused
    with np.errstate(invalid="ignore", over="ignore"):
        drop = np.maximum(0.0, figures["teacher_accuracy"] - figures["student_accuracy"])
        quality = 1.0 * drop * calls * figures["cost_per_error"]  # one slice, all the traffic
        adjusted = savings - quality
    costed = ~np.isnan(quality) & ~refused
    adjusted = np.where(costed, adjusted, 0.0)
    too_large = ~refused & (~np.isfinite(npv) | (costed & ~np.isfinite(adjusted)))
    refusals.refuse(too_large, lambda i: "the figures are too large to compute")
    refused = refusals.refused
    costed &= ~refused
    adjusted_net = _kernel.annual_net_benefit(adjusted, inputs.annual_maintenance)
    adjusted_verdicts = np.full(len(refused), len(VERDICTS), dtype=np.int8)
    if costed.any():  # only where the quality columns are given: no cost to the rest
        where = np.flatnonzero(costed)
        adjusted_growth = np.broadcast_to(growth, (len(refused),))[where]
        adjusted_codes = verdict_codes(
            payback_array(upfront[where], adjusted[where], adjusted_growth),
            adjusted_net[where],
            adjusted_growth,
        )
        adjusted_verdicts[where] = adjusted_codes
    return _QualityAdjusted(costed, quality, adjusted_net, adjusted_verdicts)


def _names(frame: pd.DataFrame, first_number: int) -> np.ndarray[Any, Any]:
    """Each row's name as text; ``endpoint N`` (N its place) where there is none."""
    rows = len(frame)
    if "name" not in frame.columns:
        return np.array([f"endpoint {first_number + i}" for i in range(rows)], dtype=object)
    column = frame["name"]
    names = column.astype(str).to_numpy(dtype=object)
    blank = column.isna().to_numpy() | (
        column.astype("string").str.strip().eq("").fillna(False).to_numpy(dtype=bool)
    )
    for index in np.flatnonzero(blank):
        names[index] = f"endpoint {first_number + index}"
    return names


def rank(table: pd.DataFrame) -> pd.DataFrame:
    """Order a screened table best first and number it: verdict (strong first), then annual
    net benefit (largest first), then payback (soonest first); refused rows last."""
    return rank_chunks([table])


def rank_chunks(chunks: Iterable[pd.DataFrame], *, compact: bool = False) -> pd.DataFrame:
    """Join tables screened chunk by chunk and :func:`rank` them, one column at a time.

    Each chunk is taken apart into its own copies of its columns as it arrives (so that the
    chunk itself is freed), and each column is put in its ranked place on its own, so ranking
    a table costs about one more column, not one more table (ten million endpoints: gigabytes
    saved). Verdicts travel as one byte a row, and refusal reasons only where there is one.

    With ``compact``, names come back as Arrow strings (``string[pyarrow]``): their bytes
    and one offset a row, about a third of the memory of one Python text object a row
    (sixteen million endpoints: about a gigabyte saved). Without pyarrow installed, or without
    ``compact``, they are Python text as in :func:`screen`. With ``compact`` the two verdict
    columns are categorical (one byte a row; missing where refused), not Python text.

    Examples
    --------
    >>> frame = pd.DataFrame({"monthly_calls": [1e3, 2e6], "teacher_cost_per_1k": 12.0,
    ...     "student_cost_per_1k": 1.5, "upfront_cost": 52_500, "annual_maintenance": 0})
    >>> chunks = (screen_unranked(frame.iloc[[i]], first_number=i + 1) for i in range(2))
    >>> rank_chunks(chunks)[["rank", "name"]].values.tolist()
    [[1, 'endpoint 2'], [2, 'endpoint 1']]
    """
    return _rank_parts((_parts_of(chunk) for chunk in chunks), compact=compact)


def screen_chunks(
    chunks: Iterable[tuple[pd.DataFrame, int, Mapping[int, str] | None]], *, compact: bool = True
) -> pd.DataFrame:
    """Screen endpoints chunk by chunk and rank them once: :func:`screen` for a large file.

    Parameters
    ----------
    chunks : iterable of (DataFrame, int, mapping or None)
        Each chunk's endpoints, the number of its first row (unnamed rows are called
        ``endpoint N``), and rows refused up front by position, with their reason.
    compact : bool
        Names as Arrow strings and verdicts as categoricals, as :func:`rank_chunks` says.

    Returns
    -------
    pandas.DataFrame
        The ranked table, figure for figure that of :func:`screen` on all the rows at once.

    Examples
    --------
    >>> frame = pd.DataFrame({"name": ["tagger", "chat"], "monthly_calls": [1e3, 2e6],
    ...     "teacher_cost_per_1k": 12.0, "student_cost_per_1k": 1.5, "upfront_cost": 52_500,
    ...     "annual_maintenance": 0})
    >>> table = screen_chunks([(frame.iloc[:1], 1, None), (frame.iloc[1:], 2, None)])
    >>> table[["name", "verdict"]].values.tolist()
    [['chat', 'strong'], ['tagger', 'reconsider']]
    """
    return _rank_parts(_screened_side_by_side(chunks), compact=compact)


def _screened_side_by_side(
    chunks: Iterable[tuple[pd.DataFrame, int, Mapping[int, str] | None]],
) -> Iterator[dict[str, Any]]:
    """Each chunk's :func:`_screen_columns`, in order, worked out on as many threads as
    there are processors (numpy's arithmetic runs outside Python's lock): a chunk or two
    ahead of the one taken, so memory stays that of a few chunks."""
    workers = _screen_workers()
    if workers == 1:
        for frame, first_number, refusals in chunks:
            yield _screened_and_sorted(frame, first_number, refusals)
        return
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        pending: collections.deque[concurrent.futures.Future[dict[str, Any]]] = collections.deque()
        try:
            for frame, first_number, refusals in chunks:
                pending.append(pool.submit(_screened_and_sorted, frame, first_number, refusals))
                del frame
                if len(pending) >= workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def _placed(pieces: list[Any], places: np.ndarray[Any, Any]) -> Any:
    """A column from its chunks' pieces, each row at ``places`` (its ranked place); each
    piece freed once placed."""
    ranked = np.empty(len(places), dtype=pieces[0].dtype)
    start = 0
    while pieces:
        piece = pieces.pop(0)
        ranked[places[start : start + len(piece)]] = piece
        start += len(piece)
        del piece
    _give_back_freed_memory(len(places))
    return ranked


def _screened_and_sorted(
    frame: pd.DataFrame, first_number: int, refusals: Mapping[int, str] | None
) -> dict[str, Any]:
    """A chunk's :func:`_screen_columns` and its own order by net benefit (``net_order``), so
    that ranking merges the chunks' orders instead of sorting the whole table afresh."""
    parts = _screen_columns(frame, first_number, refusals)
    order = np.argsort(_net_key(parts["annual_net_benefit"]))
    parts["net_order"] = order.astype(np.int32) if len(order) < 2**31 else order  # half the bytes
    return parts


def _screen_workers() -> int:
    """Threads that screen or rank side by side: one a processor, at most
    :data:`_SCREEN_THREADS`."""
    cores = (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    )
    return max(1, min(cores, _SCREEN_THREADS))


_SCREEN_THREADS = 4
"""Threads that screen chunks side by side, at most (fewer where there are fewer cores)."""

_SCREEN_CHUNK_ROWS = 125_000
"""Rows of a large table :func:`screen` works out at a time, chunks side by side."""


def _parts_of(chunk: pd.DataFrame) -> dict[str, Any]:
    """A screened table's columns as :func:`_screen_columns` gives them: each its own copy
    (never a view of the table, which is then freed), verdicts as codes."""
    parts: dict[str, Any] = {}
    for column in RESULT_COLUMNS[1:]:
        values = chunk[column]
        if column in _VERDICT_COLUMNS:
            codes = pd.Categorical(values, categories=VERDICTS).codes.astype(np.int8)
            codes[codes < 0] = len(VERDICTS)
            parts[column] = codes
        else:
            parts[column] = np.array(values.to_numpy(), copy=True)
    return parts


def _rank_parts(chunks: Iterable[dict[str, Any]], *, compact: bool) -> pd.DataFrame:
    """Rank screened columns that arrive chunk by chunk (see :func:`rank_chunks`).

    Only the three ranking keys are joined whole; every other column is written straight
    from its chunks into its ranked places (one pass, no joined copy of it).
    """
    arrow = _arrow() if compact else None
    # the C library's heap, which gives freed memory back (:func:`_give_back_freed_memory`);
    # pyarrow's own pool would keep the names' working copies
    pool = arrow.system_memory_pool() if arrow is not None else None
    parts: dict[str, list[Any]] = {  # the rank is numbered once ranked; reasons kept apart
        column: [] for column in RESULT_COLUMNS if column not in ("rank", "error")
    }
    parts["net_order"] = []  # each chunk's own order by net benefit, where it comes sorted
    reasons: list[tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]] = []
    rows = 0
    for chunk in chunks:
        for column in RESULT_COLUMNS[1:]:
            values = chunk.pop(column)
            if column == "error":
                where = np.flatnonzero(pd.notna(values))
                reasons.append((where + rows, values[where]))
            elif column == "name" and arrow is not None:
                parts[column].append(
                    arrow.array(values, type=arrow.large_string(), memory_pool=pool)
                )
            else:
                parts[column].append(values)
        parts["net_order"].append(chunk.pop("net_order", None))
        rows += len(parts["verdict"][-1])
        del chunk
        _give_back_freed_memory(rows)  # the chunk's working arrays, between the kept copies
    if not parts["verdict"]:
        raise ValueError("no chunks to rank")
    columns: dict[str, Any] = {
        column: np.concatenate(parts.pop(column))
        for column in ("verdict", "annual_net_benefit", "payback_months")
    }
    _give_back_freed_memory(rows)  # their chunks' pieces
    runs = parts.pop("net_order")
    order = _order(
        columns["verdict"],
        columns["annual_net_benefit"],
        columns["payback_months"],
        runs if all(run is not None for run in runs) else None,
    )
    del runs
    for column in list(columns):
        columns[column] = columns[column][order]
    if arrow is not None:
        joined = arrow.chunked_array(parts.pop("name"), type=arrow.large_string())
        columns["name"] = pd.arrays.ArrowStringArray(
            arrow.compute.take(joined, order, memory_pool=pool)
        )
        del joined
    places = np.empty(rows, dtype=np.int64)
    places[order] = np.arange(rows)  # where each row of the input lands
    del order
    _give_back_freed_memory(rows)

    # numpy places a column outside Python's lock: columns side by side, a few at a time
    with concurrent.futures.ThreadPoolExecutor(_screen_workers()) as threads:
        placed = threads.map(_placed, parts.values(), itertools.repeat(places))
        columns.update(zip(parts, placed, strict=True))
    parts.clear()
    error = np.full(rows, None, dtype=object)
    for where, texts in reasons:
        error[places[where]] = texts
    del places
    columns["error"] = error
    return _ranked_frame(columns, compact=compact)


def _ranked_frame(columns: dict[str, Any], *, compact: bool) -> pd.DataFrame:
    """The ranked table from its ranked columns: the verdicts as labels (categorical with
    ``compact``), the rank numbered, text columns as Python objects."""
    for column in _VERDICT_COLUMNS:
        codes = columns[column]
        if compact:
            codes[codes == len(VERDICTS)] = -1  # no verdict
            columns[column] = pd.Categorical.from_codes(codes, categories=pd.Index(VERDICTS))
        else:
            columns[column] = _VERDICT_LABELS[codes]
    columns["rank"] = np.arange(1, len(columns["error"]) + 1)
    return pd.DataFrame(
        {
            column: (
                pd.Series(values, dtype=object)
                if isinstance(values, np.ndarray) and values.dtype == object
                else values
            )
            for column, values in ((name, columns[name]) for name in RESULT_COLUMNS)
        },
        columns=list(RESULT_COLUMNS),
        copy=False,
    )


_VERDICT_COLUMNS = ("verdict", "quality_adjusted_verdict")


def _arrow() -> Any:
    """pyarrow, where installed; else None (names then stay Python text)."""
    try:
        import pyarrow
        import pyarrow.compute
    except ImportError:  # pragma: no cover (a dependency; absent only in odd installs)
        return None
    return pyarrow


_LIBC: Any = None

_TRIM_FROM_ROWS = 2_000_000
"""Rows from which ranking a table gives freed memory back as it goes (about 300 MB of
columns: below that, keeping it costs less than the trims' time)."""


def _give_back_freed_memory(rows: int) -> None:
    """Hand memory freed inside the heap back to the system, where the C library allows it,
    once a table has :data:`_TRIM_FROM_ROWS` rows.

    glibc keeps freed blocks of a few megabytes (each chunk's columns) for reuse: joining ten
    million rows' chunks into whole columns would otherwise hold the table twice at its peak.
    A smaller table is left alone (the memory comes back at once and the trim costs time).
    Elsewhere this does nothing.
    """
    global _LIBC
    if rows < _TRIM_FROM_ROWS:
        return
    if _LIBC is None:
        try:
            import ctypes

            _LIBC = ctypes.CDLL("libc.so.6")
            _LIBC.malloc_trim  # noqa: B018 (glibc only: fails elsewhere)
        except (OSError, AttributeError):
            _LIBC = False
    if _LIBC:
        _LIBC.malloc_trim(0)


def _net_key(net: Any) -> FloatArray:
    """What ranks net benefit, smallest first: its negative, refused rows (NaN) last."""
    key: FloatArray = np.nan_to_num(np.asarray(net, dtype=float), nan=-np.inf)
    np.negative(key, out=key)
    return key


def _order(
    codes: np.ndarray[Any, Any],
    net: Any,
    payback: Any,
    runs: list[np.ndarray[Any, Any]] | None = None,
) -> np.ndarray[Any, Any]:
    """The order of ``np.lexsort((payback, -net, codes))``, about three times faster.

    One unstable sort on net benefit (largest first); ties in it — rare in real portfolios —
    re-sorted by payback, then by their place in the input; then a stable sort on the verdict
    code, which numpy does as a radix sort on small integers. Refused rows (NaN net benefit)
    sort as the smallest net benefit.

    ``runs``: each chunk's own order by :func:`_net_key` (the rows one after another, chunk by
    chunk), sorted beside the screening; the sort on net benefit is then a merge of them
    (a stable sort finds the runs), about four times faster than sorting afresh.
    """
    payback = np.asarray(payback, dtype=float)
    key = _net_key(net)
    if runs is None:
        order = np.argsort(key)
    else:
        starts = np.cumsum([0] + [len(run) for run in runs[:-1]])
        order = np.concatenate([run + start for run, start in zip(runs, starts, strict=True)])
        order = order[np.argsort(key[order], kind="stable")]
    ranked = key[order]
    del key  # a table's worth of rows: free each working array once done with it
    same = ranked[1:] == ranked[:-1]
    del ranked
    if same.any():
        tied = np.zeros(len(order), dtype=bool)
        tied[1:] |= same
        tied[:-1] |= same
        run = np.cumsum(~np.concatenate(([False], same)))[tied]
        members = order[tied]
        order[tied] = members[np.lexsort((members, payback[members], run))]
    del same
    by_verdict = np.argsort(np.asarray(codes, dtype=np.int8)[order], kind="stable")
    result: np.ndarray[Any, Any] = order[by_verdict]
    return result


def _ordered(table: pd.DataFrame, codes: FloatArray) -> pd.DataFrame:
    """The table sorted by verdict code (refused rows carry the code past the last), then
    annual net benefit (largest first), then payback (soonest first), and numbered."""
    order = _order(codes, table["annual_net_benefit"], table["payback_months"])
    ranked = table.take(order).reset_index(drop=True)
    ranked["rank"] = np.arange(1, len(ranked) + 1)
    return ranked


@dataclass(frozen=True)
class PortfolioSummary:
    """How a screened portfolio adds up.

    ``endpoints`` counts every row; ``screened`` those given a verdict, ``refused`` the rest
    (``screened + refused == endpoints``). The ``*_counting_quality`` figures count an endpoint
    as worth doing only when its verdict once worse answers are counted is worth doing too (an
    endpoint with no cost of worse answers keeps its verdict), and add up its quality-adjusted
    annual net benefit where there is one; ``worth_doing_not_once_counted`` says how many of
    those worth doing drop out that way, ``worth_doing_not_costed`` how many of those still
    counted have no cost of worse answers computed (kept on their compute verdict).
    """

    endpoints: int
    refused: int
    by_verdict: dict[str, int]
    worth_doing: int
    annual_savings_worth_doing: float
    annual_net_benefit_worth_doing: float
    upfront_worth_doing: float
    worth_doing_counting_quality: int = 0
    annual_net_benefit_worth_doing_counting_quality: float = 0.0
    upfront_worth_doing_counting_quality: float = 0.0
    worth_doing_not_costed: int = 0

    @property
    def screened(self) -> int:
        """The endpoints given a verdict: every row less the refused."""
        return self.endpoints - self.refused

    @property
    def worth_doing_not_once_counted(self) -> int:
        """Endpoints worth doing on compute whose verdict counting worse answers is not."""
        return self.worth_doing - self.worth_doing_counting_quality


def summarise(table: pd.DataFrame) -> PortfolioSummary:
    """Counts per verdict, and what the endpoints worth doing (strong, defensible) add up to,
    on compute alone and counting worse answers.

    Examples
    --------
    >>> table = screen(pd.DataFrame({"monthly_calls": [2e6, 1e3], "teacher_cost_per_1k": 12.0,
    ...     "student_cost_per_1k": 1.5, "upfront_cost": 52_500, "annual_maintenance": 40_000}))
    >>> summary = summarise(table)
    >>> summary.by_verdict["strong"], summary.worth_doing, summary.annual_savings_worth_doing
    (1, 1, 252000.0)
    >>> summary.screened, summary.worth_doing_counting_quality
    (2, 1)
    """
    worth = table["verdict"].isin(WORTH_DOING)
    counts = table["verdict"].value_counts()
    net = table["annual_net_benefit"]
    adjusted_verdict = (
        table["quality_adjusted_verdict"]
        if "quality_adjusted_verdict" in table
        else pd.Series(None, index=table.index, dtype=object)
    )
    costed = adjusted_verdict.notna()
    still_worth = worth & (~costed | adjusted_verdict.isin(WORTH_DOING))
    if "quality_adjusted_annual_net_benefit" in table:
        counted_net = table["quality_adjusted_annual_net_benefit"].where(costed, net)
    else:
        counted_net = net
    return PortfolioSummary(
        endpoints=len(table),
        refused=int(table["error"].notna().sum()),
        by_verdict={label: int(counts.get(label, 0)) for label in VERDICTS},
        worth_doing=int(worth.sum()),
        annual_savings_worth_doing=float(table.loc[worth, "annual_savings"].sum()),
        annual_net_benefit_worth_doing=float(net[worth].sum()),
        upfront_worth_doing=float(table.loc[worth, "upfront_cost"].sum()),
        worth_doing_counting_quality=int(still_worth.sum()),
        annual_net_benefit_worth_doing_counting_quality=float(counted_net[still_worth].sum()),
        upfront_worth_doing_counting_quality=float(table.loc[still_worth, "upfront_cost"].sum()),
        worth_doing_not_costed=int((worth & ~costed).sum()),
    )


SCREEN_CELL_COLUMNS = (
    ("rank", "Rank"),
    ("name", "Endpoint"),
    ("verdict", "Verdict"),
    ("payback_months", "Payback (months)"),
    ("payback_after_maintenance_months", "Payback after maintenance (months)"),
    ("annual_net_benefit", "Annual net benefit"),
    ("monthly_savings", "Monthly savings"),
    ("breakeven_monthly_calls", "Break-even volume"),
    ("error", "Error"),
)
"""The columns :func:`screen_cells` returns: field, header."""


_BLANK_BLOCK = 4096
"""Trailing rows compared at a time when cutting the blank tail of a range."""


def _is_blank_row(row: Any) -> bool:
    return isinstance(row, list | tuple) and all(cell in (None, "") for cell in row)


def _used_range(rows: list[Any] | tuple[Any, ...]) -> tuple[list[Any], int]:
    """The rows and the width of a range once its trailing blank rows and columns are cut.

    ``=SCREEN(A:F)`` hands over 1,048,576 rows, nearly all blank: they are cut from the end
    first (one list comparison a row), so the work follows the endpoints, not the sheet.
    """
    rows = list(rows)
    end = len(rows)
    while end > 1:
        last = rows[end - 1]
        if not isinstance(last, list | tuple):
            break
        block = min(_BLANK_BLOCK, end - 1)
        if rows[end - block : end] == [type(last)([None] * len(last))] * block:
            end -= block  # a whole block of blank rows, compared in one go
            continue
        while end > 1 and _is_blank_row(rows[end - 1]):
            end -= 1
        break
    used = rows[:end]
    width = 0
    for row in used:
        if not isinstance(row, list | tuple):
            raise InputError("endpoints must be a range: a header row, then one row per endpoint")
        for index in range(len(row) - 1, width - 1, -1):
            if row[index] not in (None, ""):
                width = index + 1
                break
    return used, width


def cut_blank_tail(rows: Any) -> list[Any]:
    """A range without its trailing blank rows (``=SCREEN(A:F)`` hands over a million).

    Examples
    --------
    >>> cut_blank_tail([["name"], ["chat"], [None], [None]])
    [['name'], ['chat']]
    """
    if not isinstance(rows, list | tuple) or not rows or not isinstance(rows[0], list | tuple):
        return list(rows) if isinstance(rows, list | tuple) else rows
    return _used_range(rows)[0]


def screen_cells(rows: list[list[Any]]) -> list[list[Any]]:
    """Screen endpoints given as a table of cells (a header row, then one row per endpoint).

    What the ``SCREEN`` worksheet function returns: a header, then the ranked endpoints, a
    payback that never comes as ``"never"``, blanks for the figures of a refused row. Headers
    are matched without regard to case or surrounding spaces; wholly blank rows are skipped, and
    trailing blank rows and columns (a whole-column range) cost next to nothing. Columns the
    screen does not read are named in a last row, never ignored silently. Text shown is made
    safe: control characters in a name become ``?``.

    Examples
    --------
    >>> cells = screen_cells([["name", "monthly_calls", "teacher_cost_per_1k",
    ...     "student_cost_per_1k", "upfront_cost", "annual_maintenance"],
    ...     ["chat", 2_000_000, 12.0, 1.5, 52_500, 40_000]])
    >>> cells[1][:4]
    [1, 'chat', 'strong', 2.5]
    """
    if not rows or not isinstance(rows[0], list | tuple):
        raise InputError("endpoints must be a range: a header row, then one row per endpoint")
    rows, width = _used_range(rows)
    header = [
        str(cell).strip().lower() if cell not in (None, "") else f"column {index + 1}"
        for index, cell in enumerate(list(rows[0])[:width])
    ]
    header += [f"column {index + 1}" for index in range(len(header), width)]
    known = [name for name in header if name in ENDPOINT_COLUMNS]
    if "monthly_calls" not in known:
        raise InputError(
            "endpoints needs a header row naming its columns, monthly_calls among them "
            f"(known: {', '.join(ENDPOINT_COLUMNS)})"
        )
    body = [
        (list(row) + [None] * width)[:width]
        for row in rows[1:]
        if any(cell not in (None, "") for cell in row)
    ]
    frame = pd.DataFrame(body, columns=header, dtype=object)
    unused = [
        name
        for name in unused_columns(header)
        # a column without a header counts only where it holds something
        if not name.startswith("column ") or frame[name].notna().any()
    ]
    frame = frame.loc[:, [name for name in frame.columns if name in ENDPOINT_COLUMNS]]
    table, codes = _screen(frame, 1)
    table = _ordered(table, codes)
    cells: list[list[Any]] = [[title for _, title in SCREEN_CELL_COLUMNS]]
    for record in table[[field for field, _ in SCREEN_CELL_COLUMNS]].itertuples(index=False):
        row: list[Any] = []
        for value in record:
            if value is None or isinstance(value, float):
                row.append(figure_cell(value) if value is not None else "")
            elif isinstance(value, np.integer):
                row.append(int(value))
            elif isinstance(value, str):
                row.append(printable(value))
            else:
                row.append(value)
        cells.append(row)
    if unused:
        note = ["", f"Note: {unused_columns_message(unused)}"]
        cells.append(note + [""] * (len(SCREEN_CELL_COLUMNS) - len(note)))
    return cells
