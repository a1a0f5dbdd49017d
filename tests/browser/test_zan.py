"""ZAN page in a browser: raising density lowers the land take shown against the envelope;
the commune selector, the per-commune table and the printable summary work offline."""

from __future__ import annotations

from tests.browser.helpers import number, wait_until

CONSUMPTION = '[data-indicator="zan.projected_2021_2031_ha"] .twin-value'
USED = '[data-indicator="zan.budget_used_pct"] .twin-value'
ENVELOPE = '[data-indicator="zan.envelope_ha"] .twin-value'


def first_value(page, selector: str) -> float:
    page.locator(selector).first.wait_for()
    return number(page.locator(selector).first.inner_text())


def test_density_lowers_consumption_against_envelope(offline_page, server, tmp_path):
    page = offline_page
    page.goto(f"{server}/zan")
    page.wait_for_selector(".twin-header", state="attached")
    before, used_before = first_value(page, CONSUMPTION), first_value(page, USED)
    envelope = first_value(page, ENVELOPE)
    handle = page.locator(".twin-param-density .noUi-handle").first
    handle.focus()
    for _ in range(10):  # 15 → 25 dwellings/ha
        handle.press("ArrowRight")
    wait_until(page, lambda: first_value(page, CONSUMPTION) < before, "lower consumption")
    assert first_value(page, USED) < used_before
    assert first_value(page, ENVELOPE) == envelope  # the envelope does not depend on density
    # the commune selector and the printable summary
    page.locator(".twin-zan-commune select").first.select_option(label="Ambléon (01006)")
    path = tmp_path / "synthese.html"
    with page.expect_download(timeout=30_000) as dl:
        page.locator(".twin-zan-summary button").first.click()
    dl.value.save_as(path)
    text = path.read_text("utf-8")
    assert "Sobriété foncière (ZAN)" in text and "logements/ha" in text and "Ambléon" in text
    assert page.console_errors == []
