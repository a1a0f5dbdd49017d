"""The committed sample territories in data/ and the script that builds them."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from scipy import ndimage

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SOURCE = ROOT.parent / "shared" / "data"
TERRITORIES = ("coast", "forest", "agriculture", "zan")
LAYER_KEYS = {"path", "kind", "synthetic", "source", "description"}


def manifest(tid: str) -> dict:
    return json.loads((DATA / tid / "territory.json").read_text("utf-8"))


def layers(kind: str | None = None):
    for tid in TERRITORIES:
        for name, info in manifest(tid)["layers"].items():
            if kind is None or info["kind"] == kind:
                yield pytest.param(tid, name, info, id=f"{tid}/{name}")


def table(tid: str, name: str) -> pd.DataFrame:
    path = DATA / tid / manifest(tid)["layers"][name]["path"]
    head = path.read_text("utf-8").split("\n", 1)[0]
    sep = ";" if head.count(";") > head.count(",") else ","
    return pd.read_csv(path, sep=sep, dtype={"code_insee": str, "code_station": str,
                                             "idcom": str})


@pytest.mark.parametrize("tid", TERRITORIES)
def test_manifest_shape_and_files(tid):
    m = manifest(tid)
    assert set(m) - {"fits"} == {"id", "name", "crs", "layers"}  # fits: stored national fits
    for rel in m.get("fits", {}).values():
        assert (DATA / tid / rel).exists()
    assert m["id"] == tid
    assert set(m["name"]) == {"fr", "en"} and all(m["name"].values())
    assert m["crs"] == "EPSG:2154"
    assert "communes" in m["layers"]
    for name, info in m["layers"].items():
        assert set(info) == LAYER_KEYS, name
        assert info["kind"] in {"vector", "raster", "table"}
        assert isinstance(info["synthetic"], bool)
        assert info["source"] and info["description"]
        path = DATA / tid / info["path"]
        assert path.is_file() and path.stat().st_size > 0, path
        if info["kind"] == "vector":
            assert path.suffix == ".gpkg" and path.stem == name


@pytest.mark.parametrize(("tid", "name", "info"), list(layers()))
def test_synthetic_layers_are_labelled(tid, name, info):
    assert ("synthetic" in info["path"]) == info["synthetic"]
    assert ("synthetic" in name) == info["synthetic"]
    if info["synthetic"]:
        assert "synthetic" in (info["source"] + info["description"]).lower()


@pytest.mark.parametrize(("tid", "name", "info"), list(layers("vector")))
def test_vector_layers(tid, name, info):
    gdf = gpd.read_file(DATA / tid / info["path"], layer=name)
    assert gdf.crs is not None and gdf.crs.to_epsg() == 2154
    assert len(gdf) > 0
    assert not (gdf.geometry.isna() | gdf.geometry.is_empty).any()
    assert gdf.geometry.is_valid.all()


@pytest.mark.parametrize("tid", TERRITORIES)
def test_communes_schema(tid):
    c = gpd.read_file(DATA / tid / "communes.gpkg")
    assert {"code_insee", "nom", "population", "area_ha"} <= set(c.columns)
    assert c["code_insee"].str.fullmatch(r"\d[\dAB]\d{3}").all()
    assert c["code_insee"].is_unique
    assert pd.api.types.is_integer_dtype(c["population"]) and (c["population"] >= 0).all()
    assert (c["area_ha"] > 0).all()
    assert set(c.geometry.geom_type) <= {"Polygon", "MultiPolygon"}


def test_coast_communes():
    names = set(gpd.read_file(DATA / "coast" / "communes.gpkg")["nom"])
    assert {"Soulac-sur-Mer", "Lacanau", "Pauillac", "Hourtin"} <= names


def test_buildings_residents_match_population():
    communes = gpd.read_file(DATA / "coast" / "communes.gpkg").set_index("code_insee")
    b = gpd.read_file(DATA / "coast" / "buildings_synthetic.gpkg")
    assert set(b.geometry.geom_type) == {"Point"}
    assert b["building_id"].is_unique and b["building_id"].str.fullmatch(r"B\d{6}").all()
    assert set(b["use"]) == {"residential", "public", "commercial"}
    assert (b.loc[b["use"] != "residential", "dwellings"] == 0).all()
    assert (b.loc[b["use"] == "residential", "dwellings"] >= 1).all()
    assert (b["floor_area_m2"] > 0).all() and (b["height_m"] > 0).all()
    sums = b.groupby("code_insee")["residents"].sum()
    assert set(sums.index) == set(communes.index)
    pop = communes["population"].reindex(sums.index)
    np.testing.assert_allclose(sums.to_numpy(), pop.to_numpy(), rtol=0.01)
    # every building lies inside its own commune (simplified outline: 30 m tolerance)
    joined = b.merge(communes[["geometry"]].rename(columns={"geometry": "poly"}),
                     left_on="code_insee", right_index=True)
    dist = gpd.GeoSeries(joined["poly"], crs=b.crs).distance(joined.geometry, align=False)
    assert (dist <= 30.0).all()


def test_dem_has_sea_and_land():
    with rasterio.open(DATA / "coast" / "dem.tif") as r:
        assert r.crs.to_epsg() == 2154
        assert abs(r.res[0] - 120.0) < 1e-6 and abs(r.res[1] - 120.0) < 1e-6
        a = r.read(1, masked=True).filled(np.nan)
    assert np.nanmin(a) < 0 and np.nanmax(a) > 20
    assert (a < 0).sum() > 1000 and (a > 20).sum() > 1000
    missing = ~np.isfinite(a)  # NaN only outside the source: every patch touches the edge
    labels, n = ndimage.label(missing)
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    assert n - np.count_nonzero(edge) == 0


def test_erosion_rates():
    e = gpd.read_file(DATA / "coast" / "erosion.gpkg")
    assert {"code_insee", "nom", "taux_m_per_yr", "erosion_class"} <= set(e.columns)
    assert e["taux_m_per_yr"].between(-10, 10).all()
    assert (e["taux_m_per_yr"] < 0).any()


def test_nitrates_plausible():
    n = table("agriculture", "nitrates")
    assert list(n.columns[:3]) == ["code_station", "date", "no3_mg_l"]
    assert n["no3_mg_l"].between(0, 200).all()
    assert 5 < n["no3_mg_l"].median() < 50
    pd.to_datetime(n["date"], format="%Y-%m-%d")
    stations = gpd.read_file(DATA / "agriculture" / "stations.gpkg")
    assert set(n["code_station"]) == set(stations["code_station"])
    communes = gpd.read_file(DATA / "agriculture" / "communes.gpkg")
    assert stations.within(communes.union_all().buffer(5000)).all()


def test_crops_synthetic():
    crops = table("agriculture", "crops_synthetic")
    communes = gpd.read_file(DATA / "agriculture" / "communes.gpkg").set_index("code_insee")
    assert set(crops["crop"]) == {"winter_wheat", "winter_barley", "spring_barley", "rapeseed",
                                  "maize_grain", "sunflower", "grassland", "other"}
    share = crops.groupby("code_insee")["area_ha"].sum() / communes["area_ha"]
    assert share.between(0.39, 0.76).all()


def test_agriculture_normals_and_catchments():
    communes = gpd.read_file(DATA / "agriculture" / "communes.gpkg")
    normals = table("agriculture", "climate_normals")
    # same layout as the forest normals (one build function for both)
    assert list(normals.columns) == list(table("forest", "climate_normals").columns)
    assert set(normals["code_insee"]) == set(communes["code_insee"])
    assert normals["code_insee"].is_unique
    assert normals["tmean_c"].between(7, 13).all()  # Burgundy: no Mediterranean nor alpine rows
    assert normals["precip_mm"].between(500, 1600).all()
    assert (normals["TAM"] > 10).all()  # continental amplitude, July minus January
    stations = gpd.read_file(DATA / "agriculture" / "stations.gpkg")
    catch = gpd.read_file(DATA / "agriculture" / "catchments.gpkg", layer="catchments")
    assert set(catch["code_station"]) <= set(stations["code_station"])
    assert len(catch) >= 0.9 * len(stations)
    assert (catch["area_km2"] > 0).all()
    # polygon area agrees with the cell count (1 km² cells, simplified 250 m)
    ratio = catch.geometry.area / 1e6 / catch["area_km2"]
    assert ratio[catch["area_km2"] >= 100].between(0.95, 1.05).all()
    # a station lies in (or, after snapping, within ~2 cells of) its own catchment
    pts = stations.set_index("code_station").geometry.reindex(catch["code_station"])
    pts = gpd.GeoSeries(pts.to_numpy(), index=catch.index, crs=catch.crs)
    assert (catch.geometry.distance(pts) < 2_000).all()


def test_agriculture_territory_passes_the_core_schemas():
    from twin_core.territory import Territory

    t = Territory.load(str(DATA / "agriculture"))
    t.check()  # every layer read and checked against twin_core.territory.schema
    assert {"climate_normals", "catchments"} <= set(t.layer_names)
    assert not t.is_synthetic("climate_normals") and not t.is_synthetic("catchments")

def test_forest_layers():
    stands = gpd.read_file(DATA / "forest" / "stands.gpkg")
    communes = gpd.read_file(DATA / "forest" / "communes.gpkg")
    assert 15 <= len(communes) <= 25
    assert set(stands["code_insee"]) <= set(communes["code_insee"])
    assert (stands["area_ha"] >= 0.5).all()
    normals = table("forest", "climate_normals")
    assert set(normals["code_insee"]) == set(communes["code_insee"])
    assert normals["tmean_c"].between(0, 20).all()
    assert normals["precip_mm"].between(300, 3000).all()
    plots = gpd.read_file(DATA / "forest" / "ifn_plots.gpkg")
    assert plots["idp"].is_unique and (plots["n_dead"] >= 0).all()
    # no dead tree -> no species (some dead trees have no species code in the IFN file)
    assert (plots.loc[plots["n_dead"] == 0, "dead_species"].fillna("") == "").all()
    assert (plots.loc[plots["dead_species"].fillna("") != "", "n_dead"] > 0).all()
    synop = table("forest", "weather_nice_synop")
    assert pd.to_datetime(synop["date"]).is_unique
    assert synop["temp_c"].between(-10, 45).all() and synop["rh_pct"].between(0, 100).all()
    assert (synop["rain_24h_mm"].dropna() >= 0).all()
    assert pd.to_datetime(synop["date"]).dt.year.eq(2024).sum() == 366
    durance = table("forest", "weather_durance_daily")
    assert list(durance.columns) == ["date", "precip_mm", "tmean_c", "pet_mm"]


def test_zan_tables():
    real = table("zan", "conso_naf")
    synth = table("zan", "conso_naf_synthetic")
    assert real.shape[1] == 131 and list(synth.columns) == list(real.columns)
    communes = gpd.read_file(DATA / "zan" / "communes.gpkg")
    assert set(communes["group"]) == {"ain", "gironde"}
    assert set(real["idcom"]) == set(communes.loc[communes["group"] == "ain", "code_insee"])
    assert set(synth["idcom"]) == set(communes.loc[communes["group"] == "gironde",
                                                   "code_insee"])
    years = [f"naf{y % 100:02d}art{(y + 1) % 100:02d}" for y in range(2009, 2023)]
    assert (synth[years] >= 0).all().all()
    np.testing.assert_array_equal(synth[years].sum(axis=1), synth["naf09art23"])
    uses = [f"art09{u}23" for u in ("act", "hab", "mix", "inc", "rou", "fer")]
    np.testing.assert_array_equal(synth[uses].sum(axis=1), synth["naf09art23"])


def test_rebuild_one_territory_is_identical(tmp_path):
    from twin_core.territory.build import build_all

    assert SOURCE.is_dir(), f"real open data {SOURCE} missing: clone ../shared beside the repo"
    written = build_all(SOURCE, tmp_path, only={"agriculture"})
    assert {p.parent.name for p in written} == {"agriculture"}
    built = json.loads((tmp_path / "agriculture" / "territory.json").read_text("utf-8"))
    assert built == manifest("agriculture")
    for name, info in built["layers"].items():
        new, old = tmp_path / "agriculture" / info["path"], DATA / "agriculture" / info["path"]
        if info["kind"] == "table":
            assert new.read_bytes() == old.read_bytes(), name
        else:
            a, b = gpd.read_file(new), gpd.read_file(old)
            pd.testing.assert_frame_equal(pd.DataFrame(a.drop(columns="geometry")),
                                          pd.DataFrame(b.drop(columns="geometry")))
            assert a.geometry.geom_equals_exact(b.geometry, tolerance=0).all()
    assert not list((tmp_path / "agriculture").glob(".*"))  # no temporary file left behind
