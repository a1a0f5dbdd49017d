"""The zan page: the scenario workspace on model ``zan.trajectory``, sample territory
``zan``, with the per-commune and total trajectories against the envelope, the per-commune
table and a printable summary for a council meeting."""

from __future__ import annotations

from dashboards.shell.page import UseCasePage
from dashboards.zan_views import commune_tables, commune_trajectory


def page(lang: str = "fr") -> UseCasePage:
    return UseCasePage(route="zan", model_id="zan.trajectory", territory_id="zan",
                       lang=lang, extras=[commune_trajectory, commune_tables])
