"""Coast page in a real browser: loads cleanly with its map, cards and per-commune table; the
horizon slider of scenario A (keyboard only) moves the homes at risk the right way."""

from __future__ import annotations

from tests.browser.helpers import number, url_param, wait_until

HOMES = ("coast.dwellings_retreat", "coast.dwellings_flooded")




def homes_a(page) -> float:
    """Homes at risk of scenario A shown on the cards: in the retreat band + flooded."""
    total = 0.0
    for ind in HOMES:
        cell = page.locator(f'[data-indicator="{ind}"] .twin-value').first
        cell.wait_for()
        total += number(cell.inner_text())
    return total






def test_coast_horizon_2030_to_2100_increases_homes_at_risk(offline_page, server):
    page = offline_page
    page.goto(f"{server}/coast")
    page.wait_for_selector(".twin-header", state="attached")
    start = homes_a(page)
    # the page's own views: the damage/option cards, the per-commune table, the map canvas
    page.locator('[data-indicator="coast.benefit_cost_ratio"]').first.wait_for()
    page.locator(".twin-coast-communes table").first.wait_for()
    page.locator(".bk-Canvas, canvas").first.wait_for(state="attached")
    page.wait_for_timeout(1000)
    assert page.console_errors == []

    handle = page.locator(".twin-param-horizon .noUi-handle").first
    handle.focus()
    handle.press("Home")
    wait_until(page, lambda: url_param(page, "horizon") == 2030, "horizon 2030 in the URL")
    wait_until(page, lambda: homes_a(page) != start, "cards at 2030")
    at_2030 = homes_a(page)
    assert at_2030 < start  # the default horizon is 2050

    handle.press("End")
    wait_until(page, lambda: url_param(page, "horizon") == 2100, "horizon 2100 in the URL")
    wait_until(page, lambda: homes_a(page) != at_2030, "cards at 2100")
    at_2100 = homes_a(page)
    assert at_2100 > at_2030
    assert page.console_errors == []
