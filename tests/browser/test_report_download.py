"""One-click report in a browser: the coast page's "Rapport (HTML)" downloads a self-contained
report with the indicator table; "Rapport (PDF)" a PDF when Chromium is on the server."""

from __future__ import annotations

import re

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.helpers import open_page
from twin_core.report import pdf_converter


def download(page, selector: str, path) -> None:
    """Click a FileDownload button and save what it sends (a click landing during a re-render
    can be lost: retry)."""
    for attempt in range(3):
        try:
            with page.expect_download(timeout=60_000) as dl:
                page.locator(f"{selector} button").first.click()
            dl.value.save_as(path)
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise


def test_coast_report_downloads(offline_page, server, tmp_path):
    page = offline_page
    open_page(page, f"{server}/coast")
    page.locator('[data-indicator="coast.ead_meur"] .twin-value').first.wait_for()
    path = tmp_path / "rapport.html"
    download(page, ".twin-report-html", path)
    text = path.read_text("utf-8")
    assert 'class="twin-report-indicators"' in text
    assert 'data-indicator="coast.ead_meur"' in text and "Dommage annuel moyen" in text
    assert text.count('class="twin-report-map"') == 2 and "SYNTHÉTIQUE" in text
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", text)
    if pdf_converter() is not None:
        pdf = tmp_path / "rapport.pdf"
        download(page, ".twin-report-pdf", pdf)
        assert pdf.read_bytes().startswith(b"%PDF")
    assert page.console_errors == []
