"""Tests for xl_roi.text: one policy for showing users' text on a terminal and in a cell."""

import pytest

from xl_roi.text import looks_like_formula, printable


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        "+1",
        "-1",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        " =1",
        "\n=HYPERLINK(1)",
        "\u200b=1",
        "\ufeff+1",
        "\u2060@SUM(1)",
        "\u00a0-1+1",
        "＝HYPERLINK(1)",
        "  ＋1",
        "﹦1",
    ],
)
def test_formula_triggers_are_recognised(text: str) -> None:
    """Every first character a spreadsheet would execute is caught, tab and CR included, also
    after spaces, newlines or invisible characters, and in fullwidth or small forms."""
    assert looks_like_formula(text)


@pytest.mark.parametrize("text", ["", "chat", "1,500", " chat", "\u200bchat", "−1", "a=1"])
def test_ordinary_text_is_not_a_formula(text: str) -> None:
    """Plain names, numbers as text and the empty string are left alone."""
    assert not looks_like_formula(text)


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x9b", "\x0b", "\x0c"])
def test_control_characters_never_survive(char: str) -> None:
    """NUL, BEL, ESC, DEL, the 8-bit CSI and vertical controls are replaced, never echoed."""
    assert char not in printable(f"a{char}b")
    assert printable(f"a{char}b") == "a?b"


def test_tab_newline_and_unicode_are_kept() -> None:
    """Tabs, newlines and non-ASCII letters are text, not escapes."""
    assert printable("Kündigung\tclause\nline") == "Kündigung\tclause\nline"
