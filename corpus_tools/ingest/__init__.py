"""Ingest: seed files in, decoded and normalised lines out."""

from corpus_tools.ingest.seeds import Seed, add_files, decode, list_seeds, read_seed, read_seeds
from corpus_tools.ingest.text import normalise, word_count

__all__ = [
    "Seed",
    "add_files",
    "decode",
    "list_seeds",
    "normalise",
    "read_seed",
    "read_seeds",
    "word_count",
]
