"""Coast page views and projected shoreline on the small synthetic territory of test_coast."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import shapely

from tests.models.test_coast import _write_territory
from twin_core.models.coast.retreat import projected_shoreline


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from twin_core.models.registry import get_model
    from twin_core.territory import Territory

    territory = Territory.load(_write_territory(tmp_path_factory.mktemp("coast_views")))
    model = get_model("coast.risk")
    return model, territory, model.run(territory, model.scenario_class(
        horizon=2100, relocate_dwellings=1))


def test_projected_shoreline_is_retreat_distance_inland(run):
    _, territory, r = run
    arcs, proj = r.layers["shoreline"], r.layers["shoreline_projected"]
    land = shapely.union_all(territory.layer("communes").geometry.to_numpy())
    for arc, line, dist in zip(arcs.geometry, proj.geometry, proj["retreat_m"], strict=True):
        assert not line.is_empty and line.within(land.buffer(1e-6))
        xy = shapely.get_coordinates(line)
        d = shapely.distance(arc, shapely.points(xy))
        # every vertex is R from today's shoreline (buffer outline), up to the segmentation
        assert np.allclose(d, dist, rtol=0.02)
    with pytest.raises(ValueError):
        projected_shoreline(arcs, np.ones(len(arcs) + 1), land)


def test_commune_table_sums_to_the_indicators(run):
    from dashboards.coast_views import commune_table

    _, _, r = run
    table = commune_table(r, "en")
    total = table.iloc[-1]
    assert total["Homes (retreat)"] == r.values["dwellings_retreat"]
    assert total["Residents (flood)"] == pytest.approx(r.values["residents_flooded"], abs=1)
    assert total["Equipment (flood)"] == r.values["public_flooded"]
    assert (table.iloc[:-1]["Homes (retreat)"] >= 0).all()


def test_coast_map_layers(run):
    import holoviews as hv

    from dashboards.coast_views import coast_map, exposure_class, flood_image

    model, territory, r = run
    img = flood_image(r.layers["flood"])
    wet = np.nan_to_num(r.layers["flood"].values) > 0
    assert img is not None and img.rio.crs.to_epsg() == 3857
    assert np.nanmax(img.values) <= float(r.layers["flood"].max()) + 1e-6
    assert wet.any()
    classes = set(exposure_class(r.layers["buildings"]))
    b = r.layers["buildings"]
    assert "relocated" in classes and "flooded" in classes
    assert ("retreat" in classes) == bool((b["in_retreat_band"] & ~b["relocated"]).any())
    ov = coast_map(r, model.spec, territory.layer("communes"), False, "fr")
    kinds = [type(e).__name__ for e in ov]
    assert kinds.count("Points") == 3 and "Image" in kinds and "Polygons" in kinds
    assert sum(1 for e in ov if isinstance(e, hv.Points) and len(e)) == len(classes)
    assert sum(len(e) for e in ov if isinstance(e, hv.Points)) == len(r.layers["buildings"])
    hv.render(ov, backend="bokeh")  # builds a Bokeh figure without error


def test_coast_map_keeps_its_layers_when_the_result_has_fewer(run):
    """No flood, no building relocated, no retreat band, the basemap switched on: the map has
    the same layers (empty ones), so the page updates its figure in place (issue 17)."""
    import holoviews as hv
    from bokeh.models import TileRenderer

    from dashboards.coast_views import coast_map
    from dashboards.shell.views import layer_signature

    model, territory, r = run
    bld = r.layers["buildings"]
    bare = dataclasses.replace(r, layers={
        **r.layers, "flood": r.layers["flood"] * np.nan,
        "buildings": bld[~bld["relocated"].to_numpy()].iloc[:0],
        "retreat_band": r.layers["retreat_band"].iloc[:0]})
    communes = territory.layer("communes")
    full, empty = (coast_map(x, model.spec, communes, b, "fr")
                   for x, b in ((r, False), (bare, True)))
    assert layer_signature(full) == layer_signature(empty)
    assert sum(len(e) for e in empty if isinstance(e, hv.Points)) == 0
    tiles = [m for m in hv.render(empty, backend="bokeh").renderers
             if isinstance(m, TileRenderer)]
    hidden = [m for m in hv.render(full, backend="bokeh").renderers
              if isinstance(m, TileRenderer)]
    assert [m.visible for m in tiles] == [True] and [m.visible for m in hidden] == [False]


def test_commune_tables_say_the_estuary_flood_is_an_upper_bound(monkeypatch):
    from types import SimpleNamespace

    import dashboards.coast_views as cv

    monkeypatch.setattr(cv, "scenario_tables", lambda *a, **k: "tables")
    for lang, words in (("fr", ("borne haute", "sans aucune défense", "Martin 1999")),
                        ("en", ("upper bound", "no defence", "Martin 1999"))):
        ws = SimpleNamespace(results={}, lang=lang,
                             territory=SimpleNamespace(has_layer=lambda name: False))
        col = cv.commune_tables(ws)
        note = col.objects[0].object
        assert all(w in note for w in words), (lang, note)
        # then the dike upload (the same widget after each refresh), then the tables
        upload = col.objects[1]
        assert "twin-coast-dikes" in upload.css_classes
        assert cv.commune_tables(ws).objects[1] is upload
        assert col.objects[2].object == "tables"
