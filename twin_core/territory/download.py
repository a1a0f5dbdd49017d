"""Fetch a territory's layers from the official open-data services (``twin territory create
… --download``), then hand them to the ordinary build path as local files.

Nothing here runs without ``--download``. Every request below is the one the service documents:

- **IGN Géoplateforme WFS** (``data.geopf.fr/wfs/ows``): WFS 2.0.0 ``GetFeature`` with
  ``TYPENAMES``, ``RESULTTYPE=hits`` for the number of objects, ``COUNT``/``STARTINDEX`` paging,
  ``OUTPUTFORMAT=application/json`` (GeoJSON); limited to 30 requests/s.
  Doc: https://ignf.github.io/cartes.gouv.fr-documentation/fr/guides-utilisateur/acceder-aux-geodonnees/diffusion/wfs
  and https://geoservices.ign.fr/documentation/services/services-geoplateforme/diffusion
  (the list of layers: https://data.geopf.fr/wfs/ows?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetCapabilities).
  Layers: ``BDTOPO_V3:batiment`` (BD TOPO bâtiments), ``LANDCOVER.FORESTINVENTORY.V2:
  formation_vegetale`` (BD Forêt v2), ``RPG.LATEST:parcelles_graphiques`` (RPG, latest edition).
- **IGN Géoplateforme WMS-Raster** (``data.geopf.fr/wms-r``): WMS 1.3.0 ``GetMap`` with
  ``LAYERS``, ``FORMAT``, ``CRS``, ``BBOX=xmin,ymin,xmax,ymax``, ``WIDTH``, ``HEIGHT``;
  40 requests/s.
  Doc: https://ignf.github.io/cartes.gouv.fr-documentation/fr/guides-utilisateur/acceder-aux-geodonnees/diffusion/wms-raster
  Layer ``ELEVATION.ELEVATIONGRIDCOVERAGE.HIGHRES`` ("Modèle numérique de terrain RGE Alti",
  https://geoservices.ign.fr/services-web-experts-altimetrie), asked as ``image/geotiff`` in
  Lambert-93 at :data:`DEM_RES_M`: elevation values (float32), not a rendered picture.
- **Hub'Eau** (``hubeau.eaufrance.fr/api``): JSON answers ``{count, first, last, prev, next,
  api_version, data: […]}``, paged with ``size``/``page``; the ``next`` link is followed until it is
  null. ``bbox=lon_min,lat_min,lon_max,lat_max`` (WGS84).
  Qualité des cours d'eau v2, ``station_pc`` and ``analyse_pc`` (nitrates: SANDRE parameter
  ``code_parametre=1340``): https://hubeau.eaufrance.fr/page/api-qualite-cours-deau and its
  tutorial https://hubeau.eaufrance.fr/page/api-qualite-cours-deau-tuto (nitrates near Longuyon).
  Hydrométrie v2, ``referentiel/stations`` and ``obs_elab`` (``grandeur_hydro_elab=QmJ``, daily
  mean flow, in l/s as the API states: https://data.gouv.fr/en/dataservices/hubeau-hydrometrie):
  https://hubeau.eaufrance.fr/page/api-hydrometrie
- **data.gouv.fr API v1** ``GET /datasets/{slug}/`` lists a dataset's resources with their
  stable URL and ``filesize`` (https://doc.data.gouv.fr/api/reference/,
  https://guides.data.gouv.fr/reutiliser-des-donnees/prise-en-main-des-donnees-meteorologiques).
  Used for the Cerema land-take file (dataset :data:`CEREMA_CONSO_DATASET`, resource
  ``conso2009_2023_resultats_com.csv``, https://artificialisation.developpement-durable.gouv.fr/
  mesurer-la-consommation-despaces/methodologie-production-des-donnees) and the Météo-France
  daily station files "Données climatologiques de base – quotidiennes" (dataset
  :data:`METEO_DAILY_DATASET`, one ``Q_<dep>_latest-<years>_RR-T-Vent.csv.gz`` and one
  ``…_autres-parametres.csv.gz`` per département, ';'-separated, fields described in
  ``Q_descriptif_champs_RR-T-Vent.csv``; https://meteo.data.gouv.fr).
- **API Découpage administratif** (``geo.api.gouv.fr``), used when the national communes
  file is not in the ``--from`` folder: ``GET /communes?code=…``, ``/epcis/{siren}/communes``
  or ``/departements/{code}/communes`` with ``fields=nom,code,codeEpci,epci,codeDepartement,
  departement,codeRegion,region,population`` (``population``: population municipale, INSEE),
  ``format=geojson&geometry=contour`` (WGS84 polygons), then the same with
  ``geometry=mairie`` for the town halls; an unknown EPCI or département answers 404, an
  unknown code an empty collection. Doc: https://geo.api.gouv.fr/decoupage-administratif/communes
  and the guide https://guides.data.gouv.fr/reutiliser-des-donnees/utiliser-les-api-geographiques/
  utiliser-lapi-decoupage-administratif (source and OpenAPI definition:
  https://github.com/datagouv/api-geo, whose GeoJSON output keeps only non-geometry fields in
  ``properties``).
- **Géolittoral WFS** (``geolittoral.din.developpement-durable.gouv.fr/wxs``), the Cerema
  "indicateur national de l'érosion côtière" (https://www.monlittoral.fr/donnees/
  indicateur-national-de-lerosion-cotiere/), WFS 2.0.0 ``GetFeature`` of
  ``ms:n_evolution_trait_cote_s`` in a Lambert-93 bbox (layer name as listed by the service's
  GetCapabilities; the rate field is the first one whose name holds ``taux``).

Every answer is cached on disk (:func:`cache_dir`, one file per request hash), so a second run
sends nothing; a file cut short is resumed with an HTTP ``Range`` request; pages already
fetched are kept. A size estimate comes first (WFS hits × bytes per object, ``filesize`` or
``Content-Length`` of files, WMS width × height × 4 bytes) and a layer over ``max_bytes`` is
refused with the figure. A layer whose service fails (offline, HTTP error, bad answer) is
listed with the reason; the territory is then built from what exists (synthetic stand-ins
where the samples have them). Base URLs: :data:`SERVICE_URLS`, overridable with the
environment (``TWIN_SERVICE_URLS`` = JSON object or ``key=url,key=url``; or
``TWIN_URL_<KEY>``), so that the tests point them at a local server.
"""

from __future__ import annotations

import datetime as _dt
import gzip
import hashlib
import http.client
import json
import math
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from twin_core.errors import TwinInputError

#: Base URLs of the services (see the module docstring for their documentation).
SERVICE_URLS: dict[str, str] = {
    "geopf_wfs": "https://data.geopf.fr/wfs/ows",
    "geopf_wmsr": "https://data.geopf.fr/wms-r",
    "hubeau": "https://hubeau.eaufrance.fr/api",
    "datagouv": "https://www.data.gouv.fr/api/1",
    "geolittoral_wfs": "https://geolittoral.din.developpement-durable.gouv.fr/wxs",
    "geoapi": "https://geo.api.gouv.fr",
}
#: data.gouv.fr slugs. The Cerema one is the title of the 2009-2023 release as published
#: (https://artificialisation.developpement-durable.gouv.fr/mesurer-la-consommation-despaces/
#: methodologie-production-des-donnees); it could not be checked from this offline machine.
CEREMA_CONSO_DATASET = ("consommation-despaces-naturels-agricoles-et-forestiers-du-1er-janvier-"
                        "2009-au-1er-janvier-2023")
METEO_DAILY_DATASET = "donnees-climatologiques-de-base-quotidiennes"
#: Default refusal threshold per layer (MB); ``--max-download-mb`` or TWIN_MAX_DOWNLOAD_MB.
MAX_DOWNLOAD_MB = float(os.environ.get("TWIN_MAX_DOWNLOAD_MB", 500))
#: WFS page size (objects per GetFeature); assumption: the Géoplateforme answers 5,000 objects a
#: page without timing out (its documented limit is a request rate, not a page size).
WFS_PAGE = 5000
#: Hub'Eau page size; assumption within the documented maximum (20,000) of these APIs.
HUBEAU_PAGE = 5000
#: GeoJSON bytes per object, used to turn a WFS hit count into a size before downloading.
#: Assumptions (order of magnitude of GeoJSON features of each layer, with their attributes):
#: a building footprint ≈ 1.5 kB, a BD Forêt polygon ≈ 6 kB, an RPG parcel ≈ 2 kB, an
#: erosion segment ≈ 1 kB. They only decide a refusal; the real size is shown after.
BYTES_PER_FEATURE = {"buildings": 1500, "stands": 6000, "rpg": 2000, "erosion": 1000}
#: DEM cell size asked from the WMS-Raster (m): 25 m, the BD ALTI grid step (RGE ALTI resampled).
DEM_RES_M = 25.0
DEM_TILE_PX = 2048
DEM_PAD_M = 1000.0
DEM_LAYER = "ELEVATION.ELEVATIONGRIDCOVERAGE.HIGHRES"
NITRATE_PARAMETER = "1340"  # SANDRE code of nitrates
HUBEAU_STATION_BATCH = 50
#: Hub'Eau answers at most this many records of one query (page × size, "profondeur
#: d'accès aux résultats", API pages); a larger batch of stations is split in two.
HUBEAU_DEPTH = 20_000
LO = "Licence Ouverte / Etalab 2.0"


def service_url(key: str) -> str:
    """The base URL of a service: TWIN_URL_<KEY>, else TWIN_SERVICE_URLS, else the default."""
    env = os.environ.get(f"TWIN_URL_{key.upper()}")
    if env:
        return env.rstrip("/")
    raw = os.environ.get("TWIN_SERVICE_URLS", "").strip()
    if raw:
        try:
            table = json.loads(raw) if raw.startswith("{") else dict(
                part.split("=", 1) for part in raw.split(",") if "=" in part)
        except (ValueError, TypeError) as err:
            raise TwinInputError("bad_service_urls", "TWIN_SERVICE_URLS",
                                 value=raw[:80]) from err
        if key in table:
            return str(table[key]).rstrip("/")
    return SERVICE_URLS[key]


def cache_dir() -> Path:
    """Raw answers: $TWIN_CACHE_DIR, else the user cache dir (platformdirs) + twin/downloads."""
    env = os.environ.get("TWIN_CACHE_DIR")
    if env:
        return Path(env)
    try:
        import platformdirs

        return Path(platformdirs.user_cache_dir("twin")) / "downloads"
    except ImportError:  # pragma: no cover - platformdirs is pinned
        return Path.home() / ".cache" / "twin" / "downloads"


def _answer(path: Path, key: str, problem: str) -> tuple[dict, Any]:
    """(the JSON document cached at ``path``, its ``key``); an answer not shaped as the
    service documents is removed from the cache and raises ServiceError(``problem``)."""
    try:
        doc = json.loads(path.read_bytes())
        return doc, doc[key]
    except (ValueError, KeyError, TypeError) as err:
        path.unlink(missing_ok=True)
        raise ServiceError(problem) from err


def full_url(url: str, params: dict[str, Any] | None) -> str:
    if not params:
        return url
    sep = "&" if "?" in url else "?"
    return url + sep + urllib.parse.urlencode({k: str(v) for k, v in params.items()}, safe=",:")


# == HTTP with cache, resume and progress =========================================================
class ServiceError(RuntimeError):
    """A service could not answer (offline, HTTP error, unreadable answer)."""


class _Bar:
    """tqdm when installed (it is pinned in requirements.txt), else a plain line on stderr."""

    def __init__(self, total: int | None, desc: str, initial: int = 0,
                 enabled: bool = True) -> None:
        self.n, self.total, self.desc, self.enabled = initial, total, desc, enabled
        self._tqdm = None
        if not enabled:
            return
        try:
            from tqdm import tqdm

            self._tqdm = tqdm(total=total, initial=initial, desc=desc, unit="B",
                              unit_scale=True, leave=False, file=sys.stderr)
        except ImportError:  # pragma: no cover
            self._tqdm = None

    def update(self, k: int) -> None:
        self.n += k
        if self._tqdm is not None:
            self._tqdm.update(k)
        elif self.enabled:
            pct = f"{100 * self.n / self.total:5.1f} %" if self.total else f"{self.n / 1e6:.1f} MB"
            print(f"\r{self.desc}: {pct}", end="", file=sys.stderr)

    def close(self) -> None:
        if self._tqdm is not None:
            self._tqdm.close()
        elif self.enabled:
            print(file=sys.stderr)


class Fetcher:
    """GET/HEAD through urllib with one cache file per request (SHA-256 of method + URL)."""

    def __init__(self, cache: Path | None = None, timeout: float = 60.0,
                 progress: bool = True) -> None:
        self.cache = Path(cache) if cache else cache_dir()
        self.timeout = timeout
        self.progress = progress
        self.sent: list[tuple[str, str]] = []  # (method, url) actually sent over the network

    def _key(self, method: str, url: str) -> Path:
        h = hashlib.sha256(f"{method} {url}".encode()).hexdigest()
        return self.cache / h[:2] / h

    def _open(self, req: urllib.request.Request):
        self.sent.append((req.get_method(), req.full_url))
        try:
            return urllib.request.urlopen(req, timeout=self.timeout)  # noqa: S310 (http/https)
        except urllib.error.HTTPError as err:
            raise ServiceError(f"HTTP {err.code} from {req.full_url}") from err
        except (urllib.error.URLError, TimeoutError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise ServiceError(f"cannot reach {urllib.parse.urlsplit(req.full_url).netloc} "
                               f"({reason})") from err

    def head_size(self, url: str) -> int | None:
        """Content-Length of ``url`` (cached), or None when the server does not say."""
        path = self._key("HEAD", url)
        if path.exists():
            txt = path.read_text()
            return int(txt) if txt else None
        try:
            with self._open(urllib.request.Request(url, method="HEAD")) as resp:
                size = resp.headers.get("Content-Length")
        except ServiceError:  # a server without HEAD: the size stays unknown (GET says more)
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(size or "")
        return int(size) if size else None

    def get(self, url: str, params: dict[str, Any] | None = None, desc: str = "",
            size: int | None = None) -> Path:
        """The answer to GET ``url?params`` as a cached file. A ``.part`` left by a cut
        download is resumed with ``Range: bytes=N-`` (kept when the server answers 206,
        restarted when it answers 200)."""
        url = full_url(url, params)
        path = self._key("GET", url)
        if path.exists():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(".part")
        have = part.stat().st_size if part.exists() else 0
        req = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
        if have:
            req.add_header("Range", f"bytes={have}-")
        try:
            resp = self._open(req)
        except ServiceError as err:
            if have and "HTTP 416" in str(err):  # the part is already complete
                os.replace(part, path)
                return path
            raise
        with resp:
            status = getattr(resp, "status", 200)
            mode = "ab" if have and status == 206 else "wb"
            if mode == "wb":
                have = 0
            length = resp.headers.get("Content-Length")
            total = (have + int(length)) if length else size
            bar = _Bar(total, desc or urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1],
                       initial=have, enabled=self.progress)
            try:
                with open(part, mode) as out:
                    while True:
                        try:
                            chunk = resp.read(1 << 16)
                        except http.client.IncompleteRead as err:  # keep what arrived
                            out.write(err.partial)
                            bar.update(len(err.partial))
                            raise
                        if not chunk:
                            break
                        out.write(chunk)
                        bar.update(len(chunk))
            except (OSError, TimeoutError, http.client.HTTPException) as err:
                raise ServiceError(f"download of {url} cut at {bar.n:,} bytes ({err!r}); "
                                   "run again to resume") from err
            finally:
                bar.close()
        got = part.stat().st_size
        if total is not None and length and got < total:
            raise ServiceError(f"download of {url} cut at {got:,} of {total:,} bytes; run again "
                               "to resume")
        os.replace(part, path)
        return path


def _sha256(paths: Sequence[Path]) -> str:
    """SHA-256 of one file, or of the files' SHA-256 digests in order."""
    digests = []
    for p in paths:
        fh = hashlib.sha256()
        with open(p, "rb") as stream:
            for chunk in iter(lambda s=stream: s.read(1 << 20), b""):
                fh.update(chunk)
        digests.append(fh.hexdigest())
    if len(digests) == 1:
        return digests[0]
    return hashlib.sha256("".join(digests).encode()).hexdigest()


# == plan =========================================================================================
@dataclass
class Request:
    """One request as printed by ``--dry-run``."""

    layer: str
    method: str
    url: str
    params: dict[str, Any]
    estimate: str

    def line(self) -> str:
        url = full_url(self.url, self.params)
        return f"{self.layer:<12} {self.method} {url}  [{self.estimate}]"


@dataclass
class Context:
    """What every layer fetcher needs: the communes, their boxes and where to write."""

    sel: gpd.GeoDataFrame  # Lambert-93
    overlay: Path
    fetcher: Fetcher
    max_bytes: float
    log: Callable[[str], Any] = print
    provenance: dict[str, dict] = field(default_factory=dict)

    @property
    def bbox_l93(self) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = self.sel.total_bounds
        return (math.floor(x0), math.floor(y0), math.ceil(x1), math.ceil(y1))

    @property
    def bbox_wgs84(self) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = self.sel.to_crs("EPSG:4326").total_bounds
        return (round(x0, 5), round(y0, 5), round(x1, 5), round(y1, 5))

    @property
    def departements(self) -> list[str]:
        return sorted(set(self.sel["departement_code"].astype(str)))

    def record(self, rel: str, product: str, licence: str, urls: Sequence[str],
               files: Sequence[Path], edition: str = "", doc: str = "", note: str = "") -> None:
        """Provenance of an overlay file: product, edition, licence, request URL(s), date of
        the fetch (UTC), SHA-256 of the raw answers."""
        entry = {"product": product, "licence": licence, "request": urls[0] if urls else "",
                 "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d"),
                 "sha256": _sha256(list(files)), "fetched": "download"}
        if len(urls) > 1:
            entry["requests"] = len(urls)
        if edition:
            entry["edition"] = edition
        if doc:
            entry["documentation"] = doc
        if note:
            entry["note"] = note
        self.provenance[rel] = entry

    def check_size(self, layer: str, nbytes: float | None, what: str) -> None:
        """Say the estimate; refuse it over the limit (TwinInputError naming the figure)."""
        self.log(f"  {layer}: {what}, {_mb(nbytes)}")
        if nbytes is not None and nbytes > self.max_bytes:
            raise TwinInputError("download_too_large", layer, layer=layer,
                                 figure=f"{nbytes / 1e6:.0f}", what=what,
                                 limit=f"{self.max_bytes / 1e6:.0f}")


def _mb(n: float | None) -> str:
    return "size ?" if n is None else f"≈ {n / 1e6:.2f} MB"


# -- WFS ----------------------------------------------------------------------------------------
def _num(v: float) -> str:
    """A coordinate as plain decimal text (no exponent)."""
    return f"{v:.6f}".rstrip("0").rstrip(".")


def _wfs_params(typename: str, bbox: tuple, crs: str = "EPSG:2154", **extra) -> dict:
    p = {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature", "TYPENAMES": typename,
         "SRSNAME": crs, "BBOX": ",".join(_num(v) for v in bbox) + f",{crs}"}
    p.update(extra)
    return p


def wfs_hits(ctx: Context, base: str, typename: str) -> tuple[int, str, Path]:
    """WFS 2.0 ``RESULTTYPE=hits``: the ``numberMatched`` attribute of the FeatureCollection
    (with the request URL and the cached answer)."""
    params = _wfs_params(typename, ctx.bbox_l93, RESULTTYPE="hits")
    path = ctx.fetcher.get(base, params)
    m = re.search(rb'numberMatched="(\d+)"', path.read_bytes())
    if not m:
        path.unlink(missing_ok=True)
        raise ServiceError(f"{typename}: the hits answer has no numberMatched")
    return int(m.group(1)), full_url(base, params), path


def wfs_features(ctx: Context, layer: str, base: str, typename: str
                 ) -> tuple[gpd.GeoDataFrame, list[str], list[Path]]:
    """Every feature of ``typename`` in the territory's Lambert-93 box, page by page
    (``COUNT``/``STARTINDEX``), after a size check on the hit count."""
    n, hits_url, hits_path = wfs_hits(ctx, base, typename)
    ctx.check_size(layer, n * BYTES_PER_FEATURE[layer], f"{n:,} objects × "
                   f"{BYTES_PER_FEATURE[layer]:,} B ({typename})")
    frames, urls, files = [], [], []
    for start in range(0, max(n, 1), WFS_PAGE):
        params = _wfs_params(typename, ctx.bbox_l93, COUNT=WFS_PAGE, STARTINDEX=start,
                             OUTPUTFORMAT="application/json")
        path = ctx.fetcher.get(base, params, desc=f"{layer} {start // WFS_PAGE + 1}/"
                               f"{max(1, math.ceil(n / WFS_PAGE))}")
        urls.append(full_url(base, params))
        files.append(path)
        doc, feats = _answer(path, "features",
                             f"{typename}: page {start} is not a GeoJSON FeatureCollection")
        if feats:
            frames.append(gpd.GeoDataFrame.from_features(feats))
        if len(feats) < WFS_PAGE:
            break
    urls.append(hits_url)  # pages first (the first is the provenance's request), hits last
    files.append(hits_path)
    if not frames:
        return gpd.GeoDataFrame(geometry=[], crs="EPSG:2154"), urls, files
    gdf = pd.concat(frames, ignore_index=True)
    # the features were asked in SRSNAME=EPSG:2154: their coordinates are Lambert-93
    return gpd.GeoDataFrame(gdf, geometry="geometry", crs="EPSG:2154"), urls, files


def _write_geojson(gdf: gpd.GeoDataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    gdf.to_file(path, driver="GeoJSON")
    return path


GEOPF_WFS_DOC = ("https://ignf.github.io/cartes.gouv.fr-documentation/fr/guides-utilisateur/"
                 "acceder-aux-geodonnees/diffusion/wfs")


def fetch_buildings(ctx: Context) -> list[str]:
    base = service_url("geopf_wfs")
    gdf, urls, files = wfs_features(ctx, "buildings", base, "BDTOPO_V3:batiment")
    if gdf.empty:
        raise ServiceError("BDTOPO_V3:batiment: no building in the territory's box")
    rel = "download/bdtopo_batiment.geojson"
    _write_geojson(gdf, ctx.overlay / rel)
    ctx.record(rel, "IGN BD TOPO V3, bâtiments (BDTOPO_V3:batiment, Géoplateforme WFS)", LO,
               urls, files, edition="as served on the fetch date", doc=GEOPF_WFS_DOC)
    return [rel]


def fetch_stands(ctx: Context) -> list[str]:
    base = service_url("geopf_wfs")
    typename = "LANDCOVER.FORESTINVENTORY.V2:formation_vegetale"
    gdf, urls, files = wfs_features(ctx, "stands", base, typename)
    col = next((c for c in gdf.columns if c.lower() == "essence"), None)
    if gdf.empty or col is None:
        raise ServiceError(f"{typename}: no forest polygon with an 'essence' in the box")
    out = gpd.GeoDataFrame({"ESSENCE": gdf[col].astype(str).to_numpy()},
                           geometry=gdf.geometry.values, crs="EPSG:2154").to_crs("EPSG:4326")
    rel = "forest/bdforet_v2_wfs.parquet"
    (ctx.overlay / rel).parent.mkdir(parents=True, exist_ok=True)
    out.to_parquet(ctx.overlay / rel)
    ctx.record(rel, "IGN BD Forêt v2 (LANDCOVER.FORESTINVENTORY.V2:formation_vegetale, "
               "Géoplateforme WFS)", LO, urls, files, edition="v2 (2007-2018 by département)",
               doc=GEOPF_WFS_DOC)
    return [rel]


def fetch_rpg(ctx: Context) -> list[str]:
    base = service_url("geopf_wfs")
    typename = "RPG.LATEST:parcelles_graphiques"
    gdf, urls, files = wfs_features(ctx, "rpg", base, typename)
    if gdf.empty or "code_cultu" not in gdf.columns:
        raise ServiceError(f"{typename}: no parcel with code_cultu in the box")
    rel = "download/rpg_parcelles.geojson"
    _write_geojson(gdf, ctx.overlay / rel)
    ctx.record(rel, "IGN/ASP Registre parcellaire graphique (RPG.LATEST:parcelles_graphiques, "
               "Géoplateforme WFS)", LO, urls, files, edition="latest (RPG.LATEST)",
               doc=GEOPF_WFS_DOC)
    return [rel]


#: Value of ``taux`` where the Cerema indicator has no measured rate (shapefile sentinel).
EROSION_NO_RATE = -9999.0


def _centreline(geom) -> Any:
    """A line for a coastal geometry: lines as they are; a (thin) polygon of the indicator
    → the long axis of its minimum rotated rectangle, which the coast model then reads as the
    shoreline (an approximation of the polygon's centreline)."""
    import shapely

    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("LineString", "MultiLineString"):
        return geom
    parts = getattr(geom, "geoms", [geom])
    lines = []
    for part in parts:
        ring = list(shapely.oriented_envelope(part).exterior.coords)[:4]
        if len(ring) < 4:
            continue
        e = [(ring[i], ring[(i + 1) % 4]) for i in range(4)]
        short = sorted(e, key=lambda ab: math.dist(*ab))[:2]
        mids = [((a[0] + b[0]) / 2, (a[1] + b[1]) / 2) for a, b in short]
        lines.append(shapely.LineString(mids))
    return shapely.MultiLineString(lines) if len(lines) > 1 else (lines[0] if lines else None)


def fetch_erosion(ctx: Context) -> list[str]:
    """Cerema indicator (polygons carrying ``taux``, m/yr; -9999 = not measured) → one line per
    commune (the polygons' long axes, within 500 m of the commune) with the mean measured rate
    and the class of the Cote_a_cote aggregation the samples use: > 0 accretion, 0 stable,
    down to -1.5 m/yr moyen, below fort (read off ../shared/data/coast's arcs)."""
    import shapely

    base = service_url("geolittoral_wfs")
    typename = "ms:n_evolution_trait_cote_s"
    gdf, urls, files = wfs_features(ctx, "erosion", base, typename)
    rate = next((c for c in gdf.columns if "taux" in c.lower()), None)
    if gdf.empty or rate is None:
        raise ServiceError(f"{typename}: no segment with a rate ('taux…') in the box")
    taux = pd.to_numeric(gdf[rate], errors="coerce")
    gdf = gpd.GeoDataFrame({"taux": taux.where(taux != EROSION_NO_RATE)},
                           geometry=[_centreline(g) for g in gdf.geometry], crs=gdf.crs)
    gdf = gdf[gdf.geometry.notna()]
    joined = gpd.sjoin_nearest(gdf, ctx.sel[["code_insee", "geometry"]], max_distance=500.0,
                               how="inner")
    joined = joined[~joined.index.duplicated()]
    if joined.empty:
        raise ServiceError(f"{typename}: no segment within 500 m of the communes")
    rows = []
    for code, grp in joined.groupby("code_insee"):
        line = shapely.line_merge(grp.geometry.union_all())
        t = grp["taux"].dropna()
        taux_c = round(float(t.mean()), 2) if len(t) else np.nan
        cls = ("" if not np.isfinite(taux_c) else "accretion" if taux_c > 0 else
               "stable" if taux_c == 0 else "moyen" if taux_c >= -1.5 else "fort")
        rows.append({"code_insee": code, "taux": taux_c, "erosion_class": cls,
                     "taux_segments": int(len(t)), "geometry": line})
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:2154").to_crs("EPSG:4326")
    rel = "coast/erosion_coastal_arcs_by_commune.geojson"
    _write_geojson(out, ctx.overlay / rel)
    ctx.record(rel, "Cerema, indicateur national de l'érosion côtière (Géolittoral WFS)", LO,
               urls, files, doc="https://www.monlittoral.fr/donnees/indicateur-national-de-"
               "lerosion-cotiere/", note="polygons' long axes and mean measured rate per "
               "commune (within 500 m); -9999 (not measured) left out")
    return [rel]


# -- WMS-Raster (DEM) -------------------------------------------------------------------------
WMSR_DOC = ("https://ignf.github.io/cartes.gouv.fr-documentation/fr/guides-utilisateur/"
            "acceder-aux-geodonnees/diffusion/wms-raster")


def _dem_tiles(bbox: tuple) -> list[tuple[tuple[float, float, float, float], int, int]]:
    """GetMap boxes of at most DEM_TILE_PX × DEM_TILE_PX cells on one grid of DEM_RES_M over
    the box + DEM_PAD_M."""
    x0, y0 = bbox[0] - DEM_PAD_M, bbox[1] - DEM_PAD_M
    width = math.ceil((bbox[2] + DEM_PAD_M - x0) / DEM_RES_M)
    height = math.ceil((bbox[3] + DEM_PAD_M - y0) / DEM_RES_M)
    tiles = []
    for j in range(0, height, DEM_TILE_PX):
        for i in range(0, width, DEM_TILE_PX):
            w, h = min(DEM_TILE_PX, width - i), min(DEM_TILE_PX, height - j)
            bx, by = x0 + i * DEM_RES_M, y0 + j * DEM_RES_M
            tiles.append(((bx, by, bx + w * DEM_RES_M, by + h * DEM_RES_M), w, h))
    return tiles


def _getmap_params(box: tuple, w: int, h: int) -> dict:
    return {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap", "LAYERS": DEM_LAYER,
            "STYLES": "", "FORMAT": "image/geotiff", "CRS": "EPSG:2154",
            "BBOX": ",".join(f"{v:.0f}" for v in box), "WIDTH": w, "HEIGHT": h}


def fetch_dem(ctx: Context) -> list[str]:
    """RGE ALTI tiles from the WMS-Raster as float GeoTIFF, mosaicked; a tile without
    georeferencing gets the one of its request (CRS and BBOX), which is what GetMap returns."""
    import rasterio
    from rasterio.merge import merge
    from rasterio.transform import from_bounds

    base = service_url("geopf_wmsr")
    tiles = _dem_tiles(ctx.bbox_l93)
    cells = sum(w * h for _, w, h in tiles)
    ctx.check_size("dem", cells * 4.0, f"{cells:,} cells × 4 B at {DEM_RES_M:g} m")
    urls, files, srcs = [], [], []
    for box, w, h in tiles:
        params = _getmap_params(box, w, h)
        path = ctx.fetcher.get(base, params, desc="dem", size=w * h * 4)
        urls.append(full_url(base, params))
        files.append(path)
    mem = []
    try:
        for (box, _w, _h), path in zip(tiles, files, strict=True):
            try:
                src = rasterio.open(path)
            except rasterio.errors.RasterioIOError as err:
                path.unlink(missing_ok=True)
                raise ServiceError(f"{DEM_LAYER}: the GetMap answer is not a GeoTIFF") from err
            if src.crs is None or src.transform == rasterio.Affine.identity():
                arr = src.read(1).astype("float32")
                src.close()
                memfile = rasterio.MemoryFile()
                with memfile.open(driver="GTiff", width=arr.shape[1], height=arr.shape[0],
                                  count=1, dtype="float32", crs="EPSG:2154",
                                  transform=from_bounds(*box, arr.shape[1], arr.shape[0])) as d:
                    d.write(arr, 1)
                mem.append(memfile)
                src = memfile.open()
            srcs.append(src)
        nodata = srcs[0].nodata if srcs[0].nodata is not None else -99999.0
        mosaic, transform = merge(srcs, nodata=nodata)
        crs = srcs[0].crs
    finally:
        for s in srcs:
            s.close()
        for m in mem:
            m.close()
    arr = mosaic[0].astype("float32")
    arr[(arr <= -1000) | (arr == nodata)] = np.nan  # RGE ALTI no-data (-99999)
    rel = "elevation/geopf_rgealti.tif"
    out = ctx.overlay / rel
    out.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(out, "w", driver="GTiff", width=arr.shape[1], height=arr.shape[0],
                       count=1, dtype="float32", crs=crs, transform=transform,
                       nodata=np.nan) as dst:
        dst.write(arr, 1)
    ctx.record(rel, f"IGN RGE ALTI ({DEM_LAYER}, Géoplateforme WMS-Raster, GeoTIFF)", LO,
               urls, files, edition=f"resampled by the service to {DEM_RES_M:g} m",
               doc=WMSR_DOC)
    return [rel]


# -- Hub'Eau --------------------------------------------------------------------------------------
HUBEAU_QUALITE_DOC = "https://hubeau.eaufrance.fr/page/api-qualite-cours-deau"
HUBEAU_HYDRO_DOC = "https://hubeau.eaufrance.fr/page/api-hydrometrie"


class _TooDeep(ServiceError):
    """A Hub'Eau query matches more records than the API lets one page through."""


def hubeau_all(ctx: Context, layer: str, url: str, params: dict,
               bytes_per_record: float = 600.0) -> tuple[list[dict], list[str], list[Path]]:
    """Every record of a Hub'Eau query: page 1 (``size``/``page``) gives ``count``, checked
    against the size limit (count × the first page's bytes per record) and the API depth
    (:data:`HUBEAU_DEPTH`, :class:`_TooDeep`), then ``next`` is followed until it is null."""
    params = {**params, "size": HUBEAU_PAGE, "page": 1}
    records: list[dict] = []
    urls, files = [], []
    nxt: str | None = full_url(url, params)
    first = True
    while nxt:
        path = ctx.fetcher.get(nxt, desc=layer)
        urls.append(nxt)
        files.append(path)
        doc, data = _answer(path, "data", f"{nxt}: not a Hub'Eau answer (no 'data')")
        if first:
            count = int(doc.get("count") or 0)
            if count > HUBEAU_DEPTH:
                raise _TooDeep(f"{nxt}: {count:,} records, more than the {HUBEAU_DEPTH:,} "
                               "Hub'Eau serves for one query")
            bpr = path.stat().st_size / max(1, len(data)) if data else bytes_per_record
            ctx.check_size(layer, count * bpr, f"{count:,} records × {bpr:,.0f} B")
            first = False
        records.extend(data)
        nxt = doc.get("next")
    return records, urls, files


def _by_station(ctx: Context, layer: str, url: str, key: str, codes: list[str], params: dict
                ) -> tuple[list[dict], list[str], list[Path]]:
    """A Hub'Eau query by batches of :data:`HUBEAU_STATION_BATCH` stations (``key`` = comma
    list), a batch over the API depth split in two until it fits."""
    rows: list[dict] = []
    urls: list[str] = []
    files: list[Path] = []
    todo = [codes[i:i + HUBEAU_STATION_BATCH] for i in range(0, len(codes),
                                                            HUBEAU_STATION_BATCH)]
    while todo:
        batch = todo.pop(0)
        try:
            recs, u, f = hubeau_all(ctx, layer, url, {key: ",".join(batch), **params})
        except _TooDeep:
            if len(batch) == 1:
                raise
            todo[:0] = [batch[:len(batch) // 2], batch[len(batch) // 2:]]
            continue
        rows.extend(recs)
        urls += u
        files += f
    return rows, urls, files


def fetch_water(ctx: Context) -> list[str]:
    """Naïades stations (station_pc in the box) and their nitrate analyses (analyse_pc,
    code_parametre 1340, by batches of stations), written as the Hub'Eau CSV layout that
    ../shared/data/water holds."""
    base = service_url("hubeau") + "/v2/qualite_rivieres"
    bbox = ",".join(_num(v) for v in ctx.bbox_wgs84)
    st, urls, files = hubeau_all(ctx, "stations", f"{base}/station_pc", {"bbox": bbox})
    if not st:
        raise ServiceError("Hub'Eau station_pc: no station in the territory's box")
    codes = sorted({str(s["code_station"]) for s in st})
    rows, u, f = _by_station(ctx, "nitrates", f"{base}/analyse_pc", "code_station", codes, {
        "code_parametre": NITRATE_PARAMETER,
        "fields": "code_station,libelle_station,libelle_fraction,date_prelevement,resultat,"
                  "symbole_unite"})
    urls += u
    files += f
    stations = pd.DataFrame(st)
    for col in ("code_station", "code_commune", "code_projection"):
        if col in stations:
            stations[col] = stations[col].astype(str)
    nit = pd.DataFrame(rows, columns=["code_station", "libelle_station", "libelle_fraction",
                                      "date_prelevement", "resultat", "symbole_unite"])
    nit["date_prelevement"] = nit["date_prelevement"].astype(str).str.slice(0, 10)
    rel_s, rel_n = "water/naiades_stations_hubeau.csv", "water/naiades_nitrates_hubeau.csv"
    (ctx.overlay / "water").mkdir(parents=True, exist_ok=True)
    stations.to_csv(ctx.overlay / rel_s, index=False)
    nit.to_csv(ctx.overlay / rel_n, index=False)
    for rel in (rel_s, rel_n):
        ctx.record(rel, "Naïades via Hub'Eau, qualité des cours d'eau v2 (station_pc, "
                   "analyse_pc code_parametre=1340)", LO, urls, files, doc=HUBEAU_QUALITE_DOC)
    return [rel_s, rel_n]


def fetch_hydrometry(ctx: Context) -> list[str]:
    """Hydrometric stations in the box and their daily mean flow (obs_elab, QmJ)."""
    base = service_url("hubeau") + "/v2/hydrometrie"
    bbox = ",".join(_num(v) for v in ctx.bbox_wgs84)
    st, urls, files = hubeau_all(ctx, "hydrometry", f"{base}/referentiel/stations",
                                 {"bbox": bbox, "format": "json"})
    if not st:
        raise ServiceError("Hub'Eau hydrometrie: no station in the territory's box")
    codes = sorted({str(s["code_station"]) for s in st})
    obs, u, f = _by_station(ctx, "hydrometry", f"{base}/obs_elab", "code_entite", codes, {
        "grandeur_hydro_elab": "QmJ", "fields": "code_station,date_obs_elab,resultat_obs_elab"})
    urls += u
    files += f
    sdf = pd.DataFrame(st)
    lon = pd.to_numeric(sdf.get("longitude_station"), errors="coerce")
    lat = pd.to_numeric(sdf.get("latitude_station"), errors="coerce")
    gdf = gpd.GeoDataFrame({"code_station": sdf["code_station"].astype(str),
                            "name": sdf.get("libelle_station", sdf["code_station"]).astype(str)},
                           geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    gdf = gdf[np.isfinite(lon.to_numpy()) & np.isfinite(lat.to_numpy())]
    q = pd.DataFrame(obs, columns=["code_station", "date_obs_elab", "resultat_obs_elab"])
    qd = pd.DataFrame({"code_station": q["code_station"].astype(str),
                       "date": q["date_obs_elab"].astype(str).str.slice(0, 10),
                       # Hub'Eau obs_elab QmJ is in L/s (API documentation)
                       "q_m3s": pd.to_numeric(q["resultat_obs_elab"], errors="coerce") / 1000.0})
    rel_s, rel_q = "water/hydrometry_stations.geojson", "water/hydrometry_qmj.csv"
    _write_geojson(gdf, ctx.overlay / rel_s)
    qd.to_csv(ctx.overlay / rel_q, index=False)
    for rel in (rel_s, rel_q):
        ctx.record(rel, "Hydroportail via Hub'Eau, hydrométrie v2 (referentiel/stations, "
                   "obs_elab QmJ)", LO, urls, files, doc=HUBEAU_HYDRO_DOC)
    return [rel_s, rel_q]


# -- data.gouv.fr files ---------------------------------------------------------------------
DATAGOUV_DOC = "https://doc.data.gouv.fr/api/reference/"


def _resources(ctx: Context, slug: str) -> tuple[list[dict], str, Path]:
    url = f"{service_url('datagouv')}/datasets/{slug}/"
    path = ctx.fetcher.get(url)
    try:
        res = json.loads(path.read_bytes())["resources"]
    except (ValueError, KeyError) as err:
        path.unlink(missing_ok=True)
        raise ServiceError(f"{url}: not a data.gouv.fr dataset (no 'resources')") from err
    return res, url, path


def _pick(resources: list[dict], pattern: str) -> dict:
    rx = re.compile(pattern, re.IGNORECASE)
    for r in resources:
        if rx.search(str(r.get("url", ""))) or rx.search(str(r.get("title", ""))):
            return r
    raise ServiceError(f"no resource matching {pattern!r} in the dataset")


def _file(ctx: Context, layer: str, res: dict) -> tuple[Path, str]:
    url = str(res["url"])
    size = res.get("filesize")
    if size is None:
        size = ctx.fetcher.head_size(url)
    ctx.check_size(layer, size, f"file {url.rsplit('/', 1)[-1]}")
    return ctx.fetcher.get(url, desc=url.rsplit("/", 1)[-1], size=size), url


def fetch_conso(ctx: Context) -> list[str]:
    """The national Cerema land-take CSV (';'), restricted to the territory's communes."""
    res, api_url, api_path = _resources(ctx, CEREMA_CONSO_DATASET)
    r = _pick(res, r"resultats_com.*\.csv|conso.*com.*\.csv")
    path, url = _file(ctx, "conso_naf", r)
    table = pd.read_csv(path, sep=";", dtype={c: str for c in ("idcom", "idreg", "iddep",
                                                                 "epci23")}, low_memory=False)
    if "idcom" not in table.columns:
        raise ServiceError(f"{url}: no 'idcom' column (not the Cerema layout)")
    table = table[table["idcom"].isin(set(ctx.sel["code_insee"]))]
    if table.empty:
        raise ServiceError(f"{url}: none of the territory's communes")
    rel = "zan/cerema_conso_naf_2009_2023_download.csv"
    (ctx.overlay / "zan").mkdir(parents=True, exist_ok=True)
    table.to_csv(ctx.overlay / rel, sep=";", index=False)
    ctx.record(rel, "Cerema, fichiers fonciers, consommation d'espaces NAF (data.gouv.fr)", LO,
               [url, api_url], [path], edition="2009-2023", doc=DATAGOUV_DOC)
    return [rel]


def _daily_station(rr: pd.DataFrame, other: pd.DataFrame, lon: float, lat: float
                   ) -> tuple[pd.DataFrame, dict]:
    """The station nearest to (lon, lat) that has daily TX, RR, FFM (RR-T-Vent file) and UN
    (autres-paramètres file) on at least 300 days."""
    need_rr, need_other = ("TX", "RR", "FFM"), ("UN",)
    for df in (rr, other):
        df["NUM_POSTE"] = df["NUM_POSTE"].astype(str)
        df["AAAAMMJJ"] = df["AAAAMMJJ"].astype(str)
    m = rr[["NUM_POSTE", "NOM_USUEL", "LAT", "LON", "AAAAMMJJ", *need_rr]].merge(
        other[["NUM_POSTE", "AAAAMMJJ", *need_other]], on=["NUM_POSTE", "AAAAMMJJ"])
    m = m.dropna(subset=[*need_rr, *need_other])
    counts = m.groupby("NUM_POSTE").size()
    ok = counts[counts >= 300].index
    if not len(ok):
        raise ServiceError("no station of the département with 300 complete days "
                           "(TX, RR, FFM, UN)")
    pos = m[m["NUM_POSTE"].isin(ok)].groupby("NUM_POSTE")[["LAT", "LON"]].first()
    d = np.hypot((pos["LON"] - lon) * math.cos(math.radians(lat)), pos["LAT"] - lat) * 111.2
    best = str(d.idxmin())
    s = m[m["NUM_POSTE"] == best].sort_values("AAAAMMJJ")
    out = pd.DataFrame({
        "date": pd.to_datetime(s["AAAAMMJJ"], format="%Y%m%d").dt.strftime("%Y-%m-%d"),
        "temp_c": s["TX"].astype(float).round(1), "rh_pct": s["UN"].astype(float),
        "wind_kmh": (s["FFM"].astype(float) * 3.6).round(1),
        "rain_24h_mm": s["RR"].astype(float).round(1)}).reset_index(drop=True)
    info = {"station": best, "name": str(s["NOM_USUEL"].iloc[0]).strip(),
            "km": round(float(d[best]), 1)}
    return out, info


def fetch_weather(ctx: Context) -> list[str]:
    """Météo-France daily station files of the territory's (first) département → the forest
    model's fire-weather table (date, temp_c, rh_pct, wind_kmh, rain_24h_mm) at the station
    nearest to the territory's centre.

    Assumptions (the FWI wants noon values; the daily files give extremes and means): noon
    temperature ≈ daily maximum TX, noon humidity ≈ daily minimum UN, noon 10-min wind ≈ daily
    mean 10 m wind FFM (m/s × 3.6), 24 h rain = RR (06 UTC to 06 UTC)."""
    res, api_url, _ = _resources(ctx, METEO_DAILY_DATASET)
    c = ctx.sel.to_crs("EPSG:4326").union_all().centroid
    errors = []
    for dep in ctx.departements:
        try:
            r1 = _pick(res, rf"Q_{dep}_latest-[0-9-]+_RR-T-Vent\.csv\.gz")
            r2 = _pick(res, rf"Q_{dep}_latest-[0-9-]+_autres-parametres\.csv\.gz")
        except ServiceError as err:
            errors.append(f"{dep}: {err}")
            continue
        p1, u1 = _file(ctx, "weather", r1)
        p2, u2 = _file(ctx, "weather", r2)
        try:
            rr = pd.read_csv(p1, sep=";", compression="gzip", low_memory=False)
            ot = pd.read_csv(p2, sep=";", compression="gzip", low_memory=False)
        except (OSError, ValueError, EOFError, gzip.BadGzipFile) as err:
            raise ServiceError(f"{u1}: unreadable csv.gz ({err})") from err
        table, info = _daily_station(rr, ot, c.x, c.y)
        rel = "climate/meteofrance_daily_weather.csv"
        (ctx.overlay / "climate").mkdir(parents=True, exist_ok=True)
        table.to_csv(ctx.overlay / rel, index=False)
        ctx.record(rel, f"Météo-France, données climatologiques de base quotidiennes, station "
                   f"{info['name']} ({info['station']}, {info['km']} km from the centre)", LO,
                   [u1, u2, api_url], [p1, p2], edition=Path(u1).name.split("_")[2],
                   doc="https://meteo.data.gouv.fr", note=(
                       "noon values approximated by TX, UN, FFM; rain = RR"))
        return [rel]
    raise ServiceError("; ".join(errors) or "no département")


# -- communes (API Découpage administratif) ------------------------------------------------------
GEOAPI_DOC = "https://geo.api.gouv.fr/decoupage-administratif/communes"
COMMUNE_FIELDS = ("nom,code,codeEpci,epci,codeDepartement,departement,codeRegion,region,"
                  "population")
COMMUNES_REL = "communes/communes_france.parquet"


def communes_requests(communes: Sequence[str] | None = None, epci: str | None = None,
                      departement: str | None = None) -> list[tuple[str, dict[str, str]]]:
    """The API Découpage administratif requests for a selection (contours with attributes)."""
    base = service_url("geoapi")
    common = {"fields": COMMUNE_FIELDS, "format": "geojson", "geometry": "contour"}
    if communes:
        codes = [str(x).strip().upper() for x in communes]
        codes = [x.zfill(5) if x.isdigit() and len(x) == 4 else x for x in codes]
        return [(f"{base}/communes", {"code": c, **common}) for c in dict.fromkeys(codes)]
    if epci:
        return [(f"{base}/epcis/{urllib.parse.quote(str(epci).strip())}/communes", common)]
    if departement:
        dep = str(departement).strip().upper()
        dep = dep.zfill(2) if dep.isdigit() and len(dep) == 1 else dep
        return [(f"{base}/departements/{urllib.parse.quote(dep)}/communes", common)]
    raise TwinInputError("missing_key", "twin territory create",
                         key="--communes | --epci | --departement")


def _features(fetcher: Fetcher, url: str, params: dict[str, str]) -> list[dict]:
    path = fetcher.get(url, params, desc="communes")
    try:
        doc = json.loads(path.read_bytes())
        return list(doc["features"])
    except (ValueError, KeyError, TypeError) as err:
        path.unlink(missing_ok=True)
        raise ServiceError(f"{full_url(url, params)}: not a GeoJSON FeatureCollection") from err


def fetch_communes(overlay: Path, communes: Sequence[str] | None = None,
                   epci: str | None = None, departement: str | None = None,
                   fetcher: Fetcher | None = None, log: Callable[[str], Any] = print
                   ) -> dict[str, dict]:
    """The selected communes from the API Découpage administratif, written as
    ``overlay/communes/communes_france.parquet`` in the national file's layout (code_insee,
    type, nom, population_municipale, département, région, EPCI, mairie_lon/lat, WGS84
    contour); returns its provenance ``{rel: entry}``. An unknown code, EPCI or département is
    a TwinInputError naming it; a service that cannot answer one too (nothing can be built
    without the communes)."""
    fetcher = fetcher or Fetcher()
    reqs = communes_requests(communes, epci, departement)
    feats: list[dict] = []
    urls: list[str] = []
    files: list[Path] = []
    try:
        for url, params in reqs:
            try:
                got = _features(fetcher, url, params)
            except ServiceError as err:
                if "HTTP 404" in str(err) and epci:
                    raise TwinInputError("unknown_epci", full_url(url, params),
                                         epci=str(epci)[:20]) from err
                if "HTTP 404" in str(err) and departement:
                    raise TwinInputError("unknown_departement", full_url(url, params),
                                         departement=str(departement)[:10]) from err
                raise
            if not got and communes:
                raise TwinInputError("unknown_commune_requested", full_url(url, params),
                                     count=1, first=params["code"][:20])
            if not got:
                raise TwinInputError("unknown_epci" if epci else "unknown_departement",
                                     full_url(url, params), epci=str(epci)[:20],
                                     departement=str(departement)[:10])
            feats += got
            urls.append(full_url(url, params))
            files.append(fetcher._key("GET", full_url(url, params)))
        mairies: dict[str, tuple[float, float]] = {}
        for url, params in reqs:  # the town halls: same request, geometry=mairie
            p2 = {**params, "fields": "code", "geometry": "mairie"}
            try:
                for f in _features(fetcher, url, p2):
                    xy = (f.get("geometry") or {}).get("coordinates") or [None, None]
                    mairies[str(f["properties"]["code"])] = (xy[0], xy[1])
                urls.append(full_url(url, p2))
                files.append(fetcher._key("GET", full_url(url, p2)))
            except (ServiceError, KeyError, TypeError):
                pass  # without it the builder uses each commune's representative point
    except ServiceError as err:
        raise TwinInputError("communes_unavailable", urls[0] if urls else reqs[0][0],
                             reason=str(err)[:200], rel=COMMUNES_REL) from err

    def sub(p: dict, key: str, field: str) -> Any:
        v = p.get(key)
        return v.get(field) if isinstance(v, dict) else None

    props = [f.get("properties") or {} for f in feats]
    gdf = gpd.GeoDataFrame({
        "code_insee": [str(p.get("code")) for p in props], "type": "COM",
        "nom": [p.get("nom") for p in props],
        "population_municipale": pd.to_numeric(pd.Series([p.get("population") for p in props]),
                                               errors="coerce").to_numpy(),
        "departement_code": [p.get("codeDepartement") for p in props],
        "departement_nom": [sub(p, "departement", "nom") for p in props],
        "region_code": [p.get("codeRegion") for p in props],
        "region_nom": [sub(p, "region", "nom") for p in props],
        "epci_code": [p.get("codeEpci") or sub(p, "epci", "code") for p in props],
        "epci_nom": [sub(p, "epci", "nom") for p in props],
    }, geometry=gpd.GeoDataFrame.from_features(feats).geometry.values, crs="EPSG:4326")
    xy = [mairies.get(c, (None, None)) for c in gdf["code_insee"]]
    gdf["mairie_lon"] = pd.to_numeric(pd.Series([a for a, _ in xy]), errors="coerce").to_numpy()
    gdf["mairie_lat"] = pd.to_numeric(pd.Series([b for _, b in xy]), errors="coerce").to_numpy()
    gdf = gdf.drop_duplicates("code_insee").sort_values("code_insee").reset_index(drop=True)
    (overlay / "communes").mkdir(parents=True, exist_ok=True)
    gdf.to_parquet(overlay / COMMUNES_REL)
    entry = {"product": "API Découpage administratif (geo.api.gouv.fr): IGN Admin Express "
                        "contours, INSEE population municipale", "licence": LO,
             "request": urls[0], "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d"),
             "sha256": _sha256(files), "fetched": "download", "documentation": GEOAPI_DOC}
    if len(urls) > 1:
        entry["requests"] = len(urls)
    log(f"  fetched communes: {len(gdf)} from {service_url('geoapi')} ({len(urls)} requests)")
    return {COMMUNES_REL: entry}


# == layers, dry run, run =========================================================================
#: layer → (fetcher, what it replaces in the build). Order: cheap first.
LAYERS: dict[str, Callable[[Context], list[str]]] = {
    "conso_naf": fetch_conso, "erosion": fetch_erosion, "dem": fetch_dem,
    "buildings": fetch_buildings, "stands": fetch_stands, "weather": fetch_weather,
    "stations": fetch_water, "crops": fetch_rpg, "hydrometry": fetch_hydrometry,
}


def plan(sel: gpd.GeoDataFrame) -> list[Request]:
    """The requests a download would send first (``--dry-run``); sizes are known exactly for
    the DEM, otherwise from the hits / filesize / count asked before each download."""
    ctx = Context(sel, Path("."), Fetcher(progress=False), float("inf"))
    wfs, wmsr, hub = service_url("geopf_wfs"), service_url("geopf_wmsr"), service_url("hubeau")
    bbox = ",".join(_num(v) for v in ctx.bbox_wgs84)
    out: list[Request] = []
    for layer, key, tn in (("buildings", "buildings", "BDTOPO_V3:batiment"),
                           ("stands", "stands", "LANDCOVER.FORESTINVENTORY.V2:formation_vegetale"),
                           ("crops", "rpg", "RPG.LATEST:parcelles_graphiques")):
        out.append(Request(layer, "GET", wfs, _wfs_params(tn, ctx.bbox_l93, RESULTTYPE="hits"),
                           f"hits first, then pages of {WFS_PAGE:,} × ≈ "
                           f"{BYTES_PER_FEATURE[key]:,} B"))
    out.append(Request("erosion", "GET", service_url("geolittoral_wfs"),
                       _wfs_params("ms:n_evolution_trait_cote_s", ctx.bbox_l93,
                                   RESULTTYPE="hits"), "hits first, then pages"))
    for box, w, h in _dem_tiles(ctx.bbox_l93):
        out.append(Request("dem", "GET", wmsr, _getmap_params(box, w, h), _mb(w * h * 4.0)))
    out.append(Request("stations", "GET", f"{hub}/v2/qualite_rivieres/station_pc",
                       {"bbox": bbox, "size": HUBEAU_PAGE, "page": 1},
                       "count first, then next pages; then analyse_pc code_parametre=1340"))
    out.append(Request("hydrometry", "GET", f"{hub}/v2/hydrometrie/referentiel/stations",
                       {"bbox": bbox, "format": "json", "size": HUBEAU_PAGE, "page": 1},
                       "count first; then obs_elab QmJ"))
    dg = service_url("datagouv")
    out.append(Request("conso_naf", "GET", f"{dg}/datasets/{CEREMA_CONSO_DATASET}/", {},
                       "resource list; then the national CSV (its filesize, Range resume)"))
    out.append(Request("weather", "GET", f"{dg}/datasets/{METEO_DAILY_DATASET}/", {},
                       "resource list; then Q_" + "/".join(ctx.departements)
                       + "_latest-*_RR-T-Vent.csv.gz and _autres-parametres.csv.gz"))
    return out


@dataclass
class Result:
    """What a download produced: the overlay folder, per-file provenance, failures."""

    overlay: Path
    files: dict[str, list[str]]
    provenance: dict[str, dict]
    failed: dict[str, str]
    sent: int


def download(sel: gpd.GeoDataFrame, overlay: Path, max_mb: float | None = None,
             layers: Sequence[str] | None = None, fetcher: Fetcher | None = None,
             log: Callable[[str], Any] = print) -> Result:
    """Fetch every layer into ``overlay`` (laid out like ../shared/data). A size refusal
    raises TwinInputError (nothing is built); a service failure is recorded in ``failed`` and
    the other layers go on."""
    fetcher = fetcher or Fetcher()
    limit = (MAX_DOWNLOAD_MB if max_mb is None else float(max_mb)) * 1e6
    ctx = Context(sel, Path(overlay), fetcher, limit, log)
    files: dict[str, list[str]] = {}
    failed: dict[str, str] = {}
    for name in layers or list(LAYERS):
        try:
            files[name] = LAYERS[name](ctx)
            log(f"  fetched {name}: {', '.join(files[name])}")
        except TwinInputError:  # a size refusal stops everything (nothing is built)
            raise
        except ServiceError as err:
            failed[name] = str(err)
        except (KeyError, ValueError, TypeError) as err:  # an answer not shaped as documented
            failed[name] = f"unexpected answer from the service ({type(err).__name__}: {err})"
    if failed:
        log("Not fetched (offline or service error), built without them or with their labelled "
            "synthetic stand-ins:\n" + "\n".join(f"  - {k}: {v}" for k, v in failed.items()))
    return Result(Path(overlay), files, ctx.provenance, failed, len(fetcher.sent))
