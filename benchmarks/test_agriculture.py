"""Agriculture benchmarks (issue 5): one scenario over all catchments (target ≤ 200 ms),
calibration on Naïades (target ≤ 60 s), the water-balance cache build (FAO-56 bucket per RU) and
the AquaCrop cache build (winter wheat and maize, one soil class and rain change, full grid).
Each docstring says which caches are warm. Timings are measured, never asserted."""

from __future__ import annotations

import tracemalloc

import pytest

from twin_core.territory import Territory, data_dir


@pytest.fixture(scope="module")
def agri():
    assert (data_dir() / "agriculture" / "territory.json").exists(), \
        "data/agriculture/territory.json is missing: the sample territories are committed"
    from twin_core.models.agriculture import model as am
    from twin_core.models.registry import get_model

    territory = Territory.load("agriculture")
    model = get_model("agriculture.nitrate_water")
    model.run(territory, model.scenario_class())  # warm the preparation and calibration
    return territory, model, am


def test_one_scenario_all_catchments(benchmark, agri):
    """A full model run (all modelled stations and catchments, series to 2050). Warm: the
    territory's preparation, calibration and AquaCrop yields are cached; the same scenario
    every round."""
    territory, model, am = agri
    scenario = model.scenario_class(fertilisation_change_pct=-20.0, cover_crop_pct=60.0)
    result = benchmark(model.run, territory, scenario)
    benchmark.extra_info["stations"] = int(result.values["stations_modelled"])


def test_evaluate_one_lever_set(benchmark, agri):
    """The scenario core alone: levers → every station's nitrate, irrigation per month.
    Warm: preparation and calibration done before timing."""
    territory, _, am = agri
    from twin_core.models.agriculture import pipeline as pl

    prep = am.prepared(territory)
    cal = pl.calibrate_prepared(prep)
    benchmark(pl.evaluate, prep, pl.Levers(fert_change=-0.2, cover_share=0.6), cal.k,
              cal.retention, cal.c_background)


def _cold_calibration(am, pl):
    am._PREPARED.clear()
    am._PINNED.clear()
    prep = am.prepared(Territory.load("agriculture"))
    return pl.calibrate_prepared(prep)


def test_calibration_cold(benchmark, agri):
    """From the territory layers to fitted k and retention: climate zones, synthetic weather,
    ET0 on the warming grid, catchment weights, the bucket at the default RU, the fit. Cold:
    every round reloads the territory and clears the model's preparation cache. The peak memory
    (extra_info) comes from one untimed run under tracemalloc, so the timed rounds do not pay
    for the tracing."""
    _, _, am = agri
    from twin_core.models.agriculture import pipeline as pl

    tracemalloc.start()
    _cold_calibration(am, pl)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    cal = benchmark.pedantic(_cold_calibration, args=(am, pl), rounds=3, iterations=1)
    benchmark.extra_info["peak_mb"] = round(peak / 1e6, 1)
    benchmark.extra_info["r2_val"] = round(cal.metrics["r2_val"], 3)
    print(f"calibration peak memory {peak / 1e6:.0f} MB")


def test_yield_cache_build(benchmark, agri):
    """The yield / water-balance cache for one new soil RU: the daily bucket for every climate
    zone × crop × warming level × (rainfed, irrigated). Cold for that RU: a soil RU not seen
    before each round (preparation warm)."""
    territory, _, am = agri
    from twin_core.models.agriculture import pipeline as pl

    prep = am.prepared(territory)
    rus = iter(range(60, 250, 3))

    def build():
        return pl.water_balance(prep, float(next(rus)))

    benchmark.pedantic(build, rounds=3, iterations=1)


def test_aquacrop_cache_build(benchmark, agri, monkeypatch):
    """AquaCrop cache build time: rainfed winter wheat and maize on the full warming grid for
    the default soil class and no rain change, plus net-irrigated maize (what the dashboard's
    default comparison needs), and the phenology calibration of each crop. Cold every round:
    the disk cache is off (``TWIN_CACHE_DIR=off``) and the in-process store
    (``aquacrop_yields._STORE``) is cleared before each round, so every round runs AquaCrop
    (``aquacrop_runs`` in extra_info, the same each round)."""
    territory, _, am = agri
    from twin_core.models.agriculture import aquacrop_yields as aq
    from twin_core.models.agriculture import pipeline as pl

    monkeypatch.setenv("TWIN_CACHE_DIR", "off")
    assert aq.cache_dir() is None
    prep = am.prepared(territory)
    runs: list[int] = []

    def clear():
        aq._STORE.clear()

    def build():
        cache = aq.YieldCache(prep.climate, **pl.AQUACROP_SETTINGS)
        cache.build()
        runs.append(cache.runs)
        return cache

    cache = benchmark.pedantic(build, setup=clear, rounds=3, iterations=1)
    assert len(set(runs)) == 1 and runs[0] > 0  # every round computed everything
    benchmark.extra_info["aquacrop_runs"] = cache.runs
    benchmark.extra_info["seasons_per_run"] = cache.n_seasons


def test_aquacrop_cached_scenario(benchmark, agri):
    """A full model run once the AquaCrop cache is warm (yields by interpolation). Warm:
    preparation, calibration and the AquaCrop yields of this scenario cached (an untimed run
    first); the same scenario every round."""
    territory, model, _ = agri
    scenario = model.scenario_class(warming_source="custom", custom_warming=4.0)
    model.run(territory, scenario)  # fills the cache for this soil class and rain change
    benchmark(model.run, territory, scenario)
