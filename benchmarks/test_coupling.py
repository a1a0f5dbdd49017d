"""Integrated territory benchmarks (issue 17/18): the spatial whole-territory run
(:func:`twin_core.coupling.run_integrated`) on the ``integrated`` sample (Estérel–Cannes, 10
communes, 26,876 buildings, 1,322 stands), its land placement, and the per-territory
preparation that placement reads. Timings are reported, never asserted; each docstring says
which caches are warm.
"""

from __future__ import annotations

import itertools

import pytest

from twin_core import coupling as cp
from twin_core import runs


@pytest.fixture(scope="module")
def prepared():
    """The territory loaded (layers read) and its placement cells prepared: one untimed run."""
    cp.run_integrated(cp.TerritoryScenario())
    return runs.territory(cp.SPATIAL_TERRITORY)


def test_integrated_new_scenario(benchmark, prepared):
    """One whole-territory scenario, a new one each round (horizon and relocated homes vary),
    as when a lever moves on the Territoire page. Warm: territory layers read and placement
    cells prepared (per territory, scenario-independent). Cold: the coast and ZAN runs (the run
    cache is cleared before each round), the forest (prepared anew on the cut stands), the
    placement, the stands cut and the WUI count."""
    scenarios = itertools.cycle([cp.TerritoryScenario(horizon=h, relocate_dwellings=r)
                                 for h, r in [(2050, 300), (2045, 0), (2060, 800), (2040, 150)]])

    def setup():
        runs._run.cache_clear()
        return (next(scenarios),), {}

    benchmark.pedantic(cp.run_integrated, setup=setup, rounds=8, iterations=1)


@pytest.fixture(scope="module")
def land_2050(prepared):
    """A 2050-sized land take: 430 ha in each of the 10 communes (≈ 4,300 ha, the default
    scenario's size)."""
    return {c: 430.0 for c in prepared.layer("communes")["code_insee"].astype(str)}


def test_place_land(benchmark, prepared, land_2050):
    """Placement of a 2050-sized land take on the prepared cells (a running-total cut per
    commune). Warm: placement cells prepared."""
    communes, buildings = prepared.layer("communes"), prepared.layer("buildings")
    cells = cp._prepared_cells(prepared)
    benchmark.pedantic(cp.place_land, args=(communes, buildings, land_2050),
                       kwargs={"cells": cells}, rounds=20, iterations=1)


def test_cut_stands(benchmark, prepared, land_2050):
    """The stands cut by the placed cells of a 2050-sized land take (each stand hit minus the
    union of the cells touching it). Warm: the cells placed before the timing."""
    placed = cp.place_land(prepared.layer("communes"), prepared.layer("buildings"), land_2050,
                           cells=cp._prepared_cells(prepared))
    benchmark.pedantic(cp.stands_after, args=(prepared.layer("stands"), placed), rounds=10,
                       iterations=1)


def test_placement_cells_prepare(benchmark, prepared):
    """The per-territory preparation of the placement (every commune's unbuilt 50 m cells,
    clipped and ordered by distance to its buildings), computed afresh each round: what the
    first scenario on a territory pays once. Layers already read."""
    communes, buildings = prepared.layer("communes"), prepared.layer("buildings")
    benchmark.pedantic(cp.placement_cells, args=(communes, buildings), rounds=3, iterations=1)
