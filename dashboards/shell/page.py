"""Page frame shared by all pages: header, navigation, language switch (FR | EN), and on the
use-case pages the territory chooser (``?territory=ID``, :mod:`dashboards.shell.territories`)."""

from __future__ import annotations

import html
import json

import panel as pn
import param

from twin_core.i18n import LANGUAGES, t

ROUTES = ("coast", "forest", "agriculture", "zan")


def session_lang() -> str:
    """Language of the current browser session: ``?lang=en`` in the URL, French by default."""
    loc = pn.state.location
    lang = loc.query_params.get("lang") if loc is not None else None
    return lang if lang in LANGUAGES else "fr"


def session_territory() -> str | None:
    """The ``?territory=`` value of the session's URL (None when absent); only ever looked up
    among the offered territories (:func:`dashboards.shell.territories.choose`)."""
    loc = pn.state.location
    raw = loc.query_params.get("territory") if loc is not None else None
    return raw if isinstance(raw, str) and raw else None


def territory_chooser(options: dict[str, str], value: str, lang: str) -> pn.widgets.Select:
    """A select of territories (label -> id); choosing one reloads the page with
    ``territory`` set in the URL, the language and the scenarios kept."""
    select = pn.widgets.Select(label=t("territory.choose", lang), options=options, value=value,
                               css_classes=["twin-territory"], width=420, sizing_mode="fixed")
    # the browser's select holds the labels: the ids go with the callback
    ids = json.dumps(options, ensure_ascii=False)
    select.jscallback(value=(
        f"const ids = {ids};"
        "const u = new URL(window.location.href);"
        "u.searchParams.set('territory', ids[cb_obj.value] ?? cb_obj.value);"
        "window.location.assign(u.toString());"))
    return select


def _carried(territory: str | None, route: str) -> str:
    """``&territory=ID`` for a page link when that page offers the territory (a chosen
    territory follows the user from page to page), else ''."""
    if not territory:
        return ""
    from urllib.parse import quote

    from dashboards.shell.territories import choices

    if route == "territoire":
        from dashboards.territoire import spatial_choices

        offered = territory in spatial_choices()
    else:
        offered = territory in choices(route)
    return f"&territory={quote(territory)}" if offered else ""


def header(lang: str, current: str, territory: str | None = None) -> pn.Row:
    """Title, page links and the FR | EN switch. Switching reloads the page with ``lang`` set
    and the rest of the URL (the scenarios being compared) kept. A chosen ``territory`` (not a
    page's own sample) goes with the links to the pages that offer it."""
    links = [f'<a href="./?lang={lang}" aria-current="{"page" if current == "home" else "false"}"'
             f'>{html.escape(t("app.home", lang))}</a>']
    for route in ROUTES:
        cur = "page" if route == current else "false"
        href = html.escape(f"./{route}?lang={lang}{_carried(territory, route)}")
        links.append(f'<a href="{href}" aria-current="{cur}">'
                     f'{html.escape(t(f"use_cases.{route}", lang))}</a>')
    cur = "page" if current == "territoire" else "false"
    href = html.escape(f"./territoire?lang={lang}{_carried(territory, 'territoire')}")
    links.append(f'<a href="{href}" aria-current="{cur}">'
                 f'{html.escape(t("app.territoire_nav", lang))}</a>')
    cur = "page" if current == "validation" else "false"
    links.append(f'<a href="./validation?lang={lang}" aria-current="{cur}">'
                 f'{html.escape(t("evidence.nav", lang))}</a>')
    cur = "page" if current == "atelier" else "false"
    links.append(f'<a href="./atelier?lang={lang}" aria-current="{cur}">'
                 f'{html.escape(t("workshop.nav", lang))}</a>')
    nav = pn.pane.HTML(
        f'<header style="display:flex;gap:1.2em;align-items:baseline;flex-wrap:wrap">'
        f'<strong style="font-size:1.3em">{html.escape(t("app.title", lang))}</strong>'
        f'<nav aria-label="pages" style="display:flex;gap:1em">{"".join(links)}</nav></header>',
        sizing_mode="stretch_width")
    switch = pn.widgets.RadioButtonGroup(
        options={code.upper(): code for code in LANGUAGES}, value=lang, button_type="light",
        label=t("app.language", lang), css_classes=["twin-lang"], width=110,
        sizing_mode="fixed")

    # in the browser: same URL (scenarios included) with the new lang, then reload
    switch.jscallback(value=(
        "const langs = " + repr(list(LANGUAGES)).replace("'", '"') + ";"
        "const u = new URL(window.location.href);"
        "u.searchParams.set('lang', langs[cb_obj.active]);"
        "window.location.assign(u.toString());"))
    return pn.Row(nav, switch, _a11y_script(), sizing_mode="stretch_width",
                  css_classes=["twin-header"])


def _a11y_script() -> pn.pane.HTML:
    """dashboards/static/a11y.js inline (served with the page, no CDN): accessible names for
    the widget internals Panel and Bokeh do not expose (slider handles, checkboxes…)."""
    from pathlib import Path

    code = (Path(__file__).resolve().parents[1] / "static" / "a11y.js").read_text("utf-8")
    return pn.pane.HTML(f"<script>{code}</script>", width=0, height=0, margin=0,
                        sizing_mode="fixed", css_classes=["twin-a11y"])


class UseCasePage(pn.viewable.Viewer):
    """A use case page: header, title, the scenario workspace for its model and territory."""

    route = param.String()
    model_id = param.String()
    territory_id = param.String()
    lang = param.Selector(default="fr", objects=list(LANGUAGES))
    extras = param.List(default=[], doc="Use-case views, see ScenarioWorkspace.extras.")
    map_builder = param.Callable(default=None, doc="See ScenarioWorkspace.map_builder.")
    map_tap = param.Callable(default=None, doc="See ScenarioWorkspace.map_tap.")
    adapt = param.Callable(default=None, doc="See ScenarioWorkspace.adapt.")

    def __panel__(self) -> pn.viewable.Viewable:
        from dashboards.shell import runner
        from twin_core.models.registry import all_models

        lang = self.lang
        title = pn.pane.Markdown(f"## {t(f'use_cases.{self.route}', lang)}\n"
                                 f"{t(f'use_cases.{self.route}_text', lang)}")
        default = self.territory_id
        place, cannot_run = self._territory_row()
        chosen = self.territory_id if self.territory_id != default else None
        if cannot_run:  # a user territory without this use case's layers: say so, no run
            body = pn.Column(sizing_mode="stretch_width")
        elif not runner.model_ready(self.model_id):  # the server's warm-up is on it
            body = pn.Column(pn.pane.Alert(t("app.model_warming_up", lang), alert_type="info",
                                           css_classes=["twin-warming-up"]),
                             sizing_mode="stretch_width")
            self._wait_for_model(body)
        elif self.model_id not in all_models():
            body = pn.pane.Alert(t("app.page_not_ready", lang), alert_type="info")
        else:
            body = self._workspace()
        return pn.Column(header(lang, self.route, chosen), title, place, body,
                         sizing_mode="stretch_width")

    def _territory_row(self) -> tuple[pn.Column, bool]:
        """The chooser, the chosen territory's name and what it lacks; sets ``territory_id``
        from the URL (only ids of the offered list). Returns the row and whether the use case
        cannot run there."""
        from dashboards.shell.territories import (
            USE_CASE_OF_ROUTE,
            alert,
            choices,
            choose,
            lacking_note,
            options,
        )

        lang = self.lang
        use_case = USE_CASE_OF_ROUTE.get(self.route, self.route)
        default = self.territory_id
        tid, choice, message = choose(session_territory(), use_case, default, lang)
        self.territory_id = tid
        offered = choices(use_case)
        labels = options(offered, lang)
        if tid not in labels.values():  # the default sample itself is always offered
            labels = {tid: tid, **labels}
        name = choice.name(lang) if choice is not None else tid
        parts: list = [pn.Row(territory_chooser(labels, tid, lang), pn.pane.HTML(
            f'<p class="twin-territory-name" style="margin:0.9em 0 0 0">'
            f'{html.escape(t("territory.current", lang))} : <b>{html.escape(name)}</b></p>',
            sizing_mode="stretch_width"), sizing_mode="stretch_width")]
        if message:
            parts.append(alert(message, "warning", "twin-territory-error"))
        note = lacking_note(choice, use_case, self.model_id, lang) if choice else ""
        cannot_run = bool(choice is not None and choice.missing.get(use_case))
        if note:
            parts.append(alert(note, "danger" if cannot_run else "info", "twin-territory-lacks"))
        return pn.Column(*parts, sizing_mode="stretch_width"), cannot_run

    def _workspace(self):
        from dashboards.shell.workspace import ScenarioWorkspace

        self.workspace = ScenarioWorkspace(model_id=self.model_id,
                                           territory_id=self.territory_id, lang=self.lang,
                                           extras=self.extras, map_builder=self.map_builder,
                                           map_tap=self.map_tap, adapt=self.adapt)
        return self.workspace

    def _wait_for_model(self, body: pn.Column) -> None:
        """Once the page is loaded in the browser, check every second; when the warm-up has the
        model ready, fill the page in. Not before the load: a change made between serving the
        page and its websocket connecting never reaches the browser (the page then waited for
        ever on its "se prépare" note)."""
        def check() -> None:
            if self.fill_in(body):
                callback.stop()

        def start() -> None:
            nonlocal callback
            if not self.fill_in(body):
                callback = pn.state.add_periodic_callback(check, period=1000)

        callback = None
        pn.state.onload(start)

    def fill_in(self, body: pn.Column) -> bool:
        """Replace the waiting note by the workspace once the model is ready (True then)."""
        from dashboards.shell import runner
        from twin_core.models.registry import all_models

        if not runner.model_ready(self.model_id):
            return False
        body[:] = [self._workspace() if self.model_id in all_models() else
                   pn.pane.Alert(t("app.page_not_ready", self.lang), alert_type="info")]
        return True
