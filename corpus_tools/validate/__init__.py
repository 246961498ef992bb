"""Validate: JSON Schema per record and Pandera per table, reported in one ``Report``."""

from corpus_tools.validate.dataset import validate_dataset
from corpus_tools.validate.records import (
    Origin,
    check_records,
    read_jsonl,
    validate_records_file,
    validate_seeds,
)
from corpus_tools.validate.report import Checked, Problem, Report

__all__ = [
    "Checked",
    "Origin",
    "Problem",
    "Report",
    "check_records",
    "read_jsonl",
    "validate_dataset",
    "validate_records_file",
    "validate_seeds",
]
