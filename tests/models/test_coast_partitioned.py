"""Coast exposure of a large building layer by partitions (dask-geopandas): on local threads and
on a real LocalCluster the table and the model's results equal the in-process run exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twin_core.models.coast import exposure as ex
from twin_core.models.registry import get_model
from twin_core.territory import Territory, data_dir


@pytest.fixture(scope="module")
def coast():
    assert (data_dir() / "coast" / "territory.json").exists(), \
        "data/coast/territory.json is missing: the sample territories are committed (make data)"
    t = Territory.load("coast")
    return (t.layer("buildings").reset_index(drop=True), t.layer("erosion").reset_index(drop=True),
            t.layer("dem"))


def test_partitions_on_threads_equal_one_piece(coast, monkeypatch):
    b, arcs, dem = coast
    whole = ex.building_exposure(b, arcs, dem.rio.transform(), dem.shape)
    assert list(whole.columns[:len(arcs)]) == [f"dist_{j}" for j in range(len(arcs))]
    small = ex.exposure_table(b, arcs, dem)
    assert small.attrs["path"] == "in-process"
    monkeypatch.setenv("TWIN_DASK_VECTOR_THRESHOLD", "1000")  # a "large" layer
    parts = ex.exposure_table(b, arcs, dem)
    assert parts.attrs["path"] == "dask"
    pd.testing.assert_frame_equal(parts, whole, check_exact=True)
    # the same values the model computed before the table existed
    row, col, inside = ex.raster_index(dem, b)
    assert np.array_equal(whole["row"], row) and np.array_equal(whole["inside"], inside)
    assert np.array_equal(whole["value"], ex.building_value(b))


def test_local_cluster_gives_exactly_the_in_process_results(coast, monkeypatch):
    from distributed import Client, LocalCluster

    b, arcs, dem = coast
    paths = []
    real = ex.exposure_table

    def spy(*args, **kwargs):
        table = real(*args, **kwargs)
        paths.append(table.attrs["path"])
        return table

    monkeypatch.setattr(ex, "exposure_table", spy)
    model = get_model("coast.risk")
    scenario = model.scenario_class(horizon=2100, relocate_dwellings=50)
    local_table = ex.exposure_table(b, arcs, dem)
    local = model.run(Territory.load("coast"), scenario)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster):
        assert ex.dask_client() is not None
        remote_table = ex.exposure_table(b, arcs, dem)
        remote = model.run(Territory.load("coast"), scenario)  # prepare runs on the cluster
    assert ex.dask_client() is None
    assert paths == ["in-process", "in-process", "dask", "dask"]  # the model's prepare too
    assert remote_table.attrs["path"] == "dask" and local_table.attrs["path"] == "in-process"
    pd.testing.assert_frame_equal(remote_table, local_table, check_exact=True)
    assert remote.values == local.values
    pd.testing.assert_frame_equal(pd.DataFrame(remote.layers["buildings"]),
                                  pd.DataFrame(local.layers["buildings"]), check_exact=True)
