"""The recommendation: the sentence a decision-maker reads first, and the money and month words
it is written in.

It works from figures, not from an evaluated case, so that the pitch, an evaluated
:class:`~xl_roi.Result` and the ``RECOMMENDATION`` worksheet function say the same
words from one definition.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from xl_roi import roi
from xl_roi.errors import check_number
from xl_roi.verdict import DO_NOT_DISTILL, LOW_VOLUME_PAYBACK_MONTHS, verdict

__all__ = [
    "RECOMMENDATION",
    "WORSE_ANSWERS_COST_MORE",
    "format_money",
    "format_months",
    "format_price",
    "join_names",
    "payback_phrase",
    "recommendation_from_figures",
    "worse_answers_sentence",
]

RECOMMENDATION = {
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
"""The recommendation's first sentence for each verdict: the pitch and both workbooks say it."""


WORSE_ANSWERS_COST_MORE = "Worse answers cost more than the compute saved"
"""The reason given when the cost of the student's quality drop eats the savings."""


def format_money(amount: float, currency: str, cents: bool = False) -> str:
    """Money for a reader: ``USD 1,234`` (or ``USD 1,234.56`` with ``cents``); a loss in
    brackets, ``(USD 1,234)``, as the workbook's money format shows it.

    Examples
    --------
    >>> format_money(-33_750, "USD")
    '(USD 33,750)'
    >>> format_money(10_560.004, "EUR", cents=True)
    'EUR 10,560.00'
    """
    digits = f"{abs(amount):,.2f}" if cents else f"{abs(amount):,.0f}"
    if amount < 0 and digits.strip("0.,"):  # a loss that rounds to nothing reads as none
        return f"({currency} {digits})"
    return f"{currency} {digits}"


def format_price(amount: float, currency: str) -> str:
    """A price for a reader: two decimals, up to four where it has them, so that a sum worked
    from it comes out as shown (``USD 0.8048`` an hour, not ``USD 0.80``).

    Examples
    --------
    >>> format_price(0.8048, "USD"), format_price(2.2, "USD"), format_price(1234.5, "EUR")
    ('USD 0.8048', 'USD 2.20', 'EUR 1,234.50')
    """
    digits = f"{abs(amount):,.4f}".rstrip("0")
    digits += "0" * max(0, 2 - len(digits.split(".")[1]))
    return f"({currency} {digits})" if amount < 0 else f"{currency} {digits}"


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


def payback_phrase(months: float) -> str:
    """Payback in a sentence: ``payback is 3.1 months``, or ``payback never comes``.

    Examples
    --------
    >>> payback_phrase(2.5), payback_phrase(math.inf)
    ('payback is 2.5 months', 'payback never comes')
    """
    if math.isinf(months):
        return "payback never comes"
    return f"payback is {format_months(months)}"


def _reason_from_figures(
    teacher_cost_per_1k: float,
    student_cost_per_1k: float,
    monthly_savings: float,
    annual_maintenance: float,
    upfront_cost: float,
    currency: str,
) -> str:
    teacher, student = teacher_cost_per_1k, student_cost_per_1k
    if student >= teacher:
        relation = "as much" if student == teacher else "more"
        return (
            f"The student costs {relation} per call than the teacher ({student:.4f} against "
            f"{teacher:.4f} per 1,000 calls), so there is nothing to save."
        )
    if monthly_savings <= 0:
        return "There is no volume, so there is nothing to save."
    annual_savings = 12.0 * monthly_savings
    if annual_savings - annual_maintenance <= 0:
        return (
            f"Maintenance ({format_money(annual_maintenance, currency)} a year) costs at "
            f"least what the student saves ({format_money(annual_savings, currency)} a "
            "year): an unstable teacher or data that drift this often eat the savings."
        )
    return (
        "Volume shrinks faster than the savings can recover the upfront cost "
        f"({format_money(upfront_cost, currency)}): it never pays back."
    )


def join_names(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def recommendation_from_figures(
    upfront_cost: float,
    monthly_savings: float,
    annual_maintenance: float,
    target_payback_months: float,
    teacher_cost_per_1k: float,
    student_cost_per_1k: float,
    half_volume_payback_months: float,
    monthly_growth: float = 0.0,
    failing_critical_slices: Sequence[str] = (),
    currency: str = "USD",
) -> str:
    """The recommendation from the figures it rests on: what :func:`recommendation` says for an
    evaluated case, and what the ``RECOMMENDATION`` worksheet function shows.

    Payback, payback after maintenance, annual net benefit, first-year net and the verdict are
    worked out here with the core's functions, as :func:`~xl_roi.evaluate` does.

    Examples
    --------
    >>> print(recommendation_from_figures(38_000, 2_994, 30_000, 12, 11.5, 4.015, 27.0,
    ...     0.05))  # doctest: +NORMALIZE_WHITESPACE
    Distill, with care. The case is defensible: payback within a year, and volume is growing.
    After maintenance it pays back in 17.7 months, beyond the 12-month target. The first year
    nets (USD 20,344) after upfront and maintenance. At half the volume payback is 27.0 months:
    the case rests on the volume estimate.
    """
    payback = roi.payback_months(upfront_cost, monthly_savings, monthly_growth)
    after_maintenance = roi.payback_after_maintenance_months(
        upfront_cost, monthly_savings, annual_maintenance, monthly_growth
    )
    net = roi.annual_net_benefit(monthly_savings, annual_maintenance)
    verdict_label = verdict(payback, net, monthly_growth)
    target = check_number("target_payback_months", target_payback_months, strictly_above=True)
    if verdict_label == DO_NOT_DISTILL:
        reason = _reason_from_figures(
            teacher_cost_per_1k,
            student_cost_per_1k,
            monthly_savings,
            annual_maintenance,
            upfront_cost,
            currency,
        )
        return f"{RECOMMENDATION[DO_NOT_DISTILL]} {reason}"
    sentences = []
    if failing_critical_slices:
        sentences.append(
            f"Not yet: the student fails {join_names(list(failing_critical_slices))}; fix it "
            "before funding."
        )
    else:
        sentences.append(RECOMMENDATION[verdict_label])
    if payback <= target < after_maintenance:
        after = (
            "it never pays back"
            if math.isinf(after_maintenance)
            else f"it pays back in {format_months(after_maintenance)}"
        )
        sentences.append(f"After maintenance {after}, beyond the {target:g}-month target.")
    first_year = roi.first_year_net(
        upfront_cost, monthly_savings, annual_maintenance, monthly_growth
    )
    if first_year < 0:
        sentences.append(
            f"The first year nets {format_money(first_year, currency)} after upfront and "
            "maintenance."
        )
    if half_volume_payback_months > LOW_VOLUME_PAYBACK_MONTHS:
        sentences.append(
            f"At half the volume {payback_phrase(half_volume_payback_months)}: the case rests "
            "on the volume estimate."
        )
    if len(sentences) > 1 and not failing_critical_slices:
        sentences[0] = sentences[0].replace("Distill. ", "Distill, with care. ", 1)
    return " ".join(sentences)


def worse_answers_sentence(
    quality_cost_monthly: float,
    monthly_savings: float,
    verdict_label: str,
    currency: str,
    failing_critical_slices: Sequence[str] = (),
) -> str:
    """The recommendation when worse answers cost more than the compute saved, naming the
    business-critical slices the student fails too (a second reason not to distill).

    Examples
    --------
    >>> worse_answers_sentence(48_000, 21_000, "strong", "USD")[:60]
    'Do not distill. Worse answers cost more than the compute sav'
    >>> worse_answers_sentence(48_000, 21_000, "strong", "USD", ["Refunds"])[-67:]
    'strong). The student also fails Refunds, a business-critical slice.'
    """
    sentence = (
        f"{RECOMMENDATION[DO_NOT_DISTILL]} {WORSE_ANSWERS_COST_MORE}: about "
        f"{format_money(quality_cost_monthly, currency)} a month lost to the "
        f"student's wrong answers against {format_money(monthly_savings, currency)} "
        f"a month of compute saved (on compute alone: {verdict_label})."
    )
    if failing_critical_slices:
        which = (
            "a business-critical slice"
            if len(failing_critical_slices) == 1
            else "business-critical slices"
        )
        sentence += f" The student also fails {join_names(list(failing_critical_slices))}, {which}."
    return sentence
