"""Readers of the real products (BD TOPO, RPG, Cerema) on real samples and tiny made files."""

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Polygon, box

from twin_core.errors import TwinInputError
from twin_core.territory.products import (
    crops_from_rpg,
    read_bdtopo_buildings,
    read_cerema_conso,
    read_rpg,
)

SHARED_DATA = __import__("pathlib").Path(__file__).resolve().parents[2] / "shared" / "data"


def need(path):
    assert path.exists(), f"real sample {path} is missing: clone ../shared beside the repository"
    return path


def test_rpg_real_sample_penmarch():
    path = need(SHARED_DATA / "agriculture" / "rpg2021_sample_9parcels_penmarch_29.geojson")
    parcels = read_rpg(path)
    assert len(parcels) == 9 and parcels.crs.to_epsg() == 2154
    assert set(parcels["code_cultu"]) >= {"PPH", "MIE"}
    assert (parcels.loc[parcels.code_cultu == "PPH", "crop"] == "grassland").all()
    # the declared surface is close to the polygon area (RPG surf_parc is in ha)
    ratio = parcels.geometry.area / 1e4 / parcels["area_ha"]
    assert ratio.between(0.9, 1.1).all()
    communes = gpd.GeoDataFrame({"code_insee": ["29158"]},
                                geometry=[box(*parcels.total_bounds).buffer(100)],
                                crs="EPSG:2154")
    table = crops_from_rpg(parcels, communes)
    assert table["area_ha"].sum() == pytest.approx(parcels["area_ha"].sum())


def test_cerema_real_file_and_filter():
    path = need(SHARED_DATA / "zan" / "cerema_conso_naf_2009_2023_ain_9communes.csv")
    table = read_cerema_conso(path, communes=["01004", "01007"])
    assert table["idcom"].tolist() == ["01004", "01007"] and table.shape[1] == 131
    with pytest.raises(TwinInputError) as info:
        read_cerema_conso(path, communes=["99999"])
    assert info.value.code == "empty_layer"


def test_bdtopo_buildings(tmp_path):
    x0, y0 = 370_000, 6_500_000  # Lambert-93, in the Médoc
    square = Polygon([(x0, y0), (x0 + 20, y0), (x0 + 20, y0 + 10), (x0, y0 + 10)])
    raw = gpd.GeoDataFrame({
        "cleabs": ["BATIMENT001", "BATIMENT002"], "usage_1": ["Résidentiel", "Religieux"],
        "nombre_de_logements": [4, None], "nombre_d_etages": [2, 1], "hauteur": [7.5, 12.0]},
        geometry=[square, square.buffer(-2)], crs="EPSG:2154")
    path = tmp_path / "bdtopo.gpkg"
    raw.to_file(path, layer="batiment")
    communes = gpd.GeoDataFrame({"code_insee": ["33514"]},
                                geometry=[box(x0 - 50, y0 - 50, x0 + 50, y0 + 50)],
                                crs="EPSG:2154")
    b = read_bdtopo_buildings(path, communes, persons_per_dwelling=2.0)
    assert b["use"].tolist() == ["residential", "public"]
    assert b["residents"].tolist() == [8.0, 0.0]
    assert b.loc[0, "floor_area_m2"] == pytest.approx(400.0)
    assert (b["code_insee"] == "33514").all()
    bad = raw.drop(columns="nombre_de_logements")
    bad.to_file(tmp_path / "bad.gpkg", layer="batiment")
    with pytest.raises(TwinInputError) as info:
        read_bdtopo_buildings(tmp_path / "bad.gpkg", communes)
    assert "NB_LOGTS" in str(info.value) and "bad.gpkg" in str(info.value)
    assert isinstance(b, pd.DataFrame)


def test_rpg_in_degrees_labelled_lambert93(tmp_path):
    path = need(SHARED_DATA / "agriculture" / "rpg2021_sample_9parcels_penmarch_29.geojson")
    raw = gpd.read_file(path)
    raw.to_crs("EPSG:4326").set_crs("EPSG:2154", allow_override=True).to_file(
        tmp_path / "rpg.gpkg")
    with pytest.raises(TwinInputError) as info:
        read_rpg(tmp_path / "rpg.gpkg")
    assert info.value.code == "crs_mislabelled" and "set_crs" in str(info.value)
    assert "rpg.gpkg" in str(info.value)
