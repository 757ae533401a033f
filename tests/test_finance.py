"""Tests of xl_roi.finance: monthly cash flows, NPV, IRR and discounted payback."""

from __future__ import annotations

import math

import numpy_financial as npf
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.strategies import money, monthly_growth, positive_money
from xl_roi.errors import InputError
from xl_roi.finance import (
    PAYBACK_SEARCH_MONTHS,
    discounted_payback_months,
    irr_annual,
    monthly_cash_flows,
    monthly_discount_rate,
    npv,
)

rates = st.floats(min_value=0.0, max_value=0.5, allow_nan=False)
positive_rates = st.floats(min_value=1e-4, max_value=0.5, allow_nan=False)
horizons = st.integers(min_value=1, max_value=120)


def _annuity_npv(upfront: float, net_a_month: float, annual_rate: float, months: int) -> float:
    """NPV of a flat net cash a month by the annuity formula, written independently."""
    r = (1 + annual_rate) ** (1 / 12) - 1
    if r == 0:
        return -upfront + net_a_month * months
    return -upfront + net_a_month * (1 - (1 + r) ** -months) / r


class TestMonthlyDiscountRate:
    @pytest.mark.parametrize(
        ("annual", "monthly"),
        [
            (0.0, 0.0),
            (0.10, 1.1 ** (1 / 12) - 1),  # 0.797 % a month
            (0.2682417945625455, 0.02),  # 1.02 ** 12 − 1: two percent a month
            (-0.5, 0.5 ** (1 / 12) - 1),
        ],
    )
    def test_twelve_months_compound_to_the_annual_rate(self, annual: float, monthly: float) -> None:
        """The monthly rate is the twelfth root of one plus the annual rate, less one."""
        assert monthly_discount_rate(annual) == pytest.approx(monthly, rel=1e-12, abs=1e-15)

    @pytest.mark.parametrize("annual", [-1.0, -1.5, math.nan, math.inf, "10%", None])
    def test_impossible_rates_are_refused(self, annual: object) -> None:
        """A rate of −100 % or less, NaN, infinity or text names discount_rate."""
        with pytest.raises(InputError, match="discount_rate"):
            monthly_discount_rate(annual)  # type: ignore[arg-type]

    def test_a_percentage_typed_as_a_number_gets_the_fix(self) -> None:
        """8 (meant 8 %) is refused with the fix in the message."""
        with pytest.raises(InputError, match=r"write 0\.08 for 8 %"):
            monthly_discount_rate(8)


class TestMonthlyCashFlows:
    def test_hand_worked_schedule(self) -> None:
        """Month 0 pays the upfront; each month saves with growth, less a twelfth of maintenance."""
        # 1,000 upfront; 100 then +10 % a month; 120 a year maintenance = 10 a month.
        flows = monthly_cash_flows(1000, 100, 120, monthly_growth=0.10, horizon_months=3)
        assert flows.tolist() == pytest.approx([-1000, 90, 100, 111], rel=1e-12)

    @pytest.mark.parametrize("months", [0, -1, 601, 12.5, math.nan, "36"])
    def test_bad_horizons_are_refused(self, months: object) -> None:
        """A horizon must be a whole number of months from 1 to 600."""
        with pytest.raises(InputError, match="horizon_months"):
            monthly_cash_flows(1000, 100, 0, horizon_months=months)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("field", "kwargs"),
        [
            ("upfront_cost", {"upfront_cost": -1}),
            ("annual_maintenance", {"annual_maintenance": -1}),
            ("monthly_growth", {"monthly_growth": -1}),
            ("monthly_savings", {"monthly_savings": math.nan}),
        ],
    )
    def test_bad_inputs_name_their_field(self, field: str, kwargs: dict[str, float]) -> None:
        """Every refused input is named in the message."""
        args = {"upfront_cost": 1000.0, "monthly_savings": 100.0, "annual_maintenance": 0.0}
        args.update(kwargs)
        with pytest.raises(InputError, match=field):
            monthly_cash_flows(**args)


class TestNpv:
    @pytest.mark.parametrize(
        ("upfront", "savings", "maintenance", "rate", "months", "expected"),
        [
            # −52,500 + 12 × (21,000 − 40,000 / 12) = 159,500
            (52_500, 21_000, 40_000, 0.0, 12, 159_500.0),
            # −1,000 + 1,050 / 1.05 at 5 % a month (79.59 % a year) = 0
            (1000, 1050, 0, 1.05**12 - 1, 1, 0.0),
            # nothing spent, nothing saved
            (0, 0, 0, 0.1, 36, 0.0),
        ],
    )
    def test_hand_worked(
        self,
        upfront: float,
        savings: float,
        maintenance: float,
        rate: float,
        months: int,
        expected: float,
    ) -> None:
        """Small cases worked by hand."""
        assert npv(upfront, savings, maintenance, rate, months) == pytest.approx(expected, abs=1e-6)

    @given(money, positive_money, money, rates, horizons)
    def test_equals_the_annuity_formula_at_flat_volume(
        self, upfront: float, savings: float, maintenance: float, rate: float, months: int
    ) -> None:
        """At flat volume the NPV is the textbook annuity, computed independently."""
        expected = _annuity_npv(upfront, savings - maintenance / 12, rate, months)
        got = npv(upfront, savings, maintenance, rate, months)
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-6 * (upfront + savings * months))

    @given(money, positive_money, money, monthly_growth, horizons)
    def test_at_zero_rate_it_is_the_plain_cumulative_net(
        self, upfront: float, savings: float, maintenance: float, growth: float, months: int
    ) -> None:
        """At 0 %, NPV over h months is −upfront + the growing savings sum − h × maintenance/12."""
        saved = savings * ((1 + growth) ** months - 1) / growth if growth else savings * months
        expected = -upfront + saved - months * maintenance / 12
        scale = upfront + abs(saved) + months * maintenance
        got = npv(upfront, savings, maintenance, 0.0, months, monthly_growth=growth)
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-9 * scale + 1e-9)

    @given(money, positive_money, st.floats(min_value=0, max_value=0.5), positive_rates, horizons)
    def test_falls_as_the_rate_rises(
        self, upfront: float, savings: float, growth: float, rate: float, months: int
    ) -> None:
        """With every month saving money, a higher discount rate never raises the NPV."""
        lower = npv(upfront, savings, 0.0, rate / 2, months, monthly_growth=growth)
        higher = npv(upfront, savings, 0.0, rate, months, monthly_growth=growth)
        assert higher <= lower + 1e-9 * abs(lower)

    def test_matches_numpy_financial_and_excel_convention(self) -> None:
        """Checked against numpy_financial.npv, and against Excel's NPV(rate, months 1…h) + month 0.

        Excel's NPV discounts its first value one period: ``=NPV(r, B2:B37) + B1`` is our NPV.
        """
        flows = monthly_cash_flows(33_750, 10_560, 24_000, 0.02, 36)
        r = monthly_discount_rate(0.08)
        excel_style = sum(c / (1 + r) ** (m + 1) for m, c in enumerate(flows[1:])) + flows[0]
        ours = npv(33_750, 10_560, 24_000, 0.08, 36, monthly_growth=0.02)
        assert ours == pytest.approx(float(npf.npv(r, flows)), rel=1e-12)
        assert ours == pytest.approx(excel_style, rel=1e-12)


class TestIrr:
    def test_one_month_ten_percent(self) -> None:
        """Pay 1,000, get 1,100 a month later: 10 % a month, 1.1^12 − 1 a year."""
        assert irr_annual(1000, 1100, 0, horizon_months=1) == pytest.approx(1.1**12 - 1)

    @given(positive_money, st.floats(min_value=0.001, max_value=1.0), horizons)
    def test_npv_at_the_irr_is_zero(self, upfront: float, share: float, months: int) -> None:
        """Discounting at the IRR (checked with numpy_financial.npv) leaves nothing."""
        assume(months * share >= 0.5)  # returns below −50 % over the whole horizon: no test
        savings = upfront * share  # payback from one month to a thousand
        annual = irr_annual(upfront, savings, 0.0, horizon_months=months)
        if months * share > 1:  # the savings exceed the upfront: a positive rate must exist
            assert annual > 0
        if math.isnan(annual):  # a deeply negative rate numpy_financial did not find
            return
        monthly = (1 + annual) ** (1 / 12) - 1
        flows = monthly_cash_flows(upfront, savings, 0.0, horizon_months=months)
        assert float(npf.npv(monthly, flows)) == pytest.approx(0.0, abs=1e-6 * upfront)

    @pytest.mark.parametrize(
        ("upfront", "savings", "maintenance"),
        [
            (0, 100, 0),  # nothing spent: every flow ≥ 0
            (1000, 50, 1200),  # savings never cover maintenance: every flow ≤ 0
            (0, 0, 0),
        ],
    )
    def test_no_sign_change_no_rate(
        self, upfront: float, savings: float, maintenance: float
    ) -> None:
        """Without a change of sign no rate exists, and the answer is NaN, never a number."""
        assert math.isnan(irr_annual(upfront, savings, maintenance))


class TestDiscountedPayback:
    @given(positive_money, positive_money, money)
    def test_at_zero_rate_flat_it_is_payback_after_maintenance(
        self, upfront: float, savings: float, maintenance: float
    ) -> None:
        """At 0 % and flat volume: upfront ÷ (savings − maintenance / 12), or never."""
        net = savings - maintenance / 12
        expected = upfront / net if net > 0 else math.inf
        if expected > PAYBACK_SEARCH_MONTHS:
            expected = math.inf
        got = discounted_payback_months(upfront, savings, maintenance, 0.0)
        assert got == pytest.approx(expected, rel=1e-9)

    @given(positive_money, positive_money, st.floats(min_value=0, max_value=0.2), positive_rates)
    def test_discounting_never_shortens_it(
        self, upfront: float, savings: float, growth: float, rate: float
    ) -> None:
        """Any positive rate gives a payback at least as long as at 0 %."""
        plain = discounted_payback_months(upfront, savings, 0.0, 0.0, monthly_growth=growth)
        discounted = discounted_payback_months(upfront, savings, 0.0, rate, monthly_growth=growth)
        assert discounted >= plain * (1 - 1e-12)

    def test_nothing_to_pay_back(self) -> None:
        """No upfront: paid back at once, whatever the savings."""
        assert discounted_payback_months(0, -5, 100, 0.1) == 0.0

    def test_never_when_maintenance_eats_the_savings(self) -> None:
        """Savings 3,000 a month against 40,000 a year of maintenance never pay back."""
        assert discounted_payback_months(52_500, 3_000, 40_000, 0.1) == math.inf

    def test_interpolates_within_the_month(self) -> None:
        """At 0 %: −1,000 then 400 a month crosses zero half-way through month 3."""
        assert discounted_payback_months(1000, 400, 0, 0.0) == pytest.approx(2.5)

    def test_shrinking_volume_that_never_gets_there(self) -> None:
        """Savings halving each month sum to less than twice the first month: never."""
        assert discounted_payback_months(1000, 400, 0, 0.0, monthly_growth=-0.5) == math.inf
