"""The model contract (after InVEST's MODEL_SPEC / validate / execute).

A model declares a :class:`ModelSpec` (id, use case, version, inputs with units and bounds taken
from its Scenario class, outputs, the territory layers it reads), offers a cheap ``validate()``
that never runs it, and ``run(territory, scenario) -> Result``. Subclasses register themselves
(see :mod:`twin_core.models.registry`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd

from twin_core.errors import TwinInputError
from twin_core.scenario import Scenario

if TYPE_CHECKING:
    from twin_core.territory import Territory


@dataclass(frozen=True)
class InputSpec:
    """One scenario input: name, units, bounds (numbers) or choices, default."""

    name: str
    units: str
    bounds: tuple[float | None, float | None] | None
    choices: tuple[Any, ...] | None
    default: Any
    doc: str


@dataclass(frozen=True)
class OutputSpec:
    """One output of a run: a scalar value, a map layer or a time series."""

    id: str
    kind: str  # "value" | "layer" | "series"
    units: str = ""


@dataclass(frozen=True)
class ModelSpec:
    id: str
    use_case: str  # coast | forest | agriculture | zan
    version: str
    outputs: tuple[OutputSpec, ...]
    layers: tuple[str, ...] = ()  # territory layers the model reads
    sources: tuple[str, ...] = ()  # references for equations and parameters
    scenario_class: type[Scenario] = Scenario
    # What the dashboard shows: result.layers[map_layer] coloured by map_column (units in
    # map_units), and result.series (column "year") with the columns series_y.
    map_layer: str = ""
    map_column: str = ""
    map_units: str = ""
    series_y: tuple[str, ...] = ()
    series_units: str = ""

    @property
    def title(self) -> str:
        from twin_core.i18n import t

        return t(f"models.{self.id}", "en")

    @property
    def inputs(self) -> tuple[InputSpec, ...]:
        """Inputs generated from the scenario's params: the single source of truth."""
        cls = self.scenario_class
        out = []
        for name in cls.user_params():
            p = cls.param[name]
            out.append(InputSpec(
                name=name,
                units=cls.units.get(name, ""),
                bounds=getattr(p, "bounds", None),
                choices=tuple(p.objects) if getattr(p, "objects", None) else None,
                default=p.default,
                doc=p.doc or "",
            ))
        return tuple(out)


@dataclass
class Result:
    """What a run returns: scalar values, map layers and yearly series, plus provenance."""

    model_id: str
    model_version: str
    scenario: dict[str, Any]
    values: dict[str, float] = field(default_factory=dict)
    layers: dict[str, Any] = field(default_factory=dict)
    series: pd.DataFrame | None = None
    synthetic_inputs: tuple[str, ...] = ()
    #: Out-of-sample skill of each fitted relation used in the run (twin_core.evidence.Skill).
    fits: dict[str, Any] = field(default_factory=dict)
    #: Facts of the run an indicator's evidence may cite (e.g. the weather baseline used).
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return str(self.scenario.get("params", {}).get("label", "?"))


class Model:
    """Base class; subclasses set ``spec`` and implement ``_run``."""

    spec: ClassVar[ModelSpec]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "spec" in cls.__dict__:
            from twin_core.models.registry import register

            register(cls)

    @property
    def scenario_class(self) -> type[Scenario]:
        return self.spec.scenario_class

    def validate(self, territory: Territory | None, scenario: Scenario) -> list[TwinInputError]:
        """Cheap checks, no model run: scenario type, bounds, required layers present.

        Returns the problems (never raises for bad input), so a UI can show each next to its
        widget (``err.source`` is the input name).
        """
        problems: list[TwinInputError] = []
        if not isinstance(scenario, self.scenario_class):
            problems.append(TwinInputError("wrong_model", "scenario", model=type(scenario).__name__,
                                           expected=self.spec.id))
            return problems
        for inp in self.spec.inputs:
            value = getattr(scenario, inp.name)
            if inp.bounds and isinstance(value, int | float):
                lo, hi = inp.bounds
                if (lo is not None and value < lo) or (hi is not None and value > hi):
                    problems.append(TwinInputError("bad_value", inp.name, key=inp.name,
                                                   value=value, allowed=inp.bounds, detail=""))
        if territory is not None:
            for layer in self.spec.layers:
                if not territory.has_layer(layer):
                    problems.append(TwinInputError("missing_layer", territory.id, layer=layer))
        problems.extend(self._validate(territory, scenario))
        return problems

    def _validate(self, territory: Territory | None, scenario: Scenario) -> list[TwinInputError]:
        return []

    def run(self, territory: Territory, scenario: Scenario) -> Result:
        problems = self.validate(territory, scenario)
        if problems:
            raise problems[0]
        result = self._run(territory, scenario)
        from_layers = tuple(
            name for name in self.spec.layers if territory.layer_info(name).get("synthetic")
        )
        result.synthetic_inputs = tuple(dict.fromkeys(result.synthetic_inputs + from_layers))
        return result

    def _run(self, territory: Territory, scenario: Scenario) -> Result:
        raise NotImplementedError

    def run_draws(self, territory: Territory, params: Sequence[dict[str, Any]]
                  ) -> list[tuple[dict[str, float], pd.DataFrame | None]] | None:
        """Optional vectorised ensemble: for each draw's params, the indicator values
        (``compute_all``) and the series, equal to one run per draw. None (the default): no
        vectorised path for this model or these draws; the ensemble engine then runs the model
        once per draw. Called in-process and per chunk of draws on Dask."""
        return None

    def new_result(self, scenario: Scenario, **kwargs: Any) -> Result:
        return Result(model_id=self.spec.id, model_version=self.spec.version,
                      scenario=scenario.to_dict(), **kwargs)
