"""Reference evapotranspiration, FAO-56 Penman–Monteith, daily time step.

Source: Allen, R.G., Pereira, L.S., Raes, D., Smith, M. (1998). *Crop evapotranspiration —
Guidelines for computing crop water requirements.* FAO Irrigation and Drainage Paper 56, Rome.
Equation numbers below are those of the paper (chapter 3); the examples quoted in the tests
(2, 3, 5, 8, 9, 10, 18) are the paper's worked examples.

Every function is vectorised: arguments broadcast as numpy arrays. Units: temperature °C,
relative humidity %, wind speed m/s at 2 m, radiation MJ m⁻² d⁻¹, elevation m, latitude in
decimal degrees (north positive), ``doy`` the day of the year (1–366).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

#: Solar constant (MJ m⁻² min⁻¹), FAO-56 eq. 21.
GSC = 0.0820
#: Stefan–Boltzmann constant (MJ K⁻⁴ m⁻² d⁻¹), FAO-56 eq. 39.
SIGMA = 4.903e-9
#: Albedo of the hypothetical grass reference crop, FAO-56 eq. 38.
ALBEDO = 0.23


def _a(x: ArrayLike) -> np.ndarray:
    return np.asarray(x, dtype=float)


def atmospheric_pressure(elevation: ArrayLike) -> np.ndarray:
    """Atmospheric pressure P (kPa) at ``elevation`` (m), FAO-56 eq. 7:
    P = 101.3 ((293 − 0.0065 z) / 293)^5.26."""
    z = _a(elevation)
    return 101.3 * ((293.0 - 0.0065 * z) / 293.0) ** 5.26


def psychrometric_constant(pressure: ArrayLike) -> np.ndarray:
    """Psychrometric constant γ (kPa/°C) from pressure (kPa), FAO-56 eq. 8: γ = 0.665e-3 P."""
    return 0.665e-3 * _a(pressure)


def saturation_vapour_pressure(t: ArrayLike) -> np.ndarray:
    """Saturation vapour pressure e°(T) (kPa) at air temperature T (°C), FAO-56 eq. 11:
    e°(T) = 0.6108 exp(17.27 T / (T + 237.3))."""
    t = _a(t)
    return 0.6108 * np.exp(17.27 * t / (t + 237.3))


def mean_saturation_vapour_pressure(tmax: ArrayLike, tmin: ArrayLike) -> np.ndarray:
    """Mean saturation vapour pressure es (kPa) of a day, FAO-56 eq. 12:
    es = (e°(Tmax) + e°(Tmin)) / 2."""
    return (saturation_vapour_pressure(tmax) + saturation_vapour_pressure(tmin)) / 2.0


def slope_vapour_pressure_curve(t: ArrayLike) -> np.ndarray:
    """Slope Δ (kPa/°C) of the saturation vapour pressure curve at T (°C), FAO-56 eq. 13:
    Δ = 4098 e°(T) / (T + 237.3)²."""
    t = _a(t)
    return 4098.0 * saturation_vapour_pressure(t) / (t + 237.3) ** 2


def actual_vapour_pressure(tmax: ArrayLike, tmin: ArrayLike, rh_max: ArrayLike,
                           rh_min: ArrayLike) -> np.ndarray:
    """Actual vapour pressure ea (kPa) from RHmax and RHmin (%), FAO-56 eq. 17:
    ea = (e°(Tmin) RHmax/100 + e°(Tmax) RHmin/100) / 2."""
    return (saturation_vapour_pressure(tmin) * _a(rh_max) / 100.0
            + saturation_vapour_pressure(tmax) * _a(rh_min) / 100.0) / 2.0


def _solar_geometry(lat: ArrayLike, doy: ArrayLike) -> tuple[np.ndarray, ...]:
    phi = np.deg2rad(_a(lat))  # eq. 22: radians = π/180 × decimal degrees
    j = _a(doy)
    dr = 1.0 + 0.033 * np.cos(2.0 * np.pi / 365.0 * j)  # eq. 23
    delta = 0.409 * np.sin(2.0 * np.pi / 365.0 * j - 1.39)  # eq. 24
    # eq. 25, clipped so that polar day (night) gives ωs = π (0)
    ws = np.arccos(np.clip(-np.tan(phi) * np.tan(delta), -1.0, 1.0))
    return phi, dr, delta, ws


def extraterrestrial_radiation(lat: ArrayLike, doy: ArrayLike) -> np.ndarray:
    """Daily extraterrestrial radiation Ra (MJ m⁻² d⁻¹), FAO-56 eq. 21 (with eqs. 23–25):
    Ra = 24·60/π Gsc dr [ωs sin φ sin δ + cos φ cos δ sin ωs]."""
    phi, dr, delta, ws = _solar_geometry(lat, doy)
    return (24.0 * 60.0 / np.pi * GSC * dr
            * (ws * np.sin(phi) * np.sin(delta) + np.cos(phi) * np.cos(delta) * np.sin(ws)))


def daylight_hours(lat: ArrayLike, doy: ArrayLike) -> np.ndarray:
    """Maximum possible duration of sunshine N (hours), FAO-56 eq. 34: N = 24/π ωs."""
    return 24.0 / np.pi * _solar_geometry(lat, doy)[3]


def clear_sky_radiation(ra: ArrayLike, elevation: ArrayLike) -> np.ndarray:
    """Clear-sky solar radiation Rso (MJ m⁻² d⁻¹), FAO-56 eq. 37: Rso = (0.75 + 2e-5 z) Ra."""
    return (0.75 + 2e-5 * _a(elevation)) * _a(ra)


def net_shortwave_radiation(rs: ArrayLike, albedo: float = ALBEDO) -> np.ndarray:
    """Net shortwave radiation Rns = (1 − α) Rs (MJ m⁻² d⁻¹), FAO-56 eq. 38, α = 0.23."""
    return (1.0 - albedo) * _a(rs)


def net_longwave_radiation(tmax: ArrayLike, tmin: ArrayLike, ea: ArrayLike, rs: ArrayLike,
                           rso: ArrayLike) -> np.ndarray:
    """Net outgoing longwave radiation Rnl (MJ m⁻² d⁻¹), FAO-56 eq. 39:
    Rnl = σ (Tmax,K⁴ + Tmin,K⁴)/2 (0.34 − 0.14 √ea) (1.35 Rs/Rso − 0.35),
    with Rs/Rso limited to ≤ 1.0 as the paper prescribes."""
    tk4 = ((_a(tmax) + 273.16) ** 4 + (_a(tmin) + 273.16) ** 4) / 2.0
    ratio = np.minimum(_a(rs) / np.where(_a(rso) > 0, _a(rso), np.nan), 1.0)
    ratio = np.where(np.isfinite(ratio), ratio, 0.5)  # polar night: no sun, neutral cloudiness
    return SIGMA * tk4 * (0.34 - 0.14 * np.sqrt(_a(ea))) * (1.35 * ratio - 0.35)


def solar_radiation_hargreaves(tmax: ArrayLike, tmin: ArrayLike, ra: ArrayLike,
                               krs: float = 0.16) -> np.ndarray:
    """Solar radiation from the temperature range, FAO-56 eq. 50: Rs = kRs √(Tmax − Tmin) Ra,
    kRs = 0.16 for interior locations, 0.19 for coastal ones (used by the weather stand-in)."""
    return krs * np.sqrt(np.maximum(_a(tmax) - _a(tmin), 0.0)) * _a(ra)


def wind_speed_2m(uz: ArrayLike, z: float = 10.0) -> np.ndarray:
    """Wind speed at 2 m from a reading at height z (m), FAO-56 eq. 47:
    u2 = uz 4.87 / ln(67.8 z − 5.42)."""
    return _a(uz) * 4.87 / np.log(67.8 * z - 5.42)


def et0_fao56(tmax: ArrayLike, tmin: ArrayLike, rh_max: ArrayLike, rh_min: ArrayLike,
              u2: ArrayLike, rs: ArrayLike, elevation: ArrayLike, lat: ArrayLike,
              doy: ArrayLike) -> np.ndarray:
    """FAO-56 Penman–Monteith daily reference evapotranspiration ET0 (mm/day), eq. 6:

    ET0 = [0.408 Δ (Rn − G) + γ 900/(T + 273) u2 (es − ea)] / [Δ + γ (1 + 0.34 u2)]

    with T = (Tmax + Tmin)/2 (eq. 9), Δ at T (eq. 13), γ from the elevation (eqs. 7–8),
    es (eq. 12), ea from RHmax/RHmin (eq. 17), Ra (eq. 21), Rso (eq. 37), Rns (eq. 38),
    Rnl (eq. 39), Rn = Rns − Rnl (eq. 40) and G = 0 for a day (eq. 42).
    Inputs: °C, %, m/s (at 2 m), MJ m⁻² d⁻¹, m, decimal degrees, day of year.
    Negative values (rare winter days) are kept: they are condensation (FAO-56 §3).
    """
    tmax, tmin = _a(tmax), _a(tmin)
    tmean = (tmax + tmin) / 2.0
    delta = slope_vapour_pressure_curve(tmean)
    gamma = psychrometric_constant(atmospheric_pressure(elevation))
    es = mean_saturation_vapour_pressure(tmax, tmin)
    ea = actual_vapour_pressure(tmax, tmin, rh_max, rh_min)
    ra = extraterrestrial_radiation(lat, doy)
    rso = clear_sky_radiation(ra, elevation)
    rn = net_shortwave_radiation(rs) - net_longwave_radiation(tmax, tmin, ea, rs, rso)
    g = 0.0
    u2 = _a(u2)
    num = 0.408 * delta * (rn - g) + gamma * 900.0 / (tmean + 273.0) * u2 * (es - ea)
    return num / (delta + gamma * (1.0 + 0.34 * u2))
