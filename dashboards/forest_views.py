"""Forest page views: the map of stands by suitability status (categorical legend) with the
simulated fire, the daily IFM chart (today vs the horizon) and the per-species area table."""

from __future__ import annotations

import geopandas as gpd
import holoviews as hv
import numpy as np
import pandas as pd
import panel as pn

from dashboards.shell.views import PLAN_IGN, _ensure_backend
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


def forest_map(result: Result, spec: ModelSpec, communes: gpd.GeoDataFrame, basemap: bool,
               lang: str) -> hv.Overlay:
    """Stands coloured by status at the horizon (one legend entry per status), the simulated
    fire's arrival-time bands and its ignition point."""
    import cartopy.crs as ccrs
    import geoviews as gv

    _ensure_backend()
    merc = ccrs.GOOGLE_MERCATOR
    elements: list[hv.Element] = []
    if basemap:
        elements.append(gv.WMTS(PLAN_IGN, name="Plan IGN"))
    stands = result.layers.get("stands")
    outline = communes
    if isinstance(stands, gpd.GeoDataFrame) and len(stands):
        x0, y0, x1, y1 = stands.total_bounds
        pad = max(x1 - x0, y1 - y0) * 0.05
        outline = communes.cx[x0 - pad:x1 + pad, y0 - pad:y1 + pad]
    elements.append(gv.Path(outline.to_crs(3857).boundary.to_frame("geometry"), crs=merc)
                    .opts(color="#666", line_width=0.6))
    if isinstance(stands, gpd.GeoDataFrame) and len(stands):
        data = stands.to_crs(3857)
        data = data.assign(
            essence_label=[group_label(g, lang) for g in data["group"]],
            status_label=[_k(f"status.{s}", lang) for s in data["status"]],
            dieback_pct=(data["dieback_prob"] * 100).round(1))
        vdims = ["stand_id", "essence_label", "status_label", "area_ha", "tmean_h_c",
                 "precip_h_mm", "dieback_pct", "fuel_model"]
        for status in (*STATUSES, UNKNOWN):
            part = data[data["status"] == status]
            if len(part):
                elements.append(gv.Polygons(
                    part[vdims + ["geometry"]], vdims=vdims, crs=merc,
                    label=_k(f"status.{status}", lang)).opts(
                    color=STATUS_COLOURS[status], line_color="white", line_width=0.2,
                    alpha=0.85, tools=["hover"]))
    fire = result.layers.get("fire")
    if isinstance(fire, gpd.GeoDataFrame) and len(fire):
        fdata = fire.to_crs(3857)
        fire_label = _k("fire_arrival", lang)
        fdata = fdata.rename(columns={"arrival_h": fire_label})
        elements.append(gv.Polygons(fdata[[fire_label, "area_ha", "geometry"]],
                                    vdims=[fire_label, "area_ha"], crs=merc).opts(
            color=fire_label, cmap="inferno", colorbar=True, clabel=f"{fire_label} (h)",
            line_color=None, alpha=0.9, tools=["hover"]))
    sc = result.scenario.get("params", {})
    ign = gpd.GeoSeries(gpd.points_from_xy([sc.get("ignition_x", np.nan)],
                                           [sc.get("ignition_y", np.nan)]), crs=2154)
    if ign.notna().all():
        p = ign.to_crs(3857).iloc[0]
        elements.append(gv.Points(pd.DataFrame({"x": [p.x], "y": [p.y]}), kdims=["x", "y"],
                                  crs=merc, label=_k("ignition", lang)).opts(
            color="black", marker="x", size=14, line_width=3))
    title = f"{t(f'maps.{spec.id}', lang)} — {result.label}"
    return hv.Overlay(elements).opts(
        responsive=True, height=520, xaxis=None, yaxis=None, active_tools=["wheel_zoom"],
        title=title, legend_position="top_left", show_legend=True)


def _scenario(ws, label: str):
    return next((s for s in ws.scenarios if s.label == label), None)


def fwi_chart(ws) -> pn.viewable.Viewable:
    """Daily IFM of the weather year today and at each scenario's horizon, with the threshold."""
    _ensure_backend()
    curves, threshold = [], None
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
        curves.append(hv.Curve((day, daily["fwi_horizon"]), _k("day", ws.lang), "IFM",
                               label=_k("at_horizon", ws.lang, label=res.label,
                                        horizon=s.horizon, warming=f"{s.warming:.1f}"))
                      .opts(line_width=1.2))
    if not curves:
        return pn.pane.HTML("")
    overlay = hv.Overlay(curves)
    if threshold is not None:
        overlay = overlay * hv.HLine(threshold).opts(color="#d7191c", line_dash="dashed",
                                                     line_width=1)
    overlay = overlay.opts(hv.opts.Curve(responsive=True, height=320, tools=["hover"]),
                           hv.opts.Overlay(legend_position="top_left", responsive=True,
                                           title=_k("fwi_title", ws.lang,
                                                    year=fm.WEATHER_YEAR)))
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
    tabs = [pn.pane.DataFrame(species_table(r, ws.lang), index=False, name=r.label,
                              sizing_mode="stretch_width", css_classes=["twin-forest-species"])
            for r in ws.results if "stands" in r.layers]
    return pn.Column(pn.pane.Markdown(f"### {_k('species_heading', ws.lang)}"),
                     pn.Tabs(*tabs, sizing_mode="stretch_width"), sizing_mode="stretch_width")
