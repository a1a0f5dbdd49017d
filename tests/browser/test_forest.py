"""Forest page in a real browser: loads cleanly with its map (status legend), daily IFM chart
and per-species table; choosing +4 °C instead of +2 °C (custom warming of scenario A, keyboard
only) raises the unsuitable area shown on the cards."""

from __future__ import annotations

from tests.browser.helpers import number, url_param, wait_until

CARD = '[data-indicator="forest.unsuitable_pct"] .twin-value'




def unsuitable_a(page) -> float:
    cell = page.locator(CARD).first
    cell.wait_for()
    return number(cell.inner_text())






def test_forest_plus_4_instead_of_plus_2_raises_unsuitable_area(offline_page, server):
    page = offline_page
    page.goto(f"{server}/forest")
    page.wait_for_selector(".twin-header", state="attached")
    start = unsuitable_a(page)
    # the page's own views: species table, IFM chart, map with the status legend
    page.locator(".twin-forest-species table").first.wait_for()
    page.locator(".twin-forest-fwi").first.wait_for(state="attached")
    page.locator(".bk-Canvas, canvas").first.wait_for(state="attached")
    assert page.console_errors == []

    page.locator(".twin-param-warming_source select").first.select_option(index=1)  # custom
    wait_until(page, lambda: url_param(page, "warming_source") == "custom", "custom warming")
    handle = page.locator(".twin-param-custom_warming .noUi-handle").first
    handle.focus()
    handle.press("PageDown")  # noUiSlider: 5 steps of 0.1 °C, 2.7 → 2.2 °C
    handle.press("ArrowLeft")
    handle.press("ArrowLeft")
    wait_until(page, lambda: abs((url_param(page, "custom_warming") or 0) - 2.0) < 1e-6,
               "+2.0 °C in the URL")
    wait_until(page, lambda: unsuitable_a(page) != start or start == 0.0, "cards at +2 °C")
    page.wait_for_timeout(500)
    at_2 = unsuitable_a(page)
    for _ in range(4):  # 2.0 → 4.0 °C
        handle.press("PageUp")
    wait_until(page, lambda: abs((url_param(page, "custom_warming") or 0) - 4.0) < 1e-6,
               "+4.0 °C in the URL")
    wait_until(page, lambda: unsuitable_a(page) != at_2, "cards at +4 °C")
    at_4 = unsuitable_a(page)
    assert at_4 > at_2
    assert page.console_errors == []


def test_clicking_the_map_moves_the_ignition_point(offline_page, server):
    page = offline_page
    page.goto(f"{server}/forest")
    page.wait_for_selector(".twin-header", state="attached")
    page.locator('[data-indicator="forest.crown_fire_ha"] .twin-value').first.wait_for()
    from twin_core.models.registry import get_model

    defaults = get_model("forest.climate_risk").scenario_class()
    before = (defaults.ignition_x, defaults.ignition_y)
    canvas = page.locator(".bk-Canvas, canvas").first
    canvas.wait_for(state="attached")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.55)
    wait_until(page, lambda: url_param(page, "ignition_x") is not None
               and (url_param(page, "ignition_x"), url_param(page, "ignition_y")) != before,
               "the ignition point to follow the click")
    assert page.console_errors == []
