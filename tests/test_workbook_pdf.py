"""The built workbook as a person sees it: LibreOffice renders it to PDF, and the Pitch page
shows its numbers. Skipped where LibreOffice (soffice) or pdftotext is not installed."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from xl_roi import evaluate, example_case
from xl_roi.workbook.build import save_workbook

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")

pytestmark = pytest.mark.skipif(
    not (SOFFICE and PDFTOTEXT), reason="needs LibreOffice (soffice) and pdftotext"
)


def test_pitch_page_shows_the_numbers(tmp_path):
    """The PDF's Pitch page carries the headline, the savings, upfront and payback."""
    workbook = tmp_path / "case.xlsx"
    save_workbook(example_case(), workbook)
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
    result = evaluate(example_case())
    assert "Support-ticket classifier: defensible" in pitch
    assert f"{result.annual_savings:,.0f}" in pitch  # 126,720
    assert f"{result.upfront_cost:,.0f}" in pitch  # 33,750
    assert f"{result.payback_months:.1f}" in pitch  # 3.1
    assert "#NAME?" not in pitch
