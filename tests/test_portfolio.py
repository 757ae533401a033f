"""Tests of xl_roi.portfolio: screening many endpoints, bit for bit as evaluate, bad rows apart."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xl_roi import Case, evaluate
from xl_roi.casefile import sample_endpoints_path
from xl_roi.portfolio import (
    RESULT_COLUMNS,
    VERDICTS,
    rank,
    screen,
    screen_cells,
    screen_unranked,
    summarise,
)

finite = dict(allow_nan=False, allow_infinity=False)
money = st.just(0.0) | st.floats(0.01, 1e7, **finite)


@st.composite
def endpoint(draw):
    """One valid endpoint row, priced directly or by tokens."""
    row = {
        "monthly_calls": draw(st.just(0.0) | st.floats(1.0, 1e10, **finite)),
        "monthly_growth": draw(st.sampled_from([0.0, 0.02, -0.05]) | st.floats(-0.5, 0.5)),
        "escalation_share": draw(st.sampled_from([0.0, 0.03])),
        "upfront_cost": draw(money),
        "annual_maintenance": draw(money),
        "target_payback_months": draw(st.sampled_from([3.0, 12.0])),
    }
    if draw(st.booleans()):
        row["teacher_cost_per_1k"] = draw(st.floats(0.01, 100, **finite))
        row["student_cost_per_1k"] = draw(st.just(0.0) | st.floats(0.001, 100, **finite))
    else:
        row |= {
            "input_tokens_per_call": draw(st.floats(1, 1e4, **finite)),
            "output_tokens_per_call": draw(st.floats(1, 1e3, **finite)),
            "teacher_input_price_per_million": draw(st.floats(0.1, 30, **finite)),
            "teacher_output_price_per_million": draw(st.floats(0.1, 60, **finite)),
            "student_input_price_per_million": draw(st.floats(0.0, 5, **finite)),
            "student_output_price_per_million": draw(st.floats(0.0, 10, **finite)),
        }
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
        ):
            assert got[column] == figure, column


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


def test_direct_cost_wins_over_tokens():
    """A direct cost per 1k is used even where token prices are also given."""
    frame = pd.DataFrame(
        [
            {
                **GOOD,
                "input_tokens_per_call": 1_000.0,
                "output_tokens_per_call": 100.0,
                "teacher_input_price_per_million": 99.0,
                "teacher_output_price_per_million": 99.0,
            }
        ]
    )
    assert screen(frame).iloc[0]["teacher_cost_per_1k"] == 12.0


def test_chunks_ranked_together_equal_one_screen():
    """Screening in chunks and ranking once gives the same table as one screen."""
    frame = pd.read_csv(sample_endpoints_path())
    whole = screen(frame)
    parts = [screen_unranked(frame.iloc[:4], 1), screen_unranked(frame.iloc[4:], 5)]
    chunked = rank(pd.concat(parts, ignore_index=True))
    pd.testing.assert_frame_equal(whole, chunked)


def test_sample_file_hand_checked():
    """The sample: the built-in example's row gives the example's figures; counts add up."""
    table = screen(pd.read_csv(sample_endpoints_path())).set_index("name")
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
        assert [row[1] for row in cells[1:]] == ["b", "a"]
        assert cells[2][3] == "never"

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
