"""What a proposal is worth: the server validates the participant's levers as a scenario of the
workshop's model and runs the model itself — indicator values are never taken from the client."""

from __future__ import annotations

from typing import Any

from twin_core import runs
from twin_core.indicators import compute_all
from twin_core.models.base import Result
from twin_core.models.registry import get_model
from twin_core.scenario import Scenario
from twin_core.workshop.store import WorkshopStore

#: Use case -> (model id, sample territory) a workshop can be opened on.
MODELS: dict[str, tuple[str, str]] = {
    "coast": ("coast.risk", "coast"),
    "forest": ("forest.climate_risk", "forest"),
    "agriculture": ("agriculture.nitrate_water", "agriculture"),
    "zan": ("zan.trajectory", "zan"),
}


def lever_names(model_id: str) -> list[str]:
    """The scenario params a participant can change: widgets (numbers, choices, switches)
    and geometries drawn on the map (a dike line, a zone to renature…)."""
    import param

    from twin_core.drawn import Geometry

    cls = get_model(model_id).scenario_class
    return [n for n in cls.widget_params() if n != "label" and isinstance(
        cls.param[n], param.Number | param.Selector | param.Boolean | Geometry)]


def scenario_of(model_id: str, params: dict[str, Any], label: str = "P") -> Scenario:
    """The workshop model's scenario for ``params`` (validated: unknown keys, types, bounds)."""
    model = get_model(model_id)
    params = {k: v for k, v in dict(params).items() if k != "label"}
    return Scenario.from_dict({"model": model_id, "version": model.spec.version,
                               "params": {**params, "label": label}}, source="proposition")


def evaluate(model_id: str, territory_id: str, params: dict[str, Any]) -> Result:
    """Run the model on ``params`` (cached on the scenario's JSON form)."""
    scenario = scenario_of(model_id, params)
    problems = get_model(model_id).validate(runs.territory(territory_id), scenario)
    if problems:
        raise problems[0]
    return runs.run(model_id, territory_id, scenario)


def submit(store: WorkshopStore, code: str, key: str, params: dict[str, Any],
           kind: str = "submitted") -> tuple[int, Result]:
    """Validate, run and store a participant's proposal; returns (row id, result)."""
    ws = store.workshop(code)
    if ws.levers is not None:  # the other params stay at the workshop's defaults
        params = {k: v for k, v in params.items() if k in ws.levers}
    result = evaluate(ws.model_id, ws.territory_id, params)
    clean = {k: v for k, v in result.scenario["params"].items() if k != "label"}
    values = compute_all(result)
    return store.save(ws.code, key, clean, values, kind=kind), result
