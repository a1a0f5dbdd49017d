"""Reports and the 3D view: building a two-scenario coast report (HTML with maps and chart),
printing it to PDF through headless Chromium, and building the coast deck.gl spec (20,000
extruded buildings). Warm: the two coast runs are made once (module fixture), untimed; the
report, the PDF and the 3D spec are built every round. Timings are reported, never asserted."""

from __future__ import annotations

import json
import shutil

import pytest

from twin_core.models.registry import get_model
from twin_core.report import html_to_pdf, scenario_report
from twin_core.territory import Territory


@pytest.fixture(scope="module")
def coast():
    model = get_model("coast.risk")
    territory = Territory.load("coast")
    cls = model.scenario_class
    scenarios = [cls(label="A"), cls(label="B", **cls.example_b)]
    results = [model.run(territory, s) for s in scenarios]
    return territory, scenarios, results


def test_coast_report_html(benchmark, coast):
    _, scenarios, results = coast
    text = benchmark(scenario_report, "coast.risk", "coast", scenarios, results)
    benchmark.extra_info["html_kb"] = round(len(text.encode()) / 1024)


def test_coast_report_pdf(benchmark, coast, tmp_path):
    assert shutil.which("chromium"), "no Chromium to print with: run `make browser`"
    _, scenarios, results = coast
    text = scenario_report("coast.risk", "coast", scenarios, results)
    out = benchmark.pedantic(html_to_pdf, args=(text, tmp_path / "r.pdf"), rounds=3)
    benchmark.extra_info["pdf_kb"] = round(out.stat().st_size / 1024)


def test_coast_3d_spec(benchmark, coast):
    from dashboards.view3d import coast_deck

    territory, _, results = coast
    spec, counts = benchmark(coast_deck, results[0], territory.layer("buildings"),
                             territory.layer("communes"), "fr")
    benchmark.extra_info.update(counts)
    size = len(json.dumps(spec, default=lambda o: o.tolist() if hasattr(o, "tolist") else
                          o.to_dict("records") if hasattr(o, "to_dict") else float(o)))
    benchmark.extra_info["json_mb"] = round(size / 2**20, 2)
    print(counts, benchmark.extra_info["json_mb"], "MB")
