"""3D views with deck.gl (Panel's ``DeckGL`` pane, served with the app: works offline).

* Coast: the buildings extruded by their height and coloured by the flood depth of the mapped
  scenario (classes with an HTML legend, tooltip with the depth). Height: ``height_m`` when
  the layer has it, else storeys × 3 m (``floors``/``storeys``/``nb_etages``), else
  ``DEFAULT_HEIGHT_M``. Footprints: the layer's polygons; the sample's buildings are points
  (synthetic stand-in for BD TOPO), drawn as squares of their ground-floor area (floor area /
  storeys, as the damage model does). At most ``MAX_BUILDINGS`` are sent to the browser: all
  the exposed ones (flooded, in the retreat band, relocated) and a seeded sample of the
  others; the page says how many.
* Forest: the stands' suitability at the horizon draped on the relief where the territory has
  a ``dem`` layer (one square column per DEM cell, its height the elevation × an exaggeration
  factor, its colour the status of the stand under it); without a DEM the stands are shown
  flat and the page says that no DEM is available (none is made up).

No basemap: ``mapStyle`` is null, so neither Mapbox nor a tile server is contacted. The views
are built only when the user opens the "Vue 3D" section (deck.gl and its data are heavy).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import panel as pn
import shapely

from twin_core.i18n import t
from twin_core.models.base import Result

MAX_BUILDINGS = 20_000
STOREY_M = 3.0
DEFAULT_HEIGHT_M = 6.0  # two storeys: neither a height nor a storey count in the layer
DEFAULT_GROUND_M2 = 100.0  # footprint of a point without floor area
FLOOR_COLUMNS = ("floors", "storeys", "nb_etages", "nombre_d_etages")
#: Flood-depth classes (m, upper bounds) and their colours (light to dark blue); dry = grey.
DEPTH_CLASSES: tuple[tuple[float, tuple[int, int, int]], ...] = (
    (0.5, (158, 202, 225)), (1.0, (66, 146, 198)), (2.0, (8, 81, 156)),
    (float("inf"), (8, 29, 88)))
DRY = (190, 190, 190)
MAX_RELIEF_CELLS = 40_000
STATUS_RGB = {"suitable": (26, 150, 65), "at_risk": (253, 174, 97),
              "unsuitable": (215, 25, 28), "unknown": (187, 187, 187)}
RELIEF_RGB = (205, 200, 185)


def _k(key: str, lang: str, **kw: Any) -> str:
    return t(f"view3d.{key}", lang, **kw)


def _num(value: float, decimals: int, lang: str) -> str:
    from dashboards.shell.views import fmt

    return fmt(value, decimals, lang)


# -- buildings ------------------------------------------------------------------------------
def building_heights(buildings: pd.DataFrame) -> np.ndarray:
    """Height (m) of each building: ``height_m``, else storeys × 3 m, else the default."""
    n = len(buildings)
    out = np.full(n, np.nan)
    if "height_m" in buildings:
        out = pd.to_numeric(buildings["height_m"], errors="coerce").to_numpy(dtype=float)
    for col in FLOOR_COLUMNS:
        if col in buildings:
            floors = pd.to_numeric(buildings[col], errors="coerce").to_numpy(dtype=float)
            out = np.where(np.isfinite(out), out, floors * STOREY_M)
            break
    out = np.where(np.isfinite(out) & (out > 0), out, DEFAULT_HEIGHT_M)
    return out


def footprints(buildings: gpd.GeoDataFrame, heights: np.ndarray) -> gpd.GeoSeries:
    """Building footprints in the layer's CRS: polygons as they are; points as squares of
    their ground-floor area (floor area / storeys; DEFAULT_GROUND_M2 without floor area)."""
    geoms = buildings.geometry
    if not geoms.geom_type.isin(["Point", "MultiPoint"]).any():
        return geoms
    area = pd.to_numeric(buildings.get("floor_area_m2", pd.Series(np.nan, buildings.index)),
                         errors="coerce").to_numpy(dtype=float)
    storeys = np.maximum(np.round(heights / STOREY_M), 1.0)
    ground = np.where(np.isfinite(area) & (area > 0), area / storeys, DEFAULT_GROUND_M2)
    half = np.sqrt(ground) / 2.0
    pts = geoms.representative_point() if not (geoms.geom_type == "Point").all() else geoms
    x, y = pts.x.to_numpy(), pts.y.to_numpy()
    squares = shapely.box(x - half, y - half, x + half, y + half)
    is_point = geoms.geom_type.isin(["Point", "MultiPoint"]).to_numpy()
    return gpd.GeoSeries(np.where(is_point, squares, geoms.to_numpy()), index=buildings.index,
                         crs=buildings.crs)


def depth_colours(depth: np.ndarray) -> list[list[int]]:
    """RGB colour of each flood depth (m): DEPTH_CLASSES, grey when dry."""
    d = np.nan_to_num(np.asarray(depth, dtype=float))
    out = np.tile(np.array(DRY), (len(d), 1))
    lower = 0.0
    for upper, rgb in DEPTH_CLASSES:
        out[(d > max(lower, 0.0)) & (d <= upper)] = rgb
        lower = upper
    return out.tolist()


def select_buildings(result: Result, all_buildings: gpd.GeoDataFrame | None,
                     cap: int = MAX_BUILDINGS, seed: int = 0
                     ) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Buildings to draw: every exposed building of the result (with its flood depth) and a
    seeded sample of the other buildings of the territory, ``cap`` in all (exposed first).
    Also returns the counts shown on the page."""
    exposed = result.layers.get("buildings")
    if not isinstance(exposed, gpd.GeoDataFrame):
        exposed = gpd.GeoDataFrame(geometry=[], crs=2154)
    exposed = exposed.copy()
    for col, default in (("flood_depth_m", 0.0), ("in_retreat_band", False),
                         ("relocated", False)):
        if col not in exposed:
            exposed[col] = default
    others = all_buildings
    if isinstance(others, gpd.GeoDataFrame) and "building_id" in others and \
            "building_id" in exposed:
        others = others[~others["building_id"].isin(exposed["building_id"])]
    elif not isinstance(others, gpd.GeoDataFrame):
        others = exposed.iloc[:0]
    n_exposed, n_others = len(exposed), len(others)
    if n_exposed > cap:  # the deepest first
        exposed = exposed.sort_values("flood_depth_m", ascending=False).iloc[:cap]
    room = max(cap - len(exposed), 0)
    if n_others > room:
        others = others.sample(n=room, random_state=seed)
    others = others.to_crs(exposed.crs) if len(others) and exposed.crs else others
    others = others.assign(flood_depth_m=0.0, in_retreat_band=False, relocated=False)
    both = pd.concat([exposed, others[[c for c in exposed.columns if c in others.columns]]],
                     ignore_index=True)
    both = gpd.GeoDataFrame(both, geometry=exposed.geometry.name, crs=exposed.crs)
    counts = {"exposed": n_exposed, "exposed_shown": len(exposed), "others": n_others,
              "others_shown": len(others), "flooded": int((exposed["flood_depth_m"] > 0).sum())}
    return both, counts


def _rings_lonlat(geoms: gpd.GeoSeries) -> list[list[list[float]]]:
    """Exterior ring of each geometry (largest part) as [[lon, lat], …] (EPSG:4326)."""
    from pyproj import Transformer

    arr = geoms.to_numpy()
    multi = np.flatnonzero(shapely.get_type_id(arr) == 6)
    arr = arr.copy()
    for i in multi:  # the largest part of a multipolygon
        arr[i] = max(arr[i].geoms, key=lambda p: p.area)
    rings = shapely.get_exterior_ring(arr)
    xy, index = shapely.get_coordinates(rings, return_index=True)
    lon, lat = Transformer.from_crs(geoms.crs, 4326, always_xy=True).transform(xy[:, 0],
                                                                                xy[:, 1])
    flat = np.round(np.column_stack([lon, lat]), 6).tolist()
    cuts = np.searchsorted(index, np.arange(len(arr) + 1)).tolist()
    return [flat[a:b] for a, b in zip(cuts[:-1], cuts[1:], strict=True)]


def _records(columns: dict[str, list]) -> list[dict[str, Any]]:
    """Row dicts: the DeckGL pane turns them back into columns, sent as binary arrays when
    every row's list has the same length (positions, colours, equal polygons)."""
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _view_state(lon: float, lat: float, zoom: float, pitch: float = 50.0) -> dict[str, float]:
    return {"longitude": float(lon), "latitude": float(lat), "zoom": float(zoom),
            "pitch": pitch, "bearing": -15.0, "maxPitch": 85}


def _hot_spot(x: np.ndarray, y: np.ndarray, cell: float = 1_000.0) -> tuple[float, float]:
    """Centre of the densest ``cell`` × ``cell`` square of points (Lambert-93)."""
    if not len(x):
        return float("nan"), float("nan")
    ix, iy = np.floor(x / cell).astype(int), np.floor(y / cell).astype(int)
    keys, counts = np.unique(np.column_stack([ix, iy]), axis=0, return_counts=True)
    bx, by = keys[np.argmax(counts)]
    return (bx + 0.5) * cell, (by + 0.5) * cell


def _outline_layer(outline: gpd.GeoDataFrame | None) -> list[dict[str, Any]]:
    if not isinstance(outline, gpd.GeoDataFrame) or not len(outline):
        return []
    lines = outline.to_crs(4326).boundary.simplify(0.0003)
    paths = [np.round(shapely.get_coordinates(p), 5).tolist()
             for g in lines.to_numpy() for p in shapely.get_parts(g)]
    return [{"@@type": "PathLayer", "id": "communes",
             "data": pd.DataFrame({"path": pd.Series(paths, dtype=object)}),
             "getPath": "@@=path", "getColor": [90, 90, 90], "getWidth": 2,
             "widthUnits": "pixels", "pickable": False}]


def _deck(layers: list[dict[str, Any]], view: dict[str, float]) -> dict[str, Any]:
    return {"initialViewState": view, "mapStyle": None, "controller": True,
            "views": [{"@@type": "MapView", "controller": True}], "layers": layers}


def coast_deck(result: Result, all_buildings: gpd.GeoDataFrame | None,
               outline: gpd.GeoDataFrame | None, lang: str, exaggeration: float = 1.0,
               cap: int = MAX_BUILDINGS) -> tuple[dict[str, Any], dict[str, int]]:
    """The deck.gl JSON spec of the extruded buildings and the counts of what it shows."""
    shown, counts = select_buildings(result, all_buildings, cap)
    heights = building_heights(shown)
    depth = shown["flood_depth_m"].to_numpy(dtype=float)
    status = np.where(shown["relocated"].astype(bool), _k("relocated", lang),
                      np.where(shown["in_retreat_band"].astype(bool), _k("in_band", lang),
                               np.where(depth > 0, _k("flooded", lang), _k("not_exposed", lang))))
    columns = {
        "polygon": _rings_lonlat(footprints(shown, heights)),
        "fill": depth_colours(depth),
        "height": np.round(heights, 1).tolist(),
        "depth": [f"{d:.2f}".replace(".", "," if lang == "fr" else ".") for d in depth],
        "status": status.tolist(),
        "use": shown["use"].astype(str).tolist() if "use" in shown else [""] * len(shown),
    }
    flat = len({len(r) for r in columns["polygon"]}) == 1 and len(shown) > 0
    if flat:  # equal rings (the sample's squares): binary arrays, [x0, y0, x1, y1, …] per row
        columns["polygon"] = [sum(r, []) for r in columns["polygon"]]
        data: Any = _records(columns)
    else:
        data = pd.DataFrame({k: pd.Series(v, dtype=object) if k in ("polygon", "fill") else v
                             for k, v in columns.items()})
    pts = shown.geometry.representative_point()
    wet = depth > 0
    hx, hy = _hot_spot(pts.x.to_numpy()[wet], pts.y.to_numpy()[wet]) if wet.any() else \
        _hot_spot(pts.x.to_numpy(), pts.y.to_numpy())
    centre = gpd.GeoSeries(gpd.points_from_xy([hx], [hy]), crs=shown.crs).to_crs(4326)
    layer = {"@@type": "PolygonLayer", "id": "buildings", "data": data,
             "getPolygon": "@@=polygon", "getFillColor": "@@=fill",
             "getElevation": "@@=height", "elevationScale": float(exaggeration),
             "positionFormat": "XY" if flat else "XYZ",
             "extruded": True, "wireframe": False, "stroked": False, "filled": True,
             "pickable": True, "autoHighlight": True, "highlightColor": [255, 200, 0, 200]}
    view = _view_state(centre.x.iloc[0], centre.y.iloc[0], 14.0)
    return _deck(_outline_layer(outline) + [layer], view), counts


def depth_legend(lang: str, exaggeration: float = 1.0) -> str:
    """HTML legend of the depth classes (m)."""
    items = [(DRY, _k("dry", lang))]
    lower = 0.0
    for upper, rgb in DEPTH_CLASSES:
        text = (f"> {_num(lower, 1, lang)} m" if not np.isfinite(upper)
                else f"{_num(lower, 1, lang)} – {_num(upper, 1, lang)} m")
        items.append((rgb, text))
        lower = upper
    rows = "".join(
        f'<div style="display:flex;align-items:center;gap:6px"><span style="display:inline-'
        f'block;width:18px;height:12px;background:rgb{rgb};border:1px solid #666"></span>'
        f"{html.escape(text)}</div>" for rgb, text in items)
    return (f'<div class="twin-view3d-legend" role="group" aria-label="'
            f'{html.escape(_k("legend_depth", lang))}"><b>{html.escape(_k("legend_depth", lang))}'
            f"</b>{rows}<div style='margin-top:6px;font-size:0.85em'>"
            f"{html.escape(_k('legend_height', lang, k=_num(exaggeration, 0, lang)))}</div></div>")


# -- forest ---------------------------------------------------------------------------------
def relief_cells(dem, stands: gpd.GeoDataFrame, max_cells: int = MAX_RELIEF_CELLS
                 ) -> pd.DataFrame:
    """DEM cells over the stands' extent, block-averaged to ≤ ``max_cells``: Lambert-93 cell
    centre (x, y), elevation z (m), cell size (m) and the status of the stand under the centre
    ("" outside the stands)."""
    x0, y0, x1, y1 = stands.to_crs(dem.rio.crs).total_bounds
    da = dem.squeeze(drop=True) if "band" in dem.dims else dem
    da = da.rio.clip_box(x0, y0, x1, y1)
    factor = max(int(np.ceil(np.sqrt(da.size / max_cells))), 1)
    if factor > 1:
        da = da.coarsen(x=factor, y=factor, boundary="trim").mean()
    xs, ys = np.meshgrid(da.x.values, da.y.values)
    z = da.values.astype(float)
    ok = np.isfinite(z)
    cells = pd.DataFrame({"x": xs[ok], "y": ys[ok], "z": z[ok]})
    cells["size"] = float(abs(da.x.values[1] - da.x.values[0])) if da.sizes["x"] > 1 else 100.0
    pts = gpd.GeoDataFrame(cells, geometry=gpd.points_from_xy(cells["x"], cells["y"]),
                           crs=dem.rio.crs).to_crs(stands.crs)
    hit = gpd.sjoin(pts, stands[["status", "geometry"]], how="left", predicate="within")
    hit = hit[~hit.index.duplicated()]
    cells["status"] = hit["status"].fillna("").astype(str).to_numpy()
    return cells


def forest_deck(result: Result, dem, lang: str, exaggeration: float = 3.0
                ) -> dict[str, Any]:
    """deck.gl spec of the stands' status at the horizon: draped on the relief (columns of
    DEM cells) when ``dem`` is given, flat polygons otherwise."""
    stands = result.layers["stands"]
    if dem is not None:
        cells = relief_cells(dem, stands)
        lonlat = gpd.GeoSeries(gpd.points_from_xy(cells["x"], cells["y"]),
                               crs=dem.rio.crs).to_crs(4326)
        fill = [list(STATUS_RGB.get(s, RELIEF_RGB)) + [255 if s else 140]
                for s in cells["status"]]
        data = _records({
            "position": np.round(np.column_stack([lonlat.x, lonlat.y]), 6).tolist(),
            "elevation": np.round(np.maximum(cells["z"].to_numpy(), 0.0), 1).tolist(),
            "fill": fill,
            "status": [_k(f"status_{s}", lang) if s else "—" for s in cells["status"]]})
        size = float(cells["size"].iloc[0]) if len(cells) else 100.0
        layer = {"@@type": "ColumnLayer", "id": "relief", "data": data,
                 "getPosition": "@@=position", "getElevation": "@@=elevation",
                 "getFillColor": "@@=fill", "diskResolution": 4, "angle": 45,
                 "radius": size / np.sqrt(2.0), "extruded": True,
                 "elevationScale": float(exaggeration), "pickable": True}
        pitch = 55.0
    else:
        rings = _rings_lonlat(stands.geometry)
        data = pd.DataFrame({
            "polygon": pd.Series(rings, dtype=object),
            "fill": pd.Series([list(STATUS_RGB.get(s, STATUS_RGB["unknown"]))
                               for s in stands["status"]], dtype=object),
            "status": [_k(f"status_{s}", lang) for s in stands["status"]],
            "elevation": 0.0})
        layer = {"@@type": "PolygonLayer", "id": "stands", "data": data,
                 "getPolygon": "@@=polygon", "getFillColor": "@@=fill", "extruded": False,
                 "stroked": False, "pickable": True}
        pitch = 0.0
    x0, y0, x1, y1 = stands.to_crs(4326).total_bounds
    view = _view_state((x0 + x1) / 2, (y0 + y1) / 2, 10.5, pitch)
    return _deck([layer], view)


def status_legend(lang: str) -> str:
    rows = "".join(
        f'<div style="display:flex;align-items:center;gap:6px"><span style="display:inline-'
        f'block;width:18px;height:12px;background:rgb{rgb};border:1px solid #666"></span>'
        f"{html.escape(_k(f'status_{s}', lang))}</div>" for s, rgb in STATUS_RGB.items())
    return (f'<div class="twin-view3d-legend"><b>{html.escape(_k("legend_status", lang))}'
            f"</b>{rows}</div>")


# -- page sections --------------------------------------------------------------------------
def _deck_pane(spec: dict[str, Any], tooltip: dict[str, str]) -> pn.pane.DeckGL:
    return pn.pane.DeckGL(spec, tooltips=tooltip, height=520, sizing_mode="stretch_width",
                          css_classes=["twin-view3d-deck"])


def lazy_section(ws, key: str, build: Callable[[Any], pn.viewable.Viewable]) -> pn.Card:
    """A collapsed "Vue 3D" card whose content ``build(ws)`` is made only once it is opened;
    it stays open (and is rebuilt) across the page's refreshes."""
    opened = ws.__dict__.setdefault("_view3d_open", {})
    card = pn.Card(title=_k("title", ws.lang), collapsed=not opened.get(key, False),
                   sizing_mode="stretch_width", css_classes=["twin-view3d", f"twin-view3d-{key}"])

    def fill() -> None:
        try:
            card.objects = [build(ws)]
        except Exception as exc:  # a view bug must not break the page: say it
            import logging

            logging.getLogger(__name__).exception("3D view %s failed", key)
            card.objects = [pn.pane.Alert(t("app.internal_error", ws.lang,
                                            detail=type(exc).__name__), alert_type="danger")]

    def on_toggle(event) -> None:
        opened[key] = not event.new
        if not event.new and not card.objects:
            fill()

    card.param.watch(on_toggle, "collapsed")
    if opened.get(key):
        fill()
    return card


def _coast_body(ws) -> pn.viewable.Viewable:
    lang = ws.lang
    result = ws.result_for(ws.map_scenario)
    if result is None:
        return pn.pane.Markdown(_k("no_result", lang))
    territory = ws.territory
    all_b = territory.layer("buildings") if territory.has_layer("buildings") else None
    outline = territory.layer("communes") if territory.has_layer("communes") else None
    slider = pn.widgets.FloatSlider(name=_k("exaggeration", lang), start=1.0, end=10.0,
                                    step=1.0, value=3.0, width=260,
                                    css_classes=["twin-view3d-exaggeration"])
    spec, counts = coast_deck(result, all_b, outline, lang, slider.value)
    tooltip = {"html": f"<b>{_k('depth', lang)}</b> : {{depth}} m<br>"
                       f"<b>{_k('height', lang)}</b> : {{height}} m<br>{{status}} ({{use}})"}
    pane = _deck_pane(spec, tooltip)
    legend = pn.pane.HTML(depth_legend(lang, slider.value), width=200)

    def rescale(event) -> None:
        spec["layers"][-1]["elevationScale"] = float(event.new)
        pane.object = dict(spec)
        legend.object = depth_legend(lang, event.new)

    slider.param.watch(rescale, "value_throttled")
    note = _k("coast_note", lang, label=result.label,
              exposed=_num(counts["exposed_shown"], 0, lang),
              exposed_all=_num(counts["exposed"], 0, lang),
              flooded=_num(counts["flooded"], 0, lang),
              others=_num(counts["others_shown"], 0, lang),
              others_all=_num(counts["others"], 0, lang), cap=_num(MAX_BUILDINGS, 0, lang))
    if territory.is_synthetic("buildings"):
        note += " " + _k("coast_synthetic", lang)
    return pn.Column(pn.pane.Markdown(note, css_classes=["twin-view3d-note"]), slider,
                     pn.Row(pane, legend, sizing_mode="stretch_width"),
                     sizing_mode="stretch_width")


def _forest_body(ws) -> pn.viewable.Viewable:
    lang = ws.lang
    result = ws.result_for(ws.map_scenario)
    if result is None or "stands" not in result.layers:
        return pn.pane.Markdown(_k("no_result", lang))
    has_dem = ws.territory.has_layer("dem")
    dem = ws.territory.layer("dem") if has_dem else None
    tooltip = {"html": f"<b>{_k('legend_status', lang)}</b> : {{status}}"
               + (f"<br><b>{_k('elevation', lang)}</b> : {{elevation}} m" if has_dem else "")}
    spec = forest_deck(result, dem, lang)
    pane = _deck_pane(spec, tooltip)
    legend = pn.pane.HTML(status_legend(lang), width=200)
    items: list[Any] = []
    if has_dem:
        slider = pn.widgets.FloatSlider(name=_k("exaggeration", lang), start=1.0, end=10.0,
                                        step=0.5, value=3.0, width=260,
                                        css_classes=["twin-view3d-exaggeration"])

        def rescale(event) -> None:
            spec["layers"][-1]["elevationScale"] = float(event.new)
            pane.object = dict(spec)

        slider.param.watch(rescale, "value_throttled")
        items += [pn.pane.Markdown(_k("forest_note", lang, label=result.label),
                                   css_classes=["twin-view3d-note"]), slider]
    else:
        items.append(pn.pane.Alert(_k("no_dem", lang), alert_type="info",
                                   css_classes=["twin-view3d-no-dem"]))
    items.append(pn.Row(pane, legend, sizing_mode="stretch_width"))
    return pn.Column(*items, sizing_mode="stretch_width")


def coast_3d(ws) -> pn.Card:
    """Extra of the coast page: the "Vue 3D" section (built when opened)."""
    return lazy_section(ws, "coast", _coast_body)


def forest_3d(ws) -> pn.Card:
    """Extra of the forest page: the "Vue 3D" section (built when opened)."""
    return lazy_section(ws, "forest", _forest_body)
