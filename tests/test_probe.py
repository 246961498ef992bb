"""The fast paths of conversion give exactly the answers of the plain regexes they stand for."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from corpus_tools.convert.probe import (
    Leaders,
    Probe,
    TextView,
    any_fullmatch,
    first_chars,
    required_literal,
    takes_any_line,
)
from corpus_tools.convert.profiles import load_profiles
from corpus_tools.ingest.text import ODD_SPACES, normalise

ROOT = Path(__file__).resolve().parents[1]
PROFILES = load_profiles(ROOT / "profiles")
DETECT = [p for profile in PROFILES for p in profile.detect]
RULES = [r for profile in PROFILES for r in profile.rules]

# Pieces that the patterns care about, mixed with characters that fold oddly under (?i).
_WORDS = st.sampled_from(
    [
        "Press TV",
        "presstv.ir",
        "PRESSTV.IR",
        "prеsstv",  # a Cyrillic e
        "News ID: 42",
        "TEHRAN -",
        "end of message",
        "Tags:",
        "Share",
        "Copyright",
        "All rights reserved",
        "By Jane Doe",
        "January 5, 2024 at 3:04 pm",
        "İ",
        "ı",
        "ſ",
        "K",
        "a",
        " ",
        "\n",
        "\t",
        "\u00a0",
        "–",
        "/",
        "AFP/IRNA",
        "Rasa - ",
        "RNA – ",
        "rahnam International News Agency",
        "Creating new perspectives since 2009",
        "middleeastmonitor.com",
        "tehrantimes.com",
        "Press TV News Roku",
        "News / Iran",
    ]
)
_TEXTS = st.lists(_WORDS, max_size=30).map("".join)


def _reference_normalise(text: str) -> list[str]:
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return [re.sub(r"[^\S\n]+", " ", line).strip() for line in text.split("\n")]


def test_odd_spaces_are_all_of_unicode_whitespace_but_space_and_line_breaks() -> None:
    expected = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()} - set(" \n\r")
    assert set(ODD_SPACES) == expected


@given(st.text(alphabet=st.sampled_from([*ODD_SPACES, " ", "\n", "\r", "\ufeff", "a", "é"])))
def test_normalise_is_the_documented_regex(text: str) -> None:
    assert normalise(text) == _reference_normalise(text)


@given(st.text(alphabet=st.sampled_from([*ODD_SPACES, " ", "\n", "\u3001", "\u2000", "a"])))
def test_normalise_with_the_source_bytes_gives_the_same_lines(text: str) -> None:
    assert normalise(text, text.encode("utf-8")) == _reference_normalise(text)


@settings(max_examples=300)
@given(_TEXTS)
# The literal first inside a line, then at a line start (the search starts at the first).
@example("x News ID: 1\nNews ID: 42")
@example("Rasa\nRasa - talks")
@example("News ID: 42")
def test_detection_probes_answer_as_the_regex_does(text: str) -> None:
    """Whether the view knows the line-start literals (as conversion's does) or not."""
    probes = [Probe.of(pattern) for pattern in DETECT]
    leaders = Leaders.of(p.literal for p in probes if p.leads and p.literal)
    assert leaders.literals  # the line-start shortcut is exercised
    for view in (
        TextView(text),
        TextView(text, leaders),
        TextView(text, leaders, text.split("\n")),
    ):
        for probe in probes:
            expected = probe.pattern.search(text) is not None
            assert probe.search(view) == expected, probe.pattern


@settings(max_examples=300)
@given(_TEXTS, st.booleans())
@example("Rahnam\u00a0International  News Agency", False)  # normalising joins the pieces
@example("presstv.ir", True)
@example("PressTV\u2009.ir", False)  # apart in the bytes and in the text
def test_detection_probes_answer_from_source_bytes_as_the_regex_does(raw: str, bom: bool) -> None:
    """With the bytes a text was normalised from, probes still answer as the regex on the
    normalised text: odd and repeated spaces, CRs and a byte-order mark change nothing."""
    raw = ("\ufeff" if bom else "") + raw.replace("\n", "\r\n", 1)
    text = "\n".join(normalise(raw))
    probes = [Probe.of(pattern) for pattern in DETECT]
    assert any(p._pieces for p in probes)  # the source is asked
    view = TextView(text, None, None, raw.encode("utf-8"))
    for probe in probes:
        assert probe.search(view) == (probe.pattern.search(text) is not None), probe.pattern


@settings(max_examples=300)
@given(_TEXTS.map(lambda t: " ".join(t.split())))
def test_joined_rules_match_a_line_exactly_when_one_rule_does(line: str) -> None:
    for profile in PROFILES:
        for zone in ("header", "body", "footer", "furniture"):
            plan = profile.plan(zone, line.count(" ") + 1, zone_first=True)
            expected = any(r.pattern.fullmatch(line) for r in plan.rules)
            assert plan.may_apply(line) == expected


@settings(max_examples=300)
@given(
    st.lists(
        st.text(alphabet="ab’", min_size=1, max_size=40) | st.sampled_from(["a", "Tags:", "x"]),
        min_size=1,
        max_size=120,
    ).map(" ".join)
)
@example(" ".join(["a" * 30] * 40))  # few spaces in the prefix, many words in all
@example(" ".join(["ab"] * 29))
def test_line_plan_counts_words_as_a_full_count_does(line: str) -> None:
    """Long words, long lines and lines around every word cap get the plan of their count."""
    for profile in PROFILES:
        for zone in ("header", "body", "footer", "furniture"):
            for first in (True, False):
                expected = profile.plan(zone, len(line.split()), zone_first=first)
                assert profile.line_plan(zone, line, zone_first=first) is expected


@pytest.mark.parametrize(
    ("source", "literal"),
    [
        (r"(?m)^News ID:\s*\d+$", "News ID:"),
        (r"(?i)presstv\.(?:ir|com)", "presstv."),
        (r"a|b", None),
        (r"(?P<x>abc)", None),  # inside a group: not looked into
        (r"ab?c", "a"),
    ],
)
def test_required_literal(source: str, literal: str | None) -> None:
    assert required_literal(re.compile(source)) == literal


def test_folded_literal_is_not_trusted_on_text_with_odd_case_folding() -> None:
    pattern = re.compile(r"(?i)kiss")
    # The long s matches "s" under IGNORECASE but lower() leaves it alone.
    assert Probe.of(pattern).search(TextView("KIſS")) == bool(pattern.search("KIſS"))


@pytest.mark.parametrize(
    "sources",
    [
        [r"(?P<a>x)(?P=a)"],  # a back-reference to a name that joining drops
        [r"(?x) a  # comment"],  # verbose comments could swallow the closing parenthesis
        [r"[(?P<a>]+(?P<b>c)"],  # "(?P<" inside a class: not a group
    ],
)
def test_patterns_that_cannot_be_joined_fall_back_to_one_by_one(sources: list[str]) -> None:
    assert any_fullmatch([re.compile(s) for s in sources]) is None


@pytest.mark.parametrize(
    ("source", "takes_any"),
    [
        (r"(?P<published>.+)", True),
        (r".*", True),
        (r"(?P<a>(?s:.+?))", True),
        (r"(?P<a>.+)x", False),
        (r"(?P<a>.{2,})", False),
        (r"(?P<a>\S.*)", False),
        (r"(?P<a>.+)|x", False),
        (r"(?P<a>[^x]+)", False),
    ],
)
def test_rules_that_take_any_line_are_told(source: str, takes_any: bool) -> None:
    assert takes_any_line(re.compile(source)) is takes_any


@given(st.text(min_size=1).filter(lambda line: "\n" not in line))
def test_the_profiles_rules_said_to_take_any_line_do(line: str) -> None:
    # Their plans let such lines through without asking the rules' joined pattern.
    taking = [r.pattern for p in PROFILES for r in p.rules if takes_any_line(r.pattern)]
    assert taking  # every outlet's date rule, "(?P<published>.+)"
    for pattern in taking:
        assert pattern.fullmatch(line), pattern


def test_line_start_rewrite_keeps_top_level_alternatives_out() -> None:
    pattern = re.compile(r"(?m)^a|b")
    assert Probe.of(pattern).line_start is None
    assert Probe.of(pattern).search(TextView("xb"))


@settings(max_examples=300)
@given(_TEXTS)
def test_furniture_rule_is_the_first_furniture_rule_that_matches(text: str) -> None:
    from corpus_tools.convert.rules import furniture_rule

    for profile in PROFILES:
        plan = profile.plan("furniture", len(text.split()), zone_first=True)
        expected = next((r for r in plan.rules if r.pattern.fullmatch(text)), None)
        assert furniture_rule(profile, text) == expected
        line = " ".join(text.split())  # as a seed's blocks are
        if line:
            assert furniture_rule(profile, line, normalised=True) == furniture_rule(profile, line)


_PRESS_TV_FOUR = (
    "Press TV’s website can also be accessed\nPress TV News Roku\nNews / Iran\npresstv.ir"
)
_RASA_THREE = "News ID: 42\nRasa - x\nRNA - y"


@settings(max_examples=400)
@given(_TEXTS)
@example(f"{_PRESS_TV_FOUR}\n{_RASA_THREE}")  # an early profile beats a later one by its 4th
@example(f"{_PRESS_TV_FOUR.rsplit(chr(10), 1)[0]}\n{_RASA_THREE}")  # equals: the first wins
@example(f"{_RASA_THREE}\nrasanews.ir\n{_PRESS_TV_FOUR}")  # a later profile wins outright
# Rasa has the most line-start literals, so it is scored first; Press TV, earlier in order,
# ties it by patterns that are not line starts, and wins as the first of equals.
@example(f"Press TV’s website can also be accessed\nNews / Iran\npresstv.ir\n{_RASA_THREE}")
# ...and loses when it is one short.
@example(f"News / Iran\npresstv.ir\n{_RASA_THREE}")
# Rasa wins by its fourth pattern, which is asked only once Press TV has reached its bar.
@example(
    f"Press TV’s website can also be accessed\nNews / Iran\npresstv.ir\n{_RASA_THREE}\nrasanews.ir"
)
def test_picked_profile_is_the_first_with_the_best_full_score(text: str) -> None:
    from corpus_tools.convert.profiles import GENERIC
    from corpus_tools.convert.rules import pick_profile

    best, best_score = PROFILES.generic, 0
    for profile in PROFILES:
        if profile.id == GENERIC or not profile.detect:
            continue
        score = sum(1 for pattern in profile.detect if pattern.search(text))
        if score >= max(profile.min_score, 1) and score > best_score:
            best, best_score = profile, score
    assert pick_profile(text, PROFILES) is best
    assert pick_profile(text, PROFILES, text.split("\n")) is best  # as conversion calls it


# Every distinct rule pattern of the profiles, and ones that test the analysis's edges.
_FIRST_CHAR_PATTERNS = sorted(
    {r.pattern.pattern for r in RULES}
    | {
        r"(?i)[a-c]x|\d+|(?=k)\w+",
        r"(?i:k)elvin",  # matched by a line that begins with the Kelvin sign, too
        r"(?:ab)?(?:c|)d*e",  # optional items: what follows them may come first
        r"\s*\*?(?i:name)",
        r"(?a)\S+ x|(?a:[\w\S])y",  # with re.ASCII, \S takes \x1c-\x1f too
    }
)


@pytest.mark.parametrize("source", _FIRST_CHAR_PATTERNS)
@settings(max_examples=40, deadline=None)
@given(st.data())
def test_a_rule_matches_only_lines_beginning_with_one_of_its_first_characters(
    source: str, data: st.DataObject
) -> None:
    # Lines that the pattern fully matches (drawn from the pattern itself), and odd ones.
    pattern = re.compile(source)
    allowed = first_chars(pattern)
    line = data.draw(st.from_regex(pattern, fullmatch=True) | _TEXTS)
    if line and pattern.fullmatch(line) and allowed is not None:
        assert line[0] in allowed or not line[0].isascii(), (line, sorted(allowed))


def test_first_characters_are_read_from_the_pattern() -> None:
    assert first_chars(re.compile(r"(?i:tags?|keywords)\s*:")) == frozenset("tTkK")
    spaces = frozenset(c for c in map(chr, range(128)) if c.isspace())
    assert first_chars(re.compile(r"\*?\s*x")) == spaces | {"*", "x"}
    assert "\x1f" in (first_chars(re.compile(r"(?a)\S")) or ())
    for unsure in (r".+", r"[^a]x", r"(?i)\u212a"):  # the Kelvin sign matches k and K
        assert first_chars(re.compile(unsure)) is None
