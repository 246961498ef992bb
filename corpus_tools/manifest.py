"""Build and release manifests: per-record content hashes, schema fields, file checksums."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from corpus_tools.convert import Record
from corpus_tools.schema import field_docs, schema_sha256

MANIFEST = "manifest.json"
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


def data_manifest(name: str, version: str, records: Sequence[Record]) -> dict[str, Any]:
    """What a release is compared on: the schema and each record's id, title and hash."""
    return {
        "dataset": name,
        "version": version,
        "schema_sha256": schema_sha256(),
        "fields": {dotted: kind for dotted, kind, _ in field_docs()},
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
    releases = [read_json(p) for p in folder.glob("v*.json")]
    return sorted(releases, key=lambda r: tuple(int(x) for x in r["version"].split(".")))
