"""Cheap tests that spare a regex scan: a literal that every match contains, and line anchors.

Python's ``re`` scans a text one position at a time unless the pattern starts with a literal.
Profiles are full of ``(?m)^...`` and ``(?i)...`` patterns, so detection and line rules first
ask a ``Probe``: a substring test (on the lowered text for case-insensitive patterns) rules out
most texts, and a pattern anchored at line starts is searched as ``\\n...`` in ``"\\n" + text``,
which ``re`` finds by its first character. The answers are exactly the regex's own.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from corpus_tools.compiled import rebuilt

# The only non-ASCII characters that match an ASCII letter under IGNORECASE (the dotted and
# dotless i, the long s, the Kelvin sign): with none of them in a text, a case-insensitive
# match of an ASCII literal is made of ASCII letters, which bytes.lower() folds.
_FOLD_EXCEPTIONS = ("İ", "ı", "ſ", "\u212a")
# Global inline flags followed by a line-start anchor: ``(?m)^``, ``(?mi)^``...
_GLOBAL_FLAGS = re.compile(r"^\(\?(?P<flags>[aiLmsux]+)\)")
_FLAG_LETTERS = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"))
_NAMED_GROUP = re.compile(r"(?<!\\)\(\?P<[A-Za-z_][A-Za-z0-9_]*>")
_BACKREF = re.compile(r"\\[1-9]")
# Python's own regex parser and its opcodes (private modules: every use has a fallback).
try:
    from re import _constants as _re  # type: ignore[attr-defined]
    from re import _parser as _re_parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - a Python whose re is laid out otherwise
    _re = _re_parser = None

_LINE_START = re.compile(r"^\((?P<flags>\?[aiLmsux]*m[aiLmsux]*)\)\^")


@dataclass(frozen=True)
class Leaders:
    """Literals that line-start probes look for, indexed by their first ``width`` characters:
    most lines are ruled out by one dictionary lookup."""

    literals: frozenset[str]
    width: int
    by_head: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, literals: Iterable[str]) -> Leaders:
        """The index of ``literals`` (only single-line ones: lines are compared one by one)."""
        found = sorted({lit for lit in literals if lit and "\n" not in lit})
        width = min((len(lit) for lit in found), default=1)
        by_head: dict[str, tuple[str, ...]] = {}
        for lit in found:
            by_head[lit[:width]] = (*by_head.get(lit[:width], ()), lit)
        return cls(frozenset(found), width, by_head)

    def starting(self, lines: Iterable[str]) -> set[str]:
        """The literals that some line starts with."""
        width, by_head = self.width, self.by_head
        found: set[str] = set()
        for line in lines:
            candidates = by_head.get(line[:width])
            if candidates is not None:
                found.update([lit for lit in candidates if line.startswith(lit)])
        return found

    def __reduce__(self) -> tuple[Any, ...]:
        return rebuilt(self)  # a compiled frozen class pickles only through its constructor


@dataclass
class TextView:
    """One text with the derived forms that probes ask for, each computed at most once.

    ``leaders``: the literals that line-start probes will ask about (``led``); ``lines``: the
    text split at its newlines, when the caller has them already; ``source``: the UTF-8 bytes
    that the text was normalised from (``ingest.text.normalise``, which changes whitespace
    only), when the caller has them.
    """

    text: str
    leaders: Leaders | None = None
    lines: list[str] | None = field(default=None, repr=False)
    source: bytes | None = field(default=None, repr=False)
    _lowered: bytes | None = field(default=None, repr=False)
    _foldable: bool | None = field(default=None, repr=False)
    _source_lowered: bytes | None = field(default=None, repr=False)
    _lines: str | None = field(default=None, repr=False)
    _led: set[str] | None = field(default=None, repr=False)

    def led(self, literal: str) -> bool | None:
        """Whether a line of the text starts with ``literal``; None when the literal is not
        one of the view's leaders. All leaders are looked for in one pass over the lines:
        cheaper than a scan of the whole text for each."""
        if self.leaders is None or literal not in self.leaders.literals:
            return None
        if self._led is None:
            lines = self.lines if self.lines is not None else self.text.split("\n")
            self._led = self.leaders.starting(lines)
        return literal in self._led

    def foldable(self) -> bool:
        """Whether ASCII lower-casing can rule a case-insensitive match of an ASCII literal
        out (see ``_FOLD_EXCEPTIONS``)."""
        if self._foldable is None:
            text = self.text
            self._foldable = text.isascii() or not any(c in text for c in _FOLD_EXCEPTIONS)
        return self._foldable

    def lowered(self) -> bytes | None:
        """The text as UTF-8 with ASCII letters lower-cased (much faster than str.lower()), or
        None when folding cannot rule a case-insensitive match out."""
        if self._lowered is None and self.foldable():
            self._lowered = self.text.encode("utf-8", "surrogatepass").lower()
        return self._lowered

    def source_lowered(self) -> bytes | None:
        """``source`` with ASCII letters lower-cased, or None (no source, or folding cannot
        rule a match out: the source holds the text's characters, whitespace aside)."""
        if self._source_lowered is None and self.source is not None and self.foldable():
            self._source_lowered = self.source.lower()
        return self._source_lowered

    def with_newline(self) -> str:
        """The text after a newline, so that every line start follows a ``\\n``."""
        if self._lines is None:
            self._lines = "\n" + self.text
        return self._lines


@dataclass(frozen=True)
class Probe:
    """A compiled pattern with the cheap tests that can rule it out before it runs."""

    pattern: re.Pattern[str]
    literal: str | None = None  # every match contains it
    folded: bool = False  # the pattern ignores case: the literal is looked for lower-cased
    _folded_literal: bytes = field(default=b"", repr=False)
    # The pattern rewritten to search ``"\n" + text`` (same matches), or None.
    line_start: re.Pattern[str] | None = None
    # Every match begins with the (case-sensitive) literal, right after the line start: no
    # match starts before the literal's first occurrence, where the search may then begin.
    leads: bool = False
    # The literal's whitespace-free pieces as UTF-8 (lower-cased when folded), to look for
    # in a view's source bytes; empty when the source cannot be trusted to answer.
    _pieces: tuple[bytes, ...] = field(default=(), repr=False)
    _whole: bool = field(default=False, repr=False)  # the one piece is the whole literal

    @classmethod
    def of(cls, pattern: re.Pattern[str]) -> Probe:
        """Work out the cheap tests for ``pattern`` (none when it is too unusual to analyse)."""
        literal = required_literal(pattern)
        folded = bool(pattern.flags & re.IGNORECASE)
        if literal is not None and folded and not literal.isascii():
            literal = None  # non-ASCII case folding is beyond this cheap test
        lowered = literal.lower().encode("ascii") if literal is not None and folded else b""
        line_start = _line_start(pattern)
        leads = (
            line_start is not None
            and literal is not None
            and not folded
            and _leading_literal(pattern) == literal
        )
        pieces: tuple[bytes, ...] = ()
        whole = False
        # Only a leading byte-order mark is dropped by normalising: a literal with one is
        # looked for in the text alone. Unfolded literals with whitespace gain nothing from
        # the source: the text itself is as cheap to search.
        if literal is not None and "\ufeff" not in literal:
            words = literal.split()
            whole = words == [literal]
            if folded or whole:
                pieces = tuple((w.lower() if folded else w).encode("utf-8") for w in words)
        return cls(pattern, literal, folded, lowered, line_start, leads, pieces, whole)

    @property
    def cost(self) -> int:
        """A rough rank of what a search usually costs, cheapest first: a lookup among the
        lines' starts; a substring test that rules most texts out (a literal of 5 characters
        or more); one on the lowered text (which every text needs once); a short literal,
        found in most texts, so that the regex runs after it; a regex scan of the text."""
        if self.leads:
            return 0
        if self.literal is None:
            return 4
        if self.folded:
            return 2
        return 1 if len(self.literal) >= 5 else 3

    def possible(self, text: str, lowered: bytes | None) -> bool:
        """False only when no match can exist: the required literal is absent."""
        if self.literal is None:
            return True
        if self.folded:
            return lowered is None or self._folded_literal in lowered
        return self.literal in text

    def present(self, view: TextView) -> bool:
        """``possible`` for a view: False only when the required literal is absent.

        With the view's source bytes, most answers come from them without the lowered text
        (which would cost an encoding of the whole text): normalising changes whitespace only,
        so each whitespace-free piece of the literal is in the source if it is in the text,
        and a literal without whitespace is in the text exactly when it is in the source.
        """
        if self.literal is None:
            return True
        if self._pieces and view.source is not None:
            haystack = view.source_lowered() if self.folded else view.source
            if haystack is not None:
                if self._whole:
                    return self._pieces[0] in haystack
                for piece in self._pieces:
                    if piece not in haystack:
                        return False
        return self.possible(view.text, view.lowered() if self.folded else None)

    def search(self, view: TextView) -> bool:
        """Whether the pattern occurs anywhere in the text (``pattern.search``)."""
        if self.leads:
            assert self.literal is not None and self.line_start is not None
            if view.led(self.literal) is False:  # no line starts with it: no match
                return False
            # In "\n" + text, the newline before text[at] stands at index at.
            at = view.text.find(self.literal)
            return at >= 0 and self.line_start.search(view.with_newline(), at) is not None
        if not self.present(view):
            return False
        if self.line_start is not None:
            return self.line_start.search(view.with_newline()) is not None
        return self.pattern.search(view.text) is not None

    def __reduce__(self) -> tuple[Any, ...]:
        return rebuilt(self)  # a compiled frozen class pickles only through its constructor


def any_fullmatch(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One pattern that fully matches a line exactly when one of ``patterns`` does.

    Group names are dropped and each pattern keeps its own flags in a scoped group. None when
    a pattern cannot be joined (a back-reference, or flags that cannot be scoped).
    """
    parts = []
    for pattern in patterns:
        source = pattern.pattern
        head = _GLOBAL_FLAGS.match(source)
        if head is not None:
            source = source[head.end() :]
        # Verbose comments could swallow the closing parenthesis; a/L flags cannot be scoped.
        unusual = pattern.flags & (re.VERBOSE | re.ASCII | re.LOCALE)
        if unusual or "(?P=" in source or _BACKREF.search(source):
            return None
        body, renamed = _NAMED_GROUP.subn("(?:", source)
        if renamed != len(pattern.groupindex):  # a "(?P<" that is not a group: leave it be
            return None
        letters = "".join(ch for flag, ch in _FLAG_LETTERS if pattern.flags & flag)
        parts.append(f"(?{letters}:{body})")
    if not parts:
        return None
    try:
        return re.compile("|".join(parts))
    except re.error:
        return None


@functools.cache
def takes_any_line(pattern: re.Pattern[str]) -> bool:
    """Whether ``pattern`` fully matches every non-empty line (without a newline): it is
    ``.+`` or ``.*``, in groups or not, such as a date rule's ``(?P<published>.+)``."""
    items = _parsed(pattern.pattern, pattern.flags)
    # A group's flags can only make "." match more (DOTALL); lines have no newline anyway.
    while items is not None and len(items) == 1 and items[0][0] is _re.SUBPATTERN:
        items = list(items[0][1][-1])
    if items is None or len(items) != 1:
        return False
    op, av = items[0]
    return (
        op in (_re.MAX_REPEAT, _re.MIN_REPEAT)
        and av[0] <= 1
        and av[1] is _re.MAXREPEAT
        and list(av[2]) == [(_re.ANY, None)]
    )


def _line_start(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """``(?m)^REST`` as ``(?m)\\nREST``, when that finds the same texts."""
    source = pattern.pattern
    head = _LINE_START.match(source)
    if head is None:
        return None
    rest = source[head.end() :]
    # \A and lookbehinds would see the added newline; a top-level | would leave the anchor.
    if r"\A" in rest or "(?<" in rest or not _anchored_at_line_start(source, pattern.flags):
        return None
    try:
        return re.compile(f"({head['flags']})\\n{rest}")
    except re.error:
        return None


def _parsed(source: str, flags: int) -> list[tuple[Any, Any]] | None:
    """The pattern's top-level items as Python's own (private) regex parser sees them, or
    None when that parser is not there or fails: callers then skip their shortcut."""
    if _re_parser is None:
        return None
    try:
        return list(_re_parser.parse(source, flags).data)
    except Exception:  # the private parser changed
        return None


def _anchored_at_line_start(source: str, flags: int) -> bool:
    """Whether the whole pattern starts with ``^`` (with a top-level ``|``, it would not)."""
    items = _parsed(source, flags)
    if not items:  # unparsed: assume the worst
        return False
    # The parser writes ^ as AT_BEGINNING; MULTILINE makes it a line start when compiled.
    return items[0][0] is _re.AT and items[0][1] in (_re.AT_BEGINNING, _re.AT_BEGINNING_LINE)


def _leading_literal(pattern: re.Pattern[str]) -> str | None:
    """The literal characters right after the leading ``^`` of a line-start pattern."""
    items = _parsed(pattern.pattern, pattern.flags)
    if not items or items[0][0] is not _re.AT:
        return None
    run = ""
    for op, av in items[1:]:
        if op is not _re.LITERAL:
            break
        run += chr(av)
    return run or None


_ASCII = tuple(chr(code) for code in range(128))
# The ASCII characters of each category that a parsed pattern can name, under either
# meaning (with re.ASCII, \S also takes the separators \x1c-\x1f).
_CATEGORIES = {
    name: frozenset(
        c for c in _ASCII if re.fullmatch(source, c) or re.fullmatch(source, c, re.ASCII)
    )
    for name, source in (
        ("CATEGORY_DIGIT", r"\d"), ("CATEGORY_NOT_DIGIT", r"\D"), ("CATEGORY_SPACE", r"\s"),
        ("CATEGORY_NOT_SPACE", r"\S"), ("CATEGORY_WORD", r"\w"), ("CATEGORY_NOT_WORD", r"\W"),
    )
}  # fmt: skip


def first_chars(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """The ASCII characters that a match of ``pattern`` can begin with; None when any can.

    A superset, worked out from the parsed pattern: a line that begins with another ASCII
    character cannot match, and its rule need not be tried. Where the analysis is unsure (a
    negated set, a back-reference, a non-ASCII character under IGNORECASE, which may fold to
    an ASCII one such as the Kelvin sign to k), it answers None.
    """
    items = _parsed(pattern.pattern, pattern.flags)
    if items is None:
        return None
    found, _ = _first_of(items, pattern.flags)
    return None if found is None else frozenset(found)


def _first_of(items: list[tuple[Any, Any]], flags: int) -> tuple[set[str] | None, bool]:
    """The first characters of a sequence of parsed items (None: any), and whether the
    sequence can match the empty string (then what follows it can begin the match too)."""
    found: set[str] = set()
    for op, av in items:
        first, empty = _first_of_item(op, av, flags)
        if first is None:
            return None, False
        found |= first
        if not empty:
            return found, False
    return found, True


def _first_of_item(op: Any, av: Any, flags: int) -> tuple[set[str] | None, bool]:
    folded = bool(flags & re.IGNORECASE)
    c = _re
    if op is c.LITERAL:
        return _literal(chr(av), folded), False
    if op is c.IN:
        return _in_set(av, folded), False
    if op is c.CATEGORY:
        return _category(av), False
    if op is c.BRANCH:
        found: set[str] = set()
        can_be_empty = False
        for branch in av[1]:
            first, empty = _first_of(list(branch.data), flags)
            if first is None:
                return None, False
            found |= first
            can_be_empty = can_be_empty or empty
        return found, can_be_empty
    if op is c.SUBPATTERN:
        _group, add, remove, sub = av
        return _first_of(list(sub.data), (flags | add) & ~remove)
    if op is getattr(c, "ATOMIC_GROUP", None):
        return _first_of(list(av.data), flags)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
        low, _high, sub = av
        first, empty = _first_of(list(sub.data), flags)
        return first, empty or low == 0
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):  # zero-width: what follows begins the match
        return set(), True
    return None, False  # any character, or beyond this analysis


def _literal(char: str, folded: bool) -> set[str] | None:
    if not folded:
        return {char} if char.isascii() else set()
    if not char.isascii():
        return None
    return {char.lower(), char.upper()}


def _in_set(items: list[tuple[Any, Any]], folded: bool) -> set[str] | None:
    found: set[str] = set()
    for op, av in items:
        if op is _re.LITERAL:
            first = _literal(chr(av), folded)
        elif op is _re.RANGE:
            low, high = av
            if folded and high > 127:
                return None
            first = {
                ch
                for ch in _ASCII
                if any(
                    low <= ord(x) <= high
                    for x in ({ch, ch.lower(), ch.upper()} if folded else {ch})
                )
            }
        elif op is _re.CATEGORY:
            first = _category(av)
        else:  # a negated set, or anything else
            return None
        if first is None:
            return None
        found |= first
    return found


def _category(category: Any) -> set[str] | None:
    members = _CATEGORIES.get(str(category))
    return None if members is None else set(members)


def required_literal(pattern: re.Pattern[str]) -> str | None:
    """The longest run of literal characters that every match of ``pattern`` contains."""
    items = _parsed(pattern.pattern, pattern.flags)
    if items is None:  # no prefilter, same results
        return None
    best = run = ""
    for op, av in items:
        if op is _re.LITERAL:
            run += chr(av)
        else:
            best, run = max(best, run, key=len), ""
    best = max(best, run, key=len)
    return best or None
