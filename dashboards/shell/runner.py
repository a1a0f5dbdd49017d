"""Cached model runs shared by all sessions (results are read-only once computed): territories
and single runs come from :mod:`twin_core.runs`, ensembles are cached here."""

from __future__ import annotations

import json
import threading
from functools import lru_cache

from twin_core.runs import run, territory
from twin_core.scenario import Scenario

__all__ = ["ensemble", "model_ready", "run", "territory", "warming_up"]

#: Models whose default comparison the server's background warm-up has not finished yet
#: (``twin_core.cli.warm_up``): model id -> event set when it is done (or has failed).
_WARM_UP: dict[str, threading.Event] = {}
#: Set while a warm-up has started but not yet listed its models (they are being imported).
_DISCOVERING = threading.Event()


def warm_up_starting() -> None:
    """A warm-up is starting: every model counts as not ready until :func:`warming_up`."""
    _DISCOVERING.set()


def warming_up(model_ids) -> dict[str, threading.Event]:
    """Declare that the warm-up prepares ``model_ids``: their pages wait for it."""
    events = {m: _WARM_UP.setdefault(m, threading.Event()) for m in model_ids}
    _DISCOVERING.clear()
    return events


def models_listed() -> bool:
    """False while a starting warm-up is still importing the models (the home page fills its
    model lines in afterwards rather than importing them a second time, concurrently)."""
    return not _DISCOVERING.is_set()


def models_warming_up() -> list[str]:
    """Models the warm-up has not finished yet (``["*"]`` while it is listing them)."""
    if _DISCOVERING.is_set():
        return ["*"]
    return sorted(m for m, event in _WARM_UP.items() if not event.is_set())


def model_ready(model_id: str) -> bool:
    """False while the warm-up still prepares the model (its page says so and fills in later);
    True once done, or when no warm-up runs (the page then computes on its own)."""
    event = _WARM_UP.get(model_id)
    if event is None:
        return not _DISCOVERING.is_set()
    return event.is_set()


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
