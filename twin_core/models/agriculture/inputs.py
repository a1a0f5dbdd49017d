"""Readers of the real inputs a user brings: Naïades nitrate exports and RPG parcels.

- Naïades (OFB, Hub'Eau "qualité des cours d'eau" analyses export): columns ``code_station``,
  ``date_prelevement``, ``resultat``, ``symbole_unite``. Nitrate may be reported as NO3
  (mg(NO3)/L) or as nitrogen (mg(N)/L, i.e. NO3-N): the latter is converted with the molar
  ratio 62.004 / 14.007 = 4.427. Any other unit is refused with a clear message (a silent
  mix of units would bias the calibration by a factor 4.4).
- RPG (IGN/ASP Registre parcellaire graphique, v2 layout ``surf_parc``, ``code_cultu``): read
  by :func:`twin_core.territory.products.read_rpg`, aggregated per commune by
  :func:`~twin_core.territory.products.crops_from_rpg`; crop classes this model has no
  parameters for are mapped by :data:`RPG_TO_MODEL` (silage maize → grain maize: same FAO-56
  season, the N need per tonne of dry matter is not in the corpus) or to ``other``.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from twin_core.errors import TwinInputError
from twin_core.models.agriculture.crops import CROP_NAMES
from twin_core.models.agriculture.nitrogen import NO3_PER_N

#: Naïades unit symbols → factor to mg NO3/L.
NITRATE_UNITS = {"mg(NO3)/L": 1.0, "mg/L NO3": 1.0, "mg(N)/L": NO3_PER_N,
                 "mg(NO3-N)/L": NO3_PER_N, "mg/L N": NO3_PER_N}
#: RPG classes of products.read_rpg without parameters here → the model's crop.
RPG_TO_MODEL = {"maize_silage": "maize_grain"}


def nitrates_from_naiades(raw: pd.DataFrame, source: str = "naiades",
                          date_format: str | None = None) -> pd.DataFrame:
    """The model's ``nitrates`` table (code_station, date, no3_mg_l) from a Naïades export;
    unknown units and negative concentrations raise a TwinInputError naming the station.
    Sampling dates must be ISO (YYYY-MM-DD, as Hub'Eau and the Naïades exports write them) or
    in the declared ``date_format`` (e.g. "%d/%m/%Y"): day- or month-first dates are refused,
    never guessed (:func:`twin_core.territory.schema.check_dates`)."""
    from twin_core.territory.schema import check_dates
    missing = [c for c in ("code_station", "date_prelevement", "resultat", "symbole_unite")
               if c not in raw.columns]
    if missing:
        raise TwinInputError("missing_column", source, layer="nitrates", column=missing[0],
                             dtype="str", units="-", found=", ".join(map(str, raw.columns[:12])))
    unit = raw["symbole_unite"].astype(str).str.strip()
    unknown = ~unit.isin(NITRATE_UNITS)
    if unknown.any():
        i = int(np.argmax(unknown.to_numpy()))
        raise TwinInputError("agri_unknown_units", source, unit=unit.iloc[i],
                             station=str(raw["code_station"].iloc[i]),
                             known=", ".join(NITRATE_UNITS))
    dates = raw["date_prelevement"]
    if not pd.api.types.is_datetime64_any_dtype(dates):  # ISO text, or converted to it
        dates = dates.astype("string").str.strip().str.slice(0, 10) if date_format is None \
            else dates
    iso = check_dates(dates, source, "nitrates", "date_prelevement", date_format)
    dates = pd.to_datetime(iso if iso is not None else dates)
    value = pd.to_numeric(raw["resultat"], errors="coerce") * unit.map(NITRATE_UNITS)
    if (value < 0).any():
        i = int(np.argmax((value < 0).to_numpy()))
        raise TwinInputError("agri_negative_nitrate", source,
                             station=str(raw["code_station"].iloc[i]), value=float(value.iloc[i]))
    return pd.DataFrame({
        "code_station": raw["code_station"].astype(str).to_numpy(),
        "date": dates.dt.strftime("%Y-%m-%d").to_numpy(),
        "no3_mg_l": value.to_numpy(float),
    }).dropna(subset=["no3_mg_l"]).reset_index(drop=True)


def read_naiades_nitrates(path: str | os.PathLike[str], date_format: str | None = None
                          ) -> pd.DataFrame:
    """Read a Naïades CSV export (see :func:`nitrates_from_naiades`)."""
    from twin_core.io import read_table

    return nitrates_from_naiades(read_table(path, dtype={"code_station": str}), str(path),
                                 date_format)


def crops_table_from_rpg(parcels, communes) -> pd.DataFrame:
    """The ``crops`` table (code_insee, crop, area_ha) from RPG parcels (as returned by
    ``products.read_rpg``) with the model's crop names."""
    from twin_core.territory.products import crops_from_rpg

    table = crops_from_rpg(parcels, communes)
    crop = table["crop"].replace(RPG_TO_MODEL)
    table = table.assign(crop=crop.where(crop.isin(CROP_NAMES), "other"))
    return table.groupby(["code_insee", "crop"], as_index=False)["area_ha"].sum()


def use_rpg(territory, path: str | os.PathLike[str]) -> pd.DataFrame:
    """Replace the synthetic crop stand-in of ``territory`` by the RPG parcels in ``path``
    (in memory, layer ``crops``, not synthetic); returns the crops table."""
    from twin_core.territory.products import read_rpg

    table = crops_table_from_rpg(read_rpg(path), territory.layer("communes"))
    territory.set_layer("crops", table, source=f"RPG parcels ({os.fspath(path)})",
                        synthetic=False)
    return table
