"""Geometries drawn on the map change the models in the expected direction, by an amount
computed independently: a dike ring dries the flooded buildings it encloses, a setback band
removes its buildings from the exposure, a zone to renature is renatured to the hectare, and
a zone of excluded stands keeps them out of the cut-and-replant plan."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from scipy import ndimage

from twin_core.drawn import from_parts
from twin_core.models.registry import get_model
from twin_core.territory import Territory, data_dir

#: An inland square of the Médoc (no sea cell inside) holding flooded buildings at 2050.
DIKE_SQUARE = (410_322.0, 6_446_174.0, 411_522.0, 6_447_374.0)


def _needs(territory: str) -> None:
    assert (data_dir() / territory / "territory.json").exists(), \
        f"data/{territory}/territory.json is missing: the sample territories are committed"


@pytest.fixture(scope="module")
def coast():
    _needs("coast")
    model = get_model("coast.risk")
    territory = Territory.load("coast")
    base = model.run(territory, model.scenario_class(label="A"))
    return model, territory, base


def _ring(box: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    return list(shapely.box(*box).exterior.coords)


def test_drawn_dike_ring_dries_the_flooded_buildings_inside(coast):
    from twin_core.models.coast.model import DRAWN_DIKE_CREST_M, prepare
    from twin_core.models.coast.submersion import line_cells

    model, territory, base = coast
    line = from_parts([_ring(DIKE_SQUARE)], "line")
    scen = model.scenario_class(label="A", dike_line=line)
    assert scen.dike_crest_m == 0  # the drawn dike takes the default crest
    res = model.run(territory, scen)
    prep = prepare(territory)
    # the cells under the line are raised to the crest, the DEM elsewhere is untouched
    drawn = prep.drawn_dike(line, 0.0)
    z = prep.dem_with_dike(0.0, drawn)
    cells = line_cells(prep.dem, [shapely.box(*DIKE_SQUARE).exterior])
    assert np.array_equal(drawn.cells, cells) and cells.sum() > 30
    assert np.nanmin(z[cells]) >= DRAWN_DIKE_CREST_M
    assert np.array_equal(z[~cells], prep.dem.values[~cells], equal_nan=True)
    # expected: every flooded building whose DEM cell is on the ring or enclosed by it
    enclosed = ndimage.binary_fill_holes(cells)
    assert not (enclosed & prep.sea).any()
    row, col, inside = prep.cell
    blds = base.layers["buildings"]
    flooded = blds[blds["flood_depth_m"] > 0]
    idx = prep.buildings.index[prep.buildings["building_id"].isin(flooded["building_id"])]
    dried = int(enclosed[row[idx], col[idx]][inside[idx]].sum())
    # (buildings on cells below spring high water connected to the sea are today's foreshore,
    # not flooded: 12 flooded buildings are left inside the ring)
    assert dried >= 10
    assert res.values["buildings_flooded"] == base.values["buildings_flooded"] - dried
    assert res.values["ead_meur"] < base.values["ead_meur"]
    # the dike costs something (its length × the mean raise), the base has no option cost
    assert base.values["option_cost_meur"] == 0
    assert res.values["option_cost_meur"] > 0
    # with a crest set, the drawn dike takes it (and the shoreline arcs are raised as before)
    assert prep.drawn_dike(line, 6.5).crest == 6.5


def test_drawn_setback_band_relocates_its_buildings(coast):
    model, territory, base = coast
    box = shapely.box(*DIKE_SQUARE)
    zone = from_parts([_ring(DIKE_SQUARE)], "polygon")
    res = model.run(territory, model.scenario_class(label="A", setback_zone=zone))
    all_b = territory.layer("buildings")
    inside = all_b[all_b.within(box)]
    blds = base.layers["buildings"]
    flooded_in = blds[(blds["flood_depth_m"] > 0) & blds.within(box)]
    assert len(flooded_in) >= 5  # (9 since today's foreshore is not flooded land)
    assert res.values["buildings_flooded"] == base.values["buildings_flooded"] - len(flooded_in)
    assert res.values["dwellings_flooded"] == pytest.approx(
        base.values["dwellings_flooded"] - flooded_in["dwellings"].sum())
    assert res.values["relocated_dwellings"] == pytest.approx(inside["dwellings"].sum())
    # its land counts in the setback band (the square is all land)
    assert res.values["setback_band_ha"] == pytest.approx(box.area / 1e4, rel=1e-3)
    assert res.values["homes_avoided"] > base.values["homes_avoided"] == 0
    relocated = res.layers["buildings"]
    assert relocated.loc[relocated.within(box), "relocated"].all()


def test_drawn_zone_to_renature_counts_its_hectares():
    _needs("zan")
    model = get_model("zan.trajectory")
    territory = Territory.load("zan")
    communes = territory.layer("communes")
    c = communes[communes["code_insee"] == "01001"].geometry.iloc[0]
    p = c.representative_point()
    square = shapely.box(p.x - 300, p.y - 300, p.x + 300, p.y + 300)
    assert square.within(c)
    zone = from_parts([list(square.exterior.coords)], "polygon")
    base = model.run(territory, model.scenario_class(label="A"))
    res = model.run(territory, model.scenario_class(label="A", renature_zone=zone))
    ha = square.area / 1e4  # 36 ha
    assert res.values["renatured_2031_2050_ha"] == pytest.approx(
        base.values["renatured_2031_2050_ha"] + ha)
    assert res.values["projected_2031_2050_ha"] == pytest.approx(
        base.values["projected_2031_2050_ha"] - ha)
    assert res.values["projected_2021_2031_ha"] == base.values["projected_2021_2031_ha"]
    table = res.layers["communes"].set_index("code_insee")
    assert table.loc["01001", "renature_zone_ha"] == pytest.approx(ha)
    assert table["renature_zone_ha"].drop("01001").sum() == 0
    # with the yearly renaturation too, both add up
    both = model.run(territory, model.scenario_class(label="A", renature_zone=zone,
                                                     renaturation_ha_per_yr=1.0))
    assert both.values["renatured_2031_2050_ha"] == pytest.approx(19.0 + ha)
    # a zone outside the selected group's communes is reported, not ignored
    problems = model.validate(territory, model.scenario_class(group="gironde",
                                                              renature_zone=zone))
    assert [p.code for p in problems] == ["geometry_no_data"]


def test_drawn_zone_excludes_stands_from_the_plan():
    _needs("forest")
    model = get_model("forest.climate_risk")
    territory = Territory.load("forest")
    base = model.run(territory, model.scenario_class(label="A"))
    plan = base.layers["plan"]
    assert len(plan) >= 2
    target = plan.sort_values("area_ha", ascending=False).iloc[0]
    zone_shape = target.geometry.representative_point().buffer(30, quad_segs=2)
    zone = from_parts([list(zone_shape.exterior.coords)], "polygon")
    res = model.run(territory, model.scenario_class(label="A", excluded_zone=zone))
    stands = base.layers["stands"]
    excluded = set(stands.loc[stands.intersects(shapely.Polygon(
        zone["coordinates"][0][0])), "stand_id"])
    assert target["stand_id"] in excluded
    assert not excluded & set(res.layers["plan"]["stand_id"])
    # the optimum can only get worse when a chosen stand is forbidden
    assert res.values["plan_objective"] < base.values["plan_objective"]
