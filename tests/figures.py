"""How two layers' figures are compared: to the last bit, every one of them.

Every formula is written once (:mod:`xl_roi._kernel`) and run on floats for one case and on
numpy arrays for many, the same operations in the same order. The logarithm and ``e^x − 1``
are written in plain arithmetic there too (``math`` and numpy differ in the last bit on a few
inputs in a hundred), and the searches for break-even volume, payback after maintenance and
discounted payback run the same steps on floats as on arrays: every figure, solved ones
included, agrees to the last bit by construction.
"""

from __future__ import annotations

import math


def same_figure(name: str, got: float, expected: float) -> bool:
    """Whether two layers agree on figure ``name``: to the last bit (NaN equal to NaN)."""
    got, expected = float(got), float(expected)
    return got == expected or (math.isnan(got) and math.isnan(expected))
