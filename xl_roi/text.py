"""Text that users typed, made safe to show: on a terminal, and in a spreadsheet cell.

Names of cases, slices and endpoints come from files we did not write. Two things must never
happen to them: a terminal escape (ESC, BEL, …) reaching the screen, and text that a spreadsheet
would execute (``=HYPERLINK(…)``) being stored as a formula. Every layer uses these helpers, so
there is one policy.
"""

from __future__ import annotations

import re

__all__ = ["FORMULA_TRIGGERS", "looks_like_formula", "printable"]

#: First characters that make a spreadsheet read a typed value as a formula (Excel, LibreOffice
#: and Google Sheets alike): ``=``, ``+``, ``-``, ``@``, and tab or carriage return before them.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# C0 controls but tab and newline, DEL, and C1 controls (which include the 8-bit CSI).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would execute ``text`` typed into a cell.

    Examples
    --------
    >>> looks_like_formula("=1+1"), looks_like_formula("-5 %"), looks_like_formula("chat")
    (True, True, False)
    """
    return text[:1] in FORMULA_TRIGGERS


def printable(text: str) -> str:
    """``text`` with control characters (terminal escapes, NUL, BEL) replaced by ``?``.

    Tabs and newlines are kept; everything else below space, DEL and the C1 range is replaced,
    so that printing a user's name can never move the cursor, recolour or retitle a terminal,
    and an xlsx cell (which cannot hold them) can take it.

    Examples
    --------
    >>> printable("chat\\x1b[2J\\x07 bot")
    'chat?[2J? bot'
    >>> printable("plain name")
    'plain name'
    """
    return _CONTROL.sub("?", text)
