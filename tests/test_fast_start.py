"""Fast start: `twin serve` answers while the warm-up runs in the background; a page opened
before its model is ready says so, then fills in (dashboards.shell.runner.model_ready)."""

from __future__ import annotations

import threading

import panel as pn

from dashboards.shell import runner
from dashboards.shell.page import UseCasePage


def test_a_page_waits_for_the_warm_up_then_fills_in(monkeypatch):
    monkeypatch.setattr(runner, "_WARM_UP", {})
    monkeypatch.setattr(runner, "_DISCOVERING", threading.Event())
    runner.warm_up_starting()  # the models are being imported: no page is ready
    assert not runner.model_ready("zan.trajectory") and not runner.models_listed()
    events = runner.warming_up(["zan.trajectory"])
    assert runner.models_listed() and not runner.model_ready("zan.trajectory")
    assert runner.model_ready("coast.risk")  # not warmed up: the page computes on its own

    page = UseCasePage(route="zan", model_id="zan.trajectory", territory_id="zan")
    body = pn.Column(pn.pane.Alert("…"))
    assert not page.fill_in(body)
    assert not hasattr(page, "workspace")
    events["zan.trajectory"].set()
    assert page.fill_in(body)
    assert len(body) == 1 and page.workspace.results  # the workspace replaced the note


def test_warm_up_in_the_background_marks_every_model_ready(monkeypatch):
    from twin_core import cli

    monkeypatch.setattr(runner, "_WARM_UP", {})
    monkeypatch.setattr(runner, "_DISCOVERING", threading.Event())
    thread = cli.warm_up(background=True)
    assert thread is not None and thread.daemon
    thread.join(timeout=600)
    from twin_core.models.registry import all_models

    assert all(runner.model_ready(m) for m in all_models())
    assert set(runner._WARM_UP) == set(all_models())
