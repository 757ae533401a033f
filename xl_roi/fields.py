"""The registry of input fields: every input's bounds, label, unit, case-file key and cell.

One :class:`Field` per input, in :data:`FIELDS`; everything that checks, reads or writes an input
reads it from here: :class:`~xl_roi.case.Case` validation (through :data:`BOUNDS`), the case-file
reader (:data:`xl_roi.casefile.CASE_FILE_KEYS`), the workbook's Inputs rows and their data
validation (:data:`xl_roi.workbook.layout.INPUTS`), reading a workbook back, the portfolio
screen's checks, the simulation's ranges and the sensitivity labels. Adding an input is one
entry here, plus its arithmetic.

The bounds, and why:

- shares are fractions, 0.05 = 5 %: escalation and batch discount in [0, 1); target utilisation
  in (0, 1]; the sensitivity swing in [0, 1). A share above 1 is almost always a percentage typed
  as a whole number, and the refusal says so ("5 means 500 %; write 0.05 for 5 %").
- monthly growth in (−100 %, +100 %] a month: volume cannot fall by all of itself in a month, and
  doubling every month for a year is 4,096 times the volume. Above 20 % a month (or a fall of more
  than 20 % a month) is accepted but named as unusual: a year of 20 % a month is 8.9 times the
  volume.
- the target payback in (0, 1,200] months: a target beyond a hundred years is not a target.
- the annual discount rate in (−100 %, +100 %] a year: money cannot lose all of its value, and a
  rate above 100 % a year is almost surely a percentage typed as a number (10 for 10 %).
- the NPV horizon a whole number of months from 1 to 600: fifty years is longer than any plan.
- a traffic share (a quality slice's share of all calls) in [0, 1]; costs per error ≥ 0;
  latencies (P95, in milliseconds) ≥ 0.
- money, counts and rates ≥ 0 (the teacher's cost and a GPU's throughput > 0, the peak factor ≥ 1).
- every number: finite, and not so close to zero that dividing by it leaves the float range
  (nearer zero than 2.2e-308, see :data:`xl_roi.errors.SMALLEST_NUMBER`).

Plain Python (no numpy, no spreadsheet library), so ``import xl_roi`` stays quick.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real
from typing import Any

from xl_roi.errors import (
    SMALLEST_NUMBER,
    Digits,
    InputError,
    bounds_text,
    describe_value,
    percent_hint,
    too_small,
)

__all__ = [
    "BOUNDS",
    "COUNT_FORMAT",
    "FIELDS",
    "HOURLY_FORMAT",
    "MONEY_FORMAT",
    "PRICE_FORMAT",
    "RATE_FORMAT",
    "SHARE_FORMAT",
    "TALLY_FORMAT",
    "TENTHS_FORMAT",
    "Bound",
    "Field",
    "check_fraction",
]

MONEY_FORMAT = "#,##0;[Red](#,##0)"
"""Amounts of money, everywhere: whole units of the case's currency, thousands separated; a
loss in red brackets, as the pitch writes it (``(USD 1,234)``)."""
PRICE_FORMAT = "#,##0.00;[Red](#,##0.00)"
"""Prices (per 1,000 calls, per GPU-hour, per million tokens): always two decimals."""
HOURLY_FORMAT = "#,##0.00##;[Red](#,##0.00##)"
"""A price an hour (a GPU's): two decimals, up to four where it has them (0.8048, not 0.80),
so that GPUs × 730 hours × 12 × the price shown multiplies to the bill shown."""
RATE_FORMAT = "#,##0.0"
"""Throughputs and multipliers (calls per second, peak factor, teacher calls per example)."""
COUNT_FORMAT = "#,##0"
"""Counts of things: calls, tokens, examples."""
SHARE_FORMAT = "0.0%;[Red](0.0%)"
"""Shares, shown as percentages; a negative one in red brackets, as money is (a student dearer
than the teacher cuts inference spend by (462.6%))."""
TENTHS_FORMAT = "0.0"
"""Quantities read to a tenth: months."""
TALLY_FORMAT = "General"
"""Tallies that are nearly always whole but may not be (engineer-days, redistillations a year,
teacher calls per example): 2 or 2.5 as typed, never "2.0"."""


@dataclass(frozen=True)
class Bound:
    """The range an input must lie in, and where it becomes unusual.

    Parameters
    ----------
    minimum, maximum : float or None
        The hard bounds (``None``: none on that side).
    strictly_above, maximum_exclusive : bool
        Whether ``minimum`` / ``maximum`` themselves are refused.
    share : bool
        A fraction (0.05 = 5 %): a refusal of a value between 1 and 100 suggests value ÷ 100.
    period : str
        What the share is per, for messages (``" a month"``).
    why : str
        Why the bound holds, added to the refusal (``"a free teacher leaves nothing to save"``).
    unusual_above, unusual_below : float or None
        Values beyond these are accepted but named by :func:`unusual_inputs`.

    Examples
    --------
    >>> BOUNDS["monthly_growth"].text()
    '> -1 and ≤ 1'
    >>> BOUNDS["monthly_growth"].check("monthly_growth", 5)
    Traceback (most recent call last):
    ...
    xl_roi.errors.InputError: monthly_growth must be a share > -1 and ≤ 1 (0.05 = 5 %), got 5: \
5 means 500 % a month; write 0.05 for 5 %
    """

    minimum: float | None = 0.0
    strictly_above: bool = False
    maximum: float | None = None
    maximum_exclusive: bool = False
    share: bool = False
    period: str = ""
    why: str = ""
    unusual_above: float | None = None
    unusual_below: float | None = None
    whole: bool = False

    def text(self) -> str:
        """The bounds in words: ``'≥ 0 and < 1'``."""
        text = bounds_text(self.minimum, self.strictly_above, self.maximum, self.maximum_exclusive)
        return f"a whole number {text}" if self.whole else text

    def holds(self, number: float) -> bool:
        """Whether a finite number lies within the hard bounds (and is whole, where it must be)."""
        if self.whole and not float(number).is_integer():
            return False
        low, high = self.minimum, self.maximum
        if low is not None and (number < low or (self.strictly_above and number == low)):
            return False
        return not (
            high is not None and (number > high or (self.maximum_exclusive and number == high))
        )

    def outside(self, numbers: Any) -> Any:
        """Where numbers lie outside the hard bounds: a bool, or an array of them for an array.

        Plain comparisons, so the same test serves a float and a numpy array (NaN is never
        outside: a blank is told apart first). Whole-number fields are not tested here.

        Examples
        --------
        >>> BOUNDS["batch_discount"].outside(1.0), BOUNDS["batch_discount"].outside(0.5)
        (True, False)
        """
        outside = numbers < -math.inf  # False everywhere, shaped like the numbers
        low, high = self.minimum, self.maximum
        if low is not None:
            outside = outside | (numbers < low) | ((numbers == low) & self.strictly_above)
        if high is not None:
            outside = outside | (numbers > high) | ((numbers == high) & self.maximum_exclusive)
        return outside

    def refusal(self, name: str, value: object, verb: str = "got") -> str:
        """The message refusing ``value`` for ``name``: the bounds, why, and the likely fix.

        ``verb`` introduces the value: ``"got"`` for an argument, ``"holds"`` for a cell.
        """
        kind = "a share" if self.share else ("" if self.whole else "a number")
        example = " (0.05 = 5 %)" if self.share else ""
        why = f" ({self.why})" if self.why else ""
        message = (
            f"{name} must be {kind + ' ' if kind else ''}{self.text()}{example}{why}, "
            f"{verb} {describe_value(value)}"
        )
        hint = percent_hint(value, self.period) if self.share else ""
        if hint:
            message += f": {hint}"
        return message

    def check(self, name: str, value: object, verb: str = "got") -> float:
        """Return ``value`` as a float, or raise :class:`~xl_roi.errors.InputError`.

        Examples
        --------
        >>> BOUNDS["escalation_share"].check("escalation_share", 0.05)
        0.05
        """
        if isinstance(value, bool) or not isinstance(value, Real):
            raise InputError(self.refusal(name, value, verb))
        try:
            number = float(value)
        except OverflowError:  # a whole number with hundreds of digits
            number = math.inf
        if not math.isfinite(number):
            shown = Digits(value) if isinstance(value, int) else value
            raise InputError(self.refusal(name, shown, verb))
        if number != 0.0 and abs(number) < SMALLEST_NUMBER:
            raise InputError(too_small(name, value, verb))
        if not self.holds(number):
            raise InputError(self.refusal(name, value, verb))
        return number

    def unusual(self, number: float) -> bool:
        """Whether a value within the bounds is beyond where it becomes unusual."""
        return (self.unusual_above is not None and number > self.unusual_above) or (
            self.unusual_below is not None and number < self.unusual_below
        )


@dataclass(frozen=True)
class Field:
    """One input: its bounds, how people see it, and where it lives.

    Parameters
    ----------
    name : str
        The :class:`~xl_roi.case.Case` field (or, with ``in_case=False``, the input's own name).
    bound : Bound or None
        The range it must lie in (``None``: text or a choice, not a number).
    label, unit, help : str
        What the workbook's Inputs sheet shows beside the cell: the label, the unit, the note.
    table, key : str or None
        Where a case file holds it: ``[table] key`` (``table`` ``None``: at the top;
        ``key`` ``None``: not in a case file).
    cell : str or None
        The defined name of its cell on the Inputs sheet (``None``: not in the workbook).
    heading : str
        The Inputs sheet section it sits under.
    number_format : str
        How its cell is formatted (one of the ``*_FORMAT`` constants).
    kind : str
        ``"number"``, ``"share"``, ``"text"`` or ``"choice"`` (how the cell is checked).
    in_case : bool
        Whether it is a :class:`~xl_roi.case.Case` field.
    assumption : str
        The label of the sensitivity row that moves it (``""``: not moved by the tornado).
    drawn : str
        The label the simulation shows when it draws it (``""``: never drawn).
    reads_as : str
        How a report writes its value: ``"calls"``, ``"money"`` or ``"share"``.
    breaks_when : str
        ``"below"`` or ``"above"``: which side of its break-even the case fails on.
    required : str
        For an input no case can do without, what to enter when it is blank.
    screen : str
        Whether the portfolio screen reads it as a column: ``""`` no; ``"own"`` read by the
        screen's own code (volume, the teacher's and the student's costs); ``"required"`` and
        ``"optional"`` one figure per endpoint, checked against the bounds (a blank optional
        one takes the case's default).

    Examples
    --------
    >>> FIELDS["monthly_growth"].where_in_case_file
    '[volume] monthly_growth'
    >>> FIELDS["upfront_cost"].cell, FIELDS["traffic_share"].cell
    ('upfront_total', None)
    """

    name: str
    bound: Bound | None
    label: str
    unit: str = ""
    help: str = ""
    table: str | None = None
    key: str | None = None
    cell: str | None = None
    heading: str = ""
    number_format: str = MONEY_FORMAT
    kind: str = "number"
    in_case: bool = True
    assumption: str = ""
    drawn: str = ""
    reads_as: str = ""
    breaks_when: str = ""
    required: str = ""
    screen: str = ""

    @property
    def where_in_case_file(self) -> str | None:
        """How a case file names it: ``[teacher] cost_per_1k`` (``None``: not in one)."""
        if self.key is None:
            return None
        return self.key if self.table is None else f"[{self.table}] {self.key}"


_AMOUNT = Bound()
_SHARE_BELOW_ONE = Bound(maximum=1.0, maximum_exclusive=True, share=True)


def _money(name: str, label: str, unit: str, help: str, table: str, key: str, **rest: Any) -> Field:
    """An amount of money ≥ 0, in a case file and in the workbook under its own name."""
    return Field(name, _AMOUNT, label, unit, help, table, key, cell=name, **rest)


_CASE = "The case"
_VOLUME = "Volume"
_TEACHER = "Teacher (the large model)"
_STUDENT = "Student (the distilled model)"
_UPFRONT = "Upfront cost"
_MAINTENANCE = "Maintenance"
_UPSIDE = "Upside (kept out of the headline)"
_FINANCE = "Time value, cost of worse answers and latency"
_DECISION = "Decision"

_ALL: tuple[Field, ...] = (
    Field(
        "name",
        None,
        "Case name",
        "",
        "What is being distilled",
        None,
        "name",
        cell="case_name",
        heading=_CASE,
        kind="text",
        screen="own",
    ),
    Field(
        "currency",
        None,
        "Currency",
        "",
        "All money in this currency",
        None,
        "currency",
        cell="currency",
        heading=_CASE,
        kind="text",
    ),
    Field(
        "monthly_calls",
        _AMOUNT,
        "Monthly calls",
        "calls / month",
        "Calls the endpoint serves a month; the assumption that dominates",
        "volume",
        "monthly_calls",
        cell="monthly_calls",
        heading=_VOLUME,
        number_format=COUNT_FORMAT,
        assumption="Monthly volume",
        drawn="Monthly volume",
        reads_as="calls",
        breaks_when="below",
        required="enter the calls a month the endpoint serves",
        screen="own",
    ),
    Field(
        "monthly_growth",
        Bound(
            minimum=-1.0,
            strictly_above=True,
            maximum=1.0,
            share=True,
            period=" a month",
            unusual_above=0.2,
            unusual_below=-0.2,
        ),
        "Monthly volume growth",
        "share / month",
        "0.02 = 2 % more calls each month; negative when shrinking",
        "volume",
        "monthly_growth",
        cell="monthly_growth",
        heading=_VOLUME,
        kind="share",
        number_format=SHARE_FORMAT,
        assumption="Monthly growth",
        drawn="Monthly growth",
        reads_as="share",
        breaks_when="below",
        screen="optional",
    ),
    Field(
        "teacher_cost_per_1k",
        Bound(strictly_above=True, why="a free teacher leaves nothing to save"),
        "Teacher cost per 1,000 calls",
        "per 1k calls",
        "Leave blank to work it out from tokens and prices below",
        "teacher",
        "cost_per_1k",
        cell="teacher_cost_per_1k",
        heading=_TEACHER,
        number_format=PRICE_FORMAT,
        assumption="Teacher cost per 1k",
        drawn="Teacher cost per 1k",
        reads_as="money",
        breaks_when="below",
        screen="own",
    ),
    Field(
        "input_tokens_per_call",
        _AMOUNT,
        "Input tokens per call",
        "tokens",
        "Prompt and input, per call",
        "teacher",
        "input_tokens_per_call",
        cell="input_tokens_per_call",
        heading=_TEACHER,
        number_format=COUNT_FORMAT,
        screen="own",
    ),
    Field(
        "output_tokens_per_call",
        _AMOUNT,
        "Output tokens per call",
        "tokens",
        "Model output, per call",
        "teacher",
        "output_tokens_per_call",
        cell="output_tokens_per_call",
        heading=_TEACHER,
        number_format=COUNT_FORMAT,
        screen="own",
    ),
    Field(
        "teacher_input_price_per_million",
        _AMOUNT,
        "Teacher price per million input tokens",
        "per 1M tokens",
        "Provider list price",
        "teacher",
        "input_price_per_million",
        cell="teacher_input_price_per_million",
        heading=_TEACHER,
        number_format=PRICE_FORMAT,
        screen="own",
    ),
    Field(
        "teacher_output_price_per_million",
        _AMOUNT,
        "Teacher price per million output tokens",
        "per 1M tokens",
        "Provider list price",
        "teacher",
        "output_price_per_million",
        cell="teacher_output_price_per_million",
        heading=_TEACHER,
        number_format=PRICE_FORMAT,
        screen="own",
    ),
    Field(
        "student_pricing",
        None,
        "How the student is priced",
        "",
        "Per 1,000 calls, Token prices (uses the tokens above), or Self-hosted GPUs",
        cell="student_pricing",
        heading=_STUDENT,
        kind="choice",
        in_case=False,
    ),
    Field(
        "student_cost_per_1k",
        _AMOUNT,
        "Student cost per 1,000 calls",
        "per 1k calls",
        "Used when priced per 1,000 calls",
        "student",
        "cost_per_1k",
        cell="student_cost_per_1k",
        heading=_STUDENT,
        number_format=PRICE_FORMAT,
        assumption="Student cost per 1k",
        drawn="Student cost per 1k",
        reads_as="money",
        breaks_when="above",
        screen="own",
    ),
    Field(
        "student_input_price_per_million",
        _AMOUNT,
        "Student price per million input tokens",
        "per 1M tokens",
        "Used when priced by token prices",
        "student",
        "input_price_per_million",
        cell="student_input_price_per_million",
        heading=_STUDENT,
        number_format=PRICE_FORMAT,
        screen="own",
    ),
    Field(
        "student_output_price_per_million",
        _AMOUNT,
        "Student price per million output tokens",
        "per 1M tokens",
        "Used when priced by token prices",
        "student",
        "output_price_per_million",
        cell="student_output_price_per_million",
        heading=_STUDENT,
        number_format=PRICE_FORMAT,
        screen="own",
    ),
    Field(
        "gpu_hourly_cost",
        _AMOUNT,
        "GPU hourly cost",
        "per GPU-hour",
        "Used when self-hosted; paid around the clock",
        "student",
        "gpu_hourly_cost",
        cell="gpu_hourly_cost",
        heading=_STUDENT,
        number_format=HOURLY_FORMAT,
        assumption="GPU hourly cost",
        drawn="GPU hourly cost",
        reads_as="money",
        breaks_when="above",
        screen="own",
    ),
    Field(
        "calls_per_second_per_gpu",
        Bound(strictly_above=True),
        "Calls per second per GPU",
        "calls / s",
        "Throughput of one fully busy GPU",
        "student",
        "calls_per_second_per_gpu",
        cell="calls_per_second_per_gpu",
        heading=_STUDENT,
        number_format=RATE_FORMAT,
        screen="own",
    ),
    Field(
        "target_utilization",
        Bound(strictly_above=True, maximum=1.0, share=True),
        "Target GPU utilisation",
        "share",
        "Load a GPU may run at during the peak, above 0 and at most 1",
        "student",
        "target_utilization",
        cell="target_utilization",
        heading=_STUDENT,
        kind="share",
        number_format=SHARE_FORMAT,
        assumption="Target utilisation",
        drawn="Target utilisation",
        reads_as="share",
        breaks_when="below",
        screen="own",
    ),
    Field(
        "peak_factor",
        Bound(minimum=1.0),
        "Peak factor",
        "× average",
        "Peak traffic ÷ average traffic, at least 1",
        "student",
        "peak_factor",
        cell="peak_factor",
        heading=_STUDENT,
        number_format=RATE_FORMAT,
        screen="own",
    ),
    Field(
        "escalation_share",
        _SHARE_BELOW_ONE,
        "Escalation share",
        "share of calls",
        "Calls the student hands back to the teacher",
        "student",
        "escalation_share",
        cell="escalation_share",
        heading=_STUDENT,
        kind="share",
        number_format=SHARE_FORMAT,
        screen="optional",
    ),
    Field(
        "upfront_cost",
        _AMOUNT,
        "Upfront total",
        "money",
        "Leave blank to add up the items below",
        "upfront",
        "total",
        cell="upfront_total",
        heading=_UPFRONT,
        assumption="Upfront cost",
        drawn="Upfront cost",
        reads_as="money",
        breaks_when="above",
        screen="required",
    ),
    _money(
        "data_generation_cost",
        "Data generation",
        "money",
        "Leave blank to cost the teacher labelling the corpus (below)",
        "upfront",
        "data_generation",
        heading=_UPFRONT,
    ),
    Field(
        "corpus_examples",
        _AMOUNT,
        "Corpus examples",
        "examples",
        "Examples the teacher labels",
        "upfront",
        "corpus_examples",
        cell="corpus_examples",
        heading=_UPFRONT,
        number_format=COUNT_FORMAT,
    ),
    Field(
        "data_generation_passes",
        _AMOUNT,
        "Teacher calls per example",
        "calls",
        "E.g. 2 for a label and a rationale",
        "upfront",
        "data_generation_passes",
        cell="data_generation_passes",
        heading=_UPFRONT,
        number_format=TALLY_FORMAT,
    ),
    Field(
        "batch_discount",
        _SHARE_BELOW_ONE,
        "Batch inference discount",
        "share",
        "0.5 = half price for offline batch calls",
        "upfront",
        "batch_discount",
        cell="batch_discount",
        heading=_UPFRONT,
        kind="share",
        number_format=SHARE_FORMAT,
    ),
    _money(
        "training_compute",
        "Training compute",
        "money",
        "The student training run(s)",
        "upfront",
        "training_compute",
        heading=_UPFRONT,
    ),
    _money(
        "evaluation_build",
        "Evaluation build",
        "money",
        "Leave blank to cost the days below",
        "upfront",
        "evaluation_build",
        heading=_UPFRONT,
    ),
    Field(
        "evaluation_days",
        _AMOUNT,
        "Evaluation build days",
        "engineer-days",
        "Frozen evaluation set, slices and harness",
        "upfront",
        "evaluation_days",
        cell="evaluation_days",
        heading=_UPFRONT,
        number_format=TALLY_FORMAT,
    ),
    _money(
        "engineering_time",
        "Engineering time",
        "money",
        "Leave blank to cost the days below",
        "upfront",
        "engineering_time",
        heading=_UPFRONT,
    ),
    Field(
        "engineering_days",
        _AMOUNT,
        "Engineering days",
        "engineer-days",
        "Running, debugging and validating the pipeline",
        "upfront",
        "engineering_days",
        cell="engineering_days",
        heading=_UPFRONT,
        number_format=TALLY_FORMAT,
    ),
    _money(
        "day_rate",
        "Engineer day rate",
        "money / day",
        "Fully loaded",
        "upfront",
        "day_rate",
        heading=_UPFRONT,
    ),
    _money(
        "annual_maintenance",
        "Annual maintenance",
        "money / year",
        "Leave blank to cost the redistillations below",
        "maintenance",
        "annual",
        heading=_MAINTENANCE,
        assumption="Annual maintenance",
        drawn="Annual maintenance",
        reads_as="money",
        breaks_when="above",
        screen="required",
    ),
    Field(
        "redistillations_per_year",
        _AMOUNT,
        "Redistillations a year",
        "per year",
        "When the teacher or the data drift",
        "maintenance",
        "redistillations_per_year",
        cell="redistillations_per_year",
        heading=_MAINTENANCE,
        number_format=TALLY_FORMAT,
    ),
    _money(
        "redistillation_cost",
        "Cost of one redistillation",
        "money",
        "Relabel, retrain, re-evaluate",
        "maintenance",
        "redistillation_cost",
        heading=_MAINTENANCE,
    ),
    _money(
        "monthly_latency_value",
        "Value of faster answers",
        "money / month",
        "Only if tied to a metric you track; estimate conservatively",
        "upside",
        "monthly_latency_value",
        heading=_UPSIDE,
    ),
    _money(
        "annual_new_capability_revenue",
        "New-capability revenue",
        "money / year",
        "Revenue of features only the small model makes possible",
        "upside",
        "annual_new_capability_revenue",
        heading=_UPSIDE,
    ),
    Field(
        "discount_rate",
        Bound(minimum=-1.0, strictly_above=True, maximum=1.0, share=True, period=" a year"),
        "Discount rate",
        "share / year",
        "0.08 = 8 % a year, applied monthly; 0: undiscounted",
        "finance",
        "discount_rate",
        cell="discount_rate",
        heading=_FINANCE,
        kind="share",
        number_format=SHARE_FORMAT,
        screen="optional",
    ),
    Field(
        "horizon_months",
        Bound(minimum=1.0, maximum=600.0, whole=True, why="months counted by NPV"),
        "Horizon",
        "months",
        "Months the value today and rate of return count (36 unless set)",
        "finance",
        "horizon_months",
        cell="horizon_months",
        heading=_FINANCE,
        number_format=COUNT_FORMAT,
        screen="optional",
    ),
    Field(
        "cost_per_error",
        _AMOUNT,
        "Cost of a wrong answer",
        "money",
        "A refund, an escalation, a lost customer; blank: not costed",
        "quality",
        "cost_per_error",
        cell="cost_per_error",
        heading=_FINANCE,
        number_format=PRICE_FORMAT,
        drawn="Cost per error",
        reads_as="money",
        screen="optional",
    ),
    Field(
        "teacher_p95_ms",
        _AMOUNT,
        "Teacher P95 latency",
        "ms",
        "95th-percentile response time; blank if not measured",
        "upside",
        "teacher_p95_ms",
        cell="teacher_p95_ms",
        heading=_FINANCE,
        number_format=COUNT_FORMAT,
    ),
    Field(
        "student_p95_ms",
        _AMOUNT,
        "Student P95 latency",
        "ms",
        "Never in the savings: value it in Value of faster answers",
        "upside",
        "student_p95_ms",
        cell="student_p95_ms",
        heading=_FINANCE,
        number_format=COUNT_FORMAT,
    ),
    Field(
        "target_payback_months",
        Bound(strictly_above=True, maximum=1200.0),
        "Target payback",
        "months",
        "Under 3 is strong; over 12, reconsider",
        "decision",
        "target_payback_months",
        cell="target_payback_months",
        heading=_DECISION,
        number_format=TENTHS_FORMAT,
        screen="optional",
    ),
    Field(
        "sensitivity_swing",
        _SHARE_BELOW_ONE,
        "Sensitivity swing",
        "share",
        "How far the Sensitivity sheet moves each assumption (0.5 = ±50 %)",
        cell="sensitivity_swing",
        heading=_DECISION,
        kind="share",
        number_format=SHARE_FORMAT,
        in_case=False,
    ),
    Field(
        "traffic_share",
        Bound(maximum=1.0, share=True),
        "Traffic share",
        "share",
        "A quality slice's share of all calls",
        kind="share",
        number_format=SHARE_FORMAT,
        in_case=False,
    ),
)

FIELDS: dict[str, Field] = {item.name: item for item in _ALL}
"""Every input, by name, in the order of the workbook's Inputs sheet (fields not on the sheet
where they will go): the :class:`~xl_roi.case.Case` fields, the Inputs sheet's
``student_pricing`` and ``sensitivity_swing``, and ``traffic_share``, a quality slice's."""

BOUNDS: dict[str, Bound] = {item.name: item.bound for item in _ALL if item.bound is not None}
"""Every numeric input's bounds, by its name (from :data:`FIELDS`)."""


def check_fraction(name: str, value: object, *, allow_one: bool = False) -> float:
    """Return a share in [0, 1) (or [0, 1] with ``allow_one``), or raise :class:`InputError`.

    Examples
    --------
    >>> check_fraction("escalation_share", 0.05)
    0.05
    >>> check_fraction("batch_discount", 1.0)
    Traceback (most recent call last):
    ...
    xl_roi.errors.InputError: batch_discount must be a share ≥ 0 and < 1 (0.05 = 5 %), got 1
    """
    return Bound(maximum=1.0, maximum_exclusive=not allow_one, share=True).check(name, value)
