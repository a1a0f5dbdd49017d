"""The "territoire" page: one whole-territory scenario sets the shared drivers once, runs every
use case, and shows every declared link (between use cases, or within a model) with the values
that flowed in the current run for each scenario, and how each link is made (its note: e.g.
area-based, with the declared share).

The territory is chosen at the top (``?territory=ID``): the four samples (different places, so
the links are area-based and say so), or one territory where coast, ZAN and forest run on the
same communes (the ``integrated`` sample, a user territory with their layers), where
:func:`twin_core.coupling.run_integrated` makes the links spatial: land taken placed next to
what is built (the stands lose the hectares placed on them), relocated homes to the inland
communes of the same EPCI, homes within 50 m of the burnt forest. The "Importer des données"
section replaces a layer of a user territory after its check report
(:func:`twin_core.territory.create.check_report`, :func:`~twin_core.territory.create.
import_layer`); the samples are read-only."""

from __future__ import annotations

import html
import json
import re
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import pandas as pd
import panel as pn
import param

from dashboards.shell import runner
from dashboards.shell.page import header, session_territory, territory_chooser
from dashboards.shell.territories import ALERT_TEXT, alert
from dashboards.shell.territories import options as territory_options
from dashboards.shell.views import fmt
from dashboards.shell.widgets import param_widget
from twin_core.coupling import (
    LINKS,
    MEMBERS,
    WUI_DISTANCE_M,
    TerritoryScenario,
    run_integrated,
    run_territory,
)
from twin_core.errors import TwinInputError
from twin_core.i18n import t
from twin_core.indicators import all_indicators, indicators_for

HEADLINE_PER_MODEL = 4
#: Territory-scenario levers shown in each scenario column (and watched).
LEVERS = ("horizon", "warming_source", "custom_warming", "population_growth_pct",
          "relocate_dwellings", "farmland_share_pct", "forest_share_pct")
#: Territory-scenario param holding the declared share of an area-based link.
LINK_SHARE = {"zan_farmland_to_agriculture": "farmland_share_pct",
              "zan_forest_to_forest": "forest_share_pct"}
#: The four sample territories together (area-based links): the page's default choice.
SAMPLES = "samples"
#: Use cases run together on one territory (spatial links); agriculture is left out there.
SPATIAL_MODELS = ("coast.risk", "zan.trajectory", "forest.climate_risk")
#: Figures of the spatial links (id, units, decimals, evidence level, which layers may be
#: synthetic stand-ins behind it).
SPATIAL_FIGURES = (
    ("forest_before_ha", "ha", 1, "observed", ("stands",)),
    ("land_ha", "ha", 1, "assumption", ("conso_naf",)),
    ("placed_ha", "ha", 1, "assumption", ("conso_naf", "buildings")),
    ("on_stands_ha", "ha", 1, "assumption", ("conso_naf", "buildings", "stands")),
    ("forest_after_ha", "ha", 1, "assumption", ("conso_naf", "buildings", "stands")),
    ("relocated_homes", "logements", 0, "assumption", ("buildings",)),
    ("relocation_land_ha", "ha", 1, "assumption", ("conso_naf", "buildings")),
    ("wui_homes", "logements", 0, "assumption", ("buildings", "stands")),
    ("wui_residents", "habitants", 0, "assumption", ("buildings", "stands")),
)
#: Files the import section takes (the formats of twin_core.territory.create.read_any).
IMPORT_ACCEPT = ".gpkg,.parquet,.geoparquet,.geojson,.json,.csv,.tif,.tiff"


def spatial_choices() -> dict:
    """Territories where coast, ZAN and forest run on the same communes."""
    from dashboards.shell.territories import choices

    return {k: c for k, c in choices(None).items()
            if all(c.runs.get(m.split(".")[0]) for m in SPATIAL_MODELS)}


def choose_territory(raw, lang: str) -> tuple[str, str]:
    """The page's territory from the URL value: ``samples`` or an id of
    :func:`spatial_choices` (never a path); else ``samples`` and a message."""
    if raw in (None, "", SAMPLES):
        return SAMPLES, ""
    if raw in spatial_choices():
        return raw, ""
    return SAMPLES, t("territoire.unknown", lang, id=str(raw)[:80],
                      allowed=", ".join([SAMPLES, *spatial_choices()]))


def _territory_ref(tid: str) -> str:
    """What :func:`run_integrated` loads: the sample id, or a user territory's folder."""
    return str(runner.territory(tid).root) if tid.startswith("user:") else tid


@lru_cache(maxsize=16)
def _integrated(ref: str, ts_json: str):
    values = json.loads(ts_json)
    return run_integrated(TerritoryScenario(**values), ref)


def integrated_run(tid: str, ts: TerritoryScenario):
    """:func:`run_integrated` of ``ts`` on territory ``tid`` (cached on the levers)."""
    values = {n: getattr(ts, n) for n in ts.param if n != "name"}
    return _integrated(_territory_ref(tid), json.dumps(values, sort_keys=True, default=str))


def spatial_figures(flows: list[dict], made: dict, forest_before_ha: float) -> dict[str, float]:
    """The figures of the spatial links of one run (see SPATIAL_FIGURES)."""
    by = {f["link"]: f for f in flows}
    land, reloc, wui = (by["zan_land_on_stands"], by["coast_relocation_inland"],
                        by["forest_fire_wui"])
    return {"forest_before_ha": forest_before_ha, "land_ha": land["land_ha"],
            "placed_ha": land["placed_ha"], "on_stands_ha": land["value"],
            "forest_after_ha": float(made["stands"]["area_ha"].sum()),
            "relocated_homes": float(reloc["value"]), "relocation_land_ha": reloc["land_ha"],
            "wui_homes": wui["wui_homes"], "wui_residents": wui["wui_residents"]}


def spatial_table(figures: list[dict[str, float]], labels: list[str], synthetic: set[str],
                  lang: str) -> str:
    """The spatial links' figures as an HTML table: label, units, one column per scenario,
    B − A, and the evidence of each figure (level; synthetic inputs named)."""
    head = "".join(f"<th>{html.escape(x)}</th>" for x in [
        t("app.indicator", lang), t("app.units", lang), *labels,
        *(["Δ B − A"] if len(labels) > 1 else []), t("evidence.column", lang)])
    rows = []
    for fid, units, dec, level, inputs in SPATIAL_FIGURES:
        cells = "".join(f'<td class="twin-value" data-scenario="{html.escape(lab)}">'
                        f"{html.escape(fmt(f[fid], dec, lang))}</td>"
                        for lab, f in zip(labels, figures, strict=True))
        if len(labels) > 1:
            delta = fmt(figures[1][fid] - figures[0][fid], dec, lang)
            cells += f'<td class="twin-delta">{html.escape(delta)}</td>'
        synth = sorted(x for x in inputs if x in synthetic)
        ev = t(f"evidence.level_{level}", lang)
        if synth:
            ev += " · " + t("territoire.synthetic_inputs", lang, layers=", ".join(synth))
        label = t(f"territoire.fig_{fid}", lang)
        basis = t(f"territoire.basis_{fid}", lang, d=fmt(WUI_DISTANCE_M, 0, lang))
        rows.append(f'<tr data-figure="{fid}"><td>{html.escape(label)}<br>'
                    f"<small>{html.escape(basis)}</small></td><td>{html.escape(units)}</td>"
                    f"{cells}<td>{html.escape(ev)}</td></tr>")
    return (f'<table class="twin-spatial-table"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


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
    territory_id = param.String(default=SAMPLES, doc="'samples' or a spatial territory id.")

    def __init__(self, **params):
        super().__init__(**params)
        self.scenarios = [TerritoryScenario(label="A"),
                          TerritoryScenario(label="B", horizon=2100, relocate_dwellings=100)]
        self._links = pn.pane.HTML("", sizing_mode="stretch_width", css_classes=["twin-links"])
        self._table = pn.pane.DataFrame(None, index=False, sizing_mode="stretch_width",
                                        css_classes=["twin-table"])
        self._spatial = pn.pane.HTML("", sizing_mode="stretch_width",
                                     css_classes=["twin-spatial"])
        self._error = alert("", "danger", "twin-error", visible=False)
        self.figures: list[dict[str, float]] = []
        for s in self.scenarios:
            s.param.watch(lambda *events: self.refresh(), list(LEVERS))
        self.refresh()

    @property
    def spatial(self) -> bool:
        return self.territory_id != SAMPLES

    def refresh(self) -> None:
        if self.spatial:
            try:
                self._refresh_spatial()
                self._error.visible = False
            except TwinInputError as exc:
                self._error.object = exc.message(self.lang)
                self._error.visible = True
            return
        territories = {m: runner.territory(v["territory"]) for m, v in MEMBERS.items()}
        runs = [run_territory(s, territories) for s in self.scenarios]
        self._show(runs, list(MEMBERS))
        items = []
        for link in LINKS:
            flows = [next((f for f in fl if f["link"] == link.id), None) for _, fl in runs]
            items.append(link_item(link, flows, self.scenarios, self.lang))
        self._links.object = "<ul>" + "".join(items) + "</ul>"

    def _refresh_spatial(self) -> None:
        """Coast, ZAN and forest on the chosen territory with the spatial links."""
        lang = self.lang
        runs = [integrated_run(self.territory_id, s) for s in self.scenarios]
        terr = runner.territory(self.territory_id)
        before = float(terr.layer("stands")["area_ha"].sum())
        self.figures = [spatial_figures(flows, made, before) for _, flows, made in runs]
        synthetic = {n.removesuffix("_synthetic") for n in terr.synthetic_layers}
        self._show([(results, flows) for results, flows, _ in runs], list(SPATIAL_MODELS))
        self._spatial.object = spatial_table(self.figures, [s.label for s in self.scenarios],
                                             synthetic, lang)
        items = [f'<li data-link="{k}"><b>{html.escape(t(f"territoire.link_{k}", lang))}</b> '
                 f'<span class="twin-link-kind">[{html.escape(t("territoire.spatial", lang))}]'
                 f"</span></li>"
                 for k in ("zan_land_on_stands", "coast_relocation_inland", "forest_fire_wui")]
        self._links.object = "<ul>" + "".join(items) + "</ul>"

    def _show(self, runs: list, models: list[str]) -> None:
        lang = self.lang
        rows = []
        for model_id in models:
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

    def __panel__(self) -> pn.viewable.Viewable:
        lang = self.lang
        columns = []
        levers = [n for n in LEVERS if not (self.spatial and n in LINK_SHARE.values())]
        for s in self.scenarios:
            widgets = [param_widget(s, n, lang) for n in levers]
            columns.append(pn.Column(pn.pane.Markdown(f"#### {s.label}"), *widgets,
                                     css_classes=[f"twin-scenario-{s.label}"], width=320))
        options = {t("territoire.samples", lang): SAMPLES,
                   **territory_options(spatial_choices(), lang)}
        how = t("territoire.how_spatial" if self.spatial else "territoire.how_area", lang)
        spatial = [pn.pane.Markdown(f"### {t('territoire.spatial_title', lang)}"),
                   self._spatial] if self.spatial else []
        return pn.Column(
            header(lang, "territoire", self.territory_id if self.spatial else None),
            pn.pane.Markdown(f"## {t('app.territoire', lang)}\n{t('app.territoire_text', lang)}"),
            territory_chooser(options, self.territory_id, lang),
            *([alert(self.message, "warning", "twin-territory-error")] if self.message else []),
            pn.pane.Markdown(how, css_classes=["twin-coupling-kind"]), self._error,
            pn.Row(*columns),
            pn.pane.Markdown(f"### {t('app.links', lang)}"), self._links, *spatial,
            pn.pane.Markdown(f"### {t('app.comparison', lang)}"), self._table,
            ImportSection(lang=lang).panel(),
            sizing_mode="stretch_width")

    message = ""


def _safe_name(filename: str) -> str:
    """The uploaded file's name reduced to letters, digits, '-', '_' and '.' (its suffix
    kept): never a path."""
    name = Path(str(filename or "upload")).name
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", Path(name).stem)[:60].lstrip(".") or "upload"
    suffix = re.sub(r"[^A-Za-z0-9.]", "", Path(name).suffix)[:12].lower()
    return stem + suffix


class ImportSection(param.Parameterized):
    """"Importer des données": replace a layer of one of the user's territories by an uploaded
    file, after its check report (schema, CRS, extent, commune codes); the previous version is
    kept (``LAYER.prev.<ext>``, ``previous`` in the manifest). Nothing changes on a refusal."""

    lang = param.Selector(default="fr", objects=["fr", "en"])

    def __init__(self, **params):
        from dashboards.shell.territories import choices
        from twin_core.territory.schema import SCHEMAS

        super().__init__(**params)
        lang = self.lang
        self.user = {k: c for k, c in choices(None).items() if c.user}
        self.territory = pn.widgets.Select(
            label=t("territoire.import_territory", lang),
            options=territory_options(self.user, lang),
            css_classes=["twin-import-territory"])
        self.layer = pn.widgets.Select(label=t("territoire.import_layer", lang),
                                       options=sorted(SCHEMAS), value="stands",
                                       css_classes=["twin-import-layer"])
        self.file = pn.widgets.FileInput(accept=IMPORT_ACCEPT, css_classes=["twin-import-file"])
        self.report = alert("", "info", "twin-import-report", visible=False)
        self.replace = pn.widgets.Button(label=t("territoire.import_replace", lang),
                                         button_type="primary", disabled=True,
                                         css_classes=["twin-import-replace"])
        self._path: Path | None = None
        self.file.param.watch(lambda e: self.check(), "value")
        self.layer.param.watch(lambda e: self.check(), "value")
        self.territory.param.watch(lambda e: self.check(), "value")
        self.replace.on_click(lambda e: self.do_replace())

    def _root(self) -> Path | None:
        tid = self.territory.value
        return runner.territory(tid).root if tid in self.user else None

    def _stage(self) -> Path | None:
        """The uploaded bytes written to a private temporary folder under a safe name."""
        if not self.file.value:
            return None
        folder = Path(tempfile.mkdtemp(prefix="twin-import-"))
        path = folder / _safe_name(self.file.filename)
        path.write_bytes(self.file.value)
        return path

    def _say(self, text: str, kind: str) -> None:
        self.report.object = text
        self.report.alert_type = kind
        colour = ALERT_TEXT.get(kind, "#1a1a1a")
        self.report.stylesheets = [f":host, p, a, li, strong {{ color: {colour} !important; }}"]
        self.report.visible = bool(text)

    def check(self) -> bool:
        """The check report of the uploaded file as the chosen layer (before any change)."""
        from twin_core.territory.create import check_report

        self.replace.disabled = True
        if self._path is not None:
            shutil.rmtree(self._path.parent, ignore_errors=True)
            self._path = None
        root, path = self._root(), self._stage()
        if root is None or path is None:
            self._say("", "info")
            return False
        lang = self.lang
        try:
            obj, _ = check_report(root, self.layer.value, path)
        except TwinInputError as exc:
            shutil.rmtree(path.parent, ignore_errors=True)
            self._say(f"**{t('territoire.import_refused', lang)}** — {exc.message(lang)}",
                      "danger")
            return False
        self._path = path
        if obj.__class__.__name__ == "DataArray":
            what = t("territoire.import_raster", lang, nx=obj.sizes["x"], ny=obj.sizes["y"],
                     crs=str(obj.rio.crs))
        else:
            what = t("territoire.import_rows", lang, n=fmt(len(obj), 0, lang),
                     columns=", ".join(map(str, list(obj.columns)[:12])))
        self._say(t("territoire.import_passed", lang, layer=self.layer.value, what=what),
                  "success")
        self.replace.disabled = False
        return True

    def do_replace(self) -> bool:
        """Store the checked file as the layer (the previous version kept)."""
        from twin_core.runs import forget_territory
        from twin_core.territory.create import import_layer

        root = self._root()
        if root is None or self._path is None:
            return False
        lang = self.lang
        try:
            import_layer(str(root), self.layer.value, self._path, log=lambda *a: None)
        except TwinInputError as exc:
            self._say(f"**{t('territoire.import_refused', lang)}** — {exc.message(lang)}",
                      "danger")
            return False
        finally:
            shutil.rmtree(self._path.parent, ignore_errors=True)
            self._path = None
            self.replace.disabled = True
        forget_territory()  # the next runs read the new layer
        runner._ensemble.cache_clear()
        _integrated.cache_clear()  # spatial runs too (their placement is prepared anew)
        manifest = json.loads((root / "territory.json").read_text("utf-8"))
        prev = (manifest["layers"].get(self.layer.value, {}).get("previous") or {}).get("path")
        self._say(t("territoire.import_done", lang, layer=self.layer.value,
                    previous=prev or "—"), "success")
        return True

    def panel(self) -> pn.Column:
        lang = self.lang
        head = pn.pane.Markdown(f"### {t('territoire.import_title', lang)}\n"
                                f"{t('territoire.import_text', lang)}")
        if not self.user:
            return pn.Column(head, alert(t("territoire.import_none", lang), "info",
                                         "twin-import-none"),
                             css_classes=["twin-import"], sizing_mode="stretch_width")
        return pn.Column(head, pn.Row(self.territory, self.layer), self.file, self.report,
                         self.replace, css_classes=["twin-import"],
                         sizing_mode="stretch_width")


def page(lang: str = "fr") -> TerritoirePage:
    tid, message = choose_territory(session_territory(), lang)
    out = TerritoirePage(lang=lang, territory_id=tid)
    out.message = message
    return out
