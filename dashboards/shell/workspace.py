"""The scenario workspace every use-case page plugs into (HoloViz Viewer, state = params).

Two or more scenarios side by side (A | B | … with Δ against a reference), widgets generated
from the scenario params, indicator cards, a comparison table, a map drawn from the project's own
data (online basemap optional), a time series; save/load a scenario as JSON; the scenarios are
kept in the page URL (``?scenarios=[…]``) so a link reopens the comparison; CSV and GeoPackage
exports.
"""

from __future__ import annotations

import io
import json
import logging
import tempfile
from pathlib import Path

import holoviews as hv
import pandas as pd
import panel as pn
import param
from pyproj import Transformer

from dashboards.shell import runner
from dashboards.shell.draw import DrawControl
from dashboards.shell.report_buttons import report_downloads
from dashboards.shell.views import LivePlot, cards_html, liven, map_view, morph, series_view
from dashboards.shell.widgets import param_widget
from twin_core.compare import compare, wide
from twin_core.drawn import geometry_params
from twin_core.errors import TwinInputError
from twin_core.headline import advanced_params, headline_ids
from twin_core.i18n import format_number, t
from twin_core.indicators import indicators_for
from twin_core.io import write_layers
from twin_core.models import get_model
from twin_core.scenario import Scenario

log = logging.getLogger(__name__)
_MERCATOR_TO_L93 = Transformer.from_crs(3857, 2154, always_xy=True)
MAX_SCENARIOS = 4
LABELS = "ABCD"


class ScenarioWorkspace(pn.viewable.Viewer):
    model_id = param.String(doc="Registered model run by this page.")
    territory_id = param.String(doc="Sample territory the page works on.")
    lang = param.Selector(default="fr", objects=["fr", "en"])
    scenarios = param.List(default=[], item_type=Scenario)
    reference = param.String(default="A")
    map_scenario = param.String(default="A")
    basemap = param.Boolean(default=False)
    status = param.String(default="")
    revision = param.Integer(default=0, doc="Bumped after each successful refresh.")
    draws = param.Selector(default=0, objects=[0, 20, 50, 100],
                           doc="Ensemble size (0: single run); bands and ranges when > 0.")
    vary_assumptions = param.Boolean(default=False, doc="The ensemble also varies the "
                                     "indicators' driving assumptions (twin_core.ensemble).")
    extras = param.List(default=[], doc="Callables ws -> viewable, shown under the chart and "
                        "rebuilt after each refresh (use-case specific views).")
    map_builder = param.Callable(default=None, doc="Replaces the generic map: "
                                 "fn(result, spec, communes, basemap, lang) -> hv element.")
    map_tap = param.Callable(default=None, doc="Called on a map click: fn(ws, scenario shown "
                             "on the map, x, y) with Lambert-93 metres.")
    clicked = param.Tuple(default=None, length=2, allow_None=True,
                          doc="Last map click (Lambert-93 x, y).")
    adapt = param.Callable(default=None, doc="fn(territory, scenario, lang) -> message or '': "
                           "fits an opening scenario to the page's territory (e.g. a fire's "
                           "ignition point onto its forest); the message is shown as the status.")

    def __init__(self, **params):
        super().__init__(**params)
        self.model = get_model(self.model_id)
        self.spec = self.model.spec
        self.territory = runner.territory(self.territory_id)
        self.results = []
        self.table = None
        self._decimals = {i.id: i.decimals for i in indicators_for(self.model_id)}
        if not self.scenarios:
            self.scenarios = self._scenarios_from_url() or self._default_scenarios()
            if self.adapt is not None:
                notes = [self.adapt(self.territory, sc, self.lang) for sc in self.scenarios]
                self.status = " ".join(n for n in [self.status, *notes] if n)
        self._alert = pn.pane.Alert("", alert_type="danger", visible=False,
                                    css_classes=["twin-error"])
        self._status_pane = pn.pane.Alert("", alert_type="warning", visible=False,
                                          css_classes=["twin-status"])
        self._banner = pn.pane.Alert("", alert_type="warning", visible=False,
                                     css_classes=["twin-synthetic"],
                                     stylesheets=[":host, p, a { color: #3d2e00 !important; }"])
        self.headline = headline_ids(self.model_id)
        self._cards = pn.pane.HTML("", css_classes=["twin-cards", "twin-headline"],
                                   sizing_mode="stretch_width")
        self._all_cards = pn.pane.HTML("", css_classes=["twin-cards", "twin-all-cards"],
                                       sizing_mode="stretch_width")
        self._table = pn.pane.DataFrame(None, index=False, sizing_mode="stretch_width",
                                        css_classes=["twin-table"])
        # map and chart updated in place after the first draw (LivePlot)
        self._live_map = LivePlot(sizing_mode="stretch_width", min_height=520,
                                  css_classes=["twin-map"])
        self._map = self._live_map.pane
        self._live_series = LivePlot(sizing_mode="stretch_width", min_height=320)
        self._series = self._live_series.pane
        self._bands_note = pn.pane.Markdown("", visible=False, css_classes=["twin-bands"])
        self._sensitivity = pn.pane.DataFrame(None, index=False, visible=False,
                                              sizing_mode="stretch_width",
                                              css_classes=["twin-sensitivity"])
        self.ensembles = {}
        self._pending = False
        self._built = False
        self._extras_watcher = None
        # "calcul…" while a refresh is under way; its text changes, never its size or
        # visibility (which would re-lay the whole page out in the browser)
        self._busy = pn.pane.HTML("", css_classes=["twin-busy"], sizing_mode="fixed",
                                  width=140, height=24)
        self._drawing = DrawControl(self) if geometry_params(self.spec.scenario_class) else None
        self._tabs = pn.Tabs(sizing_mode="stretch_width")
        self._main = pn.Column(sizing_mode="stretch_width")
        self._build_tabs()
        for s in self.scenarios:
            self._watch(s)
        self.param.watch(lambda *events: self.refresh(),
                         ["reference", "draws", "vary_assumptions"])
        self.param.watch(lambda *events: self._draw_map(), ["map_scenario", "basemap"])
        self.refresh()
        self._built = True

    # -- scenarios ---------------------------------------------------------------------------
    def _default_scenarios(self) -> list[Scenario]:
        cls = self.spec.scenario_class
        return [cls(label="A"), cls(label="B", **cls.example_b)]

    def _scenarios_from_url(self) -> list[Scenario] | None:
        loc = pn.state.location
        raw = loc.query_params.get("scenarios") if loc is not None else None
        if not raw:
            return None
        try:
            items = json.loads(raw) if isinstance(raw, str) else raw
            if not isinstance(items, list) or not 1 <= len(items) <= MAX_SCENARIOS:
                raise TwinInputError("scenario_not_object", "URL")
            return [Scenario.from_dict({"model": self.model_id, "version": self.spec.version,
                                        "params": p}, source="URL") for p in items]
        except (TwinInputError, json.JSONDecodeError) as exc:
            self.status = exc.message(self.lang) if isinstance(exc, TwinInputError) else str(exc)
            return None

    def _watch(self, scenario: Scenario) -> None:
        scenario.param.watch(lambda *events: self.refresh(), scenario.user_params())

    def add_scenario(self, event=None) -> None:
        if len(self.scenarios) >= MAX_SCENARIOS:
            return
        used = {s.label for s in self.scenarios}
        label = next(c for c in LABELS if c not in used)
        new = self.scenarios[-1].copy(label=label)
        self._watch(new)
        self.scenarios = self.scenarios + [new]
        self._build_tabs()
        self.refresh()

    def remove_scenario(self, event=None) -> None:
        if len(self.scenarios) <= 1:
            return
        self.scenarios = self.scenarios[:-1]
        self._build_tabs()
        self.refresh()

    def load_json(self, data: bytes, filename: str, index: int) -> bool:
        """Replace scenario ``index`` by the content of a JSON file; False and a message on
        bad input (the current scenario is left untouched)."""
        try:
            new = Scenario.from_json(data, source=filename or "scenario.json")
            if not isinstance(new, self.spec.scenario_class):
                raise TwinInputError("wrong_model", filename, model=new.model_id,
                                     expected=self.model_id)
        except TwinInputError as exc:
            self._show_error(exc.message(self.lang))
            return False
        saved_for = getattr(new, "saved_territory", None)
        if saved_for and saved_for != self.territory_id:  # loaded anyway, and said so
            self.status = t("territory.saved_for_other", self.lang, saved=saved_for,
                            current=self.territory_id)
            self._status_pane.object = self.status
            self._status_pane.visible = True
        target = self.scenarios[index]
        values = {n: getattr(new, n) for n in new.user_params()}
        values["label"] = target.label if values["label"] in {
            s.label for i, s in enumerate(self.scenarios) if i != index} else values["label"]
        with param.parameterized.batch_call_watchers(target):
            target.param.update(**values)
        self._build_tabs()
        self.refresh()
        return True

    # -- computing ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Recompute after a change. In a browser session the work is split into steps, each
        sent to the browser as soon as it is done: "calcul…" shows at once, then the model
        runs and the cards and the table update, then the map, then the chart, then the
        page's own views; changes arriving meanwhile are folded into one run. Outside a
        session (tests, notebooks) everything runs at once."""
        doc = self._session_doc()
        if doc is None:
            self._compute()
            return
        self._set_busy(True)
        if self._pending:  # a run is already queued: it reads the latest params
            return
        self._pending = True
        self._next_tick(doc, self._compute)

    def _set_busy(self, busy: bool) -> None:
        text = (f'<span role="status" style="color:#555;font-size:0.9em">'
                f'{t("app.computing", self.lang)}</span>') if busy else ""
        if self._busy.object != text:
            self._busy.object = text

    def _session_doc(self):
        if not self._built:  # the first run happens while the page is being built
            return None
        doc = pn.state.curdoc
        return doc if doc is not None and doc.session_context is not None else None

    def _next_tick(self, doc, step) -> None:
        from panel.io.document import hold
        from panel.io.state import set_curdoc

        def run() -> None:
            with set_curdoc(doc), hold(doc):
                step()

        doc.add_next_tick_callback(run)

    def _steps_after_cards(self) -> list:
        return [self._draw_map_step, self._draw_series, self._finish]

    def _compute(self) -> None:
        self._pending = False
        if not self._update_cards():
            self._set_busy(False)
            return
        doc = self._session_doc()
        steps = self._steps_after_cards()
        if doc is None:
            for step in steps:
                step()
            return

        def chain(i: int = 0) -> None:
            if self._pending:  # a newer run is queued: it will draw these
                return
            steps[i]()
            if i + 1 < len(steps):
                self._next_tick(doc, lambda: chain(i + 1))

        self._next_tick(doc, chain)

    def _update_cards(self) -> bool:
        """Run the models, then the cards, the table, the banner and the URL (False on error)."""
        labels = [s.label for s in self.scenarios]
        if len(set(labels)) != len(labels):
            self._show_error(t("app.duplicate_labels", self.lang, labels=", ".join(labels)))
            return False
        if self.reference not in labels:
            self.reference = labels[0]
            return False  # the watcher on reference calls refresh again
        try:
            problems = [p for s in self.scenarios for p in self.model.validate(self.territory, s)]
            if problems:
                self._show_error(problems[0].message(self.lang))
                return False
            self.results = [runner.run(self.model_id, self.territory_id, s)
                            for s in self.scenarios]
            self.table = compare(self.results, reference=self.reference, lang=self.lang)
            self.ensembles = {s.label: runner.ensemble(self.model_id, self.territory_id, s,
                                                       self.draws,
                                                       assumptions=self.vary_assumptions)
                              for s in self.scenarios} if self.draws else {}
        except TwinInputError as exc:
            self._show_error(exc.message(self.lang))
            return False
        except Exception as exc:  # a model bug must not take the session down: say it, log it
            log.exception("model %s failed", self.model_id)
            self._show_error(t("app.internal_error", self.lang, detail=type(exc).__name__))
            return False
        self._alert.visible = False
        synthetic = sorted({n.removesuffix("_synthetic") for r in self.results
                            for n in r.synthetic_inputs})
        self._banner.object = t("app.synthetic_warning", self.lang, layers=", ".join(synthetic))
        self._banner.visible = bool(synthetic)
        ranges = {(label, row.indicator): (row.p05, row.p95)
                  for label, ens in self.ensembles.items()
                  for row in ens.summary().itertuples()}
        position = {ind: i for i, ind in enumerate(self.headline)}
        first = self.table[self.table["indicator"].isin(position)]
        first = first.iloc[first["indicator"].map(position).argsort(kind="stable")]
        self._cards.object = cards_html(first, self._decimals, self.lang, ranges)
        self._all_cards.object = cards_html(
            self.table[~self.table["indicator"].isin(position)], self._decimals, self.lang,
            ranges)
        self._table.object = self.display_table()
        self._sync_url()
        return True

    def _draw_map_step(self) -> None:
        labels = [r.label for r in self.results]
        if self.map_scenario not in labels:
            self.map_scenario = labels[0]  # its watcher draws the map
        else:
            self._draw_map()

    def _draw_series(self) -> None:
        bands = {label: ens.series_bands(self.spec.series_y)
                 for label, ens in self.ensembles.items()}
        self._live_series.update(series_view(self.results, self.spec, self.lang, bands))
        self._bands_note.object = t("app.bands_note", self.lang, n=self.draws) if bands else ""
        self._bands_note.visible = bool(bands)
        self._sensitivity.object = self._sensitivity_table()
        self._sensitivity.visible = bool(self.ensembles)

    def _finish(self) -> None:
        """The page's own views (extras) follow the new results; "calcul…" goes."""
        self.revision += 1
        self._set_busy(False)

    def display_table(self) -> pd.DataFrame:
        """The comparison table as shown: one row per indicator, its numbers formatted as text
        in the page's language (:func:`twin_core.i18n.format_number`, the indicator's
        decimals); the CSV export keeps the numbers (:meth:`comparison_csv`)."""
        table = wide(self.table)
        lang = self.lang
        numeric = [c for c in table.columns if c not in (
            "indicator", "label", "units", "evidence", "synthetic")]
        for col in numeric:
            table[col] = [format_number(v, lang, self._decimals.get(ind, 1))
                          for v, ind in zip(table[col], table["indicator"], strict=True)]
        table = table.drop(columns=["indicator"])
        table["evidence"] = table["evidence"].map(lambda lv: t(f"evidence.level_{lv}", lang))
        return table.rename(columns={
            "label": t("app.indicator", lang), "units": t("app.units", lang),
            "evidence": t("evidence.column", lang),
            "synthetic": t("evidence.column_synthetic", lang)})

    def _sensitivity_table(self):
        """Per indicator of the reference scenario's ensemble: the input that drives it most."""
        ens = self.ensembles.get(self.reference)
        if ens is None:
            return None
        top = ens.sensitivity().query("rank == 1 and abs_spearman > 0")
        labels = {i.id: i.label(self.lang) for i in indicators_for(self.model_id)}
        return pd.DataFrame({
            t("app.indicator", self.lang): top["indicator"].map(labels),
            t("app.main_driver", self.lang): top["input"].map(
                lambda p: t(f"params.{p}", self.lang)),
            "|ρ| Spearman": top["abs_spearman"].map(
                lambda v: format_number(v, self.lang, 2))}).reset_index(drop=True)

    def _draw_map(self) -> None:
        labels = [r.label for r in self.results]
        if self.map_scenario not in labels:
            return
        res = self.results[labels.index(self.map_scenario)]
        builder = self.map_builder or map_view
        element = builder(res, self.spec, self.territory.layer("communes"), self.basemap,
                          self.lang)
        drawing = False
        if self._drawing is not None:  # the drawable geometry of the mapped scenario
            element = self._drawing.overlay(element, self._drawing.scenario())
            drawing = self._drawing.stream is not None
        if isinstance(element, hv.DynamicMap):  # aggregated layers: a new figure each time
            tap = hv.streams.Tap(source=element, x=None, y=None)
            tap.add_subscriber(self._on_tap)
        else:  # a click on the figure (kept across refreshes) reaches _on_tap
            hooks = list(element.opts.get("plot").kwargs.get("hooks", []))
            element = element.opts(hooks=[*hooks, self._tap_hook])
        # a drawing's stream is bound to its element: the figure is then made anew
        self._live_map.update(element, replace=drawing)

    def _tap_hook(self, plot, element) -> None:
        """Plot hook: the Bokeh figure's clicks call :meth:`_on_tap` (once per figure; a
        HoloViews Tap stream does not link to a figure updated in place)."""
        fig = plot.state
        if "twin-tap" in fig.tags:
            return
        fig.tags = [*fig.tags, "twin-tap"]

        def on_click(event) -> None:
            from panel.io.state import set_curdoc

            with set_curdoc(fig.document):
                self._on_tap(x=event.x, y=event.y)

        fig.on_event("tap", on_click)

    def on_map_click(self, x: float, y: float) -> None:
        """A click on the map at Lambert-93 (x, y): kept in ``clicked`` for the extras, and
        handed to the page's ``map_tap`` (e.g. to move a fire's ignition point)."""
        self.clicked = (float(x), float(y))
        if self.map_tap is not None:
            scenario = next(s for s in self.scenarios if s.label == self.map_scenario)
            self.map_tap(self, scenario, self.clicked[0], self.clicked[1])
        self.revision += 1  # the extras may show something about the clicked place

    def _on_tap(self, x=None, y=None) -> None:
        if x is None or y is None or (self._drawing is not None and self._drawing.active):
            return
        lx, ly = _MERCATOR_TO_L93.transform(x, y)
        self.on_map_click(lx, ly)

    def _show_error(self, message: str) -> None:
        self._alert.object = f"**{t('app.error', self.lang)}** — {message}"
        self._alert.visible = True

    def _sync_url(self) -> None:
        loc = pn.state.location
        if loc is None:
            return
        payload = [{n: getattr(s, n) for n in s.user_params()} for s in self.scenarios]
        loc.update_query(scenarios=json.dumps(payload, separators=(",", ":"),
                                              ensure_ascii=False))

    # -- exports -----------------------------------------------------------------------------
    def comparison_csv(self) -> io.BytesIO:
        text = self.table.to_csv(index=False) if self.table is not None else ""
        return io.BytesIO(text.encode("utf-8-sig"))

    def result_for(self, label: str):
        """The result of the scenario named ``label`` (None before the first run)."""
        return next((r for r in self.results if r.label == label), None)

    def map_table_csv(self) -> io.BytesIO:
        """The mapped layer's attributes for every scenario (e.g. one row per commune)."""
        import pandas as pd

        frames = []
        for r in self.results:
            layer = r.layers.get(self.spec.map_layer)
            if isinstance(layer, pd.DataFrame):
                frames.append(pd.DataFrame(layer.drop(columns="geometry", errors="ignore"))
                              .assign(scenario=r.label))
        table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        return io.BytesIO(table.to_csv(index=False).encode("utf-8-sig"))

    def layers_gpkg(self) -> io.BytesIO:
        import geopandas as gpd

        layers = {f"{r.label}_{name}": layer for r in self.results
                  for name, layer in r.layers.items() if isinstance(layer, gpd.GeoDataFrame)}
        with tempfile.TemporaryDirectory() as tmp:
            path = write_layers(layers, Path(tmp) / "layers.gpkg")
            return io.BytesIO(path.read_bytes())

    # -- layout ------------------------------------------------------------------------------
    def _scenario_panel(self, index: int, scenario: Scenario) -> pn.Column:
        advanced = advanced_params(type(scenario))
        widgets = [param_widget(scenario, n, self.lang) for n in scenario.widget_params()
                   if n not in advanced]
        if advanced:
            widgets.append(pn.Card(
                *[param_widget(scenario, n, self.lang) for n in advanced],
                title=t("app.advanced_params", self.lang), collapsed=True,
                css_classes=["twin-advanced"], sizing_mode="stretch_width"))
        save = pn.widgets.FileDownload(
            callback=lambda: io.BytesIO(scenario.to_json(territory=self.territory_id)
                                        .encode("utf-8")),
            filename=f"scenario_{self.model_id}_{scenario.label}.json",
            label=t("app.save_json", self.lang), button_type="primary",
            css_classes=["twin-save"])
        upload = pn.widgets.FileInput(accept=".json", css_classes=["twin-load"],
                                      label=t("app.load_json", self.lang))

        def on_upload(event) -> None:
            if event.new:
                self.load_json(event.new, upload.filename, index)

        upload.param.watch(on_upload, "value")
        return pn.Column(*widgets, save, upload,
                         name=scenario.label, css_classes=[f"twin-scenario-{scenario.label}"])

    def _build_tabs(self) -> None:
        active = min(self._tabs.active, len(self.scenarios) - 1)
        self._tabs[:] = [self._scenario_panel(i, s) for i, s in enumerate(self.scenarios)]
        self._tabs.active = max(active, 0)

    def _extra_views(self) -> list[pn.Column]:
        """The page's own views, each in a holder: after a refresh (``revision``), a view of
        the same structure is updated in place (:func:`dashboards.shell.views.morph`), any
        other replaces the holder's content."""
        holders = [pn.Column(liven(fn(self)), sizing_mode="stretch_width")
                   for fn in self.extras]

        def update(*events) -> None:
            for fn, holder in zip(self.extras, holders, strict=True):
                new = fn(self)
                if not morph(holder[0], new):
                    holder[:] = [liven(new)]

        if self._extras_watcher is not None:
            self.param.unwatch(self._extras_watcher)
        self._extras_watcher = self.param.watch(update, "revision")
        return holders

    def __panel__(self) -> pn.viewable.Viewable:
        lang = self.lang
        add = pn.widgets.Button(label=t("app.add_scenario", lang), css_classes=["twin-add"])
        remove = pn.widgets.Button(label=t("app.remove_scenario", lang),
                                   css_classes=["twin-remove"])
        add.on_click(self.add_scenario)
        remove.on_click(self.remove_scenario)
        labels = pn.bind(lambda s: [x.label for x in s], self.param.scenarios)
        reference = pn.widgets.Select.from_param(self.param.reference, options=labels,
                                                 label=t("app.reference", lang))
        map_choice = pn.widgets.Select.from_param(self.param.map_scenario, options=labels,
                                                  label=t("app.map_scenario", lang))
        basemap = pn.widgets.Checkbox.from_param(self.param.basemap, label=t("app.basemap", lang))
        draws = pn.widgets.Select.from_param(
            self.param.draws, label=t("app.draws", lang), css_classes=["twin-draws"],
            options={t("app.draws_off", lang) if n == 0 else t("app.draws_n", lang, n=n): n
                     for n in self.param.draws.objects})
        vary = pn.widgets.Checkbox.from_param(self.param.vary_assumptions,
                                              label=t("app.vary_assumptions", lang),
                                              css_classes=["twin-vary-assumptions"])
        per_feature = pn.widgets.FileDownload(
            callback=self.map_table_csv, filename=f"table_{self.spec.map_layer}.csv",
            label=t("app.export_map_table", lang), css_classes=["twin-map-csv"])
        csv = pn.widgets.FileDownload(callback=self.comparison_csv,
                                      filename=f"comparaison_{self.model_id}.csv",
                                      label=t("app.export_csv", lang), css_classes=["twin-csv"])
        gpkg = pn.widgets.FileDownload(callback=self.layers_gpkg,
                                       filename=f"couches_{self.model_id}.gpkg",
                                       label=t("app.export_gpkg", lang))
        status = self._status_pane
        status.object, status.visible = self.status, bool(self.status)
        sidebar = pn.Column(
            pn.pane.Markdown(f"### {t('app.scenarios', lang)}"),
            pn.Row(add, remove), reference, self._tabs, width=360)
        self._main[:] = [
            self._banner, status, self._alert,
            pn.Row(pn.pane.Markdown(f"### {t('app.comparison', lang)}"), self._busy),
            self._cards,
            # the pane sits in a Column: a collapsed Card hides its children in the browser, and
            # each new text re-sent the pane's visibility, a whole-page re-layout (issue 17)
            pn.Card(pn.Column(self._all_cards, sizing_mode="stretch_width"),
                    title=t("app.all_indicators", lang), collapsed=True,
                    css_classes=["twin-all-indicators"], sizing_mode="stretch_width"),
            pn.Row(csv, per_feature, gpkg, *report_downloads(self)), self._table,
            pn.pane.Markdown(f"### {t('app.map', lang)}"), pn.Row(map_choice, basemap),
            *([self._drawing.panel()] if self._drawing is not None else []), self._map,
            pn.pane.Markdown(f"### {t('app.timeseries', lang)}"), pn.Row(draws, vary),
            self._series,
            self._bands_note, self._sensitivity,
            *self._extra_views(),
            pn.pane.Markdown(t("app.share_link", lang)),
        ]
        return pn.Row(sidebar, self._main, sizing_mode="stretch_width")

