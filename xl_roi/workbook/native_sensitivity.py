"""The portable flavour's Sensitivity table in native spreadsheet formulas, worked in view.

The add-in flavour fills the 10 × 10 table with one ``SENSITIVITY`` array formula. The portable
flavour has no such function, so it lays the same arithmetic out below the chart, one row per
variant of the case (the base, each assumption at its low and at its high value, the three
scenarios), works out payback and annual net benefit in each, ranks the assumptions as
:func:`xl_roi._sensitivity.headline_table` does (payback swing, then net-benefit swing, largest
first; ties keep the order volume, teacher, student or GPU, upfront, maintenance, growth) and
picks the table's rows with ``INDEX``/``MATCH``. The break-evens are the core's closed forms
(on whole GPUs, the volume above which the case holds at every volume, its last partly
profitable band found by ``ROUNDUP``); where the core bisects (the monthly growth at which
payback meets the target), the same bisection runs down helper rows, a fixed number of
halvings, each row one step.

Next to every formula stands the Python that gives its value, so the workbook stores each
result (the table itself stores :func:`~xl_roi._sensitivity.headline_table`'s cells).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from xl_roi import _kernel, costs
from xl_roi._sensitivity import RANK_DIGITS, rank_figure
from xl_roi.batch import ASSUMPTIONS
from xl_roi.formula import ARITHMETIC, Expr, FormulaOps, as_expr
from xl_roi.workbook import layout
from xl_roi.workbook.names import WorkbookNames

__all__ = ["GROWTH_STEPS", "Working", "working"]

GROWTH_STEPS = 120
"""Halvings for the monthly growth at which payback meets the target: the bracket is at most
2^21 wide, so 120 halvings narrow it to 2^-99 (below 2e-30), to the last bit for any growth
above about 1e-14 in size."""

GROWTH_LOW = -0.999999
GROWTH_HIGH_CAP = 1e6
"""The core's bisection bracket (:mod:`xl_roi._sensitivity`): growth from just above −100 %,
the upper end doubled from 100 % while it falls short (up to a million)."""

NEVER = "never"
NOT_USED = layout.NOT_USED


@dataclass
class Working:
    """The cells the portable Sensitivity sheet writes: formula cells (formula, stored value,
    number format), plain cells (labels and fixed numbers), and the table's cells."""

    formulas: dict[str, tuple[str, Any, str]] = field(default_factory=dict)
    plain: dict[str, Any] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)


def _paid(value: Any) -> bool:
    return isinstance(value, float | int) and not isinstance(value, bool)


def _swing_value(low: Any, high: Any) -> Any:
    if _paid(low) and _paid(high):
        return abs(high - low)
    return NEVER if (_paid(low) or _paid(high)) else ""


def _swing_formula(low: str, high: str) -> str:
    return (
        f"IF(AND(ISNUMBER({low}), ISNUMBER({high})), ABS({high}-{low}), "
        f'IF(OR(ISNUMBER({low}), ISNUMBER({high})), "{NEVER}", ""))'
    )


def _log1p(x: str) -> str:
    return f"IF((1+{x})-1=0, {x}, LN(1+{x})*{x}/((1+{x})-1))"


def working(v: dict[str, Any], table: list[list[Any]], top: int) -> Working:
    """Every cell of the native Sensitivity table and its working, with the stored values.

    Parameters
    ----------
    v : dict
        The workbook's values (:func:`xl_roi.workbook.layout.mirror_values`).
    table : list of list
        :func:`~xl_roi._sensitivity.headline_table` for the case: the table's stored values.
    top : int
        The first row of the working (below the chart).

    Returns
    -------
    Working
        Cell → (formula, value, format) for formula cells; cell → value for the rest.

    Examples
    --------
    >>> from xl_roi import example_case
    >>> from xl_roi.workbook.layout import mirror_values
    >>> from xl_roi.workbook.build import _sensitivity_table
    >>> values = mirror_values(example_case())
    >>> cells = working(values, _sensitivity_table(values), 40)
    >>> formula, stored, _ = cells.formulas["A6"]   # the table's top row
    >>> formula.startswith("INDEX("), stored      # the assumption whose payback swings most
    (True, 'Monthly volume')
    """
    sheet = _Sheet(v, table, top)
    sheet.case_rows()
    sheet.variants()
    sheet.breakeven_rows()
    sheet.ranked_rows()
    sheet.scenario_rows()
    sheet.table_cells()
    return sheet.out


_NAMES = (
    "monthly_calls",
    "teacher_cost_per_1k",
    "student_cost_per_1k",
    "upfront_cost",
    "annual_maintenance",
    "monthly_growth",
)
"""The assumptions the table moves, in the core's order (ties keep it)."""

_VARIANT_HEADS = (
    "Variant",
    "Monthly calls",
    "Teacher cost per 1k",
    "Student cost per 1k",
    "GPU hourly cost",
    "Upfront cost",
    "Annual maintenance",
    "Monthly growth",
    "GPUs",
    "Student cost per 1k, with escalation",
    "Monthly savings",
    "Payback (months)",
    "Annual net benefit",
)


class _Sheet:
    """The working as it is laid out, top to bottom: the cells written so far (formula and
    value), every name's and cell's value for the formula backend, the row reached, and the
    references and values of the named steps."""

    def __init__(self, v: dict[str, Any], table: list[list[Any]], top: int) -> None:
        self.v, self.table, self.row = v, table, top
        self.out = Working()
        self.known: dict[str, Any] = dict(v)  # every name's and every written cell's value
        self.ops = FormulaOps(self.known)
        self.ref: dict[str, str] = {}
        self.val: dict[str, Any] = {}
        hosted = v["student_pricing"] == layout.MODE_SELF_HOSTED
        self.flag = bool(
            hosted and layout._number(v["gpu_hourly_cost"]) and v["gpu_hourly_cost"] != 0
        )
        self.per_call = v["escalation_share"] * v["teacher_cost"] if hosted else v["student_cost"]
        self.teacher = v["teacher_cost"]
        self.escalation = self.per_call / self.teacher if self.flag else 0.0
        self.hourly = float(v["gpu_hourly_cost"]) if self.flag else 0.0
        self.variant_rows: dict[str, int] = {}
        self.results: dict[int, dict[str, Any]] = {}
        self.moved: dict[str, tuple[float, float]] = {}

    def put(self, coordinate: str, formula: str, value: Any, number_format: str = "General") -> str:
        """A formula cell with its stored value; its absolute reference."""
        self.out.formulas[coordinate] = (formula, value, number_format)
        absolute = f"${coordinate[0]}${coordinate[1:]}"
        self.known[coordinate] = self.known[absolute] = value
        return absolute

    def worked(self, coordinate: str, expression: Any, number_format: str) -> Any:
        """A cell written and valued by the formula backend: one definition for both."""
        expression = as_expr(expression)
        self.put(coordinate, expression.text, expression.value, number_format)
        return expression.value

    def label(self, coordinate: str, text: Any) -> None:
        self.out.plain[coordinate] = text

    def scalar(self, name: str, text: str, formula: str, value: Any, fmt: str = "General") -> None:
        """A named step of the working on a row of its own."""
        self.label(f"A{self.row}", text)
        self.ref[name] = self.put(f"B{self.row}", formula, value, fmt)
        self.val[name] = value
        self.row += 1

    def heading(self, text: str) -> None:
        self.label(f"A{self.row}", text)
        self.out.headers.append(f"A{self.row}")
        self.row += 1

    # 1. the case as the table reads it
    def case_rows(self) -> None:
        v, ref = self.v, self.ref
        self.heading("Working: the table above, worked out row by row")
        self.scalar(
            "flag",
            "Self-hosted on GPUs that cost something",
            f"AND({layout.HOSTED_TEST}, gpu_hourly_cost<>0)",
            self.flag,
            layout.TRUE_FALSE,
        )
        self.scalar(
            "per_call",
            "Student cost per 1,000 calls (self-hosted: what it hands back to the teacher)",
            f"IF({layout.HOSTED_TEST}, escalation_share*teacher_cost, student_cost)",
            self.per_call,
            layout.PRICE,
        )
        self.scalar(
            "escalation",
            "Share of calls handed back to the teacher",
            f"IF({ref['flag']}, {ref['per_call']}/teacher_cost, 0)",
            self.escalation,
            "0.0000%",
        )
        self.scalar(
            "hourly",
            "GPU hourly cost",
            f"IF({ref['flag']}, gpu_hourly_cost, 0)",
            self.hourly,
            layout.PRICE,
        )
        self.factor = roi_factor(v["target_payback_months"], v["monthly_growth"])
        self.scalar(
            "factor",
            "Savings ÷ upfront at which payback meets the target",
            layout._target_factor(),
            self.factor,
            "0.000000000",
        )
        for name, text, value in (
            ("digits", "Significant figures swings are ranked on", float(RANK_DIGITS)),
            ("growth_low", "Growth searched from", GROWTH_LOW),
            ("growth_cap", "Growth searched up to at most", GROWTH_HIGH_CAP),
        ):
            self.label(f"A{self.row}", text)
            self.out.plain[f"B{self.row}"] = value
            ref[name] = f"$B${self.row}"
            self.val[name] = value
            self.row += 1

    # 2. the variants: one row each, one formula across
    def variant(self, key: str, text: str, moves: dict[str, tuple[str, float]]) -> None:
        """One variant of the case: its inputs (moved where ``moves`` says), then GPUs, the
        student's cost, savings, payback and net benefit, each the kernel's function."""
        r = self.row
        self.label(f"A{r}", text)
        for letter, (name, base) in self.base_cells.items():
            formula, value = moves.get(letter, (name, base))
            self.put(f"{letter}{r}", formula, value, "General")
        ops, at = self.ops, self.ops.name
        hosted_here = at(self.ref["flag"])
        gpus = self.worked(
            f"I{r}",
            ops.where(
                hosted_here,
                lambda: _kernel.whole_gpus(
                    _kernel.peak_calls_per_second(at(f"B{r}"), at("peak_factor"), ops),
                    at("calls_per_second_per_gpu"),
                    at("target_utilization"),
                    ops,
                ),
                lambda: NOT_USED,
            ),
            layout.COUNT,
        )
        self.worked(
            f"J{r}",
            ops.where(
                hosted_here,
                lambda: _kernel.gpu_cost_per_1k(at(f"I{r}"), at(f"E{r}"), at(f"B{r}"), ops),
                lambda: at(f"D{r}"),
            )
            + at(self.ref["escalation"]) * at(f"C{r}"),
            layout.PRICE,
        )
        savings = self.worked(
            f"K{r}",
            _kernel.monthly_savings(
                _kernel.Named(
                    WorkbookNames(ops),
                    teacher_cost_per_1k=at(f"C{r}"),
                    student_cost_per_1k=at(f"J{r}"),
                    monthly_calls=at(f"B{r}"),
                ),
                ops,
            ),
            layout.MONEY,
        )
        payback = self.worked(
            f"L{r}", _kernel.payback(at(f"F{r}"), at(f"K{r}"), at(f"H{r}"), ops), layout.MONTHS
        )
        net = self.worked(
            f"M{r}", _kernel.annual_net_benefit(at(f"K{r}"), at(f"G{r}"), ops), layout.MONEY
        )
        self.results[r] = {"savings": savings, "payback": payback, "net": net, "gpus": gpus}
        self.variant_rows[key] = r
        self.row += 1

    def variants(self) -> None:
        v, swing = self.v, self.v["sensitivity_swing"]
        self.row += 1
        for position, text in enumerate(_VARIANT_HEADS):
            self.label(f"{chr(65 + position)}{self.row}", text)
        self.out.headers.append(f"A{self.row}")
        self.row += 1
        self.base_cells = {
            "B": ("monthly_calls", float(v["monthly_calls"])),
            "C": ("teacher_cost", self.teacher),
            "D": (self.ref["per_call"], self.per_call),
            "E": (self.ref["hourly"], self.hourly),
            "F": ("upfront", v["upfront"]),
            "G": ("maintenance", v["maintenance"]),
            "H": ("monthly_growth", v["monthly_growth"]),
        }
        self.columns = {
            "monthly_calls": "B",
            "teacher_cost_per_1k": "C",
            "student_cost_per_1k": "E" if self.flag else "D",
            "upfront_cost": "F",
            "annual_maintenance": "G",
            "monthly_growth": "H",
        }
        self.variant("base", "The case", {})
        for name in _NAMES:
            # the student's row moves both its cost per 1k and the GPU's hourly cost: the one
            # the case uses counts (a flat cost, or whole GPUs)
            letters = "DE" if name == "student_cost_per_1k" else self.columns[name]
            title = (
                "Student cost per 1k or GPU hourly cost" if len(letters) > 1 else ASSUMPTIONS[name]
            )
            lows: dict[str, tuple[str, float]] = {}
            highs: dict[str, tuple[str, float]] = {}
            for letter in letters:
                base_ref, base = self.base_cells[letter]
                if name == "monthly_growth":
                    lows[letter] = (
                        f"{base_ref}-sensitivity_swing*ABS({base_ref})",
                        base - swing * abs(base),
                    )
                    highs[letter] = (
                        f"{base_ref}+sensitivity_swing*ABS({base_ref})",
                        base + swing * abs(base),
                    )
                else:
                    lows[letter] = (f"{base_ref}*(1-sensitivity_swing)", base * (1.0 - swing))
                    highs[letter] = (f"{base_ref}*(1+sensitivity_swing)", base * (1.0 + swing))
            if name == "teacher_cost_per_1k":  # the teacher's labels move with its price
                labelling = float(v["teacher_labelling"])
                lows["F"] = (
                    "upfront-teacher_labelling*sensitivity_swing",
                    v["upfront"] - labelling * swing,
                )
                highs["F"] = (
                    "upfront+teacher_labelling*sensitivity_swing",
                    v["upfront"] + labelling * swing,
                )
            column = self.columns[name]
            self.moved[name] = (lows[column][1], highs[column][1])
            self.variant(f"{name} low", f"{title}, low", lows)
            self.variant(f"{name} high", f"{title}, high", highs)
        halved_upfront = v["upfront"] - float(v["teacher_labelling"]) / 2.0
        self.scenarios = (
            ("Half volume", {"B": ("monthly_calls/2", float(v["monthly_calls"]) / 2.0)}),
            ("Maintenance twice as often", {"G": ("2*maintenance", 2.0 * v["maintenance"])}),
            (
                "Teacher price halved",  # and its labels of the corpus with it
                {
                    "C": ("teacher_cost/2", self.teacher / 2.0),
                    "F": ("upfront-teacher_labelling/2", halved_upfront),
                },
            ),
        )
        for text, moved in self.scenarios:
            self.variant(text, text, moved)
        self.base_row = self.variant_rows["base"]
        self.ref["base_row"] = str(self.base_row)
        self.base = self.results[self.base_row]

    def gap_saving(self, gap_formula: str, gap: float) -> Expr:
        """A cost gap per 1,000 calls (or any quantity the savings are that gap times) as what
        it saves: the kernel's :func:`~xl_roi._kernel.gap_savings` of it, the gap itself unless
        an input takes a share of every saving."""
        return as_expr(
            _kernel.gap_savings(
                WorkbookNames(self.ops), Expr(gap_formula, gap, ARITHMETIC), self.ops
            )
        )

    # 3. the break-evens, as the core works them (xl_roi._sensitivity.breakeven_values)
    def breakeven_rows(self) -> None:
        v, ref, base_row = self.v, self.ref, self.base_row
        self.row += 1
        self.heading("Break-evens")
        self.thousands = float(v["monthly_calls"]) / 1000.0
        serving = (
            self.base["gpus"] * self.hourly * costs.HOURS_PER_MONTH / self.thousands
            if self.flag
            else self.per_call
        )
        self.scalar(
            "serving",
            "Student serving cost per 1,000 calls (before escalation)",
            f"IF({ref['flag']}, I{base_row}*E{base_row}*hours_per_month/"
            f"(B{base_row}/calls_per_1k), D{base_row})",
            serving,
            layout.PRICE,
        )
        margin = self.gap_saving(
            f"teacher_cost*(1-{ref['escalation']})-{ref['serving']}",
            self.teacher * (1.0 - self.escalation) - serving,
        )
        self.margin = float(margin.value)
        self.scalar("margin", "Saving per 1,000 calls", margin.text, self.margin, layout.PRICE)
        self.saved = self.gap_saving("monthly_calls/calls_per_1k", self.thousands)
        self.needed_pay = v["upfront"] * self.factor
        self.needed_net = v["maintenance"] / 12.0
        self.scalar(
            "needed_pay",
            "Monthly savings that pay back on target",
            f"upfront*{ref['factor']}",
            self.needed_pay,
            layout.MONEY,
        )
        self.scalar(
            "needed_net",
            "Monthly savings that zero the annual net benefit",
            "maintenance/months_per_year",
            self.needed_net,
            layout.MONEY,
        )
        self.volume_net_ref, self.volume_net = _volume_threshold(
            self.out,
            v,
            ref,
            self.flag,
            self.escalation,
            self.hourly,
            self.row + 2 + GROWTH_STEPS + 30,
            self.gap_saving,
        )
        self.growth_ref, self.growth_pay = _growth_bisection(
            self.out, v, ref, self.base["savings"], self.row + 1
        )

    # 4. the assumptions in the core's order, then the scenarios: the table's columns A:J
    def ranked_rows(self) -> None:
        self.rank_top = self.row + GROWTH_STEPS + 30 + 10
        heads = (
            *self.table[0],
            "Payback never on one side",
            "Payback swing (0 when never)",
            "Net benefit swing",
            "Order",
            "Rank",
            "Table row shows",
        )
        for position, text in enumerate(heads):
            self.label(f"{chr(65 + position)}{self.rank_top - 1}", text)
        self.out.headers.append(f"A{self.rank_top - 1}")
        self.rank_bottom = self.rank_top + len(_NAMES) - 1
        keys = [self.assumption_row(index, name) for index, name in enumerate(_NAMES)]
        self.rank_cells(keys)

    def assumption_row(self, index: int, name: str) -> tuple[int, float, float]:
        """An assumption's row of the ranking: its low and high values, payback and net benefit
        at each, the swings, its break-evens and its ranking keys."""
        put, ref, flag = self.put, self.ref, self.flag
        r = self.rank_top + index
        low_row, high_row = self.variant_rows[f"{name} low"], self.variant_rows[f"{name} high"]
        column = self.columns[name]
        is_hosted_row = name == "student_cost_per_1k" and flag
        title = ASSUMPTIONS["gpu_hourly_cost" if is_hosted_row else name]
        if name == "student_cost_per_1k":
            put(
                f"A{r}",
                f'IF({ref["flag"]}, "{ASSUMPTIONS["gpu_hourly_cost"]}", '
                f'"{ASSUMPTIONS["student_cost_per_1k"]}")',
                title,
            )
            low_form = f"IF({ref['flag']}, E{low_row}, D{low_row})"
            high_form = f"IF({ref['flag']}, E{high_row}, D{high_row})"
        else:
            self.label(f"A{r}", title)
            low_form, high_form = f"{column}{low_row}", f"{column}{high_row}"
        low, high = self.moved[name]
        put(f"B{r}", low_form, low)
        put(f"C{r}", high_form, high)
        results = self.results
        pay_low, pay_high = results[low_row]["payback"], results[high_row]["payback"]
        shown = [pay if _paid(pay) else NEVER for pay in (pay_low, pay_high)]
        for letter, source, shown_value in (("D", low_row, shown[0]), ("E", high_row, shown[1])):
            put(f"{letter}{r}", f'IF(ISNUMBER(L{source}), L{source}, "{NEVER}")', shown_value)
        net_low, net_high = results[low_row]["net"], results[high_row]["net"]
        put(f"F{r}", f"M{low_row}", net_low)
        put(f"G{r}", f"M{high_row}", net_high)
        swing_value = _swing_value(pay_low, pay_high)
        put(f"H{r}", _swing_formula(f"L{low_row}", f"L{high_row}"), swing_value)
        pay_form, pay, net_form, net = _breakevens(
            name,
            ref,
            self.val,
            self.base["savings"],
            self.thousands,
            self.saved,
            self.margin,
            self.needed_pay,
            self.needed_net,
            self.teacher,
            flag,
            self.escalation,
            self.base["gpus"],
            self.volume_net_ref,
            self.volume_net,
            self.growth_ref,
            self.growth_pay,
            self.v,
        )
        if name != "upfront_cost":
            pay_form = f'IF(upfront=0, "", {pay_form})'
            pay = math.nan if self.v["upfront"] == 0.0 else pay
        put(f"I{r}", pay_form, _blank_if_nan(pay))
        put(f"J{r}", net_form, _blank_if_nan(net))
        never = 1.0 if swing_value == NEVER else 0.0
        finite = swing_value if _paid(swing_value) else 0.0
        net_swing = abs(net_high - net_low)
        put(f"K{r}", f'IF(H{r}="{NEVER}", 1, 0)', never)
        finite, net_swing = rank_figure(finite), rank_figure(net_swing)
        put(f"L{r}", f"IF(ISNUMBER(H{r}), {_rank_formula(f'H{r}', ref)}, 0)", finite)
        put(f"M{r}", _rank_formula(f"ABS(G{r}-F{r})", ref), net_swing)
        self.out.plain[f"N{r}"] = index + 1
        return int(never), float(finite), net_swing

    def rank_cells(self, keys: list[tuple[int, float, float]]) -> None:
        """Each assumption's rank (SUMPRODUCT over the keys) and the row each table row shows."""
        top, bottom = self.rank_top, self.rank_bottom
        span = {letter: f"{letter}${top}:{letter}${bottom}" for letter in "KLMNO"}
        for index in range(len(keys)):
            r = top + index
            k, p, n, o = (f"{letter}{r}" for letter in "KLMN")
            rank = 1 + sum(
                1
                for other, key in enumerate(keys)
                if (key[0], key[1], key[2], -other)
                > (keys[index][0], keys[index][1], keys[index][2], -index)
            )
            self.put(
                f"O{r}",
                f"SUMPRODUCT(({span['K']}>{k})+({span['K']}={k})*({span['L']}>{p})"
                f"+({span['K']}={k})*({span['L']}={p})*({span['M']}>{n})"
                f"+({span['K']}={k})*({span['L']}={p})*({span['M']}={n})*({span['N']}<={o}))",
                float(rank),
            )
        ranks = [self.out.formulas[f"O{top + index}"][1] for index in range(len(keys))]
        for index in range(len(keys)):
            r = top + index
            self.put(f"P{r}", f"MATCH(N{r}, {span['O']}, 0)", float(ranks.index(index + 1.0) + 1))

    def scenario_rows(self) -> None:
        self.scenario_top = self.rank_bottom + 1
        base_pay = self.base["payback"]
        for offset, (text, moved) in enumerate(self.scenarios):
            r = self.scenario_top + offset
            source = self.variant_rows[text]
            self.label(f"A{r}", text)
            letter, (_, value) = next(iter(moved.items()))  # the value the scenario names
            self.put(f"B{r}", f"{letter}{source}", value)
            pay = self.results[source]["payback"]
            self.put(
                f"D{r}",
                f'IF(ISNUMBER(L{source}), L{source}, "{NEVER}")',
                pay if _paid(pay) else NEVER,
            )
            self.put(f"F{r}", f"M{source}", self.results[source]["net"])
            self.put(
                f"H{r}",
                _swing_formula(f"L{source}", f"L{self.base_row}"),
                _swing_value(pay, base_pay),
            )

    # 5. the table: the assumptions picked by rank, the scenarios as they are
    def table_cells(self) -> None:
        table = self.table
        for offset in range(len(_NAMES)):
            r = 6 + offset
            for position in range(10):
                letter = chr(65 + position)
                self.put(
                    f"{letter}{r}",
                    f"INDEX({letter}${self.rank_top}:{letter}${self.rank_bottom}, "
                    f"$P${self.rank_top + offset})",
                    table[1 + offset][position],
                )
        for offset in range(len(self.scenarios)):
            r = 6 + len(_NAMES) + offset
            for letter in "ABDFH":
                self.put(
                    f"{letter}{r}",
                    f"{letter}{self.scenario_top + offset}",
                    table[7 + offset][ord(letter) - 65],
                )


def _blank_if_nan(value: float) -> Any:
    return "" if math.isnan(value) else value


def _rank_formula(x: str, ref: dict[str, str]) -> str:
    """:func:`xl_roi._sensitivity.rank_figure` natively: rounded to the ranked figures."""
    return f"IF({x}=0, 0, ROUND({x}, {ref['digits']}-1-INT(LOG10(ABS({x})))))"


def roi_factor(target: float, growth: float) -> float:
    """Savings ÷ upfront at which payback equals the target (the core's own)."""
    from xl_roi._sensitivity import _payback_factor

    return _payback_factor(target, growth)


def _breakevens(
    name: str,
    ref: dict[str, str],
    val: dict[str, Any],
    savings: float,
    thousands: float,
    saved: Expr,
    margin: float,
    needed_pay: float,
    needed_net: float,
    teacher: float,
    flag: bool,
    escalation: float,
    gpus: Any,
    volume_net_ref: str,
    volume_net: float,
    growth_ref: str,
    growth_pay: float,
    v: dict[str, Any],
) -> tuple[str, float, str, float]:
    """(payback formula, value, net formula, value) for one assumption; NaN/"" where none.
    ``saved`` is what a cost gap of 1 per 1,000 calls saves a month (the volume in thousands)."""
    nan = math.nan
    k = "(monthly_calls/calls_per_1k)"
    ks, kv = f"({saved.text})", float(saved.value)
    e = ref["escalation"]
    if name == "monthly_calls":
        pay = v["breakeven_calls"] if _paid(v["breakeven_calls"]) else nan
        pay_form = 'IF(ISNUMBER(breakeven_calls), breakeven_calls, "")'
        flat = needed_net * 1000.0 / margin if margin > 0 else nan
        net = volume_net if flag else flat
        net_form = (
            f'IF({ref["flag"]}, IF(ISNUMBER({volume_net_ref}), {volume_net_ref}, ""), '
            f"IF({ref['margin']}>0, "
            f'{ref["needed_net"]}*calls_per_1k/{ref["margin"]}, ""))'
        )
        net = net if net >= 0 else nan
        return pay_form, pay, net_form, net
    if name == "teacher_cost_per_1k":
        # the upfront cost as fixed + per_teacher × the teacher's price (its labels move)
        labelling = float(v["teacher_labelling"])
        per_teacher, fixed = labelling / teacher, float(v["upfront"]) - labelling
        denominator = (1.0 - escalation) * kv - per_teacher * val["factor"]
        pay = (
            (fixed * val["factor"] + val["serving"] * kv) / denominator if denominator > 0 else nan
        )
        net = (needed_net / kv + val["serving"]) / (1.0 - escalation) if kv > 0 else nan
        below = f"((1-{e})*{ks}-teacher_labelling/teacher_cost*{ref['factor']})"
        above = f"((upfront-teacher_labelling)*{ref['factor']}+{ref['serving']}*{ks})"
        pay_form = f'IF({below}>0, IF({above}/{below}>0, {above}/{below}, ""), "")'
        net_expression = f"({ref['needed_net']}/{ks}+{ref['serving']})/(1-{e})"
        net_form = f'IF({ks}>0, IF({net_expression}>0, {net_expression}, ""), "")'
        return pay_form, pay if pay > 0 else nan, net_form, net if net > 0 else nan
    if name == "student_cost_per_1k":
        if flag:
            per_hour = gpus * costs.HOURS_PER_MONTH / thousands
            pay = (teacher * (1.0 - escalation) - needed_pay / kv) / per_hour
            net = (teacher * (1.0 - escalation) - needed_net / kv) / per_hour
        else:
            pay = teacher * (1.0 - escalation) - needed_pay / kv if kv > 0 else nan
            net = teacher * (1.0 - escalation) - needed_net / kv if kv > 0 else nan
        forms = []
        for needed in (ref["needed_pay"], ref["needed_net"]):
            per_call = f"(teacher_cost*(1-{e})-{needed}/{ks})"
            hosted = f"({per_call}/(I{_base(ref)}*hours_per_month/{k}))"
            either = f"IF({ref['flag']}, {hosted}, {per_call})"
            forms.append(f'IF({ks}>0, IF({either}>=0, {either}, ""), "")')
        return forms[0], pay if pay >= 0 else nan, forms[1], net if net >= 0 else nan
    if name == "upfront_cost":
        pay = savings / val["factor"] if savings > 0 else nan
        source = f"K{_base(ref)}"
        form = f'IF({source}>0, IF({source}/{ref["factor"]}>=0, {source}/{ref["factor"]}, ""), "")'
        return form, pay if pay >= 0 else nan, '""', nan
    if name == "annual_maintenance":
        net = 12.0 * savings
        source = f"K{_base(ref)}"
        return (
            '""',
            nan,
            f'IF(months_per_year*{source}>=0, months_per_year*{source}, "")',
            (net if net >= 0 else nan),
        )
    pay = growth_pay if growth_pay > -1.0 else nan
    return f'IF(ISNUMBER({growth_ref}), {growth_ref}, "")', pay, '""', nan


def _base(ref: dict[str, str]) -> int:
    return int(ref["base_row"])


def _shortfall_formula(x: str, base_row: int) -> str:
    """Cumulative savings after the target's months at growth x, less the upfront cost."""
    savings = f"$K${base_row}"
    grown = layout._expm1(f"target_payback_months*{_log1p(x)}")
    return f"IF({x}=0, {savings}*target_payback_months-upfront, {savings}*{grown}/{x}-upfront)"


def _shortfall(savings: float, upfront: float, target: float, growth: float) -> float:
    if growth == 0.0:
        return savings * target - upfront
    return savings * math.expm1(target * math.log1p(growth)) / growth - upfront


def _growth_bisection(
    out: Working, v: dict[str, Any], ref: dict[str, str], savings: float, top: int
) -> tuple[str, float]:
    """The core's ``_solve_growth`` down helper rows: the upper end doubled from 100 % while
    the savings fall short (21 rows), then :data:`GROWTH_STEPS` halvings; the upper end last."""
    formulas, plain = out.formulas, out.plain
    base_row = int(ref["base_row"])
    upfront, target = float(v["upfront"]), float(v["target_payback_months"])
    applies = savings > 0.0 and upfront > 0.0
    plain[f"A{top}"] = "Growth at which payback meets the target: the search"
    out.headers.append(f"A{top}")
    row, high = _growth_upper_end(out, ref, savings, upfront, target, top + 1)
    upper = f"$B${row}"
    row += 1
    plain[f"A{row}"] = "The target is within reach"
    low = GROWTH_LOW
    valid = applies and not (
        _shortfall(savings, upfront, target, low) > 0.0
        or _shortfall(savings, upfront, target, high) < 0.0
    )
    formulas[f"B{row}"] = (
        f"IF(ISNUMBER({upper}), NOT(OR({_shortfall_formula(ref['growth_low'], base_row)}>0, "
        f"{_shortfall_formula(upper, base_row)}<0)), FALSE)",
        valid,
        layout.TRUE_FALSE,
    )
    valid_ref = f"$B${row}"
    row += 1
    for column, text in zip(
        "ABCDE", ("Halving", "Low", "High", "Middle", "Cumulative ÷ upfront − 1"), strict=True
    ):
        plain[f"{column}{row}"] = text
    lows: Any = low if valid else NOT_USED
    highs: Any = high if valid else NOT_USED
    middle: Any = NOT_USED
    short = False
    for step in range(GROWTH_STEPS + 1):
        row += 1
        plain[f"A{row}"] = step
        if step == 0:
            low_form = f'IF({valid_ref}, {ref["growth_low"]}, "{NOT_USED}")'
            high_form = f'IF({valid_ref}, {upper}, "{NOT_USED}")'
        else:
            if valid:
                if short:
                    lows = middle
                else:
                    highs = middle
            low_form = (
                f'IF(ISNUMBER(B{row - 1}), IF(E{row - 1}<0, D{row - 1}, B{row - 1}), "{NOT_USED}")'
            )
            high_form = (
                f'IF(ISNUMBER(C{row - 1}), IF(E{row - 1}<0, C{row - 1}, D{row - 1}), "{NOT_USED}")'
            )
        middle = (lows + highs) / 2.0 if valid else NOT_USED
        gap: Any = NOT_USED
        short = False
        if valid:
            shortfall = _shortfall(savings, upfront, target, middle)
            gap, short = shortfall / upfront, shortfall < 0.0
        formulas[f"B{row}"] = (low_form, lows, "General")
        formulas[f"C{row}"] = (high_form, highs, "General")
        formulas[f"D{row}"] = (
            f'IF(ISNUMBER(B{row}), (B{row}+C{row})/2, "{NOT_USED}")',
            middle,
            "General",
        )
        formulas[f"E{row}"] = (
            f"IF(ISNUMBER(D{row}), ({_shortfall_formula(f'D{row}', base_row)})/upfront, "
            f'"{NOT_USED}")',
            gap,
            "0.000000000",
        )
    result = highs if valid else math.nan
    return f"$C${row}", result


def _growth_upper_end(
    out: Working, ref: dict[str, str], savings: float, upfront: float, target: float, row: int
) -> tuple[int, Any]:
    """The growth search's upper end from ``row`` down: 100 %, doubled while the savings fall
    short (21 rows). Returns its last row and its value."""
    formulas, base_row = out.formulas, int(ref["base_row"])
    applies = savings > 0.0 and upfront > 0.0
    out.plain[f"A{row}"] = "Upper end, doubled while the savings fall short"
    high: Any = 1.0 if applies else NOT_USED
    formulas[f"B{row}"] = (
        f'IF(AND($K${base_row}>0, upfront>0), 1, "{NOT_USED}")',
        high,
        "General",
    )
    for _ in range(20):
        row += 1
        previous = f"B{row - 1}"
        if applies and _shortfall(savings, upfront, target, high) < 0.0 and high < GROWTH_HIGH_CAP:
            high = 2.0 * high
        formulas[f"B{row}"] = (
            f"IF(ISNUMBER({previous}), IF(AND({_shortfall_formula(previous, base_row)}<0, "
            f'{previous}<{ref["growth_cap"]}), 2*{previous}, {previous}), "{NOT_USED}")',
            high,
            "General",
        )
    return row, high


def _volume_threshold(
    out: Working,
    v: dict[str, Any],
    ref: dict[str, str],
    flag: bool,
    escalation: float,
    hourly: float,
    top: int,
    gap_saving: Callable[[str, float], Expr],
) -> tuple[str, float]:
    """The volume at which the net benefit reaches zero on whole GPUs, in closed form as the
    core has it (:func:`xl_roi._kernel.whole_gpu_threshold`): the lowest volume above which the
    net benefit is positive at every volume, the last partly profitable band found by
    ``ROUNDUP`` as the break-even volume's is. ``gap_saving`` turns the margin before GPUs and
    a GPU's bill a month into what they save (:meth:`_Sheet.gap_saving`)."""
    teacher, maintenance = float(v["teacher_cost"]), float(v["maintenance"])
    capacity_value = (
        costs.gpu_calls_per_month(
            float(v["calls_per_second_per_gpu"]),
            float(v["target_utilization"]),
            float(v["peak_factor"]),
        )
        if flag
        else math.nan
    )
    margin_saved = gap_saving(f"teacher_cost*(1-{ref['escalation']})", teacher * (1 - escalation))
    gpu_saved = gap_saving(f"{ref['hourly']}*hours_per_month", hourly * costs.HOURS_PER_MONTH)
    value = (
        float(
            _kernel.whole_gpu_threshold(
                maintenance / 12.0,
                float(margin_saved.value),
                float(gpu_saved.value),
                capacity_value,
            )
        )
        if flag
        else math.inf
    )
    needed = ref["needed_net"]
    margin, gpu = f"({margin_saved.text})", f"({gpu_saved.text})"
    capacity = (
        "(calls_per_second_per_gpu*target_utilization*(hours_per_month*seconds_per_hour)"
        "/peak_factor)"
    )
    full = f"({capacity}*{margin}/calls_per_1k)"
    last_partial = f"(MAX(2, ROUNDUP(({needed}+{full})/({full}-{gpu}), 0))-1)"
    formula = (
        f"IF(AND({ref['flag']}, {full}>{gpu}), "
        f"MIN(({needed}+{last_partial}*{gpu})*calls_per_1k/{margin}, "
        f'{capacity}*{last_partial}), "")'
    )
    out.plain[f"A{top}"] = (
        "Volume above which the net benefit is positive at every volume (whole GPUs)"
    )
    out.headers.append(f"A{top}")
    stored: Any = value if math.isfinite(value) else ""
    out.formulas[f"B{top + 1}"] = (formula, stored, "General")
    out.plain[f"A{top + 1}"] = "Lowest volume of the last band that holds in part, or its top"
    return f"$B${top + 1}", value if math.isfinite(value) else math.nan
