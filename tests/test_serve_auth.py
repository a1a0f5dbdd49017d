"""`twin serve --basic-auth`: every page asks for a login first (for a workshop on a network)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_basic_auth_guards_every_page(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "TWIN_WORKSHOP_DB": str(tmp_path / "w.sqlite")}
    proc = subprocess.Popen([sys.executable, "-m", "twin_core.cli", "serve", "--port", str(port),
                             "--no-warmup", "--basic-auth", "un mot de passe"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, "twin serve exited"
            try:
                urllib.request.urlopen(f"{base}/liveness", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        for page in ("/atelier", "/participer", "/coast"):
            try:
                opener.open(f"{base}{page}", timeout=10)
                raise AssertionError(f"{page} served without a login")
            except urllib.error.HTTPError as exc:
                assert exc.code in (302, 401, 403), exc.code
                assert "login" in exc.headers.get("Location", "login")
    finally:
        proc.terminate()
        proc.wait(timeout=15)
