"""Widgets generated from a scenario's params, labelled from the locale files with units."""

from __future__ import annotations

import panel as pn
import param

from twin_core.drawn import Geometry
from twin_core.i18n import t
from twin_core.scenario import Scenario


def param_label(scenario: Scenario, name: str, lang: str) -> str:
    text = t(f"params.{name}", lang, default=name)
    units = type(scenario).units.get(name, "")
    return f"{text} ({units})" if units and f"({units})" not in text else text


def param_help(scenario: Scenario, name: str, lang: str) -> str:
    """One line of help for a param (locale key ``help.<name>``, else its doc)."""
    doc = " ".join((scenario.param[name].doc or "").split())
    return t(f"help.{name}", lang, default=doc)


def param_widget(scenario: Scenario, name: str, lang: str) -> pn.widgets.Widget:
    """A widget for one param, labelled with its unit and a one-line help (the "?" tooltip):
    sliders apply on release (value_throttled), so a model runs once per move; the link is
    two-way so that loading a scenario updates the widget."""
    p = scenario.param[name]
    label = param_label(scenario, name, lang)
    help_text = param_help(scenario, name, lang)
    value = getattr(scenario, name)
    css = [f"twin-param-{name}", f"twin-param-{scenario.label}-{name}"]
    if isinstance(p, Geometry):  # drawn on the map (see shell.draw): a read-only summary
        from dashboards.shell.draw import geometry_summary

        text = pn.widgets.StaticText(name=label, css_classes=css,
                                     value=geometry_summary(value, p.kind, lang))
        scenario.param.watch(lambda event: setattr(text, "value", geometry_summary(
            event.new, p.kind, lang)), name)
        return text
    if isinstance(p, param.Selector):
        options = {t(f"params.{o}", lang, default=str(o)): o for o in p.objects}
        widget = pn.widgets.Select(label=label, options=options, value=value, css_classes=css)
        watch_attr = "value"
    elif isinstance(p, param.Boolean):
        widget = pn.widgets.Checkbox(label=label, value=value, css_classes=css)
        watch_attr = "value"
    elif isinstance(p, param.Integer):
        lo, hi = p.bounds
        widget = pn.widgets.IntSlider(label=label, start=lo, end=hi, step=p.step or 1,
                                      value=value, css_classes=css)
        watch_attr = "value_throttled"
    elif isinstance(p, param.Number):
        lo, hi = p.bounds
        widget = pn.widgets.FloatSlider(label=label, start=lo, end=hi, step=p.step or 0.1,
                                        value=value, css_classes=css)
        watch_attr = "value_throttled"
    else:
        widget = pn.widgets.TextInput(label=label, value=str(value), css_classes=css)
        watch_attr = "value"

    def to_scenario(event: param.parameterized.Event) -> None:
        if getattr(scenario, name) != event.new:
            setattr(scenario, name, event.new)

    def to_widget(event: param.parameterized.Event) -> None:
        if widget.value != event.new:
            widget.value = event.new

    widget.description = help_text
    widget.param.watch(to_scenario, watch_attr)
    scenario.param.watch(to_widget, name)
    return widget
