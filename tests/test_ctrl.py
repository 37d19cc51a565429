"""The control interface: command table replies, and the server under bad input (a live daemon, real sockets)."""

from __future__ import annotations

import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time

import pytest

from pywps.ctrl.commands import FAIL, OK, UNKNOWN, CommandFailed, CommandTable
from pywps.ctrl.server import CtrlServer


class FakeBackend:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def status(self):
        return {"wpa_state": "DISCONNECTED", "address": "02:00:00:00:02:00"}

    def check_pin(self, pin):
        return "FAIL-CHECKSUM\n" if pin == "12345678" else pin

    def generate_pin(self):
        return "12345670"

    def wps_pin(self, bssid, pin):
        self.calls.append(("wps_pin", bssid, pin))
        return pin or "87654325"

    def wps_pbc(self, bssid):
        self.calls.append(("wps_pbc", bssid))

    def wps_reg(self, bssid, pin, ssid_hex=None, auth=None, encr=None, key_hex=None):
        self.calls.append(("wps_reg", bssid, pin, ssid_hex, auth, encr, key_hex))

    def wps_cancel(self):
        raise CommandFailed("nothing to cancel")

    def list_networks(self):
        return [(0, "net", "any", "")]

    def get(self, key):
        raise RuntimeError("a bug in the backend")

    async def scan(self):
        await asyncio.sleep(0)


def dispatch(command: str) -> tuple[str, FakeBackend]:
    backend = FakeBackend()
    reply = CommandTable(backend).dispatch(command)
    if not isinstance(reply, str):
        reply = asyncio.run(reply)
    return reply, backend


@pytest.mark.parametrize("command,reply", [
    ("PING", "PONG\n"),
    ("STATUS", "wpa_state=DISCONNECTED\naddress=02:00:00:00:02:00\n"),
    ("WPS_PIN any 12345670", "12345670"),
    ("WPS_PIN any", "87654325"),
    ("WPS_PIN get", "12345670"),
    ("WPS_PIN", UNKNOWN),
    ("WPS_PIN 02:00:00:00:01:zz 12345670", FAIL),
    ("WPS_PBC", OK),
    ("WPS_CHECK_PIN 12345678", "FAIL-CHECKSUM\n"),
    ("WPS_REG 02:00:00:00:01:00", FAIL),
    ("WPS_REG 02:00:00:00:01:00 12345670", OK),
    ("WPS_CANCEL", FAIL),
    ("LIST_NETWORKS", "network id / ssid / bssid / flags\n0\tnet\tany\t\n"),
    ("GET device_name", FAIL),  # the backend's bug becomes FAIL, never a traceback
    ("SCAN", OK),
    ("LIST_CREDS", ""),
    ("NO_SUCH_THING", UNKNOWN),
    ("", UNKNOWN),
])
def test_command_replies(command, reply):
    assert dispatch(command)[0] == reply


def test_wps_reg_with_new_settings_passes_hex_through():
    reply, backend = dispatch("WPS_REG 02:00:00:00:01:00 12345670 6e65772d73736964 WPA2PSK CCMP 6e6577706173737068726173")
    assert reply == OK
    assert backend.calls == [("wps_reg", "02:00:00:00:01:00", "12345670", "6e65772d73736964", "WPA2PSK", "CCMP",
                              "6e6577706173737068726173")]


@pytest.fixture
def daemon(tmp_path):
    """A real pywps process on a dummy-less setup: the wired driver needs an interface, so use `lo`."""
    if os.geteuid() != 0:
        pytest.skip("needs root for AF_PACKET")
    ctrl = tempfile.mkdtemp(prefix="pwctl-", dir="/tmp")
    conf = tmp_path / "pywps.conf"
    conf.write_text(f"ctrl_interface={ctrl}\nupdate_config=1\n")
    log = tmp_path / "pywps.log"
    proc = subprocess.Popen([sys.executable, "-m", "pywps", "-D", "wired", "-i", "lo", "-c", str(conf)],
                            stderr=open(log, "w"))
    path = os.path.join(ctrl, "lo")
    deadline = time.monotonic() + 15
    while not os.path.exists(path):
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    yield path, log
    proc.terminate()
    proc.wait(10)


def client(path: str) -> socket.socket:
    local = tempfile.mktemp(prefix="pwc-", dir="/tmp")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(local)
    sock.connect(path)
    sock.settimeout(5)
    return sock


def ping(path: str) -> bytes:
    sock = client(path)
    try:
        sock.send(b"PING")
        return sock.recv(100)
    finally:
        name = sock.getsockname()
        sock.close()
        os.unlink(name)


def test_random_and_oversized_datagrams(daemon):
    path, log = daemon
    sock = client(path)
    rng = random.Random(4476)
    replies = 0
    for _ in range(10_000):
        sock.send(rng.randbytes(rng.choice((0, 1, 7, 64, 4000, 4097, 8000))))
        reply = sock.recv(100)  # every datagram is answered, however bad
        replies += reply in (b"FAIL\n", b"UNKNOWN COMMAND\n")
    assert replies == 10_000
    time.sleep(0.5)
    assert ping(path) == b"PONG\n"
    assert "Traceback" not in log.read_text()


def test_monitor_that_never_reads_is_dropped_and_daemon_stays_responsive(daemon):
    path, log = daemon
    lazy = client(path)
    lazy.send(b"ATTACH")
    assert lazy.recv(10) == b"OK\n"
    lazy.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    for _ in range(40):  # each WPS_PIN/WPS_CANCEL pair publishes two events to the monitor
        sock = client(path)  # a fresh client each round: the daemon may re-open its socket meanwhile
        sock.settimeout(1)
        try:
            for _ in range(500):
                sock.send(b"WPS_PIN any 12345670")
                sock.recv(100)
                sock.send(b"WPS_CANCEL")
                sock.recv(100)
        except OSError:  # the request in flight when the socket was re-opened: like wpa_cli, ask again
            pass
        sock.close()
        if "detaching 1 monitor" in log.read_text():
            break
    assert "detaching 1 monitor" in log.read_text()
    assert ping(path) == b"PONG\n"
    with pytest.raises(OSError):  # the stuck monitor was connected to the old socket: it is cut off
        lazy.send(b"PING")
        lazy.recv(100)


def test_client_that_vanishes_before_its_reply(daemon):
    path, log = daemon
    for _ in range(200):
        sock = client(path)
        sock.send(b"STATUS")
        name = sock.getsockname()
        sock.close()
        os.unlink(name)
    assert ping(path) == b"PONG\n"
    assert "Traceback" not in log.read_text()


def test_second_daemon_on_the_same_socket_refuses(daemon, tmp_path):
    path, _ = daemon
    conf = tmp_path / "second.conf"
    conf.write_text(f"ctrl_interface={os.path.dirname(path)}\n")
    result = subprocess.run([sys.executable, "-m", "pywps", "-D", "wired", "-i", "lo", "-c", str(conf)],
                            capture_output=True, text=True, timeout=20)
    assert result.returncode != 0 and "in use" in result.stderr
    assert ping(path) == b"PONG\n"


def test_server_socket_mode_and_group(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root to chown to a group")
    import grp

    group = grp.getgrgid(0).gr_name

    async def main() -> None:
        async def handler(text: str) -> str:
            return "PONG\n"

        server = CtrlServer(str(tmp_path / "ctl" / "wlan0"), group, handler)
        await server.start()
        mode = os.stat(server.path).st_mode & 0o777
        dmode = os.stat(tmp_path / "ctl").st_mode & 0o777
        await server.close()
        assert mode == 0o770 and dmode == 0o770
        assert not os.path.exists(server.path)

    asyncio.run(main())
