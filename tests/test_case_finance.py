"""Tests of the CFO's figures in a whole case (issue 12): NPV, discounted payback and IRR of
``evaluate``, the cost of worse answers with the quality-adjusted figures, latency, and the case
file's ``[finance]``, ``[quality]`` and slice keys.

Which values were checked against numpy-financial: ``Result.npv`` against ``numpy_financial.npv``
and ``Result.irr`` against ``numpy_financial.irr`` on the same monthly cash flows (built here
independently of the code under test).
"""

from __future__ import annotations

import math

import numpy_financial as npf
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.strategies import money, monthly_growth, positive_money
from xl_roi import Case, QualitySlice, evaluate, example_case
from xl_roi.casefile import case_from_mapping, load_case
from xl_roi.errors import CaseFileError, InputError
from xl_roi.finance import discounted_payback_months, npv
from xl_roi.pitch import pitch, recommendation
from xl_roi.roi import payback_after_maintenance_months, payback_months

BASE = {
    "monthly_calls": 2_000_000,
    "teacher_cost_per_1k": 12.0,
    "student_cost_per_1k": 1.5,
    "upfront_cost": 52_500,
    "annual_maintenance": 40_000,
}
"""Savings (12 − 1.5) × 2,000 = 21,000 a month; net of maintenance 21,000 − 40,000 / 12 =
17,666.67 a month."""


def rate_between(low: float, high: float):
    """Annual rates in [low, high], none so near zero that the bounds refuse it."""
    return st.floats(min_value=low, max_value=high).filter(lambda x: x == 0 or abs(x) > 1e-300)


def flows(upfront: float, savings: float, maintenance: float, growth: float, months: int):
    """The monthly cash flows as the issue defines them, written out independently."""
    return [-upfront] + [
        savings * (1 + growth) ** (month - 1) - maintenance / 12 for month in range(1, months + 1)
    ]


class TestWorthToday:
    @pytest.mark.parametrize(
        ("changes", "expected_npv", "expected_discounted_payback"),
        [
            # −52,500 + 12 × 17,666.67 = 159,500; 52,500 / 17,666.67 = 2.97170
            ({"horizon_months": 12}, 159_500.0, 52_500 / (21_000 - 40_000 / 12)),
            # −52,500 + 36 × 17,666.67 = 583,500 (the default horizon)
            ({}, 583_500.0, 52_500 / (21_000 - 40_000 / 12)),
            # r = 1.1^(1/12) − 1 = 0.0079741; annuity factor (1 − 1.1^−3) / r = 31.18654;
            # −52,500 + 17,666.67 × 31.18654 = 498,460.8. Payback: month 3 is the first with
            # discounted cumulative ≥ 0, interpolated a little past 3.0 (the docstring's 3.0195)
            ({"discount_rate": 0.10}, 498_460.77, 3.0195),
            # no maintenance: 52,500 / 21,000 = 2.5, as payback; NPV −52,500 + 36 × 21,000
            ({"annual_maintenance": 0}, 703_500.0, 2.5),
        ],
    )
    def test_hand_worked(self, changes, expected_npv, expected_discounted_payback):
        """NPV and discounted payback of the base case equal the working beside each row."""
        result = evaluate(Case(**{**BASE, **changes}))
        assert result.npv == pytest.approx(expected_npv, rel=1e-8, abs=1e-6)
        assert result.discounted_payback_months == pytest.approx(
            expected_discounted_payback, rel=1e-4
        )

    def test_never_pays_back_discounted(self):
        """Savings 3,000 a month under 3,333.33 of maintenance: never, and a negative NPV."""
        result = evaluate(Case(**{**BASE, "student_cost_per_1k": 10.5, "discount_rate": 0.1}))
        assert math.isinf(result.discounted_payback_months)
        assert result.npv < -52_500
        assert result.to_dict()["discounted_payback_months"] is None

    def test_irr_against_numpy_financial(self):
        """IRR is numpy_financial.irr of the flows, annualised: (1 + monthly)^12 − 1."""
        result = evaluate(Case(**BASE))
        monthly = npf.irr(flows(52_500, 21_000, 40_000, 0.0, 36))
        assert result.irr == pytest.approx((1 + monthly) ** 12 - 1, rel=1e-9)

    def test_no_irr_is_null(self):
        """Nothing upfront: the cash never changes sign, so no IRR; JSON says null."""
        result = evaluate(Case(**{**BASE, "upfront_cost": 0}))
        assert math.isnan(result.irr)
        assert result.to_dict()["irr"] is None

    @given(
        positive_money,
        money,
        money,
        rate_between(0.0, 0.5),
        st.integers(1, 120),
        monthly_growth,
    )
    def test_npv_against_numpy_financial(self, upfront, savings, maintenance, rate, months, growth):
        """evaluate's NPV equals numpy_financial.npv at the monthly rate on the same flows."""
        case = Case(
            monthly_calls=1000,
            teacher_cost_per_1k=savings + 1,
            student_cost_per_1k=1.0,
            upfront_cost=upfront,
            annual_maintenance=maintenance,
            discount_rate=rate,
            horizon_months=months,
            monthly_growth=growth,
        )
        result = evaluate(case)
        cash = flows(upfront, result.monthly_savings, maintenance, growth, months)
        expected = npf.npv((1 + rate) ** (1 / 12) - 1, cash)
        scale = sum(abs(value) for value in cash)
        assert math.isclose(result.npv, expected, rel_tol=1e-9, abs_tol=1e-12 * scale)
        assert math.isclose(
            result.npv,
            npv(upfront, result.monthly_savings, maintenance, rate, months, growth),
            rel_tol=1e-9,
            abs_tol=1e-12 * scale,
        )


def _simple(upfront, savings, maintenance, **changes):
    return Case(
        monthly_calls=1000,
        teacher_cost_per_1k=savings + 1,
        student_cost_per_1k=1.0,
        upfront_cost=upfront,
        annual_maintenance=maintenance,
        **changes,
    )


class TestLaws:
    @given(positive_money, money, money, st.integers(1, 120), monthly_growth)
    def test_npv_at_zero_is_the_cumulative_net(self, upfront, savings, maintenance, months, growth):
        """At 0 %, NPV over h months is the cumulative net after maintenance at h: exactly at
        flat volume, to rounding with growth (powers there, repeated products here)."""
        result = evaluate(
            _simple(upfront, savings, maintenance, horizon_months=months, monthly_growth=growth)
        )
        schedule = result.schedule(months)
        expected = schedule[-1]["cumulative_net_after_maintenance"]
        if growth == 0.0:
            assert result.npv == expected
        else:
            scale = upfront + sum(row["savings"] + row["maintenance"] for row in schedule)
            assert math.isclose(result.npv, expected, rel_tol=1e-12, abs_tol=1e-12 * scale)

    @given(positive_money, positive_money, money)
    def test_discounted_payback_at_zero_is_payback_after_maintenance(
        self, upfront, savings, maintenance
    ):
        """At 0 % and flat volume, discounted payback is payback after maintenance."""
        result = evaluate(_simple(upfront, savings, maintenance))
        expected = payback_after_maintenance_months(upfront, result.monthly_savings, maintenance)
        assume(expected < 1000)
        assert result.discounted_payback_months == pytest.approx(expected, rel=1e-9)

    @given(positive_money, positive_money)
    def test_discounted_payback_at_zero_without_maintenance_is_payback(self, upfront, savings):
        """At 0 %, flat volume and no maintenance, discounted payback is payback itself."""
        result = evaluate(_simple(upfront, savings, 0.0))
        expected = payback_months(upfront, result.monthly_savings)
        assume(expected < 1000)
        assert result.discounted_payback_months == pytest.approx(expected, rel=1e-9)

    @given(positive_money, positive_money, money, st.floats(min_value=1e-4, max_value=1.0))
    def test_discounted_payback_is_never_sooner(self, upfront, savings, maintenance, rate):
        """At any positive rate (flat volume), discounted payback ≥ payback after maintenance
        ≥ payback."""
        result = evaluate(_simple(upfront, savings, maintenance, discount_rate=rate))
        after = result.payback_after_maintenance_months
        assert result.discounted_payback_months >= after * (1 - 1e-12)
        assert after >= result.payback_months

    @given(
        positive_money,
        money,
        rate_between(-0.9, 1.0),
        rate_between(-0.9, 1.0),
        st.integers(1, 120),
        rate_between(0.0, 0.5),
    )
    def test_npv_falls_as_the_rate_rises(self, upfront, savings, low, high, months, growth):
        """With cash that is positive after month 0, a higher rate never gives a higher NPV."""
        low, high = sorted((low, high))
        maintenance = 0.0
        at_low = evaluate(
            _simple(
                upfront,
                savings,
                maintenance,
                discount_rate=low,
                horizon_months=months,
                monthly_growth=growth,
            )
        ).npv
        at_high = evaluate(
            _simple(
                upfront,
                savings,
                maintenance,
                discount_rate=high,
                horizon_months=months,
                monthly_growth=growth,
            )
        ).npv
        assert at_high <= at_low + 1e-9 * (abs(at_low) + upfront)

    @given(positive_money, money, money, rate_between(-0.5, 1.0), monthly_growth)
    def test_discounted_payback_agrees_with_finance(self, upfront, savings, maintenance, rate, g):
        """evaluate's discounted payback equals xl_roi.finance's (numpy) at every rate, 0 %
        included: one definition, month by month, interpolated."""
        result = evaluate(
            _simple(upfront, savings, maintenance, discount_rate=rate, monthly_growth=g)
        )
        expected = discounted_payback_months(upfront, result.monthly_savings, maintenance, rate, g)
        if math.isinf(expected):
            assert math.isinf(result.discounted_payback_months)
        else:
            assert result.discounted_payback_months == pytest.approx(expected, rel=1e-9, abs=1e-9)


def three_slices(**case_changes):
    """One million calls a month; 2.00 per wrong answer unless a slice says otherwise."""
    return Case(
        **{**BASE, "monthly_calls": 1_000_000},
        cost_per_error=2.0,
        quality_slices=(
            QualitySlice("Billing disputes", True, 0.94, 0.92, 0.03, traffic_share=0.10),
            QualitySlice(
                "Account security", True, 0.97, 0.96, 0.02, traffic_share=0.05, cost_per_error=10
            ),
            QualitySlice("General questions", False, 0.86, 0.91, 0.05, traffic_share=0.60),
        ),
        **case_changes,
    )


class TestCostOfWorseAnswers:
    def test_three_slices_by_hand(self):
        """Billing 0.10 × 0.02 × 1e6 × 2 = 4,000; security 0.05 × 0.01 × 1e6 × 10 (its own cost)
        = 5,000; general questions improve: 0. Total 9,000; savings 10,500 − 9,000 = 1,500."""
        result = evaluate(three_slices())
        assert [row.quality_cost_monthly for row in result.quality] == pytest.approx(
            [4_000.0, 5_000.0, 0.0]
        )
        assert result.quality_cost_monthly == pytest.approx(9_000.0)
        assert result.monthly_savings == 10_500.0  # (12 − 1.5) × 1,000: the headline, unchanged
        assert result.quality_adjusted_monthly_savings == pytest.approx(1_500.0)
        # payback 52,500 / 1,500 = 35 months; net 12 × 1,500 − 40,000 = −22,000
        assert result.quality_adjusted_payback_months == pytest.approx(35.0)
        assert result.quality_adjusted_annual_net_benefit == pytest.approx(-22_000.0)
        assert result.quality_adjusted_verdict == "do not distill"
        assert result.verdict == "marginal"  # 52,500 / 10,500 = 5 months, flat

    def test_zero_when_no_slice_drops(self):
        """No slice drops: the cost is 0 and the adjusted figures are the headline's exactly."""
        slices = (
            QualitySlice("a", True, 0.9, 0.9, 0.0, traffic_share=0.5),
            QualitySlice("b", False, 0.8, 0.85, 0.0, traffic_share=0.5),
        )
        result = evaluate(Case(**BASE, cost_per_error=100.0, quality_slices=slices))
        assert result.quality_cost_monthly == 0.0
        assert result.quality_adjusted_monthly_savings == result.monthly_savings
        assert result.quality_adjusted_payback_months == result.payback_months
        assert result.quality_adjusted_verdict == result.verdict == "strong"
        assert not any(flag.code == "quality_cost" for flag in result.flags)

    def test_do_not_distill_while_the_headline_is_strong(self):
        """0.5 × 0.05 × 2,000,000 × 1.00 = 50,000 a month of errors against 21,000 saved: the
        headline stays strong, the adjusted verdict is do not distill, and it says why."""
        slices = (QualitySlice("Refunds", False, 0.95, 0.90, 0.10, traffic_share=0.5),)
        result = evaluate(Case(**BASE, cost_per_error=1.0, quality_slices=slices))
        assert result.verdict == "strong"
        assert result.quality_cost_monthly == pytest.approx(50_000.0)
        assert result.quality_adjusted_verdict == "do not distill"
        assert math.isinf(result.quality_adjusted_payback_months)
        assert [flag.code for flag in result.flags] == ["quality_cost"]
        assert "worse answers cost more than the compute saved" in recommendation(result).lower()
        text = pitch(result)
        assert text.startswith("# Distillation case: strong")
        assert "No ask." in text
        assert result.to_dict()["quality_adjusted_payback_months"] is None

    def test_unknown_traffic_share_is_not_guessed(self):
        """A dropping slice without a traffic share: no total, and both notes say why."""
        slices = (
            QualitySlice("a", False, 0.9, 0.8, 0.2, traffic_share=0.2),
            QualitySlice("b", False, 0.9, 0.8, 0.2),
        )
        result = evaluate(Case(**BASE, cost_per_error=1.0, quality_slices=slices))
        assert math.isnan(result.quality_cost_monthly)
        assert (
            "traffic share unknown" in result.quality_cost_note
            and "'b'" in result.quality_cost_note
        )
        assert result.quality[1].quality_cost_note == "traffic share unknown: not computed"
        assert result.quality_adjusted_verdict is None
        assert "not computed" in pitch(result)

    def test_no_cost_per_error_is_not_computed(self):
        """A case that says nothing about the cost of an error: nan, with the reason."""
        result = evaluate(example_case())
        assert math.isnan(result.quality_cost_monthly)
        assert result.quality_cost_note == "not computed: the case gives no cost per error"
        assert result.to_dict()["quality_cost_monthly"] is None


class TestLatency:
    def test_p95_in_the_upside_never_in_the_headline(self):
        """P95s and the latency value appear in the upside section; the headline is unchanged."""
        plain = evaluate(Case(**BASE))
        fast = evaluate(
            Case(**BASE, teacher_p95_ms=1200, student_p95_ms=150, monthly_latency_value=500)
        )
        assert (fast.monthly_savings, fast.payback_months, fast.annual_net_benefit) == (
            plain.monthly_savings,
            plain.payback_months,
            plain.annual_net_benefit,
        )
        upside = pitch(fast).split("## Upside")[1]
        assert "teacher 1,200 ms, student 150 ms (8.0× faster)" in upside  # 1,200 / 150 = 8
        assert "USD 500 a month" in upside


OLD_CASE_FILE = """
[volume]
monthly_calls = 2_000_000
[teacher]
cost_per_1k = 12.0
[student]
cost_per_1k = 1.5
[upfront]
total = 52_500
[maintenance]
annual = 40_000
[[quality_slices]]
name = "Refunds"
business_critical = true
teacher_score = 95
student_score = 94
allowed_drop = 2
"""


class TestOldCases:
    def test_a_case_file_from_before_gives_todays_numbers(self, tmp_path):
        """A case file without the new tables (scores on a 0–100 scale) reads as before: savings
        21,000, payback 2.5, net 212,000, strong; discounted at 0 %."""
        path = tmp_path / "old.toml"
        path.write_text(OLD_CASE_FILE, encoding="utf-8")
        result = evaluate(load_case(path))
        assert (result.monthly_savings, result.payback_months) == (21_000.0, 2.5)
        assert (result.annual_net_benefit, result.verdict) == (212_000.0, "strong")
        assert result.case.discount_rate == 0.0 and result.case.horizon_months == 36
        assert math.isnan(result.quality_cost_monthly)

    def test_the_built_in_example_is_unchanged(self):
        """The built-in example's headline (docstring figures: 10,560 a month, 33,750 upfront,
        defensible) holds, and giving the defaults explicitly changes nothing."""
        result = evaluate(example_case())
        assert (round(result.monthly_savings, 2), result.upfront_cost) == (10_560.0, 33_750.0)
        assert result.verdict == "defensible"
        explicit = evaluate(example_case().replace(discount_rate=0.0, horizon_months=36))
        assert explicit.to_dict() == result.to_dict()


class TestCaseFileKeys:
    def test_new_tables_read(self):
        """[finance], [quality], [upside] P95s and slice keys reach the case."""
        case = case_from_mapping(
            {
                "volume": {"monthly_calls": 1_000_000},
                "teacher": {"cost_per_1k": 12.0},
                "student": {"cost_per_1k": 1.5},
                "upfront": {"total": 52_500},
                "maintenance": {"annual": 40_000},
                "finance": {"discount_rate": 0.08, "horizon_months": 60},
                "quality": {"cost_per_error": 2.0},
                "upside": {"teacher_p95_ms": 900, "student_p95_ms": 120},
                "quality_slices": [
                    {
                        "name": "a",
                        "business_critical": False,
                        "teacher_score": 0.9,
                        "student_score": 0.8,
                        "allowed_drop": 0.2,
                        "traffic_share": 0.1,
                        "cost_per_error": 5.0,
                    }
                ],
            }
        )
        assert (case.discount_rate, case.horizon_months, case.cost_per_error) == (0.08, 60, 2.0)
        assert (case.teacher_p95_ms, case.student_p95_ms) == (900, 120)
        assert case.quality_slices[0].traffic_share == 0.1
        # 0.1 × 0.1 × 1,000,000 × 5 (the slice's own cost) = 50,000
        assert evaluate(case).quality_cost_monthly == pytest.approx(50_000.0)


def _case_with(**changes):
    return Case(**{**BASE, **changes})


class TestBadInput:
    @pytest.mark.parametrize(
        ("changes", "words"),
        [
            ({"discount_rate": -1.0}, "discount_rate must be a share > -1 and ≤ 1"),
            ({"discount_rate": -1.5}, "got -1.5"),
            ({"discount_rate": 10}, "10 means 1,000 % a year; write 0.1 for 10 %"),
            ({"discount_rate": 1.5}, "discount_rate must be a share > -1 and ≤ 1"),
            ({"discount_rate": math.nan}, "discount_rate"),
            ({"horizon_months": 0}, "horizon_months must be a whole number ≥ 1 and ≤ 600"),
            ({"horizon_months": 601}, "got 601"),
            ({"horizon_months": 12.5}, "got 12.5"),
            ({"cost_per_error": -1.0}, "cost_per_error must be a number ≥ 0, got -1"),
            ({"teacher_p95_ms": -5}, "teacher_p95_ms must be a number ≥ 0"),
        ],
    )
    def test_case_inputs(self, changes, words):
        """Each bad finance input is refused with a message naming the field and the value."""
        with pytest.raises(InputError, match=None) as error:
            _case_with(**changes)
        assert words in str(error.value)

    @pytest.mark.parametrize(
        ("slice_changes", "words"),
        [
            ({"traffic_share": -0.1}, "traffic_share of slice 'a' must be a share ≥ 0 and ≤ 1"),
            ({"traffic_share": 1.5}, "got 1.5"),
            ({"cost_per_error": -2}, "cost_per_error of slice 'a' must be a number ≥ 0, got -2"),
            (
                {"traffic_share": 0.1, "teacher_score": 95, "student_score": 90},
                "teacher_score of slice 'a' must be an accuracy from 0 to 1",
            ),
        ],
    )
    def test_slice_inputs(self, slice_changes, words):
        """A bad traffic share, cost per error or an accuracy above 1 is refused by name."""
        fields = {
            "name": "a",
            "business_critical": False,
            "teacher_score": 0.9,
            "student_score": 0.8,
            "allowed_drop": 0.2,
            **slice_changes,
        }
        with pytest.raises(InputError) as error:
            QualitySlice(**fields)
        assert words in str(error.value)

    def test_shares_above_all_calls(self):
        """Traffic shares adding up to 1.2 are refused: more than all the calls."""
        slices = (
            QualitySlice("a", False, 0.9, 0.8, 0.2, traffic_share=0.6),
            QualitySlice("b", False, 0.9, 0.8, 0.2, traffic_share=0.6),
        )
        with pytest.raises(InputError, match=r"add up to at most 1 \(all calls\), got 1.2"):
            _case_with(quality_slices=slices)

    def test_case_file_names_the_key(self):
        """In a case file the refusal names the table and key as written."""
        data = {
            "volume": {"monthly_calls": 1},
            "teacher": {"cost_per_1k": 2.0},
            "student": {"cost_per_1k": 1.0},
            "upfront": {"total": 1},
            "maintenance": {"annual": 0},
            "finance": {"horizon_months": 0},
        }
        with pytest.raises(CaseFileError, match=r"my.toml: \[finance\] horizon_months must be"):
            case_from_mapping(data, "my.toml")
        data["finance"] = {"discount_rate": "10%"}
        with pytest.raises(CaseFileError, match=r"\[finance\] discount_rate must be a number"):
            case_from_mapping(data, "my.toml")

    def test_cli_exits_2_without_a_traceback(self, tmp_path, capsys):
        """`xl-roi pitch` on a case with 10 for 10 % prints one line and exits 2."""
        from xl_roi.cli import main

        path = tmp_path / "case.toml"
        path.write_text(OLD_CASE_FILE + "\n[finance]\ndiscount_rate = 10\n", encoding="utf-8")
        assert main(["pitch", str(path)]) == 2
        err = capsys.readouterr().err
        assert "[finance] discount_rate" in err and "write 0.1 for 10 %" in err
        assert "Traceback" not in err


class TestSensitivityAndSimulation:
    def test_cost_per_error_row_by_hand(self):
        """The three-slice case's cost-per-error row, ±50 % of 2.00. Own-cost slice: 0.05 × 0.01
        × 1e6 × 10 = 5,000; per 1.00 of error cost: 0.10 × 0.02 × 1e6 = 2,000. At 1.00:
        10,500 − 7,000 = 3,500 a month → payback 15 months, net 42,000 − 40,000 = 2,000. At
        3.00: 10,500 − 11,000 < 0 → never, net −46,000. Break-evens: (10,500 − 5,000 −
        52,500 / 12) / 2,000 = 0.5625; (10,500 − 5,000 − 40,000 / 12) / 2,000 = 1.0833."""
        from xl_roi._sensitivity import COST_PER_ERROR_LABEL, sensitivity

        table = sensitivity(three_slices())
        row = table[table.kind == "quality"].iloc[0]
        assert row.assumption == COST_PER_ERROR_LABEL
        assert (row.low, row.base, row.high) == (1.0, 2.0, 3.0)
        assert row.payback_low == pytest.approx(15.0)
        assert math.isinf(row.payback_high)
        assert (row.net_low, row.net_high) == pytest.approx((2_000.0, -46_000.0))
        assert row.breakeven_payback == pytest.approx(0.5625)
        assert row.breakeven_net == pytest.approx(6_500 / 6_000)
        # the headline rows do not move with it: the same as the case without the quality cost
        plain = sensitivity(Case(**{**BASE, "monthly_calls": 1_000_000}))
        assert table[table.kind != "quality"].reset_index(drop=True).equals(plain)

    def test_no_row_without_a_computed_quality_cost(self):
        """The built-in example gives no cost per error: its table has no quality row."""
        from xl_roi._sensitivity import sensitivity

        assert "quality" not in set(sensitivity(example_case()).kind)

    def test_cli_says_what_the_row_moves(self, tmp_path, capsys):
        """`xl-roi sensitivity` names the row and says it moves only the adjusted figures."""
        from xl_roi.cli import main

        path = tmp_path / "case.toml"
        path.write_text(
            OLD_CASE_FILE.replace("teacher_score = 95", "teacher_score = 0.95")
            .replace("student_score = 94", "student_score = 0.94")
            .replace("allowed_drop = 2", "allowed_drop = 0.02\ntraffic_share = 0.5")
            + "\n[quality]\ncost_per_error = 1.0\n",
            encoding="utf-8",
        )
        assert main(["sensitivity", str(path)]) == 0
        out = capsys.readouterr().out
        assert "Cost per error (quality-adjusted): moves only the quality-adjusted figures" in out

    def test_simulate_draws_cost_per_error(self):
        """With the swing at 0 every draw is the case: the adjusted chances are the case's own
        (three slices: adjusted payback 35 months > 12, net −22,000 < 0: both 0)."""
        from xl_roi.simulation import simulate

        result = simulate(three_slices(), draws=1_000, swing=0.0)
        assert result.ranges["cost_per_error"] == (2.0, 2.0, 2.0)
        assert result.p_quality_adjusted_payback_within_target == 0.0
        assert result.p_quality_adjusted_net_benefit_positive == 0.0
        assert result.quality_adjusted_payback_p50 == pytest.approx(35.0)
        assert result.quality_adjusted_net_benefit_p50 == pytest.approx(-22_000.0)
        cheap = simulate(
            three_slices(), draws=1_000, swing=0.0, ranges={"cost_per_error": (0, 0, 0)}
        )
        # with errors free, only the own-cost slice counts: 10,500 − 5,000 = 5,500 a month
        assert cheap.quality_adjusted_payback_p50 == pytest.approx(52_500 / 5_500)

    def test_simulate_without_quality_cost_is_null_in_json(self):
        """The example has no cost per error: the adjusted figures are null, the rest as before."""
        from xl_roi.simulation import simulate

        data = simulate(example_case(), draws=100).to_dict()
        assert data["p_quality_adjusted_net_benefit_positive"] is None
        assert "cost_per_error" not in data["ranges"]

    def test_drawing_cost_per_error_needs_the_cost(self):
        """A range for cost_per_error on a case without one is refused, naming it."""
        from xl_roi.simulation import simulate

        with pytest.raises(InputError, match="cost_per_error can be drawn only"):
            simulate(example_case(), draws=10, ranges={"cost_per_error": (1, 2, 3)})
        with pytest.raises(InputError, match="uncertainty: cost_per_error needs"):
            example_case().replace(uncertainty=(("cost_per_error", 1, 2, 3),))


class TestPitchFaces:
    def test_npv_beside_the_payback(self):
        """The payback section says what the case is worth today: −52,500 + 36 × 17,666.67 =
        583,500 at 0 %; discounted payback 52,500 / 17,666.67 = 3.0 months."""
        text = pitch(evaluate(Case(**BASE)))
        payback = text.split("## 2. The payback")[1].split("## 3.")[0]
        assert (
            "Worth today: NPV **USD 583,500** over 36 months at 0 % (no discounting); "
            "discounted payback 3.0 months (maintenance included)." in payback
        )

    def test_quality_cost_line_and_slice_columns(self):
        """The three-slice case: 9,000 a month of errors, adjusted savings 1,500, payback 35
        months, net −22,000, do not distill; the slice table gives each slice's share and cost."""
        text = pitch(evaluate(three_slices()))
        assert "**USD 9,000 a month**" in text
        assert "savings are USD 1,500 a month, payback 35.0 months" in text
        assert "annual net benefit (USD 22,000): **do not distill**" in text
        assert "| 10.0% | USD 4,000 |" in text and "| 5.0% | USD 5,000 |" in text

    def test_pitch_json_carries_every_new_figure(self, tmp_path, capsys):
        """`xl-roi pitch --json` gives npv, irr, discounted payback, quality figures; nan and
        infinity as null (valid JSON)."""
        import json

        from xl_roi.cli import main

        path = tmp_path / "case.toml"
        path.write_text(
            OLD_CASE_FILE + "\n[finance]\ndiscount_rate = 0.1\nhorizon_months = 12\n",
            encoding="utf-8",
        )
        assert main(["pitch", str(path), "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        # a year at 10 %: −52,500 + 17,666.67 × (1 − 1.1^−1) / 0.0079741 = 148,939
        flows = [-52_500.0] + [21_000.0 - 40_000.0 / 12] * 12
        assert data["npv"] == pytest.approx(npf.npv(1.1 ** (1 / 12) - 1, flows), rel=1e-12)
        assert data["irr"] > 0 and data["discounted_payback_months"] > 2.9717
        assert data["quality_cost_monthly"] is None
        assert data["quality_cost_note"] == "not computed: the case gives no cost per error"
        assert data["quality_adjusted_verdict"] is None
        assert data["case"]["discount_rate"] == 0.1 and data["case"]["horizon_months"] == 12


def test_build_carries_finance_without_a_warning(tmp_path, capsys):
    """`xl-roi build` of a case with [finance] writes it into the workbook and warns of nothing."""
    from xl_roi.cli import main
    from xl_roi.workbook.read import open_workbook, read_case

    path = tmp_path / "case.toml"
    path.write_text(OLD_CASE_FILE + "\n[finance]\ndiscount_rate = 0.1\n", encoding="utf-8")
    assert main(["build", str(path), "-o", str(tmp_path / "out.xlsx")]) == 0
    assert "warning" not in capsys.readouterr().err
    case, _, findings = read_case(open_workbook(tmp_path / "out.xlsx", data_only=False))
    assert case is not None and case.discount_rate == 0.1, findings


def test_a_student_that_saves_nothing_keeps_its_own_reason():
    """Student dearer than the teacher and a quality drop: the reason stays "costs more per
    call", not the cost of worse answers (there are no compute savings to eat)."""
    slices = (QualitySlice("a", False, 0.9, 0.8, 0.2, traffic_share=0.5),)
    result = evaluate(
        Case(**{**BASE, "student_cost_per_1k": 13.0}, cost_per_error=1.0, quality_slices=slices)
    )
    assert not result.quality_cost_exceeds_savings
    assert "costs more per call than the teacher" in recommendation(result)
    assert not any(flag.code == "quality_cost" for flag in result.flags)


def test_pitch_title_and_risk_do_not_contradict_the_cost_of_worse_answers():
    """Refunds: 0.5 × 0.05 × 2,000,000 × 1.00 = 50,000 a month of errors against 21,000 saved,
    every slice within its allowed drop: the title names both verdicts and the risk section
    does not say the trade-off is small."""
    slices = (QualitySlice("Refunds", False, 0.95, 0.90, 0.10, traffic_share=0.5),)
    text = pitch(evaluate(Case(**BASE, cost_per_error=1.0, quality_slices=slices)))
    assert text.splitlines()[0] == (
        "# Distillation case: strong; do not distill once worse answers are counted"
    )
    risk = text.split("## 3.")[1].split("## 4.")[0]
    assert "small quality trade-off" not in risk
    assert "cost more in worse answers than the compute saves" in risk


def test_pitch_title_is_the_headline_when_worse_answers_change_nothing():
    """No slice drops: the cost is 0, the title is the headline verdict alone."""
    slices = (QualitySlice("a", True, 0.9, 0.9, 0.0, traffic_share=0.5),)
    text = pitch(evaluate(Case(**BASE, cost_per_error=100.0, quality_slices=slices)))
    assert text.splitlines()[0] == "# Distillation case: strong"
    assert "small quality trade-off" in text
