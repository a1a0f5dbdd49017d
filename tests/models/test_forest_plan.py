"""Forest cut-and-replant plan: the MILP respects budget and cap exactly, matches brute force on
small cases, honours pinned and excluded stands, and rejects a zero budget clearly."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from twin_core.errors import TwinInputError
from twin_core.models.forest import plan as pl


def test_plan_is_optimal_and_respects_budget_and_cap_on_small_cases():
    rng = np.random.default_rng(1)
    for _ in range(20):
        n = 10
        area = rng.uniform(1, 30, n).round(1)
        gain = rng.uniform(-0.5, 1.0, n)
        cost = rng.uniform(3000, 6000, n)
        budget, cap = float(rng.uniform(20_000, 150_000)), float(rng.uniform(20, 120))
        x = pl.plan_cut_replant(area, gain, cost, budget, cap, rel_gap=0.0)
        assert (area * cost)[x].sum() <= budget + 1e-6 and area[x].sum() <= cap + 1e-9
        best = 0.0
        for pick in itertools.product([0, 1], repeat=n):
            p = np.array(pick, bool)
            if (area * cost)[p].sum() <= budget and area[p].sum() <= cap:
                best = max(best, (area * gain)[p].sum())
        assert (area * gain)[x].sum() == pytest.approx(best, rel=1e-6)


def test_pinned_and_excluded_stands_are_honoured():
    area = np.array([10.0, 10.0, 10.0, 10.0])
    gain = np.array([1.0, 0.9, 0.1, 0.8])
    pinned = np.array([False, False, True, False])
    excluded = np.array([True, False, False, False])
    x = pl.plan_cut_replant(area, gain, 1000.0, 1e9, 25.0, pinned=pinned, excluded=excluded)
    assert x.tolist() == [False, True, True, False]


def test_bad_plans_give_a_clear_message():
    with pytest.raises(TwinInputError) as err:
        pl.plan_cut_replant([10.0], [1.0], 4500.0, 0.0, 100.0)
    assert err.value.code == "forest_zero_budget"
    assert "{" not in err.value.message("fr")
    with pytest.raises(TwinInputError) as err:
        pl.plan_cut_replant([10.0], [1.0], 4500.0, 1000.0, 100.0, pinned=[True])
    assert err.value.code == "forest_plan_infeasible"


def test_harvested_carbon_uses_ipcc_densities():
    # 100 m³/ha of larch: 100 × 0.46 × 0.47 × 44/12 t CO2
    assert pl.harvested_carbon_tco2_per_ha(["larch"], 100.0)[0] == pytest.approx(
        100 * 0.46 * 0.47 * 44 / 12)


def test_model_plan_respects_budget_and_cap_and_grows_with_budget():
    from pathlib import Path

    assert (Path(__file__).resolve().parents[2] / "data" / "forest" / "territory.json").exists(), \
        "data/forest/territory.json is missing: the sample territories are committed (make data)"
    from twin_core.models.forest.model import ForestScenario
    from twin_core.models.registry import get_model
    from twin_core.territory import Territory

    territory, model = Territory.load("forest"), get_model("forest.climate_risk")
    small = model.run(territory, ForestScenario(horizon=2100, budget_keur=300.0))
    big = model.run(territory, ForestScenario(horizon=2100, budget_keur=3000.0))
    for res, s in ((small, 300.0), (big, 3000.0)):
        v = res.values
        assert v["plan_cost_keur"] <= s + 1e-6
        assert v["plan_area_ha"] <= 20.0 * 10 + 1e-6  # default cap × years
        assert res.layers["plan"]["area_ha"].sum() == pytest.approx(v["plan_area_ha"])
    assert big.values["plan_objective"] > small.values["plan_objective"]
    problems = model.validate(territory, ForestScenario(budget_keur=0.0))
    assert [p.code for p in problems] == ["forest_zero_budget"]
