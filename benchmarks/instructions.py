"""Instructions a seed: the build's per-seed work counted by valgrind, not timed.

Usage: python benchmarks/instructions.py [--seeds N] [--project DIR]

On a shared machine whose speed drifts by 2x within minutes, a 5% change in per-seed work is
lost in wall-clock noise; an instruction count is the same on every run of the same code and
inputs. This runs the worker's step (read, convert, schema check, compact row, manifest line,
Arrow table: ``_seed_chunk`` with ``pack_records``, in chunks of up to a row group and with the
workers' collection thresholds) in one process under ``valgrind --tool=callgrind``, counting
only the measured seeds: imports, plan compilation and a first chunk of 100 seeds run before
counting starts (``callgrind_control -i on``).

Without DIR, a corpus of N + 100 seeds is generated with make_corpus.py. Counts compare code
versions, not time: valgrind hides SHA-NI from OpenSSL, so SHA-256 counts several times the
instructions it runs natively (a fixed share, the same before and after a change). It also
puts its own plain loops in place of glibc's vectorised string functions (memchr and the like),
so a change that moves work into substring searches counts worse than it runs: time such a
change as well.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import write_project

WARM = 100
COLLECTED = re.compile(r"Collected : (\d+)")


def measured(project: Path, n: int) -> None:
    """Run under valgrind: warm up, then count ``n`` seeds' work."""
    import datetime
    import gc

    from corpus_tools.executor import GC_THRESHOLDS
    from corpus_tools.ingest.seeds import seed_names
    from corpus_tools.package.build import ROW_GROUP, pack_records
    from corpus_tools.project import Project
    from corpus_tools.validate.records import _seed_chunk

    loaded = Project.load(project, today=datetime.date.today())
    folder = project / "seeds"
    names = seed_names(folder)  # in the build's order
    # String paths, as a build hands them out.
    jobs = [(os.path.join(folder, name), name) for name in itertools.islice(names, WARM + n)]
    context = (loaded, pack_records)
    gc.set_threshold(*GC_THRESHOLDS)  # as in the build's worker processes
    _seed_chunk(context, jobs[:WARM])
    toggle = ["callgrind_control", "--instr"]
    subprocess.run([*toggle, "on", str(os.getpid())], capture_output=True, check=True)
    for first in range(WARM, WARM + n, ROW_GROUP):
        _seed_chunk(context, jobs[first : first + ROW_GROUP])
    subprocess.run([*toggle, "off", str(os.getpid())], capture_output=True, check=True)


def count(project: Path, n: int) -> int:
    """Instructions counted over ``n`` seeds of ``project``."""
    with tempfile.TemporaryDirectory() as scratch:
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={scratch}/callgrind.out",
                sys.executable,
                __file__,
                "--inner",
                str(project),
                "--seeds",
                str(n),
            ],
            capture_output=True,
            text=True,
        )
    found = COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        sys.stderr.write(done.stderr[-4000:])
        sys.exit(f"the measured run failed (exit code {done.returncode})")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=300, help="seeds counted (default 300)")
    parser.add_argument("--project", type=Path, help="a corpus project (default: generated)")
    parser.add_argument("--inner", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seeds < 1:
        parser.error("--seeds must be at least 1")
    if args.inner is not None:
        measured(args.inner, args.seeds)
        return
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    project = args.project
    folder = None
    if project is None:
        folder = Path(tempfile.mkdtemp(prefix="corpus-instructions-"))
        write_project(folder, WARM + args.seeds, 0)
        project = folder
    try:
        total = count(project, args.seeds)
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    from corpus_tools.compiled import status

    print(f"{total / args.seeds:,.0f} instructions a seed ({args.seeds} seeds of {project})")
    print(f"per-seed modules: {status()}")


if __name__ == "__main__":
    main()
