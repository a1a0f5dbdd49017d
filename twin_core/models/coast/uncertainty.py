"""Uncertain inputs of the coast model (drawn around the values the user sets).

- Sea-level rise: ``slr_likely_position`` uniform over [−1, +1], i.e. anywhere within the IPCC
  AR6 likely range at the warming level of the draw (AR6 WGI SPM B.5.3; sea_level.py), on top
  of the warming spread (twin_core.ensemble.WARMING).
- Estuary surge ratio (Ambès / Le Verdon): storm Martin 1999 gives 1.50 at Ambès and 1.45 at
  Bordeaux for the surge against the predicted tide (Smiddest, low), 2.04 for the rise above
  the normal high tide from Le Verdon to Le Marquis (Géomorphologie 2002, medium): uniform
  from −0.05 to +0.54 around the value set (1.45-2.04 at the default).
- Bruun active-profile length L and closure depth h: no published Aquitaine values
  (domain_facts A2, "not found"): uniform ±30 % of L and ±5 m of h (assumption; h stays in
  the 5-20 m range cited in retreat.py at the default 15 m).
- Single major-event retreat: OCA 2016 gives "typically ≈ 20 m" (BRGM press release 2016,
  domain_facts A2, high): ±50 % of the value set (10-30 m at the default), so that a storm
  retreat set to 0 stays 0.
"""

from twin_core.ensemble import Uncertain, declare_uncertainty

declare_uncertainty(
    "coast.risk",
    Uncertain("slr_likely_position", "uniform", -1.0, 1.0,
              source="IPCC AR6 WGI SPM B.5.3, likely range at the warming level"),
    Uncertain("estuary_surge_ratio", "uniform", -0.05, 0.54,
              source="storm Martin 1999: 1.45-2.04 (Smiddest; Géomorphologie 2002)"),
    Uncertain("active_length_m", "uniform", -375.0, 375.0, source="assumption ±30 %"),
    Uncertain("closure_depth_m", "uniform", -5.0, 5.0, source="assumption ±5 m"),
    Uncertain("event_retreat_m", "relative_uniform", 0.5,
              source="OCA 2016 (BRGM), ≈20 m; ±50 %, 0 stays 0"),
)
