"""Large map layers are aggregated (Datashader) above the threshold, plain below; the page says
so. Synthetic layers, threshold lowered through $TWIN_DATASHADE_THRESHOLD to stay quick."""

from __future__ import annotations

import geopandas as gpd
import holoviews as hv
import numpy as np
import pytest
import shapely

from dashboards.coast_views import coast_map
from dashboards.shell import aggregate as agg
from dashboards.shell.views import map_view
from twin_core.models.base import Result
from twin_core.models.registry import get_model

N = 400


def _squares(n: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(1)
    x = 400_000 + rng.uniform(0, 20_000, n)
    y = 6_400_000 + rng.uniform(0, 20_000, n)
    return gpd.GeoDataFrame({"code_insee": [f"{i:05d}" for i in range(n)],
                             "nom": [f"c{i}" for i in range(n)],
                             "budget_used_pct": rng.uniform(0, 200, n)},
                            geometry=shapely.box(x, y, x + 50, y + 50), crs=2154)


def _rendered(view) -> tuple[list[str], str]:
    """Glyph types and title of the Bokeh figure the view builds (the basemap's tile layer,
    always present and hidden when the basemap is off, is left out)."""
    fig = hv.render(view, backend="bokeh")
    return ([type(r.glyph).__name__ for r in fig.renderers if hasattr(r, "glyph")],
            fig.title.text or "")


def test_threshold_defaults_to_20000_features(monkeypatch):
    monkeypatch.delenv("TWIN_DATASHADE_THRESHOLD", raising=False)
    assert agg.threshold() == 20_000 and agg.is_large(20_001) and not agg.is_large(20_000)


@pytest.mark.parametrize("n, large", [(N, True), (N // 4, False)])
def test_map_view_rasterises_a_large_layer_only(monkeypatch, n, large):
    monkeypatch.setenv("TWIN_DATASHADE_THRESHOLD", str(N // 2))
    spec = get_model("zan.trajectory").spec
    layer = _squares(n)
    result = Result(spec.id, spec.version, {"params": {"label": "A"}},
                    layers={spec.map_layer: layer})
    view = map_view(result, spec, layer, False, "fr")
    glyphs, title = _rendered(view)
    if large:
        assert isinstance(view, hv.DynamicMap)
        assert "Image" in glyphs and "Patches" not in glyphs and "MultiPolygons" not in glyphs
        assert "agrégée" in title and str(n) in title
    else:
        assert isinstance(view, hv.Overlay)
        assert not any(isinstance(e, hv.DynamicMap) for e in view)
        assert "Image" not in glyphs and "agrégée" not in title


@pytest.mark.parametrize("n, large", [(N, True), (N // 4, False)])
def test_coast_map_shades_many_buildings_by_class(monkeypatch, n, large):
    monkeypatch.setenv("TWIN_DATASHADE_THRESHOLD", str(N // 2))
    spec = get_model("coast.risk").spec
    rng = np.random.default_rng(2)
    pts = gpd.points_from_xy(400_000 + rng.uniform(0, 5_000, n),
                             6_400_000 + rng.uniform(0, 5_000, n), crs=2154)
    bld = gpd.GeoDataFrame({"building_id": [str(i) for i in range(n)],
                            "relocated": rng.random(n) < 0.2,
                            "in_retreat_band": rng.random(n) < 0.5,
                            "flood_depth_m": rng.uniform(0, 2, n)}, geometry=pts)
    result = Result(spec.id, spec.version, {"params": {"label": "A"}},
                    layers={"buildings": bld})
    view = coast_map(result, spec, _squares(10), False, "en")
    glyphs, title = _rendered(view)
    if large:
        assert isinstance(view, hv.DynamicMap)
        assert "ImageRGBA" in glyphs and "aggregated" in title
        overlay = view[()]  # legend entries stay: one empty point set per class
        assert sum(isinstance(e, hv.Points) and len(e) == 0 for e in overlay) == 3
    else:
        assert isinstance(view, hv.Overlay) and "ImageRGBA" not in glyphs
        assert sum(len(e) for e in view if isinstance(e, hv.Points)) == n
