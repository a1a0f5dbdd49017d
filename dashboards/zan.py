"""The zan page: the scenario workspace on model ``zan.trajectory``, sample territory
``zan`` (or the territory chosen in the header), with the per-commune and total trajectories
against the envelope, the per-commune table and a printable summary for a council meeting. On a
territory that also has forest stands and buildings (the integrated sample), a note sends to
the Territoire page, where the land taken is placed next to what is built and the forest loses
the hectares placed on its stands (:func:`twin_core.coupling.run_integrated`)."""

from __future__ import annotations

import html
from urllib.parse import quote

import panel as pn

from dashboards.shell.page import UseCasePage
from dashboards.zan_views import commune_tables, commune_trajectory
from twin_core.i18n import t


def forest_link(ws) -> pn.viewable.Viewable:
    """Where the land taken meets the forest (territories with stands and buildings)."""
    from dashboards.territoire import spatial_choices

    if ws.territory_id not in spatial_choices():
        return pn.pane.HTML("", visible=False)
    href = html.escape(f"./territoire?territory={quote(ws.territory_id)}&lang={ws.lang}")
    text = html.escape(t("territory.zan_forest", ws.lang))
    link = html.escape(t("app.territoire_nav", ws.lang))
    return pn.pane.HTML(f'<p class="twin-zan-forest">{text} <a href="{href}">{link}</a></p>',
                        sizing_mode="stretch_width")


def page(lang: str = "fr") -> UseCasePage:
    return UseCasePage(route="zan", model_id="zan.trajectory", territory_id="zan",
                       lang=lang, extras=[forest_link, commune_trajectory, commune_tables])
