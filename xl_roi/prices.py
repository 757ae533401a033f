"""Token prices with a date: the maintained ``genai-prices`` table, read offline.

A log with tokens but no cost is priced from this table; so are a case file's teacher or student
given as ``model = "…"`` (and optionally ``provider = "…"``). Every price says where it came from
(the table's version and date), a model the table does not know is an error that names it and
says how to give the cost instead, and a table older than :data:`STALE_AFTER_DAYS` is flagged.

The table's date is the newest date it records on or before today: the start of its latest
price change or its latest "checked on" note. It is a lower bound on how fresh the prices are.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from xl_roi.errors import InputError

__all__ = [
    "PRICE_KINDS",
    "STALE_AFTER_DAYS",
    "ModelPrices",
    "UnknownModelError",
    "known_models",
    "known_providers",
    "model_prices",
    "price_table",
    "stale_warning",
]

STALE_AFTER_DAYS = 180
"""Prices older than this many days get a warning (token prices and GPU prices alike)."""

PRICE_KINDS = ("input", "output", "cached_input")
"""The prices a model has per million tokens, as ``MODEL_PRICE`` and ``xl-roi prices`` name them."""

_ISO_DATE = re.compile(r"\b(20\d\d)-(\d\d)-(\d\d)\b")


def stale_warning(prices: str, age_days: int, advice: str, about: bool = False) -> str | None:
    """The warning for prices older than :data:`STALE_AFTER_DAYS` days, else ``None``.

    The one definition of "stale" for every dated price source (the token price table, the
    GPU price snapshot): ``prices`` names them, ``advice`` says what to do; ``about`` when the
    age is known only roughly.

    Examples
    --------
    >>> stale_warning("the prices from X", 180, "check them") is None
    True
    >>> stale_warning("the prices from X", 181, "check them")
    'the prices from X are 181 days old (more than 180): check them'
    """
    if age_days <= STALE_AFTER_DAYS:
        return None
    roughly = "about " if about else ""
    return f"{prices} are {roughly}{age_days} days old (more than {STALE_AFTER_DAYS}): {advice}"


class UnknownModelError(InputError):
    """The price table does not know this model: its cost must be given another way."""


@dataclass(frozen=True)
class PriceTable:
    """The price table in use: its name, version and date.

    Examples
    --------
    >>> table = price_table()
    >>> table.name
    'genai-prices'
    """

    name: str
    version: str
    date: dt.date

    def describe(self) -> str:
        """``genai-prices 0.2.3 (prices as of 2026-10-14)``, as ``cost_source`` says it."""
        return f"{self.name} {self.version} (prices as of {self.date.isoformat()})"

    def age_days(self, today: dt.date | None = None) -> int:
        """Days between the table's date and ``today`` (default: today)."""
        return ((today or dt.date.today()) - self.date).days

    def stale_warning(self, today: dt.date | None = None) -> str | None:
        """A warning when the table is older than :data:`STALE_AFTER_DAYS`, else ``None``."""
        return stale_warning(
            f"the prices from {self.describe()}",
            self.age_days(today),
            "check them against the provider's price page, or upgrade genai-prices",
        )


@dataclass(frozen=True)
class ModelPrices:
    """A model's prices per million tokens, with where they came from.

    ``cached_input_per_million`` is the price of a cached input token (a cache read); when the
    table has none, cached input tokens cost as much as any input token.
    """

    model: str
    provider: str
    input_per_million: float
    output_per_million: float
    cached_input_per_million: float
    table: PriceTable
    note: str = ""

    def per_million(self, kind: str) -> float:
        """The price of one kind (``input``, ``output``, ``cached_input``) per million tokens.

        Examples
        --------
        >>> model_prices("gpt-4o").per_million("output") > 0
        True
        """
        if kind not in PRICE_KINDS:
            raise InputError(f"kind must be one of {', '.join(PRICE_KINDS)}, got {kind!r}")
        return {
            "input": self.input_per_million,
            "output": self.output_per_million,
            "cached_input": self.cached_input_per_million,
        }[kind]

    @property
    def source(self) -> str:
        """Where the prices came from, in words: model, provider, table version and date."""
        extra = f"; {self.note}" if self.note else ""
        return f"{self.provider} {self.model} list prices from {self.table.describe()}{extra}"


def _newest_date(providers: list[Any], today: dt.date) -> dt.date:
    newest = dt.date(2000, 1, 1)

    def consider(day: dt.date) -> None:
        nonlocal newest
        if newest < day <= today:
            newest = day

    for provider in providers:
        for text in (provider.price_comments, provider.description):
            for match in _ISO_DATE.finditer(text or ""):
                try:
                    consider(dt.date(*map(int, match.groups())))
                except ValueError:
                    continue
        for model in provider.models:
            for match in _ISO_DATE.finditer(model.price_comments or ""):
                try:
                    consider(dt.date(*map(int, match.groups())))
                except ValueError:
                    continue
            if isinstance(model.prices, list):
                for conditional in model.prices:
                    start = getattr(conditional.constraint, "start_date", None)
                    if isinstance(start, dt.date):
                        consider(start)
    return newest


@cache
def price_table() -> PriceTable:
    """The bundled ``genai-prices`` table: version and date (read once, offline)."""
    import genai_prices
    from genai_prices.data_snapshot import get_snapshot

    providers = get_snapshot().providers
    return PriceTable(
        "genai-prices", genai_prices.__version__, _newest_date(providers, dt.date.today())
    )


def _per_million(value: Any) -> tuple[float | None, bool]:
    """A table price as a float per million tokens, and whether it is tiered (base used)."""
    if value is None:
        return None, False
    if isinstance(value, Decimal | int | float):
        return float(value), False
    base = getattr(value, "base", None)
    if base is not None:
        return float(base), True
    return None, False


HOW_TO_GIVE = "give its prices per million tokens, or its cost per 1,000 calls, yourself"
"""The default hint when the table does not know a model; each command names its own way."""


def known_providers() -> list[str]:
    """The providers the price table knows, by id.

    Examples
    --------
    >>> "openai" in known_providers()
    True
    """
    from genai_prices.data_snapshot import get_snapshot

    return sorted(provider.id for provider in get_snapshot().providers)


def known_models(
    provider: str | None = None, containing: str | None = None
) -> list[tuple[str, str]]:
    """(provider, model) pairs the table knows: one provider's, or all; optionally only those
    whose provider or model contains a text (ignoring case).

    Examples
    --------
    >>> ("openai", "gpt-4o-mini") in known_models("openai", "4o-mini")
    True
    """
    from genai_prices.data_snapshot import get_snapshot

    wanted = (containing or "").strip().lower()
    pairs = []
    for found in get_snapshot().providers:
        if provider is not None and found.id != provider:
            continue
        for info in found.models:
            if not wanted or wanted in info.id.lower() or wanted in found.id.lower():
                pairs.append((found.id, info.id))
    return sorted(pairs)


def _closest(name: str, known: list[str]) -> str:
    from xl_roi.text import closest_names

    found = closest_names(name, known)
    return f" (closest: {', '.join(found)})" if found else ""


@cache
def model_prices(model: str, provider: str | None = None, hint: str = HOW_TO_GIVE) -> ModelPrices:
    """A model's list prices per million tokens from the bundled table, with their date.

    Parameters
    ----------
    model : str
        The model as a log or an API names it (``gpt-4o-mini``, ``claude-3-5-haiku-20241022``).
    provider : str, optional
        The provider's id in the table (``openai``, ``anthropic``, ``aws``, ``google``, …);
        without it the provider is found from the model's name.
    hint : str, optional
        How to give the cost instead, in the running command's own words (its flags or keys).

    Raises
    ------
    UnknownModelError
        When the table does not know the model (or the provider): never a price of 0.

    Examples
    --------
    >>> prices = model_prices("gpt-4o-mini")
    >>> prices.provider, prices.input_per_million, prices.output_per_million
    ('openai', 0.15, 0.6)
    >>> model_prices("my-own-model")
    Traceback (most recent call last):
    ...
    xl_roi.prices.UnknownModelError: the price table (...) does not know ... 'my-own-model'...
    >>> model_prices("gpt-4o", "opnai")
    Traceback (most recent call last):
    ...
    xl_roi.prices.UnknownModelError: the price table (...) has no provider 'opnai' (closest: ...
    """
    from genai_prices.data_snapshot import get_snapshot

    table = price_table()
    name = str(model).strip()
    if not name:
        raise InputError("model is blank: name the model, e.g. gpt-4o-mini")
    if provider is not None and provider not in known_providers():
        raise UnknownModelError(
            f"the price table ({table.describe()}) has no provider {provider!r}"
            f"{_closest(provider, known_providers())}; its providers: "
            f"{', '.join(known_providers())}"
        )
    try:
        found_provider, info = get_snapshot().find_provider_model(name, None, provider, None)
    except LookupError:
        where = f" from provider {provider!r}" if provider else ""
        models = [model_id for _, model_id in known_models(provider)]
        raise UnknownModelError(
            f"the price table ({table.describe()}) does not know the model {name!r}{where}"
            f"{_closest(name, models)}: {hint}"
        ) from None
    prices = info.get_prices(dt.datetime.now(dt.UTC))
    input_price, input_tiered = _per_million(getattr(prices, "input_mtok", None))
    output_price, output_tiered = _per_million(getattr(prices, "output_mtok", None))
    cached_price, cached_tiered = _per_million(getattr(prices, "cache_read_mtok", None))
    if input_price is None or output_price is None:
        raise UnknownModelError(
            f"the price table ({table.describe()}) has no per-token price for {name!r} "
            f"({found_provider.id} {info.id}): {hint}"
        )
    note = ""
    if input_tiered or output_tiered or cached_tiered:
        note = "tiered prices: the base tier (shorter prompts) is used"
    return ModelPrices(
        model=info.id,
        provider=found_provider.id,
        input_per_million=input_price,
        output_per_million=output_price,
        cached_input_per_million=input_price if cached_price is None else cached_price,
        table=table,
        note=note,
    )
