"""The article JSON Schema: the one source for record validation, HF Features and the card."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema import Draft202012Validator, FormatChecker

SCHEMA_NAME = "article.schema.json"
_REPO_SCHEMA = Path(__file__).resolve().parent.parent / "schema" / SCHEMA_NAME
_PACKAGED_SCHEMA = Path(__file__).resolve().parent / "_data" / SCHEMA_NAME
# Formats the schema uses; jsonschema silently skips a format whose checker is missing.
REQUIRED_FORMATS = ("date",)


def schema_path() -> Path:
    """schema/article.schema.json in a checkout, or the copy packaged in a wheel."""
    return _REPO_SCHEMA if _REPO_SCHEMA.is_file() else _PACKAGED_SCHEMA


@cache
def load_schema() -> dict[str, Any]:
    """The parsed article schema."""
    schema: dict[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
    return schema


def schema_bytes() -> bytes:
    """The schema file's exact bytes, as copied into dist/."""
    return schema_path().read_bytes()


def schema_sha256() -> str:
    """Hash of the schema file, recorded in release manifests."""
    return hashlib.sha256(schema_bytes()).hexdigest()


@cache
def validator() -> Draft202012Validator:
    """A draft 2020-12 validator that really checks formats (or refuses to start)."""
    checker = FormatChecker()
    missing = [name for name in REQUIRED_FORMATS if name not in checker.checkers]
    if missing:
        raise RuntimeError(f"jsonschema lacks format checkers for {missing}")
    Draft202012Validator.check_schema(load_schema())
    return Draft202012Validator(load_schema(), format_checker=checker)


def iter_errors(record: Any) -> Iterator[jsonschema.ValidationError]:
    """Every schema error of a record, in a stable order (by JSON path, then message)."""
    errors = list(validator().iter_errors(record))
    yield from sorted(errors, key=lambda e: (list(map(str, e.absolute_path)), e.message))


def _walk(prefix: str, node: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, sub in node.get("properties", {}).items():
        dotted = f"{prefix}{name}"
        yield dotted, sub
        if "object" in _types(sub):
            yield from _walk(f"{dotted}.", sub)
        items = sub.get("items")
        if isinstance(items, dict) and "object" in _types(items):
            yield from _walk(f"{dotted}[].", items)


def field_docs() -> list[tuple[str, str, str]]:
    """(dotted name, type, description) for every property, nested ones included."""
    return [
        (dotted, type_label(node), node.get("description", ""))
        for dotted, node in _walk("", load_schema())
    ]


def field_signatures() -> dict[str, str]:
    """What a reader of each field relies on: its type and, for enums, the allowed values."""
    signatures = {}
    for dotted, node in _walk("", load_schema()):
        items = node.get("items") if isinstance(node.get("items"), dict) else {}
        enum = node.get("enum") or (items or {}).get("enum")
        signatures[dotted] = type_label(node) + (f" enum {'|'.join(enum)}" if enum else "")
    return signatures


def _types(node: dict[str, Any]) -> list[str]:
    kind = node.get("type", [])
    return [kind] if isinstance(kind, str) else list(kind)


def type_label(node: dict[str, Any]) -> str:
    """A short human type such as ``string or null`` or ``list of object``."""
    types = _types(node)
    labels = []
    for kind in types:
        if kind == "array":
            items = node.get("items", {})
            labels.append(f"list of {' or '.join(_types(items))}")
        else:
            labels.append(kind)
    return " or ".join(labels)
