"""ZAN: the 2021-2031 envelope on the real Cerema file, the guarantee, allocation, demand."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from twin_core.errors import TwinInputError
from twin_core.models.registry import get_model
from twin_core.models.zan import allocate, decade_budgets, envelope_2031
from twin_core.models.zan.envelope import dwellings_needed, naf_column
from twin_core.territory import Territory

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "zan" / \
    "cerema_conso_naf_2009_2023_ain_9communes.csv"


@pytest.fixture(scope="module")
def conso():
    if not REAL.exists():
        pytest.skip(f"real Cerema file not found at {REAL}")
    return pd.read_csv(REAL, sep=";", dtype={"idcom": str})


def test_reference_is_the_sum_2011_to_2020(conso):
    env = envelope_2031(conso)
    row = conso.set_index("idcom").loc["01004"]
    expected = sum(row[naf_column(y)] for y in range(2011, 2021)) / 1e4
    assert env.loc["01004", "reference_ha"] == pytest.approx(expected)
    # the file's own 2009-2023 total checks our column reading: art09… == sum of yearly naf
    total = sum(row[naf_column(y)] for y in range(2009, 2023))
    assert total == pytest.approx(row["naf09art23"], rel=1e-6)


def test_halving_and_guarantee(conso):
    env = envelope_2031(conso, reduction=0.5, guarantee_ha=1.0)
    big = env["reference_ha"] * 0.5 >= 1.0
    assert np.allclose(env.loc[big, "envelope_ha"], env.loc[big, "reference_ha"] * 0.5)
    assert (env.loc[~big, "envelope_ha"] == 1.0).all()  # loi 2023-630: at least 1 ha
    assert (~big).sum() >= 1  # Ambléon (0.65 ha consumed) gets the guarantee
    assert env.loc["01006", "envelope_ha"] == 1.0
    no_guarantee = envelope_2031(conso, reduction=0.5, guarantee_ha=0.0)
    assert (no_guarantee["envelope_ha"] <= env["envelope_ha"]).all()
    with pytest.raises(ValueError):
        envelope_2031(conso, reduction=1.5)
    with pytest.raises(TwinInputError, match="naf15art16"):
        envelope_2031(conso.drop(columns="naf15art16"))


def test_allocation_conserves_the_total_exactly():
    weights = pd.Series([3.0, 1.0, 1.0, 0.0, 7.3], index=list("abcde"))
    shares = allocate(42.3217, weights)
    assert shares.sum() == pytest.approx(42.3217, abs=1e-9)
    assert shares["d"] == 0 and shares["e"] > shares["a"] > shares["b"]
    assert allocate(10.0, pd.Series([0.0, 0.0], index=["x", "y"])).tolist() == [5.0, 5.0]


def test_decade_budgets_reach_zero_and_shrink():
    b = decade_budgets(100.0, pace_2031_2041=0.5)
    assert b["2021-2031"] == 100.0 and b["2031-2041"] == 50.0
    assert 0 < b["2041-2050"] < b["2031-2041"]


def test_dwellings_need_grows_with_population_and_smaller_households():
    base = dwellings_needed(10_000, 0.0, 10, 2.2, 0.0, 0.05, 0.08)
    assert base == 0.0
    growth = dwellings_needed(10_000, 1.0, 10, 2.2, 0.0, 0.05, 0.08)
    smaller = dwellings_needed(10_000, 1.0, 10, 2.2, -0.5, 0.05, 0.08)
    assert 0 < growth < smaller
    # 10,000 people at 2.2 per home, +10.46 % in 10 years: ≈ 476 main residences, / 0.87 occupied
    assert growth == pytest.approx(10_000 * (1.01 ** 10 - 1) / 2.2 / 0.87, rel=1e-9)


@pytest.fixture(scope="module")
def territory():
    try:
        return Territory.load("zan")
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"sample territory zan missing: {exc}")


def test_model_levers_move_the_right_way(territory):
    model = get_model("zan.trajectory")
    S = model.scenario_class
    base = model.run(territory, S(label="A"))
    denser = model.run(territory, S(label="B", density=40.0))
    reuse = model.run(territory, S(label="C", existing_fabric_pct=80.0))
    assert base.values["envelope_ha"] == pytest.approx(42.32, abs=0.01)  # real file, 50 %, 1 ha
    for alt in (denser, reuse):
        assert alt.values["projected_2021_2031_ha"] < base.values["projected_2021_2031_ha"]
    assert base.series["year"].min() == 2011 and base.series["year"].max() >= 2050
    observed = base.series[base.series["observed"]]
    assert observed["year"].max() == 2022
    assert base.synthetic_inputs == ()
    gironde = model.run(territory, S(label="G", group="gironde"))
    assert "conso_naf_synthetic" in gironde.synthetic_inputs
    assert len(gironde.layers["communes"]) > 20
