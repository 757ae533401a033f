"""The ``xl-roi`` command's entry point: takes Ctrl-C before anything else loads.

Loading the command (the ``xl_roi`` package, then its command line) takes a tenth of a second or
more; Ctrl-C in that time used to end it with a ``KeyboardInterrupt`` traceback and exit −2.
This module loads nothing but :mod:`signal`, so its handler is in place within a few
milliseconds of Python's own start: until the command takes over (:func:`xl_roi.cli.main`
installs its own handlers, which remove temporary files), Ctrl-C ends it at once, with one line
and exit 130, as it would later. Nothing has been written by then.

It lives beside ``xl_roi_udfs`` as a top-level module because importing anything inside the
``xl_roi`` package runs the package's ``__init__`` first.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["main"]


def _interrupted(signum: int, _frame: Any) -> None:
    """Ctrl-C (or SIGTERM, SIGHUP) while the command loads: say so, exit 128 + n at once."""
    name = "interrupted" if signum == signal.SIGINT else f"stopped by {signal.Signals(signum).name}"
    os.write(2, f"xl-roi: {name} (nothing written)\n".encode())
    os._exit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``xl-roi``: Ctrl-C is taken from the first line on; then :func:`xl_roi.cli.main`.

    Examples
    --------
    >>> main(["pitch", "--json"]) == 0  # doctest: +ELLIPSIS
    {...
    True
    """
    previous = {}
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signum = getattr(signal, name)
            if signal.getsignal(signum) is signal.SIG_IGN:
                continue  # ignored by whoever started us (nohup, a background job): keep it so
            try:
                previous[signum] = signal.signal(signum, _interrupted)
            except ValueError:  # not the main thread: leave signals alone
                break
    try:
        from xl_roi.cli import main as run

        return run(argv)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
