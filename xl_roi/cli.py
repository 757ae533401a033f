"""The ``xl-roi`` command: the business case for distillation from the terminal.

Every command takes a case file (TOML) or, without one, the built-in example. Errors print a
message and exit 2; nothing prints a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import itertools
import math
import os
import re
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xl_roi._version import __version__
from xl_roi.case import Case
from xl_roi.casefile import example_case, example_case_text, load_case
from xl_roi.errors import InputError, UncalculatedWorkbookError
from xl_roi.evaluation import evaluate
from xl_roi.fields import FIELDS
from xl_roi.files import (
    OverwriteRefusedError,
    private_temporary_folder,
    remove_temporaries,
    same_file,
    write_atomic,
)
from xl_roi.pitch import format_money, pitch
from xl_roi.roi import BREAKEVEN_DEFINITION
from xl_roi.text import printable
from xl_roi.uncertainty import DRAWN_LABELS, INPUT_LABELS, INPUT_UNITS

if TYPE_CHECKING:  # imported where run, to keep start-up quick
    from xl_roi._measure._casefile import Figure
    from xl_roi.capacity import Capacity

__all__ = ["main"]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


class CommandError(Exception):
    """A failure the user can fix; printed as a message, exit 2."""


class Stopped(BaseException):
    """Asked to stop by a signal (SIGTERM, SIGHUP, SIGINT): clean up, exit 128 + n."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, _frame: Any) -> None:
    for other in STOP_SIGNALS:  # a second signal must not interrupt the cleanup
        signal.signal(other, signal.SIG_IGN)
    _RECEIVED.append(signum)
    raise Stopped(signum)


_RECEIVED: list[int] = []
"""The stop signals received during the command: a library that catches every exception (as
openpyxl's type conversion does, with a bare ``except``) can turn :class:`Stopped` into an
error of its own, which must still read as the stop it is."""


STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT") if hasattr(signal, name)
)
"""Signals turned into :class:`Stopped`. SIGINT (Ctrl-C) is among them rather than left to
Python's KeyboardInterrupt, which now and then ended the process by the signal itself (exit
−2 instead of 130) when it arrived while a library was writing."""


@contextlib.contextmanager
def _stoppable() -> Iterator[list[int]]:
    """Turn SIGTERM, SIGHUP and SIGINT into :class:`Stopped` (so every temporary file is removed
    on the way out), and keep the half-written objects a library leaves behind when a write fails (a
    zip archive, a row generator) from printing "Exception ignored" tracebacks as they are
    collected, during the command or, after a failure, at exit: the failure itself is reported
    in one line. ``XL_ROI_DEBUG=1`` shows them.

    The caller appends its exit code to the list it is given.
    """
    previous_hook = sys.unraisablehook
    codes: list[int] = []

    def quiet(unraisable: Any) -> None:
        if os.environ.get("XL_ROI_DEBUG"):
            previous_hook(unraisable)

    sys.unraisablehook = quiet
    _RECEIVED.clear()
    previous: dict[int, Any] = {}
    with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
        for signum in STOP_SIGNALS:
            previous[signum] = signal.signal(signum, _stop)
    try:
        yield codes
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        gc.collect()  # collect half-written objects while their errors are quiet
        if not codes or codes[-1] == EXIT_OK:
            sys.unraisablehook = previous_hook


def _case(path: str | None) -> Case:
    return _case_and_swing(path)[0]


def _read_flavour(path: str | None) -> str | None:
    """A filled-in workbook's flavour, said on stderr; ``None`` for a case file or none."""
    if path is None or Path(path).suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    from xl_roi.workbook.read import workbook_flavour

    flavour = workbook_flavour(path)
    print(f"xl-roi: read {path} ({flavour} flavour)", file=sys.stderr)
    return flavour


def _case_and_swing(path: str | None) -> tuple[Case, float]:
    """The case from a TOML file, from a filled-in workbook's inputs, or the built-in example."""
    if path is None:
        return example_case(), 0.5
    if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        from xl_roi.workbook.read import open_workbook, read_case

        case, swing, findings = read_case(open_workbook(path, data_only=True))
        if case is None:
            details = "; ".join(str(finding) for finding in findings)
            raise CommandError(f"{path}: its inputs do not make a case: {details}")
        return case, swing
    case = load_case(path)
    _say_model_prices(path)
    return case, 0.5


def _say_model_prices(path: str) -> None:
    """Where a case file's ``model = "…"`` prices came from, on stderr (with a stale warning)."""
    from xl_roi.casefile import model_price_sources

    sources = model_price_sources(path)
    for table, source in sources.items():
        print(f"xl-roi: [{table}] token prices: {source}", file=sys.stderr)
    if sources:
        from xl_roi.prices import price_table  # only where a model is named

        stale = price_table().stale_warning()
        if stale:
            print(f"xl-roi: warning: {stale}", file=sys.stderr)
    _say_gpu_price(path)


def _say_gpu_price(path: str) -> str | None:
    """Where a case file's ``[student] gpu`` price came from, or that a typed
    ``gpu_hourly_cost`` wins over it, on stderr; returns the source for the workbook."""
    from xl_roi.casefile import named_gpu_price

    found = named_gpu_price(path)
    if found is None:
        return None
    source, typed, stale = found
    if typed is not None:
        print(
            f"xl-roi: [student] gpu_hourly_cost = {typed:g} as typed: it wins over the GPU "
            f"price snapshot's ({source})",
            file=sys.stderr,
        )
        return None
    print(f"xl-roi: [student] GPU price: {source}", file=sys.stderr)
    if stale:
        print(f"xl-roi: warning: {stale}", file=sys.stderr)
    return source


def _print_json(data: Any) -> None:
    import json

    from xl_roi.json_value import json_value

    text = json.dumps(json_value(data), indent=2, allow_nan=False, ensure_ascii=False)
    # JSON escapes C0 controls itself; DEL and the C1 controls (U+009B is a terminal's CSI)
    # are escaped too, so printing the JSON can never drive the terminal
    print(re.sub("[\x7f-\x9f]", lambda match: f"\\u{ord(match.group()):04x}", text))


def _cmd_init(args: argparse.Namespace) -> int:
    target = write_atomic(args.path, example_case_text().encode("utf-8"), force=args.force)
    print(f"wrote {target}: edit its figures, then run `xl-roi pitch {target}`")
    return EXIT_OK


def _cmd_pitch(args: argparse.Namespace) -> int:
    result = evaluate(_case(args.case))
    if args.json:
        _print_json(result.to_dict())
    else:
        print(pitch(result), end="")
    return EXIT_OK


def _number(value: float) -> str:
    if math.isnan(value):
        return "—"
    if math.isinf(value):
        return "never"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.4g}"


def _months(value: float) -> str:
    return "never" if math.isinf(value) else f"{value:.1f}"


def _months_unit(value: float) -> str:
    """Months with their unit, or "never": never "never months"."""
    return "never" if math.isinf(value) else f"{value:.1f} months"


def _money(amount: float, currency: str) -> str:
    """An amount of money as every report shows it: the currency, whole units, thousands; a
    loss in brackets (the pitch's :func:`~xl_roi.pitch.format_money`)."""
    return format_money(amount, currency)


def _name_of(label: str) -> str:
    """The input a sensitivity row's label stands for (``""``: none, e.g. a scenario)."""
    return next((name for name, shown in INPUT_LABELS.items() if shown == label), "")


def _figure(name: str, value: float, currency: str, *, bare: bool = False) -> str:
    """An input's value written for a reader: calls whole, shares as %, prices with cents;
    money with its currency unless ``bare`` (a column headed with it)."""
    if math.isnan(value):
        return "—"
    if math.isinf(value):
        return "never"
    unit = INPUT_UNITS.get(name, "")
    if unit == "share":
        return f"{value:.1%}"
    if unit == "calls":
        return f"{value:,.0f}"
    if unit == "money":
        # a price, or an amount a call or an error costs: cents matter
        price = name.endswith("_per_1k") or name in ("gpu_hourly_cost", "cost_per_error")
        digits = f"{value:,.2f}" if price else f"{value:,.0f}"
        return digits if bare else f"{currency} {digits}"
    return _number(value)


def _percent(share: float) -> str:
    """A share as a percentage that never rounds a near-certainty to certainty."""
    if 0.0 < share < 0.001:
        return "<0.1%"
    if 0.999 < share < 1.0:
        return ">99.9%"
    return f"{share:.1%}"


def _bar(swing: float, widest: float, width: int = 24) -> str:
    """A text bar as long as ``swing`` against the widest finite swing; a swing to "never"
    (infinite) runs past the end (▶), the finite ones keep their proportions.

    Examples
    --------
    >>> [_bar(swing, 4.0, 8) for swing in (4.0, 2.0, math.inf, math.nan)]
    ['████████', '████', '████████▶', '']
    """
    if math.isnan(swing):
        return ""
    if math.isinf(swing):
        return "█" * width + "▶"
    if widest <= 0:
        return ""
    return "█" * round(width * swing / widest)


def _json_value(value: Any) -> Any:
    """A cell of a table as JSON holds it (the one converter: :mod:`xl_roi.json_value`)."""
    from xl_roi.json_value import json_value

    return json_value(value)


def _records(table: Any) -> list[dict[str, Any]]:
    return [
        {str(key): _json_value(value) for key, value in row.items()}
        for row in table.to_dict(orient="records")
    ]


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    from xl_roi._sensitivity import sensitivity, volume_holds_below

    case = _case(args.case)
    result = evaluate(case)
    table = sensitivity(case, swing=args.swing, target_months=args.target)
    target = case.target_payback_months if args.target is None else args.target
    volume_rows = table[table.assumption == INPUT_LABELS["monthly_calls"]]
    breakeven = float(volume_rows.breakeven_payback.item())
    breakeven = math.inf if math.isnan(breakeven) else breakeven
    payback_below, net_below = volume_holds_below(case, args.target)
    if args.json:
        _print_json(
            {
                "case": case.name,
                "swing": args.swing,
                "target_months": target,
                "base": {
                    "payback_months": result.payback_months,
                    "payback_after_maintenance_months": result.payback_after_maintenance_months,
                    "annual_net_benefit": result.annual_net_benefit,
                },
                "breakeven_monthly_calls": breakeven,
                "breakeven_definition": BREAKEVEN_DEFINITION,
                "volume_holds_below_breakeven": {"payback": payback_below, "net": net_below},
                "rows": _records(table),
            }
        )
        return EXIT_OK
    currency = case.currency
    print(f"Sensitivity: {case.name} — each assumption ±{args.swing:.0%}, one at a time")
    print(
        f"Base: payback {_months_unit(result.payback_months)} "
        f"({_months(result.payback_after_maintenance_months)} after maintenance), annual net "
        f"benefit {_money(result.annual_net_benefit, currency)}\n"
    )
    records: list[dict[str, Any]] = [
        {str(key): value for key, value in row.items()} for row in table.to_dict(orient="records")
    ]
    rows = [row for row in records if row["kind"] == "assumption"]
    _print_tornado(rows, currency)
    _print_scenarios(records, currency)
    _print_quality_rows(records, currency, case, target)
    _print_breaks(rows, target, currency)
    if payback_below or net_below:
        _print_volume_holds_below(payback_below, net_below)
    if math.isfinite(breakeven):
        print(f"\nBreak-even volume {breakeven:,.0f} calls a month: {BREAKEVEN_DEFINITION}.")
    return EXIT_OK


def _print_tornado(rows: list[dict[str, Any]], currency: str) -> None:
    """The tornado as text: each assumption's low and high value, the payback and annual net
    benefit at each, and a bar as long as its payback swing (the widest the longest)."""
    swings = [float(row["payback_swing"]) for row in rows]
    # against the widest finite swing: a swing to "never" would flatten every other bar
    widest = max([swing for swing in swings if math.isfinite(swing)], default=0.0)
    header = (
        f"{'Assumption':<22} {'low':>12} {'high':>12}  {'payback (months)':>16}  "
        f"{'annual net benefit (' + currency + ')':>27}  swing"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        payback = f"{_months(row['payback_low'])} … {_months(row['payback_high'])}"
        net = " … ".join(
            _money(row[key], currency).replace(f"{currency} ", "", 1)  # headed with it
            for key in ("net_low", "net_high")
        )
        name = _name_of(row["assumption"])
        low, high = (_figure(name, row[key], currency, bare=True) for key in ("low", "high"))
        print(
            f"{row['assumption']:<22} {low:>12} {high:>12}  "
            f"{payback:>16}  {net:>27}  {_bar(row['payback_swing'], widest)}"
        )


def _print_scenarios(records: list[dict[str, Any]], currency: str) -> None:
    """The named scenarios' payback and annual net benefit."""
    print("\nScenarios")
    for row in records:
        if row["kind"] == "scenario":
            print(
                f"  {row['assumption']:<32} payback {_months_unit(row['payback_low']):>13}, "
                f"annual net benefit {_money(row['net_low'], currency)}"
            )


def _slices_costing_their_own(case: Case) -> list[str]:
    """The quality slices that give their own cost per error (moving the case's leaves them)."""
    return [item.name for item in case.quality_slices if item.cost_per_error is not None]


def _own_costs_stay(slices: list[str]) -> str:
    """What moving the case's cost per error leaves alone, in words ("" where nothing).

    Examples
    --------
    >>> _own_costs_stay(["Billing", "Refunds", "Login"])
    "the case's cost per error moves; slices Billing, Refunds and Login keep their own"
    """
    if not slices:
        return ""
    names = [printable(name) for name in slices]
    if len(names) == 1:
        return f"the case's cost per error moves; slice {names[0]} keeps its own"
    listed = ", ".join(names[:-1]) + f" and {names[-1]}"
    return f"the case's cost per error moves; slices {listed} keep their own"


def _print_quality_rows(
    records: list[dict[str, Any]], currency: str, case: Case, target: float
) -> None:
    """The cost per error's row, where the case costs worse answers: its range, the
    quality-adjusted payback and net benefit across it, and where it breaks them (or that
    they are broken at any cost per error, none at all included); which slices' own costs
    per error stay put."""
    own = _slices_costing_their_own(case)
    for row in records:
        if row["kind"] == "quality":
            print(
                f"\n{row['assumption']}: moves only the quality-adjusted figures (savings less "
                "the cost of worse answers), never the headline above"
            )
            if own:
                print(f"  ({_own_costs_stay(own)})")
            print(
                f"  {currency} {row['low']:,.2f} … {currency} {row['high']:,.2f} per error: "
                f"payback {_months_unit(row['payback_low'])} … "
                f"{_months_unit(row['payback_high'])}, annual net benefit "
                f"{_money(row['net_low'], currency)} … {_money(row['net_high'], currency)}"
            )
            at_none = evaluate(case.replace(cost_per_error=0.0))  # the slices' own stay
            broken = {  # broken at no cost per error: broken at every one
                "breakeven_payback": not (at_none.quality_adjusted_payback_months <= target),
                "breakeven_net": not (at_none.quality_adjusted_annual_net_benefit > 0.0),
            }
            payback, net = (
                f"above {currency} {row[key]:,.2f} per error"
                if not math.isnan(row[key])
                else "at every cost per error, even none"
                if broken[key]
                else "not on its own"
                for key in ("breakeven_payback", "breakeven_net")
            )
            print(f"  breaks payback target: {payback}; net benefit ≤ 0: {net}")


def _print_breaks(rows: list[dict[str, Any]], target: float, currency: str) -> None:
    """Where each assumption, alone, breaks the payback target and the net benefit."""
    print(f"\nWhere the case breaks (payback beyond {target:g} months; net benefit ≤ 0)")
    for row in rows:
        name = _name_of(row["assumption"])
        side = FIELDS[name].breaks_when
        payback, net = (
            "not on its own"
            if math.isnan(row[key])
            else f"{side} {_figure(name, row[key], currency)}"
            for key in ("breakeven_payback", "breakeven_net")
        )
        print(f"  {row['assumption']:<22} payback: {payback:<22} net benefit: {net}")


def _print_volume_holds_below(payback_below: bool, net_below: bool) -> None:
    """Say that on whole GPUs the case also holds at some volumes below its break-evens."""
    both = payback_below and net_below
    which = "payback and net-benefit" if both else "payback" if payback_below else "net-benefit"
    print(
        "  (Monthly volume, on whole GPUs: each GPU added cuts the savings by its monthly "
        f"bill, so the case also holds at some volumes below the {which} "
        f"break-even{'s' if both else ''}; above {'them' if both else 'it'} it holds at "
        "every volume.)"
    )


def _cmd_simulate(args: argparse.Namespace) -> int:
    from xl_roi.simulation import simulate

    case = _case(args.case)
    result = simulate(case, draws=args.draws, seed=args.seed, swing=args.swing)
    if args.json:
        _print_json(result.to_dict())
        return EXIT_OK
    currency = case.currency
    from_file = {name for name, *_ in case.uncertainty}
    print(f"Monte Carlo: {case.name} — {result.draws:,} draws (random seed {result.seed})")
    print("Inputs drawn from triangular ranges:")
    print(f"  {'':<22} {'low':>14} {'likely':>14} {'high':>14}")
    for name, (low, likely, high) in result.ranges.items():
        where = "from the case file" if name in from_file else f"± {args.swing:.0%}"
        figures = (_figure(name, value, currency) for value in (low, likely, high))
        print(f"  {DRAWN_LABELS[name]:<22} " + " ".join(f"{f:>14}" for f in figures) + f"  {where}")
    own = _slices_costing_their_own(case)
    if "cost_per_error" in result.ranges and own:
        print(f"  ({DRAWN_LABELS['cost_per_error']}: {_own_costs_stay(own)})")
    print()
    targets = [3.0, 12.0]
    shares = [result.p_payback_within_3_months, result.p_payback_within_12_months]
    if result.target_months not in targets:
        targets.append(result.target_months)
        shares.append(result.p_payback_within_target)
    for months, share in sorted(zip(targets, shares, strict=True)):
        is_target = " (the target)" if months == result.target_months else ""
        label = f"Chance of payback within {months:g} months{is_target}"
        print(f"{label:<48} {_percent(share):>7}")
    positive = _percent(result.p_net_benefit_positive)
    print(f"{'Chance of a positive annual net benefit':<48} {positive:>7}")
    print(
        f"Payback (months)   P10 {_months(result.payback_p10):>8}  "
        f"P50 {_months(result.payback_p50):>8}  P90 {_months(result.payback_p90):>8}"
    )
    print(
        f"Annual net benefit P10 {_money(result.net_benefit_p10, currency)}  "
        f"P50 {_money(result.net_benefit_p50, currency)}  "
        f"P90 {_money(result.net_benefit_p90, currency)}"
    )
    if not math.isnan(result.p_quality_adjusted_net_benefit_positive):
        print("\nCounting the cost of worse answers (quality-adjusted; not in the figures above):")
        label = f"Chance of payback within {result.target_months:g} months (the target)"
        print(f"  {label:<46} {_percent(result.p_quality_adjusted_payback_within_target):>7}")
        label = "Chance of a positive annual net benefit"
        print(f"  {label:<46} {_percent(result.p_quality_adjusted_net_benefit_positive):>7}")
        print(
            f"  Payback P50 {_months_unit(result.quality_adjusted_payback_p50)}; annual net "
            f"benefit P50 {_money(result.quality_adjusted_net_benefit_p50, currency)}"
        )
    return EXIT_OK


def _default_output(case_path: str | None) -> str:
    if case_path is None:
        return "example.xlsx"
    source = Path(case_path)
    if source.suffix.lower() in (".xlsx", ".xlsm"):
        return str(source.with_name(f"{source.stem}_built.xlsx"))
    return str(source.with_suffix(".xlsx"))


def _cmd_build(args: argparse.Namespace) -> int:
    from xl_roi.workbook.build import save_workbook

    case, swing = _case_and_swing(args.case)
    output = args.output or _default_output(args.case)
    if args.case is not None and same_file(output, args.case):
        raise CommandError(f"{output}: give another output; the input workbook is never replaced")
    portable = _build_flavour(args)
    named_prices = None
    gpu_source = None
    if args.case is not None and not _is_workbook(args.case):
        from xl_roi.casefile import named_model_prices

        named_prices = named_model_prices(args.case)  # their date goes beside them
        gpu_source = _gpu_source(args.case)
    save_workbook(
        case,
        output,
        force=args.force,
        swing=swing if args.swing is None else args.swing,
        portable=portable,
        named_prices=named_prices,
        gpu_source=gpu_source,
        notes=_input_notes(args.case),  # the case's own notes beside its inputs
    )
    print(pitch(evaluate(case)), end="")
    print(f"\nwrote {output}, {WHERE_IT_COMPUTES[portable]}")
    print(f"every formula's result is stored; `xl-roi check {output}` checks it")
    return EXIT_OK


WHERE_IT_COMPUTES = {
    True: (
        "the portable flavour: built-in spreadsheet functions only, so it computes wherever it "
        "is opened (Excel on any platform, LibreOffice, Gnumeric; no add-in needed)"
    ),
    False: (
        "the add-in flavour: its formulas call xl_roi's functions, so it computes only in "
        "Excel with them loaded — desktop Excel with the xl_roi add-in (xlwings), or Excel on "
        "Mac and the web with xlwings Lite; anywhere else it shows #NAME? once recalculated "
        "(`--portable` writes the flavour that computes anywhere)"
    ),
}
"""What `xl-roi build` says of the workbook it wrote, by flavour (``True``: portable)."""


def _build_flavour(args: argparse.Namespace) -> bool:
    """Whether build writes the portable flavour: as asked; else a filled-in workbook's own
    flavour; else portable, the flavour that computes wherever it is opened."""
    if args.addin or args.portable:
        return bool(args.portable)
    flavour = _read_flavour(args.case)
    return flavour is None or flavour == "portable"


def _is_workbook(path: str) -> bool:
    return Path(path).suffix.lower() in (".xlsx", ".xlsm")


def _input_notes(case_path: str | None) -> dict[str, str]:
    """Where the case says each input comes from, by field: the comment beside it in a case
    file (the built-in example's file when none is given), or a filled-in workbook's own
    Source cells."""
    if case_path is not None and _is_workbook(case_path):
        from xl_roi.workbook.read import input_notes as workbook_notes
        from xl_roi.workbook.read import open_workbook

        return workbook_notes(open_workbook(case_path, data_only=True))
    from xl_roi.casefile import example_case_text, input_notes

    text = example_case_text() if case_path is None else Path(case_path).read_text("utf-8")
    return input_notes(text)


def _cmd_deck(args: argparse.Namespace) -> int:
    from xl_roi._sensitivity import sensitivity
    from xl_roi.deck import deck_slides, write_deck

    case, swing = _case_and_swing(args.case)
    if args.case is not None and same_file(args.output, args.case):
        raise CommandError(f"{args.output}: give another output; the input is never replaced")
    notes = _input_notes(args.case)
    named_prices = None
    if args.case is not None and not _is_workbook(args.case):
        from xl_roi.casefile import named_gpu_price, named_model_prices

        named_prices = named_model_prices(args.case)
        gpu = named_gpu_price(args.case)
        if gpu is not None and gpu.typed is None:  # the GPU's price from the snapshot, dated
            notes.setdefault("gpu_hourly_cost", gpu.source)
    result = evaluate(case)
    slides = deck_slides(
        result,
        sensitivity(case, swing=swing),
        swing=swing,
        notes=notes,
        prices=named_prices,
        source_name="the built-in example" if args.case is None else Path(args.case).name,
    )
    target = write_deck(slides, args.output, force=args.force)
    from xl_roi.pitch import pitch_title

    print(f"wrote {target}: {len(slides)} slides, the pitch of {pitch_title(result)}")
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    from xl_roi.workbook.check import check_workbook, group_findings, next_step

    report = check_workbook(args.file)
    groups = group_findings(report.findings)
    if args.json:
        _print_json(
            {
                "file": str(report.path),
                "clean": report.clean,
                "values_only": report.values_only,
                "checked_cells": report.checked_cells,
                "findings": [
                    {"kind": f.kind, "where": f.where, "message": f.message}
                    for f in report.findings
                ],
                "groups": [
                    {
                        "kind": group.kind,
                        "message": group.message,
                        "count": len(group.places),
                        "where": list(group.places),
                    }
                    for group in groups
                ],
                "next": next_step(report),
            }
        )
    elif report.clean and report.values_only:
        print(
            f"{printable(args.file)} ({report.flavour} flavour, values-only copy): clean — "
            "made by xl-roi freeze, so no formulas to check; its "
            f"{report.checked_cells} figures agree with its inputs, every input in range"
        )
        for finding in report.warnings:
            print(f"  {printable(str(finding))}")
    elif report.clean:
        print(
            f"{printable(args.file)} ({report.flavour} flavour): clean — "
            f"{report.checked_cells} results "
            "agree with the inputs, no formula overwritten, every input in range"
        )
        for finding in report.warnings:
            print(f"  {printable(str(finding))}")
    else:
        what = f"{report.flavour} flavour" + (", values-only copy" if report.values_only else "")
        print(f"{printable(args.file)} ({what}): {len(report.findings)} finding(s)")
        for group in groups:
            print(f"  {printable(str(group))}")  # formula text from the file, C1 controls too
        print(printable(next_step(report)))
    return EXIT_OK if report.clean else EXIT_FINDINGS


def _cmd_freeze(args: argparse.Namespace) -> int:
    from xl_roi.workbook.freeze import freeze_workbook

    target = freeze_workbook(args.file, args.output, force=args.force)
    from xl_roi.workbook.read import workbook_flavour

    flavour = workbook_flavour(target)
    print(f"wrote {target}: values only, no formulas, from the {flavour} flavour")
    return EXIT_OK


def _cmd_template(args: argparse.Namespace) -> int:
    from xl_roi.workbook.build import save_workbook

    save_workbook(example_case(), args.output, force=args.force, portable=args.portable)
    flavour = "portable flavour" if args.portable else "add-in flavour"
    print(f"wrote {args.output}: the template ({flavour}), holding the built-in example")
    return EXIT_OK


PORTABLE_HELP = (
    "the portable flavour: built-in spreadsheet functions only, for Excel without the add-in, "
    "Excel for Mac and the web, LibreOffice and Google Sheets"
)

ADDIN_HELP = (
    "the add-in flavour: formulas that call xl_roi's functions, for desktop Excel with the "
    "xl_roi add-in (xlwings); elsewhere they show #NAME?"
)

SCREEN_CHUNK_ROWS = 250_000
"""Rows of a CSV screened at a time: memory stays flat however large the file."""

LARGE_INPUT_BYTES = 20_000_000
"""Files larger than this report their progress on stderr."""

LARGE_TABLE_ROWS = 1_000_000
"""Tables at least this long report their progress on stderr as they are written, about every
this many rows."""


def _read_endpoints(path: Path) -> tuple[Any, tuple[str, ...]]:
    """Screen a CSV, a Parquet file or an Excel sheet chunk by chunk; report progress on large
    files.

    Returns the ranked table and the columns the screen does not read. Each line of a CSV is
    one endpoint (:mod:`xl_roi.endpoint_file`): a malformed line is refused by itself, with its
    line number, and never shifts or swallows another. Parquet is read through DuckDB.
    """

    from xl_roi.endpoint_file import read_endpoint_csv
    from xl_roi.portfolio import TableError, screen_chunks, unused_columns
    from xl_roi.read_ahead import read_ahead

    suffix = path.suffix.lower()
    if not path.exists():
        raise CommandError(f"{path}: no such file")
    if suffix in (".xlsx", ".xlsm"):
        from xl_roi.workbook.read import endpoint_chunks

        columns: list[object] = []

        def sheet_chunks() -> Any:
            first = 1
            for chunk in endpoint_chunks(path, SCREEN_CHUNK_ROWS):
                if not columns:
                    columns.extend(chunk.columns)
                yield chunk, first, None
                first += len(chunk)

        try:
            screened = sheet_chunks()
            first_chunk = next(screened, None)
            if first_chunk is None:
                raise CommandError(f"{path}: no endpoints in the file")
            table = screen_chunks(itertools.chain([first_chunk], screened), compact=True)
        except InputError as error:  # named once: the workbook's own checks name the file
            said = str(error)
            raise CommandError(said if said.startswith(f"{path}:") else f"{path}: {said}") from None
        return table, unused_columns(columns)
    if suffix in (".parquet", ".pq"):
        from xl_roi.endpoint_file import read_endpoint_parquet

        try:
            header, parts = read_endpoint_parquet(path, SCREEN_CHUNK_ROWS)
            table = screen_chunks(
                (
                    (part.frame, part.first_row, part.refusals)
                    for part in _said(read_ahead(parts), path.stat().st_size > LARGE_INPUT_BYTES)
                ),
                compact=True,
            )
        except TableError as error:  # read, but not a table the screen can take
            raise CommandError(f"{path}: {error}") from None
        except InputError as error:
            raise CommandError(f"{path}: cannot be read as Parquet: {error}") from None
        return table, unused_columns(header)
    if suffix not in (".csv", ".txt"):
        raise CommandError(f"{path}: give a .csv, .parquet or .xlsx file of endpoints")
    large = path.stat().st_size > LARGE_INPUT_BYTES
    screened = 0
    try:
        header, lines = read_endpoint_csv(path, SCREEN_CHUNK_ROWS)

        def chunks() -> Any:
            nonlocal screened
            for chunk in read_ahead(lines):  # the next chunk parsed while this one is screened
                yield chunk.frame, chunk.first_row, chunk.refusals
                screened += len(chunk.frame)
                if large:
                    print(f"screened {screened:,} endpoints…", file=sys.stderr, flush=True)

        table = screen_chunks(chunks(), compact=True)
    except TableError as error:  # read, but not a table the screen can take
        raise CommandError(f"{path}: {error}") from None
    except InputError as error:
        raise CommandError(f"{path}: cannot be read as CSV: {error}") from None
    except ValueError:  # no chunk at all: nothing to join
        if screened == 0:
            raise CommandError(f"{path}: no endpoints in the file") from None
        raise
    return table, unused_columns(header)


def _said(chunks: Iterator[Any], large: bool) -> Iterator[Any]:
    """The chunks as they come, saying on stderr how many endpoints are read (large files)."""
    read = 0
    for chunk in chunks:
        yield chunk
        read += len(chunk.frame)
        if large:
            print(f"screened {read:,} endpoints…", file=sys.stderr, flush=True)


def _cmd_screen(args: argparse.Namespace) -> int:
    from xl_roi.casefile import sample_endpoints_path
    from xl_roi.portfolio import summarise, unused_columns_message

    source = Path(args.endpoints) if args.endpoints else sample_endpoints_path()
    output = args.output or "portfolio.xlsx"
    if not args.json and same_file(source, output):  # before any reading: never the input
        raise CommandError(f"{output}: give another output; the input file is never replaced")
    table, unused = _read_endpoints(source)
    notes = [unused_columns_message(unused)] if unused else []
    for note in notes:
        print(f"xl-roi: warning: {note}", file=sys.stderr)
    if args.json:
        from xl_roi.json_table import write_json_rows

        large = len(table) >= LARGE_TABLE_ROWS

        said_at = [0]

        def said(rows: int) -> None:
            if large and (rows - said_at[0] >= LARGE_TABLE_ROWS or rows == len(table)):
                said_at[0] = rows
                print(f"wrote {rows:,} rows of JSON…", file=sys.stderr, flush=True)

        write_json_rows(table, sys.stdout, progress=said)
        return EXIT_OK
    from xl_roi.workbook.portfolio_book import write_portfolio

    def progress(rows: int) -> None:
        print(f"wrote {rows:,} rows…", file=sys.stderr, flush=True)

    currency = args.currency
    write_portfolio(
        table, output, force=args.force, progress=progress, currency=currency, notes=notes
    )
    summary = summarise(table)
    print(
        f"{summary.endpoints:,} endpoints: {summary.screened:,} screened, "
        f"{summary.refused:,} refused; "
        + ", ".join(f"{count:,} {label}" for label, count in summary.by_verdict.items())
    )
    print(
        f"worth doing on compute alone: {summary.worth_doing:,}, netting "
        f"{_money(summary.annual_net_benefit_worth_doing, currency)} a year after maintenance "
        f"({_money(summary.annual_savings_worth_doing, currency)} before) for "
        f"{_money(summary.upfront_worth_doing, currency)} upfront"
    )
    if summary.worth_doing_not_once_counted:
        uncosted = summary.worth_doing_not_costed
        kept = (
            f"; {uncosted:,} of them with no cost of worse answers computed, kept on compute"
            if uncosted
            else ""
        )
        print(
            f"counting worse answers: {summary.worth_doing_counting_quality:,} worth doing "
            f"({summary.worth_doing_not_once_counted:,} fewer{kept}), netting "
            f"{_money(summary.annual_net_benefit_worth_doing_counting_quality, currency)} a "
            f"year for {_money(summary.upfront_worth_doing_counting_quality, currency)} upfront"
        )
    for record in table.head(10).itertuples():
        payback = (
            "never"
            if math.isinf(record.payback_months)
            else (
                "—" if math.isnan(record.payback_months) else f"{record.payback_months:.1f} months"
            )
        )
        name = printable(str(record.name))  # never a terminal escape from a file we did not write
        if isinstance(record.verdict, str):
            print(f"  {record.rank:>3}. {name:<32} {printable(record.verdict):<16} {payback}")
        else:  # refused: its reason, and no payback column
            print(f"  {record.rank:>3}. {name:<32} refused: {printable(str(record.error))}")
    print(f"wrote {output}")
    return EXIT_OK


def _currency(text: str) -> str:
    """A currency code or symbol for headers and number formats: short, printable, no quote."""
    if not 1 <= len(text) <= 8 or printable(text) != text or '"' in text or not text.strip():
        raise argparse.ArgumentTypeError(
            f"give a currency code such as USD or EUR (up to 8 characters), got {text!r}"
        )
    return text


def _parse_pairs(text: str | None, flag: str) -> dict[str, str]:
    """``a=b,c=d`` as a dict (for --columns)."""
    pairs: dict[str, str] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise CommandError(
                f"{flag}: write name=their_column pairs separated by commas, got {item!r}"
            )
        pairs[name.strip()] = value.strip()
    return pairs


def _parse_prices(items: Sequence[str] | None) -> dict[str, list[float]]:
    """``MODEL=INPUT,OUTPUT[,CACHED]`` (per million tokens) as a dict."""
    prices: dict[str, list[float]] = {}
    for item in items or ():
        model, sep, numbers = item.rpartition("=")
        try:
            values = [float(v) for v in numbers.split(",")]
        except ValueError:
            values = []
        if (
            not sep
            or not model
            or len(values) not in (2, 3)
            or any(not math.isfinite(v) or v < 0 for v in values)
        ):
            raise CommandError(
                f"--price: write MODEL=INPUT,OUTPUT[,CACHED_INPUT] per million tokens, got {item!r}"
            )
        prices[model] = values
    return prices


def _cmd_measure(args: argparse.Namespace) -> int:
    from xl_roi._measure import measure
    from xl_roi.text import printable

    # naming the teacher or the student reports (and prices) only those models
    wanted = [m for m in (args.teacher, args.student) if m] or None
    if args.reprice and not args.teacher:
        raise CommandError("--reprice prices the teacher's calls: name it with --teacher MODEL")
    if args.reprice and args.student:
        raise CommandError(
            "give the student's cost once: --student MODEL (its own logged calls) or --reprice "
            "MODEL (the teacher's calls at its prices), not both"
        )
    if args.output_factor is not None and not args.reprice:
        raise CommandError("--output-factor goes with --reprice MODEL")
    target = args.output or args.update
    if target:
        from xl_roi._measure import expand_paths

        if any(same_file(target, log) for log in expand_paths(args.logs)):
            raise CommandError(f"{target}: give another case file; a log read is never replaced")
    table = measure(
        args.logs,
        columns=_parse_pairs(args.columns, "--columns") or None,
        since=args.since,
        until=args.until,
        models=wanted,
        prices=_parse_prices(args.price) or None,
        approx=args.approx,
        include_failed=args.include_failed,
        engine=args.engine,
        memory_limit=args.memory_limit,
    )
    source = table.attrs["source"]
    for warning in source["warnings"]:
        print(f"xl-roi: warning: {printable(warning)}", file=sys.stderr)
    _say_how_to_price(table)
    extra = _repriced(table, args) if args.reprice else []
    if args.output or args.update:
        _write_measured_case(table, args, extra)
    if args.json:
        models = []
        for record in table.to_dict(orient="records"):
            for key in ("first_seen", "last_seen"):
                record[key] = record[key].isoformat()
            models.append({str(k): _json_value(v) for k, v in record.items()})
        _print_json({"models": models, "source": source})
        return EXIT_OK
    if args.output or args.update:
        return EXIT_OK
    _print_measured(table, args)
    return EXIT_OK


def _say_how_to_price(table: Any) -> None:
    """For each model with no cost recorded, how this command can price it (on stderr)."""
    from xl_roi._measure._figures import NO_COST_RECORDED

    for row in table.to_dict(orient="records"):
        if str(row["cost_source"]).startswith(NO_COST_RECORDED):
            model = _shell_quote(str(row["model"]))
            print(
                f"xl-roi: to price {printable(str(row['model']))}: add --price "
                f"{model}=INPUT,OUTPUT (USD per million tokens); self-hosted, its cost comes "
                "from its GPU instead: [student] gpu (see xl-roi gpu-prices) and "
                "calls_per_second_per_gpu (see xl-roi capacity)",
                file=sys.stderr,
            )


def _repriced(table: Any, args: argparse.Namespace) -> list[Any]:
    """The teacher's calls at the candidate student's prices: printed (stderr), and the figure
    to write."""
    from xl_roi._measure import _prices_for
    from xl_roi._measure._casefile import MARK, Figure, _one_line
    from xl_roi._measure._reprice import reprice

    given = _parse_prices(args.price)
    price_in, price_out, price_cached, label = _prices_for(args.reprice, given or None)
    prices = (price_in, price_out, price_cached, f"{args.reprice}: {label}")
    row = table[table["model"] == args.teacher].iloc[0]
    found = reprice(
        float(row["input_tokens_per_call"]),
        float(row["cached_input_tokens_per_call"]),
        float(row["output_tokens_per_call"]),
        prices,
        1.0 if args.output_factor is None else args.output_factor,
    )
    print(
        f"xl-roi: {args.reprice} on the teacher's calls: {found.cost_per_1k:.4g} per 1,000 "
        f"calls ({found.source})",
        file=sys.stderr,
    )
    source = table.attrs["source"]
    files = ", ".join(Path(f).name for f in source["files"][:3])
    window = source["window"]
    comment = _one_line(
        f"{MARK} {files}; {window['first_day']} … {window['last_day']}; "
        f"{int(row['calls']):,} calls of {args.teacher}: {found.source}"
    )
    return [Figure("student", "cost_per_1k", found.cost_per_1k, comment)]


def _write_measured_case(table: Any, args: argparse.Namespace, extra: list[Any]) -> None:
    """Write the figures into the case file; say which, what could not be measured, and what
    to do next (on stderr: stdout may be JSON)."""
    from xl_roi._measure._casefile import figures, write_case

    target = write_case(
        table,
        args.update or args.output,
        teacher=args.teacher,
        student=args.student,
        update=bool(args.update),
        force=args.force,
        extra=extra,
    )
    new = [*figures(table, args.teacher, args.student), *extra]
    written: dict[str, list[str]] = {}
    for figure in new:
        if figure.value is not None:
            written.setdefault(figure.table, []).append(figure.key)
    order = ("volume", "teacher", "student", "upside")
    listed = "; ".join(
        f"[{name}] {', '.join(keys)}"
        for name, keys in sorted(written.items(), key=lambda item: order.index(item[0]))
    )
    print(
        f"{'updated' if args.update else 'wrote'} {target}: {listed}, each under a comment "
        "naming its source",
        file=sys.stderr,
    )
    for figure in new:
        if figure.value is None:
            print(
                f"  not measured: [{figure.table}] {figure.key}: {figure.reason}",
                file=sys.stderr,
            )
    quoted = _shell_quote(str(target))
    if args.update:
        print(f"next: xl-roi pitch {quoted}", file=sys.stderr)
    else:
        print(
            "next: replace the other figures (the built-in example's: upfront, maintenance, "
            f"quality slices) with your own, then xl-roi pitch {quoted}",
            file=sys.stderr,
        )


def _shell_quote(text: str) -> str:
    import shlex

    return shlex.quote(printable(text))


def _print_measured(table: Any, args: argparse.Namespace) -> None:
    """The measured table as text: one line per model, then where costs and P95 came from."""
    source = table.attrs["source"]
    records: list[dict[Any, Any]] = table.to_dict(orient="records")
    files = len(source["files"])
    print(
        f"{source['rows_used']:,} of {source['rows_read']:,} rows from "
        f"{files} file{'' if files == 1 else 's'} ({', '.join(source['formats'])}); window "
        f"{source['window']['first_day']} … {source['window']['last_day']}; complete months: "
        f"{', '.join(source['complete_months']) or 'none'}"
    )
    names = [printable(str(row["model"])) for row in records]
    width = max([len("model"), *(len(name) for name in names)])
    header = (
        f"{'model':<{width}} {'calls':>10} {'calls/month':>12} {'growth/month':>12} "
        f"{'cost/1k calls':>13} {'P95 ms':>8} {'errors':>7}"
    )
    print(header)
    print("-" * len(header))
    for name, row in zip(names, records, strict=True):
        growth = "—" if math.isnan(row["monthly_growth"]) else f"{row['monthly_growth']:.1%}"
        p95 = "n/a" if math.isnan(row["latency_p95_ms"]) else f"{row['latency_p95_ms']:,.0f}"
        errors = "—" if math.isnan(row["error_share"]) else f"{row['error_share']:.1%}"
        cost = "no cost" if math.isnan(row["cost_per_1k"]) else f"{row['cost_per_1k']:.4g}"
        print(
            f"{name:<{width}} {row['calls']:>10,} {row['monthly_calls']:>12,.0f} {growth:>12} "
            f"{cost:>13} {p95:>8} {errors:>7}"
        )
    print("\ncost per 1,000 calls from:")
    for name, row in zip(names, records, strict=True):
        print(f"  {name}: {printable(str(row['cost_source']))}")
    failed = [(name, row) for name, row in zip(names, records, strict=True) if row["failed_calls"]]
    if source.get("figures_over") == "successful calls":
        print(
            "cost per 1k, tokens and P95 are over successful calls"
            + (" (--include-failed counts the failed ones too)" if failed else "")
        )
    elif failed:
        print("cost per 1k, tokens and P95 are over all calls, the failed ones included")
    for name, row in failed:
        own_cost = row["failed_cost_per_1k"]
        own_p95 = row["failed_latency_p95_ms"]
        print(
            f"  {name}: {row['failed_calls']:,} failed call"
            f"{'' if row['failed_calls'] == 1 else 's'}: cost/1k calls "
            f"{'no cost' if math.isnan(own_cost) else f'{own_cost:.4g}'}, P95 "
            f"{'n/a' if math.isnan(own_p95) else f'{own_p95:,.0f} ms'}"
        )
    if any(not math.isnan(row["latency_p95_ms"]) for row in records):
        print(f"P95: {source['percentiles']}")
    if source["latency_note"]:
        print(source["latency_note"])
    logs = " ".join(_shell_quote(str(log)) for log in args.logs)
    print(
        f"\nto write these into a case file: xl-roi measure {logs} --teacher MODEL "
        "[--student MODEL] -o case.toml (or --update case.toml), MODEL as the first column "
        "names it"
    )


def _cmd_capacity(args: argparse.Namespace) -> int:
    """Calls a second per GPU at the highest load whose P95 meets the target."""
    from xl_roi.capacity import capacity, length_warnings, read_runs

    if args.output and not args.gpu:
        raise CommandError(
            "-o writes a new case, whose self-hosted student needs a GPU price: name the GPU "
            "with --gpu (e.g. --gpu H100 --cloud aws; see xl-roi gpu-prices), or --update a "
            "case that has one"
        )
    if (args.cloud or args.spot) and not args.gpu:
        raise CommandError("--cloud and --spot go with --gpu GPU")
    case_data = _capacity_case_data(args.update)
    target, target_from = _capacity_target(args, case_data)
    runs = read_runs(args.benchmarks, gpus=args.gpus)
    found = capacity(runs, target, gpus=args.gpus)
    _print_capacity(found, target, target_from)
    teacher = case_data.get("teacher") or {}
    tokens_in = teacher.get("input_tokens_per_call")
    tokens_out = teacher.get("output_tokens_per_call")
    if isinstance(tokens_in, int | float) and isinstance(tokens_out, int | float):
        for warning in length_warnings(found, float(tokens_in), float(tokens_out)):
            print(
                f"xl-roi: warning: {warning} (the case's teacher tokens per call)", file=sys.stderr
            )
    if not (args.output or args.update):
        print("\nto write these into a case file: add -o case.toml (or --update case.toml)")
        return EXIT_OK
    _write_capacity_case(args, _capacity_figures(args, found))
    return EXIT_OK


def _capacity_case_data(case_path: str | None) -> dict[str, Any]:
    """The case file ``--update`` names, as TOML data (empty without one)."""
    import tomllib

    if not case_path:
        return {}
    try:
        return tomllib.loads(Path(case_path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CommandError(f"{case_path}: no such file (use -o to write a new case)") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise CommandError(f"{case_path}: not a readable case file ({error})") from None


def _capacity_target(args: argparse.Namespace, case_data: dict[str, Any]) -> tuple[float, str]:
    """The P95 target in milliseconds and where it comes from: ``--slo-p95-ms``, else the
    teacher's P95 in the ``--update`` case."""
    if args.slo_p95_ms is not None:
        return args.slo_p95_ms, "--slo-p95-ms"
    teacher_p95 = (case_data.get("upside") or {}).get("teacher_p95_ms")
    if not isinstance(teacher_p95, int | float) or isinstance(teacher_p95, bool):
        raise CommandError(
            "give the P95 target: --slo-p95-ms MS (or --update a case whose [upside] "
            "teacher_p95_ms is the target)"
        )
    return float(teacher_p95), f"the teacher's P95 in {args.update}"


def _print_capacity(found: Capacity, target: float, target_from: str) -> None:
    """Each run against the target (the one chosen marked), then the calls a second per GPU
    and the student's P95 at that load."""
    print(f"target: P95 ≤ {target:g} ms ({target_from})")
    for run in found.runs:
        chosen = "→" if run is found.run else " "
        meets = "meets" if run.p95_ms <= target else "misses"
        print(
            f" {chosen} {Path(run.file).name}: {run.load()}: {run.requests_per_second:.4g} "
            f"requests/s, P95 {run.p95_ms:,.0f} ms ({meets})"
        )
    print(
        f"calls_per_second_per_gpu = {found.calls_per_second_per_gpu:.4g} "
        f"({found.run.requests_per_second:.4g} requests/s ÷ {found.gpus} GPU"
        f"{'' if found.gpus == 1 else 's'}); student P95 at that load "
        f"{found.student_p95_ms:,.0f} ms"
    )
    if found.gpus_assumed:
        print(
            "xl-roi: warning: the benchmark files do not say how many GPUs the server used: "
            "1 assumed (give --gpus N)",
            file=sys.stderr,
        )


def _capacity_figures(args: argparse.Namespace, found: Capacity) -> list[Figure]:
    """The figures to write into the case: calls a second per GPU and the student's P95, and
    with ``--gpu`` the GPU, its cloud and spot, each under a comment saying where it comes
    from."""
    from xl_roi._measure._casefile import BENCH_MARK, Figure, _one_line

    where = _one_line(f"{BENCH_MARK} {found.describe()}")
    new = [
        Figure("student", "calls_per_second_per_gpu", found.calls_per_second_per_gpu, where),
        Figure("upside", "student_p95_ms", found.student_p95_ms, where),
    ]
    if args.gpu:
        from xl_roi.gpu_prices import gpu_price

        price = gpu_price(args.gpu, args.cloud, args.spot)
        named = _one_line(
            f"{BENCH_MARK} GPU priced at {price.per_gpu_hour(args.spot):.4g} USD per GPU-hour: "
            f"{price.source(args.spot)}"
        )
        new.append(Figure("student", "gpu", price.gpu, named))
        new.append(Figure("student", "cloud", price.cloud, named))
        if args.spot:
            new.append(Figure("student", "spot", True, named))
    return new


def _write_capacity_case(args: argparse.Namespace, new: list[Any]) -> None:
    from xl_roi._measure._casefile import update_text
    from xl_roi.errors import CaseFileError

    target = Path(args.update or args.output)
    if args.update:
        text = target.read_text(encoding="utf-8")
        result = update_text(text, new, force=args.force, source=str(target))
        write_atomic(target, result.encode("utf-8"), force=True)
    else:
        if target.exists() and not args.force:
            raise CaseFileError(f"{target} exists already: use --force to replace it, or --update")
        result = update_text(example_case_text(), new, force=True, source=str(target))
        write_atomic(target, result.encode("utf-8"), force=args.force)
    listed = ", ".join(f"[{f.table}] {f.key}" for f in new)
    print(
        f"{'updated' if args.update else 'wrote'} {target}: {listed}, under a comment naming "
        "the benchmark files, the run and its load",
        file=sys.stderr,
    )
    print(f"next: xl-roi pitch {_shell_quote(str(target))}", file=sys.stderr)


def _gpu_source(path: str) -> str | None:
    """The Source note for a GPU price taken from the snapshot (``None``: typed or none)."""
    from xl_roi.casefile import named_gpu_price
    from xl_roi.gpu_prices import STALE_AFTER_DAYS

    found = named_gpu_price(path)
    if found is None or found.typed is not None:
        return None
    note = f"GPU price: {found.source}; USD per GPU-hour"
    if found.stale:
        note += f"; over {STALE_AFTER_DAYS} days old: check the cloud's price page"
    return note


def _cmd_gpu_prices(args: argparse.Namespace) -> int:
    from xl_roi.gpu_prices import cloud_gpu_prices, gpu_catalogue, gpu_prices

    catalogue = gpu_catalogue()
    rows = gpu_prices(args.gpu, args.cloud) if args.gpu else cloud_gpu_prices(args.cloud)
    for cloud in sorted({row.cloud for row in rows}):  # the clouds shown, not every one
        stale = catalogue.sources[cloud].stale_warning()
        if stale:
            print(f"xl-roi: warning: {stale}", file=sys.stderr)
    if args.spot:
        rows = [row for row in rows if not math.isnan(row.spot_per_instance_hour)]
    if args.json:
        _print_json(
            {
                "catalogue": catalogue.name,
                "source": catalogue.source,
                "commit": catalogue.commit,
                "prices_as_of": None if catalogue.before else catalogue.date.isoformat(),
                "prices_before": catalogue.date.isoformat() if catalogue.before else None,
                "note": catalogue.date_note,
                "prices": [
                    {
                        "gpu": row.gpu,
                        "cloud": row.cloud,
                        "region": row.region,
                        "instance_type": row.instance_type,
                        "gpus_per_instance": row.gpus_per_instance,
                        "on_demand_per_gpu_hour": row.per_gpu_hour(),
                        "spot_per_gpu_hour": row.per_gpu_hour(spot=True),
                    }
                    for row in rows
                ],
            }
        )
        return EXIT_OK
    kind = "spot (lowest of the region's zones)" if args.spot else "on-demand"
    print(f"USD per GPU-hour, {kind}: the instance's price ÷ its GPUs ({catalogue.describe()})")
    for row in rows:
        price = row.per_gpu_hour(spot=args.spot)
        gpus = f"{row.gpus_per_instance} GPU{'' if row.gpus_per_instance == 1 else 's'}"
        print(
            f"  {row.gpu:<10} {row.cloud:<6} {row.region:<10} {price:>8.4f}  "
            f"{row.instance_type} ({gpus})"
        )
    if args.gpu and rows:
        spot = "\n  spot = true" if args.spot else ""
        print(
            f'\nin a case file, under [student]:\n  gpu = "{rows[0].gpu}"\n'
            f'  cloud = "{rows[0].cloud}"{spot}'
        )
    return EXIT_OK


def _cmd_prices(args: argparse.Namespace) -> int:
    from xl_roi.prices import model_prices

    if args.model is None:
        return _list_prices(args)
    prices = model_prices(
        args.model,
        args.provider,
        hint="xl-roi prices --filter TEXT lists the models the table knows",
    )
    stale = prices.table.stale_warning()
    if stale:
        print(f"xl-roi: warning: {stale}", file=sys.stderr)
    if args.json:
        _print_json(
            {
                "model": prices.model,
                "provider": prices.provider,
                "input_per_million": prices.input_per_million,
                "output_per_million": prices.output_per_million,
                "cached_input_per_million": prices.cached_input_per_million,
                "table": prices.table.name,
                "table_version": prices.table.version,
                "prices_as_of": prices.table.date.isoformat(),
                "note": prices.note,
            }
        )
        return EXIT_OK
    print(f"{prices.provider} {prices.model}, USD per million tokens ({prices.table.describe()})")
    print(f"  input         {prices.input_per_million:>10g}")
    print(f"  output        {prices.output_per_million:>10g}")
    print(f"  cached input  {prices.cached_input_per_million:>10g}")
    if prices.note:
        print(f"  {prices.note}")
    return EXIT_OK


def _list_prices(args: argparse.Namespace) -> int:
    """Without a model: the providers (and how many models each), or the models matching
    --provider and --filter, with their prices."""
    from collections import Counter

    from xl_roi.prices import known_models, known_providers, model_prices, price_table

    table = price_table()
    if args.provider is not None and args.provider not in known_providers():
        model_prices("-", args.provider)  # raises, naming the closest providers
    if args.provider is None and not args.filter:
        counts = Counter(provider for provider, _ in known_models())
        if args.json:
            _print_json({"table": table.describe(), "providers": dict(sorted(counts.items()))})
            return EXIT_OK
        print(f"providers in {table.describe()}, with their models:")
        for provider, count in sorted(counts.items()):
            print(f"  {provider:<28} {count:>4} models")
        print(
            "\nxl-roi prices --provider NAME lists one provider's models; --filter TEXT lists "
            "the models whose name contains TEXT; xl-roi prices MODEL shows one model's prices"
        )
        return EXIT_OK
    pairs = known_models(args.provider, args.filter)
    if args.json:
        _print_json(
            {"table": table.describe(), "models": [{"provider": p, "model": m} for p, m in pairs]}
        )
        return EXIT_OK
    if not pairs:
        print(f"no model in {table.describe()} matches {args.filter!r}")
        return EXIT_FINDINGS
    print(f"{len(pairs):,} models in {table.describe()}:")
    for provider, model in pairs:
        print(f"  {provider:<28} {model}")
    return EXIT_OK


def _add_case_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "case",
        nargs="?",
        metavar="CASE.toml",
        help="case file, or a filled-in template workbook (default: the built-in example)",
    )


COMMANDS = (
    "init",
    "pitch",
    "sensitivity",
    "simulate",
    "build",
    "deck",
    "check",
    "freeze",
    "screen",
    "measure",
    "prices",
    "gpu-prices",
    "capacity",
    "template",
)
"""Commands whose parser can be built alone (see :func:`build_parser`)."""


class _UnusedParser:
    """Stands in for a sub-command's parser that this run cannot reach: takes its arguments and
    keeps none, so that building it costs no start-up time."""

    def add_argument(self, *args: Any, **kwargs: Any) -> None:
        pass

    def set_defaults(self, **kwargs: Any) -> None:
        pass

    def add_mutually_exclusive_group(self, **kwargs: Any) -> _UnusedParser:
        return self


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser, with one sub-command per job (or only the one named ``only``).

    Examples
    --------
    >>> build_parser(only="pitch").parse_args(["pitch", "--json"]).json
    True
    """
    parser = argparse.ArgumentParser(
        prog="xl-roi",
        description="Build, check and defend the business case for model distillation.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add_command(name: str, **kwargs: Any) -> Any:
        if only is not None and name != only:
            return _UnusedParser()
        return commands.add_parser(name, **kwargs)

    for add_parser in _COMMAND_PARSERS:
        add_parser(add_command)
    return parser


def _add_init_parser(add_command: Callable[..., Any]) -> None:
    """``xl-roi init``: write a commented example case file to edit."""
    init = add_command("init", help="write a commented example case file to edit")
    init.add_argument("path", nargs="?", default="case.toml", metavar="PATH")
    init.add_argument("--force", action="store_true", help="replace PATH if it exists")
    init.set_defaults(handler=_cmd_init)


def _add_pitch_parser(add_command: Callable[..., Any]) -> None:
    """``xl-roi pitch``: print the decision-maker's pitch, or every figure as JSON."""
    pitch_parser = add_command("pitch", help="print the decision-maker's pitch")
    _add_case_argument(pitch_parser)
    pitch_parser.add_argument("--json", action="store_true", help="print every figure as JSON")
    pitch_parser.set_defaults(handler=_cmd_pitch)


def _add_sensitivity_parser(add_command: Callable[..., Any]) -> None:
    """``xl-roi sensitivity``: the tornado, scenarios and break-evens."""
    sens = add_command(
        "sensitivity", help="which assumption breaks the case: tornado, scenarios, break-evens"
    )
    _add_case_argument(sens)
    sens.add_argument("--swing", type=float, default=0.5, help="move each assumption ± this share")
    sens.add_argument("--target", type=float, default=None, help="payback target in months")
    sens.add_argument("--json", action="store_true", help="print the table as JSON")
    sens.set_defaults(handler=_cmd_sensitivity)


def _add_simulate_parser(add_command: Callable[..., Any]) -> None:
    """``xl-roi simulate``: Monte Carlo, how likely the case is to pay back."""
    sim = add_command("simulate", help="Monte Carlo: how likely it is to pay back")
    _add_case_argument(sim)
    sim.add_argument("--draws", type=int, default=100_000, help="number of draws (100,000)")
    sim.add_argument("--seed", type=int, default=0, help="random seed (0)")
    sim.add_argument("--swing", type=float, default=0.5, help="spread of the default ranges")
    sim.add_argument("--json", action="store_true", help="print the result as JSON")
    sim.set_defaults(handler=_cmd_simulate)


def _add_build_parser(add_command: Callable[..., Any]) -> None:
    """``xl-roi build``: fill the workbook from a case, in either flavour."""
    build = add_command(
        "build", help="fill the template from a case; store every result; print the pitch"
    )
    _add_case_argument(build)
    build.add_argument(
        "-o",
        "--output",
        metavar="OUT.xlsx",
        help="where to write (default: the case file's name, or example.xlsx)",
    )
    build.add_argument("--force", action="store_true", help="replace OUT.xlsx if it exists")
    flavours = build.add_mutually_exclusive_group()
    flavours.add_argument(
        "--portable",
        action="store_true",
        help=PORTABLE_HELP + " (the default; a filled-in workbook keeps its own flavour unless "
        "told)",
    )
    flavours.add_argument("--addin", action="store_true", help=ADDIN_HELP)
    build.add_argument(
        "--swing",
        type=float,
        default=None,
        help="the Sensitivity sheet's swing (default 0.5, or the input workbook's)",
    )
    build.set_defaults(handler=_cmd_build)


def _add_deck_parser(add_command: Callable[..., Any]) -> None:
    """``xl-roi deck``: the pitch as slides."""
    deck = add_command(
        "deck", help="write the pitch as slides (PowerPoint), with its charts and sources"
    )
    _add_case_argument(deck)
    deck.add_argument("-o", "--output", metavar="PITCH.pptx", required=True)
    deck.add_argument("--force", action="store_true", help="replace PITCH.pptx if it exists")
    deck.set_defaults(handler=_cmd_deck)


def _add_check_parser(add_command: Callable[..., Any]) -> None:
    """``xl-roi check``: recompute a workbook's figures and report every disagreement."""
    check = add_command(
        "check", help="recompute a workbook's figures and report every disagreement"
    )
    check.add_argument("file", metavar="FILE.xlsx")
    check.add_argument("--json", action="store_true", help="print the findings as JSON")
    check.set_defaults(handler=_cmd_check)


def _add_freeze_parser(add_command: Callable[..., Any]) -> None:
    """``xl-roi freeze``: a values-only copy of a workbook."""
    freeze = add_command("freeze", help="write a values-only copy of a workbook")
    freeze.add_argument("file", metavar="FILE.xlsx")
    freeze.add_argument("-o", "--output", metavar="OUT.xlsx", required=True)
    freeze.add_argument("--force", action="store_true", help="replace OUT.xlsx if it exists")
    freeze.set_defaults(handler=_cmd_freeze)


def _add_screen_parser(add_command: Callable[..., Any]) -> None:
    """``xl-roi screen``: screen many endpoints, best first."""
    screen = add_command("screen", help="screen many endpoints: which to distill, best first")
    screen.add_argument(
        "endpoints",
        nargs="?",
        metavar="ENDPOINTS.csv|.xlsx",
        help="one row per endpoint (default: the built-in sample)",
    )
    screen.add_argument(
        "-o",
        "--output",
        metavar="PORTFOLIO.xlsx",
        help="the workbook to write (default: portfolio.xlsx)",
    )
    screen.add_argument("--force", action="store_true", help="replace the output if it exists")
    screen.add_argument("--json", action="store_true", help="print the ranked table as JSON")
    screen.add_argument(
        "--currency",
        type=_currency,
        default=Case.__dataclass_fields__["currency"].default,
        help="the currency of the money columns, shown in the workbook (default: USD, as a "
        "case file)",
    )
    screen.set_defaults(handler=_cmd_screen)


def _add_case_file_outputs(parser: argparse.ArgumentParser) -> None:
    """``-o CASE.toml`` or ``--update CASE.toml``, and ``--force``: where a command that measures
    figures writes them."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("-o", "--output", metavar="CASE.toml", help="write a new case file")
    where.add_argument(
        "--update", metavar="CASE.toml", help="write the figures into this case file"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="--update: replace figures you typed; -o: replace the file if it exists",
    )


def _add_measure_parser(add_command: Callable[..., Any]) -> None:
    """``xl-roi measure``: per-call cost, volume, growth and latency per model from logs."""
    measure = add_command(
        "measure", help="per-call cost, volume, growth and P95 latency per model from request logs"
    )
    measure.add_argument(
        "logs",
        nargs="+",
        metavar="LOGS",
        help="CSV, JSON Lines or Parquet files or globs (.gz too)",
    )
    measure.add_argument("--json", action="store_true", help="print the figures as JSON")
    _add_case_file_outputs(measure)
    measure.add_argument("--teacher", metavar="MODEL", help="the model the case replaces")
    measure.add_argument("--student", metavar="MODEL", help="the distilled model")
    measure.add_argument(
        "--since", metavar="DATE", help="first day of the window, e.g. 2026-01-01 (UTC)"
    )
    measure.add_argument("--until", metavar="DATE", help="last day of the window, included (UTC)")
    measure.add_argument(
        "--columns", metavar="name=theirs,…", help="map canonical columns to your column names"
    )
    measure.add_argument(
        "--price",
        action="append",
        metavar="MODEL=IN,OUT[,CACHED]",
        help="prices per million tokens for a model the logs do not cost",
    )
    measure.add_argument(
        "--approx", action="store_true", help="approximate percentiles (the bound is stated)"
    )
    measure.add_argument(
        "--reprice",
        metavar="MODEL",
        help="the student's cost per 1k: the teacher's logged calls at MODEL's list prices",
    )
    measure.add_argument(
        "--output-factor",
        type=float,
        metavar="F",
        help="with --reprice: the student's outputs are F times the teacher's length (1)",
    )
    measure.add_argument(
        "--include-failed",
        action="store_true",
        help="cost per 1k, tokens and P95 over every call, failed ones included (default: "
        "over successful calls, the failed ones' figures beside them)",
    )
    measure.add_argument(
        "--engine", choices=("duckdb", "spark"), default="duckdb", help="where to aggregate"
    )
    measure.add_argument(
        "--memory-limit", default="2GB", metavar="SIZE", help="DuckDB's memory limit (2GB)"
    )
    measure.set_defaults(handler=_cmd_measure)


def _add_prices_parser(add_command: Callable[..., Any]) -> None:
    """``xl-roi prices``: a model's list prices per million tokens, with their date."""
    prices = add_command(
        "prices", help="a model's input, output and cached-input prices, with their date"
    )
    prices.add_argument(
        "model", nargs="?", metavar="MODEL", help="without it: the providers and their models"
    )
    prices.add_argument("--provider", help="the provider (openai, anthropic, aws, google, …)")
    prices.add_argument(
        "--filter", metavar="TEXT", help="without MODEL: the models whose name contains TEXT"
    )
    prices.add_argument("--json", action="store_true", help="print the prices as JSON")
    prices.set_defaults(handler=_cmd_prices)


def _add_gpu_prices_parser(add_command: Callable[..., Any]) -> None:
    """``xl-roi gpu-prices``: a GPU's price per GPU-hour, with the prices' date."""
    gpus = add_command(
        "gpu-prices", help="a GPU's price per GPU-hour on the main clouds, with the prices' date"
    )
    gpus.add_argument("gpu", nargs="?", metavar="GPU", help="H100, H200, A100, A100-80GB, …")
    gpus.add_argument("--cloud", help="only this cloud (aws, …)")
    gpus.add_argument("--spot", action="store_true", help="spot prices instead of on-demand")
    gpus.add_argument("--json", action="store_true", help="print the prices as JSON")
    gpus.set_defaults(handler=_cmd_gpu_prices)


def _add_capacity_parser(add_command: Callable[..., Any]) -> None:
    """``xl-roi capacity``: calls a second per GPU from serving benchmarks."""
    cap = add_command(
        "capacity",
        help="calls a second per GPU from serving benchmarks: the highest load whose P95 "
        "meets the target",
    )
    cap.add_argument(
        "benchmarks",
        nargs="+",
        metavar="BENCH.json",
        help="vllm bench serve --save-result files, GenAI-Perf/AIPerf profile exports or "
        "LLMPerf summaries, one run (load) each",
    )
    cap.add_argument(
        "--slo-p95-ms",
        type=float,
        metavar="MS",
        help="the P95 end-to-end latency to meet (default: the --update case's teacher_p95_ms)",
    )
    cap.add_argument(
        "--gpus", type=int, metavar="N", help="GPUs the server used, where the files do not say"
    )
    cap.add_argument("--gpu", metavar="GPU", help="also write [student] gpu (H100, L4, …)")
    cap.add_argument("--cloud", help="with --gpu: the cloud (aws, …)")
    cap.add_argument("--spot", action="store_true", help="with --gpu: spot prices")
    _add_case_file_outputs(cap)
    cap.set_defaults(handler=_cmd_capacity)


def _add_template_parser(add_command: Callable[..., Any]) -> None:
    """``xl-roi template``: write the template workbook."""
    template = add_command("template", help="write the template workbook")
    template.add_argument("-o", "--output", metavar="PATH", default="workbook_template.xlsx")
    template.add_argument("--force", action="store_true", help="replace PATH if it exists")
    template.add_argument("--portable", action="store_true", help=PORTABLE_HELP)
    template.set_defaults(handler=_cmd_template)


_COMMAND_PARSERS: tuple[Callable[[Callable[..., Any]], None], ...] = (
    _add_init_parser,
    _add_pitch_parser,
    _add_sensitivity_parser,
    _add_simulate_parser,
    _add_build_parser,
    _add_deck_parser,
    _add_check_parser,
    _add_freeze_parser,
    _add_screen_parser,
    _add_measure_parser,
    _add_prices_parser,
    _add_gpu_prices_parser,
    _add_capacity_parser,
    _add_template_parser,
)
"""Each sub-command's parser, in the order ``xl-roi --help`` lists them."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Examples
    --------
    >>> main(["pitch", "--json"]) == 0  # doctest: +ELLIPSIS
    {...
    True
    """
    words = sys.argv[1:] if argv is None else list(argv)
    command = next((word for word in words if not word.startswith("-")), None)
    parser = build_parser(only=command if command in COMMANDS else None)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_ERROR if exit_.code not in (0, None) else EXIT_OK
    handler: Callable[[argparse.Namespace], int] = args.handler
    with _stoppable() as codes:
        codes.append(_run(handler, args))
    return codes[-1]


WRITES_WITH_OPENPYXL = frozenset({"build", "template", "screen"})
"""Commands whose workbook writer leaves temporary files: they get a folder of their own."""


def _run(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    try:
        if args.command in WRITES_WITH_OPENPYXL:
            with private_temporary_folder():
                return handler(args)
        return handler(args)
    except UncalculatedWorkbookError as error:  # a finding about the file, not bad input
        print(f"xl-roi: {error}", file=sys.stderr)
        return EXIT_FINDINGS
    except (InputError, OverwriteRefusedError, CommandError) as error:
        print(f"xl-roi: error: {printable(str(error))}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # the reader stopped reading (`| head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FINDINGS
    except OSError as error:
        if _RECEIVED:  # the stop, turned into an error by a library on its way out
            return _stopped(_RECEIVED[0])
        where = f"{error.filename}: " if error.filename else ""
        print(f"xl-roi: error: {where}{error.strerror or error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return _stopped(signal.SIGINT)
    except Stopped as stop:
        return _stopped(stop.signum)
    except Exception as error:  # a bug: say so plainly; XL_ROI_DEBUG=1 shows the traceback
        if _RECEIVED:  # the stop, turned into an error by a library on its way out
            return _stopped(_RECEIVED[0])
        if os.environ.get("XL_ROI_DEBUG"):
            raise
        print(
            f"xl-roi: unexpected error ({type(error).__name__}: {error}); this is a bug in "
            "xl-roi: please report it (XL_ROI_DEBUG=1 shows the details)",
            file=sys.stderr,
        )
        return EXIT_ERROR


def _stopped(signum: int) -> int:
    """Asked to stop by ``signum``: every temporary file removed, one line, exit 128 + n."""
    remove_temporaries()
    if signum == signal.SIGINT:
        print("xl-roi: interrupted (no file left half-written)", file=sys.stderr)
    else:
        name = signal.Signals(signum).name
        print(f"xl-roi: stopped by {name} (no file left half-written)", file=sys.stderr)
    return 128 + signum


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
