"""Break-even volumes of a student on whole GPUs, against a scan of the GPU bands.

Serving cost steps up a GPU-month each time volume crosses a GPU's capacity, so within each
band of volume the savings rise, then drop at the next band: a band can hold the case only in
part. The break-even volume is the lowest volume above which the case holds at every volume.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from xl_roi import Case, breakeven_values, evaluate
from xl_roi._sensitivity import volume_holds_below

SECONDS_IN_A_MONTH = 730 * 3600  # 730 hours a month, as the method has it

# One GPU: 2.00 an hour × 730 = 1,460 a month; 1 call a second at 50 % load, flat traffic:
# 0.5 × 2,628,000 = 1,314,000 calls a month. Teacher 2.00 per 1,000 calls, no escalation:
# a full GPU saves 1,314 × 2 = 2,628 a month before its bill. 12,000 upfront, 12-month target,
# 12,000 maintenance a year: both need 1,000 a month of savings. On n GPUs savings are
# 2 × v / 1000 − 1,460 n, so the case holds from v_n = (1,000 + 1,460 n) × 500 = 500,000 +
# 730,000 n: band 1 (to 1,314,000) holds from 1,230,000, band 2 (to 2,628,000) from 1,960,000,
# band 3 (to 3,942,000) from 2,690,000, band 4 from its start (3,420,000 < 3,942,000).
BANDS = Case(
    name="Three partly profitable GPU bands",
    monthly_calls=3_000_000,
    teacher_cost_per_1k=2.0,
    upfront_cost=12_000,
    annual_maintenance=12_000,
    target_payback_months=12,
    gpu_hourly_cost=2.0,
    calls_per_second_per_gpu=1.0,
    target_utilization=0.5,
    peak_factor=1.0,
)


def test_hand_worked_bands_both_break_evens_are_2_690_000():
    """The case of three partly profitable bands: both volume break-evens are 2,690,000, not
    the 1,960,000 where band 2 starts to hold (at 2,650,000, band 3, the case loses money)."""
    at_payback, at_net = breakeven_values(BANDS)["monthly_calls"]
    assert at_payback == pytest.approx(2_690_000, rel=1e-12)
    assert at_net == pytest.approx(2_690_000, rel=1e-12)
    # 2,650,000 on 3 GPUs: 5,300 − 4,380 = 920 a month; 12 × 920 − 12,000 = −960
    assert evaluate(BANDS.replace(monthly_calls=2_650_000)).annual_net_benefit == pytest.approx(
        -960
    )
    # 2,000,000 on 2 GPUs: 4,000 − 2,920 = 1,080 a month: the case holds below the break-even
    assert evaluate(BANDS.replace(monthly_calls=2_000_000)).annual_net_benefit == pytest.approx(960)
    assert volume_holds_below(BANDS) == (True, True)


def test_one_partly_profitable_band_below_and_a_single_threshold():
    """With 500 a month needed the case holds in band 1 and from 1,710,000 in band 2; with a
    cheaper GPU it holds at every volume from one threshold in band 1, nothing below it."""
    # 6,000 ÷ 12 = 500 a month; on n GPUs from (500 + 1,460 n) × 500 = 250,000 + 730,000 n:
    # band 1 from 980,000 (to 1,314,000), band 2 from 1,710,000, band 3 from 2,440,000 ≤
    # 2,628,000 (its first volume): the break-even is 1,710,000, and band 1 holds below it.
    case = BANDS.replace(upfront_cost=6_000, annual_maintenance=6_000)
    assert breakeven_values(case)["monthly_calls"] == pytest.approx((1_710_000, 1_710_000))
    assert volume_holds_below(case) == (True, True)
    # 0.40 an hour (292 a month): band 2 needs (500 + 584) × 500 = 542,000 ≤ 1,314,000, so it
    # holds in full; band 1 from (500 + 292) × 500 = 396,000: one threshold, nothing below it
    cheap = case.replace(gpu_hourly_cost=0.4)
    assert breakeven_values(cheap)["monthly_calls"] == pytest.approx((396_000, 396_000))
    assert volume_holds_below(cheap) == (False, False)
    per_call = case.replace(
        gpu_hourly_cost=None, calls_per_second_per_gpu=None, student_cost_per_1k=1.0
    )
    assert volume_holds_below(per_call) == (False, False)


def _scan(needed: float, margin_per_1k: float, gpu: float, capacity: float, bands: int) -> float:
    """The lowest volume above which savings reach ``needed`` at every volume, by walking the
    bands down from the top one: a band that holds from its first volume is passed over; in the
    first that does not, the case holds from v_n (when v_n lies in it) or only above it."""
    for n in range(bands, 0, -1):
        start = (needed + n * gpu) * 1000 / margin_per_1k  # savings = needed on n GPUs
        if n > 1 and start <= capacity * (n - 1):
            continue  # the whole band holds
        return min(start, capacity * n)
    raise AssertionError("band 1 never holds from its first volume")


def _holds(case: Case, volume: float, metric: str) -> bool:
    result = evaluate(case.replace(monthly_calls=volume))
    if metric == "payback":
        return result.payback_months <= case.target_payback_months
    return result.annual_net_benefit > 0


# each example scans 80 GPU bands and evaluates the case at each: half the profile's examples
# (100 by default, 1,500 with XL_ROI_HYPOTHESIS=thorough)
@settings(max_examples=max(1, settings.default.max_examples // 2))
@given(
    rate=st.floats(0.5, 50),
    teacher=st.floats(0.5, 20),
    gpu_share=st.floats(0.05, 0.9),  # a GPU's bill ÷ what a full GPU saves
    needed_share=st.just(0.0) | st.floats(0.01, 6.0),  # savings needed ÷ a full GPU's
    base_band=st.integers(1, 12),
    base_place=st.floats(0.05, 1.0),
    metric=st.sampled_from(["payback", "net"]),
)
def test_break_even_volume_is_where_every_higher_volume_holds(
    rate, teacher, gpu_share, needed_share, base_band, base_place, metric
):
    """Both volume break-evens equal a scan of the GPU bands: just above them the case holds
    at every band's first volume, just below them it fails, wherever the case's volume sits."""
    capacity = rate * SECONDS_IN_A_MONTH  # full load, flat traffic
    full = capacity * teacher / 1000  # a full GPU's savings a month before its bill
    gpu = full * gpu_share
    needed = full * needed_share
    assume(needed > 0 or metric == "net")  # nothing to pay back: payback's break-even is 0
    quotient = (needed + full) / (full - gpu)  # from this many GPUs a whole band holds
    assume(abs(quotient - round(quotient)) > 1e-9 * quotient)  # no tie a rounding settles
    case = Case(
        monthly_calls=capacity * (base_band - 1 + base_place),
        teacher_cost_per_1k=teacher,
        gpu_hourly_cost=gpu / 730,
        calls_per_second_per_gpu=rate,
        target_utilization=1.0,
        peak_factor=1.0,
        target_payback_months=12,
        upfront_cost=needed * 12 if metric == "payback" else 1_000,
        annual_maintenance=needed * 12 if metric == "net" else 0,
    )
    # (needed + full) / (full − gpu) ≤ 7 / 0.1 = 70: every band from 80 on holds in full
    expected = _scan(needed, teacher, gpu, capacity, 80)
    got = breakeven_values(case)["monthly_calls"][0 if metric == "payback" else 1]
    assert got == pytest.approx(expected, rel=1e-9)
    # the engine itself: holds just above, fails just below, holds from every higher band's start
    assume(all(abs(expected / (capacity * n) - 1) > 1e-6 for n in range(1, 82)))
    assert _holds(case, expected * (1 + 1e-9), metric)
    if expected > 0:
        assert not _holds(case, expected * (1 - 1e-9), metric)
    first = math.floor(expected / capacity) + 1
    for n in range(first, 82):
        assert _holds(case, capacity * n * (1 + 1e-9), metric), n
    # below it: some band's top volume holds, or none does
    band = math.ceil(expected / capacity)
    tops = [n for n in range(1, band) if abs((needed + n * gpu) / (full * n) - 1) > 1e-9]
    holds = any(_holds(case, capacity * n * (1 - 1e-12), metric) for n in tops)
    assert volume_holds_below(case)[0 if metric == "payback" else 1] == holds


BANDS_FILE = """name = "Bands"
[volume]
monthly_calls = 3_000_000
[teacher]
cost_per_1k = 2.0
[student]
gpu_hourly_cost = 2.0
calls_per_second_per_gpu = 1.0
target_utilization = 0.5
peak_factor = 1.0
[upfront]
total = 12_000
[maintenance]
annual = 12_000
"""


def _sensitivity_output(tmp_path, capsys, *extra: str) -> str:
    from xl_roi import cli

    path = tmp_path / "bands.toml"
    path.write_text(BANDS_FILE)
    assert cli.main(["sensitivity", str(path), *extra]) in (0, None)
    return capsys.readouterr().out


def test_cli_says_lower_volumes_hold_too(tmp_path, capsys):
    """`xl-roi sensitivity` gives 2,690,000 for both volume break-evens and says that some lower
    volumes hold too; with --json, the same as two flags."""
    out = _sensitivity_output(tmp_path, capsys)
    line = next(x for x in out.splitlines() if "payback: below" in x and "Monthly volume" in x)
    assert "payback: below 2,690,000" in line and "net benefit: below 2,690,000" in line
    assert "also holds at some volumes below the payback and net-benefit break-evens" in out
    import json

    data = json.loads(_sensitivity_output(tmp_path, capsys, "--json"))
    assert data["volume_holds_below_breakeven"] == {"payback": True, "net": True}
    volume = next(row for row in data["rows"] if row["assumption"] == "Monthly volume")
    assert volume["breakeven_net"] == pytest.approx(2_690_000, rel=1e-12)


def test_cli_says_nothing_of_lower_volumes_for_a_single_threshold(tmp_path, capsys):
    """With a GPU at 0.40 an hour the case holds at every volume from one threshold, nothing
    below it: no note."""
    # 292 a month: band 1 from (1,000 + 292) × 500 = 646,000; band 2 from 792,000 ≤ 1,314,000
    path = tmp_path / "cheap.toml"
    path.write_text(BANDS_FILE.replace("gpu_hourly_cost = 2.0", "gpu_hourly_cost = 0.4"))
    from xl_roi import cli

    assert cli.main(["sensitivity", str(path)]) in (0, None)
    assert "also holds" not in capsys.readouterr().out


@pytest.mark.parametrize("portable", [False, True])
def test_sensitivity_sheet_says_lower_volumes_may_hold_on_whole_gpus(tmp_path, portable):
    """The Sensitivity sheet of a self-hosted case says what its break-even volumes mean and
    that lower volumes may hold too; a student priced per call gets no such words."""
    import openpyxl

    from xl_roi.workbook.build import save_workbook

    path = tmp_path / "bands.xlsx"
    save_workbook(BANDS, path, portable=portable)
    note = openpyxl.load_workbook(path)["Sensitivity"]["A3"].value
    assert "holds at every volume" in note and "some lower volumes may hold too" in note
    per_call = BANDS.replace(
        gpu_hourly_cost=None, calls_per_second_per_gpu=None, student_cost_per_1k=1.0
    )
    save_workbook(per_call, tmp_path / "per_call.xlsx", portable=portable)
    note = openpyxl.load_workbook(tmp_path / "per_call.xlsx")["Sensitivity"]["A3"].value
    assert "holds at every volume" not in note
