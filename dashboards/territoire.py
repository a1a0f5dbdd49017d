"""The "territoire" page: one whole-territory scenario sets the shared drivers once, runs every
use case, and shows the declared links between them with the values that flow (A | B | Δ)."""

from __future__ import annotations

import html

import pandas as pd
import panel as pn
import param

from dashboards.shell import runner
from dashboards.shell.page import header
from dashboards.shell.widgets import param_widget
from twin_core.coupling import LINKS, MEMBERS, TerritoryScenario, run_territory
from twin_core.i18n import t
from twin_core.indicators import indicators_for

HEADLINE_PER_MODEL = 4


class TerritoirePage(pn.viewable.Viewer):
    lang = param.Selector(default="fr", objects=["fr", "en"])

    def __init__(self, **params):
        super().__init__(**params)
        self.scenarios = [TerritoryScenario(label="A"),
                          TerritoryScenario(label="B", horizon=2100, relocate_dwellings=100)]
        self._links = pn.pane.HTML("", sizing_mode="stretch_width", css_classes=["twin-links"])
        self._table = pn.pane.DataFrame(None, index=False, sizing_mode="stretch_width",
                                        css_classes=["twin-table"])
        for s in self.scenarios:
            s.param.watch(lambda *events: self.refresh(), ["horizon", "warming_source",
                                                           "custom_warming",
                                                           "population_growth_pct",
                                                           "relocate_dwellings"])
        self.refresh()

    def refresh(self) -> None:
        territories = {m: runner.territory(v["territory"]) for m, v in MEMBERS.items()}
        runs = [run_territory(s, territories) for s in self.scenarios]
        lang = self.lang
        rows = []
        for model_id in MEMBERS:
            for ind in indicators_for(model_id)[:HEADLINE_PER_MODEL]:
                values = [ind(results[model_id]) for results, _ in runs]
                rows.append({t("app.use_case", lang): t(f"use_cases.{model_id.split('.')[0]}",
                                                         lang),
                             t("app.indicator", lang): ind.label(lang),
                             t("app.units", lang): ind.units,
                             **{s.label: round(v, 2) for s, v in zip(self.scenarios, values,
                                                                     strict=True)},
                             "Δ B − A": round(values[1] - values[0], 2)})
        self._table.object = pd.DataFrame(rows)
        items = []
        for link in LINKS:
            flows = [next((f["value"] for f in fl if f["link"] == link.id), None)
                     for _, fl in runs]
            values = " | ".join(f"{s.label} : {html.escape(str(v))}"
                                for s, v in zip(self.scenarios, flows, strict=True))
            items.append(f'<li data-link="{link.id}"><b>{html.escape(t(f"links.{link.id}", lang))}'
                         f"</b> — {values}</li>")
        self._links.object = "<ul>" + "".join(items) + "</ul>"

    def __panel__(self) -> pn.viewable.Viewable:
        lang = self.lang
        columns = []
        for s in self.scenarios:
            widgets = [param_widget(s, n, lang) for n in
                       ("horizon", "warming_source", "custom_warming", "population_growth_pct",
                        "relocate_dwellings")]
            columns.append(pn.Column(pn.pane.Markdown(f"#### {s.label}"), *widgets,
                                     css_classes=[f"twin-scenario-{s.label}"], width=320))
        return pn.Column(
            header(lang, "territoire"),
            pn.pane.Markdown(f"## {t('app.territoire', lang)}\n{t('app.territoire_text', lang)}"),
            pn.Row(*columns),
            pn.pane.Markdown(f"### {t('app.links', lang)}"), self._links,
            pn.pane.Markdown(f"### {t('app.comparison', lang)}"), self._table,
            sizing_mode="stretch_width")


def page(lang: str = "fr") -> TerritoirePage:
    return TerritoirePage(lang=lang)
