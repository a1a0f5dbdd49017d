"""Each link between use cases (and within a model) is checked exactly; the shared drivers
reach every model."""

import re

import numpy as np
import pytest

from twin_core.coupling import LINKS, MEMBERS, TerritoryScenario, land_taken_ha, run_territory
from twin_core.models.registry import all_models, get_model
from twin_core.territory import Territory


def test_links_name_real_models_outputs_and_params():
    models = all_models()
    for link in LINKS:
        assert link.source in models and link.target in models
        assert link.kind in {"between", "within"}
        if link.kind == "between":
            assert link.param in get_model(link.target).scenario_class.param
        else:
            assert link.source == link.target and link.effects and not link.param
    assert set(MEMBERS) <= set(models)


@pytest.fixture(scope="module")
def territories():
    return {m: Territory.load(v["territory"]) for m, v in MEMBERS.items()}


@pytest.fixture(scope="module")
def urbanised(territories):
    """The same territory scenario without (shares 0 %) and with the urbanisation links."""
    base, _ = run_territory(TerritoryScenario(horizon=2070, farmland_share_pct=0.0,
                                              forest_share_pct=0.0), territories)
    linked, flows = run_territory(TerritoryScenario(horizon=2070, farmland_share_pct=80.0),
                                  territories)
    return base, linked, {f["link"]: f for f in flows}


def _taken_by_communes(zan, horizon: int) -> float:
    """Gross land taken 2021 ≤ year < horizon, summed from the per-commune trajectories
    (no renaturation in these scenarios: net = gross)."""
    traj = zan.layers["trajectories"]
    sel = (traj["year"] >= 2021) & (traj["year"] < horizon)
    return float(traj.loc[sel, "consumption_ha"].sum())


def test_land_taken_matches_the_zan_farmland_lost_at_2050(territories):
    model = get_model("zan.trajectory")
    res = model.run(territories["zan.trajectory"],
                    model.scenario_class(group="gironde", horizon=2050))
    assert land_taken_ha(res) * 0.67 == pytest.approx(
        res.values["agricultural_land_lost_ha"], rel=1e-12)


def test_farmland_taken_by_urbanisation_leaves_the_farming_territory_exactly(urbanised,
                                                                             territories):
    from twin_core.models.agriculture.model import prepared

    base, linked, flows = urbanised
    flow = flows["zan_farmland_to_agriculture"]
    assert flow["param"] == "farmland_loss_ha"
    taken = _taken_by_communes(linked["zan.trajectory"], 2070)
    assert flow["value"] == pytest.approx(taken * 0.67 * 0.80, rel=1e-9)  # farmland, 80 % here
    assert linked["agriculture.nitrate_water"].scenario["params"]["farmland_loss_ha"] == \
        flow["value"]
    farm = prepared(territories["agriculture.nitrate_water"]).areas.sum()
    kept = 1.0 - flow["value"] / farm  # every crop loses the same share
    a0, a1 = base["agriculture.nitrate_water"].values, linked["agriculture.nitrate_water"].values
    for key in ("leached_n_t", "irrigation_need_mm3", "irrigation_supplied_mm3"):
        assert a1[key] == pytest.approx(a0[key] * kept, rel=1e-9), key
    assert a1["leached_n_kg_ha"] == pytest.approx(a0["leached_n_kg_ha"], rel=1e-9)
    assert a1["mean_no3_mg_l"] < a0["mean_no3_mg_l"]


def test_forest_taken_by_urbanisation_leaves_the_stands_exactly(urbanised):
    base, linked, flows = urbanised
    flow = flows["zan_forest_to_forest"]
    taken = _taken_by_communes(linked["zan.trajectory"], 2070)
    assert flow["value"] == pytest.approx(taken * (1 - 0.67) * 1.0, rel=1e-9)
    f0, f1 = base["forest.climate_risk"].values, linked["forest.climate_risk"].values

    def total(v):
        return v["suitable_ha"] + v["at_risk_ha"] + v["unsuitable_ha"] + v["unknown_ha"]

    assert f1["forest_loss_applied_ha"] == pytest.approx(flow["value"], rel=1e-12)
    assert total(f1) == pytest.approx(total(f0) - flow["value"], rel=1e-12)
    assert f1["unsuitable_pct"] == pytest.approx(f0["unsuitable_pct"], abs=1e-9)
    kept = 1.0 - flow["value"] / total(f0)
    assert f1["stand_carbon_tco2"] == pytest.approx(f0["stand_carbon_tco2"] * kept, rel=1e-9)


def test_forest_plan_lowers_the_exposed_area_and_releases_its_carbon_exactly(territories):
    """The link within the forest model: the stands cut and replanted change fuel, so the area
    under flames over 1.2 m falls by exactly the planned area that changes class; the carbon
    of the standing wood falls by exactly the harvested carbon."""
    from twin_core.models.forest import effects as fx
    from twin_core.models.forest import fire_spread as fs
    from twin_core.models.forest import plan as pl

    link = next(k for k in LINKS if k.id == "forest_plan_fire_carbon")
    model = get_model(link.source)
    terr = territories[link.source]
    after = []
    for budget in (100.0, 500.0, 2000.0):
        # a fire-focused plan (the default also weighs suitability, which may pick stands
        # whose new fuel stays in the same flame class)
        s = model.scenario_class(budget_keur=budget, w_suitability=0.0, w_fire=1.0,
                                 w_carbon=0.0)
        res = model.run(terr, s)
        v, plan = res.values, res.layers["plan"]
        area = plan["area_ha"].to_numpy(float)
        assert v[link.output] == pytest.approx(area.sum(), rel=1e-12)
        # at the default horizon every cut part is past its slash and regrowth years, so it
        # carries the replanted species' fuel (the post-cut stages: tests/models/
        # test_forest_science.py)
        assert (s.horizon - plan["cut_year"] >= pl.SLASH_YEARS + s.regrowth_years).all()
        wind = fs.wind_to_midflame(s.wind_kmh, s.wind_adjustment)
        moist = fs.MOISTURE_SCENARIOS[s.fuel_moisture]
        before_m = fs.rothermel_surface(fs.fuel_model_of_groups(plan["group"]), *moist, wind,
                                        0.0).flame_length_m
        after_m = fs.rothermel_surface(fs.fuel_model_of_groups(plan["plan_species"]), *moist,
                                       wind, 0.0).flame_length_m
        lim = fx.EXPOSED_FLAME_M
        expected = (area[(before_m > lim) & (after_m <= lim)].sum()
                    - area[(before_m <= lim) & (after_m > lim)].sum())
        assert v["fire_exposed_ha"] - v["fire_exposed_after_plan_ha"] == pytest.approx(
            expected, abs=1e-6)
        assert v["plan_fire_exposed_cut_ha"] == pytest.approx(expected, abs=1e-6)
        harvested = (area * pl.stand_carbon_tco2_per_ha(plan["group"],
                                                        s.standing_volume_m3_ha)).sum()
        assert v["stand_carbon_tco2"] - v["stand_carbon_after_plan_tco2"] == pytest.approx(
            harvested, rel=1e-9)
        assert v["plan_carbon_tco2"] == pytest.approx(harvested, rel=1e-9)
        after.append((v["plan_area_ha"], v["fire_exposed_after_plan_ha"]))
    areas, exposed = zip(*after, strict=True)
    assert np.all(np.diff(areas) > 0) and np.all(np.diff(exposed) < 0)  # more cut, less exposed


def test_shared_drivers_reach_every_model():
    ts = TerritoryScenario(horizon=2070, warming_source="custom", custom_warming=3.3,
                           population_growth_pct=1.1)
    for model_id in MEMBERS:
        s = ts.scenario_for(model_id)
        assert s.horizon == 2070 and s.warming == pytest.approx(3.3)
    assert ts.scenario_for("zan.trajectory").population_growth_pct == 1.1
    assert ts.scenario_for("zan.trajectory").group == "gironde"


def test_relocated_homes_take_exactly_their_land_in_the_receiving_communes():
    common = {"zan.trajectory": {"existing_fabric_pct": 0.0, "density": 25.0}}
    base, _ = run_territory(TerritoryScenario(horizon=2100, overrides=common))
    moved, flows = run_territory(TerritoryScenario(horizon=2100, relocate_dwellings=100,
                                                   overrides=common))
    relocated = moved["coast.risk"].values["relocated_dwellings"]
    assert relocated > 0
    flow = next(f for f in flows if f["link"] == "coast_relocation_to_zan")
    assert flow["value"] == round(relocated)
    key = "projected_2021_2031_ha"
    extra = moved["zan.trajectory"].values[key] - base["zan.trajectory"].values[key]
    assert extra == pytest.approx(flow["value"] / 25.0, rel=1e-9)  # homes / density, exactly


def test_territoire_page_shows_links_and_all_use_cases():
    from dashboards.territoire import TerritoirePage

    page = TerritoirePage(lang="fr")

    def item(link_id: str) -> str:
        return re.search(rf'<li data-link="{link_id}">(.*?)</li>', page._links.object).group(1)

    for link in LINKS:  # every declared link is shown with a value per scenario
        text = item(link.id)
        assert "A : " in text and "B : " in text and "A : –" not in text
    assert "A : 0 logements" in item("coast_relocation_to_zan")
    assert "lien par surface" in item("zan_farmland_to_agriculture")
    assert "A 100 / B 100" in item("zan_forest_to_forest")
    assert "dans le modèle" in item("forest_plan_fire_carbon")
    table = page._table.object
    assert table["Cas d'usage"].nunique() == 4
    before = table.copy()
    page.scenarios[0].relocate_dwellings = 200
    assert "A : 0 logements" not in item("coast_relocation_to_zan")
    assert not page._table.object.equals(before)
    farmland = item("zan_farmland_to_agriculture")
    page.scenarios[0].farmland_share_pct = 0.0
    assert "A : 0,0 ha" in item("zan_farmland_to_agriculture") != farmland
    page.__panel__()


def test_a_linked_value_is_clipped_to_the_target_bounds():
    from twin_core.coupling import _within_bounds

    agri = get_model("agriculture.nitrate_water").scenario_class()
    assert _within_bounds(agri, "farmland_loss_ha", 2e6) == 100_000.0
    assert _within_bounds(agri, "farmland_loss_ha", 12.5) == 12.5
    zan = get_model("zan.trajectory").scenario_class()
    assert _within_bounds(zan, "incoming_dwellings", 9000) == 5000
