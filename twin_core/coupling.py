"""Whole-territory scenarios: shared drivers set once, every use case run, and the links between
use cases declared here, in one place.

A link reads one value of a source model's result and sets one parameter of a target model's
scenario before the target runs (sources run first). Implemented links:

- ``coast_relocation_to_zan``: homes relocated away from the eroding or flooded coast
  (``coast.risk`` → ``relocated_dwellings``) are rebuilt in the receiving communes and take land
  there (``zan.trajectory`` → ``incoming_dwellings``, shared by population, at the ZAN density,
  counted against the 2021-2031 envelope of the Gironde group).

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
    id: str
    source: str  # model id
    output: str  # key of the source result's values
    target: str  # model id
    param: str  # target scenario parameter
    convert: Callable[[float], Any] = float

    def value(self, result: Result) -> Any:
        return self.convert(result.values[self.output])


LINKS: tuple[Link, ...] = (
    Link("coast_relocation_to_zan", "coast.risk", "relocated_dwellings", "zan.trajectory",
         "incoming_dwellings", lambda v: int(round(v))),
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
                                       "relocate_dwellings": "logements"}

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
            if link.target == model_id:
                value = link.value(results[link.source])
                scenarios[model_id].param.update(**{link.param: value})
                flows.append({"link": link.id, "source": link.source, "output": link.output,
                              "target": link.target, "param": link.param, "value": value})
        terr = territories.get(model_id) or Territory.load(MEMBERS[model_id]["territory"])
        results[model_id] = get_model(model_id).run(terr, scenarios[model_id])
    return results, flows


def _order() -> list[str]:
    """Members with every link's source before its target (links form no cycle)."""
    remaining = list(MEMBERS)
    order: list[str] = []
    while remaining:
        ready = [m for m in remaining
                 if all(link.source in order for link in LINKS if link.target == m)]
        if not ready:
            raise RuntimeError("the links between use cases form a cycle")
        order.extend(ready)
        remaining = [m for m in remaining if m not in ready]
    return order
