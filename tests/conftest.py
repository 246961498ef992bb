"""Shared fixtures: the repository root, temporary copies of its project, converted seeds."""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest
from huggingface_hub.errors import HfHubHTTPError
from hypothesis import settings

from corpus_tools.convert.profiles import ProfileSet, load_profiles
from corpus_tools.project import Project
from corpus_tools.record import Record

# No per-example deadline in property tests: speed is measured by benchmarks/, and on a
# shared machine one example of a 0.2 ms test once took 318 ms (a stalled virtual CPU),
# which hypothesis reported as a failure. Tests that set their own settings inherit this.
settings.register_profile("corpus-tools", deadline=None)
settings.load_profile("corpus-tools")

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
TODAY = datetime.date(2026, 1, 2)
# The five seeds the golden tests describe; other seeds may be added to seeds/ at any time.
GOLDEN_SEEDS = (
    "000_0828cff762950d3a.txt",
    "001_b8e32a01f76ace3e.txt",
    "002_2ee008dd76835e94.txt",
    "003_8566bcfe0396727f.txt",
    "004_523f84f5b651b2cc.txt",
)


def seed_files(folder: Path = SEEDS) -> list[str]:
    """The seed file names of a folder, in the order conversion reads them."""
    return sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def copy_project(
    target: Path, *, releases: bool = True, seeds: tuple[str, ...] | None = None
) -> Path:
    """Copy this repository's project (dataset.toml, seeds/, card/, profiles/, and releases/ unless
    ``releases`` is false) into ``target``; ``seeds`` limits the copy to those seed files."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "dataset.toml", target / "dataset.toml")
    shutil.copytree(ROOT / "card", target / "card")
    shutil.copytree(ROOT / "profiles", target / "profiles")
    if seeds is None:
        shutil.copytree(SEEDS, target / "seeds")
    else:
        (target / "seeds").mkdir()
        for name in seeds:
            shutil.copy(SEEDS / name, target / "seeds" / name)
    if releases:
        shutil.copytree(ROOT / "releases", target / "releases")
    return target


def load(root: Path, today: datetime.date = TODAY, display_base: Path | None = None) -> Project:
    """The project at ``root`` with a fixed date."""
    return Project.load(root, today=today, display_base=display_base)


def cli_executable() -> str:
    """The installed console script (``python -m corpus_tools.cli`` does not run the app)."""
    found = shutil.which("corpus-tools", path=str(Path(sys.executable).parent))
    assert found is not None, "corpus-tools console script is not installed beside Python"
    return found


@dataclass
class Run:
    """What a command run as a user would run it printed, and how long and how much it took."""

    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_kib: int | None = None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def lines(self) -> list[str]:
        """The non-blank lines of stdout and stderr."""
        return [line for line in self.output.splitlines() if line.strip()]


def run_cli(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60,
    measure: bool = False,
) -> Run:
    """``corpus-tools ARGS`` in a real subprocess (a pipe, not a terminal), offline unless
    ``env`` says otherwise; with ``measure``, through a parent that reports its peak memory."""
    if env is None:
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
        env.pop("GITHUB_STEP_SUMMARY", None)
    command = [cli_executable(), *args]
    if measure:
        wrapper = (
            "import resource, subprocess, sys\n"
            f"done = subprocess.run(sys.argv[1:], timeout={timeout})\n"
            "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
            "sys.stderr.write(f'\\nPEAK_KIB={peak}\\n')\n"
            "sys.exit(done.returncode)\n"
        )
        command = [sys.executable, "-c", wrapper, *command]
    start = time.monotonic()
    done = subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="backslashreplace",
        env=env,
        timeout=timeout + 5,
        check=False,
    )
    seconds = time.monotonic() - start
    stderr, peak = done.stderr, None
    if measure:
        stderr, _, tail = stderr.rpartition("\nPEAK_KIB=")
        peak = int(tail.strip())
    return Run(done.returncode, done.stdout, stderr, seconds, peak)


def http_error(status: int, message: str = "Server Error") -> HfHubHTTPError:
    """The error huggingface_hub raises for an HTTP ``status`` from the Hub."""
    request = httpx2.Request("POST", "https://huggingface.co/api/repos/create")
    return HfHubHTTPError(message, response=httpx2.Response(status, request=request))


@pytest.fixture(scope="session")
def profiles() -> ProfileSet:
    """This repository's outlet profiles with the built-in ones."""
    return load_profiles(ROOT / "profiles")


@pytest.fixture(scope="session")
def repo_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A copy of this repository's project (with its release history), loaded once."""
    return load(copy_project(tmp_path_factory.mktemp("project") / "corpus"))


@pytest.fixture(scope="session")
def seed_records(repo_project: Project) -> dict[str, Record]:
    """Every seed converted once, by seed file name."""
    return {record["seed_file"]: record for record in repo_project.convert()}
