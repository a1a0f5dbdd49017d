"""Layer schemas: required columns with types and units, geometry types, CRS.

``LayerSchema.check(obj, source, layer)`` raises a TwinInputError naming the file, the layer, the
column and the fix (CLIMADA ``Exposures.check()`` pattern).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rioxarray  # noqa: F401  (registers the .rio accessor used on rasters)
import xarray as xr
from scipy import ndimage

from twin_core.errors import TwinInputError

LAMBERT93 = "EPSG:2154"


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # "str" | "int" | "float" | "date"
    units: str = ""
    required: bool = True
    #: an identifier: each value once
    unique: bool = False
    #: an area declared in ``units``: m² per unit (1e4 for ha), checked against the geometry
    area_m2: float | None = None
    #: an INSEE commune code (official format; a territory checks it against its communes)
    commune: bool = False
    #: plausible range of a numeric column (in ``units``); a value outside it, or missing, is
    #: refused (wrong units, e.g. centimetres for metres)
    valid_range: tuple[float, float] | None = None


_DTYPE_CHECKS = {
    "str": lambda s: pd.api.types.is_string_dtype(s) or pd.api.types.is_object_dtype(s),
    "int": pd.api.types.is_integer_dtype,
    "float": pd.api.types.is_numeric_dtype,
    "date": lambda s: pd.api.types.is_datetime64_any_dtype(s) or pd.api.types.is_string_dtype(s)
    or pd.api.types.is_object_dtype(s),
}


@dataclass(frozen=True)
class LayerSchema:
    name: str
    kind: str  # "vector" | "raster" | "table"
    columns: tuple[Column, ...] = ()
    geometry_types: tuple[str, ...] = ()
    crs: str | None = LAMBERT93
    units: str = ""  # raster values
    extra: dict[str, Any] = field(default_factory=dict)
    #: plausible range of a raster's values (in ``units``); outside it, the units or the
    #: nodata declaration are wrong
    valid_range: tuple[float, float] | None = None
    #: coordinates checked against the CRS's area of use and France (off for layers that a
    #: model checks against the territory itself, e.g. dikes: "dike_outside")
    plausible_extent: bool = True

    def check(self, obj: Any, source: str, layer: str | None = None,
              date_format: str | None = None) -> Any:
        """Raise TwinInputError on the first problem; return ``obj`` when it passes.

        ``date_format`` (e.g. "%d/%m/%Y") declares how the date columns are written; they
        are then returned as ISO text (YYYY-MM-DD). Without it, only ISO dates are accepted.
        """
        layer = layer or self.name
        if self.kind == "raster":
            return self._check_raster(obj, source, layer)
        if not isinstance(obj, pd.DataFrame):
            raise TwinInputError("wrong_kind", source, layer=layer, kind=self.kind)
        if len(obj) == 0:
            raise TwinInputError("empty_layer", source, layer=layer)
        if self.kind == "vector":
            self._check_geometry(obj, source, layer)
        for col in self.columns:
            if col.name not in obj.columns:
                if col.required:
                    raise TwinInputError("missing_column", source, layer=layer, column=col.name,
                                         dtype=col.dtype, units=col.units or "-",
                                         found=", ".join(map(str, obj.columns[:12])))
                continue
            if not _DTYPE_CHECKS[col.dtype](obj[col.name]):
                raise TwinInputError("wrong_type", source, layer=layer, column=col.name,
                                     dtype=col.dtype, found=str(obj[col.name].dtype))
            if col.commune:
                check_commune_codes(obj[col.name], source, layer, col.name)
            if col.valid_range is not None:
                check_range(obj[col.name], source, layer, col)
            if col.dtype == "date":
                iso = check_dates(obj[col.name], source, layer, col.name, date_format)
                if iso is not None:
                    obj = obj.assign(**{col.name: iso})
            if col.unique:
                check_unique(obj[col.name], source, layer, col.name)
            if col.area_m2 and self.kind == "vector":
                check_declared_area(obj, col, source, layer)
        return obj

    def _check_geometry(self, gdf: pd.DataFrame, source: str, layer: str) -> None:
        if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
            raise TwinInputError("missing_column", source, layer=layer, column="geometry",
                                 dtype="geometry", units="-", found=", ".join(gdf.columns[:12]))
        if gdf.crs is None:
            raise TwinInputError("missing_crs", source, layer=layer, crs=self.crs)
        if self.plausible_extent:  # before wrong_crs: a wrong label must not be reprojected
            check_coordinates(gdf, source, layer, target=self.crs or LAMBERT93)
        if self.crs and gdf.crs != self.crs:
            raise TwinInputError("wrong_crs", source, layer=layer, crs=self.crs,
                                 found=gdf.crs.to_string())
        geom = gdf.geometry
        empty = geom.isna() | geom.is_empty
        if empty.any():
            raise TwinInputError("empty_geometry", source, layer=layer, count=int(empty.sum()),
                                 first=str(gdf.index[empty.to_numpy()][0]))
        if self.geometry_types:
            bad = ~geom.geom_type.isin(self.geometry_types)
            if bad.any():
                raise TwinInputError("wrong_geometry_type", source, layer=layer,
                                     found=geom.geom_type[bad].iloc[0],
                                     allowed=", ".join(self.geometry_types))
        invalid = ~geom.is_valid
        if invalid.any():
            raise TwinInputError("invalid_geometry", source, layer=layer,
                                 count=int(invalid.sum()),
                                 first=str(gdf.index[invalid.to_numpy()][0]))

    def _check_raster(self, da: Any, source: str, layer: str) -> xr.DataArray:
        if not isinstance(da, xr.DataArray) or da.ndim != 2:
            raise TwinInputError("wrong_kind", source, layer=layer, kind="2-D raster")
        if da.size == 0:
            raise TwinInputError("empty_layer", source, layer=layer)
        crs = da.rio.crs
        if crs is None:
            raise TwinInputError("missing_crs", source, layer=layer, crs=self.crs)
        if self.crs and crs.to_string() != self.crs:
            raise TwinInputError("wrong_crs", source, layer=layer, crs=self.crs,
                                 found=crs.to_string())
        values = np.asarray(da.values)
        finite = np.isfinite(values)
        n_valid = int(np.count_nonzero(finite))
        if n_valid == 0:
            raise TwinInputError("raster_all_nodata", source, layer=layer, pct=100)
        void = undeclared_void(values)
        if void is not None:
            value, count = void
            raise TwinInputError("raster_undeclared_nodata", source, layer=layer, value=value,
                                 count=count, dtype=str(values.dtype))
        if self.valid_range is not None:
            lo, hi = self.valid_range
            vmin, vmax = float(np.nanmin(values)), float(np.nanmax(values))
            if vmin < lo or vmax > hi:
                raise TwinInputError("raster_out_of_range", source, layer=layer,
                                     min=f"{vmin:.6g}", max=f"{vmax:.6g}", lo=lo, hi=hi,
                                     units=self.units or "-")
        holes = nodata_holes(np.asarray(da.values))
        if holes:
            raise TwinInputError("nodata_holes", source, layer=layer, count=holes)
        return da


def check_range(values: pd.Series, source: str, layer: str, col: Column) -> None:
    """Every value of a numeric column is given and inside ``col.valid_range``."""
    lo, hi = col.valid_range
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    bad = ~(np.isfinite(v) & (v >= lo) & (v <= hi))
    if bad.any():
        first = values.iloc[int(np.flatnonzero(bad)[0])]
        raise TwinInputError("column_out_of_range", source, layer=layer, column=col.name,
                             count=int(bad.sum()), first=str(first), lo=lo, hi=hi,
                             units=col.units or "-")


# -- vector plausibility ---------------------------------------------------------------------
#: France in longitude/latitude (west, south, east, north): metropolitan France with Corsica
#: and its sea, then the overseas départements and collectivities.
FRANCE_LONLAT = (
    (-10.0, 41.0, 10.5, 51.6),  # métropole, Corse
    (-63.2, 14.3, -60.7, 18.2),  # Guadeloupe, Martinique, Saint-Martin, Saint-Barthélemy
    (-54.7, 2.0, -51.5, 6.0),  # Guyane
    (55.1, -21.5, 56.0, -20.8),  # La Réunion
    (44.9, -13.1, 45.4, -12.5),  # Mayotte
    (-56.5, 46.7, -56.1, 47.2),  # Saint-Pierre-et-Miquelon
)
#: CRSs that French data commonly come in: offered when coordinates fit one of them better
#: than their label.
COMMON_CRS = ("EPSG:4326", "EPSG:2154", "EPSG:3857", "EPSG:27572", "EPSG:3035", "EPSG:32630",
              "EPSG:32631", "EPSG:32632", *(f"EPSG:{c}" for c in range(3942, 3951)),
              "EPSG:5490", "EPSG:2972", "EPSG:2975", "EPSG:4471")
#: At least this share of the features must lie where the label says (the France-wide
#: communes in Lambert-93 include the overseas ones, far from its area of use).
MIN_PLAUSIBLE_SHARE = 0.5
_SAMPLE = 2000


def _centres(gdf: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Bounding-box centres of (at most _SAMPLE evenly spaced) features."""
    import shapely

    geom = np.asarray(gdf.geometry.values)
    if len(geom) > _SAMPLE:
        geom = geom[np.linspace(0, len(geom) - 1, _SAMPLE).astype(int)]
    b = shapely.bounds(geom)
    return (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2


@functools.lru_cache(maxsize=64)
def _crs_info(wkt: str) -> tuple[bool, tuple[float, ...] | None, Any]:
    """(geographic?, area of use in lon/lat, transformer to lon/lat) of a CRS, cached."""
    from pyproj import CRS, Transformer

    crs = CRS.from_user_input(wkt)
    aou = crs.area_of_use
    to_lonlat = None if crs.is_geographic else Transformer.from_crs(crs, "EPSG:4326",
                                                                     always_xy=True)
    return crs.is_geographic, (tuple(aou.bounds) if aou else None), to_lonlat


def _crs_key(crs: Any) -> str:
    return crs if isinstance(crs, str) else (getattr(crs, "srs", None) or crs.to_wkt())


def _lonlat(crs: Any, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    geographic, _, to_lonlat = _crs_info(_crs_key(crs))
    if geographic:
        return x, y
    with np.errstate(all="ignore"):
        lon, lat = to_lonlat.transform(x, y)
    return np.asarray(lon, float), np.asarray(lat, float)


def _in_boxes(lon: np.ndarray, lat: np.ndarray, boxes: Any, margin: float = 0.0) -> np.ndarray:
    inside = np.zeros(lon.shape, bool)
    for w, s, e, n in boxes:
        inside |= (lon >= w - margin) & (lon <= e + margin) & (lat >= s - margin) & (
            lat <= n + margin)
    return inside


def _share_in(crs: Any, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Share of the points inside ``crs``'s area of use, and inside France."""
    geographic, aou, _ = _crs_info(_crs_key(crs))
    if geographic and ((np.abs(x) > 180).any() | (np.abs(y) > 90).any()):
        return 0.0, 0.0
    lon, lat = _lonlat(crs, x, y)
    ok = np.isfinite(lon) & np.isfinite(lat)
    in_use = _in_boxes(lon, lat, [aou], margin=0.5) & ok if aou else ok
    return float(in_use.mean()), float((_in_boxes(lon, lat, FRANCE_LONLAT) & ok).mean())


def fitting_crs(gdf: pd.DataFrame, exclude: Any = None) -> list[str]:
    """The common French CRSs in which the coordinates would lie in France."""
    x, y = _centres(gdf)
    out = []
    for code in COMMON_CRS:
        if exclude is not None and gdf.crs is not None and gdf.crs == code:
            continue
        use, fr = _share_in(code, x, y)
        if use >= 0.9 and fr >= 0.9:
            out.append(code)
    return out


def check_coordinates(gdf: pd.DataFrame, source: str, layer: str,
                      target: str = LAMBERT93) -> None:
    """Coordinates against the declared CRS's area of use, then against France.

    Coordinates outside the area where their label is valid mean a wrong label (degrees
    labelled Lambert-93, Lambert-93 labelled WGS 84): the fix is to correct the label with
    ``set_crs``, never to reproject from it with ``to_crs``.
    """
    if len(gdf) == 0:
        return
    x, y = _centres(gdf)
    if not (np.isfinite(x) & np.isfinite(y)).any():
        return
    declared = gdf.crs.to_string()
    use, france = _share_in(gdf.crs, x, y)
    if use >= MIN_PLAUSIBLE_SHARE and france >= MIN_PLAUSIBLE_SHARE:
        return
    bounds = ", ".join(f"{v:.6g}" for v in gdf.total_bounds)
    if use < MIN_PLAUSIBLE_SHARE:
        fits = fitting_crs(gdf, exclude=gdf.crs)
        if fits:
            raise TwinInputError("crs_mislabelled", source, layer=layer, crs=declared,
                                 bounds=bounds, fits=", ".join(fits[:4]), first=fits[0],
                                 target=target)
        raise TwinInputError("coords_outside_crs", source, layer=layer, crs=declared,
                             bounds=bounds, target=target)
    if france < MIN_PLAUSIBLE_SHARE:
        raise TwinInputError("outside_france", source, layer=layer, crs=declared,
                             bounds=bounds, pct=round(100 * (1 - france)))


def check_unique(values: pd.Series, source: str, layer: str, column: str) -> None:
    if pd.Index(values).is_unique:
        return
    dup = values.duplicated(keep=False) & values.notna()
    if dup.any():
        first = values[dup].iloc[0]
        raise TwinInputError("duplicate_ids", source, layer=layer, column=column,
                             count=int(values[dup].nunique()), first=str(first)[:60])


#: A declared area may differ from its geometry's (simplified outlines, another projection)
#: by this ratio; beyond it in more than ``AREA_BAD_SHARE`` of the features, it is refused.
AREA_TOLERANCE = 1.25
AREA_BAD_SHARE = 0.01


def check_declared_area(gdf: pd.DataFrame, col: Column, source: str, layer: str) -> None:
    declared = pd.to_numeric(gdf[col.name], errors="coerce").to_numpy(float) * col.area_m2
    actual = gdf.geometry.area.to_numpy(float)
    known = np.isfinite(declared) & (actual > 0)
    with np.errstate(all="ignore"):
        ratio = actual / declared
    bad = known & ~((ratio >= 1 / AREA_TOLERANCE) & (ratio <= AREA_TOLERANCE))
    if bad.sum() > AREA_BAD_SHARE * len(gdf):
        i = int(np.argmax(bad))
        raise TwinInputError("area_mismatch", source, layer=layer, column=col.name,
                             count=int(bad.sum()), first=str(gdf.index[i]),
                             declared=f"{declared[i] / col.area_m2:.6g}",
                             computed=f"{actual[i] / col.area_m2:.6g}", units=col.units,
                             pct=round(100 * (AREA_TOLERANCE - 1)))


#: A layer's extent may reach this far beyond the communes' (m): catchments and forest plots
#: straddle the territory's edge, and a model may check a finer coverage itself (the coast
#: model's "dem_not_covering_coast"); a layer of another département lies farther.
EXTENT_MARGIN_M = 50_000.0


def check_vector_territory(gdf: pd.DataFrame, communes: pd.DataFrame, source: str,
                           layer: str) -> None:
    """The layer's extent meets the territory's (communes' extent with a margin)."""
    if len(gdf) == 0 or len(communes) == 0 or gdf.crs is None:
        return  # (both in Lambert-93: their schemas checked it)
    x0, y0, x1, y1 = gdf.total_bounds
    cx0, cy0, cx1, cy1 = communes.total_bounds
    m = EXTENT_MARGIN_M
    if x1 < cx0 - m or x0 > cx1 + m or y1 < cy0 - m or y0 > cy1 + m:
        raise TwinInputError("layer_outside_territory", source, layer=layer,
                             bounds=", ".join(f"{v:.0f}" for v in (x0, y0, x1, y1)),
                             territory=", ".join(f"{v:.0f}" for v in (cx0, cy0, cx1, cy1)))


# -- table content ---------------------------------------------------------------------------
#: INSEE commune code: 5 characters, the département (01-19, 21-95, 2A/2B for Corsica since
#: 1976) then the commune number; overseas 971-978 and 984-989 then two digits.
COMMUNE_CODE = re.compile(r"(?:0[1-9]|1\d|2[1-9AB]|[3-8]\d|9[0-5])\d{3}|9(?:7[1-8]|8[4-9])\d{2}")


def check_commune_codes(values: pd.Series, source: str, layer: str, column: str) -> None:
    """Every value is an official commune code (checked on the distinct values)."""
    codes = pd.unique(values.dropna().astype(str))
    bad = [c for c in codes if not COMMUNE_CODE.fullmatch(c)]
    if values.isna().any():
        bad.insert(0, "")
    if bad:
        raise TwinInputError("bad_commune_code", source, layer=layer, column=column,
                             count=len(bad), first=str(bad[0])[:40])


def check_codes_in_communes(values: pd.Series, known: pd.Series, source: str, layer: str,
                            column: str) -> None:
    codes = pd.Index(pd.unique(values.dropna().astype(str)))
    unknown = codes.difference(pd.Index(known.astype(str)))
    if len(unknown):
        raise TwinInputError("unknown_commune_code", source, layer=layer, column=column,
                             count=len(unknown), first=str(unknown[0])[:40])


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?")
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})(?:[T ].*)?")


def check_dates(values: pd.Series, source: str, layer: str, column: str,
                date_format: str | None = None) -> pd.Series | None:
    """Dates written in ISO form (YYYY-MM-DD), or in the declared ``date_format``; none after
    today. Returns the column as ISO text when a format was declared (else None).

    "03/04/2021" is 3 April in France and 4 March in the United States: without a declared
    format such dates are refused, not guessed.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = values
    else:
        text = values.astype("string").str.strip()
        present = text.notna() & (text != "")
        if date_format:
            parsed = pd.to_datetime(text, format=date_format, errors="coerce")
        else:
            uniq = pd.unique(text[present])
            odd = [v for v in uniq if not _ISO_DATE.fullmatch(v)]
            if odd:
                m = next((_DMY.fullmatch(v) for v in odd if _DMY.fullmatch(v)), None)
                if m is not None:
                    firsts = [int(x.group(1)) for v in odd if (x := _DMY.fullmatch(v))]
                    seconds = [int(x.group(2)) for v in odd if (x := _DMY.fullmatch(v))]
                    guess = ("%d/%m/%Y" if max(firsts) > 12 else "%m/%d/%Y"
                             if max(seconds) > 12 else "%d/%m/%Y")
                    raise TwinInputError("ambiguous_dates", source, layer=layer, column=column,
                                         example=m.group(0)[:40], guess=guess)
                raise TwinInputError("bad_dates", source, layer=layer, column=column,
                                     count=len(odd), first=str(odd[0])[:40])
            parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=False)
        bad = present & parsed.isna()
        if bad.any():
            raise TwinInputError("bad_dates", source, layer=layer, column=column,
                                 count=int(bad.sum()), first=str(text[bad].iloc[0])[:40])
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    today = pd.Timestamp.today().normalize() + pd.Timedelta(days=1)
    future = parsed >= today
    if future.any():
        raise TwinInputError("future_dates", source, layer=layer, column=column,
                             count=int(future.sum()),
                             first=parsed[future].iloc[0].strftime("%Y-%m-%d"),
                             today=(today - pd.Timedelta(days=1)).strftime("%Y-%m-%d"))
    if date_format:
        return parsed.dt.strftime("%Y-%m-%d").astype(object).where(parsed.notna(), None)
    return None


#: Values that mark voids in rasters when no nodata is declared (GDAL, ESRI, SRTM habits).
VOID_MARKERS = (-9999.0, -99999.0, -32767.0, -32768.0, float(np.finfo("float32").min),
                float(np.finfo("float64").min))


def undeclared_void(values: np.ndarray) -> tuple[float, int] | None:
    """The void marker present among the values (with its count), if any.

    Integer rasters mark voids with their type's extreme value (−32768 in int16, 65535 in
    uint16); many producers use −9999 or the float32 minimum. Read without a nodata
    declaration, these become real values (a sea 32 km deep).
    """
    markers = list(VOID_MARKERS)
    if np.issubdtype(values.dtype, np.signedinteger):
        markers.append(float(np.iinfo(values.dtype).min))
    elif np.issubdtype(values.dtype, np.unsignedinteger) and values.dtype.itemsize > 1:
        markers.append(float(np.iinfo(values.dtype).max))
    vmin, vmax = float(np.nanmin(values)), float(np.nanmax(values))
    for marker in sorted(set(markers)):
        if vmin <= marker <= vmax:
            count = int(np.count_nonzero(values == marker))
            if count:
                return (int(marker) if float(marker).is_integer() and abs(marker) < 2**63
                        else marker), count
    return None


def nodata_holes(values: np.ndarray) -> int:
    """Number of NaN patches not connected to the raster's edge (interior holes).

    NaN along the border (outside the surveyed area, reprojection corners) is normal; a NaN
    patch enclosed by data is a gap that a model would silently treat as dry or missing.
    """
    missing = ~np.isfinite(values)
    if not missing.any():
        return 0
    labels, n = ndimage.label(missing)
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    return int(n - np.count_nonzero(edge))


#: A raster must have at least this many cells with a value over the territory's communes,
#: and on average ``CELLS_PER_COMMUNE`` per commune: coarser, it cannot resolve them.
MIN_TERRITORY_CELLS = 100
CELLS_PER_COMMUNE = 16
#: Below this share of cells with a value over the communes' extent, a raster is "mostly
#: nodata" (the sample DEM has 84 %: the sea beyond the survey is empty).
MIN_VALID_SHARE = 0.5


def check_raster_territory(da: xr.DataArray, communes: pd.DataFrame, source: str,
                           layer: str) -> None:
    """The raster covers the communes with enough cells that have a value."""
    if not {"x", "y"} <= set(da.dims) or len(communes) == 0:
        return
    x0, y0, x1, y1 = communes.total_bounds
    xs, ys = np.asarray(da["x"].values), np.asarray(da["y"].values)
    sub = np.asarray(da.values)[np.ix_((ys >= y0) & (ys <= y1), (xs >= x0) & (xs <= x1))] \
        if da.dims == ("y", "x") else np.asarray(
            da.sel(x=xs[(xs >= x0) & (xs <= x1)], y=ys[(ys >= y0) & (ys <= y1)]).values)
    n_valid = int(np.count_nonzero(np.isfinite(sub)))
    needed = max(MIN_TERRITORY_CELLS, CELLS_PER_COMMUNE * len(communes))
    if n_valid < needed:
        raise TwinInputError("raster_too_few_cells", source, layer=layer, count=n_valid,
                             needed=needed, communes=len(communes))
    share = n_valid / sub.size
    if share < MIN_VALID_SHARE:
        raise TwinInputError("raster_mostly_nodata", source, layer=layer,
                             pct=round(100 * (1 - share)), limit=round(100 * MIN_VALID_SHARE))


_COMMUNE_COLS = (Column("code_insee", "str", unique=True, commune=True),
                 Column("nom", "str"),
                 Column("population", "int", "hab"))
_POLY = ("Polygon", "MultiPolygon")

#: Declared schemas by layer name; a layer "x_synthetic" uses the schema of "x".
SCHEMAS: dict[str, LayerSchema] = {s.name: s for s in (
    LayerSchema("communes", "vector", _COMMUNE_COLS + (
        Column("area_ha", "float", "ha", area_m2=1e4),), _POLY),
    LayerSchema("erosion", "vector", (Column("code_insee", "str", commune=True),
                                      Column("taux_m_per_yr", "float", "m/an")),
                ("LineString", "MultiLineString")),
    LayerSchema("dem", "raster", units="m", valid_range=(-11_000.0, 9_000.0)),
    LayerSchema("buildings", "vector", (
        Column("building_id", "str", unique=True), Column("code_insee", "str", commune=True),
        Column("use", "str"),
        Column("dwellings", "int", "logements"), Column("residents", "float", "hab"),
        Column("floor_area_m2", "float", "m²")), ("Point", "Polygon", "MultiPolygon")),
    LayerSchema("stands", "vector", (Column("stand_id", "str", unique=True),
                                     Column("essence", "str"),
                                     Column("code_insee", "str", commune=True),
                                     Column("area_ha", "float", "ha", area_m2=1e4)), _POLY),
    LayerSchema("climate_normals", "table", (Column("code_insee", "str", unique=True,
                                                    commune=True),
                                             Column("tmean_c", "float", "°C"),
                                             Column("precip_mm", "float", "mm/an"))),
    LayerSchema("ifn_plots", "vector", (Column("idp", "int", unique=True),
                                        Column("n_dead", "int")),
                ("Point",)),
    LayerSchema("weather_durance_daily", "table", (
        Column("date", "date"), Column("precip_mm", "float", "mm"),
        Column("tmean_c", "float", "°C"))),
    LayerSchema("weather_nice_synop", "table", (
        Column("date", "date"), Column("temp_c", "float", "°C"), Column("rh_pct", "float", "%"),
        Column("wind_kmh", "float", "km/h"), Column("rain_24h_mm", "float", "mm"))),
    LayerSchema("stations", "vector", (Column("code_station", "str", unique=True),
                                       Column("name", "str")),
                ("Point",)),
    LayerSchema("nitrates", "table", (Column("code_station", "str"), Column("date", "date"),
                                      Column("no3_mg_l", "float", "mg NO3/L"))),
    LayerSchema("crops", "table", (Column("code_insee", "str", commune=True),
                                   Column("crop", "str"), Column("area_ha", "float", "ha"))),
    #: today's defences (coast): crest in the DEM's datum (m above mean sea level here)
    LayerSchema("dikes", "vector", (Column("crest_m", "float", "m", valid_range=(-5.0, 30.0)),
                                    Column("name", "str", required=False),
                                    Column("type", "str", required=False)),
                ("LineString", "MultiLineString"), plausible_extent=False),
    LayerSchema("catchments", "vector", (Column("code_station", "str", unique=True),
                                         Column("area_km2", "float", "km²", area_m2=1e6)),
                _POLY),
    LayerSchema("conso_naf", "table", (
        Column("idcom", "str", unique=True, commune=True),) + tuple(
        Column(f"naf{y % 100:02d}art{(y + 1) % 100:02d}", "float", "m²")
        for y in range(2011, 2021))),
)}


def schema_for(layer: str) -> LayerSchema | None:
    return SCHEMAS.get(layer.removesuffix("_synthetic"))
