"""Start-up of the command line (issue 9, item 14), as ratios measured in one run.

Runs each command as a fresh process, ``--runs`` times, interleaved so that the machine's load
falls on all of them alike, and reports the median wall time of each and the two ratios asked:

- ``xl-roi pitch CASE`` against a bare interpreter that reads the same case file
  (``python -c "import tomllib; tomllib.load(...)"``): floor ≤ 2×;
- ``xl-roi check FILE.xlsx`` against importing openpyxl and loading the same workbook once:
  floor ≤ 1.5×.

The case is the self-hosted one of issue 9 (400,000 calls a month growing 5 %, GPUs at 2.20 an
hour): it has growth, so payback takes the logarithm that once pulled in numpy.

    .venv/bin/python benchmarks/startup.py [--runs 21]
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

CASE = """
name = "Self-hosted router"
currency = "EUR"
[volume]
monthly_calls = 400_000
monthly_growth = 0.05
[teacher]
input_tokens_per_call = 3_000
output_tokens_per_call = 400
input_price_per_million = 2.50
output_price_per_million = 10.00
[student]
gpu_hourly_cost = 2.20
calls_per_second_per_gpu = 12
target_utilization = 0.6
[upfront]
corpus_examples = 200_000
training_compute = 1_500
evaluation_days = 8
engineering_days = 30
day_rate = 900
[maintenance]
redistillations_per_year = 6
redistillation_cost = 5_000
"""

FLOORS = {"pitch": 2.0, "check": 1.5}


ENVIRONMENT = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
"""As a user's machine runs it: byte-code caches written once and then used (this development
environment sets PYTHONDONTWRITEBYTECODE, which would make every run compile xl_roi afresh)."""


def _time(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=ENVIRONMENT)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    python = sys.executable
    xl_roi = str(Path(python).with_name("xl-roi"))
    folder = Path(tempfile.mkdtemp())
    case = folder / "case.toml"
    case.write_text(CASE, encoding="utf-8")
    workbook = folder / "case.xlsx"
    subprocess.run([xl_roi, "build", str(case), "-o", str(workbook)], check=True, stdout=-3)
    commands = {
        "python -c pass": [python, "-c", "pass"],
        "python reading the case": [
            python,
            "-c",
            f"import tomllib; tomllib.load(open({str(case)!r}, 'rb'))",
        ],
        "xl-roi pitch": [xl_roi, "pitch", str(case)],
        "openpyxl loading the workbook once": [
            python,
            "-c",
            f"import openpyxl; openpyxl.load_workbook({str(workbook)!r})",
        ],
        "xl-roi check": [xl_roi, "check", str(workbook)],
    }
    for argv in commands.values():  # warm the file cache and the byte-code
        _time(argv)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, argv in commands.items():
            times[name].append(_time(argv))
    medians = {name: statistics.median(values) for name, values in times.items()}
    fastest = {name: min(values) for name, values in times.items()}
    print(f"{'':<36} {'median':>9} {'fastest':>9}   ({args.runs} runs each, interleaved)")
    for name in commands:
        print(f"{name:<36} {medians[name] * 1000:6.1f} ms {fastest[name] * 1000:6.1f} ms")
    pairs = {
        "pitch": ("xl-roi pitch", "python reading the case"),
        "check": ("xl-roi check", "openpyxl loading the workbook once"),
    }
    for name, (command, baseline) in pairs.items():
        for label, stat in (("median", medians), ("fastest", fastest)):
            ratio = stat[command] / stat[baseline]
            verdict = "meets" if ratio <= FLOORS[name] else "MISSES"
            print(
                f"xl-roi {name} ({label}): {ratio:.2f}× its baseline "
                f"({verdict} the ≤ {FLOORS[name]}× floor)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
