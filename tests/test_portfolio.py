"""Tests of xl_roi.portfolio: screening many endpoints, bit for bit as evaluate, bad rows apart."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.figures import same_figure
from xl_roi import Case, InputError, evaluate
from xl_roi.casefile import sample_endpoints_path
from xl_roi.portfolio import (
    RESULT_COLUMNS,
    VERDICTS,
    UnusedColumnsWarning,
    rank,
    rank_chunks,
    screen,
    screen_cells,
    screen_chunks,
    screen_unranked,
    summarise,
)

finite = dict(allow_nan=False, allow_infinity=False, allow_subnormal=False)
money = st.just(0.0) | st.floats(0.01, 1e7, **finite)


@st.composite
def endpoint(draw):
    """One valid endpoint row: the teacher priced directly or by tokens; the student directly,
    by tokens or self-hosted on GPUs."""
    row = {
        "monthly_calls": draw(st.just(0.0) | st.floats(1.0, 1e10, **finite)),
        "monthly_growth": draw(
            st.sampled_from([0.0, 0.02, -0.05]) | st.floats(-0.5, 0.5, allow_subnormal=False)
        ),
        "escalation_share": draw(st.sampled_from([0.0, 0.03])),
        "upfront_cost": draw(money),
        "annual_maintenance": draw(money),
        "target_payback_months": draw(st.sampled_from([3.0, 12.0])),
    }
    tokens = {
        "input_tokens_per_call": draw(st.floats(1, 1e4, **finite)),
        "output_tokens_per_call": draw(st.floats(1, 1e3, **finite)),
    }
    if draw(st.booleans()):
        row["teacher_cost_per_1k"] = draw(st.floats(0.01, 100, **finite))
    else:
        row |= tokens | {
            "teacher_input_price_per_million": draw(st.floats(0.1, 30, **finite)),
            "teacher_output_price_per_million": draw(st.floats(0.1, 60, **finite)),
        }
    student = draw(st.sampled_from(["direct", "tokens", "self-hosted"]))
    if student == "direct":
        row["student_cost_per_1k"] = draw(st.just(0.0) | st.floats(0.001, 100, **finite))
    elif student == "tokens":
        row |= tokens | {
            "student_input_price_per_million": draw(st.floats(0.0, 5, **finite)),
            "student_output_price_per_million": draw(st.floats(0.0, 10, **finite)),
        }
    else:
        row["monthly_calls"] = draw(st.floats(1.0, 1e10, **finite))
        row["gpu_hourly_cost"] = draw(st.just(0.0) | st.floats(0.1, 50, **finite))
        row["calls_per_second_per_gpu"] = draw(st.floats(0.01, 500, **finite))
        if draw(st.booleans()):
            row["target_utilization"] = draw(st.floats(0.05, 1.0, **finite))
        if draw(st.booleans()):
            row["peak_factor"] = draw(st.floats(1.0, 5.0, **finite))
    return row


def case_of(row: dict) -> Case:
    fields = {key: value for key, value in row.items() if not pd.isna(value) and key != "name"}
    return Case(**fields)


@given(st.lists(endpoint(), min_size=1, max_size=20))
def test_every_row_equals_evaluate_to_the_bit(rows):
    """Each screened figure is exactly what evaluate gives for that endpoint as a Case."""
    frame = pd.DataFrame(rows)
    frame["name"] = [f"e{i}" for i in range(len(rows))]
    table = screen(frame).set_index("name")
    for index, row in enumerate(rows):
        result = evaluate(case_of(row))
        got = table.loc[f"e{index}"]
        assert pd.isna(got.error)
        assert got.verdict == result.verdict
        for column, figure in (
            ("monthly_savings", result.monthly_savings),
            ("payback_months", result.payback_months),
            ("payback_after_maintenance_months", result.payback_after_maintenance_months),
            ("annual_net_benefit", result.annual_net_benefit),
            ("savings_share", result.savings_share),
            ("breakeven_monthly_calls", result.breakeven_monthly_calls),
            ("student_cost_per_1k", result.student_cost_per_1k),
            ("teacher_cost_per_1k", result.teacher_cost_per_1k),
            ("upfront_cost", result.upfront_cost),
        ):
            assert same_figure(column, got[column], figure), column


@given(st.lists(endpoint(), min_size=2, max_size=30))
def test_ranked_best_first(rows):
    """Verdicts never get better down the table; within a verdict, net benefit never rises."""
    table = screen(pd.DataFrame(rows))
    codes = [VERDICTS.index(v) for v in table.verdict]
    assert codes == sorted(codes)
    for label in set(table.verdict):
        net = table.loc[table.verdict == label, "annual_net_benefit"].tolist()
        assert net == sorted(net, reverse=True)
    assert list(table["rank"]) == list(range(1, len(rows) + 1))


GOOD = {
    "name": "ok",
    "monthly_calls": 2e6,
    "teacher_cost_per_1k": 12.0,
    "student_cost_per_1k": 1.5,
    "upfront_cost": 52_500.0,
    "annual_maintenance": 40_000.0,
}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"monthly_calls": None}, "monthly_calls is missing"),
        ({"monthly_calls": -5}, "monthly_calls must be a number ≥ 0, got -5"),
        ({"monthly_calls": "lots"}, "monthly_calls must be a number ≥ 0, got 'lots'"),
        ({"monthly_calls": math.inf}, "monthly_calls must be a number ≥ 0, got inf"),
        ({"teacher_cost_per_1k": 0.0}, "teacher_cost_per_1k must be a number > 0, got 0"),
        ({"teacher_cost_per_1k": None}, "the teacher's cost is missing"),
        ({"student_cost_per_1k": "cheap"}, "student_cost_per_1k must be a number ≥ 0"),
        ({"student_cost_per_1k": None}, "the student's cost is missing"),
        ({"upfront_cost": None}, "upfront_cost is missing"),
        ({"annual_maintenance": -1.0}, "annual_maintenance must be a number ≥ 0, got -1"),
        ({"monthly_growth": -1.0}, "monthly_growth must be a number > -1"),
        ({"escalation_share": 1.0}, "escalation_share must be a number ≥ 0 and < 1, got 1"),
        ({"target_payback_months": 0.0}, "target_payback_months must be a number > 0"),
        (
            {"monthly_calls": 1e300, "teacher_cost_per_1k": 1e300},
            "the figures are too large to compute",
        ),
    ],
)
def test_bad_rows_get_a_reason_and_do_not_sink_the_run(changes, message):
    """A bad row gets its reason and no figures; the good row beside it is screened."""
    frame = pd.DataFrame([GOOD, {**GOOD, "name": "bad", **changes}])
    table = screen(frame).set_index("name")
    assert table.loc["bad", "error"].startswith(message)
    assert pd.isna(table.loc["bad", "payback_months"]) and pd.isna(table.loc["bad", "verdict"])
    assert table.loc["ok", "verdict"] == "strong" and pd.isna(table.loc["ok", "error"])
    assert table.index[-1] == "bad"


def test_defaults_for_absent_columns():
    """Without growth, escalation and target columns: 0, 0 and 12 months; rows get names."""
    frame = pd.DataFrame([{k: v for k, v in GOOD.items() if k != "name"}])
    row = screen(frame).iloc[0]
    assert row["name"] == "endpoint 1" and row["monthly_growth"] == 0.0
    assert row["payback_months"] == 2.5
    assert row["breakeven_monthly_calls"] == pytest.approx(52_500 / (12 * 10.5 / 1000))


def sample_frame() -> pd.DataFrame:
    """The sample endpoints without their free-text note column (which the screen reports)."""
    return pd.read_csv(sample_endpoints_path()).drop(columns="note")


def test_chunks_ranked_together_equal_one_screen():
    """Screening in chunks and ranking once gives the same table as one screen."""
    frame = sample_frame()
    whole = screen(frame)
    parts = [screen_unranked(frame.iloc[:4], 1), screen_unranked(frame.iloc[4:], 5)]
    chunked = rank(pd.concat(parts, ignore_index=True))
    pd.testing.assert_frame_equal(whole, chunked)


def test_sample_file_hand_checked():
    """The sample: the built-in example's row gives the example's figures; counts add up."""
    table = screen(sample_frame()).set_index("name")
    example = evaluate(
        Case(
            monthly_calls=1_500_000,
            monthly_growth=0.02,
            input_tokens_per_call=1_500,
            output_tokens_per_call=200,
            teacher_input_price_per_million=3.0,
            teacher_output_price_per_million=15.0,
            student_input_price_per_million=0.2,
            student_output_price_per_million=0.8,
            upfront_cost=33_750,
            annual_maintenance=24_000,
        )
    )
    row = table.loc["support-ticket-classifier"]
    assert row.payback_months == example.payback_months and row.verdict == "defensible"
    summary = summarise(table.reset_index())
    assert summary.endpoints == 10 and summary.refused == 1
    assert sum(summary.by_verdict.values()) == 9
    worth = table[table.verdict.isin(["strong", "defensible"])]
    assert summary.annual_savings_worth_doing == pytest.approx(worth.annual_savings.sum())
    assert table.loc["translation-qa", "payback_months"] == math.inf


def test_columns():
    """The result has the documented columns, in order."""
    assert list(screen(pd.DataFrame([GOOD])).columns) == list(RESULT_COLUMNS)


class TestScreenCells:
    def test_header_matched_loosely_and_blank_rows_skipped(self):
        """Headers ignore case and spaces; blank rows are skipped; never reads 'never'."""
        cells = screen_cells(
            [
                [
                    " Name ",
                    "MONTHLY_CALLS",
                    "teacher_cost_per_1k",
                    "student_cost_per_1k",
                    "upfront_cost",
                    "annual_maintenance",
                    "owner",
                ],
                ["a", 2e6, 12.0, 13.0, 52_500.0, 0.0, "team x"],
                [None, None, None, None, None, None, None],
                ["b", 2e6, 12.0, 1.5, 52_500.0, 40_000.0, "team y"],
            ]
        )
        assert [row[1] for row in cells[1:3]] == ["b", "a"]
        assert cells[2][3] == "never"
        assert "'owner'" in cells[3][1]  # the column it does not read, named in a last row

    def test_no_header_refused(self):
        """A range without a monthly_calls header is refused with the known names."""
        from xl_roi import InputError

        with pytest.raises(InputError, match="header row naming its columns"):
            screen_cells([[1.0, 2.0], [3.0, 4.0]])


def test_verdict_codes_match_scalar():
    """The array verdict equals the scalar verdict on a grid of paybacks, nets and growths."""
    from xl_roi import verdict
    from xl_roi.portfolio import verdict_codes

    grid = [
        (p, n, g)
        for p in (0.0, 2.9, 3.0, 3.1, 11.9, 12.0, 12.1, np.inf)
        for n in (-1.0, 0.0, 1.0)
        for g in (-0.1, 0.0, 0.1)
    ]
    payback, net, growth = (np.array(column) for column in zip(*grid, strict=True))
    codes = verdict_codes(payback, net, growth)
    assert [VERDICTS[int(c)] for c in codes] == [verdict(p, n, g) for p, n, g in grid]


class TestRankingTies:
    def test_ties_broken_by_payback_then_input_order(self):
        """Equal net benefit ranks the sooner payback first; identical rows keep input order."""
        # All three save (12 − 1.5) × 2,000,000 / 1,000 = 21,000 a month, so each nets
        # 12 × 21,000 − 40,000 = 212,000 a year: a tie. Upfront 52,500 pays back in 2.5 months,
        # 42,000 in 2.0 months; "late-a" and "late-b" are the same endpoint twice.
        frame = pd.DataFrame(
            [
                {**GOOD, "name": "late-a"},
                {**GOOD, "name": "late-b"},
                {**GOOD, "name": "soon", "upfront_cost": 42_000.0},
            ]
        )
        table = screen(frame)
        assert list(table["name"]) == ["soon", "late-a", "late-b"]
        assert list(table["payback_months"]) == [2.0, 2.5, 2.5]
        assert set(table["annual_net_benefit"]) == {212_000.0}

    @given(
        st.lists(
            st.tuples(
                st.integers(0, 5),
                st.sampled_from([-1.0, -0.0, 0.0, 5.0, math.nan, math.inf]),
                st.sampled_from([0.0, 2.5, 7.0, math.inf, math.nan]),
            ),
            max_size=60,
        )
    )
    def test_order_is_the_documented_stable_order(self, rows):
        """The fast order equals a stable sort on (verdict, −net benefit, payback), ties kept,
        sorted whole or merged from chunks each sorted on its own."""
        from xl_roi.portfolio import _net_key, _order

        codes = np.array([row[0] for row in rows], dtype=float)
        net = np.array([row[1] for row in rows], dtype=float)
        payback = np.array([row[2] for row in rows], dtype=float)

        def key(i):
            # refused rows carry NaN net benefit: ranked as the smallest; NaN payback last
            net_key = -math.inf if math.isnan(net[i]) else net[i]
            pay_key = (1, 0.0) if math.isnan(payback[i]) else (0, payback[i])
            return (codes[i], -net_key, pay_key)

        expected = sorted(range(len(rows)), key=key)  # Python's sort is stable
        assert _order(codes, net, payback).tolist() == expected
        # the same order merged from chunks sorted on their own (as a large table is screened)
        for size in (1, 7, 25):
            runs = [
                np.argsort(_net_key(net[start : start + size]))
                for start in range(0, len(rows), size)
            ]
            assert _order(codes, net, payback, runs or None).tolist() == expected


SELF_HOSTED = {
    "name": "gpu",
    "monthly_calls": 400_000.0,
    "input_tokens_per_call": 3_000.0,
    "output_tokens_per_call": 400.0,
    "teacher_input_price_per_million": 2.50,
    "teacher_output_price_per_million": 10.00,
    "gpu_hourly_cost": 2.20,
    "calls_per_second_per_gpu": 12.0,
    "target_utilization": 0.6,
    "upfront_cost": 29_940.0,
    "annual_maintenance": 30_000.0,
}


class TestSelfHosted:
    # The self-hosted student: 400,000 calls a month; teacher 3,000 input and 400
    # output tokens at 2.50 and 10.00 per million; student on GPUs at 2.20 an hour, 12 calls/s,
    # 60 % target utilisation (peak factor 1.5 by default).
    ROW = SELF_HOSTED

    def test_hand_worked(self):
        """A self-hosted row is screened on whole GPUs, not refused for a missing cost."""
        row = screen(pd.DataFrame([self.ROW])).iloc[0]
        # teacher: 1000 × (3000 × 2.50 + 400 × 10.00) / 1e6 = 11.50 per 1k
        # peak: 1.5 × 400,000 / (730 × 3600) = 0.228 calls/s < 12 × 0.6 = 7.2: one GPU
        # serving: 1 × 2.20 × 730 = 1,606 a month over 400 thousand calls = 4.015 per 1k
        # savings: (11.50 − 4.015) × 400 = 2,994 a month; payback 29,940 / 2,994 = 10 months
        assert pd.isna(row.error)
        assert row.student_cost_per_1k == pytest.approx(4.015, rel=1e-12)
        assert row.monthly_savings == pytest.approx(2_994.0, rel=1e-12)
        assert row.payback_months == pytest.approx(10.0, rel=1e-12)
        assert row.verdict == "marginal"

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"calls_per_second_per_gpu": None}, "a self-hosted student also needs calls_per_"),
            ({"gpu_hourly_cost": None}, "a self-hosted student also needs gpu_hourly_cost"),
            ({"student_cost_per_1k": 1.5}, "give the student's cost one way, not student_cost"),
            ({"target_utilization": 1.5}, "target_utilization must be a number > 0 and ≤ 1"),
            ({"peak_factor": 0.5}, "peak_factor must be a number ≥ 1, got 0.5"),
            ({"calls_per_second_per_gpu": 0.0}, "calls_per_second_per_gpu must be a number > 0"),
            ({"monthly_calls": 0.0}, "monthly_calls must be a number > 0 for a self-hosted"),
        ],
    )
    def test_refusals_match_the_case(self, changes, message):
        """A self-hosted row Case would refuse is refused with the reason; the good row stays."""
        bad = {**self.ROW, "name": "bad", **changes}
        with pytest.raises(ValueError):
            case_of(bad)
        table = screen(pd.DataFrame([self.ROW, bad])).set_index("name")
        assert table.loc["bad", "error"].startswith(message), table.loc["bad", "error"]
        assert pd.isna(table.loc["gpu", "error"])


class TestUnusedColumns:
    def test_warned_by_name(self):
        """A column the screen does not read is named in a warning, never ignored silently."""
        frame = pd.DataFrame([{**GOOD, "owner": "team x", "gpus": 3}])
        with pytest.warns(UnusedColumnsWarning, match="2 columns .*'owner', 'gpus'"):
            screen(frame)

    def test_sample_note_column_warned(self):
        """The sample's free-text note column is reported as not used."""
        with pytest.warns(UnusedColumnsWarning, match="'note'"):
            screen(pd.read_csv(sample_endpoints_path()))

    def test_headers_matched_loosely_everywhere(self):
        """Headers match without regard to case or spaces in screen, as in SCREEN."""
        frame = pd.DataFrame([GOOD]).rename(columns={"monthly_calls": " Monthly_Calls "})
        assert screen(frame).iloc[0]["payback_months"] == 2.5

    def test_a_column_given_twice_is_refused(self):
        """Two columns that both mean monthly_calls are refused rather than one picked."""
        from xl_roi import InputError

        frame = pd.DataFrame([GOOD]).assign(MONTHLY_CALLS=5.0)
        with pytest.raises(InputError, match="monthly_calls is given twice"):
            screen(frame)


def test_teacher_cost_given_two_ways_is_refused_as_case_refuses_it():
    """A row with teacher_cost_per_1k and the teacher's token prices is refused (Case refuses
    it too), not screened with the direct figure silently winning."""
    frame = pd.DataFrame(
        {
            "name": ["both", "direct"],
            "monthly_calls": [2e6, 2e6],
            "teacher_cost_per_1k": [12.0, 12.0],
            "input_tokens_per_call": [1000.0, None],
            "output_tokens_per_call": [100.0, None],
            "teacher_input_price_per_million": [3.0, None],
            "teacher_output_price_per_million": [15.0, None],
            "student_cost_per_1k": [1.5, 1.5],
            "upfront_cost": [52_500.0, 52_500.0],
            "annual_maintenance": [40_000.0, 40_000.0],
        }
    )
    table = screen(frame).set_index("name")
    assert "give the teacher's cost once" in table.loc["both", "error"]
    assert pd.isna(table.loc["direct", "error"]) and table.loc["direct", "verdict"] == "strong"
    with pytest.raises(InputError, match="give the teacher's cost once"):
        Case(
            monthly_calls=2e6,
            teacher_cost_per_1k=12.0,
            input_tokens_per_call=1000,
            output_tokens_per_call=100,
            teacher_input_price_per_million=3.0,
            teacher_output_price_per_million=15.0,
            student_cost_per_1k=1.5,
            upfront_cost=52_500,
            annual_maintenance=40_000,
        )


def test_rank_chunks_compact_equals_one_ranking():
    """Chunks ranked with verdicts as codes, reasons kept only where refused and names held
    compactly give, value for value, the table of ranking them joined."""
    frame = sample_frame()
    broken = frame.iloc[[0, 1]].assign(monthly_calls=[-1.0, np.nan], name=["bad", "gap"])
    frame = pd.concat([broken.iloc[[0]], frame, broken.iloc[[1]]], ignore_index=True)
    parts = [screen_unranked(frame.iloc[:3], 1), screen_unranked(frame.iloc[3:], 4)]
    expected = rank(pd.concat(parts, ignore_index=True))
    compact = rank_chunks(iter(parts), compact=True)
    assert str(compact["name"].dtype) == "string"
    assert compact["name"].tolist() == expected["name"].tolist()
    for column in ("verdict", "quality_adjusted_verdict"):  # one byte a row, missing if refused
        assert isinstance(compact[column].dtype, pd.CategoricalDtype)
        assert compact[column].isna().tolist() == expected[column].isna().tolist()
        assert compact[column].dropna().tolist() == expected[column].dropna().tolist()
    pd.testing.assert_frame_equal(
        compact.drop(columns=["name", "verdict", "quality_adjusted_verdict"]),
        expected.drop(columns=["name", "verdict", "quality_adjusted_verdict"]),
    )
    refused = compact[compact["error"].notna()].set_index("name")["error"]
    assert refused.index.tolist() == ["bad", "broken-row-example", "gap"]  # last, in order
    assert refused["bad"] == "monthly_calls must be a number ≥ 0, got -1"
    assert refused["gap"] == "monthly_calls is missing"


def _as_screen_gives(table: pd.DataFrame) -> pd.DataFrame:
    """A compact table with names and verdicts as plain Python text (None where missing)."""
    plain = table.copy()
    for column in ("name", "verdict", "quality_adjusted_verdict"):
        plain[column] = pd.Series(
            [None if pd.isna(value) else value for value in table[column]], dtype=object
        )
    return plain


@given(
    st.lists(endpoint(), min_size=1, max_size=25),
    st.lists(st.integers(1, 6), min_size=1, max_size=25),
    st.sets(st.integers(0, 24), max_size=4),
    st.booleans(),
    st.sampled_from([1, 4]),
)
def test_screen_chunks_equals_one_screen(rows, sizes, refused, compact, threads):
    """Screening chunk by chunk, on one thread or several, with rows refused up front,
    gives exactly the table of one screen of all the rows (refused rows with their reason)."""
    import xl_roi.portfolio as portfolio

    frame = pd.DataFrame(rows)
    frame.insert(0, "name", [f"e{i}" for i in range(len(rows))])
    refused = {i for i in refused if i < len(rows)}
    reason = "line {} is not UTF-8 text: save the file as CSV UTF-8"
    whole = frame.copy()
    whole.loc[sorted(refused), "monthly_calls"] = -1.0  # refused by the screen itself
    expected = screen(whole)
    for i in refused:  # the reason given up front, not the screen's own
        expected.loc[expected["name"] == f"e{i}", "error"] = reason.format(i)
    chunks, start = [], 0
    for size in sizes * len(rows):
        if start >= len(rows):
            break
        part = frame.iloc[start : start + size]
        up_front = {i - start: reason.format(i) for i in refused if start <= i < start + size}
        chunks.append((part, start + 1, up_front))
        start += size
    before = portfolio._SCREEN_THREADS
    portfolio._SCREEN_THREADS = threads
    try:
        got = screen_chunks(iter(chunks), compact=compact)
    finally:
        portfolio._SCREEN_THREADS = before
    if compact:
        assert isinstance(got["verdict"].dtype, pd.CategoricalDtype)
        got = _as_screen_gives(got)
    pd.testing.assert_frame_equal(got, expected)


def test_screen_chunks_raises_what_a_chunk_raises():
    """A chunk the screen cannot take (a column given twice) stops the run with its reason,
    from whichever thread screened it."""
    good = sample_frame()
    bad = good.iloc[:2].copy()
    bad.insert(1, " Monthly_Calls", bad["monthly_calls"])
    with pytest.raises(InputError, match="monthly_calls is given twice"):
        screen_chunks(iter([(good, 1, None), (bad, len(good) + 1, None), (good, 99, None)]))


@given(st.lists(endpoint(), min_size=1, max_size=25), st.integers(1, 7))
def test_screen_of_a_large_table_in_chunks_equals_screen_at_once(rows, chunk_rows):
    """screen() works out a table longer than a chunk chunk by chunk, side by side: the
    same table as at once, tie for tie."""
    import xl_roi.portfolio as portfolio

    frame = pd.DataFrame(rows)
    at_once = screen(frame)
    before = portfolio._SCREEN_CHUNK_ROWS
    portfolio._SCREEN_CHUNK_ROWS = chunk_rows
    try:
        in_chunks = screen(frame)
    finally:
        portfolio._SCREEN_CHUNK_ROWS = before
    pd.testing.assert_frame_equal(in_chunks, at_once)


def test_a_table_without_a_column_every_row_needs_is_refused_whole(tmp_path, capsys):
    """A table with no monthly_calls column (here named "calls") is refused as a whole, naming
    the columns it lacks and those it has, never screened as every row refused with exit 0."""
    from xl_roi.cli import main
    from xl_roi.portfolio import TableError

    frame = pd.DataFrame({"name": ["a"], "calls": [1000], "teacher_cost_per_1k": [2.0],
                          "student_cost_per_1k": [0.5], "upfront_cost": [10.0],
                          "annual_maintenance": [0.0]})  # fmt: skip
    with (
        pytest.warns(UnusedColumnsWarning),
        pytest.raises(TableError, match=r"no monthly_calls column.*found: 'name', 'calls'"),
    ):
        screen(frame)
    for path in (tmp_path / "endpoints.csv", tmp_path / "endpoints.parquet"):
        if path.suffix == ".csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_parquet(path, index=False)
        assert main(["screen", str(path), "--json"]) == 2
        out, err = capsys.readouterr()
        assert out == "" and "no monthly_calls column" in err and "cannot be read" not in err
