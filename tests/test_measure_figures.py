"""Tests of measured figures that tell the truth: failed calls and calls with no recorded cost.

The fixtures litellm_self_hosted.csv, langfuse_self_hosted.jsonl and otel_self_hosted.jsonl
(tests/fixtures/logs, written by hand in each export's shape) hold a priced teacher, a
self-hosted student whose calls record a spend of 0 or none, and one timeout each. Expected
figures are worked by hand beside each value; list prices are read from the price table.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import numpy as np
import pytest

from xl_roi._measure import measure
from xl_roi._measure._figures import NO_COST_RECORDED, Group, group_cost
from xl_roi.casefile import load_case
from xl_roi.cli import main
from xl_roi.prices import model_prices

LOGS = Path(__file__).parent / "fixtures" / "logs"
STUDENT = "acme-tickets-8b"


def _row(table, model):
    return table[table["model"] == model].iloc[0]


def run(capsys, *argv):
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def per_1k(model, input_tokens, output_tokens):
    """Cost per 1,000 calls of one call's tokens at the table's list prices."""
    prices = model_prices(model)
    return (
        input_tokens * prices.input_per_million + output_tokens * prices.output_per_million
    ) / 1e3


# fixture, teacher, teacher's successful cost per 1k, its P95 over successful calls, its
# failed call's cost per 1k and latency, the student's P95 over successful calls
CASES = [
    # LiteLLM: teacher 4 × $0.00036 (0.36 per 1k); 500, 1000, 1500, 2000 ms → rank 2.85 →
    # 1925; its timeout: 60 s, spend 0 with 1200 prompt tokens → priced, 1200 × input price.
    # Student: spend 0 on every call; 200, 250, 300, 350 ms → 300 + 0.85 × 50 = 342.5
    ("litellm_self_hosted.csv", "gpt-4o-mini", 0.36, 1925.0, (1200, 0), 60_000.0, 342.5),
    # Langfuse: teacher 3 × $0.0014 (1.4 per 1k); 0.8, 1.2, 1.6 s → rank 1.9 → 1560; its
    # timeout: level ERROR, 60 s, no cost with 1000 input tokens. Student: cost null or 0;
    # 0.3, 0.4, 0.5 s → 400 + 0.9 × 100 = 490
    (
        "langfuse_self_hosted.jsonl",
        "claude-3-5-haiku-20241022",
        1.4,
        1560.0,
        (1000, 0),
        60_000.0,
        490.0,
    ),
    # OTel: no cost in spans: teacher priced from the table, 500 in + 100 out; 400, 600, 900 ms
    # → 600 + 0.9 × 300 = 870; its timeout (status ERROR, error.type timeout): 60 s, 500 in.
    # Student: 120, 150, 180, 210 ms → 180 + 0.85 × 30 = 205.5
    ("otel_self_hosted.jsonl", "gpt-4o", None, 870.0, (500, 0), 60_000.0, 205.5),
]


@pytest.mark.parametrize(
    ("fixture", "teacher", "cost", "p95", "failed_tokens", "failed_ms", "student_p95"), CASES
)
class TestSelfHostedAndTimeouts:
    def test_student_has_no_cost_never_zero(
        self, fixture, teacher, cost, p95, failed_tokens, failed_ms, student_p95
    ):
        """The self-hosted student: no cost per 1k (NaN, not 0), "no cost recorded
        (self-hosted?)" as its source and in a warning; its P95 over successful calls."""
        table = measure(LOGS / fixture)
        row = _row(table, STUDENT)
        assert math.isnan(row["cost_per_1k"])
        assert row["cost_source"].startswith(NO_COST_RECORDED)
        assert any(
            w.startswith(f"{STUDENT}: {NO_COST_RECORDED}")
            for w in table.attrs["source"]["warnings"]
        )
        assert row["latency_p95_ms"] == pytest.approx(student_p95, rel=1e-12)
        assert row["failed_calls"] == 1 and math.isnan(row["failed_cost_per_1k"])

    def test_teacher_over_successful_calls_with_failed_beside(
        self, fixture, teacher, cost, p95, failed_tokens, failed_ms, student_p95
    ):
        """The teacher's cost and P95 leave its timeout out; the timeout's own cost (its
        tokens at list price: spend 0 is no cost recorded) and latency are beside them."""
        row = _row(measure(LOGS / fixture), teacher)
        expected = per_1k(teacher, 500, 100) if cost is None else cost
        assert row["cost_per_1k"] == pytest.approx(expected, rel=1e-12)
        assert row["latency_p95_ms"] == pytest.approx(p95, rel=1e-12)
        assert row["failed_calls"] == 1
        assert row["failed_cost_per_1k"] == pytest.approx(per_1k(teacher, *failed_tokens))
        assert row["failed_latency_p95_ms"] == pytest.approx(failed_ms)
        assert row["error_share"] == pytest.approx(1 / (row["calls"]))

    def test_failed_calls_included_on_request(
        self, fixture, teacher, cost, p95, failed_tokens, failed_ms, student_p95
    ):
        """With include_failed, the timeout is inside the P95 and the cost per 1k: both as
        numpy works them over every call."""
        everything = _row(measure(LOGS / fixture, include_failed=True), teacher)
        alone = _row(measure(LOGS / fixture), teacher)
        ok_calls = everything["calls"] - 1
        expected_cost = (
            alone["cost_per_1k"] * ok_calls + alone["failed_cost_per_1k"]
        ) / everything["calls"]
        assert everything["cost_per_1k"] == pytest.approx(expected_cost, rel=1e-12)
        assert everything["latency_p95_ms"] > alone["latency_p95_ms"]

    def test_written_case_leaves_the_students_cost_out(
        self, capsys, tmp_path, fixture, teacher, cost, p95, failed_tokens, failed_ms, student_p95
    ):
        """-o: no [student] cost_per_1k from the logs (a note says why and how to give it);
        the teacher's cost and P95 say they are over successful calls, with the failed call's
        own figure; the student's P95 is written; the command says how to price the student."""
        target = tmp_path / "case.toml"
        code, _, err = run(
            capsys,
            "measure",
            LOGS / fixture,
            "--teacher",
            teacher,
            "--student",
            STUDENT,
            "-o",
            target,
        )
        assert code == 0, err
        text = target.read_text()
        data = tomllib.loads(text)
        assert "cost_per_1k" not in data["student"]
        notes = [line for line in text.splitlines() if "cost_per_1k (acme-tickets-8b)" in line]
        assert len(notes) == 1 and notes[0].startswith("# not measured from logs:")
        assert NO_COST_RECORDED in notes[0]
        lines = text.splitlines()
        cost_line = next(i for i, line in enumerate(lines) if line.startswith("cost_per_1k = "))
        assert "over successful calls" in lines[cost_line - 1]
        assert "1 failed call left out" in lines[cost_line - 1]
        assert data["upside"]["student_p95_ms"] == pytest.approx(student_p95)
        assert data["upside"]["teacher_p95_ms"] == pytest.approx(p95)
        assert f"--price {STUDENT}=INPUT,OUTPUT" in err
        assert f"not measured: [student] cost_per_1k: {NO_COST_RECORDED}" in err

    def test_printed_figures(
        self, capsys, fixture, teacher, cost, p95, failed_tokens, failed_ms, student_p95
    ):
        """The table prints "no cost" for the student and the teacher's failed call's own
        latency beside the successful calls' figures."""
        code, out, _ = run(capsys, "measure", LOGS / fixture)
        assert code == 0
        student_line = next(line for line in out.splitlines() if line.startswith(STUDENT))
        assert "no cost" in student_line
        assert "over successful calls" in out
        assert f"{teacher}: 1 failed call: " in out and f"P95 {failed_ms:,.0f} ms" in out


def test_update_keeps_the_gpu_lines(capsys, tmp_path):
    """--update --force on a self-hosted case: the GPU lines stay, no cost_per_1k = 0 is
    written, and the pitch never reads the student as free."""
    target = tmp_path / "case.toml"
    target.write_text(
        "[volume]\nmonthly_calls = 100_000\n\n[teacher]\ncost_per_1k = 4.5\n\n[student]\n"
        "gpu_hourly_cost = 2.5\ncalls_per_second_per_gpu = 5\n\n[upfront]\ntotal = 10_000\n\n"
        "[maintenance]\nannual = 1_000\n"
    )
    code, _, err = run(
        capsys,
        "measure",
        LOGS / "litellm_self_hosted.csv",
        "--teacher",
        "gpt-4o-mini",
        "--student",
        STUDENT,
        "--update",
        target,
        "--force",
    )
    assert code == 0, err
    student = tomllib.loads(target.read_text())["student"]
    assert student["gpu_hourly_cost"] == 2.5 and student["calls_per_second_per_gpu"] == 5
    assert "cost_per_1k" not in student
    assert load_case(target).gpu_hourly_cost == 2.5
    code, out, _ = run(capsys, "pitch", target)
    assert code == 0 and "100.0 %" not in out


def test_group_cost_spend_zero_is_priced_when_the_table_knows_the_model():
    """A spend of 0 on a call with tokens of a known model is priced at list, never free:
    2 calls of 1000 in + 100 out at (2, 8) per million = $0.0028 each → 2.8 per 1k."""
    group = Group(
        2, None, None, 2, 2000.0, 200.0, 0.0, 0.0, 2000.0, 200.0, 0.0, 2, 0, None, 0, 0, 2, 2
    )
    cost = group_cost("m", group, lambda model: (2.0, 8.0, 2.0, "given"))
    assert cost.per_1k == pytest.approx(2.8)
    assert "2 record a spend of 0" in cost.source


def test_group_cost_partly_recorded_is_over_the_costed_calls():
    """3 calls, one with $0.003 recorded and two with none, model unknown: the cost per 1k is
    over the one costed call (3.0), never the recorded spend spread over all three (1.0)."""
    group = Group(
        3, None, None, 3, 3000.0, 300.0, 0.0, 0.003, 2000.0, 200.0, 0.0, 2, 0, None, 0, 0, 3, 0
    )
    cost = group_cost("m", group, lambda model: None)
    assert cost.per_1k == pytest.approx(3.0)
    assert "33% of calls with a recorded cost" in cost.source


def test_percentile_over_successful_calls_is_numpys():
    """The LiteLLM fixture's teacher with its timeout put back: numpy's P95 of 500, 1000,
    1500, 2000 and 60 000 ms (48 400)."""
    row = _row(measure(LOGS / "litellm_self_hosted.csv", include_failed=True), "gpt-4o-mini")
    assert row["latency_p95_ms"] == pytest.approx(
        np.percentile([500, 1000, 1500, 2000, 60_000], 95)
    )
