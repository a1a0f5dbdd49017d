"""Crown-fire initiation in conifer stands: Van Wagner (1977) critical surface intensity against
the Byram intensity of the Rothermel surface fire.

Van Wagner, C.E. (1977) "Conditions for the start and spread of crown fire", Can. J. For. Res.
7:23-34, eq. 4: a surface fire ignites the crown when its fireline intensity reaches

    I0 = (C × CBH × h)^1.5  kW/m,  h = 460 + 25.9 × FMC  (kJ/kg, heat of ignition),

with CBH the canopy base height (m), FMC the foliar moisture content (%) and C = 0.010 the
empirical constant Van Wagner fitted (domain_facts_more.md B5, transcribed from the
pyretechnics code; 25.9, not the rounded 26 some codes use).

Surface intensity: Byram (1959) head-fire intensity of :func:`fire_spread.rothermel_surface`
(I_R t_r R / 60 Btu/ft/s, 1 Btu ft⁻¹ s⁻¹ = 3.46141 kW/m) for the stand's fuel model
(:data:`fire_spread.GROUP_FUEL_MODEL`), the scenario's fuel moisture and midflame wind, on flat
ground: the fire day's potential, whether or not the simulated fire reaches the stand.

Defaults (all visible, each with its source or marked as an assumption):
- FMC 100 %: the value commonly entered in fire behaviour software; domain_facts_more.md B5
  found no primary source for it ("only a convention"): an **assumption**. Aleppo pine
  foliage moisture shows no significant seasonal variation (Zapata et al. 2022, Forests
  13:1189).
- CBH: Aleppo pine 3.0 m, the lower end of the 3.0-6.5 m measured in Greek stands (Mitsopoulos &
  Dimitrakopoulos 2007, Ann. For. Sci. 64:287; 2.0-6.5 m over 40 stands in their 2014 sample,
  Eur. J. For. Res. 133:73): "can become a crown fire" is asked of the lower-canopy stands.
  No published CBH was found for maritime, Scots, black and mountain pines, fir, spruce, larch,
  Douglas fir or cedar (domain_facts_more.md B5, "not found"): they take the same 3.0 m for
  maritime pine (a Mediterranean pine of similar structure) and 4.0 m for the others, both
  **assumptions**; broadleaved groups have no crown-fire initiation here.
Known bias: Rothermel surface + Van Wagner initiation linkages underpredict crowning (Cruz &
Alexander 2010, Int. J. Wildland Fire 19:377): the area is a lower bound in that respect.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin_core.models.forest import fire_spread as fs

#: Van Wagner (1977) eq. 4: empirical constant C and heat of ignition h = 460 + 25.9 FMC (kJ/kg).
VAN_WAGNER_C = 0.010
HEAT_OF_IGNITION_KJ_KG = 460.0
HEAT_OF_IGNITION_PER_FMC = 25.9
#: 1 Btu ft⁻¹ s⁻¹ in kW/m (1.05506 kJ / 0.3048 m).
BTU_FT_S_TO_KW_M = 1.05505585 / 0.3048
#: Foliar moisture content (%): the software convention, an assumption (module docstring).
FOLIAR_MOISTURE_PCT = 100.0

#: Canopy base height (m) of the conifer groups and where it comes from (module docstring).
CANOPY_BASE_HEIGHT_M: dict[str, tuple[float, str]] = {
    "aleppo_pine": (3.0, "Mitsopoulos & Dimitrakopoulos 2007, Ann. For. Sci. 64:287 "
                         "(3.0-6.5 m, lower end)"),
    "maritime_pine": (3.0, "assumption: as Aleppo pine (no published value found)"),
    **dict.fromkeys(
        ("scots_pine", "black_pine", "mixed_pines", "other_pines", "mountain_pines",
         "fir_spruce", "larch", "douglas_fir", "atlas_cedar"),
        (4.0, "assumption: no published value found (domain_facts_more.md B5)")),
}
CONIFER_GROUPS: tuple[str, ...] = tuple(CANOPY_BASE_HEIGHT_M)


def critical_surface_intensity(cbh_m, fmc_pct=FOLIAR_MOISTURE_PCT):
    """Van Wagner (1977) critical surface fireline intensity I0 (kW/m) for crown ignition:
    (0.010 × CBH × (460 + 25.9 × FMC))^1.5, CBH in m, FMC in %. Arrays broadcast."""
    cbh = np.asarray(cbh_m, dtype=float)
    fmc = np.asarray(fmc_pct, dtype=float)
    if np.any(cbh < 0) or np.any(fmc < 0):
        raise ValueError("canopy base height and foliar moisture must be ≥ 0")
    out = (VAN_WAGNER_C * cbh * (HEAT_OF_IGNITION_KJ_KG + HEAT_OF_IGNITION_PER_FMC * fmc)) ** 1.5
    return float(out) if np.ndim(out) == 0 else out


def surface_intensity_kw_m(fuel_codes, moisture: tuple[float, ...], midflame_wind_ms: float,
                           wind_limit: str = fs.DEFAULT_WIND_LIMIT) -> np.ndarray:
    """Byram (1959) head-fire intensity (kW/m) of Rothermel's surface fire in each fuel model
    for the moisture scenario (1 h, 10 h, 100 h, herb, woody fractions) and midflame wind (m/s),
    flat ground."""
    codes = np.asarray(fuel_codes, dtype=object)
    m1, m10, m100, mh, mw = moisture
    fire = fs.rothermel_surface(codes, m1, m10, m100, mh, mw, midflame_wind_ms, 0.0, 0.0,
                                wind_limit)
    return np.asarray(fire.fireline_intensity_btu_ft_s, dtype=float) * BTU_FT_S_TO_KW_M


def crown_fire_initiation(groups, moisture: tuple[float, ...], midflame_wind_ms: float,
                          cbh_m: dict[str, float] | None = None,
                          fmc_pct: float = FOLIAR_MOISTURE_PCT,
                          wind_limit: str = fs.DEFAULT_WIND_LIMIT) -> pd.DataFrame:
    """Where a surface fire can become a crown fire, stand by stand.

    ``groups``: species group of each stand (suitability.ESSENCE_TO_GROUP); ``cbh_m`` overrides
    :data:`CANOPY_BASE_HEIGHT_M` per group. Returns one row per stand: ``conifer``,
    ``fuel_model``, ``cbh_m`` (NaN for broadleaves), ``i0_kw_m`` (Van Wagner critical surface
    intensity), ``surface_kw_m`` (Byram intensity on the fire day) and ``crown_possible``
    (conifer and surface intensity ≥ I0)."""
    g = pd.Series(np.asarray(groups, dtype=object)).astype(str)
    cbh_of = {k: v[0] for k, v in CANOPY_BASE_HEIGHT_M.items()}
    cbh_of.update(cbh_m or {})
    conifer = g.isin(list(cbh_of)).to_numpy()
    cbh = g.map(cbh_of).to_numpy(float)
    codes = fs.fuel_model_of_groups(g.to_numpy(object))
    uniq, inv = np.unique(codes.astype(str), return_inverse=True)
    surface = surface_intensity_kw_m(uniq, moisture, midflame_wind_ms, wind_limit)[inv]
    i0 = np.where(conifer, critical_surface_intensity(np.nan_to_num(cbh), fmc_pct), np.nan)
    return pd.DataFrame({"group": g.to_numpy(), "conifer": conifer, "fuel_model": codes,
                         "cbh_m": cbh, "i0_kw_m": i0, "surface_kw_m": surface,
                         "crown_possible": conifer & (surface >= np.nan_to_num(i0, nan=np.inf))})


def crown_fire_ha(stands: pd.DataFrame, moisture: tuple[float, ...], midflame_wind_ms: float,
                  cbh_m: dict[str, float] | None = None, fmc_pct: float = FOLIAR_MOISTURE_PCT,
                  wind_limit: str = fs.DEFAULT_WIND_LIMIT) -> float:
    """Area (ha) of conifer stands where the surface fire of the fire day (moisture scenario,
    midflame wind) reaches Van Wagner's critical intensity: ``stands`` needs ``group`` and
    ``area_ha``."""
    out = crown_fire_initiation(stands["group"], moisture, midflame_wind_ms, cbh_m, fmc_pct,
                                wind_limit)
    return float(stands["area_ha"].to_numpy(float)[out["crown_possible"].to_numpy()].sum())
