"""French-first labels from the locale files ``indicators/locales/<lang>/*.json`` (the xclim
pattern): one file per domain, merged; nested keys are joined with dots."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

LANGUAGES = ("fr", "en")
DEFAULT_LANG = "fr"


@cache
def _catalogue(lang: str) -> dict[str, str]:
    if lang not in LANGUAGES:
        raise ValueError(f"Unknown language {lang!r}: use one of {', '.join(LANGUAGES)}.")
    folder = files("twin_core.indicators").joinpath("locales", lang)
    out: dict[str, str] = {}
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".json"):
            out.update(_flatten(json.loads(item.read_text("utf-8"))))
    return out


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in tree.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, full + "."))
        else:
            out[full] = str(value)
    return out


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def t(key: str, lang: str = DEFAULT_LANG, /, default: str | None = None, **params: Any) -> str:
    """Translate ``key``; falls back to English, then to ``default``, then to the key itself."""
    text = _catalogue(lang).get(key)
    if text is None and lang != "en":
        text = _catalogue("en").get(key)
    if text is None:
        text = key if default is None else default
    return text.format_map(_SafeDict(params))


def keys(lang: str) -> set[str]:
    """All keys of one catalogue (tests check that fr and en have the same keys)."""
    return set(_catalogue(lang))


#: Most significant digits shown: a value with more integer digits loses its decimals
#: ("4 614 485", not "4 614 485,47"), one with fewer keeps the indicator's decimals.
MAX_DIGITS = 6


def format_number(value: Any, lang: str = DEFAULT_LANG, decimals: int | None = None,
                  grouping: bool = True, minus: str = "-") -> str:
    """The one number format of the app (cards, tables, map hover, charts, reports).

    French: thousands separated by a narrow no-break space (U+202F) and a decimal comma
    ("4 614 485", "1 273,5"); English: "4,614,485", "1,273.5". ``decimals`` is the
    indicator's own precision (its units decide it: 0 for homes, 2 for a ratio…); at most
    :data:`MAX_DIGITS` significant digits are shown. Without ``decimals``, three significant
    figures below 100 and none beyond the units above. NaN and None give "—", infinities
    "∞" / "-∞"; ``minus`` replaces the sign ("−" U+2212 in typeset reports).
    """
    import math

    try:
        number = float(value)
    except (TypeError, ValueError):
        return "—"
    if math.isnan(number):
        return "—"
    if math.isinf(number):
        return "∞" if number > 0 else f"{minus}∞"
    digits = len(str(int(abs(number)))) if abs(number) >= 1 else 0
    if decimals is None:
        if number == 0:
            decimals = 0
        elif abs(number) >= 100:
            decimals = 0
        else:  # three significant figures
            decimals = max(0, 2 - int(math.floor(math.log10(abs(number)))))
    decimals = max(0, min(int(decimals), MAX_DIGITS - digits))
    text = f"{number:,.{decimals}f}" if grouping else f"{number:.{decimals}f}"
    if text.lstrip("-").strip("0.,") == "":  # -0.0 → 0
        text = text.lstrip("-")
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text.replace("-", minus) if minus != "-" else text
