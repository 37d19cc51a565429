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

from pywps.ctrl.commands import FAIL, OK, UNKNOWN, CommandTable
from pywps.wps.pin import has_valid_checksum
from shellfakes import STA, FakeWiredDriver
from shellrig import Rig, run
from pywps.ctrl.server import CtrlServer


def dispatch(command: str, conf: str = "update_config=1\n") -> str:
    """One command through the real command table of an in-process daemon on a fake wired link."""
    replies = []

    async def main():
        async with Rig(FakeWiredDriver(), conf) as rig:
            replies.append(await rig.cmd(command))

    run(main())
    return replies[0]


@pytest.mark.parametrize("command,reply", [
    ("PING", "PONG\n"),
    ("WPS_PIN any 12345670", "12345670"),
    ("WPS_PIN", UNKNOWN),
    ("WPS_PIN 02:00:00:00:01:zz 12345670", FAIL),
    ("WPS_PIN any 1234567", FAIL),
    ("WPS_PIN any \u0661\u0662\u0663\u0664", FAIL),  # Arabic-Indic digits are not a PIN (one check, pin.py's)
    ("WPS_PBC", OK),
    ("WPS_CHECK_PIN 12345678", "FAIL-CHECKSUM\n"),
    ("WPS_CHECK_PIN 1234-5670", "12345670"),
    ("WPS_CHECK_PIN \u0661\u0662\u0663\u0664", FAIL),  # no ASCII digits at all
    ("WPS_REG 02:00:00:00:01:00", FAIL),
    ("WPS_REG 02:00:00:00:01:00 12345670", OK),
    ("WPS_REG 02:00:00:00:01:00 12345670 6e65772d73736964 WPA2PSK CCMP 6e6577706173737068726173", OK),
    ("WPS_REG 02:00:00:00:01:00 12345670 6e65772d73736964 WPA2PSK CCMP 6e6577", FAIL),  # a 3-byte passphrase
    ("WPS_CANCEL", OK),  # nothing to cancel is fine, as in wpa_supplicant
    ("LIST_NETWORKS", "network id / ssid / bssid / flags\n"),
    ("GET device_name", FAIL),
    ("SCAN", OK),  # nothing to scan on a wired link, and wpa_supplicant -Dwired says OK too
    ("LIST_CREDS", "cred id / realm / username / domain / imsi\n"),
    ("WPS_CHECK_PIN 1-2.3:4 5670", "12345670"),
    ("WPS_REG 02:00:00:00:01:00 12345670 6f70656e OPEN NONE ", OK),  # wpa_cli's empty key: a trailing space
    ("NO_SUCH_THING", UNKNOWN),
    ("ping", UNKNOWN),  # command names are case-sensitive in wpa_supplicant
    ("", UNKNOWN),
])
def test_command_replies(command, reply):
    assert dispatch(command) == reply


def test_generated_pins_are_valid():
    for command in ("WPS_PIN any", "WPS_PIN get"):
        pin = dispatch(command)
        assert len(pin) == 8 and has_valid_checksum(pin)


def test_status_on_an_idle_wire():
    lines = dispatch("STATUS").splitlines()
    assert lines[0] == "wpa_state=DISCONNECTED" and lines[1] == f"address={STA.hex(':')}"
    assert "wps_state=IDLE" in lines


def test_a_bug_in_a_handler_is_answered_fail_without_a_traceback(caplog):
    def broken(ctx, raw):
        raise RuntimeError("a bug in the backend")

    reply = CommandTable(object(), {"GET": broken}).dispatch("GET device_name")
    assert reply == FAIL and "internal error in control command GET" in caplog.text


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
