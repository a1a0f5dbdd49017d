"""Evidence in a real browser: every card carries its evidence badge with a tooltip naming its
source; the dieback card, while its fit has no skill, says so instead of a value, and the
workshop board does not rank proposals by it; the Validation page lists the checks."""

from __future__ import annotations

from tests.browser.helpers import open_page

DIEBACK = '[data-indicator="forest.dieback_prob_pct"]'


def test_cards_show_evidence_badges_and_the_no_skill_dieback(offline_page, server):
    page = offline_page
    open_page(page, f"{server}/forest")
    badge = page.locator('[data-indicator="forest.unsuitable_pct"] .twin-evidence').first
    badge.wait_for()
    assert badge.inner_text().strip() == "hypothèse"
    title = badge.get_attribute("title")
    assert "Source :" in title and "Hypothèses déterminantes" in title
    assert page.locator(".twin-card .twin-evidence").count() == page.locator(
        ".twin-card").count()  # one badge per card
    dieback = page.locator(DIEBACK).first
    assert dieback.locator(".twin-evidence").inner_text().strip() == "calibré"
    assert "AUC" in dieback.locator(".twin-evidence").get_attribute("title")
    assert "aucune relation fiable" in dieback.locator(".twin-no-finding").inner_text()
    assert dieback.locator(".twin-value").count() == 0  # no number shown
    # the same page in English
    open_page(page, f"{server}/forest?lang=en")
    badge = page.locator('[data-indicator="forest.unsuitable_pct"] .twin-evidence').first
    badge.wait_for()
    assert badge.inner_text().strip() == "assumption"
    assert "Driving assumptions" in badge.get_attribute("title")
    assert page.console_errors == []


def test_workshop_board_does_not_rank_by_a_fit_without_skill(offline_page, server, server_db):
    from twin_core.workshop import service
    from twin_core.workshop.store import WorkshopStore

    store = WorkshopStore(f"sqlite:///{server_db}")
    code, key = store.create("forest.climate_risk", "forest", "Évidence",
                             levers=["precip_change_pct"])
    for name, dp in (("Alice", -30.0), ("Bruno", 20.0)):
        _, pkey = store.join(code, name)
        service.submit(store, code, pkey, {"precip_change_pct": dp})
    page = offline_page
    open_page(page, f"{server}/atelier?code={code}&key={key}")
    board = page.locator("table.twin-board").first
    board.wait_for()
    cells = board.locator('td[data-indicator="forest.dieback_prob_pct"]')
    assert cells.count() == 2
    for i in range(2):
        assert cells.nth(i).get_attribute("class").strip() == "twin-cell"  # no best / worst
        assert cells.nth(i).inner_text().strip() == "—"
    assert "aucune relation fiable" in board.locator("thead .twin-no-finding").first.inner_text()
    # other indicators are still ranked (drier scenario: more fire-danger days; the unsuitable
    # share no longer moves with rain alone at the default horizon since the EU-Trees4F work)
    marked = board.locator('td[data-indicator="forest.days_fwi_threshold"].best, '
                           'td[data-indicator="forest.days_fwi_threshold"].worst')
    assert marked.count() == 2


def test_validation_page_lists_the_checks(offline_page, server):
    page = offline_page
    open_page(page, f"{server}/validation")
    table = page.locator("table.twin-validation").first
    table.wait_for()
    assert table.locator('tr[data-check="forest.fwi_1985.fwi"]').count() == 1
    assert table.locator('tr[data-status="fail"]').count() == 0
    assert table.locator('tr[data-check="forest.dieback_skill"]').get_attribute(
        "data-status") in ("skill", "no_skill")
    assert "vérifications conformes" in page.locator(
        ".twin-validation-summary strong").first.inner_text()
    assert page.console_errors == []
