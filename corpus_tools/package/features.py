"""Hugging Face ``Features`` derived from the article JSON Schema (never written by hand)."""

from __future__ import annotations

from typing import Any

from datasets import Features, List, Value

from corpus_tools.schema import Schema

_SCALARS = {"string": "string", "integer": "int64", "number": "float64", "boolean": "bool"}


def _feature(node: dict[str, Any], where: str) -> Any:
    kind = node.get("type")
    kinds = [kind] if isinstance(kind, str) else [k for k in (kind or []) if k != "null"]
    if len(kinds) != 1:
        raise ValueError(f"{where}: cannot map JSON Schema type {kind!r} to one Arrow type")
    (single,) = kinds
    if single == "object":
        return {name: _feature(sub, f"{where}.{name}") for name, sub in node["properties"].items()}
    if single == "array":
        return List(_feature(node["items"], f"{where}[]"))
    if single in _SCALARS:
        return Value(_SCALARS[single])
    raise ValueError(f"{where}: unsupported JSON Schema type {single!r}")


def schema_features(schema: Schema) -> Features:
    """Features with the schema's property order; null-able types map to their non-null type."""
    return Features({name: _feature(sub, name) for name, sub in schema.properties.items()})
