"""The validation gate: JSON Schema per record, Pandera per table, one report."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pyarrow.parquet as pq

from corpus_tools.convert import Record, convert_seed
from corpus_tools.errors import CorpusToolsError, UsageError
from corpus_tools.features import schema_features
from corpus_tools.manifest import file_sha256
from corpus_tools.report import Checked, Problem, Report
from corpus_tools.schema import iter_errors
from corpus_tools.seeds import list_seeds, read_seed
from corpus_tools.table import explain, table_failures

Progress = Callable[[str], None]

_HINTS = {
    "required": "add the field (null where the value is unknown)",
    "type": "give the value the type the schema names",
    "format": "write the value in the schema's format",
    "pattern": "write the value in the form the schema's pattern requires",
    "enum": "use one of the allowed values",
    "additionalProperties": "remove the field or add it to schema/article.schema.json",
    "minItems": "add the missing items",
    "minLength": "give a non-empty value or null",
}


@dataclass(frozen=True)
class Origin:
    """Where a record came from: its file and, for a JSON Lines file, its line."""

    file: str
    line: int | None = None
    from_seed: bool = False


def display_path(path: Path) -> str:
    """A path relative to the current folder when possible, as CI annotations need."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def line_of(record: Record, pointer: str | None) -> int | None:
    """The seed line a JSON Pointer's value came from, via the record's source map."""
    if pointer is None:
        return None
    for entry in record.get("source_map") or []:
        path = entry.get("path", "")
        if path == pointer or path.startswith(pointer + "/"):
            line = entry.get("line")
            return line if isinstance(line, int) else None
    return None


def _schema_problem(origin: Origin, record: Any, error: jsonschema.ValidationError) -> Problem:
    path = error.json_path
    if error.validator == "required" and isinstance(error.instance, dict):
        required = error.validator_value if isinstance(error.validator_value, list) else []
        missing = [k for k in required if k not in error.instance]
        if missing:
            path = f"{path}.{missing[0]}"
    rid = record.get("id") if isinstance(record, dict) else None
    who = f"record {rid}" if isinstance(rid, str) else "record"
    hint = _HINTS.get(str(error.validator), "see schema/article.schema.json")
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


def _warnings(origin: Origin, record: Record) -> list[Problem]:
    found = []
    rid = record["id"]
    if record["converter"]["fallback"]:
        found.append(
            (
                "fallback-profile",
                f"record {rid} was converted by the generic fallback because "
                "no outlet profile matched; check it by hand or add a profile",
                "/converter",
            )
        )
    if record["published"] is None:
        found.append(
            (
                "no-date",
                f"record {rid} has no publication date; the page copy carries none, "
                "or its date format is missing from the profile",
                "/published",
            )
        )
    if record["title"] is None:
        found.append(
            (
                "no-title",
                f"record {rid} has no title; the page copy lost its headline, or the "
                "profile's headline rule missed it",
                "/title",
            )
        )
    return [
        Problem(
            code=code,
            severity="warning",
            message=message,
            check="corpus-tools",
            file=origin.file,
            line=origin.line,
            record=rid,
            path=pointer,
        )
        for code, message, pointer in found
    ]


def check_records(items: Iterable[tuple[Origin, Any]], report: Report) -> list[Record]:
    """Schema-check each record, then table-check those that passed; add all to the report."""
    valid: list[tuple[Origin, Record]] = []
    for origin, record in items:
        rid = record.get("id") if isinstance(record, dict) else None
        report.checked.append(
            Checked(origin.file, rid if isinstance(rid, str) else None, origin.line)
        )
        errors = [_schema_problem(origin, record, e) for e in iter_errors(record)]
        report.problems.extend(errors)
        if not errors:
            valid.append((origin, record))
            report.problems.extend(_warnings(origin, record))
    records = [record for _, record in valid]
    for code, index in table_failures(records):
        origin, record = valid[index]
        message, pointer = explain(code, index, records)
        line = line_of(record, pointer) if origin.from_seed else origin.line
        report.problems.append(
            Problem(
                code=code,
                severity="error",
                message=message,
                check="pandera",
                file=origin.file,
                line=line,
                record=record["id"],
                path=pointer,
            )
        )
    return records


def _conversion_problem(error: CorpusToolsError) -> Problem:
    return Problem(
        code=error.code,
        severity="error",
        message=f"{error.message}; {error.hint}",
        check="conversion",
        file=error.file,
        line=error.line,
    )


def validate_seeds(folder: Path, progress: Progress | None = None) -> tuple[Report, list[Record]]:
    """Convert every seed, then check the records; conversion failures are problems too."""
    report = Report(target=display_path(folder))
    converted: list[tuple[Origin, Any]] = []
    for path in list_seeds(folder):
        shown = display_path(path)
        if progress:
            progress(shown)
        try:
            record = convert_seed(read_seed(path, shown))
        except CorpusToolsError as error:
            report.checked.append(Checked(shown, None))
            report.problems.append(_conversion_problem(error))
            continue
        converted.append((Origin(shown, from_seed=True), record))
    return report, check_records(converted, report)


def read_jsonl(path: Path, report: Report) -> list[tuple[Origin, Any]]:
    """Records of a JSON Lines file; lines that are not JSON become problems."""
    if not path.is_file():
        what = "is not a file" if path.exists() else "does not exist"
        raise UsageError("no-records-file", f"{path} {what}", "pass a .jsonl file made by convert")
    shown = display_path(path)
    items: list[tuple[Origin, Any]] = []
    try:
        # Only LF ends a JSON Lines record: U+2028 and friends may stand inside JSON strings.
        lines = path.read_text(encoding="utf-8").split("\n")
    except UnicodeDecodeError:
        report.problems.append(
            Problem(
                "not-utf8", "error", "file is not UTF-8 text; re-save it as UTF-8", "jsonl", shown
            )
        )
        return items
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            items.append((Origin(shown, number), json.loads(line)))
        except json.JSONDecodeError as exc:
            report.checked.append(Checked(shown, None))
            report.problems.append(
                Problem(
                    "invalid-json",
                    "error",
                    f"line is not valid JSON ({exc.msg} at column {exc.colno}); write one "
                    "JSON object per line",
                    "jsonl",
                    shown,
                    number,
                )
            )
    if not items and not report.problems:
        report.problems.append(
            Problem(
                "empty-file",
                "error",
                "file holds no records; convert seeds into it first",
                "jsonl",
                shown,
            )
        )
    return items


def validate_records_file(path: Path) -> Report:
    """Check a JSON Lines file of records made elsewhere."""
    report = Report(target=display_path(path))
    check_records(read_jsonl(path, report), report)
    return report


def validate_dataset(folder: Path) -> Report:
    """Check a built dataset folder: checksums, features and every record."""
    report = Report(target=display_path(folder))
    files = sorted((folder / "data").glob("*.parquet")) if folder.is_dir() else []
    if not files:
        raise UsageError(
            "no-dataset",
            f"{folder} holds no data/*.parquet",
            "pass a folder made by corpus-tools build",
            file=str(folder),
        )
    report.problems.extend(_checksum_problems(folder))
    expected = schema_features()
    items: list[tuple[Origin, Any]] = []
    for path in files:
        shown = display_path(path)
        try:
            table = pq.read_table(path)
        except (OSError, ValueError) as exc:  # pyarrow raises ArrowInvalid, a ValueError
            report.problems.append(
                Problem(
                    "bad-parquet",
                    "error",
                    f"cannot read the parquet file ({exc}); rebuild with corpus-tools build",
                    "dataset",
                    shown,
                )
            )
            continue
        meta = (table.schema.metadata or {}).get(b"huggingface")
        features = json.loads(meta).get("info", {}).get("features") if meta else None
        if features != expected.to_dict():
            report.problems.append(
                Problem(
                    "features-mismatch",
                    "error",
                    "the parquet file's features differ from those derived from the schema; "
                    "rebuild with corpus-tools build",
                    "dataset",
                    shown,
                )
            )
        items += [(Origin(shown, row + 1), rec) for row, rec in enumerate(table.to_pylist())]
    check_records(items, report)
    return report


def _checksum_problems(folder: Path) -> list[Problem]:
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        return [
            Problem(
                "no-manifest",
                "error",
                "manifest.json is missing; rebuild the dataset",
                "dataset",
                display_path(folder),
            )
        ]
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        files = manifest["files"]
        entries = sorted((str(k), str(v["sha256"])) for k, v in files.items())
    except (ValueError, TypeError, KeyError, AttributeError):
        return [
            Problem(
                "bad-manifest",
                "error",
                "manifest.json is not a manifest written by corpus-tools build; rebuild",
                "dataset",
                display_path(manifest_path),
            )
        ]
    problems = []
    for name, sha256 in entries:
        path = folder / name
        shown = display_path(path)
        if not path.is_file():
            problems.append(
                Problem(
                    "missing-file",
                    "error",
                    f"{name} is listed in manifest.json but missing; rebuild",
                    "dataset",
                    shown,
                )
            )
        elif file_sha256(path) != sha256:
            problems.append(
                Problem(
                    "checksum",
                    "error",
                    f"{name} does not match its manifest checksum; the file was "
                    "changed after the build: rebuild",
                    "dataset",
                    shown,
                )
            )
    return problems
