"""Indicators: a stable identifier, units, French and English labels (locale files) and a pure
function computing one number from a Result (the xclim indices / indicators split)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from twin_core.evidence import Assessment, Evidence, assess
from twin_core.i18n import t
from twin_core.models.base import Result


@dataclass(frozen=True)
class Indicator:
    id: str
    model_id: str
    units: str
    compute: Callable[[Result], float]
    decimals: int = 1
    #: Which way is better when ranking proposals: True (higher), False (lower), None (a driver
    #: or a context figure: not ranked).
    higher_is_better: bool | None = None
    #: What the number rests on (:mod:`twin_core.evidence`); every registered indicator has one.
    evidence: Evidence | None = None

    def label(self, lang: str = "fr") -> str:
        return t(f"indicators.{self.id}", lang)

    def __call__(self, result: Result) -> float:
        if result.model_id != self.model_id:
            raise ValueError(f"indicator {self.id} reads {self.model_id} results, "
                             f"not {result.model_id}")
        if self.evidence is not None and not self.assess(result).finding:
            return float("nan")  # a fit without skill is not a finding (twin_core.evidence)
        return float(self.compute(result))

    def assess(self, result: Result) -> Assessment:
        """This indicator's evidence in ``result``: level, synthetic inputs, skill."""
        if self.evidence is None:
            raise ValueError(f"indicator {self.id} declares no evidence")
        return assess(self, result)


_INDICATORS: dict[str, Indicator] = {}


def indicator(id: str, model_id: str, units: str, decimals: int = 1,
              higher_is_better: bool | None = None, evidence: Evidence | None = None
              ) -> Callable[[Callable[[Result], float]], Indicator]:
    """Decorator registering ``fn(result) -> float`` as an indicator."""

    def wrap(fn: Callable[[Result], float]) -> Indicator:
        ind = Indicator(id=id, model_id=model_id, units=units, compute=fn, decimals=decimals,
                        higher_is_better=higher_is_better, evidence=evidence)
        if id in _INDICATORS and _INDICATORS[id].compute.__qualname__ != fn.__qualname__:
            raise RuntimeError(f"indicator {id!r} defined twice")
        _INDICATORS[id] = ind
        return ind

    return wrap


def value_indicator(id: str, model_id: str, units: str, key: str | None = None,
                    decimals: int = 1, higher_is_better: bool | None = None,
                    evidence: Evidence | None = None) -> Indicator:
    """An indicator that reads ``result.values[key]`` (the common case)."""
    name = key or id

    def read(result: Result) -> float:
        return float(result.values.get(name, np.nan))

    read.__qualname__ = f"value:{model_id}:{name}"
    return indicator(id, model_id, units, decimals, higher_is_better, evidence)(read)


def indicators_for(model_id: str) -> list[Indicator]:
    from twin_core.models.registry import discover

    discover()
    return [ind for ind in _INDICATORS.values() if ind.model_id == model_id]


def all_indicators() -> dict[str, Indicator]:
    from twin_core.models.registry import discover

    discover()
    return dict(_INDICATORS)


def compute_all(result: Result) -> dict[str, float]:
    return {ind.id: ind(result) for ind in indicators_for(result.model_id)}
