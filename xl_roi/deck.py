"""The deck for the meeting: the pitch as slides, with its charts and its sources.

The slides say what :func:`xl_roi.pitch.pitch` says, in its order (the savings, the payback, the
risk and its mitigation, the ask), section by section from :func:`xl_roi.pitch.pitch_sections`:
the same sentences, so the same figures as ``xl-roi pitch`` and ``pitch --json``. Two native
charts are added: the cumulative cash month by month (:func:`xl_roi.cashflow.schedule`, as the
workbook's cash-flow table) and the sensitivity tornado (:func:`xl_roi._sensitivity.sensitivity`,
as ``xl-roi sensitivity``); then a sources slide: each input, its value, and where the case says
it was measured, and the token prices' table and date.

:func:`deck_slides` lays the slides out as plain data; :func:`write_deck` writes them with
``python-pptx`` (imported only there).
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xl_roi import cashflow
from xl_roi.evaluation import Result
from xl_roi.fields import FIELDS, HOURLY_FORMAT
from xl_roi.files import write_atomic
from xl_roi.pitch import format_money, format_months, pitch_sections
from xl_roi.recommendation import format_price, payback_phrase

if TYPE_CHECKING:
    import pandas as pd

    from xl_roi.prices import ModelPrices

__all__ = ["Chart", "Slide", "deck_slides", "write_deck"]


@dataclass(frozen=True)
class Chart:
    """A native chart: ``"line"`` (cumulative cash) or ``"bar"`` (the tornado).

    ``series`` pairs a name with one value per category (``None``: no point there).
    """

    kind: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]
    number_format: str
    value_title: str = ""
    category_title: str = ""
    crosses_at: float | None = None


@dataclass(frozen=True)
class Slide:
    """One slide: a title, an optional headline figure, paragraphs (Markdown ``**bold**``
    allowed), an optional table (first row the header), paragraphs after it, and an optional
    chart."""

    title: str
    headline: str = ""
    subheadline: str = ""
    """Beside the headline: the same figure once worse answers are counted, when it differs."""
    paragraphs: tuple[str, ...] = ()
    table: tuple[tuple[str, ...], ...] = ()
    chart: Chart | None = None
    after: tuple[str, ...] = field(default=())
    """Paragraphs below the table."""
    points: float = 0
    """The body text's size in points, at least :data:`MIN_POINTS` (0: not laid out yet)."""


def _section_slide(lines: Sequence[str], headline: str = "") -> Slide:
    """A pitch section's Markdown as a slide: its heading the title, its table the table."""
    title = ""
    paragraphs: list[str] = []
    after: list[str] = []
    table: list[tuple[str, ...]] = []
    for line in lines:
        if line.startswith("# ") or line.startswith("## "):
            title = line.lstrip("#").strip()
        elif line.startswith("|"):
            cells = tuple(
                cell.strip().replace("\\|", "|")
                for cell in re.split(r"(?<!\\)\|", line.strip()[1:-1])
            )
            if not all(set(cell) <= set("-:") for cell in cells):
                table.append(cells)
        elif line.strip():
            (after if table else paragraphs).append(line.removeprefix("> ").strip())
    return Slide(
        title, headline, paragraphs=tuple(paragraphs), table=tuple(table), after=tuple(after)
    )


def _cash_chart(result: Result) -> Chart:
    """Cumulative cash month by month over the horizon: before and after maintenance, and
    after the cost of worse answers where the case costs them."""
    case = result.case
    months = int(case.horizon_months)
    rows = cashflow.schedule(
        result.upfront_cost,
        result.monthly_savings,
        result.annual_maintenance,
        case.monthly_growth,
        months,
    )
    series: list[tuple[str, tuple[float | None, ...]]] = [
        ("Savings less upfront (payback)", tuple(row["cumulative_net"] for row in rows)),
        (
            "After maintenance too",
            tuple(row["cumulative_net_after_maintenance"] for row in rows),
        ),
    ]
    adjusted = result.quality_adjusted_monthly_savings
    if adjusted is not None and not math.isnan(adjusted):
        counted = cashflow.schedule(
            result.upfront_cost, adjusted, result.annual_maintenance, case.monthly_growth, months
        )
        series.append(
            (
                "After maintenance and worse answers",
                tuple(row["cumulative_net_after_maintenance"] for row in counted),
            )
        )
    return Chart(
        "line",
        # a month number every few months: 37 of them at a readable size run into each other
        tuple(
            f"{int(row['month'])}" if int(row["month"]) % _month_step(months) == 0 else ""
            for row in rows
        ),
        tuple(series),
        _money_format(case.currency),
        value_title=f"Cumulative cash ({case.currency})",
        category_title="Month (0: the upfront spend)",
    )


def _month_step(months: int) -> int:
    """Every how many months the cash chart names a month: at most 13 names.

    Examples
    --------
    >>> _month_step(36), _month_step(12), _month_step(600)
    (3, 1, 50)
    """
    return max(1, math.ceil(months / 12))


def _money_format(currency: str) -> str:
    """Amounts on a chart's axis, headed by the currency in the axis title; a loss in
    brackets, as the pitch writes it."""
    return "#,##0;(#,##0)"


def _tornado_chart(result: Result, table: pd.DataFrame) -> Chart:
    """Payback with each assumption at its low and at its high, ranked as the tornado ranks
    them (by payback swing); the bars start at the case's own payback. A value at which it
    never pays back has no bar: its row's name says so."""
    rows = table[table["kind"] == "assumption"]
    names = []
    for _, row in rows.iterrows():
        never = [
            side
            for side, key in (("low", "payback_low"), ("high", "payback_high"))
            if math.isinf(float(row[key]))
        ]
        suffix = f" (never pays back at its {' and '.join(never)})" if never else ""
        names.append(f"{row['assumption']}{suffix}")

    def finite(values: Any) -> tuple[float | None, ...]:
        return tuple(None if math.isinf(float(v)) else float(v) for v in values)

    base = result.payback_months
    # a bar chart draws its first category at the bottom: the widest swing goes last, on top
    return Chart(
        "bar",
        tuple(reversed(names)),
        (
            ("Assumption at its low", finite(reversed(list(rows["payback_low"])))),
            ("Assumption at its high", finite(reversed(list(rows["payback_high"])))),
        ),
        "0.0",
        value_title="Payback (months)",
        crosses_at=None if math.isinf(base) else base,
    )


def _tornado_words(result: Result, table: pd.DataFrame, swing: float) -> tuple[str, ...]:
    """What the tornado says, from its own rows: the assumption that moves payback most."""
    rows = table[table["kind"] == "assumption"]
    base = (
        f"Each assumption moved ±{swing:.0%} on its own, ranked by how far it moves payback. "
        + (
            "As it stands the case never pays back; each bar shows the payback that "
            "assumption's low or high alone would give."
            if math.isinf(result.payback_months)
            else f"The bars start at the case's own payback, "
            f"{format_months(result.payback_months)}."
        )
    )
    if rows.empty:
        return (base,)
    top = rows.iloc[0]
    low, high = (
        "it never pays back"
        if math.isinf(float(top[key]))
        else f"payback is {format_months(float(top[key]))}"
        for key in ("payback_low", "payback_high")
    )
    return (
        base,
        f"{top['assumption']} moves it most: at its low {low}; at its high {high}.",
    )


def _input_value(name: str, value: Any, currency: str) -> str:
    """An input as a reader reads it: shares as %, money with its currency, counts whole."""
    if isinstance(value, str):
        return value
    item = FIELDS[name]
    number = float(value)
    if item.kind == "share" or (item.bound is not None and item.bound.share):
        return f"{number:.1%}"
    if item.number_format == HOURLY_FORMAT:  # as the ask multiplies it: 0.8048, not 0.80
        return format_price(number, currency)
    if item.number_format == FIELDS["upfront_cost"].number_format or name.endswith("_cost"):
        return format_money(number, currency, cents=abs(number) < 100 and number != int(number))
    if name.endswith("_ms"):
        return f"{number:,.0f} ms"
    if name.endswith("_per_1k") or name.endswith("_per_million") or name == "cost_per_error":
        return f"{currency} {number:,.2f}"
    if number == int(number):
        return f"{number:,.0f}"
    return f"{number:,.4g}"


def _sources_slides(
    result: Result,
    notes: Mapping[str, str],
    prices: Mapping[str, ModelPrices],
    source_name: str,
) -> list[Slide]:
    """Each input the case sets, its value, and where it comes from; the price table's date:
    one slide, spread over as many as its rows need when laid out (:func:`_fitted`)."""
    from xl_roi.prices import price_table

    case = result.case
    notes = dict(notes)
    for role, named in prices.items():  # a model's prices: where they came from
        for kind in ("input", "output"):
            notes.setdefault(f"{role}_{kind}_price_per_million", named.source)
    rows: list[tuple[str, ...]] = []
    for name, item in FIELDS.items():
        if not item.in_case or name in ("name", "currency") or not hasattr(case, name):
            continue
        value = getattr(case, name)
        if value is None or isinstance(value, tuple):
            continue
        default = type(case).__dataclass_fields__[name].default
        note = notes.get(name, "")
        if not note and value == default:
            continue  # left at its default and said nowhere: not an input of this case
        if not note:
            note = "not stated in the case" if value != default else "the default"
        rows.append((item.label, _input_value(name, value, case.currency), note))
    table = price_table()
    lines = [f"From {source_name}. Money in {case.currency}."]
    typed = [
        role
        for role in ("teacher", "student")
        if getattr(case, f"{role}_input_price_per_million", None) is not None and role not in prices
    ]
    for role, named in sorted(prices.items()):
        lines.append(f"The {role}'s token prices: {named.source}.")
    if typed:
        lines.append(
            f"The {' and '.join(typed)}'s token prices as typed into the case, not from the "
            f"price table ({table.describe()}): check them against the provider's price page."
        )
    if result.quality:
        count = len(result.quality)
        lines.append(
            f"Quality: {count} evaluation slice{'s' if count != 1 else ''}, teacher and "
            "student scored on the same frozen set (the risk slide)."
        )
    # one slide, spread over as many as its rows need when it is laid out
    return [
        Slide(
            "Sources",
            paragraphs=tuple(lines),
            table=(("Input", "Value", "Where it comes from"), *rows),
        )
    ]


def _key_figures(result: Result) -> tuple[tuple[str, ...], ...]:
    """The figures a decision-maker asks for first, as the pitch writes them."""
    case = result.case
    currency = case.currency
    rate = f"{case.discount_rate:.1%} a year" if case.discount_rate else "0 %"
    rows: list[tuple[str, ...]] = [
        ("At a glance", ""),
        ("Savings a year", format_money(result.annual_savings, currency)),
        ("Upfront investment", format_money(result.upfront_cost, currency)),
        ("Payback", format_months(result.payback_months)),
        ("Annual net benefit after maintenance", format_money(result.annual_net_benefit, currency)),
        (f"NPV over {case.horizon_months:g} months at {rate}", format_money(result.npv, currency)),
    ]
    if result.quality_adjusted_verdict is not None:
        rows.append(
            (
                "Annual net benefit counting worse answers",
                format_money(result.quality_adjusted_annual_net_benefit, currency),
            )
        )
    return tuple(rows)


def deck_slides(
    result: Result,
    sensitivity_table: pd.DataFrame,
    *,
    swing: float = 0.5,
    notes: Mapping[str, str] | None = None,
    prices: Mapping[str, ModelPrices] | None = None,
    source_name: str = "the built-in example",
) -> list[Slide]:
    """The deck's slides, in the pitch's order, as plain data.

    Parameters
    ----------
    result : Result
        The evaluated case.
    sensitivity_table : pandas.DataFrame
        :func:`xl_roi._sensitivity.sensitivity` of the case at ``swing``.
    swing : float, default 0.5
        The tornado's swing, for its caption.
    notes : mapping, optional
        Field → where the case says it comes from (:func:`xl_roi.casefile.input_notes`).
    prices : mapping, optional
        ``"teacher"``/``"student"`` → the price table's prices a case named by model.
    source_name : str
        The case file or workbook the case came from.

    Returns
    -------
    list of Slide
        The title and recommendation; the savings; the payback; the cumulative cash; the risk;
        the tornado; the ask; the upside (when any); the sources.

    Examples
    --------
    >>> from xl_roi import example_case, evaluate
    >>> from xl_roi._sensitivity import sensitivity
    >>> case = example_case()
    >>> slides = deck_slides(evaluate(case), sensitivity(case))
    >>> [slide.title for slide in slides][:4]
    ['Support-ticket classifier: defensible', '1. The savings', '2. The payback', \
'Cumulative cash, month by month']
    """
    sections = pitch_sections(result)
    currency = result.case.currency
    head, savings, payback, risk, ask, *upside = sections
    opening = _section_slide(head)
    slides = [
        Slide(
            opening.title,
            paragraphs=opening.paragraphs,
            table=_key_figures(result),
        )
    ]
    annual = (
        f"{format_money(result.annual_savings, currency)} a year"
        if result.monthly_savings > 0
        else "Nothing to save"
    )
    counted = result.quality_adjusted_verdict not in (None, result.verdict)
    slide = _section_slide(savings, annual)
    if counted:
        adjusted = format_money(result.quality_adjusted_monthly_savings, currency)
        slide = replace(slide, subheadline=f"Counting worse answers: {adjusted} a month")
    slides.append(slide)
    recovered = (
        "Never recovered"
        if math.isinf(result.payback_months)
        else f"Pays back in {result.payback_months:,.1f} months"
    )
    slide = _section_slide(payback, recovered)
    if counted:
        adjusted = format_months(result.quality_adjusted_payback_months)
        slide = replace(slide, subheadline=f"Counting worse answers: {adjusted}")
    slides.append(slide)
    cash = _cash_chart(result)
    slides.append(
        Slide(
            "Cumulative cash, month by month",
            paragraphs=(
                "Month 0 is the upfront spend; each month adds its savings"
                + (
                    f" (volume changing {result.case.monthly_growth:+.1%} a month)"
                    if result.case.monthly_growth
                    else ""
                )
                + ". Payback is where the first line crosses zero"
                + (
                    "; the third line also counts the cost of worse answers."
                    if len(cash.series) > 2
                    else "."
                ),
            ),
            chart=cash,
        )
    )
    slides.append(_section_slide(risk))
    tornado = _tornado_chart(result, sensitivity_table)
    drawn = any(value is not None for _, values in tornado.series for value in values)
    words = _tornado_words(result, sensitivity_table, swing)
    if not drawn:
        words = (
            f"Each assumption moved ±{swing:.0%} on its own: at its low and at its high alike, "
            "the case still never pays back. No single assumption rescues it.",
        )
    if counted:  # the bars are compute alone, while worse answers decide the case
        words = (
            *words,
            "These paybacks count compute alone. Counting worse answers, "
            f"{payback_phrase(result.quality_adjusted_payback_months)} and the case is "
            f"**{result.quality_adjusted_verdict}** (the risk slide).",
        )
    slides.append(Slide("What moves the case", paragraphs=words, chart=tornado if drawn else None))
    slides.append(_section_slide(ask))
    slides += [_section_slide(section) for section in upside]
    slides += _sources_slides(result, notes or {}, prices or {}, source_name)
    return [part for slide in slides for part in _fitted(slide)]


_WIDE_EMU = 12_192_000  # 13.333 in: a 16:9 slide
_TALL_EMU = 6_858_000  # 7.5 in
_EMU_PER_POINT = 12_700
_MARGIN_EMU = 457_200  # 0.5 in left and right
_TOP_EMU = 300_000
_BOTTOM_EMU = _TALL_EMU - 300_000
_BODY_EMU = _WIDE_EMU - 2 * _MARGIN_EMU
_GAP_EMU = 120_000
_SIDE_INSET_EMU = 91_440  # python-pptx's text box and table cell margins: 0.1 in each side
_END_INSET_EMU = 45_720  # and 0.05 in above and below
_CHART_MIN_EMU = 2_400_000  # 2.6 in: a chart's plot stays readable
_NAVY = (0x1F, 0x3A, 0x5F)
_RED = (0xA0, 0x1C, 0x1C)

MIN_POINTS = 14
"""The smallest text on a slide, in points: readable when projected."""
BODY_POINTS = (20, 18, 16, MIN_POINTS)
"""The body text's sizes, largest first: a slide takes the largest its words fit at."""
CHAR_EMS = 0.6
"""An average character's width, in ems, bold included: generous for the sans-serif faces
(Calibri, Carlito, DejaVu Sans), so a line holds at least the characters it is counted for."""
LINE_EMS = 1.2
"""A line's height, in ems."""
BOLD_WIDER = 1.1
"""How much wider a bold character is."""
HEADER_LINES = 2
"""The most lines a table's header takes at a body size above :data:`MIN_POINTS`: a larger
size that would squeeze a column's header into more gives way to a smaller one."""
_TITLE_POINTS = (30, 26, 24)
_HEADLINE_POINTS = 40
_SUBHEADLINE_POINTS = 24


def chars_per_line(width_emu: int, points: float, *, bold: bool = False) -> int:
    """The characters a line of a text box (or table cell) ``width_emu`` wide holds at
    ``points``, its margins aside (bold: a tenth fewer).

    Examples
    --------
    >>> chars_per_line(_BODY_EMU, 14)  # 12.33 in of body width at 14 points
    104
    """
    room = width_emu - 2 * _SIDE_INSET_EMU
    return max(1, int(room / (_char_emu(points, bold))))


def _char_emu(points: float, bold: bool = False) -> float:
    return points * CHAR_EMS * (BOLD_WIDER if bold else 1.0) * _EMU_PER_POINT


def wrapped_lines(text: str, width_emu: int, points: float, *, bold: bool = False) -> int:
    """The lines ``text`` (Markdown ``**`` aside) takes wrapped at words in ``width_emu``.

    Examples
    --------
    >>> wrapped_lines("Pays back in 3.1 months", _BODY_EMU, 40)
    1
    """
    plain = text.replace("**", "")
    bold = bold or "**" in text
    return max(1, len(textwrap.wrap(plain, chars_per_line(width_emu, points, bold=bold))))


def text_height(paragraphs: Sequence[str], width_emu: int, points: float) -> int:
    """The height (EMU) paragraphs take at ``points``: their wrapped lines, the space after
    each, and the box's margins."""
    lines = sum(wrapped_lines(text, width_emu, points) for text in paragraphs)
    line = points * LINE_EMS * _EMU_PER_POINT
    after = points * 0.5 * _EMU_PER_POINT
    return int(lines * line + len(paragraphs) * after) + 2 * _END_INSET_EMU


def _heading(spec: Slide) -> tuple[int, int]:
    """The title's size and the height of the title, headline and subheadline together."""
    size = next(
        (points for points in _TITLE_POINTS if wrapped_lines(spec.title, _BODY_EMU, points) <= 2),
        _TITLE_POINTS[-1],
    )
    height = text_height([spec.title], _BODY_EMU, size)
    if spec.headline:
        height += text_height([spec.headline], _BODY_EMU, _HEADLINE_POINTS) - 2 * _END_INSET_EMU
    if spec.subheadline:
        height += (
            text_height([spec.subheadline], _BODY_EMU, _SUBHEADLINE_POINTS) - 2 * _END_INSET_EMU
        )
    return size, height


_NUMERIC = re.compile(r"\(?[A-Z]{0,3} ?[-+]?[\d,.]+ ?(%|months|ms)?\)?|never")
"""A figure in a table cell ("0.94", "USD 48,000", "10.0%", "900 ms", "never"): set right,
never wrapped."""

_MOST_CHARS = 60
"""The longest cell a column is made wide enough to hold on one line before a slide counts
its table whole."""


def _numeric(text: str) -> bool:
    return bool(_NUMERIC.fullmatch(text.replace("**", "").strip()))


def _pieces(text: str) -> list[str]:
    """The pieces a line may break between: words, and words after their hyphens
    ("Business-critical" → "Business-", "critical"), as ``textwrap`` and the renderers break."""
    return [piece for piece in re.split(r"\s+|(?<=[A-Za-z]-)(?=[A-Za-z])", text) if piece]


def _spare(text: str) -> float:
    """The characters a table cell keeps to spare: a whole one beside a figure (digits are
    wider than the average character), half of one beside words."""
    return 1.0 if _numeric(text) else 0.5


def _wrap(plain: str, chars: int) -> list[str]:
    """``plain`` wrapped at words (and after hyphens) in lines of ``chars``, a word never cut."""
    return textwrap.wrap(plain, max(1, chars), break_long_words=False)


@lru_cache(maxsize=4096)
def _cell_width(text: str, lines: int, points: float, bold: bool) -> float:
    """The narrowest width (EMU) a table cell holds ``text`` in at most ``lines`` lines (at
    least its longest piece; a figure whole, on one line), with :func:`_spare` to spare."""
    plain = text.replace("**", "")
    bold = bold or "**" in text
    chars = len(plain)
    if plain and not _numeric(text):
        chars = next(
            count
            for count in range(max(len(piece) for piece in _pieces(plain)), len(plain) + 1)
            if len(_wrap(plain, count)) <= lines
            and all(len(line) <= count for line in _wrap(plain, count))
        )
    return (chars + _spare(text)) * _char_emu(points, bold) + 2 * _SIDE_INSET_EMU + 1


@lru_cache(maxsize=65536)
def _cell_lines(text: str, width: float, points: float, bold: bool) -> int:
    """The lines a table cell ``width`` wide takes for ``text``, as :func:`_cell_width`
    counts them: a figure one."""
    plain = text.replace("**", "")
    if not plain or _numeric(text):
        return 1
    char = _char_emu(points, bold or "**" in text)
    room = int((width - 2 * _SIDE_INSET_EMU) / char - _spare(text))
    return max(1, len(_wrap(plain, room)))


def _column_room(
    rows: Sequence[Sequence[str]], points: float
) -> tuple[list[list[str]], list[float], list[float]]:
    """A table's cells (rows made whole), and each column's narrowest width (its longest
    piece, the header's bold; a figure whole) and ideal width (its longest body cell on one
    line, up to :data:`_MOST_CHARS` characters), in EMU at ``points``."""
    columns = max(len(row) for row in rows)
    cells = [[(row[c] if c < len(row) else "") for c in range(columns)] for row in rows]
    narrowest = [
        max(_cell_width(row[c], len(row[c]) + 1, points, r == 0) for r, row in enumerate(cells))
        for c in range(columns)
    ]
    ideal = [
        max(
            least,
            *(
                _cell_width(row[c][:_MOST_CHARS], 1, points, False)
                for row in cells[1:] or [[""] * columns]
            ),
        )
        for c, least in enumerate(narrowest)
    ]
    return cells, narrowest, ideal


def _table_layout(rows: Sequence[Sequence[str]], points: float) -> tuple[list[int], list[int]]:
    """A table's column widths and row heights (EMU) at ``points``, sized for their contents.

    Each column starts as narrow as its longest piece (a figure whole, never wrapped); then,
    while the slide's width allows, the columns widen where a line less in a row costs the
    least width for the most height saved, so a long slice name or a long header gets the
    room a short figure does not need. Room left over is shared alike. Each row is as tall as
    its most wrapped cell, so a header that wraps pushes what follows down, never under the
    table. Where the longest pieces alone are wider than the slide, each column gets its share
    of the width by its longest piece.
    """
    cells, narrowest, _ = _column_room(rows, points)

    def grid(widths: Sequence[float]) -> list[list[int]]:
        return [
            [_cell_lines(text, widths[c], points, r == 0) for c, text in enumerate(row)]
            for r, row in enumerate(cells)
        ]

    def height(widths: Sequence[float]) -> int:
        return sum(max(row) for row in grid(widths))

    widths = list(narrowest)
    if sum(widths) > _BODY_EMU:  # pieces too long for the slide at this size
        widths = [least * _BODY_EMU / sum(narrowest) for least in narrowest]
    else:
        while True:
            lines, room = grid(widths), _BODY_EMU - sum(widths)
            best: tuple[float, list[float]] | None = None
            for r, row in enumerate(lines):
                most = max(row)
                if most == 1:
                    continue
                wider = [
                    max(width, _cell_width(cells[r][c], most - 1, points, r == 0))
                    if count == most
                    else width
                    for c, (width, count) in enumerate(zip(widths, row, strict=True))
                ]
                cost = sum(wider) - sum(widths)
                saved = height(widths) - height(wider)
                if cost <= room and saved > 0:
                    rate = saved / max(cost, 1.0)
                    if best is None or rate > best[0]:
                        best = (rate, wider)
            if best is None:
                break
            widths = best[1]
        wrapping = [any(row[c] > 1 for row in grid(widths)) for c in range(len(widths))]
        if not any(wrapping):
            wrapping = [True] * len(widths)
        spare = (_BODY_EMU - sum(widths)) / sum(wrapping)
        widths = [width + spare * wraps for width, wraps in zip(widths, wrapping, strict=True)]
    line = points * LINE_EMS * _EMU_PER_POINT
    heights = [int(line * max(row)) + 2 * _END_INSET_EMU for row in grid(widths)]
    return [int(width) for width in widths], heights


def _whole(rows: Sequence[Sequence[str]], points: float) -> bool:
    """Whether every column of the table gets its ideal width at ``points`` and its header
    wraps into at most :data:`HEADER_LINES` lines."""
    cells, _, ideal = _column_room(rows, points)
    if sum(ideal) > _BODY_EMU:
        return False
    widths, _ = _table_layout(rows, points)
    return all(
        _cell_lines(text, width, points, True) <= HEADER_LINES
        for text, width in zip(cells[0], widths, strict=True)
    )


def _blocks_height(spec: Slide, points: float) -> int:
    """The height a slide's heading, words, table and (smallest) chart take at ``points``."""
    height = _heading(spec)[1]
    if spec.paragraphs:
        height += _GAP_EMU + text_height(spec.paragraphs, _BODY_EMU, points)
    if spec.table:
        height += _GAP_EMU + sum(_table_layout(spec.table, points)[1])
    if spec.after:
        height += _GAP_EMU + text_height(spec.after, _BODY_EMU, points)
    if spec.chart:
        height += _GAP_EMU + _chart_min_height(spec.chart)
    return height


def _chart_min_height(chart: Chart) -> int:
    """The least height a chart reads at: a bar chart a line and a half of labels a bar
    (LibreOffice drops the labels it has no room for: a seven-row tornado once kept four),
    with its axis and legend below; never below :data:`_CHART_MIN_EMU`."""
    if chart.kind != "bar":
        return _CHART_MIN_EMU
    row = int(MIN_POINTS * 1.5 * _EMU_PER_POINT)
    below = int(MIN_POINTS * 6 * _EMU_PER_POINT)  # value labels, axis title, legend
    return max(_CHART_MIN_EMU, len(chart.categories) * row + below)


def _fits(spec: Slide, points: float) -> bool:
    """Whether the slide's blocks fit between its margins at ``points``, and its table's
    words each on one line of their column."""
    if spec.table and points > MIN_POINTS and not _whole(spec.table, points):
        return False
    return _blocks_height(spec, points) <= _BOTTOM_EMU - _TOP_EMU


def _fitted(spec: Slide) -> list[Slide]:
    """The slide at the largest body size its words fit at; where they do not fit at the
    smallest, its table's rows (or its paragraphs) spread over as many slides as they need,
    titled "(1 of 2)", "(2 of 2)"."""
    for points in BODY_POINTS:
        if _fits(spec, points):
            return [replace(spec, points=points)]
    numbered = replace(spec, title=f"{spec.title} (9 of 9)")  # room for the numbering
    parts: list[Slide] = []
    if len(spec.table) > 2:
        header, rows = spec.table[0], list(spec.table[1:])
        part = replace(numbered, table=(header,), after=(), chart=None)
        while rows:
            grown = replace(part, table=(*part.table, rows[0]))
            if len(part.table) > 1 and not _fits(grown, MIN_POINTS):
                parts.append(part)
                part = replace(
                    numbered, headline="", subheadline="", paragraphs=(), table=(header,)
                )
                part = replace(part, after=(), chart=None)
                continue
            part = grown
            rows.pop(0)
        last = replace(part, after=spec.after, chart=spec.chart)
        if _fits(last, MIN_POINTS):
            parts.append(last)
        else:
            parts += [
                part,
                replace(
                    numbered,
                    headline="",
                    subheadline="",
                    paragraphs=spec.after,
                    table=(),
                    after=(),
                    chart=spec.chart,
                ),
            ]
    else:
        words = [*spec.paragraphs, *spec.after]
        part = replace(numbered, paragraphs=(), table=(), after=(), chart=None)
        for text in words:
            grown = replace(part, paragraphs=(*part.paragraphs, text))
            if part.paragraphs and not _fits(grown, MIN_POINTS):
                parts.append(part)
                grown = replace(
                    numbered,
                    headline="",
                    subheadline="",
                    paragraphs=(text,),
                    table=(),
                    after=(),
                    chart=None,
                )
            part = grown
        parts.append(replace(part, chart=spec.chart))
    total = len(parts)
    return [
        replace(part, title=f"{spec.title} ({number} of {total})", points=MIN_POINTS)
        for number, part in enumerate(parts, start=1)
    ]


def _runs(paragraph: Any, text: str, size: float) -> None:
    from pptx.util import Pt

    for index, part in enumerate(text.split("**")):
        if not part:
            continue
        run = paragraph.add_run()
        run.text = part
        run.font.size = Pt(size)
        run.font.bold = index % 2 == 1


def _add_table(slide: Any, rows: Sequence[Sequence[str]], top: int, size: float) -> int:
    """The table at ``top``; returns where it ends."""
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Emu

    widths, heights = _table_layout(rows, size)
    columns = len(widths)
    shape = slide.shapes.add_table(
        len(rows), columns, Emu(_MARGIN_EMU), Emu(top), Emu(sum(widths)), Emu(sum(heights))
    )
    table = shape.table
    for column, width in enumerate(widths):
        table.columns[column].width = Emu(width)
    for r, row in enumerate(rows):
        table.rows[r].height = Emu(heights[r])
        for c in range(columns):
            text = row[c] if c < len(row) else ""
            cell = table.cell(r, c)
            cell.text = ""
            cell.text_frame.word_wrap = True
            paragraph = cell.text_frame.paragraphs[0]
            _runs(paragraph, text, size)
            if r == 0:
                for run in paragraph.runs:
                    run.font.bold = True
            if r > 0 and _numeric(text):
                paragraph.alignment = PP_ALIGN.RIGHT
    return top + sum(heights)


def _add_chart(slide: Any, chart: Chart, top: int, height: int) -> None:
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import (
        XL_CHART_TYPE,
        XL_LEGEND_POSITION,
        XL_MARKER_STYLE,
        XL_TICK_LABEL_POSITION,
    )
    from pptx.util import Emu, Pt

    data = CategoryChartData(number_format=chart.number_format)  # type: ignore[no-untyped-call]
    data.categories = chart.categories
    for name, values in chart.series:
        data.add_series(name, values)  # type: ignore[no-untyped-call]
    kind = XL_CHART_TYPE.LINE if chart.kind == "line" else XL_CHART_TYPE.BAR_CLUSTERED
    frame = slide.shapes.add_chart(
        kind, Emu(_MARGIN_EMU), Emu(top), Emu(_BODY_EMU), Emu(height), data
    )
    plot = frame.chart
    plot.font.size = Pt(MIN_POINTS)
    plot.has_legend = True
    plot.legend.position = XL_LEGEND_POSITION.BOTTOM
    plot.legend.include_in_layout = False
    plot.legend.font.size = Pt(MIN_POINTS)
    values = plot.value_axis
    values.tick_labels.font.size = Pt(MIN_POINTS)
    values.tick_labels.number_format = chart.number_format
    values.tick_labels.number_format_is_linked = False
    values.has_major_gridlines = True
    categories = plot.category_axis
    categories.tick_labels.font.size = Pt(MIN_POINTS)
    categories.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    for axis, title in ((values, chart.value_title), (categories, chart.category_title)):
        if title:
            axis.has_title = True
            axis.axis_title.text_frame.text = title
            axis.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(MIN_POINTS)
    if chart.kind == "line":
        for series in plot.plots[0].series:
            series.smooth = False
            series.marker.style = XL_MARKER_STYLE.NONE
            series.format.line.width = Pt(2.25)
    else:
        bars = plot.plots[0]
        bars.overlap = 100
        bars.gap_width = 60
        if chart.crosses_at is not None:
            values.crosses_at = chart.crosses_at
        _every_category_labelled(categories._element)


def _every_category_labelled(axis: Any) -> None:
    """Label every category of a bar chart's axis (``c:tickLblSkip`` of 1): left to itself,
    LibreOffice labelled only every other assumption of a seven-row tornado."""
    from pptx.oxml.ns import qn

    skip = axis.find(qn("c:tickLblSkip"))
    if skip is None:
        skip = axis.makeelement(qn("c:tickLblSkip"), {})
        # the schema's order: after lblOffset, before tickMarkSkip / noMultiLvlLbl / extLst
        later = [axis.find(qn(f"c:{tag}")) for tag in ("tickMarkSkip", "noMultiLvlLbl", "extLst")]
        following = next((element for element in later if element is not None), None)
        if following is None:
            axis.append(skip)
        else:
            following.addprevious(skip)
    skip.set("val", "1")


def _add_text(slide: Any, paragraphs: Sequence[str], top: int, size: float) -> int:
    """Paragraphs in a text box from ``top``, as tall as :func:`text_height` counts them;
    returns where the box ends."""
    from pptx.enum.text import MSO_AUTO_SIZE
    from pptx.util import Emu, Pt

    height = text_height(paragraphs, _BODY_EMU, size)
    body = slide.shapes.add_textbox(Emu(_MARGIN_EMU), Emu(top), Emu(_BODY_EMU), Emu(height))
    body.text_frame.word_wrap = True
    body.text_frame.auto_size = MSO_AUTO_SIZE.NONE
    for number, text in enumerate(paragraphs):
        paragraph = (
            body.text_frame.paragraphs[0] if number == 0 else body.text_frame.add_paragraph()
        )
        bullet = text.startswith("- ")
        _runs(paragraph, ("• " if bullet else "") + text.removeprefix("- "), size)
        paragraph.space_after = Pt(size * 0.5)
        paragraph.line_spacing = LINE_EMS * 0.85  # PowerPoint's single line is 1.2 ems
    return top + height


def _add_heading(slide: Any, spec: Slide) -> int:
    """The title, headline and subheadline in one box at the top; returns where it ends."""
    from pptx.dml.color import RGBColor
    from pptx.enum.text import MSO_AUTO_SIZE
    from pptx.util import Emu, Pt

    size, height = _heading(spec)
    box = slide.shapes.add_textbox(Emu(_MARGIN_EMU), Emu(_TOP_EMU), Emu(_BODY_EMU), Emu(height))
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    lines: list[tuple[str, int, tuple[int, int, int] | None]] = [(spec.title, size, _NAVY)]
    if spec.headline:
        lines.append((spec.headline, _HEADLINE_POINTS, None))
    if spec.subheadline:
        lines.append((spec.subheadline, _SUBHEADLINE_POINTS, _RED))
    for number, (text, points, colour) in enumerate(lines):
        paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()
        _runs(paragraph, text, points)
        paragraph.space_after = Pt(points * 0.5)
        paragraph.line_spacing = LINE_EMS * 0.85
        for run in paragraph.runs:
            run.font.bold = True
            if colour:
                run.font.color.rgb = RGBColor(*colour)  # type: ignore[no-untyped-call]
    return _TOP_EMU + height


def _render(slides: Sequence[Slide], path: Path) -> None:
    from pptx import Presentation
    from pptx.util import Emu

    deck = Presentation()
    deck.slide_width, deck.slide_height = Emu(_WIDE_EMU), Emu(_TALL_EMU)
    blank = deck.slide_layouts[6]
    for spec in slides:
        if not spec.points:
            (spec,) = _fitted(spec)[:1]
        slide = deck.slides.add_slide(blank)
        top = _add_heading(slide, spec)
        size = spec.points
        if spec.paragraphs:
            top = _add_text(slide, spec.paragraphs, top + _GAP_EMU, size)
        if spec.table:
            top = _add_table(slide, spec.table, top + _GAP_EMU, size)
        if spec.after:
            top = _add_text(slide, spec.after, top + _GAP_EMU, size)
        if spec.chart:
            top += _GAP_EMU
            _add_chart(
                slide, spec.chart, top, max(_BOTTOM_EMU - top, _chart_min_height(spec.chart))
            )
    deck.save(str(path))


def write_deck(slides: Sequence[Slide], path: str | Path, *, force: bool = False) -> Path:
    """Write the slides to a PowerPoint file, whole or not at all; never over an existing file
    unless ``force``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from xl_roi import example_case, evaluate
    >>> from xl_roi._sensitivity import sensitivity
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "pitch.pptx"
    >>> case = example_case()
    >>> write_deck(deck_slides(evaluate(case), sensitivity(case)), target).suffix
    '.pptx'
    """
    return write_atomic(path, lambda temporary: _render(slides, temporary), force=force)
