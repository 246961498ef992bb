"""The article record's type. Its keys must equal the schema's properties (a test checks it);
field lists such as the single-valued text fields are derived from the schema, not retyped."""

from __future__ import annotations

from typing import Literal, TypedDict

# A record's text is its body blocks' texts joined by a blank line (the schema's "text"): the
# converter joins them so, the table check holds records to it, and the build rebuilds the
# text from the body with it.
TEXT_JOIN = "\n\n"


class OutletRef(TypedDict):
    """The outlet as the record names it (must agree with the outlet registry)."""

    id: str
    name: str
    domain: str | None
    country: str


class Published(TypedDict):
    """The publication date as printed, with only the precision the page gives."""

    raw: str
    date: str
    time: str | None
    precision: Literal["day", "hour", "minute"]
    timezone: str | None


class Block(TypedDict):
    """One body block: a paragraph, subheading or list item."""

    kind: str
    text: str


class Boilerplate(TypedDict):
    """A piece of page furniture with the rule (or classifier) that removed it."""

    line: int
    text: str
    kind: str
    rule: str


class Converter(TypedDict):
    """What converted the seed."""

    name: str
    version: str
    profile: str
    fallback: bool


class SourceMapEntry(TypedDict):
    """Where a piece of a seed line landed: line, character span and JSON Pointer."""

    line: int
    start: int
    end: int
    path: str


class Record(TypedDict):
    """One article record, as schema/article.schema.json defines it."""

    id: str
    seed_file: str
    seed_sha256: str
    outlet: OutletRef
    title: str | None
    kicker: str | None
    section: str | None
    lead: str | None
    published: Published | None
    dateline: str | None
    byline: str | None
    source_article_id: str | None
    body: list[Block]
    text: str
    word_count: int
    char_count: int
    captions: list[str]
    boilerplate: list[Boilerplate]
    language: str
    converter: Converter
    source_map: list[SourceMapEntry]
