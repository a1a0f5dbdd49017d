"""ZAN page extras: a commune's trajectory against its envelope, the cumulative total against
the group's envelope, the per-commune table and a one-page printable summary (HTML, French
first) for a council meeting. Pure builders of (results, lang) plus thin ``fn(ws)`` wrappers."""

from __future__ import annotations

import datetime as dt
import html
import io

import holoviews as hv
import pandas as pd
import panel as pn

from dashboards.shell.views import LivePlot, _ensure_backend, fmt
from twin_core.i18n import t
from twin_core.indicators import indicators_for
from twin_core.models.base import Result

TABLE_COLUMNS = {  # column -> (decimals, units shown in the summary)
    "nom": (None, ""), "code_insee": (None, ""), "reference_ha": (1, "ha"),
    "envelope_ha": (1, "ha"), "consumed_2021_2022_ha": (1, "ha"),
    "projected_2021_2031_ha": (1, "ha"), "budget_used_pct": (0, "%"),
    "remaining_ha": (1, "ha"), "dwellings_needed": (0, "logements"),
    "dwellings_delivered": (0, "logements"), "agricultural_land_lost_ha": (1, "ha"),
}


def commune_table(result: Result, lang: str = "fr") -> pd.DataFrame:
    """The per-commune table of one result, translated headers, rounded, sorted by use."""
    layer = pd.DataFrame(result.layers["communes"]).drop(columns="geometry", errors="ignore")
    cols = [c for c in TABLE_COLUMNS if c in layer.columns]
    table = layer[cols].sort_values("budget_used_pct", ascending=False)
    table = table.round({c: d for c, (d, _) in TABLE_COLUMNS.items() if d is not None})
    return table.rename(columns={c: t(f"zan_ui.col_{c}", lang) for c in cols})


def commune_chart(results: list[Result], code: str, lang: str = "fr") -> hv.Overlay:
    """Yearly land take of one commune (each scenario) and its allowed path, ha/yr."""
    _ensure_backend()
    curves = []
    for res in results:
        traj = res.layers["trajectories"]
        one = traj[traj["code_insee"] == code]
        curves.append(hv.Curve(one, "year", "consumption_ha",
                               label=f"{res.label} — {t('series.consumption_ha', lang)}"))
        curves.append(hv.Curve(one.dropna(subset=["allowed_ha"]), "year", "allowed_ha",
                               label=f"{res.label} — {t('series.allowed_ha', lang)}").opts(
            line_dash="dashed"))
    return hv.Overlay(curves).opts(
        hv.opts.Curve(responsive=True, height=300, xlabel=t("zan_ui.year", lang),
                      ylabel="ha/an" if lang == "fr" else "ha/yr", tools=["hover"]),
        hv.opts.Overlay(legend_position="bottom", responsive=True,
                        title=t("zan_ui.commune_chart", lang)))


def total_chart(results: list[Result], lang: str = "fr") -> hv.Overlay:
    """Cumulative land take since 2021 against the cumulative allowed envelope (ha)."""
    _ensure_backend()
    curves = []
    for res in results:
        s = res.series[(res.series["year"] >= 2021) & (res.series["year"] <= 2050)]
        curves.append(hv.Curve(s, "year", "cumulative_since_2021_ha",
                               label=f"{res.label} — {t('zan_ui.cumulative', lang)}"))
        curves.append(hv.Curve(s, "year", "allowed_cumulative_ha",
                               label=f"{res.label} — {t('zan_ui.envelope_cumulative', lang)}"
                               ).opts(line_dash="dashed"))
    return hv.Overlay(curves).opts(
        hv.opts.Curve(responsive=True, height=300, xlabel=t("zan_ui.year", lang), ylabel="ha",
                      tools=["hover"]),
        hv.opts.Overlay(legend_position="bottom", responsive=True,
                        title=t("zan_ui.total_chart", lang)))


def summary_html(results: list[Result], territory_name: str, lang: str = "fr",
                 scenario_units: dict[str, str] | None = None,
                 date: dt.date | None = None) -> str:
    """One printable page: levers, indicators per scenario and the communes of scenario A,
    every number with its units, the synthetic-data warning when relevant, sources."""
    if not results:
        return ""
    esc = html.escape
    units = scenario_units or {}
    labels = [r.label for r in results]
    first = results[0]
    synthetic = sorted({n.removesuffix("_synthetic") for r in results for n in r.synthetic_inputs})
    from twin_core.models import get_model

    spec = get_model(first.model_id).spec
    intro = t("zan_ui.summary_intro", lang, territory=territory_name, labels=", ".join(labels),
              model=spec.id, version=spec.version)
    parts = [f"<h1>{esc(t('zan_ui.summary_title', lang))}</h1>", f"<p>{esc(intro)}</p>"]
    if synthetic:
        warn = t("zan_ui.summary_synthetic", lang, layers=", ".join(synthetic))
        parts.append(f'<p class="warn"><strong>{esc(warn)}</strong></p>')
    # levers
    params = [r.scenario.get("params", r.scenario) for r in results]
    names = [n for n in params[0] if n not in ("label", "warming_source", "custom_warming",
                                                    "horizon")]
    rows = []
    for n in names:
        cells = []
        for p in params:
            v = p.get(n)
            if isinstance(v, bool) or not isinstance(v, int | float):
                text = t(f"params.{v}", lang, default=str(v))
            else:
                text = f"{fmt(float(v), 1 if float(v) % 1 else 0, lang)} {units.get(n, '')}"
            cells.append(f"<td>{esc(text.strip())}</td>")
        rows.append(f"<tr><th>{esc(t(f'params.{n}', lang, default=n))}</th>{''.join(cells)}</tr>")
    head = "".join(f"<th>{esc(t('zan_ui.scenario', lang))} {esc(lb)}</th>" for lb in labels)
    parts.append(f"<h2>{esc(t('zan_ui.summary_levers', lang))}</h2><table><tr>"
                 f"<th>{esc(t('zan_ui.parameter', lang))}</th>{head}</tr>{''.join(rows)}</table>")
    # indicators
    rows = []
    for ind in indicators_for(first.model_id):
        cells = "".join(f"<td>{esc(fmt(ind(r), ind.decimals, lang))} {esc(ind.units)}</td>"
                        for r in results)
        rows.append(f"<tr><th>{esc(ind.label(lang))}</th>{cells}</tr>")
    parts.append(f"<h2>{esc(t('zan_ui.summary_indicators', lang))}</h2><table><tr><th></th>"
                 f"{head}</tr>{''.join(rows)}</table>")
    # communes of the first scenario
    layer = pd.DataFrame(first.layers["communes"]).sort_values("budget_used_pct",
                                                               ascending=False)
    cols = [c for c in TABLE_COLUMNS if c in layer.columns and c != "code_insee"]
    head_c = "".join(f"<th>{esc(t(f'zan_ui.col_{c}', lang))}</th>" for c in cols)
    body = []
    for _, row in layer.iterrows():
        cells = []
        for c in cols:
            d, u = TABLE_COLUMNS[c]
            text = str(row[c]) if d is None else f"{fmt(float(row[c]), d, lang)} {u}"
            cells.append(f"<td>{esc(text)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    parts.append(f"<h2>{esc(t('zan_ui.summary_communes', lang, label=first.label))}</h2>"
                 f"<table class='communes'><tr>{head_c}</tr>{''.join(body)}</table>")
    day = (date or dt.date.today()).strftime("%d/%m/%Y" if lang == "fr" else "%Y-%m-%d")
    parts.append(f"<p class='small'>{esc(t('zan_ui.summary_sources', lang))} "
                 f"{esc(t('zan_ui.summary_date', lang, date=day))}</p>")
    style = ("<style>@page{size:A4;margin:12mm}body{font-family:sans-serif;font-size:10pt;"
             "max-width:190mm}h1{font-size:15pt}h2{font-size:12pt;margin:8px 0 4px}"
             "table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;"
             "padding:2px 4px;text-align:right}th:first-child{text-align:left}"
             ".communes td:first-child{text-align:left}.warn{color:#a00}.small{font-size:8pt}"
             "</style>")
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{esc(t('zan_ui.summary_title', lang))}</title>{style}</head><body>"
            + "".join(parts) + "</body></html>")


# -- extras fn(ws) -----------------------------------------------------------------------------
# The workspace calls each extra again after every refresh. A new layout each time would replace
# its widgets in the browser: a click on the summary button landing while a refresh was pending
# (e.g. a slider moved a few notches) reached a button no longer on the page, and its download
# was lost. Each extra is therefore built once per workspace and updated in place: the commune
# selector and the download button stay the same widgets, the summary reads the current results
# when it is clicked.
def commune_trajectory(ws) -> pn.viewable.Viewable:
    """Select a commune: its yearly land take and allowed path; and the cumulative total."""
    if not ws.results:
        return pn.Column()
    layer = ws.results[0].layers["communes"]
    options = {f"{n} ({c})": c for n, c in zip(layer["nom"], layer["code_insee"], strict=True)}
    chosen = getattr(ws, "_zan_commune", None)
    if chosen not in options.values():
        chosen = layer.sort_values("budget_used_pct")["code_insee"].iloc[-1]
    ws._zan_commune = chosen
    view = getattr(ws, "_zan_trajectory_view", None)
    if view is None:
        select = pn.widgets.Select(name=t("zan_ui.commune", ws.lang), options=options,
                                   value=chosen, css_classes=["twin-zan-commune"], width=320)
        # both charts keep their figure across refreshes (data updated in place, issue 17)
        total = LivePlot(sizing_mode="stretch_width")
        commune = LivePlot(sizing_mode="stretch_width")

        def on_select(event) -> None:
            ws._zan_commune = event.new
            commune.update(commune_chart(ws.results, event.new, ws.lang))

        select.param.watch(on_select, "value")
        layout = pn.Column(
            pn.pane.Markdown(f"### {t('zan_ui.total_chart', ws.lang)}"), total.pane,
            pn.pane.Markdown(f"### {t('zan_ui.commune_chart', ws.lang)}"), select, commune.pane,
            sizing_mode="stretch_width", css_classes=["twin-zan-trajectories"])
        view = ws._zan_trajectory_view = (layout, select, total, commune)
    layout, select, total, commune = view
    select.param.update(options=options, value=chosen)
    total.update(total_chart(ws.results, ws.lang))
    commune.update(commune_chart(ws.results, chosen, ws.lang))
    return layout


def commune_tables(ws) -> pn.viewable.Viewable:
    """The per-commune table of each scenario (tabs) and the printable summary."""
    if not ws.results:
        return pn.Column()
    view = getattr(ws, "_zan_tables_view", None)
    if view is None:
        def summary() -> io.BytesIO:
            units = ws.spec.scenario_class.units
            name = ws.territory.name(ws.lang) if callable(ws.territory.name) \
                else str(ws.territory.id)
            return io.BytesIO(summary_html(ws.results, name, ws.lang, units).encode("utf-8"))

        download = pn.widgets.FileDownload(callback=summary, filename="synthese_zan.html",
                                           label=t("zan_ui.summary", ws.lang),
                                           button_type="success",
                                           css_classes=["twin-zan-summary"])
        tabs = pn.Tabs(sizing_mode="stretch_width")
        layout = pn.Column(pn.pane.Markdown(f"### {t('zan_ui.table', ws.lang)}"),
                           download, tabs, sizing_mode="stretch_width",
                           css_classes=["twin-zan-table"])
        view = ws._zan_tables_view = {"layout": layout, "tabs": tabs, "labels": []}
    labels = [r.label for r in ws.results]
    if view["labels"] == labels:  # same scenarios: new tables in the same tabs
        for pane, r in zip(view["tabs"].objects, ws.results, strict=True):
            pane.object = commune_table(r, ws.lang)
    else:
        view["tabs"][:] = [(r.label, pn.pane.DataFrame(commune_table(r, ws.lang), index=False,
                                                       sizing_mode="stretch_width"))
                           for r in ws.results]
        view["labels"] = labels
    return view["layout"]
