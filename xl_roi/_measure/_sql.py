"""The aggregation, written once as a description and rendered as SQL for DuckDB or Spark.

Both engines run the same text except for the few words their dialects spell differently
(:class:`Dialect`): identifier quotes, epoch conversions and the percentile functions. Every
figure :func:`xl_roi._measure.measure` reports comes from the two queries built here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

QUANTILES = (0.5, 0.95, 0.99)
"""The latency percentiles reported: P50, P95, P99."""

SPARK_APPROX_ACCURACY = 10_000
"""Spark's ``percentile_approx`` accuracy: its rank error is at most n ÷ this."""

CANONICAL = (
    "ts",
    "model",
    "calls",
    "input_tokens",
    "output_tokens",
    "cached_input_tokens",
    "cost",
    "latency_ms",
    "is_error",
    "ts_given",
    "raw_numbers_bad",
    "request_id",
)
"""The normalised columns every reader produces (before the bad-row reason is added)."""

CANONICAL_TYPES = {
    "ts": "TIMESTAMP",
    "model": "STRING",
    "is_error": "INT",
    "ts_given": "INT",
    "raw_numbers_bad": "INT",
    "request_id": "STRING",
}
"""SQL types of the normalised columns (the rest are DOUBLE)."""


@dataclass(frozen=True)
class Dialect:
    """How one engine spells the few things SQL dialects disagree on."""

    name: str
    quote_char: str
    epoch_us_function: str
    from_epoch_seconds_function: str
    exact_quantile: str
    approx_quantile: str

    def quote(self, name: str) -> str:
        """An identifier, quoted."""
        q = self.quote_char
        return q + name.replace(q, q + q) + q

    def path(self, parts: Sequence[str]) -> str:
        """A column or a field inside a struct column."""
        return ".".join(self.quote(part) for part in parts)

    def milliseconds_between(self, start: str, end: str) -> str:
        """Milliseconds from one timestamp to another, with their fraction: the microseconds
        are subtracted as whole numbers, then divided (cutting each time to a whole
        millisecond first moved a latency by up to 1 ms; dividing first loses digits)."""
        us = self.epoch_us_function
        return f"(CAST({us}({end}) - {us}({start}) AS DOUBLE) / 1000.0)"

    def from_epoch_seconds(self, expression: str) -> str:
        """A timestamp from seconds since 1970."""
        if self.name == "duckdb":
            return f"CAST(to_timestamp({expression}) AS TIMESTAMP)"
        return f"{self.from_epoch_seconds_function}({expression})"

    def quantiles(self, expression: str, approx: bool) -> str:
        """P50, P95 and P99 of an expression as one list value."""
        if self.name == "duckdb":
            function = self.approx_quantile if approx else self.exact_quantile
            listed = ", ".join(repr(q) for q in QUANTILES)
            return f"{function}({expression}, [{listed}])"
        listed = ", ".join(repr(q) for q in QUANTILES)
        if approx:
            return f"{self.approx_quantile}({expression}, array({listed}), {SPARK_APPROX_ACCURACY})"
        return f"{self.exact_quantile}({expression}, array({listed}))"


DUCKDB = Dialect("duckdb", '"', "epoch_us", "to_timestamp", "quantile_cont", "approx_quantile")
SPARK = Dialect("spark", "`", "unix_micros", "timestamp_seconds", "percentile", "percentile_approx")


def approx_bound(dialect: Dialect) -> str:
    """What the approximate percentile promises, in words."""
    if dialect.name == "spark":
        return (
            f"approximate (Spark percentile_approx, accuracy {SPARK_APPROX_ACCURACY:,}: "
            f"the rank is off by at most 1/{SPARK_APPROX_ACCURACY:,} of the calls)"
        )
    return "approximate (DuckDB approx_quantile, a t-digest: DuckDB states no error bound)"


EXACT_P95 = "exact (linear interpolation between the two nearest calls, as numpy's default)"


LARGEST_DOUBLE = "1.7976931348623157e308"
"""Larger than every finite double: NaN and infinity compare above it in DuckDB and Spark."""

LONGEST_LATENCY_MS = 86_400_000
"""A call logging a longer latency than a day is refused (a unit or clock error)."""

FIRST_TIMESTAMP = "1970-01-01"
"""Timestamps before this day (before the Unix epoch) are refused as out of range."""

LAST_TIMESTAMP = "2200-01-01"
"""Timestamps from this day on are refused as out of range (a clock error, a placeholder)."""


def _plainly_good() -> str:
    """A condition true only for a row no reason below refuses, in a few tests each of which
    reads one column: almost every row of a real log meets it and skips the reasons one by
    one (NULL where a column may be missing, NaN and infinity fail the ranges)."""
    largest = LARGEST_DOUBLE
    return (
        "copy_number <= 1"
        " AND model >= '!' AND model <= '~'"
        f" AND ts >= CAST('{FIRST_TIMESTAMP}' AS TIMESTAMP)"
        f" AND ts < CAST('{LAST_TIMESTAMP}' AS TIMESTAMP)"
        " AND coalesce(raw_numbers_bad, 0) = 0"
        f" AND calls BETWEEN 0 AND {largest}"
        f" AND coalesce(input_tokens BETWEEN 0 AND {largest}, TRUE)"
        f" AND coalesce(output_tokens BETWEEN 0 AND {largest}, TRUE)"
        f" AND coalesce(cached_input_tokens BETWEEN 0 AND {largest}, TRUE)"
        " AND coalesce(cached_input_tokens <= input_tokens, TRUE)"
        f" AND coalesce(cost BETWEEN 0 AND {largest}, TRUE)"
        f" AND coalesce(latency_ms BETWEEN 0 AND {LONGEST_LATENCY_MS}, TRUE)"
        " AND (cost IS NOT NULL OR (input_tokens IS NOT NULL AND output_tokens IS NOT NULL))"
    )


WHITE_SPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace() and c != "'") + "\ufeff"
"""Every white-space character (Python's ``str.isspace``, all below U+3001), and the
byte-order mark: a model named by these alone is a missing model."""


def reason_expression() -> str:
    """Why a normalised row is refused, or NULL when it is good (first reason wins)."""
    numbers = ("input_tokens", "output_tokens", "cached_input_tokens", "cost", "calls")
    not_finite = " OR ".join(f"{name} > {LARGEST_DOUBLE}" for name in numbers)
    # a name starting with a printable ASCII character other than a space (between '!' and
    # '~' in byte order) cannot be blank: the costly test is skipped for it. Blank is white
    # space alone of any kind (a tab, a no-break or an ideographic space), which trim, taking
    # off spaces alone, would keep as a model's name
    blank = f"NOT (model >= '!' AND model <= '~') AND translate(model, '{WHITE_SPACE}', '') = ''"
    return (
        "CASE"
        f" WHEN {_plainly_good()} THEN NULL"
        " WHEN copy_number > 1 THEN 'repeated request id (counted once)'"
        f" WHEN model IS NULL OR ({blank}) THEN 'missing model'"
        " WHEN ts IS NULL AND (ts_given IS NULL OR ts_given = 0) THEN 'missing timestamp'"
        " WHEN ts IS NULL THEN 'unparseable timestamp'"
        f" WHEN ts < CAST('{FIRST_TIMESTAMP}' AS TIMESTAMP)"
        f" OR ts >= CAST('{LAST_TIMESTAMP}' AS TIMESTAMP)"
        " THEN 'timestamp before 1970 or after 2199'"
        " WHEN raw_numbers_bad = 1 THEN 'unreadable number'"
        f" WHEN {not_finite} THEN 'number not finite (NaN or infinite)'"
        " WHEN input_tokens < 0 OR output_tokens < 0 OR cached_input_tokens < 0"
        " THEN 'negative tokens'"
        " WHEN cached_input_tokens > input_tokens THEN 'more cached than input tokens'"
        " WHEN cost < 0 THEN 'negative cost'"
        " WHEN latency_ms < 0 THEN 'negative latency'"
        f" WHEN latency_ms > {LARGEST_DOUBLE} THEN 'latency not finite (NaN or infinite)'"
        f" WHEN latency_ms > {LONGEST_LATENCY_MS} THEN 'latency over a day'"
        " WHEN calls IS NULL OR calls < 0 THEN 'missing or negative request count'"
        " WHEN cost IS NULL AND (input_tokens IS NULL OR output_tokens IS NULL)"
        " THEN 'neither cost nor tokens'"
        " ELSE NULL END"
    )


def normalised_union(selects: Sequence[str], request_ids: bool = False) -> str:
    """The readers' SELECTs as one relation, with each row's refusal reason.

    With ``request_ids``, the second and later rows of a request id are refused as repeats
    (the earliest is kept), so a request logged twice is counted once.
    """
    body = " UNION ALL ".join(f"({select})" for select in selects)
    copy_number = "1"
    if request_ids:
        copy_number = (
            "CASE WHEN request_id IS NULL THEN 1 ELSE"
            " row_number() OVER (PARTITION BY request_id ORDER BY ts) END"
        )
    return (
        f"SELECT *, {reason_expression()} AS reason FROM"
        f" (SELECT *, {copy_number} AS copy_number FROM ({body}) AS unioned) AS normalised"
    )


def window_filter(since: str | None, until_exclusive: str | None) -> str:
    """A condition true for rows inside the window (timestamps as ISO text, UTC)."""
    parts = ["TRUE"]
    if since is not None:
        parts.append(f"ts >= CAST('{since}' AS TIMESTAMP)")
    if until_exclusive is not None:
        parts.append(f"ts < CAST('{until_exclusive}' AS TIMESTAMP)")
    return " AND ".join(parts)


def counts_query(relation: str, inside: str) -> str:
    """Rows and calls by refusal reason, and good calls by model and month, with the span.

    ``reason`` is NULL for good rows; rows outside the window are ``outside the window``.
    """
    # a row outside the window is outside it whatever else is wrong with it: --since/--until
    # leave out bad rows as they leave out good ones
    state = (
        f"CASE WHEN ts IS NOT NULL AND NOT ({inside}) THEN 'outside the window'"
        " WHEN reason IS NOT NULL THEN reason ELSE NULL END"
    )
    return (
        f"SELECT state, model_key, month, count(*) AS rows, sum(calls) AS calls,"
        f" min(ts) AS first_ts, max(ts) AS last_ts FROM ("
        f"SELECT {state} AS state,"
        f" CASE WHEN reason IS NULL THEN model ELSE NULL END AS model_key,"
        f" CASE WHEN reason IS NULL THEN date_trunc('month', ts) ELSE NULL END AS month,"
        f" calls, ts FROM {relation}) AS marked"
        f" GROUP BY state, model_key, month"
    )


FAILED = "CASE WHEN is_error = 1 THEN 1 ELSE 0 END"
"""1 for a call whose status is an error, 0 otherwise (no status counts as a success)."""

COST_GIVEN = (
    "CASE WHEN cost = 0 AND coalesce(input_tokens, 0) + coalesce(output_tokens, 0) > 0"
    " THEN NULL ELSE cost END"
)
"""The cost a row records, NULL when it records none: a spend of 0 on a call with tokens is
no cost recorded (a self-hosted model, a proxy that does not price it), never a free call."""


def models_query(
    relation: str, inside: str, dialect: Dialect, approx: bool, include_failed: bool = False
) -> str:
    """Per model, the sums the figures need over the good rows inside the window: one row for
    the successful calls (``failed`` 0) and one for the failed (``failed`` 1); with
    ``include_failed``, one more over all of them (``failed`` NULL).

    ``first_seen`` and ``last_seen`` come back NULL: the counts query over the same window
    already has each model's first and last call, month by month, and reading every timestamp
    a second time cost about 8 % of the whole measurement. :func:`with_first_and_last`
    fills them in."""
    latency = dialect.quantiles("latency_ms", approx)
    groups = "GROUPING SETS ((model, failed), (model))" if include_failed else "model, failed"
    # a failed group's error calls are its calls, a successful group's none: one sum the fewer
    # (the group over all calls, with include_failed, sums them)
    errors = (
        "sum(CASE WHEN is_error = 1 THEN calls ELSE 0 END)"
        if include_failed
        else "CASE WHEN failed = 1 THEN sum(calls) ELSE 0 END"
    )
    return (
        "SELECT model,"
        " sum(calls) AS calls,"
        " CAST(NULL AS TIMESTAMP) AS first_seen,"
        " CAST(NULL AS TIMESTAMP) AS last_seen,"
        " sum(CASE WHEN input_tokens IS NOT NULL THEN calls ELSE 0 END) AS token_calls,"
        " sum(input_tokens) AS input_tokens,"
        " sum(output_tokens) AS output_tokens,"
        " sum(coalesce(cached_input_tokens, 0)) AS cached_input_tokens,"
        " count(cost_given) AS costed_rows,"
        " sum(cost_given) AS cost,"
        " sum(CASE WHEN cost_given IS NULL THEN input_tokens ELSE 0 END)"
        " AS unpriced_input_tokens,"
        " sum(CASE WHEN cost_given IS NULL THEN output_tokens ELSE 0 END)"
        " AS unpriced_output_tokens,"
        " sum(CASE WHEN cost_given IS NULL THEN coalesce(cached_input_tokens, 0) ELSE 0 END)"
        " AS unpriced_cached_input_tokens,"
        " sum(CASE WHEN cost_given IS NULL THEN calls ELSE 0 END) AS unpriced_calls,"
        " count(latency_ms) AS latency_rows,"
        f" {latency} AS latency_quantiles,"
        " sum(CASE WHEN is_error IS NOT NULL THEN calls ELSE 0 END) AS status_calls,"
        f" {errors} AS error_calls,"
        " count(*) AS model_rows,"
        " failed,"
        " sum(CASE WHEN cost = 0 AND cost_given IS NULL THEN calls ELSE 0 END) AS zero_cost_calls"
        f" FROM (SELECT *, {FAILED} AS failed, {COST_GIVEN} AS cost_given FROM {relation}"
        f" WHERE reason IS NULL AND ({inside})) AS good"
        f" GROUP BY {groups} ORDER BY model, failed"
    )


def with_first_and_last(
    per_model: Sequence[Sequence[Any]], counted: Sequence[Sequence[Any]]
) -> list[tuple[Any, ...]]:
    """The rows of :func:`models_query` with each model's first and last call filled in from
    the rows of :func:`counts_query` over the same window (its good rows, a row a model and
    month): the earliest first and the latest last of the model's months.

    Examples
    --------
    >>> import datetime as dt
    >>> jan, feb, mar = (dt.datetime(2026, m, 5) for m in (1, 2, 3))
    >>> counted = [(None, "m", jan, 1, 1.0, jan, jan), (None, "m", mar, 2, 2.0, feb, mar),
    ...     ("missing model", None, None, 1, 1.0, None, None)]
    >>> with_first_and_last([("m", 3.0, None, None, 7)], counted)[0][2:4] == (jan, mar)
    True
    """
    seen: dict[Any, tuple[Any, Any]] = {}
    for state, model, _month, _rows, _calls, first, last in counted:
        if state is None:
            low, high = seen.get(model, (first, last))
            seen[model] = (min(low, first), max(high, last))
    return [(row[0], row[1], *seen.get(row[0], (None, None)), *row[4:]) for row in per_model]


def select_from(source: str, expressions: Mapping[str, str]) -> str:
    """A reader's SELECT: each canonical column from its expression (NULL when absent)."""
    parts = []
    for name in CANONICAL:
        expression = expressions.get(name)
        if expression is None:
            expression = f"CAST(NULL AS {CANONICAL_TYPES.get(name, 'DOUBLE')})"
        parts.append(f"{expression} AS {name}")
    columns = ", ".join(parts)
    return f"SELECT {columns} FROM {source}"
