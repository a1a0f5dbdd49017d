"""One-click reports: a self-contained HTML file per scenario comparison or per workshop, and its
PDF print through headless Chromium when one is installed.

The HTML has no external reference at all (inline CSS, maps and charts as base64 PNG drawn by
matplotlib's Agg canvas), so it opens offline and archives as one file. Every user-provided
string (scenario labels, participant names, parameter values) is escaped. A report carries what
is needed to trace a decision: parameters, indicators with units, maps, charts, the territory's
data sources with the synthetic layers marked, the model and software versions and each
scenario's JSON (reloadable in the dashboard or with ``twin run``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import io
import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from twin_core.compare import compare, rank, wide
from twin_core.i18n import format_number, t
from twin_core.indicators import Indicator, indicators_for
from twin_core.io import atomic_path
from twin_core.models.base import ModelSpec, Result
from twin_core.scenario import Scenario

__all__ = ["scenario_report", "workshop_report", "html_to_pdf", "pdf_converter",
           "format_value", "rank", "PdfConversionError"]

PDF_TIMEOUT_S = 60
_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_DEFAULT_CHROMIUM = "/usr/bin/chromium"
_FIG_DPI = 110
#: Indicators per table of the workshop report (more go to the next table: fits A4 landscape).
WORKSHOP_COLUMNS = 10

_CSS = """
@page{size:A4;margin:12mm}
body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:10pt;color:#222;max-width:1100px;
margin:0 auto;padding:12px}
h1{font-size:16pt;margin:0 0 4px}h2{font-size:12.5pt;margin:18px 0 6px;
border-bottom:1px solid #99a;page-break-after:avoid}h3{font-size:10.5pt;margin:10px 0 4px}
table{border-collapse:collapse;margin:4px 0 8px;page-break-inside:auto}
tr{page-break-inside:avoid}
th,td{border:1px solid #aab;padding:2px 5px;vertical-align:top}
th{background:#eef0f5;text-align:left}td.num{text-align:right;white-space:nowrap}td.evidence{font-size:.85em}.evidence-detail{font-size:.8em;color:#555;max-width:28em}
.meta{color:#444;font-size:9pt}.small{font-size:8.5pt;color:#444}
.warn{border:2px solid #b36b00;background:#fff4e0;padding:6px 10px;margin:8px 0}
.synthetic{background:#b36b00;color:#fff;font-weight:bold;padding:0 4px;border-radius:3px}
td.best{background:#e3f4e1;font-weight:bold}td.worst{background:#fbe3e1}
.mark{font-size:8pt;margin-left:2px}
figure{margin:8px 0;page-break-inside:avoid}figure img{max-width:100%}
figcaption{font-size:8.5pt;color:#444}
.scroll{overflow-x:auto}tr.differs th,tr.differs td{font-weight:bold;background:#fffbe6}
table.wide th{font-size:8pt}@media print{.scroll{overflow:visible}}
pre{background:#f6f7f9;border:1px solid #dde;padding:6px;font-size:8pt;white-space:pre-wrap;
word-break:break-all}
"""
_CSS_LANDSCAPE = "@page{size:A4 landscape;margin:10mm}table.wide{font-size:8pt}"


class PdfConversionError(RuntimeError):
    """The PDF converter ran but did not produce a PDF (message: what failed and its output)."""


# -- formatting -------------------------------------------------------------------------------
def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def format_value(value: Any, decimals: int = 1, lang: str = "fr", grouping: bool = True
                 ) -> str:
    """A number as shown in reports: the app's format (:func:`twin_core.i18n.format_number`,
    thousands separators, French decimal comma, — for NaN) with a typographic minus."""
    return format_number(value, lang, decimals, grouping=grouping, minus="\u2212")


def _count_vertices(coords: Any) -> int:
    if isinstance(coords, list | tuple):
        if coords and all(isinstance(c, int | float) for c in coords):
            return 1
        return sum(_count_vertices(c) for c in coords)
    return 0


def _format_param(value: Any, lang: str) -> str:
    """A parameter value: numbers without grouping (years), choices translated, a drawn
    geometry summarised (type and vertices; the full value is in the scenario JSON)."""
    if isinstance(value, bool):
        return t(f"report.{'yes' if value else 'no'}", lang)
    if isinstance(value, int | float):
        number = float(value)
        if math.isfinite(number) and number == round(number):
            return format_value(number, 0, lang, grouping=False)
        decimals = min(max(len(f"{number:.6g}".split(".")[-1]), 1), 6) if math.isfinite(
            number) else 0
        return format_value(number, decimals, lang, grouping=False)
    if value is None:
        return "—"
    if isinstance(value, dict):
        return t("report.geometry", lang, type=str(value.get("type", "?"))[:40],
                 n=_count_vertices(value.get("coordinates")))
    if isinstance(value, list | tuple):
        return ", ".join(_format_param(v, lang) for v in value)[:200]
    return t(f"params.{value}", lang, default=str(value))[:200]


def _param_label(name: str, units: str, lang: str) -> str:
    text = t(f"params.{name}", lang, default=name)
    return f"{text} ({units})" if units and f"({units})" not in text else text


def _format_date(moment: dt.datetime, lang: str) -> str:
    zone = moment.strftime("%Z") or moment.strftime("%z")
    if lang == "fr":
        return f"{moment:%d/%m/%Y} à {moment:%H:%M} {zone}".strip()
    return f"{moment:%Y-%m-%d %H:%M} {zone}".strip()


def _mark(kind: str, lang: str) -> str:
    if not kind:
        return ""
    symbol = "▲" if kind == "best" else "▼"
    return f'<span class="mark" title="{_esc(t(f"report.{kind}", lang))}">{symbol}</span>'


def _colon(lang: str) -> str:
    """A label's colon: spaced in French."""
    return " : " if lang == "fr" else ": "


def _units_suffix(units: str) -> str:
    return f" ({units})" if units else ""


def _page(title: str, body: Iterable[str], lang: str, landscape: bool = False) -> str:
    css = _CSS + (_CSS_LANDSCAPE if landscape else "")
    return (f'<!DOCTYPE html>\n<html lang="{_esc(lang)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_esc(title)}</title><style>{css}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


# -- shared sections --------------------------------------------------------------------------
def _versions() -> str:
    import platform

    from twin_core import __version__

    return f"twin {__version__} · Python {platform.python_version()}"


def _synthetic_names(results: Sequence[Result]) -> list[str]:
    return sorted({n.removesuffix("_synthetic") for r in results for n in r.synthetic_inputs})


def _sources_section(territory: Any, spec: ModelSpec, synthetic_used: Sequence[str],
                     lang: str) -> list[str]:
    """The territory manifest (one row per layer, synthetic ones marked) and the model's
    references."""
    out = [f"<h2>{_esc(t('report.sources', lang))}</h2>"]
    if territory is not None:
        layers = territory.manifest.get("layers", {})
        used = {n if n in layers else f"{n}_synthetic" for n in spec.layers}
        used |= {f"{n}_synthetic" for n in synthetic_used} | set(synthetic_used)
        head = "".join(f"<th>{_esc(t(f'report.{k}', lang))}</th>"
                       for k in ("layer", "nature", "used", "source", "description"))
        rows = []
        for name, info in layers.items():
            info = info if isinstance(info, dict) else {}
            synthetic = bool(info.get("synthetic"))
            nature = (f'<span class="synthetic">{_esc(t("report.synthetic", lang))}</span>'
                      if synthetic else _esc(t("report.real", lang)))
            rows.append(
                f'<tr class="{"layer-synthetic" if synthetic else "layer-real"}" '
                f'data-layer="{_esc(name)}"><td>{_esc(name)}</td><td>{nature}</td>'
                f"<td>{_esc(t('report.yes' if name in used else 'report.no', lang))}</td>"
                f"<td>{_esc(info.get('source', ''))}</td>"
                f"<td>{_esc(info.get('description', ''))}</td></tr>")
        out.append(f'<table class="twin-report-sources"><tr>{head}</tr>{"".join(rows)}</table>')
    if spec.sources:
        items = "".join(f"<li>{_esc(s)}</li>" for s in spec.sources)
        out.append(f"<h3>{_esc(t('report.model_sources', lang))}</h3><ul>{items}</ul>")
    return out


def _synthetic_banner(names: Sequence[str], lang: str) -> str:
    if not names:
        return ""
    text = t("report.synthetic_warning", lang, layers=", ".join(names))
    return (f'<div class="warn twin-report-synthetic" role="alert"><span class="synthetic">'
            f'{_esc(t("report.synthetic", lang))}</span> {_esc(text)}</div>')


def _manifest_digest(territory: Any) -> str:
    path = Path(territory.root) / "territory.json"
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "—"


def _traceability(spec: ModelSpec, territory: Any, lang: str,
                  result_versions: Sequence[str] = ()) -> str:
    c = _colon(lang)
    items = [f"{_esc(t('report.model', lang))}{c}<code>{_esc(spec.id)}</code> "
             f"{_esc(t('report.model_version', lang, version=spec.version))}"]
    if result_versions:
        items.append(f"{_esc(t('report.results_version', lang))}{c}"
                     f"{_esc(', '.join(result_versions))}")
    items.append(f"{_esc(t('report.twin_version', lang))}{c}{_esc(_versions())}")
    digest = t("report.manifest_hash", lang, digest=_manifest_digest(territory))
    items.append(f"{_esc(t('report.manifest', lang))} <code>{_esc(territory.id)}</code>{c}"
                 f"{_esc(digest)}")
    return (f"<h2>{_esc(t('report.traceability', lang))}</h2><ul>"
            + "".join(f"<li>{i}</li>" for i in items) + "</ul>")


def _load_territory(territory_id: str) -> Any:
    from twin_core.runs import territory

    return territory(territory_id)


def _header(title: str, territory: Any, spec: ModelSpec, lang: str,
            generated: dt.datetime | None) -> list[str]:
    moment = generated or dt.datetime.now().astimezone()
    name = territory.name(lang) if territory is not None else "—"
    model_title = t(f"models.{spec.id}", lang, default=spec.id)
    version = t("report.model_version", lang, version=spec.version)
    c = _colon(lang)
    meta = (f"{_esc(t('report.generated', lang, date=_format_date(moment, lang)))} · "
            f"{_esc(t('report.territory', lang))}{c}<b>{_esc(name)}</b> · "
            f"{_esc(t('report.model', lang))}{c}{_esc(model_title)} "
            f'(<code class="model-id">{_esc(spec.id)}</code>, '
            f'<span class="model-version">{_esc(version)}</span>) · '
            f"{_esc(t('report.twin_version', lang))}{c}"
            f'<span class="twin-version">{_esc(_versions())}</span>')
    return [f"<h1>{_esc(title)}</h1>", f'<p class="meta">{meta}</p>']


# -- figures ----------------------------------------------------------------------------------
def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=_FIG_DPI)
    FigureCanvasAgg(fig)
    return fig


def _img(fig, alt: str) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_FIG_DPI, bbox_inches="tight")
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{_esc(alt)}">'


def _nice_length(span_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10^k m) near a fifth of ``span_m``."""
    target = max(span_m / 5, 1.0)
    power = 10 ** math.floor(math.log10(target))
    return max(m * power for m in (1, 2, 5) if m * power <= target)


def _scale_bar(ax, lang: str) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length(x1 - x0)
    bx, by = x0 + (x1 - x0) * 0.05, y0 + (y1 - y0) * 0.05
    ax.plot([bx, bx + length], [by, by], color="black", linewidth=3, solid_capstyle="butt")
    km = length / 1000
    label = t("report.scale", lang, km=format_value(km, 0 if km >= 1 else 1, lang))
    ax.text(bx + length / 2, by + (y1 - y0) * 0.015, label, ha="center", va="bottom",
            fontsize=8)
    ax.annotate("N", xy=(0.95, 0.95), xytext=(0.95, 0.83), xycoords="axes fraction",
                ha="center", va="center", fontsize=10, fontweight="bold",
                arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.5})


def _map_figure(result: Result, spec: ModelSpec, communes: Any, lang: str,
                vrange: tuple[float, float] | None, label: str | None = None) -> str | None:
    """The result's map layer coloured by ``spec.map_column`` over the commune outlines, in
    Lambert-93, as an <img> (None when the result has no such layer)."""
    import geopandas as gpd
    import pandas as pd

    layer = result.layers.get(spec.map_layer)
    if not isinstance(layer, gpd.GeoDataFrame) or layer.empty or \
            spec.map_column not in layer.columns:
        return None
    if layer.crs is not None and layer.crs.to_epsg() != 2154:
        layer = layer.to_crs(2154)
    fig = _figure(7.2, 5.6)
    ax = fig.add_subplot(1, 1, 1)
    title = t(f"maps.{spec.id}", lang, default=spec.map_column)
    name = t(f"series.{spec.map_column}", lang, default="")
    clabel = (f"{name}{_units_suffix(spec.map_units)}" if name
              else spec.map_units or spec.map_column)
    column = layer[spec.map_column]
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    geom_kind = layer.geom_type.iloc[0] if len(layer) else "Polygon"
    style: dict[str, Any] = {"markersize": 14} if geom_kind in ("Point", "MultiPoint") else {
        "edgecolor": "white", "linewidth": 0.2}
    if numeric:
        vmin, vmax = vrange if vrange else (None, None)
        legend: dict[str, Any] = {"label": clabel, "shrink": 0.75}
        if pd.api.types.is_integer_dtype(column) and vrange and vmax - vmin <= 10:
            legend["ticks"] = list(range(int(vmin), int(vmax) + 1))  # classes, e.g. 0 / 1 / 2
        layer.plot(ax=ax, column=spec.map_column, cmap="viridis", vmin=vmin, vmax=vmax,
                   legend=True, legend_kwds=legend,
                   missing_kwds={"color": "#dddddd", "label": "—"}, **style)
    else:
        layer.assign(_c=column.astype(str)).plot(
            ax=ax, column="_c", categorical=True, cmap="tab10", legend=True,
            legend_kwds={"title": clabel, "fontsize": 7, "loc": "lower right"}, **style)
    if communes is not None and len(communes):
        outline = communes.to_crs(2154) if communes.crs is not None and \
            communes.crs.to_epsg() != 2154 else communes
        x0, y0, x1, y1 = layer.total_bounds
        pad = max(x1 - x0, y1 - y0, 2_000) * 0.15
        outline = outline.cx[x0 - pad:x1 + pad, y0 - pad:y1 + pad]
        outline.boundary.plot(ax=ax, color="#555555", linewidth=0.5)
        ax.set_xlim(x0 - pad / 3, x1 + pad / 3)
        ax.set_ylim(y0 - pad / 3, y1 + pad / 3)
    ax.set_aspect("equal")
    ax.set_axis_off()
    label = result.label if label is None else label
    ax.set_title(f"{label} — {title}", fontsize=9)
    _scale_bar(ax, lang)
    return _img(fig, f"{label} — {clabel}")


def _series_units(spec: ModelSpec) -> list[str]:
    parts = [p.strip() for p in re.split(r"\s+[;·]\s+", spec.series_units or "")]
    if len(spec.series_y) > 1 and len(parts) == len(spec.series_y):
        return parts
    return [spec.series_units or ""] * len(spec.series_y)


def _series_figure(results: Sequence[Result], spec: ModelSpec, lang: str) -> str | None:
    """One line per scenario and series column; one panel per unit when units differ."""
    columns = [c for c in spec.series_y
               if any(r.series is not None and c in r.series for r in results)]
    if not columns:
        return None
    units = dict(zip(spec.series_y, _series_units(spec), strict=True))
    groups = list(dict.fromkeys(units[c] for c in columns))
    fig = _figure(7.6, 3.2 * len(groups))
    styles = ["-", "--", ":", "-."]
    for g, unit in enumerate(groups):
        ax = fig.add_subplot(len(groups), 1, g + 1)
        cols = [c for c in columns if units[c] == unit]
        for i, res in enumerate(results):
            if res.series is None or "year" not in res.series:
                continue
            for j, col in enumerate(cols):
                if col in res.series:
                    name = f"{res.label} — {t(f'series.{col}', lang, default=col)}"
                    ax.plot(res.series["year"], res.series[col], color=f"C{i % 10}",
                            linestyle=styles[j % len(styles)], marker="o", markersize=2.5,
                            label=name)
        ax.set_ylabel(unit)
        ax.set_xlabel(t("report.year", lang))
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    return _img(fig, t("report.chart", lang))


def _map_range(results: Sequence[Result], spec: ModelSpec) -> tuple[float, float] | None:
    import pandas as pd

    values = []
    for r in results:
        layer = r.layers.get(spec.map_layer)
        if isinstance(layer, pd.DataFrame) and spec.map_column in layer.columns and \
                pd.api.types.is_numeric_dtype(layer[spec.map_column]):
            values.append(pd.to_numeric(layer[spec.map_column], errors="coerce").to_numpy(float))
    if not values:
        return None
    data = np.concatenate(values)
    data = data[np.isfinite(data)]
    if not len(data):
        return None
    lo, hi = float(data.min()), float(data.max())
    return (lo, hi if hi > lo else lo + 1.0)


# -- scenario report --------------------------------------------------------------------------
def _params_of(scenarios: Sequence[Scenario], results: Sequence[Result]
               ) -> list[tuple[str, dict[str, Any], Scenario | None]]:
    """(label, params, scenario) per result. The scenario of the same label is used when it
    holds the parameters the result was computed with; otherwise (edited since, or missing) the
    report shows what was run, rebuilt from the result."""
    from twin_core.errors import TwinInputError

    by_label = {s.label: s for s in scenarios}
    out = []
    for r in results:
        ran = dict(r.scenario.get("params", {}))
        s = by_label.get(r.label)
        if s is None or s.to_dict().get("params") != ran:
            try:
                s = Scenario.from_dict(r.scenario, source=f"result {r.label}")
            except TwinInputError:
                s = None
        params = {n: getattr(s, n) for n in s.user_params()} if s is not None else ran
        out.append((r.label, params, s))
    return out


def _parameter_table(entries, scenario_class: type[Scenario], lang: str) -> str:
    labels = [e[0] for e in entries]
    names = list(dict.fromkeys(
        [n for n in scenario_class.user_params() if any(n in e[1] for e in entries)]
        + [n for e in entries for n in e[1]]))
    units = getattr(scenario_class, "units", {}) or {}
    head = "".join(f"<th>{_esc(lb)}</th>" for lb in labels)
    rows = []
    for n in names:
        label = _param_label(n, units.get(n, ""), lang)
        cells = "".join(f'<td class="num" data-param="{_esc(n)}">'
                        f"{_esc(_format_param(e[1].get(n), lang))}</td>" for e in entries)
        rows.append(f"<tr><th>{_esc(label)}</th>{cells}</tr>")
    warming = []
    for e in entries:
        s = e[2]
        try:
            warming.append(format_value(s.warming, 1, lang) if s is not None else "—")
        except (ValueError, TypeError):
            warming.append("—")
    rows.append(f"<tr><th>{_esc(t('report.warming_row', lang))} (°C)</th>"
                + "".join(f'<td class="num">+{_esc(w)}</td>' if w != "—" else "<td>—</td>"
                          for w in warming) + "</tr>")
    return (f'<table class="twin-report-params"><tr><th>{_esc(t("report.parameter", lang))}'
            f"</th>{head}</tr>{''.join(rows)}</table>")


def _indicator_table(results: Sequence[Result], reference: str | None, lang: str,
                     inds: dict[str, Indicator]) -> tuple[str, str]:
    table = compare(results, reference=reference, lang=lang)
    ref = str(table["reference"].iloc[0]) if not table.empty else ""
    wtable = wide(table)
    labels = [r.label for r in results]
    deltas = [c for c in wtable.columns
              if c not in ("indicator", "label", "units", "evidence", "synthetic", *labels)]
    detail = table[table["scenario"] == ref].set_index("indicator")["evidence_detail"]
    head = (f"<th>{_esc(t('report.indicator', lang))}</th><th>{_esc(t('report.units', lang))}"
            "</th>" + "".join(f"<th>{_esc(lb)}</th>" for lb in labels)
            + "".join(f"<th>{_esc(c)}</th>" for c in deltas)
            + f"<th>{_esc(t('evidence.column', lang))}</th>")
    rows = []
    for row in wtable.to_dict("records"):
        ind = inds.get(row["indicator"])
        d = ind.decimals if ind else 1
        marks = rank([row[lb] for lb in labels], ind.higher_is_better if ind else None, d) \
            if len(labels) > 1 else [""] * len(labels)
        cells = "".join(
            f'<td class="num {m}" data-scenario="{_esc(lb)}">'
            f"{_esc(format_value(row[lb], d, lang))}{_mark(m, lang)}</td>"
            for lb, m in zip(labels, marks, strict=True))
        for c in deltas:
            v = row[c]
            sign = "+" if isinstance(v, float) and v > 0 else ""
            cells += f'<td class="num delta">{_esc(sign + format_value(v, d, lang))}</td>'
        badge = t(f"evidence.level_{row['evidence']}", lang) + (
            " · " + t("evidence.synthetic_short", lang) if row["synthetic"] else "")
        cells += (f'<td class="evidence" data-level="{_esc(row["evidence"])}">{_esc(badge)}'
                  f'<div class="evidence-detail">{_esc(detail.get(row["indicator"], ""))}'
                  "</div></td>")
        rows.append(f'<tr data-indicator="{_esc(row["indicator"])}"><th>{_esc(row["label"])}'
                    f'</th><td>{_esc(row["units"])}</td>{cells}</tr>')
    html_table = (f'<table class="twin-report-indicators"><tr>{head}</tr>{"".join(rows)}'
                  "</table>")
    return html_table, ref


def _scenario_json(scenario: Scenario | None, result: Result, lang: str) -> str:
    if scenario is not None:
        text = scenario.to_json()
    else:
        import json

        text = json.dumps(result.scenario, ensure_ascii=False, indent=2, default=str)
    data = base64.b64encode(text.encode("utf-8")).decode("ascii")
    safe_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", result.label)[:40] or "scenario"
    return (f"<h3>{_esc(t('report.scenario_json', lang, label=result.label))}</h3>"
            f'<p><a download="scenario_{_esc(result.model_id)}_{_esc(safe_name)}.json" '
            f'href="data:application/json;base64,{data}">'
            f"{_esc(t('report.download_json', lang))}</a></p>"
            f'<pre class="scenario-json">{_esc(text)}</pre>')


def scenario_report(model_id: str, territory_id: str, scenarios: list[Scenario],
                    results: list[Result], lang: str = "fr", reference: str | None = None,
                    generated: dt.datetime | None = None,
                    ensembles: dict[str, Any] | None = None) -> str:
    """A self-contained HTML report comparing ``results`` (one per scenario): parameters,
    indicators with Δ to ``reference`` (default: the first), with ``ensembles`` (scenario
    label -> ``twin_core.ensemble`` result) the median and 5-95 % band of each indicator and
    its main driver, a map per scenario, the time series, data sources (synthetic layers
    marked), versions and each scenario's JSON."""
    from twin_core.models.registry import get_model

    if not results:
        raise ValueError("scenario_report() needs at least one result")
    spec = get_model(model_id).spec
    territory = _load_territory(territory_id)
    inds = {i.id: i for i in indicators_for(model_id)}
    model_title = t(f"models.{spec.id}", lang, default=spec.id)
    title = t("report.scenario_title", lang, model=model_title)
    body = _header(title, territory, spec, lang, generated)
    synthetic = _synthetic_names(results)
    body.append(_synthetic_banner(synthetic, lang))
    entries = _params_of(scenarios, results)
    body.append(f"<h2>{_esc(t('report.parameters', lang))}</h2>")
    body.append(_parameter_table(entries, spec.scenario_class, lang))
    table, ref = _indicator_table(results, reference, lang, inds)
    body.append(f"<h2>{_esc(t('report.indicators', lang))}</h2>")
    if len(results) > 1:
        body.append(f'<p class="small">{_esc(t("report.reference", lang, label=ref))} '
                    f'{_esc(t("report.ranking_legend", lang))}</p>')
    body.append(table)
    if ensembles:
        body.extend(_uncertainty_section(ensembles, inds, lang))
    # maps
    body.append(f"<h2>{_esc(t('report.maps', lang))}</h2>")
    communes = territory.layer("communes") if territory.has_layer("communes") else None
    vrange = _map_range(results, spec)
    map_title = t(f"maps.{spec.id}", lang, default=spec.map_column)
    for r in results:
        img = _map_figure(r, spec, communes, lang, vrange) if spec.map_layer else None
        if img is None:
            note = t("report.no_map", lang, layer=spec.map_layer, label=r.label)
            body.append(f'<p class="small">{_esc(note)}</p>')
            continue
        caption = t("report.map_caption", lang, label=r.label, title=map_title)
        body.append(f'<figure class="twin-report-map">{img}'
                    f"<figcaption>{_esc(caption)}</figcaption></figure>")
    # time series
    body.append(f"<h2>{_esc(t('report.chart', lang))}</h2>")
    chart = _series_figure(results, spec, lang)
    body.append(f'<figure class="twin-report-chart">{chart}</figure>' if chart else
                f'<p class="small">{_esc(t("report.no_series", lang))}</p>')
    # sources and traceability
    body.extend(_sources_section(territory, spec, synthetic, lang))
    body.append(_traceability(spec, territory, lang, sorted({r.model_version for r in results})))
    for (_, _, s), r in zip(entries, results, strict=True):
        body.append(_scenario_json(s, r, lang))
    return _page(title, body, lang)


def _uncertainty_section(ensembles: dict[str, Any], inds: dict[str, Indicator], lang: str
                         ) -> list[str]:
    """Median [5 % – 95 %] of every indicator per scenario, the number of draws, and the input
    that drives each indicator's spread most (|Spearman ρ| of the first scenario's draws)."""
    labels = list(ensembles)
    summaries = {k: e.summary().set_index("indicator") for k, e in ensembles.items()}
    first = ensembles[labels[0]]
    drivers = first.sensitivity().query("rank == 1 and abs_spearman > 0").set_index("indicator")
    head = (f"<th>{_esc(t('report.indicator', lang))}</th>"
            + "".join(f"<th>{_esc(k)}</th>" for k in labels)
            + f"<th>{_esc(t('report.main_driver', lang, label=labels[0]))}</th>")
    rows = []
    for ind_id, ind in inds.items():
        if not all(ind_id in s.index for s in summaries.values()):
            continue
        cells = ""
        for k in labels:
            row = summaries[k].loc[ind_id]
            cells += (f'<td class="num">{_esc(format_value(row["median"], ind.decimals, lang))}'
                      f' [{_esc(format_value(row["p05"], ind.decimals, lang))} – '
                      f'{_esc(format_value(row["p95"], ind.decimals, lang))}]</td>')
        driver = ""
        if ind_id in drivers.index:
            name = str(drivers.loc[ind_id, "input"])
            rho = format_value(drivers.loc[ind_id, "abs_spearman"], 2, lang)
            driver = f"{t(f'params.{name}', lang, default=name)} (|ρ| {rho})"
        rows.append(f"<tr><th>{_esc(ind.label(lang))}{_esc(_units_suffix(ind.units))}</th>"
                    f"{cells}<td>{_esc(driver)}</td></tr>")
    draws = ", ".join(f"{k}: {len(e.values)}" for k, e in ensembles.items())
    return [f"<h2>{_esc(t('report.uncertainty', lang))}</h2>",
            f'<p class="small">{_esc(t("report.uncertainty_note", lang, draws=draws))}</p>',
            f'<table class="twin-report-uncertainty"><tr>{head}</tr>{"".join(rows)}</table>']


# -- workshop report --------------------------------------------------------------------------
def _as_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _format_submitted(raw: Any, lang: str) -> str:
    try:
        return _format_date(dt.datetime.fromisoformat(str(raw)), lang)
    except ValueError:
        return str(raw or "—")


def workshop_report(title: str, model_id: str, territory_id: str, proposals: list[dict],
                    lang: str = "fr", generated: dt.datetime | None = None,
                    results: list[Result] | None = None) -> str:
    """A self-contained HTML report of a workshop: the participants' proposals side by side
    (indicators as columns, best and worst marked), their parameters, sources and versions,
    and with ``results`` (one per proposal, same order) a map of each proposal on one scale.

    Each proposal is ``{"name", "params", "values", "submitted_at"}``; names, parameters and
    values are untrusted and escaped (non-numeric values show as —).
    """
    from twin_core.models.registry import get_model

    spec = get_model(model_id).spec
    territory = _load_territory(territory_id)
    body = _header(title, territory, spec, lang, generated)
    intro = t("report.workshop_intro", lang, territory=territory.name(lang),
              model=t(f"models.{spec.id}", lang, default=spec.id), version=spec.version,
              n=len(proposals))
    body.append(f"<p>{_esc(intro)}</p>")
    synthetic = [n.removesuffix("_synthetic") for n in spec.layers if territory.is_synthetic(n)]
    body.append(_synthetic_banner(synthetic, lang))
    names = [str(p.get("name", "")) for p in proposals]
    values = [p.get("values") if isinstance(p.get("values"), dict) else {} for p in proposals]
    inds = [i for i in indicators_for(model_id) if any(i.id in v for v in values)]
    body.append(f"<h2>{_esc(t('report.proposals', lang))}</h2>")
    if not proposals:
        body.append(f"<p>{_esc(t('report.no_proposals', lang))}</p>")
    else:
        body.append(f'<p class="small">{_esc(t("report.ranking_legend_rows", lang))}</p>')
        marks = {i.id: rank([_as_float(v.get(i.id)) for v in values], i.higher_is_better,
                            i.decimals) for i in inds}
        for first in range(0, len(inds), WORKSHOP_COLUMNS):  # a printable width per table
            chunk = inds[first:first + WORKSHOP_COLUMNS]
            head = (f"<th>{_esc(t('report.participant', lang))}</th>"
                    f"<th>{_esc(t('report.submitted', lang))}</th>"
                    + "".join(f'<th data-indicator="{_esc(i.id)}">{_esc(i.label(lang))}'
                              f"{_esc(_units_suffix(i.units))}</th>" for i in chunk))
            rows = []
            for k, (name, vals, prop) in enumerate(zip(names, values, proposals, strict=True)):
                cells = "".join(
                    f'<td class="num {marks[i.id][k]}" data-indicator="{_esc(i.id)}">'
                    f"{_esc(format_value(_as_float(vals.get(i.id)), i.decimals, lang))}"
                    f"{_mark(marks[i.id][k], lang)}</td>" for i in chunk)
                rows.append(f'<tr data-proposal="{k}"><th>{_esc(name)}</th>'
                            f"<td>{_esc(_format_submitted(prop.get('submitted_at'), lang))}"
                            f"</td>{cells}</tr>")
            body.append(f'<div class="scroll"><table class="wide twin-report-proposals"><tr>'
                        f"{head}</tr>{''.join(rows)}</table></div>")
        # parameters
        params = [p.get("params") if isinstance(p.get("params"), dict) else {}
                  for p in proposals]
        cls = spec.scenario_class
        units = getattr(cls, "units", {}) or {}
        pnames = list(dict.fromkeys([n for n in cls.user_params() if any(n in p for p in params)]
                                    + [str(n) for p in params for n in p]))
        head = f"<th>{_esc(t('report.parameter', lang))}</th>" + "".join(
            f'<th data-proposal="{k}">{_esc(name)}</th>' for k, name in enumerate(names))
        rows = []
        for n in pnames:
            shown = [_format_param(p.get(n), lang) for p in params]
            differs = ' class="differs"' if len(set(shown)) > 1 else ""
            cells = "".join(f'<td class="num" data-param="{_esc(n)}">{_esc(v)}</td>'
                            for v in shown)
            rows.append(f"<tr{differs}><th>{_esc(_param_label(n, units.get(n, ''), lang))}</th>"
                        f"{cells}</tr>")
        body.append(f"<h2>{_esc(t('report.proposal_params', lang))}</h2>")
        body.append(f'<p class="small">{_esc(t("report.params_differ", lang))}</p>')
        body.append(f'<div class="scroll"><table class="twin-report-params"><tr>{head}</tr>'
                    f"{''.join(rows)}</table></div>")
        if results:
            communes = territory.layer("communes") if territory.has_layer("communes") else None
            vrange = _map_range(results, spec)
            figures = [_map_figure(r, spec, communes, lang, vrange, label=name)
                       for r, name in zip(results, names, strict=True)]
            if any(figures):
                body.append(f"<h2>{_esc(t('report.proposal_maps', lang))}</h2>")
                body.extend(f'<figure class="map">{f}</figure>' for f in figures if f)
    body.extend(_sources_section(territory, spec, synthetic, lang))
    body.append(_traceability(spec, territory, lang))
    return _page(title, body, lang, landscape=True)


# -- PDF --------------------------------------------------------------------------------------
def pdf_converter() -> str | None:
    """The headless browser used for PDF: $TWIN_CHROMIUM (empty: none), else Chromium/Chrome
    on the PATH, else /usr/bin/chromium; None when there is none."""
    env = os.environ.get("TWIN_CHROMIUM")
    if env is not None:
        if not env.strip():
            return None
        found = shutil.which(env)
        return found or (env if Path(env).is_file() and os.access(env, os.X_OK) else None)
    for name in _CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return _DEFAULT_CHROMIUM if os.access(_DEFAULT_CHROMIUM, os.X_OK) else None


def html_to_pdf(html_text: str, out: Path, timeout: float = PDF_TIMEOUT_S) -> Path | None:
    """Print ``html_text`` to the PDF ``out`` with headless Chromium; None if no converter.

    The PDF is written atomically (never half-written); raises PdfConversionError when the
    converter fails, times out or produces no PDF.
    """
    exe = pdf_converter()
    if exe is None:
        return None
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="twin-report-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html_text, encoding="utf-8")
        with atomic_path(out) as target:
            cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update",
                   "--disable-sync", "--disable-extensions", "--disable-dev-shm-usage",
                   f"--user-data-dir={Path(tmp) / 'profile'}", f"--print-to-pdf={target}",
                   "--no-pdf-header-footer", "--print-to-pdf-no-header", page.as_uri()]
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
            try:
                _, err = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                raise PdfConversionError(
                    f"PDF converter {exe} did not finish within {timeout:g} s") from None
            finally:
                _kill_group(proc)  # helpers Chromium may leave behind
            ok = target.exists() and target.stat().st_size > 0
            if ok:
                with open(target, "rb") as fh:
                    ok = fh.read(5) == b"%PDF-"
            if proc.returncode != 0 or not ok:
                tail = [ln for ln in err.decode("utf-8", "replace").splitlines()
                        if "dbus" not in ln][-5:]
                raise PdfConversionError(
                    f"PDF converter {exe} failed (exit code {proc.returncode}"
                    f"{', no PDF written' if not ok else ''}): " + " | ".join(tail))
    return out


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()
