"""Reading a CSV of endpoints line by line, so that one bad line can never move another.

pandas reads a CSV fast, but it guesses: a trailing comma on the first data row makes it take
the first column as an index and shift every column; an unclosed quote makes it read on into
the following rows and merge them into one name. Either way the screen would print figures
from the wrong columns with no error. Here each line of the file is one endpoint: a line whose
fields do not match the header (or whose quotes do not close on it) is refused by itself, with
its line number, and every other line is read as it stands. A quoted field that runs over
several lines (a line break inside a cell, as Excel writes it) makes one record of them: each
of its lines is refused with the record's line numbers, so no piece of it is ever screened as
an endpoint of its own (a lone line with an odd number of quotes is never read alone either).
So the rows in (the non-blank lines after the header) always equal the rows screened plus the
rows refused.

Checking every line in Python costs about a microsecond a line, so a chunk is first checked
column-wise with numpy (each line's commas counted between newline positions; no quote, no
carriage return but at a line's end, UTF-8): when every line is well formed, the chunk goes to
pandas' C parser whole, as it stands; otherwise it is read line by line as above. DuckDB's CSV
reader is not used: it reads a trailing comma's line as if the comma were not there, and an
unclosed quote swallows the lines after it (DuckDB 2.0.1, ``strict_mode``, ``store_rejects``).
Parquet, which has no lines to break, is read through DuckDB (:func:`read_endpoint_parquet`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from xl_roi.errors import InputError
from xl_roi.text import printable

__all__ = ["EndpointChunk", "read_endpoint_csv", "read_endpoint_parquet"]


@dataclass(frozen=True)
class EndpointChunk:
    """Consecutive endpoint lines of a CSV, one frame row each.

    ``frame`` holds one row per non-blank line, in file order; a refused line is a blank row
    whose reason is in ``refusals`` (keyed by its position in ``frame``). ``first_row`` numbers
    the chunk's first endpoint among all the file's endpoints (from 1).
    """

    frame: pd.DataFrame
    refusals: dict[int, str]
    first_row: int


def _fields(line: str) -> list[str] | None:
    """The fields of one line, or None when its quotes do not close on the line (or a quote
    sits where no quote may)."""
    if '"' not in line:
        return line.split(",")
    try:
        return next(csv.reader([line], strict=True))
    except (csv.Error, StopIteration):
        return None


def _canonical(fields: list[str]) -> str:
    """One line of CSV that pandas reads back as exactly these fields."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    return out.getvalue()


def _header(columns: list[str]) -> list[str]:
    """Column names for pandas: blank ones named by their place, repeats numbered."""
    names: list[str] = []
    for index, raw in enumerate(columns):
        name = raw.strip() or f"column {index + 1}"
        if name.lower() in (seen.lower() for seen in names):
            twice = name.strip().lower()
            from xl_roi.portfolio import ENDPOINT_COLUMNS

            if twice in ENDPOINT_COLUMNS:
                raise InputError(
                    f"the column {twice} is given twice: keep one, so that no figure is a guess"
                )
            name = f"{name} ({index + 1})"
        names.append(printable(name))
    return names


def read_endpoint_csv(
    path: str | Path, chunk_rows: int = 250_000
) -> tuple[list[str], Iterator[EndpointChunk]]:
    """Open a CSV of endpoints: its column names, and its lines in chunks.

    Parameters
    ----------
    path : str or Path
        A CSV file, UTF-8 (a byte-order mark is allowed), comma-separated, header first.
    chunk_rows : int
        Lines read at a time: memory stays flat however long the file.

    Returns
    -------
    (list of str, iterator of EndpointChunk)
        The header's names (blank ones as ``column N``), then the chunks, read as iterated.

    Raises
    ------
    InputError
        Without a header line, or with one that cannot be read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "endpoints.csv"
    >>> _ = path.write_text("name,monthly_calls\\nchat,2000000,\\ntagger,1000\\n")
    >>> header, chunks = read_endpoint_csv(path)
    >>> chunk = next(chunks)
    >>> chunk.frame["name"].tolist()[1]
    'tagger'
    >>> chunk.refusals[0]
    'line 2 has 3 fields where the header has 2: refused rather than guess which figure is which'

    """
    handle = open(path, "rb")  # noqa: SIM115 (closed by the iterator, or below on error)
    try:
        line_number = 0
        header_line = None
        for raw in handle:
            line_number += 1
            text = _decode(raw, line_number, header=True)
            if line_number == 1:
                text = text.removeprefix("\ufeff")
            if text.strip():
                header_line = text
                break
        if header_line is None:
            raise InputError("the file is empty: give a header line, then one line per endpoint")
        fields = _fields(header_line)
        if fields is None:
            raise InputError(
                f"line {line_number}, the header, has a quote that does not close on the line"
            )
        names = _header(fields)
    except BaseException:
        handle.close()
        raise
    return names, _chunks(handle, names, line_number, chunk_rows)


def _decode(raw: bytes, line_number: int, header: bool = False) -> str:
    try:
        return raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        if header:
            raise InputError(
                f"line {line_number}, the header, is not UTF-8 text: save the file as CSV UTF-8"
            ) from None
        raise


def _chunks(
    handle: BinaryIO, names: list[str], line_number: int, chunk_rows: int
) -> Iterator[EndpointChunk]:
    width = len(names)
    name_column = next((name for name in names if name.strip().lower() == "name"), None)
    dtype = {name_column: str} if name_column is not None else None
    first_row = 1
    carry: list[bytes] = []
    with handle:
        for block in _blocks(handle, chunk_rows):
            if carry:  # a record that may run on from the block before: read it, line by
                # line, with as many lines as it may run over; the rest of the block as usual
                head_end = 0
                for _ in range(MAX_RECORD_LINES):
                    head_end = block.find(b"\n", head_end) + 1
                    if not head_end:
                        head_end = len(block)
                        break
                head = block[:head_end].split(b"\n")
                if block[:head_end].endswith(b"\n"):
                    head.pop()
                read = _read_lines(carry + head, line_number, width, final=True)
                line_number, carry, block = read.line_number, [], block[head_end:]
                if read.texts:
                    yield _slow_chunk(read, names, dtype, first_row)
                    first_row += len(read.texts)
                if not block:
                    continue
            lines_in_block = block.count(b"\n") + (not block.endswith(b"\n"))
            fast = _well_formed(block, width)
            if fast is not None:
                blob, endpoints = fast
                line_number += lines_in_block
                if not endpoints:
                    continue
                frame = _read_frame(blob, names, dtype, skip_blank_lines=True)
                if len(frame) != endpoints:  # every line was checked: this cannot happen
                    raise AssertionError(f"{endpoints} lines read as {len(frame)} rows")
                yield EndpointChunk(frame, {}, first_row)
                first_row += endpoints
                continue
            raw_lines = block.split(b"\n")
            if block.endswith(b"\n"):
                raw_lines.pop()  # what follows the last newline: no line
            read = _read_lines(raw_lines, line_number, width, final=False)
            line_number = read.line_number
            carry = read.carry
            if read.texts:
                yield _slow_chunk(read, names, dtype, first_row)
                first_row += len(read.texts)
        if carry:
            read = _read_lines(carry, line_number, width, final=True)
            if read.texts:
                yield _slow_chunk(read, names, dtype, first_row)


MAX_RECORD_LINES = 50
"""Lines a quoted field may run over: a line break inside a cell, as Excel writes it."""


@dataclass
class _Lines:
    """Lines read one by one: their text for pandas, refusals, and lines carried over."""

    texts: list[str]
    refusals: dict[int, str]
    line_number: int
    carry: list[bytes]


def _slow_chunk(
    read: _Lines, names: list[str], dtype: dict[str, type[str]] | None, first_row: int
) -> EndpointChunk:
    frame = _read_frame(
        ("\n".join(read.texts) + "\n").encode("utf-8"), names, dtype, skip_blank_lines=False
    )
    if len(frame) != len(read.texts):  # every line was checked: this cannot happen
        raise AssertionError(f"{len(read.texts)} lines read as {len(frame)} rows")
    return EndpointChunk(frame, read.refusals, first_row)


def _odd_quotes(text: str) -> bool:
    """A line with an odd number of quotes opens or closes a quoted field running over lines:
    a line standing alone holds its quotes in pairs."""
    return text.count('"') % 2 == 1


def _record_over_lines(texts: list[str | None], start: int, width: int) -> int | None:
    """Where the record whose quoted field opens on ``texts[start]`` ends, when the lines up
    to the next one with an odd number of quotes read as one record of ``width`` fields."""
    for end in range(start + 1, min(start + MAX_RECORD_LINES, len(texts))):
        text = texts[end]
        if text is None or not _odd_quotes(text):
            continue
        joined = "\n".join(line or "" for line in texts[start : end + 1])
        try:
            records = list(csv.reader(io.StringIO(joined, newline=""), strict=True))
        except csv.Error:
            return None
        return end if len(records) == 1 and len(records[0]) == width else None
    return None


def _read_lines(raw_lines: list[bytes], line_number: int, width: int, final: bool) -> _Lines:
    """Lines read one by one, each an endpoint or refused by itself with its number.

    A quoted field running over several lines (a line break inside a cell) is refused as one
    record, each of its lines with the record's line numbers: no line of it is ever read as
    an endpoint of its own. A record that may run on into the next block is carried over
    (unless ``final``).
    """
    blank = "," * (width - 1)
    texts: list[str | None] = []
    for raw in raw_lines:
        try:
            texts.append(raw.decode("utf-8").rstrip("\r\n"))
        except UnicodeDecodeError:
            texts.append(None)
    out: list[str] = []
    refusals: dict[int, str] = {}
    index = 0
    while index < len(texts):
        text = texts[index]
        if text is not None and _odd_quotes(text) and "\r" not in text:
            end = _record_over_lines(texts, index, width)
            if end is None and not final and len(texts) - index < MAX_RECORD_LINES:
                return _Lines(out, refusals, line_number, raw_lines[index:])
            if end is not None:
                first, last = line_number + 1, line_number + 1 + end - index
                for number in range(first, last + 1):
                    if not (texts[index + number - first] or "").strip():
                        continue  # a blank line is no endpoint, inside a record or not
                    refusals[len(out)] = (
                        f"lines {first}–{last} are one record: a quoted field runs over "
                        f"several lines (a line break inside a cell), so line {number} is "
                        "refused with it; take the line breaks out of the cell"
                    )
                    out.append(blank)
                line_number = last
                index = end + 1
                continue
        line_number += 1
        index += 1
        if text is None:
            refusals[len(out)] = f"line {line_number} is not UTF-8 text: save the file as CSV UTF-8"
            out.append(blank)
            continue
        if not text.strip():
            continue  # a blank line is no endpoint
        fields = None if "\r" in text or _odd_quotes(text) else _fields(text)
        if fields is None:
            refusals[len(out)] = (
                f"line {line_number} has a quote that does not close on the line: "
                "refused, and the lines after it read on their own"
            )
            out.append(blank)
        elif len(fields) != width:
            refusals[len(out)] = (
                f"line {line_number} has {len(fields)} fields where the header has "
                f"{width}: refused rather than guess which figure is which"
            )
            out.append(blank)
        else:
            out.append(text if '"' not in text else _canonical(fields))
    return _Lines(out, refusals, line_number, [])


_READ_BYTES = 1 << 24
"""Bytes read from the file at a time (16 MiB) while cutting it into blocks of lines."""


def _blocks(handle: BinaryIO, chunk_rows: int) -> Iterator[bytes]:
    """The rest of the file in blocks of ``chunk_rows`` lines (the last block perhaps fewer),
    cut at newlines as iterating the file would, without a Python object for each line."""
    pieces: list[bytes] = []
    count = 0  # newlines in pieces
    while True:
        data = handle.read(_READ_BYTES)
        if not data:
            if any(pieces):
                yield b"".join(pieces)
            return
        newlines = data.count(b"\n")
        if count + newlines < chunk_rows:
            pieces.append(data)
            count += newlines
            continue
        ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10) + 1
        last = chunk_rows - count - 1  # the newline that closes the block, in ends
        pieces.append(data[: ends[last]])
        yield b"".join(pieces)
        while last + chunk_rows < len(ends):
            yield data[ends[last] : ends[last + chunk_rows]]
            last += chunk_rows
        pieces = [data[ends[last] :]]
        count = len(ends) - last - 1


def _read_frame(
    blob: bytes, names: list[str], dtype: dict[str, type[str]] | None, *, skip_blank_lines: bool
) -> pd.DataFrame:
    """Lines already checked to hold one endpoint each (quote-free, or made canonical), read
    by pandas' C parser."""
    return pd.read_csv(
        io.BytesIO(blob),
        header=None,
        names=names,
        index_col=False,
        dtype=dtype,
        keep_default_na=False,
        na_values=[""],
        skip_blank_lines=skip_blank_lines,
        low_memory=False,
        encoding="utf-8",
    )


def _well_formed(raw_lines: list[bytes] | bytes, width: int) -> tuple[bytes, int] | None:
    """The chunk's bytes and its count of endpoint lines when every line can be handed to
    pandas as it stands, checked column-wise with numpy; else None (read line by line).

    A line can be handed over when the whole chunk is UTF-8 without a quote, a carriage return
    sits only at a line's end (CRLF files), and every line is either empty or holds exactly
    ``width - 1`` commas. Then no line can shift, merge or be skipped: each non-empty line is
    one row, and the empty ones are the blank lines the line-by-line reader skips too.
    """
    if width < 2:
        return None
    blob = raw_lines if isinstance(raw_lines, bytes) else b"".join(raw_lines)
    if b'"' in blob:
        return None
    try:
        blob.decode("utf-8")
    except UnicodeDecodeError:
        return None
    data = np.frombuffer(blob, dtype=np.uint8)
    # each line but perhaps the last ends with its newline
    ends = np.flatnonzero(data == 10) + 1
    if not len(ends) or ends[-1] != len(data):
        ends = np.append(ends, len(data))
    if not isinstance(raw_lines, bytes) and len(ends) != len(raw_lines):  # cannot happen
        raise AssertionError(f"{len(raw_lines)} lines found as {len(ends)}")
    starts = np.concatenate(([0], ends[:-1]))
    lengths = ends - starts
    returns = np.flatnonzero(data == 13)
    if len(returns):
        following = returns + 1
        if following[-1] >= len(data) or not (data[following] == 10).all():
            return None  # a carriage return inside a line: the line reader refuses it
    commas = np.flatnonzero(data == 44)
    commas_per_line = np.searchsorted(commas, ends) - np.searchsorted(commas, starts)
    newline = data[ends - 1] == 10
    carriage = newline & (lengths >= 2) & (data[np.maximum(ends - 2, 0)] == 13)
    content = lengths - newline - carriage
    empty = content <= 0
    if not (empty | (commas_per_line == width - 1)).all():
        return None
    return blob, int((~empty).sum())


def read_endpoint_parquet(
    path: str | Path, chunk_rows: int = 250_000, memory_limit: str = "2GB"
) -> tuple[list[str], Iterator[EndpointChunk]]:
    """Open a Parquet file of endpoints through DuckDB: its column names, and its rows in chunks.

    Parquet has no lines to break: each row is one endpoint, read in the file's order, within
    DuckDB's memory limit (spilling to a temporary folder).

    Parameters
    ----------
    path : str or Path
        A Parquet file, one row per endpoint, its columns named as in a case file.
    chunk_rows : int
        Rows read at a time (rounded to DuckDB's vectors of 2,048).
    memory_limit : str
        DuckDB's memory limit.

    Returns
    -------
    (list of str, iterator of EndpointChunk)
        The column names, then the chunks (without refusals: a row's own values are checked
        by the screen).

    Raises
    ------
    InputError
        When the file cannot be read as Parquet, or holds no rows.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "endpoints.parquet"
    >>> import duckdb
    >>> duckdb.sql("SELECT 'chat' AS name, 2e6 AS monthly_calls").write_parquet(str(path))
    >>> header, chunks = read_endpoint_parquet(path)
    >>> header, next(chunks).frame["name"].tolist()
    (['name', 'monthly_calls'], ['chat'])
    """
    import tempfile

    import duckdb

    temp = tempfile.TemporaryDirectory(prefix="xl-roi-duckdb-")
    connection = duckdb.connect(
        ":memory:",
        config={
            "memory_limit": memory_limit,
            "temp_directory": temp.name,
            "preserve_insertion_order": True,
        },
    )
    try:
        connection.execute("SET enable_progress_bar = false")
        result = connection.execute("SELECT * FROM read_parquet(?)", [str(path)])
        names = _header([str(column[0]) for column in result.description or []])
        rows = connection.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchall()
        result = connection.execute("SELECT * FROM read_parquet(?)", [str(path)])
    except duckdb.Error as error:
        connection.close()
        temp.cleanup()
        raise InputError(printable(str(error).splitlines()[0])) from None
    except BaseException:
        connection.close()
        temp.cleanup()
        raise
    if not rows[0][0]:
        connection.close()
        temp.cleanup()
        raise InputError("no endpoints in the file")

    def chunks() -> Iterator[EndpointChunk]:
        first_row = 1
        vectors = max(1, chunk_rows // 2048)
        try:
            while True:
                try:
                    frame = result.fetch_df_chunk(vectors)
                except duckdb.Error as error:
                    raise InputError(printable(str(error).splitlines()[0])) from None
                if not len(frame):
                    return
                frame.columns = pd.Index(names)
                yield EndpointChunk(frame, {}, first_row)
                first_row += len(frame)
        finally:
            connection.close()
            temp.cleanup()

    return names, chunks()
