"""One-click reports: the scenario report holds every indicator value as formatted, every
parameter, the versions and the synthetic mark, with no external resource and user text
escaped; the workshop report marks the best and worst proposals; the PDF is written atomically
(or not at all) through headless Chromium; `twin report`."""

from __future__ import annotations

import html
import re
import stat
import time
from html.parser import HTMLParser

import pytest

from twin_core import __version__
from twin_core.cli import main
from twin_core.i18n import t
from twin_core.indicators import all_indicators, indicators_for
from twin_core.models.registry import all_models, get_model
from twin_core.report import (
    PdfConversionError,
    format_value,
    html_to_pdf,
    pdf_converter,
    rank,
    scenario_report,
    workshop_report,
)
from twin_core.scenario import Scenario
from twin_core.territory import Territory

COAST = "coast.risk"
EVIL = "B <script>alert('x')</script>"
EXTERNAL = re.compile(r"""(?:src|href|srcset|action)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


@pytest.fixture(scope="module")
def coast_run():
    model = get_model(COAST)
    territory = Territory.load(model.spec.use_case)
    cls = model.scenario_class
    scenarios = [cls(label="A"), cls(label=EVIL, **cls.example_b)]
    results = [model.run(territory, s) for s in scenarios]
    return scenarios, results


@pytest.fixture(scope="module")
def coast_report(coast_run):
    scenarios, results = coast_run
    start = time.perf_counter()
    text = scenario_report(COAST, "coast", scenarios, results, lang="fr")
    print(f"coast report: {time.perf_counter() - start:.2f} s, {len(text) / 1e3:.0f} kB")
    return text


def test_scenario_report_holds_every_indicator_value_and_parameter(coast_run, coast_report):
    scenarios, results = coast_run
    text = coast_report
    assert text.startswith("<!DOCTYPE html>") and 'class="twin-report-indicators"' in text
    for ind in indicators_for(COAST):
        assert html.escape(ind.label("fr")) in text, ind.id
        for res in results:
            assert html.escape(format_value(ind(res), ind.decimals, "fr")) in text, ind.id
    for name in scenarios[0].user_params():
        label = t(f"params.{name}", "fr", default=name)
        assert html.escape(label) in text, name
    # parameter values as shown, e.g. horizon 2050 / 2100 (no thousands separator) and 50 %
    params = re.findall(r'data-param="horizon">([^<]*)<', text)
    assert params == ["2050", "2100"]
    assert re.findall(r'data-param="nourishment_pct">([^<]*)<', text) == ["0", "50"]
    assert "Médoc et estuaire de la Gironde" in text
    assert "<img" in text and text.count('class="twin-report-map"') == 2
    assert 'class="twin-report-chart"' in text


def test_scenario_report_versions_sources_and_synthetic_mark(coast_run, coast_report):
    _, results = coast_run
    spec = get_model(COAST).spec
    text = coast_report
    assert f"version {spec.version}" in text and spec.id in text
    assert f"twin {__version__}" in text
    assert "buildings" in results[0].synthetic_inputs
    assert 'class="warn twin-report-synthetic"' in text and t("report.synthetic", "fr") in text
    row = re.search(r'<tr class="([^"]+)" data-layer="buildings_synthetic">', text)
    assert row and row.group(1) == "layer-synthetic"
    assert re.search(r'<tr class="layer-real" data-layer="communes">', text)
    assert "Cerema" in text and "Bruun (1962)" in text  # manifest source, model reference


def test_scenario_report_is_self_contained_and_escapes_user_text(coast_report):
    text = coast_report
    assert not EXTERNAL.search(text)
    assert "url(" not in text and "@import" not in text
    assert "<script" not in text.lower()  # the report has no script, the label is escaped
    assert html.escape(EVIL) in text


def test_scenario_json_in_report_reloads(coast_run, coast_report):
    scenarios, _ = coast_run
    blocks = re.findall(r'<pre class="scenario-json">(.*?)</pre>', coast_report, re.S)
    assert len(blocks) == 2
    for block, original in zip(blocks, scenarios, strict=True):
        again = Scenario.from_json(html.unescape(block))
        assert again.to_dict() == original.to_dict()


def test_report_shows_what_was_run_when_the_scenario_changed_since(coast_run):
    scenarios, results = coast_run
    edited = [scenarios[0].copy(horizon=2080), scenarios[1]]
    text = scenario_report(COAST, "coast", edited, results, lang="en")
    assert re.findall(r'data-param="horizon">([^<]*)<', text) == ["2050", "2100"]
    assert "Scenario report" in text and "SYNTHETIC" in text


def test_english_report_and_reference(coast_run):
    _, results = coast_run
    text = scenario_report(COAST, "coast", [], results, lang="en", reference=EVIL)
    assert "Changes (Δ) are against the reference scenario" in text
    assert html.escape(f"Δ A − {EVIL}") in text
    with pytest.raises(ValueError):
        scenario_report(COAST, "coast", [], results, reference="nope")


# -- workshop ------------------------------------------------------------------------------------
class _Cells(HTMLParser):
    """(proposal index, indicator id) -> css classes of the proposals table's cells."""

    def __init__(self):
        super().__init__()
        self.cells, self.row, self.table = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.table = a.get("class", "")
        elif tag == "tr" and "data-proposal" in a:
            self.row = int(a["data-proposal"])
        elif tag == "td" and "data-indicator" in a and "twin-report-proposals" in self.table:
            self.cells[(self.row, a["data-indicator"])] = set(a.get("class", "").split())


def test_rank_directions_and_ties():
    assert rank([3, 1, 2], False) == ["worst", "best", ""]
    assert rank([3, 1, 2], True) == ["best", "worst", ""]
    assert rank([1, 1, 2], False) == ["best", "best", "worst"]
    assert rank([1, 1, 1], True) == ["", "", ""]
    assert rank([1, 2], None) == ["", ""]
    assert rank([float("nan"), 2, 1, None], True) == ["", "best", "worst", ""]
    assert rank([1.04, 1.01], True, decimals=1) == ["", ""]  # equal as displayed


def test_workshop_report_marks_best_and_worst():
    evil = '<img src=x onerror="alert(1)">'
    proposals = [
        {"name": "Alice", "params": {"horizon": 2050, "dike_crest_m": 0.0},
         "values": {"coast.ead_meur": 10.0, "coast.benefit_cost_ratio": 0.5,
                    "coast.slr_m": 0.2, "coast.flooded_ha": 3.0},
         "submitted_at": "2026-11-20T10:15:00+01:00"},
        {"name": evil, "params": {"horizon": 2100, "dike_crest_m": 4.5, "label": evil},
         "values": {"coast.ead_meur": 5.0, "coast.benefit_cost_ratio": 2.0,
                    "coast.slr_m": 0.6, "coast.flooded_ha": 3.0},
         "submitted_at": "2026-11-20T10:20:00+01:00"},
        {"name": "Chloé", "params": {"horizon": 2070},
         "values": {"coast.ead_meur": 7.0, "coast.benefit_cost_ratio": "abc",
                    "coast.slr_m": 0.4, "coast.flooded_ha": 4.0},
         "submitted_at": "not a date"},
    ]
    text = workshop_report("Atelier <b>littoral</b>", COAST, "coast", proposals, lang="fr")
    assert get_model(COAST).spec.version in text and "Cerema" in text
    assert "<b>littoral</b>" not in text and "&lt;b&gt;littoral&lt;/b&gt;" in text
    assert "<img src=x" not in text and html.escape(evil) in text
    assert not EXTERNAL.search(text.replace(html.escape(evil), ""))
    assert "20/11/2026 à 10:15" in text and "not a date" in text
    assert 'data-param="dike_crest_m">4,5<' in text
    horizon = t("params.horizon", "fr")
    assert re.search(rf'<tr class="differs"><th>{re.escape(horizon)}', text)  # 2050/2100/2070
    parser = _Cells()
    parser.feed(text)
    cells = parser.cells
    # EAD: lower is better
    assert "best" in cells[(1, "coast.ead_meur")] and "worst" in cells[(0, "coast.ead_meur")]
    assert not {"best", "worst"} & cells[(2, "coast.ead_meur")]
    # benefit-cost ratio: higher is better, the non-numeric value is not ranked
    assert "best" in cells[(1, "coast.benefit_cost_ratio")]
    assert "worst" in cells[(0, "coast.benefit_cost_ratio")]
    assert not {"best", "worst"} & cells[(2, "coast.benefit_cost_ratio")]
    # ties share the mark; a driver (sea level) is not ranked
    assert "best" in cells[(0, "coast.flooded_ha")] and "best" in cells[(1, "coast.flooded_ha")]
    assert "worst" in cells[(2, "coast.flooded_ha")]
    assert all(not {"best", "worst"} & cells[(k, "coast.slr_m")] for k in range(3))
    # only the indicators given are columns, with their units
    assert set(i for _, i in cells) == {"coast.ead_meur", "coast.benefit_cost_ratio",
                                       "coast.slr_m", "coast.flooded_ha"}
    assert "Dommage annuel moyen (M€/an)" in text


def test_workshop_report_without_proposals():
    text = workshop_report("Atelier", "zan.trajectory", "zan", [], lang="en")
    assert "No proposal." in text


def test_every_model_ranks_some_indicators():
    inds = all_indicators()
    for model_id in all_models():
        ranked = [i for i in inds.values() if i.model_id == model_id
                  and i.higher_is_better is not None]
        assert ranked, model_id
    assert inds["coast.ead_meur"].higher_is_better is False
    assert inds["coast.benefit_cost_ratio"].higher_is_better is True
    assert inds["coast.slr_m"].higher_is_better is None


# -- PDF -----------------------------------------------------------------------------------------
def _fake_converter(tmp_path, body: str) -> str:
    script = tmp_path / "bin" / "fake-chromium"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


_WRITE_PARTIAL = ('for a in "$@"; do case "$a" in --print-to-pdf=*) '
                  'printf "%%PDF-1.4 half" > "${a#--print-to-pdf=}";; esac; done')


def test_pdf_is_produced_with_chromium(coast_report, tmp_path, monkeypatch):
    monkeypatch.delenv("TWIN_CHROMIUM", raising=False)
    assert pdf_converter() is not None, \
        "Chromium is not installed: run `make browser` (make test does it), or set TWIN_CHROMIUM"
    out = tmp_path / "sub" / "rapport.pdf"
    start = time.perf_counter()
    assert html_to_pdf(coast_report, out) == out
    print(f"coast PDF: {time.perf_counter() - start:.1f} s, {out.stat().st_size / 1e3:.0f} kB")
    assert out.read_bytes().startswith(b"%PDF")
    assert out.stat().st_size > 20_000  # maps and chart included
    assert [p.name for p in out.parent.iterdir()] == ["rapport.pdf"]


@pytest.mark.parametrize("body", [_WRITE_PARTIAL + "\necho boom >&2\nexit 1",
                                  'for a in "$@"; do case "$a" in --print-to-pdf=*) '
                                  'echo garbage > "${a#--print-to-pdf=}";; esac; done\nexit 0'],
                         ids=["exit-1-after-half-a-file", "exit-0-without-a-pdf"])
def test_failing_converter_leaves_no_file(tmp_path, monkeypatch, body):
    monkeypatch.setenv("TWIN_CHROMIUM", _fake_converter(tmp_path, body))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "report.pdf"
    with pytest.raises(PdfConversionError, match="failed"):
        html_to_pdf("<p>x</p>", out)
    assert list(out_dir.iterdir()) == []


def test_converter_timeout_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TWIN_CHROMIUM", _fake_converter(tmp_path, _WRITE_PARTIAL
                                                        + "\nexec sleep 30"))
    out = tmp_path / "out" / "report.pdf"
    start = time.perf_counter()
    with pytest.raises(PdfConversionError, match="did not finish"):
        html_to_pdf("<p>x</p>", out, timeout=1)
    assert time.perf_counter() - start < 10
    assert list(out.parent.iterdir()) == []


def test_no_converter_returns_none(tmp_path, monkeypatch):
    monkeypatch.setenv("TWIN_CHROMIUM", "")
    assert pdf_converter() is None
    assert html_to_pdf("<p>x</p>", tmp_path / "r.pdf") is None
    monkeypatch.setenv("TWIN_CHROMIUM", str(tmp_path / "missing"))
    assert pdf_converter() is None
    assert not (tmp_path / "r.pdf").exists()


# -- command line --------------------------------------------------------------------------------
def test_cli_report(tmp_path, monkeypatch, capsys):
    S = get_model("zan.trajectory").scenario_class
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(S(label="A").to_json(), encoding="utf-8")
    b.write_text(S(label="B", density=40.0).to_json(), encoding="utf-8")
    out = tmp_path / "rep" / "zan.html"
    monkeypatch.setenv("TWIN_CHROMIUM", "")  # no converter: HTML written, PDF refused
    assert main(["report", str(a), str(b), "--out", str(out), "--lang", "en", "--pdf"]) == 1
    assert "no PDF converter" in capsys.readouterr().err
    text = out.read_text("utf-8")
    assert "Scenario report" in text and 'data-indicator="zan.envelope_ha"' in text
    assert not out.with_suffix(".pdf").exists()
    assert main(["report", str(a), str(b), "--out", str(out), "--reference", "Z"]) == 2
    assert main(["report", str(tmp_path / "missing.json")]) == 2


# -- dashboard buttons ---------------------------------------------------------------------------
def test_dashboard_buttons(coast_run, monkeypatch):
    from types import SimpleNamespace

    from dashboards.shell.report_buttons import report_downloads

    scenarios, results = coast_run
    ws = SimpleNamespace(model_id=COAST, territory_id="coast", lang="fr", scenarios=scenarios,
                         results=results, reference="A", ensembles={},
                         _show_error=lambda message: None)
    monkeypatch.setenv("TWIN_CHROMIUM", "")
    html_button, pdf_button = report_downloads(ws)
    assert "twin-report-html" in html_button.css_classes and html_button.label == "Rapport (HTML)"
    assert html_button.filename == f"rapport_{COAST}.html"
    assert pdf_button.disabled and "Chromium" in pdf_button.description
    assert b'class="twin-report-indicators"' in html_button.callback().getvalue()
    monkeypatch.delenv("TWIN_CHROMIUM")
    if pdf_converter() is not None:
        assert not report_downloads(ws)[1].disabled


def test_scenario_report_shows_the_ensemble_bands_and_drivers():
    from twin_core.ensemble import run_ensemble
    from twin_core.territory import Territory

    model = get_model("zan.trajectory")
    territory = Territory.load("zan")
    scenario = model.scenario_class(label="A")
    result = model.run(territory, scenario)
    ens = run_ensemble("zan.trajectory", str(territory.root.resolve()), scenario, 20, seed=1)
    text = scenario_report("zan.trajectory", "zan", [scenario], [result], lang="en",
                           ensembles={"A": ens})
    assert "Uncertainty: median [5 % – 95 %]" in text and "A: 20" in text
    summary = ens.summary().set_index("indicator")
    ind = next(i for i in indicators_for("zan.trajectory")
               if i.id == "zan.projected_2021_2031_ha")
    row = summary.loc[ind.id]
    shown = (f"{row['median']:,.{ind.decimals}f} [{row['p05']:,.{ind.decimals}f} – "
             f"{row['p95']:,.{ind.decimals}f}]")
    assert shown in text
    top = ens.sensitivity().query("rank == 1 and abs_spearman > 0")
    assert t(f"params.{top['input'].iloc[0]}", "en") in text
