"""Regenerate the small service answers of tests/test_territory_download.py (run once, by hand:
``.venv/bin/python tests/data/services/make_fixtures.py``). Each file has the shape its service
documents (see twin_core/territory/download.py); the values are made up but placed inside the
two test communes (83107 Roquebrune-sur-Argens, 83001 Les Adrets-de-l'Estérel) so that the
clipping keeps them. ``{BASE}`` is replaced by the test server's address when served."""

import gzip
import io
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from rasterio.transform import from_origin

HERE = Path(__file__).parent
SHARED = HERE.parents[2].parent / "shared" / "data"
CODES = ["83107", "83001"]
rng = np.random.default_rng(18)

c = gpd.read_parquet(SHARED / "communes/communes_france.parquet")
c = c[c["code_insee"].isin(CODES) & (c["type"] == "COM")].to_crs(2154).sort_values("code_insee")
geoms = dict(zip(c["code_insee"], c.geometry, strict=True))


def inside(code: str, n: int) -> list[shapely.Point]:
    g = geoms[code].buffer(-400)
    x0, y0, x1, y1 = g.bounds
    pts = []
    while len(pts) < n:
        p = shapely.Point(rng.uniform(x0, x1), rng.uniform(y0, y1))
        if g.contains(p):
            pts.append(p)
    return pts


def fc(features: list[dict], matched: int) -> dict:
    return {"type": "FeatureCollection", "features": features, "totalFeatures": matched,
            "numberMatched": matched, "numberReturned": len(features),
            "timeStamp": "2026-12-06T02:00:00.000Z",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}}}


def feat(i: int, geom, props: dict, layer: str) -> dict:
    return {"type": "Feature", "id": f"{layer}.{i}", "geometry": shapely.geometry.mapping(geom),
            "geometry_name": "geometrie", "properties": props}


def hits(n: int) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><wfs:FeatureCollection '
            f'xmlns:wfs="http://www.opengis.net/wfs/2.0" numberMatched="{n}" numberReturned="0" '
            'timeStamp="2026-12-06T02:00:00.000Z"/>')


def dump(name: str, obj) -> None:
    (HERE / name).write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n")


# -- BD TOPO bâtiments: 7 buildings over two pages of 5 (the test sets WFS_PAGE = 5)
pts = inside("83107", 4) + inside("83001", 3)
uses = ["Résidentiel", "Résidentiel", "Commercial et services", "Résidentiel", "Résidentiel",
        "Religieux", "Résidentiel"]
feats = [feat(i, p.buffer(8, cap_style="square"), {
    "cleabs": f"BATIMENT00000000{i:07d}", "nature": "Indifférenciée", "usage_1": u,
    "nombre_de_logements": 0 if u != "Résidentiel" else int(rng.integers(1, 12)),
    "nombre_d_etages": int(rng.integers(1, 4)), "hauteur": round(float(rng.uniform(3, 12)), 1),
    "etat_de_l_objet": "En service"}, "batiment")
    for i, (p, u) in enumerate(zip(pts, uses, strict=True))]
(HERE / "wfs_batiment_hits.xml").write_text(hits(7))
dump("wfs_batiment_start0.geojson", fc(feats[:5], 7))
dump("wfs_batiment_start5.geojson", fc(feats[5:], 7))

# -- BD Forêt v2: 3 polygons of 9 ha
pts = inside("83001", 2) + inside("83107", 1)
ess = ["Pin d'Alep", "Chênes sempervirents", "Pin maritime"]
feats = [feat(i, p.buffer(150, cap_style="square"), {
    "code_tfv": "FF1-00-00", "tfv": "Forêt fermée de conifères purs", "tfv_g11": "Forêt fermée "
    "conifères", "essence": e}, "formation_vegetale")
    for i, (p, e) in enumerate(zip(pts, ess, strict=True))]
(HERE / "wfs_bdforet_hits.xml").write_text(hits(3))
dump("wfs_bdforet_start0.geojson", fc(feats, 3))

# -- RPG parcels
pts = inside("83107", 3)
codes = [("BTH", "1"), ("PPH", "18"), ("MIS", "2")]
feats = [feat(i, p.buffer(100, cap_style="square"), {
    "id_parcel": str(9_000_000 + i), "surf_parc": 4.0, "code_cultu": cc, "code_group": cg,
    "culture_d1": None, "culture_d2": None}, "parcelles_graphiques")
    for i, (p, (cc, cg)) in enumerate(zip(pts, codes, strict=True))]
(HERE / "wfs_rpg_hits.xml").write_text(hits(3))
dump("wfs_rpg_start0.geojson", fc(feats, 3))

# -- Cerema erosion indicator (Géolittoral): thin polygons (200 m × 30 m) on the shore of
# 83107 (Les Issambres) carrying ``taux`` (m/yr), one not measured (-9999)
shore = geoms["83107"].boundary
seg = [shore.interpolate(f, normalized=True) for f in np.linspace(0, 1, 400)]
south = sorted(seg, key=lambda p: p.y)[:4]
feats = [feat(i, shapely.box(p.x - 100, p.y - 15, p.x + 100, p.y + 15),
              {"id_segment": i, "taux": t, "commentaire": None}, "n_evolution_trait_cote_s")
         for i, (p, t) in enumerate(zip(south, [-0.4, -0.2, 0.1, -9999.0], strict=True))]
(HERE / "wfs_erosion_hits.xml").write_text(hits(4))
dump("wfs_erosion_start0.geojson", fc(feats, 4))

# -- DEM: 250 m GeoTIFF (EPSG:2154) over the communes + 2.5 km, rising inland from the sea
bx0, by0, bx1, by1 = c.total_bounds
res = 250.0
left, top = np.floor((bx0 - 2500) / res) * res, np.ceil((by1 + 2500) / res) * res
w, h = int(np.ceil((bx1 + 2500 - left) / res)), int(np.ceil((top - (by0 - 2500)) / res))
yy = np.linspace(1, 0, h)[:, None] * np.ones((1, w))
dem = (yy * 600.0 - 20.0 + rng.normal(0, 5, (h, w))).astype("float32")
with rasterio.open(HERE / "wmsr_dem.tif", "w", driver="GTiff", width=w, height=h, count=1,
                   dtype="float32", crs="EPSG:2154", transform=from_origin(left, top, res, res),
                   compress="deflate", nodata=-99999.0) as dst:
    dst.write(dem, 1)

# -- Hub'Eau qualité des cours d'eau: 2 stations over 2 pages, 4 nitrate analyses
st = []


def headwater(code: str, n: int = 60) -> shapely.Point:
    """A point of ``code`` whose D8 catchment (as the build derives it) lies mostly in the two
    communes, so that the agriculture model keeps its station (MIN_COVERAGE)."""
    from twin_core.models.agriculture.catchments import build_catchments, commune_weights

    cand = inside(code, n)
    pts = gpd.GeoDataFrame({"code_station": [str(i) for i in range(n)]}, geometry=cand,
                           crs=2154)
    cat = build_catchments(pts, SHARED / "water/france_flow_direction_1km.tif")
    w = commune_weights(cat, c[["code_insee", "geometry"]])
    cover = (w.groupby("code_station")["area_ha"].sum()
             / w.groupby("code_station")["catchment_ha"].first())
    return cand[int(cover.idxmax())]


two = [headwater("83107"), headwater("83001")]
for i, (code, p) in enumerate(zip(["06190500", "06190510"], two, strict=True)):
    lon, lat = gpd.GeoSeries([p], crs=2154).to_crs(4326).iloc[0].coords[0]
    st.append({"code_station": code, "libelle_station": f"L'ARGENS {i + 1}",
               "uri_station": f"https://id.eaufrance.fr/StationMesureEauxSurface/{code}",
               "durete": None, "coordonnee_x": round(p.x), "coordonnee_y": round(p.y),
               "code_projection": "26", "libelle_projection": "RGF93 / Lambert 93",
               "longitude": round(lon, 9), "latitude": round(lat, 9),
               "code_commune": ["83107", "83001"][i], "libelle_commune": "x",
               "code_departement": "83", "libelle_departement": "Var", "code_region": "93",
               "libelle_region": "Provence-Alpes-Côte d'Azur", "code_cours_eau": "Y5--0200",
               "nom_cours_eau": "L'Argens", "code_masse_deau": "FRDR114",
               "nom_masse_deau": "L'Argens", "code_bassin": "D", "type_entite_hydro": "2"})
q = "bbox=6.58554,43.339799,6.863099,43.564226&size=1"
base = {"api_version": "2.0.0", "count": 2,
        "first": "{BASE}/v2/qualite_rivieres/station_pc?" + q + "&page=1",
        "last": "{BASE}/v2/qualite_rivieres/station_pc?" + q + "&page=2"}
dump("hubeau_station_pc_p1.json", {**base, "prev": None,
     "next": "{BASE}/v2/qualite_rivieres/station_pc?" + q + "&page=2", "data": st[:1]})
dump("hubeau_station_pc_p2.json", {**base, "prev": base["first"], "next": None,
     "data": st[1:]})
rows = []  # two analyses a year 2000-2022 per station (the model calibrates on 2000-2015)
for s in (0, 1):
    for y in range(2000, 2023):
        for m, d in ((2, 15), (7, 12)):
            date = f"{y}-{m:02d}-{d:02d}"
            if (s, date) == (1, "2022-02-15"):
                date += "T10:20:00Z"  # Hub'Eau may give a time: cut to the date
            v = round(float((6.0 if m == 2 else 2.5) * (1.4 if s else 1.0)
                            * rng.lognormal(0, 0.2)), 1)
            rows.append({"code_station": st[s]["code_station"],
                         "libelle_station": st[s]["libelle_station"],
                         "libelle_fraction": "Eau brute", "date_prelevement": date,
                         "resultat": v, "symbole_unite": "mg(NO3)/L"})
dump("hubeau_analyse_pc_p1.json", {"count": len(rows), "first": None, "last": None, "prev": None,
                                   "next": None, "api_version": "2.0.0", "data": rows})

# -- Hub'Eau hydrométrie: 1 station, 3 daily flows (QmJ, L/s)
p = inside("83107", 1)[0]
lon, lat = gpd.GeoSeries([p], crs=2154).to_crs(4326).iloc[0].coords[0]
dump("hubeau_hydro_stations_p1.json", {
    "count": 1, "first": None, "last": None, "prev": None, "next": None, "api_version": "2.0.0",
    "data": [{"code_site": "Y5312010", "code_station": "Y531201001",
              "libelle_station": "L'Argens à Roquebrune-sur-Argens", "type_station": "STD",
              "longitude_station": round(lon, 6), "latitude_station": round(lat, 6),
              "code_commune_station": "83107", "en_service": True}]})
dump("hubeau_hydro_obs_elab_p1.json", {
    "count": 3, "first": None, "last": None, "prev": None, "next": None, "api_version": "1.0.1",
    "data": [{"code_station": "Y531201001", "date_obs_elab": d, "resultat_obs_elab": v}
             for d, v in [("2024-01-01", 8200.0), ("2024-01-02", 7900.0),
                          ("2024-01-03", 15400.0)]]})

# -- data.gouv.fr datasets and their files
ain = pd.read_csv(SHARED / "zan/cerema_conso_naf_2009_2023_ain_9communes.csv", sep=";", dtype=str)
rows = ain.iloc[[0, 1, 2]].copy()
rows["idcom"] = ["83001", "83107", "01001"]
rows.to_csv(HERE / "conso2009_2023_resultats_com.csv", sep=";", index=False)
dump("datagouv_cerema_conso.json", {
    "id": "0", "slug": "consommation-despaces-naturels-agricoles-et-forestiers-du-1er-janvier-"
    "2009-au-1er-janvier-2023", "resources": [
        {"title": "Notice", "url": "{BASE}/files/notice.pdf", "format": "pdf", "filesize": 1},
        {"title": "conso2009_2023_resultats_com.csv", "format": "csv", "filesize": None,
         "url": "{BASE}/files/conso2009_2023_resultats_com.csv"}]})
days = pd.date_range("2024-01-01", "2024-12-31").strftime("%Y%m%d")
stations = [("83107001", "ROQUEBRUNE", 43.45, 6.65, 20), ("83061001", "FREJUS", 43.43, 6.74, 5)]
rr, other = [], []
for num, name, lat, lon, alti in stations:
    t = 16 + 8 * np.sin((np.arange(len(days)) - 110) / 365 * 2 * np.pi)
    for k, d in enumerate(days):
        rain = float(rng.choice([0, 0, 0, 0, 2.5, 12.0]))
        rr.append([num, name, lat, lon, alti, d, rain, 1, round(t[k] - 5, 1), 1,
                   round(t[k] + 6, 1), 1, round(t[k], 1), 1, round(float(rng.uniform(1, 7)), 1), 1])
        other.append([num, name, lat, lon, alti, d, int(rng.integers(25, 70)), 1,
                      int(rng.integers(75, 100)), 1, int(rng.integers(50, 85)), 1])
cols = ["NUM_POSTE", "NOM_USUEL", "LAT", "LON", "ALTI", "AAAAMMJJ", "RR", "QRR", "TN", "QTN",
        "TX", "QTX", "TM", "QTM", "FFM", "QFFM"]
ocols = ["NUM_POSTE", "NOM_USUEL", "LAT", "LON", "ALTI", "AAAAMMJJ", "UN", "QUN", "UX", "QUX",
         "UM", "QUM"]
for fname, cl, data in [("Q_83_latest-2024-2025_RR-T-Vent.csv.gz", cols, rr),
                        ("Q_83_latest-2024-2025_autres-parametres.csv.gz", ocols, other)]:
    buf = io.StringIO()
    pd.DataFrame(data, columns=cl).to_csv(buf, sep=";", index=False)
    (HERE / fname).write_bytes(gzip.compress(buf.getvalue().encode(), mtime=0))
dump("datagouv_meteo_quotidien.json", {
    "id": "1", "slug": "donnees-climatologiques-de-base-quotidiennes", "resources": [
        {"title": f"QUOT_departement_83_periode_latest-2024-2025_{k}", "format": "csv.gz",
         "url": "{BASE}/files/" + f, "filesize": (HERE / f).stat().st_size}
        for k, f in [("RR-T-Vent", "Q_83_latest-2024-2025_RR-T-Vent.csv.gz"),
                     ("autres-parametres", "Q_83_latest-2024-2025_autres-parametres.csv.gz")]]})
print(sorted(p.name for p in HERE.iterdir()))
