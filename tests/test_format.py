"""One number format for cards, tables, maps, charts and reports (twin_core.i18n.format_number)."""

import math

import pytest

from dashboards.shell.views import fmt
from twin_core.i18n import format_number
from twin_core.report import format_value

NNBSP = "\u202f"


@pytest.mark.parametrize(("value", "decimals", "fr", "en"), [
    (4614485.47, 1, f"4{NNBSP}614{NNBSP}485", "4,614,485"),  # no decimals beyond 6 digits
    (1273.5, 1, f"1{NNBSP}273,5", "1,273.5"),
    (1273.0, 2, f"1{NNBSP}273,00", "1,273.00"),
    (-1234.5, 1, f"-1{NNBSP}234,5", "-1,234.5"),
    (-0.04, 1, "0,0", "0.0"),  # no "-0,0"
    (0.012345, None, "0,0123", "0.0123"),  # three significant figures
    (12.345, None, "12,3", "12.3"),
    (1234.5, None, f"1{NNBSP}234", "1,234"),
    (math.nan, 1, "—", "—"),
    (None, 1, "—", "—"),
    (math.inf, 1, "∞", "∞"),
])
def test_format_number(value, decimals, fr, en):
    assert format_number(value, "fr", decimals) == fr
    assert format_number(value, "en", decimals) == en


def test_cards_and_reports_use_the_same_format():
    assert fmt(4614485.47, 1, "fr") == format_number(4614485.47, "fr", 1)
    assert format_value(-1234.5, 1, "fr") == f"\u22121{NNBSP}234,5"  # typographic minus
    assert format_value(1234.5, 1, "en", grouping=False) == "1234.5"
