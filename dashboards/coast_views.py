"""Coast page views: the risk map (shorelines, retreat band, flood depth, exposed buildings),
and the per-commune exposure table."""

from __future__ import annotations

import geopandas as gpd
import holoviews as hv
import numpy as np
import pandas as pd
import panel as pn
import xarray as xr

from dashboards.shell.views import _ensure_backend, merged_lines, scenario_tables
from twin_core.i18n import t
from twin_core.models.base import ModelSpec, Result

FLOOD_MAX_CELLS = 40_000  # the flood raster is block-averaged down to about this many cells
COLOURS = {"retreat": "#d7191c", "flooded": "#6a3d9a", "relocated": "#1a9641",
           "band": "#fdae61", "today": "#222222", "projected": "#d7191c",
           "defences": "#8c510a"}
HOVER_COLS = ("building_id", "use", "dwellings", "residents", "flood_depth_m")


def _features(gdf: gpd.GeoDataFrame, vdims: list[str], polygons: bool = False) -> list[dict]:
    """HoloViews path/polygon dicts (x, y with NaN between parts, and the attributes) of a
    layer already in Web Mercator: plain HoloViews elements render several times faster
    than GeoViews ones (no projection step), which keeps a slider change quick."""
    import shapely

    out = []
    for geom, row in zip(gdf.geometry.to_numpy(), gdf[vdims].to_dict("records"), strict=True):
        if geom is None or geom.is_empty:
            continue
        parts = shapely.get_parts(geom)
        rings = [shapely.get_exterior_ring(g) for g in parts] if polygons else parts
        xy = [shapely.get_coordinates(g) for g in rings]
        xy = np.concatenate([np.vstack([c, [[np.nan, np.nan]]]) for c in xy])[:-1]
        out.append({"x": xy[:, 0], "y": xy[:, 1], **row})
    return out


def _k(key: str, lang: str) -> str:
    return t(f"coast_page.{key}", lang)


def flood_image(flood: xr.DataArray, max_cells: int = FLOOD_MAX_CELLS) -> xr.DataArray | None:
    """The flood depth raster, block-averaged to ≤ ``max_cells`` cells and reprojected to Web
    Mercator (EPSG:3857); dry cells are NaN (transparent). None when nothing floods."""
    if flood is None or not np.any(np.nan_to_num(flood.values) > 0):
        return None
    factor = max(int(np.ceil(np.sqrt(flood.size / max_cells))), 1)
    depth = flood.fillna(0.0)
    if factor > 1:
        depth = depth.coarsen(x=factor, y=factor, boundary="trim").mean()
        depth = depth.rio.write_crs(flood.rio.crs)
    depth = depth.where(depth > 0.01)
    depth = depth.rio.write_nodata(np.nan, encoded=False)
    return depth.rio.reproject("EPSG:3857", nodata=np.nan)


def depth_clim(img: xr.DataArray) -> float:
    """Upper end of the depth colour scale: the 95th percentile of the wet cells (≥ 0.5 m),
    so that a few deep estuary cells do not wash out the land."""
    wet = img.values[np.isfinite(img.values)]
    return max(float(np.percentile(wet, 95)), 0.5) if wet.size else 1.0


def exposure_class(buildings: pd.DataFrame) -> pd.Series:
    """'relocated', 'retreat' (in the retreat band) or 'flooded', per exposed building."""
    cls = np.where(buildings["relocated"], "relocated",
                   np.where(buildings["in_retreat_band"], "retreat", "flooded"))
    return pd.Series(cls, index=buildings.index)


def coast_map(result: Result, spec: ModelSpec, communes: gpd.GeoDataFrame, basemap: bool,
              lang: str) -> hv.Overlay:
    """Today's and projected shorelines, retreat band, flood depth, today's defences (a loaded
    dike layer) and exposed buildings (above
    the aggregation threshold, shaded by class: :mod:`dashboards.shell.aggregate`)."""
    from dashboards.shell import aggregate as agg
    from dashboards.shell.views import basemap_layer

    _ensure_backend()
    layers = result.layers
    elements: list[hv.Element] = []
    elements.append(basemap_layer(basemap, geo=False))
    shore = layers.get("shoreline")
    outline = communes
    if isinstance(shore, gpd.GeoDataFrame) and len(shore):
        x0, y0, x1, y1 = shore.to_crs(communes.crs).total_bounds
        pad = max(x1 - x0, y1 - y0, 2_000) * 0.1
        outline = communes.cx[x0 - pad:x1 + pad, y0 - pad:y1 + pad]
    elements.append(merged_lines(outline).opts(color="#888", line_width=0.5))
    depth_label = _k("flood_depth", lang)
    # Every layer is drawn on every scenario, empty when the result has none (no flood, no
    # building relocated…): the map keeps the same layers, so a slider change updates its
    # figure in place (dashboards.shell.views.LivePlot) instead of sending a new one.
    img = flood_image(layers.get("flood"))
    if img is not None:
        xs, ys, values, top = img.x.values, img.y.values, img.values, depth_clim(img)
    else:  # a dry 2 × 2 image (transparent)
        x0, y0, x1, y1 = outline.to_crs(3857).total_bounds
        xs, ys, values, top = np.array([x0, x1]), np.array([y1, y0]), np.full((2, 2), np.nan), 1.0
    elements.append(hv.Image((xs, ys, values), kdims=["x", "y"], vdims=[depth_label]).opts(
        cmap="Blues", colorbar=True, clim=(0.0, top), clabel=f"{depth_label} (m)", alpha=0.8,
        tools=["hover"], clipping_colors={"NaN": "transparent"}))
    band = layers.get("retreat_band")
    features = []
    if isinstance(band, gpd.GeoDataFrame) and len(band):
        data = band[band.area > 0][["nom", "retreat_m", "geometry"]].to_crs(3857)
        data["geometry"] = data.simplify(10)
        features = _features(data, ["nom", "retreat_m"], polygons=True)
    elements.append(hv.Polygons(features, vdims=["nom", "retreat_m"],
                                label=_k("retreat_band", lang)).opts(
        color=COLOURS["band"], line_color=COLOURS["band"], alpha=0.7, tools=["hover"]))
    if isinstance(shore, gpd.GeoDataFrame) and len(shore):
        # one merged path without hover: per-feature paths with hover took ~20 s to draw
        elements.append(merged_lines(shore).relabel(_k("shoreline_today", lang)).opts(
            color=COLOURS["today"], line_width=2.5))
    dikes = layers.get("defences")
    if isinstance(dikes, gpd.GeoDataFrame) and len(dikes):
        elements.append(merged_lines(dikes).relabel(_k("defences", lang)).opts(
            color=COLOURS["defences"], line_width=3))
    proj = layers.get("shoreline_projected")
    lines = hv.Path([])
    if isinstance(proj, gpd.GeoDataFrame) and len(proj):
        data = proj[~proj.is_empty][["nom", "retreat_m", "geometry"]].to_crs(3857)
        if len(data):
            lines = merged_lines(data)
    elements.append(lines.relabel(_k("shoreline_projected", lang)).opts(
        color=COLOURS["projected"], line_width=1.5, line_dash="dashed"))
    bld = layers.get("buildings")
    title = f"{t(f'maps.{spec.id}', lang)} — {result.label}"
    if isinstance(bld, gpd.GeoDataFrame) and agg.is_large(len(bld)):
        data = bld.to_crs(3857)
        x, y = agg.xy(data)
        names = ("flooded", "retreat", "relocated")
        elements.append(agg.shaded_classes(x, y, exposure_class(data).to_numpy(),
                                           {n: COLOURS[n] for n in names}))
        for name in names:  # legend entries (the shaded image has none)
            elements.append(hv.Points([], label=_k(f"buildings_{name}", lang)).opts(
                color=COLOURS[name], size=6))
        title = f"{title} — {agg.note(len(bld), lang)}"
    elif isinstance(bld, gpd.GeoDataFrame):
        data = bld.to_crs(3857)
        cls = exposure_class(data) if len(data) else pd.Series([], dtype=object)
        cols = [c for c in HOVER_COLS if c in data.columns]
        pts = pd.DataFrame(data[cols]).assign(x=data.geometry.x, y=data.geometry.y)
        for name in ("flooded", "retreat", "relocated"):
            part = pts[(cls == name).to_numpy()]
            # plain x/y columns: much faster to render than a GeoDataFrame
            elements.append(hv.Points(part, kdims=["x", "y"], vdims=cols,
                                      label=_k(f"buildings_{name}", lang)).opts(
                color=COLOURS[name], size=4, line_color="white", line_width=0.3,
                tools=["hover"]))
    return agg.overlay(elements).opts(
        responsive=True, height=520, xaxis=None, yaxis=None, active_tools=["wheel_zoom"],
        title=title, legend_position="top_left", show_legend=True)


COMMUNE_COLUMNS = ("dwellings_retreat", "residents_retreat", "public_retreat",
                   "dwellings_flooded", "residents_flooded", "public_flooded", "damage_meur")


def commune_table(result: Result, lang: str) -> pd.DataFrame:
    """Per commune: homes, residents and equipment in the retreat band and in the flood,
    event damage (M€); communes with nothing exposed are left out."""
    com = result.layers["communes"]
    cols = [c for c in COMMUNE_COLUMNS if c in com.columns]
    df = pd.DataFrame(com[["nom", "code_insee", *cols]]).copy()
    df = df[df[cols].sum(axis=1) > 0].sort_values(
        ["dwellings_retreat", "dwellings_flooded"], ascending=False)
    df[cols[:-1]] = df[cols[:-1]].round(0).astype(int)
    df["damage_meur"] = df["damage_meur"].round(2)
    total = {"nom": _k("total", lang), "code_insee": "",
             **{c: df[c].sum() for c in cols}}
    df = pd.concat([df, pd.DataFrame([total])], ignore_index=True)
    return df.rename(columns={"nom": _k("commune", lang), "code_insee": "INSEE",
                              **{c: _k(f"col_{c}", lang) for c in cols}})


def commune_tables(ws) -> pn.viewable.Viewable:
    """One per-commune exposure table per scenario (tabs), under the note that the estuary
    flood is an upper bound without defences (or what the loaded dikes are) and the dike
    upload (dashboards.coast_dikes)."""
    tables = scenario_tables(ws.results, _k("communes_title", ws.lang),
                             lambda r: commune_table(r, ws.lang), "twin-coast-communes",
                             layer="communes")
    from dashboards.coast_dikes import dike_upload, flood_note

    note = pn.pane.Markdown(flood_note(ws), css_classes=["twin-coast-note"])
    return pn.Column(note, dike_upload(ws), tables, sizing_mode="stretch_width")
