"""One-click report in a browser: the coast page's "Rapport (HTML)" downloads a self-contained
report with the indicator table; "Rapport (PDF)" a PDF when Chromium is on the server."""

from __future__ import annotations

import re

from tests.browser.helpers import open_page
from twin_core.report import pdf_converter


def download(page, selector: str, path) -> None:
    """Click a FileDownload button once and save what it sends."""
    with page.expect_download(timeout=60_000) as dl:
        page.locator(f"{selector} button").first.click()
    dl.value.save_as(path)


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
