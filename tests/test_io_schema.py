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

SQUARE = Polygon([(0, 0), (100, 0), (100, 100), (0, 100)])
BOWTIE = Polygon([(0, 0), (100, 100), (100, 0), (0, 100)])  # self-intersecting


def communes(**overrides):
    data = {"code_insee": ["33514"], "nom": ["Soulac-sur-Mer"], "population": [2700],
            "area_ha": [2900.0], "geometry": [SQUARE]}
    data.update(overrides)
    crs = data.pop("crs", "EPSG:2154")
    return gpd.GeoDataFrame(data, geometry="geometry", crs=crs)


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
    (communes(geometry=[LineString([(0, 0), (1, 1)])]), "wrong_geometry_type", ["LineString"]),
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
