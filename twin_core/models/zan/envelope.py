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

from twin_core.errors import TwinInputError

M2_PER_HA = 10_000.0
REFERENCE_YEARS = tuple(range(2011, 2021))  # naf11art12 (2011) … naf20art21 (2020)
ALLOCATION_RULES = ("past", "growth", "mix")


def naf_column(year: int) -> str:
    """Cerema column of the consumption from 1 Jan ``year`` to 1 Jan ``year + 1`` (m²)."""
    return f"naf{year % 100:02d}art{(year + 1) % 100:02d}"


def check_conso(conso: pd.DataFrame, source: str = "conso_naf",
                years: tuple[int, ...] = REFERENCE_YEARS) -> None:
    """Raise a :class:`TwinInputError` when the Cerema table cannot be used.

    Checks: ``idcom`` present, the yearly columns of ``years`` present, numeric, no negative
    area (Cerema areas are m² ≥ 0), no duplicated commune code.
    """
    if "idcom" not in conso.columns:
        raise TwinInputError("zan_missing_column", source, columns="idcom")
    missing = [naf_column(y) for y in years if naf_column(y) not in conso.columns]
    if missing:
        raise TwinInputError("zan_missing_column", source, columns=", ".join(missing))
    cols = [naf_column(y) for y in range(2009, 2031) if naf_column(y) in conso.columns]
    values = conso[cols].apply(pd.to_numeric, errors="coerce")
    bad = values.isna() & conso[cols].notna()
    if bad.to_numpy().any():
        col = bad.any().idxmax()
        raise TwinInputError("zan_not_numeric", source, column=col,
                             communes=_codes(conso.loc[bad[col], "idcom"]))
    neg = values < 0
    if neg.to_numpy().any():
        col = neg.any().idxmax()
        raise TwinInputError("zan_negative_area", source, column=col,
                             communes=_codes(conso.loc[neg[col], "idcom"]))
    dup = conso["idcom"].astype(str).duplicated()
    if dup.any():
        raise TwinInputError("zan_duplicate_commune", source,
                             communes=_codes(conso.loc[dup, "idcom"]))


def check_communes(conso: pd.DataFrame, communes_codes, source: str = "conso_naf") -> None:
    """Every commune of the land-take table must be in the communes layer (same INSEE code)."""
    known = {str(c) for c in communes_codes}
    unknown = sorted({str(c) for c in conso["idcom"]} - known)
    if unknown:
        raise TwinInputError("zan_unknown_commune", source, communes=_codes(unknown))


def _codes(codes, limit: int = 5) -> str:
    codes = [str(c) for c in codes]
    more = f" (+{len(codes) - limit})" if len(codes) > limit else ""
    return ", ".join(codes[:limit]) + more


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
    1 Jan 2021), ``guarantee_ha`` (the commune's floor) and ``envelope_ha`` =
    max(reference × (1 − reduction), guarantee).

    Guarantee (loi 2023-630): only a commune covered by a planning document (PLU, document en
    tenant lieu, carte communale) prescribed, "arrêté" or approved before 22 August 2026 is
    eligible. When the table has a ``planning_document`` column (true/false, 1/0: the DGALN
    SUDOCUH status of each commune), the guarantee applies where it is true only; without the
    column every commune is taken as eligible (the data is not in the Cerema file).
    """
    if not 0.0 <= reduction <= 1.0:
        raise TwinInputError("zan_bad_share", "reduction", name="reduction", value=reduction)
    if guarantee_ha < 0:
        raise TwinInputError("zan_negative_param", "guarantee_ha", name="guarantee_ha",
                             value=guarantee_ha)
    check_conso(conso)
    yearly = yearly_consumption_ha(conso)
    reference = yearly[list(REFERENCE_YEARS)].sum(axis=1)
    floor = pd.Series(float(guarantee_ha), index=reference.index)
    if "planning_document" in conso.columns:
        doc = conso.set_index(conso["idcom"].astype(str))["planning_document"]
        eligible = doc.astype(str).str.strip().str.lower().isin(("true", "1", "1.0", "oui",
                                                                 "yes"))
        floor = floor.where(eligible.reindex(reference.index).fillna(False).astype(bool), 0.0)
    envelope = np.maximum(reference * (1.0 - reduction), floor)
    return pd.DataFrame({"reference_ha": reference, "guarantee_ha": floor,
                         "envelope_ha": envelope}, index=reference.index.rename("idcom"))


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


def allocate_with_floor(total_ha: float, weights: pd.Series, floor_ha=0.0) -> pd.Series:
    """Share ``total_ha`` in proportion to ``weights``, every commune getting ≥ its floor.

    ``floor_ha``: one value for every commune, or a Series by commune (the 1 ha guarantee for
    the eligible communes only, 0 for the others). Communes whose proportional share falls
    under their floor get the floor (the communal guarantee); the rest is shared among the
    others in proportion to their weights, repeated until no share is under its floor. The sum
    is exactly ``total_ha`` (to the m²) whenever ``total_ha ≥`` the sum of the floors;
    otherwise every commune gets its floor (the guarantee wins).
    """
    w = weights.clip(lower=0).astype(float).fillna(0.0)
    floor = (floor_ha.reindex(w.index).fillna(0.0).astype(float)
             if isinstance(floor_ha, pd.Series) else pd.Series(float(floor_ha), index=w.index))
    if (floor < 0).any():
        raise TwinInputError("zan_negative_param", "guarantee_ha", name="guarantee_ha",
                             value=float(floor.min()))
    if total_ha <= floor.sum() + 1e-12:
        return floor.copy()
    floored = pd.Series(False, index=w.index)
    while True:
        free = ~floored
        rest = total_ha - floor[floored].sum()
        share = allocate(rest, w[free]) if free.any() else pd.Series(dtype=float)
        low = share < floor[share.index]
        if not low.any():
            break
        floored[share.index[low]] = True
    out = floor.copy()
    out[share.index] = share
    return out


def allocation_weights(rule: str, reference_ha: pd.Series, growth: pd.Series,
                       mix_past: float = 0.5) -> pd.Series:
    """Weights of the allocation rule: ``past`` (2011-2021 consumption), ``growth``
    (population growth) or ``mix`` (``mix_past`` × past share + (1 − mix_past) × growth share).
    """
    if rule not in ALLOCATION_RULES:
        raise TwinInputError("bad_value", "allocation_rule", key="allocation_rule", value=rule,
                             allowed=ALLOCATION_RULES, detail="")
    if not 0.0 <= mix_past <= 1.0:
        raise TwinInputError("zan_bad_share", "mix_past", name="mix_past", value=mix_past)
    past = reference_ha.clip(lower=0).astype(float)
    grow = growth.reindex(past.index).clip(lower=0).fillna(0.0).astype(float)
    past_share = past / past.sum() if past.sum() > 0 else past * 0 + 1 / len(past)
    grow_share = grow / grow.sum() if grow.sum() > 0 else past_share
    if rule == "past":
        return past_share
    if rule == "growth":
        return grow_share
    return mix_past * past_share + (1 - mix_past) * grow_share


def decade_budgets(envelope_2021_2031: float, pace_2031_2041: float = 0.5) -> dict[str, float]:
    """Budgets (ha) of the three slices: 2021-2031, 2031-2041 (reduced by ``pace``), and the
    2041-2050 slice, which ends at net zero: a linear ramp down, i.e. half a decade's pace."""
    b1 = float(envelope_2021_2031)
    b2 = b1 * (1.0 - pace_2031_2041)
    b3 = b2 / 10.0 * 9.0 / 2.0  # yearly rate falls linearly from b2/10 to 0 over 9 years
    return {"2021-2031": b1, "2031-2041": b2, "2041-2050": b3}


def dwellings_needed(population, growth_pct, years, household_size, household_trend_pct,
                     secondary_share, vacancy_share):
    """Dwellings to build over ``years`` for population growth and smaller households.

    Main residences = population / household size; the stock holds main residences plus
    secondary and vacant homes (shares of the stock); demand is the growth of that stock.
    """
    if np.any(np.asarray(household_size) <= 0):
        raise TwinInputError("zan_negative_param", "household_size", name="household_size",
                             value=household_size)
    occupied = 1.0 - np.asarray(secondary_share) - np.asarray(vacancy_share)
    if np.any(occupied <= 0):
        raise TwinInputError("zan_vacancy_too_high", "vacancy_pct")
    pop_end = population * (1 + np.asarray(growth_pct) / 100) ** years
    size_end = household_size * (1 + np.asarray(household_trend_pct) / 100) ** years
    stock_now = population / household_size / occupied
    stock_end = pop_end / size_end / occupied
    out = np.maximum(stock_end - stock_now, 0.0)
    return float(out) if np.ndim(out) == 0 else out


def land_for_dwellings_ha(dwellings, existing_fabric_share, density):
    """ENAF land (ha) taken by ``dwellings``: the share built in the existing fabric takes
    none, the rest is built at ``density`` dwellings/ha. Arrays broadcast."""
    density = np.asarray(density, dtype=float)
    if np.any(~(density > 0)):
        raise TwinInputError("zan_density_zero", "density", value=float(np.min(density)))
    share = np.asarray(existing_fabric_share, dtype=float)
    if np.any((share < 0) | (share > 1)):
        raise TwinInputError("zan_bad_share", "existing_fabric_pct", name="existing_fabric",
                             value=float(np.max(np.abs(share))))
    return np.asarray(dwellings, dtype=float) * (1.0 - share) / density
