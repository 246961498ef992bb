"""Package: the dataset folder (parquet shards, card, Croissant, changelog, manifest)."""
