"""ZAN benchmarks: all communes of France × 1,000 scenario draws (vectorised numpy), and one
scenario on the sample territory. Timings are reported, never asserted.

France: the 34,875 communes (type COM) of ../shared/data/communes with their real population
and area; land take is synthetic (drawn from the Ain Cerema rates like the data build does, see
twin_core.models.zan.projection.synthetic_land_take), commune growth offsets drawn N(0, 0.5 %/yr).
"""

from __future__ import annotations

import resource
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from twin_core.models.registry import get_model
from twin_core.models.zan.projection import (
    ain_rates,
    draw_scenarios,
    project_draws,
    synthetic_land_take,
)
from twin_core.territory import Territory

ROOT = Path(__file__).resolve().parents[1]
COMMUNES = ROOT.parent / "shared" / "data" / "communes" / "communes_france.parquet"


@pytest.fixture(scope="module")
def france():
    if not COMMUNES.exists():
        pytest.skip(f"{COMMUNES} missing")
    import geopandas as gpd

    g = gpd.read_parquet(COMMUNES, columns=["code_insee", "type", "population_municipale",
                                            "geometry"])
    g = g[g["type"] == "COM"]
    area_km2 = np.nan_to_num(g.geometry.to_crs(6933).area.to_numpy() / 1e6)  # equal-area
    pop = g["population_municipale"].fillna(0).to_numpy(float)
    conso = pd.read_csv(ROOT / "data" / "zan" / "conso_naf.csv", sep=";",
                        dtype={"idcom": str})
    rng = np.random.default_rng(20240917)
    syn = synthetic_land_take(pop, area_km2, ain_rates(conso), rng)
    return {"pop": pop, **syn, "offset": rng.normal(0.0, 0.5, pop.size),
            "draws": draw_scenarios(1000, rng)}


def test_france_34875_communes_x_1000_draws(benchmark, france):
    f = france
    assert f["pop"].size == 34_875

    def run():
        return project_draws(f["pop"], 2.2, f["reference_ha"], f["observed_2021_ha"],
                             f["other_rate_ha"], f["draws"], f["offset"])

    tracemalloc.start()
    out = run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    out = benchmark.pedantic(run, rounds=3, iterations=1)
    benchmark.extra_info.update({
        "peak_mib_tracemalloc": round(peak / 2**20, 1),
        "maxrss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "reference_2011_2021_ha": round(float(f["reference_ha"].sum())),
        "median_consumption_2021_2031_ha": round(float(np.median(out["consumption_ha"]))),
        "median_communes_over_budget": float(np.median(out["communes_over_budget"])),
    })
    print(benchmark.extra_info)
    assert out["consumption_ha"].shape == (1000,)


def test_one_scenario_on_the_sample(benchmark):
    try:
        territory = Territory.load("zan")
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"sample territory zan missing: {exc}")
    model = get_model("zan.trajectory")
    scenario = model.scenario_class(label="A")
    model.run(territory, scenario)  # layers read and cached by the territory
    benchmark.pedantic(model.run, args=(territory, scenario), rounds=10, iterations=1)
