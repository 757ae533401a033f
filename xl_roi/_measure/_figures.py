"""One model's figures from its groups of calls: successful, failed, and (on request) all.

The aggregation (:func:`xl_roi._measure._sql.models_query`) gives each model one row of sums
for its successful calls and one for its failed calls. Cost per 1k calls, tokens per call and
the latency percentiles are the successful calls' by default: a timeout that records no spend
is neither a cheap call nor a fair sample of the model's latency. The failed calls' own figures
are reported beside them, and ``include_failed`` puts them back in.

A call with tokens that records a spend of 0, or none, has **no cost recorded**: it is priced
from the price table (or prices given) when the model is known there, and otherwise it is left
out of the cost per 1k — never counted as free. A model none of whose calls records a cost is
reported as "no cost recorded (self-hosted?)", with no cost per 1k at all.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

NO_COST_RECORDED = "no cost recorded (self-hosted?)"
"""The cost source of a model whose calls have tokens but no recorded cost, and no price."""

SUCCESSFUL = "successful calls"
ALL_CALLS = "all calls, failed ones included"


@dataclass(frozen=True)
class Group:
    """The sums of one group of a model's calls, as the aggregation returns them."""

    calls: float
    first_seen: Any
    last_seen: Any
    token_calls: float
    input_tokens: float | None
    output_tokens: float | None
    cached_input_tokens: float | None
    cost: float
    unpriced_input_tokens: float
    unpriced_output_tokens: float
    unpriced_cached_input_tokens: float
    unpriced_calls: float
    latency_rows: int
    quantiles: Sequence[float] | None
    status_calls: float
    error_calls: float
    rows: int
    zero_cost_calls: float

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> Group:
        """A group from one row of :func:`~xl_roi._measure._sql.models_query` (after model)."""
        (
            calls,
            first_seen,
            last_seen,
            token_calls,
            input_tokens,
            output_tokens,
            cached_tokens,
            _costed_rows,
            cost,
            unpriced_in,
            unpriced_out,
            unpriced_cached,
            unpriced_calls,
            latency_rows,
            quantiles,
            status_calls,
            error_calls,
            rows,
            _failed,
            zero_cost_calls,
        ) = row
        return cls(
            calls=float(calls or 0),
            first_seen=first_seen,
            last_seen=last_seen,
            token_calls=float(token_calls or 0),
            input_tokens=None if input_tokens is None else float(input_tokens),
            output_tokens=None if output_tokens is None else float(output_tokens),
            cached_input_tokens=None if cached_tokens is None else float(cached_tokens),
            cost=float(cost or 0.0),
            unpriced_input_tokens=float(unpriced_in or 0),
            unpriced_output_tokens=float(unpriced_out or 0),
            unpriced_cached_input_tokens=float(unpriced_cached or 0),
            unpriced_calls=float(unpriced_calls or 0),
            latency_rows=int(latency_rows or 0),
            quantiles=None if not quantiles else [float(q) for q in quantiles],
            status_calls=float(status_calls or 0),
            error_calls=float(error_calls or 0),
            rows=int(rows or 0),
            zero_cost_calls=float(zero_cost_calls or 0),
        )

    def per_call(self, total: float | None) -> float:
        """A token sum per call that reports tokens (NaN without any)."""
        if not self.token_calls or total is None:
            return math.nan
        return total / self.token_calls


PriceLookup = Callable[[str], tuple[float, float, float, str] | None]
"""Model → (input, output, cached input per million tokens, source), or None when unknown."""


@dataclass(frozen=True)
class Cost:
    """A group's cost per 1k calls and where it came from (NaN: no cost recorded)."""

    per_1k: float
    source: str
    priced_source: str | None = None
    """The price table's source when table prices were used."""


def group_cost(model: str, group: Group, lookup: PriceLookup) -> Cost:
    """Cost per 1k calls of a group: recorded costs, plus table prices for the calls with
    tokens but no recorded cost; over the calls with a known cost when some cannot be priced.

    Examples
    --------
    >>> g = Group(2, None, None, 2, 2000.0, 400.0, 0.0, 0.009, 0, 0, 0, 0, 0, None, 0, 0, 2, 0)
    >>> group_cost("gpt-4o", g, lambda model: None)
    Cost(per_1k=4.5, source='logs', priced_source=None)
    >>> g = Group(2, None, None, 2, 2000.0, 400.0, 0.0, 0.0, 2000.0, 400.0, 0, 2, 0, None, 0, 0,
    ...     2, 2)
    >>> group_cost("my-llama", g, lambda model: None).source
    'no cost recorded (self-hosted?): 2 calls with tokens record a spend of 0'
    """
    if not group.calls:
        return Cost(math.nan, "no calls")
    parts = []
    costed_calls = group.calls - group.unpriced_calls
    if costed_calls > 0:
        parts.append("logs")
    if not group.unpriced_calls:
        return Cost(1000.0 * group.cost / group.calls, "; ".join(parts) or "none")
    zero = int(group.zero_cost_calls)
    missing = int(group.unpriced_calls) - zero
    why = ", ".join(
        text
        for count, text in (
            (zero, f"{zero:,} record{'s' if zero == 1 else ''} a spend of 0"),
            (missing, f"{missing:,} record{'s' if missing == 1 else ''} no cost"),
        )
        if count
    )
    found = lookup(model)
    if found is None:
        if costed_calls <= 0:
            calls = int(group.unpriced_calls)
            counted = (
                f"{calls:,} call with tokens records"
                if calls == 1
                else (f"{calls:,} calls with tokens record")
            )
            if zero and not missing:
                detail = f"{counted} a spend of 0"
            elif missing and not zero:
                detail = f"{counted} no cost"
            else:
                detail = f"of {calls:,} calls with tokens, {why}"
            return Cost(math.nan, f"{NO_COST_RECORDED}: {detail}")
        share = costed_calls / group.calls
        return Cost(
            1000.0 * group.cost / costed_calls,
            f"logs, over the {share:.0%} of calls with a recorded cost ({why}; the price table "
            "does not know the model)",
        )
    price_in, price_out, price_cached, source = found
    uncached = group.unpriced_input_tokens - group.unpriced_cached_input_tokens
    total = (
        group.cost
        + (
            uncached * price_in
            + group.unpriced_cached_input_tokens * price_cached
            + group.unpriced_output_tokens * price_out
        )
        / 1e6
    )
    share = group.unpriced_calls / group.calls
    if share >= 1:
        parts.append(source if not zero else f"{source} ({why})")
    else:
        parts.append(
            f"{source} for {share:.0%} of calls ({why})"
            if zero
            else f"{source} for {share:.0%} of calls"
        )
    return Cost(1000.0 * total / group.calls, "; ".join(parts), priced_source=source)


def model_groups(
    per_model: Sequence[Sequence[Any]],
) -> dict[str, dict[int | None, Group]]:
    """The aggregation's rows by model, then by group: 0 successful, 1 failed, None all."""
    out: dict[str, dict[int | None, Group]] = {}
    for row in per_model:
        model, rest = row[0], row[1:]
        failed = rest[18]
        out.setdefault(model, {})[None if failed is None else int(failed)] = Group.from_row(rest)
    return out


def combined(groups: Mapping[int | None, Group]) -> tuple[float, Any, Any, int, float, float]:
    """(calls, first seen, last seen, rows, status calls, error calls) over every call."""
    parts = [groups[key] for key in (0, 1) if key in groups]
    return (
        sum(g.calls for g in parts),
        min(g.first_seen for g in parts),
        max(g.last_seen for g in parts),
        sum(g.rows for g in parts),
        sum(g.status_calls for g in parts),
        sum(g.error_calls for g in parts),
    )
