"""Drawing on the map in a real browser: on /coast, choose "Bande de recul", draw a zone over
the flooded estuary with the mouse (Bokeh's Polygon Draw Tool: long press for the first
vertex, clicks, long press for the last), apply it: the zone is in the page URL (so in the
saved scenario) as a Lambert-93 polygon and the homes flooded of scenario A go down."""

from __future__ import annotations

from tests.browser.helpers import number, url_param, wait_until

FLOODED = "coast.dwellings_flooded"


def flooded_a(page) -> float:
    cell = page.locator(f'[data-indicator="{FLOODED}"] .twin-value').first
    cell.wait_for()
    return number(cell.inner_text())


def shadow_text(locator) -> str:
    """Text of a Panel pane or widget (its content is in the element's shadow root)."""
    return locator.first.evaluate("e => (e.shadowRoot || e).textContent") or ""


def drawn_vertices(page) -> int:
    """Vertices of the polygon being drawn, as the browser holds it (the data source of the
    map's Polygon Draw Tool)."""
    return page.evaluate("""() => {
      let most = 0;
      for (const doc of (window.Bokeh && window.Bokeh.documents) || []) {
        for (const m of doc.all_models) {
          if (m.constructor.__name__ !== 'PolyDrawTool') continue;
          for (const r of m.renderers) {
            for (const part of r.data_source.data.xs || []) most = Math.max(most, part.length);
          }
        }
      }
      return most;
    }""")


def long_press(page, x: float, y: float) -> None:
    page.mouse.move(x, y, steps=4)
    page.mouse.down()
    page.wait_for_timeout(600)  # Bokeh: a press is a pointer held > 300 ms
    page.mouse.up()
    page.wait_for_timeout(300)


def test_draw_setback_zone_on_coast_map(offline_page, server):
    page = offline_page
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{server}/coast")
    page.wait_for_selector(".twin-header", state="attached")
    before = flooded_a(page)
    assert url_param(page, "setback_zone") is None

    page.locator(".twin-draw-choice select").first.select_option(
        label="Bande de recul tracée sur la carte")
    info = page.locator(".twin-draw-info")
    wait_until(page, lambda: "Polygon Draw Tool" in shadow_text(info), "draw help")
    page.wait_for_timeout(3000)  # the map is redrawn with the drawing tool active
    canvas = page.locator(".twin-map .bk-Canvas").first
    canvas.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = canvas.bounding_box()

    def at(fx: float, fy: float) -> tuple[float, float]:
        return box["x"] + fx * box["width"], box["y"] + fy * box["height"]

    # a square over the estuary's flooded towns (upper middle of the map)
    long_press(page, *at(0.42, 0.15))
    for fx, fy in ((0.66, 0.15), (0.66, 0.55)):
        page.mouse.move(*at(fx, fy), steps=4)
        page.mouse.click(*at(fx, fy))
        page.wait_for_timeout(300)
    long_press(page, *at(0.42, 0.55))
    # the browser holds the 4 vertices before "Appliquer" is pressed: its data change then
    # reaches the server ahead of the click (one websocket, in order)
    wait_until(page, lambda: drawn_vertices(page) >= 4, "the 4 vertices drawn")

    page.locator(".twin-draw-apply button").first.click()
    wait_until(page, lambda: url_param(page, "setback_zone") is not None, "zone in the URL")
    zone = url_param(page, "setback_zone")
    assert zone["type"] == "MultiPolygon" and len(zone["coordinates"]) == 1
    ring = zone["coordinates"][0][0]
    assert len(ring) == 5 and ring[0] == ring[-1]  # 4 vertices, closed
    assert all(355_000 <= x <= 425_000 and 6_395_000 <= y <= 6_515_000 for x, y in ring)
    assert url_param(page, "setback_zone", 1) is None  # only scenario A (on the map)
    wait_until(page, lambda: flooded_a(page) < before, "fewer flooded homes")
    assert "1 zone(s)" in shadow_text(page.locator(".twin-param-A-setback_zone"))
    assert page.console_errors == []
