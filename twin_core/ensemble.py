"""Uncertainty ensembles: N seeded draws of a scenario's uncertain parameters, run in-process or
on a Dask cluster, summarised as median and 5-95 % band per indicator and per series, with a
sensitivity ranking (Spearman rank correlation of each uncertain input with each indicator).

Each model declares its uncertain inputs with :func:`declare_uncertainty` (in its package's
``uncertainty.py``); every model also gets the warming-level uncertainty below. A model that
offers a vectorised draw function (:meth:`Model.run_draws`, e.g. ZAN) runs each chunk of draws
in one call; otherwise the model runs once per draw. Both give the same values.

Warming: the TRACC gives one planning trajectory; the spread around it follows IPCC AR6 WGI
SPM Table SPM.1 (SSP2-4.5, 2081-2100: best estimate 2.7 °C, very likely 2.1-3.5 °C, i.e. about
±26 % for a 5-95 % range), taken as a normal law with a standard deviation of 16 % of the
warming level.

Assumptions: with ``assumptions=True`` the draws also vary every scenario parameter that an
indicator of the model names as a driving assumption (:mod:`twin_core.evidence`) and that the
model does not already declare as uncertain: uniform ±:data:`ASSUMPTION_SPREAD` of the value
set, clipped to its bounds (a value of 0 — an effect switched off — stays 0). No
published spread exists for these parameters (that is why they are assumptions): the band then
shows how much of a result rests on them, and the sensitivity table which one drives it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import param as _param

from twin_core.errors import TwinInputError
from twin_core.scenario import Scenario

#: Largest ensemble accepted (override with $TWIN_MAX_DRAWS).
DEFAULT_MAX_DRAWS = 5000
#: Seconds to wait for a Dask scheduler before telling the user it does not answer.
SCHEDULER_TIMEOUT_S = 10


@dataclass(frozen=True)
class Uncertain:
    """An uncertain scenario input drawn around the value the user set.

    ``dist``: "normal" (sd ``a``), "uniform" (value + [``a``, ``b``]) or "relative_normal"
    (sd = ``a`` × value). ``center`` reads the centre from another attribute (e.g. "warming"),
    ``sets`` are extra params applied with each draw (e.g. {"warming_source": "custom"}).
    Draws are clipped to the param's bounds. ``seed``: the input is a random seed (e.g. of
    per-commune deviations), not a quantity: it is left out of the sensitivity ranking.
    """

    param: str
    dist: str
    a: float
    b: float = 0.0
    source: str = ""
    center: str | None = None
    sets: dict[str, Any] = field(default_factory=dict)
    seed: bool = False

    def sample(self, scenario: Scenario, rng: np.random.Generator, n: int) -> np.ndarray:
        mid = float(getattr(scenario, self.center or self.param))
        if self.dist == "normal":
            x = rng.normal(mid, self.a, n)
        elif self.dist == "relative_normal":
            x = rng.normal(mid, abs(mid) * self.a, n)
        elif self.dist == "uniform":
            x = rng.uniform(mid + self.a, mid + self.b, n)
        elif self.dist == "relative_uniform":  # ± a × value: a value of 0 stays 0
            x = rng.uniform(mid - abs(mid) * self.a, mid + abs(mid) * self.a, n)
        else:
            raise ValueError(f"unknown distribution {self.dist!r}")
        p = type(scenario).param[self.param]
        lo, hi = p.bounds or (None, None)
        x = np.clip(x, lo if lo is not None else -np.inf, hi if hi is not None else np.inf)
        return np.round(x) if isinstance(p, _param.Integer) else x


WARMING = Uncertain("custom_warming", "relative_normal", 0.16, center="warming",
                    sets={"warming_source": "custom"},
                    source="IPCC AR6 WGI SPM Table SPM.1, SSP2-4.5 very likely range")

_UNCERTAIN: dict[str, tuple[Uncertain, ...]] = {}


def declare_uncertainty(model_id: str, *items: Uncertain) -> None:
    _UNCERTAIN[model_id] = tuple(items)


def uncertainties(model_id: str) -> tuple[Uncertain, ...]:
    from twin_core.models.registry import discover

    discover()
    return (WARMING,) + _UNCERTAIN.get(model_id, ())


#: Relative spread of an assumption drawn by an "assumptions" ensemble (no published figure).
ASSUMPTION_SPREAD = 0.25


def assumption_uncertainties(model_id: str) -> tuple[Uncertain, ...]:
    """The numeric scenario parameters named as driving assumptions by the model's indicators
    and not already declared uncertain, each drawn ±ASSUMPTION_SPREAD."""
    from twin_core.indicators import indicators_for
    from twin_core.models.registry import get_model

    cls = get_model(model_id).scenario_class
    declared = {u.param for u in uncertainties(model_id)}
    names = dict.fromkeys(a for ind in indicators_for(model_id) if ind.evidence is not None
                          and ind.evidence.level == "assumption"
                          for a in ind.evidence.assumptions)
    out = []
    for name in names:
        p = cls.param[name] if name in cls.param else None
        if p is None or name in declared or not isinstance(p, _param.Number) \
                or isinstance(p, _param.Boolean):
            continue
        out.append(Uncertain(name, "relative_uniform", ASSUMPTION_SPREAD,
                             source=f"assumption, ±{ASSUMPTION_SPREAD:.0%} (no published "
                             "spread)"))
    return tuple(out)


def max_draws() -> int:
    return int(os.environ.get("TWIN_MAX_DRAWS", DEFAULT_MAX_DRAWS))


def draw_scenarios(scenario: Scenario, n: int, seed: int = 0, assumptions: bool = False
                   ) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The sampled inputs (one row per draw) and the full param dicts of each draw; with
    ``assumptions``, the driving assumptions vary too (:func:`assumption_uncertainties`)."""
    cap = max_draws()
    if not isinstance(n, int | np.integer) or not 1 <= n <= cap:
        raise TwinInputError("bad_draws", "draws", n=n, cap=cap)
    rng = np.random.default_rng(seed)
    items = uncertainties(scenario.model_id)
    if assumptions:
        items = items + assumption_uncertainties(scenario.model_id)
    samples = pd.DataFrame({u.param: u.sample(scenario, rng, n) for u in items})
    base = {k: getattr(scenario, k) for k in scenario.user_params()}
    params = []
    for i in range(n):
        p = dict(base)
        for u in items:
            p.update(u.sets)
            value = float(samples.at[i, u.param])
            integer = isinstance(type(scenario).param[u.param], _param.Integer)
            p[u.param] = int(round(value)) if integer else value
        params.append(p)
    return samples, params


def _run_draws(model_id: str, territory_root: str, params: Sequence[dict[str, Any]],
               vectorised: bool = True
               ) -> tuple[list[tuple[dict[str, float], pd.DataFrame | None]], str]:
    """Run draws in this process (also the task a Dask worker executes): the model's
    vectorised draw function when it has one (and ``vectorised``), else one run per draw.
    Returns the runs and the path taken ("vectorised" or "per-draw")."""
    from twin_core.indicators import compute_all
    from twin_core.models.registry import get_model

    model = get_model(model_id)
    territory = _territory(territory_root)
    if vectorised:
        fast = model.run_draws(territory, list(params))
        if fast is not None:
            return fast, "vectorised"
    version = model.spec.version
    out = []
    for p in params:
        scen = Scenario.from_dict({"model": model_id, "version": version, "params": p})
        result = model.run(territory, scen)
        out.append((compute_all(result), result.series))
    return out, "per-draw"


_TERRITORIES: dict[str, Any] = {}


def _territory(root: str):
    from twin_core.territory import Territory

    if root not in _TERRITORIES:
        _TERRITORIES[root] = Territory.load(root)
    return _TERRITORIES[root]


def connect(address: str):
    """A Dask client for ``address``; a clear TwinInputError within ~10 s when it does not
    answer (no silent fallback to a local run)."""
    from distributed import Client

    try:
        return Client(address, timeout=f"{SCHEDULER_TIMEOUT_S}s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise TwinInputError("scheduler_unreachable", address, timeout=SCHEDULER_TIMEOUT_S,
                             detail=type(exc).__name__) from None


@dataclass
class EnsembleResult:
    label: str
    samples: pd.DataFrame  # draw × uncertain input
    values: pd.DataFrame  # draw × indicator
    series: list[pd.DataFrame | None]
    path: str = "per-draw"  # "vectorised", "per-draw" or "mixed" (chunks on Dask)
    seeds: tuple[str, ...] = ()  # sampled seeds, not ranked by the sensitivity

    def summary(self) -> pd.DataFrame:
        """Median and 5-95 % band of every indicator."""
        q = self.values.quantile([0.05, 0.5, 0.95]).T
        q.columns = ["p05", "median", "p95"]
        return q.rename_axis("indicator").reset_index()

    def series_bands(self, columns: Sequence[str]) -> pd.DataFrame:
        """Per year and column: median, p05, p95 across draws."""
        frames = [s.assign(draw=i) for i, s in enumerate(self.series) if s is not None]
        if not frames:
            return pd.DataFrame()
        long = pd.concat(frames, ignore_index=True)
        cols = [c for c in columns if c in long.columns]
        g = long.groupby("year")[cols]
        out = pd.concat({"p05": g.quantile(0.05), "median": g.median(),
                         "p95": g.quantile(0.95)}, axis=1)
        out.columns = [f"{c}_{stat}" for stat, c in out.columns]
        return out.reset_index()

    def sensitivity(self) -> pd.DataFrame:
        """|Spearman ρ| of each uncertain input with each indicator, ranked per indicator
        (seeds left out: a seed's rank means nothing)."""
        rows = []
        ranks_in = self.samples.drop(columns=list(self.seeds), errors="ignore").rank()
        ranks_out = self.values.rank()
        for ind in self.values.columns:
            y = ranks_out[ind]
            for p in ranks_in.columns:
                x = ranks_in[p]
                rho = float(np.corrcoef(x, y)[0, 1]) if x.std() > 0 and y.std() > 0 else 0.0
                rows.append((ind, p, rho, abs(rho)))
        table = pd.DataFrame(rows, columns=["indicator", "input", "spearman", "abs_spearman"])
        table["rank"] = table.groupby("indicator")["abs_spearman"].rank(ascending=False,
                                                                         method="first")
        return table.sort_values(["indicator", "rank"]).reset_index(drop=True)


def run_ensemble(model_id: str, territory_root: str, scenario: Scenario, n: int, seed: int = 0,
                 scheduler: str | None = None, chunks: int | None = None,
                 vectorised: bool = True, assumptions: bool = False) -> EnsembleResult:
    """Run ``n`` seeded draws of ``scenario``; on the Dask scheduler at ``scheduler`` (or
    $DASK_SCHEDULER_ADDRESS) when given, else in this process. Results are equal (to the last bit
    or so: chunked sums may be added in another order).
    ``vectorised=False`` forces one model run per draw; ``assumptions`` varies the driving
    assumptions too."""
    samples, params = draw_scenarios(scenario, n, seed, assumptions)
    scheduler = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    root = str(territory_root)
    if scheduler is None:
        runs, path = _run_draws(model_id, root, params, vectorised)
    else:
        client = connect(scheduler)
        try:
            workers = max(len(client.scheduler_info().get("workers", {})), 1)
            k = chunks or min(n, 2 * workers)
            parts = [list(c) for c in np.array_split(np.arange(n), k) if len(c)]
            futures = [client.submit(_run_draws, model_id, root, [params[i] for i in part],
                                     vectorised, pure=False) for part in parts]
            done = client.gather(futures)
            runs = [r for chunk, _ in done for r in chunk]
            paths = {p for _, p in done}
            path = paths.pop() if len(paths) == 1 else "mixed"
        finally:
            client.close()
    values = pd.DataFrame([v for v, _ in runs])
    seeds = tuple(u.param for u in uncertainties(model_id) if u.seed)
    return EnsembleResult(label=scenario.label, samples=samples, values=values,
                          series=[s for _, s in runs], path=path, seeds=seeds)


def scenario_key(scenario: Scenario) -> str:
    return json.dumps(scenario.to_dict(), sort_keys=True)
