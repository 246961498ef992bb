"""Fault injection: a build or release killed (SIGKILL) at each named point leaves the previous
state or the new one, and the next command finishes or rolls back, and says which."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import GOLDEN_SEEDS, Run, copy_project, run_cli


def run(root: Path, *args: str, kill_at: str | None = None) -> Run:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    env.pop("CORPUS_TOOLS_KILL_AT", None)
    if kill_at:
        env["CORPUS_TOOLS_KILL_AT"] = kill_at
    return run_cli(*args, "--project", str(root), "--jobs", "1", env=env, timeout=300)


def snapshot(folder: Path) -> dict[Path, bytes]:
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".dist"))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "corpus", releases=False, seeds=GOLDEN_SEEDS[:2])


def test_release_killed_after_recording_is_finished_by_the_next_build(root: Path) -> None:
    killed = run(root, "release", kill_at="release.recorded")
    assert killed.code == -9
    assert (root / "releases" / "v1.0.0.json").is_file()
    # dist/ lags behind the recorded release: validate --dataset says so.
    assert run(root, "validate", "--dataset", str(root / "dist")).code in (1, 2)

    rebuilt = run(root, "build")
    assert rebuilt.code == 0, rebuilt.stderr
    assert "finishing interrupted release v1.0.0" in rebuilt.stderr
    assert "version 1.0.0" in rebuilt.stdout
    assert run(root, "validate", "--dataset", str(root / "dist")).code == 0
    assert not (root / ".corpus-tools-release.json").exists()
    assert leftovers(root) == []


def test_release_killed_before_recording_is_rolled_back(root: Path) -> None:
    killed = run(root, "release", kill_at="release.journaled")
    assert killed.code == -9
    assert not (root / "releases" / "v1.0.0.json").exists()

    again = run(root, "release")
    assert again.code == 0, again.stderr
    assert "rolled back interrupted release v1.0.0" in again.stderr
    assert "released v1.0.0" in again.stdout
    assert run(root, "validate", "--dataset", str(root / "dist")).code == 0


@pytest.mark.parametrize("point", ["build.written", "build.swapping"])
def test_build_killed_leaves_the_previous_dist_or_restores_it(root: Path, point: str) -> None:
    assert run(root, "release").code == 0
    before = snapshot(root / "dist")

    killed = run(root, "build", kill_at=point)
    assert killed.code == -9

    again = run(root, "build")
    assert again.code == 0, again.stderr
    assert "interrupted" in again.stderr  # it says what it cleaned up
    after = snapshot(root / "dist")
    assert after == before  # same seeds, same bytes: nothing lost, nothing mixed
    assert leftovers(root) == []
    # Deleting dist/ loses nothing: the history is in the project.
    shutil.rmtree(root / "dist")
    assert run(root, "build").code == 0
    assert run(root, "validate", "--dataset", str(root / "dist")).code == 0
