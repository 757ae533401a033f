"""Case files: a business case in TOML, read with :mod:`tomllib`, and the built-in example.

A case file groups the inputs of :class:`~xl_roi.case.Case` in tables (``[volume]``,
``[teacher]``, ``[student]``, ``[upfront]``, ``[maintenance]``, ``[upside]``, ``[decision]``,
the optional ``[finance]`` and ``[quality]``, and ``[[quality_slices]]``). ``xl-roi init`` writes a
commented one to start from.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from xl_roi.case import Case, QualitySlice
from xl_roi.errors import CaseFileError, InputError, short_repr
from xl_roi.fields import FIELDS
from xl_roi.text import printable

if TYPE_CHECKING:
    from xl_roi.prices import ModelPrices

__all__ = [
    "CASE_FILE_KEYS",
    "MAX_CASE_FILE_BYTES",
    "case_from_mapping",
    "example_case",
    "example_case_text",
    "input_notes",
    "load_case",
    "toml_hint",
]

MAX_CASE_FILE_BYTES = 1_000_000
"""A case file larger than this is refused: a case is a page of figures, not a data set."""

CASE_FILE_KEYS: dict[str | None, dict[str, str]] = {}
for _field in FIELDS.values():
    if _field.key is not None:
        CASE_FILE_KEYS.setdefault(_field.table, {})[_field.key] = _field.name
"""Where each :class:`Case` field lives in a case file: table → key → field (from
:data:`xl_roi.fields.FIELDS`)."""

_SLICE_KEYS = ("name", "business_critical", "teacher_score", "student_score", "allowed_drop")
_OPTIONAL_SLICE_KEYS = ("traffic_share", "cost_per_error")

_FIELD_TO_KEY = {
    field: (key if table is None else f"[{table}] {key}")
    for table, keys in CASE_FILE_KEYS.items()
    for key, field in keys.items()
}


def _as_file_words(message: str) -> str:
    """Name fields as a case file spells them (``[teacher] cost_per_1k``, not the field)."""
    for field in sorted(_FIELD_TO_KEY, key=len, reverse=True):
        where = _FIELD_TO_KEY[field]
        if where != field:
            message = re.sub(rf"(?<![\w\]]){re.escape(field)}(?!\w)(?! of slice)", where, message)
    return message


def _check_value(where: str, value: Any, *, text: bool = False) -> Any:
    if text:
        if not isinstance(value, str):
            raise CaseFileError(f"{where} must be text in quotes, got {short_repr(value)}")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CaseFileError(f"{where} must be a number, got {short_repr(value)}")
    return value


def _did_you_mean(key: str, known: Iterable[str]) -> str:
    """The known key closest to a misspelt one, as ": did you mean …?" ("" when none is
    close); British and American spellings (utilisation) among the misspellings it catches.

    Examples
    --------
    >>> _did_you_mean("target_utilisation", ["target_utilization", "peak_factor"])
    ': did you mean target_utilization?'
    >>> _did_you_mean("colour", ["monthly_calls"])
    ''
    """
    import difflib

    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.75)
    return f": did you mean {close[0]}?" if close else ""


def case_from_mapping(data: dict[str, Any], source: str = "case") -> Case:
    """Build a :class:`Case` from a case file's parsed tables.

    Parameters
    ----------
    data : dict
        The parsed TOML.
    source : str
        The file's name, for messages.

    Raises
    ------
    CaseFileError
        On an unknown table or key, a value of the wrong type, or an impossible case; the
        message names the file, the key and the value.

    Examples
    --------
    >>> case = case_from_mapping({"volume": {"monthly_calls": 2_000_000},
    ...     "teacher": {"cost_per_1k": 12.0}, "student": {"cost_per_1k": 1.5},
    ...     "upfront": {"total": 52_500}, "maintenance": {"annual": 40_000}})
    >>> case.upfront_cost
    52500
    >>> try:
    ...     case_from_mapping({"volume": {"monthly_cals": 2}}, "my.toml")
    ... except CaseFileError as error:
    ...     print(error)
    my.toml: unknown key [volume] monthly_cals: did you mean monthly_calls? (known: \
monthly_calls, monthly_growth)
    """
    fields: dict[str, Any] = {}
    tables = {table for table in CASE_FILE_KEYS if table is not None}
    tables |= {"quality_slices", "uncertainty"}
    try:
        data = _prices_from_models(data)
        data = _gpu_price_from_name(data)
        for key, value in data.items():
            if key in CASE_FILE_KEYS[None]:
                name = CASE_FILE_KEYS[None][key]
                text = FIELDS[name].bound is None
                fields[name] = _check_value(key, value, text=text)
            elif key == "quality_slices":
                fields["quality_slices"] = _read_slices(value)
            elif key == "uncertainty":
                fields["uncertainty"] = _read_uncertainty(value)
            elif key in tables:
                if not isinstance(value, dict):
                    raise CaseFileError(f"[{key}] must be a table, got {short_repr(value)}")
                known = CASE_FILE_KEYS[key]
                for inner, item in value.items():
                    if inner not in known:
                        raise CaseFileError(
                            f"unknown key [{key}] {inner}{_did_you_mean(inner, known)} "
                            f"(known: {', '.join(known)})"
                        )
                    fields[known[inner]] = _check_value(f"[{key}] {inner}", item)
            else:
                known_top = sorted([*CASE_FILE_KEYS[None], *tables])
                raise CaseFileError(
                    f"unknown key {key}{_did_you_mean(key, known_top)} "
                    f"(known: {', '.join(known_top)})"
                )
        if "monthly_calls" not in fields:
            raise CaseFileError("[volume] monthly_calls is missing")
        return Case(**fields)
    except CaseFileError as error:
        raise CaseFileError(f"{source}: {error}") from None
    except InputError as error:
        message = str(error)
        if message.startswith("uncertainty: "):  # its inputs are named as the table names them
            message = "[uncertainty] " + message.removeprefix("uncertainty: ")
        else:
            message = _as_file_words(message)
        raise CaseFileError(f"{source}: {message}") from None


def _read_uncertainty(value: Any) -> tuple[tuple[Any, ...], ...]:
    """The ``[uncertainty]`` table as (input, low, likely, high); :class:`Case` checks each."""
    if not isinstance(value, dict):
        raise CaseFileError(f"[uncertainty] must be a table of [low, likely, high], got {value!r}")
    entries = []
    for name, given in value.items():
        if not isinstance(given, list) or len(given) != 3:
            raise CaseFileError(
                f"[uncertainty] {name} must be [low, likely, high], three numbers, got {given!r}"
            )
        for part, number in zip(("low", "likely", "high"), given, strict=True):
            _check_value(f"[uncertainty] {name} {part}", number)
        entries.append((name, *given))
    return tuple(entries)


_MODEL_KEYS = ("model", "provider")


def _prices_from_models(data: dict[str, Any]) -> dict[str, Any]:
    """``model = "…"`` (and ``provider = "…"``) in [teacher] or [student] as token prices.

    The prices come from the bundled ``genai-prices`` table (:func:`model_price_sources` says
    which, with the table's date); a model the table does not know is an error.
    """
    if not any(
        isinstance(data.get(table), dict) and any(key in data[table] for key in _MODEL_KEYS)
        for table in ("teacher", "student")
    ):
        return data
    from xl_roi.prices import model_prices

    resolved = dict(data)
    for table in ("teacher", "student"):
        section = data.get(table)
        if not isinstance(section, dict) or not any(key in section for key in _MODEL_KEYS):
            continue
        model, provider = section.get("model"), section.get("provider")
        if not isinstance(model, str):
            raise CaseFileError(f'[{table}] model must be text in quotes, e.g. "gpt-4o"')
        if provider is not None and not isinstance(provider, str):
            raise CaseFileError(f'[{table}] provider must be text in quotes, e.g. "openai"')
        given = [
            key
            for key in ("input_price_per_million", "output_price_per_million", "cost_per_1k")
            if key in section
        ]
        if given:
            raise CaseFileError(
                f"give the {table}'s cost once: [{table}] model or {', '.join(given)}, not both"
            )
        currency = data.get("currency", "USD")
        if isinstance(currency, str) and currency.strip().upper() != "USD":
            raise CaseFileError(
                f"[{table}] model = {short_repr(model)}: the price table's prices are in USD, "
                f"the case's money in {short_repr(currency)}: give the {table}'s prices in "
                f"{printable(currency)} (input_price_per_million and output_price_per_million, "
                'or cost_per_1k) instead of the model, or set currency = "USD"'
            )
        prices = model_prices(
            model,
            provider,
            hint=f"give [{table}] cost_per_1k, or input_price_per_million and "
            "output_price_per_million, instead of model (xl-roi prices --filter TEXT lists the "
            "models the table knows)",
        )
        rest = {key: value for key, value in section.items() if key not in _MODEL_KEYS}
        rest["input_price_per_million"] = prices.input_per_million
        rest["output_price_per_million"] = prices.output_per_million
        resolved[table] = rest
    return resolved


_GPU_KEYS = ("gpu", "cloud", "spot")


def _gpu_name(section: dict[str, Any]) -> tuple[str, str | None, bool]:
    """``[student] gpu``, ``cloud`` and ``spot``, checked."""
    gpu, cloud, spot = section.get("gpu"), section.get("cloud"), section.get("spot", False)
    if not isinstance(gpu, str):
        raise CaseFileError('[student] gpu must be text in quotes, e.g. "H100"')
    if cloud is not None and not isinstance(cloud, str):
        raise CaseFileError('[student] cloud must be text in quotes, e.g. "aws"')
    if not isinstance(spot, bool):
        raise CaseFileError("[student] spot must be true or false")
    return gpu, cloud, spot


def _gpu_price_from_name(data: dict[str, Any]) -> dict[str, Any]:
    """``gpu = "H100"`` (and ``cloud``, ``spot``) in [student] as ``gpu_hourly_cost``, per
    GPU-hour from the shipped snapshot of cloud GPU prices; a typed ``gpu_hourly_cost`` wins."""
    section = data.get("student")
    if not isinstance(section, dict) or not any(key in section for key in _GPU_KEYS):
        return data
    if "gpu" not in section:
        given = ", ".join(key for key in _GPU_KEYS if key in section)
        raise CaseFileError(f'[student] {given} needs gpu = "…" (e.g. gpu = "H100")')
    gpu, cloud, spot = _gpu_name(section)
    rest = {key: value for key, value in section.items() if key not in _GPU_KEYS}
    if "gpu_hourly_cost" not in section:
        currency = data.get("currency", "USD")
        if isinstance(currency, str) and currency.strip().upper() != "USD":
            raise CaseFileError(
                f"[student] gpu = {short_repr(gpu)}: the GPU prices are in USD, the case's "
                f"money in {short_repr(currency)}: give gpu_hourly_cost in "
                f'{printable(currency)} instead, or set currency = "USD"'
            )
        from xl_roi.gpu_prices import gpu_price

        rest["gpu_hourly_cost"] = gpu_price(gpu, cloud, spot).per_gpu_hour(spot)
    return {**data, "student": rest}


class NamedGpuPrice(NamedTuple):
    """A case file's ``[student] gpu`` price: where it came from, the typed
    ``gpu_hourly_cost`` that wins over it (``None`` when none is typed), and the warning that
    its cloud's prices are old (``None`` when they are not)."""

    source: str
    typed: float | None
    stale: str | None


def named_gpu_price(path: str | Path) -> NamedGpuPrice | None:
    """Where a case file's ``[student] gpu`` price came from (``None`` without a ``gpu``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> case = pathlib.Path(tempfile.mkdtemp()) / "case.toml"
    >>> _ = case.write_text('[student]\\ngpu = "L4"\\ncloud = "gcp"\\n')
    >>> found = named_gpu_price(case)
    >>> found.source.startswith("L4 on gcp us-central1, on-demand"), found.typed
    (True, None)
    >>> found.stale.startswith("the gcp GPU prices")   # of its own cloud, on 2026-12-07
    True
    """
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    section = data.get("student")
    if not isinstance(section, dict) or "gpu" not in section:
        return None
    from xl_roi.gpu_prices import gpu_price  # only where a GPU is named

    gpu, cloud, spot = _gpu_name(section)
    price = gpu_price(gpu, cloud, spot)
    typed = section.get("gpu_hourly_cost")
    return NamedGpuPrice(
        price.source(spot),
        typed if isinstance(typed, int | float) else None,
        price.catalogue_source.stale_warning(),
    )


def named_model_prices(path: str | Path) -> dict[str, ModelPrices]:
    """The prices a case file's ``model = "…"`` resolved to: table → :class:`ModelPrices`
    (with the price table's version and date; empty without models).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> case = pathlib.Path(tempfile.mkdtemp()) / "case.toml"
    >>> _ = case.write_text('[teacher]\\nmodel = "gpt-4o-mini"\\n')
    >>> prices = named_model_prices(case)["teacher"]
    >>> prices.input_per_million, prices.table.name
    (0.15, 'genai-prices')
    """
    data = tomllib.loads(Path(path).read_text(encoding="utf-8-sig"))
    named = {
        table: section
        for table, section in ((table, data.get(table)) for table in ("teacher", "student"))
        if isinstance(section, dict) and isinstance(section.get("model"), str)
    }
    if not named:
        return {}
    from xl_roi.prices import model_prices  # the price table: only where a model is named

    found = {}
    for table, section in named.items():
        provider = section.get("provider")
        found[table] = model_prices(
            section["model"], provider if isinstance(provider, str) else None
        )
    return found


def model_price_sources(path: str | Path) -> dict[str, str]:
    """Where a case file's model prices came from: table → source (empty without models).

    Examples
    --------
    >>> from xl_roi.casefile import example_case_path
    >>> model_price_sources(example_case_path())
    {}
    """
    return {table: prices.source for table, prices in named_model_prices(path).items()}


def _read_slices(value: Any) -> tuple[QualitySlice, ...]:
    if not isinstance(value, list):
        raise CaseFileError("quality_slices must be written as [[quality_slices]] tables")
    slices = []
    for number, item in enumerate(value, start=1):
        where = f"[[quality_slices]] number {number}"
        if not isinstance(item, dict):
            raise CaseFileError(f"{where} must be a table")
        unknown = [key for key in item if key not in (*_SLICE_KEYS, *_OPTIONAL_SLICE_KEYS)]
        if unknown:
            known = ", ".join((*_SLICE_KEYS, *_OPTIONAL_SLICE_KEYS))
            raise CaseFileError(f"unknown key {unknown[0]} in {where} (known: {known})")
        missing = [key for key in _SLICE_KEYS if key not in item]
        if missing:
            raise CaseFileError(f"{where} is missing {', '.join(missing)}")
        for key in ("teacher_score", "student_score", "allowed_drop"):
            _check_value(f"{where}: {key}", item[key])
        optional = {key: item[key] for key in _OPTIONAL_SLICE_KEYS if key in item}
        for key, value in optional.items():
            _check_value(f"{where}: {key}", value)
        slices.append(QualitySlice(**{key: item[key] for key in _SLICE_KEYS}, **optional))
    return tuple(slices)


def load_case(path: str | Path) -> Case:
    """Read a case file (TOML).

    Parameters
    ----------
    path : str or Path
        The file.

    Raises
    ------
    CaseFileError
        When the file is missing, unreadable, too large, not TOML, or not a valid case; the
        message names the file, and the key and value where there is one.

    Examples
    --------
    >>> from xl_roi.casefile import example_case_path
    >>> load_case(example_case_path()).name
    'Support-ticket classifier'
    """
    path = Path(path)
    text = _read_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        hint = toml_hint(text, str(error))
        raise CaseFileError(
            f"{path}: not valid TOML: {error}{'; ' + hint if hint else ''}"
        ) from None
    except RecursionError:
        raise CaseFileError(
            f"{path}: not a case file: its tables or lists nest too deeply to read"
        ) from None
    return case_from_mapping(data, str(path))


def _read_text(path: Path) -> str:
    """A case file's text: only a regular file, at most ``MAX_CASE_FILE_BYTES``, UTF-8.

    A FIFO, a device (``/dev/zero``, ``/dev/urandom``), a socket or a folder is refused before
    it is opened, so nothing waits on a writer or reads without end; the read itself stops one
    byte past the limit, in case the file grows between the look and the read.
    """
    try:
        status = path.stat()
    except FileNotFoundError:
        raise CaseFileError(f"{path}: no such file") from None
    except OSError as error:
        raise CaseFileError(f"{path}: cannot be read ({error.strerror or error})") from None
    if stat.S_ISDIR(status.st_mode):
        raise CaseFileError(f"{path}: is a folder, not a case file")
    if not stat.S_ISREG(status.st_mode):
        raise CaseFileError(
            f"{path}: not a regular file (a pipe, device or socket): give a case file saved on disk"
        )
    limit = f"at most {MAX_CASE_FILE_BYTES:,} bytes: a case is a page of figures"
    if status.st_size > MAX_CASE_FILE_BYTES:
        raise CaseFileError(
            f"{path}: {status.st_size:,} bytes is too large for a case file ({limit})"
        )
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):  # swapped since the look
                raise CaseFileError(f"{path}: not a regular file")
            data = stream.read(MAX_CASE_FILE_BYTES + 1)
    except OSError as error:
        raise CaseFileError(f"{path}: cannot be read ({error.strerror or error})") from None
    if len(data) > MAX_CASE_FILE_BYTES:
        raise CaseFileError(f"{path}: too large for a case file ({limit})")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")  # the byte-order mark Windows writes
    except UnicodeDecodeError:
        raise CaseFileError(f"{path}: not a text file (a case file is UTF-8 TOML)") from None


_AT_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")
_VALUE = re.compile(r"^\s*[\w\-\"'.]+\s*=\s*(?P<value>.*?)\s*(#.*)?$")
_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")
_SPACED = re.compile(r"^[-+]?\d{1,3}( \d{3})+$")
_SUFFIXED = re.compile(r"^(?P<number>\d+(\.\d+)?)\s*(?P<unit>[kKmM])$")
_DECIMAL_COMMA = re.compile(r"^[-+]?\d+,\d+$")
_PERCENT = re.compile(r"^[-+]?\d+(\.\d+)?\s*%$")
_MONEY = re.compile(r"^[$€£¥][\d,._]+$|^[\d,._]+\s*[$€£¥]$")
_BARE_WORDS = re.compile(r"^[^\d\"'\[{+\-.][^=]*$")


def toml_hint(text: str, message: str) -> str:
    """What the writer of a line TOML could not read most likely meant, or ``""``.

    Parameters
    ----------
    text : str
        The case file.
    message : str
        :mod:`tomllib`'s error, which names the line (``(at line 6, column 20)``).

    Examples
    --------
    >>> toml_hint("monthly_calls = 400,000\\n", "Expected newline (at line 1, column 20)")
    'TOML numbers use _ not , : write 400_000'
    >>> toml_hint("monthly_growth = 5 %\\n", "Expected newline (at line 1, column 19)")
    'a share is a fraction, not a percentage: write 0.05 for 5 %'
    >>> toml_hint('name = Support bot\\n', "Invalid value (at line 1, column 8)")
    'text goes in quotes: name = "Support bot"'
    """
    found = _AT_LINE.search(message)
    if found is None:
        return ""
    lines = text.splitlines()
    number = int(found.group(1))
    if not 1 <= number <= len(lines):
        return ""
    line = lines[number - 1]
    matched = _VALUE.match(line)
    if matched is None:
        return ""
    value = matched.group("value")
    key = line.split("=", 1)[0].strip()
    if _THOUSANDS.match(value):
        return f"TOML numbers use _ not , : write {value.replace(',', '_')}"
    if _SPACED.match(value):
        return f"TOML numbers use _ not spaces: write {value.replace(' ', '_')}"
    suffixed = _SUFFIXED.match(value)
    if suffixed:
        scale = 1_000 if suffixed.group("unit").lower() == "k" else 1_000_000
        whole = round(float(suffixed.group("number")) * scale)
        return f"write the number out: {whole:_}"
    if _DECIMAL_COMMA.match(value):
        return f"TOML decimals use a point: write {value.replace(',', '.')}"
    if _PERCENT.match(value):
        share = float(value.rstrip("% ")) / 100
        return (
            f"a share is a fraction, not a percentage: write {share:g} for {value.rstrip('% ')} %"
        )
    if _MONEY.match(value):
        return f"write amounts without a currency sign: {key} = {value.strip('$€£¥ ')}"
    if _BARE_WORDS.match(value) and value not in ("true", "false", "inf", "nan"):
        return printable(f'text goes in quotes: {key} = "{value}"')
    return ""


def example_case_path() -> Path:
    """Where the built-in example case file lies inside the installed package."""
    from importlib import resources  # only for the built-in files: keeps start-up short

    return Path(str(resources.files("xl_roi.data").joinpath("example_case.toml")))


def sample_endpoints_path() -> Path:
    """The built-in sample of endpoints to screen (illustrative figures)."""
    from importlib import resources

    return Path(str(resources.files("xl_roi.data").joinpath("sample_endpoints.csv")))


def example_case_text() -> str:
    """The commented example case file, as ``xl-roi init`` writes it."""
    return example_case_path().read_text(encoding="utf-8")


def example_case() -> Case:
    """The built-in worked example: a support-ticket classifier.

    Examples
    --------
    >>> from xl_roi import evaluate
    >>> result = evaluate(example_case())
    >>> round(result.monthly_savings, 2), result.upfront_cost, result.verdict
    (10560.0, 33750.0, 'defensible')
    """
    return case_from_mapping(tomllib.loads(example_case_text()), "built-in example")


_TABLE_LINE = re.compile(r"^\s*\[\s*([A-Za-z0-9_]+)\s*\]\s*(#.*)?$")
_ARRAY_LINE = re.compile(r"^\s*\[\[")
_KEY_LINE = re.compile(r"^\s*([A-Za-z0-9_]+)\s*=\s*([^#\"']*?)\s*#\s*(.*?)\s*$")


def input_notes(text: str) -> dict[str, str]:
    """Where a case file says each figure comes from: the comment on its line, by field.

    Only a figure typed on its own line with a comment after it has a note; a figure whose
    value is text in quotes, a figure in ``[[quality_slices]]`` and a commented-out line have
    none. ``xl-roi measure`` writes such a comment for each figure it measures.

    Examples
    --------
    >>> notes = input_notes(example_case_text())
    >>> notes["monthly_calls"]
    'tickets classified a month (illustrative)'
    >>> "teacher_p95_ms" in notes   # commented out in the example
    False
    """
    notes: dict[str, str] = {}
    table: str | None = None
    for line in text.splitlines():
        if _ARRAY_LINE.match(line):
            table = "[[array]]"
            continue
        header = _TABLE_LINE.match(line)
        if header:
            table = header.group(1)
            continue
        found = _KEY_LINE.match(line)
        if found is None or table == "[[array]]":
            continue
        name = CASE_FILE_KEYS.get(table, {}).get(found.group(1))
        if name is not None and found.group(3):
            notes[name] = found.group(3)
    return notes
