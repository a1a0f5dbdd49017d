"""Scenarios: one ``param.Parameterized`` per use case, serialisable to and from JSON.

Warming follows the French reference warming trajectory for adaptation, TRACC (Ministère de la
Transition écologique, 2023-2024): metropolitan France +2.0 °C in 2030, +2.7 °C in 2050 and
+4.0 °C in 2100 relative to 1850-1900, linearly interpolated between those years. A user may
instead set another warming level ("custom").
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

import numpy as np
import param

from twin_core.errors import TwinInputError

#: TRACC anchor points for metropolitan France (year, °C above 1850-1900).
TRACC_METROPOLE: tuple[tuple[int, float], ...] = ((2030, 2.0), (2050, 2.7), (2100, 4.0))
#: The matching global-mean warming levels (°C), used to read global projections (sea level).
TRACC_GLOBAL: tuple[tuple[int, float], ...] = ((2030, 1.5), (2050, 2.0), (2100, 3.0))

HORIZON_MIN, HORIZON_MAX = 2030, 2100


def tracc_warming(year: float | np.ndarray, scope: str = "france") -> float | np.ndarray:
    """Warming (°C vs 1850-1900) on the TRACC at ``year``, interpolated between anchor years.

    ``scope`` is "france" (metropolitan, default) or "global". Years outside 2030-2100 raise.
    """
    table = {"france": TRACC_METROPOLE, "global": TRACC_GLOBAL}.get(scope)
    if table is None:
        raise ValueError(f"scope must be 'france' or 'global', not {scope!r}")
    years = np.asarray(year, dtype=float)
    if np.any((years < HORIZON_MIN) | (years > HORIZON_MAX)):
        raise ValueError(f"TRACC is defined from {HORIZON_MIN} to {HORIZON_MAX}, got {year}")
    xs, ys = zip(*table, strict=True)
    out = np.interp(years, xs, ys)
    return float(out) if out.ndim == 0 else out


def series_years(horizon: int, start: int = 2025, step: int = 5) -> np.ndarray:
    """Years of a model's time series: ``start``, every ``step`` years, and the horizon."""
    years = list(range(start, int(horizon), step))
    return np.array(years + [int(horizon)], dtype=int)


class Scenario(param.Parameterized):
    """Base of every use case's scenario: a name, a horizon year and a warming level.

    Subclasses add their own parameters and set ``model_id`` (the registered model that runs
    them) and ``units`` (units of each numeric parameter, shown next to its widget).
    """

    model_id: ClassVar[str] = ""
    units: ClassVar[dict[str, str]] = {"horizon": "an", "custom_warming": "°C"}
    #: How the second scenario of a new comparison differs from the defaults.
    example_b: ClassVar[dict[str, Any]] = {"horizon": 2100}

    label = param.String(default="A", doc="Short name of the scenario in comparisons.")
    horizon = param.Integer(default=2050, bounds=(HORIZON_MIN, HORIZON_MAX),
                            doc="Horizon year of the projection.")
    warming_source = param.Selector(default="tracc", objects=["tracc", "custom"],
                                    doc="TRACC reference trajectory or a chosen warming level.")
    custom_warming = param.Number(default=2.7, bounds=(0.0, 6.0), step=0.1,
                                  doc="Warming level (°C vs 1850-1900) when not on the TRACC.")

    @property
    def warming(self) -> float:
        """Warming of metropolitan France at the horizon (°C vs 1850-1900)."""
        if self.warming_source == "custom":
            return float(self.custom_warming)
        return float(tracc_warming(self.horizon))

    @property
    def global_warming(self) -> float:
        """Global-mean warming matching ``warming`` (°C), by the TRACC France/global ratio."""
        if self.warming_source == "custom":
            fr = np.array([v for _, v in TRACC_METROPOLE])
            gl = np.array([v for _, v in TRACC_GLOBAL])
            w = float(self.custom_warming)
            if w < fr[0]:
                return w * gl[0] / fr[0]
            if w > fr[-1]:
                return w * gl[-1] / fr[-1]
            return float(np.interp(w, fr, gl))
        return float(tracc_warming(self.horizon, "global"))

    # -- serialisation -------------------------------------------------------------------
    @classmethod
    def user_params(cls) -> list[str]:
        """Parameters a user sets (the scenario's inputs), in declaration order."""
        return [n for n in cls.param if n != "name"]

    def to_dict(self) -> dict[str, Any]:
        from twin_core.models.registry import get_model

        model = get_model(self.model_id)
        return {
            "model": self.model_id,
            "version": model.spec.version,
            "params": {n: getattr(self, n) for n in self.user_params()},
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=False)

    @classmethod
    def from_dict(cls, data: Any, source: str = "scenario") -> Scenario:
        """Build the right Scenario subclass from a dict; every problem raises TwinInputError."""
        from twin_core.models.registry import get_model

        if not isinstance(data, dict):
            raise TwinInputError("scenario_not_object", source)
        unknown_top = set(data) - {"model", "version", "params"}
        if unknown_top:
            raise TwinInputError("unknown_key", source, key=", ".join(sorted(unknown_top)),
                                 allowed="model, version, params")
        model_id = data.get("model")
        if not model_id:
            raise TwinInputError("missing_key", source, key="model")
        model = get_model(model_id, source=source)
        version = data.get("version")
        if version != model.spec.version:
            raise TwinInputError("unknown_version", source, model=model_id,
                                 version=version, expected=model.spec.version)
        scen_cls = model.scenario_class
        if cls is not Scenario and not issubclass(scen_cls, cls):
            raise TwinInputError("wrong_model", source, model=model_id, expected=cls.model_id)
        params = data.get("params", {})
        if not isinstance(params, dict):
            raise TwinInputError("scenario_not_object", source)
        allowed = scen_cls.user_params()
        unknown = sorted(set(params) - set(allowed))
        if unknown:
            raise TwinInputError("unknown_key", source, key=", ".join(unknown),
                                 allowed=", ".join(allowed))
        scenario = scen_cls()
        for key, value in params.items():
            try:
                scenario.param.update(**{key: value})
            except TwinInputError as exc:  # a param's own check (e.g. a drawn geometry)
                raise TwinInputError(exc.code, source, **exc.params) from None
            except (ValueError, TypeError) as exc:
                p = scen_cls.param[key]
                bounds = getattr(p, "bounds", None) or getattr(p, "objects", None)
                raise TwinInputError("bad_value", source, key=key, value=value,
                                     allowed=bounds if bounds is not None else type(p).__name__,
                                     detail=str(exc).splitlines()[0][:160]) from None
        return scenario

    @classmethod
    def from_json(cls, text: str | bytes, source: str = "scenario.json") -> Scenario:
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise TwinInputError("bad_encoding", source, encoding="UTF-8") from None
        if not text.strip():
            raise TwinInputError("empty_file", source)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TwinInputError("bad_json", source, line=exc.lineno, detail=exc.msg) from None
        return cls.from_dict(data, source=source)

    def copy(self, **changes: Any) -> Scenario:
        """An independent copy with some parameters changed."""
        new = type(self)(**{n: getattr(self, n) for n in self.user_params()})
        new.param.update(**changes)
        return new
