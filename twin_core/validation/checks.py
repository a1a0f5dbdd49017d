"""The registered checks (see :mod:`twin_core.validation`). Each reads the model's own functions
at call time, so a broken constant or equation shows here, in the tests and on the page."""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin_core.validation import CheckResult, check, in_range, reference_table, within

TRACC = "TRACC, ministère de la Transition écologique (2023): France +2.0/+2.7/+4.0 °C"
FWI_REF = "Van Wagner & Pickett 1985, FWI FORTRAN test table (49 days, 44° N)"
ROTH_REF = "BehavePlus 5, Rothermel 1972 with Scott & Burgan 2005 fuel models (30 rows)"
FAO = "FAO-56 (Allen et al. 1998)"
AR6 = "IPCC AR6 WGI SPM B.5.3, global mean sea level vs 1995-2014, likely range"


@check("core.tracc", "core")
def _tracc() -> list[CheckResult]:
    from twin_core.scenario import tracc_warming

    return [CheckResult(f"core.tracc.{year}", "core", f"TRACC warming of France in {year} (°C)",
                        TRACC, float(tracc_warming(year)), f"{ref}", "0.01",
                        within(float(tracc_warming(year)), ref, 0.01))
            for year, ref in ((2030, 2.0), (2050, 2.7), (2100, 4.0))]


# -- forest ------------------------------------------------------------------------------------
@check("forest.fwi_1985", "forest")
def _fwi() -> list[CheckResult]:
    from twin_core.models.forest import fire_weather as fw

    ref = pd.read_csv(reference_table("fwi_van_wagner_pickett_1985.csv"))
    weather = ref.rename(columns={"ws": "wind", "pr": "rain", "mth": "month"})[
        ["temp", "rh", "wind", "rain", "month"]]
    out = fw.fwi_daily(weather, lat=float(ref["lat"].iloc[0]), ffmc0=85.0, dmc0=6.0, dc0=15.0)
    rows = []
    for col in fw.OUTPUT_COLUMNS:
        err = float(np.max(np.abs(out[col].to_numpy() - ref[col].to_numpy())))
        rows.append(CheckResult(
            f"forest.fwi_1985.{col}", "forest",
            f"{col.upper()}: largest difference over the 49 days", FWI_REF, err, "0",
            "0.1 (usual criterion, reference README)", "pass" if err <= 0.1 else "fail"))
    return rows


@check("forest.rothermel_behaveplus", "forest")
def _rothermel() -> list[CheckResult]:
    from twin_core.models.forest import fire_spread as fs

    ref = pd.read_csv(reference_table("rothermel_behaveplus5_subset.csv"))
    err = {False: 0.0, True: 0.0}
    ri_err = 0.0
    for row in ref.itertuples(index=False):
        herb = {"dry": 0.30, "mid": 0.75}[row.moisture_set]
        angle = 0.0 if np.isnan(row.aspect_deg) else (row.wind_dir_deg - row.aspect_deg) % 360.0
        wind = row.midflame_wind_mph * fs.MPH_TO_M_PER_S
        ros = fs.rothermel_max_spread(row.fuel_model, 0.04, 0.04, 0.06, herb, 0.70, wind,
                                      row.slope_pct / 100.0, wind_from_upslope_deg=angle)
        windy = bool(row.midflame_wind_mph > 0)
        err[windy] = max(err[windy], abs(ros / fs.CH_PER_H_TO_M_PER_MIN - row.ros_max_ch_per_h))
        if not np.isnan(row.reaction_intensity_btu_ft2_min):
            fire = fs.rothermel_surface(row.fuel_model, 0.04, 0.04, 0.06, herb, 0.70, wind,
                                        row.slope_pct / 100.0, angle)
            ri_err = max(ri_err, abs(float(fire.reaction_intensity_btu_ft2_min)
                                     / row.reaction_intensity_btu_ft2_min - 1.0) * 100.0)
    return [
        CheckResult("forest.rothermel_behaveplus.no_wind", "forest",
                    "head-fire spread rate without wind: largest difference (ch/h)", ROTH_REF,
                    err[False], "BehavePlus rows", "0.1 ch/h", within(err[False], 0.0, 0.1)),
        CheckResult("forest.rothermel_behaveplus.wind", "forest",
                    "head-fire spread rate with wind (and slope): largest difference (ch/h)",
                    ROTH_REF, err[True], "BehavePlus rows", "0.3 ch/h",
                    within(err[True], 0.0, 0.3)),
        CheckResult("forest.rothermel_behaveplus.reaction_intensity", "forest",
                    "reaction intensity: largest relative difference (%)", ROTH_REF, ri_err,
                    "BehavePlus rows", "0.5 %", within(ri_err, 0.0, 0.5)),
    ]


@check("forest.dieback_skill", "forest")
def _dieback() -> list[CheckResult]:
    from twin_core import runs
    from twin_core.models.forest import dieback as db

    territory = runs.territory("forest")
    fit = db.fit_dieback(territory.layer("ifn_plots"), territory.layer("communes"),
                         territory.layer("climate_normals"))
    skill = fit.skill()
    effects = "; ".join(f"{k}: {v[0]:+.3g} per unit [{v[1]:+.3g}, {v[2]:+.3g}]"
                        for k, v in skill.effects.items())
    return [CheckResult(
        "forest.dieback_skill", "forest",
        f"dieback logistic fit (sample, {fit.n} IFN plots): cross-validated AUC, "
        f"{fit.cv_method}; log-odds effects with 95 % intervals: {effects}",
        "IGN Inventaire forestier national, dead trees per plot (observations)",
        skill.value, "≥ 0.6 and effects' intervals excluding 0", "—",
        "skill" if skill.finding else "no_skill")]


# -- agriculture -------------------------------------------------------------------------------
@check("agriculture.fao56", "agriculture")
def _fao56() -> list[CheckResult]:
    from twin_core.models.agriculture import et0 as fao

    p = float(fao.atmospheric_pressure(1800.0))
    cases = [
        ("ex2_pressure", "Example 2: atmospheric pressure at 1,800 m (kPa)", p, 81.8, 0.05),
        ("ex2_gamma", "Example 2: psychrometric constant (kPa/°C)",
         float(fao.psychrometric_constant(p)), 0.054, 0.0005),
        ("ex3_es", "Example 3: e°(24.5 °C) (kPa)",
         float(fao.saturation_vapour_pressure(24.5)), 3.075, 0.0005),
        ("ex3_mean_es", "Example 3: es for 24.5 / 15 °C (kPa)",
         float(fao.mean_saturation_vapour_pressure(24.5, 15.0)), 2.39, 0.005),
        ("ex5_ea", "Example 5: ea from RHmax/RHmin (kPa)",
         float(fao.actual_vapour_pressure(25.0, 18.0, 82.0, 54.0)), 1.70, 0.005),
        ("ex8_ra", "Example 8: Ra on 3 September at 20° S (MJ m-2 d-1)",
         float(fao.extraterrestrial_radiation(-20.0, 246)), 32.2, 0.05),
        ("ex9_n", "Example 9: daylight hours N (h)", float(fao.daylight_hours(-20.0, 246)),
         11.7, 0.05),
        # Example 10 prints 3.5 (0.137 × 0.691 × 37.3 = 3.53); the reference README lists 3.6
        ("ex10_rnl", "Example 10: net longwave radiation (MJ m-2 d-1)",
         float(fao.net_longwave_radiation(25.1, 19.0, 2.1, 14.5, 18.8)), 3.5, 0.1),
        ("ex18_et0", "Example 18: ET0 at Brussels on 6 July (mm/day)",
         float(fao.et0_fao56(21.5, 12.3, 84.0, 63.0, 2.078, 22.07, 100.0, 50.8, 187)), 3.9,
         0.05),
    ]
    return [CheckResult(f"agriculture.fao56.{key}", "agriculture", what, FAO, got, f"{ref}",
                        f"{tol}", within(got, ref, tol)) for key, what, got, ref, tol in cases]


@check("agriculture.aquacrop", "agriculture")
def _aquacrop() -> list[CheckResult]:
    from aquacrop.core import AquaCropModel
    from aquacrop.entities.crop import Crop
    from aquacrop.entities.inititalWaterContent import InitialWaterContent
    from aquacrop.entities.soil import Soil
    from aquacrop.utils.data import get_filepath
    from aquacrop.utils.prepare_weather import prepare_weather

    model = AquaCropModel(sim_start_time="1979/10/01", sim_end_time="1980/05/30",
                          weather_df=prepare_weather(get_filepath("tunis_climate.txt")),
                          soil=Soil("SandyLoam"), crop=Crop("Wheat", planting_date="10/01"),
                          initial_water_content=InitialWaterContent(value=["FC"]))
    model.run_model(till_termination=True)
    got = float(model.get_simulation_results()["Dry yield (tonne/ha)"].iloc[0])
    return [CheckResult("agriculture.aquacrop.tunis", "agriculture",
                        "AquaCrop-OSPy wheat, Tunis 1979/80, sandy loam, rainfed: dry yield "
                        "(t/ha)", "AquaCrop-OSPy 3.1 published example (Foster et al. 2017)",
                        got, "8.94", "0.005", within(got, 8.94, 0.005))]


@check("agriculture.nitrate_skill", "agriculture")
def _nitrate() -> list[CheckResult]:
    from twin_core import runs
    from twin_core.models.agriculture import pipeline as pl
    from twin_core.models.agriculture.model import prepared

    cal = pl.calibrate_prepared(prepared(runs.territory("agriculture")))
    m = cal.metrics
    from twin_core.evidence import is_finding

    return [
        CheckResult("agriculture.nitrate_skill.stations_out", "agriculture",
                    f"nitrate at stations never seen by the fit, years never seen "
                    f"(5 folds of whole stations, n = {int(m['n_cv'])}): R² vs the training "
                    f"mean; bias {m['bias_cv']:+.1f} mg/L",
                    "Naïades station means 2000-2015 (fit) and 2016-2022 (score)",
                    m["r2_cv"], "> 0", "—",
                    "skill" if is_finding("r2", m["r2_cv"]) else "no_skill"),
        CheckResult("agriculture.nitrate_skill.same_stations", "agriculture",
                    f"nitrate 2016-2022 at the calibration stations (years held out only, "
                    f"n = {int(m['n_val'])}): R²; bias {m['bias_val']:+.1f} mg/L",
                    "Naïades station means", m["r2_val"], "> 0", "—",
                    "skill" if is_finding("r2", m["r2_val"]) else "no_skill"),
    ]


# -- coast -------------------------------------------------------------------------------------
@check("coast.ar6_sea_level", "coast")
def _ar6() -> list[CheckResult]:
    from twin_core.models.coast.sea_level import sea_level_rise

    # (SSP, global warming level in that year used by the model, year, likely range)
    cases = [("SSP1-1.9", 1.6, 2050, (0.15, 0.23)), ("SSP1-1.9", 1.4, 2100, (0.28, 0.55)),
             ("SSP5-8.5", 2.4, 2050, (0.20, 0.29)), ("SSP5-8.5", 4.4, 2100, (0.63, 1.01))]
    rows = []
    for ssp, gwl, year, (lo, hi) in cases:
        for option in ("median", "upper"):
            got = float(sea_level_rise(year, gwl, option))
            rows.append(CheckResult(
                f"coast.ar6_sea_level.{ssp.lower()}_{year}_{option}", "coast",
                f"sea-level rise in {year} at {gwl} °C global ({ssp} warming), option "
                f"{option} (m)", AR6, got, f"{lo}–{hi}", "within the likely range",
                in_range(got, lo, hi)))
    got = float(sea_level_rise(2100, 4.4, "high_end"))
    rows.append(CheckResult("coast.ar6_sea_level.high_end_2100", "coast",
                            "high-end sea-level rise in 2100 (m)",
                            "IPCC AR6 WGI SPM B.5.3: 2 m by 2100 cannot be ruled out (low "
                            "confidence)", got, "2.0", "0.01", within(got, 2.0, 0.01)))
    return rows
