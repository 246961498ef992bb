"""Croissant metadata: mlcroissant accepts it, reads the parquet, and it mirrors the schema."""

from __future__ import annotations

import copy
import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mlcroissant as mlc
import pytest
from datasets import Dataset

from corpus_tools.metadata import DatasetMeta
from corpus_tools.package.croissant import (
    CROISSANT_VERSION,
    RECORD_SET_ID,
    build_croissant,
    cite_as,
    write_croissant,
)
from corpus_tools.package.features import schema_features
from corpus_tools.project import Project
from corpus_tools.record import Record
from corpus_tools.schema import Schema
from tests.conftest import GOLDEN_SEEDS

SHARD = "data/train-00000-of-00001.parquet"
VERSION = "1.2.3"
SCHEMA = Schema.packaged()


def schema_of(data: dict[str, Any]) -> Schema:
    """A Schema object for an edited copy of the schema's data."""
    return Schema(raw=json.dumps(data).encode("utf-8"), data=data)


@dataclass(frozen=True)
class Dist:
    """A dist/ folder holding a parquet shard and the croissant.json describing it."""

    root: Path
    records: list[Record]
    files: list[tuple[str, str]]
    croissant: Path


def _write_shard(dist: Path, rel: str, records: list[Record]) -> tuple[str, str]:
    path = dist / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [dict(record) for record in records]
    Dataset.from_list(rows, features=schema_features(SCHEMA)).to_parquet(str(path))
    return rel, hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def records(repo_project: Project) -> list[Record]:
    return repo_project.convert()


@pytest.fixture(scope="module")
def meta(repo_project: Project) -> DatasetMeta:
    return repo_project.meta


@pytest.fixture(scope="module")
def dist(
    tmp_path_factory: pytest.TempPathFactory,
    seed_records: dict[str, Record],
    meta: DatasetMeta,
) -> Dist:
    root = tmp_path_factory.mktemp("dist")
    # Two golden seeds: one without and one with a publication date (a null struct).
    records = [seed_records[GOLDEN_SEEDS[0]], seed_records[GOLDEN_SEEDS[1]]]
    assert [r["published"] is None for r in records] == [True, False]
    files = [_write_shard(root, SHARD, records)]
    croissant = root / "croissant.json"
    write_croissant(croissant, build_croissant(meta, VERSION, files, SCHEMA))
    return Dist(root, records, files, croissant)


def _croissant(dist: Dist) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(dist.croissant.read_text(encoding="utf-8"))
    return data


def _fields(fields: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for field in fields:
        yield field
        yield from _fields(field.get("subField", []))


def _validate_cli(path: Path) -> subprocess.CompletedProcess[str]:
    """`mlcroissant validate --jsonld PATH`, with the script installed beside this Python."""
    script = Path(sys.executable).with_name("mlcroissant")
    if script.is_file():
        command = [str(script), "validate"]
    else:
        # There is no `python -m mlcroissant`; this module is what the script runs.
        command = [sys.executable, "-m", "mlcroissant.scripts.validate"]
    return subprocess.run(
        [*command, "--jsonld", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def _text(value: Any) -> Any:
    """mlcroissant yields sc:Text values as bytes."""
    return value.decode("utf-8") if isinstance(value, bytes) else value


def test_mlcroissant_api_accepts_it(dist: Dist) -> None:
    dataset = mlc.Dataset(jsonld=str(dist.croissant))
    assert dataset.metadata.ctx.conforms_to.value == CROISSANT_VERSION
    assert not dataset.metadata.ctx.issues.errors
    # datePublished is the one recommendation left out: the file carries no dates on purpose.
    warnings = dataset.metadata.ctx.issues.warnings
    assert all("datePublished" in warning for warning in warnings), warnings


def test_mlcroissant_cli_accepts_it_and_rejects_a_broken_copy(dist: Dist, tmp_path: Path) -> None:
    good = _validate_cli(dist.croissant)
    assert good.returncode == 0, good.stderr
    # "Done." proves the validator really ran (a wrong entry point also exits with 0).
    assert "Done." in good.stderr
    assert "error(s)" not in good.stderr

    broken = copy.deepcopy(_croissant(dist))
    del broken["distribution"][0]["sha256"]
    bad_path = tmp_path / "croissant.json"
    write_croissant(bad_path, broken)
    bad = _validate_cli(bad_path)
    assert bad.returncode != 0
    assert "sha256" in bad.stderr


def test_every_schema_property_is_a_field(dist: Dist) -> None:
    schema = SCHEMA.data
    (record_set,) = _croissant(dist)["recordSet"]
    fields = record_set["field"]
    assert [f["name"] for f in fields] == list(schema["properties"])
    for field in fields:
        prop = schema["properties"][field["name"]]
        assert field["description"] == prop["description"]
        assert field["source"]["extract"] == {"column": field["name"]}
        assert field["source"]["fileObject"] == {"@id": SHARD}
        assert field.get("isArray", False) == (prop["type"] == "array")
        node = prop.get("items", prop)
        nested = node.get("properties", {})
        assert [sub["name"] for sub in field.get("subField", [])] == list(nested)
        for sub in field.get("subField", []):
            assert sub["description"] == nested[sub["name"]]["description"]
            assert sub["source"]["transform"] == {"jsonPath": sub["name"]}
    ids = [field["@id"] for field in _fields(fields)]
    assert len(ids) == len(set(ids))
    leaves = [field for field in _fields(fields) if "subField" not in field]
    assert {field["dataType"] for field in leaves} <= {"sc:Text", "sc:Integer", "sc:Boolean"}


def test_fields_follow_the_schema_given(meta: DatasetMeta) -> None:
    schema = copy.deepcopy(SCHEMA.data)
    schema["properties"]["reviewed"] = {"description": "Checked by hand.", "type": "boolean"}
    schema["properties"]["scores"] = {"type": "array", "items": {"type": "integer"}}
    del schema["properties"]["captions"]
    data = build_croissant(meta, VERSION, [(SHARD, "0" * 64)], schema_of(schema))
    fields = {field["name"]: field for field in data["recordSet"][0]["field"]}
    assert "captions" not in fields
    assert fields["reviewed"]["dataType"] == "sc:Boolean"
    assert fields["reviewed"]["description"] == "Checked by hand."
    assert fields["scores"]["dataType"] == "sc:Integer"
    assert fields["scores"]["isArray"] is True
    assert "description" not in fields["scores"]


def test_unmappable_schema_is_refused(meta: DatasetMeta) -> None:
    schema = copy.deepcopy(SCHEMA.data)
    schema["properties"]["ambiguous"] = {"type": ["string", "integer"]}
    with pytest.raises(ValueError, match="ambiguous"):
        build_croissant(meta, VERSION, [(SHARD, "0" * 64)], schema_of(schema))
    with pytest.raises(ValueError, match="SHA-256"):
        build_croissant(meta, VERSION, [(SHARD, "not-a-hash")], SCHEMA)


def test_file_sha256_is_recorded(dist: Dist) -> None:
    (file_object,) = _croissant(dist)["distribution"]
    expected = hashlib.sha256((dist.root / SHARD).read_bytes()).hexdigest()
    assert file_object["sha256"] == expected
    assert file_object["contentUrl"] == SHARD
    assert file_object["encodingFormat"] == "application/x-parquet"


def test_dataset_metadata(dist: Dist, meta: DatasetMeta) -> None:
    data = _croissant(dist)
    assert data["conformsTo"] == CROISSANT_VERSION
    assert data["name"] == meta.name
    assert data["description"] == meta.summary
    assert data["version"] == VERSION
    assert data["keywords"] == list(meta.tags)
    assert data["inLanguage"] == list(meta.allowed_languages)
    assert data["license"]["name"] == meta.license_name
    assert "url" not in data["license"]
    assert data["citeAs"] == cite_as(meta, VERSION)
    assert data["citeAs"].startswith("@misc{")
    assert VERSION in data["citeAs"]
    assert "datePublished" not in data


def test_release_date_is_the_date_published(meta: DatasetMeta, dist: Dist) -> None:
    data = build_croissant(meta, VERSION, dist.files, SCHEMA, date_published="2026-01-02")
    assert data["datePublished"] == "2026-01-02"


def test_output_is_byte_identical_between_runs(
    dist: Dist, meta: DatasetMeta, tmp_path: Path
) -> None:
    first = json.dumps(
        build_croissant(meta, VERSION, dist.files, SCHEMA), indent=2, ensure_ascii=False
    )
    second = json.dumps(
        build_croissant(meta, VERSION, dist.files, SCHEMA), indent=2, ensure_ascii=False
    )
    assert first == second
    again = tmp_path / "croissant.json"
    write_croissant(again, build_croissant(meta, VERSION, dist.files, SCHEMA))
    assert again.read_bytes() == dist.croissant.read_bytes()
    assert again.read_bytes().endswith(b"}\n")
    # Editing one result must not leak into the next (the @context is shared module data).
    edited = build_croissant(meta, VERSION, dist.files, SCHEMA)
    edited["@context"]["cr"] = "changed"
    assert (
        json.dumps(build_croissant(meta, VERSION, dist.files, SCHEMA), indent=2, ensure_ascii=False)
        == first
    )


def test_mlcroissant_reads_the_records(dist: Dist) -> None:
    dataset = mlc.Dataset(jsonld=str(dist.croissant))
    rows = list(dataset.records(record_set=RECORD_SET_ID))
    assert len(rows) == len(dist.records)
    for row, record in zip(rows, dist.records, strict=True):
        assert _text(row["default/id"]) == record["id"]
        assert row["default/word_count"] == record["word_count"]
        assert _text(row["default/title"]) == record["title"]
        assert _text(row["default/kicker"]) == record["kicker"]
        outlet = {k.rsplit("/", 1)[1]: _text(v) for k, v in row["default/outlet"].items()}
        assert outlet == record["outlet"]
        assert row["default/converter"]["default/converter/fallback"] is False
        assert [_text(c) for c in row["default/captions"]] == record["captions"]
        body = [
            {k.rsplit("/", 1)[1]: _text(v) for k, v in block.items()}
            for block in row["default/body"]
        ]
        assert body == record["body"]
        published = {k.rsplit("/", 1)[1]: _text(v) for k, v in row["default/published"].items()}
        if record["published"] is None:
            # mlcroissant cannot yield a null struct: it gives the subfields as None.
            assert set(published.values()) == {None}
        else:
            assert published == record["published"]


def test_several_shards_are_read_through_a_file_set(
    tmp_path: Path, records: list[Record], meta: DatasetMeta
) -> None:
    files = [
        _write_shard(tmp_path, "data/train-00000-of-00002.parquet", records[:2]),
        _write_shard(tmp_path, "data/train-00001-of-00002.parquet", records[2:]),
    ]
    data = build_croissant(meta, VERSION, files, SCHEMA)
    assert [d.get("sha256") for d in data["distribution"][:2]] == [sha for _, sha in files]
    write_croissant(tmp_path / "croissant.json", data)
    dataset = mlc.Dataset(jsonld=str(tmp_path / "croissant.json"))
    ids = [_text(row["default/id"]) for row in dataset.records(record_set=RECORD_SET_ID)]
    assert ids == [record["id"] for record in records]
