"""Tests of xl_roi.pitch: the seed's order, plain 'do not distill', the reason given."""

from __future__ import annotations

import re

import pytest

from tests.cases import CONTRACT_REVIEW, SIMPLE
from xl_roi import Case, QualitySlice, evaluate, example_case, pitch
from xl_roi.fields import MONEY_FORMAT, PRICE_FORMAT
from xl_roi.pitch import format_money


def test_sections_in_the_seeds_order():
    """Savings, then payback, then risk and mitigation, then the ask."""
    text = pitch(evaluate(example_case()))
    positions = [
        text.index(heading)
        for heading in (
            "## 1. The savings",
            "## 2. The payback",
            "## 3. The risk and the mitigation",
            "## 4. The ask",
        )
    ]
    assert positions == sorted(positions)


def test_headline_figures_of_the_simple_case():
    """The headline carries the share cut, annual savings, and upfront recovered in months."""
    text = pitch(evaluate(Case(**SIMPLE)))
    assert "by **87.5%**" in text
    assert "**USD 252,000 a year**" in text
    assert "Upfront investment of **USD 52,500**, recovered in **2.5 months**" in text
    assert "Annual net benefit after maintenance: **USD 212,000**" in text


def test_ask_itemises_the_example():
    """The ask names the upfront items and engineer-days, and the maintenance budget."""
    text = pitch(evaluate(example_case()))
    ask = text[text.index("## 4. The ask") :]
    assert "Approve **USD 33,750** upfront" in ask
    assert "engineering USD 20,000 (25 engineer-days at USD 800)" in ask
    assert "**USD 24,000 a year** for maintenance (4 redistillations a year)" in ask


def test_do_not_distill_says_so_with_reason():
    """A student dearer than the teacher: the pitch says do not distill, and why."""
    text = pitch(evaluate(Case(**{**SIMPLE, "student_cost_per_1k": 12.5})))
    assert text.startswith("# Distillation case: do not distill")
    assert "**Recommendation: Do not distill. The student costs more per call" in text
    assert "No ask." in text
    assert "never recovered" in text


def test_maintenance_eating_savings_is_the_reason():
    """Maintenance above the savings: the reason names maintenance."""
    text = pitch(evaluate(Case(**{**SIMPLE, "annual_maintenance": 300_000})))
    assert "Maintenance (USD 300,000 a year) costs at least what the student saves" in text


def test_failing_slice_is_shown_as_failing():
    """A failing slice appears in the risk table as FAIL, with the quality-risk flag."""
    slices = (QualitySlice("Refunds | chargebacks", True, 0.95, 0.90, 0.02),)
    text = pitch(evaluate(Case(**SIMPLE, quality_slices=slices)))
    assert "| Refunds \\| chargebacks | yes | 0.95 | 0.9 | 0.05 | 0.02 | **FAIL** |" in text
    assert "**Quality risk.**" in text


def test_upside_kept_apart():
    """Latency and capability value appear only as upside, not in the savings."""
    with_upside = evaluate(
        Case(**SIMPLE, monthly_latency_value=5_000, annual_new_capability_revenue=100_000)
    )
    text = pitch(with_upside)
    assert "## Upside, not in the numbers above" in text
    assert with_upside.annual_net_benefit == evaluate(Case(**SIMPLE)).annual_net_benefit


def _recommendation_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("**Recommendation:"))


def test_failing_critical_slice_turns_the_recommendation_to_not_yet():
    """Issue 9: a failing business-critical slice changes the first sentence, not only a flag."""
    line = _recommendation_line(pitch(evaluate(CONTRACT_REVIEW)))
    assert line.startswith(
        "**Recommendation: Not yet: the student fails Termination clauses; fix it before funding."
    )
    assert "Distill" not in line


def test_recommendation_says_when_maintenance_pushes_payback_past_the_target():
    """Payback 10.1 months meets the 12-month target; after maintenance 17.7 does not: said."""
    result = evaluate(CONTRACT_REVIEW.replace(quality_slices=()))
    # 2,994 a month growing 5 %: ln(1 + 38,000 × 0.05 / 2,994) / ln 1.05 = 10.07 months; less
    # 2,500 maintenance a month the cumulative net crosses zero at 17.73 (see test_roi)
    assert round(result.payback_months, 1) == 10.1
    assert round(result.payback_after_maintenance_months, 1) == 17.7
    line = _recommendation_line(pitch(result))
    assert line.startswith("**Recommendation: Distill, with care. The case is defensible")
    assert "After maintenance it pays back in 17.7 months, beyond the 12-month target." in line
    # first year: 2,994 × (1.05^12 − 1) / 0.05 − 30,000 − 38,000 = 47,655.88 − 68,000
    assert "The first year nets (USD 20,344) after upfront and maintenance." in line
    # half volume on the same GPU: 38,000 at 694 a month growing 5 % → 27.0 months
    assert "At half the volume payback is 27.0 months" in line


def test_a_clean_case_keeps_the_plain_recommendation():
    """With no flag, the recommendation is the verdict's sentence alone."""
    line = _recommendation_line(pitch(evaluate(Case(**SIMPLE))))
    assert line == (
        "**Recommendation: Distill. The case is strong: payback within a quarter and volume "
        "holds.**"
    )


def test_breakeven_sentence_says_misses_and_names_its_definition():
    """The break-even is the Result's, with growth and whole GPUs named; on whole GPUs it is
    said as the volume from which payback meets the target at every volume (a lower volume
    that fills its GPUs better may pass too), never "below it, payback misses"."""
    result = evaluate(CONTRACT_REVIEW)
    text = pitch(result)
    assert (
        "From 347,249 calls a month up (growing +5.0% a month, as assumed; on whole GPUs), "
        "payback meets the 12-month target at every volume; just below it, payback misses it."
        in text
    )
    assert "Below 347,249" not in text
    assert "passes the" not in text
    assert f"{result.breakeven_monthly_calls:,.0f}" == "347,249"


def test_payback_after_maintenance_beside_payback():
    """The payback section shows payback after maintenance next to payback."""
    text = pitch(evaluate(Case(**SIMPLE)))
    # 52,500 / (21,000 − 3,333.33) = 2.97 months
    assert re.search(
        r"recovered in \*\*2\.5 months\*\* .*\*\*3\.0 months\*\* once maintenance", text
    )


def test_ask_names_the_recurring_bill_and_the_assumed_peak():
    """Self-hosted: the ask adds a year of GPUs (1 × 730 h × 12 × 2.20 = 19,272) to
    maintenance, and names the peak factor the case did not set."""
    result = evaluate(CONTRACT_REVIEW)
    assert result.annual_serving_cost == 1 * 730 * 12 * 2.20
    ask = pitch(result)[pitch(result).index("## 4. The ask") :]
    assert "**USD 30,000 a year** for maintenance (6 redistillations a year)" in ask
    assert "**USD 19,272 a year** of GPU serving (1 GPU × 730 hours × 12 × USD 2.20 an hour)" in ask
    assert "peak of 1.5 × the average traffic (assumed: the case does not set it)" in ask
    assert "60% target load;" in ask  # set by the case: no "assumed"
    assert CONTRACT_REVIEW.monthly_growth > 0  # growing: today's GPUs are not the whole story
    assert "an hour) at today's volume (as it grows, GPUs are added" in ask
    flat = pitch(evaluate(CONTRACT_REVIEW.replace(monthly_growth=0.0)))
    assert "at today's volume" not in flat


def test_no_upfront_cost_has_no_breakeven_volume():
    """With nothing to recover the pitch names no volume below which payback misses."""
    text = pitch(evaluate(Case(**{**SIMPLE, "upfront_cost": 0})))
    assert "payback is immediate at any volume" in text
    assert "Below 0 calls" not in text


def test_breakeven_sentence_per_call_student_says_below_misses():
    """For a student priced per call, payback only improves with volume: "below X, payback
    misses the target" is the whole truth."""
    text = pitch(evaluate(Case(**SIMPLE)))
    result = evaluate(Case(**SIMPLE))
    assert (
        f"Below {result.breakeven_monthly_calls:,.0f} calls a month, payback misses the "
        "12-month target." in text
    )


def _as_formatted(number_format: str, amount: float) -> str:
    """What a spreadsheet shows for ``amount`` under ``number_format`` (a positive section
    ``#,##0`` or ``#,##0.00``, a negative one around the absolute value, colours dropped)."""
    sections = number_format.split(";")
    section = sections[1] if amount < 0 and len(sections) > 1 else sections[0]
    section = re.sub(r"\[[A-Za-z]+\]", "", section)
    digits = f"{abs(amount):,.2f}" if "0.00" in section else f"{abs(amount):,.0f}"
    return section.replace("#,##0.00" if "0.00" in section else "#,##0", digits)


@pytest.mark.parametrize("amount", [-58_625.0, -33_750.4, -1.0, 0.0, 12_345.0])
def test_negative_money_reads_the_same_in_the_pitch_and_the_workbook(amount):
    """A loss reads in brackets, as finance readers expect: the CLI's ``(EUR 58,625)`` is the
    workbook's ``(58,625)`` under its EUR unit, and a gain has no brackets anywhere."""
    text = format_money(amount, "EUR")
    shown = _as_formatted(MONEY_FORMAT, amount)
    assert text.replace("EUR ", "") == shown
    assert (text.startswith("(") and text.endswith(")")) == (amount < 0 and round(amount) != 0)
    assert MONEY_FORMAT.split(";")[1].startswith("[Red]")  # and in red on the sheet
    assert _as_formatted(PRICE_FORMAT, -0.46) == "(0.46)"


def test_cli_sensitivity_writes_a_loss_in_brackets(tmp_path, capsys):
    """A case that loses money (maintenance 300,000 a year against 21,000 × 12 = 252,000 saved:
    −48,000 a year at base) is shown in brackets on the sensitivity command's lines too."""
    from xl_roi.cli import main

    case = tmp_path / "upkeep.toml"
    case.write_text(
        'name = "Heavy upkeep"\n[volume]\nmonthly_calls = 2_000_000\n[teacher]\n'
        "cost_per_1k = 12.0\n[student]\ncost_per_1k = 1.5\n[upfront]\ntotal = 52_500\n"
        "[maintenance]\nannual = 300_000\n",
        encoding="utf-8",
    )
    assert main(["sensitivity", str(case)]) == 0
    out = capsys.readouterr().out
    assert "(USD 48,000)" in out
    assert "USD -" not in out and "-USD" not in out


def test_half_volume_is_the_first_stress_test_never_called_load_bearing_outright():
    """The risk section gives the half-volume payback as the first stress test without calling
    volume the load-bearing assumption (the sensitivity's tornado ranks them, and the deck's
    tornado once named another while the pitch said volume); where worse answers cost more
    than the compute saved, it says the test is on compute alone."""
    from tests.cases import WORKBOOK_CASES

    worse = evaluate(WORKBOOK_CASES["worse answers"])
    assert worse.quality_cost_exceeds_savings
    text = pitch(worse)
    assert "On compute alone, at half the volume (the first stress test), payback is" in text
    plain = pitch(evaluate(example_case()))
    assert "\nAt half the volume (the first stress test), payback is 6.1 months." in plain
    assert "load-bearing" not in plain + text and "On compute alone" not in plain
