"""The coast page's dike upload: a GeoPackage (or GeoJSON) of today's defences, checked by the
``dikes`` layer schema and against the territory (twin_core.territory.create.check_report), then
used for this browser session's runs only — a session copy of the territory
(twin_core.territory.session_territory), nothing written into the sample's folder."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import panel as pn

from twin_core.errors import TwinInputError
from twin_core.i18n import t

#: Files the upload accepts (read by twin_core.territory.create.read_any).
SUFFIXES = (".gpkg", ".geojson", ".json")


def _k(key: str, lang: str, **kw) -> str:
    return t(f"coast_page.{key}", lang, **kw)


def load_dikes(ws, data: bytes, filename: str) -> tuple[bool, str]:
    """Check ``data`` (the uploaded file) as the ``dikes`` layer of the page's territory; on
    success the workspace runs on a session copy of the territory with it. Returns (accepted,
    the Markdown report shown under the widget)."""
    from dashboards.shell import runner
    from twin_core.territory import session_territory
    from twin_core.territory.create import check_report

    lang = ws.lang
    name = Path(filename or "dikes.gpkg").name
    base_id = getattr(ws, "_coast_base_territory", None) or ws.territory_id
    where = name
    try:
        suffix = Path(name).suffix.lower()
        if suffix not in SUFFIXES:
            raise TwinInputError("unsupported_format", name, suffix=suffix or "(none)")
        if not data:
            raise TwinInputError("empty_layer", name, layer="dikes")
        base = runner.territory(base_id)
        with tempfile.TemporaryDirectory(prefix="twin-dikes-") as tmp:
            path = Path(tmp) / name
            where = str(path)
            path.write_bytes(data)
            dikes, _ = check_report(base.root, "dikes", path)
        for problem in _outside(base, dikes):
            raise problem
    except TwinInputError as exc:
        message = exc.message(lang).replace(where, name)  # the user's file, not a temp path
        return False, _k("dikes_refused", lang, file=name, message=message)
    label = hashlib.sha1(data).hexdigest()[:12]
    key, territory = session_territory(base, "dikes", dikes, label)
    ws._coast_base_territory = base_id
    ws.territory_id = key
    ws.territory = territory
    ws.refresh()
    return True, _k("dikes_loaded", lang, file=name, report=summary(dikes, lang))


def summary(dikes, lang: str) -> str:
    """Number of lines, length and crest range of a dike layer, in words."""
    from twin_core.i18n import format_number

    crest = dikes["crest_m"].astype(float)
    return _k("dikes_summary", lang, n=len(dikes),
              km=format_number(float(dikes.length.sum()) / 1e3, lang, decimals=1),
              lo=format_number(float(crest.min()), lang, decimals=2),
              hi=format_number(float(crest.max()), lang, decimals=2))


def _outside(base, dikes) -> list[TwinInputError]:
    """The model's own check of a dike layer (inside the DEM), before it is used."""
    import shapely

    x0, y0, x1, y1 = base.layer("dem").rio.bounds()
    if not dikes.intersects(shapely.box(x0, y0, x1, y1)).all():
        return [TwinInputError("dike_outside", "dikes")]
    return []


def dike_upload(ws) -> pn.viewable.Viewable:
    """The upload widget and its report, built once per workspace (the page's views around it
    are rebuilt after each run)."""
    panel = getattr(ws, "_coast_dikes_panel", None)
    if panel is not None:
        return panel
    lang = ws.lang
    upload = pn.widgets.FileInput(accept=",".join(SUFFIXES), multiple=False,
                                  label=_k("dikes_upload", lang),
                                  css_classes=["twin-dikes-upload"])
    report = pn.pane.Markdown("", css_classes=["twin-dikes-report"], sizing_mode="stretch_width")

    def on_upload(event) -> None:
        if not event.new:
            return
        ok, text = load_dikes(ws, event.new, upload.filename or "dikes.gpkg")
        report.object = text
        report.css_classes = ["twin-dikes-report", "twin-dikes-ok" if ok else "twin-dikes-error"]

    upload.param.watch(on_upload, "value")
    panel = pn.Column(
        pn.pane.Markdown(f"#### {_k('dikes_upload_title', lang)}\n\n"
                         f"**{_k('dikes_upload', lang)}** — {_k('dikes_upload_help', lang)}"),
        upload, report, css_classes=["twin-coast-dikes"], sizing_mode="stretch_width")
    ws._coast_dikes_panel = panel
    return panel


def flood_note(ws) -> str:
    """The note above the per-commune table: an upper bound without defences when the
    territory has no dike layer, else what the loaded dikes are."""
    territory = ws.territory
    if not territory.has_layer("dikes"):
        return _k("flood_upper_bound", ws.lang)
    return _k("flood_defended", ws.lang, report=summary(territory.layer("dikes"), ws.lang))
