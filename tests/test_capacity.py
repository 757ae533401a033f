"""Tests of the student's capacity from serving benchmarks, and of `xl-roi capacity`.

The fixtures in tests/fixtures/bench were written by hand in each tool's result shape (vLLM
`bench serve --save-result`, GenAI-Perf and AIPerf profile exports, LLMPerf summaries), one run
a load. Expected figures are read off the fixtures' own numbers beside each test.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xl_roi.capacity import (
    BenchmarkFormatError,
    BenchmarkRun,
    NoLoadMeetsTargetError,
    capacity,
    length_warnings,
    read_runs,
)
from xl_roi.casefile import load_case
from xl_roi.cli import main

BENCH = Path(__file__).parent / "fixtures" / "bench"
LOGS = Path(__file__).parent / "fixtures" / "logs"


def files(tool):
    return sorted((BENCH / tool).glob("*.json"))


def run_cli(capsys, *argv):
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


class TestFormats:
    @pytest.mark.parametrize(
        ("tool", "target", "rps", "p95", "load", "prompt", "output"),
        [
            # vLLM: concurrency 1, 4, 16, 64 at 2.1, 7.6, 21.5, 38 req/s, P95 520, 610, 905,
            # 2480 ms: under 1000 ms the highest is concurrency 16
            ("vllm", 1000, 21.5, 905.0, 16, 1200.0, 60.0),
            # GenAI-Perf: concurrency 1, 8, 32 at 2.4, 14, 30 req/s, P95 430, 690, 1720 ms
            ("genai_perf", 1000, 14.0, 690.0, 8, 600.0, 60.0),
            # AIPerf: concurrency 1, 4, 16, P95 700, 1300, 2600 ms: only the lowest meets 800
            ("aiperf", 800, 2.0, 700.0, 1, 1190.0, 58.0),
            # LLMPerf: 118, 420, 1200 completed a minute; P95 0.48, 0.61, 1.35 s
            ("llmperf", 1000, 420 / 60, 610.0, 4, 1198.0, 61.0),
        ],
    )
    def test_highest_throughput_meeting_the_target(
        self, tool, target, rps, p95, load, prompt, output
    ):
        """Each format's runs give the highest request throughput whose P95 meets the
        target, its P95, its load and its token lengths."""
        found = capacity(read_runs(files(tool)), target)
        assert found.calls_per_second_per_gpu == pytest.approx(rps)
        assert found.student_p95_ms == pytest.approx(p95)
        assert found.run.concurrency == load
        assert found.run.input_tokens_per_call == pytest.approx(prompt)
        assert found.run.output_tokens_per_call == pytest.approx(output)

    def test_divided_by_the_gpus_the_server_used(self):
        """21.5 requests/s on a server of 2 GPUs is 10.75 calls a second per GPU."""
        found = capacity(read_runs(files("vllm"), gpus=2), 1000)
        assert found.calls_per_second_per_gpu == pytest.approx(10.75)
        assert found.gpus == 2 and not found.gpus_assumed

    def test_gpus_recorded_in_the_file(self, tmp_path):
        """A run that records its tensor-parallel size is divided by it; --gpus must agree."""
        data = json.loads(files("vllm")[0].read_text())
        data["tensor_parallel_size"] = "4"  # as --metadata tensor_parallel_size=4 saves it
        (tmp_path / "run.json").write_text(json.dumps(data))
        found = capacity(read_runs([tmp_path / "run.json"]), 1000)
        assert found.gpus == 4 and found.calls_per_second_per_gpu == pytest.approx(2.1 / 4)
        with pytest.raises(ValueError, match="the file says 4 GPUs, --gpus says 2"):
            read_runs([tmp_path / "run.json"], gpus=2)

    def test_no_load_meets_the_target(self):
        """LLMPerf runs whose lowest P95 is 480 ms never meet 300 ms: an error saying so."""
        with pytest.raises(NoLoadMeetsTargetError, match=r"300 ms.*lowest P95.*480 ms"):
            capacity(read_runs(files("llmperf")), 300)

    def test_vllm_without_end_to_end_percentiles(self):
        """A vLLM result saved without e2el percentiles is refused, saying how to rerun."""
        with pytest.raises(BenchmarkFormatError, match="--percentile-metrics ttft,tpot,itl,e2el"):
            read_runs([BENCH / "no_e2el_percentiles.json"])

    def test_not_a_benchmark(self, tmp_path):
        """A JSON file of another shape is refused, naming what is read."""
        (tmp_path / "x.json").write_text('{"hello": 1}')
        with pytest.raises(BenchmarkFormatError, match="LLMPerf summary"):
            read_runs([tmp_path / "x.json"])

    def test_length_warning_beyond_a_quarter(self):
        """Prompts of 1200 tokens against logs of 1000 (20 % more) pass; against 900 (33 %
        more) they are flagged."""
        run = BenchmarkRun("a.json", "t", None, 2.0, 400.0, 1200.0, 60.0)
        found = capacity([run], 800)
        assert length_warnings(found, 1000.0, 60.0) == []
        (warning,) = length_warnings(found, 900.0, 60.0)
        assert "prompts average 1,200 tokens" in warning and "33% more" in warning


class TestCommand:
    def test_writes_the_case_with_its_source(self, capsys, tmp_path):
        """--update writes calls_per_second_per_gpu and student_p95_ms under a comment naming
        the files, the run and its concurrency."""
        case = tmp_path / "case.toml"
        case.write_text(
            "[volume]\nmonthly_calls = 10_000_000\n\n[teacher]\ncost_per_1k = 4.5\n\n"
            "[student]\ngpu_hourly_cost = 2.0\ncalls_per_second_per_gpu = 1\n\n"
            "[upfront]\ntotal = 10_000\n\n[maintenance]\nannual = 1_000\n\n"
            "[upside]\nteacher_p95_ms = 1_000\n"
        )
        code, out, err = run_cli(capsys, "capacity", *files("vllm"), "--update", case, "--force")
        assert code == 0, err
        assert "teacher's P95" in out  # the case's own target
        data = tomllib.loads(case.read_text())
        assert data["student"]["calls_per_second_per_gpu"] == 21.5
        assert data["upside"]["student_p95_ms"] == 905
        lines = case.read_text().splitlines()
        comment = lines[lines.index("calls_per_second_per_gpu = 21.5") - 1]
        assert comment.startswith("# measured from benchmarks:")
        assert "concurrency16" in comment and "(concurrency 16)" in comment
        assert load_case(case).calls_per_second_per_gpu == 21.5

    def test_refuses_to_change_a_typed_figure_without_force(self, capsys, tmp_path):
        """A typed calls_per_second_per_gpu changes only with --force; the file is untouched."""
        case = tmp_path / "case.toml"
        original = (
            "[volume]\nmonthly_calls = 10_000_000\n\n[teacher]\ncost_per_1k = 4.5\n\n"
            "[student]\ngpu_hourly_cost = 2.0\ncalls_per_second_per_gpu = 1\n\n"
            "[upfront]\ntotal = 10_000\n\n[maintenance]\nannual = 1_000\n"
        )
        case.write_text(original)
        code, _, err = run_cli(
            capsys, "capacity", *files("vllm"), "--slo-p95-ms", 1000, "--update", case
        )
        assert code == 2 and "calls_per_second_per_gpu = 1 → 21.5" in err
        assert case.read_text() == original

    @pytest.mark.parametrize("flag", ["-o", "--update"])
    def test_no_load_meets_writes_nothing(self, capsys, tmp_path, flag):
        """When no run meets the target the command says so, exits 2 and writes nothing."""
        case = tmp_path / "case.toml"
        if flag == "--update":
            case.write_text("[volume]\nmonthly_calls = 1\n")
        before = case.read_text() if case.exists() else None
        code, _, err = run_cli(
            capsys, "capacity", *files("llmperf"), "--slo-p95-ms", 300, "--gpu", "L4", flag, case
        )
        assert code == 2 and "no load meets the P95 target of 300 ms" in err
        assert "nothing written" in err
        assert (case.read_text() if case.exists() else None) == before

    def test_new_case_needs_a_gpu(self, capsys, tmp_path):
        """-o without --gpu: exit 2 saying to name the GPU; nothing written."""
        case = tmp_path / "case.toml"
        code, _, err = run_cli(capsys, "capacity", *files("vllm"), "--slo-p95-ms", 1000, "-o", case)
        assert code == 2 and "--gpu" in err and not case.exists()

    def test_needs_a_target(self, capsys):
        """Without --slo-p95-ms or a case with the teacher's P95: exit 2 saying how."""
        code, _, err = run_cli(capsys, "capacity", *files("vllm"))
        assert code == 2 and "--slo-p95-ms" in err


def test_logs_benchmarks_and_a_gpu_make_a_measured_self_hosted_case(capsys, tmp_path):
    """The README's path: measure the logs (the self-hosted student has no cost), then the
    benchmarks with a GPU name: a case with no cost typed, its GPU price from the snapshot,
    no --force needed."""
    case = tmp_path / "case.toml"
    code, _, err = run_cli(
        capsys,
        "measure",
        LOGS / "litellm_self_hosted.csv",
        "--teacher",
        "gpt-4o-mini",
        "--student",
        "acme-tickets-8b",
        "-o",
        case,
    )
    assert code == 0, err
    code, _, err = run_cli(
        capsys,
        "capacity",
        *files("vllm"),
        "--slo-p95-ms",
        1000,
        "--gpu",
        "L4",
        "--cloud",
        "aws",
        "--update",
        case,
    )
    assert code == 0, err
    student = tomllib.loads(case.read_text())["student"]
    assert student["gpu"] == "L4" and student["calls_per_second_per_gpu"] == 21.5
    assert not {"input_price_per_million", "output_price_per_million", "cost_per_1k"} & set(student)
    assert "the built-in example's figure" not in case.read_text()
    loaded = load_case(case)
    from xl_roi.gpu_prices import gpu_price

    assert loaded.gpu_hourly_cost == pytest.approx(gpu_price("L4", "aws").per_gpu_hour())
    code, out, _ = run_cli(capsys, "pitch", case)
    assert code == 0 and "100.0 %" not in out


_runs = st.lists(
    st.tuples(st.floats(0.01, 1000), st.floats(1, 10_000)), min_size=1, max_size=8
).map(
    lambda pairs: [
        BenchmarkRun(f"r{i}.json", "t", None, rps, p95, 100.0, 10.0, concurrency=float(i + 1))
        for i, (rps, p95) in enumerate(pairs)
    ]
)


@given(_runs, st.floats(1, 10_000))
def test_capacity_is_the_best_run_meeting_the_target(runs, target):
    """The chosen run meets the target and no run meeting it has a higher throughput; when
    none meets it, the error says so."""
    meeting = [run for run in runs if run.p95_ms <= target]
    if not meeting:
        with pytest.raises(NoLoadMeetsTargetError):
            capacity(runs, target)
        return
    found = capacity(runs, target)
    assert found.student_p95_ms <= target
    assert found.calls_per_second_per_gpu == max(run.requests_per_second for run in meeting)
