"""The built dataset folder: loadable offline, reproducible, committed, documented, atomic."""

from __future__ import annotations

import copy
import fnmatch
import json
import re
import shutil
import socket
from pathlib import Path
from typing import Any

import datasets
import huggingface_hub.constants
import pytest
from huggingface_hub import DatasetCard
from typer.testing import CliRunner

from corpus_tools.cli import app
from corpus_tools.metadata import DatasetMeta
from corpus_tools.package import card as card_module
from corpus_tools.package.build import SHARD_NAME, BuildRefused
from corpus_tools.package.card import (
    CardStats,
    card_metadata,
    fenced,
    md,
    render_card,
    render_changelog,
)
from corpus_tools.package.features import schema_features
from corpus_tools.package.manifest import MANIFEST, file_sha256
from corpus_tools.project import Project
from corpus_tools.record import Record
from corpus_tools.release.changes import Changes
from corpus_tools.release.history import current_version, release_history
from corpus_tools.schema import Schema
from tests.conftest import ROOT, copy_project, load, seed_files

# The repository's latest release: tests must not change when a release is added.
CURRENT = current_version(release_history(ROOT / "releases"))
COMMITTED_DIST = ROOT / "dist"
PARQUET = SHARD_NAME.format(index=0, total=1)
BAD_SEED = "005_0000000000000001.txt"
PLACEHOLDERS = ("More Information Needed", "TODO", "[More", "{{ ")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below folder, by POSIX relative path, with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def differences(expected: dict[str, bytes], actual: dict[str, bytes]) -> list[str]:
    """Human-readable list of files missing, extra or with different bytes."""
    found = [f"missing: {name}" for name in sorted(expected.keys() - actual.keys())]
    found += [f"extra: {name}" for name in sorted(actual.keys() - expected.keys())]
    found += [
        f"differs: {name}"
        for name in sorted(expected.keys() & actual.keys())
        if expected[name] != actual[name]
    ]
    return found


def bad_seeds(project: Project, target: Path) -> Path:
    """A copy of the project's seeds plus one empty (invalid) seed file."""
    shutil.copytree(project.seeds_dir, target)
    (target / BAD_SEED).write_bytes(b"")
    return target


@pytest.fixture(scope="session")
def project(repo_project: Project) -> Project:
    return repo_project


@pytest.fixture(scope="session")
def meta(project: Project) -> DatasetMeta:
    return project.meta


@pytest.fixture(scope="session")
def records(project: Project) -> list[Record]:
    return project.convert()


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, project: Project) -> Path:
    """The project's seeds built once, exactly as `make dataset` builds dist/."""
    output = tmp_path_factory.mktemp("built") / "dist"
    result = project.build(output)
    assert result.output == output
    assert result.version == CURRENT
    assert result.records == len(seed_files(project.seeds_dir))
    return output


@pytest.fixture
def offline_hf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No network, and a Hugging Face cache of our own; returns the datasets cache dir."""
    cache = tmp_path / "hf-cache"
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_DATASETS_CACHE", str(cache))
    # The libraries read these at import time, which happened long before this test.
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", cache)

    def no_network(self: socket.socket, address: Any) -> None:
        raise OSError(f"network access attempted in an offline test: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    return cache


# --- loading with the datasets library ---------------------------------------------------


def _rows_match(rows: list[dict[str, Any]], records: list[Record]) -> None:
    assert len(rows) == len(records) == len(seed_files())
    for row, record in zip(rows, records, strict=True):
        assert row == dict(record), (
            f"row for {record['seed_file']} differs from its converted record"
        )


def test_load_dataset_offline(
    built: Path, project: Project, records: list[Record], offline_hf: Path
) -> None:
    loaded = datasets.load_dataset(str(built), cache_dir=str(offline_hf))
    assert list(loaded) == ["train"]
    train = loaded["train"]
    assert train.features == schema_features(project.schema)
    _rows_match(list(train), records)


def test_load_dataset_streaming_offline(
    built: Path, project: Project, records: list[Record], offline_hf: Path
) -> None:
    loaded = datasets.load_dataset(str(built), streaming=True, cache_dir=str(offline_hf))
    assert list(loaded) == ["train"]
    train = loaded["train"]
    assert train.features == schema_features(project.schema)
    _rows_match(list(train), records)


# --- reproducibility and the committed dist/ ---------------------------------------------


def test_second_build_is_byte_identical(built: Path, project: Project, tmp_path: Path) -> None:
    again = tmp_path / "again"
    project.build(again)
    first, second = snapshot(built), snapshot(again)
    assert PARQUET in first and MANIFEST in first
    for release in (ROOT / "releases").glob("v*.json"):
        assert first[f"releases/{release.name}"] == release.read_bytes()
    assert differences(first, second) == []


def test_committed_dist_is_fresh(built: Path) -> None:
    hint = "dist/ is missing or stale: run make dataset"
    assert COMMITTED_DIST.is_dir(), f"{hint} ({COMMITTED_DIST} does not exist)"
    problems = differences(snapshot(built), snapshot(COMMITTED_DIST))
    assert not problems, f"{hint}; compared with a fresh build: " + ", ".join(problems)


# --- the dataset card --------------------------------------------------------------------


def test_card_metadata_parses(
    built: Path, project: Project, meta: DatasetMeta, records: list[Record]
) -> None:
    data = DatasetCard.load(built / "README.md").data
    assert data.pretty_name == meta.pretty_name
    assert data.license == "other"
    assert data.license_name == meta.license_name
    assert data.license_details == meta.license_details
    assert data.language == ["en"]
    assert data.task_categories == list(meta.task_categories)
    assert data.size_categories == ["n<1K"]
    assert data.source_datasets == list(meta.source_datasets)
    assert data.annotations_creators == list(meta.annotations_creators)
    assert data.tags == list(meta.tags)

    (config,) = data.configs
    assert config["config_name"] == "default"
    (data_files,) = config["data_files"]
    assert data_files["split"] == "train"
    parquet_files = [name for name in snapshot(built) if name.endswith(".parquet")]
    assert [n for n in parquet_files if fnmatch.fnmatch(n, data_files["path"])] == [PARQUET]

    info = data.dataset_info
    assert datasets.Features._from_yaml_list(info["features"]) == schema_features(project.schema)
    (split,) = info["splits"]
    assert split["name"] == "train"
    assert split["num_examples"] == len(records) == len(seed_files())
    assert info["download_size"] == (built / PARQUET).stat().st_size


def test_card_content(built: Path, project: Project, records: list[Record]) -> None:
    card = (built / "README.md").read_text(encoding="utf-8")
    for placeholder in PLACEHOLDERS:
        assert placeholder not in card, f"placeholder {placeholder!r} left in the card"

    assert "## Sources" in card
    assert "| Outlet | Domain | Country | Founded | Ownership or affiliation | Articles |" in card
    registry = project.profiles.registry
    for outlet_id in {r["outlet"]["id"] for r in records}:
        name = md(registry[outlet_id].name)
        count = sum(1 for r in records if r["outlet"]["id"] == outlet_id)
        assert re.search(rf"(?m)^\| {re.escape(name)} \| .* \| {count} \|$", card), name

    for dotted, _kind, _desc in project.schema.field_docs():
        assert f"| `{dotted}` |" in card, f"field {dotted} missing from the field table"

    assert f"- Articles: {len(records)}." in card
    dated = sum(1 for r in records if r["published"])
    assert f"- Publication dates: {dated} of {len(records)} articles carry one" in card
    words = [r["word_count"] for r in records]
    assert f"min {min(words)}, " in card and f"max {max(words)}." in card
    # The project's summary and card prose reach the card; prose guidance comments do not.
    assert md(project.meta.summary) in card
    for file, text in project.prose.sections.items():
        assert text in card, file
    assert "<!--" not in card
    assert f'**Version:** {CURRENT} (load it with `revision="v{CURRENT}"`).' in card


def test_missing_or_comment_only_prose_leaves_its_section_out(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "corpus", seeds=tuple(seed_files()[:1]))
    (root / "card" / "uses.md").unlink()
    (root / "card" / "recommendations.md").write_text(
        "<!-- Recommendations: write here. -->\n\n", encoding="utf-8"
    )
    (root / "card" / "out_of_scope.md").write_text(
        "<!-- guidance -->\nNot for fact-checking.\n", encoding="utf-8"
    )
    project = load(root)
    assert project.prose.get("uses.md") is None
    assert project.prose.get("recommendations.md") is None
    assert project.prose.get("out_of_scope.md") == "Not for fact-checking."
    card = (project.build().output / "README.md").read_text(encoding="utf-8")
    assert "### Direct Use" not in card
    assert "### Recommendations" not in card
    assert "### Out-of-Scope Use\n\nNot for fact-checking." in card
    assert "guidance" not in card


def test_md_escapes_markdown() -> None:
    assert md("a | b *c* [d](e)") == r"a \| b \*c\* \[d\]\(e\)"
    assert md("line one\n\nline  two") == "line one line two"
    assert md(None) == "—"


def test_fenced_block_outlives_backtick_lines() -> None:
    text = "before\n```\ninside ```` run\n```"
    block = fenced(text, "json")
    assert block == f"`````json\n{text}\n`````"
    assert fenced("plain") == "```\nplain\n```"


def _outside_fences(text: str) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Lines outside code blocks, and each code block as (opening fence line, body lines)."""
    plain: list[str] = []
    blocks: list[tuple[str, list[str]]] = []
    fence: str | None = None
    for line in text.split("\n"):
        if fence is None:
            opening = re.match(r"^(`{3,})", line)
            if opening:
                fence = opening.group(1)
                blocks.append((line, []))
            else:
                plain.append(line)
        elif re.fullmatch(rf" {{0,3}}{fence}`*\s*", line):
            fence = None
        else:
            blocks[-1][1].append(line)
    assert fence is None, "a code block is never closed"
    return plain, blocks


def _cells(row: str) -> int:
    """Number of unescaped pipes in a table row."""
    return len(re.findall(r"(?<!\\)\|", row))


def test_card_survives_hostile_titles(
    project: Project, meta: DatasetMeta, records: list[Record], tmp_path: Path
) -> None:
    hostile = [
        "Pipes | in *the* [title](x) with `ticks` and ```fence``` --- end",
        "---",
        "Two\n---\nlines | and #hash",
    ]
    nasty = copy.deepcopy(records)
    for record, title in zip(nasty, hostile, strict=False):
        record["title"] = title
    stats = CardStats()
    stats.add_many(nasty)
    briefs = [{"id": r["id"], "title": r["title"]} for r in nasty[:3]]
    history = [
        {
            "version": "1.0.0",
            "date": "2026-01-02",
            "bump": "initial",
            "changes": Changes(added=briefs).to_json(),
        }
    ]
    unreleased = Changes(changed=briefs)
    changelog = render_changelog(history, unreleased)
    text = render_card(project, "1.0.0", stats, changelog, unreleased, 1234, 567)
    path = tmp_path / "README.md"
    path.write_text(text, encoding="utf-8")

    # The YAML header is intact and is exactly the metadata.
    assert text.startswith("---\n")
    header = text[4 : text.index("\n---\n", 4)]
    data = DatasetCard.load(path).data
    expected = card_metadata(project, stats, 1234, 567)
    assert data.to_dict() == expected.to_dict()  # type: ignore[no-untyped-call]
    assert data.pretty_name == meta.pretty_name
    assert data.dataset_info["splits"][0]["num_examples"] == len(nasty)

    plain, blocks = _outside_fences(text)
    body = "\n".join(plain)
    # Titles appear escaped in the changelog, never raw, outside code blocks.
    for brief in briefs:
        escaped = md(brief["title"])
        assert f"- Added `{brief['id']}`: {escaped}" in body
        assert f"- Corrected `{brief['id']}`: {escaped}" in body
    assert hostile[0] not in body
    assert "Pipes | in" not in body
    # Only the YAML header's own delimiters are lines of three dashes.
    assert [i for i, line in enumerate(plain) if line == "---"][:2] == [0, header.count("\n") + 2]
    assert plain.count("---") == 2

    # Every table keeps the header's number of cells on every row.
    table: list[str] = []
    for line in [*plain, ""]:
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            widths = {_cells(row) for row in table}
            assert len(widths) == 1, f"broken table starting {table[0]!r}"
            table = []

    # The example record's code fence is longer than the title's backtick run.
    (example,) = [body_lines for opening, body_lines in blocks if opening.endswith("json")]
    shown = json.loads("\n".join(example))
    assert shown["title"] == hostile[0]


# --- failed builds leave the previous output untouched -----------------------------------


def _leftovers(parent: Path, name: str) -> list[str]:
    return sorted(
        p.name
        for p in parent.iterdir()
        if p.name.startswith(f".{name}.building-") or p.name == f".{name}.previous"
    )


def test_failed_build_keeps_previous_output(project: Project, tmp_path: Path) -> None:
    output = tmp_path / "dist"
    project.build(output)
    before = snapshot(output)
    bad = bad_seeds(project, tmp_path / "bad-seeds")

    with pytest.raises(BuildRefused) as refused:
        project.build(output, bad)

    errors = refused.value.report.errors
    assert [(e.code, Path(e.file or "").name) for e in errors] == [("empty-file", BAD_SEED)]
    assert refused.value.code == "invalid-data"
    assert differences(before, snapshot(output)) == []
    assert _leftovers(tmp_path, "dist") == []


def test_build_crash_keeps_previous_output(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "dist"
    project.build(output)
    before = snapshot(output)

    def broken(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("disk full while writing the card")

    monkeypatch.setattr(card_module, "render_card", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        project.build(output)

    assert differences(before, snapshot(output)) == []
    assert _leftovers(tmp_path, "dist") == []


def test_cli_build_refuses_bad_seeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_project(tmp_path)
    monkeypatch.chdir(root)
    project = load(root)
    output = tmp_path / "out"
    project.build(output)
    before = snapshot(output)
    bad = bad_seeds(project, tmp_path / "bad")

    result = CliRunner().invoke(app, ["build", str(bad), "--output", str(output)])

    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("refusing to build: 1 error(s) in ")
    assert last.endswith("; fix them (corpus-tools validate lists each one) and build again")
    assert "built " not in result.stdout
    # The refused build's report comes first: the bad seed on its own line.
    assert f"bad/{BAD_SEED}: error empty-file: file is empty" in result.stderr
    assert differences(before, snapshot(output)) == []
    assert _leftovers(tmp_path, "out") == []


def test_cli_build_defaults_to_the_projects_dist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, built: Path
) -> None:
    root = copy_project(tmp_path / "corpus")
    monkeypatch.chdir(root / "seeds")  # the project is found upward
    result = CliRunner().invoke(app, ["build"])
    assert result.exit_code == 0, result.output
    n = len(seed_files(root / "seeds"))
    shown = (root / "dist").as_posix()  # outside the current folder: shown in full
    files = sum(1 for p in (root / "dist").rglob("*") if p.is_file())
    assert result.stdout == f"built {shown}: {n} records, {files} files (version {CURRENT})\n"
    assert differences(snapshot(built), snapshot(root / "dist")) == []


# --- checksums -----------------------------------------------------------------------------


def test_croissant_checksum_matches_parquet(built: Path) -> None:
    croissant = json.loads((built / "croissant.json").read_text(encoding="utf-8"))
    files = [d for d in croissant["distribution"] if d["@type"] == "cr:FileObject"]
    assert [(f["contentUrl"], f["sha256"]) for f in files] == [
        (PARQUET, file_sha256(built / PARQUET))
    ]


def test_manifest_checksums_match_files(built: Path) -> None:
    manifest = json.loads((built / MANIFEST).read_text(encoding="utf-8"))
    on_disk = {name: data for name, data in snapshot(built).items() if name != MANIFEST}
    assert sorted(manifest["files"]) == sorted(on_disk)
    for name, entry in manifest["files"].items():
        assert entry["sha256"] == file_sha256(built / name), name
        assert entry["bytes"] == len(on_disk[name]), name


def _schema(data: dict[str, Any]) -> Schema:
    return Schema(raw=json.dumps(data).encode(), data=data)


@pytest.mark.parametrize(
    "schema",
    [
        Schema.packaged(),
        _schema(
            {
                "type": "object",
                "properties": {
                    "n": {"type": ["integer", "null"]},
                    "x": {"type": "number"},
                    "flag": {"type": "boolean"},
                    "rows": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "tags": {"type": "array", "items": {"type": "string"}},
                                "at": {"type": ["object", "null"], "properties": {}},
                            },
                        },
                    },
                },
            }
        ),
    ],
)
def test_workers_arrow_schema_is_the_features_own(schema: Schema) -> None:
    """Worker processes pack records with an Arrow schema made without ``datasets``; the
    shards are written with the one ``datasets`` makes of the Features. Their types must be
    the same, field for field, or the shards could not take the workers' tables."""
    from corpus_tools.package.features import schema_arrow

    expected = schema_features(schema).arrow_schema
    assert schema_arrow(schema).equals(expected, check_metadata=False)
    assert schema_arrow(schema).metadata is None  # the Features stay the writer's to add
