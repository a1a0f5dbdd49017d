"""Shoreline retreat: observed chronic trend + Bruun rule for the extra sea-level rise.

Sources:

* Bruun, P. (1962). Sea-level rise as a cause of shore erosion. J. Waterways and Harbors
  Division, ASCE, 88(WW1), 117-130: R = S·L / (B + h) with S the sea-level rise, L the
  cross-shore length of the active profile (shoreline to closure depth), B the berm (or
  eroded dune) height and h the closure depth.
* Chronic trend: Cerema, "indicateur national de l'érosion côtière" (2018), m/yr per coastal
  arc (negative = retreat), as aggregated per commune in the sample data. Baseline year
  ``BASELINE_YEAR = 2018``: the indicator's publication date (its shorelines come from
  orthophotos of the 2010s), so retreat is counted from the arc as mapped then.
* Major storm event: OCA 2016 projection for the Aquitaine sandy coast adds one event retreat
  "Lmax" typically ≈ 20 m to the chronic erosion (BRGM press release, 5 Dec 2016; domain_facts
  A2, high). Used as the default ``event_retreat_m``.

Bruun parameters for Aquitaine (used by OCA/BRGM) were not found (domain_facts A2): they are
user parameters. Defaults, for a high-energy sandy coast with a dune front, are orders of
magnitude: closure depth h = 15 m (Hallermeier depth for a 12-h-a-year wave height of 6-7 m),
active length L = 1200 m (nearshore slope ≈ 1:80), berm / dune-foot height B = 10 m. They give
R ≈ 48 × S, inside the usual Bruun ratio range 50-100. The report that would settle them:
BRGM/RP-59095-FR (Aubié et al. 2011) and the OCA 2016 projection report.

Nourishment: reduces the chronic retreat rate by ``nourishment_pct`` % (a sand budget that
offsets part of the loss); it does not change the Bruun term (documented simplification).
Accreting or stable arcs (rate ≥ 0) get no chronic retreat (no seaward advance is counted);
arcs with no rate (no measured segment) are taken as stable.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

BASELINE_YEAR = 2018
DEFAULT_ACTIVE_LENGTH_M = 1200.0
DEFAULT_BERM_HEIGHT_M = 10.0
DEFAULT_CLOSURE_DEPTH_M = 15.0
DEFAULT_EVENT_RETREAT_M = 20.0


def bruun_retreat(slr: float | np.ndarray, active_length: float | np.ndarray,
                  berm_height: float | np.ndarray, closure_depth: float | np.ndarray
                  ) -> float | np.ndarray:
    """Bruun (1962) retreat R = S·L/(B + h) in metres (all inputs in metres, vectorised).

    Raises ValueError when B + h ≤ 0 or L < 0 (no physical profile).
    """
    s = np.asarray(slr, dtype=float)
    length = np.asarray(active_length, dtype=float)
    depth = np.asarray(berm_height, dtype=float) + np.asarray(closure_depth, dtype=float)
    if np.any(~(depth > 0)):
        raise ValueError("berm_height + closure_depth must be > 0 (Bruun profile height), "
                         f"got {depth.min() if depth.size else depth}")
    if np.any(~(length >= 0)):
        raise ValueError(f"active_length must be ≥ 0, got {length.min()}")
    out = s * length / depth
    return float(out) if out.ndim == 0 else out


def chronic_retreat(rate_m_per_yr: float | np.ndarray, year: float,
                    nourishment_pct: float = 0.0, baseline_year: int = BASELINE_YEAR
                    ) -> float | np.ndarray:
    """Retreat (m, ≥ 0) from the observed trend, from ``baseline_year`` to ``year``.

    ``rate_m_per_yr``: Cerema convention, negative = retreat; NaN or ≥ 0 gives 0.
    """
    if not 0.0 <= nourishment_pct <= 100.0:
        raise ValueError(f"nourishment_pct must be in [0, 100], got {nourishment_pct}")
    rate = np.nan_to_num(np.asarray(rate_m_per_yr, dtype=float), nan=0.0)
    years = max(float(year) - baseline_year, 0.0)
    out = np.maximum(-rate, 0.0) * (1.0 - nourishment_pct / 100.0) * years
    return float(out) if out.ndim == 0 else out


def shoreline_retreat(rate_m_per_yr: float | np.ndarray, year: float, extra_slr: float,
                      active_length: float = DEFAULT_ACTIVE_LENGTH_M,
                      berm_height: float = DEFAULT_BERM_HEIGHT_M,
                      closure_depth: float = DEFAULT_CLOSURE_DEPTH_M,
                      nourishment_pct: float = 0.0, event_retreat_m: float = 0.0,
                      baseline_year: int = BASELINE_YEAR) -> float | np.ndarray:
    """Retreat (m) at ``year`` per arc: chronic trend × years + Bruun(extra SLR) + event.

    ``extra_slr``: sea-level rise (m) between ``baseline_year`` and ``year`` (the observed
    trend already contains the rise before the baseline). ``event_retreat_m``: one storm's
    retreat added on top (OCA 2016: ≈ 20 m), 0 to leave it out.
    """
    if event_retreat_m < 0:
        raise ValueError(f"event_retreat_m must be ≥ 0, got {event_retreat_m}")
    chronic = chronic_retreat(rate_m_per_yr, year, nourishment_pct, baseline_year)
    bruun = bruun_retreat(max(float(extra_slr), 0.0), active_length, berm_height, closure_depth)
    return chronic + bruun + event_retreat_m


def retreat_band(arcs: gpd.GeoDataFrame, retreat_m: np.ndarray | pd.Series,
                 land: shapely.Geometry | None = None) -> gpd.GeoDataFrame:
    """Retreat band per arc: the arc buffered by its retreat distance, clipped to land.

    The arc is today's shoreline; the land it will lose by the horizon is the part of its
    buffer on the land side, i.e. ``buffer(arc, R) ∩ land`` (``land``: the union of the
    communes, which stop at the shoreline). Round caps: a point is in the band exactly when
    its distance to the arc is ≤ R, the test used for buildings. Without ``land``, the whole
    buffer is returned (it then also covers the sea). Returns the arcs' attributes with
    ``retreat_m``, ``band_ha`` and the band polygons (same CRS, metres).
    """
    r = np.asarray(retreat_m, dtype=float)
    if len(r) != len(arcs):
        raise ValueError(f"{len(r)} retreat distances for {len(arcs)} arcs")
    geoms = shapely.buffer(arcs.geometry.to_numpy(), np.maximum(r, 0.0), quad_segs=8)
    if land is not None:
        shapely.prepare(land)
        geoms = shapely.intersection(geoms, land)
    out = gpd.GeoDataFrame(arcs.drop(columns=arcs.geometry.name), geometry=geoms,
                           crs=arcs.crs)
    out["retreat_m"] = r
    out["band_ha"] = out.area / 1e4
    return out


def projected_shoreline(arcs: gpd.GeoDataFrame, retreat_m: np.ndarray | pd.Series,
                        land: shapely.Geometry) -> np.ndarray:
    """Projected shoreline per arc: the landward edge of its retreat band (approximation).

    The outline of ``buffer(arc, R)`` that lies on ``land`` (the communes): where today's
    shoreline has retreated by R. Round ends of the buffer are kept, so near an arc's ends the
    line bends back to the coast. Returns an array of (multi)line geometries, one per arc.
    """
    r = np.maximum(np.asarray(retreat_m, dtype=float), 0.0)
    if len(r) != len(arcs):
        raise ValueError(f"{len(r)} retreat distances for {len(arcs)} arcs")
    outline = shapely.boundary(shapely.buffer(arcs.geometry.to_numpy(), r, quad_segs=8))
    shapely.prepare(land)
    return shapely.intersection(outline, land)
