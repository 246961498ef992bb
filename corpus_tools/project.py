"""A corpus project: the one context every stage is handed.

A project is a folder holding ``dataset.toml`` (metadata), ``seeds/`` (page copies),
``profiles/`` (its own outlet profiles), ``card/`` (card prose) and ``releases/`` (the release
history). ``Project.load`` finds it the way git finds a repository: the nearest folder upward
that holds ``dataset.toml``. Nothing falls back to a file shipped inside the package.

The library API sits here too, as sqlite-utils offers its CLI's functions to Python::

    project = Project.load("path/to/corpus")
    report = project.validate()
    project.build()
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from corpus_tools.convert.profiles import ProfileSet, load_profiles
from corpus_tools.errors import CorpusToolsError, UsageError
from corpus_tools.metadata import METADATA_FILE, DatasetMeta, load_meta
from corpus_tools.package.prose import CardProse, load_prose
from corpus_tools.schema import Schema

if TYPE_CHECKING:
    from corpus_tools.package.build import BuildResult
    from corpus_tools.publish.hub import HubClient, PublishResult
    from corpus_tools.record import Record
    from corpus_tools.release.cut import ReleaseResult
    from corpus_tools.validate.report import Report

SEEDS = "seeds"
PROFILES = "profiles"
CARD = "card"
RELEASES = "releases"
DIST = "dist"
T = TypeVar("T")
Progress = Callable[[str], None]
Notify = Callable[[str], None]


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` that holds dataset.toml."""
    start = start.absolute()
    for folder in (start, *start.parents):
        if (folder / METADATA_FILE).is_file():
            return folder
    raise UsageError("no-project", start=start)


@dataclass(frozen=True)
class Project:
    """A corpus project: root, metadata, profiles, schema, card prose and today's date."""

    root: Path
    meta: DatasetMeta
    profiles: ProfileSet
    schema: Schema
    prose: CardProse
    today: dt.date
    # Paths in messages are shown relative to this folder (the CLI passes the current one).
    display_base: Path | None = field(default=None, compare=False)

    @classmethod
    def load(
        cls,
        path: str | Path = ".",
        *,
        today: dt.date | None = None,
        display_base: Path | None = None,
    ) -> Project:
        """Find and load the project that holds ``path``; every file problem is reported."""
        root = find_root(Path(path))
        errors: list[CorpusToolsError] = []

        def collect(load: Callable[[Path], T], where: Path) -> T | None:
            """Load one file set; its problems join the others instead of stopping here."""
            try:
                return load(where)
            except CorpusToolsError as error:
                errors.extend(getattr(error, "errors", [error]))
                return None

        meta = collect(load_meta, root / METADATA_FILE)
        profiles = collect(load_profiles, root / PROFILES)
        prose = collect(load_prose, root / CARD)
        if errors:
            from corpus_tools.errors import ProjectErrors

            raise ProjectErrors(errors)
        assert meta is not None and profiles is not None and prose is not None
        return cls(
            root=root,
            meta=meta,
            profiles=profiles,
            schema=Schema.packaged(),
            prose=prose,
            today=today or dt.date.today(),
            display_base=display_base,
        )

    # ------------------------------------------------------------------ paths
    @property
    def seeds_dir(self) -> Path:
        return self.root / SEEDS

    @property
    def releases_dir(self) -> Path:
        return self.root / RELEASES

    @property
    def dist_dir(self) -> Path:
        return self.root / DIST

    def show(self, path: Path) -> str:
        """A path as messages show it: relative to the display base when inside it."""
        base = self.display_base or self.root
        try:
            return path.absolute().relative_to(base.absolute()).as_posix()
        except ValueError:
            return path.as_posix()

    # ------------------------------------------------------------------ the stages
    def add(self, files: Sequence[Path]) -> list[Path]:
        """Copy page copies into seeds/ under their order number and content id."""
        from corpus_tools.ingest.seeds import add_files

        return add_files(self, files)

    def convert(self, seeds: Path | None = None) -> list[Record]:
        """Every seed as a record (raises on the first bad seed); see ``write_records``."""
        from corpus_tools.convert import convert_folder

        return list(convert_folder(self, seeds or self.seeds_dir))

    def write_records(self, output: Path, seeds: Path | None = None) -> int:
        """Convert and schema-check every seed, then write JSON Lines atomically."""
        from corpus_tools.convert import write_records

        return write_records(self, seeds or self.seeds_dir, output)

    def validate(
        self,
        seeds: Path | None = None,
        *,
        records: Path | None = None,
        dataset: Path | None = None,
        progress: Progress | None = None,
        jobs: int = 1,
        keep_checked: bool = True,
    ) -> Report:
        """Validate the seeds (default), a JSON Lines file of records, or a built dataset.

        ``keep_checked``: list every checked record in the report (a JUnit report needs
        them); otherwise they are only counted, which saves memory on a large corpus.
        """
        from corpus_tools.validate import validate_dataset, validate_records_file, validate_seeds

        if records is not None:
            return validate_records_file(self, records, keep_checked)
        if dataset is not None:
            return validate_dataset(self, dataset, keep_checked)
        return validate_seeds(
            self, seeds or self.seeds_dir, progress, jobs=jobs, keep_checked=keep_checked
        )

    def build(
        self,
        output: Path | None = None,
        seeds: Path | None = None,
        progress: Progress | None = None,
        jobs: int = 1,
        notify: Notify | None = None,
    ) -> BuildResult:
        """Validate, then write the dataset folder (dist/ by default) atomically.

        Holds the project lock, and first cleans up after an interrupted build or release
        (``notify`` is told what was done).
        """
        from corpus_tools.package.build import build
        from corpus_tools.state import end_release, project_lock

        output = output or self.dist_dir
        with project_lock(self):
            finishing = self._recover(output, notify)
            result = build(self, seeds or self.seeds_dir, output, progress=progress, jobs=jobs)
            if finishing and output == self.dist_dir:
                end_release(self)
            return result

    def _recover(self, output: Path, notify: Notify | None) -> bool:
        """Clean up after interrupted runs; True when a recorded release awaits its build."""
        from corpus_tools.state import clean_leftovers, recover

        notes, finishing = recover(self)
        for note in clean_leftovers(output) + notes:
            if notify is not None:
                notify(note)
        return finishing

    def release(
        self,
        bump: str = "auto",
        progress: Progress | None = None,
        jobs: int = 1,
        notify: Notify | None = None,
    ) -> ReleaseResult:
        """Record a new version in releases/ and rebuild dist/ with it (under the lock)."""
        from corpus_tools.package.build import build
        from corpus_tools.release.cut import release
        from corpus_tools.state import end_release, project_lock

        with project_lock(self):
            if self._recover(self.dist_dir, notify):
                build(self, self.seeds_dir, self.dist_dir, progress=progress, jobs=jobs)
                end_release(self)
            return release(self, bump, progress=progress, jobs=jobs)

    def publish(
        self,
        repo_id: str | None = None,
        *,
        dist: Path | None = None,
        dry_run: bool = False,
        private: bool | None = None,
        api: HubClient | None = None,
        token: str | None = None,
        timeout: float | None = None,
        upload_timeout: float | None = None,
    ) -> PublishResult:
        """Upload dist/ to the Hub as one commit tagged with its version.

        ``timeout`` bounds each Hub request other than the upload, ``upload_timeout`` the upload,
        in seconds (None: 30 and 600).
        """
        from corpus_tools.publish.hub import TIMEOUT, UPLOAD_TIMEOUT, publish

        repo = repo_id or self.meta.hub_repo
        if not repo:
            raise UsageError("bad-repo-id", what="no Hub repository given")
        return publish(
            dist or self.dist_dir,
            repo,
            dry_run=dry_run,
            private=private,
            api=api,
            token=token,
            timeout=TIMEOUT if timeout is None else timeout,
            upload_timeout=UPLOAD_TIMEOUT if upload_timeout is None else upload_timeout,
        )
