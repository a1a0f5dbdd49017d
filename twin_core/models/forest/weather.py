"""Daily fire weather: Météo-France station files, the Nice SYNOP series, and warming by "delta".

Inputs of :func:`twin_core.models.forest.fire_weather.fwi_daily` are noon values. Sources:

- Nice airport SYNOP (WMO 07690, Météo-France open data): real noon temperature, relative
  humidity, 10 m wind and 24 h rain; the territory layer ``weather_nice_synop`` holds one noon
  row per day. This is the default weather of the forest model (no synthetic stand-in needed).
- Météo-France daily climatological files ("Données climatologiques de base quotidiennes",
  meteo.data.gouv.fr): the ``RR-T-Vent`` file (``NUM_POSTE``, ``AAAAMMJJ``, ``RR`` rain mm,
  ``TN``/``TX``/``TM`` °C, ``FFM`` mean 10 m wind m/s, ``FXY`` max gust m/s, with ``Q*`` quality
  codes) and the "autres paramètres" file of the same station (``UN``/``UX``/``UM`` daily
  min/max/mean relative humidity %). :func:`read_meteofrance_daily` maps noon temperature ≈
  ``TX`` (else ``TM``), noon humidity ≈ ``UN`` (the afternoon minimum; else ``UM``), noon wind ≈
  ``FFM`` × 3.6 km/h (the daily mean wind; ``FXY`` gusts are NOT used), rain = ``RR``. Taking the
  daily maximum temperature and minimum humidity for the noon values is the usual proxy
  studied by Herrera et al. (2013), "On the projection of future fire danger conditions with
  various instantaneous/mean-daily data sources", Climatic Change 118:827-840; it slightly
  overstates FFMC and ISI.

Warming ("delta change" method, e.g. Hay et al. 2000, J. Am. Water Resour. Assoc. 36:387):
the real weather of a present year is shifted by ΔT = warming(horizon) − warming(present), with
the present at +1.7 °C (France 2023 vs 1850-1900, TRACC). Relative humidity is rescaled so that
the actual vapour pressure (hence the dew point and absolute humidity) stays the same:
RH' = RH × e_s(T) / e_s(T + ΔT), e_s by the Magnus formula of Alduchov & Eskridge (1996),
i.e. ≈ −6 % of RH per °C (Clausius-Clapeyron). This is a dry-side assumption consistent with the
decrease of summer relative humidity over Mediterranean land in projections, but it ignores any
change of circulation, wind or rain frequency. Rain is scaled by a user-set percentage (no
published regional value is wired in: DRIAS projections would set it).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from twin_core.errors import TwinInputError
from twin_core.scenario import TRACC_METROPOLE

#: Warming of the present (France 2023 vs 1850-1900), TRACC README (≈ +1.7 °C).
PRESENT_WARMING = 1.7
PRESENT_YEAR = 2023

# Magnus formula constants over water (Alduchov & Eskridge 1996, J. Appl. Meteor. 35:601).
_MAGNUS_A, _MAGNUS_B, _MAGNUS_C = 6.1094, 17.625, 243.04

FWI_COLUMNS = ("temp", "rh", "wind", "rain", "month")


def saturation_vapour_pressure(temp_c: np.ndarray | float) -> np.ndarray:
    """Saturation vapour pressure over water (hPa), Magnus / Alduchov & Eskridge (1996)."""
    t = np.asarray(temp_c, dtype=float)
    return _MAGNUS_A * np.exp(_MAGNUS_B * t / (t + _MAGNUS_C))


def shift_weather(weather: pd.DataFrame, delta_t: float, precip_change_pct: float = 0.0
                  ) -> pd.DataFrame:
    """Delta-change shift of an FWI input frame: +ΔT, same vapour pressure, rain × (1 + p/100).

    ``weather`` has columns temp (°C), rh (%), wind, rain, month; wind and month are kept.
    """
    if precip_change_pct < -100:
        raise ValueError("precip_change_pct must be ≥ -100 %")
    out = weather.copy()
    t = weather["temp"].to_numpy(float)
    out["temp"] = t + delta_t
    ratio = saturation_vapour_pressure(t) / saturation_vapour_pressure(t + delta_t)
    out["rh"] = np.clip(weather["rh"].to_numpy(float) * ratio, 0.0, 100.0)
    out["rain"] = weather["rain"].to_numpy(float) * (1.0 + precip_change_pct / 100.0)
    return out


#: The project's rule for humidity under warming (one rule for every model): show both bounds.
#: "dew_point": absolute humidity held, relative humidity falls ≈ 6 %/°C (Clausius-Clapeyron) —
#: the dry bound; "rh": relative humidity held — the humid bound. Over land, relative humidity
#: is projected to decrease slightly with warming (IPCC AR6 WGI §8.2.2.1; Byrne & O'Gorman
#: 2018, PNAS 115:4863), i.e. between the two; neither is a central estimate.
HUMIDITY_RULES = ("dew_point", "rh")


def shift_weather_many(weather: pd.DataFrame, deltas: np.ndarray, precip_change_pct: float = 0.0,
                       humidity: str = "dew_point") -> dict[str, np.ndarray]:
    """The same shift for several ΔT at once: arrays (days, len(deltas)) for fwi_arrays;
    ``humidity`` is one of :data:`HUMIDITY_RULES`."""
    if humidity not in HUMIDITY_RULES:
        raise ValueError(f"humidity rule {humidity!r} is not one of {HUMIDITY_RULES}")
    d = np.asarray(deltas, dtype=float)[None, :]
    t = weather["temp"].to_numpy(float)[:, None]
    rh = weather["rh"].to_numpy(float)[:, None]
    held = np.repeat(rh, d.shape[1], axis=1)
    return {
        "temp": t + d,
        "rh": held if humidity == "rh" else np.clip(
            rh * saturation_vapour_pressure(t) / saturation_vapour_pressure(t + d), 0.0, 100.0),
        "wind": np.repeat(weather["wind"].to_numpy(float)[:, None], d.shape[1], axis=1),
        "rain": np.repeat(weather["rain"].to_numpy(float)[:, None] *
                          (1.0 + precip_change_pct / 100.0), d.shape[1], axis=1),
        "month": weather["month"].to_numpy(int),
    }


def warming_path(years: np.ndarray | list[int], horizon: int, horizon_warming: float,
                 tracc: bool = True) -> np.ndarray:
    """France warming (°C vs 1850-1900) in each of ``years``.

    TRACC: linear from the present (2023, +1.7 °C) to 2030 (+2.0 °C), then the TRACC anchors.
    A custom level: linear from the present to ``horizon_warming`` at ``horizon``.
    """
    y = np.asarray(years, dtype=float)
    if tracc:
        xs = [PRESENT_YEAR] + [a for a, _ in TRACC_METROPOLE]
        vs = [PRESENT_WARMING] + [b for _, b in TRACC_METROPOLE]
    else:
        xs, vs = [PRESENT_YEAR, max(horizon, PRESENT_YEAR + 1)], [PRESENT_WARMING, horizon_warming]
    return np.interp(y, xs, vs)


# -- readers ---------------------------------------------------------------------------------
def weather_from_synop(layer: pd.DataFrame, year: int | None = 2024) -> pd.DataFrame:
    """FWI input frame (index = date) from the ``weather_nice_synop`` layer.

    Columns read: date, temp_c, rh_pct, wind_kmh, rain_24h_mm. One row per day (the first if
    several); missing days are added and short gaps (≤ 3 days) interpolated, rain gaps = 0.
    """
    df = layer.copy()
    dates = pd.to_datetime(df["date"])
    if dates.dt.tz is not None:
        dates = dates.dt.tz_localize(None)
    df["date"] = dates.dt.normalize()
    if year is not None:
        df = df[df["date"].dt.year == year]
        if df.empty:
            raise TwinInputError("forest_no_weather_year", "weather_nice_synop", year=year)
    df = df.drop_duplicates("date").set_index("date").sort_index()
    full = pd.date_range(df.index.min(), df.index.max(), freq="D")
    df = df.reindex(full)
    out = pd.DataFrame(index=full.rename("date"))
    out["temp"] = df["temp_c"].astype(float).interpolate(limit=3, limit_direction="both")
    out["rh"] = df["rh_pct"].astype(float).interpolate(limit=3, limit_direction="both")
    out["wind"] = df["wind_kmh"].astype(float).interpolate(limit=3, limit_direction="both")
    out["rain"] = df["rain_24h_mm"].astype(float).fillna(0.0).clip(lower=0.0)
    out["month"] = out.index.month
    if out[["temp", "rh", "wind"]].isna().any().any():
        gaps = int(out[["temp", "rh", "wind"]].isna().any(axis=1).sum())
        raise TwinInputError("forest_weather_gaps", "weather_nice_synop", count=gaps)
    return out


def _numeric(s: pd.Series) -> pd.Series:
    if s.dtype == object:
        s = s.astype(str).str.strip().str.replace(",", ".", regex=False).replace("", np.nan)
    return pd.to_numeric(s, errors="coerce")


def _read_mf(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise TwinInputError("file_not_found", str(path))
    try:
        df = pd.read_csv(path, sep=";", dtype={"NUM_POSTE": str, "AAAAMMJJ": str},
                         encoding="utf-8-sig", low_memory=False)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise TwinInputError("unreadable_file", str(path), kind="CSV Météo-France",
                             detail=str(exc).splitlines()[0][:200]) from None
    df.columns = [c.strip().upper() for c in df.columns]
    for col in ("NUM_POSTE", "AAAAMMJJ"):
        if col not in df.columns:
            raise TwinInputError("missing_column", str(path), layer=path.name, column=col,
                                 dtype="str", units="", found=", ".join(df.columns[:12]))
    df["NUM_POSTE"] = df["NUM_POSTE"].astype(str).str.strip()
    df["AAAAMMJJ"] = df["AAAAMMJJ"].astype(str).str.strip()
    return df


def read_meteofrance_daily(path: str | os.PathLike[str],
                           humidity_path: str | os.PathLike[str] | None = None,
                           station: str | None = None) -> pd.DataFrame:
    """Read a Météo-France daily station file (RR-T-Vent) into the fwi_daily input frame.

    ``path``: ';'-separated file with NUM_POSTE, AAAAMMJJ, RR, TX (or TM), FFM and, if present,
    UN/UM. ``humidity_path``: the matching "autres paramètres" file holding UN (or UM) when the
    first file has none. ``station``: NUM_POSTE to keep (required if the file holds several).
    Returns columns temp, rh, wind (km/h), rain, month, indexed by date, with a ``station``
    attribute in ``.attrs``. Mapping and its approximations: see the module docstring.
    """
    path = Path(path)
    df = _read_mf(path)
    hum = _read_mf(Path(humidity_path)) if humidity_path is not None else None
    return fwi_input_from_meteofrance(df, str(path), hum, station)


def fwi_input_from_meteofrance(df: pd.DataFrame, source: str = "weather_station",
                               hum: pd.DataFrame | None = None, station: str | None = None
                               ) -> pd.DataFrame:
    """The fwi_daily input frame from a Météo-France daily table already read (see
    :func:`read_meteofrance_daily`); ``attrs`` carry the station and its latitude (LAT) when
    the file gives it."""
    df = df.copy()
    df.columns = [str(c).strip().upper() for c in df.columns]
    for col in ("NUM_POSTE", "AAAAMMJJ"):
        if col not in df.columns:
            raise TwinInputError("missing_column", source, layer="weather_station", column=col,
                                 dtype="str", units="", found=", ".join(df.columns[:12]))
        df[col] = df[col].astype(str).str.strip()
    # station numbers have 8 digits (département, commune, station): a reader that took them
    # for numbers dropped the leading zero
    df["NUM_POSTE"] = df["NUM_POSTE"].str.replace(r"\.0$", "", regex=True).str.zfill(8)
    path = source
    if hum is not None:
        keep = ["NUM_POSTE", "AAAAMMJJ"] + [c for c in ("UN", "UM", "UX") if c in hum.columns]
        df = df.drop(columns=[c for c in ("UN", "UM", "UX") if c in df.columns]).merge(
            hum[keep], on=["NUM_POSTE", "AAAAMMJJ"], how="left")
    stations = sorted(df["NUM_POSTE"].unique())
    if station is None:
        if len(stations) > 1:
            raise TwinInputError("forest_several_stations", str(path),
                                 stations=", ".join(stations[:10]))
        station = stations[0]
    df = df[df["NUM_POSTE"] == str(station)]
    if df.empty:
        raise TwinInputError("forest_unknown_station", str(path), station=station,
                             stations=", ".join(stations[:10]))

    def pick(options: tuple[str, ...], what: str) -> pd.Series:
        for col in options:
            if col in df.columns and _numeric(df[col]).notna().any():
                return _numeric(df[col])
        raise TwinInputError("forest_missing_weather", str(path), what=what,
                             columns=" / ".join(options))

    dates = pd.to_datetime(df["AAAAMMJJ"], format="%Y%m%d", errors="coerce")
    if dates.isna().any():
        raise TwinInputError("bad_value", str(path), key="AAAAMMJJ",
                             value=df.loc[dates.isna(), "AAAAMMJJ"].iloc[0], allowed="AAAAMMJJ",
                             detail="")
    out = pd.DataFrame({
        "temp": pick(("TX", "TM"), "temperature").to_numpy(),
        "rh": pick(("UN", "UM"), "relative humidity").to_numpy(),
        "wind": pick(("FFM",), "wind").to_numpy() * 3.6,
        "rain": pick(("RR",), "rain").fillna(0.0).to_numpy(),
    }, index=pd.DatetimeIndex(dates, name="date"))
    out = out.sort_index()
    out = out[~out.index.duplicated()]
    out["month"] = out.index.month
    out.attrs["station"] = str(station)
    if "LAT" in df.columns and _numeric(df["LAT"]).notna().any():
        out.attrs["lat"] = float(_numeric(df["LAT"]).dropna().iloc[0])
    return out


def full_years(weather: pd.DataFrame) -> pd.DataFrame:
    """The complete calendar years of a daily frame (≥ 365 days each, gaps ≤ 3 days filled as
    in weather_from_synop); a TwinInputError when there is none."""
    full = pd.date_range(weather.index.min(), weather.index.max(), freq="D")
    w = weather.reindex(full)
    for col in ("temp", "rh", "wind"):
        w[col] = w[col].interpolate(limit=3, limit_direction="both")
    w["rain"] = w["rain"].fillna(0.0).clip(lower=0.0)
    w["month"] = w.index.month
    ok = w[["temp", "rh", "wind"]].notna().all(axis=1)
    years = [y for y, g in ok.groupby(w.index.year) if len(g) >= 365 and g.all()]
    if not years:
        raise TwinInputError("forest_weather_gaps", "weather_station",
                             count=int((~ok).sum()))
    out = w[w.index.year.isin(years)].rename_axis("date")
    out.attrs = dict(weather.attrs, years=years)
    return out
