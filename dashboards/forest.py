"""The forest page: the scenario workspace on model ``forest.climate_risk``, sample territory
``forest``, with its map (stands by status, simulated fire), the daily IFM chart (today vs the
horizon), the per-species area table and the cut-and-replant plan."""

from __future__ import annotations

from dashboards.forest_views import forest_map, fwi_chart, plan_tables, species_tables
from dashboards.shell.page import UseCasePage


def page(lang: str = "fr") -> UseCasePage:
    return UseCasePage(route="forest", model_id="forest.climate_risk", territory_id="forest",
                       lang=lang, extras=[fwi_chart, species_tables, plan_tables],
                       map_builder=forest_map)
