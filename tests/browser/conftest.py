"""Real browser tests: Debian's Chromium driven by Playwright against `twin serve`, offline."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def _chromium_installed():
    """Fail (never skip) every browser test when Chromium is absent."""
    assert Path(CHROMIUM).exists(), \
        f"Chromium is not installed at {CHROMIUM}: run `make browser` (make test does it)"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync"]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(proc, url: str, seconds: float) -> None:
    """Poll ``url`` until it answers 200; the server is killed and the session fails after
    ``seconds`` or if it exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"twin serve exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"twin serve did not answer {url} within {seconds:.0f} s")


@pytest.fixture(scope="session")
def server_db(tmp_path_factory):
    """The workshop database file of the session's server (tests may seed workshops in it)."""
    return tmp_path_factory.mktemp("db") / "workshops.sqlite"


@contextmanager
def twin_server(env: dict[str, str], log=subprocess.DEVNULL, ready: bool = True
                ) -> Iterator[str]:
    """`twin serve` in a subprocess on a free loopback port with ``env`` added to the
    environment (the workshop database, the user territories…); yields the base URL once the
    background warm-up is done (``ready``), so that each test times its own page, not the
    models' first preparation, or as soon as the server answers (``ready=False``)."""
    port = _free_port()
    full = {**os.environ, "PYTHONUNBUFFERED": "1", **env}
    full.pop("TWIN_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "twin_core.cli", "serve", "--port", str(port)],
                            cwd=ROOT, env=full, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(proc, f"{base}/liveness", 120)
        if ready:
            _wait_for(proc, f"{base}/ready", 600)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def server(server_db):
    """`twin serve` in a subprocess on a free loopback port; yields the base URL."""
    log = open(ROOT / ".pytest_cache" / "twin_serve.log", "w") if (
        ROOT / ".pytest_cache").exists() else subprocess.DEVNULL
    with twin_server({"TWIN_WORKSHOP_DB": str(server_db)}, log) as base:
        yield base


class ConsoleErrors(list):
    """Console errors of a page, minus the aborted requests (offline basemap tiles)."""


def offline_route(r) -> None:
    """Playwright route handler: loopback and data: URLs go through, everything else aborts."""
    host = r.request.url.split("/")[2] if "://" in r.request.url else ""
    if host.startswith(("127.0.0.1", "localhost")) or r.request.url.startswith("data:"):
        r.continue_()
    else:
        r.abort()


@pytest.fixture
def offline_page(page):
    """A page whose non-loopback requests are aborted, collecting console errors."""
    errors = ConsoleErrors()
    page.route("**/*", offline_route)

    def on_console(msg):
        if msg.type == "error" and "net::ERR_FAILED" not in msg.text \
                and "Failed to load resource" not in msg.text:
            errors.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.set_default_timeout(60_000)
    page.console_errors = errors
    return page
