"""The speed-ups of one agriculture run (issue 15) change no result: each distinct set of levers
evaluated once per run, the default scenario's evaluations kept with the preparation, and the
station × commune products on a sparse copy of the catchment weights — compared with every
evaluation redone on the dense weights, calibration included, to 1e-9 (the
fit itself, which rounding moves within its tolerance, to 1e-6)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def test_deduplicated_sparse_run_gives_the_same_results(agri, monkeypatch):
    from twin_core.models.agriculture import model as am
    from twin_core.models.agriculture import pipeline as pl

    territory, model = agri
    cls = model.scenario_class
    prep = am.prepared(territory)
    # the bucket and AquaCrop caches are inputs of both paths; the fit and evaluations are redone
    kept = {k: v for k, v in prep.cache.items()
            if isinstance(k, tuple) and k[0] in ("wb", "aquacrop")}
    calls: list[int] = []
    real = pl.evaluate
    monkeypatch.setattr(pl, "evaluate", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    scenarios = [cls(label="B", fertilisation_change_pct=-20.0, cover_crop_pct=60.0),
                 cls(label="C", warming_source="custom", custom_warming=3.0, horizon=2060,
                     irrigation_restriction_pct=30.0, grassland_conversion_pct=10.0)]

    def use(fast: bool, cache: dict) -> None:
        monkeypatch.setattr(am, "DEDUPLICATE", fast)
        monkeypatch.setattr(pl, "SPARSE_WEIGHTS", fast)
        monkeypatch.setattr(prep, "cache", dict(cache))
        calls.clear()

    # the fit on both paths agrees to the fit's own tolerance (least_squares xtol 1e-8)
    use(False, kept)
    cal = pl.calibrate_prepared(prep)
    kept.update({k: v for k, v in prep.cache.items() if k[0] == "cal"})
    use(True, {k: v for k, v in kept.items() if k[0] != "cal"})
    cal_fast = pl.calibrate_prepared(prep)
    np.testing.assert_allclose([cal_fast.k, cal_fast.retention], [cal.k, cal.retention],
                               rtol=1e-6, atol=1e-9)
    # the runs, from that same fit, to 1e-9
    use(False, kept)
    slow = [model.run(territory, s) for s in scenarios]
    n_slow = len(calls)
    use(True, kept)
    fast = [model.run(territory, s) for s in scenarios]
    n_fast = len(calls)
    assert n_fast < n_slow
    for a, b in zip(slow, fast, strict=True):
        assert a.values.keys() == b.values.keys()
        for key, value in a.values.items():
            np.testing.assert_allclose(b.values[key], value, rtol=1e-9, atol=1e-9,
                                       err_msg=key)
        pd.testing.assert_frame_equal(b.series, a.series, rtol=1e-9, atol=1e-9)
        for name in ("stations", "irrigation_monthly", "yields", "irrigation_catchment_month"):
            left, right = a.layers[name], b.layers[name]
            num = left.select_dtypes("number").columns
            assert list(num) == list(right.select_dtypes("number").columns)
            np.testing.assert_allclose(right[num].to_numpy(float), left[num].to_numpy(float),
                                       rtol=1e-9, atol=1e-9, err_msg=name)
    # the default scenario's evaluations are kept: a second run evaluates fewer lever sets
    calls.clear()
    model.run(territory, scenarios[0])
    assert len(calls) < n_fast / len(scenarios)
