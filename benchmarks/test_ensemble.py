"""Ensembles on Dask: the same 40-draw coast ensemble on a LocalCluster of 1 and of 2 workers
(one thread each, processes), to read the speed-up (ideal 2×) — `make bench`."""

from __future__ import annotations

import pytest

from twin_core.ensemble import run_ensemble
from twin_core.models.registry import get_model
from twin_core.territory import data_dir

MODEL = "coast.risk"
DRAWS = 40


@pytest.fixture(scope="module", params=[1, 2], ids=["1_worker", "2_workers"])
def cluster(request):
    from distributed import LocalCluster

    with LocalCluster(n_workers=request.param, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None) as c:
        yield c


def test_ensemble_on_local_cluster(benchmark, cluster):
    scenario = get_model(MODEL).scenario_class(horizon=2100)
    root = str(data_dir() / "coast")
    # warm the workers (territory preparation) so the benchmark measures the draws
    run_ensemble(MODEL, root, scenario, 4, seed=99, scheduler=cluster.scheduler_address)
    benchmark.pedantic(run_ensemble, args=(MODEL, root, scenario, DRAWS),
                       kwargs={"seed": 1, "scheduler": cluster.scheduler_address},
                       rounds=3, iterations=1)
