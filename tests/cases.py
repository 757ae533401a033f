"""Cases the tests share: DESIGN.md's simplest case, and the cases the workbook tests build,
each exercising a different path through the template."""

from __future__ import annotations

from xl_roi import Case, QualitySlice, evaluate, example_case

SIMPLE = dict(  # DESIGN.md's simplest case: 21,000 a month, 2.5 months, strong
    monthly_calls=2_000_000,
    teacher_cost_per_1k=12.0,
    student_cost_per_1k=1.5,
    upfront_cost=52_500,
    annual_maintenance=40_000,
)

CONTRACT_REVIEW = Case(  # issue 9's self-hosted case: 1 GPU, 5 % growth, a failing critical slice
    name="Contract review",
    monthly_calls=400_000,
    monthly_growth=0.05,
    input_tokens_per_call=3_000,
    output_tokens_per_call=400,
    teacher_input_price_per_million=2.50,
    teacher_output_price_per_million=10.00,
    gpu_hourly_cost=2.20,
    calls_per_second_per_gpu=12,
    target_utilization=0.6,
    corpus_examples=200_000,
    training_compute=1_500,
    evaluation_days=8,
    engineering_days=30,
    day_rate=900,
    redistillations_per_year=6,
    redistillation_cost=5_000,
    quality_slices=(QualitySlice("Termination clauses", True, 0.95, 0.88, 0.03),),
)
"""Teacher 1000 × (3,000 × 2.50 + 400 × 10.00) / 1e6 = 11.50 per 1k; one GPU 2.20 × 730 = 1,606
a month; savings 11.50 × 400 − 1,606 = 2,994 a month; upfront 2,300 + 1,500 + 7,200 + 27,000 =
38,000; maintenance 30,000 a year."""

WORKBOOK_CASES = {
    # itemised upfront, token prices, 2 % growth, three passing slices
    "example": example_case(),
    # student cheaper, but maintenance eats the savings: annual net benefit < 0
    "do not distill": Case(**{**SIMPLE, "annual_maintenance": 300_000}, name="Heavy upkeep"),
    # student dearer than the teacher: never pays back
    "never pays back": Case(**{**SIMPLE, "student_cost_per_1k": 12.5}, name="Dearer student"),
    # self-hosted student on whole GPUs, escalation, a failing business-critical slice
    "self-hosted": Case(
        name="Self-hosted router",
        monthly_calls=40_000_000,
        teacher_cost_per_1k=1.2,
        gpu_hourly_cost=2.5,
        calls_per_second_per_gpu=25,
        target_utilization=0.6,
        peak_factor=2.0,
        escalation_share=0.03,
        corpus_examples=1_000_000,
        training_compute=4_000,
        engineering_time=30_000,
        evaluation_build=9_000,
        redistillations_per_year=6,
        redistillation_cost=3_000,
        quality_slices=(
            QualitySlice("Refunds", True, 0.95, 0.90, 0.02),
            QualitySlice("Small talk", False, 0.80, 0.81, 0.05),
        ),
    ),
    # shrinking volume that never recovers the upfront cost, direct figures, upside
    "shrinking": Case(
        **{**SIMPLE, "upfront_cost": 400_000},
        monthly_growth=-0.08,
        monthly_latency_value=2_000,
        annual_new_capability_revenue=50_000,
        name="Shrinking endpoint",
    ),
    # issue 9's case: self-hosted, growing, payback and payback after maintenance straddle 12
    "contract review": CONTRACT_REVIEW,
    # growing volume, case name that would be a formula, odd text in a slice
    "growing": Case(
        **SIMPLE,
        monthly_growth=0.05,
        name='=HYPERLINK("http://evil","x")',
        currency="EUR",
        quality_slices=(QualitySlice("+SUM(1,1)", True, 0.9, 0.89, 0.02),),
    ),
}

DISCOUNTED_COSTED = Case(  # issue 12's figures in the workbook: every new input filled in
    **SIMPLE,
    name="Discounted, costed",
    discount_rate=0.10,
    horizon_months=24,
    cost_per_error=4.0,
    teacher_p95_ms=900,
    student_p95_ms=120,
    quality_slices=(
        QualitySlice("Billing", False, 0.94, 0.92, 0.03, traffic_share=0.10),
        QualitySlice("Chat", False, 0.86, 0.91, 0.05, traffic_share=0.60, cost_per_error=1.0),
    ),
)
"""Quality cost 0.10 × (0.94 − 0.92) × 2,000,000 × 4 = 16,000 a month (Chat improves: 0);
adjusted savings 21,000 − 16,000 = 5,000; payback 52,500 / 5,000 = 10.5 months; net
12 × 5,000 − 40,000 = 20,000 a year: marginal (flat volume, within a year)."""

WORSE_ANSWERS = DISCOUNTED_COSTED.replace(name="Worse answers", cost_per_error=12.0)
"""Quality cost 0.10 × 0.02 × 2,000,000 × 12 = 48,000 a month against 21,000 saved: the
headline is strong (2.5 months), the quality-adjusted verdict do not distill."""

WORKBOOK_CASES["discounted, costed"] = DISCOUNTED_COSTED
WORKBOOK_CASES["worse answers"] = WORSE_ANSWERS


def just_below(case: Case, volume: float) -> float:
    """A volume just below ``volume`` served by the same whole GPUs: 1e-9 below it, or half
    way to the GPU step beneath when that is nearer (the gap that fails can be a few calls)."""
    from xl_roi.costs import SECONDS_PER_MONTH

    per_gpu = (
        case.calls_per_second_per_gpu
        * case.target_utilization
        * SECONDS_PER_MONTH
        / case.peak_factor
    )
    gpus = evaluate(case.replace(monthly_calls=volume)).gpus
    step = per_gpu * (gpus - 1)
    return volume - min(1e-9 * volume, (volume - step) / 2)
