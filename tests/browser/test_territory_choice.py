"""Choosing the territory (issue 18) in a real browser, offline, against a server whose user
territories folder (TWIN_TERRITORIES) holds one territory, 'mine' (a copy of the ZAN sample):

- the chooser puts ``?territory=`` in the URL (language and scenarios kept) and the page shows
  the chosen territory's name; an id that is not offered is refused with a message;
- on the forest page of the integrated territory, a click on the map next to a town moves the
  ignition point there and raises the homes the fire reaches;
- on the Territoire page of the integrated territory, more land taken (scenario B's population
  growth up) lowers the territory's forest by exactly the extra hectares placed on stands;
- the import section shows the check report of a file with a missing column and leaves the
  layer untouched.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from pyproj import Transformer

from tests.browser.conftest import twin_server
from tests.browser.helpers import number, open_page, url_param, wait_until
from twin_core.territory import data_dir

INTEGRATED_EN = json.loads((data_dir() / "integrated" / "territory.json").read_text("utf-8"))[
    "name"]["en"]
WUI = '.twin-wui [data-indicator="forest.fire_wui_homes"] .twin-value'


@pytest.fixture(scope="module")
def user_territories(tmp_path_factory):
    root = tmp_path_factory.mktemp("user") / "territories"
    shutil.copytree(data_dir() / "zan", root / "mine")
    manifest = json.loads((root / "mine" / "territory.json").read_text("utf-8"))
    manifest.update(id="mine", name={"fr": "Mes communes", "en": "My communes"})
    (root / "mine" / "territory.json").write_text(json.dumps(manifest), "utf-8")
    return root


@pytest.fixture(scope="module")
def server(user_territories, tmp_path_factory):
    """`twin serve` with the user territories folder above (this module's own server)."""
    with twin_server({"TWIN_TERRITORIES": str(user_territories),
                      "TWIN_WORKSHOP_DB": str(tmp_path_factory.mktemp("db") /
                                              "workshops.sqlite")}) as base:
        yield base


def query(page) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def test_chooser_sets_the_url_and_shows_the_territory(offline_page, server):
    page = offline_page
    open_page(page, f"{server}/forest?lang=en")
    page.locator('[data-indicator="forest.unsuitable_pct"] .twin-value').first.wait_for()
    name = page.locator(".twin-territory-name").first
    assert "Vésubie" in name.inner_text()
    page.locator(".twin-param-warming_source select").first.select_option(index=1)  # custom
    wait_until(page, lambda: url_param(page, "warming_source") == "custom", "custom warming")
    page.locator(".twin-territory select").first.select_option(label=INTEGRATED_EN)
    wait_until(page, lambda: query(page).get("territory") == "integrated", "?territory=")
    assert query(page)["lang"] == "en"  # the language kept, and the scenarios:
    page.wait_for_selector(".twin-header", state="attached")
    wait_until(page, lambda: "Estérel" in page.locator(".twin-territory-name").first
               .inner_text(), "the integrated territory's name")
    page.locator('[data-indicator="forest.unsuitable_pct"] .twin-value').first.wait_for()
    assert url_param(page, "warming_source") == "custom"
    # the user's territory is offered, labelled as theirs; it lacks the forest's layers
    labels = page.locator(".twin-territory select option").all_inner_texts()
    assert "My communes (my territories)" in labels
    open_page(page, f"{server}/forest?territory=user:mine")
    page.locator(".twin-territory-lacks").get_by_text("stands").first.wait_for()
    assert page.locator(".twin-cards").count() == 0  # no run where the model cannot run
    # an id that is not offered (a path) is refused; the page runs on its sample
    open_page(page, f"{server}/zan?territory=../forest")
    page.locator(".twin-territory-error").get_by_text("../forest").first.wait_for()
    page.locator('[data-indicator] .twin-value').first.wait_for()
    assert "Ain" in page.locator(".twin-territory-name").first.inner_text()
    assert page.console_errors == []


def _town_stand_point() -> tuple[float, float]:
    """Inside the stand of the integrated territory's western half with the most buildings
    within 100 m, other than the largest stand (where the page lights the fire first)."""
    from twin_core.territory import Territory

    terr = Territory.load("integrated")
    stands, buildings = terr.layer("stands"), terr.layer("buildings")
    x0, _, x1, _ = terr.layer("communes").total_bounds
    west = stands[(stands.geometry.representative_point().x < (x0 + x1) / 2)
                  & (stands.area < stands.area.max())]
    near = np.array([len(buildings.sindex.query(g.buffer(100), predicate="intersects"))
                     for g in west.geometry])
    p = west.geometry.iloc[int(near.argmax())].representative_point()
    return p.x, p.y


CLICK_AT = """([mx, my]) => {
  const views = [...Bokeh.index.query((v) => v.frame != null && v.model.x_range != null)];
  for (const v of views) {
    const xr = v.model.x_range, yr = v.model.y_range;
    if (xr.start <= mx && mx <= xr.end && yr.start <= my && my <= yr.end) {
      const r = v.canvas_view.el.getBoundingClientRect();
      return [r.left + v.frame.x_scale.compute(mx), r.top + v.frame.y_scale.compute(my)];
    }
  }
  return null;
}"""


def test_fire_next_to_a_town_raises_the_homes_reached(offline_page, server):
    page = offline_page
    open_page(page, f"{server}/forest?territory=integrated")
    page.locator(WUI).first.wait_for()
    start = homes(page)
    # the page moved the sample's ignition point onto this territory's forest and said so
    page.locator(".twin-status").get_by_text("plus grand peuplement").first.wait_for()
    x, y = _town_stand_point()
    mx, my = Transformer.from_crs(2154, 3857, always_xy=True).transform(x, y)
    canvas = page.locator(".twin-map .bk-Canvas, .twin-map canvas").first
    canvas.wait_for(state="attached")
    canvas.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    at = page.evaluate(CLICK_AT, [mx, my])
    assert at is not None, "the map does not show the town"
    page.mouse.click(at[0], at[1])
    wait_until(page, lambda: url_param(page, "ignition_x") is not None
               and abs(url_param(page, "ignition_x") - x) < 300
               and abs(url_param(page, "ignition_y") - y) < 300, "the ignition near the town")
    wait_until(page, lambda: homes(page) not in (None, start),
               "the homes card after the fire moved")
    assert homes(page) > start
    assert page.console_errors == []


def homes(page) -> float | None:
    """Scenario A's homes reached by the fire (None while the card is being redrawn)."""
    cells = page.locator(WUI)
    text = cells.first.inner_text() if cells.count() else ""
    return number(text) if text.strip() else None


def figure(page, fid: str, label: str) -> float:
    cell = page.locator(f'.twin-spatial tr[data-figure="{fid}"] td[data-scenario="{label}"]')
    return number(cell.first.inner_text())


def test_more_land_taken_lowers_the_forest_by_the_hectares_on_stands(offline_page, server):
    page = offline_page
    open_page(page, f"{server}/territoire?territory=integrated")
    page.locator('.twin-spatial tr[data-figure="forest_after_ha"]').first.wait_for()
    page.locator(".twin-coupling-kind").get_by_text("Liens spatiaux").first.wait_for()
    land_b = figure(page, "land_ha", "B")
    forest_b, stands_b = figure(page, "forest_after_ha", "B"), figure(page, "on_stands_ha", "B")
    forest_a, stands_a = figure(page, "forest_after_ha", "A"), figure(page, "on_stands_ha", "A")
    today = figure(page, "forest_before_ha", "A")
    assert forest_a == pytest.approx(today - stands_a, abs=0.15)
    assert forest_a - forest_b == pytest.approx(stands_b - stands_a, abs=0.15)
    handle = page.locator(".twin-scenario-B .twin-param-population_growth_pct .noUi-handle")
    handle.first.focus()
    handle.first.press("PageUp")  # 0.5 → 1.0 %/yr: more homes, more land taken
    wait_until(page, lambda: figure(page, "land_ha", "B") > land_b, "B's land take up")
    forest_b2, stands_b2 = figure(page, "forest_after_ha", "B"), figure(page, "on_stands_ha", "B")
    assert stands_b2 > stands_b
    assert forest_b - forest_b2 == pytest.approx(stands_b2 - stands_b, abs=0.15)
    assert figure(page, "forest_before_ha", "B") == today
    assert page.console_errors == []


def test_import_shows_the_report_and_leaves_the_layer_untouched(offline_page, server,
                                                                user_territories):
    page = offline_page
    layer = user_territories / "mine" / "conso_naf.csv"
    before = hashlib.sha256(layer.read_bytes()).hexdigest()
    manifest = (user_territories / "mine" / "territory.json").read_text("utf-8")
    open_page(page, f"{server}/territoire")
    section = page.locator(".twin-import").first
    section.wait_for()
    assert "Mes communes" in page.locator(".twin-import-territory select").first.inner_text()
    page.locator(".twin-import-layer select").first.select_option("conso_naf")
    page.locator(".twin-import-file input[type=file]").first.set_input_files(files=[{
        "name": "mes_donnees.csv", "mimeType": "text/csv",
        "buffer": "idcom;idcomtxt\n01004;Ambérieu-en-Bugey\n".encode()}])
    report = page.locator(".twin-import-report")
    report.get_by_text("la couche n'a pas changé").first.wait_for()
    report.get_by_text("colonne « naf").first.wait_for()  # the missing column named
    assert page.locator(".twin-import-replace button").first.is_disabled()
    assert hashlib.sha256(layer.read_bytes()).hexdigest() == before
    assert (user_territories / "mine" / "territory.json").read_text("utf-8") == manifest
    assert not list((user_territories / "mine").glob("*.prev.*"))
    assert page.console_errors == []


def zan_forest(page, row: str, label: str) -> float | None:
    """A figure of the ZAN page's forest table ('838 ha'), None while it is being redrawn."""
    cell = page.locator(f'.twin-zan-forest tr[data-row="{row}"] td[data-scenario="{label}"]')
    text = cell.first.inner_text() if cell.count() else ""
    return number(text.replace("ha", "")) if text.strip() else None


def test_zan_page_more_land_taken_lowers_the_forest_by_the_hectares_on_stands(offline_page,
                                                                             server):
    page = offline_page
    open_page(page, f"{server}/zan?territory=integrated")
    page.locator('.twin-zan-forest tr[data-row="forest_after_ha"]').first.wait_for(
        timeout=120_000)
    today = zan_forest(page, "forest_today_ha", "A")
    land, on_stands = zan_forest(page, "land_ha", "A"), zan_forest(page, "on_stands_ha", "A")
    forest = zan_forest(page, "forest_after_ha", "A")
    assert land > 0 and 0 < on_stands < land
    assert forest == pytest.approx(today - on_stands, abs=1)
    handle = page.locator(".twin-scenario-A .twin-param-density .noUi-handle").first
    handle.focus()
    for _ in range(3):
        handle.press("PageDown")  # fewer homes per hectare: more land taken
    wait_until(page, lambda: (zan_forest(page, "land_ha", "A") or 0) > land,
               "A's land take up")
    wait_until(page, lambda: zan_forest(page, "forest_after_ha", "A") is not None,
               "the forest table redrawn")
    on_stands2 = zan_forest(page, "on_stands_ha", "A")
    forest2 = zan_forest(page, "forest_after_ha", "A")
    assert on_stands2 > on_stands
    assert forest - forest2 == pytest.approx(on_stands2 - on_stands, abs=1)
    assert zan_forest(page, "forest_today_ha", "A") == today
    assert page.console_errors == []
