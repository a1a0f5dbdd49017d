"""Catalogue of malformed input files (issue 16), built from the sample data, one defect each.

Every file goes through the entry point a user takes — ``Territory.load(...).check()``, a
product reader, ``Scenario.from_json``, ``twin run`` (``twin_core.cli.main``) — and must get a
clear refusal (a TwinInputError naming the file, in French and English) or be read right.

    .venv/bin/python tests/input_catalogue.py            # run, print the table
    .venv/bin/python tests/input_catalogue.py --docs     # and write docs/input_checks.md

The cases run in a child process under a memory limit (RLIMIT_AS) with a time-out per case
(tests/test_input_catalogue.py does the same).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SHARED = ROOT.parent / "shared" / "data"
MEMORY_LIMIT = 3 * 2**30  # bytes of address space for the child process
CASE_TIMEOUT_S = 30


@dataclass
class Case:
    id: str
    entry: str  # the user entry point
    defect: str
    build: Callable[[Path], Callable[[], object]]  # tmp folder -> call that reads the input
    name: str  # file name the refusal must name
    expect: str = "refused"  # or "read": the file is valid and must be read right


CASES: list[Case] = []


def case(id, entry, defect, name, expect="refused"):
    def deco(fn):
        CASES.append(Case(id, entry, defect, fn, name, expect))
        return fn
    return deco


# -- builders ----------------------------------------------------------------------------------
def territory(tmp: Path, use_case: str, layers: dict[str, str], write=None,
              extra: dict | None = None) -> Path:
    """A territory folder with the sample's communes and ``layers`` (name -> file), copied."""
    root = tmp / "terr"
    root.mkdir(parents=True)
    manifest = json.loads((DATA / use_case / "territory.json").read_text("utf-8"))
    keep = {"communes": dict(manifest["layers"]["communes"])}
    for name in layers:
        keep[name] = dict(manifest["layers"][name])
    for info in keep.values():
        shutil.copy(DATA / use_case / info["path"], root / info["path"])
    if write:
        write(root)
    for name, change in (extra or {}).items():
        keep[name].update(change)
    (root / "territory.json").write_text(json.dumps({**manifest, "layers": keep}), "utf-8")
    return root


def load_check(root: Path) -> Callable[[], object]:
    from twin_core.territory import Territory

    return lambda: Territory.load(root).check()


def edit_vector(use_case, layer, fn, tmp, fname=None, **kw):
    import geopandas as gpd

    def write(root):
        src = next(root.glob(f"{layer}.*"), None) or next(root.glob(f"{layer.split('_')[0]}*"))
        gdf = fn(gpd.read_file(src))
        target = root / (fname or src.name)
        if target != src:
            src.unlink()
        if target.suffix == ".parquet":
            gdf.to_parquet(target)
        else:
            gdf.to_file(target, **kw)
    extra = {layer: {"path": fname}} if fname else None
    return load_check(territory(tmp, use_case, [layer] if layer != "communes" else [],
                                write=write, extra=extra))


def edit_communes(fn, tmp, use_case="zan", fname=None, **kw):
    return edit_vector(use_case, "communes", fn, tmp, fname, **kw)


def edit_text(use_case, layer, fn, tmp, extra=None):
    def write(root):
        src = root / json.loads((DATA / use_case / "territory.json").read_text())["layers"][
            layer]["path"]
        out = fn(src.read_bytes())
        src.write_bytes(out)
    return load_check(territory(tmp, use_case, [layer], write=write, extra=extra))


def edit_dem(fn, tmp):
    """The coast DEM rewritten by ``fn(array, profile) -> (array, profile)``."""
    import rasterio

    def write(root):
        with rasterio.open(root / "dem.tif") as src:
            arr, prof = src.read(), src.profile
        arr, prof = fn(arr, dict(prof))
        prof.update(count=arr.shape[0], height=arr.shape[1], width=arr.shape[2],
                    dtype=str(arr.dtype))
        (root / "dem.tif").unlink()
        with rasterio.open(root / "dem.tif", "w", **prof) as dst:
            dst.write(arr)
    return load_check(territory(tmp, "coast", ["dem"], write=write))


def dem_bytes(fn, tmp):
    def write(root):
        (root / "dem.tif").write_bytes(fn((root / "dem.tif").read_bytes()))
    return load_check(territory(tmp, "coast", ["dem"], write=write))


# -- rasters (coast DEM) -----------------------------------------------------------------------
@case("dem_all_nan", "Territory.check", "DEM entirely NaN", "dem.tif")
def _(tmp):
    return edit_dem(lambda a, p: (a * float("nan"), p), tmp)


@case("dem_one_pixel", "Territory.check", "DEM of a single pixel", "dem.tif")
def _(tmp):
    return edit_dem(lambda a, p: (a[:, 400:401, 250:251], p), tmp)


@case("dem_int16_voids", "Territory.check", "int16 DEM, voids −32768, no nodata declared",
      "dem.tif")
def _(tmp):
    import numpy as np

    def fn(a, p):
        out = np.where(np.isfinite(a), np.round(a), -32768).astype("int16")
        p.pop("nodata")
        return out, p
    return edit_dem(fn, tmp)


@case("dem_9999_voids", "Territory.check", "float DEM, voids −9999, no nodata declared",
      "dem.tif")
def _(tmp):
    import numpy as np

    def fn(a, p):
        p.pop("nodata")
        return np.where(np.isfinite(a), a, -9999.0).astype("float32"), p
    return edit_dem(fn, tmp)


@case("dem_millimetres", "Territory.check", "DEM in millimetres (values × 1000)", "dem.tif")
def _(tmp):
    return edit_dem(lambda a, p: (a * 1000, p), tmp)


@case("dem_interior_hole", "Territory.check", "DEM with a hole of NaN inside the area",
      "dem.tif")
def _(tmp):
    def fn(a, p):
        a = a.copy()
        a[:, 450:460, 400:410] = float("nan")
        return a, p
    return edit_dem(fn, tmp)


@case("dem_three_bands", "Territory.check", "DEM with 3 bands", "dem.tif")
def _(tmp):
    import numpy as np

    return edit_dem(lambda a, p: (np.concatenate([a, a, a]), p), tmp)


@case("dem_mostly_nan", "Territory.check", "DEM with data over a small corner only",
      "dem.tif")
def _(tmp):
    def fn(a, p):
        a = a.copy()
        a[:, 150:, :] = float("nan")
        return a, p
    return edit_dem(fn, tmp)


@case("dem_elsewhere", "Territory.check", "DEM of another place (500 km east)", "dem.tif")
def _(tmp):
    from affine import Affine

    def fn(a, p):
        t = p["transform"]
        p["transform"] = Affine(t.a, t.b, t.c + 500_000, t.d, t.e, t.f)
        return a, p
    return edit_dem(fn, tmp)


@case("dem_no_crs", "Territory.check", "DEM without a CRS", "dem.tif")
def _(tmp):
    def fn(a, p):
        p["crs"] = None
        return a, p
    return edit_dem(fn, tmp)


@case("dem_wgs84", "Territory.check", "DEM in WGS 84 (EPSG:4326)", "dem.tif")
def _(tmp):
    import rioxarray

    def write(root):
        da = rioxarray.open_rasterio(root / "dem.tif", masked=True).rio.reproject("EPSG:4326")
        da.load().rio.to_raster(root / "dem2.tif")
        (root / "dem2.tif").replace(root / "dem.tif")
    return load_check(territory(tmp, "coast", ["dem"], write=write))


@case("dem_huge_header", "Territory.check", "header declaring 100,000 × 100,000 cells",
      "dem.tif")
def _(tmp):
    import rasterio
    from rasterio.transform import from_origin

    def write(root):
        (root / "dem.tif").unlink()
        with rasterio.open(root / "dem.tif", "w", driver="GTiff", width=100_000,
                           height=100_000, count=1, dtype="float32", crs="EPSG:2154",
                           tiled=True, sparse_ok=True, compress="deflate",
                           transform=from_origin(300_000, 6_600_000, 5, 5)):
            pass
    return load_check(territory(tmp, "coast", ["dem"], write=write))


@case("dem_truncated_half", "Territory.check", "GeoTIFF truncated to half its size", "dem.tif")
def _(tmp):
    return dem_bytes(lambda b: b[: len(b) // 2], tmp)


@case("dem_truncated_header", "Territory.check", "GeoTIFF truncated to 200 bytes", "dem.tif")
def _(tmp):
    return dem_bytes(lambda b: b[:200], tmp)


@case("dem_garbage", "Territory.check", "not a GeoTIFF (text)", "dem.tif")
def _(tmp):
    return dem_bytes(lambda b: b"this is not a raster\n" * 10, tmp)


@case("dem_empty", "Territory.check", "empty DEM file (0 bytes)", "dem.tif")
def _(tmp):
    return dem_bytes(lambda b: b"", tmp)


@case("dem_float64_ok", "Territory.check", "valid DEM rewritten as float64", "dem.tif",
      expect="read")
def _(tmp):
    return edit_dem(lambda a, p: (a.astype("float64"), p), tmp)


# -- vectors -----------------------------------------------------------------------------------
@case("communes_degrees_as_l93", "Territory.check", "degrees labelled Lambert-93",
      "communes.gpkg")
def _(tmp):
    return edit_communes(lambda g: g.to_crs(4326).set_crs(2154, allow_override=True), tmp)


@case("communes_l93_as_wgs84", "Territory.check", "Lambert-93 coordinates labelled WGS 84",
      "communes.gpkg")
def _(tmp):
    return edit_communes(lambda g: g.set_crs(4326, allow_override=True), tmp)


@case("communes_wgs84", "Territory.check", "communes really in WGS 84 (GeoJSON)",
      "communes.geojson")
def _(tmp):
    return edit_communes(lambda g: g.to_crs(4326), tmp, fname="communes.geojson")


@case("communes_web_mercator_as_l93", "Territory.check", "Web Mercator labelled Lambert-93",
      "communes.gpkg")
def _(tmp):
    return edit_communes(lambda g: g.to_crs(3857).set_crs(2154, allow_override=True), tmp)


@case("communes_no_crs", "Territory.check", "no CRS", "communes.gpkg")
def _(tmp):
    return edit_communes(lambda g: g.set_crs(None, allow_override=True), tmp)


@case("communes_far_away", "Territory.check", "coordinates far outside France",
      "communes.gpkg")
def _(tmp):
    return edit_communes(lambda g: g.set_geometry(g.translate(0, -9_000_000)), tmp)


@case("communes_spain", "Territory.check", "communes of Spain in ETRS89-LAEA",
      "communes.gpkg")
def _(tmp):
    return edit_communes(lambda g: g.to_crs(3035).set_geometry(
        g.to_crs(3035).translate(-400_000, -700_000)), tmp)


@case("communes_duplicated_code", "Territory.check", "a commune code twice", "communes.gpkg")
def _(tmp):
    import pandas as pd

    return edit_communes(lambda g: pd.concat([g, g.iloc[[0]]], ignore_index=True), tmp)


@case("communes_area_m2", "Territory.check", "area_ha written in m²", "communes.gpkg")
def _(tmp):
    return edit_communes(lambda g: g.assign(area_ha=g.area_ha * 1e4), tmp)


@case("communes_area_km2", "Territory.check", "area_ha written in km²", "communes.gpkg")
def _(tmp):
    return edit_communes(lambda g: g.assign(area_ha=g.area_ha / 100), tmp)


@case("communes_no_population", "Territory.check", "column population missing",
      "communes.gpkg")
def _(tmp):
    return edit_communes(lambda g: g.drop(columns="population"), tmp)


@case("communes_population_text", "Territory.check", "population as text", "communes.gpkg")
def _(tmp):
    return edit_communes(lambda g: g.assign(population=g.population.astype(str) + " hab"), tmp)


@case("communes_bowtie", "Territory.check", "a self-intersecting polygon", "communes.gpkg")
def _(tmp):
    from shapely.geometry import Polygon

    def fn(g):
        x0, y0, x1, y1 = g.geometry.iloc[0].bounds
        g.loc[g.index[0], "geometry"] = Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
        return g
    return edit_communes(fn, tmp)


@case("communes_empty_geometry", "Territory.check", "a missing geometry", "communes.gpkg")
def _(tmp):
    def fn(g):
        g.loc[g.index[2], "geometry"] = None
        return g
    return edit_communes(fn, tmp)


@case("communes_points", "Territory.check", "points instead of polygons", "communes.gpkg")
def _(tmp):
    return edit_communes(lambda g: g.set_geometry(g.representative_point()), tmp)


@case("communes_code_4_digits", "Territory.check", "codes without their leading zero (1001)",
      "communes.gpkg")
def _(tmp):
    return edit_communes(lambda g: g.assign(code_insee=g.code_insee.str.lstrip("0")), tmp)


@case("communes_code_2C", "Territory.check", "a code 2C001", "communes.gpkg")
def _(tmp):
    def fn(g):
        g.loc[g.index[0], "code_insee"] = "2C001"
        return g
    return edit_communes(fn, tmp)


@case("communes_no_rows", "Territory.check", "no feature", "communes.gpkg")
def _(tmp):
    return edit_communes(lambda g: g.iloc[0:0], tmp)


@case("communes_garbage", "Territory.check", "not a GeoPackage", "communes.gpkg")
def _(tmp):
    def write(root):
        (root / "communes.gpkg").write_bytes(b"SQLite format 3\x00" + b"\x00" * 500)
    return load_check(territory(tmp, "zan", [], write=write))


@case("communes_parquet_ok", "Territory.check", "valid communes as GeoParquet",
      "communes.parquet", expect="read")
def _(tmp):
    return edit_communes(lambda g: g, tmp, fname="communes.parquet")


@case("erosion_elsewhere", "Territory.check", "erosion lines of another coast (300 km away)",
      "erosion.gpkg")
def _(tmp):
    return edit_vector("coast", "erosion", lambda g: g.set_geometry(g.translate(300_000, 0)),
                       tmp)


@case("erosion_unknown_commune", "Territory.check", "erosion line of a commune not in the "
      "territory", "erosion.gpkg")
def _(tmp):
    def fn(g):
        g.loc[g.index[0], "code_insee"] = "75056"
        return g
    return edit_vector("coast", "erosion", fn, tmp)


@case("buildings_duplicated_id", "Territory.check", "duplicated building_id",
      "buildings_synthetic.gpkg")
def _(tmp):
    def fn(g):
        g.loc[g.index[1], "building_id"] = g.building_id.iloc[0]
        return g
    return edit_vector("coast", "buildings_synthetic", fn, tmp)


@case("stands_area_m2", "Territory.check", "stand area_ha in m²", "stands.gpkg")
def _(tmp):
    return edit_vector("forest", "stands", lambda g: g.assign(area_ha=g.area_ha * 1e4), tmp)


@case("stands_degrees_as_l93", "Territory.check", "stands in degrees labelled Lambert-93",
      "stands.gpkg")
def _(tmp):
    return edit_vector("forest", "stands",
                       lambda g: g.to_crs(4326).set_crs(2154, allow_override=True), tmp)


@case("catchments_area_m2", "Territory.check", "catchment area_km2 in m²", "catchments.gpkg")
def _(tmp):
    return edit_vector("agriculture", "catchments",
                       lambda g: g.assign(area_km2=g.area_km2 * 1e6), tmp)


# -- tables ------------------------------------------------------------------------------------
def _conso(tmp, old, new, count=1):
    return edit_text("zan", "conso_naf", lambda b: b.replace(old, new, count), tmp)


@case("conso_code_99999", "Territory.check", "land-take commune code 99999", "conso_naf.csv")
def _(tmp):
    return _conso(tmp, b"\n01001;", b"\n99999;")


@case("conso_code_2C", "Territory.check", "land-take commune code 2C001", "conso_naf.csv")
def _(tmp):
    return _conso(tmp, b"\n01001;", b"\n2C001;")


@case("conso_code_4_digits", "Territory.check", "land-take commune code of 4 digits",
      "conso_naf.csv")
def _(tmp):
    return _conso(tmp, b"\n01001;", b"\n1001;")


@case("conso_code_elsewhere", "Territory.check", "land-take row of a commune outside the "
      "territory (Paris)", "conso_naf.csv")
def _(tmp):
    return _conso(tmp, b"\n01001;", b"\n75056;")


@case("conso_duplicated", "Territory.check", "a commune twice in the land-take file",
      "conso_naf.csv")
def _(tmp):
    return _conso(tmp, b"\n01002;", b"\n01001;")


@case("conso_latin1", "Territory.check", "land-take file in Latin-1", "conso_naf.csv")
def _(tmp):
    return edit_text("zan", "conso_naf",
                     lambda b: b.decode("utf-8").encode("latin-1", "replace"), tmp)


@case("conso_missing_column", "Territory.check", "column naf11art12 missing", "conso_naf.csv")
def _(tmp):
    return _conso(tmp, b"naf11art12", b"naf11art12_old")


@case("conso_text_in_numbers", "Territory.check", "a decimal comma in a numeric column",
      "conso_naf.csv")
def _(tmp):
    def fn(b):
        lines = b.decode("utf-8").split("\n")
        head = lines[0].split(";")
        i = head.index("naf11art12")
        row = lines[1].split(";")
        row[i] = "12,5"  # a decimal comma
        lines[1] = ";".join(row)
        return "\n".join(lines).encode("utf-8")
    return edit_text("zan", "conso_naf", fn, tmp)


@case("conso_empty", "Territory.check", "empty land-take file", "conso_naf.csv")
def _(tmp):
    return edit_text("zan", "conso_naf", lambda b: b"", tmp)


@case("conso_header_only", "Territory.check", "land-take file with a header and no row",
      "conso_naf.csv")
def _(tmp):
    return edit_text("zan", "conso_naf", lambda b: b.split(b"\n")[0] + b"\n", tmp)


@case("conso_binary", "Territory.check", "binary garbage named .csv", "conso_naf.csv")
def _(tmp):
    return edit_text("zan", "conso_naf", lambda b: bytes(range(256)) * 20, tmp)


@case("conso_comma", "Territory.check", "land-take file re-saved with commas (the "
      "separator is sniffed)", "conso_naf.csv", expect="read")
def _(tmp):
    return edit_text("zan", "conso_naf", lambda b: b.replace(b";", b","), tmp)


def _nitrates(tmp, fn, extra=None):
    def edit(b):
        lines = b.decode("utf-8").split("\n")
        out = [lines[0]]
        for i, line in enumerate(lines[1:]):
            if line:
                parts = line.split(",")
                parts[1] = fn(i, parts[1])
                line = ",".join(parts)
            out.append(line)
        return "\n".join(out).encode("utf-8")
    return edit_text("agriculture", "nitrates", edit, tmp, extra)


def _dmy(d, us=False):
    y, m, dd = d.split("-")
    return f"{m}/{dd}/{y}" if us else f"{dd}/{m}/{y}"


@case("nitrates_day_first_le12", "Territory.check", "Naïades dates day-first, every day ≤ 12",
      "nitrates.csv")
def _(tmp):
    return _nitrates(tmp, lambda i, d: _dmy(d[:8] + f"{int(d[8:]) % 12 + 1:02d}"))


@case("nitrates_day_first", "Territory.check", "Naïades dates day-first (25/04/2021)",
      "nitrates.csv")
def _(tmp):
    return _nitrates(tmp, lambda i, d: _dmy(d))


@case("nitrates_month_first", "Territory.check", "dates month-first (US)", "nitrates.csv")
def _(tmp):
    return _nitrates(tmp, lambda i, d: _dmy(d, us=True))


@case("nitrates_garbage_date", "Territory.check", "a date 'hier'", "nitrates.csv")
def _(tmp):
    return _nitrates(tmp, lambda i, d: "hier" if i == 5 else d)


@case("nitrates_future", "Territory.check", "a sample dated 2099", "nitrates.csv")
def _(tmp):
    return _nitrates(tmp, lambda i, d: "2099" + d[4:] if i == 3 else d)


@case("nitrates_declared_format", "Territory.check", "day-first dates with date_format "
      "declared", "nitrates.csv", expect="read")
def _(tmp):
    return _nitrates(tmp, lambda i, d: _dmy(d),
                     extra={"nitrates": {"date_format": "%d/%m/%Y"}})


@case("normals_duplicated", "Territory.check", "climate normals: a commune twice",
      "climate_normals.csv")
def _(tmp):
    def fn(b):
        lines = b.split(b"\n")
        return b"\n".join([lines[0], lines[1], lines[1]] + lines[2:])
    return edit_text("forest", "climate_normals", fn, tmp)


@case("weather_bad_date", "Territory.check", "weather: dates 2023-02-30", "weather_nice_synop.csv")
def _(tmp):
    return edit_text("forest", "weather_nice_synop",
                     lambda b: b.replace(b"\n2023-07-02,", b"\n2023-02-30,", 1), tmp)


# -- product readers ---------------------------------------------------------------------------
def _cerema(tmp, fn):
    from twin_core.territory.products import read_cerema_conso

    path = tmp / "cerema.csv"
    path.write_bytes(fn((DATA / "zan" / "conso_naf.csv").read_bytes()))
    return lambda: read_cerema_conso(path, communes=["01001", "01002"])


@case("cerema_99999", "read_cerema_conso", "Cerema file with a code 99999", "cerema.csv")
def _(tmp):
    return _cerema(tmp, lambda b: b.replace(b"\n01004;", b"\n99999;", 1))


@case("cerema_duplicated", "read_cerema_conso", "Cerema file with a commune twice",
      "cerema.csv")
def _(tmp):
    return _cerema(tmp, lambda b: b.replace(b"\n01004;", b"\n01001;", 1))


@case("cerema_comma", "read_cerema_conso", "Cerema file with commas", "cerema.csv")
def _(tmp):
    return _cerema(tmp, lambda b: b.replace(b";", b","))


@case("cerema_ok", "read_cerema_conso", "the real Cerema extract", "cerema.csv",
      expect="read")
def _(tmp):
    return _cerema(tmp, lambda b: b)


def _rpg(tmp, fn, name="rpg.gpkg"):
    import geopandas as gpd

    from twin_core.territory.products import read_rpg

    raw = gpd.read_file(SHARED / "agriculture" / "rpg2021_sample_9parcels_penmarch_29.geojson")
    path = tmp / name
    out = fn(raw)
    if isinstance(out, bytes):
        path.write_bytes(out)
    else:
        out.to_file(path)
    return lambda: read_rpg(path)


@case("rpg_degrees_as_l93", "read_rpg", "RPG in degrees labelled Lambert-93", "rpg.gpkg")
def _(tmp):
    return _rpg(tmp, lambda g: g.to_crs(4326).set_crs(2154, allow_override=True))


@case("rpg_l93_as_wgs84", "read_rpg", "RPG in Lambert-93 labelled WGS 84", "rpg.gpkg")
def _(tmp):
    return _rpg(tmp, lambda g: g.to_crs(2154).set_crs(4326, allow_override=True))


@case("rpg_no_surface", "read_rpg", "RPG without surf_parc", "rpg.gpkg")
def _(tmp):
    return _rpg(tmp, lambda g: g.drop(columns="surf_parc"))


@case("rpg_truncated", "read_rpg", "RPG GeoJSON cut in the middle", "rpg.geojson")
def _(tmp):
    text = (SHARED / "agriculture" / "rpg2021_sample_9parcels_penmarch_29.geojson").read_bytes()
    return _rpg(tmp, lambda g: text[: len(text) // 2], "rpg.geojson")


@case("rpg_ok", "read_rpg", "the real RPG sample", "rpg.gpkg", expect="read")
def _(tmp):
    return _rpg(tmp, lambda g: g)


def _bdtopo(tmp, fn):
    import geopandas as gpd
    from shapely.geometry import box

    from twin_core.territory.products import read_bdtopo_buildings

    communes = gpd.read_file(DATA / "coast" / "communes.gpkg")
    x0, y0 = communes.geometry.iloc[0].representative_point().coords[0]
    raw = gpd.GeoDataFrame({"cleabs": ["B1", "B2"], "usage_1": ["Résidentiel", "Religieux"],
                            "nombre_de_logements": [4, 0], "nombre_d_etages": [2, 1],
                            "hauteur": [7.0, 12.0]},
                           geometry=[box(x0, y0, x0 + 20, y0 + 10),
                                     box(x0 + 40, y0, x0 + 60, y0 + 10)], crs=2154)
    path = tmp / "bdtopo.gpkg"
    fn(raw).to_file(path, layer="batiment")
    return lambda: read_bdtopo_buildings(path, communes)


@case("bdtopo_no_crs", "read_bdtopo_buildings", "BD TOPO without a CRS", "bdtopo.gpkg")
def _(tmp):
    return _bdtopo(tmp, lambda g: g.set_crs(None, allow_override=True))


@case("bdtopo_degrees_as_l93", "read_bdtopo_buildings", "BD TOPO in degrees labelled "
      "Lambert-93", "bdtopo.gpkg")
def _(tmp):
    return _bdtopo(tmp, lambda g: g.to_crs(4326).set_crs(2154, allow_override=True))


@case("bdtopo_no_dwellings", "read_bdtopo_buildings", "BD TOPO without NB_LOGTS",
      "bdtopo.gpkg")
def _(tmp):
    return _bdtopo(tmp, lambda g: g.drop(columns="nombre_de_logements"))


@case("bdtopo_ok", "read_bdtopo_buildings", "a valid BD TOPO extract", "bdtopo.gpkg",
      expect="read")
def _(tmp):
    return _bdtopo(tmp, lambda g: g)


# -- scenario files ----------------------------------------------------------------------------
def _scenario(tmp, edit=None, raw: bytes | None = None, name="scenario.json"):
    from twin_core.models.registry import get_model
    from twin_core.scenario import Scenario

    if raw is None:
        data = get_model("zan.trajectory").scenario_class().to_dict()
        edit(data)
        raw = json.dumps(data).encode()
    path = tmp / name
    path.write_bytes(raw)
    return lambda: Scenario.from_json(path.read_bytes(), source=str(path))


def _param(**kw):
    return lambda d: d["params"].update(kw)


BIG_LABEL = (b'{"model": "zan.trajectory", "version": "1.0", "params": {"label": "'
             + b"x" * 50_000_000 + b'"}}')


@case("scenario_label_50mb", "Scenario.from_json", "a 50 MB label", "scenario.json")
def _(tmp):
    return _scenario(tmp, raw=BIG_LABEL)


@case("scenario_label_5000", "Scenario.from_json", "a label of 5,000 characters",
      "scenario.json")
def _(tmp):
    return _scenario(tmp, _param(label="x" * 5000))


@case("scenario_deep", "Scenario.from_json", "JSON nested 100,000 levels", "scenario.json")
def _(tmp):
    return _scenario(tmp, raw=b"[" * 100_000 + b"]" * 100_000)


@case("scenario_deep_param", "Scenario.from_json", "a parameter nested 3,000 levels",
      "scenario.json")
def _(tmp):
    return _scenario(tmp, raw=b'{"model": "zan.trajectory", "params": {"renature_zone": '
                     + b"[" * 3000 + b"]" * 3000 + b"}}")


@case("scenario_horizon_text", "Scenario.from_json", "horizon \"2050\" as text",
      "scenario.json")
def _(tmp):
    return _scenario(tmp, _param(horizon="2050"))


@case("scenario_horizon_float", "Scenario.from_json", "horizon 2050.5", "scenario.json")
def _(tmp):
    return _scenario(tmp, _param(horizon=2050.5))


@case("scenario_horizon_2200", "Scenario.from_json", "horizon 2200 (out of bounds)",
      "scenario.json")
def _(tmp):
    return _scenario(tmp, _param(horizon=2200))


@case("scenario_warming_bool", "Scenario.from_json", "custom_warming true", "scenario.json")
def _(tmp):
    return _scenario(tmp, _param(custom_warming=True))


@case("scenario_nan", "Scenario.from_json", "custom_warming NaN", "scenario.json")
def _(tmp):
    return _scenario(tmp, raw=b'{"model": "zan.trajectory", "params": '
                     b'{"custom_warming": NaN}}')


@case("scenario_label_list", "Scenario.from_json", "label as a list", "scenario.json")
def _(tmp):
    return _scenario(tmp, _param(label=["A", "B"]))


@case("scenario_unknown_model", "Scenario.from_json", "an unknown model", "scenario.json")
def _(tmp):
    return _scenario(tmp, lambda d: d.update(model="tsunami"))


@case("scenario_model_number", "Scenario.from_json", "model given as a number",
      "scenario.json")
def _(tmp):
    return _scenario(tmp, lambda d: d.update(model=12))


@case("scenario_array", "Scenario.from_json", "a JSON array", "scenario.json")
def _(tmp):
    return _scenario(tmp, raw=b"[1, 2, 3]")


@case("scenario_latin1", "Scenario.from_json", "Latin-1 encoded", "scenario.json")
def _(tmp):
    return _scenario(tmp, raw='{"params": {"label": "été"}}'.encode("latin-1"))


@case("scenario_empty", "Scenario.from_json", "an empty file", "scenario.json")
def _(tmp):
    return _scenario(tmp, raw=b"")


@case("scenario_truncated", "Scenario.from_json", "JSON cut in the middle", "scenario.json")
def _(tmp):
    return _scenario(tmp, raw=b'{"model": "zan.trajectory", "params": {"hori')


@case("scenario_ok", "Scenario.from_json", "a scenario saved from the page", "scenario.json",
      expect="read")
def _(tmp):
    return _scenario(tmp, _param(label="Sobriété"))


# -- twin run ----------------------------------------------------------------------------------
def _twin_run(tmp, edit=None, raw=None, extra_args=()):
    _scenario(tmp, edit, raw, name="run.json")
    out = tmp / "out" / "table.csv"

    def run():
        from twin_core.cli import main

        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            rc = main(["run", str(tmp / "run.json"), "--out", str(out), *extra_args])
        left = sorted(p.name for p in out.parent.iterdir()) if out.parent.exists() else []
        return CliResult(rc, err.getvalue(), left)
    return run


@dataclass
class CliResult:
    rc: int
    stderr: str
    left: list[str]


@case("run_label_50mb", "twin run --out", "scenario with a 50 MB label", "run.json")
def _(tmp):
    return _twin_run(tmp, raw=BIG_LABEL)


@case("run_horizon_text", "twin run --out", "scenario with horizon \"2050\"", "run.json")
def _(tmp):
    return _twin_run(tmp, _param(horizon="2050"))


@case("run_territory_escape", "twin run --territory", "territory whose manifest points to "
      "../../", "territory.json")
def _(tmp):
    root = tmp / "t"
    root.mkdir()
    (root / "territory.json").write_text(json.dumps({"id": "zan", "layers": {
        "communes": {"path": "../../../etc/passwd", "kind": "vector"}}}))
    return _twin_run(tmp, _param(), extra_args=("--territory", str(root)))


@case("manifest_escape", "Territory.load", "layer path ../../ in territory.json",
      "territory.json")
def _(tmp):
    return load_check(territory(tmp, "zan", ["conso_naf"], extra={
        "conso_naf": {"path": "../../zan/conso_naf.csv"}}))


@case("manifest_absolute", "Territory.load", "absolute layer path in territory.json",
      "territory.json")
def _(tmp):
    return load_check(territory(tmp, "zan", ["conso_naf"], extra={
        "conso_naf": {"path": str(DATA / "zan" / "conso_naf.csv")}}))


@case("manifest_not_json", "Territory.load", "territory.json is not JSON", "territory.json")
def _(tmp):
    root = territory(tmp, "zan", [])
    (root / "territory.json").write_text("{'id': 'zan',")
    return load_check(root)


@case("manifest_layers_list", "Territory.load", "layers given as a list", "territory.json")
def _(tmp):
    root = territory(tmp, "zan", [])
    (root / "territory.json").write_text(json.dumps({"id": "z", "layers": ["communes.gpkg"]}))
    return load_check(root)


# -- running -----------------------------------------------------------------------------------
def judge(c: Case, outcome: object, error: BaseException | None) -> tuple[str, str, str]:
    """(status, message fr, message en): refused / read / other."""
    from twin_core.errors import TwinInputError

    if isinstance(outcome, CliResult):
        ok = outcome.rc == 2 and c.name in outcome.stderr and outcome.left == []
        return ("refused" if ok else "other", outcome.stderr.strip(),
                f"(exit {outcome.rc}, files left: {outcome.left})")
    if error is None:
        return ("read" if c.expect == "read" else "other"), "", ""
    if isinstance(error, TwinInputError):
        fr, en = error.message("fr"), error.message("en")
        clear = c.expect == "refused" and c.name in en and c.name in fr and fr != en
        return ("refused" if clear else "other"), fr, en
    return "other", "", f"{type(error).__name__}: {str(error)[:300]}"


def run_cases(only: list[str] | None = None) -> list[dict]:
    import warnings

    warnings.filterwarnings("ignore")
    results = []

    def alarm(signum, frame):
        raise TimeoutError(f"more than {CASE_TIMEOUT_S} s")
    signal.signal(signal.SIGALRM, alarm)
    with tempfile.TemporaryDirectory() as base:
        for i, c in enumerate(CASES):
            if only and c.id not in only:
                continue
            tmp = Path(base) / f"{i:03d}_{c.id}"
            tmp.mkdir()
            start = time.perf_counter()
            outcome, error = None, None
            signal.alarm(CASE_TIMEOUT_S)
            try:
                outcome = c.build(tmp)()
            except BaseException as exc:  # noqa: BLE001 (judged below: only TwinInputError)
                if isinstance(exc, KeyboardInterrupt):
                    raise
                error = exc
            finally:
                signal.alarm(0)
            status, fr, en = judge(c, outcome, error)
            results.append({"id": c.id, "entry": c.entry, "defect": c.defect,
                            "expect": c.expect, "status": status, "fr": fr, "en": en,
                            "code": getattr(error, "code", ""),
                            "seconds": round(time.perf_counter() - start, 2)})
    return results


def run_in_child(timeout: float = 600) -> list[dict]:
    """The catalogue in a child process with RLIMIT_AS = MEMORY_LIMIT."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, __file__, "--child"], capture_output=True,
                          text=True, timeout=timeout, preexec_fn=limit, cwd=ROOT, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"catalogue child failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write_docs(results: list[dict], path: Path = ROOT / "docs" / "input_checks.md") -> Path:
    counts = {s: sum(r["status"] == s for r in results) for s in ("refused", "read", "other")}
    lines = [
        "# Broken and hostile input: the catalogue",
        "",
        "Generated by `tests/input_catalogue.py --docs` (run by `tests/test_input_catalogue.py`): "
        f"{len(results)} malformed or valid files, built from the sample data in `data/`, one "
        "defect each, through the entry points users take, in a child process limited to "
        f"{MEMORY_LIMIT // 2**30} GiB of address space and {CASE_TIMEOUT_S} s per file.",
        "",
        f"**{counts['refused']} refused with a clear message, {counts['read']} read right, "
        f"{counts['other']} other** (a bare exception, a silent acceptance, a time-out or a "
        "memory error would count here).",
        "",
        "Every refusal is a `TwinInputError` naming the file (and the layer, column or key), "
        "what is wrong and what to do, in French and English (`errors.*` in "
        "`twin_core/indicators/locales/*/core.json`). The messages below are the English ones "
        "(paths shortened).",
        "",
        "| # | entry point | defect | result | code | message |",
        "|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(results, 1):
        msg = r["en"] or r["fr"]
        msg = msg.split("] ", 1)[-1] if msg.startswith("[") else msg
        lines.append(f"| {i} | {r['entry']} | {_md(r['defect'])} | {r['status']} | "
                     f"{r['code'] or ('exit 2' if r['entry'].startswith('twin') else '')} | "
                     f"{_md(msg)[:400]} |")
    lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), "utf-8")
    return path


def main(argv: list[str]) -> int:
    if "--child" in argv:
        sys.path.insert(0, str(ROOT))
        results = run_cases()
        print(json.dumps(results, ensure_ascii=False))
        return 0
    results = run_in_child()
    for r in results:
        print(f"{r['status']:8} {r['seconds']:6.2f} s  {r['id']:30} {r['code'] or ''} "
              f"{(r['en'] or r['fr'])[:150]}")
    bad = [r for r in results if r["status"] == "other"]
    print(f"{len(results)} files: {len(results) - len(bad)} refused or read right, "
          f"{len(bad)} other")
    if "--docs" in argv:
        print(f"wrote {write_docs(results)}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
