"""The pitch: the case in the order a decision-maker reads it.

The order: the savings, annualised, and the cut in inference spend; the payback; the risk
and its mitigation (slice-based quality evidence); the ask. When the numbers say no, it says
"do not distill" plainly, with the reason.
"""

from __future__ import annotations

import math

from xl_roi.bounds import BOUNDS, unusual_inputs
from xl_roi.case import Result
from xl_roi.verdict import DO_NOT_DISTILL

__all__ = ["format_money", "format_months", "pitch", "reason_not_to_distill"]

_RECOMMENDATION = {
    "strong": "Distill. The case is strong: payback within a quarter and volume holds.",
    "defensible": "Distill. The case is defensible: payback within a year, and volume is growing.",
    "marginal": (
        "Distill only if volume will grow: payback is within a year but volume is flat or "
        "shrinking, so the case rests on the volume estimate."
    ),
    "reconsider": (
        "Reconsider. Payback takes longer than a year: the volume or task assumptions are "
        "probably shaky."
    ),
    DO_NOT_DISTILL: "Do not distill.",
}


def format_money(amount: float, currency: str, cents: bool = False) -> str:
    """Money for a reader: ``USD 1,234`` (or ``USD 1,234.56`` with ``cents``).

    Examples
    --------
    >>> format_money(-33_750, "USD")
    '-USD 33,750'
    >>> format_money(10_560.004, "EUR", cents=True)
    'EUR 10,560.00'
    """
    sign = "-" if amount < 0 else ""
    digits = f"{abs(amount):,.2f}" if cents else f"{abs(amount):,.0f}"
    return f"{sign}{currency} {digits}"


def format_months(months: float) -> str:
    """Months for a reader: ``3.1 months``, or ``never``.

    Examples
    --------
    >>> format_months(2.5), format_months(math.inf)
    ('2.5 months', 'never')
    """
    if math.isinf(months):
        return "never"
    return f"{months:,.1f} months"


def reason_not_to_distill(result: Result) -> str | None:
    """Why the case is a no, in one sentence; ``None`` when it is not.

    Examples
    --------
    >>> from xl_roi import Case, evaluate
    >>> result = evaluate(Case(monthly_calls=1_000, teacher_cost_per_1k=2.0,
    ...     student_cost_per_1k=2.5, upfront_cost=10_000, annual_maintenance=0))
    >>> print(reason_not_to_distill(result))
    The student costs more per call than the teacher (2.5000 against 2.0000 per 1,000 calls),
    so there is nothing to save.
    """
    if result.verdict != DO_NOT_DISTILL:
        return None
    currency = result.case.currency
    teacher, student = result.teacher_cost_per_1k, result.student_cost_per_1k
    if student >= teacher:
        relation = "as much" if student == teacher else "more"
        return (
            f"The student costs {relation} per call than the teacher ({student:.4f} against "
            f"{teacher:.4f} per 1,000 calls), so there is nothing to save."
        )
    if result.monthly_savings <= 0:
        return "There is no volume, so there is nothing to save."
    if result.annual_net_benefit <= 0:
        return (
            f"Maintenance ({format_money(result.annual_maintenance, currency)} a year) costs at "
            f"least what the student saves ({format_money(result.annual_savings, currency)} a "
            "year): an unstable teacher or data that drift this often eat the savings."
        )
    return (
        "Volume shrinks faster than the savings can recover the upfront cost "
        f"({format_money(result.upfront_cost, currency)}): it never pays back."
    )


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
    return lines


def _payback_section(result: Result) -> list[str]:
    case = result.case
    currency = case.currency
    lines = ["", "## 2. The payback", ""]
    upfront = format_money(result.upfront_cost, currency)
    if math.isinf(result.payback_months):
        lines.append(f"Upfront investment of **{upfront}**, **never recovered**.")
    else:
        lines.append(
            f"Upfront investment of **{upfront}**, recovered in "
            f"**{format_months(result.payback_months)}** "
            f"(target: {case.target_payback_months:g} months)."
        )
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


def _risk_section(result: Result) -> list[str]:
    case = result.case
    lines = ["", "## 3. The risk and the mitigation", ""]
    if result.quality:
        failing = [item for item in result.quality if not item.passed]
        if failing:
            lines.append(
                f"The student misses its tolerance on {len(failing)} of {len(result.quality)} "
                "evaluation slices:"
            )
        else:
            lines.append(
                "We accept a small quality trade-off; the slice-based evaluation bounds it. "
                "The student holds quality on every slice:"
            )
        lines += [
            "",
            "| Slice | Business-critical | Teacher | Student | Drop | Allowed | Result |",
            "|---|---|---:|---:|---:|---:|---|",
        ]
        for item in result.quality:
            lines.append(
                f"| {_cell(item.name)} | {'yes' if item.business_critical else 'no'} | "
                f"{item.teacher_score:g} | {item.student_score:g} | {item.drop:g} | "
                f"{item.allowed_drop:g} | {'pass' if item.passed else '**FAIL**'} |"
            )
    else:
        lines.append(
            "No slice-based evaluation yet: build the frozen evaluation set and its slices "
            "before approval, so the quality trade-off is bounded, not feared."
        )
    if math.isinf(result.breakeven_monthly_calls):
        breakeven = "No volume pays back: the student costs as much or more per call."
    else:
        at_flat = " (at flat volume)" if case.monthly_growth else ""
        breakeven = (
            f"Below {result.breakeven_monthly_calls:,.0f} calls a month{at_flat}, payback "
            f"passes the {case.target_payback_months:g}-month target."
        )
    lines += [
        "",
        f"Volume is the load-bearing assumption: at half the volume, payback is "
        f"{format_months(result.half_volume_payback_months)}. {breakeven}",
    ]
    for flag in result.flags:
        lines.append(f"- **{flag.title}.** {flag.reason}")
    return lines


def _ask_section(result: Result) -> list[str]:
    case = result.case
    currency = case.currency
    lines = ["", "## 4. The ask", ""]
    if result.verdict == DO_NOT_DISTILL:
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
    lines.append(
        f"Approve **{format_money(result.upfront_cost, currency)}** upfront{detail}; and "
        f"**{maintenance} a year** for maintenance{cadence}."
    )
    return lines


def _upside_section(result: Result) -> list[str]:
    currency = result.case.currency
    if not (result.monthly_latency_value or result.annual_new_capability_revenue):
        return []
    lines = ["", "## Upside, not in the numbers above", ""]
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
    case = result.case
    lines = [f"# {case.name}: {result.verdict}", ""]
    reason = reason_not_to_distill(result)
    recommendation = _RECOMMENDATION[result.verdict]
    lines.append(f"**Recommendation: {recommendation}**" + (f" {reason}" if reason else ""))
    lines.append("")
    lines += _unusual_inputs_section(result)
    lines += _savings_section(result)
    lines += _payback_section(result)
    lines += _risk_section(result)
    lines += _ask_section(result)
    lines += _upside_section(result)
    return "\n".join(lines) + "\n"
