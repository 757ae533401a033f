"""Tests of xl_roi.cli: the xl-roi command, its outputs, exit codes and error messages."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from xl_roi import evaluate, example_case
from xl_roi.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_pitch_of_the_example(capsys):
    """`xl-roi pitch` prints the example's pitch, headline first."""
    code, out, err = run(capsys, "pitch")
    assert code == 0 and err == ""
    assert out.startswith("# Support-ticket classifier: defensible")
    assert "**USD 126,720 a year**" in out  # 12 × 10,560


def test_pitch_json_is_the_result(capsys):
    """`--json` prints every figure of the Result as strict JSON."""
    code, out, _ = run(capsys, "pitch", "--json")
    data = json.loads(out)
    result = evaluate(example_case())
    assert code == 0
    assert data["monthly_savings"] == result.monthly_savings
    assert data["payback_months"] == result.payback_months
    assert data["verdict"] == "defensible"
    assert data["quality"][0]["name"] == "Billing disputes"


def test_init_writes_a_case_that_reads_back(tmp_path, capsys):
    """`xl-roi init PATH` writes the commented example, which `pitch PATH` reads."""
    path = tmp_path / "my_case.toml"
    code, out, _ = run(capsys, "init", str(path))
    assert code == 0 and path.exists() and "wrote" in out
    code, out, _ = run(capsys, "pitch", str(path))
    assert code == 0 and "Support-ticket classifier" in out


def test_init_never_overwrites_without_force(tmp_path, capsys):
    """An existing file survives `init`; `--force` replaces it."""
    path = tmp_path / "case.toml"
    path.write_text("mine")
    code, _, err = run(capsys, "init", str(path))
    assert code == 2 and "exists already: use --force" in err
    assert path.read_text() == "mine"
    code, _, _ = run(capsys, "init", str(path), "--force")
    assert code == 0 and path.read_text() != "mine"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[volume]\nmonthly_calls = -5\n", "[volume] monthly_calls must be a number ≥ 0, got -5"),
        ("[volume\n", "not valid TOML"),
        ("[volumes]\n", "unknown key volumes"),
    ],
)
def test_bad_case_file_exit_2_with_message(tmp_path, capsys, content, message):
    """A bad case file: exit 2, the message with file, key and value, no traceback."""
    path = tmp_path / "bad.toml"
    path.write_text(content)
    code, out, err = run(capsys, "pitch", str(path))
    assert code == 2 and out == ""
    assert err.startswith(f"xl-roi: error: {path}: ")
    assert message in err
    assert "Traceback" not in err


def test_missing_case_file(tmp_path, capsys):
    """A missing case file: exit 2 and says so."""
    code, _, err = run(capsys, "pitch", str(tmp_path / "none.toml"))
    assert code == 2 and "no such file" in err


def test_unknown_command(capsys):
    """An unknown command: exit 2 with argparse's usage message."""
    code, _, err = run(capsys, "bogus")
    assert code == 2 and "invalid choice" in err


def test_console_script_runs_without_traceback(tmp_path):
    """The installed `xl-roi` entry point runs as a program, and errors exit 2 cleanly."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    ok = subprocess.run(
        [sys.executable, "-m", "xl_roi.cli", "pitch"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert ok.returncode == 0 and "The payback" in ok.stdout
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\x00\x01")
    failed = subprocess.run(
        [sys.executable, "-m", "xl_roi.cli", "pitch", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert failed.returncode == 2 and "Traceback" not in failed.stderr


def test_sensitivity_table_and_breakevens(capsys):
    """`xl-roi sensitivity` prints the tornado with bars, the scenarios and the break-evens."""
    code, out, err = run(capsys, "sensitivity")
    assert code == 0 and err == ""
    assert "Monthly volume" in out and "█" in out
    assert "Half volume" in out and "payback    6.1 months" in out
    assert "payback: below 357,441" in out  # below this volume payback misses 12 months


def test_sensitivity_json_matches_library(capsys):
    """`--json` rows are the library's table, infinities as null."""
    from xl_roi._sensitivity import sensitivity

    code, out, _ = run(capsys, "sensitivity", "--json", "--swing", "0.25")
    data = json.loads(out)
    table = sensitivity(example_case(), swing=0.25)
    assert code == 0 and data["swing"] == 0.25
    assert [row["assumption"] for row in data["rows"]] == list(table.assumption)
    assert data["rows"][0]["payback_low"] == table.payback_low.iloc[0]


def test_simulate_json_reproducible(capsys):
    """`xl-roi simulate --json` gives the same numbers for the same seed."""
    first = json.loads(run(capsys, "simulate", "--draws", "5000", "--json")[1])
    second = json.loads(run(capsys, "simulate", "--draws", "5000", "--json")[1])
    assert first == second and first["draws"] == 5000
    assert 0.0 <= first["p_payback_within_3_months"] <= 1.0


def test_simulate_text(capsys):
    """The text report shows probabilities and percentiles."""
    code, out, _ = run(capsys, "simulate", "--draws", "2000")
    assert code == 0 and "Chance of payback within 12 months" in out and "P50" in out


def test_sensitivity_writes_each_figure_in_its_unit(capsys):
    """Growth as % (2 % ± 50 % → 1.0 % … 3.0 %), volume whole, prices with cents, never 0.01."""
    code, out, _ = run(capsys, "sensitivity")
    assert code == 0
    growth = next(line for line in out.splitlines() if line.startswith("Monthly growth"))
    assert growth.split()[2:4] == ["1.0%", "3.0%"]
    volume = next(line for line in out.splitlines() if line.startswith("Monthly volume"))
    assert volume.split()[2:4] == ["750,000", "2,250,000"]  # 1,500,000 ± 50 %
    teacher = next(line for line in out.splitlines() if line.startswith("Teacher cost per 1k"))
    assert teacher.split()[4:6] == ["3.75", "11.25"]  # 7.50 ± 50 %
    assert not re.search(r"\b0\.0\d", out)  # no share written as a bare fraction


def test_simulate_speaks_to_people(capsys):
    """Inputs by their labels with units, growth as %, and the 12-month line printed once."""
    code, out, _ = run(capsys, "simulate", "--draws", "2000")
    assert code == 0
    assert "monthly_calls" not in out and "annual_maintenance" not in out
    # the example: 1,500,000 calls ± 50 % → 750,000 … 2,250,000; growth 2 % ± 50 % → 1 % … 3 %
    volume = next(line for line in out.splitlines() if "Monthly volume" in line)
    assert volume.split()[2:5] == ["750,000", "1,500,000", "2,250,000"]
    growth = next(line for line in out.splitlines() if "Monthly growth" in line)
    assert growth.split()[2:5] == ["1.0%", "2.0%", "3.0%"]
    assert "0.02" not in out
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == len(set(lines))  # no line twice
    assert sum("within 12 months" in line for line in lines) == 1  # the target is 12


UNCERTAIN_CASE = """
name = "Ranged"
currency = "EUR"
[volume]
monthly_calls = 2_000_000
[teacher]
cost_per_1k = 12.0
[student]
cost_per_1k = 1.5
[upfront]
total = 52_500
[maintenance]
annual = 40_000
[uncertainty]
monthly_calls = [1_000_000, 2_000_000, 2_000_000]
"""


def test_simulate_takes_ranges_from_the_case_file(capsys, tmp_path):
    """An [uncertainty] table's low/likely/high is what simulate draws, and says so."""
    path = tmp_path / "case.toml"
    path.write_text(UNCERTAIN_CASE, encoding="utf-8")
    code, out, err = run(capsys, "simulate", str(path), "--draws", "20000", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["ranges"]["monthly_calls"] == [1_000_000, 2_000_000, 2_000_000]
    assert data["ranges"]["upfront_cost"] == [26_250, 52_500, 78_750]  # ± 50 % by default
    code, out, _ = run(capsys, "simulate", str(path), "--draws", "2000")
    volume = next(line for line in out.splitlines() if "Monthly volume" in line)
    assert volume.split()[2:] == [
        "1,000,000",
        "2,000,000",
        "2,000,000",
        "from",
        "the",
        "case",
        "file",
    ]


WORSE_ANSWERS_CASE = """
name = "Costly errors"
[volume]
monthly_calls = 2_000_000
[teacher]
cost_per_1k = 12.0
[student]
cost_per_1k = 1.5
[upfront]
total = 52_500
[maintenance]
annual = 40_000
[quality]
cost_per_error = 1.50
[[quality_slices]]
name = "All"
business_critical = false
teacher_score = 0.95
student_score = 0.85
allowed_drop = 0.2
traffic_share = 1.0
"""


def test_simulate_writes_small_money_with_cents_and_never_without_months(capsys, tmp_path):
    """A cost per error of 1.50 ± 50 % reads 0.75 / 1.50 / 2.25 (not "USD 1 / USD 2 / USD 2"),
    and a quality-adjusted payback that never comes reads "never", not "never months"."""
    path = tmp_path / "case.toml"
    path.write_text(WORSE_ANSWERS_CASE, encoding="utf-8")
    code, out, err = run(capsys, "simulate", str(path), "--draws", "2000")
    assert code == 0, err
    cost = next(line for line in out.splitlines() if "error" in line.lower() and "USD" in line)
    assert "USD 0.75" in cost and "USD 1.50" in cost and "USD 2.25" in cost
    assert "never months" not in out
    assert "Payback P50 never;" in out  # 0.1 × 2,000,000 × 1.50 = 300,000 a month > 21,000


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            "monthly_calls = [3, 2, 1]",
            "[uncertainty] monthly_calls must be [low, likely, high] with low ≤ likely ≤ high",
        ),
        (
            "monthly_cals = [1, 2, 3]",
            "[uncertainty] unknown input 'monthly_cals' (known: monthly_calls",
        ),
        (
            "gpu_hourly_cost = [1, 2, 3]",
            "[uncertainty] gpu_hourly_cost does not apply to this case",
        ),
        (
            "monthly_calls = [1, 2]",
            "[uncertainty] monthly_calls must be [low, likely, high], three numbers",
        ),
        ('monthly_calls = [1, "x", 3]', "[uncertainty] monthly_calls likely must be a number"),
        ("monthly_calls = [-1, 2, 3]", "[uncertainty] monthly_calls low must be a number ≥ 0"),
        ("monthly_calls = 5", "[uncertainty] monthly_calls must be [low, likely, high]"),
    ],
)
def test_bad_uncertainty_is_refused_by_every_command(capsys, tmp_path, table, message):
    """A bad [uncertainty] line is a clear error with exit 2, in pitch as in simulate."""
    path = tmp_path / "case.toml"
    path.write_text(
        UNCERTAIN_CASE.replace("monthly_calls = [1_000_000, 2_000_000, 2_000_000]", table),
        encoding="utf-8",
    )
    for command in ("simulate", "pitch"):
        code, out, err = run(capsys, command, str(path))
        assert code == 2 and out == ""
        assert message in err, err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sensitivity", "--swing", "1.5"], "swing must be a share at least 0 and below 1"),
        (["simulate", "--draws", "0"], "draws must be a whole number from 1"),
        (["simulate", "--draws", "many"], "invalid int value"),
    ],
)
def test_bad_options_exit_2(capsys, argv, message):
    """Bad options: exit 2 with the reason."""
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err


def test_build_writes_workbook_and_prints_pitch(tmp_path, capsys, monkeypatch):
    """`xl-roi build` with no case writes example.xlsx here and prints the pitch."""
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "build")
    assert code == 0 and (tmp_path / "example.xlsx").exists()
    assert out.startswith("# Support-ticket classifier: defensible")
    assert "wrote example.xlsx" in out
    code, _, err = run(capsys, "build")
    assert code == 2 and "exists already: use --force" in err


def test_check_exit_codes(tmp_path, capsys):
    """`xl-roi check`: 0 when clean, 1 with findings, 2 when the file cannot be read."""
    from tests.xlsx_tamper import set_input

    path = tmp_path / "case.xlsx"
    assert run(capsys, "build", "-o", str(path))[0] == 0
    code, out, _ = run(capsys, "check", str(path))
    assert code == 0 and "clean" in out
    set_input(path, "B9", "-5")
    code, out, _ = run(capsys, "check", str(path))
    assert code == 1 and "monthly_calls must be a number ≥ 0, holds -5" in out
    code, out, _ = run(capsys, "check", str(path), "--json")
    assert code == 1 and json.loads(out)["findings"][0]["kind"] == "bad input"
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"\x00" * 100)
    code, _, err = run(capsys, "check", str(junk))
    assert code == 2 and "not an .xlsx workbook" in err and "Traceback" not in err


def test_freeze_and_template(tmp_path, capsys):
    """`xl-roi freeze` writes a values-only copy; `xl-roi template` writes the template."""
    template = tmp_path / "template.xlsx"
    assert run(capsys, "template", "-o", str(template))[0] == 0
    code, out, _ = run(capsys, "freeze", str(template), "-o", str(tmp_path / "frozen.xlsx"))
    assert code == 0 and "values only" in out
    code, _, err = run(capsys, "freeze", str(template), "-o", str(template))
    assert code == 2 and "must not replace its source" in err


def test_screen_sample_to_workbook(tmp_path, capsys, monkeypatch):
    """`xl-roi screen` with no file screens the sample and writes portfolio.xlsx."""
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "screen")
    assert code == 0 and (tmp_path / "portfolio.xlsx").exists()
    assert "10 endpoints: 9 screened, 1 refused" in out
    assert "1. search-query-rewriter" in out


def test_screen_csv_and_xlsx_json(tmp_path, capsys):
    """CSV and Excel inputs give the same ranked table as JSON."""
    import pandas as pd

    from xl_roi.casefile import sample_endpoints_path

    frame = pd.read_csv(sample_endpoints_path())
    frame.to_excel(tmp_path / "endpoints.xlsx", index=False)
    code, out, _ = run(capsys, "screen", str(sample_endpoints_path()), "--json")
    from_csv = json.loads(out)
    code2, out2, _ = run(capsys, "screen", str(tmp_path / "endpoints.xlsx"), "--json")
    assert code == code2 == 0
    assert [r["name"] for r in from_csv] == [r["name"] for r in json.loads(out2)]
    assert from_csv[0]["verdict"] == "strong" and from_csv[-1]["error"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("none.csv", None, "no such file"),
        ("endpoints.txt.gz", b"x", "give a .csv, .parquet or .xlsx file"),
        ("fake.parquet", b"not parquet", "cannot be read as Parquet"),
        ("empty.csv", b"", "cannot be read as CSV"),
        ("fake.xlsx", b"not a zip", "not an .xlsx workbook"),
    ],
)
def test_screen_bad_files(tmp_path, capsys, name, content, message):
    """Unreadable endpoint files: exit 2 with the reason."""
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    code, _, err = run(capsys, "screen", str(path), "-o", str(tmp_path / "out.xlsx"))
    assert code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "out.xlsx").exists()


def test_screen_reports_progress_on_large_files(tmp_path, capsys, monkeypatch):
    """A large CSV is screened chunk by chunk, with progress on stderr."""
    import xl_roi.cli as cli

    monkeypatch.setattr(cli, "SCREEN_CHUNK_ROWS", 3)
    monkeypatch.setattr(cli, "LARGE_INPUT_BYTES", 0)
    code, out, err = run(capsys, "screen", str(cli_sample()), "--json")
    assert code == 0 and err.count("screened") == 4  # 10 rows in chunks of 3
    names = [row["name"] for row in json.loads(out)]
    assert len(names) == 10 and names[0] == "search-query-rewriter"


def test_screen_json_has_every_column_of_the_table(tmp_path, capsys, monkeypatch):
    """`screen --json` gives each ranked row with every result column, in order, each figure
    exactly the table's (null where it has none); long tables say how far the writing got."""
    import math

    import xl_roi.cli as cli
    from xl_roi.portfolio import RESULT_COLUMNS

    table = cli._read_endpoints(cli_sample())[0]
    monkeypatch.setattr(cli, "LARGE_TABLE_ROWS", 5)
    code, out, err = run(capsys, "screen", str(cli_sample()), "--json")
    rows = json.loads(out)
    assert code == 0 and "wrote 10 rows of JSON" in err
    assert [list(row) for row in rows] == [list(RESULT_COLUMNS)] * len(table)
    for row, record in zip(rows, table.to_dict(orient="records"), strict=True):
        for key, value in record.items():
            if isinstance(value, float) and not math.isfinite(value):
                value = None
            assert row[key] == value, key


def test_screen_parquet(tmp_path, capsys):
    """A Parquet file of endpoints is screened (read through DuckDB) to the CSV's table."""
    import duckdb

    path = tmp_path / "endpoints.parquet"
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{cli_sample()}')) TO '{path}' (FORMAT parquet)")
    code, out, err = run(capsys, "screen", str(path), "--json")
    code2, out2, _ = run(capsys, "screen", str(cli_sample()), "--json")
    assert code == code2 == 0
    assert json.loads(out) == json.loads(out2)
    assert "not used: 1 column the screen does not read ('note')" in err


def cli_sample():
    from xl_roi.casefile import sample_endpoints_path

    return sample_endpoints_path()


def test_build_from_a_filled_in_workbook(tmp_path, capsys):
    """A template filled in by hand (no recalculation) builds into a computed workbook."""
    from tests.xlsx_tamper import set_input

    filled = tmp_path / "filled.xlsx"
    assert run(capsys, "build", "-o", str(filled))[0] == 0
    set_input(filled, "B9", "3000000")  # a new volume, typed in, results now stale
    assert run(capsys, "check", str(filled))[0] == 1
    code, out, _ = run(capsys, "build", str(filled))
    built = tmp_path / "filled_built.xlsx"
    assert code == 0 and built.exists() and "3,000,000 calls a month" in out
    assert run(capsys, "check", str(built))[0] == 0
    code, _, err = run(capsys, "build", str(filled), "-o", str(filled), "--force")
    assert code == 2 and "never replaced" in err


def test_pitch_of_a_workbook_with_bad_inputs(tmp_path, capsys):
    """A workbook whose inputs do not make a case: exit 2 with the findings."""
    from tests.xlsx_tamper import set_input

    filled = tmp_path / "filled.xlsx"
    run(capsys, "build", "-o", str(filled))
    set_input(filled, "B9", "-1")
    code, _, err = run(capsys, "pitch", str(filled))
    assert code == 2 and "monthly_calls must be a number ≥ 0, holds -1" in err


SCREEN_HEADER = (
    "name,monthly_calls,teacher_cost_per_1k,student_cost_per_1k,upfront_cost,annual_maintenance"
)


def test_screen_says_savings_before_and_after_maintenance_with_currency(tmp_path, capsys):
    """The summary line nets maintenance, says so, and names the currency."""
    path = tmp_path / "endpoints.csv"
    # chat: (12 − 1.5) × 2,000,000 / 1,000 = 21,000 a month: 252,000 a year before
    # maintenance, 252,000 − 40,000 = 212,000 after; upfront 52,500
    path.write_text(f"{SCREEN_HEADER}\nchat,2000000,12,1.5,52500,40000\n", encoding="utf-8")
    out_path = tmp_path / "p.xlsx"
    code, out, err = run(capsys, "screen", str(path), "-o", str(out_path), "--currency", "EUR")
    assert code == 0 and err == ""
    assert (
        "worth doing on compute alone: 1, netting EUR 212,000 a year after maintenance "
        "(EUR 252,000 before) for EUR 52,500 upfront" in out
    )


def test_screen_never_echoes_terminal_escapes(tmp_path, capsys):
    """An endpoint name carrying terminal escapes is printed with them replaced."""
    path = tmp_path / "endpoints.csv"
    path.write_text(
        f"{SCREEN_HEADER}\nchat\x1b]0;pwned\x07\x1b[2J,2000000,12,1.5,52500,40000\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "screen", str(path), "-o", str(tmp_path / "p.xlsx"))
    assert code == 0 and "\x1b" not in out + err and "\x07" not in out + err
    assert "chat?]0;pwned??[2J" in out


def test_screen_warns_about_columns_it_does_not_read(tmp_path, capsys):
    """Every column the screen does not read is named on stderr, and on the Summary sheet."""
    import openpyxl

    path = tmp_path / "endpoints.csv"
    path.write_text(
        f"{SCREEN_HEADER},owner,gpus\nchat,2000000,12,1.5,52500,40000,team x,3\n",
        encoding="utf-8",
    )
    out_path = tmp_path / "p.xlsx"
    code, _, err = run(capsys, "screen", str(path), "-o", str(out_path))
    assert code == 0
    assert "xl-roi: warning: not used: 2 columns the screen does not read ('owner', 'gpus')" in err
    summary = [
        row[0].value or "" for row in openpyxl.load_workbook(out_path)["Summary"].iter_rows()
    ]
    assert any("'owner', 'gpus'" in text for text in summary)
    code, out, err = run(capsys, "screen", str(path), "--json")
    assert code == 0 and "'owner', 'gpus'" in err and json.loads(out)[0]["name"] == "chat"


def test_screen_self_hosted_csv(tmp_path, capsys):
    """A self-hosted student in a CSV (the case file's GPU names) is screened, not refused."""
    path = tmp_path / "endpoints.csv"
    path.write_text(
        "name,monthly_calls,teacher_cost_per_1k,gpu_hourly_cost,calls_per_second_per_gpu,"
        "target_utilization,peak_factor,upfront_cost,annual_maintenance\n"
        "gpu,400000,11.5,2.20,12,0.6,1.5,29940,30000\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "screen", str(path), "--json")
    row = json.loads(out)[0]
    # one GPU: 2.20 × 730 = 1,606 a month over 400 thousand calls = 4.015 per 1k;
    # savings (11.5 − 4.015) × 400 = 2,994 a month; payback 29,940 / 2,994 = 10 months
    assert code == 0 and err == "" and row["error"] is None
    assert row["payback_months"] == pytest.approx(10.0, rel=1e-12)


def test_screen_currency_refused_when_unusable(tmp_path, capsys):
    """A currency with a quote or a control character is refused with exit 2."""
    code, _, err = run(capsys, "screen", "--currency", 'US"D', "-o", str(tmp_path / "p.xlsx"))
    assert code == 2 and "give a currency code" in err


def test_screen_never_replaces_its_own_input(tmp_path, capsys):
    """`screen X -o X --force` is refused, as `build` refuses to replace its input."""
    source = tmp_path / "endpoints.xlsx"
    code, _, _ = run(capsys, "screen", "-o", str(source))
    assert code == 0
    before = source.read_bytes()
    code, _, err = run(capsys, "screen", str(source), "-o", str(source), "--force")
    assert code == 2 and "input file is never replaced" in err
    assert source.read_bytes() == before


def _slow_screen(tmp_path, rows=40_000):
    """A CSV big enough that writing its workbook takes seconds, with progress on the way."""
    source = tmp_path / "many.csv"
    lines = [
        "name,monthly_calls,teacher_cost_per_1k,student_cost_per_1k,upfront_cost,annual_maintenance"
    ]
    lines += [f"ep-{i},{1000 + i},12,1.5,{5000 + i},{1200 + i}" for i in range(rows)]
    source.write_text("\n".join(lines) + "\n")
    return source


@pytest.mark.parametrize(("name", "code"), [("SIGTERM", 143), ("SIGHUP", 129), ("SIGINT", 130)])
def test_signal_mid_write_leaves_no_temporary_file(tmp_path, name, code):
    """Stopped mid-write, the command leaves no temporary file (ours or openpyxl's) and says so
    in one line, exiting 128 + the signal's number."""
    import signal
    import time

    work, temporary = tmp_path / "work", tmp_path / "tmp"
    work.mkdir()
    temporary.mkdir()
    source = _slow_screen(work)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "TMPDIR": str(temporary)}
    with subprocess.Popen(
        [sys.executable, "-m", "xl_roi.cli", "screen", str(source), "-o", str(work / "out.xlsx")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as process:
        assert process.stderr is not None
        deadline = time.monotonic() + 120
        while not (list(work.glob(".out.xlsx.*.tmp")) and list(temporary.rglob("openpyxl.*"))):
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)  # wait until ours and openpyxl's temporary files are being written
        process.send_signal(getattr(signal, name))
        rest = process.stderr.read()
        assert process.wait() == code, rest
    assert sorted(p.name for p in work.iterdir()) == ["many.csv"]
    assert list(temporary.iterdir()) == []
    assert len(rest.strip().splitlines()) == 1 and "Traceback" not in rest
    assert "Exception ignored" not in rest


def test_full_disk_is_one_line(tmp_path, capfd, monkeypatch):
    """A disk that fills up mid-write gives one line naming the file, and no traceback."""
    import errno
    import io

    real_open = io.open

    class Full(io.FileIO):
        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    def opening(file, mode="r", *args, **kwargs):
        if str(file).endswith(".tmp") and "w" in mode:
            return io.BufferedWriter(Full(file, "w"))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(io, "open", opening)
    code = main(["build", "-o", str(tmp_path / "out.xlsx")])
    monkeypatch.undo()
    err = capfd.readouterr().err
    assert code == 2
    assert (
        err == f"xl-roi: error: {tmp_path / 'out.xlsx'}: No space left on device: nothing written\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_screen_reads_endpoints_under_their_own_limits(tmp_path, capsys, monkeypatch):
    """A table of endpoints is judged by the endpoints' limits, not a case workbook's: a sheet
    bigger than any case workbook is screened, while a zip bomb is still refused."""
    import dataclasses
    import zipfile

    import pandas as pd

    import xl_roi.workbook.guard as guard

    source = tmp_path / "endpoints.xlsx"
    pd.read_csv(cli_sample()).to_excel(source, index=False)
    tiny = dataclasses.replace(guard.WORKBOOK_LIMITS, cells=10, unpacked_bytes=1_000)
    monkeypatch.setattr(guard, "WORKBOOK_LIMITS", tiny)  # any case workbook is now "too big"
    code, out, _ = run(capsys, "screen", str(source), "--json")
    assert code == 0 and len(json.loads(out)) == 10
    with zipfile.ZipFile(source, "a") as archive:
        archive.writestr("xl/media/bomb.bin", b"\0" * 20_000_000, zipfile.ZIP_DEFLATED)
    code, _, err = run(capsys, "screen", str(source), "--json")
    assert code == 2 and "zip bomb" in err


def test_screen_xlsx_in_chunks_is_the_same_table(tmp_path, capsys, monkeypatch):
    """An endpoints workbook read a few rows at a time ranks exactly as the CSV does; blank rows
    after the last endpoint are not endpoints."""
    import openpyxl
    import pandas as pd

    import xl_roi.cli as cli

    frame = pd.read_csv(cli_sample())
    path = tmp_path / "endpoints.xlsx"
    frame.to_excel(path, index=False)
    workbook = openpyxl.load_workbook(path)
    for row in range(len(frame) + 2, len(frame) + 6):  # formatted but empty rows at the end
        workbook.active.cell(row=row, column=1).number_format = "0.00"
    workbook.save(path)
    monkeypatch.setattr(cli, "SCREEN_CHUNK_ROWS", 3)
    code, out, _ = run(capsys, "screen", str(cli_sample()), "--json")
    code2, out2, _ = run(capsys, "screen", str(path), "--json")
    assert code == code2 == 0
    assert json.loads(out) == json.loads(out2)


def test_screen_xlsx_without_endpoints(tmp_path, capsys):
    """A workbook holding only a header row is refused as holding no endpoints, like a CSV."""
    import pandas as pd

    path = tmp_path / "endpoints.xlsx"
    pd.DataFrame({"name": [], "monthly_calls": []}).to_excel(path, index=False)
    code, _, err = run(capsys, "screen", str(path), "--json")
    assert code == 2 and "no endpoints" in err


CONTRACT_REVIEW_TOML = """\
name = "Contract review"
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
[[quality_slices]]
name = "Termination clauses"
business_critical = true
teacher_score = 0.95
student_score = 0.88
allowed_drop = 0.03
"""


def test_one_breakeven_in_pitch_sensitivity_and_their_json(capsys, tmp_path):
    """Issue 9's self-hosted case: the pitch, its JSON, the sensitivity text and its JSON give
    one break-even volume, 347,249 (with 5 % growth, one whole GPU), said as the volume from
    which payback meets the target (on whole GPUs a lower volume may pass too)."""
    path = tmp_path / "case.toml"
    path.write_text(CONTRACT_REVIEW_TOML, encoding="utf-8")
    # (38,000 × 0.05 / (1.05^12 − 1) + 2.20 × 730) / (11.50 / 1000) = 347,249.18
    expected = (38_000 * 0.05 / (1.05**12 - 1) + 2.2 * 730) / 0.0115
    _, pitch_text, _ = run(capsys, "pitch", str(path))
    _, pitch_json, _ = run(capsys, "pitch", str(path), "--json")
    _, sensitivity_text, _ = run(capsys, "sensitivity", str(path))
    _, sensitivity_json, _ = run(capsys, "sensitivity", str(path), "--json")
    assert json.loads(pitch_json)["breakeven_monthly_calls"] == pytest.approx(expected, rel=1e-12)
    assert json.loads(sensitivity_json)["breakeven_monthly_calls"] == pytest.approx(
        expected, rel=1e-12
    )
    assert "From 347,249 calls a month up" in pitch_text
    assert "just below it, payback misses it" in pitch_text
    assert "payback: below 347,249" in sensitivity_text
    assert "Break-even volume 347,249 calls a month: the monthly volume, growing" in (
        sensitivity_text
    )
    data = json.loads(pitch_json)
    assert data["recommendation"].startswith("Not yet: the student fails Termination clauses")
    assert data["payback_after_maintenance_months"] > 12 >= data["payback_months"]
    assert data["annual_serving_cost"] == 1 * 730 * 12 * 2.2


def test_breakevens_survive_a_renamed_assumption_label(capsys, monkeypatch):
    """Renaming an assumption's label changes what is printed, never which side breaks the case."""
    from xl_roi.uncertainty import INPUT_LABELS

    monkeypatch.setitem(INPUT_LABELS, "monthly_calls", "Calls a month")
    code, out, err = run(capsys, "sensitivity")
    assert code == 0 and err == ""
    assert "Calls a month" in out
    assert "payback: below 357,441" in out  # as under the old label: volume breaks it below


C1_CONTROLS = [chr(code) for code in range(0x7F, 0xA0)]


def test_check_prints_no_c1_control_from_a_formula(tmp_path, capsys):
    """A changed formula holding U+009B (the one-byte CSI that starts terminal sequences) is
    reported with it replaced, in text and in --json (escaped there, the same value)."""
    from tests.xlsx_tamper import edit_part, sheet_part
    from xl_roi.workbook.build import save_workbook

    path = tmp_path / "case.xlsx"
    save_workbook(example_case(), path)
    edit_part(
        path,
        sheet_part("Calculations"),
        lambda xml: xml.replace("<f>", '<f>"\u009b[2J"&amp;', 1),
    )
    code, out, _ = run(capsys, "check", str(path))
    assert code == 1 and "formula changed" in out
    assert not any(char in out for char in C1_CONTROLS)
    code, out, _ = run(capsys, "check", str(path), "--json")
    assert not any(char in out for char in C1_CONTROLS)
    assert any("\u009b" in finding["message"] for finding in json.loads(out)["findings"])


def test_output_names_of_250_bytes_are_written(tmp_path, capsys):
    """build and freeze write to a legal 250-byte file name (the temporary name beside it once
    made it 'File name too long')."""
    built = tmp_path / ("b" * 245 + ".xlsx")
    frozen = tmp_path / ("f" * 245 + ".xlsx")
    assert run(capsys, "build", "-o", str(built))[0] == 0
    assert run(capsys, "freeze", str(built), "-o", str(frozen))[0] == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == [built.name, frozen.name]


def test_build_writes_the_case_files_notes_beside_its_inputs_and_keeps_them(tmp_path, capsys):
    """A case file's comment beside a figure is written in the workbook's Source cell beside
    that input (it once reached the deck's sources slide only); a workbook built from that
    workbook keeps them, and xl-roi check finds it clean. Text that looks like a formula
    stays text."""
    import openpyxl

    from xl_roi.casefile import example_case_text, input_notes
    from xl_roi.workbook.read import input_notes as workbook_notes

    text = re.sub(
        r"(?m)^monthly_calls = 1_500_000 .*$",
        "monthly_calls = 1_500_000  # =HYPERLINK(1) logs, Nov",
        example_case_text(),
    )
    assert "# =HYPERLINK(1) logs, Nov\n" in text
    case = tmp_path / "case.toml"
    case.write_text(text, encoding="utf-8")
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    assert main(["build", str(case), "-o", str(first)]) == 0
    notes = input_notes(text)
    assert notes["monthly_calls"] == "=HYPERLINK(1) logs, Nov" and len(notes) > 5
    assert workbook_notes(openpyxl.load_workbook(first)) == notes
    assert main(["build", str(first), "-o", str(second)]) == 0
    book = openpyxl.load_workbook(second)
    assert workbook_notes(book) == notes
    cell = next(row[3] for row in book["Inputs"].iter_rows() if row[0].value == "Monthly calls")
    assert cell.data_type == "s"  # text, never a formula
    capsys.readouterr()
    assert main(["check", str(second)]) == 0


def test_tornado_bars_keep_their_proportions_beside_a_swing_to_never(capsys):
    """A row whose payback never comes at one end runs past the end (▶); the finite rows'
    bars stay as long as their swings (they all once shrank to the same stub beside it)."""
    import math

    from xl_roi.cli import _print_tornado

    def row(name, swing):
        return {
            "assumption": name,
            "low": 1.0,
            "high": 2.0,
            "payback_low": 3.0,
            "payback_high": 3.0 + swing,
            "net_low": 0.0,
            "net_high": 0.0,
            "payback_swing": swing,
        }

    _print_tornado(
        [
            row("Monthly volume", 12.0),
            row("Target utilisation", math.inf),
            row("Upfront cost", 6.0),
            row("Monthly growth", 3.0),
        ],
        "USD",
    )
    lines = {line.split("  ")[0].strip(): line for line in capsys.readouterr().out.splitlines()}
    bars = {name: line.count("█") for name, line in lines.items() if "█" in line}
    assert lines["Target utilisation"].endswith("▶")
    assert bars["Monthly volume"] == 2 * bars["Upfront cost"] == 4 * bars["Monthly growth"] > 0


def test_a_stop_a_library_turns_into_its_own_error_still_reads_as_the_stop(monkeypatch, capsys):
    """A signal that arrives while a library converts a value inside a bare ``except`` (as
    openpyxl's descriptors do) comes out as that library's error; the command still says it
    was stopped and exits 128 + the signal (once in ten runs it said "unexpected error")."""
    import signal

    from xl_roi import cli

    def converting(*_args, **_kwargs):
        try:
            cli._stop(signal.SIGTERM, None)  # the signal, as it arrives
        except BaseException:  # the library's bare except
            raise TypeError("expected <class 'float'>") from None

    monkeypatch.setattr(cli, "pitch", converting)
    assert main(["pitch"]) == 128 + signal.SIGTERM
    said = capsys.readouterr().err.strip()
    assert said == "xl-roi: stopped by SIGTERM (no file left half-written)"
