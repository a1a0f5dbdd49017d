"""Ensembles on Dask: the same 40-draw coast ensembles on a LocalCluster of 1 and of 2 workers
(one thread each, processes), to read the speed-up (ideal 2×) — `make bench`. Timings are
reported, never asserted."""

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
    """40 coast draws (horizon 2100) through ``run_ensemble`` on the cluster. Warm: the workers
    have prepared the territory (an untimed 4-draw ensemble first). Cold draws: every round uses
    its own seed (1, 2, 3, never the warm-up's 99), so a round does not find the flood levels of
    an earlier round in the workers' caches (the warming and sea-level draws differ); the
    1-worker and 2-worker clusters get the same seeds."""
    scenario = get_model(MODEL).scenario_class(horizon=2100)
    root = str(data_dir() / "coast")
    address = cluster.scheduler_address
    # warm the workers (territory preparation) so the benchmark measures the draws
    run_ensemble(MODEL, root, scenario, 4, seed=99, scheduler=address)
    seeds = iter(range(1, 99))
    used: list[int] = []

    def next_seed():
        used.append(next(seeds))
        return (MODEL, root, scenario, DRAWS), {"seed": used[-1], "scheduler": address}

    benchmark.pedantic(run_ensemble, setup=next_seed, rounds=3, iterations=1)
    benchmark.extra_info["seeds"] = used
