"""What changes the forest from outside and from within: land taken by urbanisation, and what the
cut-and-replant plan does to fire risk and carbon (links ``zan_forest_to_forest`` and
``forest_plan_fire_carbon`` of :mod:`twin_core.coupling`).

Urbanisation (:func:`urbanised`): forest land taken (``forest_loss_ha``) has no location in the
sample (the ZAN communes are not in the forest territory), so every stand loses the same share
of its area (area-based link). The fire grid keeps the stand geometries (the fire spread does not
see the loss).

Fire (:func:`plan_fire_carbon`): each stand's head-fire flame length on the scenario's fire day
(fuel moisture scenario and midflame wind of the plan's objective, flat ground), Rothermel 1972 +
Byram 1959 (:mod:`.fire_spread`, checked against BehavePlus 5), with its current fuel model and,
for the cut stands, the fuel model of the replanted species (:data:`.fire_spread.
GROUP_FUEL_MODEL`, as the plan's objective does). A stand is "exposed" when its flame length
exceeds 1.2 m (4 ft): the limit of a direct attack at the head with hand tools in the fire
behaviour interpretation chart of Andrews & Rothermel 1982 (USDA FS GTR INT-131), used in
BehavePlus (Andrews 2018, RMRS-GTR-371).

Carbon: stem-wood carbon of the stands, area × standing volume × basic density × 0.47 × 44/12
(:func:`.plan.harvested_carbon_tco2_per_ha`, IPCC 2006 Vol. 4 Table 4.14; sources in
:mod:`.plan`), before the plan and after the harvest of the cut stands; the replanted trees
store carbon back only over decades (not counted).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np

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


def plan_fire_carbon(stands: gpd.GeoDataFrame, species: np.ndarray, s) -> dict[str, float]:
    """Fire exposure and carbon before and after the plan (``species``: replanted species of each
    stand, "" when not cut); ``s`` a ForestScenario."""
    area = stands["area_ha"].to_numpy(float)
    cut = np.asarray(species, dtype=object) != ""
    fuel_now = np.asarray(stands["fuel_model"], dtype=object)
    fuel_after = fuel_now.copy()
    fuel_after[cut] = fs.fuel_model_of_groups(np.asarray(species, dtype=object)[cut])
    flame_now = flame_length_m(fuel_now, s.fuel_moisture, s.wind_kmh, s.wind_adjustment)
    flame_after = flame_length_m(fuel_after, s.fuel_moisture, s.wind_kmh, s.wind_adjustment)
    exposed_now = float(area[flame_now > EXPOSED_FLAME_M].sum())
    exposed_after = float(area[flame_after > EXPOSED_FLAME_M].sum())
    carbon = pl.harvested_carbon_tco2_per_ha(stands["group"].to_numpy(object),
                                             s.standing_volume_m3_ha) * area
    return {"fire_exposed_ha": exposed_now, "fire_exposed_after_plan_ha": exposed_after,
            "plan_fire_exposed_cut_ha": exposed_now - exposed_after,
            "stand_carbon_tco2": float(carbon.sum()),
            "stand_carbon_after_plan_tco2": float(carbon[~cut].sum()),
            "forest_loss_applied_ha": float(stands.attrs.get("forest_loss_applied_ha", 0.0))}
