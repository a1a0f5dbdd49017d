"""The "territoire" page: one whole-territory scenario sets the shared drivers once, runs every
use case, and shows every declared link (between use cases, or within a model) with the values
that flowed in the current run for each scenario, and how each link is made (its note: e.g.
area-based, with the declared share)."""

from __future__ import annotations

import html

import pandas as pd
import panel as pn
import param

from dashboards.shell import runner
from dashboards.shell.page import header
from dashboards.shell.views import fmt
from dashboards.shell.widgets import param_widget
from twin_core.coupling import LINKS, MEMBERS, TerritoryScenario, run_territory
from twin_core.i18n import t
from twin_core.indicators import all_indicators, indicators_for

HEADLINE_PER_MODEL = 4
#: Territory-scenario levers shown in each scenario column (and watched).
LEVERS = ("horizon", "warming_source", "custom_warming", "population_growth_pct",
          "relocate_dwellings", "farmland_share_pct", "forest_share_pct")
#: Territory-scenario param holding the declared share of an area-based link.
LINK_SHARE = {"zan_farmland_to_agriculture": "farmland_share_pct",
              "zan_forest_to_forest": "forest_share_pct"}


def _fmt(value, units: str, lang: str) -> str:
    """A flowed value with its units (French number format in French)."""
    text = fmt(float(value), 0 if isinstance(value, int) else 1, lang)
    return f"{text} {units}".rstrip()


def link_item(link, flows: list, scenarios: list, lang: str) -> str:
    """One <li> of the links list: label, kind, note and the value of each scenario's run."""
    cells = []
    for s, flow in zip(scenarios, flows, strict=True):
        if flow is None:
            cells.append(f"{s.label} : –")
            continue
        text = f"{s.label} : {_fmt(flow['value'], link.units, lang)}"
        effects = flow.get("effects") or {}
        if effects:
            inds = all_indicators()
            use_case = link.target.split(".")[0]
            parts = []
            for key, v in effects.items():
                ind = inds.get(f"{use_case}.{key}")
                label = ind.label(lang) if ind else key
                units = ind.units if ind and f"({ind.units})" not in label else ""
                parts.append(f"{label} : {_fmt(v, units, lang)}")
            text += " → " + " ; ".join(parts)
        cells.append(html.escape(text))
    share = LINK_SHARE.get(link.id)
    share_text = " / ".join(f"{s.label} {getattr(s, share):g}" for s in scenarios) if share else ""
    effects_text = ", ".join(html.escape(all_indicators()[f"{link.target.split('.')[0]}.{k}"]
                                         .label(lang)) for k in link.effects
                             if f"{link.target.split('.')[0]}.{k}" in all_indicators())
    note = t(f"link_notes.{link.id}", lang, default="", share=share_text,
             effects=effects_text)
    kind = t("link_app.within", lang) if link.kind == "within" else (
        t("link_app.area_based", lang) if share else "")
    badge = f' <span class="twin-link-kind">[{html.escape(kind)}]</span>' if kind else ""
    return (f'<li data-link="{link.id}"><b>{html.escape(t(f"links.{link.id}", lang))}</b>'
            f"{badge} — {' | '.join(cells)}"
            + (f'<br><small class="twin-link-note">{html.escape(note)}</small>' if note else "")
            + "</li>")


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
            s.param.watch(lambda *events: self.refresh(), list(LEVERS))
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
            flows = [next((f for f in fl if f["link"] == link.id), None) for _, fl in runs]
            items.append(link_item(link, flows, self.scenarios, lang))
        self._links.object = "<ul>" + "".join(items) + "</ul>"

    def __panel__(self) -> pn.viewable.Viewable:
        lang = self.lang
        columns = []
        for s in self.scenarios:
            widgets = [param_widget(s, n, lang) for n in LEVERS]
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
