"""The fast land placement of the integrated territory (cells prepared once per territory, a
running-total cut per commune; stands cut by the cells touching each) gives the same result as
the code it replaced, kept below verbatim as the reference (``place_land_ref``,
``stands_after_ref``: commit 2f94115): same hectares placed per commune, same hectares on the
stands, same cells; and placing more land never lowers the hectares taken from the stands."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from twin_core import coupling as cp
from twin_core import runs


def place_land_ref(communes, buildings, land_ha, cell=cp.PLACEMENT_CELL_M):
    """The placement before issue 17/18 (a grid, clip and nearest query per call)."""
    rows = []
    for c in communes.itertuples():
        want = float(land_ha.get(str(c.code_insee), 0.0))
        if want <= 0:
            continue
        poly = c.geometry
        x0, y0, x1, y1 = poly.bounds
        xs = np.arange(np.floor(x0 / cell) * cell, x1, cell)
        ys = np.arange(np.floor(y0 / cell) * cell, y1, cell)
        gx, gy = np.meshgrid(xs, ys)
        boxes = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + cell, gy.ravel() + cell)
        inside = shapely.intersects(poly, boxes)
        boxes = boxes[inside]
        mine = buildings[buildings["code_insee"].astype(str) == str(c.code_insee)]
        pts = np.asarray(mine.geometry.values)
        tree = shapely.STRtree(pts)
        built = np.zeros(len(boxes), bool)
        built[np.unique(tree.query(boxes, predicate="intersects")[0])] = True
        cand = boxes[~built]
        if len(pts) == 0 or len(cand) == 0:
            continue
        idx, d = tree.query_nearest(shapely.centroid(cand), return_distance=True,
                                    all_matches=False)
        dist = np.full(len(cand), np.inf)
        dist[idx[0]] = d
        order = np.lexsort((np.arange(len(cand)), dist))
        clipped = shapely.intersection(cand[order], poly)
        area = shapely.area(clipped) / 1e4
        n = int(np.searchsorted(np.cumsum(area), want - 1e-9) + 1)
        n = min(n, len(clipped))
        rows.append(gpd.GeoDataFrame({"code_insee": str(c.code_insee), "order": np.arange(n),
                                      "distance_m": dist[order][:n], "area_ha": area[:n]},
                                     geometry=clipped[:n], crs=communes.crs))
    return gpd.GeoDataFrame(pd.concat(rows, ignore_index=True), crs=communes.crs)


def stands_after_ref(stands, placed):
    """The stands cut before issue 17/18 (one union of every placed cell)."""
    taken = shapely.union_all(placed.geometry.values)
    hit = stands.intersects(taken).to_numpy()
    out = stands.copy()
    geoms = shapely.difference(out.geometry.values[hit], taken)
    out.loc[hit, "geometry"] = geoms
    out.loc[hit, "area_ha"] = shapely.area(geoms) / 1e4
    lost = float(stands["area_ha"].sum() - out["area_ha"].sum())
    keep = ~(out.geometry.is_empty | (out["area_ha"] <= 0))
    return out[keep].reset_index(drop=True), lost


@pytest.fixture(scope="module")
def terr():
    return runs.territory(cp.SPATIAL_TERRITORY)


@pytest.fixture(scope="module")
def land(terr):
    """Every commune a different land take, of the size of a 2050 scenario (≈ 430 ha each)."""
    codes = sorted(terr.layer("communes")["code_insee"].astype(str))
    return {code: 90.0 * (i + 1) + 0.37 for i, code in enumerate(codes)}


def test_fast_placement_equals_the_reference_per_commune_and_on_stands(terr, land):
    communes, buildings, stands = (terr.layer("communes"), terr.layer("buildings"),
                                   terr.layer("stands"))
    new = cp.place_land(communes, buildings, land, cells=cp._prepared_cells(terr))
    ref = place_land_ref(communes, buildings, land)
    by_new = new.groupby("code_insee")["area_ha"].sum()
    by_ref = ref.groupby("code_insee")["area_ha"].sum()
    assert list(by_new.index) == list(by_ref.index) and len(by_ref) == len(land)
    assert np.allclose(by_new.to_numpy(), by_ref.to_numpy(), rtol=1e-6, atol=0)
    for code, want in land.items():  # the land is reached, by less than one more cell
        assert want <= by_new[code] < want + cp.PLACEMENT_CELL_M ** 2 / 1e4
    # the same cells in the same order
    assert len(new) == len(ref) and (new["code_insee"].to_numpy() == ref["code_insee"]).all()
    assert np.array_equal(new["distance_m"].to_numpy(), ref["distance_m"].to_numpy())
    assert shapely.area(shapely.symmetric_difference(new.geometry.values,
                                                     ref.geometry.values)).max() < 1e-6
    after, lost = cp.stands_after(stands, new)
    after_ref, lost_ref = stands_after_ref(stands, ref)
    assert lost > 100 and lost == pytest.approx(lost_ref, rel=1e-6)
    assert after["area_ha"].sum() == pytest.approx(after_ref["area_ha"].sum(), rel=1e-6)
    assert len(after) == len(after_ref)
    # without prepared cells (computed on the call, for the communes with land): the same
    two = {k: land[k] for k in list(land)[:2]}
    alone = cp.place_land(communes, buildings, two)
    assert np.array_equal(alone["area_ha"].to_numpy(),
                          new[new["code_insee"].isin(list(two))]["area_ha"].to_numpy())


def test_integrated_run_hectares_on_stands_equal_the_reference_cut(terr):
    _, flows, made = cp.run_integrated(cp.TerritoryScenario(horizon=2050,
                                                            relocate_dwellings=300))
    flow = next(f for f in flows if f["link"] == "zan_land_on_stands")
    _, lost_ref = stands_after_ref(terr.layer("stands"), made["placed"])
    assert flow["value"] > 0 and flow["value"] == pytest.approx(lost_ref, rel=1e-6)
    assert flow["placed_ha"] == pytest.approx(made["placed"]["area_ha"].sum(), rel=1e-12)
    assert flow["land_ha"] <= flow["placed_ha"] < flow["land_ha"] + 10 * 0.25  # 10 communes


def test_more_land_never_lowers_the_hectares_on_stands(terr, land):
    communes, buildings, stands = (terr.layer("communes"), terr.layer("buildings"),
                                   terr.layer("stands"))
    cells = cp._prepared_cells(terr)
    lost_prev, placed_prev = -1.0, None
    for k in (0.0, 0.05, 0.2, 0.5, 1.0, 2.0):
        placed = cp.place_land(communes, buildings, {c: v * k for c, v in land.items()},
                               cells=cells)
        _, lost = cp.stands_after(stands, placed)
        assert lost >= lost_prev - 1e-9
        if placed_prev is not None and len(placed_prev):  # the smaller take is a prefix
            for code, prev in placed_prev.groupby("code_insee"):
                now = placed[placed["code_insee"] == code]
                assert np.array_equal(now["distance_m"].to_numpy()[:len(prev)],
                                      prev["distance_m"].to_numpy())
        lost_prev, placed_prev = lost, placed
    assert lost_prev > 0


def test_placement_is_prepared_once_per_territory_and_anew_after_a_layer_is_replaced():
    terr = runs.territory(cp.SPATIAL_TERRITORY)
    cells = cp._prepared_cells(terr)
    assert cp._prepared_cells(terr) is cells  # one preparation per territory object
    buildings = terr.layer("buildings")
    code = "06138"
    runs.forget_territory()  # what the page does after a layer is replaced
    fresh = runs.territory(cp.SPATIAL_TERRITORY)
    assert fresh is not terr
    # a territory whose commune lost half its buildings: other cells, nearer ones further
    fresh._cache["buildings"] = buildings.drop(
        buildings.index[(buildings["code_insee"] == code).to_numpy()][::2])
    again = cp._prepared_cells(fresh)
    assert again is not cells
    assert len(again[code].area_ha) > len(cells[code].area_ha)
    assert again[code].distance_m.mean() > cells[code].distance_m.mean()
    runs.forget_territory()
