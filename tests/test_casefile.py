"""Tests of xl_roi.casefile: reading TOML case files, the built-in example, and their errors."""

from __future__ import annotations

import re
import tomllib

import pytest

from xl_roi import CaseFileError, evaluate, example_case, load_case
from xl_roi.case import Case
from xl_roi.casefile import CASE_FILE_KEYS, example_case_text

MINIMAL = """
[volume]
monthly_calls = 2_000_000
[teacher]
cost_per_1k = 12.0
[student]
cost_per_1k = 1.5
[upfront]
total = 52_500
[maintenance]
annual = 40_000
"""


def write(tmp_path, text: str):
    path = tmp_path / "case.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_file_reads_as_the_simplest_case(tmp_path):
    """A minimal file gives the same case as the keyword call."""
    case = load_case(write(tmp_path, MINIMAL))
    assert evaluate(case).payback_months == 2.5
    assert case == Case(
        monthly_calls=2_000_000,
        teacher_cost_per_1k=12.0,
        student_cost_per_1k=1.5,
        upfront_cost=52_500,
        annual_maintenance=40_000,
    )


def test_every_case_field_has_a_key():
    """Every Case input but the slices and ranges (own tables) has a key, each key one field."""
    fields = {f for keys in CASE_FILE_KEYS.values() for f in keys.values()}
    assert fields == set(Case.__dataclass_fields__) - {"quality_slices", "uncertainty"}
    assert len(fields) == sum(len(keys) for keys in CASE_FILE_KEYS.values())


def test_example_file_is_the_example_case(tmp_path):
    """The file `init` writes reads back as the built-in example."""
    assert load_case(write(tmp_path, example_case_text())) == example_case()


def test_example_file_marks_its_figures():
    """Every figure in the example is marked illustrative or sourced, as the issue asks."""
    text = example_case_text()
    assert "ILLUSTRATIVE" in text
    data = tomllib.loads(text)
    assert data["name"] == "Support-ticket classifier"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            MINIMAL.replace("monthly_calls", "monthly_cals"),
            "unknown key [volume] monthly_cals (known: monthly_calls, monthly_growth)",
        ),
        (MINIMAL + "\n[extras]\nx = 1\n", "unknown key extras"),
        (
            MINIMAL.replace("2_000_000", '"2,000,000"'),
            "[volume] monthly_calls must be a number, got '2,000,000'",
        ),
        (MINIMAL.replace("2_000_000", "-5"), "[volume] monthly_calls must be a number ≥ 0, got -5"),
        (
            MINIMAL.replace("cost_per_1k = 12.0", "cost_per_1k = true"),
            "[teacher] cost_per_1k must be a number, got True",
        ),
        (MINIMAL.replace("[maintenance]\nannual = 40_000", ""), "maintenance is missing"),
        (
            MINIMAL.replace("[volume]\nmonthly_calls = 2_000_000", ""),
            "[volume] monthly_calls is missing",
        ),
        (
            MINIMAL.replace("total = 52_500", "total = 52_500\ntraining_compute = 1"),
            "give the upfront cost once: [upfront] total or its items ([upfront] training_compute)",
        ),
        (MINIMAL + '\n[[quality_slices]]\nname = "x"\n', "is missing business_critical"),
        ("quality_slices = 3\n" + MINIMAL, "written as [[quality_slices]]"),
        ("name = 5\n" + MINIMAL, "name must be text in quotes, got 5"),
        ("[volume\n", "not valid TOML"),
    ],
)
def test_bad_files_name_file_key_and_value(tmp_path, text, message):
    """Each bad file is refused with its path, the key and the value."""
    path = write(tmp_path, text)
    with pytest.raises(CaseFileError) as caught:
        load_case(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_missing_file(tmp_path):
    """A missing file says so."""
    with pytest.raises(CaseFileError, match="no such file"):
        load_case(tmp_path / "nope.toml")


def test_binary_file(tmp_path):
    """A binary file is refused as not text."""
    path = tmp_path / "case.toml"
    path.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(CaseFileError, match="not a text file"):
        load_case(path)


def test_folder(tmp_path):
    """A folder is not a case file."""
    with pytest.raises(CaseFileError, match="is a folder"):
        load_case(tmp_path)


def test_huge_file_refused_before_reading(tmp_path):
    """A file over a megabyte is refused without parsing it."""
    path = tmp_path / "case.toml"
    path.write_bytes(b"#" * 1_000_001)
    with pytest.raises(CaseFileError, match="too large"):
        load_case(path)


def test_example_file_shows_an_uncertainty_table_that_works(tmp_path):
    """`init`'s commented [uncertainty] example, uncommented, reads back as those ranges."""
    text = example_case_text()
    assert "# [uncertainty]" in text
    uncommented = re.sub(r"(?m)^# (\[uncertainty\]|\w+ = \[)", r"\1", text)
    case = load_case(write(tmp_path, uncommented))
    assert case.uncertainty == (
        ("monthly_calls", 1_000_000.0, 1_500_000.0, 2_500_000.0),
        ("annual_maintenance", 12_000.0, 24_000.0, 48_000.0),
    )
