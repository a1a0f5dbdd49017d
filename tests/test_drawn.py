"""Drawn geometries as scenario params: validation with clear messages, the JSON round trip,
the generated widget, and the server side of drawing (PolyDraw stream data -> scenario param
-> refreshed cards and URL payload)."""

from __future__ import annotations

import json

import pytest

from twin_core.drawn import MAX_VERTICES, from_parts, to_shape, vertex_count
from twin_core.errors import TwinInputError
from twin_core.models.coast.model import COAST_EXTENT, CoastScenario
from twin_core.models.registry import get_model
from twin_core.scenario import Scenario
from twin_core.territory import data_dir

X0, Y0 = 405_000.0, 6_460_000.0
LINE = {"type": "MultiLineString", "coordinates": [[[X0, Y0], [X0 + 500, Y0 + 200]]]}
ZONE = {"type": "MultiPolygon", "coordinates": [[[[X0, Y0], [X0 + 400, Y0], [X0 + 400, Y0 + 300],
                                                   [X0, Y0]]]]}


def _load(**params):
    data = {"model": "coast.risk", "version": get_model("coast.risk").spec.version,
            "params": params}
    return Scenario.from_json(json.dumps(data), source="mine.json")


def test_round_trip_keeps_the_drawn_geometries():
    s = CoastScenario(label="A", dike_line=LINE, setback_zone=ZONE)
    text = s.to_json()
    back = Scenario.from_json(text)
    assert isinstance(back, CoastScenario)
    assert back.dike_line == LINE and back.setback_zone == ZONE
    assert back.to_dict() == s.to_dict()
    assert CoastScenario().dike_line is None  # nothing drawn by default
    assert len(json.dumps(LINE)) < 200  # small enough for the page URL


@pytest.mark.parametrize(("params", "code", "words"), [
    ({"dike_line": [[X0, Y0], [X0 + 1, Y0]]}, "geometry_not_object", ["dike_line"]),
    ({"dike_line": {"type": "Polygon", "coordinates": ZONE["coordinates"][0]}},
     "geometry_type", ["Polygon", "LineString, MultiLineString"]),
    ({"setback_zone": {"type": "MultiLineString", "coordinates": LINE["coordinates"]}},
     "geometry_type", ["MultiLineString"]),
    ({"dike_line": {"type": "LineString", "coordinates": [[X0, Y0], ["a", Y0]]}},
     "geometry_coordinates", ["'a'"]),
    ({"dike_line": {"type": "LineString", "coordinates": [[X0, Y0], [X0, Y0]]}},
     "geometry_too_few", ["at least 2"]),
    ({"dike_line": {"type": "LineString",
                    "coordinates": [[X0 + i, Y0] for i in range(MAX_VERTICES + 1)]}},
     "geometry_vertices", ["501", "500"]),
    ({"dike_line": {"type": "LineString", "coordinates": [[X0, Y0], [700_000, 6_800_000]]}},
     "geometry_outside", ["(700000, 6800000)", "Lambert-93"]),
    ({"setback_zone": {"type": "Polygon", "coordinates": [[[X0, Y0], [X0 + 100, Y0 + 100],
                                                            [X0 + 100, Y0], [X0, Y0 + 100]]]}},
     "geometry_invalid", ["Self-intersection"]),
    ({"setback_zone": {"type": "Polygon", "coordinates": [[[X0, Y0]]], "crs": "x"}},
     "geometry_not_object", []),
])
def test_bad_geometries_are_refused_with_a_clear_message(params, code, words):
    with pytest.raises(TwinInputError) as info:
        _load(**params)
    err = info.value
    assert err.code == code and err.source == "mine.json"
    text = err.message("en")
    assert "mine.json" in text and next(iter(params)) in text
    for word in words:
        assert word in text
    assert err.message("fr") != text  # a French message too (with its fix)


def test_setting_a_bad_geometry_in_python_raises_too():
    s = CoastScenario()
    with pytest.raises(TwinInputError):
        s.setback_zone = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1]]]}
    assert s.setback_zone is None


def test_from_parts_rounds_closes_and_drops_short_parts():
    g = from_parts([[(X0 + 0.4, Y0 + 0.6), (X0 + 100.2, Y0), (X0 + 100, Y0 + 80)],
                    [(X0, Y0), (X0, Y0)]], "polygon")
    assert g == {"type": "MultiPolygon", "coordinates": [[[[X0, Y0 + 1], [X0 + 100, Y0],
                                                           [X0 + 100, Y0 + 80],
                                                           [X0, Y0 + 1]]]]}
    assert vertex_count(g) == 4
    assert to_shape(g).area == pytest.approx(0.5 * 100 * 79, rel=0.02)
    assert from_parts([[(X0, Y0)]], "line") is None
    assert COAST_EXTENT[0] < X0 < COAST_EXTENT[2]


def test_geometry_params_get_a_summary_widget_not_a_text_box():
    import panel as pn

    from dashboards.shell.widgets import param_widget

    s = CoastScenario(label="A")
    w = param_widget(s, "dike_line", "fr")
    assert isinstance(w, pn.widgets.StaticText) and "aucun tracé" in w.value
    s.dike_line = LINE
    assert "1 ligne(s), 2 sommets, 0,54 km" in w.value


def test_stream_data_becomes_the_mapped_scenario_param_and_refreshes():
    """The server side of drawing: what the Bokeh PolyDraw tool sends (Web Mercator xs/ys)
    lands, in Lambert-93, in the param of the scenario shown on the map."""
    assert (data_dir() / "zan" / "territory.json").exists(), \
        "data/zan/territory.json is missing: the sample territories are committed"
    import holoviews as hv
    from pyproj import Transformer

    from dashboards.shell.workspace import ScenarioWorkspace
    from twin_core.territory import Territory

    hv.extension("bokeh", logo=False)
    ws = ScenarioWorkspace(model_id="zan.trajectory", territory_id="zan", lang="fr")
    draw = ws._drawing
    assert draw.names == ["renature_zone"] and draw.stream is None
    draw.choice.value = "renature_zone"
    assert draw.stream is not None  # the drawable layer is on the map

    def value():
        t = ws.table
        return t.loc[(t.indicator == "zan.renatured_2031_2050_ha") & (t.scenario == "A"),
                     "value"].item()

    before, revision = value(), ws.revision
    c = Territory.load("zan").layer("communes").set_index("code_insee").geometry["01001"]
    p = c.representative_point()
    to_merc = Transformer.from_crs(2154, 3857, always_xy=True)
    xs, ys = to_merc.transform([p.x - 300, p.x + 300, p.x + 300, p.x - 300],
                               [p.y - 300, p.y - 300, p.y + 300, p.y + 300])
    draw.stream.event(data={"xs": [list(xs)], "ys": [list(ys)]})
    assert draw.apply()
    zone = ws.scenarios[0].renature_zone
    assert zone["type"] == "MultiPolygon" and vertex_count(zone) == 5
    assert ws.revision > revision
    assert value() == pytest.approx(before + 36.0, abs=0.1)  # 600 m × 600 m = 36 ha
    assert ws.scenarios[1].renature_zone is None  # only the mapped scenario
    # the map now shows the applied zone, ready to edit; a click does not act while drawing
    assert len(draw.stream.source.split()) == 1
    ws._on_tap(x=float(xs[0]), y=float(ys[0]))
    assert ws.clicked is None
    # a drawing outside the territory is refused with a message, the scenario unchanged
    draw.stream.event(data={"xs": [[0.0, 1000.0, 1000.0]], "ys": [[0.0, 0.0, 1000.0]]})
    assert not draw.apply()
    assert ws._alert.visible and "renature_zone" in ws._alert.object
    assert ws.scenarios[0].renature_zone == zone
    assert draw.clear() and ws.scenarios[0].renature_zone is None
    assert value() == pytest.approx(before)
    # an aggregated (Datashader, dynamic) map keeps its options and gets the drawing tool
    import numpy as np
    import pandas as pd
    from holoviews.operation.datashader import rasterize

    pts = hv.Points(pd.DataFrame({"x": np.arange(50.0), "y": np.arange(50.0), "v": 1.0}),
                    ["x", "y"], ["v"])
    dyn = (hv.Path([]) * rasterize(pts)).opts(responsive=True, title="T")
    state = hv.renderer("bokeh").get_plot(draw.overlay(dyn, ws.scenarios[0])).state
    assert type(state.toolbar.active_tap).__name__ == "PolyDrawTool"
    assert state.title.text == "T" and state.sizing_mode == "stretch_both"


def test_infinite_coordinates_are_refused_in_json_and_in_a_dict():
    line = {"type": "LineString", "coordinates": [[X0, Y0], [float("inf"), Y0]]}
    with pytest.raises(TwinInputError) as info:  # JSON has no Infinity: refused when read
        _load(dike_line=line)
    assert info.value.code == "bad_json" and "Infinity" in info.value.message("en")
    data = {"model": "coast.risk", "version": get_model("coast.risk").spec.version,
            "params": {"dike_line": line}}
    with pytest.raises(TwinInputError) as info:  # a dict (URL, API) reaches the geometry check
        Scenario.from_dict(data, source="mine")
    assert info.value.code == "geometry_coordinates" and "inf" in info.value.message("en")
