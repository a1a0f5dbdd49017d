"""Headline first, in a real browser: each use-case page opens on its model's headline cards
(``HEADLINE`` in the model module) in their declared order; the folded "Tous les indicateurs"
section opens and holds every other indicator as a card; the advanced parameters are folded;
numbers read in French in the table and on the cards."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import open_page
from twin_core.headline import headline_ids
from twin_core.indicators import indicators_for

PAGES = {"coast": "coast.risk", "forest": "forest.climate_risk",
         "agriculture": "agriculture.nitrate_water", "zan": "zan.trajectory"}
#: A French number: groups of three digits split by a narrow no-break space, a decimal comma.
FRENCH = re.compile(r"^-?\d{1,3}(\u202f\d{3})*(,\d+)?$")


def indicator_ids(locator) -> list[str]:
    return [locator.nth(i).get_attribute("data-indicator") for i in range(locator.count())]


@pytest.mark.parametrize("route", list(PAGES))
def test_headline_cards_then_all_indicators(offline_page, server, route):
    page = offline_page
    model_id = PAGES[route]
    open_page(page, f"{server}/{route}")
    headline = page.locator(".twin-headline .twin-card")
    headline.first.wait_for()
    assert indicator_ids(headline) == list(headline_ids(model_id))
    assert 4 <= headline.count() <= 7
    for i in range(headline.count()):
        assert headline.nth(i).is_visible()
    if route == "forest":  # EU-Trees4F is a validated source; the dieback fit has no skill
        eutrees = page.locator('[data-indicator="forest.eutrees_unsuitable_pct"] .twin-evidence')
        assert eutrees.first.inner_text().strip() == "validé"
        assert page.locator(".twin-headline .twin-no-finding").first.is_visible()
    # the others: folded, then opened
    others = page.locator(".twin-all-cards .twin-card")
    rest = [i.id for i in indicators_for(model_id) if i.id not in headline_ids(model_id)]
    assert indicator_ids(others) == rest
    assert not others.first.is_visible()
    page.locator(".twin-all-indicators .card-header").first.click()
    others.first.wait_for()
    assert others.last.is_visible()
    # advanced parameters folded under their own section in the scenario panel
    advanced = page.locator(".twin-scenario-A .twin-advanced")
    assert advanced.count() == 1
    assert not page.locator(".twin-scenario-A .twin-advanced .noUi-handle").first.is_visible()
    assert page.console_errors == []


def test_numbers_in_french_in_the_table_and_on_the_cards(offline_page, server):
    page = offline_page
    open_page(page, f"{server}/coast")
    value = page.locator('[data-indicator="coast.residents_flooded"] .twin-value').first
    value.wait_for()
    assert FRENCH.match(value.inner_text().strip()), value.inner_text()
    table = page.locator(".twin-table table").first
    table.wait_for()
    cells = [c.strip() for c in table.locator("tbody td").all_inner_texts()]
    numbers = [c for c in cells if re.fullmatch(r"[-\d\s\u202f\u00a0.,]+", c) and c]
    assert numbers and all(FRENCH.match(c) for c in numbers), numbers
    assert any("\u202f" in c for c in numbers)  # thousands, e.g. "4 614 485"
    assert any("," in c for c in numbers)  # decimals, e.g. "1,25"
    # English on request
    open_page(page, f"{server}/coast?lang=en")
    table = page.locator(".twin-table table").first
    table.wait_for()
    cells = [c.strip() for c in table.locator("tbody td").all_inner_texts()]
    assert any(re.fullmatch(r"\d{1,3}(,\d{3})+", c) for c in cells)
    assert page.console_errors == []
