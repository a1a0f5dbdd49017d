"""Regenerate geoapi_epci_200035319_contour.geojson and geoapi_epci_200035319_mairie.geojson:
the answers of the API Découpage administratif (geo.api.gouv.fr, https://github.com/datagouv/
api-geo) to ``/epcis/200035319/communes?fields=…&format=geojson&geometry=contour`` and
``…&fields=code&geometry=mairie`` for the CA Estérel Côte d'Azur Agglomération (5 communes).

Shaped as the API answers: a FeatureCollection; ``properties`` hold the asked non-geometry
fields (nom, code, codeEpci, epci {code, nom}, codeDepartement, departement {code, nom},
codeRegion, region {code, nom}, population = population municipale); ``geometry`` the asked
geometry (WGS84). Values from ../shared/data/communes/communes_france.parquet (IGN Admin Express
contours, INSEE population, the same sources as the API), contours simplified at ≈ 30 m to keep
the files small. Run: .venv/bin/python tests/data/services/make_geoapi_fixture.py
"""

import json
from pathlib import Path

import geopandas as gpd
import shapely

HERE = Path(__file__).parent
SRC = HERE.parents[2].parent / "shared" / "data" / "communes" / "communes_france.parquet"
EPCI = "200035319"


def main() -> None:
    c = gpd.read_parquet(SRC)
    c = c[(c["type"] == "COM") & (c["epci_code"] == EPCI)].sort_values("code_insee")
    contour, mairie = [], []
    for _, r in c.iterrows():
        g = shapely.simplify(r.geometry, 0.0003, preserve_topology=True)
        props = {"nom": r["nom"], "code": r["code_insee"], "codeEpci": EPCI,
                 "epci": {"code": EPCI, "nom": r["epci_nom"]},
                 "codeDepartement": r["departement_code"],
                 "departement": {"code": r["departement_code"], "nom": r["departement_nom"]},
                 "codeRegion": r["region_code"],
                 "region": {"code": r["region_code"], "nom": r["region_nom"]},
                 "population": int(r["population_municipale"])}
        geom = json.loads(shapely.to_geojson(shapely.set_precision(g, 1e-6)))
        contour.append({"type": "Feature", "properties": props, "geometry": geom})
        mairie.append({"type": "Feature", "properties": {"code": r["code_insee"]},
                       "geometry": {"type": "Point", "coordinates": [
                           round(float(r["mairie_lon"]), 6), round(float(r["mairie_lat"]), 6)]}})
    for name, feats in (("contour", contour), ("mairie", mairie)):
        (HERE / f"geoapi_epci_{EPCI}_{name}.geojson").write_text(json.dumps(
            {"type": "FeatureCollection", "features": feats}, ensure_ascii=False))


if __name__ == "__main__":
    main()
