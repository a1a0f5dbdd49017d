"""The forest page: the scenario workspace on model ``forest.climate_risk``, sample territory
``forest``."""

from __future__ import annotations

from dashboards.shell.page import UseCasePage


def page(lang: str = "fr") -> UseCasePage:
    return UseCasePage(route="forest", model_id="forest.climate_risk", territory_id="forest",
                       lang=lang)
