"""Map benchmarks: a 200,000-building coast layer drawn with Datashader aggregation (above the
threshold, the default) and plain (every point sent to the browser), and a 200,000-polygon
layer through the generic map (aggregated by centroid). Measured: building the Bokeh figure
(``hv.render``, which runs the aggregation) plus serialising it as the browser receives it
(``bokeh.embed.json_item``); extra_info gives the payload size. Warm: one untimed draw first
(Datashader's numba compilation, once per process); figures and payloads are not cached.
Timings are reported, never asserted."""

from __future__ import annotations

import json

import geopandas as gpd
import holoviews as hv
import numpy as np
import pytest
import shapely

from dashboards.coast_views import coast_map
from dashboards.shell.views import map_view
from twin_core.models.base import Result
from twin_core.models.registry import get_model

N = 200_000
OUTLINE = gpd.GeoDataFrame(geometry=[shapely.box(380_000, 6_380_000, 440_000, 6_440_000)],
                           crs=2154)


def _buildings(n: int = N) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(3)
    pts = gpd.points_from_xy(390_000 + rng.normal(0, 8_000, n),
                             6_410_000 + rng.normal(0, 8_000, n), crs=2154)
    return gpd.GeoDataFrame({"building_id": np.arange(n).astype(str),
                             "use": "residential", "dwellings": 1, "residents": 2.2,
                             "relocated": rng.random(n) < 0.1,
                             "in_retreat_band": rng.random(n) < 0.3,
                             "flood_depth_m": rng.uniform(0, 2, n)}, geometry=pts)


def _draw(view) -> int:
    """Bokeh figure + its JSON document; returns the payload size in bytes."""
    from bokeh.embed import json_item

    fig = hv.render(view, backend="bokeh")
    return len(json.dumps(json_item(fig)))


@pytest.mark.parametrize("mode", ["datashaded", "plain"])
def test_coast_map_200k_buildings(benchmark, monkeypatch, mode):
    if mode == "plain":
        monkeypatch.setenv("TWIN_DATASHADE_THRESHOLD", str(10 * N))
    else:
        monkeypatch.delenv("TWIN_DATASHADE_THRESHOLD", raising=False)
    spec = get_model("coast.risk").spec
    result = Result(spec.id, spec.version, {"params": {"label": "A"}},
                    layers={"buildings": _buildings()})

    def run():
        return _draw(coast_map(result, spec, OUTLINE, False, "fr"))

    run()  # Datashader's numba compilation happens once per process
    size = benchmark.pedantic(run, rounds=3, iterations=1)
    benchmark.extra_info["payload_mb"] = round(size / 1e6, 2)
    print(mode, benchmark.extra_info)


def test_generic_map_200k_polygons_aggregated(benchmark, monkeypatch):
    monkeypatch.delenv("TWIN_DATASHADE_THRESHOLD", raising=False)
    spec = get_model("zan.trajectory").spec
    rng = np.random.default_rng(4)
    x = 380_000 + rng.uniform(0, 60_000, N)
    y = 6_380_000 + rng.uniform(0, 60_000, N)
    layer = gpd.GeoDataFrame({"code_insee": np.arange(N).astype(str),
                              "budget_used_pct": rng.uniform(0, 200, N)},
                             geometry=shapely.box(x, y, x + 40, y + 40), crs=2154)
    result = Result(spec.id, spec.version, {"params": {"label": "A"}},
                    layers={spec.map_layer: layer})

    def run():
        return _draw(map_view(result, spec, OUTLINE, False, "fr"))

    run()
    size = benchmark.pedantic(run, rounds=3, iterations=1)
    benchmark.extra_info["payload_mb"] = round(size / 1e6, 2)
    print("polygons", benchmark.extra_info)
