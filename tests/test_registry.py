"""One test loops over the registry: every model honours the contract."""

import pytest

from twin_core.i18n import keys, t
from twin_core.indicators import all_indicators, indicators_for
from twin_core.models.registry import all_models, get_model
from twin_core.scenario import Scenario

MODELS = list(all_models())


def test_registry_finds_models_by_contract():
    assert "zan.trajectory" in MODELS
    ids = [m.spec.id for m in all_models().values()]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("model_id", MODELS)
def test_model_contract(model_id):
    model = get_model(model_id)
    spec = model.spec
    assert spec.use_case in {"coast", "forest", "agriculture", "zan"}
    assert spec.id.startswith(spec.use_case + ".")
    assert spec.version and spec.sources, "a model cites its sources"
    assert issubclass(spec.scenario_class, Scenario)
    assert spec.scenario_class.model_id == model_id
    # every numeric input has units and bounds; every input has a doc and French/English labels
    for inp in spec.inputs:
        assert inp.doc, f"{model_id}.{inp.name} has no doc"
        if inp.choices is None and isinstance(inp.default, int | float) and not isinstance(
                inp.default, bool):
            assert inp.bounds is not None, f"{model_id}.{inp.name} has no bounds"
            if inp.name != "label":
                assert inp.units, f"{model_id}.{inp.name} has no units"
        for lang in ("fr", "en"):
            assert f"params.{inp.name}" in keys(lang), f"no {lang} label for {inp.name}"
    for lang in ("fr", "en"):
        assert f"models.{model_id}" in keys(lang)
    # validate() is cheap and accepts the defaults without a territory
    assert model.validate(None, spec.scenario_class()) == []
    assert model.validate(None, Scenario()) != []  # wrong scenario type is reported


@pytest.mark.parametrize("model_id", MODELS)
def test_model_has_labelled_indicators(model_id):
    inds = indicators_for(model_id)
    assert inds, f"{model_id} has no indicator"
    for ind in inds:
        assert ind.units
        assert t(f"indicators.{ind.id}", "fr") != f"indicators.{ind.id}"
        assert t(f"indicators.{ind.id}", "en") != f"indicators.{ind.id}"


def test_locales_have_the_same_keys():
    assert keys("fr") == keys("en")


def test_indicator_ids_are_unique_and_prefixed():
    for ind_id, ind in all_indicators().items():
        assert ind_id.split(".")[0] == ind.model_id.split(".")[0]
