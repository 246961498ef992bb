"""Generated README sections: the problem codes, the dataset.toml keys and the card prose files.

``python -m corpus_tools.docs README.md`` rewrites the blocks between
``<!-- BEGIN name -->`` and ``<!-- END name -->``; with ``--check`` it only reports (exit 1)
when a block is stale, which ``make test`` runs.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from corpus_tools.metadata import keys_markdown
from corpus_tools.package.prose import SECTIONS
from corpus_tools.problems import codes_markdown


def prose_markdown() -> str:
    """The card prose files a project may write, and where each goes in the card."""
    rows = ["| file | card section | what to write |", "|---|---|---|"]
    rows += [f"| `card/{s.file}` | {s.heading} | {s.guidance} |" for s in SECTIONS]
    return "\n".join(rows)


BLOCKS = {"codes": codes_markdown, "keys": keys_markdown, "prose": prose_markdown}


def regenerate(text: str) -> str:
    """The README text with every generated block brought up to date."""
    for name, make in BLOCKS.items():
        pattern = re.compile(
            rf"(<!-- BEGIN {name} -->\n)(?:.*?\n)?(<!-- END {name} -->)", flags=re.DOTALL
        )
        text = pattern.sub(rf"\g<1>{_escape(make())}\n\g<2>", text)
    return text


def _escape(replacement: str) -> str:
    """A literal for re.sub's replacement string."""
    return replacement.replace("\\", "\\\\")


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(a) for a in argv if a != "--check"] or [Path("README.md")]
    stale = False
    for path in paths:
        text = path.read_text(encoding="utf-8")
        new = regenerate(text)
        if new != text:
            stale = True
            if check:
                print(f"{path}: generated sections are stale; run make docs", file=sys.stderr)
            else:
                path.write_text(new, encoding="utf-8")
    return 1 if stale and check else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
