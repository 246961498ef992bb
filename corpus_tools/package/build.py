"""corpus-tools build: convert, validate and write dist/ in one stream, atomically.

Records flow from the seeds through the schema check into parquet shards in a staging folder,
while only a compact row per record is kept for the table checks, the card's statistics and
the manifest. If any check fails, the staging folder is dropped and dist/ stays as it was;
otherwise it replaces dist/ in one rename. The same seeds give byte-identical files.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from corpus_tools.errors import CorpusToolsError
from corpus_tools.package.atomic import current_umask, write_error
from corpus_tools.state import checkpoint
from corpus_tools.validate.report import Report

if TYPE_CHECKING:
    from corpus_tools.package.card import CardStats
    from corpus_tools.project import Progress, Project

# Rows per parquet shard: about 100-300 MB of news articles, and a stable layout.
SHARD_ROWS = 50_000
ROW_GROUP = 1000
# Freed memory is given back to the system after every this many row groups (see
# release_memory). At 100k, doing it after each one took 2.05 s of the main process's system
# time against 1.41 s, with the same peak RSS (251 MiB); at 10k the peak rose from 230 MiB to
# that same 251 MiB. Never doing it let RSS grow with the corpus.
RELEASE_EVERY = 8
# A refused build lists at most this many warnings of each code (validate lists them all).
WARNING_CAP = 1000
SHARD_NAME = "data/train-{index:05d}-of-{total:05d}.parquet"
# The staging folder's subfolder through which worker processes hand over their records;
# not on Windows, where a mapped file cannot be removed (there the tables are pickled).
CHUNKS = ".chunks"
HAND_OVER_FILES = os.name == "posix"


class BuildRefused(CorpusToolsError):
    """The seeds do not validate; nothing was written."""

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__("invalid-data", errors=len(report.errors), target=report.target)


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote."""

    output: Path
    records: int
    files: tuple[str, ...]
    version: str
    report: Report


class ShardWriter:
    """Parquet shards of at most ``SHARD_ROWS`` rows in row groups of ``ROW_GROUP`` rows,
    written as Arrow tables arrive (whatever their sizes, the layout is the same)."""

    def __init__(self, folder: Path, schema: Callable[[], Any]) -> None:
        self.folder = folder
        # Asked for when the first shard is opened: the build's worker processes start
        # before it (making it imports ``datasets``, about a second).
        self._schema = schema
        self.shards: list[Path] = []
        self.rows = 0
        self.num_bytes = 0
        self._buffer: list[Any] = []
        self._buffered = 0
        self._writer: Any = None
        self._in_shard = 0
        self._groups = 0
        self._dictionary: list[str] | None = None

    def write(self, table: Any) -> None:
        """Queue a table of records; full row groups are written at once."""
        self._buffer.append(table)
        self._buffered += table.num_rows
        while self._buffered >= self._room():
            self._flush(self._room())

    @functools.cached_property
    def schema(self) -> Any:
        """The shards' Arrow schema."""
        return self._schema()

    def _room(self) -> int:
        return min(ROW_GROUP, SHARD_ROWS - self._in_shard)

    def _flush(self, rows: int) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self._buffered:
            return
        whole = pa.concat_tables(self._buffer)
        group = whole.slice(0, rows).combine_chunks()
        group_rows = group.num_rows
        rest = whole.slice(rows)
        self._buffer, self._buffered = ([rest], rest.num_rows) if rest.num_rows else ([], 0)
        if self._writer is None:
            path = self.folder / f"data/part-{len(self.shards):05d}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            if self._dictionary is None:  # decided once, on the first row group
                self._dictionary = repeating_columns(group)
            self._writer = pq.ParquetWriter(
                path, self.schema, compression="zstd", use_dictionary=self._dictionary
            )
            self.shards.append(path)
        self.num_bytes += arrow_nbytes(group)
        self._writer.write_table(group)
        del whole, group
        self._groups += 1
        if self._groups % RELEASE_EVERY == 0:
            release_memory()
        self.rows += group_rows
        self._in_shard += group_rows
        if self._in_shard >= SHARD_ROWS:
            self._writer.close()
            self._writer = None
            self._in_shard = 0

    def close(self) -> list[str]:
        """Finish the last shard and give every shard its final name; returns the names."""
        self._flush(self._buffered)
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if not self.shards:  # an empty table still gets one (empty) shard
            import pyarrow.parquet as pq

            path = self.folder / "data/part-00000.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.ParquetWriter(path, self.schema, compression="zstd").close()
            self.shards.append(path)
        names = []
        for index, path in enumerate(self.shards):
            name = SHARD_NAME.format(index=index, total=len(self.shards))
            path.rename(self.folder / name)
            names.append(name)
        return names


def repeating_columns(table: Any) -> list[str]:
    """The parquet columns (leaf paths, such as ``body.list.element.kind``) whose values
    repeat in ``table``: no more distinct values than half the values that are there.

    Only these get a dictionary. Parquet's writer otherwise fills one for every column until
    it outgrows a page and then writes the values plainly: for texts, ids and digests that
    work is about a fifth of the writing (10,000 generated articles: 24.1 against 19.5 µs a
    row), and the file comes out no smaller. Decided on the first row group, which is the
    same rows whatever ``--jobs`` is.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    found: list[str] = []

    def walk(array: Any, path: str) -> None:
        kind = array.type
        if pa.types.is_struct(kind):
            for index in range(kind.num_fields):
                walk(array.field(index), f"{path}.{kind.field(index).name}")
        elif pa.types.is_list(kind):
            walk(array.flatten(), f"{path}.list.element")
        elif not pa.types.is_boolean(kind):  # parquet has no dictionary for booleans
            present = len(array) - array.null_count
            if present and 2 * pc.count_distinct(array).as_py() <= present:
                found.append(path)

    for name, column in zip(table.column_names, table.columns, strict=True):
        walk(column.chunk(0) if column.num_chunks == 1 else column.combine_chunks(), name)
    return found


def arrow_nbytes(table: Any) -> int:
    """``table.nbytes`` as a table built afresh from the same rows reports it.

    A row group may be a slice of a worker's table, or slices joined, depending on where the
    chunks fell (and so on ``--jobs``); Arrow's own count then includes parts of buffers
    that a fresh table would not have, such as a validity bitmap the slice has no null for.
    This count depends only on the values, so the card's size does not change with jobs.
    """
    total = 0
    for column in table.columns:
        # One chunk is taken as it is: combining would copy it.
        total += _array_nbytes(
            column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
        )
    return total


def _array_nbytes(array: Any) -> int:
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(array)
    kind = array.type
    # Counted as Arrow counts a fresh array: a validity bitmap only with nulls (and none for
    # a struct itself), 4-byte offsets per value, and the values each refers to.
    bitmap = (n + 7) // 8 if array.null_count else 0
    if pa.types.is_struct(kind):
        return sum(_array_nbytes(array.field(i)) for i in range(kind.num_fields))
    if pa.types.is_list(kind):
        return bitmap + 4 * n + _array_nbytes(array.flatten())
    if pa.types.is_string(kind):
        return bitmap + 4 * n + int(pc.sum(pc.binary_length(array)).as_py() or 0)
    if pa.types.is_boolean(kind):
        return bitmap + (n + 7) // 8
    return bitmap + n * int(kind.bit_width) // 8


def release_memory() -> None:
    """Give the memory of the last row groups back to the system.

    Arrow's allocator and glibc's malloc keep freed blocks for reuse; with row groups of a
    few tens of megabytes coming and going, what they keep grew with the corpus. Both are
    asked to return it (a few milliseconds, and the next row groups fault their memory in
    afresh: hence only every ``RELEASE_EVERY`` row groups).
    """
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _libc() -> Any:
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None  # glibc only
    except OSError:
        return None


_LIBC = _libc()


@dataclass
class Packed:
    """A chunk's valid records as Arrow table and card counts (see ``Spooled`` for how they
    leave a worker process)."""

    table: Any  # a pyarrow.Table
    stats: CardStats


@dataclass
class Spooled:
    """Packed records that a worker wrote to an Arrow IPC file in the build's staging folder;
    only the file's path and the card counts cross to the main process."""

    path: str
    stats: CardStats

    def load(self) -> Packed:
        """The table, memory-mapped (no copy, no anonymous memory); the file is removed at
        once (the mapping keeps its pages until the table is dropped)."""
        import pyarrow as pa

        try:
            with pa.memory_map(self.path) as source:
                table = pa.ipc.open_file(source).read_all()
        finally:
            os.unlink(self.path)
        return Packed(table, self.stats)


_ARROW_SCHEMAS: dict[str, Any] = {}


def arrow_schema(project: Project) -> Any:
    """The Arrow schema of the records (from the JSON Schema), made once per process and
    without importing ``datasets``: the shards' schema (``dataset_schema``) without its
    metadata."""
    schema = _ARROW_SCHEMAS.get(project.schema.sha256)
    if schema is None:
        from corpus_tools.package.features import schema_arrow

        schema = _ARROW_SCHEMAS[project.schema.sha256] = schema_arrow(project.schema)
    return schema


def dataset_schema(project: Project) -> Any:
    """The shards' Arrow schema: the records' schema with the Hugging Face Features in its
    metadata, as ``datasets`` writes it."""
    from corpus_tools.package.features import schema_features

    return schema_features(project.schema).arrow_schema


def arrow_without_pandas() -> None:
    """Runs in each build worker: tell pyarrow that pandas is not there.

    The first time pyarrow converts a Python list, it imports pandas (about 0.4 s of CPU) to
    see whether the list is a pandas object; workers only hand it lists of records. The
    import is refused while pyarrow asks, once: pandas stays importable afterwards, and
    pyarrow tries it again if anything asks it for pandas.
    """
    import importlib.abc
    import sys

    import pyarrow as pa

    if "pandas" in sys.modules:  # already there (inherited): nothing to spare
        return

    class NoPandas(importlib.abc.MetaPathFinder):
        def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:
            if fullname == "pandas":
                raise ImportError("pandas is not imported in build workers")

    finder = NoPandas()
    sys.meta_path.insert(0, finder)
    try:
        pa.array([], pa.string())  # pyarrow's one check for pandas happens here
    finally:
        sys.meta_path.remove(finder)


def pack_records(project: Project, records: list[Any]) -> Packed:
    """Runs in a worker: the records as Arrow (they hold only JSON types, which Arrow takes
    as they are), without their text (see ``with_text``), and their card statistics."""
    import pyarrow as pa

    from corpus_tools.package.card import CardStats

    stats = CardStats()
    stats.add_many(records)
    return Packed(pa.Table.from_pylist(records, schema=_packed_schema(project)), stats)


def _packed_schema(project: Project) -> Any:
    """The records' Arrow schema without ``text``: the tables that workers hand over."""
    schema = arrow_schema(project)
    return schema.remove(schema.get_field_index("text"))


def with_text(project: Project, table: Any) -> Any:
    """A packed table with its ``text`` column again, joined from ``body``.

    Nearly half of a record's bytes are its text, which its body blocks hold already: the
    workers leave it out, and so write (and this process maps) nearly half the bytes less,
    while joining the texts here is one pass at memory speed.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from corpus_tools.record import TEXT_JOIN

    schema = arrow_schema(project)
    texts = [
        pc.binary_join(pa.ListArray.from_arrays(body.offsets, body.values.field("text")), TEXT_JOIN)
        for body in table.column("body").chunks
    ]
    where = schema.get_field_index("text")
    return table.add_column(where, schema.field(where), pa.chunked_array(texts, pa.string()))


def spool_records(folder: Path, project: Project, records: list[Any]) -> Spooled:
    """Runs in a worker: ``pack_records``, written to an Arrow IPC file in ``folder``.

    Sending the records through the pool's pipe costs a copy on each side and, in the main
    process, fresh memory for every chunk (page faults); a file in the page cache costs one
    write and is mapped, not copied, by the main process.
    """
    import pyarrow as pa

    packed = pack_records(project, records)
    handle, path = tempfile.mkstemp(suffix=".arrow", dir=folder)
    try:
        # Written through the handle that made the file: opening it again by name would
        # truncate it, and ext4 writes a file truncated that way to disk when it is closed
        # (its guard for programs that replace a file by truncating it), though this one is
        # deleted as soon as it is read.
        with (
            open(handle, "wb", closefd=True) as raw,
            pa.PythonFile(raw, mode="w") as sink,
            pa.ipc.new_file(sink, packed.table.schema) as out,
        ):
            out.write_table(packed.table)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(path)
        if isinstance(exc, OSError) and exc.errno:  # Arrow's message, as the system says it
            raise OSError(exc.errno, os.strerror(exc.errno), path) from None
        raise
    return Spooled(path, packed.stats)


def replace_folder(staging: Path, output: Path) -> None:
    """Swap a finished staging folder into place; the old output survives any failure."""
    backup = output.with_name(f".{output.name}.previous")
    if backup.exists():
        shutil.rmtree(backup)
    if output.exists():
        output.rename(backup)
    checkpoint("build.swapping")  # dist/ moved aside, the new one not yet in place
    try:
        staging.rename(output)
    except BaseException:
        if backup.exists():
            backup.rename(output)
        raise
    if backup.exists():
        shutil.rmtree(backup)


def write_dist(
    project: Project,
    seeds: Path,
    folder: Path,
    progress: Progress | None = None,
    jobs: int = 1,
) -> tuple[Report, int, str]:
    """Stream the seeds into every file of dist/ in an empty folder; (report, rows, version)."""
    from corpus_tools.package.card import CardStats
    from corpus_tools.release.history import current_version, release_history
    from corpus_tools.validate.records import validate_seeds

    history = release_history(project.releases_dir, lean=True)
    version = current_version(history)
    arrow_schema(project)  # made before the workers start, which inherit it
    writer = ShardWriter(folder, functools.partial(dataset_schema, project))
    stats = CardStats()
    # Manifest entries go to an unnamed temporary file as they come, not to memory; the
    # system deletes it whatever happens to this process.
    with tempfile.TemporaryFile("w+b") as spool:

        def absorb(packed: Packed | Spooled, entries: bytes) -> None:
            if isinstance(packed, Spooled):
                packed = packed.load()
            writer.write(with_text(project, packed.table))
            stats.merge(packed.stats)
            spool.write(entries)  # manifest lines (record_line), in UTF-8

        # With worker processes, chunks of records come through files in the staging folder
        # (removed as they are read, and with the folder if the build stops).
        chunks = folder / CHUNKS
        spooled = jobs > 1 and HAND_OVER_FILES
        pack: Any = pack_records
        if spooled:
            chunks.mkdir()
            pack = functools.partial(spool_records, chunks)
        report = validate_seeds(
            project,
            seeds,
            progress,
            jobs,
            pack,
            absorb,
            keep_checked=False,
            warning_cap=WARNING_CAP,
            # A chunk of a row group's size is that row group as it stands (when every seed
            # is valid, as in any build that is written): the writer takes its one piece
            # without copying chunks together into fresh memory.
            largest_chunk=ROW_GROUP,
            worker_setup=arrow_without_pandas,
        )
        if spooled:
            chunks.rmdir()
        if report.failed():
            return report, writer.rows, version
        _finish(project, folder, history, version, writer, stats, spool)
    return report, writer.rows, version


def manifest_pieces(spool: IO[bytes], block: int = 1 << 20) -> Iterator[str]:
    """The manifest lines spooled in ``spool`` (UTF-8, one a line), many at a time: each
    piece is whole lines joined as the manifest joins them (a line is one JSON text, which
    holds no raw newline), and ``dump_lines`` takes a piece as it takes one line. One line
    at a time took 0.2 s more at 100,000 records, all of it after the last record."""
    spool.seek(0)
    rest = b""
    while data := spool.read(block):
        data = rest + data
        end = data.rfind(b"\n") + 1
        data, rest = data[:end], data[end:]
        if data:
            yield data[:-1].decode("utf-8").replace("\n", ",\n    ")
    if rest:  # a last line without its newline (the build writes every one with it)
        yield rest.decode("utf-8")


def _finish(
    project: Project,
    folder: Path,
    history: list[dict[str, Any]],
    version: str,
    writer: ShardWriter,
    stats: CardStats,
    spool: IO[bytes],
) -> None:
    """Everything after the records: shards closed, schema, Croissant, changelog, card, id
    lists and the manifest (its records streamed from ``spool``)."""
    from corpus_tools.package.card import (
        ID_LISTS,
        id_lists,
        needs_id_lists,
        render_card,
        render_changelog,
    )
    from corpus_tools.package.croissant import build_croissant, write_croissant
    from corpus_tools.package.manifest import (
        MANIFEST,
        data_manifest,
        dump_lines,
        dumps,
        file_checksums,
        file_sha256,
    )
    from corpus_tools.release.changes import diff

    def spooled() -> Iterator[dict[str, str]]:
        spool.seek(0)
        for line in spool:
            yield json.loads(line)

    shards = writer.close()
    if history:
        releases = folder / "releases"
        releases.mkdir()
        for entry in sorted(project.releases_dir.glob("v*.json")):
            shutil.copyfile(entry, releases / entry.name)
    schema_name = "article.schema.json"
    (folder / schema_name).write_bytes(project.schema.raw)
    released = [r["date"] for r in history if r["version"] == version]
    # Shards are read once for their digests, which Croissant and the manifest both record.
    digests = {name: file_sha256(folder / name) for name in shards}
    croissant = build_croissant(
        project.meta,
        version,
        list(digests.items()),
        project.schema,
        date_published=released[0] if released else None,
    )
    write_croissant(folder / "croissant.json", croissant)
    current = data_manifest(project.meta, version, project.schema, [])
    unreleased = diff(history[-1], current, spooled()) if history else None
    changelog = render_changelog(history, unreleased)
    (folder / "CHANGELOG.md").write_text(changelog, encoding="utf-8", newline="\n")
    download_size = sum((folder / name).stat().st_size for name in shards)
    card = render_card(
        project, version, stats, changelog, unreleased, writer.num_bytes, download_size
    )
    (folder / "README.md").write_text(card, encoding="utf-8", newline="\n")
    if needs_id_lists(stats):  # the card lists at most ID_LIST_CAP ids and links here
        (folder / ID_LISTS).write_text(dumps(id_lists(stats)), encoding="utf-8", newline="\n")
    current["files"] = file_checksums(folder, known=digests)
    with (folder / MANIFEST).open("w", encoding="utf-8", newline="\n") as out:
        out.writelines(dump_lines(current, record_lines=manifest_pieces(spool)))


def build(
    project: Project,
    seeds: Path,
    output: Path,
    progress: Progress | None = None,
    jobs: int = 1,
) -> BuildResult:
    """Validate the seeds and write the dataset to ``output`` (replaced only on success)."""
    from corpus_tools.package.manifest import MANIFEST, file_sizes

    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.building-", dir=output.parent))
        staging.chmod(0o777 & ~current_umask())  # mkdtemp makes it private; dist/ is shared
    except OSError as exc:
        raise write_error(output.parent, exc) from None
    try:
        report, rows, version = write_dist(project, seeds, staging, progress, jobs)
        if report.failed():
            raise BuildRefused(report)
        checkpoint("build.written")  # everything staged, dist/ untouched
        files = tuple([*sorted(file_sizes(staging)), MANIFEST])
        replace_folder(staging, output)
    except OSError as exc:
        where = Path(exc.filename) if isinstance(exc.filename, str) else output
        if where == staging or staging in where.parents:  # name the output, not the staging
            inside = where.relative_to(staging)
            where = output if inside.parts[:1] == (CHUNKS,) else output / inside
        raise write_error(where, exc) from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return BuildResult(output=output, records=rows, files=files, version=version, report=report)
