"""Measure, don't guess: per-call cost, volume, growth and latency from request logs.

:func:`measure` reads request logs — CSV, JSON Lines or Parquet, one file, many or a glob,
gzipped or not — in the formats teams export (canonical columns, LiteLLM spend logs, Langfuse
observations, OpenTelemetry GenAI spans, AWS Bedrock invocation logs, the OpenAI usage export),
and gives one row per model with the figures a case needs and where each came from.

Definitions
-----------
- **calls**: requests in the window (for bucketed exports, the sum of their request counts).
- **monthly_calls**: the mean of the calls in each *complete* calendar month of the window (a
  month is complete when the window includes every one of its days, UTC); a month without calls
  counts as 0. With no complete month: the daily rate (calls ÷ days in the window) × 30.4375,
  with a warning.
- **monthly_growth**: the compound monthly rate ``g`` fitted over the complete months:
  least squares of ln(calls) on the month's number, ``g = exp(slope) − 1``; none (NaN) from
  fewer than two complete months, or when a complete month has no calls.
- **input/output/cached_input_tokens_per_call**: sums ÷ the calls that report tokens.
  ``input_tokens`` includes cached input tokens.
- **cost_per_1k**: 1000 × cost ÷ calls; cost from the logs where they have it, else tokens
  priced from the ``genai-prices`` table (``cost_source`` says which, with the table's version
  and date): (input − cached) × input price + cached × cached-input price + output × output
  price, per million tokens. A call with tokens whose recorded cost is 0 or missing has **no
  cost recorded**, never a cost of 0: priced from the table when it knows the model; otherwise
  left out, and a model none of whose calls has a cost is "no cost recorded (self-hosted?)"
  with no cost per 1k (NaN).
- **latency_p50/p95/p99_ms**: exact percentiles with linear interpolation (numpy's default)
  over the calls with a latency; with ``approx=True`` the engine's approximate percentile
  (the bound is stated in the source). Bucketed exports have no per-request latency: NaN, and
  the source says "P95 not available from this source".
- Cost per 1k, tokens per call and the percentiles are over the **successful calls** (no
  error status) unless ``include_failed=True``; ``failed_calls``, ``failed_cost_per_1k`` and
  ``failed_latency_p50/p95_ms`` are the failed calls' own figures, beside them.
- **error_share**: calls whose status is an error ÷ calls with a status (NaN without one).

Rows with a missing model, a missing or unparseable timestamp (or one before 1970 or after
2199), an unreadable number, a number that is NaN or infinite, negative tokens, cost or latency,
a latency over a day, or neither cost nor tokens, and JSON Lines lines that are not JSON, are
counted by reason, never dropped silently; so are repeats of a request id (the earliest row is
kept). A file named twice (same path, same file, same bytes) is read once. Calls apart from the
rest by :data:`SPARSE_GAP_MONTHS` or more months without a call are left out when they hold at
most :data:`STRAY_SHARE` of the calls (said in a warning), else the window must be chosen.
The measurement fails only when no row is left, or when the window must be chosen.
"""

from __future__ import annotations

import calendar
import datetime as dt
import glob
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xl_roi._measure._engines import CsvTypesError, Engine, file_kind, make_engine
from xl_roi._measure._figures import (
    ALL_CALLS,
    NO_COST_RECORDED,
    SUCCESSFUL,
    Cost,
    Group,
    PriceLookup,
    combined,
    group_cost,
    model_groups,
)
from xl_roi._measure._files import check_gzip, distinct_files, is_gzipped
from xl_roi._measure._formats import (
    CANONICAL_COLUMNS,
    FORMATS,
    Format,
    LogFormatError,
    Schema,
    detect,
    expressions,
    matching_formats,
)
from xl_roi._measure._sql import (
    EXACT_P95,
    approx_bound,
    counts_query,
    models_query,
    normalised_union,
    select_from,
    window_filter,
    with_first_and_last,
)
from xl_roi.errors import InputError
from xl_roi.prices import ModelPrices, UnknownModelError, model_prices, price_table

__all__ = [
    "DAYS_PER_MONTH",
    "MEASURE_COLUMNS",
    "LogFormatError",
    "NothingToMeasureError",
    "complete_months",
    "compound_monthly_growth",
    "measure",
    "monthly_calls_from_counts",
]

DAYS_PER_MONTH = 30.4375
"""Days in an average month (365.25 ÷ 12)."""

MEASURE_COLUMNS = (
    "model",
    "calls",
    "first_seen",
    "last_seen",
    "monthly_calls",
    "monthly_growth",
    "input_tokens_per_call",
    "output_tokens_per_call",
    "cached_input_tokens_per_call",
    "cost_per_1k",
    "cost_source",
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "error_share",
    "failed_calls",
    "failed_cost_per_1k",
    "failed_latency_p50_ms",
    "failed_latency_p95_ms",
)
"""The columns of :func:`measure`'s table, in order."""

LATENCY_NOT_AVAILABLE = "P95 not available from this source"

SPARSE_GAP_MONTHS = 3
"""Calendar months in a row without a call that split a log into separate spans."""

STRAY_SHARE = 0.05
"""Spans beside the densest one holding together at most this share of the calls are stray
rows (a clock reset, a default timestamp, a test row): left out, and said so."""


class NothingToMeasureError(InputError):
    """No row of the logs can be used."""


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def complete_months(first_day: dt.date, last_day: dt.date) -> list[dt.date]:
    """The calendar months whose every day lies in the window ``first_day … last_day``.

    Examples
    --------
    >>> import datetime as dt
    >>> [m.isoformat() for m in complete_months(dt.date(2026, 1, 15), dt.date(2026, 4, 30))]
    ['2026-02-01', '2026-03-01', '2026-04-01']
    >>> complete_months(dt.date(2026, 1, 2), dt.date(2026, 1, 31))
    []
    """
    months = []
    month = _month_start(first_day)
    while month <= last_day:
        if month >= first_day and _month_end(month) <= last_day:
            months.append(month)
        month = _next_month(month)
    return months


def compound_monthly_growth(calls_by_month: Sequence[float]) -> float:
    """The compound monthly growth rate fitted over consecutive complete months.

    Least squares of ln(calls) on the month's number; ``exp(slope) − 1``. NaN from fewer
    than two months or when a month has no calls (its logarithm does not exist).

    Examples
    --------
    >>> round(compound_monthly_growth([100, 110, 121]), 12)
    0.1
    >>> compound_monthly_growth([100])
    nan
    """
    values = np.asarray(calls_by_month, dtype=float)
    if len(values) < 2 or np.any(values <= 0):
        return math.nan
    months = np.arange(len(values), dtype=float)
    slope = np.polyfit(months, np.log(values), 1)[0]
    return float(math.expm1(slope))


def monthly_calls_from_counts(
    calls_by_month: Mapping[dt.date, float],
    first_day: dt.date,
    last_day: dt.date,
) -> tuple[float, list[dt.date], float]:
    """Monthly calls and growth from calls per calendar month, over the window's days.

    Returns ``(monthly_calls, complete_months, monthly_growth)``. With no complete month, the
    daily rate × :data:`DAYS_PER_MONTH` and no months (the caller warns).

    Examples
    --------
    >>> import datetime as dt
    >>> counts = {dt.date(2026, 1, 1): 50, dt.date(2026, 2, 1): 100, dt.date(2026, 3, 1): 110}
    >>> calls, months, growth = monthly_calls_from_counts(
    ...     counts, dt.date(2026, 1, 20), dt.date(2026, 3, 31))
    >>> calls, [m.month for m in months], round(growth, 6)
    (105.0, [2, 3], 0.1)
    """
    months = complete_months(first_day, last_day)
    if months:
        series = [float(calls_by_month.get(month, 0.0)) for month in months]
        return float(np.mean(series)), months, compound_monthly_growth(series)
    days = (last_day - first_day).days + 1
    total = float(sum(calls_by_month.values()))
    return total / days * DAYS_PER_MONTH, [], math.nan


def expand_paths(logs: str | Path | Iterable[str | Path]) -> list[Path]:
    """Files from paths and globs; an error for a path or pattern that finds nothing."""
    items = [logs] if isinstance(logs, str | Path) else list(logs)
    if not items:
        raise LogFormatError("no log files given")
    files: list[Path] = []
    for item in items:
        text = str(item)
        if any(char in text for char in "*?["):
            found = sorted(glob.glob(text, recursive=True))
            if not found:
                raise LogFormatError(f"{text}: no file matches")
            files.extend(Path(f) for f in found if Path(f).is_file())
        else:
            path = Path(text)
            if not path.exists():
                raise LogFormatError(f"{path}: no such file")
            if path.is_dir():
                raise LogFormatError(f"{path}: is a folder; give its files or a glob (dir/*.csv)")
            files.append(path)
    for path in files:
        if _is_empty(path):
            raise LogFormatError(f"{path}: the file is empty (not even a header row)")
    return files


_EMPTY_LOOK_BYTES = 1 << 20
"""How far a file is read to call it empty: a megabyte of white space with more after it is
not empty (a packed run of newlines is the gzip check's to refuse, as a bomb)."""


def _is_empty(path: Path) -> bool:
    """True for a file with nothing in it but white space, all of it within the first megabyte
    (gzipped or not)."""
    import gzip

    try:
        opener = gzip.open if path.suffix.lower() == ".gz" else open
        with opener(path, "rb") as stream:
            start = stream.read(_EMPTY_LOOK_BYTES)
            return not start.strip() and not stream.read(1)
    except (OSError, EOFError):
        return False  # unreadable: the reader says why


def _parse_day(name: str, value: str | dt.date | None) -> dt.date | None:
    if value is None:
        return value
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"{name} must be a date like 2026-01-31, got {value!r}") from None
    if not dt.date(1970, 1, 1) <= day < dt.date(2200, 1, 1):
        raise InputError(f"{name} must be a date from 1970 to 2199, got {value!r}")
    return day


def _inside(since_day: dt.date | None, until_day: dt.date | None) -> str:
    """The SQL condition for rows inside the window (both days included)."""
    return window_filter(
        since_day.isoformat() if since_day else None,
        (until_day + dt.timedelta(days=1)).isoformat() if until_day else None,
    )


@dataclass(frozen=True)
class _Window:
    """The window to measure over, and what was said about choosing it."""

    since: dt.date | None
    until: dt.date | None
    note: str | None = None


def _dense_window(
    counted: Sequence[tuple[Any, ...]], since_day: dt.date | None, until_day: dt.date | None
) -> _Window:
    """The window without its stray spans: calls apart from the rest by a gap of
    :data:`SPARSE_GAP_MONTHS` calendar months or more, holding at most :data:`STRAY_SHARE` of
    the calls (one row dated 1970-01-01 in a 2026 log would make 675 "complete months").

    A side the user fixed (``since``/``until``) is kept, with a warning when the window then
    holds such a gap. Spans that are not stray are an error naming them and the fix.
    """
    calls: dict[int, float] = {}
    first: dict[int, Any] = {}
    last: dict[int, Any] = {}
    for state, _model, month, _rows, count, low, high in counted:
        if state is not None:
            continue
        day = _as_date(month)
        key = day.year * 12 + day.month - 1
        calls[key] = calls.get(key, 0.0) + float(count or 0)
        first[key] = low if key not in first or low < first[key] else first[key]
        last[key] = high if key not in last or high > last[key] else last[key]
    spans: list[list[int]] = []
    for key in sorted(calls):
        if spans and key - spans[-1][-1] - 1 < SPARSE_GAP_MONTHS:
            spans[-1].append(key)
        else:
            spans.append([key])
    if len(spans) < 2:
        return _Window(since_day, until_day)

    def total(span: list[int]) -> float:
        return sum(calls[key] for key in span)

    def described(span: list[int]) -> str:
        return (
            f"{_as_date(first[span[0]])} … {_as_date(last[span[-1]])} "
            f"({total(span):,.0f} call{'' if total(span) == 1 else 's'})"
        )

    dense = max(spans, key=lambda span: (total(span), span[0]))  # ties: the latest
    before, after = spans[: spans.index(dense)], spans[spans.index(dense) + 1 :]
    movable = (before if since_day is None else []) + (after if until_day is None else [])
    kept = [span for span in spans if span is not dense and span not in movable]
    all_calls = sum(calls.values())
    gap = f"{SPARSE_GAP_MONTHS} or more calendar months without a call"
    if sum(total(span) for span in movable) > STRAY_SHARE * all_calls:
        raise InputError(
            f"the calls fall in separate spans, with {gap} between them: "
            + "; ".join(described(span) for span in spans)
            + ". Monthly calls and growth fitted across the gap would be wrong: choose the "
            f"window with --since and --until (the largest span: --since "
            f"{_as_date(first[dense[0]])} --until {_as_date(last[dense[-1]])})"
        )
    notes = []
    if movable:
        notes.append(
            f"{sum(total(span) for span in movable):,.0f} of {all_calls:,.0f} calls lie apart "
            f"from the rest, beyond {gap} ({'; '.join(described(span) for span in movable)}): "
            "left out, as outside the window; --since and --until choose another window"
        )
    if kept:
        notes.append(
            f"the window you chose holds {gap} (calls in "
            f"{'; '.join(described(span) for span in spans)}): monthly calls and growth are "
            "fitted across the gap"
        )
    return _Window(
        since_day or _as_date(first[dense[0]]),
        until_day or _as_date(last[dense[-1]]),
        " ".join(notes),
    )


@dataclass(frozen=True)
class _Sources:
    selects: list[str]
    formats: list[str]
    per_request: bool
    bucketed: bool
    price_providers: tuple[str, ...] = ()
    request_ids: bool = False


def _register(engine: Engine, files: list[Path], columns: Mapping[str, str] | None) -> _Sources:
    by_kind: dict[str, list[Path]] = {}
    for path in files:
        by_kind.setdefault(file_kind(path), []).append(path)
    selects, formats = [], []
    providers: list[str] = []
    per_request = bucketed = request_ids = False
    for kind, group in by_kind.items():
        name, schema = engine.register(kind, group)
        if columns:
            _check_mapping(columns, schema)
            sources: list[tuple[Format, str, Schema]] = [(FORMATS[0], name, schema)]
        elif len(group) > 1 and len(matching_formats(schema)) > 1:
            sources = _by_format(engine, kind, group)
        else:
            sources = [(detect(schema), name, schema)]
        for fmt, source, source_schema in sources:
            per_request |= fmt.per_request
            bucketed |= not fmt.per_request
            mapped = expressions(fmt, source_schema, engine.dialect, columns)
            request_ids |= "request_id" in mapped
            selects.append(select_from(source, mapped))
            formats.append(fmt.label)
            if fmt.price_provider:
                providers.append(fmt.price_provider)
    return _Sources(selects, formats, per_request, bucketed, tuple(providers), request_ids)


def _by_format(engine: Engine, kind: str, group: list[Path]) -> list[tuple[Format, str, Schema]]:
    """Files of one kind whose columns together fit several formats (a glob over a LiteLLM
    log and an OpenAI usage export, say): each file's own columns decide its format, and the
    files of each format are read together."""
    by_format: dict[Format, list[Path]] = {}
    for path in group:
        _, own = engine.register(kind, [path])
        try:
            fmt = detect(own)
        except LogFormatError as error:
            raise LogFormatError(f"{path}: {error}") from None
        by_format.setdefault(fmt, []).append(path)
    out = []
    for fmt, files in by_format.items():
        name, schema = engine.register(kind, files)
        out.append((fmt, name, schema))
    return out


def _check_mapping(columns: Mapping[str, str], schema: Mapping[str, Any]) -> None:
    lowered = {key.lower() for key in schema}
    for canonical, theirs in columns.items():
        if canonical not in CANONICAL_COLUMNS:
            raise InputError(
                f"--columns: {canonical!r} is not a canonical column "
                f"(known: {', '.join(CANONICAL_COLUMNS)})"
            )
        if theirs.lower() not in lowered:
            raise InputError(
                f"--columns: the logs have no column {theirs!r} for {canonical} "
                f"(found: {', '.join(repr(name) for name in list(schema)[:12])})"
            )


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


def _prices_for(
    model: str,
    given: Mapping[str, Sequence[float] | ModelPrices] | None,
    providers: Sequence[str] = (),
) -> tuple[float, float, float, str]:
    if given and model in given:
        value = given[model]
        if isinstance(value, ModelPrices):
            return (
                value.input_per_million,
                value.output_per_million,
                value.cached_input_per_million,
                value.source,
            )
        numbers = [float(v) for v in value]
        cached = numbers[2] if len(numbers) > 2 else numbers[0]
        return numbers[0], numbers[1], cached, "prices given per million tokens"
    hint = f"add --price {model}=INPUT,OUTPUT (per million tokens), or a cost column to the logs"
    try:
        found = model_prices(model, hint=hint)
    except UnknownModelError:
        for provider in providers:  # e.g. Bedrock's own model ids are the "aws" provider's
            try:
                found = model_prices(model, provider, hint=hint)
                break
            except UnknownModelError:
                continue
        else:
            raise
    return (
        found.input_per_million,
        found.output_per_million,
        found.cached_input_per_million,
        found.source,
    )


def measure(
    logs: str | Path | Iterable[str | Path],
    *,
    columns: Mapping[str, str] | None = None,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    models: Iterable[str] | None = None,
    prices: Mapping[str, Sequence[float] | ModelPrices] | None = None,
    approx: bool = False,
    include_failed: bool = False,
    engine: str = "duckdb",
    spark: Any = None,
    memory_limit: str = "2GB",
    today: dt.date | None = None,
) -> pd.DataFrame:
    """One row per model from request logs: volume, growth, tokens, cost and latency.

    Parameters
    ----------
    logs : path, glob, or several
        CSV, JSON Lines or Parquet files, gzipped or not.
    columns : mapping, optional
        Canonical column → the logs' column (``{"timestamp": "created_at"}``); the logs are then
        read as canonical columns.
    since, until : date or ISO text, optional
        The window's first and last day (inclusive, UTC); default: the logs' first and last.
    models : iterable of str, optional
        Report only these models.
    prices : mapping, optional
        Model → (input, output[, cached input]) prices per million tokens, for models the logs
        do not cost and the price table does not know (or to override it).
    approx : bool, default False
        Approximate percentiles (faster on a cluster); the bound is stated in the source.
    include_failed : bool, default False
        Cost per 1k, tokens per call and latency over every call, failed ones included
        (default: over the successful calls; the failed calls' own figures are beside them).
    engine : {"duckdb", "spark"}
        Where the aggregation runs; the same SQL either way.
    spark : SparkSession, optional
        The session for ``engine="spark"`` (default: the usual Spark configuration's).
    memory_limit : str, default "2GB"
        DuckDB's memory limit; beyond it, DuckDB spills to a temporary folder.
    today : date, optional
        The date the prices' age is measured against (default: today).

    Returns
    -------
    pandas.DataFrame
        The columns :data:`MEASURE_COLUMNS`, one row per model (most calls first).
        ``table.attrs["source"]`` holds the provenance: files, formats, window, complete
        months, rows read and refused by reason, rows and rows with a latency per model, engine,
        percentile method, warnings.

    Raises
    ------
    LogFormatError
        When a file cannot be read, or its columns match no known format.
    NothingToMeasureError
        When no row can be used (the message counts the refusals by reason).
    xl_roi.prices.UnknownModelError
        When a model has tokens but no cost and the price table does not know it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> log = pathlib.Path(tempfile.mkdtemp()) / "calls.csv"
    >>> _ = log.write_text(
    ...     "timestamp,model,input_tokens,output_tokens,cost,latency_ms\\n"
    ...     "2026-03-01T10:00:00Z,gpt-4o,1000,200,0.0045,800\\n"
    ...     "2026-03-31T11:00:00Z,gpt-4o,1000,200,0.0045,1200\\n")
    >>> table = measure(log)
    >>> print(*table.loc[0, ["model", "calls", "monthly_calls", "cost_per_1k"]])
    gpt-4o 2 2.0 4.5
    >>> table.attrs["source"]["complete_months"]
    ['2026-03']
    """
    since_day = _parse_day("since", since)
    until_day = _parse_day("until", until)
    if since_day and until_day and until_day < since_day:
        raise InputError(f"until ({until_day}) is before since ({since_day})")
    files, notes = distinct_files(expand_paths(logs))
    for path in files:
        if is_gzipped(path):
            check_gzip(path)
    wanted = None if models is None else {str(model) for model in models}
    inside = _inside(since_day, until_day)
    # CSV: first with the column types DuckDB detects (fast); if a value later in the file does
    # not fit them, again with every column read as text, so the bad rows are counted, not lost
    for typed_csv in (True, False):
        runner = make_engine(engine, spark=spark, memory_limit=memory_limit, typed_csv=typed_csv)
        try:
            sources = _register(runner, files, columns)
            runner.define(  # repeats found once (a window over every row), not per query
                "xl_roi_rows",
                normalised_union(sources.selects, sources.request_ids),
                materialize=sources.request_ids,
            )
            counted = runner.rows(counts_query("xl_roi_rows", inside))
            window = _dense_window(counted, since_day, until_day)
            dense = _inside(window.since, window.until)
            if (window.since, window.until) != (since_day, until_day):
                counted = runner.rows(counts_query("xl_roi_rows", dense))
            per_model = runner.rows(
                models_query("xl_roi_rows", dense, runner.dialect, approx, include_failed)
            )
            per_model = with_first_and_last(per_model, counted)
            counted = _unreadable_lines_counted(counted, runner.unreadable_lines())
            break
        except CsvTypesError:
            continue
        finally:
            runner.close()
    table = _assemble(
        counted,
        per_model,
        files,
        sources,
        runner,
        window.since,
        window.until,
        wanted,
        prices,
        approx,
        today,
        include_failed,
    )
    table.attrs["source"]["warnings"][:0] = notes + ([window.note] if window.note else [])
    return table


def _unreadable_lines_counted(counted: list[tuple[Any, ...]], lines: int) -> list[tuple[Any, ...]]:
    """The counts with JSON Lines lines that are not JSON under a reason of their own: read as
    rows of nothing, they were counted as rows without a model."""
    if not lines:
        return counted
    out = []
    for row in counted:
        if row[0] == "missing model":  # rows of nothing have no model: those are moved
            rest = int(row[3]) - min(lines, int(row[3]))
            if rest:
                out.append(
                    (
                        row[0],
                        row[1],
                        row[2],
                        rest,
                        float(row[4] or 0) - (row[3] - rest),
                        row[5],
                        row[6],
                    )
                )
        else:
            out.append(row)
    return [*out, ("unreadable JSON line", None, None, lines, lines, None, None)]


def _assemble(
    counted: list[tuple[Any, ...]],
    per_model: list[tuple[Any, ...]],
    files: list[Path],
    sources: _Sources,
    runner: Engine,
    since_day: dt.date | None,
    until_day: dt.date | None,
    wanted: set[str] | None,
    prices: Mapping[str, Sequence[float] | ModelPrices] | None,
    approx: bool,
    today: dt.date | None,
    include_failed: bool = False,
) -> pd.DataFrame:
    """The measured table, a row a model, most calls first, with where its figures come from
    (files, window, rows read, used and refused, warnings) in ``attrs["source"]``.

    ``counted`` is the counts query's rows (state, model, month, rows, calls, first, last);
    ``per_model`` the aggregation's rows (see :func:`~xl_roi._measure._figures.model_groups`).
    """
    counts = _tally(counted)
    warnings: list[str] = []
    if counts.refused:
        warnings.append(
            f"{sum(counts.refused.values()):,} of {counts.rows_read:,} rows refused: "
            + ", ".join(f"{count:,} {reason}" for reason, count in sorted(counts.refused.items()))
        )
    first_day, last_day, months = _window_months(counts, files, since_day, until_day, warnings)

    def lookup(model: str) -> tuple[float, float, float, str] | None:
        try:
            return _prices_for(model, prices, sources.price_providers)
        except UnknownModelError:
            return None

    models = _model_records(
        per_model,
        counts.by_month,
        (first_day, last_day, months),
        wanted,
        include_failed,
        lookup,
        warnings,
    )
    if any("genai-prices" in source for source in models.priced_sources):
        stale = price_table().stale_warning(today)
        if stale:
            warnings.append(stale)
    table = pd.DataFrame.from_records(models.records, columns=list(MEASURE_COLUMNS))
    table = table.sort_values(["calls", "model"], ascending=[False, True], ignore_index=True)
    table.attrs["source"] = {
        "files": [str(path) for path in files],
        "formats": sources.formats,
        "engine": runner.name,
        "window": {"first_day": first_day.isoformat(), "last_day": last_day.isoformat()},
        "complete_months": [f"{month:%Y-%m}" for month in months],
        "rows_read": counts.rows_read,
        "rows_used": counts.good_rows,
        "rows_refused": dict(sorted(counts.refused.items())),
        "rows_outside_window": counts.outside,
        "rows_by_model": models.rows_by_model,
        "latency_rows_by_model": models.latency_rows_by_model,
        "percentiles": approx_bound(runner.dialect) if approx else EXACT_P95,
        "figures_over": ALL_CALLS if include_failed else SUCCESSFUL,
        "latency_note": _latency_note(sources),
        "warnings": warnings,
    }
    return table


@dataclass
class _Counts:
    """The counts query's rows added up: rows read, used, refused (by reason) and outside the
    window; each model's calls by month; the first and last usable call."""

    refused: dict[str, int]
    outside: int
    rows_read: int
    good_rows: int
    by_month: dict[str, dict[dt.date, float]]
    first_ts: Any
    last_ts: Any


def _tally(counted: list[tuple[Any, ...]]) -> _Counts:
    """Add up the counts query's rows (state, model, month, rows, calls, first, last); a row's
    state is None when usable, else its reason or ``outside the window``."""
    counts = _Counts({}, 0, 0, 0, {}, None, None)
    for state, model, month, rows, calls, first, last in counted:
        counts.rows_read += int(rows)
        if state == "outside the window":
            counts.outside += int(rows)
        elif state is not None:
            counts.refused[state] = counts.refused.get(state, 0) + int(rows)
        else:
            counts.good_rows += int(rows)
            counts.by_month.setdefault(model, {})[_as_date(month)] = float(calls or 0)
            if counts.first_ts is None or first < counts.first_ts:
                counts.first_ts = first
            if counts.last_ts is None or last > counts.last_ts:
                counts.last_ts = last
    return counts


def _window_months(
    counts: _Counts,
    files: list[Path],
    since_day: dt.date | None,
    until_day: dt.date | None,
    warnings: list[str],
) -> tuple[dt.date, dt.date, list[dt.date]]:
    """The window measured (the one asked for, else first to last usable call) and its complete
    calendar months; a warning when they are too few for a growth figure.

    Raises
    ------
    NothingToMeasureError
        When no row is usable, with the reasons the rows were refused.
    """
    if counts.good_rows == 0 or counts.first_ts is None or counts.last_ts is None:
        detail = (
            ", ".join(f"{count:,} {reason}" for reason, count in sorted(counts.refused.items()))
            or "no rows"
        )
        if counts.outside:
            detail += f"; {counts.outside:,} outside the window"
        raise NothingToMeasureError(
            f"nothing to measure in {len(files)} file(s): {counts.rows_read:,} rows read, none "
            f"usable ({detail})"
        )
    first_day = since_day or _as_date(counts.first_ts)
    last_day = until_day or _as_date(counts.last_ts)
    months = complete_months(first_day, last_day)
    if not months:
        warnings.append(
            f"the window {first_day} … {last_day} holds no complete calendar month: monthly "
            f"calls are the daily rate × {DAYS_PER_MONTH}, and there is no growth figure"
        )
    elif len(months) < 2:
        warnings.append(f"one complete month ({months[0]:%Y-%m}): no growth figure (it needs two)")
    return first_day, last_day, months


@dataclass
class _Models:
    """The measured models' rows, and what the table's source says of them."""

    records: list[dict[str, Any]]
    rows_by_model: dict[str, int]
    latency_rows_by_model: dict[str, int]
    priced_sources: set[str]


def _model_records(
    per_model: list[tuple[Any, ...]],
    by_month: Mapping[str, Mapping[dt.date, float]],
    window: tuple[dt.date, dt.date, list[dt.date]],
    wanted: set[str] | None,
    include_failed: bool,
    lookup: PriceLookup,
    warnings: list[str],
) -> _Models:
    """A row of figures for each model measured (each of ``wanted``, or all), adding to
    ``warnings`` the models with no growth figure or no recorded cost.

    Raises
    ------
    InputError
        When a model of ``wanted`` has no usable call.
    """
    first_day, last_day, months = window
    models = _Models([], {}, {}, set())
    no_cost: list[str] = []
    for model, groups in model_groups(per_model).items():
        if wanted is not None and model not in wanted:
            continue
        totals = combined(groups)
        main = groups.get(None if include_failed else 0)
        failed = groups.get(1)
        models.rows_by_model[model] = totals[3]
        models.latency_rows_by_model[model] = main.latency_rows if main else 0
        monthly, _, growth = monthly_calls_from_counts(by_month.get(model, {}), first_day, last_day)
        if months:
            series = [by_month.get(model, {}).get(month, 0.0) for month in months]
            if len(months) >= 2 and min(series) <= 0:
                warnings.append(f"{model}: a complete month without calls, so no growth figure")
        cost = group_cost(model, main, lookup) if main else None
        failed_cost = group_cost(model, failed, lookup) if failed else None
        for found in (cost, failed_cost):
            if found and found.priced_source:
                models.priced_sources.add(found.priced_source)
        if cost is not None and cost.source.startswith(NO_COST_RECORDED):
            no_cost.append(model)
        models.records.append(
            _model_record(model, totals, (main, failed), (cost, failed_cost), monthly, growth)
        )
    for model in no_cost:
        warnings.append(
            f"{model}: {NO_COST_RECORDED}: its calls have tokens but record a spend of 0 or "
            "none, and the price table does not know the model; it has no cost per 1k calls "
            "(never read as free)"
        )
    if wanted is not None:
        missing = sorted(wanted - {record["model"] for record in models.records})
        if missing:
            known = ", ".join(repr(row[0]) for row in per_model[:12])
            raise InputError(
                f"no usable calls of {', '.join(map(repr, missing))} in the logs "
                f"(models found: {known})"
            )
    return models


def _model_record(
    model: str,
    totals: tuple[float, Any, Any, int, float, float],
    groups: tuple[Group | None, Group | None],
    costs: tuple[Cost | None, Cost | None],
    monthly: float,
    growth: float,
) -> dict[str, Any]:
    """A model's row of the measured table (:data:`MEASURE_COLUMNS`).

    Parameters
    ----------
    totals : tuple
        Over every call (:func:`~xl_roi._measure._figures.combined`): calls, first seen, last
        seen, rows, calls with a status, failed calls.
    groups, costs : tuple
        The calls the figures are over (the successful, or all) and the failed calls, and
        their costs per 1k calls (None: no such calls).
    monthly, growth : float
        Monthly calls and monthly growth.
    """
    calls, first_seen, last_seen, _, status_calls, error_calls = totals
    main, failed = groups
    cost, failed_cost = costs
    latency = [math.nan] * 3 if not (main and main.quantiles) else list(main.quantiles)
    failed_latency = [math.nan] * 3 if not (failed and failed.quantiles) else list(failed.quantiles)
    return {
        "model": model,
        "calls": int(calls) if calls.is_integer() else calls,
        "first_seen": pd.Timestamp(first_seen),
        "last_seen": pd.Timestamp(last_seen),
        "monthly_calls": monthly,
        "monthly_growth": growth,
        "input_tokens_per_call": main.per_call(main.input_tokens) if main else math.nan,
        "output_tokens_per_call": main.per_call(main.output_tokens) if main else math.nan,
        "cached_input_tokens_per_call": main.per_call(main.cached_input_tokens)
        if main
        else math.nan,
        "cost_per_1k": cost.per_1k if cost else math.nan,
        "cost_source": cost.source if cost else "no successful call",
        "latency_p50_ms": latency[0],
        "latency_p95_ms": latency[1],
        "latency_p99_ms": latency[2],
        "error_share": error_calls / status_calls if status_calls else math.nan,
        "failed_calls": int(failed.calls) if failed else 0,
        "failed_cost_per_1k": failed_cost.per_1k if failed_cost else math.nan,
        "failed_latency_p50_ms": failed_latency[0],
        "failed_latency_p95_ms": failed_latency[1],
    }


def _latency_note(sources: _Sources) -> str | None:
    """Why latency is missing or partial, when a bucketed export (no per-request latency) is
    among the sources."""
    if sources.bucketed and not sources.per_request:
        return f"{LATENCY_NOT_AVAILABLE} (bucketed counts, no per-request latency)"
    if sources.bucketed:
        return "latency from the per-request logs only; the bucketed export has none"
    return None
