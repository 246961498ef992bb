"""The modules every seed passes through, compiled with mypyc where the install could, and the
guard that keeps a compiled copy from running code its source no longer says.

``setup.py`` compiles ``MODULES`` and writes ``RECORD`` beside them: the SHA-256 of each
source as it was compiled. ``install()`` (run by ``import corpus_tools``) puts a finder first
on ``sys.meta_path``; at the first import of one of the modules it decides once, for all of
them, between the compiled copies and the sources:

- the compiled copies when every module has one and every source has the digest ``RECORD``
  gives it;
- the sources otherwise: a plain Python install, ``CORPUS_TOOLS_PURE=1`` set, or a source
  edited since the install (``pip install -e .`` or ``make`` compiles it again).

All or none: compiled modules call one another directly, inside one shared library, so one
stale module would make the others run its old code. The results are the same either way;
the tests build with both and compare the bytes.
"""

from __future__ import annotations

import hashlib
import os
import sys
from importlib.machinery import ModuleSpec
from pathlib import Path
from typing import Any

# In the order setup.py compiles them.
MODULES = (
    "corpus_tools.convert.rules",
    "corpus_tools.convert.profiles",
    "corpus_tools.convert.probe",
    "corpus_tools.convert.dates",
    "corpus_tools.ingest.text",
    "corpus_tools.ingest.seeds",
    "corpus_tools.validate.records",
)
RECORD = "_compiled.txt"  # in the package folder: "<module> <sha256 of its source>" lines
PURE = "CORPUS_TOOLS_PURE"
PACKAGE = Path(__file__).resolve().parent


def source_of(package: Path, module: str) -> Path:
    """The source file of one of ``MODULES`` in a package folder."""
    return package.joinpath(*module.split(".")[1:]).with_suffix(".py")


def digests(package: Path) -> dict[str, str]:
    """SHA-256 of each module's source, as ``RECORD`` holds them."""
    return {
        module: hashlib.sha256(source_of(package, module).read_bytes()).hexdigest()
        for module in MODULES
    }


def format_record(found: dict[str, str]) -> str:
    """The text of ``RECORD``."""
    return "".join(f"{module} {digest}\n" for module, digest in found.items())


def read_record(package: Path) -> dict[str, str] | None:
    """What ``RECORD`` says, or None where there is none (nothing was compiled)."""
    try:
        text = (package / RECORD).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    pairs = [line.split(" ") for line in text.splitlines() if line]
    return {pair[0]: pair[1] for pair in pairs if len(pair) == 2}


def _compiled_copy(package: Path, module: str) -> bool:
    """Whether a compiled copy of the module stands beside its source."""
    from importlib.machinery import EXTENSION_SUFFIXES

    source = source_of(package, module)
    return any(source.with_suffix(suffix).is_file() for suffix in EXTENSION_SUFFIXES)


class Guard:
    """A meta path finder: ``MODULES`` come from their sources unless their compiled copies
    may be used (decided at the first import of one of them)."""

    def __init__(self, package: Path) -> None:
        self.package = package
        self.compiled: bool | None = None  # None: not decided yet
        self.why = ""

    def decide(self) -> bool:
        """Whether the compiled copies are used; decided once."""
        if self.compiled is None:
            self.compiled, self.why = self._decision()
        return self.compiled

    def _decision(self) -> tuple[bool, str]:
        if not all(_compiled_copy(self.package, module) for module in MODULES):
            return False, "nothing was compiled at install"
        if os.environ.get(PURE) == "1":
            return False, f"{PURE}=1 is set"
        recorded = read_record(self.package)
        if recorded is None:
            return False, f"no {RECORD} vouches for the compiled copies"
        try:
            same = digests(self.package) == recorded
        except OSError:
            same = False
        if not same:
            return False, "a source changed since it was compiled: pip install -e . again"
        return True, ""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        """The source's spec when the compiled copy may not be used; None lets the usual
        finders (which prefer the compiled copy) look."""
        if fullname not in MODULES or self.decide():
            return None
        from importlib.util import spec_from_file_location

        return spec_from_file_location(fullname, source_of(self.package, fullname))


def install() -> Guard:
    """Put the guard first on ``sys.meta_path``, once."""
    for finder in sys.meta_path:
        if isinstance(finder, Guard):
            return finder
    guard = Guard(PACKAGE)
    sys.meta_path.insert(0, guard)
    return guard


def status() -> str:
    """Whether this process runs the compiled modules, in a few words (for reports)."""
    guard = install()
    return "compiled with mypyc" if guard.decide() else f"plain Python ({guard.why})"
