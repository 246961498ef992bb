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


# Searching a str for a character uses memchr on the character's low byte, unless that byte
# is zero: U+2000 and U+3000 make the search walk the whole text (7 µs for an article each). In
# UTF-8, U+3000 starts with the byte 0xE3, which English text hardly ever holds.
_WIDE = "\u3000"
_WIDE_LEAD, _WIDE_UTF8 = b"\xe3", _WIDE.encode("utf-8")


def normalise(text: str, source: bytes | None = None) -> list[str]:
    """Split decoded seed text into normalised lines (index 0 is line 1).

    The only changes: a leading byte-order mark is dropped, CRLF and CR become LF, every run
    of Unicode whitespace inside a line (non-breaking spaces included) becomes one space, and
    leading and trailing whitespace is stripped. Words and punctuation are never touched.
    ``source``: the UTF-8 bytes ``text`` was decoded from, when the caller has them (some
    characters are looked for faster there).
    """
    if text.startswith(BOM):
        text = text[1:]
    if "\r" in text:  # one scan instead of two when, as usual, there is none
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Other whitespace becomes a space (str.replace is fast, and only the characters present
    # are replaced); then only the lines with a run of spaces need splitting and joining.
    present = [c for c in ODD_SPACES if c in text] if source is None else _odd_spaces(text, source)
    for space in present:
        text = text.replace(space, " ")
    lines = text.split("\n")
    if "  " in text:
        lines = [" ".join(line.split()) if "  " in line else line for line in lines]
    return [line.strip(" ") for line in lines]


def _odd_spaces(text: str, source: bytes) -> list[str]:
    """The odd spaces in ``text``, looked for in its UTF-8 ``source`` where that is faster."""
    found = [c for c in ODD_SPACES if c != _WIDE and c in text]
    if _WIDE_LEAD in source and _WIDE_UTF8 in source:
        found.append(_WIDE)
    return found


def word_count(text: str) -> int:
    """Whitespace-separated tokens, as the schema defines word_count."""
    return len(text.split())
