"""Registered forest model: species suitability of each stand and fire danger under warming.

Equations and sources in :mod:`~twin_core.models.forest.fire_weather` (Van Wagner 1987; Van
Wagner & Pickett 1985), :mod:`~twin_core.models.forest.weather` (delta-change warming of the
real Nice 2024 SYNOP weather, Magnus / Alduchov & Eskridge 1996) and
:mod:`~twin_core.models.forest.suitability` (envelopes, their sources and confidence).

Warming path: France warming vs 1850-1900 from the present (2023, +1.7 °C, TRACC) to the
horizon (TRACC anchors, or linear to a custom level). The precipitation change applies in full
at the horizon and in proportion to the extra warming in the intermediate years of the series.
Fire danger: the IFM of 2024 at Nice airport (the only complete real year of noon weather of
the territory), shifted by ΔT = warming(year) − 1.7 °C; threshold IFM ≥ 20 by default (ORCAE
Auvergne-Rhône-Alpes, medium confidence). A single station stands for the whole massif: the
FWI is a regional indicator here, not a map.
Stand climate: commune normals (Joly et al. 2010) moved to the stand's mean elevation with the
annual lapse rate (suitability.LAPSE_C_PER_M, Rolland 2003; −5.5 to −6 °C/km in the French
Alps, AIC 2012) relative to the commune's mean elevation, from the territory's DEM (SRTM, 90 m).
Where a stand has no terrain (north of the SRTM tile), existing stands are capped at a present
thermal margin (``assumed_margin_c``, see suitability.stand_temperature) and ``anchored_pct``
reports the area so capped. The same stand temperature is used for the candidate species.
Species covered by EU-Trees4F (fir, spruce, beech: :mod:`.eutrees`, Mauri et al. 2022) take
their status from its published probabilities at the layer matching the warming level, with
their own spread; the others keep the envelopes (``assumption``). Fire danger is given under
both humidity rules (weather.HUMIDITY_RULES): constant dew point (dry bound) and constant
relative humidity (humid bound).
Dieback: :mod:`~twin_core.models.forest.dieback` (logistic fit on the IFN plots; its
cross-validated skill is ``result.fits["dieback"]``: without skill the probabilities are not
computed, mapped nor ranked).
Fire spread: :mod:`~twin_core.models.forest.fire_spread` (Rothermel 1972 with the Scott &
Burgan 2005 fuel models mapped from the species groups, minimum travel time on a 50 m grid of
the stands, slope and aspect from the territory's DEM — flat where it has none —, uniform wind
and fuel moisture): a fire lit at the ignition point
under the chosen wind, fuel moisture scenario and duration. It does not depend on the horizon
(fuel moisture is a scenario choice: a summer danger day is "D1L1").
Land taken by urbanisation (``forest_loss_ha``) and the plan's effect on the area exposed to
flames over 1.2 m and on the stem-wood carbon: :mod:`~twin_core.models.forest.effects`.
Speed (issue 17, no result changed): besides the per-territory preparation, runs keep for the
next scenarios what a parameter change often leaves the same — the fire per fuel grid and fire
parameters (:func:`run_fire`), the solved plan per whole problem (plan.plan_cut_replant), the
EU-Trees4F status of the stands per (group, layer), the spread rates, crown tests and flame
lengths per fire day; :func:`forget_scenarios` drops them (benchmarks of a new scenario).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from functools import lru_cache
from typing import ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import param

from twin_core.drawn import Geometry, to_shape
from twin_core.errors import TwinInputError
from twin_core.evidence import Evidence
from twin_core.indicators import value_indicator
from twin_core.models.base import Model, ModelSpec, OutputSpec
from twin_core.models.forest import crown
from twin_core.models.forest import dieback as db
from twin_core.models.forest import effects as fx
from twin_core.models.forest import eutrees as et
from twin_core.models.forest import fire_spread as fs
from twin_core.models.forest import fire_weather as fw
from twin_core.models.forest import plan as pl
from twin_core.models.forest import suitability as su
from twin_core.models.forest import weather as wx
from twin_core.scenario import Scenario, series_years

MODEL_ID = "forest.climate_risk"
#: Latitude of Nice airport (WMO 07690), ° N.
NICE_LAT = 43.648
WEATHER_YEAR = 2024
SERIES_START, SERIES_STEP = 2025, 5
#: First year of the cut-and-replant plan.
PLAN_START = 2025
FIRE_CELL_M = 50.0
#: Default ignition: inside the largest holm-oak stand of the sample (lower Var valley).
DEFAULT_IGNITION = (1037300.0, 6317800.0)
#: Ignition easting and northing bounds: metropolitan France in Lambert-93 (any territory; the
#: point is checked against the territory's burnable cells, "forest_ignition_outside").
IGNITION_BOUNDS = ((50_000.0, 1_250_000.0), (6_000_000.0, 7_150_000.0))
#: Lambert-93 extent a zone drawn on the forest map must stay in (the sample + 5 km).
FOREST_EXTENT = (1_012_000.0, 6_299_000.0, 1_061_000.0, 6_340_000.0)


class ForestScenario(Scenario):
    units = {**Scenario.units, "precip_change_pct": "%", "fwi_threshold": "IFM",
             "risk_margin_c": "°C", "risk_margin_precip_pct": "%", "assumed_margin_c": "°C",
             "ignition_x": "m (Lambert-93)", "ignition_y": "m (Lambert-93)", "wind_kmh": "km/h",
             "wind_from_deg": "°", "fire_duration_h": "h", "wind_adjustment": "-",
             "budget_keur": "k€", "annual_cap_ha": "ha/an", "plan_years": "ans",
             "w_suitability": "-", "w_fire": "-", "w_carbon": "-",
             "standing_volume_m3_ha": "m³/ha", "forest_loss_ha": "ha",
             "regrowth_years": "ans"}
    #: B: the TRACC +4 °C of 2100 with 10 % less rain, on a windier fire day
    example_b: ClassVar[dict] = {"horizon": 2100, "precip_change_pct": -10.0, "wind_kmh": 50.0}
    #: Model parameters, not scenario levers (folded under "Paramètres avancés"): the risk
    #: margins, the plan's objective weights and fuel assumptions, the ignition point (set by a
    #: click on the map) and the land taken by the ZAN link of a territory scenario.
    advanced: ClassVar[tuple] = (
        "risk_margin_c", "risk_margin_precip_pct", "assumed_margin_c", "ignition_x",
        "ignition_y", "regrowth_years", "w_suitability", "w_fire", "w_carbon",
        "standing_volume_m3_ha", "wind_adjustment", "forest_loss_ha")

    precip_change_pct = param.Number(
        default=0.0, bounds=(-50.0, 30.0), step=5.0,
        doc="Change of annual (and daily) precipitation at the horizon vs today.")
    fwi_threshold = param.Number(
        default=fw.FWI_DANGER_THRESHOLD, bounds=(5.0, 60.0), step=1.0,
        doc="Fire-danger threshold on the daily FWI (IFM); 20 = real risk of fire starts (ORCAE).")
    candidate_species = param.Selector(
        default="atlas_cedar", objects=list(su.CANDIDATE_SPECIES),
        doc="Candidate replanting species: where would it suit the climate at the horizon?")
    risk_margin_c = param.Number(
        default=1.0, bounds=(0.0, 3.0), step=0.25,
        doc="A stand is 'at risk' within this margin of its species' temperature limit.")
    risk_margin_precip_pct = param.Number(
        default=10.0, bounds=(0.0, 50.0), step=5.0,
        doc="A stand is 'at risk' when rain is less than this much above its species' minimum.")
    assumed_margin_c = param.Number(
        default=1.5, bounds=(0.0, 4.0), step=0.25,
        doc="Thermal margin every existing stand is assumed to have today (commune normals are "
            "warmer than mountain stands).")
    ignition_x = param.Number(
        default=DEFAULT_IGNITION[0], bounds=IGNITION_BOUNDS[0], step=100.0,
        doc="Ignition point, easting (Lambert-93); must fall in a forest stand.")
    ignition_y = param.Number(
        default=DEFAULT_IGNITION[1], bounds=IGNITION_BOUNDS[1], step=100.0,
        doc="Ignition point, northing (Lambert-93); must fall in a forest stand.")
    wind_kmh = param.Number(
        default=30.0, bounds=(0.0, 80.0), step=5.0,
        doc="10 m open wind speed during the fire.")
    wind_from_deg = param.Number(
        default=315.0, bounds=(0.0, 345.0), step=15.0,
        doc="Direction the wind comes from (compass degrees; 315 = north-west).")
    fire_duration_h = param.Number(
        default=6.0, bounds=(1.0, 24.0), step=1.0, doc="Duration of free fire spread.")
    fuel_moisture = param.Selector(
        default="D1L1", objects=list(fs.MOISTURE_SCENARIOS),
        doc="Scott & Burgan (2005) fuel moisture scenario (D1L1 very dry ... D4L4 moist).")
    budget_keur = param.Number(
        default=500.0, bounds=(0.0, 5000.0), step=50.0,
        doc="Budget of the cut-and-replant plan (replanting at 4,500 €/ha).")
    annual_cap_ha = param.Number(
        default=20.0, bounds=(0.0, 500.0), step=10.0,
        doc="Largest area cut and replanted per year.")
    plan_years = param.Integer(default=10, bounds=(1, 30), doc="Duration of the plan (years).")
    regrowth_years = param.Number(
        default=10.0, bounds=(0.0, 40.0), step=1.0,
        doc="Years a cut stand carries grass-shrub fuel (GS2) after the slash stage and before "
            "the replanted species' fuel (no published duration: an assumption).")
    w_suitability = param.Number(
        default=1.0, bounds=(0.0, 1.0), step=0.1,
        doc="Weight of the suitability gain at the horizon in the plan's objective.")
    w_fire = param.Number(
        default=0.5, bounds=(0.0, 1.0), step=0.1,
        doc="Weight of the fire-spread reduction in the plan's objective.")
    w_carbon = param.Number(
        default=0.2, bounds=(0.0, 1.0), step=0.1,
        doc="Weight of the carbon released by the harvest (a penalty) in the objective.")
    standing_volume_m3_ha = param.Number(
        default=150.0, bounds=(50.0, 400.0), step=10.0,
        doc="Standing stem volume of a stand (no per-stand inventory in the sample).")
    excluded_zone = Geometry(
        kind="polygon", extent=FOREST_EXTENT,
        doc="Zone drawn on the map (Lambert-93): the stands it touches are kept out of the "
            "cut-and-replant plan (e.g. a protected area).")
    wind_adjustment = param.Number(
        default=0.3, bounds=(0.1, 0.6), step=0.05,
        doc="Midflame / 20 ft wind ratio (Andrews 2012: 0.3 partially sheltered, 0.1-0.2 "
            "under a closed canopy, 0.4-0.5 unsheltered).")
    forest_loss_ha = param.Number(
        default=0.0, bounds=(0.0, 50_000.0), step=10.0,
        doc="Forest land taken by urbanisation by the horizon (set by the ZAN link of a "
            "territory scenario): every stand loses the same share of its area.")


_PREP: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _zonal_mean(dem, geoms: gpd.GeoSeries) -> np.ndarray:
    """Mean DEM value inside each polygon (NaN where no cell has a value)."""
    from rasterio.features import rasterize

    values = np.asarray(dem.values, dtype=float)
    ids = rasterize(((g, i + 1) for i, g in enumerate(geoms.to_crs(dem.rio.crs))),
                    out_shape=values.shape, transform=dem.rio.transform(), fill=0,
                    dtype="int32", all_touched=True)
    ok = (ids > 0) & np.isfinite(values)
    n = len(geoms) + 1
    sums = np.bincount(ids[ok], weights=values[ok], minlength=n)[1:]
    counts = np.bincount(ids[ok], minlength=n)[1:]
    return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def _prepare(territory) -> tuple[gpd.GeoDataFrame, pd.DataFrame, db.LogisticFit | None]:
    """Stands joined to their commune normals and group (with their elevation offset to the
    commune's mean elevation and their lon/lat), the Nice weather and the dieback fit (the
    national one stored with the territory, else a fit on its IFN plots; None without plots),
    cached per territory object."""
    cached = _PREP.get(territory)
    if cached is not None:
        return cached
    stands = territory.layer("stands")
    normals = territory.layer("climate_normals")[["code_insee", "tmean_c", "precip_mm"]]
    st = stands[["stand_id", "essence", "code_insee", "area_ha", "geometry"]].merge(
        normals.astype({"code_insee": str}), on="code_insee", how="left")
    st["group"] = su.essence_group(st["essence"])
    st["fuel_model"] = fs.fuel_model_of_groups(st["group"])
    st = gpd.GeoDataFrame(st, geometry="geometry", crs=stands.crs)
    st["elevation_offset_m"] = np.nan
    if territory.has_layer("dem"):
        dem = territory.layer("dem")
        communes = territory.layer("communes")
        z_commune = pd.Series(_zonal_mean(dem, communes.geometry),
                              index=communes["code_insee"].astype(str).to_numpy())
        st["elevation_m"] = _zonal_mean(dem, st.geometry)
        st["elevation_offset_m"] = st["elevation_m"] - st["code_insee"].map(z_commune)
    centre = st.geometry.representative_point().to_crs(4326)
    st["lon"], st["lat"] = centre.x.to_numpy(), centre.y.to_numpy()
    weather = _baseline_weather(territory)
    fit = None
    national = territory.manifest.get("fits", {}).get("dieback_national")
    if national:
        from twin_core.models.forest import dieback_national as dn

        fit = dn.as_fit(dn.load(territory.root / national))
    elif territory.has_layer("ifn_plots") and territory.has_layer("communes"):
        fit = db.fit_dieback(territory.layer("ifn_plots"), territory.layer("communes"),
                             territory.layer("climate_normals"))
    _PREP[territory] = (st, weather, fit)
    return st, weather, fit


def _baseline_weather(territory) -> pd.DataFrame:
    """The present-day daily noon weather of the fire-danger indicators: a Météo-France daily
    station file given as the territory's ``weather_station`` layer (every complete year of
    it), else the real Nice airport SYNOP of 2024. ``attrs``: station, lat, years, label."""
    if territory.has_layer("weather_station"):
        w = wx.full_years(wx.fwi_input_from_meteofrance(territory.layer("weather_station")))
        station = w.attrs.get("station", "?")
        years = w.attrs["years"]
        w.attrs["label"] = (f"Météo-France station {station}, {years[0]}-{years[-1]} "
                            f"({len(years)} years)")
    else:
        w = wx.weather_from_synop(territory.layer("weather_nice_synop"), WEATHER_YEAR)
        w.attrs.update(station="07690", lat=NICE_LAT, years=[WEATHER_YEAR],
                       label=f"Nice airport SYNOP 07690 (Météo-France), {WEATHER_YEAR}")
    w.attrs.setdefault("lat", NICE_LAT)
    return w


def _terrain_note(stands: gpd.GeoDataFrame, area: np.ndarray) -> str:
    """Where the territory has terrain (a DEM under the stands), said on the cards."""
    if "elevation_offset_m" not in stands or area.sum() <= 0:
        return "no DEM: flat terrain, temperature capped at the assumed margin"
    share = float(area[stands["elevation_offset_m"].notna().to_numpy()].sum() / area.sum())
    return (f"DEM (SRTM 90 m) under {share:.0%} of the stand area; elsewhere flat terrain and "
            "the assumed thermal margin")


_CELLS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _species_table(territory) -> et.Cells | None:
    """The territory's EU-Trees4F cells with their search trees, kept per territory object."""
    if not territory.has_layer("eu_trees4f"):
        return None
    if territory not in _CELLS:
        _CELLS[territory] = et.Cells(territory.layer("eu_trees4f"))
    return _CELLS[territory]


_GRIDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_ESSENCES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _unknown_essences(territory) -> list[str]:
    """The stands' BD Forêt ESSENCE values with no species group, once per territory object."""
    if territory not in _ESSENCES:
        essences = set(territory.layer("stands")["essence"].astype(str).str.strip())
        _ESSENCES[territory] = sorted(essences - set(su.ESSENCE_TO_GROUP) - {"NR", ""})
    return list(_ESSENCES[territory])


def _fuel_grid(territory) -> fs.FuelGrid:
    grid = _GRIDS.get(territory)
    if grid is None:
        st = _prepare(territory)[0]
        grid = fs.fuel_grid(st, st["fuel_model"], FIRE_CELL_M)
        if territory.has_layer("dem"):  # slope and aspect to the spread (flat without a DEM)
            grid = fs.with_terrain(grid, territory.layer("dem"))
        _GRIDS[territory] = grid
    return grid


#: The last fires simulated on each fuel grid (:func:`run_fire`), keyed on the fire parameters:
#: a scenario that changes only the horizon, the warming or the plan reuses its fire. Kept per
#: grid object (dropped with it); a FuelGrid is not changed once built.
_FIRES: dict[int, OrderedDict] = {}
_FIRES_KEPT = 8
_FIRES_LOCK = threading.Lock()


def _fires_of(grid: fs.FuelGrid) -> OrderedDict:
    fires = _FIRES.get(id(grid))
    if fires is None:
        fires = _FIRES[id(grid)] = OrderedDict()
        weakref.finalize(grid, _FIRES.pop, id(grid), None)
    return fires


def forget_scenarios(fires: bool = True) -> None:
    """Drop what runs keep for the next scenarios (solved plans, EU-Trees4F statuses and, with
    ``fires``, the fires and the fire-day spread rates, crown tests and flame lengths), keeping
    the per-territory preparation: the next run computes a new scenario in full (benchmarks)."""
    pl.forget_solved()
    for cells in list(_CELLS.values()):
        cells.forget_statuses()
    if fires:
        with _FIRES_LOCK:
            for kept in _FIRES.values():
                kept.clear()
        _ros_of.cache_clear()
        _crown_possible.cache_clear()
        fx.forget_flames()


def run_fire(stands: gpd.GeoDataFrame, grid: fs.FuelGrid, s: ForestScenario) -> dict:
    """The fire of the scenario: values, the arrival-time polygons and per-stand arrival.
    The fire (it depends on the grid, the ignition point, the fuel moisture, the wind and the
    duration only) is kept for the next scenarios (:data:`_FIRES`)."""
    key = (grid.fuel.shape, grid.x0, grid.y0, grid.cell_m, len(stands), float(s.ignition_x),
           float(s.ignition_y), s.fuel_moisture, float(s.wind_kmh), float(s.wind_adjustment),
           float(s.wind_from_deg), float(s.fire_duration_h))
    with _FIRES_LOCK:
        fires = _fires_of(grid)
        hit = fires.get(key)
        if hit is not None:
            fires.move_to_end(key)
    if hit is None:
        fire = fs.simulate_fire(grid, s.ignition_x, s.ignition_y, fs.MOISTURE_SCENARIOS[
            s.fuel_moisture], fs.wind_to_midflame(s.wind_kmh, s.wind_adjustment),
            s.wind_from_deg, s.fire_duration_h * 60.0)
        arrival = fire["arrival_min"]
        inside = grid.stand >= 0
        first = np.full(len(stands), np.inf)
        np.minimum.at(first, grid.stand[inside], arrival[inside])
        hit = (float(fire["burnt_ha"]), float(fire["ros_ignition_m_min"]), first,
               fs.arrival_polygons(grid, arrival))
        with _FIRES_LOCK:
            fires = _fires_of(grid)
            fires[key] = hit
            while len(fires) > _FIRES_KEPT:
                fires.popitem(last=False)
    burnt_ha, ros, first, polygons = hit
    burnt_stand = np.isfinite(first)
    return {"values": {"burnt_area_ha": burnt_ha,
                       "fire_ros_m_min": ros,
                       "burnt_stands_n": float(burnt_stand.sum()),
                       "burnt_stands_ha": float(stands["area_ha"].to_numpy(float)[
                           burnt_stand].sum())},
            "polygons": polygons.copy(),
            "stand_arrival_h": np.where(burnt_stand, first / 60.0, np.nan)}


def _scores(status: np.ndarray, unknown: float) -> np.ndarray:
    """:data:`plan.STATUS_SCORE` of each status (``unknown`` for any other value)."""
    st = np.asarray(status, dtype=object)
    return np.select([st == k for k in pl.STATUS_SCORE], list(pl.STATUS_SCORE.values()),
                     unknown).astype(float)


@lru_cache(maxsize=32)
def _ros_of(moisture: str, midflame_wind: float) -> dict[str, float]:
    """Head-fire spread rate (flat ground) of every stand and post-cut fuel on a fire day."""
    fuels = sorted(set(fs.GROUP_FUEL_MODEL.values()) | {pl.SLASH_FUEL, pl.REGROWTH_FUEL})
    return dict(zip(fuels, np.atleast_1d(fs.rothermel_max_spread(
        np.array(fuels, dtype=object), *fs.MOISTURE_SCENARIOS[moisture], midflame_wind, 0.0)),
        strict=True))


@lru_cache(maxsize=32)
def _crown_possible(groups: tuple[str, ...], moisture: str, midflame_wind: float
                    ) -> dict[str, bool]:
    """Whether a surface fire reaches the crowns (crown.crown_fire_initiation) for each group."""
    out = crown.crown_fire_initiation(np.array(groups, dtype=object),
                                      fs.MOISTURE_SCENARIOS[moisture], midflame_wind)
    return dict(zip(groups, out["crown_possible"].to_numpy(bool).tolist(), strict=True))


def _crown_fire_ha(groups: np.ndarray, area: np.ndarray, s: ForestScenario) -> float:
    """crown.crown_fire_ha of the stands, the fire-day test run once per species group."""
    names = np.asarray(groups, dtype=object).astype(str)
    possible = _crown_possible(tuple(sorted(set(names))), s.fuel_moisture,
                               fs.wind_to_midflame(s.wind_kmh, s.wind_adjustment))
    return float(area[np.array([possible[g] for g in names], dtype=bool)].sum())


def run_plan(stands: gpd.GeoDataFrame, status: np.ndarray, status_at, s: ForestScenario
             ) -> dict:
    """The cut-and-replant plan of the scenario (see :mod:`plan`)."""
    n = len(stands)
    area = stands["area_ha"].to_numpy(float)
    groups = stands["group"].to_numpy(object)
    score_now = _scores(status, 0.5)
    ros_of = _ros_of(s.fuel_moisture, fs.wind_to_midflame(s.wind_kmh, s.wind_adjustment))
    ros_max = max(ros_of.values())
    ros_now = np.array([ros_of[f] for f in stands["fuel_model"]])
    carbon = pl.stand_carbon_tco2_per_ha(groups, s.standing_volume_m3_ha)
    carbon_max = float(carbon.max()) if n and carbon.max() > 0 else 1.0
    # the fuel a stand cut in the middle of the plan carries at the horizon (post-cut stages)
    age = s.horizon - (PLAN_START + s.plan_years / 2.0)
    gains = np.empty((n, len(su.CANDIDATE_SPECIES)))
    for j, sp in enumerate(su.CANDIDATE_SPECIES):
        cand = np.full(n, sp, dtype=object)
        st_j = status_at(s.warming, s.precip_change_pct, group=cand, cold=True)[0]
        score_j = _scores(st_j, 0.0)
        fuel_j = str(pl.fuel_after_cut(fs.GROUP_FUEL_MODEL[sp], age, s.regrowth_years))
        ros_j = ros_of[fuel_j] if fuel_j else ros_now  # not cut yet at the horizon
        gains[:, j] = (s.w_suitability * (score_j - score_now)
                       + s.w_fire * (ros_now - ros_j) / ros_max
                       - s.w_carbon * carbon / carbon_max)
    best = gains.argmax(axis=1)
    gain = gains[np.arange(n), best]
    zone = to_shape(s.excluded_zone)
    excluded = None if zone is None else stands.intersects(zone).to_numpy()
    chosen = pl.plan_cut_replant(area, gain, pl.REPLANT_EUR_PER_HA, s.budget_keur * 1000.0,
                                 s.annual_cap_ha * s.plan_years, excluded=excluded)
    species = np.where(chosen, np.array(su.CANDIDATE_SPECIES, dtype=object)[best], "")
    cuts = pl.schedule(area, gain, chosen, s.annual_cap_ha, PLAN_START, s.plan_years)
    cut_year = np.full(n, np.inf)  # first year each stand is cut (NaN: never)
    np.minimum.at(cut_year, cuts["stand"].to_numpy(int), cuts["year"].to_numpy(float))
    cut_year[np.isinf(cut_year)] = np.nan
    a = area[chosen]
    volume = float((a * s.standing_volume_m3_ha).sum())
    return {"species": species, "schedule": cuts, "cut_year": cut_year,
            "values": {"plan_max_year_ha": float(cuts.groupby("year")["area_ha"].sum().max())
                       if len(cuts) else 0.0,
                       "plan_cost_keur": float(a.sum() * pl.REPLANT_EUR_PER_HA / 1000.0),
                       "plan_area_ha": float(a.sum()),
                       "plan_stands_n": float(chosen.sum()),
                       "plan_volume_m3": volume,
                       "plan_carbon_tco2": float((a * carbon[chosen]).sum()),
                       "plan_objective": float((a * gain[chosen]).sum())},
            "table_cols": {"cut_year": cut_year[chosen],
                           "cost_eur": a * pl.REPLANT_EUR_PER_HA,
                           "volume_m3": a * s.standing_volume_m3_ha,
                           "carbon_tco2": a * carbon[chosen],
                           "gain": np.round(gain[chosen], 3)}}


def run_climate_risk(stands: gpd.GeoDataFrame, weather: pd.DataFrame, s: ForestScenario,
                     model: Model, dieback_fit: db.LogisticFit | None = None,
                     grid: fs.FuelGrid | None = None, species: et.Cells | None = None):
    """The whole computation (pure given its inputs): see the module docstring."""
    tracc = s.warming_source == "tracc"
    years = series_years(s.horizon, SERIES_START, SERIES_STEP)
    warm_years = wx.warming_path(years, s.horizon, s.warming, tracc)
    extra = s.warming - wx.PRESENT_WARMING
    share = np.clip((warm_years - wx.PRESENT_WARMING) / extra, 0.0, 1.0) if abs(extra) > 1e-9 \
        else np.ones_like(warm_years)
    dp_years = s.precip_change_pct * share

    # -- fire weather: present (column 0), the series years, the horizon (last column) ------
    deltas = np.concatenate([[0.0], warm_years - wx.PRESENT_WARMING])
    dps = np.concatenate([[0.0], dp_years])
    danger_by = {}
    for rule in wx.HUMIDITY_RULES:  # both humidity bounds (weather.HUMIDITY_RULES)
        shifted = wx.shift_weather_many(weather, deltas, 0.0, humidity=rule)
        shifted["rain"] = shifted["rain"] * (1.0 + dps / 100.0)[None, :]
        out = fw.fwi_arrays(shifted["temp"], shifted["rh"], shifted["wind"], shifted["rain"],
                            shifted["month"], weather.attrs.get("lat", NICE_LAT))
        danger_by[rule] = fw.fire_danger_summary(out["fwi"], shifted["month"], s.fwi_threshold,
                                                 year=weather.index.year.to_numpy())
    danger, humid = danger_by["dew_point"], danger_by["rh"]

    # -- suitability ---------------------------------------------------------------------------
    t_commune = stands["tmean_c"].to_numpy(float) + (wx.PRESENT_WARMING - su.NORMALS_WARMING)
    p0 = stands["precip_mm"].to_numpy(float)
    area = stands["area_ha"].to_numpy(float)
    groups = stands["group"].to_numpy(object)
    offset = stands["elevation_offset_m"].to_numpy(float) \
        if "elevation_offset_m" in stands else None
    t_stand, anchored = su.stand_temperature(t_commune, groups, s.assumed_margin_c, offset)
    margins = {"margin_c": s.risk_margin_c, "margin_precip_pct": s.risk_margin_precip_pct}
    lon = stands["lon"].to_numpy(float) if "lon" in stands else None
    lat = stands["lat"].to_numpy(float) if "lat" in stands else None

    if min(margins.values()) < 0:
        raise ValueError("margins must be ≥ 0")
    stand_bounds = su.envelope_bounds(groups)  # looked up once for all the climates
    stand_sel = {grp: groups == grp for grp in et.GROUP_SPECIES}

    def status_at(warming: float, dp: float, group=groups, cold: bool = False):
        t = t_stand + (warming - wx.PRESENT_WARMING)
        p = np.maximum(p0 * (1.0 + dp / 100.0), 0.0)
        bounds = stand_bounds if group is groups else su.envelope_bounds(group)
        status = su.classify_bounds(bounds, t, p, cold_limit=cold, **margins)
        if species is not None and lon is not None:  # published SDMs where they exist
            layer = et.layer_for(warming)
            g = np.asarray(group, dtype=object)
            for grp in et.GROUP_SPECIES:
                sel = stand_sel[grp] if group is groups else g == grp
                if sel.any():  # every stand's status kept per (group, layer): same values
                    status[sel] = et.group_status_of_points(species, grp, layer, lon, lat)[sel]
        return status, t, p

    present, _, _ = status_at(wx.PRESENT_WARMING, 0.0)
    status, t_h, p_h = status_at(s.warming, s.precip_change_pct)
    cand = np.full(len(stands), s.candidate_species, dtype=object)
    cand_status, _, _ = status_at(s.warming, s.precip_change_pct, group=cand, cold=True)
    unsuitable_years = [su.area_by_status(status_at(w, dp)[0], area)["unsuitable_pct"]
                        for w, dp in zip(warm_years, dp_years, strict=True)]

    a_h = su.area_by_status(status, area)
    a_0 = su.area_by_status(present, area)
    a_c = su.area_by_status(cand_status, area)
    newly = (status == "unsuitable") & (present != "unsuitable") & (present != su.UNKNOWN)
    covered = np.isin(groups, list(et.GROUP_SPECIES)) & (status != su.UNKNOWN) \
        if species is not None else np.zeros(len(groups), bool)
    eutrees_pct = float(area[covered & (status == "unsuitable")].sum() / area[covered].sum()
                        * 100.0) if area[covered].sum() > 0 else float("nan")
    # dieback: fitted on normals-era plots (2005-2019 ≈ present), shifted by ΔT since present
    t_c0 = stands["tmean_c"].to_numpy(float)
    skill = dieback_fit.skill() if dieback_fit is not None else None
    if skill is not None and skill.finding:  # no finding without skill (twin_core.evidence)
        prob_0 = dieback_fit.predict(np.column_stack([t_c0, p0]))
        prob_h = dieback_fit.predict(np.column_stack([t_c0 + extra,
                                                      p0 * (1 + s.precip_change_pct / 100)]))
    else:
        prob_0 = prob_h = np.full(len(stands), np.nan)
    ok = np.isfinite(prob_h)
    w_ok = area[ok].sum()

    def wmean(x: np.ndarray) -> float:
        return float((x[ok] * area[ok]).sum() / w_ok * 100.0) if w_ok > 0 else float("nan")

    fire = run_fire(stands, grid, s) if grid is not None else None
    plan = run_plan(stands, status, status_at, s)
    effects = fx.plan_fire_carbon(stands, plan["species"], s, plan["schedule"])
    layer = stands.assign(
        tmean_present_c=np.round(t_stand, 2), anchored=anchored, tmean_h_c=np.round(t_h, 2),
        precip_h_mm=np.round(p_h, 1), status_present=present, dieback_prob=np.round(prob_h, 4),
        status=status, status_code=su.status_code(status), candidate_status=cand_status,
        fire_arrival_h=fire["stand_arrival_h"] if fire else np.nan,
        plan_species=plan["species"])
    values = {
        "warming_c": float(s.warming),
        "delta_t_c": float(extra),
        "suitable_ha": a_h["suitable_ha"], "at_risk_ha": a_h["at_risk_ha"],
        "unsuitable_ha": a_h["unsuitable_ha"],
        "suitable_pct": a_h["suitable_pct"], "at_risk_pct": a_h["at_risk_pct"],
        "unsuitable_pct": a_h["unsuitable_pct"],
        "unsuitable_present_pct": a_0["unsuitable_pct"],
        "newly_unsuitable_ha": float(area[newly].sum()),
        "unknown_ha": a_h["unknown_ha"],
        "anchored_pct": float(area[anchored].sum() / area.sum() * 100.0) if area.sum() else 0.0,
        "candidate_suitable_pct": a_c["suitable_pct"],
        "eutrees_unsuitable_pct": eutrees_pct,
        "crown_fire_ha": _crown_fire_ha(groups, area, s),
        "eutrees_area_ha": float(area[covered].sum()),
        "days_fwi_threshold": float(danger["days_fwi_threshold"][-1]),
        "days_fwi_30": float(danger["days_fwi_30"][-1]),
        "season_length_days": float(danger["season_length_days"][-1]),
        "mean_fwi_jjas": float(danger["mean_fwi_jjas"][-1]),
        "days_fwi_threshold_present": float(danger["days_fwi_threshold"][0]),
        "days_fwi_threshold_rh": float(humid["days_fwi_threshold"][-1]),
        "days_fwi_30_rh": float(humid["days_fwi_30"][-1]),
        "dieback_prob_pct": wmean(prob_h),
        "dieback_prob_present_pct": wmean(prob_0),
        "dieback_auc": dieback_fit.auc if dieback_fit else float("nan"),
        "dieback_cv_auc": dieback_fit.cv_auc if dieback_fit else float("nan"),
        "dieback_pseudo_r2": dieback_fit.pseudo_r2 if dieback_fit else float("nan"),
        "dieback_n_plots": float(dieback_fit.n) if dieback_fit else 0.0,
        **(fire["values"] if fire else {}),
        **plan["values"],
        **effects,
    }
    series = pd.DataFrame({
        "year": years,
        "warming_c": warm_years,
        "days_fwi_threshold": danger["days_fwi_threshold"][1:].astype(float),
        "days_fwi_threshold_rh": humid["days_fwi_threshold"][1:].astype(float),
        "days_fwi_30": danger["days_fwi_30"][1:].astype(float),
        "season_length_days": danger["season_length_days"][1:].astype(float),
        "mean_fwi_jjas": danger["mean_fwi_jjas"][1:],
        "unsuitable_pct": unsuitable_years,
    })
    layers = {"stands": layer}
    if fire:
        layers["fire"] = fire["polygons"]
    layers["plan"] = layer[layer["plan_species"] != ""][
        ["stand_id", "essence", "group", "code_insee", "area_ha", "status", "plan_species",
         "geometry"]].assign(**{k: v for k, v in plan["table_cols"].items()})
    return model.new_result(s, values=values, layers=layers, series=series,
                            fits={"dieback": skill} if skill is not None else {},
                            notes={"fire_weather": weather.attrs.get("label", ""),
                                   "terrain": _terrain_note(stands, area)})


def fire_wui(fire: gpd.GeoDataFrame, stands: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame
             ) -> dict[str, float]:
    """Homes and residents the simulated fire reaches (territories with a buildings layer):
    the buildings within :data:`twin_core.coupling.WUI_DISTANCE_M` (50 m: the legal
    brush-clearing distance around constructions, obligations légales de débroussaillement,
    Code forestier art. L134-6) of the burnt forest (the fire's burnt area ∩ the stands); the
    same count as the ``forest_fire_wui`` link of the integrated territory."""
    from twin_core.coupling import WUI_DISTANCE_M, wui_exposed

    if len(fire):  # only the buildings near the fire are measured
        x0, y0, x1, y1 = fire.total_bounds
        pad = WUI_DISTANCE_M + 1.0
        buildings = buildings.cx[x0 - pad:x1 + pad, y0 - pad:y1 + pad]
        stands = stands.cx[x0 - pad:x1 + pad, y0 - pad:y1 + pad]
    wui = wui_exposed(fire, stands, buildings)
    return {"fire_wui_homes": wui["wui_homes"], "fire_wui_residents": wui["wui_residents"]}


def daily_fire_weather(territory, scenario: ForestScenario) -> pd.DataFrame:
    """Daily noon weather and FWI system outputs of the weather year, today and at the horizon
    (columns suffixed ``_present`` / ``_horizon``), for notebooks and charts."""
    _, weather, _ = _prepare(territory)
    frames = {}
    for tag, dt, dp in [("present", 0.0, 0.0),
                        ("horizon", scenario.warming - wx.PRESENT_WARMING,
                         scenario.precip_change_pct)]:
        w = wx.shift_weather(weather, dt, dp)
        frames[tag] = pd.concat([w[["temp", "rh", "wind", "rain"]], fw.fwi_daily(w, NICE_LAT)],
                                axis=1)
    return frames["present"].join(frames["horizon"], lsuffix="_present", rsuffix="_horizon")


class ForestClimateRiskModel(Model):
    spec = ModelSpec(
        id=MODEL_ID, use_case="forest", version="1.0",
        outputs=(OutputSpec("suitable_ha", "value", "ha"), OutputSpec("at_risk_ha", "value", "ha"),
                 OutputSpec("unsuitable_ha", "value", "ha"),
                 OutputSpec("unsuitable_pct", "value", "%"),
                 OutputSpec("days_fwi_threshold", "value", "jours/an"),
                 OutputSpec("days_fwi_30", "value", "jours/an"),
                 OutputSpec("season_length_days", "value", "jours"),
                 OutputSpec("mean_fwi_jjas", "value", "IFM"),
                 OutputSpec("burnt_area_ha", "value", "ha"),
                 OutputSpec("fire_ros_m_min", "value", "m/min"),
                 OutputSpec("plan_cost_keur", "value", "k€"),
                 OutputSpec("stands", "layer"), OutputSpec("fire", "layer"),
                 OutputSpec("plan", "layer"),
                 OutputSpec("series", "series")),
        layers=("stands", "climate_normals", "weather_nice_synop"),
        sources=("Van Wagner 1987, Canadian Forestry Service Forestry Technical Report 35",
                 "Van Wagner & Pickett 1985, Forestry Technical Report 33",
                 "Lawson & Armitage 2008, Weather guide for the CFFDRS (day-length bands)",
                 "ORCAE Auvergne-Rhône-Alpes: IFM ≥ 20 fire-start threshold",
                 "Météo-France SYNOP Nice 07690 (2024)",
                 "Joly et al. 2010, Cybergeo 501 (commune climate normals)",
                 "IGN BD Forêt v2 (ESSENCE)",
                 "NAFLO (Aleppo pine rainfall); European Atlas of Forest Tree Species 2016 "
                 "(other envelopes, low confidence)",
                 "Alduchov & Eskridge 1996 (Magnus formula)",
                 "IGN Inventaire forestier national (dead trees per plot): dieback fit",
                 "TRACC (France +2.0/+2.7/+4.0 °C in 2030/2050/2100; +1.7 °C in 2023)",
                 "Rothermel 1972, USDA FS Research Paper INT-115 (surface spread)",
                 "Scott & Burgan 2005, USDA FS RMRS-GTR-153, Table 7 (40 fuel models)",
                 "Andrews 2009/2018, RMRS-GTR-213/371 (BehavePlus conventions); Andrews 2012, "
                 "RMRS-GTR-266 (wind adjustment)",
                 "Anderson 1983, INT-305 (length-to-width); Finney 2002, Can. J. For. Res. 32 "
                 "(minimum travel time)"),
        scenario_class=ForestScenario,
        map_layer="stands", map_column="status_code",
        map_units="0 adapté · 1 à risque · 2 inadapté",
        series_y=("days_fwi_threshold", "days_fwi_threshold_rh", "unsuitable_pct"),
        series_units="jours/an · %",
    )

    def _run(self, territory, scenario: ForestScenario):
        stands, weather, fit = _prepare(territory)
        stands = fx.urbanised(stands, scenario.forest_loss_ha)
        result = run_climate_risk(stands, weather, scenario, self, fit, _fuel_grid(territory),
                                  _species_table(territory))
        if territory.has_layer("buildings") and "fire" in result.layers:
            result.values.update(fire_wui(result.layers["fire"], stands,
                                          territory.layer("buildings")))
            if territory.is_synthetic("buildings"):
                result.synthetic_inputs += ("buildings_synthetic",)
        return result

    def _validate(self, territory, scenario: ForestScenario) -> list[TwinInputError]:
        if not isinstance(scenario, ForestScenario):
            return []
        if not scenario.budget_keur > 0:
            return [TwinInputError("forest_zero_budget", "budget_keur",
                                   budget=scenario.budget_keur * 1000)]
        if territory is None:
            return []
        unknown = _unknown_essences(territory)
        if unknown:
            return [TwinInputError("forest_unknown_species", "stands", value=", ".join(
                unknown[:5]), allowed=", ".join(list(su.ESSENCE_TO_GROUP) + ["NR"]))]
        grid = _fuel_grid(territory)
        r, c = grid.cell_of(scenario.ignition_x, scenario.ignition_y)
        ny, nx = grid.fuel.shape
        if 0 <= r < ny and 0 <= c < nx and grid.fuel[r, c] >= 0:
            return []
        x, y, d = fs.nearest_burnable(grid, scenario.ignition_x, scenario.ignition_y)
        return [TwinInputError("forest_ignition_outside", "ignition", x=round(
            scenario.ignition_x), y=round(scenario.ignition_y), nearest_x=round(x),
            nearest_y=round(y), distance_m=round(d))]


#: Ranking direction (workshop reports): False = lower is better; others are not ranked.
_BETTER = {**dict.fromkeys(
    ("unsuitable_pct", "at_risk_pct", "unsuitable_ha", "dieback_prob_pct", "days_fwi_threshold",
     "season_length_days", "burnt_area_ha", "fire_ros_m_min", "at_risk_ha",
     "newly_unsuitable_ha", "days_fwi_30", "burnt_stands_n", "burnt_stands_ha",
     "days_fwi_threshold_rh", "days_fwi_30_rh", "eutrees_unsuitable_pct", "crown_fire_ha",
     "fire_wui_homes", "fire_wui_residents"),
    False),
    **dict.fromkeys(("suitable_ha", "suitable_pct"), True)}

# -- evidence of each indicator (twin_core.evidence) -------------------------------------------
_ENVELOPES = Evidence(
    "assumption", "species climate envelopes (suitability.py, low-confidence orders of "
    "magnitude) on the commune normals of Joly et al. 2010 moved to each stand's elevation "
    "(lapse rate, SRTM), warmed by the TRACC; EU-Trees4F for fir, spruce and beech",
    assumptions=("assumed_margin_c", "risk_margin_c", "risk_margin_precip_pct",
                 "precip_change_pct"), layers=("stands", "climate_normals"), note="terrain")
_FWI_FUTURE = Evidence(
    "assumption", "FWI system (Van Wagner 1987) on the real Nice 2024 noon weather, shifted by "
    "the warming with the dew point held constant (weather.py)",
    checks=("forest.fwi_1985",), assumptions=("fwi_threshold", "precip_change_pct",
                                              "humidity held at constant dew point"),
    layers=("weather_nice_synop", "weather_station"), note="fire_weather")
_DIEBACK = Evidence(
    "calibrated", "logistic fit of IFN plots with dead trees on the commune climate normals "
    "(dieback.py)", fit="dieback", layers=("stands", "climate_normals", "ifn_plots"))
_FIRE = Evidence(
    "assumption", "Rothermel 1972 surface spread (checked against BehavePlus 5) on a 50 m grid "
    "of the stands with slope and aspect from the DEM (SRTM 90 m), fuel models mapped from the "
    "species groups",
    checks=("forest.rothermel_behaveplus",),
    assumptions=("wind_adjustment", "fuel model of each species group",
                 "wind and fuel moisture of the fire day (scenario)"), layers=("stands",),
    note="terrain")
_PLAN = Evidence(
    "assumption", "cut-and-replant MILP (plan.py): costs per ha, standing volume and objective "
    "weights are set values", assumptions=("standing_volume_m3_ha",
                                           "harvest and replanting costs per ha (plan.py)"),
    layers=("stands", "climate_normals"))
_EVIDENCE: dict[str, Evidence] = {
    **dict.fromkeys(("unsuitable_pct", "at_risk_pct", "unsuitable_ha", "suitable_ha",
                     "at_risk_ha", "suitable_pct", "unsuitable_present_pct",
                     "newly_unsuitable_ha", "candidate_suitable_pct", "anchored_pct"),
                    _ENVELOPES),
    **dict.fromkeys(("dieback_prob_pct", "dieback_prob_present_pct"), _DIEBACK),
    **dict.fromkeys(("days_fwi_threshold", "days_fwi_30", "season_length_days",
                     "mean_fwi_jjas"), _FWI_FUTURE),
    **dict.fromkeys(("days_fwi_threshold_rh", "days_fwi_30_rh"), Evidence(
        "assumption", "FWI system (Van Wagner 1987) on the real Nice 2024 noon weather, shifted "
        "by the warming with the relative humidity held constant (the humid bound, "
        "weather.HUMIDITY_RULES)", checks=("forest.fwi_1985",),
        assumptions=("fwi_threshold", "precip_change_pct", "humidity held at constant RH"),
        layers=("weather_nice_synop", "weather_station"), note="fire_weather")),
    "eutrees_unsuitable_pct": Evidence(
        "validated", "EU-Trees4F (Mauri et al. 2022) probability of presence of fir, spruce and "
        "beech at the layer matching the warming level, against each species' published "
        "presence threshold", checks=("forest.eutrees4f",),
        assumptions=("warming level → EU-Trees4F period and pathway (eutrees.py)",),
        layers=("stands", "eu_trees4f")),
    "crown_fire_ha": Evidence(
        "assumption", "conifer stands whose surface fire on the fire day reaches Van Wagner's "
        "(1977) critical intensity for crown-fire initiation (crown.py)",
        checks=("forest.rothermel_behaveplus", "forest.van_wagner_1977"),
        assumptions=("wind_adjustment", "canopy base height by species group",
                     "foliar moisture 100 %", "fuel model of each species group"),
        layers=("stands",)),
    "eutrees_area_ha": Evidence("observed", "BD Forêt v2 stands of fir, spruce and beech "
                                "covered by EU-Trees4F cells", layers=("stands", "eu_trees4f")),
    "days_fwi_threshold_present": Evidence(
        "validated", "FWI system on the real Nice airport 2024 noon weather (Météo-France "
        "SYNOP 07690) or the station file given", checks=("forest.fwi_1985",),
        assumptions=("fwi_threshold",), layers=("weather_nice_synop", "weather_station"),
        note="fire_weather"),
    "warming_c": Evidence("validated", "TRACC (ministère de la Transition écologique, 2023)",
                          checks=("core.tracc",), layers=()),
    "fire_ros_m_min": Evidence(
        "validated", "Rothermel 1972 head-fire rate at the ignition point, Scott & Burgan 2005 "
        "fuel of its stand", checks=("forest.rothermel_behaveplus",),
        assumptions=("wind_adjustment",), layers=("stands",)),
    **dict.fromkeys(("burnt_area_ha", "burnt_stands_n", "burnt_stands_ha"), _FIRE),
    **dict.fromkeys(("plan_area_ha", "plan_cost_keur", "plan_volume_m3", "plan_carbon_tco2",
                     "plan_stands_n", "plan_objective"), _PLAN),
    **dict.fromkeys(("fire_exposed_ha", "fire_exposed_after_plan_ha",
                     "plan_fire_exposed_cut_ha", "fire_exposed_peak_ha"), Evidence(
        "assumption", "Byram flame length from Rothermel 1972 (checked against BehavePlus 5) "
        "per stand, 1.2 m hand-crew limit (Andrews & Rothermel 1982); cut parts carry slash "
        "(SB2, 3 years) then grass-shrub (GS2) fuel before the replanted species' fuel",
        checks=("forest.rothermel_behaveplus",),
        assumptions=("wind_adjustment", "regrowth_years", "fuel model of each species group"),
        layers=("stands", "climate_normals"))),
    **dict.fromkeys(("stand_carbon_tco2", "stand_carbon_after_plan_tco2"), Evidence(
        "assumption", "area × standing volume × BCEF_S × (1 + R) × 0.47 × 44/12 (IPCC 2006 "
        "Vol. 4 Tables 4.4-4.5)", assumptions=("standing_volume_m3_ha",), layers=("stands",))),
    **dict.fromkeys(("fire_wui_homes", "fire_wui_residents"), Evidence(
        "assumption", "buildings (homes, residents) within 50 m of the forest burnt by the "
        "simulated fire (Rothermel 1972 spread): the legal brush-clearing distance around "
        "constructions (OLD, Code forestier art. L134-6) taken as the reach of radiant heat and "
        "embers", checks=("forest.rothermel_behaveplus",),
        assumptions=("WUI distance 50 m (OLD)", "wind_adjustment",
                     "fuel model of each species group"), layers=("stands", "buildings"))),
    "forest_loss_applied_ha": Evidence(
        "assumption", "land taken by urbanisation, set by the ZAN link (twin_core.coupling)",
        assumptions=("forest_loss_ha",), layers=()),
}
#: The page's headline cards (twin_core.headline), for a forest manager or a fire officer:
#: how much of the massif no longer suits its species at the horizon (the climate envelopes,
#: then EU-Trees4F for fir, spruce and beech, a validated source), how many fire-danger days
#: under the dry and the humid bound of the humidity assumption, where a surface fire can go
#: up into the crowns, and what the cut-and-replant plan costs. The dieback card stays in
#: view to say that no reliable relation was found (a fit without skill is not a finding).
HEADLINE = tuple(f"forest.{k}" for k in (
    "unsuitable_pct", "eutrees_unsuitable_pct", "days_fwi_threshold", "days_fwi_threshold_rh",
    "crown_fire_ha", "plan_cost_keur", "dieback_prob_pct"))
for _id, _units in [("unsuitable_pct", "%"), ("at_risk_pct", "%"), ("unsuitable_ha", "ha"),
                    ("dieback_prob_pct", "%"), ("days_fwi_threshold", "jours/an"),
                    ("season_length_days", "jours"), ("burnt_area_ha", "ha"),
                    ("plan_area_ha", "ha"), ("fire_ros_m_min", "m/min"),
                    ("plan_cost_keur", "k€"), ("plan_volume_m3", "m³"),
                    ("plan_carbon_tco2", "t CO2"), ("plan_stands_n", "peuplements"),
                    ("plan_objective", "-"),
                    ("suitable_ha", "ha"), ("at_risk_ha", "ha"), ("suitable_pct", "%"),
                    ("unsuitable_present_pct", "%"), ("newly_unsuitable_ha", "ha"),
                    ("candidate_suitable_pct", "%"),
                    ("days_fwi_30", "jours/an"), ("burnt_stands_n", "peuplements"),
                    ("days_fwi_threshold_rh", "jours/an"), ("days_fwi_30_rh", "jours/an"),
                    ("eutrees_unsuitable_pct", "%"), ("eutrees_area_ha", "ha"),
                    ("crown_fire_ha", "ha"),
                    ("burnt_stands_ha", "ha"),
                    ("mean_fwi_jjas", "IFM"), ("days_fwi_threshold_present", "jours/an"),
                    ("warming_c", "°C"), ("anchored_pct", "%"),
                    ("dieback_prob_present_pct", "%")]:
    value_indicator(f"forest.{_id}", MODEL_ID, _units, key=_id,
                    higher_is_better=_BETTER.get(_id), evidence=_EVIDENCE[_id])
for _id, _units, _better in fx.INDICATORS:  # urbanisation, plan → fire and carbon (effects.py)
    value_indicator(f"forest.{_id}", MODEL_ID, _units, key=_id, higher_is_better=_better,
                    evidence=_EVIDENCE[_id])
for _id, _units in [("fire_wui_homes", "logements"), ("fire_wui_residents", "habitants")]:
    value_indicator(f"forest.{_id}", MODEL_ID, _units, key=_id, decimals=0,
                    higher_is_better=_BETTER.get(_id), evidence=_EVIDENCE[_id])
