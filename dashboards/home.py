"""Home page: the sample territories, the four use cases, the models and the data provenance."""

from __future__ import annotations

import html

import panel as pn
import param

from dashboards.shell.page import ROUTES, header
from twin_core.i18n import t


class HomePage(pn.viewable.Viewer):
    lang = param.Selector(default="fr", objects=["fr", "en"])

    def __panel__(self) -> pn.viewable.Viewable:
        from dashboards.shell import runner
        from dashboards.shell.runner import territory
        from twin_core.territory import sample_territories

        lang = self.lang
        cards = pn.pane.HTML(self._cards_html(runner.models_listed()),
                             sizing_mode="stretch_width", css_classes=["twin-usecases"])
        if not runner.models_listed():  # the warm-up is importing them: fill in afterwards
            def fill() -> None:
                if runner.models_listed():
                    callback.stop()
                    cards.object = self._cards_html(True)

            callback = pn.state.add_periodic_callback(fill, period=500)
        rows = []
        for tid in sample_territories():
            terr = territory(tid)
            synthetic = terr.synthetic_layers
            rows.append(
                f"<tr><td>{html.escape(terr.name(lang))}</td><td>{len(terr.layer('communes'))}"
                f"</td><td>{html.escape(', '.join(terr.layer_names))}</td><td>"
                f"{html.escape(', '.join(synthetic) or '—')}</td></tr>")
        heads = ("app.territory", "communes", "app.layers", "app.synthetic_layers")
        table = ("<table class='twin-territories'><thead><tr>" + "".join(
            f"<th>{html.escape(t(h, lang, default=h))}</th>" for h in heads)
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
        return pn.Column(
            header(lang, "home"),
            pn.pane.Markdown(f"## {t('app.title', lang)}\n{t('app.subtitle', lang)}"),
            pn.pane.Markdown(f"### {t('app.use_cases', lang)}"),
            cards,
            pn.pane.Markdown(f"### {t('app.territories', lang)}"),
            pn.pane.HTML(table, sizing_mode="stretch_width"),
            pn.pane.Markdown(t("app.home_data_note", lang)),
            sizing_mode="stretch_width")


    def _cards_html(self, with_models: bool) -> str:
        """The four use cases; each with its models and versions once they are imported."""
        from twin_core.models.registry import all_models

        lang = self.lang
        models = all_models() if with_models else {}
        cards = []
        for route in ROUTES:
            names = [m for m in models.values() if m.spec.use_case == route]
            model_line = ", ".join(f"{t(f'models.{m.spec.id}', lang)} "
                                   f"({t('app.model_version', lang)} {m.spec.version})"
                                   for m in names) or (
                t("app.page_not_ready", lang) if with_models else "…")
            cards.append(
                f'<section class="twin-usecase" style="border:1px solid #ccd;border-radius:8px;'
                f'padding:10px;margin:6px;max-width:320px">'
                f'<h3><a href="./{route}?lang={lang}">{html.escape(t(f"use_cases.{route}", lang))}'
                f'</a></h3><p>{html.escape(t(f"use_cases.{route}_text", lang))}</p>'
                f'<p style="font-size:0.85em">{html.escape(model_line)}</p></section>')
        return '<div style="display:flex;flex-wrap:wrap">' + "".join(cards) + "</div>"


def page(lang: str = "fr") -> HomePage:
    return HomePage(lang=lang)
