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

from xl_roi._version import __version__
from xl_roi.case import Case, Flag, QualitySlice, Result, SliceResult, evaluate
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
from xl_roi.pitch import pitch
from xl_roi.roi import (
    annual_net_benefit,
    breakeven_volume,
    monthly_savings,
    payback_after_maintenance_months,
    payback_months,
    savings_share,
)
from xl_roi.verdict import VERDICTS, verdict

__all__ = [
    "VERDICTS",
    "Case",
    "CaseFileError",
    "Flag",
    "InputError",
    "QualitySlice",
    "Result",
    "SliceResult",
    "__version__",
    "annual_net_benefit",
    "breakeven_volume",
    "cost_per_1k_calls",
    "data_generation_cost",
    "evaluate",
    "example_case",
    "load_case",
    "monthly_savings",
    "payback_after_maintenance_months",
    "payback_months",
    "pitch",
    "savings_share",
    "self_hosted_cost_per_1k_calls",
    "self_hosted_gpus",
    "serving_cost_per_1k_calls",
    "upfront_cost",
    "verdict",
]
