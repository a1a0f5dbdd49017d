"""The ensemble engine uses a model's vectorised draw function (ZAN) and gets what one model run
per draw gives; draws it cannot vectorise, or a failed self-check, fall back to the loop."""

import numpy as np
import pandas as pd
import pytest
import shapely

from twin_core.drawn import from_parts
from twin_core.ensemble import draw_scenarios, run_ensemble
from twin_core.models.registry import get_model
from twin_core.territory import Territory, data_dir

ZAN = "zan.trajectory"
ROOT = str(data_dir() / "zan")


def _zone() -> dict:
    """A 600 m square inside commune 01001 (Ain group)."""
    communes = Territory.load("zan").layer("communes")
    p = communes[communes["code_insee"] == "01001"].geometry.iloc[0].representative_point()
    square = shapely.box(p.x - 300, p.y - 300, p.x + 300, p.y + 300)
    return from_parts([list(square.exterior.coords)], "polygon")


def _assert_same(fast, slow):
    pd.testing.assert_frame_equal(fast.samples, slow.samples, check_exact=True)
    pd.testing.assert_frame_equal(fast.values, slow.values, check_exact=False, rtol=1e-9,
                                  atol=1e-9)
    for a, b in zip(fast.series, slow.series, strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("kw", [
    {},
    {"group": "gironde", "density": 25.0, "existing_fabric_pct": 10.0},
    {"group": "gironde", "allocation_rule": "mix", "incoming_dwellings": 300,
     "renaturation_ha_per_yr": 2.0, "horizon": 2080, "population_growth_pct": -0.3},
    {"allocation_rule": "growth", "renature_zone": "zone", "pace_2031_pct": 30.0},
    {"group": "gironde", "commune_trends": False, "incoming_dwellings": 200},
], ids=["default", "gironde", "mix-incoming-renaturation-2080", "growth-drawn-zone",
        "one-rate-for-every-commune"])
def test_vectorised_draws_equal_one_run_per_draw(kw):
    if kw.get("renature_zone") == "zone":
        kw = {**kw, "renature_zone": _zone()}
    scenario = get_model(ZAN).scenario_class(label="A", **kw)
    fast = run_ensemble(ZAN, ROOT, scenario, 12, seed=5)
    slow = run_ensemble(ZAN, ROOT, scenario, 12, seed=5, vectorised=False)
    assert (fast.path, slow.path) == ("vectorised", "per-draw")
    _assert_same(fast, slow)
    assert fast.values["zan.dwellings_needed"].std() > 0  # the draws do spread


def test_draws_it_cannot_vectorise_fall_back_to_the_loop(monkeypatch):
    model = get_model(ZAN)
    territory = Territory.load("zan")
    scenario = model.scenario_class(label="A")
    _, params = draw_scenarios(scenario, 4, seed=1)
    params[2] = {**params[2], "density": 40.0}  # a fixed input that differs between draws
    assert model.run_draws(territory, params) is None
    # a vectorised result that disagrees with the model is never returned
    from twin_core.models.zan import draws

    real = draws.project

    def off(*args, **kwargs):
        values, series = real(*args, **kwargs)
        values[0]["projected_2021_2031_ha"] *= 1.001
        return values, series

    monkeypatch.setattr(draws, "project", off)
    ens = run_ensemble(ZAN, ROOT, scenario, 6, seed=2)
    assert ens.path == "per-draw"
    _assert_same(ens, run_ensemble(ZAN, ROOT, scenario, 6, seed=2, vectorised=False))
    # m² per new inhabitant is undefined (NaN) in a draw where the group's population falls
    # (commune and département growth deviations drawn around the group's rate, issue 15)
    assert np.isfinite(ens.values.drop(columns="zan.m2_per_new_inhabitant").to_numpy()).all()
