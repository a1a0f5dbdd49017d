"""Readers of the real national products that replace the synthetic stand-ins.

- IGN BD TOPO, theme "Bâti", layer BATIMENT (GeoPackage or Shapefile, Lambert-93 in
  metropolitan France): fields ``USAGE1``/``usage_1``, ``NB_LOGTS``/``nombre_de_logements``,
  ``NB_ETAGES``/``nombre_d_etages``, ``HAUTEUR``/``hauteur`` (IGN, "BD TOPO® Version 3 —
  Descriptif de contenu", 2023) → the ``buildings`` schema.
- IGN/ASP Registre parcellaire graphique (RPG, "îlots et parcelles graphiques", v2 layout as
  served by the IGN API: ``id_parcel``, ``surf_parc`` (ha), ``code_cultu``, ``code_group``)
  → parcels, then the ``crops`` table per commune.
- Cerema land-take file (fichiers fonciers, national CSV, ';'-separated, 131 columns) → the
  ``conso_naf`` table, optionally restricted to a list of communes.

:data:`NATIONAL_PRODUCTS` is the one table of the names under which these products are
distributed (file-name globs, matched anywhere under a ``--from`` folder);
:func:`find_national` detects them, :func:`read_bbox` reads only a territory's bounding box
(pyogrio ``bbox`` in the file's own CRS) after checking the layer, the columns and the number of
features (:data:`MAX_FEATURES`).
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from twin_core.errors import TwinInputError
from twin_core.io import read_table, read_vector
from twin_core.territory.schema import LAMBERT93, check_coordinates, schema_for

#: INSEE 2020 mean household size in metropolitan France (persons per main residence).
PERSONS_PER_DWELLING = 2.19

_BDTOPO_FIELDS = {
    "usage": ("USAGE1", "usage_1"),
    "dwellings": ("NB_LOGTS", "nombre_de_logements"),
    "floors": ("NB_ETAGES", "nombre_d_etages"),
    "height": ("HAUTEUR", "hauteur"),
    "id": ("ID", "cleabs"),
}
_BDTOPO_USE = {"Résidentiel": "residential", "Commercial et services": "commercial",
               "Industriel": "commercial", "Religieux": "public", "Sportif": "public"}


def _field(gdf: pd.DataFrame, key: str, source: str, required: bool = True) -> str | None:
    lower = {str(c).lower(): c for c in gdf.columns}
    for name in _BDTOPO_FIELDS[key]:
        if name.lower() in lower:  # the shapefile has USAGE1, the GeoPackage usage_1
            return lower[name.lower()]
    if required:
        raise TwinInputError("missing_column", source, layer="BATIMENT",
                             column=" / ".join(_BDTOPO_FIELDS[key]), dtype="-", units="-",
                             found=", ".join(map(str, gdf.columns[:12])))
    return None


def _to_lambert93(gdf: gpd.GeoDataFrame, source: str, layer: str) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        raise TwinInputError("missing_crs", source, layer=layer, crs=LAMBERT93)
    check_coordinates(gdf, source, layer)  # a wrong label must be corrected, not reprojected
    return gdf if gdf.crs == LAMBERT93 else gdf.to_crs(LAMBERT93)


def read_bdtopo_buildings(path: str | os.PathLike[str], communes: gpd.GeoDataFrame,
                          persons_per_dwelling: float = PERSONS_PER_DWELLING,
                          layer: str | None = "batiment") -> gpd.GeoDataFrame:
    """BD TOPO BATIMENT → ``buildings`` layer (points at the footprints' representative points).

    Residents = dwellings × ``persons_per_dwelling``; floor area = footprint × floors (1 when
    unknown); the commune comes from a spatial join with ``communes``.
    """
    source = str(path)
    raw = read_bbox(path, communes, "buildings", layer=layer)
    raw = _to_lambert93(raw, source, "BATIMENT")
    use_col, dw_col = _field(raw, "usage", source), _field(raw, "dwellings", source)
    fl_col, h_col = _field(raw, "floors", source, False), _field(raw, "height", source, False)
    id_col = _field(raw, "id", source, False)
    dwellings = pd.to_numeric(raw[dw_col], errors="coerce").fillna(0).astype(int)
    floors = (pd.to_numeric(raw[fl_col], errors="coerce").fillna(1).clip(lower=1)
              if fl_col else 1)
    out = gpd.GeoDataFrame({
        "building_id": raw[id_col].astype(str) if id_col else
        [f"BDT{i:07d}" for i in range(len(raw))],
        "use": raw[use_col].map(_BDTOPO_USE).fillna("other"),
        "dwellings": dwellings,
        "residents": dwellings * persons_per_dwelling,
        "floor_area_m2": raw.geometry.area * floors,
        "height_m": pd.to_numeric(raw[h_col], errors="coerce") if h_col else np.nan,
    }, geometry=raw.geometry.representative_point(), crs=LAMBERT93)
    joined = gpd.sjoin(out, communes[["code_insee", "geometry"]].to_crs(LAMBERT93),
                       how="inner", predicate="within").drop(columns="index_right")
    return joined[["building_id", "code_insee", "use", "dwellings", "residents",
                   "floor_area_m2", "height_m", "geometry"]].reset_index(drop=True)


#: RPG crop codes (code_cultu, ASP nomenclature) → the crop classes of the models.
RPG_CROPS = {
    "BTH": "winter_wheat", "BDH": "winter_wheat", "ORH": "winter_barley",
    "ORP": "spring_barley", "CZH": "rapeseed", "MIS": "maize_grain", "MIE": "maize_silage",
    "TRN": "sunflower", "PPH": "grassland", "PRL": "grassland", "PTR": "grassland",
    "PRA": "grassland",
}


def read_rpg(path: str | os.PathLike[str], communes: gpd.GeoDataFrame | None = None
             ) -> gpd.GeoDataFrame:
    """RPG parcels (v2 layout, column names in either case) in Lambert-93 with a ``crop``
    class and ``area_ha``; with ``communes``, only their bounding box is read."""
    source = str(path)
    raw = read_vector(path) if communes is None else read_bbox(path, communes, "rpg")
    # the distributed shapefile has ID_PARCEL, SURF_PARC, CODE_CULTU (IGN RPG 2.0 descriptif)
    raw = raw.rename(columns={c: str(c).lower() for c in raw.columns if c != "geometry"})
    for col in ("surf_parc", "code_cultu"):
        if col not in raw.columns:
            raise TwinInputError("missing_column", source, layer="RPG", column=col,
                                 dtype="float" if col == "surf_parc" else "str",
                                 units="ha" if col == "surf_parc" else "-",
                                 found=", ".join(map(str, raw.columns[:12])))
    raw = _to_lambert93(raw, source, "RPG")
    return gpd.GeoDataFrame({
        "id_parcel": raw.get("id_parcel", pd.Series(range(len(raw)))).astype(str),
        "code_cultu": raw["code_cultu"].astype(str),
        "crop": raw["code_cultu"].map(RPG_CROPS).fillna("other"),
        "area_ha": pd.to_numeric(raw["surf_parc"], errors="coerce"),
    }, geometry=raw.geometry, crs=LAMBERT93)


def crops_from_rpg(parcels: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """Crop areas per commune (the ``crops`` table) from RPG parcels, by parcel centroid."""
    points = parcels.set_geometry(parcels.geometry.representative_point())
    joined = gpd.sjoin(points, communes[["code_insee", "geometry"]].to_crs(LAMBERT93),
                       how="inner", predicate="within")
    table = joined.groupby(["code_insee", "crop"], as_index=False)["area_ha"].sum()
    schema_for("crops").check(table, "RPG", "crops")
    return table


def read_cerema_national(path: str | os.PathLike[str], codes: set[str],
                         chunksize: int = 20_000) -> pd.DataFrame:
    """The rows of ``codes`` (idcom) of a national Cerema land-take CSV (';'), read by chunks
    (the 2009-2023 file has ≈ 35,000 communes × 131 columns); a file without ``idcom`` or the
    yearly ``nafYYartYY`` columns the ZAN model reads is refused naming the column."""
    source = str(path)
    head = pd.read_csv(path, sep=";", nrows=0, encoding_errors="replace")
    schema = schema_for("conso_naf")
    for col in schema.columns:
        if col.name not in head.columns:
            raise TwinInputError("missing_column", source, layer="conso_naf", column=col.name,
                                 dtype=col.dtype, units=col.units or "-",
                                 found=", ".join(map(str, head.columns[:12])))
    ids = {c: str for c in ("idcom", "idreg", "iddep", "epci23") if c in head.columns}
    frames = [chunk[chunk["idcom"].isin(codes)] for chunk in pd.read_csv(
        path, sep=";", dtype=ids, chunksize=chunksize, low_memory=False,
        encoding_errors="replace")]
    return pd.concat(frames, ignore_index=True)


def read_cerema_conso(path: str | os.PathLike[str], communes: list[str] | None = None
                      ) -> pd.DataFrame:
    """The Cerema land-take CSV (national or extract), checked, optionally filtered by idcom."""
    table = read_table(path, sep=";", dtype={"idcom": str})
    schema_for("conso_naf").check(table, str(path), "conso_naf")
    if communes is not None:
        table = table[table["idcom"].isin([str(c) for c in communes])].reset_index(drop=True)
        if table.empty:
            raise TwinInputError("empty_layer", str(path), layer="conso_naf")
    return table


# == national products in a --from folder =========================================================
#: Features read from one national file for a territory, above which the read is refused with
#: the figure (env overrides). Assumption: ≈ 1 kB in memory per building / parcel with its
#: geometry, so 1.5 M features ≈ 1.5 GB, what a laptop can hold; a département's BD TOPO has
#: 0.2-1.2 M buildings.
MAX_FEATURES = {"buildings": int(os.environ.get("TWIN_MAX_BUILDINGS", 1_500_000)),
                "rpg": int(os.environ.get("TWIN_MAX_PARCELS", 1_500_000))}
#: A source file larger than this (MB) is not hashed: the provenance gives the SHA-256 of the
#: clipped output and says so (hashing a 3 GB BD TOPO GeoPackage takes tens of seconds).
HASH_MAX_MB = float(os.environ.get("TWIN_HASH_MAX_MB", 500))

LO2 = "Licence Ouverte / Etalab 2.0"
#: key → product, licence, documentation, and the distributed file names (glob on the file
#: name, case-insensitive; layer of a GeoPackage, None = its only/first layer). Names:
#: - BD TOPO: IGN delivers ``BDTOPO_3-x_TOUSTHEMES_GPKG_LAMB93_Dnnn_YYYY-MM-DD`` holding
#:   ``BDT_3-x_GPKG_LAMB93_Dnnn-EDYYYY-MM-DD.gpkg`` (class BATIMENT as layer ``batiment``), or the
#:   shapefile edition ``…_SHP_…/BATI/BATIMENT.shp`` (https://geoservices.ign.fr/bdtopo; fields:
#:   IGN, "BD TOPO® Version 3.4, Descriptif de contenu", DC_BDTOPO_3-4.pdf, class BATIMENT).
#: - RPG: ``RPG_2-0_SHP_LAMB93_Rnn_YYYY-01-01/…/PARCELLES_GRAPHIQUES.shp`` (or .gpkg) with
#:   ID_PARCEL, SURF_PARC (ha), CODE_CULTU, CODE_GROUP, CULTURE_D1, CULTURE_D2 (IGN, "RPG
#:   version 2.0, Descriptif de contenu", DC_DL_RPG_2-0.pdf; https://geoservices.ign.fr/rpg).
#: - Cerema: the national commune file of the "consommation d'espaces NAF" series,
#:   ``conso2009_2023_resultats_com.csv`` (earlier ``obs_artif_conso_com_2009_2021.csv``), ';'
#:   separated, idcom + nafYYartYY (m²) columns (https://artificialisation.developpement-
#:   durable.gouv.fr/mesurer-la-consommation-despaces/methodologie-production-des-donnees).
NATIONAL_PRODUCTS: dict[str, dict] = {
    "buildings": {
        "product": "IGN BD TOPO® V3, thème Bâti, classe BATIMENT", "licence": LO2,
        "doc": "https://geoservices.ign.fr/bdtopo (DC_BDTOPO_3-4.pdf, classe BATIMENT)",
        "patterns": (("BDT_3-*_GPKG_*.gpkg", "batiment"), ("BATIMENT.shp", None),
                     ("BATIMENT.gpkg", "batiment"))},
    "rpg": {
        "product": "IGN/ASP Registre parcellaire graphique (RPG) 2.0, PARCELLES_GRAPHIQUES",
        "licence": LO2, "doc": "https://geoservices.ign.fr/rpg (DC_DL_RPG_2-0.pdf)",
        "patterns": (("PARCELLES_GRAPHIQUES.shp", None), ("PARCELLES_GRAPHIQUES.gpkg", None))},
    "conso_naf": {
        "product": "Cerema, fichiers fonciers, consommation d'espaces NAF (fichier national "
                   "des communes)", "licence": LO2,
        "doc": "https://artificialisation.developpement-durable.gouv.fr/mesurer-la-"
               "consommation-despaces/methodologie-production-des-donnees",
        "patterns": (("conso*_resultats_com*.csv", None), ("obs_artif_conso_com_*.csv", None))},
}
_SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


@dataclass(frozen=True)
class NationalFile:
    """A national product found in a folder: its file, layer, product, edition, licence."""

    key: str
    path: Path
    layer: str | None
    product: str
    edition: str
    licence: str
    doc: str

    @property
    def files(self) -> list[Path]:
        """The file and, for a shapefile, its sidecars (all hashed for the provenance)."""
        if self.path.suffix.lower() != ".shp":
            return [self.path]
        return sorted(q for q in self.path.parent.iterdir()
                      if q.stem == self.path.stem and q.suffix.lower() in _SIDECARS)

    @property
    def size(self) -> int:
        return sum(p.stat().st_size for p in self.files)


def edition_of(key: str, path: Path) -> str:
    """The edition written in the distributed names: BD TOPO version, département and date
    (``BDT_3-3_GPKG_LAMB93_D021-ED2023-12-15``), RPG version, zone and year
    (``RPG_2-0_SHP_LAMB93_R11_2021-01-01``), Cerema years (``conso2009_2023``)."""
    text = "/".join(path.parts[-6:])
    if key == "buildings":
        m = re.search(r"BD(?:T|TOPO)_(\d-\d+)_[^/]*?_(D\d\w\w|FXX|FRA)[-_](?:ED)?"
                      r"(\d{4}-\d{2}-\d{2})", text, re.IGNORECASE)
        return f"BD TOPO {m[1].replace('-', '.')}, {m[2]}, édition {m[3]}" if m else ""
    if key == "rpg":
        m = re.search(r"RPG_(\d-\d)_[^/]*?_(R\d\d|FXX|FRA|D\d\w\w)[-_](\d{4})", text,
                      re.IGNORECASE)
        return f"RPG {m[1].replace('-', '.')}, {m[2]}, campagne {m[3]}" if m else ""
    m = re.search(r"(20\d\d)[_-](20\d\d)", path.name)
    return f"{m[1]}-{m[2]}" if m else ""


def find_national(root: str | os.PathLike[str]) -> dict[str, NationalFile]:
    """The first national product of each kind under ``root`` (sorted order)."""
    return {k: v[0] for k, v in find_national_all(root).items()}


def find_national_all(root: str | os.PathLike[str]) -> dict[str, list[NationalFile]]:
    """Every national product under ``root`` (one walk; names of :data:`NATIONAL_PRODUCTS`,
    case-insensitive; sorted): several BD TOPO or RPG deliveries (one per département or
    région) are all read for a territory across their borders."""
    found: dict[str, list[NationalFile]] = {}
    seen: set[str] = set()
    # symlinked folders are followed (a national product linked into the folder), each real
    # folder once (no loop)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen:
            dirnames[:] = []
            continue
        seen.add(real)
        dirnames.sort()
        for name in sorted(filenames):
            for key, spec in NATIONAL_PRODUCTS.items():
                for pattern, layer in spec["patterns"]:
                    if fnmatch.fnmatch(name.lower(), pattern.lower()):
                        p = Path(dirpath) / name
                        found.setdefault(key, []).append(NationalFile(
                            key, p, layer, spec["product"], edition_of(key, p),
                            spec["licence"], spec["doc"]))
                        break
    return found


#: required columns of the national vector products (any of the names; case-insensitive)
_REQUIRED = {"buildings": ("usage", "dwellings"), "rpg": ("surf_parc", "code_cultu")}


def _layer_of(path: Path, layer: str | None, key: str) -> str | None:
    """The layer to read: ``layer`` (case-insensitive) in a GeoPackage, else its only layer;
    a GeoPackage without it is refused naming the file, the layer and those found."""
    import pyogrio

    if path.suffix.lower() != ".gpkg":
        return None
    names = [str(n) for n in pyogrio.list_layers(path)[:, 0]]
    if layer is None:
        if len(names) == 1:
            return names[0]
        layer = {"rpg": "parcelles_graphiques"}.get(key, names[0] if names else "")
    match = [n for n in names if n.lower() == layer.lower()]
    if not match:
        raise TwinInputError("national_layer_missing", str(path), layer=layer,
                             found=", ".join(names[:12]) or "-")
    return match[0]


def read_bbox(path: str | os.PathLike[str], communes: gpd.GeoDataFrame, key: str,
              layer: str | None = None) -> gpd.GeoDataFrame:
    """The features of ``path`` in the communes' bounding box only (pyogrio ``bbox``, given in
    the file's CRS), after checking the layer, the required columns (a TwinInputError names
    the file and the column) and the number of features (refused above
    :data:`MAX_FEATURES` with the figure)."""
    import pyogrio
    from pyproj import CRS, Transformer

    path = Path(path)
    lyr = _layer_of(path, layer, key)
    info = pyogrio.read_info(path, layer=lyr)
    fields = [str(f) for f in info["fields"]]
    lower = {f.lower() for f in fields}
    for need in _REQUIRED[key]:
        names = _BDTOPO_FIELDS[need] if key == "buildings" else (need,)
        if not any(n.lower() in lower for n in names):
            raise TwinInputError("missing_column", str(path), layer=lyr or path.stem,
                                 column=" / ".join(names), dtype="-", units="-",
                                 found=", ".join(fields[:12]))
    if info["crs"] is None:
        raise TwinInputError("missing_crs", str(path), layer=lyr or path.stem, crs=LAMBERT93)
    crs = CRS.from_user_input(info["crs"])
    x0, y0, x1, y1 = communes.to_crs(LAMBERT93).total_bounds
    bbox = Transformer.from_crs(LAMBERT93, crs, always_xy=True).transform_bounds(
        x0, y0, x1, y1, densify_pts=21)
    ids = pyogrio.read_dataframe(path, layer=lyr, bbox=bbox, read_geometry=False,
                                 columns=[], fid_as_index=True)  # a count, no attribute
    if len(ids) > MAX_FEATURES[key]:
        env = "TWIN_MAX_BUILDINGS" if key == "buildings" else "TWIN_MAX_PARCELS"
        raise TwinInputError("territory_too_large", str(path), layer=key,
                             figure=f"{len(ids):,}", units="features",
                             limit=f"{MAX_FEATURES[key]:,}", env=env)
    if len(ids) == 0:  # nothing in the box: wrongly labelled coordinates are said so
        sample = pyogrio.read_dataframe(path, layer=lyr, max_features=50)
        check_coordinates(sample if sample.crs is not None else sample.set_crs(crs),
                          str(path), lyr or path.stem)
    gdf = pyogrio.read_dataframe(path, layer=lyr, bbox=bbox)
    if gdf.crs is None:
        gdf = gdf.set_crs(crs)
    return gdf
