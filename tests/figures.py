"""How two layers' figures are compared: to the last bit, but for the two found numerically.

The array engine (:mod:`xl_roi.batch`, ``screen``) and ``evaluate`` do the same arithmetic in
the same order, so their figures agree to the last bit. The break-even volume and payback after
maintenance (and discounted payback, which is payback after maintenance at a 0 % rate) are
the exceptions: a single case works them out with :mod:`math` (so that a
command need not load numpy), the array engine with numpy, whose ``log1p``/``expm1`` can differ
in the last bit; they agree to rounding.
"""

from __future__ import annotations

import math

SOLVED_FIGURES = frozenset(
    {"breakeven_monthly_calls", "payback_after_maintenance_months", "discounted_payback_months"}
)
"""Figures found by a numerical method or through transcendental functions: equal to 1e-12."""


def same_figure(name: str, got: float, expected: float) -> bool:
    """Whether two layers agree on figure ``name``: exactly, or to 1e-12 for a solved figure."""
    got, expected = float(got), float(expected)
    if got == expected or (math.isnan(got) and math.isnan(expected)):
        return True
    return name in SOLVED_FIGURES and math.isclose(got, expected, rel_tol=1e-12, abs_tol=0.0)
