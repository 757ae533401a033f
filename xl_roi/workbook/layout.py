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

from xl_roi import _kernel, cashflow, costs, roi
from xl_roi.bounds import BOUNDS, Bound
from xl_roi.case import MAX_QUALITY_SLICES, Case
from xl_roi.fields import (
    COUNT_FORMAT,
    FIELDS,
    MONEY_FORMAT,
    PRICE_FORMAT,
    RATE_FORMAT,
    SHARE_FORMAT,
    TENTHS_FORMAT,
)
from xl_roi.pitch import RECOMMENDATION as _SENTENCES
from xl_roi.pitch import (
    WORSE_ANSWERS_COST_MORE,
    recommendation_from_figures,
    worse_answers_sentence,
)
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

MONEY = MONEY_FORMAT
"""Amounts of money, everywhere: whole units of the case's currency, thousands separated."""
PRICE = PRICE_FORMAT
"""Prices (per 1,000 calls, per GPU-hour, per million tokens): always two decimals."""
RATE = RATE_FORMAT
"""Throughputs and multipliers (calls per second, peak factor)."""
COUNT = COUNT_FORMAT
SHARE = SHARE_FORMAT
MONTHS = TENTHS_FORMAT
PLAIN = "General"
TRUE_FALSE = '"TRUE";"TRUE";"FALSE"'
"""A yes/no result reads TRUE or FALSE, even where a program stored it as 1 or 0."""
WHOLE_NUMBER = "0"
"""Month numbers and counts of slices: a whole number, no separator."""
SCORE_DROP = "0.00##"
"""A quality slice's scores and score drop, one format for the column: two decimals, up to four
when typed (0.90 beside 0.96, never 0.9)."""
MULTIPLIER = "0.0#"
"""A factor such as the peak over average traffic: one or two decimals."""
PER_SECOND = "#,##0.00"
"""Calls a second: two decimals, so that a quiet endpoint's 0.03 never reads 0.0."""
NEWTON_STEP = "0.000000000"
"""A step of the portable flavour's payback search: nine decimals, to see it converge."""
TOLERANCE = "0.0000000%"
"""The checks' rounding tolerance: small enough to need seven decimals of a per cent."""


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


def _inputs_sheet() -> tuple[Section | InputRow, ...]:
    """The Inputs sheet's rows: each registry field with a cell, under its heading."""
    rows: list[Section | InputRow] = []
    for entry in FIELDS.values():
        if entry.cell is None:
            continue
        if not rows or entry.heading != _heading_of(rows):
            rows.append(Section(entry.heading))
        rows.append(
            InputRow(
                entry.cell,
                entry.name if entry.in_case else None,
                entry.label,
                entry.unit,
                entry.help,
                kind=entry.kind,
                number_format=entry.number_format,
            )
        )
    return tuple(rows)


def _heading_of(rows: list[Section | InputRow]) -> str:
    """The title of the last section among ``rows``."""
    return next(row.title for row in reversed(rows) if isinstance(row, Section))


INPUTS: tuple[Section | InputRow, ...] = _inputs_sheet()
"""The Inputs sheet, top to bottom."""

INPUT_ROWS: dict[str, InputRow] = {row.name: row for row in INPUTS if isinstance(row, InputRow)}

ADDED_LATER = frozenset(
    {"discount_rate", "horizon_months", "cost_per_error", "teacher_p95_ms", "student_p95_ms"}
)
"""Inputs a workbook built before them lacks: read back, a missing one is left at its default
(0 %, 36 months, no cost of a wrong answer, no latencies), so such a workbook gives the numbers
it always gave."""

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


def native_verdict(payback: str = "payback_months", net: str = "net_benefit_annual") -> str:
    """ROI_VERDICT natively: never or net ≤ 0 → do not distill; ≤ a quarter → strong (defensible
    while shrinking); ≤ a year → defensible when growing, else marginal; longer → reconsider."""
    return (
        f'IF(OR(NOT(ISNUMBER({payback})), {net}<=0), "do not distill", '
        f"IF({payback}<=months_per_year/4, "
        'IF(monthly_growth>=0, "strong", "defensible"), '
        f'IF({payback}<=months_per_year, IF(monthly_growth>0, "defensible", "marginal"), '
        '"reconsider")))'
    )


DISCOUNTED_NEVER_TEXT = (
    NEVER_PREFIX + "the discounted savings less maintenance never recover the upfront cost"
)
NO_IRR_TEXT = (
    "#NUM! no rate of return: the cash never changes sign (nothing upfront, or nothing earned)"
)
QUALITY_NOT_COSTED_TEXT = "not computed: the case gives no cost per error"
QUALITY_SHARE_UNKNOWN_TEXT = (
    "not computed: a slice whose score drops has no traffic share or cost per error (see Quality)"
)
SLICE_SHARE_UNKNOWN_TEXT = "not computed: traffic share unknown"
SLICE_COST_UNKNOWN_TEXT = "not computed: cost per error unknown"
QUALITY_NO_SLICES_TEXT = "not computed: the case has no quality slices"
QUALITY_NOT_COMPUTED = "not computed"
"""What the quality cost and the figures adjusted by it show when it is not computed."""


def native_npv() -> str:
    """NPV_BENEFIT natively, in closed form: −U + s/f · Σ q^k (k < h) − m · Σ f^−k (k ≤ h), with
    f = 1 + the monthly rate, q = (1 + g)/f and m a month's maintenance. Both sums are
    geometric: (q^h − 1)/(q − 1) worked as expm1(h·log1p(q − 1))/(q − 1), so that a growth close
    to the rate keeps its digits; h when q is 1 (or the rate 0)."""
    rate = "((1+discount_rate)^(1/months_per_year)-1)"
    q1 = f"((monthly_growth-{rate})/(1+{rate}))"
    grown = (
        f"IF({q1}=0, horizon_months, {_expm1('horizon_months*' + q1 + '*' + _log1p_over(q1))}/{q1})"
    )
    kept = f"IF({rate}=0, horizon_months, (1-(1+{rate})^(-horizon_months))/{rate})"
    return f"-upfront+savings_monthly/(1+{rate})*{grown}-(maintenance/months_per_year)*{kept}"


CASH_TABLE_COLUMNS = ("J", "K", "L", "M")
"""Portable flavour, Calculations: month, cash within the horizon, discounted cumulative cash
after maintenance, and where it first turns positive (interpolated)."""
CASH_TABLE_FIRST_ROW = 6
"""Month 0's row (the headers above it)."""
CASH_TABLE_HEADERS = (
    "Month",
    "Cash within the horizon",
    "Discounted cumulative cash after maintenance",
    "Turns positive at (months)",
)


CASH_HORIZON_MONTHS = int(BOUNDS["horizon_months"].maximum or 600)
"""The longest horizon: the cash column stops there (discounted payback looks on to
:data:`xl_roi.cashflow.PAYBACK_SEARCH_MONTHS`)."""


def _cash_range(column: str) -> str:
    first = CASH_TABLE_FIRST_ROW
    months = (
        CASH_HORIZON_MONTHS if column == CASH_TABLE_COLUMNS[1] else cashflow.PAYBACK_SEARCH_MONTHS
    )
    return f"${column}${first}:${column}${first + months}"


def cash_table_formulas(month: int) -> tuple[str | None, str | None, str, str | None]:
    """The portable flavour's cash table row for a month (``None``: a typed month number, or
    nothing): month 0 is −upfront; month m is the savings of that month less a twelfth of the
    maintenance, discounted monthly, as :func:`xl_roi.cashflow.discounted_payback` adds them."""
    r = CASH_TABLE_FIRST_ROW + month
    month_cell, _cash, cumulative, _crossing = (f"{column}{r}" for column in CASH_TABLE_COLUMNS)
    if month == 0:
        return None, "-upfront", "-upfront", None
    previous = f"{CASH_TABLE_COLUMNS[2]}{r - 1}"
    flow = f"(savings_monthly*(1+monthly_growth)^({month_cell}-1)-maintenance/months_per_year)"
    rate = "((1+discount_rate)^(1/months_per_year)-1)"
    return (
        None,
        f"IF({month_cell}<=horizon_months, {flow}, 0)" if month <= CASH_HORIZON_MONTHS else None,
        f"{previous}+{flow}/(1+{rate})^{month_cell}",
        f"IF(AND({previous}<0, {cumulative}>=0), ({month_cell}-1)+(-{previous})/"
        f'({cumulative}-{previous}), "")',
    )


def native_discounted_payback() -> str:
    """DISCOUNTED_PAYBACK natively: 0 with nothing upfront; at a 0 % rate, payback after
    maintenance; otherwise the first month the discounted cumulative cash (the cash table)
    turns positive, interpolated; never within the table's hundred years."""
    crossings = _cash_range(CASH_TABLE_COLUMNS[3])
    return (
        f"IF(upfront=0, 0, IF(discount_rate=0, IF(ISNUMBER(payback_net_of_maintenance), "
        f'payback_net_of_maintenance, "{DISCOUNTED_NEVER_TEXT}"), IF(COUNT({crossings})=0, '
        f'"{DISCOUNTED_NEVER_TEXT}", MIN({crossings}))))'
    )


def native_irr() -> str:
    """ANNUAL_IRR natively: IRR of the monthly cash within the horizon (the cash table; the
    months past it are 0, which leaves the rate as it is), annualised; the no-rate text when the
    cash never changes sign or IRR finds no rate. IRR starts its search at 0, so that where the
    cash changes sign more than once it finds the rate nearest zero, as numpy-financial does."""
    cash = _cash_range(CASH_TABLE_COLUMNS[1])
    return (
        f'IF(AND(COUNTIF({cash}, "<0")>0, COUNTIF({cash}, ">0")>0), '
        f'IFERROR((1+IRR({cash}, 0))^months_per_year-1, "{NO_IRR_TEXT}"), "{NO_IRR_TEXT}")'
    )


def cash_table_values(v: dict[str, Any]) -> list[tuple[float, float, float | str]]:
    """The cash table's stored values, month by month (the formulas' arithmetic)."""
    upfront, savings, maintenance = v["upfront"], v["savings_monthly"], v["maintenance"]
    growth, horizon = v["monthly_growth"], v["horizon_months"]
    rate = (1 + v["discount_rate"]) ** (1 / v["months_per_year"]) - 1
    rows: list[tuple[float, float, float | str]] = [(-upfront, -upfront, "")]
    for month in range(1, cashflow.PAYBACK_SEARCH_MONTHS + 1):
        flow = savings * (1 + growth) ** (month - 1) - maintenance / v["months_per_year"]
        previous = rows[-1][1]
        cumulative = previous + flow / (1 + rate) ** month
        crossing: float | str = ""
        if previous < 0 and cumulative >= 0:
            crossing = (month - 1) + (-previous) / (cumulative - previous)
        rows.append((flow if month <= horizon else 0.0, cumulative, crossing))
    return rows


def slice_quality_cost(r: int) -> str:
    """A Quality row's monthly cost of worse answers (as :mod:`xl_roi.quality_cost` works it):
    blank for an empty row; 0 when the score does not drop; otherwise share × drop × calls ×
    cost per error (the slice's own, else the case's), or why it is not computed."""
    drop = f"MAX(0, C{r}-D{r})"
    cost = f"IF(ISNUMBER(J{r}), J{r}, cost_per_error)"
    return (
        f'IF(NOT(ISNUMBER(C{r})), "", IF({drop}=0, 0, '
        f'IF(NOT(ISNUMBER(I{r})), "{SLICE_SHARE_UNKNOWN_TEXT}", '
        f"IF(AND(NOT(ISNUMBER(J{r})), NOT(ISNUMBER(cost_per_error))), "
        f'"{SLICE_COST_UNKNOWN_TEXT}", I{r}*{drop}*monthly_calls*{cost}))))'
    )


def _money(amount: str) -> str:
    """An amount as the pitch writes it: ``(USD 1,234)`` for a loss (TEXT rounds half away from
    zero where Python rounds half to even: they differ only on an amount ending in exactly .5)."""
    loss = f"ROUND({amount}, 0)<0"
    return f'IF({loss}, "(", "")&currency&" "&TEXT(ABS({amount}), "#,##0")&IF({loss}, ")", "")'


def _months(months: str) -> str:
    return f'TEXT({months}, "#,##0.0")&" months"'


_WORSE_ANSWERS_DECIDE = 'quality_adjusted_reason<>""'
_WORSE_ANSWERS_SENTENCE = (
    f'"{_SENTENCES["do not distill"]} {WORSE_ANSWERS_COST_MORE}: about "&'
    f'{_money("quality_cost_monthly")}&" a month lost to the student\'s wrong answers against "&'
    f'{_money("savings_monthly")}&" a month of compute saved (on compute alone: "&'
    'verdict_label&")."'
)
"""The recommendation when worse answers cost more than the compute saved
(:func:`xl_roi.pitch.worse_answers_sentence`)."""

QUALITY_JOIN_COLUMN = "N"
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
        PRICE,
        "1000 × (tokens × price per million) ÷ 1,000,000",
        native=_TEACHER_FROM_TOKENS,
    ),
    CalcRow(
        "teacher_cost",
        "Teacher cost per 1,000 calls",
        "IF(ISNUMBER(teacher_cost_per_1k), teacher_cost_per_1k, teacher_cost_from_tokens)",
        "per 1k calls",
        PRICE,
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
        PRICE,
        "When priced by token prices",
        native=_STUDENT_FROM_TOKENS,
    ),
    CalcRow(
        "peak_calls_per_second",
        "Peak calls per second",
        f'IF({_HOSTED}, peak_factor*monthly_calls/(hours_per_month*seconds_per_hour), "not used")',
        "calls / s",
        PER_SECOND,
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
        PRICE,
        "GPUs × hourly cost × 730 h ÷ thousands of calls",
    ),
    CalcRow(
        "serving_cost",
        "Student serving cost per 1,000 calls",
        "CHOOSE(MATCH(student_pricing, student_modes, 0), student_cost_per_1k, "
        "student_cost_from_tokens, self_hosted_cost)",
        "per 1k calls",
        PRICE,
        "As the student is priced",
    ),
    CalcRow(
        "student_cost",
        "Student cost per 1,000 calls, with escalation",
        "serving_cost+escalation_share*teacher_cost",
        "per 1k calls",
        PRICE,
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
        "Break-even volume: from it up payback meets the target",
        f"BREAKEVEN_VOLUME(upfront, teacher_cost, IF({_HOSTED}, escalation_share*teacher_cost, "
        "student_cost), target_payback_months, monthly_growth, "
        f"IF({_HOSTED}, gpu_hourly_cost, 0), calls_per_second_per_gpu, target_utilization, "
        "peak_factor)",
        "calls / month",
        COUNT,
        "Calls a month, growing at the case's growth (whole GPUs when self-hosted), from "
        "which payback meets the target at every higher volume; just below it, it misses",
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
        PRICE,
        "As above, at half volume",
    ),
    CalcRow(
        "half_student_cost",
        "Student cost per 1,000 calls at half volume",
        "half_serving_cost+escalation_share*teacher_cost",
        "per 1k calls",
        PRICE,
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
        f"IF({_WORSE_ANSWERS_DECIDE}, {_WORSE_ANSWERS_SENTENCE}, "
        "RECOMMENDATION(upfront, savings_monthly, maintenance, target_payback_months, "
        "teacher_cost, student_cost, half_payback, monthly_growth, slice_critical_failing, "
        "currency))",
        "",
        PLAIN,
        "The verdict's sentence, changed by the flags, as the pitch words it",
        native=(
            f"IF({_WORSE_ANSWERS_DECIDE}, {_WORSE_ANSWERS_SENTENCE}, "
            f"{native_recommendation(QUALITY_JOIN_LAST)})"
        ),
    ),
    Section("Time value of money"),
    CalcRow(
        "value_today",
        "Worth today (net present value over the horizon)",
        "NPV_BENEFIT(upfront, savings_monthly, maintenance, discount_rate, horizon_months, "
        "monthly_growth)",
        "money",
        MONEY,
        "Each month's net cash over the horizon, discounted monthly",
        native=native_npv(),
    ),
    CalcRow(
        "payback_discounted",
        "Discounted payback",
        "DISCOUNTED_PAYBACK(upfront, savings_monthly, maintenance, discount_rate, monthly_growth)",
        "months",
        MONTHS,
        "When the discounted cash after maintenance turns positive",
        native=native_discounted_payback(),
    ),
    CalcRow(
        "rate_of_return",
        "Rate of return a year (IRR over the horizon)",
        "ANNUAL_IRR(upfront, savings_monthly, maintenance, horizon_months, monthly_growth)",
        "share / year",
        SHARE,
        "The rate at which the value today is zero, annualised",
        native=native_irr(),
    ),
    Section("The cost of worse answers"),
    CalcRow(
        "quality_cost_monthly",
        "Cost of worse answers a month",
        f"IF(AND(NOT(ISNUMBER(cost_per_error)), COUNT(slice_costs_per_error)=0), "
        f'"{QUALITY_NOT_COSTED_TEXT}", IF(slices_total=0, "{QUALITY_NO_SLICES_TEXT}", '
        f'IF(COUNTIF(slice_quality_cost, "not computed*")>0, "{QUALITY_SHARE_UNKNOWN_TEXT}", '
        "SUM(slice_quality_cost))))",
        "money / month",
        MONEY,
        "Σ share × score drop × calls × cost per error (see Quality)",
    ),
    CalcRow(
        "quality_adjusted_savings",
        "Quality-adjusted monthly savings",
        f"IF(ISNUMBER(quality_cost_monthly), savings_monthly-quality_cost_monthly, "
        f'"{QUALITY_NOT_COMPUTED}")',
        "money / month",
        MONEY,
        "Monthly savings − cost of worse answers",
    ),
    CalcRow(
        "quality_adjusted_payback",
        "Quality-adjusted payback",
        f"IF(ISNUMBER(quality_adjusted_savings), PAYBACK(upfront, quality_adjusted_savings, "
        f'monthly_growth), "{QUALITY_NOT_COMPUTED}")',
        "months",
        MONTHS,
        "Payback on the quality-adjusted savings",
        native=(
            "IF(ISNUMBER(quality_adjusted_savings), "
            f"{native_payback('upfront', 'quality_adjusted_savings', 'monthly_growth')}, "
            f'"{QUALITY_NOT_COMPUTED}")'
        ),
    ),
    CalcRow(
        "quality_adjusted_net",
        "Quality-adjusted annual net benefit",
        "IF(ISNUMBER(quality_adjusted_savings), months_per_year*quality_adjusted_savings-"
        f'maintenance, "{QUALITY_NOT_COMPUTED}")',
        "money / year",
        MONEY,
        "12 × quality-adjusted savings − annual maintenance",
    ),
    CalcRow(
        "quality_adjusted_verdict",
        "Quality-adjusted verdict",
        "IF(ISNUMBER(quality_adjusted_savings), ROI_VERDICT(quality_adjusted_payback, "
        f'quality_adjusted_net, monthly_growth), "{QUALITY_NOT_COMPUTED}")',
        "",
        PLAIN,
        "The verdict on the quality-adjusted payback and net benefit",
        native=(
            "IF(ISNUMBER(quality_adjusted_savings), "
            f"{native_verdict('quality_adjusted_payback', 'quality_adjusted_net')}, "
            f'"{QUALITY_NOT_COMPUTED}")'
        ),
    ),
    CalcRow(
        "quality_adjusted_reason",
        "Why, when worse answers decide it",
        "IF(AND(ISNUMBER(quality_cost_monthly), savings_monthly>0), "
        f'IF(quality_cost_monthly>=savings_monthly, "{WORSE_ANSWERS_COST_MORE}", ""), "")',
        "",
        PLAIN,
        "Said when the cost of worse answers eats the savings",
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
    _finance_values(v, case)
    return v


def slice_quality_costs(case: Case) -> list[float | str]:
    """Each slice's monthly cost of worse answers as the Quality sheet shows it (see
    :func:`slice_quality_cost`): the core's figure, or why it is not computed."""
    costs_by_slice: list[float | str] = []
    for item in case.quality_slices:
        drop = max(0.0, item.teacher_score - item.student_score)
        cost = item.cost_per_error if item.cost_per_error is not None else case.cost_per_error
        if drop == 0.0:
            costs_by_slice.append(0.0)
        elif item.traffic_share is None:
            costs_by_slice.append(SLICE_SHARE_UNKNOWN_TEXT)
        elif cost is None:
            costs_by_slice.append(SLICE_COST_UNKNOWN_TEXT)
        else:
            costs_by_slice.append(item.traffic_share * drop * case.monthly_calls * cost)
    return costs_by_slice


def _finance_values(v: dict[str, Any], case: Case) -> None:
    """The value today, discounted payback, rate of return and the cost of worse answers, with
    the kernel's own functions over the workbook's figures."""
    from xl_roi.finance import irr_annual

    upfront, savings, maintenance = v["upfront"], v["savings_monthly"], v["maintenance"]
    growth, rate = v["monthly_growth"], float(case.discount_rate)
    horizon = int(case.horizon_months)
    v["value_today"] = cashflow.present_value(upfront, savings, maintenance, rate, horizon, growth)
    months = cashflow.discounted_payback(upfront, savings, maintenance, rate, growth)
    v["payback_discounted"] = DISCOUNTED_NEVER_TEXT if math.isinf(months) else months
    irr = irr_annual(upfront, savings, maintenance, horizon, growth)
    v["rate_of_return"] = NO_IRR_TEXT if math.isnan(irr) else irr
    per_slice = slice_quality_costs(case)
    costed = case.cost_per_error is not None or any(
        item.cost_per_error is not None for item in case.quality_slices
    )
    quality: float | str
    if not costed:
        quality = QUALITY_NOT_COSTED_TEXT
    elif not per_slice:
        quality = QUALITY_NO_SLICES_TEXT
    elif any(isinstance(cost, str) for cost in per_slice):
        quality = QUALITY_SHARE_UNKNOWN_TEXT
    else:
        quality = math.fsum(cost for cost in per_slice if isinstance(cost, float))
    v["quality_cost_monthly"] = quality
    v["quality_adjusted_reason"] = ""
    if isinstance(quality, str):
        for name in ("savings", "payback", "net", "verdict"):
            v[f"quality_adjusted_{name}"] = QUALITY_NOT_COMPUTED
        return
    adjusted = savings - quality
    v["quality_adjusted_savings"] = adjusted
    v["quality_adjusted_payback"] = _payback_text(upfront, adjusted, growth)
    v["quality_adjusted_net"] = roi.annual_net_benefit(adjusted, maintenance)
    payback = v["quality_adjusted_payback"]
    v["quality_adjusted_verdict"] = verdict(
        math.inf if isinstance(payback, str) else payback, v["quality_adjusted_net"], growth
    )
    if savings > 0 and quality >= savings:
        v["quality_adjusted_reason"] = WORSE_ANSWERS_COST_MORE
        v["recommendation_text"] = worse_answers_sentence(
            quality, savings, v["verdict_label"], v["currency"]
        )


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
