"""The `twin` command line: models, run (batch), bad input exits with a clear message."""

import json

import pandas as pd

from twin_core.cli import main
from twin_core.models.registry import all_models, get_model


def test_models_lists_the_registry(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    for model_id, model in all_models().items():
        assert model_id in out and model.spec.use_case in out


def test_run_two_scenarios_to_csv(tmp_path, capsys):
    S = get_model("zan.trajectory").scenario_class
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(S(label="A").to_json(), encoding="utf-8")
    b.write_text(S(label="B", density=40.0).to_json(), encoding="utf-8")
    out = tmp_path / "cmp.csv"
    assert main(["run", str(a), str(b), "--out", str(out)]) == 0
    table = pd.read_csv(out, encoding="utf-8-sig")
    row = table[(table.indicator == "zan.projected_2021_2031_ha") & (table.scenario == "B")]
    assert row["delta"].item() < 0
    assert "Enveloppe 2021-2031" in capsys.readouterr().out


def test_run_bad_scenario_exits_2_with_a_message(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"model": "zan.trajectory", "version": "1.0",
                               "params": {"density": 0}}))
    out = tmp_path / "never.csv"
    assert main(["run", str(bad), "--out", str(out), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "bad.json" in err and "density" in err
    assert not out.exists()
    assert main(["run", str(tmp_path / "missing.json")]) == 2


def test_run_as_ensemble(tmp_path, capsys):
    S = get_model("zan.trajectory").scenario_class
    a = tmp_path / "a.json"
    a.write_text(S(label="A").to_json(), encoding="utf-8")
    out = tmp_path / "ens.csv"
    assert main(["run", str(a), "--draws", "12", "--seed", "2", "--out", str(out)]) == 0
    table = pd.read_csv(out, encoding="utf-8-sig").set_index("indicator")
    row = table.loc["zan.dwellings_per_year"]
    assert row["p05"] <= row["median"] <= row["p95"] and row["draws"] == 12
    # a drawn parameter, named in French (with 12 draws and commune deviations the growth or
    # the household trend can lead: no fixed order); never the commune draws' seed
    assert row["main_driver"] in {"Croissance démographique (%/an)",
                                  "Évolution de la taille des ménages (%/an)"}
    assert main(["run", str(a), "--draws", "0"]) == 2
    assert "0" in capsys.readouterr().err
