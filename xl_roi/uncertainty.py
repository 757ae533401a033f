"""How uncertain each input is: (low, likely, high) ranges for the Monte Carlo simulation.

A case file may carry an ``[uncertainty]`` table, one line per input it is unsure of::

    [uncertainty]
    monthly_calls = [1_000_000, 1_500_000, 2_500_000]   # low, likely, high
    annual_maintenance = [12_000, 24_000, 48_000]

:func:`check_range` refuses anything else with a message naming the input and the fix. Inputs
without a line are drawn from the base value ± the swing (``xl-roi simulate --swing``). This
module is plain Python (no numpy), so reading a case stays quick.
"""

from __future__ import annotations

from typing import Any

from xl_roi.errors import InputError
from xl_roi.fields import BOUNDS, FIELDS

__all__ = ["DRAWN_LABELS", "INPUT_LABELS", "INPUT_UNITS", "check_range", "uncertain_inputs"]

INPUT_LABELS: dict[str, str] = {
    entry.name: entry.assumption for entry in FIELDS.values() if entry.assumption
}
"""The inputs a case can be moved along (sensitivity) or drawn (simulation), with their labels."""

INPUT_UNITS: dict[str, str] = {
    entry.name: entry.reads_as for entry in FIELDS.values() if entry.drawn
}
"""How each input is written for a reader: a count of calls, an amount of money, or a share (%)."""

DRAWN_LABELS: dict[str, str] = {entry.name: entry.drawn for entry in FIELDS.values() if entry.drawn}
"""Every input the simulation may draw, with its label: those of :data:`INPUT_LABELS`, and the
cost of an error, which moves only the quality-adjusted figures."""


def uncertain_inputs(self_hosted: bool) -> list[str]:
    """The inputs a case may give a range for: a self-hosted student's GPU price and load, or
    else its price per 1k calls; and the cost of an error (for the quality-adjusted figures).

    Examples
    --------
    >>> uncertain_inputs(self_hosted=False)
    ['monthly_calls', 'teacher_cost_per_1k', 'student_cost_per_1k', 'upfront_cost', \
'annual_maintenance', 'monthly_growth', 'cost_per_error']
    """
    names = ["monthly_calls", "teacher_cost_per_1k"]
    names += ["gpu_hourly_cost", "target_utilization"] if self_hosted else ["student_cost_per_1k"]
    return [*names, "upfront_cost", "annual_maintenance", "monthly_growth", "cost_per_error"]


def check_range(
    name: str, given: Any, *, self_hosted: bool, where: str = "uncertainty"
) -> tuple[float, float, float]:
    """One input's (low, likely, high), checked: a known input, three numbers within the input's
    own bounds (:data:`xl_roi.fields.BOUNDS`, as a case holds them), in order.

    Parameters
    ----------
    name : str
        The input (a key of :data:`INPUT_LABELS`).
    given : object
        What the user wrote: a list or tuple of three numbers.
    self_hosted : bool
        Whether the case's student is self-hosted (which inputs apply).
    where : str
        How messages name the table (``[uncertainty]`` in a case file).

    Raises
    ------
    InputError
        Naming the input, what was given and what to write instead.

    Examples
    --------
    >>> check_range("monthly_calls", [1_000_000, 1_500_000, 2_500_000], self_hosted=False)
    (1000000.0, 1500000.0, 2500000.0)
    >>> try:
    ...     check_range("monthly_calls", [3, 2, 1], self_hosted=False)
    ... except InputError as error:
    ...     print(error)
    uncertainty: monthly_calls must be [low, likely, high] with low ≤ likely ≤ high, got [3, 2, 1]
    """
    allowed = uncertain_inputs(self_hosted)
    if name not in allowed:
        known = ", ".join(allowed)
        if name in DRAWN_LABELS:
            student = "a self-hosted" if self_hosted else "a per-call priced"
            raise InputError(
                f"{where}: {name} does not apply to this case ({student} student; it takes {known})"
            )
        raise InputError(f"{where}: unknown input {name!r} (known: {known})")
    if isinstance(given, str | bytes) or not isinstance(given, list | tuple) or len(given) != 3:
        raise InputError(
            f"{where}: {name} must be [low, likely, high], three numbers, got {given!r}"
        )
    bound = BOUNDS[name]
    low, likely, high = (
        bound.check(f"{where}: {name} {part}", value)
        for part, value in zip(("low", "likely", "high"), given, strict=True)
    )
    if not low <= likely <= high:
        shown = "[" + ", ".join(f"{value:g}" for value in (low, likely, high)) + "]"
        raise InputError(
            f"{where}: {name} must be [low, likely, high] with low ≤ likely ≤ high, got {shown}"
        )
    return low, likely, high
