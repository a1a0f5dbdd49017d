"""FWI system against xclim's ``cffwis_indices`` and the 1985 table, with both FFMC constants,
and the compiled loop against the per-day numpy functions (issue 13, "FWI: faster and closer")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xclim  # noqa: F401  (a hard dependency: a broken install fails here, never skips)

from twin_core.models.forest import fire_weather as fw
from twin_core.validation.reference import reference_table

CODES = fw.OUTPUT_COLUMNS
DMC_DC_BUI = ("dmc", "dc", "bui")


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return pd.read_csv(reference_table("fwi_van_wagner_pickett_1985"))


def _weather(ref: pd.DataFrame) -> pd.DataFrame:
    return ref.rename(columns={"ws": "wind", "pr": "rain", "mth": "month"})[
        ["temp", "rh", "wind", "rain", "month"]]


@pytest.fixture(scope="module")
def synthetic():
    # 3 years × 20 cells from 38 to 50° N: small enough for seconds, varied enough to reach
    # every branch (rain on dry and wet duff, DMC > 65, BUI > 80, FWI > 1 and < 1)
    return fw.synthetic_weather(3, 20, seed=13)


def _ours(synthetic, k):
    days, w, lat = synthetic
    return fw.fwi_arrays(w["temp"], w["rh"], w["wind"], w["rain"], days.month.to_numpy(), lat,
                         ffmc_coefficient=k)


def test_1985_table_within_its_rounding_on_every_code(table):
    out = fw.fwi_daily(_weather(table), lat=44.0)
    for col in CODES:
        assert np.max(np.abs(out[col] - table[col])) <= 0.05 + 1e-9, col


def test_cffdrs_constant_moves_only_ffmc_isi_fwi(table):
    w = _weather(table)
    a = fw.fwi_daily(w, lat=44.0)
    b = fw.fwi_daily(w, lat=44.0, ffmc_coefficient=fw.FFMC_COEFFICIENT_CFFDRS)
    for col in DMC_DC_BUI:
        np.testing.assert_array_equal(a[col], b[col])
    # a small change of FFMC (a larger constant reads a given moisture as a lower code)
    assert 0.0 < np.max(np.abs(b["ffmc"] - a["ffmc"])) < 0.3
    assert (b["ffmc"] <= a["ffmc"] + 1e-12).all()
    assert 0.0 < np.max(np.abs(b["isi"] - a["isi"])) < 1.0


def test_synthetic_weather_reaches_every_branch(synthetic):
    days, w, lat = synthetic
    out = _ours(synthetic, fw.FFMC_COEFFICIENT)
    assert lat.min() == 38.0 and lat.max() == 50.0 and len(days) == 3 * 365
    assert (w["rain"] > 2.8).mean() > 0.05
    assert out["dmc"].max() > 65.0 and out["bui"].max() > 80.0 and out["dc"].max() > 500.0
    assert (out["fwi"] < 1.0).any() and (out["fwi"] > 30.0).any()


@pytest.mark.parametrize("k", [fw.FFMC_COEFFICIENT, fw.FFMC_COEFFICIENT_CFFDRS],
                         ids=["147.2", "147.27723"])
def test_agrees_with_xclim_within_0_05_on_every_code(synthetic, k):
    days, w, lat = synthetic
    ours = _ours(synthetic, k)
    ref = fw.xclim_fwi(days, w, lat, ffmc_coefficient=k)  # same constant on both sides
    for col in CODES:
        assert np.isfinite(ref[col]).all()
        assert np.max(np.abs(ours[col] - ref[col])) <= 0.05, col


def test_dmc_dc_bui_agree_with_xclim_whatever_the_constant(synthetic):
    days, w, lat = synthetic
    ours = _ours(synthetic, fw.FFMC_COEFFICIENT_CFFDRS)
    ref = fw.xclim_fwi(days, w, lat)  # xclim as shipped: 147.2
    for col in DMC_DC_BUI:
        assert np.max(np.abs(ours[col] - ref[col])) <= 0.05, col


def test_compiled_loop_matches_the_numpy_step_functions(synthetic):
    days, w, lat = synthetic
    k = fw.FFMC_COEFFICIENT_CFFDRS
    out = _ours(synthetic, k)
    month = days.month.to_numpy()
    f, d, c = (np.full(lat.shape, v) for v in (85.0, 6.0, 15.0))
    for i in range(len(days)):
        f = fw.ffmc_step(f, w["temp"][i], w["rh"][i], w["wind"][i], w["rain"][i], k)
        d = fw.dmc_step(d, w["temp"][i], w["rh"][i], w["rain"][i],
                        fw.dmc_day_length(lat, month[i]))
        c = fw.dc_step(c, w["temp"][i], w["rain"][i], fw.dc_day_length_factor(lat, month[i]))
        isi = fw.initial_spread_index(f, w["wind"][i], k)
        bui = fw.buildup_index(d, c)
        for col, v in (("ffmc", f), ("dmc", d), ("dc", c), ("isi", isi), ("bui", bui),
                       ("fwi", fw.fire_weather_index(isi, bui))):
            np.testing.assert_allclose(out[col][i], v, rtol=1e-10, atol=1e-9, err_msg=col)


def test_broadcast_inputs_and_per_cell_start_codes():
    days, w, lat = fw.synthetic_weather(1, 4, seed=2)
    n = len(days)
    month = days.month.to_numpy()
    rain1 = w["rain"][:, :1]
    full = fw.fwi_arrays(w["temp"], w["rh"], w["wind"], np.repeat(rain1, 4, axis=1), month, lat,
                         ffmc0=[80.0, 85.0, 90.0, 85.0], dmc0=6.0, dc0=15.0)
    views = fw.fwi_arrays(w["temp"], w["rh"], w["wind"], np.broadcast_to(rain1, (n, 4)),
                          month, lat, ffmc0=np.array([80.0, 85.0, 90.0, 85.0]))
    for col in CODES:
        np.testing.assert_array_equal(full[col], views[col])
    one = fw.fwi_arrays(w["temp"][:, 1], w["rh"][:, 1], w["wind"][:, 1], rain1[:, 0], month,
                        float(lat[1]))
    assert one["fwi"].shape == (n,)
    np.testing.assert_allclose(one["fwi"], full["fwi"][:, 1], rtol=0, atol=1e-12)
    assert full["ffmc"][0, 0] != full["ffmc"][0, 2]  # start codes are per cell


def test_cells_split_across_threads_give_the_same_values(synthetic, monkeypatch):
    """Above PARALLEL_MIN_CELL_DAYS the cells run in one block per core on threads; each
    cell's series is computed alone, so the values are bit for bit those of one block (here
    with the split forced on 20 cells, in 3 and in 7 blocks)."""
    one = _ours(synthetic, fw.FFMC_COEFFICIENT)
    monkeypatch.setattr(fw, "PARALLEL_MIN_CELL_DAYS", 0)
    for workers in (3, 7):
        monkeypatch.setattr(fw.os, "cpu_count", lambda w=workers: w)
        split = _ours(synthetic, fw.FFMC_COEFFICIENT)
        for code in CODES:
            assert np.array_equal(split[code], one[code]), (workers, code)
