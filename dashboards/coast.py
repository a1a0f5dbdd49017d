"""The coast page: the scenario workspace on model ``coast.risk``, sample territory
``coast``, with its own map (shorelines, retreat band, flood depth, exposed buildings), the
headline cards of ``coast.model.HEADLINE`` and a per-commune exposure table."""

from __future__ import annotations

from dashboards.coast_views import coast_map, commune_tables
from dashboards.shell.page import UseCasePage
from dashboards.view3d import coast_3d

#: Panel extensions the page needs in its HTML (the 3D view's deck.gl, served locally).
EXTENSIONS = ("deckgl",)


def page(lang: str = "fr") -> UseCasePage:
    return UseCasePage(route="coast", model_id="coast.risk", territory_id="coast",
                       lang=lang, extras=[commune_tables, coast_3d], map_builder=coast_map)
