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


def release_history(folder: Path, lean: bool = False) -> list[dict[str, Any]]:
    """Release manifests in version order (oldest first), each file checked, in name order.

    ``lean``: keep only what the build, the release diff and the changelog read, so that a
    long history of a large corpus stays small in memory: the per-record list (``records``)
    of the latest release only, and of each release's added, removed and changed records
    the first ``ID_LIST_CAP`` (the changelog shows no more), with their number in
    ``<kind>_total``. Files are still read one at a time and checked whole.
    """
    if not folder.is_dir():
        return []
    paths = sorted(p for p in folder.iterdir() if not p.name.startswith("."))  # not .gitkeep
    versions = {p: m.group("version") for p in paths if (m := _RELEASE_FILE.fullmatch(p.name))}
    latest = max(versions.values(), key=version_key, default=None)
    releases: list[dict[str, Any]] = []
    for path in paths:
        if path not in versions:
            raise UsageError("bad-release-file", file=str(path), detail="not named vX.Y.Z.json")
        entry = _read_release(path, versions[path])
        if lean:
            _make_lean(entry, keep_records=versions[path] == latest)
        releases.append(entry)
    return sorted(releases, key=lambda r: version_key(r["version"]))


def version_key(version: str) -> tuple[int, ...]:
    """A version's numbers, to compare versions by (1.10.0 after 1.9.0)."""
    return tuple(int(x) for x in version.split("."))


def _make_lean(entry: dict[str, Any], keep_records: bool) -> None:
    """Drop what a lean history leaves out (see release_history)."""
    from corpus_tools.package.card import ID_LIST_CAP

    if not keep_records:
        del entry["records"]
    changes = entry["changes"]
    for kind in ("added", "removed", "changed"):
        changes[f"{kind}_total"] = len(changes[kind])
        changes[kind] = changes[kind][:ID_LIST_CAP]


def _read_release(path: Path, version: str) -> dict[str, Any]:
    """One release file, read and checked against the version in its name."""
    try:
        entry = read_json(path)
    except (ValueError, OSError, RecursionError) as exc:
        detail = "not JSON" if isinstance(exc, ValueError) else type(exc).__name__
        raise UsageError("bad-release-file", file=str(path), detail=detail) from None
    wrong = _wrong(entry, version)
    if wrong is not None:
        raise UsageError("bad-release-file", file=str(path), detail=wrong)
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
