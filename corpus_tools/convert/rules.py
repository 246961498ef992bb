"""Seed -> article record: pick the outlet profile, then send every line piece to one place."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from corpus_tools import __version__
from corpus_tools.convert.dates import parse_published
from corpus_tools.convert.probe import TextView
from corpus_tools.convert.profiles import GENERIC, SEPARATORS, Plan, Profile, ProfileSet, Rule
from corpus_tools.errors import ConversionError, UsageError
from corpus_tools.ingest.seeds import Seed, check_name, decode
from corpus_tools.ingest.text import normalise
from corpus_tools.record import TEXT_JOIN, Block, Boilerplate, Record, SourceMapEntry
from corpus_tools.schema import Schema

# The places a rule can fill once, and the body block kinds: both derived from the schema.
_SCHEMA = Schema.packaged()
SINGLE_FIELDS: tuple[str, ...] = (*_SCHEMA.text_fields, "published")
BLOCK_KINDS: tuple[str, ...] = _SCHEMA.block_kinds
_SINGLE = frozenset(SINGLE_FIELDS)
_ANY = re.compile(".*")


@dataclass
class _Piece:
    target: str
    start: int
    end: int
    text: str
    value: Any = None  # the parsed date, for a "published" piece (parsed once)


# JSON Pointers of list items, each made once per process (an f-string a block cost about
# eight times the lookup; a seed has dozens): item ``n`` of a list is ``_pointer(list, n)``.
_POINTER_FORMS = {
    "body": "/body/{}/text",
    "boilerplate": "/boilerplate/{}/text",
    "captions": "/captions/{}",
}
_POINTERS: dict[str, list[str]] = {name: [] for name in _POINTER_FORMS}
_POINTERS_GROWING = threading.Lock()  # entries are appended in order, one thread at a time


def _pointer(name: str, index: int) -> str:
    made = _POINTERS[name]
    if index >= len(made):
        with _POINTERS_GROWING:
            while len(made) <= index:
                made.append(_POINTER_FORMS[name].format(len(made)))
    return made[index]


@dataclass
class _Draft:
    """The record being assembled, with its source map."""

    profile: Profile
    fields: dict[str, Any] = field(default_factory=lambda: dict.fromkeys(SINGLE_FIELDS))
    body: list[Block] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    boilerplate: list[Boilerplate] = field(default_factory=list)
    source_map: list[SourceMapEntry] = field(default_factory=list)
    used: set[str] = field(default_factory=set)
    # Body blocks that no furniture rule can match, as conversion found out (see _walk).
    clean: list[int] = field(default_factory=list)
    # Spaces in the body blocks: a block is a piece of a normalised line (single spaces, none
    # at its ends), so the record's word count is this plus the number of blocks.
    spaces: int = 0

    def has(self, name: str) -> bool:
        if name == "caption":
            return bool(self.captions)
        return self.fields.get(name) is not None

    def add_block(
        self, line: int, kind: str, text: str, start: int, end: int, spaces: int = -1
    ) -> None:
        """A body block from a piece of seed line ``line``, with its source-map entry;
        ``spaces``: how many the text holds, when the caller has counted them."""
        self.spaces += text.count(" ") if spaces < 0 else spaces
        path = _pointer("body", len(self.body))
        self.body.append({"kind": kind, "text": text})
        self.source_map.append({"line": line, "start": start, "end": end, "path": path})

    def place(self, line: int, piece: _Piece, rule: Rule | None, kind: str | None) -> None:
        target = piece.target
        if target in BLOCK_KINDS:
            self.add_block(line, target, piece.text, piece.start, piece.end)
            return
        if target == "caption":
            path = _pointer("captions", len(self.captions))
            self.captions.append(piece.text)
        elif target == "boilerplate":
            assert rule is not None and kind is not None
            path = _pointer("boilerplate", len(self.boilerplate))
            self.boilerplate.append(
                {"line": line, "text": piece.text, "kind": kind, "rule": rule.qualified_name}
            )
        elif target == "published":
            path = "/published/raw"
            profile = self.profile
            self.fields["published"] = piece.value or parse_published(
                piece.text, profile.dates, profile.outlet.timezone
            )
        else:
            path = f"/{target}"
            self.fields[target] = piece.text
        self.source_map.append({"line": line, "start": piece.start, "end": piece.end, "path": path})


def pick_profile(
    text: str, profiles: ProfileSet, lines: list[str] | None = None, source: bytes | None = None
) -> Profile:
    """The profile with the most distinct detection patterns matching, at least its minimum
    score (the first of equals); the generic fallback when none has that much evidence.
    ``lines``: the text split at its newlines, ``source``: the UTF-8 bytes it was normalised
    from, when the caller has them."""
    # Derived forms of the text (lowered, line starts) are computed once, for all profiles.
    view = TextView(text, profiles.leaders, lines, source)
    # The likeliest profile is probed first, cheapest probes first, until it has enough to
    # win: that count is a bar every other profile must reach (from before it in order, where
    # the first of equals wins) or pass (from after it), and most are out of reach of it
    # after a probe or two. The likeliest one's other probes (often the costliest: a case-
    # folded copy of the text, or a scan) are asked only if another profile reaches the bar.
    detectable = profiles.detectable
    likely_at = profiles.likeliest(view)
    bar = asked = 0
    if likely_at >= 0:
        likely = detectable[likely_at][0]
        needed = max(likely.min_score, 1)
        bar, asked = likely.tally(view, enough=needed)
        if bar < needed:  # it has asked every probe: not enough
            bar = 0
    scores: dict[int, int] = {}  # the exact scores of the profiles that may win, by index
    best_score = 0
    for index, (profile, _) in enumerate(detectable):
        if index == likely_at:
            continue
        # The score a profile needs to win: its minimum, and above the best so far (the
        # first of equals wins) and the bar; counting stops once it is out of reach.
        needed = max(profile.min_score, 1, best_score + 1, bar if index < likely_at else bar + 1)
        score = profile.score(view, at_least=needed)
        if score >= needed:
            scores[index], best_score = score, score
    if bar:
        if not scores:
            return likely
        scores[likely_at] = likely.tally(view, start=asked, score=bar)[0]
    # The exact scores of all that may win, in order: the first of the best.
    best: Profile | None = None
    best_score = 0
    for index, exact in sorted(scores.items()):
        profile = detectable[index][0]
        if exact >= max(profile.min_score, 1, best_score + 1):
            best, best_score = profile, exact
    return best or profiles.generic


def _pieces(rule: Rule, line: str, match: re.Match[str], draft: _Draft) -> list[_Piece] | None:
    """Split a line that the rule's pattern fully matched, or None when the rule does not
    apply."""
    pieces: list[_Piece] = []
    for group, target in rule.targets.items():
        start, end = match.span(group)
        if start < 0:
            continue
        raw = line[start:end]
        text = raw.strip()
        if not text:
            continue
        if len(text) != len(raw):
            start += len(raw) - len(raw.lstrip())
            end = start + len(text)
        if target in _SINGLE and draft.fields[target] is not None:
            return None  # single-valued fields keep their first value
        value = None
        if target == "published":
            profile = draft.profile
            value = parse_published(text, profile.dates, profile.outlet.timezone)
            if value is None:
                return None
        pieces.append(_Piece(target, start, end, text, value))
    if not pieces:
        return None
    if len(pieces) > 1:
        pieces.sort(key=lambda p: p.start)
    # What the pieces leave of the line must be separators; most pieces leave nothing.
    covered = 0
    for piece in pieces:
        if covered < piece.start:
            _check_gap(rule, line, covered, piece.start)
        covered = max(covered, piece.end)
    if covered < len(line):
        _check_gap(rule, line, covered, len(line))
    return pieces


def _check_gap(rule: Rule, line: str, start: int, end: int) -> None:
    """Text between a rule's pieces must be separators."""
    if not SEPARATORS.fullmatch(line, start, end):
        # The static check in load_profiles catches most such rules; this one is raised
        # once, as a usage error, and stops the run.
        raise UsageError("profile-rule", rule=rule.qualified_name, text=line[start:end])


def _apply(
    zone: str, line_no: int, line: str, draft: _Draft, zone_first: bool, first_only: bool = False
) -> Rule | None:
    """Try the zone's rules in order (only its first-line rules with ``first_only``); place
    the pieces of the first that applies."""
    # Normalised lines hold single spaces only, so their spaces count the words.
    plan = draft.profile.line_plan(zone, line, zone_first, first_only)
    if not plan.may_apply(line):
        return None
    return _try_rules(plan, line_no, line, draft)


def _try_rules(plan: Plan, line_no: int, line: str, draft: _Draft) -> Rule | None:
    """The rules of a plan that may apply, in order; the first that applies is placed."""
    for rule in plan.rules_for(line):
        if rule.once and rule.qualified_name in draft.used:
            continue
        # Then the pattern: most rules tried fail on it.
        match = rule.pattern.fullmatch(line)
        if match is None:
            continue
        if rule.requires_any and not any(draft.has(name) for name in rule.requires_any):
            continue
        if rule.forbids_any and any(draft.has(name) for name in rule.forbids_any):
            continue
        pieces = _pieces(rule, line, match, draft)
        if pieces is None:
            continue
        draft.used.add(rule.qualified_name)
        for piece in pieces:
            draft.place(line_no, piece, rule, rule.kind)
        return rule
    return None


def _walk(lines: list[str], draft: _Draft) -> None:
    """Header (title, date, captions) -> body -> footer, one line at a time."""
    zone, zone_first = "header", True
    footer_rule: Rule | None = None
    profile = draft.profile
    # A body line's spaces pick its plan (they count its words) and count towards the
    # record's words: one count of the line serves both.
    first_plans = profile.plans_by_words("body", True)
    later_plans = profile.plans_by_words("body", False)
    cap = len(first_plans) - 1
    for line_no, line in enumerate(lines, start=1):
        if not line:
            continue
        if zone == "header":
            rule = _apply("header", line_no, line, draft, zone_first)
            if rule is not None:
                zone_first = False
                if rule.starts_footer:  # a page that opens with a comment form has no body
                    zone, footer_rule = "footer", rule
                continue
            zone, zone_first = "body", True
        if zone == "body":
            spaces = line.count(" ")
            words = spaces + 1
            plan = (first_plans if zone_first else later_plans)[words if words < cap else cap]
            possible = plan.may_apply(line)
            rule = _try_rules(plan, line_no, line, draft) if possible else None
            if rule is None:
                # No body rule fully matches the line, so no furniture rule does either (they
                # are body rules), unless one is kept for first lines and this is not one:
                # the table check need not try them again.
                if not possible and (zone_first or not profile.first_line_furniture):
                    draft.clean.append(len(draft.body))
                # Most lines are paragraphs: straight to the body, without a piece.
                draft.add_block(line_no, "paragraph", line, 0, len(line), spaces)
            elif rule.starts_footer:
                zone, footer_rule = "footer", rule
            zone_first = False
            continue
        rule = _apply("footer", line_no, line, draft, zone_first)
        if rule is None:
            assert footer_rule is not None
            piece = _Piece("boilerplate", 0, len(line), line)
            draft.place(line_no, piece, footer_rule, footer_rule.following_kind)
        elif rule.starts_footer:
            footer_rule = rule


_BYLINE_LABEL = re.compile(r"^(?P<label>(?i:by|written by|posted by|reported by|words by)[\s:]+)\S")
_TIME = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$")


def _classify(lines: list[str], draft: _Draft) -> str:
    """The generic fallback: the line classifier labels every line; returns the language."""
    from corpus_tools.convert.generic import extract

    result = extract(lines)
    classifier = Rule(
        source=GENERIC, name="classifier", zone="any", pattern=_ANY, targets={}, kind="furniture"
    )
    for index, label in enumerate(result.labels):
        line, line_no = lines[index], index + 1
        if label == "blank" or not line:
            continue
        whole = _Piece(label, 0, len(line), line)
        if label == "title":
            draft.place(line_no, whole, None, None)
        elif label == "date" and result.published is not None:
            published = dict(result.published)
            if published.get("time") is not None and not _TIME.match(str(published["time"])):
                published.update(time=None, precision="day")  # never a time the page lacks
            draft.fields["published"] = {**published, "raw": line}
            draft.source_map.append(
                {"line": line_no, "start": 0, "end": len(line), "path": "/published/raw"}
            )
        elif label == "byline":
            found = _BYLINE_LABEL.match(line)
            cut = found.end("label") if found else 0
            if cut:
                label_piece = _Piece("boilerplate", 0, cut, line[:cut].strip())
                label_piece.end = len(line[:cut].rstrip())
                draft.place(line_no, label_piece, classifier, "label")
            draft.place(line_no, _Piece("byline", cut, len(line), line[cut:]), None, None)
        elif label in ("body", "subheading"):
            # The profile's furniture rules still hold (a comment form is never body), and the
            # first paragraph may open with a dateline.
            furniture = furniture_rule(draft.profile, line)
            if furniture is not None:
                piece = _Piece("boilerplate", 0, len(line), line)
                draft.place(line_no, piece, furniture, furniture.kind)
                continue
            first = label == "body" and not draft.body
            if first and _apply("body", line_no, line, draft, True, first_only=True):
                continue  # the first paragraph opened with a dateline
            kind = "paragraph" if label == "body" else "subheading"
            draft.place(line_no, _Piece(kind, 0, len(line), line), None, None)
        elif label == "caption":
            draft.place(line_no, _Piece("caption", 0, len(line), line), None, None)
        else:
            # Name the furniture by the profile's own rule where one matches (a credit, a
            # share line); otherwise the classifier removed it.
            rule = furniture_rule(draft.profile, line) or classifier
            piece = _Piece("boilerplate", 0, len(line), line)
            draft.place(line_no, piece, rule, rule.kind or "furniture")
    return result.language


def convert_seed(seed: Seed, profiles: ProfileSet) -> Record:
    """Convert one seed into an article record, or raise ConversionError.

    A seed that an outlet profile recognises goes through that profile's line rules; any
    other goes to the generic line classifier (``convert/generic.py``).
    """
    return convert_seed_noting(seed, profiles)[0]


def convert_seed_noting(seed: Seed, profiles: ProfileSet) -> tuple[Record, frozenset[int]]:
    """``convert_seed``, with the indexes of the body blocks that no furniture rule of the
    record's profile can match (what ``compact_row`` would otherwise find out again)."""
    (result,) = convert_run([seed], profiles)
    if isinstance(result, ConversionError):
        raise result
    return result


Converted = tuple[Record, frozenset[int]]


def convert_run(seeds: Sequence[Seed], profiles: ProfileSet) -> list[Converted | ConversionError]:
    """``convert_seed_noting`` for each of a run of seeds, in order: its record and clean
    blocks, or the ConversionError it raised.

    The seeds go through the conversion one step at a time (decode, detect, walk, assemble),
    each step over the whole run: a step's code stays in the processor's caches while it
    runs, instead of being pushed out by the steps of a seed's whole journey. The results are
    the same; the per-seed work of a build takes 15-25% less CPU in runs of 128
    (``benchmarks/RESULTS.md``).
    """
    runs = [_Conversion(seed, profiles) for seed in seeds]
    for step in _STEPS:
        for conversion in runs:
            if conversion.error is None:
                try:
                    step(conversion)
                except ConversionError as error:
                    conversion.error = error
    return [c.error or (c.record, frozenset(c.draft.clean)) for c in runs]


@dataclass
class _Conversion:
    """One seed on its way through ``convert_run``'s steps."""

    seed: Seed
    profiles: ProfileSet
    seed_id: str = ""
    lines: list[str] = field(default_factory=list)
    draft: _Draft = field(init=False)
    language: str = ""
    record: Record = field(init=False)
    error: ConversionError | None = None


def _read_lines(conversion: _Conversion) -> None:
    seed = conversion.seed
    conversion.seed_id = check_name(seed.name, seed.path).group("id")
    conversion.lines = normalise(decode(seed), seed.data)


def _detect(conversion: _Conversion) -> None:
    lines, profiles = conversion.lines, conversion.profiles
    # The seed's bytes answer most literal tests (see Probe.present): decode() gave the text
    # that normalise() made these lines of.
    profile = pick_profile("\n".join(lines), profiles, lines, conversion.seed.data)
    conversion.draft = _Draft(profile=profile)


def _lay_out(conversion: _Conversion) -> None:
    draft = conversion.draft
    if draft.profile.id == GENERIC:
        conversion.language = _classify(conversion.lines, draft)
    else:
        conversion.language = draft.profile.outlet.language
        _walk(conversion.lines, draft)


def _assemble(conversion: _Conversion) -> None:
    seed, draft = conversion.seed, conversion.draft
    profile = draft.profile
    if not any(block["kind"] != "subheading" for block in draft.body):
        non_blank = sum(1 for line in conversion.lines if line)
        raise ConversionError("no-body", file=seed.path, lines=non_blank, profile=profile.id)
    text = TEXT_JOIN.join([block["text"] for block in draft.body])
    outlet = profile.outlet
    fields = draft.fields
    conversion.record = {
        "id": conversion.seed_id,
        "seed_file": seed.name,
        "seed_sha256": seed.sha256,
        "outlet": {
            "id": outlet.id,
            "name": outlet.name,
            "domain": outlet.domain,
            "country": outlet.country,
        },
        "title": fields["title"],
        "kicker": fields["kicker"],
        "section": fields["section"],
        "lead": fields["lead"],
        "published": fields["published"],
        "dateline": fields["dateline"],
        "byline": fields["byline"],
        "source_article_id": fields["source_article_id"],
        "body": draft.body,
        "text": text,
        # Blocks are pieces of normalised lines (single spaces only, none at their ends) and
        # their joins hold no space: their spaces (counted as they were added) plus one a
        # block are word_count(text), without splitting or counting the text again.
        "word_count": draft.spaces + len(draft.body),
        "char_count": len(text),
        "captions": draft.captions,
        "boilerplate": draft.boilerplate,
        "language": conversion.language,
        "converter": {
            "name": "corpus-tools",
            "version": __version__,
            "profile": profile.id,
            "fallback": profile.id == GENERIC,
        },
        "source_map": draft.source_map,
    }


_STEPS: tuple[Callable[[_Conversion], None], ...] = (_read_lines, _detect, _lay_out, _assemble)


def furniture_rule(profile: Profile, text: str, normalised: bool = False) -> Rule | None:
    """The profile rule that would remove ``text`` as furniture if it stood on its own line.

    ``normalised``: the text is a piece of a normalised line (single spaces, none at its
    ends, as the converter's blocks are), so its spaces count its words.
    """
    if normalised:
        plan = profile.line_plan("furniture", text, zone_first=True)  # any position
    else:  # counted only up to the cap, beyond which every count gets the same plan
        words = len(text.split(maxsplit=profile.word_cap("furniture")))
        plan = profile.plan("furniture", words, zone_first=True)
    if not plan.may_apply(text):
        return None
    for rule in plan.rules_for(text):
        if rule.pattern.fullmatch(text):
            return rule
    return None
