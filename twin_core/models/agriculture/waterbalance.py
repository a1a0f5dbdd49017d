"""Daily soil-water balance of a crop (FAO-56 chapter 8, single layer) → drainage, irrigation.

Source: Allen et al. (1998), FAO-56: ETc = Kc ET0 (eq. 56); root-zone depletion
Dr,i = Dr,i−1 − (P − RO)i − Ii + ETc,adj,i + DPi (eq. 85, capillary rise neglected); water
stress coefficient Ks = (TAW − Dr)/((1 − p) TAW) when Dr > RAW = p TAW (eqs. 83–84);
ETc,adj = Ks Kc ET0 (eq. 80); deep percolation DP when the soil is above field capacity
(eq. 88). The soil is one bucket whose total available water TAW is the user's "réserve utile"
(RU, mm). Irrigated fields are refilled to field capacity when Dr reaches RAW (FAO-56 §8
"irrigation scheduling": net depth = Dr).

Effective rainfall: the USDA Soil Conservation Service monthly formula (USDA-SCS 1970,
as given in FAO Irrigation and Drainage Paper 25 / CROPWAT): Pe = P (125 − 0.2 P)/125 for
P ≤ 250 mm/month, Pe = 125 + 0.1 P above. The part P − Pe is counted as surface runoff (it
reaches the rivers without passing the root zone); each day's rain is reduced by its month's
ratio Pe/P.

Yield: FAO-33 (Doorenbos & Kassam 1979): 1 − Ya/Ym = Ky (1 − ΣETa/ΣETc) over the season.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin_core.models.agriculture.crops import MONTHS_DAYS, CropParams, kc_curve


def effective_rainfall_usda_scs(p_month: np.ndarray) -> np.ndarray:
    """USDA-SCS effective rainfall (mm/month) from monthly rain P (mm/month)."""
    p = np.asarray(p_month, float)
    return np.where(p <= 250.0, p * (125.0 - 0.2 * p) / 125.0, 125.0 + 0.1 * p)


def daily_effective_rain(precip: np.ndarray, doy: np.ndarray) -> np.ndarray:
    """Daily rain (…, day) reduced by its month's USDA-SCS ratio Pe/P (runoff removed)."""
    month = np.searchsorted(np.cumsum(MONTHS_DAYS), (doy - 1) % 365, side="right")
    n_years = precip.shape[-1] // 365
    key = np.arange(precip.shape[-1]) // 365 * 12 + month  # (year, month) index
    monthly = np.zeros(precip.shape[:-1] + (n_years * 12,))
    np.add.at(monthly.T, key, np.moveaxis(precip, -1, 0))
    ratio = np.where(monthly > 0, effective_rainfall_usda_scs(monthly)
                     / np.where(monthly > 0, monthly, 1.0), 1.0)
    return precip * ratio[..., key]


@dataclass
class BucketResult:
    """Totals of a daily balance, mean per year (mm/yr) unless stated; arrays keep the leading
    dimensions of the inputs (e.g. warming level × site × crop × irrigated)."""

    rain: np.ndarray
    runoff: np.ndarray
    eta: np.ndarray
    etc: np.ndarray
    drainage: np.ndarray
    drainage_summer: np.ndarray  # June–August
    drainage_winter: np.ndarray  # October–March
    irrigation: np.ndarray
    storage_change: np.ndarray  # (end − start soil water) / years
    eta_season: np.ndarray
    etc_season: np.ndarray
    irrigation_monthly: np.ndarray  # (…, 12): mean irrigation per calendar month, mm/month


def soil_bucket(et0: np.ndarray, precip: np.ndarray, doy: np.ndarray, crops: list[CropParams],
                taw: float, irrigated: np.ndarray, spinup_years: int = 1) -> BucketResult:
    """Run the daily bucket for every crop, in parallel over the leading axes.

    ``et0`` (…, site, day) and ``precip`` (site, day) in mm; ``crops`` the C crops; ``taw`` the
    total available water (RU, mm); ``irrigated`` boolean (M,) (one run per mode). Output arrays
    have shape (…, site, C, M). Statistics skip the first ``spinup_years`` (the soil starts at
    field capacity).
    """
    if taw <= 0:
        raise ValueError("taw (RU) must be > 0 mm")
    et0 = np.asarray(et0, float)
    lead = et0.shape[:-1]
    nd = et0.shape[-1]
    pe = daily_effective_rain(precip, doy)  # (site, day)
    runoff_d = precip - pe
    kcs, seas = zip(*(kc_curve(c, doy) for c in crops), strict=True)
    kc = np.stack(kcs, axis=0)  # (C, day)
    season = np.stack(seas, axis=0)
    p = np.array([c.p for c in crops])[:, None]  # (C, 1)
    irr = np.asarray(irrigated, bool)[None, :]  # (1, M)
    raw = p * taw
    shape = lead + (len(crops), irr.shape[1])
    dr = np.zeros(shape)
    acc = {k: np.zeros(shape) for k in ("eta", "etc", "dp", "dps", "dpw", "irr", "etas",
                                         "etcs")}
    irr_m = np.zeros(shape + (12,))
    start = spinup_years * 365
    dr0 = None
    months = np.searchsorted(np.cumsum(MONTHS_DAYS), (doy - 1) % 365, side="right") + 1
    for d in range(nd):
        if d == start:
            dr0 = dr.copy()
        kc_d = kc[:, d][:, None]  # (C, 1)
        etc = et0[..., d][..., None, None] * kc_d  # (…, C, M)
        ks = np.where(dr > raw, (taw - dr) / ((1.0 - p) * taw), 1.0)
        in_season = season[:, d][:, None]
        irrigation = np.where(irr & in_season & (dr > raw), dr, 0.0)
        pe_d = pe[..., d][..., None, None]
        eta = np.minimum(ks * etc, taw - dr + pe_d + irrigation)  # cannot dry beyond wilting
        water = dr - pe_d - irrigation + eta
        dp = np.maximum(-water, 0.0)
        dr = np.clip(water, 0.0, taw)
        if d >= start:
            acc["eta"] += eta
            acc["etc"] += etc
            acc["dp"] += dp
            acc["irr"] += irrigation
            m = months[d]
            irr_m[..., m - 1] += irrigation
            if 6 <= m <= 8:
                acc["dps"] += dp
            if m >= 10 or m <= 3:
                acc["dpw"] += dp
            acc["etas"] += np.where(in_season, eta, 0.0)
            acc["etcs"] += np.where(in_season, etc, 0.0)
    years = (nd - start) / 365.0
    rain = np.broadcast_to(precip[:, start:].sum(-1)[..., None, None], shape) / years
    runoff = np.broadcast_to(runoff_d[:, start:].sum(-1)[..., None, None], shape) / years
    assert dr0 is not None
    return BucketResult(rain=rain, runoff=runoff, eta=acc["eta"] / years, etc=acc["etc"] / years,
                        drainage=acc["dp"] / years, drainage_summer=acc["dps"] / years,
                        drainage_winter=acc["dpw"] / years, irrigation=acc["irr"] / years,
                        storage_change=-(dr - dr0) / years, eta_season=acc["etas"] / years,
                        etc_season=acc["etcs"] / years, irrigation_monthly=irr_m / years)


def relative_yield(eta_season: np.ndarray, etc_season: np.ndarray, ky: np.ndarray
                   ) -> np.ndarray:
    """FAO-33 relative yield Ya/Ym = 1 − Ky (1 − ETa/ETc), clipped to [0, 1]."""
    ratio = np.where(etc_season > 0, eta_season / np.where(etc_season > 0, etc_season, 1), 1.0)
    return np.clip(1.0 - np.asarray(ky) * (1.0 - ratio), 0.0, 1.0)
