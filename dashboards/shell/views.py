"""Pure view builders: indicator cards, map, time series (no session state here)."""

from __future__ import annotations

import html

import geopandas as gpd
import holoviews as hv
import numpy as np
import pandas as pd
import panel as pn

from twin_core.i18n import format_number, t
from twin_core.models.base import ModelSpec, Result

PLAN_IGN = ("https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
            "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM"
            "&TILEMATRIX={Z}&TILEROW={Y}&TILECOL={X}&FORMAT=image/png")


def _show_tiles(plot, element) -> None:
    plot.handles["glyph_renderer"].visible = True


def _hide_tiles(plot, element) -> None:
    plot.handles["glyph_renderer"].visible = False


def basemap_layer(shown: bool, geo: bool = True) -> hv.Element:
    """The Plan IGN tiles, always part of the map and shown or hidden by the basemap switch:
    the map's layers stay the same, so switching updates the figure in place
    (:class:`LivePlot`) instead of sending a new one. A hidden tile layer fetches no tile.
    ``geo``: a GeoViews layer (maps of GeoViews elements), else a HoloViews one."""
    import geoviews as gv

    tiles = gv.WMTS(PLAN_IGN, name="Plan IGN") if geo else hv.Tiles(PLAN_IGN, name="Plan IGN")
    return tiles.opts(hooks=[_show_tiles if shown else _hide_tiles])


def _ensure_backend() -> None:
    """Bokeh plotting for HoloViews (the app loads it; a test or notebook may not have)."""
    if "bokeh" not in hv.Store.renderers or hv.Store.current_backend != "bokeh":
        hv.extension("bokeh", logo=False)


def layer_signature(element) -> tuple | None:
    """What a plot is made of (element types, groups and labels, layer by layer); None for a
    dynamic (aggregated) element, which is always replaced."""
    if isinstance(element, hv.DynamicMap):
        return None
    if isinstance(element, hv.Overlay):
        return tuple((type(e).__name__, e.group, e.label) for e in element)
    return ((type(element).__name__, element.group, element.label),)


class LivePlot:
    """A HoloViews pane whose Bokeh figure is kept across refreshes: a new element made of the
    same layers (:func:`layer_signature`) is pushed through a ``hv.streams.Pipe`` into a
    ``DynamicMap``, and HoloViews updates the figure's data sources in place. Replacing the
    pane's object instead sends a whole new figure, which the browser builds, then re-lays the
    whole page out: 0.3-1 s of main thread per plot on the samples (issue 17). A different
    set of layers, or a dynamic element, replaces the figure."""

    def __init__(self, pane: pn.pane.HoloViews | None = None, **pane_params) -> None:
        self.pane = pane if pane is not None else pn.pane.HoloViews(None, **pane_params)
        self.pane.__dict__["_twin_live"] = self  # found again by liven / morph
        self._pipe: hv.streams.Pipe | None = None
        self._signature: tuple | None = None
        self._element = None  # the element last shown
        self.view = None  # what the pane shows (a DynamicMap when updated in place)

    def update(self, element, replace: bool = False) -> bool:
        """Show ``element``; True when a new figure was made (streams must be re-attached
        to :attr:`view`), False when the existing one was updated in place."""
        if self.pane.min_height is not None and not isinstance(element, hv.DynamicMap):
            # the figure's own minimum height, the pane's: otherwise its first update
            # resets it, a change that re-lays the whole page out in the browser
            element = element.opts(min_height=self.pane.min_height)
        signature = None if replace else layer_signature(element)
        if signature is not None and signature == self._signature and self._pipe is not None:
            keep_unchanged_layers(self._element, element)
            self._element = element
            self._pipe.send(element)
            return False
        if signature is None:
            self._pipe = None
            self.view = element
        else:
            self._pipe = hv.streams.Pipe(data=element)
            self.view = hv.DynamicMap(_identity, streams=[self._pipe])
        self._signature = signature
        self._element = element
        self.pane.object = self.view
        return True


def _equal(a, b) -> bool:
    """Deep equality of element data (arrays, frames, xarray objects, dicts, lists)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.shape == b.shape and a.dtype == b.dtype and (
            np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, (pd.DataFrame, pd.Series)):
        return a.equals(b) and list(getattr(a, "columns", [])) == list(getattr(b, "columns", []))
    if hasattr(a, "identical"):  # xarray
        return bool(a.identical(b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def keep_unchanged_layers(old, new) -> int:
    """Give each layer of ``new`` whose data equals the same layer of ``old`` the plot id of
    the old one: HoloViews then keeps that layer's Bokeh data source as it is instead of
    sending the same data again (e.g. the commune outlines, ~200 kB per update on the
    agriculture map). Returns how many layers were kept."""
    if old is None:
        return 0
    pairs = (zip(old, new, strict=True) if isinstance(new, hv.Overlay) and
             isinstance(old, hv.Overlay) and len(old) == len(new) else [(old, new)])
    kept = 0
    for o, n in pairs:
        if (isinstance(n, hv.Element) and type(o) is type(n) and o.kdims == n.kdims
                and o.vdims == n.vdims and _equal(o.data, n.data)):
            n._plot_id = o._plot_id
            kept += 1
    return kept


def _identity(data):
    return data


_LISTS = (pn.layout.base.ListLike, pn.layout.base.NamedListLike)


def _morphable(old, new) -> bool:
    """True when ``old`` can be made to show ``new`` without new components: same types and
    classes all the way down, same tab titles; panes (their object changes) and download
    buttons only (other widgets carry watchers bound to their own view)."""
    if old is new:
        return True
    if type(old) is not type(new) or list(old.css_classes) != list(new.css_classes):
        return False
    if isinstance(old, _LISTS):
        if len(old.objects) != len(new.objects):
            return False
        if isinstance(old, pn.Tabs) and old._names != new._names:
            return False
        if isinstance(old, pn.Card) and old.title != new.title:
            return False
        return all(_morphable(o, n) for o, n in zip(old.objects, new.objects, strict=True))
    return isinstance(old, (pn.pane.PaneBase, pn.widgets.FileDownload))


def _morph(old, new) -> None:
    if old is new:
        return
    if isinstance(old, _LISTS):
        for o, n in zip(old.objects, new.objects, strict=True):
            _morph(o, n)
    elif isinstance(old, pn.pane.HoloViews):
        live = old.__dict__.get("_twin_live") or LivePlot(pane=old)
        live.update(new.object)
    elif isinstance(old, pn.widgets.FileDownload):
        old.param.update(callback=new.callback, filename=new.filename, label=new.label)
    else:
        if isinstance(old, pn.pane.Alert):
            old.alert_type = new.alert_type
        if old.visible != new.visible:
            old.visible = new.visible
        old.object = new.object


def liven(view):
    """Make every HoloViews pane of ``view`` a :class:`LivePlot` before it is shown, so that
    its first refresh already updates the figure in place; returns ``view``."""
    if isinstance(view, pn.viewable.Viewable):
        for pane in view.select(pn.pane.HoloViews):
            if "_twin_live" not in pane.__dict__ and pane.object is not None:
                LivePlot(pane=pane).update(pane.object)
    return view


def morph(old, new) -> bool:
    """Make the view ``old`` show ``new`` in place when they have the same structure
    (:func:`_morphable`): panes take the new objects, plots are updated in place
    (:class:`LivePlot`); nothing new is sent to the browser but the changed values, and the
    page is not re-laid out (issue 17). False, and ``old`` untouched, otherwise."""
    if not _morphable(old, new):
        return False
    _morph(old, new)
    return True


def scenario_tables(results: list[Result], title: str, table, css: str,
                    layer: str | None = None) -> pn.Column:
    """A heading and one tab per scenario holding ``table(result)`` (a DataFrame); scenarios
    whose result lacks ``layer`` are skipped."""
    tabs = [pn.pane.DataFrame(table(r), index=False, name=r.label, sizing_mode="stretch_width",
                              css_classes=[css])
            for r in results if layer is None or layer in r.layers]
    return pn.Column(pn.pane.Markdown(f"### {title}"),
                     pn.Tabs(*tabs, sizing_mode="stretch_width"), sizing_mode="stretch_width")


def merged_lines(gdf: gpd.GeoDataFrame) -> hv.Path:
    """Every line (or polygon boundary) of a layer as ONE Web Mercator path, parts separated
    by NaN. Browsers draw this in a fraction of the time one path per feature takes (a Bokeh
    multi-line per feature took tens of seconds for ~700 communes); no hover."""
    import shapely

    geoms = gdf.to_crs(3857).geometry.to_numpy()
    geoms = np.where(shapely.get_type_id(geoms) >= 3, shapely.boundary(geoms), geoms)
    parts = shapely.get_parts(geoms)
    parts = parts[~shapely.is_empty(parts)]
    if not len(parts):
        return hv.Path([])
    xy = np.concatenate([np.vstack([shapely.get_coordinates(g), [[np.nan, np.nan]]])
                         for g in parts])[:-1]
    return hv.Path([{"x": xy[:, 0], "y": xy[:, 1]}])


def fmt(value: float, decimals: int | None = 1, lang: str = "fr") -> str:
    """The app's number format (:func:`twin_core.i18n.format_number`)."""
    return format_number(value, lang, decimals)


#: Badge colours per evidence level (text stays dark on light: contrast ≥ 4.5:1).
_BADGE = {"observed": "#dcefdc", "validated": "#d6e9f8", "calibrated": "#efe3c8",
          "assumption": "#eeeeee"}


def evidence_badge(row: pd.Series | dict, lang: str) -> str:
    """The card's short evidence badge; its tooltip (title, also read by screen readers)
    gives the source, check, skill, driving assumptions and synthetic inputs."""
    level = str(row.get("evidence", ""))
    if not level:
        return ""
    text = t(f"evidence.level_{level}", lang)
    if row.get("synthetic"):
        text += " · " + t("evidence.synthetic_short", lang)
    detail = html.escape(str(row.get("evidence_detail", "")).replace(" | ", "\n"), quote=True)
    return (f'<span class="twin-evidence" data-level="{level}" '
            f'data-synthetic="{"1" if row.get("synthetic") else "0"}" tabindex="0" '
            f'title="{detail}" aria-label="{html.escape(text)} — {detail}" '
            f'style="font-size:0.75em;background:{_BADGE.get(level, "#eee")};color:#222;'
            f'border-radius:8px;padding:0 6px;margin-left:4px;white-space:nowrap">'
            f'{html.escape(text)}</span>')


def cards_html(table: pd.DataFrame, decimals: dict[str, int], lang: str,
               ranges: dict[tuple[str, str], tuple[float, float]] | None = None) -> str:
    """One card per indicator: value per scenario and the change against the reference;
    with an ensemble, the 5-95 % range of each scenario (``ranges[(scenario, indicator)]``);
    the evidence badge of the indicator, and a note instead of values for a fit without
    skill (:mod:`twin_core.evidence`)."""
    if table.empty:
        return ""
    ref = table["reference"].iloc[0]
    has_finding = "finding" in table.columns
    groups: dict[str, list[dict]] = {}
    for rec in table.to_dict("records"):  # plain records: pandas row access took 50 ms
        groups.setdefault(rec["indicator"], []).append(rec)
    parts = []
    for ind_id, rows in groups.items():
        first = rows[0]
        d = decimals.get(ind_id, 1)
        units = html.escape(str(first["units"]))
        lines = []
        for r in rows:
            delta = ""
            if r["scenario"] != ref:
                sign = "+" if r["delta"] > 0 else ""
                delta = (f' <span class="twin-delta" title="Δ {html.escape(str(ref))}">'
                         f'(Δ {sign}{fmt(r["delta"], d, lang)})</span>')
            band = ""
            if ranges and (r["scenario"], ind_id) in ranges:
                lo, hi = ranges[(r["scenario"], ind_id)]
                band = (f' <span class="twin-range" title="5-95 %">[{fmt(lo, d, lang)} – '
                        f'{fmt(hi, d, lang)}]</span>')
            lines.append(f'<div><b>{html.escape(str(r["scenario"]))}</b> : '
                         f'<span class="twin-value">{fmt(r["value"], d, lang)}</span> '
                         f'{units}{band}{delta}</div>')
        if has_finding and not bool(first["finding"]):
            lines = [f'<div class="twin-no-finding" style="color:#7a3b00">'
                     f'{html.escape(t("evidence.no_finding_card", lang))}</div>']
        parts.append(
            f'<div class="twin-card" role="group" aria-label="{html.escape(first["label"])}" '
            f'data-indicator="{html.escape(ind_id)}" style="border:1px solid #ccd;'
            f'border-radius:6px;padding:6px 10px;margin:4px;min-width:210px;max-width:260px">'
            f'<div style="font-size:0.85em;color:#334">{html.escape(first["label"])}'
            f'{evidence_badge(first, lang)}</div>'
            + "".join(lines) + "</div>")
    return '<div style="display:flex;flex-wrap:wrap">' + "".join(parts) + "</div>"


def map_view(result: Result, spec: ModelSpec, territory_outline: gpd.GeoDataFrame,
             basemap: bool, lang: str) -> hv.Element:
    """Result layer coloured by the spec's column over the commune outlines (no tiles needed);
    a layer above the aggregation threshold is rasterised (:mod:`dashboards.shell.aggregate`)."""
    import cartopy.crs as ccrs
    import geoviews as gv

    from dashboards.shell import aggregate as agg

    _ensure_backend()
    layer = result.layers.get(spec.map_layer)
    if isinstance(layer, gpd.GeoDataFrame) and len(layer):
        # outlines around the mapped layer only (a territory may hold distant groups)
        x0, y0, x1, y1 = layer.to_crs(territory_outline.crs).total_bounds
        pad = max(x1 - x0, y1 - y0, 2_000) * 0.15
        territory_outline = territory_outline.cx[x0 - pad:x1 + pad, y0 - pad:y1 + pad]
    outline = merged_lines(territory_outline).opts(color="#555", line_width=0.6)
    label = t(f"maps.{spec.id}", lang, default=spec.map_column)
    clabel = f"{label} ({spec.map_units})" if spec.map_units else label
    title = clabel
    elements = []
    elements.append(basemap_layer(basemap))
    if isinstance(layer, gpd.GeoDataFrame) and spec.map_column in layer.columns:
        data = layer.to_crs(3857)
        keep = [c for c in ("nom", "name", "code_insee", spec.map_column) if c in data.columns]
        data = data[keep + ["geometry"]]
        kind = data.geometry.geom_type.iloc[0] if len(data) else "Polygon"
        common = dict(color=spec.map_column, cmap="viridis", colorbar=True, clabel=clabel,
                      tools=["hover"])
        if agg.is_large(len(data)):
            elements.append(agg.rasterised(data, spec.map_column, clabel))
            elements.append(outline)
            title = f"{clabel} — {agg.note(len(data), lang)}"
        elif kind in ("Point", "MultiPoint"):
            elements.append(outline)
            elements.append(gv.Points(data, vdims=keep, crs=ccrs.GOOGLE_MERCATOR)
                            .opts(size=7, **common))
        else:
            elements.append(gv.Polygons(data, vdims=keep, crs=ccrs.GOOGLE_MERCATOR)
                            .opts(line_color="white", line_width=0.3, **common))
            elements.append(outline)
    else:
        elements.append(outline)
    return agg.overlay(elements).opts(responsive=True, height=600, xaxis=None, yaxis=None,
                                      active_tools=["wheel_zoom"], title=title)


def series_view(results: list[Result], spec: ModelSpec, lang: str,
                bands: dict[str, pd.DataFrame] | None = None) -> hv.Element:
    """One line per scenario and series column; with ``bands`` (scenario label -> output of
    EnsembleResult.series_bands), the 5-95 % band of each line underneath."""
    _ensure_backend()
    curves = []
    for label, band in (bands or {}).items():
        for col in spec.series_y:
            lo, hi = f"{col}_p05", f"{col}_p95"
            if lo in band and hi in band:
                name = f"{label} — {t(f'series.{col}', lang, default=col)} (5-95 %)"
                curves.append(hv.Area(band, "year", [lo, hi], label=name).opts(
                    alpha=0.25, line_alpha=0))
    for res in results:
        if res.series is None or "year" not in res.series:
            continue
        for col in spec.series_y:
            if col in res.series:
                name = f"{res.label} — {t(f'series.{col}', lang, default=col)}"
                curves.append(hv.Curve(res.series, "year", col, label=name))
    ylabel = spec.series_units or ""
    if not curves:
        return hv.Curve([]).opts(responsive=True, height=300)
    return hv.Overlay(curves).opts(
        hv.opts.Curve(responsive=True, height=320, xlabel=t("app.year", lang, default="year"),
                      ylabel=ylabel, tools=["hover"]),
        hv.opts.Area(responsive=True, height=320),
        hv.opts.Overlay(legend_position="bottom", responsive=True))
