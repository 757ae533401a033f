"""Benchmarks for issue 6: 1,000,000 endpoints screened in ≤ 2 s and ≤ 1.5 GB peak memory, at
least 50× faster than calling `evaluate` row by row (timed on a sample in the same run).

Run: ``.venv/bin/python -m pytest benchmarks -q -s``. The 1 GB CSV run is
``.venv/bin/python benchmarks/big_csv.py`` (it writes a 1 GB file, so it is not run here).
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pandas as pd
import pytest

from xl_roi import Case, evaluate
from xl_roi.portfolio import screen


def endpoints(rows: int, seed: int = 0) -> pd.DataFrame:
    """Random but plausible endpoints: volumes spread over six orders of magnitude."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "name": [f"endpoint-{i}" for i in range(rows)],
            "monthly_calls": rng.lognormal(13, 2, rows).round(),
            "monthly_growth": rng.choice([0.0, 0.01, 0.03, -0.02], rows),
            "teacher_cost_per_1k": rng.uniform(0.5, 20, rows).round(4),
            "student_cost_per_1k": rng.uniform(0.05, 5, rows).round(4),
            "upfront_cost": rng.uniform(5e3, 2e5, rows).round(2),
            "annual_maintenance": rng.uniform(0, 1e5, rows).round(2),
        }
    )


@pytest.fixture(scope="module")
def million():
    return endpoints(1_000_000)


def test_screen_a_million(benchmark, million):
    """Screen 1,000,000 endpoints; print peak memory and the speed-up over evaluate."""
    table = benchmark.pedantic(screen, args=(million,), rounds=3, iterations=1)
    assert len(table) == 1_000_000 and table["error"].isna().all()

    tracemalloc.start()
    screen(million)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    sample = million.head(2_000)
    start = time.perf_counter()
    for row in sample.itertuples(index=False):
        evaluate(
            Case(
                name=row.name,
                monthly_calls=row.monthly_calls,
                monthly_growth=row.monthly_growth,
                teacher_cost_per_1k=row.teacher_cost_per_1k,
                student_cost_per_1k=row.student_cost_per_1k,
                upfront_cost=row.upfront_cost,
                annual_maintenance=row.annual_maintenance,
            )
        )
    one_by_one = (time.perf_counter() - start) / len(sample)
    start = time.perf_counter()
    screen(million)
    vectorised = (time.perf_counter() - start) / len(million)
    print(
        f"\nscreen: peak memory {peak / 1e6:.0f} MB (tracemalloc); {vectorised * 1e9:.0f} ns "
        f"an endpoint vs {one_by_one * 1e6:.0f} µs through evaluate: "
        f"{one_by_one / vectorised:,.0f}×"
    )
    benchmark.extra_info.update(peak_mb=peak / 1e6, speedup=one_by_one / vectorised)


def _three_stable_argsorts(codes, net, payback):
    """The ranking as it was: three stable argsorts (payback, then net benefit, then verdict)."""
    order = np.argsort(payback, kind="stable")
    order = order[np.argsort(-np.nan_to_num(net, nan=-np.inf)[order], kind="stable")]
    return order[np.argsort(codes.astype(np.int8)[order], kind="stable")]


def test_rank_a_million_against_three_stable_sorts(million):
    """Issue 9.15: rank 1,000,000 screened endpoints; print the speed-up over three stable
    argsorts (same order, checked), best of five runs each."""
    from xl_roi.portfolio import _order, screen_unranked, verdict_codes

    table = screen_unranked(million)
    net = table["annual_net_benefit"].to_numpy()
    payback = table["payback_months"].to_numpy()
    codes = verdict_codes(payback, net, table["monthly_growth"].to_numpy())

    def best(function):
        times = []
        for _ in range(5):
            start = time.perf_counter()
            order = function(codes, net, payback)
            times.append(time.perf_counter() - start)
        return min(times), order

    before, expected = best(_three_stable_argsorts)
    after, order = best(_order)
    assert (order == expected).all()
    print(
        f"\nranking 1,000,000: {after * 1e3:.0f} ms against {before * 1e3:.0f} ms "
        f"for three stable argsorts: {before / after:.1f}×"
    )
    assert before / after >= 2.0
