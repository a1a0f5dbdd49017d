"""Surface fire spread: Rothermel (1972) with the Scott & Burgan (2005) 40 fuel models, and a
minimum-travel-time spread of a fire over a fuel grid.

Equations: Rothermel, R.C. (1972) "A mathematical model for predicting fire spread in wildland
fuels", USDA Forest Service Research Paper INT-115 (eqs. 52-79), with Albini (1976) "Estimating
wildfire behavior and effects", GTR INT-30 (size-class weighting of the net loads), as
implemented in BehavePlus 5 (Andrews 2009, RMRS-GTR-213; Andrews 2018, RMRS-GTR-371):
- dynamic fuel models: live herbaceous load transferred to dead with cured fraction
  1 − clip(m_herb / 0.9 − 1/3, 0, 1) (herb moisture 30 % → fully cured, 120 % → green); the
  dead herbaceous class takes the 1 h moisture and the herb surface-to-volume ratio;
- live moisture of extinction: 2.9 W' (1 − Mf,dead / Mx,dead) − 0.226, at least Mx,dead;
- wind and slope factors added as 2-D vectors (horizontal midflame wind, not lifted onto the
  slope plane);
- wind limit (:data:`WIND_LIMITS`, argument ``wind_limit``): by default none, as recommended by
  Andrews, Cruz & Rothermel (2013, "Examination of the wind speed limit function in the
  Rothermel surface fire spread model", Int. J. Wildland Fire 22:959-969, doi:10.1071/WF12122:
  "both the original and the revised wind limits are too restrictive") and restated by Andrews
  (2018, RMRS-GTR-371, §3.2.7 p. 25: "It is now recommended that a wind limit not be imposed");
  options: "spread_le_wind" (their abstract's alternative: head rate at most the effective
  midflame wind speed), "revised_2013" (their corrected derivation, effective wind ≤
  96.8 I_R^(1/3), as quoted in GTR-371 §3.2.7) and "rothermel_1972" (effective wind ≤ 0.9 I_R,
  ft/min vs Btu ft⁻² min⁻¹, Rothermel 1972 as in BehavePlus 5, which produced the reference
  table; the wind is capped and the rate recomputed, as BehavePlus does);
- length-to-width ratio 1 + 0.25 × effective wind speed (mi/h) (Anderson 1983, INT-305, as in
  BehavePlus), ellipse eccentricity e = √(LW² − 1) / LW and rate in a direction θ off the head
  R(θ) = R_max (1 − e) / (1 − e cos θ);
- head-fire intensity and flame length (Byram 1959, in Davis ed. "Forest fire: control and
  use", as in BehavePlus): I_B = I_R t_r R / 60 (Btu/ft/s) with the residence time
  t_r = 384 / σ min (Anderson 1969, INT-69), flame length 0.45 I_B^0.46 ft.
Fuel model parameters: Scott, J.H. & Burgan, R.E. (2005) "Standard fire behavior fuel models: a
comprehensive set for use with Rothermel's surface fire spread model", USDA Forest Service
RMRS-GTR-153, Table 7 (loads t/ac, SAV 1/ft, depth ft, dead extinction moisture %, heat content
Btu/lb); constants of the 40 models: 10 h SAV 109 ft⁻¹, 100 h SAV 30 ft⁻¹, particle density
32 lb/ft³, total mineral 5.55 %, effective mineral 1 %.
Validated against BehavePlus 5 outputs for GR2, GS2, SH5, TL3, TU1, SB2 (the reference table of
the gridfire project, ../shared/reference/rothermel_behaveplus5_subset.csv): within 0.1 ch/h
without wind and 0.3 ch/h with wind (tests/models/test_forest_spread.py) with the 1972 wind
limit BehavePlus 5 applied; without it (the default) the rows where that limit does not bind
(27 of 30) agree to the same tolerance and the three where it binds (TL3 with wind) spread
faster.

Fuel map (:data:`GROUP_FUEL_MODEL`): no published mapping of the BD Forêt species groups to the
Scott & Burgan models exists for French Mediterranean vegetation (domain_facts.md B2: "not
found"); the mapping is this project's reading of the Scott & Burgan descriptions (low
confidence, documented per group): Aleppo/maritime pine and holm oak with shrubby understorey →
TU5 (very high load, dry-climate timber-shrub); Scots pine and larch with grassy understorey →
TU1; black and mixed pines → TL8 (long-needle litter); fir, spruce, Douglas, cedar, mountain
pines → TL3 (moderate-load conifer litter); beech → TL2 (low-load broadleaf litter); oaks,
chestnut, mixed broadleaves, robinia, poplar → TL6 (moderate-load broadleaf litter). Cells
outside the mapped stands are non-burnable (NB): the fire stays in the forest (no garrigue,
grassland or urban fuels mapped between stands).

Grid spread: minimum travel time (Finney 2002, Can. J. For. Res. 32:1420, the principle of
FlamMap's MTT) with any-angle paths: Lazy Theta* (Nash, Koenig & Tovey 2010, AAAI-10, "Lazy
Theta*: any-angle path planning and path length analysis in 3D") with the elliptical travel
time, compiled by numba. Within one medium (same fuel model, hence same head rate, L/W and
head direction) the fastest path between two points is a straight line (the travel time of a
displacement d, (|d| − e d·ĥ) / (R (1 − e)), is a convex gauge), so each cell keeps a source
cell of its medium from which the fire reaches it in a straight line, checked for line of
sight (no other medium or non-burnable cell on the segment); paths bend only at fuel edges
and non-burnable cells, where an edge between neighbours costs half its length at each end
cell's elliptical rate. On uniform fuel and wind every cell is reached straight from the
ignition: the burnt area is the model's own ellipse (BehavePlus SIZE module, Andrews 2018,
RMRS-GTR-371; :func:`fire_ellipse`) within 0.5 % for L/W 1-5 and any wind direction
(tests/models/test_forest_spread.py), where the former 16-neighbour graph lost 3 % (L/W 1) to
51 % (L/W 5) of it. A rate that varies cell by cell (e.g. slope) makes every cell its own
medium: paths are then 8-neighbour edges there, with the graph's flank loss. The 16-neighbour
graph (scipy.sparse.csgraph Dijkstra) stays available with ``neighbours=16`` for comparison.
Flat terrain (the sample has no DEM), uniform wind and fuel moisture.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd

from twin_core.errors import TwinInputError
from twin_core.heap import heap_pop, heap_push

#: 1 chain/hour in m/min (66 ft / 60 min).
CH_PER_H_TO_M_PER_MIN = 0.33528
FT_PER_MIN_TO_M_PER_MIN = 0.3048
MPH_TO_M_PER_S = 0.44704
#: t/ac → lb/ft² (2000 lb / 43 560 ft²).
TONS_PER_ACRE_TO_LB_PER_FT2 = 2000.0 / 43560.0

# fmt: off
#: Scott & Burgan (2005) Table 7: code → (1 h, 10 h, 100 h, live herb, live woody loads t/ac;
#: SAV 1 h, live herb, live woody 1/ft; depth ft; dead Mx %; heat Btu/lb).
SB40: dict[str, tuple[float, ...]] = {
    "GR1": (0.10, 0.00, 0.00, 0.30, 0.00, 2200, 2000, 0, 0.4, 15, 8000),
    "GR2": (0.10, 0.00, 0.00, 1.00, 0.00, 2000, 1800, 0, 1.0, 15, 8000),
    "GR3": (0.10, 0.40, 0.00, 1.50, 0.00, 1500, 1300, 0, 2.0, 30, 8000),
    "GR4": (0.25, 0.00, 0.00, 1.90, 0.00, 2000, 1800, 0, 2.0, 15, 8000),
    "GR5": (0.40, 0.00, 0.00, 2.50, 0.00, 1800, 1600, 0, 1.5, 40, 8000),
    "GR6": (0.10, 0.00, 0.00, 3.40, 0.00, 2200, 2000, 0, 1.5, 40, 9000),
    "GR7": (1.00, 0.00, 0.00, 5.40, 0.00, 2000, 1800, 0, 3.0, 15, 8000),
    "GR8": (0.50, 1.00, 0.00, 7.30, 0.00, 1500, 1300, 0, 4.0, 30, 8000),
    "GR9": (1.00, 1.00, 0.00, 9.00, 0.00, 1800, 1600, 0, 5.0, 40, 8000),
    "GS1": (0.20, 0.00, 0.00, 0.50, 0.65, 2000, 1800, 1800, 0.9, 15, 8000),
    "GS2": (0.50, 0.50, 0.00, 0.60, 1.00, 2000, 1800, 1800, 1.5, 15, 8000),
    "GS3": (0.30, 0.25, 0.00, 1.45, 1.25, 1800, 1600, 1600, 1.8, 40, 8000),
    "GS4": (1.90, 0.30, 0.10, 3.40, 7.10, 1800, 1600, 1600, 2.1, 40, 8000),
    "SH1": (0.25, 0.25, 0.00, 0.15, 1.30, 2000, 1800, 1600, 1.0, 15, 8000),
    "SH2": (1.35, 2.40, 0.75, 0.00, 3.85, 2000, 0, 1600, 1.0, 15, 8000),
    "SH3": (0.45, 3.00, 0.00, 0.00, 6.20, 1600, 0, 1400, 2.4, 40, 8000),
    "SH4": (0.85, 1.15, 0.20, 0.00, 2.55, 2000, 1800, 1600, 3.0, 30, 8000),
    "SH5": (3.60, 2.10, 0.00, 0.00, 2.90, 750, 0, 1600, 6.0, 15, 8000),
    "SH6": (2.90, 1.45, 0.00, 0.00, 1.40, 750, 0, 1600, 2.0, 30, 8000),
    "SH7": (3.50, 5.30, 2.20, 0.00, 3.40, 750, 0, 1600, 6.0, 15, 8000),
    "SH8": (2.05, 3.40, 0.85, 0.00, 4.35, 750, 0, 1600, 3.0, 40, 8000),
    "SH9": (4.50, 2.45, 0.00, 1.55, 7.00, 750, 1800, 1500, 4.4, 40, 8000),
    "TU1": (0.20, 0.90, 1.50, 0.20, 0.90, 2000, 1800, 1600, 0.6, 20, 8000),
    "TU2": (0.95, 1.80, 1.25, 0.00, 0.20, 2000, 0, 1600, 1.0, 30, 8000),
    "TU3": (1.10, 0.15, 0.25, 0.65, 1.10, 1800, 1600, 1400, 1.3, 30, 8000),
    "TU4": (4.50, 0.00, 0.00, 0.00, 2.00, 2300, 0, 2000, 0.5, 12, 8000),
    "TU5": (4.00, 4.00, 3.00, 0.00, 3.00, 1500, 0, 750, 1.0, 25, 8000),
    "TL1": (1.00, 2.20, 3.60, 0.00, 0.00, 2000, 0, 0, 0.2, 30, 8000),
    "TL2": (1.40, 2.30, 2.20, 0.00, 0.00, 2000, 0, 0, 0.2, 25, 8000),
    "TL3": (0.50, 2.20, 2.80, 0.00, 0.00, 2000, 0, 0, 0.3, 20, 8000),
    "TL4": (0.50, 1.50, 4.20, 0.00, 0.00, 2000, 0, 0, 0.4, 25, 8000),
    "TL5": (1.15, 2.50, 4.40, 0.00, 0.00, 2000, 0, 1600, 0.6, 25, 8000),
    "TL6": (2.40, 1.20, 1.20, 0.00, 0.00, 2000, 0, 0, 0.3, 25, 8000),
    "TL7": (0.30, 1.40, 8.10, 0.00, 0.00, 2000, 0, 0, 0.4, 25, 8000),
    "TL8": (5.80, 1.40, 1.10, 0.00, 0.00, 1800, 0, 0, 0.3, 35, 8000),
    "TL9": (6.65, 3.30, 4.15, 0.00, 0.00, 1800, 0, 1600, 0.6, 35, 8000),
    "SB1": (1.50, 3.00, 11.00, 0.00, 0.00, 2000, 0, 0, 1.0, 25, 8000),
    "SB2": (4.50, 4.25, 4.00, 0.00, 0.00, 2000, 0, 0, 1.0, 25, 8000),
    "SB3": (5.50, 2.75, 3.00, 0.00, 0.00, 2000, 0, 0, 1.2, 25, 8000),
    "SB4": (5.25, 3.50, 5.25, 0.00, 0.00, 2000, 0, 0, 2.7, 25, 8000),
}
# fmt: on
FUEL_MODELS: tuple[str, ...] = tuple(SB40)
NONBURNABLE = "NB"
SAV_10H, SAV_100H = 109.0, 30.0  # 1/ft, Scott & Burgan (2005)
PARTICLE_DENSITY = 32.0  # lb/ft³
TOTAL_MINERAL, EFFECTIVE_MINERAL = 0.0555, 0.01

#: Scott & Burgan (2005) fuel moisture scenarios (fractions): dead 1/10/100 h and live herb /
#: woody: D1L1 very low ... D4L4 high (their Table 8, "very low dead, fully cured herb").
MOISTURE_SCENARIOS: dict[str, tuple[float, float, float, float, float]] = {
    "D1L1": (0.03, 0.04, 0.05, 0.30, 0.60),
    "D2L2": (0.06, 0.07, 0.08, 0.60, 0.90),
    "D3L3": (0.09, 0.10, 0.11, 0.90, 1.20),
    "D4L4": (0.12, 0.13, 0.14, 1.20, 1.50),
}

#: Species group (suitability.ESSENCE_TO_GROUP) → Scott & Burgan fuel model; the project's
#: reading of the fuel model descriptions (see the module docstring), low confidence.
GROUP_FUEL_MODEL: dict[str, str] = {
    "aleppo_pine": "TU5", "maritime_pine": "TU5", "holm_oak": "TU5", "cork_oak": "TU5",
    "scots_pine": "TU1", "larch": "TU1",
    "black_pine": "TL8", "mixed_pines": "TL8", "other_pines": "TL8",
    "fir_spruce": "TL3", "douglas_fir": "TL3", "atlas_cedar": "TL3", "mountain_pines": "TL3",
    "beech": "TL2",
    "deciduous_oaks": "TL6", "chestnut": "TL6", "broadleaves": "TL6", "robinia": "TL6",
    "poplar": "TL6",
    "unknown": "TL6",  # BD Forêt "NR" (not filled in): a moderate broadleaf litter
}

#: Upper bound accepted for fuel moisture (fraction): dead fuel cannot hold more water than
#: fibre saturation (≈ 0.35, the usual bound of dead fuel moisture models) — accepted up to
#: extinction values of 0.40 —; live fuel up to 3.0 (300 %, beyond any measured live moisture).
MAX_DEAD_MOISTURE = 0.40
MAX_LIVE_MOISTURE = 3.0

#: Wind limit settings (module docstring): none (default, Andrews et al. 2013), head rate at most
#: the effective midflame wind, the revised 96.8 I_R^(1/3) limit, Rothermel's 0.9 I_R limit.
WIND_LIMITS: tuple[str, ...] = ("none", "spread_le_wind", "revised_2013", "rothermel_1972")
DEFAULT_WIND_LIMIT = "none"


def fuel_models() -> pd.DataFrame:
    """The Scott & Burgan (2005) 40 fuel models in their published units, indexed by code."""
    cols = ["load_1h_t_ac", "load_10h_t_ac", "load_100h_t_ac", "load_herb_t_ac",
            "load_woody_t_ac", "sav_1h_ft", "sav_herb_ft", "sav_woody_ft", "depth_ft",
            "mx_dead_pct", "heat_btu_lb"]
    return pd.DataFrame.from_dict(SB40, orient="index", columns=cols).rename_axis("code")


def _check_fuel(fuel_model) -> np.ndarray:
    codes = np.atleast_1d(np.asarray(fuel_model, dtype=object)).astype(str)
    codes = np.char.upper(np.char.strip(codes.astype(str)))
    bad = sorted(set(codes.ravel()) - set(SB40))
    if bad:
        raise TwinInputError("forest_unknown_fuel_model", "fuel_model", value=", ".join(bad[:5]),
                             allowed=", ".join(FUEL_MODELS))
    return codes


def _check_moisture(name: str, value, upper: float) -> np.ndarray:
    v = np.asarray(value, dtype=float)
    if np.any(~np.isfinite(v)) or np.any(v < 0) or np.any(v > upper):
        worst = float(np.nanmax(np.where(np.isfinite(v), v, np.inf)))
        raise TwinInputError("forest_bad_moisture", name, value=round(worst, 3), upper=upper)
    return v


@dataclass
class SurfaceFire:
    """Rothermel outputs (US units as BehavePlus, plus m/min), arrays of the broadcast shape."""
    ros_max_m_min: np.ndarray
    ros_no_wind_m_min: np.ndarray
    reaction_intensity_btu_ft2_min: np.ndarray
    phi_w: np.ndarray
    phi_s: np.ndarray
    effective_wind_mph: np.ndarray
    length_to_width: np.ndarray
    #: direction of maximum spread, degrees off upslope toward the side the wind blows to
    direction_from_upslope_deg: np.ndarray
    #: flame residence time 384 / σ (Anderson 1969), min
    residence_time_min: np.ndarray | None = None

    @property
    def fireline_intensity_btu_ft_s(self) -> np.ndarray:
        """Byram (1959) head-fire intensity I_R × t_r × R / 60 (as BehavePlus)."""
        ros_ft_min = self.ros_max_m_min / FT_PER_MIN_TO_M_PER_MIN
        return self.reaction_intensity_btu_ft2_min * self.residence_time_min * ros_ft_min / 60.0

    @property
    def flame_length_m(self) -> np.ndarray:
        """Byram (1959) head-fire flame length 0.45 I_B^0.46 (ft, Btu/ft/s), in m."""
        return 0.45 * self.fireline_intensity_btu_ft_s ** 0.46 * FT_PER_MIN_TO_M_PER_MIN  # ft→m

    @property
    def ros_max_ch_h(self) -> np.ndarray:
        return self.ros_max_m_min / CH_PER_H_TO_M_PER_MIN


def rothermel_surface(fuel_model, m1h, m10h, m100h, m_herb, m_woody, midflame_wind,
                      slope, wind_from_upslope_deg=0.0,
                      wind_limit: str = DEFAULT_WIND_LIMIT) -> SurfaceFire:
    """Rothermel (1972) surface fire, vectorised over any broadcastable inputs.

    ``fuel_model``: Scott & Burgan code(s) ("GR2", …); moistures as fractions (0.06 = 6 %);
    ``midflame_wind`` in m/s (horizontal); ``slope`` as rise/run; ``wind_from_upslope_deg``: the
    angle between the direction the wind blows TOWARD and upslope (0 = straight upslope);
    ``wind_limit`` one of :data:`WIND_LIMITS` (module docstring).
    Raises :class:`TwinInputError` for an unknown fuel model or a moisture out of range.
    """
    if wind_limit not in WIND_LIMITS:
        raise TwinInputError("bad_value", "wind_limit", key="wind_limit", value=wind_limit,
                             expected=", ".join(WIND_LIMITS))
    codes = _check_fuel(fuel_model)
    m1h = _check_moisture("m1h", m1h, MAX_DEAD_MOISTURE)
    m10h = _check_moisture("m10h", m10h, MAX_DEAD_MOISTURE)
    m100h = _check_moisture("m100h", m100h, MAX_DEAD_MOISTURE)
    m_herb = _check_moisture("m_herb", m_herb, MAX_LIVE_MOISTURE)
    m_woody = _check_moisture("m_woody", m_woody, MAX_LIVE_MOISTURE)
    wind = np.asarray(midflame_wind, dtype=float)
    if np.any(wind < 0):
        raise TwinInputError("bad_value", "midflame_wind", key="midflame_wind",
                             value=float(wind.min()), expected="≥ 0 m/s")
    slope = np.abs(np.asarray(slope, dtype=float))
    angle = np.radians(np.asarray(wind_from_upslope_deg, dtype=float))
    shape = np.broadcast_shapes(codes.shape if np.ndim(fuel_model) else (), m1h.shape,
                                m10h.shape, m100h.shape, m_herb.shape, m_woody.shape,
                                wind.shape, slope.shape, angle.shape)
    table = np.array([SB40[c] for c in codes.ravel()], dtype=float).reshape(codes.shape + (11,))
    if not np.ndim(fuel_model):
        table = table[0]
    table = np.broadcast_to(table, shape + (11,))
    b = [np.broadcast_to(x, shape) for x in (m1h, m10h, m100h, m_herb, m_woody, wind, slope,
                                             angle)]
    return _rothermel(table, *b, wind_limit=wind_limit)


def _rothermel(table: np.ndarray, m1h, m10h, m100h, m_herb, m_woody, wind_ms, slope,
               angle, wind_limit: str = DEFAULT_WIND_LIMIT) -> SurfaceFire:
    t = table
    k = TONS_PER_ACRE_TO_LB_PER_FT2
    w1, w10, w100, wh, ww = (t[..., i] * k for i in range(5))
    s1, sh, sw = t[..., 5], t[..., 6], t[..., 7]
    depth, mx_dead, heat = t[..., 8], t[..., 9] / 100.0, t[..., 10]
    # dynamic models: transfer of cured herbaceous load (Scott & Burgan 2005, p. 8)
    green = np.clip(m_herb / 0.9 - 1.0 / 3.0, 0.0, 1.0)
    dynamic = wh > 0
    w_dh = np.where(dynamic, wh * (1.0 - green), 0.0)
    w_lh = np.where(dynamic, wh * green, wh)
    # particle classes: dead 1h, 10h, 100h, dead herb | live herb, live woody
    one = np.ones_like(s1)
    sav = np.stack([s1, SAV_10H * one, SAV_100H * one, sh, sh, sw], axis=-1)
    load = np.stack([w1, w10, w100, w_dh, w_lh, ww], axis=-1)
    moist = np.stack([m1h, m10h, m100h, m1h, m_herb, m_woody], axis=-1)
    dead = np.array([True, True, True, True, False, False])
    present = (load > 0) & (sav > 0)
    sav_safe = np.where(present, sav, 1.0)
    area = np.where(present, sav * load / PARTICLE_DENSITY, 0.0)
    a_dead = area[..., dead].sum(-1)
    a_live = area[..., ~dead].sum(-1)
    a_tot = a_dead + a_live
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(dead, area / a_dead[..., None], area / a_live[..., None])
        f = np.nan_to_num(f)
        f_cat = np.stack([a_dead / a_tot, a_live / a_tot], axis=-1)
        f_cat = np.nan_to_num(f_cat)
    # size-class weights g_ij (Albini 1976; BehavePlus): sum of f over same category & class
    size_class = np.digitize(sav, [16.0, 48.0, 96.0, 192.0, 1200.0])
    g = np.zeros_like(f)
    for cat in (dead, ~dead):
        idx = np.flatnonzero(cat)
        for i in idx:
            same = (size_class[..., idx] == size_class[..., i:i + 1])
            g[..., i] = np.where(present[..., i], (f[..., idx] * same).sum(-1), 0.0)
    net = load * (1.0 - TOTAL_MINERAL)
    wn_dead = (g * net)[..., dead].sum(-1)
    wn_live = (g * net)[..., ~dead].sum(-1)
    sigma_dead = (f * sav)[..., dead].sum(-1)
    sigma_live = (f * sav)[..., ~dead].sum(-1)
    sigma = f_cat[..., 0] * sigma_dead + f_cat[..., 1] * sigma_live
    mf_dead = (f * moist)[..., dead].sum(-1)
    mf_live = (f * moist)[..., ~dead].sum(-1)
    # live extinction moisture (Albini 1976, eq. as in BehavePlus)
    eps = np.where(present, np.exp(np.where(dead, -138.0, -500.0) / sav_safe), 0.0)
    fine_dead = (load * eps)[..., dead].sum(-1)
    fine_live = (load * eps)[..., ~dead].sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        fine_dead_moist = np.nan_to_num(
            (load * eps * moist)[..., dead].sum(-1) / fine_dead)
        w_ratio = np.where(fine_live > 0, fine_dead / np.where(fine_live > 0, fine_live, 1), 0)
    mx_live = np.maximum(2.9 * w_ratio * (1.0 - fine_dead_moist / mx_dead) - 0.226, mx_dead)

    def damping(mf, mx):
        r = np.clip(np.where(mx > 0, mf / np.where(mx > 0, mx, 1.0), 1.0), 0.0, 1.0)
        return np.where(r >= 1.0, 0.0, 1.0 - 2.59 * r + 5.11 * r ** 2 - 3.52 * r ** 3)

    eta_m_dead = damping(mf_dead, mx_dead)
    eta_m_live = damping(mf_live, mx_live)
    eta_s = min(0.174 * EFFECTIVE_MINERAL ** -0.19, 1.0)
    rho_b = load.sum(-1) / depth
    beta = rho_b / PARTICLE_DENSITY
    beta_op = 3.348 * sigma ** -0.8189
    rel = beta / beta_op
    a_exp = 133.0 * sigma ** -0.7913
    gmax = sigma ** 1.5 / (495.0 + 0.0594 * sigma ** 1.5)
    gamma = gmax * rel ** a_exp * np.exp(a_exp * (1.0 - rel))
    ir = gamma * heat * eta_s * (wn_dead * eta_m_dead + wn_live * eta_m_live)
    xi = np.exp((0.792 + 0.681 * sigma ** 0.5) * (beta + 0.1)) / (192.0 + 0.2595 * sigma)
    qig = 250.0 + 1116.0 * moist
    eps_heat = np.where(present, np.exp(-138.0 / sav_safe), 0.0)  # all classes, eq. 77
    sink_cat = np.stack([(f * eps_heat * qig)[..., dead].sum(-1),
                         (f * eps_heat * qig)[..., ~dead].sum(-1)], axis=-1)
    heat_sink = rho_b * (f_cat * sink_cat).sum(-1)
    r0 = ir * xi / heat_sink  # ft/min
    # wind and slope factors
    c = 7.47 * np.exp(-0.133 * sigma ** 0.55)
    bw = 0.02526 * sigma ** 0.54
    e = 0.715 * np.exp(-3.59e-4 * sigma)
    u = wind_ms / MPH_TO_M_PER_S * 88.0  # ft/min
    phi_w = np.where(u > 0, c * u ** bw * rel ** -e, 0.0)
    phi_s = 5.275 * beta ** -0.3 * slope ** 2
    # 2-D vector sum (upslope = x axis)
    x = phi_s + phi_w * np.cos(angle)
    y = phi_w * np.sin(angle)
    phi_e = np.hypot(x, y)
    direction = np.degrees(np.arctan2(np.abs(y), x))
    u_eff = np.where(phi_e > 0, (phi_e * rel ** e / c) ** (1.0 / bw), 0.0)
    if wind_limit in ("rothermel_1972", "revised_2013"):
        limit = 0.9 * ir if wind_limit == "rothermel_1972" else 96.8 * np.cbrt(ir)
        capped = u_eff > limit
        u_eff = np.where(capped, limit, u_eff)
        phi_e = np.where(capped, c * u_eff ** bw * rel ** -e, phi_e)
    ros = r0 * (1.0 + phi_e)
    if wind_limit == "spread_le_wind":  # both in ft/min; no cap on a fire without wind or slope
        ros = np.where(u_eff > 0, np.minimum(ros, u_eff), ros)
    burnable = ir > 0
    ros = np.where(burnable, ros, 0.0)
    u_eff_mph = u_eff / 88.0
    return SurfaceFire(
        ros_max_m_min=ros * FT_PER_MIN_TO_M_PER_MIN,
        ros_no_wind_m_min=np.where(burnable, r0, 0.0) * FT_PER_MIN_TO_M_PER_MIN,
        reaction_intensity_btu_ft2_min=ir, phi_w=phi_w, phi_s=phi_s,
        effective_wind_mph=u_eff_mph, length_to_width=1.0 + 0.25 * u_eff_mph,
        direction_from_upslope_deg=direction, residence_time_min=384.0 / sigma)


def rothermel_max_spread(fuel_model, m1h, m10h, m100h, m_herb, m_woody, midflame_wind,
                         slope, wind_from_upslope_deg=0.0,
                         wind_limit: str = DEFAULT_WIND_LIMIT):
    """Maximum surface spread rate (m/min) of Rothermel (1972) for Scott & Burgan fuel models.

    Moistures as fractions, ``midflame_wind`` in m/s, ``slope`` as rise/run,
    ``wind_from_upslope_deg`` the angle between where the wind blows toward and upslope,
    ``wind_limit`` one of :data:`WIND_LIMITS`. Scalars in → float out; arrays broadcast.
    """
    out = rothermel_surface(fuel_model, m1h, m10h, m100h, m_herb, m_woody, midflame_wind,
                            slope, wind_from_upslope_deg, wind_limit).ros_max_m_min
    return float(out) if np.ndim(out) == 0 else out


# -- spread over a grid ------------------------------------------------------------------------
_OFFSETS_8 = [(0, 1), (1, 0), (1, 1), (1, -1)]
_OFFSETS_16 = _OFFSETS_8 + [(1, 2), (2, 1), (2, -1), (1, -2)]


def wind_to_midflame(wind_10m_kmh: float, wind_adjustment: float) -> float:
    """Midflame wind (m/s) from the 10 m open wind (km/h): 20-ft wind = 10 m wind / 1.15
    (Turner & Lawson 1978, as in Andrews 2012, RMRS-GTR-266), times the wind adjustment factor
    (Albini & Baughman 1979; Andrews 2012 Table: ≈ 0.4 unsheltered shrub, 0.3 partially
    sheltered, 0.1-0.2 fully sheltered under a canopy)."""
    return wind_10m_kmh / 3.6 / 1.15 * wind_adjustment


def fire_ellipse(ros_max_m_min, length_to_width, elapsed_min) -> dict:
    """Size of a point-source fire after ``elapsed_min`` on uniform fuel, wind and slope (the
    BehavePlus SIZE module, Andrews 2018, RMRS-GTR-371, after Anderson 1983, INT-305): forward
    spread R t, backing spread R (1 − e) / (1 + e) t (the rate of :func:`elliptical_rate`
    straight back), length = forward + backing, width = length / LW, area = π × length × width
    / 4. Returns distances in m and ``area_ha``."""
    lw = np.maximum(np.asarray(length_to_width, dtype=float), 1.0)
    ecc = np.sqrt(lw ** 2 - 1.0) / lw
    forward = np.asarray(ros_max_m_min, dtype=float) * elapsed_min
    backing = forward * (1.0 - ecc) / (1.0 + ecc)
    length = forward + backing
    width = length / lw
    return {"forward_m": forward, "backing_m": backing, "length_m": length, "width_m": width,
            "area_ha": np.pi * length * width / 4.0 / 1e4}


def elliptical_rate(ros_max, length_to_width, angle_off_head):
    """Spread rate in a direction ``angle_off_head`` (radians) off the head of an elliptical
    fire (the fire point at the rear focus): R_max (1 − e) / (1 − e cos θ), e = √(LW²−1)/LW."""
    lw = np.maximum(np.asarray(length_to_width, dtype=float), 1.0)
    ecc = np.sqrt(lw ** 2 - 1.0) / lw
    return ros_max * (1.0 - ecc) / (1.0 - ecc * np.cos(angle_off_head))


# -- any-angle minimum travel time (compiled by numba) -----------------------------------------
# Offsets of the 8 neighbours (row, col).
_NB_DR = np.array([-1, -1, -1, 0, 0, 1, 1, 1], dtype=np.int64)
_NB_DC = np.array([-1, 0, 1, -1, 1, -1, 0, 1], dtype=np.int64)


def _clearance(label):  # pragma: no cover (compiled by numba)
    """Chessboard distance from each cell to the nearest cell of another label (or the window
    edge), by the two-pass chamfer: every cell within D − 1 of a cell has its label."""
    h, w = label.shape
    big = h + w + 2
    d = np.empty((h, w), dtype=np.int32)
    for r in range(h):
        for c in range(w):
            lab = label[r, c]
            v = big
            if r == 0 or c == 0 or r == h - 1 or c == w - 1:
                v = 1
            else:
                for dr in range(-1, 2):
                    for dc in range(-1, 2):
                        if label[r + dr, c + dc] != lab:
                            v = 1
            d[r, c] = v
    for r in range(h):
        for c in range(w):
            v = d[r, c]
            if r > 0:
                v = min(v, d[r - 1, c] + 1)
                if c > 0:
                    v = min(v, d[r - 1, c - 1] + 1)
                if c < w - 1:
                    v = min(v, d[r - 1, c + 1] + 1)
            if c > 0:
                v = min(v, d[r, c - 1] + 1)
            d[r, c] = v
    for r in range(h - 1, -1, -1):
        for c in range(w - 1, -1, -1):
            v = d[r, c]
            if r < h - 1:
                v = min(v, d[r + 1, c] + 1)
                if c > 0:
                    v = min(v, d[r + 1, c - 1] + 1)
                if c < w - 1:
                    v = min(v, d[r + 1, c + 1] + 1)
            if c < w - 1:
                v = min(v, d[r, c + 1] + 1)
            d[r, c] = v
    return d


def _line_clear(label, clear, sr, sc, vr, vc):  # pragma: no cover (compiled by numba)
    """True when the segment between the centres of cells s and v crosses only cells of v's
    label: jumps through squares known to be uniform (``clear``), cell by cell elsewhere; a
    segment through a cell corner needs one of the two side cells."""
    lab = label[vr, vc]
    dr = sr - vr
    dc = sc - vc
    n = max(abs(dr), abs(dc))
    if n <= clear[vr, vc] - 1 or n <= clear[sr, sc] - 1:
        return True
    sy = 1 if dr > 0 else (-1 if dr < 0 else 0)
    sx = 1 if dc > 0 else (-1 if dc < 0 else 0)
    cr, cc = vr, vc
    t = 0.0
    for _ in range(4 * n + 8):
        if label[cr, cc] != lab:
            return False
        k = clear[cr, cc] - 1
        if abs(sr - cr) <= k and abs(sc - cc) <= k:
            return True  # the rest of the segment lies in a uniform square
        if k >= 1:
            t += k / n
            if t >= 1.0:
                return True
            cr = int(np.floor(vr + t * dr + 0.5))
            cc = int(np.floor(vc + t * dc + 0.5))
            continue
        tx = (cc + 0.5 * sx - vc) / dc if dc != 0 else np.inf
        ty = (cr + 0.5 * sy - vr) / dr if dr != 0 else np.inf
        if tx < ty - 1e-12:
            t = tx
            cc += sx
        elif ty < tx - 1e-12:
            t = ty
            cr += sy
        else:  # through a corner
            if label[cr, cc + sx] != lab and label[cr + sy, cc] != lab:
                return False
            t = tx
            cr += sy
            cc += sx
        if t >= 1.0:
            return True
    return True


def _step_cost(ros, ecc, hs, hc, dr, dc, cell_m):  # pragma: no cover (compiled by numba)
    """Time (min) to cross the displacement (dr rows south, dc cols east) at the elliptical rate
    R(θ) = R (1 − e) / (1 − e cos θ): (|d| − e d·ĥ) / (R (1 − e)), ĥ the head direction."""
    along = dc * hs - dr * hc
    return cell_m * (np.sqrt(dr * dr + dc * dc) - ecc * along) / (ros * (1.0 - ecc))


def _any_angle_mtt(label, ros_l, ecc_l, hs_l, hc_l, r0, c0, duration,
                   cell_m):  # pragma: no cover (compiled by numba)
    """Lazy Theta* (Nash, Koenig & Tovey 2010) with the elliptical travel time: each cell keeps
    a source cell of its own label from which the fire reaches it in a straight line; a
    neighbour is first given the straight line from that source, checked for line of sight
    when it is expanded (otherwise the best expanded neighbour's edge). Exact on uniform
    fuel (every cell is reached straight from the ignition); paths bend only at fuel edges
    and non-burnable cells."""
    h, w = label.shape
    n = h * w
    clear = _clearance(label)
    arrival = np.full(n, np.inf)
    expanded_at = np.full(n, -1.0)
    src = np.full(n, -1, dtype=np.int64)
    cap = 1 << 16
    keys = np.empty(cap, dtype=np.float64)
    vals = np.empty(cap, dtype=np.int64)
    start = r0 * w + c0
    arrival[start] = 0.0
    src[start] = start
    size = _heap_push(keys, vals, 0, 0.0, start)
    while size > 0:
        t, u, size = _heap_pop(keys, vals, size)
        if t != arrival[u] or t == expanded_at[u]:
            continue
        if t > duration:
            break
        ur, uc = u // w, u % w
        lu = label[ur, uc]
        s = src[u]
        sr, sc = s // w, s % w
        if max(abs(sr - ur), abs(sc - uc)) > 1 and not _line_clear(label, clear, sr, sc,
                                                                    ur, uc):
            # no line of sight: the best edge from an expanded neighbour
            best, bsrc = np.inf, -1
            for k in range(8):
                nr, nc = ur + _NB_DR[k], uc + _NB_DC[k]
                if nr < 0 or nr >= h or nc < 0 or nc >= w:
                    continue
                m = nr * w + nc
                ln = label[nr, nc]
                if ln < 0 or expanded_at[m] < 0:
                    continue
                dr, dc = ur - nr, uc - nc
                if dr != 0 and dc != 0 and label[nr, uc] < 0 and label[ur, nc] < 0:
                    continue
                cu = _step_cost(ros_l[lu], ecc_l[lu], hs_l[lu], hc_l[lu], dr, dc, cell_m)
                if ln == lu:
                    cand, cs = arrival[m] + cu, m
                else:
                    cn = _step_cost(ros_l[ln], ecc_l[ln], hs_l[ln], hc_l[ln], dr, dc, cell_m)
                    cand, cs = arrival[m] + 0.5 * (cu + cn), u
                if cand < best:
                    best, bsrc = cand, cs
            arrival[u] = best
            src[u] = bsrc
            if best <= duration:
                if size >= cap:
                    keys = np.concatenate((keys, np.empty(cap)))
                    vals = np.concatenate((vals, np.empty(cap, dtype=np.int64)))
                    cap *= 2
                size = _heap_push(keys, vals, size, best, u)
            continue
        expanded_at[u] = t
        for k in range(8):
            vr, vc = ur + _NB_DR[k], uc + _NB_DC[k]
            if vr < 0 or vr >= h or vc < 0 or vc >= w:
                continue
            lv = label[vr, vc]
            if lv < 0:
                continue
            dr, dc = _NB_DR[k], _NB_DC[k]
            if dr != 0 and dc != 0 and label[ur, vc] < 0 and label[vr, uc] < 0:
                continue  # no slipping between two non-burnable cells
            v = vr * w + vc
            if lv == lu:
                cand = arrival[s] + _step_cost(ros_l[lu], ecc_l[lu], hs_l[lu], hc_l[lu],
                                               vr - sr, vc - sc, cell_m)
                cs = s
            else:
                cand = arrival[u] + 0.5 * (
                    _step_cost(ros_l[lu], ecc_l[lu], hs_l[lu], hc_l[lu], dr, dc, cell_m)
                    + _step_cost(ros_l[lv], ecc_l[lv], hs_l[lv], hc_l[lv], dr, dc, cell_m))
                cs = v  # a new fuel: straight lines start again from here
            if cand < arrival[v] and cand <= duration:
                arrival[v] = cand
                src[v] = cs
                if size >= cap:
                    keys = np.concatenate((keys, np.empty(cap)))
                    vals = np.concatenate((vals, np.empty(cap, dtype=np.int64)))
                    cap *= 2
                size = _heap_push(keys, vals, size, cand, v)
    return arrival.reshape(h, w)


_heap_push, _heap_pop = heap_push, heap_pop  # numba versions once compiled (_kernel)
_KERNEL: list = []


def _kernel():
    """:func:`_any_angle_mtt` and its helpers compiled by numba on first use (≈ 2 s;
    ``cache=False``: no files written next to the package)."""
    if not _KERNEL:
        from numba import njit

        from twin_core.heap import compiled

        g = globals()
        for name in ("_clearance", "_line_clear", "_step_cost"):
            g[name] = njit(cache=False)(g[name])
        g["_heap_push"], g["_heap_pop"] = compiled()
        _KERNEL.append(njit(cache=False)(_any_angle_mtt))
    return _KERNEL[0]


def _spread_labels(label: np.ndarray, ros_l, lw_l, az_l, ignition: tuple[int, int],
                   duration_min: float, cell_m: float) -> np.ndarray:
    """Arrival time (min, inf beyond ``duration_min``) on a grid of media: ``label`` per cell
    (-1 non-burnable) indexes the head rate ``ros_l`` (m/min), length-to-width ``lw_l`` and head
    azimuth ``az_l`` (degrees) of each medium. Computed inside the window the fastest medium
    can reach around the ignition."""
    ros_l = np.asarray(ros_l, dtype=float)
    lw_l = np.maximum(np.asarray(lw_l, dtype=float), 1.0)
    az = np.radians(np.asarray(az_l, dtype=float))
    ecc_l = np.sqrt(lw_l ** 2 - 1.0) / lw_l
    ny, nx = label.shape
    r0, c0 = ignition
    reach = int(np.ceil(float(ros_l.max()) * duration_min / cell_m)) + 2
    rs, re_ = max(r0 - reach, 0), min(r0 + reach + 1, ny)
    cs, ce = max(c0 - reach, 0), min(c0 + reach + 1, nx)
    win = np.ascontiguousarray(label[rs:re_, cs:ce], dtype=np.int32)
    t = _kernel()(win, ros_l, ecc_l, np.sin(az), np.cos(az), r0 - rs, c0 - cs,
                  float(duration_min), float(cell_m))
    out = np.full(label.shape, np.inf)
    out[rs:re_, cs:ce] = t
    out[out > duration_min] = np.inf
    return out


def _arrival_window(ros, lw, az, ignition, duration_min, cell_m, offsets, bounds):
    """Minimum travel time inside the window ``bounds`` = (r0, r1, c0, c1) of the grid."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import dijkstra

    rs, re_, cs, ce = bounds
    win = ros[rs:re_, cs:ce]
    lw, az = lw[rs:re_, cs:ce], az[rs:re_, cs:ce]
    h, w = win.shape
    idx = np.arange(h * w).reshape(h, w)
    src_l, dst_l, cost_l = [], [], []
    for dr0, dc0 in offsets:
        for dr, dc in ((dr0, dc0), (-dr0, -dc0)):
            a = (slice(max(-dr, 0), h - max(dr, 0)), slice(max(-dc, 0), w - max(dc, 0)))
            b = (slice(a[0].start + dr, a[0].stop + dr), slice(a[1].start + dc, a[1].stop + dc))
            ra, rb = win[a], win[b]
            ok = (ra > 0) & (rb > 0)
            # no jumping over a non-burnable cell: a knight move needs both cells it crosses
            # burnable, a diagonal move one of its two side cells
            sr, sc = int(np.sign(dr)), int(np.sign(dc))
            if abs(dr) + abs(dc) == 3:
                mids = ([(0, sc), (dr, sc)] if abs(dc) == 2 else [(sr, 0), (sr, dc)])
                for mr, mc in mids:
                    ok &= win[a[0].start + mr:a[0].stop + mr, a[1].start + mc:a[1].stop + mc] > 0
            elif dr and dc:
                side1 = win[a[0].start:a[0].stop, a[1].start + dc:a[1].stop + dc] > 0
                side2 = win[a[0].start + dr:a[0].stop + dr, a[1].start:a[1].stop] > 0
                ok &= side1 | side2
            if not ok.any():
                continue
            length = cell_m * np.hypot(dr, dc)
            move_az = np.arctan2(dc, -dr)  # compass azimuth of the move (rows run south)
            ta = elliptical_rate(ra[ok], lw[a][ok], move_az - az[a][ok])
            tb = elliptical_rate(rb[ok], lw[b][ok], move_az - az[b][ok])
            src_l.append(idx[a][ok])
            dst_l.append(idx[b][ok])
            cost_l.append(0.5 * length / ta + 0.5 * length / tb)
    start = (ignition[0] - rs) * w + (ignition[1] - cs)
    if not src_l:
        t = np.full(h * w, np.inf)
        t[start] = 0.0
        return t.reshape(h, w)
    graph = coo_matrix((np.concatenate(cost_l), (np.concatenate(src_l), np.concatenate(dst_l))),
                       shape=(h * w, h * w)).tocsr()
    return dijkstra(graph, directed=True, indices=start, limit=duration_min).reshape(h, w)


def spread_grid(ros_max: np.ndarray, length_to_width, head_azimuth_deg, ignition: tuple[int, int],
                duration_min: float, cell_m: float, neighbours: int | None = None) -> np.ndarray:
    """Arrival time (min) of a fire lit at cell ``ignition`` (row, col) at t = 0, up to
    ``duration_min`` (np.inf beyond or never reached), by minimum travel time on the grid.

    ``ros_max`` (m/min, 0 = non-burnable) per cell, rows running north → south; ``length_to_width``
    and ``head_azimuth_deg`` (compass direction the head spreads toward) scalars or per cell.
    ``neighbours=None`` (default): any-angle paths (module docstring), cells with equal
    (rate, L/W, azimuth) forming one medium, inside the window the fastest cell can reach.
    ``neighbours=8`` or ``16``: the former cell graph, on a window around the ignition that
    grows side by side (doubling) while the fire reaches its edge, up to what the fastest cell
    could reach in ``duration_min``: the result is the same as on the whole grid.
    """
    ros = np.asarray(ros_max, dtype=float)
    ny, nx = ros.shape
    r0, c0 = ignition
    if not (0 <= r0 < ny and 0 <= c0 < nx) or not ros[r0, c0] > 0:
        raise TwinInputError("forest_ignition_outside", "ignition", row=r0, col=c0)
    if neighbours is None:
        lw_in, az_in = np.asarray(length_to_width, float), np.asarray(head_azimuth_deg, float)
        if lw_in.ndim == 0 and az_in.ndim == 0:
            uniq, inv = np.unique(ros, return_inverse=True)
            tables = (uniq, np.full(len(uniq), float(lw_in)), np.full(len(uniq), float(az_in)))
        else:
            keys = np.stack([ros, np.broadcast_to(lw_in, ros.shape),
                             np.broadcast_to(az_in, ros.shape)], axis=-1).reshape(-1, 3)
            uniq, inv = np.unique(keys, axis=0, return_inverse=True)
            tables = (uniq[:, 0], uniq[:, 1], uniq[:, 2])
        label = np.where(ros > 0, inv.reshape(ros.shape), -1).astype(np.int32)
        return _spread_labels(label, *tables, ignition, duration_min, cell_m)
    lw = np.broadcast_to(np.asarray(length_to_width, dtype=float), ros.shape)
    az = np.radians(np.broadcast_to(np.asarray(head_azimuth_deg, dtype=float), ros.shape))
    offsets = _OFFSETS_16 if neighbours == 16 else _OFFSETS_8
    reach = int(np.ceil(np.nanmax(ros) * duration_min / cell_m)) + 2
    side = [min(16, reach)] * 4  # up, down, left, right (cells)
    while True:
        bounds = (max(r0 - side[0], 0), min(r0 + side[1] + 1, ny),
                  max(c0 - side[2], 0), min(c0 + side[3] + 1, nx))
        t = _arrival_window(ros, lw, az, (r0, c0), duration_min, cell_m, offsets, bounds)
        edges = [(t[:2], bounds[0] > 0), (t[-2:], bounds[1] < ny),
                 (t[:, :2], bounds[2] > 0), (t[:, -2:], bounds[3] < nx)]
        grow = False
        for k, (band, open_) in enumerate(edges):
            if open_ and side[k] < reach and np.isfinite(band).any():
                side[k] = min(side[k] * 2, reach)
                grow = True
        if not grow:
            break
    out = np.full(ros.shape, np.inf)
    out[bounds[0]:bounds[1], bounds[2]:bounds[3]] = t
    out[out > duration_min] = np.inf
    return out


@dataclass
class FuelGrid:
    """Stands rasterised: fuel model index per cell (-1 non-burnable) and stand row index.
    Not changed once used: its terrain media and fires are kept per grid object (make a new
    grid, e.g. with ``dataclasses.replace``, for other fuels or terrain)."""
    fuel: np.ndarray  # int16 index into FUEL_MODELS, -1 = NB
    stand: np.ndarray  # int32 row of the stands frame, -1 outside
    x0: float  # west edge (m, Lambert-93)
    y0: float  # north edge
    cell_m: float
    #: terrain (None: flat): slope as rise/run and the compass azimuth (°) of the upslope
    #: direction of each cell; NaN where the DEM has no value (taken as flat)
    slope: np.ndarray | None = None
    upslope_az: np.ndarray | None = None

    def cell_of(self, x: float, y: float) -> tuple[int, int]:
        return int((self.y0 - y) // self.cell_m), int((x - self.x0) // self.cell_m)

    def center_of(self, row: int, col: int) -> tuple[float, float]:
        return (self.x0 + (col + 0.5) * self.cell_m, self.y0 - (row + 0.5) * self.cell_m)


def fuel_model_of_groups(groups) -> np.ndarray:
    """Scott & Burgan code of each species group (:data:`GROUP_FUEL_MODEL`; unknown → TL6)."""
    default = GROUP_FUEL_MODEL["unknown"]
    return np.array([GROUP_FUEL_MODEL.get(g, default) for g in
                     np.asarray(groups, dtype=object).ravel()], dtype=object)


def fuel_grid(stands, fuel_codes, cell_m: float = 50.0) -> FuelGrid:
    """Rasterise stand polygons (EPSG:2154) with their fuel codes (cell centres inside)."""
    from rasterio.features import rasterize
    from rasterio.transform import from_origin

    x0, y0, x1, y1 = stands.total_bounds
    x0, y1 = np.floor(x0 / cell_m) * cell_m - cell_m, np.ceil(y1 / cell_m) * cell_m + cell_m
    nx = int(np.ceil((x1 - x0) / cell_m)) + 1
    ny = int(np.ceil((y1 - y0) / cell_m)) + 1
    transform = from_origin(x0, y1, cell_m, cell_m)
    rows = rasterize(((g, i) for i, g in enumerate(stands.geometry) if g is not None),
                     out_shape=(ny, nx), transform=transform, fill=-1, dtype="int32")
    code_idx = np.array([FUEL_MODELS.index(c) for c in _check_fuel(fuel_codes)], dtype=np.int16)
    fuel = np.where(rows >= 0, code_idx[np.maximum(rows, 0)], -1).astype(np.int16)
    return FuelGrid(fuel=fuel, stand=rows, x0=float(x0), y0=float(y1), cell_m=float(cell_m))


#: Terrain classes of the spread: slope in steps of 5 % (up to 100 %) and the upslope direction
#: in 16 sectors; each (fuel, slope, direction) class is one medium of the any-angle spread.
SLOPE_STEP, SLOPE_MAX, ASPECT_SECTORS = 0.05, 1.0, 16


def with_terrain(grid: FuelGrid, dem) -> FuelGrid:
    """The grid with slope and upslope azimuth from a DEM (xarray with rio accessor, any CRS):
    the DEM is resampled bilinearly onto the grid's cells, the gradient taken by centred
    differences (numpy.gradient)."""
    from dataclasses import replace

    from rasterio.enums import Resampling
    from rasterio.transform import from_origin
    from rasterio.warp import reproject

    ny, nx = grid.fuel.shape
    z = np.full((ny, nx), np.nan, dtype="float64")
    reproject(source=np.asarray(dem.values, dtype="float64"), destination=z,
              src_transform=dem.rio.transform(), src_crs=dem.rio.crs,
              src_nodata=np.nan, dst_transform=from_origin(grid.x0, grid.y0, grid.cell_m,
                                                           grid.cell_m),
              dst_crs="EPSG:2154", dst_nodata=np.nan, resampling=Resampling.bilinear)
    dz_drow, dz_dcol = np.gradient(z, grid.cell_m)
    dz_dx, dz_dy = dz_dcol, -dz_drow  # rows grow southwards
    slope = np.hypot(dz_dx, dz_dy)
    upslope = np.degrees(np.arctan2(dz_dx, dz_dy)) % 360.0  # compass azimuth of the rise
    return replace(grid, slope=slope, upslope_az=upslope)


#: :func:`_terrain_media` of each grid object (dropped with it; a FuelGrid is not changed
#: once built): it depends on the grid only, not on the fire day.
_MEDIA: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
_MEDIA_LOCK = threading.Lock()


def _terrain_media(grid: FuelGrid) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Medium label per cell (-1 non-burnable) and, per medium, fuel index, slope (rise/run)
    and upslope azimuth (°); computed once per grid object (read-only arrays)."""
    with _MEDIA_LOCK:
        kept = _MEDIA.get(id(grid))
    if kept is not None:
        return kept
    media = _media_of(grid)
    for a in media:
        a.flags.writeable = False
    with _MEDIA_LOCK:
        if id(grid) not in _MEDIA:
            weakref.finalize(grid, _MEDIA.pop, id(grid), None)
        _MEDIA[id(grid)] = media
    return media


def _media_of(grid: FuelGrid) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    burn = grid.fuel >= 0
    slope = np.nan_to_num(grid.slope, nan=0.0)
    s_cls = np.clip(np.rint(slope / SLOPE_STEP), 0, round(SLOPE_MAX / SLOPE_STEP)).astype(int)
    width = 360.0 / ASPECT_SECTORS
    a_cls = (np.rint(np.nan_to_num(grid.upslope_az, nan=0.0) / width) % ASPECT_SECTORS
             ).astype(int)
    a_cls = np.where(s_cls == 0, 0, a_cls)  # flat: no direction
    key = (grid.fuel.astype(np.int64) * 1000 + s_cls) * 100 + a_cls
    uniq, inv = np.unique(key[burn], return_inverse=True)
    label = np.full(grid.fuel.shape, -1, dtype=np.int32)
    label[burn] = inv
    fuel = uniq // 100000
    return label, fuel, (uniq // 100 % 1000) * SLOPE_STEP, (uniq % 100) * width


def nearest_burnable(grid: FuelGrid, x: float, y: float) -> tuple[float, float, float]:
    """Centre (x, y) of the burnable cell nearest to a point, and its distance (m)."""
    r, c = np.nonzero(grid.fuel >= 0)
    xs = grid.x0 + (c + 0.5) * grid.cell_m
    ys = grid.y0 - (r + 0.5) * grid.cell_m
    d = np.hypot(xs - x, ys - y)
    k = int(np.argmin(d))
    return float(xs[k]), float(ys[k]), float(d[k])


def simulate_fire(grid: FuelGrid, x: float, y: float, moisture: tuple[float, ...],
                  midflame_wind_ms: float, wind_from_deg: float, duration_min: float,
                  neighbours: int | None = None,
                  wind_limit: str = DEFAULT_WIND_LIMIT) -> dict:
    """Fire lit at (x, y) (Lambert-93) with a uniform wind: Rothermel rate of each fuel model,
    elliptical spread by minimum travel time. With terrain on the grid (:func:`with_terrain`)
    each (fuel, slope class, upslope sector) is a medium whose head rate, length-to-width and
    head direction combine wind and slope as 2-D vectors with the horizontal wind (as the
    BehavePlus check); paths between media bend at their edges (any-angle spread), so the
    exact ellipse holds only within each medium. Returns ``arrival_min`` (grid), ``ros_m_min``
    (head rate per cell), ``burnt_ha`` and ``ros_ignition_m_min``."""
    r, c = grid.cell_of(x, y)
    ny, nx = grid.fuel.shape
    if not (0 <= r < ny and 0 <= c < nx) or grid.fuel[r, c] < 0:
        nx_, ny_, d = nearest_burnable(grid, x, y)
        raise TwinInputError("forest_ignition_outside", "ignition", x=round(x), y=round(y),
                             nearest_x=round(nx_), nearest_y=round(ny_), distance_m=round(d))
    m1, m10, m100, mh, mw = moisture
    head = (wind_from_deg + 180.0) % 360.0
    if grid.slope is not None and neighbours is None:  # media = fuel × slope × direction
        label, fuel_m, slope_m, up_m = _terrain_media(grid)
        angle = (head - up_m) % 360.0  # where the wind blows, off upslope
        codes = np.array([FUEL_MODELS[i] for i in fuel_m], dtype=object)
        fire = rothermel_surface(codes, m1, m10, m100, mh, mw, midflame_wind_ms, slope_m,
                                 angle, wind_limit)
        side = np.where(np.sin(np.radians(angle)) < 0, -1.0, 1.0)
        az_m = (up_m + side * fire.direction_from_upslope_deg) % 360.0
        ros_m = np.asarray(fire.ros_max_m_min, dtype=float)
        label = np.where((label >= 0) & (ros_m[np.maximum(label, 0)] > 0), label, -1)
        arrival = _spread_labels(label, ros_m, fire.length_to_width, az_m, (r, c),
                                 duration_min, grid.cell_m)
        ros = np.where(label >= 0, ros_m[np.maximum(label, 0)], 0.0)
        burnt = np.isfinite(arrival)
        return {"arrival_min": arrival, "ros_m_min": ros,
                "burnt_ha": float(burnt.sum() * grid.cell_m ** 2 / 1e4),
                "ros_ignition_m_min": float(ros[r, c]), "cell": (r, c)}
    used = np.unique(grid.fuel[grid.fuel >= 0])
    codes = np.array([FUEL_MODELS[i] for i in used], dtype=object)
    fire = rothermel_surface(codes, m1, m10, m100, mh, mw, midflame_wind_ms, 0.0, 0.0,
                             wind_limit)
    ros_of = np.zeros(len(FUEL_MODELS) + 1)
    lw_of = np.ones(len(FUEL_MODELS) + 1)
    ros_of[used] = fire.ros_max_m_min
    lw_of[used] = fire.length_to_width
    ros = ros_of[grid.fuel]  # index -1 → the last entry (0)
    if neighbours is None:  # media = fuel models (uniform wind and moisture, flat)
        label = np.where(ros > 0, grid.fuel, -1).astype(np.int32)
        arrival = _spread_labels(label, ros_of[:-1], lw_of[:-1], np.full(len(lw_of) - 1, head),
                                 (r, c), duration_min, grid.cell_m)
    else:
        arrival = spread_grid(ros, lw_of[grid.fuel], head, (r, c), duration_min, grid.cell_m,
                              neighbours)
    burnt = np.isfinite(arrival)
    return {"arrival_min": arrival, "ros_m_min": ros,
            "burnt_ha": float(burnt.sum() * grid.cell_m ** 2 / 1e4),
            "ros_ignition_m_min": float(ros[r, c]), "cell": (r, c)}


def arrival_polygons(grid: FuelGrid, arrival_min: np.ndarray, step_min: float = 60.0):
    """Burnt area as polygons of arrival-time classes (0-1 h, 1-2 h, … by ``step_min``), a
    GeoDataFrame in EPSG:2154 with ``arrival_h`` (upper bound of the class) and ``area_ha``."""
    import geopandas as gpd
    from rasterio.features import shapes
    from rasterio.transform import from_origin
    from shapely.geometry import shape

    burnt = np.isfinite(arrival_min)
    cls = np.where(burnt, np.floor(np.where(burnt, arrival_min, 0) / step_min) + 1, 0)
    transform = from_origin(grid.x0, grid.y0, grid.cell_m, grid.cell_m)
    geoms, hours = [], []
    for geom, value in shapes(cls.astype(np.int32), mask=burnt, transform=transform):
        geoms.append(shape(geom))
        hours.append(value * step_min / 60.0)
    gdf = gpd.GeoDataFrame({"arrival_h": hours}, geometry=geoms, crs="EPSG:2154")
    if len(gdf):
        gdf = gdf.dissolve("arrival_h", as_index=False)
    gdf["area_ha"] = gdf.area / 1e4
    return gdf
