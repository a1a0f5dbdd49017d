"""Cut-and-replant plan: which stands to cut and which species to replant, within a budget and
an annual area cap, maximising a weighted objective. Solved exactly by mixed-integer linear
programming (scipy.optimize.milp, HiGHS).

Objective (per ha, summed over the cut stands; weights are parameters):
- suitability gain at the horizon: score(best candidate) − score(current species), score 1
  suitable, 0.5 at risk, 0 unsuitable;
- fire-risk reduction: (head spread rate of the current fuel − that of the replanted one) /
  the largest rate, Rothermel under the scenario's fire weather (fire_spread);
- carbon: minus the carbon of the harvested wood (t CO2 per ha / ``CARBON_SCALE``): cutting
  releases the stand's carbon at once, replanting stores it back only over decades.
Each cut stand is replanted with its best candidate species for the objective. As the
replanting cost is one rate per ha (no published barème by species, domain_facts.md B4), the
species choice does not change any constraint, so choosing it per stand first and then the
stands by MILP (one binary per stand) is exactly optimal.
Constraints: total cost ≤ budget; area ≤ annual cap × plan years; pinned stands are cut,
excluded stands are not.

Parameters and sources (domain_facts.md B4): replanting 4,500 €/ha (4,000-5,000 €/ha, Hérault
after fire, Communes forestières Occitanie 2022, low confidence; France Relance outturn
≈ 4,370 € aid/ha, derived); basic wood density t dry matter per m³ from IPCC 2006 Vol. 4 Ch. 4
Table 4.14 (Abies/Picea 0.40, Larix 0.46, P. pinaster 0.44, P. sylvestris 0.42, Pseudotsuga
0.45, Fagus and Quercus 0.58; other species: the closest genus, marked); carbon fraction 0.47
(IPCC 2006 default, low confidence); standing volume 150 m³/ha, a documented user parameter
(no published per-stand volume in the sample).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin_core.errors import TwinInputError

REPLANT_EUR_PER_HA = 4500.0
CARBON_FRACTION = 0.47
CO2_PER_C = 44.0 / 12.0
CARBON_SCALE = 100.0  # t CO2/ha that weighs as much as one unit of suitability gain
STATUS_SCORE = {"suitable": 1.0, "at_risk": 0.5, "unsuitable": 0.0}

#: Basic density (t dry matter / m³), IPCC 2006 Table 4.14; "*" = closest genus (assumed).
WOOD_DENSITY: dict[str, float] = {
    "fir_spruce": 0.40, "larch": 0.46, "maritime_pine": 0.44, "scots_pine": 0.42,
    "douglas_fir": 0.45, "beech": 0.58, "deciduous_oaks": 0.58, "holm_oak": 0.58,  # *Quercus
    "cork_oak": 0.58,  # *Quercus
    "aleppo_pine": 0.42, "black_pine": 0.42, "mixed_pines": 0.42, "other_pines": 0.42,
    "mountain_pines": 0.42,  # *P. sylvestris
    "chestnut": 0.58, "broadleaves": 0.58, "robinia": 0.58, "poplar": 0.40,  # *assumed
    "atlas_cedar": 0.40,  # *Abies
}


def harvested_carbon_tco2_per_ha(groups, volume_m3_ha: float) -> np.ndarray:
    """t CO2 per ha in the harvested stem wood: volume × density × 0.47 × 44/12."""
    dens = pd.Series(np.asarray(groups, dtype=object)).map(WOOD_DENSITY).fillna(0.5)
    return volume_m3_ha * dens.to_numpy(float) * CARBON_FRACTION * CO2_PER_C


def plan_cut_replant(area_ha, gain_per_ha, cost_per_ha, budget_eur: float,
                     area_cap_ha: float, pinned=None, excluded=None,
                     time_limit_s: float = 10.0, rel_gap: float = 1e-4) -> np.ndarray:
    """Boolean choice of stands maximising Σ area × gain under Σ area × cost ≤ budget and
    Σ area ≤ cap, with pinned (forced) and excluded stands. MILP (HiGHS) solved to a relative
    optimality gap ``rel_gap`` (1e-4: within 0.01 % of the optimum), within ``time_limit_s``."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    if not budget_eur > 0:
        raise TwinInputError("forest_zero_budget", "budget", budget=budget_eur)
    area = np.asarray(area_ha, dtype=float)
    gain = np.asarray(gain_per_ha, dtype=float) * area
    cost = np.broadcast_to(np.asarray(cost_per_ha, dtype=float), area.shape) * area
    n = area.size
    lo, hi = np.zeros(n), np.ones(n)
    hi[gain <= 0] = 0.0  # never cut a stand for nothing
    if pinned is not None:
        lo[np.asarray(pinned, dtype=bool)] = 1.0
        hi[np.asarray(pinned, dtype=bool)] = 1.0
    if excluded is not None:
        hi[np.asarray(excluded, dtype=bool)] = 0.0
        lo[np.asarray(excluded, dtype=bool)] = 0.0
    if cost[lo > 0].sum() > budget_eur or area[lo > 0].sum() > area_cap_ha:
        raise TwinInputError("forest_plan_infeasible", "plan",
                             cost=round(cost[lo > 0].sum()), area=round(area[lo > 0].sum(), 1))
    res = milp(-gain, integrality=np.ones(n),
               constraints=[LinearConstraint(np.vstack([cost, area]), -np.inf,
                                             [budget_eur, area_cap_ha])],
               bounds=Bounds(lo, hi), options={"time_limit": time_limit_s,
                                               "mip_rel_gap": rel_gap})
    if res.x is None:
        raise TwinInputError("forest_plan_infeasible", "plan", cost=0, area=0)
    return res.x > 0.5
