"""Tests of xl_roi._sensitivity: tornado, scenarios, break-evens, grid."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.cases import SIMPLE
from tests.figures import agree
from tests.test_batch import cases
from xl_roi import Case, InputError, evaluate, example_case
from xl_roi._sensitivity import (
    HEADLINE_TABLE_HEADER,
    SENSITIVITY_COLUMNS,
    assumptions_of,
    breakeven_values,
    grid,
    headline_table,
    sensitivity,
)
from xl_roi.batch import ASSUMPTIONS, apply_assumption
from xl_roi.bounds import BOUNDS

SELF_HOSTED = dict(
    monthly_calls=10_000_000,
    teacher_cost_per_1k=1.0,
    gpu_hourly_cost=2.0,
    calls_per_second_per_gpu=20,
    upfront_cost=10_000,
    annual_maintenance=1_000,
)
LABEL_TO_NAME = {label: name for name, label in ASSUMPTIONS.items()}


def row(table, label):
    return table[table.assumption == label].iloc[0]


def test_half_volume_exactly_doubles_payback_for_api_student():
    """API-priced student, no growth: half the volume, exactly twice the payback."""
    table = sensitivity(Case(**SIMPLE))
    assert row(table, "Half volume").payback_low == 2 * evaluate(Case(**SIMPLE)).payback_months


def test_self_hosted_half_volume_costs_more_per_call():
    """Self-hosted on one GPU: half the volume, twice the cost per call, more than twice payback."""
    case = Case(**SELF_HOSTED)
    half = evaluate(case.replace(monthly_calls=5_000_000))
    assert half.student_cost_per_1k == pytest.approx(2 * evaluate(case).student_cost_per_1k)
    table = sensitivity(case)
    assert row(table, "Half volume").payback_low > 2 * evaluate(case).payback_months
    assert row(table, "Half volume").payback_low == half.payback_months


def test_self_hosted_rows():
    """A self-hosted student is moved by GPU price and utilisation, and has the utilisation
    scenario; an API student has neither."""
    hosted = set(sensitivity(Case(**SELF_HOSTED)).assumption)
    api = set(sensitivity(Case(**SIMPLE)).assumption)
    assert {"GPU hourly cost", "Target utilisation", "Serving utilisation below plan"} <= hosted
    assert "Student cost per 1k" not in hosted
    assert not {"GPU hourly cost", "Serving utilisation below plan"} & api


@given(cases())
def test_swing_zero_reproduces_the_base_on_every_row(case):
    """With no swing, every assumption row shows the base payback and net benefit."""
    table = sensitivity(case, swing=0.0)
    base = evaluate(case)
    assumptions = table[table.kind == "assumption"]
    for column in ("payback_low", "payback_high"):
        assert all(agree(value, base.payback_months) for value in assumptions[column])
    for column in ("net_low", "net_high"):
        assert all(agree(value, base.annual_net_benefit) for value in assumptions[column])


def test_rows_match_evaluate_of_moved_cases():
    """Each low/high cell is evaluate of the case with that one assumption moved."""
    case = example_case()
    table = sensitivity(case)
    for record in table[table.kind == "assumption"].itertuples():
        name = LABEL_TO_NAME[record.assumption]
        low = evaluate(apply_assumption(case, name, record.low))
        high = evaluate(apply_assumption(case, name, record.high))
        assert agree(record.payback_low, low.payback_months)
        assert agree(record.net_low, low.annual_net_benefit)
        assert agree(record.payback_high, high.payback_months)
        assert agree(record.net_high, high.annual_net_benefit)


def test_ranked_by_payback_swing_and_scenarios_follow():
    """Assumption rows come largest payback swing first; the scenarios after them."""
    table = sensitivity(example_case())
    assumptions = table[table.kind == "assumption"]
    assert list(assumptions.payback_swing) == sorted(assumptions.payback_swing, reverse=True)
    assert list(table.kind) == sorted(table.kind)  # "assumption" < "scenario"
    assert list(table.columns) == list(SENSITIVITY_COLUMNS)
    assert list(table[table.kind == "scenario"].assumption) == [
        "Half volume",
        "Maintenance twice as often",
        "Teacher price halved",
    ]


def test_scenarios_hand_worked():
    """Simple case: maintenance doubled is 252,000 − 80,000; teacher halved saves 4.50 per 1k."""
    table = sensitivity(Case(**SIMPLE))
    assert row(table, "Maintenance twice as often").net_low == 172_000.0
    teacher_halved = row(table, "Teacher price halved")
    assert teacher_halved.low == 6.0
    assert teacher_halved.payback_low == pytest.approx(52_500 / 9_000)  # 4.50 × 2,000


def _within_ulps_of_goal(case, name, value, figure, goal, ulps=4):
    """True when the goal lies between the figure a few ulps either side of the value: the
    break-even is then as exact as a float can be, however ill-conditioned the case."""
    below, above = value, value
    for _ in range(ulps):
        below, above = np.nextafter(below, -np.inf), np.nextafter(above, np.inf)
    try:
        ends = [
            getattr(evaluate(apply_assumption(case, name, float(v))), figure)
            for v in (below, above)
        ]
    except InputError:
        return False
    return min(ends) <= goal <= max(ends)


@given(cases(), st.sampled_from([3.0, 12.0, 24.0]))
def test_breakevens_fed_back_hit_the_target(case, target):
    """Each exact break-even, put back into the case, gives payback = target or net = 0.

    Within 1e-9 relative — or, where the case is so ill-conditioned that rounding the value
    alone moves the result by more (a payback of minutes, a student within ulps of the
    teacher), with the goal between the results a few ulps either side of the value.
    """
    values = breakeven_values(case, target)
    scale = max(1.0, 12 * abs(evaluate(case).monthly_savings), evaluate(case).annual_maintenance)
    for name, (at_payback, at_net) in values.items():
        if case.is_self_hosted and name in ("monthly_calls", "target_utilization"):
            continue  # whole GPUs: a threshold, tested below
        if not math.isnan(at_payback) and BOUNDS[name].holds(at_payback):
            moved = evaluate(apply_assumption(case, name, at_payback)).payback_months
            assert moved == pytest.approx(target, rel=1e-9) or _within_ulps_of_goal(
                case, name, at_payback, "payback_months", target
            ), name
        if not math.isnan(at_net) and BOUNDS[name].holds(at_net):  # no Case holds the rest
            moved = evaluate(apply_assumption(case, name, at_net)).annual_net_benefit
            assert abs(moved) <= 1e-9 * scale or _within_ulps_of_goal(
                case, name, at_net, "annual_net_benefit", 0.0
            ), name


def test_breakeven_hand_worked():
    """Simple case, 12-month target, worked by hand."""
    values = breakeven_values(Case(**SIMPLE), 12)
    # volume: 52,500 / 12 / 10.5 × 1000 = 416,666.67; net 0 at 40,000 / 12 / 10.5 × 1000
    assert values["monthly_calls"] == pytest.approx(
        (52_500 / 12 / 10.5 * 1000, 40_000 / 12 / 10.5 * 1000)
    )
    # student: 12 − 4,375 / 2,000 = 9.8125; net: 12 − 3,333.33 / 2,000
    assert values["student_cost_per_1k"] == pytest.approx(
        (12 - 4_375 / 2_000, 12 - 40_000 / 12 / 2_000)
    )
    # upfront: 12 × 21,000 = 252,000; maintenance: 252,000 zeroes the net
    assert values["upfront_cost"][0] == pytest.approx(252_000)
    assert values["annual_maintenance"][1] == 252_000


def test_volume_breakeven_is_the_pitch_figure_in_every_route():
    """Issue 9: the volume break-even of the sensitivity, its table, the headline table (the
    SENSITIVITY function) and the pitch's Result are one number, with growth and whole GPUs."""
    from tests.cases import CONTRACT_REVIEW

    result = evaluate(CONTRACT_REVIEW)
    # (38,000 × 0.05 / (1.05^12 − 1) + 1,606) / 0.0115 = 347,249.18 (the pitch said 423,068)
    assert result.breakeven_monthly_calls == pytest.approx(347_249.18, abs=0.01)
    table = sensitivity(CONTRACT_REVIEW)
    row = table[table.assumption == "Monthly volume"]
    assert row.breakeven_payback.item() == result.breakeven_monthly_calls
    headline = headline_table(
        result.upfront_cost,
        result.teacher_cost_per_1k,
        CONTRACT_REVIEW.escalation_share * result.teacher_cost_per_1k,
        CONTRACT_REVIEW.monthly_calls,
        result.annual_maintenance,
        0.5,
        12.0,
        CONTRACT_REVIEW.monthly_growth,
        gpu_hourly_cost=2.2,
        calls_per_second_per_gpu=12,
        target_utilization=0.6,
    )
    by_name = {row[0]: row for row in headline}
    assert by_name["Monthly volume"][8] == pytest.approx(result.breakeven_monthly_calls, rel=1e-12)
    # half volume on whole GPUs: 38,000 at (11.50 × 200 − 1,606) = 694 a month growing 5 %
    assert by_name["Half volume"][3] == pytest.approx(result.half_volume_payback_months, rel=1e-12)
    assert result.half_volume_payback_months == pytest.approx(
        math.log(1 + 38_000 * 0.05 / 694) / math.log(1.05), rel=1e-12
    )


def test_self_hosted_volume_threshold_is_where_it_fails():
    """Whole GPUs: just above the volume threshold it pays back on target, just below it fails."""
    case = Case(**SELF_HOSTED)
    threshold = breakeven_values(case, 12)["monthly_calls"][0]
    assert threshold == evaluate(case).breakeven_monthly_calls  # the pitch's figure
    assert evaluate(case.replace(monthly_calls=threshold * (1 + 1e-9))).payback_months <= 12
    assert evaluate(case.replace(monthly_calls=threshold * (1 - 1e-9))).payback_months > 12


def test_breakeven_absent_where_assumption_cannot_break_it():
    """Maintenance never changes payback; upfront never changes annual net benefit."""
    values = breakeven_values(Case(**SIMPLE))
    assert math.isnan(values["annual_maintenance"][0])
    assert math.isnan(values["upfront_cost"][1])


def test_teacher_breakeven_moves_data_generation_too():
    """With data generation from the corpus, the teacher's break-even includes its labels."""
    case = example_case().replace(monthly_growth=0.0)
    at = breakeven_values(case, 12)["teacher_cost_per_1k"][0]
    moved = evaluate(apply_assumption(case, "teacher_cost_per_1k", at))
    assert moved.data_generation_cost == pytest.approx(500_000 * at / 1000)
    assert moved.payback_months == pytest.approx(12, rel=1e-9)


@pytest.mark.parametrize("swing", [-0.1, 1.0, 1.5, math.nan, "half"])
def test_bad_swing(swing):
    """Swing outside [0, 1) is refused; a number saying what a swing is (not a percentage
    hint: 1.5 was once read as "write 0.015 for 1.5 %")."""
    number = isinstance(swing, float) and not math.isnan(swing)
    said = "swing must be a share at least 0 and below 1 \\(0.5 moves each assumption ±50 %\\)"
    with pytest.raises(InputError, match=said if number else "swing must be a number ≥ 0") as e:
        sensitivity(Case(**SIMPLE), swing=swing)
    assert "write 0.0" not in str(e.value)


class TestGrid:
    def test_hand_worked(self):
        """Payback = 52,500 / ((12 − student) × volume / 1000), never where student ≥ teacher."""
        table = grid(Case(**SIMPLE), [1e6, 2e6, 4e6], [1.5, 6.0, 12.0])
        expected = [
            [52_500 / ((12 - s) * v / 1000) if s < 12 else math.inf for s in (1.5, 6.0, 12.0)]
            for v in (1e6, 2e6, 4e6)
        ]
        np.testing.assert_allclose(table.to_numpy(), expected, rtol=1e-12)
        assert table.index.name == "monthly_calls"

    @given(
        st.lists(st.floats(1, 1e9, allow_subnormal=False), min_size=1, max_size=5),
        st.lists(st.floats(0, 20, allow_subnormal=False), min_size=1, max_size=5),
    )
    def test_cells_equal_evaluate(self, volumes, costs):
        """Every cell is evaluate of the case at that volume and student cost."""
        case = example_case()
        table = grid(case, volumes, costs)
        for i, volume in enumerate(volumes):
            for j, cost in enumerate(costs):
                moved = apply_assumption(case, "student_cost_per_1k", cost)
                assume(True)
                expected = evaluate(moved.replace(monthly_calls=volume)).payback_months
                assert agree(table.iat[i, j], expected)

    def test_negative_volume_refused(self):
        """A negative volume in the grid is refused."""
        with pytest.raises(InputError, match="volumes"):
            grid(Case(**SIMPLE), [-1], [1.0])


@given(
    st.floats(1, 1e7, allow_subnormal=False),
    st.floats(0.1, 50, allow_subnormal=False),
    st.floats(0, 50, allow_subnormal=False),
    st.floats(0, 1e9, allow_subnormal=False),
    st.floats(0, 1e6, allow_subnormal=False),
    st.sampled_from([0.0, 0.03, -0.02]),
)
def test_headline_table_shape_never_changes(upfront, teacher, student, calls, maintenance, growth):
    """SENSITIVITY's table is always 10 × 10 with the same first column set, whatever the case."""
    table = headline_table(upfront, teacher, student, calls, maintenance, 0.5, 12.0, growth)
    assert len(table) == 10 and all(len(row) == 10 for row in table)
    assert table[0] == list(HEADLINE_TABLE_HEADER)
    assert [row[0] for row in table[-3:]] == [
        "Half volume",
        "Maintenance twice as often",
        "Teacher price halved",
    ]
    for row in table[1:]:
        for cell in row[1:]:
            assert cell in ("never", "") or (isinstance(cell, float) and math.isfinite(cell))


def test_unknown_assumption_refused():
    """Moving an assumption the case does not have is refused."""
    with pytest.raises(InputError, match="gpu_hourly_cost"):
        sensitivity(Case(**SIMPLE), assumptions=["gpu_hourly_cost"])


def test_swings_equal_but_for_rounding_keep_the_assumption_order():
    """Two assumptions whose swings are the same figure (but for the last bit of rounding)
    are listed in the order of the assumptions, volume first, in every engine."""
    # One GPU (2.20 × 730 = 1,606 a month) serves both 200,000 and 600,000 calls, so volume
    # ±50 % and the teacher's 11.50 ±50 % give the same savings: 11.50 × 200 − 1,606 = 5.75 ×
    # 400 − 1,606 = 694 and 11.50 × 600 − 1,606 = 17.25 × 400 − 1,606 = 5,294 a month.
    table = headline_table(
        38_000,
        11.5,
        0.0,
        400_000,
        30_000,
        monthly_growth=0.05,
        gpu_hourly_cost=2.2,
        calls_per_second_per_gpu=12,
        target_utilization=0.6,
    )
    assert [row[0] for row in table[1:3]] == ["Monthly volume", "Teacher cost per 1k"]
    assert table[1][7] == pytest.approx(table[2][7], rel=1e-12)


def test_cli_quality_row_never_says_never_months(tmp_path, capsys):
    """The cost-per-error line says "never", not "never months", and names the currency."""
    from xl_roi import cli

    # Worse answers (0.5 share x 0.1 drop x 1,000,000 calls x 10 = 500,000 a month) dwarf
    # the compute saved ((10 - 1) x 1,000 = 9,000 a month): the adjusted payback is never.
    case = tmp_path / "c.toml"
    case.write_text(
        'name = "t"\ncurrency = "EUR"\n[volume]\nmonthly_calls = 1_000_000\n'
        "[teacher]\ncost_per_1k = 10.0\n[student]\ncost_per_1k = 1.0\n"
        "[upfront]\ntotal = 10_000\n[maintenance]\nannual = 1_000\n"
        "[quality]\ncost_per_error = 10.0\n"
        '[[quality_slices]]\nname = "a"\nbusiness_critical = false\nteacher_score = 0.9\n'
        "student_score = 0.8\nallowed_drop = 0.2\ntraffic_share = 0.5\n"
    )
    try:
        cli.main(["sensitivity", str(case)])
    except SystemExit as stop:
        assert stop.code in (0, None)
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "per error: payback" in x)
    assert "never months" not in line
    assert "payback never … never" in line
    assert "annual net benefit (EUR " in line  # a loss, in brackets as everywhere


def test_a_payback_that_never_comes_at_either_end_has_no_swing():
    """Where payback never comes at the low or the high value, the swing is blank (NaN; "" in
    the table), not 0.0, which would read as a payback that holds; such rows rank last."""
    dearer = Case(**{**SIMPLE, "student_cost_per_1k": 12.5})  # never pays back at all
    rows = sensitivity(dearer).to_dict("records")
    both_never = [r for r in rows if math.isinf(r["payback_low"]) and math.isinf(r["payback_high"])]
    assert both_never and all(math.isnan(r["payback_swing"]) for r in both_never)
    table = headline_table(52_500, 12.0, 12.5, 2_000_000, 40_000)
    column = table[0].index("Payback swing (months)")
    assert all(row[column] in ("", "never") for row in table[1:])


@pytest.mark.parametrize(
    "case",
    [
        example_case(),  # data generation worked out from the corpus: it moves with the teacher
        example_case().replace(batch_discount=0.5, data_generation_passes=2.0, monthly_growth=0.0),
        Case(  # a typed total: nothing moves
            monthly_calls=1_500_000,
            monthly_growth=0.02,
            teacher_cost_per_1k=7.5,
            student_cost_per_1k=0.46,
            upfront_cost=40_000,
            annual_maintenance=24_000,
        ),
    ],
    ids=["corpus", "discounted passes", "typed total"],
)
def test_headline_table_is_the_cases_own_sensitivity(case):
    """SENSITIVITY given the teacher's labels of the corpus (the workbook's "Of which the
    teacher's labels" row) gives the case's own sensitivity, row for row and figure for figure:
    the teacher's row, its break-even and Teacher price halved move data generation with the
    price, as ``xl-roi sensitivity`` does. Given only the upfront total, the teacher's row once
    read 6.5 months where the CLI read 6.1."""
    from xl_roi.workbook.layout import mirror_values

    values = mirror_values(case)
    table = headline_table(
        values["upfront"],
        values["teacher_cost"],
        values["student_cost"],
        values["monthly_calls"],
        values["maintenance"],
        0.5,
        values["target_payback_months"],
        values["monthly_growth"],
        teacher_labelling_cost=values["teacher_labelling"],
    )
    own = sensitivity(case, 0.5, assumptions=[*assumptions_of(case), "monthly_growth"][:6])
    own = own.set_index("assumption")
    columns = ["low", "high", "payback_low", "payback_high", "net_low", "net_high"]
    columns += ["payback_swing", "breakeven_payback", "breakeven_net"]
    assert [row[0] for row in table[1:7]] == list(own.index[:6])  # the same ranking
    assert [row[0] for row in table[7:]] == list(own.index[6:])  # the same scenarios
    for row in table[1:]:
        expected = own.loc[row[0]]
        for column, cell in zip(columns, row[1:], strict=True):
            figure = float(expected[column])
            if cell in ("", "never"):  # no figure: none in the case's own either
                assert math.isnan(figure) or math.isinf(figure), (row[0], column, figure)
            else:
                assert agree(cell, figure), (row[0], column, cell, figure)


@pytest.mark.parametrize("command", ["sensitivity", "simulate"])
def test_cli_says_the_slices_with_their_own_cost_per_error_stay_put(tmp_path, capsys, command):
    """Moving the cost per error moves the case's; a slice that gives its own keeps it, and
    both commands say which (they once moved the case's alone without a word); where that
    slice alone breaks the case, the break-even says so, not "not on its own"."""
    from xl_roi import cli

    slices = "".join(
        f'[[quality_slices]]\nname = "{name}"\nbusiness_critical = false\nteacher_score = 0.9\n'
        f"student_score = 0.85\nallowed_drop = 0.2\ntraffic_share = 0.3\n{own}"
        for name, own in (("Refunds", "cost_per_error = 4.0\n"), ("General", ""))
    )
    for listed, said in ((slices, True), (slices.replace("cost_per_error = 4.0\n", ""), False)):
        case = tmp_path / "c.toml"
        case.write_text(
            'name = "t"\n[volume]\nmonthly_calls = 1_000_000\n'
            "[teacher]\ncost_per_1k = 10.0\n[student]\ncost_per_1k = 1.0\n"
            "[upfront]\ntotal = 10_000\n[maintenance]\nannual = 1_000\n"
            f"[quality]\ncost_per_error = 0.5\n{listed}"
        )
        cli.main([command, str(case), *(["--draws", "1000"] if command == "simulate" else [])])
        out = capsys.readouterr().out
        note = "the case's cost per error moves; slice Refunds keeps its own"
        assert (note in out) is said, out
        if command == "sensitivity":  # Refunds' own cost alone (60,000 a month) outweighs
            # the 9,000 a month of compute saved: broken at every cost per error, even none
            broken = "breaks payback target: at every cost per error, even none"
            assert (broken in out) is said, out
