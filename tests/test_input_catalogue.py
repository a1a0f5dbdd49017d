"""The catalogue of malformed files (tests/input_catalogue.py), in a child process under a
memory limit, a time-out per file: each is refused with a clear message or read right."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import input_catalogue  # noqa: E402


def test_every_malformed_file_is_refused_clearly_or_read_right():
    results = input_catalogue.run_in_child(timeout=300)
    assert len(results) >= 60
    other = [(r["id"], r["en"] or r["fr"]) for r in results if r["status"] == "other"]
    assert other == []
    assert {r["status"] for r in results} == {"refused", "read"}
    read = {r["id"] for r in results if r["status"] == "read"}
    assert read == {r["id"] for r in results if r["expect"] == "read"}
