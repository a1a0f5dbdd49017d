"""What only a browser shows: pages load cleanly, widgets drive indicators, JSON save/load,
shared links, isolated sessions, bad input handled while the app keeps running."""

from __future__ import annotations

import json

import pytest

from tests.browser.helpers import open_page, url_scenarios, wait_until
from twin_core.models.registry import all_models

PAGES = ["", "coast", "forest", "agriculture", "zan", "territoire", "atelier", "participer"]
CARD = '[data-indicator="zan.budget_used_pct"] .twin-value'




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


def test_language_switch_to_english_keeps_the_scenarios(offline_page, server):
    open_page(offline_page, f"{server}/zan")
    offline_page.get_by_text("Sobriété foncière (ZAN)").first.wait_for()  # visible, in French
    press_slider(offline_page, "density", "ArrowRight", 2)
    wait_until(offline_page, lambda: (url_scenarios(offline_page) or [{}])[0].get("density")
               == 17, "density 17 in the URL")
    offline_page.locator(".twin-lang button", has_text="EN").first.click()
    offline_page.wait_for_url("**lang=en**")
    offline_page.get_by_text("Land take (ZAN)").first.wait_for()
    wait_cards(offline_page)
    assert url_scenarios(offline_page)[0]["density"] == 17  # same comparison, in English
    assert offline_page.console_errors == []


def test_widget_change_updates_indicator_and_url(offline_page, server):
    open_page(offline_page, f"{server}/zan")
    before = card_texts(offline_page)
    # keyboard only: the density slider of scenario A, five steps to the right
    press_slider(offline_page, "density", "ArrowRight", 5)
    # 15 + 5 steps of 1: the URL follows the last key press, the cards follow the model run
    wait_until(offline_page, lambda: (url_scenarios(offline_page) or [{}])[0].get("density")
               == 20, "density 20 in the URL")
    wait_until(offline_page, lambda: card_texts(offline_page) != before, "cards to change")
    assert offline_page.console_errors == []


def test_shared_url_reopens_the_same_comparison(offline_page, server, context):
    open_page(offline_page, f"{server}/zan")
    before = card_texts(offline_page)
    press_slider(offline_page, "existing_fabric_pct", "ArrowRight", 3)
    wait_until(offline_page, lambda: (url_scenarios(offline_page) or [{}])[0].get(
        "existing_fabric_pct") == 45, "URL update")  # 30 + 3 steps of 5
    wait_until(offline_page, lambda: card_texts(offline_page) != before, "cards to change")
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
    alert.get_by_text("bad.json").first.wait_for()  # names the file and the key
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
    wait_until(p1, lambda: (url_scenarios(p1) or [{}])[0].get("density") == 150, "p1 URL")
    wait_until(p2, lambda: (url_scenarios(p2) or [{}])[0].get("existing_fabric_pct") == 0,
               "p2 URL")
    wait_until(p1, lambda: card_texts(p1) != before1 and card_texts(p2) != before2, "cards")
    s1, s2 = url_scenarios(p1)[0], url_scenarios(p2)[0]
    assert s1["density"] == 150.0 and s1["existing_fabric_pct"] == 30.0
    assert s2["density"] == 15.0 and s2["existing_fabric_pct"] == 0.0
    assert card_texts(p1) != card_texts(p2)
    ctx1.close()
    ctx2.close()


def test_switching_to_ensemble_shows_bands_and_ranges(offline_page, server):
    open_page(offline_page, f"{server}/zan")
    wait_cards(offline_page)
    assert offline_page.locator(".twin-range").count() == 0
    offline_page.locator(".twin-draws select").select_option(label="20 tirages")
    offline_page.locator(".twin-range").first.wait_for()
    offline_page.get_by_text("Bandes : intervalle 5-95 % de 20 tirages").first.wait_for()
    offline_page.get_by_text("Croissance démographique (%/an)").first.wait_for()  # main driver
    assert offline_page.console_errors == []
