"""The template's inputs and calculations: names, labels, units, formulas and their values.

One list drives everything: the builder writes each input and formula from it, the reader finds
each input by its defined name, and the checker knows which cells must hold which formula. Next
to every formula stands the Python that gives its value (:func:`mirror_values`), worked with the
same core functions the Excel functions call, so a built workbook carries every result and a
recalculation in Excel (or in the ``formulas`` engine the tests use) lands on the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from xl_roi import _kernel, costs, roi
from xl_roi.bounds import BOUNDS, Bound
from xl_roi.case import MAX_QUALITY_SLICES, Case
from xl_roi.pitch import _RECOMMENDATION as _SENTENCES
from xl_roi.pitch import recommendation_from_figures
from xl_roi.resolve import StudentPricing, student_pricing
from xl_roi.text import NEVER_PAYS_BACK, NO_VOLUME_PAYS_BACK
from xl_roi.verdict import verdict

__all__ = [
    "CALCULATIONS",
    "CONSTANTS",
    "INPUTS",
    "MODE_PER_1K",
    "MODE_SELF_HOSTED",
    "MODE_TOKENS",
    "NOT_USED",
    "STUDENT_MODES",
    "CalcRow",
    "InputRow",
    "Section",
    "input_values",
    "mirror_values",
]

PORTABLE = "portable"
ADDIN = "add-in"
FLAVOUR_LABELS = {PORTABLE: "Portable flavour", ADDIN: "Add-in flavour"}
"""The About sheet's label naming a workbook's flavour (how a reader tells them apart)."""

NOT_USED = "not used"
"""What a calculation shows when the case takes its figure another way."""

MODE_PER_1K = StudentPricing.PER_CALL.value
MODE_TOKENS = StudentPricing.TOKENS.value
MODE_SELF_HOSTED = StudentPricing.SELF_HOSTED.value
STUDENT_MODES = (MODE_PER_1K, MODE_TOKENS, MODE_SELF_HOSTED)
"""How the student can be priced: the choices of the ``student_pricing`` input."""

NEVER_PREFIX = NEVER_PAYS_BACK
NO_BREAKEVEN_TEXT = NO_VOLUME_PAYS_BACK + roi.NO_VOLUME_PAYS_BACK
NO_BREAKEVEN_HOSTED_TEXT = NO_VOLUME_PAYS_BACK + roi.NO_VOLUME_PAYS_BACK_HOSTED

MONEY = "#,##0;[Red]-#,##0"
"""Amounts of money, everywhere: whole units of the case's currency, thousands separated."""
MONEY_WHOLE = MONEY
PRICE = "#,##0.00;[Red]-#,##0.00"
"""Prices (per 1,000 calls, per GPU-hour, per million tokens): always two decimals."""
PER_1K = PRICE
RATE = "#,##0.0"
"""Throughputs and multipliers (calls per second, peak factor)."""
COUNT = "#,##0"
SHARE = "0.0%"
MONTHS = "0.0"
PLAIN = "General"
TRUE_FALSE = '"TRUE";"TRUE";"FALSE"'
"""A yes/no result reads TRUE or FALSE, even where a program stored it as 1 or 0."""


@dataclass(frozen=True)
class Section:
    """A heading between groups of rows."""

    title: str


@dataclass(frozen=True)
class InputRow:
    """One input: its defined name, the Case field it fills, and how it is checked."""

    name: str
    field: str | None
    label: str
    unit: str
    note: str
    kind: str = "number"  # number | share | text | choice
    number_format: str = MONEY

    @property
    def bound(self) -> Bound | None:
        """The input's bounds, from :data:`xl_roi.bounds.BOUNDS` (``None`` for text)."""
        return BOUNDS.get(self.name if self.field is None else self.field)


@dataclass(frozen=True)
class CalcRow:
    """One calculation: its defined name, label, formula (Excel, with names), unit, format."""

    name: str
    label: str
    formula: str
    unit: str
    number_format: str
    how: str
    native: str | None = ""
    """The portable flavour's formula, in native spreadsheet functions only: ``""`` when the
    add-in formula already is native; ``None`` when the portable flavour stores the value alone
    (not yet worked out natively)."""

    def formula_in(self, portable: bool) -> str | None:
        """The formula this flavour writes (``None``: the portable flavour stores the value)."""
        if not portable or self.native == "":
            return self.formula
        return self.native


INPUTS: tuple[Section | InputRow, ...] = (
    Section("The case"),
    InputRow("case_name", "name", "Case name", "", "What is being distilled", kind="text"),
    InputRow("currency", "currency", "Currency", "", "All money in this currency", kind="text"),
    Section("Volume"),
    InputRow(
        "monthly_calls",
        "monthly_calls",
        "Monthly calls",
        "calls / month",
        "Calls the endpoint serves a month; the assumption that dominates",
        number_format=COUNT,
    ),
    InputRow(
        "monthly_growth",
        "monthly_growth",
        "Monthly volume growth",
        "share / month",
        "0.02 = 2 % more calls each month; negative when shrinking",
        kind="share",
        number_format=SHARE,
    ),
    Section("Teacher (the large model)"),
    InputRow(
        "teacher_cost_per_1k",
        "teacher_cost_per_1k",
        "Teacher cost per 1,000 calls",
        "per 1k calls",
        "Leave blank to work it out from tokens and prices below",
        number_format=PER_1K,
    ),
    InputRow(
        "input_tokens_per_call",
        "input_tokens_per_call",
        "Input tokens per call",
        "tokens",
        "Prompt and input, per call",
        number_format=COUNT,
    ),
    InputRow(
        "output_tokens_per_call",
        "output_tokens_per_call",
        "Output tokens per call",
        "tokens",
        "Model output, per call",
        number_format=COUNT,
    ),
    InputRow(
        "teacher_input_price_per_million",
        "teacher_input_price_per_million",
        "Teacher price per million input tokens",
        "per 1M tokens",
        "Provider list price",
        number_format=PRICE,
    ),
    InputRow(
        "teacher_output_price_per_million",
        "teacher_output_price_per_million",
        "Teacher price per million output tokens",
        "per 1M tokens",
        "Provider list price",
        number_format=PRICE,
    ),
    Section("Student (the distilled model)"),
    InputRow(
        "student_pricing",
        None,
        "How the student is priced",
        "",
        "Per 1,000 calls, Token prices (uses the tokens above), or Self-hosted GPUs",
        kind="choice",
    ),
    InputRow(
        "student_cost_per_1k",
        "student_cost_per_1k",
        "Student cost per 1,000 calls",
        "per 1k calls",
        "Used when priced per 1,000 calls",
        number_format=PER_1K,
    ),
    InputRow(
        "student_input_price_per_million",
        "student_input_price_per_million",
        "Student price per million input tokens",
        "per 1M tokens",
        "Used when priced by token prices",
        number_format=PRICE,
    ),
    InputRow(
        "student_output_price_per_million",
        "student_output_price_per_million",
        "Student price per million output tokens",
        "per 1M tokens",
        "Used when priced by token prices",
        number_format=PRICE,
    ),
    InputRow(
        "gpu_hourly_cost",
        "gpu_hourly_cost",
        "GPU hourly cost",
        "per GPU-hour",
        "Used when self-hosted; paid around the clock",
        number_format=PRICE,
    ),
    InputRow(
        "calls_per_second_per_gpu",
        "calls_per_second_per_gpu",
        "Calls per second per GPU",
        "calls / s",
        "Throughput of one fully busy GPU",
        number_format=RATE,
    ),
    InputRow(
        "target_utilization",
        "target_utilization",
        "Target GPU utilisation",
        "share",
        "Load a GPU may run at during the peak, above 0 and at most 1",
        kind="share",
        number_format=SHARE,
    ),
    InputRow(
        "peak_factor",
        "peak_factor",
        "Peak factor",
        "× average",
        "Peak traffic ÷ average traffic, at least 1",
        number_format=RATE,
    ),
    InputRow(
        "escalation_share",
        "escalation_share",
        "Escalation share",
        "share of calls",
        "Calls the student hands back to the teacher",
        kind="share",
        number_format=SHARE,
    ),
    Section("Upfront cost"),
    InputRow(
        "upfront_total",
        "upfront_cost",
        "Upfront total",
        "money",
        "Leave blank to add up the items below",
    ),
    InputRow(
        "data_generation_cost",
        "data_generation_cost",
        "Data generation",
        "money",
        "Leave blank to cost the teacher labelling the corpus (below)",
    ),
    InputRow(
        "corpus_examples",
        "corpus_examples",
        "Corpus examples",
        "examples",
        "Examples the teacher labels",
        number_format=COUNT,
    ),
    InputRow(
        "data_generation_passes",
        "data_generation_passes",
        "Teacher calls per example",
        "calls",
        "E.g. 2 for a label and a rationale",
        number_format=RATE,
    ),
    InputRow(
        "batch_discount",
        "batch_discount",
        "Batch inference discount",
        "share",
        "0.5 = half price for offline batch calls",
        kind="share",
        number_format=SHARE,
    ),
    InputRow(
        "training_compute",
        "training_compute",
        "Training compute",
        "money",
        "The student training run(s)",
    ),
    InputRow(
        "evaluation_build",
        "evaluation_build",
        "Evaluation build",
        "money",
        "Leave blank to cost the days below",
    ),
    InputRow(
        "evaluation_days",
        "evaluation_days",
        "Evaluation build days",
        "engineer-days",
        "Frozen evaluation set, slices and harness",
        number_format=MONTHS,
    ),
    InputRow(
        "engineering_time",
        "engineering_time",
        "Engineering time",
        "money",
        "Leave blank to cost the days below",
    ),
    InputRow(
        "engineering_days",
        "engineering_days",
        "Engineering days",
        "engineer-days",
        "Running, debugging and validating the pipeline",
        number_format=MONTHS,
    ),
    InputRow("day_rate", "day_rate", "Engineer day rate", "money / day", "Fully loaded"),
    Section("Maintenance"),
    InputRow(
        "annual_maintenance",
        "annual_maintenance",
        "Annual maintenance",
        "money / year",
        "Leave blank to cost the redistillations below",
    ),
    InputRow(
        "redistillations_per_year",
        "redistillations_per_year",
        "Redistillations a year",
        "per year",
        "When the teacher or the data drift",
        number_format=MONTHS,
    ),
    InputRow(
        "redistillation_cost",
        "redistillation_cost",
        "Cost of one redistillation",
        "money",
        "Relabel, retrain, re-evaluate",
    ),
    Section("Upside (kept out of the headline)"),
    InputRow(
        "monthly_latency_value",
        "monthly_latency_value",
        "Value of faster answers",
        "money / month",
        "Only if tied to a metric you track; estimate conservatively",
    ),
    InputRow(
        "annual_new_capability_revenue",
        "annual_new_capability_revenue",
        "New-capability revenue",
        "money / year",
        "Revenue of features only the small model makes possible",
    ),
    Section("Decision"),
    InputRow(
        "target_payback_months",
        "target_payback_months",
        "Target payback",
        "months",
        "Under 3 is strong; over 12, reconsider",
        number_format=MONTHS,
    ),
    InputRow(
        "sensitivity_swing",
        None,
        "Sensitivity swing",
        "share",
        "How far the Sensitivity sheet moves each assumption (0.5 = ±50 %)",
        kind="share",
        number_format=SHARE,
    ),
)
"""The Inputs sheet, top to bottom."""

INPUT_ROWS: dict[str, InputRow] = {row.name: row for row in INPUTS if isinstance(row, InputRow)}

CONSTANTS: tuple[tuple[str, str, float, str], ...] = (
    ("hours_per_month", "Hours in a month (8,760 ÷ 12)", costs.HOURS_PER_MONTH, "hours"),
    ("seconds_per_hour", "Seconds in an hour", 3600.0, "seconds"),
    ("calls_per_1k", "Calls in a thousand", 1000.0, "calls"),
    ("months_per_year", "Months in a year", 12.0, "months"),
    ("low_volume_months", "Half the volume must pay back within", 12.0, "months"),
    ("unstable_share", "Maintenance above this share of savings flags the teacher", 0.5, "share"),
    ("score_decimals", "Quality score drops rounded to", 9.0, "decimal places"),
    ("check_tolerance", "Checks allow rounding differences up to", 1e-9, "of the figure"),
)
"""Fixed numbers the formulas use by name (no number is hard-coded in a formula)."""

HOSTED_TEST = "student_pricing=mode_self_hosted"
_HOSTED = HOSTED_TEST

NEVER_SAVINGS_TEXT = NEVER_PREFIX + roi.never_pays_back_reason(0.0)
NEVER_SHRINKING_TEXT = NEVER_PREFIX + roi.never_pays_back_reason(1.0)
NEVER_AFTER_MAINTENANCE_TEXT = NEVER_PREFIX + roi.NEVER_AFTER_MAINTENANCE


def _log1p_over(x: str) -> str:
    """LN(1 + x) ÷ x natively, as the core works it: LN(u) ÷ (u − 1) with u = 1 + x (Goldberg's
    form, accurate to rounding even for a tiny x), and 1 where u − 1 is 0."""
    return f"IF((1+{x})-1=0, 1, LN(1+{x})/((1+{x})-1))"


def native_payback(upfront: str, savings: str, growth: str) -> str:
    """PAYBACK in native functions: the core's :func:`xl_roi.roi.payback_months`, step by step,
    with its never-pays-back text."""
    flat = f"{upfront}/{savings}"
    ratio = f"{flat}*{growth}"
    return (
        f'IF({upfront}=0, 0, IF({savings}<=0, "{NEVER_SAVINGS_TEXT}", IF({growth}=0, {flat}, '
        f'IF({ratio}<=-1, "{NEVER_SHRINKING_TEXT}", '
        f"{flat}*({_log1p_over(ratio)}/{_log1p_over(growth)})))))"
    )


def native_savings(teacher: str, student: str, calls: str) -> str:
    """MONTHLY_SAVINGS natively: (teacher − student) × calls ÷ 1,000."""
    return f"({teacher}-{student})*{calls}/calls_per_1k"


def native_cost_per_1k(input_price: str, output_price: str) -> str:
    """COST_PER_1K natively: 1,000 × (tokens × price per million) ÷ 1,000,000."""
    return (
        f"calls_per_1k*(input_tokens_per_call*{input_price}+output_tokens_per_call*"
        f"{output_price})/(calls_per_1k*calls_per_1k)"
    )


_TEACHER_FROM_TOKENS = (
    "IF(ISNUMBER(teacher_input_price_per_million), "
    + native_cost_per_1k("teacher_input_price_per_million", "teacher_output_price_per_million")
    + ', "not used")'
)
_STUDENT_FROM_TOKENS = (
    "IF(student_pricing=mode_tokens, "
    + native_cost_per_1k("student_input_price_per_million", "student_output_price_per_million")
    + ', "not used")'
)


_LOG1P_GROWTH = (
    "IF((1+monthly_growth)-1=0, monthly_growth, "
    "LN(1+monthly_growth)*monthly_growth/((1+monthly_growth)-1))"
)
"""ln(1 + g) to rounding, natively (Goldberg's correction: spreadsheets have no LOG1P)."""


def _expm1(x: str) -> str:
    """e^x − 1 to rounding, natively: 2·sinh(x/2)·e^(x/2) (spreadsheets have no EXPM1; written
    as EXP(x) − 1 it loses every digit for a tiny x, as (1+g)^n − 1 does for a tiny growth)."""
    return f"(2*SINH(({x})/2)*EXP(({x})/2))"


def _target_factor() -> str:
    """First-month savings ÷ upfront at which payback equals the target: 1/T, or
    g ÷ ((1+g)^T − 1) with growth, (1+g)^T − 1 worked as the core does: expm1(T·log1p(g))."""
    return (
        "IF(monthly_growth=0, 1/target_payback_months, "
        f"monthly_growth/{_expm1('target_payback_months*' + _LOG1P_GROWTH)})"
    )


def native_breakeven() -> str:
    """BREAKEVEN_VOLUME natively: the core's :func:`xl_roi.roi.breakeven_volume`, with the
    whole-GPU step worked out by ROUNDUP."""
    needed = f"(upfront*{_target_factor()})"
    student = f"IF({_HOSTED}, escalation_share*teacher_cost, student_cost)"
    margin = f"(teacher_cost-{student})"
    gpu = "(gpu_hourly_cost*hours_per_month)"
    capacity = (
        "(calls_per_second_per_gpu*target_utilization*(hours_per_month*seconds_per_hour)"
        "/peak_factor)"
    )
    full = f"({capacity}*{margin}/calls_per_1k)"
    last_partial = f"(MAX(2, ROUNDUP(({needed}+{full})/({full}-{gpu}), 0))-1)"
    hosted = (
        f'IF(OR({needed}<0, {margin}<=0, NOT({full}>{gpu})), "{NO_BREAKEVEN_HOSTED_TEXT}", '
        f"MIN(({needed}+{last_partial}*{gpu})*calls_per_1k/{margin}, {capacity}*{last_partial}))"
    )
    per_call = (
        f'IF(OR({needed}<0, {margin}<=0), "{NO_BREAKEVEN_TEXT}", {needed}*calls_per_1k/{margin})'
    )
    return f"IF(upfront=0, 0, IF(AND({_HOSTED}, gpu_hourly_cost<>0), {hosted}, {per_call}))"


def native_verdict() -> str:
    """ROI_VERDICT natively: never or net ≤ 0 → do not distill; ≤ a quarter → strong (defensible
    while shrinking); ≤ a year → defensible when growing, else marginal; longer → reconsider."""
    return (
        'IF(OR(NOT(ISNUMBER(payback_months)), net_benefit_annual<=0), "do not distill", '
        "IF(payback_months<=months_per_year/4, "
        'IF(monthly_growth>=0, "strong", "defensible"), '
        'IF(payback_months<=months_per_year, IF(monthly_growth>0, "defensible", "marginal"), '
        '"reconsider")))'
    )


def _money(amount: str) -> str:
    """An amount as the pitch writes it: ``-USD 1,234`` (TEXT rounds half away from zero where
    Python rounds half to even: they differ only on an amount ending in exactly .5)."""
    return f'IF({amount}<0, "-", "")&currency&" "&TEXT(ABS({amount}), "#,##0")'


def _months(months: str) -> str:
    return f'TEXT({months}, "#,##0.0")&" months"'


QUALITY_JOIN_COLUMN = "J"
QUALITY_JOIN_LAST = f"'Quality'!${QUALITY_JOIN_COLUMN}${4 + MAX_QUALITY_SLICES}"
"""Quality's helper column (portable flavour): the failing critical slices' names, joined."""


def native_recommendation(joined_names: str) -> str:
    """RECOMMENDATION natively: the same sentences as :func:`xl_roi.pitch.recommendation_from_
    figures`, composed with IF over the same conditions; ``joined_names`` is the cell holding the
    failing business-critical slices' names as "a, b and c"."""
    reason = (
        "IF(student_cost>=teacher_cost, "
        '"The student costs "&IF(student_cost=teacher_cost, "as much", "more")&" per call than '
        'the teacher ("&TEXT(student_cost, "0.0000")&" against "&TEXT(teacher_cost, "0.0000")&'
        '" per 1,000 calls), so there is nothing to save.", '
        'IF(savings_monthly<=0, "There is no volume, so there is nothing to save.", '
        "IF(months_per_year*savings_monthly-maintenance<=0, "
        f'"Maintenance ("&{_money("maintenance")}&" a year) costs at least what the student '
        f'saves ("&{_money("(months_per_year*savings_monthly)")}&" a year): an unstable teacher '
        'or data that drift this often eat the savings.", '
        '"Volume shrinks faster than the savings can recover the upfront cost ("&'
        f'{_money("upfront")}&"): it never pays back.")))'
    )
    after = (
        "IF(AND(payback_months<=target_payback_months, IF(ISNUMBER(payback_net_of_maintenance), "
        'target_payback_months<payback_net_of_maintenance, TRUE)), " After maintenance "&'
        f'IF(ISNUMBER(payback_net_of_maintenance), "it pays back in "&'
        f'{_months("payback_net_of_maintenance")}, "it never pays back")&", beyond the "&'
        'target_payback_months&"-month target.", "")'
    )
    first_year = (
        f'IF(first_year_net<0, " The first year nets "&{_money("first_year_net")}&'
        '" after upfront and maintenance.", "")'
    )
    half = (
        'IF(low_volume_flag, " At half the volume payback is "&IF(ISNUMBER(half_payback), '
        f'{_months("half_payback")}, "never")&": the case rests on the volume estimate.", "")'
    )
    rest = f"{after}&{first_year}&{half}"
    verdict_sentence = (
        f'IF(verdict_label="strong", "{_SENTENCES["strong"]}", '
        f'IF(verdict_label="defensible", "{_SENTENCES["defensible"]}", '
        f'IF(verdict_label="marginal", "{_SENTENCES["marginal"]}", "{_SENTENCES["reconsider"]}")))'
    )
    first = (
        f'IF(critical_failures>0, "Not yet: the student fails "&{joined_names}&"; fix it before '
        f'funding.", IF(AND(LEN({rest})>0, LEFT({verdict_sentence}, 9)="Distill. "), '
        f'"Distill, with care. "&MID({verdict_sentence}, 10, 1000), {verdict_sentence}))'
    )
    return (
        f'IF(verdict_label="do not distill", "{_SENTENCES["do not distill"]} "&{reason}, '
        f"{first}&{rest})"
    )


NEWTON_STEPS = 40
"""Newton steps the portable flavour lays out for payback after maintenance with growth."""
NEWTON_SHEET_COLUMN = "H"
"""Where the steps sit: Calculations, this column, from :data:`NEWTON_FIRST_ROW`."""
NEWTON_FIRST_ROW = 6


def newton_cell(index: int) -> str:
    """The absolute reference of helper ``index`` (0: the start) on Calculations."""
    return f"${NEWTON_SHEET_COLUMN}${NEWTON_FIRST_ROW + 3 + index}"


_MONTHLY_MAINTENANCE = "(maintenance/months_per_year)"
_RATE = _LOG1P_GROWTH


def _gap(n: str) -> str:
    """Cumulative growing savings less maintenance after n months, less the upfront cost."""
    return (
        f"(savings_monthly*({_expm1(n + '*' + _LOG1P_GROWTH)}/monthly_growth)"
        f"-{_MONTHLY_MAINTENANCE}*{n}-upfront)"
    )


def _slope(n: str) -> str:
    return f"(savings_monthly*(1+monthly_growth)^{n}*{_RATE}/monthly_growth-{_MONTHLY_MAINTENANCE})"


def newton_helpers() -> list[tuple[str, str]]:
    """The portable flavour's helper cells for payback after maintenance with growth: label and
    formula, top to bottom (applies, the shrinking case's peak, whether it pays back, the start,
    then the Newton steps).

    The cumulative net f(n) = s·((1+g)^n − 1)/g − m·n − U is convex when volume grows: from a
    start right of the root (the root of the quadratic below f, from e^y ≥ 1 + y + y²/2) Newton
    steps fall to the root without overshooting. When volume shrinks f is concave and peaks once:
    from n = 0 (left of the root) Newton steps rise to it. :data:`NEWTON_STEPS` steps settle
    to rounding for any case whose payback is not at the peak itself.
    """
    applies = (
        "AND(ISNUMBER(payback_months), upfront>0, maintenance>0, monthly_growth<>0, "
        "savings_monthly>0)"
    )
    a_cell, peak_cell, pays_cell = (
        f"${NEWTON_SHEET_COLUMN}${NEWTON_FIRST_ROW + i}" for i in range(3)
    )
    a = f"(savings_monthly*{_RATE}*{_RATE}/(2*monthly_growth))"
    b = f"(savings_monthly*{_RATE}/monthly_growth-{_MONTHLY_MAINTENANCE})"
    disc = f"SQRT({b}*{b}+4*{a}*upfront)"
    start = f"IF({b}>0, 2*upfront/({b}+{disc}), ({disc}-{b})/(2*{a}))"
    rows = [
        ("Applies (growth and maintenance)", applies),
        (
            "Peak of the cumulative net (shrinking volume)",
            f"IF(AND({a_cell}, monthly_growth<0), LN({_MONTHLY_MAINTENANCE}*monthly_growth/"
            f'(savings_monthly*{_RATE}))/{_RATE}, "not used")',
        ),
        (
            "The cumulative net reaches zero",
            f"IF(ISNUMBER({peak_cell}), IF({peak_cell}>0, {_gap(peak_cell)}>=0, FALSE), {a_cell})",
        ),
        (
            "Start",
            f'IF(AND({a_cell}, {pays_cell}), IF(monthly_growth>0, {start}, 0), "not used")',
        ),
    ]
    for step in range(1, NEWTON_STEPS + 1):
        x = newton_cell(step - 1)
        rows.append(
            (f"Newton step {step}", f'IF(ISNUMBER({x}), {x}-{_gap(x)}/{_slope(x)}, "not used")')
        )
    return rows


def native_payback_after_maintenance() -> str:
    """PAYBACK_AFTER_MAINTENANCE natively: payback itself without maintenance or upfront; the
    closed form at flat volume; the last Newton step (:func:`newton_helpers`) with growth."""
    net = f"(savings_monthly-{_MONTHLY_MAINTENANCE})"
    last = newton_cell(NEWTON_STEPS)
    return (
        "IF(OR(upfront=0, maintenance=0, NOT(ISNUMBER(payback_months))), payback_months, "
        f"IF(monthly_growth=0, IF({net}>0, MAX(upfront/{net}, payback_months), "
        f'"{NEVER_AFTER_MAINTENANCE_TEXT}"), IF(ISNUMBER({last}), MAX({last}, payback_months), '
        f'"{NEVER_AFTER_MAINTENANCE_TEXT}")))'
    )


CALCULATIONS: tuple[Section | CalcRow, ...] = (
    Section("Teacher cost per 1,000 calls"),
    CalcRow(
        "teacher_cost_from_tokens",
        "From tokens and prices",
        "IF(ISNUMBER(teacher_input_price_per_million), COST_PER_1K(input_tokens_per_call, "
        "output_tokens_per_call, teacher_input_price_per_million, "
        'teacher_output_price_per_million), "not used")',
        "per 1k calls",
        PER_1K,
        "1000 × (tokens × price per million) ÷ 1,000,000",
        native=_TEACHER_FROM_TOKENS,
    ),
    CalcRow(
        "teacher_cost",
        "Teacher cost per 1,000 calls",
        "IF(ISNUMBER(teacher_cost_per_1k), teacher_cost_per_1k, teacher_cost_from_tokens)",
        "per 1k calls",
        PER_1K,
        "The input if given, else from tokens",
    ),
    Section("Student cost per 1,000 calls"),
    CalcRow(
        "student_cost_from_tokens",
        "From tokens and prices",
        "IF(student_pricing=mode_tokens, COST_PER_1K(input_tokens_per_call, "
        "output_tokens_per_call, student_input_price_per_million, "
        'student_output_price_per_million), "not used")',
        "per 1k calls",
        PER_1K,
        "When priced by token prices",
        native=_STUDENT_FROM_TOKENS,
    ),
    CalcRow(
        "peak_calls_per_second",
        "Peak calls per second",
        f'IF({_HOSTED}, peak_factor*monthly_calls/(hours_per_month*seconds_per_hour), "not used")',
        "calls / s",
        MONTHS,
        "Peak factor × average calls per second",
    ),
    CalcRow(
        "gpus",
        "GPUs needed (whole)",
        "IF(ISNUMBER(peak_calls_per_second), MAX(1, CEILING(peak_calls_per_second/"
        '(calls_per_second_per_gpu*target_utilization), 1)), "not used")',
        "GPUs",
        COUNT,
        "Peak ÷ (throughput × target utilisation), rounded up, at least 1",
    ),
    CalcRow(
        "self_hosted_cost",
        "Self-hosted cost per 1,000 calls",
        "IF(ISNUMBER(gpus), gpus*gpu_hourly_cost*hours_per_month/(monthly_calls/calls_per_1k), "
        '"not used")',
        "per 1k calls",
        PER_1K,
        "GPUs × hourly cost × 730 h ÷ thousands of calls",
    ),
    CalcRow(
        "serving_cost",
        "Student serving cost per 1,000 calls",
        "CHOOSE(MATCH(student_pricing, student_modes, 0), student_cost_per_1k, "
        "student_cost_from_tokens, self_hosted_cost)",
        "per 1k calls",
        PER_1K,
        "As the student is priced",
    ),
    CalcRow(
        "student_cost",
        "Student cost per 1,000 calls, with escalation",
        "serving_cost+escalation_share*teacher_cost",
        "per 1k calls",
        PER_1K,
        "Serving + escalation share × teacher cost",
    ),
    Section("Upfront cost"),
    CalcRow(
        "data_generation_from_corpus",
        "Data generation from the corpus",
        "IF(ISNUMBER(corpus_examples), DATA_GEN_COST(corpus_examples, teacher_cost, "
        'data_generation_passes, batch_discount), "not used")',
        "money",
        MONEY,
        "Examples × teacher cost ÷ 1,000 × passes × (1 − discount)",
        native="IF(ISNUMBER(corpus_examples), corpus_examples*teacher_cost/calls_per_1k*"
        "IF(ISNUMBER(data_generation_passes), data_generation_passes, 1)*(1-N(batch_discount)), "
        '"not used")',
    ),
    CalcRow(
        "data_generation",
        "Data generation",
        "IF(ISNUMBER(data_generation_cost), data_generation_cost, data_generation_from_corpus)",
        "money",
        MONEY,
        "The input if given, else from the corpus",
    ),
    CalcRow(
        "evaluation_cost",
        "Evaluation build",
        "IF(ISNUMBER(evaluation_build), evaluation_build, evaluation_days*day_rate)",
        "money",
        MONEY,
        "The input if given, else days × day rate",
    ),
    CalcRow(
        "engineering_cost",
        "Engineering time",
        "IF(ISNUMBER(engineering_time), engineering_time, engineering_days*day_rate)",
        "money",
        MONEY,
        "The input if given, else days × day rate",
    ),
    CalcRow(
        "upfront",
        "Upfront cost",
        "IF(ISNUMBER(upfront_total), upfront_total, UPFRONT_COST(data_generation, "
        "training_compute, evaluation_cost, engineering_cost))",
        "money",
        MONEY,
        "The total if given, else the sum of the items",
        native="IF(ISNUMBER(upfront_total), upfront_total, data_generation+training_compute+"
        "evaluation_cost+engineering_cost)",
    ),
    Section("Maintenance"),
    CalcRow(
        "maintenance",
        "Annual maintenance",
        "IF(ISNUMBER(annual_maintenance), annual_maintenance, "
        "redistillations_per_year*redistillation_cost)",
        "money / year",
        MONEY,
        "The input if given, else redistillations × their cost",
    ),
    Section("Headline"),
    CalcRow(
        "savings_monthly",
        "Monthly savings",
        "MONTHLY_SAVINGS(teacher_cost, student_cost, monthly_calls)",
        "money / month",
        MONEY,
        "(teacher − student per 1k) × calls ÷ 1,000",
        native=native_savings("teacher_cost", "student_cost", "monthly_calls"),
    ),
    CalcRow(
        "savings_annual",
        "Annual savings",
        "months_per_year*savings_monthly",
        "money / year",
        MONEY,
        "12 × monthly savings",
    ),
    CalcRow(
        "payback_months",
        "Payback",
        "PAYBACK(upfront, savings_monthly, monthly_growth)",
        "months",
        MONTHS,
        "Upfront ÷ savings (with growth: LN(1 + U·g/s) ÷ LN(1 + g))",
        native=native_payback("upfront", "savings_monthly", "monthly_growth"),
    ),
    CalcRow(
        "net_benefit_annual",
        "Annual net benefit",
        "NET_BENEFIT(savings_monthly, maintenance)",
        "money / year",
        MONEY,
        "12 × monthly savings − annual maintenance",
        native="months_per_year*savings_monthly-maintenance",
    ),
    CalcRow(
        "spend_cut",
        "Cut in inference spend",
        "SAVINGS_SHARE(teacher_cost, student_cost)",
        "share",
        SHARE,
        "(teacher − student) ÷ teacher",
        native="(teacher_cost-student_cost)/teacher_cost",
    ),
    CalcRow(
        "payback_net_of_maintenance",
        "Payback after maintenance",
        "PAYBACK_AFTER_MAINTENANCE(upfront, savings_monthly, maintenance, monthly_growth)",
        "months",
        MONTHS,
        "Months until savings less maintenance (a twelfth a month) recover the upfront cost",
        native=native_payback_after_maintenance(),
    ),
    CalcRow(
        "breakeven_calls",
        "Break-even volume: below it payback misses the target",
        f"BREAKEVEN_VOLUME(upfront, teacher_cost, IF({_HOSTED}, escalation_share*teacher_cost, "
        "student_cost), target_payback_months, monthly_growth, "
        f"IF({_HOSTED}, gpu_hourly_cost, 0), calls_per_second_per_gpu, target_utilization, "
        "peak_factor)",
        "calls / month",
        COUNT,
        "Calls a month, growing at the case's growth (whole GPUs when self-hosted), below "
        "which payback misses the target",
        native=native_breakeven(),
    ),
    CalcRow(
        "annual_serving_cost",
        "GPU serving a year (self-hosted)",
        "IF(ISNUMBER(gpus), gpus*hours_per_month*months_per_year*gpu_hourly_cost, 0)",
        "money / year",
        MONEY,
        "GPUs × 730 h × 12 × hourly cost; 0 when priced per call",
    ),
    CalcRow(
        "first_year_net",
        "First-year net after upfront and maintenance",
        "IF(monthly_growth=0, months_per_year*savings_monthly, savings_monthly*"
        f"{_expm1('months_per_year*' + _LOG1P_GROWTH)}/monthly_growth)-maintenance-upfront",
        "money",
        MONEY,
        "Twelve months of (growing) savings − maintenance − upfront",
    ),
    CalcRow(
        "verdict_label",
        "Verdict",
        "ROI_VERDICT(payback_months, net_benefit_annual, monthly_growth)",
        "",
        PLAIN,
        "Strong ≤ 3 months; defensible ≤ 12 and growing; marginal ≤ 12 flat",
        native=native_verdict(),
    ),
    Section("At half the volume (the first stress test)"),
    CalcRow(
        "half_calls",
        "Half the monthly calls",
        "monthly_calls/2",
        "calls / month",
        COUNT,
        "Monthly calls ÷ 2",
    ),
    CalcRow(
        "half_gpus",
        "GPUs needed at half volume",
        f"IF({_HOSTED}, MAX(1, CEILING(peak_factor*half_calls/(hours_per_month*"
        'seconds_per_hour)/(calls_per_second_per_gpu*target_utilization), 1)), "not used")',
        "GPUs",
        COUNT,
        "Whole GPUs are still paid for: the per-call cost rises",
    ),
    CalcRow(
        "half_serving_cost",
        "Student serving cost per 1,000 calls at half volume",
        "CHOOSE(MATCH(student_pricing, student_modes, 0), student_cost_per_1k, "
        "student_cost_from_tokens, half_gpus*gpu_hourly_cost*hours_per_month/"
        "(half_calls/calls_per_1k))",
        "per 1k calls",
        PER_1K,
        "As above, at half volume",
    ),
    CalcRow(
        "half_student_cost",
        "Student cost per 1,000 calls at half volume",
        "half_serving_cost+escalation_share*teacher_cost",
        "per 1k calls",
        PER_1K,
        "Serving + escalation",
    ),
    CalcRow(
        "half_savings",
        "Monthly savings at half volume",
        "MONTHLY_SAVINGS(teacher_cost, half_student_cost, half_calls)",
        "money / month",
        MONEY,
        "As above, at half volume",
        native=native_savings("teacher_cost", "half_student_cost", "half_calls"),
    ),
    CalcRow(
        "half_payback",
        "Payback at half volume",
        "PAYBACK(upfront, half_savings, monthly_growth)",
        "months",
        MONTHS,
        "Acceptable here means the case is robust to volume",
        native=native_payback("upfront", "half_savings", "monthly_growth"),
    ),
    Section("Flags"),
    CalcRow(
        "low_volume_flag",
        "Low volume",
        "IF(ISNUMBER(half_payback), half_payback>low_volume_months, TRUE)",
        "",
        TRUE_FALSE,
        "Half the volume no longer pays back within a year",
    ),
    CalcRow(
        "unstable_teacher_flag",
        "Unstable teacher",
        "AND(savings_annual>0, maintenance>unstable_share*savings_annual)",
        "",
        TRUE_FALSE,
        "Maintenance eats most of the savings",
    ),
    CalcRow(
        "quality_risk_flag",
        "Quality risk",
        "critical_failures>0",
        "",
        TRUE_FALSE,
        "A business-critical slice fails its tolerance (Quality sheet)",
    ),
    CalcRow(
        "recommendation_text",
        "Recommendation",
        "RECOMMENDATION(upfront, savings_monthly, maintenance, target_payback_months, "
        "teacher_cost, student_cost, half_payback, monthly_growth, slice_critical_failing, "
        "currency)",
        "",
        PLAIN,
        "The verdict's sentence, changed by the flags, as the pitch words it",
        native=native_recommendation(QUALITY_JOIN_LAST),
    ),
    Section("Cross-check helpers"),
    CalcRow(
        "payback_flat",
        "Payback by plain arithmetic, flat volume",
        'IF(AND(ISNUMBER(payback_months), savings_monthly>0), upfront/savings_monthly, "never")',
        "months",
        MONTHS,
        "Upfront ÷ monthly savings",
    ),
    CalcRow(
        "payback_grown",
        "Payback by plain arithmetic, with growth",
        "IF(AND(ISNUMBER(payback_months), savings_monthly>0, "
        "ABS(monthly_growth)>check_tolerance), "
        "LN(1+upfront*monthly_growth/savings_monthly)/LN(1+monthly_growth), "
        '"not used")',
        "months",
        MONTHS,
        "LN(1 + upfront × g ÷ savings) ÷ LN(1 + g)",
    ),
    CalcRow(
        "payback_plain",
        "Payback by plain arithmetic",
        "CHOOSE(1+(monthly_growth<>0), payback_flat, payback_grown)",
        "months",
        MONTHS,
        "Flat or with growth, as the case",
    ),
)
"""The Calculations sheet, top to bottom (the cash-flow schedule follows it)."""

CALC_ROWS: dict[str, CalcRow] = {row.name: row for row in CALCULATIONS if isinstance(row, CalcRow)}


def input_values(case: Case, swing: float = 0.5) -> dict[str, Any]:
    """The value of every input cell for a case (``None``: left blank).

    An itemised upfront cost writes training compute as 0 when the case leaves it out, so the
    sum of the items never meets a blank.
    """
    values: dict[str, Any] = {}
    for row in INPUT_ROWS.values():
        if row.field is not None:
            value = getattr(case, row.field)
            values[row.name] = float(value) if isinstance(value, int | float) else value
    values["student_pricing"] = student_pricing(case).value
    values["sensitivity_swing"] = float(swing)
    if case.upfront_cost is None and case.training_compute is None:
        values["training_compute"] = 0.0
    return values


def _number(value: Any) -> bool:
    return isinstance(value, float | int) and not isinstance(value, bool)


def _blank_as_zero(value: Any) -> float:
    return float(value) if _number(value) else 0.0


def _payback_text(upfront: float, savings: float, growth: float) -> float | str:
    months = roi.payback_months(upfront, savings, growth)
    return NEVER_PREFIX + roi.never_pays_back_reason(savings) if math.isinf(months) else months


def _payback_after_maintenance_text(
    upfront: float, savings: float, maintenance: float, growth: float
) -> float | str:
    months = roi.payback_after_maintenance_months(upfront, savings, maintenance, growth)
    if not math.isinf(months):
        return months
    if math.isinf(roi.payback_months(upfront, savings, growth)):
        return NEVER_PREFIX + roi.never_pays_back_reason(savings)
    return NEVER_PREFIX + roi.NEVER_AFTER_MAINTENANCE


def mirror_values(case: Case, swing: float = 0.5) -> dict[str, Any]:
    """The value of every input, constant and named calculation, as the formulas give it.

    Worked row by row as each formula reads, with the core functions the Excel functions call,
    so that these are the results Excel shows after recalculating.

    Examples
    --------
    >>> from xl_roi import example_case
    >>> values = mirror_values(example_case())
    >>> values["savings_monthly"], values["upfront"], values["verdict_label"]
    (10560.0, 33750.0, 'defensible')
    """
    v: dict[str, Any] = dict(input_values(case, swing))
    v.update({name: value for name, _, value, _ in CONSTANTS})
    hosted = v["student_pricing"] == MODE_SELF_HOSTED
    seconds_per_month = v["hours_per_month"] * v["seconds_per_hour"]

    v["teacher_cost_from_tokens"] = (
        costs.cost_per_1k_calls(
            v["input_tokens_per_call"],
            v["output_tokens_per_call"],
            v["teacher_input_price_per_million"],
            v["teacher_output_price_per_million"],
        )
        if _number(v["teacher_input_price_per_million"])
        else NOT_USED
    )
    teacher = (
        v["teacher_cost_per_1k"]
        if _number(v["teacher_cost_per_1k"])
        else v["teacher_cost_from_tokens"]
    )
    v["teacher_cost"] = teacher
    v["student_cost_from_tokens"] = (
        costs.cost_per_1k_calls(
            v["input_tokens_per_call"],
            v["output_tokens_per_call"],
            v["student_input_price_per_million"],
            v["student_output_price_per_million"],
        )
        if v["student_pricing"] == MODE_TOKENS
        else NOT_USED
    )

    # The formulas' whole-GPU arithmetic, in the core's functions (same order of operations).
    hosting_inputs = (v["calls_per_second_per_gpu"], v["target_utilization"], v["peak_factor"])

    def gpus_for(calls: float) -> float:
        return float(costs.self_hosted_gpus(calls, *hosting_inputs))

    def serving_at(calls: float) -> Any:
        if v["student_pricing"] == MODE_PER_1K:
            return v["student_cost_per_1k"]
        if v["student_pricing"] == MODE_TOKENS:
            return v["student_cost_from_tokens"]
        return costs.self_hosted_cost_per_1k_calls(calls, v["gpu_hourly_cost"], *hosting_inputs)

    calls = v["monthly_calls"]
    v["peak_calls_per_second"] = (
        v["peak_factor"] * calls / seconds_per_month if hosted else NOT_USED
    )
    v["gpus"] = gpus_for(calls) if hosted else NOT_USED
    v["self_hosted_cost"] = serving_at(calls) if hosted else NOT_USED
    v["serving_cost"] = serving_at(calls)
    v["student_cost"] = v["serving_cost"] + v["escalation_share"] * teacher

    v["data_generation_from_corpus"] = (
        costs.data_generation_cost(
            v["corpus_examples"], teacher, v["data_generation_passes"], v["batch_discount"]
        )
        if _number(v["corpus_examples"])
        else NOT_USED
    )
    v["data_generation"] = (
        v["data_generation_cost"]
        if _number(v["data_generation_cost"])
        else v["data_generation_from_corpus"]
    )
    v["evaluation_cost"] = (
        v["evaluation_build"]
        if _number(v["evaluation_build"])
        else _blank_as_zero(v["evaluation_days"]) * _blank_as_zero(v["day_rate"])
    )
    v["engineering_cost"] = (
        v["engineering_time"]
        if _number(v["engineering_time"])
        else _blank_as_zero(v["engineering_days"]) * _blank_as_zero(v["day_rate"])
    )
    upfront = (
        v["upfront_total"]
        if _number(v["upfront_total"])
        else costs.upfront_cost(
            v["data_generation"],
            v["training_compute"],
            v["evaluation_cost"],
            v["engineering_cost"],
        )
    )
    v["upfront"] = upfront
    maintenance = (
        v["annual_maintenance"]
        if _number(v["annual_maintenance"])
        else v["redistillations_per_year"] * v["redistillation_cost"]
    )
    v["maintenance"] = maintenance

    growth = v["monthly_growth"]
    savings = roi.monthly_savings(teacher, v["student_cost"], calls)
    v["savings_monthly"] = savings
    v["savings_annual"] = v["months_per_year"] * savings
    v["payback_months"] = _payback_text(upfront, savings, growth)
    v["net_benefit_annual"] = roi.annual_net_benefit(savings, maintenance)
    v["spend_cut"] = roi.savings_share(teacher, v["student_cost"])
    v["payback_net_of_maintenance"] = _payback_after_maintenance_text(
        upfront, savings, maintenance, growth
    )
    hosting: dict[str, Any] = {}
    per_call = v["student_cost"]
    if hosted:
        per_call = v["escalation_share"] * teacher
        if v["gpu_hourly_cost"] != 0:  # BREAKEVEN_VOLUME reads 0 as priced per call
            hosting = dict(
                zip(
                    ("calls_per_second_per_gpu", "target_utilization", "peak_factor"),
                    hosting_inputs,
                    strict=True,
                ),
                gpu_hourly_cost=v["gpu_hourly_cost"],
            )
    breakeven = roi.breakeven_volume(
        upfront, teacher, per_call, v["target_payback_months"], growth, **hosting
    )
    if math.isinf(breakeven):
        v["breakeven_calls"] = NO_BREAKEVEN_HOSTED_TEXT if hosting else NO_BREAKEVEN_TEXT
    else:
        v["breakeven_calls"] = breakeven
    v["annual_serving_cost"] = (
        v["gpus"] * v["hours_per_month"] * v["months_per_year"] * v["gpu_hourly_cost"]
        if hosted
        else 0.0
    )
    # the kernel's, as evaluate has it (the cell works (1+g)^12 − 1 natively: see _expm1)
    v["first_year_net"] = _kernel.first_year_net(upfront, savings, maintenance, growth)
    months = v["months_per_year"]
    payback = v["payback_months"]
    v["verdict_label"] = verdict(
        math.inf if isinstance(payback, str) else payback, v["net_benefit_annual"], growth
    )

    half = calls / 2
    v["half_calls"] = half
    v["half_gpus"] = gpus_for(half) if hosted else NOT_USED
    v["half_serving_cost"] = serving_at(half)
    v["half_student_cost"] = v["half_serving_cost"] + v["escalation_share"] * teacher
    v["half_savings"] = roi.monthly_savings(teacher, v["half_student_cost"], half)
    v["half_payback"] = _payback_text(upfront, v["half_savings"], growth)

    critical_failures = sum(
        1 for item in case.quality_slices if item.business_critical and not item.passed
    )
    v["critical_failures"] = float(critical_failures)
    v["low_volume_flag"] = (
        v["half_payback"] > v["low_volume_months"] if _number(v["half_payback"]) else True
    )
    v["unstable_teacher_flag"] = savings * months > 0 and maintenance > v["unstable_share"] * (
        months * savings
    )
    v["quality_risk_flag"] = critical_failures > 0
    half_payback = v["half_payback"]
    v["recommendation_text"] = recommendation_from_figures(
        upfront,
        savings,
        maintenance,
        v["target_payback_months"],
        teacher,
        v["student_cost"],
        math.inf if isinstance(half_payback, str) else half_payback,
        growth,
        [item.name for item in case.quality_slices if item.business_critical and not item.passed],
        v["currency"],
    )
    pays = _number(payback) and savings > 0
    v["payback_flat"] = upfront / savings if pays else "never"
    v["payback_grown"] = (
        math.log(1 + upfront * growth / savings) / math.log(1 + growth)
        if pays and abs(growth) > v["check_tolerance"]
        else NOT_USED
    )
    v["payback_plain"] = v["payback_grown"] if growth != 0 else v["payback_flat"]
    return v


def newton_values(v: dict[str, Any]) -> list[Any]:
    """The values of :func:`newton_helpers`' cells, worked as their formulas read."""
    growth, savings, upfront = v["monthly_growth"], v["savings_monthly"], v["upfront"]
    monthly = v["maintenance"] / v["months_per_year"]
    applies = (
        _number(v["payback_months"])
        and upfront > 0
        and v["maintenance"] > 0
        and growth != 0
        and savings > 0
    )

    u = 1 + growth
    log1p = growth if u - 1 == 0 else math.log(u) * growth / (u - 1)
    rate = log1p

    def gap(n: float) -> float:
        x = n * log1p
        grown = 2 * math.sinh(x / 2) * math.exp(x / 2)
        return float(savings * (grown / growth) - monthly * n - upfront)

    def slope(n: float) -> float:
        grown: float = (1 + growth) ** n
        return float(savings * grown * rate / growth - monthly)

    peak: Any = NOT_USED
    if applies and growth < 0:
        peak = math.log(monthly * growth / (savings * rate)) / rate
    pays = (peak > 0 and gap(peak) >= 0) if _number(peak) else applies
    start: Any = NOT_USED
    if applies and pays:
        if growth > 0:
            a = savings * rate * rate / (2 * growth)
            b = savings * rate / growth - monthly
            disc = math.sqrt(b * b + 4 * a * upfront)
            start = 2 * upfront / (b + disc) if b > 0 else (disc - b) / (2 * a)
        else:
            start = 0.0
    values: list[Any] = [applies, peak, pays, start]
    x = start
    for _ in range(NEWTON_STEPS):
        if _number(x):
            x = x - gap(x) / slope(x)
        values.append(x)
    return values
