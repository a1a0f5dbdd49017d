import json

import pytest

from twin_core.errors import TwinInputError
from twin_core.models.registry import all_models, get_model
from twin_core.scenario import Scenario, tracc_warming


def test_tracc_anchor_values_and_interpolation():
    # TRACC (trajectoire de réchauffement de référence pour l'adaptation, French ministry of
    # ecological transition, 2023; 3rd PNACC): warming vs 1850-1900, metropolitan France +2.0 °C
    # in 2030, +2.7 °C in 2050, +4.0 °C in 2100; global +1.5 / +2.0 / +3.0 °C (as listed in
    # ../shared/reference/README.md).
    assert tracc_warming(2030) == pytest.approx(2.0)
    assert tracc_warming(2050) == pytest.approx(2.7)
    assert tracc_warming(2100) == pytest.approx(4.0)
    assert tracc_warming(2040) == pytest.approx(2.35)
    assert tracc_warming(2075) == pytest.approx(3.35)
    assert tracc_warming(2050, "global") == pytest.approx(2.0)
    with pytest.raises(ValueError):
        tracc_warming(2020)


def test_custom_warming_overrides_tracc():
    s = Scenario(horizon=2050, warming_source="custom", custom_warming=4.0)
    assert s.warming == 4.0
    assert s.global_warming == pytest.approx(3.0)  # TRACC France 4.0 <-> global 3.0
    assert Scenario(horizon=2100).warming == pytest.approx(4.0)


@pytest.mark.parametrize("model_id", list(all_models()))
def test_every_registered_scenario_round_trips_json(model_id):
    model = get_model(model_id)
    scenario = model.scenario_class(label="X", horizon=2070)
    again = Scenario.from_json(scenario.to_json())
    assert type(again) is type(scenario)
    assert again.to_dict() == scenario.to_dict()
    data = json.loads(scenario.to_json())
    assert data["model"] == model_id and data["version"] == model.spec.version


def _zan_json(**params):
    return json.dumps({"model": "zan.trajectory", "version": "1.0", "params": params})


@pytest.mark.parametrize("text, code, named", [
    ("", "empty_file", "scenario.json"),
    ("{not json", "bad_json", "scenario.json"),
    ("[1, 2]", "scenario_not_object", "scenario.json"),
    (_zan_json(colour="red"), "unknown_key", "colour"),
    (_zan_json(reduction_pct=150), "bad_value", "reduction_pct"),
    (_zan_json(horizon="soon"), "expected_integer", "horizon"),
    (json.dumps({"model": "zan.trajectory", "version": "9.9", "params": {}}),
     "unknown_version", "9.9"),
    (json.dumps({"model": "nope", "version": "1.0", "params": {}}), "unknown_model", "nope"),
    (json.dumps({"version": "1.0", "params": {}}), "missing_key", "model"),
    (json.dumps({"model": "zan.trajectory", "version": "1.0", "extra": 1}),
     "unknown_key", "extra"),
])
def test_bad_scenario_json_gives_a_clear_message(text, code, named):
    with pytest.raises(TwinInputError) as info:
        Scenario.from_json(text, source="scenario.json")
    err = info.value
    assert err.code == code
    assert "scenario.json" in str(err) and named in str(err)
    fr = err.message("fr")
    assert fr != str(err) and "scenario.json" in fr  # French message exists and differs


def test_wrong_encoding_is_reported():
    with pytest.raises(TwinInputError) as info:
        Scenario.from_json("{\"model\": \"zan\u00e9\"}".encode("latin-1"), source="s.json")
    assert info.value.code == "bad_encoding"


def test_copy_is_independent():
    a = get_model("zan.trajectory").scenario_class(label="A")
    b = a.copy(label="B", density=40.0)
    assert a.density == 15.0 and b.density == 40.0 and b.label == "B"


# -- hostile scenario files (issue 16) -------------------------------------------------------
def test_a_number_in_quotes_names_the_type():
    with pytest.raises(TwinInputError) as info:
        Scenario.from_json(_zan_json(horizon="2050"))
    err = info.value
    assert err.code == "expected_integer" and "horizon" in str(err)
    assert "whole number" in str(err) and "entier" in err.message("fr")
    with pytest.raises(TwinInputError) as info:
        Scenario.from_json(_zan_json(label=3))
    assert info.value.code == "expected_text"


def test_oversized_deep_or_long_files_are_refused_quickly():
    from twin_core.scenario import MAX_SCENARIO_BYTES

    with pytest.raises(TwinInputError) as info:
        Scenario.from_json(_zan_json(label="x" * 50_000_000))
    assert info.value.code == "file_too_large"
    with pytest.raises(TwinInputError) as info:
        Scenario.from_json(_zan_json(label="x" * 5_000))
    assert info.value.code == "text_too_long" and "label" in str(info.value)
    with pytest.raises(TwinInputError) as info:
        Scenario.from_json("[" * 100_000 + "]" * 100_000)
    assert info.value.code == "too_deep"
    deep = '{"model": "zan.trajectory", "params": {"x": ' + "[" * 5000 + "]" * 5000 + "}}"
    with pytest.raises(TwinInputError) as info:
        Scenario.from_json(deep.encode())
    assert info.value.code == "too_deep" and len(deep) < MAX_SCENARIO_BYTES
    with pytest.raises(TwinInputError) as info:
        Scenario.from_json('{"model": "zan.trajectory", "params": {"horizon": NaN}}')
    assert info.value.code == "bad_json"


def test_a_param_set_by_the_machinery_has_no_widget_but_stays_in_the_file():
    from twin_core.headline import advanced_params
    from twin_core.models.registry import get_model
    from twin_core.workshop.service import lever_names

    cls = get_model("zan.trajectory").scenario_class
    assert "commune_draw" in cls.user_params()
    assert "commune_draw" not in cls.widget_params()
    assert "commune_draw" not in advanced_params(cls)
    assert "commune_draw" not in lever_names("zan.trajectory")
    assert "commune_draw" in cls(commune_draw=3).to_dict()["params"]
    assert "population_growth_pct" in cls.widget_params()
