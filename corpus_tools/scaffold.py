"""``corpus-tools init``: a working project skeleton that builds as soon as seeds are added."""

from __future__ import annotations

import re
from pathlib import Path

from corpus_tools.errors import UsageError
from corpus_tools.metadata import METADATA_FILE, template_toml
from corpus_tools.package.prose import SECTIONS, template

GITIGNORE = """\
# corpus-tools: staging folders of interrupted builds and the project lock
.dist.*
.corpus-tools.lock
.venv/
"""

WORKFLOW = """\
# Validate the corpus on every push and pull request (corpus-tools' composite action).
name: validate corpus
on:
  push:
  pull_request:
jobs:
  validate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: corpus-tools/corpus-tools@main
        with:
          strict: "true"
"""

PROFILES_README = """\
# Outlet profiles of this corpus

One TOML file per outlet (`<id>.toml`, with `[outlet] id = "<id>"`). They add to corpus-tools'
built-in profiles; a file named like a built-in one replaces it. The format is documented in
corpus-tools' README ('Outlet profiles').
"""


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-._")
    return slug or "corpus"


def init_project(folder: Path) -> list[Path]:
    """Write the skeleton into ``folder`` (new or empty); returns the files written."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        what = "files" if folder.is_dir() else "a file of that name"
        raise UsageError("project-exists", file=str(folder), path=folder, what=what)
    name = _slug(folder.absolute().name)
    pretty = name.replace("-", " ").replace("_", " ").title()
    summary = "Page copies of news articles converted into validated article records."
    toml = template_toml({"name": name, "pretty_name": pretty, "summary": summary})
    files = {
        METADATA_FILE: toml,
        ".gitignore": GITIGNORE,
        "seeds/.gitkeep": "",
        "profiles/README.md": PROFILES_README,
        ".github/workflows/validate.yml": WORKFLOW,
        **{f"card/{section.file}": template(section) for section in SECTIONS},
    }
    written = []
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written
