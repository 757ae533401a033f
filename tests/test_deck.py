"""The deck: the pitch's figures and words on slides, read back with python-pptx."""

from __future__ import annotations

import itertools
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from pptx import Presentation

from tests.cases import WORKBOOK_CASES, WORSE_ANSWERS
from tests.libreoffice import convert, make_profile, need_soffice
from xl_roi import QualitySlice, evaluate, example_case
from xl_roi._sensitivity import sensitivity
from xl_roi.casefile import example_case_text, input_notes
from xl_roi.cli import main
from xl_roi.deck import deck_slides, write_deck
from xl_roi.json_value import json_value
from xl_roi.pitch import pitch
from xl_roi.prices import price_table

STRUCTURAL = {12.0, 730.0, 1000.0, 95.0}
"""Numbers the pitch's sentences hold as words, not figures: months in a year ("12 × monthly
savings"), hours in a month, calls in a thousand, the 95th percentile."""

NUMBER = re.compile(r"(\(([A-Z]{3}) )?([-−+]?\d[\d,]*(?:\.\d+)?)(\)?)( ?%|×)?")


def _numbers(data: Any) -> list[float]:
    """Every number in a JSON document."""
    if isinstance(data, bool) or data is None or isinstance(data, str):
        return []
    if isinstance(data, int | float):
        return [float(data)]
    if isinstance(data, dict):
        return [number for value in data.values() for number in _numbers(value)]
    return [number for value in data for number in _numbers(value)]


def _slides(path: Path) -> list[dict[str, Any]]:
    """Each slide's text (paragraphs and table cells, apart), its tables and its charts."""
    slides = []
    for slide in Presentation(str(path)).slides:
        texts: list[str] = []
        tables: list[list[list[str]]] = []
        charts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts += [p.text for p in shape.text_frame.paragraphs if p.text]
            if shape.has_table:
                tables.append([[cell.text for cell in row.cells] for row in shape.table.rows])
            if shape.has_chart:
                charts.append(
                    {
                        "categories": list(shape.chart.plots[0].categories),
                        "series": {s.name: list(s.values) for s in shape.chart.plots[0].series},
                    }
                )
        slides.append({"texts": texts, "tables": tables, "charts": charts})
    return slides


def _matches(token: str, negative: bool, percent: bool, candidates: list[float]) -> bool:
    """Whether the figure as written is some candidate, rounded as it is written."""
    written = float(token.replace(",", "").replace("−", "-"))
    if negative:
        written = -written
    decimals = len(token.split(".")[1]) if "." in token else 0
    half_unit = 0.5 * 10.0**-decimals + 1e-9
    for value in candidates:
        shown = 100.0 * value if percent else value
        if math.isfinite(shown) and abs(shown - written) <= half_unit:
            return True
    return False


def _unexplained(text: str, candidates: list[float], words: str = "") -> list[str]:
    """The figures in ``text`` that no candidate explains and ``words`` (the JSON's sentences:
    the recommendation, the flags) do not hold."""
    text = re.sub(r"^\d\. ", "", text)  # a section's number
    text = re.sub(r"\(\d of \d\)", "", text)  # "Sources (1 of 2)"
    bad = []
    for found in NUMBER.finditer(text):
        bracket, _, token, close, suffix = found.groups()
        if suffix == "×":
            continue  # the latency ratio and "12 × monthly savings": sentences of the pitch
        negative = bool(bracket) and close == ")"
        if not negative and float(token.replace(",", "").replace("−", "-")) in STRUCTURAL:
            continue
        if found.group(0) in words:
            continue  # written as the JSON's own sentence writes it
        if not _matches(token, negative, (suffix or "").strip() == "%", candidates):
            bad.append(found.group(0))
    return bad


def _deck(tmp_path: Path, case: Any) -> tuple[Path, Any, Any]:
    result = evaluate(case)
    table = sensitivity(case)
    path = write_deck(deck_slides(result, table), tmp_path / "pitch.pptx")
    return path, result, table


@pytest.mark.parametrize("key", sorted(WORKBOOK_CASES))
def test_every_figure_on_the_slides_is_a_figure_of_the_pitch_json(tmp_path: Path, key: str) -> None:
    """Each number written on a slide (text and tables, sources' notes aside) is a figure of
    ``pitch --json`` or of the tornado's rows, as rounded on the slide."""
    path, result, table = _deck(tmp_path, WORKBOOK_CASES[key])
    candidates = _numbers(result.to_dict()) + _numbers(json_value(table.to_dict("records")))
    candidates.append(0.5)  # the tornado's swing
    candidates += [abs(value) for value in candidates]  # a loss is written in brackets
    describe = price_table().describe()
    data = result.to_dict()
    words = " ".join([data["recommendation"], *(flag["reason"] for flag in data["flags"])])
    names = [result.case.name, *(item.name for item in result.quality)]  # text, not figures

    def unnamed(text: str) -> str:
        for name in names:
            text = text.replace(name, "")
        return text

    bad = []
    for slide in _slides(path):
        for text in slide["texts"]:
            if describe not in text:
                bad += _unexplained(unnamed(text), candidates, words)
        for rows in slide["tables"]:
            sources = rows[0][-1] == "Where it comes from"
            for row in rows[1:]:
                for cell in row[:-1] if sources else row:
                    bad += _unexplained(unnamed(cell), candidates)
    assert bad == []


@pytest.mark.parametrize("key", sorted(WORKBOOK_CASES))
def test_the_slides_say_the_pitch_sentences(tmp_path: Path, key: str) -> None:
    """Every sentence of the pitch's Markdown appears on a slide, word for word."""
    path, result, _ = _deck(tmp_path, WORKBOOK_CASES[key])
    shown = " ".join(
        text
        for slide in _slides(path)
        for text in [*slide["texts"], *(" | ".join(row) for t in slide["tables"] for row in t)]
    )
    for line in pitch(result).splitlines():
        words = line.replace("**", "").removeprefix("> ").removeprefix("- ").lstrip("# ")
        if not line.strip() or line.startswith("|"):
            continue
        assert words in shown.replace("• ", ""), words


def test_the_charts_hold_the_cash_flow_and_the_tornado(tmp_path: Path) -> None:
    """The cash chart's lines are the schedule's cumulative cash, month by month; the tornado's
    bars are the sensitivity rows' payback at low and high, widest swing on top."""
    case = WORSE_ANSWERS
    path, result, table = _deck(tmp_path, case)
    charts = [chart for slide in _slides(path) for chart in slide["charts"]]
    cash, tornado = charts
    rows = result.schedule(int(case.horizon_months))
    assert cash["series"]["Savings less upfront (payback)"] == pytest.approx(
        [row["cumulative_net"] for row in rows], rel=1e-12
    )
    assert cash["series"]["After maintenance too"] == pytest.approx(
        [row["cumulative_net_after_maintenance"] for row in rows], rel=1e-12
    )
    counted = cash["series"]["After maintenance and worse answers"]
    assert counted[0] == -result.upfront_cost
    assert counted[1] - counted[0] == pytest.approx(
        result.quality_adjusted_monthly_savings - result.annual_maintenance / 12
    )
    assumptions = table[table.kind == "assumption"]
    assert tornado["categories"][::-1] == list(assumptions.assumption)
    assert tornado["series"]["Assumption at its low"][::-1] == pytest.approx(
        list(assumptions.payback_low)
    )


def test_a_case_that_says_no_shows_no_ask_and_its_reason(tmp_path: Path) -> None:
    """Worse answers costing more than the compute saved: the deck says do not distill and
    makes no ask, as the pitch does."""
    path, result, _ = _deck(tmp_path, WORSE_ANSWERS)
    texts = " ".join(text for slide in _slides(path) for text in slide["texts"])
    assert result.recommendation.startswith("Do not distill.")
    assert result.recommendation in texts.replace("Recommendation: ", "")
    assert "No ask." in texts
    assert "Approve" not in texts


def test_the_sources_slide_says_where_each_input_was_measured(tmp_path: Path) -> None:
    """Each input with a note in the case file is on a sources slide beside its note, and the
    price table's date is said."""
    out = tmp_path / "pitch.pptx"
    assert main(["deck", "-o", str(out)]) == 0
    notes = input_notes(example_case_text())
    rows = [
        row
        for slide in _slides(out)
        for table in slide["tables"]
        if table[0][-1] == "Where it comes from"
        for row in table[1:]
    ]
    assert {row[2] for row in rows} >= set(notes.values())
    texts = " ".join(text for slide in _slides(out) for text in slide["texts"])
    assert price_table().date.isoformat() in texts


def test_a_named_models_prices_say_where_they_came_from(tmp_path: Path) -> None:
    """A case file naming its teacher's model: the sources slide gives each token price the
    price table it came from, never "not stated in the case"."""
    case = tmp_path / "case.toml"
    case.write_text(
        '[volume]\nmonthly_calls = 2_000_000\n\n[teacher]\nmodel = "gpt-4o"\n'
        "input_tokens_per_call = 800\noutput_tokens_per_call = 200\n\n"
        "[student]\ncost_per_1k = 0.4\n\n[upfront]\ntotal = 30_000\n\n"
        "[maintenance]\nannual = 10_000\n"
    )
    out = tmp_path / "pitch.pptx"
    assert main(["deck", str(case), "-o", str(out)]) == 0
    rows = {
        row[0]: row[2]
        for slide in _slides(out)
        for table in slide["tables"]
        if table[0][-1] == "Where it comes from"
        for row in table[1:]
    }
    for kind in ("input", "output"):
        source = rows[f"Teacher price per million {kind} tokens"]
        assert "gpt-4o" in source and price_table().name in source, source


def test_deck_never_overwrites_without_force(tmp_path: Path, capsys: Any) -> None:
    """An existing file is left as it was unless --force; with it, it is replaced by a deck."""
    out = tmp_path / "pitch.pptx"
    out.write_bytes(b"mine")
    assert main(["deck", "-o", str(out)]) == 2
    assert out.read_bytes() == b"mine"
    assert "--force" in capsys.readouterr().err
    assert main(["deck", "-o", str(out), "--force"]) == 0
    assert len(Presentation(str(out)).slides) >= 8


def test_deck_from_a_filled_in_workbook_matches_its_pitch_json(tmp_path: Path, capsys: Any) -> None:
    """A deck from a filled-in workbook shows the figures ``pitch --json`` reads from it."""
    from xl_roi.workbook.build import save_workbook

    book = tmp_path / "case.xlsx"
    save_workbook(example_case().replace(monthly_calls=900_000), book, portable=True)
    assert main(["pitch", str(book), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    out = tmp_path / "pitch.pptx"
    assert main(["deck", str(book), "-o", str(out)]) == 0
    texts = " ".join(text for slide in _slides(out) for text in slide["texts"])
    assert f"{data['annual_savings']:,.0f}" in texts
    assert main(["deck", str(book), "-o", str(book), "--force"]) == 2


def test_a_self_hosted_case_that_loses_money_says_so_without_an_empty_chart(tmp_path: Path):
    """A quiet self-hosted endpoint (one GPU's bill above the teacher's): no assumption moved
    alone makes it pay back, so the tornado slide says that in words instead of drawing an
    empty chart; the sources name no token prices the case does not have."""
    from xl_roi import Case

    case = Case(
        name="Too quiet",
        monthly_calls=60_000,
        teacher_cost_per_1k=4.0,
        gpu_hourly_cost=2.5,
        calls_per_second_per_gpu=20,
        upfront_cost=40_000,
        annual_maintenance=12_000,
    )
    path, result, _ = _deck(tmp_path, case)
    assert result.verdict == "do not distill"
    slides = _slides(path)
    tornado = next(s for s in slides if s["texts"][0] == "What moves the case")
    assert tornado["charts"] == []
    assert any("No single assumption rescues it" in text for text in tornado["texts"])
    texts = " ".join(text for slide in slides for text in slide["texts"])
    assert "token prices" not in texts


def test_deck_says_the_verdict_once_worse_answers_are_counted(tmp_path: Path, capsys: Any) -> None:
    """Where worse answers cost more than the compute saves, the command's line names the
    verdict counting them, as the pitch's title does (it named the headline's alone)."""
    case = tmp_path / "worse.toml"
    case.write_text(
        'name = "Invoice extraction"\n[volume]\nmonthly_calls = 6_000_000\n'
        "[teacher]\ncost_per_1k = 4.20\n[student]\ncost_per_1k = 0.55\n"
        "[upfront]\ntotal = 58_760\n[maintenance]\nannual = 30_000\n"
        "[quality]\ncost_per_error = 2.50\n"
        '[[quality_slices]]\nname = "Line items"\nbusiness_critical = false\n'
        "teacher_score = 0.95\nstudent_score = 0.93\nallowed_drop = 0.03\ntraffic_share = 0.4\n",
        encoding="utf-8",
    )
    assert main(["deck", str(case), "-o", str(tmp_path / "worse.pptx")]) == 0
    out = capsys.readouterr().out
    assert "Invoice extraction: strong; do not distill once worse answers are counted" in out


_FONTS = Path("/usr/share/fonts/truetype/dejavu")


def _measure() -> Any:
    """A function giving a text's width in points at a size, bold or not: DejaVu Sans (wider
    than Calibri, and what LibreOffice draws without it) where installed, else the deck's own
    character bound."""
    try:
        from PIL import ImageFont

        faces = {
            bold: ImageFont.truetype(str(_FONTS / name), 100)
            for bold, name in ((False, "DejaVuSans.ttf"), (True, "DejaVuSans-Bold.ttf"))
        }
    except (ImportError, OSError):
        from xl_roi.deck import CHAR_EMS

        return lambda text, points, bold: len(text) * CHAR_EMS * (1.1 if bold else 1) * points
    return lambda text, points, bold: faces[bold].getlength(text) / 100 * points


def _lines(paragraph: Any, width_pt: float, measure: Any) -> tuple[int, float]:
    """Lines a paragraph wraps into at ``width_pt`` (words greedily, measured run by run) and
    its size in points."""
    words = [
        (word, run.font.size.pt, bool(run.font.bold))
        for run in paragraph.runs
        for word in run.text.split()
    ]
    if not words:
        return 0, 0.0
    lines, used = 1, 0.0
    for word, points, bold in words:
        width = measure(word + " ", points, bold)
        if used and used + measure(word, points, bold) > width_pt:
            lines, used = lines + 1, 0.0
        used += width
    return lines, max(points for _, points, _ in words)


LONG_NAMES = example_case().replace(
    name="Customer-support ticket triage and routing for the European retail business unit",
    quality_slices=tuple(
        QualitySlice(
            f"Slice {n}: refunds and chargebacks in region {n}", n % 2 == 0, 0.95, 0.94, 0.02
        )
        for n in range(10)
    ),
)


@pytest.mark.parametrize("key", [*sorted(WORKBOOK_CASES), "long names"])
def test_every_text_is_readable_and_inside_its_box(tmp_path: Path, key: str) -> None:
    """Every run of text on every slide is at least 14 points (the charts' too); each text
    box and table row is tall enough for its text wrapped at its width (measured in DejaVu
    Sans), and every shape lies on the slide, none over another."""
    from pptx.util import Emu

    case = LONG_NAMES if key == "long names" else WORKBOOK_CASES[key]
    path, _, _ = _deck(tmp_path, case)
    deck = Presentation(str(path))
    measure = _measure()
    inset, end = Emu(91_440).pt, Emu(45_720).pt
    problems = []
    for number, slide in enumerate(deck.slides, start=1):
        boxes = []
        for shape in slide.shapes:
            top, height = Emu(shape.top).pt, Emu(shape.height).pt
            boxes.append((top, top + height))
            assert shape.left >= 0 and shape.left + shape.width <= deck.slide_width
            assert shape.top + shape.height <= deck.slide_height, (number, shape.name)
            if shape.has_chart:
                chart = shape.chart
                sizes = [chart.font.size, chart.legend.font.size]
                sizes += [
                    axis.tick_labels.font.size for axis in (chart.value_axis, chart.category_axis)
                ]
                assert all(size is not None and size.pt >= 14 for size in sizes), (number, sizes)
            frames = []
            if shape.has_text_frame:
                frames.append((shape.text_frame, Emu(shape.width).pt, height))
            if shape.has_table:
                table = shape.table
                for row in table.rows:
                    for c, cell in enumerate(row.cells):
                        frames.append(
                            (cell.text_frame, Emu(table.columns[c].width).pt, Emu(row.height).pt)
                        )
            for frame, width, room in frames:
                needed = 2 * end
                for paragraph in frame.paragraphs:
                    assert all(run.font.size.pt >= 14 for run in paragraph.runs), paragraph.text
                    lines, points = _lines(paragraph, width - 2 * inset, measure)
                    needed += lines * points * 1.2
                    if paragraph is not frame.paragraphs[-1] and paragraph.space_after:
                        needed += paragraph.space_after.pt
                if needed > room + 0.5:
                    problems.append((number, frame.text[:40], round(needed), round(room)))
        boxes.sort()
        assert all(a[1] <= b[0] + 0.5 for a, b in itertools.pairwise(boxes)), (number, boxes)
    assert problems == []


def test_the_tornado_says_it_counts_compute_alone_when_worse_answers_decide(tmp_path: Path):
    """Where worse answers turn the verdict, the tornado's slide says its paybacks count
    compute alone and gives the payback and verdict counting worse answers; elsewhere it
    says nothing of the kind."""
    for case, counted in ((WORSE_ANSWERS, True), (example_case(), False)):
        (tmp_path / str(counted)).mkdir()
        path, result, _ = _deck(tmp_path / str(counted), case)
        slide = next(s for s in _slides(path) if s["texts"][0] == "What moves the case")
        words = " ".join(slide["texts"])
        assert ("compute alone" in words) == counted
        if counted:
            assert f"the case is {result.quality_adjusted_verdict}" in words
            assert "payback never comes" in words  # 48,000 a month of errors against 21,000 saved


LONG_COSTED = LONG_NAMES.replace(
    cost_per_error=3.5,
    quality_slices=tuple(
        QualitySlice(
            f"Slice {n}: refunds and chargebacks in region {n}",
            n % 2 == 0,
            0.95,
            0.93,
            0.01,
            traffic_share=0.05 + 0.01 * n,
        )
        for n in range(6)
    ),
)
"""Long slice names, every slice failing and costed: the widest slice table."""

FIGURE = re.compile(r"\(?[A-Z]{0,3} ?[-+]?[\d,.]+ ?%?\)?")


def _pieces(text: str) -> list[str]:
    """What a renderer may not break: a figure whole, else each word and each part of a
    word after its hyphen."""
    if FIGURE.fullmatch(text.strip()):
        return [text.strip()]
    return [p for p in re.split(r"\s+|(?<=[A-Za-z]-)(?=[A-Za-z])", text) if p]


@pytest.mark.parametrize("key", ["example", "worse answers", "long names", "long costed"])
def test_the_slice_tables_columns_are_sized_for_their_contents(tmp_path: Path, key: str) -> None:
    """On the risk slide's slice table (measured in DejaVu Sans), no piece of text is wider
    than its column, and while a slice's cell wraps, or a header wraps beyond two lines, no
    column is wider than its own contents need by more than three characters: the room goes
    to the text that needs it, not to a short figure or a long header set on one line."""
    from pptx.util import Emu

    case = {
        "example": example_case(),
        "worse answers": WORSE_ANSWERS,
        "long names": LONG_NAMES,
        "long costed": LONG_COSTED,
    }[key]
    path, _, _ = _deck(tmp_path, case)
    measure = _measure()
    inset = Emu(91_440).pt
    tables = [
        shape.table
        for slide in Presentation(str(path)).slides
        for shape in slide.shapes
        if shape.has_table and shape.table.cell(0, 0).text == "Slice"
    ]
    assert tables
    for table in tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        points = table.cell(1, 0).text_frame.paragraphs[0].runs[0].font.size.pt
        assert points >= 14
        widths = [Emu(column.width).pt - 2 * inset for column in table.columns]
        slack, crowded = [], False
        for c, width in enumerate(widths):
            header = max(measure(piece, points, True) for piece in _pieces(rows[0][c]))
            body = [measure(row[c], points, "FAIL" in row[c]) for row in rows[1:]]
            pieces = [measure(p, points, False) for row in rows[1:] for p in _pieces(row[c])]
            assert max([header, *pieces]) <= width + 0.5, (rows[0][c], max(header, *pieces), width)
            crowded |= max(body) > width
            crowded |= _lines_of(rows[0][c], width, points, measure) > 2
            slack.append(width - max(header, *body))
        if crowded:
            assert max(slack) <= 3 * 0.6 * points, (rows[0], [round(s) for s in slack])


def _lines_of(text: str, width_pt: float, points: float, measure: Any) -> int:
    """Lines a bold header wraps into at ``width_pt``, breaking at spaces and after hyphens."""
    lines, used = 1, 0.0
    for word in re.split(r"(?<=[ -])", text):
        if used and used + measure(word.rstrip(), points, True) > width_pt:
            lines, used = lines + 1, 0.0
        used += measure(word, points, True)
    return lines


def test_every_figure_in_the_sources_value_column_is_set_right(tmp_path: Path) -> None:
    """The sources' Value column sets every figure right, money, percentages, counts and
    latencies in ms alike (one alignment a column of figures)."""
    from pptx.enum.text import PP_ALIGN

    path, _, _ = _deck(tmp_path, WORSE_ANSWERS)
    values = [
        (row.cells[1].text, row.cells[1].text_frame.paragraphs[0].alignment)
        for slide in Presentation(str(path)).slides
        for shape in slide.shapes
        if shape.has_table and shape.table.cell(0, 1).text == "Value"
        for row in list(shape.table.rows)[1:]
    ]
    assert any(text.endswith(" ms") for text, _ in values)
    assert [text for text, alignment in values if alignment != PP_ALIGN.RIGHT] == []


@need_soffice("pdftotext")
def test_every_assumption_of_a_seven_row_tornado_is_labelled_on_the_page(tmp_path: Path) -> None:
    """A self-hosted, growing case moves seven assumptions: the tornado is tall enough for a
    label a bar (the words above move to a smaller size or a slide of their own) and asks for
    every label, and LibreOffice prints all seven names (it once printed four, the chart
    squeezed under three paragraphs)."""
    import shutil
    import subprocess

    from xl_roi import load_case

    # self-hosted, growing, worse answers costed: three paragraphs above the chart
    case = load_case(Path(__file__).parent / "fixtures" / "cases" / "contract_clauses.toml")
    path, result, table = _deck(tmp_path, case)
    assert result.quality_adjusted_verdict != result.verdict
    names = list(table[table.kind == "assumption"].assumption)
    assert len(names) == 7
    charts = [chart for entry in _slides(path) for chart in entry["charts"]]
    assert len(charts[-1]["categories"]) == 7
    convert(path, tmp_path, make_profile(tmp_path / "profile"), fmt="pdf")
    text = subprocess.run(
        [shutil.which("pdftotext") or "pdftotext", str(path.with_suffix(".pdf")), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    page = next(page for page in text.split("\f") if page.startswith("What moves the case"))
    for name in names:
        assert name.split(" (")[0] in page, name
