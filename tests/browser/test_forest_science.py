"""Forest science in a real browser (issue 13): a comparison of +2 °C (A) and +4 °C (B) opened
from a link shows more unsuitable fir, spruce and beech (EU-Trees4F) at +4 °C, with the badge
"validé", and both humidity bounds of the fire-danger days."""

from __future__ import annotations

import json
from urllib.parse import quote

from tests.browser.helpers import number, open_page, wait_until

EUTREES = '[data-indicator="forest.eutrees_unsuitable_pct"]'


def _values(page, indicator: str) -> list[float]:
    cells = page.locator(f'[data-indicator="{indicator}"] .twin-value')
    return [number(cells.nth(i).inner_text()) for i in range(cells.count())]


def test_eu_trees4f_species_less_suitable_at_plus_4(offline_page, server):
    page = offline_page
    scenarios = [{"label": "A", "warming_source": "custom", "custom_warming": 2.0},
                 {"label": "B", "warming_source": "custom", "custom_warming": 4.0}]
    open_page(page, f"{server}/forest?scenarios={quote(json.dumps(scenarios))}")
    card = page.locator(EUTREES).first
    card.wait_for()
    wait_until(page, lambda: page.locator(f"{EUTREES} .twin-value").count() == 2, "A and B")
    at_2, at_4 = _values(page, "forest.eutrees_unsuitable_pct")
    assert at_4 > at_2
    badge = card.locator(".twin-evidence")
    assert badge.inner_text().strip() == "validé"
    assert "EU-Trees4F" in badge.get_attribute("title")
    # fire danger under both humidity rules: the dry bound is never below the humid one
    dry = _values(page, "forest.days_fwi_threshold")
    humid = _values(page, "forest.days_fwi_threshold_rh")
    assert len(dry) == len(humid) == 2 and all(d >= h for d, h in zip(dry, humid, strict=True))
    assert "Nice" in page.locator('[data-indicator="forest.days_fwi_threshold"] .twin-evidence'
                                  ).first.get_attribute("title")  # the baseline station
    assert page.console_errors == []
