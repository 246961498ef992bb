"""Build step: compile the per-seed modules with mypyc where this machine can.

Everything else about the package is in pyproject.toml. The compiled modules are the same
sources, translated to C through their type hints (``corpus_tools/compiled.py`` lists them and
keeps a stale copy from running). Where mypyc or the C compiler fails, or with
``CORPUS_TOOLS_PURE=1`` set, the package installs as plain Python: the same results, slower.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from setuptools import Distribution, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
PACKAGE = ROOT / "corpus_tools"
# Commands that build the package; pip also runs this file only to read its metadata
# (egg_info, dist_info) or to make an sdist, which need no compiling.
BUILDING = {"build", "build_ext", "bdist_wheel", "editable_wheel", "install", "develop"}


def _compiled_module() -> Any:
    """corpus_tools/compiled.py on its own (the package's dependencies are not installed here)."""
    spec = importlib.util.spec_from_file_location("_corpus_tools_compiled", PACKAGE / "compiled.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


COMPILED = _compiled_module()


def _say(message: str) -> None:
    print(f"corpus-tools: {message}", file=sys.stderr)


class BuildExt(build_ext):
    """Compile every module or none: on any failure, remove what was built and install the
    plain Python modules. On success, record the sources compiled, unless one changed while
    they were."""

    def run(self) -> None:
        # Beside the compiled modules: in the source tree for an editable install, in the
        # wheel otherwise. An earlier record would vouch for modules this build may not make.
        package = Path(self.get_ext_fullpath(COMPILED.MODULES[0])).parents[1]
        record = package / COMPILED.record_name()
        record.unlink(missing_ok=True)
        if not self.extensions:
            return
        try:
            super().run()
        except Exception as exc:  # any compiler failure: the package stays plain Python
            for output in self.get_outputs():
                Path(output).unlink(missing_ok=True)
            _say(f"compiling failed ({exc}); installing plain Python modules")
            return
        if COMPILED.digests(PACKAGE) != SOURCES:
            _say("a source changed while compiling: the compiled modules will not be used")
            return
        record.write_text(COMPILED.format_record(SOURCES), encoding="utf-8")


class BuildPy(build_py):
    """The wheel carries the article schema, which a checkout keeps in schema/."""

    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "corpus_tools" / "_data"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "schema" / "article.schema.json", target / "article.schema.json")


class BinaryDistribution(Distribution):
    """A platform wheel even where nothing was compiled, so that build_ext always runs (and
    removes a stale record)."""

    def has_ext_modules(self) -> bool:
        return True


# The sources as mypyc reads them, taken before it does (see BuildExt).
SOURCES: dict[str, str] = COMPILED.digests(PACKAGE)


def _extensions() -> list[Any]:
    """mypyc's extension modules, or none."""
    if not BUILDING & set(sys.argv[1:]):
        return []
    if os.environ.get(COMPILED.PURE) == "1":
        _say(f"{COMPILED.PURE}=1: installing plain Python modules")
        return []
    sources = [str(COMPILED.source_of(Path("corpus_tools"), m)) for m in COMPILED.MODULES]
    # The build environment holds mypy, not the package's dependencies: their types are
    # unknown here, and the compiled code treats their objects as plain Python objects.
    options = ["--config-file=", "--ignore-missing-imports", "--follow-imports=silent"]
    try:
        from mypyc.build import mypycify

        extensions: list[Any] = mypycify(
            [*options, *sources], opt_level="3", group_name="corpus_tools"
        )
        return extensions
    except (Exception, SystemExit) as exc:  # mypy exits on a type error: stay plain
        _say(f"mypyc could not compile the modules ({exc!r}); installing plain Python modules")
        return []


setup(
    ext_modules=_extensions(),
    cmdclass={"build_ext": BuildExt, "build_py": BuildPy},
    distclass=BinaryDistribution,
)
