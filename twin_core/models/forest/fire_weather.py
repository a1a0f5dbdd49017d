"""Canadian Forest Fire Weather Index System (the French "IFM"), in numpy, one or many cells.

Equations: Van Wagner, C.E. (1987) "Development and structure of the Canadian Forest Fire
Weather Index System", Canadian Forestry Service, Forestry Technical Report 35, eqs. 1-32;
Van Wagner, C.E. & Pickett, T.L. (1985) "Equations and FORTRAN program for the Canadian Forest
Fire Weather Index System", Forestry Technical Report 33 (the reference implementation).

Choices, stated:
- FFMC moisture constant: **147.2**, as in the 1985 FORTRAN (whose test table this module
  reproduces); later codes (R cffdrs, Wang et al. 2017) use 147.27723 = 250 × 59.5 / 101, which
  moves FFMC by up to ~0.1. Set ``FFMC_COEFFICIENT`` to change it.
- Day-length factors: Van Wagner (1987) tables (Le for the DMC, Lf for the DC) for the standard
  northern band, with the latitude adjustments of Lawson & Armitage (2008) "Weather guide for
  the Canadian Forest Fire Danger Rating System" as coded in R cffdrs (Wang et al. 2017):
  DMC: lat > 30° N standard table; 10 < lat ≤ 30 the 20° N table; −10 ≤ lat ≤ 10 constant 9;
  −30 ≤ lat < −10 the 20° S table; lat < −30 the 40° S table. DC: lat > 20 standard table;
  lat ≤ −20 the southern table (shifted by six months); otherwise constant 1.39.
  All of France (41–51° N) is in the standard northern band, whose tables are those of the
  reference run at 44° N.
- No overwintering of the DC and no fire-season start-up: the codes are carried day after day
  from the start values (the "always on" mode of cffdrs ``fwi``), as in the reference table.

Inputs are NOON local standard time values: temperature (°C), relative humidity (%), 10 m wind
(km/h) and the rain of the previous 24 h (mm). Arrays are (days,) or (days, cells): the loop runs
over days only, every operation is vectorised over cells.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

FFMC_COEFFICIENT = 147.2  # Van Wagner & Pickett (1985); cffdrs uses 147.27723

#: Effective day length Le (h) for the DMC, by month, Van Wagner (1987) Table 1 (standard
#: northern band) and the other bands of Lawson & Armitage (2008) / cffdrs.
DMC_DAY_LENGTH = {
    "north": np.array([6.5, 7.5, 9.0, 12.8, 13.9, 13.9, 12.4, 10.9, 9.4, 8.0, 7.0, 6.0]),
    "north20": np.array([7.9, 8.4, 8.9, 9.5, 9.9, 10.2, 10.1, 9.7, 9.1, 8.6, 8.1, 7.8]),
    "equator": np.full(12, 9.0),
    "south20": np.array([10.1, 9.6, 9.1, 8.5, 8.1, 7.8, 7.9, 8.3, 8.9, 9.4, 9.9, 10.2]),
    "south40": np.array([11.5, 10.5, 9.2, 7.9, 6.8, 6.2, 6.5, 7.4, 8.7, 10.0, 11.2, 11.8]),
}
#: Day-length adjustment Lf for the DC, by month, Van Wagner (1987) Table 2 and cffdrs.
DC_DAY_LENGTH_FACTOR = {
    "north": np.array([-1.6, -1.6, -1.6, 0.9, 3.8, 5.8, 6.4, 5.0, 2.4, 0.4, -1.6, -1.6]),
    "equator": np.full(12, 1.39),
    "south": np.array([6.4, 5.0, 2.4, 0.4, -1.6, -1.6, -1.6, -1.6, -1.6, 0.9, 3.8, 5.8]),
}

#: Fire-danger threshold: IFM ≥ 20 marks a real risk of fire starts (ORCAE Auvergne-Rhône-Alpes
#: methodology, "indicateurs risque feu de forêt"; domain_facts.md B3, medium confidence).
FWI_DANGER_THRESHOLD = 20.0
#: A second, higher threshold (informal "high" class ≈ 30, Callendar; low confidence).
FWI_HIGH_THRESHOLD = 30.0

OUTPUT_COLUMNS = ("ffmc", "dmc", "dc", "isi", "bui", "fwi")


def dmc_day_length(lat: float | np.ndarray, month: np.ndarray) -> np.ndarray:
    """Le (h) for the DMC at latitude(s) ``lat`` (° N) and month(s) 1-12 (broadcast)."""
    lat = np.asarray(lat, dtype=float)
    m = np.asarray(month, dtype=int) - 1
    out = DMC_DAY_LENGTH["north"][m]
    out = np.where(lat <= 30, DMC_DAY_LENGTH["north20"][m], out)
    out = np.where(lat <= 10, DMC_DAY_LENGTH["equator"][m], out)
    out = np.where(lat < -10, DMC_DAY_LENGTH["south20"][m], out)
    out = np.where(lat < -30, DMC_DAY_LENGTH["south40"][m], out)
    return out


def dc_day_length_factor(lat: float | np.ndarray, month: np.ndarray) -> np.ndarray:
    """Lf for the DC at latitude(s) ``lat`` (° N) and month(s) 1-12 (broadcast)."""
    lat = np.asarray(lat, dtype=float)
    m = np.asarray(month, dtype=int) - 1
    out = DC_DAY_LENGTH_FACTOR["north"][m]
    out = np.where(lat <= 20, DC_DAY_LENGTH_FACTOR["equator"][m], out)
    out = np.where(lat <= -20, DC_DAY_LENGTH_FACTOR["south"][m], out)
    return out


# -- one day, vectorised over cells ---------------------------------------------------------------
def ffmc_step(ffmc0: np.ndarray, temp: np.ndarray, rh: np.ndarray, wind: np.ndarray,
              rain: np.ndarray) -> np.ndarray:
    """Fine Fuel Moisture Code of today from yesterday's (Van Wagner 1987, eqs. 1-10)."""
    c = FFMC_COEFFICIENT
    mo = c * (101.0 - ffmc0) / (59.5 + ffmc0)
    wet = rain > 0.5
    rf = np.where(wet, rain - 0.5, 1.0)  # dummy 1.0 where dry, result discarded
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        mr = mo + 42.5 * rf * np.exp(-100.0 / (251.0 - mo)) * (1.0 - np.exp(-6.93 / rf))
        mr = np.where(mo > 150.0, mr + 0.0015 * (mo - 150.0) ** 2 * np.sqrt(rf), mr)
    mo = np.where(wet, np.minimum(mr, 250.0), mo)
    h = rh
    ed = (0.942 * h ** 0.679 + 11.0 * np.exp((h - 100.0) / 10.0)
          + 0.18 * (21.1 - temp) * (1.0 - np.exp(-0.115 * h)))
    ew = (0.618 * h ** 0.753 + 10.0 * np.exp((h - 100.0) / 10.0)
          + 0.18 * (21.1 - temp) * (1.0 - np.exp(-0.115 * h)))
    sw = np.sqrt(wind)
    ko = 0.424 * (1.0 - (h / 100.0) ** 1.7) + 0.0694 * sw * (1.0 - (h / 100.0) ** 8)
    kd = ko * 0.581 * np.exp(0.0365 * temp)
    hw = (100.0 - h) / 100.0
    kl = 0.424 * (1.0 - hw ** 1.7) + 0.0694 * sw * (1.0 - hw ** 8)
    kw = kl * 0.581 * np.exp(0.0365 * temp)
    m = np.where(mo > ed, ed + (mo - ed) * 10.0 ** (-kd),
                 np.where(mo < ew, ew - (ew - mo) * 10.0 ** (-kw), mo))
    ffmc = 59.5 * (250.0 - m) / (c + m)
    return np.clip(ffmc, 0.0, 101.0)


def dmc_step(dmc0: np.ndarray, temp: np.ndarray, rh: np.ndarray, rain: np.ndarray,
             day_length: np.ndarray) -> np.ndarray:
    """Duff Moisture Code of today from yesterday's (Van Wagner 1987, eqs. 11-17)."""
    t = np.maximum(temp, -1.1)
    rk = 1.894 * (t + 1.1) * (100.0 - rh) * day_length * 1e-4
    wet = rain > 1.5
    re = 0.92 * rain - 1.27
    mo = 20.0 + np.exp(5.6348 - dmc0 / 43.43)
    safe = np.maximum(dmc0, 1e-12)
    b = np.where(dmc0 <= 33.0, 100.0 / (0.5 + 0.3 * dmc0),
                 np.where(dmc0 <= 65.0, 14.0 - 1.3 * np.log(safe), 6.2 * np.log(safe) - 17.2))
    mr = mo + 1000.0 * re / (48.77 + b * re)
    with np.errstate(invalid="ignore", divide="ignore"):
        pr = 244.72 - 43.43 * np.log(np.where(wet, mr - 20.0, 1.0))
    pr = np.where(wet, np.maximum(pr, 0.0), dmc0)
    return np.maximum(pr + rk, 0.0)


def dc_step(dc0: np.ndarray, temp: np.ndarray, rain: np.ndarray, day_factor: np.ndarray
            ) -> np.ndarray:
    """Drought Code of today from yesterday's (Van Wagner 1987, eqs. 18-23)."""
    t = np.maximum(temp, -2.8)
    pe = np.maximum((0.36 * (t + 2.8) + day_factor) / 2.0, 0.0)
    wet = rain > 2.8
    rd = 0.83 * rain - 1.27
    qo = 800.0 * np.exp(-dc0 / 400.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        dr = dc0 - 400.0 * np.log(1.0 + 3.937 * np.where(wet, rd, 0.0) / qo)
    dr = np.where(wet, np.maximum(dr, 0.0), dc0)
    return np.maximum(dr + pe, 0.0)


def initial_spread_index(ffmc: np.ndarray, wind: np.ndarray) -> np.ndarray:
    """ISI from FFMC and wind (Van Wagner 1987, eqs. 24-26)."""
    fm = FFMC_COEFFICIENT * (101.0 - ffmc) / (59.5 + ffmc)
    sf = 19.115 * np.exp(-0.1386 * fm) * (1.0 + fm ** 5.31 / 4.93e7)
    return sf * np.exp(0.05039 * wind)


def buildup_index(dmc: np.ndarray, dc: np.ndarray) -> np.ndarray:
    """BUI from DMC and DC (Van Wagner 1987, eqs. 27a-b)."""
    dmc = np.asarray(dmc, dtype=float)
    dc = np.asarray(dc, dtype=float)
    denom = dmc + 0.4 * dc
    with np.errstate(invalid="ignore", divide="ignore"):
        low = 0.8 * dmc * dc / denom
        high = dmc - (1.0 - 0.8 * dc / denom) * (0.92 + (0.0114 * dmc) ** 1.7)
    bui = np.where(dmc <= 0.4 * dc, low, high)
    return np.where(denom > 0, np.maximum(bui, 0.0), 0.0)


def fire_weather_index(isi: np.ndarray, bui: np.ndarray) -> np.ndarray:
    """FWI from ISI and BUI (Van Wagner 1987, eqs. 28-30)."""
    bui = np.asarray(bui, dtype=float)
    fd = np.where(bui <= 80.0, 0.626 * bui ** 0.809 + 2.0,
                  1000.0 / (25.0 + 108.64 * np.exp(-0.023 * bui)))
    b = 0.1 * np.asarray(isi, dtype=float) * fd
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.exp(2.72 * (0.434 * np.log(np.where(b > 1.0, b, np.e))) ** 0.647)
    return np.where(b > 1.0, s, b)


# -- whole series ----------------------------------------------------------------------------
def fwi_arrays(temp: np.ndarray, rh: np.ndarray, wind: np.ndarray, rain: np.ndarray,
               month: np.ndarray, lat: float | np.ndarray, ffmc0: float | np.ndarray = 85.0,
               dmc0: float | np.ndarray = 6.0, dc0: float | np.ndarray = 15.0
               ) -> dict[str, np.ndarray]:
    """The six FWI-system outputs for arrays of shape (days,) or (days, cells).

    ``month`` is (days,) (or broadcastable to the inputs); ``lat`` a scalar or one value per
    cell; start codes scalars or one per cell. Returns arrays of the inputs' shape.
    """
    temp = np.asarray(temp, dtype=float)
    shape = temp.shape
    rh = np.clip(np.broadcast_to(np.asarray(rh, dtype=float), shape), 0.0, 100.0)
    wind = np.maximum(np.broadcast_to(np.asarray(wind, dtype=float), shape), 0.0)
    rain = np.maximum(np.broadcast_to(np.asarray(rain, dtype=float), shape), 0.0)
    month = np.asarray(month, dtype=int)
    if month.ndim == 1 and temp.ndim == 2:
        month = month[:, None]
    month = np.broadcast_to(month, shape)
    if np.any((month < 1) | (month > 12)):
        raise ValueError("month must be in 1..12")
    le = dmc_day_length(lat, month)
    lf = dc_day_length_factor(lat, month)
    cell_shape = shape[1:]
    f = np.broadcast_to(np.asarray(ffmc0, dtype=float), cell_shape).copy()
    d = np.broadcast_to(np.asarray(dmc0, dtype=float), cell_shape).copy()
    c = np.broadcast_to(np.asarray(dc0, dtype=float), cell_shape).copy()
    # Everything that depends on the weather only is computed for all days at once (the same
    # equations as ffmc_step / dmc_step / dc_step); the loop keeps the state-dependent part.
    k = FFMC_COEFFICIENT
    h = rh
    tail = 0.18 * (21.1 - temp) * (1.0 - np.exp(-0.115 * h))
    ed = 0.942 * h ** 0.679 + 11.0 * np.exp((h - 100.0) / 10.0) + tail
    ew = 0.618 * h ** 0.753 + 10.0 * np.exp((h - 100.0) / 10.0) + tail
    sw = np.sqrt(wind)
    hw = (100.0 - h) / 100.0
    tk = 0.581 * np.exp(0.0365 * temp)
    dry_f = 10.0 ** (-(0.424 * (1.0 - (h / 100.0) ** 1.7) + 0.0694 * sw * (1.0 - (h / 100.0) ** 8))
                     * tk)
    wet_f = 10.0 ** (-(0.424 * (1.0 - hw ** 1.7) + 0.0694 * sw * (1.0 - hw ** 8)) * tk)
    f_wet = rain > 0.5
    rf = np.where(f_wet, rain - 0.5, 1.0)
    f_a = 42.5 * rf * (1.0 - np.exp(-6.93 / rf))
    f_b = 0.0015 * np.sqrt(rf)
    rk = 1.894 * (np.maximum(temp, -1.1) + 1.1) * (100.0 - h) * le * 1e-4
    d_wet = rain > 1.5
    re = 0.92 * rain - 1.27
    pe = np.maximum((0.36 * (np.maximum(temp, -2.8) + 2.8) + lf) / 2.0, 0.0)
    c_wet = rain > 2.8
    rd = np.where(c_wet, 3.937 * (0.83 * rain - 1.27), 0.0)
    ffmc, dmc, dc = (np.empty(shape) for _ in range(3))
    for i in range(shape[0]):
        mo = k * (101.0 - f) / (59.5 + f)
        if f_wet[i].any():
            mr = mo + f_a[i] * np.exp(-100.0 / (251.0 - mo))
            mr = np.where(mo > 150.0, mr + f_b[i] * (mo - 150.0) ** 2, mr)
            mo = np.where(f_wet[i], np.minimum(mr, 250.0), mo)
        m = np.where(mo > ed[i], ed[i] + (mo - ed[i]) * dry_f[i],
                     np.where(mo < ew[i], ew[i] - (ew[i] - mo) * wet_f[i], mo))
        f = np.clip(59.5 * (250.0 - m) / (k + m), 0.0, 101.0)
        if d_wet[i].any():
            safe = np.maximum(d, 1e-12)
            b = np.where(d <= 33.0, 100.0 / (0.5 + 0.3 * d),
                         np.where(d <= 65.0, 14.0 - 1.3 * np.log(safe), 6.2 * np.log(safe) - 17.2))
            mr = 20.0 + np.exp(5.6348 - d / 43.43) + 1000.0 * re[i] / (48.77 + b * re[i])
            with np.errstate(invalid="ignore", divide="ignore"):
                pr = np.maximum(244.72 - 43.43 * np.log(np.where(d_wet[i], mr - 20.0, 1.0)), 0.0)
            d = np.where(d_wet[i], pr, d)
        d = np.maximum(d + rk[i], 0.0)
        if c_wet[i].any():
            dr = np.maximum(c - 400.0 * np.log(1.0 + rd[i] / (800.0 * np.exp(-c / 400.0))), 0.0)
            c = np.where(c_wet[i], dr, c)
        c = np.maximum(c + pe[i], 0.0)
        ffmc[i], dmc[i], dc[i] = f, d, c
    isi = initial_spread_index(ffmc, wind)
    bui = buildup_index(dmc, dc)
    fwi = fire_weather_index(isi, bui)
    return {"ffmc": ffmc, "dmc": dmc, "dc": dc, "isi": isi, "bui": bui, "fwi": fwi}


def fwi_daily(weather: pd.DataFrame, lat: float, ffmc0: float = 85.0, dmc0: float = 6.0,
              dc0: float = 15.0) -> pd.DataFrame:
    """Daily FFMC, DMC, DC, ISI, BUI and FWI for one station.

    ``weather``: one row per consecutive day with columns ``temp`` (°C), ``rh`` (%), ``wind``
    (km/h), ``rain`` (mm, 24 h) at noon, and ``month`` (1-12). Returns a DataFrame with the
    same index and columns ffmc, dmc, dc, isi, bui, fwi. Missing values are not allowed (the
    codes carry over from day to day): fill or drop gaps first.
    """
    needed = ["temp", "rh", "wind", "rain", "month"]
    missing = [c for c in needed if c not in weather.columns]
    if missing:
        raise KeyError(f"weather lacks columns {missing} (needs {needed})")
    if weather[needed].isna().any().any():
        bad = weather[needed].isna().any()
        raise ValueError(f"weather has missing values in {list(bad[bad].index)}: fill them first")
    out = fwi_arrays(weather["temp"].to_numpy(float), weather["rh"].to_numpy(float),
                     weather["wind"].to_numpy(float), weather["rain"].to_numpy(float),
                     weather["month"].to_numpy(int), lat, ffmc0, dmc0, dc0)
    return pd.DataFrame(out, index=weather.index, columns=list(OUTPUT_COLUMNS))


# -- fire-danger indicators ------------------------------------------------------------------
def danger_days(fwi: np.ndarray, threshold: float = FWI_DANGER_THRESHOLD) -> np.ndarray:
    """Number of days with FWI ≥ ``threshold`` (axis 0 = days)."""
    return np.sum(np.asarray(fwi) >= threshold, axis=0)


def season_length(fwi: np.ndarray, threshold: float = FWI_DANGER_THRESHOLD) -> np.ndarray:
    """Days from the first to the last day with FWI ≥ ``threshold`` (inclusive; 0 if none)."""
    above = np.asarray(fwi) >= threshold
    n = above.shape[0]
    any_ = above.any(axis=0)
    first = np.argmax(above, axis=0)
    last = n - 1 - np.argmax(above[::-1], axis=0)
    return np.where(any_, last - first + 1, 0)


def mean_fwi(fwi: np.ndarray, month: np.ndarray, months: Sequence[int] = (6, 7, 8, 9)
             ) -> np.ndarray:
    """Mean FWI over the chosen months (default June-September) (axis 0 = days)."""
    sel = np.isin(np.asarray(month), list(months))
    return np.asarray(fwi)[sel].mean(axis=0)


def fire_danger_summary(fwi: np.ndarray, month: np.ndarray,
                        threshold: float = FWI_DANGER_THRESHOLD) -> dict[str, np.ndarray]:
    """The danger indicators of one year (days on axis 0, cells after)."""
    return {
        "days_fwi_threshold": danger_days(fwi, threshold),
        "days_fwi_30": danger_days(fwi, FWI_HIGH_THRESHOLD),
        "season_length_days": season_length(fwi, threshold),
        "mean_fwi_jjas": mean_fwi(fwi, month),
    }
