"""Coast defences: today's dikes burnt at their own crest, the PPRL breach option (precaution band
behind a failing defence), today's foreshore left out of the flood, and the ``dikes`` layer's
schema and import — on hand-built DEMs and the small synthetic territory of test_coast."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Polygon

from tests.models.test_coast import _run, _write_territory
from twin_core.errors import TwinInputError
from twin_core.models.coast.submersion import (
    PRECAUTION_BAND_FACTOR,
    PRECAUTION_BAND_MIN_M,
    breach_flood,
    burn_dike,
    flooded_mask,
    intertidal_mask,
)

CELL, X0, Y0 = 120.0, 370_000.0, 6_500_000.0  # the toy territory's grid (test_coast)
DIKE_X = X0 + 9.5 * CELL  # centre of column 9, where the beach opens on the marsh
DIKE_ROW_MARSH = (5, 35)  # marsh rows
#: residents of b0 and b1, the houses on the beach seaward of the dike (column 8, 0.5 m): a
#: built cell is land, not foreshore, and no dike behind them keeps the sea off
SEAWARD = 22.0 + 2.2


# -- hand-built DEMs ----------------------------------------------------------------------------
def _strip(ground_behind: float = 2.0, dike_ground: float = 2.0, crest: float = 5.0,
           cols: int = 40, cell: float = 10.0):
    """5 × ``cols`` cells of ``cell`` m: sea (−5 m) in columns 0-4, a dike in column 5 (natural
    ground ``dike_ground``, crest ``crest``), land at ``ground_behind`` behind it."""
    ground = np.full((5, cols), ground_behind, dtype=np.float32)
    ground[:, :5] = -5.0
    ground[:, 5] = dike_ground
    dike = np.zeros(ground.shape, dtype=bool)
    dike[:, 5] = True
    z = burn_dike(ground, dike, crest)
    return ground, z, dike, (cell, cell)


def _wet(z: np.ndarray, level: float) -> np.ndarray:
    """Connected flood of the strip from its sea (columns 0-4)."""
    sea = np.zeros(z.shape, dtype=bool)
    sea[:, :5] = True
    return flooded_mask(z, level, sea)


def _flooded_columns(mask: np.ndarray) -> list[int]:
    return [int(c) for c in np.flatnonzero(mask.all(axis=0))]


def test_breach_floods_the_precaution_band_behind_the_dike():
    ground, z, dike, cell = _strip()
    level = 3.0
    wet = _wet(z, level)
    assert _flooded_columns(wet) == [0, 1, 2, 3, 4]  # the 5 m crest holds
    out = breach_flood(ground, z, wet, dike, level, cell)
    # water height behind the dike 3.0 − 2.0 = 1 m → band 100 × 1 = 100 m: columns 6-15
    # (10-100 m from the dike), the dike cells themselves breached
    width = max(PRECAUTION_BAND_FACTOR * 1.0, PRECAUTION_BAND_MIN_M)
    assert width == 100.0
    assert _flooded_columns(out) == list(range(0, 16))
    assert not out[:, 16:].any()


def test_breach_band_has_its_50_m_minimum_and_stops_where_the_ground_reaches_the_level():
    ground, z, dike, cell = _strip(ground_behind=2.8, dike_ground=2.8)
    # 0.2 m behind the dike → 20 m, raised to the 50 m minimum: columns 6-10
    out = breach_flood(ground, z, _wet(z, 3.0), dike, 3.0, cell)
    assert _flooded_columns(out) == list(range(0, 11))
    # ground above the level from column 9: the band stops there (R. 562-11-4)
    ground, z, dike, cell = _strip()
    ground[:, 9:] = 3.5
    z[:, 9:] = 3.5
    out = breach_flood(ground, z, _wet(z, 3.0), dike, 3.0, cell)
    assert _flooded_columns(out) == list(range(0, 9))


def test_breach_needs_water_against_the_dike_and_a_head_on_it():
    # the level below the ground under the dike: no head, nothing fails
    ground, z, dike, cell = _strip(ground_behind=2.0, dike_ground=3.2)
    wet = _wet(z, 3.0)
    assert np.array_equal(breach_flood(ground, z, wet, dike, 3.0, cell), wet)
    # a high dune in front of the dike keeps the water away from it: it does not fail
    ground, z, dike, cell = _strip()
    z[:, 4] = ground[:, 4] = 6.0
    wet = _wet(z, 3.0)
    assert np.array_equal(breach_flood(ground, z, wet, dike, 3.0, cell), wet)
    # no defence at all: the flood is unchanged
    ground, z, _, cell = _strip()
    wet = _wet(z, 3.0)
    none = np.zeros(z.shape, dtype=bool)
    assert np.array_equal(breach_flood(ground, z, wet, none, 3.0, cell), wet)


def test_intertidal_cells_on_a_hand_built_dem():
    z = np.array([[-5.0, 1.0, 1.0, 3.0, 3.0, 3.0],
                  [-5.0, 1.0, 2.5, 3.0, 1.0, 3.0],
                  [-5.0, 2.0, 3.0, 3.0, 3.0, 3.0]], dtype=np.float32)
    sea = np.zeros(z.shape, dtype=bool)
    sea[:, 0] = True
    tide = intertidal_mask(z, 2.4, sea)
    # below 2.4 m and connected to the sea: the sea column and the 1.0/2.0 m foreshore
    expected = np.zeros(z.shape, dtype=bool)
    expected[:, 0] = True
    expected[0, 1] = expected[0, 2] = expected[1, 1] = expected[2, 1] = True
    assert np.array_equal(tide, expected)
    # the 1.0 m hollow behind the 3 m ground is not foreshore; the 2.5 m cell is above it
    assert not tide[1, 4] and not tide[1, 2]


# -- the model on the toy territory with a dikes layer -------------------------------------------
def _with_dikes(root: Path, crest: float, name: str = "dikes.gpkg") -> Path:
    """The toy territory plus a dikes layer: one line along column 9 (where the beach opens on
    the marsh) at ``crest``."""
    y0, y1 = Y0 - DIKE_ROW_MARSH[0] * CELL - 10, Y0 - DIKE_ROW_MARSH[1] * CELL + 10
    gpd.GeoDataFrame({"crest_m": [crest], "name": ["digue test"], "type": ["terre"]},
                     geometry=[LineString([(DIKE_X, y0), (DIKE_X, y1)])],
                     crs="EPSG:2154").to_file(root / name)
    manifest = json.loads((root / "territory.json").read_text("utf-8"))
    manifest["layers"]["dikes"] = {"path": name, "kind": "vector", "synthetic": False,
                                   "source": "test"}
    (root / "territory.json").write_text(json.dumps(manifest), "utf-8")
    return root


@pytest.fixture(scope="module")
def toys(tmp_path_factory):
    from twin_core.territory import Territory

    base = tmp_path_factory.mktemp("coast_defences")
    plain = _write_territory(base / "plain")
    high = _with_dikes(_write_territory(base / "high"), 5.0)
    low = _with_dikes(_write_territory(base / "low"), 3.0)
    return {k: Territory.load(v) for k, v in (("plain", plain), ("high", high), ("low", low))}


def test_dike_above_the_100_year_level_removes_the_flood_behind_it(toys):
    plain = _run(toys["plain"], horizon=2050).values
    high = _run(toys["high"], horizon=2050)
    v = high.values
    assert v["water_level_m"] < 5.0  # the 100-year level of 2050 stays below the crest
    assert plain["residents_flooded"] > 0 and plain["flooded_ha"] > 500
    # the marsh behind the dike is dry in the baseline: it is today's work, not an option
    assert v["residents_flooded"] == pytest.approx(SEAWARD) and v["public_flooded"] == 0
    assert v["flooded_ha"] < 0.05 * plain["flooded_ha"]
    assert v["ead_meur"] < plain["ead_meur"] and v["option_cost_meur"] == 0
    flood = high.layers["flood"].values
    assert not np.nan_to_num(flood[DIKE_ROW_MARSH[0]:DIKE_ROW_MARSH[1], 10:30]).any()
    # the 1000-year level of 2100 with the high-end sea-level rise (2 m) overtops it
    rare = _run(toys["high"], horizon=2100, return_period=1000,
                sea_level_option="high_end").values
    assert rare["water_level_m"] > 5.0 and rare["residents_flooded"] > 0


def test_dike_below_the_level_is_overtopped(toys):
    plain = _run(toys["plain"], horizon=2050).values
    low = _run(toys["low"], horizon=2050).values
    assert low["water_level_m"] > 3.0
    assert low["flooded_ha"] == pytest.approx(plain["flooded_ha"])
    assert low["residents_flooded"] == pytest.approx(plain["residents_flooded"])


def test_raising_the_loaded_dike_pays_only_above_its_crest(toys):
    from twin_core.models.coast import exposure as ex

    # "raise the dike" to today's crest: nothing to build; a lower crest never lowers it
    assert _run(toys["high"], horizon=2050, dike_crest_m=5.0).values[
        "cost_raise_defence_meur"] == 0
    lower = _run(toys["high"], horizon=2050, dike_crest_m=4.0).values
    assert lower["cost_raise_defence_meur"] == 0
    assert lower["residents_flooded"] == pytest.approx(SEAWARD)
    # to 6 m: 1 m above today's 5 m crest along the layer's 3 580 m line (rows 5-34)
    above = _run(toys["high"], horizon=2050, dike_crest_m=6.0).values
    expected = ex.raise_defence(3580.0, 1.0).present_cost(2050 - 2025 + 1, ex.DISCOUNT_RATE)
    assert above["cost_raise_defence_meur"] == pytest.approx(expected / 1e6, rel=1e-3)


def test_breach_brings_the_flood_back_within_the_precaution_band(toys):
    # the 1000-year storm of 2050 (level ≈ 4.1 m) stays below the 5 m crest
    held = _run(toys["high"], horizon=2050, return_period=1000)
    broken = _run(toys["high"], horizon=2050, return_period=1000, defence_failure="breach")
    plain = _run(toys["plain"], horizon=2050, return_period=1000)
    level = held.values["water_level_m"]
    assert level < 5.0
    assert held.values["residents_flooded"] == pytest.approx(SEAWARD)
    # water height behind the dike: level − 2.6 m (the ground under it); band ≥ 50 m
    band = max(PRECAUTION_BAND_FACTOR * (level - 2.6), PRECAUTION_BAND_MIN_M)
    n_behind = int(band // CELL)  # marsh columns 10, 11, ... whose centre is in the band
    assert n_behind >= 1
    wet = np.nan_to_num(broken.layers["flood"].values) > 0
    rows = slice(DIKE_ROW_MARSH[0], DIKE_ROW_MARSH[1])
    assert wet[rows, 9].all()  # the breached dike cells
    assert wet[rows, 10:10 + n_behind].all()
    assert not wet[rows, 10 + n_behind:].any()  # beyond the band: dry
    b, h, p = broken.values, held.values, plain.values
    assert h["flooded_ha"] < b["flooded_ha"] < p["flooded_ha"]
    assert b["ead_meur"] >= h["ead_meur"]
    # the marsh buildings b2 (column 20) and b3 (column 25) are outside the band
    assert b["residents_flooded"] == pytest.approx(SEAWARD)
    # without a dike layer the option changes nothing (no defence to fail)
    nd = _run(toys["plain"], horizon=2050, return_period=1000, defence_failure="breach")
    assert nd.values["flooded_ha"] == pytest.approx(p["flooded_ha"])


def test_foreshore_never_counts_as_flooded_land(toys):
    for rp in (10, 100, 1000):
        r = _run(toys["plain"], horizon=2050, return_period=rp)
        flood = np.nan_to_num(r.layers["flood"].values)
        # the 0.5 m beach: below spring high water, open sea, except the two cells b0 and b1
        # stand on (a built cell is land: rows 3 and 30)
        assert set(np.flatnonzero(flood[:, 8])) == {3, 30}, rp
        assert r.values["residents_flooded"] == pytest.approx(8.8 + SEAWARD)
    # the baseline of an option run too: a relocation does not bring the beach back
    opt = _run(toys["plain"], horizon=2050, relocate_dwellings=1)
    assert set(np.flatnonzero(np.nan_to_num(opt.layers["flood"].values)[:, 8])) == {3, 30}


def test_evidence_lists_the_breach_assumption_and_names_the_defences(toys):
    from twin_core.evidence import assess
    from twin_core.indicators import all_indicators

    get_indicator = all_indicators().__getitem__

    for key in ("coast.flooded_ha", "coast.dwellings_flooded", "coast.residents_flooded",
                "coast.ead_meur", "coast.damage_event_meur"):
        assert "defence_failure" in get_indicator(key).evidence.assumptions, key
    plain = _run(toys["plain"], horizon=2050)
    tip = assess(get_indicator("coast.flooded_ha"), plain).tooltip("fr")
    assert "upper bound without defences" in tip and "foreshore" in tip
    high = _run(toys["high"], horizon=2050, defence_failure="breach")
    tip = assess(get_indicator("coast.dwellings_flooded"), high).tooltip("en")
    assert "1 defence line(s)" in tip and "crest 5.00-5.00 m" in tip
    assert "precaution band" in tip and "upper bound" not in tip
    assert "Failure of the dikes" in tip  # the assumption, by its label


# -- the dikes layer's schema and import --------------------------------------------------------
def _dikes_file(path: Path, **change) -> Path:
    gdf = gpd.GeoDataFrame({"crest_m": [5.0], "name": ["d"]},
                           geometry=[LineString([(DIKE_X, Y0 - 600), (DIKE_X, Y0 - 3000)])],
                           crs="EPSG:2154")
    if "crs" in change:
        gdf = gdf.to_crs(change["crs"])
    if "drop" in change:
        gdf = gdf.drop(columns=change["drop"])
    if "crest" in change:
        gdf["crest_m"] = change["crest"]
    if "polygon" in change:
        gdf = gdf.set_geometry([Polygon([(DIKE_X, Y0 - 600), (DIKE_X + 50, Y0 - 600),
                                         (DIKE_X, Y0 - 900)])])
    gdf.to_file(path)
    return path


@pytest.mark.parametrize("change,code,words", [
    ({"crs": "EPSG:4326"}, "wrong_crs", ("dikes", "EPSG:2154")),
    ({"drop": "crest_m"}, "missing_column", ("crest_m", "m")),
    ({"polygon": True}, "wrong_geometry_type", ("Polygon", "LineString")),
    ({"crest": 475.0}, "column_out_of_range", ("crest_m", "475")),
])
def test_dikes_layer_refused_with_a_clear_message(tmp_path, change, code, words):
    from twin_core.territory.create import check_report

    root = _write_territory(tmp_path / "t")
    path = _dikes_file(tmp_path / "bad.gpkg", **change)
    with pytest.raises(TwinInputError) as err:
        check_report(root, "dikes", path)
    assert err.value.code == code
    text = err.value.message("fr")
    for w in words:
        assert w in text, (w, text)


def test_dikes_layer_imported_with_the_cli_is_used_by_the_model(tmp_path):
    from twin_core.cli import main
    from twin_core.territory import Territory

    root = _write_territory(tmp_path / "t")
    before = _run(Territory.load(root), horizon=2050).values
    src = tmp_path / "digues.gpkg"
    gpd.GeoDataFrame({"crest_m": [5.0]}, geometry=[LineString([
        (DIKE_X, Y0 - DIKE_ROW_MARSH[0] * CELL - 10),
        (DIKE_X, Y0 - DIKE_ROW_MARSH[1] * CELL + 10)])], crs="EPSG:2154").to_file(src)
    assert main(["territory", "import", str(root), "dikes", str(src)]) in (0, None)
    manifest = json.loads((root / "territory.json").read_text("utf-8"))
    assert manifest["layers"]["dikes"]["path"] == "dikes.gpkg"
    after = _run(Territory.load(root), horizon=2050).values
    assert after["residents_flooded"] == pytest.approx(SEAWARD)
    assert SEAWARD < before["residents_flooded"]
    # a refused file changes nothing
    shutil.copyfile(root / "territory.json", tmp_path / "manifest.json")
    bad = _dikes_file(tmp_path / "bad.gpkg", drop="crest_m")
    with pytest.raises(TwinInputError):
        from twin_core.territory.create import import_layer

        import_layer(str(root), "dikes", bad, log=lambda _m: None)
    assert (root / "territory.json").read_text("utf-8") == \
        (tmp_path / "manifest.json").read_text("utf-8")


def test_loaded_dikes_are_a_result_layer_drawn_on_the_map(toys):
    import holoviews as hv

    from dashboards.coast_views import coast_map

    high = _run(toys["high"], horizon=2050)
    assert "defences" not in _run(toys["plain"], horizon=2050).layers
    dikes = high.layers["defences"]
    assert len(dikes) == 1 and dikes["crest_m"].iloc[0] == 5.0
    from twin_core.models.registry import get_model

    ov = coast_map(high, get_model("coast.risk").spec, toys["high"].layer("communes"), False,
                   "fr")
    paths = [e for e in ov if isinstance(e, hv.Path) and e.label == "Digues existantes "
             "(couche chargée)"]
    assert len(paths) == 1 and len(paths[0].data) == 1
