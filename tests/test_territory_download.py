"""`twin territory create … --download` against a local server (127.0.0.1, a thread) that
answers with small files shaped as each service documents them (tests/data/services): the
requests sent (paths, parameters), WFS and Hub'Eau paging followed, the cache (a second run
sends nothing), a cut file resumed with Range, --dry-run sending nothing, the size refusal,
service errors and no network listed while the territory is still built, and each fetched
layer's provenance. No test touches the network."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from twin_core.cli import main
from twin_core.errors import TwinInputError
from twin_core.models.registry import get_model
from twin_core.territory import Territory
from twin_core.territory import build as B
from twin_core.territory import create as C
from twin_core.territory import download as D

DATA = Path(__file__).parent / "data" / "services"
CODES = ["83107", "83001"]  # Roquebrune-sur-Argens (coast), Les Adrets-de-l'Estérel
TYPENAMES = {"BDTOPO_V3:batiment": "batiment",
             "LANDCOVER.FORESTINVENTORY.V2:formation_vegetale": "bdforet",
             "RPG.LATEST:parcelles_graphiques": "rpg", "ms:n_evolution_trait_cote_s": "erosion"}
DATASETS = {D.CEREMA_CONSO_DATASET: "datagouv_cerema_conso.json",
            D.METEO_DAILY_DATASET: "datagouv_meteo_quotidien.json"}


class Services:
    """The local stand-in of the five services, recording every request it receives."""

    def __init__(self) -> None:
        self.log: list[dict] = []
        self.fail: tuple[str, ...] = ()  # path prefixes answered with HTTP 500
        self.cut_once: set[str] = set()  # files sent half then the connection closed
        self.override: dict[str, bytes] = {}  # path → an answer not shaped as documented
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def urls(self) -> str:
        return json.dumps({"geopf_wfs": f"{self.base}/wfs", "geopf_wmsr": f"{self.base}/wmsr",
                           "hubeau": f"{self.base}/hubeau", "datagouv": f"{self.base}/datagouv",
                           "geolittoral_wfs": f"{self.base}/geolittoral"})

    def paths(self, prefix: str = "") -> list[str]:
        return [r["path"] for r in self.log if r["path"].startswith(prefix)]

    def _handler(self):
        svc = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _route(self) -> tuple[int, bytes, str]:
                u = urllib.parse.urlsplit(self.path)
                q = dict(urllib.parse.parse_qsl(u.query))
                svc.log.append({"method": self.command, "path": u.path, "params": q,
                                "range": self.headers.get("Range")})
                if any(u.path.startswith(p) for p in svc.fail):
                    return 500, b"Internal Server Error", "text/plain"
                if u.path in svc.override:
                    return 200, svc.override[u.path], "application/json"
                p = u.path
                if p in ("/wfs", "/geolittoral"):
                    name = TYPENAMES[q["TYPENAMES"]]
                    if q.get("RESULTTYPE") == "hits":
                        return 200, (DATA / f"wfs_{name}_hits.xml").read_bytes(), "text/xml"
                    f = DATA / f"wfs_{name}_start{q['STARTINDEX']}.geojson"
                    return 200, f.read_bytes(), "application/json"
                if p == "/wmsr":
                    return 200, (DATA / "wmsr_dem.tif").read_bytes(), "image/geotiff"
                if p.startswith("/hubeau/"):
                    page = q.get("page", "1")
                    name = {"/hubeau/v2/qualite_rivieres/station_pc": "station_pc",
                            "/hubeau/v2/qualite_rivieres/analyse_pc": "analyse_pc",
                            "/hubeau/v2/hydrometrie/referentiel/stations": "hydro_stations",
                            "/hubeau/v2/hydrometrie/obs_elab": "hydro_obs_elab"}[p]
                    txt = (DATA / f"hubeau_{name}_p{page}.json").read_text()
                    txt = txt.replace("{BASE}", f"{svc.base}/hubeau")
                    if name == "analyse_pc":  # the stations asked, and their count
                        doc = json.loads(txt)
                        want = set(q["code_station"].split(","))
                        doc["data"] = [r for r in doc["data"] if r["code_station"] in want]
                        doc["count"] = len(doc["data"])
                        txt = json.dumps(doc)
                    return 200, txt.encode(), "application/json"
                if p.startswith("/datagouv/datasets/"):
                    slug = p.split("/")[3]
                    txt = (DATA / DATASETS[slug]).read_text()
                    return 200, txt.replace("{BASE}", svc.base).encode(), "application/json"
                if p.startswith("/files/"):
                    f = DATA / p.removeprefix("/files/")
                    return (200, f.read_bytes(), "application/octet-stream") if f.exists() \
                        else (404, b"not found", "text/plain")
                return 404, b"not found", "text/plain"

            def do_HEAD(self):
                code, body, ctype = self._route()
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()

            def do_GET(self):
                code, body, ctype = self._route()
                rng = self.headers.get("Range")
                path = urllib.parse.urlsplit(self.path).path
                if code == 200 and rng and rng.startswith("bytes="):
                    start = int(rng.removeprefix("bytes=").split("-")[0])
                    self.send_response(206)
                    self.send_header("Content-Range",
                                     f"bytes {start}-{len(body) - 1}/{len(body)}")
                    body = body[start:]
                else:
                    self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if path in svc.cut_once:  # half the body, then the connection is dropped
                    svc.cut_once.discard(path)
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

        return Handler

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def services(monkeypatch, tmp_path):
    svc = Services()
    monkeypatch.setenv("TWIN_SERVICE_URLS", svc.urls())
    monkeypatch.setenv("TWIN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(D, "WFS_PAGE", 5)  # 7 buildings: two pages
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A --from folder with only the communes, the climate normals and the D8 flow directions:
    every other layer must come from the services."""
    src = tmp_path_factory.mktemp("src")
    for rel in ("communes/communes_france.parquet", "forest/commune_climate_normals.csv",
                "water/france_flow_direction_1km.tif"):
        (src / rel).parent.mkdir(parents=True)
        (src / rel).symlink_to(B.DEFAULT_SOURCE / rel)
    return src


def _create(source: Path, into: Path, name: str = "t", *extra: str) -> int:
    return main(["territory", "create", name, "--communes", *CODES, "--from", str(source),
                 "--into", str(into), "--download", *extra])


def test_download_builds_every_layer_from_the_services_with_paging_and_provenance(
        services, source, tmp_path, capsys):
    assert _create(source, tmp_path / "out") == 0
    root = tmp_path / "out" / "t"
    terr = Territory.load(root)
    terr.check()
    man = terr.manifest
    assert man["download"]["failed"] == {}
    # WFS: hits first, then COUNT/STARTINDEX pages until a short page (7 buildings = 5 + 2)
    bat = [r["params"] for r in services.log
           if r["params"].get("TYPENAMES") == "BDTOPO_V3:batiment"]
    assert [p.get("RESULTTYPE") for p in bat] == ["hits", None, None]
    assert [p.get("STARTINDEX") for p in bat[1:]] == ["0", "5"]
    assert all(p["VERSION"] == "2.0.0" and p["SRSNAME"] == "EPSG:2154"
               and p["BBOX"].endswith(",EPSG:2154") for p in bat)
    x0, y0, x1, y1 = (float(v) for v in bat[0]["BBOX"].split(",")[:4])
    assert 985_000 < x0 < x1 < 1_020_000 and 6_250_000 < y0 < y1 < 6_290_000  # Lambert-93
    # Hub'Eau: the 'next' link followed (page 2), nitrates asked by SANDRE code 1340
    st = [r["params"] for r in services.log
          if r["path"] == "/hubeau/v2/qualite_rivieres/station_pc"]
    assert [p["page"] for p in st] == ["1", "2"]
    lon0, lat0, lon1, lat1 = (float(v) for v in st[0]["bbox"].split(","))
    assert 6.5 < lon0 < lon1 < 6.9 and 43.3 < lat0 < lat1 < 43.6  # WGS84
    ana = [r["params"] for r in services.log
           if r["path"] == "/hubeau/v2/qualite_rivieres/analyse_pc"]
    assert ana[0]["code_parametre"] == "1340"
    assert set(ana[0]["code_station"].split(",")) == {"06190500", "06190510"}
    # WMS-Raster: a float GeoTIFF of RGE ALTI in Lambert-93
    wms = [r["params"] for r in services.log if r["path"] == "/wmsr"]
    assert wms and all(p["FORMAT"] == "image/geotiff" and p["CRS"] == "EPSG:2154"
                       and p["LAYERS"] == D.DEM_LAYER for p in wms)
    # the Cerema file was sized with HEAD (no filesize in the dataset), then fetched
    assert [r["method"] for r in services.log
            if r["path"] == "/files/conso2009_2023_resultats_com.csv"] == ["HEAD", "GET"]

    # every layer fetched: real, no synthetic stand-in
    layers = man["layers"]
    for key in ("erosion", "dem", "buildings", "stands", "stations", "nitrates", "crops",
                "conso_naf", "weather_nice_synop", "hydrometry_stations", "hydrometry_qmj"):
        assert key in layers and not layers[key]["synthetic"], key
        prov = layers[key]["provenance"]
        assert prov["fetched"] == "download" and prov["request"].startswith(services.base)
        assert len(prov["sha256"]) == 64 and prov["licence"].startswith("Licence Ouverte")
        assert prov["documentation"].startswith("https://"), key
    assert not [k for k in layers if k.endswith("_synthetic")]
    assert {k for k, v in man["use_cases"].items() if v["runs"]} == {
        "coast", "forest", "agriculture", "zan"}
    # provenance: the SHA-256 is the one of the answers (one file: its own digest)
    conso = layers["conso_naf"]["provenance"]
    assert conso["sha256"] == hashlib.sha256(
        (DATA / "conso2009_2023_resultats_com.csv").read_bytes()).hexdigest()
    assert layers["buildings"]["provenance"]["requests"] == 3  # hits + 2 pages

    # the layers hold what the services sent, clipped to the communes, in physical units
    bld = terr.layer("buildings")
    assert len(bld) == 7 and set(bld["code_insee"]) == set(CODES)
    assert (bld["residents"] == bld["dwellings"] * 2.19).all()
    assert bld.loc[bld["use"] != "residential", "dwellings"].eq(0).all()
    stands = terr.layer("stands")
    assert sorted(stands["essence"]) == ["Chênes sempervirents", "Pin d'Alep", "Pin maritime"]
    assert np.allclose(stands["area_ha"], 9.0, atol=0.01)  # 300 m squares
    nit = terr.layer("nitrates")
    assert len(nit) == 92 and nit["no3_mg_l"].between(0, 50).all()
    assert "2022-02-15" in set(nit["date"])  # a Hub'Eau timestamp cut to its date
    crops = terr.layer("crops").set_index("crop")["area_ha"]
    assert crops["winter_wheat"] == crops["grassland"] == crops["maize_grain"] == 4.0
    ero = terr.layer("erosion")
    assert list(ero["code_insee"]) == ["83107"]
    # the measured rates averaged, the not-measured polygon (-9999) left out of the mean;
    # each 200 m × 30 m polygon read as its 200 m long axis
    assert ero["taux_m_per_yr"].iloc[0] == pytest.approx((-0.4 - 0.2 + 0.1) / 3, abs=0.01)
    assert ero.geom_type.iloc[0] in ("LineString", "MultiLineString")
    assert ero.length.iloc[0] == pytest.approx(4 * 200.0, rel=0.02)
    dem = terr.layer("dem")
    assert 0 < float(dem.max()) < 700 and float(dem.min()) > -40
    w = terr.layer("weather_nice_synop")
    assert len(w) == 366 and w["rh_pct"].between(0, 100).all()
    assert w["temp_c"].between(-10, 45).all() and (w["wind_kmh"] >= 0).all()
    assert "ROQUEBRUNE" in layers["weather_nice_synop"]["provenance"]["product"]
    q = pd.read_csv(root / "hydrometry_qmj.csv")
    assert q["q_m3s"].tolist() == [8.2, 7.9, 15.4]  # L/s → m³/s
    conso = terr.layer("conso_naf")
    assert sorted(conso["idcom"]) == sorted(CODES)  # 01001 filtered out

    # the use cases run on the fetched layers (agriculture: its station is kept, the model
    # itself is run on a created territory in test_territory_create)
    for name in ("zan", "coast", "forest"):
        model = get_model(C.MODEL_OF_USE_CASE[name])
        kw = {}
        if name == "forest":  # ignition in the largest fetched stand
            pt = stands.geometry.iloc[int(stands.area.argmax())].representative_point()
            kw = {"ignition_x": pt.x, "ignition_y": pt.y}
        res = model.run(terr, model.scenario_class(**kw))
        assert not res.synthetic_inputs, name
        if name == "zan":  # the fetched real land take is read, not a synthetic stand-in
            assert res.values["projected_2021_2031_ha"] > 0
        if name == "coast":  # the fetched erosion rates move the shoreline back
            assert res.values["retreat_median_m"] > 0
        if name == "forest":
            assert 0 < res.values["suitable_ha"] <= stands["area_ha"].sum() + 1e-6
    from twin_core.models.agriculture import model as agri

    assert list(agri.prepared(terr).stations["code_station"]) == ["06190500"]

    # a second run is served from the cache: no request at all
    n = len(services.log)
    assert _create(source, tmp_path / "again") == 0
    assert len(services.log) == n
    again = json.loads((tmp_path / "again" / "t" / "territory.json").read_text())
    assert again["download"]["requests_sent"] == 0
    assert again["layers"]["dem"]["provenance"]["sha256"] == layers["dem"]["provenance"][
        "sha256"]


def test_dry_run_prints_the_requests_and_sends_none(services, source, tmp_path, capsys):
    assert _create(source, tmp_path / "out", "t", "--dry-run") == 0
    out = capsys.readouterr().out
    assert services.log == []
    assert not (tmp_path / "out").exists() and not (tmp_path / "cache").exists()
    assert "nothing is fetched" in out
    for what in ("TYPENAMES=BDTOPO_V3:batiment", "RESULTTYPE=hits",
                 "TYPENAMES=LANDCOVER.FORESTINVENTORY.V2:formation_vegetale",
                 "TYPENAMES=RPG.LATEST:parcelles_graphiques", "REQUEST=GetMap",
                 "FORMAT=image%2Fgeotiff", "/v2/qualite_rivieres/station_pc?bbox=",
                 "/v2/hydrometrie/referentiel/stations", D.CEREMA_CONSO_DATASET,
                 D.METEO_DAILY_DATASET, "Q_83_latest-*_RR-T-Vent.csv.gz", services.base):
        assert what in out, what
    # the DEM request's size is known before sending: width × height × 4 bytes
    dem = next(line for line in out.splitlines() if "REQUEST=GetMap" in line)
    qs = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(dem.split()[2]).query))
    mb = int(qs["WIDTH"]) * int(qs["HEIGHT"]) * 4 / 1e6
    assert f"≈ {mb:.2f} MB" in dem


def test_a_download_over_the_limit_is_refused_with_the_figure(services, source, tmp_path,
                                                                capsys):
    # the DEM over the two communes + 1 km at 25 m: 958 × 1093 cells × 4 B = 4.19 MB > 1 MB
    assert _create(source, tmp_path / "out", "t", "--max-download-mb", "1") == 2
    err = capsys.readouterr().err
    assert "'dem'" in err and "about 4 MB" in err and "1,047,094 cells × 4 B at 25 m" in err
    assert "--max-download-mb" in err and "smaller territory" in err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
    assert not services.paths("/wmsr")  # refused before any GetMap
    # a WFS layer: the hit count × bytes per object (7 buildings × 1.5 kB > 0.01 MB)
    sel = C.select_communes(C.Inputs(source), communes=CODES)
    with pytest.raises(TwinInputError) as exc:
        D.download(sel, tmp_path / "o", max_mb=0.01, layers=["buildings"],
                   fetcher=D.Fetcher(progress=False))
    assert exc.value.code == "download_too_large" and "7 objects × 1,500 B" in str(exc.value)
    assert "Choisissez un territoire plus petit" in exc.value.message("fr")
    bat = [r["params"] for r in services.log
           if r["params"].get("TYPENAMES") == "BDTOPO_V3:batiment"]
    assert [p.get("RESULTTYPE") for p in bat] == ["hits"]  # no page asked


def test_a_cut_file_is_resumed_with_range(services, source, tmp_path):
    services.cut_once = {"/files/conso2009_2023_resultats_com.csv"}
    sel = C.select_communes(C.Inputs(source), communes=CODES)
    fetcher = D.Fetcher(progress=False)
    first = D.download(sel, tmp_path / "o1", layers=["conso_naf"], fetcher=fetcher, log=print)
    assert "cut at" in first.failed["conso_naf"] and "resume" in first.failed["conso_naf"]
    body = (DATA / "conso2009_2023_resultats_com.csv").read_bytes()
    parts = list(Path(fetcher.cache).rglob("*.part"))
    assert len(parts) == 1 and parts[0].stat().st_size == len(body) // 2  # kept
    second = D.download(sel, tmp_path / "o2", layers=["conso_naf"], fetcher=fetcher, log=print)
    assert second.failed == {}
    gets = [r for r in services.log if r["path"] == "/files/conso2009_2023_resultats_com.csv"
            and r["method"] == "GET"]
    assert [g["range"] for g in gets] == [None, f"bytes={len(body) // 2}-"]
    out = pd.read_csv(tmp_path / "o2" / second.files["conso_naf"][0], sep=";", dtype=str)
    assert sorted(out["idcom"]) == sorted(CODES)
    assert second.provenance[second.files["conso_naf"][0]]["sha256"] == hashlib.sha256(
        body).hexdigest()


def test_a_hubeau_batch_deeper_than_the_api_serves_is_split(services, source, tmp_path,
                                                             monkeypatch):
    monkeypatch.setattr(D, "HUBEAU_DEPTH", 60)  # 92 analyses of 2 stations: 2 batches of 46
    sel = C.select_communes(C.Inputs(source), communes=CODES)
    res = D.download(sel, tmp_path / "o", layers=["stations"],
                     fetcher=D.Fetcher(progress=False))
    assert res.failed == {}
    asked = [r["params"]["code_station"] for r in services.log
             if r["path"] == "/hubeau/v2/qualite_rivieres/analyse_pc"]
    assert asked == ["06190500,06190510", "06190500", "06190510"]
    nit = pd.read_csv(tmp_path / "o" / "water/naiades_nitrates_hubeau.csv", dtype=str)
    assert len(nit) == 92
    monkeypatch.setattr(D, "HUBEAU_DEPTH", 1)  # one station alone is still too deep: said so
    res = D.download(sel, tmp_path / "o2", layers=["stations"],
                     fetcher=D.Fetcher(cache=tmp_path / "c2", progress=False))
    assert "more than the 1 Hub'Eau serves" in res.failed["stations"]


def test_a_service_error_lists_what_is_missing_and_the_territory_is_still_built(
        services, source, tmp_path, capsys):
    services.fail = ("/wfs",)  # the Géoplateforme WFS answers 500
    services.override = {  # Hub'Eau stations without their code: not the documented shape
        "/hubeau/v2/hydrometrie/referentiel/stations":
            b'{"count": 1, "first": null, "last": null, "prev": null, "next": null, '
            b'"api_version": "2.0.0", "data": [{"libelle_station": "x"}]}'}
    assert _create(source, tmp_path) == 0
    out = capsys.readouterr().out
    assert "Not fetched" in out
    for layer in ("buildings", "stands", "crops"):
        assert f"- {layer}: HTTP 500" in out
    assert "- hydrometry: unexpected answer from the service (KeyError" in out
    man = json.loads((tmp_path / "t" / "territory.json").read_text())
    assert set(man["download"]["failed"]) == {"buildings", "stands", "crops", "hydrometry"}
    layers = man["layers"]
    assert "stands" not in layers and "download failed: HTTP 500" in man["missing"]["stands"]
    # the samples' labelled stand-ins fill in where they exist (buildings on the fetched DEM)
    assert layers["buildings_synthetic"]["synthetic"] and "crops_synthetic" in layers
    assert "buildings" not in man["missing"] and "crops" not in man["missing"]
    assert layers["dem"]["provenance"]["fetched"] == "download"
    assert not man["use_cases"]["forest"]["runs"]
    assert man["use_cases"]["coast"]["runs"] and man["use_cases"]["zan"]["runs"]
    Territory.load(tmp_path / "t").check()


def test_offline_every_layer_is_listed_and_the_territory_is_built_from_the_local_files(
        source, tmp_path, monkeypatch, capsys):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("TWIN_SERVICE_URLS", ",".join(
        f"{k}=http://127.0.0.1:{port}/{k}" for k in D.SERVICE_URLS))
    monkeypatch.setenv("TWIN_CACHE_DIR", str(tmp_path / "cache"))
    assert _create(source, tmp_path / "out") == 0
    out = capsys.readouterr().out
    man = json.loads((tmp_path / "out" / "t" / "territory.json").read_text())
    assert set(man["download"]["failed"]) == set(D.LAYERS)
    for layer in D.LAYERS:
        assert f"- {layer}: cannot reach 127.0.0.1:{port}" in out
    assert set(man["layers"]) == {"communes", "climate_normals"}
    assert "download failed" in man["missing"]["dem"]
    assert not any(v["runs"] for v in man["use_cases"].values())
    assert not list((tmp_path / "out").glob(".*"))  # no temporary folder left


def test_nothing_is_downloaded_without_the_flag(services, source, tmp_path):
    assert main(["territory", "create", "t", "--communes", *CODES, "--from", str(source),
                 "--into", str(tmp_path)]) == 0
    assert services.log == []
    assert "download" not in json.loads((tmp_path / "t" / "territory.json").read_text())


def test_service_urls_from_the_environment(monkeypatch):
    monkeypatch.delenv("TWIN_SERVICE_URLS", raising=False)
    assert D.service_url("hubeau") == "https://hubeau.eaufrance.fr/api"
    monkeypatch.setenv("TWIN_SERVICE_URLS", '{"hubeau": "http://127.0.0.1:9/h/"}')
    assert D.service_url("hubeau") == "http://127.0.0.1:9/h"
    assert D.service_url("geopf_wfs") == "https://data.geopf.fr/wfs/ows"
    monkeypatch.setenv("TWIN_URL_HUBEAU", "http://127.0.0.1:8/x")
    assert D.service_url("hubeau") == "http://127.0.0.1:8/x"
    monkeypatch.setenv("TWIN_SERVICE_URLS", "{not json")
    with pytest.raises(TwinInputError) as exc:
        D.service_url("geopf_wfs")
    assert exc.value.code == "bad_service_urls"


def test_dem_tiles_cover_the_box_on_one_grid():
    tiles = D._dem_tiles((990_316, 6_255_970, 1_012_264, 6_281_273))
    assert len(tiles) == 1
    (x0, y0, x1, y1), w, h = tiles[0]
    assert x0 <= 990_316 - 1000 and x1 >= 1_012_264 + 1000 and y1 >= 6_281_273 + 1000
    assert (x1 - x0) / w == (y1 - y0) / h == D.DEM_RES_M
    big = D._dem_tiles((0, 0, 120_000, 60_000))
    assert max(w for _, w, _ in big) <= D.DEM_TILE_PX and max(h for _, _, h in big) <= \
        D.DEM_TILE_PX
    assert sum(w * h for _, w, h in big) == 4880 * 2480  # no overlap, no gap
