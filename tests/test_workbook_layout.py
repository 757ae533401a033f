"""Tests of xl_roi.workbook.layout: the Calculations rows and their mirror in Python."""

from __future__ import annotations

import pytest

from tests.cases import WORKBOOK_CASES
from xl_roi import example_case
from xl_roi.workbook import layout


@pytest.mark.parametrize("label", ["example", *WORKBOOK_CASES])
def test_mirror_values_gives_every_calculation_row_a_value(label):
    """Every Calculations row has its value in the mirror, whichever way it is worked out."""
    case = example_case() if label == "example" else WORKBOOK_CASES[label]
    values = layout.mirror_values(case)
    assert set(layout.CALC_ROWS) <= set(values)


def test_a_row_added_with_its_calculation_needs_nothing_in_the_mirror(monkeypatch):
    """A Calculations row added with its own calculation is worked out by the mirror in its
    place, from the rows above it, with no list of names to extend."""
    row = layout.CalcRow(
        "upfront_twice",
        "Twice the upfront cost",
        "",
        "money",
        layout.MONEY,
        "A row added for this test",
        calc=lambda ops: ops.name("upfront") * 2.0,
    )
    rows = dict(layout.CALC_ROWS)
    place = list(rows).index("upfront") + 1
    items = list(rows.items())
    monkeypatch.setattr(
        layout, "CALC_ROWS", dict([*items[:place], (row.name, row), *items[place:]])
    )
    values = layout.mirror_values(example_case())
    assert values["upfront_twice"] == 2.0 * values["upfront"] == 67_500.0
