"""Nitrogen: COMIFER-style balance per crop → leached N → nitrate in drainage and at stations.

Sources and choices:
- COMIFER balance (Comifer 2013, "Calcul de la fertilisation azotée"; domain_facts C1): the
  dose X = (Pf + Rf) − (supplies). Simplified here: crop requirement Pf = b × Y (b kg N per
  quintal, Y q/ha: :mod:`crops`), end-of-season residual target Rf and soil supplies S lumped
  as parameters (defaults Rf = 20, S = 60 kg N/ha: documented orders of magnitude; no
  Côte-d'Or value in the corpus), so the balance dose is X = max(b Y + Rf − S, 0).
- Residual mineral N after harvest vs the dose (:func:`residual_mineral_n`), plateau-linear
  after Chaney (1990), "Effect of nitrogen fertilizer rate on soil nitrate nitrogen content
  after harvesting winter wheat", J. Agric. Sci. 114:171-176 (8 English sites, 1987-88):
  increases up to the economic optimum N rate were small and not significant, and at the
  optimum residues did not differ from unfertilised plots; above it each further kg raised
  residual nitrate. So R(N) = R_flat + s × max(N − N_eco, 0). Parameters per crop:
  N_tech = the COMIFER balance dose X (aimed at the target yield: the technical optimum, the
  present practice of the default scenario); N_eco = X − g with g = :data:`ECONOMIC_GAP_KG`
  = 20 kg N/ha, the gap Arvalis gives between technical and technico-economic optimum for
  wheat at 240 €/t and N at 2 €/kg (G. Véricel, La France Agricole; > 600 trials; applied to
  every crop: assumption); s = :data:`RESIDUAL_SLOPE` = 0.5 kg residual N per kg N beyond the
  optimum (no published slope found: assumption, plausible range 0.3-0.8); R_flat so that
  R(X) = the crop's reference ``CropParams.autumn_n`` (R_flat = autumn_n − s × g, at least 40 %
  of it). Raun & Johnson (Oklahoma, 4 long-term wheat trials) found profile N rising only
  > 23.3 kg N/ha beyond the maximum-yield rate: the threshold is uncertain between N_eco and
  N_tech + 23, the lower (Chaney) reading is used. Autumn mineral N = R(N) + the N the crop
  did not take up because of water stress, b Y (1 − Ya/Ym).
- Yield response to the dose (:func:`n_yield_factor`): quadratic-plateau, Y = Ymax − a (X −
  N)² below X, plateau above; its curvature a = (p_N / p_grain) / (2 g) places the economic
  optimum (dY/dN = p_N / p_grain) exactly g below X, with the same Arvalis prices (2 €/kg N,
  24 €/q of wheat: 1/12 q per kg N), expressed relative to the wheat reference yield and
  applied to every grain crop (assumption). So cutting an excessive dose mostly cuts leaching,
  and cutting below the optimum mostly costs yield.
- Leached fraction: 1 − exp(−D / W), the drainage D (mm/yr) relative to the water held in the
  soil profile W (mm, default 2 × RU: field capacity ≈ twice the available water), after
  Burns (1975) "An equation to predict the leaching of surface-applied nitrate", J. Agric. Sci.
  85:443.
- Cover crops (CIPAN) on soils bare in winter reduce leaching (INRA 2012, Justes et al.,
  "Réduire les fuites de nitrate au moyen de cultures intermédiaires", domain_facts C2:
  qualitative only): the reduction is the parameter ``cover_efficacy`` (default 0.5, a
  documented assumption, not a published Côte-d'Or figure).
- Concentration: C [mg NO3-N/L] = 100 × N [kg/ha] / D [mm]; mg NO3/L = 4.427 × mg NO3-N/L.
- Station: flow-weighted mixing of the water leaving every commune of the catchment (drainage
  and runoff of farmland, water of non-farm land at a background concentration ``c_background``
  = 5 mg NO3/L, typical of forested headwaters, parameter), then in-stream retention r:
  C_station = (1 − r) × C_mix. The leaching scale k and r are calibrated on the Naïades station
  means (:func:`calibrate`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

NO3_PER_N = 4.427  # mg NO3/L per mg NO3-N/L
LIMIT_NO3 = 50.0  # Nitrates Directive / drinking water limit, mg NO3/L
VIGILANCE_NO3 = 25.0  # reporting class (domain_facts C4), mg NO3/L


def no3_n_concentration(n_leached_kg_ha: np.ndarray, drainage_mm: np.ndarray) -> np.ndarray:
    """mg NO3-N/L of drainage water: 100 × N (kg/ha) / D (mm); NaN where D = 0."""
    d = np.asarray(drainage_mm, float)
    return np.where(d > 0, 100.0 * np.asarray(n_leached_kg_ha, float) / np.where(d > 0, d, 1),
                    np.nan)


def no3_concentration(n_leached_kg_ha: np.ndarray, drainage_mm: np.ndarray) -> np.ndarray:
    """mg NO3/L of drainage water (= 4.427 × mg NO3-N/L)."""
    return NO3_PER_N * no3_n_concentration(n_leached_kg_ha, drainage_mm)


def balance_dose(n_per_q: np.ndarray, yield_q: np.ndarray, rf: float = 20.0,
                 supply: float = 60.0) -> np.ndarray:
    """COMIFER-style balance dose X = max(b Y + Rf − S, 0) (kg N/ha); 0 for non-grain crops."""
    need = np.asarray(n_per_q, float) * np.asarray(yield_q, float)
    return np.where(need > 0, np.maximum(need + rf - supply, 0.0), 0.0)


#: Technical minus economic optimum N dose (kg N/ha): Arvalis, wheat 240 €/t, N 2 €/kg.
ECONOMIC_GAP_KG = 20.0
#: Price ratio of that Arvalis example: quintals of wheat per kg N (2 €/kg ÷ 24 €/q).
PRICE_RATIO_Q_PER_KG = 2.0 / 24.0
#: Wheat reference yield (q/ha, Côte-d'Or, crops.py) that makes the curvature relative.
WHEAT_YIELD_Q = 73.1
#: Residual mineral N per kg N beyond the economic optimum (assumption, range 0.3-0.8).
RESIDUAL_SLOPE = 0.5


def residual_mineral_n(autumn_ref: np.ndarray, dose: np.ndarray, fert_change: float,
                       slope: float = RESIDUAL_SLOPE, gap: float = ECONOMIC_GAP_KG
                       ) -> np.ndarray:
    """Residual mineral N after harvest (kg N/ha) at the dose X (1 + ``fert_change``), X the
    balance dose (technical optimum): flat below the economic optimum X − gap, rising by
    ``slope`` per kg above it (Chaney 1990; module docstring); equal to ``autumn_ref`` at X.
    Crops without a dose (X = 0) keep ``autumn_ref``."""
    x = np.asarray(dose, float)
    ref = np.asarray(autumn_ref, float)
    n = x * (1.0 + fert_change)
    n_eco = np.maximum(x - gap, 0.0)
    flat = np.maximum(ref - slope * (x - n_eco), 0.4 * ref)
    return np.where(x > 0, flat + slope * np.maximum(n - n_eco, 0.0), ref)


def n_yield_factor(dose: np.ndarray, fert_change: float, gap: float = ECONOMIC_GAP_KG,
                   price_ratio: float = PRICE_RATIO_Q_PER_KG) -> np.ndarray:
    """Relative grain yield of the dose X (1 + ``fert_change``) vs the technical optimum X:
    1 − a (X − N)² / Y_wheat below X (a = price_ratio / (2 gap), q/ha per (kg N)²), 1 above
    (plateau); clipped at 0. 1 for crops without a dose."""
    x = np.asarray(dose, float)
    short = np.maximum(-x * fert_change, 0.0)  # kg N below the technical optimum
    a = price_ratio / (2.0 * gap)
    return np.where(x > 0, np.clip(1.0 - a * short ** 2 / WHEAT_YIELD_Q, 0.0, 1.0), 1.0)


def autumn_mineral_n(autumn_ref: np.ndarray, dose: np.ndarray, fert_change: float,
                     uptake_deficit: np.ndarray) -> np.ndarray:
    """Mineral N at the start of the drainage season (kg N/ha): the residual after harvest at
    the applied dose (:func:`residual_mineral_n`) + the N not taken up because of water stress
    (``uptake_deficit``, kg N/ha). ``fert_change``: relative change of the dose (−0.2 = 20 %
    less than the balance dose)."""
    return residual_mineral_n(autumn_ref, dose, fert_change) + np.maximum(uptake_deficit, 0.0)


def leached_fraction(drainage_mm: np.ndarray, profile_water_mm: float) -> np.ndarray:
    """Burns-type fraction of the profile's nitrate leached by a drainage D: 1 − exp(−D/W)."""
    return 1.0 - np.exp(-np.maximum(np.asarray(drainage_mm, float), 0.0) / profile_water_mm)


def leaching(autumn_n: np.ndarray, drainage_mm: np.ndarray, profile_water_mm: float,
             winter_bare: np.ndarray, cover_share: float, cover_efficacy: float = 0.5
             ) -> np.ndarray:
    """Leached N (kg N/ha/yr): autumn N × leached fraction × cover-crop reduction on the fields
    bare in winter (share ``cover_share`` of them carry a CIPAN cutting leaching by
    ``cover_efficacy``)."""
    cover = np.where(np.asarray(winter_bare, bool), 1.0 - cover_share * cover_efficacy, 1.0)
    return np.asarray(autumn_n, float) * leached_fraction(drainage_mm, profile_water_mm) * cover


@dataclass(frozen=True)
class StationTerms:
    """Per station: x_agri = NO3 (mg/L) that farm leaching alone would give with k = 1,
    f_background = share of the water coming from non-farm land and runoff."""

    x_agri: np.ndarray
    f_background: np.ndarray


def station_concentration(terms: StationTerms, k: float, retention: float,
                          c_background: float = 5.0) -> np.ndarray:
    """C_station = (1 − r) (k x_agri + c_background f_background), mg NO3/L."""
    return (1.0 - retention) * (k * terms.x_agri + c_background * terms.f_background)


@dataclass(frozen=True)
class Calibration:
    k: float
    retention: float
    c_background: float
    table: pd.DataFrame  # per station: period, observed, predicted
    metrics: dict[str, float]


def _fit_k_r(obs: np.ndarray, terms: StationTerms, c_background: float) -> tuple[float, float]:
    from scipy.optimize import least_squares

    def resid(theta: np.ndarray) -> np.ndarray:
        return station_concentration(terms, theta[0], theta[1], c_background) - obs

    fit = least_squares(resid, x0=[1.0, 0.2], bounds=([1e-3, 0.0], [50.0, 0.9]))
    return float(fit.x[0]), float(fit.x[1])


#: Folds of the stations-out cross-validation (seeded).
CV_FOLDS = 5


def stations_out_skill(obs_cal: pd.Series, terms_cal: StationTerms, obs_val: pd.Series,
                       terms_val: StationTerms, c_background: float = 5.0) -> dict[str, float]:
    """Skill on stations AND years the fit never saw: 5 seeded folds of whole stations
    (scikit-learn KFold); k and r are fitted on the other stations' 2000–2015 means and predict
    the held-out stations' 2016–2022 means. R² against the training stations' mean (the
    no-information forecast). Nested catchments may share land across folds (a station
    downstream of a held-out one): the figure is then optimistic, never pessimistic."""
    from sklearn.model_selection import KFold

    val = pd.Series(np.arange(len(obs_val)), index=obs_val.index)
    common = np.array([code in val.index for code in obs_cal.index])
    stations = np.flatnonzero(common)
    if len(stations) < CV_FOLDS * 2:
        return {"r2_cv": float("nan"), "bias_cv": float("nan"), "n_cv": float(len(stations))}
    splits = KFold(CV_FOLDS, shuffle=True, random_state=0).split(stations)
    r2_cv, bias, n = _out_of_fold(splits, stations, val, obs_cal, terms_cal, obs_val,
                                  terms_val, c_background)
    return {"r2_cv": r2_cv, "bias_cv": bias, "n_cv": float(n)}


def _out_of_fold(splits, stations, val, obs_cal, terms_cal, obs_val, terms_val,
                 c_background: float) -> tuple[float, float, int]:
    """Fit k and r on each split's training stations (2000–2015 means), predict its held-out
    stations' 2016–2022 means: (R² against the training mean, bias, n)."""
    pred, obs, null = [], [], []
    for train, test in splits:
        tr = stations[train]
        k, r = _fit_k_r(obs_cal.values[tr], StationTerms(terms_cal.x_agri[tr],
                                                         terms_cal.f_background[tr]),
                        c_background)
        te = val[obs_cal.index[stations[test]]].to_numpy()
        pred.append(station_concentration(StationTerms(terms_val.x_agri[te],
                                                       terms_val.f_background[te]),
                                          k, r, c_background))
        obs.append(obs_val.values[te])
        null.append(np.full(len(te), obs_cal.values[tr].mean()))
    pred, obs, null = (np.concatenate(x) for x in (pred, obs, null))
    sst = float(((obs - null) ** 2).sum())
    r2 = 1.0 - float(((obs - pred) ** 2).sum()) / sst if sst > 0 else float("nan")
    return r2, float((pred - obs).mean()), len(obs)


def catchments_out_skill(obs_cal: pd.Series, terms_cal: StationTerms, obs_val: pd.Series,
                         terms_val: StationTerms, groups: pd.Series,
                         c_background: float = 5.0) -> dict[str, float]:
    """Leave-catchments-out skill: whole river systems held out. ``groups`` maps each station
    code to its group (stations whose catchments nest, upstream and downstream, share a group:
    :func:`twin_core.models.agriculture.pipeline.nested_groups`); scikit-learn GroupKFold over
    the groups (5 folds, or one per group when fewer): k and r are fitted on the other groups'
    2000–2015 means and predict the held-out groups' 2016–2022 means. No held-out station
    shares land with a training station through nesting, so the score does not borrow the
    fitted stations' own water. R² against the training stations' mean; bias = mean(pred −
    obs), mg NO3/L."""
    from sklearn.model_selection import GroupKFold

    val = pd.Series(np.arange(len(obs_val)), index=obs_val.index)
    stations = np.flatnonzero([code in val.index and code in groups.index
                               for code in obs_cal.index])
    g = groups.reindex(obs_cal.index[stations]).to_numpy()
    n_groups = len(set(g))
    if n_groups < 3:
        return {"r2_lco": float("nan"), "bias_lco": float("nan"),
                "n_lco": float(len(stations)), "groups_lco": float(n_groups)}
    splits = GroupKFold(min(CV_FOLDS, n_groups)).split(stations, groups=g)
    r2_lco, bias, n = _out_of_fold(splits, stations, val, obs_cal, terms_cal, obs_val,
                                   terms_val, c_background)
    return {"r2_lco": r2_lco, "bias_lco": bias, "n_lco": float(n),
            "groups_lco": float(n_groups)}


#: Mean transit time (years) of leached nitrate to the stations: default and plausible range.
#: Lowland Dutch stream: trend reversal 5-10 years after the 1980s input cut (Kaandorp et al.
#: 2021, HESS 25:3691); 34 New Zealand catchments: lags of 1-12 years (McDowell et al., Sci.
#: Rep.); the Paris-basin chalk moves nitrate ≈ 0.5 m/yr through a thick unsaturated zone, i.e.
#: decades (BRGM SIGES Seine-Normandie). No Côte-d'Or (karst) value was found: 5 years,
#: range 1-12, one value for every catchment (a scenario parameter).
TRANSIT_TIME_YEARS, TRANSIT_TIME_RANGE = 5.0, (1.0, 12.0)


def transit_response(years_since_change, mean_transit_years: float) -> np.ndarray:
    """Share of a step change of the leached-N input seen at the station after t years, for an
    exponential transit-time distribution g(t) = exp(−t/τ)/τ (the well-mixed "exponential
    model" of lumped-parameter hydrology, Maloszewski & Zuber 1982, J. Hydrol. 57:207): the
    step response ∫₀ᵗ g = 1 − exp(−t/τ); 0 before the change; τ = 0 is immediate."""
    t = np.asarray(years_since_change, float)
    if mean_transit_years <= 0:
        return np.where(t >= 0, 1.0, 0.0)
    return np.where(t > 0, 1.0 - np.exp(-np.maximum(t, 0.0) / mean_transit_years), 0.0)


def r2(obs: np.ndarray, pred: np.ndarray, reference_mean: float | None = None) -> float:
    """Coefficient of determination 1 − SSE/SST (SST around ``reference_mean``, default the
    mean of ``obs``: on held-out data pass the calibration mean, the null model)."""
    obs, pred = np.asarray(obs, float), np.asarray(pred, float)
    m = obs.mean() if reference_mean is None else reference_mean
    sst = float(((obs - m) ** 2).sum())
    return 1.0 - float(((obs - pred) ** 2).sum()) / sst if sst > 0 else np.nan


def calibrate(obs_cal: pd.Series, terms_cal: StationTerms, obs_val: pd.Series,
              terms_val: StationTerms, c_background: float = 5.0,
              groups: pd.Series | None = None) -> Calibration:
    """Least-squares fit of k > 0 and 0 ≤ r ≤ 0.9 on the calibration station means, then the
    held-out (validation) period. ``obs_*`` are indexed like the terms' arrays (station codes).
    ``groups`` (station code → nested-catchment group) adds the leave-catchments-out skill.
    """
    k, r = _fit_k_r(obs_cal.values, terms_cal, c_background)
    pred_cal = station_concentration(terms_cal, k, r, c_background)
    pred_val = station_concentration(terms_val, k, r, c_background)
    null = float(obs_cal.mean())
    table = pd.concat([
        pd.DataFrame({"code_station": obs_cal.index, "period": "2000-2015",
                      "observed": obs_cal.values, "predicted": pred_cal}),
        pd.DataFrame({"code_station": obs_val.index, "period": "2016-2022",
                      "observed": obs_val.values, "predicted": pred_val})], ignore_index=True)
    table["residual"] = table["predicted"] - table["observed"]
    sse = {p: float((g["residual"] ** 2).sum()) for p, g in table.groupby("period")}
    sse_null = {"2000-2015": float(((obs_cal - null) ** 2).sum()),
                "2016-2022": float(((obs_val - null) ** 2).sum())}
    metrics = {
        "k": k, "retention": r, "n_cal": float(len(obs_cal)), "n_val": float(len(obs_val)),
        "bias_cal": float((pred_cal - obs_cal.values).mean()),
        "bias_val": float((pred_val - obs_val.values).mean()),
        "r2_cal": r2(obs_cal.values, pred_cal),
        "r2_val": r2(obs_val.values, pred_val, reference_mean=null),
        "sse_cal": sse["2000-2015"], "sse_null_cal": sse_null["2000-2015"],
        "sse_val": sse["2016-2022"], "sse_null_val": sse_null["2016-2022"],
        "null_mean": null,
        **stations_out_skill(obs_cal, terms_cal, obs_val, terms_val, c_background),
    }
    if groups is not None:
        metrics.update(catchments_out_skill(obs_cal, terms_cal, obs_val, terms_val, groups,
                                            c_background))
    return Calibration(k=k, retention=r, c_background=c_background, table=table, metrics=metrics)
