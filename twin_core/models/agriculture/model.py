"""Registered model ``agriculture.nitrate_water``: farming levers → nitrate at river stations,
irrigation need, summer drainage and yields under a warming level.

Chain (equations and sources in the modules): SYNTHETIC daily weather fitted to the commune
normals of Joly et al. (2010) (:mod:`.weather`) → FAO-56 Penman–Monteith ET0 (:mod:`.et0`) →
FAO-56 single-Kc soil bucket with SCS curve-number runoff (:mod:`.waterbalance`, crop
parameters in :mod:`.crops`) → COMIFER-style N balance, Burns leaching and cover crops →
concentration 100 × N / D × 4.427 → flow-weighted mixing over each station's D8 catchment
(:mod:`.catchments`) and in-stream retention (:mod:`.nitrogen`). The leaching scale and the
retention are fitted on the real Naïades 2000–2015 station means and scored on 2016–2022
(held out); the scores are in ``result.values`` (r2_cal, r2_val, bias_cal, bias_val). The
projection at a station with observations is anchored on them (:func:`anchored_projection`,
delta-change): its observed mean × the modelled ratio scenario / present. Yields: winter wheat
and maize grain from the FAO AquaCrop model (AquaCrop-OSPy 3.1.0, :mod:`.aquacrop_yields`:
growing-degree-day cycle, water and temperature stress, package-default CO2 i.e. no CO2
fertilisation), cached per crop, soil class and climate on a warming × summer-rain grid; the
other grain crops respond to water stress only (FAO-33 Ky, Doorenbos & Kassam 1979). The
per-crop table is ``result.layers["yields"]`` (column ``model`` says which); the nitrogen
chain keeps the FAO-33 relative yields (consistent with the FAO-56 bucket that drives it).
Irrigation per catchment and month is compared
with a summer low-flow resource, specific low flow × catchment area (:mod:`.irrigation`).
The crop areas are a synthetic stand-in for the RPG until real parcels are given
(:func:`.inputs.use_rpg` swaps them in). Farmland taken by urbanisation
(``farmland_loss_ha``, set by the ZAN link of :mod:`twin_core.coupling`) is removed from every
crop of every commune in the same proportion and becomes non-farm land
(:func:`.pipeline.evaluate`): leached N, irrigation need and farm water scale with the area.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import param

from twin_core.errors import TwinInputError
from twin_core.evidence import Evidence, Skill
from twin_core.indicators import value_indicator
from twin_core.models.agriculture import irrigation as irr
from twin_core.models.agriculture import nitrogen as nit
from twin_core.models.agriculture import pipeline as pl
from twin_core.models.agriculture.catchments import commune_weights
from twin_core.models.agriculture.weather import JOLY_COLUMNS
from twin_core.models.base import Model, ModelSpec, OutputSpec
from twin_core.scenario import HORIZON_MIN, Scenario, tracc_warming

MODEL_ID = "agriculture.nitrate_water"
#: Fallback catchment when a territory has no "catchments" layer: a disc of this radius
#: around each station (a crude stand-in; ``twin data build`` writes the D8 catchments).
FALLBACK_RADIUS_M = 10_000.0
#: Territory layers the scenario-independent preparation reads (``catchments`` is optional).
PREP_LAYERS = ("communes", "stations", "nitrates", "crops", "climate_normals", "catchments")
_PREPARED: dict[tuple, pl.Prepared] = {}
#: In-memory layers whose identity is part of a cache key, kept alive so the id is not reused.
_PINNED: dict[tuple, list] = {}


class AgricultureScenario(Scenario):
    """Levers of the agriculture and water use case."""

    units = {**Scenario.units, "fertilisation_change_pct": "%", "cover_crop_pct": "%",
             "cover_crop_efficacy_pct": "%", "grassland_conversion_pct": "%",
             "irrigated_share_pct": "%", "irrigation_restriction_pct": "%",
             "soil_water_capacity_mm": "mm", "summer_rain_change_pct": "%",
             "low_flow_l_s_km2": "l/s/km²", "farmland_loss_ha": "ha",
             "transit_time_years": "ans", "irrigation_drip_pct": "%",
             "irrigation_surface_pct": "%"}
    #: programme of measures of the issue: 20 % less N and cover crops on 60 % of winter fields
    example_b = {"fertilisation_change_pct": -20.0, "cover_crop_pct": 60.0}
    #: Model parameters, not scenario levers (folded under "Paramètres avancés"): assumed
    #: cover-crop efficacy, soil water capacity and low flow, the land taken by the ZAN
    #: link of a territory scenario, and the irrigation technique mix (assumed default).
    advanced = ("cover_crop_efficacy_pct", "soil_water_capacity_mm", "low_flow_l_s_km2",
                "farmland_loss_ha", "irrigation_drip_pct", "irrigation_surface_pct")

    fertilisation_change_pct = param.Number(
        default=0.0, bounds=(-50.0, 30.0), step=5.0,
        doc="Change of the mineral N doses vs the COMIFER balance dose.")
    cover_crop_pct = param.Number(
        default=30.0, bounds=(0.0, 100.0), step=5.0,
        doc="Share of fields bare in winter (before spring crops) sown with a cover crop "
            "(CIPAN). 30 % is an assumed present share.")
    cover_crop_efficacy_pct = param.Number(
        default=50.0, bounds=(0.0, 90.0), step=5.0,
        doc="Cut of nitrate leaching under a cover crop (INRA 2012: qualitative; assumed).")
    grassland_conversion_pct = param.Number(
        default=0.0, bounds=(0.0, 50.0), step=5.0,
        doc="Share of arable land converted to grassland.")
    irrigated_share_pct = param.Number(
        default=20.0, bounds=(0.0, 100.0), step=5.0,
        doc="Share of the maize area equipped for irrigation (assumed; RA 2020 would settle it).")
    irrigation_drip_pct = param.Number(
        default=100.0 * irr.DEFAULT_MIX["drip"], bounds=(0.0, 100.0), step=5.0,
        doc="Share of the irrigated area under drip irrigation (field application efficiency "
            "90 %, FAO Training Manual 4, Annex I, Table 8). The default mix (85 % sprinkler, "
            "10 % drip, 5 % surface) is an assumption (see irrigation.py).")
    irrigation_surface_pct = param.Number(
        default=100.0 * irr.DEFAULT_MIX["surface"], bounds=(0.0, 100.0), step=5.0,
        doc="Share of the irrigated area under surface (gravity, furrow) irrigation (efficiency "
            "60 %); the rest is sprinkler — hose reel or pivot (75 %).")
    irrigation_restriction_pct = param.Number(
        default=0.0, bounds=(0.0, 100.0), step=10.0,
        doc="Share of the irrigation need not supplied (drought restrictions).")
    soil_water_capacity_mm = param.Number(
        default=150.0, bounds=(50.0, 250.0), step=10.0,
        doc="Soil available water capacity (réserve utile) of the root zone.")
    summer_rain_change_pct = param.Number(
        default=0.0, bounds=(-40.0, 20.0), step=5.0,
        doc="Change of June-August rain (no regional projection here: explore it).")
    low_flow_l_s_km2 = param.Number(
        default=irr.DEFAULT_LOW_FLOW_L_S_KM2, bounds=(0.2, 10.0), step=0.1,
        doc="Specific summer low flow of the rivers (l/s/km2), the irrigation resource; "
            "1.5 = order of magnitude of the gauged QMNA-type flows (see irrigation.py).")
    transit_time_years = param.Number(
        default=nit.TRANSIT_TIME_YEARS, bounds=(0.0, 30.0), step=1.0,
        doc="Mean transit time of leached nitrate to the rivers (exponential transit-time "
            "distribution): 5 years, range 1-12 (Kaandorp et al. 2021; McDowell et al.).")
    runoff_soil_group = param.Selector(
        default="B", objects=["none", "A", "B", "C", "D"],
        doc="Hydrologic soil group of the SCS curve-number runoff (TR-55); 'none' for "
            "permeable soils without surface runoff. B is an assumption (no French CN table).")
    farmland_loss_ha = param.Number(
        default=0.0, bounds=(0.0, 100_000.0), step=100.0,
        doc="Farmland taken by urbanisation by the horizon (set by the ZAN link of a territory "
            "scenario): every crop loses the same share, the land becomes non-farm land.")

    def levers(self, warming: float | None = None) -> pl.Levers:
        return pl.Levers(
            warming=self.warming if warming is None else warming,
            fert_change=self.fertilisation_change_pct / 100.0,
            cover_share=self.cover_crop_pct / 100.0,
            cover_efficacy=self.cover_crop_efficacy_pct / 100.0,
            grassland_conversion=self.grassland_conversion_pct / 100.0,
            irrigated_share=self.irrigated_share_pct / 100.0,
            restriction=self.irrigation_restriction_pct / 100.0,
            taw=float(self.soil_water_capacity_mm),
            summer_rain_change_pct=float(self.summer_rain_change_pct),
            farmland_loss_ha=float(self.farmland_loss_ha),
            soil_group=str(self.runoff_soil_group),
            application_efficiency=irr.mix_efficiency(self.technique_mix()))

    def technique_mix(self) -> dict[str, float]:
        """Shares (fractions) of the irrigated area per technique: drip and surface as set,
        sprinkler the rest (``agri_bad_technique_mix`` when drip + surface exceed 100 %)."""
        drip, surface = self.irrigation_drip_pct / 100.0, self.irrigation_surface_pct / 100.0
        return {"surface": surface, "sprinkler": 1.0 - drip - surface, "drip": drip}


def warming_in(year: int, scenario: Scenario) -> float:
    """France warming in ``year``: TRACC (from 2030; linear from the observed +1.7 °C in 2023
    before), or linear from +1.7 °C in 2023 to the chosen level at the horizon."""
    if scenario.warming_source == "custom":
        f = np.clip((year - 2023) / max(scenario.horizon - 2023, 1), 0.0, 1.0)
        return float(pl.PRESENT_WARMING + f * (scenario.warming - pl.PRESENT_WARMING))
    if year < HORIZON_MIN:
        f = (year - 2023) / (HORIZON_MIN - 2023)
        return float(pl.PRESENT_WARMING + f * (tracc_warming(HORIZON_MIN) - pl.PRESENT_WARMING))
    return float(tracc_warming(min(year, 2100)))


def _normals(territory) -> pd.DataFrame:
    """The territory's ``climate_normals`` layer (Joly et al. 2010 commune normals) with the
    model's column names: ``code_insee``, ``tmean_c`` and ``precip_mm`` as in the layer, the
    other Joly et al. variables (TAM, PJH, PJE, PDH, PDE) renamed by
    :data:`~twin_core.models.agriculture.weather.JOLY_COLUMNS`."""
    df = territory.layer("climate_normals")
    df = df.rename(columns={k: v for k, v in JOLY_COLUMNS.items()
                            if k in df.columns and v not in df.columns})
    missing = [v for v in JOLY_COLUMNS.values() if v not in df.columns]
    if missing:
        joly = {v: k for k, v in JOLY_COLUMNS.items()}[missing[0]]
        raise TwinInputError("missing_column", "climate_normals", layer="climate_normals",
                             column=joly, dtype="float", units="-",
                             found=", ".join(map(str, df.columns[:12])))
    return df[list(JOLY_COLUMNS.values())]


def _catchments(territory, stations: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The ``catchments`` layer; if the territory has none, discs of
    :data:`FALLBACK_RADIUS_M` around the stations (approximation, not D8 catchments)."""
    if territory.has_layer("catchments"):
        return territory.layer("catchments")
    return gpd.GeoDataFrame({"code_station": stations["code_station"].astype(str)},
                            geometry=stations.geometry.buffer(FALLBACK_RADIUS_M),
                            crs=stations.crs)


def _prep_key(territory) -> tuple:
    """Cache key of :func:`prepared`: the territory folder and, for each layer read, its
    manifest entry and file state (size, mtime) — or, for a layer replaced in memory by
    ``Territory.set_layer``, the object's identity — so a rebuilt or replaced layer is never
    served from a stale preparation."""
    parts: list[tuple] = [(territory.id, str(Path(territory.root).resolve()))]
    for name in PREP_LAYERS:
        info = territory.layer_info(name)
        if not info:
            parts.append((name, None))
            continue
        path = Path(territory.root) / str(info.get("path", ""))
        if path.is_file():
            st = path.stat()
            state: tuple = ("file", st.st_size, st.st_mtime_ns)
        else:
            state = ("object", id(territory.layer(name)))
        parts.append((name, info.get("path"), info.get("source"), state))
    return tuple(parts)


def prepared(territory) -> pl.Prepared:
    """Scenario-independent preparation of a territory, cached per territory folder and
    layer state (:func:`_prep_key`)."""
    key = _prep_key(territory)
    if key not in _PREPARED:
        communes = territory.layer("communes")
        stations = territory.layer("stations")
        weights = commune_weights(_catchments(territory, stations), communes)
        _PREPARED[key] = pl.prepare(f"{territory.id}:{key[0][1]}", communes,
                                    territory.layer("crops"), stations,
                                    territory.layer("nitrates"), weights, _normals(territory))
        _PINNED[key] = [territory.layer(part[0]) for part in key[1:]
                        if len(part) > 3 and part[3][0] == "object"]
    return _PREPARED[key]


#: Evaluate each distinct set of levers once per run, and the default scenario's reference
#: and anchor once per preparation (same results; False: every evaluation redone, as before).
DEDUPLICATE = True
#: Year the scenario's practices start (first year of the trajectory).
PRACTICE_YEAR = 2025
#: Practice levers (the others describe the world: soil, climate, cover-crop efficacy).
PRACTICES = ("fert_change", "cover_share", "grassland_conversion", "irrigated_share",
             "restriction", "application_efficiency")


def present_practices(lv: pl.Levers) -> pl.Levers:
    """``lv`` with the practice levers of the default scenario (present practices)."""
    default = AgricultureScenario().levers(warming=lv.warming)
    return dataclasses.replace(lv, **{k: getattr(default, k) for k in PRACTICES})


def anchored_projection(model_no3: np.ndarray, model_anchor: np.ndarray,
                        observed: np.ndarray) -> np.ndarray:
    """Delta-change anchoring: where a station has observations, its projection is the observed
    mean (2016–2022, else 2000–2015) × the modelled ratio scenario / present practices at the
    observation period's warming; elsewhere the calibrated model value. Keeps the observed
    spatial pattern, which the synthetic crop map cannot reproduce, and applies the modelled
    response of each station to the levers."""
    ratio = np.where(model_anchor > 0, model_no3 / np.where(model_anchor > 0, model_anchor, 1),
                     np.nan)
    return np.where(np.isfinite(observed), observed * ratio, model_no3)


def nitrate_class(no3: np.ndarray) -> np.ndarray:
    return np.select([no3 > nit.LIMIT_NO3, no3 > nit.VIGILANCE_NO3], [">50", "25-50"], "<25")


class NitrateWaterModel(Model):
    spec = ModelSpec(
        id=MODEL_ID, use_case="agriculture", version="1.0",
        outputs=(OutputSpec("mean_no3_mg_l", "value", "mg/L"),
                 OutputSpec("stations_above_50", "value", "stations"),
                 OutputSpec("stations_above_25", "value", "stations"),
                 OutputSpec("irrigation_need_mm3", "value", "Mm³/an"),
                 OutputSpec("stations", "layer"), OutputSpec("catchments", "layer"),
                 OutputSpec("trajectory", "series", "mg/L, Mm³/an")),
        layers=("communes", "stations", "nitrates", "crops", "climate_normals"),
        sources=("Allen et al. 1998, FAO-56 (ET0 eq. 6, Kc Tables 11-12, bucket ch. 8)",
                 "Doorenbos & Kassam 1979, FAO-33 (Ky)",
                 "Steduto et al. 2009, AquaCrop; Foster et al. 2017, AquaCrop-OS (aquacrop 3.1.0)",
                 "COMIFER 2013 (N balance)",
                 "INRA 2012, Justes et al. (cover crops)", "Burns 1975 (leaching fraction)",
                 "Joly et al. 2010, Cybergeo (commune climate normals)",
                 "Naïades (OFB) river nitrate 2000-2022", "hydro-smash 1 km flow directions"),
        scenario_class=AgricultureScenario,
        map_layer="stations", map_column="no3_mg_l", map_units="mg NO3/L",
        series_y=("mean_no3_mg_l", "irrigation_need_mm3"), series_units="mg/L ; Mm³/an",
    )

    def _validate(self, territory, scenario) -> list[TwinInputError]:
        problems: list[TwinInputError] = []
        if scenario.irrigation_drip_pct + scenario.irrigation_surface_pct > 100.0 + 1e-9:
            try:
                irr.mix_efficiency(scenario.technique_mix())
            except TwinInputError as err:
                problems.append(err)
        if territory is None or not territory.has_layer("crops"):
            return problems
        crops = territory.layer("crops")
        from twin_core.models.agriculture.crops import CROP_NAMES

        unknown = sorted({str(c) for c in crops["crop"].unique()} - set(CROP_NAMES))
        if unknown:
            problems.append(TwinInputError("agri_unknown_crop", "crops", crop=unknown[0],
                                           known=", ".join(CROP_NAMES)))
        if territory.has_layer("nitrates"):
            no3 = territory.layer("nitrates")["no3_mg_l"]
            if not pd.api.types.is_numeric_dtype(no3):
                no3 = pd.to_numeric(no3, errors="coerce")
            if (no3 < 0).any():
                problems.append(TwinInputError("agri_negative_nitrate", "nitrates",
                                               station="?", value=float(no3.min())))
        return problems

    def _run(self, territory, scenario: AgricultureScenario):
        prep = prepared(territory)
        cal = pl.calibrate_prepared(prep)
        k, r = cal.k, cal.retention
        # one evaluation per distinct set of levers in a run (DEDUPLICATE); the default
        # scenario's (reference, anchor) kept with the preparation for the next runs
        memo: dict[pl.Levers, dict] = {}

        def run_at(lv: pl.Levers, keep: bool = False) -> dict:
            if not DEDUPLICATE:
                return pl.evaluate(prep, lv, k, r, cal.c_background)
            if lv not in memo:
                kept = ("evaluate", lv, k, r, cal.c_background)
                if keep and kept in prep.cache:
                    memo[lv] = prep.cache[kept]
                else:
                    memo[lv] = pl.evaluate(prep, lv, k, r, cal.c_background)
                    if keep:
                        prep.cache[kept] = memo[lv]
            return memo[lv]

        out = run_at(scenario.levers())
        present = run_at(scenario.levers(warming=pl.PRESENT_WARMING))
        reference = run_at(AgricultureScenario().levers(warming=pl.PRESENT_WARMING), keep=True)
        anchor = run_at(AgricultureScenario().levers(warming=pl.VAL_WARMING), keep=True)["no3"]
        st = prep.stations.copy()
        observed = st["code_station"].map(prep.obs_val.to_dict()).astype(float)
        observed = observed.fillna(st["code_station"].map(prep.obs_cal.to_dict()).astype(float))

        def anchored(model_no3: np.ndarray) -> np.ndarray:
            return anchored_projection(model_no3, anchor, observed.to_numpy())

        no3 = anchored(out["no3"])
        ok = np.isfinite(no3)
        st["no3_mg_l"] = no3
        st["no3_model_mg_l"] = out["no3"]
        st["no3_present_mg_l"] = anchored(reference["no3"])
        st["no3_observed"] = observed
        st["nitrate_class"] = nitrate_class(no3)
        above50 = ok & (no3 > nit.LIMIT_NO3)
        above25 = ok & (no3 > nit.VIGILANCE_NO3)
        wb_col = "water_body" if "water_body" in st else "code_station"
        bodies = st.loc[ok].groupby(wb_col)["no3_mg_l"].max()
        need0 = present["irrigation_need_mm3"]
        q = float(scenario.low_flow_l_s_km2)
        # the river gives the withdrawals: net supplied / application efficiency
        peak = irr.peak_share_pct(out["station_withdrawal_month_m3"], out["station_area_km2"], q)
        st["irrigation_peak_pct"] = peak
        st["irrigation_summer_m3"] = out["station_irrigation_month_m3"][:, 5:9].sum(axis=1)
        st["withdrawal_summer_m3"] = out["station_withdrawal_month_m3"][:, 5:9].sum(axis=1)
        st["area_km2_in_territory"] = out["station_area_km2"]
        resource = irr.low_flow_volume_m3(q, np.array(out["territory_area_km2"]))
        lv = scenario.levers()
        monthly = pd.DataFrame({"month": np.arange(1, 13), "need_m3": out["need_month_m3"],
                                "irrigation_m3": out["irrigation_month_m3"],
                                "withdrawal_m3": out["withdrawal_month_m3"],
                                "resource_m3": resource})
        catchment_month = irr.irrigation_table(list(st["code_station"]),
                                               out["station_irrigation_month_m3"],
                                               out["station_area_km2"], q,
                                               lv.application_efficiency)
        # the dose lever alone: the same levers at the balance dose (its water benefit and its
        # yield cost, nitrogen.residual_mineral_n and n_yield_factor)
        at_balance = out if lv.fert_change == 0 else run_at(dataclasses.replace(
            lv, fert_change=0.0))
        yield_pct, yields = pl.yield_change(prep, out, reference, lv,
                                            AgricultureScenario().levers(
                                                warming=pl.PRESENT_WARMING))
        yc = pl.aquacrop_cache(prep)
        values = {
            "mean_no3_mg_l": float(np.nanmean(no3)),
            "mean_no3_change_mg_l": float(np.nanmean(no3) - np.nanmean(st["no3_present_mg_l"])),
            "stations_above_50": float(above50.sum()),
            "stations_above_25": float(above25.sum()),
            "water_bodies_above_50": float((bodies > nit.LIMIT_NO3).sum()),
            "water_bodies_above_25": float((bodies > nit.VIGILANCE_NO3).sum()),
            "irrigation_resource_pct": float(100.0 * (monthly["withdrawal_m3"]
                                                      / monthly["resource_m3"]).max()),
            "catchments_over_resource": float((peak > 100.0).sum()),
            "stations_without_farmland": float(len(prep.no_farmland)),
            "stations_modelled": float(ok.sum()),
            "leached_n_t": out["leached_n_t"],
            "leached_n_kg_ha": out["leached_n_kg_ha"],
            "n_dose_leached_change_pct": float((out["leached_n_t"] / at_balance["leached_n_t"]
                                                - 1.0) * 100.0)
            if at_balance["leached_n_t"] > 0 else 0.0,
            "n_dose_yield_change_pct": out["n_yield_change_pct"],
            "irrigation_need_mm3": out["irrigation_need_mm3"],
            "irrigation_supplied_mm3": out["irrigation_supplied_mm3"],
            "irrigation_withdrawal_mm3": out["irrigation_withdrawal_mm3"],
            "application_efficiency_pct": 100.0 * lv.application_efficiency,
            "irrigation_need_change_pct": float((out["irrigation_need_mm3"] / need0 - 1) * 100)
            if need0 > 0 else np.nan,
            "drainage_mm": out["drainage_mm"],
            "summer_drainage_mm": out["summer_drainage_mm"],
            "yield_change_pct": yield_pct,
            "yield_change_wheat_pct": yc.change_pct("winter_wheat", lv.taw, lv.warming,
                                                    lv.summer_rain_change_pct),
            "yield_change_maize_pct": yc.change_pct("maize_grain", lv.taw, lv.warming,
                                                    lv.summer_rain_change_pct),
            "r2_cal": cal.metrics["r2_cal"], "r2_val": cal.metrics["r2_val"],
            "bias_cal": cal.metrics["bias_cal"], "bias_val": cal.metrics["bias_val"],
            "weather_synthetic": 1.0,
        }
        # trajectory: practices change in PRACTICE_YEAR; the stations see the change through
        # the catchments' transit time (nitrogen.transit_response), the climate at once
        years = list(range(PRACTICE_YEAR, scenario.horizon + 1, 5))
        if years[-1] != scenario.horizon:
            years.append(scenario.horizon)
        tau = float(scenario.transit_time_years)
        rows = []
        for y in years:
            lv_y = scenario.levers(warming=warming_in(y, scenario))
            o = run_at(lv_y)
            base_lv = present_practices(lv_y)
            b = o if base_lv == lv_y else run_at(base_lv)
            f = float(nit.transit_response(y - PRACTICE_YEAR, tau))
            lagged = b["no3"] + f * (o["no3"] - b["no3"])
            rows.append({"year": y, "warming": warming_in(y, scenario),
                         "mean_no3_mg_l": float(np.nanmean(anchored(lagged))),
                         "mean_no3_steady_mg_l": float(np.nanmean(anchored(o["no3"]))),
                         "transit_response": f,
                         "irrigation_need_mm3": o["irrigation_need_mm3"]})
        series = pd.DataFrame(rows)
        catch = None
        try:
            catch = _catchments(territory, prep.stations)
            catch = catch.merge(st[["code_station", "no3_mg_l", "nitrate_class",
                                    "irrigation_peak_pct"]],
                                on="code_station", how="inner")
        except TwinInputError:
            catch = None
        layers = {"stations": st, "irrigation_monthly": monthly, "yields": yields,
                  "irrigation_catchment_month": catchment_month}
        if catch is not None:
            layers["catchments"] = catch
        m = cal.metrics
        # the stricter of the held-out scores: whole river systems held out (nested catchments
        # together), fitted on 2000-2015 means, scored on 2016-2022 means
        skill = Skill("nitrate", "r2", m["r2_lco"],
                      f"leave-catchments-out: {int(m['groups_lco'])} groups of nested "
                      "catchments in 5 folds, fitted on 2000-2015 means, scored on 2016-2022 "
                      f"means (bias {m['bias_lco']:+.1f} mg/L)", int(m["n_lco"]))
        # the daily weather is generated (weather.py): a synthetic input of every indicator
        return self.new_result(scenario, values={**values, "r2_cv": m["r2_cv"],
                                                 "bias_cv": m["bias_cv"],
                                                 "r2_lco": m["r2_lco"],
                                                 "bias_lco": m["bias_lco"]},
                               layers=layers, series=series, fits={"nitrate": skill},
                               synthetic_inputs=("weather_synthetic",))


#: Ranking direction (workshop reports): False = lower is better; others are not ranked.
_BETTER = {**dict.fromkeys(
    ("stations_above_50", "stations_above_25", "mean_no3_change_mg_l", "leached_n_t",
     "irrigation_resource_pct", "water_bodies_above_50", "water_bodies_above_25",
     "irrigation_withdrawal_mm3",
     "catchments_over_resource", "mean_no3_mg_l"), False),
    **dict.fromkeys(("yield_change_pct", "yield_change_wheat_pct", "yield_change_maize_pct",
                     "n_dose_yield_change_pct"), True),
    "n_dose_leached_change_pct": False}
# -- evidence of each indicator (twin_core.evidence) -------------------------------------------
_NITRATE = Evidence(
    "calibrated", "Naïades station means, anchored delta-change of the N balance → leaching → "
    "catchment mixing chain (k and in-stream retention fitted)", fit="nitrate")
_BALANCE = ("cover_crop_efficacy_pct", "soil_water_capacity_mm",
            "autumn mineral N and crop parameters (crops.py)")
_IRRIGATION = Evidence(
    "assumption", "FAO-56 single-Kc bucket on FAO-56 Penman-Monteith ET0 (checked against the "
    "FAO-56 worked examples)", checks=("agriculture.fao56",),
    assumptions=("soil_water_capacity_mm", "summer_rain_change_pct",
                 "crop coefficients Kc (crops.py)"))
_EVIDENCE = {
    **dict.fromkeys(("stations_above_50", "stations_above_25", "mean_no3_change_mg_l",
                     "water_bodies_above_50", "water_bodies_above_25", "mean_no3_mg_l"),
                    _NITRATE),
    "leached_n_t": Evidence("assumption", "COMIFER-style N balance and Burns leaching under "
                            "the FAO-56 bucket drainage", checks=("agriculture.fao56",),
                            assumptions=_BALANCE),
    **dict.fromkeys(("irrigation_supplied_mm3", "irrigation_need_mm3",
                     "irrigation_need_change_pct"), _IRRIGATION),
    **dict.fromkeys(("irrigation_resource_pct", "catchments_over_resource"), Evidence(
        "assumption", "irrigation withdrawals (net need / FAO field application efficiency of "
        "the technique mix) per catchment and month against a specific low flow × catchment "
        "area", checks=("agriculture.fao56", "agriculture.irrigation_efficiency"),
        assumptions=("low_flow_l_s_km2", "soil_water_capacity_mm", "irrigation_drip_pct",
                     "irrigation_surface_pct"))),
    "irrigation_withdrawal_mm3": Evidence(
        "assumption", "net irrigation supplied (FAO-56 bucket) / field application efficiency "
        "of the technique mix (Brouwer, Prins & Heibloem 1989, FAO Training Manual 4, Annex I "
        "Table 8: surface 60 %, sprinkler 75 %, drip 90 %)",
        checks=("agriculture.fao56", "agriculture.irrigation_efficiency"),
        assumptions=("irrigation_drip_pct", "irrigation_surface_pct", "soil_water_capacity_mm",
                     "summer_rain_change_pct")),
    "application_efficiency_pct": Evidence(
        "assumption", "field application efficiency of the technique mix, 1 / Σ (share / "
        "efficiency) (FAO Training Manual 4, Annex I Table 8)",
        checks=("agriculture.irrigation_efficiency",),
        assumptions=("irrigation_drip_pct", "irrigation_surface_pct")),
    **dict.fromkeys(("summer_drainage_mm", "drainage_mm"), Evidence(
        "assumption", "FAO-56 soil bucket, SCS curve-number runoff counted once (TR-55)",
        checks=("agriculture.fao56",),
        assumptions=("soil_water_capacity_mm", "summer_rain_change_pct",
                     "runoff_soil_group"))),
    **dict.fromkeys(("yield_change_pct", "yield_change_wheat_pct", "yield_change_maize_pct"),
                    Evidence("assumption", "FAO AquaCrop (AquaCrop-OSPy) for wheat and maize, "
                             "FAO-33 Ky otherwise; no CO2 fertilisation",
                             checks=("agriculture.aquacrop",),
                             assumptions=("soil_water_capacity_mm", "summer_rain_change_pct",
                                          "no CO2 fertilisation"))),
    **dict.fromkeys(("n_dose_leached_change_pct", "n_dose_yield_change_pct"), Evidence(
        "assumption", "dose lever alone vs the COMIFER balance dose: residual mineral N flat "
        "below the economic optimum and rising above it (Chaney 1990), quadratic-plateau yield "
        "response with the economic optimum 20 kg N/ha below the technical one (Arvalis)",
        checks=("agriculture.fao56",),
        assumptions=("economic optimum gap 20 kg N/ha and residual slope 0.5 (nitrogen.py)",
                     "cover_crop_efficacy_pct", "soil_water_capacity_mm"))),
    "stations_without_farmland": Evidence(
        "observed", "Naïades stations whose D8 catchment holds no farmland in the crop map",
        layers=("stations", "crops")),
}
# the first eight are the dashboard cards, in the order
#: The page's headline cards (twin_core.headline), for a water agency or a farm adviser: how
#: many monitoring stations exceed the drinking-water limit (50 mg/L) and the 25 mg/L guide
#: value, the change of mean nitrate, and the summer irrigation set against the low flow it
#: draws on (peak month, and the catchments where it is more than the river gives).
HEADLINE = tuple(f"agriculture.{k}" for k in (
    "stations_above_50", "stations_above_25", "mean_no3_change_mg_l",
    "irrigation_resource_pct", "catchments_over_resource"))
for _id, _units in [("stations_above_50", "stations"), ("stations_above_25", "stations"),
                    ("mean_no3_change_mg_l", "mg/L"), ("leached_n_t", "t N/an"),
                    ("irrigation_resource_pct", "%"), ("yield_change_pct", "%"),
                    ("water_bodies_above_50", "masses d'eau"),
                    ("water_bodies_above_25", "masses d'eau"),
                    ("irrigation_supplied_mm3", "Mm³/an"), ("irrigation_need_mm3", "Mm³/an"),
                    ("irrigation_withdrawal_mm3", "Mm³/an"),
                    ("application_efficiency_pct", "%"),
                    ("catchments_over_resource", "bassins"), ("mean_no3_mg_l", "mg/L"),
                    ("irrigation_need_change_pct", "%"), ("summer_drainage_mm", "mm/an"),
                    ("drainage_mm", "mm/an"), ("stations_without_farmland", "stations"),
                    ("yield_change_wheat_pct", "%"), ("yield_change_maize_pct", "%"),
                    ("n_dose_leached_change_pct", "%"), ("n_dose_yield_change_pct", "%")]:
    value_indicator(f"agriculture.{_id}", MODEL_ID, _units, key=_id,
                    higher_is_better=_BETTER.get(_id), evidence=_EVIDENCE[_id])
