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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xl_roi import cashflow
from xl_roi.evaluation import Result
from xl_roi.fields import FIELDS
from xl_roi.files import write_atomic
from xl_roi.pitch import format_money, format_months, pitch_sections

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
        tuple(f"{int(row['month'])}" for row in rows),
        tuple(series),
        _money_format(case.currency),
        value_title=f"Cumulative cash ({case.currency})",
        category_title="Month (0: the upfront spend)",
    )


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
    if item.number_format == FIELDS["upfront_cost"].number_format or name.endswith("_cost"):
        return format_money(number, currency, cents=abs(number) < 100 and number != int(number))
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
    """Each input the case sets, its value, and where it comes from; the price table's date."""
    from xl_roi.prices import price_table

    case = result.case
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
    per_slide = 12
    chunks = [rows[i : i + per_slide] for i in range(0, len(rows), per_slide)] or [[]]
    slides = []
    for number, chunk in enumerate(chunks, start=1):
        title = "Sources" if len(chunks) == 1 else f"Sources ({number} of {len(chunks)})"
        slides.append(
            Slide(
                title,
                paragraphs=tuple(lines) if number == 1 else (),
                table=(("Input", "Value", "Where it comes from"), *chunk),
            )
        )
    return slides


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
    slides.append(Slide("What moves the case", paragraphs=words, chart=tornado if drawn else None))
    slides.append(_section_slide(ask))
    slides += [_section_slide(section) for section in upside]
    slides += _sources_slides(result, notes or {}, prices or {}, source_name)
    return slides


_WIDE_EMU = 12_192_000  # 13.333 in: a 16:9 slide
_TALL_EMU = 6_858_000  # 7.5 in
_NAVY = (0x1F, 0x3A, 0x5F)
_RED = (0xA0, 0x1C, 0x1C)
_CHARS_AT_ONE_POINT = 1150
"""Characters a line of the body holds at one point: at 18 points, about 64 (bold, wide)."""


def _font_size(text_length: int, room: float) -> int:
    """Points that fit ``text_length`` characters in ``room`` (0 … 1 of the body area)."""
    for points in (22, 20, 18, 16, 14, 12):
        chars_per_line = _CHARS_AT_ONE_POINT / points  # across 12.3 in of body width
        lines_fit = (360 * room) / (points * 1.35)
        if text_length / chars_per_line * 1.15 + 1 <= lines_fit:
            return points
    return 11


def _runs(paragraph: Any, text: str, size: int) -> None:
    from pptx.util import Pt

    for index, part in enumerate(text.split("**")):
        if not part:
            continue
        run = paragraph.add_run()
        run.text = part
        run.font.size = Pt(size)
        run.font.bold = index % 2 == 1


def _table_layout(rows: Sequence[Sequence[str]]) -> tuple[int, list[int], list[int]]:
    """A table's font size, column widths and row heights (EMU), each row as tall as its most
    wrapped cell: a header that wraps pushes what follows down, never under the table."""
    columns = max(len(row) for row in rows)
    longest = max(len(" ".join(row)) for row in rows)
    size = 12 if len(rows) > 9 or longest > 110 else 14
    weights = [
        min(
            60,
            max(
                max((len(word) for word in rows[0][c].split()), default=0) + 2,
                *(len(row[c].replace("**", "")) + 2 for row in rows[1:] if c < len(row)),
            ),
        )
        for c in range(columns)
    ]
    room = _WIDE_EMU - 914_400
    widths = [int(room * weight / sum(weights)) for weight in weights]
    char_emu = size * 0.6 * 12_700  # an average character of the sans-serif face
    heights = []
    for row in rows:
        lines = max(
            math.ceil(len(row[c].replace("**", "")) * char_emu / max(widths[c] - 182_880, 1))
            if c < len(row)
            else 1
            for c in range(columns)
        )
        heights.append(int(12_700 * size * (0.7 + 1.25 * max(lines, 1))))
    return size, widths, heights


def _add_table(slide: Any, rows: Sequence[Sequence[str]], top: int) -> int:
    """The table at ``top``; returns where it ends."""
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Emu

    size, widths, heights = _table_layout(rows)
    columns = len(widths)
    shape = slide.shapes.add_table(
        len(rows), columns, Emu(457_200), Emu(top), Emu(sum(widths)), Emu(sum(heights))
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
            paragraph = cell.text_frame.paragraphs[0]
            _runs(paragraph, text, size)
            if r == 0:
                for run in paragraph.runs:
                    run.font.bold = True
            bare = text.replace("**", "").strip()
            numeric = bool(re.fullmatch(r"\(?[A-Z]{0,3} ?[-+]?[\d,.]+ ?(%|months)?\)?|never", bare))
            if r > 0 and numeric:
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
        kind, Emu(457_200), Emu(top), Emu(_WIDE_EMU - 914_400), Emu(height), data
    )
    plot = frame.chart
    plot.has_legend = True
    plot.legend.position = XL_LEGEND_POSITION.BOTTOM
    plot.legend.include_in_layout = False
    plot.legend.font.size = Pt(12)
    values = plot.value_axis
    values.tick_labels.font.size = Pt(11)
    values.tick_labels.number_format = chart.number_format
    values.tick_labels.number_format_is_linked = False
    values.has_major_gridlines = True
    categories = plot.category_axis
    categories.tick_labels.font.size = Pt(11)
    categories.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    for axis, title in ((values, chart.value_title), (categories, chart.category_title)):
        if title:
            axis.has_title = True
            axis.axis_title.text_frame.text = title
            axis.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(12)
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


def _add_text(slide: Any, paragraphs: Sequence[str], top: int, size: int) -> int:
    """Paragraphs in a text box from ``top``; returns where the text ends (estimated)."""
    from pptx.util import Emu, Pt

    body = slide.shapes.add_textbox(Emu(457_200), Emu(top), Emu(_WIDE_EMU - 914_400), Emu(200_000))
    body.text_frame.word_wrap = True
    for number, text in enumerate(paragraphs):
        paragraph = (
            body.text_frame.paragraphs[0] if number == 0 else body.text_frame.add_paragraph()
        )
        bullet = text.startswith("- ")
        _runs(paragraph, ("• " if bullet else "") + text.removeprefix("- "), size)
        paragraph.space_after = Pt(size * 0.5)
    lines = sum(
        math.ceil(len(text.replace("**", "")) * size / _CHARS_AT_ONE_POINT) for text in paragraphs
    )
    return top + int(Pt(size * 1.2 * 1.2)) * lines + int(Pt(size * 0.5)) * len(paragraphs) + 80_000


def _render(slides: Sequence[Slide], path: Path) -> None:
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Pt

    deck = Presentation()
    deck.slide_width, deck.slide_height = Emu(_WIDE_EMU), Emu(_TALL_EMU)
    blank = deck.slide_layouts[6]
    for spec in slides:
        slide = deck.slides.add_slide(blank)
        box = slide.shapes.add_textbox(Emu(457_200), Emu(300_000), Emu(_WIDE_EMU - 914_400), 0)
        frame = box.text_frame
        frame.word_wrap = True
        title = frame.paragraphs[0]
        title_size = 30 if len(spec.title) < 50 else 24
        _runs(title, spec.title, title_size)
        for run in title.runs:
            run.font.bold = True
            run.font.color.rgb = RGBColor(*_NAVY)  # type: ignore[no-untyped-call]
        title_lines = math.ceil(len(spec.title) * 1.1 * title_size / _CHARS_AT_ONE_POINT)
        top = 300_000 + int(Pt(title_size * 1.3)) * title_lines + int(Pt(12))
        if spec.headline:
            line = frame.add_paragraph()
            _runs(line, spec.headline, 40)
            for run in line.runs:
                run.font.bold = True
            top += int(Pt(40 * 1.3))
        if spec.subheadline:
            line = frame.add_paragraph()
            _runs(line, spec.subheadline, 24)
            for run in line.runs:
                run.font.bold = True
                run.font.color.rgb = RGBColor(*_RED)  # type: ignore[no-untyped-call]
            top += int(Pt(24 * 1.3))
        bottom = _TALL_EMU - 300_000
        table_height = sum(_table_layout(spec.table)[2]) if spec.table else 0
        chart_height = int((bottom - top) * 0.72) if spec.chart else 0
        words = [*spec.paragraphs, *spec.after]
        size = 16
        if words:
            text = " ".join(words)
            room = (bottom - top - table_height - chart_height) / (bottom - 1_000_000)
            size = _font_size(len(text) + 40 * len(words), max(room, 0.15))
        if spec.paragraphs:
            top = _add_text(slide, spec.paragraphs, top, size)
        if spec.table:
            top = _add_table(slide, spec.table, top + 50_000) + 200_000
        if spec.after:
            top = _add_text(slide, spec.after, top, size)
        if spec.chart:
            _add_chart(slide, spec.chart, top + 50_000, max(bottom - top - 50_000, 2_000_000))
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
