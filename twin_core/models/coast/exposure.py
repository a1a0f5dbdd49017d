"""Exposure, damage and adaptation options (CLIMADA ``Impact`` / ``Measure`` pattern).

Damage:

* Depth-damage: Huizinga, J., de Moel, H., Szewczyk, W. (2017). Global flood depth-damage
  functions. JRC, EUR 28552 EN, doi:10.2760/16510 — Europe, RESIDENTIAL damage fraction:
  0 m 0; 0.5 m 0.25; 1 m 0.40; 1.5 m 0.50; 2 m 0.60; 3 m 0.75; 4 m 0.85; 5 m 0.95; 6 m 1.00,
  linear in between (transcription in Deltares hydromt_fiat JRC_damage_functions.csv;
  domain_facts A3, medium). Applied to every use (no separate French curve was found).
* Maximum damage (2010 €/m²): JRC 2017 France construction cost, residential 1436.35,
  commercial 1494.08 (medium) × depreciated value 0.6 × damageable part 0.6 for the structure,
  + content 0.5 × structure for housing (1.0 for commercial) (hydromt_fiat / CLIMAAX defaults,
  medium) → residential ≈ 517 + 259 = 776 €/m² (derived: low confidence). Public buildings use
  the commercial values (JRC has no "public" class). Only the ground floor is damaged:
  damaged area = floor area / storeys, storeys = max(1, round(height / 3 m)).
* Expected annual damage: :func:`expected_annual_damage`, damage piecewise log-linear in the
  return period (Rosbjerg 2024) over the 1, 2, 5, 10, 100 and 1000-yr events and the return
  period at which damage starts; the 1000-yr damage is kept for rarer events.
* Buildings in the retreat band are lost: loss = floor area × full maximum damage.

Large building layers (:func:`exposure_table`): what each building brings to the scenarios (its
distance to every eroding shoreline arc, its DEM cell, its value and unit damage) is one pure
per-building function (:func:`building_exposure`); above ``$TWIN_DASK_VECTOR_THRESHOLD``
buildings (default 100,000), or when a Dask client is active in this process, the layer is
split into partitions with dask-geopandas and the same function is mapped over them (on the
cluster, or on local threads: shapely releases the GIL). Row by row the result is the same.

Costs (domain_facts A5; proxies, low confidence unless said):

* Defence raising: 615 € per metre of dike per metre raised (La Guérinière, Noirmoutier:
  4 M€ for 6.5 km of dikes reinforced and raised, COSELMAR; the height gain there was not
  given: 1 m assumed) + 11.5 €/m/yr upkeep (75 000 €/yr for 6.5 km).
* Beach nourishment: 450 € per metre of shore per year for holding the beach (Biscarrosse,
  ≈ 450 000 €/yr for ≈ 1 km of urban beach, France 3; TF1 says 300 000 €), scaled by the
  share of the chronic rate it offsets.
* Setback band: no direct cost; counts the homes not built in the band (growth rate param).
* Relocation: 90 000 € per dwelling (Le Signal, Soulac-sur-Mer: 7 M€ for 78 flats, 2020
  protocol, 70 % of market value; France Bleu, medium).
* One price year, ``PRICE_YEAR`` = 2023 €: every cost and value is indexed with the INSEE BT01
  index (bâtiment tous corps d'état, base 2010 = 100; annual means 2012-2023 computed from the
  monthly values, 2023 = 130.1; domain_facts_more A12, medium/low) by :func:`to_price_year`:
  the JRC damage values (2010 €) × 1.301; relocation (Le Signal, 2020) × 130.1/112.3; beach
  nourishment (press, 2024: BT01 Jan-Aug 2024 131.1) × 130.1/131.1; dike raising (COSELMAR,
  year not stated: taken as 2010, an assumption) × 1.301. Building values (flood damage and
  loss to the retreat) are the same depreciated JRC replacement values, never market prices;
  the relocation price is a buy-out at 70 % of market value (Le Signal), a cost, not a value.
* Residual value (France Stratégie / DG Trésor, "Complément opérationnel F – Valeur résiduelle
  et horizon", 2017: residual value by linear depreciation, domain_facts_more A13, medium for
  the rule's existence): a measure whose last investment outlives the horizon is credited,
  at the horizon (discounted), with capex × remaining life / lifetime. A relocation buy-out has
  none (the homes are lost to the sea, nothing can be resold).
* Discount rate 3.2 % = 1.2 % + β·2 % with β = 1 (France Stratégie / DG Trésor 2021,
  "Complément opérationnel I : révision du taux d'actualisation"; domain_facts A4, high).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr

#: JRC (Huizinga et al. 2017) Europe residential depth (m) → damage fraction.
JRC_EUROPE_RESIDENTIAL = ((0.0, 0.0), (0.5, 0.25), (1.0, 0.40), (1.5, 0.50), (2.0, 0.60),
                          (3.0, 0.75), (4.0, 0.85), (5.0, 0.95), (6.0, 1.00))
PRICE_YEAR = 2023
#: INSEE BT01 annual means (base 2010 = 100), domain_facts_more A12 (2024: Jan-Aug).
BT01: dict[int, float] = {2010: 100.0, 2012: 105.6, 2013: 105.4, 2014: 105.1, 2015: 104.3,
                          2016: 104.2, 2017: 106.5, 2018: 109.1, 2019: 111.1, 2020: 112.3,
                          2021: 117.5, 2022: 125.8, 2023: 130.1, 2024: 131.1}


def to_price_year(amount: float, year: int, price_year: int = PRICE_YEAR) -> float:
    """``amount`` € of ``year`` in € of ``price_year`` (INSEE BT01 annual means)."""
    if year not in BT01 or price_year not in BT01:
        raise ValueError(f"no BT01 index for {year} or {price_year} (have {sorted(BT01)})")
    return float(amount) * BT01[price_year] / BT01[year]


DEPRECIATION = 0.6
DAMAGEABLE_STRUCTURE = 0.6
#: Maximum damage (2010 €/m² of damaged floor), structure + content, by building use.
MAX_DAMAGE_EUR_M2_2010: dict[str, float] = {
    "residential": 1436.35 * DEPRECIATION * DAMAGEABLE_STRUCTURE * 1.5,  # ≈ 776
    "commercial": 1494.08 * DEPRECIATION * DAMAGEABLE_STRUCTURE * 2.0,  # ≈ 1076
    "public": 1494.08 * DEPRECIATION * DAMAGEABLE_STRUCTURE * 2.0,
}
#: The same in € of PRICE_YEAR.
MAX_DAMAGE_EUR_M2: dict[str, float] = {k: to_price_year(v, 2010)
                                       for k, v in MAX_DAMAGE_EUR_M2_2010.items()}
#: Share of a home's maximum damage that is contents (JRC content factor 0.5 of structure).
CONTENT_SHARE = 0.5 / 1.5
STOREY_HEIGHT_M = 3.0
DISCOUNT_RATE = 0.032
DIKE_EUR_PER_M_PER_M = to_price_year(615.0, 2010)  # year not stated: 2010 assumed
DIKE_UPKEEP_EUR_PER_M_YR = to_price_year(75_000.0 / 6_500.0, 2010)
NOURISHMENT_EUR_PER_M_YR = to_price_year(450.0, 2024)
RELOCATION_EUR_PER_DWELLING = to_price_year(90_000.0, 2020)


def damage_fraction(depth: float | np.ndarray) -> float | np.ndarray:
    """JRC Europe residential damage fraction (0-1) for a flood depth in metres."""
    xs, ys = zip(*JRC_EUROPE_RESIDENTIAL, strict=True)
    d = np.nan_to_num(np.asarray(depth, dtype=float), nan=0.0)
    out = np.interp(np.maximum(d, 0.0), xs, ys)  # constant 1.0 beyond 6 m
    return float(out) if out.ndim == 0 else out


def max_damage_per_m2(use: pd.Series | np.ndarray) -> np.ndarray:
    """Maximum damage (€/m²) by building use; unknown uses take the residential value."""
    s = pd.Series(np.asarray(use)).map(MAX_DAMAGE_EUR_M2)
    return s.fillna(MAX_DAMAGE_EUR_M2["residential"]).to_numpy(dtype=float)


def damaged_area_m2(buildings: pd.DataFrame) -> np.ndarray:
    """Ground-floor area (m²): floor area / storeys (storeys from height_m, else 1)."""
    area = buildings["floor_area_m2"].to_numpy(dtype=float)
    if "height_m" in buildings:
        storeys = np.maximum(np.round(np.nan_to_num(
            buildings["height_m"].to_numpy(dtype=float), nan=STOREY_HEIGHT_M)
            / STOREY_HEIGHT_M), 1.0)
        return area / storeys
    return area


def building_damage(buildings: pd.DataFrame, depth: np.ndarray) -> np.ndarray:
    """Flood damage (€) per building for the water depth (m) at each building."""
    return (damage_fraction(depth) * max_damage_per_m2(buildings["use"])
            * damaged_area_m2(buildings))


def building_value(buildings: pd.DataFrame) -> np.ndarray:
    """Replacement value (€) of each building: full floor area × maximum damage."""
    return max_damage_per_m2(buildings["use"]) * buildings["floor_area_m2"].to_numpy(float)


def raster_index(da: xr.DataArray, points: gpd.GeoSeries | gpd.GeoDataFrame
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, col, inside) of the nearest cell of a north-up raster for each point."""
    geom = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
    pts = geom if (geom.geom_type == "Point").all() else geom.representative_point()
    x, y = pts.x.to_numpy(), pts.y.to_numpy()
    t = da.rio.transform()
    col = np.floor((x - t.c) / t.a).astype(np.int64)
    row = np.floor((y - t.f) / t.e).astype(np.int64)
    ny, nx = da.shape
    inside = (row >= 0) & (row < ny) & (col >= 0) & (col < nx)
    return np.where(inside, row, 0), np.where(inside, col, 0), inside


def sample_raster(da: xr.DataArray, points: gpd.GeoSeries | gpd.GeoDataFrame,
                  fill: float = 0.0) -> np.ndarray:
    """Value of a north-up raster at each point (nearest cell); ``fill`` outside it."""
    row, col, inside = raster_index(da, points)
    out = np.where(inside, np.asarray(da.values)[row, col], fill).astype(float)
    return np.where(np.isfinite(out), out, fill)


#: Buildings above which the exposure table is computed by partitions (dask-geopandas).
DEFAULT_DASK_VECTOR_THRESHOLD = 100_000
#: Buildings per partition on local threads.
PARTITION_ROWS = 50_000


def building_exposure(buildings: gpd.GeoDataFrame, arcs: gpd.GeoDataFrame, transform: Any,
                      shape: tuple[int, int]) -> pd.DataFrame:
    """Per building (same index), what does not depend on the scenario: distance (m) to each
    erosion arc (``dist_0`` …), nearest DEM cell (``row``, ``col``, ``inside``; north-up grid
    of ``transform`` and ``shape``), replacement value (€) and damage per unit of damage
    fraction (``unit_damage``, €). Pure: a partition gives its rows of the whole table."""
    geom = buildings.geometry
    pts = geom if (geom.geom_type == "Point").all() else geom.representative_point()
    out = {f"dist_{j}": pts.distance(g).to_numpy(dtype=float)
           for j, g in enumerate(arcs.geometry)}
    x, y = pts.x.to_numpy(), pts.y.to_numpy()
    col = np.floor((x - transform.c) / transform.a).astype(np.int64)
    row = np.floor((y - transform.f) / transform.e).astype(np.int64)
    ny, nx = shape
    inside = (row >= 0) & (row < ny) & (col >= 0) & (col < nx)
    out.update({"row": np.where(inside, row, 0), "col": np.where(inside, col, 0),
                "inside": inside, "value": building_value(buildings),
                "unit_damage": max_damage_per_m2(buildings["use"]) * damaged_area_m2(buildings)})
    return pd.DataFrame(out, index=buildings.index)


def dask_client():
    """The Dask client active in this process (``distributed.default_client``), or None; None
    inside a Dask task (a worker computes its own share in-process, no nested tasks)."""
    try:
        from distributed import default_client, get_worker
    except ImportError:  # pragma: no cover - distributed is a dependency
        return None
    try:
        get_worker()
        return None
    except ValueError:
        pass
    try:
        return default_client()
    except ValueError:
        return None


def dask_vector_threshold() -> int:
    return int(os.environ.get("TWIN_DASK_VECTOR_THRESHOLD", DEFAULT_DASK_VECTOR_THRESHOLD))


def exposure_table(buildings: gpd.GeoDataFrame, arcs: gpd.GeoDataFrame, dem: xr.DataArray,
                   npartitions: int | None = None) -> pd.DataFrame:
    """:func:`building_exposure` of every building: in one piece for a small layer, else by
    partitions with dask-geopandas (``attrs["path"]``: "in-process" or "dask")."""
    transform, shape = dem.rio.transform(), tuple(dem.shape)
    client = dask_client()
    if client is None and len(buildings) <= dask_vector_threshold() and npartitions is None:
        table = building_exposure(buildings, arcs, transform, shape)
        table.attrs["path"] = "in-process"
        return table
    import dask_geopandas

    if npartitions is None:
        workers = len(client.scheduler_info().get("workers", {})) if client else 0
        npartitions = max(2 * workers, math.ceil(len(buildings) / PARTITION_ROWS), 1)
    parts = dask_geopandas.from_geopandas(buildings, npartitions=min(npartitions,
                                                                     max(len(buildings), 1)))
    meta = building_exposure(buildings.iloc[:0], arcs, transform, shape)
    lazy = parts.map_partitions(building_exposure, arcs, transform, shape, meta=meta)
    table = client.compute(lazy).result() if client else lazy.compute(scheduler="threads")
    table.attrs["path"] = "dask"
    return table


def expected_annual_damage(return_periods: np.ndarray | list[float],
                           damages: np.ndarray | list[float],
                           start_rp: float | None = None) -> float:
    """Expected annual damage (€/yr): area under the damage-exceedance-probability curve,
    integrated exactly with the damage piecewise linear in the log of the return period.

    Method: Rosbjerg D. (2024), "Estimation of expected annual damage, EAD", Proc. IAHS 385,
    doi:10.5194/piahs-385-25-2024 (log-linear damage vs ln T, after Olsen et al. 2015, Water
    7:255): a trustworthy EAD even with few events, where the trapezoidal rule in probability
    and other schemes diverge; the return period at which damage starts must be estimated as
    precisely as possible (also Arnell 1989, J. Water Resour. Plann. Manage.). On a segment
    where D = a + b·ln T = a − b·ln p (p = 1/T):
    ∫ D dp from p₂ to p₁ = a(p₁ − p₂) + b[p − p·ln p] from p₂ to p₁.

    ``return_periods`` (years, ≥ 1) and their ``damages``; events more frequent than the first
    return period do no damage. ``start_rp``: the return period at which damage starts (the
    damage is 0 there and rises log-linearly to the next event); the points more frequent than
    it must have no damage. Beyond the rarest event the damage is held at its value (the
    residual beyond it is counted as p_min × D_max, HEC-FDA truncates it: ours is not lower).
    """
    rp = np.asarray(return_periods, dtype=float)
    dmg = np.asarray(damages, dtype=float)
    if rp.shape != dmg.shape or rp.size == 0:
        raise ValueError("return_periods and damages must be non-empty and of the same length")
    if np.any(rp < 1) or np.any(dmg < 0):
        raise ValueError("return periods must be ≥ 1 year and damages ≥ 0")
    order = np.argsort(rp)
    rp, dmg = rp[order], dmg[order]
    if start_rp is not None:
        if start_rp < 1:
            raise ValueError(f"start_rp must be ≥ 1 year, got {start_rp}")
        if np.any(dmg[rp < start_rp] > 0):
            raise ValueError("an event more frequent than start_rp does damage")
        keep = rp > start_rp
        rp = np.concatenate([[start_rp], rp[keep]])
        dmg = np.concatenate([[0.0], dmg[keep]])
    p = 1.0 / rp
    x = np.log(rp)

    def prim(q: np.ndarray) -> np.ndarray:  # ∫ −ln p dp = p − p ln p
        return q - q * np.log(q)

    b = np.diff(dmg) / np.where(np.diff(x) > 0, np.diff(x), np.inf)
    a = dmg[:-1] - b * x[:-1]
    seg = a * (p[:-1] - p[1:]) + b * (prim(p[:-1]) - prim(p[1:]))
    return float(np.sum(seg) + p[-1] * dmg[-1])


def annuity_factor(years: int, rate: float = DISCOUNT_RATE, delay: int = 0) -> float:
    """Present value of 1 €/yr paid at the start of years ``delay`` … ``years − 1``."""
    t = np.arange(max(int(delay), 0), max(int(years), 0))
    return float(np.sum((1.0 + rate) ** -t.astype(float)))


def discount(amount: float, year_offset: float, rate: float = DISCOUNT_RATE) -> float:
    return float(amount) * (1.0 + rate) ** -float(year_offset)


# -- adaptation options (CLIMADA ``Measure`` pattern: an object with its cost) -------------
@dataclass(frozen=True)
class Measure:
    """An adaptation option: investment, yearly cost, delay before it works, lifetime."""

    name: str
    capex_eur: float = 0.0
    opex_eur_per_yr: float = 0.0
    delay_yr: int = 0
    lifetime_yr: int = 100
    residual: bool = True

    def residual_value(self, years: int, rate: float = DISCOUNT_RATE) -> float:
        """Present value (€) of what is left at the horizon of the last investment (linear
        depreciation over its lifetime, France Stratégie complément F), discounted from the
        horizon ``years`` from now; 0 without capex or when ``residual`` is False."""
        if not self.residual or self.capex_eur <= 0 or years <= 0:
            return 0.0
        life = max(self.lifetime_yr, 1)
        last = ((int(years) - 1) // life) * life  # start of the last investment
        remaining = last + life - int(years)
        return discount(self.capex_eur * remaining / life, years, rate)

    def present_cost(self, years: int, rate: float = DISCOUNT_RATE) -> float:
        """Present cost (€) over ``years`` from now: capex at the start, upkeep while in use
        (after the delay, within the lifetime); capex is renewed at the end of a lifetime; the
        residual value at the horizon is deducted."""
        total = 0.0
        start = 0
        while start < years:
            total += discount(self.capex_eur, start, rate)
            start += max(self.lifetime_yr, 1)
        return (total + self.opex_eur_per_yr * annuity_factor(years, rate, self.delay_yr)
                - self.residual_value(years, rate))


def raise_defence(length_m: float, raise_m: float,
                  eur_per_m_per_m: float = DIKE_EUR_PER_M_PER_M,
                  upkeep_eur_per_m_yr: float = DIKE_UPKEEP_EUR_PER_M_YR) -> Measure:
    """Dike raised by ``raise_m`` (mean, m) along ``length_m`` metres."""
    if length_m < 0 or raise_m < 0:
        raise ValueError("dike length and height gain must be ≥ 0")
    return Measure("raise_defence", capex_eur=length_m * raise_m * eur_per_m_per_m,
                   opex_eur_per_yr=length_m * upkeep_eur_per_m_yr if length_m * raise_m else 0.0,
                   delay_yr=2, lifetime_yr=50)


def nourishment(length_m: float, share: float,
                eur_per_m_yr: float = NOURISHMENT_EUR_PER_M_YR) -> Measure:
    """Beach nourishment of ``length_m`` of shore offsetting ``share`` (0-1) of the trend."""
    if not 0 <= share <= 1 or length_m < 0:
        raise ValueError("nourishment share must be in [0, 1] and length ≥ 0")
    return Measure("nourishment", opex_eur_per_yr=length_m * share * eur_per_m_yr,
                   lifetime_yr=1)


def setback_band() -> Measure:
    """Forbid new building in a band behind the shoreline: no direct cost."""
    return Measure("setback")


def relocation(dwellings: float, eur_per_dwelling: float = RELOCATION_EUR_PER_DWELLING
               ) -> Measure:
    """Buy out and relocate ``dwellings`` homes (Le Signal: ≈ 90 000 € per flat)."""
    if dwellings < 0:
        raise ValueError("dwellings must be ≥ 0")
    return Measure("relocation", capex_eur=dwellings * eur_per_dwelling, delay_yr=3,
                   lifetime_yr=1000, residual=False)


def homes_avoided(dwellings_in_band: float, years: float, growth_pct: float) -> float:
    """New homes a setback band prevents: the band's stock grown at ``growth_pct`` %/yr."""
    return float(dwellings_in_band) * ((1.0 + growth_pct / 100.0) ** max(years, 0.0) - 1.0)


def select_relocated(buildings: pd.DataFrame, priority: np.ndarray, n_dwellings: int
                     ) -> np.ndarray:
    """Boolean mask of the most exposed buildings holding about ``n_dwellings`` homes.

    ``priority``: higher = more exposed; buildings with priority ≤ 0 are never chosen. Whole
    buildings are taken in order until the count reaches ``n_dwellings`` (the last one may
    take it over).
    """
    pr = np.asarray(priority, dtype=float)
    chosen = np.zeros(len(buildings), dtype=bool)
    if n_dwellings <= 0:
        return chosen
    order = np.argsort(-pr, kind="stable")
    order = order[pr[order] > 0]
    dw = buildings["dwellings"].to_numpy(dtype=float)[order]
    before = np.cumsum(dw) - dw
    chosen[order[before < n_dwellings]] = True
    return chosen
