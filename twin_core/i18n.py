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
