"""The corpus-tools command line: convert, validate, build, release, publish."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from corpus_tools import __version__
from corpus_tools.build import BuildRefused, build
from corpus_tools.convert import convert_seed
from corpus_tools.errors import CorpusToolsError
from corpus_tools.jsonl import dumps_record, write_atomic
from corpus_tools.metadata import METADATA_FILE, load_meta
from corpus_tools.publish import publish as publish_dist
from corpus_tools.release import BUMP_CHOICES
from corpus_tools.release import release as make_release
from corpus_tools.report import Report
from corpus_tools.report_formats import render_github, render_human, render_json, render_junit
from corpus_tools.schema import iter_errors
from corpus_tools.seeds import list_seeds, read_seed
from corpus_tools.validation import (
    display_path,
    validate_dataset,
    validate_records_file,
    validate_seeds,
)

app = typer.Typer(
    help="Turn a folder of raw text articles into a validated, documented, versioned "
    "Hugging Face dataset.",
    rich_markup_mode="rich",
    no_args_is_help=True,
    add_completion=False,
)
out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)


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


assert tuple(b.value for b in Bump) == BUMP_CHOICES


def _fail(error: CorpusToolsError) -> typer.Exit:
    err.print(error.one_line(), markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(error.exit_code)


@contextmanager
def _reported() -> Iterator[None]:
    """Turn the project's errors into one line on stderr (after the report of a refused
    build) and the documented exit code."""
    try:
        yield
    except BuildRefused as refused:
        render_human(refused.report, err, False)
        raise _fail(refused) from None
    except CorpusToolsError as error:
        raise _fail(error) from None


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[str], None]]:
    """A progress bar on stderr when it is a terminal; silent in pipes and CI logs."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[item]}"),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task(label, total=total, item="")

        def step(item: str) -> None:
            bar.update(task, advance=1, item=item)

        yield step


def _version_callback(value: bool) -> None:
    if value:
        out.print(f"corpus-tools {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Show version."),
    ] = False,
) -> None:
    """Turn a folder of raw text articles into a validated, versioned HF dataset."""


SeedsArg = Annotated[
    Path, typer.Argument(help="Folder of seed files named NNN_<16 hex>.txt.", show_default=True)
]


@app.command()
def convert(
    seeds: SeedsArg = Path("seeds"),
    output: Annotated[
        Path, typer.Option("--output", "-o", help="JSON Lines file to write, one record a line.")
    ] = Path("records.jsonl"),
) -> None:
    """Convert every seed into an article record and write them as JSON Lines.

    Each record is validated against schema/article.schema.json before it is written. If any
    seed is bad, every bad seed is reported on its own line, nothing is written and the exit
    code is 1.

    [bold]Example[/bold]

        $ corpus-tools convert seeds --output records.jsonl
        wrote 5 records to records.jsonl
    """
    try:
        paths = list_seeds(seeds)
    except CorpusToolsError as error:
        raise _fail(error) from None
    lines: list[str] = []
    failures = 0
    with _progress(len(paths), "converting") as step:
        for path in paths:
            shown = display_path(path)
            step(shown)
            try:
                record = convert_seed(read_seed(path, shown))
            except CorpusToolsError as error:
                err.print(error.one_line(), markup=False, highlight=False, soft_wrap=True)
                failures += 1
                continue
            problems = list(iter_errors(record))
            for problem in problems:
                err.print(
                    f"{shown}: record fails the schema at {problem.json_path}: {problem.message}; "
                    "fix the outlet profile",
                    markup=False,
                    highlight=False,
                    soft_wrap=True,
                )
            failures += bool(problems)
            lines.append(dumps_record(record))
    if failures:
        err.print(f"{failures} of {len(paths)} seeds failed; nothing written to {output}")
        raise typer.Exit(1)
    try:
        write_atomic(output, lines)
    except OSError as exc:
        err.print(f"{output}: cannot write ({exc.strerror or exc}); choose a writable file path")
        raise typer.Exit(2) from None
    out.print(f"wrote {len(lines)} records to {display_path(output)}", highlight=False)


@app.command()
def validate(
    seeds: SeedsArg = Path("seeds"),
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
) -> None:
    """Check records against the JSON Schema and the table against Pandera, in one report.

    Exit code 0 when valid, 1 when the data is invalid, 2 on a usage error. Warnings (a
    record from the generic fallback, a missing date or title) fail only with --strict.

    [bold]Example[/bold]

        $ corpus-tools validate seeds --format github
        $ corpus-tools validate --records records.jsonl --format json
        $ corpus-tools validate --dataset dist --strict
    """
    if records is not None and dataset is not None:
        err.print("use either --records or --dataset, not both; see corpus-tools validate --help")
        raise typer.Exit(2)
    try:
        if records is not None:
            report = validate_records_file(records)
        elif dataset is not None:
            report = validate_dataset(dataset)
        else:
            with _progress(len(list_seeds(seeds)), "validating") as step:
                report, _ = validate_seeds(seeds, step)
    except CorpusToolsError as error:
        raise _fail(error) from None
    _render(report, output_format, strict)
    raise typer.Exit(1 if report.failed(strict) else 0)


def _render(report: Report, output_format: Format, strict: bool) -> None:
    if output_format is Format.json:
        sys.stdout.write(render_json(report, strict))
    elif output_format is Format.junit:
        sys.stdout.write(render_junit(report, strict))
    elif output_format is Format.github:
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        sys.stdout.write(render_github(report, strict, Path(summary) if summary else None))
    else:
        render_human(report, out, strict)


@app.command(name="build")
def build_command(
    seeds: SeedsArg = Path("seeds"),
    output: Annotated[Path, typer.Option("--output", "-o", help="Dataset folder.")] = Path("dist"),
) -> None:
    """Convert, validate and write the Hugging Face dataset folder.

    Writes data/train-*.parquet (features derived from the schema), README.md (the data
    card), article.schema.json, croissant.json, CHANGELOG.md and manifest.json. Refuses to
    build on invalid data; a failed build leaves the previous folder untouched. The same
    seeds give byte-identical files.

    [bold]Example[/bold]

        $ corpus-tools build seeds --output dist
        built dist: 5 records, 7 files (version 1.0.0)
    """
    with _reported():
        meta = load_meta(Path(METADATA_FILE))
        with _progress(len(list_seeds(seeds)), "building") as step:
            result = build(seeds, output, meta, progress=step)
    out.print(
        f"built {display_path(result.output)}: {result.records} records, "
        f"{len(result.files)} files (version {meta.version})",
        highlight=False,
    )


@app.command(name="release")
def release_command(
    bump: Annotated[Bump, typer.Option("--bump", help="auto, major, minor or patch.")] = Bump.auto,
    seeds: Annotated[Path, typer.Option("--seeds", help="Seeds folder.")] = Path("seeds"),
    dist: Annotated[Path, typer.Option("--dist", help="Dataset folder.")] = Path("dist"),
) -> None:
    """Release the current build as a new dataset version.

    Compares the build with the last release's manifest (record ids and content hashes,
    schema fields). Under auto: major when fields are removed or retyped, minor when records
    or fields are added (or records removed), patch for corrected records. Writes
    dist/releases/vX.Y.Z.json, a CHANGELOG entry and the version in dataset.toml and the card.
    Refuses an invalid or unchanged build.

    [bold]Example[/bold]

        $ corpus-tools release --bump auto
        released v1.1.0 (minor, was v1.0.0): 1 added, 0 removed, 0 corrected
    """
    with _reported(), _progress(len(list_seeds(seeds)) * 2, "releasing") as step:
        result = make_release(seeds, dist, Path(METADATA_FILE), bump.value, progress=step)
    was = f", was v{result.previous}" if result.previous else ""
    c = result.changes
    out.print(
        f"released v{result.version} ({result.bump}{was}): {len(c.added)} added, "
        f"{len(c.removed)} removed, {len(c.changed)} corrected",
        highlight=False,
    )


@app.command(name="publish")
def publish_command(
    repo_id: Annotated[str, typer.Option("--repo-id", help="Hub dataset repository ORG/NAME.")],
    dist: Annotated[Path, typer.Option("--dist", help="Dataset folder.")] = Path("dist"),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be uploaded; touch nothing.")
    ] = False,
    private: Annotated[bool, typer.Option("--private", help="Create a private repo.")] = False,
) -> None:
    """Upload dist/ to the Hugging Face Hub in one commit "Release vX.Y.Z", tagged vX.Y.Z.

    Creates the dataset repository if it is missing. The token comes from HF_TOKEN or the
    stored login (hf auth login) and is never printed.

    [bold]Example[/bold]

        $ corpus-tools publish --repo-id my-org/partisan-news --dry-run
        would upload 8 files to my-org/partisan-news as v1.0.0 (tag v1.0.0)
    """
    try:
        result = publish_dist(dist, repo_id, dry_run=dry_run, private=private)
    except CorpusToolsError as error:
        raise _fail(error) from None
    if result.dry_run:
        out.print(
            f"would upload {len(result.files)} files to {result.repo_id} as v{result.version} "
            f"(tag {result.tag})",
            highlight=False,
        )
        for name in result.files:
            out.print(f"  {name}", highlight=False)
    else:
        out.print(
            f"published {result.repo_id} v{result.version} (tag {result.tag}): {result.commit_url}",
            highlight=False,
        )
