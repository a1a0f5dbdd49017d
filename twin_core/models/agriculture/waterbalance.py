"""Daily soil-water balance of a crop (FAO-56 chapter 8, single layer) → drainage, irrigation.

Source: Allen et al. (1998), FAO-56: ETc = Kc ET0 (eq. 56); root-zone depletion
Dr,i = Dr,i−1 − (P − RO)i − Ii + ETc,adj,i + DPi (eq. 85, capillary rise neglected); water
stress coefficient Ks = (TAW − Dr)/((1 − p) TAW) when Dr > RAW = p TAW (eqs. 83–84);
ETc,adj = Ks Kc ET0 (eq. 80); deep percolation DP when the soil is above field capacity
(eq. 88). The soil is one bucket whose total available water TAW is the user's "réserve utile"
(RU, mm). Irrigated fields are refilled to field capacity when Dr reaches RAW (FAO-56 §8
"irrigation scheduling": net depth = Dr).

Runoff — one rule, counted once: the SCS curve-number method (USDA-NRCS, National
Engineering Handbook Part 630 ch. 10; TR-55, 1986) on each day's rain: S = 25400 / CN − 254
(mm), initial abstraction Ia = 0.2 S, Q = (P − Ia)² / (P − Ia + S) for P > Ia, else 0. The rest
of the rain enters the bucket; deep percolation comes from the bucket only (eq. 88), so rain =
runoff + ETa + percolation + storage change exactly. Curve numbers (antecedent condition II)
by hydrologic soil group A/B/C/D, TR-55 Tables 2-2b/2-2c: row crops, straight row, good
condition 67/78/85/89 (maize, sunflower, other crops); small grain, straight row, good
63/75/83/87 (cereals, and rapeseed as a close-seeded crop: assumption); pasture, good 39/61/74/80
(grassland). Soil group "none": no surface runoff (permeable soils — the Côte-d'Or limestone
plateaux drain to karst). No French CN table was found (domain_facts_more C7); the group is a
scenario parameter, default B (an assumption: moderately infiltrating loams).
The USDA-SCS monthly "effective rainfall" (FAO Paper 25 / CROPWAT) is an irrigation-planning
quantity, not a runoff: it is kept (:func:`effective_rainfall_usda_scs`) but no longer removed
from the rain, which counted the losses twice (its complement, then the bucket's percolation).

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


#: TR-55 curve numbers (AMC II) by cover class and hydrologic soil group A, B, C, D.
CURVE_NUMBERS: dict[str, tuple[float, float, float, float]] = {
    "row": (67.0, 78.0, 85.0, 89.0),  # Table 2-2b, row crops, straight row, good condition
    "grain": (63.0, 75.0, 83.0, 87.0),  # Table 2-2b, small grain, straight row, good
    "pasture": (39.0, 61.0, 74.0, 80.0),  # Table 2-2c, pasture, good condition
}
SOIL_GROUPS = ("none", "A", "B", "C", "D")


def curve_number(cover: str, soil_group: str) -> float:
    """TR-55 curve number of a cover class on a hydrologic soil group; 0 for "none"."""
    if soil_group == "none":
        return 0.0
    return CURVE_NUMBERS[cover]["ABCD".index(soil_group)]


def scs_runoff(precip_mm: np.ndarray, cn: np.ndarray) -> np.ndarray:
    """SCS curve-number runoff (mm) of daily rain P (mm): Q = (P − 0.2 S)² / (P + 0.8 S) for
    P > 0.2 S, S = 25400 / CN − 254 mm; CN ≤ 0 means no runoff. Arrays broadcast."""
    p = np.maximum(np.asarray(precip_mm, float), 0.0)
    cn = np.asarray(cn, float)
    s = np.where(cn > 0, 25400.0 / np.where(cn > 0, cn, 1.0) - 254.0, np.inf)
    ia = 0.2 * s
    excess = np.maximum(p - ia, 0.0)
    return np.where(np.isfinite(s), excess ** 2 / np.where(np.isfinite(s), excess + s, 1.0),
                    0.0)


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
                taw: float, irrigated: np.ndarray, spinup_years: int = 1,
                soil_group: str = "B") -> BucketResult:
    """Run the daily bucket for every crop, in parallel over the leading axes.

    ``et0`` (…, site, day) and ``precip`` (site, day) in mm; ``crops`` the C crops; ``taw`` the
    total available water (RU, mm); ``irrigated`` boolean (M,) (one run per mode). Output arrays
    have shape (…, site, C, M). Statistics skip the first ``spinup_years`` (the soil starts at
    field capacity). ``soil_group``: hydrologic soil group of the SCS runoff (or "none").
    """
    if taw <= 0:
        raise ValueError("taw (RU) must be > 0 mm")
    et0 = np.asarray(et0, float)
    lead = et0.shape[:-1]
    nd = et0.shape[-1]
    if soil_group not in SOIL_GROUPS:
        raise ValueError(f"soil_group must be one of {SOIL_GROUPS}")
    cn = np.array([curve_number(c.cn_cover, soil_group) for c in crops])  # (C,)
    runoff_d = scs_runoff(precip[:, None, :], cn[None, :, None])  # (site, C, day)
    pe = precip[:, None, :] - runoff_d  # rain entering the soil
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
        pe_d = pe[..., d][..., None]  # (site, C, 1)
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
    runoff = np.broadcast_to(runoff_d[..., start:].sum(-1)[..., None], shape) / years
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
