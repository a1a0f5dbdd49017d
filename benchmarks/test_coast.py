"""Coast benchmarks (pytest-benchmark, not timed tests): one full scenario on the sample
territory after load, and ``flood_depth`` on a synthetic 10,000 × 10,000 DEM with its peak
memory relative to the raster (issue 3 targets: ≤ 200 ms; ≤ 10 s and ≤ 3× the raster)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from twin_core.models.coast.submersion import flood_depth
from twin_core.models.registry import get_model
from twin_core.territory import Territory

N = 10_000


def test_coast_scenario_after_load(benchmark):
    """A full coast.risk run (retreat, flood, exposure, damage, options, layers), territory
    loaded and prepared; a scenario not seen before (flood levels computed, not cached)."""
    model = get_model("coast.risk")
    territory = Territory.load("coast")
    model.run(territory, model.scenario_class())  # load + prepare
    horizons = iter(range(2030, 2101))

    def run_new():
        return model.run(territory, model.scenario_class(horizon=next(horizons),
                                                         dike_crest_m=4.0))

    benchmark.pedantic(run_new, rounds=5, iterations=1)


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
    """flood_depth on 10,000 × 10,000 float32 cells (sea = below-level cells on the edge)."""
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


def test_flood_depth_dask_20k(benchmark):
    """Submersion over a synthetic 20,000 × 20,000 DEM (1.6 GB as float32) in strips of 1,000
    rows; peak memory of the process (ru_maxrss) reported in extra_info (target < 4 GiB)."""
    import resource

    import dask
    import dask.array as da

    from twin_core.models.coast.submersion_dask import flood_depth_dask

    n = 20_000
    dem = da.map_blocks(_synthetic_block, dtype="float32", chunks=((1_000,) * 20, (n,)))

    def run():
        with dask.config.set(scheduler="threads", num_workers=2):
            depth = flood_depth_dask(dem, 1.0)
            return int((depth > 0).sum().compute())

    flooded = benchmark.pedantic(run, rounds=1, iterations=1)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB -> GiB
    benchmark.extra_info.update(flooded_cells=flooded, peak_rss_gib=round(peak, 2))
    print(f"flooded cells {flooded:,}, peak RSS {peak:.2f} GiB")
    assert 0 < flooded < n * n
