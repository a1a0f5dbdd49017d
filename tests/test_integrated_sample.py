"""The integrated sample (data/integrated): coast, forest and ZAN on the same communes."""

import json

from twin_core.territory import Territory, data_dir, sample_territories
from twin_core.territory.integrated import CODES, EPCIS


def test_integrated_sample_has_coast_forest_and_zan_on_the_same_communes():
    assert "integrated" in sample_territories()
    terr = Territory.load("integrated")
    terr.check()
    communes = terr.layer("communes")
    assert sorted(communes["code_insee"]) == sorted(CODES)
    assert set(communes["epci_code"]) == set(EPCIS)
    runs = {k for k, v in terr.manifest["use_cases"].items() if v["runs"]}
    assert runs == {"coast", "forest", "zan"}
    assert terr.is_synthetic("buildings") and terr.is_synthetic("conso_naf")
    assert not any(terr.is_synthetic(k) for k in ("communes", "erosion", "dem", "stands"))
    for key in ("erosion", "stands", "buildings"):
        assert set(terr.layer(key)["code_insee"]) <= set(CODES)
    size = sum(p.stat().st_size for p in (data_dir() / "integrated").iterdir())
    assert size < 6e6
    text = (data_dir() / "README.md").read_text("utf-8")
    assert "## integrated" in text
    manifest = json.loads((data_dir() / "integrated" / "territory.json").read_text("utf-8"))
    assert all("provenance" in v for v in manifest["layers"].values())
