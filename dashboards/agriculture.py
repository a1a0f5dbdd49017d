"""The agriculture and water page: the scenario workspace on model
``agriculture.nitrate_water``, sample territory ``agriculture``."""

from __future__ import annotations

from dashboards.shell.page import UseCasePage


def page(lang: str = "fr") -> UseCasePage:
    return UseCasePage(route="agriculture", model_id="agriculture.nitrate_water",
                       territory_id="agriculture", lang=lang)
