"""Uncertain inputs of the coast model (drawn around the values the user sets).

- Bruun active-profile length L and closure depth h: no published Aquitaine values
  (domain_facts A2, "not found"): uniform ±30 % of L and ±5 m of h (assumption).
- Single major-event retreat: OCA 2016 gives "typically ≈ 20 m" (BRGM press release 2016,
  domain_facts A2, high): uniform ±10 m around the set value.
Sea-level rise carries the warming uncertainty (see twin_core.ensemble.WARMING).
"""

from twin_core.ensemble import Uncertain, declare_uncertainty

declare_uncertainty(
    "coast.risk",
    Uncertain("active_length_m", "uniform", -360.0, 360.0, source="assumption ±30 %"),
    Uncertain("closure_depth_m", "uniform", -5.0, 5.0, source="assumption ±5 m"),
    Uncertain("event_retreat_m", "uniform", -10.0, 10.0, source="OCA 2016 (BRGM), ≈20 m"),
)
