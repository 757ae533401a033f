"""The plausible range of every input: :data:`BOUNDS`, read from the field registry.

:class:`~xl_roi.case.Case` refuses a value outside its :class:`Bound`, so do case files (through
``Case``), the template's data validation, and reading a filled-in workbook back. A value inside
the hard bounds can still be unusual (growth of 30 % a month): :func:`unusual_inputs` says so,
for the pitch and for ``xl-roi check``. The bounds themselves, and why, are in
:mod:`xl_roi.fields`, with everything else about each input.
"""

from __future__ import annotations

from xl_roi.errors import describe_value
from xl_roi.fields import BOUNDS, Bound

__all__ = ["BOUNDS", "Bound", "check_input", "unusual_inputs"]


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
