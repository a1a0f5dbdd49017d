"""The workshop pages' server side, without a browser: a participant's levers reach the board,
the CSV export, a participant key never opens the facilitator page."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from dashboards import workshop as pages


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("TWIN_WORKSHOP_DB", str(tmp_path / "w.sqlite"))
    monkeypatch.delenv("TWIN_DATABASE_URL", raising=False)
    pages.store.cache_clear()
    yield pages.store()
    pages.store.cache_clear()


def test_levers_to_board_and_csv(store):
    code, key = store.create("zan.trajectory", "zan", "Conseil <b>municipal</b>")
    people = []
    for name, density in (("Alice", 10.0), ("Bob", 40.0)):
        _, pkey = store.join(code, name)
        page = pages.ParticipantPage()
        page._open(code, pkey)
        page.scenario.density = density  # as the slider does: runs, shows, saves a draft
        assert store.draft(code, pkey)["density"] == density
        assert "zan.projected_2021_2031_ha" in page._cards.object
        page._on_submit()
        people.append(page)
    assert "<b>municipal</b>" not in people[0]._body[0].object  # the title is escaped
    fac = pages.FacilitatorPage()
    fac._open(store.check_facilitator(code, key), key)
    assert [p.name for p in fac.proposals] == ["Alice", "Bob"]
    html = fac._board.object
    assert html.count('class="twin-proposal"') == 2 and "▲" in html and "▼" in html
    table = pd.read_csv(io.BytesIO(fac.proposals_csv().getvalue()), encoding="utf-8-sig")
    assert list(table["Participant"]) == ["Alice", "Bob"]
    col = next(c for c in table.columns if c.startswith("Consommation prévue 2021-2031"))
    assert table[col].iloc[1] < table[col].iloc[0]  # denser housing takes less land
    # the workshop report: every proposal, and a map of each
    report = fac._report()[0].callback().getvalue().decode("utf-8")
    assert "Alice" in report and "Bob" in report
    assert report.count('<figure class="map">') == 2
    # a proposal's map on demand: the model's map layer for that proposal's levers
    fac._pick.value = fac.proposals[0].id
    fac._show_map()
    assert "budget_used_pct" in str(fac._map.object)
    # hiding a proposal greys it and takes it out of the ranking and of the revealed board
    fac._pick.value = fac.proposals[1].id
    fac._toggle_hidden()
    assert [p.hidden for p in fac.proposals] == [False, True]
    store.set_flags(code, key, revealed=True)
    assert [p.name for p in store.revealed_board(code)] == ["Alice"]
    # freezing: the participant's submit button is disabled at the next poll
    store.set_flags(code, key, frozen=True)
    people[0]._poll()
    assert people[0]._submit.disabled and people[0]._frozen.visible


def test_participant_key_does_not_open_the_board(store, monkeypatch):
    code, key = store.create("zan.trajectory", "zan", "t")
    _, pkey = store.join(code, "Alice")

    class Loc:
        query_params = {"code": code, "key": pkey}

    monkeypatch.setattr(pages, "_query", lambda name: Loc.query_params.get(name, ""))
    fac = pages.FacilitatorPage()
    assert fac.workshop is None and fac._alert.visible
    assert "animateur" in fac._alert.object


def test_participants_see_only_the_opened_levers(store):
    code, _ = store.create("zan.trajectory", "zan", "t", levers=["density", "vacancy_pct"])
    _, pkey = store.join(code, "Alice")
    page = pages.ParticipantPage()
    page._open(code, pkey)
    levers = page._body[1][0][1:]  # the widgets under the "levers" heading
    assert {w.css_classes[0] for w in levers} == {"twin-param-density", "twin-param-vacancy_pct"}
    assert set(page._params()) == {"density", "vacancy_pct"}


def test_participant_draws_a_zone_that_reaches_the_board(store):
    import shapely

    from twin_core.drawn import from_parts
    from twin_core.runs import territory

    code, key = store.create("zan.trajectory", "zan", "t", levers=["density", "renature_zone"])
    _, pkey = store.join(code, "Alice")
    page = pages.ParticipantPage()
    page._open(code, pkey)
    assert page._drawing is not None and page._drawing.names == ["renature_zone"]
    assert page._map.object is not None  # the participant sees their own map
    communes = territory("zan").layer("communes")
    p = communes[communes["code_insee"] == "01001"].geometry.iloc[0].representative_point()
    square = shapely.box(p.x - 300, p.y - 300, p.x + 300, p.y + 300)
    page._drawing.choice.value = "renature_zone"
    assert page._drawing.apply(from_parts([list(square.exterior.coords)], "polygon"))
    assert store.draft(code, pkey)["renature_zone"]["type"] in ("Polygon", "MultiPolygon")
    # a geometry outside the territory is refused with a message, the draft is kept
    far = shapely.box(0, 0, 600, 600)
    assert not page._drawing.apply(from_parts([list(far.exterior.coords)], "polygon"))
    assert page._alert.visible
    page._on_submit()
    board = store.board(code, key)
    assert board[0].params["renature_zone"] == store.draft(code, pkey)["renature_zone"]
    assert board[0].values["zan.renatured_2031_2050_ha"] == pytest.approx(36.0)
