"""The workspace's one-click report downloads: HTML always, PDF when a converter is installed."""

from __future__ import annotations

import io
import logging
import tempfile
from pathlib import Path
from typing import Any

import panel as pn

from twin_core.i18n import t
from twin_core.report import html_to_pdf, pdf_converter, scenario_report

log = logging.getLogger(__name__)


def _report_html(ws: Any) -> str:
    return scenario_report(ws.model_id, ws.territory_id, list(ws.scenarios), list(ws.results),
                           lang=ws.lang, reference=ws.reference,
                           ensembles=dict(ws.ensembles) or None)


def report_downloads(ws: Any) -> list[pn.widgets.FileDownload]:
    """Two buttons for a ScenarioWorkspace ``ws``: "Rapport (HTML)" and "Rapport (PDF)" (the
    latter disabled, with a note, when no converter is installed)."""
    stem = f"{t('report.file_stem', ws.lang)}_{ws.model_id}"

    def as_html() -> io.BytesIO:
        try:
            return io.BytesIO(_report_html(ws).encode("utf-8"))
        except Exception as exc:
            log.exception("HTML report of %s failed", ws.model_id)
            ws._show_error(t("app.internal_error", ws.lang, detail=type(exc).__name__))
            raise

    def as_pdf() -> io.BytesIO:
        try:
            with tempfile.TemporaryDirectory(prefix="twin-pdf-") as tmp:
                path = html_to_pdf(_report_html(ws), Path(tmp) / "report.pdf")
                if path is None:
                    raise RuntimeError("no PDF converter")
                return io.BytesIO(path.read_bytes())
        except Exception as exc:
            log.exception("PDF report of %s failed", ws.model_id)
            ws._show_error(t("app.internal_error", ws.lang, detail=type(exc).__name__))
            raise

    html_button = pn.widgets.FileDownload(
        callback=as_html, filename=f"{stem}.html", label=t("report.html_button", ws.lang),
        css_classes=["twin-report-html"])
    available = pdf_converter() is not None
    pdf_button = pn.widgets.FileDownload(
        callback=as_pdf, filename=f"{stem}.pdf", label=t("report.pdf_button", ws.lang),
        css_classes=["twin-report-pdf"], disabled=not available,
        description=None if available else t("report.pdf_unavailable", ws.lang))
    return [html_button, pdf_button]
