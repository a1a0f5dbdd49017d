"""The 3D view in a real browser, offline: deck.gl is served by the app itself (Panel's
bundled copy), opening "Vue 3D" on /coast draws a WebGL canvas in the deck.gl pane, with no
console error and no request leaving the machine (no basemap, no CDN)."""

from __future__ import annotations


def test_coast_3d_view_renders_offline(offline_page, server):
    page = offline_page
    deck_js, failed, outside = [], [], []
    page.on("response", lambda r: deck_js.append((r.url, r.status))
            if "deckglplot" in r.url else None)
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.split("/")[2].startswith(("127.0.0.1", "localhost"))
            and not r.url.startswith("data:") else None)
    page.goto(f"{server}/coast")
    page.wait_for_selector(".twin-header", state="attached")
    page.locator('[data-indicator="coast.dwellings_flooded"]').first.wait_for()
    # deck.gl came from the app's own static files
    assert any("deck.gl@" in url and status == 200 for url, status in deck_js), deck_js
    assert page.evaluate("typeof window.deck") == "object"
    section = page.locator(".twin-view3d-coast")
    assert section.locator("canvas").count() == 0  # not built before it is opened

    section.locator(".card-header").first.click()
    canvas = section.locator(".twin-view3d-deck canvas").first
    canvas.wait_for(state="attached")
    page.wait_for_timeout(2000)
    size = canvas.evaluate("c => [c.width, c.height]")
    assert size[0] > 100 and size[1] > 100
    note = section.locator(".twin-view3d-note").first.evaluate(
        "e => (e.shadowRoot || e).textContent")
    assert "bâtiments exposés" in note and "20\u202f000 polygones" in note
    legend = section.locator(".twin-view3d-legend").first.text_content()
    assert "Hauteur d'eau au bâtiment" in legend and "0,5 – 1,0 m" in legend
    assert page.console_errors == []
    assert not [u for u in failed if "deckgl" in u or "mapbox" in u or "carto" in u], failed
    assert outside == []
