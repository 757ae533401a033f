"""The ``xl-roi`` command: the business case for distillation from the terminal.

Every command takes a case file (TOML) or, without one, the built-in example. Errors print a
message and exit 2; nothing prints a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from xl_roi._version import __version__
from xl_roi.case import Case, evaluate
from xl_roi.casefile import example_case, example_case_text, load_case
from xl_roi.errors import InputError
from xl_roi.files import OverwriteRefusedError, write_atomic
from xl_roi.pitch import pitch
from xl_roi.roi import BREAKEVEN_DEFINITION

__all__ = ["main"]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


class CommandError(Exception):
    """A failure the user can fix; printed as a message, exit 2."""


def _case(path: str | None) -> Case:
    return _case_and_swing(path)[0]


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
    return load_case(path), 0.5


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, allow_nan=False, ensure_ascii=False))


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


_BREAKS_WHEN = {
    "Monthly volume": "below",
    "Teacher cost per 1k": "below",
    "Student cost per 1k": "above",
    "GPU hourly cost": "above",
    "Target utilisation": "below",
    "Upfront cost": "above",
    "Annual maintenance": "above",
    "Monthly growth": "below",
}


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


def _percent(share: float) -> str:
    """A share as a percentage that never rounds a near-certainty to certainty."""
    if 0.0 < share < 0.001:
        return "<0.1%"
    if 0.999 < share < 1.0:
        return ">99.9%"
    return f"{share:.1%}"


def _bar(swing: float, widest: float, width: int = 24) -> str:
    if widest <= 0:
        return ""
    if math.isinf(swing):
        return "█" * width + "▶"
    if math.isinf(widest):
        return "█" * max(1, round(width * 0.1)) if swing > 0 else ""
    return "█" * round(width * swing / widest)


def _json_value(value: Any) -> Any:
    """A cell of a table as JSON holds it: NaN and infinity as null, numpy scalars as Python."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    return value


def _stream_json_rows(table: Any) -> None:
    """Print a table as a JSON array one row at a time: a ten-million-row portfolio never
    becomes ten million dicts in memory at once."""
    columns = [str(column) for column in table.columns]
    out = sys.stdout
    out.write("[")
    for index, row in enumerate(table.itertuples(index=False, name=None)):
        record = {column: _json_value(value) for column, value in zip(columns, row, strict=True)}
        out.write(
            ("\n  " if index == 0 else ",\n  ")
            + json.dumps(record, allow_nan=False, ensure_ascii=False)
        )
    out.write("\n]\n" if len(table) else "]\n")


def _records(table: Any) -> list[dict[str, Any]]:
    return [
        {str(key): _json_value(value) for key, value in row.items()}
        for row in table.to_dict(orient="records")
    ]


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    from xl_roi.sensitivity import sensitivity

    case = _case(args.case)
    result = evaluate(case)
    table = sensitivity(case, swing=args.swing, target_months=args.target)
    target = case.target_payback_months if args.target is None else args.target
    volume_rows = table[table.assumption == "Monthly volume"]
    breakeven = float(volume_rows.breakeven_payback.item())
    breakeven = math.inf if math.isnan(breakeven) else breakeven
    if args.json:
        _print_json(
            {
                "case": case.name,
                "swing": args.swing,
                "target_months": target,
                "base": {
                    "payback_months": _finite_or_none(result.payback_months),
                    "payback_after_maintenance_months": _finite_or_none(
                        result.payback_after_maintenance_months
                    ),
                    "annual_net_benefit": result.annual_net_benefit,
                },
                "breakeven_monthly_calls": _finite_or_none(breakeven),
                "breakeven_definition": BREAKEVEN_DEFINITION,
                "rows": _records(table),
            }
        )
        return EXIT_OK
    currency = case.currency
    print(f"Sensitivity: {case.name} — each assumption ±{args.swing:.0%}, one at a time")
    print(
        f"Base: payback {_months(result.payback_months)} months "
        f"({_months(result.payback_after_maintenance_months)} after maintenance), annual net "
        f"benefit {currency} {result.annual_net_benefit:,.0f}\n"
    )
    records: list[dict[str, Any]] = [
        {str(key): value for key, value in row.items()} for row in table.to_dict(orient="records")
    ]
    rows = [row for row in records if row["kind"] == "assumption"]
    widest = max([float(row["payback_swing"]) for row in rows], default=0.0)
    header = (
        f"{'Assumption':<22} {'low':>12} {'high':>12}  {'payback (months)':>16}  "
        f"{'annual net benefit':>27}  swing"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        payback = f"{_months(row['payback_low'])} … {_months(row['payback_high'])}"
        net = f"{row['net_low']:,.0f} … {row['net_high']:,.0f}"
        print(
            f"{row['assumption']:<22} {_number(row['low']):>12} {_number(row['high']):>12}  "
            f"{payback:>16}  {net:>27}  {_bar(row['payback_swing'], widest)}"
        )
    print("\nScenarios")
    for row in records:
        if row["kind"] == "scenario":
            print(
                f"  {row['assumption']:<32} payback {_months(row['payback_low']):>6} months, "
                f"annual net benefit {currency} {row['net_low']:,.0f}"
            )
    print(f"\nWhere the case breaks (payback beyond {target:g} months; net benefit ≤ 0)")
    for row in rows:
        side = _BREAKS_WHEN[row["assumption"]]
        payback, net = (
            "not on its own" if math.isnan(row[key]) else f"{side} {_number(row[key])}"
            for key in ("breakeven_payback", "breakeven_net")
        )
        print(f"  {row['assumption']:<22} payback: {payback:<22} net benefit: {net}")
    if math.isfinite(breakeven):
        print(f"\nBreak-even volume {breakeven:,.0f} calls a month: {BREAKEVEN_DEFINITION}.")
    return EXIT_OK


def _cmd_simulate(args: argparse.Namespace) -> int:
    from xl_roi.simulation import simulate

    case = _case(args.case)
    result = simulate(case, draws=args.draws, seed=args.seed, swing=args.swing)
    if args.json:
        _print_json(result.to_dict())
        return EXIT_OK
    currency = case.currency
    print(f"Monte Carlo: {case.name} — {result.draws:,} draws, seed {result.seed}")
    print("Inputs drawn from triangular (low, likely, high):")
    for name, (low, likely, high) in result.ranges.items():
        print(f"  {name:<22} {_number(low):>12} {_number(likely):>12} {_number(high):>12}")
    print()
    print(f"P(payback ≤ 3 months)        {_percent(result.p_payback_within_3_months):>7}")
    print(f"P(payback ≤ 12 months)       {_percent(result.p_payback_within_12_months):>7}")
    print(
        f"P(payback ≤ target {result.target_months:g} months) "
        f"{_percent(result.p_payback_within_target):>6}"
    )
    print(f"P(annual net benefit > 0)    {_percent(result.p_net_benefit_positive):>7}")
    print(
        f"Payback (months)   P10 {_months(result.payback_p10):>8}  "
        f"P50 {_months(result.payback_p50):>8}  P90 {_months(result.payback_p90):>8}"
    )
    print(
        f"Annual net benefit P10 {currency} {result.net_benefit_p10:,.0f}  "
        f"P50 {currency} {result.net_benefit_p50:,.0f}  "
        f"P90 {currency} {result.net_benefit_p90:,.0f}"
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
    if args.case is not None and Path(output).resolve() == Path(args.case).resolve():
        raise CommandError(f"{output}: give another output; the input workbook is never replaced")
    save_workbook(case, output, force=args.force, swing=swing if args.swing is None else args.swing)
    print(pitch(evaluate(case)), end="")
    print(f"\nwrote {output}: every formula's result is stored; `xl-roi check {output}` checks it")
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    from xl_roi.workbook.check import check_workbook

    report = check_workbook(args.file)
    if args.json:
        _print_json(
            {
                "file": str(report.path),
                "clean": report.clean,
                "checked_cells": report.checked_cells,
                "findings": [
                    {"kind": f.kind, "where": f.where, "message": f.message}
                    for f in report.findings
                ],
            }
        )
    elif report.clean:
        print(
            f"{args.file}: clean — {report.checked_cells} results agree with the core, "
            "no formula overwritten, every input in range"
        )
    else:
        print(f"{args.file}: {len(report.findings)} finding(s)")
        for finding in report.findings:
            print(f"  {finding}")
    return EXIT_OK if report.clean else EXIT_FINDINGS


def _cmd_freeze(args: argparse.Namespace) -> int:
    from xl_roi.workbook.freeze import freeze_workbook

    target = freeze_workbook(args.file, args.output, force=args.force)
    print(f"wrote {target}: values only, no formulas (for readers without the functions)")
    return EXIT_OK


def _cmd_template(args: argparse.Namespace) -> int:
    from xl_roi.workbook.build import save_workbook

    save_workbook(example_case(), args.output, force=args.force)
    print(f"wrote {args.output}: the template, holding the built-in example")
    return EXIT_OK


SCREEN_CHUNK_ROWS = 250_000
"""Rows of a CSV screened at a time: memory stays flat however large the file."""

LARGE_INPUT_BYTES = 20_000_000
"""Files larger than this report their progress on stderr."""


def _read_endpoints(path: Path) -> Any:
    """Screen a CSV chunk by chunk, or an Excel sheet whole; report progress on large files."""
    import pandas as pd

    from xl_roi.portfolio import rank, rank_chunks, screen_unranked

    suffix = path.suffix.lower()
    if not path.exists():
        raise CommandError(f"{path}: no such file")
    if suffix in (".xlsx", ".xlsm"):
        from xl_roi.workbook.read import check_archive

        check_archive(path)
        try:
            frame = pd.read_excel(path, sheet_name=0)
        except Exception as error:  # pandas and openpyxl raise many kinds on bad files
            raise CommandError(f"{path}: cannot be read as a workbook ({error})") from None
        return rank(screen_unranked(frame))
    if suffix not in (".csv", ".txt"):
        raise CommandError(f"{path}: give a .csv or .xlsx file of endpoints")
    large = path.stat().st_size > LARGE_INPUT_BYTES
    screened = 0

    def chunks() -> Any:
        nonlocal screened
        reader = pd.read_csv(path, chunksize=SCREEN_CHUNK_ROWS, low_memory=False)
        for chunk in reader:
            yield screen_unranked(chunk, first_number=screened + 1)
            screened += len(chunk)
            if large:
                print(f"screened {screened:,} endpoints…", file=sys.stderr, flush=True)

    try:
        table = rank_chunks(chunks())
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as error:
        raise CommandError(f"{path}: cannot be read as CSV ({error})") from None
    except ValueError:  # no chunk at all: nothing to join
        if screened == 0:
            raise CommandError(f"{path}: no endpoints in the file") from None
        raise
    return table


def _cmd_screen(args: argparse.Namespace) -> int:
    from xl_roi.casefile import sample_endpoints_path
    from xl_roi.portfolio import summarise

    source = Path(args.endpoints) if args.endpoints else sample_endpoints_path()
    table = _read_endpoints(source)
    if args.json:
        _stream_json_rows(table)
        return EXIT_OK
    from xl_roi.workbook.portfolio_book import write_portfolio

    output = args.output or "portfolio.xlsx"

    def progress(rows: int) -> None:
        print(f"wrote {rows:,} rows…", file=sys.stderr, flush=True)

    write_portfolio(table, output, force=args.force, progress=progress)
    summary = summarise(table)
    print(
        f"{summary.endpoints:,} endpoints screened ({summary.refused:,} refused): "
        + ", ".join(f"{count:,} {label}" for label, count in summary.by_verdict.items())
    )
    print(
        f"worth doing: {summary.worth_doing:,}, saving {summary.annual_savings_worth_doing:,.0f} "
        f"a year for {summary.upfront_worth_doing:,.0f} upfront"
    )
    for record in table.head(10).itertuples():
        payback = (
            "never"
            if math.isinf(record.payback_months)
            else (
                "—" if math.isnan(record.payback_months) else f"{record.payback_months:.1f} months"
            )
        )
        verdict = record.verdict if isinstance(record.verdict, str) else f"error: {record.error}"
        print(f"  {record.rank:>3}. {record.name:<32} {verdict:<16} {payback}")
    print(f"wrote {output}")
    return EXIT_OK


def _add_case_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "case",
        nargs="?",
        metavar="CASE.toml",
        help="case file, or a filled-in template workbook (default: the built-in example)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one sub-command per job."""
    parser = argparse.ArgumentParser(
        prog="xl-roi",
        description="Build, check and defend the business case for model distillation.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    init = commands.add_parser("init", help="write a commented example case file to edit")
    init.add_argument("path", nargs="?", default="case.toml", metavar="PATH")
    init.add_argument("--force", action="store_true", help="replace PATH if it exists")
    init.set_defaults(handler=_cmd_init)

    pitch_parser = commands.add_parser("pitch", help="print the decision-maker's pitch")
    _add_case_argument(pitch_parser)
    pitch_parser.add_argument("--json", action="store_true", help="print every figure as JSON")
    pitch_parser.set_defaults(handler=_cmd_pitch)

    sens = commands.add_parser(
        "sensitivity", help="which assumption breaks the case: tornado, scenarios, break-evens"
    )
    _add_case_argument(sens)
    sens.add_argument("--swing", type=float, default=0.5, help="move each assumption ± this share")
    sens.add_argument("--target", type=float, default=None, help="payback target in months")
    sens.add_argument("--json", action="store_true", help="print the table as JSON")
    sens.set_defaults(handler=_cmd_sensitivity)

    sim = commands.add_parser("simulate", help="Monte Carlo: how likely it is to pay back")
    _add_case_argument(sim)
    sim.add_argument("--draws", type=int, default=100_000, help="number of draws (100,000)")
    sim.add_argument("--seed", type=int, default=0, help="random seed (0)")
    sim.add_argument("--swing", type=float, default=0.5, help="spread of the default ranges")
    sim.add_argument("--json", action="store_true", help="print the result as JSON")
    sim.set_defaults(handler=_cmd_simulate)

    build = commands.add_parser(
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
    build.add_argument(
        "--swing",
        type=float,
        default=None,
        help="the Sensitivity sheet's swing (default 0.5, or the input workbook's)",
    )
    build.set_defaults(handler=_cmd_build)

    check = commands.add_parser(
        "check", help="recompute a workbook's figures and report every disagreement"
    )
    check.add_argument("file", metavar="FILE.xlsx")
    check.add_argument("--json", action="store_true", help="print the findings as JSON")
    check.set_defaults(handler=_cmd_check)

    freeze = commands.add_parser("freeze", help="write a values-only copy of a workbook")
    freeze.add_argument("file", metavar="FILE.xlsx")
    freeze.add_argument("-o", "--output", metavar="OUT.xlsx", required=True)
    freeze.add_argument("--force", action="store_true", help="replace OUT.xlsx if it exists")
    freeze.set_defaults(handler=_cmd_freeze)

    screen = commands.add_parser(
        "screen", help="screen many endpoints: which to distill, best first"
    )
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
    screen.set_defaults(handler=_cmd_screen)

    template = commands.add_parser("template", help="write the template workbook")
    template.add_argument("-o", "--output", metavar="PATH", default="workbook_template.xlsx")
    template.add_argument("--force", action="store_true", help="replace PATH if it exists")
    template.set_defaults(handler=_cmd_template)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Examples
    --------
    >>> main(["pitch", "--json"]) == 0  # doctest: +ELLIPSIS
    {...
    True
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_ERROR if exit_.code not in (0, None) else EXIT_OK
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except (InputError, OverwriteRefusedError, CommandError) as error:
        print(f"xl-roi: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # the reader stopped reading (`| head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FINDINGS
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        print(f"xl-roi: error: {where}{error.strerror or error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("xl-roi: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # a bug: say so plainly; XL_ROI_DEBUG=1 shows the traceback
        if os.environ.get("XL_ROI_DEBUG"):
            raise
        print(
            f"xl-roi: unexpected error ({type(error).__name__}: {error}); this is a bug in "
            "xl-roi: please report it (XL_ROI_DEBUG=1 shows the details)",
            file=sys.stderr,
        )
        return EXIT_ERROR


def _finite_or_none(value: float) -> float | None:
    return None if math.isinf(value) or math.isnan(value) else value


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
