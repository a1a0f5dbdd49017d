"""Large vector layers: the coast exposure table (distance of every building to each of the 11
erosion arcs, DEM cell, value) for 500,000 synthetic buildings over the sample coast, in one
piece and by partitions (dask-geopandas on 2 local threads). No cache: the table is computed
every round (the synthetic layer is built once, untimed). Timings are reported, never
asserted."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

from twin_core.models.coast import exposure as ex
from twin_core.territory import Territory

N = 500_000


@pytest.fixture(scope="module")
def layer():
    t = Territory.load("coast")
    arcs, dem = t.layer("erosion").reset_index(drop=True), t.layer("dem")
    x0, y0, x1, y1 = t.layer("buildings").total_bounds
    rng = np.random.default_rng(5)
    pts = gpd.points_from_xy(rng.uniform(x0, x1, N), rng.uniform(y0, y1, N), crs=2154)
    b = gpd.GeoDataFrame({"use": np.full(N, "residential"), "floor_area_m2": np.full(N, 90.0)},
                         geometry=pts)
    return b, arcs, dem


@pytest.mark.parametrize("mode", ["one_piece", "partitions"])
def test_coast_exposure_500k_buildings(benchmark, layer, monkeypatch, mode):
    b, arcs, dem = layer
    monkeypatch.setenv("TWIN_DASK_VECTOR_THRESHOLD", str(10 * N if mode == "one_piece" else 0))
    table = benchmark.pedantic(ex.exposure_table, args=(b, arcs, dem), rounds=3, iterations=1)
    benchmark.extra_info["path"] = table.attrs["path"]
    assert len(table) == N
