"""Coast checks: IPCC AR6 sea-level ranges, storm levels against their sources, EAD method."""

from __future__ import annotations

import numpy as np

from twin_core.validation import CheckResult, check, in_range, within

AR6 = "IPCC AR6 WGI SPM B.5.3, global mean sea level vs 1995-2014, likely range"


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


@check("coast.ead_method", "coast")
def _ead_method() -> list[CheckResult]:
    from twin_core.models.coast.exposure import expected_annual_damage

    src = ("Rosbjerg (2024) Proc. IAHS 385, doi:10.5194/piahs-385-25-2024: damage log-linear in "
           "the return period, integrated exactly")
    # D = 100·log10(T) from 1 to 100 yr, 200 beyond: ∫ from 0.01 to 1 of (100/ln 10)(−ln p) dp
    # = (100/ln 10)(0.99 − 0.01·ln 100) + 0.01·200
    import math

    expected = 100 / math.log(10) * (0.99 - 0.01 * math.log(100)) + 2.0
    got = expected_annual_damage([1, 10, 100], [0.0, 100.0, 200.0])
    rows = [CheckResult("coast.ead_method.three_points", "coast",
                        "EAD of a three-point damage curve (0 at 1 yr, 100 at 10 yr, 200 at "
                        "100 yr)", src, got, f"{expected:.3f}", "1e-9 relative",
                        within(got, expected, abs(expected) * 1e-9))]
    # a damage-start return period: 0 at 5 yr rising to 100 at 10 yr, nothing more frequent
    start = 100 / math.log(2) * ((0.2 - 0.1) - (0.2 * math.log(0.2) - 0.1 * math.log(0.1))) \
        - 100 * math.log(5) / math.log(2) * (0.2 - 0.1) + 0.1 * 100
    got = expected_annual_damage([1, 2, 10], [0.0, 0.0, 100.0], start_rp=5.0)
    rows.append(CheckResult("coast.ead_method.damage_start", "coast",
                            "EAD with damage starting at the 5-yr event (100 at 10 yr)", src, got,
                            f"{start:.4f}", "1e-9 relative", within(got, start, abs(start) * 1e-9)))
    return rows


@check("coast.storm_levels", "coast")
def _storm_levels() -> list[CheckResult]:
    from twin_core.models.coast.submersion import (
        MARTIN_1999_SURGE_M,
        REACH_XY,
        SURGE_M,
        XYNTHIA_2010_SURGE_M,
        estuary_position,
        reach_factor,
    )

    def factor(name: str) -> float:
        x, y = REACH_XY[name]
        return float(reach_factor(estuary_position(np.array([x]), np.array([y]))[0]))

    martin = "storm Martin 27 Dec 1999, surge against the predicted tide (Smiddest; low)"
    rows = [CheckResult(
        "coast.storm_levels.xynthia_100yr_surge", "coast",
        "100-yr surge at Le Verdon (m), against Xynthia's high-water surge there",
        "SONEL/SHOM, Xynthia 2010 at Pointe de Grave: 0.98 m, ≈ the SHOM/CETMEF 100-yr level "
        "(Chauveau, Atlas Bleu CNRS)", SURGE_M[100], "0.98", "0.05",
        within(SURGE_M[100], XYNTHIA_2010_SURGE_M["le_verdon"], 0.05))]
    base = MARTIN_1999_SURGE_M["le_verdon"]
    for reach, tol in (("ambes", 0.01), ("bordeaux", 0.05)):
        want = MARTIN_1999_SURGE_M[reach] / base
        got = factor(reach)
        rows.append(CheckResult(
            f"coast.storm_levels.martin_ratio_{reach}", "coast",
            f"surge at {reach.capitalize()} / surge at Le Verdon (model reach factor)", martin,
            got, f"{want:.3f}", str(tol), within(got, want, tol)))
    got = factor("pauillac")
    rows.append(CheckResult(
        "coast.storm_levels.gradient_monotone", "coast",
        "reach factor at Pauillac (mid-estuary) between Le Verdon and Ambès", martin, got,
        f"1–{MARTIN_1999_SURGE_M['ambes'] / base:.3f}", "within",
        in_range(got, 1.0, MARTIN_1999_SURGE_M["ambes"] / base)))
    return rows


@check("coast.pprl_breach", "coast")
def _pprl_breach() -> list[CheckResult]:
    """The breach option's precaution band on a hand-built strip (10 m cells, sea | dike |
    flat land), against the rule: width = 100 × water height behind the dike, at least 50 m."""
    from twin_core.models.coast.submersion import breach_flood, burn_dike, flooded_mask

    src = ("décret n° 2019-715 (5 July 2019) art. R. 562-11-4 and arrêté of 5 July 2019 art. 3: "
           "precaution band = 100 × water height behind the work, at least 50 m")
    rows = []
    for ground, expected in ((2.0, 100.0), (2.5, 50.0), (1.0, 200.0)):
        z0 = np.full((3, 60), ground, dtype=np.float32)
        z0[:, :5] = -5.0
        dike = np.zeros(z0.shape, dtype=bool)
        dike[:, 5] = True
        z = burn_dike(z0, dike, 6.0)
        sea = np.zeros(z.shape, dtype=bool)
        sea[:, :5] = True
        out = breach_flood(z0, z, flooded_mask(z, 3.0, sea), dike, 3.0, (10.0, 10.0))
        got = float(np.count_nonzero(out[1, 6:]) * 10.0)  # flooded metres behind the dike
        rows.append(CheckResult(
            f"coast.pprl_breach.band_{3.0 - ground:.1f}m", "coast",
            f"band flooded behind a breached dike, water {3.0 - ground:.1f} m above the "
            "ground behind it (m)", src, got, f"{expected:.0f}", "one 10 m cell",
            within(got, expected, 10.0)))
    return rows
