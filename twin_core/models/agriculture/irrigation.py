"""Irrigation per catchment and month against a summer low-flow resource.

The resource is the river flow at low water: a specific low-flow discharge q (l/s/km²) × the
catchment area, turned into a monthly volume. There is no open discharge series for Côte-d'Or
here: the only gauges in ../shared/data/water/discharge are in the Cance (Ardèche, crystalline)
and Lez (Hérault, karst) basins. :func:`specific_low_flow` reads them to give the order of
magnitude (median over the years of the lowest June–September monthly mean flow, a QMNA-type
statistic): Cance at V3524010 ≈ 1.3, V3515010 ≈ 1.9, Lez at Y3204010 ≈ 1.1 l/s/km² (their
dry years, 1-in-5 quantile: 0.6–1.1). Côte-d'Or rivers on limestone plateaux and the Saône
plain sit in that range, so the default is :data:`DEFAULT_LOW_FLOW_L_S_KM2` = 1.5 l/s/km²,
a user-settable parameter (a Banque Hydro QMNA5 for the local gauges would replace it).

Irrigation volumes come from the FAO-56 bucket (net need of the irrigated fields per calendar
month, :mod:`.waterbalance`) × the irrigated area of each commune, then summed over each
station's catchment with the commune weights (share of each commune inside the catchment), so
catchments nest like the rivers. The restriction lever removes a share of the volume supplied.

Withdrawals: the FAO-56 bucket gives the NET irrigation requirement (water the root zone must
receive). The water taken from the river is the gross depth, net / field application efficiency
ea (the rest is lost to evaporation, wind drift, runoff and percolation below the roots), per
technique — Brouwer, Prins & Heibloem (1989), FAO Irrigation Water Management Training Manual
No. 4 "Irrigation Scheduling", Annex I, Table 8, "Indicative values of the field application
efficiency (ea)": surface irrigation (border, furrow, basin) 60 %, sprinkler 75 %, drip 90 %
(:data:`APPLICATION_EFFICIENCY`; packaged copy in
``twin_core/validation/reference/fao_field_application_efficiency.csv``, checked by
``agriculture.irrigation_efficiency``). With a mix of techniques (shares s_t of the irrigated
area) the withdrawal is Σ s_t × net / ea_t, i.e. one mix efficiency 1 / Σ (s_t / ea_t)
(:func:`mix_efficiency`). Canon-enrouleur (hose reel) and centre pivot are both sprinkler
irrigation in that table. Default mix :data:`DEFAULT_MIX` — an ASSUMPTION: in France, maize is
mostly irrigated by sprinkler (hose reels and pivots); the 2020 agricultural census (Agreste RA
2020) records the techniques (aspersion, micro-irrigation, gravitaire) but their shares for
Côte-d'Or were not found here: 85 % sprinkler, 10 % drip, 5 % surface, to be replaced by the
census figures. Conveyance losses upstream of the field are not counted (a field-scale
efficiency: the withdrawal at the farm's pump or intake).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from twin_core.errors import TwinInputError
from twin_core.models.agriculture.crops import MONTHS_DAYS

#: Field application efficiency ea by technique (fraction): Brouwer, Prins & Heibloem (1989),
#: FAO Training Manual No. 4, Annex I, Table 8 (module docstring).
APPLICATION_EFFICIENCY = {"surface": 0.60, "sprinkler": 0.75, "drip": 0.90}
#: Default technique mix (share of the irrigated area): an assumption (module docstring).
DEFAULT_MIX = {"surface": 0.05, "sprinkler": 0.85, "drip": 0.10}


def mix_efficiency(shares: dict[str, float]) -> float:
    """Field application efficiency of a mix of techniques (shares of the irrigated area,
    summing to 1): 1 / Σ (s_t / ea_t), so that withdrawal = net need / this value equals
    Σ s_t × net / ea_t. Raises ``agri_bad_technique_mix`` for an unknown technique, a negative
    share or shares that do not sum to 1."""
    unknown = sorted(set(shares) - set(APPLICATION_EFFICIENCY))
    total = float(sum(shares.values()))
    if unknown or any(v < 0 for v in shares.values()) or abs(total - 1.0) > 1e-6:
        raise TwinInputError("agri_bad_technique_mix", "irrigation_drip_pct",
                             shares=", ".join(f"{k} {100 * v:g} %" for k, v in shares.items()),
                             known=", ".join(APPLICATION_EFFICIENCY))
    return 1.0 / sum(v / APPLICATION_EFFICIENCY[k] for k, v in shares.items() if v > 0)


def withdrawal(net: np.ndarray | float, shares: dict[str, float]) -> np.ndarray | float:
    """Water withdrawn (same units as ``net``) to deliver the net irrigation ``net`` with the
    technique mix ``shares``: net / :func:`mix_efficiency`."""
    return net / mix_efficiency(shares)


#: Default specific summer low flow (l/s/km²), see the module docstring for its basis.
DEFAULT_LOW_FLOW_L_S_KM2 = 1.5
SUMMER_MONTHS = (6, 7, 8, 9)


def read_discharge_series(path: str | os.PathLike[str]) -> pd.Series:
    """A Banque Hydro series as shipped with smash (../shared/data/water/discharge): first line
    the start date (YYYYMMDD → daily step, YYYYMMDDhhmm → hourly step), then one value per line
    in m³/s, −99 = missing. Returns a time-indexed series (NaN for missing)."""
    source = str(path)
    if not Path(path).is_file():
        raise TwinInputError("file_not_found", source)
    lines = Path(path).read_text().split()
    head = lines[0].strip() if lines else ""
    if not head.isdigit() or len(head) not in (8, 12):
        raise TwinInputError("agri_bad_date", source, value=head)
    start = pd.to_datetime(head, format="%Y%m%d%H%M" if len(head) == 12 else "%Y%m%d")
    values = pd.to_numeric(pd.Series(lines[1:]), errors="coerce").to_numpy(float, copy=True)
    values[values < 0] = np.nan  # −99 = missing
    freq = "h" if len(head) == 12 else "D"
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq=freq))


def specific_low_flow(q_m3s: pd.Series, area_km2: float, quantile: float = 0.5,
                      months: tuple[int, ...] = SUMMER_MONTHS) -> float:
    """Specific low flow (l/s/km²): the ``quantile`` over years of the lowest monthly mean flow
    of ``months`` (0.5: median year; 0.2: the 1-in-5 dry year, as a QMNA5)."""
    monthly = q_m3s.resample("D").mean().resample("MS").mean()
    summer = monthly[monthly.index.month.isin(months)].dropna()
    lowest = summer.groupby(summer.index.year).min()
    return float(lowest.quantile(quantile) * 1000.0 / area_km2)


def low_flow_volume_m3(q_l_s_km2: float, area_km2: np.ndarray) -> np.ndarray:
    """Monthly volume (m³) of a flow q (l/s/km²) from areas (km²): shape (…, 12)."""
    area = np.asarray(area_km2, float)[..., None]
    return q_l_s_km2 / 1000.0 * area * MONTHS_DAYS * 86400.0


def irrigation_table(codes: list[str], irrigation_m3: np.ndarray, area_km2: np.ndarray,
                     q_l_s_km2: float, efficiency: float = 1.0) -> pd.DataFrame:
    """Tidy table per catchment and month: irrigation_m3 (net, supplied), withdrawal_m3
    (= irrigation / field application ``efficiency``), resource_m3 (low flow × area),
    share_pct = withdrawal / resource × 100."""
    resource = low_flow_volume_m3(q_l_s_km2, area_km2)
    irr = np.asarray(irrigation_m3, float)
    taken = irr / efficiency
    return pd.DataFrame({
        "code_station": np.repeat(np.asarray(codes, str), 12),
        "month": np.tile(np.arange(1, 13), len(codes)),
        "irrigation_m3": irr.ravel(),
        "withdrawal_m3": taken.ravel(),
        "resource_m3": resource.ravel(),
        "share_pct": np.where(resource > 0, 100.0 * taken / np.where(resource > 0, resource, 1),
                              np.nan).ravel(),
    })


def peak_share_pct(irrigation_m3: np.ndarray, area_km2: np.ndarray, q_l_s_km2: float
                   ) -> np.ndarray:
    """Largest monthly share (%) of the low-flow resource taken by irrigation (pass the
    withdrawals), per catchment."""
    resource = low_flow_volume_m3(q_l_s_km2, area_km2)
    share = np.where(resource > 0, np.asarray(irrigation_m3, float)
                     / np.where(resource > 0, resource, 1), 0.0)
    return 100.0 * share.max(axis=-1)
