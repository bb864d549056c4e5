"""``simfraud dashboard`` serves through waitress: pages, the Host check, a clean Ctrl-C."""

import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, host: str | None = None) -> tuple[int, str, str]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("Server", ""), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Server", ""), ""


def free_port_ipv6() -> int:
    with socket.socket(socket.AF_INET6) as probe:
        probe.bind(("::1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(tmp_path, request):
    host = getattr(request, "param", "127.0.0.1")
    port = free_port_ipv6() if ":" in host else free_port()
    (tmp_path / "results" / "bad").mkdir(parents=True)
    (tmp_path / "results" / "bad" / "manifest.json").write_text("[")
    process = subprocess.Popen(
        [sys.executable, "-m", "simfraud.cli", "dashboard", "--results",
         str(tmp_path / "results"), "--scenarios", str(ROOT / "scenarios"), "--port",
         str(port), "--workers", "2", "--max-runs", "1", "--host", host],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    deadline = time.time() + 120
    while True:
        try:
            get(url + "/_dash-layout")
            break
        except OSError:
            assert process.poll() is None, process.communicate()
            assert time.time() < deadline, "the dashboard did not start"
            time.sleep(0.2)
    yield process, url
    if process.poll() is None:
        process.kill()
        process.communicate()


@pytest.mark.parametrize("server", ["::1"], indirect=True)
def test_the_dashboard_serves_on_ipv6_loopback_with_the_host_check(server):
    _, url = server  # urllib sends Host: [::1]:PORT
    assert get(url + "/")[0] == 200
    assert get(url + "/", host="evil.example")[0] == 400


def test_the_dashboard_serves_through_waitress_and_stops_cleanly_on_ctrl_c(server):
    process, url = server
    status, software, page = get(url + "/")
    assert status == 200 and software == "simfraud" and "<title>simfraud" in page
    for path in ("/arms-race", "/compare", "/export", "/run", "/_dash-layout",
                 "/_dash-dependencies"):
        assert get(url + path)[0] == 200
    assert get(url + "/", host="evil.example")[0] == 400
    assert get(url + "/", host="localhost")[0] == 200
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode in (0, 130)
    # waitress warns "Task queue depth is N" when a request waits for a thread (a loaded
    # machine): its operational log, not the interrupt's
    lines = [line for line in stderr.splitlines()
             if not line.startswith("Task queue depth is ")]
    assert "Traceback" not in stderr and lines == ["simfraud: interrupted"]
    assert "2 threads, at most 1 background run(s) at once" in stdout


def test_a_port_in_use_is_one_line_and_exit_2(server, tmp_path):
    _, url = server
    port = url.rsplit(":", 1)[1]
    result = subprocess.run([sys.executable, "-m", "simfraud.cli", "dashboard", "--results",
                             str(tmp_path / "r2"), "--port", port], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().startswith(f"simfraud dashboard: cannot serve on 127.0.0.1:"
                                            f"{port}")
    assert len(result.stderr.strip().splitlines()) == 1
