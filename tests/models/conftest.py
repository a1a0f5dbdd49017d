"""Fixtures shared by the model tests."""

import pytest

from twin_core.territory import data_dir


@pytest.fixture(scope="module")
def agri():
    assert (data_dir() / "agriculture" / "territory.json").exists(), \
        "data/agriculture/territory.json is missing: the sample territories are committed"
    from twin_core.models.agriculture import pipeline as pl
    from twin_core.models.registry import get_model
    from twin_core.territory import Territory

    # a small AquaCrop grid (2 levels, 2 seasons) keeps the unit tests fast; the grid is part of
    # the cache key, so the dashboard's full grid is never mixed with it
    saved = dict(pl.AQUACROP_SETTINGS)
    pl.AQUACROP_SETTINGS.update(n_seasons=2, warming_grid=(1.7, 4.0))
    yield Territory.load("agriculture"), get_model("agriculture.nitrate_water")
    pl.AQUACROP_SETTINGS.clear()
    pl.AQUACROP_SETTINGS.update(saved)
