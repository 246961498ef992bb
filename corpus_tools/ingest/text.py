"""The documented text normalisation applied to every seed line, and nothing else."""

from __future__ import annotations

import re

# Unicode whitespace except the newline: non-breaking, thin and figure spaces, tabs.
_SPACES = re.compile(r"[^\S\n]+")
BOM = "\ufeff"


def normalise(text: str) -> list[str]:
    """Split decoded seed text into normalised lines (index 0 is line 1).

    The only changes: a leading byte-order mark is dropped, CRLF and CR become LF, every run
    of Unicode whitespace inside a line (non-breaking spaces included) becomes one space, and
    leading and trailing whitespace is stripped. Words and punctuation are never touched.
    """
    if text.startswith(BOM):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [_SPACES.sub(" ", line).strip() for line in text.split("\n")]


def word_count(text: str) -> int:
    """Whitespace-separated tokens, as the schema defines word_count."""
    return len(text.split())
