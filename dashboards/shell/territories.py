"""Which territories a page can run on: the sample territories that have the layers its use
case needs, plus the user's territories (``twin territory create``, in
:func:`~twin_core.territory.create.territories_dir`).

The page's ``?territory=ID`` is only ever looked up in this list (:func:`choose`): a sample id
(``forest``, ``integrated``…) or ``user:NAME`` — never a path taken from the URL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twin_core.i18n import t
from twin_core.runs import USER_PREFIX

#: Text colours of the alerts these pages add, dark enough on their light backgrounds (axe:
#: colour contrast ≥ 4.5:1; the synthetic-data banner does the same).
ALERT_TEXT = {"info": "#0b2a3d", "warning": "#3d2e00", "danger": "#4a0d0d", "success": "#0d3316"}


def alert(text: str, kind: str, css: str, **kw: Any):
    """A Panel alert whose text keeps its contrast (``ALERT_TEXT``)."""
    import panel as pn

    colour = ALERT_TEXT.get(kind, "#1a1a1a")
    return pn.pane.Alert(text, alert_type=kind, css_classes=[css],
                         stylesheets=[f":host, p, a, li, strong {{ color: {colour} !important; }}"],
                         **kw)

#: Use case of each page route.
USE_CASE_OF_ROUTE = {"coast": "coast", "forest": "forest", "agriculture": "agriculture",
                     "zan": "zan"}


@dataclass(frozen=True)
class Choice:
    """One territory a page can offer."""

    id: str  # what the URL carries and runs.territory() takes
    names: dict[str, str]
    user: bool
    runs: dict[str, bool] = field(default_factory=dict)  # use case -> its model can run
    missing: dict[str, list[str]] = field(default_factory=dict)  # use case -> layers lacking
    reasons: dict[str, str] = field(default_factory=dict)  # layer -> why it is missing
    layers: tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        base = self.names.get(lang) or self.names.get("en") or self.id
        return f"{base} ({t('territory.mine', lang)})" if self.user else base


def options(offered: dict[str, Choice], lang: str) -> dict[str, str]:
    """Select options (label -> id), every label unique (the id added to a repeated name)."""
    out: dict[str, str] = {}
    for tid, c in offered.items():
        label = c.name(lang)
        out[label if label not in out else f"{label} [{tid}]"] = tid
    return out


def _manifest(root: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((root / "territory.json").read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("layers"), dict):
        return None
    return data


def _choice(tid: str, manifest: dict[str, Any], user: bool) -> Choice:
    from twin_core.territory.create import use_cases

    layers = manifest["layers"]
    status = use_cases(layers)  # computed from the layers (samples carry no use_cases block)
    names = manifest.get("name") if isinstance(manifest.get("name"), dict) else {}
    reasons = manifest.get("missing") if isinstance(manifest.get("missing"), dict) else {}
    return Choice(id=tid, names={k: str(v) for k, v in names.items()} or {"fr": tid, "en": tid},
                  user=user, runs={uc: bool(s["runs"]) for uc, s in status.items()},
                  missing={uc: list(s["missing"]) for uc, s in status.items()},
                  reasons={str(k): str(v) for k, v in reasons.items()},
                  layers=tuple(str(k) for k in layers))


def choices(use_case: str | None = None) -> dict[str, Choice]:
    """Territories offered on a page of ``use_case`` (None: all): the samples whose layers let
    the use case run, then every user territory (one that cannot run says why when chosen)."""
    from twin_core.territory import data_dir, sample_territories
    from twin_core.territory.create import NAME_RE, territories_dir

    out: dict[str, Choice] = {}
    for sid in sample_territories():
        manifest = _manifest(data_dir() / sid)
        if manifest is None:
            continue
        c = _choice(sid, manifest, user=False)
        if use_case is None or c.runs.get(use_case):
            out[sid] = c
    root = territories_dir()
    if root.is_dir():
        for path in sorted(root.glob("*/territory.json")):
            name = path.parent.name
            manifest = _manifest(path.parent)
            if manifest is None or not NAME_RE.fullmatch(name):
                continue
            out[f"{USER_PREFIX}{name}"] = _choice(f"{USER_PREFIX}{name}", manifest, user=True)
    return out


def choose(raw: Any, use_case: str | None, default: str, lang: str
           ) -> tuple[str, Choice | None, str]:
    """The territory id a page runs on from the URL's ``territory`` value: the value itself if
    it is one of :func:`choices`, else ``default`` and a message saying why (empty when the
    value was fine or absent). Returns (id, its Choice, message)."""
    offered = choices(use_case)
    if raw is None or raw == "":
        return default, offered.get(default), ""
    raw = raw if isinstance(raw, str) else str(raw)
    if raw in offered:
        return raw, offered[raw], ""
    shown = raw[:80]
    everywhere = choices(None)
    if raw in everywhere:  # a sample that lacks this use case's layers
        missing = ", ".join(everywhere[raw].missing.get(use_case or "", [])) or "?"
        msg = t("territory.cannot_run", lang, name=everywhere[raw].name(lang), layers=missing,
                use_case=t(f"use_cases.{use_case}", lang))
    else:
        msg = t("territory.unknown", lang, id=shown,
                allowed=", ".join(offered) or "—")
    return default, offered.get(default), msg


#: Optional layers a model reads that no indicator's evidence names (the relief shapes the
#: forest's climate and fire spread, flat without it).
READ_IF_PRESENT = {"forest.climate_risk": ("dem",)}


def optional_layers(model_id: str) -> list[str]:
    """Layers the model's indicators read besides the required ones (their evidence)."""
    from twin_core.indicators import indicators_for
    from twin_core.models.registry import get_model

    required = set(get_model(model_id).spec.layers)
    out: list[str] = [x for x in READ_IF_PRESENT.get(model_id, ()) if x not in required]
    for ind in indicators_for(model_id):
        for layer in (ind.evidence.layers or ()) if ind.evidence else ():
            if layer not in required and layer not in out:
                out.append(layer)
    return out


def lacking_note(choice: Choice, use_case: str, model_id: str, lang: str) -> str:
    """What the chosen territory lacks for the use case (Markdown), '' when nothing: the
    required layers (the model cannot run) or the optional ones (it runs without them)."""
    have = set(choice.layers) | {k.removesuffix("_synthetic") for k in choice.layers}

    def item(layer: str) -> str:
        why = choice.reasons.get(layer)
        return f"`{layer}`" + (f" ({why})" if why else "")

    required = choice.missing.get(use_case, [])
    if required:
        return t("territory.lacks_required", lang, name=choice.name(lang),
                 layers=", ".join(item(x) for x in required))
    # layers read by some indicators only, and alternatives of one another (a weather station
    # file or the Nice SYNOP): only those the territory has no alternative for are listed
    alternatives = [{"weather_station", "weather_nice_synop", "weather_durance_daily"}]
    lack = []
    for layer in optional_layers(model_id):
        if layer in have:
            continue
        if any(layer in group and group & have for group in alternatives):
            continue
        lack.append(layer)
    if not lack:
        return ""
    return t("territory.lacks_optional", lang, name=choice.name(lang),
             layers=", ".join(item(x) for x in lack))
