"""Write measured figures into a case file: a new one, or an update that keeps every other line.

Each figure written gets a comment line above it naming the log file(s), the window and the row
count, starting with :data:`MARK`. A figure under such a comment is ours to replace; any other
figure is the user's, and changing it needs ``force``. With ``force``, keys that would give the
same quantity a second way (the teacher's token prices when its measured cost is written) are
commented out, not deleted.
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

from xl_roi.casefile import case_from_mapping, example_case_text
from xl_roi.errors import CaseFileError, InputError
from xl_roi.files import write_atomic
from xl_roi.text import printable

MARK = "# measured from logs:"

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

_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_]+)\s*\]\s*(#.*)?$")
_ARRAY_HEADER = re.compile(r"^\s*\[\[")


@dataclass(frozen=True)
class Figure:
    """One measured figure to write: table, key, value and its provenance comment."""

    table: str
    key: str
    value: float
    comment: str


def _one_line(text: str) -> str:
    """Text from the logs made safe for a one-line TOML comment: no line breaks (they would
    start lines of their own in the case file), no control characters."""
    return printable(text).replace("\n", " ").replace("\t", " ")


def _fmt(value: float) -> str:
    """A figure as the case file shows it: whole numbers with ``_``, others to 10 digits
    (sums of logged costs carry float noise: 4.500000000000001 is written 4.5)."""
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):_}"
    return repr(float(f"{float(value):.10g}"))


def _row(table: pd.DataFrame, model: str, flag: str) -> pd.Series:
    rows = table[table["model"] == model]
    if rows.empty:
        known = ", ".join(map(repr, table["model"].head(12)))
        raise InputError(f"{flag} {model!r}: no such model in the logs (found: {known})")
    return rows.iloc[0]


def figures(table: pd.DataFrame, teacher: str | None, student: str | None) -> list[Figure]:
    """The figures to write: volume, growth and the teacher's cost from the teacher's traffic,
    the student's cost from the student's.

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
        costed = _one_line(f"{where}; cost from {row['cost_source']}")
        if not math.isnan(float(row.get("latency_p95_ms", math.nan))):
            costed += f"; P95 latency {float(row['latency_p95_ms']):,.0f} ms"
        out.append(Figure(role, "cost_per_1k", float(row["cost_per_1k"]), costed))
        if role == "teacher":
            for key in ("input_tokens_per_call", "output_tokens_per_call"):
                value = float(row[key])
                if not math.isnan(value):
                    out.append(Figure(role, key, value, where))
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
        index = _key_line(lines, owners, figure.table, figure.key)
        value_line = f"{figure.key} = {_fmt(figure.value)}"
        if index >= 0:
            ours = index > 0 and lines[index - 1].lstrip().startswith(MARK)
            old = data.get(figure.table, {}).get(figure.key)
            if not ours and _fmt(old) != _fmt(figure.value):
                shown = _fmt(old) if isinstance(old, int | float) else repr(old)
                refused.append(f"[{figure.table}] {figure.key} = {shown} → {_fmt(figure.value)}")
            if ours:
                lines[index - 1 : index + 1] = [figure.comment, value_line]
            else:
                lines[index : index + 1] = [figure.comment, value_line]
            continue
        header = next(
            (
                i
                for i, line in enumerate(lines)
                if (m := _HEADER.match(line)) and m.group(1) == figure.table
            ),
            -1,
        )
        if header < 0:
            first_array = next(
                (i for i, line in enumerate(lines) if _ARRAY_HEADER.match(line)), len(lines)
            )
            lines[first_array:first_array] = [f"[{figure.table}]", figure.comment, value_line, ""]
            continue
        end = header + 1
        owners = _tables(lines)
        while end < len(lines) and owners[end] == figure.table:
            end += 1
        while end - 1 > header and not lines[end - 1].strip():
            end -= 1
        lines[end:end] = [figure.comment, value_line]
    for table in {figure.table for figure in new if figure.key == "cost_per_1k"}:
        owners = _tables(lines)
        for index, line in enumerate(lines):
            if owners[index] != table:
                continue
            for key in _REPLACED.get(table, ()):
                if re.match(rf"^\s*{re.escape(key)}\s*=", line):
                    refused.append(f"[{table}] {line.strip()} (another way to give the cost)")
                    lines[index] = f"# replaced by the measured cost_per_1k: {line.strip()}"
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


def write_case(
    table: pd.DataFrame,
    path: str | Path,
    *,
    teacher: str | None,
    student: str | None,
    update: bool,
    force: bool = False,
) -> Path:
    """Write the measured figures to a new case file (``update=False``: the built-in example's
    other figures, to edit) or into an existing one (``update=True``), atomically."""
    target = Path(path)
    new = figures(table, teacher, student)
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
        "# Volume, growth and per-call costs below were measured from logs (see the comments "
        "above them);\n# every other figure is the built-in example's: replace it with your own.",
        1,
    )
    result = update_text(base, new, force=True, source=str(target))
    return write_atomic(target, result.encode("utf-8"), force=force)


def as_mapping(figures_: Sequence[Figure]) -> Mapping[str, Any]:
    """The figures as nested tables (for messages and JSON)."""
    out: dict[str, dict[str, float]] = {}
    for figure in figures_:
        out.setdefault(figure.table, {})[figure.key] = figure.value
    return out
