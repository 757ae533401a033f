"""The template's inputs and calculations: names, labels, units, formulas and their values.

One list drives everything: the builder writes each input and formula from it, the reader finds
each input by its defined name, and the checker knows which cells must hold which formula. Next
to every formula stands the Python that gives its value (:func:`mirror_values`), worked with the
same core functions the Excel functions call, so a built workbook carries every result and a
recalculation in Excel (or in the ``formulas`` engine the tests use) lands on the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
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
from xl_roi.formula import Expr, FormulaOps, as_expr
from xl_roi.pitch import RECOMMENDATION as _SENTENCES
from xl_roi.pitch import (
    WORSE_ANSWERS_COST_MORE,
    recommendation_from_figures,
    worse_answers_sentence,
)
from xl_roi.resolve import StudentPricing, student_pricing
from xl_roi.text import NEVER_PAYS_BACK
from xl_roi.verdict import verdict
from xl_roi.workbook.names import WorkbookNames, udf_call, workbook_quantities

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

PORTFOLIO_TITLE = "Portfolio screen: which endpoints to distill"
"""The title atop a portfolio workbook's Summary sheet (how reading one back tells it apart
from an endpoints table)."""

NOT_USED = "not used"
"""What a calculation shows when the case takes its figure another way."""

MODE_PER_1K = StudentPricing.PER_CALL.value
MODE_TOKENS = StudentPricing.TOKENS.value
MODE_SELF_HOSTED = StudentPricing.SELF_HOSTED.value
STUDENT_MODES = (MODE_PER_1K, MODE_TOKENS, MODE_SELF_HOSTED)
STUDENT_MODE_NAMES = ("mode_per_1k", "mode_tokens", "mode_self_hosted")
"""The defined names of the three ways of pricing the student (cells on Inputs)."""
"""How the student can be priced: the choices of the ``student_pricing`` input."""

NEVER_PREFIX = NEVER_PAYS_BACK

MONEY = MONEY_FORMAT
"""Amounts of money, everywhere: whole units of the case's currency, thousands separated."""
PRICE = PRICE_FORMAT
"""Prices (per 1,000 calls, per GPU-hour, per million tokens): always two decimals."""
RATE = RATE_FORMAT
"""Throughputs and multipliers (calls per second, peak factor)."""
COUNT = COUNT_FORMAT
SHARE = SHARE_FORMAT
MONTHS = TENTHS_FORMAT
NEVER_IN_WORDS = f'{TENTHS_FORMAT};-{TENTHS_FORMAT};{TENTHS_FORMAT};"never"'
"""How a payback cell shows the never text (``#NUM! never pays back: …``, kept in the cell for
the formulas that read it): "never", in words. Applied by a conditional format on the never
text alone, so that any other text (a bad input's message) still shows as it is."""
NEVER_ROWS = (
    "payback_months",
    "payback_net_of_maintenance",
    "half_payback",
    "payback_discounted",
    "quality_adjusted_payback",
)
"""The Calculations rows of paybacks, whose never text reads "never" on the page."""
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
    calc: Callable[[FormulaOps], Any] | None = None
    """The row's calculation as the kernel defines it, over :class:`~xl_roi.formula.FormulaOps`:
    it writes the portable formula (and the add-in's, where ``formula`` is ``""``) and gives the
    value stored in the cell. The one definition, so formula and value cannot drift apart."""

    def __post_init__(self) -> None:
        if self.calc is None:
            return
        text = self.expression().text
        if self.formula:
            object.__setattr__(self, "native", text)
        else:
            object.__setattr__(self, "formula", text)
            object.__setattr__(self, "native", "")

    def expression(self, values: Mapping[str, Any] | None = None) -> Expr:
        """The row's formula with its value for ``values`` (the names' values), from ``calc``."""
        if self.calc is None:
            raise ValueError(f"row {self.name} has no calculation of the kernel's")
        return as_expr(self.calc(FormulaOps(values)))

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

NEVER_AFTER_MAINTENANCE_TEXT = NEVER_PREFIX + roi.NEVER_AFTER_MAINTENANCE


def _log1p_over(x: str) -> str:
    """LN(1 + x) ÷ x natively, as the core works it: LN(u) ÷ (u − 1) with u = 1 + x (Goldberg's
    form, accurate to rounding even for a tiny x), and 1 where u − 1 is 0."""
    return f"IF((1+{x})-1=0, 1, LN(1+{x})/((1+{x})-1))"


def kernel_formula(function: Callable[..., Any], *references: str) -> str:
    """The formula of a kernel function (:mod:`xl_roi._kernel`) over cell references or
    defined names, as :class:`~xl_roi.formula.FormulaOps` writes it.

    Examples
    --------
    >>> kernel_formula(_kernel.annual_net_benefit, "savings_monthly", "maintenance")
    'months_per_year*savings_monthly-maintenance'
    """
    ops = FormulaOps()
    return as_expr(function(*(ops.name(reference) for reference in references), ops=ops)).text


def native_payback(upfront: str, savings: str, growth: str) -> str:
    """PAYBACK in native functions: the kernel's :func:`xl_roi._kernel.payback`, with its
    never-pays-back texts."""
    return kernel_formula(_kernel.payback, upfront, savings, growth)


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


HOSTING_ARGUMENTS = {
    "student_cost_per_1k": f"IF({HOSTED_TEST}, escalation_share*teacher_cost, student_cost)",
    "gpu_hourly_cost": f"IF({HOSTED_TEST}, gpu_hourly_cost, 0)",
}
"""How the add-in's break-even and sensitivity calls pass the student: self-hosted, its cost
per call on top of its GPUs (escalations) and its GPUs' price; else its cost per call and no
GPU (0 reads as priced per call)."""


def breakeven_calculation(ops: Any) -> Any:
    """BREAKEVEN_VOLUME as the Calculations sheet works it, from ``savings_needed``: the kernel's
    :func:`xl_roi._kernel.breakeven_from_needed`, on whole GPUs when the student is self-hosted
    at a GPU price (0 reads as priced per call, as the function does), else priced per call."""
    name = ops.name
    hosted = name("student_pricing") == name("mode_self_hosted")
    teacher = name("teacher_cost")
    student = ops.where(
        hosted, lambda: name("escalation_share") * teacher, lambda: name("student_cost")
    )
    costs_per_1k = _kernel.Named(
        WorkbookNames(ops), teacher_cost_per_1k=teacher, student_cost_per_1k=student
    )
    common = (name("savings_needed"), name("upfront"), costs_per_1k)
    gpu = name("gpu_hourly_cost") * name("hours_per_month")
    capacity = costs.gpu_calls_per_month(
        name("calls_per_second_per_gpu"), name("target_utilization"), name("peak_factor"), ops
    )
    return ops.where(
        hosted & (name("gpu_hourly_cost") != 0.0),
        lambda: _kernel.breakeven_from_needed(*common, gpu, capacity, ops),
        lambda: _kernel.breakeven_from_needed(*common, math.nan, math.nan, ops),
    )


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
    """DISCOUNTED_PAYBACK natively: 0 with nothing upfront; otherwise, at every rate (0 %
    included), the first month the discounted cumulative cash (the cash table) turns positive,
    interpolated within that month, as :func:`xl_roi.cashflow.discounted_payback` works it;
    never within the table's hundred years."""
    crossings = _cash_range(CASH_TABLE_COLUMNS[3])
    return (
        f'IF(upfront=0, 0, IF(COUNT({crossings})=0, "{DISCOUNTED_NEVER_TEXT}", MIN({crossings})))'
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


QUALITY_JOIN_COLUMN = "N"
QUALITY_JOIN_LAST = f"'Quality'!${QUALITY_JOIN_COLUMN}${4 + MAX_QUALITY_SLICES}"
"""Quality's helper column (both flavours): the failing critical slices' names, joined."""

_WORSE_ANSWERS_DECIDE = 'quality_adjusted_reason<>""'
_WORSE_ANSWERS_SENTENCE = (
    f'"{_SENTENCES["do not distill"]} {WORSE_ANSWERS_COST_MORE}: about "&'
    f'{_money("quality_cost_monthly")}&" a month lost to the student\'s wrong answers against "&'
    f'{_money("savings_monthly")}&" a month of compute saved (on compute alone: "&'
    'verdict_label&")."&'
    'IF(critical_failures=0, "", " The student also fails "&critical_failing_names&'
    'IF(critical_failures=1, ", a business-critical slice.", ", business-critical slices."))'
)
"""The recommendation when worse answers cost more than the compute saved, with the
business-critical slices the student fails (:func:`xl_roi.pitch.worse_answers_sentence`)."""


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
        'IF(low_volume_flag, " At half the volume "&IF(ISNUMBER(half_payback), '
        f'"payback is "&{_months("half_payback")}, "payback never comes")&": the case rests on '
        'the volume estimate.", "")'
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
NEWTON_SHEET_COLUMN = "I"
"""Where the steps sit: Calculations, this column, from :data:`NEWTON_FIRST_ROW`."""
NEWTON_FIRST_ROW = 6


def newton_cell(index: int) -> str:
    """The absolute reference of helper ``index`` (0: the start) on Calculations."""
    return f"${NEWTON_SHEET_COLUMN}${NEWTON_FIRST_ROW + 3 + index}"


_MONTHLY_MAINTENANCE = "(maintenance/months_per_year)"


def newton_expressions(values: Mapping[str, Any] | None = None) -> list[tuple[str, Expr]]:
    """The portable flavour's helper cells for payback after maintenance with growth: label
    and formula (with its value for ``values``), top to bottom — applies, the shrinking case's
    peak, whether it pays back, the start, then the Newton steps, each the kernel's
    :func:`xl_roi._kernel.newton_step` over the cell above.

    The cumulative net f(n) = s·((1+g)^n − 1)/g − m·n − U is convex when volume grows: from a
    start right of the root (the root of the quadratic below f, from e^y ≥ 1 + y + y²/2) Newton
    steps fall to the root without overshooting. When volume shrinks f is concave and peaks once:
    from n = 0 (left of the root) Newton steps rise to it. :data:`NEWTON_STEPS` steps settle
    to rounding for any case whose payback is not at the peak itself.
    """
    known: dict[str, Any] = dict(values or {})
    ops = FormulaOps(known if values is not None else None)
    name = ops.name
    upfront, savings, growth = name("upfront"), name("savings_monthly"), name("monthly_growth")
    monthly = name("maintenance") / ops.months_per_year
    rate = ops.log1p(growth)
    rows: list[tuple[str, Expr]] = []

    def add(label: str, expression: Any) -> Expr:
        cell = newton_cell(len(rows) - 3)
        expression = as_expr(expression)
        rows.append((label, expression))
        known[cell] = expression.value
        return name(cell)

    def unless_used(condition: Any, worked: Callable[[], Any]) -> Any:
        return ops.where(condition, worked, lambda: NOT_USED)

    applies = add(
        "Applies (growth and maintenance)",
        ops.all(
            ops.isnumber(name("payback_months")),
            upfront > 0.0,
            name("maintenance") > 0.0,
            growth != 0.0,
            savings > 0.0,
        ),
    )
    peak = add(
        "Peak of the cumulative net (shrinking volume)",
        unless_used(
            ops.all(applies, growth < 0.0),
            lambda: ops.log(monthly * growth / (savings * rate)) / rate,
        ),
    )
    pays = add(
        "The cumulative net reaches zero",
        ops.where(
            ops.isnumber(peak),
            lambda: ops.where(
                peak > 0.0,
                lambda: (
                    _kernel.cumulative_gap(peak, upfront, savings, monthly, growth, ops, rate)
                    >= 0.0
                ),
                lambda: False,
            ),
            lambda: applies,
        ),
    )
    a = savings * rate * rate / (2.0 * growth)
    b = savings * rate / growth - monthly
    root = ops.sqrt(b * b + 4.0 * a * upfront)
    x = add(
        "Start",
        unless_used(
            ops.all(applies, pays),
            lambda: ops.where(
                growth > 0.0,
                lambda: ops.where(
                    b > 0.0, lambda: 2.0 * upfront / (b + root), lambda: (root - b) / (2.0 * a)
                ),
                lambda: 0.0,
            ),
        ),
    )

    def step_from(previous: Expr) -> Any:
        return unless_used(
            ops.isnumber(previous),
            lambda: _kernel.newton_step(previous, upfront, savings, monthly, growth, ops, rate),
        )

    for step in range(1, NEWTON_STEPS + 1):
        x = add(f"Newton step {step}", step_from(x))
    return rows


def newton_helpers() -> list[tuple[str, str]]:
    """The helper cells' labels and formulas (see :func:`newton_expressions`)."""
    return [(label, expression.text) for label, expression in newton_expressions()]


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


def _unless(ops: Any, condition: Any, worked: Callable[[], Any]) -> Any:
    """``worked`` where ``condition`` holds, else "not used"."""
    return ops.where(condition, worked, lambda: NOT_USED)


def _given_or(ops: Any, name: str, otherwise: Any) -> Any:
    """The input ``name`` where it is a number, else ``otherwise`` (its items)."""
    return ops.where(ops.isnumber(ops.name(name)), lambda: ops.name(name), lambda: otherwise)


def _hosted(ops: Any) -> Any:
    return ops.name("student_pricing") == ops.name("mode_self_hosted")


def _token_cost(ops: Any, side: str) -> Any:
    """A model's cost per 1,000 calls from the case's tokens per call and its token prices."""
    name = ops.name
    return _kernel.token_cost_per_1k(
        name("input_tokens_per_call"),
        name("output_tokens_per_call"),
        name(f"{side}_input_price_per_million"),
        name(f"{side}_output_price_per_million"),
        ops,
    )


def _gpus_at(ops: Any, calls: Any) -> Any:
    """Whole GPUs for a month of ``calls`` when self-hosted, else "not used"."""
    name = ops.name
    return _unless(
        ops,
        _hosted(ops),
        lambda: _kernel.whole_gpus(
            _kernel.peak_calls_per_second(calls, name("peak_factor"), ops),
            name("calls_per_second_per_gpu"),
            name("target_utilization"),
            ops,
        ),
    )


def _serving_cost(ops: Any, gpu_cost: Callable[[], Any]) -> Any:
    """The student's serving cost per 1,000 calls as it is priced: per call, by tokens, or on
    GPUs (``gpu_cost``)."""
    name = ops.name
    pricing = name("student_pricing")
    return ops.where(
        pricing == name("mode_per_1k"),
        lambda: name("student_cost_per_1k"),
        lambda: ops.where(
            pricing == name("mode_tokens"), lambda: name("student_cost_from_tokens"), gpu_cost
        ),
    )


def _with_escalation(ops: Any, serving: str) -> Any:
    """Serving plus the share of calls handed back to the teacher at the teacher's cost."""
    return ops.name(serving) + ops.name("escalation_share") * ops.name("teacher_cost")


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
        calc=lambda ops: _unless(
            ops,
            ops.isnumber(ops.name("teacher_input_price_per_million")),
            lambda: _token_cost(ops, "teacher"),
        ),
    ),
    CalcRow(
        "teacher_cost",
        "Teacher cost per 1,000 calls",
        "",
        "per 1k calls",
        PRICE,
        "The input if given, else from tokens",
        calc=lambda ops: ops.where(
            ops.isnumber(ops.name("teacher_cost_per_1k")),
            lambda: ops.name("teacher_cost_per_1k"),
            lambda: ops.name("teacher_cost_from_tokens"),
        ),
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
        calc=lambda ops: _unless(
            ops,
            ops.name("student_pricing") == ops.name("mode_tokens"),
            lambda: _token_cost(ops, "student"),
        ),
    ),
    CalcRow(
        "peak_calls_per_second",
        "Peak calls per second",
        "",
        "calls / s",
        PER_SECOND,
        "Peak factor × average calls per second",
        calc=lambda ops: _unless(
            ops,
            _hosted(ops),
            lambda: _kernel.peak_calls_per_second(
                ops.name("monthly_calls"), ops.name("peak_factor"), ops
            ),
        ),
    ),
    CalcRow(
        "gpus",
        "GPUs needed (whole)",
        "",
        "GPUs",
        COUNT,
        "Peak ÷ (throughput × target utilisation), rounded up, at least 1",
        calc=lambda ops: _unless(
            ops,
            ops.isnumber(ops.name("peak_calls_per_second")),
            lambda: _kernel.whole_gpus(
                ops.name("peak_calls_per_second"),
                ops.name("calls_per_second_per_gpu"),
                ops.name("target_utilization"),
                ops,
            ),
        ),
    ),
    CalcRow(
        "self_hosted_cost",
        "Self-hosted cost per 1,000 calls",
        "",
        "per 1k calls",
        PRICE,
        "GPUs × hourly cost × 730 h ÷ thousands of calls",
        calc=lambda ops: _unless(
            ops,
            ops.isnumber(ops.name("gpus")),
            lambda: _kernel.gpu_cost_per_1k(
                ops.name("gpus"), ops.name("gpu_hourly_cost"), ops.name("monthly_calls"), ops
            ),
        ),
    ),
    CalcRow(
        "serving_cost",
        "Student serving cost per 1,000 calls",
        "",
        "per 1k calls",
        PRICE,
        "As the student is priced",
        calc=lambda ops: _serving_cost(ops, lambda: ops.name("self_hosted_cost")),
    ),
    CalcRow(
        "student_cost",
        "Student cost per 1,000 calls, with escalation",
        "",
        "per 1k calls",
        PRICE,
        "Serving + escalation share × teacher cost",
        calc=lambda ops: _with_escalation(ops, "serving_cost"),
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
        calc=lambda ops: _unless(
            ops,
            ops.isnumber(ops.name("corpus_examples")),
            lambda: _kernel.data_generation(
                ops.name("corpus_examples"),
                ops.name("teacher_cost"),
                _given_or(ops, "data_generation_passes", 1.0),
                ops.n(ops.name("batch_discount")),
                ops,
            ),
        ),
    ),
    CalcRow(
        "data_generation",
        "Data generation",
        "",
        "money",
        MONEY,
        "The input if given, else from the corpus",
        calc=lambda ops: _given_or(
            ops, "data_generation_cost", ops.name("data_generation_from_corpus")
        ),
    ),
    CalcRow(
        "teacher_labelling",
        "Of which the teacher's labels, at its price",
        "",
        "money",
        MONEY,
        "Data generation from the corpus, unless the total or the data generation cost is "
        "typed (else 0): it moves with the teacher's price on Sensitivity",
        calc=lambda ops: ops.where(
            ops.isnumber(ops.name("upfront_total")),
            lambda: 0.0,
            lambda: ops.where(
                ops.isnumber(ops.name("data_generation_cost")),
                lambda: 0.0,
                lambda: ops.n(ops.name("data_generation_from_corpus")),
            ),
        ),
    ),
    CalcRow(
        "training_cost",
        "Training compute",
        "",
        "money",
        MONEY,
        "The input (0 when blank)",
        calc=lambda ops: ops.where(
            ops.isnumber(ops.name("training_compute")),
            lambda: ops.name("training_compute"),
            lambda: 0.0,
        ),
    ),
    CalcRow(
        "evaluation_cost",
        "Evaluation build",
        "",
        "money",
        MONEY,
        "The input if given, else days × day rate",
        calc=lambda ops: _given_or(
            ops, "evaluation_build", ops.name("evaluation_days") * ops.name("day_rate")
        ),
    ),
    CalcRow(
        "engineering_cost",
        "Engineering time",
        "",
        "money",
        MONEY,
        "The input if given, else days × day rate",
        calc=lambda ops: _given_or(
            ops, "engineering_time", ops.name("engineering_days") * ops.name("day_rate")
        ),
    ),
    CalcRow(
        "upfront",
        "Upfront cost",
        "IF(ISNUMBER(upfront_total), upfront_total, UPFRONT_COST(data_generation, "
        "training_cost, evaluation_cost, engineering_cost))",
        "money",
        MONEY,
        "The total if given, else the sum of the items",
        calc=lambda ops: _given_or(
            ops,
            "upfront_total",
            _kernel.upfront_total(
                ops.name("data_generation"),
                ops.name("training_cost"),
                ops.name("evaluation_cost"),
                ops.name("engineering_cost"),
            ),
        ),
    ),
    Section("Maintenance"),
    CalcRow(
        "maintenance",
        "Annual maintenance",
        "",
        "money / year",
        MONEY,
        "The input if given, else redistillations × their cost",
        calc=lambda ops: _given_or(
            ops,
            "annual_maintenance",
            ops.name("redistillations_per_year") * ops.name("redistillation_cost"),
        ),
    ),
    Section("Headline"),
    CalcRow(
        "savings_monthly",
        "Monthly savings",
        udf_call("MONTHLY_SAVINGS"),
        "money / month",
        MONEY,
        "(teacher − student per 1k) × calls ÷ 1,000",
        calc=lambda ops: _kernel.monthly_savings(workbook_quantities(ops), ops),
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
        udf_call("PAYBACK"),
        "months",
        MONTHS,
        "Upfront ÷ savings (with growth: LN(1 + U·g/s) ÷ LN(1 + g))",
        calc=lambda ops: _kernel.payback(
            ops.name("upfront"), ops.name("savings_monthly"), ops.name("monthly_growth"), ops
        ),
    ),
    CalcRow(
        "net_benefit_annual",
        "Annual net benefit",
        udf_call("NET_BENEFIT"),
        "money / year",
        MONEY,
        "12 × monthly savings − annual maintenance",
        calc=lambda ops: _kernel.annual_net_benefit(
            ops.name("savings_monthly"), ops.name("maintenance"), ops
        ),
    ),
    CalcRow(
        "spend_cut",
        "Cut in inference spend",
        udf_call("SAVINGS_SHARE"),
        "share",
        SHARE,
        "(teacher − student) ÷ teacher",
        calc=lambda ops: _kernel.savings_share(ops.name("teacher_cost"), ops.name("student_cost")),
    ),
    CalcRow(
        "payback_net_of_maintenance",
        "Payback after maintenance",
        udf_call("PAYBACK_AFTER_MAINTENANCE"),
        "months",
        MONTHS,
        "Months until savings less maintenance (a twelfth a month) recover the upfront cost",
        native=native_payback_after_maintenance(),
    ),
    CalcRow(
        "savings_needed",
        "Monthly savings that pay back on target",
        "",
        "money / month",
        MONEY,
        "The first month's savings (growing at the case's growth) that recover the upfront "
        "cost in the target payback",
        calc=lambda ops: _kernel.savings_needed(
            ops.name("upfront"), ops.name("target_payback_months"), ops.name("monthly_growth"), ops
        ),
    ),
    CalcRow(
        "breakeven_calls",
        "Break-even volume: from it up payback meets the target",
        udf_call("BREAKEVEN_VOLUME", **HOSTING_ARGUMENTS),
        "calls / month",
        COUNT,
        "Calls a month, growing at the case's growth (whole GPUs when self-hosted), from "
        "which payback meets the target at every higher volume; just below it, it misses",
        calc=breakeven_calculation,
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
        "",
        "money",
        MONEY,
        "Twelve months of (growing) savings − maintenance − upfront",
        calc=lambda ops: _kernel.first_year_net(
            ops.name("upfront"),
            ops.name("savings_monthly"),
            ops.name("maintenance"),
            ops.name("monthly_growth"),
            ops,
        ),
    ),
    CalcRow(
        "verdict_label",
        "Verdict",
        udf_call("ROI_VERDICT"),
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
        "",
        "GPUs",
        COUNT,
        "Whole GPUs are still paid for: the per-call cost rises",
        calc=lambda ops: _gpus_at(ops, ops.name("half_calls")),
    ),
    CalcRow(
        "half_serving_cost",
        "Student serving cost per 1,000 calls at half volume",
        "",
        "per 1k calls",
        PRICE,
        "As above, at half volume",
        calc=lambda ops: _serving_cost(
            ops,
            lambda: _kernel.gpu_cost_per_1k(
                ops.name("half_gpus"), ops.name("gpu_hourly_cost"), ops.name("half_calls"), ops
            ),
        ),
    ),
    CalcRow(
        "half_student_cost",
        "Student cost per 1,000 calls at half volume",
        "",
        "per 1k calls",
        PRICE,
        "Serving + escalation",
        calc=lambda ops: _with_escalation(ops, "half_serving_cost"),
    ),
    CalcRow(
        "half_savings",
        "Monthly savings at half volume",
        udf_call(
            "MONTHLY_SAVINGS", student_cost_per_1k="half_student_cost", monthly_calls="half_calls"
        ),
        "money / month",
        MONEY,
        "As above, at half volume",
        calc=lambda ops: _kernel.monthly_savings(
            workbook_quantities(
                ops, student_cost_per_1k="half_student_cost", monthly_calls="half_calls"
            ),
            ops,
        ),
    ),
    CalcRow(
        "half_payback",
        "Payback at half volume",
        udf_call("PAYBACK", monthly_savings="half_savings"),
        "months",
        MONTHS,
        "Acceptable here means the case is robust to volume",
        calc=lambda ops: _kernel.payback(
            ops.name("upfront"), ops.name("half_savings"), ops.name("monthly_growth"), ops
        ),
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
        + udf_call(
            "RECOMMENDATION",
            half_volume_payback_months="half_payback",
            failing_critical_slices="slice_critical_failing",
        )
        + ")",
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
        udf_call("NPV_BENEFIT"),
        "money",
        MONEY,
        "Each month's net cash over the horizon, discounted monthly",
        native=native_npv(),
    ),
    CalcRow(
        "payback_discounted",
        "Discounted payback",
        udf_call("DISCOUNTED_PAYBACK"),
        "months",
        MONTHS,
        "When the discounted cash after maintenance turns positive",
        native=native_discounted_payback(),
    ),
    CalcRow(
        "rate_of_return",
        "Rate of return a year (IRR over the horizon)",
        udf_call("ANNUAL_IRR"),
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
        "IF(ISNUMBER(quality_adjusted_savings), "
        + udf_call("PAYBACK", monthly_savings="quality_adjusted_savings")
        + f', "{QUALITY_NOT_COMPUTED}")',
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


def _worked(name: str, values: dict[str, Any]) -> Any:
    """Row ``name``'s value, worked out by its own formula from ``values`` (the rows above),
    and stored in ``values``."""
    value = CALC_ROWS[name].expression(values).value
    values[name] = value
    return value


def mirror_values(case: Case, swing: float = 0.5) -> dict[str, Any]:
    """The value of every input, constant and named calculation, as the formulas give it.

    Worked row by row in the Calculations sheet's order, as each formula reads: a row the
    kernel defines by its own calculation (:attr:`CalcRow.calc`), the rest by the core functions
    the Excel functions call (:func:`_worked_by_the_core`), so that these are the results Excel
    shows after recalculating. A row added with its calculation needs nothing here.

    Examples
    --------
    >>> from xl_roi import example_case
    >>> values = mirror_values(example_case())
    >>> values["savings_monthly"], values["upfront"], values["verdict_label"]
    (10560.0, 33750.0, 'defensible')
    """
    v: dict[str, Any] = dict(input_values(case, swing))
    v.update({name: value for name, _, value, _ in CONSTANTS})
    v.update(zip(STUDENT_MODE_NAMES, STUDENT_MODES, strict=True))
    v["student_modes"] = STUDENT_MODES
    by_the_core = _worked_by_the_core(case)
    for name, row in CALC_ROWS.items():
        if name in v:  # worked out with the rows of its group
            continue
        if row.calc is not None:
            _worked(name, v)
        else:
            by_the_core[name](v)
    return v


def _worked_by_the_core(case: Case) -> dict[str, Callable[[dict[str, Any]], None]]:
    """For each Calculations row without a calculation of its own, what works out its value
    (and those of the rows of its group below it) with the core's functions."""

    def flags(v: dict[str, Any]) -> None:
        _flags_and_recommendation(v, case)

    def finance(v: dict[str, Any]) -> None:
        _finance_values(v, case)

    return {
        "savings_annual": lambda v: v.update(
            savings_annual=v["months_per_year"] * v["savings_monthly"]
        ),
        "payback_net_of_maintenance": lambda v: v.update(
            payback_net_of_maintenance=_payback_after_maintenance_text(
                v["upfront"], v["savings_monthly"], v["maintenance"], v["monthly_growth"]
            )
        ),
        "annual_serving_cost": _annual_serving_cost,
        "verdict_label": lambda v: v.update(
            verdict_label=verdict(
                math.inf if isinstance(v["payback_months"], str) else v["payback_months"],
                v["net_benefit_annual"],
                v["monthly_growth"],
            )
        ),
        "half_calls": lambda v: v.update(half_calls=v["monthly_calls"] / 2),
        "low_volume_flag": flags,  # and the other flags, and the recommendation
        "value_today": finance,  # and the rest of the time value and the cost of worse answers
        "payback_flat": _plain_payback,  # and the rest of the cross-check
    }


def _annual_serving_cost(v: dict[str, Any]) -> None:
    """A year of the self-hosted student's GPUs (0 when priced per call)."""
    hosted = v["student_pricing"] == MODE_SELF_HOSTED
    v["annual_serving_cost"] = (
        v["gpus"] * v["hours_per_month"] * v["months_per_year"] * v["gpu_hourly_cost"]
        if hosted
        else 0.0
    )


def _flags_and_recommendation(v: dict[str, Any], case: Case) -> None:
    """The Flags rows and the recommendation's words."""
    upfront, maintenance = v["upfront"], v["maintenance"]
    savings, growth, months = v["savings_monthly"], v["monthly_growth"], v["months_per_year"]
    critical_failures = len(_failing_critical_slices(case))
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
        v["teacher_cost"],
        v["student_cost"],
        math.inf if isinstance(half_payback, str) else half_payback,
        growth,
        _failing_critical_slices(case),
        v["currency"],
    )


def _failing_critical_slices(case: Case) -> list[str]:
    """The names of the business-critical slices the student fails, in the case's order."""
    return [item.name for item in case.quality_slices if item.business_critical and not item.passed]


def _plain_payback(v: dict[str, Any]) -> None:
    """Payback by plain arithmetic, for the Checks sheet's cross-check."""
    upfront, savings, growth = v["upfront"], v["savings_monthly"], v["monthly_growth"]
    payback = v["payback_months"]
    pays = _number(payback) and savings > 0
    v["payback_flat"] = upfront / savings if pays else "never"
    v["payback_grown"] = (
        math.log(1 + upfront * growth / savings) / math.log(1 + growth)
        if pays and abs(growth) > v["check_tolerance"]
        else NOT_USED
    )
    v["payback_plain"] = v["payback_grown"] if growth != 0 else v["payback_flat"]


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
            quality, savings, v["verdict_label"], v["currency"], _failing_critical_slices(case)
        )


def newton_values(v: dict[str, Any]) -> list[Any]:
    """The values of :func:`newton_helpers`' cells, as their formulas give them."""
    return [expression.value for _, expression in newton_expressions(v)]
