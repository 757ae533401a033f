"""Log formats, recognised from their columns, each mapped onto the canonical columns.

A format is a description — which source column (or field of a struct column) feeds each
canonical column and how — rendered as SQL for either engine by :mod:`xl_roi._measure._sql`.
Conventions: timestamps are UTC; ``input_tokens`` includes ``cached_input_tokens`` (the
OpenAI and OpenTelemetry convention; where a source counts cache reads apart, the reader adds
them back); ``latency_ms`` is the whole request, end minus start.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from xl_roi._measure._sql import CANONICAL, CANONICAL_TYPES, Dialect
from xl_roi.errors import InputError

Schema = dict[str, Any]
"""Column name → ``(type_name, children)``: children is a Schema for a struct, else None."""

TIMESTAMP_TYPES = ("timestamp", "timestamp with time zone", "timestamptz", "timestamp_ntz")
NUMBER_TYPES = (
    "double",
    "float",
    "bigint",
    "integer",
    "int",
    "long",
    "smallint",
    "tinyint",
    "hugeint",
    "ubigint",
    "uinteger",
    "decimal",
)

CANONICAL_COLUMNS = (
    "timestamp",
    "model",
    "input_tokens",
    "output_tokens",
    "cost",
    "latency_ms",
    "cached_input_tokens",
    "status",
    "request_id",
)
"""The canonical log columns: the first six expected, the rest optional."""


class LogFormatError(InputError):
    """A log whose columns match no known format, or that cannot be read."""


@dataclass(frozen=True)
class Format:
    """A log format: its name, and whether it has one row per request."""

    key: str
    label: str
    per_request: bool = True
    price_provider: str | None = None
    """The price table's provider for this source's model names, when they are its own."""


CANONICAL_FORMAT = Format("canonical", "canonical columns")
LITELLM = Format("litellm", "LiteLLM proxy spend logs")
LANGFUSE = Format("langfuse", "Langfuse observation export")
OTEL = Format("otel", "OpenTelemetry GenAI spans")
BEDROCK = Format("bedrock", "AWS Bedrock model invocation logs", price_provider="aws")
OPENAI_USAGE = Format("openai_usage", "OpenAI usage export (bucketed)", per_request=False)

FORMATS = (CANONICAL_FORMAT, LITELLM, LANGFUSE, OTEL, BEDROCK, OPENAI_USAGE)


def _find(schema: Schema, *names: str) -> list[str] | None:
    """The real spelling of a column path (case-insensitive), or None when absent."""
    path: list[str] = []
    level: Schema | None = schema
    for name in names:
        if level is None:
            return None
        match = next((key for key in level if key.lower() == name.lower()), None)
        if match is None:
            return None
        path.append(match)
        level = level[match][1]
    return path


def _type(schema: Schema, path: list[str]) -> str:
    level = schema
    entry: Any = None
    for part in path:
        entry = level[part]
        level = entry[1] or {}
    return str(entry[0]).lower()


class _Builder:
    """Expressions over one source's schema, in one dialect."""

    def __init__(self, schema: Schema, dialect: Dialect) -> None:
        self.schema = schema
        self.dialect = dialect
        self.number_checks: list[str] = []

    def has(self, *names: str) -> bool:
        return _find(self.schema, *names) is not None

    def column(self, *names: str) -> str | None:
        path = _find(self.schema, *names)
        return None if path is None else self.dialect.path(path)

    def number(self, *names: str) -> str | None:
        path = _find(self.schema, *names)
        if path is None:
            return None
        raw = self.dialect.path(path)
        if _type(self.schema, path).split("(")[0] in NUMBER_TYPES:
            return f"CAST({raw} AS DOUBLE)"
        self.number_checks.append(f"({raw} IS NOT NULL AND TRY_CAST({raw} AS DOUBLE) IS NULL)")
        return f"TRY_CAST({raw} AS DOUBLE)"

    def timestamp(self, *names: str) -> tuple[str, str] | None:
        """(parsed timestamp, 1 when the source has a value) of a timestamp column."""
        path = _find(self.schema, *names)
        if path is None:
            return None
        raw = self.dialect.path(path)
        given = f"CASE WHEN {raw} IS NULL THEN 0 ELSE 1 END"
        kind = _type(self.schema, path)
        if kind.startswith(TIMESTAMP_TYPES):
            return f"CAST({raw} AS TIMESTAMP)", given
        if kind.split("(")[0] in NUMBER_TYPES:
            return self.dialect.from_epoch_seconds(raw), given
        text = f"CAST({raw} AS STRING)"
        if self.dialect.name == "duckdb":
            parsed = f"CAST(TRY_CAST({text} AS TIMESTAMPTZ) AS TIMESTAMP)"
        else:
            parsed = f"TRY_CAST({text} AS TIMESTAMP)"
        # seconds since 1970 written as text (CSV exports of bucketed usage)
        seconds = f"TRY_CAST({text} AS DOUBLE)"
        epoch = self.dialect.from_epoch_seconds(seconds)
        return f"CASE WHEN {seconds} IS NOT NULL THEN {epoch} ELSE {parsed} END", given

    def milliseconds_between(self, start: str, end: str) -> str:
        return self.dialect.milliseconds_between(start, end)

    def error_flag(
        self, status: str | None, error_words: tuple[str, ...], kind: str = "string"
    ) -> str | None:
        """1 for an error status (a word, or an HTTP code ≥ 400), 0 otherwise, NULL if none."""
        if status is None:
            return None
        if kind.split("(")[0] in NUMBER_TYPES:
            return f"CASE WHEN {status} IS NULL THEN NULL WHEN {status} >= 400 THEN 1 ELSE 0 END"
        words = ", ".join(f"'{word}'" for word in error_words)
        fine = ", ".join(f"'{word}'" for word in _FINE_WORDS)
        # the common words first: CASE stops at the first branch that holds
        return (
            f"CASE WHEN {status} IS NULL THEN NULL WHEN {status} IN ({fine}) THEN 0"
            f" WHEN lower(trim(CAST({status} AS STRING))) IN ({words}) THEN 1"
            f" WHEN TRY_CAST({status} AS DOUBLE) >= 400 THEN 1 ELSE 0 END"
        )

    def status_type(self, *names: str) -> str:
        path = _find(self.schema, *names)
        return "string" if path is None else _type(self.schema, path)


_ERROR_WORDS = ("error", "failure", "failed", "fail", "exception", "timeout")
_FINE_WORDS = ("success", "ok", "OK", "Success", "SUCCESS", "UNSET", "DEFAULT", "200")


def matching_formats(schema: Schema) -> list[Format]:
    """Every format whose telltale columns a source has, the most specific first.

    Files of different formats read as one source have every format's columns, so more than
    one match means the files must be told apart one by one.

    Examples
    --------
    >>> [f.key for f in matching_formats({"timestamp": ("varchar", None),
    ...     "model": ("varchar", None)})]
    ['canonical']
    """

    def has(*names: str) -> bool:
        return _find(schema, *names) is not None

    found: list[Format] = []
    if has("num_model_requests"):
        found.append(OPENAI_USAGE)
    if (
        has("attributes", "gen_ai.request.model")
        or has("attributes", "gen_ai.response.model")
        or has("gen_ai.request.model")
    ):
        found.append(OTEL)
    if has("modelId") and has("input", "inputTokenCount"):
        found.append(BEDROCK)
    if has("usageDetails") or has("costDetails") or (has("traceId") and has("startTime")):
        found.append(LANGFUSE)
    if has("spend") and has("startTime"):
        found.append(LITELLM)
    if has("timestamp") and has("model"):
        found.append(CANONICAL_FORMAT)
    return found


def detect(schema: Schema) -> Format:
    """Which format a source's columns say it is.

    Raises
    ------
    LogFormatError
        When no format matches; the message lists what each format needs.
    """
    found = matching_formats(schema)
    if found:
        return found[0]
    if _find(schema, "resourceSpans") is not None:
        raise LogFormatError(
            "this is an OTLP JSON export (resourceSpans → scopeSpans → spans): give one span "
            "per line (the SDK's span.to_json(), or a collector's file exporter flattened), "
            "with attributes as an object"
        )
    columns = ", ".join(repr(name) for name in list(schema)[:12]) or "none"
    raise LogFormatError(
        "columns match no known log format (found: "
        f"{columns}). Expected the canonical columns timestamp, model, input_tokens, "
        "output_tokens, cost, latency_ms (map yours with --columns timestamp=created_at,…), or "
        "a LiteLLM spend log (model, startTime, endTime, prompt_tokens, completion_tokens, "
        "spend), a Langfuse observation export, OpenTelemetry GenAI spans (JSON Lines), AWS "
        "Bedrock invocation logs, or the OpenAI usage export"
    )


def _typed(expressions: dict[str, str | None]) -> dict[str, str]:
    typed = {}
    for name in CANONICAL:
        expression = expressions.get(name)
        if expression is None:
            continue
        typed[name] = f"CAST({expression} AS {CANONICAL_TYPES.get(name, 'DOUBLE')})"
    return typed


_Expressions = dict[str, str | None]
_Stamp = tuple[str, str] | None


def expressions(
    fmt: Format, schema: Schema, dialect: Dialect, columns: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The canonical columns of one source as SQL expressions (absent ones are left out)."""
    b = _Builder(schema, dialect)
    out: _Expressions = {"calls": "1"}
    if fmt is CANONICAL_FORMAT:
        stamp = _canonical(b, out, columns)
    elif fmt is LITELLM:
        stamp = _litellm(b, out)
    elif fmt is LANGFUSE:
        stamp = _langfuse(b, out)
    elif fmt is OTEL:
        stamp = _otel(b, out)
    elif fmt is BEDROCK:
        stamp = _bedrock(b, out)
    else:  # OpenAI usage export: one row per bucket and model
        stamp = _openai_usage(b, out)
    if stamp is not None:
        out["ts"], out["ts_given"] = stamp
    if b.number_checks:
        out["raw_numbers_bad"] = f"CASE WHEN {' OR '.join(b.number_checks)} THEN 1 ELSE 0 END"
    return _typed(out)


def _canonical(b: _Builder, out: _Expressions, columns: Mapping[str, str] | None) -> _Stamp:
    """The canonical columns (renamed by ``columns``, canonical name → the file's) into
    ``out``; return the timestamp's expressions."""
    names = {name: name for name in CANONICAL_COLUMNS}
    names.update(columns or {})
    stamp = b.timestamp(names["timestamp"])
    out["model"] = b.column(names["model"])
    out["input_tokens"] = b.number(names["input_tokens"])
    out["output_tokens"] = b.number(names["output_tokens"])
    out["cached_input_tokens"] = b.number(names["cached_input_tokens"])
    out["cost"] = b.number(names["cost"])
    out["latency_ms"] = b.number(names["latency_ms"])
    out["is_error"] = b.error_flag(
        b.column(names["status"]), _ERROR_WORDS, b.status_type(names["status"])
    )
    out["request_id"] = b.column(names["request_id"])
    return stamp


def _litellm(b: _Builder, out: _Expressions) -> _Stamp:
    """LiteLLM's spend-log columns into ``out``; return the timestamp's expressions."""
    stamp = b.timestamp("startTime")
    end = b.timestamp("endTime")
    out["model"] = b.column("model")
    out["input_tokens"] = b.number("prompt_tokens")
    out["output_tokens"] = b.number("completion_tokens")
    out["cost"] = b.number("spend")
    if stamp and end:
        out["latency_ms"] = b.milliseconds_between(stamp[0], end[0])
    out["is_error"] = b.error_flag(b.column("status"), _ERROR_WORDS)
    out["request_id"] = b.column("request_id")
    return stamp


def _langfuse(b: _Builder, out: _Expressions) -> _Stamp:
    """Langfuse's observation fields into ``out`` (cache reads added back to the input
    tokens, latency from seconds); return the timestamp's expressions."""
    stamp = b.timestamp("startTime")
    end = b.timestamp("endTime")
    out["model"] = b.column("model")
    uncached = b.number("usageDetails", "input") or b.number("promptTokens")
    cached = b.number("usageDetails", "input_cached_tokens") or b.number(
        "usageDetails", "cache_read_input_tokens"
    )
    # Langfuse counts cache reads apart from "input": add them back (input includes cached)
    out["input_tokens"] = (
        f"({uncached} + coalesce({cached}, 0))" if uncached and cached else uncached
    )
    out["cached_input_tokens"] = cached
    out["output_tokens"] = b.number("usageDetails", "output") or b.number("completionTokens")
    out["cost"] = b.number("costDetails", "total") or b.number("calculatedTotalCost")
    latency = b.number("latency")  # seconds in Langfuse's export
    if latency:
        out["latency_ms"] = f"({latency} * 1000.0)"
    elif stamp and end:
        out["latency_ms"] = b.milliseconds_between(stamp[0], end[0])
    out["is_error"] = b.error_flag(b.column("level"), ("error",))
    out["request_id"] = b.column("id")
    return stamp


def _otel(b: _Builder, out: _Expressions) -> _Stamp:
    """OpenTelemetry GenAI span attributes into ``out`` (the response's model, else the
    request's; an error type marks an error; trace and span ids as the request id); return the
    timestamp's expressions."""
    if b.has("attributes"):
        prefix: tuple[str, ...] = ("attributes",)
    else:
        prefix = ()
    stamp = b.timestamp("start_time") or b.timestamp("startTime")
    end = b.timestamp("end_time") or b.timestamp("endTime")
    out["model"] = b.column(*prefix, "gen_ai.response.model") or b.column(
        *prefix, "gen_ai.request.model"
    )
    if b.has(*prefix, "gen_ai.response.model") and b.has(*prefix, "gen_ai.request.model"):
        response = b.column(*prefix, "gen_ai.response.model")
        request = b.column(*prefix, "gen_ai.request.model")
        out["model"] = f"coalesce({response}, {request})"
    out["input_tokens"] = b.number(*prefix, "gen_ai.usage.input_tokens")
    out["output_tokens"] = b.number(*prefix, "gen_ai.usage.output_tokens")
    out["cached_input_tokens"] = b.number(*prefix, "gen_ai.usage.cache_read.input_tokens")
    if stamp and end:
        out["latency_ms"] = b.milliseconds_between(stamp[0], end[0])
    status = b.column("status", "status_code")
    error_type = b.column(*prefix, "error.type")
    flag = b.error_flag(status, ("error",))
    if flag and error_type:
        flag = f"CASE WHEN {error_type} IS NOT NULL THEN 1 ELSE {flag} END"
    out["is_error"] = flag
    span, trace = b.column("context", "span_id"), b.column("context", "trace_id")
    if span and trace:  # an all-zero span id is OpenTelemetry's "no span": no id
        out["request_id"] = (
            f"CASE WHEN {span} IS NULL OR {trace} IS NULL"
            f" OR {span} = '0x0000000000000000' THEN NULL"
            f" ELSE concat(CAST({trace} AS STRING), '/', CAST({span} AS STRING)) END"
        )
    return stamp


def _bedrock(b: _Builder, out: _Expressions) -> _Stamp:
    """AWS Bedrock invocation-log fields into ``out`` (an error code marks an error); return
    the timestamp's expressions."""
    stamp = b.timestamp("timestamp")
    out["model"] = b.column("modelId")
    out["input_tokens"] = b.number("input", "inputTokenCount")
    out["output_tokens"] = b.number("output", "outputTokenCount")
    out["cached_input_tokens"] = b.number("input", "cacheReadInputTokenCount")
    out["latency_ms"] = b.number("output", "outputBodyJson", "metrics", "latencyMs")
    error = b.column("errorCode")
    if error:
        out["is_error"] = f"CASE WHEN {error} IS NOT NULL THEN 1 ELSE 0 END"
    out["request_id"] = b.column("requestId")
    return stamp


def _openai_usage(b: _Builder, out: _Expressions) -> _Stamp:
    """OpenAI's usage export (one row per bucket and model, its calls counted) into ``out``;
    return the timestamp's expressions."""
    stamp = b.timestamp("start_time")
    out["model"] = b.column("model")
    out["calls"] = b.number("num_model_requests")
    out["input_tokens"] = b.number("input_tokens")
    out["output_tokens"] = b.number("output_tokens")
    out["cached_input_tokens"] = b.number("input_cached_tokens")
    return stamp
