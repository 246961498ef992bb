"""Declarative outlet profiles: detection patterns, line rules, date formats and outlet facts.

Profiles are TOML files. The built-in ones live in ``corpus_tools/convert/builtin/``; a
project's ``profiles/`` folder adds to them, and a file with the same id overrides a built-in
one. ``load_profiles`` reads the set once and reports every problem of every file (with its
line where TOML gives one); the resulting ``ProfileSet`` is handed to conversion and to the
table checks, and is the outlet registry.
"""

from __future__ import annotations

import re
import tomllib
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from corpus_tools.compiled import rebuilt
from corpus_tools.convert.probe import (
    Leaders,
    Probe,
    TextView,
    any_fullmatch,
    first_chars,
    takes_any_line,
)
from corpus_tools.errors import CorpusToolsError, ProjectErrors

BUILTIN_DIR = Path(__file__).parent / "builtin"
GENERIC = "generic"
Zone = Literal["header", "body", "footer", "any"]
ZONES: tuple[str, ...] = ("header", "body", "footer", "any")
# Where a rule's named groups may send text, besides the schema's text fields and block kinds.
EXTRA_TARGETS = ("published", "caption", "boilerplate")
_TARGET_NAME = re.compile(r"^(?P<target>[a-z_]+?)\d*$")
# What may stand between the pieces of one line without being kept anywhere.
SEPARATOR_CHARS = frozenset(" \t-–—:|/*•")
SEPARATORS = re.compile(r"[\s\-–—:|/*•]*")
# Detection: at least this many distinct patterns must match, so that one stray line
# (an "N/A" in a finance table) cannot pick an outlet.
MIN_DETECT_SCORE = 2
_RULE_KEYS = {
    "name",
    "zone",
    "pattern",
    "kind",
    "once",
    "first",
    "shape",
    "min_words",
    "max_words",
    "requires_any",
    "forbids_any",
    "starts_footer",
    "following_kind",
}


@dataclass(frozen=True)
class Outlet:
    """Registry facts about an outlet, used in records, validation and the card."""

    id: str
    name: str
    domain: str | None
    country: str
    founded: int | None
    affiliation: str
    timezone: str | None
    language: str

    def __reduce__(self) -> tuple[Any, ...]:
        return rebuilt(self)


@dataclass(frozen=True)
class Rule:
    """One line rule: a full-line regex whose named groups say where each piece goes."""

    source: str
    name: str
    zone: str
    pattern: re.Pattern[str]
    targets: dict[str, str]
    kind: str | None = None
    once: bool = False
    first: bool = False
    shape: bool = False
    min_words: int | None = None
    max_words: int | None = None
    requires_any: tuple[str, ...] = ()
    forbids_any: tuple[str, ...] = ()
    starts_footer: bool = False
    following_kind: str = "footer"
    # Only boilerplate groups: the rule removes whole furniture lines.
    furniture_only: bool = False
    # Derived when the rule is made (fields, not cached properties: the compiled module's
    # classes keep no instance dictionary to cache in).
    # The ASCII characters a line it matches can begin with (None: any; see
    # ``probe.first_chars``).
    first_chars: frozenset[str] | None = field(init=False, compare=False, repr=False)
    # ``profile.rule`` as written to boilerplate entries.
    qualified_name: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "first_chars", first_chars(self.pattern))
        object.__setattr__(self, "qualified_name", f"{self.source}.{self.name}")

    def fits(self, words: int, zone_first: bool, first_only: bool) -> bool:
        """Whether the rule's static conditions allow a line of ``words`` words."""
        if (self.first and not zone_first) or (first_only and not self.first):
            return False
        if self.min_words is not None and words < self.min_words:
            return False
        return self.max_words is None or words <= self.max_words

    def __reduce__(self) -> tuple[Any, ...]:
        return rebuilt(self)


@dataclass(frozen=True)
class Plan:
    """The rules that may apply to a line, in order, and one pattern that matches a line
    only if one of theirs does (None when the patterns cannot be joined)."""

    rules: tuple[Rule, ...]
    any_match: re.Pattern[str] | None
    # One of the rules takes any line (a date rule's ".+"): the joined pattern would match
    # every non-empty line, and is then asked only about empty ones.
    takes_any: bool = False
    # rules_for, by a line's first character (ASCII ones only).
    _by_head: dict[str, tuple[Rule, ...]] = field(default_factory=dict, compare=False, repr=False)

    def rules_for(self, line: str) -> tuple[Rule, ...]:
        """The rules that a line may match by its first character, in order: a title line
        is not tried against the comment-form, tag and share rules."""
        head = line[:1]
        rules = self._by_head.get(head)
        if rules is None:
            if not head or not head.isascii():  # a text may begin with any of a million
                return self.rules
            rules = self._by_head[head] = tuple(
                r for r in self.rules if r.first_chars is None or head in r.first_chars
            )
        return rules

    def may_apply(self, line: str) -> bool:
        """False when no rule of the plan can match the line: one regex call, not one each."""
        if not self.rules_for(line):
            return False
        if self.takes_any and line:
            return True
        return self.any_match is None or self.any_match.fullmatch(line) is not None

    def __reduce__(self) -> tuple[Any, ...]:
        return rebuilt(self, caches=("_by_head",))


@dataclass(frozen=True)
class Profile:
    """An outlet profile with its included rules, in the order they are tried."""

    outlet: Outlet
    detect: tuple[re.Pattern[str], ...]
    dates: tuple[re.Pattern[str], ...]
    rules: tuple[Rule, ...] = field(default_factory=tuple)
    min_score: int = MIN_DETECT_SCORE
    # The detection patterns with the cheap tests that spare most of their scans (derived).
    probes: tuple[Probe, ...] = field(init=False, compare=False, repr=False)
    # Whether a furniture-only body rule is limited to the zone's first line: only then can
    # the furniture check (which ignores positions) try a rule that conversion did not
    # (derived).
    first_line_furniture: bool = field(init=False, compare=False, repr=False)
    # Rules by zone, in order, computed once so that conversion filters nothing per line.
    by_zone: dict[str, tuple[Rule, ...]] = field(default_factory=dict, compare=False)
    # Plans by (zone, word count up to a cap, first line of its zone, first-line rules only),
    # made on first use.
    _plans: dict[tuple[str, int, bool, bool], Plan] = field(
        default_factory=dict, compare=False, repr=False
    )
    _plans_by_rules: dict[tuple[int, ...], Plan] = field(
        default_factory=dict, compare=False, repr=False
    )
    _caps: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    # Plans by (zone, first line of its zone, first-line rules only), indexed by word count up
    # to the cap.
    _by_words: dict[tuple[str, bool, bool], tuple[Plan, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def word_cap(self, zone: str) -> int:
        """A word count above every word bound of the zone's rules: all counts from it on
        get the same plan, so a caller may count words only up to it."""
        cap = self._caps.get(zone)
        if cap is None:
            rules = self.by_zone["body" if zone == "furniture" else zone]
            lows = [r.min_words or 0 for r in rules]
            highs = [(r.max_words or 0) + 1 for r in rules]
            cap = self._caps[zone] = max([0, *lows, *highs])
        return cap

    def line_plan(self, zone: str, line: str, zone_first: bool, first_only: bool = False) -> Plan:
        """``plan`` for a normalised line (single spaces, none at its ends), whose spaces
        count its words: counted in a short prefix when that already reaches the cap (as it
        does for most paragraphs), in the whole line otherwise."""
        plans = self.plans_by_words(zone, zone_first, first_only)
        cap = len(plans) - 1
        reach = 16 * cap  # characters; words longer than 15 on average are rare
        words = line.count(" ", 0, reach) + 1
        if words < cap and len(line) > reach:
            words = line.count(" ") + 1
        return plans[words if words < cap else cap]

    def plans_by_words(
        self, zone: str, zone_first: bool, first_only: bool = False
    ) -> tuple[Plan, ...]:
        """``plan(zone, words, zone_first, first_only)`` at index ``words``, from 0 to the
        zone's cap; the last serves every count from the cap on. Made once per key: a list
        index is cheaper than a key for every line (the walk counts each body line's spaces
        itself and indexes this directly)."""
        key = (zone, zone_first, first_only)
        plans = self._by_words.get(key)
        if plans is None:
            cap = self.word_cap(zone)
            plans = tuple(
                self.plan(zone, words, zone_first, first_only) for words in range(cap + 1)
            )
            self._by_words[key] = plans
        return plans

    def plan(self, zone: str, words: int, zone_first: bool, first_only: bool = False) -> Plan:
        """The rules of ``zone`` whose static conditions allow this line, joined for a fast
        test; ``zone="furniture"`` gives the body rules that only remove furniture."""
        cap = self.word_cap(zone)
        key = (zone, min(words, cap), zone_first, first_only)
        plan = self._plans.get(key)
        if plan is None:
            rules = self.by_zone["body" if zone == "furniture" else zone]
            chosen = tuple(
                r
                for r in rules
                if r.fits(key[1], zone_first, first_only)
                and (zone != "furniture" or r.furniture_only)
            )
            # Many keys choose the same rules; their joined pattern is compiled once.
            same = tuple(id(r) for r in chosen)
            plan = self._plans_by_rules.get(same)
            if plan is None:
                takes_any = any(takes_any_line(r.pattern) for r in chosen)
                plan = Plan(chosen, any_fullmatch([r.pattern for r in chosen]), takes_any)
                self._plans_by_rules[same] = plan
            self._plans[key] = plan
        return plan

    def __post_init__(self) -> None:
        # Cheapest first: the score counts matching patterns whatever their order, and it
        # stops once the patterns left cannot reach the score asked for (see score).
        probes = sorted((Probe.of(p) for p in self.detect), key=lambda probe: probe.cost)
        object.__setattr__(self, "probes", tuple(probes))
        first_line = any(r.first and r.furniture_only for r in self.by_zone.get("body", ()))
        object.__setattr__(self, "first_line_furniture", first_line)

    @property
    def id(self) -> str:
        """The profile id, equal to the outlet id."""
        return self.outlet.id

    def score(self, text: str | TextView, at_least: int = 0) -> int:
        """How many detection patterns occur in the normalised text.

        Each pattern is asked through its probe, which skips the scans that cannot match; the
        count is the same as searching with every pattern. With ``at_least``, counting stops
        as soon as the patterns left cannot bring the count there (the count returned is then
        below ``at_least``, and no more is known).
        """
        view = text if isinstance(text, TextView) else TextView(text)
        return self.tally(view, at_least)[0]

    def tally(
        self,
        view: TextView,
        at_least: int = 0,
        enough: int | None = None,
        start: int = 0,
        score: int = 0,
    ) -> tuple[int, int]:
        """``score``, resumable: (the count, the index of the first probe not asked). With
        ``enough``, asking stops once the count reaches it (a lower bound, then); ``start``
        and ``score`` carry on from an earlier tally."""
        probes = self.probes
        left = len(probes) - start
        for index in range(start, len(probes)):
            if score + left < at_least or (enough is not None and score >= enough):
                return score, index
            left -= 1
            if probes[index].search(view):
                score += 1
        return score, len(probes)

    def __reduce__(self) -> tuple[Any, ...]:
        return rebuilt(self, caches=("_plans", "_plans_by_rules", "_caps", "_by_words"))


@dataclass(frozen=True)
class ProfileSet:
    """The profiles of one project (built-ins plus its own), generic last: the outlet registry."""

    profiles: tuple[Profile, ...]
    by_id: dict[str, Profile] = field(default_factory=dict, compare=False)

    # The profiles that detection scores, in order, each with the literals that its
    # line-start probes look for (derived).
    detectable: tuple[tuple[Profile, tuple[str, ...]], ...] = field(
        init=False, compare=False, repr=False
    )
    # The literals that those probes begin with (see ``TextView.led``; derived).
    leaders: Leaders = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_id.update({p.id: p for p in self.profiles})
        detectable = tuple(
            (profile, tuple(p.literal for p in profile.probes if p.leads and p.literal))
            for profile in self.profiles
            if profile.id != GENERIC and profile.detect
        )
        object.__setattr__(self, "detectable", detectable)
        leaders = Leaders.of(literal for _, literals in detectable for literal in literals)
        object.__setattr__(self, "leaders", leaders)

    def likeliest(self, view: TextView) -> int:
        """The index in ``detectable`` of the profile with the most of its line-start
        literals at the start of a line of the text (the first of equals), or -1 when no
        line starts with any: found in the one pass over the lines that line-start probes
        take anyway."""
        likely, most = -1, 0
        for index, (_, literals) in enumerate(self.detectable):
            found = 0
            for literal in literals:
                if view.led(literal):
                    found += 1
            if found > most:
                likely, most = index, found
        return likely

    @property
    def registry(self) -> dict[str, Outlet]:
        """Outlet facts by outlet id."""
        return {p.id: p.outlet for p in self.profiles}

    @property
    def generic(self) -> Profile:
        return self.by_id[GENERIC]

    def __iter__(self) -> Iterator[Profile]:
        return iter(self.profiles)

    def __reduce__(self) -> tuple[Any, ...]:
        return rebuilt(self)


class _Problems:
    """Problems of one profile file, each with the line it is on where that can be found."""

    def __init__(self, path: Path, text: str) -> None:
        self.path, self.text, self.errors = path, text, list[CorpusToolsError]()

    def line(self, needle: str | None) -> int | None:
        if needle is None:
            return None
        for number, line in enumerate(self.text.splitlines(), start=1):
            if re.match(needle, line.strip()):
                return number
        return None

    def add(self, what: str, needle: str | None = None) -> None:
        self.errors.append(
            CorpusToolsError("profile", file=str(self.path), line=self.line(needle), what=what)
        )


def _compile(
    problems: _Problems, pattern: object, where: str, needle: str | None
) -> re.Pattern[str] | None:
    if not isinstance(pattern, str):
        problems.add(f"{where}: pattern must be a string", needle)
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        problems.add(f"{where}: invalid regular expression ({exc})", needle)
        return None


def _only_separators(items: Any, named: set[int]) -> bool:
    """True when a parsed regex can only match separators outside its named groups."""
    from re import _constants as c  # type: ignore[attr-defined]

    for op, av in items:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue
        if op is c.LITERAL:
            ok = chr(av) in SEPARATOR_CHARS or chr(av).isspace()
        elif op is c.IN:
            ok = all(
                (o is c.LITERAL and (chr(a) in SEPARATOR_CHARS or chr(a).isspace()))
                or (o is c.CATEGORY and a is c.CATEGORY_SPACE)
                for o, a in av
            )
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            ok = _only_separators(av[2], named)
        elif op is c.SUBPATTERN:
            ok = av[0] in named or _only_separators(av[3], named)
        elif op is c.BRANCH:
            ok = all(_only_separators(branch, named) for branch in av[1])
        else:
            ok = False
        if not ok:
            return False
    return True


def leaves_text(pattern: re.Pattern[str]) -> bool:
    """Whether a rule's pattern can match text that no named group keeps."""
    try:
        from re import _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # the private parser changed: the check at conversion time remains
        return False
    return not _only_separators(parsed.data, set(pattern.groupindex.values()))


def _rule(problems: _Problems, source: str, raw: Any, targets_allowed: set[str]) -> Rule | None:
    if not isinstance(raw, dict):
        problems.add("[[rule]] must be a table")
        return None
    name = raw.get("name")
    needle = rf"name\s*=\s*[\"']{re.escape(str(name))}[\"']"
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]+", name):
        problems.add(f"rule {name!r}: name must be lower-case letters, digits and _", needle)
        return None
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        problems.add(f"rule {name}: unknown keys {sorted(unknown)}", needle)
    zone = raw.get("zone", "any")
    if zone not in ZONES:
        problems.add(f"rule {name}: zone must be one of {', '.join(ZONES)}", needle)
    pattern = _compile(problems, raw.get("pattern"), f"rule {name}", needle)
    if pattern is None:
        return None
    targets: dict[str, str] = {}
    for group in pattern.groupindex:
        match = _TARGET_NAME.match(group)
        if match is None or match.group("target") not in targets_allowed:
            problems.add(
                f"rule {name}: group {group!r} is not one of {', '.join(sorted(targets_allowed))}",
                needle,
            )
            return None
        targets[group] = match.group("target")
    if not targets:
        problems.add(f"rule {name}: the pattern has no named group to send text to", needle)
        return None
    if leaves_text(pattern):
        problems.add(
            f"rule {name}: the pattern matches text outside its named groups, which would "
            "land in no field; put it in a group (boilerplate if it is furniture)",
            needle,
        )
    if "boilerplate" in targets.values() and not raw.get("kind"):
        problems.add(f"rule {name}: a boilerplate group needs a kind", needle)
    return Rule(
        source=source,
        name=name,
        zone=zone,
        pattern=pattern,
        targets=targets,
        kind=raw.get("kind"),
        once=bool(raw.get("once", False)),
        first=bool(raw.get("first", False)),
        shape=bool(raw.get("shape", False)),
        min_words=raw.get("min_words"),
        max_words=raw.get("max_words"),
        requires_any=tuple(raw.get("requires_any", ())),
        forbids_any=tuple(raw.get("forbids_any", ())),
        starts_footer=bool(raw.get("starts_footer", False)),
        following_kind=str(raw.get("following_kind", "footer")),
        furniture_only=set(targets.values()) == {"boilerplate"},
    )


def _read(path: Path) -> tuple[dict[str, Any] | None, _Problems]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems = _Problems(path, "")
        problems.add(f"cannot be read ({exc})")
        return None, problems
    problems = _Problems(path, text)
    try:
        return tomllib.loads(text), problems
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        problems.errors.append(
            CorpusToolsError(
                "profile",
                file=str(path),
                line=int(found.group(1)) if found else None,
                what=f"not valid TOML ({exc})",
            )
        )
        return None, problems


def _country_ok(code: str) -> bool:
    if code == "ZZ":  # ISO's user-assigned code for "unknown"
        return True
    import pycountry

    return pycountry.countries.get(alpha_2=code) is not None


def _outlet(problems: _Problems, raw: dict[str, Any]) -> Outlet | None:
    missing = [k for k in ("id", "name", "country", "affiliation") if k not in raw]
    if missing:
        problems.add(f"[outlet] lacks {', '.join(missing)}", r"\[outlet\]")
        return None
    country = str(raw["country"])
    if not re.fullmatch(r"[A-Z]{2}", country) or not _country_ok(country):
        problems.add(
            f"[outlet] country {country!r} is not an ISO 3166-1 alpha-2 code (ZZ when unknown)",
            r"country\s*=",
        )
    timezone = raw.get("timezone")
    if timezone is not None:
        try:
            zoneinfo.ZoneInfo(str(timezone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            problems.add(f"[outlet] timezone {timezone!r} is not an IANA time zone", r"timezone")
    founded = raw.get("founded")
    if founded is not None and not isinstance(founded, int):
        problems.add("[outlet] founded must be a year (an integer)", r"founded\s*=")
    return Outlet(
        id=str(raw["id"]),
        name=str(raw["name"]),
        domain=raw.get("domain"),
        country=country,
        founded=founded if isinstance(founded, int) else None,
        affiliation=str(raw["affiliation"]),
        timezone=str(timezone) if timezone is not None else None,
        language=str(raw.get("language", "en")),
    )


def _load_one(
    path: Path, files: dict[str, Path], targets: set[str], errors: list[CorpusToolsError]
) -> Profile | None:
    raw, problems = _read(path)
    try:
        if raw is None:
            return None
        outlet = _outlet(problems, raw["outlet"])
        if outlet is None:
            return None
        if outlet.id != path.stem:
            problems.add(
                f"[outlet] id {outlet.id!r} must equal the file name {path.stem!r}", r"id\s*="
            )
        own = [_rule(problems, outlet.id, r, targets) for r in raw.get("rule", [])]
        included: list[Rule | None] = []
        for name in raw.get("include", []):
            inc_path = files.get(name)
            if inc_path is None:
                problems.add(f"include {name!r}: no file {name}.toml", r"include\s*=")
                continue
            inc_raw, inc_problems = _read(inc_path)
            errors.extend(inc_problems.errors)
            if inc_raw is not None:
                included += [_rule(inc_problems, name, r, targets) for r in inc_raw.get("rule", [])]
                errors.extend(inc_problems.errors)
        rules = [r for r in own + included if r is not None]
        # Specific rules (furniture named by its wording) win over rules that match by shape.
        ordered = tuple([r for r in rules if not r.shape] + [r for r in rules if r.shape])
        detect_raw = raw.get("detect", {})
        detect = [
            _compile(problems, p, "detect", r"patterns") for p in detect_raw.get("patterns", [])
        ]
        min_score = detect_raw.get("min_score", min(MIN_DETECT_SCORE, len(detect)))
        dates = [_compile(problems, d.get("pattern"), "date", None) for d in raw.get("date", [])]
        by_zone = {
            zone: tuple(r for r in ordered if r.zone in (zone, "any"))
            for zone in ("header", "body", "footer")
        }
        compiled = tuple(p for p in detect if p is not None)
        return Profile(
            outlet=outlet,
            detect=compiled,
            dates=tuple(p for p in dates if p is not None),
            rules=ordered,
            min_score=int(min_score),
            by_zone=by_zone,
        )
    finally:
        errors.extend(problems.errors)


def load_profiles(folder: Path | None = None) -> ProfileSet:
    """The built-in profiles, extended or overridden by the ``*.toml`` files of ``folder``."""
    from corpus_tools.schema import Schema

    schema = Schema.packaged()
    targets = {*schema.text_fields, *schema.block_kinds, *EXTRA_TARGETS}
    files = {p.stem: p for p in sorted(BUILTIN_DIR.glob("*.toml"))}
    if folder is not None and folder.is_dir():
        files.update({p.stem: p for p in sorted(folder.glob("*.toml"))})
    errors: list[CorpusToolsError] = []
    profiles: list[Profile] = []
    for _stem, path in sorted(files.items()):
        raw, problems = _read(path)
        if raw is None:
            errors.extend(problems.errors)
            continue
        if "outlet" not in raw:
            continue  # an include-only file such as common.toml
        profile = _load_one(path, files, targets, errors)
        if profile is not None:
            profiles.append(profile)
    if not errors and not any(p.id == GENERIC for p in profiles):
        errors.append(
            CorpusToolsError(
                "profile",
                file=str(BUILTIN_DIR / "generic.toml"),
                what="the generic fallback profile is missing",
            )
        )
    if errors:
        unique = {e.one_line(): e for e in errors}  # an included file is read by many profiles
        raise ProjectErrors(list(unique.values()))
    return ProfileSet(tuple(sorted(profiles, key=lambda p: (p.id == GENERIC, p.id))))
