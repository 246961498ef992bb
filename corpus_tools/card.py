"""The dataset card (dist/README.md) and CHANGELOG.md, computed from the data and metadata."""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from typing import Any

import yaml
from datasets import DatasetInfo
from datasets.splits import SplitDict, SplitInfo

from corpus_tools.changes import Changes
from corpus_tools.convert import Record
from corpus_tools.croissant import cite_as
from corpus_tools.features import schema_features
from corpus_tools.metadata import DatasetMeta
from corpus_tools.profiles import Outlet, outlet_registry
from corpus_tools.schema import field_docs

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


def card_metadata(
    meta: DatasetMeta, records: Sequence[Record], num_bytes: int, download_size: int
) -> dict[str, Any]:
    """The YAML header the Hub reads."""
    info = DatasetInfo(
        features=schema_features(),
        splits=SplitDict(
            {"train": SplitInfo(name="train", num_bytes=num_bytes, num_examples=len(records))}
        ),
        download_size=download_size,
        dataset_size=num_bytes,
    )
    return {
        "pretty_name": meta.pretty_name,
        "license": meta.license_id,
        "license_name": meta.license_name,
        "license_details": meta.license_details,
        "language": list(meta.allowed_languages),
        "task_categories": list(meta.task_categories),
        "size_categories": [_size_category(len(records))],
        "source_datasets": list(meta.source_datasets),
        "annotations_creators": list(meta.annotations_creators),
        "tags": list(meta.tags),
        "configs": [
            {
                "config_name": "default",
                "data_files": [{"split": "train", "path": "data/train-*.parquet"}],
            }
        ],
        "dataset_info": info._to_yaml_dict(),
    }


def _version_line(meta: DatasetMeta, unreleased: Changes | None) -> str:
    if meta.version == "0.0.0":
        return "**Version:** not released yet (this build precedes the first release)."
    line = f'**Version:** {meta.version} (load it with `revision="v{meta.version}"`).'
    if unreleased is not None and not unreleased.empty:
        line += (
            f" This build has changes not yet released after v{meta.version}; see the changelog."
        )
    return line


def _sources(records: Sequence[Record], registry: dict[str, Outlet]) -> str:
    counts = Counter(r["outlet"]["id"] for r in records)
    rows = [
        "| Outlet | Domain | Country | Founded | Ownership or affiliation | Articles |",
        "|---|---|---|---|---|---|",
    ]
    for outlet_id, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        o = registry[outlet_id]
        country = "not established" if o.country == "ZZ" else o.country
        rows.append(
            f"| {md(o.name)} | {md(o.domain) if o.domain else 'not established'} | {country} "
            f"| {o.founded or 'not established'} | {md(o.affiliation)} | {count} |"
        )
    return "\n".join(rows)


def _fields_table() -> str:
    rows = ["| Field | Type | Description |", "|---|---|---|"]
    rows += [f"| `{name}` | {kind} | {md(desc)} |" for name, kind, desc in field_docs()]
    return "\n".join(rows)


def _example(records: Sequence[Record]) -> str:
    record = dict(records[0])
    shortened = []
    for key in ("body", "boilerplate", "source_map", "captions"):
        if len(record[key]) > 3:
            shortened.append(f"{key} ({len(record[key])} items)")
            record[key] = record[key][:3]
    if len(record["text"]) > 300:
        shortened.append(f"text ({record['char_count']} characters)")
        record["text"] = record["text"][:300] + "…"
    note = (
        f"Shortened for display: {', '.join(shortened)} show their first items only."
        if shortened
        else "Shown in full."
    )
    body = json.dumps(record, ensure_ascii=False, indent=2)
    return f"The first record, `{records[0]['id']}`. {note}\n\n{fenced(body, 'json')}"


def _statistics(records: Sequence[Record], registry: dict[str, Outlet]) -> str:
    n = len(records)
    dated = [r for r in records if r["published"]]
    precision = Counter(r["published"]["precision"] for r in dated)
    words = [r["word_count"] for r in records]
    lines = [f"- Articles: {n}."]
    if dated:
        dates = sorted(r["published"]["date"] for r in dated)
        lines.append(
            f"- Publication dates: {len(dated)} of {n} articles carry one, from {dates[0]} to "
            f"{dates[-1]}; precision "
            + ", ".join(f"{k}: {v}" for k, v in sorted(precision.items()))
            + "."
        )
    else:
        lines.append(f"- Publication dates: none of the {n} articles carries one.")
    lines.append(
        f"- Words per article (`word_count`): min {min(words)}, median "
        f"{statistics.median(words):g}, mean {statistics.fmean(words):.1f}, max {max(words)}."
    )
    table = ["| Outlet | Articles | Dated | Words (min–max) |", "|---|---|---|---|"]
    by_outlet: dict[str, list[Record]] = {}
    for r in records:
        by_outlet.setdefault(r["outlet"]["id"], []).append(r)
    for outlet_id, group in sorted(by_outlet.items()):
        counts = [r["word_count"] for r in group]
        table.append(
            f"| {md(registry[outlet_id].name)} | {len(group)} | "
            f"{sum(1 for r in group if r['published'])} | {min(counts)}–{max(counts)} |"
        )
    return "\n".join(lines) + "\n\n" + "\n".join(table)


def _removed(records: Sequence[Record]) -> str:
    kinds = Counter(b["kind"] for r in records for b in r["boilerplate"])
    rows = ["| Kind | Why it is removed | Pieces in this build |", "|---|---|---|"]
    for kind, count in sorted(kinds.items()):
        reason = KIND_REASONS.get(kind, "page furniture named by an outlet profile")
        rows.append(f"| `{kind}` | {md(reason)} | {count} |")
    return "\n".join(rows)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _limitations(records: Sequence[Record]) -> str:
    undated = [r for r in records if not r["published"]]
    untitled = [r for r in records if r["title"] is None]
    coarse = [r for r in records if r["published"] and r["published"]["precision"] != "minute"]
    fallback = [r for r in records if r["converter"]["fallback"]]
    items = [
        "- The outlets are state-owned, state-affiliated or partisan (see Sources). The "
        "articles present their claims and framing; they are reported here as published and "
        "were not fact-checked. Words such as 'martyred', 'occupiers' or 'resistance' are the "
        "outlets' own and do not describe events neutrally.",
        "- The corpus is tiny and hand-picked around one topic: it represents neither the "
        "outlets' whole output nor the range of coverage of US forces in Iraq and Syria.",
    ]
    if undated:
        ids = ", ".join(f"`{r['id']}`" for r in undated)
        items.append(
            f"- {len(undated)} of {len(records)} articles carry no publication date ({ids}); "
            "dates mentioned in their text are not publication dates and were not used."
        )
    if coarse:
        ids = ", ".join(f"`{r['id']}` ({md(r['published']['raw'])})" for r in coarse)
        items.append(
            f"- {_count(len(coarse), 'date')} {'is' if len(coarse) == 1 else 'are'} less precise "
            f"than a minute ({ids}); a truncated time keeps only what the page shows, and the "
            "minutes were not guessed."
        )
    if untitled:
        ids = ", ".join(f"`{r['id']}`" for r in untitled)
        items.append(
            f"- {_count(len(untitled), 'article')} lost the headline in the page copy ({ids}); "
            "`title` is null there and no headline was invented."
        )
    if fallback:
        ids = ", ".join(f"`{r['id']}`" for r in fallback)
        items.append(f"- {_count(len(fallback), 'article')} matched no outlet profile ({ids}).")
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
        for item in changes[key]:
            lines.append(f"- {label} `{item['id']}`: {md(item['title'])}")
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


def render_card(
    meta: DatasetMeta,
    records: Sequence[Record],
    changelog: str,
    unreleased: Changes | None,
    num_bytes: int,
    download_size: int,
) -> str:
    """The whole dataset card."""
    registry = outlet_registry()
    header = yaml.safe_dump(
        card_metadata(meta, records, num_bytes, download_size),
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    changelog_body = changelog.split("\n", 2)[2] if changelog.count("\n") >= 2 else changelog
    sections = [
        f"---\n{header}---",
        f"# {md(meta.pretty_name)}",
        _version_line(meta, unreleased),
        "## Dataset Summary\n\n" + md(meta.summary),
        "The records are the outlets' own words, cleaned of page furniture and structured "
        "(headline, date, body blocks, captions). Nothing in them was verified: they document "
        "what these outlets published, not what happened.",
        "## Sources\n\n" + _sources(records, registry),
        "## Uses\n\n### Direct Use\n\n"
        "- Studying how state-affiliated and partisan outlets frame the presence of US forces "
        "in Iraq and Syria: vocabulary, sources quoted, attribution, headlines.\n"
        "- Testing text-processing tools (boilerplate removal, date extraction) against a "
        "small, fully accounted-for gold standard: every seed line is traceable through "
        "`source_map`.\n\n"
        "### Out-of-Scope Use\n\n"
        "- Using the articles as a source of facts about events, casualties or troop numbers.\n"
        "- Training models to generate news or to classify truthfulness without the outlets' "
        "affiliation as context.\n"
        "- Commercial reuse of the text: the articles remain their publishers' copyright.",
        "## Dataset Structure\n\nOne split, `train`, with one row per seed article, in seed "
        "file order. The fields below are generated from `article.schema.json`, which is "
        "shipped with the data.\n\n### Data Fields\n\n" + _fields_table(),
        "### Data Instance\n\n" + _example(records),
        "## Dataset Creation\n\n### Source Data\n\n"
        "Each seed is an article page copied as plain text from the outlet's website "
        "(`NNN_<id>.txt`). The seeds are kept byte for byte; `seed_sha256` identifies them.\n\n"
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
        "written.\n\nWhat the profiles removed from this build:\n\n" + _removed(records),
        "## Statistics\n\n" + _statistics(records, registry),
        "## Bias, Risks, and Limitations\n\n" + _limitations(records),
        "### Recommendations\n\nCite the outlet with every quotation, treat every claim as the "
        "outlet's claim, and read `published.precision` before comparing times.",
        "## Licensing\n\n" + md(meta.license_details),
        "## Citation\n\n" + fenced(cite_as(meta), "bibtex"),
        "## Changelog\n\n" + ("\n" + changelog_body.strip()).replace("\n## ", "\n### ").strip(),
    ]
    return "\n\n".join(sections) + "\n"
