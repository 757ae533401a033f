"""The 1 GB CSV run of issue 6: screen a file far larger than one chunk, in chunks.

Writes about 1 GB of endpoints to a temporary folder (or PATH), then runs
``xl-roi screen FILE --json`` in a child process with its output discarded, and reports the
wall time and the child's peak resident memory. ``--workbook`` also writes the portfolio
workbook (the first 1,048,575 rows, Excel's limit).

    .venv/bin/python benchmarks/big_csv.py [--rows 10000000] [--keep PATH [--reuse]] [--workbook]

``--reuse`` screens the CSV already at ``--keep PATH`` instead of writing it again (its row
count is whatever the file holds; ``--rows`` is then ignored).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.test_bench_portfolio import endpoints


def write_csv(path: Path, rows: int) -> None:
    """Write ``rows`` generated endpoints to ``path`` in million-row parts and say how long."""
    start = time.perf_counter()
    chunk = 1_000_000
    for offset in range(0, rows, chunk):
        part = endpoints(min(chunk, rows - offset), seed=offset)
        part["name"] = [f"endpoint-{offset + i}" for i in range(len(part))]
        part.to_csv(path, mode="a" if offset else "w", header=not offset, index=False)
    size = path.stat().st_size
    print(f"wrote {rows:,} endpoints, {size / 1e9:.2f} GB, in {time.perf_counter() - start:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--keep", type=Path, help="write the CSV here and keep it")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="screen the CSV already at --keep PATH instead of writing it again",
    )
    parser.add_argument("--workbook", action="store_true", help="also write the workbook")
    args = parser.parse_args()
    if args.reuse and not (args.keep and args.keep.is_file()):
        parser.error("--reuse needs --keep PATH naming an existing CSV")
    folder = Path(tempfile.mkdtemp())
    path = args.keep or folder / "endpoints.csv"
    if args.reuse:
        size = path.stat().st_size
        print(f"reusing {path}, {size / 1e9:.2f} GB")
    else:
        write_csv(path, args.rows)
        size = path.stat().st_size
    command = [sys.executable, "-m", "xl_roi.cli", "screen", str(path)]
    command += ["-o", str(folder / "portfolio.xlsx")] if args.workbook else ["--json"]
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(
        f"screened in {elapsed:.0f} s; peak resident memory {peak / 1e9:.2f} GB "
        f"({peak / size:.1f}× the file)"
    )
    if not args.keep:
        path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
