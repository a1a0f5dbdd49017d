"""Helpers shared by the browser tests: page opening, waiting on state, reading cards and the
scenarios kept in the URL."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlparse


def open_page(page, url):
    page.goto(url)
    page.wait_for_selector(".twin-header", state="attached")


def number(text: str) -> float:
    """A French-formatted card value ('1 234,5') as a float."""
    return float(re.sub(r"[\s\u202f\u00a0]", "", text).replace(",", "."))


def card_value(page, indicator: str) -> float:
    """Scenario A's value on the card of ``indicator``."""
    cell = page.locator(f'[data-indicator="{indicator}"] .twin-value').first
    cell.wait_for()
    return number(cell.inner_text())


def url_scenarios(page):
    query = parse_qs(urlparse(page.url).query)
    return json.loads(query["scenarios"][0]) if "scenarios" in query else None


def url_param(page, name, index=0):
    """A parameter of scenario ``index`` as kept in the page URL (None before the first sync)."""
    scenarios = url_scenarios(page)
    return scenarios[index].get(name) if scenarios else None


def wait_until(page, condition, what, tries=120):
    for _ in range(tries):
        if condition():
            return
        page.wait_for_timeout(500)
    raise AssertionError(f"timed out waiting for {what}")
