"""The coast page: the scenario workspace on model ``coast.risk``, sample territory
``coast``."""

from __future__ import annotations

from dashboards.shell.page import UseCasePage


def page(lang: str = "fr") -> UseCasePage:
    return UseCasePage(route="coast", model_id="coast.risk", territory_id="coast",
                       lang=lang)
