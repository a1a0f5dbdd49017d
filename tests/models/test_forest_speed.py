"""The speed-ups of a new forest scenario (issue 17) change no result: what runs keep for the
next scenarios (the fire per fire parameters, the solved plan per problem, the EU-Trees4F
statuses per layer, the fire-day rates) gives exactly the values, series and layers of a run
that recomputes everything (model.forget_scenarios before it); the envelope lookup done once per
run classifies as the envelope table does; a scenario where no stand is worth cutting gives an
empty plan instead of failing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twin_core import runs
from twin_core.models.forest import fire_spread as fs
from twin_core.models.forest import model as fm
from twin_core.models.forest import plan as pl
from twin_core.models.forest import suitability as su
from twin_core.models.forest.model import ForestScenario as S
from twin_core.models.registry import get_model


@pytest.fixture(scope="module")
def forest():
    return runs.territory("forest"), get_model("forest.climate_risk")


def _same(a, b) -> None:
    """Every value, the series and each layer's columns and geometries identical."""
    assert a.values.keys() == b.values.keys()
    for k, v in a.values.items():
        assert v == b.values[k] or (np.isnan(v) and np.isnan(b.values[k])), k
    pd.testing.assert_frame_equal(a.series, b.series, check_exact=True)
    assert a.layers.keys() == b.layers.keys()
    for name, layer in a.layers.items():
        other = b.layers[name]
        pd.testing.assert_frame_equal(pd.DataFrame(layer.drop(columns="geometry")),
                                      pd.DataFrame(other.drop(columns="geometry")),
                                      check_exact=True)
        assert list(layer.geometry.to_wkb()) == list(other.geometry.to_wkb()), name


def test_kept_fires_plans_and_statuses_give_the_results_of_a_full_run(forest):
    territory, model = forest
    # each scenario changes one thing the kept results are keyed on (or must not be keyed on)
    scenarios = [S(), S(horizon=2100), S(horizon=2050, warming_source="custom",
                                          custom_warming=3.1, precip_change_pct=-10.0),
                 S(horizon=2100, wind_kmh=50.0), S(horizon=2100, wind_from_deg=180.0),
                 S(fire_duration_h=3.0), S(fuel_moisture="D3L3"), S(wind_adjustment=0.5),
                 S(budget_keur=800.0), S(forest_loss_ha=2000.0), S(horizon=2030),
                 S(fwi_threshold=30.0), S()]
    fm.forget_scenarios()
    kept = [model.run(territory, s) for s in scenarios]
    for s, result in zip(scenarios, kept, strict=True):
        fm.forget_scenarios()
        _same(result, model.run(territory, s))
    # the urbanised stands keep the fire but not its burnt area of stands
    assert kept[9].values["burnt_area_ha"] == kept[0].values["burnt_area_ha"]
    assert kept[9].values["burnt_stands_ha"] < kept[0].values["burnt_stands_ha"]


def test_a_new_horizon_reuses_the_fire_and_a_new_wind_does_not(forest, monkeypatch):
    territory, model = forest
    calls: list[int] = []
    real = fs.simulate_fire
    monkeypatch.setattr(fs, "simulate_fire", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    fm.forget_scenarios()
    for s in (S(), S(horizon=2100), S(horizon=2030, precip_change_pct=-20.0)):
        model.run(territory, s)
    assert len(calls) == 1  # the fire depends on no horizon, warming or rain
    model.run(territory, S(horizon=2100, wind_kmh=45.0))
    assert len(calls) == 2


def test_the_same_plan_problem_is_solved_once_and_its_answer_not_shared(monkeypatch):
    import scipy.optimize

    calls: list[int] = []
    real = scipy.optimize.milp
    monkeypatch.setattr(scipy.optimize, "milp", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    pl.forget_solved()
    area = np.array([10.0, 20.0, 30.0, 40.0])
    gain = np.array([0.9, 0.5, 0.8, -0.1])
    first = pl.plan_cut_replant(area, gain, 1000.0, 45_000.0, 100.0)
    # best under 45 ha (the budget): stands 0 and 2 (gain 9 + 24 = 33)
    assert first.tolist() == [True, False, True, False]
    first[:] = False  # the caller's copy: the kept answer is not changed
    again = pl.plan_cut_replant(area, gain, 1000.0, 45_000.0, 100.0)
    assert again.tolist() == [True, False, True, False] and len(calls) == 1
    more = pl.plan_cut_replant(area, gain, 1000.0, 65_000.0, 100.0)  # a new budget: solved
    assert len(calls) == 2 and (area[more].sum() <= 65.0) and more[[0, 2]].all()


def test_envelope_lookup_once_classifies_as_the_envelope_table():
    """classify (bounds looked up once) against the rule written from the table itself."""
    env = su.envelopes()
    rng = np.random.default_rng(17)
    groups = rng.choice(np.array(list(env.index) + ["unknown", None], dtype=object), 2000)
    t = rng.uniform(-4.0, 24.0, groups.size)
    p = rng.uniform(100.0, 1500.0, groups.size)
    t[::97] = np.nan
    for cold in (False, True):
        got = su.classify(groups, t, p, margin_c=0.75, margin_precip_pct=15.0, cold_limit=cold)
        for i in range(groups.size):
            g = groups[i]
            if g not in env.index or np.isnan(t[i]):
                assert got[i] == su.UNKNOWN
                continue
            row = env.loc[g]
            bad = t[i] > row.tmax_c or p[i] < row.pmin_mm or (cold and t[i] < row.tmin_c)
            risk = (t[i] > row.tmax_c - 0.75 or p[i] < row.pmin_mm * 1.15
                    or (cold and t[i] < row.tmin_c + 0.75))
            assert got[i] == ("unsuitable" if bad else "at_risk" if risk else "suitable"), i
    known, tmin, tmax, pmin = su.envelope_bounds(["aleppo_pine", "nothing"])
    # NAFLO: Aleppo pine grows from 220 mm/yr of rain (the table's one sourced rain bound)
    assert known.tolist() == [True, False] and pmin[0] == 220.0 and np.isnan(tmax[1])


def test_a_scenario_where_no_stand_is_worth_cutting_gives_an_empty_plan(forest):
    territory, model = forest
    # only the carbon term (a penalty): every stand's gain is negative, nothing is cut
    r = model.run(territory, S(w_suitability=0.0, w_fire=0.0, w_carbon=0.5))
    v = r.values
    assert v["plan_area_ha"] == 0.0 and v["plan_cost_keur"] == 0.0 and len(r.layers["plan"]) == 0
    assert v["fire_exposed_after_plan_ha"] == v["fire_exposed_ha"] > 0
    assert v["stand_carbon_after_plan_tco2"] == pytest.approx(v["stand_carbon_tco2"])
