"""Build and release manifests: per-record content hashes, schema fields, file checksums."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus_tools.metadata import DatasetMeta
from corpus_tools.problems import sentence
from corpus_tools.schema import Schema
from corpus_tools.validate.report import Problem

if TYPE_CHECKING:
    from corpus_tools.project import Project

MANIFEST = "manifest.json"


def content_sha256(record: Any) -> str:
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
    """Hash of what dataset.toml says about the dataset, so metadata edits can be released."""
    content = meta.described()
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record_entry(record: Any) -> dict[str, str]:
    """A record's line in the manifest: id, seed file, title and content hash."""
    title = record["title"] or f"[no title] {record['kicker'] or record['lead'] or ''}".strip()
    return {
        "id": record["id"],
        "seed_file": record["seed_file"],
        "title": title,
        "content_sha256": content_sha256(record),
    }


def data_manifest(
    meta: DatasetMeta, version: str, schema: Schema, entries: Iterable[dict[str, str]]
) -> dict[str, Any]:
    """What a release is compared on: schema, metadata and each record's id, title and hash."""
    return {
        "dataset": meta.name,
        "version": version,
        "schema_sha256": schema.sha256,
        "metadata_sha256": metadata_sha256(meta),
        "fields": schema.field_signatures(),
        "records": list(entries),
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


def checksum_problems(project: Project, folder: Path) -> list[Problem]:
    """Files of a dataset folder that its manifest does not vouch for."""
    manifest_path = folder / MANIFEST
    shown = project.show(manifest_path)
    if not manifest_path.is_file():
        return [Problem("no-manifest", "error", sentence("no-manifest"), "dataset", shown)]
    try:
        manifest = read_json(manifest_path)
        files = manifest["files"]
        entries = sorted((str(k), str(v["sha256"])) for k, v in files.items())
    except (ValueError, TypeError, KeyError, AttributeError, OSError) as exc:
        message = sentence("bad-manifest", detail=type(exc).__name__)
        return [Problem("bad-manifest", "error", message, "dataset", shown)]
    problems = []
    for name, sha256 in entries:
        path = folder / name
        shown = project.show(path)
        if not path.is_file():
            message = sentence("missing-file", name=name)
            problems.append(Problem("missing-file", "error", message, "dataset", shown))
        elif file_sha256(path) != sha256:
            message = sentence("checksum", name=name)
            problems.append(Problem("checksum", "error", message, "dataset", shown))
    return problems
