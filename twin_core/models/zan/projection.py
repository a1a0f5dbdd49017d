"""Vectorised land-take projection for many communes × many scenario draws (numpy).

Used for national runs (all 34,875 communes of France × 1,000 draws) and uncertainty studies.
Same equations as :mod:`twin_core.models.zan.model`, in closed form over 2023-2030:

- dwellings needed 2023-2031 = stock(2031) − stock(2023), stock(t) = pop(t) / hh_size(t) /
  (1 − vacancy − secondary), pop and household size growing geometrically from 2020 (clipped at 0:
  with constant rates the yearly changes have one sign, so this equals the sum of yearly
  clipped changes of the model);
- each commune may grow at the draw's rate plus its own offset (its observed 2014-2020 gap to the
  group, :func:`twin_core.models.zan.model.commune_trends`), households likewise;
- ENAF land = dwellings × (1 − existing-fabric share) / density × (1 + non-housing ratio ×
  ``other_land_pct``): non-housing land follows housing land at the group's 2011-2021 ratio;
  2021-2022 are observed;
- envelope = max(reference × (1 − reduction), guarantee) per commune (loi 2021-1104, 2023-630).

Communes without Cerema data get a synthetic land take drawn as the sample-data build does
(:func:`synthetic_land_take`): expected 2009-2023 total = geometric mean of a per-inhabitant and a
per-km² rate (medians of the real Ain file), lognormal noise (σ from the Ain residuals), split
into years and uses by the Ain profile. It is a labelled stand-in, not data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from twin_core.errors import TwinInputError
from twin_core.models.zan.envelope import REFERENCE_YEARS, check_conso, naf_column

PROJ_START, PROJ_END, BASE_YEAR = 2023, 2031, 2020
DRAW_FIELDS = ("growth_pct", "household_trend_pct", "vacancy_pct", "secondary_pct",
               "existing_fabric_pct", "density", "other_land_pct", "reduction_pct",
               "guarantee_ha")


@dataclass(frozen=True)
class AinRates:
    """Rates measured on the real Cerema file, used to draw synthetic land take."""

    per_inh_m2: float  # 2009-2023 land take per inhabitant (median), m²
    per_km2_m2: float  # 2009-2023 land take per km² of commune (median), m²
    sigma: float  # lognormal spread of the residuals (clipped to 0.2-0.8)
    reference_share: float  # share of 2009-2023 land take falling in 2011-2020
    observed_2021_share: float  # share falling in 2021-2022
    housing_share: float  # share of housing ("hab") in the 2009-2023 land take


def ain_rates(conso: pd.DataFrame) -> AinRates:
    """Rates of :class:`AinRates` from a real Cerema table (as in twin data build)."""
    check_conso(conso)
    years = list(range(2009, 2023))
    yearly = conso[[naf_column(y) for y in years]].astype(float)
    total = yearly.sum(axis=1)
    pop = conso["pop20"].astype(float)
    area_km2 = conso["surfcom2023"].astype(float) / 1e6
    per_inh = float(np.median(total / pop))
    per_km2 = float(np.median(total / area_km2))
    model = np.sqrt(pop * per_inh * area_km2 * per_km2)
    sigma = float(np.clip(np.std(np.log(total / model)), 0.2, 0.8))
    profile = yearly.sum().to_numpy() / total.sum()
    ref = float(profile[[years.index(y) for y in REFERENCE_YEARS]].sum())
    obs = float(profile[[years.index(2021), years.index(2022)]].sum())
    hab = sum(conso[f"art{y % 100:02d}hab{(y + 1) % 100:02d}"].astype(float).sum()
              for y in years) / total.sum()
    return AinRates(per_inh, per_km2, sigma, ref, obs, float(hab))


def synthetic_land_take(population: np.ndarray, area_km2: np.ndarray, rates: AinRates,
                        rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Synthetic reference (2011-2021), observed 2021-2022 and non-housing yearly rate (ha)."""
    pop = np.asarray(population, dtype=float)
    area = np.asarray(area_km2, dtype=float)
    expected = np.sqrt(np.clip(pop, 0, None) * rates.per_inh_m2 * area * rates.per_km2_m2)
    total_ha = expected * rng.lognormal(0.0, rates.sigma, pop.size) / 1e4
    reference = total_ha * rates.reference_share
    return {"reference_ha": reference, "observed_2021_ha": total_ha * rates.observed_2021_share,
            "other_rate_ha": reference * (1 - rates.housing_share) / 10}


def draw_scenarios(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """``n`` scenario draws over the ranges a planner would explore (uniform, documented
    assumption): growth −0.5…1.5 %/yr, household trend −0.8…0 %/yr, vacancy 5-12 %,
    secondary homes 2-15 %, existing fabric 10-60 %, density 10-40 dwellings/ha, non-housing
    land 50-120 % of its past pace, reduction 50 % (law), guarantee 1 ha (law)."""
    u = rng.uniform
    return {"growth_pct": u(-0.5, 1.5, n), "household_trend_pct": u(-0.8, 0.0, n),
            "vacancy_pct": u(5, 12, n), "secondary_pct": u(2, 15, n),
            "existing_fabric_pct": u(10, 60, n), "density": u(10, 40, n),
            "other_land_pct": u(50, 120, n), "reduction_pct": np.full(n, 50.0),
            "guarantee_ha": np.full(n, 1.0)}


#: Commune-level growth uncertainty of the national ensemble: sd (%/yr) of a commune's growth
#: around its département's draw — the spread of the Ain communes' 2014-2020 growth around
#: their group's (real Cerema file, sd 0.87 %/yr; measured, see :func:`commune_growth_sd`) —
#: and the declared correlation of two communes of one département (assumption: 0.5).
COMMUNE_GROWTH_SD_PCT, DEPARTEMENT_CORRELATION = 0.87, 0.5


def commune_growth_sd(conso: pd.DataFrame) -> float:
    """sd (%/yr) of the communes' 2014-2020 yearly growth (census populations of the Cerema
    file), the commune-level spread the national ensemble draws."""
    p14, p20 = (pd.to_numeric(conso[c], errors="coerce") for c in ("pop14", "pop20"))
    ok = (p14 > 0) & (p20 > 0)
    return float(((p20[ok] / p14[ok]) ** (1 / 6) - 1).std() * 100)


def commune_noise(rng: np.random.Generator, m: int, departement, sd_pct: float,
                  correlation: float) -> np.ndarray:
    """Growth deviations (%/yr), draws (m) × communes: sd ``sd_pct`` each, correlation
    ``correlation`` between two communes of one département, 0 across départements:
    ε = sd (√ρ Z_dep + √(1 − ρ) Z_commune)."""
    codes, dep = np.unique(np.asarray(departement).astype(str), return_inverse=True)
    z_dep = rng.standard_normal((m, codes.size))
    z_com = rng.standard_normal((m, dep.size))
    return sd_pct * (np.sqrt(correlation) * z_dep[:, dep] + np.sqrt(1 - correlation) * z_com)


def departement_codes(codes) -> np.ndarray:
    """Département of each commune INSEE code: its first two characters (2A / 2B in Corsica),
    three for the overseas départements (97x)."""
    c = pd.Series(np.asarray(codes)).astype(str)
    return np.where(c.str.startswith("97"), c.str[:3], c.str[:2])


def commune_deviation(seed: int, departement_index: np.ndarray, n_departements: int,
                      sd_pct: float, correlation: float) -> np.ndarray:
    """One draw's growth deviations (%/yr) of every commune, drawn from ``seed`` alone (so a
    draw gives the same deviations in the model run and in the vectorised ensemble, on any
    chunking): ε = sd (√ρ Z_dep + √(1 − ρ) Z_commune), Z standard normal — sd ``sd_pct`` per
    commune, correlation ``correlation`` between two communes of one département, 0 across
    départements. ``departement_index`` (n,): each commune's département as 0 … n_dep − 1."""
    rng = np.random.default_rng(seed)
    z_dep = rng.standard_normal(n_departements)
    z_com = rng.standard_normal(departement_index.size)
    return sd_pct * (np.sqrt(correlation) * z_dep[departement_index]
                     + np.sqrt(1.0 - correlation) * z_com)


def project_draws(population, household_size, reference_ha, observed_2021_ha, nonhousing_ratio,
                  draws: dict[str, np.ndarray], growth_offset_pct=None,
                  household_offset_pct=None, chunk: int = 64, departement=None,
                  commune_sd_pct: float = 0.0,
                  correlation: float = DEPARTEMENT_CORRELATION,
                  seed: int = 0) -> dict[str, np.ndarray]:
    """Project 2021-2031 land take for every commune (n) under every draw (m).

    Per-commune arrays (n,): population 2020, household size, reference 2011-2021 (ha),
    observed 2021-2022 (ha); ``nonhousing_ratio``: non-housing ha per ha of housing land at
    ``other_land_pct`` = 100 % (scalar or per commune); optional commune growth and
    household-size offsets (%/yr, added to each draw's rates). ``draws``: arrays (m,) named as
    in :data:`DRAW_FIELDS`. Work is done by chunks of draws (memory ≈ 8 × chunk × n × 8 bytes).
    With ``commune_sd_pct`` > 0 and ``departement`` codes (n,), each draw also gives every
    commune its own growth deviation (:func:`commune_noise`, correlated within a département,
    seeded by ``seed`` chunk by chunk): commune-level uncertainty, not only national scalars.

    Returns per draw (m,): ``consumption_ha``, ``envelope_ha``, ``communes_over_budget``,
    ``dwellings_needed``; per commune (n,): ``p_over_budget`` (share of draws over budget) and
    ``mean_consumption_ha``.
    """
    pop = np.asarray(population, dtype=float)
    n = pop.size
    hh = np.asarray(household_size, dtype=float) * np.ones(n)
    ref = np.asarray(reference_ha, dtype=float)
    obs = np.asarray(observed_2021_ha, dtype=float)
    other = np.asarray(nonhousing_ratio, dtype=float) * np.ones(n)
    if np.any(ref < 0) or np.any(obs < 0) or np.any(other < 0):
        raise TwinInputError("zan_negative_area", "project_draws", column="reference/observed",
                             communes="?")
    if np.any(hh <= 0):
        raise TwinInputError("zan_negative_param", "household_size", name="household_size",
                             value=float(hh.min()))
    missing = [f for f in DRAW_FIELDS if f not in draws]
    if missing:
        raise TwinInputError("zan_missing_column", "draws", columns=", ".join(missing))
    d = {k: np.asarray(draws[k], dtype=float) for k in DRAW_FIELDS}
    m = d["density"].size
    if np.any(~(d["density"] > 0)):
        raise TwinInputError("zan_density_zero", "density", value=float(d["density"].min()))
    occ = 1.0 - (d["vacancy_pct"] + d["secondary_pct"]) / 100
    if np.any(occ <= 0):
        raise TwinInputError("zan_vacancy_too_high", "vacancy_pct")
    offset = np.zeros(n) if growth_offset_pct is None else np.asarray(growth_offset_pct, float)
    h_off = np.zeros(n) if household_offset_pct is None else np.asarray(household_offset_pct,
                                                                         float)
    t0, t1 = PROJ_START - BASE_YEAR, PROJ_END - BASE_YEAR
    homes = pop / hh  # main residences 2020

    out = {k: np.empty(m) for k in ("consumption_ha", "envelope_ha", "communes_over_budget",
                                    "dwellings_needed")}
    over_count = np.zeros(n)
    cons_sum = np.zeros(n)
    noisy = commune_sd_pct > 0 and departement is not None
    rng = np.random.default_rng(seed)
    for a in range(0, m, chunk):
        s = slice(a, min(a + chunk, m))
        g = d["growth_pct"][s, None] + offset[None, :]
        if noisy:
            g = g + commune_noise(rng, g.shape[0], departement, commune_sd_pct, correlation)
        lg = np.log1p(g / 100)  # (k, n)
        lh = np.log1p((d["household_trend_pct"][s, None] + h_off[None, :]) / 100)  # (k, n)
        r = lg - lh
        ratio = np.exp(r * t1) - np.exp(r * t0)  # stock(2031)/stock(2020) − stock(2023)/…
        dwell = np.maximum(ratio, 0.0) * (homes / 1.0)[None, :] / occ[s, None]
        land = dwell * ((1 - d["existing_fabric_pct"][s] / 100) / d["density"][s])[:, None]
        cons = land * (1 + other[None, :] * (d["other_land_pct"][s] / 100)[:, None]) + \
            obs[None, :]
        env = np.maximum(ref[None, :] * (1 - d["reduction_pct"][s] / 100)[:, None],
                         d["guarantee_ha"][s, None])
        over = cons > env
        out["consumption_ha"][s] = cons.sum(axis=1)
        out["envelope_ha"][s] = env.sum(axis=1)
        out["communes_over_budget"][s] = over.sum(axis=1)
        out["dwellings_needed"][s] = dwell.sum(axis=1)
        over_count += over.sum(axis=0)
        cons_sum += cons.sum(axis=0)
    out["p_over_budget"] = over_count / m
    out["mean_consumption_ha"] = cons_sum / m
    return out
