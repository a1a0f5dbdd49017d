"""Registered coast model ``coast.risk``: shoreline retreat, marine submersion, exposed assets,
damage and adaptation options, from today (2025) to the horizon.

Equations and sources: :mod:`~twin_core.models.coast.sea_level` (IPCC AR6 sea level by warming
level), :mod:`~twin_core.models.coast.retreat` (Cerema trend + Bruun 1962 on the rise beyond the
rate embedded in the trend, Le Cozannet et al. 2019),
:mod:`~twin_core.models.coast.submersion` (connected bathtub, Xynthia-based storm levels),
:mod:`~twin_core.models.coast.exposure` (JRC 2017 depth-damage, option costs, 3.2 % discount
rate). Warming path: TRACC (global) for the years of the series (before 2030, linear from the
1995-2014 level of 0.85 °C); a custom warming level scales that path so that it reaches the
chosen level at the horizon.

Options act as follows: nourishment cuts the chronic retreat rate in front of the urban
fronts (shoreline with ≥ 30 buildings within 500 m; the homes whose nearest shore point is
such a front benefit; its cost is paid per metre of front); a dike raises the DEM cells
under the dike line (a ``dikes`` territory layer if present, else today's shoreline arcs) to
the crest elevation (never below today's crest; the cost pays the raise above today's crest
or ground); relocation removes the most exposed homes (in the retreat band first,
then the deepest flooded) from the exposure three years from now — it avoids their flood
damage and saves their contents, not the building or the land lost to the sea; the setback
band forbids new homes within a distance of today's shoreline (homes avoided = the band's
stock grown at the housing growth rate). Today's defences, the breach option (PPRL
precaution band) and the foreshore left out of the flood: see
:mod:`~twin_core.models.coast.submersion`. The ``dikes`` layer (lines, ``crest_m``) is burnt
at each line's own crest in the baseline and every option; without it the flooded area is an
upper bound where real dikes are finer than the DEM (e.g. the Gironde estuary banks at 120 m).
Drawn on the map: a dike line (``dike_line``) raises the DEM cells it crosses to the crest
(``dike_crest_m``, or DRAWN_DIKE_CREST_M when 0) in the option runs, its length adds to the
defence cost; a setback band (``setback_zone``) relocates every building in it (no longer
exposed, its homes bought out as for ``relocate_dwellings``) and counts its land and homes in
the setback band.
Benefits = discounted avoided flood damage + discounted avoided retreat losses, against the
option costs. Expected annual damage (EAD): the 1, 2, 5, 10, 100 and 1000-yr events and the
return period at which damage starts, integrated log-linearly in the return period (Rosbjerg
2024, exposure.expected_annual_damage); computed at 2025, mid-period and the horizon and
interpolated in each year's sea-level rise (the rise shifts the event frequencies year by
year); the flood benefit of an option starts after the delay of its measures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import param
import shapely
import xarray as xr
from scipy.spatial import cKDTree

from twin_core.drawn import Geometry, to_shape
from twin_core.errors import TwinInputError
from twin_core.evidence import Evidence
from twin_core.indicators import value_indicator
from twin_core.models.base import Model, ModelSpec, OutputSpec
from twin_core.models.coast import exposure as ex
from twin_core.models.coast.retreat import (
    BASELINE_YEAR,
    DEFAULT_ACTIVE_LENGTH_M,
    DEFAULT_BERM_HEIGHT_M,
    DEFAULT_CLOSURE_DEPTH_M,
    DEFAULT_EVENT_RETREAT_M,
    projected_shoreline,
    retreat_band,
    shoreline_retreat,
)
from twin_core.models.coast.sea_level import (
    REFERENCE_YEAR,
    sea_level_in_likely_range,
    sea_level_rise,
)
from twin_core.models.coast.spill import (
    SPILL_ABOVE_M,
    SPILL_BELOW_M,
    compile_spill_kernel,
    region_seeds,
    sea_seeds,
    spill_levels,
)
from twin_core.models.coast.submersion import (
    EAD_RETURN_PERIODS,
    ESTUARY_SURGE_RATIO,
    HIGH_WATER_M,
    LEVEL_SOURCES,
    RETURN_PERIODS,
    breach_flood,
    burn_dike,
    defence_grid,
    estuary_position,
    intertidal_mask,
    line_cells,
    reach_factor,
    still_water_level,
    surge_at,
)
from twin_core.scenario import TRACC_GLOBAL, Scenario, series_years, tracc_warming

MODEL_ID = "coast.risk"
START_YEAR = 2025
SERIES_STEP = 5
WARMING_1995_2014 = 0.85  # °C global, AR6 SPM A.1.2
#: Nourished shore = the "urban fronts": points of an eroding arc with at least
#: URBAN_FRONT_MIN_BUILDINGS buildings within URBAN_FRONT_M (beaches are nourished in front of
#: resorts, e.g. Biscarrosse ≈ 1 km, not along the whole coast). Documented choice.
URBAN_FRONT_M = 500.0
URBAN_FRONT_MIN_BUILDINGS = 30
FRONT_SAMPLE_M = 50.0
#: Lambert-93 extent a geometry drawn on the coast map must stay in (the sample + 5 km).
COAST_EXTENT = (355_000.0, 6_395_000.0, 425_000.0, 6_515_000.0)
#: Crest (m above mean sea level) of a dike drawn on the map when ``dike_crest_m`` is 0: the
#: 100-year still-water level of today (3.4 m, see submersion) + 1 m of sea-level rise
#: allowance + 0.6 m of freeboard. Documented choice.
DRAWN_DIKE_CREST_M = 5.0


class CoastScenario(Scenario):
    """Scenario of the coast use case (storm, sea level, Bruun profile, options)."""

    #: Default scenario B of the page: the end of the century, with two options (half of the
    #: chronic retreat offset by nourishment of the urban fronts, 100 most exposed homes
    #: relocated), so that its cost and benefit-cost ratio show next to A (2050, no option).
    example_b = {"horizon": 2100, "nourishment_pct": 50.0, "relocate_dwellings": 100}
    #: Model parameters, not scenario levers (folded under "Paramètres avancés"): the Bruun
    #: profile, the storm terms without a published value, the AR6 position, costs' discounting.
    advanced = ("slr_likely_position", "active_length_m", "berm_height_m", "closure_depth_m",
                "event_retreat_m", "high_water_m", "estuary_surge_ratio", "relocation_density",
                "discount_pct")

    units = {**Scenario.units, "active_length_m": "m", "berm_height_m": "m",
             "closure_depth_m": "m", "event_retreat_m": "m", "nourishment_pct": "%",
             "dike_crest_m": "m", "high_water_m": "m",
             "estuary_surge_ratio": "ratio", "setback_m": "m", "relocate_dwellings": "logements",
             "relocation_density": "logements/ha", "housing_growth_pct": "%/an",
             "discount_pct": "%", "return_period": "ans", "slr_likely_position": "-"}

    return_period = param.Selector(default=100, objects=list(RETURN_PERIODS),
                                   doc="Return period of the storm (years).")
    sea_level_option = param.Selector(
        default="median", objects=["median", "upper", "high_end"],
        doc="IPCC AR6 sea-level rise: median, likely upper bound, or high-end (2 m in 2100).")
    slr_likely_position = param.Number(
        default=0.0, bounds=(-1.0, 1.0), step=0.1,
        doc="With the median option: position within the AR6 likely range (−1 lower bound, "
            "0 median, +1 upper bound); the ensemble draws it.")
    active_length_m = param.Number(default=DEFAULT_ACTIVE_LENGTH_M, bounds=(100.0, 5000.0),
                                   step=50.0, doc="Bruun active profile length L.")
    berm_height_m = param.Number(default=DEFAULT_BERM_HEIGHT_M, bounds=(0.5, 30.0), step=0.5,
                                 doc="Bruun berm or dune-foot height B.")
    closure_depth_m = param.Number(default=DEFAULT_CLOSURE_DEPTH_M, bounds=(2.0, 40.0),
                                   step=0.5, doc="Bruun closure depth h.")
    event_retreat_m = param.Number(default=DEFAULT_EVENT_RETREAT_M, bounds=(0.0, 60.0),
                                   step=5.0, doc="Retreat of one major storm (OCA 2016: 20 m).")
    high_water_m = param.Number(
        default=HIGH_WATER_M, bounds=(1.0, 4.0), step=0.1,
        doc="Spring high water above mean sea level at Le Verdon (assumption: SHOM RAM not "
            "found).")
    estuary_surge_ratio = param.Number(
        default=round(ESTUARY_SURGE_RATIO, 3), bounds=(1.0, 2.5), step=0.05,
        doc="Storm surge at Ambès / at Le Verdon (storm Martin 1999: 2.32 / 1.55 m).")
    nourishment_pct = param.Number(default=0.0, bounds=(0.0, 100.0), step=10.0,
                                   doc="Share of the chronic retreat offset by nourishment.")
    defence_failure = param.Selector(
        default="no_breach", objects=["no_breach", "breach"],
        doc="Failure of the defences (French PPRL guidance, simplified): 'no_breach' = they hold "
            "until overtopped; 'breach' = every defence with water against it fails and the "
            "cells behind it within the precaution band (100 × water height behind it, at "
            "least 50 m: décret 2019-715 R. 562-11-4, arrêté 5 July 2019) that are below the "
            "level and connected flood to the still-water level. Assumptions: failure as soon "
            "as water stands against the work, along its whole loaded length (envelope of the "
            "100 m breaches of the guidance), no volume limit.")
    dike_crest_m = param.Number(default=0.0, bounds=(0.0, 10.0), step=0.25,
                                doc="Crest of the defence line, m above mean sea level (the "
                                    "DEM's datum; ≈ m NGF − 0.15), 0 = none.")
    setback_m = param.Number(default=0.0, bounds=(0.0, 1000.0), step=25.0,
                             doc="Width of the no-new-building band behind the shoreline.")
    relocate_dwellings = param.Integer(default=0, bounds=(0, 5000), step=10,
                                       doc="Number of the most exposed homes relocated.")
    relocation_density = param.Number(default=20.0, bounds=(5.0, 100.0), step=5.0,
                                      doc="Density of the relocation site (land needed).")
    housing_growth_pct = param.Number(default=0.5, bounds=(0.0, 3.0), step=0.1,
                                      doc="Yearly growth of the housing stock.")
    discount_pct = param.Number(default=ex.DISCOUNT_RATE * 100, bounds=(0.0, 8.0), step=0.1,
                                doc="Discount rate (France Stratégie 2021: 3.2 %).")
    dike_line = Geometry(kind="line", extent=COAST_EXTENT,
                         doc="Dike drawn on the map (Lambert-93): the DEM cells it crosses are "
                             "raised to the crest (dike_crest_m, or 5 m when it is 0).")
    setback_zone = Geometry(kind="polygon", extent=COAST_EXTENT,
                            doc="Setback band drawn on the map (Lambert-93): its buildings are "
                                "relocated (no longer exposed) and no new home is built in it.")


def scenario_slr(s: Scenario, year, gw):
    """Sea-level rise (m vs 1995-2014) of the scenario: its AR6 option, and with the median
    option its position within the likely range (``slr_likely_position``)."""
    if s.sea_level_option == "median" and s.slr_likely_position != 0:
        return sea_level_in_likely_range(year, gw, s.slr_likely_position)
    return sea_level_rise(year, gw, s.sea_level_option)


def global_warming_path(s: Scenario, years: np.ndarray) -> np.ndarray:
    """Global warming (°C) at ``years``: TRACC, or TRACC scaled to the custom level."""
    y = np.asarray(years, dtype=float)
    first_year, first_gw = TRACC_GLOBAL[0]
    tr = np.where(y >= first_year, tracc_warming(np.clip(y, first_year, 2100), "global"),
                  np.interp(y, [REFERENCE_YEAR, first_year], [WARMING_1995_2014, first_gw]))
    if s.warming_source == "custom":
        at_h = float(tracc_warming(s.horizon, "global"))
        tr = WARMING_1995_2014 + (tr - WARMING_1995_2014) * (
            (s.global_warming - WARMING_1995_2014) / (at_h - WARMING_1995_2014))
    return np.maximum(tr, 0.0)


# -- territory preparation (cached per set of layer objects) --------------------------------
@dataclass(frozen=True)
class DrawnDike:
    """A dike drawn on the map: the DEM cells it crosses, its crest and its length."""

    key: str
    cells: np.ndarray
    crest: float
    length_m: float


@dataclass
class Spill:
    """Spill levels of one burnt DEM and one level family (uniform, or with the estuary
    gradient): the flood at a level is ``level ≤ spill`` (spill.py), for levels in
    ``[floor, cap]``."""

    cap: float
    levels: np.ndarray  # per DEM cell (float32, read-only)
    at_buildings: np.ndarray  # per building: the spill level of its DEM cell
    z_at_buildings: np.ndarray  # the burnt DEM at each building's cell
    #: per spring high water: the finite spill levels of the land cells that are not foreshore
    land: dict[float, np.ndarray] = field(default_factory=dict)


@dataclass
class SpillSet:
    """The spill levels of one burnt DEM: the region flooded below ``floor`` (shared by
    every level family, filled once) and one :class:`Spill` per family."""

    floor: float
    start: np.ndarray  # float32: floor on the region, +inf elsewhere
    seeds: np.ndarray  # its edge cells and the sea cells outside it (flat indices)
    z_at_buildings: np.ndarray  # the burnt DEM at each building's cell
    families: dict[float, Spill] = field(default_factory=dict)


@dataclass
class Prepared:
    arcs: gpd.GeoDataFrame
    rates: np.ndarray
    land: Any
    dem: xr.DataArray
    land_mask: np.ndarray
    sea: np.ndarray | None
    cell_ha: float
    buildings: gpd.GeoDataFrame
    dist: np.ndarray  # (n_buildings, n_arcs) distance to each arc (m)
    communes: gpd.GeoDataFrame
    dike_cells: np.ndarray
    dike_length_m: float
    nourished_length_m: float
    front_share: np.ndarray  # per arc: share of its length that is an urban front
    behind_front: np.ndarray  # per building: its nearest shoreline point is an urban front
    value: np.ndarray
    unit_damage: np.ndarray  # € per unit of damage fraction (max damage × ground floor)
    cell: tuple[np.ndarray, np.ndarray, np.ndarray]  # per building: DEM (row, col, inside)
    axis: np.ndarray = None  # per DEM cell: position along the estuary (0 ocean/mouth, 1 Ambès)
    #: today's defences (``dikes`` layer): crest per DEM cell, NaN where none; None = no layer
    defence: np.ndarray | None = None
    defence_note: str = ""
    dikes: gpd.GeoDataFrame | None = None
    floods: dict[tuple, tuple[np.ndarray, float]] = field(default_factory=dict)
    burned: dict[tuple, np.ndarray] = field(default_factory=dict)
    #: spill levels per burnt DEM (same keys as ``burned``): every flood level of a DEM and
    #: a level family from one priority flood (spill.py)
    spills: dict[tuple, SpillSet] = field(default_factory=dict)
    drawn_cells: dict[str, np.ndarray] = field(default_factory=dict)
    intertidal_masks: dict[float, np.ndarray] = field(default_factory=dict)
    #: per group of buildings (not behind an urban front, behind one): their indices, and per
    #: arc their order by distance and the sorted distances (:meth:`in_band`; built once)
    band_order: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None
    #: per-building values read from the DEM grids (flat cell index, estuary position,
    #: inside and not foreshore per spring high water), cached
    at_buildings: dict[Any, np.ndarray] = field(default_factory=dict)

    def in_band(self, natural: np.ndarray, nourished: np.ndarray) -> np.ndarray:
        """Buildings in the retreat band: within an arc's retreat (m) of that arc, the
        ``nourished`` retreat for those behind an urban front and the ``natural`` one for the
        others — ``(dist <= r).any(axis=1)``, read from the distances sorted once per arc."""
        out = np.zeros(self.dist.shape[0], dtype=bool)
        if not self.dist.shape[1]:
            return out
        if self.band_order is None:
            groups = []
            for sel in (np.flatnonzero(~self.behind_front), np.flatnonzero(self.behind_front)):
                d = self.dist[sel]
                order = np.argsort(d, axis=0, kind="stable")
                groups.append((sel, np.ascontiguousarray(order.T),
                               np.ascontiguousarray(np.take_along_axis(d, order, axis=0).T)))
            self.band_order = groups
        for (sel, order, dist), r in zip(self.band_order, (natural, nourished), strict=True):
            k = [np.searchsorted(dist[j], r[j], side="right") if r[j] == r[j] else 0
                 for j in range(len(dist))]  # NaN retreat: nobody in the band
            hit = np.concatenate([order[j, :kj] for j, kj in enumerate(k)])
            out[sel[hit]] = True
        return out

    def drawn_dike(self, line: dict | None, crest: float) -> DrawnDike | None:
        """The dike drawn on the map (None if none): its DEM cells (all-touched, cached) are
        raised to ``crest``, or to DRAWN_DIKE_CREST_M when ``crest`` is 0."""
        if line is None:
            return None
        key = json.dumps(line, sort_keys=True)
        shape = to_shape(line)
        cells = self.drawn_cells.get(key)
        if cells is None:
            if len(self.drawn_cells) > 16:
                self.drawn_cells.clear()
            cells = line_cells(self.dem, [shape])
            cells.flags.writeable = False
            self.drawn_cells[key] = cells
        top = crest if crest > 0 else DRAWN_DIKE_CREST_M
        return DrawnDike(f"{key}@{top:.4f}", cells, top, float(shape.length))

    def level_field(self, level: float, gradient: float = 0.0) -> float | np.ndarray:
        """Still-water level per DEM cell: ``level`` (Le Verdon, the ocean coast) + ``gradient``
        (the extra surge at Ambès) × the position along the estuary."""
        if gradient == 0.0 or self.axis is None:
            return level
        return (level + gradient * self.axis).astype(np.float32)

    def intertidal(self, high_water: float) -> np.ndarray:
        """Today's foreshore: cells below spring high water connected to the sea, on the DEM
        with today's defences (submersion.intertidal_mask; cached, read-only)."""
        key = round(float(high_water), 4)
        hit = self.intertidal_masks.get(key)
        if hit is None:
            if len(self.intertidal_masks) > 8:
                self.intertidal_masks.clear()
            hit = intertidal_mask(self.dem_with_dike(0.0), key, self.sea)
            # a cell holding buildings is land: nobody builds on the foreshore, so a built cell
            # below spring high water stands behind defences the 120 m DEM lacks (a polder)
            row, col, inside = self.cell
            hit[row[inside], col[inside]] = False
            hit.flags.writeable = False
            self.intertidal_masks[key] = hit
        return hit

    def wet(self, level: float, crest: float, drawn: DrawnDike | None = None,
            gradient: float = 0.0, breach: bool = False, high_water: float = HIGH_WATER_M
            ) -> tuple[np.ndarray, np.ndarray, float | np.ndarray]:
        """(flooded land-or-sea mask without today's foreshore, the elevation the water
        stands on, the level field): connected bathtub on the DEM with today's defences, the
        raised dike and the drawn dike; with ``breach``, every loaded defence fails and its
        PPRL precaution band floods (submersion.breach_flood)."""
        z = self.dem_with_dike(crest, drawn)
        field = self.level_field(level, gradient)
        # = submersion.flooded_mask(z, field, self.sea), from the spill levels (spill.py)
        wet = self.spill(level, crest, drawn, gradient).levels <= np.float32(level)
        if breach:
            works = np.isfinite(self.defence) if self.defence is not None else \
                np.zeros(z.shape, dtype=bool)
            if crest > 0:
                works = works | self.dike_cells
            if drawn is not None:
                works = works | drawn.cells
            t = self.dem.rio.transform()
            ground = self.dem.values
            wet = breach_flood(ground, z, wet, works, field, (abs(t.e), abs(t.a)))
            z = np.where(works & wet, ground, z)
        return wet & ~self.intertidal(high_water), z, field

    def flood(self, level: float, crest: float, drawn: DrawnDike | None = None,
              gradient: float = 0.0, breach: bool = False, high_water: float = HIGH_WATER_M
              ) -> tuple[np.ndarray, float]:
        """(depth at each building, flooded land ha: today's foreshore excluded), cached by
        (level, estuary gradient, crest, drawn dike, breach, spring high water)."""
        key = (round(level, 4), round(gradient, 4), round(crest, 4), drawn.key if drawn else None,
               bool(breach), round(high_water, 4))
        hit = self.floods.get(key)
        if hit is None and not breach:  # from the spill levels: at the buildings only
            sp = self.spill(level, crest, drawn, gradient)
            lv32 = np.float32(level)
            # inside the DEM, not on today's foreshore, and flooded
            wet_b = self._dry_land_buildings(high_water) & (sp.at_buildings <= lv32)
            lv = level if gradient == 0.0 or self.axis is None else \
                (level + gradient * self._axis_at_buildings()).astype(np.float32)  # level_field
            at_b = np.where(wet_b, lv - sp.z_at_buildings, 0.0)
            at_b = np.where(np.isfinite(at_b), np.maximum(at_b, 0.0), 0.0)
            hit = (at_b, float(np.count_nonzero(self._land_spill(sp, high_water) <= lv32))
                   * self.cell_ha)
        elif hit is None:
            wet, z, field = self.wet(level, crest, drawn, gradient, breach, high_water)
            row, col, inside = self.cell
            lv = field[row, col] if isinstance(field, np.ndarray) else field
            at_b = np.where(inside & wet[row, col], lv - z[row, col], 0.0)
            at_b = np.where(np.isfinite(at_b), np.maximum(at_b, 0.0), 0.0)
            hit = (at_b, float(np.count_nonzero(wet & self.land_mask)) * self.cell_ha)
        if key not in self.floods:
            if len(self.floods) > 512:
                self.floods.clear()
            self.floods[key] = hit
        return hit

    def spill(self, level: float, crest: float, drawn: DrawnDike | None = None,
              gradient: float = 0.0) -> Spill:
        """Spill levels of the DEM with the defences (as :meth:`dem_with_dike`) for the level
        family of ``gradient`` (as :meth:`level_field`), valid at ``level``: the connected
        bathtub at ``level`` is ``spill.levels <= float32(level)`` (spill.py), identical to
        submersion.flooded_mask. Computed once per DEM and family and reused for every level
        of the window ``[level − SPILL_BELOW_M, level + SPILL_ABOVE_M]`` of the first call
        (recomputed, wider, when a level falls outside; cached, read-only)."""
        z = self.dem_with_dike(crest, drawn)
        key = (round(crest, 4), drawn.key if drawn else None)
        lv = float(np.float32(level))
        sset = self.spills.get(key)
        if sset is None or not lv >= sset.floor:
            if len(self.spills) > 8:
                self.spills.clear()
            floor = lv - SPILL_BELOW_M
            seeds = sea_seeds(z.shape, self.sea)
            start = spill_levels(z, None, seeds, floor, floor)
            sset = SpillSet(floor, start, region_seeds(np.isfinite(start), seeds),
                            np.take(z, self._flat_cell()))
            self.spills[key] = sset
        uniform = gradient == 0.0 or self.axis is None
        family = 0.0 if uniform else float(gradient)
        hit = sset.families.get(family)
        if hit is None or not lv <= hit.cap:
            cached = sum(len(other.families) + 1 for other in self.spills.values())
            if len(sset.families) > 16 or (cached + 1) * z.size * 4 > SPILL_CACHE_BYTES:
                for other in self.spills.values():
                    other.families.clear()
            cap = max(lv + SPILL_ABOVE_M, hit.cap if hit is not None else lv)
            t = None if uniform else gradient * self.axis
            if uniform or gradient > 0:  # t ≥ 0: the region below the floor floods first
                levels = spill_levels(z, t, sset.seeds, sset.floor, cap, start=sset.start)
            else:
                levels = spill_levels(z, t, sea_seeds(z.shape, self.sea), sset.floor, cap)
            levels.flags.writeable = False
            hit = Spill(cap, levels, np.take(levels, self._flat_cell()), sset.z_at_buildings)
            sset.families[family] = hit
        return hit

    def _per_building(self, key, compute) -> np.ndarray:
        """``at_buildings[key]``, computed by ``compute()`` on first use (at most 16 kept)."""
        hit = self.at_buildings.get(key)
        if hit is None:
            hit = compute()
            if len(self.at_buildings) > 16:
                self.at_buildings.clear()
            self.at_buildings[key] = hit
        return hit

    def _flat_cell(self) -> np.ndarray:
        """Flat index of each building's DEM cell (cached)."""
        return self._per_building("flat", lambda: np.ravel_multi_index(self.cell[:2],
                                                                       self.dem.shape))

    def _axis_at_buildings(self) -> np.ndarray:
        """Position along the estuary of each building's DEM cell (cached)."""
        return self._per_building("axis", lambda: np.take(self.axis, self._flat_cell()))

    def _dry_land_buildings(self, high_water: float) -> np.ndarray:
        """Buildings inside the DEM whose cell is not today's foreshore (cached)."""
        return self._per_building(("land", round(float(high_water), 4)), lambda: (
            self.cell[2] & ~np.take(self.intertidal(high_water), self._flat_cell())))

    def _land_spill(self, sp: Spill, high_water: float) -> np.ndarray:
        """The finite spill levels of the land cells that are not today's foreshore (the
        cells the flooded area counts), cached per spring high water."""
        key = round(float(high_water), 4)
        hit = sp.land.get(key)
        if hit is None:
            vals = sp.levels[self.land_mask & ~self.intertidal(high_water)]
            hit = vals[np.isfinite(vals)]
            sp.land[key] = hit
        return hit

    def dem_with_dike(self, crest: float, drawn: DrawnDike | None = None) -> np.ndarray:
        """The DEM with today's defences at their own crest, the dike line raised to ``crest``
        (never lowered) and the drawn dike at its own crest (cached: read-only array)."""
        z = self.dem.values
        if crest <= 0 and drawn is None and self.defence is None:
            return z
        key = (round(crest, 4), drawn.key if drawn else None)
        if key not in self.burned:
            if len(self.burned) > 8:
                self.burned.clear()
                self.spills.clear()
            self.spills.pop(key, None)  # spill levels of an earlier DEM under this key
            burnt = z.copy()
            if self.defence is not None:
                with np.errstate(invalid="ignore"):
                    np.fmax(burnt, self.defence, out=burnt, where=np.isfinite(burnt))
            if crest > 0:
                burnt = burn_dike(burnt, self.dike_cells, crest)
            if drawn is not None:
                burnt = burn_dike(burnt, drawn.cells, drawn.crest)
            burnt.flags.writeable = False
            self.burned[key] = burnt
        return self.burned[key]


_CACHE: dict[tuple, Prepared] = {}
#: Memory the spill levels of one prepared territory may hold (float32 rasters): beyond it the
#: cached level families are dropped (recomputed when needed).
SPILL_CACHE_BYTES = 256 * 2**20


_DEFENDED: dict[tuple, Prepared] = {}


def prepare(territory) -> Prepared:
    """Read and pre-compute what does not depend on the scenario (cached), then today's
    defences of the territory's ``dikes`` layer if it has one (cached per layer object: a
    browser session's own dike layer reuses the rest)."""
    base = _prepare_base(territory)
    if not territory.has_layer("dikes"):
        return base
    dikes = territory.layer("dikes")
    key = (id(base), id(dikes))
    hit = _DEFENDED.get(key)
    if hit is None:
        if len(_DEFENDED) > 4:
            _DEFENDED.clear()
        hit = with_defences(base, dikes)
        _DEFENDED[key] = hit
    return hit


def with_defences(base: Prepared, dikes: gpd.GeoDataFrame) -> Prepared:
    """``base`` with today's defences: each line of ``dikes`` burnt into the DEM at its own
    ``crest_m`` (baseline and options), and its cells the line the "raise the dike" option
    raises (its length for the cost); the caches of ``base`` are not shared."""
    from dataclasses import replace

    dikes = dikes.reset_index(drop=True)
    if "crest_m" not in dikes.columns:  # the schema requires it; a hand-built layer may not
        raise TwinInputError("missing_column", "dikes", layer="dikes", column="crest_m",
                             dtype="float", units="m", found=", ".join(map(str, dikes.columns)))
    grid = defence_grid(base.dem, dikes)
    crest = pd.to_numeric(dikes["crest_m"], errors="coerce").to_numpy(dtype=float)
    note = (f"{len(dikes)} defence line(s) of the dikes layer, {dikes.length.sum() / 1e3:.1f} km, "
            f"crest {np.nanmin(crest):.2f}-{np.nanmax(crest):.2f} m above mean sea level, "
            "burnt into the DEM")
    return replace(base, dike_cells=np.isfinite(grid), dike_length_m=float(dikes.length.sum()),
                   defence=grid, defence_note=note, dikes=dikes, floods={}, burned={},
                   spills={}, drawn_cells={}, at_buildings={},
                   intertidal_masks={})


def _prepare_base(territory) -> Prepared:
    layers = {n: territory.layer(n) for n in ("communes", "erosion", "dem", "buildings")}
    key = (territory.id,) + tuple(id(v) for v in layers.values())
    if key in _CACHE:
        return _CACHE[key]
    communes, arcs, dem, buildings = (layers[n] for n in ("communes", "erosion", "dem",
                                                          "buildings"))
    arcs = arcs.reset_index(drop=True)
    dem = dem.astype("float32")
    land = shapely.union_all(communes.geometry.to_numpy())
    shapely.prepare(land)
    from rasterio.features import geometry_mask

    land_mask = ~geometry_mask([land], out_shape=dem.shape, transform=dem.rio.transform())
    z = dem.values
    with np.errstate(invalid="ignore"):
        sea = (~land_mask) & np.isfinite(z) & (z < 0)
    if not sea.any():
        sea = None  # fall back to the array's edge
    t = dem.rio.transform()
    cell_ha = abs(t.a * t.e) / 1e4
    buildings = buildings.reset_index(drop=True)
    pts = buildings.geometry
    if not (pts.geom_type == "Point").all():
        pts = pts.representative_point()
    # per-building exposure inputs, by partitions for a large layer (exposure.exposure_table)
    table = ex.exposure_table(buildings, arcs, dem)
    dist = table[[f"dist_{j}" for j in range(len(arcs))]].to_numpy(dtype=float) \
        if len(arcs) else np.zeros((len(buildings), 0))
    line = arcs  # the "raise the dike" option's line without a dikes layer
    dike_cells = line_cells(dem, line)
    # urban fronts (nourished shore): eroding shoreline points with enough buildings nearby
    bxy = np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])
    tree = cKDTree(bxy) if len(bxy) else None
    rates = pd.to_numeric(arcs["taux_m_per_yr"], errors="coerce").to_numpy(dtype=float)
    share = np.zeros(len(arcs))
    samples, is_front = [], []
    for j, (geom, rate) in enumerate(zip(arcs.geometry, rates, strict=True)):
        n = max(int(geom.length // FRONT_SAMPLE_M), 1)
        xy = shapely.get_coordinates(
            shapely.line_interpolate_point(geom, np.linspace(0, geom.length, n + 1)))
        front = np.zeros(len(xy), dtype=bool)
        if rate < 0 and tree is not None:
            counts = tree.query_ball_point(xy, URBAN_FRONT_M, return_length=True)
            front = np.asarray(counts) >= URBAN_FRONT_MIN_BUILDINGS
        share[j] = float(front.mean())
        samples.append(xy)
        is_front.append(front)
    behind = np.zeros(len(bxy), dtype=bool)
    if samples and len(bxy):
        _, nearest = cKDTree(np.concatenate(samples)).query(bxy)
        behind = np.concatenate(is_front)[nearest]
    lengths = arcs.length.to_numpy()
    # position of every DEM cell along the estuary axis; 0 on the ocean side (the ocean
    # communes, i.e. those with a Cerema arc, and the sea west of x = 380 km)
    xs = dem[dem.rio.x_dim].values
    ys = dem[dem.rio.y_dim].values
    axis = estuary_position(xs[None, :], ys[:, None]).astype(np.float32)
    ocean_codes = set(arcs["code_insee"].astype(str)) if "code_insee" in arcs else set()
    ocean = communes[communes["code_insee"].astype(str).isin(ocean_codes)]
    ocean_mask = ~geometry_mask(list(ocean.geometry), out_shape=dem.shape,
                                transform=dem.rio.transform()) if len(ocean) else \
        np.zeros(dem.shape, dtype=bool)
    ocean_mask |= (~land_mask) & (xs[None, :] < 380_000.0)
    axis[ocean_mask] = 0.0
    axis.flags.writeable = False
    prep = Prepared(arcs=arcs, rates=rates, land=land, dem=dem, land_mask=land_mask, sea=sea,
                    cell_ha=cell_ha, buildings=buildings, dist=dist, communes=communes,
                    dike_cells=dike_cells, dike_length_m=float(line.length.sum()),
                    nourished_length_m=float(np.sum(share * lengths)), front_share=share,
                    behind_front=behind, value=table["value"].to_numpy(),
                    unit_damage=table["unit_damage"].to_numpy(),
                    cell=(table["row"].to_numpy(), table["col"].to_numpy(),
                          table["inside"].to_numpy(dtype=bool)), axis=axis)
    _CACHE.clear()  # keep one territory in memory
    _DEFENDED.clear()
    compile_spill_kernel()  # one-off, with the preparation (≈ 1.5 s the first time)
    _CACHE[key] = prep
    return prep


# -- one state of the coast at one year --------------------------------------------------
@dataclass
class State:
    year: int
    slr: float
    level: float
    retreat: np.ndarray  # per arc (m)
    in_band: np.ndarray  # per building
    depth: np.ndarray  # per building (m)
    flooded_ha: float


def _state(prep: Prepared, s: CoastScenario, year: int, nourishment_pct: float, crest: float,
           slr_base: float, gw: float, rp: int | None = None,
           drawn: DrawnDike | None = None) -> State:
    slr = float(scenario_slr(s, year, gw))

    def arc_retreat(pct: float) -> np.ndarray:
        r = shoreline_retreat(prep.rates, year, slr - slr_base, s.active_length_m,
                              s.berm_height_m, s.closure_depth_m, pct, s.event_retreat_m)
        return np.broadcast_to(np.asarray(r, dtype=float), prep.rates.shape)

    natural, nourished = arc_retreat(0.0), arc_retreat(nourishment_pct)
    # nourishment acts on the urban fronts only: per arc, the length-weighted retreat
    retreat = prep.front_share * nourished + (1.0 - prep.front_share) * natural
    in_band = prep.in_band(natural, nourished)
    level, gradient = _levels(s, rp or s.return_period, slr)
    depth, ha = prep.flood(level, crest, drawn, gradient, s.defence_failure == "breach",
                           s.high_water_m)
    return State(year, slr, level, retreat, in_band, depth, ha)


def _levels(s: CoastScenario, rp: float, slr: float) -> tuple[float, float]:
    """(level at Le Verdon and on the ocean coast, extra level at Ambès) in m above MSL."""
    surge = surge_at(rp)
    return (still_water_level(rp, slr, s.high_water_m),
            surge * (reach_factor(1.0, s.estuary_surge_ratio) - 1.0))


def _event_damage(prep: Prepared, s: CoastScenario, rp: float, slr: float, crest: float,
                  keep: np.ndarray, drawn: DrawnDike | None) -> float:
    level, gradient = _levels(s, rp, slr)
    depth, _ = prep.flood(level, crest, drawn, gradient, s.defence_failure == "breach",
                          s.high_water_m)
    return float(np.sum((ex.damage_fraction(depth) * prep.unit_damage)[keep]))


#: Bisection steps on ln T for the return period at which damage starts (2⁻⁶ of the bracket).
START_BISECTION_STEPS = 6


def _ead(prep: Prepared, s: CoastScenario, slr: float, crest: float, keep: np.ndarray,
         drawn: DrawnDike | None = None) -> tuple[float, float]:
    """(expected annual damage €/yr, return period at which damage starts, yr) at a sea-level
    rise: damage of the EAD_RETURN_PERIODS events, the damage-start return period found by
    bisection on ln T between the last event without damage and the first with (1 yr when the
    annual event already damages), integrated log-linearly (exposure.expected_annual_damage)."""
    dmg = [_event_damage(prep, s, rp, slr, crest, keep, drawn) for rp in EAD_RETURN_PERIODS]
    first = next((i for i, d in enumerate(dmg) if d > 0), None)
    if first is None:
        return 0.0, float("inf")
    if first == 0:
        return ex.expected_annual_damage(EAD_RETURN_PERIODS, dmg), float(EAD_RETURN_PERIODS[0])
    lo, hi = np.log(EAD_RETURN_PERIODS[first - 1]), np.log(EAD_RETURN_PERIODS[first])
    for _ in range(START_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        if _event_damage(prep, s, float(np.exp(mid)), slr, crest, keep, drawn) > 0:
            hi = mid
        else:
            lo = mid
    start = float(np.exp(lo))
    return ex.expected_annual_damage(EAD_RETURN_PERIODS, dmg, start_rp=start), start


def _ead_path(prep: Prepared, s: CoastScenario, states: list[State], crest: float, keep: np.ndarray,
              drawn: DrawnDike | None, slr_years: np.ndarray) -> tuple[np.ndarray, float]:
    """EAD (€/yr) for every year of ``slr_years`` (the sea-level rise of each year from 2025 to
    the horizon): computed at the first, middle and last state of the series (buildings in
    that year's retreat band are lost, not flooded) and interpolated in the sea-level rise of
    each year, so that the rise shifts the event frequencies year by year. Returns the path and
    the damage-start return period at the horizon."""
    picks = sorted({0, len(states) // 2, len(states) - 1})
    slr = np.array([states[i].slr for i in picks])
    out = [_ead(prep, s, states[i].slr, crest, keep & ~states[i].in_band, drawn) for i in picks]
    ead = np.array([o[0] for o in out])
    path = np.interp(slr_years, slr, ead) if len(picks) > 1 else np.full(len(slr_years), ead[0])
    return path, out[-1][1]


def _building_xy(buildings: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Lambert-93 x and y of each building (its point, or a point inside its footprint)."""
    pts = buildings.geometry
    if not (pts.geom_type == "Point").all():
        pts = pts.representative_point()
    return pts.x.to_numpy(), pts.y.to_numpy()


def run_coast(prep: Prepared, s: CoastScenario, model: Model):
    """The whole coast assessment for one scenario on a prepared territory."""
    b = prep.buildings
    rate = s.discount_pct / 100.0
    years = series_years(s.horizon, START_YEAR, SERIES_STEP)
    gw = global_warming_path(s, np.concatenate([[BASELINE_YEAR], years]))
    slr_base = float(scenario_slr(s, BASELINE_YEAR, gw[0]))
    gw_year = dict(zip(years.tolist(), gw[1:].tolist(), strict=True))
    n_years = int(s.horizon) - START_YEAR + 1

    is_public = (b["use"] == "public").to_numpy()
    dwell = b["dwellings"].to_numpy(dtype=float)
    resid = b["residents"].to_numpy(dtype=float)

    # baseline (no option) and options, for every year of the series
    drawn = prep.drawn_dike(s.dike_line, s.dike_crest_m)
    base = [_state(prep, s, y, 0.0, 0.0, slr_base, gw_year[y]) for y in years]
    opt = [_state(prep, s, y, s.nourishment_pct, s.dike_crest_m, slr_base, gw_year[y],
                  drawn=drawn) for y in years]
    h_base, h = base[-1], opt[-1]

    # relocation of the most exposed homes (judged at the horizon, with the other options)
    home = (dwell > 0) & ~is_public
    priority = np.where(h.in_band, 100.0 + h.depth, h.depth) * home
    # a setback band drawn on the map: every building in it is relocated (none is exposed)
    zone = to_shape(s.setback_zone)
    in_zone = np.zeros(len(b), dtype=bool) if zone is None else \
        shapely.contains_xy(zone, *_building_xy(b))
    relocated = ex.select_relocated(b, priority * ~in_zone, s.relocate_dwellings) | in_zone
    reloc_measure = ex.relocation(float(dwell[relocated].sum()))
    gone = [relocated if y >= START_YEAR + reloc_measure.delay_yr else np.zeros_like(relocated)
            for y in years]

    # option costs (the dike's delay also delays its flood benefit)
    dike_cells_z = prep.dem_with_dike(0.0)[prep.dike_cells]  # today's crest or ground
    raise_m = float(np.nanmean(np.maximum(s.dike_crest_m - dike_cells_z, 0.0))) \
        if s.dike_crest_m > 0 and dike_cells_z.size else 0.0
    dike_m = prep.dike_length_m if s.dike_crest_m > 0 else 0.0
    if drawn is not None:  # the drawn dike adds its length; mean raise weighted by length
        drawn_z = prep.dem.values[drawn.cells]
        drawn_raise = float(np.nanmean(np.maximum(drawn.crest - drawn_z, 0.0))) \
            if drawn_z.size and np.isfinite(drawn_z).any() else 0.0
        raise_m = (dike_m * raise_m + drawn.length_m * drawn_raise) / (dike_m + drawn.length_m)
        dike_m += drawn.length_m
    dike_measure = ex.raise_defence(dike_m, raise_m)

    # exposure at the horizon (with options)
    keep = ~relocated
    band_b = h.in_band & keep
    flood_b = (h.depth > 0) & keep
    damage = ex.damage_fraction(h.depth) * prep.unit_damage * (flood_b & ~h.in_band)
    # expected annual damage, year by year (the sea-level rise shifts the event frequencies);
    # an option's flood benefit starts once its measures work (the longest delay among the
    # active flood measures: dike 2 yr, relocation 3 yr)
    t = np.arange(n_years, dtype=float)
    slr_years = np.asarray(scenario_slr(s, START_YEAR + t, global_warming_path(
        s, START_YEAR + t)), dtype=float)
    ead_base, _ = _ead_path(prep, s, base, 0.0, np.ones(len(b), dtype=bool), None, slr_years)
    ead_opt, start_opt = _ead_path(prep, s, opt, s.dike_crest_m, keep, drawn, slr_years)
    ead_h = float(ead_opt[-1])

    # benefits: avoided flood damage + avoided retreat losses, discounted
    disc = (1.0 + rate) ** -t
    flood_delay = max([m.delay_yr for m in (dike_measure, reloc_measure)
                       if m.capex_eur > 0 or m.opex_eur_per_yr > 0] + [0])
    d_ead = np.where(t >= flood_delay, ead_base - ead_opt, 0.0)
    flood_benefit = float(np.sum(d_ead * disc))

    def retreat_loss_pv(states: list[State], loss: np.ndarray) -> float:
        first = np.full(len(b), np.inf)
        for st in reversed(states):
            first[st.in_band] = st.year
        lost = np.isfinite(first)
        return float(np.sum(loss[lost] * (1.0 + rate) ** -(first[lost] - START_YEAR)))

    # relocated households take their contents with them: only the structure is lost
    loss_opt = np.where(relocated, prep.value * (1.0 - ex.CONTENT_SHARE), prep.value)
    retreat_benefit = retreat_loss_pv(base, prep.value) - retreat_loss_pv(opt, loss_opt)

    measures = [dike_measure,
                ex.nourishment(prep.nourished_length_m, s.nourishment_pct / 100.0),
                ex.setback_band(), reloc_measure]
    costs = {m.name: m.present_cost(n_years, rate) for m in measures}
    cost = sum(costs.values())
    benefit = flood_benefit + retreat_benefit

    # setback band: homes that will not be built within setback_m of today's shoreline
    in_setback = (prep.dist <= s.setback_m).any(axis=1) if s.setback_m > 0 and \
        prep.dist.shape[1] else np.zeros(len(b), dtype=bool)
    setback_ha = 0.0
    setback_geom = None
    if s.setback_m > 0:
        setback = retreat_band(prep.arcs, np.full(len(prep.arcs), s.setback_m), prep.land)
        setback_ha = float(setback["band_ha"].sum())
        setback_geom = shapely.union_all(setback.geometry.to_numpy())
    if zone is not None:  # the drawn band: its land not already in the setback_m band
        in_setback = in_setback | in_zone
        extra = shapely.intersection(zone, prep.land)
        if setback_geom is not None:
            extra = shapely.difference(extra, setback_geom)
        setback_ha += float(extra.area) / 1e4
    avoided = ex.homes_avoided(float(dwell[in_setback].sum()), s.horizon - START_YEAR,
                               s.housing_growth_pct)
    avoided_at_risk = ex.homes_avoided(float(dwell[in_setback & (h_base.in_band | (
        h_base.depth > 0))].sum()), s.horizon - START_YEAR, s.housing_growth_pct)

    band = retreat_band(prep.arcs, h.retreat, prep.land)
    with_rate = np.isfinite(prep.rates)
    r_data = h.retreat[with_rate] if with_rate.any() else h.retreat

    values = {
        "slr_m": h.slr,
        "water_level_m": h.level,
        "water_level_upstream_m": h.level + _levels(s, s.return_period, h.slr)[1],
        "retreat_median_m": float(np.median(r_data)),
        "retreat_max_m": float(np.max(r_data)),
        "retreat_band_ha": float(band["band_ha"].sum()),
        "buildings_retreat": float(band_b.sum()),
        "residents_retreat": float(resid[band_b].sum()),
        "dwellings_retreat": float(dwell[band_b].sum()),
        "public_retreat": float((band_b & is_public).sum()),
        "flooded_ha": h.flooded_ha,
        "buildings_flooded": float(flood_b.sum()),
        "residents_flooded": float(resid[flood_b].sum()),
        "dwellings_flooded": float(dwell[flood_b].sum()),
        "public_flooded": float((flood_b & is_public).sum()),
        "residents_exposed": float(resid[band_b | flood_b].sum()),
        "damage_event_meur": float(damage.sum()) / 1e6,
        "ead_meur": ead_h / 1e6,
        "damage_start_years": start_opt,
        "retreat_loss_meur": float(prep.value[band_b].sum()) / 1e6,
        "option_cost_meur": cost / 1e6,
        "option_benefit_meur": benefit / 1e6,
        "benefit_cost_ratio": benefit / cost if cost > 0 else float("nan"),
        "relocated_dwellings": float(dwell[relocated].sum()),
        "relocation_land_ha": float(dwell[relocated].sum()) / s.relocation_density,
        "setback_band_ha": setback_ha,
        "homes_avoided": avoided,
        "homes_avoided_at_risk": avoided_at_risk,
        **{f"cost_{k}_meur": v / 1e6 for k, v in costs.items()},
    }

    # layers
    exposed = band_b | flood_b | relocated
    bl = b.loc[exposed].copy()
    bl["in_retreat_band"] = h.in_band[exposed]
    bl["flood_depth_m"] = h.depth[exposed]
    bl["damage_eur"] = damage[exposed]
    bl["relocated"] = relocated[exposed]
    per = pd.DataFrame({
        "code_insee": b["code_insee"].astype(str).to_numpy(),
        "residents_exposed": resid * (band_b | flood_b),
        "residents_retreat": resid * band_b, "residents_flooded": resid * flood_b,
        "dwellings_exposed": dwell * (band_b | flood_b),
        "dwellings_retreat": dwell * band_b, "dwellings_flooded": dwell * flood_b,
        "public_retreat": (band_b & is_public).astype(float),
        "public_flooded": (flood_b & is_public).astype(float),
        "buildings_exposed": (band_b | flood_b).astype(float),
        "damage_meur": damage / 1e6}).groupby("code_insee").sum()
    communes = prep.communes.assign(code_insee=prep.communes["code_insee"].astype(str))
    communes = communes.merge(per, left_on="code_insee", right_index=True, how="left")
    communes[per.columns] = communes[per.columns].fillna(0.0)
    wet, z, field = prep.wet(h.level, s.dike_crest_m, drawn,
                             _levels(s, s.return_period, h.slr)[1], s.defence_failure == "breach",
                             s.high_water_m)
    depth = np.zeros(z.shape, dtype=np.float32)
    np.subtract(field, z, out=depth, where=wet)
    flood = prep.dem.copy(data=np.maximum(depth, 0.0)).where(xr.DataArray(
        prep.land_mask, dims=prep.dem.dims, coords={d: prep.dem[d] for d in prep.dem.dims}))
    flood.name = "flood_depth"
    flood.attrs.update(units="m", water_level_m=h.level)

    series = pd.DataFrame({
        "year": years,
        "slr_m": [st.slr for st in opt],
        "retreat_median_m": [float(np.median(st.retreat[with_rate] if with_rate.any()
                                             else st.retreat)) for st in opt],
        "residents_retreat": [float(resid[st.in_band & ~g].sum()) for st, g in zip(opt, gone,
                                                                                    strict=True)],
        "residents_flooded": [float(resid[(st.depth > 0) & ~g].sum())
                              for st, g in zip(opt, gone, strict=True)],
        "residents_exposed": [float(resid[(st.in_band | (st.depth > 0)) & ~g].sum())
                              for st, g in zip(opt, gone, strict=True)],
        "residents_exposed_no_option": [float(resid[st.in_band | (st.depth > 0)].sum())
                                        for st in base],
    })
    shoreline = prep.arcs.copy()
    projected = prep.arcs.drop(columns=prep.arcs.geometry.name).assign(
        retreat_m=h.retreat)
    projected = gpd.GeoDataFrame(projected, geometry=projected_shoreline(
        prep.arcs, h.retreat, prep.land), crs=prep.arcs.crs)
    return model.new_result(s, values=values, series=series, notes={
        "defences": defences_note(prep, s)}, layers={
        "buildings": bl, "communes": communes, "flood": flood, "retreat_band": band,
        "shoreline": shoreline, "shoreline_projected": projected,
        **({"defences": prep.dikes} if prep.dikes is not None else {})})


def defences_note(prep: Prepared, s: CoastScenario) -> str:
    """What the flood of this run stands on: today's defences (or none), breach or not, and
    today's foreshore left out (shown on the cards' evidence)."""
    if prep.defence is None:
        text = ("no dikes layer: the 120 m DEM has no levee, the estuary flood is an upper "
                "bound without defences")
    else:
        text = prep.defence_note
    if s.defence_failure == "breach":
        text += ("; with breach (PPRL, simplified): every defence with water against it fails, "
                 "its precaution band (100 × water height behind it, at least 50 m) floods")
    elif prep.defence is not None or s.dike_crest_m > 0 or s.dike_line is not None:
        text += "; no breach: the defences hold until overtopped"
    text += (f"; cells below spring high water ({s.high_water_m:.2f} m) connected to the sea "
             "are today's foreshore or sea, not counted as flooded land, except cells holding "
             "buildings (land behind levees the 120 m DEM lacks, counted)")
    shore_ha = float(np.count_nonzero(prep.intertidal(s.high_water_m) & prep.land_mask)) \
        * prep.cell_ha
    if shore_ha > 0:
        text += (f"; {shore_ha:,.0f} ha of such unbuilt cells inside the communes are left out: "
                 "foreshore, estuary bed, or polders whose levees the DEM lacks"
                 + (" (load a dikes layer to count the polders)" if prep.defence is None
                    else ""))
    return text


class CoastModel(Model):
    spec = ModelSpec(
        id=MODEL_ID, use_case="coast", version="1.0",
        outputs=(OutputSpec("residents_exposed", "value", "hab"),
                 OutputSpec("flooded_ha", "value", "ha"),
                 OutputSpec("buildings", "layer"), OutputSpec("communes", "layer"),
                 OutputSpec("flood", "layer", "m"), OutputSpec("retreat_band", "layer"),
                 OutputSpec("shoreline", "layer"), OutputSpec("shoreline_projected", "layer"),
                 OutputSpec("exposure", "series", "hab")),
        layers=("communes", "erosion", "dem", "buildings"),
        sources=(
            "IPCC AR6 WGI (2021) SPM B.5.3, Table 9.9, Table SPM.1 (sea level, warming)",
            "Bruun (1962) J. Waterways Harbors Div. ASCE 88:117-130",
            "Le Cozannet et al. (2019) Sci. Rep. 9:42, doi:10.1038/s41598-018-37017-4",
            "Cerema, indicateur national de l'érosion côtière (2018)",
            "BRGM/OCA 2016 (major-event retreat ≈ 20 m)",
            "SONEL/SHOM, hauteurs d'eau observées lors de Xynthia (2010)",
            "Huizinga et al. (2017) JRC EUR 28552 EN, doi:10.2760/16510",
            "France Stratégie / DG Trésor (2021) taux d'actualisation 3.2 %",
            "France Stratégie / DG Trésor (2017) complément F, valeur résiduelle",
            "INSEE BT01 index (base 2010), costs in 2023 €",
            "Rosbjerg (2024) Proc. IAHS 385, doi:10.5194/piahs-385-25-2024 (EAD)",
            "Smiddest: storm Martin 1999 surges along the Gironde estuary",
            "Le Signal (Soulac-sur-Mer) buy-out, France Bleu 2020-2021",
        ),
        scenario_class=CoastScenario,
        map_layer="communes", map_column="residents_exposed", map_units="hab",
        series_y=("residents_retreat", "residents_flooded", "residents_exposed"),
        series_units="hab",
    )

    def _validate(self, territory, scenario) -> list[TwinInputError]:
        if territory is None or not all(territory.has_layer(n) for n in self.spec.layers):
            return []
        problems: list[TwinInputError] = []
        dem = territory.layer("dem")
        x0, y0, x1, y1 = dem.rio.bounds()
        box = shapely.box(x0, y0, x1, y1)
        arcs = territory.layer("erosion")
        inside = arcs.intersects(box)
        if not inside.all():
            problems.append(TwinInputError("dem_not_covering_coast", "dem",
                                           count=int((~inside).sum()), total=len(arcs)))
        if territory.has_layer("dikes"):
            dikes = territory.layer("dikes")
            if not dikes.intersects(box).all():
                problems.append(TwinInputError("dike_outside", "dikes"))
        for key in ("dike_line", "setback_zone"):
            drawn = to_shape(getattr(scenario, key, None))
            if drawn is not None and not drawn.intersects(box):
                problems.append(TwinInputError("geometry_no_data", key, key=key, layer="dem"))
        return problems

    def _run(self, territory, scenario: CoastScenario):
        return run_coast(prepare(territory), scenario, self)


#: Headline indicators first, in the order of the issue's cards (homes / residents / equipment
#: in the retreat band and in the flood, flooded area, event damage, EAD, option cost, BCR).
_INDICATORS = [
    ("dwellings_retreat", "logements", 0), ("residents_retreat", "hab", 0),
    ("public_retreat", "bâtiments", 0), ("dwellings_flooded", "logements", 0),
    ("residents_flooded", "hab", 0), ("public_flooded", "bâtiments", 0),
    ("flooded_ha", "ha", 0), ("damage_event_meur", "M€", 1), ("ead_meur", "M€/an", 2),
    ("option_cost_meur", "M€", 1), ("benefit_cost_ratio", "ratio", 2),
    ("damage_start_years", "ans", 1), ("slr_m", "m", 2), ("water_level_m", "m", 2),
    ("water_level_upstream_m", "m", 2),
    ("retreat_median_m", "m", 0),
    ("retreat_max_m", "m", 0), ("retreat_band_ha", "ha", 0),
    ("buildings_retreat", "bâtiments", 0), ("buildings_flooded", "bâtiments", 0),
    ("residents_exposed", "hab", 0), ("retreat_loss_meur", "M€", 1),
    ("option_benefit_meur", "M€", 1), ("relocated_dwellings", "logements", 0),
    ("relocation_land_ha", "ha", 1), ("setback_band_ha", "ha", 0),
    ("homes_avoided", "logements", 0), ("homes_avoided_at_risk", "logements", 0),
]
#: The page's headline cards (twin_core.headline), for an elected official or a risk analyst
#: weighing retreat against defence: who loses their home to the retreat band or is flooded by
#: the 100-year storm, the yearly cost of doing nothing (EAD) and whether the options pay
#: (benefit-cost ratio). Everything else is under "Tous les indicateurs".
HEADLINE = tuple(f"coast.{k}" for k in (
    "dwellings_retreat", "residents_retreat", "dwellings_flooded", "residents_flooded",
    "ead_meur", "benefit_cost_ratio"))
#: Ranking direction (workshop reports): False = lower is better; drivers are not ranked.
_LOWER_IS_BETTER = {
    "dwellings_retreat", "residents_retreat", "public_retreat", "dwellings_flooded",
    "residents_flooded", "public_flooded", "flooded_ha", "damage_event_meur", "ead_meur",
    "option_cost_meur", "retreat_median_m", "retreat_max_m", "retreat_band_ha",
    "buildings_retreat", "buildings_flooded", "residents_exposed", "retreat_loss_meur"}
_HIGHER_IS_BETTER = {"benefit_cost_ratio", "option_benefit_meur", "homes_avoided_at_risk"}
# -- evidence of each indicator (twin_core.evidence) -------------------------------------------
_SLR = ("coast.ar6_sea_level",)
#: Every term of the storm levels that rests on no published figure (submersion.LEVEL_SOURCES),
#: by its parameter or constant name, and the level sources, named on the cards' evidence.
_LEVELS = ("return_period", *(k for k, (lvl, _) in LEVEL_SOURCES.items() if lvl == "assumption"),
           "sea_level_option", "defence_failure")
_LEVEL_SOURCE_TEXT = ("storm levels per reach in m above mean sea level (the DEM's datum): "
                      + "; ".join(src for lvl, src in LEVEL_SOURCES.values()
                                  if lvl == "observed"))
_RETREAT = Evidence(
    "assumption", "Cerema national shoreline-change indicator (observed trend, shoreline of "
    "about 2010) + Bruun 1962 on the AR6 sea-level rise beyond the 1.8 mm/yr already in the "
    "trend (Le Cozannet et al. 2019); storm retreat on eroding and stable arcs only",
    checks=_SLR,
    assumptions=("active_length_m", "berm_height_m", "closure_depth_m", "event_retreat_m"),
    layers=("erosion",))
_FLOOD = Evidence(
    "assumption", "connected bathtub on the DEM with today's defences of the dikes layer when "
    "one is loaded (without it, no levee finer than the 120 m cells: the estuary flood is an "
    "upper bound without defences), breach or not after the PPRL guidance (precaution band "
    "100 × water height, at least 50 m); today's foreshore (below spring high water, "
    "connected to the sea) is not flooded land; " + _LEVEL_SOURCE_TEXT + " + the AR6 "
    "sea-level rise", checks=(*_SLR, "coast.storm_levels", "coast.pprl_breach"),
    assumptions=_LEVELS, layers=("dem", "erosion", "dikes"), note="defences")
_EXPOSED = Evidence(
    "assumption", "buildings in the retreat band or the flood (homes and residents per "
    "building; the flood as for the flooded area: " + _LEVEL_SOURCE_TEXT + ")",
    assumptions=("active_length_m", "closure_depth_m", "event_retreat_m", *_LEVELS),
    layers=None, note="defences")
_MONEY = Evidence(
    "assumption", "JRC 2017 depth-damage curves; expected annual damage integrated "
    "log-linearly in the return period over the 1-1000 yr events and the damage-start "
    "frequency (Rosbjerg 2024); costs and values in 2023 € (INSEE BT01), residual value "
    "at the horizon (France Stratégie), 3.2 % discount rate (exposure.py)",
    checks=("coast.ead_method",),
    assumptions=("discount_pct", *_LEVELS, "depth-damage curves and unit costs (exposure.py)"),
    layers=None, note="defences")
_EVIDENCE = {
    "slr_m": Evidence("validated", "IPCC AR6 WGI global mean sea level by warming level "
                      "(sea_level.py)", checks=_SLR,
                      assumptions=("sea_level_option", "slr_likely_position"),
                      layers=()),
    **dict.fromkeys(("water_level_m", "water_level_upstream_m"), Evidence(
        "assumption", "high water + surge × reach factor + sea-level rise (submersion.py); "
        + _LEVEL_SOURCE_TEXT, checks=(*_SLR, "coast.storm_levels"), assumptions=_LEVELS,
        layers=())),
    **dict.fromkeys(("retreat_median_m", "retreat_max_m", "retreat_band_ha"), _RETREAT),
    "flooded_ha": _FLOOD,
    **dict.fromkeys(("dwellings_retreat", "residents_retreat", "public_retreat",
                     "dwellings_flooded", "residents_flooded", "public_flooded",
                     "buildings_retreat", "buildings_flooded", "residents_exposed",
                     "relocated_dwellings", "homes_avoided", "homes_avoided_at_risk"), _EXPOSED),
    "damage_start_years": Evidence(
        "assumption", "return period of the first damaging storm (bisection on the storm "
        "levels, connected bathtub)", checks=_SLR, assumptions=_LEVELS, layers=None),
    **dict.fromkeys(("damage_event_meur", "ead_meur", "option_cost_meur", "benefit_cost_ratio",
                     "retreat_loss_meur", "option_benefit_meur"), _MONEY),
    "relocation_land_ha": Evidence("assumption", "relocated homes at the chosen density",
                                   assumptions=("relocation_density",),
                                   layers=None),
    "setback_band_ha": Evidence("observed", "band of the chosen width behind today's "
                                "shoreline (Cerema arcs)", layers=("erosion",)),
}
for _key, _units, _dec in _INDICATORS:
    value_indicator(f"coast.{_key}", MODEL_ID, _units, key=_key, decimals=_dec,
                    higher_is_better=False if _key in _LOWER_IS_BETTER
                    else True if _key in _HIGHER_IS_BETTER else None,
                    evidence=_EVIDENCE[_key])
