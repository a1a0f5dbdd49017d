"""Hostile input (issue 16): manifest paths confined to the territory, no temporary file left
by `twin run --out` on a failure, and property tests: arbitrary bytes and JSON into the
readers and the scenario parser raise nothing but TwinInputError."""

import json
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twin_core.cli import main
from twin_core.errors import TwinInputError
from twin_core.io import read_raster, read_table, read_vector
from twin_core.scenario import Scenario
from twin_core.territory import Territory, data_dir


@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd", "sub/../../x.gpkg"])
def test_manifest_paths_stay_in_the_territory(tmp_path, path):
    root = tmp_path / "t"
    root.mkdir()
    (root / "territory.json").write_text(json.dumps({"id": "t", "layers": {
        "communes": {"path": path, "kind": "vector"}}}))
    with pytest.raises(TwinInputError) as info:
        Territory.load(root)
    err = info.value
    assert err.code == "path_outside_territory" and "territory.json" in str(err)
    assert "communes" in str(err) and ".." in err.message("fr")


def test_manifest_symlink_out_of_the_territory(tmp_path):
    root = tmp_path / "t"
    shutil.copytree(data_dir() / "zan", root)
    (root / "conso_naf.csv").unlink()
    (root / "conso_naf.csv").symlink_to(data_dir() / "zan" / "conso_naf.csv")
    with pytest.raises(TwinInputError) as info:
        Territory.load(root)
    assert info.value.code == "path_outside_territory"


@pytest.mark.parametrize("manifest", [[1, 2], {"id": 3, "layers": {}}, {"id": "t", "layers": []},
                                      {"id": "t", "layers": {"a": "a.gpkg"}},
                                      {"id": "t", "layers": {"a": {"path": 5}}}])
def test_malformed_manifest(tmp_path, manifest):
    (tmp_path / "territory.json").write_text(json.dumps(manifest))
    with pytest.raises(TwinInputError) as info:
        Territory.load(tmp_path)
    assert info.value.code == "bad_manifest"


def _scenario_file(tmp_path, **params):
    from twin_core.models.registry import get_model

    model = get_model("zan.trajectory")
    data = model.scenario_class().to_dict()
    data["params"].update(params)
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data))
    return path


def test_twin_run_leaves_no_file_on_failure(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out" / "table.csv"
    bad = _scenario_file(tmp_path, horizon="2050")
    assert main(["run", str(bad), "--out", str(out)]) == 2
    assert "horizon" in capsys.readouterr().err and not out.exists()
    big = tmp_path / "big.json"
    big.write_bytes(b'{"model": "zan.trajectory", "params": {"label": "' + b"x" * 2_000_000
                    + b'"}}')
    assert main(["run", str(big), "--out", str(out)]) == 2
    assert "Mo" in capsys.readouterr().err and not out.exists()

    import pandas as pd

    def crash(self, path, **kwargs):  # the disk fills up while the CSV is written
        with open(path, "w") as fh:
            fh.write("partial")
        raise OSError("No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", crash)
    good = _scenario_file(tmp_path)
    with pytest.raises(OSError):
        main(["run", str(good), "--out", str(out)])
    assert not out.exists() and list(out.parent.iterdir()) == []


# -- property tests ---------------------------------------------------------------------------
_FAST = settings(max_examples=40, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.text(max_size=10), children, max_size=4), max_leaves=20)
param_names = st.sampled_from(["label", "horizon", "warming_source", "custom_warming",
                               "reduction_pct", "group", "renature_zone", "x"])


@_FAST
@given(st.binary(max_size=300))
def test_arbitrary_bytes_into_the_scenario_parser(data):
    try:
        Scenario.from_json(data)
    except TwinInputError:
        pass


@_FAST
@given(json_values)
def test_arbitrary_json_into_the_scenario_parser(value):
    try:
        Scenario.from_json(json.dumps(value))
    except TwinInputError:
        pass


@_FAST
@given(st.dictionaries(param_names, json_values, max_size=4),
       st.sampled_from(["zan.trajectory", "coast.risk", "forest.climate_risk", "nope"]),
       st.sampled_from(["1.0", None, 1]))
def test_arbitrary_params_into_the_scenario_parser(params, model, version):
    from twin_core.models.registry import all_models

    if model in all_models() and version == "1.0":
        version = all_models()[model].spec.version
    try:
        Scenario.from_dict({"model": model, "version": version, "params": params})
    except TwinInputError:
        pass


@_FAST
@given(st.binary(max_size=400), st.sampled_from([".csv", ".gpkg", ".geojson", ".tif",
                                                 ".parquet"]))
def test_arbitrary_bytes_into_the_readers(tmp_path, data, suffix):
    path = tmp_path / f"f{suffix}"
    path.write_bytes(data)
    reader = {".csv": read_table, ".tif": read_raster}.get(suffix, read_vector)
    try:
        reader(path)
    except TwinInputError:
        pass
