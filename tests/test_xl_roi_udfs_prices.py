"""MODEL_PRICE through xlwings' own UDF machinery (see tests/xlwings_harness.py)."""

from __future__ import annotations

import pytest

from tests.xlwings_harness import call_like_excel, real_xlwings_udfs
from xl_roi.prices import model_prices

NA = -2146826246  # what COM hands over for a #N/A cell


@pytest.fixture(scope="module")
def udfs():
    with real_xlwings_udfs() as module:
        yield module


def scalar(result):
    assert isinstance(result, list) and len(result) == 1 and len(result[0]) == 1, result
    return result[0][0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # OpenAI's list prices for gpt-4o-mini per million tokens
        (("gpt-4o-mini", "input"), 0.15),
        (("gpt-4o-mini", "output", "openai"), 0.6),
        (("gpt-4o-mini", "Cached Input"), 0.075),
        (("GPT-4o-mini", "output", None), 0.6),
    ],
)
def test_prices_in_a_cell(udfs, args, expected):
    """MODEL_PRICE gives the list price per million tokens, as `xl-roi prices` does."""
    assert scalar(call_like_excel(udfs.MODEL_PRICE, *args)) == expected


def test_same_as_the_core(udfs):
    """Every kind equals the core's price for the same model."""
    prices = model_prices("gpt-4o")
    for kind in ("input", "output", "cached_input"):
        assert scalar(call_like_excel(udfs.MODEL_PRICE, "gpt-4o", kind)) == prices.per_million(kind)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((None, "input"), "#VALUE! model is blank"),
        ((NA, "input"), "#VALUE! model is an error cell (#N/A)"),
        ((3.0, "input"), "#VALUE! model must be text, got the number 3"),
        ((True, "input"), "#VALUE! model must be text, got TRUE"),
        ((((1.0, 2.0),), "input"), "#VALUE! model must be a single cell"),
        (("gpt-4o", None), "#VALUE! kind is blank"),
        (("gpt-4o", "audio"), "#VALUE! kind must be input, output or cached_input"),
        (("gpt-4o", "input", 5.0), "#VALUE! provider must be text"),
        (("acme-llm-7b", "input"), "#N/A the price table"),
        (("gpt-4o", "input", "nobody"), "#N/A the price table"),
    ],
)
def test_bad_values_give_reasons(udfs, args, expected):
    """Blank, error, numbers, TRUE, ranges, unknown kinds and models: a reason, never 0."""
    cell = scalar(call_like_excel(udfs.MODEL_PRICE, *args))
    assert isinstance(cell, str) and cell.startswith(expected), cell
