"""xl_roi: the business case for model distillation, correct to the cent.

Train a small student model to mimic a large teacher, and this library tells you whether it pays:
monthly savings, payback, annual net benefit, a verdict, the flags that explain a weak one, the
sensitivity that names the load-bearing assumption, and a pitch in the order a decision-maker
reads it.

>>> import xl_roi
>>> result = xl_roi.evaluate(xl_roi.Case(monthly_calls=2_000_000, teacher_cost_per_1k=12.0,
...     student_cost_per_1k=1.5, upfront_cost=52_500, annual_maintenance=40_000))
>>> result.payback_months, result.verdict
(2.5, 'strong')
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from xl_roi._version import __version__
from xl_roi.case import Case, QualitySlice
from xl_roi.casefile import example_case, load_case
from xl_roi.costs import (
    cost_per_1k_calls,
    data_generation_cost,
    self_hosted_cost_per_1k_calls,
    self_hosted_gpus,
    serving_cost_per_1k_calls,
    upfront_cost,
)
from xl_roi.errors import CaseFileError, InputError
from xl_roi.evaluation import Flag, Result, SliceResult, evaluate
from xl_roi.pitch import pitch
from xl_roi.resolve import Resolved, StudentPricing, resolve
from xl_roi.roi import (
    annual_net_benefit,
    breakeven_volume,
    monthly_savings,
    payback_after_maintenance_months,
    payback_months,
    savings_share,
)
from xl_roi.verdict import VERDICTS, verdict

if _TYPE_CHECKING:  # loaded on first use (they need numpy and pandas): see __getattr__
    from xl_roi._measure import measure
    from xl_roi._sensitivity import breakeven_values, grid, sensitivity
    from xl_roi.portfolio import screen
    from xl_roi.simulation import simulate

_LAZY = {
    "breakeven_values": "xl_roi._sensitivity",
    "grid": "xl_roi._sensitivity",
    "measure": "xl_roi._measure",
    "screen": "xl_roi.portfolio",
    "sensitivity": "xl_roi._sensitivity",
    "simulate": "xl_roi.simulation",
}
"""Public functions that load numpy and pandas, imported on first use (PEP 562), so that
``import xl_roi`` (and ``xl-roi pitch``) stays as quick as the core's pure arithmetic."""

__all__ = [
    "VERDICTS",
    "Case",
    "CaseFileError",
    "Flag",
    "InputError",
    "QualitySlice",
    "Resolved",
    "Result",
    "SliceResult",
    "StudentPricing",
    "__version__",
    "annual_net_benefit",
    "breakeven_values",
    "breakeven_volume",
    "cost_per_1k_calls",
    "data_generation_cost",
    "evaluate",
    "example_case",
    "grid",
    "load_case",
    "measure",
    "monthly_savings",
    "payback_after_maintenance_months",
    "payback_months",
    "pitch",
    "resolve",
    "savings_share",
    "screen",
    "self_hosted_cost_per_1k_calls",
    "self_hosted_gpus",
    "sensitivity",
    "serving_cost_per_1k_calls",
    "simulate",
    "upfront_cost",
    "verdict",
]


def __getattr__(name: str) -> _Any:
    """The functions of :data:`_LAZY`, imported from their module on first use."""
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'xl_roi' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value  # found directly next time
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
