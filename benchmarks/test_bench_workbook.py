"""Benchmarks for issue 5: `build` ≤ 150 ms and `check` ≤ 100 ms median in-process, and `check`
at least 5× faster than loading and recalculating the same workbook with the `formulas` engine.

Run: ``.venv/bin/python -m pytest benchmarks -q -s``.
"""

from __future__ import annotations

import statistics
import time

from tests.formulas_engine import recalculate
from xl_roi import example_case
from xl_roi.workbook.build import save_workbook
from xl_roi.workbook.check import check_workbook


def test_build(benchmark, tmp_path):
    """Build the example workbook, results stored, written atomically."""
    path = tmp_path / "case.xlsx"
    benchmark(lambda: save_workbook(example_case(), path, force=True))
    assert path.exists()


def test_build_portable(benchmark, tmp_path):
    """Build the example workbook's portable flavour (floor: 150 ms, as `build`)."""
    path = tmp_path / "case.xlsx"
    benchmark(lambda: save_workbook(example_case(), path, force=True, portable=True))
    assert benchmark.stats.stats.median <= 0.150


def test_libreoffice_recalculation(tmp_path):
    """LibreOffice's forced recalculation of one portable workbook, and of five in one start
    (reported, not a floor: it is LibreOffice's time, not ours)."""
    from tests.libreoffice import SOFFICE, convert_all, make_profile

    if not SOFFICE:
        return
    sources = []
    for index in range(5):
        sources.append(tmp_path / f"case{index}.xlsx")
        save_workbook(example_case(), sources[-1], portable=True)
    profile = make_profile(tmp_path / "profile")
    convert_all(sources[:1], tmp_path / "warm", profile)  # the profile's first start
    start = time.perf_counter()
    convert_all(sources[:1], tmp_path / "one", profile)
    one = time.perf_counter() - start
    start = time.perf_counter()
    convert_all(sources, tmp_path / "five", profile)
    five = time.perf_counter() - start
    print(f"\nLibreOffice: one workbook {one:.2f} s; five in one start {five:.2f} s")


def test_check_against_formulas_engine(benchmark, tmp_path):
    """Check the example workbook; time a formulas-engine recalculation of it in the same run."""
    path = tmp_path / "case.xlsx"
    save_workbook(example_case(), path)
    report = benchmark(check_workbook, path)
    assert report.clean
    checks = []
    for _ in range(5):
        start = time.perf_counter()
        check_workbook(path)
        checks.append(time.perf_counter() - start)
    start = time.perf_counter()
    recalculate(path)
    engine = time.perf_counter() - start
    check = statistics.median(checks)
    print(
        f"\ncheck {check * 1e3:.0f} ms; formulas load + recalculate {engine * 1e3:.0f} ms: "
        f"check is {engine / check:.0f}× faster"
    )
    benchmark.extra_info.update(speedup_vs_formulas=engine / check)
