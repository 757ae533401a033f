"""The plausible range of every input, in one place.

:class:`~xl_roi.case.Case` refuses a value outside its :class:`Bound`, so do case files (through
``Case``), the template's data validation, and reading a filled-in workbook back. A value inside
the hard bounds can still be unusual (growth of 30 % a month): :func:`unusual_inputs` says so,
for the pitch and for ``xl-roi check``.

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
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

from xl_roi.errors import (
    SMALLEST_NUMBER,
    Digits,
    InputError,
    bounds_text,
    describe_value,
    percent_hint,
    too_small,
)

__all__ = ["BOUNDS", "Bound", "check_input", "unusual_inputs"]


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


_AMOUNT = Bound()
_SHARE_BELOW_ONE = Bound(maximum=1.0, maximum_exclusive=True, share=True)

BOUNDS: dict[str, Bound] = {
    "monthly_calls": _AMOUNT,
    "monthly_growth": Bound(
        minimum=-1.0,
        strictly_above=True,
        maximum=1.0,
        share=True,
        period=" a month",
        unusual_above=0.2,
        unusual_below=-0.2,
    ),
    "teacher_cost_per_1k": Bound(strictly_above=True, why="a free teacher leaves nothing to save"),
    "input_tokens_per_call": _AMOUNT,
    "output_tokens_per_call": _AMOUNT,
    "teacher_input_price_per_million": _AMOUNT,
    "teacher_output_price_per_million": _AMOUNT,
    "student_cost_per_1k": _AMOUNT,
    "student_input_price_per_million": _AMOUNT,
    "student_output_price_per_million": _AMOUNT,
    "gpu_hourly_cost": _AMOUNT,
    "calls_per_second_per_gpu": Bound(strictly_above=True),
    "target_utilization": Bound(strictly_above=True, maximum=1.0, share=True),
    "peak_factor": Bound(minimum=1.0),
    "escalation_share": _SHARE_BELOW_ONE,
    "upfront_cost": _AMOUNT,
    "data_generation_cost": _AMOUNT,
    "corpus_examples": _AMOUNT,
    "data_generation_passes": _AMOUNT,
    "batch_discount": _SHARE_BELOW_ONE,
    "training_compute": _AMOUNT,
    "evaluation_build": _AMOUNT,
    "evaluation_days": _AMOUNT,
    "engineering_time": _AMOUNT,
    "engineering_days": _AMOUNT,
    "day_rate": _AMOUNT,
    "annual_maintenance": _AMOUNT,
    "redistillations_per_year": _AMOUNT,
    "redistillation_cost": _AMOUNT,
    "monthly_latency_value": _AMOUNT,
    "annual_new_capability_revenue": _AMOUNT,
    "target_payback_months": Bound(strictly_above=True, maximum=1200.0),
    "discount_rate": Bound(
        minimum=-1.0,
        strictly_above=True,
        maximum=1.0,
        share=True,
        period=" a year",
    ),
    "horizon_months": Bound(minimum=1.0, maximum=600.0, whole=True, why="months counted by NPV"),
    "cost_per_error": _AMOUNT,
    "traffic_share": Bound(maximum=1.0, share=True),
    "teacher_p95_ms": _AMOUNT,
    "student_p95_ms": _AMOUNT,
    "sensitivity_swing": _SHARE_BELOW_ONE,
}
"""Every numeric input's bounds, by its name (a :class:`~xl_roi.case.Case` field,
``traffic_share``, a quality slice's, or ``sensitivity_swing``, the template's Sensitivity sheet
swing)."""


def check_input(name: str, value: object) -> float:
    """Check an input against its bounds in :data:`BOUNDS`.

    Examples
    --------
    >>> check_input("monthly_growth", 0.05)
    0.05
    >>> check_input("batch_discount", 50)
    Traceback (most recent call last):
    ...
    xl_roi.errors.InputError: batch_discount must be a share ≥ 0 and < 1 (0.05 = 5 %), got 50: \
50 means 5,000 %; write 0.5 for 50 %
    """
    return BOUNDS[name].check(name, value)


def unusual_inputs(values: dict[str, object]) -> list[tuple[str, str]]:
    """The inputs within their bounds but beyond where they become unusual, each with a sentence.

    Parameters
    ----------
    values : dict
        Input name → value (names as in :data:`BOUNDS`; others and non-numbers are ignored).

    Returns
    -------
    list of (name, sentence)

    Examples
    --------
    >>> unusual_inputs({"monthly_growth": 0.3, "monthly_calls": 1e6})
    [('monthly_growth', 'monthly growth of 30% a month is unusual: 23 times the volume after a \
year. Check it is a monthly, not an annual, rate.')]
    """
    found = []
    for name, value in values.items():
        bound = BOUNDS.get(name)
        if bound is None or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if not bound.unusual(float(value)):
            continue
        if name == "monthly_growth":
            growth = float(value)
            factor = (1.0 + growth) ** 12
            change = f"{factor:,.0f} times" if factor >= 1.5 else f"{factor:.0%} of"
            found.append(
                (
                    name,
                    f"monthly growth of {growth:.0%} a month is unusual: {change} the volume "
                    "after a year. Check it is a monthly, not an annual, rate.",
                )
            )
        else:  # pragma: no cover - every unusual bound so far is growth's
            found.append((name, f"{name} of {describe_value(value)} is unusual"))
    return found
