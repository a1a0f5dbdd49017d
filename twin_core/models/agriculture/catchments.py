"""Catchments of the river stations from a D8 flow-direction raster, and commune weights.

Flow directions: the 1 km raster of France shipped with the hydro-smash package (EPSG:2154),
codes 1–8 clockwise from north (1 = N, 2 = NE, 3 = E, … 8 = NW); this convention is the only
one of the usual four for which no two cells drain into each other (checked in the tests on a
synthetic grid and at build time on the raster). A station is snapped to the cell of largest
drained area in its 3 × 3 neighbourhood (5 × 5 on the Saône and the Doubs) among cells that
drain at most ``max_snap_km2`` (so a brook station does not jump onto the big river next to
it); its catchment is every cell upstream of that cell (own D8 routine, :func:`upstream_mask`).
At 1 km resolution catchments under ~10 km² are coarse: read them as an approximation.

``build_catchments`` runs once (``twin data build`` or by hand) and writes
``data/agriculture/catchments.gpkg`` (polygons with ``code_station``, ``area_km2``,
``snap_row``/``snap_col``); the model then needs no raster at run time.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

#: (row, col) offsets of the D8 codes 1..8, clockwise from north.
D8_OFFSETS = np.array([(-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1)])
BIG_RIVERS = ("saône", "saone", "doubs")


def downstream_index(fdir: np.ndarray) -> np.ndarray:
    """Flat index of the downstream cell of every cell (−1: outlet, nodata or off the grid)."""
    h, w = fdir.shape
    code = np.nan_to_num(fdir, nan=0).astype(int)
    valid = (code >= 1) & (code <= 8)
    rows, cols = np.indices((h, w))
    off = D8_OFFSETS[np.clip(code - 1, 0, 7)]
    r2, c2 = rows + off[..., 0], cols + off[..., 1]
    inside = valid & (r2 >= 0) & (r2 < h) & (c2 >= 0) & (c2 < w)
    down = np.where(inside, r2 * w + c2, -1)
    target_valid = np.zeros_like(inside)
    target_valid[inside] = valid.ravel()[down[inside]]
    return np.where(inside & target_valid, down, -1).ravel()


def two_cycles(down: np.ndarray) -> int:
    """Number of cells that drain into a cell draining back into them (0 for a sound D8)."""
    idx = np.nonzero(down >= 0)[0]
    dd = down[down[idx]]
    return int(np.count_nonzero(dd == idx))


def accumulation(down: np.ndarray) -> np.ndarray:
    """Number of cells draining through each cell (itself included), by topological order."""
    n = down.size
    acc = np.ones(n)
    indeg = np.bincount(down[down >= 0], minlength=n)
    frontier = np.nonzero(indeg == 0)[0]
    while frontier.size:
        tgt = down[frontier]
        ok = tgt >= 0
        np.add.at(acc, tgt[ok], acc[frontier[ok]])
        np.subtract.at(indeg, tgt[ok], 1)
        cand = np.unique(tgt[ok])
        frontier = cand[indeg[cand] == 0]
    return acc


def upstream_mask(down: np.ndarray, outlet: int, order: np.ndarray | None = None
                  ) -> np.ndarray:
    """Boolean mask of the cells draining to ``outlet`` (flat index), outlet included.
    ``order`` = np.argsort(down, kind="stable"), precomputed when called many times."""
    order = np.argsort(down, kind="stable") if order is None else order
    sorted_down = down[order]
    mask = np.zeros(down.size, dtype=bool)
    mask[outlet] = True
    frontier = np.array([outlet])
    while frontier.size:
        lo = np.searchsorted(sorted_down, frontier, side="left")
        hi = np.searchsorted(sorted_down, frontier, side="right")
        if not np.any(hi > lo):
            break
        kids = np.concatenate([order[a:b] for a, b in zip(lo, hi, strict=True) if b > a])
        kids = kids[~mask[kids]]
        mask[kids] = True
        frontier = kids
    return mask


def snap(acc: np.ndarray, shape: tuple[int, int], row: int, col: int, radius: int,
         max_cells: float) -> tuple[int, int]:
    """Cell of largest accumulation (≤ max_cells) within ``radius`` cells of (row, col)."""
    h, w = shape
    a = acc.reshape(shape)
    r0, r1 = max(row - radius, 0), min(row + radius + 1, h)
    c0, c1 = max(col - radius, 0), min(col + radius + 1, w)
    win = np.where(a[r0:r1, c0:c1] <= max_cells, a[r0:r1, c0:c1], -1)
    k = int(np.argmax(win))
    return r0 + k // (c1 - c0), c0 + k % (c1 - c0)


def build_catchments(stations: gpd.GeoDataFrame, flow_dir_path: str | os.PathLike[str],
                     out_path: str | os.PathLike[str] | None = None, max_snap_km2: float = 2500.0,
                     simplify_m: float = 250.0) -> gpd.GeoDataFrame:
    """Derive each station's catchment from the D8 raster; write a GeoPackage if ``out_path``.

    ``stations``: points in EPSG:2154 with ``code_station`` (and ``river`` to spot big rivers).
    Returns polygons (EPSG:2154) with ``code_station``, ``area_km2`` (cells × 1 km²).
    """
    import rasterio
    from rasterio import features
    from shapely.geometry import shape
    from shapely.ops import unary_union

    with rasterio.open(flow_dir_path) as src:
        fdir = src.read(1).astype(float)
        if src.nodata is not None:
            fdir[fdir == src.nodata] = np.nan
        transform, crs = src.transform, src.crs
    cell_km2 = abs(transform.a * transform.e) / 1e6
    down = downstream_index(fdir)
    if two_cycles(down):
        raise ValueError("flow directions are not D8 clockwise from north (2-cycles found)")
    acc = accumulation(down)
    order = np.argsort(down, kind="stable")
    pts = stations.to_crs(crs) if stations.crs != crs else stations
    rows, cols = rasterio.transform.rowcol(transform, pts.geometry.x, pts.geometry.y)
    river = pts.get("river", pd.Series("", index=pts.index)).fillna("").astype(str).str.lower()
    out = []
    for code, r, c, riv in zip(pts["code_station"], rows, cols, river, strict=True):
        if not (0 <= r < fdir.shape[0] and 0 <= c < fdir.shape[1]):
            continue
        big = any(b in riv for b in BIG_RIVERS)
        r, c = snap(acc, fdir.shape, r, c, 2 if big else 1,
                    np.inf if big else max_snap_km2 / cell_km2)
        mask = upstream_mask(down, r * fdir.shape[1] + c, order).reshape(fdir.shape)
        geoms = [shape(g) for g, v in features.shapes(mask.astype(np.uint8), mask=mask,
                                                       transform=transform) if v == 1]
        poly = unary_union(geoms)
        if simplify_m:
            poly = poly.simplify(simplify_m)
        out.append({"code_station": str(code), "area_km2": float(mask.sum() * cell_km2),
                    "snap_row": int(r), "snap_col": int(c), "geometry": poly})
    gdf = gpd.GeoDataFrame(out, geometry="geometry", crs=crs).to_crs("EPSG:2154")
    if out_path is not None:
        out_path = Path(out_path)
        if out_path.exists():
            out_path.unlink()
        gdf.to_file(out_path, driver="GPKG", layer="catchments")
    return gdf


def commune_weights(catchments: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """Area (ha) of each commune inside each catchment: columns code_station, code_insee,
    area_ha, share (of the commune's area) and catchment_ha (the whole catchment's area)."""
    inter = gpd.overlay(catchments[["code_station", "geometry"]],
                        communes[["code_insee", "geometry"]], how="intersection",
                        keep_geom_type=True)
    inter["area_ha"] = inter.geometry.area / 1e4
    com_area = dict(zip(communes["code_insee"].astype(str),
                        communes.geometry.area.to_numpy() / 1e4, strict=True))
    catch_area = dict(zip(catchments["code_station"].astype(str),
                          catchments.geometry.area.to_numpy() / 1e4, strict=True))
    inter["share"] = inter["area_ha"].to_numpy() / inter["code_insee"].astype(str).map(
        com_area).astype(float).to_numpy()
    inter["catchment_ha"] = inter["code_station"].astype(str).map(catch_area).astype(float)
    return pd.DataFrame(inter[["code_station", "code_insee", "area_ha", "share",
                               "catchment_ha"]])


def build_territory_catchments(territory_dir: str | os.PathLike[str],
                               flow_dir_path: str | os.PathLike[str]) -> Path:
    """Build ``catchments.gpkg`` next to a territory's ``stations.gpkg`` (run once, offline)."""
    from twin_core.io import read_vector

    root = Path(territory_dir)
    stations = read_vector(root / "stations.gpkg")
    out = root / "catchments.gpkg"
    build_catchments(stations, flow_dir_path, out)
    return out
