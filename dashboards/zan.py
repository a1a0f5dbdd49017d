"""The zan page: the scenario workspace on model ``zan.trajectory``, sample territory
``zan`` (or the territory chosen in the header), with the per-commune and total trajectories
against the envelope, the per-commune table and a printable summary for a council meeting. On a
territory that also has forest stands and buildings (the integrated sample), a table places
each scenario's land take next to what is built and shows the hectares the forest loses on its
stands (:func:`twin_core.coupling.forest_after_land`), with a link to the Territoire page and
all the spatial links (:func:`twin_core.coupling.run_integrated`)."""

from __future__ import annotations

import html
from urllib.parse import quote

import panel as pn

from dashboards.shell.page import UseCasePage
from dashboards.zan_views import commune_tables, commune_trajectory
from twin_core.i18n import t

FOREST_ROWS = ("forest_today_ha", "land_ha", "on_stands_ha", "forest_after_ha")


def forest_link(ws) -> pn.viewable.Viewable:
    """Where the land taken meets the forest (territories with stands and buildings): per
    scenario, the forest today, the land taken by the horizon, the hectares of it placed on
    stands and the forest left (:func:`twin_core.coupling.forest_after_land`), and a link to
    the Territoire page with all the spatial links."""
    from dashboards.territoire import spatial_choices
    from twin_core.coupling import forest_after_land
    from twin_core.i18n import format_number

    if ws.territory_id not in spatial_choices():
        return pn.pane.HTML("", visible=False)
    lang = ws.lang
    figures = {r.label: forest_after_land(ws.territory_id, r) for r in ws.results}
    head = "".join(f'<th scope="col">{html.escape(label)}</th>' for label in figures)
    rows = "".join(
        f'<tr data-row="{key}"><th scope="row">{html.escape(t(f"territory.{key}", lang))}</th>'
        + "".join(f'<td data-scenario="{html.escape(label)}">'
                  f'{format_number(f[key], lang, decimals=0)} ha</td>'
                  for label, f in figures.items()) + "</tr>" for key in FOREST_ROWS)
    href = html.escape(f"./territoire?territory={quote(ws.territory_id)}&lang={lang}")
    text = html.escape(t("territory.zan_forest", lang))
    link = html.escape(t("app.territoire_nav", lang))
    return pn.pane.HTML(
        f'<div class="twin-zan-forest"><table><caption>'
        f'{html.escape(t("territory.zan_forest_caption", lang))}</caption>'
        f'<tr><td></td>{head}</tr>{rows}</table>'
        f'<p>{text} <a href="{href}">{link}</a></p></div>', sizing_mode="stretch_width")


def page(lang: str = "fr") -> UseCasePage:
    return UseCasePage(route="zan", model_id="zan.trajectory", territory_id="zan",
                       lang=lang, extras=[forest_link, commune_trajectory, commune_tables])
