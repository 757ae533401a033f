"""The workbook as a person sees it: LibreOffice recalculates the portable flavour itself and
renders it to PDF, and the Pitch page shows the core's numbers. Skipped where LibreOffice
(soffice) or pdftotext is not installed, except in CI (which installs both), where it fails."""

from __future__ import annotations

import re
import shutil
import subprocess

import openpyxl
import pytest

from tests.cases import WORKBOOK_CASES
from tests.libreoffice import SOFFICE, convert, convert_all, make_profile, need_soffice
from xl_roi import evaluate, example_case
from xl_roi.workbook.build import save_workbook

PDFTOTEXT = shutil.which("pdftotext")

pytestmark = need_soffice("pdftotext")


def test_pitch_page_shows_the_numbers(tmp_path):
    """A portable workbook whose volume was changed and whose stored results were dropped
    (saved by openpyxl): LibreOffice's PDF of its Pitch page shows the new case's headline,
    savings, upfront and payback, so LibreOffice computed them."""
    built = tmp_path / "built.xlsx"
    save_workbook(example_case(), built, portable=True)
    book = openpyxl.load_workbook(built)
    sheet, reference = next(iter(book.defined_names["monthly_calls"].destinations))
    book[sheet][reference.replace("$", "")].value = 5_000_000
    workbook = tmp_path / "case.xlsx"
    book.save(workbook)  # no stored results: only a recalculation can show numbers
    convert(workbook, tmp_path, make_profile(tmp_path / "profile"), fmt="pdf")
    pdf = tmp_path / "case.pdf"
    text = subprocess.run(
        [PDFTOTEXT, "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    pages = text.split("\f")
    pitch = next(page for page in pages if "1. The savings" in page)
    result = evaluate(example_case().replace(monthly_calls=5_000_000))
    assert f"Support-ticket classifier: {result.verdict}" in pitch
    # (7.50 − 0.46) × 5,000 = 35,200 a month; × 12 = 422,400 a year
    assert "422,400" in pitch and f"{result.annual_savings:,.0f}" == "422,400"
    assert f"{result.upfront_cost:,.0f}" in pitch  # 33,750
    assert f"{result.payback_months:.1f}" in pitch
    assert "#NAME?" not in pitch


@pytest.fixture(scope="module")
def worse_answers_pdfs(tmp_path_factory):
    """The worse-answers case's workbooks, portable and add-in, printed to PDF by LibreOffice in
    one start: each PDF's word boxes (``pdftotext -bbox``), by flavour."""
    folder = tmp_path_factory.mktemp("worse_pdfs")
    case = WORKBOOK_CASES["worse answers"]
    built = [folder / "portable.xlsx", folder / "addin.xlsx"]
    save_workbook(case, built[0], portable=True)
    save_workbook(case, built[1], portable=False)
    pdfs = convert_all(built, folder / "pdf", make_profile(folder / "profile"), fmt="pdf")
    return {pdf.stem: _bbox(pdf) for pdf in pdfs}


def _bbox(pdf):
    """``pdftotext -bbox`` of a PDF: its pages' XML, each word with its box."""
    return subprocess.run(
        [PDFTOTEXT, "-bbox", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout


_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


def _boxed_pages(boxes):
    """The pages of ``pdftotext -bbox`` output: each page's XML, its words as (xMin, yMin,
    xMax, yMax, text), and its words joined as text."""
    pages = boxes.split("<page ")[1:]
    words = [_WORD.findall(page) for page in pages]
    return pages, words, [" ".join(word[4] for word in page) for page in words]


def test_pitch_prints_full_size_on_two_portrait_pages(worse_answers_pdfs):
    """The Pitch prints at a size a reader reads without a glass (it was once squeezed onto
    one landscape page, its words 6.6 points tall): the savings, the payback and the cash
    chart on one page, the risk and the ask on the next, every figure within the page."""
    boxes = worse_answers_pdfs["portable"]
    pages, words, texts = _boxed_pages(boxes)
    first = next(i for i, text in enumerate(texts) if "1. The savings" in text)
    assert "2. The payback" in texts[first] and "Cumulative net cash" in texts[first]
    assert texts[first + 1].startswith("3. The risk and the mitigation")
    assert "4. The ask" in texts[first + 1] and "Upside" in texts[first + 1]
    width = float(re.search(r'width="([\d.]+)"', pages[first]).group(1))
    for page in words[first : first + 2]:
        heights = [float(w[3]) - float(w[1]) for w in page if w[4] in ("Annual", "Upfront")]
        assert heights and min(heights) >= 10.0, heights  # about 9 points and more
        assert max(float(w[2]) for w in page) <= width  # nothing past the page's edge
    title = f"{WORKBOOK_CASES['worse answers'].name}: strong; do not distill once worse answers"
    assert f"{title} are counted" in texts[first]  # wrapped within the page, not cut at its edge


def _pages(tmp_path, workbook):
    profile = tmp_path / "profile"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    text = subprocess.run(
        [PDFTOTEXT, "-layout", str(workbook.with_suffix(".pdf")), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return text.split("\f")


def test_every_page_writes_figures_as_a_reader_expects(tmp_path):
    """Growth as %, money without stray decimals, no four-decimal break-evens, TRUE/FALSE."""
    from tests.cases import WORKBOOK_CASES
    from xl_roi.workbook.freeze import freeze_workbook

    case = WORKBOOK_CASES["self-hosted"].replace(monthly_growth=0.05)
    built = tmp_path / "built.xlsx"
    save_workbook(case, built)
    # the values-only copy: LibreOffice recalculates array formulas, and has no xl_roi functions
    workbook = freeze_workbook(built, tmp_path / "hosted.xlsx")
    pages = _pages(tmp_path, workbook)
    everything = "\n".join(pages)
    sensitivity = next(page for page in pages if page.startswith("Sensitivity"))
    growth = next(line for line in sensitivity.splitlines() if "Monthly growth" in line)
    assert "2.5%" in growth and "7.5%" in growth  # 5 % ± 50 %
    assert "0.025" not in everything and "0.075" not in everything
    # no figure with three or more decimals (a percentage of a tolerance aside)
    assert not re.findall(r"\d\.\d{3,}(?![\d]*%)", everything)
    # the work runs over pages, each under its header ("Calculation  Value  Unit …")
    calculations = "\n".join(page for page in pages if page.startswith("Calculation"))
    # 1,000,000 examples × 1.20 per 1k ÷ 1,000 = 1,200; + 4,000 + 9,000 + 30,000 = 44,200
    assert re.search(r"^Upfront cost\s+44,200 USD\b", calculations, re.MULTILINE)
    checks = next(page for page in pages if "MASTER CHECK" in page)
    assert "TRUE" in checks


def test_pitch_rows_hold_their_text_after_a_live_edit(tmp_path):
    """Inputs changed after the build (a lower volume, a cost per error for slices without a
    traffic share), recalculated by LibreOffice: each Pitch row it saves is tall enough for the
    texts its formulas now give (wrapped at the column's width), the recommendation included."""
    import textwrap

    from xl_roi.workbook.build import PITCH_WIDTHS

    built = tmp_path / "built.xlsx"
    save_workbook(example_case(), built, portable=True)
    book = openpyxl.load_workbook(built)
    for name, value in (("monthly_calls", 400_000), ("cost_per_error", 4.0)):
        sheet, reference = next(iter(book.defined_names[name].destinations))
        book[sheet][reference.replace("$", "")].value = value
    edited = tmp_path / "edited.xlsx"
    book.save(edited)  # no stored results: LibreOffice works out every text
    saved = convert(edited, tmp_path / "out", make_profile(tmp_path / "profile"))
    pitch = openpyxl.load_workbook(saved, data_only=True)["Pitch"]
    merged = PITCH_WIDTHS["B"] + PITCH_WIDTHS["C"]
    recommendation = pitch["B3"].value
    assert len(recommendation) > 300  # the edit made it long: four sentences
    quality_cost = next(
        row for row in pitch.iter_rows() if row[0].value == "Cost of worse answers a month"
    )[1].value
    assert quality_cost.startswith("not computed: a slice")  # the edit changed the text
    short = []
    for row in pitch.iter_rows(min_row=3, max_col=2):
        label, figure = row
        width = merged * 0.9 if figure.coordinate == "B3" else PITCH_WIDTHS["B"]
        lines = max(
            len(textwrap.wrap(label.value, int(PITCH_WIDTHS["A"]) - 2))
            if isinstance(label.value, str)
            else 1,
            len(textwrap.wrap(figure.value, int(width) - 2))
            if isinstance(figure.value, str)
            else 1,
        )
        height = pitch.row_dimensions[label.row].height or 15
        if height < 15 * lines - 0.5:
            short.append((label.row, label.value, figure.value, height, lines))
    assert short == []


def test_portfolio_rows_are_as_tall_as_their_names_need(tmp_path):
    """On the printed Endpoints sheet a row is as tall as its longest name or reason wrapped
    in its column: a name that fits one line gets one line (no gap under it), a long one as
    many as it takes; LibreOffice renders every name on the page."""
    import pandas as pd

    from xl_roi.portfolio import screen
    from xl_roi.workbook.portfolio_book import write_portfolio

    names = [
        "claims intake triage A",  # fits one line of the name column (22 wide)
        "endpoint-01-extractor",
        "support ticket classifier for the European retail business unit, second line",
    ]
    table = screen(
        pd.DataFrame(
            {
                "name": names,
                "monthly_calls": [2e6] * 3,
                "teacher_cost_per_1k": [12.0] * 3,
                "student_cost_per_1k": [1.5] * 3,
                "upfront_cost": [52_500] * 3,
                "annual_maintenance": [0] * 3,
            }
        )
    )
    book = write_portfolio(table, tmp_path / "portfolio.xlsx")
    sheet = openpyxl.load_workbook(book)["Endpoints"]
    width = sheet.column_dimensions["B"].width
    for row in range(2, 5):
        name = sheet[f"B{row}"].value
        fits = len(name) <= width  # a column holds about as many letters as its width
        height = sheet.row_dimensions[row].height
        assert (height is None) == fits, (name, height)
        assert height is None or height >= 15 * 2
    convert(book, tmp_path, make_profile(tmp_path / "profile"), fmt="pdf")
    text = subprocess.run(
        [PDFTOTEXT, str(tmp_path / "portfolio.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    words = " ".join(text.split())
    assert all(name.split()[0] in words for name in names)


def test_portfolio_page_prints_every_decision_column_legibly(tmp_path):
    """A portfolio printing all its decision columns (worse answers costed, cash discounted,
    an endpoint refused) fits them one page wide at a size a reader reads: each amount alone
    under a header that names its currency. Before, the columns took 190 characters, each
    amount carried "USD ", and LibreOffice printed the words 7.3 points tall (now 8.5)."""
    import pandas as pd

    from xl_roi.casefile import sample_endpoints_path
    from xl_roi.portfolio import screen
    from xl_roi.workbook.portfolio_book import PRINTED, printed_columns, write_portfolio

    frame = pd.read_csv(sample_endpoints_path()).drop(columns="note")
    frame["teacher_accuracy"], frame["student_accuracy"] = 0.95, 0.93
    frame["cost_per_error"], frame["discount_rate"] = 0.05, 0.1
    frame.loc[0, "monthly_growth"] = 0.02
    table = screen(frame)
    assert printed_columns(table) == list(PRINTED)  # the widest page there is
    book = write_portfolio(table, tmp_path / "portfolio.xlsx")
    convert(book, tmp_path, make_profile(tmp_path / "profile"), fmt="pdf")
    pages, boxed, _ = _boxed_pages(_bbox(tmp_path / "portfolio.pdf"))
    page, words = next(
        (page, words) for page, words in zip(pages, boxed, strict=True) if ">refused<" in page
    )
    width = float(re.search(r'width="([\d.]+)"', page).group(1))
    heights = [float(w[3]) - float(w[1]) for w in words if w[4] in ("strong", "never", "router")]
    assert heights and min(heights) >= 8.0, heights
    assert max(float(w[2]) for w in words) <= width
    assert "USD" not in [w[4] for w in words]  # the currency in the headers only: "(USD)"


def test_a_payback_that_never_comes_reads_never_on_the_calculations_page(tmp_path):
    """A case that never pays back: LibreOffice's Calculations page shows each payback as
    "never" in words, not the "#NUM! never pays back: …" text its cells hold for the formulas
    that read them (the Checks and the Pitch read that text)."""
    from tests.cases import WORKBOOK_CASES
    from xl_roi.text import NEVER_PAYS_BACK
    from xl_roi.workbook import layout

    built = tmp_path / "never.xlsx"
    save_workbook(WORKBOOK_CASES["never pays back"], built, portable=True)
    book = openpyxl.load_workbook(built)
    for name in layout.NEVER_ROWS:
        sheet, reference = next(iter(book.defined_names[name].destinations))
        stored = book[sheet][reference.replace("$", "")].value
        assert isinstance(stored, str) or name == "quality_adjusted_payback", name
    convert(built, tmp_path, make_profile(tmp_path / "profile"), fmt="pdf")
    text = subprocess.run(
        [PDFTOTEXT, "-layout", str(tmp_path / "never.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    # the work's pages: the first titled, the others under its header, repeated
    calculations = "\n".join(p for p in text.split("\f") if p.startswith("Calculation"))
    assert NEVER_PAYS_BACK.strip() not in calculations
    for label in ("Payback", "Payback after maintenance", "Payback at half volume"):
        assert re.search(rf"^{label}\s+never months\b", calculations, re.MULTILINE), label


def test_calculations_cash_flow_and_sensitivity_print_at_a_readable_size(worse_answers_pdfs):
    """Both flavours' Calculations, Cash flow and Sensitivity pages print at a size a reader
    reads (they once printed 6.4 points tall, the helper columns on the page): every word at
    least 9 points, none past the page's edge, the work's header over each of its pages, the
    cash flow filling most of its page, and no helper (payback search, cash table) printed."""
    for name, boxes in worse_answers_pdfs.items():
        pages, words, texts = _boxed_pages(boxes)
        first = next(i for i, text in enumerate(texts) if text.startswith("Calculations The work"))
        cash = next(i for i, text in enumerate(texts) if "Cash flow by month" in text)
        sensitivity = next(i for i, text in enumerate(texts) if text.startswith("Sensitivity"))
        assert first < cash < sensitivity, (name, first, cash, sensitivity)
        for index in range(first, sensitivity + 1):
            page = words[index]
            width, height = (
                float(x)
                for x in re.search(r'width="([\d.]+)" height="([\d.]+)"', pages[index]).groups()
            )
            heights = [float(w[3]) - float(w[1]) for w in page]
            assert min(heights) >= 9.0, (name, index, min(heights))
            assert max(float(w[2]) for w in page) <= width, (name, index)
            if first < index < cash:  # the work runs on: its header over the page
                assert texts[index].startswith("Calculation "), texts[index][:80]
        top = min(float(w[1]) for w in words[cash])
        bottom = max(float(w[3]) for w in words[cash])
        assert bottom - top >= 0.6 * height, (top, bottom)  # not a third of the page
        everything = " ".join(texts)
        assert "Newton" not in everything and "Monthly cash: what" not in everything


def test_inputs_print_at_a_readable_size_without_their_names(worse_answers_pdfs):
    """The Inputs pages print each input, its value, unit and note at a size a reader reads
    (they once printed about 7.5 points tall, the defined names' column on the page too): every
    word at least 9 points, the header over each page, no defined name printed."""
    for name, boxes in worse_answers_pdfs.items():
        _, words, texts = _boxed_pages(boxes)
        first = next(i for i, text in enumerate(texts) if text.startswith("Inputs One row"))
        last = next(i for i, text in enumerate(texts) if text.startswith("Calculations")) - 1
        for index in range(first, last + 1):
            heights = [float(w[3]) - float(w[1]) for w in words[index]]
            assert min(heights) >= 9.0, (name, index, min(heights))
            assert {"Input", "Value", "Unit", "Source"} <= {w[4] for w in words[index]}
            assert "monthly_calls" not in texts[index] and "Name" not in texts[index].split()
