"""corpus_tools: turn a folder of raw text articles into a validated, versioned HF dataset.

The library API mirrors the CLI::

    from corpus_tools import Project

    project = Project.load("path/to/corpus")   # finds dataset.toml upward
    report = project.validate()
    if not report.failed():
        project.build()

Names are imported lazily, so that ``import corpus_tools`` (and ``corpus-tools --help``) stays
fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from corpus_tools.compiled import install as _install_guard

__version__ = "0.2.0"

# Before any per-seed module is imported: their compiled copies run only while they match
# their sources (corpus_tools/compiled.py).
_install_guard()

_EXPORTS = {
    "Project": "corpus_tools.project",
    "find_root": "corpus_tools.project",
    "DatasetMeta": "corpus_tools.metadata",
    "CorpusToolsError": "corpus_tools.errors",
    "ConversionError": "corpus_tools.errors",
    "UsageError": "corpus_tools.errors",
    "Record": "corpus_tools.record",
    "Schema": "corpus_tools.schema",
    "ProfileSet": "corpus_tools.convert.profiles",
    "load_profiles": "corpus_tools.convert.profiles",
    "convert_seed": "corpus_tools.convert.rules",
    "Report": "corpus_tools.validate.report",
    "Problem": "corpus_tools.validate.report",
    "BuildResult": "corpus_tools.package.build",
    "ReleaseResult": "corpus_tools.release.cut",
    "PublishResult": "corpus_tools.publish.hub",
    "init_project": "corpus_tools.scaffold",
    "CODES": "corpus_tools.problems",
}
__all__ = [
    "CODES",
    "BuildResult",
    "ConversionError",
    "CorpusToolsError",
    "DatasetMeta",
    "Problem",
    "ProfileSet",
    "Project",
    "PublishResult",
    "Record",
    "ReleaseResult",
    "Report",
    "Schema",
    "UsageError",
    "__version__",
    "convert_seed",
    "find_root",
    "init_project",
    "load_profiles",
]

if TYPE_CHECKING:
    from corpus_tools.convert.profiles import ProfileSet, load_profiles
    from corpus_tools.convert.rules import convert_seed
    from corpus_tools.errors import ConversionError, CorpusToolsError, UsageError
    from corpus_tools.metadata import DatasetMeta
    from corpus_tools.package.build import BuildResult
    from corpus_tools.problems import CODES
    from corpus_tools.project import Project, find_root
    from corpus_tools.publish.hub import PublishResult
    from corpus_tools.record import Record
    from corpus_tools.release.cut import ReleaseResult
    from corpus_tools.scaffold import init_project
    from corpus_tools.schema import Schema
    from corpus_tools.validate.report import Problem, Report


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'corpus_tools' has no attribute {name!r}")
