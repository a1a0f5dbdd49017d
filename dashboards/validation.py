"""Validation page: every model against published references and observations, produced by
running :func:`twin_core.validation.run_checks` (the code the tests and ``twin validate`` run);
nothing here is typed by hand."""

from __future__ import annotations

import html
from functools import lru_cache

import panel as pn
import param

from dashboards.shell.page import header
from twin_core.i18n import format_number, t
from twin_core.validation import CheckResult, run_checks

_STATUS_COLOUR = {"pass": "#dcefdc", "fail": "#f6d0d0", "skill": "#dcefdc",
                  "no_skill": "#f3e3c3"}


@lru_cache(maxsize=1)
def results() -> tuple[CheckResult, ...]:
    """The checks, run once per server process (a few seconds; the models do not change while
    it runs)."""
    return tuple(run_checks())


def table_html(rows: tuple[CheckResult, ...], lang: str) -> str:
    heads = ("col_model", "col_check", "col_compared", "col_reference", "col_obtained",
             "col_expected", "col_tolerance", "col_status")
    body = []
    for r in rows:
        status = t(f"evidence.status_{r.status}", lang)
        model = t("evidence.model_core", lang) if r.model == "core" \
            else t(f"use_cases.{r.model}", lang)
        body.append(
            f'<tr data-check="{html.escape(r.check)}" data-status="{r.status}">'
            f"<td>{html.escape(model)}</td>"
            f"<td><code>{html.escape(r.check)}</code></td><td>{html.escape(r.compared)}</td>"
            f"<td>{html.escape(r.reference)}</td>"
            f'<td style="text-align:right">{html.escape(format_number(r.obtained, lang))}</td>'
            f"<td>{html.escape(r.expected)}</td><td>{html.escape(r.tolerance)}</td>"
            f'<td style="background:{_STATUS_COLOUR[r.status]};color:#222">'
            f"<strong>{html.escape(status)}</strong></td></tr>")
    return ('<table class="twin-validation" style="border-collapse:collapse">'
            "<thead><tr>" + "".join(f'<th scope="col">{html.escape(t(f"evidence.{h}", lang))}'
                                    "</th>" for h in heads)
            + "</tr></thead><tbody>" + "".join(body) + "</tbody></table>"
            "<style>.twin-validation td,.twin-validation th{border:1px solid #aab;"
            "padding:2px 6px;vertical-align:top}</style>")


class ValidationPage(pn.viewable.Viewer):
    lang = param.Selector(default="fr", objects=["fr", "en"])

    def __panel__(self) -> pn.viewable.Viewable:
        lang = self.lang
        rows = results()
        count = {s: sum(r.status == s for r in rows) for s in ("pass", "fail", "skill",
                                                                "no_skill")}
        summary = t("evidence.validation_summary", lang, passed=count["pass"],
                    total=count["pass"] + count["fail"], failed=count["fail"],
                    skill=count["skill"], no_skill=count["no_skill"])
        return pn.Column(
            header(lang, "validation"),
            pn.pane.Markdown(f"## {t('evidence.validation_title', lang)}\n"
                             f"{t('evidence.validation_intro', lang)}\n\n**{summary}**",
                             css_classes=["twin-validation-summary"]),
            pn.pane.HTML(table_html(rows, lang), sizing_mode="stretch_width"),
            sizing_mode="stretch_width")


def page(lang: str = "fr") -> ValidationPage:
    return ValidationPage(lang=lang)
