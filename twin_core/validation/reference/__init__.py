"""Package copies of the published reference tables (provenance in README.md beside them)."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def reference_table(name: str) -> Path:
    """Path of the packaged reference CSV ``name`` (with or without ``.csv``); raises if absent."""
    path = HERE / (name if name.endswith(".csv") else f"{name}.csv")
    if not path.is_file():
        known = sorted(p.name for p in HERE.glob("*.csv"))
        raise FileNotFoundError(f"no reference table {name!r} in {HERE} (known: {known})")
    return path
