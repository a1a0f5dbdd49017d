"""The agriculture and water page: the scenario workspace on model
``agriculture.nitrate_water``, sample territory ``agriculture``; stations coloured by nitrate
class (25 / 50 mg/L), monthly irrigation against the low-flow resource, per-station table."""

from __future__ import annotations

from dashboards.agriculture_views import EXTRAS, nitrate_map
from dashboards.shell.page import UseCasePage


def page(lang: str = "fr") -> UseCasePage:
    return UseCasePage(route="agriculture", model_id="agriculture.nitrate_water",
                       territory_id="agriculture", lang=lang, extras=list(EXTRAS),
                       map_builder=nitrate_map)
