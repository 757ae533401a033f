"""Reading a CSV of endpoints line by line, so that one bad line can never move another.

pandas reads a CSV fast, but it guesses: a trailing comma on the first data row makes it take
the first column as an index and shift every column; an unclosed quote makes it read on into
the following rows and merge them into one name. Either way the screen would print figures
from the wrong columns with no error. Here each line of the file is one endpoint: a line whose
fields do not match the header (or whose quotes do not close on it) is refused by itself, with
its line number, and every other line is read as it stands. So the rows in (the non-blank
lines after the header) always equal the rows screened plus the rows refused.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from xl_roi.errors import InputError
from xl_roi.text import printable

__all__ = ["EndpointChunk", "read_endpoint_csv"]


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
    blank = "," * (width - 1)
    name_column = next((name for name in names if name.strip().lower() == "name"), None)
    dtype = {name_column: str} if name_column is not None else None
    first_row = 1
    with handle:
        while True:
            raw_lines = list(itertools.islice(handle, chunk_rows))
            if not raw_lines:
                return
            texts: list[str] = []
            refusals: dict[int, str] = {}
            for raw in raw_lines:
                line_number += 1
                try:
                    text = _decode(raw, line_number)
                except UnicodeDecodeError:
                    refusals[len(texts)] = (
                        f"line {line_number} is not UTF-8 text: save the file as CSV UTF-8"
                    )
                    texts.append(blank)
                    continue
                if not text.strip():
                    continue  # a blank line is no endpoint
                fields = None if "\r" in text else _fields(text)
                if fields is None:
                    refusals[len(texts)] = (
                        f"line {line_number} has a quote that does not close on the line: "
                        "refused, and the lines after it read on their own"
                    )
                    texts.append(blank)
                elif len(fields) != width:
                    refusals[len(texts)] = (
                        f"line {line_number} has {len(fields)} fields where the header has "
                        f"{width}: refused rather than guess which figure is which"
                    )
                    texts.append(blank)
                else:
                    texts.append(text if '"' not in text else _canonical(fields))
            if not texts:
                continue
            frame = pd.read_csv(
                io.StringIO("\n".join(texts) + "\n"),
                header=None,
                names=names,
                index_col=False,
                dtype=dtype,
                keep_default_na=False,
                na_values=[""],
                skip_blank_lines=False,
                low_memory=False,
            )
            if len(frame) != len(texts):  # every line was checked: this cannot happen
                raise AssertionError(f"{len(texts)} lines read as {len(frame)} rows")
            yield EndpointChunk(frame, refusals, first_row)
            first_row += len(texts)
