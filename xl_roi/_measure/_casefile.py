"""Write measured figures into a case file: a new one, or an update that keeps every other line.

Each figure written gets a comment line above it naming the log file(s), the window and the row
count, starting with :data:`MARK`. A figure under such a comment is ours to replace; any other
figure is the user's, and changing it needs ``force``. With ``force``, keys that would give the
same quantity a second way (the teacher's token prices when its measured cost is written) are
commented out, not deleted. A figure the logs cannot give (the P95 latency from an export
without per-request latency) is left out, and a :data:`NOTE` comment says why.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from xl_roi._measure._figures import NO_COST_RECORDED, SUCCESSFUL
from xl_roi.casefile import case_from_mapping, example_case_text
from xl_roi.errors import CaseFileError, InputError
from xl_roi.files import write_atomic
from xl_roi.text import printable

MARK = "# measured from logs:"
BENCH_MARK = "# measured from benchmarks:"
"""Starts the comment above a figure measured from serving benchmarks (``xl-roi capacity``)."""
EXAMPLE_MARK = "# the built-in example's figure:"
"""Starts the comment above a figure a new case file took from the built-in example that a
later measurement may replace (no --force needed: nobody typed it)."""
OWNED = (MARK, BENCH_MARK, EXAMPLE_MARK)
"""Comments that make the figure below them ours to replace."""
NOTE = "# not measured from logs:"
"""Starts a comment that says why a figure is left out (``NOTE teacher_p95_ms (model): …``).
It never counts as the provenance of the line below it, so it never makes a typed figure ours."""

LATENCY_NOT_AVAILABLE = "P95 not available from this source"

_REPLACED = {
    "teacher": ("input_price_per_million", "output_price_per_million", "model", "provider"),
    "student": (
        "input_price_per_million",
        "output_price_per_million",
        "gpu_hourly_cost",
        "calls_per_second_per_gpu",
        "target_utilization",
        "peak_factor",
        "model",
        "provider",
    ),
}
"""Keys that give the same quantity another way, commented out when a measured cost is written."""

_SELF_HOSTED = ("calls_per_second_per_gpu", "gpu")
_REPLACED_BY_GPU: dict[str, tuple[str, ...]] = {
    "student": (
        "cost_per_1k",
        "input_price_per_million",
        "output_price_per_million",
        "model",
        "provider",
    )
}
"""Keys that give a student's cost per call another way, commented out when its measured
capacity or its GPU is written (the self-hosted cost comes from those)."""

_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_]+)\s*\]\s*(#.*)?$")
_ARRAY_HEADER = re.compile(r"^\s*\[\[")


@dataclass(frozen=True)
class Figure:
    """One measured figure to write: table, key, value and its provenance comment.

    ``value=None`` is a figure the logs cannot give: the key is left out and ``comment`` (a
    :data:`NOTE` line) says why.
    """

    table: str
    key: str
    value: float | str | bool | None
    comment: str
    reason: str = ""
    """Why the figure is left out (``value=None``), in a few words."""


def _one_line(text: str) -> str:
    """Text from the logs made safe for a one-line TOML comment: no line breaks (they would
    start lines of their own in the case file), no control characters."""
    return printable(text).replace("\n", " ").replace("\t", " ")


def _fmt(value: float) -> str:
    """A figure as the case file shows it: to 10 digits (sums of logged costs and
    interpolated percentiles carry float noise: 4.500000000000001 is written 4.5,
    1925.0000000000002 is 1_925), whole numbers with ``_``.

    Examples
    --------
    >>> _fmt(1925.0000000000002), _fmt(4.500000000000001), _fmt(1_500_000)
    ('1_925', '4.5', '1_500_000')
    """
    rounded = float(f"{float(value):.10g}")
    if rounded.is_integer() and abs(rounded) < 1e15:
        return f"{int(rounded):_}"
    return repr(rounded)


def _toml(value: Any) -> str:
    """A figure as TOML: numbers as :func:`_fmt` writes them, text quoted, true/false.

    Examples
    --------
    >>> _toml("H100"), _toml(True), _toml(2.5)
    ('"H100"', 'true', '2.5')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        import json

        return json.dumps(value, ensure_ascii=False)
    return _fmt(value)


def _row(table: pd.DataFrame, model: str, flag: str) -> pd.Series:
    rows = table[table["model"] == model]
    if rows.empty:
        known = ", ".join(map(repr, table["model"].head(12)))
        raise InputError(f"{flag} {model!r}: no such model in the logs (found: {known})")
    return rows.iloc[0]


def _latency(
    row: pd.Series, role: str, model: str, where: str, source: Mapping[str, Any]
) -> Figure:
    """The model's P95 latency as ``[upside] {role}_p95_ms``, or a note saying why it is not
    there: an export without per-request latency never gets an invented one."""
    key = f"{role}_p95_ms"
    p95 = float(row.get("latency_p95_ms", math.nan))
    if math.isnan(p95):
        note = source.get("latency_note") or ""
        if not note.startswith(LATENCY_NOT_AVAILABLE):
            note = f"{LATENCY_NOT_AVAILABLE} (no call of {model} logs its latency)"
        detail = where.removeprefix(MARK).strip()
        comment = _one_line(f"{NOTE} {key} ({model}): {note}; {detail}")
        return Figure("upside", key, None, comment, reason=_one_line(note))
    timed = source.get("latency_rows_by_model", {}).get(model)
    method = source.get("percentiles") or "exact"
    kind = "successful " if source.get("figures_over") == SUCCESSFUL else ""
    over = "" if timed is None else f" over {timed:,} {kind}calls with a latency"
    failed = _failed_note(row, source, "P95")
    return Figure("upside", key, p95, _one_line(f"{where}; P95{over}, {method}{failed}"))


def _failed_note(row: pd.Series, source: Mapping[str, Any], figure: str) -> str:
    """What the comment says about failed calls: left out (with their own figure), or in."""
    failed = int(row.get("failed_calls", 0) or 0)
    if not failed:
        return ""
    calls = "call" if failed == 1 else "calls"
    if source.get("figures_over") != SUCCESSFUL:
        return f"; {failed:,} failed {calls} included"
    if figure == "P95":
        own = float(row.get("failed_latency_p95_ms", math.nan))
        shown = "no latency" if math.isnan(own) else f"their P95 {_fmt(own)} ms"
    else:
        own = float(row.get("failed_cost_per_1k", math.nan))
        shown = "no cost recorded" if math.isnan(own) else f"their cost per 1k {_fmt(own)}"
    return f"; {failed:,} failed {calls} left out ({shown}; --include-failed counts them)"


def _no_cost(role: str, model: str, row: pd.Series, where: str) -> Figure:
    """A model with no recorded cost: the teacher's cost is needed (an error saying how to
    price it); the student's is left out with a note (a self-hosted student's cost comes from
    its GPU), and the GPU lines stay."""
    if role == "teacher":
        raise InputError(
            f"--teacher {model}: {row['cost_source']}, so there is no cost to write: price its "
            f"calls with --price {model}=INPUT,OUTPUT (per million tokens)"
        )
    reason = (
        f"{NO_COST_RECORDED}: give the self-hosted student's GPU (gpu and cloud, or "
        "gpu_hourly_cost) and calls_per_second_per_gpu, or its API prices"
    )
    detail = where.removeprefix(MARK).strip()
    return Figure(
        role,
        "cost_per_1k",
        None,
        _one_line(f"{NOTE} cost_per_1k ({model}): {reason}; {detail}"),
        reason=reason,
    )


def figures(table: pd.DataFrame, teacher: str | None, student: str | None) -> list[Figure]:
    """The figures to write: volume, growth and the teacher's cost from the teacher's traffic,
    the student's cost from the student's, and each one's P95 latency (``[upside]
    teacher_p95_ms``, ``student_p95_ms``) where the logs time each call.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"model": ["big"], "calls": [40], "monthly_calls": [20.0],
    ...     "monthly_growth": [float("nan")], "cost_per_1k": [4.5],
    ...     "input_tokens_per_call": [1000.0], "output_tokens_per_call": [200.0],
    ...     "latency_p95_ms": [900.0], "cost_source": ["logs"]})
    >>> table.attrs["source"] = {"files": ["a.csv"], "window": {"first_day": "2026-01-01",
    ...     "last_day": "2026-02-28"}, "complete_months": ["2026-01", "2026-02"]}
    >>> [(f.table, f.key, f.value) for f in figures(table, "big", None)][:2]
    [('volume', 'monthly_calls', 20.0), ('teacher', 'cost_per_1k', 4.5)]
    """
    if teacher is None and student is None:
        raise InputError("name the teacher (--teacher MODEL) and/or the student (--student MODEL)")
    source = table.attrs.get("source", {})
    files = source.get("files", [])
    shown = ", ".join(Path(f).name for f in files[:3]) + (
        f" and {len(files) - 3} more" if len(files) > 3 else ""
    )
    window = source.get("window", {})
    months = source.get("complete_months", [])
    span = f"{window.get('first_day')} … {window.get('last_day')}"
    span += f" (complete months {', '.join(months)})" if months else " (no complete month)"
    out: list[Figure] = []
    for role, model in (("teacher", teacher), ("student", student)):
        if model is None:
            continue
        row = _row(table, model, f"--{role}")
        rows = source.get("rows_by_model", {}).get(model)
        counted = f"{int(row['calls']):,} calls" if rows is None else f"{rows:,} rows"
        if rows is not None and rows != row["calls"]:
            counted += f" ({int(row['calls']):,} calls)"
        where = _one_line(f"{MARK} {shown}; {span}; {counted} of {model}")
        if role == "teacher":
            out.append(Figure("volume", "monthly_calls", float(row["monthly_calls"]), where))
            if not math.isnan(float(row["monthly_growth"])):
                out.append(Figure("volume", "monthly_growth", float(row["monthly_growth"]), where))
        if math.isnan(float(row["cost_per_1k"])):
            out.append(_no_cost(role, model, row, where))
        else:
            over = "" if source.get("figures_over") != SUCCESSFUL else " over successful calls"
            failed = _failed_note(row, source, "cost")
            costed = _one_line(f"{where}; cost{over} from {row['cost_source']}{failed}")
            out.append(Figure(role, "cost_per_1k", float(row["cost_per_1k"]), costed))
        if role == "teacher":
            for key in ("input_tokens_per_call", "output_tokens_per_call"):
                value = float(row[key])
                if not math.isnan(value):
                    out.append(Figure(role, key, value, where))
        out.append(_latency(row, role, model, where, source))
    return out


def _tables(lines: Sequence[str]) -> list[str | None]:
    """The table each line belongs to (None before the first, '[[…]]' for arrays)."""
    current: str | None = None
    owners: list[str | None] = []
    for line in lines:
        header = _HEADER.match(line)
        if header:
            current = header.group(1)
        elif _ARRAY_HEADER.match(line):
            current = "[[array]]"
        owners.append(current)
    return owners


def _key_line(lines: Sequence[str], owners: Sequence[str | None], table: str, key: str) -> int:
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for index, line in enumerate(lines):
        if owners[index] == table and pattern.match(line):
            return index
    return -1


def _append(lines: list[str], table: str, added: Sequence[str]) -> None:
    """Add lines at the end of a table (before its trailing blank lines), or a new table
    before the first ``[[…]]`` array when the file has none."""
    header = next(
        (i for i, line in enumerate(lines) if (m := _HEADER.match(line)) and m.group(1) == table),
        -1,
    )
    if header < 0:
        first_array = next(
            (i for i, line in enumerate(lines) if _ARRAY_HEADER.match(line)), len(lines)
        )
        before = [""] if first_array > 0 and lines[first_array - 1].strip() else []
        after = [""] if first_array < len(lines) else []
        lines[first_array:first_array] = [*before, f"[{table}]", *added, *after]
        return
    end = header + 1
    owners = _tables(lines)
    while end < len(lines) and owners[end] == table:
        end += 1
    while end - 1 > header and not lines[end - 1].strip():
        end -= 1
    lines[end:end] = added


def update_text(text: str, new: Sequence[Figure], *, force: bool, source: str) -> str:
    """The case file's text with the figures written in; every other line kept.

    Raises
    ------
    CaseFileError
        When a figure the user typed would change (or another way of giving the same cost
        would be commented out) and ``force`` is false, or the result is not a valid case.

    Examples
    --------
    >>> text = "[volume]\\nmonthly_calls = 100  # mine\\n"
    >>> update_text(text, [Figure("volume", "monthly_calls", 120.0, "# measured from logs: x")],
    ...     force=False, source="case.toml")
    Traceback (most recent call last):
    ...
    xl_roi.errors.CaseFileError: case.toml: would change figures you typed ([volume] ...
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CaseFileError(f"{source}: not valid TOML: {error}") from None
    lines = text.splitlines()
    refused: list[str] = []
    for figure in new:
        owners = _tables(lines)
        # a note an earlier run left for this key goes: this run says afresh what it found
        lines = [
            line
            for line, owner in zip(lines, owners, strict=True)
            if not (owner == figure.table and line.lstrip().startswith(f"{NOTE} {figure.key} "))
        ]
        owners = _tables(lines)
        index = _key_line(lines, owners, figure.table, figure.key)
        ours = index > 0 and lines[index - 1].lstrip().startswith(OWNED)
        if figure.value is None:
            # nothing to write. An earlier run's figure goes (it may be another model's, or
            # other logs'); a figure the user typed stays, and the note goes at the table's
            # end, never right above it (where it would read as the figure's source)
            if ours:
                lines[index - 1 : index + 1] = [figure.comment]
            else:
                _append(lines, figure.table, [figure.comment])
            continue
        value_line = f"{figure.key} = {_toml(figure.value)}"
        if index >= 0:
            old = data.get(figure.table, {}).get(figure.key)
            if not ours and _toml(old) != _toml(figure.value):
                shown = _toml(old) if isinstance(old, int | float | str) else repr(old)
                refused.append(f"[{figure.table}] {figure.key} = {shown} → {_toml(figure.value)}")
            if ours:
                lines[index - 1 : index + 1] = [figure.comment, value_line]
            else:
                lines[index : index + 1] = [figure.comment, value_line]
            continue
        _append(lines, figure.table, [figure.comment, value_line])
    costs = {f.table: _REPLACED for f in new if f.key == "cost_per_1k" and f.value is not None}
    if any(f.table == "student" and f.key in _SELF_HOSTED for f in new):
        costs["student"] = _REPLACED_BY_GPU  # a self-hosted student's cost comes from its GPU
    for table, replaced in costs.items():  # a cost left out (none recorded) keeps the others
        owners = _tables(lines)
        written = {f.key for f in new if f.table == table}
        for index, line in enumerate(lines):
            if owners[index] != table:
                continue
            for key in replaced.get(table, ()):
                if key not in written and re.match(rf"^\s*{re.escape(key)}\s*=", line):
                    given = re.sub(r"\s+#.*$", "", line.strip())  # its figure, not its comment
                    if not (index > 0 and lines[index - 1].lstrip().startswith(OWNED)):
                        refused.append(f"[{table}] {given} (another way to give the cost)")
                    by = "the measured cost_per_1k" if replaced is _REPLACED else "the GPU figures"
                    lines[index] = f"# replaced by {by}: {line.strip()}"
    # an example-figure note goes with the figure it stood above
    lines = [
        line
        for index, line in enumerate(lines)
        if not (
            line.lstrip().startswith(EXAMPLE_MARK)
            and index + 1 < len(lines)
            and lines[index + 1].lstrip().startswith("# replaced by ")
        )
    ]
    if refused and not force:
        raise CaseFileError(
            f"{source}: would change figures you typed ({'; '.join(refused)}): use --force to "
            "replace them"
        )
    result = "\n".join(lines) + "\n"
    try:
        case_from_mapping(tomllib.loads(result), source)
    except tomllib.TOMLDecodeError as error:  # pragma: no cover - lines are written whole
        raise CaseFileError(f"{source}: the update would not be valid TOML: {error}") from None
    return result


def mark_example(text: str, table: str, keys: Sequence[str], model: str) -> str:
    """The example's figures for ``keys`` in ``table``, each under an :data:`EXAMPLE_MARK`
    comment: a later measurement replaces them without --force (nobody typed them)."""
    lines = text.splitlines()
    owners = _tables(lines)
    out = []
    for line, owner in zip(lines, owners, strict=True):
        if owner == table and any(re.match(rf"^\s*{re.escape(k)}\s*=", line) for k in keys):
            out.append(
                _one_line(
                    f"{EXAMPLE_MARK} the logs record no cost for {model}; for a self-hosted "
                    "student, xl-roi capacity … --update replaces it"
                )
            )
        out.append(line)
    return "\n".join(out) + "\n"


def write_case(
    table: pd.DataFrame,
    path: str | Path,
    *,
    teacher: str | None,
    student: str | None,
    update: bool,
    force: bool = False,
    extra: Sequence[Figure] = (),
) -> Path:
    """Write the measured figures to a new case file (``update=False``: the built-in example's
    other figures, to edit) or into an existing one (``update=True``), atomically."""
    target = Path(path)
    new = [*figures(table, teacher, student), *extra]
    if update:
        try:
            text = target.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CaseFileError(f"{target}: no such file (use -o to write a new case)") from None
        except (UnicodeDecodeError, OSError) as error:
            raise CaseFileError(f"{target}: cannot be read ({error})") from None
        result = update_text(text, new, force=force, source=str(target))
        return write_atomic(target, result.encode("utf-8"), force=True)
    if target.exists() and not force:
        raise CaseFileError(f"{target} exists already: use --force to replace it, or --update")
    base = example_case_text().replace(
        "# xl_roi case file: the business case for distilling one model endpoint.",
        "# xl_roi case file: the business case for distilling one model endpoint.\n#\n"
        "# Volume, growth, per-call costs and P95 latencies below were measured from logs (see "
        "the comments\n# above them); every other figure is the built-in example's: replace it "
        "with your own.",
        1,
    )
    if any(f.table == "student" and f.key == "cost_per_1k" and f.value is None for f in new):
        base = mark_example(base, "student", _REPLACED_BY_GPU["student"], f"{student}")
    result = update_text(base, new, force=True, source=str(target))
    return write_atomic(target, result.encode("utf-8"), force=force)
