"""Issue 11's measure benchmarks: `measure` on millions of log rows, against bare DuckDB.

Generates a canonical request log (six months, five models, lognormal latencies, 1 % errors,
a cost on every row) as Parquet and as CSV, then, each in a fresh child process (so each peak
resident memory is its own):

1. ``measure(FILE)`` — the whole product path: format detection, bad-row checks, the two
   queries, the Python figures — with DuckDB's memory limit at 2 GB (``--memory-limit``);
2. a bare DuckDB query computing the same figures from the same file (calls, first and last
   seen, token and cost sums, exact P50/P95/P99, errors, calls per model and month), DuckDB's
   defaults;

and prints wall time, peak memory and the ratio. Both clocks start with DuckDB imported (the
import is no part of either side). ``--repeat N`` (default 3) runs each side N times,
alternated, so that a busy spell hits both alike, and prints the minimum and median of each,
the ratios of the minima and of the medians, and the load average. ``--check-rows`` (default
1,000,000) also checks that the exact P95 equals numpy's ``percentile`` on a sample of that size,
over the successful calls and over the failed ones (measure reports each).

    .venv/bin/python benchmarks/measure_logs.py [--rows 10000000] [--formats parquet,csv]
        [--memory-limit 2GB] [--folder PATH] [--check-rows 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

GENERATE = """
SELECT
    TIMESTAMP '2026-01-01' + to_microseconds(CAST(i * (181 * 86400e6 / {rows}) AS BIGINT))
        AS timestamp,
    ['gpt-4o', 'gpt-4o-mini', 'claude-3-5-haiku', 'ft:gpt-4o-mini:acme', 'llama-3-8b'][
        1 + CAST(hash(i) % 5 AS INTEGER)] AS model,
    CAST(200 + hash(i * 3) % 3000 AS BIGINT) AS input_tokens,
    CAST(20 + hash(i * 7) % 600 AS BIGINT) AS output_tokens,
    CAST(hash(i * 11) % 200 AS BIGINT) AS cached_input_tokens,
    (200 + hash(i * 3) % 3000) * 2.5e-6 + (20 + hash(i * 7) % 600) * 1e-5 AS cost,
    round(exp(6.5 + 0.6 * sqrt(-2 * ln((hash(i * 13) % 1000000 + 1) / 1000001.0))
        * cos(2 * pi() * (hash(i * 17) % 1000000) / 1000000.0)), 3) AS latency_ms,
    CASE WHEN hash(i * 19) % 100 = 0 THEN 'error' ELSE 'success' END AS status
FROM range({rows}) AS r(i)
"""

BARE = """
SELECT model, count(*) AS calls, min(timestamp), max(timestamp),
    sum(input_tokens), sum(output_tokens), sum(cached_input_tokens), sum(cost),
    quantile_cont(latency_ms, [0.5, 0.95, 0.99]),
    sum(CASE WHEN status = 'error' THEN 1 ELSE 0 END)
FROM {source} GROUP BY model
"""

BARE_MONTHS = """
SELECT model, date_trunc('month', timestamp) AS month, count(*)
FROM {source} GROUP BY model, month
"""

CHILD_MEASURE = """
import json, resource, sys, time
import duckdb  # imported before the clock starts, as on the bare side
sys.path.insert(0, {root!r})
from xl_roi._measure import measure
start = time.perf_counter()
table = measure({path!r}, memory_limit={limit!r})
elapsed = time.perf_counter() - start
print(json.dumps({{"seconds": elapsed,
    "peak_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    "models": len(table), "calls": int(table["calls"].sum()),
    "p95": dict(zip(table["model"], table["latency_p95_ms"])),
    "failed_p95": dict(zip(table["model"], table["failed_latency_p95_ms"]))}}))
"""

CHILD_BARE = """
import json, resource, time
import duckdb
source = {source!r}
start = time.perf_counter()
connection = duckdb.connect()
connection.execute("SET enable_progress_bar = false")
rows = connection.execute({bare!r}.format(source=source)).fetchall()
months = connection.execute({months!r}.format(source=source)).fetchall()
elapsed = time.perf_counter() - start
print(json.dumps({{"seconds": elapsed,
    "peak_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    "models": len(rows), "calls": sum(row[1] for row in rows)}}))
"""


def _child(code: str) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
    )
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _source(path: Path) -> str:
    if path.suffix == ".parquet":
        return f"read_parquet('{path}')"
    return f"read_csv('{path}', header = true)"


def generate(folder: Path, rows: int, formats: list[str]) -> dict[str, Path]:
    """Write the log in each format; return the paths."""
    import duckdb

    connection = duckdb.connect()
    paths = {}
    for fmt in formats:
        path = folder / f"log_{rows}.{fmt}"
        if not path.exists():
            start = time.perf_counter()
            options = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER"
            connection.execute(f"COPY ({GENERATE.format(rows=rows)}) TO '{path}' ({options})")
            print(
                f"wrote {rows:,} rows as {fmt}: {path.stat().st_size / 1e9:.2f} GB in "
                f"{time.perf_counter() - start:.0f} s",
                flush=True,
            )
        paths[fmt] = path
    connection.close()
    return paths


def check_p95(folder: Path, rows: int) -> None:
    """The exact P95 equals numpy's percentile (linear interpolation) on ``rows`` rows: the
    successful calls' against their latencies, the failed calls' against theirs."""
    import duckdb
    import numpy as np

    path = generate(folder, rows, ["parquet"])["parquet"]
    result = _child(CHILD_MEASURE.format(root=str(ROOT), path=str(path), limit="2GB"))
    connection = duckdb.connect()
    worst = 0.0
    for key, condition in (("p95", "status <> 'error'"), ("failed_p95", "status = 'error'")):
        for model, p95 in result[key].items():  # type: ignore[union-attr]
            latencies = connection.execute(
                f"SELECT latency_ms FROM read_parquet('{path}') WHERE model = ? AND {condition}",
                [model],
            ).fetchnumpy()["latency_ms"]
            expected = float(np.percentile(latencies, 95))
            worst = max(worst, abs(p95 - expected) / expected)
    print(
        f"P95 on {rows:,} rows (successful and failed calls apart): largest relative "
        f"difference from numpy {worst:.1e}"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--formats", default="parquet,csv")
    parser.add_argument("--memory-limit", default="2GB")
    parser.add_argument("--folder", type=Path, help="where the logs are written and kept")
    parser.add_argument("--check-rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side, alternated")
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="xl-roi-measure-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    if args.check_rows:
        check_p95(folder, args.check_rows)
    paths = generate(folder, args.rows, args.formats.split(","))
    for fmt, path in paths.items():
        ours_code = CHILD_MEASURE.format(root=str(ROOT), path=str(path), limit=args.memory_limit)
        bare_code = CHILD_BARE.format(source=_source(path), bare=BARE, months=BARE_MONTHS)
        ours_runs: list[dict[str, float]] = []
        bare_runs: list[dict[str, float]] = []
        for _ in range(args.repeat):  # alternated, so that a busy spell hits both alike
            ours_runs.append(_child(ours_code))
            bare_runs.append(_child(bare_code))
        for ours, bare in zip(ours_runs, bare_runs, strict=True):
            assert ours["calls"] == bare["calls"] == args.rows, (ours["calls"], bare["calls"])
        ours_s = [run["seconds"] for run in ours_runs]
        bare_s = [run["seconds"] for run in bare_runs]
        print(
            f"{fmt:>8}, {args.rows:,} rows: measure {min(ours_s):.2f} s min, "
            f"{statistics.median(ours_s):.2f} s median of {args.repeat} "
            f"({', '.join(f'{x:.2f}' for x in ours_s)}), "
            f"{max(run['peak_bytes'] for run in ours_runs) / 1e9:.2f} GB peak "
            f"(memory limit {args.memory_limit})",
            flush=True,
        )
        print(
            f"{fmt:>8}, {args.rows:,} rows: bare DuckDB {min(bare_s):.2f} s min, "
            f"{statistics.median(bare_s):.2f} s median ({', '.join(f'{x:.2f}' for x in bare_s)}), "
            f"{max(run['peak_bytes'] for run in bare_runs) / 1e9:.2f} GB peak",
            flush=True,
        )
        print(
            f"{fmt:>8}: ratio of minima {min(ours_s) / min(bare_s):.2f}×, of medians "
            f"{statistics.median(ours_s) / statistics.median(bare_s):.2f}×; load average "
            + ", ".join(f"{x:.2f}" for x in os.getloadavg()),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
