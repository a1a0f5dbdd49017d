"""The forest page: the scenario workspace on model ``forest.climate_risk``, sample territory
``forest`` (or the territory chosen in the header), with its map (stands by status, simulated
fire), the daily IFM chart (today vs the horizon), the per-species area table and the
cut-and-replant plan; a click on the map moves the fire's ignition point. On a territory with a
buildings layer (the integrated sample, a created territory) the homes and residents the fire
reaches (within 50 m of the burnt forest, :func:`twin_core.models.forest.model.fire_wui`) head
the page's own views."""

from __future__ import annotations

import panel as pn

from dashboards.forest_views import forest_map, fwi_chart, plan_tables, species_tables
from dashboards.shell.page import UseCasePage
from dashboards.view3d import forest_3d
from twin_core.i18n import t

#: Panel extensions the page needs in its HTML (the 3D view's deck.gl, served locally).
EXTENSIONS = ("deckgl",)
#: Cards of the homes the fire reaches (shown where the territory has buildings).
WUI_CARDS = ("forest.fire_wui_homes", "forest.fire_wui_residents")


def set_ignition(ws, scenario, x: float, y: float) -> None:
    """A click on the map lights the fire of the scenario shown there (Lambert-93 metres)."""
    scenario.param.update(ignition_x=round(x), ignition_y=round(y))


def fit_ignition(territory, scenario, lang: str = "fr") -> str:
    """An opening scenario whose ignition point is not on the territory's forest (another
    territory than the sample's) gets the centre of the largest stand (the rule of
    :func:`twin_core.coupling.run_integrated`); returns the note saying so ('' if unchanged)."""
    from twin_core.models.forest.model import _fuel_grid

    grid = _fuel_grid(territory)
    r, c = grid.cell_of(scenario.ignition_x, scenario.ignition_y)
    ny, nx = grid.fuel.shape
    if 0 <= r < ny and 0 <= c < nx and grid.fuel[r, c] >= 0:
        return ""
    stands = territory.layer("stands")
    p = stands.geometry.iloc[int(stands.area.argmax())].representative_point()
    old = (round(scenario.ignition_x), round(scenario.ignition_y))
    scenario.param.update(ignition_x=round(p.x), ignition_y=round(p.y))
    return t("territory.ignition_moved", lang, label=scenario.label, x=old[0], y=old[1],
             nx=round(p.x), ny=round(p.y))


def wui_cards(ws) -> pn.viewable.Viewable:
    """The homes and residents the simulated fire reaches, as cards (territories with
    buildings only)."""
    from dashboards.shell.views import cards_html

    if not ws.territory.has_layer("buildings") or ws.table is None:
        return pn.pane.HTML("", visible=False)
    rows = ws.table[ws.table["indicator"].isin(WUI_CARDS)]
    return pn.Column(pn.pane.Markdown(f"### {t('territory.wui_title', ws.lang)}"),
                     pn.pane.HTML(cards_html(rows, ws._decimals, ws.lang),
                                  css_classes=["twin-cards", "twin-wui"],
                                  sizing_mode="stretch_width"),
                     sizing_mode="stretch_width")


def page(lang: str = "fr") -> UseCasePage:
    return UseCasePage(route="forest", model_id="forest.climate_risk", territory_id="forest",
                       lang=lang, extras=[wui_cards, fwi_chart, species_tables, plan_tables,
                                          forest_3d],
                       map_builder=forest_map, map_tap=set_ignition, adapt=fit_ignition)
