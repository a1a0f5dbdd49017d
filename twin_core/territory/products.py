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
"""

from __future__ import annotations

import os
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
    for name in _BDTOPO_FIELDS[key]:
        if name in gdf.columns:
            return name
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
    suffix = Path(path).suffix.lower()
    raw = read_vector(path, layer=layer if suffix == ".gpkg" else None)
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


def read_rpg(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """RPG parcels (v2 layout) in Lambert-93 with a ``crop`` class and ``area_ha``."""
    source = str(path)
    raw = read_vector(path)
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
