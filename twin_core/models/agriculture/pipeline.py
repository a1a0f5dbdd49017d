"""From territory tables to station nitrate, irrigation and yields (pure, cached preparation).

``prepare`` does the expensive, scenario-independent work once per territory: climate zones of
the communes (commune normals binned by 0.5 °C and 100 mm), their SYNTHETIC daily weather and
FAO-56 ET0 on a grid of warming levels, crop areas per commune, catchment weights and the
observed Naïades station means (2000–2015 calibration, 2016–2022 held out). ``water_balance``
runs the daily bucket for every zone × crop × warming level × (rainfed, irrigated), cached per
RU and summer-rain change. ``evaluate`` turns one set of levers into station concentrations in a
few milliseconds (linear interpolation between warming levels). Winter wheat and maize grain
yields come from the FAO AquaCrop model (:mod:`.aquacrop_yields`), cached per crop, soil class
and climate (:func:`aquacrop_cache`, :func:`aquacrop_yields`); the other crops keep the FAO-33
Ky response computed in :func:`evaluate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from twin_core.errors import TwinInputError
from twin_core.models.agriculture import aquacrop_yields as aq
from twin_core.models.agriculture import irrigation as irr
from twin_core.models.agriculture import nitrogen as nit
from twin_core.models.agriculture.crops import CROP_NAMES, CROPS, crop_params
from twin_core.models.agriculture.waterbalance import soil_bucket
from twin_core.models.agriculture.weather import NORMALS_WARMING, synthetic_weather

#: Warming levels (°C above the 1971–2000 normals) on which the water balance is computed.
DELTA_GRID = np.arange(0.0, 6.01, 0.5)
#: Mean France warming vs 1850–1900 over the calibration (2000–2015) and held-out (2016–2022)
#: periods, read from the observed national series (≈ +1.2 and +1.6 °C; low confidence).
CAL_WARMING, VAL_WARMING = 1.2, 1.6
#: Present-day warming (France 2023 ≈ +1.7 °C, ../shared/reference README): the reference
#: of "change" indicators.
PRESENT_WARMING = 1.7
ELEVATION_M = 300.0  # typical Côte-d'Or farmland elevation (plain 200 m, plateaux 400–500 m)
N_YEARS = 10  # synthetic years (+1 spin-up year)
MIN_COVERAGE = 0.5  # a station is modelled when ≥ 50 % of its catchment is in the territory
CAL_YEARS, VAL_YEARS = (2000, 2015), (2016, 2022)


@dataclass
class Prepared:
    key: str
    communes: gpd.GeoDataFrame  # index code_insee: area_ha, zone, lat
    zones: pd.DataFrame  # tmean, tam, precip, …, lat
    areas: np.ndarray  # (commune, crop) ha
    weights: np.ndarray  # (station, commune) share of each commune in each catchment
    stations: gpd.GeoDataFrame  # modelled stations (coverage ≥ MIN_COVERAGE)
    obs_cal: pd.Series
    obs_val: pd.Series
    et0: np.ndarray  # (warming level, zone, day)
    precip: np.ndarray  # (zone, day)
    doy: np.ndarray
    cache: dict = field(default_factory=dict)
    #: stations whose catchment lies in the territory but holds no farmland (not modelled)
    no_farmland: tuple[str, ...] = ()
    #: representative climate of the farmland (AquaCrop yields), see :func:`aquacrop_cache`
    climate: aq.Climate | None = None


def observed_means(nitrates: pd.DataFrame, years: tuple[int, int], min_samples: int = 4
                   ) -> pd.Series:
    """Mean NO3 (mg/L) per station over ``years`` (inclusive), stations with ≥ min_samples."""
    no3 = pd.to_numeric(nitrates["no3_mg_l"], errors="coerce")
    if (no3 < 0).any():
        i = int(np.argmax((no3 < 0).to_numpy()))
        raise TwinInputError("agri_negative_nitrate", "nitrates",
                             station=str(nitrates["code_station"].iloc[i]),
                             value=float(no3.iloc[i]))
    year = pd.to_datetime(nitrates["date"]).dt.year
    sel = (year >= years[0]) & (year <= years[1]) & no3.notna()
    g = no3[sel].groupby(nitrates.loc[sel, "code_station"].astype(str))
    stats = g.agg(["mean", "count"])
    return stats.loc[stats["count"] >= min_samples, "mean"]


def climate_zones(normals: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """Zone id per commune (bins of 0.5 °C × 100 mm) and each zone's mean normals."""
    key = ((normals["tmean_c"] * 2).round().astype(int).astype(str) + "_"
           + (normals["precip_mm"] / 100).round().astype(int).astype(str))
    zone_id = pd.Series(pd.factorize(key)[0], index=normals.index)
    cols = ["tmean_c", "tam_c", "precip_mm", "rain_days_jan", "rain_days_jul",
            "precip_dev_jan", "precip_dev_jul", "lat"]
    zones = normals[cols].groupby(zone_id.values).mean()
    return zone_id, zones


def prepare(key: str, communes: gpd.GeoDataFrame, crops: pd.DataFrame,
            stations: gpd.GeoDataFrame, nitrates: pd.DataFrame, weights: pd.DataFrame,
            normals: pd.DataFrame, seed: int = 2154) -> Prepared:
    """Scenario-independent preparation (see the module docstring)."""
    com = communes.copy()
    com["code_insee"] = com["code_insee"].astype(str)
    com = com.set_index("code_insee")
    unknown = sorted(set(crops["crop"]) - set(CROP_NAMES))
    if unknown:
        crop_params(unknown[0], "crops")  # raises agri_unknown_crop
    areas = (crops.assign(code_insee=crops["code_insee"].astype(str))
             .pivot_table(index="code_insee", columns="crop", values="area_ha", aggfunc="sum")
             .reindex(index=com.index, columns=list(CROP_NAMES)).fillna(0.0))
    # normals → zones (communes without normals take the territory mean)
    norm = normals.set_index(normals["code_insee"].astype(str)).reindex(com.index)
    norm = norm.drop(columns="code_insee", errors="ignore")
    norm = norm.fillna(norm.mean(numeric_only=True))
    norm["lat"] = com.geometry.centroid.to_crs(4326).y.to_numpy() if len(com) else []
    zone_id, zones = climate_zones(norm)
    com["zone"] = zone_id.to_numpy()
    # catchment weights: (station, commune)
    w = weights.assign(code_insee=weights["code_insee"].astype(str),
                       code_station=weights["code_station"].astype(str))
    w = w[w["code_insee"].isin(com.index)]
    st = stations.assign(code_station=stations["code_station"].astype(str))
    coverage = w.groupby("code_station")["area_ha"].sum() / (
        weights.assign(code_station=weights["code_station"].astype(str))
        .groupby("code_station")["catchment_ha"].first())
    st["coverage"] = (st["code_station"].map(coverage.to_dict()).astype(float).fillna(0.0)
                      .clip(upper=1.0))
    farm = areas.sum(axis=1)
    farm_in = w["code_insee"].map(farm.to_dict()).astype(float) * w["share"]
    has_farm = farm_in.groupby(w["code_station"]).sum()
    st["farm_ha"] = st["code_station"].map(has_farm.to_dict()).astype(float).fillna(0.0)
    covered = st["coverage"] >= MIN_COVERAGE
    no_farmland = tuple(st.loc[covered & (st["farm_ha"] <= 0), "code_station"])
    check_farmland(st.loc[covered, "code_station"], st.loc[covered, "farm_ha"])
    st = st[covered & (st["farm_ha"] > 0)].reset_index(drop=True)
    wmat = (w.pivot_table(index="code_station", columns="code_insee", values="share",
                          aggfunc="sum")
            .reindex(index=st["code_station"], columns=com.index).fillna(0.0).to_numpy())
    obs_cal = observed_means(nitrates, CAL_YEARS)
    obs_val = observed_means(nitrates, VAL_YEARS)
    # synthetic weather per zone and ET0 on the warming grid
    wx = synthetic_weather(zones["tmean_c"], zones["tam_c"], zones["precip_mm"],
                           zones["rain_days_jan"], zones["rain_days_jul"], zones["lat"],
                           zones["precip_dev_jan"], zones["precip_dev_jul"],
                           n_years=N_YEARS + 1, seed=seed)
    elev = np.full(len(zones), ELEVATION_M)
    et0 = np.stack([wx.et0(elev, zones["lat"].to_numpy(), dt) for dt in DELTA_GRID])
    # representative climate for AquaCrop: zone normals weighted by farmland area
    zone_farm = pd.Series(farm.to_numpy(), index=com["zone"].to_numpy()).groupby(level=0).sum()
    wz = zone_farm.reindex(zones.index).fillna(0.0).to_numpy()
    wz = wz if wz.sum() > 0 else np.ones(len(zones))
    climate = aq.Climate.from_mapping((zones.mul(wz, axis=0).sum() / wz.sum()).to_dict())
    return Prepared(key=key, communes=com, zones=zones, areas=areas.to_numpy(), weights=wmat,
                    stations=st, obs_cal=obs_cal, obs_val=obs_val, et0=et0, precip=wx.precip,
                    doy=wx.doy, no_farmland=no_farmland, climate=climate)


def check_farmland(codes: pd.Series, farm_ha: pd.Series) -> None:
    """Raise ``agri_no_farmland`` when none of the stations' catchments holds farmland (the
    crop table does not cover them: nothing to model); stations without farmland among others
    are only left out and listed in ``Prepared.no_farmland``."""
    farm = pd.to_numeric(pd.Series(farm_ha), errors="coerce").fillna(0.0).to_numpy()
    if len(farm) and not (farm > 0).any():
        raise TwinInputError("agri_no_farmland", "crops", station=str(pd.Series(codes).iloc[0]),
                             n=len(farm))


def water_balance(prep: Prepared, taw: float, summer_rain_change_pct: float = 0.0,
                  soil_group: str = "B") -> dict:
    """Bucket results on the warming grid, shape (level, zone, crop, mode), cached per inputs."""
    key = ("wb", round(float(taw), 3), round(float(summer_rain_change_pct), 3), soil_group)
    if key not in prep.cache:
        precip = prep.precip
        if summer_rain_change_pct:
            month = np.searchsorted(np.cumsum([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]),
                                    (prep.doy - 1) % 365, side="right") + 1
            factor = np.where((month >= 6) & (month <= 8), 1 + summer_rain_change_pct / 100, 1.0)
            precip = precip * factor[None, :]
        res = soil_bucket(prep.et0, precip, prep.doy, [CROPS[c] for c in CROP_NAMES], taw,
                          np.array([False, True]), soil_group=soil_group)
        prep.cache[key] = {k: getattr(res, k) for k in res.__dataclass_fields__}
    return prep.cache[key]


def at_warming(wb: dict, warming: float) -> dict:
    """Linear interpolation of the bucket results at a France warming level (°C vs 1850–1900)."""
    delta = float(np.clip(warming - NORMALS_WARMING, DELTA_GRID[0], DELTA_GRID[-1]))
    i = int(min(np.searchsorted(DELTA_GRID, delta, side="right") - 1, len(DELTA_GRID) - 2))
    f = (delta - DELTA_GRID[i]) / (DELTA_GRID[i + 1] - DELTA_GRID[i])
    return {k: v[i] * (1 - f) + v[i + 1] * f for k, v in wb.items()}


@dataclass(frozen=True)
class Levers:
    """Scenario levers in model units (fractions, mm, °C)."""

    warming: float = PRESENT_WARMING
    fert_change: float = 0.0  # relative change of N doses
    cover_share: float = 0.3  # share of winter-bare fields with a cover crop
    grassland_conversion: float = 0.0  # share of arable land turned to grassland
    irrigated_share: float = 0.2  # share of irrigable crops' area equipped
    restriction: float = 0.0  # share of the irrigation need not supplied
    taw: float = 150.0  # RU, mm
    summer_rain_change_pct: float = 0.0
    cover_efficacy: float = 0.5
    rf: float = 20.0
    supply: float = 60.0
    profile_factor: float = 2.0  # W = factor × RU
    farmland_loss_ha: float = 0.0  # farmland taken by urbanisation (see :func:`evaluate`)
    soil_group: str = "B"  # hydrologic soil group of the SCS runoff (waterbalance), or "none"
    #: field application efficiency of the irrigation technique mix (irrigation.mix_efficiency)
    application_efficiency: float = irr.mix_efficiency(irr.DEFAULT_MIX)


#: Station × commune products through a sparse (CSR) copy of the catchment weights (3-4 % of
#: the entries are non-zero on the sample). Same sums as the dense product up to rounding; it
#: also keeps the product off the multi-threaded BLAS, whose threads wait on each other on a
#: loaded 2-core machine (about 1 → 10 ms per evaluation measured). False: the dense matrix.
SPARSE_WEIGHTS = True


def station_weights(prep: Prepared):
    """The (station, commune) catchment weights used by :func:`evaluate`: a cached CSR copy of
    ``prep.weights`` (:data:`SPARSE_WEIGHTS`) or the dense array."""
    if not SPARSE_WEIGHTS:
        return prep.weights
    if "weights_csr" not in prep.cache:
        from scipy.sparse import csr_matrix

        prep.cache["weights_csr"] = csr_matrix(prep.weights)
    return prep.cache["weights_csr"]


def evaluate(prep: Prepared, lv: Levers, k: float = 1.0, retention: float = 0.0,
             c_background: float = 5.0) -> dict:
    """Per-commune and per-station outcomes for one set of levers at one warming level."""
    wb = at_warming(water_balance(prep, lv.taw, lv.summer_rain_change_pct, lv.soil_group),
                    lv.warming)
    params = [CROPS[c] for c in CROP_NAMES]
    irrigable = np.array([p.irrigable for p in params])
    s_irr = np.where(irrigable, lv.irrigated_share, 0.0)  # (crop,)
    supplied = s_irr * (1.0 - lv.restriction)

    def mix(x: np.ndarray) -> np.ndarray:  # (zone, crop, mode) → (zone, crop)
        return x[..., 0] * (1 - supplied) + x[..., 1] * supplied

    drainage, runoff = mix(wb["drainage"]), wb["runoff"][..., 0]
    ky = np.array([p.ky for p in params])
    ratio = np.where(wb["etc_season"] > 0, wb["eta_season"] / np.maximum(wb["etc_season"], 1e-9),
                     1.0)
    rel_yield = mix(np.clip(1 - ky[None, :, None] * (1 - ratio), 0, 1))  # water only
    b = np.array([p.n_per_q for p in params])
    y_ref = np.array([p.yield_q for p in params])
    dose = nit.balance_dose(b, y_ref, lv.rf, lv.supply)
    deficit = b * y_ref * (1 - rel_yield)
    autumn = nit.autumn_mineral_n(np.array([p.autumn_n for p in params]), dose, lv.fert_change,
                                  deficit)
    n_factor = nit.n_yield_factor(dose, lv.fert_change)  # (crop,) yield cost of the dose
    bare = np.array([p.winter_bare for p in params])
    leached = nit.leaching(autumn, drainage, lv.profile_factor * lv.taw, bare, lv.cover_share,
                           lv.cover_efficacy)  # (zone, crop) kg N/ha
    # per commune: areas after urbanisation, with grassland conversion. Farmland taken by
    # urbanisation (ZAN link, area-based: no location) leaves every crop of every commune in the
    # same proportion and becomes non-farm land (background water and concentration).
    areas = prep.areas.copy()
    total_farm = areas.sum()
    if lv.farmland_loss_ha > 0 and total_farm > 0:
        areas *= 1.0 - min(lv.farmland_loss_ha / total_farm, 1.0)
    arable = np.array([c not in ("grassland",) for c in CROP_NAMES])
    moved = areas[:, arable] * lv.grassland_conversion
    areas[:, arable] -= moved
    areas[:, CROP_NAMES.index("grassland")] += moved.sum(axis=1)
    z = prep.communes["zone"].to_numpy()
    farm_water = (areas * (drainage[z] + runoff[z])).sum(axis=1)  # mm·ha
    farm_runoff = (areas * runoff[z]).sum(axis=1)
    n_leached = (areas * leached[z]).sum(axis=1)  # kg N
    nonfarm = np.maximum(prep.communes["area_ha"].to_numpy() - areas.sum(axis=1), 0.0)
    gi = CROP_NAMES.index("grassland")
    nonfarm_water = nonfarm * (drainage[z, gi] + runoff[z, gi])
    total_water = farm_water + nonfarm_water
    w = station_weights(prep)
    tw = w @ total_water
    background = w @ (nonfarm_water + farm_runoff)
    terms = nit.StationTerms(
        x_agri=nit.NO3_PER_N * 100.0 * (w @ n_leached) / np.where(tw > 0, tw, np.nan),
        f_background=background / np.where(tw > 0, tw, np.nan))
    no3 = nit.station_concentration(terms, k, retention, c_background)
    irr_need = wb["irrigation"][..., 1]  # (zone, crop) mm on irrigated fields
    irrigated_ha = areas * s_irr[None, :]
    need_m3 = float((irrigated_ha * irr_need[z]).sum() * 10.0)
    # monthly net need (m³) per commune, then supplied after restriction per station catchment
    commune_month = np.einsum("ic,icm->im", irrigated_ha,
                              wb["irrigation_monthly"][..., 1, :][z]) * 10.0
    supplied_month = commune_month * (1.0 - lv.restriction)
    station_supplied = w @ supplied_month
    eff = lv.application_efficiency  # withdrawal = net supplied / efficiency (irrigation.py)
    farm_ha = float(areas.sum())
    grain = b > 0
    y_weights = areas[:, grain].sum(axis=0) * y_ref[grain]
    mean_rel_yield = rel_yield[z][:, grain]
    yield_index = float((areas[:, grain] * mean_rel_yield * y_ref[grain]).sum()
                        / max(y_weights.sum(), 1e-9))
    return {
        "terms": terms, "no3": no3,
        "station_water_mm_ha": tw,  # water leaving each catchment's communes (mm·ha)
        "commune_n_leached_kg": n_leached,
        "station_background_water_mm_ha": background,
        "irrigation_need_mm3": need_m3 / 1e6,
        "irrigation_supplied_mm3": need_m3 * (1 - lv.restriction) / 1e6,
        "irrigation_withdrawal_mm3": need_m3 * (1 - lv.restriction) / eff / 1e6,
        "irrigation_month_m3": supplied_month.sum(axis=0),  # (12,) territory, supplied
        "withdrawal_month_m3": supplied_month.sum(axis=0) / eff,  # (12,) taken from rivers
        "need_month_m3": commune_month.sum(axis=0),
        "station_irrigation_month_m3": station_supplied,  # (station, 12)
        "station_withdrawal_month_m3": station_supplied / eff,
        "station_area_km2": w @ prep.communes["area_ha"].to_numpy() / 100.0,
        "territory_area_km2": float(prep.communes["area_ha"].sum() / 100.0),
        "drainage_mm": float((areas * drainage[z]).sum() / max(farm_ha, 1e-9)),
        "summer_drainage_mm": float((areas * mix(wb["drainage_summer"])[z]).sum()
                                    / max(farm_ha, 1e-9)),
        "leached_n_t": float(n_leached.sum() / 1000.0),
        "leached_n_kg_ha": float(n_leached.sum() / max(farm_ha, 1e-9)),
        "yield_index": yield_index,
        # per crop: area-weighted FAO-33 relative yield and weight (area × reference yield)
        "crop_rel_yield": (areas * rel_yield[z]).sum(axis=0) / np.maximum(areas.sum(axis=0),
                                                                          1e-9),
        "crop_weight": areas.sum(axis=0) * y_ref,
        "crop_n_factor": n_factor,
        "n_yield_change_pct": float(((areas[:, grain].sum(axis=0) * y_ref[grain]
                                      * n_factor[grain]).sum() / max(y_weights.sum(), 1e-9)
                                     - 1.0) * 100.0),
        "commune_no3": nit.NO3_PER_N * 100 * k * n_leached / np.where(farm_water > 0,
                                                                        farm_water, np.nan),
    }


#: AquaCrop cache settings (grids and seasons, :class:`.aquacrop_yields.YieldCache`); tests
#: may shrink them (they are part of the cache key, so values never mix).
AQUACROP_SETTINGS: dict = {"warming_grid": aq.WARMING_GRID, "rain_grid": aq.RAIN_GRID,
                           "n_seasons": aq.N_SEASONS}
#: Soil water capacity (mm) of the default scenario: the reference of the yield change.
DEFAULT_RU = Levers().taw


def aquacrop_cache(prep: Prepared) -> aq.YieldCache:
    """The AquaCrop yield cache of the territory's representative climate (lazy: AquaCrop
    runs happen on the first request of a crop, soil class and rain change)."""
    key = ("aquacrop", tuple(sorted(AQUACROP_SETTINGS.items())))
    if key not in prep.cache:
        prep.cache[key] = aq.YieldCache(prep.climate, **AQUACROP_SETTINGS)
    return prep.cache[key]


def aquacrop_yields(prep: Prepared, lv: Levers) -> dict[str, float]:
    """Mean grain yield (t/ha) of each AquaCrop crop for one set of levers: rainfed at the
    scenario's warming, summer rain change and soil class; for irrigable crops the share
    supplied with water (equipped share × (1 − restriction)) takes the net-irrigated yield."""
    yc = aquacrop_cache(prep)
    out = {}
    for crop in aq.AQ_CROPS:
        y = yc.yield_at(crop, lv.taw, lv.warming, lv.summer_rain_change_pct)
        if CROPS[crop].irrigable:
            s = lv.irrigated_share * (1.0 - lv.restriction)
            y = (1 - s) * y + s * yc.yield_at(crop, lv.taw, lv.warming, irrigated=True)
        out[crop] = y
    return out


def yield_change(prep: Prepared, out: dict, ref: dict, lv: Levers, lv_ref: Levers
                 ) -> tuple[float, pd.DataFrame]:
    """Production-weighted grain yield change (%) of a scenario vs a reference (outputs of
    :func:`evaluate` and their levers), and the per-crop table: AquaCrop for the crops of
    :data:`.aquacrop_yields.AQ_CROPS`, FAO-33 Ky (relative to the water-unstressed yield) for
    the others."""
    aq_s, aq_r = aquacrop_yields(prep, lv), aquacrop_yields(prep, lv_ref)
    rows, num, den = [], 0.0, 0.0
    for i, crop in enumerate(CROP_NAMES):
        if CROPS[crop].n_per_q <= 0:
            continue  # not a grain crop
        if crop in aq_s:
            model, y_s, y_r = "AquaCrop", aq_s[crop], aq_r[crop]
        else:
            model, y_s, y_r = "FAO-33", out["crop_rel_yield"][i], ref["crop_rel_yield"][i]
        # the N dose's own yield cost (quadratic-plateau, nitrogen.n_yield_factor)
        y_s, y_r = y_s * out["crop_n_factor"][i], y_r * ref["crop_n_factor"][i]
        ratio = y_s / y_r if y_r > 0 else 1.0
        w = out["crop_weight"][i] * (ref["crop_rel_yield"][i] if model == "FAO-33" else 1.0)
        num, den = num + w * ratio, den + w
        rows.append({"crop": crop, "model": model, "scenario": y_s, "reference": y_r,
                     "change_pct": (ratio - 1.0) * 100.0,
                     "units": "t/ha" if model == "AquaCrop" else "-"})
    return (num / den - 1.0) * 100.0 if den > 0 else 0.0, pd.DataFrame(rows)


#: Share of the smaller catchment's area that must lie in the other for two stations to nest.
NESTING_SHARE = 0.9


def nested_groups(prep: Prepared) -> pd.Series:
    """Group of each modelled station (code → int): stations whose catchments nest (≥
    :data:`NESTING_SHARE` of the smaller one's area, commune by commune, inside the other)
    are linked, and a group is a connected set of links — a river system's upstream and
    downstream stations together. Areas from the catchment weights × commune areas."""
    from scipy.sparse.csgraph import connected_components

    area = prep.weights * prep.communes["area_ha"].to_numpy()[None, :]  # (station, commune)
    own = area.sum(axis=1)
    inter = np.stack([np.minimum(area[i][None, :], area).sum(axis=1)
                      for i in range(area.shape[0])]) if len(area) else np.zeros((0, 0))
    nested = inter >= NESTING_SHARE * np.minimum(own[:, None], own[None, :])
    _, labels = connected_components(nested, directed=False)
    return pd.Series(labels, index=prep.stations["code_station"].astype(str).to_numpy())


#: Stations with 2000-2015 nitrate means needed to fit the two parameters (k, retention): as
#: many as the parameters; fewer and the territory cannot be calibrated on its own data. With
#: so few the fit has no out-of-sample skill and its indicators read NaN (evidence rule).
MIN_CALIBRATION_STATIONS = 2


def calibrate_prepared(prep: Prepared, levers: Levers | None = None,
                       c_background: float = 5.0) -> nit.Calibration:
    """Fit the leaching scale k and the in-stream retention on the 2000–2015 station means
    (present practices, calibration-period warming) and score the 2016–2022 held-out means.
    Cached in ``prep`` per RU."""
    lv = levers or Levers()
    key = ("cal", round(lv.taw, 3), c_background, lv.soil_group)
    if key in prep.cache:
        return prep.cache[key]
    ids = prep.stations["code_station"]
    out = {}
    for name, obs, warming in (("cal", prep.obs_cal, CAL_WARMING),
                               ("val", prep.obs_val, VAL_WARMING)):
        t = evaluate(prep, Levers(**{**lv.__dict__, "warming": warming}))["terms"]
        sel = ids.isin(obs.index).to_numpy() & np.isfinite(t.x_agri)
        out[name] = (obs.reindex(ids[sel]),
                     nit.StationTerms(t.x_agri[sel], t.f_background[sel]))
    n_cal, n_val = len(out["cal"][0]), len(out["val"][0])
    if n_cal < MIN_CALIBRATION_STATIONS or n_val < 1:
        raise TwinInputError("agri_too_few_stations", "nitrates", n_cal=n_cal, n_val=n_val,
                             need=MIN_CALIBRATION_STATIONS)
    cal = nit.calibrate(out["cal"][0], out["cal"][1], out["val"][0], out["val"][1],
                        c_background, groups=nested_groups(prep))
    prep.cache[key] = cal
    return cal
