"""Text that users typed, made safe to show: on a terminal, and in a spreadsheet cell.

Names of cases, slices and endpoints come from files we did not write. Two things must never
happen to them: a terminal escape (ESC, BEL, …) reaching the screen, and text that a spreadsheet
would execute (``=HYPERLINK(…)``) being stored as a formula. Every layer uses these helpers, so
there is one policy.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

__all__ = [
    "FORMULA_TRIGGERS",
    "NEVER",
    "NEVER_PAYS_BACK",
    "NO_VOLUME_PAYS_BACK",
    "closest_names",
    "figure_cell",
    "looks_like_formula",
    "printable",
]

NEVER = "never"
"""A payback (or any month count) that never comes, as a table or a cell shows it."""

NEVER_PAYS_BACK = "#NUM! never pays back: "
"""How a cell (a worksheet function, the workbook's own formula) starts a payback that never
comes; the reason follows."""

NO_VOLUME_PAYS_BACK = "#NUM! no volume pays back: "
"""How a cell starts a break-even volume that does not exist; the reason follows."""

#: First characters that make a spreadsheet read a typed value as a formula (Excel, LibreOffice
#: and Google Sheets alike): ``=``, ``+``, ``-``, ``@``, and tab or carriage return before them.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# What may stand before a formula's first character and still be passed over: white space
# (space, tab, newline, no-break and ideographic spaces) and the invisible format characters
# (zero-width space and joiners, direction marks, word joiner, byte-order mark, soft hyphen).
_PASSED_OVER = re.compile(r"[\s\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]*")

# C0 controls but tab and newline, DEL, and C1 controls (which include the 8-bit CSI).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet might execute ``text`` typed into a cell, now or once edited.

    A formula's first character (``=``, ``+``, ``-``, ``@``) counts also after white space,
    newlines and invisible characters (a zero-width space, a byte-order mark), and in its
    fullwidth or small forms (``＝``, which a Japanese keyboard types, becomes ``=``).

    Examples
    --------
    >>> looks_like_formula("=1+1"), looks_like_formula("-5 %"), looks_like_formula("chat")
    (True, True, False)
    >>> looks_like_formula("\\u200b=1"), looks_like_formula(" \\n＝1"), looks_like_formula(" chat")
    (True, True, False)
    """
    if text[:1] in FORMULA_TRIGGERS:
        return True
    rest = text[_PASSED_OVER.match(text).end() :]  # type: ignore[union-attr]
    return unicodedata.normalize("NFKC", rest[:1])[:1] in FORMULA_TRIGGERS[:4]


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


def figure_cell(value: Any, blank: Any = "") -> Any:
    """A figure as a table cell shows it: an infinity ``"never"``, NaN ``blank``, else itself.

    Examples
    --------
    >>> figure_cell(float("inf")), figure_cell(float("nan")), figure_cell(float("nan"), None)
    ('never', '', None)
    >>> figure_cell(2.5), figure_cell("chat")
    (2.5, 'chat')
    """
    if isinstance(value, float):
        if math.isinf(value):
            return NEVER
        if math.isnan(value):
            return blank
    return value


def closest_names(name: str, known: Iterable[str], count: int = 3) -> list[str]:
    """The known names most like ``name`` (at most ``count``, most alike first), for a
    "did you mean" in a message; ignores case, and finds a known name that contains it.

    Examples
    --------
    >>> closest_names("opnai", ["anthropic", "openai", "google"])
    ['openai']
    >>> closest_names("h100", ["H100", "H200", "A100"])
    ['H100', 'H200', 'A100']
    """
    import difflib

    by_lower: dict[str, str] = {}
    for item in known:
        by_lower.setdefault(str(item).lower(), str(item))
    wanted = str(name).strip().lower()
    found = difflib.get_close_matches(wanted, list(by_lower), n=count, cutoff=0.6)
    found += [lower for lower in by_lower if wanted and wanted in lower and lower not in found]
    return [by_lower[lower] for lower in found[:count]]
