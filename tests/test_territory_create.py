"""`twin territory create` from ../shared/data (a commune list, an EPCI), every use case that has
its layers run on the result, provenance and clipping checked; bad input refused with a clear
message (fr/en) and nothing written; `twin territory import` checks before it replaces."""

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio

from twin_core.cli import main
from twin_core.errors import TwinInputError
from twin_core.models.registry import get_model
from twin_core.territory import Territory
from twin_core.territory import build as B
from twin_core.territory import create as C

SHARED = B.DEFAULT_SOURCE
#: Roquebrune-sur-Argens (a Cerema arc with a rate) and Les Adrets-de-l'Estérel (inland)
CODES = ["83107", "83001"]
#: CC Saulieu-Morvan (Côte-d'Or): 12 communes, 14 Naïades stations with nitrate analyses
EPCI_21 = "242101442"


def _create(tmp: Path, name: str, *sel: str) -> Path:
    assert main(["territory", "create", name, *sel, "--from", str(SHARED), "--into",
                 str(tmp)]) == 0
    return tmp / name


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("territories")
    return {"list": _create(tmp, "esterel", "--communes", *CODES),
            "epci": _create(tmp, "cc21", "--epci", EPCI_21)}


def _scenario(name: str, territory: Territory):
    model = get_model(C.MODEL_OF_USE_CASE[name])
    kw = {}
    if name == "zan":
        kw["group"] = "ain" if territory.has_layer("conso_naf") and not territory.has_layer(
            "conso_naf_synthetic") else "gironde"
    if name == "forest":  # the ignition point inside the territory's largest stand
        st = territory.layer("stands")
        p = st.geometry.iloc[int(st.area.argmax())].representative_point()
        kw.update(ignition_x=p.x, ignition_y=p.y)
    return model, model.scenario_class(**kw)


@pytest.mark.parametrize("which, runs, lacks", [
    ("list", {"coast", "forest", "zan"}, {"agriculture": {"stations", "nitrates", "crops"}}),
    ("epci", {"agriculture", "zan"}, {"coast": {"erosion", "dem", "buildings"},
                                      "forest": {"stands", "weather_nice_synop"}}),
])
def test_created_territory_runs_every_use_case_that_has_its_layers(made, which, runs, lacks):
    root = made[which]
    terr = Territory.load(root)
    terr.check()
    uc = terr.manifest["use_cases"]
    assert {k for k, v in uc.items() if v["runs"]} == runs
    for k, missing in lacks.items():
        assert set(uc[k]["missing"]) == missing
    for name in sorted(runs):
        model, scenario = _scenario(name, terr)
        res = model.run(terr, scenario)
        finite = [np.isfinite(float(v)) for v in res.values.values()
                  if isinstance(v, int | float)]
        assert sum(finite) >= len(finite) // 2, name  # (ratios of a zero cost may be NaN)
        if name == "coast":  # the synthetic buildings feed the coast indicators, flagged
            assert "buildings" in res.synthetic_inputs
    # synthetic stand-ins are labelled, and flagged on the results that use them
    for key, info in terr.manifest["layers"].items():
        assert info["synthetic"] == key.endswith("_synthetic")


def test_provenance_of_every_layer_names_the_file_its_date_and_checksum(made):
    for root in made.values():
        manifest = json.loads((root / "territory.json").read_text("utf-8"))
        assert manifest["selection"]["source"] == str(SHARED.resolve())
        for key, info in manifest["layers"].items():
            prov = info["provenance"]
            if info["synthetic"]:
                assert prov["inputs"], key
                continue
            assert prov["product"] and prov["licence"] and len(prov["date"]) == 10, key
            if "files" not in prov:  # one source file: its own SHA-256
                digest = hashlib.sha256((SHARED / prov["file"]).read_bytes()).hexdigest()
                assert prov["sha256"] == digest, key
        communes = manifest["layers"]["communes"]["provenance"]
        assert communes["file"] == "communes/communes_france.parquet"


def test_every_feature_lies_in_the_communes_and_rasters_cover_them(made):
    national = gpd.read_parquet(SHARED / "communes/communes_france.parquet")
    for which, root in made.items():
        terr = Territory.load(root)
        communes = terr.layer("communes")
        want = CODES if which == "list" else sorted(
            national.loc[(national["type"] == "COM") & (national["epci_code"] == EPCI_21),
                         "code_insee"])
        assert sorted(communes["code_insee"]) == sorted(want)
        area = communes.union_all()
        for key, info in terr.manifest["layers"].items():
            if info["kind"] == "vector" and key not in ("communes", "catchments"):
                gdf = terr.layer(key)
                assert gdf.crs.to_epsg() == 2154
                assert float(gdf.distance(area).max()) < 1.0, key  # none outside
            if info["kind"] == "table" and "code_insee" in terr.layer(key):
                assert set(terr.layer(key)["code_insee"]) <= set(communes["code_insee"]), key
        if terr.has_layer("dem"):
            with rasterio.open(root / "dem.tif") as ds:
                assert ds.crs.to_epsg() == 2154
                x0, y0, x1, y1 = communes.total_bounds
                b = ds.bounds
                assert b.left <= x0 and b.bottom <= y0 and b.right >= x1 and b.top >= y1
                assert b.left > x0 - 1200 and b.top < y1 + 1200  # clipped: 1 km pad + a cell


def _refused(capsys, argv, code_words):
    assert main(argv) == 2
    err = capsys.readouterr().err
    for w in code_words:
        assert w in err, (w, err)
    return err


def test_bad_selections_are_refused_with_a_clear_message_and_nothing_written(tmp_path,
                                                                               capsys):
    base = ["--from", str(SHARED), "--into", str(tmp_path)]
    _refused(capsys, ["territory", "create", "x", "--communes", "83107", "99999", *base],
             ["1 commune code", "99999"])
    _refused(capsys, ["territory", "create", "x", "--epci", "123456789", *base],
             ["123456789", "SIREN"])
    _refused(capsys, ["territory", "create", "x", "--departement", "00", *base], ["'00'"])
    # Toulon lies west of 6° E, outside the SRTM tile: the DEM covers only part of it
    err = _refused(capsys, ["territory", "create", "x", "--communes", "83137", "83107", *base],
                   ["covers only", "srtm3_43N_06E-08E.tif", "--dem none"])
    assert "100.0 %" not in err
    _refused(capsys, ["territory", "create", "x", "--communes", "83107", "--dem",
                      str(SHARED / "elevation/gironde_topobathy_120m.tif"), *base],
             ["covers only 0.0 %"])
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(TwinInputError) as exc:
        C.create_territory("x", epci="123456789", source=SHARED, into=tmp_path)
    assert "SIREN" in exc.value.message("fr") and "Aucun EPCI" in exc.value.message("fr")


def test_a_territory_too_large_for_a_layer_says_so_with_the_figure(tmp_path, monkeypatch):
    monkeypatch.setattr(C, "MAX_DEM_CELLS", 10_000)
    with pytest.raises(TwinInputError) as exc:
        C.create_territory("big", communes=CODES, source=SHARED, into=tmp_path)
    assert exc.value.code == "territory_too_large" and "dem" in str(exc.value)
    assert "TWIN_MAX_DEM_CELLS" in str(exc.value) and "cells" in str(exc.value)
    assert not (tmp_path / "big").exists()


def test_existing_territory_is_not_replaced_without_overwrite(made, capsys):
    root = made["list"]
    before = (root / "territory.json").read_bytes()
    _refused(capsys, ["territory", "create", root.name, "--communes", *CODES, "--from",
                      str(SHARED), "--into", str(root.parent)], ["--overwrite"])
    assert (root / "territory.json").read_bytes() == before


def test_import_checks_first_keeps_the_previous_version_and_retires_the_stand_in(
        made, tmp_path, capsys):
    root = made["list"]
    stands = gpd.read_file(root / "stands.gpkg")
    before = (root / "stands.gpkg").read_bytes()
    # wrong CRS, missing column: refused, the layer untouched
    stands.to_crs(4326).to_file(tmp_path / "wgs84.gpkg")
    _refused(capsys, ["territory", "import", str(root), "stands", str(tmp_path / "wgs84.gpkg")],
             ["EPSG:4326", "EPSG:2154"])
    stands.drop(columns="essence").to_file(tmp_path / "noessence.gpkg")
    _refused(capsys, ["territory", "import", str(root), "stands",
                      str(tmp_path / "noessence.gpkg")], ["essence"])
    _refused(capsys, ["territory", "import", str(root), "nope", str(tmp_path / "wgs84.gpkg")],
             ["Unknown layer", "stands"])
    assert (root / "stands.gpkg").read_bytes() == before
    # a management plan's stands (here: the largest 50) replace the layer
    plan = stands.nlargest(50, "area_ha")
    plan.to_file(tmp_path / "plan.gpkg")
    assert main(["territory", "import", str(root), "stands", str(tmp_path / "plan.gpkg")]) == 0
    assert "check of 'stands' passed: 50 rows" in capsys.readouterr().out
    terr = Territory.load(root)
    assert len(terr.layer("stands")) == 50
    info = terr.manifest["layers"]["stands"]
    assert info["previous"]["path"] == "stands.prev.gpkg" and not info["synthetic"]
    assert (root / "stands.prev.gpkg").read_bytes() == before
    # a real buildings file retires the synthetic stand-in (kept as .prev)
    bld = gpd.read_file(root / "buildings_synthetic.gpkg")
    bld.to_file(tmp_path / "bdtopo.gpkg")
    assert main(["territory", "import", str(root), "buildings",
                 str(tmp_path / "bdtopo.gpkg")]) == 0
    terr = Territory.load(root)
    assert "buildings_synthetic" not in terr.manifest["layers"]
    assert not terr.is_synthetic("buildings")
    assert (root / "buildings_synthetic.prev.gpkg").exists()
    assert terr.manifest["layers"]["buildings"]["previous"]["layer"] == "buildings_synthetic"
