"""Daily weather: a SYNTHETIC, seeded stand-in fitted to commune climate normals, and a reader
for Météo-France daily station files.

There is no open daily weather series for Côte-d'Or in this project, only the commune climate
normals of Joly et al. (2010), "Les types de climats en France, une construction spatiale",
Cybergeo 501 (doi:10.4000/cybergeo.23155) — Météo-France 1971–2000 normals interpolated to
communes. Their columns (checked against the paper's variable list, as documented in the
DataForet R package): ``TMO`` mean annual temperature (°C); ``TMN``/``TMX`` are NOT temperatures
but the number of days with T < −5 °C / T > 30 °C; ``TAM`` the annual amplitude (July mean −
January mean, °C); ``PTO`` annual precipitation (mm); ``PDH``/``PDE`` the departure of the
January / July totals from the mean monthly total (treated as mm; if the paper meant % the
difference is below 1 mm per month here); ``PJH``/``PJE`` the number of rain days in January /
July.

The stand-in (``synthetic_weather``), labelled synthetic wherever it is used:
- mean temperature: TMO + TAM/2 · cos(2π(d − 201)/365) (warmest ≈ 20 July, coldest ≈ 18
  January), plus AR(1) anomalies (sd ``t_sd`` = 2.5 °C, lag-1 correlation 0.7: typical values
  for daily temperature anomalies in temperate Europe — documented parameters, not fitted);
- diurnal range 6.5 °C in January to 11.5 °C in July (order of magnitude of the Dijon-Longvic
  normals; parameter), × 0.7 on rain days;
- rain occurrence: a two-state first-order Markov chain (Richardson 1981, Water Resour. Res.
  17:182) whose wet-day probability follows the January (PJH/31) and July (PJE/31) values with a
  cosine, and persistence p11 − p01 = 0.3 (parameter); amounts: gamma, shape 0.75 (parameter),
  mean intensity giving the January and July monthly totals (PTO/12 + PDH, PTO/12 + PDE); each
  site's series is then rescaled so that its mean annual total equals PTO exactly;
- humidity: RHmax 95 % (rain days) / 90 %; RHmin from 75 % in January to 50 % in July, +15 on
  rain days (typical continental France values, parameters); wind u2 = 2 m/s, the FAO-56 (§3,
  "missing wind speed data") default; solar radiation from the temperature range, FAO-56 eq. 50
  (Hargreaves, kRs = 0.16, interior).
Warming ``delta_t`` shifts Tmax and Tmin with relative humidity kept constant (the usual
assumption of the delta-change method); ``summer_rain_change_pct`` scales June–August rain.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from twin_core.errors import TwinInputError
from twin_core.models.agriculture.et0 import (
    et0_fao56,
    extraterrestrial_radiation,
    solar_radiation_hargreaves,
)

#: Warming (°C vs 1850–1900) of the 1971–2000 normals period in metropolitan France. Order of
#: magnitude read from Météo-France's national temperature series (low confidence, parameter).
NORMALS_WARMING = 0.5
DAYS = 365
MONTH_OF_DOY = np.repeat(np.arange(1, 13), [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
SYNTHETIC_LABEL = "synthetic daily weather fitted to Joly et al. (2010) commune normals"


@dataclass(frozen=True)
class DailyWeather:
    """Daily weather arrays of shape (site, day) over ``n_years`` × 365 days (no 29 Feb)."""

    tmax: np.ndarray
    tmin: np.ndarray
    rh_max: np.ndarray
    rh_min: np.ndarray
    u2: np.ndarray
    rs: np.ndarray
    precip: np.ndarray
    doy: np.ndarray
    synthetic: bool = True

    def et0(self, elevation: ArrayLike, lat: ArrayLike, delta_t: float = 0.0) -> np.ndarray:
        """FAO-56 ET0 (mm/day) for each site and day, with temperatures shifted by delta_t."""
        z = np.asarray(elevation, float)[:, None]
        la = np.asarray(lat, float)[:, None]
        return et0_fao56(self.tmax + delta_t, self.tmin + delta_t, self.rh_max, self.rh_min,
                         self.u2, self.rs, z, la, self.doy[None, :])


def _seasonal(jan: np.ndarray, jul: np.ndarray, doy: np.ndarray) -> np.ndarray:
    """Cosine between a January (day 15) and a July (day 196) value: shape (site, day)."""
    w = (1.0 - np.cos(2.0 * np.pi * (doy - 15.0) / 362.0)) / 2.0  # 0 on 15 Jan, 1 on ~15 Jul
    return jan[:, None] + (jul - jan)[:, None] * w[None, :]


def synthetic_weather(tmean: ArrayLike, tam: ArrayLike, precip: ArrayLike, rain_days_jan: ArrayLike,
                      rain_days_jul: ArrayLike, lat: ArrayLike, precip_dev_jan: ArrayLike = 0.0,
                      precip_dev_jul: ArrayLike = 0.0, n_years: int = 10, seed: int = 2154,
                      t_sd: float = 2.5, t_rho: float = 0.7, dtr_jan: float = 6.5,
                      dtr_jul: float = 11.5, persistence: float = 0.3, gamma_shape: float = 0.75
                      ) -> DailyWeather:
    """SYNTHETIC daily weather for each site (1-D arrays of normals), seeded and reproducible.

    See the module docstring for the method and its sources. Returns a :class:`DailyWeather`
    whose mean annual temperature is ``tmean`` (to sampling noise) and whose mean annual rain
    equals ``precip`` exactly.
    """
    tmean, tam, precip, lat = (np.atleast_1d(np.asarray(x, float)) for x in
                               (tmean, tam, precip, lat))
    n = tmean.size
    pj, pl = (np.broadcast_to(np.asarray(x, float), (n,)) for x in (rain_days_jan, rain_days_jul))
    dj, dl = (np.broadcast_to(np.asarray(x, float), (n,)) for x in (precip_dev_jan,
                                                                     precip_dev_jul))
    rng = np.random.default_rng(seed)
    nd = n_years * DAYS
    doy = np.tile(np.arange(1, DAYS + 1), n_years)

    # temperature: seasonal cycle + AR(1) anomalies
    t_cycle = tmean[:, None] + tam[:, None] / 2.0 * np.cos(2.0 * np.pi * (doy - 201) / DAYS)
    eps = rng.standard_normal((n, nd)) * t_sd * np.sqrt(1.0 - t_rho**2)
    anom = np.empty((n, nd))
    anom[:, 0] = rng.standard_normal(n) * t_sd
    for d in range(1, nd):
        anom[:, d] = t_rho * anom[:, d - 1] + eps[:, d]

    # rain occurrence: two-state Markov chain; amounts: gamma
    p_wet = np.clip(_seasonal(pj / 31.0, pl / 31.0, doy), 0.02, 0.95)
    p01 = p_wet * (1.0 - persistence)
    p11 = p01 + persistence
    u = rng.random((n, nd))
    wet = np.zeros((n, nd), dtype=bool)
    wet[:, 0] = u[:, 0] < p_wet[:, 0]
    for d in range(1, nd):
        wet[:, d] = u[:, d] < np.where(wet[:, d - 1], p11[:, d], p01[:, d])
    monthly = _seasonal(precip / 12.0 + dj, precip / 12.0 + dl, doy)
    intensity = monthly / (DAYS / 12.0 * p_wet)
    amount = rng.gamma(gamma_shape, 1.0, (n, nd)) * intensity / gamma_shape
    rain = np.where(wet, amount, 0.0)
    annual = rain.sum(axis=1) / n_years
    rain *= (precip / np.where(annual > 0, annual, 1.0))[:, None]

    dtr = _seasonal(np.full(n, dtr_jan), np.full(n, dtr_jul), doy) * np.where(wet, 0.7, 1.0)
    tm = t_cycle + anom
    tmax, tmin = tm + dtr / 2.0, tm - dtr / 2.0
    rh_max = np.where(wet, 95.0, 90.0)
    rh_min = np.minimum(_seasonal(np.full(n, 75.0), np.full(n, 50.0), doy)
                        + np.where(wet, 15.0, 0.0), rh_max)
    ra = extraterrestrial_radiation(lat[:, None], doy[None, :])
    rs = solar_radiation_hargreaves(tmax, tmin, ra)
    return DailyWeather(tmax=tmax, tmin=tmin, rh_max=rh_max, rh_min=rh_min,
                        u2=np.full((n, nd), 2.0), rs=rs, precip=rain, doy=doy, synthetic=True)


# -- Météo-France daily station files ----------------------------------------------------------
#: Columns of Météo-France's "données climatologiques de base quotidiennes" (RR-T-Vent files,
#: meteo.data.gouv.fr): station number, date, daily rain (mm), min / max temperature (°C),
#: and, when present, mean wind at 10 m (m/s, FFM) and min / max relative humidity (%, UN/UX,
#: in the "autres paramètres" files).
MF_COLUMNS = {"NUM_POSTE": "station", "AAAAMMJJ": "date", "RR": "precip_mm", "TN": "tmin_c",
              "TX": "tmax_c", "FFM": "wind10_ms", "UN": "rh_min_pct", "UX": "rh_max_pct"}
MF_REQUIRED = ("NUM_POSTE", "AAAAMMJJ", "RR", "TN", "TX")
#: Plausible ranges; values outside them mean wrong units (e.g. tenths of °C or of mm).
MF_RANGES = {"precip_mm": (0.0, 500.0), "tmin_c": (-50.0, 45.0), "tmax_c": (-45.0, 50.0),
             "wind10_ms": (0.0, 60.0), "rh_min_pct": (0.0, 100.0), "rh_max_pct": (0.0, 100.0)}


def read_meteofrance_daily(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a Météo-France daily station file (';'-separated, possibly gzipped).

    Returns a DataFrame with ``station`` (str), ``date`` (datetime), ``precip_mm``, ``tmin_c``,
    ``tmax_c`` and, when present, ``wind10_ms``, ``rh_min_pct``, ``rh_max_pct``. Missing values
    stay NaN. Raises :class:`TwinInputError` for a missing file or column, a bad date or values
    outside physical ranges (a sign of other units).
    """
    source = str(path)
    if not os.path.exists(source):
        raise TwinInputError("file_not_found", source)
    try:
        raw = pd.read_csv(source, sep=";", dtype={"NUM_POSTE": str, "AAAAMMJJ": str},
                          decimal=".", encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, EOFError, OSError) as exc:
        raise TwinInputError("unreadable_file", source, kind="CSV",
                             detail=str(exc).splitlines()[0][:120]) from None
    raw.columns = [c.strip().upper() for c in raw.columns]
    missing = [c for c in MF_REQUIRED if c not in raw.columns]
    if missing:
        raise TwinInputError("missing_column", source, layer="meteofrance_daily",
                             column=missing[0], dtype="float", units="",
                             found=", ".join(raw.columns[:12]))
    keep = [c for c in MF_COLUMNS if c in raw.columns]
    out = raw[keep].rename(columns=MF_COLUMNS)
    dates = pd.to_datetime(out["date"].str.strip(), format="%Y%m%d", errors="coerce")
    if dates.isna().any():
        bad = out.loc[dates.isna(), "date"].iloc[0]
        raise TwinInputError("agri_bad_date", source, value=bad)
    out["date"] = dates
    out["station"] = out["station"].str.strip()
    for col, (lo, hi) in MF_RANGES.items():
        if col not in out:
            continue
        vals = pd.to_numeric(out[col], errors="coerce")
        bad = vals.notna() & ((vals < lo) | (vals > hi))
        if bad.any():
            raise TwinInputError("agri_out_of_range", source, column=col,
                                 value=float(vals[bad].iloc[0]), low=lo, high=hi)
        out[col] = vals
    return out.sort_values(["station", "date"]).reset_index(drop=True)


#: Joly et al. (2010) columns → the names used by the models (see the module docstring).
JOLY_COLUMNS = {"INSEE": "code_insee", "TMO": "tmean_c", "TAM": "tam_c", "PTO": "precip_mm",
                "PJH": "rain_days_jan", "PJE": "rain_days_jul", "PDH": "precip_dev_jan",
                "PDE": "precip_dev_jul"}


def normals_from_joly(df: pd.DataFrame) -> pd.DataFrame:
    """Rename the Joly et al. (2010) commune normals (DataForet ``Climat`` table) to the model's
    columns; ``TMN``/``TMX`` (day counts) are not used."""
    missing = [c for c in JOLY_COLUMNS if c not in df.columns]
    if missing:
        raise TwinInputError("missing_column", "climate_normals", layer="climate_normals",
                             column=missing[0], dtype="float", units="",
                             found=", ".join(map(str, df.columns[:12])))
    out = df[list(JOLY_COLUMNS)].rename(columns=JOLY_COLUMNS)
    out["code_insee"] = out["code_insee"].astype(str).str.zfill(5)
    return out
