"""Corpus projects: init and add, dataset.toml, the problem-code table, the record type and
the plain output that users pipe."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from corpus_tools.cli import app
from corpus_tools.docs import regenerate
from corpus_tools.errors import ProjectErrors, UsageError
from corpus_tools.metadata import KEYS, parse_meta
from corpus_tools.problems import CODES, codes_markdown
from corpus_tools.project import Project
from corpus_tools.record import Record
from corpus_tools.schema import Schema
from tests.conftest import GOLDEN_SEEDS, ROOT, copy_project, load, run_cli

runner = CliRunner()


def article(number: int) -> str:
    """A distinct Tehran Times style page copy."""
    return (
        f"Iraqi committee {number} meets on troop withdrawal\n\n"
        f"May {number % 28 + 1}, 2021 - 10:15\n\n"
        f"TEHRAN - Committee number {number} of the Iraqi parliament met on Monday to discuss "
        f"the withdrawal of foreign troops, in a statement written for test {number}.\n\n"
        f"Its members said a timetable would be set within {number + 2} weeks.\n\n"
        "Leave a Comment\n"
    )


def sha16(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


@pytest.fixture
def new_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project made by `corpus-tools init`, as the current folder."""
    result = runner.invoke(app, ["init", str(tmp_path / "corpus")])
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(tmp_path / "corpus")
    return tmp_path / "corpus"


def copies(folder: Path, *numbers: int) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for number in numbers:
        path = folder / f"page{number}.txt"
        path.write_text(article(number), encoding="utf-8")
        paths.append(path)
    return paths


# --------------------------------------------------------------------------- init and add


def test_init_writes_a_project_that_loads(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "harbor-news")])
    assert result.exit_code == 0, result.output
    root = tmp_path / "harbor-news"
    for name in ("dataset.toml", "seeds", "profiles", "card/uses.md", ".gitignore"):
        assert (root / name).exists(), name
    project = Project.load(root)
    assert project.meta.name == "harbor-news"
    toml = (root / "dataset.toml").read_text(encoding="utf-8")
    assert not re.search(r"(?m)^version\s*=", toml)
    # Guidance comments only: no prose section yet.
    assert project.prose.sections == {}


def test_init_refuses_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine", encoding="utf-8")
    result = runner.invoke(app, ["init", str(tmp_path / "taken")])
    assert result.exit_code == 2
    assert "already holds files" in result.stderr
    assert sorted(p.name for p in (tmp_path / "taken").iterdir()) == ["notes.txt"]


def test_add_numbers_seeds_and_names_them_by_content(new_project: Path, tmp_path: Path) -> None:
    first = copies(tmp_path / "copies", 1, 2)
    result = runner.invoke(app, ["add", *map(str, first)])
    assert result.exit_code == 0, result.output
    expected = [f"{i:03d}_{sha16(p.read_bytes())}.txt" for i, p in enumerate(first)]
    assert sorted(p.name for p in (new_project / "seeds").glob("*.txt")) == expected
    assert result.stdout.splitlines() == [f"added seeds/{name}" for name in expected]
    for path, name in zip(first, expected, strict=True):
        assert (new_project / "seeds" / name).read_bytes() == path.read_bytes()

    (third,) = copies(tmp_path / "copies", 3)
    again = runner.invoke(app, ["add", str(third)])
    assert again.exit_code == 0, again.output
    assert again.stdout == f"added seeds/002_{sha16(third.read_bytes())}.txt\n"


def test_add_refuses_a_duplicate_and_copies_nothing(new_project: Path, tmp_path: Path) -> None:
    (first,) = copies(tmp_path / "copies", 1)
    assert runner.invoke(app, ["add", str(first)]).exit_code == 0
    seed = f"000_{sha16(first.read_bytes())}.txt"
    before = sorted(p.name for p in (new_project / "seeds").iterdir())
    twin = tmp_path / "copies" / "twin.txt"
    shutil.copy(first, twin)
    (fresh,) = copies(tmp_path / "copies", 2)

    result = runner.invoke(app, ["add", str(fresh), str(twin)])

    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert "twin.txt" in line and f"seeds/{seed}" in line
    assert "has the same bytes as" in line
    assert result.stdout == ""
    assert sorted(p.name for p in (new_project / "seeds").iterdir()) == before


def test_add_refuses_the_same_file_given_twice(new_project: Path, tmp_path: Path) -> None:
    (first,) = copies(tmp_path / "copies", 1)
    result = runner.invoke(app, ["add", str(first), str(first)])
    assert result.exit_code == 1
    assert "has the same bytes as" in result.stderr
    assert list((new_project / "seeds").glob("*.txt")) == []


def test_add_after_999_gives_1000(new_project: Path, tmp_path: Path) -> None:
    data = article(999).encode("utf-8")
    (new_project / "seeds" / f"999_{sha16(data)}.txt").write_bytes(data)
    (page,) = copies(tmp_path / "copies", 1000)
    result = runner.invoke(app, ["add", str(page)])
    assert result.exit_code == 0, result.output
    name = f"1000_{sha16(page.read_bytes())}.txt"
    assert result.stdout == f"added seeds/{name}\n"
    report = load(new_project).validate()
    assert report.errors == []
    assert f"seeds/{name}" in [c.file for c in report.checked]


def test_seed_1000_comes_after_seed_999(new_project: Path, tmp_path: Path) -> None:
    data = article(999).encode("utf-8")
    (new_project / "seeds" / f"999_{sha16(data)}.txt").write_bytes(data)
    (page,) = copies(tmp_path / "copies", 1000)
    assert runner.invoke(app, ["add", str(page)]).exit_code == 0
    records = load(new_project).convert()
    assert [r["seed_file"][:4] for r in records] == ["999_", "1000"]


def test_add_refuses_a_file_that_is_not_utf8(new_project: Path, tmp_path: Path) -> None:
    bad = tmp_path / "utf16.txt"
    bad.write_text(article(1), encoding="utf-16")
    result = runner.invoke(app, ["add", str(bad)])
    assert result.exit_code == 1
    assert "file is not UTF-8 text (it is UTF-16 LE, by its byte-order mark)" in result.stderr
    assert list((new_project / "seeds").glob("*.txt")) == []


def test_four_digit_order_numbers_validate(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "corpus", releases=False, seeds=())
    for number in range(12):
        data = article(number).encode("utf-8")
        (root / "seeds" / f"{number:04d}_{sha16(data)}.txt").write_bytes(data)
    project = load(root)
    report = project.validate()
    assert report.errors == []
    assert [c.file for c in report.checked] == [
        f"seeds/{p.name}" for p in sorted((root / "seeds").glob("*.txt"))
    ]
    assert report.checked[0].file.startswith("seeds/0000_")
    assert report.checked[-1].file.startswith("seeds/0011_")
    result = project.build()
    assert result.records == 12


_SEED_LIKE = st.builds(
    "{}_{}.txt".format,
    st.integers(0, 20_000).map(str) | st.sampled_from(["007", "0999", "1000", "099"]),
    st.text(alphabet="0123456789abcdef", min_size=16, max_size=16),
)
_ENTRY = _SEED_LIKE | st.text(
    alphabet=st.characters(exclude_characters="/\0", exclude_categories=["Cs"]),
    min_size=1,
    max_size=12,
).filter(lambda name: name not in (".", ".."))


@settings(max_examples=40, deadline=None)
@given(st.sets(_ENTRY, min_size=1, max_size=25))
def test_seeds_are_listed_by_order_number_then_name_whatever_the_widths(names: set[str]) -> None:
    # 999 comes before 1000, entries that are not seed names first, hidden ones not at all;
    # the listing is kept compactly and must give back exactly these names.
    import tempfile

    from corpus_tools.ingest.seeds import SEED_NAME, seed_names

    def order(name: str) -> tuple[int, str]:
        found = SEED_NAME.match(name)
        return (int(found.group("order")), name) if found else (-1, name)

    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            (Path(folder) / name).write_bytes(b"")
        shown = [name for name in names if not name.startswith(".")]
        if not shown:
            with pytest.raises(UsageError):
                seed_names(Path(folder))
            return
        listed = seed_names(Path(folder))
        assert list(listed) == sorted(shown, key=order)
        assert len(listed) == len(shown)


# --------------------------------------------------------------------------- dataset.toml


def _errors(text: str) -> list[tuple[int | None, str]]:
    with pytest.raises(ProjectErrors) as raised:
        parse_meta(Path("dataset.toml"), text)
    assert all(e.code == "bad-metadata" and e.file == "dataset.toml" for e in raised.value.errors)
    return [(e.line, e.message) for e in raised.value.errors]


def test_every_missing_required_key_is_reported_in_one_run() -> None:
    found = _errors('tags = ["news"]\n')
    required = [key.name for key in KEYS if key.required]
    assert len(found) == len(required)
    for name in required:
        assert any(message.startswith(f"{name} is missing") for _, message in found), name


def test_every_missing_required_key_is_reported_by_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "dataset.toml").write_text('tags = ["news"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    required = [key.name for key in KEYS if key.required]
    assert len(lines) == len(required)
    for name in required:
        assert any(f"{name} is missing" in line for line in lines), name
    assert all("dataset.toml: " in line for line in lines)


def test_a_bad_value_names_its_key_and_line() -> None:
    text = (ROOT / "dataset.toml").read_text(encoding="utf-8")
    text = text.replace('allowed_languages = ["en"]', 'allowed_languages = ["English"]')
    line = text.splitlines().index('allowed_languages = ["English"]') + 1
    assert _errors(text) == [(line, "allowed_languages has invalid values ['English']")]


def test_a_bad_license_value_names_the_key_in_its_table() -> None:
    text = (ROOT / "dataset.toml").read_text(encoding="utf-8")
    text = text.replace('name = "publishers-copyright"', 'name = "Publishers Copyright"')
    line = text.splitlines().index('name = "Publishers Copyright"') + 1
    ((found_line, message),) = _errors(text)
    assert found_line == line
    assert message.startswith("license.name must be")


def test_a_version_key_is_refused_with_a_pointer_to_releases() -> None:
    text = 'version = "1.0.0"\n' + (ROOT / "dataset.toml").read_text(encoding="utf-8")
    ((line, message),) = _errors(text)
    assert line == 1
    assert message.startswith("version is not kept here")
    assert "releases/" in message


def test_outside_a_project_validate_exits_2_naming_dataset_toml(tmp_path: Path) -> None:
    outside = tmp_path / "nowhere"
    outside.mkdir()
    result = run_cli("validate", cwd=outside, env=dict(os.environ), timeout=300)
    assert result.code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert "no dataset.toml in" in line
    assert "corpus-tools init" in line
    with pytest.raises(UsageError) as raised:
        Project.load(outside)
    assert raised.value.code == "no-project"


def test_the_project_is_found_from_a_subfolder(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "corpus", releases=False, seeds=GOLDEN_SEEDS[:1])
    project = Project.load(root / "seeds")
    assert project.root == root
    assert project.releases_dir == root / "releases"
    assert project.dist_dir == root / "dist"


# --------------------------------------------------------------------------- documentation


_README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_has_the_generated_tables() -> None:
    # The README's tables of codes, keys and prose files are generated from the code.
    assert regenerate(_README) == _README
    assert codes_markdown() in _README
    for code in CODES:
        assert f"| `{code}` |" in _README, code


def test_the_record_type_has_the_schemas_fields_in_order() -> None:
    assert list(Record.__annotations__) == list(Schema.packaged().properties)


# --------------------------------------------------------------------------- piped output


def test_piped_validate_prints_whole_file_names_and_the_summary_last(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "corpus", releases=False, seeds=GOLDEN_SEEDS)
    # A long (valid) name that a terminal-width table would wrap.
    bad = "0" * 60 + "1_00000000000000e1.txt"
    (root / "seeds" / bad).write_bytes(b"")
    env = {**os.environ, "COLUMNS": "40"}
    env.pop("FORCE_COLOR", None)
    # stdout is a pipe, as in `corpus-tools validate | cat`
    result = run_cli("validate", "seeds", cwd=root, env=env, timeout=300)
    assert result.code == 1
    lines = result.stdout.split("\n")
    assert lines[-1] == ""  # newline-terminated
    lines = lines[:-1]
    message = "file is empty; add the article text or remove the file"
    assert f"seeds/{bad}: error empty-file: {message}" in lines
    assert all(line == line.rstrip() for line in lines)
    assert all("\x1b" not in line for line in lines)
    assert lines[-1] == (f"✗ {len(GOLDEN_SEEDS) + 1} records checked: 1 error, 3 warnings")
    for line in lines[:-1]:
        assert line.startswith("seeds/"), line
