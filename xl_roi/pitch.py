"""The pitch: the case in the order a decision-maker reads it.

The order: the savings, annualised, and the cut in inference spend; the payback; the risk
and its mitigation (slice-based quality evidence); the ask. When the numbers say no, it says
"do not distill" plainly, with the reason.
"""

from __future__ import annotations

import math

from xl_roi.bounds import BOUNDS, unusual_inputs
from xl_roi.case import Case
from xl_roi.evaluation import Result
from xl_roi.recommendation import (
    RECOMMENDATION,
    WORSE_ANSWERS_COST_MORE,
    format_money,
    format_months,
    format_price,
    payback_phrase,
    recommendation_from_figures,
    worse_answers_sentence,
)
from xl_roi.verdict import DO_NOT_DISTILL

__all__ = [
    "ONCE_WORSE_ANSWERS_COUNTED",
    "RECOMMENDATION",
    "WORSE_ANSWERS_COST_MORE",
    "breakeven_sentence",
    "format_money",
    "format_months",
    "latency_words",
    "pitch",
    "pitch_sections",
    "pitch_title",
    "recommendation",
    "recommendation_from_figures",
    "worse_answers_sentence",
]

ONCE_WORSE_ANSWERS_COUNTED = " once worse answers are counted"
"""Follows the quality-adjusted verdict in the title when it differs from the headline's."""


def recommendation(result: Result) -> str:
    """The sentence a decision-maker reads first (:attr:`xl_roi.evaluation.Result.recommendation`).

    Examples
    --------
    >>> from xl_roi import Case, evaluate
    >>> recommendation(evaluate(Case(monthly_calls=2_000_000, teacher_cost_per_1k=12.0,
    ...     student_cost_per_1k=1.5, upfront_cost=52_500, annual_maintenance=40_000)))
    'Distill. The case is strong: payback within a quarter and volume holds.'
    """
    return result.recommendation


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _unusual_inputs_section(result: Result) -> list[str]:
    """Inputs within their bounds but unusual enough to check before relying on the figures."""
    values = {name: getattr(result.case, name) for name in BOUNDS if hasattr(result.case, name)}
    unusual = unusual_inputs(values)
    if not unusual:
        return []
    return [f"> **Check this input:** {sentence}" for _, sentence in unusual] + [""]


def _savings_section(result: Result) -> list[str]:
    case = result.case
    currency = case.currency
    lines = ["## 1. The savings", ""]
    if result.monthly_savings > 0:
        lines.append(
            f"This reduces inference spend on this endpoint by **{result.savings_share:.1%}**: "
            f"**{format_money(result.annual_savings, currency)} a year** "
            f"({format_money(result.monthly_savings, currency)} a month at "
            f"{case.monthly_calls:,.0f} calls a month)."
        )
    else:
        lines.append(
            f"The student saves nothing: {format_money(result.monthly_savings, currency)} a month "
            f"at {case.monthly_calls:,.0f} calls a month."
        )
    lines += [
        "",
        "Annual net benefit after maintenance: "
        f"**{format_money(result.annual_net_benefit, currency)}**"
        f" (12 × monthly savings − {format_money(result.annual_maintenance, currency)} "
        "maintenance a year).",
    ]
    lines += _quality_cost_lines(result)
    return lines


def _asks_quality_cost(case: Case) -> bool:
    """Whether the case gives any input of the cost of worse answers."""
    return case.cost_per_error is not None or any(
        item.traffic_share is not None or item.cost_per_error is not None
        for item in case.quality_slices
    )


def _quality_cost_lines(result: Result) -> list[str]:
    """The cost of worse answers and the quality-adjusted figures, beside the headline."""
    if not _asks_quality_cost(result.case):
        return []
    currency = result.case.currency
    if math.isnan(result.quality_cost_monthly):
        return ["", f"The cost of worse answers is {result.quality_cost_note}."]
    return [
        "",
        f"The cost of worse answers (the student's quality drop × the calls it touches × the "
        f"cost of an error): **{format_money(result.quality_cost_monthly, currency)} a month**. "
        f"Counting it, savings are "
        f"{format_money(result.quality_adjusted_monthly_savings, currency)} a month, payback "
        f"{format_months(result.quality_adjusted_payback_months)}, annual net benefit "
        f"{format_money(result.quality_adjusted_annual_net_benefit, currency)}: "
        f"**{result.quality_adjusted_verdict}** (the headline above leaves it out).",
    ]


def _worth_today_line(result: Result) -> str:
    """NPV and discounted payback, beside the payback."""
    case = result.case
    rate = f"{case.discount_rate:.1%} a year" if case.discount_rate else "0 % (no discounting)"
    return (
        f"Worth today: NPV **{format_money(result.npv, case.currency)}** over "
        f"{case.horizon_months:g} months at {rate}; discounted payback "
        f"{format_months(result.discounted_payback_months)} (maintenance included)."
    )


def _payback_section(result: Result) -> list[str]:
    case = result.case
    currency = case.currency
    lines = ["", "## 2. The payback", ""]
    upfront = format_money(result.upfront_cost, currency)
    if math.isinf(result.payback_months):
        lines.append(f"Upfront investment of **{upfront}**, **never recovered**.")
    else:
        after = result.payback_after_maintenance_months
        after_text = (
            "never recovered once maintenance is paid"
            if math.isinf(after)
            else f"**{format_months(after)}** once maintenance is paid too"
        )
        lines.append(
            f"Upfront investment of **{upfront}**, recovered in "
            f"**{format_months(result.payback_months)}** from the savings "
            f"(target: {case.target_payback_months:g} months); {after_text}."
        )
    lines += ["", _worth_today_line(result)]
    if case.monthly_growth:
        lines.append(
            f"This assumes volume changes by {case.monthly_growth:+.1%} a month; the first "
            f"year nets {format_money(result.first_year_net, currency)} after upfront and "
            "maintenance."
        )
    if result.is_itemised:
        lines += [
            "",
            "| Upfront item | Amount |",
            "|---|---:|",
            f"| Data generation (teacher labels the corpus) | "
            f"{format_money(result.data_generation_cost, currency)} |",
            f"| Training compute | {format_money(result.training_compute, currency)} |",
            f"| Evaluation build | {format_money(result.evaluation_build, currency)} |",
            f"| Engineering time | {format_money(result.engineering_time, currency)} |",
            f"| **Total** | **{format_money(result.upfront_cost, currency)}** |",
        ]
    return lines


def breakeven_sentence(result: Result) -> str:
    """The break-even volume in words, with its definition: the case's growth, whole GPUs.

    Examples
    --------
    >>> from xl_roi import Case, evaluate
    >>> breakeven_sentence(evaluate(Case(monthly_calls=2_000_000, teacher_cost_per_1k=12.0,
    ...     student_cost_per_1k=1.5, upfront_cost=52_500, annual_maintenance=40_000)))
    'Below 416,667 calls a month, payback misses the 12-month target.'
    """
    case = result.case
    target = f"the {case.target_payback_months:g}-month target"
    if result.upfront_cost == 0:
        return "There is no upfront cost to recover: payback is immediate at any volume."
    if math.isinf(result.breakeven_monthly_calls):
        if result.student_cost_per_1k >= result.teacher_cost_per_1k and not case.is_self_hosted:
            why = "the student costs as much or more per call"
        elif case.is_self_hosted and case.monthly_growth >= 0:
            why = "a fully loaded GPU costs more than the teacher calls it replaces"
        else:
            why = "volume shrinks too fast"
        return f"No volume pays back within {target}: {why}."
    conditions = []
    if case.monthly_growth:
        conditions.append(f"growing {case.monthly_growth:+.1%} a month, as assumed")
    if case.is_self_hosted:
        conditions.append("on whole GPUs")
    condition = f" ({'; '.join(conditions)})" if conditions else ""
    if case.is_self_hosted:  # each GPU added costs a GPU-month: lower volumes may pass too
        return (
            f"From {result.breakeven_monthly_calls:,.0f} calls a month up{condition}, payback "
            f"meets {target} at every volume; just below it, payback misses it."
        )
    return (
        f"Below {result.breakeven_monthly_calls:,.0f} calls a month{condition}, payback misses "
        f"{target}."
    )


def _default_note(case: Case, name: str) -> str:
    """ " (assumed: not set in the case)" when a field still holds its default."""
    if getattr(case, name) == Case.__dataclass_fields__[name].default:
        return " (assumed: the case does not set it)"
    return ""


def _risk_section(result: Result) -> list[str]:
    lines = ["", "## 3. The risk and the mitigation", ""]
    if result.quality:
        failing = [item for item in result.quality if not item.passed]
        if failing:
            lines.append(
                f"The student misses its tolerance on {len(failing)} of {len(result.quality)} "
                "evaluation slices:"
            )
        elif result.quality_cost_monthly >= result.monthly_savings > 0.0:
            lines.append(
                "The student stays within the allowed drop on every slice, yet those drops cost "
                "more in worse answers than the compute saves (the cost of worse answers, above):"
            )
        else:
            lines.append(
                "We accept a small quality trade-off; the slice-based evaluation bounds it. "
                "The student holds quality on every slice:"
            )
        costed = _asks_quality_cost(result.case)
        extra_head = " Share of calls | Cost of worse answers a month |" if costed else ""
        extra_rule = "---:|---:|" if costed else ""
        lines += [
            "",
            f"| Slice | Business-critical | Teacher | Student | Drop | Allowed | Result |"
            f"{extra_head}",
            f"|---|---|---:|---:|---:|---:|---|{extra_rule}",
        ]
        for item in result.quality:
            extra = ""
            if costed:
                share = "unknown" if item.traffic_share is None else f"{item.traffic_share:.1%}"
                cost = (
                    item.quality_cost_note
                    if math.isnan(item.quality_cost_monthly)
                    else format_money(item.quality_cost_monthly, result.case.currency)
                )
                extra = f" {share} | {_cell(cost)} |"
            lines.append(
                f"| {_cell(item.name)} | {'yes' if item.business_critical else 'no'} | "
                f"{item.teacher_score:g} | {item.student_score:g} | {item.drop:g} | "
                f"{item.allowed_drop:g} | {'pass' if item.passed else '**FAIL**'} |{extra}"
            )
    else:
        lines.append(
            "No slice-based evaluation yet: build the frozen evaluation set and its slices "
            "before approval, so the quality trade-off is bounded, not feared."
        )
    breakeven = breakeven_sentence(result)
    # the first stress test, named as such: which assumption moves payback most is the
    # sensitivity's to say (its tornado ranks them); where worse answers decide, on compute alone
    lead = "On compute alone, at" if result.quality_cost_exceeds_savings else "At"
    lines += [
        "",
        f"{lead} half the volume (the first stress test), "
        f"{payback_phrase(result.half_volume_payback_months)}. {breakeven}",
    ]
    for flag in result.flags:
        lines.append(f"- **{flag.title}.** {flag.reason}")
    return lines


def _ask_section(result: Result) -> list[str]:
    case = result.case
    currency = case.currency
    lines = ["", "## 4. The ask", ""]
    if result.verdict == DO_NOT_DISTILL or result.quality_cost_exceeds_savings:
        lines.append(
            "No ask. Prompt a small model or keep the teacher; revisit when volume or prices "
            "change."
        )
        return lines
    parts = []
    if result.is_itemised:
        rate = format_money(case.day_rate or 0.0, currency)
        for label, amount, days in (
            ("data generation", result.data_generation_cost, None),
            ("training compute", result.training_compute, None),
            ("evaluation build", result.evaluation_build, case.evaluation_days),
            ("engineering", result.engineering_time, case.engineering_days),
        ):
            if amount:
                in_days = f" ({days:g} engineer-days at {rate})" if days is not None else ""
                parts.append(f"{label} {format_money(amount, currency)}{in_days}")
    detail = f": {'; '.join(parts)}" if parts else ""
    maintenance = format_money(result.annual_maintenance, currency)
    cadence = (
        f" ({case.redistillations_per_year:g} redistillations a year)"
        if case.redistillations_per_year is not None
        else ""
    )
    recurring = [f"**{maintenance} a year** for maintenance{cadence}"]
    if case.is_self_hosted and result.gpus is not None:
        gpus = f"{result.gpus} GPU{'s' if result.gpus != 1 else ''}"
        hourly = format_price(case.gpu_hourly_cost or 0.0, currency)
        growing = (
            " at today's volume (as it grows, GPUs are added at about the same cost per call, "
            "as the savings assume)"
            if case.monthly_growth > 0
            else ""
        )
        recurring.append(
            f"**{format_money(result.annual_serving_cost, currency)} a year** of GPU serving "
            f"({gpus} × 730 hours × 12 × {hourly} an hour){growing}"
        )
    lines.append(
        f"Approve **{format_money(result.upfront_cost, currency)}** upfront{detail}; and the "
        f"recurring bill: {'; and '.join(recurring)}."
    )
    if case.is_self_hosted:
        lines.append(
            "",
        )
        lines.append(
            f"The GPUs are sized for a peak of {case.peak_factor:g} × the average traffic"
            f"{_default_note(case, 'peak_factor')} at {case.target_utilization:.0%} target "
            f"load{_default_note(case, 'target_utilization')}; a different peak or load changes "
            "the GPUs, the serving bill and every figure above."
        )
    return lines


def _upside_section(result: Result) -> list[str]:
    currency = result.case.currency
    latency = result.teacher_p95_ms is not None or result.student_p95_ms is not None
    if not (result.monthly_latency_value or result.annual_new_capability_revenue or latency):
        return []
    lines = ["", "## Upside, not in the numbers above", ""]
    if latency:
        lines.append(f"- Latency at the 95th percentile: {_latency_words(result)}.")
    if result.monthly_latency_value:
        lines.append(
            f"- Faster answers: about {format_money(result.monthly_latency_value, currency)} a "
            "month, estimated conservatively."
        )
    if result.annual_new_capability_revenue:
        lines.append(
            f"- New capability: about "
            f"{format_money(result.annual_new_capability_revenue, currency)} a year of revenue "
            "from features only the small model makes possible."
        )
    return lines


def _latency_words(result: Result) -> str:
    return latency_words(result.teacher_p95_ms, result.student_p95_ms)


def latency_words(teacher: float | None, student: float | None) -> str:
    """The two models' P95 latency in words, as the pitch's upside says it (either may be
    missing; ``"not measured"`` when both are); the workbook's Pitch says the same.

    Examples
    --------
    >>> latency_words(1_200.0, 150.0), latency_words(1_200.0, None)
    ('teacher 1,200 ms, student 150 ms (8.0× faster)', 'teacher 1,200 ms')
    """
    if teacher is None and student is None:
        return "not measured"
    parts = []
    if teacher is not None:
        parts.append(f"teacher {teacher:,.0f} ms")
    if student is not None:
        parts.append(f"student {student:,.0f} ms")
    words = ", ".join(parts)
    if teacher is not None and student is not None and 0 < student < teacher:
        words += f" ({teacher / student:.1f}× faster)"
    elif teacher is not None and student is not None and student > teacher:
        words += " (the student is slower)"
    return words


def pitch_title(result: Result) -> str:
    """The pitch's title: the case and its verdict, then the verdict once worse answers are
    counted where it differs (the workbook's Pitch sheet says the same).

    Examples
    --------
    >>> from xl_roi import Case, evaluate
    >>> pitch_title(evaluate(Case(monthly_calls=2_000_000, teacher_cost_per_1k=12.0,
    ...     student_cost_per_1k=1.5, upfront_cost=52_500, annual_maintenance=40_000)))
    'Distillation case: strong'
    """
    title = f"{result.case.name}: {result.verdict}"
    adjusted = result.quality_adjusted_verdict
    if adjusted is not None and adjusted != result.verdict:
        title += f"; {adjusted}{ONCE_WORSE_ANSWERS_COUNTED}"
    return title


def pitch(result: Result) -> str:
    """The decision-maker's page, in Markdown, in the order a decision-maker reads it.

    Parameters
    ----------
    result : Result
        An evaluated case.

    Returns
    -------
    str
        Markdown: a recommendation; the savings; the payback; the risk and its mitigation; the
        ask; upside kept out of the headline.

    Examples
    --------
    >>> from xl_roi import Case, evaluate
    >>> text = pitch(evaluate(Case(monthly_calls=2_000_000, teacher_cost_per_1k=12.0,
    ...     student_cost_per_1k=1.5, upfront_cost=52_500, annual_maintenance=40_000)))
    >>> print(text.splitlines()[0])
    # Distillation case: strong
    >>> "recovered in **2.5 months**" in text
    True
    """
    lines = [line for section in pitch_sections(result) for line in section]
    return "\n".join(lines) + "\n"


def pitch_sections(result: Result) -> list[list[str]]:
    """The pitch's Markdown, section by section: the title and recommendation (with any input
    to check), the savings, the payback, the risk, the ask, the upside (absent when there is
    none). :func:`pitch` joins them; the deck (:mod:`xl_roi.deck`) puts each on its slides.

    Examples
    --------
    >>> from xl_roi import Case, evaluate
    >>> sections = pitch_sections(evaluate(Case(monthly_calls=2_000_000,
    ...     teacher_cost_per_1k=12.0, student_cost_per_1k=1.5, upfront_cost=52_500,
    ...     annual_maintenance=40_000)))
    >>> [section[0] if section[0] else section[1] for section in sections]
    ['# Distillation case: strong', '## 1. The savings', '## 2. The payback',
     '## 3. The risk and the mitigation', '## 4. The ask']
    """
    head = [f"# {pitch_title(result)}", ""]
    head.append(f"**Recommendation: {recommendation(result)}**")
    head.append("")
    head += _unusual_inputs_section(result)
    sections = [
        head,
        _savings_section(result),
        _payback_section(result),
        _risk_section(result),
        _ask_section(result),
        _upside_section(result),
    ]
    return [section for section in sections if section]
