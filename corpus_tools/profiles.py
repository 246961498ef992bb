"""Declarative outlet profiles: detection patterns, line rules, date formats and outlet facts.

Profiles are TOML files in ``corpus_tools/profiles/``; ``load_profiles(folder)`` adds or
overrides them from another folder.
A maintainer adds an outlet by adding a file; no pipeline code changes.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from corpus_tools.errors import ProfileError

BUILTIN_DIR = Path(__file__).parent / "profiles"
GENERIC = "generic"
Zone = Literal["header", "body", "footer", "any"]
ZONES: tuple[str, ...] = ("header", "body", "footer", "any")
# Named groups a rule's pattern may use, optionally followed by digits (boilerplate2).
SINGLE_FIELDS = (
    "title",
    "kicker",
    "section",
    "lead",
    "dateline",
    "byline",
    "source_article_id",
    "published",
)
BLOCK_KINDS = ("paragraph", "subheading", "list_item")
TARGETS = (*SINGLE_FIELDS, *BLOCK_KINDS, "caption", "boilerplate")
_TARGET_NAME = re.compile(r"^(?P<target>[a-z_]+?)\d*$")
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

    @property
    def qualified_name(self) -> str:
        """``profile.rule`` as written to boilerplate entries."""
        return f"{self.source}.{self.name}"


@dataclass(frozen=True)
class Profile:
    """An outlet profile with its included rules, in the order they are tried."""

    outlet: Outlet
    detect: tuple[re.Pattern[str], ...]
    dates: tuple[re.Pattern[str], ...]
    rules: tuple[Rule, ...] = field(default_factory=tuple)

    @property
    def id(self) -> str:
        """The profile id, equal to the outlet id."""
        return self.outlet.id

    def score(self, text: str) -> int:
        """How many detection patterns occur in the normalised text."""
        return sum(1 for pattern in self.detect if pattern.search(text))


def _fail(path: Path, what: str) -> ProfileError:
    return ProfileError(
        "profile", what, "fix the profile file (see README, 'Outlet profiles')", file=str(path)
    )


def _compile(path: Path, pattern: object, where: str) -> re.Pattern[str]:
    if not isinstance(pattern, str):
        raise _fail(path, f"{where}: pattern must be a string")
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise _fail(path, f"{where}: invalid regular expression ({exc})") from None


def _rule(path: Path, source: str, raw: dict[str, Any]) -> Rule:
    unknown = set(raw) - _RULE_KEYS
    name = raw.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]+", name):
        raise _fail(path, f"rule {name!r}: name must be lower-case letters, digits and _")
    if unknown:
        raise _fail(path, f"rule {name}: unknown keys {sorted(unknown)}")
    zone = raw.get("zone", "any")
    if zone not in ZONES:
        raise _fail(path, f"rule {name}: zone must be one of {', '.join(ZONES)}")
    pattern = _compile(path, raw.get("pattern"), f"rule {name}")
    targets: dict[str, str] = {}
    for group in pattern.groupindex:
        match = _TARGET_NAME.match(group)
        if match is None or match.group("target") not in TARGETS:
            raise _fail(path, f"rule {name}: group {group!r} is not one of {', '.join(TARGETS)}")
        targets[group] = match.group("target")
    if not targets:
        raise _fail(path, f"rule {name}: the pattern has no named group to send text to")
    if "boilerplate" in targets.values() and not raw.get("kind"):
        raise _fail(path, f"rule {name}: a boilerplate group needs a kind")
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
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(path, f"not valid TOML ({exc})") from None


def _outlet(path: Path, raw: dict[str, Any]) -> Outlet:
    try:
        return Outlet(
            id=str(raw["id"]),
            name=str(raw["name"]),
            domain=raw.get("domain"),
            country=str(raw["country"]),
            founded=raw.get("founded"),
            affiliation=str(raw["affiliation"]),
            timezone=raw.get("timezone"),
            language=str(raw.get("language", "en")),
        )
    except KeyError as exc:
        raise _fail(path, f"[outlet] lacks {exc.args[0]}") from None


def _load_one(path: Path, folder: Path) -> Profile:
    raw = _read(path)
    if "outlet" not in raw:
        raise _fail(path, "no [outlet] table")
    outlet = _outlet(path, raw["outlet"])
    if outlet.id != path.stem:
        raise _fail(path, f"[outlet] id {outlet.id!r} must equal the file name {path.stem!r}")
    own = [_rule(path, outlet.id, r) for r in raw.get("rule", [])]
    included: list[Rule] = []
    for name in raw.get("include", []):
        inc_path = folder / f"{name}.toml"
        if not inc_path.is_file():
            inc_path = BUILTIN_DIR / f"{name}.toml"
        if not inc_path.is_file():
            raise _fail(path, f"include {name!r}: no file {name}.toml")
        included += [_rule(inc_path, name, r) for r in _read(inc_path).get("rule", [])]
    # Specific rules (furniture named by its wording) win over rules that match by shape.
    ordered = [r for r in own + included if not r.shape] + [r for r in own + included if r.shape]
    detect = tuple(_compile(path, p, "detect") for p in raw.get("detect", {}).get("patterns", []))
    dates = tuple(_compile(path, d.get("pattern"), "date") for d in raw.get("date", []))
    return Profile(outlet=outlet, detect=detect, dates=dates, rules=tuple(ordered))


@cache
def load_profiles(folder: Path | None = None) -> tuple[Profile, ...]:
    """All outlet profiles (built-in, overridden or extended by ``folder``), generic last."""
    files = {p.stem: p for p in sorted(BUILTIN_DIR.glob("*.toml"))}
    if folder is not None:
        files.update({p.stem: p for p in sorted(folder.glob("*.toml"))})
    profiles: list[Profile] = []
    for _stem, path in sorted(files.items()):
        raw_outlet = _read(path).get("outlet")
        if raw_outlet is None:
            continue  # an include-only file such as common.toml
        profiles.append(_load_one(path, path.parent))
    if not any(p.id == GENERIC for p in profiles):
        raise _fail(BUILTIN_DIR / "generic.toml", "the generic fallback profile is missing")
    return tuple(sorted(profiles, key=lambda p: (p.id == GENERIC, p.id)))


def outlet_registry(folder: Path | None = None) -> dict[str, Outlet]:
    """Outlet facts by outlet id."""
    return {p.id: p.outlet for p in load_profiles(folder)}
