"""Workshop pages: the facilitator's page (``/atelier``: create a session, share its code, watch
the proposals arrive on the board, reveal / hide / freeze) and the participant's page
(``/participer``: join with the code and a display name, move the levers, submit).

Who may do what is decided by the store from bearer keys kept in each person's own URL (the
facilitator's ``key``, the participant's ``p``); the pages hold no other authority. The board
polls the database every second, so it also sees proposals made through another server process
and survives a server restart.
"""

from __future__ import annotations

import html
import time
from datetime import date, datetime
from functools import lru_cache

import panel as pn
import param

from dashboards.shell.draw import DrawControl
from dashboards.shell.page import header
from dashboards.shell.views import cards_html, fmt, map_view
from dashboards.shell.widgets import param_widget
from twin_core import runs
from twin_core.compare import compare
from twin_core.drawn import geometry_params
from twin_core.errors import TwinInputError
from twin_core.i18n import t
from twin_core.indicators import indicators_for
from twin_core.models.registry import get_model
from twin_core.workshop import MODELS, WorkshopStore, evaluate, submit
from twin_core.workshop.board import board_frame, board_indicators, marks
from twin_core.workshop.service import lever_names
from twin_core.workshop.store import Proposal, Workshop

POLL_MS = 1000
MAX_FAILED_JOINS = 5
LOCKOUT_S = 30


@lru_cache(maxsize=1)
def store() -> WorkshopStore:
    """One store per server process (``TWIN_DATABASE_URL`` / ``TWIN_WORKSHOP_DB``)."""
    return WorkshopStore()


def _query(name: str) -> str:
    loc = pn.state.location
    value = loc.query_params.get(name) if loc is not None else None
    return str(value) if value else ""


def _base_url() -> str:
    loc = pn.state.location
    if loc is None or not loc.hostname:
        return ""
    port = f":{loc.port}" if loc.port else ""
    return f"{loc.protocol}//{loc.hostname}{port}"


def board_html(model_id: str, proposals: list[Proposal], lang: str) -> str:
    """Proposals as rows, headline indicators as columns (with units), best ▲ / worst ▼ marked
    in words as well as colour; every name escaped."""
    if not proposals:
        return f'<p class="twin-board-empty">{html.escape(t("workshop.no_proposals", lang))}</p>'
    inds = board_indicators(model_id)
    frame = board_frame(model_id, proposals)
    # hidden proposals are shown greyed but not ranked against the others
    mark = marks(model_id, frame.loc[[p.id for p in proposals if not p.hidden]])
    # a calibrated indicator whose fit has no skill reads NaN: say why instead of ranking it
    no_finding = {i.id for i in inds if i.evidence is not None
                  and i.evidence.level == "calibrated" and frame[i.id].isna().all()}
    heads = [(t("workshop.name_col", lang), ""), (t("workshop.submitted_col", lang), "")] + [
        (f"{i.label(lang)} ({i.units})", t("evidence.no_finding_card", lang)
         if i.id in no_finding else "") for i in inds]
    out = ['<table class="twin-board" style="border-collapse:collapse"><thead><tr>']
    out += [f'<th scope="col" style="border-bottom:1px solid #99a;padding:4px">'
            f'{html.escape(h)}' + (f'<div class="twin-no-finding" style="font-weight:normal;'
                                   f'font-size:0.85em;color:#7a3b00">{html.escape(note)}</div>'
                                   if note else "") + "</th>" for h, note in heads]
    out.append("</tr></thead><tbody>")
    best, worst = t("workshop.best", lang), t("workshop.worst", lang)
    for p in proposals:
        style = "color:#999;font-style:italic" if p.hidden else ""
        name = html.escape(p.name) + (f' ({html.escape(t("workshop.hidden", lang))})'
                                      if p.hidden else "")
        out.append(f'<tr class="twin-proposal" data-name="{html.escape(p.name)}" '
                   f'data-hidden="{str(p.hidden).lower()}" style="{style}">'
                   f'<th scope="row" style="text-align:left;padding:4px">{name}</th>'
                   f'<td style="padding:4px">{_local_time(p.submitted_at)}</td>')
        for ind in inds:
            value = p.values.get(ind.id)
            m = mark.get((p.id, ind.id), "")
            cell = fmt(value, ind.decimals, lang) if value is not None else "—"
            if m == "best":
                cell = (f'<span title="{html.escape(best)}" style="color:#176d2c;'
                        f'font-weight:bold">▲ {cell}</span>')
            elif m == "worst":
                cell = (f'<span title="{html.escape(worst)}" style="color:#a3161a">'
                        f'▼ {cell}</span>')
            out.append(f'<td class="twin-cell {m}" data-indicator="{html.escape(ind.id)}" '
                       f'style="padding:4px;text-align:right">{cell}</td>')
        out.append("</tr>")
    out.append("</tbody></table>")
    legend = f"▲ {best} · ▼ {worst}"
    return "".join(out) + f'<p style="font-size:0.85em">{html.escape(legend)}</p>'


def _local_time(iso: str) -> str:
    """HH:MM:SS of a stored UTC timestamp, in the server's time zone (the room's clock)."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%H:%M:%S")
    except ValueError:
        return "—"


def _md_bold(text: str) -> str:
    """``**x**`` of the locale strings as <b>; the text is already escaped (user input is never
    rendered as Markdown, which would turn names into links)."""
    parts = text.split("**")
    return "".join(f"<b>{p}</b>" if i % 2 else p for i, p in enumerate(parts))


def _map_for(model_id: str, territory_id: str, params: dict, lang: str):
    """The use-case page's own map of a proposal (the generic map for the others)."""
    return map_of(evaluate(model_id, territory_id, params), territory_id, lang)


def map_of(result, territory_id: str, lang: str):
    """The map the result's use-case page draws (its ``map_builder``, else the generic map)."""
    import importlib

    spec = get_model(result.model_id).spec
    page = importlib.import_module(f"dashboards.{spec.use_case}").page(lang)
    builder = page.map_builder or map_view
    return builder(result, spec, runs.territory(territory_id).layer("communes"), False, lang)


class _DrawHost:
    """What the shell's drawing control needs from a workspace, for a participant's page."""

    def __init__(self, page: ParticipantPage) -> None:
        self.page = page
        self.spec = get_model(page.workshop.model_id).spec
        self.lang = page.lang
        self.map_scenario = page.scenario.label

    @property
    def scenarios(self) -> list:
        return [self.page.scenario]

    def _draw_map(self) -> None:
        self.page._draw_map()

    def _show_error(self, message: str) -> None:
        self.page._error(message)


class FacilitatorPage(pn.viewable.Viewer):
    """``/atelier``: create a workshop or, with ``?code=…&key=…``, run its board."""

    lang = param.Selector(default="fr", objects=["fr", "en"])

    def __init__(self, **params):
        super().__init__(**params)
        self._body = pn.Column(sizing_mode="stretch_width")
        self._board = pn.pane.HTML("", sizing_mode="stretch_width",
                                   css_classes=["twin-board-pane"])
        self._counts = pn.pane.Markdown("", css_classes=["twin-counts"])
        self._alert = pn.pane.Alert("", alert_type="danger", visible=False,
                                    css_classes=["twin-error"])
        self._signature: tuple = ()
        self._callback = None
        self.workshop: Workshop | None = None
        self._key = ""
        self.proposals: list[Proposal] = []
        code, key = _query("code"), _query("key")
        if code or key:
            try:
                self._open(store().check_facilitator(code, key), key)
                return
            except TwinInputError as exc:
                self._error(exc.message(self.lang))
        self._create_form()

    def _error(self, message: str) -> None:
        self._alert.object = f"**{t('app.error', self.lang)}** — {message}"
        self._alert.visible = True

    def _create_form(self) -> None:
        lang = self.lang
        use_case = pn.widgets.Select(
            label=t("workshop.use_case", lang), css_classes=["twin-ws-usecase"],
            options={t(f"use_cases.{u}", lang): u for u in MODELS}, value="coast")
        title = pn.widgets.TextInput(
            label=t("workshop.workshop_title", lang), max_length=200,
            value=t("workshop.default_title", lang,
                    date=date.today().strftime("%d/%m/%Y" if lang == "fr" else "%Y-%m-%d")),
            css_classes=["twin-ws-title"])
        create = pn.widgets.Button(label=t("workshop.create", lang), button_type="primary",
                                   css_classes=["twin-ws-create"])
        levers = pn.widgets.MultiChoice(label=t("workshop.levers_choice", lang),
                                        css_classes=["twin-ws-levers"])

        def lever_options(event=None) -> None:
            names = lever_names(MODELS[use_case.value][0])
            levers.options = {t(f"params.{n}", lang, default=n): n for n in names}
            levers.value = names

        lever_options()
        use_case.param.watch(lever_options, "value")

        def on_create(event) -> None:
            model_id, territory_id = MODELS[use_case.value]
            chosen = [n for n in levers.value if n in lever_names(model_id)]
            try:
                code, key = store().create(model_id, territory_id, title.value, chosen
                                           if len(chosen) < len(lever_names(model_id)) else None)
            except TwinInputError as exc:
                self._error(exc.message(lang))
                return
            self._alert.visible = False
            if pn.state.location is not None:
                pn.state.location.update_query(code=code, key=key)
            self._open(store().check_facilitator(code, key), key)

        create.on_click(on_create)
        self._body[:] = [pn.pane.Markdown(t("workshop.create_intro", lang)), use_case, title,
                         levers, create,
                         pn.pane.HTML(f'<a href="./participer?lang={lang}">'
                                      f'{html.escape(t("workshop.participate_link", lang))}</a>')]

    def _open(self, ws: Workshop, key: str) -> None:
        lang = self.lang
        self.workshop, self._key = ws, key
        base = _base_url()
        join = f"{base}/participer?code={ws.code}&lang={lang}"
        admin = f"{base}/atelier?code={ws.code}&key={key}&lang={lang}"
        info = pn.pane.HTML(
            "<p>" + _md_bold(t("workshop.created", lang, title=html.escape(ws.title),
                                 code=ws.code)) + "</p><p>"
            + t("workshop.participant_link", lang,
                link=f'<a class="twin-ws-join-link" href="{html.escape(join)}">'
                     f'{html.escape(join)}</a>') + "</p><p>"
            + t("workshop.facilitator_link", lang,
                link=f'<code class="twin-ws-admin-link">{html.escape(admin)}</code>') + "</p>",
            css_classes=["twin-ws-info"], sizing_mode="stretch_width")
        code_big = pn.pane.HTML(
            f'<div class="twin-workshop-code" aria-label="{html.escape(t("workshop.code", lang))}"'
            f' style="font-size:2.4em;letter-spacing:0.15em;font-family:monospace">'
            f'{html.escape(ws.code)}</div>')
        reveal = pn.widgets.Checkbox(label=t("workshop.reveal", lang), value=ws.revealed,
                                     css_classes=["twin-ws-reveal"])
        freeze = pn.widgets.Checkbox(label=t("workshop.freeze", lang), value=ws.frozen,
                                     css_classes=["twin-ws-freeze"])
        reveal.param.watch(lambda e: self._flags(revealed=e.new), "value")
        freeze.param.watch(lambda e: self._flags(frozen=e.new), "value")
        self._pick = pn.widgets.Select(label=t("workshop.hide_select", lang), options={},
                                       css_classes=["twin-ws-pick"], width=280,
                                       sizing_mode="fixed")
        toggle = pn.widgets.Button(label=f'{t("workshop.hide", lang)} / '
                                         f'{t("workshop.show", lang)}',
                                   css_classes=["twin-ws-hide"], width=160, sizing_mode="fixed")
        toggle.on_click(self._toggle_hidden)
        show_map = pn.widgets.Button(label=t("workshop.map_of", lang),
                                     css_classes=["twin-ws-map"], width=200, sizing_mode="fixed")
        self._map = pn.pane.HoloViews(None, sizing_mode="stretch_width", min_height=0)
        show_map.on_click(self._show_map)
        self._body[:] = [code_big, info, pn.Row(reveal, freeze),
                         pn.pane.Markdown(f"### {t('workshop.board', lang)}"), self._counts,
                         self._board, pn.Row(self._pick, toggle, show_map, *self._report()),
                         self._map]
        self._poll()
        if pn.state.curdoc is not None and self._callback is None:
            self._callback = pn.state.add_periodic_callback(self._poll, period=POLL_MS)

    def _report(self) -> list:
        import io

        from twin_core.report import workshop_report

        def build() -> io.BytesIO:
            ws = self.workshop
            shown = [p for p in self.proposals if not p.hidden]
            props = [{"name": p.name, "params": p.params, "values": p.values,
                      "submitted_at": p.submitted_at} for p in shown]
            results = [evaluate(ws.model_id, ws.territory_id, p.params) for p in shown]
            text = workshop_report(ws.title, ws.model_id, ws.territory_id, props, self.lang,
                                   results=results)
            return io.BytesIO(text.encode("utf-8"))

        return [pn.widgets.FileDownload(callback=build, filename="rapport_atelier.html",
                                        label=t("workshop.report", self.lang),
                                        css_classes=["twin-ws-report"], width=240,
                                        sizing_mode="fixed"),
                pn.widgets.FileDownload(callback=self.proposals_csv,
                                        filename=f"propositions_{self.workshop.code}.csv",
                                        label=t("workshop.csv", self.lang),
                                        css_classes=["twin-ws-csv"], width=220,
                                        sizing_mode="fixed")]

    def proposals_csv(self):
        """Every submitted proposal: name, time, hidden, indicator values and levers (CSV with
        a BOM so that Excel opens the accents right)."""
        import io

        import pandas as pd

        inds = indicators_for(self.workshop.model_id)
        rows = []
        for p in self.proposals:
            row = {t("workshop.name_col", self.lang): p.name,
                   t("workshop.submitted_col", self.lang): p.submitted_at,
                   t("workshop.hidden", self.lang): p.hidden}
            row.update({f"{i.label(self.lang)} ({i.units})": p.values.get(i.id) for i in inds})
            row.update({t(f"params.{k}", self.lang, default=k): v for k, v in p.params.items()})
            rows.append(row)
        return io.BytesIO(pd.DataFrame(rows).to_csv(index=False).encode("utf-8-sig"))

    def _flags(self, **flags: bool) -> None:
        try:
            self.workshop = store().set_flags(self.workshop.code, self._key, **flags)
        except TwinInputError as exc:
            self._error(exc.message(self.lang))

    def _toggle_hidden(self, event=None) -> None:
        pid = self._pick.value
        current = next((p for p in self.proposals if p.id == pid), None)
        if current is None:
            return
        store().set_hidden(self.workshop.code, self._key, pid, not current.hidden)
        self._poll()

    def _show_map(self, event=None) -> None:
        current = next((p for p in self.proposals if p.id == self._pick.value), None)
        if current is None:
            return
        ws = self.workshop
        self._map.object = _map_for(ws.model_id, ws.territory_id, current.params, self.lang)
        self._map.min_height = 420

    def _poll(self) -> None:
        """Re-render the board when the database holds something new."""
        ws = self.workshop
        try:
            proposals = store().board(ws.code, self._key)
        except Exception as exc:  # a database hiccup must not kill the session: say it
            self._error(str(exc))
            return
        signature = tuple((p.id, p.hidden) for p in proposals)
        if signature == self._signature:
            return
        self._signature, self.proposals = signature, proposals
        self._board.object = board_html(ws.model_id, proposals, self.lang)
        self._counts.object = t("workshop.participants_n", self.lang,
                                n=len({p.participant_id for p in proposals}), m=len(proposals))
        options = {p.name + (f" ({t('workshop.hidden', self.lang)})" if p.hidden else ""): p.id
                   for p in proposals}
        self._pick.options = options
        if self._pick.value not in options.values() and options:
            self._pick.value = next(iter(options.values()))

    def __panel__(self) -> pn.viewable.Viewable:
        lang = self.lang
        return pn.Column(header(lang, "atelier"),
                         pn.pane.Markdown(f"## {t('workshop.facilitator', lang)}"),
                         self._alert, self._body, sizing_mode="stretch_width")


class ParticipantPage(pn.viewable.Viewer):
    """``/participer``: join with the code and a name, adjust the levers, submit."""

    lang = param.Selector(default="fr", objects=["fr", "en"])

    def __init__(self, **params):
        super().__init__(**params)
        self._body = pn.Column(sizing_mode="stretch_width")
        self._alert = pn.pane.Alert("", alert_type="danger", visible=False,
                                    css_classes=["twin-error"])
        self._failures: list[float] = []
        self._callback = None
        code, key = _query("code"), _query("p")
        if code and key:
            try:
                self._open(code, key)
                return
            except TwinInputError as exc:
                self._error(exc.message(self.lang))
        self._join_form(code)

    def _error(self, message: str) -> None:
        self._alert.object = f"**{t('app.error', self.lang)}** — {message}"
        self._alert.visible = True

    def _join_form(self, code: str = "") -> None:
        lang = self.lang
        code_in = pn.widgets.TextInput(label=t("workshop.code", lang), value=code, max_length=12,
                                       css_classes=["twin-ws-code"])
        name_in = pn.widgets.TextInput(label=t("workshop.name", lang), max_length=40,
                                       css_classes=["twin-ws-name"])
        join = pn.widgets.Button(label=t("workshop.join", lang), button_type="primary",
                                 css_classes=["twin-ws-join"])

        def on_join(event) -> None:
            now = time.monotonic()
            self._failures = [f for f in self._failures if now - f < LOCKOUT_S]
            if len(self._failures) >= MAX_FAILED_JOINS:  # slows down code guessing
                self._error(t("workshop.too_many_attempts", lang, s=LOCKOUT_S))
                return
            try:
                _, key = store().join(code_in.value, name_in.value)
                code = store().workshop(code_in.value).code
            except TwinInputError as exc:
                self._failures.append(now)
                self._error(exc.message(lang))
                return
            self._alert.visible = False
            if pn.state.location is not None:
                pn.state.location.update_query(code=code, p=key)
            self._open(code, key)

        join.on_click(on_join)
        self._body[:] = [pn.pane.Markdown(t("workshop.join_intro", lang)), code_in, name_in,
                         join]

    def _open(self, code: str, key: str) -> None:
        lang = self.lang
        _, name = store().participant(code, key)
        ws = store().workshop(code)
        self.workshop, self._key, self.participant_name = ws, key, name
        cls = get_model(ws.model_id).scenario_class
        draft = store().draft(ws.code, key) or {}
        self.scenario = cls(label="P")
        try:
            self.scenario.param.update(**{k: v for k, v in draft.items()
                                          if k in cls.param and k != "label"})
        except (ValueError, TypeError):
            pass  # a draft from an older model version: start from the defaults
        levers = [n for n in lever_names(ws.model_id) if ws.levers is None or n in ws.levers]
        drawable = [n for n in levers if n in geometry_params(cls)]
        widgets = [param_widget(self.scenario, n, lang) for n in levers if n not in drawable]
        self.scenario.param.watch(lambda *e: self._evaluate(save=True), levers)
        self._result = None
        self._map = pn.pane.HoloViews(None, sizing_mode="stretch_width", min_height=420,
                                      css_classes=["twin-map"])
        self._drawing = DrawControl(_DrawHost(self), drawable) if drawable else None
        self._cards = pn.pane.HTML("", sizing_mode="stretch_width", css_classes=["twin-cards"])
        self._status = pn.pane.Markdown("", css_classes=["twin-ws-status"])
        self._submit = pn.widgets.Button(label=t("workshop.submit", lang), button_type="primary",
                                         css_classes=["twin-ws-submit"])
        self._submit.on_click(self._on_submit)
        self._frozen = pn.pane.Alert(t("workshop.frozen_note", lang), alert_type="warning",
                                     visible=ws.frozen, css_classes=["twin-ws-frozen"])
        self._others = pn.pane.HTML("", sizing_mode="stretch_width",
                                    css_classes=["twin-ws-others"])
        welcome = _md_bold(t("workshop.welcome", lang, name=html.escape(name),
                             title=html.escape(ws.title),
                             use_case=t(f"use_cases.{get_model(ws.model_id).spec.use_case}",
                                        lang)))
        self._body[:] = [
            pn.pane.HTML(f"<p>{welcome}</p>", css_classes=["twin-ws-welcome"]),
            pn.Row(pn.Column(pn.pane.Markdown(f"### {t('workshop.levers', lang)}"), *widgets,
                             width=360, sizing_mode="fixed"),
                   pn.Column(pn.pane.Markdown(f"### {t('workshop.your_result', lang)}"),
                             self._cards, self._frozen, self._submit, self._status,
                             *([self._drawing.panel()] if self._drawing else []), self._map,
                             sizing_mode="stretch_width"), sizing_mode="stretch_width"),
            pn.pane.Markdown(f"### {t('workshop.others', lang)}"), self._others]
        self._evaluate(save=False)
        self._poll()
        if pn.state.curdoc is not None and self._callback is None:
            self._callback = pn.state.add_periodic_callback(self._poll, period=2 * POLL_MS)

    def _params(self) -> dict:
        levers = self.workshop.levers
        return {n: getattr(self.scenario, n) for n in self.scenario.user_params()
                if n != "label" and (levers is None or n in levers)}

    def _evaluate(self, save: bool) -> None:
        ws = self.workshop
        try:
            result = evaluate(ws.model_id, ws.territory_id, self._params())
            if save:
                store().save(ws.code, self._key, self._params(),
                             {}, kind="draft")
        except TwinInputError as exc:
            self._error(exc.message(self.lang))
            return
        self._alert.visible = False
        table = compare([result], reference="P", lang=self.lang)
        table["scenario"] = table["reference"] = self.participant_name
        ids = [i.id for i in board_indicators(ws.model_id)]
        decimals = {i.id: i.decimals for i in indicators_for(ws.model_id)}
        self._cards.object = cards_html(table[table["indicator"].isin(ids)], decimals, self.lang)
        if save:
            self._status.object = t("workshop.draft_saved", self.lang)
        self._result = result
        self._draw_map()

    def _draw_map(self) -> None:
        """The participant's own map, with their drawing on top when drawing is open."""
        if self._result is None:
            return
        element = map_of(self._result, self.workshop.territory_id, self.lang)
        if self._drawing is not None:
            element = self._drawing.overlay(element, self.scenario)
        self._map.object = element

    def _on_submit(self, event=None) -> None:
        try:
            submit(store(), self.workshop.code, self._key, self._params())
        except TwinInputError as exc:
            self._error(exc.message(self.lang))
            return
        self._alert.visible = False
        self._status.object = t("workshop.submitted", self.lang, time=time.strftime("%H:%M:%S"))

    def _poll(self) -> None:
        try:
            ws = store().workshop(self.workshop.code)
            shown = store().revealed_board(ws.code)
        except Exception as exc:  # keep the session alive; say what happened
            self._error(str(exc))
            return
        self.workshop = ws
        self._frozen.visible = ws.frozen
        self._submit.disabled = ws.frozen
        self._others.object = (board_html(ws.model_id, shown, self.lang) if ws.revealed
                               else f"<p>{html.escape(t('workshop.not_revealed', self.lang))}</p>")

    def __panel__(self) -> pn.viewable.Viewable:
        lang = self.lang
        return pn.Column(header(lang, "atelier"),
                         pn.pane.Markdown(f"## {t('workshop.participant', lang)}"),
                         self._alert, self._body, sizing_mode="stretch_width")


def facilitator_page(lang: str = "fr") -> FacilitatorPage:
    return FacilitatorPage(lang=lang)


def participant_page(lang: str = "fr") -> ParticipantPage:
    return ParticipantPage(lang=lang)
