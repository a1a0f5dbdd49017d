"""Cached model runs shared by all sessions (results are read-only once computed): territories
and single runs come from :mod:`twin_core.runs`, ensembles are cached here."""

from __future__ import annotations

import json
from functools import lru_cache

from twin_core.runs import run, territory
from twin_core.scenario import Scenario

__all__ = ["ensemble", "run", "territory"]


@lru_cache(maxsize=32)
def _ensemble(model_id: str, territory_id: str, scenario_json: str, draws: int, seed: int,
              assumptions: bool):
    from twin_core.ensemble import run_ensemble

    scenario = Scenario.from_json(scenario_json)
    return run_ensemble(model_id, str(territory(territory_id).root.resolve()), scenario, draws,
                        seed=seed, assumptions=assumptions)


def ensemble(model_id: str, territory_id: str, scenario: Scenario, draws: int, seed: int = 0,
             assumptions: bool = False):
    """An ensemble of ``draws`` seeded draws around ``scenario`` (cached, in this process);
    ``assumptions`` varies the indicators' driving assumptions too."""
    return _ensemble(model_id, territory_id, json.dumps(scenario.to_dict(), sort_keys=True),
                     draws, seed, assumptions)
