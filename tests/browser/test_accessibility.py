"""Accessibility: axe-core (installed from the npm registry by `make axe`, injected from the
local file, never a CDN) on every page: no serious or critical violation."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import ROOT
from tests.browser.helpers import open_page

AXE = ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
#: Every page of the app, with what to wait for before checking it.
PAGES = {"": ".twin-usecase", "coast": ".twin-headline .twin-card",
         "forest": ".twin-headline .twin-card", "agriculture": ".twin-headline .twin-card",
         "zan": ".twin-headline .twin-card", "territoire": ".twin-header",
         "validation": "table.twin-validation", "atelier": ".twin-header"}


def axe_violations(page) -> list[dict]:
    assert Path(AXE).exists(), f"axe-core is not installed at {AXE}: run `make axe`"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' > '))}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("route", list(PAGES))
def test_no_serious_or_critical_axe_violation(offline_page, server, route):
    page = offline_page
    open_page(page, f"{server}/{route}")
    page.locator(PAGES[route]).first.wait_for()
    page.wait_for_timeout(1500)  # plots and late panes drawn
    violations = axe_violations(page)
    assert violations == [], "\n".join(
        f"{v['impact']}: {v['id']} — {v['help']} ({'; '.join(v['nodes'])})" for v in violations)
