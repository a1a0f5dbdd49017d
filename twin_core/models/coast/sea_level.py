"""Global mean sea-level rise at a horizon, from the global warming level.

Anchors (metres, relative to 1995-2014, IPCC AR6 WGI, Summary for Policymakers B.5.3 and
Chapter 9 Table 9.9; the likely ranges are those copied in ``shared/reference/README.md``):

=========  ===================  ===================
scenario   2050 median (likely)  2100 median (likely)
=========  ===================  ===================
SSP1-1.9   0.18 (0.15-0.23)     0.38 (0.28-0.55)
SSP5-8.5   0.23 (0.20-0.29)     0.77 (0.63-1.01)
=========  ===================  ===================

The medians come from AR6 Table 9.9 (the README gives only the likely ranges; check against
the SPM before relying on a figure). High-end: "global mean sea level rise approaching 2 m by
2100 ... cannot be ruled out" under very high emissions (AR6 SPM B.5.3, low confidence).

Method (documented choices, no published interpolation):

* In time, each anchor path is a quadratic through 0 at 2005 (centre of 1995-2014), the 2050
  and the 2100 values (an accelerating curve; for SSP1-1.9 medians it is a straight line).
  The high-end path is ``2.0 × ((year − 2005) / 95) ** p`` with ``p`` chosen so that it meets
  the SSP5-8.5 likely upper bound (0.29 m) in 2050.
* Between scenarios, the value at ``year`` is interpolated linearly in the global warming
  level reached at that year: weight 0 at the SSP1-1.9 level, 1 at the SSP5-8.5 level (AR6
  SPM Table SPM.1, best estimates: SSP1-1.9 1.5 / 1.6 / 1.4 °C and SSP5-8.5 1.6 / 2.4 / 4.4 °C
  for 2021-2040, 2041-2060, 2081-2100), clipped to [0, 1] (no extrapolation beyond the two
  published pathways). Check: at SSP2-4.5's 2.7 °C in 2081-2100 this gives 0.55 m in 2100
  vs the AR6 median 0.56 m (likely 0.44-0.76).
* ``option="upper"`` follows the likely upper bounds; ``"high_end"`` adds to the upper bound the
  weight × (high-end path − SSP5-8.5 upper path): at low warming it equals the likely upper
  bound, at SSP5-8.5 warming it reaches 2 m in 2100.
"""

from __future__ import annotations

import numpy as np

REFERENCE_YEAR = 2005.0  # centre of the AR6 reference period 1995-2014
REFERENCE_PERIOD = "1995-2014"

#: AR6 global mean sea-level rise (m vs 1995-2014): scenario -> year -> (low, median, high).
AR6_GMSL: dict[str, dict[int, tuple[float, float, float]]] = {
    "SSP1-1.9": {2050: (0.15, 0.18, 0.23), 2100: (0.28, 0.38, 0.55)},
    "SSP5-8.5": {2050: (0.20, 0.23, 0.29), 2100: (0.63, 0.77, 1.01)},
}
#: AR6 SPM Table SPM.1 global warming (°C vs 1850-1900), best estimates, by period centre.
#: 2005: observed warming of 1995-2014 (≈0.85 °C, AR6 SPM A.1.2).
AR6_GWL: dict[str, tuple[tuple[float, float], ...]] = {
    "SSP1-1.9": ((2005, 0.85), (2030, 1.5), (2050, 1.6), (2090, 1.4), (2100, 1.4)),
    "SSP5-8.5": ((2005, 0.85), (2030, 1.6), (2050, 2.4), (2090, 4.4), (2100, 4.4)),
}
HIGH_END_2100 = 2.0  # m, AR6 SPM B.5.3 (low confidence)
OPTIONS = ("median", "upper", "high_end")
_COLUMN = {"low": 0, "median": 1, "upper": 2}


def _quadratic_path(year: np.ndarray, v2050: float, v2100: float) -> np.ndarray:
    """Quadratic a·t + b·t² (t = year − 2005) through v2050 and v2100."""
    t1, t2 = 2050 - REFERENCE_YEAR, 2100 - REFERENCE_YEAR
    b = (v2100 / t2 - v2050 / t1) / (t2 - t1)
    a = v2050 / t1 - b * t1
    t = np.maximum(year - REFERENCE_YEAR, 0.0)
    return a * t + b * t * t


def _high_end_path(year: np.ndarray) -> np.ndarray:
    t = np.maximum(year - REFERENCE_YEAR, 0.0) / (2100 - REFERENCE_YEAR)
    upper_2050 = AR6_GMSL["SSP5-8.5"][2050][2]
    p = np.log(upper_2050 / HIGH_END_2100) / np.log((2050 - REFERENCE_YEAR)
                                                     / (2100 - REFERENCE_YEAR))
    return HIGH_END_2100 * t ** p


def ssp_sea_level(year: float | np.ndarray, ssp: str, stat: str = "median"
                  ) -> float | np.ndarray:
    """Sea-level rise (m vs 1995-2014) on one AR6 pathway; ``stat`` low / median / upper."""
    y = np.asarray(year, dtype=float)
    lo_med_hi = AR6_GMSL[ssp]
    k = _COLUMN[stat]
    out = _quadratic_path(y, lo_med_hi[2050][k], lo_med_hi[2100][k])
    return float(out) if out.ndim == 0 else out


def ssp_warming(year: float | np.ndarray, ssp: str) -> float | np.ndarray:
    """Global warming (°C vs 1850-1900) of an AR6 pathway at ``year`` (interpolated)."""
    xs, ys = zip(*AR6_GWL[ssp], strict=True)
    out = np.interp(np.asarray(year, dtype=float), xs, ys)
    return float(out) if np.ndim(out) == 0 else out


def warming_weight(year: float | np.ndarray, global_warming: float | np.ndarray
                   ) -> float | np.ndarray:
    """Position of ``global_warming`` between SSP1-1.9 (0) and SSP5-8.5 (1) at ``year``."""
    lo = np.asarray(ssp_warming(year, "SSP1-1.9"))
    hi = np.asarray(ssp_warming(year, "SSP5-8.5"))
    span = np.maximum(hi - lo, 0.1)  # near 2030 both pathways have the same warming
    out = np.clip((np.asarray(global_warming, dtype=float) - lo) / span, 0.0, 1.0)
    return float(out) if out.ndim == 0 else out


def sea_level_rise(year: float | np.ndarray, global_warming: float | np.ndarray,
                   option: str = "median") -> float | np.ndarray:
    """Global mean sea-level rise (m vs 1995-2014) at ``year`` for a global warming level.

    ``global_warming``: °C vs 1850-1900 reached at ``year`` (e.g. ``Scenario.global_warming``).
    ``option``: "median", "upper" (likely upper bound) or "high_end" (low-likelihood,
    high-impact: 2 m in 2100 at SSP5-8.5 warming). Vectorised over year and warming.
    """
    if option not in OPTIONS:
        raise ValueError(f"option must be one of {OPTIONS}, not {option!r}")
    y = np.asarray(year, dtype=float)
    if np.any(y < REFERENCE_YEAR) or np.any(y > 2100):
        raise ValueError(f"year must be within {REFERENCE_YEAR:.0f}-2100, got {year}")
    w = np.asarray(warming_weight(y, global_warming))
    stat = "median" if option == "median" else "upper"
    low = np.asarray(ssp_sea_level(y, "SSP1-1.9", stat))
    high = np.asarray(ssp_sea_level(y, "SSP5-8.5", stat))
    out = low + w * (high - low)
    if option == "high_end":
        out = out + w * np.maximum(_high_end_path(y) - high, 0.0)
    return float(out) if out.ndim == 0 else out


def sea_level_in_likely_range(year: float | np.ndarray, global_warming: float | np.ndarray,
                              position: float) -> float | np.ndarray:
    """Sea-level rise (m) at ``position`` within the AR6 likely range at this warming level:
    −1 = likely lower bound, 0 = median, +1 = likely upper bound (linear in between; the
    lower bound interpolated between the SSP1-1.9 and SSP5-8.5 lows as the other options).
    Used by the ensembles to draw the rise within the likely range (AR6 SPM B.5.3)."""
    if not -1.0 <= position <= 1.0:
        raise ValueError(f"position must be within [-1, 1], got {position}")
    med = np.asarray(sea_level_rise(year, global_warming, "median"))
    if position >= 0:
        out = med + position * (np.asarray(sea_level_rise(year, global_warming, "upper")) - med)
    else:
        y = np.asarray(year, dtype=float)
        w = np.asarray(warming_weight(y, global_warming))
        lo1 = np.asarray(ssp_sea_level(y, "SSP1-1.9", "low"))
        low = lo1 + w * (np.asarray(ssp_sea_level(y, "SSP5-8.5", "low")) - lo1)
        out = med + position * (med - low)
    return float(out) if np.ndim(out) == 0 else out
