"""The zan page: the scenario workspace on model ``zan.trajectory``, sample territory
``zan``."""

from __future__ import annotations

from dashboards.shell.page import UseCasePage


def page(lang: str = "fr") -> UseCasePage:
    return UseCasePage(route="zan", model_id="zan.trajectory", territory_id="zan",
                       lang=lang)
