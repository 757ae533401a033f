"""Tests of xl_roi._measure: definitions, the six log formats, bad rows, windows, prices.

The fixtures in tests/fixtures/logs/ were written by hand from each format's public schema; the
expected figures below are worked by hand from them (working beside each value).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xl_roi._measure import (
    DAYS_PER_MONTH,
    MEASURE_COLUMNS,
    LogFormatError,
    NothingToMeasureError,
    complete_months,
    compound_monthly_growth,
    measure,
    monthly_calls_from_counts,
)
from xl_roi.errors import InputError

LOGS = Path(__file__).parent / "fixtures" / "logs"
CANONICAL = LOGS / "canonical.csv"


def assert_same_figures(left, right):
    """Two tables with the same models and figures (float sums may differ in the last bit:
    DuckDB adds in parallel, in no fixed order)."""
    assert left["model"].tolist() == right["model"].tolist()
    assert left["cost_source"].tolist() == right["cost_source"].tolist()
    assert left[["first_seen", "last_seen"]].equals(right[["first_seen", "last_seen"]])
    text_or_time = ("model", "cost_source", "first_seen", "last_seen")
    numbers = [c for c in left.columns if c not in text_or_time]
    for column in numbers:
        for a, b in zip(left[column], right[column], strict=True):
            if isinstance(a, float) and math.isnan(a):
                assert isinstance(b, float) and math.isnan(b), column
            else:
                assert a == pytest.approx(b, rel=1e-12), column


def _row(table, model):
    rows = table[table["model"] == model]
    assert len(rows) == 1, table["model"].tolist()
    return rows.iloc[0]


class TestDefinitions:
    def test_complete_months_need_every_day(self):
        """A month counts only when the window holds its first and its last day."""
        months = complete_months(dt.date(2026, 1, 1), dt.date(2026, 3, 30))
        assert months == [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]  # March lacks the 31st

    def test_february_of_a_leap_year(self):
        """February 2028 is complete on the 29th, not the 28th."""
        assert complete_months(dt.date(2028, 2, 1), dt.date(2028, 2, 28)) == []
        assert complete_months(dt.date(2028, 2, 1), dt.date(2028, 2, 29)) == [dt.date(2028, 2, 1)]

    def test_growth_of_a_geometric_series(self):
        """4, 6, 9 calls grow by exactly half each month: g = 0.5."""
        assert compound_monthly_growth([4, 6, 9]) == pytest.approx(0.5, rel=1e-12)

    def test_growth_needs_two_months_and_no_empty_one(self):
        """No growth from one month, nor through a month without calls."""
        assert math.isnan(compound_monthly_growth([10]))
        assert math.isnan(compound_monthly_growth([10, 0, 10]))

    def test_growth_fitted_not_end_to_end(self):
        """100, 130, 121: least squares of ln(calls) on month, not (121/100)^(1/2) − 1.

        ln values 4.60517, 4.86753, 4.79579; slope = (ln121 − ln100)/2 = 0.0953102 (the middle
        month has weight 0 in a three-point slope), so g = e^0.0953102 − 1 = 0.1.
        """
        assert compound_monthly_growth([100, 130, 121]) == pytest.approx(0.1, rel=1e-12)

    @given(
        st.floats(min_value=-0.5, max_value=2.0),
        st.floats(min_value=1.0, max_value=1e9),
        st.integers(min_value=2, max_value=24),
    )
    def test_growth_recovers_any_compound_rate(self, rate, start, months):
        """Calls growing at a constant compound rate give back that rate."""
        series = [start * (1 + rate) ** k for k in range(months)]
        assert compound_monthly_growth(series) == pytest.approx(rate, rel=1e-9, abs=1e-9)

    def test_under_one_month_is_the_daily_rate(self):
        """10 calls from 1 to 5 March (5 days, no complete month): 10/5 × 30.4375 = 60.875."""
        calls, months, growth = monthly_calls_from_counts(
            {dt.date(2026, 3, 1): 10.0}, dt.date(2026, 3, 1), dt.date(2026, 3, 5)
        )
        assert (calls, months) == (60.875, [])
        assert math.isnan(growth)
        assert DAYS_PER_MONTH == 365.25 / 12

    def test_months_without_calls_count_as_zero(self):
        """Complete Jan–Mar with calls only in March (3): mean (0 + 0 + 3)/3 = 1."""
        calls, months, growth = monthly_calls_from_counts(
            {dt.date(2026, 3, 1): 3.0}, dt.date(2026, 1, 1), dt.date(2026, 3, 31)
        )
        assert calls == 1.0 and len(months) == 3 and math.isnan(growth)


@pytest.fixture(scope="module")
def canonical_table():
    return measure(CANONICAL)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.floats(min_value=0.0, max_value=1e6, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=60,
    )
)
def test_percentiles_equal_numpys(tmp_path, latencies):
    """Any latencies: P50, P95 and P99 equal numpy's percentile (linear interpolation)."""
    path = tmp_path / "lat.csv"
    path.write_text(
        "timestamp,model,input_tokens,output_tokens,cost,latency_ms\n"
        + "".join(f"2026-01-01T00:00:00Z,m,1,1,0.1,{value!r}\n" for value in latencies)
    )
    row = measure(path).iloc[0]
    for column, q in (("latency_p50_ms", 50), ("latency_p95_ms", 95), ("latency_p99_ms", 99)):
        expected = float(np.percentile(latencies, q))
        assert row[column] == pytest.approx(expected, rel=1e-12, abs=1e-9), column


class TestCanonical:
    @pytest.fixture
    def table(self, canonical_table):
        return canonical_table

    def test_columns_in_order(self, table):
        """The table has exactly the issue's columns, in its order."""
        assert tuple(table.columns) == MEASURE_COLUMNS

    def test_volume_and_growth(self, table):
        """gpt-4o: Jan 4, Feb 6, Mar 9 calls (complete), Apr 2 (1–10 April, incomplete):
        monthly = (4 + 6 + 9)/3 = 6.333…; growth 6/4 = 9/6 = 1.5 → 0.5."""
        row = _row(table, "gpt-4o")
        assert row["calls"] == 21
        assert row["monthly_calls"] == pytest.approx(19 / 3, rel=1e-12)
        assert row["monthly_growth"] == pytest.approx(0.5, rel=1e-12)
        assert table.attrs["source"]["complete_months"] == ["2026-01", "2026-02", "2026-03"]
        assert table.attrs["source"]["window"] == {
            "first_day": "2026-01-01",
            "last_day": "2026-04-10",
        }

    def test_tokens_and_cost(self, table):
        """Over the 20 successful calls (the one "error" is left out): 1000 in, 200 out, 420
        cached (2 × 210) = 21 a call; $0.0045 a call → 4.5 per 1k."""
        row = _row(table, "gpt-4o")
        assert row["input_tokens_per_call"] == 1000
        assert row["output_tokens_per_call"] == 200
        assert row["cached_input_tokens_per_call"] == pytest.approx(21.0)
        assert row["cost_per_1k"] == pytest.approx(4.5, rel=1e-12)
        assert row["cost_source"] == "logs"
        assert table.attrs["source"]["figures_over"] == "successful calls"

    def test_exact_percentiles_with_linear_interpolation(self, table):
        """Latencies 100, 200 … 2100 ms less the failed call's 500 (20 calls): P50 at rank
        9.5 → 1150; P95 at rank 18.05 → 2005; P99 at rank 18.81 → 2081 (numpy agrees)."""
        row = _row(table, "gpt-4o")
        latencies = np.array([ms for ms in np.arange(1, 22) * 100.0 if ms != 500])
        assert row["latency_p50_ms"] == pytest.approx(1150) == np.percentile(latencies, 50)
        assert row["latency_p95_ms"] == pytest.approx(2005) == np.percentile(latencies, 95)
        assert row["latency_p99_ms"] == pytest.approx(2081) == np.percentile(latencies, 99)
        assert "exact" in table.attrs["source"]["percentiles"]

    def test_failed_calls_figures_beside(self, table):
        """The failed call's own figures: 1 call, $0.0045 → 4.5 per 1k, 500 ms."""
        row = _row(table, "gpt-4o")
        assert row["failed_calls"] == 1
        assert row["failed_cost_per_1k"] == pytest.approx(4.5)
        assert row["failed_latency_p50_ms"] == row["failed_latency_p95_ms"] == 500

    def test_failed_calls_included_on_request(self):
        """With include_failed, every call: latencies 100 … 2100 ms (21 calls): P95 at rank
        19 → 2000, P50 at rank 10 → 1100; cached 420 / 21 = 20 a call."""
        table = measure(CANONICAL, include_failed=True)
        row = _row(table, "gpt-4o")
        latencies = np.arange(1, 22) * 100.0
        assert row["latency_p50_ms"] == 1100 == np.percentile(latencies, 50)
        assert row["latency_p95_ms"] == 2000 == np.percentile(latencies, 95)
        assert row["cached_input_tokens_per_call"] == pytest.approx(20.0)
        assert row["calls"] == 21 and row["failed_calls"] == 1
        assert table.attrs["source"]["figures_over"].startswith("all calls")

    def test_error_share(self, table):
        """One "error" status among 21 calls: 1/21."""
        assert _row(table, "gpt-4o")["error_share"] == pytest.approx(1 / 21)

    def test_student_with_empty_months(self, table):
        """The fine-tuned student: 3 calls in March only: monthly (0 + 0 + 3)/3 = 1, no growth,
        $0.0006 a call → 0.6 per 1k, and a warning saying why there is no growth."""
        row = _row(table, "ft:gpt-4o-mini:acme:tickets")
        assert row["monthly_calls"] == 1.0
        assert math.isnan(row["monthly_growth"])
        assert row["cost_per_1k"] == pytest.approx(0.6)
        assert any("without calls" in w for w in table.attrs["source"]["warnings"])

    def test_bad_rows_counted_by_reason(self, table):
        """The three bad rows are counted, each under its reason, and named in a warning."""
        source = table.attrs["source"]
        assert source["rows_refused"] == {
            "missing model": 1,
            "negative tokens": 1,
            "unparseable timestamp": 1,
        }
        assert source["rows_read"] == 27 and source["rows_used"] == 24
        assert any("3 of 27 rows refused" in w for w in source["warnings"])

    def test_refusals_respect_the_window(self):
        """With --since 2026-03-01 the two bad rows of February are outside the window, not
        refused; the row whose timestamp cannot be read cannot be placed, so it stays refused."""
        source = measure(CANONICAL, since="2026-03-01").attrs["source"]
        assert source["rows_refused"] == {"unparseable timestamp": 1}
        # outside: the 4 January rows and the 8 February rows, the two bad ones among them
        assert source["rows_outside_window"] == 12
        assert not any("missing model" in w for w in source["warnings"])

    def test_empty_file_says_so(self, tmp_path):
        """A file with nothing in it: "the file is empty", not a list of made-up columns."""
        (tmp_path / "empty.csv").write_text("")
        with pytest.raises(LogFormatError, match=r"empty\.csv: the file is empty"):
            measure(tmp_path / "empty.csv")

    def test_most_calls_first(self, table):
        """Models are listed by calls, most first."""
        assert table["model"].tolist() == ["gpt-4o", "ft:gpt-4o-mini:acme:tickets"]


def _parquet_copy(csv: Path, target: Path) -> Path:
    import duckdb

    connection = duckdb.connect()
    connection.execute(
        f"COPY (SELECT * FROM read_csv('{csv}', all_varchar = true)) TO '{target}' (FORMAT parquet)"
    )
    connection.close()
    return target


class TestFilesAndFormats:
    def test_parquet_gives_the_same_figures(self, tmp_path):
        """The canonical log as Parquet gives the same table as the CSV."""
        parquet = _parquet_copy(CANONICAL, tmp_path / "canonical.parquet")
        left, right = measure(CANONICAL), measure(parquet)
        assert_same_figures(left, right)

    def test_many_files_by_glob_and_gzip(self, tmp_path):
        """The log split in two files, one gzipped, read by a glob, gives the same figures."""
        lines = CANONICAL.read_text().splitlines(keepends=True)
        (tmp_path / "a.csv").write_text("".join(lines[:12]))
        with gzip.open(tmp_path / "b.csv.gz", "wt") as stream:
            stream.write("".join([lines[0], *lines[12:]]))
        together = measure(CANONICAL)
        split = measure(str(tmp_path / "*.csv*"))
        assert_same_figures(together, split)
        assert len(split.attrs["source"]["files"]) == 2

    @pytest.mark.parametrize(
        ("fixture", "fmt", "model", "expected"),
        [
            (
                # 4 calls, 1200 in, 300 out, $0.00036 each → 0.36 per 1k; latencies 0.5, 1.0,
                # 1.5, 2.0 s: P95 at rank 2.85 → 1500 + 0.85 × 500 = 1925 ms; 1 failure in 4;
                # 4–7 May = 4 days, no complete month: 4/4 × 30.4375
                "litellm_spend_logs.csv",
                "LiteLLM proxy spend logs",
                "gpt-4o-mini",
                dict(
                    calls=4,
                    cost_per_1k=0.36,
                    latency_p95_ms=1925.0,
                    error_share=0.25,
                    input_tokens_per_call=1200.0,
                    monthly_calls=30.4375,
                ),
            ),
            (
                # input 800 + 200 cache reads = 1000; cost 0.00126 → 1.26 per 1k; latency
                # 0.8, 1.2, 2.0 s: P95 at rank 1.9 → 1200 + 0.9 × 800 = 1920 ms; 1 ERROR in 3;
                # one day: 3 × 30.4375
                "langfuse_observations.jsonl",
                "Langfuse observation export",
                "claude-3-5-haiku-20241022",
                dict(
                    calls=3,
                    cost_per_1k=1.26,
                    latency_p95_ms=1920.0,
                    error_share=1 / 3,
                    input_tokens_per_call=1000.0,
                    cached_input_tokens_per_call=200.0,
                    monthly_calls=91.3125,
                ),
            ),
            (
                # gzipped; no cost: 500 in × $2.50 + 100 out × $10 per million (OpenAI list
                # price of gpt-4o) = $0.00225 a call → 2.25 per 1k; 400, 600, 900, 1100 ms:
                # P95 at rank 2.85 → 900 + 0.85 × 200 = 1070; one ERROR status in 4
                "otel_genai_spans.jsonl.gz",
                "OpenTelemetry GenAI spans",
                "gpt-4o-2024-08-06",
                dict(
                    calls=4,
                    cost_per_1k=2.25,
                    latency_p95_ms=1070.0,
                    error_share=0.25,
                    monthly_calls=4 * 30.4375,
                ),
            ),
            (
                # no cost: 1500 in × $0.25 + 250 out × $1.25 per million (Claude 3 Haiku on
                # Bedrock) = $0.0006875 → 0.6875 per 1k; 640, 720, 900 ms: P95 at rank 1.9 →
                # 720 + 0.9 × 180 = 882; no status field: no error share
                "bedrock_invocations.jsonl",
                "AWS Bedrock model invocation logs",
                "anthropic.claude-3-haiku-20240307-v1:0",
                dict(
                    calls=3, cost_per_1k=0.6875, latency_p95_ms=882.0, output_tokens_per_call=250.0
                ),
            ),
            (
                # buckets of 1000, 1200, 1400 requests = 3600 calls over 1–3 May: 3600/3 ×
                # 30.4375 = 36525; per call 600 uncached × $0.15 + 400 cached × $0.075 + 200 out
                # × $0.60 per million = $0.00024 → 0.24 per 1k; no latency at all
                "openai_usage_completions.csv",
                "OpenAI usage export (bucketed)",
                "gpt-4o-mini-2024-07-18",
                dict(
                    calls=3600,
                    cost_per_1k=0.24,
                    monthly_calls=36525.0,
                    cached_input_tokens_per_call=400.0,
                ),
            ),
        ],
    )
    def test_format_detected_and_measured(self, fixture, fmt, model, expected):
        """Each exported format is recognised from its columns and gives hand-worked figures
        (over every call, failed ones included, as worked above)."""
        table = measure(LOGS / fixture, include_failed=True)
        assert table.attrs["source"]["formats"] == [fmt]
        row = _row(table, model)
        for column, value in expected.items():
            assert row[column] == pytest.approx(value, rel=1e-12), column

    def test_latency_from_timestamps_keeps_fractions_of_a_millisecond(self, tmp_path):
        """Latency worked from start and end times keeps their microseconds (each time was cut
        to a whole millisecond first, moving the P95 by up to 1 ms)."""
        header = (LOGS / "litellm_spend_logs.csv").read_text().splitlines()[0]
        rows = [
            # 09:30:00.000000 → 09:30:00.100400: 100.4 ms
            "a,acompletion,k,0.001,3,2,1,2026-05-04 09:30:00.000000,2026-05-04 09:30:00.100400,"
            ",gpt-4o-mini,x,gpt-4o-mini,openai,,,{},False,,[],,,success",
            # 09:30:00.000600 → 09:30:00.200000: 199.4 ms (199.0 and 200 when cut)
            "b,acompletion,k,0.001,3,2,1,2026-05-04 09:30:00.000600,2026-05-04 09:30:00.200000,"
            ",gpt-4o-mini,x,gpt-4o-mini,openai,,,{},False,,[],,,success",
        ]
        log = tmp_path / "spend.csv"
        log.write_text("\n".join([header, *rows]) + "\n")
        row = _row(measure(log), "gpt-4o-mini")
        # two calls: P50 at rank 0.5 → 100.4 + 0.5 × 99 = 149.9; P95 at rank 0.95 →
        # 100.4 + 0.95 × 99 = 194.45
        assert row["latency_p50_ms"] == pytest.approx(149.9, rel=1e-9)
        assert row["latency_p95_ms"] == pytest.approx(194.45, rel=1e-9)

    def test_bucketed_export_never_invents_latency(self):
        """The OpenAI usage export has no per-request latency: NaN and the source says so."""
        table = measure(LOGS / "openai_usage_completions.csv")
        assert table[["latency_p50_ms", "latency_p95_ms", "latency_p99_ms"]].isna().all().all()
        assert "P95 not available from this source" in table.attrs["source"]["latency_note"]

    def test_priced_cost_names_the_table_and_date(self):
        """Tokens priced from the table say so: provider, model, table version and date."""
        row = _row(measure(LOGS / "otel_genai_spans.jsonl.gz"), "gpt-4o-2024-08-06")
        assert row["cost_source"].startswith("openai gpt-4o list prices from genai-prices ")
        assert "prices as of 20" in row["cost_source"]

    @pytest.mark.parametrize(
        "fixtures",
        [
            ("langfuse_observations.jsonl", "bedrock_invocations.jsonl"),
            ("canonical.csv", "litellm_spend_logs.csv", "openai_usage_completions.csv"),
        ],
    )
    def test_one_glob_over_files_of_different_formats(self, tmp_path, fixtures):
        """A glob over files of different formats with the same extension reads each file in
        its own format: every model's figures as when its file is measured alone, and no row
        refused that its own format reads."""
        for name in fixtures:
            shutil.copy(LOGS / name, tmp_path / name)
        suffix = Path(fixtures[0]).suffix
        together = measure(str(tmp_path / f"*{suffix}"))
        alone = [measure(LOGS / name) for name in fixtures]
        assert sorted(together.attrs["source"]["formats"]) == sorted(
            table.attrs["source"]["formats"][0] for table in alone
        )
        refused = sum(sum(t.attrs["source"]["rows_refused"].values()) for t in alone)
        assert sum(together.attrs["source"]["rows_refused"].values()) == refused
        for table in alone:
            for model in table["model"]:
                mine, theirs = _row(table, model), _row(together, model)
                for column in ("calls", "cost_per_1k", "latency_p95_ms", "error_share"):
                    assert mine[column] == pytest.approx(theirs[column], nan_ok=True), column

    def test_columns_mapping(self, tmp_path):
        """--columns maps other names onto the canonical ones."""
        text = CANONICAL.read_text().replace("timestamp,model", "created_at,engine", 1)
        (tmp_path / "theirs.csv").write_text(text)
        table = measure(
            tmp_path / "theirs.csv", columns={"timestamp": "created_at", "model": "engine"}
        )
        assert_same_figures(table, measure(CANONICAL))

    def test_columns_mapping_names_a_missing_column(self, tmp_path):
        """A mapping to a column the logs lack is refused, naming it."""
        with pytest.raises(InputError, match="no column 'when'"):
            measure(CANONICAL, columns={"timestamp": "when"})

    def test_unknown_columns(self, tmp_path):
        """Columns of no known format: an error that lists what is expected."""
        (tmp_path / "x.csv").write_text("a,b\n1,2\n")
        with pytest.raises(LogFormatError, match=r"match no known log format.*LiteLLM"):
            measure(tmp_path / "x.csv")

    def test_missing_file_and_empty_glob(self, tmp_path):
        """A missing file or a glob that matches nothing is named."""
        with pytest.raises(LogFormatError, match="no such file"):
            measure(tmp_path / "none.csv")
        with pytest.raises(LogFormatError, match="no file matches"):
            measure(str(tmp_path / "*.csv"))

    def test_unsupported_suffix(self, tmp_path):
        """A file that is not CSV, JSON Lines or Parquet is refused with the kinds accepted."""
        (tmp_path / "x.xlsx").write_bytes(b"PK")
        with pytest.raises(LogFormatError, match=r"csv, \.jsonl"):
            measure(tmp_path / "x.xlsx")


HEADER = "timestamp,model,input_tokens,output_tokens,cost,latency_ms"


def _steady_log(path: Path, extra: tuple[str, ...] = (), months: int = 4) -> Path:
    """28 calls a month, January to ``months`` of 2026 (one a day, days 1–28), then ``extra``."""
    rows = [
        f"2026-{month:02d}-{day:02d}T10:00:00Z,gpt-4o,1000,200,0.0045,{700 + day}"
        for month in range(1, months + 1)
        for day in range(1, 29)
    ]
    path.write_text("\n".join([HEADER, *rows, *extra]) + "\n")
    return path


class TestSparseWindows:
    @pytest.mark.parametrize(
        "stray", ["1970-01-01T00:00:00Z", "2025-06-30T23:00:00Z", "2031-01-01T00:00:00Z"]
    )
    def test_a_stray_row_does_not_stretch_the_months(self, tmp_path, stray):
        """One row months or years apart from 28 calls a month is left out, and said: the
        monthly calls stay 28 (not 0.126 over 675 "complete months")."""
        log = _steady_log(tmp_path / "calls.csv", (f"{stray},gpt-4o,1000,200,0.0045,800",))
        table = measure(log)
        source = table.attrs["source"]
        assert _row(table, "gpt-4o")["monthly_calls"] == 28
        assert source["complete_months"] == ["2026-01", "2026-02", "2026-03"]
        assert source["rows_outside_window"] == 1
        assert any("left out" in w and stray[:10] in w for w in source["warnings"])

    @settings(
        max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        strays=st.lists(
            st.one_of(
                st.datetimes(dt.datetime(1970, 1, 1), dt.datetime(2025, 9, 30, 23)),
                st.datetimes(dt.datetime(2026, 9, 1), dt.datetime(2199, 12, 31, 23)),
            ),
            min_size=1,
            max_size=5,
        )
    )
    def test_stray_rows_never_move_the_figures(self, tmp_path, strays):
        """Up to five rows anywhere at least three empty months before or after a log of 28
        calls a month (5 % of its calls at most) leave every figure as the log's alone."""
        alone = measure(_steady_log(tmp_path / "alone.csv"))
        extra = tuple(f"{stamp:%Y-%m-%dT%H:%M:%SZ},gpt-4o,1000,200,0.0045,800" for stamp in strays)
        table = measure(_steady_log(tmp_path / "strays.csv", extra))
        assert_same_figures(table, alone)
        assert table.attrs["source"]["rows_outside_window"] == len(strays)

    def test_separate_spans_of_many_calls_are_refused_with_the_fix(self, tmp_path):
        """Calls in 2024 and 2026, each a large share: an error naming both spans and
        --since, never a fit across the gap."""
        old = tuple(
            f"2024-03-{day:02d}T10:00:00Z,gpt-4o,1000,200,0.0045,800" for day in range(1, 29)
        )
        log = _steady_log(tmp_path / "calls.csv", old)
        with pytest.raises(InputError, match=r"separate spans.*2024-03-01.*--since 2026-01-01"):
            measure(log)
        table = measure(log, since="2026-01-01")
        assert _row(table, "gpt-4o")["monthly_calls"] == 28

    def test_a_window_the_user_chose_across_a_gap_is_kept_and_named(self, tmp_path):
        """--since before a stray row keeps the user's window, with a warning that the
        figures are fitted across months without calls."""
        log = _steady_log(
            tmp_path / "calls.csv", ("2025-01-15T10:00:00Z,gpt-4o,1000,200,0.0045,800",)
        )
        table = measure(log, since="2025-01-01")
        assert table.attrs["source"]["window"]["first_day"] == "2025-01-01"
        assert any("fitted across the gap" in w for w in table.attrs["source"]["warnings"])

    def test_one_quiet_month_is_not_a_gap(self, tmp_path):
        """A single month without calls inside the log keeps the whole window (it counts as
        0, with the warning about growth), as before."""
        rows = [
            f"2026-{month:02d}-{day:02d}T10:00:00Z,gpt-4o,1000,200,0.0045,800"
            for month in (1, 3, 4)
            for day in range(1, 29)
        ]
        (tmp_path / "calls.csv").write_text("\n".join([HEADER, *rows]) + "\n")
        table = measure(tmp_path / "calls.csv")
        assert table.attrs["source"]["complete_months"] == ["2026-01", "2026-02", "2026-03"]

    @pytest.mark.parametrize("stamp", ["9999-12-31T23:59:59Z", "1969-12-31T23:59:59Z"])
    def test_timestamps_out_of_range_are_refused(self, tmp_path, stamp):
        """A timestamp before 1970 or after 2199 refuses its row, and the rest is measured."""
        log = _steady_log(tmp_path / "calls.csv", (f"{stamp},gpt-4o,1000,200,0.0045,800",))
        table = measure(log)
        assert table.attrs["source"]["rows_refused"] == {"timestamp before 1970 or after 2199": 1}
        assert _row(table, "gpt-4o")["monthly_calls"] == 28

    def test_a_window_out_of_range_is_refused(self):
        """--until 9999-12-31 is an error naming the range, not an overflow."""
        with pytest.raises(InputError, match="from 1970 to 2199"):
            measure(CANONICAL, until="9999-12-31")


class TestRepeats:
    def test_repeated_request_ids_counted_once(self, tmp_path):
        """Every row logged twice under its request id measures as once, the repeats counted
        as refused with their reason."""
        rows = [
            f"2026-{month:02d}-{day:02d}T10:00:00Z,gpt-4o,1000,200,0.0045,800,req-{month}-{day}"
            for month in range(1, 4)
            for day in range(1, 31 if month != 2 else 29)
        ]
        once = tmp_path / "once.csv"
        twice = tmp_path / "twice.csv"
        once.write_text("\n".join([HEADER + ",request_id", *rows]) + "\n")
        twice.write_text("\n".join([HEADER + ",request_id", *rows, *rows]) + "\n")
        table = measure(twice)
        assert_same_figures(table, measure(once))
        assert table.attrs["source"]["rows_refused"] == {
            "repeated request id (counted once)": len(rows)
        }

    @pytest.mark.parametrize(
        ("fixture", "lines"),
        [("litellm_spend_logs.csv", 1), ("langfuse_observations.jsonl", 0)],
    )
    def test_each_format_with_ids_counts_a_request_once(self, tmp_path, fixture, lines):
        """A LiteLLM or Langfuse export holding its rows twice measures as once."""
        text = (LOGS / fixture).read_text()
        head, body = text.splitlines(keepends=True)[:lines], text.splitlines(keepends=True)[lines:]
        doubled = tmp_path / fixture
        doubled.write_text("".join(head + body + body))
        assert_same_figures(measure(doubled), measure(LOGS / fixture))

    def test_a_file_named_twice_is_read_once(self, tmp_path):
        """The same path twice, or a copy with the same bytes, is read once and said so."""
        copy = tmp_path / "copy.csv"
        shutil.copy(CANONICAL, copy)
        table = measure([CANONICAL, CANONICAL, copy])
        assert_same_figures(table, measure(CANONICAL))
        warnings = table.attrs["source"]["warnings"]
        assert any("given twice: read once" in w for w in warnings)
        assert any("same bytes" in w and "copy.csv" in w for w in warnings)
        assert table.attrs["source"]["files"] == [str(CANONICAL)]


class TestImpossibleNumbers:
    @pytest.mark.parametrize(
        ("latency", "reason"),
        [
            ("nan", "latency not finite (NaN or infinite)"),
            ("inf", "latency not finite (NaN or infinite)"),
            ("1e308", "latency over a day"),
            ("86400001", "latency over a day"),
        ],
    )
    def test_impossible_latencies_are_refused(self, tmp_path, latency, reason):
        """A tenth of the latencies NaN, infinite or longer than a day: those rows are
        refused with their reason and P95 comes from the rest."""
        rows = tuple(
            f"2026-02-{day:02d}T11:00:00Z,gpt-4o,1000,200,0.0045,{latency}" for day in range(1, 12)
        )
        log = _steady_log(tmp_path / "calls.csv", rows)
        table = measure(log)
        assert table.attrs["source"]["rows_refused"] == {reason: 11}
        assert _row(table, "gpt-4o")["latency_p99_ms"] <= 728

    def test_a_cost_that_is_not_finite_is_refused(self, tmp_path):
        """A NaN cost refuses its row instead of making every cost figure NaN."""
        log = _steady_log(tmp_path / "calls.csv", ("2026-02-03T11:00:00Z,gpt-4o,1000,200,nan,800",))
        table = measure(log)
        assert table.attrs["source"]["rows_refused"] == {"number not finite (NaN or infinite)": 1}
        assert _row(table, "gpt-4o")["cost_per_1k"] == pytest.approx(4.5)


class TestDamagedFiles:
    @pytest.mark.parametrize("where", ["middle", "end"])
    def test_a_truncated_json_line_is_refused_and_counted(self, tmp_path, where):
        """One JSON Lines line cut short is refused by itself; the others are measured."""
        lines = [
            json.dumps(
                {
                    "timestamp": f"2026-{m:02d}-{d:02d}T10:00:00Z",
                    "model": "gpt-4o",
                    "input_tokens": 1000,
                    "output_tokens": 200,
                    "cost": 0.0045,
                    "latency_ms": 800,
                }
            )
            for m in range(1, 5)
            for d in range(1, 29)
        ]
        cut = lines[50][:30]
        body = [*lines[:50], cut, *lines[51:]] if where == "middle" else [*lines, cut]
        log = tmp_path / "calls.jsonl"
        log.write_text("\n".join(body) + ("\n" if where == "middle" else ""))
        table = measure(log)
        assert table.attrs["source"]["rows_refused"] == {"unreadable JSON line": 1}
        assert _row(table, "gpt-4o")["calls"] == len(body) - 1

    def test_a_cut_line_and_a_line_without_a_model_keep_their_own_reasons(self, tmp_path):
        """A line that is not JSON and a JSON line without a model are two refusals, each
        under its own reason."""
        good = {
            "timestamp": "2026-01-02T10:00:00Z",
            "model": "gpt-4o",
            "input_tokens": 10,
            "output_tokens": 2,
            "cost": 0.001,
            "latency_ms": 80,
        }
        lines = [json.dumps(good)] * 3 + [json.dumps({**good, "model": None}), '{"times']
        (tmp_path / "calls.jsonl").write_text("\n".join(lines) + "\n")
        table = measure(tmp_path / "calls.jsonl")
        assert table.attrs["source"]["rows_refused"] == {
            "missing model": 1,
            "unreadable JSON line": 1,
        }
        assert table.attrs["source"]["rows_read"] == 5

    def test_a_late_value_of_the_wrong_kind_is_refused_not_made_blank(self, tmp_path):
        """With a line cut short, a latency written as text 30,000 lines in (past the lines
        read to choose the column types) refuses its row as an unreadable number; it is
        never read as a call without a latency."""
        lines = [
            json.dumps(
                {
                    "timestamp": f"2026-{1 + i % 4:02d}-{1 + i % 28:02d}T10:00:00Z",
                    "model": "gpt-4o",
                    "input_tokens": 1000,
                    "output_tokens": 200,
                    "cost": 0.0045,
                    "latency_ms": "fast" if i == 30_000 else 800,
                }
            )
            for i in range(30_001)
        ]
        log = tmp_path / "calls.jsonl"
        log.write_text("\n".join([*lines, lines[0][:30]]) + "\n")
        table = measure(log)
        source = table.attrs["source"]
        assert source["rows_refused"] == {"unreadable JSON line": 1, "unreadable number": 1}
        assert _row(table, "gpt-4o")["calls"] == 30_000
        assert source["latency_rows_by_model"] == {"gpt-4o": 30_000}

    @pytest.mark.parametrize("name", ["bomb.csv.gz", "bomb.jsonl.gz"])
    def test_a_gzip_bomb_is_refused_whatever_its_format(self, tmp_path, name):
        """Megabytes of newlines packed a thousand times over are refused as a bomb, in well
        under a second, for CSV as for JSON Lines."""
        import time

        log = tmp_path / name
        with gzip.open(log, "wb", compresslevel=9) as stream:
            stream.write(b"timestamp,model\n" if name.endswith("csv.gz") else b"")
            for _ in range(64):
                stream.write(b"\n" * 1_000_000)
        started = time.perf_counter()
        with pytest.raises(LogFormatError, match="decompression bomb"):
            measure(log)
        assert time.perf_counter() - started < 1.0


class TestWindowAndRefusals:
    def test_since_until_keep_the_window(self):
        """--since 2026-02-01 --until 2026-03-31: Feb 6 and Mar 9 calls, monthly 7.5, growth 0.5;
        the 6 rows outside (Jan 4, Apr 2) are counted as outside, not refused."""
        table = measure(CANONICAL, since="2026-02-01", until="2026-03-31")
        row = _row(table, "gpt-4o")
        assert row["calls"] == 15 and row["monthly_calls"] == 7.5
        assert row["monthly_growth"] == pytest.approx(0.5)
        assert table.attrs["source"]["rows_outside_window"] == 6

    def test_until_before_since(self):
        """A window that ends before it starts is refused."""
        with pytest.raises(InputError, match="before since"):
            measure(CANONICAL, since="2026-03-01", until="2026-02-01")

    def test_bad_date(self):
        """A --since that is not a date is refused, naming it."""
        with pytest.raises(InputError, match="since must be a date"):
            measure(CANONICAL, since="last week")

    def test_nothing_left_is_fatal_with_reasons(self, tmp_path):
        """When every row is bad, the error counts them by reason."""
        (tmp_path / "bad.csv").write_text(
            "timestamp,model,input_tokens,output_tokens,cost,latency_ms\n"
            "soon,gpt-4o,1,1,0.1,5\n"
            "2026-01-01,,1,1,0.1,5\n"
            "2026-01-01,gpt-4o,1,1,-0.1,5\n"
        )
        with pytest.raises(
            NothingToMeasureError, match=r"1 missing model, 1 negative cost, 1 unparseable"
        ):
            measure(tmp_path / "bad.csv")

    def test_unreadable_numbers_are_refused_not_zero(self, tmp_path):
        """A token count that is not a number refuses its row ("unreadable number")."""
        (tmp_path / "t.csv").write_text(
            "timestamp,model,input_tokens,output_tokens,cost,latency_ms\n"
            "2026-01-01,gpt-4o,lots,1,0.1,5\n"
            "2026-01-02,gpt-4o,10,1,0.1,5\n"
        )
        table = measure(tmp_path / "t.csv")
        assert table.attrs["source"]["rows_refused"] == {"unreadable number": 1}
        assert _row(table, "gpt-4o")["input_tokens_per_call"] == 10

    def test_bad_values_after_the_first_rows_of_a_csv(self, tmp_path):
        """A bad timestamp and a bad number 30,000 rows into a CSV (past the rows DuckDB
        looks at to choose column types) are counted as refused, not fatal, not lost."""
        good = "".join(
            f"2026-01-{1 + i % 28:02d}T10:00:00Z,gpt-4o,1000,200,0.0045,{100 + i % 7}\n"
            for i in range(30_000)
        )
        (tmp_path / "late.csv").write_text(
            "timestamp,model,input_tokens,output_tokens,cost,latency_ms\n"
            + good
            + "soon,gpt-4o,1000,200,0.0045,100\n"
            + "2026-01-05T10:00:00Z,gpt-4o,lots,200,0.0045,100\n"
        )
        table = measure(tmp_path / "late.csv")
        assert table.attrs["source"]["rows_refused"] == {
            "unparseable timestamp": 1,
            "unreadable number": 1,
        }
        assert _row(table, "gpt-4o")["calls"] == 30_000

    def test_unknown_model_without_cost_is_no_cost_recorded_not_zero(self, tmp_path):
        """Tokens but no cost, for a model the table does not know: no cost per 1k (never 0),
        the source and a warning say "no cost recorded"; with prices given, it is costed."""
        (tmp_path / "t.csv").write_text(
            "timestamp,model,input_tokens,output_tokens,latency_ms\n"
            "2026-01-01,acme-llm-7b,1000,100,5\n"
        )
        unpriced = measure(tmp_path / "t.csv")
        assert math.isnan(_row(unpriced, "acme-llm-7b")["cost_per_1k"])
        assert _row(unpriced, "acme-llm-7b")["cost_source"].startswith(
            "no cost recorded (self-hosted?): 1 call with tokens records no cost"
        )
        assert any(
            "acme-llm-7b: no cost recorded" in w for w in unpriced.attrs["source"]["warnings"]
        )
        # 1000 × $2 + 100 × $4 per million = $0.0024 a call → 2.4 per 1k
        table = measure(tmp_path / "t.csv", prices={"acme-llm-7b": (2.0, 4.0)})
        assert _row(table, "acme-llm-7b")["cost_per_1k"] == pytest.approx(2.4)
        assert _row(table, "acme-llm-7b")["cost_source"] == "prices given per million tokens"

    def test_old_prices_warn(self):
        """Prices from a table more than 180 days old get a warning; fresh ones do not."""
        from xl_roi.prices import price_table

        table_date = price_table().date
        stale = measure(
            LOGS / "otel_genai_spans.jsonl.gz", today=table_date + dt.timedelta(days=181)
        )
        fresh = measure(
            LOGS / "otel_genai_spans.jsonl.gz", today=table_date + dt.timedelta(days=180)
        )
        assert any("181 days old" in w for w in stale.attrs["source"]["warnings"])
        assert not any("days old" in w for w in fresh.attrs["source"]["warnings"])

    def test_approx_states_its_bound(self):
        """--approx uses the engine's approximate percentile and says so."""
        table = measure(CANONICAL, approx=True)
        assert "approximate" in table.attrs["source"]["percentiles"]
        assert 1900 <= _row(table, "gpt-4o")["latency_p95_ms"] <= 2100

    def test_models_filter(self):
        """models= reports only the models asked for, and names a missing one."""
        assert measure(CANONICAL, models=["gpt-4o"])["model"].tolist() == ["gpt-4o"]
        with pytest.raises(InputError, match="no usable calls of 'gpt-5'"):
            measure(CANONICAL, models=["gpt-5"])

    def test_fixture_copy_is_independent(self, tmp_path):
        """A copied fixture under another name measures the same (names do not matter)."""
        copy = tmp_path / "renamed.jsonl"
        shutil.copy(LOGS / "langfuse_observations.jsonl", copy)
        assert_same_figures(measure(copy), measure(LOGS / "langfuse_observations.jsonl"))


@pytest.mark.parametrize("blank", ["", " ", "\t", "\u3000", " \u00a0 "])
def test_a_model_name_of_spaces_alone_is_a_missing_model(tmp_path, blank):
    """A model named by white space alone (a tab, an ideographic or a no-break space) is a
    missing model, refused and counted, as an empty name is; a name starting with a printable
    character is never trimmed away."""
    path = tmp_path / "logs.csv"
    rows = [
        "timestamp,model,input_tokens,output_tokens,cached_input_tokens,cost,latency_ms,status",
        "2026-01-01T02:05:00Z,gpt-4o,1000,200,0,0.0045,100,success",
        "2026-01-02T02:05:00Z,~x ,1000,200,0,0.0045,100,success",
        f'2026-01-03T02:05:00Z,"{blank}",1000,200,0,0.0045,100,success',
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    table = measure(path)
    assert table.attrs["source"]["rows_refused"] == {"missing model": 1}
    assert sorted(table["model"]) == ["gpt-4o", "~x "]  # names are kept as written
