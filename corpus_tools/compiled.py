"""The modules every seed passes through, compiled with mypyc where the install could, and the
guard that keeps a compiled copy from running code its sources no longer say.

``setup.py`` compiles ``MODULES`` and records, beside them, the SHA-256 of every source of the
package as it was when they were compiled (``record_name()``: one record per interpreter ABI,
as the compiled copies are). Every source, not only theirs: the compiled code has the types of
the modules it uses built in. ``install()`` (run by ``import corpus_tools``) puts a finder
first on ``sys.meta_path``; at the first import of one of ``MODULES`` it decides once, for all
of them, between the compiled copies and the sources:

- the compiled copies when every module has one for this interpreter and every source has the
  digest the record gives it;
- the sources otherwise: a plain Python install, ``CORPUS_TOOLS_PURE=1`` set, or a source
  edited since the install (``pip install -e .`` or ``make`` compiles again).

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
PURE = "CORPUS_TOOLS_PURE"
PACKAGE = Path(__file__).resolve().parent


def source_of(package: Path, module: str) -> Path:
    """The source file of one of ``MODULES`` in a package folder."""
    return package.joinpath(*module.split(".")[1:]).with_suffix(".py")


def record_name() -> str:
    """The record's file name in the package folder, for this interpreter's compiled copies:
    ``_compiled.cpython-311-x86_64-linux-gnu.txt``, say."""
    from importlib.machinery import EXTENSION_SUFFIXES

    return f"_compiled{Path(EXTENSION_SUFFIXES[0]).stem}.txt"


def digests(package: Path) -> dict[str, str]:
    """SHA-256 of every source of the package, by path relative to it, as the record holds
    them."""
    return {
        path.relative_to(package).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(package.rglob("*.py"))
    }


def format_record(found: dict[str, str]) -> str:
    """The text of the record: a ``<path> <sha256>`` line per source."""
    return "".join(f"{path} {digest}\n" for path, digest in found.items())


def read_record(package: Path) -> dict[str, str] | None:
    """What the record says, or None where there is none (nothing was compiled)."""
    try:
        text = (package / record_name()).read_text(encoding="utf-8")
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

    # Recognised by this mark, not by class: a reloaded module makes another class.
    corpus_tools_guard = True

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
            return False, f"no {record_name()} vouches for the compiled copies"
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
        if getattr(finder, "corpus_tools_guard", False):
            found: Guard = finder  # type: ignore[assignment]
            return found
    guard = Guard(PACKAGE)
    sys.meta_path.insert(0, guard)
    return guard


def status() -> str:
    """Whether this process runs the compiled modules, in a few words (for reports)."""
    guard = install()
    return "compiled with mypyc" if guard.decide() else f"plain Python ({guard.why})"


def rebuilt(value: Any, caches: tuple[str, ...] = ()) -> tuple[Any, ...]:
    """How pickle sends a frozen dataclass of a compiled module (to a worker started by spawn):
    a call that makes it again from the values it was made with, derived fields included. A
    compiled frozen class cannot be restored attribute by attribute, as pickle otherwise does.
    ``caches``: fields left to start empty (some are keyed by ``id()``)."""
    from dataclasses import fields

    made = {f.name: getattr(value, f.name) for f in fields(value) if f.init}
    for name in caches:
        made.pop(name)
    return _make, (type(value), made)


def _make(kind: type[Any], made: dict[str, Any]) -> Any:
    """A frozen dataclass made again from what ``rebuilt`` sent."""
    return kind(**made)
