"""Agriculture and water checks: FAO-56 worked examples, AquaCrop's example, FAO field
application efficiencies, nitrate skill."""

from __future__ import annotations

from twin_core.validation import CheckResult, check, within

FAO = "FAO-56 (Allen et al. 1998)"


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


@check("agriculture.irrigation_efficiency", "agriculture")
def _irrigation_efficiency() -> list[CheckResult]:
    """The model's withdrawal of 100 mm of net irrigation per technique against the published
    field application efficiencies (packaged copy of the FAO table)."""
    import pandas as pd

    from twin_core.models.agriculture import irrigation as irr
    from twin_core.validation import reference_table

    ref = pd.read_csv(reference_table("fao_field_application_efficiency.csv"))
    rows = []
    for t in ref.itertuples():
        expected = 100.0 / (t.efficiency_pct / 100.0)
        got = float(irr.withdrawal(100.0, {t.technique: 1.0}))
        rows.append(CheckResult(
            f"agriculture.irrigation_efficiency.{t.technique}", "agriculture",
            f"withdrawal (mm) for 100 mm of net irrigation, {t.method_as_published} "
            f"(field application efficiency {t.efficiency_pct} %)",
            "Brouwer, Prins & Heibloem 1989, FAO Training Manual 4, Annex I, Table 8",
            got, f"{expected:.2f}", "0.01", within(got, expected, 0.01)))
    return rows


def _skill_row(key: str, what: str, reference: str, r2: float) -> CheckResult:
    from twin_core.evidence import is_finding

    return CheckResult(f"agriculture.nitrate_skill.{key}", "agriculture", what, reference, r2,
                       "> 0", "—", "skill" if is_finding("r2", r2) else "no_skill")


@check("agriculture.nitrate_skill", "agriculture")
def _nitrate() -> list[CheckResult]:
    from twin_core import runs
    from twin_core.models.agriculture import pipeline as pl
    from twin_core.models.agriculture.model import prepared

    m = pl.calibrate_prepared(prepared(runs.territory("agriculture"))).metrics
    fit_score = "Naïades station means 2000-2015 (fit) and 2016-2022 (score)"
    return [
        _skill_row("catchments_out",
                   f"nitrate at river systems never seen by the fit (leave-catchments-out: "
                   f"{int(m['groups_lco'])} groups of nested upstream/downstream catchments "
                   f"in 5 folds, n = {int(m['n_lco'])}), years never seen: R² vs the training "
                   f"mean; bias {m['bias_lco']:+.1f} mg/L; crop map synthetic",
                   fit_score, m["r2_lco"]),
        _skill_row("stations_out",
                   f"nitrate at stations never seen by the fit, years never seen "
                   f"(5 folds of whole stations, n = {int(m['n_cv'])}): R² vs the training "
                   f"mean; bias {m['bias_cv']:+.1f} mg/L", fit_score, m["r2_cv"]),
        _skill_row("same_stations",
                   f"nitrate 2016-2022 at the calibration stations (years held out only, "
                   f"n = {int(m['n_val'])}): R²; bias {m['bias_val']:+.1f} mg/L",
                   "Naïades station means", m["r2_val"]),
    ]
