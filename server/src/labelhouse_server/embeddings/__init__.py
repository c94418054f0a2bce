"""Custom embeddings: vectors per sample and k-nearest-neighbour search over them (docs/embeddings.md)."""
