"""The forest page: the scenario workspace on model ``forest.climate_risk``, sample territory
``forest``, with its map (stands by status, simulated fire), the daily IFM chart (today vs the
horizon), the per-species area table and the cut-and-replant plan; a click on the map moves
the fire's ignition point."""

from __future__ import annotations

from dashboards.forest_views import forest_map, fwi_chart, plan_tables, species_tables
from dashboards.shell.page import UseCasePage
from dashboards.view3d import forest_3d

#: Panel extensions the page needs in its HTML (the 3D view's deck.gl, served locally).
EXTENSIONS = ("deckgl",)


def set_ignition(ws, scenario, x: float, y: float) -> None:
    """A click on the map lights the fire of the scenario shown there (Lambert-93 metres)."""
    scenario.param.update(ignition_x=round(x), ignition_y=round(y))


def page(lang: str = "fr") -> UseCasePage:
    return UseCasePage(route="forest", model_id="forest.climate_risk", territory_id="forest",
                       lang=lang, extras=[fwi_chart, species_tables, plan_tables, forest_3d],
                       map_builder=forest_map, map_tap=set_ignition)
