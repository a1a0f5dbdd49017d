"""Drawing on the map: a dike line, a setback band, a zone to renature, stands to exclude.

A page whose scenario declares :class:`~twin_core.drawn.Geometry` params gets a "Dessiner"
control under its map: choose the geometry, draw it with the Bokeh drawing tool
(HoloViews ``PolyDraw`` stream on a ``Path`` for lines, on ``Polygons`` for zones; works
offline), then "Appliquer": the drawing (Web Mercator on the map) becomes the param of the
scenario shown on the map, in Lambert-93, and the page refreshes as for any other param. The
drawing is applied on demand and not at each vertex, because a refresh redraws the map and
would cut a drawing in progress.
"""

from __future__ import annotations

from typing import Any

import holoviews as hv
import panel as pn
from pyproj import Transformer

from twin_core.drawn import from_parts, geometry_params, to_shape, vertex_count
from twin_core.errors import TwinInputError
from twin_core.i18n import t
from twin_core.scenario import Scenario

_TO_L93 = Transformer.from_crs(3857, 2154, always_xy=True)
_TO_MERCATOR = Transformer.from_crs(2154, 3857, always_xy=True)
COLOURS = {"line": "#e31a1c", "polygon": "#ff7f00"}


def geometry_summary(value: dict | None, kind: str, lang: str) -> str:
    """A short description of a drawn geometry: parts, vertices, length (km) or area (ha)."""
    from dashboards.shell.views import fmt

    shape = to_shape(value)
    if shape is None:
        return t("draw.summary_none", lang)
    parts = len(value["coordinates"]) if value["type"].startswith("Multi") else 1
    if kind == "line":
        return t("draw.summary_line", lang, parts=parts, vertices=vertex_count(value),
                 km=fmt(shape.length / 1000.0, 2, lang))
    return t("draw.summary_polygon", lang, parts=parts, vertices=vertex_count(value),
             ha=fmt(shape.area / 1e4, 1, lang))


def to_mercator_parts(value: dict | None) -> list[dict[str, Any]]:
    """The parts of a drawn geometry as HoloViews path dicts in Web Mercator (exterior rings
    of zones, without the closing vertex)."""
    if value is None:
        return []
    coords = value["coordinates"]
    parts = coords if value["type"].startswith("Multi") else [coords]
    out = []
    for part in parts:
        ring = part if value["type"] in ("LineString", "MultiLineString") else part[0]
        if value["type"] not in ("LineString", "MultiLineString") and ring[0] == ring[-1]:
            ring = ring[:-1]
        xs, ys = _TO_MERCATOR.transform([p[0] for p in ring], [p[1] for p in ring])
        out.append({"x": list(xs), "y": list(ys)})
    return out


def from_stream_data(data: dict[str, list] | None, kind: str) -> dict | None:
    """A PolyDraw stream's data (``xs``/``ys`` lists in Web Mercator) as a drawn geometry in
    Lambert-93 (metres), or None when nothing is drawn."""
    if not data:
        return None
    parts = []
    for xs, ys in zip(data.get("xs", []), data.get("ys", []), strict=False):
        if len(xs) and len(xs) == len(ys):
            lx, ly = _TO_L93.transform(list(map(float, xs)), list(map(float, ys)))
            parts.append(list(zip(lx, ly, strict=True)))
    return from_parts(parts, kind)


class DrawControl:
    """The drawing control of a scenario workspace (one per page session)."""

    def __init__(self, ws, names: list[str] | None = None) -> None:
        """``ws``: the host (a workspace, or any object with ``spec``, ``lang``,
        ``scenarios``, ``map_scenario``, ``_draw_map()`` and ``_show_error()``); ``names``:
        the drawable params offered (default: all the scenario's)."""
        self.ws = ws
        cls = ws.spec.scenario_class
        self.names = [n for n in geometry_params(cls) if names is None or n in names]
        self.kinds = {n: cls.param[n].kind for n in self.names}
        self.stream: hv.streams.PolyDraw | None = None
        lang = ws.lang
        options = {t("draw.none", lang): ""}
        options.update({t(f"params.{n}", lang, default=n): n for n in self.names})
        self.choice = pn.widgets.Select(name=t("draw.choose", lang), options=options, value="",
                                        css_classes=["twin-draw-choice"], width=320)
        self.apply_button = pn.widgets.Button(name=t("draw.apply", lang), button_type="primary",
                                              css_classes=["twin-draw-apply"], disabled=True)
        self.clear_button = pn.widgets.Button(name=t("draw.clear", lang),
                                              css_classes=["twin-draw-clear"], disabled=True)
        self.info = pn.pane.Markdown("", css_classes=["twin-draw-info"],
                                     sizing_mode="stretch_width")
        self.apply_button.on_click(lambda event: self.apply())
        self.clear_button.on_click(lambda event: self.clear())
        self.choice.param.watch(lambda event: self._changed(), "value")

    @property
    def active(self) -> str:
        """The param being drawn ("" when the drawing tool is off)."""
        return self.choice.value

    def scenario(self) -> Scenario:
        return next(s for s in self.ws.scenarios if s.label == self.ws.map_scenario)

    def _changed(self) -> None:
        on = bool(self.active)
        self.apply_button.disabled = self.clear_button.disabled = not on
        self.ws._draw_map()

    def _describe(self) -> None:
        name = self.active
        if not name:
            self.info.object = ""
            return
        s = self.scenario()
        kind = self.kinds[name]
        self.info.object = (t(f"draw.help_{kind}", self.ws.lang, label=s.label) + "  \n"
                            + t("draw.current", self.ws.lang, label=s.label,
                                summary=geometry_summary(getattr(s, name), kind,
                                                         self.ws.lang)))

    def overlay(self, element: hv.Element, scenario: Scenario) -> hv.Element:
        """``element`` with the chosen geometry of ``scenario`` on top, editable with the
        drawing tool (made the active one); ``element`` unchanged when nothing is chosen."""
        name = self.active
        self.stream = None
        self._describe()
        if not name:
            return element
        kind = self.kinds[name]
        parts = to_mercator_parts(getattr(scenario, name))
        label = t(f"params.{name}", self.ws.lang, default=name)
        if kind == "line":
            drawn = hv.Path(parts, kdims=["x", "y"], label=label).opts(
                color=COLOURS[kind], line_width=3)
        else:
            drawn = hv.Polygons(parts, kdims=["x", "y"], label=label).opts(
                fill_color=COLOURS[kind], fill_alpha=0.35, line_color=COLOURS[kind],
                line_width=2)
        self.stream = hv.streams.PolyDraw(source=drawn, drag=True, show_vertices=True,
                                          vertex_style={"color": COLOURS[kind], "size": 7})
        if isinstance(element, hv.Overlay):
            opts = element.opts.get("plot").kwargs
            combined = hv.Overlay([*element, drawn]).opts(**opts)
        elif isinstance(element, hv.DynamicMap):
            # an aggregated (Datashader) map: the stream links only with the drawing first
            # (underneath); the map's overlay options are read from one evaluation
            try:
                opts = element[()].opts.get("plot").kwargs
            except Exception:  # noqa: BLE001 - keep the map usable without its options
                opts = {"responsive": True}
            combined = (drawn * element).opts(**opts)
        else:
            combined = element * drawn
        return combined.opts(active_tools=["wheel_zoom", "poly_draw"])

    def value_from_stream(self) -> dict | None:
        """The geometry currently on the map for the chosen param, in Lambert-93."""
        if self.stream is None or not self.active:
            return None
        return from_stream_data(self.stream.data, self.kinds[self.active])

    def apply(self, value: dict | None | str = "stream") -> bool:
        """Set the chosen param of the mapped scenario to the drawing on the map (or to
        ``value``); False and a message when the geometry is refused."""
        name = self.active
        if not name:
            return False
        if value == "stream":
            value = self.value_from_stream()
            if value is None:
                self.ws._show_error(t("draw.nothing", self.ws.lang))
                return False
        scenario = self.scenario()
        try:
            setattr(scenario, name, value)
        except TwinInputError as exc:
            self.ws._show_error(exc.message(self.ws.lang))
            return False
        return True

    def clear(self) -> bool:
        """Remove the chosen drawing from the mapped scenario."""
        return self.apply(None)

    def panel(self) -> pn.viewable.Viewable:
        return pn.Column(pn.Row(self.choice, self.apply_button, self.clear_button),
                         self.info, sizing_mode="stretch_width", css_classes=["twin-draw"])
