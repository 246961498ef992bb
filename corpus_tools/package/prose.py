"""Card prose: the parts of the data card that only the project's curators can write.

Each section is one Markdown file in the project's ``card/`` folder. HTML comments
(``<!-- ... -->``) are guidance for the writer and never reach the built card; a file that is
missing, or holds nothing but comments and blank lines, leaves its section out of the card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from corpus_tools.errors import CorpusToolsError, ProjectErrors

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


@dataclass(frozen=True)
class Section:
    """One prose file: its name, where it goes in the card and what to write in it."""

    file: str
    heading: str
    guidance: str


SECTIONS: tuple[Section, ...] = (
    Section("uses.md", "Uses > Direct Use",
            "What the dataset is for: the research questions or tasks it serves."),
    Section("out_of_scope.md", "Uses > Out-of-Scope Use",
            "Uses the dataset does not support or that would mislead, such as treating the "
            "articles as statements of fact."),
    Section("curation_rationale.md", "Dataset Creation > Curation Rationale",
            "Why these pages were collected, and how they were chosen."),
    Section("personal_information.md", "Dataset Creation > Personal and Sensitive Information",
            "Which personal data the articles hold (bylines name people; articles name and "
            "quote people) and what was done about it."),
    Section("limitations.md", "Bias, Risks, and Limitations",
            "A Markdown list of the limitations specific to the sources: who owns them, whose "
            "framing they carry, what the selection leaves out. corpus-tools adds the "
            "computed ones (undated or untitled articles, coarse dates) after yours."),
    Section("recommendations.md", "Bias, Risks, and Limitations > Recommendations",
            "How to use the data responsibly given those limitations."),
)  # fmt: skip


@dataclass(frozen=True)
class CardProse:
    """The project's written sections, by file name; absent ones are left out of the card."""

    sections: dict[str, str]

    def get(self, file: str) -> str | None:
        """A section's Markdown, or None when the project has not written it."""
        return self.sections.get(file)


def strip_guidance(text: str) -> str:
    """The file's text without HTML comments, trimmed; empty when only guidance is left."""
    return _COMMENT.sub("", text).strip()


def load_prose(folder: Path) -> CardProse:
    """Read every section file that exists in ``folder`` (a missing folder means none)."""
    sections: dict[str, str] = {}
    errors: list[CorpusToolsError] = []
    for section in SECTIONS:
        path = folder / section.file
        if not path.is_file():
            continue
        try:
            text = strip_guidance(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(
                CorpusToolsError("bad-card", file=str(path), what=f"cannot be read ({exc})")
            )
            continue
        if text:
            sections[section.file] = text
    if errors:
        raise ProjectErrors(errors)
    return CardProse(sections)


def template(section: Section) -> str:
    """A new, empty section file: guidance in a comment, which the card never shows."""
    return (
        f"<!-- {section.heading}\n\n{section.guidance}\n\nWrite Markdown below this comment. "
        "While this file holds only comments, the section is left out of the card. -->\n"
    )
