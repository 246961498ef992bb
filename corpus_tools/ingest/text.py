"""The documented text normalisation applied to every seed line, and nothing else."""

from __future__ import annotations

BOM = "\ufeff"
# Whitespace other than the space and the line breaks that split lines (tabs, non-breaking,
# thin and figure spaces...): str.isspace(), which is also what str.split() splits on.
# A test checks this list against str.isspace() over all of Unicode.
ODD_SPACES = (
    "\t\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def normalise(text: str) -> list[str]:
    """Split decoded seed text into normalised lines (index 0 is line 1).

    The only changes: a leading byte-order mark is dropped, CRLF and CR become LF, every run
    of Unicode whitespace inside a line (non-breaking spaces included) becomes one space, and
    leading and trailing whitespace is stripped. Words and punctuation are never touched.
    """
    if text.startswith(BOM):
        text = text[1:]
    if "\r" in text:  # one scan instead of two when, as usual, there is none
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Other whitespace becomes a space (str.replace is fast, and only the characters present
    # are replaced); then only the lines with a run of spaces need splitting and joining.
    for space in [c for c in ODD_SPACES if c in text]:
        text = text.replace(space, " ")
    lines = text.split("\n")
    if "  " in text:
        lines = [" ".join(line.split()) if "  " in line else line for line in lines]
    return [line.strip(" ") for line in lines]


def word_count(text: str) -> int:
    """Whitespace-separated tokens, as the schema defines word_count."""
    return len(text.split())
