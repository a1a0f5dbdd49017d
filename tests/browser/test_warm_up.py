"""A page opened while the server's background warm-up still prepares its model says so, then
fills in by itself (issue 17, fast start)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from tests.browser.conftest import offline_route, twin_server
from tests.browser.helpers import wait_until

TABS = 6


def _warming_up(base: str) -> list[str]:
    try:  # /ready answers 503 with the models still warming up
        urllib.request.urlopen(f"{base}/ready", timeout=30).close()
        return []
    except urllib.error.HTTPError as answer:
        return json.loads(answer.read())["warming_up"]


def test_pages_opened_during_the_warm_up_fill_in(offline_page):
    """Coast pages opened in six tabs, 0.4 s apart, each with the browser cache off, from
    the moment the server answers: whether opened before the warm-up prepared the coast
    model, just as it became ready, or after, every tab ends on its headline cards without a
    reload. (A fill-in made in the instants after a page was served, before its websocket had
    connected, never reached the browser: that tab kept its "se prépare" note for ever.)"""
    context = offline_page.context
    with twin_server({}, ready=False) as base:
        assert {"*", "coast.risk"} & set(_warming_up(base)), \
            "the warm-up was over before the pages opened: nothing would be tested"
        tabs = []
        for i in range(TABS):
            tab = offline_page if i == 0 else context.new_page()
            tab.route("**/*", offline_route)
            cdp = context.new_cdp_session(tab)  # every tab loads the scripts anew, as a first
            cdp.send("Network.enable")          # visit does (its websocket connects later)
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            tab.goto(f"{base}/coast", wait_until="commit")
            tabs.append(tab)
            offline_page.wait_for_timeout(400)
        for i, tab in enumerate(tabs):
            cards = tab.locator(".twin-headline .twin-card .twin-value")
            wait_until(tab, lambda c=cards: c.count() >= 4, f"the cards of tab {i + 1}")
            assert tab.locator(".twin-warming-up").count() == 0, i
