"""Tests of `xl-roi measure` and `xl-roi prices`: output, case files written and updated."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from xl_roi.casefile import example_case_text, load_case
from xl_roi.cli import main

LOGS = Path(__file__).parent / "fixtures" / "logs"
CANONICAL = str(LOGS / "canonical.csv")
STUDENT = "ft:gpt-4o-mini:acme:tickets"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


class TestMeasureCommand:
    def test_table_and_warnings(self, capsys):
        """The text output names rows, files, window and months; warnings go to stderr."""
        code, out, err = run(capsys, "measure", CANONICAL)
        assert code == 0
        assert "24 of 27 rows" in out and "2026-01, 2026-02, 2026-03" in out
        # P95 over the 20 successful calls: 100 … 2100 ms less the failed 500, rank 18.05 → 2005
        assert "gpt-4o" in out and "2,005" in out
        assert "3 of 27 rows refused" in err

    def test_json_has_models_and_source(self, capsys):
        """--json prints {"models": [...], "source": {...}} with the table's names."""
        code, out, _ = run(capsys, "measure", CANONICAL, "--json")
        data = json.loads(out)
        assert code == 0 and set(data) == {"models", "source"}
        first = data["models"][0]
        assert first["model"] == "gpt-4o" and first["latency_p95_ms"] == 2005
        assert first["failed_calls"] == 1 and first["failed_latency_p95_ms"] == 500
        assert data["source"]["figures_over"] == "successful calls"
        assert data["models"][1]["monthly_growth"] is None
        assert data["source"]["rows_refused"]["missing model"] == 1

    def test_bucketed_p95_is_null_with_note(self, capsys):
        """The OpenAI usage export prints n/a for P95 and says it is not available."""
        code, out, _ = run(capsys, "measure", str(LOGS / "openai_usage_completions.csv"))
        assert code == 0 and "n/a" in out and "P95 not available from this source" in out

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            (["measure", "nowhere.csv"], "nowhere.csv: no such file"),
            (["measure", CANONICAL, "--since", "soon"], "since must be a date"),
            (["measure", CANONICAL, "--columns", "timestamp"], "--columns: write name="),
            (["measure", CANONICAL, "--price", "x=1"], "--price: write MODEL=INPUT,OUTPUT"),
            (["measure", CANONICAL, "-o", "x.toml"], "name the teacher"),
        ],
    )
    def test_bad_input_exits_2_with_a_message(self, capsys, tmp_path, monkeypatch, argv, message):
        """Bad input: one line naming the problem, exit 2, no traceback."""
        monkeypatch.chdir(tmp_path)
        code, _, err = run(capsys, *argv)
        assert code == 2 and message in err and "bug" not in err

    def test_long_model_names_are_shown_whole(self, capsys):
        """A model name longer than the column is shown whole in the table, so it can be
        copied into --teacher (it was cut at 34 characters)."""
        code, out, _ = run(capsys, "measure", str(LOGS / "bedrock_invocations.jsonl"))
        rows = [line for line in out.splitlines() if line.startswith("anthropic.")]
        assert code == 0 and rows[0].split()[:2] == ["anthropic.claude-3-haiku-20240307-v1:0", "3"]

    def test_columns_name_their_units(self, capsys):
        """The table's header says what each figure counts: calls a month, growth a month,
        cost per 1,000 calls, P95 in milliseconds."""
        code, out, _ = run(capsys, "measure", CANONICAL)
        assert code == 0
        header = next(line for line in out.splitlines() if line.startswith("model "))
        for words in ("calls/month", "growth/month", "cost/1k calls", "P95 ms"):
            assert words in header, words

    def test_no_percentile_method_without_a_percentile(self, capsys):
        """A source without per-request latency does not say how its (absent) P95 was taken,
        only that it is not available."""
        code, out, _ = run(capsys, "measure", str(LOGS / "openai_usage_completions.csv"))
        assert code == 0 and "P95 not available from this source" in out
        assert "exact" not in out and "interpolation" not in out

    def test_file_count_in_words(self, capsys):
        """One file is "1 file", not "1 file(s)"."""
        code, out, _ = run(capsys, "measure", CANONICAL)
        assert code == 0 and " from 1 file (canonical columns)" in out and "file(s)" not in out

    def test_says_how_to_write_a_case(self, capsys):
        """Without -o or --update, the last line says how to write the figures into a case,
        with the logs as given."""
        code, out, _ = run(capsys, "measure", CANONICAL)
        last = out.strip().splitlines()[-1]
        assert code == 0 and f"xl-roi measure {CANONICAL} --teacher MODEL" in last
        assert "-o case.toml" in last

    def test_teacher_and_student_limit_the_table(self, capsys):
        """Naming the teacher reports only the teacher (an unknown model elsewhere in the logs
        then needs no price)."""
        code, out, _ = run(capsys, "measure", CANONICAL, "--teacher", "gpt-4o", "--json")
        assert code == 0 and [m["model"] for m in json.loads(out)["models"]] == ["gpt-4o"]

    def test_unknown_model_has_no_cost_and_says_how_to_price_it(self, capsys, tmp_path):
        """A log model the price table does not know: "no cost" in the table (never 0), and
        a line naming --price for it; as the teacher of a case: exit 2 naming --price."""
        log = tmp_path / "t.csv"
        log.write_text("timestamp,model,input_tokens,output_tokens\n2026-01-01,acme-7b,1,1\n")
        code, out, err = run(capsys, "measure", str(log))
        assert code == 0 and "no cost recorded (self-hosted?)" in out
        assert "no cost" in next(line for line in out.splitlines() if line.startswith("acme-7b"))
        assert "--price acme-7b=INPUT,OUTPUT" in err
        code, _, err = run(
            capsys, "measure", str(log), "--teacher", "acme-7b", "-o", str(tmp_path / "c.toml")
        )
        assert code == 2 and "--price acme-7b=INPUT,OUTPUT" in err
        assert not (tmp_path / "c.toml").exists()
        code, out, _ = run(capsys, "measure", str(log), "--price", "acme-7b=1000,1000")
        assert code == 0 and "prices given" in out


class TestCaseFiles:
    def test_new_case_file_with_sources(self, capsys, tmp_path):
        """-o writes a case whose volume, growth and costs are the measured ones, each under a
        comment naming the file, the window and the calls."""
        target = tmp_path / "case.toml"
        code, _, _ = run(
            capsys,
            "measure",
            CANONICAL,
            "--teacher",
            "gpt-4o",
            "--student",
            STUDENT,
            "-o",
            str(target),
        )
        assert code == 0
        case = load_case(target)
        assert case.monthly_calls == pytest.approx(19 / 3)
        assert case.monthly_growth == pytest.approx(0.5)
        assert case.teacher_cost_per_1k == 4.5 and case.student_cost_per_1k == 0.6
        text = target.read_text()
        assert (
            "# measured from logs: canonical.csv; 2026-01-01 … 2026-04-10 (complete months "
            "2026-01, 2026-02, 2026-03); 21 rows of gpt-4o" in text
        )

    def test_written_figures_are_listed_with_the_next_step(self, capsys, tmp_path):
        """-o lists the figures it wrote and those it could not measure, and says what to do
        next: check the example's other figures, then pitch."""
        target = tmp_path / "case.toml"
        code, _, err = run(
            capsys,
            "measure",
            str(LOGS / "openai_usage_completions.csv"),
            "--teacher",
            "gpt-4o-mini-2024-07-18",
            "-o",
            str(target),
        )
        assert code == 0
        assert "[volume] monthly_calls" in err and "[teacher] cost_per_1k" in err
        assert err.index("[volume]") < err.index("[teacher]")
        assert "not measured: [upside] teacher_p95_ms: P95 not available from this source" in err
        assert "built-in example" in err and f"xl-roi pitch {target}" in err

    def test_written_tables_listed_in_file_order(self, capsys, tmp_path):
        """The figures written are listed table by table in the case file's order: volume,
        teacher, student, upside."""
        target = tmp_path / "case.toml"
        argv = ["measure", CANONICAL, "--teacher", "gpt-4o", "--student", STUDENT]
        code, _, err = run(capsys, *argv, "-o", str(target))
        places = [err.index(f"[{table}] ") for table in ("volume", "teacher", "student", "upside")]
        assert code == 0 and places == sorted(places)

    def test_new_case_file_never_overwrites(self, capsys, tmp_path):
        """-o onto an existing file is refused without --force; the file is unchanged."""
        target = tmp_path / "case.toml"
        target.write_text("mine\n")
        code, _, err = run(capsys, "measure", CANONICAL, "--teacher", "gpt-4o", "-o", str(target))
        assert code == 2 and "--force" in err and target.read_text() == "mine\n"

    def test_update_refuses_typed_figures_then_forces(self, capsys, tmp_path):
        """--update will not change figures the user typed without --force (file untouched);
        with --force it does, commenting out the teacher's prices instead of deleting them."""
        target = tmp_path / "case.toml"
        original = example_case_text()
        target.write_text(original)
        code, _, err = run(
            capsys, "measure", CANONICAL, "--teacher", "gpt-4o", "--update", str(target)
        )
        assert code == 2 and "[volume] monthly_calls = 1_500_000 → " in err
        # the figures refused are named without the comments beside them in the file
        assert "[teacher] input_price_per_million = 3.00 (another way" in err
        assert "illustrative" not in err
        assert target.read_text() == original
        code, _, _ = run(
            capsys, "measure", CANONICAL, "--teacher", "gpt-4o", "--update", str(target), "--force"
        )
        assert code == 0
        updated = target.read_text()
        assert "# replaced by the measured cost_per_1k: input_price_per_million = 3.00" in updated
        data = tomllib.loads(updated)
        assert data["teacher"]["cost_per_1k"] == 4.5
        assert data["volume"]["monthly_calls"] == pytest.approx(19 / 3)

    def test_update_keeps_every_other_line(self, capsys, tmp_path):
        """Every line of the user's file that is not a measured figure is kept, in order."""
        target = tmp_path / "case.toml"
        original = (
            '# my case\nname = "Tickets"\n\n[volume]\nmonthly_calls = 100\n\n'
            "[teacher]\ncost_per_1k = 9.0  # from the invoice\n\n[student]\n"
            "cost_per_1k = 0.6\n\n[upfront]\ntotal = 10_000  # quote\n\n"
            "[maintenance]\nannual = 1_000\n"
        )
        target.write_text(original)
        code, _, _ = run(
            capsys, "measure", CANONICAL, "--student", STUDENT, "--update", str(target)
        )
        assert code == 0  # the student's 0.6 equals the measured 0.6: nothing typed changes
        updated = target.read_text().splitlines()
        # the student's P95 latency is new: an [upside] table at the end, after a blank line
        assert updated[-4:] == ["", "[upside]", updated[-2], "student_p95_ms = 150"]
        kept = [line for line in updated[:-4] if not line.startswith("# measured from logs:")]
        assert kept == original.splitlines()

    def test_update_replaces_its_own_figures_without_force(self, capsys, tmp_path):
        """Figures written by an earlier measure may be replaced by a later one."""
        target = tmp_path / "case.toml"
        run(capsys, "measure", CANONICAL, "--teacher", "gpt-4o", "-o", str(target))
        code, _, _ = run(
            capsys,
            "measure",
            CANONICAL,
            "--teacher",
            "gpt-4o",
            "--since",
            "2026-02-01",
            "--until",
            "2026-03-31",
            "--update",
            str(target),
        )
        assert code == 0
        assert load_case(target).monthly_calls == 7.5  # (6 + 9)/2
        figures = [line for line in target.read_text().splitlines() if not line.startswith("#")]
        assert sum(line.startswith("monthly_calls = ") for line in figures) == 1

    def test_model_names_cannot_write_lines_into_the_case(self, capsys, tmp_path):
        """A model name from the logs with line breaks stays inside its one comment line: it
        cannot add figures to the case file."""
        evil = "evil\n[upfront]\ntotal = 1"
        log = tmp_path / "evil.jsonl"
        log.write_text(
            json.dumps(
                {
                    "timestamp": "2026-01-05T10:00:00Z",
                    "model": evil,
                    "input_tokens": 10,
                    "output_tokens": 2,
                    "cost": 0.5,
                    "latency_ms": 100,
                }
            )
            + "\n"
        )
        target = tmp_path / "case.toml"
        code, _, _ = run(capsys, "measure", str(log), "--teacher", evil, "-o", str(target))
        assert code == 0
        assert "total = 1" not in target.read_text().splitlines()
        assert load_case(target).upfront_cost is None  # the example's items, untouched


class TestPricesCommand:
    def test_prices_with_date(self, capsys):
        """`xl-roi prices gpt-4o-mini` prints input, output and cached input with the date."""
        code, out, _ = run(capsys, "prices", "gpt-4o-mini")
        assert code == 0 and "prices as of 20" in out
        assert "0.15" in out and "0.6" in out and "0.075" in out

    def test_prices_json(self, capsys):
        """--json gives the three prices, the table's version and its date."""
        code, out, _ = run(capsys, "prices", "gpt-4o-mini", "--json")
        data = json.loads(out)
        assert code == 0 and data["input_per_million"] == 0.15
        assert data["cached_input_per_million"] == 0.075 and data["prices_as_of"]

    def test_unknown_model(self, capsys):
        """An unknown model: exit 2, named, never a price of 0."""
        code, out, err = run(capsys, "prices", "acme-llm-7b")
        assert code == 2 and "'acme-llm-7b'" in err and out == ""

    def test_case_file_model_prices_said(self, capsys, tmp_path):
        """A case naming its models says on stderr where their prices came from."""
        case = tmp_path / "m.toml"
        case.write_text(
            '[volume]\nmonthly_calls = 2_000_000\n[teacher]\nmodel = "gpt-4o"\n'
            "input_tokens_per_call = 1000\noutput_tokens_per_call = 200\n"
            '[student]\nmodel = "gpt-4o-mini"\n[upfront]\ntotal = 52_500\n'
            "[maintenance]\nannual = 40_000\n"
        )
        code, _, err = run(capsys, "pitch", str(case))
        assert code == 0
        assert "[teacher] token prices: openai gpt-4o list prices from genai-prices" in err


class TestOwnInput:
    @pytest.mark.parametrize("flag", ["-o", "--update"])
    def test_a_log_is_never_replaced_by_the_case(self, capsys, tmp_path, flag):
        """measure LOG -o LOG --force (or --update LOG) is refused, and the log is untouched."""
        log = tmp_path / "calls.csv"
        log.write_bytes(Path(CANONICAL).read_bytes())
        before = log.read_bytes()
        code, _, err = run(
            capsys, "measure", str(log), "--teacher", "gpt-4o", flag, str(log), "--force"
        )
        assert code == 2 and "a log read is never replaced" in err
        assert log.read_bytes() == before


def test_model_names_print_no_c1_control(capsys, tmp_path):
    """A model named with U+009B prints with it replaced (text) or escaped (--json), on stdout
    and stderr alike, as C0 controls are."""
    log = tmp_path / "calls.csv"
    log.write_text(
        "timestamp,model,input_tokens,output_tokens,cost,latency_ms\n"
        "2026-01-01T00:00:00Z,gpt\u009b31m,1,1,0.1,5\n",
        encoding="utf-8",
    )
    c1 = [chr(code) for code in range(0x7F, 0xA0)]
    for argv in ([], ["--json"], ["--teacher", "x"]):
        _, out, err = run(capsys, "measure", str(log), *argv)
        assert not any(char in out + err for char in c1), argv
    _, out, _ = run(capsys, "measure", str(log), "--json")
    assert json.loads(out)["models"][0]["model"] == "gpt\u009b31m"
