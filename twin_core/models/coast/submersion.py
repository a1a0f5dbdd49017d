"""Marine submersion by a "bathtub with connectivity" model on a DEM.

A cell floods when its elevation is below the still-water level AND it connects to the sea
through 4-neighbour cells that are also below the level (static, hydraulically connected
inundation, as in the "approche statique" of the French PPRL guide, MEDDE 2014, without
overflow volumes or wave overtopping). Depth = level − elevation.

Still-water levels (metres above mean sea level ≈ NGF-IGN69) by return period:
``level = HIGH_WATER_M + surge(return period) + sea-level rise``.

* Historic reference: storm Xynthia (27-28 Feb 2010) at the Pointe de Grave / Le Verdon tide
  gauge: high water 6.57 m above chart datum (ZH), high-water surge 0.98 m (SONEL/SHOM,
  "Hauteurs d'eau observées par le RONIM lors de Xynthia"; domain_facts A1, high). Xynthia
  exceeded the SHOM/CETMEF 100-year level between the Loire and Gironde estuaries (Chauveau,
  L'Atlas Bleu CNRS; medium).
* The chart-datum → NGF offset at Le Verdon was NOT found (domain_facts A1), so the 6.57 m ZH
  cannot be converted. Defaults instead, in metres above mean sea level: a spring high water
  ``HIGH_WATER_M = 2.4`` m (mesotidal Gironde coast, spring range ≈ 4.5-5 m, half of it above
  mean level) plus a surge of 0.6 m (10 yr), 1.0 m (100 yr: Xynthia's 0.98 m surge at
  Le Verdon, which reached about the 100-yr level) and 1.5 m (1000 yr: storm Martin 1999,
  +1.55 m at Le Verdon, domain_facts A1, low). The SHOM/Cerema "niveaux marins extrêmes"
  (édition 2022) tables would settle them; wave set-up is not included (as in those tables).
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import xarray as xr
from scipy import ndimage

from twin_core.errors import TwinInputError

HIGH_WATER_M = 2.4
#: Storm surge (m) by return period (years); see the module docstring for the sources.
SURGE_M: dict[int, float] = {10: 0.6, 100: 1.0, 1000: 1.5}
RETURN_PERIODS = tuple(SURGE_M)
#: Events integrated into the expected annual damage (years).
EAD_RETURN_PERIODS = (1, 2, 5, 10, 100, 1000)


def surge_at(return_period: float, surge: dict[int, float] | None = None) -> float:
    """Surge (m) of any return period ≥ 1 yr: linear in ln T between the anchors of ``surge``
    (an exponential-tail / Gumbel form), extended below the first anchor with the slope of the
    first two and never below 0 (assumption: no published 1-5 yr values were found); above
    the last anchor, that anchor's surge."""
    table = SURGE_M if surge is None else surge
    if not return_period >= 1:
        raise ValueError(f"return_period must be ≥ 1 year, got {return_period}")
    ts = np.array(sorted(table), dtype=float)
    vs = np.array([table[int(t)] for t in ts], dtype=float)
    if np.any(~np.isfinite(vs)) or np.any(vs < 0):
        bad = float(vs[~(np.isfinite(vs) & (vs >= 0))][0])
        raise TwinInputError("negative_surge", "surge", value=bad, return_period=return_period)
    x = np.log(float(return_period))
    if len(ts) >= 2 and x < np.log(ts[0]):
        slope = (vs[1] - vs[0]) / (np.log(ts[1]) - np.log(ts[0]))
        return float(max(vs[0] + slope * (x - np.log(ts[0])), 0.0))
    return float(np.interp(x, np.log(ts), vs))
_FOUR = ndimage.generate_binary_structure(2, 1)

A = TypeVar("A", np.ndarray, xr.DataArray)


def still_water_level(return_period: float, slr: float = 0.0, high_water: float = HIGH_WATER_M,
                      surge: dict[int, float] | None = None) -> float:
    """Still-water level (m above mean sea level) of a storm of ``return_period`` years
    (any value ≥ 1: :func:`surge_at` between the anchors)."""
    return float(high_water + surge_at(return_period, surge) + slr)


def flooded_mask(dem: np.ndarray, water_level: float, sea: np.ndarray | None = None
                 ) -> np.ndarray:
    """Boolean mask of flooded cells (see :func:`flood_depth`)."""
    z = np.asarray(dem)
    if z.ndim != 2:
        raise ValueError(f"dem must be 2-D, got {z.ndim} dimensions")
    with np.errstate(invalid="ignore"):
        below = z < water_level  # NaN compares False: nodata is never flooded
    if sea is not None:
        sea = np.asarray(sea, dtype=bool)
        if sea.shape != below.shape:
            raise ValueError(f"sea mask shape {sea.shape} differs from dem {below.shape}")
    # label only the below-level cells; the seeds are read from the labels (no full-size
    # seed array when the sea is the array's edge): memory = the bool mask + int32 labels
    labels, n = ndimage.label(below, structure=_FOUR)
    del below
    lut = np.zeros(n + 1, dtype=bool)
    if sea is None:
        for edge in (labels[0, :], labels[-1, :], labels[:, 0], labels[:, -1]):
            lut[edge] = True
    else:
        lut[labels[sea]] = True
    lut[0] = False
    return lut[labels]


def flood_depth(dem: A, water_level: float, sea: np.ndarray | None = None) -> A:
    """Flood depth (m) of the DEM's type and shape: level − elevation where flooded, else 0.

    ``dem``: 2-D numpy array or xarray DataArray of elevations (m; NaN = nodata, never flooded
    and never conducting water). ``sea``: boolean mask of open-sea cells; None → the sea is
    every below-level cell touching the array's edge. A cell floods when it is below
    ``water_level`` and connected to the sea through 4-neighbour below-level cells.
    """
    values = dem.values if isinstance(dem, xr.DataArray) else np.asarray(dem)
    wet = flooded_mask(values, water_level, sea)
    dtype = values.dtype if np.issubdtype(values.dtype, np.floating) else np.float64
    depth = np.zeros(values.shape, dtype=dtype)
    np.subtract(water_level, values, out=depth, where=wet)
    if isinstance(dem, xr.DataArray):
        out = dem.copy(data=depth)
        out.name = "flood_depth"
        out.attrs = {**dem.attrs, "units": "m", "long_name": "flood depth"}
        return out
    return depth


def burn_dike(dem: A, cells: np.ndarray, crest: float) -> A:
    """A copy of ``dem`` with the ``cells`` (boolean mask) raised to at least ``crest`` m.

    A dike crest blocks the connection until the water level exceeds it (overtopping then
    floods behind it). NaN cells on the line stay NaN.
    """
    values = dem.values if isinstance(dem, xr.DataArray) else np.asarray(dem)
    mask = np.asarray(cells, dtype=bool)
    if mask.shape != values.shape:
        raise ValueError(f"dike mask shape {mask.shape} differs from dem {values.shape}")
    raised = values.astype(np.result_type(values.dtype, np.float32), copy=True)
    with np.errstate(invalid="ignore"):
        np.maximum(raised, crest, out=raised, where=mask & np.isfinite(raised))
    if isinstance(dem, xr.DataArray):
        return dem.copy(data=raised)
    return raised


def line_cells(dem: xr.DataArray, lines) -> np.ndarray:
    """Boolean mask of the DEM cells crossed by ``lines`` (GeoDataFrame/GeoSeries/geometries
    in the DEM's CRS), all-touched so that a dike line has no diagonal gap."""
    from rasterio.features import rasterize

    geoms = list(getattr(lines, "geometry", lines))
    if not geoms:
        return np.zeros(dem.shape, dtype=bool)
    return rasterize(((g, 1) for g in geoms), out_shape=dem.shape,
                     transform=dem.rio.transform(), fill=0, all_touched=True,
                     dtype="uint8").astype(bool)
