"""Tests of xl_roi.roi: monthly savings, payback, annual net benefit, share, break-even."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.cases import CONTRACT_REVIEW, just_below
from tests.strategies import (
    cost_per_1k,
    money,
    monthly_calls,
    monthly_growth,
    positive_cost_per_1k,
    positive_money,
    positive_monthly_calls,
)
from xl_roi import (
    InputError,
    annual_net_benefit,
    breakeven_volume,
    evaluate,
    monthly_savings,
    payback_months,
    savings_share,
)
from xl_roi.roi import payback_after_maintenance_months


class TestMonthlySavings:
    @pytest.mark.parametrize(
        ("teacher", "student", "calls", "expected"),
        [
            (12.0, 1.5, 2_000_000, 21_000.0),  # 10.50 saved per 1k × 2,000 thousand calls
            (7.5, 0.46, 1_500_000, 10_560.0),  # 7.04 × 1,500
            (2.0, 2.5, 1_000, -0.5),  # the student costs more: a loss of 0.50 per 1k
            (12.0, 1.5, 0, 0.0),
        ],
    )
    def test_hand_worked(self, teacher, student, calls, expected):
        """(teacher − student) × calls / 1000, worked by hand."""
        assert monthly_savings(teacher, student, calls) == pytest.approx(expected, rel=1e-12)

    @pytest.mark.parametrize(
        ("args", "name"),
        [
            ((12.0, 1.5, -5), "monthly_calls"),
            ((-1.0, 1.5, 5), "teacher_cost_per_1k"),
            ((12.0, math.nan, 5), "student_cost_per_1k"),
            ((12.0, 1.5, "many"), "monthly_calls"),
        ],
    )
    def test_bad_input_names_argument_and_value(self, args, name):
        """The message names the argument and the refused value."""
        with pytest.raises(InputError, match=f"^{name} must be a number ≥ 0, got "):
            monthly_savings(*args)

    def test_overflow_is_refused(self):
        """Figures whose product leaves the float range are refused, not returned as inf."""
        with pytest.raises(InputError, match="out of range"):
            monthly_savings(1e300, 0.0, 1e300)


class TestPaybackMonths:
    @pytest.mark.parametrize(
        ("upfront", "savings", "growth", "expected"),
        [
            (52_500, 21_000, 0.0, 2.5),
            (33_750, 10_560, 0.0, 33_750 / 10_560),
            # ln(1 + 52,500 × 0.05 / 21,000) / ln 1.05 = ln 1.125 / ln 1.05
            (52_500, 21_000, 0.05, math.log(1.125) / math.log(1.05)),
            # shrinking 10 % a month: total savings s / 0.1 = 100,000 < 120,000 → never
            (120_000, 10_000, -0.10, math.inf),
            # shrinking: ln(1 − 50,000 × 0.1 / 10,000) / ln 0.9 = ln 0.5 / ln 0.9
            (50_000, 10_000, -0.10, math.log(0.5) / math.log(0.9)),
            (52_500, 0, 0.0, math.inf),
            (52_500, -10, 0.0, math.inf),
            (0, 21_000, 0.0, 0.0),
            (0, -10, 0.0, 0.0),  # nothing to pay back
        ],
    )
    def test_hand_worked(self, upfront, savings, growth, expected):
        """Closed forms worked by hand, including never and nothing to recover."""
        assert payback_months(upfront, savings, growth) == pytest.approx(expected, rel=1e-12)

    def test_growth_of_minus_one_refused(self):
        """Volume cannot shrink by 100 % or more a month."""
        with pytest.raises(InputError, match="monthly_growth must be a number > -1"):
            payback_months(1, 1, -1.0)

    @given(positive_money, positive_money)
    def test_payback_times_savings_is_upfront(self, upfront, savings):
        """The law: payback × monthly savings = upfront (no growth)."""
        assert payback_months(upfront, savings) * savings == pytest.approx(upfront, rel=1e-12)

    @given(
        positive_money,
        positive_cost_per_1k,
        positive_monthly_calls,
        positive_monthly_calls,
        monthly_growth,
    )
    def test_more_volume_never_lengthens_payback(
        self, upfront, saving_per_1k, calls_a, calls_b, growth
    ):
        """The seed's dominant variable: more calls never make payback longer."""
        low, high = sorted((calls_a, calls_b))
        at_low = payback_months(upfront, monthly_savings(saving_per_1k, 0.0, low), growth)
        at_high = payback_months(upfront, monthly_savings(saving_per_1k, 0.0, high), growth)
        assert at_high <= at_low * (1 + 1e-12)

    @given(positive_money, positive_money)
    def test_zero_growth_equals_closed_form(self, upfront, savings):
        """Growth 0 is exactly upfront ÷ savings, and tiny growth converges to it."""
        assert payback_months(upfront, savings, 0.0) == upfront / savings
        assume(upfront / savings < 1e4)
        # n ≈ (U/s)(1 − (U/s − 1)·g/2): within 1e-7 relative for g = 1e-12 and U/s < 1e4
        assert payback_months(upfront, savings, 1e-12) == pytest.approx(upfront / savings, rel=1e-7)

    @given(
        st.floats(min_value=100.0, max_value=1e7),
        st.floats(min_value=100.0, max_value=1e6),
        st.floats(min_value=-0.2, max_value=0.3).filter(lambda g: abs(g) > 1e-4),
    )
    def test_growth_formula_agrees_with_month_by_month(self, upfront, savings, growth):
        """Adding up s·(1+g)^(k−1) month by month reaches the upfront cost in month ceil(n)."""
        months = payback_months(upfront, savings, growth)
        cumulative, month = 0.0, 0
        while cumulative < upfront and month < 1_000:
            month += 1
            cumulative += savings * (1 + growth) ** (month - 1)
        if math.isinf(months):
            assert cumulative < upfront * (1 + 1e-9) or month == 1_000
            total = savings / -growth if growth < 0 else math.inf
            assert total <= upfront * (1 + 1e-9)
        else:
            assume(month < 1_000)
            # n lies in (month − 1, month], up to rounding at a whole month
            assert month - 1 - 1e-6 <= months <= month + 1e-6

    def test_more_growth_pays_back_sooner(self):
        """With growing savings, payback comes sooner than at flat volume."""
        assert payback_months(52_500, 21_000, 0.05) < payback_months(52_500, 21_000, 0.0)


class TestAnnualNetBenefit:
    @pytest.mark.parametrize(
        ("savings", "maintenance", "expected"),
        [
            (21_000, 40_000, 212_000.0),  # 12 × 21,000 − 40,000
            (10_560, 24_000, 102_720.0),  # 12 × 10,560 − 24,000
            (1_000, 12_000, 0.0),
            (-500, 0, -6_000.0),
        ],
    )
    def test_hand_worked(self, savings, maintenance, expected):
        """12 × monthly savings − annual maintenance, worked by hand."""
        assert annual_net_benefit(savings, maintenance) == pytest.approx(expected)

    def test_negative_maintenance_refused(self):
        """Maintenance is a cost, never negative."""
        with pytest.raises(InputError, match="annual_maintenance"):
            annual_net_benefit(100, -1)


class TestSavingsShare:
    @pytest.mark.parametrize(
        ("teacher", "student", "expected"),
        [(12.0, 1.5, 0.875), (7.5, 0.46, 7.04 / 7.5), (2.0, 2.5, -0.25), (4.0, 0.0, 1.0)],
    )
    def test_hand_worked(self, teacher, student, expected):
        """(teacher − student) / teacher, worked by hand."""
        assert savings_share(teacher, student) == pytest.approx(expected)

    def test_free_teacher_refused(self):
        """A teacher that costs nothing has no spend to cut."""
        with pytest.raises(InputError, match="teacher_cost_per_1k must be a number > 0"):
            savings_share(0.0, 0.0)


class TestBreakevenVolume:
    @pytest.mark.parametrize(
        ("upfront", "teacher", "student", "target", "expected"),
        [
            # 52,500 / (12 × 10.5 / 1000) = 52,500 / 0.126 = 416,666.67 calls a month
            (52_500, 12.0, 1.5, 12, 52_500 / 0.126),
            # 52,500 / (3 × 0.0105) = 1,666,666.67
            (52_500, 12.0, 1.5, 3, 52_500 / 0.0315),
            (52_500, 1.5, 1.5, 12, math.inf),
            (52_500, 1.0, 1.5, 12, math.inf),
            (0, 12.0, 1.5, 12, 0.0),
        ],
    )
    def test_hand_worked(self, upfront, teacher, student, target, expected):
        """upfront / (target × (teacher − student) / 1000), worked by hand."""
        assert breakeven_volume(upfront, teacher, student, target) == pytest.approx(expected)

    @given(
        positive_money, positive_cost_per_1k, cost_per_1k, st.floats(min_value=0.5, max_value=120)
    )
    def test_breakeven_volume_pays_back_on_target(self, upfront, teacher, student, target):
        """At the break-even volume, payback equals the target."""
        assume(teacher > student * (1 + 1e-9))
        volume = breakeven_volume(upfront, teacher, student, target)
        assume(volume < 1e15)
        months = payback_months(upfront, monthly_savings(teacher, student, volume))
        assert months == pytest.approx(target, rel=1e-9)

    def test_with_growth_hand_worked(self):
        """With growth g the needed first-month savings are upfront × g / ((1+g)^T − 1)."""
        # 52,500 × 0.05 / (1.05^12 − 1) = 2,625 / 0.7958563 = 3,298.34 a month; ÷ 0.0105 a call
        expected = 52_500 * 0.05 / (1.05**12 - 1) / 0.0105
        assert breakeven_volume(52_500, 12.0, 1.5, 12, 0.05) == pytest.approx(expected, rel=1e-12)
        assert round(expected) == 314_127

    @pytest.mark.parametrize(
        ("growth", "expected"),
        [
            # flat: (38,000 / 12 + 1,606) × 1000 / 11.5 = 4,772.67 / 0.0115 = 415,014.49
            (0.0, (38_000 / 12 + 2.2 * 730) / 0.0115),
            # 5 %: (38,000 × 0.05 / (1.05^12 − 1) + 1,606) / 0.0115 = 3,993.37 / 0.0115
            (0.05, (38_000 * 0.05 / (1.05**12 - 1) + 2.2 * 730) / 0.0115),
        ],
    )
    def test_self_hosted_hand_worked(self, growth, expected):
        """One whole GPU is a fixed bill: the break-even adds it to the savings needed."""
        volume = breakeven_volume(
            38_000,
            11.5,
            0.0,
            12,
            growth,
            gpu_hourly_cost=2.2,
            calls_per_second_per_gpu=12,
            target_utilization=0.6,
        )
        assert volume == pytest.approx(expected, rel=1e-12)

    def test_self_hosted_gpu_costing_more_than_it_saves(self):
        """A GPU whose full load saves less than its bill never pays back at any volume."""
        # one GPU carries 1 × 1 × 2,628,000 / 1.5 = 1,752,000 calls a month, saving 1,752 at
        # 1.00 per 1k, against 3.00 × 730 = 2,190 a month
        assert math.isinf(
            breakeven_volume(
                1_000,
                1.0,
                0.0,
                12,
                gpu_hourly_cost=3.0,
                calls_per_second_per_gpu=1.0,
                target_utilization=1.0,
            )
        )

    def test_issue_case_fed_back_gives_the_target(self):
        """The issue's self-hosted case at its break-even pays back in exactly 12 months."""
        result = evaluate(CONTRACT_REVIEW)
        volume = result.breakeven_monthly_calls
        assert round(volume) == 347_249  # (2,387.37 + 1,606) / 0.0115, worked above
        at = evaluate(CONTRACT_REVIEW.replace(monthly_calls=volume))
        assert at.payback_months == pytest.approx(12.0, rel=1e-9)
        below = evaluate(CONTRACT_REVIEW.replace(monthly_calls=volume * (1 - 1e-6)))
        assert below.payback_months > 12.0

    @given(
        st.floats(100, 1e7),
        st.floats(0.5, 50),
        st.floats(0.0, 0.3, allow_subnormal=False),
        st.floats(0.1, 20),
        st.floats(0.5, 200),
        st.floats(0.1, 1.0),
        st.floats(1.0, 4.0),
        st.sampled_from([0.0, 0.03, -0.02]) | st.floats(-0.1, 0.2, allow_subnormal=False),
        st.sampled_from([3.0, 12.0, 7.5]),
    )
    def test_self_hosted_step_threshold(
        self, upfront, teacher, escalation, hourly, rate, busy, peak, growth, target
    ):
        """Just above the self-hosted break-even payback meets the target, just below it misses,
        and at every larger volume it keeps meeting it (evaluate, whole GPUs, the case's growth)."""
        from xl_roi import Case

        case = Case(
            monthly_calls=1e6,
            monthly_growth=growth,
            teacher_cost_per_1k=teacher,
            escalation_share=escalation,
            gpu_hourly_cost=hourly,
            calls_per_second_per_gpu=rate,
            target_utilization=busy,
            peak_factor=peak,
            upfront_cost=upfront,
            annual_maintenance=0.0,
            target_payback_months=target,
        )
        volume = evaluate(case).breakeven_monthly_calls
        assume(math.isfinite(volume) and 1.0 < volume < 1e13)

        def payback_at(calls: float) -> float:
            return evaluate(case.replace(monthly_calls=calls)).payback_months

        assert payback_at(volume * (1 + 1e-9)) <= target * (1 + 1e-9)
        assert payback_at(just_below(case, volume)) > target * (1 - 1e-9)
        for multiple in (1.5, 2.0, 3.7, 10.0, 123.4):
            assert payback_at(volume * multiple) <= target * (1 + 1e-9)

    @given(
        positive_money,
        positive_cost_per_1k,
        cost_per_1k,
        st.floats(min_value=0.5, max_value=120),
        monthly_growth,
    )
    def test_breakeven_with_growth_pays_back_on_target(
        self, upfront, teacher, student, target, growth
    ):
        """At the break-even volume, with the case's growth, payback is the target."""
        assume(teacher > student * (1 + 1e-9))
        # a volume that has all but vanished by the target leaves payback ill-conditioned
        assume((1 + growth) ** target > 1e-6)
        volume = breakeven_volume(upfront, teacher, student, target, growth)
        assume(math.isfinite(volume) and volume < 1e15)
        months = payback_months(upfront, monthly_savings(teacher, student, volume), growth)
        assert months == pytest.approx(target, rel=1e-9)

    def test_zero_target_refused(self):
        """A target of zero months cannot be met by any volume."""
        with pytest.raises(InputError, match="target_payback_months must be a number > 0"):
            breakeven_volume(1, 2, 1, 0)


AMOUNT = st.just(0.0) | positive_money
"""Zero or at least a cent: sub-cent money (down to 5e-324) only measures float underflow."""


class TestPaybackAfterMaintenance:
    @pytest.mark.parametrize(
        ("upfront", "savings", "maintenance", "growth", "expected"),
        [
            # 52,500 / (21,000 − 40,000 / 12) = 52,500 / 17,666.67 = 2.9717 months
            (52_500, 21_000, 40_000, 0.0, 52_500 / (21_000 - 40_000 / 12)),
            (52_500, 21_000, 0, 0.0, 2.5),  # no maintenance: payback itself
            (52_500, 3_000, 36_000, 0.0, math.inf),  # maintenance 3,000 a month eats it all
            (0, 3_000, 36_000, 0.05, 0.0),  # nothing to pay back
            (38_000, 2_994, 30_000, -0.05, math.inf),  # shrinking: the net peaks below zero
        ],
    )
    def test_hand_worked(self, upfront, savings, maintenance, growth, expected):
        """Closed form at flat volume, worked by hand; the never and nothing-to-pay cases."""
        assert payback_after_maintenance_months(
            upfront, savings, maintenance, growth
        ) == pytest.approx(expected, rel=1e-12)

    def test_issue_case_against_the_month_by_month_schedule(self):
        """With growth, the cumulative net after maintenance crosses zero where it says."""
        # 2,994 a month growing 5 %, 2,500 maintenance a month, 38,000 upfront
        months = payback_after_maintenance_months(38_000, 2_994, 30_000, 0.05)
        cumulative = -38_000.0
        for month in range(1, 40):
            cumulative += 2_994 * 1.05 ** (month - 1) - 2_500
            if cumulative >= 0:
                break
        assert month - 1 < months <= month == 18
        net_at = 2_994 * (1.05**months - 1) / 0.05 - 2_500 * months - 38_000
        assert net_at == pytest.approx(0.0, abs=1e-6)

    @given(AMOUNT, AMOUNT, AMOUNT, monthly_growth)
    def test_never_sooner_than_payback(self, upfront, savings, maintenance, growth):
        """Maintenance can only delay the payback."""
        assert payback_after_maintenance_months(
            upfront, savings, maintenance, growth
        ) >= payback_months(upfront, savings, growth)

    @given(AMOUNT, AMOUNT, monthly_growth)
    def test_equals_payback_without_maintenance(self, upfront, savings, growth):
        """Without maintenance it is the payback itself."""
        assert payback_after_maintenance_months(upfront, savings, 0.0, growth) == payback_months(
            upfront, savings, growth
        )

    @given(positive_money, positive_money, AMOUNT, monthly_growth, st.floats(1.0, 10.0))
    def test_more_volume_never_lengthens_it(self, upfront, savings, maintenance, growth, scale):
        """More savings (more volume) never lengthen the payback after maintenance."""
        more = payback_after_maintenance_months(upfront, savings * scale, maintenance, growth)
        less = payback_after_maintenance_months(upfront, savings, maintenance, growth)
        assert more <= less * (1 + 1e-9) or math.isinf(less)

    @given(positive_money, positive_money, positive_money, monthly_growth)
    def test_root_is_where_the_net_crosses_zero(self, upfront, savings, maintenance, growth):
        """Where finite, the cumulative (growing) savings less maintenance equal the upfront."""
        months = payback_after_maintenance_months(upfront, savings, maintenance, growth)
        assume(math.isfinite(months) and months < 1e4)
        grown = (
            savings * months
            if growth == 0
            else savings * math.expm1(months * math.log1p(growth)) / growth
        )
        # to rounding: within 1e-9 of the size of the terms that cancel
        scale = abs(grown) + maintenance / 12 * months + upfront
        assert abs(grown - maintenance / 12 * months - upfront) <= 1e-9 * scale


@given(money, monthly_calls)
def test_savings_scale_with_volume(saving, calls):
    """Twice the calls, twice the savings."""
    assert monthly_savings(saving, 0.0, 2 * calls) == pytest.approx(
        2 * monthly_savings(saving, 0.0, calls), rel=1e-12
    )
