"""The compiled per-seed modules: used only while they match their sources, and giving the
very bytes the plain Python modules give."""

from __future__ import annotations

import functools
import importlib.util
import os
import pickle
import re
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_tools import compiled
from corpus_tools.convert.rules import convert_seed
from corpus_tools.ingest import text as text_module
from corpus_tools.ingest.seeds import read_seed
from corpus_tools.ingest.text import ODD_SPACES
from corpus_tools.project import Project
from tests.conftest import ROOT, SEEDS, run_cli, seed_files
from tests.test_dataset import differences, snapshot
from tests.test_parallel import write_project


def _package(root: Path, compiled_copies: bool = True, record: bool = True) -> Path:
    """A package folder holding each module's source, a stand-in compiled copy, a module that
    is not compiled, and the record of the sources."""
    package = root / "corpus_tools"
    package.mkdir()
    (package / "problems.py").write_text("HINTS = {}\n", encoding="utf-8")
    for module in compiled.MODULES:
        source = compiled.source_of(package, module)
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(f"NAME = {module!r}\n", encoding="utf-8")
        if compiled_copies:
            source.with_suffix(EXTENSION_SUFFIXES[0]).write_bytes(b"\x7fELF")
    if record:
        text = compiled.format_record(compiled.digests(package))
        (package / compiled.record_name()).write_text(text, encoding="utf-8")
    return package


@pytest.fixture(autouse=True)
def _no_pure_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(compiled.PURE, raising=False)


def test_compiled_copies_are_used_while_every_source_matches_the_record(tmp_path: Path) -> None:
    guard = compiled.Guard(_package(tmp_path))
    assert guard.decide() is True
    assert guard.find_spec(compiled.MODULES[0]) is None  # the usual finders take the .so


def test_one_edited_source_sends_every_module_to_its_source(tmp_path: Path) -> None:
    """Compiled modules call each other directly: one stale module makes all of them stale."""
    package = _package(tmp_path)
    edited = compiled.source_of(package, compiled.MODULES[-1])
    edited.write_text(edited.read_text(encoding="utf-8") + "# changed\n", encoding="utf-8")
    guard = compiled.Guard(package)
    assert guard.decide() is False
    assert "changed" in guard.why
    for module in compiled.MODULES:
        spec = guard.find_spec(module)
        assert spec is not None and spec.origin == str(compiled.source_of(package, module))
    assert guard.find_spec("corpus_tools.cli") is None  # other modules are not its business


def test_an_edit_to_a_module_they_use_sends_them_to_their_sources(tmp_path: Path) -> None:
    """The compiled code has the types of the modules it uses built in: a module that is not
    compiled, edited since, may no longer fit it."""
    package = _package(tmp_path)
    (package / "problems.py").write_text("HINTS = ()\n", encoding="utf-8")
    guard = compiled.Guard(package)
    assert guard.decide() is False
    assert "changed" in guard.why


def test_the_record_belongs_to_this_interpreter() -> None:
    """Compiled copies for another Python stand beside these; so does their own record."""
    name = compiled.record_name()
    assert sys.implementation.cache_tag in name  # "cpython-311": no other Python's record
    assert name.startswith("_compiled") and name.endswith(".txt")


@pytest.mark.parametrize(
    ("copies", "record", "why"),
    [(False, False, "nothing was compiled"), (True, False, "vouches"), (False, True, "nothing")],
)
def test_without_compiled_copies_or_their_record_the_sources_run(
    tmp_path: Path, copies: bool, record: bool, why: str
) -> None:
    guard = compiled.Guard(_package(tmp_path, compiled_copies=copies, record=record))
    assert guard.decide() is False
    assert why in guard.why


def test_the_pure_setting_sends_every_module_to_its_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(compiled.PURE, "1")
    guard = compiled.Guard(_package(tmp_path))
    assert guard.decide() is False
    assert compiled.PURE in guard.why


def test_a_guard_decides_once(tmp_path: Path) -> None:
    """Modules already imported stay what they are, whatever changes later."""
    package = _package(tmp_path)
    guard = compiled.Guard(package)
    assert guard.decide() is True
    (package / compiled.record_name()).unlink()
    assert guard.decide() is True


def _guards() -> int:
    return sum(bool(getattr(f, "corpus_tools_guard", False)) for f in sys.meta_path)


def test_the_guard_stands_first_once() -> None:
    guard = compiled.install()
    assert compiled.install() is guard
    assert sys.meta_path.index(guard) == 0
    assert _guards() == 1


def test_a_reloaded_guard_module_adds_no_second_guard() -> None:
    """Two guards could decide differently for the same modules."""
    first = compiled.install()
    reloaded = importlib.reload(compiled)
    assert reloaded.install() is first
    assert _guards() == 1


def _frozen_dataclasses() -> list[type]:
    """The frozen dataclasses of the compiled modules."""
    found = []
    for module in compiled.MODULES:
        for value in vars(importlib.import_module(module)).values():
            params = getattr(value, "__dataclass_params__", None)
            if isinstance(value, type) and value.__module__ == module and params is not None:
                found += [value] if params.frozen else []
    return found


def test_every_frozen_dataclass_of_the_compiled_modules_pickles_through_its_constructor() -> None:
    """Pickle restores a compiled frozen class attribute by attribute, which it refuses."""
    kinds = _frozen_dataclasses()
    assert {kind.__name__ for kind in kinds} >= {"Seed", "Origin", "Rule", "Profile", "Probe"}
    for kind in kinds:
        assert "__reduce__" in vars(kind), kind


def test_the_values_a_worker_may_receive_come_back_equal() -> None:
    from corpus_tools.convert.probe import Leaders, Probe
    from corpus_tools.ingest.seeds import Seed
    from corpus_tools.validate.records import Origin, Prepared

    values = [
        Seed("001_00000000000000aa.txt", "seeds/001_00000000000000aa.txt", b"Title\n"),
        Origin("records.jsonl", 3, from_seed=False, plain=True),
        Prepared(Origin("x.txt", from_seed=True), {"id": "aa"}, [], rid="aa"),
        Leaders.of(["Tehran Times", "Press TV"]),
        Probe.of(re.compile(r"(?i)press\s*tv")),
    ]
    for value in values:
        assert pickle.loads(pickle.dumps(value)) == value


def test_profiles_pickle_whole(repo_project: Project) -> None:
    """A worker started by spawn gets the project pickled; the profiles it unpickles (compiled
    frozen classes, where the install compiled them, which pickle cannot restore attribute by
    attribute) convert every seed as the originals do."""
    profiles = repo_project.profiles
    for seed_file in seed_files():
        convert_seed(read_seed(SEEDS / seed_file), profiles)  # fills the plans' caches
    copied = pickle.loads(pickle.dumps(profiles))
    assert [p.id for p in copied] == [p.id for p in profiles]
    assert copied.detectable[0][1] == profiles.detectable[0][1]
    for profile, original in zip(copied, profiles, strict=True):
        assert profile.rules == original.rules
        assert profile.first_line_furniture == original.first_line_furniture
        assert [r.qualified_name for r in profile.rules] == [
            r.qualified_name for r in original.rules
        ]
    for seed_file in seed_files():
        seed = read_seed(SEEDS / seed_file)
        assert convert_seed(seed, copied) == convert_seed(seed, profiles)


def _running_compiled() -> bool:
    return compiled.status() == "compiled with mypyc"


@functools.cache
def _plain(module: str) -> object:
    """A module loaded from its source under another name, beside the compiled one."""
    path = compiled.source_of(compiled.PACKAGE, module)
    spec = importlib.util.spec_from_file_location(f"plain_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


@pytest.mark.skipif(not _running_compiled(), reason="this install runs plain Python modules")
def test_the_compiled_modules_are_the_ones_imported() -> None:
    from corpus_tools.convert import rules

    assert Path(rules.__file__).suffix == Path(EXTENSION_SUFFIXES[0]).suffix


_LINES = st.lists(
    st.text(
        alphabet=st.sampled_from([*ODD_SPACES, " ", "\r", "\n", "\ufeff", "a", "é", "’", "中"]),
        max_size=12,
    ),
    max_size=6,
)


@pytest.mark.skipif(not _running_compiled(), reason="this install runs plain Python modules")
@settings(max_examples=300, deadline=None)
@given(_LINES)
def test_compiled_normalisation_equals_the_source(pieces: list[str]) -> None:
    plain = _plain("corpus_tools.ingest.text")
    text = "".join(pieces)
    source = text.encode("utf-8")
    assert text_module.normalise(text, source) == plain.normalise(text, source)  # type: ignore[attr-defined]
    assert text_module.normalise(text) == plain.normalise(text)  # type: ignore[attr-defined]


@pytest.mark.skipif(not _running_compiled(), reason="this install runs plain Python modules")
def test_a_build_is_byte_identical_with_the_plain_modules(tmp_path: Path) -> None:
    """The same corpus built by the compiled modules and by their sources (CORPUS_TOOLS_PURE=1):
    every file of dist/ the same, byte for byte."""
    project = tmp_path / "corpus"
    write_project(project, 60, seed=11)
    outputs = {}
    for pure in ("0", "1"):
        env = {**os.environ, "HF_HUB_OFFLINE": "1", compiled.PURE: pure}
        out = tmp_path / f"dist-{pure}"
        done = run_cli("build", "--project", str(project), "-o", str(out), env=env, timeout=120)
        assert done.code == 0, done.output
        which = subprocess.run(
            [sys.executable, "-c", "from corpus_tools import compiled; print(compiled.status())"],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            check=True,
        ).stdout
        assert which.startswith("plain" if pure == "1" else "compiled"), which
        outputs[pure] = snapshot(out)
    assert not differences(outputs["0"], outputs["1"])
