"""Tests of xl_roi.endpoint_file: every line of an endpoints CSV is one endpoint, screened or
refused by itself, never shifted into or swallowed by another."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_portfolio import endpoint
from xl_roi.cli import _read_endpoints
from xl_roi.portfolio import screen

HEADER = (
    "name,monthly_calls,teacher_cost_per_1k,student_cost_per_1k,upfront_cost,annual_maintenance"
)
# chat: (12 − 1.5) × 2,000,000 / 1,000 = 21,000 a month; payback 52,500 / 21,000 = 2.5 months
CHAT = "chat,2000000,12,1.5,52500,40000"
# tagger: (12 − 1.5) × 1,000 / 1,000 = 10.5 a month; payback 52,500 / 10.5 = 5,000 months
TAGGER = "tagger,1000,12,1.5,52500,40000"
# search: (12 − 1.5) × 3,000,000 / 1,000 = 31,500 a month; payback 52,500 / 31,500 = 5/3
SEARCH = "search,3000000,12,1.5,52500,40000"


def screen_text(tmp_path: Path, text: str | bytes) -> pd.DataFrame:
    """The ranked table `xl-roi screen` builds from a CSV with this content."""
    path = tmp_path / "endpoints.csv"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return _read_endpoints(path)[0].set_index("name")


def test_trailing_comma_on_first_row_refuses_that_row_only(tmp_path):
    """A trailing comma on the first data row refuses that row; no column shifts."""
    table = screen_text(tmp_path, f"{HEADER}\n{CHAT},\n{TAGGER}\n{SEARCH}\n")
    assert len(table) == 3
    assert table.loc["endpoint 1", "error"] == (
        "line 2 has 7 fields where the header has 6: refused rather than guess which figure "
        "is which"
    )
    assert table.loc["tagger", "monthly_calls"] == 1_000.0
    assert table.loc["tagger", "payback_months"] == 5_000.0
    assert table.loc["search", "payback_months"] == pytest.approx(5 / 3, rel=1e-15)


def test_unclosed_quote_swallows_nothing(tmp_path):
    """An unclosed quote refuses its own line; the lines after it are read on their own."""
    table = screen_text(tmp_path, f'{HEADER}\n"{CHAT}\n{TAGGER}\n{SEARCH}\n{CHAT}\n')
    assert len(table) == 4
    assert "line 2 has a quote that does not close" in table.loc["endpoint 1", "error"]
    assert table.loc["chat", "payback_months"] == 2.5
    assert table.loc["search", "verdict"] == "strong"


@pytest.mark.parametrize("chunk_rows", [250_000, 1, 2, 3])
def test_a_quoted_field_over_two_lines_is_refused_whole(tmp_path, chunk_rows):
    """A line break inside a quoted name makes one record of two lines: both are refused
    with the record's line numbers, never screened as an endpoint named 'line"'; the
    endpoints around it are screened, whatever the chunks."""
    path = tmp_path / "endpoints.csv"
    path.write_text(
        f'{HEADER}\n{TAGGER}\n"chat, first\nline",2000000,12,1.5,52500,40000\n{SEARCH}\n',
        encoding="utf-8",
    )
    from xl_roi.endpoint_file import read_endpoint_csv
    from xl_roi.portfolio import screen_chunks

    chunks = read_endpoint_csv(path, chunk_rows=chunk_rows)[1]
    table = screen_chunks((c.frame, c.first_row, c.refusals) for c in chunks)
    assert 'line"' not in set(table["name"].dropna())
    assert set(table.loc[table["verdict"].notna(), "name"]) == {"tagger", "search"}
    errors = table["error"].dropna().tolist()
    assert len(errors) == 2 and all(e.startswith("lines 3–4 are one record") for e in errors)
    assert "line 3 is refused" in errors[0] and "line 4 is refused" in errors[1]


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.text('ab\n," ', min_size=1, max_size=8), st.integers(0, 10**6)),
        min_size=1,
        max_size=8,
    )
)
def test_no_piece_of_a_multiline_record_is_screened(tmp_path, rows):
    """Names written by a CSV writer (quotes doubled, line breaks kept inside quotes): a
    name without a line break is screened as itself, and every line of a name with one is
    refused, so no fragment of a record is ever an endpoint."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER.split(","))
    for name, calls in rows:
        writer.writerow([name, calls, 12, 1.5, 52500, 40000])
    path = tmp_path / "endpoints.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    table, _ = _read_endpoints(path)
    screened = set(table.loc[table["verdict"].notna(), "name"])
    whole = {name for name, _ in rows if "\n" not in name and name.strip()}
    assert screened <= {name for name, _ in rows}
    assert {name.strip() for name in whole} <= {str(name).strip() for name in screened}


def test_short_row_and_bad_bytes_refused_by_line(tmp_path):
    """Too few fields, or bytes that are not UTF-8, refuse that line with its number."""
    text = f"{HEADER}\n{TAGGER}\nshort,1\n".encode() + b"caf\xe9,1,2,3,4,5\n" + SEARCH.encode()
    table = screen_text(tmp_path, text)
    assert len(table) == 4
    assert table.loc["endpoint 2", "error"].startswith("line 3 has 2 fields")
    assert table.loc["endpoint 3", "error"] == (
        "line 4 is not UTF-8 text: save the file as CSV UTF-8"
    )
    assert table.loc["search", "monthly_calls"] == 3_000_000.0


def test_quoted_commas_blank_lines_and_bom(tmp_path):
    """A quoted name may hold commas; blank lines are no endpoints; a BOM is allowed."""
    table = screen_text(
        tmp_path, f'\ufeff{HEADER}\n\n"chat, the big one",2000000,12,1.5,52500,0\n\n'
    )
    assert list(table.index) == ["chat, the big one"]
    assert table.iloc[0]["payback_months"] == 2.5


def test_names_stay_text(tmp_path):
    """A name of digits or "NA" is a name, not a number or a blank."""
    table = screen_text(tmp_path, f"{HEADER}\n007,2000000,12,1.5,52500,0\nNA,1000,12,1.5,0,0\n")
    assert sorted(table.index) == ["007", "NA"]


# Lines of an endpoints file: well formed, or broken in the ways real files break.
good_line = st.builds(
    lambda name, calls, upfront: f"{name},{calls},12,1.5,{upfront},40000",
    st.text("abcxyz -", min_size=1, max_size=6).filter(lambda n: n.strip() != ""),
    st.integers(0, 10**8),
    st.integers(0, 10**6),
)
broken_line = st.one_of(
    good_line.map(lambda line: line + ","),
    good_line.map(lambda line: '"' + line),
    good_line.map(lambda line: line.rsplit(",", 1)[0]),
    good_line.map(lambda line: line.replace(",", '","', 1)),
    good_line.map(lambda line: line.replace(",", "\r", 1)),
    st.text(',"\r abc1.\x00', max_size=12),
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(good_line, broken_line), min_size=1, max_size=12))
def test_rows_in_equal_rows_out_plus_rows_refused(tmp_path, lines):
    """For any CSV, every non-blank line after the header is one row of the result, screened
    or refused with a reason; and a well-formed line is screened as it would be alone."""
    text = HEADER + "\n" + "\n".join(lines) + "\n"
    path = tmp_path / "endpoints.csv"
    path.write_bytes(text.encode("utf-8"))
    table, _ = _read_endpoints(path)
    rows_in = sum(1 for line in text.encode().split(b"\n")[1:] if line.strip())
    refused = int(table["error"].notna().sum())
    screened = int(table["verdict"].notna().sum())
    assert len(table) == rows_in == screened + refused
    for line in set(lines) & set(good_line_examples(lines)):
        alone = tmp_path / "alone.csv"
        alone.write_text(f"{HEADER}\n{line}\n", encoding="utf-8")
        expected = _read_endpoints(alone)[0].iloc[0]
        got = table[table["name"] == expected["name"]]
        assert len(got) >= 1
        assert (got["payback_months"] == expected["payback_months"]).any()


def good_line_examples(lines):
    """The lines that are well formed: six fields, no quotes or carriage returns."""
    return [line for line in lines if line.count(",") == 5 and '"' not in line and "\r" not in line]


# The fast path: a chunk whose every line is well formed goes to pandas' C parser whole.


def read_both_ways(tmp_path: Path, text: bytes, chunk_rows: int) -> tuple[list, list, int]:
    """The chunks read with the fast path allowed and with every line read alone, and how many
    chunks took the fast path."""
    import xl_roi.endpoint_file as endpoint_file

    path = tmp_path / "endpoints.csv"
    path.write_bytes(text)
    fast_chunks = 0
    well_formed = endpoint_file._well_formed

    def counting(raw_lines, width):
        nonlocal fast_chunks
        result = well_formed(raw_lines, width)
        fast_chunks += result is not None
        return result

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(endpoint_file, "_well_formed", counting)
        fast = list(endpoint_file.read_endpoint_csv(path, chunk_rows)[1])
        patch.setattr(endpoint_file, "_well_formed", lambda raw_lines, width: None)
        alone = list(endpoint_file.read_endpoint_csv(path, chunk_rows)[1])
    return fast, alone, fast_chunks


def joined(chunks) -> tuple[pd.DataFrame, dict[int, str]]:
    """The chunks' frames as one, and their refusals by row of that frame."""
    refusals: dict[int, str] = {}
    for chunk in chunks:
        refusals |= {chunk.first_row - 1 + row: reason for row, reason in chunk.refusals.items()}
    frames = [chunk.frame for chunk in chunks]
    return (pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()), refusals


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.one_of(good_line, good_line, broken_line, st.just("")), min_size=1, max_size=16),
    st.sampled_from([1, 2, 3, 5, 250_000]),
    st.booleans(),
)
def test_fast_path_reads_as_line_by_line(tmp_path, lines, chunk_rows, crlf):
    """For any CSV (LF or CRLF, any chunk size), the chunks read whole by pandas give exactly
    the rows and refusals of reading every line alone: rows in = rows read + rows refused."""
    newline = "\r\n" if crlf else "\n"
    text = (HEADER + newline + newline.join(lines) + newline).encode("utf-8")
    fast, alone, _ = read_both_ways(tmp_path, text, chunk_rows)
    fast_frame, fast_refusals = joined(fast)
    alone_frame, alone_refusals = joined(alone)
    pd.testing.assert_frame_equal(fast_frame, alone_frame)
    assert fast_refusals == alone_refusals
    rows_in = sum(1 for line in text.split(b"\n")[1:] if line.strip())
    assert len(fast_frame) == rows_in


def test_fast_path_taken_around_a_malformed_line(tmp_path, monkeypatch):
    """Well-formed chunks take the fast path; the chunk with a trailing comma or an unclosed
    quote is read line by line, and only that line is refused."""
    import xl_roi.endpoint_file as endpoint_file

    # a quote left open within this many lines of a chunk's end is read on into the next
    # chunk (it may close there): here two, so that the chunk of lines 14-15 stays apart
    monkeypatch.setattr(endpoint_file, "MAX_RECORD_LINES", 2)
    lines = [TAGGER] * 6 + [f"{CHAT},"] + [TAGGER] * 2 + [f'"{SEARCH}'] + [TAGGER] * 4
    text = (HEADER + "\n" + "\n".join(lines) + "\n").encode()
    fast, _, fast_chunks = read_both_ways(tmp_path, text, chunk_rows=3)
    # 14 lines in chunks of 3: lines 2-4, 5-7, 8-10 (the comma on line 8), 11-13 (the
    # quote on line 11), 14-15 → three chunks well formed
    assert fast_chunks == 3
    frame, refusals = joined(fast)
    assert len(frame) == 14
    assert sorted(refusals) == [6, 9]
    assert refusals[6].startswith("line 8 has 7 fields")
    assert refusals[9].startswith("line 11 has a quote that does not close")
    assert frame["monthly_calls"].drop(index=[6, 9]).eq(1_000).all()


def test_well_formed_refuses_what_the_line_reader_must_see():
    """A chunk is handed over whole only when no line could shift, merge or be skipped."""
    from xl_roi.endpoint_file import _well_formed

    good = [b"a,1,2\n", b"\n", b"b,3,4\r\n", b"c,5,6\n"]
    assert _well_formed(good, 3) == (b"".join(good), 3)
    assert _well_formed([*good, b"d,7,8"], 3) == (b"".join(good) + b"d,7,8", 4)  # no last \n
    for bad in (
        [b"a,1,2,\n"],  # a trailing comma
        [b"a,1\n"],  # a field short
        [b'"a,1,2\n'],  # a quote
        [b"a,1\r,2\n"],  # a carriage return inside the line
        [b"a,1,2\r"],  # a carriage return at the end without a newline
        [b"caf\xe9,1,2\n"],  # not UTF-8
        [b"   \n"],  # blank but for spaces: the line reader skips it, pandas would not
    ):
        assert _well_formed(good + bad, 3) is None, bad


def test_parquet_read_through_duckdb(tmp_path):
    """A Parquet file of endpoints is screened as the same rows given as CSV."""
    import duckdb

    csv_path = tmp_path / "endpoints.csv"
    csv_path.write_text(f"{HEADER}\n{TAGGER}\n{CHAT}\n,5,12,1.5,0,0\n", encoding="utf-8")
    parquet_path = tmp_path / "endpoints.parquet"
    duckdb.sql(
        f"COPY (SELECT * FROM read_csv('{csv_path}', all_varchar = true)) "
        f"TO '{parquet_path}' (FORMAT parquet)"
    )
    from_parquet = _read_endpoints(parquet_path)[0]
    from_csv = _read_endpoints(csv_path)[0]
    pd.testing.assert_frame_equal(from_parquet, from_csv)
    # chat: payback 52,500 / 21,000 = 2.5 months; the unnamed third row is endpoint 3
    assert from_parquet["name"].tolist() == ["chat", "endpoint 3", "tagger"]
    assert from_parquet["payback_months"].iloc[0] == 2.5


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(endpoint(), min_size=1, max_size=12), st.sampled_from(["csv", "parquet"]))
def test_file_screens_to_the_bit_as_the_frame(tmp_path, rows, kind):
    """Endpoints written to CSV (read whole by pandas) or Parquet (read by DuckDB) screen to
    exactly the table `screen` gives the same rows in memory, every figure to the bit."""
    import duckdb

    frame = pd.DataFrame(rows)
    frame.insert(0, "name", [f"e{i}" for i in range(len(rows))])
    path = tmp_path / f"endpoints.{kind}"
    if kind == "csv":
        frame.to_csv(path, index=False)  # shortest repr: each double reads back exactly
    else:
        connection = duckdb.connect()
        connection.register("frame", frame)
        connection.execute(f"COPY frame TO '{path}' (FORMAT parquet)")
        connection.close()
    got = _read_endpoints(path)[0]
    expected = screen(frame)
    assert list(got.columns) == list(expected.columns)
    for column in expected.columns:
        if expected[column].dtype.kind == "f":
            assert np.array_equal(
                got[column].to_numpy().view(np.int64), expected[column].to_numpy().view(np.int64)
            ), column
        else:  # verdicts come categorical from a file (missing as NaN), as text in memory
            assert _missing_as_none(got[column]) == _missing_as_none(expected[column]), column


def _missing_as_none(column: pd.Series) -> list:
    return [None if pd.isna(value) else value for value in column.tolist()]


@settings(max_examples=150)
@given(
    st.lists(st.sampled_from([b"a,1", b"", b"\r", b"bb,22,333", b"\xff"]), max_size=30),
    st.booleans(),
    st.integers(min_value=1, max_value=7),
    st.integers(min_value=1, max_value=12),
)
def test_blocks_cut_the_file_as_its_lines_would(lines, last_newline, chunk_rows, read_bytes):
    """Blocks read a few bytes at a time are the file's lines (as iterating it gives them) in
    groups of chunk_rows, the last group perhaps shorter: no line split, lost or repeated."""
    import io

    import xl_roi.endpoint_file as endpoint_file

    text = b"\n".join(lines) + (b"\n" if last_newline and lines else b"")
    expected_lines = list(io.BytesIO(text))
    expected = [
        b"".join(expected_lines[start : start + chunk_rows])
        for start in range(0, len(expected_lines), chunk_rows)
    ]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(endpoint_file, "_READ_BYTES", read_bytes)
        got = list(endpoint_file._blocks(io.BytesIO(text), chunk_rows))
    assert got == expected


def test_csv_read_in_small_pieces_is_the_same_table(tmp_path, monkeypatch):
    """A CSV read a few bytes at a time, malformed lines among the good, gives the table and
    refusals (with their line numbers) of reading it whole."""
    import xl_roi.endpoint_file as endpoint_file

    lines = [TAGGER, f"{CHAT},", "", SEARCH, f'"{TAGGER}', CHAT] * 3
    path = tmp_path / "endpoints.csv"
    path.write_text(HEADER + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    whole = _read_endpoints(path)[0]
    monkeypatch.setattr(endpoint_file, "_READ_BYTES", 5)
    pieces = _read_endpoints(path)[0]
    pd.testing.assert_frame_equal(whole, pieces)
    # 18 lines after the header (line 1): the trailing comma on lines 3, 9, 15 and the
    # unclosed quote on lines 6, 12, 18 are refused; the 3 blank lines are no endpoint
    assert len(pieces) == 15 and pieces["error"].notna().sum() == 6
    assert sorted(pieces["error"].dropna().str.extract(r"line (\d+)")[0].astype(int)) == [
        3,
        6,
        9,
        12,
        15,
        18,
    ]
