"""Geometries drawn on the map that are scenario inputs (a dike line, a zone to renature…).

A drawn geometry is kept in the scenario as a small GeoJSON-like object in Lambert-93 metres
(EPSG:2154): ``{"type": "MultiLineString", "coordinates": [[[x, y], …], …]}`` (lines) or
``{"type": "MultiPolygon", "coordinates": [[[[x, y], …]], …]}`` (zones; the single-part types
are accepted too). It is checked whenever it is set (a scenario file, the URL, the map):
type, number of vertices, finite numbers, inside the territory's extent, and for zones each
polygon valid (no self-intersection). Overlapping zones are merged (:func:`to_shape`).
Every problem raises :class:`~twin_core.errors.TwinInputError` naming the parameter.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real
from typing import Any

import param
import shapely

from twin_core.errors import TwinInputError

#: Most vertices a drawn geometry may hold (all parts together): keeps scenario files and the
#: page URL small.
MAX_VERTICES = 500
MAX_PARTS = 50
TYPES = {"line": ("LineString", "MultiLineString"), "polygon": ("Polygon", "MultiPolygon")}
Extent = tuple[float, float, float, float]


class Geometry(param.Parameter):
    """A scenario parameter holding a drawn geometry (or None: nothing drawn).

    ``kind``: "line" or "polygon"; ``extent``: (xmin, ymin, xmax, ymax) in Lambert-93 that
    every vertex must fall in; ``max_vertices``: cap on the number of vertices.
    """

    __slots__ = ["kind", "extent", "max_vertices"]

    _slot_defaults = dict(param.Parameter._slot_defaults, default=None, allow_None=True,
                          kind="polygon", extent=None, max_vertices=MAX_VERTICES)

    def __init__(self, default: dict | None = None, *, kind: str = "polygon",
                 extent: Extent | None = None, max_vertices: int = MAX_VERTICES,
                 **params: Any) -> None:
        if kind not in TYPES:
            raise ValueError(f"kind must be one of {sorted(TYPES)}, not {kind!r}")
        self.kind = kind
        self.extent = extent
        self.max_vertices = max_vertices
        super().__init__(default=default, allow_None=True, **params)
        self._validate(self.default)

    def _validate_value(self, value: Any, allow_None: bool) -> None:
        if value is None:
            return
        check_geometry(value, self.name or "geometry", self.kind, self.extent,
                       self.max_vertices)


def geometry_params(scenario_cls: type[param.Parameterized]) -> list[str]:
    """Names of the drawn-geometry parameters of a scenario class, in declaration order."""
    return [n for n in scenario_cls.param if isinstance(scenario_cls.param[n], Geometry)]


def _is_number(v: Any) -> bool:
    return isinstance(v, Real) and not isinstance(v, bool)


def _parts(value: dict[str, Any]) -> list:
    """The coordinates as a list of parts (lines, or polygons as lists of rings)."""
    kind = value["type"]
    coords = value["coordinates"]
    return [coords] if kind in ("LineString", "Polygon") else list(coords)


def check_geometry(value: Any, key: str, kind: str, extent: Extent | None = None,
                   max_vertices: int = MAX_VERTICES) -> None:
    """Raise TwinInputError (source ``key``) unless ``value`` is a usable drawn geometry."""
    allowed = TYPES[kind]
    if not isinstance(value, dict) or set(value) != {"type", "coordinates"}:
        raise TwinInputError("geometry_not_object", key, key=key)
    if value["type"] not in allowed:
        raise TwinInputError("geometry_type", key, key=key, found=value["type"],
                             allowed=", ".join(allowed))
    if not isinstance(value["coordinates"], list | tuple):
        raise TwinInputError("geometry_coordinates", key, key=key, detail="coordinates")
    parts = _parts(value)
    if not 1 <= len(parts) <= MAX_PARTS:
        raise TwinInputError("geometry_parts", key, key=key, count=len(parts), max=MAX_PARTS)
    rings: list[Sequence] = []
    for part in parts:
        if kind == "line":
            rings.append(part)
        elif isinstance(part, list | tuple) and part:
            rings.extend(part)
        else:
            raise TwinInputError("geometry_coordinates", key, key=key, detail=str(part)[:60])
    total = 0
    for ring in rings:
        if not isinstance(ring, list | tuple):
            raise TwinInputError("geometry_coordinates", key, key=key, detail=str(ring)[:60])
        for pt in ring:
            if not (isinstance(pt, list | tuple) and len(pt) == 2 and all(map(_is_number, pt))
                    and all(math.isfinite(c) for c in pt)):
                raise TwinInputError("geometry_coordinates", key, key=key,
                                     detail=str(pt)[:60])
        total += len(ring)
        least = 2 if kind == "line" else 3
        distinct = len({(float(x), float(y)) for x, y in ring})
        if distinct < least:
            raise TwinInputError("geometry_too_few", key, key=key, count=distinct, min=least)
    if total > max_vertices:
        raise TwinInputError("geometry_vertices", key, key=key, count=total, max=max_vertices)
    if extent is not None:
        x0, y0, x1, y1 = extent
        for ring in rings:
            for x, y in ring:
                if not (x0 <= x <= x1 and y0 <= y <= y1):
                    raise TwinInputError("geometry_outside", key, key=key,
                                         point=f"({x:.0f}, {y:.0f})",
                                         extent=f"{x0:.0f}, {y0:.0f} – {x1:.0f}, {y1:.0f}")
    if kind == "polygon":
        for poly in _polygons(value):
            if not poly.is_valid or poly.area <= 0:
                raise TwinInputError("geometry_invalid", key, key=key,
                                     reason=shapely.is_valid_reason(poly))


def _ring(coords: Sequence) -> list[tuple[float, float]]:
    ring = [(float(x), float(y)) for x, y in coords]
    return ring if ring[0] == ring[-1] else ring + [ring[0]]


def _polygons(value: dict[str, Any]) -> list[shapely.Polygon]:
    return [shapely.Polygon(_ring(rings[0]), [_ring(r) for r in rings[1:]])
            for rings in _parts(value)]


def to_shape(value: dict[str, Any] | None) -> shapely.Geometry | None:
    """The drawn geometry as one shapely geometry in Lambert-93 (lines: a MultiLineString;
    zones: the union of the polygons), or None when nothing is drawn."""
    if value is None:
        return None
    if value["type"] in TYPES["line"]:
        return shapely.MultiLineString([[(float(x), float(y)) for x, y in line]
                                        for line in _parts(value)])
    return shapely.union_all(_polygons(value))


def from_parts(parts: Sequence[Sequence[tuple[float, float]]], kind: str,
               decimals: int = 0) -> dict[str, Any] | None:
    """A drawn geometry (Multi* type) from lists of (x, y) vertices in Lambert-93, rounded to
    ``decimals`` (metres by default, to keep files and URLs small); parts too short to make a
    line (2 vertices) or a zone (3) are dropped; None when nothing is left."""
    def r(v: float) -> float | int:
        return round(float(v)) if decimals == 0 else round(float(v), decimals)

    clean = []
    for part in parts:
        pts = [[r(x), r(y)] for x, y in part if math.isfinite(x) and math.isfinite(y)]
        pts = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]
        if kind == "polygon":
            if len(pts) > 1 and pts[0] == pts[-1]:
                pts = pts[:-1]
            if len({tuple(p) for p in pts}) >= 3:
                clean.append([pts + [pts[0]]])
        elif len({tuple(p) for p in pts}) >= 2:
            clean.append(pts)
    if not clean:
        return None
    return {"type": "MultiPolygon" if kind == "polygon" else "MultiLineString",
            "coordinates": clean}


def vertex_count(value: dict[str, Any] | None) -> int:
    """Number of vertices of a drawn geometry (0 when None)."""
    if value is None:
        return 0
    if value["type"] in TYPES["line"]:
        return sum(len(p) for p in _parts(value))
    return sum(len(r) for p in _parts(value) for r in p)
