"""The facilitator's board as data: one row per proposal, the headline indicators as columns,
the best and worst proposal marked per indicator (by each indicator's ``higher_is_better``)."""

from __future__ import annotations

import pandas as pd

from twin_core.compare import rank
from twin_core.headline import headline_indicators
from twin_core.indicators import Indicator
from twin_core.workshop.store import Proposal

#: At most this many columns (a model's headline holds 4-7).
BOARD_INDICATORS = 8


def board_indicators(model_id: str, n: int = BOARD_INDICATORS) -> list[Indicator]:
    """The model's headline indicators (the cards its page opens on, ``HEADLINE`` in the model
    module, :mod:`twin_core.headline`), at most ``n``."""
    return headline_indicators(model_id)[:n]


def board_frame(model_id: str, proposals: list[Proposal], n: int = BOARD_INDICATORS
                ) -> pd.DataFrame:
    """Proposals × indicators (values), indexed by proposal id, with a ``name`` column."""
    cols = [i.id for i in board_indicators(model_id, n)]
    rows = {p.id: {"name": p.name, **{c: p.values.get(c, float("nan")) for c in cols}}
            for p in proposals}
    return pd.DataFrame.from_dict(rows, orient="index", columns=["name", *cols])


def marks(model_id: str, frame: pd.DataFrame) -> dict[tuple[int, str], str]:
    """``{(proposal id, indicator id): "best" | "worst"}`` (``twin_core.compare.rank``: ties
    share the mark, values equal as displayed are not ranked, undirected indicators neither)."""
    out: dict[tuple[int, str], str] = {}
    for ind in board_indicators(model_id, len(frame.columns)):
        if ind.id not in frame:
            continue
        for pid, mark in zip(frame.index, rank(frame[ind.id].tolist(), ind.higher_is_better,
                                                ind.decimals), strict=True):
            if mark:
                out[(int(pid), ind.id)] = mark
    return out
