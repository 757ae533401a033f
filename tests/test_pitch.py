"""Tests of xl_roi.pitch: the seed's order, plain 'do not distill', the reason given."""

from __future__ import annotations

from tests.cases import SIMPLE
from xl_roi import Case, QualitySlice, evaluate, example_case, pitch


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
    assert "**Recommendation: Do not distill.** The student costs more per call" in text
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
