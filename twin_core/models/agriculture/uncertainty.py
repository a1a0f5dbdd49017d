"""Uncertain inputs of the agriculture and water model (drawn around the values the user sets).

- Cover-crop efficacy: INRA 2012 (Justes et al.) reports a reduction of leaching "in most
  situations" without a single figure: uniform ±20 points around the set efficacy.
- Summer rain change: no regional projection here; normal, sd 10 % (assumption).
- Soil water capacity (RU): uniform ±30 mm around the set value (soil maps at 1:250,000
  carry errors of that order; assumption).
"""

from twin_core.ensemble import Uncertain, declare_uncertainty

declare_uncertainty(
    "agriculture.nitrate_water",
    Uncertain("cover_crop_efficacy_pct", "uniform", -20.0, 20.0, source="INRA 2012, qualitative"),
    Uncertain("summer_rain_change_pct", "normal", 10.0, source="assumption"),
    Uncertain("soil_water_capacity_mm", "uniform", -30.0, 30.0, source="assumption"),
)
