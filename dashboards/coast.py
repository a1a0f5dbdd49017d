"""The coast page: the scenario workspace on model ``coast.risk``, sample territory
``coast``, with its own map (shorelines, retreat band, flood depth, exposed buildings), the eleven
headline cards of the issue (damage and options included) and a per-commune exposure table."""

from __future__ import annotations

from dashboards.coast_views import coast_map, commune_tables
from dashboards.shell.page import UseCasePage
from twin_core.models.coast.model import HEADLINE


def page(lang: str = "fr") -> UseCasePage:
    return UseCasePage(route="coast", model_id="coast.risk", territory_id="coast",
                       lang=lang, extras=[commune_tables], map_builder=coast_map,
                       headline_cards=len(HEADLINE))
