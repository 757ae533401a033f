"""Tests of xl_roi.endpoint_file: every line of an endpoints CSV is one endpoint, screened or
refused by itself, never shifted into or swallowed by another."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xl_roi.cli import _read_endpoints

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
