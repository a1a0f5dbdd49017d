"""Uncertain inputs of the ZAN model (drawn around the values the user sets).

- Population growth: INSEE Omphale 2022 projections give low/high variants about ±0.3 %/yr
  apart from the central one at département scale; taken as a normal law, sd 0.3 %/yr
  (assumption, low confidence at commune scale).
- Household size trend: sd 0.15 %/yr around the set trend (INSEE: −0.4 to −0.6 %/yr observed
  2008-2019 in France; assumption).
- Each commune's own growth (issue 15): every draw also gives every commune a growth deviation
  around the group's, sd ``commune_growth_sd_pct`` (0.87 %/yr, the spread of the Ain communes'
  2014-2020 growth, Cerema/INSEE file) with the declared correlation
  ``departement_correlation`` (0.5, assumption) between two communes of one département, none
  across départements (:func:`twin_core.models.zan.projection.commune_deviation`). The draw
  is a seed (``commune_draw``, uniform over 1 … 2³¹ − 2), so the deviations are the same in
  the vectorised ensemble, one model run per draw, and any chunking on Dask.
"""

from twin_core.ensemble import Uncertain, declare_uncertainty

declare_uncertainty(
    "zan.trajectory",
    Uncertain("population_growth_pct", "normal", 0.3, source="INSEE Omphale 2022 variants"),
    Uncertain("household_trend_pct", "normal", 0.15, source="INSEE census 2008-2019 trend"),
    Uncertain("commune_draw", "uniform", 1.0, 2.0**31 - 2.0, seed=True,
              source="seed of the commune growth deviations (sd commune_growth_sd_pct, "
                     "correlation departement_correlation within a département)"),
)
