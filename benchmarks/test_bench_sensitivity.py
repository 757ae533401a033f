"""Benchmarks for issue 3: tornado ≤ 2 ms, 100 × 100 grid ≤ 20 ms, 1M Monte Carlo draws ≤ 300 ms
and ≤ 200 MB peak, at least 50× faster per draw than evaluate one by one.

Run: ``.venv/bin/python -m pytest benchmarks -q``. These measure; they are not timed tests.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np

from xl_roi import evaluate, example_case
from xl_roi._sensitivity import grid, sensitivity
from xl_roi.batch import apply_assumption
from xl_roi.simulation import default_ranges, simulate


def test_tornado(benchmark):
    """The full sensitivity table of the example (tornado, scenarios, break-evens)."""
    case = example_case()
    table = benchmark(sensitivity, case)
    assert len(table) == 9


def test_grid_100_by_100(benchmark):
    """Payback over 100 volumes × 100 student costs."""
    case = example_case()
    volumes = np.linspace(100_000, 10_000_000, 100)
    costs = np.linspace(0.05, 7.0, 100)
    table = benchmark(grid, case, volumes, costs)
    assert table.shape == (100, 100)


def test_monte_carlo_million_draws(benchmark):
    """A million draws; also prints peak memory and the speed-up over evaluate one by one."""
    case = example_case()
    result = benchmark.pedantic(
        simulate, args=(case,), kwargs={"draws": 1_000_000}, rounds=5, iterations=1
    )
    assert result.draws == 1_000_000

    tracemalloc.start()
    simulate(case, draws=1_000_000)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    ranges = default_ranges(case)
    rng = np.random.default_rng(0)
    sample = 2_000
    drawn = {
        name: rng.triangular(low, likely, high, sample)
        for name, (low, likely, high) in ranges.items()
    }
    start = time.perf_counter()
    for index in range(sample):
        moved = case
        for name in ranges:
            moved = apply_assumption(moved, name, float(drawn[name][index]))
        evaluate(moved)
    one_by_one = (time.perf_counter() - start) / sample
    start = time.perf_counter()
    simulate(case, draws=1_000_000)
    vectorised = (time.perf_counter() - start) / 1_000_000
    ratio = one_by_one / vectorised
    print(
        f"\nMonte Carlo: peak memory {peak / 1e6:.0f} MB; per draw {vectorised * 1e9:.0f} ns "
        f"vectorised vs {one_by_one * 1e6:.0f} µs one by one through evaluate: {ratio:,.0f}×"
    )
    benchmark.extra_info.update(peak_mb=peak / 1e6, speedup_vs_evaluate=ratio)
