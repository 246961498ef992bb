"""Scale benchmark: `corpus-tools build` against the I/O floor, on a generated corpus of N seeds.

Usage: python benchmarks/scale.py N [--jobs J] [--keep DIR] [--seed S] [--repeat R]

1. Generates a corpus project of N articles with make_corpus.py (in a temporary folder, or in
   DIR with --keep; a DIR that already holds a project of N seeds is reused as it is).
2. The I/O floor: list the seeds, read each file, SHA-256 it and write (id, name, sha256, text)
   to one zstd parquet file with pyarrow, in batches of 1000. Every seed is read once before,
   untimed, so that the floor does not pay for a cold page cache that the build then skips,
   and a one-row table is written, untimed, so that it does not pay for pyarrow's one-time
   import of pandas either.
3. The build: ``corpus-tools build --project DIR -o DIR/dist`` (with --jobs J when the build
   has that option), with its per-seed modules compiled or not as installed (reported:
   ``corpus_tools.compiled``). It runs under a fresh Python wrapper process that times it and
   reports its own RUSAGE_CHILDREN ru_maxrss, so the peak RSS is the build's alone (the peak of its
   largest process, not the sum over worker processes) whatever else this script has run.
   The seeds are read once more, untimed, right before it: this machine's kernel (DAMON)
   pages out file pages left unread for about a minute, which the build would then read
   from disk while the floor did not.
4. Besides wall times, the floor's and the build's CPU seconds (user + system, worker
   processes included), what each read from disk rather than the page cache, and (where
   /proc/stat has it) the CPU time the hypervisor gave to other machines meanwhile.
5. With --repeat R (default 3), the floor and the build run R times, each build right after
   its floor. A shared virtual machine's speed drifts by a quarter or more within minutes, so
   a single pair says as much about the host as about the code: the result is the pair with
   the median ratio (its floor, build and ratio), the peak RSS is the highest of all builds,
   and every pair is printed and kept.

Prints a table and appends it as one JSON line to benchmarks/results.jsonl.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import CORPUS_TOOLS, SEED_NAME, write_project

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.jsonl"
BATCH = 1000
FLOOR_SCHEMA = pa.schema(
    [("id", pa.string()), ("name", pa.string()), ("sha256", pa.string()), ("text", pa.string())]
)

# Runs one command, then prints its wall time and the peak RSS over this wrapper's children
# (ru_maxrss is in KiB on Linux). Being a fresh process, the wrapper has no other children.
_WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": seconds, "maxrss_kib": usage.ru_maxrss,
                  "cpu_s": usage.ru_utime + usage.ru_stime, "inblock": usage.ru_inblock,
                  "returncode": done.returncode,
                  "stdout": done.stdout[-4000:], "stderr": done.stderr[-4000:]}))
"""


def seed_files(seeds: Path) -> list[str]:
    """Seed file names, sorted."""
    return sorted(e.name for e in os.scandir(seeds) if SEED_NAME.match(e.name))


def prepare(n: int, keep: Path | None, seed: int) -> tuple[Path, float | None]:
    """The project folder (generated unless --keep names a project of N seeds) and its time."""
    if keep is not None and (keep / "dataset.toml").is_file():
        found = len(seed_files(keep / "seeds"))
        if found != n:
            sys.exit(f"{keep} holds a project of {found} seeds, not {n}; pick another --keep")
        print(f"reusing {keep} ({n} seeds)")
        return keep, None
    if keep is not None and keep.exists() and any(keep.iterdir()):
        sys.exit(f"{keep} is neither a corpus project nor empty")
    folder = keep if keep is not None else Path(tempfile.mkdtemp(prefix="corpus-scale-"))
    start = time.perf_counter()
    write_project(folder, n, seed)
    seconds = time.perf_counter() - start
    print(f"generated {n} seeds in {folder} in {seconds:.1f} s")
    return folder, seconds


def warm_cache(project: Path) -> float:
    """Read every seed once, untimed in the results, so that the floor and the build both
    find the files in the page cache (a cold floor would flatter the build)."""
    start = time.perf_counter()
    seeds = project / "seeds"
    for name in seed_files(seeds):
        (seeds / name).read_bytes()
    return time.perf_counter() - start


def warm_floor() -> float:
    """Write a one-row table once, untimed: the first table pyarrow makes from Python lists
    imports pandas (to see whether they are a DataFrame; about 0.4 s), which is no part of
    reading, hashing and writing files. Timed along with the first floor, it flattered the
    build by about 5% at 100,000 seeds."""
    start = time.perf_counter()
    one = pa.table({"id": ["x"], "name": ["x"], "sha256": ["x"], "text": ["x"]}, FLOOR_SCHEMA)
    pq.write_table(one, io.BytesIO(), compression="zstd")
    return time.perf_counter() - start


def io_floor(project: Path, out: Path) -> float:
    """List, read, hash and write every seed to one zstd parquet file; the wall time."""
    start = time.perf_counter()
    seeds = project / "seeds"
    names = seed_files(seeds)
    with pq.ParquetWriter(out, FLOOR_SCHEMA, compression="zstd") as writer:
        for first in range(0, len(names), BATCH):
            columns: dict[str, list[str]] = {"id": [], "name": [], "sha256": [], "text": []}
            for name in names[first : first + BATCH]:
                data = (seeds / name).read_bytes()
                columns["id"].append(name[-20:-4])
                columns["name"].append(name)
                columns["sha256"].append(hashlib.sha256(data).hexdigest())
                columns["text"].append(data.decode("utf-8"))
            writer.write_table(pa.table(columns, schema=FLOOR_SCHEMA))
    return time.perf_counter() - start


def build_command(project: Path, jobs: int | None) -> list[str]:
    """The build command; --jobs only when `corpus-tools build --help` lists it."""
    command = [str(CORPUS_TOOLS), "build", "--project", str(project), "-o", str(project / "dist")]
    if jobs is not None:
        help_text = subprocess.run(
            [str(CORPUS_TOOLS), "build", "--help"], capture_output=True, text=True
        ).stdout
        if "--jobs" in help_text:
            command += ["--jobs", str(jobs)]
        else:
            print("note: corpus-tools build has no --jobs option; building without it")
    return command


def run_build(command: list[str]) -> dict[str, Any]:
    """Run the build under the wrapper; its wall time and peak RSS, or exit on failure."""
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *command], capture_output=True, text=True, check=True
    )
    report: dict[str, Any] = json.loads(done.stdout)
    if report["returncode"] != 0:
        sys.stderr.write(report["stdout"] + report["stderr"])
        sys.exit(f"build failed with exit code {report['returncode']}: {' '.join(command)}")
    return report


def stolen_s() -> float | None:
    """CPU time the hypervisor has given to other machines since boot, in seconds (the
    "steal" column of /proc/stat, all cores); None where there is no /proc/stat. A run
    during which much was stolen says more about the host than about the code."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = stat.readline().split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def _delta(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else round(after - before, 2)


def git_commit() -> str:
    """The short commit of HEAD, with '+dirty' when tracked files differ from it."""
    git = ["git", "-C", str(ROOT)]
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    status = subprocess.run(
        [*git, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True
    )
    return commit.stdout.strip() + ("+dirty" if status.stdout.strip() else "")


def table(row: dict[str, Any]) -> str:
    """The result as a two-line table."""
    cells = [
        ("N", f"{row['n']}"),
        ("cores", f"{row['cores']}"),
        ("floor s", f"{row['floor_s']:.2f}"),
        ("floor docs/s", f"{row['floor_docs_per_s']:.0f}"),
        ("build s", f"{row['build_s']:.2f}"),
        ("build docs/s", f"{row['build_docs_per_s']:.1f}"),
        ("build/floor", row["build_vs_floor"]),
        ("peak RSS MiB", f"{row['build_peak_rss_mib']:.0f}"),
    ]
    widths = [max(len(h), len(v)) for h, v in cells]
    head = "  ".join(h.rjust(w) for (h, _), w in zip(cells, widths, strict=True))
    values = "  ".join(v.rjust(w) for (_, v), w in zip(cells, widths, strict=True))
    return f"{head}\n{values}"


def measure_pair(project: Path, command: list[str]) -> dict[str, Any]:
    """One floor, then one build, each on a freshly read page cache; their measurements."""
    floor_out = project / "floor.parquet"
    warm_cache(project)
    before = resource.getrusage(resource.RUSAGE_SELF)
    floor_stolen = stolen_s()
    floor_s = io_floor(project, floor_out)
    floor_stolen = _delta(floor_stolen, stolen_s())
    after = resource.getrusage(resource.RUSAGE_SELF)
    floor_out.unlink()
    shutil.rmtree(project / "dist", ignore_errors=True)  # the same work on every run
    # Again, right before the build: this machine's kernel pages out file pages that have
    # gone unread for about a minute, and the floor read them a while ago.
    warm_cache(project)
    build_stolen = stolen_s()
    build = run_build(command)
    build_stolen = _delta(build_stolen, stolen_s())
    return {
        "floor_s": floor_s,
        "build_s": build["seconds"],
        "peak_rss_kib": build["maxrss_kib"],
        # CPU seconds (user + system, the build's worker processes included) and what was
        # read from disk rather than the page cache (ru_inblock counts 512-byte blocks).
        "floor_cpu_s": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
        "build_cpu_s": build["cpu_s"],
        "floor_inblock": after.ru_inblock - before.ru_inblock,
        "build_inblock": build["inblock"],
        # CPU seconds the hypervisor gave to other machines meanwhile, over all cores.
        "floor_stolen_s": floor_stolen,
        "build_stolen_s": build_stolen,
        "stdout": build["stdout"],
    }


def ratio_text(build_s: float, floor_s: float) -> str:
    """The build's throughput as a fraction of the floor's, such as ``1/4.2``."""
    slower = build_s / floor_s
    return f"1/{slower:.0f}" if slower >= 10 else f"1/{slower:.1f}"


def median_pair(pairs: list[dict[str, Any]]) -> dict[str, Any]:
    """The pair whose build/floor ratio is the median (of an even number of pairs, the
    worse of the two in the middle)."""
    ranked = sorted(pairs, key=lambda pair: pair["build_s"] / pair["floor_s"])
    return ranked[len(ranked) // 2]


def modules_status() -> str:
    """Whether the build runs its per-seed modules compiled (``corpus_tools.compiled``), as
    the build's own Python sees it."""
    python = Path(CORPUS_TOOLS).parent / "python"
    probe = "from corpus_tools.compiled import status; print(status())"
    done = subprocess.run([str(python), "-c", probe], capture_output=True, text=True)
    if done.returncode != 0:  # a version before corpus_tools.compiled
        return "plain Python"
    return done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of seeds")
    parser.add_argument("--jobs", type=int, help="passed to the build if it has --jobs")
    parser.add_argument("--keep", type=Path, help="generate into (or reuse) DIR and keep it")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="floor and build pairs to run (default 3)"
    )
    args = parser.parse_args()
    if args.n < 1:
        parser.error("N must be at least 1")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    project, generate_s = prepare(args.n, args.keep, args.seed)
    pairs = []
    try:
        warm_s, libraries_s = warm_cache(project), warm_floor()
        print(
            f"warmed the page cache in {warm_s:.1f} s "
            f"and the floor's libraries in {libraries_s:.1f} s"
        )
        command = build_command(project, args.jobs)
        modules = modules_status()
        print(f"the build's per-seed modules: {modules}")
        for number in range(1, args.repeat + 1):
            pair = measure_pair(project, command)
            pairs.append(pair)
            print(
                f"pair {number}/{args.repeat}: floor {pair['floor_s']:.2f} s, "
                f"build {pair['build_s']:.2f} s, {ratio_text(pair['build_s'], pair['floor_s'])}"
                f" (CPU {pair['floor_cpu_s']:.2f} / {pair['build_cpu_s']:.2f} s, stolen "
                f"{pair['floor_stolen_s']} / {pair['build_stolen_s']} s)",
                flush=True,
            )
    finally:
        if args.keep is None:
            shutil.rmtree(project, ignore_errors=True)

    chosen = median_pair(pairs)
    floor_s, build_s = chosen["floor_s"], chosen["build_s"]
    row: dict[str, Any] = {
        "date": dt.date.today().isoformat(),
        "commit": git_commit(),
        "n": args.n,
        "cores": os.cpu_count(),
        "jobs": args.jobs if "--jobs" in command else None,
        "generate_s": None if generate_s is None else round(generate_s, 2),
        "repeat": args.repeat,
        "modules": modules,
        "floor_s": round(floor_s, 3),
        "floor_docs_per_s": round(args.n / floor_s, 1),
        "build_s": round(build_s, 3),
        "build_docs_per_s": round(args.n / build_s, 1),
        "build_vs_floor": ratio_text(build_s, floor_s),
        # The highest peak of all builds, not the median pair's.
        "build_peak_rss_mib": round(max(p["peak_rss_kib"] for p in pairs) / 1024, 1),
        "floor_cpu_s": round(chosen["floor_cpu_s"], 2),
        "build_cpu_s": round(chosen["build_cpu_s"], 2),
        "floor_disk_read_mib": round(chosen["floor_inblock"] * 512 / 2**20, 1),
        "build_disk_read_mib": round(chosen["build_inblock"] * 512 / 2**20, 1),
        "floor_stolen_s": chosen["floor_stolen_s"],
        "build_stolen_s": chosen["build_stolen_s"],
        "pairs": [
            {
                "floor_s": round(p["floor_s"], 3),
                "build_s": round(p["build_s"], 3),
                "build_vs_floor": ratio_text(p["build_s"], p["floor_s"]),
                "build_peak_rss_mib": round(p["peak_rss_kib"] / 1024, 1),
                "floor_cpu_s": round(p["floor_cpu_s"], 2),
                "build_cpu_s": round(p["build_cpu_s"], 2),
                "floor_stolen_s": p["floor_stolen_s"],
                "build_stolen_s": p["build_stolen_s"],
            }
            for p in pairs
        ],
    }
    print(chosen["stdout"].strip())
    if args.repeat > 1:
        print(f"the pair with the median ratio of {args.repeat}:")
    print(table(row))
    print(
        f"CPU: floor {row['floor_cpu_s']} s, build {row['build_cpu_s']} s; read from disk: "
        f"floor {row['floor_disk_read_mib']} MiB, build {row['build_disk_read_mib']} MiB"
    )
    floor_stolen, build_stolen = row["floor_stolen_s"], row["build_stolen_s"]
    if floor_stolen is not None and build_stolen is not None:
        cores = os.cpu_count() or 1
        print(
            f"stolen by the hypervisor: floor {floor_stolen} s "
            f"({floor_stolen / (floor_s * cores):.0%} of its time on {cores} cores), "
            f"build {build_stolen} s ({build_stolen / (build_s * cores):.0%})"
        )
    with RESULTS.open("a", encoding="utf-8") as results:
        results.write(json.dumps(row) + "\n")
    print(f"appended to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
