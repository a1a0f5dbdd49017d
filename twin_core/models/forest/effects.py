"""What changes the forest from outside and from within: land taken by urbanisation, and what the
cut-and-replant plan does to fire risk and carbon (links ``zan_forest_to_forest`` and
``forest_plan_fire_carbon`` of :mod:`twin_core.coupling`).

Urbanisation (:func:`urbanised`): forest land taken (``forest_loss_ha``) has no location in the
sample (the ZAN communes are not in the forest territory), so every stand loses the same share
of its area (area-based link). The fire grid keeps the stand geometries (the fire spread does not
see the loss).

Fire (:func:`plan_fire_carbon`): each stand's head-fire flame length on the scenario's fire day
(fuel moisture scenario and midflame wind of the plan's objective, flat ground), Rothermel 1972 +
Byram 1959 (:mod:`.fire_spread`, checked against BehavePlus 5). Uncut stands keep their fuel;
each cut part carries, at a given year, the post-cut fuel of its age (:func:`.plan.
fuel_after_cut`: slash SB2, then grass-shrub GS2, then the replanted species' fuel), following
the year-by-year schedule of the plan. Reported at the horizon and at the worst year from the
plan's start to the horizon (``fire_exposed_peak_ha``: the slash years). A part is "exposed"
when its flame length exceeds 1.2 m (4 ft): the limit of a direct attack at the head with hand
tools in the fire behaviour interpretation chart of Andrews & Rothermel 1982 (USDA FS GTR
INT-131), used in BehavePlus (Andrews 2018, RMRS-GTR-371).

Carbon: tree carbon of the stands, above and below ground, V × BCEF_S × (1 + R) × 0.47 × 44/12
(:func:`.plan.stand_carbon_tco2_per_ha`, IPCC 2006 Vol. 4 Tables 4.4-4.5; sources in
:mod:`.plan`), before the plan and after the harvest of the cut parts; the replanted trees
store carbon back only over decades (not counted).
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd

from twin_core.models.forest import fire_spread as fs
from twin_core.models.forest import plan as pl

#: Flame length (m) above which hand crews cannot attack the head (4 ft, Andrews & Rothermel
#: 1982, GTR INT-131).
EXPOSED_FLAME_M = 4 * 0.3048

#: Values added to the forest results (id, units, higher is better), shown as indicators.
INDICATORS: tuple[tuple[str, str, bool | None], ...] = (
    ("fire_exposed_ha", "ha", False), ("fire_exposed_after_plan_ha", "ha", False),
    ("plan_fire_exposed_cut_ha", "ha", True), ("stand_carbon_tco2", "t CO2", None),
    ("stand_carbon_after_plan_tco2", "t CO2", None), ("forest_loss_applied_ha", "ha", False),
    ("fire_exposed_peak_ha", "ha", False),
)


def urbanised(stands: gpd.GeoDataFrame, loss_ha: float) -> gpd.GeoDataFrame:
    """Stands after ``loss_ha`` of forest is taken, every stand losing the same share (capped at
    the whole area); ``forest_loss_applied_ha`` in ``attrs``."""
    area = stands["area_ha"].to_numpy(float)
    total = float(area.sum())
    share = min(loss_ha / total, 1.0) if loss_ha > 0 and total > 0 else 0.0
    out = stands.assign(area_ha=area * (1.0 - share)) if share else stands.copy()
    out.attrs = {**stands.attrs, "forest_loss_applied_ha": share * total}
    return out


def flame_length_m(fuel_models, moisture: str, wind_kmh: float, wind_adjustment: float
                   ) -> np.ndarray:
    """Head-fire flame length (m) of each fuel model on a fire day, flat ground."""
    codes = np.asarray(fuel_models, dtype=object)
    fire = fs.rothermel_surface(codes, *fs.MOISTURE_SCENARIOS[moisture],
                                fs.wind_to_midflame(wind_kmh, wind_adjustment), 0.0)
    return np.asarray(fire.flame_length_m, dtype=float)


def exposed_in(year: int, stands: gpd.GeoDataFrame, species: np.ndarray,
               cuts: pd.DataFrame | None, s, flames: dict[str, float] | None = None) -> float:
    """Area (ha) under flames over 1.2 m in ``year``: uncut parts keep their fuel, cut parts
    carry the post-cut fuel of their age (plan.fuel_after_cut). ``flames``: flame length per
    fuel code already computed for this fire day (filled as needed)."""
    return _Exposure(stands, species, cuts, s, {} if flames is None else flames).at(year)


class _Exposure:
    """:func:`exposed_in` for many years of one plan: what does not depend on the year (the
    stands' fuel and flame length, the replanted fuel of each cut part) is computed once."""

    def __init__(self, stands: gpd.GeoDataFrame, species: np.ndarray,
                 cuts: pd.DataFrame | None, s, flames: dict[str, float]) -> None:
        self.s, self.flames = s, flames
        self.area = stands["area_ha"].to_numpy(float)
        self.base_flame = _flames(np.asarray(stands["fuel_model"], dtype=object), s, flames)
        self.cut = cuts is not None and len(cuts) > 0
        if self.cut:
            self.idx = cuts["stand"].to_numpy(int)
            self.cut_year = cuts["year"].to_numpy(float)
            self.cut_area = cuts["area_ha"].to_numpy(float)
            # flame length of each cut part at each post-cut stage (plan.fuel_after_cut)
            replant = fs.fuel_model_of_groups(np.asarray(species, dtype=object)[self.idx])
            self.stage_flame = (*_flames(np.array([pl.SLASH_FUEL, pl.REGROWTH_FUEL],
                                                  dtype=object), s, flames),
                                _flames(replant, s, flames))

    def at(self, year: int) -> float:
        parts_area, flame = self.area.copy(), self.base_flame
        if self.cut:
            # the stages of plan.fuel_after_cut: not cut yet (age < 0), slash, regrowth, replant
            age = year - self.cut_year
            done = age >= 0
            slash, regrowth, replant = self.stage_flame
            cut_flame = np.where(age < pl.SLASH_YEARS, slash, np.where(
                age < pl.SLASH_YEARS + self.s.regrowth_years, regrowth, replant))
            np.subtract.at(parts_area, self.idx[done], self.cut_area[done])
            parts_area = np.concatenate([np.maximum(parts_area, 0.0), self.cut_area[done]])
            flame = np.concatenate([flame, cut_flame[done]])
        return float(parts_area[flame > EXPOSED_FLAME_M].sum())


@lru_cache(maxsize=32)
def _flame_memo(moisture: str, wind_kmh: float, wind_adjustment: float) -> dict[str, float]:
    """The flame length of each fuel code on one fire day, filled by :func:`_flames` as codes
    come (a code's flame length depends on the code and the fire day only)."""
    return {}


def forget_flames() -> None:
    """Drop the flame lengths kept per fire day (:func:`plan_fire_carbon`)."""
    _flame_memo.cache_clear()


def _flames(fuels: np.ndarray, s, memo: dict[str, float]) -> np.ndarray:
    """Flame length of each fuel code, Rothermel run once per code not yet in ``memo``."""
    new = sorted(set(fuels) - set(memo))
    if new:
        memo.update(zip(new, np.atleast_1d(flame_length_m(
            np.array(new, dtype=object), s.fuel_moisture, s.wind_kmh, s.wind_adjustment)),
            strict=True))
    return np.array([memo[f] for f in fuels], dtype=float)


def plan_fire_carbon(stands: gpd.GeoDataFrame, species: np.ndarray, s,
                     cuts: pd.DataFrame | None = None, start_year: int = 2025
                     ) -> dict[str, float]:
    """Fire exposure at the horizon and at its worst year, and carbon, before and after the
    plan (``species``: replanted species of each stand, "" when not cut; ``cuts``: the
    year-by-year schedule of plan.schedule — None: every cut stand taken as cut long ago);
    ``s`` a ForestScenario."""
    area = stands["area_ha"].to_numpy(float)
    cut = np.asarray(species, dtype=object) != ""
    if cuts is None:
        cuts = pd.DataFrame({"stand": np.flatnonzero(cut), "year": start_year - 1000,
                             "area_ha": area[cut]})
    # one Rothermel run per fuel code and fire day, for all the years and scenarios
    flames = _flame_memo(s.fuel_moisture, float(s.wind_kmh), float(s.wind_adjustment))
    exposed_now = _Exposure(stands, species, None, s, flames).at(start_year - 1)
    plan = _Exposure(stands, species, cuts, s, flames)  # the year-independent part, once
    end = max(int(s.horizon), start_year + int(getattr(s, "plan_years", 0)))
    by_year = {y: plan.at(y) for y in range(start_year, end + 1)}
    if int(s.horizon) not in by_year:  # a horizon before the plan's start
        by_year[int(s.horizon)] = plan.at(int(s.horizon))
    exposed_after = by_year[int(s.horizon)]
    carbon = pl.stand_carbon_tco2_per_ha(stands["group"].to_numpy(object),
                                         s.standing_volume_m3_ha) * area
    cut_share = np.zeros(len(area))
    np.add.at(cut_share, cuts["stand"].to_numpy(int), cuts["area_ha"].to_numpy(float))
    cut_share = np.divide(cut_share, area, out=np.zeros_like(area), where=area > 0)
    return {"fire_exposed_ha": exposed_now, "fire_exposed_after_plan_ha": exposed_after,
            "plan_fire_exposed_cut_ha": exposed_now - exposed_after,
            "fire_exposed_peak_ha": max(by_year.values()) if by_year else exposed_now,
            "stand_carbon_tco2": float(carbon.sum()),
            "stand_carbon_after_plan_tco2": float((carbon * (1.0 - cut_share)).sum()),
            "forest_loss_applied_ha": float(stands.attrs.get("forest_loss_applied_ha", 0.0))}
