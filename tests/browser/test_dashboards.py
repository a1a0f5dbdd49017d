"""What only a browser shows: pages load cleanly, widgets drive indicators, JSON save/load,
shared links, isolated sessions, bad input handled while the app keeps running."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import pytest

from twin_core.models.registry import all_models

PAGES = ["", "coast", "forest", "agriculture", "zan"]
CARD = '[data-indicator="zan.budget_used_pct"] .twin-value'


def open_page(page, url):
    page.goto(url)
    page.wait_for_selector(".twin-header", state="attached")


def wait_cards(page):
    page.locator(CARD).first.wait_for()
    return page.locator(CARD)


def card_texts(page):
    return wait_cards(page).all_inner_texts()


def press_slider(page, name, key, times=1):
    handle = page.locator(f".twin-param-{name} .noUi-handle").first
    handle.focus()
    for _ in range(times):
        handle.press(key)


@pytest.mark.parametrize("route", PAGES)
def test_every_page_loads_without_console_error(offline_page, server, route):
    open_page(offline_page, f"{server}/{route}")
    model_pages = {m.spec.use_case for m in all_models().values()}
    if route in model_pages:
        offline_page.locator(".twin-card").first.wait_for()
        assert offline_page.locator(".twin-card").count() >= 3
        offline_page.locator(".bk-Canvas, canvas").first.wait_for(state="attached")
    offline_page.wait_for_timeout(1000)
    assert offline_page.console_errors == []


def test_language_switch_to_english(offline_page, server):
    open_page(offline_page, f"{server}/zan")
    assert offline_page.get_by_text("Sobriété foncière (ZAN)").first.is_visible()
    offline_page.locator("a.twin-lang-en").first.click()
    offline_page.wait_for_url("**lang=en**")
    offline_page.get_by_text("Land take (ZAN)").first.wait_for()
    assert offline_page.console_errors == []


def test_widget_change_updates_indicator_and_url(offline_page, server):
    open_page(offline_page, f"{server}/zan")
    before = card_texts(offline_page)
    # keyboard only: the density slider of scenario A, five steps to the right
    press_slider(offline_page, "density", "ArrowRight", 5)
    for _ in range(60):
        if card_texts(offline_page) != before:
            break
        offline_page.wait_for_timeout(500)
    after = card_texts(offline_page)
    assert after != before  # denser housing uses less of the envelope
    query = parse_qs(urlparse(offline_page.url).query)
    scenarios = json.loads(query["scenarios"][0])
    assert scenarios[0]["density"] == pytest.approx(20.0)  # 15 + 5 steps of 1
    assert offline_page.console_errors == []


def test_shared_url_reopens_the_same_comparison(offline_page, server, context):
    open_page(offline_page, f"{server}/zan")
    before = card_texts(offline_page)
    press_slider(offline_page, "existing_fabric_pct", "ArrowRight", 3)
    for _ in range(60):
        if card_texts(offline_page) != before and "scenarios=" in offline_page.url:
            break
        offline_page.wait_for_timeout(500)
    changed = card_texts(offline_page)
    shared = offline_page.url
    other = context.new_page()
    open_page(other, shared)
    assert card_texts(other) == changed


def test_saved_scenario_reloads_identical(offline_page, server, tmp_path):
    open_page(offline_page, f"{server}/zan")
    original = card_texts(offline_page)
    with offline_page.expect_download() as dl:
        offline_page.locator(".twin-scenario-A .twin-save button").first.click()
    saved = tmp_path / "scenario.json"
    dl.value.save_as(saved)
    data = json.loads(saved.read_text("utf-8"))
    assert data["model"] == "zan.trajectory" and data["params"]["label"] == "A"
    press_slider(offline_page, "density", "End")
    for _ in range(60):
        if card_texts(offline_page) != original:
            break
        offline_page.wait_for_timeout(500)
    assert card_texts(offline_page) != original
    offline_page.locator(".twin-scenario-A .twin-load input[type=file]").set_input_files(saved)
    for _ in range(60):
        if card_texts(offline_page) == original:
            break
        offline_page.wait_for_timeout(500)
    assert card_texts(offline_page) == original


def test_bad_json_is_reported_and_app_keeps_running(offline_page, server, tmp_path):
    open_page(offline_page, f"{server}/zan")
    before = card_texts(offline_page)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"model": "zan.trajectory", "version": "1.0",
                               "params": {"reduction_pct": 250}}))
    offline_page.locator(".twin-scenario-A .twin-load input[type=file]").set_input_files(bad)
    alert = offline_page.locator(".twin-error")
    alert.get_by_text("reduction_pct").first.wait_for()
    assert "bad.json" in alert.first.inner_text()
    assert card_texts(offline_page) == before  # nothing half-applied
    press_slider(offline_page, "density", "ArrowRight", 2)  # still responsive
    for _ in range(60):
        if card_texts(offline_page) != before:
            break
        offline_page.wait_for_timeout(500)
    assert card_texts(offline_page) != before


def test_two_sessions_are_isolated(server, browser):
    ctx1, ctx2 = browser.new_context(), browser.new_context()
    p1, p2 = ctx1.new_page(), ctx2.new_page()
    for p in (p1, p2):
        p.set_default_timeout(60_000)
        open_page(p, f"{server}/zan")
    before1, before2 = card_texts(p1), card_texts(p2)
    assert before1 == before2
    press_slider(p1, "density", "End")
    press_slider(p2, "existing_fabric_pct", "Home")
    for _ in range(60):
        if card_texts(p1) != before1 and card_texts(p2) != before2:
            break
        p1.wait_for_timeout(500)
    s1 = json.loads(parse_qs(urlparse(p1.url).query)["scenarios"][0])[0]
    s2 = json.loads(parse_qs(urlparse(p2.url).query)["scenarios"][0])[0]
    assert s1["density"] == 150.0 and s1["existing_fabric_pct"] == 30.0
    assert s2["density"] == 15.0 and s2["existing_fabric_pct"] == 0.0
    assert card_texts(p1) != card_texts(p2)
    ctx1.close()
    ctx2.close()
