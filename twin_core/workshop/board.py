"""The facilitator's board as data: one row per proposal, the headline indicators as columns,
the best and worst proposal marked per indicator (by each indicator's ``higher_is_better``)."""

from __future__ import annotations

import pandas as pd

from twin_core.indicators import Indicator, indicators_for
from twin_core.workshop.store import Proposal

BOARD_INDICATORS = 8


def board_indicators(model_id: str, n: int = BOARD_INDICATORS) -> list[Indicator]:
    """The model's first ``n`` indicators (the same headline order as its page)."""
    return indicators_for(model_id)[:n]


def board_frame(model_id: str, proposals: list[Proposal], n: int = BOARD_INDICATORS
                ) -> pd.DataFrame:
    """Proposals × indicators (values), indexed by proposal id, with a ``name`` column."""
    cols = [i.id for i in board_indicators(model_id, n)]
    rows = {p.id: {"name": p.name, **{c: p.values.get(c, float("nan")) for c in cols}}
            for p in proposals}
    return pd.DataFrame.from_dict(rows, orient="index", columns=["name", *cols])


def marks(model_id: str, frame: pd.DataFrame) -> dict[tuple[int, str], str]:
    """``{(proposal id, indicator id): "best" | "worst"}``; nothing when fewer than two
    proposals differ or when the indicator has no better direction."""
    out: dict[tuple[int, str], str] = {}
    for ind in board_indicators(model_id, len(frame.columns)):
        if ind.id not in frame or ind.higher_is_better is None:
            continue
        col = frame[ind.id].dropna()
        if len(col) < 2 or col.max() == col.min():
            continue
        best, worst = (col.max(), col.min()) if ind.higher_is_better else (col.min(), col.max())
        for pid, value in col.items():
            if value == best:
                out[(int(pid), ind.id)] = "best"
            elif value == worst:
                out[(int(pid), ind.id)] = "worst"
    return out
