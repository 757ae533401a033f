"""One converter from figures to what JSON holds, used by every ``--json`` and ``to_dict``.

An infinity (a payback that never comes) and NaN (not computed) become ``null``; numpy scalars
become Python numbers; dictionaries, lists and tuples are converted item by item. numpy is
never imported here (``xl-roi pitch --json`` loads none): its scalars are recognised by their
``item`` method.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["json_value"]


def json_value(value: Any) -> Any:
    """``value`` as JSON holds it: non-finite floats ``None``, numpy scalars plain, containers
    converted item by item.

    Examples
    --------
    >>> json_value({"payback_months": float("inf"), "irr": float("nan"), "rows": (1, 2.5)})
    {'payback_months': None, 'irr': None, 'rows': [1, 2.5]}
    """
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    return value
