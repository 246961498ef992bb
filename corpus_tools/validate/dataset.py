"""``validate --dataset``: check a built dataset folder against its manifest and the schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus_tools.errors import CorpusToolsError, UsageError
from corpus_tools.problems import sentence
from corpus_tools.validate.records import Origin, check_records
from corpus_tools.validate.report import Problem, Report

if TYPE_CHECKING:
    from corpus_tools.project import Project


def _problem(code: str, file: str, **fields: Any) -> Problem:
    return Problem(code, "error", sentence(code, **fields), "dataset", file)


def validate_dataset(project: Project, folder: Path, keep_checked: bool = True) -> Report:
    """Check a built dataset folder: every file against the manifest, the manifest against the
    data and the release history, the features, and every record. Nothing outside the folder
    is read: only regular files that are not links."""
    from corpus_tools.package.manifest import _safe_member, checksum_problems

    report = Report(target=project.show(folder), keep_checked=keep_checked)
    candidates = sorted((folder / "data").glob("*.parquet")) if folder.is_dir() else []
    files = [
        p for p in candidates if _safe_member(folder, p.relative_to(folder).as_posix()) is None
    ]
    if not candidates:
        raise UsageError("no-dataset", file=str(folder), folder=folder)
    report.problems.extend(checksum_problems(project, folder))
    hashes: dict[str, str] = {}

    def sink(_record: Any, entry: dict[str, str]) -> None:
        hashes[entry["id"]] = entry["content_sha256"]

    check_records(project, _parquet_records(project, files, report), report, sink)
    report.problems.extend(_manifest_agrees(project, folder, hashes, report.n_checked))
    return report


def _manifest_agrees(
    project: Project, folder: Path, hashes: dict[str, str], rows: int
) -> list[Problem]:
    """The manifest's records and version against the data and the release history."""
    from corpus_tools.package.manifest import MANIFEST, read_json
    from corpus_tools.release.history import current_version, release_history, version_key

    shown = project.show(folder / MANIFEST)
    try:
        manifest = read_json(folder / MANIFEST)
        listed = {str(r["id"]): str(r["content_sha256"]) for r in manifest["records"]}
        count = len(manifest["records"])
        version = str(manifest["version"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return []  # already reported as no-manifest or bad-manifest
    details = []
    if count != rows:
        details.append(f"it lists {count} records, the data has {rows}")
    changed = sorted(i for i in hashes.keys() & listed.keys() if hashes[i] != listed[i])
    missing = sorted(listed.keys() - hashes.keys())
    extra = sorted(hashes.keys() - listed.keys())
    for label, ids in (("different content", changed), ("not in the data", missing),
                       ("not in the manifest", extra)):  # fmt: skip
        if ids:
            shown_ids = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
            details.append(f"records with {label}: {shown_ids}" if label.startswith("diff")
                           else f"records {label}: {shown_ids}")  # fmt: skip
    problems = [
        Problem(
            "manifest-mismatch", "error", sentence("manifest-mismatch", detail=d), "dataset", shown
        )
        for d in details
    ]
    try:
        latest = max(
            current_version(release_history(folder / "releases", lean=True)),
            current_version(release_history(project.releases_dir, lean=True)),
            key=version_key,
        )
    except CorpusToolsError:
        latest = version  # a malformed release file is reported by the commands that use it
    if version != latest:
        message = sentence("stale-dataset", version=version, latest=latest)
        problems.append(Problem("stale-dataset", "error", message, "dataset", shown))
    return problems


def _plain_type(arrow_type: Any) -> bool:
    """Whether values of this Arrow type read back as strings, integers, booleans or nulls,
    in lists and dicts (no floats, dates or bytes)."""
    import pyarrow as pa

    types = pa.types
    if types.is_list(arrow_type) or types.is_large_list(arrow_type):
        return _plain_type(arrow_type.value_type)
    if types.is_struct(arrow_type):
        return all(_plain_type(arrow_type.field(i).type) for i in range(arrow_type.num_fields))
    return bool(
        types.is_string(arrow_type)
        or types.is_large_string(arrow_type)
        or types.is_integer(arrow_type)
        or types.is_boolean(arrow_type)
        or types.is_null(arrow_type)
    )


def _parquet_records(
    project: Project, files: list[Path], report: Report
) -> Iterator[tuple[Origin, Any]]:
    import pyarrow.parquet as pq

    from corpus_tools.package.features import schema_features

    expected = schema_features(project.schema).to_dict()
    for path in files:
        shown = project.show(path)
        try:
            parquet = pq.ParquetFile(path)
            meta = (parquet.schema_arrow.metadata or {}).get(b"huggingface")
            features = json.loads(meta).get("info", {}).get("features") if meta else None
            if features != expected:
                report.problems.append(_problem("features-mismatch", shown))
            # Columns of strings, integers and booleans (in lists and structs) give records of
            # plain JSON types, which the content hash may encode with the fast encoder.
            plain = all(_plain_type(f.type) for f in parquet.schema_arrow)
            row = 0
            for batch in parquet.iter_batches(batch_size=1000):
                for record in batch.to_pylist():
                    row += 1
                    yield Origin(shown, row, plain=plain), record
        except (OSError, ValueError) as exc:  # pyarrow raises ArrowInvalid, a ValueError
            report.problems.append(_problem("bad-parquet", shown, detail=exc))
