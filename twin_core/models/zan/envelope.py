"""ZAN land-take envelopes: the 2021-2031 budget and the path to net zero in 2050.

Sources:
- Loi n° 2021-1104 du 22 août 2021 "Climat et résilience", art. 191 and 194: halve the
  consumption of natural, agricultural and forest land (ENAF) over 2021-2031 compared with the
  ten previous years; net zero artificialisation in 2050, reached "par tranches de dix années".
- Loi n° 2023-630 du 20 juillet 2023, art. 4: a commune covered by a planning document
  (PLU, document en tenant lieu, carte communale) cannot get less than 1 ha for 2021-2031
  ("garantie communale").
- Reference windows as in the State's tool (MTES-MCT "Mon diagnostic artificialisation"):
  2011-2021 = consumption from 1 Jan 2011 to 1 Jan 2021, i.e. the Cerema fields
  ``naf11art12`` … ``naf20art21``; 2021-2031 starts with ``naf21art22``.
- Consumption: Cerema, "fichiers fonciers" land-take file (m² per year and per commune).
The steps after 2031 have no national numeric value (regional SRADDET sets them): they are
parameters here (default: halve again over 2031-2041, then reach zero in 2050).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

M2_PER_HA = 10_000.0
REFERENCE_YEARS = tuple(range(2011, 2021))  # naf11art12 (2011) … naf20art21 (2020)


def naf_column(year: int) -> str:
    """Cerema column of the consumption from 1 Jan ``year`` to 1 Jan ``year + 1`` (m²)."""
    return f"naf{year % 100:02d}art{(year + 1) % 100:02d}"


def yearly_consumption_ha(conso: pd.DataFrame) -> pd.DataFrame:
    """Yearly ENAF consumption (ha) per commune: index idcom, one column per year available."""
    years = [y for y in range(2009, 2031) if naf_column(y) in conso.columns]
    out = conso.set_index(conso["idcom"].astype(str))[[naf_column(y) for y in years]]
    out = out.apply(pd.to_numeric, errors="coerce").fillna(0.0) / M2_PER_HA
    out.columns = years
    return out


def envelope_2031(conso: pd.DataFrame, reduction: float = 0.5, guarantee_ha: float = 1.0
                  ) -> pd.DataFrame:
    """2021-2031 land-take budget per commune.

    ``conso``: the Cerema layout (``idcom``, ``naf11art12`` … ``naf20art21`` in m²).
    Returns a DataFrame indexed by ``idcom`` with ``reference_ha`` (consumption 1 Jan 2011 →
    1 Jan 2021) and ``envelope_ha`` = max(reference × (1 − reduction), guarantee_ha).
    """
    if not 0.0 <= reduction <= 1.0:
        raise ValueError(f"reduction must be in [0, 1], got {reduction}")
    if guarantee_ha < 0:
        raise ValueError(f"guarantee_ha must be ≥ 0, got {guarantee_ha}")
    needed = ["idcom"] + [naf_column(y) for y in REFERENCE_YEARS]
    missing = [c for c in needed if c not in conso.columns]
    if missing:
        raise KeyError(f"Cerema land-take columns missing: {missing}")
    yearly = yearly_consumption_ha(conso)
    reference = yearly[list(REFERENCE_YEARS)].sum(axis=1)
    envelope = np.maximum(reference * (1.0 - reduction), guarantee_ha)
    return pd.DataFrame({"reference_ha": reference, "envelope_ha": envelope},
                        index=reference.index.rename("idcom"))


def allocate(total_ha: float, weights: pd.Series) -> pd.Series:
    """Share ``total_ha`` among communes in proportion to ``weights``; the sum is exactly kept.

    Shares are rounded to the m² (4 decimals of ha) with the largest-remainder method so that
    the rounded shares add up to the rounded total.
    """
    w = weights.clip(lower=0).astype(float)
    if w.sum() <= 0:
        w = pd.Series(1.0, index=weights.index)
    units = int(round(total_ha * M2_PER_HA))
    raw = w / w.sum() * units
    base = np.floor(raw).astype(int)
    remainder = units - int(base.sum())
    order = np.argsort(-(raw - base).to_numpy(), kind="stable")[:remainder]
    base.iloc[order] += 1
    return base / M2_PER_HA


def decade_budgets(envelope_2021_2031: float, pace_2031_2041: float = 0.5) -> dict[str, float]:
    """Budgets (ha) of the three slices: 2021-2031, 2031-2041 (reduced by ``pace``), and the
    2041-2050 slice, which ends at net zero: a linear ramp down, i.e. half a decade's pace."""
    b1 = float(envelope_2021_2031)
    b2 = b1 * (1.0 - pace_2031_2041)
    b3 = b2 / 10.0 * 9.0 / 2.0  # yearly rate falls linearly from b2/10 to 0 over 9 years
    return {"2021-2031": b1, "2031-2041": b2, "2041-2050": b3}


def dwellings_needed(population: float, growth_pct: float, years: float, household_size: float,
                     household_trend_pct: float, secondary_share: float, vacancy_share: float
                     ) -> float:
    """Dwellings to build over ``years`` for population growth and smaller households.

    Main residences = population / household size; the stock holds main residences plus
    secondary and vacant homes (shares of the stock); demand is the growth of that stock.
    """
    if household_size <= 0:
        raise ValueError("household_size must be > 0")
    occupied = 1.0 - secondary_share - vacancy_share
    if occupied <= 0:
        raise ValueError("secondary_share + vacancy_share must be < 1")
    pop_end = population * (1 + growth_pct / 100) ** years
    size_end = household_size * (1 + household_trend_pct / 100) ** years
    stock_now = population / household_size / occupied
    stock_end = pop_end / size_end / occupied
    return max(stock_end - stock_now, 0.0)
