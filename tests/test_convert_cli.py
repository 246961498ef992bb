"""`corpus-tools convert` driven as a user would, through typer's CliRunner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpus_tools.cli import app
from corpus_tools.schema import iter_errors
from tests.conftest import ROOT, SEEDS

runner = CliRunner()
FIXTURES = ROOT / "tests" / "fixtures" / "seeds"


def test_convert_writes_five_valid_records_in_seed_order(tmp_path: Path) -> None:
    output = tmp_path / "records.jsonl"
    result = runner.invoke(app, ["convert", str(SEEDS), "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert "wrote 5 records" in result.stdout
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [r["seed_file"] for r in records] == sorted(p.name for p in SEEDS.glob("*.txt"))
    for record in records:
        assert list(iter_errors(record)) == []


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
def test_bad_seed_is_named_and_nothing_is_written(tmp_path: Path, case: str, message: str) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    for bad in (FIXTURES / case).iterdir():
        shutil.copy(bad, seeds / bad.name)
    output = tmp_path / "records.jsonl"
    result = runner.invoke(app, ["convert", str(seeds), "--output", str(output)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert any(message in line for line in lines), result.stderr
    assert lines[-1].startswith("1 of 6 seeds failed; nothing written")
    assert "Traceback" not in result.output
    assert not output.exists()
    assert list(tmp_path.glob(".records.jsonl*")) == []


def test_every_bad_seed_is_reported_not_only_the_first(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for case in ("empty", "binary", "latin1"):
        for bad in (FIXTURES / case).iterdir():
            shutil.copy(bad, seeds / bad.name)
    result = runner.invoke(app, ["convert", str(seeds), "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 4  # three seeds and the summary


def test_existing_output_is_kept_when_conversion_fails(tmp_path: Path) -> None:
    output = tmp_path / "records.jsonl"
    output.write_text("previous\n", encoding="utf-8")
    result = runner.invoke(app, ["convert", str(FIXTURES / "empty"), "-o", str(output)])
    assert result.exit_code == 1
    assert output.read_text(encoding="utf-8") == "previous\n"


def test_missing_seeds_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["convert", str(tmp_path / "nope"), "-o", "x.jsonl"])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


@pytest.mark.parametrize("command", ["convert", "validate", "build", "release", "publish"])
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert "corpus-tools " + command in result.stdout


def test_a_folder_inside_the_seeds_folder_is_reported(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    (seeds / "005_00000000000000aa.txt").mkdir()
    result = runner.invoke(app, ["convert", str(seeds), "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 1
    assert "005_00000000000000aa.txt: is a folder, not a seed file" in result.stderr


def test_an_unwritable_output_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["convert", str(SEEDS), "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "cannot write" in result.stderr
    assert "Traceback" not in result.output
