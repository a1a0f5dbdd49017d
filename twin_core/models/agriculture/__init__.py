"""Agriculture and water use case: ET0, crop water balance, nitrogen and nitrate in rivers."""

from twin_core.models.agriculture.et0 import (
    actual_vapour_pressure,
    atmospheric_pressure,
    clear_sky_radiation,
    daylight_hours,
    et0_fao56,
    extraterrestrial_radiation,
    mean_saturation_vapour_pressure,
    net_longwave_radiation,
    psychrometric_constant,
    saturation_vapour_pressure,
    slope_vapour_pressure_curve,
)

__all__ = ["actual_vapour_pressure", "atmospheric_pressure", "clear_sky_radiation",
           "daylight_hours", "et0_fao56", "extraterrestrial_radiation",
           "mean_saturation_vapour_pressure", "net_longwave_radiation", "psychrometric_constant",
           "saturation_vapour_pressure", "slope_vapour_pressure_curve"]
