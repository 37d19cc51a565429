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


def test_an_answer_to_an_eap_question_is_not_logged(caplog):
    """CTRL-RSP-<field>-<id>:<value> carries a password or PIN: refused (FAIL, as wpa_supplicant without
    802.1X), and neither the refusal nor -d's request line shows the value."""
    import logging

    caplog.set_level(logging.DEBUG)
    assert dispatch("CTRL-RSP-PASSWORD-1:hunter2") == FAIL
    assert "CTRL-RSP" in caplog.text and "hunter2" not in caplog.text


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


def test_monitor_that_never_reads_is_dropped_alone(daemon):
    """A stuck monitor is dropped on its own; another monitor keeps getting every event and stays attached.

    wpa_supplicant 2.10 differs on purpose here (bench/ctrl.py shows it): when its send buffer fills it drops
    events for every monitor, and other readers miss them. Our server tracks what each monitor left unread.
    """
    path, log = daemon
    lazy = client(path)
    lazy.send(b"ATTACH")
    assert lazy.recv(10) == b"OK\n"
    reader = client(path)
    reader.send(b"ATTACH")
    assert reader.recv(10) == b"OK\n"
    reader.settimeout(5)
    sock = client(path)
    sock.settimeout(5)
    events = 0  # what the reader, which reads everything, received: every event the daemon published

    def read_all() -> int:
        reader.setblocking(False)
        n = 0
        while True:
            try:
                assert reader.recv(4096).startswith(b"<")
                n += 1
            except BlockingIOError:
                reader.settimeout(5)
                return n

    deadline = time.monotonic() + 60
    while "stopped reading" not in log.read_text() and time.monotonic() < deadline:
        for _ in range(20):  # each WPS_PIN/WPS_CANCEL pair publishes several events (the run's network, ...)
            sock.send(b"WPS_PIN any 12345670")
            sock.recv(100)
            sock.send(b"WPS_CANCEL")
            sock.recv(100)
            events += read_all()  # the reader keeps up (the server judges a monitor by its queue)
        time.sleep(0.01)
    assert "stopped reading" in log.read_text()
    assert "re-opening" not in log.read_text()
    sock.send(b"WPS_PIN any 12345670")  # one more event: the reader still gets it
    sock.recv(100)
    assert reader.recv(4096).startswith(b"<")
    sock.send(b"WPS_CANCEL")
    sock.recv(100)
    time.sleep(0.05)
    events += 1 + read_all()
    assert ping(path) == b"PONG\n"
    lazy.setblocking(False)
    queued = 0
    while True:
        try:
            lazy.recv(4096)
            queued += 1
        except BlockingIOError:
            break
    assert queued < events  # it got nothing after it was dropped
    lazy.settimeout(2)
    lazy.send(b"PING")  # dropped as a monitor, still a client: its socket was not cut off
    assert lazy.recv(100) == b"PONG\n"


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


def test_server_group_by_number_or_name(tmp_path):
    """ctrl_interface=DIR=... GROUP=0 (a gid) works as GROUP=root does, as in wpa_supplicant; an unknown name
    is refused with a message, not a traceback."""
    if os.geteuid() != 0:
        pytest.skip("needs root to chown to a group")
    import grp

    from pywps.ctrl.server import CtrlGroupUnknown, resolve_group

    assert resolve_group("0") == 0
    assert resolve_group(grp.getgrgid(0).gr_name) == 0
    with pytest.raises(CtrlGroupUnknown):
        resolve_group("no-such-group-pywps")

    async def main() -> None:
        server = CtrlServer(str(tmp_path / "ctl" / "wlan0"), "0", lambda text: "PONG\n")
        await server.start()
        assert os.stat(server.path).st_gid == 0 and os.stat(tmp_path / "ctl").st_gid == 0
        await server.close()

    asyncio.run(main())
    conf = tmp_path / "gid.conf"
    conf.write_text(f"ctrl_interface=DIR={tmp_path / 'ctl2'} GROUP=0\n")
    proc = subprocess.Popen([sys.executable, "-m", "pywps", "-D", "wired", "-i", "lo", "-c", str(conf)],
                            stderr=subprocess.PIPE, text=True)
    try:
        path = str(tmp_path / "ctl2" / "lo")
        deadline = time.monotonic() + 20
        while not os.path.exists(path) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, proc.stderr.read()
        assert ping(path) == b"PONG\n"
    finally:
        proc.terminate()
        proc.wait(10)


def test_many_monitors_are_accepted(tmp_path):
    """No cap below 256 monitors (wpa_supplicant has none); every one of them gets the event."""
    from pywps.ctrl.server import DEFAULT_MONITOR_LEVEL

    async def main() -> None:
        server = CtrlServer(str(tmp_path / "ctl" / "wlan0"), None, lambda text: "PONG\n")
        await server.start()
        loop = asyncio.get_running_loop()
        socks = []
        try:
            for i in range(300):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                s.bind(str(tmp_path / f"m{i}"))
                s.connect(server.path)
                s.setblocking(False)
                socks.append(s)
                await loop.sock_sendall(s, b"ATTACH")  # one at a time: the server's queue holds 10 (max_dgram_qlen)
                assert await loop.sock_recv(s, 16) == b"OK\n"
            assert server.monitor_count == 300
            server.publish(DEFAULT_MONITOR_LEVEL, "TEST-EVENT")
            for s in socks:
                assert await loop.sock_recv(s, 64) == f"<{DEFAULT_MONITOR_LEVEL}>TEST-EVENT".encode()
        finally:
            for s in socks:
                s.close()
            await server.close()

    asyncio.run(main())


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
