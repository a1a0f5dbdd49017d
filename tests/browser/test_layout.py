"""Layout in a real browser at 1280 and 1920 px: no button, label or slider title overlaps
another one (bounding boxes), on every use-case page and the Territoire page."""

from __future__ import annotations

import pytest

from tests.browser.helpers import open_page

PAGES = ("coast", "forest", "agriculture", "zan", "territoire")
#: What must not overlap: buttons, form labels, slider titles, page links.
TARGETS = "button, label, .bk-slider-title, .bk-input-group > label, header a"
BOXES_JS = """els => els.map(e => {
  const r = e.getBoundingClientRect();
  const s = getComputedStyle(e);
  return {x: r.x, y: r.y, w: r.width, h: r.height,
          visible: r.width > 0 && r.height > 0 && s.visibility !== 'hidden'
                   && s.display !== 'none' && e.closest('.bk-toolbar') === null
                   && e.getClientRects().length > 0,
          text: (e.innerText || e.getAttribute('aria-label') || e.tagName).slice(0, 40)};
})"""


def overlaps(boxes: list[dict]) -> list[tuple[str, str]]:
    """Pairs of boxes that overlap by more than 2 px each way (one inside the other, e.g. a
    label and the button holding it, does not count)."""
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            dx = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
            dy = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
            if dx <= 2 or dy <= 2:
                continue
            inside = all(
                p["x"] - 1 <= q["x"] and q["x"] + q["w"] <= p["x"] + p["w"] + 1
                and p["y"] - 1 <= q["y"] and q["y"] + q["h"] <= p["y"] + p["h"] + 1
                for p, q in ((a, b),)) or all(
                p["x"] - 1 <= q["x"] and q["x"] + q["w"] <= p["x"] + p["w"] + 1
                and p["y"] - 1 <= q["y"] and q["y"] + q["h"] <= p["y"] + p["h"] + 1
                for p, q in ((b, a),))
            if not inside:
                out.append((a["text"], b["text"]))
    return out


@pytest.mark.parametrize("width", [1280, 1920])
@pytest.mark.parametrize("route", PAGES)
def test_no_overlapping_buttons_or_labels(offline_page, server, route, width):
    page = offline_page
    page.set_viewport_size({"width": width, "height": 1000})
    open_page(page, f"{server}/{route}")
    page.locator(".twin-card, .twin-links, .bk-Canvas").first.wait_for()
    page.wait_for_timeout(2000)  # late panes drawn
    boxes = [b for b in page.locator(TARGETS).evaluate_all(BOXES_JS) if b["visible"]]
    assert len(boxes) > 5
    assert overlaps(boxes) == []
    assert page.console_errors == []


def test_the_overlap_check_itself():
    a = {"x": 0, "y": 0, "w": 100, "h": 20, "text": "a"}
    b = {"x": 50, "y": 5, "w": 100, "h": 20, "text": "b"}  # crosses a
    c = {"x": 10, "y": 2, "w": 30, "h": 10, "text": "c"}  # inside a (a label in its button)
    d = {"x": 101, "y": 0, "w": 50, "h": 20, "text": "d"}  # beside a
    assert overlaps([a, b]) == [("a", "b")]
    assert overlaps([a, c]) == [] and overlaps([a, d]) == []
