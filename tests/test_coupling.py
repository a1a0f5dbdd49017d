"""Each link between use cases is checked; the shared drivers reach every model."""

import pytest

from twin_core.coupling import LINKS, MEMBERS, TerritoryScenario, run_territory
from twin_core.models.registry import all_models, get_model


def test_links_name_real_models_outputs_and_params():
    models = all_models()
    for link in LINKS:
        assert link.source in models and link.target in models
        assert link.param in get_model(link.target).scenario_class.param
    assert set(MEMBERS) <= set(models)


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
    text = page._links.object
    assert 'data-link="coast_relocation_to_zan"' in text and "A : 0" in text
    table = page._table.object
    assert table["Cas d'usage"].nunique() == 4
    before = table.copy()
    page.scenarios[0].relocate_dwellings = 200
    assert "A : 0" not in page._links.object
    assert not page._table.object.equals(before)
    page.__panel__()
