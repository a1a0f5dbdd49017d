"""The validation checks (twin_core.validation): the same code the Validation page and
``twin validate`` run. Every reference check passes; a broken model constant makes one fail."""

from __future__ import annotations

import pytest

from twin_core.cli import main
from twin_core.validation import STATUSES, all_checks, run_checks


@pytest.fixture(scope="module")
def results():
    return run_checks()


def test_every_check_runs_and_no_reference_check_fails(results):
    assert len(results) >= 30
    ids = [r.check for r in results]
    assert len(ids) == len(set(ids))
    for r in results:
        assert r.status in STATUSES
        assert r.reference and r.compared
        assert r.status != "fail", f"{r.check}: obtained {r.obtained}, expected {r.expected}"
    # the issue's minimum: FWI tables, BehavePlus, FAO-56, AR6, each calibrated fit's skill
    for prefix in ("forest.fwi_1985.", "forest.rothermel_behaveplus.", "agriculture.fao56.",
                   "coast.ar6_sea_level.", "forest.dieback_skill",
                   "agriculture.nitrate_skill."):
        assert any(i.startswith(prefix) for i in ids), prefix


def test_skill_rows_follow_the_fits(results):
    by_id = {r.check: r for r in results}
    dieback = by_id["forest.dieback_skill"]
    assert dieback.status == ("skill" if dieback.obtained >= 0.6 else "no_skill")
    nitrate = by_id["agriculture.nitrate_skill.stations_out"]
    assert nitrate.status == ("skill" if nitrate.obtained > 0 else "no_skill")


def test_twin_validate_exits_zero_on_the_sample(capsys):
    assert main(["validate", "core"]) == 0
    out = capsys.readouterr().out
    assert "PASS" in out and "core.tracc.2050" in out


def test_a_broken_constant_makes_twin_validate_fail(monkeypatch, capsys):
    from twin_core.models.agriculture import et0

    monkeypatch.setattr(et0, "SIGMA", et0.SIGMA * 1.2)  # Stefan-Boltzmann constant off by 20 %
    assert main(["validate", "agriculture"]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "ex10_rnl" in out


def test_a_broken_fwi_constant_fails_the_fwi_rows(monkeypatch):
    from twin_core.models.forest import fire_weather as fw

    monkeypatch.setitem(fw.DC_DAY_LENGTH_FACTOR, "north",
                        fw.DC_DAY_LENGTH_FACTOR["north"] + 3.0)  # Van Wagner 1987 Table 2 off
    rows = {r.check: r for r in all_checks()["forest.fwi_1985"].fn()}
    assert rows["forest.fwi_1985.dc"].status == "fail"


def test_unknown_use_case_is_refused(capsys):
    assert main(["validate", "nowhere"]) == 2
    assert "nowhere" in capsys.readouterr().err


def test_agriculture_and_zan_rows_of_issue_15(results, monkeypatch):
    """The Validation page carries the leave-catchments-out nitrate skill, the ZAN hindcast
    (per new inhabitant and per commune) and the FAO field application efficiencies."""
    by_id = {r.check: r for r in results}
    lco = by_id["agriculture.nitrate_skill.catchments_out"]
    assert lco.status == ("skill" if lco.obtained > 0 else "no_skill")
    assert "leave-catchments-out" in lco.compared
    for key in ("zan.hindcast.per_new_inhabitant", "zan.hindcast.communes"):
        assert by_id[key].status in ("skill", "no_skill") and by_id[key].reference
    eff = [r for r in results if r.check.startswith("agriculture.irrigation_efficiency.")]
    assert sorted(r.check.rsplit(".", 1)[1] for r in eff) == ["drip", "sprinkler", "surface"]
    assert all(r.status == "pass" for r in eff)
    # a wrong efficiency in the model fails its row
    from twin_core.models.agriculture import irrigation as irr

    monkeypatch.setitem(irr.APPLICATION_EFFICIENCY, "drip", 0.8)
    rows = {r.check: r for r in all_checks()["agriculture.irrigation_efficiency"].fn()}
    assert rows["agriculture.irrigation_efficiency.drip"].status == "fail"
    assert rows["agriculture.irrigation_efficiency.surface"].status == "pass"
