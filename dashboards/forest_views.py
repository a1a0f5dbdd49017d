"""Forest page views: the map of stands by suitability status (categorical legend) with the
simulated fire, the daily IFM chart (today vs the horizon) and the per-species area table."""

from __future__ import annotations

import geopandas as gpd
import holoviews as hv
import numpy as np
import pandas as pd
import panel as pn

from dashboards.shell.views import _ensure_backend, basemap_layer, scenario_tables
from twin_core.i18n import t
from twin_core.models.base import ModelSpec, Result
from twin_core.models.forest import model as fm
from twin_core.models.forest.suitability import STATUSES, UNKNOWN

STATUS_COLOURS = {"suitable": "#1a9641", "at_risk": "#fdae61", "unsuitable": "#d7191c",
                  UNKNOWN: "#bbbbbb"}


def _k(key: str, lang: str, **kw) -> str:
    return t(f"forest_page.{key}", lang, **kw)


def group_label(group: str, lang: str) -> str:
    return t(f"forest_page.group.{group}", lang, default=t(f"params.{group}", lang,
                                                                default=group))


def _poly_dicts(gdf: gpd.GeoDataFrame, vdims: list[str]) -> list[dict]:
    """Polygons (already in EPSG:3857) as HoloViews dicts (exterior rings, NaN between parts)
    and their attributes: plain HoloViews glyphs are drawn without cartopy's per-vertex
    reprojection, several times faster. Holes are not drawn (few stands have any)."""
    import shapely

    out = []
    for geom, rec in zip(gdf.geometry.to_numpy(), gdf[vdims].to_dict("records"), strict=True):
        if geom is None or geom.is_empty:
            continue
        rings = [shapely.get_exterior_ring(g) for g in shapely.get_parts(geom)]
        xy = [shapely.get_coordinates(g) for g in rings]
        xy = np.concatenate([np.vstack([c, [[np.nan, np.nan]]]) for c in xy])[:-1]
        out.append({"x": xy[:, 0], "y": xy[:, 1], **rec})
    return out


def _path_xy(gdf: gpd.GeoDataFrame) -> list[np.ndarray]:
    paths = []
    for geom in gdf.boundary:
        for line in getattr(geom, "geoms", [geom]):
            if not line.is_empty:
                paths.append(np.asarray(line.coords))
    return paths


def forest_map(result: Result, spec: ModelSpec, communes: gpd.GeoDataFrame, basemap: bool,
               lang: str) -> hv.Overlay:
    """Stands coloured by status at the horizon (one legend entry per status), the simulated
    fire's arrival-time bands and its ignition point."""

    _ensure_backend()
    elements: list[hv.Element] = []
    elements.append(basemap_layer(basemap))
    stands = result.layers.get("stands")
    outline = communes
    if isinstance(stands, gpd.GeoDataFrame) and len(stands):
        x0, y0, x1, y1 = stands.total_bounds
        pad = max(x1 - x0, y1 - y0) * 0.05
        outline = communes.cx[x0 - pad:x1 + pad, y0 - pad:y1 + pad]
    elements.append(hv.Path(_path_xy(outline.to_crs(3857))).opts(color="#666", line_width=0.6))
    hooks = []
    if isinstance(stands, gpd.GeoDataFrame) and len(stands):
        hooks.append(_stand_patches_hook(stands, lang))
    fire = result.layers.get("fire")
    if isinstance(fire, gpd.GeoDataFrame) and len(fire):
        fdata = fire.to_crs(3857)
        fire_label = _k("fire_arrival", lang)
        fdata = fdata.rename(columns={"arrival_h": fire_label})
        elements.append(hv.Polygons(_poly_dicts(fdata, [fire_label, "area_ha"]),
                                    vdims=[fire_label, "area_ha"]).opts(
            color=fire_label, cmap="inferno", colorbar=True, clabel=f"{fire_label} (h)",
            line_color=None, alpha=0.9, tools=["hover"]))
    sc = result.scenario.get("params", {})
    ign = gpd.GeoSeries(gpd.points_from_xy([sc.get("ignition_x", np.nan)],
                                           [sc.get("ignition_y", np.nan)]), crs=2154)
    if ign.notna().all():
        p = ign.to_crs(3857).iloc[0]
        elements.append(hv.Points(pd.DataFrame({"x": [p.x], "y": [p.y]}), kdims=["x", "y"],
                                  label=_k("ignition", lang)).opts(
            color="black", marker="x", size=14, line_width=3))
    title = f"{t(f'maps.{spec.id}', lang)} — {result.label}"
    if isinstance(stands, gpd.GeoDataFrame) and len(stands):
        # the extent the stands need (the patches are added by the hook, unknown to HoloViews)
        x0, y0, x1, y1 = stands.to_crs(3857).total_bounds
        elements.append(hv.Points(pd.DataFrame({"x": [x0, x1], "y": [y0, y1]})).opts(
            alpha=0, size=0))
    return hv.Overlay(elements).opts(
        responsive=True, height=520, xaxis=None, yaxis=None, active_tools=["wheel_zoom"],
        title=title, legend_position="top_left", show_legend=True, hooks=hooks)


_STANDS = "twin-forest-stands"


def _stand_patches_hook(stands: gpd.GeoDataFrame, lang: str):
    """A plot hook drawing the stands as Bokeh patches, one legend entry and colour per
    status, with a hover: 1,300 polygons through HoloViews' per-geometry interface take ~20 s
    to render, as native patches well under a second."""
    import shapely

    data = stands.to_crs(3857)
    cols = {"stand": data["stand_id"].astype(str).to_numpy(),
            "essence": np.array([group_label(g, lang) for g in data["group"]], dtype=object),
            "status": np.array([_k(f"status.{s}", lang) for s in data["status"]], dtype=object),
            "area": data["area_ha"].round(1).to_numpy(),
            "t_h": data["tmean_h_c"].to_numpy(),
            "p_h": data["precip_h_mm"].to_numpy(),
            "dieback": (data["dieback_prob"] * 100).round(1).to_numpy(),
            "fuel": data["fuel_model"].astype(str).to_numpy(),
            "arrival": data["fire_arrival_h"].round(2).to_numpy()}
    xs, ys = [], []
    for geom in data.geometry.to_numpy():
        rings = [shapely.get_exterior_ring(g) for g in shapely.get_parts(geom)] if geom else []
        xy = [shapely.get_coordinates(g) for g in rings] or [np.empty((0, 2))]
        xy = np.concatenate([np.vstack([c, [[np.nan, np.nan]]]) for c in xy])[:-1]
        xs.append(xy[:, 0])
        ys.append(xy[:, 1])
    status = data["status"].to_numpy()
    cols["colour"] = np.array([STATUS_COLOURS.get(st, STATUS_COLOURS[UNKNOWN]) for st in status],
                              dtype=object)
    labels = {"stand": _k("hover_stand", lang), "essence": _k("col_group", lang),
              "status": _k("hover_status", lang), "area": "ha",
              "t_h": _k("hover_t", lang), "p_h": _k("hover_p", lang),
              "dieback": _k("hover_dieback", lang), "fuel": _k("col_fuel", lang),
              "arrival": _k("hover_arrival", lang)}
    legend = [st for st in (*STATUSES, UNKNOWN) if st != UNKNOWN or (status == UNKNOWN).any()]

    def hook(plot, element):
        """Run at each draw: the first adds the patches (one renderer whose colour column
        says the status, and one empty renderer per status for the legend: the three
        statuses always have an entry); the next ones, the same stands, only send the
        changed columns to the browser (no geometry, no new figure: issue 17)."""
        from bokeh.models import ColumnDataSource, HoverTool

        fig = plot.state
        existing = fig.select(name=_STANDS)
        if existing:
            src = existing[0].data_source
            if list(src.data["stand"]) == list(cols["stand"]):
                src.data.update({k: v for k, v in cols.items()
                                 if not np.array_equal(src.data[k], v)})
            else:
                src.data = {"xs": xs, "ys": ys, **cols}
            return
        src = ColumnDataSource({"xs": xs, "ys": ys, **cols})
        main = fig.patches("xs", "ys", source=src, fill_color="colour", fill_alpha=0.85,
                           line_color="white", line_width=0.3, name=_STANDS)
        keys = [fig.patches([], [], fill_color=STATUS_COLOURS[st], fill_alpha=0.85,
                            line_color="white", legend_label=_k(f"status.{st}", lang))
                for st in legend]
        # under the fire and the ignition point drawn by HoloViews
        for r in (main, *keys):
            fig.renderers.remove(r)
        fig.renderers[1:1] = [main, *keys]
        fig.add_tools(HoverTool(renderers=[main],
                                tooltips=[(labels[k], f"@{k}") for k in labels]))

    return hook


def _scenario(ws, label: str):
    return next((s for s in ws.scenarios if s.label == label), None)


def fwi_chart(ws) -> pn.viewable.Viewable:
    """Daily IFM of the weather year today and at each scenario's horizon, with the threshold."""
    _ensure_backend()
    curves, threshold, horizons = [], None, []
    for i, res in enumerate(ws.results):
        s = _scenario(ws, res.label)
        if s is None:
            continue
        daily = fm.daily_fire_weather(ws.territory, s)
        day = pd.to_datetime(daily.index) if isinstance(daily.index, pd.DatetimeIndex) else \
            pd.date_range(f"{fm.WEATHER_YEAR}-01-01", periods=len(daily))
        if i == 0:
            curves.append(hv.Curve((day, daily["fwi_present"]), _k("day", ws.lang), "IFM",
                                   label=_k("today", ws.lang)).opts(color="#555555",
                                                                     line_width=1.2))
            threshold = s.fwi_threshold
        # the legend names the scenario only, its horizon goes to the title: the same
        # layers at every refresh, so the chart is updated in place (issue 17)
        horizons.append(_k("at_horizon", ws.lang, label=res.label, horizon=s.horizon,
                           warming=f"{s.warming:.1f}"))
        curves.append(hv.Curve((day, daily["fwi_horizon"]), _k("day", ws.lang), "IFM",
                               label=res.label).opts(line_width=1.2))
    if not curves:
        return pn.pane.HTML("")
    overlay = hv.Overlay(curves)
    if threshold is not None:
        overlay = overlay * hv.HLine(threshold).opts(color="#d7191c", line_dash="dashed",
                                                     line_width=1)
    overlay = overlay.opts(hv.opts.Curve(responsive=True, height=320, tools=["hover"]),
                           hv.opts.Overlay(legend_position="top_left", responsive=True,
                                           title=_k("fwi_title", ws.lang,
                                                    year=fm.WEATHER_YEAR)
                                           + " — " + " · ".join(horizons)))
    return pn.Column(pn.pane.Markdown(f"### {_k('fwi_heading', ws.lang)}"),
                     pn.pane.HoloViews(overlay, sizing_mode="stretch_width",
                                       css_classes=["twin-forest-fwi"]),
                     pn.pane.Markdown(_k("fwi_note", ws.lang)), sizing_mode="stretch_width")


def species_table(result: Result, lang: str) -> pd.DataFrame:
    """Area (ha) of each species group by status at the horizon, with the fuel model."""
    st = pd.DataFrame(result.layers["stands"].drop(columns="geometry"))
    pivot = st.pivot_table(index="group", columns="status", values="area_ha", aggfunc="sum",
                           fill_value=0.0)
    for s in (*STATUSES, UNKNOWN):
        if s not in pivot:
            pivot[s] = 0.0
    pivot = pivot[[*STATUSES, UNKNOWN]]
    pivot["total"] = pivot.sum(axis=1)
    pivot["unsuitable_share"] = (pivot["unsuitable"] / pivot["total"] * 100).round(1)
    pivot = pivot.sort_values("total", ascending=False)
    fuel = st.groupby("group")["fuel_model"].first()
    out = pivot.round(1).reset_index()
    out.insert(1, "fuel_model", out["group"].map(fuel))
    out["group"] = [group_label(g, lang) for g in out["group"]]
    total = {c: out[c].sum() for c in (*STATUSES, UNKNOWN, "total")}
    total.update(group=_k("total", lang), fuel_model="",
                 unsuitable_share=round(total["unsuitable"] / total["total"] * 100, 1))
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    names = {"group": _k("col_group", lang), "fuel_model": _k("col_fuel", lang),
             "total": _k("col_total", lang), "unsuitable_share": _k("col_share", lang),
             **{s: _k(f"status.{s}", lang) + " (ha)" for s in (*STATUSES, UNKNOWN)}}
    return out.rename(columns=names)


def species_tables(ws) -> pn.viewable.Viewable:
    """One per-species area table per scenario (tabs)."""
    return scenario_tables(ws.results, _k("species_heading", ws.lang),
                           lambda r: species_table(r, ws.lang), "twin-forest-species",
                           layer="stands")


def plan_table(result: Result, lang: str) -> pd.DataFrame:
    """The cut-and-replant plan: one row per stand cut, species replanted, cost, volume,
    carbon and gain per ha."""
    plan = result.layers.get("plan")
    if not isinstance(plan, gpd.GeoDataFrame) or not len(plan):
        return pd.DataFrame()
    df = pd.DataFrame(plan.drop(columns="geometry")).sort_values("gain", ascending=False)
    out = pd.DataFrame({
        _k("col_stand", lang): df["stand_id"],
        _k("col_group", lang): [group_label(g, lang) for g in df["group"]],
        "INSEE": df["code_insee"],
        _k("col_area", lang): df["area_ha"].round(1),
        _k("col_status", lang): [_k(f"status.{s}", lang) for s in df["status"]],
        _k("col_species", lang): [group_label(g, lang) for g in df["plan_species"]],
        _k("col_cost", lang): df["cost_eur"].round(0),
        _k("col_volume", lang): df["volume_m3"].round(0),
        _k("col_carbon", lang): df["carbon_tco2"].round(0),
        _k("col_gain", lang): df["gain"].round(3)})
    return out.reset_index(drop=True)


def plan_tables(ws) -> pn.viewable.Viewable:
    """The plan of each scenario (tabs), each with a CSV download (GeoPackage: the page's
    export of all layers holds the ``plan`` layer)."""
    import io

    tabs = []
    for r in ws.results:
        df = plan_table(r, ws.lang)
        body = (pn.pane.DataFrame(df, index=False, sizing_mode="stretch_width",
                                  css_classes=["twin-forest-plan"]) if len(df)
                else pn.pane.Markdown(_k("plan_empty", ws.lang)))
        csv = df.to_csv(index=False).encode("utf-8-sig")
        dl = pn.widgets.FileDownload(callback=lambda c=csv: io.BytesIO(c),
                                     filename=f"plan_{r.label}.csv",
                                     label=_k("plan_download", ws.lang))
        tabs.append(pn.Column(dl, body, name=r.label, sizing_mode="stretch_width"))
    return pn.Column(pn.pane.Markdown(f"### {_k('plan_heading', ws.lang)}"),
                     pn.Tabs(*tabs, sizing_mode="stretch_width"), sizing_mode="stretch_width")
