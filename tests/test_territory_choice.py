"""Territory chooser (issue 18): only ids of the offered list are taken from the URL (never a
path), user territories as ``user:NAME``; what a territory lacks; the forest's homes reached by
the fire (50 m of the burnt forest); the Territoire page's spatial figures and its import
section (a refused file leaves the layer untouched, a good one replaces it and keeps the
previous version)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from dashboards.shell.territories import choices, choose, lacking_note
from twin_core.errors import TwinInputError
from twin_core.territory import data_dir

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def user_dir(tmp_path, monkeypatch):
    """A user territory 'mine' (a copy of the ZAN sample) in a temporary TWIN_TERRITORIES."""
    from twin_core import runs

    root = tmp_path / "territories"
    shutil.copytree(data_dir() / "zan", root / "mine")
    manifest = json.loads((root / "mine" / "territory.json").read_text("utf-8"))
    manifest.update(id="mine", name={"fr": "Mes communes", "en": "My communes"})
    (root / "mine" / "territory.json").write_text(json.dumps(manifest), "utf-8")
    monkeypatch.setenv("TWIN_TERRITORIES", str(root))
    runs.forget_territory()
    yield root
    runs.forget_territory()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_only_listed_ids_are_taken_from_the_url(user_dir):
    for raw in ("../../etc", "/etc", str(data_dir() / "integrated"), "data/integrated",
                "user:../zan", "user:/etc", "forest/../zan", "INTEGRATED"):
        tid, choice, message = choose(raw, "forest", "forest", "fr")
        assert tid == "forest" and choice.id == "forest", raw
        assert "inconnu" in message and raw[:80] in message
    tid, choice, message = choose("integrated", "forest", "forest", "en")
    assert (tid, message) == ("integrated", "")
    assert "Estérel" in choice.name("fr") and "Estérel" in choice.name("en")
    tid, choice, message = choose("user:mine", "zan", "zan", "fr")
    assert (tid, message) == ("user:mine", "") and choice.user
    assert choice.name("fr") == "Mes communes (mes territoires)"
    assert choose(None, "zan", "zan", "fr")[0] == "zan"


def test_samples_are_offered_where_their_layers_let_the_use_case_run(user_dir):
    assert {"forest", "integrated"} <= set(choices("forest"))
    assert "agriculture" not in choices("forest") and "zan" not in choices("forest")
    # the integrated sample has no nitrate stations: not offered on the agriculture page, and
    # asked for there it says which layers it lacks
    assert "integrated" not in choices("agriculture")
    tid, _, message = choose("integrated", "agriculture", "agriculture", "en")
    assert tid == "agriculture" and "stations" in message and "nitrates" in message
    # user territories are always listed (they say what they lack when chosen)
    assert "user:mine" in choices("forest")


def test_a_user_territory_lacking_layers_says_which(user_dir):
    mine = choices("forest")["user:mine"]
    assert not mine.runs["forest"] and "stands" in mine.missing["forest"]
    note = lacking_note(mine, "forest", "forest.climate_risk", "fr")
    assert "stands" in note and "Importer des données" in note
    assert lacking_note(mine, "zan", "zan.trajectory", "fr") == ""
    # the forest sample runs without buildings (no homes reached by the fire), the integrated
    # one has every layer the forest reads
    forest = choices("forest")["forest"]
    assert "`buildings`" in lacking_note(forest, "forest", "forest.climate_risk", "en")
    assert lacking_note(choices("forest")["integrated"], "forest", "forest.climate_risk",
                        "en") == ""


def test_user_ids_never_resolve_to_a_path(user_dir):
    from twin_core import runs

    assert runs.territory("user:mine").root == user_dir / "mine"
    for bad in ("user:../mine", "user:/etc", "user:"):
        with pytest.raises(TwinInputError):
            runs.territory(bad)


def test_fire_next_to_a_town_reaches_more_homes_than_in_the_largest_stand():
    import numpy as np

    from dashboards.forest import fit_ignition
    from twin_core.coupling import wui_exposed
    from twin_core.models.registry import get_model
    from twin_core.territory import Territory

    terr = Territory.load("integrated")
    model = get_model("forest.climate_risk")
    s = model.scenario_class(label="A")
    assert "Estérel" not in fit_ignition(terr, s, "fr")  # the note names the points
    assert model.validate(terr, s) == []  # moved onto the territory's forest
    far = model.run(terr, s)
    stands, buildings = terr.layer("stands"), terr.layer("buildings")
    near = np.array([len(buildings.sindex.query(g.buffer(100), predicate="intersects"))
                     for g in stands.geometry])
    p = stands.geometry.iloc[int(near.argmax())].representative_point()
    s2 = s.copy(ignition_x=round(p.x), ignition_y=round(p.y))
    town = model.run(terr, s2)
    assert town.values["fire_wui_homes"] > far.values["fire_wui_homes"] >= 0
    assert town.values["fire_wui_residents"] > town.values["fire_wui_homes"] * 0.5
    # the same count as the integrated coupling's forest_fire_wui link
    ref = wui_exposed(town.layers["fire"], stands, buildings)
    assert town.values["fire_wui_homes"] == ref["wui_homes"]
    assert "buildings_synthetic" in town.synthetic_inputs
    # the forest sample has no buildings: no such value, the ignition left as it is
    forest = Territory.load("forest")
    s3 = model.scenario_class(label="A")
    assert fit_ignition(forest, s3, "fr") == ""
    assert (s3.ignition_x, s3.ignition_y) == (model.scenario_class().ignition_x,
                                             model.scenario_class().ignition_y)


def test_territoire_spatial_figures_add_up():
    from dashboards.territoire import TerritoirePage

    page = TerritoirePage(territory_id="integrated")
    a, b = page.figures
    for f in (a, b):
        assert f["forest_after_ha"] == pytest.approx(f["forest_before_ha"] - f["on_stands_ha"],
                                                     abs=1e-6)
        assert 0 < f["on_stands_ha"] <= f["placed_ha"]
        assert f["placed_ha"] <= f["land_ha"] + 0.25 * 10  # whole 0.25 ha cells per commune
    # B (horizon 2100) takes more land than A (2050): its forest is smaller by exactly the
    # extra hectares placed on stands
    assert b["land_ha"] > a["land_ha"]
    assert a["forest_after_ha"] - b["forest_after_ha"] == pytest.approx(
        b["on_stands_ha"] - a["on_stands_ha"], abs=1e-6)
    assert b["on_stands_ha"] > a["on_stands_ha"]
    html = page._spatial.object
    assert 'data-figure="forest_after_ha"' in html and "Code forestier L134-6" in html


def test_import_refuses_a_file_with_a_missing_column_and_replaces_with_a_good_one(user_dir,
                                                                                  tmp_path):
    from dashboards.territoire import ImportSection

    layer_file = user_dir / "mine" / "conso_naf.csv"
    before = sha(layer_file)
    bad = "idcom;idcomtxt\n01004;Ambérieu\n".encode()
    section = ImportSection(lang="fr")
    assert "user:mine" in section.user
    section.territory.value = "user:mine"
    section.layer.value = "conso_naf"
    section.file.filename = "../../mes_donnees.csv"
    section.file.value = bad
    assert section.report.alert_type == "danger" and "naf" in section.report.object
    assert "la couche n'a pas changé" in section.report.object
    assert section.replace.disabled
    assert not section.do_replace()
    assert sha(layer_file) == before
    manifest = json.loads((user_dir / "mine" / "territory.json").read_text("utf-8"))
    assert "previous" not in manifest["layers"]["conso_naf"]
    # the real file passes its check, then replaces the layer; the previous one is kept
    section.file.filename = "conso.csv"
    section.file.value = layer_file.read_bytes()
    assert section.report.alert_type == "success", section.report.object
    assert not section.replace.disabled
    assert section.do_replace()
    manifest = json.loads((user_dir / "mine" / "territory.json").read_text("utf-8"))
    prev = manifest["layers"]["conso_naf"]["previous"]["path"]
    assert sha(user_dir / "mine" / prev) == before
    assert prev in section.report.object


def test_saved_scenarios_record_their_territory():
    from dashboards.shell.workspace import ScenarioWorkspace
    from twin_core.models.registry import get_model
    from twin_core.scenario import Scenario

    cls = get_model("zan.trajectory").scenario_class
    text = cls(label="A", density=30.0).to_json(territory="integrated")
    assert json.loads(text)["territory"] == "integrated"
    assert Scenario.from_json(text).saved_territory == "integrated"
    assert Scenario.from_json(cls(label="A").to_json()).saved_territory is None
    with pytest.raises(TwinInputError, match="territory"):
        Scenario.from_json(text.replace('"integrated"', "3"))
    ws = ScenarioWorkspace(model_id="zan.trajectory", territory_id="zan")
    assert ws.load_json(text.encode(), "s.json", 0)  # loaded, and said where it came from
    assert ws.scenarios[0].density == 30.0
    assert "integrated" in ws.status and "zan" in ws.status


def test_select_labels_are_unique(user_dir):
    from dashboards.shell.territories import options

    twin = user_dir / "twin"
    shutil.copytree(user_dir / "mine", twin)  # same names as 'mine'
    labels = options(choices("zan"), "fr")
    assert sorted(labels.values()) == sorted(choices("zan"))
    assert "Mes communes (mes territoires)" in labels
    assert "Mes communes (mes territoires) [user:twin]" in labels


def test_a_chosen_territory_follows_the_page_links_where_it_is_offered():
    import re

    from dashboards.shell.page import header

    links = dict(re.findall(r'href="\./(\w*)\?([^"]*)"', header("en", "forest", "integrated")[0]
                            .object))
    for route in ("coast", "forest", "zan", "territoire"):
        assert "territory=integrated" in links[route], route
    assert "territory" not in links["agriculture"]  # no nitrate stations there
    assert "territory" not in links["validation"]
    plain = dict(re.findall(r'href="\./(\w*)\?([^"]*)"', header("en", "forest")[0].object))
    assert all("territory" not in q for q in plain.values())
