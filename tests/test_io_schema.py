"""Catalogue of malformed inputs: each gives a clear message naming the input and the fix,
and nothing is left half-written."""

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from shapely.geometry import LineString, Polygon

from twin_core.errors import TwinInputError
from twin_core.io import (
    read_raster,
    read_table,
    read_vector,
    write_csv,
    write_raster,
    write_vector,
)
from twin_core.territory import SCHEMAS, Territory
from twin_core.territory.schema import nodata_holes

X0, Y0 = 370_000, 6_500_000  # Lambert-93, near Soulac-sur-Mer
SQUARE = Polygon([(X0, Y0), (X0 + 1000, Y0), (X0 + 1000, Y0 + 1000), (X0, Y0 + 1000)])
BOWTIE = Polygon([(X0, Y0), (X0 + 1000, Y0 + 1000), (X0 + 1000, Y0), (X0, Y0 + 1000)])


def communes(**overrides):
    data = {"code_insee": ["33514"], "nom": ["Soulac-sur-Mer"], "population": [2700],
            "area_ha": [100.0], "geometry": [SQUARE]}
    data.update(overrides)
    crs = data.pop("crs", "EPSG:2154")
    gdf = gpd.GeoDataFrame(data, geometry="geometry", crs="EPSG:2154")
    return gdf if crs == "EPSG:2154" else gdf.to_crs(crs) if crs else gdf.set_crs(
        None, allow_override=True)


def check(gdf, source="communes.gpkg"):
    return SCHEMAS["communes"].check(gdf, source, "communes")


def test_valid_layer_passes():
    assert check(communes()) is not None


@pytest.mark.parametrize("gdf, code, words", [
    (communes().drop(columns="population"), "missing_column", ["population", "communes"]),
    (communes(population=["many"]), "wrong_type", ["population", "int"]),
    (communes(crs=None), "missing_crs", ["EPSG:2154"]),
    (communes(crs="EPSG:4326"), "wrong_crs", ["EPSG:4326", "to_crs"]),
    (communes(geometry=[BOWTIE]), "invalid_geometry", ["make_valid"]),
    (communes(geometry=[Polygon()]), "empty_geometry", ["1"]),
    (communes(geometry=[None]), "empty_geometry", ["1"]),
    (communes(geometry=[LineString([(X0, Y0), (X0 + 1, Y0 + 1)])]), "wrong_geometry_type",
     ["LineString"]),
    (communes().iloc[0:0], "empty_layer", ["communes"]),
])
def test_bad_vector_layers(gdf, code, words):
    with pytest.raises(TwinInputError) as info:
        check(gdf)
    err = info.value
    assert err.code == code
    text = str(err)
    assert "communes.gpkg" in text  # names the file
    for word in words:
        assert word in text
    assert err.message("fr").startswith("[communes.gpkg]")


def dem(values):
    values = np.asarray(values, dtype="float32")
    ny, nx = values.shape
    da = xr.DataArray(values, dims=("y", "x"),
                      coords={"y": 6_500_000 - 120 * np.arange(ny), "x": 400_000 + 120 *
                              np.arange(nx)})
    return da.rio.write_crs("EPSG:2154")


def test_raster_nodata_holes():
    v = np.ones((6, 6))
    v[0, :] = np.nan  # along the edge: outside the survey, allowed
    assert nodata_holes(v) == 0
    v[3, 3] = np.nan
    v[2, 1] = np.nan
    assert nodata_holes(v) == 2
    with pytest.raises(TwinInputError) as info:
        SCHEMAS["dem"].check(dem(v), "dem.tif", "dem")
    assert info.value.code == "nodata_holes" and "interpolate_na" in str(info.value)


def test_raster_crs_checks(tmp_path):
    da = dem(np.ones((4, 4)))
    path = write_raster(da, tmp_path / "dem.tif")
    back = read_raster(path)
    assert back.rio.crs.to_epsg() == 2154 and back.shape == (4, 4)
    SCHEMAS["dem"].check(back, str(path))
    with pytest.raises(TwinInputError) as info:
        SCHEMAS["dem"].check(da.rio.reproject("EPSG:4326"), "dem.tif")
    assert info.value.code == "wrong_crs"


def test_empty_and_missing_files(tmp_path):
    empty = tmp_path / "empty.gpkg"
    empty.write_bytes(b"")
    for reader in (read_vector, read_raster, read_table):
        with pytest.raises(TwinInputError) as info:
            reader(empty)
        assert info.value.code == "empty_file" and "empty.gpkg" in str(info.value)
    with pytest.raises(TwinInputError) as info:
        read_vector(tmp_path / "nope.gpkg")
    assert info.value.code == "file_not_found"


def test_wrong_encoding_and_separator(tmp_path):
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("code_insee;nom\n33514;Soulac-sur-Mer é\n".encode("latin-1"))
    with pytest.raises(TwinInputError) as info:
        read_table(latin)
    assert info.value.code == "bad_encoding" and "UTF-8" in info.value.message("fr")
    good = tmp_path / "ok.csv"
    good.write_text("\ufeffcode_insee;nom\n01001;L'Abergement\n", encoding="utf-8")
    df = read_table(good, dtype={"code_insee": str})
    assert df.loc[0, "code_insee"] == "01001" and list(df.columns) == ["code_insee", "nom"]


def test_garbage_vector_is_reported(tmp_path):
    bad = tmp_path / "garbage.gpkg"
    bad.write_bytes(b"this is not a geopackage")
    with pytest.raises(TwinInputError) as info:
        read_vector(bad)
    assert info.value.code == "unreadable_file" and "garbage.gpkg" in str(info.value)


def test_round_trips(tmp_path):
    gdf = communes()
    for name in ("c.gpkg", "c.parquet"):
        back = read_vector(write_vector(gdf, tmp_path / name))
        assert back.crs == gdf.crs and back["code_insee"].tolist() == ["33514"]
    df = pd.DataFrame({"a": [1, 2], "label": ["é", "è"]})
    assert read_table(write_csv(df, tmp_path / "t.csv")).equals(df)


def test_failed_write_leaves_nothing(tmp_path, monkeypatch):
    target = tmp_path / "out.gpkg"
    target.write_bytes(b"previous content")

    def crash_midway(self, path, **kwargs):
        with open(path, "wb") as fh:
            fh.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", crash_midway)
    with pytest.raises(OSError):
        write_vector(communes(), target)
    assert target.read_bytes() == b"previous content"  # untouched
    assert [p.name for p in tmp_path.iterdir()] == ["out.gpkg"]  # no temp file left


def test_territory_names_missing_layer(tmp_path):
    (tmp_path / "territory.json").write_text(json.dumps({
        "id": "t", "name": {"fr": "T"}, "layers": {"communes": {"path": "communes.gpkg",
                                                               "kind": "vector"}}}))
    terr = Territory.load(tmp_path)
    with pytest.raises(TwinInputError) as info:
        terr.layer("communes")
    assert info.value.code == "file_not_found" and "communes.gpkg" in str(info.value)
    with pytest.raises(TwinInputError) as info:
        terr.layer("dem")
    assert info.value.code == "missing_layer" and "dem" in str(info.value)
    write_vector(communes(crs="EPSG:4326"), tmp_path / "communes.gpkg")
    with pytest.raises(TwinInputError) as info:
        Territory.load(tmp_path).check()
    assert info.value.code == "wrong_crs" and "communes" in str(info.value)


# -- raster content (issue 16) ---------------------------------------------------------------
def test_raster_all_nodata_and_out_of_range():
    with pytest.raises(TwinInputError) as info:
        SCHEMAS["dem"].check(dem(np.full((5, 5), np.nan)), "dem.tif", "dem")
    assert info.value.code == "raster_all_nodata" and "dem.tif" in str(info.value)
    with pytest.raises(TwinInputError) as info:
        SCHEMAS["dem"].check(dem(np.full((5, 5), 12_000.0)), "dem.tif", "dem")
    assert info.value.code == "raster_out_of_range" and "units" in str(info.value)


def test_raster_integer_voids_without_nodata(tmp_path):
    import rasterio
    from rasterio.transform import from_origin

    values = np.full((20, 20), 12, dtype="int16")
    values[5, 5] = -32768
    path = tmp_path / "dem_int16.tif"
    with rasterio.open(path, "w", driver="GTiff", width=20, height=20, count=1, dtype="int16",
                       crs="EPSG:2154", transform=from_origin(400_000, 6_500_000, 100, 100)
                       ) as dst:
        dst.write(values, 1)
    with pytest.raises(TwinInputError) as info:
        SCHEMAS["dem"].check(read_raster(path), str(path), "dem")
    err = info.value
    assert err.code == "raster_undeclared_nodata" and "-32768" in str(err)
    assert "a_nodata" in str(err) and "nodata" in err.message("fr")
    with rasterio.open(path, "r+") as dst:  # declared: read as a void, then a hole
        dst.nodata = -32768
    back = read_raster(path)
    assert np.isnan(back.values[5, 5])


def test_raster_header_too_large_is_refused_before_reading(tmp_path):
    import tracemalloc

    import rasterio
    from rasterio.transform import from_origin

    path = tmp_path / "huge.tif"
    with rasterio.open(path, "w", driver="GTiff", width=100_000, height=100_000, count=1,
                       dtype="float32", crs="EPSG:2154", tiled=True, sparse_ok=True,
                       compress="deflate", transform=from_origin(0, 7_000_000, 1, 1)):
        pass
    tracemalloc.start()
    try:
        with pytest.raises(TwinInputError) as info:
            read_raster(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.code == "raster_too_large" and "huge.tif" in str(info.value)
    assert "100,000" in str(info.value) and peak < 50 * 2**20


def test_truncated_geotiff_names_the_file(tmp_path):
    path = write_raster(dem(np.random.default_rng(0).normal(10, 3, (300, 300))),
                        tmp_path / "dem.tif")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(TwinInputError) as info:
        read_raster(path)
    assert info.value.code in {"truncated_file", "unreadable_file"}
    assert "dem.tif" in str(info.value) and "tronqué" in info.value.message("fr")


def _raster_territory(tmp_path, da):
    root = tmp_path / "terr"
    root.mkdir(parents=True)
    write_vector(communes(), root / "communes.gpkg")
    write_raster(da, root / "dem.tif")
    (root / "territory.json").write_text(json.dumps({"id": "t", "layers": {
        "communes": {"path": "communes.gpkg", "kind": "vector"},
        "dem": {"path": "dem.tif", "kind": "raster"}}}))
    return Territory.load(root)


def test_raster_too_few_cells_or_mostly_empty_for_the_territory(tmp_path):
    x0, y0, x1, y1 = communes().total_bounds
    one = xr.DataArray(np.array([[5.0]], dtype="float32"), dims=("y", "x"),
                       coords={"y": [(y0 + y1) / 2], "x": [(x0 + x1) / 2]}
                       ).rio.write_crs("EPSG:2154")
    with pytest.raises(TwinInputError) as info:
        _raster_territory(tmp_path / "one", one).check()
    assert info.value.code == "raster_too_few_cells" and "dem.tif" in str(info.value)
    n = 100
    v = np.full((n, n), np.nan, dtype="float32")
    v[:30, :30] = 3.0  # a corner with data, the rest empty
    cell = (x1 - x0) / n
    mostly = xr.DataArray(v, dims=("y", "x"), coords={
        "y": y1 - cell * (np.arange(n) + 0.5), "x": x0 + cell * (np.arange(n) + 0.5)}
    ).rio.write_crs("EPSG:2154")
    with pytest.raises(TwinInputError) as info:
        _raster_territory(tmp_path / "mostly", mostly).check()
    assert info.value.code == "raster_mostly_nodata"
    full = mostly.copy(data=np.full((n, n), 3.0, dtype="float32"))
    _raster_territory(tmp_path / "full", full).check()


# -- vector plausibility (issue 16) ----------------------------------------------------------
def test_degrees_labelled_lambert93_say_set_crs_not_to_crs():
    degrees = communes().to_crs("EPSG:4326").set_crs("EPSG:2154", allow_override=True)
    with pytest.raises(TwinInputError) as info:
        check(degrees)
    err = info.value
    assert err.code == "crs_mislabelled" and "EPSG:4326" in str(err)
    assert "set_crs" in str(err) and "set_crs" in err.message("fr")
    # Lambert-93 coordinates labelled WGS 84: the label is wrong, not the projection
    with pytest.raises(TwinInputError) as info:
        check(communes().set_crs("EPSG:4326", allow_override=True))
    assert info.value.code == "crs_mislabelled" and "EPSG:2154" in info.value.params["fits"]
    # really in WGS 84: then reprojecting is the fix
    with pytest.raises(TwinInputError) as info:
        check(communes(crs="EPSG:4326"))
    assert info.value.code == "wrong_crs" and "to_crs" in str(info.value)


def test_coordinates_outside_france_or_the_crs():
    madrid = gpd.GeoDataFrame(geometry=[Polygon([(-3.8, 40.3), (-3.6, 40.3), (-3.6, 40.5)])],
                              crs="EPSG:4326").to_crs("EPSG:3035")
    gdf = communes().set_geometry(madrid.geometry.to_numpy()).set_crs("EPSG:3035",
                                                                      allow_override=True)
    with pytest.raises(TwinInputError) as info:
        check(gdf)
    assert info.value.code == "outside_france"
    nowhere = communes(geometry=[Polygon([(-9e6, -9e6), (-8e6, -9e6), (-8e6, -8e6)])])
    with pytest.raises(TwinInputError) as info:
        check(nowhere)
    assert info.value.code == "coords_outside_crs" and "set_crs" in str(info.value)


def test_duplicated_identifiers_and_declared_area():
    two = pd.concat([communes(), communes()], ignore_index=True)
    with pytest.raises(TwinInputError) as info:
        check(two)
    assert info.value.code == "duplicate_ids" and "33514" in str(info.value)
    with pytest.raises(TwinInputError) as info:
        check(communes(area_ha=[1_000_000.0]))  # m² in a hectare column
    err = info.value
    assert err.code == "area_mismatch" and "area_ha" in str(err) and "ha" in err.message("fr")


def test_layer_outside_the_territory(tmp_path):
    write_vector(communes(), tmp_path / "communes.gpkg")
    far = communes(code_insee=["06088"]).translate(600_000, -200_000)  # Nice
    (tmp_path / "territory.json").write_text(json.dumps({"id": "t", "layers": {
        "communes": {"path": "communes.gpkg", "kind": "vector"},
        "stands": {"path": "other.gpkg", "kind": "vector"}}}))
    gpd.GeoDataFrame({"stand_id": ["s1"], "essence": ["Chêne"], "code_insee": ["33514"],
                      "area_ha": [100.0]}, geometry=far.to_numpy(),
                     crs="EPSG:2154").to_file(tmp_path / "other.gpkg")
    with pytest.raises(TwinInputError) as info:
        Territory.load(tmp_path).check()
    assert info.value.code == "layer_outside_territory" and "other.gpkg" in str(info.value)


# -- table content (issue 16) ----------------------------------------------------------------
def _zan_copy(tmp_path, edit):
    import shutil

    from twin_core.territory import data_dir

    root = tmp_path / "zan"
    shutil.copytree(data_dir() / "zan", root)
    text = (root / "conso_naf.csv").read_text("utf-8")
    (root / "conso_naf.csv").write_text(edit(text), "utf-8")
    return Territory.load(root)


@pytest.mark.parametrize("code, error", [
    ("99999", "bad_commune_code"), ("2C001", "bad_commune_code"), ("1001", "bad_commune_code"),
    ("20001", "bad_commune_code"), ("75056", "unknown_commune_code"),
])
def test_commune_codes_format_and_territory(tmp_path, code, error):
    terr = _zan_copy(tmp_path, lambda t: t.replace("\n01001;", f"\n{code};", 1))
    with pytest.raises(TwinInputError) as info:
        terr.layer("conso_naf")
    err = info.value
    assert err.code == error and code in str(err) and "idcom" in str(err)
    assert "conso_naf.csv" in err.message("fr")


def test_commune_code_format():
    from twin_core.territory.schema import COMMUNE_CODE

    for ok in ("01001", "2A004", "2B033", "97101", "97611", "95690"):
        assert COMMUNE_CODE.fullmatch(ok)
    for bad in ("99999", "2C001", "1001", "20001", "00001", "010011", "9610", "96001"):
        assert not COMMUNE_CODE.fullmatch(bad)


def _nitrates(tmp_path, dates, date_format=None):
    root = tmp_path / "t"
    root.mkdir(parents=True)
    pd.DataFrame({"code_station": "03000029", "date": dates, "no3_mg_l": 20.0}).to_csv(
        root / "nitrates.csv", index=False)
    info = {"path": "nitrates.csv", "kind": "table"}
    if date_format:
        info["date_format"] = date_format
    (root / "territory.json").write_text(json.dumps({"id": "t", "layers": {"nitrates": info}}))
    return Territory.load(root).layer("nitrates")


def test_dates_day_first_refused_unless_declared(tmp_path):
    with pytest.raises(TwinInputError) as info:  # every day ≤ 12: read month-first silently
        _nitrates(tmp_path / "a", ["03/04/2021", "05/06/2021"])
    err = info.value
    assert err.code == "ambiguous_dates" and "date_format" in str(err) and "03/04/2021" in str(err)
    with pytest.raises(TwinInputError) as info:  # a day > 12: no bare ValueError
        _nitrates(tmp_path / "b", ["25/04/2021", "05/06/2021"])
    assert info.value.code == "ambiguous_dates" and "%d/%m/%Y" in str(info.value)
    table = _nitrates(tmp_path / "c", ["03/04/2021", "25/06/2021"], "%d/%m/%Y")
    assert table["date"].tolist() == ["2021-04-03", "2021-06-25"]
    with pytest.raises(TwinInputError) as info:
        _nitrates(tmp_path / "d", ["2021-04-03", "not a date"])
    assert info.value.code == "bad_dates" and "not a date" in str(info.value)
    with pytest.raises(TwinInputError) as info:
        _nitrates(tmp_path / "e", ["2021-04-03", "2999-01-01"])
    assert info.value.code == "future_dates" and "2999-01-01" in str(info.value)
