"""Workshop store on a real SQLite file and on a real PostgreSQL server (started here)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from twin_core.errors import TwinInputError
from twin_core.indicators import all_indicators
from twin_core.workshop import WorkshopStore, submit
from twin_core.workshop.store import CODE_ALPHABET, CODE_LENGTH, new_code, normalise_code


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url():
    """A throw-away PostgreSQL cluster (Debian's binaries, installed by `make browser`)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert found, "PostgreSQL is not installed: run `make browser` (make test does it)"
    bindir = Path(found[-1]).parent
    tmp = Path(tempfile.mkdtemp(prefix="twin-pg-"))
    data, sock = tmp / "data", tmp / "sock"
    sock.mkdir()
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(tmp, "postgres")
        shutil.chown(sock, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run([*run_as, str(bindir / "initdb"), "-D", str(data), "-U", "twin",
                    "--auth=trust", "-E", "UTF8"], check=True, capture_output=True)
    subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l",
                    str(tmp / "log"), "-o", f"-p {port} -k {sock} -c listen_addresses=127.0.0.1",
                    "start"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://twin@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast",
                        "stop"], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'w.sqlite'}"
    return request.getfixturevalue("postgres_url")


def test_codes_are_random_and_unambiguous():
    codes = [new_code() for _ in range(20_000)]
    assert all(len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set("0O1IL") & set(CODE_ALPHABET)
    assert len(set(codes)) == len(codes)
    # every letter about equally likely in every position: no structure to guess from
    counts = Counter("".join(codes))
    expected = len(codes) * CODE_LENGTH / len(CODE_ALPHABET)
    assert max(abs(n - expected) for n in counts.values()) < 0.1 * expected
    assert normalise_code(" ab cd-ef gh ".replace("ab", "AB")) == "ABCDEFGH"
    with pytest.raises(TwinInputError, match="8 characters"):
        normalise_code("ABC")


def test_lifecycle_and_rights(store_url):
    store = WorkshopStore(store_url)
    code, key = store.create("zan.trajectory", "zan", "Atelier test")
    ws = store.check_facilitator(code, key)
    assert (ws.model_id, ws.frozen, ws.revealed) == ("zan.trajectory", False, False)
    alice_id, alice = store.join(code, "Alice")
    _, bob = store.join(code.lower(), "  Bob  ")
    with pytest.raises(TwinInputError, match="already taken"):
        store.join(code, "Alice")
    store.save(code, alice, {"density": 30.0}, {"x": 1.0}, kind="draft")
    # a participant reads only their own draft; a key is bound to its workshop
    assert store.draft(code, alice) == {"density": 30.0}
    assert store.draft(code, bob) is None
    other_code, other_key = store.create("zan.trajectory", "zan", "Autre")
    with pytest.raises(TwinInputError):
        store.draft(other_code, alice)
    # participants' keys never open the facilitator's controls
    for wrong in (alice, bob, other_key, "", "x" * 32):
        with pytest.raises(TwinInputError, match="facilitator"):
            store.set_flags(code, wrong, frozen=True)
        with pytest.raises(TwinInputError, match="facilitator"):
            store.board(code, wrong)
    # drafts are not on the board; submissions are, latest per participant
    assert store.board(code, key) == []
    store.save(code, alice, {"density": 30.0}, {"x": 1.0})
    store.save(code, alice, {"density": 40.0}, {"x": 2.0})
    store.save(code, bob, {"density": 10.0}, {"x": 3.0})
    board = store.board(code, key)
    assert [(p.name, p.values["x"]) for p in board] == [("Alice", 2.0), ("Bob", 3.0)]
    assert board[0].participant_id == alice_id
    # participants see nothing until revealed, then only visible proposals
    assert store.revealed_board(code) == []
    store.set_flags(code, key, revealed=True)
    store.set_hidden(code, key, board[1].id, True)
    assert [p.name for p in store.revealed_board(code)] == ["Alice"]
    assert [p.hidden for p in store.board(code, key)] == [False, True]
    # frozen: no more submissions nor joins, drafts still kept
    store.set_flags(code, key, frozen=True)
    with pytest.raises(TwinInputError, match="frozen"):
        store.save(code, bob, {"density": 11.0}, {"x": 4.0})
    with pytest.raises(TwinInputError, match="frozen"):
        store.join(code, "Carol")
    store.save(code, bob, {"density": 12.0}, {"x": 5.0}, kind="draft")
    assert store.draft(code, bob) == {"density": 12.0}
    store.engine.dispose()


@pytest.mark.parametrize("name", ["", "   ", "x" * 41, "a\u0000b", "bell\u0007", "rtl\u202e"])
def test_bad_names_refused(tmp_path, name):
    store = WorkshopStore(f"sqlite:///{tmp_path / 'w.sqlite'}")
    code, _ = store.create("zan.trajectory", "zan", "t")
    with pytest.raises(TwinInputError, match="display name"):
        store.join(code, name)


def test_unknown_code_is_refused(tmp_path):
    store = WorkshopStore(f"sqlite:///{tmp_path / 'w.sqlite'}")
    with pytest.raises(TwinInputError, match="no workshop has the code"):
        store.join("ABCDEFGH", "Alice")


def test_restart_keeps_everything(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    store = WorkshopStore(url)
    code, key = store.create("zan.trajectory", "zan", "t")
    _, alice = store.join(code, "Alice")
    store.save(code, alice, {"density": 30.0}, {"x": 1.0})
    store.engine.dispose()
    again = WorkshopStore(url)  # a new process would do the same
    assert [p.name for p in again.board(code, key)] == ["Alice"]
    assert again.draft(code, alice) == {"density": 30.0}


def test_concurrent_submissions_never_overwrite(store_url):
    """30 participants submitting at once, each twice: every row kept, board complete."""
    store = WorkshopStore(store_url)
    code, key = store.create("zan.trajectory", "zan", "charge")
    keys = [store.join(code, f"P{i:02d}")[1] for i in range(30)]

    def go(i: int) -> None:
        for rev in range(2):
            store.save(code, keys[i], {"density": float(i)}, {"rev": float(rev), "i": float(i)})

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(go, range(30)))
    board = store.board(code, key)
    assert sorted(p.values["i"] for p in board) == [float(i) for i in range(30)]
    assert all(p.values["rev"] == 1.0 for p in board)
    store.engine.dispose()


def test_submit_runs_the_model_server_side(tmp_path):
    store = WorkshopStore(f"sqlite:///{tmp_path / 'w.sqlite'}")
    code, key = store.create("zan.trajectory", "zan", "t")
    _, alice = store.join(code, "Alice")
    _, low = submit(store, code, alice, {"group": "gironde", "density": 10.0})
    _, bob = store.join(code, "Bob")
    _, high = submit(store, code, bob, {"group": "gironde", "density": 40.0})
    board = store.board(code, key)
    # values stored are the model's, not the client's; denser housing takes less land
    projected = all_indicators()["zan.projected_2021_2031_ha"]
    assert board[0].values[projected.id] == pytest.approx(projected(low))
    assert board[1].values[projected.id] == pytest.approx(projected(high))
    assert board[1].values[projected.id] < board[0].values[projected.id]
    with pytest.raises(TwinInputError, match="density"):
        submit(store, code, alice, {"density": 10_000.0})
    with pytest.raises(TwinInputError):
        submit(store, code, alice, {"__class__": "x"})


def test_board_marks_best_and_worst():
    from twin_core.workshop.board import board_frame, marks
    from twin_core.workshop.store import Proposal

    def prop(i, projected, remaining, envelope):
        return Proposal(i, i, f"P{i}", {}, {"zan.projected_2021_2031_ha": projected,
                                           "zan.remaining_budget_ha": remaining,
                                           "zan.envelope_ha": envelope}, False, "")

    frame = board_frame("zan.trajectory", [prop(1, 50, 10, 60), prop(2, 40, 20, 60),
                                           prop(3, 45, 15, 60)])
    m = marks("zan.trajectory", frame)
    # less land taken is better, more budget left is better, the envelope is not ranked
    assert m[(2, "zan.projected_2021_2031_ha")] == "best"
    assert m[(1, "zan.projected_2021_2031_ha")] == "worst"
    assert m[(2, "zan.remaining_budget_ha")] == "best"
    assert m[(1, "zan.remaining_budget_ha")] == "worst"
    assert (3, "zan.projected_2021_2031_ha") not in m
    assert not any(k[1] == "zan.envelope_ha" for k in m)


def test_levers_open_to_participants(tmp_path):
    store = WorkshopStore(f"sqlite:///{tmp_path / 'w.sqlite'}")
    with pytest.raises(TwinInputError, match="levers"):
        store.create("zan.trajectory", "zan", "t", levers=[])
    with pytest.raises(TwinInputError, match="levers"):
        store.create("zan.trajectory", "zan", "t", levers=["density; DROP TABLE"])
    code, key = store.create("zan.trajectory", "zan", "t", levers=["density"])
    assert store.workshop(code).levers == ("density",)
    _, alice = store.join(code, "Alice")
    # a lever the facilitator did not open stays at its default, whatever the client sends
    _, result = submit(store, code, alice, {"density": 30.0, "reduction_pct": 0.0})
    assert result.scenario["params"]["density"] == 30.0
    assert result.scenario["params"]["reduction_pct"] == 50.0
    assert store.board(code, key)[0].params["reduction_pct"] == 50.0


def test_database_of_an_earlier_version_is_upgraded(tmp_path):
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = sa.create_engine(url)
    with engine.begin() as con:  # the first schema, without the levers column
        con.execute(sa.text(
            "CREATE TABLE workshops (code VARCHAR(8) PRIMARY KEY, model_id VARCHAR(64) NOT NULL,"
            " territory_id VARCHAR(64) NOT NULL, title VARCHAR(200) NOT NULL, facilitator_hash"
            " VARCHAR(64) NOT NULL, frozen BOOLEAN NOT NULL, revealed BOOLEAN NOT NULL,"
            " created_at VARCHAR(32) NOT NULL)"))
        con.execute(sa.text("INSERT INTO workshops VALUES ('ABCDEFGH', 'zan.trajectory', 'zan',"
                            " 'ancien', 'x', 0, 0, '2026-11-23T08:00:00+00:00')"))
    engine.dispose()
    store = WorkshopStore(url)
    assert store.workshop("ABCDEFGH").levers is None
    code, _ = store.create("zan.trajectory", "zan", "nouveau", levers=["density"])
    assert store.workshop(code).levers == ("density",)


def test_unusable_database_is_reported_by_name(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    with pytest.raises(TwinInputError, match="workshop database does not answer"):
        WorkshopStore(f"sqlite:///{blocker / 'w.sqlite'}")
    with pytest.raises(TwinInputError, match="not a usable SQLAlchemy URL"):
        WorkshopStore("nonsense://")
    port = _free_port()  # nothing listens there
    with pytest.raises(TwinInputError, match="does not answer") as err:
        WorkshopStore(f"postgresql+psycopg://twin:secret@127.0.0.1:{port}/twin")
    assert "secret" not in str(err.value)  # the password is not shown


def test_database_lost_mid_session_is_reported(tmp_path):
    store = WorkshopStore(f"sqlite:///{tmp_path / 'w.sqlite'}")
    code, _ = store.create("zan.trajectory", "zan", "t")
    store.engine.dispose()
    for f in tmp_path.iterdir():
        f.unlink()
    tmp_path.rmdir()  # the folder is gone: SQLite cannot reopen the file
    with pytest.raises(TwinInputError, match="does not answer"):
        store.join(code, "Alice")
