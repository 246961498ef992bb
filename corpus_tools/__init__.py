"""corpus_tools: turn a folder of raw text articles into a validated, versioned HF dataset."""

__version__ = "0.1.0"
