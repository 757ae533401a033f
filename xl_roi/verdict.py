"""The judgement: is the case strong, defensible, marginal, worth reconsidering, or a no?

The thresholds: payback under a quarter is strong when volume holds; under a year
is defensible when volume grows; beyond a year, reconsider; never, or no net benefit: don't.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from xl_roi._kernel import SCALAR
from xl_roi.bounds import BOUNDS
from xl_roi.errors import check_number

__all__ = [
    "DEFENSIBLE",
    "DO_NOT_DISTILL",
    "LOW_VOLUME_PAYBACK_MONTHS",
    "MARGINAL",
    "QUARTER_MONTHS",
    "RECONSIDER",
    "STRONG",
    "VERDICTS",
    "YEAR_MONTHS",
    "Verdict",
    "verdict",
    "verdict_code",
]

_GROWTH = BOUNDS["monthly_growth"]
"""Monthly growth's plausible range: (−100 %, +100 %] a month."""

Verdict = Literal["strong", "defensible", "marginal", "reconsider", "do not distill"]

STRONG: Final = "strong"
DEFENSIBLE: Final = "defensible"
MARGINAL: Final = "marginal"
RECONSIDER: Final = "reconsider"
DO_NOT_DISTILL: Final = "do not distill"
VERDICTS: Final[tuple[Verdict, ...]] = (STRONG, DEFENSIBLE, MARGINAL, RECONSIDER, DO_NOT_DISTILL)
"""The labels, best first."""

LOW_VOLUME_PAYBACK_MONTHS: Final = 12.0
"""Half the volume must still pay back within this many months, or the volume is flagged low."""

QUARTER_MONTHS: Final = 3.0
"""Payback within this many months is strong (defensible while volume shrinks)."""
YEAR_MONTHS: Final = 12.0
"""Payback within this many months is defensible with growth, else marginal; beyond: reconsider."""


def verdict_code(payback_months: Any, net: Any, growth: Any, ops: Any = SCALAR) -> Any:
    """The verdict's index into :data:`VERDICTS`, as a float: the thresholds, written once for
    one case (``ops`` :data:`xl_roi._kernel.SCALAR`) and for arrays (``array_ops()``).

    Examples
    --------
    >>> VERDICTS[int(verdict_code(2.5, 212_000.0, 0.0))]
    'strong'
    """

    def paid_back() -> Any:
        def within_year() -> Any:
            return ops.where(
                payback_months <= YEAR_MONTHS,
                lambda: ops.where(growth > 0.0, lambda: 1.0, lambda: 2.0),
                lambda: 3.0,
            )

        return ops.where(
            payback_months <= QUARTER_MONTHS,
            lambda: ops.where(growth >= 0.0, lambda: 0.0, lambda: 1.0),
            within_year,
        )

    return ops.where(ops.isinf(payback_months) | (net <= 0.0), lambda: 4.0, paid_back)


def verdict(
    payback_months: float, annual_net_benefit: float, monthly_growth: float = 0.0
) -> Verdict:
    """Label a case from its payback, its annual net benefit and the direction of its volume.

    Parameters
    ----------
    payback_months : float
        Months to pay back the upfront cost (``math.inf``: never).
    annual_net_benefit : float
        Twelve months of savings less a year of maintenance.
    monthly_growth : float, default 0.0
        Month-on-month volume growth (negative: shrinking).

    Returns
    -------
    str
        ``"strong"``: payback ≤ 3 months with stable or growing volume.
        ``"defensible"``: ≤ 12 months with growing volume, or ≤ 3 months while shrinking.
        ``"marginal"``: ≤ 12 months without growth.
        ``"reconsider"``: longer than 12 months.
        ``"do not distill"``: never pays back, or annual net benefit ≤ 0.

    Examples
    --------
    >>> verdict(2.5, 212_000)
    'strong'
    >>> verdict(7, 50_000, monthly_growth=0.03)
    'defensible'
    >>> verdict(7, 50_000)
    'marginal'
    >>> verdict(2.5, -1_000)
    'do not distill'
    """
    months = check_number("payback_months", payback_months, allow_inf=True)
    net = check_number("annual_net_benefit", annual_net_benefit, minimum=None)
    growth = check_number(
        "monthly_growth",
        monthly_growth,
        minimum=_GROWTH.minimum,
        strictly_above=_GROWTH.strictly_above,
        maximum=_GROWTH.maximum,
    )
    return VERDICTS[int(verdict_code(months, net, growth))]
