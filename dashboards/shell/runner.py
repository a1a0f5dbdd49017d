"""Cached model runs shared by all sessions (results are read-only once computed)."""

from __future__ import annotations

import json
from functools import lru_cache

from twin_core.models import get_model
from twin_core.models.base import Result
from twin_core.scenario import Scenario
from twin_core.territory import Territory


@lru_cache(maxsize=8)
def territory(territory_id: str) -> Territory:
    return Territory.load(territory_id)


@lru_cache(maxsize=64)
def _run(model_id: str, territory_id: str, scenario_json: str) -> Result:
    scenario = Scenario.from_json(scenario_json)
    return get_model(model_id).run(territory(territory_id), scenario)


def run(model_id: str, territory_id: str, scenario: Scenario) -> Result:
    """Run ``scenario`` (cached on its JSON form, so identical scenarios run once)."""
    return _run(model_id, territory_id, json.dumps(scenario.to_dict(), sort_keys=True))


@lru_cache(maxsize=32)
def _ensemble(model_id: str, territory_id: str, scenario_json: str, draws: int, seed: int):
    from twin_core.ensemble import run_ensemble

    scenario = Scenario.from_json(scenario_json)
    return run_ensemble(model_id, str(territory(territory_id).root.resolve()), scenario, draws,
                        seed=seed)


def ensemble(model_id: str, territory_id: str, scenario: Scenario, draws: int, seed: int = 0):
    """An ensemble of ``draws`` seeded draws around ``scenario`` (cached, in this process)."""
    return _ensemble(model_id, territory_id, json.dumps(scenario.to_dict(), sort_keys=True),
                     draws, seed)
