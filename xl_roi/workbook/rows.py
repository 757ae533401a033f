"""The rows of the Pitch, Quality, Checks and the cash-flow schedule: what each sheet says.

The sibling of :mod:`xl_roi.workbook.layout` (which holds the Inputs and Calculations): every
row here carries its label, its formula over the workbook's defined names, its number format and
how its stored value is found from the worked-out figures (:func:`layout.mirror_values`).
:mod:`xl_roi.workbook.build` only writes them; :mod:`xl_roi.workbook.read` finds the slice table
by the positions here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xl_roi import _kernel, cashflow
from xl_roi.case import MAX_QUALITY_SLICES, SCHEDULE_MONTHS, QualitySlice
from xl_roi.formula import Expr, FormulaOps, as_expr, call
from xl_roi.pitch import ONCE_WORSE_ANSWERS_COUNTED, latency_words
from xl_roi.verdict import DO_NOT_DISTILL
from xl_roi.workbook import layout
from xl_roi.workbook.names import workbook_quantities

__all__ = [
    "CHECKS",
    "PITCH",
    "PITCH_RECOMMENDATION",
    "PITCH_TITLE",
    "PORTABLE_FIRST_CHECK",
    "QUALITY_COST_PER_ERROR_COLUMN",
    "QUALITY_FIRST_ROW",
    "QUALITY_HEADERS",
    "QUALITY_ROWS",
    "QUALITY_SUMMARY",
    "QUALITY_TRAFFIC_SHARE_COLUMN",
    "SCHEDULE_HEADERS",
    "SCHEDULE_MONTHS",
    "SCHEDULE_WORSE_ANSWERS",
    "PitchLine",
    "discounted_schedule_values",
    "pitch_sections",
    "pitch_title_value",
    "quality_headers",
    "quality_summary_values",
    "schedule_values",
    "slice_values",
    "worse_answers_schedule_values",
]

# --- The cash-flow schedule (Calculations, below the rows) -----------------------------------

SCHEDULE_HEADERS = (
    "Month",
    "Savings (money in)",
    "Maintenance (money out, taken off)",
    "Cumulative net before maintenance",
    "Cumulative net after maintenance",
    "Discounted, after maintenance",
    "After maintenance and worse answers",
)
"""The schedule's columns, A to G. Savings and maintenance are both written as positive
amounts, their direction in the header; the cumulative columns carry the sign (a deficit in red
brackets). G takes off the cost of worse answers too (growing with volume, as the savings do;
blank when that cost is not computed)."""

SCHEDULE_WORSE_ANSWERS = (
    "IF(ISNUMBER(quality_cost_monthly), G{r_before}+B{r}-C{r}-quality_cost_monthly*"
    '(1+monthly_growth)^(A{r}-1), "")'
)
"""Column G from month 1: the cumulative net after maintenance and the cost of worse answers
(what the chart's quality-adjusted line shows)."""


def worse_answers_schedule_values(values: dict[str, Any]) -> list[float | str]:
    """Column G's stored values, month 0 to the end of the schedule (its formula's arithmetic);
    blank when the cost of worse answers is not computed.

    Examples
    --------
    >>> values = {"upfront": 100.0, "savings_monthly": 60.0, "maintenance": 120.0,
    ...           "monthly_growth": 0.0, "quality_cost_monthly": 20.0}
    >>> worse_answers_schedule_values(values)[:3]
    [-100.0, -70.0, -40.0]
    """
    quality = values["quality_cost_monthly"]
    schedule = schedule_values(values)
    if not isinstance(quality, float | int) or isinstance(quality, bool):
        return ["" for _ in schedule]
    totals: list[float | str] = []
    total = 0.0
    for month, (savings, maintenance, _, net_after) in enumerate(schedule):
        if month == 0:
            total = net_after
        else:
            grown = quality * (1.0 + values["monthly_growth"]) ** (month - 1)
            total = total + savings - maintenance - grown
        totals.append(total)
    return totals


SCHEDULE_DISCOUNTED = "F{r_before}+(B{r}-C{r})/(1+discount_rate)^(A{r}/months_per_year)"
"""Column F from month 1: the cumulative net after maintenance, each month's net discounted at
the annual rate (what the chart's discounted line shows)."""


def discounted_schedule_values(values: dict[str, Any]) -> list[float]:
    """Column F's stored values, month 0 to the end of the schedule (its formula's arithmetic).

    Examples
    --------
    >>> values = {"upfront": 100.0, "savings_monthly": 60.0, "maintenance": 120.0,
    ...           "monthly_growth": 0.0, "discount_rate": 0.0, "months_per_year": 12.0}
    >>> discounted_schedule_values(values)[:3]
    [-100.0, -50.0, 0.0]
    """
    totals = []
    for month, (savings, maintenance, _, net_after) in enumerate(schedule_values(values)):
        if month == 0:
            totals.append(net_after)
            continue
        factor = (1 + values["discount_rate"]) ** (month / values["months_per_year"])
        totals.append(totals[-1] + (savings - maintenance) / factor)
    return totals


def schedule_values(values: dict[str, Any]) -> list[tuple[float, float, float, float]]:
    """Each month's savings, maintenance and cumulative net before and after maintenance, as the
    workbook's schedule stores them: :func:`xl_roi.cashflow.schedule` over the worked figures.

    Examples
    --------
    >>> values = {"upfront": 100.0, "savings_monthly": 60.0, "maintenance": 120.0,
    ...           "monthly_growth": 0.0}
    >>> schedule_values(values)[:3]
    [(0.0, 0.0, -100.0, -100.0), (60.0, 10.0, -40.0, -50.0), (60.0, 10.0, 20.0, 0.0)]
    """
    rows = cashflow.schedule(
        values["upfront"],
        values["savings_monthly"],
        values["maintenance"],
        values["monthly_growth"],
        SCHEDULE_MONTHS,
    )
    return [
        (
            row["savings"],
            row["maintenance"],
            row["cumulative_net"],
            row["cumulative_net_after_maintenance"],
        )
        for row in rows
    ]


# --- Quality ---------------------------------------------------------------------------------

QUALITY_ROWS = MAX_QUALITY_SLICES
"""Slice rows on the Quality sheet."""

QUALITY_FIRST_ROW = 5
"""The first slice row (row 4 holds the headers)."""

QUALITY_HEADERS = (
    "Slice",
    "Business-critical (yes/no)",
    "Teacher score",
    "Student score",
    "Allowed drop",
    "Drop",
    "Result",
    "Business-critical and failing",
    "Share of calls",
    "Own cost of a wrong answer",
    "Cost of worse answers a month",
)
"""The slice table's columns, A to K: five inputs, three worked out, two more inputs (traffic
share and an own cost per error) and the slice's cost of worse answers."""


def quality_headers(currency: str) -> tuple[str, ...]:
    """:data:`QUALITY_HEADERS` with the currency beside the two amounts.

    Examples
    --------
    >>> quality_headers("EUR")[-2:]
    ('Own cost of a wrong answer (EUR)', 'Cost of worse answers a month (EUR)')
    """
    return (*QUALITY_HEADERS[:-2], *(f"{header} ({currency})" for header in QUALITY_HEADERS[-2:]))


QUALITY_TRAFFIC_SHARE_COLUMN = "I"
QUALITY_COST_PER_ERROR_COLUMN = "J"
QUALITY_INPUT_COLUMNS = ("A", "B", "C", "D", "E", "I", "J")
"""The slice table's input columns (yellow)."""

QUALITY_FORMULAS: tuple[tuple[str, str, str], ...] = (
    ("F", 'IF(ISNUMBER(C{r}), ROUND(C{r}-D{r}, score_decimals), "")', layout.SCORE_DROP),
    ("G", 'IF(ISNUMBER(F{r}), IF(F{r}<=E{r}, "pass", "FAIL"), "")', layout.PLAIN),
    ("H", 'IF(AND(B{r}="yes", G{r}="FAIL"), A{r}, "")', layout.PLAIN),
    ("K", "{cost}", layout.MONEY),
)
"""Each worked-out column of a slice row: its letter, formula (``{r}``: the row), format."""


def slice_formula(formula: str, r: int) -> str:
    """A worked-out slice column's formula in row ``r``."""
    return formula.format(r=r, cost=layout.slice_quality_cost(r))


def slice_values(item: QualitySlice | None, cost: float | str = "") -> tuple[Any, Any, Any, Any]:
    """A slice row's drop, result, failing-critical name and cost of worse answers (blank for
    an empty row), in the order of :data:`QUALITY_FORMULAS`; ``cost`` as
    :func:`layout.slice_quality_costs` gives it.

    Examples
    --------
    >>> slice_values(QualitySlice("Refunds", True, 0.95, 0.90, 0.03), 0.0)
    (0.05, 'FAIL', 'Refunds', 0.0)
    >>> slice_values(None)
    ('', '', '', '')
    """
    if item is None:
        return "", "", "", ""
    drop = float(round(item.teacher_score - item.student_score, 9))
    failing = item.name if item.business_critical and not item.passed else ""
    return drop, "pass" if item.passed else "FAIL", failing, cost


QUALITY_NAMES: tuple[tuple[str, str], ...] = (
    ("slice_names", "A"),
    ("slice_critical", "B"),
    ("slice_result", "G"),
    ("slice_critical_failing", "H"),
    ("slice_teacher_scores", "C"),
    ("slice_student_scores", "D"),
    ("slice_allowed_drops", "E"),
    ("slice_traffic_shares", "I"),
    ("slice_costs_per_error", "J"),
    ("slice_quality_cost", "K"),
)
"""Defined names over the slice table's columns."""

QUALITY_SUMMARY: tuple[tuple[str, str, str], ...] = (
    ("Slices passing", "slices_passing", 'COUNTIF(slice_result, "pass")'),
    (
        "Slices evaluated",
        "slices_total",
        'COUNTIF(slice_result, "pass")+COUNTIF(slice_result, "FAIL")',
    ),
    (
        "Business-critical slices failing",
        "critical_failures",
        'COUNTIFS(slice_critical, "yes", slice_result, "FAIL")',
    ),
)
"""The summary under the slice table: label, defined name, formula."""


def quality_summary_values(
    slices: tuple[QualitySlice, ...], values: dict[str, Any]
) -> dict[str, float]:
    """The summary's stored values, by defined name.

    Examples
    --------
    >>> quality_summary_values((QualitySlice("a", False, 0.9, 0.8, 0.2),),
    ...                        {"critical_failures": 0.0})
    {'slices_passing': 1.0, 'slices_total': 1.0, 'critical_failures': 0.0}
    """
    return {
        "slices_passing": float(sum(1 for item in slices if item.passed)),
        "slices_total": float(len(slices)),
        "critical_failures": values["critical_failures"],
    }


# --- Pitch -----------------------------------------------------------------------------------

PITCH_TITLE = (
    'case_name&": "&verdict_label&IF(AND(ISNUMBER(quality_adjusted_savings), '
    'quality_adjusted_verdict<>verdict_label), "; "&quality_adjusted_verdict&"'
    f'{ONCE_WORSE_ANSWERS_COUNTED}", "")'
)
"""The Pitch's title (A1): the case and its verdict, and the verdict once worse answers are
counted where it differs (the CLI pitch's title, :func:`xl_roi.pitch.pitch_title`)."""


def pitch_title_value(values: dict[str, Any]) -> str:
    """What :data:`PITCH_TITLE` gives for the workbook's values.

    Examples
    --------
    >>> pitch_title_value({"case_name": "Router", "verdict_label": "strong",
    ...     "quality_adjusted_savings": -5.0, "quality_adjusted_verdict": "do not distill"})
    'Router: strong; do not distill once worse answers are counted'
    """
    title = f"{values['case_name']}: {values['verdict_label']}"
    adjusted = values["quality_adjusted_verdict"]
    if (
        isinstance(values["quality_adjusted_savings"], float)
        and adjusted != values["verdict_label"]
    ):
        title += f"; {adjusted}{ONCE_WORSE_ANSWERS_COUNTED}"
    return title


PITCH_RECOMMENDATION = "recommendation_text"
"""The Pitch's recommendation (B3): the Calculations row, in :data:`xl_roi.pitch.RECOMMENDATION`'s
words."""


@dataclass(frozen=True)
class PitchLine:
    """One figure on the Pitch: label, formula (names), format, whether it is money, and how its
    stored value is found (by default the worked figure named by the formula)."""

    label: str
    formula: str
    number_format: str
    money: bool = False
    value: Callable[[dict[str, Any]], Any] | None = None

    def value_in(self, values: dict[str, Any]) -> Any:
        """The stored value, from the worked-out figures."""
        return values[self.formula] if self.value is None else self.value(values)


def _yes_no(name: str) -> PitchLine:
    """A flag shown as yes or no."""
    return PitchLine(
        f"Flag: {name.removesuffix('_flag').replace('_', ' ')}",
        f'IF({name}, "yes", "no")',
        layout.PLAIN,
        value=lambda values: "yes" if values[name] else "no",
    )


def _itemised(label: str, name: str) -> PitchLine:
    """An upfront item, or "in the total" when the upfront cost is given as one total."""
    return PitchLine(
        label,
        f'IF(ISNUMBER(upfront_total), "in the total", {name})',
        layout.MONEY,
        money=True,
        value=lambda values: (
            "in the total" if isinstance(values["upfront_total"], float) else values[name]
        ),
    )


def _self_hosted_only(label: str, name: str, number_format: str) -> PitchLine:
    """An input of a self-hosted student's GPUs on the Pitch: its value, or "not self-hosted"."""
    return PitchLine(
        label,
        f'IF({layout.HOSTED_TEST}, {name}, "{NOT_SELF_HOSTED}")',
        number_format,
        value=lambda values: (
            values[name]
            if values["student_pricing"] == layout.MODE_SELF_HOSTED
            else NOT_SELF_HOSTED
        ),
    )


NOT_SELF_HOSTED = "not self-hosted"


def _money(label: str, name: str) -> PitchLine:
    return PitchLine(label, name, layout.MONEY, money=True)


def _in_words(line: PitchLine, word: str) -> PitchLine:
    """A figure the Calculations sheet gives as an error text (``#NUM! never pays back: …``,
    which the formulas reading it test with ISNUMBER) said on the Pitch in a reader's word:
    "never", "no volume", "none"; the recommendation says why."""
    return PitchLine(
        line.label,
        f'IF(ISNUMBER({line.formula}), {line.formula}, IF(LEFT({line.formula}, 1)="#", '
        f'"{word}", {line.formula}))',
        line.number_format,
        money=line.money,
        value=lambda values: _word_for(line.value_in(values), word),
    )


def _word_for(value: Any, word: str) -> Any:
    return word if isinstance(value, str) and value.startswith("#") else value


def _rate_of_return(values: dict[str, Any]) -> Any:
    """The IRR as a finance reader takes it: a share up to 100 % a year; beyond that "over
    100 %" (thousands of per cent beside a payback of a few months inform no one); "none"
    where the cash never changes sign."""
    rate = values["rate_of_return"]
    if not isinstance(rate, float):
        return "none"
    return "over 100 %" if rate > 1 else rate


def _months(label: str, name: str) -> PitchLine:
    """Months on the Pitch: a figure, or "never"."""
    return _in_words(PitchLine(label, name, layout.MONTHS), "never")


def _latency(values: dict[str, Any]) -> str:
    """The teacher's and the student's P95 latency, as the CLI pitch's upside says them
    (:func:`xl_roi.pitch.latency_words`): either alone when only one is measured."""
    teacher, student = values.get("teacher_p95_ms"), values.get("student_p95_ms")
    return latency_words(
        teacher if isinstance(teacher, float) else None,
        student if isinstance(student, float) else None,
    )


_BOTH_P95 = "AND(ISNUMBER(teacher_p95_ms), ISNUMBER(student_p95_ms))"
LATENCY_FORMULA = (
    'IF(AND(NOT(ISNUMBER(teacher_p95_ms)), NOT(ISNUMBER(student_p95_ms))), "not measured", '
    'IF(ISNUMBER(teacher_p95_ms), "teacher "&TEXT(teacher_p95_ms, "#,##0")&" ms", "")&'
    f'IF({_BOTH_P95}, ", ", "")&'
    'IF(ISNUMBER(student_p95_ms), "student "&TEXT(student_p95_ms, "#,##0")&" ms", "")&'
    f"IF({_BOTH_P95}, IF(AND(student_p95_ms>0, student_p95_ms<teacher_p95_ms), "
    '" ("&TEXT(teacher_p95_ms/student_p95_ms, "0.0")&"× faster)", '
    'IF(student_p95_ms>teacher_p95_ms, " (the student is slower)", "")), ""))'
)
"""The Pitch's P95 latency line: :func:`xl_roi.pitch.latency_words` in a formula."""

NO_ASK = 'OR(verdict_label="do not distill", quality_adjusted_reason<>"")'
"""When the pitch makes no ask: the case says do not distill, or worse answers cost more than
the compute saved (:func:`xl_roi.pitch.pitch`'s ask)."""

NO_ASK_TEXT = "no ask"
"""What the ask's amounts say when there is no ask (the recommendation says why)."""


def _no_ask(values: dict[str, Any]) -> bool:
    return values["verdict_label"] == DO_NOT_DISTILL or bool(values["quality_adjusted_reason"])


def _asked(line: PitchLine) -> PitchLine:
    """An amount of the ask, or "no ask" when the pitch makes none."""
    return PitchLine(
        line.label,
        f'IF({NO_ASK}, "{NO_ASK_TEXT}", {line.formula})',
        line.number_format,
        money=line.money,
        value=lambda values: NO_ASK_TEXT if _no_ask(values) else line.value_in(values),
    )


def _why_after_worse_answers(values: dict[str, Any]) -> str:
    if values["quality_adjusted_reason"]:
        return str(values["quality_adjusted_reason"])
    if isinstance(values["quality_adjusted_savings"], float):
        return WORSE_ANSWERS_COST_LESS
    return NO_COST_PER_ERROR


WORSE_ANSWERS_COST_LESS = "Worse answers cost less than the compute saved"
NO_COST_PER_ERROR = "No cost of a wrong answer given"


PITCH: tuple[tuple[str, tuple[PitchLine, ...]], ...] = (
    (
        "1. The savings",
        (
            _money("Annual savings", "savings_annual"),
            PitchLine("Cut in inference spend on this endpoint", "spend_cut", layout.SHARE),
            _money("Monthly savings", "savings_monthly"),
            PitchLine("Monthly calls", "monthly_calls", layout.COUNT),
            PitchLine("Monthly growth in calls, as assumed", "monthly_growth", layout.SHARE),
            _money("Annual net benefit after maintenance", "net_benefit_annual"),
            _money("Maintenance a year (taken off above)", "maintenance"),
        ),
    ),
    (
        "2. The payback",
        (
            _money("Upfront investment", "upfront"),
            _months("Recovered from the savings in (months)", "payback_months"),
            _months("Recovered after maintenance too (months)", "payback_net_of_maintenance"),
            _money("Worth today (discounted, over the horizon)", "value_today"),
            _months("Recovered, discounted (months)", "payback_discounted"),
            PitchLine(
                "Rate of return a year (IRR over the horizon)",
                'IF(ISNUMBER(rate_of_return), IF(rate_of_return>1, "over 100 %", '
                'rate_of_return), "none")',
                layout.SHARE,
                value=_rate_of_return,
            ),
            _months("Target payback (months)", "target_payback_months"),
            _money("First year, net of upfront and maintenance", "first_year_net"),
        ),
    ),
    (
        "3. The risk and the mitigation",
        (
            PitchLine(
                "Quality slices passing",
                'slices_passing&" of "&slices_total',
                layout.PLAIN,
                value=lambda values: f"{values['slices_passing']:g} of {values['slices_total']:g}",
            ),
            PitchLine("Business-critical slices failing", "critical_failures", layout.WHOLE_NUMBER),
            _months("Payback at half the volume (months)", "half_payback"),
            _in_words(
                PitchLine(
                    "Break-even: from this many calls a month up (growing as assumed; whole "
                    "GPUs when self-hosted) payback meets the target; just below, it misses",
                    "breakeven_calls",
                    layout.COUNT,
                ),
                "no volume",
            ),
            _yes_no("low_volume_flag"),
            _yes_no("unstable_teacher_flag"),
            _yes_no("quality_risk_flag"),
            _money("Cost of worse answers a month", "quality_cost_monthly"),
            _money("Monthly savings after worse answers", "quality_adjusted_savings"),
            _months("Payback after worse answers (months)", "quality_adjusted_payback"),
            _money("Annual net benefit after worse answers", "quality_adjusted_net"),
            PitchLine("Verdict after worse answers", "quality_adjusted_verdict", layout.PLAIN),
            PitchLine(
                "Why",
                f'IF(quality_adjusted_reason<>"", quality_adjusted_reason, '
                f'IF(ISNUMBER(quality_adjusted_savings), "{WORSE_ANSWERS_COST_LESS}", '
                f'"{NO_COST_PER_ERROR}"))',
                layout.PLAIN,
                value=_why_after_worse_answers,
            ),
        ),
    ),
    (
        "4. The ask",
        (
            _asked(_money("Upfront budget", "upfront")),
            _asked(_itemised("of which data generation", "data_generation")),
            _asked(_itemised("of which training compute", "training_compute")),
            _asked(_itemised("of which evaluation build", "evaluation_cost")),
            _asked(_itemised("of which engineering time", "engineering_cost")),
            _asked(_money("Recurring: maintenance a year", "maintenance")),
            _asked(
                _money(
                    "Recurring: GPU serving a year (GPUs × 730 h × 12 × hourly cost)",
                    "annual_serving_cost",
                )
            ),
            _self_hosted_only(
                "GPUs sized for peak traffic of (× the average)", "peak_factor", layout.MULTIPLIER
            ),
            _self_hosted_only(
                "Each GPU loaded at peak to at most", "target_utilization", layout.SHARE
            ),
        ),
    ),
    (
        "Upside, not in the numbers above",
        (
            _money("Faster answers, a month", "monthly_latency_value"),
            _money("New-capability revenue, a year", "annual_new_capability_revenue"),
            PitchLine("P95 latency", LATENCY_FORMULA, layout.PLAIN, value=_latency),
        ),
    ),
)
"""The Pitch's sections, top to bottom: a heading, then its figures (label in A, figure in B,
currency in C for money)."""


def pitch_sections(
    values: dict[str, Any],
) -> list[tuple[str, list[tuple[str, str, Any, str, bool]]]]:
    """The Pitch's sections with each line's stored value: ``(label, formula, value, format,
    money)``.

    Examples
    --------
    >>> from xl_roi import example_case
    >>> values = layout.mirror_values(example_case())
    >>> values.update(slices_passing=3.0, slices_total=3.0)
    >>> heading, lines = pitch_sections(values)[0]
    >>> heading, lines[2][:3]
    ('1. The savings', ('Monthly savings', 'savings_monthly', 10560.0))
    """
    return [
        (
            heading,
            [
                (line.label, line.formula, line.value_in(values), line.number_format, line.money)
                for line in lines
            ],
        )
        for heading, lines in PITCH
    ]


# --- Checks ----------------------------------------------------------------------------------


def _agrees(ops: Any, got: Any, expected: Any, scale: Any) -> Any:
    """|got − expected| within the checks' tolerance of max(1, scale)."""
    tolerance = ops.name("check_tolerance")
    return ops.abs(got - expected) <= tolerance * ops.maximum(1.0, scale)


def _student_pricing_listed(ops: Any) -> Any:
    name = ops.name
    modes = ops.values["student_modes"]
    listed = isinstance(modes, tuple) and ops.values["student_pricing"] in modes
    match = call(
        "MATCH", name("student_pricing"), name("student_modes"), 0, value=1.0 if listed else "#N/A"
    )
    return ops.isnumber(match)


def _savings_check(ops: Any) -> Any:
    name = ops.name
    savings = name("savings_monthly")
    return ops.where(
        ops.isnumber(savings),
        lambda: _agrees(
            ops,
            savings,
            _kernel.monthly_savings(workbook_quantities(ops), ops),
            ops.abs(savings),
        ),
        lambda: False,
    )


def _after_maintenance_check(ops: Any) -> Any:
    name = ops.name
    months = name("payback_net_of_maintenance")
    monthly = name("maintenance") / ops.months_per_year
    return ops.where(
        ops.all(name("monthly_growth") == 0.0, ops.isnumber(months), name("upfront") > 0.0),
        lambda: _agrees(ops, months, name("upfront") / (name("savings_monthly") - monthly), months),
        lambda: True,
    )


def _upfront_check(ops: Any) -> Any:
    name = ops.name
    items = (
        name("data_generation")
        + name("training_cost")
        + name("evaluation_cost")
        + name("engineering_cost")
    )
    return ops.where(
        ops.isnumber(name("upfront_total")),
        lambda: name("upfront") == name("upfront_total"),
        lambda: _agrees(ops, name("upfront"), items, name("upfront")),
    )


CHECKS: tuple[tuple[str, Callable[[Any], Any], str], ...] = (
    (
        "The functions are loaded",
        lambda ops: ops.isnumber(ops.name("savings_monthly")),
        "Functions not loaded: pip install xl-roi, then xlwings › Import Functions (see About); "
        "without the add-in, open workbook_portable.xlsx",
    ),
    (
        "Student pricing is one of the listed ways",
        _student_pricing_listed,
        "Choose how the student is priced on Inputs",
    ),
    (
        "Volume, growth, target and escalation are numbers",
        lambda ops: ops.all(
            *(
                ops.isnumber(ops.name(name))
                for name in (
                    "monthly_calls",
                    "monthly_growth",
                    "target_payback_months",
                    "escalation_share",
                )
            )
        ),
        "Fill in the volume, growth, target payback and escalation share on Inputs",
    ),
    (
        "Monthly savings agree with plain arithmetic",
        _savings_check,
        "MONTHLY_SAVINGS disagrees with (teacher − student) × calls ÷ 1,000",
    ),
    (
        "Payback agrees with plain arithmetic",
        lambda ops: ops.where(
            ops.isnumber(ops.name("payback_plain")),
            lambda: _agrees(
                ops,
                ops.name("payback_months"),
                ops.name("payback_plain"),
                ops.name("payback_months"),
            ),
            lambda: True,
        ),
        "PAYBACK disagrees with upfront ÷ savings (or its growth form)",
    ),
    (
        "It never pays back only when savings cannot recover the upfront cost",
        lambda ops: ops.where(
            ops.isnumber(ops.name("payback_months")),
            lambda: True,
            lambda: (ops.name("savings_monthly") <= 0.0) | (ops.name("monthly_growth") < 0.0),
        ),
        "PAYBACK says never although savings are positive and volume is not shrinking",
    ),
    (
        "Payback after maintenance agrees with plain arithmetic (flat volume)",
        _after_maintenance_check,
        "PAYBACK_AFTER_MAINTENANCE disagrees with upfront ÷ (savings − maintenance ÷ 12)",
    ),
    (
        "Annual net benefit agrees with plain arithmetic",
        lambda ops: _agrees(
            ops,
            ops.name("net_benefit_annual"),
            ops.months_per_year * ops.name("savings_monthly") - ops.name("maintenance"),
            ops.abs(ops.name("net_benefit_annual")),
        ),
        "NET_BENEFIT disagrees with 12 × savings − maintenance",
    ),
    (
        "The upfront items add up",
        _upfront_check,
        "UPFRONT_COST disagrees with the sum of the items",
    ),
    (
        "The savings share agrees with plain arithmetic",
        lambda ops: (
            ops.abs(
                ops.name("spend_cut")
                - (ops.name("teacher_cost") - ops.name("student_cost")) / ops.name("teacher_cost")
            )
            <= ops.name("check_tolerance")
        ),
        "SAVINGS_SHARE disagrees with (teacher − student) ÷ teacher",
    ),
)
"""Each check: what it asserts, how (written once over :class:`~xl_roi.formula.FormulaOps`: its
formula, TRUE when it holds, with the value it has for the workbook's figures), and what to do
when it fails. Each restates its figure in plain arithmetic, apart from the kernel's formula:
a cross-check, not the same definition twice."""


def check_cell(check: Callable[[Any], Any], values: Any = None) -> Expr:
    """A check's formula, and its value for ``values`` (the workbook's figures)."""
    return as_expr(check(FormulaOps(values)))


PORTABLE_FIRST_CHECK = (
    "The monthly savings are worked out",
    "Monthly savings are not a number: check the teacher and student costs on Inputs",
)
"""The portable flavour's first check: the add-in's 'functions are loaded', in its words."""

BUSINESS_CHECK = ("Business-critical quality slices pass", "critical_failures=0")
"""The business check under the master check (not part of it): label, formula."""
