"""Models are found by contract: every ``Model`` subclass with a ``spec`` registers itself when
its module is imported, and :func:`discover` imports every module under ``twin_core.models``.
No hand-kept list (InVEST ``models.py`` pattern)."""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

from twin_core.errors import TwinInputError

if TYPE_CHECKING:
    from twin_core.models.base import Model

_REGISTRY: dict[str, type[Model]] = {}
_discovered = False


def register(cls: type[Model]) -> type[Model]:
    model_id = cls.spec.id
    existing = _REGISTRY.get(model_id)
    if existing is not None and existing.__qualname__ != cls.__qualname__:
        raise RuntimeError(f"model id {model_id!r} registered twice ({existing}, {cls})")
    _REGISTRY[model_id] = cls
    cls.spec.scenario_class.model_id = model_id
    return cls


def discover() -> None:
    """Import every module under twin_core.models once, so that all models register."""
    global _discovered
    if _discovered:
        return
    import twin_core.models as pkg

    for info in pkgutil.walk_packages(pkg.__path__, prefix="twin_core.models."):
        importlib.import_module(info.name)
    _discovered = True


def all_models() -> dict[str, Model]:
    """Registered models by id (instances), sorted by use case then id."""
    discover()
    items = sorted(_REGISTRY.items(), key=lambda kv: (kv[1].spec.use_case, kv[0]))
    return {k: cls() for k, cls in items}


def get_model(model_id: str, source: str = "model") -> Model:
    discover()
    cls = _REGISTRY.get(model_id)
    if cls is None:
        raise TwinInputError("unknown_model", source, model=model_id,
                             known=", ".join(sorted(_REGISTRY)))
    return cls()
