"""Tests of xl_roi.prices: list prices with their date, unknown models, stale tables, case files."""

from __future__ import annotations

import datetime as dt

import pytest

from xl_roi.casefile import case_from_mapping
from xl_roi.errors import CaseFileError, InputError
from xl_roi.prices import (
    PRICE_KINDS,
    STALE_AFTER_DAYS,
    UnknownModelError,
    known_models,
    known_providers,
    model_prices,
    price_table,
)


class TestModelPrices:
    @pytest.mark.parametrize(
        ("model", "provider", "expected"),
        [
            # OpenAI's list prices per million tokens: input, output, cached input
            ("gpt-4o-mini", None, (0.15, 0.6, 0.075)),
            ("gpt-4o", None, (2.5, 10.0, 1.25)),
            # Anthropic's Claude 3 Haiku on Bedrock: $0.25 / $1.25 per million
            ("anthropic.claude-3-haiku-20240307-v1:0", "aws", (0.25, 1.25, None)),
        ],
    )
    def test_list_prices(self, model, provider, expected):
        """Known models get their public list prices per million tokens."""
        prices = model_prices(model, provider)
        assert prices.per_million("input") == expected[0]
        assert prices.per_million("output") == expected[1]
        if expected[2] is not None:
            assert prices.per_million("cached_input") == expected[2]

    def test_unknown_model_is_an_error_never_zero(self):
        """A model the table does not know raises, naming it and how to give the cost (in the
        caller's words when it gives them)."""
        with pytest.raises(UnknownModelError, match=r"'acme-llm-7b'.*cost per 1,000 calls"):
            model_prices("acme-llm-7b")
        with pytest.raises(UnknownModelError, match=r"'acme-llm-7b'.*: use --my-flag$"):
            model_prices("acme-llm-7b", hint="use --my-flag")

    def test_unknown_model_names_the_closest(self):
        """A misspelt model is refused with the closest names the table knows."""
        with pytest.raises(UnknownModelError, match=r"'gpt-4o-mni' \(closest: gpt-4o-mini"):
            model_prices("gpt-4o-mni")

    def test_unknown_provider(self):
        """A provider the table does not know is refused, naming it, the closest and all."""
        with pytest.raises(UnknownModelError, match=r"no provider 'nobody'; its providers: "):
            model_prices("gpt-4o", "nobody")
        with pytest.raises(UnknownModelError, match=r"no provider 'opnai' \(closest: openai\)"):
            model_prices("gpt-4o", "opnai")

    def test_known_providers_and_models(self):
        """The table's providers and models can be listed, and filtered by a text."""
        assert "openai" in known_providers()
        found = known_models(containing="4O-MINI")
        assert ("openai", "gpt-4o-mini") in found
        assert all("4o-mini" in model.lower() or "4o-mini" in p for p, model in found)
        assert {p for p, _ in known_models("anthropic")} == {"anthropic"}

    def test_blank_model(self):
        """A blank model name is refused."""
        with pytest.raises(InputError, match="model is blank"):
            model_prices("  ")

    def test_kind_must_be_known(self):
        """Only input, output and cached_input prices exist."""
        assert PRICE_KINDS == ("input", "output", "cached_input")
        with pytest.raises(InputError, match="kind must be one of"):
            model_prices("gpt-4o").per_million("audio")

    def test_source_names_table_version_and_date(self):
        """The source says provider, model, the table's version and its date."""
        table = price_table()
        source = model_prices("gpt-4o").source
        assert f"genai-prices {table.version} (prices as of {table.date.isoformat()})" in source
        assert table.date <= dt.date.today()


class TestStale:
    def test_warns_after_180_days(self):
        """180 days old is fresh; 181 days old gets a warning that says how old."""
        table = price_table()
        assert STALE_AFTER_DAYS == 180
        assert table.stale_warning(table.date + dt.timedelta(days=180)) is None
        warning = table.stale_warning(table.date + dt.timedelta(days=181))
        assert warning is not None and "181 days old" in warning


BASE_CASE = {
    "volume": {"monthly_calls": 2_000_000},
    "upfront": {"total": 52_500},
    "maintenance": {"annual": 40_000},
}


TEACHER_WITH_TOKENS = {
    "cost_per_1k": 12.0,
    "input_tokens_per_call": 1000,
    "output_tokens_per_call": 200,
}


class TestCaseFileModels:
    def test_model_resolves_to_token_prices(self):
        """[teacher] model = "gpt-4o" with tokens per call: $2.50/$10 per million →
        1000 × 2.5 + 200 × 10 = 4500 per million calls → 4.5 per 1k; student gpt-4o-mini:
        1000 × 0.15 + 200 × 0.6 = 270 → 0.27 per 1k."""
        from xl_roi import evaluate

        case = case_from_mapping(
            {
                **BASE_CASE,
                "teacher": {
                    "model": "gpt-4o",
                    "input_tokens_per_call": 1000,
                    "output_tokens_per_call": 200,
                },
                "student": {"model": "gpt-4o-mini", "provider": "openai"},
            }
        )
        result = evaluate(case)
        assert result.teacher_cost_per_1k == pytest.approx(4.5)
        assert result.student_cost_per_1k == pytest.approx(0.27)

    def test_model_and_prices_both_refused(self):
        """A model and prices for the same party is giving its cost twice."""
        with pytest.raises(CaseFileError, match=r"\[student\] model or input_price_per_million"):
            case_from_mapping(
                {
                    **BASE_CASE,
                    "teacher": {"cost_per_1k": 12.0},
                    "student": {"model": "gpt-4o-mini", "input_price_per_million": 1.0},
                },
                "c.toml",
            )

    def test_unknown_model_in_case_file(self):
        """An unknown model in a case file is an error naming the file and the model."""
        with pytest.raises(CaseFileError, match=r"c\.toml: .*'acme-llm-7b'"):
            case_from_mapping(
                {
                    **BASE_CASE,
                    "teacher": {"cost_per_1k": 12.0},
                    "student": {"model": "acme-llm-7b"},
                },
                "c.toml",
            )

    def test_model_refused_when_the_case_counts_money_in_another_currency(self):
        """The table's prices are USD: a case in EUR naming a model is refused (naming the
        currency and what to give instead), never priced in dollars read as euros."""
        with pytest.raises(
            CaseFileError, match=r"c\.toml: \[student\] model = 'gpt-4o-mini': .*USD.*'EUR'"
        ):
            case_from_mapping(
                {
                    **BASE_CASE,
                    "currency": "EUR",
                    "teacher": TEACHER_WITH_TOKENS,
                    "student": {"model": "gpt-4o-mini"},
                },
                "c.toml",
            )
        explicit_usd = case_from_mapping(
            {
                **BASE_CASE,
                "currency": "usd",
                "teacher": TEACHER_WITH_TOKENS,
                "student": {"model": "gpt-4o-mini"},
            }
        )
        assert explicit_usd.student_input_price_per_million == 0.15

    def test_model_must_be_text(self):
        """model = 4 is refused: it must be text in quotes."""
        with pytest.raises(CaseFileError, match=r"\[teacher\] model must be text"):
            case_from_mapping({**BASE_CASE, "teacher": {"model": 4}, "student": {"cost_per_1k": 1}})


class TestLookUps:
    def run(self, capsys, *argv):
        from xl_roi.cli import main

        code = main(list(argv))
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    def test_prices_without_a_model_lists_providers(self, capsys):
        """`xl-roi prices` lists the providers with their model counts and how to list
        models, instead of an error."""
        code, out, _ = self.run(capsys, "prices")
        assert code == 0 and "openai" in out and " models" in out and "--filter" in out

    def test_filter_lists_matching_models(self, capsys):
        """--filter TEXT lists the models whose name contains it."""
        code, out, _ = self.run(capsys, "prices", "--filter", "4o-mini")
        assert code == 0 and "gpt-4o-mini" in out and "claude" not in out

    def test_unknown_model_hint_names_this_commands_flags(self, capsys):
        """An unknown model at `xl-roi prices` gets the closest names and this command's own
        way on, not measure's --price."""
        code, _, err = self.run(capsys, "prices", "gpt-4o-mni")
        assert code == 2 and "closest: gpt-4o-mini" in err and "--filter" in err
        assert "--price" not in err

    def test_unknown_model_in_a_case_file_names_case_keys(self, capsys, tmp_path):
        """An unknown model in a case file: the hint names the case file's keys, never a
        flag pitch does not have."""
        case = tmp_path / "case.toml"
        case.write_text(
            '[volume]\nmonthly_calls = 1000\n[teacher]\nmodel = "gpt-4o-mni"\n'
            "input_tokens_per_call = 100\noutput_tokens_per_call = 10\n"
            "[student]\ncost_per_1k = 0.1\n[upfront]\ntotal = 1\n[maintenance]\nannual = 0\n"
        )
        code, _, err = self.run(capsys, "pitch", str(case))
        assert code == 2 and "[teacher] cost_per_1k" in err and "closest: gpt-4o-mini" in err
        assert "--price" not in err and "cost column" not in err

    def test_unknown_provider_at_the_command(self, capsys):
        """--provider opnai is caught, naming openai."""
        code, _, err = self.run(capsys, "prices", "gpt-4o", "--provider", "opnai")
        assert code == 2 and "closest: openai" in err
