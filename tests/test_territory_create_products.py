"""`twin territory create --from DIR` with the national products in their distributed layouts
(issue 18): IGN BD TOPO bâtiments (BDT_3-x_GPKG_….gpkg, layer ``batiment``), IGN/ASP RPG
(PARCELLES_GRAPHIQUES.shp, upper-case columns) and the national Cerema land-take CSV
(conso2009_2023_resultats_com.csv). The files are made here, small, from the sample data (a
few features inside the communes, next to them and far away) in a folder that otherwise links
../shared/data; the build must find them, read only the territory's box, clip, reproject, use
them instead of the synthetic stand-ins with their provenance, and the models must run on them.
Bad input (wrong layer, missing column, too many features) is refused naming the file, with
nothing written."""

import hashlib
import json
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from twin_core.cli import main
from twin_core.errors import TwinInputError
from twin_core.models.registry import get_model
from twin_core.territory import Territory
from twin_core.territory import build as B
from twin_core.territory import create as C
from twin_core.territory import products as P

SHARED = B.DEFAULT_SOURCE
#: Roquebrune-sur-Argens (coastal, a Cerema arc) and Les Adrets-de-l'Estérel (inland, forest)
CODES = ["83107", "83001"]
OUTSIDE = "83061"  # Fréjus, their neighbour (inside their bounding box in part)
FAR = "06088"  # Nice, outside the box: must not even be read
#: CC Saulieu-Morvan (Côte-d'Or): river stations with nitrate analyses, agriculture runs there;
#: Champeau-en-Morvan and Molphey get RPG parcels
EPCI_21 = "242101442"
CD21 = "21139"
CD21B = "21422"
BDT = ("BDTOPO_3-3_TOUSTHEMES_GPKG_LAMB93_D083_2023-12-15/BDTOPO/1_DONNEES_LIVRAISON_2024-01-"
       "00059/BDT_3-3_GPKG_LAMB93_D083-ED2023-12-15/BDT_3-3_GPKG_LAMB93_D083-ED2023-12-15.gpkg")
RPG93 = ("RPG_2-0_SHP_LAMB93_R93_2021-01-01/RPG/1_DONNEES_LIVRAISON_2021/"
         "RPG_2-0_SHP_LAMB93_R93-2021/PARCELLES_GRAPHIQUES.shp")
RPG27 = RPG93.replace("R93", "R27")
CEREMA = "cerema/conso2009_2023_resultats_com.csv"
LINKED = ("communes", "coast", "elevation", "forest", "climate", "water", "zan")
REF_COLS = [f"naf{y % 100:02d}art{(y + 1) % 100:02d}" for y in range(2011, 2021)]


def _communes(*codes: str) -> gpd.GeoDataFrame:
    c = gpd.read_parquet(SHARED / "communes/communes_france.parquet")
    c = c[(c["type"] == "COM") & c["code_insee"].isin(codes)].to_crs(2154)
    return c.set_index("code_insee")


def _linked(root: Path) -> Path:
    """A source folder laid out like ../shared/data (its folders linked)."""
    root.mkdir(parents=True)
    for d in LINKED:
        (root / d).symlink_to(SHARED / d, target_is_directory=True)
    return root


def _square(p, side: float = 12.0):
    return shapely.MultiPolygon([box(p.x - side / 2, p.y - side / 2, p.x + side / 2,
                                     p.y + side / 2)])


def _bdtopo_rows(ignition, communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """BD TOPO BATIMENT rows (GeoPackage field names, DC_BDTOPO_3-4): 3 homes at the forest
    ignition point, 1 on Roquebrune's shore, a few in each commune's centre, 3 in Fréjus and
    1 in Nice (outside)."""
    arcs = gpd.read_file(SHARED / "coast/erosion_coastal_arcs_by_commune.geojson").to_crs(2154)
    arc = arcs[arcs["code_insee"] == "83107"].geometry.iloc[0]
    inner = communes.loc["83107"].geometry.buffer(-15.0)
    shore = shapely.ops.nearest_points(inner, arc.interpolate(0.5, normalized=True))[0]
    rows = []

    def add(tag, p, use, dwellings, floors=2):
        rows.append({"cleabs": f"BATIMENT{len(rows):016d}", "nature": "Indifférenciée",
                     "usage_1": use, "usage_2": None, "construction_legere": False,
                     "etat_de_l_objet": "En service", "nombre_de_logements": dwellings,
                     "nombre_d_etages": floors, "hauteur": 3.0 * floors, "tag": tag,
                     "geometry": _square(p)})

    for dx in (0.0, 20.0, 40.0):
        add("fire", shapely.Point(ignition.x + dx, ignition.y), "Résidentiel", 2)
    add("shore", shore, "Résidentiel", 5)
    for code in CODES:
        c = communes.loc[code].geometry.representative_point()
        for i in range(4):
            add("centre", shapely.Point(c.x + 30 * i, c.y), "Résidentiel", 10 + i)
        add("centre", shapely.Point(c.x, c.y + 40), "Commercial et services", 0, 1)
    f = communes.loc[OUTSIDE].geometry.representative_point()
    for i in range(3):
        add("outside", shapely.Point(f.x + 30 * i, f.y), "Résidentiel", 100)
    add("far", communes.loc[FAR].geometry.representative_point(), "Résidentiel", 1000)
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=2154)


def _write_bdtopo(path: Path, rows: gpd.GeoDataFrame, layer: str = "batiment") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows.drop(columns="tag").to_file(path, layer=layer, driver="GPKG")
    # another class of the theme in the same GeoPackage, as IGN delivers it
    gpd.GeoDataFrame({"cleabs": ["CONSSURF0000000000000001"], "nature": ["Mur"]},
                     geometry=[box(0, 0, 1, 1).boundary], crs=2154).to_file(
        path, layer="construction_lineaire", driver="GPKG")
    return path


def _write_rpg(path: Path, parcels: list[tuple[str, str, float]]) -> gpd.GeoDataFrame:
    """PARCELLES_GRAPHIQUES.shp (RPG 2.0 descriptif: ID_PARCEL, SURF_PARC ha, CODE_CULTU,
    CODE_GROUP, CULTURE_D1, CULTURE_D2), one square per (commune, crop code, ha)."""
    com = _communes(*{c for c, _, _ in parcels})
    rows = []
    for i, (code, cultu, ha) in enumerate(parcels):
        p = com.loc[code].geometry.representative_point()
        side = float(np.sqrt(ha * 1e4))
        g = box(p.x + 5 * i, p.y - 400 * i, p.x + 5 * i + side, p.y - 400 * i + side)
        rows.append({"ID_PARCEL": str(9_000_000 + i), "SURF_PARC": ha, "CODE_CULTU": cultu,
                     "CODE_GROUP": "1", "CULTURE_D1": None, "CULTURE_D2": None,
                     "commune": code, "geometry": g})
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=2154)
    path.parent.mkdir(parents=True, exist_ok=True)
    gdf.drop(columns="commune").to_file(path)
    return gdf


def _write_cerema(path: Path, codes: dict[str, str], drop: str | None = None) -> pd.DataFrame:
    """The national Cerema CSV (the Ain extract's 131 columns and values), with rows
    relabelled as ``codes`` (idcom → name) and the Ain rows kept."""
    ain = pd.read_csv(SHARED / "zan/cerema_conso_naf_2009_2023_ain_9communes.csv", sep=";",
                      dtype={"idcom": str, "idreg": str, "iddep": str, "epci23": str})
    ours = ain.head(len(codes)).copy()
    ours["idcom"], ours["idcomtxt"] = list(codes), list(codes.values())
    ours["iddep"], ours["iddeptxt"] = [c[:2] for c in codes], "Var"
    table = pd.concat([ain, ours], ignore_index=True)
    if drop:
        table = table.drop(columns=drop)
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, sep=";", index=False)
    return table


def _create(src: Path, into: Path, name: str, *sel: str) -> Path:
    how = ["--epci", *sel] if sel == (EPCI_21,) else ["--communes", *sel]
    assert main(["territory", "create", name, *how, "--from", str(src), "--into",
                 str(into)]) == 0
    return into / name


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("national")
    base = _create(SHARED, tmp, "base", *CODES)  # the stand-ins, and where the forest burns
    stands = Territory.load(base).layer("stands")
    ignition = stands.geometry.iloc[int(stands.area.argmax())].representative_point()
    com = _communes(*CODES, OUTSIDE, FAR)
    src = _linked(tmp / "src")
    rows = _bdtopo_rows(ignition, com)
    _write_bdtopo(src / BDT, rows)
    parcels = _write_rpg(src / RPG93, [("83107", "BTH", 3.0), ("83107", "MIS", 2.0),
                                       ("83001", "PPH", 4.0), (OUTSIDE, "BTH", 50.0),
                                       (CD21, "BTH", 70.0)])  # far: not read
    cerema = _write_cerema(src / CEREMA, {"83107": "Roquebrune-sur-Argens",
                                          "83001": "Les Adrets-de-l'Estérel",
                                          OUTSIDE: "Fréjus"})
    log: list[str] = []
    out = C.create_territory("esterel", communes=CODES, source=src, into=tmp,
                             log=log.append)
    # a Côte-d'Or commune with river stations: the RPG replaces the synthetic crop areas there
    src21 = _linked(tmp / "src21")
    parcels21 = _write_rpg(src21 / RPG27, [(CD21, "BTH", 6.0), (CD21, "MIS", 3.0),
                                           (CD21B, "PPH", 5.0), (CD21B, "LUZ", 1.0)])
    out21 = _create(src21, tmp, "saulieu", EPCI_21)
    base21 = _create(SHARED, tmp, "saulieu_base", EPCI_21)
    return {"base": base, "out": out, "src": src, "rows": rows, "parcels": parcels,
            "cerema": cerema, "log": log, "ignition": ignition, "out21": out21,
            "parcels21": parcels21, "base21": base21, "src21": src21}


def test_national_products_found_and_named_in_the_build_log(built):
    found = P.find_national(built["src"])
    assert {k: v.path for k, v in found.items()} == {
        "buildings": built["src"] / BDT, "rpg": built["src"] / RPG93,
        "conso_naf": built["src"] / CEREMA}
    assert found["buildings"].edition == "BD TOPO 3.3, D083, édition 2023-12-15"
    assert found["rpg"].edition == "RPG 2.0, R93, campagne 2021"
    assert found["conso_naf"].edition == "2009-2023"
    log = "\n".join(built["log"])
    assert f"buildings: {BDT} (BD TOPO 3.3" in log and f"rpg: {RPG93}" in log
    assert f"conso_naf: {CEREMA}" in log
    # the sample folder has none of them: the log says what was looked for
    none = C.Inputs(SHARED).national_report()
    assert all("not found (looked for" in line for line in none)
    assert "PARCELLES_GRAPHIQUES.shp" in "\n".join(none)


def test_buildings_clipped_reprojected_and_the_stand_in_retired(built):
    terr = Territory.load(built["out"])
    terr.check()
    layers = terr.manifest["layers"]
    assert "buildings" in layers and "buildings_synthetic" not in layers
    assert layers["buildings"]["synthetic"] is False
    assert "buildings_synthetic" in Territory.load(built["base"]).manifest["layers"]
    bld = terr.layer("buildings")
    assert bld.crs.to_epsg() == 2154
    rows = built["rows"]
    inside = rows[rows["tag"].isin(["fire", "shore", "centre"])]
    # exactly the buildings inside the communes: none of Fréjus (in the box) nor Nice
    assert sorted(bld["building_id"]) == sorted(inside["cleabs"])
    assert float(bld.distance(terr.layer("communes").union_all()).max()) < 1.0
    assert int(bld["dwellings"].sum()) == int(inside["nombre_de_logements"].sum())
    np.testing.assert_allclose(bld["residents"].sum(), bld["dwellings"].sum() * 2.19)
    # footprint 12 m × 12 m × floors (GeoPackage nombre_d_etages)
    byid = bld.set_index("building_id")
    for _, r in inside.iterrows():
        assert byid.loc[r["cleabs"], "floor_area_m2"] == pytest.approx(144.0 *
                                                                       r["nombre_d_etages"])
    assert set(bld.loc[bld["dwellings"] == 0, "use"]) == {"commercial"}


def test_crops_and_land_take_are_the_national_rows(built):
    terr = Territory.load(built["out"])
    layers = terr.manifest["layers"]
    crops = terr.layer("crops").set_index(["code_insee", "crop"])["area_ha"]
    assert crops.to_dict() == pytest.approx({("83107", "winter_wheat"): 3.0,
                                             ("83107", "maize_grain"): 2.0,
                                             ("83001", "grassland"): 4.0})  # not Fréjus's
    assert layers["crops"]["synthetic"] is False
    conso = terr.layer("conso_naf")
    assert sorted(conso["idcom"]) == sorted(CODES)  # Fréjus and the Ain rows left out
    assert "conso_naf_synthetic" not in layers and layers["conso_naf"]["synthetic"] is False
    want = built["cerema"].set_index("idcom").loc[sorted(CODES), REF_COLS]
    got = conso.set_index("idcom").loc[sorted(CODES), REF_COLS].astype(float)
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(float))


def test_provenance_names_product_edition_file_date_and_checksum(built):
    layers = json.loads((built["out"] / "territory.json").read_text("utf-8"))["layers"]
    src = built["src"]
    prov = layers["buildings"]["provenance"]
    assert prov["product"].startswith("IGN BD TOPO") and prov["layer"] == "batiment"
    assert prov["edition"] == "BD TOPO 3.3, D083, édition 2023-12-15"
    assert prov["file"] == BDT and prov["licence"].startswith("Licence Ouverte")
    assert prov["sha256"] == hashlib.sha256((src / BDT).read_bytes()).hexdigest()
    assert len(prov["date"]) == 10 and "geoservices.ign.fr" in prov["documentation"]
    prov = layers["crops"]["provenance"]
    assert prov["edition"] == "RPG 2.0, R93, campagne 2021"
    assert prov["files"] >= 4  # the .shp and its sidecars, all hashed
    assert "PARCELLES_GRAPHIQUES.shp" in prov["file"] and "PARCELLES_GRAPHIQUES.dbf" in prov["file"]
    prov = layers["conso_naf"]["provenance"]
    assert prov["file"] == CEREMA and prov["edition"] == "2009-2023"
    assert prov["sha256"] == hashlib.sha256((src / CEREMA).read_bytes()).hexdigest()


def test_models_run_on_the_national_products(built):
    terr = Territory.load(built["out"])
    assert {k for k, v in terr.manifest["use_cases"].items() if v["runs"]} == {
        "coast", "forest", "zan"}
    rows = built["rows"]
    ours = set(rows.loc[rows["tag"].isin(["fire", "shore", "centre"]), "cleabs"])
    # coast: the exposure table is made of the BD TOPO buildings, none synthetic
    coast = get_model("coast.risk")
    res = coast.run(terr, coast.scenario_class())
    assert "buildings" not in res.synthetic_inputs
    assert "buildings_synthetic" not in res.synthetic_inputs
    near = set(res.layers["buildings"]["building_id"])
    assert near and near <= ours
    assert rows.loc[rows["tag"] == "shore", "cleabs"].iloc[0] in near
    # forest: the homes the fire reaches are the BD TOPO homes within 50 m of the burnt forest
    forest = get_model("forest.climate_risk")
    ig = built["ignition"]
    res = forest.run(terr, forest.scenario_class(ignition_x=ig.x, ignition_y=ig.y))
    assert "buildings_synthetic" not in res.synthetic_inputs
    burnt = shapely.intersection(res.layers["fire"].union_all(),
                                 terr.layer("stands").union_all())
    bld = terr.layer("buildings")
    want = bld.loc[bld.distance(burnt) <= 50.0, "dwellings"].sum()
    assert res.values["fire_wui_homes"] == pytest.approx(float(want))
    assert res.values["fire_wui_homes"] >= 6  # the three homes at the ignition point
    # ZAN: the real land take of the national file (group 'ain' reads conso_naf)
    zan = get_model("zan.trajectory")
    res = zan.run(terr, zan.scenario_class(group="ain"))
    assert not res.synthetic_inputs
    ref = built["cerema"].set_index("idcom").loc[CODES, REF_COLS].to_numpy(float).sum() / 1e4
    assert res.values["reference_ha"] == pytest.approx(ref)


def test_rpg_retires_the_synthetic_crops_where_agriculture_runs(built):
    terr = Territory.load(built["out21"])
    layers = terr.manifest["layers"]
    assert "crops_synthetic" in Territory.load(built["base21"]).manifest["layers"]
    assert "crops" in layers and "crops_synthetic" not in layers
    assert terr.manifest["use_cases"]["agriculture"]["runs"]
    crops = terr.layer("crops").set_index(["code_insee", "crop"])["area_ha"]
    assert crops.to_dict() == pytest.approx({(CD21, "winter_wheat"): 6.0,
                                             (CD21, "maize_grain"): 3.0,
                                             (CD21B, "grassland"): 5.0, (CD21B, "other"): 1.0})
    model = get_model("agriculture.nitrate_water")
    res = model.run(terr, model.scenario_class())
    assert not [k for k in res.synthetic_inputs if k.startswith("crops")]
    assert any(np.isfinite(float(v)) for v in res.values.values()
               if isinstance(v, int | float))


def test_two_departements_deliveries_are_both_read_border_buildings_once(built, tmp_path):
    """BD TOPO comes per département; a building on the border is in both deliveries (same
    cleabs): every delivery under the folder is read in the box and the duplicate dropped."""
    src = _linked(tmp_path / "src")
    rows = built["rows"]
    shutil.copytree((built["src"] / BDT).parent, (src / BDT).parent)
    d06 = BDT.replace("D083", "D006")
    border = rows[rows["tag"] == "centre"].head(1)
    _write_bdtopo(src / d06, pd.concat([border, rows[rows["tag"] == "far"]]))
    log: list[str] = []
    out = C.create_territory("two_deps", communes=CODES, source=src, into=tmp_path,
                             log=log.append)
    bld = Territory.load(out).layer("buildings")
    inside = rows[rows["tag"].isin(["fire", "shore", "centre"])]
    assert sorted(bld["building_id"]) == sorted(inside["cleabs"])  # the border one once
    prov = json.loads((out / "territory.json").read_text("utf-8"))["layers"]["buildings"][
        "provenance"]
    assert prov["files"] == 2 and BDT in prov["file"] and d06 in prov["file"]
    assert "D083" in prov["edition"] and "D006" in prov["edition"]
    assert sum(line.startswith("  buildings: BDTOPO_3-3") for line in log) == 2


def test_bdtopo_with_nothing_in_the_communes_keeps_the_labelled_stand_in(built, tmp_path):
    src = _linked(tmp_path / "src")
    rows = built["rows"]
    _write_bdtopo(src / BDT, rows[rows["tag"].isin(["outside", "far"])])
    out = C.create_territory("none_in", communes=CODES, source=src, into=tmp_path,
                             log=lambda _m: None)
    manifest = json.loads((out / "territory.json").read_text("utf-8"))
    assert "buildings" not in manifest["layers"] and "buildings" not in manifest["missing"]
    info = manifest["layers"]["buildings_synthetic"]
    assert info["synthetic"] and "BD TOPO not used: no BD TOPO building of" in info["description"]


def test_bdtopo_shapefile_edition_is_found_and_read(built, tmp_path):
    """The shapefile delivery (…_SHP_…/BATI/BATIMENT.shp, 10-character upper-case fields ID,
    USAGE1, NB_LOGTS, NB_ETAGES, HAUTEUR) is found and read like the GeoPackage."""
    rel = ("BDTOPO_3-3_TOUSTHEMES_SHP_LAMB93_D083_2023-12-15/BDTOPO/1_DONNEES_LIVRAISON_2024-01-"
           "00059/BDT_3-3_SHP_LAMB93_D083-ED2023-12-15/BATI/BATIMENT.shp")
    rows = built["rows"]
    shp = gpd.GeoDataFrame({"ID": rows["cleabs"], "USAGE1": rows["usage_1"],
                            "NB_LOGTS": rows["nombre_de_logements"],
                            "NB_ETAGES": rows["nombre_d_etages"], "HAUTEUR": rows["hauteur"]},
                           geometry=rows.geometry, crs=2154)
    (tmp_path / rel).parent.mkdir(parents=True)
    shp.to_file(tmp_path / rel)
    nf = P.find_national(tmp_path)["buildings"]
    assert nf.path == tmp_path / rel and nf.layer is None
    assert nf.edition == "BD TOPO 3.3, D083, édition 2023-12-15"
    assert {p.suffix for p in nf.files} >= {".shp", ".shx", ".dbf", ".prj"}
    communes = _communes(*CODES).reset_index()
    bld = P.read_bdtopo_buildings(nf.path, communes)
    inside = rows[rows["tag"].isin(["fire", "shore", "centre"])]
    assert sorted(bld["building_id"]) == sorted(inside["cleabs"])
    assert int(bld["dwellings"].sum()) == int(inside["nombre_de_logements"].sum())


def test_read_bbox_reads_only_the_box_and_reprojects(tmp_path):
    """A file in another CRS (WGS84, as IGN also distributes) is read in its own CRS's box
    and comes out in Lambert-93; the far feature is not read."""
    com = _communes("83107", FAR)
    p = com.loc["83107"].geometry.representative_point()
    rows = gpd.GeoDataFrame({"cleabs": ["A", "B"], "usage_1": ["Résidentiel"] * 2,
                             "nombre_de_logements": [3, 4]},
                            geometry=[_square(p), _square(com.loc[FAR].geometry.centroid)],
                            crs=2154).to_crs(4326)
    path = tmp_path / "BATIMENT.gpkg"
    rows.to_file(path, layer="batiment", driver="GPKG")
    got = P.read_bbox(path, com.loc[["83107"]].reset_index(), "buildings", layer="batiment")
    assert list(got["cleabs"]) == ["A"]
    bld = P.read_bdtopo_buildings(path, com.loc[["83107"]].reset_index())
    assert bld.crs.to_epsg() == 2154 and list(bld["building_id"]) == ["A"]
    assert bld.geometry.iloc[0].distance(p) < 1.0  # back to the same place within 1 m


# == bad input ===================================================================================
def _refused(src: Path, tmp: Path, *codes: str) -> TwinInputError:
    with pytest.raises(TwinInputError) as err:
        C.create_territory("bad", communes=list(codes), source=src, into=tmp / "out",
                           log=lambda _m: None)
    # nothing half-written: neither the territory nor its temporary folder
    out = tmp / "out"
    assert not (out / "bad").exists() and not (out.exists() and any(out.iterdir()))
    return err.value


def test_bdtopo_without_its_layer_is_refused_naming_the_file(tmp_path):
    src = _linked(tmp_path / "src")
    rows = _bdtopo_rows(_communes("83001").geometry.iloc[0].representative_point(),
                        _communes(*CODES, OUTSIDE, FAR))
    _write_bdtopo(src / BDT, rows, layer="bati")
    err = _refused(src, tmp_path, *CODES)
    assert err.code == "national_layer_missing" and err.source == str(src / BDT)
    msg = err.message("fr")
    assert "batiment" in msg and "construction_lineaire" in msg and BDT.rsplit("/")[-1] in msg


def test_bdtopo_missing_a_column_is_refused_naming_file_and_column(tmp_path):
    src = _linked(tmp_path / "src")
    rows = _bdtopo_rows(_communes("83001").geometry.iloc[0].representative_point(),
                        _communes(*CODES, OUTSIDE, FAR))
    _write_bdtopo(src / BDT, rows.drop(columns="nombre_de_logements"))
    err = _refused(src, tmp_path, *CODES)
    assert err.code == "missing_column" and err.source == str(src / BDT)
    assert "nombre_de_logements" in err.message("en") and "NB_LOGTS" in err.message("en")


def test_cerema_csv_missing_a_year_is_refused_naming_the_column(tmp_path):
    src = _linked(tmp_path / "src")
    _write_cerema(src / CEREMA, {"83107": "Roquebrune-sur-Argens"}, drop="naf15art16")
    err = _refused(src, tmp_path, *CODES)
    assert err.code == "missing_column" and err.source == str(src / CEREMA)
    assert "naf15art16" in err.message("fr")


def test_too_many_buildings_refused_with_the_figure(tmp_path, monkeypatch):
    src = _linked(tmp_path / "src")
    rows = _bdtopo_rows(_communes("83001").geometry.iloc[0].representative_point(),
                        _communes(*CODES, OUTSIDE, FAR))
    _write_bdtopo(src / BDT, rows)
    monkeypatch.setitem(P.MAX_FEATURES, "buildings", 5)
    err = _refused(src, tmp_path, *CODES)
    assert err.code == "territory_too_large"
    n_box = int((~rows["tag"].eq("far")).sum())  # Nice is outside the box: not counted
    assert err.params["figure"] == f"{n_box:,}" and "TWIN_MAX_BUILDINGS" in err.message("en")


def test_a_huge_source_is_not_hashed_the_clipped_output_is(tmp_path, monkeypatch):
    src = _linked(tmp_path / "src")
    rows = _bdtopo_rows(_communes("83001").geometry.iloc[0].representative_point(),
                        _communes(*CODES, OUTSIDE, FAR))
    _write_bdtopo(src / BDT, rows)
    monkeypatch.setattr(P, "HASH_MAX_MB", 0.001)
    out = C.create_territory("huge", communes=CODES, source=src, into=tmp_path,
                             log=lambda _m: None)
    prov = json.loads((out / "territory.json").read_text("utf-8"))["layers"]["buildings"][
        "provenance"]
    assert prov["sha256"] == hashlib.sha256((out / "buildings.gpkg").read_bytes()).hexdigest()
    assert "clipped output buildings.gpkg" in prov["sha256_of"]
    assert prov["sha256"] != hashlib.sha256((src / BDT).read_bytes()).hexdigest()
    shutil.rmtree(out)


# == --download without the national communes file: the API Découpage administratif ===============
SERVICES = Path(__file__).parent / "data" / "services"
CAVEM = "200035319"  # CA Estérel Côte d'Azur Agglomération (5 communes)


class GeoApi:
    """A local stand-in of geo.api.gouv.fr (127.0.0.1) answering from the fixture files as the
    API does (tests/data/services/make_geoapi_fixture.py); every other service answers 404."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.log: list[tuple[str, dict]] = []
        svc = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                code, body = svc.route(self.path)
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_HEAD(self):
                self.send_response(404)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def route(self, raw: str) -> tuple[int, bytes]:
        import urllib.parse

        u = urllib.parse.urlsplit(raw)
        q = dict(urllib.parse.parse_qsl(u.query))
        self.log.append((u.path, q))
        if not u.path.startswith("/geoapi/"):
            return 404, b'{"code": 404, "message": "Not Found"}'
        which = "mairie" if q.get("geometry") == "mairie" else "contour"
        feats = json.loads((SERVICES / f"geoapi_epci_{CAVEM}_{which}.geojson").read_text(
            "utf-8"))["features"]
        contour = json.loads((SERVICES / f"geoapi_epci_{CAVEM}_contour.geojson").read_text(
            "utf-8"))["features"]
        dep = {f["properties"]["code"]: f["properties"]["codeDepartement"] for f in contour}
        parts = u.path.split("/")
        if u.path == "/geoapi/communes":  # ?code=: a collection, empty for an unknown code
            feats = [f for f in feats if f["properties"]["code"] == q.get("code")]
        elif parts[2] == "epcis" and parts[4] == "communes":
            if parts[3] != CAVEM:
                return 404, b'{"code": 404, "message": "EPCI introuvable"}'
        elif parts[2] == "departements" and parts[4] == "communes":
            feats = [f for f in feats if dep[f["properties"]["code"]] == parts[3]]
            if not feats:
                return 404, b'{"code": 404, "message": "Departement introuvable"}'
        else:
            return 404, b"{}"
        if which == "contour":  # only the asked fields are in the properties
            keep = set(q["fields"].split(","))
            feats = [{**f, "properties": {k: v for k, v in f["properties"].items()
                                         if k in keep}} for f in feats]
        return 200, json.dumps({"type": "FeatureCollection", "features": feats}).encode()

    def geoapi(self) -> list[tuple[str, dict]]:
        return [r for r in self.log if r[0].startswith("/geoapi/")]


@pytest.fixture
def geoapi(monkeypatch, tmp_path):
    from twin_core.territory import download as D

    svc = GeoApi()
    monkeypatch.setenv("TWIN_SERVICE_URLS", json.dumps({k: f"{svc.base}/{k}"
                                                        for k in D.SERVICE_URLS}))
    monkeypatch.setenv("TWIN_CACHE_DIR", str(tmp_path / "cache"))
    yield svc
    svc.server.shutdown()


def _no_communes(tmp: Path) -> Path:
    """A source folder like ../shared/data but without the national communes file."""
    root = tmp / "nocommunes"
    root.mkdir()
    for d in LINKED:
        if d != "communes":
            (root / d).symlink_to(SHARED / d, target_is_directory=True)
    return root


def test_download_fetches_the_communes_of_an_epci_from_the_api(geoapi, tmp_path):
    src = _no_communes(tmp_path)
    assert main(["territory", "create", "cavem", "--epci", CAVEM, "--from", str(src),
                 "--download", "--into", str(tmp_path)]) == 0
    terr = Territory.load(tmp_path / "cavem")
    terr.check()
    com = terr.layer("communes").set_index("code_insee")
    fixture = json.loads((SERVICES / f"geoapi_epci_{CAVEM}_contour.geojson").read_text(
        "utf-8"))["features"]
    want = {f["properties"]["code"]: f["properties"] for f in fixture}
    assert sorted(com.index) == sorted(want)  # Fréjus, Saint-Raphaël, Roquebrune, …
    for code, p in want.items():
        assert com.loc[code, "population"] == p["population"]
        assert com.loc[code, "nom"] == p["nom"] and com.loc[code, "epci_code"] == CAVEM
    assert com.crs.to_epsg() == 2154
    # the documented requests: contours with the fields, then the town halls
    sent = geoapi.geoapi()
    assert [p for p, _ in sent] == [f"/geoapi/epcis/{CAVEM}/communes"] * 2
    assert sent[0][1] == {"fields": "nom,code,codeEpci,epci,codeDepartement,departement,"
                                    "codeRegion,region,population",
                          "format": "geojson", "geometry": "contour"}
    assert sent[1][1]["geometry"] == "mairie"
    manifest = terr.manifest
    prov = manifest["layers"]["communes"]["provenance"]
    assert prov["fetched"] == "download" and prov["requests"] == 2
    assert f"/geoapi/epcis/{CAVEM}/communes?" in prov["request"]
    assert "geo.api.gouv.fr" in prov["documentation"]
    assert "communes" in manifest["download"]["fetched"]
    assert manifest["download"]["requests_sent"] == len(geoapi.log)  # communes + layers
    # the other services answered 404: listed, and the local files (erosion, DEM) used
    assert "buildings" in manifest["download"]["failed"]
    assert manifest["use_cases"]["coast"]["runs"]


def test_download_communes_by_code_cached_and_dry_run(geoapi, tmp_path):
    src = _no_communes(tmp_path)
    log: list[str] = []
    assert C.create_territory("dry", communes=CODES, source=src, into=tmp_path, download=True,
                              dry_run=True, log=log.append) is None
    assert geoapi.log == [] and not (tmp_path / "dry").exists()
    assert sum("/geoapi/communes?code=" in line for line in log) == 2
    out = C.create_territory("two", communes=CODES, source=src, into=tmp_path, download=True,
                             log=lambda _m: None)
    assert sorted(Territory.load(out).layer("communes")["code_insee"]) == sorted(CODES)
    assert sorted(q["code"] for p, q in geoapi.geoapi()) == sorted(CODES * 2)  # + mairies
    n = len(geoapi.geoapi())
    C.create_territory("two", communes=CODES, source=src, into=tmp_path, download=True,
                       overwrite=True, log=lambda _m: None)
    assert len(geoapi.geoapi()) == n  # the cache answers: nothing sent again


@pytest.mark.parametrize("sel, code, named", [
    ({"communes": ["83107", "99999"]}, "unknown_commune_requested", "99999"),
    ({"epci": "200000000"}, "unknown_epci", "200000000"),
])
def test_download_unknown_selection_refused_nothing_written(geoapi, tmp_path, sel, code, named):
    src = _no_communes(tmp_path)
    with pytest.raises(TwinInputError) as err:
        C.create_territory("bad", source=src, into=tmp_path / "out", download=True,
                           log=lambda _m: None, **sel)
    assert err.value.code == code and named in err.value.message("fr")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_download_communes_offline_is_a_clear_refusal(monkeypatch, tmp_path):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there
    monkeypatch.setenv("TWIN_URL_GEOAPI", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("TWIN_CACHE_DIR", str(tmp_path / "cache"))
    src = _no_communes(tmp_path)
    with pytest.raises(TwinInputError) as err:
        C.create_territory("off", communes=CODES, source=src, into=tmp_path / "out",
                           download=True, log=lambda _m: None)
    assert err.value.code == "communes_unavailable"
    msg = err.value.message("en")
    assert "communes/communes_france.parquet" in msg and f"127.0.0.1:{port}" in msg
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
