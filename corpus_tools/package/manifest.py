"""Build and release manifests: per-record content hashes, schema fields, file checksums."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus_tools.metadata import DatasetMeta
from corpus_tools.problems import sentence
from corpus_tools.schema import Schema
from corpus_tools.validate.report import Problem

if TYPE_CHECKING:
    from corpus_tools.project import Project

MANIFEST = "manifest.json"


# The canonical JSON of a record's content. Records come from JSON, parquet or the converter and
# cannot be circular, so the circularity check (a third of the encoding time) is skipped; the
# text is the same as json.dumps(..., ensure_ascii=False, sort_keys=True, separators=(",", ":")).
_CANONICAL = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), check_circular=False
)


def canonical_json(content: Any, plain: bool = False) -> bytes:
    """The canonical JSON of ``content`` as UTF-8 bytes.

    ``plain`` content holds only str, int, bool, None, lists and dicts with str keys (what the
    converter makes). orjson writes such content byte for byte as the json module does (its
    escapes and key order are the same; tests compare them) and ten times faster. Floats are
    the exception, as orjson spells 1e-05 as 0.00001 and NaN as null, so any other content goes
    through the json module.
    """
    if plain:
        import orjson

        try:
            return orjson.dumps(content, option=orjson.OPT_SORT_KEYS)
        except TypeError:  # an integer beyond 64 bits, or a type orjson does not take
            pass
    return _CANONICAL.encode(content).encode("utf-8")


def content_sha256(record: Any, plain: bool = False) -> str:
    """Hash of a record's content; the converter stamp is left out so a tool upgrade that
    changes nothing in the data is not a correction. ``plain``: see canonical_json."""
    content = dict(record)  # a copy (cheaper than a comprehension): the record keeps it
    content.pop("converter", None)
    return hashlib.sha256(canonical_json(content, plain)).hexdigest()


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def dumps(data: Any) -> str:
    """Stable JSON for files in dist/: sorted where order carries no meaning, LF-terminated.

    The per-record list of a manifest or release (``records``) has one compact entry per line,
    so that it can be written as a stream and diffed line by line.
    """
    return "".join(dump_lines(data))


# What json.dumps(..., ensure_ascii=False) does, without making an encoder for every record.
_LINE = json.JSONEncoder(ensure_ascii=False)


# A record's entry in the manifest, key by key: what record_entry gives and record_line
# writes fastest.
ENTRY_KEYS = ("id", "seed_file", "title", "content_sha256")


# An entry of ENTRY_KEYS (a build's entries), as _LINE writes it: filled with
# orjson's strings, which it spells as the json module does (see canonical_json), in half the
# time. Any other entry takes _LINE itself.
_ENTRY_LINE = "{" + ", ".join(f'"{key}": %s' for key in ENTRY_KEYS) + "}"


def record_line(entry: dict[str, Any]) -> str:
    """One entry of the per-record list, as it stands on its line of a manifest."""
    values = tuple(entry.values())
    if tuple(entry) == ENTRY_KEYS and all([type(value) is str for value in values]):
        import orjson

        try:
            return _ENTRY_LINE % tuple([orjson.dumps(value).decode() for value in values])
        except TypeError:  # a lone surrogate, which orjson does not write
            pass
    return _LINE.encode(entry)


def dump_lines(
    data: Any,
    records: Iterable[dict[str, Any]] | None = None,
    record_lines: Iterable[str] | None = None,
) -> Iterator[str]:
    """The text of ``dumps(data)`` piece by piece; ``records``, when given, streams the value
    of the ``records`` key (which ``data`` then holds as a placeholder), and ``record_lines``
    streams it as ``record_line`` texts already made."""
    if not isinstance(data, dict) or "records" not in data:
        yield json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        return
    yield "{\n"
    for position, (key, value) in enumerate(data.items()):
        yield "  " + json.dumps(key, ensure_ascii=False) + ": "
        if key == "records":
            if record_lines is None:
                entries = value if records is None else records
                record_lines = (record_line(entry) for entry in entries)
            yield "["
            separator = "\n    "
            for line in record_lines:
                yield separator + line
                separator = ",\n    "
            yield "]" if separator == "\n    " else "\n  ]"
        else:
            yield json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        yield ",\n" if position < len(data) - 1 else "\n"
    yield "}\n"


def metadata_sha256(meta: DatasetMeta) -> str:
    """Hash of what dataset.toml says about the dataset, so metadata edits can be released."""
    content = meta.described()
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record_entry(record: Any, plain: bool = False) -> dict[str, str]:
    """A record's line in the manifest: id, seed file, title and content hash (``plain``: see
    canonical_json)."""
    title = record["title"] or f"[no title] {record['kicker'] or record['lead'] or ''}".strip()
    values = (record["id"], record["seed_file"], title, content_sha256(record, plain))
    return dict(zip(ENTRY_KEYS, values, strict=True))


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


def file_checksums(folder: Path, known: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """sha256 and size of every file below folder except the manifest itself; ``known``:
    sha256 digests already taken, by relative path (a shard is not read twice)."""
    known = known or {}
    return {
        name: {"sha256": known.get(name) or file_sha256(folder / name), "bytes": size}
        for name, size in file_sizes(folder).items()
    }


def file_sizes(folder: Path) -> dict[str, int]:
    """The size of every file below folder except the manifest itself, by relative path, in
    path order."""
    return {
        path.relative_to(folder).as_posix(): path.stat().st_size
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.relative_to(folder).as_posix() != MANIFEST
    }


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from a file."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _safe_member(folder: Path, name: str) -> str | None:
    """Why a manifest path may not be read (None when it is a regular file inside folder).

    Absolute paths, ``..``, symlinks (at any level) and anything but a regular file are
    refused without being opened, so a tampered manifest cannot make us read elsewhere.
    """
    parts = name.split("/")
    if not name or name.startswith("/") or "\\" in name or any(p in ("", ".", "..") for p in parts):
        return "is not a plain relative path inside the folder"
    current = folder
    for part in parts:
        current = current / part
        try:
            info = os.lstat(current)
        except OSError:
            return "is missing"
        if stat.S_ISLNK(info.st_mode):
            return "is a symbolic link"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    return None


def folder_findings(folder: Path) -> list[tuple[str, str, str]]:
    """(code, relative path, message) for everything in ``folder`` its manifest does not vouch
    for: a missing, changed, unsafe or unlisted file, or a missing or malformed manifest."""
    manifest_path = folder / MANIFEST
    if _safe_member(folder, MANIFEST) is not None:
        return [("no-manifest", MANIFEST, sentence("no-manifest"))]
    try:
        manifest = read_json(manifest_path)
        files = manifest["files"]
        entries = sorted((str(k), str(v["sha256"]), int(v["bytes"])) for k, v in files.items())
    except (ValueError, TypeError, KeyError, AttributeError, OSError, RecursionError) as exc:
        return [("bad-manifest", MANIFEST, sentence("bad-manifest", detail=type(exc).__name__))]
    found: list[tuple[str, str, str]] = []
    listed = {MANIFEST}
    for name, sha256, size in entries:
        listed.add(name)
        why = _safe_member(folder, name)
        if why == "is missing":
            found.append(("missing-file", name, sentence("missing-file", name=name)))
        elif why is not None:
            found.append(("unsafe-path", name, sentence("unsafe-path", name=name, why=why)))
        elif (folder / name).stat().st_size != size or file_sha256(folder / name) != sha256:
            found.append(("checksum", name, sentence("checksum", name=name)))
    for root, dirs, names in os.walk(folder):  # os.walk does not follow symlinked folders
        for entry in sorted(dirs + names):
            path = Path(root) / entry
            relative = path.relative_to(folder).as_posix()
            if entry in dirs and not path.is_symlink():
                continue
            if relative not in listed:
                found.append(("unlisted-file", relative, sentence("unlisted-file", name=relative)))
    return found


def folder_problems(folder: Path) -> list[str]:
    """``folder_findings`` as ``path: message`` lines."""
    return [f"{name}: {message}" for _code, name, message in folder_findings(folder)]


def checksum_problems(project: Project, folder: Path) -> list[Problem]:
    """Files of a dataset folder that its manifest does not vouch for, as report problems."""
    return [
        Problem(code, "error", message, "dataset", project.show(folder / name))
        for code, name, message in folder_findings(folder)
    ]
