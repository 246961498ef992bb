"""corpus-tools release: semantic versions from what changed, recorded, refused when wrong."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpus_tools.cli import app
from corpus_tools.errors import UsageError
from corpus_tools.package.build import BuildRefused
from corpus_tools.package.manifest import MANIFEST
from corpus_tools.release import ReleaseRefused, ReleaseResult, current_version, release_history
from tests.conftest import copy_project, load, seed_files

SEEDS = Path("seeds")
DIST = Path("dist")
RELEASES = Path("releases")
METADATA = Path("dataset.toml")
NEW_ID = "00000000000000aa"
NEW_SEED_NAME = f"9999_{NEW_ID}.txt"
NEW_TITLE = "Iraqi lawmakers renew call for withdrawal of foreign troops"
NEW_SEED = f"""{NEW_TITLE}

May 3, 2021 - 10:15

TEHRAN - Members of the Iraqi parliament on Monday renewed their call for the complete \
withdrawal of foreign troops from the country, in a statement written only for the \
corpus-tools release tests.

The lawmakers said the government must set a clear timetable for the departure of the \
remaining forces, according to a statement read at a press conference in Baghdad.
"""
CORRECTED_SEED = "003_8566bcfe0396727f.txt"
CORRECTED_ID = "8566bcfe0396727f"
CORRECTED_TITLE = "Military chief predicts resistance front will expel U.S. from Iraq"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, never-released copy of the project (no releases/) as the current folder."""
    root = copy_project(tmp_path / "corpus", releases=False)
    monkeypatch.chdir(root)
    return root


def do_release(bump: str = "auto") -> ReleaseResult:
    # Loaded afresh: a test may have edited dataset.toml.
    return load(Path.cwd()).release(bump)


def version() -> str:
    return current_version(release_history(RELEASES))


def released_versions() -> list[str]:
    """The release history in the project, which dist/releases/ must mirror."""
    names = sorted(p.name for p in RELEASES.glob("*.json"))
    if DIST.is_dir():
        assert sorted(p.name for p in (DIST / "releases").glob("*.json")) == names
    return names


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def changelog_section(version: str) -> str:
    """The CHANGELOG.md entry of one version, heading included."""
    text = (DIST / "CHANGELOG.md").read_text(encoding="utf-8")
    start = text.index(f"## v{version} ")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def test_first_release_is_1_0_0(project: Path) -> None:
    ids = [r["id"] for r in load(project).convert()]
    assert len(ids) == len(seed_files(SEEDS))
    assert version() == "0.0.0"

    result = do_release()

    assert (result.version, result.previous, result.bump) == ("1.0.0", None, "initial")
    assert version() == "1.0.0"
    assert released_versions() == ["v1.0.0.json"]
    entry = json.loads((RELEASES / "v1.0.0.json").read_text(encoding="utf-8"))
    assert (DIST / "releases" / "v1.0.0.json").read_bytes() == (
        RELEASES / "v1.0.0.json"
    ).read_bytes()
    assert entry["version"] == "1.0.0" and entry["date"] == "2026-01-02"
    assert [r["id"] for r in entry["records"]] == ids
    card = (DIST / "README.md").read_text(encoding="utf-8")
    assert '**Version:** 1.0.0 (load it with `revision="v1.0.0"`).' in card
    assert "not yet released" not in card
    assert "not released yet" not in card
    section = changelog_section("1.0.0")
    assert section.startswith("## v1.0.0 (2026-01-02, initial)")
    for rid in ids:
        assert f"- Added `{rid}`" in section
    manifest = json.loads((DIST / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["version"] == "1.0.0"
    # The manifest covers the release history shipped in dist/ too.
    files = {name: data for name, data in snapshot(DIST).items() if name != MANIFEST}
    assert "releases/v1.0.0.json" in files
    assert sorted(manifest["files"]) == sorted(files)
    for name, data in files.items():
        assert manifest["files"][name]["sha256"] == hashlib.sha256(data).hexdigest(), name


def test_release_unchanged_is_refused(project: Path) -> None:
    do_release()
    with pytest.raises(ReleaseRefused) as refused:
        do_release()
    assert refused.value.code == "unchanged"
    assert version() == "1.0.0"
    assert released_versions() == ["v1.0.0.json"]

    result = CliRunner().invoke(app, ["release"])
    assert result.exit_code == 1, result.output
    assert "nothing changed since v1.0.0" in result.stderr
    assert "Traceback" not in result.output
    assert version() == "1.0.0"
    assert released_versions() == ["v1.0.0.json"]


def test_added_seed_is_a_minor_release(project: Path) -> None:
    do_release()
    (SEEDS / NEW_SEED_NAME).write_text(NEW_SEED, encoding="utf-8")

    result = do_release()

    assert (result.version, result.previous, result.bump) == ("1.1.0", "1.0.0", "minor")
    assert [a["id"] for a in result.changes.added] == [NEW_ID]
    assert version() == "1.1.0"
    assert released_versions() == ["v1.0.0.json", "v1.1.0.json"]
    section = changelog_section("1.1.0")
    assert section.startswith("## v1.1.0 (2026-01-02, minor)")
    assert f"- Added `{NEW_ID}`: {NEW_TITLE}" in section
    assert section.count("- Added") == 1
    # The earlier release stays in the changelog, after the new one.
    changelog = (DIST / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.index("## v1.1.0") < changelog.index("## v1.0.0")
    card = (DIST / "README.md").read_text(encoding="utf-8")
    n = len(seed_files(SEEDS))
    assert "**Version:** 1.1.0" in card and f"- Articles: {n}." in card


def test_cli_release_after_added_seed(project: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["release"])
    assert first.exit_code == 0, first.output
    n = len(seed_files(SEEDS))
    assert f"released v1.0.0 (initial): {n} added, 0 removed, 0 corrected" in first.stdout
    (SEEDS / NEW_SEED_NAME).write_text(NEW_SEED, encoding="utf-8")

    second = runner.invoke(app, ["release", "--bump", "auto"])

    assert second.exit_code == 0, second.output
    assert "released v1.1.0 (minor, was v1.0.0): 1 added, 0 removed, 0 corrected" in (second.stdout)
    assert version() == "1.1.0"


def test_corrected_record_is_a_patch_release(project: Path) -> None:
    do_release()
    seed = SEEDS / CORRECTED_SEED
    text = seed.read_text(encoding="utf-8")
    assert "predicted on Monday" in text
    seed.write_text(text.replace("predicted on Monday", "predicted on Sunday"), encoding="utf-8")

    result = do_release()

    assert (result.version, result.bump) == ("1.0.1", "patch")
    assert version() == "1.0.1"
    section = changelog_section("1.0.1")
    assert section.startswith("## v1.0.1 (2026-01-02, patch)")
    assert f"- Corrected `{CORRECTED_ID}`: {CORRECTED_TITLE}" in section
    assert "- Added" not in section and "- Removed" not in section


def _drop_field_from_schema() -> None:
    """Make the current schema lack a field: the last release claims one more."""
    path = RELEASES / "v1.0.0.json"
    entry = json.loads(path.read_text(encoding="utf-8"))
    assert "legacy_score" not in entry["fields"]
    entry["fields"]["legacy_score"] = "number or null"
    path.write_text(json.dumps(entry, indent=2) + "\n", encoding="utf-8")


def test_removed_field_needs_a_major_release(project: Path) -> None:
    do_release()
    _drop_field_from_schema()

    for too_small in ("patch", "minor"):
        with pytest.raises(ReleaseRefused) as refused:
            do_release(too_small)
        assert refused.value.code == "bump-too-small"
        assert version() == "1.0.0"
        assert released_versions() == ["v1.0.0.json"]

    cli = CliRunner().invoke(app, ["release", "--bump", "patch"])
    assert cli.exit_code == 1, cli.output
    assert "--bump patch is too small: the changes need a major release" in cli.stderr
    assert version() == "1.0.0"

    result = do_release()

    assert (result.version, result.bump) == ("2.0.0", "major")
    assert result.changes.fields_removed == ["legacy_score"]
    assert version() == "2.0.0"
    assert released_versions() == ["v1.0.0.json", "v2.0.0.json"]
    assert "- Field removed: `legacy_score`" in changelog_section("2.0.0")


def test_bigger_bump_than_needed_is_allowed(project: Path) -> None:
    do_release()
    (SEEDS / NEW_SEED_NAME).write_text(NEW_SEED, encoding="utf-8")
    assert do_release("major").version == "2.0.0"


def test_unknown_bump_is_a_usage_error(project: Path) -> None:
    with pytest.raises(UsageError) as raised:
        do_release("huge")
    assert raised.value.code == "bad-bump"
    assert raised.value.exit_code == 2
    assert version() == "0.0.0"
    assert not DIST.exists()
    assert not RELEASES.exists()


def test_invalid_build_is_not_released(project: Path) -> None:
    do_release()
    before = snapshot(DIST)
    toml_before = METADATA.read_bytes()
    (SEEDS / "9999_0000000000000001.txt").write_bytes(b"")

    with pytest.raises(BuildRefused):
        do_release()

    assert METADATA.read_bytes() == toml_before
    assert released_versions() == ["v1.0.0.json"]
    assert snapshot(DIST) == before

    cli = CliRunner().invoke(app, ["release"])
    assert cli.exit_code == 1, cli.output
    assert "refusing to build: 1 error(s)" in cli.stderr
    assert "Traceback" not in cli.output
    assert METADATA.read_bytes() == toml_before
    assert snapshot(DIST) == before


def test_invalid_first_release_writes_nothing(project: Path) -> None:
    (SEEDS / "9999_0000000000000001.txt").write_bytes(b"")
    with pytest.raises(BuildRefused):
        do_release()
    assert version() == "0.0.0"
    assert not DIST.exists()
    assert list(RELEASES.glob("*.json")) == []
    leftovers = [p.name for p in Path.cwd().iterdir() if p.name.startswith(".")]
    assert [name for name in leftovers if name != ".corpus-tools.lock"] == []


def test_release_is_reproducible(project: Path, tmp_path: Path) -> None:
    do_release()
    released = snapshot(DIST)

    elsewhere = tmp_path / "elsewhere"
    load(project).build(elsewhere)
    assert snapshot(elsewhere) == released

    # `make dataset` after a release: rebuilding dist/ in place changes no byte.
    rebuilt = CliRunner().invoke(app, ["build", "seeds", "--output", "dist"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert snapshot(DIST) == released


def test_refused_release_leaves_dist_untouched(project: Path) -> None:
    do_release()
    before = snapshot(DIST)
    with pytest.raises(ReleaseRefused):
        do_release()  # unchanged
    (SEEDS / NEW_SEED_NAME).write_text(
        "Iraq demands exit of foreign forces\n\nMay 3, 2021 - 10:15\n\n"
        "TEHRAN - Iraq asked the coalition on Monday to set a date for its withdrawal.\n",
        encoding="utf-8",
    )
    with pytest.raises(ReleaseRefused) as refused:
        do_release("patch")  # a new record needs minor
    assert refused.value.code == "bump-too-small"
    assert snapshot(DIST) == before
    # No staging or probe folder is left behind (the lock file of .gitignore may stay).
    leftovers = [p.name for p in project.iterdir() if p.name.startswith(".")]
    assert [name for name in leftovers if name != ".corpus-tools.lock"] == []


def test_an_enum_change_is_a_major_release(project: Path) -> None:
    do_release()
    path = RELEASES / "v1.0.0.json"
    entry = json.loads(path.read_text(encoding="utf-8"))
    entry["fields"]["body[].kind"] = "string enum paragraph|subheading"
    path.write_text(json.dumps(entry, indent=2) + "\n", encoding="utf-8")
    result = do_release()
    assert (result.version, result.changes.fields_retyped) == ("2.0.0", ["body[].kind"])


def test_a_metadata_edit_is_a_patch_release(project: Path) -> None:
    do_release()
    text = METADATA.read_text(encoding="utf-8").replace('"news",', '"news", "journalism",')
    METADATA.write_text(text, encoding="utf-8")
    result = do_release()
    assert (result.version, result.bump) == ("1.0.1", "patch")
    assert "Dataset metadata edited" in changelog_section("1.0.1")


def test_a_stray_file_in_releases_is_reported(project: Path) -> None:
    do_release()
    (RELEASES / "v1.0.0-old.json").write_text("{}", encoding="utf-8")
    cli = CliRunner().invoke(app, ["release"])
    assert cli.exit_code != 0, cli.output
    assert "v1.0.0-old.json: is not a release manifest written by corpus-tools release" in (
        cli.stderr
    )
    assert len(cli.stderr.strip().splitlines()) == 1
    assert "Traceback" not in cli.output


def test_a_stray_file_in_releases_is_a_usage_error(project: Path) -> None:
    do_release()
    (RELEASES / "v1.0.0-old.json").write_text("{}", encoding="utf-8")
    cli = CliRunner().invoke(app, ["release"])
    assert cli.exit_code == 2


def test_publish_refuses_a_build_that_was_not_released(project: Path) -> None:
    do_release()
    (SEEDS / NEW_SEED_NAME).write_text(
        "Iraq demands exit of foreign forces\n\nMay 3, 2021 - 10:15\n\n"
        "TEHRAN - Iraq asked the coalition on Monday to set a date for its withdrawal.\n",
        encoding="utf-8",
    )
    assert CliRunner().invoke(app, ["build"]).exit_code == 0
    cli = CliRunner().invoke(app, ["publish", "--repo-id", "org/name", "--dry-run"])
    assert cli.exit_code == 2
    assert "dist/ differs from release v1.0.0" in cli.stderr


def test_the_release_date_is_the_projects_today(project: Path) -> None:
    import datetime

    load(project, today=datetime.date(2027, 3, 4)).release()
    entry = json.loads((RELEASES / "v1.0.0.json").read_text(encoding="utf-8"))
    assert entry["date"] == "2027-03-04"
    croissant = json.loads((DIST / "croissant.json").read_text(encoding="utf-8"))
    assert croissant["datePublished"] == "2027-03-04"
    assert changelog_section("1.0.0").startswith("## v1.0.0 (2027-03-04, initial)")


def test_a_build_before_the_first_release_says_so(project: Path) -> None:
    result = load(project).build()
    assert result.version == "0.0.0"
    card = (DIST / "README.md").read_text(encoding="utf-8")
    assert "not released yet" in card
    assert not (DIST / "releases").exists()
    assert "No release yet." in (DIST / "CHANGELOG.md").read_text(encoding="utf-8")


def test_the_release_history_survives_a_deleted_dist(project: Path) -> None:
    do_release()
    import shutil

    shutil.rmtree(DIST)
    result = load(project).build()
    assert result.version == "1.0.0"
    assert (DIST / "releases" / "v1.0.0.json").is_file()


def test_history_keeps_only_what_later_releases_read(project: Path) -> None:
    # Only the latest release's per-record list is diffed against, and the changelog shows at
    # most 20 records per kind: older lists are not held in memory.
    do_release()
    (SEEDS / NEW_SEED_NAME).write_text(NEW_SEED, encoding="utf-8")
    do_release()
    first = json.loads((RELEASES / "v1.0.0.json").read_text(encoding="utf-8"))
    history = release_history(RELEASES, lean=True)

    assert [r["version"] for r in history] == ["1.0.0", "1.1.0"]
    full = release_history(RELEASES)
    assert full[0]["records"] == first["records"] and full[0]["changes"] == first["changes"]
    assert "records" not in history[0]
    assert [r["id"] for r in history[1]["records"]] == [
        r["id"] for r in json.loads((RELEASES / "v1.1.0.json").read_text())["records"]
    ]
    added = first["changes"]["added"]
    assert history[0]["changes"]["added_total"] == len(added)
    assert history[0]["changes"]["added"] == added[:20]
    # The file itself is untouched.
    assert json.loads((RELEASES / "v1.0.0.json").read_text(encoding="utf-8")) == first
