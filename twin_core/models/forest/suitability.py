"""Climatic suitability of forest species groups: envelopes of mean annual temperature and
annual precipitation, applied to each stand's commune normals shifted by the warming.

Envelope table (:data:`ENVELOPES`, one row per species group, ``source`` and ``confidence``
columns). Only the Aleppo pine rainfall bound has a sourced value in this project's fact sheet
(NAFLO Maghreb forest database: 220-1000 mm/yr in Morocco, frost limit ≈ −12 °C; medium
confidence, North-African calibration). The other bounds are ORDERS OF MAGNITUDE of the
ecological ranges given in the species chapters of the European Atlas of Forest Tree Species
(San-Miguel-Ayanz, de Rigo, Caudullo, Houston Durrant & Mauri (eds.) 2016, Publications Office
of the EU) and in Rameau et al., Flore forestière française (tomes 2 and 3), rounded and not
checked figure by figure against those texts: confidence "low — to be replaced by ClimEssences
(RMT AFORCE) or EU-Trees4F (Mauri et al. 2022, Sci. Data 9:37)". Treat the map as a screening.

Rule (documented parameters, no published value): at the horizon a stand's group is
- "unsuitable" if T > Tmax, or P < Pmin (or T < Tmin when the cold limit applies);
- "at_risk" if within ``margin_c`` °C of Tmax (or Tmin) or within ``margin_precip_pct`` % above
  Pmin;
- "suitable" otherwise.
For the group already growing in a stand the cold limit is NOT applied (the stand shows the
species copes with the site's cold; commune-mean normals are too coarse to say otherwise); it
is applied to candidate replanting species.

Climate of a stand: its commune's normals (Joly et al. 2010 typology, Météo-France normals
1971-2000: ``TMO`` mean annual temperature, ``PTO`` annual precipitation) plus the warming since
the normals' period: T = TMO + (warming(horizon) − ``NORMALS_WARMING``), P = PTO × (1 + p/100).

Present-day anchoring (:func:`stand_temperature`, a documented assumption, no published
value): commune normals describe the commune at large (the village's altitude), not a larch
stand 1,000 m higher: many mountain stands (larch, fir, Scots pine) grow in communes whose
normals are above their species' upper bound, so the stand is colder than the commune. Every
existing stand is therefore assumed to have today at least ``assumed_margin_c`` (default
1.5 °C) of thermal margin: T_stand = min(T_commune, Tmax − margin), and it warms from there
(monotone: a warmer commune never gives a colder stand). The share of stands so capped is
reported. With a stand elevation and a reference elevation per commune the lapse rate would
replace this (≈ 0.54-0.58 °C / 100 m in the Alps, Rolland 2003, J. Climate 16:1032); the
sample territory has no DEM of the massif.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

#: Warming of France over 1971-2000 vs 1850-1900 (°C). Order of magnitude read from Météo-France's
#: national thermal indicator (anomalies ≈ +0.5 to +1 °C over 1971-2000); low confidence: the
#: TRACC documents would settle it. Documented parameter of :func:`horizon_climate`.
NORMALS_WARMING = 0.8

STATUSES = ("suitable", "at_risk", "unsuitable")
_STATUS_OBJECTS = np.array(STATUSES, dtype=object)
STATUS_CODE = {"suitable": 0, "at_risk": 1, "unsuitable": 2}
UNKNOWN = "unknown"

_ATLAS = ("European Atlas of Forest Tree Species (San-Miguel-Ayanz et al. 2016), species chapter; "
          "Rameau et al. Flore forestière française — order of magnitude")
_LOW = "low — to be replaced by ClimEssences/EU-Trees4F"


@dataclass(frozen=True)
class Envelope:
    group: str
    latin: str
    tmin_c: float  # mean annual temperature, lower bound (°C)
    tmax_c: float  # mean annual temperature, upper bound (°C)
    pmin_mm: float  # annual precipitation, lower bound (mm/yr)
    drought_sensitive: bool
    source: str
    confidence: str


ENVELOPES: tuple[Envelope, ...] = (
    Envelope("aleppo_pine", "Pinus halepensis", 11.0, 19.0, 220.0, False,
             "Pmin: NAFLO Maghreb forest database (Morocco 220-1000 mm/yr, optimum 450-500); "
             "T: " + _ATLAS, "medium (P) / " + _LOW + " (T)"),
    Envelope("maritime_pine", "Pinus pinaster", 10.0, 17.0, 500.0, False, _ATLAS, _LOW),
    Envelope("scots_pine", "Pinus sylvestris", 2.0, 12.0, 400.0, False, _ATLAS, _LOW),
    Envelope("black_pine", "Pinus nigra (incl. laricio, salzmannii)", 7.0, 15.0, 500.0, False,
             _ATLAS, _LOW),
    Envelope("larch", "Larix decidua", -1.0, 9.0, 500.0, False, _ATLAS, _LOW),
    Envelope("fir_spruce", "Abies alba, Picea abies", 2.0, 11.0, 800.0, True, _ATLAS, _LOW),
    Envelope("beech", "Fagus sylvatica", 5.0, 13.0, 600.0, True, _ATLAS, _LOW),
    Envelope("deciduous_oaks", "Quercus pubescens, Q. petraea, Q. robur", 7.0, 16.0, 500.0, False,
             _ATLAS, _LOW),
    Envelope("holm_oak", "Quercus ilex", 10.0, 19.0, 350.0, False, _ATLAS, _LOW),
    Envelope("cork_oak", "Quercus suber", 13.0, 19.0, 500.0, False, _ATLAS, _LOW),
    Envelope("atlas_cedar", "Cedrus atlantica", 7.0, 16.0, 500.0, False, _ATLAS, _LOW),
    Envelope("chestnut", "Castanea sativa", 8.0, 15.0, 600.0, True, _ATLAS, _LOW),
    Envelope("douglas_fir", "Pseudotsuga menziesii", 6.0, 13.0, 700.0, True, _ATLAS, _LOW),
    # Groups of BD Forêt that are not candidate species
    Envelope("mountain_pines", "Pinus uncinata, P. cembra", -2.0, 7.0, 600.0, False, _ATLAS, _LOW),
    Envelope("robinia", "Robinia pseudoacacia", 8.0, 17.0, 500.0, False, _ATLAS, _LOW),
    Envelope("poplar", "Populus spp. (riparian: groundwater, rain not limiting)", 7.0, 17.0, 0.0,
             False, _ATLAS, _LOW),
    Envelope("broadleaves", "mixed broadleaves: union of deciduous oaks, beech and chestnut",
             5.0, 16.0, 500.0, False, "union of the member rows", _LOW),
    # Mixed groups: union of the members' envelopes (a mixed stand keeps a suitable member)
    Envelope("mixed_pines", "union of Scots, black and Aleppo pine", 2.0, 19.0, 220.0, False,
             "union of the member rows", _LOW),
    Envelope("other_pines", "union of Scots, black, maritime and Aleppo pine", 2.0, 19.0, 220.0,
             False, "union of the member rows", _LOW),
)

#: The candidate replanting species (issue 4's list), in the order of the scenario's Selector.
CANDIDATE_SPECIES: tuple[str, ...] = tuple(e.group for e in ENVELOPES[:13])

#: BD Forêt v2 ``ESSENCE`` (dominant species group, values as found in the PACA file) → group.
ESSENCE_TO_GROUP: dict[str, str] = {
    "Pin d'Alep": "aleppo_pine",
    "Pin maritime": "maritime_pine",
    "Pin sylvestre": "scots_pine",
    "Pin laricio, pin noir": "black_pine",
    "Mélèze": "larch",
    "Sapin, épicéa": "fir_spruce",
    "Hêtre": "beech",
    "Chênes décidus": "deciduous_oaks",
    "Chênes sempervirents": "holm_oak",  # holm oak dominates; cork oak only in the Maures
    "Châtaignier": "chestnut",
    "Douglas": "douglas_fir",
    "Pin à crochets, pin cembro": "mountain_pines",
    "Robinier": "robinia",
    "Peuplier": "poplar",
    "Pins mélangés": "mixed_pines",
    "Pin autre": "other_pines",
    "Feuillus_to11": "broadleaves",  # the source's broadleaved (mixed) class, name as found
    # "NR" (not filled in) and any other value: unknown (not classified)
}


def envelopes() -> pd.DataFrame:
    """The envelope table (one row per group, indexed by group)."""
    return pd.DataFrame([e.__dict__ for e in ENVELOPES]).set_index("group")


@lru_cache(maxsize=1)
def _envelope_table() -> tuple[dict[str, int], np.ndarray]:
    """Row of each envelope group and the bounds as rows of (tmin, tmax, pmin), built once:
    :func:`classify` and :func:`stand_temperature` run many times per scenario."""
    return ({e.group: i for i, e in enumerate(ENVELOPES)},
            np.array([(e.tmin_c, e.tmax_c, e.pmin_mm) for e in ENVELOPES], dtype=float))


def envelope_bounds(group) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(known, tmin, tmax, pmin) of each group (NaN bounds for groups with no envelope), the
    values of :data:`ENVELOPES` looked up once for an array of groups."""
    row, table = _envelope_table()
    codes, names = pd.factorize(np.asarray(group, dtype=object).ravel())
    of_name = np.array([row.get(x, -1) if isinstance(x, str) else -1 for x in names] + [-1],
                       dtype=np.intp)  # the last entry: missing groups (code -1)
    pos = of_name[codes]
    known = pos >= 0
    rows = np.where(known[:, None], table[np.maximum(pos, 0)], np.nan)
    return known, rows[:, 0], rows[:, 1], rows[:, 2]


def essence_group(essence: pd.Series) -> pd.Series:
    """Species group of each BD Forêt ESSENCE value ("unknown" when not mapped)."""
    return essence.astype(str).str.strip().map(ESSENCE_TO_GROUP).fillna(UNKNOWN)


def horizon_climate(tmean_c: np.ndarray, precip_mm: np.ndarray, warming: float,
                    precip_change_pct: float = 0.0, normals_warming: float = NORMALS_WARMING
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(T, P) at a warming level (°C vs 1850-1900) from 1971-2000 normals."""
    t = np.asarray(tmean_c, dtype=float) + (warming - normals_warming)
    p = np.asarray(precip_mm, dtype=float) * (1.0 + precip_change_pct / 100.0)
    return t, np.maximum(p, 0.0)


#: Annual mean temperature lapse rate (°C per m): Rolland 2003, J. Climate 16:1032, 0.54-0.58 °C
#: per 100 m in the Alps (midpoint).
LAPSE_C_PER_M = 0.0056


def stand_temperature(tmean_present_c: np.ndarray, group: np.ndarray | pd.Series,
                      assumed_margin_c: float = 1.5,
                      elevation_offset_m: np.ndarray | None = None
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Present temperature of each stand and whether it was anchored (see module docstring).

    ``tmean_present_c``: the commune's present mean annual temperature (normals + warming since
    1971-2000). Where ``elevation_offset_m`` (stand elevation − commune mean elevation, from a
    DEM) is known, T_stand = T_commune − :data:`LAPSE_C_PER_M` × offset. Elsewhere (no terrain)
    the documented fallback caps T_stand = min(T_commune, Tmax − ``assumed_margin_c``) for
    known species groups; ``anchored`` marks the stands where that cap applied.
    """
    if assumed_margin_c < 0:
        raise ValueError("assumed_margin_c must be ≥ 0")
    tmax = envelope_bounds(group)[2]
    t = np.asarray(tmean_present_c, dtype=float)
    offset = np.full(t.shape, np.nan) if elevation_offset_m is None \
        else np.asarray(elevation_offset_m, dtype=float)
    terrain = np.isfinite(offset)
    t = np.where(terrain, t - LAPSE_C_PER_M * np.nan_to_num(offset), t)
    anchored = ~terrain & np.isfinite(tmax) & (t > tmax - assumed_margin_c)
    return np.where(anchored, tmax - assumed_margin_c, t), anchored


def classify(group: np.ndarray | pd.Series, tmean_c: np.ndarray, precip_mm: np.ndarray,
             margin_c: float = 1.0, margin_precip_pct: float = 10.0, cold_limit: bool = False
             ) -> np.ndarray:
    """Status ("suitable", "at_risk", "unsuitable", or "unknown") of each (group, T, P).

    ``group`` holds envelope groups (see :data:`ENVELOPES`); unknown groups and missing climate
    give "unknown". Unknown group names raise KeyError only if none is known at all.
    """
    if margin_c < 0 or margin_precip_pct < 0:
        raise ValueError("margins must be ≥ 0")
    return classify_bounds(envelope_bounds(group), tmean_c, precip_mm, margin_c,
                           margin_precip_pct, cold_limit)


def classify_bounds(bounds: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
                    tmean_c: np.ndarray, precip_mm: np.ndarray, margin_c: float = 1.0,
                    margin_precip_pct: float = 10.0, cold_limit: bool = False) -> np.ndarray:
    """:func:`classify` with the groups' ``bounds`` already looked up (:func:`envelope_bounds`):
    the same rule, for callers that classify the same groups at many climates."""
    known, tmin, tmax, pmin = bounds
    t = np.asarray(tmean_c, dtype=float)
    p = np.asarray(precip_mm, dtype=float)
    bad = (t > tmax) | (p < pmin)
    risk = (t > tmax - margin_c) | (p < pmin * (1.0 + margin_precip_pct / 100.0))
    if cold_limit:
        bad |= t < tmin
        risk |= t < tmin + margin_c
    status = _STATUS_OBJECTS[np.where(bad, 2, np.where(risk, 1, 0))]  # an object array
    status[~known | np.isnan(t) | np.isnan(p)] = UNKNOWN
    return status


def status_code(status: np.ndarray) -> np.ndarray:
    """0 suitable, 1 at risk, 2 unsuitable, NaN unknown (for map colours)."""
    st = np.asarray(status, dtype=object)
    return np.select([st == k for k in STATUS_CODE], [float(v) for v in STATUS_CODE.values()],
                     np.nan).astype(float)


def area_by_status(status: np.ndarray, area_ha: np.ndarray) -> dict[str, float]:
    """Area (ha) and share (% of the classified area) in each status, plus the unknown area."""
    s = np.asarray(status, dtype=object)
    a = np.asarray(area_ha, dtype=float)
    out: dict[str, float] = {}
    classified = float(np.nansum(a[s != UNKNOWN]))
    for st in STATUSES:
        ha = float(np.nansum(a[s == st]))
        out[f"{st}_ha"] = ha
        out[f"{st}_pct"] = ha / classified * 100.0 if classified > 0 else float("nan")
    out["unknown_ha"] = float(np.nansum(a[s == UNKNOWN]))
    return out
