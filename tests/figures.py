"""How two layers' figures are compared: to 1e-12 relative, every one of them.

Every formula is written once (:mod:`xl_roi._kernel`) and run on floats for one case and on
numpy arrays for many, the same formula in the same order; ``math`` and numpy may differ in the
last bit of a logarithm or an exponential, so two layers agree to rounding, not to the bit: the
tests hold them to 1e-12 relative (1e-300 absolute at zero), the searched figures (break-even
volume, payback after maintenance, discounted payback) included.
"""

from __future__ import annotations

import math

RELATIVE = 1e-12
"""How far apart two layers' figures may be, relative to the larger."""


def agree(got: float, expected: float) -> bool:
    """Whether two figures agree to :data:`RELATIVE` (inf equal to inf, NaN equal to NaN)."""
    got, expected = float(got), float(expected)
    if got == expected or (math.isnan(got) and math.isnan(expected)):
        return True
    return math.isclose(got, expected, rel_tol=RELATIVE, abs_tol=1e-300)


def same_figure(name: str, got: float, expected: float) -> bool:
    """Whether two layers agree on figure ``name`` (see :func:`agree`)."""
    return agree(got, expected)
