"""The portable Sensitivity working, in Python: the rows it ranks and picks into the table are
the core's table (LibreOffice's own recalculation is in tests/test_workbook_portable.py)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies import monthly_growth, positive_monthly_calls
from xl_roi import Case
from xl_roi.workbook import layout
from xl_roi.workbook.build import _sensitivity_table
from xl_roi.workbook.native_sensitivity import working


def _same(expected: Any, got: Any) -> bool:
    if isinstance(expected, float) and isinstance(got, float):
        return math.isclose(expected, got, rel_tol=1e-12, abs_tol=1e-12)
    return bool(expected == got)


def _picked(case: Case) -> tuple[list[list[Any]], list[list[Any]]]:
    """The table as the working picks it (by its own ranks), and the core's table."""
    values = layout.mirror_values(case)
    table = _sensitivity_table(values)
    cells = working(values, table, 40)
    top = min(int(key[1:]) for key in cells.formulas if key.startswith("P"))

    def value(coordinate: str) -> Any:
        if coordinate in cells.formulas:
            return cells.formulas[coordinate][1]
        return cells.plain.get(coordinate, "")

    rows = []
    for offset in range(6):
        source = top + int(value(f"P{top + offset}")) - 1
        rows.append([value(f"{chr(65 + column)}{source}") for column in range(10)])
    for offset in range(3):
        rows.append(
            [
                value(f"{letter}{top + 6 + offset}") if letter in "ABDFH" else ""
                for letter in "ABCDEFGHIJ"
            ]
        )
    return rows, table[1:]


@settings(max_examples=60, deadline=None)
@given(
    calls=positive_monthly_calls,
    teacher=st.floats(min_value=0.5, max_value=50.0),
    student_share=st.floats(min_value=0.0, max_value=1.5),
    upfront=st.floats(min_value=0.0, max_value=1e6),
    maintenance=st.floats(min_value=0.0, max_value=1e6),
    growth=monthly_growth,
    hosted=st.booleans(),
)
def test_working_picks_the_cores_table(
    calls, teacher, student_share, upfront, maintenance, growth, hosted
):
    """For any case, priced per call or on whole GPUs, the rows the working ranks and picks
    are the core's table: same order, same figures, "never" and blanks alike."""
    hosting: dict[str, Any] = (
        dict(gpu_hourly_cost=2.5, calls_per_second_per_gpu=25.0, escalation_share=0.03)
        if hosted
        else dict(student_cost_per_1k=teacher * student_share)
    )
    case = Case(
        monthly_calls=calls,
        teacher_cost_per_1k=teacher,
        upfront_cost=upfront,
        annual_maintenance=maintenance,
        monthly_growth=growth,
        **hosting,
    )
    got, expected = _picked(case)
    wrong = [
        (r, c, want, got[r][c])
        for r, row in enumerate(expected)
        for c, want in enumerate(row)
        if not _same(want, got[r][c])
    ]
    assert not wrong, wrong[:3]


def test_whole_gpu_net_break_even_stored_is_the_last_partial_band():
    """The working stores, for the volume at which net benefit reaches zero on whole GPUs, the
    lowest volume above which the net is positive at every volume (not a lower crossing)."""
    from tests.test_gpu_breakeven import BANDS

    rows, table = _picked(BANDS)
    volume = next(row for row in rows if row[0] == "Monthly volume")
    # on n GPUs the net is positive from 500,000 + 730,000 n (tests/test_gpu_breakeven.py):
    # bands 1 to 3 in part, band 4 in full: 500,000 + 3 × 730,000
    assert volume[9] == pytest.approx(2_690_000, rel=1e-12)
    for want_row, got_row in zip(table, rows, strict=True):
        assert all(_same(want, got) for want, got in zip(want_row, got_row, strict=True))
