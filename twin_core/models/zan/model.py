"""Registered ZAN model: baseline, envelopes and the land that demand will take up to 2050.

Equations in :mod:`twin_core.models.zan.envelope` (sources there). Demand: INSEE-style
"point mort" reasoning (dwellings for population growth and for smaller households, the stock
holding secondary and vacant homes); dwellings built in the existing fabric (densification,
vacancy reduction, brownfields) take no ENAF, the others take land at the chosen density.
Demography per commune (``commune_trends``, default on): each commune keeps the gap between its
own 2014-2020 trends and the group's — yearly population growth and household-size change, from
the census populations and households the Cerema file carries (``pop14``, ``pop20``, ``men14``,
``men20``; INSEE RP 2014 and 2020) — around the levers ``population_growth_pct`` and
``household_trend_pct``, which set the group's rates (a "shift-share" projection: the group
follows the lever, the communes keep their observed differences). A commune whose population
falls needs no new dwelling unless its households shrink faster than its population (the
yearly stock change is clipped at 0: a vacant home is not demolished to give land back). A
commune's observed trend is clipped to ±5 %/yr (population) and ±3 %/yr (household size) so
that the census noise of a tiny commune does not become an exponential; a commune without
2014 data follows the group's rates. Off: every commune follows the levers.

Commune-level uncertainty (issue 15): in an ensemble each draw also gives every commune its own
growth deviation around the group's rate — sd ``commune_growth_sd_pct`` (0.87 %/yr: the spread
of the Ain communes' 2014-2020 growth, measured on the real Cerema file by
:func:`~twin_core.models.zan.projection.commune_growth_sd`), correlation
``departement_correlation`` (0.5, a declared assumption) between two communes of one
département, none across départements (:func:`drawn_deviation`). The deviations are seeded by
the draw (``commune_draw``; 0 = the central run, no deviation), so the vectorised ensemble and
one run per draw give the same. Caveats: 0.87 %/yr is the cross-sectional spread, which also
holds the persistent gaps the commune trends already carry (an upper bound of the uncertainty).
The model centres each draw's deviations on the territory (population-weighted mean 0): the
territory's own growth is drawn as ``population_growth_pct`` (Omphale at département scale),
so in a one-département group the shared département part cancels instead of counting twice,
and across several départements only their differences remain.

Non-housing land (activity, mixed, roads, rail, unknown: the Cerema uses other than ``hab``) is
projected by its own driver, a documented share: it follows the projected housing land at the
group's observed 2011-2021 ratio (non-housing ha per ha of housing land, Cerema file),
scaled by ``other_land_pct`` (100 % = that ratio). It is no longer kept at its past pace beside
a re-projected housing demand (the roads and mixed uses of past housing estates would be counted
twice), and a group whose housing demand vanishes takes no non-housing land either (an
assumption: a business park decided without new inhabitants is not modelled).

2031-2050: the law counts net artificialisation (art. L. 101-2-1 code de l'urbanisme; décret
2023-1096, OCS GE) from 2031, not ENAF consumption. No projection of the OCS GE exists here: the
2031-2050 figures are a proxy (projected ENAF consumption minus renaturation) and are labelled
so. Renaturation (ha/yr) is deducted from 2031 on (loi 2023-630, art. 7 counts it from 2021
only for renatured plots; we take the conservative reading).

1 ha communal guarantee (loi 2023-630, amending art. 194 of loi 2021-1104): only communes
covered by a planning document (PLU, document en tenant lieu, carte communale) prescribed,
"arrêté" or approved before 22 August 2026 are eligible. The data it needs — each commune's
planning-document status (DGALN "SUDOCUH" table of the état des documents d'urbanisme) — is not
in the Cerema file: a boolean column ``planning_document`` in the land-take table, when present,
restricts the guarantee to the communes where it is true; without it every commune is taken as
eligible (an upper bound of the guarantee's effect).

Allocation: the group's envelope (sum of the communal envelopes of
:func:`~twin_core.models.zan.envelope.envelope_2031`, i.e. what an EPCI or SCoT gets) is shared
among communes by a chosen rule — past consumption (the law's default reading: each commune
halves its own 2011-2021 consumption), population growth, or a mix — with the 1 ha communal
guarantee as a floor and the sum kept to the m².

"Dwellings delivered": dwellings the communes can build in 2023-2030 if each keeps within its
own 2021-2031 envelope (after the observed 2021-2022 consumption and the non-housing land);
2021-2022 demand is taken as met.

Agricultural land lost = gross ENAF consumption × ``agricultural_share_pct``. Default 67 %:
Agreste (SSP, ministère de l'Agriculture), Teruti-Lucas 2006-2014, published 21 July 2015:
"les deux tiers des surfaces artificialisées depuis 2006 l'ont été aux dépens des espaces
agricoles" (national figure, medium confidence; the local share differs, set it when known).
Renatured land is not counted as returned to farming.

A zone to renature drawn on the map (``renature_zone``, Lambert-93) adds its area, split among
the communes of the group by the area of the zone in each, renatured evenly over 2031-2049 (the
years of ``renatured_2031_2050_ha``, so that indicator grows by exactly the zone's area).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import param

from twin_core.drawn import Geometry, to_shape
from twin_core.errors import TwinInputError
from twin_core.evidence import Evidence
from twin_core.indicators import value_indicator
from twin_core.models.base import Model, ModelSpec, OutputSpec
from twin_core.models.zan.envelope import (
    ALLOCATION_RULES,
    REFERENCE_YEARS,
    allocate,
    allocate_with_floor,
    allocation_weights,
    check_communes,
    decade_budgets,
    envelope_2031,
    land_for_dwellings_ha,
    yearly_consumption_ha,
)
from twin_core.models.zan.projection import (
    COMMUNE_GROWTH_SD_PCT,
    DEPARTEMENT_CORRELATION,
    commune_deviation,
    departement_codes,
)
from twin_core.scenario import Scenario

MODEL_ID = "zan.trajectory"
HOUSING_PREFIX = "art{a:02d}hab{b:02d}"
#: Lambert-93 extent a zone drawn on the ZAN map must stay in (both groups + 5 km).
ZAN_EXTENT = (355_000.0, 6_395_000.0, 925_000.0, 6_572_000.0)
#: Years over which a drawn zone is renatured (those counted by renatured_2031_2050_ha).
ZONE_YEARS = tuple(range(2031, 2050))
BASE_YEAR = 2020  # pop20 / men20 of the Cerema file
DEFAULT_HOUSEHOLD_SIZE = 2.2  # INSEE RP 2020, France: 2.19 persons per main residence
CENSUS_SPAN = 6  # years between the 2014 and 2020 census figures of the Cerema file
#: Clip of a commune's observed yearly trends (%/yr): population, household size.
GROWTH_CLIP_PCT, HOUSEHOLD_CLIP_PCT = 5.0, 3.0


class ZanScenario(Scenario):
    example_b = {"density": 30.0, "existing_fabric_pct": 50.0}
    #: Model parameters, not scenario levers (folded under "Paramètres avancés"): the law's
    #: guarantee and post-2031 pace, the mix of the allocation rule, demographic and housing
    #: assumptions, and the dwellings sent by the coast link of a territory scenario.
    advanced = ("guarantee_ha", "pace_2031_pct", "mix_past_pct", "household_trend_pct",
                "commune_trends", "vacancy_pct", "secondary_pct", "other_land_pct",
                "incoming_dwellings", "agricultural_share_pct", "commune_growth_sd_pct",
                "departement_correlation")
    units = {**Scenario.units, "reduction_pct": "%", "guarantee_ha": "ha",
             "pace_2031_pct": "%", "mix_past_pct": "%", "population_growth_pct": "%/an",
             "household_trend_pct": "%/an", "vacancy_pct": "%", "secondary_pct": "%",
             "existing_fabric_pct": "%", "density": "logements/ha",
             "other_land_pct": "%", "renaturation_ha_per_yr": "ha/an",
             "agricultural_share_pct": "%", "incoming_dwellings": "logements",
             "commune_growth_sd_pct": "%/an", "departement_correlation": "-", "commune_draw": "-"}

    group = param.Selector(default="ain", objects=["ain", "gironde"],
                           doc="Group of communes (Ain: real Cerema file; Gironde: synthetic).")
    reduction_pct = param.Number(default=50.0, bounds=(0.0, 100.0), step=5.0,
                                 doc="Cut of 2021-2031 consumption vs 2011-2021 (law: 50 %).")
    guarantee_ha = param.Number(default=1.0, bounds=(0.0, 5.0), step=0.5,
                                doc="Minimum 2021-2031 budget per commune (law 2023: 1 ha).")
    pace_2031_pct = param.Number(default=50.0, bounds=(0.0, 100.0), step=5.0,
                                 doc="Cut of the 2031-2041 budget vs 2021-2031.")
    allocation_rule = param.Selector(default="past", objects=list(ALLOCATION_RULES),
                                     doc="How the group's envelope is shared among communes.")
    mix_past_pct = param.Number(default=50.0, bounds=(0.0, 100.0), step=10.0,
                                doc="Weight of past consumption in the 'mix' rule.")
    population_growth_pct = param.Number(default=0.5, bounds=(-2.0, 3.0), step=0.1,
                                         doc="Yearly population growth of the group (each "
                                             "commune keeps its 2014-2020 gap to it when "
                                             "commune_trends is on).")
    household_trend_pct = param.Number(default=-0.4, bounds=(-2.0, 1.0), step=0.1,
                                       doc="Yearly change of the mean household size (group).")
    commune_trends = param.Boolean(default=True,
                                   doc="Each commune keeps its observed 2014-2020 population "
                                       "and household-size trends relative to the group.")
    vacancy_pct = param.Number(default=8.0, bounds=(0.0, 30.0), step=0.5,
                               doc="Share of vacant homes in the stock.")
    secondary_pct = param.Number(default=5.0, bounds=(0.0, 60.0), step=1.0,
                                 doc="Share of secondary homes in the stock.")
    existing_fabric_pct = param.Number(default=30.0, bounds=(0.0, 100.0), step=5.0,
                                       doc="Share of new dwellings built in the existing fabric.")
    density = param.Number(default=15.0, bounds=(2.0, 150.0), step=1.0,
                           doc="Density of new housing on ENAF land.")
    other_land_pct = param.Number(default=100.0, bounds=(0.0, 200.0), step=10.0,
                                  doc="Non-housing land per ha of housing land, in % of the "
                                      "group's 2011-2021 ratio.")
    renaturation_ha_per_yr = param.Number(default=0.0, bounds=(0.0, 20.0), step=0.5,
                                          doc="Land renatured each year from 2031.")
    incoming_dwellings = param.Integer(default=0, bounds=(0, 5000), step=50,
                                       doc="Extra dwellings over 2023-2030 for households "
                                           "coming from elsewhere (e.g. relocation from an "
                                           "eroding coast), shared by population.")
    agricultural_share_pct = param.Number(default=67.0, bounds=(0.0, 100.0), step=1.0,
                                          doc="Share of consumed ENAF that was farmland "
                                              "(Agreste Teruti-Lucas 2006-2014: two thirds).")
    commune_growth_sd_pct = param.Number(
        default=COMMUNE_GROWTH_SD_PCT, bounds=(0.0, 3.0), step=0.1,
        doc="Uncertainty of each commune's own growth around the group's (sd, %/yr), drawn by "
            "the ensemble: the spread of the Ain communes' 2014-2020 growth (0.87 %/yr).")
    departement_correlation = param.Number(
        default=DEPARTEMENT_CORRELATION, bounds=(0.0, 1.0), step=0.1,
        doc="Declared correlation of the growth deviations of two communes of one département "
            "(0 across départements); 0.5 is an assumption.")
    commune_draw = param.Integer(
        default=0, bounds=(0, 2**31 - 1), precedence=-1,  # set by the ensemble: no widget
        doc="0: the central run (no commune deviation); k > 0: one draw of the communes' "
            "growth deviations, seeded by k (set by the uncertainty ensemble).")
    renature_zone = Geometry(kind="polygon", extent=ZAN_EXTENT,
                             doc="Zone to renature drawn on the map (Lambert-93): its area in "
                                 "the group's communes is renatured over 2031-2049.")


class ZanModel(Model):
    spec = ModelSpec(
        id=MODEL_ID, use_case="zan", version="1.0",
        outputs=(OutputSpec("reference_ha", "value", "ha"),
                 OutputSpec("envelope_ha", "value", "ha"),
                 OutputSpec("communes", "layer"), OutputSpec("trajectories", "layer"),
                 OutputSpec("trajectory", "series", "ha")),
        layers=("communes", "conso_naf"),
        sources=("Loi 2021-1104 art. 191, 194", "Loi 2023-630 art. 4",
                 "Cerema fichiers fonciers",
                 "Agreste, Teruti-Lucas 2006-2014 (2015): 2/3 of artificialised land was farmland"),
        scenario_class=ZanScenario,
        map_layer="communes", map_column="budget_used_pct", map_units="%",
        series_y=("consumption_ha", "allowed_ha"), series_units="ha/an",
    )

    def _validate(self, territory, scenario: ZanScenario) -> list[TwinInputError]:
        problems = []
        if not scenario.density > 0:
            problems.append(TwinInputError("zan_density_zero", "density", value=scenario.density))
        if scenario.vacancy_pct + scenario.secondary_pct >= 100:
            problems.append(TwinInputError("zan_vacancy_too_high", "vacancy_pct"))
        zone = to_shape(scenario.renature_zone)
        if zone is not None and territory is not None and territory.has_layer("communes"):
            key = "conso_naf" if scenario.group == "ain" else "conso_naf_synthetic"
            if territory.has_layer(key):
                codes = set(territory.layer(key)["idcom"].astype(str))
                com = territory.layer("communes")
                mine = com[com["code_insee"].astype(str).isin(codes)]
                if not mine.intersects(zone).any():
                    problems.append(TwinInputError("geometry_no_data", "renature_zone",
                                                   key="renature_zone",
                                                   layer=f"communes ({scenario.group})"))
        return problems

    def run_draws(self, territory, params):
        """Vectorised ensemble (:mod:`twin_core.models.zan.draws`), self-checked."""
        from twin_core.models.zan.draws import run_draws

        return run_draws(self, territory, params)

    def _run(self, territory, scenario: ZanScenario):
        key = "conso_naf" if scenario.group == "ain" else "conso_naf_synthetic"
        conso = territory.layer(key)
        communes = territory.layer("communes")
        result = run_trajectory(conso, communes, scenario, self, source=key)
        if territory.is_synthetic(key):
            result.synthetic_inputs += (key,)
        return result


def _column(conso: pd.DataFrame, name: str, idx: pd.Index) -> pd.Series:
    """Numeric column ``name`` of ``conso`` (indexed by idcom) aligned on ``idx``."""
    if name not in conso.columns:
        return pd.Series(np.nan, index=idx)
    return pd.to_numeric(conso[name], errors="coerce").reindex(idx)


def allowed_path(envelope_ha, pace_2031: float, years: np.ndarray) -> np.ndarray:
    """Allowed yearly consumption (ha/yr) for each envelope (array, n) and year: a tenth of the
    envelope in 2021-2030, a tenth of the reduced 2031-2041 budget in 2031-2040, then a linear
    ramp to zero in 2050 (:func:`decade_budgets`); zero before 2021 is not a budget (NaN)."""
    env = np.atleast_1d(np.asarray(envelope_ha, dtype=float))[:, None]
    y = np.asarray(years)[None, :]
    b2 = env * (1.0 - pace_2031) / 10.0
    out = np.where(y < 2021, np.nan,
                   np.where(y < 2031, env / 10.0,
                            np.where(y < 2041, b2, np.where(y < 2050, b2 * (2050 - y) / 10.0,
                                                            0.0))))
    return out


def zone_area_by_commune(zone: dict | None, communes: gpd.GeoDataFrame, idx: pd.Index
                         ) -> pd.Series:
    """Area (ha) of a drawn zone in each commune of ``idx`` (code INSEE), 0 without a zone.
    Overlapping parts of the drawing count once."""
    shape = to_shape(zone)
    out = pd.Series(0.0, index=idx)
    if shape is None:
        return out
    com = communes.assign(code_insee=communes["code_insee"].astype(str))
    com = com[com["code_insee"].isin(idx)]
    hit = com[com.intersects(shape)]
    if len(hit):
        area = hit.geometry.intersection(shape).area.to_numpy() / 1e4
        out = out.add(pd.Series(area, index=hit["code_insee"].to_numpy()).groupby(level=0)
                      .sum(), fill_value=0.0).reindex(idx)
    return out


def commune_trends(conso: pd.DataFrame, idx: pd.Index) -> pd.DataFrame:
    """Observed 2014-2020 yearly trends per commune (fractions/yr) and their gap to the group.

    ``conso`` indexed by idcom. growth = (pop20 / pop14)^(1/6) − 1; household size
    hh = pop / men (persons per main residence, INSEE "ménages"), trend = (hh20 / hh14)^(1/6) − 1,
    clipped to ±:data:`GROWTH_CLIP_PCT` / ±:data:`HOUSEHOLD_CLIP_PCT` %/yr. The group's rates are
    the aggregates of the communes that have all four figures; a commune without them gets the
    group's rates (gap 0). Columns: growth, household, growth_gap, household_gap."""
    p14, p20, m14, m20 = (_column(conso, k, idx).to_numpy(float)
                          for k in ("pop14", "pop20", "men14", "men20"))
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = (p14 > 0) & (p20 > 0) & (m14 > 0) & (m20 > 0)
        n = CENSUS_SPAN
        g = np.where(ok, np.clip((p20 / p14) ** (1 / n) - 1, -GROWTH_CLIP_PCT / 100,
                                 GROWTH_CLIP_PCT / 100), np.nan)
        h = np.where(ok, np.clip(((p20 / m20) / (p14 / m14)) ** (1 / n) - 1,
                                 -HOUSEHOLD_CLIP_PCT / 100, HOUSEHOLD_CLIP_PCT / 100), np.nan)
    if ok.any():
        g_group = (p20[ok].sum() / p14[ok].sum()) ** (1 / n) - 1
        h_group = ((p20[ok].sum() / m20[ok].sum()) / (p14[ok].sum() / m14[ok].sum())
                   ) ** (1 / n) - 1
    else:
        g_group = h_group = 0.0
    return pd.DataFrame({"growth": g, "household": h,
                         "growth_gap": np.nan_to_num(g - g_group, nan=0.0),
                         "household_gap": np.nan_to_num(h - h_group, nan=0.0)}, index=idx)


def nonhousing_ratio(conso: pd.DataFrame, reference_ha: pd.Series) -> float:
    """Non-housing ENAF land per ha of housing land over 2011-2021, for the whole group
    (Cerema: reference minus the ``hab`` columns, over the ``hab`` columns); 0 without housing
    land. ``conso`` indexed by idcom."""
    hab = [HOUSING_PREFIX.format(a=y % 100, b=(y + 1) % 100) for y in REFERENCE_YEARS]
    cols = conso.reindex(columns=hab)
    if not all(pd.api.types.is_numeric_dtype(t) for t in cols.dtypes):
        cols = cols.apply(pd.to_numeric, errors="coerce")
    housing = float(np.nansum(cols.to_numpy(float))) / 1e4
    if housing <= 0:
        return 0.0
    return max(float(reference_ha.sum()) - housing, 0.0) / housing


def commune_inputs(conso: pd.DataFrame, s: ZanScenario) -> dict:
    """Per-commune inputs of a run: ``conso`` (the Cerema table indexed by commune),
    ``communal`` (2021-2031 envelope table), ``yearly`` (observed land take, ha), ``pop`` (2020
    population), ``hh`` (2020 household size), ``growth_gap`` / ``household_gap`` (yearly
    fractions added to the levers' rates; 0 when ``commune_trends`` is off), ``trends`` (the
    observed trends) and ``q``, the non-housing land per ha of housing land (group's 2011-2021
    ratio × ``other_land_pct``)."""
    communal = envelope_2031(conso, s.reduction_pct / 100.0, s.guarantee_ha)
    yearly = yearly_consumption_ha(conso)
    idx = communal.index
    conso = conso.set_index(conso["idcom"].astype(str))
    pop = _column(conso, "pop20", idx).fillna(0.0)
    men = _column(conso, "men20", idx)
    hh_size = (pop / men).replace([np.inf, -np.inf], np.nan).fillna(DEFAULT_HOUSEHOLD_SIZE)
    hh_size = hh_size.where(hh_size > 0, DEFAULT_HOUSEHOLD_SIZE)
    trends = commune_trends(conso, idx)
    on = 1.0 if s.commune_trends else 0.0
    q = nonhousing_ratio(conso, communal["reference_ha"]) * s.other_land_pct / 100
    _, dep_index = np.unique(departement_codes(idx), return_inverse=True)
    return {"conso": conso, "communal": communal, "yearly": yearly, "pop": pop, "hh": hh_size,
            "growth_gap": trends["growth_gap"] * on, "household_gap": trends["household_gap"] * on,
            "trends": trends, "q": q, "dep_index": dep_index.ravel(),
            "n_dep": int(dep_index.max()) + 1 if dep_index.size else 0}


def drawn_deviation(ci: dict, s: ZanScenario, draw: int | None = None) -> np.ndarray:
    """Growth deviation (fraction/yr) of each commune in the draw ``draw`` (default: the
    scenario's ``commune_draw``): 0 for the central run (draw 0 or sd 0), else
    :func:`~twin_core.models.zan.projection.commune_deviation` seeded by the draw, centred
    on the territory (population-weighted mean 0). The centring keeps the deviations from
    moving the territory's own growth, which the ensemble already draws
    (``population_growth_pct``): without it a one-département territory such as the Ain
    sample would count the département's shared part twice."""
    k = s.commune_draw if draw is None else int(draw)
    if k == 0 or s.commune_growth_sd_pct <= 0 or not ci["dep_index"].size:
        return np.zeros(ci["dep_index"].size)
    eps = commune_deviation(k, ci["dep_index"], ci["n_dep"], s.commune_growth_sd_pct,
                            s.departement_correlation) / 100.0
    w = np.nan_to_num(np.asarray(ci["pop"], dtype=float))
    return eps - (np.average(eps, weights=w) if w.sum() > 0 else eps.mean())


def run_trajectory(conso: pd.DataFrame, communes: gpd.GeoDataFrame, s: ZanScenario,
                   model: Model, source: str = "conso_naf"):
    """One scenario on a Cerema table and its communes layer (see the module docstring)."""
    if not s.density > 0:
        raise TwinInputError("zan_density_zero", "density", value=s.density)
    check_communes(conso, communes["code_insee"], source)
    ci = commune_inputs(conso, s)
    conso, communal, yearly, pop, hh_size = (ci[k] for k in ("conso", "communal", "yearly",
                                                             "pop", "hh"))
    q = ci["q"]
    idx = communal.index
    reference = communal["reference_ha"]
    # each commune's yearly rates: the levers (group) plus the commune's observed gap
    g_c = (s.population_growth_pct / 100 + ci["growth_gap"].to_numpy()
           + drawn_deviation(ci, s))
    h_c = s.household_trend_pct / 100 + ci["household_gap"].to_numpy()

    # -- envelope shared by the chosen rule (sum conserved, guarantee as a floor)
    total_env = float(communal["envelope_ha"].sum())
    observed_growth = _column(conso, "pop1420", idx)
    growth = observed_growth.where(observed_growth.notna(), pop * ((1 + g_c) ** 10 - 1))
    if s.allocation_rule == "past":
        env = communal["envelope_ha"].copy()
    else:
        weights = allocation_weights(s.allocation_rule, reference, growth, s.mix_past_pct / 100)
        env = allocate_with_floor(total_env, weights, communal["guarantee_ha"])

    # -- demand: dwellings per year from the stock change (vectorised over communes × years)
    first_proj = max(yearly.columns) + 1  # first year without observation
    horizon = max(s.horizon, 2050)
    years = np.arange(2011, horizon + 1)
    occupied = 1.0 - (s.vacancy_pct + s.secondary_pct) / 100
    if occupied <= 0:
        raise TwinInputError("zan_vacancy_too_high", "vacancy_pct")
    t = np.arange(2021, horizon + 2) - BASE_YEAR
    pop_t = pop.to_numpy()[:, None] * (1 + g_c[:, None]) ** t[None, :]
    stock_t = pop_t / (hh_size.to_numpy()[:, None] * (1 + h_c[:, None]) ** t[None, :]
                       ) / occupied
    dw_year = np.maximum(np.diff(stock_t, axis=1), 0.0)  # years 2021 … horizon
    dw = pd.DataFrame(dw_year, index=idx, columns=np.arange(2021, horizon + 1))
    pop_share = pop / pop.sum() if pop.sum() > 0 else pop * 0 + 1 / len(pop)
    proj_years = [y for y in range(first_proj, 2031)]
    fabric = s.existing_fabric_pct / 100
    # non-housing land follows the communes' own housing land at the group's observed ratio
    # (module docstring); homes for incoming households (coast relocation) take housing land
    # only: their services are not modelled
    other_land = pd.DataFrame(q * land_for_dwellings_ha(dw.to_numpy(), fabric, s.density),
                              index=idx, columns=dw.columns)
    if s.incoming_dwellings and proj_years:
        dw[proj_years] += (pop_share.to_numpy()[:, None] * s.incoming_dwellings
                           / len(proj_years))
    housing_land = pd.DataFrame(land_for_dwellings_ha(dw.to_numpy(), fabric, s.density),
                                index=idx, columns=dw.columns)

    gross_a = np.zeros((len(idx), len(years)))
    obs_years = [y for y in years if y in yearly.columns]
    gross_a[:, np.searchsorted(years, obs_years)] = yearly[obs_years].to_numpy()
    proj = years >= first_proj
    gross_a[:, proj] = (housing_land[list(years[proj])].to_numpy()
                        + other_land[list(years[proj])].to_numpy())
    gross = pd.DataFrame(gross_a, index=idx, columns=years)
    renat_years = years[years >= 2031]
    renat = pd.Series(0.0, index=idx)
    if s.renaturation_ha_per_yr > 0:
        rate = gross[2031]
        renat = allocate(s.renaturation_ha_per_yr, rate if rate.sum() > 0 else pop_share)
    net = gross.copy()
    net[renat_years] = gross[renat_years].sub(renat, axis=0)
    zone_ha = zone_area_by_commune(s.renature_zone, communes, idx)
    zone_years = [y for y in ZONE_YEARS if y in net.columns]
    if zone_years and zone_ha.sum() > 0:
        net[zone_years] = net[zone_years].sub(zone_ha / len(zone_years), axis=0)

    allowed_c = pd.DataFrame(allowed_path(env.to_numpy(), s.pace_2031_pct / 100, years),
                             index=idx, columns=years)
    total = net.sum(axis=0)
    allowed = allowed_c.sum(axis=0).where(years >= 2021)
    series = pd.DataFrame({"year": years, "consumption_ha": total.to_numpy(),
                           "allowed_ha": allowed.to_numpy(),
                           "renatured_ha": np.where(years >= 2031, float(renat.sum()), 0.0)
                           + np.where(np.isin(years, zone_years),
                                      float(zone_ha.sum()) / max(len(zone_years), 1), 0.0),
                           "observed": years < first_proj})
    since = years >= 2021
    series["cumulative_since_2021_ha"] = np.where(since, np.cumsum(np.where(since, total, 0)), 0)
    series["allowed_cumulative_ha"] = np.where(
        since, np.cumsum(np.where(since, allowed.fillna(0), 0)), 0)

    dec1_years = [y for y in years if 2021 <= y < 2031]
    dec1 = net[dec1_years].sum(axis=1)
    observed_2021 = yearly[[y for y in yearly.columns if y >= 2021]].sum(axis=1)
    dec_rest = net[[y for y in years if 2031 <= y < 2050]].sum(axis=1)
    used = dec1 / env * 100
    remaining = env - observed_2021

    # -- dwellings needed 2021-2031 vs delivered within each commune's envelope
    needed = dw[dec1_years].sum(axis=1)
    needed_proj = dw[proj_years].sum(axis=1)
    # land left in the envelope after 2021-2022 and the non-housing land
    land_avail = (env - observed_2021 - other_land[proj_years].sum(axis=1)).clip(lower=0)
    enaf_need = needed_proj * (1 - fabric)
    delivered = (needed - needed_proj) + needed_proj * fabric + np.minimum(
        enaf_need, land_avail * s.density)
    pop_gain = pop * ((1 + g_c) ** (2031 - BASE_YEAR) - (1 + g_c) ** (2021 - BASE_YEAR))
    gross_2021_2050 = gross[[y for y in years if 2021 <= y < 2050]].sum(axis=1)
    agri = gross_2021_2050 * s.agricultural_share_pct / 100
    gross_dec1 = gross[dec1_years].sum(axis=1)
    m2_inh = gross_dec1.sum() * 1e4 / pop_gain.sum() if pop_gain.sum() > 0 else np.nan

    names = communes.assign(code_insee=communes["code_insee"].astype(str)).set_index(
        "code_insee")["nom"] if "nom" in communes.columns else pd.Series(dtype=str)
    table = pd.DataFrame({
        "nom": names.reindex(idx), "reference_ha": reference, "envelope_ha": env,
        "communal_envelope_ha": communal["envelope_ha"],
        "consumed_2021_2022_ha": observed_2021, "projected_2021_2031_ha": dec1,
        "budget_used_pct": used, "remaining_ha": remaining, "over_budget": used > 100,
        "dwellings_needed": needed, "dwellings_delivered": delivered,
        "agricultural_land_lost_ha": agri, "projected_2031_2050_ha": dec_rest,
        "renatured_ha_per_yr": renat + zone_ha / max(len(zone_years), 1),
        "renature_zone_ha": zone_ha, "dwellings_per_year": needed / 10,
        "growth_pct": g_c * 100, "household_trend_pct": h_c * 100,
        "growth_2014_2020_pct": ci["trends"]["growth"] * 100,
    })
    table.index.name = "code_insee"
    layer = communes.assign(code_insee=communes["code_insee"].astype(str)).drop(
        columns=["nom"], errors="ignore").merge(table, left_on="code_insee", right_index=True,
                                                how="inner")
    traj = pd.DataFrame({
        "code_insee": np.repeat(idx.to_numpy(), len(years)),
        "year": np.tile(years, len(idx)),
        "consumption_ha": net.to_numpy().ravel(),
        "allowed_ha": allowed_c.to_numpy().ravel(),
        "observed": np.tile(years < first_proj, len(idx)),
    })

    values = {
        "projected_2021_2031_ha": float(dec1.sum()),
        "envelope_ha": total_env,
        "budget_used_pct": float(dec1.sum() / total_env * 100) if total_env else np.nan,
        "remaining_budget_ha": float(remaining.sum()),
        "communes_over_budget": float((used > 100).sum()),
        "dwellings_delivered_pct": float(delivered.sum() / needed.sum() * 100)
        if needed.sum() > 0 else 100.0,
        "agricultural_land_lost_ha": float(agri.sum()),
        "m2_per_new_inhabitant": float(m2_inh),
        "reference_ha": float(reference.sum()),
        "consumed_2021_2023_ha": float(observed_2021.sum()),
        "overshoot_2031_ha": float(max(dec1.sum() - total_env, 0.0)),
        "projected_2031_2050_ha": float(dec_rest.sum()),
        "budget_2031_2050_ha": float(sum(decade_budgets(total_env, s.pace_2031_pct / 100)[k]
                                         for k in ("2031-2041", "2041-2050"))),
        "dwellings_needed": float(needed.sum()),
        "dwellings_delivered": float(delivered.sum()),
        "dwellings_per_year": float(needed.sum() / 10),
        "renatured_2031_2050_ha": float(renat.sum() * len([y for y in years
                                                            if 2031 <= y < 2050]))
        + float(zone_ha.sum()),
    }
    return model.new_result(s, values=values, layers={"communes": layer, "trajectories": traj},
                            series=series)


# the first indicators of the issue first (the page's cards are HEADLINE below)
INDICATORS = [
    ("projected_2021_2031_ha", "ha", 1), ("envelope_ha", "ha", 1), ("budget_used_pct", "%", 0),
    ("remaining_budget_ha", "ha", 1), ("communes_over_budget", "communes", 0),
    ("dwellings_delivered_pct", "%", 0), ("agricultural_land_lost_ha", "ha", 1),
    ("m2_per_new_inhabitant", "m²/hab.", 0),
    ("reference_ha", "ha", 1), ("consumed_2021_2023_ha", "ha", 1),
    ("overshoot_2031_ha", "ha", 1), ("projected_2031_2050_ha", "ha", 1),
    ("budget_2031_2050_ha", "ha", 1), ("dwellings_needed", "logements", 0),
    ("dwellings_delivered", "logements", 0), ("dwellings_per_year", "logements/an", 0),
    ("renatured_2031_2050_ha", "ha", 1),
]
#: Ranking direction (workshop reports): False = lower is better; context figures not ranked.
_LOWER_IS_BETTER = {"projected_2021_2031_ha", "budget_used_pct", "communes_over_budget",
                    "agricultural_land_lost_ha", "m2_per_new_inhabitant", "overshoot_2031_ha",
                    "projected_2031_2050_ha"}
_HIGHER_IS_BETTER = {"remaining_budget_ha", "dwellings_delivered_pct", "dwellings_delivered",
                     "renatured_2031_2050_ha"}
# -- evidence of each indicator (twin_core.evidence) -------------------------------------------
# world assumptions (the planning levers — density, densification — are the user's choices)
_DEMAND = ("population_growth_pct", "household_trend_pct", "vacancy_pct", "secondary_pct",
           "other_land_pct")
_LAW = "loi Climat et résilience 2021-1104 art. 191 and loi 2023-630 (envelope rules)"
_PROJECTION = Evidence(
    "assumption", "\"point mort\" housing demand per commune (2014-2020 census trends of each "
    "commune around the group's levers) at the chosen density, plus non-housing land at the "
    "group's 2011-2021 ratio to housing land, on the Cerema land-take file; hindcast of "
    "2014-2020 on the Ain file (zan.hindcast)",
    checks=("zan.hindcast",), assumptions=_DEMAND)
_PROXY_2031 = Evidence(
    "assumption", "proxy of net artificialisation 2031-2050 (the law's measure from 2031, OCS GE, "
    "décret 2023-1096): projected ENAF consumption minus renaturation",
    checks=("zan.hindcast",), assumptions=(*_DEMAND, "renaturation_ha_per_yr"))
_EVIDENCE = {
    **dict.fromkeys(("reference_ha", "consumed_2021_2023_ha"), Evidence(
        "observed", "Cerema / Portail de l'artificialisation, ENAF land-take file")),
    "envelope_ha": Evidence("observed", f"observed 2011-2021 land take reduced by {_LAW}",
                            assumptions=("reduction_pct", "guarantee_ha", "allocation_rule")),
    "remaining_budget_ha": Evidence("observed", f"envelope ({_LAW}) minus the observed "
                                    "2021-2022 land take"),
    "budget_2031_2050_ha": Evidence("assumption", f"path to zero net artificialisation in 2050 "
                                    f"({_LAW})", assumptions=("pace_2031_pct",)),
    **dict.fromkeys(("projected_2021_2031_ha", "budget_used_pct", "communes_over_budget",
                     "dwellings_delivered_pct", "m2_per_new_inhabitant", "overshoot_2031_ha",
                     "dwellings_needed", "dwellings_delivered", "dwellings_per_year"),
                   _PROJECTION),
    "projected_2031_2050_ha": _PROXY_2031,
    "agricultural_land_lost_ha": Evidence(
        "assumption", "projected land take × farmland share (Agreste Teruti-Lucas 2015: two "
        "thirds nationally)", assumptions=("agricultural_share_pct", *_DEMAND)),
    "renatured_2031_2050_ha": Evidence("assumption", "renaturation rate and drawn zones",
                                       assumptions=("renaturation_ha_per_yr",)),
}
#: The page's headline cards (twin_core.headline), for a planner or an elected official of
#: the SCoT: the land take 2021-2031 set against the envelope the law allows (in hectares and
#: as a share), what is left after the observed years, how many communes go beyond their own
#: envelope, and whether the housing needs still fit in it.
HEADLINE = tuple(f"zan.{k}" for k in (
    "projected_2021_2031_ha", "envelope_ha", "budget_used_pct", "remaining_budget_ha",
    "communes_over_budget", "dwellings_delivered_pct"))
for _id, _units, _dec in INDICATORS:
    value_indicator(f"zan.{_id}", MODEL_ID, _units, key=_id, decimals=_dec,
                    higher_is_better=False if _id in _LOWER_IS_BETTER
                    else True if _id in _HIGHER_IS_BETTER else None,
                    evidence=_EVIDENCE[_id])
