from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# One disk cache per test session (AquaCrop yields), shared with the servers and notebooks the
# tests start, never the user's ~/.cache/twin: every session computes from scratch once.
os.environ["TWIN_CACHE_DIR"] = tempfile.mkdtemp(prefix="twin-test-cache-")
# The servers the tests start do not fill the whole AquaCrop grid after their warm-up (94 s of
# CPU for the 18 tables the warm-up leaves missing); tests/test_aquacrop_fill.py tests it.
os.environ["TWIN_AQUACROP_FILL"] = "off"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT

