"""Naïades sampling dates (issue 16): ISO or a declared format; day-/month-first dates are refused
with a message naming the file, layer and column, never guessed."""

from __future__ import annotations

import pandas as pd
import pytest

from twin_core.errors import TwinInputError
from twin_core.models.agriculture.inputs import nitrates_from_naiades, read_naiades_nitrates

BASE = {"code_station": ["06000001", "06000001"], "resultat": [20.0, 30.0],
        "symbole_unite": ["mg(NO3)/L", "mg(NO3)/L"]}


def test_iso_dates_and_timestamps_are_read():
    out = nitrates_from_naiades(pd.DataFrame({**BASE, "date_prelevement": [
        "2021-04-03", "2021-05-01T10:00:00"]}))
    assert out["date"].tolist() == ["2021-04-03", "2021-05-01"]


@pytest.mark.parametrize("dates", [["03/04/2021", "05/06/2021"], ["13/04/2021", "05/06/2021"],
                                   ["04/13/2021", "05/06/2021"]])
def test_day_or_month_first_dates_are_refused(dates, tmp_path):
    path = tmp_path / "naiades.csv"
    pd.DataFrame({**BASE, "date_prelevement": dates}).to_csv(path, index=False)
    with pytest.raises(TwinInputError) as err:
        read_naiades_nitrates(path)
    text = err.value.message("fr")
    assert "naiades.csv" in text and "date_prelevement" in text


def test_a_declared_format_is_used():
    out = nitrates_from_naiades(pd.DataFrame({**BASE, "date_prelevement": [
        "03/04/2021", "05/06/2021"]}), date_format="%d/%m/%Y")
    assert out["date"].tolist() == ["2021-04-03", "2021-06-05"]  # 3 April, 5 June


def test_not_a_date_and_future_dates_are_refused():
    for bad in (["2021-04-03", "hier"], ["2021-04-03", "2999-01-01"]):
        with pytest.raises(TwinInputError):
            nitrates_from_naiades(pd.DataFrame({**BASE, "date_prelevement": bad}))
