"""Shoreline retreat: observed chronic trend + Bruun rule for the sea-level rise beyond the rate
already embedded in that trend (no double counting).

Sources:

* Bruun, P. (1962). Sea-level rise as a cause of shore erosion. J. Waterways and Harbors
  Division, ASCE, 88(WW1), 117-130: R = S·L / (B + h) with S the sea-level rise, L the
  cross-shore length of the active profile (shoreline to closure depth), B the berm (or
  eroded dune) height and h the closure depth.
* Chronic trend: Cerema, "indicateur national de l'érosion côtière" (2018), m/yr per coastal
  arc (negative = retreat), as aggregated per commune in the sample data. It compares an "old"
  shoreline (aerial photographs 1924-1958) with a "recent" one (2005-2014 depending on the
  département), over at least 50 years (Géolittoral, "Indicateur national de l'érosion
  côtière : premiers enseignements"; Hédou et al., Cerema). The Gironde dates were not found:
  the observation window is taken as ``TREND_WINDOW = (1950, 2010)`` (assumption inside the
  cited ranges) and the baseline of the projection is the recent shoreline's date,
  ``BASELINE_YEAR = 2010``: retreat is counted from the arc as mapped then (so a part of it has
  already happened by 2025).
* No double counting (Le Cozannet et al. 2019, "Quantifying uncertainties of sandy shoreline
  change projections as sea level rises", Scientific Reports 9:42, doi:10.1038/s41598-018-
  37017-4): the observed trend already contains the shoreline response to the sea-level rise of
  its observation window, so the Bruun rule is applied only to the rise beyond that rate:
  ``S_extra(t) = max(S(t) − S(t0) − r_emb·(t − t0), 0)``. ``r_emb`` =
  :func:`embedded_rate`: the mean global rate over the window from IPCC AR6 WGI SPM A.1.7
  (1.3 mm/yr 1901-1971, 1.9 mm/yr 1971-2006, 3.7 mm/yr 2006-2018): 1.81 mm/yr for 1950-2010.
* Major storm event: OCA 2016 projection for the Aquitaine sandy coast adds one event retreat
  "Lmax" typically ≈ 20 m to the chronic erosion (BRGM press release, 5 Dec 2016; domain_facts
  A2, high). Used as the default ``event_retreat_m``, on eroding and stable arcs only (an
  accreting arc, or one with no measured trend, gets no storm retreat).

Bruun parameters for Aquitaine (used by OCA/BRGM) were not found (domain_facts A2): they are
user parameters (``assumption``). Defaults, for a high-energy sandy coast with a dune front:
closure depth h = 15 m, inside the 5-20 m range of the depth of closure of the upper shoreface
("5 m to 20 m depending on the strength of the stormy waves", Bosboom & Stive, Coastal
Dynamics, TU Delft, read through the course text "The Bruun rule: its validity and its
limitation"); berm / dune-foot height B = 10 m; active length L = 1250 m, so that the Bruun
ratio L/(B + h) = 50, the lower end of the 50-100 range usually quoted (order of magnitude, no
primary source read here). The reports that would settle them: BRGM/RP-59095-FR (Aubié et al.
2011) and the OCA 2016 projection report.

Total retreat per arc: ``max(−rate·(t − t0)·(1 − nourishment) + Bruun(S_extra), 0) + event``:
an accreting arc's advance offsets the Bruun term (no seaward advance is counted beyond
today's line); arcs with no rate (no measured segment) get the Bruun term only. Nourishment
reduces the chronic retreat rate by ``nourishment_pct`` % (a sand budget that offsets part of
the loss); it does not change the Bruun term (documented simplification).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

BASELINE_YEAR = 2010
#: Observation window of the Cerema trend (assumption inside 1924-1958 → 2005-2014).
TREND_WINDOW = (1950, 2010)
#: IPCC AR6 WGI SPM A.1.7: global mean sea-level rise rates (m/yr) by period.
AR6_OBSERVED_RATES = ((1901, 1971, 0.0013), (1971, 2006, 0.0019), (2006, 2018, 0.0037))
DEFAULT_ACTIVE_LENGTH_M = 1250.0
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


def embedded_rate(start: float = TREND_WINDOW[0], end: float = TREND_WINDOW[1]) -> float:
    """Mean global sea-level rise rate (m/yr) over ``start``-``end`` from the AR6 observed rates
    (SPM A.1.7), weighted by the years of each period in the window (1950-2010: 1.81 mm/yr)."""
    if not AR6_OBSERVED_RATES[0][0] <= start < end <= AR6_OBSERVED_RATES[-1][1]:
        raise ValueError(f"window must lie within 1901-2018, got {start}-{end}")
    rise = sum(rate * max(min(end, b) - max(start, a), 0.0) for a, b, rate in AR6_OBSERVED_RATES)
    return rise / (end - start)


EMBEDDED_RATE_M_PER_YR = embedded_rate()


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
                      baseline_year: int = BASELINE_YEAR,
                      embedded_rate_m_per_yr: float = EMBEDDED_RATE_M_PER_YR
                      ) -> float | np.ndarray:
    """Retreat (m, ≥ 0) at ``year`` per arc (module docstring):
    ``max(trend + Bruun(extra_slr − r_emb·(year − baseline)), 0) + event``.

    ``extra_slr``: sea-level rise (m) between ``baseline_year`` and ``year``; only the part
    beyond ``embedded_rate_m_per_yr`` (the rise already in the observed trend) drives the Bruun
    term. ``event_retreat_m``: one storm's retreat added on eroding and stable arcs (rate ≤ 0;
    OCA 2016: ≈ 20 m), 0 to leave it out.
    """
    if event_retreat_m < 0:
        raise ValueError(f"event_retreat_m must be ≥ 0, got {event_retreat_m}")
    if embedded_rate_m_per_yr < 0:
        raise ValueError(f"embedded_rate_m_per_yr must be ≥ 0, got {embedded_rate_m_per_yr}")
    rate = np.asarray(rate_m_per_yr, dtype=float)
    years = max(float(year) - baseline_year, 0.0)
    chronic = chronic_retreat(rate, year, nourishment_pct, baseline_year)
    advance = np.maximum(np.nan_to_num(rate, nan=0.0), 0.0) * years
    excess = max(float(extra_slr) - embedded_rate_m_per_yr * years, 0.0)
    bruun = bruun_retreat(excess, active_length, berm_height, closure_depth)
    with np.errstate(invalid="ignore"):
        storm = np.where(rate <= 0, float(event_retreat_m), 0.0)  # NaN compares False
    out = np.maximum(chronic - advance + bruun, 0.0) + storm
    return float(out) if out.ndim == 0 else out


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
