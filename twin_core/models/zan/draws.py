"""Vectorised ensemble of the ZAN model: the values and yearly series of many draws of its
uncertain inputs (population growth, household-size trend; :mod:`.uncertainty`) in one numpy
pass, equal to one :func:`~twin_core.models.zan.model.run_trajectory` per draw (same equations
and sources, see :mod:`twin_core.models.zan.model` and :mod:`.envelope`).

Why it can be exact: a draw shifts the group's growth ``g`` and household trend ``h``; commune c
grows at g + dg(c) with households changing at h + dh(c) (its observed 2014-2020 gaps, fixed),
so its housing stock in year t is a(c) × R(c)^(t − 2020) with a = pop / household size /
occupied share and R = (1 + g + dg) / (1 + h + dh). R is constant in time, so a commune's
yearly demand max(stock(t+1) − stock(t), 0) has one sign and any sum over a window of years
telescopes: Σ_{lo ≤ y < hi} demand = a × max(R^(hi−2020) − R^(lo−2020), 0). Every per-commune
figure of the model (budget used, dwellings delivered) is such a window sum — arrays draws ×
communes, nothing draws × communes × years. The yearly totals (the series) are Σ_c a(c) ×
max(R(c) − 1, 0) × R(c)^t, accumulated year by year on blocks of draws. Non-housing land is a
fixed multiple of the communes' own housing land; the incoming households are shared by
population and take housing land only. Commune growth deviations (issue 15): a draw's
``commune_draw`` seeds one deviation per commune (correlated within a département,
:func:`twin_core.models.zan.model.drawn_deviation`), added to dg(c) — R stays constant in
time, so the same closed forms hold; R^t is then computed as exp(t ln R). Other
inputs are the scenario's and must be the same in every draw (else :func:`run_draws` returns
None and the engine runs the model once per draw).

Self-check: the first draw is also run through the model itself, and the vectorised values must
equal it (relative 1e-9, same value keys), else None (e.g. a model change this path does not
know of): the engine never returns a vectorised result the model would not give.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from twin_core.models.base import Result
from twin_core.models.zan.envelope import (
    allocate,
    allocate_with_floor,
    allocation_weights,
    check_communes,
    decade_budgets,
)

log = logging.getLogger(__name__)

#: Inputs that may differ between draws (the others must be equal in every draw).
VARYING = ("population_growth_pct", "household_trend_pct", "commune_draw")
#: Inputs the ZAN model does not read (the warming draws of every ensemble).
IGNORED = ("label", "warming_source", "custom_warming")
#: Draws × communes elements per block (memory ≈ 10 arrays × 8 bytes × this): small blocks
#: keep the yearly loop's arrays in the CPU cache (measured faster than 4 M elements).
BLOCK_ELEMENTS = 500_000
SELF_CHECK_REL = 1e-9


def _prepare(territory, s) -> dict[str, Any]:
    """Draw-independent quantities of :func:`run_trajectory` (same steps, same order)."""
    from twin_core.models.zan.model import BASE_YEAR, commune_inputs
    from twin_core.models.zan.model import _column as column

    key = "conso_naf" if s.group == "ain" else "conso_naf_synthetic"
    conso = territory.layer(key)
    communes = territory.layer("communes")
    check_communes(conso, communes["code_insee"], key)
    ci = commune_inputs(conso, s)
    communal, yearly = ci["communal"], ci["yearly"]
    idx = communal.index
    first_proj = max(yearly.columns) + 1
    obs_2021 = yearly[[y for y in yearly.columns if y >= 2021]].sum(axis=1)
    return {"ci": ci, "idx": idx, "pop": ci["pop"], "hh": ci["hh"],
            "reference": communal["reference_ha"],
            "dg": ci["growth_gap"].to_numpy(), "dh": ci["household_gap"].to_numpy(),
            "q": ci["q"], "env_past": communal["envelope_ha"],
            "floor": communal["guarantee_ha"],
            "total_env": float(communal["envelope_ha"].sum()),
            "growth_obs": column(ci["conso"], "pop1420", idx), "first_proj": first_proj,
            "yearly_totals": yearly.sum(axis=0), "obs_2021": obs_2021,
            "base_year": BASE_YEAR}


def _zone(territory, s, idx: pd.Index, horizon: int) -> tuple[float, list[int]]:
    """Area (ha) of the zone to renature drawn on the map and its years (model.py): renatured
    evenly over those years in every draw (it does not depend on the draw)."""
    if not getattr(s, "renature_zone", None):
        return 0.0, []
    from twin_core.models.zan import model as zm

    zone_ha = zm.zone_area_by_commune(s.renature_zone, territory.layer("communes"), idx)
    years = [y for y in zm.ZONE_YEARS if 2011 <= y <= horizon]
    total = float(zone_ha.sum())
    return (total, years) if years and total > 0 else (0.0, [])


def _envelopes(p: dict, s, g: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """Communal envelopes per draw (draws × communes): the law's 'past' rule does not depend
    on the draw; the other rules weigh the population growth of the draw (with the communes'
    drawn deviations) where the commune has no observed growth."""
    from twin_core.models.zan.model import drawn_deviation

    env = p["env_past"]
    if s.allocation_rule == "past":
        return np.broadcast_to(env.to_numpy(), (g.size, env.size))
    pop, obs = p["pop"], p["growth_obs"]
    out = np.empty((g.size, env.size))
    for k, gk in enumerate(g):
        eps = drawn_deviation(p["ci"], s, draws[k])
        growth = obs.where(obs.notna(), pop * ((1 + gk + p["dg"] + eps) ** 10 - 1))
        weights = allocation_weights(s.allocation_rule, p["reference"], growth,
                                     s.mix_past_pct / 100)
        out[k] = allocate_with_floor(p["total_env"], weights, p["floor"]).to_numpy()
    return out


def project(territory, s, growth_pct: np.ndarray, trend_pct: np.ndarray,
            commune_draws: np.ndarray | None = None
            ) -> tuple[list[dict[str, float]], list[pd.DataFrame]]:
    """Values and series of the ZAN model for scenario ``s`` under each (growth, trend,
    commune draw) draw; ``commune_draws`` (default: all 0, the central run) seeds each draw's
    commune growth deviations (:func:`~twin_core.models.zan.model.drawn_deviation`)."""
    from twin_core.models.zan.model import allowed_path, drawn_deviation

    p = _prepare(territory, s)
    g = np.asarray(growth_pct, dtype=float) / 100
    h = np.asarray(trend_pct, dtype=float) / 100
    draws = (np.zeros(g.size, dtype=np.int64) if commune_draws is None
             else np.asarray(commune_draws, dtype=np.int64))
    noisy = bool(np.any(draws != 0)) and s.commune_growth_sd_pct > 0
    m = g.size
    horizon = max(s.horizon, 2050)
    first = p["first_proj"]
    base = p["base_year"]
    occupied = 1.0 - (s.vacancy_pct + s.secondary_pct) / 100
    fabric = s.existing_fabric_pct / 100
    q = p["q"]
    f_land = (1.0 - fabric) / s.density
    f_gross = f_land * (1.0 + q)  # housing land and its non-housing share, per dwelling
    pop = p["pop"].to_numpy()
    a = pop / p["hh"].to_numpy() / occupied  # stock per unit of R^t, per commune
    dg, dh = p["dg"], p["dh"]
    pop_share = pop / pop.sum() if pop.sum() > 0 else np.full(pop.size, 1 / pop.size)
    proj_years = list(range(first, 2031))
    inc = s.incoming_dwellings if proj_years else 0.0
    dem_years = np.arange(2021, horizon + 1)
    other_obs = p["obs_2021"].to_numpy()
    env = _envelopes(p, s, g, draws)
    renat_total = 0.0
    if s.renaturation_ha_per_yr > 0:
        renat_total = float(allocate(s.renaturation_ha_per_yr, p["pop"] * 0 + 1.0).sum())
    n_rest = len(range(2031, 2050))
    zone_total, zone_years = _zone(territory, s, p["idx"], horizon)
    obs_sum = float(other_obs.sum())

    values = {k: np.empty(m) for k in ("dec1", "over", "delivered", "needed", "pop_gain")}
    demand = np.empty((m, dem_years.size))  # Σ_c a(c) × yearly demand, per draw and year
    block = max(1, BLOCK_ELEMENTS // max(a.size, 1))
    # without commune gaps (no census trends, or commune_trends off) every commune of a draw
    # shares R: the arrays stay draws × 1 and the yearly totals factorise (Σ_c a(c) × …)
    uniform = not (np.any(dg) or np.any(dh) or noisy)
    a_sum = float(a.sum())
    for lo in range(0, m, block):
        sl = slice(lo, min(lo + block, m))
        lr = lg = None
        if uniform:
            gc, hc = 1 + g[sl, None], 1 + h[sl, None]
        else:
            gc = 1 + g[sl, None] + dg[None, :]
            if noisy:  # each draw's commune deviations, from its own seed
                gc = gc + np.stack([drawn_deviation(p["ci"], s, k) for k in draws[sl]])
            hc = 1 + h[sl, None] + dh[None, :]
            lg = np.log(gc)
            lr = lg - np.log(hc)  # ln R: R^t = exp(t ln R), equal to the model's to ~1e-15
        powers: dict[int, np.ndarray] = {}

        def stock(t: int, gc=gc, hc=hc, lr=lr, powers=powers) -> np.ndarray:  # R^t
            if t not in powers:
                powers[t] = gc ** t / hc ** t if lr is None else np.exp(t * lr)
            return powers[t]

        def window(y0: int, y1: int) -> np.ndarray:  # Σ demand / a, y0 ≤ y < y1 (telescoped)
            return np.maximum(stock(y1 - base) - stock(y0 - base), 0.0)

        own_proj = a[None, :] * window(first, 2031)
        needed = a[None, :] * window(2021, 2031) + (pop_share * inc)[None, :]
        needed_proj = own_proj + (pop_share * inc)[None, :]
        # incoming households take housing land only (model.py)
        dec1 = other_obs[None, :] + own_proj * f_gross + (pop_share * inc * f_land)[None, :]
        e = env[sl]
        land_avail = np.clip(e - other_obs[None, :] - own_proj * f_land * q, 0, None)
        delivered = (needed - needed_proj) + needed_proj * fabric + np.minimum(
            needed_proj * (1 - fabric), land_avail * s.density)
        values["dec1"][sl] = dec1.sum(axis=1)
        values["over"][sl] = (dec1 / e * 100 > 100).sum(axis=1)
        values["delivered"][sl] = delivered.sum(axis=1)
        values["needed"][sl] = needed.sum(axis=1)
        grown = (gc ** (2031 - base) - gc ** (2021 - base) if lg is None
                 else np.exp((2031 - base) * lg) - np.exp((2021 - base) * lg))
        values["pop_gain"][sl] = (pop[None, :] * grown).sum(axis=1)
        del own_proj, needed, needed_proj, dec1, land_avail, delivered, grown
        # yearly totals: Σ_c a(c) max(R^(t+1) − R^t, 0) = Σ_c a(c) max(R − 1, 0) R^t,
        # t = y − 2020, year by year (one product and one weighted sum per year)
        if uniform:
            t = np.arange(dem_years[0], dem_years[-1] + 2) - base
            st = gc ** t[None, :] / hc ** t[None, :]  # draws × years, as the model computes
            demand[sl] = np.maximum(np.diff(st, axis=1), 0.0) * a_sum
            continue
        r = stock(1)
        weight = a[None, :] * np.maximum(r - 1.0, 0.0)
        power = stock(dem_years[0] - base).copy()
        powers.clear()
        for j in range(dem_years.size):
            demand[sl, j] = np.einsum("ij,ij->i", power, weight)
            power *= r

    # totals over years
    inc_year = np.where((dem_years >= first) & (dem_years < 2031),
                        inc / max(len(proj_years), 1), 0.0)
    gross_proj = f_gross * demand + f_land * inc_year[None, :]
    is_proj = dem_years >= first

    def gross_total(lo: int, hi: int) -> np.ndarray:  # Σ gross over communes and lo ≤ y < hi
        sel = is_proj & (dem_years >= lo) & (dem_years < hi)
        observed = sum(float(p["yearly_totals"].get(y, 0.0)) for y in dem_years[
            ~is_proj & (dem_years >= lo) & (dem_years < hi)])
        return gross_proj[:, sel].sum(axis=1) + observed

    gross_2021_2050 = gross_total(2021, 2050)
    gross_rest = gross_total(2031, 2050)
    pop_gain = values["pop_gain"]
    env_sum = env.sum(axis=1)
    budgets = decade_budgets(p["total_env"], s.pace_2031_pct / 100)
    ref_total, total_env = float(p["reference"].sum()), p["total_env"]
    remaining = (env - other_obs[None, :]).sum(axis=1)

    # yearly series (as the model's): observed years, then projected, renaturation from 2031
    years = np.arange(2011, horizon + 1)
    yearly_totals = p["yearly_totals"]
    base_cons = np.array([float(yearly_totals.get(y, 0.0)) if y < first else 0.0
                          for y in years])
    out_values, out_series = [], []
    for k in range(m):
        dec1 = values["dec1"][k]
        needed, delivered = values["needed"][k], values["delivered"][k]
        v = {
            "projected_2021_2031_ha": float(dec1),
            "envelope_ha": total_env,
            "budget_used_pct": float(dec1 / total_env * 100) if total_env else np.nan,
            "remaining_budget_ha": float(remaining[k]),
            "communes_over_budget": float(values["over"][k]),
            "dwellings_delivered_pct": float(delivered / needed * 100)
            if needed > 0 else 100.0,
            "agricultural_land_lost_ha": float(gross_2021_2050[k] * s.agricultural_share_pct
                                               / 100),
            "m2_per_new_inhabitant": float(dec1 * 1e4 / pop_gain[k]) if pop_gain[k] > 0
            else float("nan"),
            "reference_ha": ref_total,
            "consumed_2021_2023_ha": obs_sum,
            "overshoot_2031_ha": float(max(dec1 - total_env, 0.0)),
            "projected_2031_2050_ha": float(gross_rest[k] - renat_total * n_rest - zone_total),
            "budget_2031_2050_ha": float(budgets["2031-2041"] + budgets["2041-2050"]),
            "dwellings_needed": float(needed),
            "dwellings_delivered": float(delivered),
            "dwellings_per_year": float(needed / 10),
            "renatured_2031_2050_ha": float(renat_total * n_rest) + zone_total,
        }
        out_values.append(v)
        total = base_cons.copy()
        proj = years >= first
        total[proj] = gross_proj[k, dem_years >= first]
        total[years >= 2031] -= renat_total
        in_zone = np.isin(years, zone_years)
        zone_rate = zone_total / max(len(zone_years), 1)
        total[in_zone] -= zone_rate
        allowed = allowed_path(env_sum[k], s.pace_2031_pct / 100, years)[0]
        since = years >= 2021
        series = pd.DataFrame({"year": years, "consumption_ha": total,
                               "allowed_ha": allowed,
                               "renatured_ha": np.where(years >= 2031, renat_total, 0.0)
                               + np.where(in_zone, zone_rate, 0.0),
                               "observed": years < first})
        series["cumulative_since_2021_ha"] = np.where(
            since, np.cumsum(np.where(since, total, 0)), 0)
        series["allowed_cumulative_ha"] = np.where(
            since, np.cumsum(np.where(since, np.nan_to_num(allowed), 0)), 0)
        out_series.append(series)
    return out_values, out_series


def _agree(full: dict[str, float], fast: dict[str, float]) -> bool:
    if set(full) != set(fast):
        return False
    a = np.array([full[k] for k in full], dtype=float)
    b = np.array([fast[k] for k in full], dtype=float)
    return bool(np.allclose(a, b, rtol=SELF_CHECK_REL, atol=1e-9, equal_nan=True))


def run_draws(model, territory, params: Sequence[dict[str, Any]]
              ) -> list[tuple[dict[str, float], pd.DataFrame]] | None:
    """The ensemble engine's hook: indicator values (``compute_all``) and series of each draw,
    or None when the draws vary an input this path does not handle or the self-check fails."""
    from twin_core.indicators import compute_all
    from twin_core.scenario import Scenario

    if not params:
        return []
    first = params[0]
    fixed = [k for k in first if k not in VARYING and k not in IGNORED]
    if any(k not in p or p[k] != first[k] for p in params for k in fixed) or any(
            set(p) != set(first) for p in params):
        return None
    version = model.spec.version
    scenario = Scenario.from_dict({"model": model.spec.id, "version": version, "params": first})
    g = np.array([p["population_growth_pct"] for p in params], dtype=float)
    h = np.array([p["household_trend_pct"] for p in params], dtype=float)
    k = np.array([p.get("commune_draw", 0) for p in params], dtype=np.int64)
    try:
        values, series = project(territory, scenario, g, h, k)
    except (AttributeError, ImportError, KeyError) as exc:  # a model change this path lacks
        log.warning("zan vectorised draws unavailable (%s): one run per draw instead", exc)
        return None
    full = model.run(territory, scenario)
    if not _agree(full.values, values[0]):
        log.warning("zan vectorised draws disagree with the model: one run per draw instead")
        return None
    out = []
    for p, v, sr in zip(params, values, series, strict=True):
        result = Result(model_id=model.spec.id, model_version=version,
                        scenario={"model": model.spec.id, "version": version, "params": p},
                        values=v, series=sr)
        out.append((compute_all(result), sr))
    return out
