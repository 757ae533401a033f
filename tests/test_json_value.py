"""One JSON converter and one figure-to-cell rule, shared by every --json, table and cell."""

from __future__ import annotations

import json
import math

import numpy as np

from xl_roi.json_value import json_value
from xl_roi.text import figure_cell


def test_non_finite_figures_become_null_at_any_depth():
    """An infinity or NaN becomes null in a dict, list or tuple, however deep."""
    data = {"a": math.inf, "b": [-math.inf, (math.nan, 2.5)], "c": {"d": np.float64("nan")}}
    assert json_value(data) == {"a": None, "b": [None, [None, 2.5]], "c": {"d": None}}
    json.dumps(json_value(data), allow_nan=False)  # strict JSON: no NaN/Infinity tokens


def test_numpy_scalars_become_plain_python():
    """numpy's ints, floats and booleans come out as Python's, which json accepts."""
    got = json_value([np.int64(3), np.float32(0.5), np.bool_(True)])
    assert got == [3, 0.5, True]
    assert [type(item) for item in got] == [int, float, bool]


def test_figure_cell_never_and_blank():
    """Infinity reads "never", NaN the blank asked for, anything else is itself."""
    assert figure_cell(math.inf) == "never" and figure_cell(-math.inf) == "never"
    assert figure_cell(math.nan) == "" and figure_cell(math.nan, blank=None) is None
    assert figure_cell(0.0) == 0.0 and figure_cell("x") == "x"
