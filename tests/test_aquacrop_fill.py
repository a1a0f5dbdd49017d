"""The server fills the agriculture sample's AquaCrop grid after its warm-up, in a separate
low-priority process, only when tables are missing (issue 17: no 15 s wait on the soil or
summer-rain lever)."""

from __future__ import annotations

import fcntl
from types import SimpleNamespace

from twin_core import cli


def test_fill_starts_only_when_tables_are_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("TWIN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(cli, "_aquacrop_cache", lambda tid: SimpleNamespace(missing=list))
    assert cli.start_aquacrop_fill() is None  # the grid is complete
    monkeypatch.setenv("TWIN_AQUACROP_FILL", "off")
    monkeypatch.setattr(cli, "_aquacrop_cache",
                        lambda tid: SimpleNamespace(missing=lambda: ["a table"]))
    assert cli.start_aquacrop_fill() is None  # switched off
    monkeypatch.setenv("TWIN_AQUACROP_FILL", "on")
    monkeypatch.setenv("TWIN_CACHE_DIR", "off")
    assert cli.start_aquacrop_fill() is None  # no disk cache to fill
    monkeypatch.setenv("TWIN_CACHE_DIR", str(tmp_path))
    # the real command, held back by the lock of a fill already running: exits at once
    lock_dir = tmp_path / "aquacrop"
    lock_dir.mkdir()
    with open(lock_dir / ".fill.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        proc = cli.start_aquacrop_fill()
        assert proc is not None
        args = proc.args
        assert args[:3] == ["nice", "-n", "19"] and args[-3:] == ["cache", "aquacrop",
                                                                    "agriculture"]
        assert proc.wait(timeout=120) == 0
    assert list(lock_dir.glob("*.npy")) == []  # it computed nothing


def test_cache_command_refuses_a_disabled_cache(monkeypatch, capsys):
    monkeypatch.setenv("TWIN_CACHE_DIR", "off")
    assert cli.main(["cache", "aquacrop"]) == 2
    assert "TWIN_CACHE_DIR=off" in capsys.readouterr().err
