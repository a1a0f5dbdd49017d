"""Whole-territory scenarios: shared drivers set once, every use case run, and the links between
use cases declared here, in one place.

A link between use cases (``kind="between"``) reads one value of a source model's result and sets
one parameter of a target model's scenario before the target runs (sources run first). A link
within a model (``kind="within"``) documents a dependency the model computes itself: it is not
applied here, only reported with the driver value and the values it changes. Links:

- ``coast_relocation_to_zan``: homes relocated away from the eroding or flooded coast
  (``coast.risk`` → ``relocated_dwellings``) are rebuilt in the receiving communes and take land
  there (``zan.trajectory`` → ``incoming_dwellings``, shared by population, at the ZAN density,
  counted against the 2021-2031 envelope of the Gironde group).
- ``zan_farmland_to_agriculture``: land taken by urbanisation in the ZAN communes from 2021 to
  the horizon (gross ENAF consumption, :func:`land_taken_ha`) × the farmland share of that land
  (ZAN ``agricultural_share_pct``: two thirds, Agreste Teruti-Lucas 2006-2014) is removed from the
  farmland of the agriculture use case (``farmland_loss_ha``: every crop loses the same share,
  so leached N and irrigation need fall in proportion; :mod:`~twin_core.models.agriculture.
  pipeline`).
- ``zan_forest_to_forest``: the rest of that land (natural and forest, ENAF minus farmland) is
  removed from the forest stands (``forest_loss_ha``, every stand the same share;
  :mod:`~twin_core.models.forest.effects`).
- ``forest_plan_fire_carbon`` (within ``forest.climate_risk``): the cut-and-replant plan changes
  the stand area exposed to flames over 1.2 m and the stem-wood carbon
  (:mod:`~twin_core.models.forest.effects`).

The sample territories are different places (ZAN: Gironde communes; agriculture: Côte-d'Or;
forest: Alpes-Maritimes), so the two urbanisation links are area-based, not spatial: the share of
the land taken that falls in each receiving territory is a declared parameter of the territory
scenario (``farmland_share_pct``, ``forest_share_pct``; default 100 %, i.e. "as if the urbanising
communes were in the receiving territory"). ZAN gives only the farmland share of ENAF; counting
all the rest as forest is an upper bound (it also holds heath, grassland and wetland).

Shared drivers: horizon, warming (TRACC or chosen), population growth (ZAN population growth and
the coast's housing-stock growth).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import param

from twin_core.models.base import Result
from twin_core.models.registry import get_model
from twin_core.scenario import HORIZON_MAX, HORIZON_MIN, Scenario
from twin_core.territory import Territory


@dataclass(frozen=True)
class Link:
    """A declared link (see the module docstring); ``units`` for display."""

    id: str
    source: str  # model id
    output: str  # key of the source result's values (or what ``read`` computes)
    target: str  # model id
    param: str = ""  # target scenario parameter ("" for a link within a model)
    convert: Callable[[float], Any] = float
    read: Callable[[Result, Any], float] | None = None  # (source result, TerritoryScenario)
    kind: str = "between"  # "between" use cases | "within" one model
    effects: tuple[str, ...] = ()  # values of the target a "within" link changes
    units: str = ""

    def value(self, result: Result, ts: Any = None) -> Any:
        raw = self.read(result, ts) if self.read else result.values[self.output]
        return self.convert(raw)


def land_taken_ha(result: Result) -> float:
    """Gross ENAF land taken by the ZAN communes from 2021 to the horizon (years 2021 ≤ y <
    horizon, net consumption + renatured land: renatured plots are not given back to farming or
    forest). At horizon 2050, × ``agricultural_share_pct`` = ``agricultural_land_lost_ha``."""
    s = result.series
    horizon = int(result.scenario["params"]["horizon"])
    sel = ((s["year"] >= 2021) & (s["year"] < horizon)).to_numpy()
    return float((s["consumption_ha"] + s["renatured_ha"]).to_numpy()[sel].sum())


def _farmland_taken(result: Result, ts: Any) -> float:
    share = result.scenario["params"]["agricultural_share_pct"] / 100.0
    return land_taken_ha(result) * share * ts.farmland_share_pct / 100.0


def _forest_taken(result: Result, ts: Any) -> float:
    share = 1.0 - result.scenario["params"]["agricultural_share_pct"] / 100.0
    return land_taken_ha(result) * share * ts.forest_share_pct / 100.0


LINKS: tuple[Link, ...] = (
    Link("coast_relocation_to_zan", "coast.risk", "relocated_dwellings", "zan.trajectory",
         "incoming_dwellings", lambda v: int(round(v)), units="logements"),
    Link("zan_farmland_to_agriculture", "zan.trajectory", "farmland_taken_ha",
         "agriculture.nitrate_water", "farmland_loss_ha", read=_farmland_taken, units="ha"),
    Link("zan_forest_to_forest", "zan.trajectory", "forest_taken_ha", "forest.climate_risk",
         "forest_loss_ha", read=_forest_taken, units="ha"),
    Link("forest_plan_fire_carbon", "forest.climate_risk", "plan_area_ha", "forest.climate_risk",
         kind="within", effects=("plan_fire_exposed_cut_ha", "plan_carbon_tco2"), units="ha"),
)

#: Territory and fixed settings each use case runs with in a whole-territory scenario.
MEMBERS: dict[str, dict[str, Any]] = {
    "coast.risk": {"territory": "coast", "params": {}},
    "zan.trajectory": {"territory": "zan", "params": {"group": "gironde"}},
    "forest.climate_risk": {"territory": "forest", "params": {}},
    "agriculture.nitrate_water": {"territory": "agriculture", "params": {}},
}


class TerritoryScenario(param.Parameterized):
    """The shared drivers, plus the levers each use case keeps (``overrides``)."""

    units: ClassVar[dict[str, str]] = {"horizon": "an", "custom_warming": "°C",
                                       "population_growth_pct": "%/an",
                                       "relocate_dwellings": "logements",
                                       "farmland_share_pct": "%", "forest_share_pct": "%"}

    label = param.String(default="A", doc="Short name of the scenario in comparisons.")
    horizon = param.Integer(default=2050, bounds=(HORIZON_MIN, HORIZON_MAX),
                            doc="Horizon year of every use case.")
    warming_source = param.Selector(default="tracc", objects=["tracc", "custom"],
                                    doc="TRACC reference trajectory or a chosen level.")
    custom_warming = param.Number(default=2.7, bounds=(0.0, 6.0), step=0.1,
                                  doc="Warming level (°C vs 1850-1900) when not on the TRACC.")
    population_growth_pct = param.Number(default=0.5, bounds=(-2.0, 3.0), step=0.1,
                                         doc="Yearly population growth, every use case.")
    relocate_dwellings = param.Integer(default=0, bounds=(0, 5000), step=10,
                                       doc="Coastal homes relocated inland (coast lever).")
    farmland_share_pct = param.Number(
        default=100.0, bounds=(0.0, 100.0), step=5.0,
        doc="Share of the farmland taken by urbanisation (ZAN communes) that falls in the "
            "agriculture territory (area-based link: the sample territories do not overlap).")
    forest_share_pct = param.Number(
        default=100.0, bounds=(0.0, 100.0), step=5.0,
        doc="Share of the non-farmland ENAF taken by urbanisation counted as forest of the "
            "forest territory (area-based link; 100 % is an upper bound).")
    overrides = param.Dict(default={}, doc="model id -> {param: value} for other levers.")

    def scenario_for(self, model_id: str) -> Scenario:
        cls = get_model(model_id).scenario_class
        values: dict[str, Any] = {"label": self.label, "horizon": self.horizon,
                                  "warming_source": self.warming_source,
                                  "custom_warming": self.custom_warming}
        values.update(MEMBERS[model_id]["params"])
        if "population_growth_pct" in cls.param:
            values["population_growth_pct"] = self.population_growth_pct
        if "housing_growth_pct" in cls.param:
            lo, hi = cls.param["housing_growth_pct"].bounds
            values["housing_growth_pct"] = min(max(self.population_growth_pct, lo), hi)
        if "relocate_dwellings" in cls.param:
            values["relocate_dwellings"] = self.relocate_dwellings
        values.update(self.overrides.get(model_id, {}))
        return cls(**values)


def run_territory(ts: TerritoryScenario, territories: dict[str, Territory] | None = None
                  ) -> tuple[dict[str, Result], list[dict[str, Any]]]:
    """Run every member model; returns the results by model id and the link values applied."""
    territories = territories or {}
    order = _order()
    scenarios = {m: ts.scenario_for(m) for m in order}
    results: dict[str, Result] = {}
    flows = []
    for model_id in order:
        for link in LINKS:
            if link.target == model_id and link.kind == "between":
                value = _within_bounds(scenarios[model_id], link.param,
                                       link.value(results[link.source], ts))
                scenarios[model_id].param.update(**{link.param: value})
                flows.append({"link": link.id, "source": link.source, "output": link.output,
                              "target": link.target, "param": link.param, "value": value})
        terr = territories.get(model_id) or Territory.load(MEMBERS[model_id]["territory"])
        results[model_id] = get_model(model_id).run(terr, scenarios[model_id])
    for link in LINKS:
        if link.kind == "within":
            values = results[link.source].values
            flows.append({"link": link.id, "source": link.source, "output": link.output,
                          "target": link.target, "param": link.param,
                          "value": link.value(results[link.source], ts),
                          "effects": {k: float(values[k]) for k in link.effects}})
    return results, flows


def _within_bounds(scenario: Scenario, name: str, value: Any) -> Any:
    """A linked value clipped to the target parameter's bounds (a flow never fails a run)."""
    lo, hi = getattr(scenario.param[name], "bounds", None) or (None, None)
    if lo is not None and value < lo:
        value = type(value)(lo)
    if hi is not None and value > hi:
        value = type(value)(hi)
    return value


def _order() -> list[str]:
    """Members with every link's source before its target (links form no cycle)."""
    remaining = list(MEMBERS)
    order: list[str] = []
    while remaining:
        ready = [m for m in remaining
                 if all(link.source in order for link in LINKS
                        if link.target == m and link.kind == "between")]
        if not ready:
            raise RuntimeError("the links between use cases form a cycle")
        order.extend(ready)
        remaining = [m for m in remaining if m not in ready]
    return order
