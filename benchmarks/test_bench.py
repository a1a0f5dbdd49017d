"""Benchmarks (pytest-benchmark): `make bench`. Figures go into the README's table.

Not part of the test suite: timings are measured here, never asserted in tests.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from twin_core.compare import compare
from twin_core.models.registry import all_models, get_model
from twin_core.territory import Territory

ROOT = Path(__file__).resolve().parents[1]


def test_cold_import(benchmark):
    """A fresh interpreter importing the core and the dashboard app. Cold process (only the
    bytecode of the installed packages and of twin is already compiled, as after `make setup`)."""
    code = "import twin_core.models.registry as r; r.discover(); import dashboards.app"
    benchmark.pedantic(lambda: subprocess.run([sys.executable, "-c", code], check=True),
                       rounds=3, iterations=1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: A guard against a server that never answers, not a target: on a loaded machine a first
#: start has taken over 120 s.
SERVE_DEADLINE_S = 600


def _serve_to_first_page() -> None:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "twin_core.cli", "serve", "--port",
                             str(port)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + SERVE_DEADLINE_S
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"twin serve exited with code {proc.returncode}")
            try:
                # one request, waited for as long as it takes (a page built slowly is not
                # abandoned and asked for again)
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/",
                                            timeout=max(deadline - time.monotonic(), 1)) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"no page within {SERVE_DEADLINE_S} s")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.mark.parametrize("disk_cache", ["cold", "warm"])
def test_serve_to_first_page(benchmark, disk_cache, tmp_path, monkeypatch):
    """From `twin serve` (which warms up every page's default comparison before serving) to the
    home page's HTML served (the page is built on request), a fresh process each round: a first
    start computes the AquaCrop yields (cold: the disk cache, ``TWIN_CACHE_DIR`` in a temporary
    folder, emptied before each round), a restart reads them (warm: filled by an untimed start
    first)."""
    monkeypatch.setenv("TWIN_CACHE_DIR", str(tmp_path))
    if disk_cache == "warm":
        _serve_to_first_page()
    setup = (lambda: shutil.rmtree(tmp_path / "aquacrop", ignore_errors=True)) \
        if disk_cache == "cold" else None
    benchmark.pedantic(_serve_to_first_page, setup=setup, rounds=2, iterations=1)


@pytest.mark.parametrize("model_id", list(all_models()))
def test_scenario_run(benchmark, model_id):
    """One default scenario on the model's sample territory, the same every round. Warm: the
    territory's preparation (and, for agriculture, the AquaCrop yields; for coast, the spill
    levels of this scenario) cached by an untimed run first. The forest keeps its fires, plans
    and EU-Trees4F statuses between scenarios (issue 17), so its rounds are a scenario seen
    before; a new one: benchmarks/test_forest.py::test_new_scenario_horizon and
    test_one_default_scenario, benchmarks/test_coast.py::test_coast_new_horizon."""
    model = get_model(model_id)
    territory = Territory.load(model.spec.use_case)
    scenario = model.scenario_class()
    model.run(territory, scenario)
    benchmark(model.run, territory, scenario)


@pytest.mark.parametrize("model_id", list(all_models()))
def test_compare_two(benchmark, model_id):
    """Run two scenarios (horizons 2030 and 2100) and build the comparison table. Warm:
    preparation (with the agriculture AquaCrop yields) cached by an untimed run of the first
    scenario; from the first round on, the coast's spill levels of the second scenario and the
    forest's fires, plans and statuses of both are kept (a comparison seen before)."""
    model = get_model(model_id)
    territory = Territory.load(model.spec.use_case)
    a = model.scenario_class(label="A", horizon=2030)
    b = model.scenario_class(label="B", horizon=2100)
    model.run(territory, a)

    def run_and_compare():
        return compare([model.run(territory, a), model.run(territory, b)])

    benchmark(run_and_compare)
