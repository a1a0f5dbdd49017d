"""Coast checks: IPCC AR6 sea-level ranges."""

from __future__ import annotations

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
