"""Forest use case."""
