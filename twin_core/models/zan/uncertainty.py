"""Uncertain inputs of the ZAN model (drawn around the values the user sets).

- Population growth: INSEE Omphale 2022 projections give low/high variants about ±0.3 %/yr
  apart from the central one at département scale; taken as a normal law, sd 0.3 %/yr
  (assumption, low confidence at commune scale).
- Household size trend: sd 0.15 %/yr around the set trend (INSEE: −0.4 to −0.6 %/yr observed
  2008-2019 in France; assumption).
"""

from twin_core.ensemble import Uncertain, declare_uncertainty

declare_uncertainty(
    "zan.trajectory",
    Uncertain("population_growth_pct", "normal", 0.3, source="INSEE Omphale 2022 variants"),
    Uncertain("household_trend_pct", "normal", 0.15, source="INSEE census 2008-2019 trend"),
)
