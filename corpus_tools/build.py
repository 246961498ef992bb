"""corpus-tools build: convert, validate, then write dist/ atomically and reproducibly."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from corpus_tools.card import render_card, render_changelog
from corpus_tools.changes import diff
from corpus_tools.convert import Record
from corpus_tools.croissant import build_croissant, write_croissant
from corpus_tools.errors import CorpusToolsError
from corpus_tools.features import schema_features
from corpus_tools.jsonl import current_umask
from corpus_tools.manifest import (
    MANIFEST,
    RELEASES,
    data_manifest,
    dumps,
    file_checksums,
    file_sha256,
    release_history,
)
from corpus_tools.metadata import DatasetMeta
from corpus_tools.report import Report
from corpus_tools.schema import SCHEMA_NAME, schema_bytes
from corpus_tools.validation import Progress, validate_seeds

PARQUET = "data/train-00000-of-00001.parquet"
ROW_GROUP = 1000


class BuildRefused(CorpusToolsError):
    """The seeds do not validate; nothing was written."""

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__(
            "invalid-data",
            f"refusing to build: {len(report.errors)} error(s) in {report.target}",
            "fix them (corpus-tools validate lists each one) and build again",
        )


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote."""

    output: Path
    records: int
    files: tuple[str, ...]
    report: Report


def write_parquet(path: Path, records: Sequence[Record]) -> None:
    """Write records in row groups with the schema-derived features stored in the file."""
    features = schema_features()
    schema = features.arrow_schema
    path.parent.mkdir(parents=True, exist_ok=True)
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for start in range(0, len(records), ROW_GROUP):
            batch = [features.encode_example(r) for r in records[start : start + ROW_GROUP]]
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))


def write_dist(
    folder: Path, meta: DatasetMeta, records: Sequence[Record], history_dir: Path | None
) -> None:
    """Every file of dist/ into an empty folder. Same inputs give the same bytes."""
    history = release_history(history_dir) if history_dir else []
    if history_dir and history:
        shutil.copytree(history_dir, folder / RELEASES)
    write_parquet(folder / PARQUET, records)
    (folder / SCHEMA_NAME).write_bytes(schema_bytes())
    parquet_sha = file_sha256(folder / PARQUET)
    released = [r["date"] for r in history if r["version"] == meta.version]
    croissant = build_croissant(
        meta, [(PARQUET, parquet_sha)], date_published=released[0] if released else None
    )
    write_croissant(folder / "croissant.json", croissant)
    current = data_manifest(meta, records)
    unreleased = diff(history[-1], current) if history else None
    changelog = render_changelog(history, unreleased)
    (folder / "CHANGELOG.md").write_text(changelog, encoding="utf-8", newline="\n")
    parquet_size = (folder / PARQUET).stat().st_size
    num_bytes = pq.read_table(folder / PARQUET).nbytes
    card = render_card(meta, records, changelog, unreleased, num_bytes, parquet_size)
    (folder / "README.md").write_text(card, encoding="utf-8", newline="\n")
    current["files"] = file_checksums(folder)
    (folder / MANIFEST).write_text(dumps(current), encoding="utf-8", newline="\n")


def replace_folder(staging: Path, output: Path) -> None:
    """Swap a finished staging folder into place; the old output survives any failure."""
    backup = output.with_name(f".{output.name}.previous")
    if backup.exists():
        shutil.rmtree(backup)
    if output.exists():
        output.rename(backup)
    try:
        staging.rename(output)
    except BaseException:
        if backup.exists():
            backup.rename(output)
        raise
    if backup.exists():
        shutil.rmtree(backup)


def build(
    seeds: Path,
    output: Path,
    meta: DatasetMeta,
    history_dir: Path | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Validate the seeds and write the dataset to ``output`` (replaced only on success)."""
    report, records = validate_seeds(seeds, progress)
    if report.failed():
        raise BuildRefused(report)
    if history_dir is None:
        history_dir = output / RELEASES
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.building-", dir=output.parent))
    staging.chmod(0o777 & ~current_umask())  # mkdtemp makes it private; dist/ is meant to be shared
    try:
        write_dist(staging, meta, records, history_dir)
        files = tuple([*sorted(file_checksums(staging)), MANIFEST])
        replace_folder(staging, output)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return BuildResult(output=output, records=len(records), files=files, report=report)
