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

#: Prefix of the ids of the user's territories (``user:NAME`` → NAME in ``territories_dir()``).
USER_PREFIX = "user:"


@lru_cache(maxsize=8)
def territory(territory_id: str) -> Territory:
    """A territory loaded once per process: a sample by id, ``user:NAME`` for one of the user's
    territories (``twin territory create``, :func:`~twin_core.territory.create.resolve`), or a
    folder path."""
    if territory_id.startswith(USER_PREFIX):
        from twin_core.territory.create import NAME_RE, territories_dir

        name = territory_id.removeprefix(USER_PREFIX)
        if not NAME_RE.fullmatch(name):  # never a path: the name is a folder name
            from twin_core.errors import TwinInputError

            raise TwinInputError("bad_territory_name", "territory", name=name[:80])
        return Territory.load(str(territories_dir() / name))
    return Territory.load(territory_id)


def forget_territory() -> None:
    """Drop the cached territories and runs (after a layer of a territory was replaced)."""
    territory.cache_clear()
    _run.cache_clear()


@lru_cache(maxsize=256)
def _run(model_id: str, territory_id: str, scenario_json: str) -> Result:
    scenario = Scenario.from_json(scenario_json)
    return get_model(model_id).run(territory(territory_id), scenario)


def run(model_id: str, territory_id: str, scenario: Scenario) -> Result:
    """Run ``scenario`` (cached on its JSON form, so identical scenarios run once)."""
    return _run(model_id, territory_id, json.dumps(scenario.to_dict(), sort_keys=True))
