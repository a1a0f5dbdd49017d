"""Chunked flooding equals the in-memory flood_depth, whatever the strips."""

import dask.array as da
import numpy as np
import pytest

from twin_core.models.coast.submersion import flood_depth
from twin_core.models.coast.submersion_dask import flood_depth_dask


def rough_dem(shape, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:shape[0], 0:shape[1]]
    dem = 0.02 * x + np.sin(y / 7.0) * 1.5 + rng.normal(0, 0.8, shape)  # sea on the left
    dem[rng.random(shape) < 0.01] = np.nan
    return dem.astype("float32")


@pytest.mark.parametrize("strip_rows", [1, 7, 50, 300])
@pytest.mark.parametrize("seed", [0, 1])
def test_strips_give_exactly_the_in_memory_result(strip_rows, seed):
    dem = rough_dem((120, 90), seed)
    expected = flood_depth(dem, 1.2)
    got = flood_depth_dask(da.from_array(dem, chunks=(strip_rows, 90)), 1.2).compute()
    np.testing.assert_array_equal(got, expected)
    assert (expected > 0).any() and (expected == 0).any()


def test_a_hollow_behind_a_ridge_stays_dry_across_strips():
    dem = np.full((40, 40), 5.0, dtype="float32")
    dem[:, :3] = -1.0  # sea along the left edge
    dem[10:30, 10:30] = 3.0  # ridge
    dem[12:28, 12:28] = -2.0  # hollow below the level, cut off by the ridge
    dem[20, 3:10] = 0.0  # a channel from the sea to the ridge
    depth = flood_depth_dask(da.from_array(dem, chunks=(6, 40)), 1.0).compute()
    assert depth[15, 15] == 0.0  # the hollow
    assert depth[20, 5] == pytest.approx(1.0) and depth[0, 0] == pytest.approx(2.0)
    over = flood_depth_dask(da.from_array(dem, chunks=(6, 40)), 3.5).compute()
    assert over[15, 15] == pytest.approx(5.5)  # overtopped: the hollow floods
