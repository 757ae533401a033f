"""What a candidate API student would have cost on the teacher's own traffic.

The teacher's logged calls carry the real mix of prompt, cached and output tokens. Priced at a
candidate student's list prices, they give a ``student_cost_per_1k`` measured on that mix
rather than guessed from averages typed by hand; an output-length factor says how much longer
(> 1) or shorter (< 1) the student's answers run than the teacher's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from xl_roi.errors import InputError

__all__ = ["Repriced", "reprice"]


@dataclass(frozen=True)
class Repriced:
    """The teacher's calls priced at a candidate student's prices."""

    cost_per_1k: float
    source: str


def reprice(
    input_tokens_per_call: float,
    cached_input_tokens_per_call: float,
    output_tokens_per_call: float,
    prices: tuple[float, float, float, str],
    output_factor: float = 1.0,
) -> Repriced:
    """Cost per 1,000 calls of the teacher's token mix at a student's prices per million:
    1000 × ((input − cached) × input price + cached × cached price + output × factor × output
    price) ÷ 1e6. Cost is linear in tokens, so the mean call's cost is the mean of the calls'.
    ``prices`` is (input, output, cached input per million tokens, where they came from).

    Examples
    --------
    >>> prices = (0.15, 0.60, 0.075, "list prices")  # per million tokens
    >>> round(reprice(1000, 200, 100, prices).cost_per_1k, 6)
    0.195
    >>> round(reprice(1000, 200, 100, prices, output_factor=2).cost_per_1k, 6)
    0.255
    """
    if not math.isfinite(output_factor) or output_factor <= 0:
        raise InputError(f"the output-length factor must be a number > 0, got {output_factor}")
    if math.isnan(input_tokens_per_call) or math.isnan(output_tokens_per_call):
        raise InputError("the teacher's logs have no token counts, so its calls cannot be repriced")
    price_in, price_out, price_cached, source = prices
    cached = 0.0 if math.isnan(cached_input_tokens_per_call) else cached_input_tokens_per_call
    per_call = (
        (input_tokens_per_call - cached) * price_in
        + cached * price_cached
        + output_tokens_per_call * output_factor * price_out
    ) / 1e6
    factor = "" if output_factor == 1 else f", outputs × {output_factor:g}"
    return Repriced(1000.0 * per_call, f"the teacher's calls repriced at {source}{factor}")
