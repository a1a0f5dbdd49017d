"""Agriculture page views: stations by nitrate class over the catchments, per-station table,
monthly irrigation against the low-flow resource, no-farmland notice (pure builders + extras)."""

from __future__ import annotations

import io

import geopandas as gpd
import holoviews as hv
import pandas as pd
import panel as pn

from dashboards.shell.views import _ensure_backend, basemap_layer, merged_lines
from twin_core.i18n import t

#: Nitrate classes (Nitrates Directive / drinking water 50 mg/L; 25 mg/L reporting class).
CLASS_COLOURS = {"<25": ("class_low", "#2c7bb6"), "25-50": ("class_mid", "#fdae61"),
                 ">50": ("class_high", "#d7191c")}
TABLE_COLUMNS = ("code_station", "name", "river", "no3_observed", "no3_present_mg_l",
                 "no3_mg_l", "nitrate_class", "irrigation_peak_pct")


def _ui(key: str, lang: str, **params) -> str:
    return t(f"agri_ui.{key}", lang, **params)


def nitrate_map(result, spec, communes: gpd.GeoDataFrame, basemap: bool, lang: str) -> hv.Element:
    """Catchment outlines and stations coloured by projected nitrate class (< 25, 25–50,
    > 50 mg/L), one legend entry per class, hover with the values."""

    _ensure_backend()
    st = result.layers.get("stations")
    elements = []
    elements.append(basemap_layer(basemap))
    x0, y0, x1, y1 = (st.total_bounds if st is not None and len(st)
                      else communes.total_bounds)
    pad = max(x1 - x0, y1 - y0) * 0.05
    near = communes.cx[x0 - pad:x1 + pad, y0 - pad:y1 + pad].geometry.simplify(200)
    elements.append(merged_lines(near.to_frame("geometry")).opts(color="#bbb", line_width=0.4))
    catch = result.layers.get("catchments")
    if isinstance(catch, gpd.GeoDataFrame) and len(catch):
        big = catch.assign(_a=catch.geometry.area).sort_values("_a", ascending=False).head(40)
        elements.append(merged_lines(big).opts(color="#4a6fa5", line_width=0.8, alpha=0.6))
    vdims = ["name", "river", "no3", "observed", "nitrate_class"]
    counts = []
    if st is not None and len(st):
        data = st.to_crs(3857)
        data = pd.DataFrame(data.assign(no3=data["no3_mg_l"].round(1),
                                        observed=data["no3_observed"].round(1),
                                        x=data.geometry.x, y=data.geometry.y)
                            .drop(columns="geometry"))
    else:
        data = pd.DataFrame(columns=["x", "y", *vdims])
    # one layer per class, even empty, with a fixed legend (the counts go to the title): the
    # same layers at every refresh, so the map is updated in place (issue 17)
    for cls, (key, colour) in CLASS_COLOURS.items():
        sub = data.loc[data["nitrate_class"] == cls, ["x", "y", *vdims]]
        counts.append(f"{_ui(key, lang)} : {len(sub)}")
        elements.append(hv.Points(sub, kdims=["x", "y"], vdims=vdims, label=_ui(key, lang))
                        .opts(color=colour, size=8, line_color="#333", tools=["hover"]))
    title = (f"{t(f'maps.{spec.id}', lang)} — {_ui('classes_title', lang)} "
             f"({' · '.join(counts)})")
    return hv.Overlay(elements).opts(responsive=True, height=440, xaxis=None, yaxis=None,
                                     active_tools=["wheel_zoom"], title=title,
                                     legend_position="top_left")


def station_table(results, lang: str) -> pd.DataFrame:
    """One row per station and scenario with observed, present and projected nitrate."""
    frames = []
    for res in results:
        st = res.layers.get("stations")
        if st is None:
            continue
        cols = [c for c in TABLE_COLUMNS if c in st.columns]
        frames.append(pd.DataFrame(st[cols]).assign(scenario=res.label))
    if not frames:
        return pd.DataFrame()
    table = pd.concat(frames, ignore_index=True).round(1)
    return table.rename(columns={c: _ui(f"col_{c}", lang) for c in table.columns})


def irrigation_chart(results, lang: str) -> hv.Element:
    """Monthly irrigation withdrawals (net supplied / application efficiency) and net need per
    scenario against the territory's low-flow resource."""
    _ensure_backend()
    curves = []
    resource = None
    for res in results:
        m = res.layers.get("irrigation_monthly")
        if m is None:
            continue
        df = m.assign(**{c: m[c] / 1e6 for c in ("need_m3", "withdrawal_m3", "resource_m3")})
        resource = df
        curves.append(hv.Curve(df, "month", "withdrawal_m3",
                               label=f"{res.label} — {_ui('withdrawal_m3', lang)}")
                      .opts(line_width=2.5))
        curves.append(hv.Curve(df, "month", "need_m3",
                               label=f"{res.label} — {_ui('need_m3', lang)}")
                      .opts(line_dash="dotted"))
    if resource is not None:
        curves.append(hv.Curve(resource, "month", "resource_m3",
                               label=_ui("resource_m3", lang)).opts(color="#1f78b4",
                                                                    line_dash="dashed"))
    if not curves:
        return hv.Curve([])
    ticks = [(i, _ui(f"month_{i}", lang)) for i in range(1, 13)]
    return hv.Overlay(curves).opts(
        hv.opts.Curve(responsive=True, height=300, xticks=ticks, xlabel=_ui("month", lang),
                      ylabel=_ui("volume_mm3", lang), tools=["hover"], logy=False),
        hv.opts.Overlay(legend_position="right", responsive=True,
                        title=_ui("irrigation_chart", lang)))


# -- extras: fn(workspace) -> viewable -------------------------------------------------------------
def farmland_notice(ws) -> pn.viewable.Viewable:
    codes = []
    for res in ws.results:
        n = int(res.values.get("stations_without_farmland", 0) or 0)
        if n:
            codes.append(n)
    if not codes:
        return pn.pane.HTML("", visible=False)
    from twin_core.models.agriculture.model import prepared

    missing = prepared(ws.territory).no_farmland
    return pn.pane.Alert(_ui("no_farmland", ws.lang, n=len(missing),
                             codes=", ".join(missing[:10])),
                         alert_type="warning", css_classes=["twin-agri-no-farmland"])


def irrigation_extra(ws) -> pn.viewable.Viewable:
    return pn.Column(pn.pane.Markdown(f"### {_ui('irrigation_chart', ws.lang)}"),
                     pn.pane.HoloViews(irrigation_chart(ws.results, ws.lang),
                                       sizing_mode="stretch_width", min_height=300),
                     sizing_mode="stretch_width", css_classes=["twin-agri-irrigation"])


def stations_extra(ws) -> pn.viewable.Viewable:
    table = station_table(ws.results, ws.lang)

    def csv() -> io.BytesIO:
        return io.BytesIO(table.to_csv(index=False).encode("utf-8-sig"))

    download = pn.widgets.FileDownload(callback=csv, filename="nitrates_par_station.csv",
                                       label=_ui("export_stations", ws.lang),
                                       css_classes=["twin-agri-stations-csv"])
    return pn.Column(pn.pane.Markdown(f"### {_ui('station_table', ws.lang)}"), download,
                     pn.pane.DataFrame(table, index=False, sizing_mode="stretch_width",
                                       max_height=420, styles={"overflow-y": "auto"},
                                       css_classes=["twin-agri-stations"]),
                     sizing_mode="stretch_width")


def station_series(ws) -> pn.viewable.Viewable:
    """The observed Naïades series of the station nearest to the last map click, with the
    projected annual mean of each scenario and the 25 / 50 mg/L thresholds."""
    title = pn.pane.Markdown(f"### {_ui('station_series', ws.lang)}")
    if ws.clicked is None:
        return pn.Column(title, pn.pane.Markdown(_ui("click_station", ws.lang)),
                         css_classes=["twin-agri-series"])
    stations = ws.territory.layer("stations")
    x, y = ws.clicked
    nearest = stations.geometry.distance(gpd.points_from_xy([x], [y])[0]).idxmin()
    code = stations.at[nearest, "code_station"]
    obs = ws.territory.layer("nitrates")
    obs = obs[obs["code_station"] == code].assign(date=lambda d: pd.to_datetime(d["date"]))
    elements = [hv.Scatter(obs, "date", "no3_mg_l", label=_ui("observed", ws.lang))
                .opts(color="#333", size=4, tools=["hover"])]
    for res in ws.results:
        layer = res.layers.get("stations")
        if layer is not None and code in set(layer["code_station"]):
            value = float(layer.loc[layer["code_station"] == code, "no3_mg_l"].iloc[0])
            elements.append(hv.HLine(value).opts(line_dash="dashed", color="#1f77b4"))
            elements.append(hv.Text(obs["date"].min() if len(obs) else 0, value,
                                    f"{res.label} : {value:.1f} mg/L").opts(
                text_align="left", text_baseline="bottom", text_font_size="9pt"))
    for limit, colour in ((25, "#e6a700"), (50, "#c0392b")):
        elements.append(hv.HLine(limit).opts(color=colour, line_width=1))
    name = stations.at[nearest, "name"]
    plot = hv.Overlay(elements).opts(
        responsive=True, height=280, ylabel="mg NO3/L", xlabel="",
        title=f"{name} ({code})", show_legend=False)
    return pn.Column(title, pn.pane.HoloViews(plot, sizing_mode="stretch_width",
                                              min_height=280),
                     sizing_mode="stretch_width", css_classes=["twin-agri-series"])


EXTRAS = [farmland_notice, station_series, irrigation_extra, stations_extra]
