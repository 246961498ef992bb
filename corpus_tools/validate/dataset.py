"""``validate --dataset``: check a built dataset folder against its manifest and the schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus_tools.errors import UsageError
from corpus_tools.problems import sentence
from corpus_tools.validate.records import Origin, check_records
from corpus_tools.validate.report import Problem, Report

if TYPE_CHECKING:
    from corpus_tools.project import Project


def _problem(code: str, file: str, **fields: Any) -> Problem:
    return Problem(code, "error", sentence(code, **fields), "dataset", file)


def validate_dataset(project: Project, folder: Path) -> Report:
    """Check a built dataset folder: checksums, features and every record."""
    from corpus_tools.package.manifest import checksum_problems

    report = Report(target=project.show(folder))
    files = sorted((folder / "data").glob("*.parquet")) if folder.is_dir() else []
    if not files:
        raise UsageError("no-dataset", file=str(folder), folder=folder)
    report.problems.extend(checksum_problems(project, folder))
    check_records(project, _parquet_records(project, files, report), report)
    return report


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
            row = 0
            for batch in parquet.iter_batches(batch_size=1000):
                for record in batch.to_pylist():
                    row += 1
                    yield Origin(shown, row), record
        except (OSError, ValueError) as exc:  # pyarrow raises ArrowInvalid, a ValueError
            report.problems.append(_problem("bad-parquet", shown, detail=exc))
