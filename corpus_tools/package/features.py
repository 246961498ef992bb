"""Hugging Face ``Features`` and Arrow types derived from the article JSON Schema (never written
by hand), by one walk of the schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from corpus_tools.schema import Schema

if TYPE_CHECKING:
    import pyarrow as pa
    from datasets import Features

_SCALARS = {"string": "string", "integer": "int64", "number": "float64", "boolean": "bool"}
T = TypeVar("T")


def _walk(
    node: dict[str, Any],
    where: str,
    value: Callable[[str], T],
    listed: Callable[[T], T],
    struct: Callable[[dict[str, T]], T],
) -> T:
    """The type of a schema node, built from ``value`` (a scalar type's name, which Arrow and
    ``datasets.Value`` spell alike), ``listed`` and ``struct``."""
    kind = node.get("type")
    kinds = [kind] if isinstance(kind, str) else [k for k in (kind or []) if k != "null"]
    if len(kinds) != 1:
        raise ValueError(f"{where}: cannot map JSON Schema type {kind!r} to one Arrow type")
    (single,) = kinds
    if single == "object":
        return struct(
            {
                name: _walk(sub, f"{where}.{name}", value, listed, struct)
                for name, sub in node["properties"].items()
            }
        )
    if single == "array":
        return listed(_walk(node["items"], f"{where}[]", value, listed, struct))
    if single in _SCALARS:
        return value(_SCALARS[single])
    raise ValueError(f"{where}: unsupported JSON Schema type {single!r}")


def schema_features(schema: Schema) -> Features:
    """Features with the schema's property order; null-able types map to their non-null type."""
    from datasets import Features, List, Value

    return Features(
        {name: _walk(sub, name, Value, List, dict) for name, sub in schema.properties.items()}
    )


def schema_arrow(schema: Schema) -> pa.Schema:
    """The Arrow schema of ``schema_features(schema)``, without the Features in its metadata:
    made without importing ``datasets`` (about a second), for the processes that only pack
    records into Arrow tables."""
    import pyarrow as pa

    def struct(fields: dict[str, pa.DataType]) -> pa.DataType:
        return pa.struct(list(fields.items()))

    return pa.schema(
        [
            (name, _walk(sub, name, pa.type_for_alias, pa.list_, struct))
            for name, sub in schema.properties.items()
        ]
    )
