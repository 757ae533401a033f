"""Tests of xl_roi.json_table: a table written column-wise as JSON means what json.dumps of
each row means — same keys in order, null for missing, NaN or infinite, every double exact."""

from __future__ import annotations

import io
import json
import math
import struct

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_roi.json_table import write_json_rows


def reference(table: pd.DataFrame) -> list[dict]:
    """Each row as json.dumps(allow_nan=False) would take it: NaN and infinities as None."""
    rows = []
    for record in table.to_dict(orient="records"):
        row = {}
        for key, value in record.items():
            if isinstance(value, float) and not math.isfinite(value):
                value = None
            elif isinstance(value, np.integer):
                value = int(value)
            row[str(key)] = value
        rows.append(json.dumps(row, allow_nan=False, ensure_ascii=False))
    return [json.loads(row) for row in rows]


def strict_loads(text: str):
    """json.loads that refuses NaN and Infinity, as allow_nan=False promises they never occur."""

    def refuse(token):
        raise ValueError(f"{token} is not JSON")

    return json.loads(text, parse_constant=refuse)


def bits(value):
    return struct.pack("<d", value) if isinstance(value, float) else value


def written(table: pd.DataFrame, batch_rows: int = 3) -> str:
    out = io.StringIO()
    assert write_json_rows(table, out, batch_rows=batch_rows) == len(table)
    return out.getvalue()


doubles = st.floats(allow_nan=True, allow_infinity=True)
texts = st.none() | st.text(max_size=12)


@settings(max_examples=150)
@given(
    st.lists(st.tuples(doubles, doubles, texts, st.integers(-(2**62), 2**62)), max_size=12),
    st.integers(1, 5),
)
def test_same_meaning_as_json_dumps_row_by_row(rows, batch_rows):
    """Any doubles (NaN, ±inf, -0.0, subnormals), any text (quotes, control characters, any
    script) and integers read back exactly as json.dumps row by row writes them, keys in order,
    across batch boundaries; the text is strict JSON."""
    table = pd.DataFrame(
        {
            "payback_months": pd.Series([row[0] for row in rows], dtype=float),
            "quality_cost_monthly": pd.Series([row[1] for row in rows], dtype=float),
            "name": pd.Series([row[2] for row in rows], dtype=object),
            "rank": pd.Series([row[3] for row in rows], dtype=np.int64),
        }
    )
    got = strict_loads(written(table, batch_rows))
    expected = reference(table)
    assert [list(row) for row in got] == [list(row) for row in expected]
    assert [[bits(value) for value in row.values()] for row in got] == [
        [bits(value) for value in row.values()] for row in expected
    ]


def test_empty_table_and_layout():
    """No rows: an empty array; otherwise one object a line, as the row-by-row writer laid
    them out."""
    assert written(pd.DataFrame({"rank": pd.Series([], dtype=np.int64)})) == "[]\n"
    text = written(pd.DataFrame({"rank": [1, 2], "payback_months": [2.5, math.inf]}))
    assert text == (
        '[\n  {"rank":1,"payback_months":2.5},\n  {"rank":2,"payback_months":null}\n]\n'
    )


def test_object_columns_with_nan_and_numbers():
    """A text column holding NaN for missing, or a number, is written as null or as its text,
    never dropped."""
    table = pd.DataFrame({"error": pd.Series([math.nan, "refused", 7], dtype=object)})
    assert strict_loads(written(table)) == [{"error": None}, {"error": "refused"}, {"error": "7"}]


def test_keys_are_quoted():
    """Column names with quotes or SQL in them are keys, as given."""
    table = pd.DataFrame({"it's": [1.0], 'say "x"': [2.0], "a) FROM x; --": [3.0]})
    assert strict_loads(written(table)) == [{"it's": 1.0, 'say "x"': 2.0, "a) FROM x; --": 3.0}]


def test_c1_controls_and_del_are_escaped():
    """Names holding DEL or C1 controls (U+009B, the one-byte CSI) are written escaped
    (\\u009b), the same values read back, nothing a terminal would act on."""
    import io
    import json

    names = ["chat\u009b2J", "del\u007fx", "plain", "é€\u0085"]
    out = io.StringIO()
    write_json_rows(pd.DataFrame({"name": names, "n": [1.0, 2.0, 3.0, 4.0]}), out)
    text = out.getvalue()
    assert not any(chr(code) in text for code in range(0x7F, 0xA0))
    assert [row["name"] for row in json.loads(text)] == names
