"""Tests of xl_roi.formula: the kernel's formula backend writes formulas that an engine we did
not write (the ``formulas`` package) computes to the value the backend carries, and that value
is the float kernel's, to 1e-12."""

from __future__ import annotations

import math

import formulas
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.cases import WORKBOOK_CASES
from tests.figures import agree
from xl_roi import _kernel
from xl_roi.case import DEFAULT_INPUTS
from xl_roi.formula import DIV0, NUM, VALUE, Expr, FormulaOps, as_expr, is_number
from xl_roi.workbook import layout

CONSTANTS = {"calls_per_1k": 1000.0, "months_per_year": 12.0}


def _formula(function, names):
    """``function`` of the kernel over ``names``, as formula text."""
    ops = FormulaOps()
    return as_expr(function(*(ops.name(name) for name in names), ops=ops)).text


def _compiled(text):
    """The ``formulas`` package's function for a formula text, and its inputs' names."""
    compiled = formulas.Parser().ast("=" + text)[1].compile()
    return compiled, [name.lower() for name in compiled.inputs]


def _engine_value(compiled, order, values):
    import schedula  # the formulas engine's own blank cell

    value = compiled(*(schedula.EMPTY if values[name] is None else values[name] for name in order))
    value = value.item() if hasattr(value, "item") else value
    return value


def _monthly_savings(teacher, student, calls, ops=_kernel.SCALAR):
    named = _kernel.Named(  # every other input at the case's default
        DEFAULT_INPUTS,
        teacher_cost_per_1k=teacher,
        student_cost_per_1k=student,
        monthly_calls=calls,
    )
    return _kernel.monthly_savings(named, ops)


# (kernel function, the names it reads); each formula is compiled once for all examples
CALCULATIONS = {
    "monthly_savings": (_monthly_savings, ("teacher", "student", "calls")),
    "annual_net_benefit": (_kernel.annual_net_benefit, ("savings", "maintenance")),
    "payback": (_kernel.payback, ("upfront", "savings", "growth")),
    "first_year_net": (_kernel.first_year_net, ("upfront", "savings", "maintenance", "growth")),
}


@pytest.fixture(scope="module")
def engines():
    compiled = {}
    for key, (function, names) in CALCULATIONS.items():
        compiled[key] = _compiled(_formula(function, names))
    return compiled


MONEY = st.floats(min_value=0.0, max_value=1e9, allow_subnormal=False)
GROWTH = st.one_of(
    st.just(0.0),
    st.floats(min_value=-0.5, max_value=1.0, allow_subnormal=False),
    st.floats(min_value=-1e-9, max_value=1e-9, allow_subnormal=False),
)


@settings(max_examples=150, deadline=None)
@given(
    teacher=st.floats(min_value=0.01, max_value=100.0),
    student=st.floats(min_value=0.0, max_value=100.0),
    calls=MONEY,
    upfront=MONEY,
    maintenance=MONEY,
    growth=GROWTH,
)
def test_formulas_compute_what_the_kernel_computes(
    engines, teacher, student, calls, upfront, maintenance, growth
):
    """Each formula, computed by the ``formulas`` engine, equals the value the backend carries,
    and both equal the float kernel (a payback that never comes: the never text, and inf)."""
    values = dict(
        CONSTANTS,
        teacher=teacher,
        student=student,
        calls=calls,
        upfront=upfront,
        maintenance=maintenance,
        growth=growth,
    )
    values["savings"] = _monthly_savings(teacher, student, calls)
    for key, (function, names) in CALCULATIONS.items():
        ops = FormulaOps(values)
        carried = as_expr(function(*(ops.name(name) for name in names), ops=ops)).value
        expected = function(*(values[name] for name in names))
        compiled, order = engines[key]
        engine = _engine_value(compiled, order, values)
        if isinstance(carried, str):
            assert math.isinf(expected), key
            assert carried.startswith("#NUM! never pays back: ") and engine == carried, key
        else:
            assert agree(carried, expected), (key, carried, expected)
            assert agree(engine, carried), (key, engine, carried)


def test_payback_never_texts_say_why():
    """A student that saves nothing and a shrink that outruns the savings each get their own
    reason, as the add-in's PAYBACK returns it."""
    base = dict(CONSTANTS, upfront=10_000.0, growth=0.0)
    no_savings = _kernel.payback(
        *(FormulaOps({**base, "savings": -5.0}).name(n) for n in ("upfront", "savings", "growth")),
        ops=FormulaOps({**base, "savings": -5.0}),
    )
    assert no_savings.value == "#NUM! never pays back: " + _kernel.NEVER_SAVINGS
    shrinking = {**base, "savings": 100.0, "growth": -0.5}
    ops = FormulaOps(shrinking)
    result = _kernel.payback(ops.name("upfront"), ops.name("savings"), ops.name("growth"), ops=ops)
    assert result.value == "#NUM! never pays back: " + _kernel.NEVER_SHRINKING


def test_operands_keep_the_kernels_order():
    """a − (b − c) and a / (b × c) keep their brackets; (a − b) − c needs none: a spreadsheet
    then adds and multiplies in the kernel's order, so the value is the kernel's bit for bit."""
    ops = FormulaOps({"a": 1.0, "b": 2.0, "c": 3.0})
    a, b, c = ops.name("a"), ops.name("b"), ops.name("c")
    assert (a - (b - c)).text == "a-(b-c)"
    assert ((a - b) - c).text == "a-b-c"
    assert (a / (b * c)).text == "a/(b*c)"
    assert (a * b / c).text == "a*b/c"
    assert (-(a + b)).text == "-(a+b)"
    assert ((a - b) - c).value == (1.0 - 2.0) - 3.0 and (a - (b - c)).value == 1.0 - (2.0 - 3.0)


def test_errors_flow_as_values():
    """Division by zero, text in arithmetic and overflow give the spreadsheet's error values,
    which flow on through later arithmetic and comparisons; the IF branch not taken never
    matters."""
    ops = FormulaOps({"zero": 0.0, "word": "not used", "big": 1e308})
    zero, word, big = ops.name("zero"), ops.name("word"), ops.name("big")
    assert (1.0 / zero).value is DIV0
    assert (word + 1.0).value is VALUE
    assert (big * big).value is NUM
    assert ((1.0 / zero) + 1.0).value is DIV0
    assert ops.where(zero == 0.0, lambda: 5.0, lambda: 1.0 / zero).value == 5.0
    assert ops.where(1.0 / zero > 0.0, lambda: 5.0, lambda: 6.0).value is DIV0


def test_a_formula_has_no_truth_value_in_python():
    """Branching on a formula in Python would pick one branch for every value: refused."""
    with pytest.raises(TypeError, match=r"ops\.where"):
        bool(FormulaOps().name("x") > 0.0)


def test_python_constants_fold():
    """isinf/isnan of a Python constant decide in Python; OR with False is the other side."""
    ops = FormulaOps({"g": 0.0})
    g = ops.name("g")
    assert ops.isnan(math.nan) and not ops.isnan(g)
    folded = (g == 0.0) | ops.isinf(g)
    assert isinstance(folded, Expr) and folded.text == "g=0"


def test_is_number_is_isnumber():
    """Numbers only: not text, truth values or errors."""
    assert is_number(1.0) and is_number(0)
    assert not any(is_number(value) for value in ("1", True, NUM, None))


def test_constants_read_back_as_the_same_double():
    """A number written into a formula reads back as the same double."""
    for number in (0.1, 1 / 3, 1e-300, 12.0, 123456789012345.0, -2.5):
        text = as_expr(number).text
        assert float(text.lstrip("-")) == abs(number)


# --- every Calculations row the kernel writes: an engine we did not write agrees -----------


@pytest.fixture(scope="module")
def generated_rows():
    """Each kernel-written Calculations row's portable formula, compiled once."""
    rows = [row for row in layout.CALC_ROWS.values() if row.calc is not None]
    return {row.name: _compiled(row.native or row.formula) for row in rows}


def _same_cell(engine, stored):
    if isinstance(stored, str):
        return engine == stored
    if isinstance(stored, bool):
        return bool(engine) == stored
    return agree(engine, stored)


@pytest.mark.parametrize("label", sorted(WORKBOOK_CASES))
def test_every_generated_row_computes_to_its_stored_value(generated_rows, label):
    """For each workbook case, the ``formulas`` engine computes every row the kernel writes
    (savings, payback, break-even, GPUs, the student's cost, …) from the same names to the
    value the workbook stores: the formula text and the stored value are one definition."""
    values = layout.mirror_values(WORKBOOK_CASES[label])
    for name, (compiled, order) in generated_rows.items():
        engine = _engine_value(compiled, order, values)
        assert _same_cell(engine, values[name]), (name, engine, values[name])


def test_a_blank_cell_is_zero_in_arithmetic_and_n_reads_it_as_zero():
    """As a spreadsheet: a blank cell is 0 in arithmetic (days × day rate with both blank is
    0, not an error), ISNUMBER of it is FALSE, and N() turns a blank, text or TRUE into 0, 0, 1."""
    ops = FormulaOps({"days": None, "rate": None, "word": "x", "yes": True, "share": 0.25})
    assert (ops.name("days") * ops.name("rate")).value == 0.0
    assert ops.isnumber(ops.name("days")).value is False
    assert [ops.n(ops.name(n)).value for n in ("days", "word", "yes", "share")] == [
        0.0,
        0.0,
        1.0,
        0.25,
    ]
    assert ops.n(ops.name("share")).text == "N(share)"
