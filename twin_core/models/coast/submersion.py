"""Marine submersion by a "bathtub with connectivity" model on a DEM, with storm levels per
reach of the coast and the Gironde estuary.

A cell floods when its elevation is below the still-water level AND it connects to the sea
through 4-neighbour cells that are also below the level (static, hydraulically connected
inundation, as in the "approche statique" of the French PPRL guide, MEDDE 2014, without
overflow volumes or wave overtopping). Depth = level − elevation. The level may vary from cell
to cell (the estuary gradient below).

**One vertical datum: metres above mean sea level (MSL).** The sample DEM (CNES demcompare
Gironde topo-bathymetry) has an undocumented datum and is treated as ≈ MSL (data/README.md);
every level, crest and depth here is in that datum. NGF-IGN69 zero is the Marseille mean level;
the Atlantic mean level is about 0.15 m above it ("the mean level of the Mediterranean is about
15 cm lower than the Atlantic", V. Donato, SHOM, AFP 2016; domain_facts_more A9, low), so a
level in m NGF ≈ level above MSL + ``MSL_ABOVE_NGF_M``. The EGM96 − IGN69 difference on this
coast was NOT found (the CNIG study Nocquet et al. 2000, "Conversion altimétrique RGF93-IGN69",
tested EGM96 against IGN69; the official GNSS → IGN69 grid is RAF09/RAF18): should the DEM be
EGM96 heights, the offset is unknown here and stays an assumption.

Still-water level of a storm of return period T at a cell (reach factor f, below):
``level = high_water + surge(T) × f + sea-level rise``. What each term rests on
(:data:`LEVEL_SOURCES`):

* ``high_water`` = 2.4 m above MSL (**assumption**): mean spring high water at Le Verdon; the
  chart-datum → IGN69 offset and the PHMA/PMVE tide levels of SHOM's "Références Altimétriques
  Maritimes" (RAM 2020) were not found (domain_facts_more A6), so Xynthia's 6.57 m above chart
  datum at Le Verdon cannot be converted. Mesotidal Gironde coast: spring range ≈ 4.5-5 m, half
  of it above MSL. The same value is used along the estuary (the tide's upstream amplification
  is not modelled: an assumption).
* ``surge(T)`` at Le Verdon, anchors: 100 yr = 1.0 m, Xynthia's high-water surge of 0.98 m at the
  Pointe de Grave gauge (SONEL/SHOM, high), an event that reached about the SHOM/CETMEF 100-yr
  level between the Loire and the Gironde (Chauveau, L'Atlas Bleu CNRS, medium); 10 yr = 0.6 m
  (**assumption**, no published value read); 1000 yr = 1.5 m (**assumption**: storm Martin's
  +1.55 m at Le Verdon, Smiddest, low, is a surge against the predicted tide at coefficient 77,
  here put on spring high water, a rarer joint event than its surge alone). Between anchors
  the surge is linear in ln T, below 10 yr the 10-100 yr slope carries on (:func:`surge_at`,
  **assumption**). The SHOM/Cerema "niveaux marins extrêmes" (édition 2022) tables would
  settle all three; wave set-up is not included (as in those tables).
* Reach factor f (estuary gradient): 1 on the ocean coast and at Le Verdon (Xynthia's surge was
  0.90 m at Arcachon against 0.98 m at Le Verdon, SONEL: the open coast ≈ Le Verdon), rising
  linearly along the estuary axis Le Verdon → Ambès to ``estuary_surge_ratio`` and constant
  upstream. Default 1.50 = storm Martin 1999's surge +2.32 m at Ambès / +1.55 m at Le Verdon
  (+2.25 m at Bordeaux, ratio 1.45; Smiddest via estuaireabecedaire, low); the rise above the
  normal high tide measured in the same storm went from 1.20 m at Le Verdon to 2.45 m at
  Le Marquis (ratio 2.04; Géomorphologie 2002 n° 2, medium). Linear in between is an
  assumption (Pauillac, mid-way, gets ≈ 1.28).

**Existing defences** (a ``dikes`` territory layer: lines with their crest ``crest_m`` in the
DEM's datum): the DEM cells each line crosses are raised to its crest (:func:`defence_grid`,
:func:`burn_dike`) in the baseline and in every option: they are today's works, not a measure.
Without that layer the 120 m DEM has no levee at all, and the estuary flood is an upper bound
without defences.

**Breach** (:func:`breach_flood`), a simplified reading of the French PPRL guidance on defence
failure (DGPR/MEDDE, *Guide méthodologique : plan de prévention des risques littoraux*, May
2014, and the rules later written into the Code de l'environnement by décret n° 2019-715 of 5
July 2019, art. R. 562-11-4, and the arrêté of 5 July 2019, art. 3). What is implemented:

* no defence is assumed to hold ("un ouvrage peut toujours faillir"; a default breach of 100 m
  per homogeneous section, reducible to about 50 m for a structure with a permanent manager:
  Assemblée nationale hearing, intervention 151313, domain_facts_more A10, medium);
* behind a failing defence, a precaution band ("bande de précaution") of width
  ``PRECAUTION_BAND_FACTOR`` × the water height behind the work (still-water level − natural
  ground immediately behind it), at least ``PRECAUTION_BAND_MIN_M`` = 50 m, unless the ground
  reaches the water level first (R. 562-11-4; arrêté of 5 July 2019 art. 3: minimum 50 m);
  the band's cells below the level and connected to the failing defence flood to the
  still-water level (static, no volume limit, as the connected bathtub).

Assumptions (not read in the guide's text, whose failure chapter was not available here):
a defence fails when the water stands against it (a defence cell next to a flooded cell, with
the natural ground under it below the level: a head on the work); every loaded cell of every
defence is a potential breach — at 120 m a DEM cell is wider than a 100 m breach, and the
breach's place along a section is not known, so the band runs along the whole loaded length
(the envelope of the breach positions, an upper bound of one breach's band); the ground "behind"
is the DEM under the defence (the 120 m DEM erases the levee itself); defences that the water
only reaches through another breach do not fail in turn.

**Intertidal cells are not flooded land** (:func:`intertidal_mask`): cells below today's mean
spring high water (``high_water_m``) connected to the sea are foreshore or sea at every spring
tide, not land flooded by the storm; they are left out of the flooded area and of the flooded
buildings and damage of every event, in the baseline and the options. A cell holding buildings
is never foreshore (the model's rule, an assumption: nobody builds on the foreshore, so a built
cell below spring high water stands in a polder behind levees finer than the 120 m DEM); it
floods like any land. Without a dike layer the unbuilt low polders that the DEM connects to the
sea are left out with the foreshore (the note on the cards gives their area): load the
defences to count them.

How the model computes it: :func:`flooded_mask` labels the below-level cells for one level;
the registered model (``model.Prepared.flood``) reads every level of a scenario from the spill
levels of :mod:`~twin_core.models.coast.spill` (one priority flood per DEM and level family,
then one comparison per level), identical cell for cell to :func:`flooded_mask`
(tests/models/test_coast_spill.py).
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import xarray as xr
from scipy import ndimage

from twin_core.errors import TwinInputError

HIGH_WATER_M = 2.4
#: Mean sea level above NGF-IGN69 zero on the Atlantic coast (SHOM engineer, AFP 2016; low).
MSL_ABOVE_NGF_M = 0.15
#: Storm Martin (27 Dec 1999) surge against the predicted tide, m (Smiddest; domain_facts A1).
MARTIN_1999_SURGE_M = {"le_verdon": 1.55, "ambes": 2.32, "bordeaux": 2.25}
#: Xynthia (28 Feb 2010) high-water surge, m (SONEL/SHOM RONIM; domain_facts A1, high).
XYNTHIA_2010_SURGE_M = {"le_verdon": 0.98, "arcachon": 0.90}
#: Surge at Ambès / surge at Le Verdon in storm Martin: the default estuary gradient.
ESTUARY_SURGE_RATIO = MARTIN_1999_SURGE_M["ambes"] / MARTIN_1999_SURGE_M["le_verdon"]
#: Lambert-93 (m) of the estuary reaches' gauges (Le Verdon = mouth, Ambès = upper end).
REACH_XY = {"le_verdon": (383_060.0, 6_502_380.0), "pauillac": (405_775.0, 6_462_550.0),
            "ambes": (421_360.0, 6_431_289.0), "bordeaux": (417_928.0, 6_421_782.0)}
#: What every term of the storm level rests on: (evidence level, source). "assumption" terms
#: are scenario parameters or named constants listed in the indicators' assumptions.
LEVEL_SOURCES: dict[str, tuple[str, str]] = {
    "high_water_m": ("assumption", "mean spring high water at Le Verdon, 2.4 m above MSL: SHOM "
                     "RAM 2020 (ZH → IGN69, PHMA) not found"),
    "surge_10yr": ("assumption", "0.6 m: no published 10-yr surge read (SHOM/Cerema 2022)"),
    "surge_100yr": ("observed", "Xynthia 2010 high-water surge 0.98 m at Le Verdon (SONEL/SHOM) "
                    "≈ the SHOM/CETMEF 100-yr level (Chauveau, Atlas Bleu CNRS)"),
    "surge_1000yr": ("assumption", "1.5 m: storm Martin 1999 +1.55 m at Le Verdon against the "
                     "predicted tide (Smiddest, low), put on spring high water"),
    "surge_below_10yr": ("assumption", "1-5 yr surges: the 10-100 yr slope in ln T carried on"),
    "estuary_surge_ratio": ("observed", "storm Martin 1999: +2.32 m Ambès / +1.55 m Le Verdon "
                            "(Smiddest, low); linear along the estuary axis (assumption)"),
    "datum": ("assumption", "DEM ≈ mean sea level (undocumented); MSL ≈ +0.15 m NGF-IGN69 "
              "(SHOM, AFP 2016, low); EGM96 − IGN69 not found"),
}
#: Storm surge (m) by return period (years); see the module docstring for the sources.
SURGE_M: dict[int, float] = {10: 0.6, 100: 1.0, 1000: 1.5}
RETURN_PERIODS = tuple(SURGE_M)
#: PPRL precaution band behind a failing defence: width = factor × water height behind it (m),
#: at least the minimum (décret 2019-715 art. R. 562-11-4; arrêté of 5 July 2019 art. 3).
PRECAUTION_BAND_FACTOR = 100.0
PRECAUTION_BAND_MIN_M = 50.0
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


def estuary_position(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Position (0-1) along the estuary axis Le Verdon (0) → Ambès (1) of Lambert-93 points:
    the projection on the axis, clipped (upstream of Ambès, e.g. Bordeaux: 1)."""
    (x0, y0), (x1, y1) = REACH_XY["le_verdon"], REACH_XY["ambes"]
    dx, dy = x1 - x0, y1 - y0
    t = ((np.asarray(x, dtype=float) - x0) * dx + (np.asarray(y, dtype=float) - y0) * dy) \
        / (dx * dx + dy * dy)
    return np.clip(t, 0.0, 1.0)


def reach_factor(position: float | np.ndarray, estuary_surge_ratio: float = ESTUARY_SURGE_RATIO
                 ) -> float | np.ndarray:
    """Surge factor f at a position along the estuary (0 = Le Verdon and the ocean coast)."""
    if not estuary_surge_ratio > 0:
        raise ValueError(f"estuary_surge_ratio must be > 0, got {estuary_surge_ratio}")
    out = 1.0 + (float(estuary_surge_ratio) - 1.0) * np.asarray(position, dtype=float)
    return float(out) if out.ndim == 0 else out


def reach_levels(return_period: float, slr: float = 0.0, high_water: float = HIGH_WATER_M,
                 estuary_surge_ratio: float = ESTUARY_SURGE_RATIO) -> dict[str, float]:
    """Still-water level (m above MSL) at each reach gauge (ocean = Le Verdon's factor 1)."""
    surge = surge_at(return_period)
    out = {"ocean": high_water + surge + slr}
    for name, (x, y) in REACH_XY.items():
        f = reach_factor(estuary_position(np.array([x]), np.array([y]))[0], estuary_surge_ratio)
        out[name] = float(high_water + surge * f + slr)
    return out


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


def intertidal_mask(dem: np.ndarray, high_water: float, sea: np.ndarray | None = None
                    ) -> np.ndarray:
    """Cells below today's mean spring high water ``high_water`` (m, DEM datum) connected to the
    sea (4-neighbours): foreshore or sea at every spring tide, not land a storm floods."""
    return flooded_mask(dem, high_water, sea)


def defence_grid(dem: xr.DataArray, lines, column: str = "crest_m") -> np.ndarray:
    """Crest (m) of the defences per DEM cell (all-touched; the highest where several lines
    cross a cell), NaN where there is none. ``lines``: GeoDataFrame in the DEM's CRS."""
    from rasterio.features import rasterize

    if lines is None or len(lines) == 0:
        return np.full(dem.shape, np.nan, dtype=np.float32)
    crest = np.asarray(lines[column], dtype=float)
    order = np.argsort(crest, kind="stable")  # drawn last = kept: the highest crest wins
    geoms = np.asarray(lines.geometry.values)[order]
    return rasterize(((g, float(c)) for g, c in zip(geoms, crest[order], strict=True)),
                     out_shape=dem.shape, transform=dem.rio.transform(), fill=np.nan,
                     all_touched=True, dtype="float32")


def breach_flood(ground: np.ndarray, z: np.ndarray, wet: np.ndarray, defence: np.ndarray,
                 level: float | np.ndarray, cell_m: tuple[float, float]) -> np.ndarray:
    """The flooded mask with the defences breached (see the module docstring, PPRL).

    ``ground``: the DEM without the defences (natural ground, m); ``z``: the DEM the no-breach
    flood ran on (defences burnt in); ``wet``: that flood; ``defence``: boolean mask of the
    defence cells; ``level``: still-water level (scalar or per cell); ``cell_m``: (row, column)
    cell size in metres. A defence cell fails when it is wet or next to a wet cell and the
    ground under it is below the level; the cells within the precaution band of a failing
    cell — ``max(PRECAUTION_BAND_FACTOR × (level − ground at the defence),
    PRECAUTION_BAND_MIN_M)`` from it — that are below the level and connected to a failing
    cell through such cells are added to ``wet``.
    """
    wet = np.asarray(wet, dtype=bool)
    defence = np.asarray(defence, dtype=bool)
    if not defence.any():
        return wet
    lv = np.broadcast_to(np.asarray(level, dtype=np.float32), ground.shape)
    with np.errstate(invalid="ignore"):
        head = lv - ground  # NaN ground: no head
        loaded = defence & (head > 0) & (wet | ndimage.binary_dilation(wet, structure=_FOUR))
    if not loaded.any():
        return wet
    dist, (iy, ix) = ndimage.distance_transform_edt(~loaded, sampling=cell_m,
                                                    return_indices=True)
    width = np.maximum(PRECAUTION_BAND_FACTOR * head[iy, ix], PRECAUTION_BAND_MIN_M)
    z_breached = np.where(loaded, ground, z)
    with np.errstate(invalid="ignore"):
        candidate = (dist <= width) & (z_breached < lv)
    labels, n = ndimage.label(candidate, structure=_FOUR)
    keep = np.zeros(n + 1, dtype=bool)
    keep[labels[loaded]] = True
    keep[0] = False
    return wet | keep[labels]
