"""dataset.toml: the dataset's metadata. Every key is declared once in ``KEYS``.

``KEYS`` drives validation (every problem names the key and its line), the README's table of
keys and the commented ``dataset.toml`` that ``corpus-tools init`` writes. The dataset's version
is not here: the release history (``releases/``) is its only record.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus_tools.errors import CorpusToolsError, ProjectErrors

METADATA_FILE = "dataset.toml"
DEFAULT_MAX_SEED_BYTES = 10_000_000
_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,94}[a-z0-9])?$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_REPO_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*/[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_URL = re.compile(r"^https?://\S+$")
_CONTACT = re.compile(r"^(?:https?://\S+|[^@\s]+@[^@\s]+\.[^@\s]+)$")


@dataclass(frozen=True)
class Key:
    """One key of dataset.toml: its type, whether it is required, an example and its meaning."""

    name: str
    type: str
    required: bool
    example: str
    doc: str
    check: Callable[[Any], str | None]
    default: Any = None


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be a non-empty string"


def _slug(value: Any) -> str | None:
    if not isinstance(value, str) or not _NAME.match(value):
        return "must be lower-case letters, digits, '.', '_' or '-' (at most 96), as Hub names are"
    return None


def _strings(
    pattern: re.Pattern[str] | None = None, nonempty: bool = False
) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            return "must be a list of non-empty strings"
        if nonempty and not value:
            return "must list at least one value"
        bad = [v for v in value if pattern is not None and not pattern.match(v)]
        return f"has invalid values {bad}" if bad else None

    return check


def _optional(pattern: re.Pattern[str], what: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, str) and (value == "" or pattern.match(value)):
            return None
        return f"must be {what} (or an empty string when not known)"

    return check


def _positive_int(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
    return None if ok else "must be a positive integer (bytes)"


KEYS: tuple[Key, ...] = (
    Key("name", "string", True, '"harbor-news"',
        "The Hub dataset name: lower-case letters, digits, `.`, `_`, `-`.", _slug),
    Key("pretty_name", "string", True, '"Harbor News Articles"',
        "The dataset's title in the card.", _text),
    Key("summary", "string", True, '"English articles from ... converted into records."',
        "One paragraph that opens the card: what the corpus holds and why.", _text),
    Key("allowed_languages", "list of strings", True, '["en"]',
        "BCP-47 tags a record's `language` may have; the card's `language` metadata.",
        _strings(_LANGUAGE, nonempty=True)),
    Key("task_categories", "list of strings", False, '["text-classification"]',
        "Hub task categories for the card metadata.", _strings(), default=[]),
    Key("tags", "list of strings", False, '["news"]', "Hub tags for the card metadata.",
        _strings(), default=[]),
    Key("source_datasets", "list of strings", False, '["original"]',
        "Hub `source_datasets` metadata.", _strings(), default=["original"]),
    Key("annotations_creators", "list of strings", False, '["machine-generated"]',
        "Hub `annotations_creators` metadata.", _strings(), default=["machine-generated"]),
    Key("citation_authors", "list of strings", False, '["Jane Doe"]',
        "Authors named in the BibTeX citation; empty gives '<pretty_name> contributors'.",
        _strings(), default=[]),
    Key("contact", "string", False, '"corpus@example.org"',
        "An e-mail address or URL for questions about the dataset; empty when none.",
        _optional(_CONTACT, "an e-mail address or an http(s) URL"), default=""),
    Key("repository", "string", False, '"https://github.com/org/harbor-news"',
        "The URL of the project's source repository; empty when none.",
        _optional(_URL, "an http(s) URL"), default=""),
    Key("hub_repo", "string", False, '"my-org/harbor-news"',
        "The Hub dataset repository ORG/NAME, when known; empty otherwise.",
        _optional(_REPO_ID, "ORG/NAME"), default=""),
    Key("max_seed_bytes", "integer", False, str(DEFAULT_MAX_SEED_BYTES),
        "Largest seed file read, in bytes; a larger one is refused before it is read.",
        _positive_int, default=DEFAULT_MAX_SEED_BYTES),
    Key("license.id", "string", True, '"cc-by-4.0"',
        "Hub license id (`other` when the articles keep their publishers' copyright).", _text),
    Key("license.name", "string", False, '"publishers-copyright"',
        "A short license name, required by the Hub when `license.id` is `other`.",
        _optional(re.compile(r"^[a-z0-9][a-z0-9._-]*$"), "a lower-case short name"), default=""),
    Key("license.details", "string", False, '"The articles remain ..."',
        "The licensing terms in words, shown in the card.", lambda v: None if isinstance(v, str)
        else "must be a string", default=""),
)  # fmt: skip
_BY_NAME = {key.name: key for key in KEYS}


@dataclass(frozen=True)
class DatasetMeta:
    """What dataset.toml says about the dataset."""

    name: str
    pretty_name: str
    summary: str
    allowed_languages: tuple[str, ...]
    task_categories: tuple[str, ...]
    tags: tuple[str, ...]
    source_datasets: tuple[str, ...]
    annotations_creators: tuple[str, ...]
    citation_authors: tuple[str, ...]
    license_id: str
    license_name: str
    license_details: str
    contact: str = ""
    repository: str = ""
    hub_repo: str = ""
    max_seed_bytes: int = DEFAULT_MAX_SEED_BYTES

    def described(self) -> dict[str, Any]:
        """The metadata that describes the dataset (hashed into release manifests).

        Keys left at their empty default are left out, so adding an optional key to
        corpus-tools does not count as an edit of every project's metadata.
        """
        return {
            "name": self.name,
            "pretty_name": self.pretty_name,
            "summary": self.summary,
            "allowed_languages": self.allowed_languages,
            "task_categories": self.task_categories,
            "tags": self.tags,
            "source_datasets": self.source_datasets,
            "annotations_creators": self.annotations_creators,
            "citation_authors": self.citation_authors,
            "license_id": self.license_id,
            "license_name": self.license_name,
            "license_details": self.license_details,
            **{k: v for k, v in (("contact", self.contact), ("repository", self.repository),
                                 ("hub_repo", self.hub_repo)) if v},
        }  # fmt: skip


def _line_of(text: str, dotted: str) -> int | None:
    """The line where a key is written (a best effort: tomllib gives no positions)."""
    table, _, key = dotted.rpartition(".")
    in_table = not table
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_table = stripped.strip("[] ") == table
            continue
        if in_table and re.match(rf"{re.escape(key)}\s*=", stripped):
            return number
    return None


def _error(path: Path, text: str, key: str, what: str) -> CorpusToolsError:
    return CorpusToolsError(
        "bad-metadata", file=str(path), line=_line_of(text, key), what=f"{key} {what}"
    )


def parse_meta(path: Path, text: str) -> DatasetMeta:
    """Validate every key of dataset.toml's text; raise ProjectErrors listing all problems."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        raise ProjectErrors(
            [
                CorpusToolsError(
                    "bad-metadata",
                    file=str(path),
                    line=int(found.group(1)) if found else None,
                    what=f"not valid TOML ({exc})",
                )
            ]
        ) from None
    errors: list[CorpusToolsError] = []
    values: dict[str, Any] = {}
    flat = dict(raw)
    license_table = flat.pop("license", {})
    if not isinstance(license_table, dict):
        errors.append(_error(path, text, "license", "must be a table [license]"))
        license_table = {}
    flat.update({f"license.{k}": v for k, v in license_table.items()})
    for name in sorted(set(flat) - set(_BY_NAME)):
        why = (
            "is not kept here: the release history in releases/ is the version's only record; "
            "remove the line"
            if name == "version"
            else f"is not a known key (known: {', '.join(_BY_NAME)})"
        )
        errors.append(_error(path, text, name, why))
    for key in KEYS:
        if key.name not in flat:
            if key.required:
                errors.append(_error(path, text, key.name, f"is missing (e.g. {key.example})"))
            values[key.name] = key.default
            continue
        problem = key.check(flat[key.name])
        if problem:
            errors.append(_error(path, text, key.name, problem))
        values[key.name] = flat[key.name]
    if values.get("license.id") == "other" and not values.get("license.name"):
        errors.append(_error(path, text, "license.name", "is required when license.id is other"))
    if errors:
        raise ProjectErrors(errors)
    return DatasetMeta(
        name=values["name"],
        pretty_name=values["pretty_name"],
        summary=values["summary"],
        allowed_languages=tuple(values["allowed_languages"]),
        task_categories=tuple(values["task_categories"]),
        tags=tuple(values["tags"]),
        source_datasets=tuple(values["source_datasets"]),
        annotations_creators=tuple(values["annotations_creators"]),
        citation_authors=tuple(values["citation_authors"]),
        license_id=values["license.id"],
        license_name=values["license.name"],
        license_details=values["license.details"],
        contact=values["contact"],
        repository=values["repository"],
        hub_repo=values["hub_repo"],
        max_seed_bytes=values["max_seed_bytes"],
    )


def load_meta(path: Path) -> DatasetMeta:
    """Read and validate a dataset.toml file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProjectErrors(
            [CorpusToolsError("bad-metadata", file=str(path), what=f"cannot be read ({exc})")]
        ) from None
    return parse_meta(path, text)


def keys_markdown() -> str:
    """The README's table of dataset.toml keys."""
    rows = ["| key | type | required | example | meaning |", "|---|---|---|---|---|"]
    for key in KEYS:
        rows.append(
            f"| `{key.name}` | {key.type} | {'yes' if key.required else 'no'} | "
            f"`{key.example}` | {key.doc} |"
        )
    return "\n".join(rows)


def template_toml(values: dict[str, str] | None = None) -> str:
    """A commented dataset.toml with every key, as corpus-tools init writes it.

    ``values`` gives some keys their first value (strings); the others get their example
    (required keys) or their default.
    """
    values = values or {}
    lines = [
        "# Dataset metadata for corpus-tools. Every key is documented in corpus-tools' README",
        "# ('dataset.toml'). The version is not kept here: `corpus-tools release` records each",
        "# version in releases/.",
        "",
    ]
    in_license = False
    for key in KEYS:
        name = key.name
        if name.startswith("license.") and not in_license:
            lines += ["[license]", ""]
            in_license = True
        short = name.removeprefix("license.")
        required = "required" if key.required else "optional"
        lines.append(f"# {key.doc} ({key.type}, {required})")
        if name in values:
            value = json.dumps(values[name], ensure_ascii=False)  # a valid TOML basic string
        else:
            value = key.example if key.required else _toml_default(key)
        lines += [f"{short} = {value}", ""]
    return "\n".join(lines)


def _toml_default(key: Key) -> str:
    if isinstance(key.default, list):
        return "[" + ", ".join(f'"{v}"' for v in key.default) + "]"
    if isinstance(key.default, int):
        return str(key.default)
    return f'"{key.default}"'
