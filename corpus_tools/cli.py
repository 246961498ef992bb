"""The corpus-tools command line: a thin layer over ``corpus_tools.Project``.

Commands parse options, find the project, call the library and print its result. Heavy
libraries are imported inside the commands that need them, so ``--help`` starts fast.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from corpus_tools import __version__

if TYPE_CHECKING:
    from rich.console import Console

    from corpus_tools.errors import CorpusToolsError
    from corpus_tools.project import Project
    from corpus_tools.validate.report import Report

app = typer.Typer(
    help="Turn a folder of raw text articles into a validated, documented, versioned "
    "Hugging Face dataset.",
    rich_markup_mode="rich",
    no_args_is_help=True,
    add_completion=False,
)


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, soft_wrap=True, highlight=False)


class Format(StrEnum):
    human = "human"
    json = "json"
    github = "github"
    junit = "junit"


class Bump(StrEnum):
    auto = "auto"
    major = "major"
    minor = "minor"
    patch = "patch"


def _note(message: str) -> None:
    sys.stderr.write(f"note: {message}\n")


def _print_error(error: CorpusToolsError) -> None:
    for line in error.lines():
        sys.stderr.write(line + "\n")


@contextmanager
def _reported() -> Iterator[None]:
    """The project's errors as lines on stderr (after the report of a refused build) and the
    documented exit code; never a traceback."""
    from corpus_tools.errors import CorpusToolsError
    from corpus_tools.package.build import BuildRefused

    try:
        yield
    except BuildRefused as refused:
        from corpus_tools.validate.formats import render_human

        render_human(refused.report, _console(stderr=True), False)
        _print_error(refused)
        raise typer.Exit(refused.exit_code) from None
    except CorpusToolsError as error:
        _print_error(error)
        raise typer.Exit(error.exit_code) from None


def _no_progress(item: str) -> None:
    """The progress callback where no bar is shown."""


@contextmanager
def _progress(label: str) -> Iterator[Callable[[str], None]]:
    """A progress bar on stderr when it is a terminal; silent in pipes and CI logs."""
    err = _console(stderr=True)
    if not err.is_terminal:
        # Nothing to show: skip rich's per-item bookkeeping (a few µs a seed in a build).
        yield _no_progress
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description} {task.completed}"),
        TextColumn("{task.fields[item]}"),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None, item="")

        def step(item: str) -> None:
            bar.update(task, advance=1, item=item)

        yield step


def _version_callback(value: bool) -> None:
    if value:
        print(f"corpus-tools {__version__}")
        raise typer.Exit()


ProjectOpt = Annotated[
    Path | None,
    typer.Option(
        "--project",
        "-C",
        help="The project folder (default: the nearest folder upward holding dataset.toml).",
    ),
]


JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        help="Worker processes for per-article work (default: every core). The output is the "
        "same for any number.",
        show_default=False,
    ),
]


def _jobs(jobs: int | None) -> int:
    from corpus_tools.executor import default_jobs

    return jobs or default_jobs()


def _project(path: Path | None) -> Project:
    from corpus_tools.project import Project

    return Project.load(path or Path.cwd(), display_base=Path.cwd())


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Show version."),
    ] = False,
) -> None:
    """Turn a folder of raw text articles into a validated, versioned HF dataset."""


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="New or empty folder for the project.")],
) -> None:
    """Start a corpus project: dataset.toml, seeds/, profiles/, card prose, CI workflow.

    [bold]Example[/bold]

        $ corpus-tools init harbor
        created project harbor: edit dataset.toml, then corpus-tools add FILE...
    """
    from corpus_tools.scaffold import init_project

    with _reported():
        init_project(folder)
    print(f"created project {folder}: edit dataset.toml, then corpus-tools add FILE...")


@app.command()
def add(
    files: Annotated[list[Path], typer.Argument(help="Page copies (UTF-8 text files).")],
    project: ProjectOpt = None,
) -> None:
    """Copy page copies into seeds/ as <order>_<16 hex of sha256>.txt.

    Each file gets the next free order number (000, 001, ... 999, 1000, ...). A file whose
    bytes are already in the corpus is refused; if any file is refused, none is added.

    [bold]Example[/bold]

        $ corpus-tools add ~/copies/*.txt
        added seeds/000_3f1c2a9b8d7e6f50.txt
    """
    with _reported():
        loaded = _project(project)
        written = loaded.add(files)
    for path in written:
        print(f"added {loaded.show(path)}")


SeedsOpt = Annotated[
    Path | None, typer.Argument(help="Seeds folder (default: the project's seeds/).")
]


@app.command()
def convert(
    seeds: SeedsOpt = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="JSON Lines file to write, one record a line.")
    ] = Path("records.jsonl"),
    project: ProjectOpt = None,
) -> None:
    """Convert every seed into an article record and write them as JSON Lines.

    Each record is validated against the JSON Schema before it is written. If any seed is
    bad, every bad seed is reported on its own line, nothing is written and the exit code is 1.

    [bold]Example[/bold]

        $ corpus-tools convert --output records.jsonl
        wrote 5 records to records.jsonl
    """
    with _reported():
        loaded = _project(project)
        count = loaded.write_records(output, seeds)
    print(f"wrote {count} records to {loaded.show(output)}")


@app.command()
def validate(
    seeds: SeedsOpt = None,
    records: Annotated[
        Path | None, typer.Option("--records", help="Validate a JSON Lines file of records.")
    ] = None,
    dataset: Annotated[
        Path | None, typer.Option("--dataset", help="Validate a built dataset folder.")
    ] = None,
    output_format: Annotated[
        Format, typer.Option("--format", "-f", help="human, json, github or junit.")
    ] = Format.human,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too.")] = False,
    project: ProjectOpt = None,
    jobs: JobsOpt = None,
) -> None:
    """Check records against the JSON Schema and the table against Pandera, in one report.

    Exit code 0 when valid, 1 when the data is invalid, 2 on a usage error. Warnings (a
    record from the generic fallback, a missing date or title) fail only with --strict.
    When piped, the human format prints one `path:line: severity code: message` per line.

    [bold]Example[/bold]

        $ corpus-tools validate --format github
        $ corpus-tools validate --records records.jsonl --format json
        $ corpus-tools validate --dataset dist --strict
    """
    if records is not None and dataset is not None:
        sys.stderr.write("use either --records or --dataset, not both; see --help\n")
        raise typer.Exit(2)
    with _reported():
        loaded = _project(project)
        with _progress("validating") as step:
            report = loaded.validate(
                seeds,
                records=records,
                dataset=dataset,
                progress=step,
                jobs=_jobs(jobs),
                keep_checked=output_format is Format.junit,  # only JUnit lists them
            )
    _render(report, output_format, strict)
    raise typer.Exit(1 if report.failed(strict) else 0)


def _render(report: Report, output_format: Format, strict: bool) -> None:
    from corpus_tools.validate import formats

    if output_format is Format.json:
        sys.stdout.write(formats.render_json(report, strict))
    elif output_format is Format.junit:
        sys.stdout.write(formats.render_junit(report, strict))
    elif output_format is Format.github:
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        sys.stdout.write(formats.render_github(report, strict, Path(summary) if summary else None))
    else:
        formats.render_human(report, _console(), strict)


@app.command(name="build")
def build_command(
    seeds: SeedsOpt = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Dataset folder (default: dist/).")
    ] = None,
    project: ProjectOpt = None,
    jobs: JobsOpt = None,
) -> None:
    """Convert, validate and write the Hugging Face dataset folder.

    Writes data/train-*.parquet (features derived from the schema), README.md (the data
    card), article.schema.json, croissant.json, CHANGELOG.md, releases/ and manifest.json.
    Refuses to build on invalid data; a failed build leaves the previous folder untouched.
    The same seeds give byte-identical files.

    [bold]Example[/bold]

        $ corpus-tools build
        built dist: 5 records, 7 files (version 1.0.0)
    """
    with _reported():
        loaded = _project(project)
        with _progress("building") as step:
            result = loaded.build(output, seeds, progress=step, jobs=_jobs(jobs), notify=_note)
    print(
        f"built {loaded.show(result.output)}: {result.records} records, "
        f"{len(result.files)} files (version {result.version})"
    )


@app.command(name="release")
def release_command(
    bump: Annotated[Bump, typer.Option("--bump", help="auto, major, minor or patch.")] = Bump.auto,
    project: ProjectOpt = None,
    jobs: JobsOpt = None,
) -> None:
    """Release the current seeds as a new dataset version.

    Compares a build with the last release (record ids and content hashes, schema fields,
    metadata). Under auto: major when fields are removed or retyped, minor when records or
    fields are added (or records removed), patch for corrections. Writes releases/vX.Y.Z.json
    and rebuilds dist/. Refuses an invalid or unchanged build.

    [bold]Example[/bold]

        $ corpus-tools release --bump auto
        released v1.1.0 (minor, was v1.0.0): 1 added, 0 removed, 0 corrected
    """
    with _reported():
        loaded = _project(project)
        with _progress("releasing") as step:
            result = loaded.release(bump.value, progress=step, jobs=_jobs(jobs), notify=_note)
    was = f", was v{result.previous}" if result.previous else ""
    c = result.changes
    print(
        f"released v{result.version} ({result.bump}{was}): {len(c.added)} added, "
        f"{len(c.removed)} removed, {len(c.changed)} corrected"
    )


@app.command(name="publish")
def publish_command(
    repo_id: Annotated[
        str | None,
        typer.Option("--repo-id", help="Hub dataset repository ORG/NAME (default: hub_repo)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be uploaded; touch nothing.")
    ] = False,
    private: Annotated[
        bool | None,
        typer.Option(
            "--private/--public",
            help="Make the repository private or public (default: leave it as it is).",
            show_default=False,
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            metavar="SECONDS",
            help="Seconds for each Hub request other than the upload, retries included; a "
            "request that gets no answer fails after this long and is not retried.",
        ),
    ] = 30.0,
    upload_timeout: Annotated[
        float,
        typer.Option(
            "--upload-timeout", metavar="SECONDS", help="Seconds the upload of dist/ may take."
        ),
    ] = 600.0,
    project: ProjectOpt = None,
) -> None:
    """Upload dist/ to the Hugging Face Hub in one commit "Release vX.Y.Z", tagged vX.Y.Z.

    Creates the dataset repository if it is missing. The token comes from huggingface_hub
    (HF_TOKEN or `hf auth login`) and is never printed. A Hub that does not answer ends the
    command with one line after --timeout seconds (30 by default; the upload gets
    --upload-timeout, 600 by default).

    [bold]Example[/bold]

        $ corpus-tools publish --repo-id my-org/harbor-news --dry-run
        would upload 7 files to my-org/harbor-news as v1.0.0 (tag v1.0.0)
        $ corpus-tools publish --repo-id my-org/harbor-news --timeout 10
    """
    with _reported():
        result = _project(project).publish(
            repo_id,
            dry_run=dry_run,
            private=private,
            timeout=timeout,
            upload_timeout=upload_timeout,
        )
    if result.dry_run:
        print(
            f"would upload {len(result.files)} files to {result.repo_id} as v{result.version} "
            f"(tag {result.tag})"
        )
        for name in result.files:
            print(f"  {name}")
    else:
        print(
            f"published {result.repo_id} v{result.version} (tag {result.tag}): {result.commit_url}"
        )


def run() -> None:
    """The ``corpus-tools`` console script: the app, then a quick exit."""
    try:
        app()
    finally:
        # Python's last garbage collections, as it exits, walk every object that pandas,
        # pyarrow and datasets made: 0.3 s on one core after a build or a validate. Nothing
        # then needs collecting (the process is ending, and every output is closed by now);
        # frozen objects are left out of those collections.
        gc.freeze()
