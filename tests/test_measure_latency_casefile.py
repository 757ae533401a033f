"""Tests of `xl-roi measure -o / --update` writing the P95 latencies into a case file's [upside].

Expected P95s are worked by hand from the fixtures in tests/fixtures/logs (the working beside
each value; the same figures tests/test_measure.py works for the table). They are over every
call, failed ones included (``--include-failed``), as the working counts them; the default,
over successful calls, is tested in tests/test_measure_figures.py.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from xl_roi.casefile import load_case
from xl_roi.cli import main

LOGS = Path(__file__).parent / "fixtures" / "logs"
STUDENT = "ft:gpt-4o-mini:acme:tickets"
OPENAI_MODEL = "gpt-4o-mini-2024-07-18"

PER_REQUEST = [
    # canonical: latencies 100, 200, …, 2100 ms over its 21 good gpt-4o rows; P95 at rank
    # 0.95 × 20 = 19 → the 20th value, 2000 ms
    ("canonical.csv", "gpt-4o", 2000.0, "2026-01-01 … 2026-04-10", "21 rows of gpt-4o"),
    # LiteLLM: endTime − startTime = 500, 1000, 1500, 2000 ms; rank 0.95 × 3 = 2.85 →
    # 1500 + 0.85 × 500 = 1925
    (
        "litellm_spend_logs.csv",
        "gpt-4o-mini",
        1925.0,
        "2026-05-04 … 2026-05-07 (no complete month)",
        "4 rows of gpt-4o-mini",
    ),
    # Langfuse: 800, 1200, 2000 ms; rank 0.95 × 2 = 1.9 → 1200 + 0.9 × 800 = 1920
    (
        "langfuse_observations.jsonl",
        "claude-3-5-haiku-20241022",
        1920.0,
        "2026-05-06 … 2026-05-06",
        "3 rows of claude-3-5-haiku-20241022",
    ),
    # OpenTelemetry spans (gzipped): 400, 600, 900, 1100 ms; rank 2.85 → 900 + 0.85 × 200 = 1070
    (
        "otel_genai_spans.jsonl.gz",
        "gpt-4o-2024-08-06",
        1070.0,
        "2026-05-07 … 2026-05-07",
        "4 rows of gpt-4o-2024-08-06",
    ),
    # Bedrock: 640, 720, 900 ms; rank 1.9 → 720 + 0.9 × 180 = 882
    (
        "bedrock_invocations.jsonl",
        "anthropic.claude-3-haiku-20240307-v1:0",
        882.0,
        "2026-05-08 … 2026-05-08",
        "3 rows of anthropic.claude-3-haiku-20240307-v1:0",
    ),
]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def comment_above(text: str, key: str) -> str:
    """The line above ``key = …`` in a case file's text."""
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(f"{key} = "))
    return lines[index - 1]


@pytest.mark.parametrize(("fixture", "model", "p95", "window", "rows"), PER_REQUEST)
def test_new_case_carries_the_teachers_p95_with_its_source(
    capsys, tmp_path, fixture, model, p95, window, rows
):
    """-o writes the teacher's measured P95 into [upside] teacher_p95_ms, under a comment
    naming the file, the window, the rows and how the percentile was taken."""
    target = tmp_path / "case.toml"
    code, _, err = run(
        capsys,
        "measure",
        str(LOGS / fixture),
        "--teacher",
        model,
        "-o",
        str(target),
        "--include-failed",
    )
    assert code == 0, err
    assert load_case(target).teacher_p95_ms == pytest.approx(p95, rel=1e-12)
    text = target.read_text(encoding="utf-8")
    source = comment_above(text, "teacher_p95_ms")
    assert source.startswith(f"# measured from logs: {fixture}; {window}")
    assert rows in source and "P95 over" in source and "exact" in source


def test_teacher_and_student_p95_both_written(capsys, tmp_path):
    """With --teacher and --student, each model's P95 goes to its own key: the teacher's
    2000 ms, the student's 150 ms (its three calls all took 150 ms)."""
    target = tmp_path / "case.toml"
    code, _, _ = run(
        capsys,
        "measure",
        str(LOGS / "canonical.csv"),
        "--teacher",
        "gpt-4o",
        "--student",
        STUDENT,
        "-o",
        str(target),
        "--include-failed",
    )
    assert code == 0
    upside = tomllib.loads(target.read_text(encoding="utf-8"))["upside"]
    assert upside["teacher_p95_ms"] == 2000 and upside["student_p95_ms"] == 150
    assert f"3 rows of {STUDENT}" in comment_above(target.read_text(), "student_p95_ms")


def test_bucketed_export_leaves_the_key_out_and_says_why(capsys, tmp_path):
    """The OpenAI usage export has no per-request latency: no teacher_p95_ms in the case, and a
    comment saying "P95 not available from this source"."""
    target = tmp_path / "case.toml"
    code, _, _ = run(
        capsys,
        "measure",
        str(LOGS / "openai_usage_completions.csv"),
        "--teacher",
        OPENAI_MODEL,
        "-o",
        str(target),
    )
    assert code == 0
    text = target.read_text(encoding="utf-8")
    assert "teacher_p95_ms" not in tomllib.loads(text)["upside"]
    assert load_case(target).teacher_p95_ms is None
    notes = [line for line in text.splitlines() if "P95 not available from this source" in line]
    assert len(notes) == 1 and notes[0].startswith("# ") and OPENAI_MODEL in notes[0]
    assert "openai_usage_completions.csv" in notes[0]


def test_logs_without_latency_column_never_invent_one(capsys, tmp_path):
    """Canonical logs without a latency column give no P95: the key is left out, with the
    note."""
    log = tmp_path / "calls.csv"
    log.write_text(
        "timestamp,model,input_tokens,output_tokens,cost\n"
        "2026-03-01T10:00:00Z,gpt-4o,1000,200,0.0045\n"
        "2026-03-02T10:00:00Z,gpt-4o,1000,200,0.0045\n"
    )
    target = tmp_path / "case.toml"
    code, _, _ = run(capsys, "measure", str(log), "--teacher", "gpt-4o", "-o", str(target))
    assert code == 0
    text = target.read_text(encoding="utf-8")
    assert load_case(target).teacher_p95_ms is None
    assert "P95 not available from this source" in text


def test_update_refuses_to_change_a_typed_p95_without_force(capsys, tmp_path):
    """A P95 the user typed is changed only with --force; without it the file is untouched."""
    target = tmp_path / "case.toml"
    original = (
        "[volume]\nmonthly_calls = 100\n\n[teacher]\ncost_per_1k = 4.5\n\n[student]\n"
        "cost_per_1k = 0.6\n\n[upfront]\ntotal = 10_000\n\n[maintenance]\nannual = 1_000\n\n"
        "[upside]\nteacher_p95_ms = 1_200  # from the dashboard\n"
    )
    target.write_text(original)
    log = str(LOGS / "litellm_spend_logs.csv")
    flags = ("--teacher", "gpt-4o-mini", "--include-failed", "--update", str(target))
    code, _, err = run(capsys, "measure", log, *flags)
    assert code == 2 and "[upside] teacher_p95_ms = 1_200 → 1_925" in err
    assert target.read_text() == original
    code, _, _ = run(capsys, "measure", log, *flags, "--force")
    assert code == 0 and load_case(target).teacher_p95_ms == 1925


def test_update_keeps_a_typed_p95_when_the_logs_have_none(capsys, tmp_path):
    """Logs without latency leave a typed P95 alone (no --force needed) and add the note at
    the end of [upside], not above the typed figure (where it would read as its source)."""
    target = tmp_path / "case.toml"
    target.write_text(
        "[volume]\nmonthly_calls = 36_525\n\n[teacher]\ncost_per_1k = 0.24\n\n[student]\n"
        "cost_per_1k = 0.1\n\n[upfront]\ntotal = 10_000\n\n[maintenance]\nannual = 1_000\n\n"
        "[upside]\nteacher_p95_ms = 1_200\n"
    )
    code, _, err = run(
        capsys,
        "measure",
        str(LOGS / "openai_usage_completions.csv"),
        "--teacher",
        OPENAI_MODEL,
        "--update",
        str(target),
    )
    assert code == 0, err
    lines = target.read_text().splitlines()
    assert load_case(target).teacher_p95_ms == 1200
    assert "P95 not available from this source" in lines[-1]
    assert lines[lines.index("teacher_p95_ms = 1_200") - 1] == "[upside]"


def test_a_later_run_replaces_its_own_p95_and_note(capsys, tmp_path):
    """An earlier run's P95 is replaced without --force by a later one: by the new figure, or
    by the note when the new logs have no latency (it was another model's); a note goes
    when a later run measures the figure. Each key and note appears once."""
    target = tmp_path / "case.toml"
    run(capsys, "measure", str(LOGS / "canonical.csv"), "--teacher", "gpt-4o", "-o", str(target))
    code, _, _ = run(
        capsys,
        "measure",
        str(LOGS / "canonical.csv"),
        "--teacher",
        "gpt-4o",
        "--include-failed",
        "--until",
        "2026-02-28",
        "--update",
        str(target),
    )
    # January and February: 100, 200, …, 1000 ms (10 calls); rank 0.95 × 9 = 8.55 →
    # 900 + 0.55 × 100 = 955
    assert code == 0 and load_case(target).teacher_p95_ms == pytest.approx(955.0)
    code, _, err = run(
        capsys,
        "measure",
        str(LOGS / "openai_usage_completions.csv"),
        "--teacher",
        OPENAI_MODEL,
        "--update",
        str(target),
    )
    assert code == 0, err
    text = target.read_text()
    assert load_case(target).teacher_p95_ms is None
    assert text.count("P95 not available from this source") == 1
    code, _, _ = run(
        capsys,
        "measure",
        str(LOGS / "litellm_spend_logs.csv"),
        "--teacher",
        "gpt-4o-mini",
        "--include-failed",
        "--update",
        str(target),
    )
    text = target.read_text()
    assert code == 0 and load_case(target).teacher_p95_ms == 1925
    assert "P95 not available" not in text
    assert sum(line.startswith("teacher_p95_ms = ") for line in text.splitlines()) == 1
