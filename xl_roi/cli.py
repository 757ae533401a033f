"""The ``xl-roi`` command: the business case for distillation from the terminal.

Every command takes a case file (TOML) or, without one, the built-in example. Errors print a
message and exit 2; nothing prints a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from typing import Any

from xl_roi._version import __version__
from xl_roi.case import Case, evaluate
from xl_roi.casefile import example_case, example_case_text, load_case
from xl_roi.errors import InputError
from xl_roi.files import OverwriteRefusedError, write_atomic
from xl_roi.pitch import pitch

__all__ = ["main"]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


class CommandError(Exception):
    """A failure the user can fix; printed as a message, exit 2."""


def _case(path: str | None) -> Case:
    return example_case() if path is None else load_case(path)


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


def _add_case_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "case", nargs="?", metavar="CASE.toml", help="case file (default: the built-in example)"
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

    for register in _EXTRA_COMMANDS:
        register(commands)
    return parser


_EXTRA_COMMANDS: list[Callable[[Any], None]] = []


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
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        print(f"xl-roi: error: {where}{error.strerror or error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("xl-roi: interrupted", file=sys.stderr)
        return 130


def _finite_or_none(value: float) -> float | None:
    return None if math.isinf(value) or math.isnan(value) else value


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
