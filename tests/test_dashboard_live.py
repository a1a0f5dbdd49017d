"""Refreshes update the page in place (issue 17): plots keep their Bokeh figure and receive new
data, page views of the same structure keep their components; anything else is replaced."""

from __future__ import annotations

import holoviews as hv
import numpy as np
import panel as pn
import pytest
from bokeh.document import Document
from bokeh.models import ColumnDataSource

from dashboards.shell.views import LivePlot, layer_signature, liven, morph
from dashboards.shell.workspace import ScenarioWorkspace

hv.extension("bokeh", logo=False)


def _curves(a: float, label: str = "A") -> hv.Overlay:
    x = np.arange(5.0)
    return hv.Overlay([hv.Curve((x, a * x), label=label), hv.Curve((x, x + a), label="B")])


def _figure_and_sources(pane: pn.pane.HoloViews, root):
    plot = pane._plots[root.ref["id"]][0]
    fig = plot.state
    return fig, [m for m in fig.references() if isinstance(m, ColumnDataSource)]


def test_live_plot_updates_the_same_figure_and_replaces_on_new_layers():
    live = LivePlot()
    assert live.update(_curves(1.0)) is True  # first draw: a new figure
    view = live.pane.object
    root = live.pane.get_root(Document())
    fig, sources = _figure_and_sources(live.pane, root)
    ys_before = sorted(float(np.max(s.data["y"])) for s in sources if "y" in s.data)
    assert live.update(_curves(3.0)) is False  # same layers: in place
    assert live.pane.object is view
    fig_after, sources_after = _figure_and_sources(live.pane, root)
    assert fig_after is fig
    ys_after = sorted(float(np.max(s.data["y"])) for s in sources_after if "y" in s.data)
    assert ys_after != ys_before and max(ys_after) == pytest.approx(12.0)  # 3 × 4
    # a layer renamed (another legend) or a dynamic element: a new figure
    assert live.update(_curves(3.0, label="C")) is True
    assert live.pane.object is not view
    assert live.update(hv.DynamicMap(lambda: _curves(1.0))) is True
    assert layer_signature(live.pane.object) is None


def test_morph_keeps_components_of_the_same_structure_only():
    def view(n: int, title: str = "T"):
        return pn.Column(pn.pane.Markdown(f"{n} ha"),
                         pn.Tabs(("A", pn.pane.DataFrame(None)), ("B", pn.pane.Markdown("b"))),
                         pn.Card(pn.pane.HTML(f"<b>{n}</b>"), title=title))

    old = view(1)
    md, tabs, card = old.objects
    assert morph(old, view(2)) is True
    assert old.objects == [md, tabs, card] and md.object == "2 ha"
    assert card.objects[0].object == "<b>2</b>"
    # another card title, another number of tabs, a widget other than a download: replaced
    assert morph(old, view(3, title="U")) is False and md.object == "2 ha"
    assert morph(old, pn.Column(pn.pane.Markdown("x"), pn.Tabs(("A", pn.pane.Markdown("a"))),
                                card)) is False
    assert morph(pn.Column(pn.widgets.FloatSlider()), pn.Column(pn.widgets.FloatSlider())) \
        is False


def test_liven_then_morph_updates_a_page_plot_in_place():
    old = liven(pn.Column(pn.pane.Markdown("t"), pn.pane.HoloViews(_curves(1.0))))
    pane = old.objects[1]
    view = pane.object
    assert isinstance(view, hv.DynamicMap)  # live before it is first shown
    assert morph(old, pn.Column(pn.pane.Markdown("u"), pn.pane.HoloViews(_curves(2.0))))
    assert pane.object is view and view[()].get(0).data["y"].max() == pytest.approx(8.0)


def test_workspace_refresh_keeps_the_map_chart_and_page_views():
    from dashboards.coast import page

    p = page("fr")
    ws = ScenarioWorkspace(model_id=p.model_id, territory_id=p.territory_id, lang="fr",
                           extras=p.extras, map_builder=p.map_builder, map_tap=p.map_tap)
    ws.__panel__().get_root(Document())
    map_view, series_view = ws._map.object, ws._series.object
    holders = ws._main.objects[-1 - len(ws.extras):-1]  # the page views, before the link note
    assert len(holders) == 2 and all(isinstance(h, pn.Column) for h in holders)
    contents = [h.objects[0] for h in holders]
    tables = [t for t in contents[0].select(pn.pane.DataFrame)  # per commune, A and B
              if "twin-coast-communes" in t.css_classes]
    assert len(tables) == 2
    before = [t.object.copy() for t in tables]
    cards = ws._cards.object
    ws.scenarios[0].horizon = 2100 if ws.scenarios[0].horizon != 2100 else 2030
    assert ws._cards.object != cards  # the model ran again
    assert ws._map.object is map_view and ws._series.object is series_view
    assert [h.objects[0] for h in holders] == contents  # same components…
    assert not tables[0].object.equals(before[0])  # …showing the new results
    assert tables[1].object.equals(before[1])  # scenario B did not change


def test_unchanged_layers_keep_their_data_source_untouched():
    """A refresh where one layer's data is unchanged sends only the changed layer's data: the
    unchanged layer keeps its plot id, and HoloViews leaves its Bokeh source alone."""
    from bokeh.document import Document as Doc

    from dashboards.shell.views import keep_unchanged_layers

    x = np.arange(1000.0)

    def view(a: float) -> hv.Overlay:
        return hv.Overlay([hv.Curve((x, np.sin(x)), label="outline"),
                           hv.Curve((x, a * x), label="result")])

    live = LivePlot()
    live.update(view(1.0))
    doc = Doc()
    root = live.pane.get_root(doc)
    _, sources = _figure_and_sources(live.pane, root)
    changed = []
    for s in sources:
        s.on_change("data", lambda attr, old, new, s=s: changed.append(s))
    assert live.update(view(2.0)) is False
    assert len(changed) == 1 and max(changed[0].data["y"]) == pytest.approx(2 * 999)
    # the comparison itself: equal data kept, other data not, a different layer type not
    assert keep_unchanged_layers(view(1.0), view(1.0)) == 2
    assert keep_unchanged_layers(view(1.0), view(3.0)) == 1
    assert keep_unchanged_layers(hv.Curve((x, x)), hv.Scatter((x, x))) == 0
