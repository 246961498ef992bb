"""Convert: seeds to article records, by outlet profile (or the generic fallback)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from corpus_tools.convert.profiles import GENERIC, Outlet, Profile, ProfileSet, load_profiles
from corpus_tools.convert.rules import convert_seed, pick_profile
from corpus_tools.errors import ConversionError, CorpusToolsError
from corpus_tools.ingest.seeds import list_seeds, read_seed
from corpus_tools.record import Record

if TYPE_CHECKING:
    from corpus_tools.project import Progress, Project

__all__ = [
    "GENERIC",
    "ConversionError",
    "Outlet",
    "Profile",
    "ProfileSet",
    "Record",
    "convert_folder",
    "convert_seed",
    "load_profiles",
    "pick_profile",
    "write_records",
]


def convert_folder(project: Project, folder: Path) -> Iterator[Record]:
    """Convert every seed of a folder in file-name order, one record at a time."""
    for path in list_seeds(folder):
        seed = read_seed(path, project.show(path), project.meta.max_seed_bytes)
        yield convert_seed(seed, project.profiles)


class ConvertFailed(CorpusToolsError):
    """Some seeds could not be converted; nothing was written."""

    def __init__(self, errors: list[str], failed: int, total: int, output: Path) -> None:
        self.errors, self.failed, self.total, self.output = errors, failed, total, output
        super().__init__("invalid-data", errors=len(errors), target=f"{total} seeds")

    def lines(self) -> list[str]:
        summary = f"{self.failed} of {self.total} seeds failed; nothing written to {self.output}"
        return [*self.errors, summary]


def write_records(
    project: Project, folder: Path, output: Path, progress: Progress | None = None
) -> int:
    """Convert and schema-check every seed, then write JSON Lines atomically.

    Every bad seed is collected; if there is any, nothing is written and ConvertFailed lists
    them all. Returns the number of records written.
    """
    from corpus_tools.package.atomic import AtomicWriter, dumps_record

    paths = list_seeds(folder)
    problems: list[str] = []
    failed = 0
    with AtomicWriter(output) as out:
        for path in paths:
            shown = project.show(path)
            if progress is not None:
                progress(shown)
            try:
                record = convert_seed(
                    read_seed(path, shown, project.meta.max_seed_bytes), project.profiles
                )
            except ConversionError as error:
                problems.append(error.one_line())
                failed += 1
                continue
            errors = list(project.schema.iter_errors(record))
            problems += [
                f"{shown}: record fails the schema at {e.json_path}: {e.message}; "
                "fix the outlet profile"
                for e in errors
            ]
            failed += bool(errors)
            if not errors and not problems:
                out.write(dumps_record(record) + "\n")
        if problems:
            out.abort()
            raise ConvertFailed(problems, failed, len(paths), output)
    return len(paths)
