"""How far each number can be trusted: evidence levels, skill of fitted relations, synthetic inputs.

Every indicator declares an :class:`Evidence` (its level, source, the validation checks or the fit
behind it, the assumptions that drive it, the territory layers that feed it). What can be derived
is derived at run time by :func:`assess`:

- ``synthetic``: the indicator's layers that are synthetic stand-ins in this run's territory
  (``Result.synthetic_inputs``), so a real layer given later clears the flag by itself;
- for a ``calibrated`` indicator, the out-of-sample :class:`Skill` its fit computed in this run
  (``Result.fits``) and whether that makes a finding (:func:`is_finding`).

Levels (issue 12): ``observed`` (read from data), ``validated`` (the model reproduces published
reference values: the named checks of :mod:`twin_core.validation`), ``calibrated`` (fitted to
observations, with its out-of-sample skill), ``assumption`` (rests on parameters nobody has
checked against observations here: named in ``assumptions``).

"No finding without skill": a classifier whose cross-validated AUC is below 0.6, or one of whose
effects has a 95 % interval including zero, and a regression whose out-of-sample R² ≤ 0 is not a
finding: its indicators read NaN (so they feed no ranking, objective, plan or map colour) and the
card says that no reliable relation was found.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from twin_core.i18n import format_number, t

if TYPE_CHECKING:
    from twin_core.indicators import Indicator
    from twin_core.models.base import Result

LEVELS = ("observed", "validated", "calibrated", "assumption")
#: Skill thresholds of a finding (issue 12): a classifier's cross-validated AUC (0.5 = no
#: information; 0.6 is the usual floor of a "poor but useful" discrimination, Hosmer &
#: Lemeshow 2013, Applied Logistic Regression, 3rd ed., §5.2.4, which calls 0.5-0.7 poor), and a
#: regression's out-of-sample R² (0 = no better than the mean of the observations).
MIN_AUC = 0.6
MIN_R2 = 0.0


@dataclass(frozen=True)
class Evidence:
    """What an indicator rests on (declared with the indicator)."""

    level: str
    source: str
    checks: tuple[str, ...] = ()
    fit: str | None = None
    assumptions: tuple[str, ...] = ()
    layers: tuple[str, ...] | None = None  # None: every layer the model reads
    note: str | None = None  # key of Result.notes describing this run's basis (e.g. weather)

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"evidence level {self.level!r} is not one of {LEVELS}")
        if self.level == "validated" and not self.checks:
            raise ValueError("a validated indicator names its validation checks")
        if self.level == "calibrated" and not self.fit:
            raise ValueError("a calibrated indicator names the fit whose skill it carries")
        if self.level == "assumption" and not self.assumptions:
            raise ValueError("an assumption indicator names the parameters that drive it")


@dataclass(frozen=True)
class Skill:
    """Out-of-sample skill of one fitted relation, computed by the fit itself.

    ``metric`` is "auc" (classifier) or "r2" (regression); ``effects_clear`` is False when a
    coefficient's 95 % interval includes zero (None: not applicable)."""

    fit: str
    metric: str
    value: float
    method: str
    n: int
    effects_clear: bool | None = None
    effects: dict[str, tuple[float, float, float]] = field(default_factory=dict)

    @property
    def finding(self) -> bool:
        return is_finding(self.metric, self.value, self.effects_clear)

    def describe(self, lang: str = "fr") -> str:
        value = format_number(self.value, lang, decimals=2)
        metric = {"auc": "AUC", "r2": "R²"}.get(self.metric, self.metric)
        text = t("evidence.skill_text", lang, metric=metric, value=value, method=self.method,
                 n=self.n)
        if self.effects_clear is False:
            text += " · " + t("evidence.effects_unclear", lang)
        return text


def is_finding(metric: str, value: float, effects_clear: bool | None = None) -> bool:
    """The issue-12 rule: AUC ≥ 0.6 (and every effect's 95 % interval excludes zero) for a
    classifier, R² > 0 out of sample for a regression."""
    if value is None or not math.isfinite(value) or effects_clear is False:
        return False
    if metric == "auc":
        return value >= MIN_AUC
    if metric == "r2":
        return value > MIN_R2
    raise ValueError(f"unknown skill metric {metric!r}")


@dataclass(frozen=True)
class Assessment:
    """The evidence of one indicator in one run."""

    indicator: str
    evidence: Evidence
    synthetic: tuple[str, ...]
    skill: Skill | None
    note: str = ""

    @property
    def level(self) -> str:
        return self.evidence.level

    @property
    def finding(self) -> bool:
        """False only for a calibrated indicator whose fit has no skill (or no fit ran)."""
        if self.evidence.level != "calibrated":
            return True
        return self.skill is not None and self.skill.finding

    def badge(self, lang: str = "fr") -> str:
        text = t(f"evidence.level_{self.level}", lang)
        if self.synthetic:
            text += " · " + t("evidence.synthetic_short", lang)
        return text

    def tooltip(self, lang: str = "fr") -> str:
        """Source, check, skill, assumptions, synthetic inputs: one line each."""
        ev = self.evidence
        lines = [t(f"evidence.level_{ev.level}_long", lang),
                 t("evidence.source", lang, source=ev.source)]
        if self.note:
            lines.append(t("evidence.basis", lang, note=self.note))
        if ev.checks:
            lines.append(t("evidence.checks", lang, checks=", ".join(ev.checks)))
        if ev.level == "calibrated":
            lines.append(self.skill.describe(lang) if self.skill is not None
                         else t("evidence.no_fit", lang))
            if not self.finding:
                lines.append(t("evidence.no_finding", lang))
        if ev.assumptions:
            lines.append(t("evidence.assumptions", lang, params=", ".join(
                t(f"params.{p}", lang, default=p) for p in ev.assumptions)))
        if self.synthetic:
            lines.append(t("evidence.synthetic_long", lang, layers=", ".join(self.synthetic)))
        return "\n".join(lines)

    def as_row(self, lang: str = "fr") -> dict[str, object]:
        """Columns of the comparison table and its CSV."""
        return {"evidence": self.level,
                "synthetic": ", ".join(self.synthetic),
                "skill": "" if self.skill is None else self.skill.describe(lang),
                "finding": self.finding}


def assess(indicator: Indicator, result: Result) -> Assessment:
    ev = indicator.evidence
    layers = set(ev.layers) if ev.layers is not None else None
    synthetic = tuple(n for n in result.synthetic_inputs
                      if layers is None or n.removesuffix("_synthetic") in layers or n in layers)
    skill = result.fits.get(ev.fit) if ev.fit else None
    note = result.notes.get(ev.note, "") if ev.note else ""
    return Assessment(indicator=indicator.id, evidence=ev, synthetic=synthetic, skill=skill,
                      note=note)
