"""Compare the results of N scenarios: a tidy table indicator x scenario with the difference to a
reference scenario."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from twin_core.indicators import indicators_for
from twin_core.models.base import Result

COLUMNS = ["indicator", "label", "units", "scenario", "value", "reference", "delta",
           "delta_pct", "evidence", "synthetic", "skill", "finding", "evidence_detail"]


def compare(results: Sequence[Result], reference: str | None = None, lang: str = "fr"
            ) -> pd.DataFrame:
    """Tidy comparison: one row per indicator and scenario.

    ``reference`` is the label of the reference scenario (default: the first). ``delta`` is
    value − reference value; ``delta_pct`` is that difference in % of the reference (NaN when the
    reference is 0). ``evidence``, ``synthetic``, ``skill`` and ``finding`` say how far each
    value can be trusted (:mod:`twin_core.evidence`). All results must come from the same model.
    """
    if not results:
        return pd.DataFrame(columns=COLUMNS)
    model_ids = {r.model_id for r in results}
    if len(model_ids) != 1:
        raise ValueError(f"compare() needs results of one model, got {sorted(model_ids)}")
    labels = [r.label for r in results]
    if len(set(labels)) != len(labels):
        raise ValueError(f"scenario labels must be distinct, got {labels}")
    ref_label = reference if reference is not None else labels[0]
    if ref_label not in labels:
        raise ValueError(f"reference {ref_label!r} is not one of {labels}")
    ref = results[labels.index(ref_label)]
    rows = []
    for ind in indicators_for(ref.model_id):
        ref_value = ind(ref)
        for res in results:
            value = ind(res)
            delta = value - ref_value
            pct = delta / abs(ref_value) * 100 if ref_value not in (0, 0.0) else np.nan
            a = ind.assess(res)
            ev = a.as_row(lang)
            rows.append((ind.id, ind.label(lang), ind.units, res.label, value, ref_label,
                         delta, pct, ev["evidence"], ev["synthetic"], ev["skill"],
                         ev["finding"], a.tooltip(lang).replace("\n", " | ")))
    return pd.DataFrame(rows, columns=COLUMNS)


def wide(table: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator, one column per scenario, then a Δ column per non-reference one."""
    if table.empty:
        return pd.DataFrame()
    ref = table["reference"].iloc[0]
    order = list(dict.fromkeys(table["scenario"]))
    keys = ["indicator", "label", "units"]
    values = table.pivot(index=keys, columns="scenario", values="value")[order]
    # keep the indicators' order (pivot sorts) and rows whose values are all NaN (no finding)
    values = values.reindex(pd.MultiIndex.from_frame(table[keys].drop_duplicates()))
    values.columns.name = None
    for name in order:
        if name != ref:
            values[f"Δ {name} − {ref}"] = values[name] - values[ref]
    out = values.reset_index()
    if "evidence" in table:  # the reference scenario's evidence (the level is per indicator)
        ev = table[table["scenario"] == ref].set_index("indicator")
        out["evidence"] = out["indicator"].map(ev["evidence"])
        out["synthetic"] = out["indicator"].map(ev["synthetic"])
    return out


def rank(values: Sequence[float], higher_is_better: bool | None, decimals: int = 6
         ) -> list[str]:
    """Per value: "best", "worst" or "" (not ranked, missing, or all equal once rounded to
    ``decimals``). Ties share the mark."""
    marks = [""] * len(values)
    if higher_is_better is None:
        return marks
    rounded = []
    for v in values:
        try:
            f = float(v)
        except (TypeError, ValueError):
            f = math.nan
        rounded.append(round(f, decimals) if math.isfinite(f) else None)
    finite = [v for v in rounded if v is not None]
    if len(set(finite)) < 2:
        return marks
    best = max(finite) if higher_is_better else min(finite)
    worst = min(finite) if higher_is_better else max(finite)
    return ["best" if v == best else "worst" if v == worst else "" for v in rounded]
