"""Issue 11 item 4: `xl-roi screen --json` against DuckDB doing the same job alone.

Writes ROWS generated endpoints to a CSV in a temporary folder (or uses --csv PATH), then, each
in a fresh process, with the output written to a file beside the input:

* ``xl-roi screen FILE --json``;
* bare DuckDB: read the CSV, the same arithmetic in SQL (savings, payback with growth, payback
  after maintenance at flat volume, net benefit, savings share, break-even volume, verdict),
  rank by verdict, net benefit and payback, write the ranked rows as a JSON array.

It prints each one's median wall time and peak resident memory, and the ratio of the
medians. Bare DuckDB does less than the screen (no checks of each value, no reasons for
refused rows, no Newton iteration for payback after maintenance with growth), so the ratio
flatters it, not us.

    .venv/bin/python benchmarks/screen_json.py [--rows 2000000] [--csv PATH] \
        [--only-screen] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BARE_DUCKDB = r"""
import sys, duckdb
source, target = sys.argv[1], sys.argv[2]
connection = duckdb.connect(config={"memory_limit": "4GB"})
connection.execute("SET enable_progress_bar = false")
connection.execute(f'''
COPY (
WITH e AS (
    SELECT *, row_number() OVER () AS place FROM read_csv('{source}', header = true)
), f AS (
    SELECT *, (teacher_cost_per_1k - student_cost_per_1k) * monthly_calls / 1000 AS s
    FROM e
), p AS (
    SELECT *,
        CASE WHEN s <= 0 THEN 'infinity'::DOUBLE
             WHEN monthly_growth = 0 THEN upfront_cost / s
             WHEN 1 + upfront_cost * monthly_growth / s <= 0 THEN 'infinity'::DOUBLE
             ELSE ln(1 + upfront_cost * monthly_growth / s) / ln(1 + monthly_growth) END
            AS payback_months,
        CASE WHEN s - annual_maintenance / 12 <= 0 THEN 'infinity'::DOUBLE
             ELSE upfront_cost / (s - annual_maintenance / 12) END
            AS payback_after_maintenance_months,
        12 * s - annual_maintenance AS annual_net_benefit
    FROM f
), v AS (
    SELECT *,
        CASE WHEN isinf(payback_months) OR annual_net_benefit <= 0 THEN 4
             WHEN payback_months <= 3 THEN CASE WHEN monthly_growth >= 0 THEN 0 ELSE 1 END
             WHEN payback_months <= 12 THEN CASE WHEN monthly_growth > 0 THEN 1 ELSE 2 END
             ELSE 3 END AS code
    FROM p
)
SELECT row_number() OVER (ORDER BY code, annual_net_benefit DESC, payback_months, place)
        AS rank,
    name,
    ['strong', 'defensible', 'marginal', 'reconsider', 'do not distill'][code + 1] AS verdict,
    CASE WHEN isfinite(payback_months) THEN payback_months END AS payback_months,
    CASE WHEN isfinite(payback_after_maintenance_months)
        THEN payback_after_maintenance_months END AS payback_after_maintenance_months,
    annual_net_benefit,
    s AS monthly_savings,
    12 * s AS annual_savings,
    (teacher_cost_per_1k - student_cost_per_1k) / teacher_cost_per_1k AS savings_share,
    CASE WHEN teacher_cost_per_1k > student_cost_per_1k THEN
        upfront_cost * CASE WHEN monthly_growth = 0 THEN 1 / 12
            ELSE monthly_growth / (pow(1 + monthly_growth, 12) - 1) END
        / ((teacher_cost_per_1k - student_cost_per_1k) / 1000) END
        AS breakeven_monthly_calls,
    monthly_calls, teacher_cost_per_1k, student_cost_per_1k, upfront_cost,
    annual_maintenance, monthly_growth, NULL::VARCHAR AS error
FROM v
ORDER BY rank
) TO '{target}' (FORMAT json, ARRAY true)
''')
"""


def _run(command: list[str], stdout: Path | None) -> tuple[float, float]:
    """Wall time and peak resident memory (bytes) of a command in a fresh process."""
    start = time.perf_counter()
    with open(stdout or os.devnull, "wb") as out:
        child = subprocess.Popen(command, stdout=out)
        _, status, usage = os.wait4(child.pid, 0)  # this child's own peak, not the largest
        child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{command[:4]} failed: exit {child.returncode}")
    return time.perf_counter() - start, usage.ru_maxrss * 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--csv", type=Path, help="use this CSV (written there if absent)")
    parser.add_argument("--only-screen", action="store_true", help="skip bare DuckDB")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (median)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="xl-roi-bench-"))
    path = args.csv or folder / "endpoints.csv"
    if not path.exists():
        from benchmarks.test_bench_portfolio import endpoints

        start = time.perf_counter()
        for offset in range(0, args.rows, 1_000_000):
            part = endpoints(min(1_000_000, args.rows - offset), seed=offset)
            part["name"] = [f"endpoint-{offset + i}" for i in range(len(part))]
            part.to_csv(path, mode="a" if offset else "w", header=not offset, index=False)
        print(f"wrote {args.rows:,} endpoints in {time.perf_counter() - start:.0f} s")
    size = path.stat().st_size
    print(f"{path}: {size / 1e9:.2f} GB")
    xl_roi_json = folder / "screen.json"
    duckdb_json = folder / "duckdb.json"
    try:
        ours_runs: list[float] = []
        bare_runs: list[float] = []
        our_peak = bare_peak = 0.0
        for _ in range(args.repeat):  # alternated, so that a busy spell hits both alike
            elapsed, our_peak = _run(
                [sys.executable, "-m", "xl_roi.cli", "screen", str(path), "--json"], xl_roi_json
            )
            ours_runs.append(elapsed)
            if not args.only_screen:
                elapsed, bare_peak = _run(
                    [sys.executable, "-c", BARE_DUCKDB, str(path), str(duckdb_json)], None
                )
                bare_runs.append(elapsed)
        ours = statistics.median(ours_runs)
        print(
            f"xl-roi screen --json: {ours:.1f} s median of {args.repeat} "
            f"({', '.join(f'{t:.1f}' for t in ours_runs)}), "
            f"peak {our_peak / 1e9:.2f} GB resident"
        )
        if bare_runs:
            bare = statistics.median(bare_runs)
            print(
                f"bare DuckDB:          {bare:.1f} s median "
                f"({', '.join(f'{t:.1f}' for t in bare_runs)}), "
                f"peak {bare_peak / 1e9:.2f} GB resident"
            )
            print(f"ratio of medians: {ours / bare:.2f}× (floor asked: ≤ 2×)")
    finally:
        for item in (xl_roi_json, duckdb_json):
            item.unlink(missing_ok=True)
        if not args.csv:
            path.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
