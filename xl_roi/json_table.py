"""A table as a JSON array of objects, formatted by DuckDB and written as it comes.

``json.dumps`` one row at a time costs microseconds a row: on a two-million-row portfolio it
was nine tenths of ``xl-roi screen --json``. Here the table is handed to DuckDB once, as Arrow
columns (numbers without a copy), and DuckDB formats every row's object in C on every core
(numbers in their shortest form that reads back to the same double), each row with the
separator that goes before it. The text comes back in batches of one Arrow string column whose
bytes are the rows one after another, so each batch is written as it stands: no Python object
a row, no join. The meaning is that of ``json.dumps(row, allow_nan=False)``: the same keys in
the same order, ``null`` for a missing value, NaN or an infinity (a payback that never comes),
text as UTF-8.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TextIO

import numpy as np
import pandas as pd

__all__ = ["write_json_rows"]

BATCH_ROWS = 100_000
"""Rows formatted and written at a time: memory stays flat however long the table."""


def _quoted_key(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _value(column: str, dtype: np.dtype[Any]) -> str:
    """The SQL that gives a column's JSON value: a float only when finite, else null."""
    if dtype.kind == "f":
        return f"CASE WHEN isfinite({column}) THEN {column} END"
    return column


def _text_column(values: pd.Series) -> pd.Series:
    """An object column as text or None: NaN and None as None, anything else as its text."""
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return values.where(values.notna(), None)
    return values.map(
        lambda item: None if item is None or item != item else str(item)  # NaN != NaN
    )


def _arrow_column(values: pd.Series) -> Any:
    """A column as Arrow: numbers and booleans without a copy (NaN kept, for the query to
    write as null), text as Arrow strings (None and NaN as null)."""
    import pyarrow as pa

    if isinstance(values.dtype, pd.CategoricalDtype):  # a dictionary: one code a row
        return pa.array(values, from_pandas=True)
    if isinstance(values.dtype, pd.StringDtype):
        return pa.chunked_array(values.array.__arrow_array__(), type=pa.large_string())
    if values.dtype.kind == "O":
        texts = _text_column(values).to_numpy(dtype=object)
        return pa.array(texts, type=pa.string(), from_pandas=True)  # chunked past 2 GB
    return pa.array(values.to_numpy(), from_pandas=False)


def _string_bytes(column: Any) -> memoryview:
    """The bytes of an Arrow string column's values, one after another, without a copy."""
    import pyarrow as pa

    _, offsets_buffer, data = column.buffers()
    width = np.int64 if pa.types.is_large_string(column.type) else np.int32
    offsets = np.frombuffer(offsets_buffer, dtype=width)
    start, end = int(offsets[column.offset]), int(offsets[column.offset + len(column)])
    return memoryview(data)[start:end] if data is not None else memoryview(b"")


_C1_OR_DEL = re.compile(rb"\xc2[\x80-\x9f]|\x7f")
"""DEL and the C1 controls in UTF-8 (``\xc2`` is only ever their lead byte): DuckDB's JSON
escapes the C0 controls but writes these as they are, and U+009B is a terminal's CSI."""


def _escaped(text: bytes | memoryview) -> bytes | memoryview:
    """JSON text with DEL and C1 controls escaped (``\u009b``): the same values, nothing a
    terminal would act on."""
    view = np.frombuffer(text, dtype=np.uint8)  # looked at without a copy
    if not ((view == 0xC2) | (view == 0x7F)).any():
        return text
    return _C1_OR_DEL.sub(lambda match: b"\\u%04x" % ord(match.group().decode()), bytes(text))


def _write(out: TextIO, text: bytes | memoryview) -> None:
    """UTF-8 text to a stream: straight to its bytes where it has them (no second encoding)."""
    text = _escaped(text)
    buffer = getattr(out, "buffer", None)
    if buffer is None:
        out.write(bytes(text).decode("utf-8"))
        return
    out.flush()
    buffer.write(text)


def write_json_rows(
    table: pd.DataFrame,
    out: TextIO,
    *,
    batch_rows: int = BATCH_ROWS,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write ``table`` to ``out`` as a JSON array, one object a row; return the rows written.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns of numbers (NaN and infinities are written as ``null``), booleans, or text
        (``None`` as ``null``).
    out : text stream
        Where to write (``sys.stdout`` for the command line).
    batch_rows : int
        Rows formatted and written at a time.
    progress : callable, optional
        Called with the rows written so far after each batch.

    Examples
    --------
    >>> import io, json
    >>> out = io.StringIO()
    >>> write_json_rows(pd.DataFrame({"rank": [1, 2], "name": ["chat", None],
    ...     "payback_months": [2.5, float("inf")]}), out)
    2
    >>> json.loads(out.getvalue())[1]
    {'rank': 2, 'name': None, 'payback_months': None}
    """
    import duckdb
    import pyarrow as pa

    rows = len(table)
    if rows == 0:
        out.write("[]\n")
        return 0
    keys = [str(column) for column in table.columns]
    positional = [f"c{index}" for index in range(len(keys))]
    struct = ", ".join(
        f"{_quoted_key(key)}: {_value(column, table.dtypes.iloc[index])}"
        for index, (key, column) in enumerate(zip(keys, positional, strict=True))
    )
    # each row's text with the separator that goes before it, so that the batches' bytes are
    # the array's body as they stand (the first row's comma gives way to the opening bracket)
    query = (
        "SELECT ',' || chr(10) || '  ' || to_json({" + struct + "})::VARCHAR AS json "
        "FROM whole_table"  # keys quoted above, columns named by place
    )
    whole_table = pa.table(
        {column: _arrow_column(table.iloc[:, index]) for index, column in enumerate(positional)}
    )
    connection = duckdb.connect(":memory:", config={"preserve_insertion_order": True})
    try:
        connection.execute("SET enable_progress_bar = false")
        connection.register("whole_table", whole_table)
        written = 0
        for batch in connection.sql(query).to_arrow_reader(batch_rows):
            column = batch.column(0)
            text = _string_bytes(column)
            if written == 0:
                _write(out, b"[")
                text = text[1:]  # the first row's comma
            _write(out, text)
            written += len(column)
            if progress is not None:
                progress(written)
        if written != rows:  # a scan of the whole table in its order: this cannot happen
            raise AssertionError(f"{rows} rows formatted as {written}")
        out.write("\n]\n")
        return written
    finally:
        connection.close()
