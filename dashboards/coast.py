"""The coast page: the scenario workspace on model ``coast.risk``, sample territory
``coast``, with its own map (shorelines, retreat band, flood depth, exposed buildings), the
damage and option cards and a per-commune exposure table."""

from __future__ import annotations

from dashboards.coast_views import coast_map, commune_tables, extra_cards
from dashboards.shell.page import UseCasePage


def page(lang: str = "fr") -> UseCasePage:
    return UseCasePage(route="coast", model_id="coast.risk", territory_id="coast",
                       lang=lang, extras=[extra_cards, commune_tables], map_builder=coast_map)
