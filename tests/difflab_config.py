"""The oracle for the configuration differential tests: Debian wpa_supplicant -Dwired on one end of a veth pair
inside its own network namespace, talked to over its wpa_ctrl socket from the test process (unix socket paths
cross namespaces), and the same command script run in-process against pywps's network command handlers.

Nothing here needs a peer: the network and GET/SET commands never touch the link, so one namespace with both
veth ends is enough. Each lab has a unique namespace name and always tears down.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Self

import pytest

_counter = itertools.count()


def oracle_skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root for a network namespace"
    for tool in ("wpa_supplicant", "ip"):
        if shutil.which(tool) is None:
            return f"{tool} not installed: apt-get install wpasupplicant iproute2"
    return None


requires_oracle = pytest.mark.skipif(oracle_skip_reason() is not None, reason=str(oracle_skip_reason()))


class CtrlSocket:
    """A minimal synchronous wpa_ctrl client: one datagram out, the reply back (events are skipped)."""

    def __init__(self, path: str) -> None:
        self.local = tempfile.mktemp(prefix="pwcfgc-", dir="/tmp")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.local)
        self.sock.connect(path)
        self.sock.settimeout(5)

    def request(self, command: str) -> str:
        self.sock.send(command.encode("utf-8", "surrogateescape"))
        while True:
            data = self.sock.recv(65536).decode("utf-8", "surrogateescape")
            if not data.startswith("<"):  # an unsolicited event when attached; we never attach
                return data

    def close(self) -> None:
        self.sock.close()
        try:
            os.unlink(self.local)
        except FileNotFoundError:
            pass


class WpaSupplicant:
    """wpa_supplicant -Dwired -i vsta -c CONF in a fresh namespace, or in `ns` (a netlab.WiredLab's station
    namespace, left to its owner). `conf_text` may hold `@CTRL@`."""

    def __init__(self, conf_text: str = "ctrl_interface=@CTRL@\nupdate_config=1\n", ns: str | None = None) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="pwcfg-", dir="/tmp"))  # short: AF_UNIX paths max 108
        self.ctrl_dir = str(self.dir / "ctrl")
        self.conf = self.dir / "wpa.conf"
        self.conf.write_text(conf_text.replace("@CTRL@", self.ctrl_dir))
        self.log = self.dir / "wpa.log"
        self.own_ns = ns is None
        self.ns = ns or f"pwcfg{os.getpid() % 100000}-{next(_counter)}"
        self.proc: subprocess.Popen | None = None
        self.ctrl: CtrlSocket | None = None

    def __enter__(self) -> Self:
        try:
            if self.own_ns:
                make_namespace(self.ns)
            self.proc = subprocess.Popen(
                ["ip", "netns", "exec", self.ns, "wpa_supplicant", "-Dwired", "-i", "vsta", "-c", str(self.conf),
                 "-f", str(self.log)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            path = os.path.join(self.ctrl_dir, "vsta")
            deadline = time.monotonic() + 10
            while not os.path.exists(path):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"wpa_supplicant did not start: {self.log_text()}")
                time.sleep(0.02)
            self.ctrl = CtrlSocket(path)
        except BaseException:
            self.__exit__()
            raise
        return self

    def request(self, command: str) -> str:
        assert self.ctrl is not None
        return self.ctrl.request(command)

    @property
    def socket_path(self) -> str:
        return os.path.join(self.ctrl_dir, "vsta")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def conf_text(self) -> str:
        return self.conf.read_text()

    def __exit__(self, *exc: object) -> None:
        if self.ctrl is not None:
            self.ctrl.close()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.own_ns:
            subprocess.run(["ip", "netns", "del", self.ns], capture_output=True, check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


def make_namespace(ns: str) -> None:
    try:
        for argv in (["ip", "netns", "add", ns],
                     ["ip", "-n", ns, "link", "add", "vsta", "type", "veth", "peer", "name", "vpeer"],
                     ["ip", "-n", ns, "link", "set", "vsta", "up"], ["ip", "-n", ns, "link", "set", "vpeer", "up"]):
            subprocess.run(argv, check=True, capture_output=True)
    except BaseException:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)
        raise


def wpa_supplicant_loads(conf_text: str) -> tuple[bool, str]:
    """Does Debian wpa_supplicant accept this file? Started for real (-Dwired on a veth in a namespace) and
    asked PING; returns (accepted, its log). `ctrl_interface` is replaced by a directory of ours."""
    lines = [line for line in conf_text.split("\n") if not line.startswith("ctrl_interface")]
    with tempfile.TemporaryDirectory(prefix="pwcfgl-", dir="/tmp") as tmp:
        ctrl = os.path.join(tmp, "c")
        conf = os.path.join(tmp, "saved.conf")
        Path(conf).write_text(f"ctrl_interface={ctrl}\n" + "\n".join(lines))
        ns = f"pwcfgl{os.getpid() % 100000}-{next(_counter)}"
        make_namespace(ns)
        proc = subprocess.Popen(["ip", "netns", "exec", ns, "wpa_supplicant", "-Dwired", "-i", "vsta", "-c", conf],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if proc.poll() is not None:
                    return False, proc.stdout.read()
                if os.path.exists(os.path.join(ctrl, "vsta")):
                    return True, ""
                time.sleep(0.02)
            return False, "timed out"
        finally:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(5)
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)


# -- the pywps side, in-process: the network commands' handlers with a small context ---------------------------


class NetworkCtx:
    """What the network command handlers need from the daemon: the live config and a sink for their events."""

    def __init__(self, text: str = "") -> None:
        from pywps import config as cfg

        self.config = cfg.parse(text)
        self.events: list = []

    def networks_changed(self, event) -> None:
        self.events.append(event)

    def global_changed(self, key: str) -> None:
        self.events.append(("global", key))


def handler_reply(ctx: NetworkCtx, line: str) -> str:
    """pywps's reply to one request line, through the real dispatcher (argument text untrimmed, refusals as
    FAIL) holding only the network commands."""
    from pywps.ctrl.commands import CommandTable
    from pywps.ctrl.network_commands import COMMANDS

    return CommandTable(ctx, dict(COMMANDS)).dispatch(line)
