"""Ensembles: seeded draws, bands, sensitivity; Dask LocalCluster equals the in-process run;
bad draw counts and a silent scheduler give clear messages."""

import time

import numpy as np
import pandas as pd
import pytest

from twin_core.ensemble import draw_scenarios, run_ensemble, uncertainties
from twin_core.errors import TwinInputError
from twin_core.models.registry import all_models, get_model
from twin_core.territory import data_dir

ZAN = "zan.trajectory"


def zan_scenario(**kw):
    return get_model(ZAN).scenario_class(label="A", **kw)


@pytest.mark.parametrize("model_id", list(all_models()))
def test_every_model_declares_sourced_uncertainties(model_id):
    items = uncertainties(model_id)
    assert len(items) >= 2  # warming + at least one of the model's own
    inputs = {i.name for i in get_model(model_id).spec.inputs}
    for u in items:
        assert u.param in inputs and u.source


def test_draws_are_seeded_clipped_and_centred():
    s = zan_scenario(population_growth_pct=2.9)
    a, pa = draw_scenarios(s, 400, seed=7)
    b, _ = draw_scenarios(s, 400, seed=7)
    c, _ = draw_scenarios(s, 400, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    assert a["population_growth_pct"].max() <= 3.0  # param bound
    assert abs(a["household_trend_pct"].mean() - s.household_trend_pct) < 0.03
    assert abs(a["custom_warming"].median() - s.warming) < 0.1
    assert all(p["warming_source"] == "custom" for p in pa)


@pytest.mark.parametrize("n", [0, -3, 10**7])
def test_bad_draw_counts_are_refused(n):
    with pytest.raises(TwinInputError) as info:
        draw_scenarios(zan_scenario(), n)
    assert info.value.code == "bad_draws" and str(n) in str(info.value)


def test_summary_bands_and_sensitivity():
    # commune growth deviations off: with them on, the shared département deviation of the
    # one-département sample (sd 0.87 × √0.5) swamps the group's inputs in 40 draws, and their
    # seed is not ranked (test_zan: test_commune_draws_through_run_ensemble)
    ens = run_ensemble(ZAN, str(data_dir() / "zan"), zan_scenario(commune_growth_sd_pct=0.0),
                       40, seed=1)
    assert "commune_draw" not in set(ens.sensitivity()["input"])
    summary = ens.summary().set_index("indicator")
    row = summary.loc["zan.dwellings_per_year"]
    assert row["p05"] < row["median"] < row["p95"]
    ranking = ens.sensitivity()
    top = ranking[(ranking.indicator == "zan.dwellings_per_year") & (ranking["rank"] == 1)]
    assert top["input"].item() == "population_growth_pct"
    # the envelope does not depend on any uncertain input: no spread
    env = summary.loc["zan.envelope_ha"]
    assert env["p05"] == env["p95"]
    bands = ens.series_bands(["consumption_ha"])
    assert (bands["consumption_ha_p05"] <= bands["consumption_ha_p95"]).all()


def test_silent_scheduler_is_reported_within_ten_seconds():
    import socket

    with socket.socket() as sock:  # a loopback port with nobody listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    start = time.monotonic()
    with pytest.raises(TwinInputError) as info:
        run_ensemble(ZAN, str(data_dir() / "zan"), zan_scenario(), 4,
                     scheduler=f"tcp://127.0.0.1:{port}")
    assert time.monotonic() - start < 15
    assert info.value.code == "scheduler_unreachable" and str(port) in str(info.value)


def test_local_cluster_gives_exactly_the_in_process_results():
    from distributed import LocalCluster

    scenario = zan_scenario(density=25.0)
    root = str(data_dir() / "zan")
    local = run_ensemble(ZAN, root, scenario, 12, seed=3)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        remote = run_ensemble(ZAN, root, scenario, 12, seed=3, scheduler=cluster.scheduler_address)
    # chunks of 6 draws on the workers vs one chunk of 12 here: the vectorised per-commune sums
    # may differ in the last bit (summation order), nothing more
    pd.testing.assert_frame_equal(local.values, remote.values, check_exact=False, rtol=1e-12)
    for a, b in zip(local.series, remote.series, strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)
    assert np.isfinite(local.values.to_numpy()).any()
