"""Tests of `measure --reprice`: the teacher's logged calls at a candidate student's prices.

Expected costs are worked by hand from tests/fixtures/logs/canonical.csv: gpt-4o's 20 successful
calls have 1000 input tokens (420 cached over 20 calls: 21 a call) and 200 output tokens.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xl_roi._measure._reprice import reprice
from xl_roi.cli import main
from xl_roi.errors import InputError

CANONICAL = Path(__file__).parent / "fixtures" / "logs" / "canonical.csv"


def run(capsys, *argv):
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


tokens = st.floats(0, 1e5)
price = st.floats(0, 100)


@given(tokens, tokens, tokens, price, price, price, st.floats(0.1, 10))
def test_output_factor_scales_only_the_output_part(inp, cached, out, p_in, p_out, p_cached, f):
    """Cost with a factor = cost without outputs + factor × the outputs' cost."""
    cached = min(cached, inp)
    prices = (p_in, p_out, p_cached, "given")
    base = reprice(inp, cached, 0.0, prices).cost_per_1k
    outputs = reprice(0.0, 0.0, out, prices).cost_per_1k
    got = reprice(inp, cached, out, prices, output_factor=f).cost_per_1k
    assert got == pytest.approx(base + f * outputs, rel=1e-9, abs=1e-12)


def test_bad_factor_and_missing_tokens_are_refused():
    """A factor ≤ 0 or logs without tokens are refused, never priced."""
    with pytest.raises(InputError, match="factor"):
        reprice(1, 0, 1, (1, 1, 1, "x"), output_factor=0)
    with pytest.raises(InputError, match="no token counts"):
        reprice(math.nan, 0, math.nan, (1, 1, 1, "x"))


@pytest.mark.parametrize(
    ("factor", "expected"),
    [
        # (979 × 2 + 21 × 1 + 200 × 8) / 1e6 × 1000 = 3.579
        ([], 3.579),
        # outputs half as long: (1958 + 21 + 800) / 1000 = 2.779
        (["--output-factor", "0.5"], 2.779),
    ],
)
def test_writes_the_students_measured_cost(capsys, tmp_path, factor, expected):
    """-o with --reprice writes [student] cost_per_1k: the teacher's calls at the candidate's
    prices, under a comment naming the logs and the prices."""
    case = tmp_path / "case.toml"
    code, _, err = run(
        capsys,
        "measure",
        CANONICAL,
        "--teacher",
        "gpt-4o",
        "--reprice",
        "cand-8b",
        "--price",
        "cand-8b=2,8,1",
        *factor,
        "-o",
        case,
    )
    assert code == 0, err
    text = case.read_text()
    student = tomllib.loads(text)["student"]
    assert student["cost_per_1k"] == pytest.approx(expected)
    assert "input_price_per_million" not in student  # the example's prices are replaced
    lines = text.splitlines()
    index = next(
        i
        for i, line in enumerate(lines)
        if line.startswith("cost_per_1k = ") and i > lines.index("[student]")
    )
    assert "repriced at cand-8b" in lines[index - 1] and "canonical.csv" in lines[index - 1]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--reprice", "gpt-4o-mini"], "--teacher MODEL"),
        (["--teacher", "gpt-4o", "--student", "x", "--reprice", "gpt-4o-mini"], "not both"),
        (["--teacher", "gpt-4o", "--output-factor", "2"], "goes with --reprice"),
        (["--teacher", "gpt-4o", "--reprice", "acme-unknown-9b"], "--price acme-unknown-9b="),
    ],
)
def test_bad_use_exits_2(capsys, argv, message):
    """Wrong combinations and an unknown candidate: exit 2 with a message naming the fix."""
    code, _, err = run(capsys, "measure", CANONICAL, *argv)
    assert code == 2 and message in err
