"""Hostile inputs through the command line: FIFOs, devices, links out and link loops among the
seeds, oversized and UTF-16/32 seeds, records files built to break a parser, tampered dataset
folders, malformed release files, write failures and two builds at once. Each ends in a clean
report naming the file, with the documented exit code, in bounded time, and leaves nothing
half-written."""

from __future__ import annotations

import codecs
import errno
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from corpus_tools.cli import app
from corpus_tools.metadata import DEFAULT_MAX_SEED_BYTES
from tests.conftest import GOLDEN_SEEDS, ROOT, SEEDS, Run, cli_executable, copy_project, run_cli

# Seconds any one command may take here; a hang (a FIFO opened, a link followed) exceeds it.
BOUND = 30
# Peak memory a validate run may reach (KiB); reading /dev/zero would not stop below it.
MEMORY_KIB = 800_000


def cli(root: Path, *args: str, measure: bool = False, timeout: float = BOUND) -> Run:
    """``corpus-tools ARGS`` run in ``root`` as a user would (a pipe, not a terminal)."""
    return run_cli(*args, cwd=root, timeout=timeout, measure=measure)


def assert_clean(run: Run) -> None:
    assert "Traceback" not in run.output, run.output
    assert run.seconds < BOUND


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".dist"))


def build_in(root: Path) -> None:
    done = cli(root, "build", "--jobs", "1", timeout=120)
    assert done.code == 0, done.output


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's project with its releases, built once; tests change copies of it."""
    root = copy_project(tmp_path_factory.mktemp("hostile") / "corpus")
    build_in(root)
    return root


def copy_of(built: Path, target: Path) -> Path:
    shutil.copytree(built, target, symlinks=True)
    return target


# --------------------------------------------------------------------------- hostile seeds

OUTSIDE_MARKER = "OUTSIDE-SEEDS-MARKER"
# name in seeds/ -> (code, words of the message) for each hostile seed.
HOSTILE_SEEDS = {
    "005_00000000000000ff.txt": ("unreadable", "not a regular file"),  # a FIFO
    "006_00000000000000fe.txt": ("unreadable", "outside seeds/"),  # a link to /dev/zero
    "007_00000000000000fd.txt": ("unreadable", "outside seeds/"),  # a link to a real article
    "008_00000000000000fc.txt": ("unreadable", ""),  # a link loop: 008 -> 009 -> 008
    "009_00000000000000fb.txt": ("unreadable", ""),
    "010_00000000000000fa.txt": ("unreadable", ""),  # a link to itself
    "011_00000000000000f9.txt": (
        "not-utf8",
        "it is UTF-16 LE, by its byte-order mark); re-save it as UTF-8, "
        "for example with iconv -f UTF-16LE -t utf-8",
    ),
    "012_00000000000000f8.txt": (
        "not-utf8",
        "it is UTF-16 BE, by its byte-order mark); re-save it as UTF-8, "
        "for example with iconv -f UTF-16BE -t utf-8",
    ),
    "013_00000000000000f7.txt": (
        "not-utf8",
        "it is UTF-32 LE, by its byte-order mark); re-save it as UTF-8, "
        "for example with iconv -f UTF-32LE -t utf-8",
    ),
    "014_00000000000000f6.txt": (
        "not-utf8",
        "it is UTF-32 BE, by its byte-order mark); re-save it as UTF-8, "
        "for example with iconv -f UTF-32BE -t utf-8",
    ),
    "015_00000000000000f5.txt": (
        "unreadable",
        f"over the limit of {DEFAULT_MAX_SEED_BYTES} (max_seed_bytes)",
    ),
}


@pytest.fixture(scope="module")
def hostile_seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two good seeds and every hostile kind of seed, in a never-released project."""
    base = tmp_path_factory.mktemp("hostile-seeds")
    root = copy_project(base / "corpus", releases=False, seeds=GOLDEN_SEEDS[:2])
    seeds = root / "seeds"
    # A real article outside seeds/: were the link followed, it would become a valid record.
    article = (SEEDS / GOLDEN_SEEDS[3]).read_text(encoding="utf-8")
    outside = base / "outside.txt"
    outside.write_text(article.replace("\n\n", f"\n\n{OUTSIDE_MARKER} ", 1), encoding="utf-8")
    os.mkfifo(seeds / "005_00000000000000ff.txt")
    (seeds / "006_00000000000000fe.txt").symlink_to("/dev/zero")
    (seeds / "007_00000000000000fd.txt").symlink_to(outside)
    (seeds / "008_00000000000000fc.txt").symlink_to("009_00000000000000fb.txt")
    (seeds / "009_00000000000000fb.txt").symlink_to("008_00000000000000fc.txt")
    (seeds / "010_00000000000000fa.txt").symlink_to("010_00000000000000fa.txt")
    text = (SEEDS / GOLDEN_SEEDS[2]).read_text(encoding="utf-8")
    for name, bom, codec in [
        ("011_00000000000000f9.txt", codecs.BOM_UTF16_LE, "utf-16-le"),
        ("012_00000000000000f8.txt", codecs.BOM_UTF16_BE, "utf-16-be"),
        ("013_00000000000000f7.txt", codecs.BOM_UTF32_LE, "utf-32-le"),
        ("014_00000000000000f6.txt", codecs.BOM_UTF32_BE, "utf-32-be"),
    ]:
        (seeds / name).write_bytes(bom + text.encode(codec))
    with (seeds / "015_00000000000000f5.txt").open("wb") as big:  # sparse: no disk is used
        big.truncate(DEFAULT_MAX_SEED_BYTES + 1)
    return root


@pytest.fixture(scope="module")
def hostile_runs(hostile_seeds: Path) -> dict[str, Run]:
    """validate (in-process reading, and on two worker processes), convert and build."""
    return {
        "human": cli(hostile_seeds, "validate", "--jobs", "1", measure=True),
        "json": cli(hostile_seeds, "validate", "--jobs", "2", "--format", "json"),
        "convert": cli(hostile_seeds, "convert", "--output", "records.jsonl"),
        "build": cli(hostile_seeds, "build", "--jobs", "2"),
    }


def test_hostile_seeds_are_reported_without_hanging_or_following(
    hostile_seeds: Path, hostile_runs: dict[str, Run]
) -> None:
    for name, run in hostile_runs.items():
        assert_clean(run)
        assert run.code == 1, (name, run.output)
        assert OUTSIDE_MARKER not in run.output
    human = hostile_runs["human"]
    assert human.peak_kib is not None and human.peak_kib < MEMORY_KIB
    # Nothing was written: the refused seeds (and the article behind the link) made no record.
    assert not (hostile_seeds / "records.jsonl").exists()
    assert not (hostile_seeds / "dist").exists()
    assert leftovers(hostile_seeds) == []


@pytest.mark.parametrize("name", sorted(HOSTILE_SEEDS))
def test_each_hostile_seed_is_named_with_its_reason(
    hostile_runs: dict[str, Run], name: str
) -> None:
    code, words = HOSTILE_SEEDS[name]
    lines = [
        line for line in hostile_runs["human"].stdout.splitlines() if line.startswith("seeds/")
    ]
    mine = [line for line in lines if line.startswith(f"seeds/{name}: ")]
    assert len(mine) == 1, lines
    assert mine[0].startswith(f"seeds/{name}: error {code}: ")
    assert words in mine[0]
    assert "NUL bytes" not in mine[0]
    report = json.loads(hostile_runs["json"].stdout)
    found = [p for p in report["problems"] if p["file"] == f"seeds/{name}"]
    assert [p["code"] for p in found] == [code]
    assert words in found[0]["message"]
    # convert and build name it too (on stderr, with the same reason).
    for command in ("convert", "build"):
        assert f"seeds/{name}" in hostile_runs[command].output, command


def test_a_configured_max_seed_bytes_refuses_larger_seeds(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "corpus", releases=False, seeds=GOLDEN_SEEDS[:2])
    toml = root / "dataset.toml"
    toml.write_text("max_seed_bytes = 1000\n" + toml.read_text(encoding="utf-8"), "utf-8")
    run = cli(root, "validate", "--jobs", "1")
    assert_clean(run)
    assert run.code == 1
    for name in GOLDEN_SEEDS[:2]:
        size = (root / "seeds" / name).stat().st_size
        assert (
            f"seeds/{name}: error unreadable: cannot be read ({size} bytes, over the limit of "
            "1000 (max_seed_bytes))"
        ) in run.stdout


def test_the_default_max_seed_bytes_is_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"| `max_seed_bytes` | integer | no | `{DEFAULT_MAX_SEED_BYTES}` |" in readme


# --------------------------------------------------------------------------- hostile records

FORMATS = ("human", "json", "github", "junit")


def good_record() -> dict[str, Any]:
    line = (ROOT / "tests" / "fixtures" / "records" / "valid.jsonl").read_text("utf-8")
    record: dict[str, Any] = json.loads(line.splitlines()[0])
    return record


def check_records_report(run: Run, output_format: str, file: str, lines: list[int]) -> None:
    """Exit 1, no traceback, and exactly one problem naming ``file`` and each line."""
    assert_clean(run)
    assert run.code == 1, run.output
    if output_format == "human":
        for line in lines:
            assert sum(x.startswith(f"{file}:{line}: error ") for x in run.stdout.splitlines()) == 1
    elif output_format == "json":
        problems = json.loads(run.stdout)["problems"]
        assert sorted((p["file"], p["line"]) for p in problems) == [(file, n) for n in lines]
    elif output_format == "github":
        for line in lines:
            assert run.stdout.count(f"::error file={file},line={line},") == 1
    else:
        suite = ET.fromstring(run.stdout)
        texts = " ".join(f.text or "" for f in suite.iter("failure"))
        for line in lines:
            assert f"at {file}:{line}," in texts


def test_hostile_records_files_are_one_problem_a_line_in_every_format(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "corpus", releases=False, seeds=GOLDEN_SEEDS[:1])
    surrogate = json.dumps({**good_record(), "title": "PLACEHOLDER"})
    hostile = [
        "[" * 10_000 + "]" * 10_000,  # nesting deeper than any parser's stack
        '{"id": ' + "7" * 5_000 + "}",  # an integer over Python's digit limit
        surrogate.replace("PLACEHOLDER", "a\\ud800b"),  # a lone surrogate, as a JSON escape
    ]
    (root / "hostile.jsonl").write_text("\n".join(hostile) + "\n", encoding="utf-8")
    for output_format in FORMATS:
        run = cli(root, "validate", "--records", "hostile.jsonl", "--format", output_format)
        check_records_report(run, output_format, "hostile.jsonl", [1, 2, 3])


def test_a_lone_surrogate_in_the_id_is_one_problem_in_every_format(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "corpus", releases=False, seeds=GOLDEN_SEEDS[:1])
    record = good_record()
    line = json.dumps({**record, "id": "PLACEHOLDER"}).replace("PLACEHOLDER", "\\ud800")
    (root / "hostile.jsonl").write_text(line + "\n", encoding="utf-8")
    for output_format in FORMATS:
        run = cli(root, "validate", "--records", "hostile.jsonl", "--format", output_format)
        check_records_report(run, output_format, "hostile.jsonl", [1])


# --------------------------------------------------------------------------- tampered dataset


def test_a_tampered_dataset_folder_is_reported_and_never_followed(
    built: Path, tmp_path: Path
) -> None:
    root = copy_of(built, tmp_path / "corpus")
    dist = root / "dist"
    # Canaries outside the folder: FIFOs hang whoever opens them.
    canary = tmp_path / "canary"
    os.mkfifo(canary)
    (dist / "notes.txt").write_text("not built\n", encoding="utf-8")  # unlisted
    (dist / "link.txt").symlink_to(canary)  # listed, a link out
    os.mkfifo(dist / "pipe.bin")  # listed, a FIFO
    (dist / "data" / "etc").symlink_to("/etc")  # an unlisted linked folder
    manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    manifest["version"] = "9.9.9"
    manifest["records"][0]["content_sha256"] = "0" * 64
    entry = {"sha256": "0" * 64, "bytes": 1}
    for name in ("link.txt", "pipe.bin", "../canary", "../../etc/hostname", str(canary)):
        manifest["files"][name] = entry
    (dist / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    expected = {
        ("unlisted-file", "dist/notes.txt"),
        ("unlisted-file", "dist/data/etc"),
        ("unsafe-path", "dist/link.txt"),
        ("unsafe-path", "dist/pipe.bin"),
        ("unsafe-path", "dist/../canary"),
        ("unsafe-path", "dist/../../etc/hostname"),
        ("unsafe-path", str(canary)),
        ("stale-dataset", "dist/manifest.json"),
        ("manifest-mismatch", "dist/manifest.json"),
    }
    run = cli(root, "validate", "--dataset", "dist", "--format", "json")
    assert_clean(run)
    assert run.code == 1
    found = {(p["code"], p["file"]) for p in json.loads(run.stdout)["problems"]}
    assert expected <= found, expected - found
    assert "different content" in run.stdout
    assert "9.9.9" in run.stdout
    human = cli(root, "validate", "--dataset", "dist")
    assert_clean(human)
    assert human.code == 1
    for code, file in expected:
        assert f"{file}: error {code}: " in human.stdout


# --------------------------------------------------------------------------- release files

# Release files of the right name (releases/v1.0.1.json) with wrong contents.
RELEASE_FILES = {
    "invalid-json": "{not json",
    "not-an-object": '"a string"\n',
    "no-records": '{"version": "1.0.1"}\n',
    "records-not-a-list": '{"version": "1.0.1", "records": {"a": 1}}\n',
}
# Wrong types further in: each still ends in a KeyError or TypeError traceback.
BROKEN_RELEASE_FILES = {
    "records-not-objects": '{"version": "1.0.1", "records": [1, 2]}\n',
    "keys-missing": '{"version": "1.0.1", "records": []}\n',
    "wrong-types": '{"version": "1.0.1", "previous": 7, "bump": [], "date": 5, '
    '"schema_sha256": 1, "metadata_sha256": null, "fields": "x", "records": [{"id": 5}]}\n',
}


def release_file_run(built: Path, tmp_path: Path, text: str, command: str) -> Any:
    root = copy_of(built, tmp_path / "corpus")
    (root / "releases" / "v1.0.1.json").write_text(text, encoding="utf-8")
    before = snapshot(root / "dist")
    result = CliRunner().invoke(app, [command, "--project", str(root), "--jobs", "1"])
    assert snapshot(root / "dist") == before  # nothing half-written
    return result


def check_release_refusal(result: Any) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "releases/v1.0.1.json: is not a release manifest" in lines[0]


@pytest.mark.parametrize("command", ["build", "release"])
@pytest.mark.parametrize("case", sorted(RELEASE_FILES))
def test_a_malformed_release_file_is_one_line(
    built: Path, tmp_path: Path, case: str, command: str
) -> None:
    check_release_refusal(release_file_run(built, tmp_path, RELEASE_FILES[case], command))


@pytest.mark.parametrize("case", sorted(BROKEN_RELEASE_FILES))
def test_a_release_file_with_wrong_types_is_one_line(
    built: Path, tmp_path: Path, case: str
) -> None:
    check_release_refusal(release_file_run(built, tmp_path, BROKEN_RELEASE_FILES[case], "build"))


# --------------------------------------------------------------------------- write failures


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_build_into_a_read_only_folder_is_one_line(built: Path, tmp_path: Path) -> None:
    root = copy_of(built, tmp_path / "corpus")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        run = cli(root, "build", "--output", str(locked / "dist"), "--jobs", "1")
    finally:
        locked.chmod(0o755)
    assert_clean(run)
    assert run.code == 2
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert str(locked) in lines[0]
    assert "Permission denied" in lines[0]
    assert list(locked.iterdir()) == []


def no_space(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Opening the staged ``name`` for writing fails as on a full disk (Path.write_text and
    write_bytes open through Path.open too)."""
    path_open = Path.open

    def failing(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        writing = any(flag in mode for flag in "wax+")
        if writing and self.name == name and ".dist.building-" in str(self.parent):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return path_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", failing)


def no_space_for_parquet(monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow.parquet as pq

    def failing(self: Any, *args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pq.ParquetWriter, "write_table", failing)


def failing_swap(monkeypatch: pytest.MonkeyPatch) -> None:
    """Renaming the staged folder into place fails (the old dist/ is already moved aside)."""
    rename = Path.rename

    def failing(self: Path, target: Any) -> Path:
        if ".dist.building-" in self.name:
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(self))
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", failing)


@pytest.mark.parametrize(
    ("fault", "shown", "cause", "code"),
    [
        ("card", "dist/README.md", "No space left on device", 1),
        ("manifest", "dist/manifest.json", "No space left on device", 1),
        ("parquet", "dist", "No space left on device", 1),
        ("swap", "dist", "Input/output error", 1),
    ],
)
def test_a_failed_write_is_one_line_and_keeps_the_previous_dist(
    built: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
    shown: str,
    cause: str,
    code: int,
) -> None:
    root = copy_of(built, tmp_path / "corpus")
    before = snapshot(root / "dist")
    releases = snapshot(root / "releases")
    monkeypatch.chdir(root)
    if fault == "card":
        no_space(monkeypatch, "README.md")
    elif fault == "manifest":
        no_space(monkeypatch, "manifest.json")
    elif fault == "parquet":
        no_space_for_parquet(monkeypatch)
    else:
        failing_swap(monkeypatch)
    result = CliRunner().invoke(app, ["build", "--jobs", "1"])
    monkeypatch.undo()
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == code, result.output
    assert snapshot(root / "dist") == before
    assert snapshot(root / "releases") == releases
    assert leftovers(root) == []
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert f"({cause})" in lines[0]
    assert f"{root / shown}: cannot write " in lines[0]  # the output's path, not a staging one


def test_an_output_folder_that_cannot_be_created_is_a_usage_error(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    root = copy_of(built, tmp_path / "corpus")
    before = snapshot(root / "dist")

    def denied(*args: Any, **kwargs: Any) -> str:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(root))

    monkeypatch.setattr(tempfile, "mkdtemp", denied)
    result = CliRunner().invoke(app, ["build", "--project", str(root), "--jobs", "1"])
    monkeypatch.undo()
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "cannot write" in lines[0]
    assert "(Permission denied)" in lines[0]
    assert snapshot(root / "dist") == before


# --------------------------------------------------------------------------- two builds at once


def test_two_builds_at_once_leave_one_consistent_dist(built: Path, tmp_path: Path) -> None:
    root = copy_of(built, tmp_path / "corpus")
    releases = snapshot(root / "releases")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    both = [
        subprocess.Popen(
            [cli_executable(), "build", "--jobs", "1"],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in both]
    for process, (stdout, stderr) in zip(both, outputs, strict=True):
        assert "Traceback" not in stdout + stderr
        if process.returncode == 0:
            assert stdout.startswith("built dist: ")
        else:  # the second waited too long for the first: it says so and changes nothing
            assert process.returncode == 2, stderr
            assert "another build or release of this project is running" in stderr
    assert any(process.returncode == 0 for process in both)
    check = cli(root, "validate", "--dataset", "dist")
    assert_clean(check)
    assert check.code == 0, check.output
    assert snapshot(root / "releases") == releases
    assert leftovers(root) == []


# --------------------------------------------------------------------------- a huge paragraph


def test_a_five_megabyte_paragraph_keeps_the_card_small(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "corpus", releases=False, seeds=GOLDEN_SEEDS[:2])
    source = (SEEDS / GOLDEN_SEEDS[1]).read_text(encoding="utf-8")
    blocks = source.split("\n\n")
    sentences = " ".join(block.replace("\n", " ") for block in blocks[3:])
    paragraph = (sentences + " ") * (5_000_000 // len(sentences) + 1)
    assert len(paragraph) > 5_000_000
    blocks.insert(4, paragraph.strip())
    big = "\n\n".join(blocks).replace(blocks[1], blocks[1] + " (the long version)", 1)
    (root / "seeds" / "002_00000000000000aa.txt").write_text(big, encoding="utf-8")
    run = cli(root, "build", "--jobs", "1", timeout=120)
    assert "Traceback" not in run.output
    assert run.code == 0, run.output
    assert "3 records" in run.stdout
    dist = root / "dist"
    for name in ("README.md", "manifest.json", "CHANGELOG.md", "croissant.json"):
        assert (dist / name).stat().st_size < 200_000, name
