"""The release history: one JSON file per version in the project's releases/ folder.

It is the only record of the dataset's versions. It lives in the project, outside what a build
replaces, and a build copies it into dist/releases/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from corpus_tools.errors import UsageError
from corpus_tools.package.manifest import read_json

_RELEASE_FILE = re.compile(r"v(?P<version>(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*))\.json")
UNRELEASED = "0.0.0"


def release_history(folder: Path) -> list[dict[str, Any]]:
    """Release manifests in version order (oldest first).

    Each file is read and checked whole, one at a time, but only what later stages use is
    kept, so that a long history of a large corpus stays small in memory: the per-record
    list (``records``) of the latest release only, and of each release's added, removed and
    changed records the first ``ID_LIST_CAP`` (the changelog shows no more), with their
    number in ``<kind>_total``.
    """
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        if path.name.startswith("."):
            continue  # .gitkeep and editor files
        match = _RELEASE_FILE.fullmatch(path.name)
        if match is None:
            raise UsageError("bad-release-file", file=str(path), detail="not named vX.Y.Z.json")
        found.append((tuple(int(x) for x in match.group("version").split(".")), path))
    releases: list[dict[str, Any]] = []
    for _, path in sorted(found):
        entry = _read_release(path)
        if releases:
            releases[-1].pop("records")  # only the latest release's list is diffed against
        releases.append(entry)
    return releases


def _read_release(path: Path) -> dict[str, Any]:
    """One release file, checked, with its lists of changed records capped."""
    from corpus_tools.package.card import ID_LIST_CAP

    match = _RELEASE_FILE.fullmatch(path.name)
    assert match is not None
    try:
        entry = read_json(path)
    except (ValueError, OSError, RecursionError) as exc:
        detail = "not JSON" if isinstance(exc, ValueError) else type(exc).__name__
        raise UsageError("bad-release-file", file=str(path), detail=detail) from None
    wrong = _wrong(entry, match.group("version"))
    if wrong is not None:
        raise UsageError("bad-release-file", file=str(path), detail=wrong)
    changes = entry["changes"]
    for kind in ("added", "removed", "changed"):
        changes[f"{kind}_total"] = len(changes[kind])
        changes[kind] = changes[kind][:ID_LIST_CAP]
    return entry


# What every release file holds, with the types later stages rely on.
_KEYS: dict[str, tuple[type, ...]] = {
    "version": (str,),
    "previous": (str, type(None)),
    "bump": (str,),
    "date": (str,),
    "schema_sha256": (str,),
    "fields": (dict,),
    "records": (list,),
}
_RECORD_KEYS = ("id", "seed_file", "title", "content_sha256")


def _wrong(entry: Any, version: str) -> str | None:
    """What is wrong with a release file's content, or None."""
    if not isinstance(entry, dict):
        return "not a JSON object"
    for key, types in _KEYS.items():
        if key not in entry or not isinstance(entry[key], types):
            return f"{key!r} is missing or of the wrong type"
    if entry["version"] != version:
        return f"its version {entry['version']!r} is not the one in its name"
    if not isinstance(entry.get("metadata_sha256", ""), str):
        return "'metadata_sha256' is not a string"
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in entry["fields"].items()):
        return "'fields' must map field names to type strings"
    changes = entry.get("changes")
    if not isinstance(changes, dict) or not _changes_ok(changes):
        return "'changes' is missing or not as corpus-tools release writes it"
    for index, record in enumerate(entry["records"]):
        if not isinstance(record, dict) or not all(
            isinstance(record.get(k), str) for k in _RECORD_KEYS
        ):
            return f"records[{index}] needs string {', '.join(_RECORD_KEYS)}"
    return None


def _changes_ok(changes: dict[str, Any]) -> bool:
    listed = all(
        isinstance(changes.get(key), list)
        and all(
            isinstance(i, dict) and isinstance(i.get("id"), str) and isinstance(i.get("title"), str)
            for i in changes[key]
        )
        for key in ("added", "removed", "changed")
    )
    schema = changes.get("schema")
    return (
        listed
        and isinstance(schema, dict)
        and isinstance(schema.get("edited"), bool)
        and all(
            isinstance(schema.get(k), list) and all(isinstance(n, str) for n in schema[k])
            for k in ("fields_added", "fields_removed", "fields_retyped")
        )
        and isinstance(changes.get("metadata", {}), dict)
    )


def current_version(history: list[dict[str, Any]]) -> str:
    """The latest released version, or 0.0.0 before the first release."""
    return str(history[-1]["version"]) if history else UNRELEASED
