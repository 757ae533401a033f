"""Tests of xl_roi.costs: per-call prices, self-hosted serving, data generation, upfront."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import positive_monthly_calls, utilization
from xl_roi import (
    InputError,
    cost_per_1k_calls,
    data_generation_cost,
    self_hosted_cost_per_1k_calls,
    self_hosted_gpus,
    serving_cost_per_1k_calls,
    upfront_cost,
)


class TestCostPer1kCalls:
    @pytest.mark.parametrize(
        ("tokens_in", "tokens_out", "price_in", "price_out", "expected"),
        [
            # 1,500 × 3 + 200 × 15 = 7,500 per million calls' tokens → 7.5 per 1k calls
            (1_500, 200, 3.00, 15.00, 7.5),
            # 1,500 × 0.2 + 200 × 0.8 = 460 → 0.46 per 1k calls
            (1_500, 200, 0.20, 0.80, 0.46),
            # 1,000,000 tokens in at 1 per million: 1 a call, 1,000 per 1k calls
            (1_000_000, 0, 1.0, 99.0, 1_000.0),
            (0, 0, 5.0, 5.0, 0.0),
        ],
    )
    def test_hand_worked(self, tokens_in, tokens_out, price_in, price_out, expected):
        """Per-1k cost is 1000 × (tokens × price per million) / 1e6, worked by hand."""
        assert cost_per_1k_calls(tokens_in, tokens_out, price_in, price_out) == pytest.approx(
            expected, rel=1e-12
        )

    @pytest.mark.parametrize("bad", [-1, math.nan, math.inf, "1500", None, True])
    def test_refuses_bad_tokens(self, bad):
        """A negative, missing or non-number token count is refused, naming the argument."""
        with pytest.raises(InputError, match="input_tokens"):
            cost_per_1k_calls(bad, 200, 3.0, 15.0)


class TestServingCostPer1kCalls:
    @pytest.mark.parametrize(
        ("hourly", "rate", "busy", "expected"),
        [
            # 3,600 s × 20 calls = 72,000 calls an hour for 2.00 → 2,000 / 72,000 per 1k
            (2.00, 20, 1.0, 2_000 / 72_000),
            # half busy: twice the cost per call
            (2.00, 20, 0.5, 4_000 / 72_000),
            # 3.60 an hour, 1 call a second: 3.60 per 3,600 calls = 1.00 per 1k
            (3.60, 1, 1.0, 1.0),
        ],
    )
    def test_hand_worked(self, hourly, rate, busy, expected):
        """1000 × hourly / (calls per second × 3600 × utilisation), worked by hand."""
        assert serving_cost_per_1k_calls(hourly, rate, busy) == pytest.approx(expected, rel=1e-12)

    @pytest.mark.parametrize("busy", [0, -0.1, 1.01, math.nan])
    def test_utilization_outside_unit_interval(self, busy):
        """Utilisation must lie in (0, 1]."""
        with pytest.raises(InputError, match=r"utilization must be a number > 0 and ≤ 1"):
            serving_cost_per_1k_calls(2.0, 20, busy)

    @given(utilization, utilization)
    def test_lower_utilization_costs_more(self, low, high):
        """Idle hardware is paid for: the less busy, the dearer each call."""
        low, high = sorted((low, high))
        assert serving_cost_per_1k_calls(2.0, 20, low) >= serving_cost_per_1k_calls(2.0, 20, high)


class TestSelfHosted:
    @pytest.mark.parametrize(
        ("calls", "rate", "busy", "peak", "expected"),
        [
            # 2,628,000 s a month. 10M calls → 3.805/s avg, ×1.5 = 5.71/s; one GPU takes 14/s.
            (10_000_000, 20, 0.7, 1.5, 1),
            # 100M → 38.05/s, peak 57.08/s ÷ 14 = 4.08 → 5 GPUs
            (100_000_000, 20, 0.7, 1.5, 5),
            # exactly 10 calls/s at full load, peak 1: 26,280,000 calls → 1 GPU of 10/s
            (26_280_000, 10, 1.0, 1.0, 1),
            # one call more needs a second GPU
            (26_280_001, 10, 1.0, 1.0, 2),
            # no calls still rents one GPU
            (0, 10, 1.0, 1.0, 1),
        ],
    )
    def test_gpus_hand_worked(self, calls, rate, busy, peak, expected):
        """GPUs = max(1, ceil(peak ÷ (rate × utilisation))), worked by hand."""
        assert self_hosted_gpus(calls, rate, busy, peak) == expected

    def test_cost_per_1k_hand_worked(self):
        """5 GPUs × 2.00 × 730 h = 7,300 a month over 100,000 thousand calls = 0.073 per 1k."""
        assert self_hosted_cost_per_1k_calls(100_000_000, 2.0, 20) == pytest.approx(0.073)

    @given(positive_monthly_calls, st.integers(min_value=1, max_value=1_000))
    def test_per_call_cost_never_falls_when_volume_is_divided(self, calls, divisor):
        """Whole GPUs paid around the clock: half (a third, …) the volume never costs less a call.

        n × ceil(x / n) ≥ ceil(x), so dividing the volume by a whole number never lowers the
        per-call cost. (For other fractions it can: 429,240,001 calls need one GPU more than a
        fifth of them scaled up, so whole-GPU cost per call is not monotone in volume.)
        """
        full = self_hosted_cost_per_1k_calls(calls, 2.5, 25, 0.7, 1.5)
        less = self_hosted_cost_per_1k_calls(calls / divisor, 2.5, 25, 0.7, 1.5)
        assert less >= full * (1 - 1e-12)

    def test_per_call_cost_is_not_monotone_in_volume(self):
        """A regression guard on the counter-example above: fewer calls can fill GPUs better."""
        full = self_hosted_cost_per_1k_calls(429_240_001, 2.5, 25, 0.7, 1.5)
        fewer = self_hosted_cost_per_1k_calls(429_240_001 * 0.203125, 2.5, 25, 0.7, 1.5)
        assert fewer < full

    @given(positive_monthly_calls, utilization)
    def test_never_below_the_ideal_cost(self, calls, busy):
        """Whole GPUs never beat the fractional, perfectly packed cost of the same load."""
        ideal = serving_cost_per_1k_calls(2.5, 25, busy) * 1.5  # peak factor 1.5 is paid for
        assert self_hosted_cost_per_1k_calls(calls, 2.5, 25, busy, 1.5) >= ideal * (1 - 1e-12)

    def test_half_volume_does_not_halve_the_bill(self):
        """The seed's under-used hardware: at half volume on one GPU, a call costs twice as much."""
        full = self_hosted_cost_per_1k_calls(10_000_000, 2.0, 20)
        half = self_hosted_cost_per_1k_calls(5_000_000, 2.0, 20)
        assert half == pytest.approx(2 * full)

    def test_zero_calls_refused_for_per_call_cost(self):
        """With no calls there is no per-call cost to speak of."""
        with pytest.raises(InputError, match="monthly_calls must be a number > 0"):
            self_hosted_cost_per_1k_calls(0, 2.0, 20)

    def test_peak_factor_below_one_refused(self):
        """The peak cannot be below the average."""
        with pytest.raises(InputError, match="peak_factor must be a number ≥ 1"):
            self_hosted_gpus(1_000, 20, 0.7, 0.9)

    def test_overflowing_volume_refused(self):
        """A volume so large the GPU count overflows is refused, not crashed on."""
        with pytest.raises(InputError, match="out of range"):
            self_hosted_gpus(1e308, 1e-300, 0.7, 1.5)


class TestDataGenerationCost:
    @pytest.mark.parametrize(
        ("examples", "teacher", "passes", "discount", "expected"),
        [
            # 500,000 examples × 7.50 per 1k = 3,750
            (500_000, 7.50, 1, 0.0, 3_750.0),
            # two passes at half price: the same 3,750
            (500_000, 7.50, 2, 0.5, 3_750.0),
            # 2M examples × 12 per 1k = 24,000 — bigger than most training runs
            (2_000_000, 12.0, 1, 0.0, 24_000.0),
            (0, 12.0, 1, 0.0, 0.0),
        ],
    )
    def test_hand_worked(self, examples, teacher, passes, discount, expected):
        """examples × teacher per 1k / 1000 × passes × (1 − discount), worked by hand."""
        assert data_generation_cost(examples, teacher, passes, discount) == pytest.approx(expected)

    def test_full_discount_refused(self):
        """A 100 % batch discount is not a price."""
        with pytest.raises(InputError, match="batch_discount"):
            data_generation_cost(1_000, 1.0, 1, 1.0)


class TestUpfrontCost:
    def test_hand_worked(self):
        """3,750 + 2,000 + 8,000 + 20,000 = 33,750."""
        assert upfront_cost(3_750, 2_000, 8_000, 20_000) == 33_750.0

    @pytest.mark.parametrize("position", range(4))
    def test_negative_item_names_itself(self, position):
        """A negative item is refused by its own name."""
        names = ["data_generation", "training_compute", "evaluation_build", "engineering_time"]
        items = [1.0, 1.0, 1.0, 1.0]
        items[position] = -1.0
        with pytest.raises(InputError, match=f"^{names[position]} must be a number ≥ 0, got -1$"):
            upfront_cost(*items)
