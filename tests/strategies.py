"""Hypothesis strategies shared by the tests: the figures a real case could hold."""

from __future__ import annotations

from hypothesis import strategies as st

money = st.floats(
    min_value=0.0, max_value=1e9, allow_nan=False, allow_infinity=False, allow_subnormal=False
)
positive_money = st.floats(
    min_value=0.01, max_value=1e9, allow_nan=False, allow_infinity=False, allow_subnormal=False
)
cost_per_1k = st.floats(
    min_value=0.0, max_value=1_000.0, allow_nan=False, allow_infinity=False, allow_subnormal=False
)
positive_cost_per_1k = st.floats(
    min_value=0.001, max_value=1_000.0, allow_nan=False, allow_infinity=False
)
monthly_calls = st.floats(
    min_value=0.0, max_value=1e10, allow_nan=False, allow_infinity=False, allow_subnormal=False
)
positive_monthly_calls = st.floats(
    min_value=1.0, max_value=1e10, allow_nan=False, allow_infinity=False
)
monthly_growth = st.floats(
    min_value=-0.5, max_value=0.5, allow_nan=False, allow_subnormal=False
).filter(lambda g: g == 0.0 or abs(g) >= 1e-6)
utilization = st.floats(min_value=0.01, max_value=1.0, allow_nan=False, allow_subnormal=False)
