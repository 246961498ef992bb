"""What changed between two data manifests, and which semantic-version bump that needs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

BUMPS = ("major", "minor", "patch")


@dataclass
class Changes:
    """Record and schema differences between a release and a build."""

    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    fields_added: list[str] = field(default_factory=list)
    fields_removed: list[str] = field(default_factory=list)
    fields_retyped: list[str] = field(default_factory=list)
    schema_edited: bool = False
    metadata_edited: bool = False

    @property
    def empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.changed
            or self.fields_added
            or self.fields_removed
            or self.fields_retyped
            or self.schema_edited
            or self.metadata_edited
        )

    def needed_bump(self) -> str | None:
        """major: readers break (fields removed, retyped or their enum changed); minor: records
        or fields added, or records removed; patch: records corrected, schema text or dataset
        metadata edited."""
        if self.fields_removed or self.fields_retyped:
            return "major"
        if self.added or self.fields_added or self.removed:
            return "minor"
        if self.changed or self.schema_edited or self.metadata_edited:
            return "patch"
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "schema": {
                "fields_added": self.fields_added,
                "fields_removed": self.fields_removed,
                "fields_retyped": self.fields_retyped,
                "edited": self.schema_edited,
            },
            "metadata": {"edited": self.metadata_edited},
        }


def _brief(entry: dict[str, Any]) -> dict[str, Any]:
    return {"id": entry["id"], "title": entry["title"]}


def diff(
    old: dict[str, Any] | None,
    new: dict[str, Any],
    records: Iterable[dict[str, Any]] | None = None,
) -> Changes:
    """Changes from ``old`` (a release manifest, or None before the first) to ``new``.

    ``records``, when given, streams the new records (``new["records"]`` is then ignored):
    only the old release's records and the new ids are held, not the new entries.
    """
    stream = new["records"] if records is None else records
    if old is None:
        return Changes(added=[_brief(r) for r in stream], fields_added=list(new["fields"]))
    before = {r["id"]: r for r in old["records"]}
    added: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    seen: set[str] = set()
    for entry in stream:
        seen.add(entry["id"])
        previous = before.get(entry["id"])
        if previous is None:
            added.append(_brief(entry))
        elif previous["content_sha256"] != entry["content_sha256"]:
            changed.append(_brief(entry))
    old_fields, new_fields = old["fields"], new["fields"]
    return Changes(
        added=added,
        removed=[_brief(r) for i, r in before.items() if i not in seen],
        changed=changed,
        fields_added=sorted(set(new_fields) - set(old_fields)),
        fields_removed=sorted(set(old_fields) - set(new_fields)),
        fields_retyped=sorted(
            f for f in set(old_fields) & set(new_fields) if old_fields[f] != new_fields[f]
        ),
        schema_edited=old["schema_sha256"] != new["schema_sha256"],
        metadata_edited=old.get("metadata_sha256") != new["metadata_sha256"],
    )


def bump_version(version: str | None, bump: str) -> str:
    """The next version; the first release is always 1.0.0."""
    if version is None:
        return "1.0.0"
    major, minor, patch = (int(x) for x in version.split("."))
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"
