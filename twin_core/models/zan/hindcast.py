"""Hindcast of the ZAN land-take model on the real Cerema file (Ain communes).

Question: knowing 2011-2014 land take and the census of 2014, with the model's default land
levers, how well does the model give the land taken over 2014-2020 — per new inhabitant for
the group, and per commune — against what the Cerema file observed?

Set-up (same equations as :mod:`twin_core.models.zan.model`):

- driver: the observed change of main residences 2014 → 2020 per commune (census households
  ``men14`` → ``men20``, INSEE RP, carried by the Cerema file), clipped at 0 as in the model,
  divided by the occupied share of the stock (1 − vacancy − secondary). The demography is
  given, not forecast: the file has no census before 2014 to project it from, so this
  hindcast tests the land part of the model (dwellings → land), not the population forecast;
- housing land = dwellings × (1 − existing-fabric share) / density (the scenario's levers,
  defaults: 30 %, 15 dwellings/ha, vacancy 8 %, secondary 5 %);
- non-housing land = housing land × the group's non-housing / housing ratio of 2011-2013
  (Cerema use columns), as the model does with 2011-2021;
- observed: Cerema ``naf14art15`` … ``naf19art20`` (1 Jan 2014 → 1 Jan 2020, six years, the
  span between the two censuses).
- benchmark: persistence, the commune's 2011-2013 yearly pace × 6 (what "past pace" predicts).

Scores: group land take per new inhabitant (m²), its relative error and that of persistence;
per commune, R² of the six-year land take (1 − SSE / SS about the observed mean) and the mean
absolute error, for the model and for persistence.
"""

from __future__ import annotations

import pandas as pd

from twin_core.models.zan.envelope import naf_column

CALIBRATION_YEARS = (2011, 2012, 2013)  # land take known in 2014
HINDCAST_YEARS = tuple(range(2014, 2020))  # naf14art15 … naf19art20


def _num(conso: pd.DataFrame, cols) -> pd.DataFrame:
    return conso[list(cols)].apply(pd.to_numeric, errors="coerce").fillna(0.0)


def hindcast(conso: pd.DataFrame, scenario=None) -> tuple[pd.DataFrame, dict[str, float]]:
    """Per-commune table (observed, model, persistence, ha over 2014-2020) and the scores."""
    from twin_core.models.zan.model import ZanScenario

    s = scenario or ZanScenario()
    c = conso.set_index(conso["idcom"].astype(str))
    men14, men20 = (pd.to_numeric(c[k], errors="coerce") for k in ("men14", "men20"))
    pop14, pop20 = (pd.to_numeric(c[k], errors="coerce") for k in ("pop14", "pop20"))
    ok = men14.notna() & men20.notna() & pop14.notna() & pop20.notna()
    c = c[ok]
    occupied = 1.0 - (s.vacancy_pct + s.secondary_pct) / 100
    dwellings = (men20[ok] - men14[ok]).clip(lower=0) / occupied
    housing_land = dwellings * (1 - s.existing_fabric_pct / 100) / s.density
    cal = _num(c, [naf_column(y) for y in CALIBRATION_YEARS]).sum(axis=1) / 1e4
    cal_hab = _num(c, [f"art{y % 100:02d}hab{(y + 1) % 100:02d}"
                       for y in CALIBRATION_YEARS]).sum(axis=1) / 1e4
    ratio = max(cal.sum() - cal_hab.sum(), 0.0) / cal_hab.sum() if cal_hab.sum() > 0 else 0.0
    model = housing_land * (1 + ratio * s.other_land_pct / 100)
    observed = _num(c, [naf_column(y) for y in HINDCAST_YEARS]).sum(axis=1) / 1e4
    persistence = cal / len(CALIBRATION_YEARS) * len(HINDCAST_YEARS)
    gain = float((pop20[ok] - pop14[ok]).sum())
    table = pd.DataFrame({"observed_ha": observed, "model_ha": model,
                          "persistence_ha": persistence,
                          "new_inhabitants": pop20[ok] - pop14[ok],
                          "dwellings": dwellings})

    def r2(pred: pd.Series) -> float:
        ss = float(((observed - observed.mean()) ** 2).sum())
        return 1 - float(((observed - pred) ** 2).sum()) / ss if ss > 0 else float("nan")

    per_inh = {k: float(table[f"{k}_ha"].sum() * 1e4 / gain) if gain > 0 else float("nan")
               for k in ("observed", "model", "persistence")}
    scores = {
        "n_communes": float(len(table)), "nonhousing_ratio": ratio,
        "observed_m2_per_new_inhabitant": per_inh["observed"],
        "model_m2_per_new_inhabitant": per_inh["model"],
        "persistence_m2_per_new_inhabitant": per_inh["persistence"],
        "model_rel_error": per_inh["model"] / per_inh["observed"] - 1,
        "persistence_rel_error": per_inh["persistence"] / per_inh["observed"] - 1,
        "model_r2": r2(model), "persistence_r2": r2(persistence),
        "model_mae_ha": float((observed - model).abs().mean()),
        "persistence_mae_ha": float((observed - persistence).abs().mean()),
        "observed_total_ha": float(observed.sum()), "model_total_ha": float(model.sum()),
    }
    return table, scores
