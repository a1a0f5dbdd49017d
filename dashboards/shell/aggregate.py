"""Large map layers stay fluid: above a feature-count threshold a vector layer is aggregated on
the server by Datashader (HoloViews ``rasterize`` / ``datashade``, re-aggregated at every zoom
and pan) instead of sending every feature to the browser; the map title says so.

Threshold: ``$TWIN_DATASHADE_THRESHOLD`` features (default 20,000). Polygons are aggregated by
their centroid: rasterising the polygons themselves through HoloViews needs spatialpandas, which
is not installed; each pixel then shows the mean value of the features whose centroid falls in
it (a coloured layer) or the features of each class (categories), and hover is not available.
Benchmarks: ``benchmarks/test_maps.py``.
"""

from __future__ import annotations

import os

import geopandas as gpd
import holoviews as hv
import numpy as np
import pandas as pd

from twin_core.i18n import t

DEFAULT_THRESHOLD = 20_000


def threshold() -> int:
    """Features above which a layer is aggregated ($TWIN_DATASHADE_THRESHOLD, default 20,000)."""
    return int(os.environ.get("TWIN_DATASHADE_THRESHOLD", DEFAULT_THRESHOLD))


def is_large(n_features: int) -> bool:
    return n_features > threshold()


def xy(gdf: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """x, y of each feature (points as they are, other geometries by centroid), in the layer's
    CRS (Web Mercator on the maps)."""
    geom = gdf.geometry
    pts = geom if geom.geom_type.isin(["Point"]).all() else geom.centroid
    return pts.x.to_numpy(), pts.y.to_numpy()


def rasterised(gdf: gpd.GeoDataFrame, column: str, clabel: str,
               cmap: str = "viridis") -> hv.DynamicMap:
    """The layer as an image of the mean ``column`` per pixel (features by centroid)."""
    import datashader as ds
    from holoviews.operation.datashader import rasterize

    x, y = xy(gdf)
    df = pd.DataFrame({"x": x, "y": y, column: pd.to_numeric(gdf[column], errors="coerce")})
    return rasterize(hv.Points(df, ["x", "y"], [column]), aggregator=ds.mean(column)).opts(
        cmap=cmap, colorbar=True, clabel=clabel, tools=["hover"])


def shaded_classes(x: np.ndarray, y: np.ndarray, classes: np.ndarray,
                   colours: dict[str, str]) -> hv.DynamicMap:
    """Points coloured by class (Datashader categorical shading, spread so that isolated
    features stay visible)."""
    import datashader as ds
    from holoviews.operation.datashader import datashade, dynspread

    df = pd.DataFrame({"x": x, "y": y,
                       "cls": pd.Categorical(classes, categories=list(colours))})
    shaded = datashade(hv.Points(df, ["x", "y"], ["cls"]), aggregator=ds.count_cat("cls"),
                       color_key=colours)
    return dynspread(shaded, threshold=0.5, max_px=3)


def note(n_features: int, lang: str) -> str:
    """On-screen note: the layer is aggregated, with its feature count."""
    n = f"{n_features:,}".replace(",", "\u202f" if lang == "fr" else ",")
    return t("map_aggregate.note", lang, n=n)


def overlay(elements: list) -> hv.Overlay | hv.DynamicMap:
    """``hv.Overlay`` of static elements; with an aggregated (dynamic) one, their product."""
    if not any(isinstance(e, hv.DynamicMap) for e in elements):
        return hv.Overlay(elements)
    view = elements[0]
    for e in elements[1:]:
        view = view * e
    return view
