"""The validation gate: JSON Schema per record, Pandera per table, one report.

Records stream through: each is schema-checked, its warnings noted and its compact row kept
for the table checks; a ``sink`` (the dataset writer) may take each valid record as it passes.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus_tools.compiled import rebuilt
from corpus_tools.errors import CorpusToolsError, UsageError
from corpus_tools.problems import SCHEMA_HINTS, sentence
from corpus_tools.validate.report import Problem, Report, Warned
from corpus_tools.validate.table import CompactTable, import_checks, iter_failures

if TYPE_CHECKING:
    import jsonschema

    from corpus_tools.ingest.seeds import SeedNames
    from corpus_tools.project import Project

Progress = Callable[[str], None]
Sink = Callable[[Any, Any], None]


@dataclass(frozen=True)
class Origin:
    """Where a record came from: its file and, for a JSON Lines file, its line."""

    file: str
    line: int | None = None
    from_seed: bool = False
    # The record holds only strings, integers, booleans, nulls, lists and objects (a JSON
    # line without a float, or parquet without float, date or bytes columns; a seed's record
    # always does): its content hash may take the fast encoder (see canonical_json).
    plain: bool = False

    def __reduce__(self) -> tuple[Any, ...]:
        return rebuilt(self)  # a compiled frozen class pickles only through its constructor


def _schema_problem(origin: Origin, record: Any, error: jsonschema.ValidationError) -> Problem:
    path = error.json_path
    if error.validator == "required" and isinstance(error.instance, dict):
        required = error.validator_value if isinstance(error.validator_value, list) else []
        missing = [k for k in required if k not in error.instance]
        if missing:
            path = f"{path}.{missing[0]}"
    rid = record_id(record)
    who = f"record {rid}" if rid is not None else "record"
    hint = SCHEMA_HINTS.get(str(error.validator), "see schema/article.schema.json")
    return Problem(
        code=f"schema-{error.validator}",
        severity="error",
        message=f"{who}: {path}: {error.message}; {hint}",
        check="jsonschema",
        file=origin.file,
        line=origin.line,
        record=rid,
        path=path,
    )


def record_id(record: Any) -> str | None:
    """The record's id when it is a string that can be printed (no lone surrogate)."""
    rid = record.get("id") if isinstance(record, dict) else None
    return rid if isinstance(rid, str) and lone_surrogate_path(rid) is None else None


def _warnings(origin: Origin, record: Any) -> list[Warned]:
    rid = record["id"]
    found: list[Warned] = []
    if record["converter"]["fallback"]:
        found.append(("fallback-profile", origin.file, origin.line, rid, "/converter"))
    if record["published"] is None:
        found.append(("no-date", origin.file, origin.line, rid, "/published"))
    if record["title"] is None:
        found.append(("no-title", origin.file, origin.line, rid, "/title"))
    return found


@dataclass
class Prepared:
    """One record after the per-record work: schema problems, or its warnings, compact row
    and manifest entry. A worker sends this back without the record itself."""

    origin: Origin
    record: Any
    problems: list[Problem]
    row: dict[str, Any] | None = None
    entry: dict[str, str] | None = None
    rid: str | None = None
    warnings: list[Warned] = field(default_factory=list)


@dataclass
class Chunk:
    """A worker's answer for a run of seeds, as plain columns (cheap to send between
    processes): what the report, the table and ``absorb`` need, never the records."""

    files: list[str]  # every seed of the run, as shown, in order
    rids: list[str | None]  # its record id, or None where conversion failed
    found: list[Problem | Warned]  # conversion and schema errors and the warnings, in order
    rows: dict[str, list[Any]]  # compact rows of the valid records, column by column
    entries: bytes  # their manifest entries, one ``record_line`` per line, in UTF-8
    packed: Any = None  # what ``pack`` made of them


# Runs in a worker on the valid records of one chunk (for the build: an Arrow table and card
# statistics); must be a module-level function so that any start method can send it.
Pack = Callable[["Project", list[Any]], Any]
# Runs in the main process on each chunk's packed value and manifest lines, in seed order.
Absorb = Callable[[Any, bytes], None]


def lone_surrogate_path(value: Any, path: str = "$") -> str | None:
    """The JSON path of the first string holding a lone surrogate (not encodable as UTF-8)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = lone_surrogate_path(key, path) or lone_surrogate_path(item, f"{path}.{key}")
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = lone_surrogate_path(item, f"{path}[{index}]")
            if found:
                return found
    return None


def _encodes(record: Any) -> bool:
    """Whether the record's strings are all valid Unicode (one fast C-level pass)."""
    import orjson

    try:
        orjson.dumps(record)  # refuses lone surrogates, but also integers past 64 bits
        return True
    except TypeError:
        pass
    try:
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    except (TypeError, ValueError, RecursionError):
        return True  # not JSON-like at all: the schema check has said so
    return True


def prepare(project: Project, origin: Origin, record: Any, clean: Container[int] = ()) -> Prepared:
    """Schema-check one record; for a valid one, compute its compact row and manifest entry
    (``clean``: see ``compact_row``)."""
    (prepared,) = prepare_run(project, [(origin, record, clean)])
    return prepared


def prepare_run(
    project: Project, items: Sequence[tuple[Origin, Any, Container[int]]]
) -> list[Prepared]:
    """``prepare`` for each of a run of records, one step at a time over the run (see
    ``convert_run`` for why)."""
    from corpus_tools.package.manifest import record_entry
    from corpus_tools.validate.table import compact_row

    schema = project.schema
    run = []
    for origin, record, _ in items:
        problems = [_schema_problem(origin, record, e) for e in schema.iter_errors(record)]
        rid = record_id(record)
        # Seeds are decoded strictly and cannot hold lone surrogates; records files and
        # parquet can.
        if not problems and not origin.from_seed and not _encodes(record):
            bad = lone_surrogate_path(record)
            if bad is not None:
                problems.append(
                    Problem(
                        code="lone-surrogate",
                        severity="error",
                        message=sentence("lone-surrogate", path=bad),
                        check="jsonschema",
                        file=origin.file,
                        line=origin.line,
                        record=rid,
                        path=bad,
                    )
                )
        run.append(Prepared(origin, record, problems, rid=rid))
    valid = [
        (item, clean) for item, (_, _, clean) in zip(run, items, strict=True) if not item.problems
    ]
    # A record from a seed is the converter's own (plain JSON types, no floats). The entry
    # comes first: orjson leaves each string's UTF-8 form cached in it, which the text's
    # digest in the compact row then reuses instead of encoding the text again.
    for item, _ in valid:
        item.entry = record_entry(item.record, plain=item.origin.from_seed or item.origin.plain)
    for item, clean in valid:
        item.row = compact_row(project, item.record, item.origin.from_seed, clean)
    for item, _ in valid:
        item.warnings = _warnings(item.origin, item.record)
    return run


def _take(report: Report, table: CompactTable, item: Prepared) -> bool:
    """Count one prepared record into the report and the table; False when it failed."""
    origin = item.origin
    report.check(origin.file, item.rid, origin.line)
    if item.problems or item.row is None:
        report.problems.extend(item.problems)
        return False
    report.add_found(item.warnings)
    table.add(item.row, origin.file, origin.line)
    return True


def _table_problems(project: Project, table: CompactTable, report: Report) -> None:
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


def check_items(
    project: Project, items: Iterable[Prepared], report: Report, sink: Sink | None = None
) -> CompactTable:
    """Add each checked record to the report and the table, then run the table checks."""
    table = CompactTable(project)
    for item in items:
        if _take(report, table, item) and sink is not None:
            sink(item.record, item.entry)
    _table_problems(project, table, report)
    return table


def check_records(
    project: Project,
    items: Iterable[tuple[Origin, Any]],
    report: Report,
    sink: Sink | None = None,
) -> CompactTable:
    """Schema-check each record, then table-check those that passed; add all to the report."""
    return check_items(project, (prepare(project, o, r) for o, r in items), report, sink)


def _conversion_problem(error: CorpusToolsError) -> Problem:
    return Problem(
        code=error.code,
        severity="error",
        message=f"{error.message}; {error.hint}",
        check="conversion",
        file=error.file,
        line=error.line,
    )


def _seed_run(project: Project, jobs: Sequence[tuple[str, str]]) -> list[Prepared | Problem]:
    """Read, convert and check a run of seeds, one step at a time over the run."""
    from corpus_tools.convert.rules import convert_run
    from corpus_tools.errors import ConversionError
    from corpus_tools.ingest.seeds import read_seed

    outcomes: list[Prepared | Problem | None] = []  # None: read, not yet converted
    seeds = []
    for path, shown in jobs:
        try:
            seeds.append(read_seed(path, shown, project.meta.max_seed_bytes))
        except ConversionError as error:
            outcomes.append(_conversion_problem(error))
            continue
        outcomes.append(None)
    read = [index for index, outcome in enumerate(outcomes) if outcome is None]
    items = []
    places = []
    for index, result in zip(read, convert_run(seeds, project.profiles), strict=True):
        if isinstance(result, ConversionError):
            outcomes[index] = _conversion_problem(result)
        else:
            items.append((Origin(jobs[index][1], from_seed=True), *result))
            places.append(index)
    for index, prepared in zip(places, prepare_run(project, items), strict=True):
        outcomes[index] = prepared
    done = [outcome for outcome in outcomes if outcome is not None]
    assert len(done) == len(jobs)
    return done


# Seeds that go through each step of the per-seed work together (see convert_run). On 10,000
# seeds in one process, a seed took 616-718 µs one at a time, 520 in runs of 8, 476-570 in
# runs of 32 and 420-550 in runs of 128; larger runs gained nothing more.
RUN = 128


def _seed_chunk(context: tuple[Project, Pack | None], jobs: list[tuple[str, str]]) -> Chunk:
    """The per-seed work for a chunk of seeds (in a worker process), in runs of ``RUN``: only
    small results go back to the main process, never the records themselves."""
    from corpus_tools.package.manifest import record_line
    from corpus_tools.validate.table import ROW_FIELDS

    project, pack = context
    chunk = Chunk([], [], [], {}, b"")
    valid: list[Any] = []
    rows: list[dict[str, Any]] = []
    entries: list[str] = []
    for first in range(0, len(jobs), RUN):
        run = jobs[first : first + RUN]
        kept = []
        for job, outcome in zip(run, _seed_run(project, run), strict=True):
            chunk.files.append(job[1])
            if isinstance(outcome, Problem):
                chunk.rids.append(None)
                chunk.found.append(outcome)
                continue
            chunk.rids.append(outcome.rid)
            if outcome.problems or outcome.row is None or outcome.entry is None:
                chunk.found.extend(outcome.problems)
                continue
            chunk.found.extend(outcome.warnings)
            rows.append(outcome.row)
            kept.append(outcome.entry)
            valid.append(outcome.record)
        entries.extend([record_line(entry) for entry in kept])
    # Column by column, one pass over the rows each (cheaper than appending field by field).
    chunk.rows = {name: [row[name] for row in rows] for name in ROW_FIELDS}
    if entries:
        chunk.entries = ("\n".join(entries) + "\n").encode("utf-8")
    if pack is not None and valid:
        chunk.packed = pack(project, valid)
    return chunk


def _handed_out(names: SeedNames, folder: Path, prefix: str) -> Iterator[tuple[str, str]]:
    """Each seed's path and shown name, in order. Paths are strings: a Path costs about 10 µs
    a seed to make, send and rebuild in a worker."""
    base = os.path.join(folder, "")
    for name in names:
        yield base + name, prefix + name


def validate_seeds(
    project: Project,
    folder: Path,
    progress: Progress | None = None,
    jobs: int = 1,
    pack: Pack | None = None,
    absorb: Absorb | None = None,
    keep_checked: bool = True,
    warning_cap: int | None = None,
    largest_chunk: int | None = None,
    worker_setup: Callable[[], None] | None = None,
) -> Report:
    """Convert every seed on ``jobs`` cores, check the records, then the table; conversion
    failures are problems too. With ``pack``/``absorb``, each chunk's valid records are
    packed in the worker and absorbed here in seed order (how the build writes them), in
    chunks of at most ``largest_chunk`` seeds (the executor's default otherwise).
    ``worker_setup`` runs once in each worker process."""
    from corpus_tools.executor import CHUNK, chunk_size, ordered_chunks
    from corpus_tools.ingest.seeds import seed_names

    report = Report(target=project.show(folder), keep_checked=keep_checked, warning_cap=warning_cap)
    table = CompactTable(project)
    shown = project.show(folder)
    prefix = "" if shown == "." else shown.rstrip("/") + "/"
    names = seed_names(folder)
    size = chunk_size(len(names), jobs, largest_chunk or CHUNK)
    jobs_in = _handed_out(names, folder, prefix)
    importing: threading.Thread | None = None
    try:
        chunks = ordered_chunks(_seed_chunk, (project, pack), jobs_in, jobs, size, worker_setup)
        for chunk in chunks:
            if importing is None and jobs > 1:
                # The workers exist by now (a thread started before they fork could leave
                # them a held lock): the table checks' imports run while they work.
                importing = threading.Thread(target=import_checks, name="import-checks")
                importing.start()
                table.before_check = importing.join
            report.check_many(chunk.files, chunk.rids)
            report.add_found(chunk.found)
            table.add_seed_rows(prefix, chunk.rows)
            if absorb is not None and chunk.entries:
                absorb(chunk.packed, chunk.entries)
            if progress:
                for file in chunk.files:
                    progress(file)
    finally:
        # Also when the run stops early: the process never exits in the middle of an import.
        if importing is not None:
            importing.join()
    _table_problems(project, table, report)
    return report


def read_jsonl(project: Project, path: Path, report: Report) -> Iterator[tuple[Origin, Any]]:
    """Records of a JSON Lines file, one line at a time; bad lines become problems."""
    if not path.is_file():
        what = "is not a file" if path.exists() else "does not exist"
        raise UsageError("no-records-file", file=str(path), path=path, what=what)
    shown = project.show(path)
    seen = False
    # Whether the line being read holds a float: records without one are plain (their
    # content hash may take the fast encoder, see canonical_json).
    floats = [False]

    def parse_float(text: str) -> float:
        floats[0] = True
        return float(text)

    decoder = json.JSONDecoder(parse_float=parse_float, parse_constant=parse_float)
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            # Only LF ends a JSON Lines record: U+2028 and friends may stand inside strings.
            try:
                line = raw.decode("utf-8").removesuffix("\n")
            except UnicodeDecodeError:
                report.problems.append(
                    Problem(
                        "not-utf8",
                        "error",
                        sentence("not-utf8", detail="the line is not UTF-8", source="latin1"),
                        "jsonl",
                        shown,
                        number,
                    )
                )
                continue
            if not line.strip():
                continue
            floats[0] = False
            try:
                record = decoder.decode(line)
            except (ValueError, RecursionError) as exc:
                # ValueError: bad JSON, or an integer longer than Python's 4300-digit limit;
                # RecursionError: nesting deeper than the parser can go.
                report.check(shown, None)
                if isinstance(exc, json.JSONDecodeError):
                    detail, column = exc.msg, exc.colno
                elif isinstance(exc, RecursionError):
                    detail, column = "nested too deeply", 1
                else:
                    detail, column = "an integer is too long", 1
                message = sentence("invalid-json", detail=detail, column=column)
                report.problems.append(
                    Problem("invalid-json", "error", message, "jsonl", shown, number)
                )
                continue
            seen = True
            yield Origin(shown, number, plain=not floats[0]), record
    if not seen and not report.problems:
        report.problems.append(
            Problem("no-records", "error", sentence("no-records"), "jsonl", shown)
        )


def validate_records_file(project: Project, path: Path, keep_checked: bool = True) -> Report:
    """Check a JSON Lines file of records made elsewhere (``keep_checked``: see Report)."""
    report = Report(target=project.show(path), keep_checked=keep_checked)
    check_records(project, read_jsonl(project, path, report), report)
    return report
