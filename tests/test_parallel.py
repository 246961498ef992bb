"""The build on worker processes: the same bytes whatever --jobs is, and nothing left behind."""

from __future__ import annotations

import errno
import importlib
import io
import itertools
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_tools.errors import CorpusToolsError
from corpus_tools.executor import MIN_CHUNK, chunk_size
from corpus_tools.package.build import SHARD_NAME
from tests.conftest import ROOT, load
from tests.test_dataset import differences, snapshot

# The scale benchmark's generator: unique, realistic articles that its profiles detect.
sys.path.insert(0, str(ROOT / "benchmarks"))
write_project = importlib.import_module("make_corpus").write_project


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated project of 70 unique articles: several chunks at any number of jobs."""
    root = tmp_path_factory.mktemp("parallel") / "corpus"
    write_project(root, 70, seed=7)
    return root


@pytest.mark.parametrize(("row_group", "groups"), [(16, 3), (9, 5)])
def test_build_is_byte_identical_at_any_number_of_jobs(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, row_group: int, groups: int
) -> None:
    """Chunks differ with the number of jobs; row groups and shards must not. With row groups
    of 16, chunks of 16, 9 and 8 seeds (1, 2 and 3 jobs) end inside row groups and shards;
    with row groups of 9, the chunks of 9 at 1 and 2 jobs are whole row groups, written as
    they come, and those of 8 at 3 jobs are not."""
    from corpus_tools.package import build as build_module

    monkeypatch.setattr(build_module, "ROW_GROUP", row_group)
    monkeypatch.setattr(build_module, "SHARD_ROWS", 40)
    project = load(corpus)
    builds = {}
    for jobs in (1, 2, 3):
        result = project.build(tmp_path / f"dist-{jobs}", jobs=jobs)
        assert result.records == 70
        builds[jobs] = snapshot(result.output)
    shards = sorted(name for name in builds[1] if name.startswith("data/"))
    assert shards == [SHARD_NAME.format(index=i, total=2) for i in range(2)]
    first = pq.ParquetFile(tmp_path / "dist-1" / shards[0]).metadata
    assert (first.num_rows, first.num_row_groups) == (40, groups)
    assert differences(builds[1], builds[2]) == []
    assert differences(builds[1], builds[3]) == []
    # The chunks handed over through the staging folder are gone, and so is the folder.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist-1", "dist-2", "dist-3"]
    for jobs in (2, 3):
        hidden = [p for p in (tmp_path / f"dist-{jobs}").rglob(".*")]
        assert hidden == []


class _FillsUp(io.FileIO):
    """A chunk file on a disk that is full: every write fails."""

    def write(self, data: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_workers_started_by_spawn_build_the_same_bytes(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where fork is missing (Windows), workers are spawned and get the project pickled: its
    profiles (compiled frozen classes, where the install compiled them) must arrive whole."""
    import multiprocessing

    project = load(corpus)
    expected = snapshot(project.build(tmp_path / "dist-fork", jobs=1).output)
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    spawned = project.build(tmp_path / "dist-spawn", jobs=2)
    assert differences(expected, snapshot(spawned.output)) == []


def _full_at_open(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "IOError: [Errno 28] Error writing bytes to file")

    monkeypatch.setattr(pa.ipc, "new_file", no_space)


def _full_while_writing(monkeypatch: pytest.MonkeyPatch) -> None:
    from corpus_tools.package import build as build_module

    def opened(handle: int, mode: str, closefd: bool = True) -> io.FileIO:
        return _FillsUp(handle, mode, closefd=closefd)

    monkeypatch.setattr(build_module, "open", opened, raising=False)


@pytest.mark.parametrize("fill", [_full_at_open, _full_while_writing])
def test_a_worker_that_cannot_write_its_records_fails_the_build_cleanly(
    corpus: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fill: Callable[[pytest.MonkeyPatch], None],
) -> None:
    """A full disk while a worker hands over a chunk (as its Arrow file starts, or in the
    middle of writing it): one error naming the output, the previous output untouched and no
    staging folder left (workers inherit the patch by fork)."""
    project = load(corpus)
    output = tmp_path / "dist"
    project.build(output, jobs=1)
    before = snapshot(output)
    fill(monkeypatch)
    with pytest.raises(CorpusToolsError) as raised:
        project.build(output, jobs=2)
    assert raised.value.code == "cannot-write"
    assert str(raised.value).startswith(
        f"{output}: cannot write {output} (No space left on device);"
    )
    assert snapshot(output) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]


def test_without_the_file_hand_over_the_build_is_the_same(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where a mapped file cannot be removed (Windows), workers send their tables pickled."""
    from corpus_tools.package import build as build_module

    project = load(corpus)
    expected = snapshot(project.build(tmp_path / "dist-1", jobs=1).output)
    monkeypatch.setattr(build_module, "HAND_OVER_FILES", False)
    assert snapshot(project.build(tmp_path / "dist-2", jobs=2).output) == expected


@settings(max_examples=300)
@given(
    st.integers(min_value=1, max_value=200_000),
    st.integers(min_value=1, max_value=64),
    st.integers(min_value=1, max_value=2000),
)
def test_chunks_keep_every_core_busy(n: int, jobs: int, largest: int) -> None:
    """Chunks are at most ``largest`` (or the minimum), and a corpus of several minimum
    chunks gives every core one."""
    size = chunk_size(n, jobs, largest)
    assert MIN_CHUNK <= size <= max(largest, MIN_CHUNK)
    assert -(-n // size) >= min(jobs, -(-n // max(largest, MIN_CHUNK)))


@pytest.mark.parametrize("run", [2, 5])
def test_seeds_in_runs_get_the_answers_they_get_one_at_a_time(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: int
) -> None:
    """A worker takes its seeds through each step a run at a time. Seeds that fail at
    different steps (unreadable name, empty, binary, no body) in the middle of runs must
    neither shift nor change any seed's answer: the chunk is the same as seed by seed."""
    from corpus_tools.package.build import pack_records
    from corpus_tools.validate import records

    names = sorted(p.name for p in (corpus / "seeds").iterdir())[:9]
    bad = {1: b"", 4: b"News\x00ID", 5: b"Leave a Comment\nTags\n"}  # empty, binary, no body
    jobs = []
    for index, name in enumerate(names):
        data = bad[index] if index in bad else (corpus / "seeds" / name).read_bytes()
        path = tmp_path / name
        path.write_bytes(data)
        jobs.append((str(path), name))
    jobs.insert(7, (str(tmp_path / "not-a-seed.txt"), "not-a-seed.txt"))  # a name refused
    (tmp_path / "not-a-seed.txt").write_bytes((corpus / "seeds" / names[0]).read_bytes())
    project = load(corpus)

    def chunk(size: int) -> records.Chunk:
        monkeypatch.setattr(records, "RUN", size)
        return records._seed_chunk((project, pack_records), jobs)

    alone, together = chunk(1), chunk(run)
    assert together.files == alone.files == [name for _, name in jobs]
    assert together.rids == alone.rids
    assert [alone.rids[i] for i in (1, 4, 5, 7)] == [None, None, None, None]
    assert together.found == alone.found
    # Warnings come as plain tuples (the report makes the ones it keeps into Problems).
    errors = [p for p in alone.found if not isinstance(p, tuple) and p.severity == "error"]
    assert {p.code for p in errors} == {
        "empty-file",
        "binary-file",
        "no-body",
        "file-name",
    }
    assert together.rows == alone.rows
    assert together.entries == alone.entries
    assert together.packed.table.equals(alone.packed.table)
    assert together.packed.stats == alone.packed.stats


@pytest.fixture(scope="module")
def records(corpus: Path) -> list[dict[str, object]]:
    """The corpus's records, as the converter makes them."""
    from corpus_tools.convert.rules import convert_seed
    from corpus_tools.ingest.seeds import read_seed

    project = load(corpus)
    seeds = sorted((corpus / "seeds").iterdir())
    return [dict(convert_seed(read_seed(path), project.profiles)) for path in seeds]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_a_row_groups_size_does_not_depend_on_how_its_rows_were_cut(
    records: list[dict[str, object]], data: st.DataObject
) -> None:
    """The card's num_bytes adds up the row groups' sizes. A row group may be a slice of a
    worker's table, or slices of several joined; its size must be that of a table built
    afresh from its rows, or the card would change with --jobs."""
    from corpus_tools.package.build import arrow_nbytes, arrow_schema

    schema = arrow_schema(load(ROOT))
    start = data.draw(st.integers(0, len(records) - 1))
    stop = data.draw(st.integers(start + 1, len(records)))
    inside = st.sets(st.integers(start + 1, stop - 1), max_size=3)
    cuts = sorted(data.draw(inside)) if stop - start > 1 else []
    bounds = [start, *cuts, stop]
    whole = pa.Table.from_pylist(records, schema=schema)  # a worker's table: slices of it
    pieces = [whole.slice(a, b - a) for a, b in itertools.pairwise(bounds)]
    group = pa.concat_tables(pieces).combine_chunks()
    expected = pa.Table.from_pylist(records[start:stop], schema=schema).nbytes
    assert arrow_nbytes(group) == expected
    assert arrow_nbytes(whole.slice(start, stop - start)) == expected


def test_only_columns_whose_values_repeat_get_a_dictionary(
    records: list[dict[str, object]], tmp_path: Path
) -> None:
    """Texts, ids and digests are written plainly (a dictionary of them would only cost
    time); the outlet, the kinds and other repeated values get one. The columns are named as
    parquet names them, or the writer would not know them."""
    from corpus_tools.package.build import arrow_schema, repeating_columns

    table = pa.Table.from_pylist(records, schema=arrow_schema(load(ROOT)))
    chosen = repeating_columns(table)
    assert {"outlet.id", "body.list.element.kind", "source_map.list.element.path"} <= set(chosen)
    assert not {"id", "seed_sha256", "title", "text", "body.list.element.text"} & set(chosen)
    pq.write_table(table, tmp_path / "t.parquet", use_dictionary=chosen)
    group = pq.ParquetFile(tmp_path / "t.parquet").metadata.row_group(0)
    columns = [group.column(i) for i in range(group.num_columns)]
    assert chosen == [c.path_in_schema for c in columns if c.has_dictionary_page]


def _worker_pid(context: object, chunk: list[int]) -> list[tuple[int, bool]]:
    import os

    return [(os.getpid(), bool(os.environ.get("CT_SETUP_RAN"))) for _ in chunk]


def _mark_setup() -> None:
    import os

    os.environ["CT_SETUP_RAN"] = "1"


def test_worker_setup_runs_in_each_worker_and_never_here() -> None:
    """A worker's setup (the build's: pyarrow told that pandas is not there) must not touch
    the calling process, which may be a user's program."""
    import os

    from corpus_tools.executor import ordered_chunks

    here = list(itertools.chain(*ordered_chunks(_worker_pid, None, range(6), 1, 2, _mark_setup)))
    assert here == [(os.getpid(), False)] * 6
    assert "CT_SETUP_RAN" not in os.environ
    pooled = list(itertools.chain(*ordered_chunks(_worker_pid, None, range(40), 2, 2, _mark_setup)))
    assert len(pooled) == 40
    assert all(ran and pid != os.getpid() for pid, ran in pooled)


def test_build_workers_do_not_import_pandas_yet_can(corpus: Path, tmp_path: Path) -> None:
    """pyarrow imports pandas (0.4 s of CPU a worker) on its first list conversion; a build's
    workers are spared it, and pandas still works where anything asks for it. Run in a fresh
    interpreter: this one has pandas already, which the workers would inherit."""
    import subprocess

    script = """
import datetime, sys
from pathlib import Path
import corpus_tools.package.build as build
from corpus_tools.project import Project

corpus, seen, output = map(Path, sys.argv[1:])
packs = build.pack_records

def pack(project, records):  # runs in the workers, which inherit it by fork
    packed = packs(project, records)
    with seen.open("a") as out:
        out.write(f"{'pandas' in sys.modules}\\n")
    return packed

build.pack_records = pack
Project.load(corpus, today=datetime.date(2026, 1, 2)).build(output, jobs=2)
build.arrow_without_pandas()  # here, as in a worker: pandas is still there when asked for
import pandas
import pyarrow as pa
print(pa.Table.from_pylist([{"a": "x"}]).to_pandas()["a"].tolist())
"""
    seen = tmp_path / "seen.txt"
    done = subprocess.run(
        [sys.executable, "-c", script, str(corpus), str(seen), str(tmp_path / "dist")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    answers = seen.read_text().split()
    assert len(answers) >= 2 and set(answers) == {"False"}  # every chunk, in every worker
    assert done.stdout.strip() == "['x']"


def test_each_shard_is_read_once_for_its_digest(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Croissant and the manifest record the same shard digests: at scale, each extra read of
    the shards is seconds of the build's serial end."""
    from corpus_tools.package import build as build_module
    from corpus_tools.package import manifest

    monkeypatch.setattr(build_module, "SHARD_ROWS", 40)
    reads: list[str] = []
    digest = manifest.file_sha256

    def counted(path: Path) -> str:
        reads.append(path.name)
        return digest(path)

    monkeypatch.setattr(manifest, "file_sha256", counted)
    result = load(corpus).build(tmp_path / "dist", jobs=1)
    shards = [name.rsplit("/", 1)[-1] for name in result.files if name.startswith("data/")]
    assert len(shards) == 2
    assert sorted(name for name in reads if name in shards) == sorted(shards)
