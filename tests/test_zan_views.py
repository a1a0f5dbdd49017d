"""The ZAN page's extras keep their widgets across refreshes: the workspace calls them again
after each one, and a download button replaced in the page loses a click landing on it while a
refresh is pending (the browser test clicks once, never retries)."""

from __future__ import annotations

import panel as pn
from bokeh.document import Document

from dashboards.shell.workspace import ScenarioWorkspace
from dashboards.zan_views import commune_tables, commune_trajectory


def test_extras_keep_the_same_widgets_and_follow_the_results():
    ws = ScenarioWorkspace(model_id="zan.trajectory", territory_id="zan", lang="fr",
                           extras=[commune_trajectory, commune_tables])
    doc = Document()
    root = pn.panel(ws).get_root(doc)
    doc.add_root(root)
    layout, select, _, _ = ws._zan_trajectory_view
    tables = ws._zan_tables_view
    summary = next(o for o in tables["layout"] if isinstance(o, pn.widgets.FileDownload))

    def in_page() -> list:
        """The Bokeh models of the selector and the summary button in the page."""
        models = [w._models[root.ref["id"]][0] for w in (select, summary)]
        assert all(m.document is doc for m in models)
        return models

    shown = in_page()
    old_table = tables["tabs"].objects[0].object.copy()
    select.value = "01006"  # Ambléon, chosen in the browser
    before = ws.results[0].values["projected_2021_2031_ha"]
    for density in (19.0, 25.0):  # a slider moved a few notches: one refresh each
        ws.scenarios[0].density = density
    assert ws.results[0].values["projected_2021_2031_ha"] < before
    # the same widgets, with the same Bokeh models in the page: a click is never lost …
    assert in_page() == shown
    assert commune_trajectory(ws) is layout and commune_tables(ws) is tables["layout"]
    assert select.value == "01006" and ws._zan_commune == "01006"
    # … and they show the new results: tables, and the summary built when clicked
    assert not tables["tabs"].objects[0].object.equals(old_table)
    text = summary.callback().getvalue().decode("utf-8")
    assert "Ambléon" in text and "25 logements/ha" in text
    # one more scenario: one more tab, the same button
    ws.add_scenario()
    assert len(tables["tabs"]) == 3 and in_page() == shown
