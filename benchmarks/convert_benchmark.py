"""Benchmark conversion and validation on a synthetic corpus made from the seeds.

Usage: python benchmarks/convert_benchmark.py [--copies N]
Prints seeds/second and peak Python memory for convert and validate. Compare the numbers
before and after an optimisation; this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from corpus_tools.validation import validate_seeds

from corpus_tools.convert import convert_folder

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def make_corpus(folder: Path, copies: int) -> int:
    """Write ``copies`` variants of each seed (a numbered sentence keeps their texts distinct)."""
    count = 0
    for copy in range(copies):
        for seed in sorted(SEEDS.glob("*.txt")):
            data = seed.read_bytes().rstrip() + f"\n\nVariant sentence number {copy}.".encode()
            digest = hashlib.sha256(data).hexdigest()[:16]
            (folder / f"{count % 1000:03d}_{digest}.txt").write_bytes(data)
            count += 1
    return count


def measure(label: str, seeds: int, work: Callable[[], object]) -> None:
    tracemalloc.start()
    start = time.perf_counter()
    work()
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{label:<9} {seeds:>6} seeds  {elapsed:7.2f} s  {seeds / elapsed:8.1f} seeds/s  "
        f"peak {peak / 2**20:7.1f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=100, help="variants per seed")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="corpus-bench-"))
    try:
        count = make_corpus(folder, args.copies)
        measure("convert", count, lambda: sum(1 for _ in convert_folder(folder)))
        measure("validate", count, lambda: validate_seeds(folder))
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
