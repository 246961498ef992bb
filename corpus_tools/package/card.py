"""The dataset card (dist/README.md) and CHANGELOG.md, computed from the data and metadata."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

from corpus_tools.convert.profiles import Outlet
from corpus_tools.package.croissant import cite_as
from corpus_tools.release.changes import Changes

if TYPE_CHECKING:
    from huggingface_hub import DatasetCardData

    from corpus_tools.project import Project

# At most this many ids are listed in a sentence of the card; the full lists go to a file.
ID_LIST_CAP = 20
# Strings and lists in the card's data example are cut to these sizes.
EXAMPLE_TEXT = 300
EXAMPLE_ITEMS = 3
# Why each kind of page furniture is removed from the article text.
KIND_REASONS = {
    "tagline": "the site's slogan, printed on every page",
    "related_headline": "headlines of other articles inserted into or listed after the body",
    "tag": "the page's tag or keyword block",
    "comment_form": "reader-comment forms and their instructions",
    "share": "share buttons and promotion of the outlet's channels",
    "footer": "site footers, mirror addresses and app links",
    "end_marker": "markers such as 'end of message' that close the wire copy",
    "agency_credit": "the agency's name set before a paragraph (kept here, out of the text)",
    "site_suffix": "the site name appended to the headline",
    "label": "labels such as 'News ID:' or 'By' whose value is kept in its own field",
    "navigation": "menus and breadcrumbs that are not the article's section",
    "credit": "wire-service credits such as 'Reporting by' or 'Source:' lines",
    "furniture": "lines the generic line classifier judged to be page furniture (menus, link "
    "lists, related headlines, footers)",
}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md(text: str | None) -> str:
    """Escape text from the data for a Markdown table cell or paragraph."""
    if text is None:
        return "—"
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def fenced(text: str, lang: str = "") -> str:
    """A code block whose fence is longer than any backtick run inside it."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{text}\n{fence}"


def _size_category(n: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K")):
        if n < limit:
            return label
    return "100K<n<1M"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


_HEX16 = re.compile(r"[0-9a-f]{16}")


class IdList(Sequence[str]):
    """Record ids in the order they were added, 8 bytes each: by the schema an id is 16
    lower-case hex digits (a Python string of them takes 65). Should another id come, the
    list keeps plain strings from then on."""

    def __init__(self, ids: Iterable[str] = ()) -> None:
        self._packed = bytearray()
        self._plain: list[str] | None = None
        for rid in ids:
            self.append(rid)

    def append(self, rid: str) -> None:
        if self._plain is None:
            if _HEX16.fullmatch(rid):
                self._packed += bytes.fromhex(rid)
                return
            self._plain = list(self)
        self._plain.append(rid)

    def extend(self, other: IdList) -> None:
        if self._plain is None and other._plain is None:
            self._packed += other._packed
        else:
            for rid in other:
                self.append(rid)

    def __len__(self) -> int:
        return len(self._plain) if self._plain is not None else len(self._packed) // 8

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if self._plain is not None:
            return self._plain[index]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._packed[index * 8 : index * 8 + 8].hex()

    def __iter__(self) -> Iterator[str]:
        if self._plain is not None:
            return iter(self._plain)
        packed = self._packed
        return (packed[i : i + 8].hex() for i in range(0, len(packed), 8))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IdList | list | tuple) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


@dataclass
class CardStats:
    """What the card reports about the records, gathered one record at a time.

    Only counts and ids are kept (never texts), apart from the first record, which the card
    shows as its data example.
    """

    n: int = 0
    first: dict[str, Any] | None = None
    outlets: Counter[str] = field(default_factory=Counter)
    dated_by_outlet: Counter[str] = field(default_factory=Counter)
    words_by_outlet: dict[str, list[int]] = field(default_factory=dict)
    # Each word count with how many records have it: a few thousand numbers at any size.
    words: Counter[int] = field(default_factory=Counter)
    precision: Counter[str] = field(default_factory=Counter)
    first_date: str | None = None
    last_date: str | None = None
    # Ids only (8 bytes each); the dates as printed only for the coarse ones the card shows.
    undated: IdList = field(default_factory=IdList)
    untitled: IdList = field(default_factory=IdList)
    coarse: IdList = field(default_factory=IdList)
    coarse_raw: list[str] = field(default_factory=list)
    fallback: IdList = field(default_factory=IdList)
    boilerplate: Counter[str] = field(default_factory=Counter)

    def add_many(self, records: Sequence[Any]) -> None:
        """Count records, in order: the counters are updated once for all of them."""
        if not records:
            return
        if self.first is None:
            self.first = example(records[0])
        self.n += len(records)
        outlets, words, dated, precisions, dates, kinds = [], [], [], [], [], []
        spans = self.words_by_outlet
        for record in records:
            outlet, rid, count = record["outlet"]["id"], record["id"], record["word_count"]
            outlets.append(outlet)
            words.append(count)
            span = spans.get(outlet)
            if span is None:
                spans[outlet] = [count, count]
            elif count < span[0]:
                span[0] = count
            elif count > span[1]:
                span[1] = count
            published = record["published"]
            if published:
                dated.append(outlet)
                precision = published["precision"]
                precisions.append(precision)
                dates.append(published["date"])
                if precision != "minute":
                    self.coarse.append(rid)
                    if len(self.coarse_raw) < ID_LIST_CAP:
                        self.coarse_raw.append(published["raw"])
            else:
                self.undated.append(rid)
            if record["title"] is None:
                self.untitled.append(rid)
            if record["converter"]["fallback"]:
                self.fallback.append(rid)
            kinds += [b["kind"] for b in record["boilerplate"]]
        self.outlets.update(outlets)
        self.words.update(words)
        self.dated_by_outlet.update(dated)
        self.precision.update(precisions)
        self.boilerplate.update(kinds)
        if dates:
            low, high = min(dates), max(dates)
            self.first_date = low if self.first_date is None else min(self.first_date, low)
            self.last_date = high if self.last_date is None else max(self.last_date, high)

    def merge(self, other: CardStats) -> None:
        """Add the counts of records that came after this object's (a worker's chunk)."""
        if self.first is None:
            self.first = other.first
        self.n += other.n
        self.outlets.update(other.outlets)
        self.dated_by_outlet.update(other.dated_by_outlet)
        for outlet, (low, high) in other.words_by_outlet.items():
            span = self.words_by_outlet.setdefault(outlet, [low, high])
            span[0], span[1] = min(span[0], low), max(span[1], high)
        self.words.update(other.words)
        self.precision.update(other.precision)
        dates = [d for d in (self.first_date, other.first_date) if d is not None]
        self.first_date = min(dates) if dates else None
        dates = [d for d in (self.last_date, other.last_date) if d is not None]
        self.last_date = max(dates) if dates else None
        self.undated.extend(other.undated)
        self.untitled.extend(other.untitled)
        self.coarse.extend(other.coarse)
        self.coarse_raw.extend(other.coarse_raw[: ID_LIST_CAP - len(self.coarse_raw)])
        self.fallback.extend(other.fallback)
        self.boilerplate.update(other.boilerplate)


def _shorten(value: Any, notes: list[str], where: str) -> Any:
    """Every long string and long list cut, so the example's size does not depend on the data."""
    if isinstance(value, str) and len(value) > EXAMPLE_TEXT:
        notes.append(f"{where} ({len(value)} characters)")
        return value[:EXAMPLE_TEXT] + "…"
    if isinstance(value, list):
        if len(value) > EXAMPLE_ITEMS:
            notes.append(f"{where} ({len(value)} items)")
        return [_shorten(v, notes, f"{where}[{i}]") for i, v in enumerate(value[:EXAMPLE_ITEMS])]
    if isinstance(value, dict):
        return {k: _shorten(v, notes, f"{where}.{k}" if where else k) for k, v in value.items()}
    return value


def example(record: Any) -> dict[str, Any]:
    """The card's data example: the record with long strings and lists shortened."""
    notes: list[str] = []
    short = _shorten(dict(record), notes, "")
    return {"id": record["id"], "record": short, "notes": notes}


def _example(stats: CardStats) -> str:
    assert stats.first is not None
    notes = stats.first["notes"]
    note = (
        f"Shortened for display: {', '.join(notes)} show their first part only."
        if notes
        else "Shown in full."
    )
    body = json.dumps(stats.first["record"], ensure_ascii=False, indent=2)
    return f"The first record, `{stats.first['id']}`. {note}\n\n{fenced(body, 'json')}"


def card_metadata(
    project: Project, stats: CardStats, num_bytes: int, download_size: int
) -> DatasetCardData:
    """The YAML header the Hub reads, as huggingface_hub's DatasetCardData."""
    from datasets import DatasetInfo
    from datasets.splits import SplitDict, SplitInfo
    from huggingface_hub import DatasetCardData

    from corpus_tools.package.features import schema_features

    meta = project.meta
    info = DatasetInfo(
        features=schema_features(project.schema),
        splits=SplitDict(
            {"train": SplitInfo(name="train", num_bytes=num_bytes, num_examples=stats.n)}
        ),
        download_size=download_size,
        dataset_size=num_bytes,
    )
    return DatasetCardData(
        pretty_name=meta.pretty_name,
        license=meta.license_id,
        language=list(meta.allowed_languages),
        task_categories=list(meta.task_categories) or None,
        size_categories=[_size_category(stats.n)],
        source_datasets=list(meta.source_datasets),
        annotations_creators=list(meta.annotations_creators),
        tags=list(meta.tags) or None,
        license_name=meta.license_name or None,
        license_details=meta.license_details or None,
        configs=[
            {
                "config_name": "default",
                "data_files": [{"split": "train", "path": "data/train-*.parquet"}],
            }
        ],
        dataset_info=info._to_yaml_dict(),
    )


def _version_line(version: str, unreleased: Changes | None) -> str:
    if version == "0.0.0":
        return "**Version:** not released yet (this build precedes the first release)."
    line = f'**Version:** {version} (load it with `revision="v{version}"`).'
    if unreleased is not None and not unreleased.empty:
        line += f" This build has changes not yet released after v{version}; see the changelog."
    return line


def _sources(stats: CardStats, registry: dict[str, Outlet]) -> str:
    rows = [
        "| Outlet | Domain | Country | Founded | Ownership or affiliation | Articles |",
        "|---|---|---|---|---|---|",
    ]
    for outlet_id, count in sorted(stats.outlets.items(), key=lambda kv: (-kv[1], kv[0])):
        o = registry[outlet_id]
        country = "not established" if o.country == "ZZ" else o.country
        rows.append(
            f"| {md(o.name)} | {md(o.domain) if o.domain else 'not established'} | {country} "
            f"| {o.founded or 'not established'} | {md(o.affiliation)} | {count} |"
        )
    return "\n".join(rows)


def _fields_table(project: Project) -> str:
    rows = ["| Field | Type | Description |", "|---|---|---|"]
    rows += [
        f"| `{name}` | {kind} | {md(desc)} |" for name, kind, desc in project.schema.field_docs()
    ]
    return "\n".join(rows)


def word_stats(counts: Counter[int]) -> tuple[int, float, float, int]:
    """Min, median, mean and max of the counted values, as ``statistics.median`` and
    ``statistics.fmean`` give them for the values one by one."""
    ordered = sorted(counts.items())
    n = sum(counts.values())

    def nth(index: int) -> int:
        seen = 0
        for value, count in ordered:
            seen += count
            if index < seen:
                return value
        raise IndexError(index)

    median = nth(n // 2) if n % 2 else (nth(n // 2 - 1) + nth(n // 2)) / 2
    # fmean divides the exact sum, rounded to a float, by n: the same as this division while
    # the sum stays below 2**53 (a billion articles of nine million words).
    mean = sum(value * count for value, count in ordered) / n
    return ordered[0][0], median, mean, ordered[-1][0]


def _statistics(stats: CardStats, registry: dict[str, Outlet]) -> str:
    n = stats.n
    dated = sum(stats.dated_by_outlet.values())
    words = stats.words
    lines = [f"- Articles: {n}."]
    if dated:
        lines.append(
            f"- Publication dates: {dated} of {n} articles carry one, from {stats.first_date} "
            f"to {stats.last_date}; precision "
            + ", ".join(f"{k}: {v}" for k, v in sorted(stats.precision.items()))
            + "."
        )
    else:
        lines.append(f"- Publication dates: none of the {n} articles carries one.")
    low, median, mean, high = word_stats(words)
    lines.append(
        f"- Words per article (`word_count`): min {low}, median {median:g}, mean {mean:.1f}, "
        f"max {high}."
    )
    table = ["| Outlet | Articles | Dated | Words (min–max) |", "|---|---|---|---|"]
    for outlet_id in sorted(stats.outlets):
        low, high = stats.words_by_outlet[outlet_id]
        table.append(
            f"| {md(registry[outlet_id].name)} | {stats.outlets[outlet_id]} | "
            f"{stats.dated_by_outlet[outlet_id]} | {low}–{high} |"
        )
    return "\n".join(lines) + "\n\n" + "\n".join(table)


def _removed(stats: CardStats) -> str:
    rows = ["| Kind | Why it is removed | Pieces in this build |", "|---|---|---|"]
    for kind, count in sorted(stats.boilerplate.items()):
        reason = KIND_REASONS.get(kind, "page furniture named by an outlet profile")
        rows.append(f"| `{kind}` | {md(reason)} | {count} |")
    return "\n".join(rows)


def _ids(ids: Sequence[str], list_file: str) -> str:
    """Ids for a sentence: all of them when few, else the first ones and where the rest are."""
    shown = ", ".join(f"`{i}`" for i in ids[:ID_LIST_CAP])
    if len(ids) > ID_LIST_CAP:
        shown += f" and {len(ids) - ID_LIST_CAP} more, listed in [{list_file}]({list_file})"
    return shown


ID_LISTS = "id-lists.json"


def id_lists(stats: CardStats) -> dict[str, list[str]]:
    """The full lists of ids the card names, for the file the card links to when it caps them."""
    return {
        "undated": list(stats.undated),
        "untitled": list(stats.untitled),
        "coarse_date": list(stats.coarse),
        "fallback": list(stats.fallback),
    }


def needs_id_lists(stats: CardStats) -> bool:
    lists = (stats.undated, stats.untitled, stats.coarse, stats.fallback)  # as id_lists names
    return any(len(ids) > ID_LIST_CAP for ids in lists)


def _limitations(project: Project, stats: CardStats) -> str:
    items = []
    written = project.prose.get("limitations.md")
    if written:
        items.append(written)
    n = stats.n
    if stats.undated:
        items.append(
            f"- {len(stats.undated)} of {n} articles carry no publication date "
            f"({_ids(stats.undated, ID_LISTS)}); dates mentioned in their text are not "
            "publication dates and were not used."
        )
    if stats.coarse:
        coarse = stats.coarse
        pairs = zip(coarse[:ID_LIST_CAP], stats.coarse_raw, strict=True)
        shown = ", ".join(f"`{i}` ({md(raw)})" for i, raw in pairs)
        if len(coarse) > ID_LIST_CAP:
            shown += f" and {len(coarse) - ID_LIST_CAP} more, listed in [{ID_LISTS}]({ID_LISTS})"
        items.append(
            f"- {_count(len(coarse), 'date')} {'is' if len(coarse) == 1 else 'are'} less precise "
            f"than a minute ({shown}); a truncated time keeps only what the page shows, and the "
            "minutes were not guessed."
        )
    if stats.untitled:
        items.append(
            f"- {_count(len(stats.untitled), 'article')} lost the headline in the page copy "
            f"({_ids(stats.untitled, ID_LISTS)}); `title` is null there and no headline was "
            "invented."
        )
    if stats.fallback:
        items.append(
            f"- {_count(len(stats.fallback), 'article')} matched no outlet profile "
            f"({_ids(stats.fallback, ID_LISTS)})."
        )
    items.append(
        "- Conversion is rule-based. A profile may miss furniture it has not seen, or remove a "
        "short line that belongs to the article; `boilerplate` and `source_map` let you check "
        "every decision against the seed line."
    )
    return "\n".join(items)


def render_changelog(history: Sequence[dict[str, Any]], unreleased: Changes | None) -> str:
    """CHANGELOG.md: unreleased changes first, then every release, newest first."""
    parts = ["# Changelog", ""]
    if unreleased is not None and not unreleased.empty:
        parts += ["## Unreleased", "", *_change_lines(unreleased.to_json()), ""]
    for release in reversed(history):
        bump = release.get("bump", "initial")
        parts += [
            f"## v{release['version']} ({release['date']}, {bump})",
            "",
            *_change_lines(release["changes"]),
            "",
        ]
    if len(parts) == 2:
        parts += ["No release yet.", ""]
    return "\n".join(parts)


def _change_lines(changes: dict[str, Any]) -> list[str]:
    lines = []
    for key, label in (("added", "Added"), ("removed", "Removed"), ("changed", "Corrected")):
        # Capped like every list of ids, so a release of a large corpus stays readable; the
        # release file in releases/ lists them all.
        # A release read by release_history keeps its first ids and their total.
        total = changes.get(f"{key}_total", len(changes[key]))
        for item in changes[key][:ID_LIST_CAP]:
            lines.append(f"- {label} `{item['id']}`: {md(item['title'])}")
        if total > ID_LIST_CAP:
            more = total - ID_LIST_CAP
            lines.append(f"- {label}: {more} more records, listed in the release's file")
    schema = changes["schema"]
    for key, label in (
        ("fields_added", "Field added"),
        ("fields_removed", "Field removed"),
        ("fields_retyped", "Field type changed"),
    ):
        if key == "fields_added" and len(schema[key]) > 8:
            lines.append(f"- Schema: {len(schema[key])} fields (the first schema)")
            continue
        lines += [f"- {label}: `{name}`" for name in schema[key]]
    if schema["edited"] and not any(schema[k] for k in schema if k != "edited"):
        lines.append("- Schema descriptions or constraints edited (no field added or removed)")
    if changes.get("metadata", {}).get("edited"):
        lines.append("- Dataset metadata edited (dataset.toml: description, license or tags)")
    return lines or ["- No changes."]


def _prose(project: Project, file: str, heading: str) -> list[str]:
    text = project.prose.get(file)
    return [f"{heading}\n\n{text}"] if text else []


def _dataset_sources(project: Project) -> list[str]:
    meta = project.meta
    lines = []
    if meta.repository:
        lines.append(f"- **Repository:** {meta.repository}")
    if meta.hub_repo:
        lines.append(f"- **Hub:** https://huggingface.co/datasets/{meta.hub_repo}")
    return ["## Dataset Sources\n\n" + "\n".join(lines)] if lines else []


def render_card(
    project: Project,
    version: str,
    stats: CardStats,
    changelog: str,
    unreleased: Changes | None,
    num_bytes: int,
    download_size: int,
) -> str:
    """The whole dataset card: computed sections, and the project's prose where written."""
    from huggingface_hub import DatasetCard

    meta = project.meta
    registry = project.profiles.registry
    changelog_body = changelog.split("\n", 2)[2] if changelog.count("\n") >= 2 else changelog
    uses = _prose(project, "uses.md", "### Direct Use") + _prose(
        project, "out_of_scope.md", "### Out-of-Scope Use"
    )
    sections = [
        f"# {md(meta.pretty_name)}",
        _version_line(version, unreleased),
        "## Dataset Summary\n\n" + md(meta.summary),
        "The records are the outlets' own words, cleaned of page furniture and structured "
        "(headline, date, body blocks, captions). Nothing in them was verified: they document "
        "what these outlets published, not what happened.",
        *_dataset_sources(project),
        "## Sources\n\n" + _sources(stats, registry),
        *(["## Uses\n\n" + "\n\n".join(uses)] if uses else []),
        "## Dataset Structure\n\nOne split, `train`, with one row per seed article, in seed "
        "file order. The fields below are generated from `article.schema.json`, which is "
        "shipped with the data.\n\n### Data Fields\n\n" + _fields_table(project),
        "### Data Instance\n\n" + _example(stats),
        "## Dataset Creation",
        *_prose(project, "curation_rationale.md", "### Curation Rationale"),
        "### Source Data\n\n"
        "Each seed is an article page copied as plain text from the outlet's website "
        "(`NNN_<id>.txt`). The seeds are kept byte for byte; `seed_sha256` identifies them.",
        "### Collection and Processing\n\n"
        "corpus-tools decodes each seed as UTF-8 and normalises only whitespace: it drops a "
        "byte-order mark, unifies line endings, turns non-breaking and other Unicode spaces into "
        "plain spaces and strips each line's ends. Words and punctuation are never changed. A "
        "declarative profile per outlet (detection patterns, line rules, date formats, time "
        "zone) then sends each piece of each line to one place: a field, a body block, a "
        "caption, or `boilerplate` with the rule that removed it. A date is taken only from the "
        "page's date line, and a truncated time lowers `published.precision` instead of being "
        "guessed. Every record is validated against the JSON Schema, and the table by Pandera "
        "checks (unique ids, texts and seeds; counts agreeing with the text; dates within the "
        "outlet's lifetime; outlet facts agreeing with the registry), before anything is "
        "written.\n\nWhat the profiles removed from this build:\n\n" + _removed(stats),
        *_prose(project, "personal_information.md", "### Personal and Sensitive Information"),
        "## Statistics\n\n" + _statistics(stats, registry),
        "## Bias, Risks, and Limitations\n\n" + _limitations(project, stats),
        *_prose(project, "recommendations.md", "### Recommendations"),
        "## Licensing\n\n"
        + (md(meta.license_details) if meta.license_details else f"License: `{meta.license_id}`."),
        "## Citation\n\n" + fenced(cite_as(meta, version), "bibtex"),
        *(["## Dataset Card Contact\n\n" + md(meta.contact)] if meta.contact else []),
        "## Changelog\n\n" + ("\n" + changelog_body.strip()).replace("\n## ", "\n### ").strip(),
    ]
    data = card_metadata(project, stats, num_bytes, download_size)
    card = DatasetCard(f"---\n{data.to_yaml()}\n---\n\n" + "\n\n".join(sections) + "\n")
    return str(card)
