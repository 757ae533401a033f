"""What distillation costs: per-call prices, self-hosted serving, and the upfront bill.

Per-call costs are quoted per 1,000 calls, in one currency. Time is in months; a month is
730 hours (8,760 hours a year ÷ 12).
"""

from __future__ import annotations

from typing import Any

from xl_roi import _kernel
from xl_roi.errors import check_number, check_result
from xl_roi.fields import check_fraction

__all__ = [
    "HOURS_PER_MONTH",
    "SECONDS_PER_MONTH",
    "cost_per_1k_calls",
    "data_generation_cost",
    "gpu_calls_per_month",
    "self_hosted_cost_per_1k_calls",
    "self_hosted_gpus",
    "serving_cost_per_1k_calls",
    "upfront_cost",
]

HOURS_PER_MONTH = _kernel.HOURS_PER_MONTH
"""Hours in an average month: 8,760 hours a year ÷ 12."""

SECONDS_PER_MONTH = _kernel.SECONDS_PER_MONTH
"""Seconds in an average month."""


def gpu_calls_per_month(
    calls_per_second_per_gpu: Any,
    target_utilization: Any,
    peak_factor: Any,
    ops: Any = _kernel.SCALAR,
) -> Any:
    """The calls a month one GPU carries: what it serves a second at its target load through
    the peak, over an average month (numbers, numpy arrays or formulas alike, as ``ops`` says;
    checked by the caller).

    Examples
    --------
    One call a second at half load with no peak: 0.5 × 730 × 3,600 calls a month.

    >>> gpu_calls_per_month(1.0, 0.5, 1.0)
    1314000.0
    """
    return calls_per_second_per_gpu * target_utilization * ops.seconds_per_month / peak_factor


def cost_per_1k_calls(
    input_tokens: float,
    output_tokens: float,
    input_price_per_million: float,
    output_price_per_million: float,
) -> float:
    """Cost of 1,000 calls to a model priced per million tokens.

    Parameters
    ----------
    input_tokens, output_tokens : float
        Tokens sent and received per call.
    input_price_per_million, output_price_per_million : float
        The provider's price per million input and output tokens.

    Returns
    -------
    float
        Cost per 1,000 calls.

    Notes
    -----
    ``1000 × (input_tokens × input_price + output_tokens × output_price) / 1e6``

    Examples
    --------
    A call with 1,500 tokens in and 200 out, at 3.00 and 15.00 per million tokens:

    >>> cost_per_1k_calls(1_500, 200, 3.00, 15.00)
    7.5
    """
    tokens_in = check_number("input_tokens", input_tokens)
    tokens_out = check_number("output_tokens", output_tokens)
    price_in = check_number("input_price_per_million", input_price_per_million)
    price_out = check_number("output_price_per_million", output_price_per_million)
    return check_result(
        "cost_per_1k_calls", _kernel.token_cost_per_1k(tokens_in, tokens_out, price_in, price_out)
    )


def serving_cost_per_1k_calls(
    gpu_hourly_cost: float, calls_per_second: float, utilization: float = 1.0
) -> float:
    """Cost of 1,000 calls served on rented hardware kept busy a given share of the time.

    Parameters
    ----------
    gpu_hourly_cost : float
        What one GPU (or serving instance) costs per hour.
    calls_per_second : float
        Calls one GPU serves per second when fully busy.
    utilization : float, default 1.0
        Share of the time the GPU is busy, in (0, 1]. Idle time is still paid for.

    Returns
    -------
    float
        Cost per 1,000 calls.

    Notes
    -----
    ``1000 × gpu_hourly_cost / (calls_per_second × 3600 × utilization)``

    Examples
    --------
    A 2.00-an-hour GPU serving 20 calls a second, busy half the time:

    >>> round(serving_cost_per_1k_calls(2.00, 20, 0.5), 6)
    0.055556
    """
    hourly = check_number("gpu_hourly_cost", gpu_hourly_cost)
    rate = check_number("calls_per_second", calls_per_second, strictly_above=True)
    busy = check_number("utilization", utilization, strictly_above=True, maximum=1.0)
    return check_result("serving_cost_per_1k_calls", 1000.0 * hourly / (rate * 3600.0 * busy))


def self_hosted_gpus(
    monthly_calls: float,
    calls_per_second_per_gpu: float,
    target_utilization: float = 0.7,
    peak_factor: float = 1.5,
) -> int:
    """Whole GPUs needed to serve a monthly volume at its peak without passing a target load.

    Parameters
    ----------
    monthly_calls : float
        Calls a month.
    calls_per_second_per_gpu : float
        Calls one GPU serves per second when fully busy.
    target_utilization : float, default 0.7
        The load, in (0, 1], a GPU may run at during the peak.
    peak_factor : float, default 1.5
        Peak traffic ÷ average traffic (≥ 1).

    Returns
    -------
    int
        At least one GPU.

    Notes
    -----
    ``max(1, ceil(peak ÷ (calls_per_second_per_gpu × target_utilization)))`` where
    ``peak = peak_factor × monthly_calls ÷ (730 × 3600)``.

    Examples
    --------
    Ten million calls a month average 3.8 a second, 5.7 at a 1.5× peak; a GPU serving 20 a
    second at 70 % load takes 14 a second, so one GPU is enough:

    >>> self_hosted_gpus(10_000_000, 20)
    1
    >>> self_hosted_gpus(100_000_000, 20)
    5
    """
    calls = check_number("monthly_calls", monthly_calls)
    rate = check_number("calls_per_second_per_gpu", calls_per_second_per_gpu, strictly_above=True)
    busy = check_number("target_utilization", target_utilization, strictly_above=True, maximum=1.0)
    peak = check_number("peak_factor", peak_factor, minimum=1.0)
    check_result("self_hosted_gpus", _kernel.peak_calls_per_second(calls, peak) / (rate * busy))
    return int(_kernel.whole_gpus(_kernel.peak_calls_per_second(calls, peak), rate, busy))


def self_hosted_cost_per_1k_calls(
    monthly_calls: float,
    gpu_hourly_cost: float,
    calls_per_second_per_gpu: float,
    target_utilization: float = 0.7,
    peak_factor: float = 1.5,
) -> float:
    """Cost per 1,000 calls of a self-hosted student at a given monthly volume.

    The GPUs are whole and paid around the clock, so half the volume does not halve the bill:
    the cost per call rises when volume falls (hardware paid for but under-used).

    Parameters
    ----------
    monthly_calls : float
        Calls a month (> 0: with no calls there is nothing to spread the bill over).
    gpu_hourly_cost : float
        What one GPU costs per hour.
    calls_per_second_per_gpu, target_utilization, peak_factor : float
        As in :func:`self_hosted_gpus`.

    Returns
    -------
    float
        ``GPUs × gpu_hourly_cost × 730 ÷ (monthly_calls ÷ 1000)``

    Examples
    --------
    One 2.00-an-hour GPU (1,460 a month) serving 10 million calls:

    >>> self_hosted_cost_per_1k_calls(10_000_000, 2.00, 20)
    0.146
    """
    calls = check_number("monthly_calls", monthly_calls, strictly_above=True)
    hourly = check_number("gpu_hourly_cost", gpu_hourly_cost)
    gpus = self_hosted_gpus(calls, calls_per_second_per_gpu, target_utilization, peak_factor)
    return check_result(
        "self_hosted_cost_per_1k_calls", _kernel.gpu_cost_per_1k(float(gpus), hourly, calls)
    )


def data_generation_cost(
    corpus_examples: float,
    teacher_cost_per_1k: float,
    passes: float = 1.0,
    batch_discount: float = 0.0,
) -> float:
    """Cost of running the teacher over the training corpus to produce labels.

    Often the biggest line of the upfront bill, and the one teams forget.

    Parameters
    ----------
    corpus_examples : float
        Examples in the training corpus.
    teacher_cost_per_1k : float
        The teacher's cost per 1,000 calls.
    passes : float, default 1.0
        Teacher calls per example (several samples, or a rationale and a label).
    batch_discount : float, default 0.0
        Discount in [0, 1) for batch (offline) inference.

    Returns
    -------
    float
        ``corpus_examples × teacher_cost_per_1k / 1000 × passes × (1 − batch_discount)``

    Examples
    --------
    >>> data_generation_cost(500_000, 7.50)
    3750.0
    >>> data_generation_cost(500_000, 7.50, passes=2, batch_discount=0.5)
    3750.0
    """
    examples = check_number("corpus_examples", corpus_examples)
    teacher = check_number("teacher_cost_per_1k", teacher_cost_per_1k)
    times = check_number("passes", passes)
    discount = check_fraction("batch_discount", batch_discount)
    return check_result(
        "data_generation_cost", _kernel.data_generation(examples, teacher, times, discount)
    )


def upfront_cost(
    data_generation: float,
    training_compute: float,
    evaluation_build: float,
    engineering_time: float,
) -> float:
    """The whole upfront bill: data generation, training, evaluation build and engineering.

    Parameters
    ----------
    data_generation, training_compute, evaluation_build, engineering_time : float
        The four upfront items, each an amount ≥ 0.

    Returns
    -------
    float
        Their sum.

    Examples
    --------
    >>> upfront_cost(3_750, 2_000, 8_000, 20_000)
    33750.0
    """
    return check_result(
        "upfront_cost",
        _kernel.upfront_total(
            check_number("data_generation", data_generation),
            check_number("training_compute", training_compute),
            check_number("evaluation_build", evaluation_build),
            check_number("engineering_time", engineering_time),
        ),
    )
