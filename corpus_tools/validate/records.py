"""The validation gate: JSON Schema per record, Pandera per table, one report.

Records stream through: each is schema-checked, its warnings noted and its compact row kept
for the table checks; a ``sink`` (the dataset writer) may take each valid record as it passes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus_tools.errors import CorpusToolsError, UsageError
from corpus_tools.problems import SCHEMA_HINTS, sentence
from corpus_tools.validate.report import Checked, Problem, Report
from corpus_tools.validate.table import CompactTable, iter_failures

if TYPE_CHECKING:
    import jsonschema

    from corpus_tools.project import Project

Progress = Callable[[str], None]
Sink = Callable[[Any], None]


@dataclass(frozen=True)
class Origin:
    """Where a record came from: its file and, for a JSON Lines file, its line."""

    file: str
    line: int | None = None
    from_seed: bool = False


def _schema_problem(origin: Origin, record: Any, error: jsonschema.ValidationError) -> Problem:
    path = error.json_path
    if error.validator == "required" and isinstance(error.instance, dict):
        required = error.validator_value if isinstance(error.validator_value, list) else []
        missing = [k for k in required if k not in error.instance]
        if missing:
            path = f"{path}.{missing[0]}"
    rid = record.get("id") if isinstance(record, dict) else None
    who = f"record {rid}" if isinstance(rid, str) else "record"
    hint = SCHEMA_HINTS.get(str(error.validator), "see schema/article.schema.json")
    return Problem(
        code=f"schema-{error.validator}",
        severity="error",
        message=f"{who}: {path}: {error.message}; {hint}",
        check="jsonschema",
        file=origin.file,
        line=origin.line,
        record=rid if isinstance(rid, str) else None,
        path=path,
    )


def _warnings(origin: Origin, record: Any) -> Iterator[Problem]:
    rid = record["id"]
    found = []
    if record["converter"]["fallback"]:
        found.append(("fallback-profile", "/converter"))
    if record["published"] is None:
        found.append(("no-date", "/published"))
    if record["title"] is None:
        found.append(("no-title", "/title"))
    for code, pointer in found:
        yield Problem(
            code=code,
            severity="warning",
            message=sentence(code, record=rid),
            check="corpus-tools",
            file=origin.file,
            line=origin.line,
            record=rid,
            path=pointer,
        )


def check_records(
    project: Project,
    items: Iterable[tuple[Origin, Any]],
    report: Report,
    sink: Sink | None = None,
) -> CompactTable:
    """Schema-check each record, then table-check those that passed; add all to the report."""
    table = CompactTable()
    for origin, record in items:
        rid = record.get("id") if isinstance(record, dict) else None
        report.checked.append(
            Checked(origin.file, rid if isinstance(rid, str) else None, origin.line)
        )
        errors = [_schema_problem(origin, record, e) for e in project.schema.iter_errors(record)]
        report.problems.extend(errors)
        if errors:
            continue
        report.problems.extend(_warnings(origin, record))
        table.add(project, record, origin.file, origin.line, origin.from_seed)
        if sink is not None:
            sink(record)
    for code, index, message, pointer in iter_failures(project, table):
        file, line = table.origin(index)
        report.problems.append(
            Problem(
                code=code,
                severity="error",
                message=message,
                check="pandera",
                file=file,
                line=table.line_for(index, pointer, line),
                record=table.value("id", index),
                path=pointer,
            )
        )
    return table


def _conversion_problem(error: CorpusToolsError) -> Problem:
    return Problem(
        code=error.code,
        severity="error",
        message=f"{error.message}; {error.hint}",
        check="conversion",
        file=error.file,
        line=error.line,
    )


def converted(
    project: Project, folder: Path, report: Report, progress: Progress | None = None
) -> Iterator[tuple[Origin, Any]]:
    """Convert each seed as it is read; conversion failures go to the report."""
    from corpus_tools.convert.rules import convert_seed
    from corpus_tools.errors import ConversionError
    from corpus_tools.ingest.seeds import list_seeds, read_seed

    for path in list_seeds(folder):
        shown = project.show(path)
        if progress:
            progress(shown)
        try:
            seed = read_seed(path, shown, project.meta.max_seed_bytes)
            record = convert_seed(seed, project.profiles)
        except ConversionError as error:
            report.checked.append(Checked(shown, None))
            report.problems.append(_conversion_problem(error))
            continue
        yield Origin(shown, from_seed=True), record


def validate_seeds(
    project: Project, folder: Path, progress: Progress | None = None, sink: Sink | None = None
) -> Report:
    """Convert every seed, then check the records; conversion failures are problems too."""
    report = Report(target=project.show(folder))
    check_records(project, converted(project, folder, report, progress), report, sink)
    return report


def read_jsonl(project: Project, path: Path, report: Report) -> Iterator[tuple[Origin, Any]]:
    """Records of a JSON Lines file, one line at a time; bad lines become problems."""
    if not path.is_file():
        what = "is not a file" if path.exists() else "does not exist"
        raise UsageError("no-records-file", file=str(path), path=path, what=what)
    shown = project.show(path)
    seen = False
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            # Only LF ends a JSON Lines record: U+2028 and friends may stand inside strings.
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                report.problems.append(
                    Problem(
                        "not-utf8",
                        "error",
                        sentence("not-utf8", detail="the line is not UTF-8"),
                        "jsonl",
                        shown,
                        number,
                    )
                )
                continue
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                report.checked.append(Checked(shown, None))
                message = sentence("invalid-json", detail=exc.msg, column=exc.colno)
                report.problems.append(
                    Problem("invalid-json", "error", message, "jsonl", shown, number)
                )
                continue
            seen = True
            yield Origin(shown, number), record
    if not seen and not report.problems:
        report.problems.append(
            Problem("no-records", "error", sentence("no-records"), "jsonl", shown)
        )


def validate_records_file(project: Project, path: Path) -> Report:
    """Check a JSON Lines file of records made elsewhere."""
    report = Report(target=project.show(path))
    check_records(project, read_jsonl(project, path, report), report)
    return report
