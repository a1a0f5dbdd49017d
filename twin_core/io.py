"""Readers and writers: GeoPackage, GeoParquet, GeoJSON, GeoTIFF/COG, CSV.

Every writer is atomic (temporary file in the target folder, then rename), so a failure never
leaves a half-written file. Every reader turns low-level failures into a TwinInputError naming
the file and what to do.
"""

from __future__ import annotations

import contextlib
import csv
import io as _io
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import xarray as xr

from twin_core.errors import TwinInputError

VECTOR_SUFFIXES = {".gpkg", ".geojson", ".json", ".shp", ".parquet", ".geoparquet"}
RASTER_SUFFIXES = {".tif", ".tiff"}


def _check_file(path: Path) -> None:
    if not path.exists():
        raise TwinInputError("file_not_found", str(path))
    if path.is_file() and path.stat().st_size == 0:
        raise TwinInputError("empty_file", str(path))


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    os.unlink(tmp)  # drivers such as GPKG refuse to write into an existing empty file
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


# -- vectors ---------------------------------------------------------------------------------
def read_vector(path: str | os.PathLike[str], layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a GeoPackage/GeoJSON/Shapefile (pyogrio) or GeoParquet file."""
    path = Path(path)
    _check_file(path)
    try:
        if path.suffix.lower() in {".parquet", ".geoparquet"}:
            return gpd.read_parquet(path)
        return gpd.read_file(path, layer=layer, engine="pyogrio")
    except UnicodeDecodeError:
        raise TwinInputError("bad_encoding", str(path), encoding="UTF-8") from None
    except Exception as exc:  # drivers raise many types; the user needs the file and the fix
        raise TwinInputError("unreadable_file", str(path), kind="vector",
                             detail=str(exc).splitlines()[0][:200]) from None


def write_vector(gdf: gpd.GeoDataFrame, path: str | os.PathLike[str], layer: str | None = None
                 ) -> Path:
    path = Path(path)
    with atomic_path(path) as tmp:
        if path.suffix.lower() in {".parquet", ".geoparquet"}:
            gdf.to_parquet(tmp)
        else:
            gdf.to_file(tmp, layer=layer or path.stem, engine="pyogrio")
    return path


def write_layers(layers: Mapping[str, gpd.GeoDataFrame], path: str | os.PathLike[str]) -> Path:
    """Several layers in one GeoPackage, written atomically as a whole."""
    path = Path(path)
    with atomic_path(path) as tmp:
        for name, gdf in layers.items():
            gdf.to_file(tmp, layer=name, engine="pyogrio")
    return path


# -- rasters ---------------------------------------------------------------------------------
#: Memory budget of one raster read (MB, as float32 cells); TWIN_MAX_RASTER_MB overrides it.
MAX_RASTER_MB = 2048


def raster_budget_mb() -> float:
    try:
        return float(os.environ.get("TWIN_MAX_RASTER_MB", MAX_RASTER_MB))
    except ValueError:
        return float(MAX_RASTER_MB)


def read_raster(path: str | os.PathLike[str]) -> xr.DataArray:
    """Read a one-band GeoTIFF/COG as a 2-D DataArray (nodata -> NaN), loaded in memory.

    The header's size is checked against the memory budget (:func:`raster_budget_mb`) before
    any cell is read; a file whose cells cannot be read (truncated, corrupt) is named.
    """
    import rasterio
    import rioxarray  # noqa: F401  (registers the .rio accessor)

    path = Path(path)
    _check_file(path)
    try:
        with rasterio.open(path) as src:
            width, height, bands = src.width, src.height, src.count
            itemsize = max(_itemsize(src.dtypes[0]), 4)  # masked ints become float32
    except Exception as exc:
        raise TwinInputError("unreadable_file", str(path), kind="raster",
                             detail=str(exc).splitlines()[0][:200]) from None
    if bands != 1:
        raise TwinInputError("wrong_kind", str(path), layer=path.stem,
                             kind=f"raster of 1 band, not {bands}")
    size_mb = width * height * bands * itemsize / 2**20
    budget = raster_budget_mb()
    if size_mb > budget:
        raise TwinInputError("raster_too_large", str(path), width=f"{width:,}",
                             height=f"{height:,}", bands=bands, size=f"{size_mb:,.0f}",
                             budget=f"{budget:,.0f}")
    try:
        da = rioxarray.open_rasterio(path, masked=True)
        if "band" in da.dims:
            da = da.squeeze("band", drop=True)
        return da.load()
    except Exception as exc:  # GDAL raises on a truncated or corrupt block
        raise TwinInputError("truncated_file", str(path), kind="raster",
                             detail=str(exc).splitlines()[0][:200]) from None


def _itemsize(dtype: str) -> int:
    import numpy as np

    try:
        return int(np.dtype(dtype).itemsize)
    except TypeError:
        return 8


def write_raster(da: xr.DataArray, path: str | os.PathLike[str]) -> Path:
    """Write a DataArray as a Cloud-Optimized GeoTIFF (deflate)."""
    import rioxarray  # noqa: F401

    path = Path(path)
    with atomic_path(path) as tmp:
        da.rio.to_raster(tmp, driver="COG", compress="DEFLATE")
    return path


# -- tables ----------------------------------------------------------------------------------
def read_table(path: str | os.PathLike[str], sep: str | None = None, **kwargs) -> pd.DataFrame:
    """Read a UTF-8 CSV (BOM allowed); the separator (, or ;) is sniffed when not given."""
    path = Path(path)
    _check_file(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TwinInputError("bad_encoding", str(path), encoding="UTF-8") from None
    if not text.strip():
        raise TwinInputError("empty_file", str(path))
    if sep is None:
        head = text.split("\n", 1)[0]
        sep = ";" if head.count(";") > head.count(",") else ","
    try:
        return pd.read_csv(_io.StringIO(text), sep=sep, **kwargs)
    except (pd.errors.ParserError, ValueError) as exc:
        raise TwinInputError("unreadable_file", str(path), kind="CSV",
                             detail=str(exc).splitlines()[0][:200]) from None


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str], sep: str = ",") -> Path:
    """UTF-8 CSV with a BOM, so that spreadsheet software opens accents correctly."""
    path = Path(path)
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False, sep=sep, encoding="utf-8-sig", quoting=csv.QUOTE_MINIMAL)
    return path


# -- exports ---------------------------------------------------------------------------------
def export_indicators(table: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Export a comparison table (see :func:`twin_core.compare.compare`) as CSV."""
    return write_csv(table, path)


def export_result_layers(result, path: str | os.PathLike[str]) -> Path:
    """Export the vector layers of a Result as one GeoPackage (one layer each)."""
    layers = {k: v for k, v in result.layers.items() if isinstance(v, gpd.GeoDataFrame)}
    if not layers:
        raise TwinInputError("no_layers", result.model_id)
    return write_layers(layers, path)
