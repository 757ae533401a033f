"""The student's capacity, measured: calls a second per GPU from serving-benchmark results.

Published throughput figures and reproduced ones can differ several-fold, so a self-hosted
student's ``calls_per_second_per_gpu`` is best read from the team's own benchmark runs at
several loads (concurrencies or request rates). :func:`read_runs` reads the result files of

- ``vllm bench serve --save-result`` (one JSON object a run; the end-to-end P95 is there when
  the run was given ``--percentile-metrics …,e2el --metric-percentiles …,95``);
- NVIDIA GenAI-Perf and AIPerf profile exports (``profile_export_genai_perf.json``,
  ``profile_export_aiperf.json``: ``request_throughput`` and ``request_latency`` statistics);
- LLMPerf summaries (``*_summary.json``: ``results_end_to_end_latency_s_quantiles_p95``,
  ``results_num_completed_requests_per_min``),

and :func:`capacity` picks the run with the highest request throughput whose P95 end-to-end
latency meets the target: its throughput ÷ the GPUs the server used is the capacity, its P95
the student's P95 at that load. No run meeting the target is an error, never a guess.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from xl_roi.errors import InputError

__all__ = [
    "LENGTH_TOLERANCE",
    "BenchmarkFormatError",
    "BenchmarkRun",
    "Capacity",
    "NoLoadMeetsTargetError",
    "capacity",
    "length_warnings",
    "read_runs",
]

LENGTH_TOLERANCE = 0.25
"""Prompt or output lengths differing from the logs' by more than this share are flagged."""

_GPU_KEYS = ("num_gpus", "gpus", "tensor_parallel_size", "tp", "tp_size")


class BenchmarkFormatError(InputError):
    """A file that is not a benchmark result this reads, or lacks the figures it needs."""


class NoLoadMeetsTargetError(InputError):
    """No benchmark run's P95 meets the target: there is no capacity to report."""


@dataclass(frozen=True)
class BenchmarkRun:
    """One benchmark run at one load: its throughput, P95 and token lengths.

    ``concurrency`` and ``request_rate`` describe the load (``None``: not limited or not
    recorded); ``gpus`` is what the file records the server used (``None``: not recorded).
    """

    file: str
    tool: str
    model: str | None
    requests_per_second: float
    p95_ms: float
    input_tokens_per_call: float
    output_tokens_per_call: float
    concurrency: float | None = None
    request_rate: float | None = None
    gpus: int | None = None

    def load(self) -> str:
        """The run's load in words: ``concurrency 16``, ``request rate 4/s`` or both."""
        parts = []
        if self.concurrency is not None:
            parts.append(f"concurrency {_number(self.concurrency)}")
        if self.request_rate is not None:
            parts.append(f"request rate {_number(self.request_rate)}/s")
        return ", ".join(parts) or "load not recorded"


def _number(value: float) -> str:
    return f"{value:g}"


def _finite(value: Any, what: str, path: Path) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise BenchmarkFormatError(f"{path}: {what} is not a number ({value!r})") from None
    if not math.isfinite(number) or number < 0:
        raise BenchmarkFormatError(f"{path}: {what} must be a number ≥ 0, got {value!r}")
    return number


def _optional(value: Any) -> float | None:
    if value is None or value == "inf" or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number > 0 else None


def _gpus(data: Mapping[str, Any]) -> int | None:
    for key in _GPU_KEYS:
        value = _optional(data.get(key))
        if value is not None and value.is_integer():
            return int(value)
    return None


def _vllm(data: Mapping[str, Any], path: Path) -> BenchmarkRun:
    if "p95_e2el_ms" not in data:
        raise BenchmarkFormatError(
            f"{path}: a vllm bench serve result without the end-to-end P95 (p95_e2el_ms): run "
            "it with --percentile-metrics ttft,tpot,itl,e2el --metric-percentiles 95,99"
        )
    completed = _finite(data.get("completed"), "completed", path)
    if not completed:
        raise BenchmarkFormatError(f"{path}: no request completed in this run")
    return BenchmarkRun(
        file=str(path),
        tool="vllm bench serve",
        model=data.get("model_id"),
        requests_per_second=_finite(data.get("request_throughput"), "request_throughput", path),
        p95_ms=_finite(data["p95_e2el_ms"], "p95_e2el_ms", path),
        input_tokens_per_call=_finite(data.get("total_input_tokens"), "total_input_tokens", path)
        / completed,
        output_tokens_per_call=_finite(data.get("total_output_tokens"), "total_output_tokens", path)
        / completed,
        concurrency=_optional(data.get("max_concurrency")),
        request_rate=_optional(data.get("request_rate")),
        gpus=_gpus(data),
    )


def _find(data: Mapping[str, Any], *paths: Sequence[str]) -> Any:
    for keys in paths:
        level: Any = data
        for key in keys:
            level = level.get(key) if isinstance(level, Mapping) else None
        if level is not None:
            return level
    return None


def _profile_export(data: Mapping[str, Any], path: Path) -> BenchmarkRun:
    records = data.get("records")
    metrics: Mapping[str, Any] = records if isinstance(records, Mapping) else data
    latency = metrics.get("request_latency") or {}
    throughput = metrics.get("request_throughput") or {}
    if "p95" not in latency:
        raise BenchmarkFormatError(f"{path}: request_latency has no p95")
    unit = str(latency.get("unit", "ms")).lower()
    scale = {"ms": 1.0, "s": 1000.0, "sec": 1000.0, "us": 1e-3, "ns": 1e-6}.get(unit)
    if scale is None:
        raise BenchmarkFormatError(f"{path}: request_latency in {unit!r}, expected ms or s")
    config = data.get("input_config") or {}
    tool = "AIPerf" if "aiperf" in path.name.lower() or "loadgen" in config else "GenAI-Perf"
    models = _find(config, ("model",), ("model_names",), ("endpoint", "model_names"))
    if isinstance(models, list):
        models = models[0] if models else None
    return BenchmarkRun(
        file=str(path),
        tool=tool,
        model=models if isinstance(models, str) else None,
        requests_per_second=_finite(throughput.get("avg"), "request_throughput avg", path),
        p95_ms=_finite(latency["p95"], "request_latency p95", path) * scale,
        input_tokens_per_call=_finite(
            (metrics.get("input_sequence_length") or {}).get("avg"),
            "input_sequence_length avg",
            path,
        ),
        output_tokens_per_call=_finite(
            (metrics.get("output_sequence_length") or {}).get("avg"),
            "output_sequence_length avg",
            path,
        ),
        concurrency=_optional(
            _find(
                config,
                ("concurrency",),
                ("loadgen", "concurrency"),
                ("perf_analyzer", "stimulus", "concurrency"),
            )
        ),
        request_rate=_optional(
            _find(
                config,
                ("request_rate",),
                ("loadgen", "request_rate"),
                ("perf_analyzer", "stimulus", "request_rate"),
            )
        ),
        gpus=_gpus(config) or _gpus(data),
    )


def _llmperf(data: Mapping[str, Any], path: Path) -> BenchmarkRun:
    per_minute = _finite(
        data.get("results_num_completed_requests_per_min"),
        "results_num_completed_requests_per_min",
        path,
    )
    input_tokens = data.get("results_number_input_tokens_mean", data.get("mean_input_tokens"))
    output_tokens = data.get("results_number_output_tokens_mean", data.get("mean_output_tokens"))
    return BenchmarkRun(
        file=str(path),
        tool="LLMPerf",
        model=data.get("model"),
        requests_per_second=per_minute / 60.0,
        p95_ms=_finite(
            data.get("results_end_to_end_latency_s_quantiles_p95"),
            "results_end_to_end_latency_s_quantiles_p95",
            path,
        )
        * 1000.0,
        input_tokens_per_call=_finite(input_tokens, "mean input tokens", path),
        output_tokens_per_call=_finite(output_tokens, "mean output tokens", path),
        concurrency=_optional(data.get("num_concurrent_requests")),
        gpus=_gpus(data),
    )


def read_run(path: str | Path) -> BenchmarkRun:
    """One benchmark result file as a run; its format is recognised from its keys.

    Raises
    ------
    BenchmarkFormatError
        When the file is not JSON, matches no known format, or lacks a figure (the message
        says which, and for vLLM how to rerun to get it).
    """
    where = Path(path)
    try:
        data = json.loads(where.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BenchmarkFormatError(f"{where}: no such file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BenchmarkFormatError(f"{where}: not a JSON benchmark result ({error})") from None
    if not isinstance(data, dict):
        raise BenchmarkFormatError(f"{where}: expected one JSON object a run")
    if "request_throughput" in data and not isinstance(data["request_throughput"], dict):
        return _vllm(data, where)
    if any(key.startswith("results_end_to_end_latency_s") for key in data):
        return _llmperf(data, where)
    records = data.get("records")
    metrics: Mapping[str, Any] = records if isinstance(records, dict) else data
    if isinstance(metrics.get("request_latency"), dict):
        return _profile_export(data, where)
    shown = ", ".join(repr(key) for key in list(data)[:8])
    raise BenchmarkFormatError(
        f"{where}: not a benchmark result this reads (keys: {shown}); expected vllm bench "
        "serve --save-result JSON, a GenAI-Perf or AIPerf profile export, or an LLMPerf summary"
    )


def read_runs(paths: Iterable[str | Path], gpus: int | None = None) -> list[BenchmarkRun]:
    """Every file's run, lowest throughput first; ``gpus`` (the GPUs the server used) fills
    in where a file does not record it, and must agree where it does.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for c, rps, p95 in ((1, 2.0, 400.0), (8, 9.5, 700.0)):
    ...     _ = (folder / f"c{c}.json").write_text(json.dumps({"model_id": "m",
    ...         "max_concurrency": c, "request_rate": "inf", "completed": 100,
    ...         "request_throughput": rps, "p95_e2el_ms": p95,
    ...         "total_input_tokens": 50_000, "total_output_tokens": 8_000}))
    >>> [run.requests_per_second for run in read_runs(sorted(folder.glob("*.json")))]
    [2.0, 9.5]
    """
    runs = []
    for path in paths:
        run = read_run(path)
        if gpus is not None:
            if run.gpus is not None and run.gpus != gpus:
                raise InputError(f"{run.file}: the file says {run.gpus} GPUs, --gpus says {gpus}")
            run = replace(run, gpus=gpus)
        runs.append(run)
    if not runs:
        raise InputError("no benchmark result files given")
    return sorted(runs, key=lambda run: (run.requests_per_second, run.file))


@dataclass(frozen=True)
class Capacity:
    """The capacity the runs show at a P95 target, and the run it comes from."""

    run: BenchmarkRun
    target_p95_ms: float
    gpus: int
    gpus_assumed: bool
    runs: tuple[BenchmarkRun, ...]

    @property
    def calls_per_second_per_gpu(self) -> float:
        """The run's request throughput ÷ the GPUs the server used."""
        return self.run.requests_per_second / self.gpus

    @property
    def student_p95_ms(self) -> float:
        """The student's P95 end-to-end latency at that load."""
        return self.run.p95_ms

    def describe(self) -> str:
        """Where the figure came from, in one line (for a case file's comment)."""
        files = ", ".join(Path(run.file).name for run in self.runs[:4])
        more = f" and {len(self.runs) - 4} more" if len(self.runs) > 4 else ""
        assumed = " (assumed: the files do not say; give --gpus)" if self.gpus_assumed else ""
        return (
            f"{self.run.tool} runs {files}{more}; highest throughput whose P95 meets "
            f"{_number(self.target_p95_ms)} ms: {Path(self.run.file).name} ({self.run.load()}), "
            f"{self.run.requests_per_second:.4g} requests/s on {self.gpus} GPU"
            f"{'' if self.gpus == 1 else 's'}{assumed}, P95 {self.run.p95_ms:.4g} ms"
        )


def capacity(
    runs: Sequence[BenchmarkRun], target_p95_ms: float, gpus: int | None = None
) -> Capacity:
    """The highest request throughput whose P95 end-to-end latency meets the target.

    Parameters
    ----------
    runs : sequence of BenchmarkRun
        Runs at different loads (:func:`read_runs`).
    target_p95_ms : float
        The P95 end-to-end latency the student must meet, in milliseconds.
    gpus : int, optional
        The GPUs the server used, where the runs do not record it (default: 1, said so).

    Raises
    ------
    NoLoadMeetsTargetError
        When no run's P95 meets the target (the message lists the lowest P95 seen).

    Examples
    --------
    >>> runs = [BenchmarkRun("a", "t", None, 2.0, 400.0, 500, 80, concurrency=1),
    ...         BenchmarkRun("b", "t", None, 9.5, 700.0, 500, 80, concurrency=8),
    ...         BenchmarkRun("c", "t", None, 14.0, 1900.0, 500, 80, concurrency=32)]
    >>> found = capacity(runs, 800, gpus=2)
    >>> found.run.file, found.calls_per_second_per_gpu, found.student_p95_ms
    ('b', 4.75, 700.0)
    """
    if not math.isfinite(target_p95_ms) or target_p95_ms <= 0:
        raise InputError(
            f"the P95 target must be a number of milliseconds > 0, got {target_p95_ms}"
        )
    if not runs:
        raise InputError("no benchmark runs")
    meeting = [run for run in runs if run.p95_ms <= target_p95_ms]
    if not meeting:
        best = min(runs, key=lambda run: run.p95_ms)
        raise NoLoadMeetsTargetError(
            f"no load meets the P95 target of {_number(target_p95_ms)} ms: the lowest P95 of "
            f"the {len(runs)} run{'s' if len(runs) != 1 else ''} is {best.p95_ms:.4g} ms "
            f"({Path(best.file).name}, {best.load()}); nothing written. Benchmark lower loads, "
            "a faster GPU or a smaller student, or revisit the target"
        )
    chosen = max(meeting, key=lambda run: (run.requests_per_second, -run.p95_ms))
    used = chosen.gpus or gpus
    if used is not None and (used < 1 or int(used) != used):
        raise InputError(f"the GPUs the server used must be a whole number ≥ 1, got {used}")
    return Capacity(
        run=chosen,
        target_p95_ms=float(target_p95_ms),
        gpus=int(used or 1),
        gpus_assumed=used is None,
        runs=tuple(runs),
    )


def length_warnings(
    found: Capacity, input_tokens_per_call: float, output_tokens_per_call: float
) -> list[str]:
    """Warnings where the chosen run's prompt or output length differs from the logs' mean
    tokens per call by more than :data:`LENGTH_TOLERANCE` (a share of the logs' figure).

    Examples
    --------
    >>> run = BenchmarkRun("a", "t", None, 2.0, 400.0, 512, 128)
    >>> found = Capacity(run, 800.0, 1, False, (run,))
    >>> [warning[:58] for warning in length_warnings(found, 1000, 130)]
    ['the benchmark prompts average 512 tokens, the logs 1,000 a']
    """
    out = []
    for what, bench, logs in (
        ("prompts", found.run.input_tokens_per_call, input_tokens_per_call),
        ("outputs", found.run.output_tokens_per_call, output_tokens_per_call),
    ):
        if not logs or math.isnan(logs) or math.isnan(bench):
            continue
        share = (bench - logs) / logs
        if abs(share) > LENGTH_TOLERANCE:
            direction = "more" if share > 0 else "fewer"
            out.append(
                f"the benchmark {what} average {bench:,.0f} tokens, the logs {logs:,.0f} a call "
                f"({abs(share):.0%} {direction}): its capacity may not hold for your traffic"
            )
    return out
