"""What a page shows first: each model's headline indicators (``HEADLINE`` in its model module,
with the reason next to it) and each scenario class's advanced parameters (``advanced``).

The pages, the workshop board and the whole-territory view read the same list, so a forester
sees the same four to seven numbers on the forest page and on a workshop's board.
"""

from __future__ import annotations

import sys

from twin_core.indicators import Indicator, indicators_for
from twin_core.scenario import Scenario

#: Cards shown when a model declares no ``HEADLINE``.
DEFAULT_HEADLINE = 6


def headline_ids(model_id: str) -> tuple[str, ...]:
    """The model's headline indicator ids, in their declared order (registered ones only);
    its first :data:`DEFAULT_HEADLINE` indicators when it declares none."""
    from twin_core.models.registry import get_model

    known = [i.id for i in indicators_for(model_id)]
    module = sys.modules.get(type(get_model(model_id)).__module__)
    declared = getattr(module, "HEADLINE", None)
    if not declared:
        return tuple(known[:DEFAULT_HEADLINE])
    return tuple(i for i in declared if i in known)


def headline_indicators(model_id: str) -> list[Indicator]:
    by_id = {i.id: i for i in indicators_for(model_id)}
    return [by_id[i] for i in headline_ids(model_id)]


def advanced_params(scenario_class: type[Scenario]) -> tuple[str, ...]:
    """Parameters of the model that are not scenario levers (profile constants, weights…):
    the pages fold them under "Paramètres avancés"."""
    names = set(scenario_class.widget_params())
    return tuple(n for n in getattr(scenario_class, "advanced", ()) if n in names)
