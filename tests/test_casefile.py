"""Tests of xl_roi.casefile: reading TOML case files, the built-in example, and their errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
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
            "unknown key [volume] monthly_cals: did you mean monthly_calls? (known: monthly_calls, "
            "monthly_growth)",
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


# -- what a user most likely meant, when TOML cannot read a line ------------------------------


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("monthly_calls = 400,000", "TOML numbers use _ not , : write 400_000"),
        ("monthly_calls = 1,500,000", "TOML numbers use _ not , : write 1_500_000"),
        ("monthly_growth = 2,5", "TOML decimals use a point: write 2.5"),
        ("monthly_calls = 400 000", "TOML numbers use _ not spaces: write 400_000"),
        ("monthly_calls = 1.5M", "write the number out: 1_500_000"),
        ("monthly_calls = 400k", "write the number out: 400_000"),
        ("monthly_growth = 5 %", "a share is a fraction, not a percentage: write 0.05 for 5 %"),
        ("monthly_calls = $400", "write amounts without a currency sign: monthly_calls = 400"),
    ],
)
def test_toml_errors_say_what_was_meant(tmp_path, line, hint):
    """A number written as a reader would write it is refused with the TOML spelling of it."""
    path = write(tmp_path, MINIMAL.replace("monthly_calls = 2_000_000", line))
    with pytest.raises(CaseFileError, match="not valid TOML") as caught:
        load_case(path)
    assert str(caught.value).endswith(hint)


def test_unquoted_text_is_told_to_use_quotes(tmp_path):
    """A case name without quotes gets the quoted line to write instead."""
    path = write(tmp_path, "name = Support bot\n" + MINIMAL)
    with pytest.raises(CaseFileError, match='text goes in quotes: name = "Support bot"'):
        load_case(path)


# -- files that are not case files --------------------------------------------------------------


def _pitch_exits_quickly(path) -> subprocess.CompletedProcess[str]:
    """Run `xl-roi pitch PATH` in a child process that may not take more than 20 seconds."""
    code = "import sys; from xl_roi.cli import main; sys.exit(main(['pitch', sys.argv[1]]))"
    return subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=20
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_without_a_writer_is_refused_not_waited_on(tmp_path):
    """A named pipe no one writes to is refused at once (it used to hang every command)."""
    fifo = tmp_path / "case.toml"
    os.mkfifo(fifo)
    done = _pitch_exits_quickly(fifo)
    assert done.returncode == 2
    assert "not a regular file" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_endless_devices_are_refused_at_once(device):
    """/dev/zero and /dev/urandom are refused before a byte is read (they grew to gigabytes)."""
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    done = _pitch_exits_quickly(device)
    assert done.returncode == 2
    assert f"{device}: not a regular file" in done.stderr
    assert "bug" not in done.stderr


@pytest.mark.parametrize(
    "nested",
    ["x = " + "[" * 5_000 + "]" * 5_000, "x = " + "{a = " * 5_000 + "1" + "}" * 5_000],
    ids=["arrays", "inline tables"],
)
def test_deeply_nested_toml_is_a_clear_error(tmp_path, nested):
    """Arrays or inline tables nested thousands deep: a message, not a RecursionError."""
    path = write(tmp_path, nested + "\n")
    with pytest.raises(CaseFileError, match="nest too deeply"):
        load_case(path)


def test_file_growing_past_the_limit_is_refused_by_the_read(tmp_path, monkeypatch):
    """The size limit holds on the read itself, not only on the size the file reported."""
    import xl_roi.casefile as casefile

    path = write(tmp_path, MINIMAL)
    monkeypatch.setattr(casefile, "MAX_CASE_FILE_BYTES", 10)

    class Empty:  # what stat said before the file grew
        def __init__(self, status):
            self.st_mode, self.st_size = status.st_mode, 0

    original = type(path).stat
    monkeypatch.setattr(type(path), "stat", lambda self, **kw: Empty(original(self, **kw)))
    with pytest.raises(CaseFileError, match="too large for a case file"):
        load_case(path)


# -- names: no control characters, the same slice limit in every command ------------------------

SLICE = """
[[quality_slices]]
name = "{name}"
business_critical = false
teacher_score = 0.9
student_score = 0.9
allowed_drop = 0.01
"""


@pytest.mark.parametrize("control", ["\\u001b[2J", "\\u0007", "\\u0000"], ids=["ESC", "BEL", "NUL"])
@pytest.mark.parametrize("where", ["case", "slice"])
def test_control_characters_in_names_are_refused_without_echo(tmp_path, capsys, control, where):
    """ESC, BEL or NUL in a case or slice name: exit 2 naming the problem, and nothing written
    to the terminal carries the character (`build` used to fail with IllegalCharacterError)."""
    from xl_roi.cli import main

    if where == "case":
        text = f'name = "chat{control} bot"\n' + MINIMAL
    else:
        text = MINIMAL + SLICE.format(name=f"billing{control}")
    path = write(tmp_path, text)
    output = tmp_path / "out.xlsx"
    for command in (["pitch", str(path)], ["build", str(path), "-o", str(output)]):
        code = main(command)
        out, err = capsys.readouterr()
        assert code == 2 and out == ""
        assert "control character" in err
        assert not set(out + err) & {"\x1b", "\x07", "\x00"}
    assert not output.exists()


def test_more_slices_than_the_workbook_holds_refused_by_every_command(tmp_path, capsys):
    """Eleven slices: pitch, sensitivity, simulate and build all refuse with the same message."""
    from xl_roi.cli import main

    text = MINIMAL + "".join(SLICE.format(name=f"slice {number}") for number in range(11))
    path = write(tmp_path, text)
    messages = set()
    for command in (
        ["pitch", str(path)],
        ["sensitivity", str(path)],
        ["simulate", str(path), "--draws", "10"],
        ["build", str(path), "-o", str(tmp_path / "out.xlsx")],
    ):
        code = main(command)
        out, err = capsys.readouterr()
        assert code == 2 and out == "", command
        messages.add(err)
    assert messages == {
        f"xl-roi: error: {path}: 11 quality slices: at most 10 (the rows of the workbook's "
        "Quality sheet); merge the least critical slices\n"
    }


def test_terminal_escapes_in_a_path_are_not_echoed(tmp_path, capsys):
    """A file name holding ESC is shown with ? in the error, never sent to the terminal raw."""
    from xl_roi.cli import main

    code = main(["pitch", str(tmp_path / "evil\x1b]0;owned\x07.toml")])
    _, err = capsys.readouterr()
    assert code == 2
    assert "evil?]0;owned?.toml: no such file" in err


def test_integer_of_hundreds_of_digits_is_refused_by_its_size(tmp_path, capsys):
    """TOML integers have no size limit: 1 followed by 400 zeros is refused (it was an
    OverflowError reported as a bug), shown by its length, not echoed whole."""
    from xl_roi.cli import main

    path = write(tmp_path, MINIMAL.replace("2_000_000", "1" + "0" * 400))
    code = main(["pitch", str(path)])
    _, err = capsys.readouterr()
    assert code == 2
    assert "[volume] monthly_calls must be a number ≥ 0, got a number of 401 digits" in err
    assert "bug" not in err


@pytest.mark.parametrize(
    "value",
    ['"' + "x" * 100_000 + '"', "[" + ", ".join(["1"] * 50_000) + "]"],
    ids=["text", "list"],
)
def test_a_huge_wrong_value_is_not_echoed_whole(tmp_path, value):
    """A 100,000-character value where a number belongs: the message shows its start only."""
    path = write(tmp_path, MINIMAL.replace("2_000_000", value))
    with pytest.raises(CaseFileError, match="monthly_calls must be a number, got ") as caught:
        load_case(path)
    assert len(str(caught.value)) < len(str(path)) + 200


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


def test_a_byte_order_mark_is_read(tmp_path):
    """A case file starting with a UTF-8 byte-order mark (Notepad on Windows writes one) reads
    as the same file without it, model prices included."""
    plain = tmp_path / "plain.toml"
    plain.write_text(example_case_text(), encoding="utf-8")
    marked = tmp_path / "marked.toml"
    marked.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())
    assert load_case(marked) == load_case(plain)
    named = tmp_path / "named.toml"
    named.write_bytes(b"\xef\xbb\xbf" + b'[teacher]\nmodel = "gpt-4o-mini"\n')
    from xl_roi.casefile import named_model_prices

    assert named_model_prices(named)["teacher"].input_per_million > 0


@pytest.mark.parametrize("where", ["name", "slice"])
def test_names_longer_than_the_limit_are_refused_with_it(tmp_path, capsys, where):
    """A case or slice name past 200 characters (32,767 overflowed the Pitch's first cell) is
    refused by every command with the limit; 200 characters are fine."""
    from xl_roi.case import MAX_NAME_CHARS
    from xl_roi.cli import main

    def case_text(name: str) -> str:
        if where == "name":
            return f'name = "{name}"\n' + MINIMAL
        return (
            MINIMAL + f'[[quality_slices]]\nname = "{name}"\nbusiness_critical = false\n'
            "teacher_score = 0.9\nstudent_score = 0.9\nallowed_drop = 0.01\n"
        )

    fine = tmp_path / "fine.toml"
    fine.write_text(case_text("x" * MAX_NAME_CHARS), encoding="utf-8")
    assert main(["pitch", str(fine)]) == 0
    long = tmp_path / "long.toml"
    long.write_text(case_text("y" * 32_767), encoding="utf-8")
    capsys.readouterr()
    for command in ("pitch", "build"):
        argv = [command, str(long)] + (
            ["-o", str(tmp_path / "o.xlsx")] if command == "build" else []
        )
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert f"at most {MAX_NAME_CHARS}" in err and "32,767 characters long" in err
        assert "y" * 50 not in err


def test_the_example_file_shows_how_to_name_a_model_and_a_gpu_and_the_hints_load(tmp_path):
    """The file `xl-roi init` writes shows, commented, how to name a model from the price table
    and a GPU from the catalogue; done as its comments say, the file loads, priced from them."""
    import warnings

    text = example_case_text()
    assert 'model = "gpt-4o", provider = "openai"' in text and 'gpu = "H100"' in text
    assert 'cloud = "aws"' in text and "spot = true" in text
    named = re.sub(
        r"(?ms)^input_price_per_million = 3\.00.*?^output_price_per_million = 15\.00$",
        'model = "gpt-4o"\nprovider = "openai"',
        text,
    )
    named = re.sub(
        r"(?ms)^input_price_per_million = 0\.20.*?^output_price_per_million = 0\.80$",
        'gpu = "H100"\ncloud = "aws"\ncalls_per_second_per_gpu = 20',
        named,
    )
    assert named.count('gpu = "H100"\ncloud') == 1 and 'model = "gpt-4o"\nprovider' in named
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the prices' age
        case = load_case(write(tmp_path, named))
    assert case.is_self_hosted and case.gpu_hourly_cost > 0
    assert case.teacher_input_price_per_million > 0
