"""3D views (deck.gl specs, no browser): building heights and footprints, the depth colours,
the cap on polygons, no basemap, relief draped from a DEM, the lazy "Vue 3D" section."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import xarray as xr

from dashboards import view3d as v
from twin_core.models.base import Result
from twin_core.territory import data_dir


def _buildings(n: int, **cols) -> gpd.GeoDataFrame:
    x = 400_000.0 + np.arange(n) * 50.0
    return gpd.GeoDataFrame({"building_id": [f"B{i}" for i in range(n)], **cols},
                            geometry=gpd.points_from_xy(x, np.full(n, 6_450_000.0)), crs=2154)


def test_heights_from_height_then_floors_then_default():
    assert v.building_heights(_buildings(2, height_m=[9.0, np.nan])).tolist() == [
        9.0, v.DEFAULT_HEIGHT_M]
    assert v.building_heights(_buildings(2, floors=[4, np.nan])).tolist() == [
        12.0, v.DEFAULT_HEIGHT_M]
    assert v.building_heights(_buildings(1)).tolist() == [v.DEFAULT_HEIGHT_M]


def test_point_footprint_is_the_ground_floor_area():
    b = _buildings(2, floor_area_m2=[300.0, np.nan], height_m=[9.0, 3.0])
    fp = v.footprints(b, v.building_heights(b))
    assert fp.geom_type.tolist() == ["Polygon", "Polygon"]
    assert fp.area.tolist() == pytest.approx([100.0, v.DEFAULT_GROUND_M2])  # 300 m² / 3 storeys
    assert fp.iloc[0].centroid.distance(b.geometry.iloc[0]) < 1e-6
    poly = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 10, 20)], crs=2154)
    assert v.footprints(poly, np.array([6.0])).iloc[0].area == 200.0  # polygons kept


def test_depth_colours_by_class():
    cols = v.depth_colours(np.array([0.0, 0.3, 0.7, 1.5, 3.0, np.nan]))
    assert cols[0] == list(v.DRY) and cols[-1] == list(v.DRY)
    assert cols[1:5] == [list(rgb) for _, rgb in v.DEPTH_CLASSES]


def test_buildings_capped_exposed_first():
    exposed = _buildings(30, flood_depth_m=np.linspace(0, 2, 30), in_retreat_band=False,
                         relocated=False, height_m=6.0, floor_area_m2=100.0)
    others = _buildings(100, height_m=6.0, floor_area_m2=100.0)
    others["building_id"] = [f"O{i}" for i in range(100)]
    res = Result("coast.risk", "1.0", {"params": {"label": "A"}}, layers={"buildings": exposed})
    shown, counts = v.select_buildings(res, pd.concat([exposed, others]), cap=50)
    assert len(shown) == 50 and counts == {"exposed": 30, "exposed_shown": 30, "others": 100,
                                           "others_shown": 20, "flooded": 29}
    shown, counts = v.select_buildings(res, others, cap=10)
    assert len(shown) == 10 and shown["flood_depth_m"].min() > 1.3  # the deepest first


@pytest.fixture(scope="module")
def coast_result():
    assert (data_dir() / "coast" / "territory.json").exists(), \
        "data/coast/territory.json is missing: the sample territories are committed"
    from twin_core.models.registry import get_model
    from twin_core.territory import Territory

    t = Territory.load("coast")
    m = get_model("coast.risk")
    return t, m.run(t, m.scenario_class(label="A"))


def test_coast_deck_spec(coast_result):
    territory, result = coast_result
    spec, counts = v.coast_deck(result, territory.layer("buildings"),
                                territory.layer("communes"), "fr")
    assert spec["mapStyle"] is None and "mapboxApiKey" not in spec  # nothing to fetch
    layer = spec["layers"][-1]
    assert layer["@@type"] == "PolygonLayer" and layer["extruded"]
    assert layer["positionFormat"] == "XY"  # the sample's squares go as flat binary arrays
    rows = layer["data"]
    assert len(rows) == v.MAX_BUILDINGS == counts["exposed_shown"] + counts["others_shown"]
    assert counts["exposed_shown"] == counts["exposed"] == len(result.layers["buildings"])
    lon, lat = np.array([r["polygon"][0::2] for r in rows]), np.array(
        [r["polygon"][1::2] for r in rows])
    assert -1.8 < lon.min() and lon.max() < -0.5 and 44.7 < lat.min() and lat.max() < 46.0
    wet = [r for r in rows if r["fill"] != list(v.DRY)]
    assert len(wet) == counts["flooded"] == result.values["buildings_flooded"]
    # depths shown to the cm: a few mm of water reads "0,00" (still coloured as flooded)
    depths = [float(r["depth"].replace(",", ".")) for r in wet]
    assert min(depths) >= 0.0 and np.mean(np.array(depths) > 0) > 0.9
    assert {r["height"] for r in rows} <= set(np.round(territory.layer("buildings")[
        "height_m"], 1))
    html = v.depth_legend("fr")
    assert "Hauteur d&#x27;eau" in html and "1,0 – 2,0 m</div>" in html


def _dem_over(stands: gpd.GeoDataFrame, cell: float = 500.0) -> xr.DataArray:
    x0, y0, x1, y1 = stands.total_bounds
    xs = np.arange(x0, x1, cell) + cell / 2
    ys = np.arange(y1, y0, -cell) - cell / 2
    z = np.add.outer(np.zeros(len(ys)), (xs - x0) / 10.0).astype("float32")  # 0.1 m/m slope
    return xr.DataArray(z, coords={"y": ys, "x": xs}, dims=("y", "x")).rio.write_crs(2154)


def test_forest_relief_drape_and_flat_fallback():
    stands = gpd.GeoDataFrame(
        {"status": ["suitable", "unsuitable"]},
        geometry=[shapely.box(1_030_000, 6_320_000, 1_032_000, 6_322_000),
                  shapely.box(1_034_000, 6_320_000, 1_036_000, 6_322_000)], crs=2154)
    res = Result("forest.climate_risk", "1.0", {"params": {"label": "A"}},
                 layers={"stands": stands})
    spec = v.forest_deck(res, _dem_over(stands), "fr", exaggeration=4.0)
    layer = spec["layers"][0]
    assert layer["@@type"] == "ColumnLayer" and layer["elevationScale"] == 4.0
    assert spec["mapStyle"] is None
    rows = layer["data"]
    cells = v.relief_cells(_dem_over(stands), stands)
    assert len(rows) == len(cells) == 4 * 12  # the stands' extent in 500 m cells
    assert [r["elevation"] for r in rows] == pytest.approx(
        np.round((cells["x"] - 1_030_000) / 10.0, 1).tolist())
    colours = {tuple(r["fill"][:3]) for r in rows if r["status"] == "Inadapté"}
    assert colours == {v.STATUS_RGB["unsuitable"]}
    assert sum(r["status"] == "Adapté" for r in rows) == 16  # 2 km × 2 km = 16 cells
    flat = v.forest_deck(res, None, "fr")
    assert flat["layers"][0]["@@type"] == "PolygonLayer"
    assert not flat["layers"][0]["extruded"] and flat["initialViewState"]["pitch"] == 0


def test_lazy_section_builds_only_when_opened():
    import panel as pn

    class WS:
        lang = "fr"

    calls = []

    def build(ws):
        calls.append(ws)
        return pn.pane.Markdown("x")

    ws = WS()
    card = v.lazy_section(ws, "k", build)
    assert card.collapsed and not card.objects and calls == []
    card.collapsed = False
    assert len(card.objects) == 1 and len(calls) == 1
    again = v.lazy_section(ws, "k", build)  # the page's next refresh: still open, rebuilt
    assert not again.collapsed and len(calls) == 2


def test_forest_page_drapes_the_sample_dem():
    import holoviews as hv

    from dashboards.shell.workspace import ScenarioWorkspace

    assert (data_dir() / "forest" / "territory.json").exists(), \
        "data/forest/territory.json is missing: the sample territories are committed"
    hv.extension("bokeh", logo=False)
    ws = ScenarioWorkspace(model_id="forest.climate_risk", territory_id="forest", lang="fr")
    assert ws.territory.has_layer("dem")  # the forest sample carries SRTM (issue 13)
    body = v._forest_body(ws)
    assert not any("Pas de MNT" in str(getattr(o, "object", "")) for o in body.objects)
    assert any("twin-view3d-note" in getattr(o, "css_classes", []) for o in body.objects)
