"""The article JSON Schema: the one source for record validation, HF Features, Croissant, the
card's field table and the record's field lists."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jsonschema

SCHEMA_NAME = "article.schema.json"
_REPO_SCHEMA = Path(__file__).resolve().parent.parent / "schema" / SCHEMA_NAME
_PACKAGED_SCHEMA = Path(__file__).resolve().parent / "_data" / SCHEMA_NAME
# Formats the schema uses; jsonschema silently skips a format whose checker is missing.
REQUIRED_FORMATS = ("date",)


def _types(node: dict[str, Any]) -> list[str]:
    kind = node.get("type", [])
    return [kind] if isinstance(kind, str) else list(kind)


def type_label(node: dict[str, Any]) -> str:
    """A short human type such as ``string or null`` or ``list of object``."""
    labels = []
    for kind in _types(node):
        if kind == "array":
            labels.append(f"list of {' or '.join(_types(node.get('items', {})))}")
        else:
            labels.append(kind)
    return " or ".join(labels)


@dataclass(frozen=True)
class Schema:
    """The parsed schema with its exact bytes, and what is derived from it."""

    raw: bytes
    data: dict[str, Any] = field(compare=False)

    @classmethod
    def from_path(cls, path: Path) -> Schema:
        raw = path.read_bytes()
        return cls(raw=raw, data=json.loads(raw))

    @classmethod
    def packaged(cls) -> Schema:
        """corpus-tools' article schema: schema/ in a checkout, the wheel's copy otherwise."""
        return cls.from_path(_REPO_SCHEMA if _REPO_SCHEMA.is_file() else _PACKAGED_SCHEMA)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def properties(self) -> dict[str, dict[str, Any]]:
        props: dict[str, dict[str, Any]] = self.data["properties"]
        return props

    # ------------------------------------------------------------------ field lists
    @cached_property
    def text_fields(self) -> tuple[str, ...]:
        """Top-level fields that hold one piece of a seed line: string or null."""
        return tuple(n for n, p in self.properties.items() if set(_types(p)) == {"string", "null"})

    @cached_property
    def block_kinds(self) -> tuple[str, ...]:
        """The kinds a body block may have."""
        kinds: list[str] = self.properties["body"]["items"]["properties"]["kind"]["enum"]
        return tuple(kinds)

    # ------------------------------------------------------------------ validation
    @cached_property
    def validator(self) -> jsonschema.protocols.Validator:
        """A draft 2020-12 validator that really checks formats (or refuses to start)."""
        from jsonschema import Draft202012Validator, FormatChecker

        checker = FormatChecker()
        missing = [name for name in REQUIRED_FORMATS if name not in checker.checkers]
        if missing:
            raise RuntimeError(f"jsonschema lacks format checkers for {missing}")
        Draft202012Validator.check_schema(self.data)
        return Draft202012Validator(self.data, format_checker=checker)

    @cached_property
    def fast(self) -> Any:
        """jsonschema-rs's compiled validator (formats checked): about 90x faster."""
        import jsonschema_rs

        return jsonschema_rs.validator_for(self.data, validate_formats=True)

    def __reduce__(self) -> tuple[Any, ...]:
        # Compiled validators do not pickle; worker processes compile their own.
        return (Schema, (self.raw, self.data))

    def iter_errors(self, record: Any) -> Iterator[jsonschema.ValidationError]:
        """Every schema error of a record, in a stable order (by JSON path, then message).

        jsonschema-rs decides; jsonschema's clearer messages are computed only for the rare
        record it rejects.
        """
        try:
            if self.fast.is_valid(record):
                return
        except (ValueError, OverflowError, RecursionError):
            pass  # values jsonschema-rs cannot take (huge integers): the Python validator decides
        errors = list(self.validator.iter_errors(record))
        yield from sorted(errors, key=lambda e: (list(map(str, e.absolute_path)), e.message))

    # ------------------------------------------------------------------ documentation
    def _walk(self, prefix: str, node: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        for name, sub in node.get("properties", {}).items():
            dotted = f"{prefix}{name}"
            yield dotted, sub
            if "object" in _types(sub):
                yield from self._walk(f"{dotted}.", sub)
            items = sub.get("items")
            if isinstance(items, dict) and "object" in _types(items):
                yield from self._walk(f"{dotted}[].", items)

    def field_docs(self) -> list[tuple[str, str, str]]:
        """(dotted name, type, description) for every property, nested ones included."""
        return [
            (dotted, type_label(node), node.get("description", ""))
            for dotted, node in self._walk("", self.data)
        ]

    def field_signatures(self) -> dict[str, str]:
        """What a reader of each field relies on: its type and, for enums, the allowed values."""
        signatures = {}
        for dotted, node in self._walk("", self.data):
            items = node.get("items") if isinstance(node.get("items"), dict) else {}
            enum = node.get("enum") or (items or {}).get("enum")
            signatures[dotted] = type_label(node) + (f" enum {'|'.join(enum)}" if enum else "")
        return signatures
