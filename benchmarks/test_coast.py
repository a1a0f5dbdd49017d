"""Coast benchmarks (pytest-benchmark, not timed tests): one full scenario on the sample
territory after load with its flood levels computed every round, ``flood_depth`` on a synthetic
10,000 × 10,000 DEM with its peak memory relative to the raster (issue 3 targets: ≤ 200 ms;
≤ 10 s and ≤ 3× the raster), and the Dask version on a 20,000 × 20,000 DEM. Each docstring
says which caches are warm.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from twin_core.models.coast.submersion import flood_depth
from twin_core.models.registry import get_model
from twin_core.territory import Territory

N = 10_000


def test_coast_scenario_after_load(benchmark):
    """A full coast.risk run (retreat, flood, exposure, damage, options, layers) of the default
    scenario with a 4 m dike. Preparation warm (territory loaded and prepared once, untimed);
    flood levels cold: the prepared territory's flood cache (``Prepared.floods``), its
    dike-burnt DEMs (``Prepared.burned``) and their spill levels (``Prepared.spills``) are
    cleared before every round, so every flood level of the series, with and without the dike,
    is computed."""
    from twin_core.models.coast.model import prepare

    model = get_model("coast.risk")
    territory = Territory.load("coast")
    scenario = model.scenario_class(dike_crest_m=4.0)
    model.run(territory, model.scenario_class())  # load + prepare
    prep = prepare(territory)

    def clear_flood_cache():
        prep.floods.clear()
        prep.burned.clear()
        prep.spills.clear()

    benchmark.pedantic(model.run, args=(territory, scenario), setup=clear_flood_cache,
                       rounds=5, iterations=1)
    benchmark.extra_info["horizon"] = int(scenario.horizon)
    benchmark.extra_info["flood_levels_computed_per_round"] = len(prep.floods)


def test_coast_new_horizon(benchmark):
    """The horizon slider on the coast page: a full coast.risk run of the default scenario at
    a horizon whose flood levels are not computed yet (2026-2100 in turn, one per round).
    Preparation warm and the spill levels of the DEM warm from a first run of the default
    scenario (as after the page's first result); flood-level cache (``Prepared.floods``)
    cleared before every round."""
    from twin_core.models.coast.model import prepare

    model = get_model("coast.risk")
    territory = Territory.load("coast")
    model.run(territory, model.scenario_class())  # load + prepare + the first result
    prep = prepare(territory)
    horizons = iter(range(2100, 2025, -3))
    seen = []

    def next_horizon():
        prep.floods.clear()
        seen.append(next(horizons))
        return (territory, model.scenario_class(horizon=seen[-1])), {}

    benchmark.pedantic(model.run, setup=next_horizon, rounds=8, iterations=1)
    benchmark.extra_info["horizons"] = seen
    benchmark.extra_info["flood_levels_computed_per_round"] = len(prep.floods)


def _synthetic_dem(n: int = N) -> np.ndarray:
    """A float32 coast: sea to the west, a rising plain with ridges cutting off hollows."""
    x = np.linspace(-3.0, 12.0, n, dtype=np.float32)
    dem = np.empty((n, n), dtype=np.float32)
    rows = np.sin(np.linspace(0, 40 * np.pi, n, dtype=np.float32))
    for i in range(0, n, 1000):  # build in blocks to keep the fixture light
        dem[i:i + 1000] = x[None, :] + 1.5 * rows[i:i + 1000, None] * np.sin(
            np.linspace(0, 30 * np.pi, n, dtype=np.float32))[None, :]
    dem[::997, :] = np.nan  # nodata lines
    return dem


@pytest.fixture(scope="module")
def big_dem():
    return _synthetic_dem()


def test_flood_depth_10k(benchmark, big_dem):
    """flood_depth on 10,000 × 10,000 float32 cells (sea = below-level cells on the edge).
    No cache: a pure function of the DEM and the level (the DEM is built once, untimed)."""
    raster_bytes = big_dem.nbytes
    peaks = []

    def run():
        tracemalloc.start()
        out = flood_depth(big_dem, 3.0)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        return out

    out = benchmark.pedantic(run, rounds=2, iterations=1)
    assert out.shape == big_dem.shape and out.dtype == np.float32
    peak = max(peaks)
    benchmark.extra_info.update(raster_mib=raster_bytes / 2**20, peak_mib=peak / 2**20,
                                peak_over_raster=peak / raster_bytes,
                                flooded_share=float(np.count_nonzero(out)) / out.size)
    print(f"\nflood_depth 10k²: raster {raster_bytes / 2**20:.0f} MiB, peak "
          f"{peak / 2**20:.0f} MiB = {peak / raster_bytes:.2f}× the raster")


def _synthetic_block(block_info=None):
    """A lazily generated block of a 20,000² DEM: sea to the west, a dune ridge, hollows."""
    info = block_info[None]
    (r0, r1), (c0, c1) = info["array-location"]
    y, x = np.mgrid[r0:r1, c0:c1].astype("float32")
    rng = np.random.default_rng(r0 * 7 + c0)
    dem = (x / 2_000.0 - 2.0 + 1.5 * np.sin(y / 900.0) * np.cos(x / 1_300.0)
           + rng.normal(0, 0.3, x.shape).astype("float32"))
    dem[:, (x[0] > 3_000) & (x[0] < 3_030)] += 4.0  # a continuous ridge inland
    return dem.astype("float32")


def test_flood_depth_dask_20k(benchmark, peak_rss):
    """Submersion over a synthetic 20,000 × 20,000 DEM (1.6 GB as float32) in strips of 1,000
    rows, generated lazily inside the run; no cache. Peak resident memory of the process during
    the run (conftest.PeakRSS: the kernel's high-water mark reset before it) in extra_info
    (target < 4 GiB)."""
    import dask
    import dask.array as da

    from twin_core.models.coast.submersion_dask import flood_depth_dask

    n = 20_000
    dem = da.map_blocks(_synthetic_block, dtype="float32", chunks=((1_000,) * 20, (n,)))

    def run():
        with dask.config.set(scheduler="threads", num_workers=2):
            depth = flood_depth_dask(dem, 1.0)
            return int((depth > 0).sum().compute())

    with peak_rss:
        flooded = benchmark.pedantic(run, rounds=1, iterations=1)
    benchmark.extra_info.update(flooded_cells=flooded, **peak_rss.info())
    print(f"flooded cells {flooded:,}, {peak_rss.info()}")
    assert 0 < flooded < n * n
