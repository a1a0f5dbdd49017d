"""Whole-territory scenarios: shared drivers set once, every use case run, and the links between
use cases declared here, in one place.

A link between use cases (``kind="between"``) reads one value of a source model's result and sets
one parameter of a target model's scenario before the target runs (sources run first). A link
within a model (``kind="within"``) documents a dependency the model computes itself: it is not
applied here, only reported with the driver value and the values it changes. Links:

- ``coast_relocation_to_zan``: homes relocated away from the eroding or flooded coast
  (``coast.risk`` → ``relocated_dwellings``) are rebuilt in the receiving communes and take land
  there (``zan.trajectory`` → ``incoming_dwellings``, shared by population, at the ZAN density,
  counted against the 2021-2031 envelope of the Gironde group).
- ``zan_farmland_to_agriculture``: land taken by urbanisation in the ZAN communes from 2021 to
  the horizon (gross ENAF consumption, :func:`land_taken_ha`) × the farmland share of that land
  (ZAN ``agricultural_share_pct``: two thirds, Agreste Teruti-Lucas 2006-2014) is removed from the
  farmland of the agriculture use case (``farmland_loss_ha``: every crop loses the same share,
  so leached N and irrigation need fall in proportion; :mod:`~twin_core.models.agriculture.
  pipeline`).
- ``zan_forest_to_forest``: the rest of that land (natural and forest, ENAF minus farmland) is
  removed from the forest stands (``forest_loss_ha``, every stand the same share;
  :mod:`~twin_core.models.forest.effects`).
- ``forest_plan_fire_carbon`` (within ``forest.climate_risk``): the cut-and-replant plan changes
  the stand area exposed to flames over 1.2 m and the stem-wood carbon
  (:mod:`~twin_core.models.forest.effects`).

The sample territories are different places (ZAN: Gironde communes; agriculture: Côte-d'Or;
forest: Alpes-Maritimes), so the two urbanisation links are area-based, not spatial: the share of
the land taken that falls in each receiving territory is a declared parameter of the territory
scenario (``farmland_share_pct``, ``forest_share_pct``; default 100 %, i.e. "as if the urbanising
communes were in the receiving territory"). ZAN gives only the farmland share of ENAF; counting
all the rest as forest is an upper bound (it also holds heath, grassland and wetland).

On one territory (the ``integrated`` sample: coast, forest and ZAN on the same communes) the
links are spatial (:func:`run_integrated`, ``SPATIAL_LINKS``): the land taken is placed on each
commune's own unbuilt land next to its buildings and the stands lose exactly the area placed on
them; homes relocated from the coast go to the inland communes of the same EPCI; the homes within
50 m (OLD, Code forestier L134-6) of the forest burnt by the simulated fire are counted. The
area-based links above are kept only for the four samples, which do not overlap: the territory
scenario says so (``farmland_share_pct``, ``forest_share_pct``).

Shared drivers: horizon, warming (TRACC or chosen), population growth (ZAN population growth and
the coast's housing-stock growth).
"""

from __future__ import annotations

import copy
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import param

from twin_core.models.base import Result
from twin_core.models.registry import get_model
from twin_core.scenario import HORIZON_MAX, HORIZON_MIN, Scenario
from twin_core.territory import Territory


@dataclass(frozen=True)
class Link:
    """A declared link (see the module docstring); ``units`` for display."""

    id: str
    source: str  # model id
    output: str  # key of the source result's values (or what ``read`` computes)
    target: str  # model id
    param: str = ""  # target scenario parameter ("" for a link within a model)
    convert: Callable[[float], Any] = float
    read: Callable[[Result, Any], float] | None = None  # (source result, TerritoryScenario)
    kind: str = "between"  # "between" use cases | "within" one model
    effects: tuple[str, ...] = ()  # values of the target a "within" link changes
    units: str = ""

    def value(self, result: Result, ts: Any = None) -> Any:
        raw = self.read(result, ts) if self.read else result.values[self.output]
        return self.convert(raw)


def land_taken_ha(result: Result) -> float:
    """Gross ENAF land taken by the ZAN communes from 2021 to the horizon (years 2021 ≤ y <
    horizon, net consumption + renatured land: renatured plots are not given back to farming or
    forest). At horizon 2050, × ``agricultural_share_pct`` = ``agricultural_land_lost_ha``."""
    s = result.series
    horizon = int(result.scenario["params"]["horizon"])
    sel = ((s["year"] >= 2021) & (s["year"] < horizon)).to_numpy()
    return float((s["consumption_ha"] + s["renatured_ha"]).to_numpy()[sel].sum())


def _farmland_taken(result: Result, ts: Any) -> float:
    share = result.scenario["params"]["agricultural_share_pct"] / 100.0
    return land_taken_ha(result) * share * ts.farmland_share_pct / 100.0


def _forest_taken(result: Result, ts: Any) -> float:
    share = 1.0 - result.scenario["params"]["agricultural_share_pct"] / 100.0
    return land_taken_ha(result) * share * ts.forest_share_pct / 100.0


LINKS: tuple[Link, ...] = (
    Link("coast_relocation_to_zan", "coast.risk", "relocated_dwellings", "zan.trajectory",
         "incoming_dwellings", lambda v: int(round(v)), units="logements"),
    Link("zan_farmland_to_agriculture", "zan.trajectory", "farmland_taken_ha",
         "agriculture.nitrate_water", "farmland_loss_ha", read=_farmland_taken, units="ha"),
    Link("zan_forest_to_forest", "zan.trajectory", "forest_taken_ha", "forest.climate_risk",
         "forest_loss_ha", read=_forest_taken, units="ha"),
    Link("forest_plan_fire_carbon", "forest.climate_risk", "plan_area_ha", "forest.climate_risk",
         kind="within", effects=("plan_fire_exposed_cut_ha", "plan_carbon_tco2"), units="ha"),
)

#: Territory and fixed settings each use case runs with in a whole-territory scenario.
MEMBERS: dict[str, dict[str, Any]] = {
    "coast.risk": {"territory": "coast", "params": {}},
    "zan.trajectory": {"territory": "zan", "params": {"group": "gironde"}},
    "forest.climate_risk": {"territory": "forest", "params": {}},
    "agriculture.nitrate_water": {"territory": "agriculture", "params": {}},
}


class TerritoryScenario(param.Parameterized):
    """The shared drivers, plus the levers each use case keeps (``overrides``)."""

    units: ClassVar[dict[str, str]] = {"horizon": "an", "custom_warming": "°C",
                                       "population_growth_pct": "%/an",
                                       "relocate_dwellings": "logements",
                                       "farmland_share_pct": "%", "forest_share_pct": "%"}

    label = param.String(default="A", doc="Short name of the scenario in comparisons.")
    horizon = param.Integer(default=2050, bounds=(HORIZON_MIN, HORIZON_MAX),
                            doc="Horizon year of every use case.")
    warming_source = param.Selector(default="tracc", objects=["tracc", "custom"],
                                    doc="TRACC reference trajectory or a chosen level.")
    custom_warming = param.Number(default=2.7, bounds=(0.0, 6.0), step=0.1,
                                  doc="Warming level (°C vs 1850-1900) when not on the TRACC.")
    population_growth_pct = param.Number(default=0.5, bounds=(-2.0, 3.0), step=0.1,
                                         doc="Yearly population growth, every use case.")
    relocate_dwellings = param.Integer(default=0, bounds=(0, 5000), step=10,
                                       doc="Coastal homes relocated inland (coast lever).")
    farmland_share_pct = param.Number(
        default=100.0, bounds=(0.0, 100.0), step=5.0,
        doc="Share of the farmland taken by urbanisation (ZAN communes) that falls in the "
            "agriculture territory (area-based link: the sample territories do not overlap).")
    forest_share_pct = param.Number(
        default=100.0, bounds=(0.0, 100.0), step=5.0,
        doc="Share of the non-farmland ENAF taken by urbanisation counted as forest of the "
            "forest territory (area-based link; 100 % is an upper bound).")
    overrides = param.Dict(default={}, doc="model id -> {param: value} for other levers.")

    def scenario_for(self, model_id: str) -> Scenario:
        cls = get_model(model_id).scenario_class
        values: dict[str, Any] = {"label": self.label, "horizon": self.horizon,
                                  "warming_source": self.warming_source,
                                  "custom_warming": self.custom_warming}
        values.update(MEMBERS[model_id]["params"])
        if "population_growth_pct" in cls.param:
            values["population_growth_pct"] = self.population_growth_pct
        if "housing_growth_pct" in cls.param:
            lo, hi = cls.param["housing_growth_pct"].bounds
            values["housing_growth_pct"] = min(max(self.population_growth_pct, lo), hi)
        if "relocate_dwellings" in cls.param:
            values["relocate_dwellings"] = self.relocate_dwellings
        values.update(self.overrides.get(model_id, {}))
        return cls(**values)


def run_territory(ts: TerritoryScenario, territories: dict[str, Territory] | None = None
                  ) -> tuple[dict[str, Result], list[dict[str, Any]]]:
    """Run every member model; returns the results by model id and the link values applied."""
    territories = territories or {}
    order = _order()
    scenarios = {m: ts.scenario_for(m) for m in order}
    results: dict[str, Result] = {}
    flows = []
    for model_id in order:
        for link in LINKS:
            if link.target == model_id and link.kind == "between":
                value = _within_bounds(scenarios[model_id], link.param,
                                       link.value(results[link.source], ts))
                scenarios[model_id].param.update(**{link.param: value})
                flows.append({"link": link.id, "source": link.source, "output": link.output,
                              "target": link.target, "param": link.param, "value": value})
        terr = territories.get(model_id) or Territory.load(MEMBERS[model_id]["territory"])
        results[model_id] = get_model(model_id).run(terr, scenarios[model_id])
    for link in LINKS:
        if link.kind == "within":
            values = results[link.source].values
            flows.append({"link": link.id, "source": link.source, "output": link.output,
                          "target": link.target, "param": link.param,
                          "value": link.value(results[link.source], ts),
                          "effects": {k: float(values[k]) for k in link.effects}})
    return results, flows


def _within_bounds(scenario: Scenario, name: str, value: Any) -> Any:
    """A linked value clipped to the target parameter's bounds (a flow never fails a run)."""
    lo, hi = getattr(scenario.param[name], "bounds", None) or (None, None)
    if lo is not None and value < lo:
        value = type(value)(lo)
    if hi is not None and value > hi:
        value = type(value)(hi)
    return value


def _order() -> list[str]:
    """Members with every link's source before its target (links form no cycle)."""
    remaining = list(MEMBERS)
    order: list[str] = []
    while remaining:
        ready = [m for m in remaining
                 if all(link.source in order for link in LINKS
                        if link.target == m and link.kind == "between")]
        if not ready:
            raise RuntimeError("the links between use cases form a cycle")
        order.extend(ready)
        remaining = [m for m in remaining if m not in ready]
    return order


# == spatial links: use cases on the same communes (the "integrated" sample) ====================
#: Buildings within this distance of burning forest are in the wildland–urban interface: the
#: French legal brush-clearing obligation (obligations légales de débroussaillement, OLD)
#: covers 50 m around every construction in or near woodland (Code forestier, art. L134-6),
#: the distance over which radiant heat and embers from a forest fire reach a house.
WUI_DISTANCE_M = 50.0
#: Side of the cells on which urbanisation is placed (m): 0.25 ha.
PLACEMENT_CELL_M = 50.0
#: Whole-territory runs on one territory; area-based links (``LINKS``) remain for the sample
#: territories, which do not overlap.
SPATIAL_TERRITORY = "integrated"
SPATIAL_LINKS = (
    "zan_land_on_stands: land taken by urbanisation (ZAN, 2021 → horizon, gross) is placed on "
    "each commune's own unbuilt land, nearest cells to its buildings first; the forest stands "
    "lose exactly the placed area that falls on them",
    "coast_relocation_inland: homes relocated from the coast go to the inland communes of the "
    "same EPCI (by population) and take land there at the ZAN density, placed the same way",
    "forest_fire_wui: homes and residents of the buildings within WUI_DISTANCE_M (50 m, OLD, "
    "Code forestier L134-6) of the forest burnt by the simulated fire",
)


def _largest_remainder(total: int, weights) -> list[int]:
    import numpy as np

    w = np.asarray(weights, dtype=float)
    if total <= 0 or w.sum() <= 0:
        return [0] * len(w)
    raw = total * w / w.sum()
    out = np.floor(raw).astype(int)
    out[np.argsort(-(raw - out), kind="stable")[: total - int(out.sum())]] += 1
    return [int(v) for v in out]


def commune_land_ha(zan: Result, horizon: int) -> dict[str, float]:
    """Gross land taken per commune, 2021 ≤ year < horizon (ZAN trajectories, ha)."""
    traj = zan.layers["trajectories"]
    sel = (traj["year"] >= 2021) & (traj["year"] < horizon)
    return traj.loc[sel].groupby(traj["code_insee"].astype(str))["consumption_ha"].sum().to_dict()


def relocation_inland(coast: Result, communes) -> dict[str, int]:
    """Relocated homes by receiving commune: each origin commune's relocated dwellings go to the
    inland communes (no Cerema coastal arc) of its EPCI, shared by population."""
    bl = coast.layers.get("buildings")
    out: dict[str, int] = {}
    if bl is None or "relocated" not in bl or not bl["relocated"].any():
        return out
    moved = bl[bl["relocated"].astype(bool)].groupby("code_insee")["dwellings"].sum()
    com = communes.assign(code_insee=communes["code_insee"].astype(str))
    epci = dict(zip(com["code_insee"], com["epci_code"], strict=True))
    for origin, homes in moved.items():
        inland = com[(com["epci_code"] == epci[str(origin)]) & ~com["coastal"].astype(bool)]
        if inland.empty:  # no inland commune in the EPCI: the homes stay in the commune
            out[str(origin)] = out.get(str(origin), 0) + int(homes)
            continue
        for code, n in zip(inland["code_insee"], _largest_remainder(int(homes),
                                                                      inland["population"]),
                           strict=True):
            out[code] = out.get(code, 0) + n
    return {k: v for k, v in out.items() if v}


@dataclass(frozen=True)
class CommuneCells:
    """A commune's unbuilt cells (see :func:`placement_cells`), nearest to its buildings first:
    ``distance_m`` (cell centre to the nearest building of the commune), ``area_ha`` (cell
    clipped to the commune), its running total ``cum_ha``, and the clipped cells."""

    distance_m: Any
    area_ha: Any
    cum_ha: Any
    geometry: Any


def _commune_cells(poly, pts, cell: float) -> CommuneCells | None:
    """The ordered unbuilt cells of one commune (None: no building or no unbuilt cell)."""
    import numpy as np
    import shapely

    x0, y0, x1, y1 = poly.bounds
    xs = np.arange(np.floor(x0 / cell) * cell, x1, cell)
    ys = np.arange(np.floor(y0 / cell) * cell, y1, cell)
    gx, gy = np.meshgrid(xs, ys)
    boxes = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + cell, gy.ravel() + cell)
    prepared = shapely.from_wkb(shapely.to_wkb(poly))  # a copy: the layer is not changed
    shapely.prepare(prepared)
    inside = shapely.intersects(prepared, boxes)
    boxes = boxes[inside]
    if len(pts) == 0:
        return None
    tree = shapely.STRtree(pts)
    built = np.zeros(len(boxes), bool)
    built[np.unique(tree.query(boxes, predicate="intersects")[0])] = True
    cand = boxes[~built]
    if len(cand) == 0:
        return None
    idx, d = tree.query_nearest(shapely.centroid(cand), return_distance=True,
                                all_matches=False)
    dist = np.full(len(cand), np.inf)
    dist[idx[0]] = d
    order = np.lexsort((np.arange(len(cand)), dist))
    cand = cand[order]
    # cells wholly inside the commune are their own clip; only the boundary cells are clipped
    clipped = cand.copy()
    edge = ~shapely.contains_properly(prepared, cand)
    clipped[edge] = shapely.intersection(cand[edge], poly)
    area = shapely.area(clipped) / 1e4
    return CommuneCells(dist[order], area, np.cumsum(area), clipped)


def placement_cells(communes, buildings, cell: float = PLACEMENT_CELL_M,
                    codes=None) -> dict[str, CommuneCells]:
    """What :func:`place_land` needs that does not depend on the land to place: each commune's
    (or each of ``codes``') unbuilt ``cell`` m cells (no building point in them) clipped to the
    commune, ordered by the distance of their centre to the nearest building of the commune
    (ties by row-major position). Computed once per territory (:func:`run_integrated`)."""
    import numpy as np

    codes_all = communes["code_insee"].astype(str).to_numpy()
    bcode = buildings["code_insee"].astype(str).to_numpy()
    bgeom = np.asarray(buildings.geometry.values)
    out: dict[str, CommuneCells] = {}
    for code, poly in zip(codes_all, communes.geometry.values, strict=True):
        if codes is not None and code not in codes:
            continue
        cells = _commune_cells(poly, bgeom[bcode == code], cell)
        if cells is not None:
            out[code] = cells
    return out


def place_land(communes, buildings, land_ha: dict[str, float], cell: float = PLACEMENT_CELL_M,
               cells: dict[str, CommuneCells] | None = None):
    """Cells of ``cell`` m (clipped to the commune) where each commune's land take goes: the
    commune's unbuilt cells (no building point in them), nearest to its buildings first, until
    the land is reached (whole cells: the placed area exceeds the land by less than one cell).
    ``cells``: :func:`placement_cells` of the same layers and ``cell``, computed once (else
    computed here for the communes with land). Returns a GeoDataFrame (code_insee, order,
    distance_m from the cell's centre to the nearest building of the commune, area_ha,
    geometry)."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd

    if cells is None:
        cells = placement_cells(communes, buildings, cell,
                                codes={str(k) for k, v in land_ha.items() if float(v) > 0})
    parts = []
    for code in communes["code_insee"].astype(str):
        want = float(land_ha.get(code, 0.0))
        c = cells.get(code)
        if want <= 0 or c is None:
            continue
        # the nearest cells until their running total reaches the land (a whole last cell)
        n = min(int(np.searchsorted(c.cum_ha, want - 1e-9) + 1), len(c.area_ha))
        parts.append((code, n, c))
    if not parts:
        return gpd.GeoDataFrame({"code_insee": [], "order": [], "distance_m": [],
                                 "area_ha": []}, geometry=[], crs=communes.crs)
    frame = pd.DataFrame({
        "code_insee": np.concatenate([np.full(n, code, dtype=object) for code, n, _ in parts]),
        "order": np.concatenate([np.arange(n) for _, n, _ in parts]),
        "distance_m": np.concatenate([c.distance_m[:n] for _, n, c in parts]),
        "area_ha": np.concatenate([c.area_ha[:n] for _, n, c in parts])})
    geoms = np.concatenate([c.geometry[:n] for _, n, c in parts])
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=communes.crs)


def stands_after(stands, placed):
    """The stands minus the placed cells (area_ha recomputed where a stand lost land, stands
    left with nothing dropped) and the hectares lost (sum of the area_ha differences). Each
    stand hit loses the union of the cells that touch it (an index query, not one union of
    every cell)."""
    import numpy as np
    import shapely

    if len(placed) == 0:
        return stands, 0.0
    cells = np.asarray(placed.geometry.values)
    geoms = np.asarray(stands.geometry.values)
    cell_i, stand_i = shapely.STRtree(geoms).query(cells, predicate="intersects")
    hit_idx = np.unique(stand_i)
    out = stands.copy()
    if len(hit_idx):
        by = np.argsort(stand_i, kind="stable")
        cuts = np.searchsorted(stand_i[by], hit_idx[1:])
        taken = np.array([shapely.union_all(cells[g]) for g in np.split(cell_i[by], cuts)],
                         dtype=object)
        new = shapely.difference(geoms[hit_idx], taken)
        hit = np.zeros(len(stands), bool)
        hit[hit_idx] = True
        out.loc[hit, "geometry"] = new
        out.loc[hit, "area_ha"] = shapely.area(new) / 1e4
    lost = float(stands["area_ha"].sum() - out["area_ha"].sum())
    keep = ~(out.geometry.is_empty | (out["area_ha"] <= 0))
    return out[keep].reset_index(drop=True), lost


def wui_exposed(fire, stands, buildings, distance_m: float = WUI_DISTANCE_M) -> dict[str, float]:
    """Homes (dwellings) and residents of the buildings within ``distance_m`` of the burnt forest
    (the fire's burnt area ∩ the stands); only the buildings and stands within the fire's
    bounds + ``distance_m`` are measured (the others cannot be that near)."""
    import shapely

    if fire is None or len(fire) == 0:
        return {"wui_buildings": 0.0, "wui_homes": 0.0, "wui_residents": 0.0}
    x0, y0, x1, y1 = fire.total_bounds
    pad = distance_m + 1.0
    stands = stands.cx[x0 - pad:x1 + pad, y0 - pad:y1 + pad]
    buildings = buildings.cx[x0 - pad:x1 + pad, y0 - pad:y1 + pad]
    burnt = shapely.intersection(shapely.union_all(fire.geometry.values),
                                 shapely.union_all(stands.geometry.values))
    near = buildings.distance(burnt).to_numpy() <= distance_m
    sel = buildings[near]
    return {"wui_buildings": float(len(sel)), "wui_homes": float(sel["dwellings"].sum()),
            "wui_residents": float(sel["residents"].sum())}


_PLACEMENT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _prepared_cells(territory: Territory) -> dict[str, CommuneCells]:
    """:func:`placement_cells` of a territory, computed once per territory object."""
    cells = _PLACEMENT.get(territory)
    if cells is None:
        cells = placement_cells(territory.layer("communes"), territory.layer("buildings"))
        _PLACEMENT[territory] = cells
    return cells


def forest_after_land(territory_id: str, zan: Result) -> dict[str, float]:
    """The territory's forest once a ZAN run's land take (gross, 2021 ≤ year < its horizon,
    per commune) is placed next to what is built (:func:`place_land`, the same placement as
    :func:`run_integrated`): the stands lose the placed hectares that fall on them
    (:func:`stands_after`). Returns forest_today_ha, land_ha, placed_ha, on_stands_ha and
    forest_after_ha = forest_today_ha − on_stands_ha (ha)."""
    from twin_core import runs

    base = runs.territory(territory_id)
    horizon = int(zan.scenario.get("params", {}).get("horizon", 2050))
    land = commune_land_ha(zan, horizon)
    placed, _, lost = _place_on_stands(base, land)
    today = float(base.layer("stands")["area_ha"].sum())
    return {"forest_today_ha": today, "land_ha": float(sum(land.values())),
            "placed_ha": float(placed["area_ha"].sum()), "on_stands_ha": lost,
            "forest_after_ha": today - lost}


def _place_on_stands(base: Territory, land: dict[str, float]):
    """(placed cells, stands left, hectares lost by the stands) for ``land`` (ha per commune)
    placed next to what is built on ``base`` (its prepared placement cells)."""
    placed = place_land(base.layer("communes"), base.layer("buildings"), land,
                        cells=_prepared_cells(base))
    stands, lost = stands_after(base.layer("stands"), placed)
    return placed, stands, lost


def run_integrated(ts: TerritoryScenario, territory: str = SPATIAL_TERRITORY,
                   ignition: tuple[float, float] | None = None
                   ) -> tuple[dict[str, Result], list[dict[str, Any]], dict[str, Any]]:
    """Coast, ZAN and forest on the same communes with the spatial links (``SPATIAL_LINKS``).

    Returns the results, the flows (one per link, with its value) and the layers the links
    made (``placed``: the urbanised cells; ``stands``: the stands the forest ran on).

    Cached: the territory (:func:`twin_core.runs.territory`, layers read once), its placement
    cells (:func:`placement_cells`, once per territory object), the coast and ZAN runs
    (:func:`twin_core.runs.run`, on their scenario). The forest runs each time (on the cut
    stands)."""
    from twin_core import runs

    base = runs.territory(territory)  # loaded once per process (layers read once)
    communes = base.layer("communes")
    buildings = base.layer("buildings")
    forest = get_model("forest.climate_risk")
    results: dict[str, Result] = {}
    # coast and ZAN run on the unchanged territory: cached on their scenario (runs.run)
    results["coast.risk"] = runs.run("coast.risk", territory, ts.scenario_for("coast.risk"))
    homes = relocation_inland(results["coast.risk"], communes)
    z = ts.scenario_for("zan.trajectory")
    z.param.update(group="gironde")  # the key of the synthetic land-take table
    without = runs.run("zan.trajectory", territory, z)
    z_in = ts.scenario_for("zan.trajectory")
    z_in.param.update(group="gironde", incoming_dwellings=_within_bounds(
        z_in, "incoming_dwellings", int(sum(homes.values()))))
    results["zan.trajectory"] = runs.run("zan.trajectory", territory, z_in)
    land = commune_land_ha(without, ts.horizon)
    # the relocated homes' land, as the ZAN model counts it (run with minus run without), goes
    # where the homes go (the ZAN model itself shares incoming homes over all its communes)
    extra = land_taken_ha(results["zan.trajectory"]) - land_taken_ha(without)
    n_homes = sum(homes.values())
    for code, n in homes.items():
        land[code] = land.get(code, 0.0) + extra * n / n_homes
    placed, stands, lost = _place_on_stands(base, land)
    # a fresh territory object with the base's layers read (the forest prepares it anew)
    linked = Territory(base.root, copy.deepcopy(base.manifest))
    linked._cache.update({k: v for k, v in base._cache.items() if k != "stands"})
    linked._cache["stands"] = stands
    f = ts.scenario_for("forest.climate_risk")
    if ignition is None:
        st = base.layer("stands")
        p = st.geometry.iloc[int(st.area.argmax())].representative_point()
        ignition = (p.x, p.y)
    f.param.update(ignition_x=float(ignition[0]), ignition_y=float(ignition[1]))
    results["forest.climate_risk"] = forest.run(linked, f)
    wui = wui_exposed(results["forest.climate_risk"].layers.get("fire"), stands, buildings)
    flows = [
        {"link": "zan_land_on_stands", "source": "zan.trajectory", "target":
         "forest.climate_risk", "value": lost, "units": "ha",
         "land_ha": float(sum(land.values())), "placed_ha": float(placed["area_ha"].sum())},
        {"link": "coast_relocation_inland", "source": "coast.risk", "target": "zan.trajectory",
         "value": int(sum(homes.values())), "units": "logements", "by_commune": homes,
         "land_ha": float(extra)},
        {"link": "forest_fire_wui", "source": "forest.climate_risk", "target": "coast.risk",
         "value": wui["wui_homes"], "units": "logements", **wui,
         "distance_m": WUI_DISTANCE_M},
    ]
    return results, flows, {"placed": placed, "stands": stands}
