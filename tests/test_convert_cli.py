"""`corpus-tools convert` driven as a user would, through typer's CliRunner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpus_tools.cli import app
from corpus_tools.schema import Schema
from tests.conftest import ROOT, copy_project, seed_files

runner = CliRunner()
FIXTURES = ROOT / "tests" / "fixtures" / "seeds"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project as the current folder."""
    root = copy_project(tmp_path / "corpus")
    monkeypatch.chdir(root)
    return root


def test_convert_writes_every_seed_as_a_valid_record_in_seed_order(project: Path) -> None:
    output = project / "records.jsonl"
    result = runner.invoke(app, ["convert", "seeds", "--output", str(output)])
    assert result.exit_code == 0, result.output
    names = seed_files(project / "seeds")
    assert f"wrote {len(names)} records to records.jsonl" in result.stdout
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [r["seed_file"] for r in records] == names
    schema = Schema.packaged()
    for record in records:
        assert list(schema.iter_errors(record)) == []


def test_convert_defaults_to_the_projects_seeds(project: Path) -> None:
    result = runner.invoke(app, ["convert", "-o", "out.jsonl"])
    assert result.exit_code == 0, result.output
    lines = (project / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(seed_files(project / "seeds"))


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("empty", "000_00000000000000e1.txt: file is empty; add the article text"),
        ("binary", "000_00000000000000b1.txt: file contains NUL bytes and is not a text file"),
        ("latin1", "000_00000000000000c1.txt:5: file is not UTF-8 text (byte 0xe9 at offset"),
        ("furniture_only", "000_00000000000000f1.txt: no article body: all 3 non-blank lines"),
        ("bad_name", "article.txt: file name does not follow NNN_<16 hex>.txt; rename it"),
    ],
)
def test_bad_seed_is_named_and_nothing_is_written(project: Path, case: str, message: str) -> None:
    seeds = project / "seeds"
    total = len(seed_files(seeds)) + 1
    (bad,) = (FIXTURES / case).iterdir()
    shutil.copy(bad, seeds / bad.name)
    output = project / "records.jsonl"
    result = runner.invoke(app, ["convert", "--output", str(output)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert any(message in line for line in lines), result.stderr
    assert any(line.startswith(f"seeds/{bad.name}") for line in lines), result.stderr
    assert lines[-1].startswith(f"1 of {total} seeds failed; nothing written")
    assert "Traceback" not in result.output
    assert not output.exists()
    assert list(project.glob(".records.jsonl*")) == []


def test_every_bad_seed_is_reported_not_only_the_first(project: Path) -> None:
    seeds = project / "elsewhere"
    seeds.mkdir()
    for case in ("empty", "binary", "latin1"):
        for bad in (FIXTURES / case).iterdir():
            shutil.copy(bad, seeds / bad.name)
    result = runner.invoke(app, ["convert", str(seeds), "-o", str(project / "out.jsonl")])
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 4  # three seeds and the summary


def test_existing_output_is_kept_when_conversion_fails(project: Path) -> None:
    output = project / "records.jsonl"
    output.write_text("previous\n", encoding="utf-8")
    result = runner.invoke(app, ["convert", str(FIXTURES / "empty"), "-o", str(output)])
    assert result.exit_code == 1
    assert output.read_text(encoding="utf-8") == "previous\n"


def test_missing_seeds_folder_is_a_usage_error(project: Path) -> None:
    result = runner.invoke(app, ["convert", str(project / "nope"), "-o", "x.jsonl"])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


@pytest.mark.parametrize(
    "command", ["init", "add", "convert", "validate", "build", "release", "publish"]
)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert "corpus-tools " + command in result.stdout
    if command not in ("init",):
        assert "--project" in result.stdout


def test_a_folder_inside_the_seeds_folder_is_reported(project: Path) -> None:
    (project / "seeds" / "9999_00000000000000aa.txt").mkdir()
    result = runner.invoke(app, ["convert", "-o", str(project / "out.jsonl")])
    assert result.exit_code == 1
    assert "seeds/9999_00000000000000aa.txt: is a folder, not a seed file" in result.stderr


def test_an_unwritable_output_is_reported_in_one_line(project: Path) -> None:
    result = runner.invoke(app, ["convert", "-o", str(project / "seeds")])
    assert result.exit_code != 0
    assert "cannot write" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_an_unwritable_output_is_a_usage_error(project: Path) -> None:
    result = runner.invoke(app, ["convert", "-o", str(project / "seeds")])
    assert result.exit_code == 2


def test_convert_outside_a_project_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    monkeypatch.chdir(outside)
    result = runner.invoke(app, ["convert", str(ROOT / "seeds"), "-o", "x.jsonl"])
    assert result.exit_code == 2
    assert "dataset.toml" in result.stderr
    assert not (outside / "x.jsonl").exists()
