"""Scenarios: one ``param.Parameterized`` per use case, serialisable to and from JSON.

Warming follows the French reference warming trajectory for adaptation, TRACC (Ministère de la
Transition écologique, 2023-2024): metropolitan France +2.0 °C in 2030, +2.7 °C in 2050 and
+4.0 °C in 2100 relative to 1850-1900, linearly interpolated between those years. A user may
instead set another warming level ("custom").
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

import numpy as np
import param

from twin_core.errors import TwinInputError

#: TRACC anchor points for metropolitan France (year, °C above 1850-1900).
TRACC_METROPOLE: tuple[tuple[int, float], ...] = ((2030, 2.0), (2050, 2.7), (2100, 4.0))
#: The matching global-mean warming levels (°C), used to read global projections (sea level).
TRACC_GLOBAL: tuple[tuple[int, float], ...] = ((2030, 1.5), (2050, 2.0), (2100, 3.0))

HORIZON_MIN, HORIZON_MAX = 2030, 2100

#: Limits on a scenario file: its size (bytes), the nesting of its JSON, the length of a
#: label or other text parameter, and of any string in it (drawn geometries included).
MAX_SCENARIO_BYTES = 1_000_000
MAX_JSON_DEPTH = 32
MAX_LABEL_CHARS = 200
MAX_STRING_CHARS = 10_000


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
    #: Model parameters that are not scenario levers (profile constants, objective weights,
    #: links set by a territory scenario): the pages fold them under "Paramètres avancés".
    advanced: ClassVar[tuple[str, ...]] = ()

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

    @classmethod
    def widget_params(cls) -> list[str]:
        """The user params the pages and workshops show: all but those with a negative
        ``precedence`` (set by the machinery, e.g. an ensemble's draw seed)."""
        return [n for n in cls.user_params()
                if (cls.param[n].precedence is None or cls.param[n].precedence >= 0)]

    def to_dict(self) -> dict[str, Any]:
        from twin_core.models.registry import get_model

        model = get_model(self.model_id)
        return {
            "model": self.model_id,
            "version": model.spec.version,
            "params": {n: getattr(self, n) for n in self.user_params()},
        }

    def to_json(self, territory: str | None = None) -> str:
        """The scenario file; ``territory`` (the id it was run on) is recorded when given."""
        data = self.to_dict()
        if territory:
            data["territory"] = territory
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)

    @classmethod
    def from_dict(cls, data: Any, source: str = "scenario") -> Scenario:
        """Build the right Scenario subclass from a dict; every problem raises TwinInputError."""
        from twin_core.models.registry import get_model

        if not isinstance(data, dict):
            raise TwinInputError("scenario_not_object", source)
        _check_strings(data, source)
        unknown_top = set(data) - {"model", "version", "params", "territory"}
        if unknown_top:
            raise TwinInputError("unknown_key", source, key=", ".join(sorted(unknown_top)),
                                 allowed="model, version, params, territory")
        saved_for = data.get("territory")
        if saved_for is not None and not isinstance(saved_for, str):
            raise TwinInputError("expected_text", source, key="territory",
                                 found=_json_type(saved_for), value=_show(saved_for))
        model_id = data.get("model")
        if not model_id:
            raise TwinInputError("missing_key", source, key="model")
        if not isinstance(model_id, str):
            raise TwinInputError("expected_text", source, key="model", found=_json_type(model_id),
                                 value=_show(model_id))
        model = get_model(model_id, source=source)
        version = data.get("version")
        if version != model.spec.version:
            raise TwinInputError("unknown_version", source, model=model_id,
                                 version=_show(version), expected=model.spec.version)
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
            _check_type(scen_cls.param[key], key, value, source)
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
        scenario.saved_territory = saved_for  # the territory the file was saved for (or None)
        return scenario

    @classmethod
    def from_json(cls, text: str | bytes, source: str = "scenario.json") -> Scenario:
        """Parse a scenario file; size, nesting, strings and types are checked first."""
        if len(text) > MAX_SCENARIO_BYTES:
            raise TwinInputError("file_too_large", source, size=f"{len(text) / 1e6:,.1f}",
                                 limit=f"{MAX_SCENARIO_BYTES / 1e6:g}")
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise TwinInputError("bad_encoding", source, encoding="UTF-8") from None
        if not text.strip():
            raise TwinInputError("empty_file", source)
        depth = json_depth(text)
        if depth > MAX_JSON_DEPTH:
            raise TwinInputError("too_deep", source, depth=depth, limit=MAX_JSON_DEPTH)
        try:
            data = json.loads(text, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            raise TwinInputError("bad_json", source, line=exc.lineno, detail=exc.msg) from None
        except RecursionError:  # (json_depth counts brackets; a safety net)
            raise TwinInputError("too_deep", source, depth=">1000", limit=MAX_JSON_DEPTH
                                 ) from None
        except ValueError as exc:  # NaN, Infinity; integers too long to convert
            raise TwinInputError("bad_json", source, line="?",
                                 detail=str(exc).splitlines()[0][:160]) from None
        return cls.from_dict(data, source=source)

    def copy(self, **changes: Any) -> Scenario:
        """An independent copy with some parameters changed."""
        new = type(self)(**{n: getattr(self, n) for n in self.user_params()})
        new.param.update(**changes)
        return new


# -- checks of scenario files ----------------------------------------------------------------
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def json_depth(text: str) -> int:
    """Deepest nesting of arrays and objects in ``text`` (strings skipped), without parsing."""
    bare = _JSON_STRING.sub("", text)
    if "[" not in bare and "{" not in bare:
        return 0
    b = np.frombuffer(bare.encode("utf-8", "replace"), dtype=np.uint8)
    step = np.isin(b, (ord("["), ord("{"))).astype(np.int32) - np.isin(
        b, (ord("]"), ord("}"))).astype(np.int32)
    return int(np.cumsum(step).max(initial=0))


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number in JSON")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_strings(data: Any, source: str, key: str = "") -> None:
    """No string longer than MAX_STRING_CHARS anywhere (keys included), iteratively."""
    stack = [(key, data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            if len(value) > MAX_STRING_CHARS:
                raise TwinInputError("text_too_long", source, key=where or "?",
                                     length=f"{len(value):,}", limit=f"{MAX_STRING_CHARS:,}")
        elif isinstance(value, dict):
            for k, v in value.items():
                stack.append((k, k))
                stack.append((k if not where else f"{where}.{k}", v))
        elif isinstance(value, list):
            stack.extend((where, v) for v in value)


def _check_type(p: param.Parameter, key: str, value: Any, source: str) -> None:
    """The JSON type a parameter expects, named (a horizon "2050" in quotes is text)."""
    found = _json_type(value)
    if isinstance(p, param.Boolean):
        ok, code = isinstance(value, bool), "expected_boolean"
    elif isinstance(p, param.Integer):
        ok, code = isinstance(value, int) and not isinstance(value, bool), "expected_integer"
    elif isinstance(p, param.Number):
        ok, code = isinstance(value, int | float) and not isinstance(value, bool), \
            "expected_number"
    elif isinstance(p, param.String):
        ok, code = isinstance(value, str), "expected_text"
        if ok and len(value) > MAX_LABEL_CHARS:
            raise TwinInputError("text_too_long", source, key=key, length=f"{len(value):,}",
                                 limit=f"{MAX_LABEL_CHARS:,}")
    elif isinstance(p, param.Selector):
        ok, code = isinstance(value, str | int | float | bool) or value is None, "bad_value"
        if not ok:
            raise TwinInputError("bad_value", source, key=key, value=_show(value),
                                 allowed=p.objects, detail=f"{found}")
    else:
        return
    if not ok:
        raise TwinInputError(code, source, key=key, found=found, value=_show(value))
    if isinstance(value, float) and not np.isfinite(value):
        raise TwinInputError("bad_value", source, key=key, value=value,
                             allowed=getattr(p, "bounds", None), detail="not finite")
