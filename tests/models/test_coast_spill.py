"""Spill levels (coast/spill.py): every flood level of the connected bathtub from one priority
flood must be the label-based flood of submersion.flooded_mask, cell for cell — on hand-built
DEMs (a basin behind a saddle, a dike burnt in, nodata, the array's edge as the sea, rough
random ground, the estuary gradient) and on every flood level the model computes for the
sample territory and the toy territories with a dikes layer, a drawn dike and the breach. Also
the retreat band read from distances sorted once per arc (Prepared.in_band)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.models.test_coast import _write_territory
from tests.models.test_coast_defences import _with_dikes
from twin_core.models.coast import model as coast_model
from twin_core.models.coast.spill import (
    below_threshold,
    region_seeds,
    sea_seeds,
    spill_levels,
)
from twin_core.models.coast.submersion import burn_dike, flooded_mask


def _levels_around(values: np.ndarray) -> np.ndarray:
    """Every distinct finite value, one float32 step either side, and points in between: the
    levels where a cell's state flips."""
    v = np.unique(np.asarray(values, dtype=np.float32)[np.isfinite(values)])
    up = np.nextafter(v, np.float32(np.inf))
    down = np.nextafter(v, np.float32(-np.inf))
    mid = (v[:-1] + v[1:]) / 2
    grid = np.linspace(v[0] - 1.0, v[-1] + 1.0, 80, dtype=np.float32)
    return np.unique(np.concatenate([v, up, down, mid, grid]))


def _assert_same_floods(z, t, sea, levels, floor=-50.0, cap=50.0, start=False):
    seeds = sea_seeds(z.shape, sea)
    if start:  # the model's path: the region below the floor filled first (t ≥ 0)
        base = spill_levels(z, None, seeds, floor, floor)
        spill = spill_levels(z, t, region_seeds(np.isfinite(base), seeds), floor, cap,
                             start=base)
    else:
        spill = spill_levels(z, t, seeds, floor, cap)
    checked = 0
    for level in levels:
        lv = float(level)
        if not floor <= np.float32(lv) <= cap:
            continue
        field = lv if t is None else (lv + t).astype(np.float32)  # as Prepared.level_field
        expected = flooded_mask(z, field, sea)
        got = spill <= np.float32(lv)
        assert np.array_equal(got, expected), (lv, np.argwhere(got != expected)[:5])
        checked += 1
    assert checked > 10


# -- the per-cell threshold --------------------------------------------------------------------
def test_below_threshold_reproduces_the_float32_level_test():
    rng = np.random.default_rng(7)
    z = rng.normal(2.0, 3.0, 20_000).astype(np.float32)
    t = (rng.uniform(0, 0.8, z.size) * rng.integers(0, 2, z.size)).astype(np.float32)
    z[:500] = t[:500]  # z = t: the threshold is near 0, where float32 values are dense
    z[500:600] = -t[500:600]
    z[600:650] = np.nan
    z[650:700] = 0.0
    theta_u, theta_t = below_threshold(z), below_threshold(z, t)
    assert np.isinf(theta_u[600:650]).all() and np.isinf(theta_t[600:650]).all()
    levels = np.concatenate([rng.uniform(-8, 12, 200), [0.0, 1e-30, -1e-30, 2.4, 3.48]])
    for lv in np.concatenate([levels, z[:20].astype(float), (z - t)[:20].astype(float)]):
        lv32 = np.float32(lv)
        with np.errstate(invalid="ignore"):
            assert np.array_equal(theta_u <= lv32, z < float(lv))
            assert np.array_equal(theta_t <= lv32, z < (float(lv) + t).astype(np.float32))


# -- hand-built DEMs ---------------------------------------------------------------------------
def _basin() -> tuple[np.ndarray, np.ndarray]:
    """Sea in columns 0-2 (−5 m), a beach at 1 m, a ridge at 4 m in column 6 with a saddle at
    2.5 m in row 5, a basin at 1 m (0.8 m in its middle) behind it, a hollow at 0.5 m walled by
    6 m ground in the far corner."""
    z = np.full((11, 20), 1.0, dtype=np.float32)
    z[:, :3] = -5.0
    z[:, 6] = 4.0
    z[5, 6] = 2.5
    z[2:9, 8:14] = 0.8
    z[:, 15:] = 6.0
    z[7:10, 16:19] = 0.5
    sea = np.zeros(z.shape, dtype=bool)
    sea[:, :3] = True
    return z, sea


def test_a_basin_fills_over_its_saddle_and_a_walled_hollow_over_its_wall():
    z, sea = _basin()
    spill = spill_levels(z, None, sea_seeds(z.shape, sea), -10.0, 10.0)
    saddle = np.nextafter(np.float32(2.5), np.float32(np.inf))  # flooded once level > 2.5 m
    assert (spill[:, 7:15] == saddle).all()
    assert (spill[:, 3:6] == np.nextafter(np.float32(1.0), np.float32(2.0))).all()
    # the hollow lies below every level from 0.5 m but floods only over its 6 m wall
    assert (spill[7:10, 16:19] == np.nextafter(np.float32(6.0), np.float32(7.0))).all()
    assert not (spill <= np.float32(2.5))[2:9, 8:14].any()  # level = saddle: still dry
    assert (spill <= np.float32(2.5001))[2:9, 8:14].all()
    assert (spill[:, :3] <= np.float32(-5.0 + 1e-6)).all()  # the sea itself


@pytest.mark.parametrize("case", ["basin", "dike", "nodata", "edge_sea", "rough"])
@pytest.mark.parametrize("gradient", [0.0, 0.5])
def test_spill_levels_equal_the_connected_bathtub_on_hand_built_dems(case, gradient):
    z, sea = _basin()
    if case == "dike":  # a dike burnt at 3.2 m across the saddle
        cells = np.zeros(z.shape, dtype=bool)
        cells[:, 5] = True
        z = burn_dike(z, cells, 3.2)
    elif case == "nodata":  # a nodata line cuts the basin from the saddle, except row 5
        z[:, 7] = np.nan
        z[5, 7] = 2.0
        z[0, 10] = np.nan
    elif case == "edge_sea":
        sea = None
    elif case == "rough":
        rng = np.random.default_rng(3)
        z = (np.linspace(-4, 8, 60)[None, :] + rng.normal(0, 1.5, (45, 60))).astype(np.float32)
        z[rng.random(z.shape) < 0.03] = np.nan
        sea = np.zeros(z.shape, dtype=bool)
        sea[:, :4] = True
    axis = np.clip(np.linspace(-0.2, 1.2, z.shape[1], dtype=np.float32), 0, 1)[None, :]
    t = None if gradient == 0.0 else gradient * np.broadcast_to(axis, z.shape)
    levels = _levels_around(z if t is None else z - t)
    _assert_same_floods(z, t, sea, levels)
    _assert_same_floods(z, t, sea, levels, floor=1.0, cap=3.5, start=True)


def test_spill_window_reports_floor_below_and_nothing_above():
    z, sea = _basin()
    spill = spill_levels(z, None, sea_seeds(z.shape, sea), 0.0, 2.0)
    assert (spill[:, :3] == 0.0).all()  # below the floor: the floor
    assert np.isinf(spill[2:9, 8:14]).all()  # the basin spills at 2.5 m > cap
    with pytest.raises(ValueError, match="floor"):
        spill_levels(z, None, sea_seeds(z.shape, sea), 3.0, 2.0)
    with pytest.raises(ValueError, match="sea mask shape"):
        sea_seeds(z.shape, sea[:, :5])


# -- every flood level of the model ------------------------------------------------------------
def _reference(prep, level, crest, drawn, gradient, high_water):
    """The flood at the buildings and the flooded land of the label-based bathtub (the model's
    code before the spill levels)."""
    z = prep.dem_with_dike(crest, drawn)
    field = prep.level_field(level, gradient)
    wet = flooded_mask(z, field, prep.sea) & ~prep.intertidal(high_water)
    row, col, inside = prep.cell
    lv = field[row, col] if isinstance(field, np.ndarray) else field
    at_b = np.where(inside & wet[row, col], lv - z[row, col], 0.0)
    at_b = np.where(np.isfinite(at_b), np.maximum(at_b, 0.0), 0.0)
    return at_b, float(np.count_nonzero(wet & prep.land_mask)) * prep.cell_ha


def _check_every_level(monkeypatch, territory, scenarios) -> int:
    from twin_core.models.registry import get_model

    calls = []
    flood = coast_model.Prepared.flood

    def recorded(self, level, crest, drawn=None, gradient=0.0, breach=False,
                 high_water=coast_model.HIGH_WATER_M):
        out = flood(self, level, crest, drawn, gradient, breach, high_water)
        calls.append((self, level, crest, drawn, gradient, breach, high_water, out))
        return out

    monkeypatch.setattr(coast_model.Prepared, "flood", recorded)
    model = get_model("coast.risk")
    for params in scenarios:
        calls.clear()
        model.run(territory, model.scenario_class(**params))
        assert len(calls) >= 40
        for prep, level, crest, drawn, gradient, breach, high_water, out in calls:
            z = prep.dem_with_dike(crest, drawn)
            expected = flooded_mask(z, prep.level_field(level, gradient), prep.sea)
            got = prep.spill(level, crest, drawn, gradient).levels <= np.float32(level)
            assert np.array_equal(got, expected), (params, level, gradient)
            if not breach:
                depth, ha = _reference(prep, level, crest, drawn, gradient, high_water)
                assert out[0].dtype == depth.dtype and np.array_equal(out[0], depth)
                assert out[1] == ha
    return len(calls)


def test_every_flood_level_of_the_sample_is_the_label_flood(monkeypatch):
    from twin_core.territory import Territory

    n = _check_every_level(monkeypatch, Territory.load("coast"), [
        {"dike_crest_m": 4.0},  # the benchmark's scenario: 42 flood levels
        {"horizon": 2100, "sea_level_option": "high_end", "defence_failure": "breach",
         "dike_crest_m": 3.0, "return_period": 1000},
        {"horizon": 2070, "estuary_surge_ratio": 1.0, "high_water_m": 1.5},
    ])
    assert n >= 40


def test_every_flood_level_with_loaded_and_drawn_dikes_is_the_label_flood(monkeypatch,
                                                                         tmp_path):
    from twin_core.territory import Territory

    root = _with_dikes(_write_territory(tmp_path / "low"), 3.0)
    x0, y0, cell = 370_000.0, 6_500_000.0, 120.0
    line = {"type": "LineString", "coordinates": [[x0 + 20.5 * cell, y0 - 2 * cell],
                                                  [x0 + 20.5 * cell, y0 - 38 * cell]]}
    _check_every_level(monkeypatch, Territory.load(root), [
        {"horizon": 2100},
        {"horizon": 2100, "defence_failure": "breach", "dike_crest_m": 4.0},
        {"horizon": 2080, "dike_line": line, "dike_crest_m": 3.5, "return_period": 10},
    ])


def test_a_level_below_the_window_recomputes_and_stays_exact():
    from twin_core.territory import Territory

    prep = coast_model.prepare(Territory.load("coast"))
    prep.spills.clear()
    first = prep.spill(4.0, 0.0, None, 0.5)
    assert prep.spills[(0.0, None)].floor == pytest.approx(4.0 - coast_model.SPILL_BELOW_M)
    for level in (3.9, 2.5, 6.8, 7.2):  # inside; below the floor; inside; above the cap
        sp = prep.spill(level, 0.0, None, 0.5)
        expected = flooded_mask(prep.dem.values, prep.level_field(level, 0.5), prep.sea)
        assert np.array_equal(sp.levels <= np.float32(level), expected), level
    assert prep.spills[(0.0, None)].floor == pytest.approx(2.5 - coast_model.SPILL_BELOW_M)
    assert sp is not first and sp.cap >= 7.2


def test_retreat_band_from_sorted_distances_is_the_full_comparison():
    """Prepared.in_band (distances sorted once per arc) = the comparison of every building with
    every arc, for random retreats, nourished fronts and arcs without a rate (NaN)."""
    from twin_core.territory import Territory

    prep = coast_model.prepare(Territory.load("coast"))
    assert prep.behind_front.any() and (~prep.behind_front).any()
    rng = np.random.default_rng(11)
    n_arcs = prep.dist.shape[1]
    hits = 0
    for _ in range(100):
        natural = rng.uniform(0, 3000, n_arcs) * (rng.random(n_arcs) < 0.8)
        natural[rng.random(n_arcs) < 0.1] = np.nan
        nourished = natural * rng.uniform(0, 1)
        r_b = np.where(prep.behind_front[:, None], nourished[None, :], natural[None, :])
        expected = (prep.dist <= r_b).any(axis=1)
        got = prep.in_band(natural, nourished)
        assert np.array_equal(got, expected)
        hits += int(expected.sum())
    assert hits > 0
    assert not prep.in_band(np.zeros(n_arcs) - 1.0, np.zeros(n_arcs) - 1.0).any()


def test_spill_cache_over_its_memory_budget_drops_families_and_stays_exact(monkeypatch):
    from twin_core.territory import Territory

    prep = coast_model.prepare(Territory.load("coast"))
    prep.spills.clear()
    raster = prep.dem.values.size * 4
    monkeypatch.setattr(coast_model, "SPILL_CACHE_BYTES", 3 * raster)  # start + 2 families
    for gradient in (0.1, 0.3, 0.5, 0.7):
        sp = prep.spill(3.5, 0.0, None, gradient)
        expected = flooded_mask(prep.dem.values, prep.level_field(3.5, gradient), prep.sea)
        assert np.array_equal(sp.levels <= np.float32(3.5), expected)
        held = sum(len(s.families) + 1 for s in prep.spills.values())
        assert held * raster <= 3 * raster


def test_compiled_threshold_is_the_numpy_threshold_cell_by_cell():
    """Each test cell joins the sea (row 0) alone (nodata between them), so its spill level is
    its own threshold: the compiled one (one-ulp steps, bisection when z ≈ t) must equal
    below_threshold, including z = t, z = −t and the ocean's t = 0."""
    rng = np.random.default_rng(5)
    n = 3000
    t = rng.uniform(0, 0.8, n).astype(np.float32)
    t[:300] = 0.0
    z = rng.uniform(-0.9, 0.9, n).astype(np.float32)
    z[300:900] = t[300:900]
    z[900:1200] = -t[900:1200]
    z[1200:1300] = np.nextafter(t[1200:1300], np.float32(1.0))
    dem = np.full((2, 2 * n), np.nan, dtype=np.float32)
    dem[0] = -5.0
    dem[1, ::2] = z
    tt = np.zeros(dem.shape, dtype=np.float32)
    tt[1, ::2] = t
    sea = np.zeros(dem.shape, dtype=bool)
    sea[0] = True
    spill = spill_levels(dem, tt, sea_seeds(dem.shape, sea), -1.0, 1.0)
    expected = below_threshold(z, t)
    assert np.array_equal(spill[1, ::2], np.maximum(expected, np.float32(-1.0)))
    assert np.isinf(spill[1, 1::2]).all()
