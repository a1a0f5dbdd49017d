"""Forest checks: FWI 1985 table, Rothermel against BehavePlus 5, dieback skill."""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin_core.validation import CheckResult, check, reference_table, within

FWI_REF = "Van Wagner & Pickett 1985, FWI FORTRAN test table (49 days, 44° N)"
ROTH_REF = "BehavePlus 5, Rothermel 1972 with Scott & Burgan 2005 fuel models (30 rows)"


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


FWI_XCLIM_REF = ("xclim 0.62 cffwis_indices (the cffdrs R algorithm, Wang et al. 2017), same start "
                 "codes, no overwintering or season start-up")


@check("forest.fwi_xclim", "forest")
def _fwi_xclim() -> list[CheckResult]:
    from twin_core.models.forest import fire_weather as fw

    years, cells = 2, 8  # modest: xclim's import and both compilations dominate
    try:
        diff = fw.max_difference_vs_xclim(years, cells, seed=13)
        note = ""
    except ImportError:
        diff = dict.fromkeys(fw.OUTPUT_COLUMNS, float("nan"))
        note = " — xclim is not installed, not compared"
    return [CheckResult(
        f"forest.fwi_xclim.{col}", "forest",
        f"{col.upper()}: largest difference vs xclim over {years} years × {cells} cells of "
        f"synthetic daily weather at 38–50° N (FFMC constant 147.2 on both sides){note}",
        FWI_XCLIM_REF, err, "xclim's daily values", "0.05", within(err, 0.0, 0.05))
        for col, err in diff.items()]


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
                                      row.slope_pct / 100.0, wind_from_upslope_deg=angle,
                                      wind_limit="rothermel_1972")  # as BehavePlus 5 ran
        windy = bool(row.midflame_wind_mph > 0)
        err[windy] = max(err[windy], abs(ros / fs.CH_PER_H_TO_M_PER_MIN - row.ros_max_ch_per_h))
        if not np.isnan(row.reaction_intensity_btu_ft2_min):
            fire = fs.rothermel_surface(row.fuel_model, 0.04, 0.04, 0.06, herb, 0.70, wind,
                                        row.slope_pct / 100.0, angle,
                                        wind_limit="rothermel_1972")
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


@check("forest.wind_limit", "forest")
def _wind_limit() -> list[CheckResult]:
    """The default setting (no wind limit, Andrews, Cruz & Rothermel 2013) against the same
    BehavePlus 5 table, which was produced with the 0.9 I_R limit: the rows where that limit
    does not bind must agree; where it binds the rate must be higher (physical sense)."""
    from twin_core.models.forest import fire_spread as fs

    ref = pd.read_csv(reference_table("rothermel_behaveplus5_subset.csv"))
    err, bound, faster = 0.0, 0, 0
    for row in ref.itertuples(index=False):
        herb = {"dry": 0.30, "mid": 0.75}[row.moisture_set]
        angle = 0.0 if np.isnan(row.aspect_deg) else (row.wind_dir_deg - row.aspect_deg) % 360.0
        fire = fs.rothermel_surface(row.fuel_model, 0.04, 0.04, 0.06, herb, 0.70,
                                    row.midflame_wind_mph * fs.MPH_TO_M_PER_S,
                                    row.slope_pct / 100.0, angle)  # default: no limit
        ros = float(fire.ros_max_ch_h)
        if float(fire.effective_wind_mph) * 88.0 > 0.9 * float(
                fire.reaction_intensity_btu_ft2_min):
            bound += 1
            faster += ros > row.ros_max_ch_per_h
        else:
            err = max(err, abs(ros - row.ros_max_ch_per_h))
    cite = ("Andrews, Cruz & Rothermel 2013, Int. J. Wildland Fire 22:959 (no wind limit); "
            + ROTH_REF)
    return [
        CheckResult("forest.wind_limit.unbound_rows", "forest",
                    f"no wind limit (default): spread rate on the {len(ref) - bound} rows where "
                    "BehavePlus's 0.9 I_R limit does not bind, largest difference (ch/h)",
                    cite, err, "BehavePlus rows", "0.3 ch/h", within(err, 0.0, 0.3)),
        CheckResult("forest.wind_limit.bound_rows_faster", "forest",
                    f"no wind limit (default): share of the {bound} rows where the 0.9 I_R limit "
                    "binds that spread faster than BehavePlus (physical sense)",
                    cite, faster / bound if bound else float("nan"), "1.0", "1.0",
                    "pass" if bound and faster == bound else "fail"),
    ]


@check("forest.spread_ellipse", "forest")
def _spread_ellipse() -> list[CheckResult]:
    """Grid spread on uniform fuel and wind against the model's own ellipse (BehavePlus SIZE
    module): worst relative area difference over L/W 1-5 and six wind directions."""
    from twin_core.models.forest import fire_spread as fs

    worst = 0.0
    for lw in (1.0, 2.0, 3.0, 4.0, 5.0):
        want = float(fs.fire_ellipse(1.0, lw, 140.0)["area_ha"])
        for wind_dir in (0.0, 22.5, 30.0, 45.0, 67.5, 90.0):
            t = fs.spread_grid(np.full((301, 301), 1.0), lw, wind_dir, (150, 150), 140.0, 1.0)
            got = np.isfinite(t).sum() / 1e4
            worst = max(worst, abs(got / want - 1.0) * 100.0)
    return [CheckResult(
        "forest.spread_ellipse", "forest",
        "burnt area on uniform fuel and wind vs the analytic ellipse of the model's own head "
        "rate, backing rate and L/W: largest difference (%) over L/W 1-5 and wind directions "
        "0, 22.5, 30, 45, 67.5, 90°",
        "BehavePlus SIZE module (Andrews 2018, RMRS-GTR-371; Anderson 1983, INT-305): area = "
        "π/4 × (forward + backing spread) × width, width = length / LW",
        worst, "0 %", "5 %", within(worst, 0.0, 5.0))]


@check("forest.van_wagner_1977", "forest")
def _van_wagner() -> list[CheckResult]:
    """Van Wagner (1977) critical surface intensity against a hand computation (no worked
    example of the paper could be read): CBH 6 m, FMC 100 % → (0.010 × 6 × 3050)^1.5."""
    from twin_core.models.forest import crown as cr

    got = cr.critical_surface_intensity(6.0, 100.0)
    return [CheckResult(
        "forest.van_wagner_1977", "forest",
        "critical surface intensity for crown ignition, CBH 6 m, FMC 100 % (kW/m)",
        "Van Wagner 1977, Can. J. For. Res. 7:23, eq. 4: I0 = (0.010 CBH (460 + 25.9 FMC))^1.5 "
        "— hand computation, not a value printed in the paper",
        got, "2475.6 (hand computation)", "0.1 kW/m", within(got, 2475.58, 0.1))]


def _effects(skill) -> str:
    """Each effect per unit with its 95 % interval, for the page."""
    return "; ".join(f"{k}: {v[0]:+.3g} per unit [{v[1]:+.3g}, {v[2]:+.3g}]"
                     for k, v in skill.effects.items())


@check("forest.dieback_skill", "forest")
def _dieback() -> list[CheckResult]:
    from twin_core import runs
    from twin_core.models.forest import dieback as db

    territory = runs.territory("forest")
    fit = db.fit_dieback(territory.layer("ifn_plots"), territory.layer("communes"),
                         territory.layer("climate_normals"))
    skill = fit.skill()
    effects = _effects(skill)
    return [CheckResult(
        "forest.dieback_skill", "forest",
        f"dieback logistic fit (sample, {fit.n} IFN plots): cross-validated AUC, "
        f"{fit.cv_method}; log-odds effects with 95 % intervals: {effects}",
        "IGN Inventaire forestier national, dead trees per plot (observations)",
        skill.value, "≥ 0.6 and effects' intervals excluding 0", "—",
        "skill" if skill.finding else "no_skill")]


@check("forest.eutrees4f", "forest")
def _eutrees4f() -> list[CheckResult]:
    from twin_core import runs

    table = runs.territory("forest").layer("eu_trees4f")
    rows = []
    for species, g in table.groupby("species", sort=True):
        got = float(g["agreement"].iloc[0])
        rows.append(CheckResult(
            f"forest.eutrees4f.{species.lower()}", "forest",
            f"{species.replace('_', ' ')}: share of European cells where prob ≥ the recovered "
            f"threshold ({float(g['threshold'].iloc[0]):.3f}) equals the published binary map "
            "(cur2005; the binary map is on another 10 km grid)",
            "EU-Trees4F bin_pot and prob_pot layers (Mauri et al. 2022, Sci. Data 9:37)",
            got, "1.0", "≥ 0.94", "pass" if got >= 0.94 else "fail"))
    return rows


@check("forest.dieback_national_skill", "forest")
def _dieback_national() -> list[CheckResult]:
    from twin_core import runs
    from twin_core.models.forest import dieback_national as dn

    territory = runs.territory("forest")
    record = dn.load(territory.root / territory.manifest["fits"]["dieback_national"])
    skill = dn.as_fit(record).skill()
    effects = _effects(skill)
    signs = "as expected" if record["signs_as_expected"] else \
        "NOT as expected (warmer/drier should mean more dieback)"
    return [CheckResult(
        "forest.dieback_national_skill", "forest",
        f"dieback on all IFN plots of France (n = {record['n']}, "
        f"{record['lapse_corrected_plots']} lapse-corrected): cross-validated AUC, "
        f"{record['cv_method']}; effects {signs}: {effects}",
        "IGN Inventaire forestier national 2005-2019, dead trees per plot (observations)",
        skill.value, "≥ 0.6, intervals excluding 0 on the expected side", "—",
        "skill" if skill.finding else "no_skill")]
