"""Coast page in a real browser: a dike GeoPackage loaded through the page's upload widget (crest
above the 100-year level, along the sample communes' outline) removes the 100-year flood of
scenario A — its flooded homes card falls — for this session only; the card's evidence tooltip
names the level sources and, before the upload, says the flood is an upper bound without
defences."""

from __future__ import annotations

import geopandas as gpd
import shapely

from tests.browser.helpers import card_value, open_page, wait_until
from twin_core.models.coast.model import global_warming_path, scenario_slr
from twin_core.models.coast.submersion import reach_levels
from twin_core.territory import data_dir

HOMES = "coast.dwellings_flooded"
CREST_M = 6.0


def _tooltip(page) -> str:
    badge = page.locator(f'[data-indicator="{HOMES}"] .twin-evidence').first
    badge.wait_for()
    return badge.get_attribute("title")


def _dike_file(tmp_path) -> tuple[str, float]:
    """The sample communes' outline as one dike at CREST_M; and the highest 100-year level of
    2050 along the estuary (scenario A), which the crest must clear."""
    from twin_core.models.coast.model import CoastScenario

    communes = gpd.read_file(data_dir() / "coast" / "communes.gpkg")
    outline = shapely.union_all(communes.geometry.to_numpy()).boundary.simplify(50)
    path = tmp_path / "digues.gpkg"
    gpd.GeoDataFrame({"crest_m": [CREST_M], "name": ["contour des communes"]},
                     geometry=[outline], crs=communes.crs).to_file(path)
    s = CoastScenario(label="A")
    slr = float(scenario_slr(s, s.horizon, float(global_warming_path(s, [s.horizon])[0])))
    top = max(reach_levels(100, slr, s.high_water_m, s.estuary_surge_ratio).values())
    return str(path), top


def test_dike_upload_removes_the_flood_behind_it_and_the_tooltip_names_the_sources(
        offline_page, server, tmp_path):
    path, top_level = _dike_file(tmp_path)
    assert top_level < CREST_M  # the crest clears the 100-year level everywhere
    page = offline_page
    open_page(page, f"{server}/coast")
    before = card_value(page, HOMES)
    assert before > 0
    tip = _tooltip(page)
    # the level sources (submersion.LEVEL_SOURCES) and the missing defences
    assert "SHOM" in tip and "Smiddest" in tip and "Xynthia" in tip
    assert "upper bound without defences" in tip
    note = page.locator(".twin-coast-note p").first
    note.wait_for()
    assert "borne haute" in note.inner_text()

    upload = page.locator(".twin-dikes-upload input[type=file]").first
    upload.set_input_files(path)
    report = page.locator(".twin-dikes-report p").first
    wait_until(page, lambda: report.count() and "Digues chargées" in report.inner_text(),
               "the upload report")
    assert "crête de 6,00 à 6,00 m" in report.inner_text()
    wait_until(page, lambda: card_value(page, HOMES) < before, "the flooded homes card falls")
    after = card_value(page, HOMES)
    assert after < 0.1 * before
    tip = _tooltip(page)
    assert "SHOM" in tip and "defence line(s) of the dikes layer" in tip
    assert "upper bound without defences" not in tip
    wait_until(page, lambda: "digues chargées" in page.locator(
        ".twin-coast-note p").first.inner_text(), "the note names the loaded dikes")

    # a wrong file is refused with a message, and the loaded dikes stay in use
    bad = tmp_path / "digues_wgs84.gpkg"
    gpd.read_file(path).to_crs("EPSG:4326").to_file(bad)
    upload.set_input_files(str(bad))
    wait_until(page, lambda: "refusée" in report.inner_text(), "the refusal")
    assert "EPSG:2154" in report.inner_text()
    assert card_value(page, HOMES) == after

    # another session (a new page) still has the sample without dikes
    open_page(page, f"{server}/coast")
    assert card_value(page, HOMES) == before
    assert page.console_errors == []
