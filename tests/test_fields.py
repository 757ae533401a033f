"""Tests of xl_roi.fields: the one registry every reader and writer of an input takes it from."""

from __future__ import annotations

import dataclasses
import math

from hypothesis import given
from hypothesis import strategies as st

from xl_roi.case import Case
from xl_roi.casefile import CASE_FILE_KEYS
from xl_roi.fields import BOUNDS, FIELDS
from xl_roi.uncertainty import DRAWN_LABELS, INPUT_LABELS, INPUT_UNITS
from xl_roi.workbook.layout import INPUT_ROWS

_NOT_INPUTS = {"quality_slices", "uncertainty"}  # tables of their own, not single inputs


def test_every_case_input_has_one_entry():
    """Each single-valued Case field is in the registry, and each registry Case field is one."""
    case_fields = {item.name for item in dataclasses.fields(Case)} - _NOT_INPUTS
    in_case = {name for name, entry in FIELDS.items() if entry.in_case}
    assert in_case == case_fields


def test_the_case_file_keys_are_the_registrys():
    """A case file's tables and keys are exactly the registry's, each field under one key."""
    from_registry = {
        (entry.table, entry.key): name for name, entry in FIELDS.items() if entry.key is not None
    }
    from_reader = {
        (table, key): name for table, keys in CASE_FILE_KEYS.items() for key, name in keys.items()
    }
    assert from_reader == from_registry


def test_the_inputs_sheet_is_the_registrys():
    """Every Inputs row is a registry field with a cell, labelled and formatted as it says."""
    with_cells = [entry for entry in FIELDS.values() if entry.cell is not None]
    assert [entry.cell for entry in with_cells] == list(INPUT_ROWS)
    for entry in with_cells:
        row = INPUT_ROWS[entry.cell]  # type: ignore[index]
        assert (row.label, row.unit, row.note, row.kind) == (
            entry.label,
            entry.unit,
            entry.help,
            entry.kind,
        )
        assert row.bound == entry.bound, entry.name


def test_moved_and_drawn_inputs_say_how_they_read_and_which_side_breaks():
    """Each sensitivity axis names the side it breaks on; each drawn input how it is written."""
    for name in INPUT_LABELS:
        assert FIELDS[name].breaks_when in ("below", "above"), name
    assert set(INPUT_LABELS) <= set(DRAWN_LABELS)
    assert set(INPUT_UNITS) == set(DRAWN_LABELS)
    assert set(INPUT_UNITS.values()) <= {"calls", "money", "share"}


def test_a_share_field_is_a_share_cell():
    """A field whose bound is a share is shown as a share, and the other way round."""
    for entry in FIELDS.values():
        if entry.bound is not None:
            assert entry.bound.share == (entry.kind == "share"), entry.name


@given(st.sampled_from(sorted(BOUNDS)), st.floats(allow_nan=False, allow_infinity=False))
def test_outside_is_the_opposite_of_holds(name, number):
    """For a whole-valued or any finite number, ``outside`` and ``holds`` never agree."""
    bound = BOUNDS[name]
    if bound.whole:
        number = float(math.floor(number))
    assert bound.outside(number) is not bound.holds(number)
