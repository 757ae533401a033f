"""How two layers' figures are compared: to the last bit, but for the three found numerically.

Every formula is written once (:mod:`xl_roi._kernel`) and run on floats for one case and on
numpy arrays for many, the same operations in the same order: payback, savings, net benefit,
first-year net, NPV and the verdict agree to the last bit by construction. Three figures still
take ``log1p``/``expm1`` from :mod:`math` for one case (so that a command need not load numpy)
and from numpy for arrays, which can differ in the last bit, and two of them are then solved
by iterations the array engine runs element-wise: break-even volume, payback after maintenance
and discounted payback (payback after maintenance at a 0 % rate). They agree to 1e-12.
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
