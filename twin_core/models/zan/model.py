"""Registered ZAN model: baseline, envelopes and the land that demand will take up to 2050.

Equations in :mod:`twin_core.models.zan.envelope` (sources there). Demand: INSEE-style
"point mort" reasoning (dwellings for population growth and for smaller households, the stock
holding secondary and vacant homes); dwellings built in the existing fabric (densification,
vacancy reduction, brownfields) take no ENAF, the others take land at the chosen density.
Non-housing land (activity, roads, rail) continues at a chosen share of its 2011-2021 pace.
Renaturation (ha/yr) is deducted from 2031 on (loi 2023-630, art. 7 counts it from 2021 only
for renatured plots; we take the conservative reading).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import param

from twin_core.indicators import value_indicator
from twin_core.models.base import Model, ModelSpec, OutputSpec
from twin_core.models.zan.envelope import (
    REFERENCE_YEARS,
    allocate,
    decade_budgets,
    dwellings_needed,
    envelope_2031,
    yearly_consumption_ha,
)
from twin_core.scenario import Scenario

MODEL_ID = "zan.trajectory"
HOUSING_PREFIX = "art{a:02d}hab{b:02d}"


class ZanScenario(Scenario):
    example_b = {"density": 30.0, "existing_fabric_pct": 50.0}
    units = {**Scenario.units, "reduction_pct": "%", "guarantee_ha": "ha",
             "pace_2031_pct": "%", "population_growth_pct": "%/an",
             "household_trend_pct": "%/an", "vacancy_pct": "%", "secondary_pct": "%",
             "existing_fabric_pct": "%", "density": "logements/ha",
             "other_land_pct": "%", "renaturation_ha_per_yr": "ha/an"}

    group = param.Selector(default="ain", objects=["ain", "gironde"],
                           doc="Group of communes (Ain: real Cerema file; Gironde: synthetic).")
    reduction_pct = param.Number(default=50.0, bounds=(0.0, 100.0), step=5.0,
                                 doc="Cut of 2021-2031 consumption vs 2011-2021 (law: 50 %).")
    guarantee_ha = param.Number(default=1.0, bounds=(0.0, 5.0), step=0.5,
                                doc="Minimum 2021-2031 budget per commune (law 2023: 1 ha).")
    pace_2031_pct = param.Number(default=50.0, bounds=(0.0, 100.0), step=5.0,
                                 doc="Cut of the 2031-2041 budget vs 2021-2031.")
    population_growth_pct = param.Number(default=0.5, bounds=(-2.0, 3.0), step=0.1,
                                         doc="Yearly population growth.")
    household_trend_pct = param.Number(default=-0.4, bounds=(-2.0, 1.0), step=0.1,
                                       doc="Yearly change of the mean household size.")
    vacancy_pct = param.Number(default=8.0, bounds=(0.0, 30.0), step=0.5,
                               doc="Share of vacant homes in the stock.")
    secondary_pct = param.Number(default=5.0, bounds=(0.0, 70.0), step=1.0,
                                 doc="Share of secondary homes in the stock.")
    existing_fabric_pct = param.Number(default=30.0, bounds=(0.0, 100.0), step=5.0,
                                       doc="Share of new dwellings built in the existing fabric.")
    density = param.Number(default=15.0, bounds=(2.0, 150.0), step=1.0,
                           doc="Density of new housing on ENAF land.")
    other_land_pct = param.Number(default=100.0, bounds=(0.0, 200.0), step=10.0,
                                  doc="Non-housing land take, in % of its 2011-2021 pace.")
    renaturation_ha_per_yr = param.Number(default=0.0, bounds=(0.0, 20.0), step=0.5,
                                          doc="Land renatured each year from 2031.")


class ZanModel(Model):
    spec = ModelSpec(
        id=MODEL_ID, use_case="zan", version="1.0",
        outputs=(OutputSpec("reference_ha", "value", "ha"),
                 OutputSpec("envelope_ha", "value", "ha"),
                 OutputSpec("communes", "layer"), OutputSpec("trajectory", "series", "ha")),
        layers=("communes", "conso_naf"),
        sources=("Loi 2021-1104 art. 191, 194", "Loi 2023-630 art. 4",
                 "Cerema fichiers fonciers"),
        scenario_class=ZanScenario,
        map_layer="communes", map_column="budget_used_pct", map_units="%",
        series_y=("consumption_ha", "allowed_ha"), series_units="ha/an",
    )

    def _run(self, territory, scenario: ZanScenario):
        key = "conso_naf" if scenario.group == "ain" else "conso_naf_synthetic"
        conso = territory.layer(key)
        communes = territory.layer("communes")
        result = run_trajectory(conso, communes, scenario, self)
        if territory.is_synthetic(key):
            result.synthetic_inputs += (key,)
        return result


def run_trajectory(conso: pd.DataFrame, communes: gpd.GeoDataFrame, s: ZanScenario,
                   model: Model):
    env = envelope_2031(conso, s.reduction_pct / 100.0, s.guarantee_ha)
    yearly = yearly_consumption_ha(conso)
    idx = env.index
    pop = pd.to_numeric(conso.set_index(conso["idcom"].astype(str))["pop20"], errors="coerce"
                        ).reindex(idx).fillna(0.0)
    men = pd.to_numeric(conso.set_index(conso["idcom"].astype(str))["men20"], errors="coerce"
                        ).reindex(idx)
    hh_size = (pop / men).replace([np.inf, -np.inf], np.nan).fillna(2.2)

    housing = pd.DataFrame({
        y: pd.to_numeric(conso.set_index(conso["idcom"].astype(str))[
            HOUSING_PREFIX.format(a=y % 100, b=(y + 1) % 100)], errors="coerce").fillna(0) / 1e4
        for y in REFERENCE_YEARS}).reindex(idx)
    other_rate = (yearly[list(REFERENCE_YEARS)].sum(axis=1) - housing.sum(axis=1)).clip(lower=0
                                                                                         ) / 10

    first_proj = max(yearly.columns) + 1  # first year without observation
    horizon = max(s.horizon, 2050)
    years = np.arange(2011, horizon + 1)
    per_year = pd.DataFrame(0.0, index=idx, columns=years)
    for y in years:
        if y in yearly.columns:
            per_year[y] = yearly[y]
    dw_per_year = pd.Series({c: dwellings_needed(pop[c], s.population_growth_pct, 1.0,
                                                 hh_size[c], s.household_trend_pct,
                                                 s.secondary_pct / 100, s.vacancy_pct / 100)
                             for c in idx})
    housing_land = dw_per_year * (1 - s.existing_fabric_pct / 100) / s.density
    proj_rate = housing_land + other_rate * s.other_land_pct / 100
    share = proj_rate / proj_rate.sum() if proj_rate.sum() > 0 else proj_rate * 0
    for y in years[years >= first_proj]:
        per_year[y] = proj_rate
        if y >= 2031:
            per_year[y] = proj_rate - allocate(s.renaturation_ha_per_yr, share) if \
                s.renaturation_ha_per_yr > 0 else proj_rate

    total_env = float(env["envelope_ha"].sum())
    budgets = decade_budgets(total_env, s.pace_2031_pct / 100)
    allowed = pd.Series(0.0, index=years)
    for y in years:
        if 2021 <= y < 2031:
            allowed[y] = budgets["2021-2031"] / 10
        elif 2031 <= y < 2041:
            allowed[y] = budgets["2031-2041"] / 10
        elif 2041 <= y < 2050:
            allowed[y] = budgets["2031-2041"] / 10 * (2050 - y) / 10
    total = per_year.sum(axis=0)
    series = pd.DataFrame({"year": years, "consumption_ha": total.to_numpy(),
                           "allowed_ha": allowed.to_numpy(),
                           "observed": years < first_proj})
    series["cumulative_since_2021_ha"] = np.where(years >= 2021,
                                                  np.cumsum(np.where(years >= 2021, total, 0)), 0)
    series["allowed_cumulative_ha"] = np.where(years >= 2021,
                                               np.cumsum(np.where(years >= 2021, allowed, 0)), 0)

    dec1 = per_year[[y for y in years if 2021 <= y < 2031]].sum(axis=1)
    dec_rest = per_year[[y for y in years if 2031 <= y < 2050]].sum(axis=1)
    used = dec1 / env["envelope_ha"] * 100
    layer = communes.assign(code_insee=communes["code_insee"].astype(str)).merge(
        pd.DataFrame({"reference_ha": env["reference_ha"], "envelope_ha": env["envelope_ha"],
                      "projected_2021_2031_ha": dec1, "budget_used_pct": used,
                      "dwellings_per_year": dw_per_year}),
        left_on="code_insee", right_index=True, how="inner")

    values = {
        "reference_ha": float(env["reference_ha"].sum()),
        "envelope_ha": total_env,
        "consumed_2021_2023_ha": float(yearly[[y for y in yearly.columns if y >= 2021]]
                                       .sum().sum()),
        "projected_2021_2031_ha": float(dec1.sum()),
        "budget_used_pct": float(dec1.sum() / total_env * 100) if total_env else np.nan,
        "overshoot_2031_ha": float(max(dec1.sum() - total_env, 0.0)),
        "projected_2031_2050_ha": float(dec_rest.sum()),
        "budget_2031_2050_ha": budgets["2031-2041"] + budgets["2041-2050"],
        "communes_over_budget": float((used > 100).sum()),
        "dwellings_per_year": float(dw_per_year.sum()),
    }
    return model.new_result(s, values=values, layers={"communes": layer}, series=series)


for _id, _units in [("reference_ha", "ha"), ("envelope_ha", "ha"),
                    ("consumed_2021_2023_ha", "ha"), ("projected_2021_2031_ha", "ha"),
                    ("budget_used_pct", "%"), ("overshoot_2031_ha", "ha"),
                    ("projected_2031_2050_ha", "ha"), ("budget_2031_2050_ha", "ha"),
                    ("communes_over_budget", "communes"), ("dwellings_per_year", "logements/an")]:
    value_indicator(f"zan.{_id}", MODEL_ID, _units, key=_id)
