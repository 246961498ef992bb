"""Shared fixtures: the repository root and the converted seeds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from corpus_tools.convert import convert_folder

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seed_records() -> dict[str, dict[str, Any]]:
    """The five seeds converted once, by seed file name."""
    return {record["seed_file"]: record for record in convert_folder(SEEDS)}
