"""Cached territories and model runs shared by everything in one process (the dashboards, the
workshop service, reports): a territory is loaded once, an identical scenario runs once.
Results are read-only once computed."""

from __future__ import annotations

import json
from functools import lru_cache

from twin_core.models.base import Result
from twin_core.models.registry import get_model
from twin_core.scenario import Scenario
from twin_core.territory import Territory


@lru_cache(maxsize=8)
def territory(territory_id: str) -> Territory:
    """A sample territory by id (or path), loaded once per process."""
    return Territory.load(territory_id)


@lru_cache(maxsize=256)
def _run(model_id: str, territory_id: str, scenario_json: str) -> Result:
    scenario = Scenario.from_json(scenario_json)
    return get_model(model_id).run(territory(territory_id), scenario)


def run(model_id: str, territory_id: str, scenario: Scenario) -> Result:
    """Run ``scenario`` (cached on its JSON form, so identical scenarios run once)."""
    return _run(model_id, territory_id, json.dumps(scenario.to_dict(), sort_keys=True))
