"""Spatial links on the integrated sample (coast, forest and ZAN on the same communes), each
checked exactly: the land taken is placed on the commune's own unbuilt land next to its
buildings and the forest loses exactly the placed area on its stands; relocated homes go to the
inland communes of the same EPCI; the homes within 50 m of the burnt forest are counted."""

import numpy as np
import pytest
import shapely

from twin_core import coupling as cp
from twin_core.territory import Territory


@pytest.fixture(scope="module")
def terr():
    return Territory.load(cp.SPATIAL_TERRITORY)


@pytest.fixture(scope="module")
def linked():
    return cp.run_integrated(cp.TerritoryScenario(horizon=2050, relocate_dwellings=300))


def test_land_is_placed_on_each_communes_own_unbuilt_land_nearest_its_buildings(terr):
    communes, buildings = terr.layer("communes"), terr.layer("buildings")
    land = {"83001": 12.3, "06138": 4.0}
    placed = cp.place_land(communes, buildings, land)
    cell_ha = cp.PLACEMENT_CELL_M ** 2 / 1e4
    for code, want in land.items():
        mine = placed[placed["code_insee"] == code]
        poly = communes.loc[communes["code_insee"] == code].geometry.item()
        got = mine["area_ha"].sum()
        assert want <= got < want + cell_ha + 1e-9  # whole cells: less than one cell over
        assert mine.geometry.apply(lambda g, p=poly: g.difference(p).area).max() < 1e-6
        pts = buildings[buildings["code_insee"] == code].geometry
        assert not mine.intersects(pts.union_all()).any()  # never on a built cell
        # nearest first; a whole cell's centre is its centroid: its distance is checked
        assert np.all(np.diff(mine["distance_m"].to_numpy()) >= 0)
        whole = mine[np.isclose(mine["area_ha"], cell_ha)]
        d = whole.centroid.apply(lambda c, p=pts: p.distance(c).min()).to_numpy()
        assert len(whole) and np.allclose(d, whole["distance_m"], atol=1e-6)


def test_stands_lose_exactly_the_placed_area_on_them(terr):
    stands = terr.layer("stands")
    placed = cp.place_land(terr.layer("communes"), terr.layer("buildings"),
                           {"83001": 50.0, "06138": 30.0})
    after, lost = cp.stands_after(stands, placed)
    taken = shapely.union_all(placed.geometry.values)
    # stand by stand (BD Forêt parts may overlap a little: the union would count them once)
    on_stands = shapely.area(shapely.intersection(stands.geometry.values, taken)).sum() / 1e4
    assert lost == pytest.approx(stands["area_ha"].sum() - after["area_ha"].sum(), rel=1e-12)
    # the sample's area_ha are rounded to 1e-3 ha: exact up to that rounding per stand hit
    hit = int(stands.intersects(shapely.union_all(placed.geometry.values)).sum())
    assert lost == pytest.approx(on_stands, abs=1e-3 * hit)
    assert lost > 0 and (after.intersection(placed.union_all()).area < 1e-3).all()
    # other communes' stands are untouched
    far = stands[~stands["code_insee"].isin(["83001", "06138"])]
    kept = after.set_index(after.geometry.apply(lambda g: g.wkb))
    assert far.geometry.apply(lambda g: g.wkb).isin(kept.index).mean() > 0.99


def test_relocated_homes_go_to_inland_communes_of_the_same_epci(linked, terr):
    results, flows, _ = linked
    flow = next(f for f in flows if f["link"] == "coast_relocation_inland")
    communes = terr.layer("communes").set_index("code_insee")
    moved = results["coast.risk"].layers["buildings"]
    moved = moved[moved["relocated"]]
    assert flow["value"] == int(moved["dwellings"].sum()) == 300
    for code in flow["by_commune"]:
        assert not communes.at[code, "coastal"]
    by_epci = moved.groupby(moved["code_insee"].map(communes["epci_code"]))["dwellings"].sum()
    got = {}
    for code, n in flow["by_commune"].items():
        got[communes.at[code, "epci_code"]] = got.get(communes.at[code, "epci_code"], 0) + n
    assert got == by_epci.to_dict()
    assert results["zan.trajectory"].scenario["params"]["incoming_dwellings"] == 300


def test_forest_runs_on_the_stands_minus_the_urbanised_cells(linked, terr):
    results, flows, layers = linked
    flow = next(f for f in flows if f["link"] == "zan_land_on_stands")
    v = results["forest.climate_risk"].values
    total = v["suitable_ha"] + v["at_risk_ha"] + v["unsuitable_ha"] + v["unknown_ha"]
    assert total == pytest.approx(layers["stands"]["area_ha"].sum(), rel=1e-9)
    assert terr.layer("stands")["area_ha"].sum() - total == pytest.approx(flow["value"],
                                                                            rel=1e-9)
    zan = results["zan.trajectory"]
    relocated_land = next(f for f in flows if f["link"] == "coast_relocation_inland")["land_ha"]
    assert flow["land_ha"] == pytest.approx(cp.land_taken_ha(zan), rel=1e-9)
    assert 0 < relocated_land <= 300 / zan.scenario["params"]["density"] + 1e-9
    assert 0 < flow["value"] < flow["placed_ha"]


def test_homes_within_50_m_of_the_burnt_forest_are_counted_exactly(linked, terr):
    results, flows, layers = linked
    flow = next(f for f in flows if f["link"] == "forest_fire_wui")
    assert cp.WUI_DISTANCE_M == flow["distance_m"] == 50.0
    fire = results["forest.climate_risk"].layers["fire"]
    burnt = fire.union_all().intersection(layers["stands"].union_all())
    b = terr.layer("buildings")
    d = b.distance(burnt)
    assert flow["wui_homes"] == b.loc[d <= 50.0, "dwellings"].sum() == flow["value"]
    assert flow["wui_residents"] == pytest.approx(b.loc[d <= 50.0, "residents"].sum())
    # a wider interface (the 200 m of woodland the OLD applies in) counts at least as many
    assert cp.wui_exposed(fire, layers["stands"], b, 200.0)["wui_homes"] >= flow["wui_homes"]


def test_forest_after_a_zan_run_loses_exactly_the_hectares_placed_on_stands(terr):
    """The ZAN page's forest table: a ZAN run's land take placed next to what is built; the
    forest left is today's minus the placed hectares on stands, and more land (a lower
    density) never leaves more forest."""
    from twin_core import runs
    from twin_core.models.registry import get_model

    S = get_model("zan.trajectory").scenario_class
    dense = runs.run("zan.trajectory", "integrated", S(group="gironde", density=30.0))
    loose = runs.run("zan.trajectory", "integrated", S(group="gironde", density=10.0))
    a = cp.forest_after_land("integrated", dense)
    b = cp.forest_after_land("integrated", loose)
    today = float(terr.layer("stands")["area_ha"].sum())
    for f in (a, b):
        assert f["forest_today_ha"] == pytest.approx(today)
        assert f["forest_after_ha"] == pytest.approx(today - f["on_stands_ha"])
        assert 0 < f["on_stands_ha"] <= f["placed_ha"]
        # whole 50 m cells: the placed area exceeds the land by less than one cell per commune
        assert f["land_ha"] <= f["placed_ha"] < f["land_ha"] + 0.25 * len(terr.layer("communes"))
    assert b["land_ha"] > a["land_ha"] and b["on_stands_ha"] >= a["on_stands_ha"]
    assert b["forest_after_ha"] <= a["forest_after_ha"]
    # the same placement as the stands cut directly
    land = cp.commune_land_ha(dense, 2050)
    placed = cp.place_land(terr.layer("communes"), terr.layer("buildings"), land)
    assert cp.stands_after(terr.layer("stands"), placed)[1] == pytest.approx(a["on_stands_ha"])
