"""Uncertain inputs of the forest model (drawn around the values the user sets).

- Annual precipitation change: CMIP6/EURO-CORDEX projections for south-eastern France
  disagree in sign, spread of the order of ±10 % at +2 to +4 °C (DRIAS 2020 "Explore2"/
  "Les nouvelles projections climatiques de référence DRIAS-2020"; assumption on the figure):
  normal, sd 10 %.
- Species-envelope margin: the envelope bounds are low-confidence orders of magnitude
  (suitability.py): uniform ±0.5 °C on the assumed thermal margin.
"""

from twin_core.ensemble import Uncertain, declare_uncertainty

declare_uncertainty(
    "forest.climate_risk",
    Uncertain("precip_change_pct", "normal", 10.0, source="DRIAS-2020 spread (assumption)"),
    Uncertain("assumed_margin_c", "uniform", -0.5, 0.5, source="envelope bounds, low confidence"),
)
