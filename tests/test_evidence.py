"""Evidence on every indicator (twin_core.evidence): the registry walk, derived synthetic flags,
the skill rule, and what a fit without skill does to values, tables and ranking."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from twin_core import runs
from twin_core.compare import compare, rank, wide
from twin_core.evidence import LEVELS, Evidence, Skill, is_finding
from twin_core.indicators import all_indicators
from twin_core.models.registry import get_model
from twin_core.validation import known


def test_every_indicator_declares_its_evidence():
    inds = all_indicators()
    assert len(inds) > 80
    for ind in inds.values():
        ev = ind.evidence
        assert ev is not None, f"{ind.id} declares no evidence"
        assert ev.level in LEVELS and len(ev.source) > 10, ind.id
        if ev.level == "validated":
            assert ev.checks, ind.id
        for c in ev.checks:  # every cited check exists in the validation registry
            assert known(c), f"{ind.id} cites unknown check {c}"
        if ev.level == "calibrated":
            assert ev.fit, ind.id
        if ev.level == "assumption":
            assert ev.assumptions, ind.id
            params = set(get_model(ind.model_id).scenario_class.user_params())
            # at least one driving assumption is a scenario parameter the ensemble can vary
            assert params & set(ev.assumptions), f"{ind.id}: no scenario parameter named"


def test_evidence_refuses_incomplete_declarations():
    with pytest.raises(ValueError):
        Evidence("validated", "a source")  # no check named
    with pytest.raises(ValueError):
        Evidence("calibrated", "a source")  # no fit named
    with pytest.raises(ValueError):
        Evidence("assumption", "a source")  # no parameter named
    with pytest.raises(ValueError):
        Evidence("guess", "a source", assumptions=("x",))


def test_skill_rule_of_the_issue():
    assert not is_finding("auc", 0.59)
    assert is_finding("auc", 0.6)
    assert not is_finding("auc", 0.8, effects_clear=False)  # an effect's CI includes 0
    assert not is_finding("r2", 0.0) and is_finding("r2", 0.01)
    assert not is_finding("r2", float("nan"))


def _run(model_id: str, territory: str, **params):
    cls = get_model(model_id).scenario_class
    return runs.run(model_id, territory, cls(**params))


def test_synthetic_flag_is_derived_from_the_layers_that_feed_each_indicator():
    r = _run("coast.risk", "coast", label="A")
    assert "buildings" in r.synthetic_inputs  # the sample's buildings are a seeded stand-in
    inds = all_indicators()
    assert inds["coast.dwellings_flooded"].assess(r).synthetic == ("buildings",)
    assert inds["coast.slr_m"].assess(r).synthetic == ()
    assert inds["coast.flooded_ha"].assess(r).synthetic == ()  # DEM and shoreline are real
    # the same run with a real buildings layer would carry no flag: derived, not typed
    real = replace(r, synthetic_inputs=())
    assert inds["coast.dwellings_flooded"].assess(real).synthetic == ()
    table = compare([r])
    row = table.set_index("indicator").loc["coast.dwellings_flooded"]
    assert row["synthetic"] == "buildings" and row["evidence"] == "assumption"
    assert "synthétique" in row["evidence_detail"]


def test_agriculture_nitrate_is_calibrated_with_its_out_of_sample_skill():
    r = _run("agriculture.nitrate_water", "agriculture", label="A")
    skill = r.fits["nitrate"]
    assert skill.metric == "r2" and skill.n > 50 and math.isfinite(skill.value)
    a = all_indicators()["agriculture.stations_above_50"].assess(r)
    assert a.level == "calibrated" and a.skill is skill
    # synthetic crops and generated weather feed it
    assert set(a.synthetic) == {"crops", "weather_synthetic"}
    assert "R²" in a.tooltip("en") and "synthetic" in a.tooltip("en")


def test_a_fit_without_skill_is_not_a_finding_anywhere():
    r = _run("forest.climate_risk", "forest", label="A")
    skill = r.fits["dieback"]
    assert skill.value < 0.6 and not skill.finding  # the sample's fit: cross-validated AUC
    ind = all_indicators()["forest.dieback_prob_pct"]
    assert math.isnan(ind(r))  # feeds no ranking, objective or plan
    assert r.layers["stands"]["dieback_prob"].isna().all()  # nor the map
    b = _run("forest.climate_risk", "forest", label="B", horizon=2100)
    table = compare([r, b])
    rows = table[table["indicator"] == "forest.dieback_prob_pct"]
    assert not rows["finding"].any() and rows["value"].isna().all()
    assert "AUC" in rows["skill"].iloc[0]
    assert rank(rows["value"].tolist(), ind.higher_is_better) == ["", ""]
    assert "forest.dieback_prob_pct" in set(wide(table)["indicator"])  # still listed
    # with skill, the same indicator reads its value
    good = Skill("dieback", "auc", 0.75, "test", 100, effects_clear=True)
    r_good = replace(r, fits={"dieback": good}, values={**r.values, "dieback_prob_pct": 12.0})
    assert ind(r_good) == 12.0 and ind.assess(r_good).finding


def test_dieback_fit_reports_intervals_and_block_cross_validation():
    from twin_core.models.forest import dieback as db

    territory = runs.territory("forest")
    fit = db.fit_dieback(territory.layer("ifn_plots"), territory.layer("communes"),
                         territory.layer("climate_normals"))
    assert fit.conf_int.shape == (3, 2)
    assert np.all(fit.conf_int[:, 0] < fit.coef) and np.all(fit.coef < fit.conf_int[:, 1])
    assert "sylvo-ecoregion" in fit.cv_method
    assert 0.0 <= fit.cv_auc <= 1.0
    assert fit.skill().finding == (fit.cv_auc >= 0.6 and fit.effects_clear)


def test_the_ensemble_can_vary_the_assumptions():
    from twin_core.ensemble import ASSUMPTION_SPREAD, assumption_uncertainties, run_ensemble

    names = [u.param for u in assumption_uncertainties("zan.trajectory")]
    assert "other_land_pct" in names and "population_growth_pct" not in names  # declared
    cls = get_model("zan.trajectory").scenario_class
    root = str(runs.territory("zan").root.resolve())
    plain = run_ensemble("zan.trajectory", root, cls(label="A"), 40, seed=3)
    wide_ = run_ensemble("zan.trajectory", root, cls(label="A"), 40, seed=3, assumptions=True)
    assert "other_land_pct" not in plain.samples and "other_land_pct" in wide_.samples
    base = cls().other_land_pct
    drawn = wide_.samples["other_land_pct"]
    assert drawn.min() >= base * (1 - ASSUMPTION_SPREAD) - 1e-9
    assert drawn.max() <= base * (1 + ASSUMPTION_SPREAD) + 1e-9 and drawn.std() > 0
    # the budget path to 2050 rests only on its pace: it varies only when assumptions do
    col = "zan.budget_2031_2050_ha"
    assert plain.values[col].std() < 1e-9 and wide_.values[col].std() > 1e-3
    top = wide_.sensitivity().query("rank == 1").set_index("indicator")
    assert top.at[col, "input"] == "pace_2031_pct"
    # a zero assumption (an effect switched off) stays zero
    off = run_ensemble("zan.trajectory", root, cls(label="A", renaturation_ha_per_yr=0.0), 5,
                       assumptions=True)
    assert (off.samples["renaturation_ha_per_yr"] == 0).all()
