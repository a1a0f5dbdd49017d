"""ZAN checks: hindcast of 2014-2020 land take on the real Cerema file (Ain communes)."""

from __future__ import annotations

from twin_core.validation import CheckResult, check

CEREMA = ("Cerema fichiers fonciers, ENAF land take 2014-2020 (naf14art15 … naf19art20) and "
          "INSEE census 2014/2020 households, 9 Ain communes")


@check("zan.hindcast", "zan")
def _hindcast() -> list[CheckResult]:
    from twin_core import runs
    from twin_core.models.zan.hindcast import hindcast

    conso = runs.territory("zan").layer("conso_naf")
    _, sc = hindcast(conso)
    n = int(sc["n_communes"])
    per_inh = ("skill" if abs(sc["model_rel_error"]) < abs(sc["persistence_rel_error"])
               else "no_skill")
    return [
        CheckResult(
            "zan.hindcast.per_new_inhabitant", "zan",
            f"land take 2014-2020 per new inhabitant (m²), group of {n} communes, model from "
            f"2011-2014 data and the observed household change: error "
            f"{sc['model_rel_error']:+.0%} (persistence of the 2011-2013 pace: "
            f"{sc['persistence_rel_error']:+.0%}); skill = smaller error than persistence",
            CEREMA, sc["model_m2_per_new_inhabitant"],
            f"{sc['observed_m2_per_new_inhabitant']:.0f} (observed)", "—", per_inh),
        CheckResult(
            "zan.hindcast.communes", "zan",
            f"land take 2014-2020 per commune (ha, n = {n}): R² of the model; mean absolute "
            f"error {sc['model_mae_ha']:.1f} ha (persistence: R² {sc['persistence_r2']:.2f}, "
            f"{sc['persistence_mae_ha']:.1f} ha)", CEREMA, sc["model_r2"], "> 0", "—",
            "skill" if sc["model_r2"] > 0 else "no_skill"),
    ]
