"""Croissant 1.1 JSON-LD metadata for dist/, derived from dataset.toml and the article schema."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from corpus_tools.metadata import DatasetMeta
from corpus_tools.schema import Schema

CROISSANT_VERSION = "http://mlcommons.org/croissant/1.1"
PARQUET_FORMAT = "application/x-parquet"
RECORD_SET_ID = "default"
# The Croissant 1.1 @context, key for key as mlcroissant 1.1 writes it (a missing key makes
# mlcroissant warn that the context is not standard).
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "description": {"@container": "@language"},
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "name": {"@container": "@language"},
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
_DATA_TYPES = {
    "string": "sc:Text",
    "integer": "sc:Integer",
    "number": "sc:Float",
    "boolean": "sc:Boolean",
}
_BIBTEX_SPECIALS = re.compile(r"([&%$#_{}])")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# Names used unquoted in jsonPath transforms.
_PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _single_type(node: dict[str, Any], where: str) -> str:
    """The node's one non-null JSON Schema type (null only means the value may be missing)."""
    kind = node.get("type")
    kinds = [kind] if isinstance(kind, str) else [k for k in (kind or []) if k != "null"]
    if len(kinds) != 1:
        raise ValueError(f"{where}: cannot map JSON Schema type {kind!r} to one Croissant type")
    return str(kinds[0])


def _field(
    name: str,
    prop: dict[str, Any],
    parent_id: str,
    file_ref: dict[str, Any],
    column: str,
    json_path: str | None,
) -> dict[str, Any]:
    """The cr:Field of one schema property: objects get subFields, arrays isArray."""
    field_id = f"{parent_id}/{name}"
    if not _PLAIN_NAME.match(name):
        raise ValueError(f"{field_id}: property name cannot be used in a jsonPath")
    kind = _single_type(prop, field_id)
    is_array = kind == "array"
    node = prop.get("items", {}) if is_array else prop
    if is_array:
        kind = _single_type(node, f"{field_id}[]")
        if kind == "array":
            raise ValueError(f"{field_id}: arrays of arrays have no Croissant mapping here")
    field: dict[str, Any] = {"@type": "cr:Field", "@id": field_id, "name": name}
    if "description" in prop:
        field["description"] = prop["description"]
    if kind in _DATA_TYPES:
        field["dataType"] = _DATA_TYPES[kind]
    elif kind != "object":
        raise ValueError(f"{field_id}: unsupported JSON Schema type {kind!r}")
    if is_array:
        field["isArray"] = True
        field["arrayShape"] = "-1"
    source: dict[str, Any] = {**file_ref, "extract": {"column": column}}
    if json_path is not None:
        # Nested values sit inside their top-level parquet column (pandas reads a struct as
        # a dict); mlcroissant applies the jsonPath to each element of an array column.
        source["transform"] = {"jsonPath": json_path}
    field["source"] = source
    if kind == "object":
        field["subField"] = [
            _field(
                sub_name,
                sub_prop,
                field_id,
                file_ref,
                column,
                _child_path(json_path, is_array, sub_name),
            )
            for sub_name, sub_prop in node.get("properties", {}).items()
        ]
    return field


def _child_path(parent_path: str | None, parent_is_array: bool, name: str) -> str:
    """jsonPath of a subfield inside its top-level column."""
    if parent_path is None:
        return name
    return f"{parent_path}[*].{name}" if parent_is_array else f"{parent_path}.{name}"


def _bibtex(text: str) -> str:
    """Escape the characters BibTeX/LaTeX would read as markup."""
    return _BIBTEX_SPECIALS.sub(r"\\\1", text)


def cite_as(meta: DatasetMeta, version: str) -> str:
    """A BibTeX @misc entry built only from dataset.toml (no dates: the output stays stable)."""
    key = re.sub(r"[^A-Za-z0-9]+", "_", meta.name).strip("_")
    # Double braces keep BibTeX from splitting group names such as "X contributors".
    names = meta.citation_authors or (f"{meta.pretty_name} contributors",)
    authors = " and ".join(f"{{{_bibtex(author)}}}" for author in names)
    lines = [
        f"@misc{{{key},",
        f"  title = {{{_bibtex(meta.pretty_name)}}},",
        f"  author = {{{authors}}},",
        f"  version = {{{_bibtex(version)}}},",
        "}",
    ]
    return "\n".join(lines)


def build_croissant(
    meta: DatasetMeta,
    version: str,
    parquet_files: list[tuple[str, str]],
    schema: Schema,
    date_published: str | None = None,
) -> dict[str, Any]:
    """Croissant JSON-LD for dist/: parquet_files are (path relative to dist/, sha256 hex).

    ``date_published`` is the date of the release (YYYY-MM-DD), taken from the release
    history so that rebuilding gives the same bytes; None before the first release.
    """
    if not parquet_files:
        raise ValueError("a Croissant file needs at least one parquet file")
    paths = [path for path, _ in parquet_files]
    if len(set(paths)) != len(paths):
        raise ValueError(f"duplicate parquet paths in {paths}")
    for path, sha256 in parquet_files:
        if not _SHA256.match(sha256):
            raise ValueError(f"{path}: {sha256!r} is not a lower-case hex SHA-256")
    root = schema.data
    distribution: list[dict[str, Any]] = [
        {
            "@type": "cr:FileObject",
            "@id": path,
            "name": path,
            "contentUrl": path,
            "encodingFormat": PARQUET_FORMAT,
            "sha256": sha256,
        }
        for path, sha256 in parquet_files
    ]
    if len(parquet_files) == 1:
        file_ref: dict[str, Any] = {"fileObject": {"@id": parquet_files[0][0]}}
    else:
        # A field has one source: several shards are read together through a FileSet that
        # lists them exactly, while the FileObjects keep one checksum per shard.
        distribution.append(
            {
                "@type": "cr:FileSet",
                "@id": "parquet-files",
                "name": "parquet-files",
                "encodingFormat": PARQUET_FORMAT,
                "includes": paths,
            }
        )
        file_ref = {"fileSet": {"@id": "parquet-files"}}
    record_set: dict[str, Any] = {
        "@type": "cr:RecordSet",
        "@id": RECORD_SET_ID,
        "name": RECORD_SET_ID,
    }
    if "description" in root:
        record_set["description"] = root["description"]
    record_set["field"] = [
        _field(name, prop, RECORD_SET_ID, file_ref, name, None)
        for name, prop in root["properties"].items()
    ]
    croissant = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "name": meta.name,
        "alternateName": meta.pretty_name,
        "description": meta.summary,
        "conformsTo": CROISSANT_VERSION,
        "license": {
            "@type": "sc:CreativeWork",
            "name": meta.license_name,
            "description": meta.license_details,
        },
        "version": version,
        **({"datePublished": date_published} if date_published else {}),
        "citeAs": cite_as(meta, version),
        "keywords": list(meta.tags),
        "inLanguage": list(meta.allowed_languages),
        "distribution": distribution,
        "recordSet": [record_set],
    }
    # A fresh tree, so that a caller editing the result cannot alter CONTEXT or later calls.
    return copy.deepcopy(croissant)


def write_croissant(path: Path, data: dict[str, Any]) -> None:
    """Write the JSON-LD as UTF-8, two-space indented, with a trailing newline."""
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False)
    path.write_text(text + "\n", encoding="utf-8")
