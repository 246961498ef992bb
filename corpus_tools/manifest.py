"""Build and release manifests: per-record content hashes, schema fields, file checksums."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from corpus_tools.convert import Record
from corpus_tools.errors import UsageError
from corpus_tools.metadata import DatasetMeta
from corpus_tools.schema import field_signatures, schema_sha256

MANIFEST = "manifest.json"
_RELEASE_FILE = re.compile(r"v(?P<version>(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*))\.json")
RELEASES = "releases"


def content_sha256(record: Record) -> str:
    """Hash of a record's content; the converter stamp is left out so a tool upgrade that
    changes nothing in the data is not a correction."""
    content = {k: v for k, v in record.items() if k != "converter"}
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def dumps(data: Any) -> str:
    """Stable JSON for files in dist/: sorted where order carries no meaning, LF-terminated."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def metadata_sha256(meta: DatasetMeta) -> str:
    """Hash of dataset.toml's content apart from the version, so card edits can be released."""
    content = {k: v for k, v in dataclasses.asdict(meta).items() if k != "version"}
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def data_manifest(meta: DatasetMeta, records: Sequence[Record]) -> dict[str, Any]:
    """What a release is compared on: schema, metadata and each record's id, title and hash."""
    return {
        "dataset": meta.name,
        "version": meta.version,
        "schema_sha256": schema_sha256(),
        "metadata_sha256": metadata_sha256(meta),
        "fields": field_signatures(),
        "records": [
            {
                "id": r["id"],
                "seed_file": r["seed_file"],
                "title": r["title"] or f"[no title] {r['kicker'] or r['lead'] or ''}".strip(),
                "content_sha256": content_sha256(r),
            }
            for r in records
        ],
    }


def file_checksums(folder: Path) -> dict[str, dict[str, Any]]:
    """sha256 and size of every file below folder except the manifest itself."""
    return {
        path.relative_to(folder).as_posix(): {
            "sha256": file_sha256(path),
            "bytes": path.stat().st_size,
        }
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.relative_to(folder).as_posix() != MANIFEST
    }


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from a file."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def release_history(folder: Path) -> list[dict[str, Any]]:
    """Release manifests in version order (oldest first)."""
    if not folder.is_dir():
        return []
    releases = []
    for path in sorted(folder.iterdir()):
        match = _RELEASE_FILE.fullmatch(path.name)
        try:
            entry = read_json(path) if match else None
        except ValueError:
            entry = None
        if match is None or entry is None or entry.get("version") != match.group("version"):
            raise UsageError(
                "bad-release-file",
                "is not a release manifest written by corpus-tools release",
                "restore it from version control or remove it",
                file=str(path),
            )
        releases.append(entry)
    return sorted(releases, key=lambda r: tuple(int(x) for x in r["version"].split(".")))
