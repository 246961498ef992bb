"""Account for a seed: each non-blank line lands in exactly one place, as source_map says."""

from __future__ import annotations

from collections import Counter
from typing import Any

from corpus_tools.convert.profiles import SEPARATORS
from corpus_tools.convert.rules import SINGLE_FIELDS
from corpus_tools.record import Record, SourceMapEntry

_TEXT_FIELDS = tuple(name for name in SINGLE_FIELDS if name != "published")


def resolve(record: Record | dict[str, Any], pointer: str) -> Any:
    """The value a JSON Pointer such as /body/3/text names in a record."""
    value: Any = record
    for part in pointer.strip("/").split("/"):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def _values(record: Record) -> list[str]:
    """Every place a piece of a seed line can land, as JSON Pointers."""
    fields: dict[str, Any] = dict(record)
    paths = [f"/{name}" for name in _TEXT_FIELDS if fields[name] is not None]
    if record["published"] is not None:
        paths.append("/published/raw")
    paths += [f"/body/{i}/text" for i in range(len(record["body"]))]
    paths += [f"/captions/{i}" for i in range(len(record["captions"]))]
    paths += [f"/boilerplate/{i}/text" for i in range(len(record["boilerplate"]))]
    return paths


def unaccounted(record: Record, lines: list[str]) -> list[str]:
    """Why the record does not account for the normalised seed lines (empty when it does)."""
    problems: list[str] = []
    by_line: dict[int, list[SourceMapEntry]] = {}
    for entry in record["source_map"]:
        by_line.setdefault(entry["line"], []).append(entry)
        value = resolve(record, entry["path"])
        line = lines[entry["line"] - 1] if entry["line"] <= len(lines) else ""
        if line[entry["start"] : entry["end"]] != value:
            problems.append(f"line {entry['line']}: {entry['path']} is not the text it maps to")
    for number, line in enumerate(lines, start=1):
        entries = sorted(by_line.get(number, []), key=lambda e: e["start"])
        if line and not entries:
            problems.append(f"line {number} lands nowhere")
        covered = 0
        for entry in entries:
            if entry["start"] < covered:
                problems.append(f"line {number}: two places overlap")
            elif not SEPARATORS.fullmatch(line[covered : entry["start"]]):
                problems.append(f"line {number}: {line[covered : entry['start']]!r} is lost")
            covered = max(covered, entry["end"])
        if entries and not SEPARATORS.fullmatch(line[covered:]):
            problems.append(f"line {number}: {line[covered:]!r} is lost")
    uses = Counter(entry["path"] for entry in record["source_map"])
    for path in _values(record):
        if uses[path] != 1:
            problems.append(f"{path} comes from {uses[path]} line pieces, not exactly one")
    return problems
